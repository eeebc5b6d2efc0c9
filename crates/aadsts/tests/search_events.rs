//! Issue 21 follow-up: `aadsts search` and the explain fallback find event pages
//! (kb/events) with the code pages, and name each result's kind. Runs the built binary.

use serde_json::Value;
mod common;
use common::{aadsts, json, stdout};

/// The label of each result: `AADSTS50053` for a code page, the page id for an event page.
fn labels(v: &Value) -> Vec<String> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| match r["kind"].as_str() {
            Some("code") => r["label"].as_str().unwrap().to_string(),
            Some("event") => r["id"].as_str().unwrap().to_string(),
            k => panic!("unknown kind {k:?} in {r}"),
        })
        .collect()
}

#[test]
fn word_searches_find_event_pages() {
    for (q, want) in [
        ("account locked out caller computer", "security-4740"),
        ("AD FS event 364", "adfs-364"),
        ("4740", "security-4740"),
        ("event 4740", "security-4740"),
        ("PasswordResetService 33004", "writeback-33004"),
    ] {
        let v = json(&["search", q, "--format", "json", "-n", "5"]);
        assert_eq!(v["schema"], "aadsts.search/1");
        assert_eq!(
            labels(&v).first().map(String::as_str),
            Some(want),
            "{q}: {v}"
        );
    }
    // The brief's own example: the event page is among the first results, next to the
    // code page of the same failure.
    let v = json(&[
        "search",
        "MSOL account cannot reset password",
        "--format",
        "json",
        "-n",
        "3",
    ]);
    assert!(labels(&v).contains(&"writeback-33004".to_string()), "{v}");
}

#[test]
fn event_results_carry_their_summary() {
    let v = json(&["search", "event 4740", "--format", "json", "-n", "1"]);
    let r = &v["results"][0];
    assert_eq!(r["kind"], "event");
    assert_eq!(r["source"], "security");
    assert_eq!(r["event"], 4740);
    assert!(r["codes"].as_array().unwrap().contains(&Value::from(50053)));
    assert!(r["score"].as_f64().unwrap() > 0.0);
    assert!(r.get("code").is_none(), "an event result has no code: {r}");
    // Code results keep their fields, with a kind.
    let v = json(&["search", "secret expired", "--format", "json", "-n", "1"]);
    assert_eq!(v["results"][0]["kind"], "code");
    assert_eq!(v["results"][0]["code"], 7000222);
}

#[test]
fn text_tables_name_the_kind() {
    let s = stdout(&["search", "account locked out caller computer", "-n", "5"]);
    let mut lines = s.lines();
    assert!(lines.next().unwrap().starts_with("PAGE "), "{s}");
    assert!(lines.next().unwrap().starts_with("security-4740 "), "{s}");
    assert!(s.lines().any(|l| l.starts_with("AADSTS")), "{s}");
    assert!(s.trim_end().ends_with("event page(s)"), "{s}");
    let md = stdout(&["search", "AD FS event 364", "--format", "md", "-n", "2"]);
    assert!(md.contains("| adfs-364 |"), "{md}");
    let html = stdout(&["search", "AD FS event 364", "--format", "html", "-n", "2"]);
    assert!(html.contains("events/adfs-364"), "{html}");
}

/// Words without a code that describe a server event: the explain fallback lists the
/// event page first.
#[test]
fn explain_falls_back_to_event_pages() {
    let s = stdout(&["explain", "account locked out caller computer"]);
    assert!(
        s.starts_with("No AADSTS code found in the text; the pages that best match its words:"),
        "{s}"
    );
    let first = s
        .lines()
        .find(|l| l.starts_with("security-") || l.starts_with("AADSTS"));
    assert!(first.unwrap().starts_with("security-4740 "), "{s}");
    let v = json(&["explain", "writeback service stopped", "--format", "json"]);
    assert_eq!(v["schema"], "aadsts.search/1");
    assert_eq!(v["results"][0]["id"], "writeback-31016", "{v}");
}

/// A log line without an AADSTS code that names a Windows event by its ID: the explain
/// fallback points to that event's page.
#[test]
fn explain_finds_an_event_id_in_pasted_text() {
    let text = "2025-03-01T02:00:02Z WARN retrying request (status 429)\n\
                Error code: 0x80070005 Access is denied. Event ID 4625 status 0xC000006A";
    let out = aadsts()
        .args(["explain", "--format", "json", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "aadsts.search/1");
    assert_eq!(v["results"][0]["id"], "security-4625", "{v}");
}
