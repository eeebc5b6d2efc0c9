//! Markdown rendering: the page in the shape of a troubleshooting guide, ready to paste
//! into a ticket, a wiki or a runbook.

use aadsts_catalog::Catalog;
use aadsts_kb::{Category, Page};
use std::fmt::Write as _;

fn indent_item(text: &str, indent: &str) -> String {
    let mut lines = text.lines();
    let mut out = lines.next().unwrap_or("").to_string();
    for l in lines {
        out.push('\n');
        if !l.is_empty() {
            out.push_str(indent);
        }
        out.push_str(l);
    }
    out
}

/// A numbered section of steps, each followed by its references; shared by code and event
/// pages.
pub(crate) fn steps(
    out: &mut String,
    title: &str,
    items: &[std::borrow::Cow<'static, str>],
    sources: &[aadsts_kb::Sources],
    refs: &dyn Fn(&aadsts_kb::Sources) -> String,
) {
    let _ = writeln!(out, "## {title}\n");
    for (i, it) in items.iter().enumerate() {
        let refs = sources.get(i).map(refs).unwrap_or_default();
        let text = if refs.is_empty() {
            it.to_string()
        } else {
            match it.find("\n```") {
                Some(k) => format!("{} {}{}", &it[..k], refs, &it[k..]),
                None => format!("{it} {refs}"),
            }
        };
        let _ = writeln!(out, "{}. {}", i + 1, indent_item(&text, "   "));
    }
    out.push('\n');
}

pub(crate) fn bullets(out: &mut String, title: &str, items: &[std::borrow::Cow<'static, str>]) {
    let _ = writeln!(out, "## {title}\n");
    for it in items.iter() {
        let _ = writeln!(out, "- {}", indent_item(it, "  "));
    }
    out.push('\n');
}

pub(crate) fn faq(out: &mut String, faq: &[aadsts_kb::Faq]) {
    if !faq.is_empty() {
        out.push_str("## FAQ\n\n");
        for f in faq {
            let _ = writeln!(out, "### {}\n", f.question);
            for a in f.answer.iter() {
                let _ = writeln!(out, "{a}\n");
            }
        }
    }
}

pub fn page(cat: &Catalog, p: &Page) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}: {}\n", p.label(), p.title);
    let cat_title = cat
        .category(&p.category)
        .map(|c| c.title.as_ref())
        .unwrap_or(&p.category);
    let mut facts = vec![
        format!("**Severity:** {}", p.severity),
        format!("**Category:** {cat_title}"),
        format!("**Who fixes it:** {}", p.fixer),
        format!("**Retry:** {}", p.retry),
        format!("**Signal:** {}", p.signal),
    ];
    if let Some(n) = &p.name {
        facts.insert(0, format!("**Name:** `{n}`"));
    }
    if !p.in_microsoft_table && p.code != 0 {
        facts.push("**Not in Microsoft's published error table**".into());
    }
    for f in facts {
        let _ = writeln!(out, "- {f}");
    }
    out.push_str("\n## What it means\n\n");
    for para in p.meaning.iter() {
        let _ = writeln!(out, "{para}\n");
    }
    if !p.notes.is_empty() {
        out.push_str("## Your organisation's notes\n\n");
        for para in p.notes.iter() {
            let _ = writeln!(out, "{para}\n");
        }
    }
    let refs = |s: &aadsts_kb::Sources| md_refs(p, s);
    steps(
        &mut out,
        "Common causes",
        &p.causes,
        &p.cause_sources,
        &refs,
    );
    steps(&mut out, "How to fix", &p.fix, &p.fix_sources, &refs);
    bullets(&mut out, "Diagnose", &p.diagnose);
    bullets(&mut out, "Collect for support", &p.collect);
    faq(&mut out, &p.faq);
    crate::event_pages::md_for_code(&mut out, p.code);
    if !p.related.is_empty() {
        out.push_str("## Related codes\n\n");
        for c in p.related.iter() {
            let title = cat.get(*c).map(|r| r.title.as_ref()).unwrap_or("(no page)");
            let _ = writeln!(out, "- **{c}**: {title}");
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
    if !p.docs_have_lookup() {
        let _ = writeln!(
            out,
            "{}. [Microsoft's lookup for {}]({})",
            p.docs.len() + 1,
            p.code,
            p.lookup_url()
        );
    }
    if p.cause_sources
        .iter()
        .chain(p.fix_sources.iter())
        .any(|s| s.inference)
    {
        out.push_str("\n*[inference]* marks a step no source states: our reasoning from the sources and the code.\n");
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

/// A step's references as Markdown: `[[1]](url) *[inference]*`.
fn md_refs(p: &Page, s: &aadsts_kb::Sources) -> String {
    let mut out: Vec<String> = p
        .cited(s)
        .map(|(n, d)| format!("[\\[{n}\\]]({})", d.url))
        .collect();
    if s.inference {
        out.push("*\\[inference\\]*".into());
    }
    out.join(" ")
}

pub fn table(pages: &[&Page]) -> String {
    let mut out = String::from(
        "| Code | Name | Title | Severity | Fixer | Signal |\n|---|---|---|---|---|---|\n",
    );
    for p in pages {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            p.code,
            p.name.as_deref().unwrap_or(""),
            p.title.replace('|', "\\|"),
            p.severity,
            p.fixer,
            p.signal
        );
    }
    out
}

pub fn categories(cat: &Catalog) -> String {
    let mut out = String::from("| Category | Title | Codes | Covers |\n|---|---|---|---|\n");
    for c in cat.categories() {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            c.id,
            c.title,
            cat.in_category(&c.id).count(),
            c.summary
        );
    }
    out
}

pub fn category(cat: &Catalog, c: &Category) -> String {
    let mut out = format!("# {}\n\n{}\n\n", c.title, c.summary);
    for a in c.about.iter() {
        let _ = writeln!(out, "{a}\n");
    }
    out.push_str("## Codes\n\n");
    let pages: Vec<&Page> = cat.in_category(&c.id).collect();
    out.push_str(&table(&pages));
    if !c.docs.is_empty() {
        out.push_str("\n## Read more\n\n");
        for d in c.docs.iter() {
            let _ = writeln!(out, "- [{}]({})", d.title, d.url);
        }
    }
    out
}
