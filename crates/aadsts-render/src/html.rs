//! HTML rendering: a page fragment (for the web site), a category fragment, and a standalone
//! document (for `--format html`). Markup is written with maud's `html!` templates, which
//! escape every spliced value; the only pre-escaped pieces are Markdown rendered by
//! [`markdown`]. Page text is Markdown written by us or by an overlay author; it is rendered
//! with raw HTML disabled, so nothing in a page can inject markup.

use aadsts_catalog::Catalog;
use aadsts_kb::{Category, Page, Sources};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use pulldown_cmark::{Event, Options, Parser};

/// Escapes text for HTML element content and attribute values (for callers that still
/// build strings; the renderings here use maud templates).
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

/// Markdown → HTML with raw HTML shown as text and only https/relative links kept. Tables
/// (GitHub style) are rendered as tables.
pub fn markdown(md: &str) -> String {
    let events = Parser::new_ext(md, Options::ENABLE_TABLES).map(|ev| match ev {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        other => other,
    });
    // Images are dropped (their alt text stays, as text): a page or a paste must not make
    // the reader's browser fetch anything.
    let events = events.filter(|ev| {
        !matches!(
            ev,
            Event::Start(pulldown_cmark::Tag::Image { .. })
                | Event::End(pulldown_cmark::TagEnd::Image)
        )
    });
    // Links only to https://, a path on this site (`/…`, `../…`) or an anchor; `//host` and
    // `/\host` are protocol-relative (another host), so they are not paths.
    let events = events.map(|ev| match ev {
        Event::Start(pulldown_cmark::Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !(dest_url.starts_with("https://")
            || (dest_url.starts_with('/')
                && !dest_url.starts_with("//")
                && !dest_url.starts_with("/\\"))
            || dest_url.starts_with("../")
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

/// [`markdown`] as markup to splice into a template.
pub fn md(text: &str) -> PreEscaped<String> {
    PreEscaped(markdown(text))
}

/// How the pages of a site link to each other.
#[derive(Debug, Clone, Copy)]
pub struct Links<'a> {
    /// Prefix of every link: `/` on the server, `../../` on a static code page.
    pub base: &'a str,
    /// Link to `…/index.html` rather than to the directory (static files opened from disk).
    pub index_html: bool,
}

impl<'a> Links<'a> {
    /// Links under `base` to directories (`{base}codes/50126`), as the server serves them.
    pub fn server(base: &'a str) -> Self {
        Links {
            base,
            index_html: false,
        }
    }
    /// Relative links to files (`{base}codes/50126/index.html`), for a static copy that
    /// works from a sub-path or from disk.
    pub fn files(base: &'a str) -> Self {
        Links {
            base,
            index_html: true,
        }
    }
    fn dir(&self, path: &str) -> String {
        if self.index_html {
            format!("{}{path}/index.html", self.base)
        } else {
            format!("{}{path}", self.base)
        }
    }
    pub fn code(&self, code: u32) -> String {
        self.dir(&format!("codes/{code}"))
    }
    pub fn category(&self, id: &str) -> String {
        self.dir(&format!("categories/{id}"))
    }
    pub fn categories(&self) -> String {
        self.dir("categories")
    }
    /// An event page (`events/writeback-33004`).
    pub fn event(&self, id: &str) -> String {
        self.dir(&format!("events/{id}"))
    }
    /// The index of event pages.
    pub fn events(&self) -> String {
        self.dir("events")
    }
    /// The index of event pages, at one source's group.
    pub fn events_of(&self, slug: &str) -> String {
        format!("{}#{slug}", self.events())
    }
    pub fn home(&self) -> String {
        if self.index_html {
            format!("{}index.html", self.base)
        } else {
            self.base.to_string()
        }
    }
}

/// The links after one step: `Source: [1] [3]` and the inference badge.
fn step_refs(p: &Page, s: Option<&Sources>) -> Markup {
    let Some(s) = s else { return html! {} };
    if s.is_empty() {
        return html! {};
    }
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

/// A numbered list of steps, each followed by links to the sources it cites.
fn sourced_list(p: &Page, items: &[std::borrow::Cow<'static, str>], sources: &[Sources]) -> Markup {
    html! {
        ol {
            @for (i, it) in items.iter().enumerate() {
                li { (md(it)) (step_refs(p, sources.get(i))) }
            }
        }
    }
}

fn list(items: &[std::borrow::Cow<'static, str>]) -> Markup {
    html! { ul { @for it in items { li { (md(it)) } } } }
}

/// The first paragraph of a step, for the summary at the top of a page.
fn first_paragraph(step: &str) -> &str {
    let cut = [step.find("\n\n"), step.find("```")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(step.len());
    step[..cut].trim()
}

/// The page as an `<article>`; links to other codes point at `{base}codes/<code>`.
pub fn page_fragment(cat: &Catalog, p: &Page, base: &str) -> String {
    page_markup(cat, p, Links::server(base)).into_string()
}

/// The page as an `<article>`, with a short summary on top (who acts, the first fix step,
/// a jump to "How to fix") and ids on every section.
pub fn page_markup(cat: &Catalog, p: &Page, links: Links) -> Markup {
    let cat_title = cat
        .category(&p.category)
        .map(|c| c.title.as_ref())
        .unwrap_or(&p.category);
    let others: Vec<&Page> = cat
        .in_category(&p.category)
        .filter(|o| o.code != p.code)
        .take(12)
        .collect();
    let any_inference = p
        .cause_sources
        .iter()
        .chain(p.fix_sources.iter())
        .any(|s| s.inference);
    html! {
        article.page data-code=(p.code) {
            header {
                p.code { (p.label()) @if let Some(n) = &p.name { " " code { (n) } } }
                h1 { (p.title) }
                p.facts {
                    span class={"badge sev-" (p.severity)} { "severity: " (p.severity) } " "
                    a.badge href=(links.category(&p.category)) { (cat_title) } " "
                    span.badge { "fixed by: " (p.fixer) } " "
                    span.badge { "retry: " (p.retry) } " "
                    span.badge { (p.signal) }
                    @if !p.in_microsoft_table && p.code != 0 {
                        " " span.badge.unlisted { "not in Microsoft's table" }
                    }
                }
            }
            @if let Some(first) = p.fix.first() {
                aside.summary aria-label="In short" {
                    p { strong { "Who acts: " } (p.fixer.describe()) "." }
                    div.first { strong { "First step: " } (md(first_paragraph(first))) }
                    p.jump {
                        a href="#fix" { "How to fix (" (p.fix.len()) " steps)" }
                        " · " a href="#causes" { "Causes" }
                        " · " a href="#diagnose" { "Diagnose" }
                        " · " a href="#sources" { "Sources" }
                        @if !aadsts_catalog::event_pages_for_code(p.code).is_empty() {
                            " · " a href="#events" { "Server events" }
                        }
                    }
                }
            }
            section #meaning {
                h2 { "What it means" }
                @for para in p.meaning.iter() { (md(para)) }
            }
            @if !p.notes.is_empty() {
                section.notes #notes {
                    h2 { "Your organisation's notes" }
                    @for para in p.notes.iter() { (md(para)) }
                }
            }
            section #causes {
                h2 { "Common causes" }
                (sourced_list(p, &p.causes, &p.cause_sources))
            }
            section #fix {
                h2 { "How to fix" }
                (sourced_list(p, &p.fix, &p.fix_sources))
            }
            section #diagnose { h2 { "Diagnose" } (list(&p.diagnose)) }
            section #collect { h2 { "Collect for support" } (list(&p.collect)) }
            @if !p.faq.is_empty() {
                section #faq {
                    h2 { "FAQ" }
                    @for f in p.faq.iter() {
                        h3 { (f.question) }
                        @for a in f.answer.iter() { (md(a)) }
                    }
                }
            }
            (crate::event_pages::html_for_code(p.code, links))
            @if !p.related.is_empty() {
                section #related {
                    h2 { "Related codes" }
                    ul {
                        @for c in p.related.iter() {
                            li {
                                a href=(links.code(*c)) { (c) } " "
                                (cat.get(*c).map(|r| r.title.as_ref()).unwrap_or(""))
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
                    @if !p.docs_have_lookup() {
                        li { a href=(p.lookup_url()) { "Microsoft's lookup for " (p.code) } }
                    }
                }
                @if any_inference {
                    p.note {
                        span.src.inf { "inference" }
                        " marks a step no source states: our reasoning from the sources and the code. Verify it in your tenant before you rely on it."
                    }
                }
                @if let Some(r) = &p.review {
                    p.note { "Reviewed against Microsoft's docs on " (r.date) " (" (r.reviewer) ")." }
                }
            }
            @if !others.is_empty() {
                section #others {
                    h2 { "Other errors like this" }
                    ul {
                        @for o in others {
                            li { a href=(links.code(o.code)) { (o.code) } " " (o.title) }
                        }
                    }
                }
            }
        }
    }
}

pub fn category_fragment(cat: &Catalog, c: &Category, base: &str) -> String {
    category_markup(cat, c, Links::server(base)).into_string()
}

pub fn category_markup(cat: &Catalog, c: &Category, links: Links) -> Markup {
    html! {
        article.category {
            h1 { (c.title) }
            p { (c.summary) }
            @for a in c.about.iter() { (md(a)) }
            div.scroll {
                table.codes {
                    thead { tr { th { "Code" } th { "Title" } th { "Severity" } th.opt { "Fixer" } th.opt { "Signal" } } }
                    tbody {
                        @for p in cat.in_category(&c.id) {
                            tr {
                                td { a href=(links.code(p.code)) { (p.code) } }
                                td { (p.title) }
                                td { span class={"badge sev-" (p.severity)} { (p.severity) } }
                                td.opt { (p.fixer) }
                                td.opt { (p.signal) }
                            }
                        }
                    }
                }
            }
            @if !c.docs.is_empty() {
                h2 { "Read more" }
                ul { @for d in c.docs.iter() { li { a href=(d.url) { (d.title) } } } }
            }
        }
    }
}

pub const STYLE: &str = "*,*::before,*::after{box-sizing:border-box}\
body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:1.5rem auto;padding:0 1rem;color:#1b1b1b;background:#fff;overflow-wrap:break-word}\
a{color:#0b57d0}code{font-family:ui-monospace,monospace;background:#f1f3f4;padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}\
pre{background:#f1f3f4;padding:.6rem;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere;margin:.3rem 0}pre code{padding:0}\
.code{font-weight:600;color:#555;margin:0}h1{line-height:1.25;margin:.2rem 0 .5rem}\
.badge{display:inline-block;border:1px solid #bbb;border-radius:1rem;padding:0 .6rem;margin:0 .2rem .2rem 0;font-size:.85rem;text-decoration:none;color:inherit;overflow-wrap:normal}\
.sev-info{background:#e6f4ea}.sev-low{background:#e8f0fe}.sev-medium{background:#fef7e0}.sev-high{background:#fce8e6}.sev-critical{background:#c5221f;color:#fff}\
.unlisted{border-style:dashed}.refs{margin:.1rem 0 .5rem;font-size:.8rem;color:#555}.src{text-decoration:none;margin-left:.15rem}\
.inf{border:1px dashed #999;border-radius:.6rem;padding:0 .4rem;font-size:.75rem}.note{font-size:.85rem;color:#555}li>p{margin:.2rem 0}\
.summary{border-left:4px solid #0b57d0;background:#f5f8ff;padding:.5rem .8rem;margin:1rem 0}.summary p,.summary .first p{margin:.25rem 0}.summary .first p:first-of-type{display:inline}.jump{font-size:.9rem}\
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}\
dl.where{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.15rem .9rem;margin:.6rem 0;font-size:.95rem}dl.where dt{font-weight:600}dl.where dd{margin:0}td.nw{white-space:nowrap;overflow-wrap:normal}\
@media (max-width:700px){table.cards thead{display:none}table.cards,table.cards tbody{display:block;width:100%}table.cards tr{display:flex;flex-wrap:wrap;align-items:baseline;border-bottom:1px solid #ddd;padding:.45rem 0}\
table.cards td{display:block;flex:1 1 100%;border:none;padding:.05rem .2rem;text-align:left!important;min-width:0}table.cards td.inl{flex:0 0 auto;margin-right:.9rem}table.cards td.head{font-weight:600;order:-1}table.cards td[data-label]::before{content:attr(data-label) ': ';font-weight:600;color:#555}}\
@media (max-width:600px){body{margin:.8rem auto;padding:0 .7rem}h1{font-size:1.5rem}.opt{display:none}ol,ul{padding-left:1.3rem}}\
@media (prefers-color-scheme:dark){body{background:#121212;color:#e8e8e8}a{color:#8ab4f8}code,pre{background:#2a2a2a}.summary{background:#1a2233}.sev-info{background:#1e3a2a}.sev-low{background:#1e2a3a}.sev-medium{background:#3a341e}.sev-high{background:#3a1e1e}td,th{border-color:#333}.refs,.note{color:#aaa}}";

/// Content-Security-Policy of a standalone document (`--format html`): no scripts, no
/// requests, inline styles only.
pub const DOCUMENT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'";

/// A complete, self-contained HTML document, with a Content-Security-Policy meta tag that
/// allows no script and no request.
pub fn document(title: &str, body: &str) -> String {
    document_with(title, PreEscaped(body), DOCUMENT_CSP, html! {})
}

/// A complete document with the given policy and extra `<head>` content.
pub fn document_with(title: &str, body: PreEscaped<&str>, csp: &str, head: Markup) -> String {
    let doc = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(csp);
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
                (head)
            }
            body { (body) }
        }
    };
    let mut s = doc.into_string();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_carry_a_csp_meta_tag_and_escape_the_title() {
        let d = document("<b>x</b>", "<p>body</p>");
        assert!(d.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'"
        ));
        assert!(d.contains("<title>&lt;b&gt;x&lt;/b&gt;</title>"));
        assert!(d.contains("<p>body</p>"));
    }

    #[test]
    fn code_page_has_summary_step_sources_and_relative_links() {
        let cat = Catalog::builtin();
        let p = cat.get(53003).unwrap();
        let h = page_markup(&cat, p, Links::files("../../")).into_string();
        assert!(h.contains("<aside class=\"summary\""), "{h}");
        assert!(h.contains("Who acts: </strong>an administrator of the tenant"));
        assert!(h.contains("<p class=\"refs\">Source: <a class=\"src\" href=\"https://"));
        assert!(h.contains("<span class=\"src inf\""));
        assert!(h.contains("<section class=\"sources\" id=\"sources\">"));
        assert!(h.contains("href=\"../../codes/53000/index.html\""));
        assert!(h.contains("href=\"../../categories/conditional-access/index.html\""));
        assert!(!h.contains("href=\"/"));
    }

    #[test]
    fn markdown_tables_render_and_raw_html_stays_text() {
        let h = markdown("| Found | Value |\n|---|---|\n| a | <b>x</b> |\n");
        assert!(h.contains("<table>") && !h.contains("|---|"), "{h}");
        assert!(h.contains("&lt;b&gt;x&lt;/b&gt;"));
    }
}
