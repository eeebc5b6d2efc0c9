//! Event pages on the web: `/events` (every page, grouped by source), `/events/<id>` (one
//! page), `/api/v1/events` and `/api/v1/events/<id>` (`aadsts.events/1`, `aadsts.event/1`;
//! `/api/events/<id>` answers the same), and the same pages in the static site.

use crate::pages::page;
use crate::Shared;
use aadsts_catalog::{event_page, event_pages, EventPage};
use aadsts_render::event_pages as ev;
use aadsts_render::html::Links;
use aadsts_render::json;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html as m, Markup};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/events", get(index))
        .route("/events/{id}", get(one))
        .route("/api/v1/events", get(api_list))
        .route("/api/v1/events/{id}", get(api_one))
        .route("/api/events/{id}", get(api_one))
}

/// The index body: every event page, grouped by source.
pub(crate) fn index_markup(links: Links) -> Markup {
    let pages: Vec<&EventPage> = event_pages().collect();
    ev::html_index(&pages, links)
}

/// Where a query should go when it names an event page (`writeback-33004`) or an event ID
/// that one page explains (`event:4740`, `event 4740`): for the search box.
pub(crate) fn page_for_query(query: &str) -> Option<&'static EventPage> {
    if let Some(id) = aadsts_catalog::parse_event_query(query) {
        return match aadsts_catalog::event_pages_with_id(id).as_slice() {
            [one] => Some(one),
            _ => None,
        };
    }
    event_page(query)
}

async fn index() -> Html<String> {
    page("Server event logs", index_markup(Links::server("/")))
}

fn missing(id: &str) -> Markup {
    m! {
        h1 { "Not found" }
        p { "No event page " code { (id) } ". " a href="/events" { "Every event page" } " is listed by source." }
    }
}

async fn one(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    match event_page(&id) {
        Some(p) => page(
            &format!("{} ({}): {}", p.label(), p.id(), p.title),
            ev::html_page(&s.catalog, p, Links::server("/")),
        )
        .into_response(),
        None => {
            // A long or odd request path is quoted back short (the template escapes it).
            let shown: String = id.chars().take(80).collect();
            (StatusCode::NOT_FOUND, page("Not found", missing(&shown))).into_response()
        }
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn api_list() -> Response {
    let pages: Vec<&EventPage> = event_pages().collect();
    json_response(StatusCode::OK, json::to_string(&ev::json_list(&pages)))
}

async fn api_one(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    match event_page(&id) {
        Some(p) => json_response(
            StatusCode::OK,
            json::to_string(&ev::json_page(&s.catalog, p)),
        ),
        None => crate::api::error(
            StatusCode::NOT_FOUND,
            "unknown_event",
            format!(
                "no event page \"{}\"; GET /api/v1/events lists them",
                id.chars().take(80).collect::<String>()
            ),
        ),
    }
}

/// Writes `events/index.html` and `events/<id>/index.html` for the static site with
/// `write(rel, title, base, body)`; returns how many files were written.
pub(crate) fn build_static<E>(
    catalog: &aadsts_catalog::Catalog,
    mut write: impl FnMut(&str, &str, &str, Markup) -> Result<(), E>,
) -> Result<usize, E> {
    let mut n = 0;
    write(
        "events/index.html",
        "Server event logs",
        "../",
        index_markup(Links::files("../")),
    )?;
    n += 1;
    for p in event_pages() {
        write(
            &format!("events/{}/index.html", p.id()),
            &format!("{} ({}): {}", p.label(), p.id(), p.title),
            "../../",
            ev::html_page(catalog, p, Links::files("../../")),
        )?;
        n += 1;
    }
    Ok(n)
}
