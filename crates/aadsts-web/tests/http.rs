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

/// One request over a real connection: status, headers (lowercase names) and body.
fn raw_request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: &[u8],
) -> (u16, Vec<(String, String)>, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let out = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

/// Issue 22: two 1 MiB bodies of `AADSTS50126 ` stopped the server for minutes — quadratic
/// extraction, run inside the async handler, where nothing else (not even `/healthz`) could
/// run. The server here has a single executor thread and one CPU permit. Two heavy requests
/// at once: one gets the permit, the other is refused at once with 503, Retry-After and an
/// `aadsts.error/1` body — proof that the first is working. While it works, `/healthz`
/// answers and a search is refused as busy; then the heavy one completes within the server's
/// own timeout (200, not 408), every code counted. Ordering only, no clock.
#[test]
fn heavy_explain_runs_off_the_executor_and_health_answers_meanwhile() {
    use std::sync::mpsc;
    let config = Config {
        cpu_jobs: 1,
        ..Config::default()
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app_with(config);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    let codes = 1024 * 1024 / 12;
    let body = std::sync::Arc::new("AADSTS50126 ".repeat(codes).into_bytes());
    let (tx, rx) = mpsc::channel();
    for _ in 0..2 {
        let (tx, body) = (tx.clone(), body.clone());
        std::thread::spawn(move || {
            let _ = tx.send(raw_request(addr, "POST", "/api/v1/explain", &body));
        });
    }
    let (status, headers, refused) = rx.recv().unwrap();
    assert_eq!(
        status,
        503,
        "the second heavy request must be refused while the first works: {}",
        &refused[..refused.len().min(300)]
    );
    assert!(
        headers.iter().any(|(k, v)| k == "retry-after" && v == "2"),
        "{headers:?}"
    );
    let v: serde_json::Value = serde_json::from_str(&refused).unwrap();
    assert_eq!(v["schema"], "aadsts.error/1");
    assert_eq!(v["error"], "busy");
    assert_eq!(v["retry_after"], 2);

    let (status, _, health) = raw_request(addr, "GET", "/healthz", b"");
    assert_eq!(status, 200, "{health}");
    assert!(
        rx.try_recv().is_err(),
        "/healthz must answer while the heavy request is still working"
    );
    let (status, headers, _) = raw_request(addr, "GET", "/api/v1/search?q=password", b"");
    assert_eq!(status, 503, "search shares the CPU permits");
    assert!(headers.iter().any(|(k, _)| k == "retry-after"));

    let (status, _, done) = rx.recv().unwrap();
    assert_eq!(
        status,
        200,
        "the heavy request completes within the server's timeout: {}",
        &done[..done.len().min(300)]
    );
    let v: serde_json::Value = serde_json::from_str(&done).unwrap();
    let total: u64 = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, codes as u64);
}

/// Issue 22: a pasted redirect URI with a backtick and Markdown closed the code span of the
/// tailored step and came out as a live link in "For this error". Pasted values are data:
/// no link to the attacker's site anywhere in the page, and the value is shown as pasted.
#[tokio::test]
async fn pasted_markdown_in_values_makes_no_link() {
    let pasted = "AADSTS50011: The redirect URI 'https://x`[Repair](https://evil.example/fix)`' specified in the request does not match the redirect URIs configured for the application '2d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60'. [Help](https://evil.example/help) Trace ID: 0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
    let form = format!(
        "text={}",
        pasted
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    );
    let req = Request::post("/explain")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (status, _, body) = send(app(), req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("For this error"), "{body}");
    assert!(
        !body.contains("href=\"https://evil.example"),
        "a pasted value became a link: {body}"
    );
    assert!(
        body.contains("https://x`[Repair](https://evil.example/fix)`"),
        "the value is shown as pasted: {body}"
    );

    // The API's tailored steps are Markdown that renders the value as it was pasted.
    let req = Request::post("/api/v1/explain")
        .body(Body::from(pasted))
        .unwrap();
    let (_, _, body) = send(app(), req).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let steps = v["errors"][0]["tailored_steps"].as_array().unwrap();
    assert!(!steps.is_empty());
    for s in steps {
        let html = aadsts_render::html::markdown(s.as_str().unwrap());
        assert!(!html.contains("href=\"https://evil.example"), "{html}");
    }
}
