//! The HTML site: home, code pages, categories, search, the paste box and the log upload.
//! Readable without JavaScript; every value echoed back is escaped.

use crate::api::SearchQuery;
use crate::{CpuError, Shared, RETRY_AFTER_SECS};
use aadsts_catalog::Lookup;
use aadsts_render::html::{self, escape};
use aadsts_render::{report, scan as scan_render};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use std::fmt::Write as _;

/// Codes most sign-in logs are full of, shown on the home page when they have pages.
const COMMON: [u32; 14] = [
    50126, 50053, 50074, 50076, 50140, 53003, 500121, 50011, 700016, 7000222, 65001, 50105, 50058,
    70008,
];

const EXTRA_STYLE: &str = "<style>nav{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;border-bottom:1px solid #ddd;padding-bottom:.5rem;margin-bottom:1rem}\
nav form{flex:1;display:flex;gap:.4rem}input[type=search],textarea{flex:1;width:100%;font:inherit;padding:.4rem;border:1px solid #888;border-radius:4px;background:inherit;color:inherit}\
textarea{min-height:10rem;font-family:ui-monospace,monospace}button{font:inherit;padding:.4rem .9rem;border-radius:4px;border:1px solid #0b57d0;background:#0b57d0;color:#fff;cursor:pointer}\
button:focus,a:focus,input:focus,textarea:focus{outline:3px solid #f9ab00;outline-offset:1px}mark{background:#fde293;color:#000}label{font-weight:600;display:block;margin:.6rem 0 .2rem}\
.hits li{margin:.4rem 0}ul.instant{list-style:none;padding:0;margin:0}ul.instant li{padding:.2rem 0}button.copy{float:right;font-size:.8rem;padding:.1rem .5rem}\
@media (max-width:640px){nav form{flex:1 1 100%;order:2}nav form input{min-width:0}}</style>";

fn layout(title: &str, body: &str) -> Html<String> {
    let nav = "<nav aria-label=\"site\"><a href=\"/\"><strong>aadsts</strong></a>\
<form action=\"/search\" method=\"get\" role=\"search\"><label for=\"q\" class=\"visually-hidden\" style=\"position:absolute;left:-9999px\">Search codes</label>\
<input type=\"search\" id=\"q\" name=\"q\" placeholder=\"50126, a name, words or a pasted error\"><button type=\"submit\">Search</button></form>\
<a href=\"/explain\">Explain an error</a><a href=\"/scan\">Scan a log</a><a href=\"/categories\">Categories</a></nav>";
    Html(html::document(
        title,
        &format!(
            "{EXTRA_STYLE}{nav}<main>{body}</main><script src=\"/static/app.js\" defer></script>"
        ),
    ))
}

fn not_found(message: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        layout(
            "Not found",
            &format!("<h1>Not found</h1><p>{}</p>", escape(message)),
        ),
    )
        .into_response()
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(home))
        .route("/codes/{code}", get(code_page))
        .route("/{slug}", get(slug))
        .route("/categories", get(categories))
        .route("/categories/{id}", get(category))
        .route("/search", get(search))
        .route("/explain", get(explain_form).post(explain))
        .route("/static/app.js", get(app_js))
}

/// The progressive-enhancement script (instant search, copy buttons).
pub const APP_JS: &str = include_str!("../assets/app.js");

async fn app_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_JS,
    )
        .into_response()
}

pub(crate) fn upload_routes() -> Router<Shared> {
    Router::new().route("/scan", get(scan_form).post(scan))
}

