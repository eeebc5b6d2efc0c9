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
    // The report keeps the site's header and navigation; its codes link to their pages.
    assert!(page.contains("<header class=\"site\""), "{page}");
    assert!(page.contains("href=\"/codes/50126\""), "{page}");

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
    assert_eq!(
        idx.as_array().unwrap().len(),
        cat.pages().len() + aadsts_catalog::event_pages().count()
    );
    assert!(dir.path().join("categories/mfa/index.html").exists());
    assert!(dir.path().join("search.html").exists());
    assert!(dir.path().join("search-index.js").exists());
}

/// The static copy works from a sub-path and from disk: no link, script or form starts at
/// the root, every page link names a file that exists, and each page has its CSP meta tag.
#[test]
fn static_site_links_are_relative_and_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let cat = aadsts_catalog::Catalog::builtin();
    aadsts_web::site::build(&cat, dir.path()).unwrap();
    for rel in [
        "index.html",
        "search.html",
        "categories/index.html",
        "categories/mfa/index.html",
        "codes/50126/index.html",
    ] {
        let file = dir.path().join(rel);
        let page = std::fs::read_to_string(&file).unwrap();
        assert!(
            page.contains("<meta http-equiv=\"Content-Security-Policy\""),
            "{rel} has no CSP meta tag"
        );
        for attr in ["href=\"", "src=\"", "action=\""] {
            for (i, _) in page.match_indices(attr) {
                let v = &page[i + attr.len()..];
                let v = &v[..v.find('"').unwrap()];
                assert!(!v.starts_with('/'), "{rel}: root-relative {attr}{v}");
                if v.starts_with("https://") || v.starts_with('#') {
                    continue;
                }
                let target = file.parent().unwrap().join(v.split('#').next().unwrap());
                assert!(target.is_file(), "{rel}: {v} does not resolve to a file");
            }
        }
    }
}

/// A symbolic link planted in the output directory, where a page or a directory goes, must
/// not make `aadsts site` overwrite the file it points to: the link is replaced.
#[cfg(unix)]
#[test]
fn static_site_replaces_planted_symlinks_without_following_them() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("index.html")).unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("search-index.js")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("categories")).unwrap();
    let cat = aadsts_catalog::Catalog::builtin();
    aadsts_web::site::build(&cat, dir.path()).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert_eq!(
        std::fs::read_dir(outside.path()).unwrap().count(),
        1,
        "nothing written outside the site"
    );
    for rel in ["index.html", "search-index.js", "categories"] {
        let m = std::fs::symlink_metadata(dir.path().join(rel)).unwrap();
        assert!(!m.file_type().is_symlink(), "{rel} is still a link");
    }
    assert!(dir.path().join("categories/mfa/index.html").is_file());
    assert!(std::fs::read_to_string(dir.path().join("index.html"))
        .unwrap()
        .contains("AADSTS50126"));
}

