//! Renderings of event pages (kb/events): terminal text, Markdown, HTML and JSON, and the
//! part of a code page that lists the on-premises events that explain the code. The body
//! of an event page goes through the same helpers as a code page's.

use crate::html::{md, Links};
use crate::text::{self, paint, TextStyle, BOLD, DIM};
use aadsts_catalog::{event_pages_for_code, event_source, Catalog, EventPage, EventSource};
use aadsts_kb::{DocLink, Faq, Review, Sources};
use maud::{html, Markup};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;

pub const EVENT_SCHEMA: &str = "aadsts.event/1";
pub const EVENTS_SCHEMA: &str = "aadsts.events/1";

fn any_inference(p: &EventPage) -> bool {
    p.cause_sources
        .iter()
        .chain(p.fix_sources.iter())
        .any(|s| s.inference)
}

fn signal_words(p: &EventPage) -> &'static str {
    match p.signal {
        aadsts_kb::Signal::Failure => "a failure",
        _ => "healthy operation (worth a look only as the page says)",
    }
}

/// `PasswordResetService in the Application log. Where: Entra Connect server`.
fn where_logged(s: &EventSource) -> String {
    format!(
        "{} in the {} log. Where: {}",
        s.providers.join(" / "),
        s.channel,
        s.server
    )
}

// ---------------------------------------------------------------- text

/// An event page for the terminal.
pub fn text_page(cat: &Catalog, p: &EventPage, style: &TextStyle) -> String {
    let mut out = String::new();
    let source = event_source(&p.source);
    let mut head = paint(style, BOLD, &p.label());
    if let Some(s) = source {
        head.push_str("  ");
        head.push_str(&s.providers.join(" / "));
    }
    if let Some(n) = &p.name {
        head.push_str("  ");
        head.push_str(&paint(style, DIM, n));
    }
    head.push_str("  ");
    head.push_str(&paint(style, DIM, &format!("({})", p.id())));
    let _ = writeln!(out, "{head}");
    let _ = writeln!(out, "{}", p.title);
    let _ = writeln!(
        out,
        "level: {}  ·  {}  ·  fixed by: {}  ·  {}",
        p.level,
        paint(
            style,
            text::severity_style(p.severity),
            &format!("severity: {}", p.severity)
        ),
        p.fixer,
        signal_words(p)
    );
    if let Some(s) = source {
        text::emit(
            &mut out,
            &format!("Logged by {}. Source: {}.", where_logged(s), s.title),
            "",
            "",
            &TextStyle {
                color: false,
                ..*style
            },
        );
    }
    text::heading(&mut out, "What it means", style);
    for para in p.meaning.iter() {
        text::emit(&mut out, para, "", "", style);
    }
    text::numbered(
        &mut out,
        "Common causes",
        &p.causes,
        &p.cause_sources,
        &p.docs,
        style,
    );
    text::numbered(
        &mut out,
        "How to fix",
        &p.fix,
        &p.fix_sources,
        &p.docs,
        style,
    );
    text::bullets(&mut out, "Diagnose", &p.diagnose, style);
    text::bullets(&mut out, "Collect for support", &p.collect, style);
    text::faq(&mut out, &p.faq, style);
    if !p.codes.is_empty() {
        text::heading(&mut out, "Sign-in errors it explains", style);
        for c in p.codes.iter() {
            let title = cat.get(*c).map(|r| r.title.as_ref()).unwrap_or("(no page)");
            let _ = writeln!(
                out,
                "  {}  {}",
                paint(style, BOLD, &format!("AADSTS{c}")),
                title
            );
        }
    }
    if !p.related.is_empty() {
        text::heading(&mut out, "Related events", style);
        for r in p.related.iter() {
            let title = aadsts_catalog::event_page(r)
                .map(|e| e.title.as_ref())
                .unwrap_or("(no page)");
            let _ = writeln!(out, "  {}  {}", paint(style, BOLD, r), title);
        }
    }
    let inference = any_inference(p).then_some(
        "[inference] marks a step no source states: our reasoning from the sources and the event; verify it on your server before you rely on it.",
    );
    text::sources_section(
        &mut out,
        p.documented,
        &p.docs,
        None,
        inference,
        p.review.as_ref(),
        style,
    );
    out
}

