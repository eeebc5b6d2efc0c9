//! Properties of extraction: a code is found however the text around it is wrapped, and
//! nothing is invented.

use aadsts_extract::extract;
use proptest::prelude::*;

/// Ways tools wrap a message before a person pastes it.
fn wrap(kind: u8, msg: &str) -> String {
    match kind % 7 {
        0 => msg.to_string(),
        1 => format!(
            "{{\"error\":\"invalid_grant\",\"error_description\":\"{}\"}}",
            msg.replace('"', "\\\"")
        ),
        2 => format!("\u{1b}[31mERROR:\u{1b}[0m {msg}"),
        3 => format!(
            "https://app.example.com/cb#error=access_denied&error_description={}",
            msg.bytes()
                .map(|b| if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                })
                .collect::<String>()
        ),
        4 => msg.replace('\'', "&#39;").replace(':', "&#58;"),
        5 => format!("2025-03-01T02:00:03.1234567Z ##[error]{msg}"),
        _ => format!(
            "{{'error': 'invalid_client', 'error_description': '{}'}}",
            msg.replace('\'', "\\'")
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_code_is_found_however_it_is_wrapped(
        code in 10_000u32..10_000_000,
        kind in 0u8..7,
        before in "[a-zA-Z ,.]{0,40}",
        after in "[a-zA-Z ,.]{0,40}",
    ) {
        let msg = format!("{before} AADSTS{code}: {after} Trace ID: 0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b");
        let text = wrap(kind, &msg);
        let x = extract(text.as_bytes());
        prop_assert!(x.errors.iter().any(|e| e.code == code), "{text:?} -> {:?}", x.errors);
        prop_assert!(x.errors.iter().all(|e| e.code == code), "invented a code: {:?}", x.errors);
    }

    #[test]
    fn text_without_aadsts_yields_nothing(s in "[a-zA-Z0-9 ,.:'\"{}\\[\\]\n-]{0,300}") {
        prop_assume!(!s.to_ascii_uppercase().contains("AADSTS"));
        prop_assume!(!s.contains("error_codes") && !s.to_lowercase().contains("code"));
        let x = extract(s.as_bytes());
        prop_assert!(x.errors.is_empty(), "{s:?} -> {:?}", x.errors);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4000)) {
        let _ = extract(&bytes);
    }
}