#[tokio::test]
async fn one_box_on_home_does_the_right_thing() {
    let (status, _, home) = send(app(), get("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("id=\"home-q\""));
    assert!(
        !home.contains("id=\"q\""),
        "the home page has one box, not a second one in the header"
    );
    let post = |text: &str| {
        Request::post("/explain")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("text={text}")))
            .unwrap()
    };
    let (status, headers, _) = send(app(), post("AADSTS50126")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/codes/50126");
    let (status, headers, _) = send(app(), post("secret+expired")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/search?q=secret+expired");
    // A code page opens with who acts, the first step and a jump to "How to fix".
    let (_, _, page) = send(app(), get("/codes/53003")).await;
    let summary = page.find("class=\"summary\"").expect("summary on top");
    assert!(summary < page.find("id=\"meaning\"").unwrap());
    assert!(page.contains("href=\"#fix\"") && page.contains("id=\"fix\""));
    // Other pages keep the header search box.
    assert!(page.contains("id=\"q\""));
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

/// Issue 22: the errors the framework answers by itself (413 from the body limit, 405,
/// 400 from a query or form that does not parse, 404 of an unknown API path) came as plain
/// text or an empty body, not the `aadsts.error/1` document the API promises; the pages
/// answer them with an HTML page.
#[tokio::test]
async fn framework_errors_use_the_error_document() {
    let small = Config {
        max_body: 1024,
        max_upload: 2048,
        ..Config::default()
    };
    let json_error = |status: StatusCode, headers: &axum::http::HeaderMap, body: &str| {
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{status} {headers:?} {body}"
        );
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["schema"], "aadsts.error/1", "{body}");
        assert!(!v["message"].as_str().unwrap().is_empty(), "{body}");
        v["error"].as_str().unwrap().to_string()
    };
    let req = Request::post("/api/v1/explain")
        .body(Body::from(vec![b'a'; 5000]))
        .unwrap();
    let (status, headers, body) = send(app_with(small.clone()), req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json_error(status, &headers, &body), "too_large");
    let req = Request::post("/api/v1/scan")
        .header(header::CONTENT_LENGTH, "10000")
        .body(Body::from(vec![b'a'; 10_000]))
        .unwrap();
    let (status, headers, body) = send(app_with(small.clone()), req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json_error(status, &headers, &body), "too_large");

    let req = Request::builder()
        .method(Method::DELETE)
        .uri("/api/v1/codes/50126")
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = send(app(), req).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(json_error(status, &headers, &body), "method_not_allowed");
    assert!(headers[header::ALLOW].to_str().unwrap().contains("GET"));
    assert!(body.contains("DELETE"), "{body}");

    let (status, headers, body) = send(app(), get("/api/v1/search?q=x&limit=many")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json_error(status, &headers, &body), "bad_request");

    let (status, headers, body) = send(app(), get("/api/v1/no/such/thing")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json_error(status, &headers, &body), "not_found");

    // Pages: the same errors as HTML, security headers kept.
    let req = Request::builder()
        .method(Method::PUT)
        .uri("/explain")
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = send(app(), req).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(body.contains("<h1>Method not allowed</h1>"), "{body}");
    assert!(headers.contains_key(header::CONTENT_SECURITY_POLICY));
    let req = Request::post("/explain")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(vec![b'a'; 5000]))
        .unwrap();
    let (status, headers, body) = send(app_with(small), req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(body.contains("Too large"), "{body}");
}

/// A request body that yields what is sent on the channel and ends when it is dropped.
fn channel_body() -> (tokio::sync::mpsc::Sender<axum::body::Bytes>, Body) {
    let (tx, rx) = tokio::sync::mpsc::channel::<axum::body::Bytes>(1);
    let stream = futures_lite::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, std::io::Error>(b), rx))
    });
    (tx, Body::from_stream(stream))
}

/// Issue 22: 32 concurrent 100 MB scans were all accepted (2.9 GB of temporary files, 432
/// threads). Scans are now bounded (`scan_jobs`), and so is the temporary disk their uploads
/// reserve (`max_temp`: the Content-Length, or `max_upload` when there is none); beyond
/// either, 503 with `Retry-After` and an `aadsts.error/1` body (an HTML page for `/scan`).
/// Ordering only: an upload still being sent holds its slot; once it ends, the next is taken.
#[tokio::test]
async fn scans_beyond_the_limits_are_refused_with_retry_after() {
    let config = Config {
        scan_jobs: 1,
        ..Config::default()
    };
    let app = app_with(config);
    let (tx, body) = channel_body();
    let first = tokio::spawn(
        app.clone()
            .oneshot(Request::post("/api/v1/scan").body(body).unwrap()),
    );
    // The channel holds one chunk: the second send returns once the upload is being read,
    // that is once the first scan holds its slot.
    for _ in 0..2 {
        tx.send("AADSTS50126 x\n".into()).await.unwrap();
    }
    let req = Request::post("/api/v1/scan")
        .body(Body::from("AADSTS50126 x\n"))
        .unwrap();
    let (status, headers, body) = send(app.clone(), req).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(headers[header::RETRY_AFTER], "2");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["schema"], "aadsts.error/1");
    assert_eq!(v["error"], "busy");
    assert_eq!(v["retry_after"], 2);
    let req = Request::post("/scan")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=X")
        .body(Body::from("--X--\r\n"))
        .unwrap();
    let (status, headers, body) = send(app.clone(), req).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(headers[header::RETRY_AFTER], "2");
    assert!(body.contains("<h1>Busy</h1>"), "{body}");
    let (status, _, _) = send(app.clone(), get("/scan")).await;
    assert_eq!(status, StatusCode::OK, "the upload form is always shown");
    drop(tx);
    let res = first.await.unwrap().unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let req = Request::post("/api/v1/scan")
        .body(Body::from("AADSTS50126 x\n"))
        .unwrap();
    let (status, _, _) = send(app, req).await;
    assert_eq!(status, StatusCode::OK);

    // Temporary disk: an upload without a length reserves `max_upload`, here all of it;
    // a small one with a length is refused meanwhile, and taken afterwards.
    let config = Config {
        scan_jobs: 4,
        max_upload: 64 * 1024,
        max_temp: 64 * 1024,
        ..Config::default()
    };
    let app = app_with(config);
    let (tx, body) = channel_body();
    let first = tokio::spawn(
        app.clone()
            .oneshot(Request::post("/api/v1/scan").body(body).unwrap()),
    );
    for _ in 0..2 {
        tx.send("AADSTS50126 x\n".into()).await.unwrap();
    }
    let small = || {
        Request::post("/api/v1/scan")
            .header(header::CONTENT_LENGTH, "14")
            .body(Body::from("AADSTS50126 x\n"))
            .unwrap()
    };
    let (status, headers, body) = send(app.clone(), small()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(headers[header::RETRY_AFTER], "2");
    assert!(body.contains("temporary space"), "{body}");
    drop(tx);
    assert_eq!(first.await.unwrap().unwrap().status(), StatusCode::OK);
    let (status, _, _) = send(app, small()).await;
    assert_eq!(status, StatusCode::OK);
}

