#![no_main]
//! Any request to `aadsts serve`, through the whole router in process: the method and the
//! content type (chosen by the first byte), the path and query (up to the first newline)
//! and the body (the rest) reach the pages, the API, the uploads and the limits. No input
//! may panic a handler or make it answer 500.
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use std::time::Duration;
use tower::ServiceExt;

static APP: OnceLock<(tokio::runtime::Runtime, axum::Router)> = OnceLock::new();

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"];
const TYPES: [&str; 5] = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=X",
    "application/json",
    "application/octet-stream",
];

fuzz_target!(|data: &[u8]| {
    let (rt, app) = APP.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let config = aadsts_web::Config {
            max_body: 64 * 1024,
            max_upload: 256 * 1024,
            timeout: Duration::from_secs(5),
            scan_timeout: Duration::from_secs(5),
            ..Default::default()
        };
        let app = aadsts_web::router(aadsts_catalog::Catalog::builtin(), config);
        (rt, app)
    });
    let (head, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Some((&sel, target)) = head.split_first() else {
        return;
    };
    let method = METHODS[sel as usize % METHODS.len()];
    let content_type = TYPES[(sel as usize / METHODS.len()) % TYPES.len()];
    let target = String::from_utf8_lossy(target);
    let uri = if target.starts_with('/') {
        target.into_owned()
    } else {
        format!("/{target}")
    };
    // Targets that are not valid URIs never reach a handler: the HTTP parser refuses them.
    let Ok(req) = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", content_type)
        .body(axum::body::Body::from(body.to_vec()))
    else {
        return;
    };
    rt.block_on(async {
        let resp = app.clone().oneshot(req).await.expect("the router never fails");
        let status = resp.status();
        let _ = axum::body::to_bytes(resp.into_body(), usize::MAX).await;
        assert_ne!(status, axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    });
});
