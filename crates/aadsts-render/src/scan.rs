//! Renderings of a scan summary: a terminal report that fits the screen, Markdown, CSV
//! (one row per code) and one self-contained HTML file with SVG charts.

use crate::html::Links;
use crate::text::{paint, TextStyle, BOLD, DIM, HEADING};
use aadsts_scan::{Class, CodeRow, Summary};
use maud::{html, Markup, PreEscaped};
use std::fmt::Write as _;

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn span(s: &Summary) -> String {
    match (&s.totals.first, &s.totals.last) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        _ => "no times in the input".into(),
    }
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A value from a log, made safe to print on a terminal: control characters (C0, DEL, C1:
/// escape and OSC sequences, carriage returns, line breaks) and the bidirectional overrides
/// become visible escapes (`\x1b`, `\r`, `\u{202e}`), so a field cannot move the cursor,
/// retitle the window, plant a link or forge a line of the report (issue 22).
pub fn term_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x100 && unsafe_char(c) => {
                let _ = write!(o, "\\x{:02x}", c as u32);
            }
            c if unsafe_char(c) => {
                let _ = write!(o, "\\u{{{:x}}}", c as u32);
            }
            c => o.push(c),
        }
    }
    std::borrow::Cow::Owned(o)
}

/// A value from a log in Markdown running text or a table cell: control characters escaped
/// as on a terminal, and the punctuation that would make a link, an image, raw HTML,
/// emphasis, code or a new table cell backslash-escaped, so it renders as the text it is.
pub fn md_safe(s: &str) -> String {
    let t = term_safe(s);
    let mut o = String::with_capacity(t.len() + 8);
    for c in t.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '('
                | ')'
                | '<'
                | '>'
                | '|'
                | '!'
                | '~'
                | '#'
                | '&'
        ) {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

/// A CSV cell that a spreadsheet will not run: a cell starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'` (OWASP's advice against CSV injection), and
/// control characters are escaped as on a terminal (the CSV is printed on standard output).
pub fn csv_safe(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let t = term_safe(s);
    if formula {
        format!("'{t}")
    } else {
        t.into_owned()
    }
}

fn class_word(c: Class) -> &'static str {
    match c {
        Class::Success => "success",
        Class::Failure => "failure",
        Class::Interrupt => "interrupt",
        Class::Expected => "expected",
        Class::Unknown => "unknown",
    }
}

/// How many codes get a table of their top values in the HTML report.
const TOP_TABLES: usize = 15;

/// The first app, user, IP and failed policy of a code, every value made safe for a terminal.
fn top_line_text(c: &CodeRow) -> String {
    let mut parts = Vec::new();
    if let Some(a) = c.top.apps.first() {
        parts.push(format!("app {} ({})", term_safe(&a.value), a.count));
    }
    if let Some(u) = c.top.users.first() {
        parts.push(format!("user {} ({})", term_safe(&u.value), u.count));
    }
    if let Some(i) = c.top.ips.first() {
        parts.push(format!("IP {} ({})", term_safe(&i.value), i.count));
    }
    if let Some(p) = c.top.failed_ca_policies.first() {
        parts.push(format!("CA policy “{}” ({})", term_safe(&p.value), p.count));
    }
    parts.join(" · ")
}

