//! Event pages on the command line: `aadsts explain writeback-33004`, `aadsts explain
//! event:4740` (or `"event 4740"`), and `aadsts events [--source SLUG]`.

use crate::{Ctx, Failure, Outcome};
use aadsts_catalog::{event_page, event_pages, event_source, event_sources, EventPage};
use aadsts_render::{event_pages as ev, html, json, Format};

/// The page or candidates for an event query, or `None` when `query` is not one (a page id
/// such as `writeback-33004`, or `event:4740` / `event 4740` / `event id 4740`).
pub(crate) fn explain(ctx: &Ctx, query: &str) -> Option<Outcome> {
    if let Some(id) = aadsts_catalog::parse_event_query(query) {
        let found = aadsts_catalog::event_pages_with_id(id);
        return Some(match found.as_slice() {
            [one] => Ok(render(ctx, one)),
            [] => Err(unknown(
                ctx,
                &format!("aadsts: no event page explains event ID {id}."),
            )),
            many => Ok(candidates(ctx, id, many)),
        });
    }
    let lower = query.to_ascii_lowercase();
    let (slug, _) = aadsts_catalog::split_event_page_id(&lower)?;
    // Only an id whose first part is a source slug is an event page id: `a-1` is not.
    let slug = event_source(slug)?.slug.as_ref();
    Some(match event_page(query) {
        Some(p) => Ok(render(ctx, p)),
        None => Err(unknown(
            ctx,
            &format!(
                "aadsts: no event page \"{}\". The {slug} pages: {}.",
                crate::echo(query),
                event_pages()
                    .filter(|p| p.source == slug)
                    .map(|p| p.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    })
}

fn render(ctx: &Ctx, p: &EventPage) -> String {
    match ctx.format {
        Format::Text => ev::text_page(&ctx.catalog, p, &ctx.style),
        Format::Md => ev::md_page(&ctx.catalog, p),
        Format::Html => {
            let body = ev::html_page(&ctx.catalog, p, html::Links::server("../")).into_string();
            html::document(&format!("{} ({}): {}", p.label(), p.id(), p.title), &body)
        }
        Format::Json => json::to_string(&ev::json_page(&ctx.catalog, p)),
    }
}

/// Several sources log an event with this ID: each page, to pick from.
fn candidates(ctx: &Ctx, id: u32, pages: &[&EventPage]) -> String {
    match ctx.format {
        Format::Text => format!(
            "Event ID {id} has a page for {} sources; read one with `aadsts explain <id>`:\n{}",
            pages.len(),
            ev::text_table(pages, &ctx.style)
        ),
        _ => list_as(ctx, pages),
    }
}

fn unknown(ctx: &Ctx, first: &str) -> Failure {
    let message = format!(
        "{first}\nSee `aadsts events` for the event pages there are, by source ({}).",
        event_sources()
            .iter()
            .map(|s| s.slug.as_ref())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let json = (ctx.format == Format::Json).then(|| {
        json::to_string(&json::ErrorJson {
            schema: json::ERROR_SCHEMA,
            error: "unknown_event",
            message: first.trim_start_matches("aadsts: ").to_string(),
            code: None,
            official_name: None,
            in_microsoft_table: None,
            lookup_url: None,
            suggestions: Vec::new(),
        })
    });
    Failure::NotFound { message, json }
}

fn list_as(ctx: &Ctx, pages: &[&EventPage]) -> String {
    match ctx.format {
        Format::Text => ev::text_index(pages, &ctx.style),
        Format::Md => ev::md_table(pages),
        Format::Html => html::document(
            "aadsts events",
            &ev::html_index(pages, html::Links::server("../")).into_string(),
        ),
        Format::Json => json::to_string(&ev::json_list(pages)),
    }
}

/// `aadsts events [--source SLUG]`.
pub(crate) fn list(ctx: &Ctx, source: Option<&str>) -> Outcome {
    if let Some(slug) = source {
        if event_source(slug).is_none() {
            return Err(Failure::Usage(format!(
                "aadsts: no event source \"{}\". Sources: {}",
                crate::echo(slug),
                event_sources()
                    .iter()
                    .map(|s| s.slug.as_ref())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let pages: Vec<&EventPage> = event_pages()
        .filter(|p| source.is_none_or(|s| p.source.eq_ignore_ascii_case(s.trim())))
        .collect();
    Ok(list_as(ctx, &pages))
}
