//! `aadsts explain` of a pasted Windows event: the event's values, its page, and the AADSTS
//! codes it carries, explained as error text would be. Fixtures in tests/fixtures/pasted-events
//! are written by us in the shapes Event Viewer produces (XML view, text view).

use assert_cmd::Command;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pasted-events")
        .join(name)
}

fn explain(args: &[&str], stdin: Option<Vec<u8>>) -> (i32, String) {
    let mut cmd = Command::cargo_bin("aadsts").unwrap();
    cmd.env_remove("AADSTS_KB").arg("explain").args(args);
    if let Some(s) = stdin {
        cmd.write_stdin(s);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn a_pasted_xml_event_shows_its_values_and_page() {
    let path = fixture("writeback-33004.xml");
    let (code, out) = explain(&[path.to_str().unwrap()], None);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("Pasted event 1: PasswordResetService event 33004 (error)"),
        "{out}"
    );
    assert!(out.contains("on SYNC01.corp.example.com"), "{out}");
    assert!(out.contains("user alice@corp.example.com"), "{out}");
    assert!(out.contains("Explained by page writeback-33004"), "{out}");
    assert!(out.contains("How to fix"), "the page follows: {out}");
}

#[test]
fn a_pasted_text_view_explains_the_event_and_the_code_it_carries() {
    let text = std::fs::read(fixture("aad-1098.txt")).unwrap();
    let (code, out) = explain(&["-"], Some(text.clone()));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Microsoft-Windows-AAD event 1098"), "{out}");
    assert!(out.contains("carries AADSTS50076"), "{out}");
    assert!(out.contains("Explained by page aad-1098"), "{out}");
    // The code's own explanation comes after the event page.
    let page_at = out.find("Event 1098").expect("event page");
    let code_at = out.rfind("AADSTS50076").unwrap();
    assert!(code_at > page_at, "{out}");

    let (code, json) = explain(&["-", "--format", "json"], Some(text));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema"], "aadsts.pasted-events/1");
    assert_eq!(v["count"], 1);
    assert_eq!(v["events"][0]["event_id"], 1098);
    assert_eq!(v["events"][0]["codes"][0], 50076);
    assert_eq!(v["events"][0]["page"], "aad-1098");
    assert_eq!(v["pages"][0]["id"], "aad-1098");
}

#[test]
fn an_event_without_a_page_is_named_not_guessed() {
    let xml = std::fs::read_to_string(fixture("writeback-33004.xml"))
        .unwrap()
        .replace("PasswordResetService", "Contoso-Unknown-Provider");
    let (code, out) = explain(&["-"], Some(xml.into_bytes()));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("No page explains Contoso-Unknown-Provider/33004"),
        "{out}"
    );
    assert!(!out.contains("ADPermissionsError"), "{out}");
}

#[test]
fn error_text_is_not_taken_for_an_event_and_html_is_escaped() {
    let (code, out) = explain(
        &["AADSTS50126: Error validating credentials due to invalid username or password."],
        None,
    );
    assert_eq!(code, 0);
    assert!(!out.contains("Pasted event"), "{out}");

    let xml = std::fs::read_to_string(fixture("writeback-33004.xml"))
        .unwrap()
        // Escaped in the XML, so the computer name itself is `<script>…`.
        .replace(
            "SYNC01.corp.example.com",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
        );
    let (code, html) = explain(&["-", "--format", "html"], Some(xml.into_bytes()));
    assert_eq!(code, 0);
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
    assert!(html.contains("Pasted Windows events"), "{html}");
}
