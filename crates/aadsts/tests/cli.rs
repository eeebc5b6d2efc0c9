//! End-to-end tests of the built `aadsts` binary.

use serde_json::Value;
use std::fs;
mod common;
use common::{aadsts, json, stdout};

#[test]
fn looks_up_by_number_prefix_and_name() {
    let a = stdout(&["50126"]);
    assert!(
        a.starts_with("AADSTS50126  InvalidUserNameOrPassword\n"),
        "{a}"
    );
    for section in [
        "What it means",
        "Common causes",
        "How to fix",
        "Diagnose",
        "Collect for support",
        "FAQ",
    ] {
        assert!(a.contains(section), "missing {section}");
    }
    assert_eq!(stdout(&["explain", "AADSTS50126"]), a);
    assert_eq!(stdout(&["explain", "InvalidUserNameOrPassword"]), a);
    assert_eq!(stdout(&["invalidusernameorpassword"]), a);
    assert_eq!(stdout(&["aadsts50126:"]), a);
}

#[test]
fn plain_output_when_not_a_terminal_colour_when_asked() {
    let plain = stdout(&["50126"]);
    assert!(!plain.contains('\u{1b}'), "no escape codes when piped");
    let coloured = stdout(&["50126", "--color", "always"]);
    assert!(coloured.contains("\u{1b}["));
}

#[test]
fn unknown_code_says_so_and_suggests() {
    let out = aadsts().arg("99999999").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("AADSTS99999999 is not a code this catalog knows"),
        "{err}"
    );
    assert!(
        err.contains("https://login.microsoftonline.com/error?code=99999999"),
        "{err}"
    );
    assert!(!err.contains("panicked"));

    // A typo of a real code gets a suggestion.
    let out = aadsts().arg("50162").output().unwrap();
    if out.status.code() == Some(1) {
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("Did you mean"), "{err}");
    }

    let out = aadsts()
        .args(["99999999", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "aadsts.error/1");
    assert_eq!(v["error"], "not_found");
    assert_eq!(v["code"], 99999999);
}

#[test]
fn unknown_name_suggests_near_names() {
    let out = aadsts().arg("InvalidUserNamOrPassword").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("not a known code or Microsoft error name"),
        "{err}"
    );
    assert!(err.contains("AADSTS50126"), "{err}");
}

#[test]
fn empty_input_is_a_usage_error() {
    let out = aadsts().args(["explain", ""]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("nothing to explain"), "{err}");
}

#[test]
fn explains_text_from_stdin() {
    let out = aadsts()
        .args(["explain", "-"])
        .write_stdin("2024-05-01T10:00:00Z ERROR MsalServiceException: AADSTS50105: The signed in user 'a@contoso.com' is not assigned to a role for the application. Trace ID: 0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b\nthen AADSTS50126: Error validating credentials due to invalid username or password.")
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("Found 2 distinct errors"), "{s}");
    assert!(s.contains("AADSTS50105  EntitlementGrantsNotFound"), "{s}");
    assert!(s.contains("Send to support"), "{s}");

    let out = aadsts()
        .args(["explain", "-"])
        .write_stdin("the printer is on fire")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("found no AADSTS error"));
}

#[test]
fn json_page_has_the_documented_shape() {
    let v = json(&["50126", "--format", "json"]);
    assert_eq!(v["schema"], "aadsts.page/1");
    assert_eq!(v["code"], 50126);
    assert_eq!(v["label"], "AADSTS50126");
    assert_eq!(v["name"], "InvalidUserNameOrPassword");
    assert_eq!(v["in_microsoft_table"], true);
    assert!(v["category"]["id"].is_string() && v["category"]["title"].is_string());
    for k in [
        "severity",
        "fixer",
        "retry",
        "signal",
        "title",
        "lookup_url",
        "origin",
    ] {
        assert!(v[k].is_string(), "{k}");
    }
    for k in ["meaning", "causes", "fix", "diagnose", "collect", "notes"] {
        assert!(v["sections"][k].is_array(), "{k}");
    }
    assert!(v["sections"]["causes"].as_array().unwrap().len() >= 3);
    assert!(v["sections"]["faq"][0]["question"].is_string());
    assert!(v["related"].is_array() && v["docs"].is_array());
}

#[test]
fn undocumented_code_is_marked() {
    let v = json(&["500121", "--format", "json"]);
    assert_eq!(v["in_microsoft_table"], false);
    assert!(v["name"].is_null());
    assert!(stdout(&["500121"]).contains("Not in Microsoft's published error table"));
}