/// The part of a code page that lists the event pages naming the code (nothing when none).
pub(crate) fn text_for_code(out: &mut String, code: u32, style: &TextStyle) {
    let events = event_pages_for_code(code);
    let Some(first) = events.first() else {
        return;
    };
    text::heading(out, "On-premises events that explain it", style);
    let example = first.id();
    for e in &events {
        let provider = event_source(&e.source)
            .map(|s| format!(" ({})", s.providers.join(" / ")))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}  {}{}: {}",
            paint(style, BOLD, &format!("{:<17}", e.id())),
            e.label(),
            provider,
            e.title
        );
    }
    let _ = writeln!(
        out,
        "  {}",
        paint(
            style,
            DIM,
            &format!(
                "Read one with `aadsts explain <id>`, for example `aadsts explain {example}`."
            )
        )
    );
}

/// Event pages grouped under their source (title, provider, log, server), a table each.
pub fn text_index(pages: &[&EventPage], style: &TextStyle) -> String {
    let mut out = String::new();
    for s in aadsts_catalog::event_sources() {
        let group: Vec<&EventPage> = pages
            .iter()
            .copied()
            .filter(|p| p.source == s.slug)
            .collect();
        if group.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{}  {}",
            paint(style, text::HEADING, &s.title),
            paint(style, DIM, &format!("(--source {})", s.slug))
        );
        let _ = writeln!(
            out,
            "{}",
            paint(style, DIM, &format!("{}.", where_logged(s)))
        );
        out.push_str(&text_rows(&group, style));
    }
    let _ = writeln!(
        out,
        "\n{}",
        paint(style, DIM, &format!("{} event page(s)", pages.len()))
    );
    out
}

/// One line per event page: id, level, severity, title, with a count at the end.
pub fn text_table(pages: &[&EventPage], style: &TextStyle) -> String {
    let mut out = text_rows(pages, style);
    let _ = writeln!(
        out,
        "{}",
        paint(style, DIM, &format!("{} event page(s)", pages.len()))
    );
    out
}

fn text_rows(pages: &[&EventPage], style: &TextStyle) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint(
            style,
            BOLD,
            &format!(
                "{:<18} {:<8} {:<14} {:<9} {}",
                "ID", "EVENT", "LEVEL", "SEVERITY", "TITLE"
            )
        )
    );
    for p in pages {
        let sev = format!("{:<9}", p.severity.as_str());
        let _ = writeln!(
            out,
            "{:<18} {:<8} {:<14} {} {}",
            p.id(),
            p.event,
            p.level.as_str(),
            paint(style, text::severity_style(p.severity), &sev),
            p.title
        );
    }
    out
}

// ---------------------------------------------------------------- Markdown

fn md_refs(docs: &[DocLink], s: &Sources) -> String {
    let mut out: Vec<String> = aadsts_kb::cited_docs(docs, s)
        .map(|(n, d)| format!("[\\[{n}\\]]({})", d.url))
        .collect();
    if s.inference {
        out.push("*\\[inference\\]*".into());
    }
    out.join(" ")
}

