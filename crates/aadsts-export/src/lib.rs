//! The catalog as data for engines that already hold the logs: a KQL `datatable` (inline,
//! as a saved function, or read with `externaldata` from a CSV the user hosts), ready KQL
//! queries over `SigninLogs`, and CSV / JSON / JSON-lines exports.
//!
//! Every export has the same columns, in this order (documented in the README):
//! `ResultType` (string, the code as the sign-in tables store it), `Code` (int), `Name`,
//! `Title`, `Severity`, `Category`, `Fixer`, `Retry`, `Signal`, `InMicrosoftTable` (bool),
//! `FirstFix` (the first fix step as plain text), `Link` (the first documentation link,
//! or Microsoft's lookup address).

mod events;
mod queries;

pub use events::{
    event_rows, kql_event_catalog, kql_event_datatable, kql_event_function, kql_event_let,
    kql_event_query, EventQuery, EventRow, EVENT_COLUMNS, EVENT_QUERIES,
};
pub use queries::{Query, QUERIES};

use aadsts_catalog::Catalog;
use aadsts_kb::Page;
use pulldown_cmark::{Event, Parser, TagEnd};
use serde::Serialize;
use std::fmt::Write as _;

/// One row of the exported catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Row {
    pub result_type: String,
    pub code: u32,
    pub name: String,
    pub title: String,
    pub severity: &'static str,
    pub category: String,
    pub fixer: &'static str,
    pub retry: &'static str,
    pub signal: &'static str,
    pub in_microsoft_table: bool,
    pub first_fix: String,
    pub link: String,
}

/// Column names and KQL types, in export order.
pub const COLUMNS: &[(&str, &str)] = &[
    ("ResultType", "string"),
    ("Code", "int"),
    ("Name", "string"),
    ("Title", "string"),
    ("Severity", "string"),
    ("Category", "string"),
    ("Fixer", "string"),
    ("Retry", "string"),
    ("Signal", "string"),
    ("InMicrosoftTable", "bool"),
    ("FirstFix", "string"),
    ("Link", "string"),
];

/// Markdown → one line of plain text (code blocks kept as their text).
pub fn plain_text(md: &str) -> String {
    let mut out = String::new();
    for ev in Parser::new(md) {
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::CodeBlock | TagEnd::Item) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn row(p: &Page) -> Row {
    Row {
        result_type: p.code.to_string(),
        code: p.code,
        name: p.name.as_deref().unwrap_or("").to_string(),
        title: p.title.to_string(),
        severity: p.severity.as_str(),
        category: p.category.to_string(),
        fixer: p.fixer.as_str(),
        retry: p.retry.as_str(),
        signal: p.signal.as_str(),
        in_microsoft_table: p.in_microsoft_table,
        first_fix: p.fix.first().map(|f| plain_text(f)).unwrap_or_default(),
        link: p
            .docs
            .first()
            .map(|d| d.url.to_string())
            .unwrap_or_else(|| p.lookup_url()),
    }
}

pub fn rows(cat: &Catalog) -> Vec<Row> {
    cat.pages().iter().map(row).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("CSV output is not UTF-8")]
    Utf8,
}

pub fn to_csv(rows: &[Row]) -> Result<String, ExportError> {
    // The header is written even for an empty catalog, so readers always see the columns.
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(COLUMNS.iter().map(|(n, _)| *n))?;
    for r in rows {
        w.serialize(r)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ExportError::Csv(e.into_error().into()))?;
    String::from_utf8(bytes).map_err(|_| ExportError::Utf8)
}

pub fn to_json(rows: &[Row]) -> String {
    let mut s = serde_json::to_string_pretty(rows).expect("plain data serialises");
    s.push('\n');
    s
}

pub fn to_jsonl(rows: &[Row]) -> String {
    let mut s = String::new();
    for r in rows {
        s.push_str(&serde_json::to_string(r).expect("plain data serialises"));
        s.push('\n');
    }
    s
}

