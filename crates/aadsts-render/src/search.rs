//! Search results, code pages and event pages ranked together (issue 21): the table of
//! `aadsts search` and of the explain fallback in text, Markdown and HTML, and the
//! `aadsts.search/1` document that the CLI and `/api/v1/search` print.

use crate::event_pages::{event_summary, EventSummary};
use crate::html::Links;
use crate::json::{self, Summary};
use crate::text::{paint, severity_style, TextStyle, BOLD, DIM};
use aadsts_catalog::{Catalog, EventPage};
use aadsts_kb::Page;
use aadsts_search::{Doc, Hit};
use maud::{html, Markup};
use serde::Serialize;
use std::fmt::Write as _;

/// A page a search found.
#[derive(Debug, Clone, Copy)]
pub enum Found<'a> {
    Code(&'a Page),
    Event(&'a EventPage),
}

impl Found<'_> {
    /// How the result names itself: `AADSTS50053`, `security-4740`.
    pub fn label(&self) -> String {
        match self {
            Found::Code(p) => p.label(),
            Found::Event(e) => e.id(),
        }
    }

    pub fn title(&self) -> &str {
        match self {
            Found::Code(p) => &p.title,
            Found::Event(e) => &e.title,
        }
    }

    pub fn severity(&self) -> aadsts_kb::Severity {
        match self {
            Found::Code(p) => p.severity,
            Found::Event(e) => e.severity,
        }
    }

    fn fixer(&self) -> &'static str {
        match self {
            Found::Code(p) => p.fixer.as_str(),
            Found::Event(e) => e.fixer.as_str(),
        }
    }

    fn signal(&self) -> &'static str {
        match self {
            Found::Code(p) => p.signal.as_str(),
            Found::Event(e) => e.signal.as_str(),
        }
    }

    /// The link to the page.
    pub fn href(&self, links: Links) -> String {
        match self {
            Found::Code(p) => links.code(p.code),
            Found::Event(e) => links.event(&e.id()),
        }
    }
}

/// A page with its score, best first in a list.
#[derive(Debug, Clone, Copy)]
pub struct Ranked<'a> {
    pub found: Found<'a>,
    pub score: f32,
}

/// The pages of search hits in `cat`, in the hits' order; a code the catalog does not hold
/// (it cannot happen with the catalog the index was built from) is left out.
pub fn resolve<'a>(cat: &'a Catalog, hits: &[Hit]) -> Vec<Ranked<'a>> {
    hits.iter()
        .filter_map(|h| {
            let found = match h.doc {
                Doc::Code(c) => Found::Code(cat.get(c)?),
                Doc::Event(e) => Found::Event(e),
            };
            Some(Ranked {
                found,
                score: h.score,
            })
        })
        .collect()
}

fn count(found: &[Ranked]) -> String {
    let events = found
        .iter()
        .filter(|r| matches!(r.found, Found::Event(_)))
        .count();
    let codes = found.len() - events;
    match (codes, events) {
        (c, 0) => format!("{c} code(s)"),
        (0, e) => format!("{e} event page(s)"),
        (c, e) => format!("{c} code(s), {e} event page(s)"),
    }
}

/// One line per page: what it is (`AADSTS50053`, `security-4740`), severity, fixer, signal,
/// title (cut to the terminal's width), with a count at the end.
pub fn text(found: &[Ranked], style: &TextStyle) -> String {
    let width = found
        .iter()
        .map(|r| r.found.label().len())
        .max()
        .unwrap_or(0)
        .max(14);
    let mut out = String::new();
    let head = format!(
        "{:<width$} {:<9} {:<10} {:<10} TITLE",
        "PAGE", "SEVERITY", "FIXER", "SIGNAL"
    );
    let _ = writeln!(out, "{}", paint(style, BOLD, &head));
    for r in found {
        let f = &r.found;
        let sev = format!("{:<9}", f.severity().as_str());
        let mut title = f.title().to_string();
        if let Some(w) = style.width {
            // Cut long titles rather than wrap a table row.
            let room = w.saturating_sub(width + 33).max(10);
            if title.chars().count() > room {
                title = title.chars().take(room.saturating_sub(1)).collect();
                title.push('…');
            }
        }
        let _ = writeln!(
            out,
            "{:<width$} {} {:<10} {:<10} {title}",
            f.label(),
            paint(style, severity_style(f.severity()), &sev),
            f.fixer(),
            f.signal(),
        );
    }
    let _ = writeln!(out, "{}", paint(style, DIM, &count(found)));
    out
}

