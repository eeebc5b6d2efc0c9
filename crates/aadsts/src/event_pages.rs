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

/// What one pasted event says, beside its page.
#[derive(serde::Serialize)]
struct PastedEventJson<'a> {
    provider: &'a str,
    channel: &'a str,
    event_id: u32,
    level: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<&'a str>,
    computer: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    machine: Option<&'a str>,
    /// AADSTS codes the event's text carries (a device's AAD log holds the server's answer).
    codes: &'a [u32],
    /// The page id, or absent when no page explains this provider and ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

#[derive(serde::Serialize)]
struct PastedJson<'a> {
    schema: &'static str,
    count: usize,
    /// Events beyond the first 20 of the paste (not explained; scan the log instead).
    not_shown: usize,
    events: Vec<PastedEventJson<'a>>,
    /// The event pages, once each, in order of first use.
    pages: Vec<ev::EventPageJson<'a>>,
}

/// `aadsts explain` of a pasted Windows event (XML, or Event Viewer's text view): for each
/// event the values it holds (provider, ID, time, computer, user, machine, AADSTS codes)
/// and its page. `None` when the text holds no event, so explain goes on with codes.
/// AADSTS codes inside an event's text are explained after the events, as a paste of
/// error text would be.
pub(crate) fn explain_pasted(ctx: &Ctx, input: &str) -> Option<Outcome> {
    let pasted = aadsts_events::Pasted::read(input)?;
    let pages = pasted.pages();
    let extraction = aadsts_extract::extract(pasted.code_text().as_bytes());
    let report = |format| {
        (!extraction.errors.is_empty()).then(|| {
            let r = aadsts_render::report::build(&ctx.catalog, &extraction);
            aadsts_render::report::render(&ctx.catalog, &r, format, &ctx.style)
        })
    };
    Some(Ok(match ctx.format {
        Format::Json => json::to_string(&PastedJson {
            schema: "aadsts.pasted-events/1",
            count: pasted.events.len() + pasted.not_shown,
            not_shown: pasted.not_shown,
            events: pasted
                .events
                .iter()
                .map(|p| PastedEventJson {
                    provider: &p.event.provider,
                    channel: &p.event.channel,
                    event_id: p.event.event_id,
                    level: p.event.level.as_str(),
                    time: p.event.time.as_deref(),
                    computer: &p.event.computer,
                    user: p.user.as_deref(),
                    machine: p.machine.as_deref(),
                    codes: &p.codes,
                    page: p.page.map(|p| p.id()),
                })
                .collect(),
            pages: pages
                .iter()
                .map(|p| ev::json_page(&ctx.catalog, p))
                .collect(),
        }),
        Format::Html => {
            let lines: Vec<(String, String)> = pasted
                .events
                .iter()
                .map(|p| (p.facts(), p.page_line()))
                .collect();
            let pages_html: Vec<_> = pages
                .iter()
                .map(|p| ev::html_page(&ctx.catalog, p, html::Links::server("../")))
                .collect();
            // The codes' report as HTML body (what `report::render` wraps in a document).
            let report_body = report(Format::Md).map(|md| html::markdown(&md));
            let note = pasted.not_shown_note();
            let body =
                ev::html_pasted(&lines, note.as_deref(), &pages_html, report_body.as_deref());
            html::document("aadsts: pasted Windows events", &body.into_string())
        }
        format => {
            let md = format == Format::Md;
            let mut out = String::new();
            for (i, p) in pasted.events.iter().enumerate() {
                if md {
                    out.push_str(&format!(
                        "- **Pasted event {}**: {}. {}.\n",
                        i + 1,
                        p.facts(),
                        p.page_line()
                    ));
                } else {
                    out.push_str(&format!(
                        "Pasted event {}: {}\n  {}\n",
                        i + 1,
                        p.facts(),
                        p.page_line()
                    ));
                }
            }
            if let Some(n) = pasted.not_shown_note() {
                out.push_str(&n);
                out.push('\n');
            }
            for p in &pages {
                out.push('\n');
                out.push_str(&if md {
                    ev::md_page(&ctx.catalog, p)
                } else {
                    ev::text_page(&ctx.catalog, p, &ctx.style)
                });
            }
            if let Some(r) = report(format) {
                out.push('\n');
                out.push_str(&r);
            }
            out
        }
    }))
}
