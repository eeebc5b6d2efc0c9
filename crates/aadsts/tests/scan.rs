//! End-to-end tests of `aadsts scan` through the built binary.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;

fn aadsts() -> Command {
    let mut c = Command::cargo_bin("aadsts").unwrap();
    c.env_remove("AADSTS_KB").env_remove("NO_COLOR");
    c
}

/// A Log Analytics export: a spray from one address over six accounts, successes, an
/// interrupt, and one row whose ResultType is not a number.
fn log_analytics_csv() -> String {
    let mut o = String::from("TimeGenerated [UTC],ResultType,UserPrincipalName,AppDisplayName,IPAddress,ClientAppUsed,Status\n");
    for i in 0..6 {
        o.push_str(&format!("\"3/4/2025, 8:1{i}:00.000 AM\",50126,user{i}@contoso.com,Office 365 Exchange Online,203.0.113.50,Browser,\"{{\"\"errorCode\"\":50126}}\"\n"));
    }
    for i in 0..4 {
        o.push_str(&format!("\"3/4/2025, 9:0{i}:00.000 AM\",0,user{i}@contoso.com,Azure Portal,198.51.100.{i},Browser,\"{{\"\"errorCode\"\":0}}\"\n"));
    }
    o.push_str("\"3/4/2025, 9:30:00.000 AM\",50140,user1@contoso.com,Microsoft Teams,198.51.100.1,Browser,\"{\"\"errorCode\"\":50140}\"\n");
    o.push_str("\"3/4/2025, 9:31:00.000 AM\",fifty,user1@contoso.com,Microsoft Teams,198.51.100.1,Browser,\n");
    o
}

#[test]
fn json_summary_counts_rows_codes_and_signals() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("query_data.csv");
    fs::write(&p, log_analytics_csv()).unwrap();
    let html = dir.path().join("report.html");
    let out = aadsts()
        .args([
            "scan",
            p.to_str().unwrap(),
            "--json",
            "--html",
            html.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "aadsts.scan/1");
    assert_eq!(v["rows"]["read"], 12);
    assert_eq!(v["rows"]["used"], 11);
    assert_eq!(v["rows"]["skipped"], 1);
    assert_eq!(v["skipped"][0]["at"], "line 13");
    assert!(v["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("\"fifty\""));
    assert_eq!(v["totals"]["successes"], 4);
    let codes = v["codes"].as_array().unwrap();
    let spray = codes.iter().find(|c| c["code"] == 50126).unwrap();
    assert_eq!(spray["count"], 6);
    assert_eq!(spray["users"], 6);
    assert_eq!(spray["first_seen"], "2025-03-04T08:10:00Z");
    assert!(v["signals"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["kind"] == "password-spray"));
    let page = fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!doctype html>") && page.contains("<svg"));
    assert!(!page.contains("<script"), "the report is static");
}

#[test]
fn text_summary_and_redaction() {
    let out = aadsts()
        .args(["scan", "-", "--redact"])
        .write_stdin(log_analytics_csv())
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("Sign-ins: 11"), "{s}");
    assert!(s.contains("Signals of attack"), "{s}");
    assert!(
        !s.contains("@contoso.com") && !s.contains("203.0.113.50"),
        "{s}"
    );
}

#[test]
fn csv_rows_per_code() {
    let out = aadsts()
        .args(["scan", "-", "--csv"])
        .write_stdin(log_analytics_csv())
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let codes: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(codes, vec!["50126", "0", "50140"]);
}

#[test]
fn missing_input_and_bad_time_are_clear_errors() {
    let out = aadsts()
        .args(["scan", "/nonexistent/signins.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/signins.csv"));
    let out = aadsts()
        .args(["scan", "-", "--since", "last tuesday"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--since"));
}
