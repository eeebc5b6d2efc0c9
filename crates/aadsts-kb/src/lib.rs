//! The aadsts knowledge base: the page model, the parser for `kb/codes/<code>.md` pages
//! and `kb/categories.toml`, and the linter that holds every page to `kb/FORMAT.md`.
//!
//! The same code checks the built-in pages (at build time and in the test suite) and an
//! organisation's overlay pages (at run time).

mod lint;
mod model;
mod parse;
mod plain;
mod reference;

pub use lint::{
    check_event_page, check_page, find_repeated_blocks, find_repeated_paragraphs,
    normalize_paragraph, Context, EventContext, DUPLICATE_MIN_CHARS,
};
pub use model::*;
pub use parse::{
    parse_event_page, parse_page, take_source_marker, Completeness, Given, Lines, ParsedEventPage,
    ParsedPage, SECTIONS,
};
pub use plain::markdown_to_plain;
pub use reference::{code_spans, normalize_learn_url, References};

use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    /// Short rule id, e.g. `title`, `repeated-paragraph`.
    pub rule: &'static str,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} [{}]",
            self.file, self.line, self.message, self.rule
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KbError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a knowledge-base directory: {why}")]
    NotAKb { path: PathBuf, why: String },
    #[error("{} problem(s) in the knowledge base:\n{}", .0.len(), DiagList(.0))]
    Invalid(Vec<Diagnostic>),
}

struct DiagList<'a>(&'a [Diagnostic]);
impl fmt::Display for DiagList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {d}")?;
        }
        Ok(())
    }
}

