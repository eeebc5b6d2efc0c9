//! The trace and token reports as HTML from the built binary (`--format html`), and the
//! server's trace API against the CLI: the same `aadsts.trace/1` document, and a capture
//! that is never written to disk while it is read.

use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;
mod common;
use common::{aadsts, files_in, start, stdout_of};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../aadsts-trace/tests/fixtures")
        .join(name)
}

/// Secret values of the fixtures (passwords, cookies, flow tokens, canaries).
const SECRETS: &[&str] = &[
    "Sup3r",
    "Firef0x",
    "secretcookie",
    "secretpersist",
    "secretauthcode",
    "SECRETFLOWTOKEN",
    "CANARYVALUE",
    "sessionsecret",
    "secretbuid",
    "FFCANARY",
];

/// The bearer token of the consent fixture.
fn bearer() -> String {
    let har: Value =
        serde_json::from_slice(&std::fs::read(fixture("chrome-consent.har")).unwrap()).unwrap();
    har["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["request"]["headers"].as_array().unwrap().iter())
        .find(|h| {
            h["name"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("authorization")
        })
        .and_then(|h| h["value"].as_str())
        .unwrap()
        .trim_start_matches("Bearer ")
        .to_string()
}

#[test]
fn trace_html_report_is_one_safe_file_with_the_failing_hop_and_the_explanation() {
    let f = fixture("chrome-consent.har");
    let html = stdout_of(aadsts().args(["trace", f.to_str().unwrap(), "--format", "html"]));
    assert!(html.to_ascii_lowercase().starts_with("<!doctype html>"));
    assert!(
        html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'"),
        "{html}"
    );
    // Self-contained: no script, nothing fetched.
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains(" src="), "{html}");
    // The journey with the failing hop marked, its parameters decoded.
    assert!(
        html.contains("<tr class=\"hop failed\" id=\"hop-4\">"),
        "{html}"
    );
    assert!(html.contains("<dt>redirect_uri</dt><dd>https://portal.contoso.com/signin-oidc</dd>"));
    // The error with its tailored steps and, standalone, the whole page.
    assert!(html.contains("id=\"err-65001\""));
    assert!(html.contains("For this error"));
    assert!(html.contains("The whole page for AADSTS65001"));
    assert!(
        !html.contains("href=\"/codes/"),
        "links to a site the file does not have"
    );
    // The token, decoded; its signature is not in the report.
    assert!(html.contains("JWT access token"));
    let token = bearer();
    let signature = token.rsplit('.').next().unwrap();
    assert!(!html.contains(signature));
    for s in SECRETS {
        assert!(!html.contains(s), "{s} in the HTML report");
    }
}

#[test]
fn token_html_report_explains_the_claims() {
    let token = bearer();
    let html = stdout_of(aadsts().args(["token", &token, "--format", "html"]));
    assert!(html.to_ascii_lowercase().starts_with("<!doctype html>"));
    assert!(html.contains("Content-Security-Policy"));
    assert!(
        html.contains("audience: the API this token is for (Microsoft Graph)"),
        "{html}"
    );
    assert!(html.contains("class=\"expired\">EXPIRED"), "{html}");
    assert!(!html.contains(token.rsplit('.').next().unwrap()));
    assert!(!html.contains("<script"));
}

/// Status and body of a response read to its end.
fn response(mut s: TcpStream) -> (u16, String) {
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

#[test]
fn the_server_answers_the_cli_document_and_writes_nothing_to_disk() {
    let f = fixture("firefox-spa.har");
    let cli: Value = serde_json::from_str(&stdout_of(aadsts().args([
        "trace",
        f.to_str().unwrap(),
        "--format",
        "json",
    ])))
    .unwrap();
    let bytes = std::fs::read(&f).unwrap();
    let server = start();
    let mut s = TcpStream::connect(&server.addr).unwrap();
    write!(
        s,
        "POST /api/v1/trace HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        bytes.len()
    )
    .unwrap();
    // Half the capture, then a pause: the server holds it in memory, not in a file.
    let half = bytes.len() / 2;
    s.write_all(&bytes[..half]).unwrap();
    s.flush().unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(
        files_in(server.tmp.path()),
        0,
        "the capture went to a temporary file"
    );
    s.write_all(&bytes[half..]).unwrap();
    let (status, body) = response(s);
    assert_eq!(status, 200, "{body}");
    let mut web: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(web["file"], "upload");
    web["file"] = cli["file"].clone();
    assert_eq!(web, cli, "the API and the CLI differ");
    assert_eq!(files_in(server.tmp.path()), 0);
}
