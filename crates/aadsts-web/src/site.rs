//! `aadsts site <dir>`: the pages as static files for any static host or for reading from
//! disk: `index.html`, one `codes/<code>/index.html` per page, `categories/<id>/index.html`
//! per category, the event pages under `events/`, `search.html` (which honours `?q=`), and
//! the search index of code and event pages as `search-index.json` and `search-index.js`
//! (a script, so search works from `file://` too).
//! Every link is relative and names its `index.html`, so the copy works from a sub-path
//! and from disk. Each page carries its Content-Security-Policy as a meta tag.
//!
//! Writing never follows a symbolic link planted inside the directory: a link where a
//! file goes is replaced by the file, a link where a directory goes by a directory; the
//! target of the link is never touched.

use crate::pages::{site_header, PAGE_CSP, SITE_STYLE};
use crate::WebError;
use aadsts_catalog::Catalog;
use aadsts_render::html::{self, Links};
use maud::{html as m, Markup, PreEscaped};
use std::io::Write as _;
use std::path::Path;

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> WebError + '_ {
    move |source| WebError::Write {
        path: path.display().to_string(),
        source,
    }
}

/// Removes whatever is at `path` if it is a symbolic link (the link, not its target).
fn unlink_symlink(path: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::remove_file(path),
        _ => Ok(()),
    }
}

/// Writes `text` to `root/rel`, creating directories under `root` as needed, without
/// following any symbolic link inside `root` (`root` itself is the user's choice).
fn write(root: &Path, rel: &str, text: &str) -> Result<(), WebError> {
    let path = root.join(rel);
    let err = io_err(&path);
    let mut dir = root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    let (file, dirs) = parts.split_last().expect("a relative path has a file name");
    for d in dirs {
        dir.push(d);
        unlink_symlink(&dir).map_err(&err)?;
        match std::fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let m = std::fs::symlink_metadata(&dir).map_err(&err)?;
                if !m.is_dir() {
                    return Err(err(std::io::Error::other(format!(
                        "{} is in the way and is not a directory",
                        dir.display()
                    ))));
                }
            }
            Err(e) => return Err(err(e)),
        }
    }
    let target = dir.join(file);
    // A fresh file every time: an old file, a planted symbolic link or a hard link to a file
    // elsewhere is removed first, and `create_new` refuses whatever appears meanwhile.
    match std::fs::symlink_metadata(&target) {
        Ok(m) if m.is_dir() => {
            return Err(err(std::io::Error::other("a directory is in the way")));
        }
        Ok(_) => std::fs::remove_file(&target).map_err(&err)?,
        Err(_) => {}
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .map_err(&err)?;
    f.write_all(text.as_bytes()).map_err(&err)
}

/// A whole static page; `base` leads from the page back to the site's root (`../../`).
fn page(title: &str, base: &str, body: Markup) -> String {
    let links = Links::files(base);
    let content = m! {
        (site_header(links, true, "", Some(base)))
        main { (body) }
        script src={(base) "static/app.js"} defer {}
    };
    html::document_with(
        title,
        PreEscaped(&content.into_string()),
        PAGE_CSP,
        m! { style { (PreEscaped(SITE_STYLE)) } },
    )
}

/// Writes the site; returns how many files were written.
pub fn build(catalog: &Catalog, dir: &Path) -> Result<usize, WebError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut n = 0;
    let deep = Links::files("../../");
    for p in catalog.pages() {
        write(
            dir,
            &format!("codes/{}/index.html", p.code),
            &page(
                &format!("{}: {}", p.label(), p.title),
                "../../",
                html::page_markup(catalog, p, deep),
            ),
        )?;
        n += 1;
    }
    for c in catalog.categories() {
        write(
            dir,
            &format!("categories/{}/index.html", c.id),
            &page(&c.title, "../../", html::category_markup(catalog, c, deep)),
        )?;
        n += 1;
    }
    let up = Links::files("../");
    let cats = m! {
        h1 { "Categories" }
        ul {
            @for c in catalog.categories() {
                li {
                    a href=(up.category(&c.id)) { (c.title) }
                    " (" (catalog.in_category(&c.id).count()) " codes) — " (c.summary)
                }
            }
        }
    };
    write(
        dir,
        "categories/index.html",
        &page("Categories", "../", cats),
    )?;
    n += 1;

    let top = Links::files("");
    let index = m! {
        h1 { "Microsoft Entra sign-in errors" }
        p { "Every code this catalog explains. Search by code, Microsoft's name or words in the box above, or browse the " a href=(top.categories()) { "categories" } "." }
        div.scroll {
            table.codes {
                thead { tr { th { "Code" } th { "Title" } th { "Severity" } th.opt { "Fixed by" } } }
                tbody {
                    @for p in catalog.pages() {
                        tr {
                            td { a href=(top.code(p.code)) { "AADSTS" (p.code) } }
                            td { (p.title) }
                            td { span class={"badge sev-" (p.severity)} { (p.severity) } }
                            td.opt { (p.fixer) }
                        }
                    }
                }
            }
        }
    };
    write(dir, "index.html", &page("aadsts", "", index))?;
    n += 1;

    // Filled in by app.js from `?q=` and the search index.
    let search = m! {
        h1 #search-title { "Search" }
        p #search-status { "Type a code, an event ID, Microsoft's name or a few words in the box above." }
        noscript { p { "Search needs JavaScript. The " a href="index.html" { "list of all codes" } " and the " a href="categories/index.html" { "categories" } " work without it." } }
        ol.hits #results {}
    };
    write(dir, "search.html", &page("Search", "", search))?;
    n += 1;

    write(dir, "static/app.js", crate::pages::APP_JS)?;
    n += 1;
    n += crate::event_pages::build_static(catalog, |rel, title, base, body| {
        write(dir, rel, &page(title, base, body))
    })?;

    // Client-side search: code, name, title and category of every page, then the event
    // pages (event ID, Microsoft's name, title, source and its providers); `kind` tells
    // them apart, `label` is how a result names itself (`AADSTS50126`, `security-4740`)
    // and `url` is relative to the site's root.
    let entries: Vec<serde_json::Value> = catalog
        .pages()
        .iter()
        .map(|p| {
            serde_json::json!({
                "kind": "code",
                "label": p.label(),
                "code": p.code,
                "name": p.name.as_deref(),
                "title": p.title.as_ref(),
                "category": p.category.as_ref(),
                "severity": p.severity.to_string(),
                "url": format!("codes/{}/index.html", p.code),
            })
        })
        .chain(aadsts_catalog::event_pages().map(|e| {
            let source = aadsts_catalog::event_source(&e.source);
            let mut about = source.map_or(String::new(), |s| s.title.to_string());
            for p in source.iter().flat_map(|s| s.providers.iter()) {
                about.push(' ');
                about.push_str(p);
            }
            serde_json::json!({
                "kind": "event",
                "label": e.id(),
                "event": e.event,
                "name": e.name.as_deref(),
                "title": e.title.as_ref(),
                "category": about,
                "severity": e.severity.to_string(),
                "url": format!("events/{}/index.html", e.id()),
            })
        }))
        .collect();
    let json = serde_json::to_string(&entries).unwrap_or_default();
    write(dir, "search-index.json", &json)?;
    n += 1;
    // The same as a script: pages opened from disk cannot fetch a file, but can load one.
    write(
        dir,
        "search-index.js",
        &format!("window.AADSTS_INDEX = {json};\n"),
    )?;
    n += 1;
    Ok(n)
}