/// An event page as Markdown, in the shape of a code page.
pub fn md_page(cat: &Catalog, p: &EventPage) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} ({}): {}\n", p.label(), p.id(), p.title);
    let mut facts = Vec::new();
    if let Some(n) = &p.name {
        facts.push(format!("**Name:** `{n}`"));
    }
    if let Some(s) = event_source(&p.source) {
        facts.push(format!("**Provider:** `{}`", s.providers.join("` / `")));
        facts.push(format!("**Log:** {}", s.channel));
        facts.push(format!("**Where:** {}", s.server));
    }
    facts.push(format!("**Level:** {}", p.level));
    facts.push(format!("**Severity:** {}", p.severity));
    facts.push(format!("**Who fixes it:** {}", p.fixer));
    facts.push(format!("**Signal:** {}", p.signal));
    for f in facts {
        let _ = writeln!(out, "- {f}");
    }
    out.push_str("\n## What it means\n\n");
    for para in p.meaning.iter() {
        let _ = writeln!(out, "{para}\n");
    }
    let refs = |s: &Sources| md_refs(&p.docs, s);
    crate::markdown::steps(
        &mut out,
        "Common causes",
        &p.causes,
        &p.cause_sources,
        &refs,
    );
    crate::markdown::steps(&mut out, "How to fix", &p.fix, &p.fix_sources, &refs);
    crate::markdown::bullets(&mut out, "Diagnose", &p.diagnose);
    crate::markdown::bullets(&mut out, "Collect for support", &p.collect);
    crate::markdown::faq(&mut out, &p.faq);
    if !p.codes.is_empty() {
        out.push_str("## Sign-in errors it explains\n\n");
        for c in p.codes.iter() {
            let title = cat.get(*c).map(|r| r.title.as_ref()).unwrap_or("(no page)");
            let _ = writeln!(out, "- **AADSTS{c}**: {title}");
        }
        out.push('\n');
    }
    if !p.related.is_empty() {
        out.push_str("## Related events\n\n");
        for r in p.related.iter() {
            let title = aadsts_catalog::event_page(r)
                .map(|e| e.title.as_ref())
                .unwrap_or("(no page)");
            let _ = writeln!(out, "- **{r}**: {title}");
        }
        out.push('\n');
    }
    out.push_str("## Sources\n\n");
    if let Some(d) = p.documented {
        let _ = writeln!(
            out,
            "How much Microsoft documents it: **{d}** ({}).\n",
            d.describe()
        );
    }
    for (i, d) in p.docs.iter().enumerate() {
        let _ = writeln!(out, "{}. [{}]({})", i + 1, d.title, d.url);
    }
    if any_inference(p) {
        out.push_str("\n*[inference]* marks a step no source states: our reasoning from the sources and the event.\n");
    }
    if let Some(r) = &p.review {
        let _ = writeln!(
            out,
            "\n*Reviewed against Microsoft's docs on {} ({}).*",
            r.date, r.reviewer
        );
    }
    out
}

/// The part of a code page's Markdown that lists its event pages (nothing when none).
pub(crate) fn md_for_code(out: &mut String, code: u32) {
    let events = event_pages_for_code(code);
    if events.is_empty() {
        return;
    }
    out.push_str("## On-premises events that explain it\n\n");
    for e in events {
        let provider = event_source(&e.source)
            .map(|s| format!(" (`{}`)", s.providers.join("` / `")))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- **{}**{provider}, `{}`: {}",
            e.label(),
            e.id(),
            e.title
        );
    }
    out.push('\n');
}

pub fn md_table(pages: &[&EventPage]) -> String {
    let mut out = String::from(
        "| Id | Event | Source | Level | Severity | Title |\n|---|---|---|---|---|---|\n",
    );
    for p in pages {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} |",
            p.id(),
            p.event,
            p.source,
            p.level,
            p.severity,
            p.title.replace('|', "\\|")
        );
    }
    out
}

// ---------------------------------------------------------------- HTML

fn step_refs(p: &EventPage, s: Option<&Sources>) -> Markup {
    let Some(s) = s.filter(|s| !s.is_empty()) else {
        return html! {};
    };
    html! {
        p.refs {
            "Source:"
            @for (n, d) in p.cited(s) {
                " " a.src href=(d.url) title=(d.title) { "[" (n) "]" }
            }
            @if s.inference {
                " " span.src.inf title="No source states this step: our reasoning" { "inference" }
            }
        }
    }
}

