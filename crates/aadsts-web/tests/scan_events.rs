//! Uploads of Windows event logs to `/scan` and `POST /api/v1/scan` (the fixtures of
//! crates/aadsts-events/tests/fixtures), through the router.

use aadsts_web::{router, Config};
use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use tower::ServiceExt;

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../aadsts-events/tests/fixtures")
        .join(name);
    std::fs::read(p).unwrap()
}

async fn send(req: Request<Body>) -> (StatusCode, String) {
    let app = router(aadsts_catalog::Catalog::builtin(), Config::default());
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn an_evtx_upload_is_read_as_events() {
    let req = Request::post("/api/v1/scan")
        .body(Body::from(fixture("dc-security.evtx")))
        .unwrap();
    let (status, body) = send(req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["schema"], "aadsts.scan/1");
    assert_eq!(v["totals"]["sign_ins"], 0);
    let e = &v["events"];
    assert_eq!(e["inputs"][0]["name"], "upload");
    assert_eq!(e["inputs"][0]["format"], "evtx");
    assert_eq!(e["totals"]["events"], 8);

    // The form: the uploaded name, the events table, page links on the site.
    let boundary = "XyZ";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"Application.xml\"\r\nContent-Type: text/xml\r\n\r\n"
    )
    .into_bytes();
    body.extend(fixture("sync-application.xml"));
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let req = Request::post("/scan")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let (status, page) = send(req).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<h1>Server events</h1>"), "{page}");
    assert!(page.contains("Application.xml [event-xml]"), "{page}");
    assert!(page.contains("PasswordResetService/33004"));
    assert!(page.contains("href=\"/events/writeback-33004\""), "{page}");
    assert!(!page.contains("Sign-in log scan</h1>"));
}