#[test]
fn markdown_and_html_renderings() {
    let md = stdout(&["50126", "--format", "md"]);
    assert!(md.starts_with("# AADSTS50126: "), "{md}");
    assert!(md.contains("\n## How to fix\n\n1. "));
    let html = stdout(&["50126", "--format", "html"]);
    assert!(html.to_ascii_lowercase().starts_with("<!doctype html>"));
    assert!(html.contains("<h2>How to fix</h2><ol><li>"));
}

#[test]
fn list_filters() {
    let v = json(&["list", "--category", "mfa", "--format", "json"]);
    let codes = v["codes"].as_array().unwrap();
    assert!(!codes.is_empty());
    assert!(codes.iter().all(|c| c["category"]["id"] == "mfa"));
    assert_eq!(v["count"].as_u64().unwrap() as usize, codes.len());

    let v = json(&[
        "list",
        "--signal",
        "interrupt",
        "--fixer",
        "user",
        "--format",
        "json",
    ]);
    assert!(v["codes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["signal"] == "interrupt" && c["fixer"] == "user"));

    let out = aadsts()
        .args(["list", "--severity", "urgent"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = aadsts()
        .args(["list", "--category", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    let v = json(&["list", "--not-in-table", "--format", "json"]);
    assert!(v["codes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["in_microsoft_table"] == false));
    let table = stdout(&["list"]);
    assert!(table.starts_with("CODE "));
}

#[test]
fn categories_and_category() {
    let v = json(&["categories", "--format", "json"]);
    let cats = v["categories"].as_array().unwrap();
    assert!(cats.len() >= 15);
    let c = json(&["category", "password-change", "--format", "json"]);
    assert_eq!(c["id"], "password-change");
    assert!(c["codes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["code"] == 120008));
    assert!(stdout(&["category", "password-change"]).contains("AADSTS120008"));
}

fn top3(query: &str) -> Vec<u64> {
    let v = json(&["search", query, "--format", "json", "-n", "3"]);
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_u64().unwrap_or(0))
        .collect()
}

#[test]
fn search_puts_the_right_codes_first() {
    let t = top3("password writeback");
    assert!(
        t.iter().any(|c| (120000..=120021).contains(c)),
        "password writeback → {t:?}"
    );
    let t = top3("reply url mismatch");
    assert!(t.contains(&50011), "reply url mismatch → {t:?}");
    let t = top3("secret expired");
    assert!(t.contains(&7000222), "secret expired → {t:?}");
    let t = top3("user not assigned to app");
    assert!(t.contains(&50105), "user not assigned to app → {t:?}");
    // Synonyms and typos.
    let t = top3("2FA denied");
    assert!(
        t.contains(&500121) || t.contains(&50074) || t.contains(&50076),
        "2FA denied → {t:?}"
    );
    let t = top3("InvalidUserNameOrPasword");
    assert_eq!(t.first(), Some(&50126), "typo in a name → {t:?}");
    let t = top3("AADSTS50126");
    assert_eq!(t.first(), Some(&50126));
}

/// What people type, and the code they need. Every query must find its code in the top
/// ten, and the mean reciprocal rank over the table must stay at or above 0.7 (0.716 when
/// written; BM25 alone, before pages matching every word were favoured, scored 0.683). With
/// every code paged, many pages share words: this keeps the ranking honest as pages change.
#[test]
fn search_relevance_on_common_symptoms() {
    let table = [
        ("mfa denied", 500121),
        ("conditional access blocked", 53003),
        ("device not compliant", 53000),
        ("seamless sso kerberos", 81004),
        ("account locked", 50053),
        ("refresh token expired", 70008),
        ("throttled too many requests", 90055),
        ("app not found in directory", 700016),
        ("need admin consent", 90094),
        ("password expired", 50055),
        ("user does not exist in tenant", 50034),
        ("client secret expired", 7000222),
        ("secret expired", 7000222),
        ("reply url mismatch", 50011),
        ("user not assigned to app", 50105),
        ("guest account does not exist", 50020),
        ("pass-through authentication agent unavailable", 80001),
        ("redirect uri mismatch", 50011),
        ("wrong password", 50126),
        ("invalid client secret", 7000215),
    ];
    let mut sum = 0.0;
    for (query, want) in table {
        let v = json(&["search", query, "--format", "json", "-n", "10"]);
        let codes: Vec<u64> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_u64().unwrap_or(0))
            .collect();
        let rank = codes.iter().position(|c| *c == want);
        assert!(rank.is_some(), "{query} → {codes:?}, wanted {want}");
        sum += 1.0 / (rank.unwrap() + 1) as f64;
    }
    let mrr = sum / table.len() as f64;
    assert!(mrr >= 0.7, "mean reciprocal rank {mrr:.3}");
}

#[test]
fn search_with_no_match() {
    let out = aadsts().args(["search", "zzqqxx"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// Issue 18: words without a code fall back to the pages they name, under a line saying
/// that no code was found; exit 0. Text that matches no page well still exits 1.
#[test]
fn explain_without_a_code_falls_back_to_search() {
    let out = aadsts().args(["explain", "login failed"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.starts_with("No AADSTS code found in the text; the pages that best match its words:"),
        "{s}"
    );
    assert!(s.contains("AADSTS"), "{s}");

    let s = stdout(&["explain", "user has not consented to application"]);
    let first = s.lines().find(|l| l.starts_with("AADSTS")).unwrap();
    assert!(first.starts_with("AADSTS65001 "), "{s}");

    let v = json(&[
        "explain",
        "Error validating credentials due to invalid username or password",
        "--format",
        "json",
    ]);
    assert_eq!(v["schema"], "aadsts.search/1");
    assert_eq!(v["results"][0]["code"], 50126);

    // Nothing strong: the old answer, exit 1.
    let out = aadsts()
        .args(["explain", "the printer is on fire"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// An overlay's pages are searched too (their index is built at run time).
#[test]
fn search_covers_overlay_pages() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("50126.md"),
        "+++\ncode = 50126\n+++\n\n## Notes\nCall the Contoso zebrafish desk before resetting.\n",
    )
    .unwrap();
    let p = dir.path().to_str().unwrap();
    let v = json(&["--kb", p, "search", "zebrafish desk", "--format", "json"]);
    assert_eq!(v["results"][0]["code"], 50126, "{v}");
    let out = aadsts().args(["search", "zebrafish"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the built-in pages do not say it"
    );
}

#[test]
fn overlay_adds_notes_and_rejects_bad_pages() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("50126.md"),
        "+++\ncode = 50126\n+++\n\n## Notes\nCall the Contoso service desk on extension 4321 before resetting.\n",
    )
    .unwrap();
    let p = dir.path().to_str().unwrap();
    let out = stdout(&["--kb", p, "50126"]);
    assert!(out.contains("Your organisation's notes"));
    assert!(out.contains("extension 4321"));
    assert!(out.contains("From overlay:"));

    let bad = tempfile::tempdir().unwrap();
    fs::write(
        bad.path().join("50126.md"),
        "+++\ncode = 50126\nseverity = \"urgent\"\n+++\n",
    )
    .unwrap();
    let out = aadsts()
        .args(["--kb", bad.path().to_str().unwrap(), "50126"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("50126.md:3:"), "{err}");
    assert!(err.contains("urgent"), "{err}");

    let unclosed = tempfile::tempdir().unwrap();
    fs::write(
        unclosed.path().join("9000001.md"),
        "+++\ncode = 9000001\ntitle = \"x\"\n",
    )
    .unwrap();
    let out = aadsts()
        .args(["--kb", unclosed.path().to_str().unwrap(), "lint"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("never closes"));
}

#[test]
fn lint_source_of_the_shipped_kb() {
    let kb = concat!(env!("CARGO_MANIFEST_DIR"), "/../../kb");
    let out = stdout(&["lint", "--source", kb]);
    assert!(out.contains("no problems"), "{out}");
}

#[test]
fn completions_and_man_page() {
    assert!(stdout(&["completions", "bash"]).contains("aadsts"));
    let main_page = stdout(&["man"]);
    assert!(main_page.contains(".TH aadsts"));
    // Every page the main page lists under SUBCOMMANDS exists.
    for line in main_page
        .lines()
        .filter(|l| l.starts_with("aadsts\\-") && l.ends_with("(1)"))
    {
        let name = line.trim_start_matches("aadsts\\-").trim_end_matches("(1)");
        let page = stdout(&["man", name]);
        assert!(
            page.contains(&format!(".TH aadsts-{name} 1")),
            "{name}: {page}"
        );
    }
    let out = aadsts().args(["man", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn no_arguments_prints_usage() {
    let out = aadsts().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("aadsts 50126"));
}