fn steps(p: &EventPage, items: &[Cow<'static, str>], sources: &[Sources]) -> Markup {
    html! {
        ol {
            @for (i, it) in items.iter().enumerate() {
                li { (md(it)) (step_refs(p, sources.get(i))) }
            }
        }
    }
}

/// An event page as an `<article>`, in the shape of a code page: header with provider,
/// log, server and level; the body with links to each step's sources.
pub fn html_page(cat: &Catalog, p: &EventPage, links: Links) -> Markup {
    let source = event_source(&p.source);
    html! {
        article.page.event data-event=(p.id()) {
            header {
                p.code {
                    (p.label())
                    @if let Some(n) = &p.name { " " code { (n) } }
                }
                h1 { (p.title) }
                p.facts {
                    span.badge { "level: " (p.level) } " "
                    span class={"badge sev-" (p.severity)} { "severity: " (p.severity) } " "
                    span.badge { "fixed by: " (p.fixer) } " "
                    span.badge { (p.signal) }
                }
                @if let Some(s) = source {
                    dl.where {
                        dt { "Provider" } dd { @for (i, pr) in s.providers.iter().enumerate() { @if i > 0 { " / " } code { (pr) } } }
                        dt { "Log" } dd { (s.channel) }
                        dt { "Where" } dd { (s.server) }
                        dt { "Source" } dd { a href=(links.events_of(&s.slug)) { (s.title) } }
                    }
                }
            }
            section #meaning {
                h2 { "What it means" }
                @for para in p.meaning.iter() { (md(para)) }
            }
            section #causes { h2 { "Common causes" } (steps(p, &p.causes, &p.cause_sources)) }
            section #fix { h2 { "How to fix" } (steps(p, &p.fix, &p.fix_sources)) }
            section #diagnose { h2 { "Diagnose" } ul { @for it in p.diagnose.iter() { li { (md(it)) } } } }
            section #collect { h2 { "Collect for support" } ul { @for it in p.collect.iter() { li { (md(it)) } } } }
            @if !p.faq.is_empty() {
                section #faq {
                    h2 { "FAQ" }
                    @for f in p.faq.iter() {
                        h3 { (f.question) }
                        @for a in f.answer.iter() { (md(a)) }
                    }
                }
            }
            @if !p.codes.is_empty() {
                section #codes {
                    h2 { "Sign-in errors it explains" }
                    ul {
                        @for c in p.codes.iter() {
                            li {
                                a href=(links.code(*c)) { "AADSTS" (c) } " "
                                (cat.get(*c).map(|r| r.title.as_ref()).unwrap_or(""))
                            }
                        }
                    }
                }
            }
            @if !p.related.is_empty() {
                section #related {
                    h2 { "Related events" }
                    ul {
                        @for r in p.related.iter() {
                            li {
                                @match aadsts_catalog::event_page(r) {
                                    Some(e) => { a href=(links.event(r)) { (e.label()) } " " (e.title) }
                                    None => { code { (r) } }
                                }
                            }
                        }
                    }
                }
            }
            section.sources #sources {
                h2 { "Sources" }
                @if let Some(d) = p.documented {
                    p { "How much Microsoft documents it: " strong { (d) } " (" (d.describe()) ")." }
                }
                ol {
                    @for (i, d) in p.docs.iter().enumerate() {
                        li id={"src-" (i + 1)} { a href=(d.url) { (d.title) } }
                    }
                }
                @if any_inference(p) {
                    p.note {
                        span.src.inf { "inference" }
                        " marks a step no source states: our reasoning from the sources and the event. Verify it on your server before you rely on it."
                    }
                }
                @if let Some(r) = &p.review {
                    p.note { "Reviewed against Microsoft's docs on " (r.date) " (" (r.reviewer) ")." }
                }
            }
        }
    }
}

