//! HTML rendering: a page fragment (for the web site) and a standalone document (for
//! `--format html`). Page text is Markdown written by us or by an overlay author; it is
//! rendered with raw HTML disabled, so nothing in a page can inject markup.

use aadsts_catalog::Catalog;
use aadsts_kb::{Category, Page};
use pulldown_cmark::{Event, Parser};
use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Markdown → HTML with raw HTML shown as text and only https/relative links kept.
pub fn markdown(md: &str) -> String {
    let events = Parser::new(md).map(|ev| match ev {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        other => other,
    });
    let events = events.map(|ev| match ev {
        Event::Start(pulldown_cmark::Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !(dest_url.starts_with("https://")
            || dest_url.starts_with('/')
            || dest_url.starts_with('#')) =>
        {
            Event::Start(pulldown_cmark::Tag::Link {
                link_type,
                dest_url: "#".into(),
                title,
                id,
            })
        }
        other => other,
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// A numbered list of steps, each followed by links to the sources it cites.
fn sourced_list(
    out: &mut String,
    p: &Page,
    items: &[std::borrow::Cow<'static, str>],
    sources: &[aadsts_kb::Sources],
) {
    out.push_str("<ol>");
    for (i, it) in items.iter().enumerate() {
        let mut refs = String::new();
        if let Some(s) = sources.get(i) {
            for (n, d) in p.cited(s) {
                let _ = write!(
                    refs,
                    " <a class=\"src\" href=\"{}\" title=\"{}\">[{n}]</a>",
                    escape(&d.url),
                    escape(&d.title)
                );
            }
            if s.inference {
                refs.push_str(" <span class=\"src inf\" title=\"No source states this step: our reasoning\">inference</span>");
            }
        }
        let _ = write!(out, "<li>{}", markdown(it));
        if !refs.is_empty() {
            let _ = write!(out, "<p class=\"refs\">Source:{refs}</p>");
        }
        out.push_str("</li>");
    }
    out.push_str("</ol>");
}

fn list(out: &mut String, tag: &str, items: &[std::borrow::Cow<'static, str>]) {
    let _ = write!(out, "<{tag}>");
    for it in items {
        let _ = write!(out, "<li>{}</li>", markdown(it));
    }
    let _ = writeln!(out, "</{tag}>");
}

/// The page as an `<article>`; links to other codes point at `{base}codes/<code>`.
pub fn page_fragment(cat: &Catalog, p: &Page, base: &str) -> String {
    let mut out = String::new();
    let cat_title = cat
        .category(&p.category)
        .map(|c| c.title.as_ref())
        .unwrap_or(&p.category);
    let _ = writeln!(out, "<article class=\"page\" data-code=\"{}\">", p.code);
    let _ = writeln!(
        out,
        "<header><p class=\"code\">{}{}</p><h1>{}</h1>",
        escape(&p.label()),
        p.name
            .as_deref()
            .map(|n| format!(" <code>{}</code>", escape(n)))
            .unwrap_or_default(),
        escape(&p.title)
    );
    let _ = writeln!(
        out,
        "<p class=\"facts\"><span class=\"badge sev-{s}\">severity: {s}</span> <a class=\"badge\" href=\"{base}categories/{cid}\">{ct}</a> <span class=\"badge\">fixed by: {f}</span> <span class=\"badge\">retry: {r}</span> <span class=\"badge\">{sig}</span>{nt}</p></header>",
        s = p.severity,
        cid = escape(&p.category),
        ct = escape(cat_title),
        f = p.fixer,
        r = p.retry,
        sig = p.signal,
        nt = if !p.in_microsoft_table && p.code != 0 {
            " <span class=\"badge unlisted\">not in Microsoft's table</span>"
        } else {
            ""
        }
    );
    out.push_str("<section><h2>What it means</h2>");
    for para in p.meaning.iter() {
        out.push_str(&markdown(para));
    }
    out.push_str("</section>\n");
    if !p.notes.is_empty() {
        out.push_str("<section class=\"notes\"><h2>Your organisation's notes</h2>");
        for para in p.notes.iter() {
            out.push_str(&markdown(para));
        }
        out.push_str("</section>\n");
    }
    out.push_str("<section><h2>Common causes</h2>");
    sourced_list(&mut out, p, &p.causes, &p.cause_sources);
    out.push_str("</section>\n<section><h2>How to fix</h2>");
    sourced_list(&mut out, p, &p.fix, &p.fix_sources);
    out.push_str("</section>\n<section><h2>Diagnose</h2>");
    list(&mut out, "ul", &p.diagnose);
    out.push_str("</section>\n<section><h2>Collect for support</h2>");
    list(&mut out, "ul", &p.collect);
    out.push_str("</section>\n");
    if !p.faq.is_empty() {
        out.push_str("<section><h2>FAQ</h2>");
        for f in p.faq.iter() {
            let _ = write!(out, "<h3>{}</h3>", escape(&f.question));
            for a in f.answer.iter() {
                out.push_str(&markdown(a));
            }
        }
        out.push_str("</section>\n");
    }
    if !p.related.is_empty() {
        out.push_str("<section><h2>Related codes</h2><ul>");
        for c in p.related.iter() {
            let title = cat.get(*c).map(|r| r.title.as_ref()).unwrap_or("");
            let _ = write!(
                out,
                "<li><a href=\"{base}codes/{c}\">{c}</a> {}</li>",
                escape(title)
            );
        }
        out.push_str("</ul></section>\n");
    }
    out.push_str("<section class=\"sources\"><h2>Sources</h2>");
    if let Some(d) = p.documented {
        let _ = write!(
            out,
            "<p>How much Microsoft documents it: <strong>{d}</strong> ({}).</p>",
            escape(d.describe())
        );
    }
    out.push_str("<ol>");
    for (i, d) in p.docs.iter().enumerate() {
        let _ = write!(
            out,
            "<li id=\"src-{}\"><a href=\"{}\">{}</a></li>",
            i + 1,
            escape(&d.url),
            escape(&d.title)
        );
    }
    if !p.docs_have_lookup() {
        let _ = write!(
            out,
            "<li><a href=\"{}\">Microsoft's lookup for {}</a></li>",
            escape(&p.lookup_url()),
            p.code
        );
    }
    out.push_str("</ol>");
    if p.cause_sources
        .iter()
        .chain(p.fix_sources.iter())
        .any(|s| s.inference)
    {
        out.push_str("<p class=\"note\"><span class=\"src inf\">inference</span> marks a step no source states: our reasoning from the sources and the code. Verify it in your tenant before you rely on it.</p>");
    }
    if let Some(r) = &p.review {
        let _ = write!(
            out,
            "<p class=\"note\">Reviewed against Microsoft's docs on {} ({}).</p>",
            escape(&r.date),
            escape(&r.reviewer)
        );
    }
    out.push_str("</section>\n");
    let others: Vec<&Page> = cat
        .in_category(&p.category)
        .filter(|o| o.code != p.code)
        .take(12)
        .collect();
    if !others.is_empty() {
        let _ = write!(out, "<section><h2>Other errors like this</h2><ul>");
        for o in others {
            let _ = write!(
                out,
                "<li><a href=\"{base}codes/{}\">{}</a> {}</li>",
                o.code,
                o.code,
                escape(&o.title)
            );
        }
        out.push_str("</ul></section>\n");
    }
    out.push_str("</article>\n");
    out
}

pub fn category_fragment(cat: &Catalog, c: &Category, base: &str) -> String {
    let mut out = format!(
        "<article class=\"category\"><h1>{}</h1><p>{}</p>",
        escape(&c.title),
        escape(&c.summary)
    );
    for a in c.about.iter() {
        out.push_str(&markdown(a));
    }
    out.push_str("<table><thead><tr><th>Code</th><th>Title</th><th>Severity</th><th>Fixer</th><th>Signal</th></tr></thead><tbody>");
    for p in cat.in_category(&c.id) {
        let _ = write!(
            out,
            "<tr><td><a href=\"{base}codes/{c}\">{c}</a></td><td>{}</td><td><span class=\"badge sev-{s}\">{s}</span></td><td>{}</td><td>{}</td></tr>",
            escape(&p.title),
            p.fixer,
            p.signal,
            c = p.code,
            s = p.severity
        );
    }
    out.push_str("</tbody></table>");
    if !c.docs.is_empty() {
        out.push_str("<h2>Read more</h2><ul>");
        for d in c.docs.iter() {
            let _ = write!(
                out,
                "<li><a href=\"{}\">{}</a></li>",
                escape(&d.url),
                escape(&d.title)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</article>\n");
    out
}

pub const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}\
a{color:#0b57d0}code{font-family:ui-monospace,monospace;background:#f1f3f4;padding:0 .2em;border-radius:3px}\
pre{background:#f1f3f4;padding:.6rem;overflow:auto}.code{font-weight:600;color:#555;margin:0}\
.badge{display:inline-block;border:1px solid #bbb;border-radius:1rem;padding:0 .6rem;margin:0 .2rem .2rem 0;font-size:.85rem;text-decoration:none;color:inherit}\
.sev-info{background:#e6f4ea}.sev-low{background:#e8f0fe}.sev-medium{background:#fef7e0}.sev-high{background:#fce8e6}.sev-critical{background:#c5221f;color:#fff}\
.unlisted{border-style:dashed}.refs{margin:.1rem 0 .5rem;font-size:.8rem;color:#555}.src{text-decoration:none;margin-left:.15rem}\
.inf{border:1px dashed #999;border-radius:.6rem;padding:0 .4rem;font-size:.75rem}.note{font-size:.85rem;color:#555}li>p{margin:.2rem 0}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}\
@media (prefers-color-scheme:dark){body{background:#121212;color:#e8e8e8}a{color:#8ab4f8}code,pre{background:#2a2a2a}.sev-info{background:#1e3a2a}.sev-low{background:#1e2a3a}.sev-medium{background:#3a341e}.sev-high{background:#3a1e1e}td,th{border-color:#333}.refs,.note{color:#aaa}}";

/// A complete, self-contained HTML document.
pub fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{}</style></head><body>\n{}</body></html>\n",
        escape(title),
        STYLE,
        body
    )
}
