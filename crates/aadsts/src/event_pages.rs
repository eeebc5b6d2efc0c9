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

/// At most this many pasted events are explained one by one; a longer paste is a log, for
/// `aadsts scan`.
const MAX_PASTED_EVENTS: usize = 20;

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
    user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    machine: Option<String>,
    /// AADSTS codes the event's text carries (a device's AAD log holds the server's answer).
    codes: Vec<u32>,
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
    let events = aadsts_events::parse_pasted(input);
    if events.is_empty() {
        return None;
    }
    let shown = &events[..events.len().min(MAX_PASTED_EVENTS)];
    let not_shown = events.len() - shown.len();
    let pages: Vec<Option<&'static EventPage>> = shown
        .iter()
        .map(|e| aadsts_catalog::event_page_for(&e.provider, e.event_id))
        .collect();
    let who = |e: &aadsts_events::Event, p: Option<&EventPage>| {
        let uf: Vec<&str> = p
            .map(|p| p.user_fields.iter().map(|s| s.as_ref()).collect())
            .unwrap_or_default();
        let mf: Vec<&str> = p
            .map(|p| p.machine_fields.iter().map(|s| s.as_ref()).collect())
            .unwrap_or_default();
        (
            aadsts_events::user_of(e, &uf),
            aadsts_events::machine_of(e, &mf),
        )
    };
    // The codes the events carry, explained with the normal report (text with the codes).
    let code_text: String = shown
        .iter()
        .flat_map(|e| {
            e.message
                .iter()
                .cloned()
                .chain(e.data.iter().map(|(_, v)| v.clone()))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let extraction = aadsts_extract::extract(code_text.as_bytes());
    let mut unique: Vec<&'static EventPage> = Vec::new();
    for p in pages.iter().flatten() {
        if !unique.iter().any(|u| std::ptr::eq(*u, *p)) {
            unique.push(p);
        }
    }
    Some(Ok(match ctx.format {
        Format::Json => {
            let events_json = shown
                .iter()
                .zip(&pages)
                .map(|(e, p)| {
                    let (user, machine) = who(e, *p);
                    PastedEventJson {
                        provider: &e.provider,
                        channel: &e.channel,
                        event_id: e.event_id,
                        level: e.level.as_str(),
                        time: e.time.as_deref(),
                        computer: &e.computer,
                        user,
                        machine,
                        codes: e.aadsts_codes(),
                        page: p.map(|p| p.id()),
                    }
                })
                .collect();
            json::to_string(&PastedJson {
                schema: "aadsts.pasted-events/1",
                count: events.len(),
                not_shown,
                events: events_json,
                pages: unique
                    .iter()
                    .map(|p| ev::json_page(&ctx.catalog, p))
                    .collect(),
            })
        }
        format => {
            let mut lines: Vec<(String, String)> = Vec::new();
            for (e, p) in shown.iter().zip(&pages) {
                let (user, machine) = who(e, *p);
                let mut facts = vec![
                    format!("{} event {} ({})", e.provider, e.event_id, e.level.as_str()),
                    format!(
                        "log {}",
                        if e.channel.is_empty() {
                            "?"
                        } else {
                            &e.channel
                        }
                    ),
                ];
                if let Some(t) = &e.time {
                    facts.push(format!("at {t}"));
                }
                if !e.computer.is_empty() {
                    facts.push(format!("on {}", e.computer));
                }
                if let Some(u) = user {
                    facts.push(format!("user {u}"));
                }
                if let Some(m) = machine {
                    facts.push(format!("client {m}"));
                }
                let codes = e.aadsts_codes();
                if !codes.is_empty() {
                    facts.push(format!(
                        "carries {}",
                        codes
                            .iter()
                            .map(|c| format!("AADSTS{c}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                let page_line = match p {
                    Some(p) => format!("explained by page {}: {}", p.id(), p.title),
                    None => format!(
                        "no page explains {}/{}; `aadsts events` lists the events that have one",
                        e.provider, e.event_id
                    ),
                };
                lines.push((facts.join(", "), page_line));
            }
            let note = (not_shown > 0).then(|| {
                format!(
                    "{not_shown} more event(s) in the text were not explained one by one; `aadsts scan` reads a whole log."
                )
            });
            let report = (!extraction.errors.is_empty()).then(|| {
                let r = aadsts_render::report::build(&ctx.catalog, &extraction);
                aadsts_render::report::render(&ctx.catalog, &r, format, &ctx.style)
            });
            if format == Format::Html {
                let pages_html: Vec<_> = unique
                    .iter()
                    .map(|p| ev::html_page(&ctx.catalog, p, html::Links::server("../")))
                    .collect();
                // The report is a whole document; its body goes under the events.
                let report_body = report.as_deref().map(|doc| {
                    doc.split_once("<body>")
                        .and_then(|(_, b)| b.rsplit_once("</body>"))
                        .map_or(doc, |(b, _)| b)
                });
                let body = ev::html_pasted(&lines, note.as_deref(), &pages_html, report_body);
                html::document("aadsts: pasted Windows events", &body.into_string())
            } else {
                let md = format == Format::Md;
                let mut out = String::new();
                for (i, (facts, page)) in lines.iter().enumerate() {
                    if md {
                        out.push_str(&format!("- **Pasted event {}**: {facts}. {page}.\n", i + 1));
                    } else {
                        out.push_str(&format!("Pasted event {}: {facts}\n  {page}\n", i + 1));
                    }
                }
                if let Some(n) = &note {
                    out.push_str(n);
                    out.push('\n');
                }
                for p in &unique {
                    out.push('\n');
                    out.push_str(&if md {
                        ev::md_page(&ctx.catalog, p)
                    } else {
                        ev::text_page(&ctx.catalog, p, &ctx.style)
                    });
                }
                if let Some(r) = report {
                    out.push('\n');
                    out.push_str(&r);
                }
                out
            }
        }
    }))
}
