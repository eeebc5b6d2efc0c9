//! The report `aadsts explain` prints for pasted error text: what was found (codes, ids,
//! time, the values the message names), the fix steps of each page tailored with those
//! values, the pages themselves, and what to send to support.

use crate::json::{self, PageJson};
use crate::text::{self, paint, TextStyle, BOLD, DIM, HEADING};
use crate::{markdown, Format};
use aadsts_catalog::Catalog;
use aadsts_extract::{
    fill_template, is_loopback, markdown_code, markdown_text, Extraction, FoundError,
};
use aadsts_kb::{Page, FLOWS, VALUE_NAMES};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub const SCHEMA: &str = "aadsts.explain/1";

/// One found error with its page and tailored steps.
pub struct Item<'a> {
    pub error: &'a FoundError,
    pub page: Option<&'a Page>,
    /// The page's `[[tailor]]` templates whose every value was found, filled in.
    pub tailored: Vec<String>,
}

pub struct Report<'a> {
    pub extraction: &'a Extraction,
    pub items: Vec<Item<'a>>,
}

/// Every value of an error a template may use, the ids included.
pub fn all_values(e: &FoundError) -> BTreeMap<&'static str, String> {
    let mut v = e.values.clone();
    let ids = [
        ("trace_id", &e.trace_id),
        ("correlation_id", &e.correlation_id),
        ("request_id", &e.request_id),
        ("timestamp", &e.timestamp),
    ];
    for (k, x) in ids {
        if let Some(x) = x {
            v.insert(k, x.clone());
        }
    }
    v
}

pub fn build<'a>(cat: &'a Catalog, extraction: &'a Extraction) -> Report<'a> {
    let items = extraction
        .errors
        .iter()
        .map(|e| {
            let page = cat.get(e.code);
            let mut tailored = clue_steps(e);
            if let Some(p) = page {
                tailored.extend(tailor(p, e));
            }
            Item {
                error: e,
                page,
                tailored,
            }
        })
        .collect();
    Report { extraction, items }
}

/// The page's `[[tailor]]` steps for one error, as the clues in the text select them:
///
/// - a step is filled only with real values (placeholders and malformed values were set
///   apart by the extraction, so they are never filled in as if real);
/// - a step about other flows than the one the text reveals is left out (`flows`);
/// - the first step of the page is its main step: when the text names some of its values
///   (other than ids and times) but not all, it is still shown, with `<app-id>`-style
///   stand-ins for the missing ones (not when a missing value was a placeholder or
///   malformed: the clue step says what to do then);
/// - a step that doubts a redirect URI for its plain `http` is left out for a loopback URI
///   (`http://localhost:3000/…`), which Entra ID accepts for development.
fn tailor(p: &Page, e: &FoundError) -> Vec<String> {
    let values = all_values(e);
    let loopback_http = values
        .get("redirect_uri")
        .is_some_and(|u| u.to_ascii_lowercase().starts_with("http://") && is_loopback(u));
    let suspect = |name: &str| e.suspect_values.iter().any(|s| s.name == name);
    let mut out = Vec::new();
    for (i, t) in p.tailor.iter().enumerate() {
        if !t.applies_to(e.flow) {
            continue;
        }
        if loopback_http && t.text.contains("http instead of https") {
            continue;
        }
        if let Some(step) = fill_template(&t.text, &values) {
            out.push(step);
            continue;
        }
        if i > 0 {
            continue;
        }
        let names = aadsts_kb::placeholders(&t.text);
        let missing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !values.contains_key(n))
            .collect();
        // A value the step is about (not only an id or a time of the request).
        let some_found = names.iter().any(|n| {
            values.contains_key(n)
                && !matches!(
                    *n,
                    "trace_id" | "correlation_id" | "request_id" | "timestamp" | "error_uri"
                )
        });
        if some_found && !missing.iter().any(|n| suspect(n)) {
            let mut with_stand_ins = values.clone();
            for (name, _) in VALUE_NAMES {
                if missing.contains(name) {
                    with_stand_ins.insert(name, format!("<{}>", name.replace('_', "-")));
                }
            }
            out.extend(fill_template(&t.text, &with_stand_ins));
        }
    }
    out
}

