//! Browser traces on the web: `/trace` (upload a HAR, a Fiddler `.saz` or a SAML-tracer
//! export: the journey, the failing hop, every error explained, tokens decoded) and
//! `/token` (paste a JWT or a SAML message), with `POST /api/v1/trace` and
//! `POST /api/v1/token` returning the CLI's `aadsts.trace/1` and `aadsts.token/1`.
//!
//! A capture is held in memory while it is read and then dropped: it is never written to
//! disk, logged or kept, because it holds passwords, cookies and tokens. Secrets are
//! always masked (there is no way to ask the server to show them). Uploads are bounded by
//! `Config::max_trace` and share the upload slots of `/scan` (`Config::scan_jobs`), so at
//! most `scan_jobs × max_trace` bytes of captures are in memory at once; reading one runs
//! on the blocking pool behind the CPU permits, as explain and search do.

use crate::pages::page;
use crate::{api, CpuError, Shared};
use aadsts_render::html::Links;
use aadsts_render::trace as rtrace;
use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::html as m;
use serde::Deserialize;

/// Room for the multipart framing around the file (boundaries, part headers, a few small
/// fields) on top of `max_trace`.
pub(crate) const FORM_SLACK: usize = 16 * 1024;

/// Routes that take a capture upload (behind [`gate`]).
pub(crate) fn upload_routes() -> Router<Shared> {
    Router::new()
        .route("/trace", get(trace_form).post(trace_upload))
        .route("/api/v1/trace", post(trace_api))
}

/// Routes of ordinary size (the paste box's body limit).
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/token", get(token_form).post(token_page))
        .route("/api/v1/token", post(token_api))
}

/// A size as people read it: `64 MiB`, `1.5 MiB`, `4 KiB`.
fn size(bytes: usize) -> String {
    let (n, unit) = if bytes >= 1024 * 1024 {
        (bytes as f64 / (1024.0 * 1024.0), "MiB")
    } else {
        (bytes as f64 / 1024.0, "KiB")
    };
    if n >= 10.0 || n.fract() == 0.0 {
        format!("{n:.0} {unit}")
    } else {
        format!("{n:.1} {unit}")
    }
}

/// What to do with a capture that is too large: said by the page and the API alike.
fn too_large_message(max: usize) -> String {
    format!(
        "the capture is larger than this server reads ({}). Record again from just before the sign-in (clear the log first, keep \"Preserve log\" on), or run `aadsts trace FILE` on your own machine, which reads captures of any size",
        size(max)
    )
}

fn problem_page(status: StatusCode, title: &str, message: &str, again: &str) -> Response {
    (
        status,
        page(
            title,
            m! { h1 { (title) } p { (message) } p { a href=(again) { "Try again" } } },
        ),
    )
        .into_response()
}

