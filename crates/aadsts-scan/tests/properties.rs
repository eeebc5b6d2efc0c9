//! Properties of the scan: splitting a log into parts changes nothing, and redaction is
//! stable and leaks no user or address.

use aadsts_scan::{scan, Options, Source, Summary};
use proptest::prelude::*;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

const CODES: [u32; 8] = [0, 0, 0, 50126, 50053, 50074, 500121, 53003];

fn line(i: usize, code: u32, user: usize, ip: usize) -> String {
    format!(
        "{{\"time\":\"2025-03-0{}T{:02}:{:02}:00Z\",\"resultType\":\"{code}\",\"properties\":{{\"userPrincipalName\":\"person{user}@contoso.com\",\"appDisplayName\":\"App {}\",\"ipAddress\":\"203.0.113.{ip}\",\"status\":{{\"errorCode\":{code},\"additionalDetails\":\"MFA denied; user declined the authentication\"}}}}}}\n",
        1 + i % 5,
        i % 24,
        i % 60,
        user % 3
    )
}

fn run(paths: &[std::path::PathBuf], redact: bool) -> Summary {
    let sources: Vec<Source> = paths.iter().map(|p| Source::File(p.clone())).collect();
    let opts = Options {
        redact,
        threads: 2,
        ..Default::default()
    };
    scan(
        &sources,
        &opts,
        &aadsts_catalog::Catalog::builtin(),
        Arc::new(AtomicU64::new(0)),
    )
    .unwrap()
}

/// Everything but the per-input list, which names the files.
fn comparable(s: &Summary) -> serde_json::Value {
    let mut v = serde_json::to_value(s).unwrap();
    v.as_object_mut().unwrap().remove("inputs");
    v
}

fn events() -> impl Strategy<Value = Vec<(u32, usize, usize)>> {
    proptest::collection::vec(
        (
            proptest::sample::select(CODES.to_vec()),
            0usize..12,
            0usize..6,
        ),
        1..120,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn a_scan_of_a_file_equals_the_scan_of_its_parts(evs in events(), cut in 0usize..120) {
        let dir = tempfile::tempdir().unwrap();
        let lines: Vec<String> = evs.iter().enumerate().map(|(i, (c, u, ip))| line(i, *c, *u, *ip)).collect();
        let cut = cut.min(lines.len());
        let whole = dir.path().join("whole.json");
        std::fs::write(&whole, lines.concat()).unwrap();
        let a = dir.path().join("a.json");
        let b = dir.path().join("b.json");
        std::fs::write(&a, lines[..cut].concat()).unwrap();
        std::fs::write(&b, lines[cut..].concat()).unwrap();
        let one = run(&[whole], false);
        let two = run(&[a, b], false);
        prop_assert_eq!(one.rows.read, evs.len() as u64);
        prop_assert_eq!(comparable(&one), comparable(&two));
    }

    #[test]
    fn redaction_is_stable_and_leaks_nothing(evs in events()) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log.json");
        let lines: String = evs.iter().enumerate().map(|(i, (c, u, ip))| line(i, *c, *u, *ip)).collect();
        std::fs::write(&p, lines).unwrap();
        let first = serde_json::to_string(&run(std::slice::from_ref(&p), true)).unwrap();
        let second = serde_json::to_string(&run(std::slice::from_ref(&p), true)).unwrap();
        prop_assert_eq!(&first, &second);
        prop_assert!(!first.contains("@contoso.com"), "a user name leaked");
        prop_assert!(!first.contains("203.0.113."), "an IP address leaked");
    }
}
