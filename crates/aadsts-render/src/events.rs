//! The server events part of a scan report (`aadsts-events`): terminal text, Markdown and
//! an HTML section. Values from the logs are data: escaped for the terminal and Markdown as
//! the sign-in report does, and by maud in HTML.

use crate::html::Links;
use crate::scan::{md_safe, term_safe};
use crate::text::{paint, TextStyle, BOLD, DIM, HEADING};
use aadsts_events::{EventRow, EventsSummary, Pair};
use aadsts_scan::Count;
use maud::{html, Markup, PreEscaped};
use std::fmt::Write as _;

/// Rows shown in the terminal and Markdown (JSON has them all).
const ROWS: usize = 25;
const PAIRS: usize = 20;

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn tops(kind: &str, list: &[Count]) -> Option<String> {
    let v: Vec<String> = list
        .iter()
        .take(3)
        .map(|c| format!("{} ({})", c.value, c.count))
        .collect();
    (!v.is_empty()).then(|| format!("{kind} {}", v.join(", ")))
}

fn span(r: &EventRow) -> String {
    match (&r.first_seen, &r.last_seen) {
        (Some(a), Some(b)) if a == b => a.clone(),
        (Some(a), Some(b)) => format!("{a} – {b}"),
        _ => "no time".into(),
    }
}

/// The event's place: `Provider/ID`.
fn label(provider: &str, id: u32) -> String {
    format!("{provider}/{id}")
}

fn detail_line(r: &EventRow) -> String {
    let mut parts = vec![match &r.page {
        Some(p) => format!("page {p}"),
        None => "no page yet".into(),
    }];
    parts.push(span(r));
    parts.extend(tops("user", &r.top.users));
    parts.extend(tops("from", &r.top.machines));
    parts.extend(tops("logged on", &r.top.computers));
    if !r.carried_codes.is_empty() {
        let c: Vec<String> = r
            .carried_codes
            .iter()
            .take(3)
            .map(|c| format!("AADSTS{} ({})", c.code, c.count))
            .collect();
        parts.push(format!("carries {}", c.join(", ")));
    }
    parts.join(" · ")
}

fn pair_line(p: &Pair) -> (String, String) {
    let s = &p.sign_in;
    let e = &p.event;
    let first = format!(
        "{}  AADSTS{}  {}{}{}",
        s.time,
        s.code,
        s.user,
        if s.app.is_empty() {
            String::new()
        } else {
            format!("  {}", s.app)
        },
        if s.ip.is_empty() {
            String::new()
        } else {
            format!("  {}", s.ip)
        },
    );
    let second = format!(
        "← {} at {} ({:+} s){}{}: matched by {}: {}",
        label(&e.provider, e.event_id),
        e.time,
        p.seconds_apart,
        if e.computer.is_empty() {
            String::new()
        } else {
            format!(" on {}", e.computer)
        },
        e.page.as_ref().map_or(String::new(), |p| format!(" [{p}]")),
        p.matched_by,
        p.how
    );
    (first, second)
}