/// A KQL string literal. KQL's double-quoted strings take backslash escapes; anything
/// else (including non-ASCII) is written as is. Other control characters become `\uXXXX`
/// so that no character can end the literal or the line early.
pub fn kql_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn schema() -> String {
    COLUMNS
        .iter()
        .map(|(n, t)| format!("{n}:{t}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `datatable(...) [ ... ]` holding every row.
pub fn kql_datatable(rows: &[Row]) -> String {
    let mut out = format!("datatable({})\n[\n", schema());
    for r in rows {
        let _ = writeln!(
            out,
            "    {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {},",
            kql_string(&r.result_type),
            r.code,
            kql_string(&r.name),
            kql_string(&r.title),
            kql_string(r.severity),
            kql_string(&r.category),
            kql_string(r.fixer),
            kql_string(r.retry),
            kql_string(r.signal),
            r.in_microsoft_table,
            kql_string(&r.first_fix),
            kql_string(&r.link),
        );
    }
    out.push(']');
    out
}

/// Where a query gets the catalog from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogSource {
    /// A `let AadstsCatalog = datatable(...)` statement in front of the query.
    Inline,
    /// A `let` that reads the CSV export from a URL the user hosts.
    ExternalData(String),
    /// A function saved in the workspace as `AadstsCatalog` (see [`kql_function`]).
    Saved,
}

/// The statement that defines `AadstsCatalog` for a query, or nothing for a saved function.
pub fn kql_let(rows: &[Row], source: &CatalogSource) -> String {
    match source {
        CatalogSource::Inline => format!("let AadstsCatalog = {};\n", kql_datatable(rows)),
        CatalogSource::ExternalData(url) => format!(
            "let AadstsCatalog = externaldata({})\n[\n    {}\n]\nwith (format=\"csv\", ignoreFirstRecord=true);\n",
            schema(),
            kql_string(url)
        ),
        CatalogSource::Saved => String::new(),
    }
}

/// A control command that saves the catalog as the function `AadstsCatalog()` in Azure
/// Data Explorer (in Log Analytics, save the datatable expression as a function of that name).
pub fn kql_function(rows: &[Row], generator: &str) -> String {
    format!(
        ".create-or-alter function with (folder = \"aadsts\", docstring = {}) AadstsCatalog()\n{{\n{}\n}}\n",
        kql_string(&format!(
            "Entra ID sign-in error catalog ({} codes), generated by {generator}",
            rows.len()
        )),
        kql_datatable(rows)
    )
}

/// The catalog alone, ready to run: the `let` and the table.
pub fn kql_catalog(rows: &[Row], source: &CatalogSource) -> String {
    format!("{}AadstsCatalog\n", kql_let(rows, source))
}

/// A named query with the catalog in front of it. `table` is the sign-in table to read.
pub fn kql_query(rows: &[Row], source: &CatalogSource, q: &Query, table: &str) -> String {
    format!(
        "// {}\n// {}\n{}{}",
        q.title,
        q.purpose,
        kql_let(rows, source),
        q.body.replace("{table}", table)
    )
}

/// The sign-in tables the queries can read (they share the user-sign-in columns).
pub const TABLES: &[&str] = &["SigninLogs", "AADNonInteractiveUserSignInLogs"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kql_strings_escape_what_would_end_them() {
        assert_eq!(kql_string(r#"say "hi"\now"#), r#""say \"hi\"\\now""#);
        assert_eq!(kql_string("a\nb\r\tc"), r#""a\nb\r\tc""#);
        assert_eq!(kql_string("é 日本 ✓"), "\"é 日本 ✓\"");
        assert_eq!(kql_string("\u{7}"), r#""\u0007""#);
    }

    #[test]
    fn plain_text_strips_markdown() {
        assert_eq!(
            plain_text(
                "Open **Entra ID → Users**, run `Get-MgUser -UserId x` and [read](https://a.b)."
            ),
            "Open Entra ID → Users, run Get-MgUser -UserId x and read."
        );
        assert_eq!(
            plain_text("Run:\n   ```powershell\n   A\n   B\n   ```"),
            "Run: A B"
        );
    }

    #[test]
    fn every_catalog_code_is_exported() {
        let cat = Catalog::builtin();
        let rows = rows(&cat);
        assert_eq!(rows.len(), cat.pages().len());
        let kql = kql_datatable(&rows);
        let csv = to_csv(&rows).unwrap();
        for p in cat.pages() {
            assert!(
                kql.contains(&format!("\"{}\", {},", p.code, p.code)),
                "{} missing from KQL",
                p.code
            );
            assert!(
                csv.contains(&format!("\n{},{},", p.code, p.code)),
                "{} missing from CSV",
                p.code
            );
        }
        assert_eq!(to_jsonl(&rows).lines().count(), rows.len());
    }

    fn hostile_row() -> Row {
        Row {
            result_type: "1".into(),
            code: 1,
            name: "Quote\"Back\\slash".into(),
            title: "Line\nbreak, comma; and tab\there".into(),
            severity: "low",
            category: "x".into(),
            fixer: "user",
            retry: "never",
            signal: "failure",
            in_microsoft_table: false,
            first_fix: "Ünïcödé — 日本語 \"quoted\" \\ \r\n end".into(),
            link: "https://example.com/?a=1&b=\"2\"".into(),
        }
    }

    #[test]
    fn csv_round_trip_keeps_hostile_text() {
        let rows = vec![hostile_row()];
        let csv = to_csv(&rows).unwrap();
        let mut rd = csv::Reader::from_reader(csv.as_bytes());
        let headers: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(
            headers,
            COLUMNS
                .iter()
                .map(|(n, _)| n.to_string())
                .collect::<Vec<_>>()
        );
        let rec = rd.records().next().unwrap().unwrap();
        assert_eq!(&rec[2], rows[0].name);
        assert_eq!(&rec[3], rows[0].title);
        assert_eq!(&rec[10], rows[0].first_fix);
        assert_eq!(&rec[11], rows[0].link);
        let back: Vec<serde_json::Value> = to_jsonl(&rows)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(back[0]["FirstFix"], rows[0].first_fix.as_str());
    }

    #[test]
    fn kql_literal_round_trip_by_unescaping() {
        // Undo KQL's escapes the way the engine does and compare.
        fn unescape(lit: &str) -> String {
            let inner = &lit[1..lit.len() - 1];
            let mut out = String::new();
            let mut it = inner.chars();
            while let Some(c) = it.next() {
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                match it.next().unwrap() {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => {
                        let hex: String = it.by_ref().take(4).collect();
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                    }
                    other => out.push(other),
                }
            }
            out
        }
        let r = hostile_row();
        for s in [
            &r.name,
            &r.title,
            &r.first_fix,
            &r.link,
            &"\u{1}\u{1f}".to_string(),
        ] {
            let lit = kql_string(s);
            assert!(!lit[1..lit.len() - 1].contains('\n'));
            assert_eq!(&unescape(&lit), s);
        }
    }
}
