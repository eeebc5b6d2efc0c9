//! Compiles `kb/` into static Rust data: the pages are parsed here with the same parser the
//! linter uses, so the binary carries no Markdown to parse at run time. A page that does not
//! parse is left out with a warning; the test suite's lint test turns that into a failure
//! with the linter's full message.

use aadsts_kb::{
    Category, DocLink, Documented, EventPage, EventSource, Faq, Page, Review, Sources, Tailor,
};
use std::fmt::Write as _;
use std::path::Path;

fn s(v: &str) -> String {
    format!("Cow::Borrowed({v:?})")
}

fn strs(v: &[std::borrow::Cow<'static, str>]) -> String {
    let items: Vec<String> = v.iter().map(|x| s(x)).collect();
    format!("Cow::Borrowed(&[{}])", items.join(","))
}

fn docs(v: &[DocLink]) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|d| {
            let id = match &d.id {
                Some(id) => format!("Some({})", s(id)),
                None => "None".into(),
            };
            format!("DocLink{{id:{id},title:{},url:{}}}", s(&d.title), s(&d.url))
        })
        .collect();
    format!("Cow::Borrowed(&[{}])", items.join(","))
}

fn faq(v: &[Faq]) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|f| {
            format!(
                "Faq{{question:{},answer:{}}}",
                s(&f.question),
                strs(&f.answer)
            )
        })
        .collect();
    format!("Cow::Borrowed(&[{}])", items.join(","))
}

fn tailor(v: &[Tailor]) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|t| format!("Tailor{{text:{},flows:{}}}", s(&t.text), strs(&t.flows)))
        .collect();
    format!("Cow::Borrowed(&[{}])", items.join(","))
}

fn sources(v: &[Sources]) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|x| {
            let ids: Vec<String> = x.docs.iter().map(|i| i.to_string()).collect();
            format!(
                "Sources{{docs:Cow::Borrowed(&[{}]),inference:{}}}",
                ids.join(","),
                x.inference
            )
        })
        .collect();
    format!("Cow::Borrowed(&[{}])", items.join(","))
}

fn documented(d: Option<Documented>) -> String {
    match d {
        Some(d) => format!("Some(Documented::{d:?})"),
        None => "None".into(),
    }
}

fn review(r: Option<&Review>) -> String {
    match r {
        Some(r) => format!(
            "Some(Review{{reviewer:{},date:{},changes:{}}})",
            s(&r.reviewer),
            s(&r.date),
            s(&r.changes)
        ),
        None => "None".into(),
    }
}

fn page(p: &Page) -> String {
    let documented = documented(p.documented);
    let review = review(p.review.as_ref());
    let name = match &p.name {
        Some(n) => format!("Some({})", s(n)),
        None => "None".into(),
    };
    let related: Vec<String> = p.related.iter().map(|r| r.to_string()).collect();
    format!(
        "Page{{code:{},name:{name},title:{},severity:Severity::{:?},category:{},fixer:Fixer::{:?},retry:Retry::{:?},signal:Signal::{:?},related:Cow::Borrowed(&[{}]),documented:{documented},docs:{},tailor:{},in_microsoft_table:{},meaning:{},causes:{},cause_sources:{},fix:{},fix_sources:{},diagnose:{},collect:{},faq:{},notes:{},review:{review},origin:Cow::Borrowed(\"builtin\")}}",
        p.code,
        s(&p.title),
        p.severity,
        s(&p.category),
        p.fixer,
        p.retry,
        p.signal,
        related.join(","),
        docs(&p.docs),
        tailor(&p.tailor),
        p.in_microsoft_table,
        strs(&p.meaning),
        strs(&p.causes),
        sources(&p.cause_sources),
        strs(&p.fix),
        sources(&p.fix_sources),
        strs(&p.diagnose),
        strs(&p.collect),
        faq(&p.faq),
        strs(&p.notes),
    )
}

fn category(c: &Category) -> String {
    format!(
        "Category{{id:{},title:{},summary:{},about:{},docs:{}}}",
        s(&c.id),
        s(&c.title),
        s(&c.summary),
        strs(&c.about),
        docs(&c.docs)
    )
}

fn opt(v: Option<&str>) -> String {
    match v {
        Some(x) => format!("Some({})", s(x)),
        None => "None".into(),
    }
}

fn event_source(e: &EventSource) -> String {
    format!(
        "EventSource{{slug:{},title:{},providers:{},channel:{},server:{},docs:{}}}",
        s(&e.slug),
        s(&e.title),
        strs(&e.providers),
        s(&e.channel),
        s(&e.server),
        s(&e.docs)
    )
}