pub fn text(s: &Summary, style: &TextStyle) -> String {
    let width = style.width.unwrap_or(100);
    let title_w = width.saturating_sub(46).clamp(20, 60);
    let mut o = String::new();
    let t = &s.totals;
    let _ = writeln!(
        o,
        "{}",
        paint(
            style,
            BOLD,
            &format!(
                "Sign-ins: {}   failures: {} ({})   interrupts: {}   expected: {}   successes: {}",
                t.sign_ins,
                t.failures,
                pct(t.failure_rate),
                t.interrupts,
                t.expected,
                t.successes
            )
        )
    );
    let _ = writeln!(o, "Span: {}", span(s));
    let _ = writeln!(
        o,
        "Rows: {} read, {} used, {} filtered out, {} skipped{}",
        s.rows.read,
        s.rows.used,
        s.rows.filtered_out,
        s.rows.skipped,
        if s.redacted {
            "   (users and IPs redacted)"
        } else {
            ""
        }
    );
    for i in &s.inputs {
        let shape = i.shape.map(|x| x.as_str()).unwrap_or("-");
        let _ = write!(
            o,
            "  {}  [{shape}] {} rows, {} skipped",
            term_safe(&i.name),
            i.rows_read,
            i.rows_skipped
        );
        input_tail(&mut o, i.error.as_deref(), i.note.as_deref());
    }
    skipped_lines(&mut o, &s.skipped, s.rows.skipped, "rows", style);

    let section = |o: &mut String, title: &str, rows: Vec<&CodeRow>| {
        if rows.is_empty() {
            return;
        }
        let _ = writeln!(o, "\n{}", paint(style, HEADING, title));
        let _ = writeln!(
            o,
            "  {:>8}  {:>6}  {:<10} {:<title_w$}  {:>5} {:>5}",
            "code", "count", "fixer", "title", "users", "apps"
        );
        for c in rows {
            let _ = writeln!(
                o,
                "  {:>8}  {:>6}  {:<10} {:<title_w$}  {:>5} {:>5}",
                c.code,
                c.count,
                c.fixer.as_deref().unwrap_or("?"),
                cut(
                    c.title.as_deref().unwrap_or("(no page in this catalog)"),
                    title_w
                ),
                c.users,
                c.apps
            );
            let tl = top_line_text(c);
            if !tl.is_empty() {
                let _ = writeln!(
                    o,
                    "  {:>8}  {}",
                    "",
                    paint(style, DIM, &cut(&tl, width.saturating_sub(12)))
                );
            }
        }
    };
    let by = |cls: &[Class]| -> Vec<&CodeRow> {
        s.codes
            .iter()
            .filter(|c| cls.contains(&c.class))
            .take(15)
            .collect()
    };
    section(&mut o, "Failures", by(&[Class::Failure, Class::Unknown]));
    section(
        &mut o,
        "Interrupts (normal steps; a problem only in bulk)",
        by(&[Class::Interrupt]),
    );
    section(&mut o, "Expected noise", by(&[Class::Expected]));
    if s.top_lists_truncated {
        let _ = writeln!(
            o,
            "\nTop lists truncated: a code had more than {} distinct users, apps or IPs; only that many are tracked by name, so the counts of its top values may be low (distinct counts stay exact)",
            aadsts_scan::stats::TOP_KEYS_CAP
        );
    }
    if !s.unknown_codes.is_empty() {
        let _ = writeln!(
            o,
            "\nCodes this catalog has no page for: {}",
            s.unknown_codes
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !s.signals.is_empty() {
        let _ = writeln!(o, "\n{}", paint(style, HEADING, "Signals of attack"));
        for sig in &s.signals {
            let _ = writeln!(
                o,
                "  [{}] {}: {}",
                sig.severity,
                sig.kind,
                term_safe(&sig.summary)
            );
        }
    }
    if !s.fix_first.is_empty() {
        let _ = writeln!(o, "\n{}", paint(style, HEADING, "Fix first"));
        for (i, f) in s.fix_first.iter().enumerate() {
            let _ = writeln!(
                o,
                "  {}. AADSTS{} {} — {} user(s), {} sign-ins; {} acts",
                i + 1,
                f.code,
                f.title,
                f.users,
                f.count,
                f.fixer
            );
            let _ = writeln!(
                o,
                "     {}",
                cut(&f.first_step_text, width.saturating_sub(6).max(40) * 2)
            );
        }
    }
    if !s.timeline.points.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            paint(
                style,
                HEADING,
                &format!("Timeline (per {})", s.timeline.bucket)
            )
        );
        let max = s
            .timeline
            .points
            .iter()
            .map(|p| p.sign_ins)
            .max()
            .unwrap_or(1)
            .max(1);
        let bar_w = width.saturating_sub(40).clamp(10, 60) as u64;
        let _ = writeln!(
            o,
            "  {:<17} {:>6} {:>6}  █ failed (interrupts and expected codes are not failures)  ░ other",
            if s.timeline.bucket == "hour" {
                "hour (UTC)"
            } else {
                "day (UTC)"
            },
            "total",
            "failed",
        );
        for p in s.timeline.points.iter().take(72) {
            let total = (p.sign_ins * bar_w).div_ceil(max);
            let fail = (p.failures * bar_w).div_ceil(max).min(total);
            let _ = writeln!(
                o,
                "  {:<17} {:>6} {:>6}  {}{}",
                term_safe(&p.t),
                p.sign_ins,
                p.failures,
                "█".repeat(fail as usize),
                "░".repeat((total - fail) as usize)
            );
        }
    }
    o
}