/// Steps the clues in the text call for, before the page's own: a placeholder is the
/// likely cause, and a malformed value is a bug in the caller's configuration.
fn clue_steps(e: &FoundError) -> Vec<String> {
    e.suspect_values
        .iter()
        .map(|s| {
            let what = label(s.name);
            let value = markdown_code(&s.value);
            if s.kind == "placeholder" {
                format!(
                    "The request carried a placeholder, not a real value: {what} {value} ({}). This is the likely cause: put the real {} in the configuration, environment variable or parameter the caller reads, and check that it is loaded before the sign-in starts.",
                    s.reason,
                    what_lower(what)
                )
            } else {
                format!(
                    "{what} {value} is malformed ({}): a bug in the caller's configuration, not something to register. Correct the value where the app or tool builds it (configuration, environment variable, reverse proxy headers), then retry.",
                    s.reason
                )
            }
        })
        .collect()
}

fn what_lower(label: &str) -> String {
    // "App (client) ID" → "app (client) ID"; acronyms stay.
    let mut c = label.chars();
    match c.next() {
        Some(f)
            if c.clone()
                .next()
                .is_some_and(|n| n.is_lowercase() || n == ' ') =>
        {
            f.to_lowercase().chain(c).collect()
        }
        _ => label.to_string(),
    }
}

/// The label of a flow name (`on-behalf-of` → "On-behalf-of (…)").
fn flow_label(flow: &str) -> &str {
    FLOWS
        .iter()
        .find(|(n, _)| *n == flow)
        .map_or(flow, |(_, l)| *l)
}

/// One step of Markdown as plain text on one line, for machines and one-line contexts:
/// emphasis and link markup dropped (a link keeps its address in angle brackets), code
/// spans without their backticks, and a fenced code block as its lines joined by `; `
/// after a colon, never as its fence tag.
pub fn plain_text(md: &str) -> String {
    aadsts_kb::markdown_to_plain(md)
}

fn label(name: &str) -> &'static str {
    VALUE_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, l)| *l)
        .unwrap_or("Value")
}

/// The lines that identify one error to Microsoft support or an admin, in the order they
/// ask for them.
pub(crate) fn support_fields(e: &FoundError) -> Vec<(&'static str, String)> {
    let mut out = vec![("Error code", format!("AADSTS{}", e.code))];
    if let Some(c) = &e.correlation_id {
        out.push(("Correlation ID", c.clone()));
    }
    if let Some(t) = &e.trace_id {
        out.push(("Trace ID", t.clone()));
    }
    if let Some(r) = e
        .request_id
        .as_ref()
        .filter(|r| e.trace_id.as_ref() != Some(*r))
    {
        out.push(("Request ID", r.clone()));
    }
    if let Some(t) = &e.timestamp {
        out.push(("Timestamp (UTC)", t.clone()));
    }
    for k in ["app_id", "tenant", "user"] {
        if let Some(v) = e.values.get(k) {
            out.push((label(k), v.clone()));
        }
    }
    out
}

