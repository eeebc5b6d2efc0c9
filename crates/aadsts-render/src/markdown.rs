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
    for (title, items) in [("Common causes", &p.causes), ("How to fix", &p.fix)] {
        let _ = writeln!(out, "## {title}\n");
        for (i, it) in items.iter().enumerate() {
            let _ = writeln!(out, "{}. {}", i + 1, indent_item(it, "   "));
        }
        out.push('\n');
    }
    for (title, items) in [
        ("Diagnose", &p.diagnose),
        ("Collect for support", &p.collect),
    ] {
        let _ = writeln!(out, "## {title}\n");
        for it in items.iter() {
            let _ = writeln!(out, "- {}", indent_item(it, "  "));
        }
        out.push('\n');
    }
    if !p.faq.is_empty() {
        out.push_str("## FAQ\n\n");
        for f in p.faq.iter() {
            let _ = writeln!(out, "### {}\n", f.question);
            for a in f.answer.iter() {
                let _ = writeln!(out, "{a}\n");
            }
        }
    }
    if !p.related.is_empty() {
        out.push_str("## Related codes\n\n");
        for c in p.related.iter() {
            let title = cat.get(*c).map(|r| r.title.as_ref()).unwrap_or("(no page)");
            let _ = writeln!(out, "- **{c}**: {title}");
        }
        out.push('\n');
    }
    out.push_str("## Read more\n\n");
    for d in p.docs.iter() {
        let _ = writeln!(out, "- [{}]({})", d.title, d.url);
    }
    let _ = writeln!(
        out,
        "- [Microsoft's lookup for {}]({})",
        p.code,
        p.lookup_url()
    );
    out
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
