//! Issue 21 follow-up: the web search finds event pages with the code pages: the results
//! page (`/search`), the API (`/api/v1/search`) and the static site's search index.

use aadsts_web::{router, Config};
use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

async fn get(uri: &str) -> (StatusCode, String) {
    let app = router(aadsts_catalog::Catalog::builtin(), Config::default());
    let res = app
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn results_page_lists_event_pages_with_code_pages() {
    let (status, body) = get("/search?q=account+locked+out+caller+computer").await;
    assert_eq!(status, StatusCode::OK);
    let event = body
        .find("href=\"/events/security-4740\"")
        .expect("the event page is listed");
    let code = body.find("href=\"/codes/").expect("code pages too");
    assert!(event < code, "the event page comes first");
    assert!(body.contains(">security-4740</a>"), "named by its id");
    assert!(body.contains("Windows event 4740"), "says it is an event");
    // A bare event ID is searched (it is not a code) and finds its page first.
    let (status, body) = get("/search?q=4740").await;
    assert_eq!(status, StatusCode::OK);
    let first = body.find("<ol class=\"hits\">").unwrap();
    assert!(
        body[first..].find("/events/security-4740") < body[first..].find("</li>"),
        "{body}"
    );
}

#[tokio::test]
async fn api_results_have_a_kind() {
    let (status, body) = get("/api/v1/search?q=AD+FS+event+364&limit=5").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["schema"], "aadsts.search/1");
    assert_eq!(v["results"][0]["kind"], "event");
    assert_eq!(v["results"][0]["id"], "adfs-364");
    let (_, body) = get("/api/v1/search?q=secret+expired&limit=1").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["results"][0]["kind"], "code");
    assert_eq!(v["results"][0]["code"], 7000222);
}

/// Every event entry of the static index links to a page the site holds, relative to the
/// site's root, and says what it is.
#[test]
fn static_index_has_the_event_pages() {
    let dir = tempfile::tempdir().unwrap();
    let cat = aadsts_catalog::Catalog::builtin();
    aadsts_web::site::build(&cat, dir.path()).unwrap();
    let idx: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("search-index.json")).unwrap(),
    )
    .unwrap();
    let events: Vec<&serde_json::Value> = idx
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "event")
        .collect();
    assert_eq!(events.len(), aadsts_catalog::event_pages().count());
    for e in events {
        let url = e["url"].as_str().unwrap();
        assert!(!url.starts_with('/'), "{url}");
        assert!(dir.path().join(url).is_file(), "{url}");
        assert_eq!(
            url,
            format!("events/{}/index.html", e["label"].as_str().unwrap())
        );
        assert!(e["event"].is_u64() && e["title"].is_string(), "{e}");
    }
    let code = idx
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == 50126)
        .unwrap();
    assert_eq!(code["kind"], "code");
    assert_eq!(code["label"], "AADSTS50126");
}