/// Starts a real server (`serve_on`) on its own runtime; returns its address.
fn start_server(config: Config) -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let (max, header_timeout) = (config.max_connections, config.header_timeout);
    let app = app_with(config);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            aadsts_web::serve_on(listener, app, max, header_timeout, std::future::pending())
                .await
                .unwrap();
        });
    });
    addr
}

/// `scans` of `/healthz`: scans whose thread is still reading.
fn scans_running(addr: std::net::SocketAddr) -> u64 {
    let (status, _, body) = raw_request(addr, "GET", "/healthz", b"");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["scans"].as_u64().unwrap()
}

/// Polls until `f` holds; fails (rather than hangs) after a minute.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..600 {
        if f() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{what}: not within a minute");
}

/// Temporary files of exactly `len` bytes (an upload being scanned).
fn temp_files_of(len: u64) -> usize {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .filter(|e| e.metadata().is_ok_and(|m| m.is_file() && m.len() == len))
        .count()
}

/// A small gzip of many gigabytes of log lines: one member repeated (read as one stream).
fn endless_gzip(members: usize) -> Vec<u8> {
    use std::io::Write;
    let line =
        "2025-03-14T08:26:53Z sign-in ok for user 42 from the office network, nothing to report.\n";
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..(4 << 20) / line.len() {
        enc.write_all(line.as_bytes()).unwrap();
    }
    let member = enc.finish().unwrap();
    member.repeat(members)
}

/// Issue 22: a scan kept running (~35 s of CPU) after its 408, or after its client went
/// away. Now the scan is cancelled when its request ends early, and the uploaded file is
/// removed. Two real servers, each with one upload of gigabytes of text (a few MB of
/// gzip); `scans` in `/healthz` counts scan threads still reading: it must fall back to 0
/// once the client has gone (first server) or has its 408 (second), long before such a scan
/// could end by itself; the temporary file of the upload is gone too.
#[test]
fn a_scan_stops_when_its_client_goes_or_it_times_out() {
    use std::io::{Read, Write};
    let bomb = endless_gzip(2000 + 1);
    let len = bomb.len() as u64;
    let addr = start_server(Config::default());
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    write!(
        client,
        "POST /api/v1/scan HTTP/1.1\r\nHost: x\r\nContent-Length: {len}\r\n\r\n"
    )
    .unwrap();
    client.write_all(&bomb).unwrap();
    eventually("the scan starts", || scans_running(addr) == 1);
    assert_eq!(temp_files_of(len), 1, "the upload is on disk while scanned");
    client.shutdown(std::net::Shutdown::Both).unwrap();
    drop(client);
    eventually("the scan stops once its client has gone", || {
        scans_running(addr) == 0
    });
    eventually("the upload is removed", || temp_files_of(len) == 0);

    let bomb = endless_gzip(2000 + 2);
    let len = bomb.len() as u64;
    let addr = start_server(Config {
        scan_timeout: std::time::Duration::from_secs(1),
        ..Config::default()
    });
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    write!(
        client,
        "POST /api/v1/scan HTTP/1.1\r\nHost: x\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    client.write_all(&bomb).unwrap();
    let mut out = String::new();
    client.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 408"), "{out}");
    let body = out.split_once("\r\n\r\n").unwrap().1;
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["error"], "timeout", "{out}");
    eventually("the scan stops after its 408", || scans_running(addr) == 0);
    eventually("the upload is removed", || temp_files_of(len) == 0);
}