fn too_large(api: bool, max: usize) -> Response {
    let message = too_large_message(max);
    if api {
        api::error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    } else {
        problem_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Capture too large",
            &capitalized(&message),
            "/trace",
        )
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Admits a capture upload: refuses one whose declared size is over the limit (413, with
/// what to do), then takes an upload slot (503 `busy` with `Retry-After` when none is
/// free) for as long as the request lasts.
pub(crate) async fn gate(
    State(s): State<Shared>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if req.method() != axum::http::Method::POST {
        return next.run(req).await;
    }
    let api = req.uri().path().starts_with("/api/");
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let allowed = s.config.max_trace as u64 + if api { 0 } else { FORM_SLACK as u64 };
    if declared.is_some_and(|n| n > allowed) {
        return too_large(api, s.config.max_trace);
    }
    let Ok(slot) = s.scan_slots.clone().try_acquire_owned() else {
        return api::busy(
            api,
            &format!(
                "the server is reading {} uploads, its limit",
                s.config.scan_jobs.max(1)
            ),
        );
    };
    let res = next.run(req).await;
    drop(slot);
    res
}

/// Why an upload gave no trace.
enum Failed {
    TooLarge,
    /// The body could not be read (a broken form, a client gone).
    Upload(String),
    /// Not a capture this tool reads.
    Unreadable(String),
    Cpu(CpuError),
}

/// Reads a capture held in memory: a Fiddler archive by its zip signature, anything else
/// as HAR or SAML-tracer JSON (the reader tells them apart).
fn read_capture(
    bytes: &[u8],
    name: &str,
    catalog: &aadsts_catalog::Catalog,
) -> Result<aadsts_trace::Trace, String> {
    let limits = aadsts_trace::Limits::default();
    let r = if bytes.starts_with(b"PK\x03\x04") {
        aadsts_trace::read_saz(std::io::Cursor::new(bytes), name, &limits, catalog)
    } else {
        aadsts_trace::read(bytes, name, &limits, catalog)
    };
    r.map_err(|e| e.to_string())
}

/// Reads the capture and renders it (HTML page body or JSON) on the blocking pool.
async fn analyse(
    s: &Shared,
    bytes: Vec<u8>,
    name: String,
    json: bool,
) -> Result<(bool, String), Failed> {
    let answer = crate::cpu(s, move |s, _deadline| {
        // Reading has its own bounds (entry and string sizes); it is not cut off at the
        // deadline, so a capture always gets a whole answer or a clear error.
        let t = match read_capture(&bytes, &name, &s.catalog) {
            Ok(t) => t,
            Err(e) => return Some(Err(e)),
        };
        drop(bytes);
        let found = rtrace::nothing_found(&t).is_none();
        Some(Ok(if json {
            (found, rtrace::trace_json(&s.catalog, &t, None))
        } else if found {
            let body = rtrace::trace_body(&s.catalog, &t, Some(Links::server("/")), &[]);
            (true, page("Sign-in trace", body).0)
        } else {
            (false, rtrace::nothing_found(&t).unwrap_or_default())
        }))
    })
    .await;
    match answer {
        Ok(Ok(x)) => Ok(x),
        Ok(Err(e)) => Err(Failed::Unreadable(e)),
        Err(e) => Err(Failed::Cpu(e)),
    }
}

async fn trace_form(State(s): State<Shared>) -> Html<String> {
    page(
        "Read a sign-in trace",
        m! {
            h1 { "Read a browser trace of a sign-in" }
            form action="/trace" method="post" enctype="multipart/form-data" {
                label for="file" {
                    "A HAR file (Chrome, Edge, Firefox, Safari), a Fiddler .saz archive, or a SAML-tracer JSON export. Up to "
                    (size(s.config.max_trace)) "."
                }
                input type="file" id="file" name="file" required accept=".har,.saz,.json,application/json";
                p { button type="submit" { "Read the trace" } }
            }
            p.hint {
                "The file is read in memory and forgotten: nothing is written to disk or kept. "
                "Passwords, cookies, authorization codes and tokens are masked in the result; signatures are not checked."
            }
            h2 { "Recording one" }
            ol {
                li { "Open the browser's developer tools (F12) on the Network tab, tick " strong { "Preserve log" } " (Firefox: " strong { "Persist Logs" } ")." }
                li { "Reproduce the sign-in until the error shows." }
                li { "Save it: right-click the list → " strong { "Save all as HAR" } " (Firefox: " strong { "Save All As HAR" } "; Safari: " strong { "Export" } ")." }
            }
            p { "Only a token or a SAML message? " a href="/token" { "Decode it" } "." }
        },
    )
}

/// The file of a multipart upload, in memory, at most `max` bytes.
async fn file_of(form: &mut Multipart, max: usize) -> Result<(String, Vec<u8>), Failed> {
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Err(Failed::Upload("The form held no file.".into())),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(Failed::TooLarge),
            Err(e) => return Err(Failed::Upload(e.body_text())),
        };
        if field.name() != Some("file") {
            continue;
        }
        // Only the last part of a path a browser may send: the name is shown, never used.
        let name = field
            .file_name()
            .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "upload".into());
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(c)) => {
                    if bytes.len() + c.len() > max {
                        return Err(Failed::TooLarge);
                    }
                    bytes.extend_from_slice(&c);
                }
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(Failed::TooLarge)
                }
                Err(e) => return Err(Failed::Upload(e.body_text())),
            }
        }
        return Ok((name, bytes));
    }
}

async fn trace_upload(State(s): State<Shared>, mut form: Multipart) -> Response {
    let max = s.config.max_trace;
    let result = match file_of(&mut form, max).await {
        Ok((name, bytes)) => analyse(&s, bytes, name, false).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((true, html)) => Html(html).into_response(),
        Ok((false, why)) => problem_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "No sign-in in this capture",
            &why,
            "/trace",
        ),
        Err(Failed::TooLarge) => too_large(false, max),
        Err(Failed::Upload(e)) => {
            problem_page(StatusCode::BAD_REQUEST, "Upload problem", &e, "/trace")
        }
        Err(Failed::Unreadable(e)) => problem_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not a capture this tool reads",
            &capitalized(&e),
            "/trace",
        ),
        Err(Failed::Cpu(e)) => crate::pages::cpu_error_page(e),
    }
}

/// The raw body, in memory, at most `max` bytes.
async fn body_of(body: Body, max: usize) -> Result<Vec<u8>, Failed> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = futures_lite::StreamExt::next(&mut stream).await {
        let c = chunk.map_err(|e| {
            if e.to_string().contains("length limit") {
                Failed::TooLarge
            } else {
                Failed::Upload(format!("upload interrupted: {e}"))
            }
        })?;
        if bytes.len() + c.len() > max {
            return Err(Failed::TooLarge);
        }
        bytes.extend_from_slice(&c);
    }
    Ok(bytes)
}

