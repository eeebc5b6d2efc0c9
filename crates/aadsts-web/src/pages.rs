//! The HTML site: home, code pages, categories, search, the paste box and the log upload.
//! Readable without JavaScript. Every page is a maud template: values are escaped by the
//! template itself, and only Markdown rendered by `aadsts_render::html::markdown` (raw HTML
//! disabled) is spliced as markup.

use crate::api::SearchQuery;
use crate::{CpuError, Shared, RETRY_AFTER_SECS};
use aadsts_catalog::Lookup;
use aadsts_render::html::{self, Links};
use aadsts_render::search::Found;
use aadsts_render::{report, scan as scan_render};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use maud::{html as m, Markup, PreEscaped};
use serde::Deserialize;

/// Codes most sign-in logs are full of, shown on the home page when they have pages.
const COMMON: [u32; 14] = [
    50126, 50053, 50074, 50076, 50140, 53003, 500121, 50011, 700016, 7000222, 65001, 50105, 50058,
    70008,
];

/// The policy in each page's meta tag; the server sends the same (and more) as a header.
pub(crate) const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'";

/// The site's own layout on top of the page style: header, search box, forms, instant
/// results, copy buttons.
pub(crate) const SITE_STYLE: &str = "header.site{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;border-bottom:1px solid #ddd;padding-bottom:.6rem;margin-bottom:1rem}\
header.site nav{display:flex;gap:.4rem 1rem;align-items:center;flex-wrap:wrap}.brand{font-size:1.1rem;text-decoration:none}\
form.search{flex:1 1 18rem;display:flex;gap:.4rem;position:relative;min-width:0}form.search input{flex:1 1 auto;min-width:0}\
input[type=search],textarea{width:100%;font:inherit;padding:.45rem;border:1px solid #888;border-radius:4px;background:inherit;color:inherit}\
textarea{min-height:7rem;font-family:ui-monospace,monospace;font-size:.95rem;resize:vertical;display:block}\
button{font:inherit;padding:.4rem .9rem;border-radius:4px;border:1px solid #0b57d0;background:#0b57d0;color:#fff;cursor:pointer}\
button:focus,a:focus,input:focus,textarea:focus{outline:3px solid #f9ab00;outline-offset:1px}mark{background:#fde293;color:#000}\
label{font-weight:600;display:block;margin:.6rem 0 .3rem}.vh{position:absolute;left:-9999px}.hint{font-size:.85rem;color:#555}\
.one-box .actions{display:flex;gap:.8rem;align-items:center;flex-wrap:wrap;margin:.5rem 0}\
.hits li{margin:.5rem 0}.hits .snippet{font-size:.9rem;color:#555}.hits .kind{font-size:.85rem;color:#555;font-style:italic}ul.instant{list-style:none;padding:.2rem .5rem;margin:0}ul.instant:empty{display:none}ul.instant li{padding:.2rem 0}\
form.search ul.instant{position:absolute;top:100%;left:0;right:0;z-index:5;background:#fff;border:1px solid #bbb;border-radius:4px;box-shadow:0 4px 12px rgba(0,0,0,.15)}\
.codebar{display:flex;justify-content:flex-end;margin-top:.3rem}button.copy{font-size:.8rem;padding:.05rem .6rem;background:#fff;color:#0b57d0}\
main td{overflow-wrap:anywhere}main blockquote{margin:.5rem 0;padding-left:.8rem;border-left:3px solid #bbb}\
.cols{columns:2 20rem}.cols li{break-inside:avoid}\
@media (max-width:600px){form.search{flex-basis:100%}}\
@media (prefers-color-scheme:dark){form.search ul.instant{background:#1e1e1e}button.copy{background:#121212;color:#8ab4f8}.hint{color:#aaa}header.site{border-color:#333}}";

/// The header of every page: the name, the sections and (except on the home page, whose one
/// box does it) the search box. `static_base` marks the static copy, where app.js searches
/// `search-index.js` relative to that base instead of the API.
pub(crate) fn site_header(
    links: Links,
    search: bool,
    query: &str,
    static_base: Option<&str>,
) -> Markup {
    let action = match static_base {
        Some(b) => format!("{b}search.html"),
        None => format!("{}search", links.base),
    };
    m! {
        header.site data-site=[static_base.map(|_| "static")] data-base=[static_base] {
            nav aria-label="site" {
                a.brand href=(links.home()) { strong { "aadsts" } }
                @if static_base.is_none() {
                    a href="/explain" { "Explain" }
                    a href="/scan" { "Scan a log" }
                    a href="/trace" { "Trace" }
                    a href="/token" { "Token" }
                }
                a href=(links.categories()) { "Categories" }
                a href=(links.events()) { "Server events" }
            }
            @if search {
                form.search action=(action) method="get" role="search" {
                    label.vh for="q" { "Search codes" }
                    input type="search" id="q" name="q" value=(query) placeholder="Code, name or words" autocomplete="off";
                    button type="submit" { "Search" }
                }
            }
        }
    }
}

