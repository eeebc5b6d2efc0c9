//! The web's explain form on a pasted Windows event: the event's values, its page, and the
//! AADSTS codes it carries; markup in the event stays text.

use aadsts_web::{router, Config};
use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use tower::ServiceExt;

const AAD_1098: &str = "Log Name:      Microsoft-Windows-AAD/Operational
Source:        Microsoft-Windows-AAD
Date:          12/1/2026 9:20:11 AM
Event ID:      1098
Task Category: AadTokenBrokerPlugin Operation
Level:         Error
Keywords:      Error,Error
User:          CORP\\alice
Computer:      PC042.corp.example.com
Description:
Error: 0xCAA2000C The request requires user interaction.
Code: interaction_required
Description: AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'. Trace ID: 0f1e Correlation ID: 77aa Timestamp: 2026-12-01 09:20:11Z
";

fn form(text: &str) -> String {
    let mut out = String::from("text=");
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

async fn post_explain(text: &str) -> (StatusCode, String) {
    let app = router(aadsts_catalog::Catalog::builtin(), Config::default());
    let res = app
        .oneshot(
            Request::post("/explain")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form(text)))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn a_pasted_event_shows_its_page_and_the_code_it_carries() {
    let (status, body) = post_explain(AAD_1098).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Pasted Windows events"), "{body}");
    assert!(body.contains("Microsoft-Windows-AAD event 1098"), "{body}");
    assert!(body.contains("Explained by page aad-1098"), "{body}");
    assert!(
        body.contains("data-event=\"aad-1098\""),
        "the page itself: {body}"
    );
    assert!(
        body.contains("AADSTS50076 in this text"),
        "the carried code: {body}"
    );
}

#[tokio::test]
async fn markup_in_a_pasted_event_stays_text() {
    let text = AAD_1098.replace("PC042.corp.example.com", "<img src=x onerror=alert(1)>");
    let (status, body) = post_explain(&text).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("<img src=x"), "{body}");
    assert!(body.contains("&lt;img src=x"), "{body}");
}