async fn home(State(s): State<Shared>) -> Html<String> {
    let mut b = String::from("<h1>Explain a Microsoft Entra sign-in error</h1>\
<form action=\"/search\" method=\"get\"><label for=\"home-q\">Code, Microsoft name, symptom, or the whole error text</label>\
<p style=\"display:flex;gap:.4rem\"><input type=\"search\" id=\"home-q\" name=\"q\" autofocus placeholder=\"AADSTS50126 · InvalidUserNameOrPassword · user not assigned to app\"><button type=\"submit\">Go</button></p></form>\
<form action=\"/explain\" method=\"post\"><label for=\"text\">Or paste what your tool printed</label><textarea id=\"text\" name=\"text\" placeholder=\"MsalUiRequiredException: AADSTS50076: …\"></textarea><p><button type=\"submit\">Explain</button></p></form>\
<h2>Common codes</h2><ul>");
    for c in COMMON {
        if let Some(p) = s.catalog.get(c) {
            let _ = write!(
                b,
                "<li><a href=\"/codes/{c}\">AADSTS{c}</a> {}</li>",
                escape(&p.title)
            );
        }
    }
    b.push_str("</ul><h2>Categories</h2><ul>");
    for c in s.catalog.categories() {
        let _ = write!(
            b,
            "<li><a href=\"/categories/{}\">{}</a> — {}</li>",
            escape(&c.id),
            escape(&c.title),
            escape(&c.summary)
        );
    }
    b.push_str("</ul>");
    layout("aadsts", &b)
}

pub(crate) fn render_code_page(cat: &aadsts_catalog::Catalog, p: &aadsts_kb::Page) -> String {
    layout(
        &format!("{}: {}", p.label(), p.title),
        &html::page_fragment(cat, p, "/"),
    )
    .0
}

fn page_response(s: &Shared, q: &str) -> Response {
    match s.catalog.lookup(q) {
        Lookup::Found(p) => match s.page_html.get(&p.code) {
            Some(h) => Html(h.clone()).into_response(),
            None => Html(render_code_page(&s.catalog, p)).into_response(),
        },
        Lookup::NotFound {
            code, suggestions, ..
        } => {
            let mut b = match code {
                Some(c) => format!(
                    "<h1>AADSTS{c}</h1><p>This catalog has no page for AADSTS{c} yet. Microsoft's lookup: <a href=\"{u}\">{u}</a></p>",
                    u = escape(&aadsts_catalog::lookup_url(c))
                ),
                None => format!("<h1>Not found</h1><p>{} is not a known code or Microsoft error name.</p>", escape(q)),
            };
            if !suggestions.is_empty() {
                b.push_str("<p>Did you mean:</p><ul>");
                for c in suggestions {
                    if let Some(p) = s.catalog.get(c) {
                        let _ = write!(
                            b,
                            "<li><a href=\"/codes/{c}\">AADSTS{c}</a> {}</li>",
                            escape(&p.title)
                        );
                    }
                }
                b.push_str("</ul>");
            }
            (StatusCode::NOT_FOUND, layout("Not found", &b)).into_response()
        }
    }
}

async fn code_page(State(s): State<Shared>, Path(code): Path<String>) -> Response {
    page_response(&s, &code)
}

/// `/AADSTS50126` (any case); anything else at the top level is not found.
async fn slug(State(s): State<Shared>, Path(slug): Path<String>) -> Response {
    if aadsts_catalog::strip_aadsts_prefix(&slug).is_some_and(|rest| !rest.is_empty()) {
        page_response(&s, &slug)
    } else {
        not_found("No such page. Search for a code or a symptom above.")
    }
}

async fn categories(State(s): State<Shared>) -> Html<String> {
    let mut b = String::from("<h1>Categories</h1><ul>");
    for c in s.catalog.categories() {
        let _ = write!(
            b,
            "<li><a href=\"/categories/{}\">{}</a> ({} codes) — {}</li>",
            escape(&c.id),
            escape(&c.title),
            s.catalog.in_category(&c.id).count(),
            escape(&c.summary)
        );
    }
    b.push_str("</ul>");
    layout("Categories", &b)
}

async fn category(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    match s.catalog.category(&id) {
        Some(c) => layout(&c.title, &html::category_fragment(&s.catalog, c, "/")).into_response(),
        None => not_found("No such category."),
    }
}

