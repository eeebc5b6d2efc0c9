//! `/api/v1/…`: the CLI's JSON documents over HTTP (same schemas, see docs/json-schema.md),
//! `/openapi.json` generated from these handlers, and `/healthz`.

use crate::{CpuError, Shared, RETRY_AFTER_SECS};
use aadsts_catalog::Lookup;
use aadsts_render::{json, report};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "aadsts",
        description = "Explains Microsoft Entra ID sign-in errors. Response bodies follow the JSON schemas in docs/json-schema.md (each document names its schema, e.g. aadsts.page/1).",
        version = "1"
    ),
    paths(
        codes,
        code,
        categories,
        category,
        search,
        explain,
        scan,
        crate::trace::trace_api,
        crate::trace::token_api,
        healthz
    )
)]
struct Doc;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/codes", get(codes))
        .route("/api/v1/codes/{code}", get(code))
        .route("/api/v1/categories", get(categories))
        .route("/api/v1/categories/{id}", get(category))
        .route("/api/v1/search", get(search))
        .route("/api/v1/explain", post(explain))
        .route("/openapi.json", get(openapi))
        .route("/healthz", get(healthz))
}

pub(crate) fn upload_routes() -> Router<Shared> {
    Router::new().route("/api/v1/scan", post(scan))
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

/// An `aadsts.error/1` body with the given status.
pub(crate) fn error(status: StatusCode, kind: &str, message: String) -> Response {
    json_response(
        status,
        json::to_string(&json::ErrorJson {
            schema: json::ERROR_SCHEMA,
            error: kind,
            message,
            code: None,
            official_name: None,
            in_microsoft_table: None,
            lookup_url: None,
            suggestions: Vec::new(),
        }),
    )
}

/// The answer when CPU-heavy work could not run or finish: 503 `busy` with `Retry-After`
/// (header, and `retry_after` in seconds in the body), 408 `timeout`, 500 `internal`.
pub(crate) fn cpu_error(e: CpuError) -> Response {
    match e {
        CpuError::Busy => busy(
            true,
            "the server is busy with other explain and search requests",
        ),
        CpuError::TimedOut => error(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            "the request took longer than the server's time limit".into(),
        ),
        CpuError::Failed => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the request failed inside the server".into(),
        ),
    }
}

/// 503 `busy` with `Retry-After` (header, and `retry_after` in seconds in the body):
/// `aadsts.error/1` for the API, a short HTML page otherwise.
pub(crate) fn busy(api: bool, why: &str) -> Response {
    let message = format!("{why}; retry after {RETRY_AFTER_SECS} seconds");
    let mut r = if api {
        let body = json::ErrorJson {
            schema: json::ERROR_SCHEMA,
            error: "busy",
            message,
            code: None,
            official_name: None,
            in_microsoft_table: None,
            lookup_url: None,
            suggestions: Vec::new(),
        };
        let mut v = serde_json::to_value(&body).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("retry_after".into(), RETRY_AFTER_SECS.into());
        }
        json_response(StatusCode::SERVICE_UNAVAILABLE, v.to_string())
    } else {
        html_error(StatusCode::SERVICE_UNAVAILABLE, "Busy", &message)
    };
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    r
}

/// A minimal page for errors raised outside the page handlers.
fn html_error(status: StatusCode, title: &str, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} · aadsts</title></head><body><h1>{t}</h1><p>{m}</p><p><a href=\"/\">aadsts</a></p></body></html>",
            t = aadsts_render::html::escape(title),
            m = aadsts_render::html::escape(message),
        ),
    )
        .into_response()
}

