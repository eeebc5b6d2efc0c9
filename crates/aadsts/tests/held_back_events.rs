//! Issue 21's check on a held-back set of event exports (crates/aadsts-events/tests/held-back,
//! written by hand in the shapes Windows and PowerShell write, not by the crate's fixture
//! generator): the exact count per (provider, event ID) of each file, the page each event
//! maps to, who the events are about, the records deliberately broken, and the failed
//! sign-ins they explain. Every expected value was read off the files, not off the tool.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

const SEC: &str = "Microsoft-Windows-Security-Auditing";
const PTA: &str = "Microsoft-AzureADConnect-AuthenticationAgent";
const AAD: &str = "Microsoft-Windows-AAD";
const DS: &str = "Directory Synchronization";

fn held_back(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../aadsts-events/tests/held-back")
        .join(name)
        .display()
        .to_string()
}

fn scan(files: &[&str]) -> Value {
    let mut c = Command::cargo_bin("aadsts").unwrap();
    c.env_remove("AADSTS_KB").env_remove("NO_COLOR");
    c.args(["scan", "--json"]);
    for f in files {
        c.arg(held_back(f));
    }
    let out = c.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out)))
}

fn counts(v: &Value) -> BTreeMap<(String, u64), u64> {
    v["events"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (
                    r["provider"].as_str().unwrap().to_string(),
                    r["event_id"].as_u64().unwrap(),
                ),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn expect(rows: &[(&str, u64, u64)]) -> BTreeMap<(String, u64), u64> {
    rows.iter()
        .map(|(p, id, n)| ((p.to_string(), *id), *n))
        .collect()
}

fn row<'a>(v: &'a Value, provider: &str, id: u64) -> &'a Value {
    v["events"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["provider"] == provider && r["event_id"] == id)
        .unwrap_or_else(|| panic!("no row for {provider}/{id}"))
}

/// A top list as (value, count) pairs.
fn top(r: &Value, list: &str) -> Vec<(String, u64)> {
    r["top"][list]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["value"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(s, n)| (s.to_string(), *n)).collect()
}

#[test]
fn each_held_back_file_gives_exact_counts_formats_and_skips() {
    // (file, format, records read, events, skipped at, counts per event)
    type Case = (
        &'static str,
        &'static str,
        u64,
        Option<&'static str>,
        &'static [(&'static str, u64, u64)],
    );
    let cases: &[Case] = &[
        (
            "forwarded-events-de.xml",
            "event-xml",
            5,
            None,
            &[(SEC, 4625, 3), (SEC, 4634, 1), (SEC, 4771, 1)],
        ),
        (
            "sync01-application.csv",
            "event-viewer-csv",
            5,
            Some("line 5"),
            &[
                ("PasswordResetService", 33004, 2),
                ("PasswordResetService", 33008, 1),
                ("Windows Error Reporting", 1001, 1),
            ],
        ),
        (
            "pta01-admin.txt",
            "event-viewer-text",
            3,
            None,
            &[(PTA, 80, 2), (PTA, 12019, 1)],
        ),
        (
            "dc02-security-ps51.json",
            "get-winevent-json",
            3,
            Some("record 2"),
            &[(SEC, 4771, 2)],
        ),
        (
            "dc03-security-ps51-depth2.json",
            "get-winevent-json",
            2,
            None,
            &[(SEC, 4625, 2)],
        ),
        (
            "adfs01-ps7.json",
            "get-winevent-json",
            3,
            None,
            &[("AD FS", 364, 2), ("AD FS Auditing", 1203, 1)],
        ),
        (
            "dc01-security-export.csv",
            "get-winevent-csv",
            3,
            None,
            &[(SEC, 4625, 2), (SEC, 4740, 1)],
        ),
        (
            "wks-117-aad.xml.gz",
            "event-xml",
            3,
            None,
            &[(AAD, 1098, 2), (AAD, 1097, 1)],
        ),
        (
            "sync01-application-ps7.csv",
            "get-winevent-csv",
            4,
            None,
            &[("ADSync", 6329, 1), (DS, 656, 2), (DS, 611, 1)],
        ),
    ];
    for (file, format, read, skipped_at, want) in cases {
        let v = scan(&[file]);
        let e = &v["events"];
        let input = &e["inputs"][0];
        assert_eq!(input["format"], *format, "{file}");
        assert_eq!(input["records_read"], *read, "{file}");
        let skipped = u64::from(skipped_at.is_some());
        assert_eq!(input["records_skipped"], skipped, "{file}");
        assert_eq!(input["events_used"], *read - skipped, "{file}");
        match skipped_at {
            Some(at) => {
                assert_eq!(e["skipped"].as_array().unwrap().len(), 1, "{file}");
                assert_eq!(e["skipped"][0]["at"], *at, "{file}");
            }
            None => assert_eq!(e["skipped"].as_array().unwrap().len(), 0, "{file}"),
        }
        assert_eq!(counts(&v), expect(want), "{file}");
        // Event Viewer's CSV and text, and Export-Csv, write local time without a zone.
        let local = matches!(
            *format,
            "event-viewer-csv" | "event-viewer-text" | "get-winevent-csv"
        );
        assert_eq!(
            input["note"]
                .as_str()
                .is_some_and(|n| n.contains("local time")),
            local,
            "{file}: {input}"
        );
    }
}

