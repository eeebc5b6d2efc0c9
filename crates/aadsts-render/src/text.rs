//! Terminal rendering: colour and wrapping when printing to a terminal, plain lines
//! otherwise (so that output piped to `grep` or a file stays one line per paragraph).

use aadsts_catalog::Catalog;
use aadsts_kb::{Category, Page, Severity, Signal};
use anstyle::{AnsiColor, Style};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::fmt::Write as _;

/// How to print text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextStyle {
    pub color: bool,
    /// Wrap to this many columns; `None` leaves lines unwrapped.
    pub width: Option<usize>,
}

impl TextStyle {
    pub const PLAIN: TextStyle = TextStyle {
        color: false,
        width: None,
    };
}

pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();
const CODE: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
pub const HEADING: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Blue)));

pub fn paint(style: &TextStyle, s: Style, text: &str) -> String {
    if style.color {
        format!("{}{}{}", s.render(), text, s.render_reset())
    } else {
        text.to_string()
    }
}

pub(crate) fn severity_style(s: Severity) -> Style {
    let c = match s {
        Severity::Info => AnsiColor::Green,
        Severity::Low => AnsiColor::Cyan,
        Severity::Medium => AnsiColor::Yellow,
        Severity::High => AnsiColor::Red,
        Severity::Critical => AnsiColor::BrightRed,
    };
    Style::new().bold().fg_color(Some(anstyle::Color::Ansi(c)))
}

enum Block {
    Para(String),
    Code(Vec<String>),
}