/// Gives the errors that the framework answers by itself (413 from the body limit, 405,
/// 400/415/422 from extractors, 408 from the timeout layer, 404 of an unknown route: plain
/// text or empty bodies) the body every other error has: `aadsts.error/1` under `/api/`
/// (and for `/openapi.json`, `/healthz`), a short HTML page elsewhere. Responses that are
/// already JSON or HTML pass unchanged; headers (`Allow`, `Retry-After`) are kept.
pub(crate) async fn framework_errors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path();
    let api = path.starts_with("/api/") || path == "/openapi.json" || path == "/healthz";
    let method = req.method().clone();
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let ours = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.starts_with("text/html"));
    if ours {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // Framework bodies are one short sentence; a longer one is not read.
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (kind, title, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            "Too large",
            "the request body is larger than this server accepts".to_string(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "Method not allowed",
            match parts
                .headers
                .get(header::ALLOW)
                .and_then(|v| v.to_str().ok())
            {
                Some(allow) => format!("{method} is not allowed here; allowed: {allow}"),
                None => format!("{method} is not allowed here"),
            },
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "timeout",
            "Too long",
            "the request took longer than the server's time limit".to_string(),
        ),
        StatusCode::NOT_FOUND => ("not_found", "Not found", "no such address".to_string()),
        s if s.is_client_error() => (
            "bad_request",
            "Bad request",
            if text.is_empty() {
                "the request could not be read".to_string()
            } else {
                text
            },
        ),
        _ => (
            "internal",
            "Failed",
            "the request failed inside the server".to_string(),
        ),
    };
    let fresh = if api {
        error(status, kind, message)
    } else {
        html_error(status, title, &message)
    };
    let (fresh_parts, fresh_body) = fresh.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        fresh_parts.headers[header::CONTENT_TYPE].clone(),
    );
    Response::from_parts(parts, fresh_body)
}

/// Every page, as `aadsts.list/1`.
#[utoipa::path(get, path = "/api/v1/codes", responses((status = 200, description = "aadsts.list/1: every code with a page")))]
async fn codes(State(s): State<Shared>) -> Response {
    let pages = s.catalog.pages();
    json_response(
        StatusCode::OK,
        json::to_string(&json::ListJson {
            schema: json::LIST_SCHEMA,
            count: pages.len(),
            codes: pages.iter().map(|p| json::summary(&s.catalog, p)).collect(),
        }),
    )
}

/// One page by code (`50126`, `AADSTS50126`) or Microsoft name, as `aadsts.page/1`.
#[utoipa::path(get, path = "/api/v1/codes/{code}",
    params(("code" = String, Path, description = "50126, AADSTS50126 or InvalidUserNameOrPassword")),
    responses((status = 200, description = "aadsts.page/1"), (status = 404, description = "aadsts.error/1 with suggestions")))]
async fn code(State(s): State<Shared>, Path(q): Path<String>) -> Response {
    match s.catalog.lookup(&q) {
        Lookup::Found(p) => json_response(
            StatusCode::OK,
            s.page_json
                .get(&p.code)
                .cloned()
                .unwrap_or_else(|| json::to_string(&json::page_value(&s.catalog, p))),
        ),
        Lookup::NotFound {
            code,
            reference,
            suggestions,
            ..
        } => {
            let related: Vec<json::Related> = suggestions
                .iter()
                .filter_map(|c| s.catalog.get(*c))
                .map(|p| json::Related {
                    code: p.code,
                    title: Some(&p.title),
                })
                .collect();
            json_response(
                StatusCode::NOT_FOUND,
                json::to_string(&json::ErrorJson {
                    schema: json::ERROR_SCHEMA,
                    error: "not_found",
                    message: match code {
                        Some(c) => format!("AADSTS{c} has no page in this catalog"),
                        None => format!("{q:?} is not a known code or Microsoft error name"),
                    },
                    code,
                    official_name: reference.as_ref().and_then(|r| r.name),
                    in_microsoft_table: reference.as_ref().map(|r| r.in_microsoft_table),
                    lookup_url: code.map(aadsts_catalog::lookup_url),
                    suggestions: related,
                }),
            )
        }
    }
}

/// The categories, as `aadsts.categories/1`.
#[utoipa::path(get, path = "/api/v1/categories", responses((status = 200, description = "aadsts.categories/1")))]
async fn categories(State(s): State<Shared>) -> Response {
    json_response(
        StatusCode::OK,
        json::to_string(&json::CategoriesJson {
            schema: json::CATEGORIES_SCHEMA,
            categories: s
                .catalog
                .categories()
                .iter()
                .map(|c| json::CategoryLine {
                    id: &c.id,
                    title: &c.title,
                    summary: &c.summary,
                    count: s.catalog.in_category(&c.id).count(),
                })
                .collect(),
        }),
    )
}

/// One category with its codes, as `aadsts.category/1`.
#[utoipa::path(get, path = "/api/v1/categories/{id}",
    params(("id" = String, Path, description = "category id, e.g. mfa")),
    responses((status = 200, description = "aadsts.category/1"), (status = 404, description = "aadsts.error/1")))]
async fn category(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    match s.catalog.category(&id) {
        Some(c) => json_response(
            StatusCode::OK,
            json::to_string(&json::category_value(&s.catalog, c)),
        ),
        None => error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no category {id:?}; GET /api/v1/categories lists them"),
        ),
    }
}