fn event_page(p: &EventPage) -> String {
    let documented = documented(p.documented);
    let review = review(p.review.as_ref());
    let codes: Vec<String> = p.codes.iter().map(|c| c.to_string()).collect();
    format!(
        "EventPage{{source:{},event:{},name:{},title:{},level:EventLevel::{:?},severity:Severity::{:?},fixer:Fixer::{:?},signal:Signal::{:?},codes:Cow::Borrowed(&[{}]),related:{},user_fields:{},machine_fields:{},documented:{documented},docs:{},review:{review},meaning:{},causes:{},cause_sources:{},fix:{},fix_sources:{},diagnose:{},collect:{},faq:{}}}",
        s(&p.source),
        p.event,
        opt(p.name.as_deref()),
        s(&p.title),
        p.level,
        p.severity,
        p.fixer,
        p.signal,
        codes.join(","),
        strs(&p.related),
        strs(&p.user_fields),
        strs(&p.machine_fields),
        docs(&p.docs),
        strs(&p.meaning),
        strs(&p.causes),
        sources(&p.cause_sources),
        strs(&p.fix),
        sources(&p.fix_sources),
        strs(&p.diagnose),
        strs(&p.collect),
        faq(&p.faq),
    )
}

fn main() {
    // Read at run time: `env!` fixed the directory the build script was compiled in, and a
    // target directory shared by two checkouts then read the other checkout's pages.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let kb = Path::new(&manifest).join("../../kb");
    println!("cargo:rerun-if-changed={}", kb.display());
    let src = match aadsts_kb::load_source(&kb) {
        Ok(s) => s,
        Err(e) => panic!("cannot read the knowledge base: {e}"),
    };
    if !src.diagnostics.is_empty() {
        println!(
            "cargo:warning={} knowledge-base file(s) have problems and were left out; run `aadsts lint --source kb` for details",
            src.diagnostics.len()
        );
    }

    let mut out = String::new();
    out.push_str("pub static PAGES: &[Page] = &[\n");
    let mut last = None;
    for (_, parsed) in &src.pages {
        // Sorted by code; a duplicated code keeps its first page (the linter reports it).
        if last == Some(parsed.page.code) {
            continue;
        }
        last = Some(parsed.page.code);
        writeln!(out, "{},", page(&parsed.page)).unwrap();
    }
    out.push_str("];\n");
    out.push_str("pub static CATEGORIES: &[Category] = &[\n");
    for c in &src.categories {
        writeln!(out, "{},", category(c)).unwrap();
    }
    out.push_str("];\n");

    // Event pages (a duplicated id keeps its first page; the linter reports it), their sources, and the reverse index code → event pages, sorted by code.
    out.push_str("pub static EVENT_SOURCES: &[EventSource] = &[\n");
    for e in &src.event_sources {
        writeln!(out, "{},", event_source(e)).unwrap();
    }
    out.push_str("];\n");
    let mut events: Vec<&EventPage> = src.event_pages.iter().map(|(_, p)| &p.page).collect();
    // Sorted by (source, event) so that lookups are a binary search and lists read in
    // numeric order (`adfs-342` before `adfs-1203`).
    events.sort_by(|a, b| a.source.cmp(&b.source).then(a.event.cmp(&b.event)));
    events.dedup_by(|a, b| a.source == b.source && a.event == b.event);
    out.push_str("pub static EVENT_PAGES: &[EventPage] = &[\n");
    for p in &events {
        writeln!(out, "{},", event_page(p)).unwrap();
    }
    out.push_str("];\n");
    let mut by_code: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    for (i, p) in events.iter().enumerate() {
        for c in p.codes.iter() {
            let v = by_code.entry(*c).or_default();
            if !v.contains(&i) {
                v.push(i);
            }
        }
    }
    out.push_str("pub static EVENTS_BY_CODE: &[(u32, &[u16])] = &[\n");
    for (c, v) in &by_code {
        let v: Vec<String> = v.iter().map(|i| i.to_string()).collect();
        writeln!(out, "({c},&[{}]),", v.join(",")).unwrap();
    }
    out.push_str("];\n");

    // Microsoft's table and the known undocumented codes: (code, official name, gist).
    let gists = std::fs::read_to_string(kb.join("reference/undocumented-codes.tsv")).unwrap();
    let mut reference: Vec<(u32, Option<String>, Option<String>)> = src
        .documented
        .iter()
        .map(|(c, n)| (*c, n.clone(), None))
        .collect();
    for line in gists.lines().skip(1) {
        let mut cols = line.split('\t');
        if let (Some(c), Some(g)) = (cols.next(), cols.next()) {
            if let Ok(c) = c.trim().parse::<u32>() {
                reference.push((c, None, Some(g.trim().to_string())));
            }
        }
    }
    reference.sort_by_key(|r| r.0);
    out.push_str("pub static REFERENCE: &[Reference] = &[\n");
    for (c, n, g) in &reference {
        writeln!(
            out,
            "Reference{{code:{c},name:{:?},gist:{:?},in_microsoft_table:{}}},",
            n.as_deref(),
            g.as_deref(),
            src.documented.contains_key(c)
        )
        .unwrap();
    }
    out.push_str("];\n");

    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("catalog.rs");
    std::fs::write(dest, out).unwrap();
}