pub(crate) fn found_fields(e: &FoundError) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(o) = &e.oauth_error {
        out.push(("OAuth error", o.clone()));
    }
    if let Some(s) = &e.suberror {
        out.push(("Suberror", s.clone()));
    }
    let values = all_values(e);
    // In the order of VALUE_NAMES: ids and time first, then what the message names.
    for (k, l) in VALUE_NAMES {
        let Some(v) = values.get(k) else { continue };
        if *k == "request_id" && e.trace_id.as_ref() == Some(v) {
            continue;
        }
        // The claims challenge is long JSON: shown in full in JSON output only.
        if *k == "claims" {
            out.push((l, "present (see --format json)".into()));
            continue;
        }
        out.push((l, v.clone()));
    }
    if let Some(f) = e.flow {
        out.push(("Flow", flow_label(f).to_string()));
    }
    for sv in &e.suspect_values {
        out.push((
            label(sv.name),
            format!("{} ({}: {})", sv.value, sv.kind, sv.reason),
        ));
    }
    if e.mentions > 0 {
        out.push((
            "Mentioned again",
            format!(
                "{} time{} in the surrounding text (not separate errors)",
                e.mentions,
                if e.mentions == 1 { "" } else { "s" }
            ),
        ));
    }
    if e.count > 1 {
        let mut seen = format!("{} times", e.count);
        if !e.other_correlation_ids.is_empty() {
            let _ = write!(
                seen,
                " (other correlation IDs: {})",
                e.other_correlation_ids.join(", ")
            );
        }
        out.push(("Seen", seen));
    }
    out
}

fn summary_line(e: &FoundError, page: Option<&Page>) -> String {
    let mut s = match page {
        Some(p) => p.title.to_string(),
        None => "no page in this catalog".into(),
    };
    if e.count > 1 {
        let _ = write!(s, "  (×{})", e.count);
    }
    s
}

fn header(r: &Report) -> String {
    let n = r.items.len();
    let mut h = format!("Found {n} distinct error{}", if n == 1 { "" } else { "s" });
    if !r.extraction.decoded.is_empty() {
        let _ = write!(h, " (after undoing {})", r.extraction.decoded.join(", "));
    }
    h
}

