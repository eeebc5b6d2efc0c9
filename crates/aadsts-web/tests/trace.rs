//! `/trace`, `/token`, `POST /api/v1/trace` and `POST /api/v1/token` through the router (no
//! network), on the capture fixtures of the aadsts-trace crate: the failing hop, the code
//! and decoded values appear; no secret of any fixture appears in any page or document;
//! oversize and unreadable uploads get their documented errors.

use aadsts_web::{router, Config};
use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tower::ServiceExt;

fn app_with(config: Config) -> Router {
    router(aadsts_catalog::Catalog::builtin(), config)
}

/// One router for the tests with the default limits: building one renders every page.
fn app() -> Router {
    static APP: std::sync::OnceLock<Router> = std::sync::OnceLock::new();
    APP.get_or_init(|| app_with(Config::default())).clone()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../aadsts-trace/tests/fixtures")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap()
}

async fn send(app: Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

const BOUNDARY: &str = "trweb7f3a";

fn multipart(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut b = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    b.extend_from_slice(bytes);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    b
}

fn upload(name: &str, bytes: &[u8]) -> Request<Body> {
    Request::post("/trace")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(multipart(name, bytes)))
        .unwrap()
}

fn post(uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri).body(body.into()).unwrap()
}

/// Secret values written into the fixtures by `gen.py` (passwords, cookies, codes, flow
/// tokens, canaries), in every capture format.
const KNOWN: &[&str] = &[
    "Sup3r",
    "Firef0x",
    "secretcookie",
    "secretpersist",
    "secretauthcode",
    "SECRETFLOWTOKEN",
    "CANARYVALUE",
    "sessionsecret",
    "secretbuid",
    "dBjftJeZ4CVP",
    "FFCANARY",
];

/// Parameter and field names whose values are secrets.
const SECRET_NAMES: &[&str] = &[
    "code",
    "id_token",
    "access_token",
    "refresh_token",
    "client_secret",
    "client_assertion",
    "assertion",
    "password",
    "passwd",
    "pwd",
    "newpasswd",
    "newpassword",
    "oldpasswd",
    "otc",
    "code_verifier",
    "device_code",
    "flowtoken",
    "sft",
    "canary",
    "apicanary",
    "samlart",
    "estsauth",
    "estsauthpersistent",
    "buid",
    "fpc",
];

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (c, _) => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `name=value` pairs of a query, form body or cookie header.
fn pairs(s: &str, sep: char) -> Vec<(String, String)> {
    s.split(sep)
        .filter_map(|p| p.trim().split_once('='))
        .map(|(k, v)| (pct_decode(k), pct_decode(v)))
        .collect()
}