pub fn markdown(s: &Summary) -> String {
    let mut o = String::from("# Sign-in log scan\n\n");
    let t = &s.totals;
    let _ = writeln!(o, "| Sign-ins | Failures | Failure rate | Interrupts | Expected | Successes | Span |\n|---|---|---|---|---|---|---|");
    let _ = writeln!(
        o,
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        t.sign_ins,
        t.failures,
        pct(t.failure_rate),
        t.interrupts,
        t.expected,
        t.successes,
        md_safe(&span(s))
    );
    let _ = writeln!(
        o,
        "Rows: {} read, {} used, {} filtered out, {} skipped.\n",
        s.rows.read, s.rows.used, s.rows.filtered_out, s.rows.skipped
    );
    if !s.fix_first.is_empty() {
        o.push_str("## Fix first\n\n");
        for (i, f) in s.fix_first.iter().enumerate() {
            let _ = writeln!(
                o,
                "{}. **AADSTS{}** {} ({} users, {} sign-ins; {} acts): {}",
                i + 1,
                f.code,
                f.title,
                f.users,
                f.count,
                f.fixer,
                f.first_step.replace('\n', " ")
            );
        }
        o.push('\n');
    }
    if !s.signals.is_empty() {
        o.push_str("## Signals of attack\n\n");
        for sig in &s.signals {
            let _ = writeln!(
                o,
                "- **{}** ({}): {}",
                sig.kind,
                sig.severity,
                md_safe(&sig.summary)
            );
        }
        o.push('\n');
    }
    o.push_str("## Codes\n\n| Code | Class | Title | Count | Users | Apps | IPs | First seen | Last seen | Top app |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for c in &s.codes {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.code,
            class_word(c.class),
            c.title
                .as_deref()
                .unwrap_or("(no page)")
                .replace('|', "\\|"),
            c.count,
            c.users,
            c.apps,
            c.ips,
            md_safe(c.first_seen.as_deref().unwrap_or("")),
            md_safe(c.last_seen.as_deref().unwrap_or("")),
            c.top
                .apps
                .first()
                .map(|a| md_safe(&a.value))
                .unwrap_or_default()
        );
    }
    if !s.skipped.is_empty() {
        o.push_str("\n## Skipped rows\n\n");
        for k in &s.skipped {
            let _ = writeln!(
                o,
                "- {} {}: {}",
                md_safe(&k.file),
                md_safe(&k.at),
                md_safe(&k.reason)
            );
        }
    }
    o
}