#[derive(Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    pub q: String,
    pub limit: Option<usize>,
}

/// Ranked full-text search over code and event pages, as `aadsts.search/1` (each result
/// has `kind`: `code` or `event`).
#[utoipa::path(get, path = "/api/v1/search",
    params(("q" = String, Query, description = "words, a code or a name"), ("limit" = Option<usize>, Query, description = "at most this many results (default 10, max 100)")),
    responses((status = 200, description = "aadsts.search/1 (possibly with no results)"), (status = 400, description = "aadsts.error/1: empty query"),
        (status = 503, description = "aadsts.error/1 `busy`: too many explain and search requests at once; Retry-After says when to try again")))]
async fn search(State(s): State<Shared>, Query(q): Query<SearchQuery>) -> Response {
    if q.q.trim().is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "give words to search for: ?q=password+writeback".into(),
        );
    }
    let limit = q.limit.unwrap_or(10).clamp(1, 100);
    let answer = crate::cpu(&s, move |s, deadline| {
        let hits = s.index.search_until(&q.q, limit, deadline)?;
        let found = aadsts_render::search::resolve(&s.catalog, &hits);
        Some(aadsts_render::search::json(&s.catalog, &q.q, &found))
    })
    .await;
    match answer {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(e) => cpu_error(e),
    }
}

/// Every error in the posted text (any content type; the body is the text), as
/// `aadsts.explain/1`. No error found is not a failure: `errors` is then empty.
#[utoipa::path(post, path = "/api/v1/explain",
    request_body(content = String, description = "pasted error text, log lines, JSON, HTML…", content_type = "text/plain"),
    responses((status = 200, description = "aadsts.explain/1"), (status = 413, description = "body larger than the configured limit"),
        (status = 503, description = "aadsts.error/1 `busy`: too many explain and search requests at once; Retry-After says when to try again"),
        (status = 408, description = "aadsts.error/1 `timeout`: the text took longer than the server's time limit")))]
async fn explain(State(s): State<Shared>, body: axum::body::Bytes) -> Response {
    let answer = crate::cpu(&s, move |s, deadline| {
        let extraction = aadsts_extract::extract_until(&body, deadline).ok()?;
        let r = report::build(&s.catalog, &extraction);
        Some(report::json(&s.catalog, &r))
    })
    .await;
    match answer {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(e) => cpu_error(e),
    }
}

/// Scans a posted sign-in log export (the body is the file: CSV, JSON, JSON lines, gzip…),
/// as `aadsts.scan/1`. The body is streamed to a temporary file removed afterwards.
#[utoipa::path(post, path = "/api/v1/scan",
    request_body(content = Vec<u8>, description = "a sign-in log export in any supported shape", content_type = "application/octet-stream"),
    responses((status = 200, description = "aadsts.scan/1"), (status = 413, description = "upload larger than the configured limit"), (status = 400, description = "aadsts.error/1: unreadable upload"),
        (status = 503, description = "aadsts.error/1 `busy`: as many scans as the server runs at once, or no temporary space left for this upload; Retry-After says when to try again"),
        (status = 408, description = "aadsts.error/1 `timeout`: the scan took longer than the server's time limit; it is stopped")))]
async fn scan(State(s): State<Shared>, body: Body) -> Response {
    let tmp = match crate::spool(body.into_data_stream()).await {
        Ok(t) => t,
        Err(e) if e.contains("length limit") => {
            return error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e)
        }
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_upload", e),
    };
    match crate::scan_file(s.clone(), tmp.path().to_path_buf(), "upload".into()).await {
        Ok((summary, events)) => json_response(
            StatusCode::OK,
            aadsts_render::events::scan_json(&summary, events.as_ref()),
        ),
        Err(e) => error(StatusCode::BAD_REQUEST, "bad_upload", e),
    }
}

/// Liveness: 200, the number of pages and of scans running.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "ok: {\"status\":\"ok\",\"pages\":N,\"scans\":N}")))]
async fn healthz(State(s): State<Shared>) -> Response {
    json_response(
        StatusCode::OK,
        format!(
            "{{\"status\":\"ok\",\"pages\":{},\"scans\":{}}}",
            s.catalog.pages().len(),
            s.scans_running.load(std::sync::atomic::Ordering::SeqCst)
        ),
    )
}

async fn openapi() -> Response {
    json_response(
        StatusCode::OK,
        Doc::openapi().to_pretty_json().unwrap_or_default(),
    )
}