/// Every secret a capture file holds, read from the file itself: cookie values, the
/// values of secret parameters in URLs, form posts and JSON bodies, whole bearer tokens,
/// and the signature of every JWT in it.
fn secrets_in(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out: Vec<String> = KNOWN.iter().map(|s| s.to_string()).collect();
    // JWT signatures anywhere in the file (headers, bodies, URLs).
    let mut rest: &str = &text;
    while let Some(p) = rest.find("eyJ") {
        let tail = &rest[p..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
            .unwrap_or(tail.len());
        let parts: Vec<&str> = tail[..end].split('.').collect();
        if parts.len() == 3 && parts[2].len() >= 16 {
            out.push(parts[2].to_string());
            out.push(tail[..end].to_string());
        }
        rest = &tail[end.max(3)..];
    }
    let is_secret = |k: &str| SECRET_NAMES.iter().any(|s| s.eq_ignore_ascii_case(k));
    let mut keep = |v: &str| {
        if v.len() >= 8 {
            out.push(v.to_string());
        }
    };
    if let Ok(har) = serde_json::from_slice::<Value>(bytes) {
        let entries = har["log"]["entries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for e in entries {
            let req = &e["request"];
            let url = req["url"].as_str().unwrap_or("");
            if let Some((_, part)) = url.split_once('?') {
                for (k, v) in pairs(&part.replace('#', "&"), '&') {
                    if is_secret(&k) {
                        keep(&v);
                    }
                }
            }
            let post = req["postData"]["text"].as_str().unwrap_or("");
            for (k, v) in pairs(post, '&') {
                if is_secret(&k) {
                    keep(&v);
                }
            }
            if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(post) {
                for (k, v) in o {
                    if let (true, Some(v)) = (is_secret(&k), v.as_str()) {
                        keep(v);
                    }
                }
            }
            let headers = req["headers"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(e["response"]["headers"].as_array().into_iter().flatten());
            for h in headers {
                let name = h["name"].as_str().unwrap_or("").to_ascii_lowercase();
                let value = h["value"].as_str().unwrap_or("");
                match name.as_str() {
                    "cookie" => pairs(value, ';').iter().for_each(|(_, v)| keep(v)),
                    "set-cookie" => {
                        if let Some((_, v)) = pairs(value.split(';').next().unwrap_or(""), ';')
                            .into_iter()
                            .next()
                        {
                            keep(&v)
                        }
                    }
                    "authorization" => keep(value.trim_start_matches("Bearer ").trim()),
                    _ => {}
                }
            }
            for c in req["cookies"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(e["response"]["cookies"].as_array().into_iter().flatten())
            {
                keep(c["value"].as_str().unwrap_or(""));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn assert_no_secret(what: &str, output: &str, secrets: &[String]) {
    for s in secrets {
        assert!(
            !output.contains(s.as_str()),
            "{what} shows the secret {s:?}"
        );
    }
}

#[tokio::test]
async fn trace_page_marks_the_failing_hop_and_explains_its_code() {
    let (status, headers, page) = send(
        app(),
        upload("chrome-consent.har", &fixture("chrome-consent.har")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    // Inside the site's layout.
    assert!(page.contains("<header class=\"site\""), "{page}");
    assert!(page.contains("chrome-consent.har"));
    // The failing hop, marked in the journey and named on top.
    assert!(
        page.contains("<tr class=\"hop failed\" id=\"hop-4\">"),
        "{page}"
    );
    assert!(
        page.contains("Failed at <a href=\"#hop-4\">hop 4</a>"),
        "{page}"
    );
    assert_eq!(page.matches("class=\"hop failed\"").count(), 1);
    // Decoded parameters of the authorize hop.
    assert!(
        page.contains(
            "<dt>scope</dt><dd>openid profile https://graph.microsoft.com/Mail.Read</dd>"
        ),
        "{page}"
    );
    assert!(page.contains("<dt>code_challenge_method</dt><dd>S256</dd>"));
    // The error: explained, tailored, linked to its page.
    assert!(page.contains("id=\"err-65001\""));
    assert!(page.contains("href=\"/codes/65001\""), "{page}");
    assert!(page.contains("For this error"));
    // The bearer token, decoded and judged at the capture's time.
    assert!(page.contains("Microsoft Graph"));
    assert!(page.contains("EXPIRED"));
    assert!(page.contains("Findings"));
}

#[tokio::test]
async fn trace_api_returns_the_cli_document() {
    let (status, headers, body) =
        send(app(), post("/api/v1/trace", fixture("firefox-spa.har"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["schema"], "aadsts.trace/1");
    assert_eq!(v["browser"], "Firefox");
    assert_eq!(v["failed_hop"], 5);
    assert_eq!(v["journey"][4]["errors"][0]["code"], 9002326);
    assert_eq!(v["explain"]["schema"], "aadsts.explain/1");
    assert_eq!(v["errors"][1]["hops"][0], 5);
    assert!(v.get("sanitized").is_none());

    // A Fiddler archive, by upload and by API.
    let saz = fixture("fiddler-consent.saz");
    let (status, _, page) = send(app(), upload("fiddler-consent.saz", &saz)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Fiddler"), "{page}");
    assert!(page.contains("AADSTS65001"), "{page}");
    let (status, _, body) = send(app(), post("/api/v1/trace", saz)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["format"], "Fiddler .saz");

    // The OpenAPI description lists both endpoints.
    let (_, _, body) = send(
        app(),
        Request::get("/openapi.json").body(Body::empty()).unwrap(),
    )
    .await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["paths"].get("/api/v1/trace").is_some());
    assert!(v["paths"].get("/api/v1/token").is_some());
}

/// Every capture in the fixtures directory (HAR, Fiddler, SAML-tracer), through the page
/// and the API: none of its secrets in the answer.
#[tokio::test]
async fn no_secret_of_any_fixture_reaches_a_page_or_a_document() {
    let mut checked = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !(name.ends_with(".har") || name.ends_with(".saz") || name.ends_with(".json")) {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let secrets = secrets_in(&bytes);
        let (status, _, page) = send(app(), upload(&name, &bytes)).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {status}"
        );
        assert_no_secret(&format!("/trace of {name}"), &page, &secrets);
        let (_, _, json) = send(app(), post("/api/v1/trace", bytes.clone())).await;
        assert_no_secret(&format!("/api/v1/trace of {name}"), &json, &secrets);
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} fixtures");
    // The secrets reader finds what the fixtures hide (else the test above proves nothing).
    let s = secrets_in(&fixture("chrome-consent.har"));
    assert!(s.iter().any(|x| x.contains("Sup3r$ecretPassw0rd")), "{s:?}");
    assert!(s.iter().any(|x| x.contains("sessionsecret")), "{s:?}");
    assert!(s.iter().any(|x| x.starts_with("EzcTNxM3")), "{s:?}");
}

#[tokio::test]
async fn oversize_and_unreadable_captures_get_clear_errors() {
    let small = Config {
        max_trace: 1024,
        ..Config::default()
    };
    let big = fixture("chrome-consent.har");
    // Refused by its declared length (over the limit and the form's slack), and while it is
    // read (under the slack, over the limit): 413 with what to do, inside the site.
    for bytes in [&big[..], &big[..10_000]] {
        let (status, _, page) = send(app_with(small.clone()), upload("big.har", bytes)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{page}");
        assert!(
            page.contains("larger than this server reads (1 KiB)"),
            "{page}"
        );
        assert!(page.contains("aadsts trace FILE"), "{page}");
        assert!(page.contains("<header class=\"site\""), "{page}");
    }
    // The API, with a declared length and streamed without one.
    let (status, _, body) = send(app_with(small.clone()), post("/api/v1/trace", big.clone())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["schema"], "aadsts.error/1");
    assert_eq!(v["error"], "too_large");
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.chunks(1000).map(|c| Ok(c.to_vec())).collect();
    let streamed = Body::from_stream(futures_lite::stream::iter(chunks));
    let (status, _, body) = send(app_with(small), post("/api/v1/trace", streamed)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body.contains("too_large"), "{body}");

    // Not a capture: said what it is; the file's name is shown as text.
    let (status, _, page) = send(
        app(),
        upload("<img src=x onerror=alert(1)>.txt", b"just some notes"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("not a HAR capture"), "{page}");
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;.txt"),
        "{page}"
    );
    assert!(!page.contains("<img"), "{page}");
    let (status, _, body) = send(app(), post("/api/v1/trace", "<html></html>")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"], "unreadable");
    assert!(
        v["message"].as_str().unwrap().contains("XML or HTML"),
        "{v}"
    );
    // A capture without a sign-in in it.
    let har = br#"{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"startedDateTime":"2024-01-01T00:00:00Z","request":{"method":"GET","url":"https://example.com/","headers":[]},"response":{"status":200,"headers":[],"content":{"mimeType":"text/html","text":"hi"}}}]}}"#;
    let (status, _, page) = send(app(), upload("other.har", har)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("Preserve log"), "{page}");
    // An empty API body.
    let (status, _, _) = send(app(), post("/api/v1/trace", "")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The form that names the limit.
    let (status, _, page) = send(app(), Request::get("/trace").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Up to 64 MiB"), "{page}");
    assert!(page.contains("enctype=\"multipart/form-data\""));
}

/// The bearer token of the consent fixture.
fn bearer() -> String {
    let har: Value = serde_json::from_slice(&fixture("chrome-consent.har")).unwrap();
    for e in har["log"]["entries"].as_array().unwrap() {
        for h in e["request"]["headers"].as_array().unwrap() {
            if h["name"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("authorization")
            {
                return h["value"].as_str().unwrap().to_string();
            }
        }
    }
    panic!("no bearer token in the fixture");
}

#[tokio::test]
async fn token_page_and_api_decode_and_explain_without_echoing_the_token() {
    let token = bearer();
    let signature = token.rsplit('.').next().unwrap().to_string();
    let form = format!("text={}", token.replace(' ', "+"));
    let req = Request::post("/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (status, _, page) = send(app(), req).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<header class=\"site\""));
    assert!(page.contains("JWT access token"), "{page}");
    assert!(
        page.contains("audience: the API this token is for (Microsoft Graph)"),
        "{page}"
    );
    assert!(page.contains("alex@contoso.com"));
    assert!(page.contains("EXPIRED"));
    assert!(
        !page.contains(&signature),
        "the page echoes the token's signature"
    );

    let (status, _, body) = send(app(), post("/api/v1/token", token.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["schema"], "aadsts.token/1");
    assert_eq!(v["decoded"][0]["type"], "jwt");
    assert_eq!(v["decoded"][0]["kind"], "access token");
    assert_eq!(v["decoded"][0]["validity"], "expired");
    assert!(!body.contains(&signature));

    // A SAML message: its StatusMessage code links to the page.
    let xml = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Destination="https://wiki.contoso.com/saml/acs"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester"/><samlp:StatusMessage>AADSTS700016: Application with identifier 'https://wiki.contoso.com' was not found in the directory</samlp:StatusMessage></samlp:Status></samlp:Response>"#;
    let req = Request::post("/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "text={}",
            xml.bytes().map(|b| format!("%{b:02X}")).collect::<String>()
        )))
        .unwrap();
    let (status, _, page) = send(app(), req).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("SAML Response"), "{page}");
    assert!(page.contains("href=\"/codes/700016\""), "{page}");

    // Nothing decodable: 422 with what a token looks like; the paste is not echoed.
    let req = Request::post("/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("text=not-a-token-zq81"))
        .unwrap();
    let (status, _, page) = send(app(), req).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("three base64url parts"), "{page}");
    assert!(!page.contains("not-a-token-zq81"), "{page}");
    let (status, _, body) = send(app(), post("/api/v1/token", "hello")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"], "no_token_found");
    let (status, _, _) = send(app(), post("/api/v1/token", "  ")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn home_and_header_link_to_trace_and_token() {
    let (_, _, home) = send(app(), Request::get("/").body(Body::empty()).unwrap()).await;
    assert!(home.contains("href=\"/trace\""), "{home}");
    assert!(home.contains("href=\"/token\""));
    let (status, _, page) = send(app(), Request::get("/token").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<textarea id=\"text\" name=\"text\""),
        "{page}"
    );
    assert!(page.contains("<nav aria-label=\"site\"><a class=\"brand\""));
}

/// A request body that yields what is sent on the channel and ends when it is dropped.
fn channel_body() -> (tokio::sync::mpsc::Sender<axum::body::Bytes>, Body) {
    let (tx, rx) = tokio::sync::mpsc::channel::<axum::body::Bytes>(1);
    let stream = futures_lite::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, std::io::Error>(b), rx))
    });
    (tx, Body::from_stream(stream))
}

/// Captures are held in memory, so at most `scan_jobs` are read at once (the upload slots
/// of `/scan`): beyond, 503 `busy` with `Retry-After`; once the first ends, the next is taken.
#[tokio::test]
async fn captures_in_memory_are_bounded_by_the_upload_slots() {
    let app = app_with(Config {
        scan_jobs: 1,
        ..Config::default()
    });
    let har = fixture("firefox-spa.har");
    let (tx, body) = channel_body();
    let first = tokio::spawn(app.clone().oneshot(post("/api/v1/trace", body)));
    // The channel holds one chunk: the second send returns once the body is being read,
    // that is once the first upload holds its slot.
    let (head, tail) = har.split_at(har.len() / 2);
    tx.send(head.to_vec().into()).await.unwrap();
    tx.send(tail[..10].to_vec().into()).await.unwrap();
    let (status, headers, body) = send(app.clone(), post("/api/v1/trace", har.clone())).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(headers[header::RETRY_AFTER], "2");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"], "busy");
    let (status, _, page) = send(app.clone(), upload("x.har", &har)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.contains("<h1>Busy</h1>"), "{page}");
    // The paste box for tokens needs no upload slot.
    let (status, _, _) = send(app.clone(), post("/api/v1/token", bearer())).await;
    assert_eq!(status, StatusCode::OK);
    tx.send(tail[10..].to_vec().into()).await.unwrap();
    drop(tx);
    let res = first.await.unwrap().unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (status, _, _) = send(app, post("/api/v1/trace", har)).await;
    assert_eq!(status, StatusCode::OK, "the slot is free again");
}

/// The server has no `--show-secrets`: a form field, a query parameter or a header asking
/// for secrets changes nothing, on the page and in both APIs.
#[tokio::test]
async fn the_server_never_shows_secrets_whatever_is_asked() {
    let bytes = fixture("chrome-cookies.har");
    let whole = [
        "1.AXoAcookiesSessionValue",
        "AkQcookiesFpcValue",
        "0.AXoAcookiesAuthCodeValue1234",
        "0.AXoAcookiesNewRefreshValue",
        "QiRCJEIkQiRCJEIk",
        "C00kie",
    ];
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"show_secrets\"\r\n\r\non\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&multipart("chrome-cookies.har", &bytes));
    let req = Request::post("/trace?show_secrets=1&show-secrets=true&secrets=shown")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("x-show-secrets", "1")
        .body(Body::from(body))
        .unwrap();
    let (status, _, page) = send(app(), req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("are masked"), "{page}");
    assert!(!page.contains("live credentials"));
    let req = Request::post("/api/v1/trace?show_secrets=1&show-secrets=true")
        .header("x-show-secrets", "1")
        .body(Body::from(bytes.clone()))
        .unwrap();
    let (status, _, json) = send(app(), req).await;
    assert_eq!(status, StatusCode::OK);
    for s in whole {
        assert!(!page.contains(s), "/trace shows {s}");
        assert!(!json.contains(s), "/api/v1/trace shows {s}");
    }
    // The masked credentials are there, so the test above looks at the right places.
    let v: Value = serde_json::from_str(&json).unwrap();
    assert!(
        v["journey"][2]["cookies_set"][0]["value"] == "1.AX…",
        "{json}"
    );
    let token = {
        let har: Value = serde_json::from_slice(&bytes).unwrap();
        let post = har["log"]["entries"][3]["request"]["postData"]["text"]
            .as_str()
            .unwrap()
            .to_string();
        post.split('&')
            .find_map(|p| p.strip_prefix("id_token="))
            .unwrap()
            .to_string()
    };
    let req = Request::post("/api/v1/token?show_secrets=1")
        .body(Body::from(token.clone()))
        .unwrap();
    let (status, _, json) = send(app(), req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!json.contains("QiRCJEIkQiRCJEIk"), "{json}");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["decoded"][0]["kind"], "ID token");
    assert!(v["decoded"][0].get("value").is_none(), "{json}");
}