/// Wraps each query word found in `text` in `<mark>`; `text` is escaped first.
fn highlight(text: &str, query: &str) -> String {
    let escaped = escape(text);
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3)
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return escaped;
    }
    // ASCII lowering keeps byte offsets equal to those of `escaped` (`to_lowercase` does
    // not: 'İ' grows from two bytes to three).
    let lower = escaped.to_ascii_lowercase();
    let mut out = String::with_capacity(escaped.len() + 32);
    let mut i = 0;
    // Only whole ASCII-lowercase matches at char boundaries of the escaped text.
    while i < escaped.len() {
        let hit = words.iter().find(|w| {
            lower[i..].starts_with(w.as_str())
                && escaped.is_char_boundary(i + w.len())
                && !lower[..i].ends_with('&')
        });
        match hit {
            Some(w) if escaped.is_char_boundary(i) => {
                out.push_str("<mark>");
                out.push_str(&escaped[i..i + w.len()]);
                out.push_str("</mark>");
                i += w.len();
            }
            _ => {
                let ch = escaped[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

async fn search(State(s): State<Shared>, Query(q): Query<SearchQuery>) -> Response {
    let query = q.q.trim();
    if query.is_empty() {
        return Redirect::to("/").into_response();
    }
    // A code or a name goes straight to its page; a pasted error goes to the explanation.
    if !query.contains(char::is_whitespace) {
        if let Lookup::Found(p) = s.catalog.lookup(query) {
            return Redirect::to(&format!("/codes/{}", p.code)).into_response();
        }
    }
    if query.contains(char::is_whitespace) && query.to_ascii_uppercase().contains("AADSTS") {
        return explain_page(&s, query.as_bytes().to_vec()).await;
    }
    let query = query.to_string();
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    let page = crate::cpu(&s, move |s, deadline| {
        let hits = s.index.search_until(&query, limit, deadline)?;
        let mut b = format!("<h1>Results for “{}”</h1>", escape(&query));
        if hits.is_empty() {
            b.push_str("<p>No page matches. Try fewer words, or paste the whole error into <a href=\"/explain\">Explain</a>.</p>");
        } else {
            b.push_str("<ol class=\"hits\">");
            for h in &hits {
                if let Some(p) = s.catalog.get(h.code) {
                    let _ = write!(
                        b,
                        "<li><a href=\"/codes/{c}\">AADSTS{c}</a> <span class=\"badge sev-{sev}\">{sev}</span> {t}</li>",
                        c = p.code,
                        sev = p.severity,
                        t = highlight(&p.title, &query)
                    );
                }
            }
            b.push_str("</ol>");
        }
        Some(layout(&format!("Search: {query}"), &b))
    })
    .await;
    match page {
        Ok(html) => html.into_response(),
        Err(e) => cpu_error_page(e),
    }
}

/// The HTML answer when CPU-heavy work could not run or finish (see `api::cpu_error`).
fn cpu_error_page(e: CpuError) -> Response {
    let (status, title, text) = match e {
        CpuError::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Busy",
            format!(
                "The server is busy with other requests. Try again in {RETRY_AFTER_SECS} seconds."
            ),
        ),
        CpuError::TimedOut => (
            StatusCode::REQUEST_TIMEOUT,
            "Too long",
            "This took longer than the server's time limit. Paste less text.".to_string(),
        ),
        CpuError::Failed => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Failed",
            "The request failed inside the server.".to_string(),
        ),
    };
    let mut r = (
        status,
        layout(title, &format!("<h1>{title}</h1><p>{}</p>", escape(&text))),
    )
        .into_response();
    if e == CpuError::Busy {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    }
    r
}

async fn explain_form() -> Html<String> {
    layout(
        "Explain an error",
        "<h1>Explain an error</h1><form action=\"/explain\" method=\"post\"><label for=\"text\">Paste the error exactly as your tool printed it: JSON, an MSAL exception, console output, a redirect URL, the browser's error page, log lines. Nothing is stored.</label><textarea id=\"text\" name=\"text\"></textarea><p><button type=\"submit\">Explain</button></p></form>",
    )
}

#[derive(Deserialize)]
struct ExplainForm {
    #[serde(default)]
    text: String,
}

/// Extraction, report and its HTML, all off the async executor (see [`crate::cpu`]).
async fn explain_page(s: &Shared, text: Vec<u8>) -> Response {
    let page = crate::cpu(s, move |s, deadline| {
        let extraction = aadsts_extract::extract_until(&text, deadline).ok()?;
        if extraction.errors.is_empty() {
            return Some(None);
        }
        let r = report::build(&s.catalog, &extraction);
        // The report's Markdown becomes HTML with raw HTML disabled: pasted markup stays text.
        let body = html::markdown(&report::markdown(&s.catalog, &r))
            .replace("href=\"../codes/", "href=\"/codes/");
        Some(Some(layout("Explanation", &body)))
    })
    .await;
    match page {
        Ok(Some(html)) => html.into_response(),
        Ok(None) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            layout(
                "No error found",
                "<h1>No AADSTS error found</h1><p>Looked for <code>AADSTS</code> followed by digits, codes in an <code>error_codes</code> list, and codes labelled <code>Sign-in error code</code>, <code>ResultType</code> or <code>errorCode</code>, after undoing colours, HTML entities, JSON escapes, URL encoding and console wrapping.</p><p><a href=\"/explain\">Try again</a></p>",
            ),
        )
            .into_response(),
        Err(e) => cpu_error_page(e),
    }
}

async fn explain(State(s): State<Shared>, Form(f): Form<ExplainForm>) -> Response {
    explain_page(&s, f.text.into_bytes()).await
}

async fn scan_form(State(s): State<Shared>) -> Html<String> {
    layout(
        "Scan a sign-in log",
        &format!(
            "<h1>Scan a sign-in log export</h1><form action=\"/scan\" method=\"post\" enctype=\"multipart/form-data\"><label for=\"file\">A download from the Entra admin center (CSV or JSON), Microsoft Graph pages, an Azure Monitor PT1H.json, a Log Analytics CSV export, or a log file; gzip is fine. Up to {} MB. The file is read once and deleted.</label><input type=\"file\" id=\"file\" name=\"file\" required><p><button type=\"submit\">Scan</button></p></form>",
            s.config.max_upload / (1024 * 1024)
        ),
    )
}

async fn scan(State(s): State<Shared>, mut form: Multipart) -> Response {
    let bad = |m: String| {
        (
            StatusCode::BAD_REQUEST,
            layout(
                "Upload problem",
                &format!(
                    "<h1>Upload problem</h1><p>{}</p><p><a href=\"/scan\">Try again</a></p>",
                    escape(&m)
                ),
            ),
        )
            .into_response()
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return bad("The form held no file.".into()),
            Err(e) => {
                let status = e.status();
                return (
                    status,
                    layout(
                        "Upload problem",
                        &format!("<h1>Upload problem</h1><p>{}</p>", escape(&e.body_text())),
                    ),
                )
                    .into_response();
            }
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field
            .file_name()
            .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string())
            .unwrap_or_else(|| "upload".into());
        let stream = futures_lite::stream::unfold(field, |mut f| async move {
            match f.chunk().await {
                Ok(Some(c)) => Some((Ok(c), f)),
                Ok(None) => None,
                Err(e) => Some((Err(e), f)),
            }
        });
        let stream = Box::pin(stream);
        let tmp = match crate::spool(stream).await {
            Ok(t) => t,
            Err(e) => return bad(e),
        };
        return match crate::scan_file(s.clone(), tmp.path().to_path_buf(), name).await {
            Ok(summary) => (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                scan_render::html(&summary),
            )
                .into_response(),
            Err(e) => bad(e),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::highlight;

    #[test]
    fn highlight_escapes_first_and_marks_words() {
        assert_eq!(
            highlight("Client secret <expired>", "secret expired"),
            "Client <mark>secret</mark> &lt;<mark>expired</mark>&gt;"
        );
        assert_eq!(highlight("a & b", "amp"), "a &amp; b");
    }

    /// Characters whose lowercase form is longer than themselves must not shift the
    /// offsets used to slice the text.
    #[test]
    fn highlight_survives_case_mapping_that_changes_length() {
        let out = highlight("\u{130}\u{130}\u{130} secret \u{130}", "secret");
        assert_eq!(out, "\u{130}\u{130}\u{130} <mark>secret</mark> \u{130}");
    }
}