/// Reads a posted capture (the body is the file: HAR, `.saz` or SAML-tracer JSON) as
/// `aadsts.trace/1`, exactly as `aadsts trace FILE --format json` prints it. A capture with
/// no sign-in in it is no failure: `journey` and `tokens` are then empty.
#[utoipa::path(post, path = "/api/v1/trace",
    request_body(content = Vec<u8>, description = "a browser capture: HAR, Fiddler .saz or SAML-tracer JSON", content_type = "application/octet-stream"),
    responses((status = 200, description = "aadsts.trace/1"),
        (status = 413, description = "aadsts.error/1 `too_large`: the capture is larger than the server reads"),
        (status = 422, description = "aadsts.error/1 `unreadable`: not a capture (the message says what the file is)"),
        (status = 503, description = "aadsts.error/1 `busy`: as many uploads as the server takes at once; Retry-After says when to try again")))]
pub(crate) async fn trace_api(State(s): State<Shared>, body: Body) -> Response {
    let max = s.config.max_trace;
    let result = match body_of(body, max).await {
        Ok(bytes) if bytes.is_empty() => {
            return api::error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "post the capture file as the request body".into(),
            )
        }
        Ok(bytes) => analyse(&s, bytes, "upload".into(), true).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((_, json)) => json_ok(json),
        Err(Failed::TooLarge) => too_large(true, max),
        Err(Failed::Upload(e)) => api::error(StatusCode::BAD_REQUEST, "bad_upload", e),
        Err(Failed::Unreadable(e)) => api::error(StatusCode::UNPROCESSABLE_ENTITY, "unreadable", e),
        Err(Failed::Cpu(e)) => api::cpu_error(e),
    }
}

fn json_ok(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn token_box() -> maud::Markup {
    m! {
        form action="/token" method="post" {
            label for="text" {
                "A JWT (eyJ…, an access or ID token, with or without " code { "Bearer" } "), or a SAML message: XML, base64 (POST binding), deflate + base64 (redirect binding), or a URL with "
                code { "SAMLRequest=" } " / " code { "SAMLResponse=" } "."
            }
            textarea #text name="text" required spellcheck="false" autocomplete="off" {}
            p.actions { button type="submit" { "Decode" } }
        }
        p.hint { "Decoded here and forgotten: nothing is stored or sent on. Signatures are not checked, so decoding says nothing about whether a token is genuine." }
    }
}

async fn token_form() -> Html<String> {
    page(
        "Decode a token",
        m! {
            h1 { "Decode a token or SAML message" }
            (token_box())
            p { "A whole browser capture? " a href="/trace" { "Read the trace" } "." }
        },
    )
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    text: String,
}

/// The decoded result. The pasted text is never echoed back: it holds the token's
/// signature, which a page should not carry.
async fn token_page(State(s): State<Shared>, Form(f): Form<TokenForm>) -> Response {
    if f.text.trim().is_empty() {
        return problem_page(
            StatusCode::BAD_REQUEST,
            "Nothing to decode",
            "Paste a JWT or a SAML message.",
            "/token",
        );
    }
    let now = now();
    let answer = crate::cpu(&s, move |_, _| {
        Some(rtrace::decode(&f.text, now).map(|d| {
            page(
                "Decoded token",
                m! {
                    (rtrace::token_body(&d, now, Some(Links::server("/")), None))
                    p { a href="/token" { "Decode another" } }
                },
            )
        }))
    })
    .await;
    match answer {
        Ok(Ok(html)) => html.into_response(),
        Ok(Err(e)) => problem_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Nothing to decode",
            &capitalized(&e.to_string()),
            "/token",
        ),
        Err(e) => crate::pages::cpu_error_page(e),
    }
}

/// Decodes the JWTs (or the SAML message) in the posted text (the body is the text) as
/// `aadsts.token/1`, as `aadsts token TEXT --format json` prints it.
#[utoipa::path(post, path = "/api/v1/token",
    request_body(content = String, description = "a JWT, text holding JWTs, or a SAML message (XML, base64, deflate + base64, a URL with SAMLRequest=/SAMLResponse=)", content_type = "text/plain"),
    responses((status = 200, description = "aadsts.token/1"),
        (status = 400, description = "aadsts.error/1: empty body"),
        (status = 422, description = "aadsts.error/1 `no_token_found`: nothing decodable; the message says why"),
        (status = 413, description = "body larger than the configured limit")))]
pub(crate) async fn token_api(State(s): State<Shared>, body: axum::body::Bytes) -> Response {
    let text = String::from_utf8_lossy(&body).into_owned();
    if text.trim().is_empty() {
        return api::error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "post a JWT or a SAML message as the request body".into(),
        );
    }
    let now = now();
    let answer = crate::cpu(&s, move |_, _| {
        Some(rtrace::decode(&text, now).map(|d| rtrace::token_json(&d, now, None)))
    })
    .await;
    match answer {
        Ok(Ok(json)) => json_ok(json),
        Ok(Err(e)) => api::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_token_found",
            e.to_string(),
        ),
        Err(e) => api::cpu_error(e),
    }
}