pub fn text(cat: &Catalog, r: &Report, style: &TextStyle) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", paint(style, BOLD, &header(r)));
    for (i, it) in r.items.iter().enumerate() {
        let e = it.error;
        let _ = writeln!(
            out,
            "{}. {}  {}",
            i + 1,
            paint(style, BOLD, &format!("AADSTS{}", e.code)),
            summary_line(e, it.page)
        );
        if let Some(m) = &e.message {
            out.push_str(&text::block(&format!("“{m}”"), "   ", "   ", style));
        }
        for (k, v) in found_fields(e) {
            let _ = writeln!(out, "   {:<22} {v}", paint(style, DIM, k));
        }
        out.push('\n');
    }
    let mut shown = std::collections::HashSet::new();
    for it in &r.items {
        let e = it.error;
        let rule = format!("━━ AADSTS{} ━━", e.code);
        let _ = writeln!(out, "{}", paint(style, HEADING, &rule));
        match it.page {
            Some(p) => {
                if !it.tailored.is_empty() {
                    let _ = writeln!(out, "{}", paint(style, HEADING, "For this error"));
                    for (n, t) in it.tailored.iter().enumerate() {
                        let first = format!("  {}. ", n + 1);
                        out.push_str(&text::block(t, &first, "     ", style));
                    }
                    out.push('\n');
                }
                if shown.insert(p.code) {
                    out.push_str(&text::page(cat, p, style));
                } else {
                    let _ = writeln!(out, "{}", page_above(p));
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "No page for AADSTS{} in this catalog. Microsoft's lookup: {}",
                    e.code,
                    aadsts_catalog::lookup_url(e.code)
                );
            }
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", paint(style, HEADING, "Send to support"));
    let _ = writeln!(
        out,
        "Paste these lines into the ticket; the correlation ID and the UTC time let an admin find the row in Entra ID → Monitoring & health → Sign-in logs."
    );
    for it in &r.items {
        out.push('\n');
        for (k, v) in support_fields(it.error) {
            let _ = writeln!(out, "  {k:<16} {v}");
        }
    }
    out
}

/// What stands in for a page already shown for an earlier error with the same code: a text
/// of many variants of one error (different messages) printed the whole page for each,
/// hundreds of megabytes for one megabyte of input (issue 22).
fn page_above(p: &Page) -> String {
    format!("The page for {} is shown above.", p.label())
}

pub fn markdown(cat: &Catalog, r: &Report) -> String {
    let mut out = format!("# {}\n\n", header(r));
    let mut shown = std::collections::HashSet::new();
    for it in &r.items {
        let e = it.error;
        let _ = writeln!(out, "- **AADSTS{}**: {}", e.code, summary_line(e, it.page));
    }
    for it in &r.items {
        let e = it.error;
        let _ = writeln!(out, "\n---\n\n## AADSTS{} in this text\n", e.code);
        // What the pasted text says is data, never Markdown: escaped in running text, and in
        // code spans whose fence no backtick of the value can close (issue 22).
        if let Some(m) = &e.message {
            let _ = writeln!(out, "> {}\n", markdown_text(m));
        }
        let fields = found_fields(e);
        if !fields.is_empty() {
            out.push_str("| Found | Value |\n|---|---|\n");
            for (k, v) in fields {
                let _ = writeln!(out, "| {k} | {} |", markdown_code(&v).replace('|', "\\|"));
            }
            out.push('\n');
        }
        if !it.tailored.is_empty() {
            out.push_str("### For this error\n\n");
            for (n, t) in it.tailored.iter().enumerate() {
                let _ = writeln!(out, "{}. {t}", n + 1);
            }
            out.push('\n');
        }
        match it.page {
            Some(p) if shown.insert(p.code) => out.push_str(&markdown::page(cat, p)),
            Some(p) => {
                let _ = writeln!(out, "{}", page_above(p));
            }
            None => {
                let _ = writeln!(
                    out,
                    "No page in this catalog. Microsoft's lookup: <{}>",
                    aadsts_catalog::lookup_url(e.code)
                );
            }
        }
    }
    out.push_str("\n---\n\n## Send to support\n\n");
    for it in &r.items {
        for (k, v) in support_fields(it.error) {
            let _ = writeln!(out, "- {k}: {}", markdown_code(&v));
        }
        out.push('\n');
    }
    out
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    #[serde(flatten)]
    found: &'a FoundError,
    in_catalog: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    lookup_url: String,
    tailored_steps: &'a [String],
    /// The same steps as plain text (no Markdown), for machines and one-line contexts.
    tailored_steps_text: Vec<String>,
}

#[derive(Serialize)]
struct ReportJson<'a> {
    schema: &'static str,
    input_bytes: usize,
    decoded: &'a [&'static str],
    errors: Vec<ErrorOut<'a>>,
    pages: Vec<PageJson<'a>>,
}

pub fn json(cat: &'_ Catalog, r: &Report) -> String {
    let errors = r
        .items
        .iter()
        .map(|it| ErrorOut {
            found: it.error,
            in_catalog: it.page.is_some(),
            title: it.page.map(|p| p.title.as_ref()),
            lookup_url: aadsts_catalog::lookup_url(it.error.code),
            tailored_steps: &it.tailored,
            tailored_steps_text: it.tailored.iter().map(|t| plain_text(t)).collect(),
        })
        .collect();
    // Each page once, however many errors share its code.
    let mut shown = std::collections::HashSet::new();
    let pages = r
        .items
        .iter()
        .filter_map(|it| it.page)
        .filter(|p| shown.insert(p.code))
        .map(|p| json::page_value(cat, p))
        .collect();
    json::to_string(&ReportJson {
        schema: SCHEMA,
        input_bytes: r.extraction.input_bytes,
        decoded: &r.extraction.decoded,
        errors,
        pages,
    })
}

/// The report in any format.
pub fn render(cat: &Catalog, r: &Report, format: Format, style: &TextStyle) -> String {
    match format {
        Format::Text => text(cat, r, style),
        Format::Md => markdown(cat, r),
        Format::Html => {
            crate::html::document(&header(r), &crate::html::markdown(&markdown(cat, r)))
        }
        Format::Json => json(cat, r),
    }
}
