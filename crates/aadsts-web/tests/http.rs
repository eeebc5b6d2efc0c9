//! The site and the API through the router, request by request (no network): status codes,
//! JSON schemas, escaping, limits and security headers.

use aadsts_web::{router, Config};
use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;

fn app_with(config: Config) -> Router {
    router(aadsts_catalog::Catalog::builtin(), config)
}

fn app() -> Router {
    app_with(Config::default())
}

async fn send(app: Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn code_pages_by_number_and_prefix_with_security_headers() {
    let (status, headers, body) = send(app(), get("/AADSTS50126")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("InvalidUserNameOrPassword"), "{body}");
    assert!(body.contains("href=\"/categories/credentials\""));
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let (status, _, body) = send(app(), get("/codes/50126")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Other errors like this"));
    let (status, _, body) = send(app(), get("/codes/99999999")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("https://login.microsoftonline.com/error?code=99999999"));
}

#[tokio::test]
async fn api_returns_the_cli_schemas_and_json_errors() {
    let (status, headers, body) = send(app(), get("/api/v1/codes/AADSTS700016")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["schema"], "aadsts.page/1");
    assert_eq!(v["code"], 700016);

    let (status, _, body) = send(app(), get("/api/v1/codes/50127x")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["schema"], "aadsts.error/1");

    let (status, _, body) = send(app(), get("/api/v1/search?q=reply+url+mismatch&limit=3")).await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == 50011),
        "{v}"
    );

    let (status, _, _) = send(app(), get("/api/v1/search?q=")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, _, body) = send(app(), get("/api/v1/categories")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("aadsts.categories/1"));
    let (status, _, _) = send(app(), get("/api/v1/categories/nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _, body) = send(app(), get("/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    for path in [
        "/api/v1/codes",
        "/api/v1/codes/{code}",
        "/api/v1/explain",
        "/api/v1/scan",
        "/healthz",
    ] {
        assert!(v["paths"].get(path).is_some(), "openapi lacks {path}");
    }

    let req = Request::builder()
        .method(Method::DELETE)
        .uri("/api/v1/codes/50126")
        .body(Body::empty())
        .unwrap();
    let (status, _, _) = send(app(), req).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn explain_api_and_paste_box() {
    let text = "MsalServiceException: AADSTS7000222: The provided client secret keys for app '4f1c2a7e-8b3d-4e5f-9a0b-1c2d3e4f5a6b' are expired. Trace ID: 0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b Correlation ID: 9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b5a Timestamp: 2025-03-14 08:26:53Z";
    let req = Request::post("/api/v1/explain")
        .body(Body::from(text))
        .unwrap();
    let (status, _, body) = send(app(), req).await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["schema"], "aadsts.explain/1");
    assert_eq!(v["errors"][0]["code"], 7000222);
    assert!(v["errors"][0]["tailored_steps"].as_array().unwrap().len() >= 2);

    // The paste box: tailored steps in the page, pasted markup inert.
    let form = "text=AADSTS50011%3A+The+redirect+URI+%27https%3A%2F%2Flocalhost%3A5001%2Fsignin-oidc%27+specified+in+the+request+does+not+match+the+redirect+URIs+configured+for+the+application+%272d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60%27.+%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    let req = Request::post("/explain")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (status, _, body) = send(app(), req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("https://localhost:5001/signin-oidc"),
        "{body}"
    );
    assert!(body.contains("For this error"));
    assert!(
        !body.contains("<script>alert(1)</script>"),
        "pasted script must stay inert"
    );
    assert!(body.contains("&lt;script&gt;"), "{body}");
}

#[tokio::test]
async fn search_page_highlights_and_redirects_codes() {
    let (status, _, body) = send(app(), get("/search?q=secret+expired")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("/codes/7000222"));
    assert!(body.contains("<mark>"));
    let (status, headers, _) = send(app(), get("/search?q=InvalidUserNameOrPassword")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/codes/50126");
    let (status, _, body) =
        send(app(), get("/search?q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("<img src=x"), "query echoed escaped");
}

fn log_analytics_csv() -> String {
    let mut o =
        String::from("TimeGenerated [UTC],ResultType,UserPrincipalName,AppDisplayName,IPAddress\n");
    for i in 0..6 {
        o.push_str(&format!(
            "\"3/4/2025, 8:1{i}:00.000 AM\",50126,user{i}@contoso.com,Outlook,203.0.113.50\n"
        ));
    }
    o.push_str("\"3/4/2025, 9:00:00.000 AM\",0,user1@contoso.com,Outlook,198.51.100.1\n");
    o
}

#[tokio::test]
async fn scan_upload_as_multipart_and_as_raw_body() {
    let boundary = "XyZ";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"query_data.csv\"\r\nContent-Type: text/csv\r\n\r\n{}\r\n--{boundary}--\r\n",
        log_analytics_csv()
    );
    let req = Request::post("/scan")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let (status, _, page) = send(app(), req).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("<svg") && page.contains("password-spray"),
        "{page}"
    );
    assert!(page.contains("query_data.csv"));

    let req = Request::post("/api/v1/scan")
        .body(Body::from(log_analytics_csv()))
        .unwrap();
    let (status, _, body) = send(app(), req).await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["schema"], "aadsts.scan/1");
    assert_eq!(v["totals"]["sign_ins"], 7);

    // A malformed multipart body is a client error, not a crash.
    let req = Request::post("/scan")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=zzz")
        .body(Body::from(
            "--zzz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc",
        ))
        .unwrap();
    let (status, _, _) = send(app(), req).await;
    assert!(status.is_client_error(), "{status}");
}

#[tokio::test]
async fn bodies_over_the_limits_are_refused() {
    let small = Config {
        max_body: 1024,
        max_upload: 2048,
        ..Config::default()
    };
    let req = Request::post("/api/v1/explain")
        .body(Body::from(vec![b'a'; 5000]))
        .unwrap();
    let (status, _, _) = send(app_with(small.clone()), req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let req = Request::post("/api/v1/scan")
        .body(Body::from(vec![b'a'; 10_000]))
        .unwrap();
    let (status, _, _) = send(app_with(small), req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[test]
fn static_site_has_every_page_and_a_search_index() {
    let dir = tempfile::tempdir().unwrap();
    let cat = aadsts_catalog::Catalog::builtin();
    let n = aadsts_web::site::build(&cat, dir.path()).unwrap();
    assert!(n > cat.pages().len());
    let page = std::fs::read_to_string(dir.path().join("codes/50126/index.html")).unwrap();
    assert!(page.contains("InvalidUserNameOrPassword"));
    let idx: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("search-index.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(idx.as_array().unwrap().len(), cat.pages().len());
    assert!(dir.path().join("categories/mfa/index.html").exists());
}
