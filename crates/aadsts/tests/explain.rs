//! End-to-end tests of `aadsts explain` on pasted error text (fixtures shared with the
//! extraction crate), through the built binary.

use serde_json::Value;
use std::fs;
mod common;
use common::aadsts;

fn fixture(name: &str) -> String {
    let p = format!(
        "{}/../aadsts-extract/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn explain_json(input: &str, extra: &[&str]) -> Value {
    let out = aadsts()
        .args(extra)
        .args(["explain", "--format", "json", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn json_report_of_an_oauth_error_response() {
    let v = explain_json(&fixture("oauth-json-invalid-client.json"), &[]);
    assert_eq!(v["schema"], "aadsts.explain/1");
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{v:#}");
    let e = &errors[0];
    assert_eq!(e["code"], 7000222);
    assert_eq!(e["oauth_error"], "invalid_client");
    assert_eq!(e["trace_id"], "0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b");
    assert_eq!(e["correlation_id"], "9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b5a");
    assert_eq!(e["timestamp"], "2025-03-14T08:26:53Z");
    assert_eq!(
        e["values"]["app_id"],
        "4f1c2a7e-8b3d-4e5f-9a0b-1c2d3e4f5a6b"
    );
    assert_eq!(
        e["lookup_url"],
        "https://login.microsoftonline.com/error?code=7000222"
    );
    assert!(e["tailored_steps"].is_array());
    assert!(v["input_bytes"].as_u64().unwrap() > 100);
}

#[test]
fn several_errors_in_a_ci_log_each_with_its_own_ids() {
    let out = aadsts()
        .args(["explain", "-"])
        .write_stdin(fixture("ci-log-mixed.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("Found 2 distinct errors"), "{s}");
    let first = s.find("1. AADSTS700213").expect("700213 listed first");
    let second = s.find("2. AADSTS7000222").expect("7000222 listed second");
    assert!(first < second);
    assert!(
        s.contains("(×2)"),
        "the repeated secret error is counted: {s}"
    );
    assert!(s.contains("other correlation IDs: 1a1b2c3d-4e5f-4061-8728-394a5b6c7d8e"));
    // Support block: each error with its own correlation id.
    let support = &s[s.find("Send to support").unwrap()..];
    assert!(support.contains("6f5e4d3c-2b1a-4098-8776-655443322110"));
    assert!(support.contains("0a1b2c3d-4e5f-4061-8728-394a5b6c7d8e"));
}

fn overlay_with_tailoring() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("50105.md"),
        "+++\ncode = 50105\n[[tailor]]\ntext = \"Assign `{user}` to **{app_name}** under **Entra ID → Enterprise apps → {app_name} → Users and groups**.\"\n[[tailor]]\ntext = \"Check the group `{policy}` that should grant access.\"\n+++\n",
    )
    .unwrap();
    dir
}

#[test]
fn steps_are_tailored_only_when_every_value_is_found() {
    let ov = overlay_with_tailoring();
    let v = explain_json(
        &fixture("browser-page.txt"),
        &["--kb", ov.path().to_str().unwrap()],
    );
    let e = &v["errors"][0];
    assert_eq!(e["code"], 50105);
    let steps = e["tailored_steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "the policy step has no value: {steps:?}");
    assert_eq!(
        steps[0],
        "Assign `megan.bowen@contoso.com` to **Contoso Expenses** under **Entra ID → Enterprise apps → Contoso Expenses → Users and groups**."
    );
    assert_eq!(e["values"]["ip_address"], "198.51.100.23");
    assert_eq!(e["correlation_id"], "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e");

    let out = aadsts()
        .args(["--kb", ov.path().to_str().unwrap(), "explain", "-"])
        .write_stdin(fixture("browser-page.txt"))
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    let tailored = s.find("For this error").expect("tailored section");
    let page = s.find("## ").or_else(|| s.find("How to fix")).unwrap();
    assert!(tailored < page, "tailored steps come before the page");
    assert!(
        s.contains("1. Assign `megan.bowen@contoso.com`")
            || s.contains("1. Assign megan.bowen@contoso.com"),
        "{s}"
    );
}

#[test]
fn localized_and_wrapped_inputs_find_the_same_ids() {
    let v = explain_json(&fixture("powershell-wrapped.txt"), &[]);
    let e = &v["errors"][0];
    assert_eq!(e["code"], 700027);
    assert_eq!(e["correlation_id"], "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d");
    assert!(v["decoded"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d == "console-wrap"));
    let v = explain_json(&fixture("localized-german.txt"), &[]);
    assert!(!v["errors"].as_array().unwrap().is_empty());
}

#[test]
fn no_error_in_the_text_says_what_was_looked_for() {
    let out = aadsts()
        .args(["explain", "--format", "json", "-"])
        // Without its event ID: "Event ID 4625" finds the event page (search_events.rs).
        .write_stdin(fixture("no-code.txt").replace("Event ID 4625 ", ""))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"], "no_code_found");
    let msg = String::from_utf8(out.stderr).unwrap();
    assert!(
        msg.contains("error_codes") && msg.contains("ResultType"),
        "{msg}"
    );
}

#[test]
fn a_single_code_still_shows_its_page() {
    let out = aadsts().args(["explain", "AADSTS50105"]).output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.starts_with("AADSTS50105  EntitlementGrantsNotFound"),
        "{s}"
    );
}

#[test]
fn megabytes_of_log_with_a_few_errors() {
    let mut big = String::new();
    for i in 0..60_000 {
        big.push_str(&format!(
            "2025-03-01T02:{:02}:{:02}Z INFO request {i} served in 12 ms\n",
            (i / 60) % 60,
            i % 60
        ));
        if i % 20_000 == 7 {
            big.push_str(&fixture("msal-python-dict.txt"));
        }
    }
    assert!(big.len() > 3_000_000);
    let v = explain_json(&big, &[]);
    let e = &v["errors"][0];
    assert_eq!(e["code"], 7000215);
    assert_eq!(e["count"], 3);
}

#[test]
fn shipped_pages_tailor_their_steps() {
    let v = explain_json(&fixture("oauth-json-invalid-client.json"), &[]);
    let steps: Vec<&str> = v["errors"][0]["tailored_steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(steps.len() >= 2, "{steps:?}");
    assert!(
        steps.iter().all(|s| !s.contains('{') || s.contains("@{")),
        "every placeholder filled: {steps:?}"
    );
    assert!(steps
        .iter()
        .any(|s| s.contains("4f1c2a7e-8b3d-4e5f-9a0b-1c2d3e4f5a6b")));

    let v = explain_json(&fixture("oauth-json-redirect-escaped.json"), &[]);
    let steps = v["errors"][0]["tailored_steps"].as_array().unwrap();
    assert!(
        steps.iter().any(|s| s
            .as_str()
            .unwrap()
            .contains("https://localhost:5001/signin-oidc")
            && s.as_str()
                .unwrap()
                .contains("2d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60")),
        "the 50011 page names the URI to register on the app: {steps:?}"
    );
}

/// Issue 17: a GitHub issue that quotes the error and then talks about its code.
#[test]
fn a_code_quoted_again_in_prose_is_one_error_with_mentions() {
    let v = explain_json(&fixture("held-github-issue-mentions.md"), &[]);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "no phantom second 50076: {v:#}");
    let e = &errors[0];
    assert_eq!(e["code"], 50076);
    assert_eq!(e["mentions"], 3);
    assert_eq!(e["flow"], "on-behalf-of");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .ends_with("to access '00000003-0000-0000-c000-000000000000'."));
}

/// Issue 17: placeholders are the likely cause, in every format.
#[test]
fn a_placeholder_is_named_as_the_likely_cause() {
    let v = explain_json(&fixture("held-msal-python-tenant-null.txt"), &[]);
    let e = &v["errors"][0];
    assert_eq!(e["suspect_values"][0]["name"], "tenant");
    assert_eq!(e["suspect_values"][0]["kind"], "placeholder");
    assert!(e["values"].get("tenant").is_none());
    let text = e["tailored_steps_text"][0].as_str().unwrap();
    assert!(
        text.starts_with("The request carried a placeholder, not a real value: Tenant null"),
        "{text}"
    );
}

/// Issue 17: the found-values table is an HTML table, not Markdown shown as text.
#[test]
fn html_report_renders_the_found_table() {
    let out = aadsts()
        .args(["explain", "--format", "html", "-"])
        .write_stdin(fixture("held-localhost.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(
        html.contains("<table>") && html.contains("<th>Found</th>"),
        "{html}"
    );
    assert!(!html.contains("| Found | Value |"), "{html}");
}