/// Issue 22, slowloris: slow connections (a request head never finished) were never
/// closed, and enough of them (1,100 against 1,024 descriptors) locked everyone else out.
/// Here the server allows 16 connections; 64 clients each send half a request head and
/// stop. A normal request still gets its answer (at the limit the longest idle connection
/// makes room: the first slow client is closed by then, the last not yet), a kept-alive
/// connection that falls silent is closed, and every slow connection is closed by the
/// server (at the header timeout, or to make room), which the client sees as the end of
/// the stream. Ordering only (the 5 s header timeout only has to outlast opening 64
/// connections).
#[test]
fn slow_connections_are_closed_and_others_still_answered() {
    use std::io::{Read, Write};
    let limit = 16;
    let addr = start_server(Config {
        max_connections: limit,
        header_timeout: std::time::Duration::from_secs(5),
        ..Config::default()
    });
    let mut slow = Vec::new();
    for _ in 0..limit * 4 {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        slow.push(s);
    }
    let (status, _, body) = raw_request(addr, "GET", "/healthz", b"");
    assert_eq!(status, 200, "{body}");
    // At the limit each new connection closed the longest idle one: the first slow client
    // is gone already, the last one is still waiting (for the header timeout).
    let open = |s: &mut std::net::TcpStream| {
        s.set_nonblocking(true).unwrap();
        let r = s.read(&mut [0u8; 1]);
        s.set_nonblocking(false).unwrap();
        matches!(r, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
    };
    assert!(
        !open(&mut slow[0]),
        "the longest idle connection was not closed"
    );
    assert!(
        open(slow.last_mut().unwrap()),
        "the newest connection was closed"
    );

    let mut kept = std::net::TcpStream::connect(addr).unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut first = [0u8; 12];
    kept.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    // A safety net only: the server closes each much sooner.
    let closed = |s: &mut std::net::TcpStream| {
        s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
            .unwrap();
        let mut buf = Vec::new();
        match s.read_to_end(&mut buf) {
            Ok(_) => true,
            Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    };
    assert!(
        closed(&mut kept),
        "an idle kept-alive connection stays open"
    );
    for (i, s) in slow.iter_mut().enumerate() {
        assert!(closed(s), "slow connection {i} stays open");
    }
}

/// Issue 22: overlay pages and pasted Markdown could produce `<img>` (the reader's browser
/// fetching from anywhere) and `//host` links (another site, past the https-only check that
/// kept `/path`). Images now show their alt text; `//host` and `/\host` become `#`.
#[test]
fn markdown_drops_images_and_protocol_relative_links() {
    let md = aadsts_render::html::markdown;
    let out = md("See ![the logo](https://evil.example/x.png) here.");
    assert!(!out.contains("<img"), "{out}");
    assert!(!out.contains("evil.example"), "{out}");
    assert!(out.contains("the logo"), "{out}");
    for (src, gone) in [
        ("[fix](//evil.example/fix)", "evil.example"),
        ("[fix](/\\evil.example/fix)", "evil.example"),
        ("[fix]: //evil.example/a\n\nGo [fix].", "evil.example"),
        ("<//evil.example/fix>", "href=\"//"),
    ] {
        let out = md(src);
        assert!(!out.contains(gone), "{src} → {out}");
    }
    // What stays: https, paths on this site, anchors.
    let out =
        md("[a](https://learn.microsoft.com/) [b](/codes/50126) [c](../codes/50126) [d](#fix)");
    for href in [
        "https://learn.microsoft.com/",
        "/codes/50126",
        "../codes/50126",
        "#fix",
    ] {
        assert!(out.contains(&format!("href=\"{href}\"")), "{out}");
    }
}
