//! `aadsts site <dir>`: the pages as static files for any static host: `index.html`, one
//! `codes/<code>/index.html` per page and `categories/<id>/index.html` per category (so
//! the links `/codes/50126` of the live site work unchanged), and `search-index.json`
//! for client-side search.

use crate::WebError;
use aadsts_catalog::Catalog;
use aadsts_render::html::{self, escape};
use std::fmt::Write as _;
use std::path::Path;

fn write(path: &Path, text: &str) -> Result<(), WebError> {
    let err = |source| WebError::Write {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    std::fs::write(path, text).map_err(err)
}

/// Writes the site; returns how many files were written.
pub fn build(catalog: &Catalog, dir: &Path) -> Result<usize, WebError> {
    let mut n = 0;
    // `data-site="static"` tells app.js to search `search-index.json` instead of the API.
    let nav = "<nav data-site=\"static\"><form action=\"/\" method=\"get\" role=\"search\"><a href=\"/\"><strong>aadsts</strong></a> <label for=\"q\" style=\"position:absolute;left:-9999px\">Search codes</label><input type=\"search\" id=\"q\" placeholder=\"Search codes\"> · <a href=\"/categories/\">Categories</a></form></nav>";
    let script = "<script src=\"/static/app.js\" defer></script>";
    for p in catalog.pages() {
        let body = format!("{nav}{}{script}", html::page_fragment(catalog, p, "/"));
        write(
            &dir.join(format!("codes/{}/index.html", p.code)),
            &html::document(&format!("{}: {}", p.label(), p.title), &body),
        )?;
        n += 1;
    }
    let mut cats = String::from("<h1>Categories</h1><ul>");
    for c in catalog.categories() {
        let body = format!("{nav}{}{script}", html::category_fragment(catalog, c, "/"));
        write(
            &dir.join(format!("categories/{}/index.html", c.id)),
            &html::document(&c.title, &body),
        )?;
        n += 1;
        let _ = write!(
            cats,
            "<li><a href=\"/categories/{}/\">{}</a> — {}</li>",
            escape(&c.id),
            escape(&c.title),
            escape(&c.summary)
        );
    }
    cats.push_str("</ul>");
    write(
        &dir.join("categories/index.html"),
        &html::document("Categories", &format!("{nav}{cats}{script}")),
    )?;
    n += 1;

    let mut index = String::from("<h1>Microsoft Entra sign-in errors</h1><table><thead><tr><th>Code</th><th>Title</th><th>Severity</th><th>Fixed by</th></tr></thead><tbody>");
    for p in catalog.pages() {
        let _ = write!(
            index,
            "<tr><td><a href=\"/codes/{c}/\">AADSTS{c}</a></td><td>{}</td><td><span class=\"badge sev-{s}\">{s}</span></td><td>{}</td></tr>",
            escape(&p.title),
            p.fixer,
            c = p.code,
            s = p.severity
        );
    }
    index.push_str("</tbody></table>");
    write(
        &dir.join("index.html"),
        &html::document("aadsts", &format!("{nav}{index}{script}")),
    )?;
    n += 1;

    write(&dir.join("static/app.js"), crate::pages::APP_JS)?;
    n += 1;

    // Client-side search: code, name, title and category of every page.
    let entries: Vec<serde_json::Value> = catalog
        .pages()
        .iter()
        .map(|p| {
            serde_json::json!({
                "code": p.code,
                "name": p.name.as_deref(),
                "title": p.title.as_ref(),
                "category": p.category.as_ref(),
                "severity": p.severity.to_string(),
                "url": format!("/codes/{}/", p.code),
            })
        })
        .collect();
    write(
        &dir.join("search-index.json"),
        &serde_json::to_string(&entries).unwrap_or_default(),
    )?;
    n += 1;
    Ok(n)
}
