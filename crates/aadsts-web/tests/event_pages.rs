//! Event pages on the web (issue 21): `/events`, `/events/<id>`, `/api/v1/events[/<id>]`,
//! code pages linking their events, the search box, and the static site.

use aadsts_web::{router, Config};
use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

async fn get(uri: &str) -> (StatusCode, String, Option<String>) {
    let app = router(aadsts_catalog::Catalog::builtin(), Config::default());
    let res = app
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (
        status,
        String::from_utf8_lossy(&body).into_owned(),
        location,
    )
}

#[tokio::test]
async fn index_groups_every_page_under_its_source() {
    let (status, body, _) = get("/events").await;
    assert_eq!(status, StatusCode::OK);
    for s in aadsts_catalog::event_sources() {
        let has_pages = aadsts_catalog::event_pages().any(|p| p.source == s.slug);
        assert_eq!(
            body.contains(&format!("<section class=\"source\" id=\"{}\">", s.slug)),
            has_pages,
            "{}",
            s.slug
        );
    }
    for p in aadsts_catalog::event_pages() {
        assert!(
            body.contains(&format!("href=\"/events/{}\"", p.id())),
            "{}",
            p.id()
        );
    }
    assert!(
        body.contains("href=\"/events\">Server events</a>"),
        "nav link"
    );
}

#[tokio::test]
async fn each_page_and_its_json() {
    for p in aadsts_catalog::event_pages() {
        let id = p.id();
        let (status, body, _) = get(&format!("/events/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{id}");
        assert!(body.contains(&format!("data-event=\"{id}\"")), "{id}");
        for c in p.codes.iter() {
            assert!(body.contains(&format!("href=\"/codes/{c}\"")), "{id} → {c}");
        }
        for uri in [format!("/api/v1/events/{id}"), format!("/api/events/{id}")] {
            let (status, body, _) = get(&uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}");
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["schema"], "aadsts.event/1");
            assert_eq!(v["id"], id.as_str());
        }
    }
    let (status, body, _) = get("/api/v1/events").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v["count"].as_u64().unwrap() as usize,
        aadsts_catalog::event_pages().count()
    );

    let (status, body, _) = get("/events/writeback-1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("No event page"), "{body}");
    let (status, body, _) = get("/api/v1/events/%3Cscript%3E").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"], "unknown_event");
}

#[tokio::test]
async fn code_pages_link_their_events_and_search_finds_pages() {
    let p = aadsts_catalog::event_pages()
        .find(|p| !p.codes.is_empty())
        .expect("an event page names a code");
    let code = p.codes[0];
    let (_, body, _) = get(&format!("/codes/{code}")).await;
    assert!(body.contains("<section id=\"events\">"), "{code}");
    assert!(
        body.contains(&format!("href=\"/events/{}\"", p.id())),
        "{code}"
    );
    assert!(body.contains("href=\"#events\""), "jump link");

    let (status, _, location) = get(&format!("/search?q={}", p.id())).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location.as_deref(),
        Some(format!("/events/{}", p.id()).as_str())
    );
    let unique = aadsts_catalog::event_pages()
        .find(|e| aadsts_catalog::event_pages_with_id(e.event).len() == 1)
        .unwrap();
    let (_, _, location) = get(&format!("/search?q=event%3A{}", unique.event)).await;
    assert_eq!(
        location.as_deref(),
        Some(format!("/events/{}", unique.id()).as_str())
    );
}

#[test]
fn static_site_has_the_event_pages_with_links_that_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let cat = aadsts_catalog::Catalog::builtin();
    aadsts_web::site::build(&cat, dir.path()).unwrap();
    let index = std::fs::read_to_string(dir.path().join("events/index.html")).unwrap();
    for p in aadsts_catalog::event_pages() {
        let rel = format!("events/{}/index.html", p.id());
        assert!(index.contains(&format!("href=\"../{rel}\"")), "{rel}");
        let page = std::fs::read_to_string(dir.path().join(&rel)).unwrap();
        // Every relative link of the page names a file the site has.
        let base = dir.path().join(format!("events/{}", p.id()));
        for href in page
            .split("href=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
        {
            if href.starts_with("https://") || href.starts_with('#') {
                continue;
            }
            let target = href.split('#').next().unwrap();
            assert!(base.join(target).exists(), "{rel}: {href}");
        }
    }
}
