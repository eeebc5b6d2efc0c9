//! Markdown as plain text, for machines and one-line contexts (JSON fields, CSV cells).

/// One step of Markdown as plain text on one line: emphasis and link markup dropped (a link
/// keeps its address in angle brackets), code spans without their backticks, and a fenced
/// code block as its lines joined by `; ` after a colon, never as its fence tag.
pub fn markdown_to_plain(md: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut out = String::new();
    let mut code_lines: Option<Vec<String>> = None;
    let mut link: Option<String> = None;
    for ev in Parser::new(md) {
        match ev {
            Event::Start(Tag::CodeBlock(_)) => code_lines = Some(Vec::new()),
            Event::End(TagEnd::CodeBlock) => {
                let lines = code_lines.take().unwrap_or_default();
                let body = lines
                    .iter()
                    .map(|l| l.trim())
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join("; ");
                let t = out.trim_end().len();
                out.truncate(t);
                if !out.is_empty() && !out.ends_with(':') {
                    out.push(':');
                }
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&body);
                out.push(' ');
            }
            Event::Text(t) => match code_lines.as_mut() {
                Some(lines) => lines.extend(t.lines().map(String::from)),
                None => out.push_str(&t),
            },
            Event::Code(t) => out.push_str(&t),
            Event::Start(Tag::Link { dest_url, .. }) => link = Some(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(u) = link.take() {
                    if !out.ends_with(u.as_str()) {
                        out.push_str(&format!(" <{u}>"));
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Item) => out.push(' '),
            Event::Html(h) | Event::InlineHtml(h) => out.push_str(&h),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