/// Terminal text.
pub fn text(s: &EventsSummary, style: &TextStyle) -> String {
    let width = style.width.unwrap_or(100);
    let title_w = width.saturating_sub(62).clamp(20, 60);
    let mut o = String::new();
    let t = &s.totals;
    let _ = writeln!(
        o,
        "{}",
        paint(
            style,
            BOLD,
            &format!(
                "Server events: {}   failures: {}   with a page: {}   without: {}",
                t.events, t.failures, t.with_page, t.without_page
            )
        )
    );
    let _ = writeln!(
        o,
        "Span: {}",
        match (&t.first, &t.last) {
            (Some(a), Some(b)) => format!("{a} – {b}"),
            _ => "no time in the events".into(),
        }
    );
    let r = &s.records;
    let _ = writeln!(
        o,
        "Records: {} read, {} used, {} filtered out, {} skipped{}",
        r.read,
        r.used,
        r.filtered_out,
        r.skipped,
        if s.redacted {
            "   (users and machines redacted)"
        } else {
            ""
        }
    );
    for i in &s.inputs {
        let _ = write!(
            o,
            "  {}  [{}] {} records, {} skipped",
            term_safe(&i.name),
            i.format.map_or("-", |f| f.as_str()),
            i.records_read,
            i.records_skipped
        );
        crate::scan::input_tail(&mut o, i.error.as_deref(), i.note.as_deref());
    }
    crate::scan::skipped_lines(&mut o, &s.skipped, s.records.skipped, "records", style);
    if !s.events.is_empty() {
        let _ = writeln!(o, "\n{}", paint(style, HEADING, "Events"));
        let _ = writeln!(
            o,
            "  {:<34} {:>6}  {:<13} {:>5} {:>8}  {:<title_w$}",
            "provider/id", "count", "level", "users", "machines", "title"
        );
        for r in s.events.iter().take(ROWS) {
            let _ = writeln!(
                o,
                "  {:<34} {:>6}  {:<13} {:>5} {:>8}  {}",
                cut(&term_safe(&label(&r.provider, r.event_id)), 34),
                r.count,
                r.level.as_str(),
                r.users,
                r.machines,
                cut(r.title.as_deref().unwrap_or("(no page yet)"), title_w)
            );
            let _ = writeln!(
                o,
                "      {}",
                paint(
                    style,
                    DIM,
                    &cut(&term_safe(&detail_line(r)), width.saturating_sub(6))
                )
            );
            if let Some(x) = &r.explanation {
                let _ = writeln!(o, "      What it means: {}", cut(x, 400));
            }
            if let Some(f) = &r.first_step_text {
                let who = r.fixer.as_deref().unwrap_or("admin");
                let _ = writeln!(o, "      First step ({who}): {f}");
            }
        }
        if s.events.len() > ROWS {
            let _ = writeln!(o, "  … {} more events (see --json)", s.events.len() - ROWS);
        }
    }
    if !s.no_page.is_empty() {
        let _ = writeln!(o, "\nNo page yet for: {}", term_safe(&s.no_page.join(", ")));
    }
    let j = &s.join;
    let _ = writeln!(
        o,
        "\n{}",
        paint(
            style,
            HEADING,
            &format!(
                "Failed sign-ins explained by these events (same user, within {} min)",
                j.window_seconds / 60
            )
        )
    );
    if j.sign_ins_considered == 0 {
        let _ = writeln!(
            o,
            "  No failed sign-in to join: give the sign-in export of the same period in the same run (aadsts scan events/ signins.csv)."
        );
    } else {
        let _ = writeln!(
            o,
            "  {} of {} failed sign-ins with a code these events can cause; {} pairs",
            j.sign_ins_explained, j.sign_ins_considered, j.matches
        );
        for p in j.pairs.iter().take(PAIRS) {
            let (a, b) = pair_line(p);
            let _ = writeln!(o, "  {}", term_safe(&a));
            let _ = writeln!(o, "      {}", term_safe(&b));
        }
        if j.matches as usize > PAIRS.min(j.pairs.len()) {
            let _ = writeln!(
                o,
                "  … {} more pairs (see --json)",
                j.matches as usize - PAIRS.min(j.pairs.len())
            );
        }
    }
    if j.sign_ins_dropped > 0 || j.events_dropped > 0 {
        let _ = writeln!(
            o,
            "  Not joined past the caps: {} sign-ins, {} events",
            j.sign_ins_dropped, j.events_dropped
        );
    }
    o
}