fn read(path: &Path) -> Result<String, KbError> {
    std::fs::read_to_string(path).map_err(|source| KbError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoriesFile {
    #[serde(default)]
    category: Vec<CategoryRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryRaw {
    id: String,
    title: String,
    summary: String,
    about: String,
    #[serde(default)]
    docs: Vec<DocRawPlain>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocRawPlain {
    title: String,
    url: String,
}

/// Parses `categories.toml`. Problems are returned as diagnostics against `file`.
pub fn parse_categories(file: &str, src: &str) -> Result<Vec<Category>, Vec<Diagnostic>> {
    let line_of = |offset: usize| 1 + src[..offset.min(src.len())].matches('\n').count();
    let raw: CategoriesFile = toml::from_str(src).map_err(|e| {
        vec![Diagnostic {
            file: file.to_string(),
            line: e.span().map(|s| line_of(s.start)).unwrap_or(1),
            rule: "categories",
            message: e.message().trim().to_string(),
        }]
    })?;
    let mut diags = Vec::new();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for c in raw.category {
        // Find the line of this category's id for messages.
        let needle = format!("id = \"{}\"", c.id);
        let line = src.find(&needle).map(line_of).unwrap_or(1);
        let mut d = |message: String| {
            diags.push(Diagnostic {
                file: file.to_string(),
                line,
                rule: "categories",
                message,
            })
        };
        if c.id.is_empty()
            || !c
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            d(format!(
                "category id \"{}\" must be lower-case letters, digits and hyphens",
                c.id
            ));
        }
        if !seen.insert(c.id.clone()) {
            d(format!("category id \"{}\" is defined twice", c.id));
        }
        if c.title.trim().is_empty() || c.summary.trim().is_empty() || c.about.trim().is_empty() {
            d(format!(
                "category \"{}\" needs a title, a summary and an about text",
                c.id
            ));
        }
        for doc in &c.docs {
            if !doc.url.starts_with("https://") {
                d(format!(
                    "category \"{}\": docs URL \"{}\" is not https",
                    c.id, doc.url
                ));
            }
        }
        let about = c
            .about
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .map(Cow::Owned)
            .collect::<Vec<_>>();
        out.push(Category {
            id: Cow::Owned(c.id),
            title: Cow::Owned(c.title.trim().to_string()),
            summary: Cow::Owned(c.summary.trim().to_string()),
            about: Cow::Owned(about),
            docs: Cow::Owned(
                c.docs
                    .into_iter()
                    .map(|d| DocLink {
                        id: None,
                        title: Cow::Owned(d.title),
                        url: Cow::Owned(d.url),
                    })
                    .collect(),
            ),
        });
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventSourcesFile {
    #[serde(default)]
    source: Vec<toml::Spanned<EventSourceRaw>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventSourceRaw {
    slug: String,
    title: String,
    providers: Vec<String>,
    channel: String,
    server: String,
    docs: String,
}

/// Parses `events/sources.toml` (kb/FORMAT.md, "Event pages"). Problems are returned as
/// diagnostics against `file`.
pub fn parse_event_sources(file: &str, src: &str) -> Result<Vec<EventSource>, Vec<Diagnostic>> {
    let line_of = |offset: usize| 1 + src[..offset.min(src.len())].matches('\n').count();
    let raw: EventSourcesFile = toml::from_str(src).map_err(|e| {
        vec![Diagnostic {
            file: file.to_string(),
            line: e.span().map(|s| line_of(s.start)).unwrap_or(1),
            rule: "event-sources",
            message: e.message().trim().to_string(),
        }]
    })?;
    let mut diags = Vec::new();
    let mut slugs = BTreeSet::new();
    // A reader matches an event by provider: one provider must lead to one source.
    let mut providers: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for spanned in raw.source {
        let line = line_of(spanned.span().start);
        let s = spanned.into_inner();
        let mut d = |message: String| {
            diags.push(Diagnostic {
                file: file.to_string(),
                line,
                rule: "event-sources",
                message,
            })
        };
        if s.slug.is_empty()
            || s.slug.starts_with('-')
            || s.slug.ends_with('-')
            || !s.slug.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        {
            d(format!(
                "source slug \"{}\" must be lower-case letters and hyphens",
                s.slug
            ));
        }
        if !slugs.insert(s.slug.clone()) {
            d(format!("source slug \"{}\" is defined twice", s.slug));
        }
        for (field, v) in [
            ("title", &s.title),
            ("channel", &s.channel),
            ("server", &s.server),
        ] {
            if v.trim().is_empty() {
                d(format!("source \"{}\" has an empty `{field}`", s.slug));
            }
        }
        if s.providers.is_empty() {
            d(format!(
                "source \"{}\" names no `providers`: a reader could not match its events",
                s.slug
            ));
        }
        for p in &s.providers {
            if p.trim().is_empty() {
                d(format!("source \"{}\" has an empty provider name", s.slug));
            } else if let Some(other) = providers.insert(p.trim().to_lowercase(), s.slug.clone()) {
                d(format!(
                    "provider \"{}\" is named by sources \"{other}\" and \"{}\": one provider, one source",
                    p.trim(),
                    s.slug
                ));
            }
        }
        if !s.docs.starts_with("https://") || s.docs.contains(char::is_whitespace) {
            d(format!(
                "source \"{}\": docs \"{}\" is not an https address",
                s.slug, s.docs
            ));
        }
        let own = |v: String| Cow::Owned(v.trim().to_string());
        out.push(EventSource {
            slug: own(s.slug),
            title: own(s.title),
            providers: Cow::Owned(s.providers.into_iter().map(own).collect()),
            channel: own(s.channel),
            server: own(s.server),
            docs: own(s.docs),
        });
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// Parses Microsoft's table as kept in `reference/documented-codes.tsv`
/// (`code<TAB>official_name<TAB>gist`, with a header line).
pub fn parse_documented(src: &str) -> BTreeMap<u32, Option<String>> {
    src.lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let code = cols.next()?.trim().parse().ok()?;
            let name = cols
                .next()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(String::from);
            Some((code, name))
        })
        .collect()
}

/// Codes listed one per line (first column of a TSV, header skipped if not numeric).
pub fn parse_code_list(src: &str) -> BTreeSet<u32> {
    src.lines()
        .filter_map(|l| l.split('\t').next()?.trim().parse().ok())
        .collect()
}

/// A knowledge-base source directory (`kb/`), read and parsed.
pub struct Source {
    pub root: PathBuf,
    pub categories: Vec<Category>,
    pub documented: BTreeMap<u32, Option<String>>,
    pub undocumented: BTreeSet<u32>,
    pub pending: BTreeSet<u32>,
    /// Pages that parsed, with the file they came from, sorted by code.
    pub pages: Vec<(String, ParsedPage)>,
    /// The sources of `events/sources.toml` (empty without an `events/` directory).
    pub event_sources: Vec<EventSource>,
    /// Event pages that parsed, with their files, sorted by id.
    pub event_pages: Vec<(String, ParsedEventPage)>,
    /// Problems found while reading and parsing.
    pub diagnostics: Vec<Diagnostic>,
}

/// Lists `*.md` files in a directory, sorted, so that output is stable.
pub fn markdown_files(dir: &Path) -> Result<Vec<PathBuf>, KbError> {
    let rd = std::fs::read_dir(dir).map_err(|source| KbError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|source| KbError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads a `kb/` directory: categories, the reference lists, pending codes and every page.
pub fn load_source(root: &Path) -> Result<Source, KbError> {
    let cat_path = root.join("categories.toml");
    if !cat_path.is_file() {
        return Err(KbError::NotAKb {
            path: root.to_path_buf(),
            why: "it has no categories.toml".into(),
        });
    }
    let mut diagnostics = Vec::new();
    let categories = match parse_categories(&cat_path.display().to_string(), &read(&cat_path)?) {
        Ok(c) => c,
        Err(d) => {
            diagnostics.extend(d);
            Vec::new()
        }
    };
    let documented = parse_documented(&read(&root.join("reference/documented-codes.tsv"))?);
    let undocumented = parse_code_list(&read(&root.join("reference/undocumented-codes.tsv"))?);
    let pending_path = root.join("pending.txt");
    let pending = if pending_path.is_file() {
        parse_code_list(&read(&pending_path)?)
    } else {
        BTreeSet::new()
    };

    let mut pages = Vec::new();
    for path in markdown_files(&root.join("codes"))? {
        let file = path.display().to_string();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let Ok(file_code) = stem.parse::<u32>() else {
            diagnostics.push(Diagnostic {
                file,
                line: 1,
                rule: "file-name",
                message: "page files are named after their code, e.g. 50126.md".into(),
            });
            continue;
        };
        let src = read(&path)?;
        match parse_page(&file, &src, "builtin", Completeness::Full) {
            Ok(mut parsed) => {
                if parsed.page.code != file_code {
                    diagnostics.push(Diagnostic {
                        file: file.clone(),
                        line: 2,
                        rule: "file-name",
                        message: format!(
                            "`code = {}` but the file is named {stem}.md",
                            parsed.page.code
                        ),
                    });
                }
                parsed.page.in_microsoft_table = documented.contains_key(&parsed.page.code);
                pages.push((file, parsed));
            }
            Err(d) => diagnostics.extend(d),
        }
    }
    pages.sort_by_key(|(_, p)| p.page.code);
    let (event_sources, event_pages) = load_events(&root.join("events"), &mut diagnostics)?;
    Ok(Source {
        root: root.to_path_buf(),
        categories,
        documented,
        undocumented,
        pending,
        pages,
        event_sources,
        event_pages,
        diagnostics,
    })
}

/// The sources and event pages of `events/`, each page with its file.
type Events = (Vec<EventSource>, Vec<(String, ParsedEventPage)>);

/// Reads `events/`: its `sources.toml` and every `<source>-<event>.md` page. A knowledge
/// base without an `events/` directory has no event pages.
fn load_events(dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> Result<Events, KbError> {
    if !dir.is_dir() {
        return Ok((Vec::new(), Vec::new()));
    }
    let sources_path = dir.join("sources.toml");
    let sources = if sources_path.is_file() {
        match parse_event_sources(&sources_path.display().to_string(), &read(&sources_path)?) {
            Ok(s) => s,
            Err(d) => {
                diagnostics.extend(d);
                Vec::new()
            }
        }
    } else {
        diagnostics.push(Diagnostic {
            file: sources_path.display().to_string(),
            line: 1,
            rule: "event-sources",
            message:
                "events/ has no sources.toml: every event page belongs to a source listed there"
                    .into(),
        });
        Vec::new()
    };
    let mut pages = Vec::new();
    for path in markdown_files(dir)? {
        let file = path.display().to_string();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let Some((slug, event)) = split_event_page_id(stem) else {
            diagnostics.push(Diagnostic {
                file,
                line: 1,
                rule: "file-name",
                message: "event page files are named <source>-<event>.md, e.g. writeback-33004.md"
                    .into(),
            });
            continue;
        };
        let src = read(&path)?;
        match parse_event_page(&file, &src) {
            Ok(parsed) => {
                if parsed.page.source != slug {
                    diagnostics.push(Diagnostic {
                        file: file.clone(),
                        line: parsed.lines.source.max(1),
                        rule: "file-name",
                        message: format!(
                            "`source = \"{}\"` but the file is named {stem}.md",
                            parsed.page.source
                        ),
                    });
                }
                if parsed.page.event != event {
                    diagnostics.push(Diagnostic {
                        file: file.clone(),
                        line: parsed.lines.event.max(1),
                        rule: "file-name",
                        message: format!(
                            "`event = {}` but the file is named {stem}.md",
                            parsed.page.event
                        ),
                    });
                }
                pages.push((file, parsed));
            }
            Err(d) => diagnostics.extend(d),
        }
    }
    pages.sort_by_key(|(_, p)| (p.page.source.to_string(), p.page.event));
    Ok((sources, pages))
}

impl Source {
    /// Every code the reference lists know of (plus 0, success).
    pub fn known_codes(&self) -> BTreeSet<u32> {
        let mut all: BTreeSet<u32> = self.documented.keys().copied().collect();
        all.extend(&self.undocumented);
        all.insert(0);
        all
    }

    /// Runs every rule and returns all problems, parse problems first.
    pub fn lint(&self) -> Vec<Diagnostic> {
        let mut out = self.diagnostics.clone();
        let have: BTreeSet<u32> = self.pages.iter().map(|(_, p)| p.page.code).collect();
        let ctx = Context {
            category_ids: self.categories.iter().map(|c| c.id.as_ref()).collect(),
            known_codes: have.union(&self.pending).copied().collect(),
            documented: &self.documented,
            check_names: true,
            require_evidence: true,
        };
        for (file, parsed) in &self.pages {
            out.extend(check_page(file, parsed, &ctx));
        }
        let event_ids: BTreeSet<String> =
            self.event_pages.iter().map(|(_, p)| p.page.id()).collect();
        let ectx = EventContext {
            sources: &self.event_sources,
            code_pages: &have,
            event_pages: &event_ids,
        };
        for (file, parsed) in &self.event_pages {
            out.extend(check_event_page(file, parsed, &ectx));
        }
        // Every checkable token against the reference lists (kb/reference/).
        match References::load(&self.root.join("reference")) {
            Ok(refs) => {
                for (file, parsed) in &self.pages {
                    out.extend(refs.check(file, parsed));
                }
                for (file, parsed) in &self.event_pages {
                    out.extend(refs.check_event(file, parsed));
                }
                let sources = self.root.join("events/sources.toml");
                if let Ok(src) = std::fs::read_to_string(&sources) {
                    out.extend(refs.check_category_urls(&sources.display().to_string(), &src));
                }
                let cat = self.root.join("categories.toml");
                if let Ok(src) = std::fs::read_to_string(&cat) {
                    out.extend(refs.check_category_urls(&cat.display().to_string(), &src));
                }
            }
            Err(e) => out.push(Diagnostic {
                file: self.root.join("reference").display().to_string(),
                line: 1,
                rule: "reference",
                message: format!("cannot read the reference lists: {e}"),
            }),
        }
        // Code and event pages together: an event page must not restate a code page.
        out.extend(find_repeated_blocks(
            self.pages
                .iter()
                .map(|(f, p)| {
                    (
                        f.as_str(),
                        p.page.code.to_string(),
                        p.lines.blocks.as_slice(),
                    )
                })
                .chain(
                    self.event_pages
                        .iter()
                        .map(|(f, p)| (f.as_str(), p.page.id(), p.lines.blocks.as_slice())),
                ),
        ));
        let mut ids_seen = BTreeSet::new();
        for (file, p) in &self.event_pages {
            if !ids_seen.insert(p.page.id()) {
                out.push(Diagnostic {
                    file: file.clone(),
                    line: 1,
                    rule: "file-name",
                    message: format!("two event pages claim {}", p.page.id()),
                });
            }
        }

        // Coverage: every known code has a page or is listed as pending, never both.
        let pending_file = self.root.join("pending.txt").display().to_string();
        for code in self.known_codes() {
            let has = have.contains(&code);
            let waiting = self.pending.contains(&code);
            if has && waiting {
                out.push(Diagnostic {
                    file: pending_file.clone(),
                    line: 1,
                    rule: "coverage",
                    message: format!("{code} has a page now: remove it from pending.txt"),
                });
            } else if !has && !waiting {
                let message = match self.documented.get(&code) {
                    Some(name) => format!(
                        "Microsoft's table lists {code}{} and no page explains it (added upstream?): write this page",
                        name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
                    ),
                    None => format!("no page for known code {code}"),
                };
                out.push(Diagnostic {
                    file: self
                        .root
                        .join("codes")
                        .join(format!("{code}.md"))
                        .display()
                        .to_string(),
                    line: 1,
                    rule: "coverage",
                    message,
                });
            }
        }
        let dup_pages: BTreeMap<u32, usize> =
            self.pages.iter().fold(BTreeMap::new(), |mut m, (_, p)| {
                *m.entry(p.page.code).or_default() += 1;
                m
            });
        for (code, n) in dup_pages {
            if n > 1 {
                out.push(Diagnostic {
                    file: self.root.join("codes").display().to_string(),
                    line: 1,
                    rule: "file-name",
                    message: format!("{n} pages claim code {code}"),
                });
            }
        }
        out
    }
}