/// Inline Markdown of one paragraph or list item → styled blocks.
fn blocks(md: &str, style: &TextStyle) -> Vec<Block> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut code: Option<Vec<String>> = None;
    let mut stack: Vec<Style> = Vec::new();
    let mut link: Option<String> = None;
    let mut list_depth = 0usize;
    let flush = |cur: &mut String, out: &mut Vec<Block>| {
        let t = cur.trim().to_string();
        if !t.is_empty() {
            out.push(Block::Para(t));
        }
        cur.clear();
    };
    for ev in Parser::new(md) {
        match ev {
            Event::Start(Tag::CodeBlock(_)) => {
                flush(&mut cur, &mut out);
                code = Some(Vec::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(lines) = code.take() {
                    out.push(Block::Code(lines));
                }
            }
            Event::Text(t) if code.is_some() => {
                if let Some(lines) = code.as_mut() {
                    lines.extend(t.lines().map(String::from));
                }
            }
            Event::Text(t) => {
                let s = stack.last().copied().unwrap_or_default();
                if style.color && s != Style::new() {
                    cur.push_str(&paint(style, s, &t));
                } else {
                    cur.push_str(&t);
                }
            }
            Event::Code(t) => {
                if style.color {
                    cur.push_str(&paint(style, CODE, &t));
                } else {
                    let _ = write!(cur, "`{t}`");
                }
            }
            Event::Start(Tag::Strong) => stack.push(BOLD),
            Event::Start(Tag::Emphasis) => stack.push(Style::new().italic()),
            Event::End(TagEnd::Strong) | Event::End(TagEnd::Emphasis) => {
                stack.pop();
            }
            Event::Start(Tag::Link { dest_url, .. }) => link = Some(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = link.take() {
                    let _ = write!(cur, " <{}>", paint(style, DIM, &url));
                }
            }
            Event::Start(Tag::List(_)) => {
                flush(&mut cur, &mut out);
                list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Item) => {
                flush(&mut cur, &mut out);
                cur.push_str(&"  ".repeat(list_depth.saturating_sub(1)));
                cur.push_str("• ");
            }
            Event::End(TagEnd::Item) => flush(&mut cur, &mut out),
            Event::SoftBreak => cur.push(' '),
            Event::HardBreak => flush(&mut cur, &mut out),
            Event::End(TagEnd::Paragraph) => flush(&mut cur, &mut out),
            Event::Html(h) | Event::InlineHtml(h) => cur.push_str(&h),
            _ => {}
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Markdown text as wrapped lines with the given first-line and later indents.
pub fn block(md: &str, first: &str, rest: &str, style: &TextStyle) -> String {
    let mut out = String::new();
    emit(&mut out, md, first, rest, style);
    out
}

/// Writes Markdown text as wrapped lines with the given first-line and later indents.
/// The "Sources" part of a page (code or event): how much Microsoft documents it, the
/// numbered sources, an extra unnumbered link, what `[inference]` means, and the review.
pub(crate) fn sources_section(
    out: &mut String,
    documented: Option<aadsts_kb::Documented>,
    docs: &[aadsts_kb::DocLink],
    extra: Option<(String, String)>,
    inference_note: Option<&str>,
    review: Option<&aadsts_kb::Review>,
    style: &TextStyle,
) {
    heading(out, "Sources", style);
    if let Some(d) = documented {
        emit(
            out,
            &format!("How much Microsoft documents it: {} ({}).", d, d.describe()),
            "  ",
            "  ",
            style,
        );
    }
    for (i, d) in docs.iter().enumerate() {
        let _ = writeln!(
            out,
            "  [{}] {}\n      {}",
            i + 1,
            d.title,
            paint(style, DIM, &d.url)
        );
    }
    if let Some((title, url)) = extra {
        let _ = writeln!(out, "  {title}\n      {}", paint(style, DIM, &url));
    }
    if let Some(note) = inference_note {
        emit(out, note, "  ", "  ", style);
    }
    if let Some(r) = review {
        let _ = writeln!(
            out,
            "  {}",
            paint(
                style,
                DIM,
                &format!(
                    "Reviewed against Microsoft's docs on {} ({}).",
                    r.date, r.reviewer
                )
            )
        );
    }
}

pub(crate) fn emit(out: &mut String, md: &str, first: &str, rest: &str, style: &TextStyle) {
    let mut prefix = first.to_string();
    for b in blocks(md, style) {
        match b {
            Block::Para(p) => match style.width {
                Some(w) => {
                    let opts = textwrap::Options::new(w.max(20))
                        .initial_indent(&prefix)
                        .subsequent_indent(rest);
                    for line in textwrap::wrap(&p, opts) {
                        out.push_str(line.trim_end());
                        out.push('\n');
                    }
                }
                None => {
                    out.push_str(&prefix);
                    out.push_str(&p);
                    out.push('\n');
                }
            },
            Block::Code(lines) => {
                if prefix != rest {
                    out.push_str(prefix.trim_end());
                    out.push('\n');
                }
                for l in lines {
                    out.push_str(rest);
                    out.push_str("  ");
                    out.push_str(&paint(style, CODE, &l));
                    out.push('\n');
                }
            }
        }
        prefix = rest.to_string();
    }
}

pub(crate) fn heading(out: &mut String, title: &str, style: &TextStyle) {
    out.push('\n');
    out.push_str(&paint(style, HEADING, title));
    out.push('\n');
}

/// A numbered list of steps, each followed by its references (`[1] [inference]`) against
/// the page's `docs`; shared by code and event pages.
pub(crate) fn numbered(
    out: &mut String,
    title: &str,
    items: &[std::borrow::Cow<'static, str>],
    sources: &[aadsts_kb::Sources],
    docs: &[aadsts_kb::DocLink],
    style: &TextStyle,
) {
    heading(out, title, style);
    for (i, it) in items.iter().enumerate() {
        let first = format!("{:>2}. ", i + 1);
        // References go after the step's prose; a code block ends the item, so
        // they go on the first line after the prose, before any fence.
        let tags = sources
            .get(i)
            .map(|s| aadsts_kb::source_tags(docs, s))
            .unwrap_or_default();
        let text = if tags.is_empty() {
            it.to_string()
        } else {
            match it.find("\n```") {
                Some(k) => format!("{} {}{}", &it[..k], tags, &it[k..]),
                None => format!("{it} {tags}"),
            }
        };
        emit(out, &text, &first, "    ", style);
    }
}

pub(crate) fn bullets(
    out: &mut String,
    title: &str,
    items: &[std::borrow::Cow<'static, str>],
    style: &TextStyle,
) {
    heading(out, title, style);
    for it in items {
        emit(out, it, "  - ", "    ", style);
    }
}

pub(crate) fn faq(out: &mut String, faq: &[aadsts_kb::Faq], style: &TextStyle) {
    if !faq.is_empty() {
        heading(out, "FAQ", style);
        for f in faq {
            emit(out, &format!("**{}**", f.question), "", "", style);
            for a in f.answer.iter() {
                emit(out, a, "  ", "  ", style);
            }
        }
    }
}

pub fn page(cat: &Catalog, p: &Page, style: &TextStyle) -> String {
    let mut out = String::new();
    let mut head = paint(style, BOLD, &p.label());
    if let Some(n) = &p.name {
        head.push_str("  ");
        head.push_str(&paint(style, DIM, n));
    }
    out.push_str(&head);
    out.push('\n');
    emit(
        &mut out,
        &p.title,
        "",
        "",
        &TextStyle {
            color: false,
            ..*style
        },
    );
    let cat_title = cat
        .category(&p.category)
        .map(|c| c.title.as_ref())
        .unwrap_or(&p.category);
    let _ = writeln!(
        out,
        "{}  ·  {}  ·  fixed by: {}  ·  retry: {}  ·  {}",
        paint(
            style,
            severity_style(p.severity),
            &format!("severity: {}", p.severity)
        ),
        cat_title,
        p.fixer,
        p.retry,
        match p.signal {
            Signal::Failure => "a real failure",
            Signal::Interrupt => "an interrupt (normal step of sign-in)",
            Signal::Expected => "expected noise in logs",
        }
    );
    if !p.in_microsoft_table && p.code != 0 {
        let _ = writeln!(
            out,
            "{}",
            paint(style, DIM, "Not in Microsoft's published error table: known from sign-in logs and support material.")
        );
    }
    if p.origin != "builtin" {
        let _ = writeln!(
            out,
            "{}",
            paint(style, DIM, &format!("From overlay: {}", p.origin))
        );
    }

    heading(&mut out, "What it means", style);
    for para in p.meaning.iter() {
        emit(&mut out, para, "", "", style);
    }
    if !p.notes.is_empty() {
        heading(&mut out, "Your organisation's notes", style);
        for para in p.notes.iter() {
            emit(&mut out, para, "", "", style);
        }
    }
    numbered(
        &mut out,
        "Common causes",
        &p.causes,
        &p.cause_sources,
        &p.docs,
        style,
    );
    numbered(
        &mut out,
        "How to fix",
        &p.fix,
        &p.fix_sources,
        &p.docs,
        style,
    );
    bullets(&mut out, "Diagnose", &p.diagnose, style);
    bullets(&mut out, "Collect for support", &p.collect, style);
    faq(&mut out, &p.faq, style);
    crate::event_pages::text_for_code(&mut out, p.code, style);
    if !p.related.is_empty() {
        heading(&mut out, "Related", style);
        for c in p.related.iter() {
            let title = cat.get(*c).map(|r| r.title.as_ref()).unwrap_or("(no page)");
            let label = if *c == 0 {
                "0".to_string()
            } else {
                format!("AADSTS{c}")
            };
            let _ = writeln!(out, "  {}  {}", paint(style, BOLD, &label), title);
        }
    }
    let lookup = (!p.docs_have_lookup()).then(|| {
        (
            "Microsoft's lookup for this code".to_string(),
            p.lookup_url(),
        )
    });
    let inference = p
        .cause_sources
        .iter()
        .chain(p.fix_sources.iter())
        .any(|s| s.inference)
        .then_some("[inference] marks a step no source states: our reasoning from the sources and the code; verify it in your tenant before you rely on it.");
    sources_section(
        &mut out,
        p.documented,
        &p.docs,
        lookup,
        inference,
        p.review.as_ref(),
        style,
    );
    out
}

/// One line per page: code, severity, fixer, signal, title.
pub fn table(pages: &[&Page], style: &TextStyle) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint(
            style,
            BOLD,
            &format!(
                "{:<14} {:<9} {:<10} {:<10} {}",
                "CODE", "SEVERITY", "FIXER", "SIGNAL", "TITLE"
            )
        )
    );
    for p in pages {
        let sev = format!("{:<9}", p.severity.as_str());
        let mut line = format!(
            "{:<14} {} {:<10} {:<10} {}",
            p.label(),
            paint(style, severity_style(p.severity), &sev),
            p.fixer.as_str(),
            p.signal.as_str(),
            p.title
        );
        if let Some(w) = style.width {
            // Cut long titles rather than wrap a table row.
            let visible = 14 + 1 + 9 + 1 + 10 + 1 + 10 + 1;
            let room = w.saturating_sub(visible).max(10);
            if p.title.chars().count() > room {
                let cut: String = p.title.chars().take(room.saturating_sub(1)).collect();
                line = format!(
                    "{:<14} {} {:<10} {:<10} {}…",
                    p.label(),
                    paint(style, severity_style(p.severity), &sev),
                    p.fixer.as_str(),
                    p.signal.as_str(),
                    cut
                );
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{}",
        paint(style, DIM, &format!("{} code(s)", pages.len()))
    );
    out
}

pub fn categories(cat: &Catalog, style: &TextStyle) -> String {
    let mut out = String::new();
    for c in cat.categories() {
        let n = cat.in_category(&c.id).count();
        let _ = writeln!(
            out,
            "{:<20} {:>4}  {}",
            paint(style, BOLD, &format!("{:<20}", c.id)).trim_end(),
            n,
            c.title
        );
        emit(
            &mut out,
            &c.summary,
            "                           ",
            "                           ",
            &TextStyle {
                color: false,
                ..*style
            },
        );
    }
    out
}

pub fn category(cat: &Catalog, c: &Category, style: &TextStyle) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {}",
        paint(style, BOLD, &c.title),
        paint(style, DIM, &format!("({})", c.id))
    );
    emit(&mut out, &c.summary, "", "", style);
    heading(&mut out, "About this family", style);
    for a in c.about.iter() {
        emit(&mut out, a, "", "", style);
    }
    heading(&mut out, "Codes", style);
    let pages: Vec<&Page> = cat.in_category(&c.id).collect();
    out.push_str(&table(&pages, style));
    if !c.docs.is_empty() {
        heading(&mut out, "Read more", style);
        for d in c.docs.iter() {
            let _ = writeln!(out, "  {}\n    {}", d.title, paint(style, DIM, &d.url));
        }
    }
    out
}