/// A whole page of the live site.
pub(crate) fn page(title: &str, body: Markup) -> Html<String> {
    page_with(title, body, true, "")
}

fn page_with(title: &str, body: Markup, search: bool, query: &str) -> Html<String> {
    let links = Links::server("/");
    let content = m! {
        (site_header(links, search, query, None))
        main { (body) }
        script src="/static/app.js" defer {}
    };
    Html(html::document_with(
        title,
        PreEscaped(&content.into_string()),
        PAGE_CSP,
        m! { style { (PreEscaped(SITE_STYLE)) } },
    ))
}

fn not_found(message: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        page("Not found", m! { h1 { "Not found" } p { (message) } }),
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

/// Home: one box for a code, a name, a few words or a whole pasted error (the header has
/// no second search box here).
async fn home(State(s): State<Shared>) -> Html<String> {
    let body = m! {
        h1 { "Explain a Microsoft Entra sign-in error" }
        form.one-box action="/explain" method="post" {
            label for="home-q" { "A code, Microsoft's name for it, a few words, or the whole error your tool printed" }
            textarea #home-q name="text" rows="4" autofocus data-instant
                placeholder="AADSTS50126 · InvalidUserNameOrPassword · user not assigned to app · or the whole error message" {}
            p.actions {
                button type="submit" { "Explain" }
                span.hint { "A code opens its page, words search the catalog, pasted text is read for every error in it. Nothing is stored." }
            }
        }
        h2 { "Common codes" }
        ul.cols {
            @for c in COMMON {
                @if let Some(p) = s.catalog.get(c) {
                    li { a href={"/codes/" (c)} { "AADSTS" (c) } " " (p.title) }
                }
            }
        }
        h2 { "Categories" }
        ul {
            @for c in s.catalog.categories() {
                li { a href={"/categories/" (c.id)} { (c.title) } " — " (c.summary) }
            }
        }
        p.hint { "Have a sign-in log export? " a href="/scan" { "Scan it" } " for the codes, users, apps and signs of attack in it." }
        p.hint { "Have a browser capture of the sign-in (HAR, Fiddler .saz, SAML-tracer)? " a href="/trace" { "Read the trace" } " for the failing hop and its error. A JWT or SAML message? " a href="/token" { "Decode it" } "." }
    };
    page_with("aadsts", body, false, "")
}

pub(crate) fn render_code_page(cat: &aadsts_catalog::Catalog, p: &aadsts_kb::Page) -> String {
    page(
        &format!("{}: {}", p.label(), p.title),
        html::page_markup(cat, p, Links::server("/")),
    )
    .0
}

fn suggestions_list(s: &Shared, suggestions: &[u32]) -> Markup {
    m! {
        @if !suggestions.is_empty() {
            p { "Did you mean:" }
            ul {
                @for c in suggestions {
                    @if let Some(p) = s.catalog.get(*c) {
                        li { a href={"/codes/" (c)} { "AADSTS" (c) } " " (p.title) }
                    }
                }
            }
        }
    }
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
            let body = m! {
                @match code {
                    Some(c) => {
                        h1 { "AADSTS" (c) }
                        @let u = aadsts_catalog::lookup_url(c);
                        p { "This catalog has no page for AADSTS" (c) " yet. Microsoft's lookup: " a href=(u) { (u) } }
                    }
                    None => {
                        h1 { "Not found" }
                        p { (q) " is not a known code or Microsoft error name." }
                    }
                }
                (suggestions_list(s, &suggestions))
            };
            (StatusCode::NOT_FOUND, page("Not found", body)).into_response()
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
    let body = m! {
        h1 { "Categories" }
        ul {
            @for c in s.catalog.categories() {
                li {
                    a href={"/categories/" (c.id)} { (c.title) }
                    " (" (s.catalog.in_category(&c.id).count()) " codes) — " (c.summary)
                }
            }
        }
    };
    page("Categories", body)
}

async fn category(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    match s.catalog.category(&id) {
        Some(c) => page(
            &c.title,
            html::category_markup(&s.catalog, c, Links::server("/")),
        )
        .into_response(),
        None => not_found("No such category."),
    }
}

/// The query words worth marking: those that count for the rank (no stop words such as
/// "not", no product words), three letters or more, lower case.
fn marked_words(query: &str) -> Vec<String> {
    aadsts_search::ranking_words(query)
        .into_iter()
        .map(|w| w.to_lowercase())
        .filter(|w| w.len() >= 3)
        .collect()
}

/// A short extract of the page around the first query word it holds (its Meaning first,
/// then its causes and fix steps), as plain text: why the page matched.
fn snippet(found: &Found, words: &[String]) -> String {
    const BEFORE: usize = 60;
    const LEN: usize = 220;
    let (meaning, causes, fix) = match found {
        Found::Code(p) => (&p.meaning, &p.causes, &p.fix),
        Found::Event(e) => (&e.meaning, &e.causes, &e.fix),
    };
    let texts = meaning.iter().chain(causes.iter()).chain(fix.iter());
    let plain: Vec<String> = texts.map(|t| aadsts_kb::markdown_to_plain(t)).collect();
    let found = plain.iter().find_map(|t| {
        let lower = t.to_ascii_lowercase();
        words
            .iter()
            .filter_map(|w| lower.find(w.as_str()))
            .min()
            .map(|i| (t, i))
    });
    let (text, at) = match found {
        Some((t, i)) => (t.as_str(), i),
        None => (plain.first().map(String::as_str).unwrap_or(""), 0),
    };
    let mut start = at.saturating_sub(BEFORE);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    // Start at a word, not inside one.
    if start > 0 {
        start = text[start..].find(' ').map_or(start, |k| start + k + 1);
    }
    let mut end = (start + LEN).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    if end < text.len() {
        end = text[..end].rfind(' ').filter(|k| *k > start).unwrap_or(end);
    }
    format!(
        "{}{}{}",
        if start > 0 { "…" } else { "" },
        &text[start..end],
        if end < text.len() { "…" } else { "" }
    )
}

/// `text` with each query word that counts marked; the template escapes every piece.
#[cfg(test)]
fn highlight(text: &str, query: &str) -> Markup {
    highlight_words(text, &marked_words(query))
}

/// `text` with each of `words` (lower case) marked; the template escapes every piece.
fn highlight_words(text: &str, words: &[String]) -> Markup {
    // ASCII lowering keeps byte offsets equal to those of `text` (`to_lowercase` does not:
    // 'İ' grows from two bytes to three).
    let lower = text.to_ascii_lowercase();
    let mut pieces: Vec<(bool, &str)> = Vec::new();
    let (mut i, mut plain) = (0, 0);
    while i < text.len() {
        // Only at the start of a word: "out" is not marked inside "lockout", "locked"
        // not inside "blocked".
        let at_word = !lower[..i]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let hit = words.iter().find(|w| {
            at_word && lower[i..].starts_with(w.as_str()) && text.is_char_boundary(i + w.len())
        });
        match hit {
            Some(w) => {
                pieces.push((false, &text[plain..i]));
                pieces.push((true, &text[i..i + w.len()]));
                i += w.len();
                plain = i;
            }
            None => i += text[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    pieces.push((false, &text[plain..]));
    m! {
        @for (marked, piece) in pieces {
            @if marked { mark { (piece) } } @else { (piece) }
        }
    }
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

async fn search(State(s): State<Shared>, Query(q): Query<SearchQuery>) -> Response {
    let query = q.q.trim();
    if query.is_empty() {
        return Redirect::to("/").into_response();
    }
    // An event page id or an event ID one page explains goes to that page.
    if let Some(p) = crate::event_pages::page_for_query(query) {
        return Redirect::to(&format!("/events/{}", p.id())).into_response();
    }
    // A code or a name goes straight to its page; a pasted error goes to the explanation.
    if !query.contains(char::is_whitespace) {
        if let Lookup::Found(p) = s.catalog.lookup(query) {
            return Redirect::to(&format!("/codes/{}", p.code)).into_response();
        }
    }
    if query.contains(char::is_whitespace) && query.to_ascii_uppercase().contains("AADSTS") {
        return explain_page(&s, query.as_bytes().to_vec(), None).await;
    }
    let query = query.to_string();
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    let result = crate::cpu(&s, move |s, deadline| {
        let hits = s.index.search_until(&query, limit, deadline)?;
        let found = aadsts_render::search::resolve(&s.catalog, &hits);
        let words = marked_words(&query);
        let links = Links::server("/");
        let body = m! {
            h1 { "Results for “" (query) "”" }
            @if found.is_empty() {
                p { "No page matches. Try fewer words, or paste the whole error into " a href="/explain" { "Explain" } "." }
            } @else {
                ol.hits {
                    @for r in &found {
                        li {
                            a href=(r.found.href(links)) { (r.found.label()) } " "
                            span class={"badge sev-" (r.found.severity())} { (r.found.severity()) } " "
                            (highlight_words(r.found.title(), &words))
                            br;
                            // An event page says which log holds it: the answer is on a server.
                            @if let Found::Event(e) = r.found {
                                span.kind { "Windows event " (e.event) " · " (event_log(e)) }
                                br;
                            }
                            span.snippet { (highlight_words(&snippet(&r.found, &words), &words)) }
                        }
                    }
                }
            }
        };
        Some(page_with(&format!("Search: {query}"), body, true, &query))
    })
    .await;
    match result {
        Ok(html) => html.into_response(),
        Err(e) => cpu_error_page(e),
    }
}

/// The log that holds an event page's event (`Security log`), short enough for a phone:
/// audit events are in the Security log whatever their source (AD FS Auditing), the others
/// in their source's channel.
fn event_log(e: &aadsts_kb::EventPage) -> String {
    use aadsts_kb::EventLevel::{AuditFailure, AuditSuccess};
    if matches!(e.level, AuditFailure | AuditSuccess) {
        return "Security log".into();
    }
    aadsts_catalog::event_source(&e.source)
        .map_or_else(|| e.source.to_string(), |s| format!("{} log", s.channel))
}

/// The HTML answer when CPU-heavy work could not run or finish (see `api::cpu_error`).
pub(crate) fn cpu_error_page(e: CpuError) -> Response {
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
    let mut r = (status, page(title, m! { h1 { (title) } p { (text) } })).into_response();
    if e == CpuError::Busy {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    }
    r
}

async fn explain_form() -> Html<String> {
    page(
        "Explain an error",
        m! {
            h1 { "Explain an error" }
            form action="/explain" method="post" {
                label for="text" { "Paste the error exactly as your tool printed it: JSON, an MSAL exception, console output, a redirect URL, the browser's error page, log lines, or a Windows event from Event Viewer (XML or text view). Nothing is stored." }
                textarea #text name="text" {}
                p { button type="submit" { "Explain" } }
            }
        },
    )
}

#[derive(Deserialize)]
struct ExplainForm {
    #[serde(default)]
    text: String,
}

/// Extraction, report and its HTML, all off the async executor (see [`crate::cpu`]). When
/// no error is found and `words` is given (a short line typed in the home box), the
/// answer is a search for those words.
async fn explain_page(s: &Shared, text: Vec<u8>, words: Option<String>) -> Response {
    let result = crate::cpu(s, move |s, deadline| {
        // A pasted Windows event (XML or Event Viewer's text view): its values and page,
        // then the AADSTS codes it carries, as `aadsts explain` shows them.
        if let Some(pasted) = aadsts_events::Pasted::read(&String::from_utf8_lossy(&text)) {
            let extraction =
                aadsts_extract::extract_until(pasted.code_text().as_bytes(), deadline).ok()?;
            let lines: Vec<(String, String)> = pasted
                .events
                .iter()
                .map(|p| (p.facts(), p.page_line()))
                .collect();
            let pages: Vec<Markup> = pasted
                .pages()
                .iter()
                .map(|p| aadsts_render::event_pages::html_page(&s.catalog, p, Links::server("/")))
                .collect();
            let codes = (!extraction.errors.is_empty()).then(|| {
                let r = report::build(&s.catalog, &extraction);
                html::markdown(&report::markdown(&s.catalog, &r))
                    .replace("href=\"../codes/", "href=\"/codes/")
            });
            let note = pasted.not_shown_note();
            let body = aadsts_render::event_pages::html_pasted(
                &lines,
                note.as_deref(),
                &pages,
                codes.as_deref(),
            );
            return Some(Some(page("Pasted Windows events", body)));
        }
        let extraction = aadsts_extract::extract_until(&text, deadline).ok()?;
        if extraction.errors.is_empty() {
            return Some(None);
        }
        let r = report::build(&s.catalog, &extraction);
        // The report's Markdown becomes HTML with raw HTML disabled: pasted markup stays text.
        let body = html::markdown(&report::markdown(&s.catalog, &r))
            .replace("href=\"../codes/", "href=\"/codes/");
        Some(Some(page("Explanation", m! { (PreEscaped(body)) })))
    })
    .await;
    match result {
        Ok(Some(html)) => html.into_response(),
        Ok(None) => match words {
            Some(w) => Redirect::to(&format!("/search?q={}", form_encode(&w))).into_response(),
            None => (
                StatusCode::UNPROCESSABLE_ENTITY,
                page(
                    "No error found",
                    m! {
                        h1 { "No AADSTS error found" }
                        p {
                            "Looked for " code { "AADSTS" } " followed by digits, codes in an " code { "error_codes" }
                            " list, and codes labelled " code { "Sign-in error code" } ", " code { "ResultType" } " or " code { "errorCode" }
                            ", after undoing colours, HTML entities, JSON escapes, URL encoding and console wrapping."
                        }
                        p { a href="/explain" { "Try again" } " or " a href="/" { "search the catalog" } "." }
                    },
                ),
            )
                .into_response(),
        },
        Err(e) => cpu_error_page(e),
    }
}

/// The paste box and the home page's one box: a code or a name opens its page, pasted text
/// is explained, and a short line with no error in it is searched for.
async fn explain(State(s): State<Shared>, Form(f): Form<ExplainForm>) -> Response {
    let text = f.text.trim();
    if text.is_empty() {
        return Redirect::to("/").into_response();
    }
    if !text.contains(char::is_whitespace) {
        match s.catalog.lookup(text) {
            Lookup::Found(p) => return Redirect::to(&format!("/codes/{}", p.code)).into_response(),
            Lookup::NotFound { code: Some(c), .. } => {
                return Redirect::to(&format!("/codes/{c}")).into_response()
            }
            Lookup::NotFound { .. } => {}
        }
    }
    let words = (text.len() <= 200 && !text.contains('\n')).then(|| text.to_string());
    explain_page(&s, f.text.into_bytes(), words).await
}

async fn scan_form(State(s): State<Shared>) -> Html<String> {
    page(
        "Scan a sign-in log",
        m! {
            h1 { "Scan a sign-in log export" }
            form action="/scan" method="post" enctype="multipart/form-data" {
                label for="file" {
                    "A download from the Entra admin center (CSV or JSON), Microsoft Graph pages, an Azure Monitor PT1H.json, a Log Analytics CSV export, or a log file; gzip is fine. Up to "
                    (s.config.max_upload / (1024 * 1024)) " MB. The file is read once and deleted."
                }
                input type="file" id="file" name="file" required;
                p { button type="submit" { "Scan" } }
            }
        },
    )
}

async fn scan(State(s): State<Shared>, mut form: Multipart) -> Response {
    let problem = |status: StatusCode, m: String| {
        (
            status,
            page(
                "Upload problem",
                m! { h1 { "Upload problem" } p { (m) } p { a href="/scan" { "Try again" } } },
            ),
        )
            .into_response()
    };
    let bad = |m: String| problem(StatusCode::BAD_REQUEST, m);
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return bad("The form held no file.".into()),
            Err(e) => return problem(e.status(), e.body_text()),
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
            // The report inside the site's own header and navigation.
            Ok((summary, events)) => page(
                if events.is_some() { "Server event log scan" } else { "Sign-in log scan" },
                m! { (PreEscaped(scan_render::html_body_with_events(&summary, events.as_ref(), Some(Links::server("/"))))) },
            )
            .into_response(),
            Err(e) => bad(e),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::{form_encode, highlight};

    #[test]
    fn highlight_escapes_first_and_marks_words() {
        assert_eq!(
            highlight("Client secret <expired>", "secret expired").into_string(),
            "Client <mark>secret</mark> &lt;<mark>expired</mark>&gt;"
        );
        assert_eq!(highlight("a & b", "amp").into_string(), "a &amp; b");
    }

    /// Characters whose lowercase form is longer than themselves must not shift the
    /// offsets used to slice the text.
    #[test]
    fn highlight_survives_case_mapping_that_changes_length() {
        let out = highlight("\u{130}\u{130}\u{130} secret \u{130}", "secret").into_string();
        assert_eq!(out, "\u{130}\u{130}\u{130} <mark>secret</mark> \u{130}");
    }

    #[test]
    fn only_word_starts_are_marked() {
        let out = highlight("Account blocked by lockout", "locked out").into_string();
        assert_eq!(out, "Account blocked by lockout");
        let out = highlight("locked out, computers", "locked out computer").into_string();
        assert_eq!(
            out,
            "<mark>locked</mark> <mark>out</mark>, <mark>computer</mark>s"
        );
    }

    #[test]
    fn stop_words_are_never_marked() {
        let out = highlight("Tenant not found", "tenant not found").into_string();
        assert_eq!(out, "<mark>Tenant</mark> not <mark>found</mark>");
    }

    #[test]
    fn form_encoding() {
        assert_eq!(form_encode("reply url&x=é"), "reply+url%26x%3D%C3%A9");
    }
}
