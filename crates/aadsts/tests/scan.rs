//! End-to-end tests of `aadsts scan` through the built binary.

use serde_json::Value;
use std::fs;
mod common;
use common::aadsts;

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
    assert!(page.to_ascii_lowercase().starts_with("<!doctype html>") && page.contains("<svg"));
    assert!(!page.contains("<script"), "the report is static");
    // The top values of a code read as a table, not as one long line.
    assert!(page.contains("Top values per code"), "top tables");
    assert!(page.contains("<table class=\"top-values\">"), "top tables");
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

/// Issue 22: `--redact` leaked users through skip reasons (a row whose code or time column
/// held a user name echoed it) and through Conditional Access policy names that name a
/// user. Redacted, a skip reason keeps its reason and drops the value; a policy name stays
/// unless a user name or IP address of the scan is one of its words.
#[test]
fn redaction_covers_skip_reasons_and_policy_names_that_name_users() {
    let policies = |name: &str| {
        format!("\"[{{\"\"displayName\"\":\"\"{name}\"\",\"\"result\"\":\"\"failure\"\"}}]\"")
    };
    let mut csv = String::from(
        "TimeGenerated [UTC],ResultType,UserPrincipalName,AppDisplayName,IPAddress,ConditionalAccessPolicies\n",
    );
    for i in 0..3 {
        csv.push_str(&format!(
            "\"3/4/2025, 8:1{i}:00.000 AM\",53003,alice@contoso.com,Azure Portal,203.0.113.7,{}\n",
            policies("Block alice@contoso.com (temporary)")
        ));
    }
    csv.push_str(&format!(
        "\"3/4/2025, 8:20:00.000 AM\",53003,bob@contoso.com,Teams,198.51.100.9,{}\n",
        policies("Require compliant device")
    ));
    // Shifted columns: the user lands in the code column, the IP in the time column.
    csv.push_str("\"3/4/2025, 8:30:00.000 AM\",carol@contoso.com,x,y,z,\n");
    csv.push_str("203.0.113.99,50126,dave@contoso.com,App,1.2.3.4,\n");
    for redact in [false, true] {
        let mut args = vec!["scan", "-", "--json"];
        if redact {
            args.push("--redact");
        }
        let out = aadsts()
            .args(&args)
            .write_stdin(csv.clone())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["rows"]["skipped"], 2);
        let reasons: Vec<&str> = v["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["reason"].as_str().unwrap())
            .collect();
        let code = v["codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == 53003)
            .unwrap();
        let names: Vec<&str> = code["top"]["failed_ca_policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["value"].as_str().unwrap())
            .collect();
        if redact {
            for leaked in ["carol@", "203.0.113.99", "alice@", "bob@", "dave@"] {
                assert!(!text.contains(leaked), "{leaked} in {text}");
            }
            assert_eq!(
                reasons,
                [
                    "error code \"…\" is not a number",
                    "time \"…\" is not a date this tool reads"
                ]
            );
            assert!(names.contains(&"Require compliant device"), "{names:?}");
            assert!(names.contains(&"policy-1"), "{names:?}");
        } else {
            assert!(reasons[0].contains("carol@contoso.com"), "{reasons:?}");
            assert!(names.contains(&"Block alice@contoso.com (temporary)"));
        }
    }
}

/// Issue 22: every distinct user, app and IP of a code was kept (about 1.3 KB each: 3 M
/// distinct keys took 3.8 GB). A top list tracks at most 100,000 values by name; beyond
/// that the summary says the lists were truncated, and distinct counts stay exact.
#[test]
fn top_lists_stop_at_their_cap_and_say_so() {
    let n = 100_500;
    let mut csv = String::from("Date (UTC),Username,Sign-in error code\n");
    for i in 0..n {
        csv.push_str(&format!("2025-03-04T08:00:00Z,u{i}@contoso.com,50126\n"));
    }
    let out = aadsts()
        .args(["scan", "-", "--json"])
        .write_stdin(csv.clone())
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["top_lists_truncated"], true);
    assert_eq!(v["codes"][0]["users"], n);
    assert_eq!(v["codes"][0]["top_truncated"], true);
    let out = aadsts()
        .args(["scan", "-"])
        .write_stdin(csv)
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("Top lists truncated"), "{s}");
    // Below the cap nothing is said.
    let out = aadsts()
        .args(["scan", "-", "--json"])
        .write_stdin(log_analytics_csv())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["top_lists_truncated"], false);
    assert!(v["codes"][0].get("top_truncated").is_none());
}