/// A Markdown table of the pages.
pub fn markdown(found: &[Ranked]) -> String {
    let mut out =
        String::from("| Page | Title | Severity | Fixer | Signal |\n|---|---|---|---|---|\n");
    for r in found {
        let f = &r.found;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            f.label(),
            f.title().replace('|', "\\|"),
            f.severity(),
            f.fixer(),
            f.signal()
        );
    }
    out
}

/// An HTML table of the pages, each linked through `links`.
pub fn html(found: &[Ranked], links: Links) -> Markup {
    html! {
        table {
            thead { tr { th { "Page" } th { "Title" } th { "Severity" } th { "Fixer" } th { "Signal" } } }
            tbody {
                @for r in found {
                    tr {
                        td { a href=(r.found.href(links)) { (r.found.label()) } }
                        td { (r.found.title()) }
                        td { (r.found.severity()) }
                        td { (r.found.fixer()) }
                        td { (r.found.signal()) }
                    }
                }
            }
        }
    }
}

/// The summary of a result: a code page's or an event page's.
#[derive(Serialize)]
#[serde(untagged)]
pub enum HitSummary<'a> {
    Code(Summary<'a>),
    Event(EventSummary<'a>),
}

/// One result of `aadsts.search/1`: `kind` (`code` or `event`), the page's summary, score.
#[derive(Serialize)]
pub struct SearchHitJson<'a> {
    pub kind: &'static str,
    #[serde(flatten)]
    pub summary: HitSummary<'a>,
    pub score: f32,
}

#[derive(Serialize)]
pub struct SearchJson<'a> {
    pub schema: &'static str,
    pub query: &'a str,
    pub count: usize,
    pub results: Vec<SearchHitJson<'a>>,
}

/// The `aadsts.search/1` document of ranked pages.
pub fn json(cat: &Catalog, query: &str, found: &[Ranked]) -> String {
    let results = found
        .iter()
        .map(|r| match r.found {
            Found::Code(p) => SearchHitJson {
                kind: "code",
                summary: HitSummary::Code(json::summary(cat, p)),
                score: r.score,
            },
            Found::Event(e) => SearchHitJson {
                kind: "event",
                summary: HitSummary::Event(event_summary(e)),
                score: r.score,
            },
        })
        .collect::<Vec<_>>();
    json::to_string(&SearchJson {
        schema: json::SEARCH_SCHEMA,
        query,
        count: results.len(),
        results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(q: &str) -> (Catalog, Vec<aadsts_search::Hit>) {
        let cat = Catalog::builtin();
        let hits = aadsts_search::Index::new(&cat).search(q, 10);
        (cat, hits)
    }

    /// Code and event results say which they are, in every format.
    #[test]
    fn mixed_results_name_their_kind() {
        let (cat, hits) = ranked("account locked out caller computer");
        let found = resolve(&cat, &hits);
        assert!(found.iter().any(|r| matches!(r.found, Found::Event(_))));
        assert!(found.iter().any(|r| matches!(r.found, Found::Code(_))));

        let t = text(&found, &TextStyle::PLAIN);
        assert!(t.starts_with("PAGE "), "{t}");
        assert!(
            t.lines().nth(1).unwrap().starts_with("security-4740 "),
            "{t}"
        );
        assert!(t.lines().any(|l| l.starts_with("AADSTS50053 ")), "{t}");
        assert!(t.trim_end().ends_with("event page(s)"), "{t}");

        let v: serde_json::Value = serde_json::from_str(&json(&cat, "q", &found)).unwrap();
        assert_eq!(v["schema"], "aadsts.search/1");
        assert_eq!(v["count"], found.len());
        let first = &v["results"][0];
        assert_eq!(first["kind"], "event");
        assert_eq!(first["id"], "security-4740");
        assert_eq!(first["event"], 4740);
        assert!(first["score"].as_f64().unwrap() > 0.0);
        let code = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == "code")
            .unwrap();
        assert!(code["code"].is_u64() && code["label"].is_string(), "{code}");

        let h = html(&found, Links::server("/")).into_string();
        assert!(h.contains("href=\"/events/security-4740\""), "{h}");
        assert!(h.contains("href=\"/codes/50053\""), "{h}");
        let md = markdown(&found);
        assert!(md.lines().nth(2).unwrap().starts_with("| security-4740 |"));
    }

    /// Only code pages: the count reads as before.
    #[test]
    fn code_results_alone_count_codes() {
        let (cat, hits) = ranked("secret expired");
        let found = resolve(&cat, &hits[..3]);
        let t = text(&found, &TextStyle::PLAIN);
        assert!(t.trim_end().ends_with("3 code(s)"), "{t}");
    }
}