const ALL: &[&str] = &[
    "forwarded-events-de.xml",
    "sync01-application.csv",
    "pta01-admin.txt",
    "dc02-security-ps51.json",
    "dc03-security-ps51-depth2.json",
    "adfs01-ps7.json",
    "dc01-security-export.csv",
    "wks-117-aad.xml.gz",
    "sync01-application-ps7.csv",
    "signins.csv",
];

#[test]
fn the_held_back_set_is_explained_by_the_right_pages() {
    let v = scan(ALL);
    assert_eq!(v["totals"]["sign_ins"], 8);
    let e = &v["events"];
    assert_eq!(e["totals"]["events"], 29);
    assert_eq!(e["records"]["read"], 31);
    assert_eq!(e["records"]["skipped"], 2);
    assert_eq!(
        counts(&v),
        expect(&[
            (SEC, 4625, 7),
            (SEC, 4771, 3),
            (SEC, 4740, 1),
            (SEC, 4634, 1),
            ("AD FS", 364, 2),
            ("AD FS Auditing", 1203, 1),
            (AAD, 1098, 2),
            (AAD, 1097, 1),
            ("PasswordResetService", 33004, 2),
            ("PasswordResetService", 33008, 1),
            ("ADSync", 6329, 1),
            (DS, 611, 1),
            (DS, 656, 2),
            (PTA, 80, 2),
            (PTA, 12019, 1),
            ("Windows Error Reporting", 1001, 1),
        ])
    );
    for (provider, id, page) in [
        (SEC, 4625, Some("security-4625")),
        (SEC, 4771, Some("security-4771")),
        (SEC, 4740, Some("security-4740")),
        (SEC, 4634, None),
        ("AD FS", 364, Some("adfs-364")),
        ("AD FS Auditing", 1203, Some("adfs-1203")),
        (AAD, 1098, Some("aad-1098")),
        (AAD, 1097, None),
        ("PasswordResetService", 33004, Some("writeback-33004")),
        ("PasswordResetService", 33008, Some("writeback-33008")),
        ("ADSync", 6329, Some("adsync-6329")),
        (DS, 611, Some("adsync-611")),
        (DS, 656, None),
        (PTA, 80, None),
        (PTA, 12019, None),
        ("Windows Error Reporting", 1001, None),
    ] {
        let r = row(&v, provider, id);
        assert_eq!(r["page"].as_str(), page, "{provider}/{id}");
        // A page's explanation comes with it; no page, no explanation.
        assert_eq!(
            r["explanation"].is_string(),
            page.is_some(),
            "{provider}/{id}"
        );
        assert_eq!(
            e["no_page"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n == &format!("{provider}/{id}")),
            page.is_none(),
            "{provider}/{id}"
        );
    }
    // 4634, 1097, 656 ×2, 80 ×2, 12019, 1001.
    assert_eq!(e["totals"]["without_page"], 8);
    assert_eq!(e["totals"]["with_page"], 21);

    // Levels: the German RenderingInfo's "Informationen" gives way to the audit keywords;
    // Export-Csv's 4740 is an audit success by its numeric Keywords.
    for (provider, id, level) in [
        (SEC, 4625, "audit-failure"),
        (SEC, 4634, "audit-success"),
        (SEC, 4740, "audit-success"),
        (SEC, 4771, "audit-failure"),
        ("AD FS Auditing", 1203, "audit-failure"),
        ("AD FS", 364, "error"),
        (AAD, 1098, "error"),
        (AAD, 1097, "warning"),
        (PTA, 80, "warning"),
        (DS, 656, "information"),
    ] {
        assert_eq!(row(&v, provider, id)["level"], level, "{provider}/{id}");
    }

    // Who and where.
    // Named EventData (XML), the message's lines (Export-Csv, and ConvertTo-Json at its
    // default depth, whose Properties are type names only).
    let r = row(&v, SEC, 4625);
    assert_eq!(
        top(r, "users"),
        pairs(&[("tailspin\\lee", 3), ("ravi", 2), ("sara", 2)])
    );
    assert_eq!(
        top(r, "machines"),
        pairs(&[("WKS-117", 3), ("10.20.0.77", 2), ("10.20.0.90", 2)])
    );
    assert_eq!(
        top(r, "computers"),
        pairs(&[
            ("FS01.tailspin.example", 3),
            ("DC01.tailspin.example", 2),
            ("DC03.tailspin.example", 2)
        ])
    );
    let r = row(&v, SEC, 4771);
    assert_eq!(top(r, "users"), pairs(&[("omar", 2), ("kim", 1)]));
    assert_eq!(
        top(r, "machines"),
        pairs(&[("10.20.0.31", 2), ("10.20.0.117", 1)])
    );
    assert_eq!(r["first_seen"], "2025-03-11T09:00:10.214Z");
    let r = row(&v, SEC, 4740);
    assert_eq!(top(r, "users"), pairs(&[("kim", 1)]));
    assert_eq!(top(r, "machines"), pairs(&[("WKS-117", 1)]));
    let r = row(&v, "AD FS", 364);
    assert_eq!(top(r, "users"), pairs(&[("kim@tailspin.example", 2)]));
    // 10:12:05.8312007+01:00.
    assert_eq!(r["first_seen"], "2025-03-11T09:12:05.8312007Z");
    assert_eq!(r["last_seen"], "2025-03-11T09:12:09.1034512Z");
    let r = row(&v, AAD, 1098);
    assert_eq!(top(r, "users"), pairs(&[("noah@tailspin.example", 2)]));
    let carried: Vec<(u64, u64)> = r["carried_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["code"].as_u64().unwrap(), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(carried, vec![(50076, 1), (50126, 1)]);
    let r = row(&v, "PasswordResetService", 33004);
    assert_eq!(top(r, "users"), pairs(&[("mia@tailspin.example", 2)]));
    assert_eq!(r["first_seen"], "2025-03-11T09:35:02Z");
    assert_eq!(r["last_seen"], "2025-03-11T09:50:00Z");
    let r = row(&v, "ADSync", 6329);
    assert_eq!(top(r, "users"), pairs(&[("pat@tailspin.example", 1)]));
    let r = row(&v, PTA, 80);
    assert_eq!(top(r, "users"), pairs(&[("quinn@tailspin.example", 2)]));
    assert_eq!(r["first_seen"], "2025-03-11T09:25:14Z");
    assert_eq!(top(row(&v, DS, 611), "users"), pairs(&[]));
}

/// Sign-in time, user, code; event provider, ID, time; how matched; seconds apart.
type PairRow = (String, String, u64, String, u64, String, String, i64);

#[test]
fn the_held_back_sign_ins_join_by_upn_domain_name_and_sam_account_name() {
    let v = scan(ALL);
    let j = &v["events"]["join"];
    assert_eq!(j["window_seconds"], 600);
    // Failures whose code a page or an event names: all but the success (7 of 8).
    assert_eq!(j["sign_ins_considered"], 7);
    assert_eq!(j["matches"], 8);
    assert_eq!(j["sign_ins_explained"], 5);
    let got: Vec<PairRow> = j["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["sign_in"]["time"].as_str().unwrap().to_string(),
                p["sign_in"]["user"].as_str().unwrap().to_string(),
                p["sign_in"]["code"].as_u64().unwrap(),
                p["event"]["provider"].as_str().unwrap().to_string(),
                p["event"]["event_id"].as_u64().unwrap(),
                p["event"]["time"].as_str().unwrap().to_string(),
                p["matched_by"].as_str().unwrap().to_string(),
                p["seconds_apart"].as_i64().unwrap(),
            )
        })
        .collect();
    let want: Vec<PairRow> = [
        (
            "2025-03-11T09:00:30Z",
            "omar@tailspin.example",
            50126,
            SEC,
            4771,
            "2025-03-11T09:00:10.214Z",
            "sam-account-name",
            -20,
        ),
        (
            "2025-03-11T09:00:30Z",
            "omar@tailspin.example",
            50126,
            SEC,
            4771,
            "2025-03-11T09:00:12.602Z",
            "sam-account-name",
            -18,
        ),
        (
            "2025-03-11T09:12:40Z",
            "kim@tailspin.example",
            50053,
            SEC,
            4740,
            "2025-03-11T09:12:10Z",
            "sam-account-name",
            -30,
        ),
        (
            "2025-03-11T09:20:30Z",
            "lee@tailspin.example",
            50126,
            SEC,
            4625,
            "2025-03-11T09:20:01.447113Z",
            "domain-name",
            -29,
        ),
        (
            "2025-03-11T09:20:30Z",
            "lee@tailspin.example",
            50126,
            SEC,
            4625,
            "2025-03-11T09:20:03.0093318Z",
            "domain-name",
            -27,
        ),
        (
            "2025-03-11T09:20:30Z",
            "lee@tailspin.example",
            50126,
            SEC,
            4625,
            "2025-03-11T09:20:05.7712004Z",
            "domain-name",
            -25,
        ),
        (
            "2025-03-11T09:35:20Z",
            "mia@tailspin.example",
            120015,
            "PasswordResetService",
            33004,
            "2025-03-11T09:35:02Z",
            "upn",
            -18,
        ),
        (
            "2025-03-11T09:41:00Z",
            "noah@tailspin.example",
            50126,
            AAD,
            1098,
            "2025-03-11T09:40:58.3307713Z",
            "upn",
            -2,
        ),
    ]
    .iter()
    .map(|(t, u, c, p, id, et, by, s)| {
        (
            t.to_string(),
            u.to_string(),
            *c,
            p.to_string(),
            *id,
            et.to_string(),
            by.to_string(),
            *s,
        )
    })
    .collect();
    assert_eq!(got, want);
    // Kim's second lockout sign-in (11:30, two hours after the 4740) and Quinn's failure
    // (only PTA events, which have no page) are explained by nothing.
    for p in j["pairs"].as_array().unwrap() {
        assert_ne!(p["sign_in"]["time"], "2025-03-11T11:30:00Z");
        assert_ne!(p["sign_in"]["user"], "quinn@tailspin.example");
    }
}