/// The part of a code page that links its event pages (nothing when none).
pub(crate) fn html_for_code(code: u32, links: Links) -> Markup {
    let events = event_pages_for_code(code);
    html! {
        @if !events.is_empty() {
            section #events {
                h2 { "On-premises events that explain it" }
                ul {
                    @for e in events {
                        li {
                            a href=(links.event(&e.id())) { (e.label()) }
                            @if let Some(s) = event_source(&e.source) {
                                " " span.note { "(" (s.providers.join(" / ")) ")" }
                            }
                            " " (e.title)
                        }
                    }
                }
            }
        }
    }
}

/// Event pages grouped by source, each group with where its events are logged.
pub fn html_index(pages: &[&EventPage], links: Links) -> Markup {
    let sources = aadsts_catalog::event_sources();
    html! {
        article.events {
            h1 { "Server event logs" }
            p {
                "Many sign-in failures are decided on a server on premises. Each page explains one Windows event: "
                "what the component was doing, why it failed, and the sign-in errors it can stand behind."
            }
            @for s in sources {
                @let group: Vec<&EventPage> = pages.iter().copied().filter(|p| p.source == s.slug).collect();
                @if !group.is_empty() {
                    section.source id=(s.slug) {
                        h2 { (s.title) }
                        p.note {
                            @for (i, pr) in s.providers.iter().enumerate() { @if i > 0 { " / " } code { (pr) } }
                            " in the " (s.channel) " log. Where: " (s.server) "."
                        }
                        div.scroll {
                            table.codes {
                                thead { tr { th { "Event" } th { "Title" } th { "Severity" } th.opt { "Level" } } }
                                tbody {
                                    @for p in &group {
                                        tr {
                                            td { a href=(links.event(&p.id())) { (p.event) } }
                                            td { (p.title) }
                                            td { span class={"badge sev-" (p.severity)} { (p.severity) } }
                                            td.opt.nw { (p.level) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- JSON

#[derive(Serialize)]
pub struct SourceJson<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub providers: &'a [Cow<'static, str>],
    pub channel: &'a str,
    pub server: &'a str,
    pub docs: &'a str,
}

fn source_json(s: &EventSource) -> SourceJson<'_> {
    SourceJson {
        slug: &s.slug,
        title: &s.title,
        providers: &s.providers,
        channel: &s.channel,
        server: &s.server,
        docs: &s.docs,
    }
}

/// The fields that identify an event page; in lists and on code pages (`events`).
#[derive(Serialize)]
pub struct EventSummary<'a> {
    pub id: String,
    pub source: &'a str,
    pub event: u32,
    pub name: Option<&'a str>,
    pub title: &'a str,
    pub level: &'static str,
    pub severity: &'static str,
    pub fixer: &'static str,
    pub signal: &'static str,
    pub codes: &'a [u32],
}

pub fn event_summary(p: &EventPage) -> EventSummary<'_> {
    EventSummary {
        id: p.id(),
        source: &p.source,
        event: p.event,
        name: p.name.as_deref(),
        title: &p.title,
        level: p.level.as_str(),
        severity: p.severity.as_str(),
        fixer: p.fixer.as_str(),
        signal: p.signal.as_str(),
        codes: &p.codes,
    }
}

/// The event pages that name `code`, for the `events` field of a code page.
pub fn summaries_for_code(code: u32) -> Vec<EventSummary<'static>> {
    event_pages_for_code(code)
        .into_iter()
        .map(event_summary)
        .collect()
}

#[derive(Serialize)]
pub struct CodeRef<'a> {
    pub code: u32,
    pub title: Option<&'a str>,
}

#[derive(Serialize)]
pub struct EventRef<'a> {
    pub id: &'a str,
    pub title: Option<&'a str>,
}

#[derive(Serialize)]
pub struct EventSections<'a> {
    pub meaning: &'a [Cow<'static, str>],
    pub causes: &'a [Cow<'static, str>],
    pub fix: &'a [Cow<'static, str>],
    pub diagnose: &'a [Cow<'static, str>],
    pub collect: &'a [Cow<'static, str>],
    pub faq: &'a [Faq],
}