/// Markdown.
pub fn markdown(s: &EventsSummary) -> String {
    let mut o = String::new();
    let t = &s.totals;
    let _ = writeln!(o, "## Server events\n");
    let _ = writeln!(
        o,
        "**{}** events · **{}** failures · {} with a page · {} without\n",
        t.events, t.failures, t.with_page, t.without_page
    );
    for i in &s.inputs {
        let _ = write!(
            o,
            "- {} `{}`: {} records, {} skipped",
            md_safe(&i.name),
            i.format.map_or("-", |f| f.as_str()),
            i.records_read,
            i.records_skipped
        );
        if let Some(e) = &i.error {
            let _ = write!(o, " — error: {}", md_safe(e));
        }
        o.push('\n');
    }
    if !s.events.is_empty() {
        let _ = writeln!(o, "\n| Event | Count | Level | Users | Machines | Title | Seen |\n|---|---:|---|---:|---:|---|---|");
        for r in s.events.iter().take(ROWS) {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} |",
                md_safe(&label(&r.provider, r.event_id)),
                r.count,
                r.level.as_str(),
                r.users,
                r.machines,
                md_safe(r.title.as_deref().unwrap_or("(no page yet)")),
                md_safe(&span(r))
            );
        }
        let with_steps: Vec<&EventRow> = s
            .events
            .iter()
            .filter(|r| r.first_step.is_some())
            .take(ROWS)
            .collect();
        if !with_steps.is_empty() {
            let _ = writeln!(o, "\n### First steps\n");
            for r in with_steps {
                let _ = writeln!(
                    o,
                    "- **{}** {}: {}",
                    md_safe(&label(&r.provider, r.event_id)),
                    md_safe(r.title.as_deref().unwrap_or("")),
                    md_safe(r.first_step_text.as_deref().unwrap_or(""))
                );
            }
        }
    }
    let j = &s.join;
    if !j.pairs.is_empty() {
        let _ = writeln!(
            o,
            "\n### Failed sign-ins explained by these events (within {} min)\n\n| Sign-in | Code | User | Event | Event time | Matched by |\n|---|---|---|---|---|---|",
            j.window_seconds / 60
        );
        for p in j.pairs.iter().take(PAIRS) {
            let _ = writeln!(
                o,
                "| {} | AADSTS{} | {} | {} | {} ({:+} s) | {} |",
                md_safe(&p.sign_in.time),
                p.sign_in.code,
                md_safe(&p.sign_in.user),
                md_safe(&label(&p.event.provider, p.event.event_id)),
                md_safe(&p.event.time),
                p.seconds_apart,
                md_safe(&p.how)
            );
        }
    }
    o
}

fn page_link(page: Option<&str>, links: Option<Links>) -> Markup {
    html! {
        @match (page, links) {
            (Some(p), Some(l)) => a href=(l.event(p)) { (p) },
            (Some(p), None) => { (p) },
            (None, _) => { "no page yet" },
        }
    }
}