pub fn csv(s: &Summary) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "code",
        "class",
        "name",
        "title",
        "severity",
        "fixer",
        "count",
        "users",
        "apps",
        "ips",
        "first_seen",
        "last_seen",
        "top_app",
        "top_user",
        "top_ip",
        "top_failed_ca_policy",
    ])?;
    for c in &s.codes {
        // Every text cell goes through `csv_safe`: the top values come from the logs.
        let first =
            |v: &Vec<aadsts_scan::Count>| v.first().map(|x| csv_safe(&x.value)).unwrap_or_default();
        let opt = |v: &Option<String>| csv_safe(v.as_deref().unwrap_or(""));
        w.write_record([
            c.code.to_string(),
            class_word(c.class).to_string(),
            opt(&c.name),
            opt(&c.title),
            c.severity.map(|x| x.to_string()).unwrap_or_default(),
            opt(&c.fixer),
            c.count.to_string(),
            c.users.to_string(),
            c.apps.to_string(),
            c.ips.to_string(),
            opt(&c.first_seen),
            opt(&c.last_seen),
            first(&c.top.apps),
            first(&c.top.users),
            first(&c.top.ips),
            first(&c.top.failed_ca_policies),
        ])?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// One bar of a chart: a label (with its code, linked when the report has links), the
/// total and the failures among it.
struct Bar {
    code: Option<u32>,
    label: String,
    total: u64,
    fail: u64,
}

/// Styles of the report's charts and tables; part of the report body, so the web page and
/// the standalone file look the same.
const SCAN_STYLE: &str = ".totals{font-size:1.05rem}.chart{margin:1rem 0}.chart figcaption{font-weight:600}\
.bars{list-style:none;padding:0;margin:.3rem 0}.bars li{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:0 .6rem;padding:.2rem 0;font-size:.9rem;align-items:center}\
.bars .lbl{overflow-wrap:anywhere}.bars .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
.bars .track{grid-column:1/-1;height:.7rem}.bars .bar{display:block;height:100%;background:#9ec5e8;min-width:2px}.bars .fail{display:block;height:100%;background:#d9534f}\
@media (min-width:700px){.bars li{grid-template-columns:19rem minmax(0,1fr) 6rem}.bars .track{grid-column:2;grid-row:1;height:1rem}.bars .num{grid-column:3}}\
.timeline svg{display:block;width:100%;height:10rem;background:#fafafa;border-bottom:1px solid #999}.axis{display:flex;justify-content:space-between;gap:1rem;font-size:.8rem;color:#555;flex-wrap:wrap}\
.legend i{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 .6rem;vertical-align:middle}.legend .ok{background:#9ec5e8}.legend .bad{background:#d9534f}\
table.scan-codes td:nth-child(n+4):nth-child(-n+7){text-align:right;font-variant-numeric:tabular-nums}table.scan-codes td.seen{font-size:.8rem;white-space:nowrap}\
details.tops{margin:.3rem 0}details.tops summary{cursor:pointer}table.top-values{width:auto;max-width:100%}table.top-values th{white-space:nowrap}table.top-values td.value{overflow-wrap:anywhere}table.top-values .num{text-align:right;font-variant-numeric:tabular-nums}\
@media (prefers-color-scheme:dark){.timeline svg{background:#1b1b1b}.axis{color:#aaa}}";

/// Horizontal bars in HTML: label and count on one line and the bar under them on a phone,
/// all three on one line on a wide screen. Nothing is cut or scaled down to illegibility.
fn bars(items: &[Bar], title: &str, links: Option<Links>) -> Markup {
    let max = items.iter().map(|i| i.total).max().unwrap_or(1).max(1);
    html! {
        figure.chart {
            figcaption { (title) " " span.legend { i.ok {} "all" i.bad {} "failures" } }
            ol.bars {
                @for b in items {
                    @let w = b.total as f64 / max as f64 * 100.0;
                    @let fw = if b.total == 0 { 0.0 } else { (b.fail as f64 / b.total as f64 * 100.0).min(100.0) };
                    li {
                        span.lbl {
                            @match (b.code, links) {
                                (Some(c), Some(l)) => { a href=(l.code(c)) { (c) } " " }
                                (Some(c), None) => { (c) " " }
                                _ => {}
                            }
                            (b.label)
                        }
                        span.num title={(b.fail) " failures"} { (b.total) }
                        span.track { span.bar style={"width:" (format!("{w:.1}")) "%"} { span.fail style={"width:" (format!("{fw:.1}")) "%"} {} } }
                    }
                }
            }
        }
    }
}

/// Sign-ins per hour or day: the bars in an SVG that stretches to any width, the labels in
/// HTML under it (so they keep their size on a phone).
fn timeline_svg(s: &Summary) -> Markup {
    let pts = &s.timeline.points;
    if pts.is_empty() {
        return html! {};
    }
    let max = pts.iter().map(|p| p.sign_ins).max().unwrap_or(1).max(1);
    let n = pts.len();
    let gap = 0.15;
    // A few points keep bars of a readable width instead of filling the whole chart.
    let slots = n.max(12);
    html! {
        figure.chart.timeline {
            figcaption { "Sign-ins per " (s.timeline.bucket) " " span.legend { i.ok {} "all" i.bad {} "failures" } }
            svg role="img" aria-label={"Sign-ins per " (s.timeline.bucket)} viewBox={"0 0 " (slots) " 100"} preserveAspectRatio="none" {
                @for (i, p) in pts.iter().enumerate() {
                    @let h = p.sign_ins as f64 / max as f64 * 100.0;
                    @let fh = p.failures as f64 / max as f64 * 100.0;
                    rect x=(i) y=(format!("{:.2}", 100.0 - h)) width=(format!("{:.2}", 1.0 - gap)) height=(format!("{h:.2}")) fill="#9ec5e8" {
                        title { (p.t) ": " (p.sign_ins) " sign-ins, " (p.failures) " failures" }
                    }
                    rect x=(i) y=(format!("{:.2}", 100.0 - fh)) width=(format!("{:.2}", 1.0 - gap)) height=(format!("{fh:.2}")) fill="#d9534f" {}
                }
            }
            p.axis { span { (pts[0].t) } span { "highest: " (max) " per " (s.timeline.bucket) } @if n > 1 { span { (pts[n - 1].t) } } }
        }
    }
}

/// One HTML file with everything inline (no scripts, no external resources).
pub fn html(s: &Summary) -> String {
    crate::html::document("Sign-in log scan", &html_body(s, None))
}

/// The report as a fragment for a page that has its own header (the web site); codes link
/// to their pages through `links` when given.
pub fn html_body(s: &Summary, links: Option<Links>) -> String {
    let t = &s.totals;
    let codes: Vec<Bar> = s
        .codes
        .iter()
        .take(15)
        .map(|c| Bar {
            code: Some(c.code),
            label: c.title.clone().unwrap_or_default(),
            total: c.count,
            fail: if matches!(c.class, Class::Failure | Class::Unknown) {
                c.count
            } else {
                0
            },
        })
        .collect();
    let mut apps: std::collections::HashMap<String, (u64, u64)> = Default::default();
    for c in &s.codes {
        let fail = matches!(c.class, Class::Failure | Class::Unknown);
        for a in &c.top.apps {
            let e = apps.entry(a.value.clone()).or_default();
            e.0 += a.count;
            if fail {
                e.1 += a.count;
            }
        }
    }
    let mut apps: Vec<Bar> = apps
        .into_iter()
        .map(|(label, (total, fail))| Bar {
            code: None,
            label,
            total,
            fail,
        })
        .collect();
    apps.sort_by(|a, b| b.total.cmp(&a.total).then(a.label.cmp(&b.label)));
    apps.truncate(12);
    // A code, linked to its page when the report has links; `prefix` goes inside the link.
    let code_link = |prefix: &str, c: u32| -> Markup {
        html! {
            @match links {
                Some(l) => a href=(l.code(c)) { (prefix) (c) },
                None => { (prefix) (c) },
            }
        }
    };
    html! {
        style { (PreEscaped(SCAN_STYLE)) }
        h1 { "Sign-in log scan" }
        p.totals {
            b { (t.sign_ins) } " sign-ins · " b { (t.failures) } " failures (" (pct(t.failure_rate)) ") · "
            (t.interrupts) " interrupts · " (t.expected) " expected · " (t.successes) " successes"
            br; (span(s)) br;
            "Rows: " (s.rows.read) " read, " (s.rows.used) " used, " (s.rows.filtered_out) " filtered out, " (s.rows.skipped) " skipped"
            @if s.redacted { " · users and IPs redacted" }
        }
        ul.inputs {
            @for i in &s.inputs {
                li {
                    (i.name) " [" (i.shape.map(|x| x.as_str()).unwrap_or("-")) "]: " (i.rows_read) " rows, " (i.rows_skipped) " skipped"
                    @if let Some(e) = &i.error { " — " (e) }
                }
            }
        }
        (timeline_svg(s))
        (bars(&codes, "Codes", links))
        (bars(&apps, "Apps (top apps of each code)", links))
        @if !s.fix_first.is_empty() {
            h2 { "Fix first" }
            ol {
                @for f in &s.fix_first {
                    li {
                        b { (code_link("AADSTS", f.code)) } " " (f.title) " — " (f.users) " users, " (f.count) " sign-ins; " (f.fixer) " acts"
                        br; (PreEscaped(crate::html::markdown(&f.first_step)))
                    }
                }
            }
        }
        @if !s.signals.is_empty() {
            h2 { "Signals of attack" }
            @for sig in &s.signals {
                details {
                    summary { b { (sig.kind) } " (" (sig.severity) "): " (sig.summary) }
                    div.scroll { table { @for (k, v) in &sig.evidence { tr { th { (k) } td { (v) } } } } }
                }
            }
        }
        h2 { "Codes" }
        div.scroll {
            // Below 700 px each row becomes a card (`table.cards`): the counts were off the
            // right edge of a phone's screen, where nobody scrolls to find them.
            table.scan-codes.cards {
                thead { tr { th { "Code" } th { "Class" } th { "Title" } th { "Count" } th { "Users" } th { "Apps" } th { "IPs" } th { "Seen" } } }
                tbody {
                    @for c in &s.codes {
                        tr class=(class_word(c.class)) {
                            td.head.inl { (code_link("", c.code)) } td.inl { (class_word(c.class)) } td.head { (c.title.as_deref().unwrap_or("(no page)")) }
                            td.inl data-label="Count" { (c.count) } td.inl data-label="Users" { (c.users) } td.inl data-label="Apps" { (c.apps) } td.inl data-label="IPs" { (c.ips) }
                            // First and last time in one narrow column: two columns of full
                            // timestamps pushed the last one off a 52rem page.
                            td.seen data-label="Seen" {
                                @if let Some(f) = &c.first_seen { (f) }
                                @if let Some(l) = &c.last_seen { br; "to " (l) }
                            }
                        }
                    }
                }
            }
        }
        // The top values of each code as small tables (kind, value, count) that read at any
        // width, instead of one long line in a wide table.
        @let tops: Vec<&CodeRow> = s.codes.iter().filter(|c| c.code != 0).take(TOP_TABLES).collect();
        @if !tops.is_empty() {
            h2 { "Top values per code" }
            @for c in tops {
                details.tops {
                    summary { (code_link("", c.code)) " " (c.title.as_deref().unwrap_or("(no page)")) " — " (c.count) " sign-ins" }
                    table.top-values {
                        thead { tr { th { "Of" } th { "Value" } th.num { "Sign-ins" } } }
                        tbody {
                            @for (kind, list) in [("App", &c.top.apps), ("User", &c.top.users), ("IP address", &c.top.ips), ("Client app", &c.top.client_apps), ("Operating system", &c.top.operating_systems), ("Failed CA policy", &c.top.failed_ca_policies)] {
                                @for v in list.iter().take(5) {
                                    tr { td { (kind) } td.value { (v.value) } td.num { (v.count) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !s.skipped.is_empty() {
            h2 { "Skipped rows" }
            ul { @for k in &s.skipped { li { (k.file) " " (k.at) ": " (k.reason) } } }
        }
    }
    .into_string()
}

/// The report of a run that read server event logs too (`aadsts-events`): the sign-in
/// part when the run had sign-in inputs, then the events and their join to the sign-ins.
pub fn html_with_events(s: &Summary, events: Option<&aadsts_events::EventsSummary>) -> String {
    let title = if s.inputs.is_empty() && events.is_some() {
        "Server event log scan"
    } else {
        "Sign-in log scan"
    };
    crate::html::document(title, &html_body_with_events(s, events, None))
}

/// [`html_body`] followed by the events section, or the events section alone when the run
/// had no sign-in input.
pub fn html_body_with_events(
    s: &Summary,
    events: Option<&aadsts_events::EventsSummary>,
    links: Option<Links>,
) -> String {
    let Some(e) = events else {
        return html_body(s, links);
    };
    let mut body = if s.inputs.is_empty() {
        html! { style { (PreEscaped(SCAN_STYLE)) } }.into_string()
    } else {
        html_body(s, links)
    };
    body.push_str(&crate::events::html_section(e, links).into_string());
    body
}

/// The end of an input's line in the text report: its error and note, then the newline
/// (sign-in and event inputs alike).
pub(crate) fn input_tail(o: &mut String, error: Option<&str>, note: Option<&str>) {
    if let Some(e) = error {
        let _ = write!(o, "  error: {}", term_safe(e));
    }
    if let Some(n) = note {
        let _ = write!(o, "  note: {}", term_safe(n));
    }
    o.push('\n');
}

/// The skipped records the summary kept, and how many more there were (`unit`: rows,
/// records).
pub(crate) fn skipped_lines(
    o: &mut String,
    kept: &[aadsts_scan::Skipped],
    total: u64,
    unit: &str,
    style: &TextStyle,
) {
    for k in kept {
        let _ = writeln!(
            o,
            "  {} {}: {} {}",
            paint(style, DIM, "skipped"),
            term_safe(&k.file),
            term_safe(&k.at),
            term_safe(&k.reason)
        );
    }
    if total as usize > kept.len() {
        let _ = writeln!(
            o,
            "  … {} more skipped {unit} (see --json)",
            total as usize - kept.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_values_show_control_characters_as_escapes() {
        assert_eq!(term_safe("alice@contoso.com"), "alice@contoso.com");
        let evil = "a\u{1b}]8;;https://evil.example\u{7}b\u{1b}[2J\r\nc\u{9b}d\u{202e}e\u{7f}";
        let t = term_safe(evil);
        assert!(!t.chars().any(|c| c.is_control()), "{t}");
        assert_eq!(
            t,
            "a\\x1b]8;;https://evil.example\\x07b\\x1b[2J\\r\\nc\\x9bd\\u{202e}e\\x7f"
        );
    }

    #[test]
    fn markdown_values_make_no_link_or_html() {
        let m = md_safe("[Repair](https://evil.example) <img src=x> a|b\u{1b}");
        assert_eq!(
            m,
            "\\[Repair\\]\\(https://evil.example\\) \\<img src=x\\> a\\|b\\\\x1b"
        );
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        for (v, want) in [
            (
                "=HYPERLINK(\"https://evil.example\",\"x\")",
                "'=HYPERLINK(\"https://evil.example\",\"x\")",
            ),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\\tx"),
            ("\r=1", "'\\r=1"),
            ("alice@contoso.com", "alice@contoso.com"),
            ("a\u{1b}[31mb", "a\\x1b[31mb"),
        ] {
            assert_eq!(csv_safe(v), want, "{v}");
        }
    }
}