#[derive(Serialize)]
pub struct EventPageJson<'a> {
    pub schema: &'static str,
    #[serde(flatten)]
    pub summary: EventSummary<'a>,
    /// The page's source as `sources.toml` gives it (null if the page names an unknown one).
    pub logged_by: Option<SourceJson<'a>>,
    pub code_pages: Vec<CodeRef<'a>>,
    pub related: Vec<EventRef<'a>>,
    pub user_fields: &'a [Cow<'static, str>],
    pub machine_fields: &'a [Cow<'static, str>],
    pub documented: Option<&'static str>,
    pub docs: &'a [DocLink],
    pub sections: EventSections<'a>,
    pub sources: crate::json::StepSources<'a>,
    pub review: Option<&'a Review>,
}

pub fn json_page<'a>(cat: &'a Catalog, p: &'a EventPage) -> EventPageJson<'a> {
    EventPageJson {
        schema: EVENT_SCHEMA,
        summary: event_summary(p),
        logged_by: event_source(&p.source).map(source_json),
        code_pages: p
            .codes
            .iter()
            .map(|c| CodeRef {
                code: *c,
                title: cat.get(*c).map(|r| r.title.as_ref()),
            })
            .collect(),
        related: p
            .related
            .iter()
            .map(|r| EventRef {
                id: r,
                title: aadsts_catalog::event_page(r).map(|e| e.title.as_ref()),
            })
            .collect(),
        user_fields: &p.user_fields,
        machine_fields: &p.machine_fields,
        documented: p.documented.map(|d| d.as_str()),
        docs: &p.docs,
        sections: EventSections {
            meaning: &p.meaning,
            causes: &p.causes,
            fix: &p.fix,
            diagnose: &p.diagnose,
            collect: &p.collect,
            faq: &p.faq,
        },
        sources: crate::json::StepSources {
            causes: crate::json::step_sources(&p.docs, &p.cause_sources),
            fix: crate::json::step_sources(&p.docs, &p.fix_sources),
        },
        review: p.review.as_ref(),
    }
}

#[derive(Serialize)]
pub struct EventListJson<'a> {
    pub schema: &'static str,
    pub count: usize,
    pub sources: Vec<SourceJson<'a>>,
    pub events: Vec<EventSummary<'a>>,
}

/// A list of event pages with the sources they belong to.
pub fn json_list<'a>(pages: &[&'a EventPage]) -> EventListJson<'a> {
    let sources = aadsts_catalog::event_sources()
        .iter()
        .filter(|s| pages.iter().any(|p| p.source == s.slug))
        .map(source_json)
        .collect();
    EventListJson {
        schema: EVENTS_SCHEMA,
        count: pages.len(),
        sources,
        events: pages.iter().map(|p| event_summary(p)).collect(),
    }
}

/// The HTML body of `aadsts explain` on pasted Windows events: one line per event (what it
/// holds, which page explains it), then each page once, then the report of the AADSTS codes
/// the events carry (a whole rendered report body, already escaped by its own template).
pub fn html_pasted(
    lines: &[(String, String)],
    note: Option<&str>,
    pages: &[Markup],
    report_body: Option<&str>,
) -> Markup {
    html! {
        section.pasted-events {
            h1 { "Pasted Windows events" }
            ol {
                @for (facts, page) in lines {
                    li { (facts) "." br; (page) "." }
                }
            }
            @if let Some(n) = note { p { (n) } }
        }
        @for m in pages { (m) }
        @if let Some(r) = report_body { (maud::PreEscaped(r)) }
    }
}