/// The events section of the HTML report.
pub fn html_section(s: &EventsSummary, links: Option<Links>) -> Markup {
    let t = &s.totals;
    let j = &s.join;
    html! {
        h1 { "Server events" }
        p.totals {
            b { (t.events) } " events · " b { (t.failures) } " failures · " (t.with_page) " with a page · " (t.without_page) " without"
            br;
            "Records: " (s.records.read) " read, " (s.records.used) " used, " (s.records.filtered_out) " filtered out, " (s.records.skipped) " skipped"
            @if s.redacted { " · users and machines redacted" }
        }
        ul.inputs {
            @for i in &s.inputs {
                li {
                    (i.name) " [" (i.format.map_or("-", |f| f.as_str())) "]: " (i.records_read) " records, " (i.records_skipped) " skipped"
                    @if let Some(e) = &i.error { " — " (e) }
                    @if let Some(n) = &i.note { " (" (n) ")" }
                }
            }
        }
        @if !s.events.is_empty() {
            h2 { "Events" }
            div.scroll {
                table.scan-events.cards {
                    // Seven columns fit 52rem; the time range is in each event's details below.
                    // Below 700 px each row is a card (`table.cards`).
                    thead { tr { th { "Event" } th { "Title" } th { "Level" } th { "Count" } th { "Users" } th { "Machines" } } }
                    tbody {
                        @for r in &s.events {
                            tr {
                                td.head { (page_link(r.page.as_deref(), links)) br; small { (label(&r.provider, r.event_id)) } }
                                td { (r.title.as_deref().unwrap_or("")) } td.inl data-label="Level" { (r.level.as_str()) } td.inl data-label="Count" { (r.count) } td.inl data-label="Users" { (r.users) } td.inl data-label="Machines" { (r.machines) }
                            }
                        }
                    }
                }
            }
            @for r in s.events.iter().filter(|r| r.page.is_some()).take(ROWS) {
                details.tops {
                    summary { b { (label(&r.provider, r.event_id)) } " " (r.title.as_deref().unwrap_or("")) " — " (r.count) " events" }
                    @if let (Some(a), Some(b)) = (&r.first_seen, &r.last_seen) { p { "Seen " (a) " – " (b) "." } }
                    @if let Some(x) = &r.explanation { p { (x) } }
                    @if let Some(f) = &r.first_step { p { b { "First step: " } } (PreEscaped(crate::html::markdown(f))) }
                    table.top-values {
                        thead { tr { th { "Of" } th { "Value" } th.num { "Events" } } }
                        tbody {
                            @for (kind, list) in [("User", &r.top.users), ("Machine or address", &r.top.machines), ("Logged on", &r.top.computers)] {
                                @for v in list.iter() { tr { td { (kind) } td.value { (v.value) } td.num { (v.count) } } }
                            }
                        }
                    }
                }
            }
        }
        @if !s.no_page.is_empty() {
            p { "No page yet for: " (s.no_page.join(", ")) }
        }
        h2 { "Failed sign-ins explained by these events" }
        p {
            "Same user, within " (j.window_seconds / 60) " minutes: " (j.sign_ins_explained) " of " (j.sign_ins_considered)
            " failed sign-ins with a code these events can cause; " (j.matches) " pairs."
            @if j.sign_ins_dropped > 0 || j.events_dropped > 0 { " Not joined past the caps: " (j.sign_ins_dropped) " sign-ins, " (j.events_dropped) " events." }
        }
        @if !j.pairs.is_empty() {
            div.scroll {
                // Four columns, each a small stack, fit the 52rem page (nine did not, even on a
                // wide screen); below 700 px each pair is a card (`table.cards`).
                table.scan-join.cards {
                    thead { tr { th { "Failed sign-in" } th { "Event" } th { "Apart" } th { "Matched by" } } }
                    tbody {
                        @for p in &j.pairs {
                            tr {
                                td data-label="Sign-in" {
                                    b { @match links { Some(l) => a href=(l.code(p.sign_in.code)) { "AADSTS" (p.sign_in.code) }, None => { "AADSTS" (p.sign_in.code) } } }
                                    br; (p.sign_in.time) br; (p.sign_in.user) br; small { (p.sign_in.app) }
                                }
                                td data-label="Event" {
                                    b { (label(&p.event.provider, p.event.event_id)) } " " (page_link(p.event.page.as_deref(), links)) br;
                                    (p.event.time)
                                    @if !p.event.computer.is_empty() { br; small { "on " (p.event.computer) } }
                                }
                                td.inl data-label="Apart" { (format!("{:+} s", p.seconds_apart)) }
                                td data-label="Matched by" { (p.how) }
                            }
                        }
                    }
                }
            }
        }
        @if !s.skipped.is_empty() {
            h2 { "Skipped records" }
            ul { @for k in &s.skipped { li { (k.file) " " (k.at) ": " (k.reason) } } }
        }
    }
}

/// The `aadsts.scan/1` document of a run, with the server events under `events` when it
/// read any (the CLI and the web API print the same).
pub fn scan_json(s: &aadsts_scan::Summary, events: Option<&EventsSummary>) -> String {
    let Some(e) = events else {
        return crate::json::to_string(s);
    };
    let mut v = serde_json::to_value(s).unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::Object(m) = &mut v {
        m.insert(
            "events".into(),
            serde_json::to_value(e).unwrap_or(serde_json::Value::Null),
        );
    }
    crate::json::to_string(&v)
}
