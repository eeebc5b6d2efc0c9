//! Parser for `kb/codes/<code>.md` pages: TOML front matter between `+++` lines, then the
//! fixed `##` sections. Every problem is reported with its line, and parsing goes on after
//! a problem where it can, so that one run of the linter shows them all.

use crate::model::*;
use crate::Diagnostic;
use serde::Deserialize;
use std::borrow::Cow;
use toml::Spanned;

/// The sections of a page, in the order they must appear.
pub const SECTIONS: &[&str] = &[
    "Meaning",
    "Common causes",
    "How to fix",
    "Diagnose",
    "Collect for support",
    "FAQ",
    "Notes",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListKind {
    Ordered,
    Bullet,
}

/// Front matter as written. Every field is optional here so that overlay pages may give
/// only what they change; completeness is checked by [`parse_page`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub code: Option<Spanned<i64>>,
    pub name: Option<Spanned<String>>,
    pub title: Option<Spanned<String>>,
    pub severity: Option<Spanned<String>>,
    pub category: Option<Spanned<String>>,
    pub fixer: Option<Spanned<String>>,
    pub retry: Option<Spanned<String>>,
    pub signal: Option<Spanned<String>>,
    pub related: Option<Spanned<Vec<Spanned<i64>>>>,
    pub documented: Option<Spanned<String>>,
    pub docs: Option<Vec<Spanned<DocRaw>>>,
    pub tailor: Option<Vec<Spanned<TailorRaw>>>,
    pub review: Option<Spanned<ReviewRaw>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRaw {
    pub reviewer: String,
    pub date: String,
    pub changes: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TailorRaw {
    pub text: String,
    /// Optional: the flows the step is about (names from `FLOWS`).
    #[serde(default)]
    pub flows: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocRaw {
    pub id: Option<Spanned<String>>,
    pub title: String,
    pub url: Spanned<String>,
}

/// Line numbers of the parts of a page, for the linter's messages.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    pub title: usize,
    pub name: usize,
    pub category: usize,
    pub related: usize,
    pub docs: Vec<usize>,
    pub documented: usize,
    pub review: usize,
    /// Line of each `## Section` heading, by section name.
    pub sections: Vec<(&'static str, usize)>,
    /// Every paragraph, list item and FAQ answer: (line, text), for duplicate detection.
    pub blocks: Vec<(usize, String)>,
    /// Line of each fix step.
    pub fix: Vec<usize>,
    /// Line of each cause.
    pub causes: Vec<usize>,
    /// Line of each `[[tailor]]` entry.
    pub tailor: Vec<usize>,
    /// Event pages: the lines of `source`, `event` and `codes`.
    pub source: usize,
    pub event: usize,
    pub codes: usize,
}

/// A page as parsed from one file, before it is checked against the rest of the catalog.
#[derive(Debug, Clone)]
pub struct ParsedPage {
    pub page: Page,
    pub lines: Lines,
    /// Fields and sections the file actually gave (an overlay may give only some).
    pub given: Given,
}

#[derive(Debug, Clone, Default)]
pub struct Given {
    pub fields: Vec<&'static str>,
    pub sections: Vec<&'static str>,
}

impl Given {
    pub fn has_field(&self, f: &str) -> bool {
        self.fields.contains(&f)
    }
    pub fn has_section(&self, s: &str) -> bool {
        self.sections.contains(&s)
    }
}

/// How strictly to parse: a built-in page must be complete; an overlay page that shares
/// the code of a built-in page may give only the parts it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    Full,
    Partial,
}

/// Largest page file accepted (the largest built-in page is about 13 KB).
pub const MAX_PAGE_BYTES: usize = 256 * 1024;
/// Most `[[docs]]` entries on one page (built-in pages have at most 9; steps refer to them
/// by a 16-bit index).
pub const MAX_DOCS: usize = 200;

/// Parses one page. `file` names it in diagnostics; `origin` is stored in the page.
/// Linear in the size of the page, which is at most [`MAX_PAGE_BYTES`] with at most
/// [`MAX_DOCS`] `[[docs]]` entries.
pub fn parse_page(
    file: &str,
    src: &str,
    origin: &str,
    completeness: Completeness,
) -> Result<ParsedPage, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let diag = |line: usize, rule: &'static str, msg: String| Diagnostic {
        file: file.to_string(),
        line,
        rule,
        message: msg,
    };

    let split = Split::new(file, src)?;
    let fm_line = |offset: usize| split.line(offset);
    let fm: FrontMatter = split.front_matter(file)?;

    let mut lines = Lines::default();
    let mut given = Given::default();
    let full = completeness == Completeness::Full;

    macro_rules! required {
        ($field:ident, $label:literal) => {{
            if fm.$field.is_some() {
                given.fields.push($label);
            } else if full {
                diags.push(diag(
                    1,
                    "missing-field",
                    format!("front matter has no `{}`", $label),
                ));
            }
        }};
    }
    required!(code, "code");
    required!(title, "title");
    required!(severity, "severity");
    required!(category, "category");
    required!(fixer, "fixer");
    required!(retry, "retry");
    required!(signal, "signal");
    if fm.name.is_some() {
        given.fields.push("name");
    }
    if fm.related.is_some() {
        given.fields.push("related");
    }
    if fm.docs.is_some() {
        given.fields.push("docs");
    }
    if fm.tailor.is_some() {
        given.fields.push("tailor");
    }
    if fm.documented.is_some() {
        given.fields.push("documented");
    }
    if fm.review.is_some() {
        given.fields.push("review");
    }

    let code = match &fm.code {
        Some(c) => match u32::try_from(*c.get_ref()) {
            Ok(v) => v,
            Err(_) => {
                diags.push(diag(
                    fm_line(c.span().start),
                    "bad-value",
                    format!("`code` must be a non-negative integer, not {}", c.get_ref()),
                ));
                0
            }
        },
        None => 0,
    };

    // An enum-valued field: its value, or a diagnostic naming the accepted words.
    let mut word = |v: &Option<Spanned<String>>, field: &str, ok: bool, words: String| {
        if let (Some(s), false) = (v, ok) {
            diags.push(diag(
                fm_line(s.span().start),
                "bad-value",
                format!(
                    "`{field}` is \"{}\"; it must be one of: {words}",
                    s.get_ref()
                ),
            ));
        }
    };
    fn get(v: &Option<Spanned<String>>) -> Option<&str> {
        v.as_ref().map(|s| s.get_ref().as_str())
    }
    let severity = get(&fm.severity).and_then(Severity::parse);
    word(
        &fm.severity,
        "severity",
        severity.is_some(),
        Severity::words(),
    );
    let fixer = get(&fm.fixer).and_then(Fixer::parse);
    word(&fm.fixer, "fixer", fixer.is_some(), Fixer::words());
    let retry = get(&fm.retry).and_then(Retry::parse);
    word(&fm.retry, "retry", retry.is_some(), Retry::words());
    let signal = get(&fm.signal).and_then(Signal::parse);
    word(&fm.signal, "signal", signal.is_some(), Signal::words());
    let severity = severity.unwrap_or(Severity::Medium);
    let fixer = fixer.unwrap_or(Fixer::Admin);
    let retry = retry.unwrap_or(Retry::AfterFix);
    let signal = signal.unwrap_or(Signal::Failure);
    let documented = get(&fm.documented).and_then(Documented::parse);
    word(
        &fm.documented,
        "documented",
        fm.documented.is_none() || documented.is_some(),
        Documented::words(),
    );
    if let Some(d) = &fm.documented {
        lines.documented = fm_line(d.span().start);
    }
    let review = review(fm.review.as_ref(), &split, &mut lines);

    let title = fm.title.as_ref().map(|t| {
        lines.title = fm_line(t.span().start);
        t.get_ref().clone()
    });
    let name = fm.name.as_ref().map(|n| {
        lines.name = fm_line(n.span().start);
        n.get_ref().clone()
    });
    if let Some(n) = &name {
        if n.trim().is_empty() {
            diags.push(diag(
                lines.name,
                "bad-value",
                "`name` is empty: omit the field when Microsoft publishes no name".into(),
            ));
        }
    }
    let category = fm.category.as_ref().map(|c| {
        lines.category = fm_line(c.span().start);
        c.get_ref().clone()
    });
    let mut related = Vec::new();
    if let Some(r) = &fm.related {
        lines.related = fm_line(r.span().start);
        for v in r.get_ref() {
            match u32::try_from(*v.get_ref()) {
                Ok(c) => related.push(c),
                Err(_) => diags.push(diag(
                    fm_line(v.span().start),
                    "bad-value",
                    format!("related code {} is not a valid code", v.get_ref()),
                )),
            }
        }
    }
    let docs = parse_docs(fm.docs.as_deref(), file, &split, &mut lines, &mut diags)?;

    let mut tailor = Vec::new();
    for t in fm.tailor.iter().flatten() {
        let line = fm_line(t.span().start);
        lines.tailor.push(line);
        let text = t.get_ref().text.trim().to_string();
        let names = placeholders(&text);
        if names.is_empty() {
            diags.push(diag(
                line,
                "tailor",
                "a `[[tailor]]` text has no {placeholder}; write it as a fix step instead".into(),
            ));
        }
        for n in names {
            if !VALUE_NAMES.iter().any(|(v, _)| *v == n) {
                diags.push(diag(
                    line,
                    "tailor",
                    format!(
                        "unknown placeholder {{{n}}}; known: {}",
                        VALUE_NAMES
                            .iter()
                            .map(|(v, _)| *v)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        let mut flows = Vec::new();
        for f in &t.get_ref().flows {
            if FLOWS.iter().any(|(n, _)| n == f) {
                flows.push(Cow::Owned(f.clone()));
            } else {
                let known: Vec<&str> = FLOWS.iter().map(|(n, _)| *n).collect();
                diags.push(diag(
                    line,
                    "tailor",
                    format!("unknown flow `{f}`; known: {}", known.join(", ")),
                ));
            }
        }
        tailor.push(Tailor {
            text: Cow::Owned(text),
            flows: Cow::Owned(flows),
        });
    }

    // ---- body ----
    let (body, cause_sources, fix_sources) = parse_body(
        file, &split, full, &docs, &mut lines, &mut given, &mut diags,
    );

    if !diags.is_empty() {
        return Err(diags);
    }
    let page = Page {
        code,
        name: name.map(|n| Cow::Owned(n.trim().to_string())),
        title: Cow::Owned(title.unwrap_or_default().trim().to_string()),
        severity,
        category: Cow::Owned(category.unwrap_or_default().trim().to_string()),
        fixer,
        retry,
        signal,
        related: Cow::Owned(related),
        documented,
        docs: Cow::Owned(docs),
        tailor: Cow::Owned(tailor),
        in_microsoft_table: false,
        meaning: own(body.meaning),
        causes: own(body.causes),
        cause_sources: Cow::Owned(cause_sources),
        fix: own(body.fix),
        fix_sources: Cow::Owned(fix_sources),
        diagnose: own(body.diagnose),
        collect: own(body.collect),
        faq: faq_of(body.faq),
        notes: own(body.notes),
        review,
        origin: Cow::Owned(origin.to_string()),
    };
    Ok(ParsedPage { page, lines, given })
}

/// Front matter of an event page (`kb/events/<source>-<event>.md`), as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventFrontMatter {
    source: Option<Spanned<String>>,
    event: Option<Spanned<i64>>,
    name: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    level: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
    fixer: Option<Spanned<String>>,
    signal: Option<Spanned<String>>,
    codes: Option<Spanned<Vec<Spanned<i64>>>>,
    related: Option<Spanned<Vec<Spanned<String>>>>,
    user_fields: Option<Spanned<Vec<String>>>,
    machine_fields: Option<Spanned<Vec<String>>>,
    documented: Option<Spanned<String>>,
    docs: Option<Vec<Spanned<DocRaw>>>,
    review: Option<Spanned<ReviewRaw>>,
}

/// An event page as parsed from one file, before it is checked against the rest of the
/// knowledge base.
#[derive(Debug, Clone)]
pub struct ParsedEventPage {
    pub page: EventPage,
    pub lines: Lines,
    pub given: Given,
}

/// Parses one event page (kb/FORMAT.md, "Event pages"). `file` names it in diagnostics.
/// The body goes through the same parser as a code page's; the front matter has its own
/// fields. Checks that need the rest of the knowledge base are the linter's.
pub fn parse_event_page(file: &str, src: &str) -> Result<ParsedEventPage, Vec<Diagnostic>> {
    let split = Split::new(file, src)?;
    let fm: EventFrontMatter = split.front_matter(file)?;
    let mut diags = Vec::new();
    let mut lines = Lines::default();
    let mut given = Given::default();

    macro_rules! required {
        ($($field:ident),+) => {$(
            if fm.$field.is_some() {
                given.fields.push(stringify!($field));
            } else {
                diags.push(diag(
                    file,
                    1,
                    "missing-field",
                    format!("front matter has no `{}`", stringify!($field)),
                ));
            }
        )+};
    }
    required!(source, event, title, level, severity, fixer, signal);

    let source = fm.source.as_ref().map_or(String::new(), |s| {
        lines.source = split.line(s.span().start);
        s.get_ref().trim().to_string()
    });
    let event = match &fm.event {
        Some(e) => {
            lines.event = split.line(e.span().start);
            match u32::try_from(*e.get_ref()) {
                Ok(v) => v,
                Err(_) => {
                    diags.push(diag(
                        file,
                        lines.event,
                        "bad-value",
                        format!(
                            "`event` must be a non-negative integer, not {}",
                            e.get_ref()
                        ),
                    ));
                    0
                }
            }
        }
        None => 0,
    };

    let mut word = |v: &Option<Spanned<String>>, field: &str, ok: bool, words: String| {
        if let (Some(s), false) = (v, ok) {
            diags.push(diag(
                file,
                split.line(s.span().start),
                "bad-value",
                format!(
                    "`{field}` is \"{}\"; it must be one of: {words}",
                    s.get_ref()
                ),
            ));
        }
    };
    fn get(v: &Option<Spanned<String>>) -> Option<&str> {
        v.as_ref().map(|s| s.get_ref().as_str())
    }
    let level = get(&fm.level).and_then(EventLevel::parse);
    word(&fm.level, "level", level.is_some(), EventLevel::words());
    let severity = get(&fm.severity).and_then(Severity::parse);
    word(
        &fm.severity,
        "severity",
        severity.is_some(),
        Severity::words(),
    );
    let fixer = get(&fm.fixer).and_then(Fixer::parse);
    word(&fm.fixer, "fixer", fixer.is_some(), Fixer::words());
    // An event either records a failure or healthy operation; "interrupt" is a sign-in notion.
    let signal = get(&fm.signal)
        .and_then(Signal::parse)
        .filter(|s| *s != Signal::Interrupt);
    word(
        &fm.signal,
        "signal",
        signal.is_some(),
        "failure, expected".into(),
    );
    // Every event page is about an event that Microsoft's docs or reports cover; there is
    // no reference table of events.
    let documented = get(&fm.documented)
        .and_then(Documented::parse)
        .filter(|d| *d != Documented::Table);
    word(
        &fm.documented,
        "documented",
        fm.documented.is_none() || documented.is_some(),
        "article, docs, reports".into(),
    );
    if let Some(d) = &fm.documented {
        given.fields.push("documented");
        lines.documented = split.line(d.span().start);
    }
    let review = review(fm.review.as_ref(), &split, &mut lines);
    if review.is_some() {
        given.fields.push("review");
    }
    let title = fm.title.as_ref().map_or(String::new(), |t| {
        lines.title = split.line(t.span().start);
        t.get_ref().trim().to_string()
    });
    let name = fm.name.as_ref().map(|n| {
        lines.name = split.line(n.span().start);
        n.get_ref().trim().to_string()
    });
    if name.as_deref() == Some("") {
        diags.push(diag(
            file,
            lines.name,
            "bad-value",
            "`name` is empty: omit the field when Microsoft's docs give the event no name".into(),
        ));
    }
    let mut codes = Vec::new();
    if let Some(c) = &fm.codes {
        lines.codes = split.line(c.span().start);
        for v in c.get_ref() {
            match u32::try_from(*v.get_ref()) {
                Ok(n) if n > 0 => codes.push(n),
                _ => diags.push(diag(
                    file,
                    split.line(v.span().start),
                    "bad-value",
                    format!("`codes` entry {} is not an AADSTS code", v.get_ref()),
                )),
            }
        }
    }
    let mut related = Vec::new();
    if let Some(r) = &fm.related {
        lines.related = split.line(r.span().start);
        for v in r.get_ref() {
            let id = v.get_ref().trim();
            if crate::model::split_event_page_id(id).is_some() {
                related.push(Cow::Owned(id.to_string()));
            } else {
                diags.push(diag(
                    file,
                    split.line(v.span().start),
                    "bad-value",
                    format!(
                        "`related` entry \"{id}\" is not an event page id like `writeback-33004`"
                    ),
                ));
            }
        }
    }
    let mut field_names = |v: &Option<Spanned<Vec<String>>>, key: &str| -> Vec<Text> {
        let Some(v) = v else { return Vec::new() };
        let line = split.line(v.span().start);
        let mut out: Vec<Text> = Vec::new();
        for f in v.get_ref() {
            let f = f.trim();
            // EventData names are XML names: letters, digits, `_`, `-`, `.`.
            let ok = f.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && f.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
            if !ok {
                diags.push(diag(
                    file,
                    line,
                    "bad-value",
                    format!("`{key}` entry \"{f}\" is not an EventData name"),
                ));
            } else if out.iter().any(|x| x == f) {
                diags.push(diag(
                    file,
                    line,
                    "bad-value",
                    format!("`{key}` lists \"{f}\" twice"),
                ));
            } else {
                out.push(Cow::Owned(f.to_string()));
            }
        }
        out
    };
    let user_fields = field_names(&fm.user_fields, "user_fields");
    let machine_fields = field_names(&fm.machine_fields, "machine_fields");

    let docs = parse_docs(fm.docs.as_deref(), file, &split, &mut lines, &mut diags)?;
    if fm.docs.is_some() {
        given.fields.push("docs");
    }
    let (body, cause_sources, fix_sources) = parse_body(
        file, &split, true, &docs, &mut lines, &mut given, &mut diags,
    );
    if let Some((_, l)) = body.headings.iter().find(|(n, _)| *n == "Notes") {
        diags.push(diag(
            file,
            *l,
            "unknown-section",
            format!(
                "event pages have no `## Notes`; the sections are: {}",
                SECTIONS[..6].join(", ")
            ),
        ));
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let page = EventPage {
        source: Cow::Owned(source),
        event,
        name: name.map(Cow::Owned),
        title: Cow::Owned(title),
        level: level.unwrap_or(EventLevel::Error),
        severity: severity.unwrap_or(Severity::Medium),
        fixer: fixer.unwrap_or(Fixer::Admin),
        signal: signal.unwrap_or(Signal::Failure),
        codes: Cow::Owned(codes),
        related: Cow::Owned(related),
        user_fields: Cow::Owned(user_fields),
        machine_fields: Cow::Owned(machine_fields),
        documented,
        docs: Cow::Owned(docs),
        review,
        meaning: own(body.meaning),
        causes: own(body.causes),
        cause_sources: Cow::Owned(cause_sources),
        fix: own(body.fix),
        fix_sources: Cow::Owned(fix_sources),
        diagnose: own(body.diagnose),
        collect: own(body.collect),
        faq: faq_of(body.faq),
    };
    Ok(ParsedEventPage { page, lines, given })
}

fn diag(file: &str, line: usize, rule: &'static str, message: String) -> Diagnostic {
    Diagnostic {
        file: file.to_string(),
        line,
        rule,
        message,
    }
}

/// A page file split at its front matter: every line, the line of the closing `+++`, the
/// TOML text, and where its lines end (for line numbers of TOML spans).
struct Split<'a> {
    lines: Vec<&'a str>,
    close: usize,
    fm: String,
    ends: Vec<usize>,
}

impl<'a> Split<'a> {
    fn new(file: &str, src: &'a str) -> Result<Split<'a>, Vec<Diagnostic>> {
        let src = src.strip_prefix('\u{feff}').unwrap_or(src);
        if src.len() > MAX_PAGE_BYTES {
            return Err(vec![diag(
                file,
                1,
                "too-large",
                format!(
                    "the page is {} KiB; a page may be at most {} KiB",
                    src.len().div_ceil(1024),
                    MAX_PAGE_BYTES / 1024
                ),
            )]);
        }
        let lines: Vec<&str> = src.lines().collect();
        if lines.first().map(|l| l.trim_end()) != Some("+++") {
            return Err(vec![diag(
                file,
                1,
                "front-matter",
                "the page must start with a `+++` line that opens the TOML front matter".into(),
            )]);
        }
        let Some(close) = lines
            .iter()
            .skip(1)
            .position(|l| l.trim_end() == "+++")
            .map(|i| i + 1)
        else {
            return Err(vec![diag(
                file,
                1,
                "front-matter",
                "the front matter opened on line 1 never closes: add a `+++` line after it".into(),
            )]);
        };
        let fm = lines[1..close].join("\n");
        let ends = fm.match_indices('\n').map(|(i, _)| i).collect();
        Ok(Split {
            lines,
            close,
            fm,
            ends,
        })
    }

    /// Line of a byte offset within the front matter (which starts on line 2): a binary
    /// search over the line ends, not a count from the start for every field.
    fn line(&self, offset: usize) -> usize {
        2 + self.ends.partition_point(|&e| e < offset)
    }

    fn front_matter<T: serde::de::DeserializeOwned>(
        &self,
        file: &str,
    ) -> Result<T, Vec<Diagnostic>> {
        toml::from_str(&self.fm).map_err(|e| {
            let line = e.span().map(|s| self.line(s.start)).unwrap_or(1);
            vec![diag(
                file,
                line,
                "front-matter",
                e.message().trim().to_string(),
            )]
        })
    }
}

fn review(raw: Option<&Spanned<ReviewRaw>>, split: &Split, lines: &mut Lines) -> Option<Review> {
    raw.map(|r| {
        lines.review = split.line(r.span().start);
        let r = r.get_ref();
        Review {
            reviewer: Cow::Owned(r.reviewer.trim().to_string()),
            date: Cow::Owned(r.date.trim().to_string()),
            changes: Cow::Owned(r.changes.trim().to_string()),
        }
    })
}

/// The `[[docs]]` entries of a page (code or event page), checked: titles, ids.
fn parse_docs(
    entries: Option<&[Spanned<DocRaw>]>,
    file: &str,
    split: &Split,
    lines: &mut Lines,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<DocLink>, Vec<Diagnostic>> {
    if let Some(d) = entries.filter(|d| d.len() > MAX_DOCS) {
        return Err(vec![diag(
            file,
            split.line(d[MAX_DOCS].span().start),
            "too-large",
            format!(
                "the page has {} `[[docs]]` entries; a page may have at most {MAX_DOCS}",
                d.len()
            ),
        )]);
    }
    let mut docs = Vec::new();
    let mut ids_seen = std::collections::HashSet::new();
    for d in entries.into_iter().flatten() {
        let line = split.line(d.get_ref().url.span().start);
        lines.docs.push(line);
        if d.get_ref().title.trim().is_empty() {
            diags.push(diag(
                file,
                split.line(d.span().start),
                "bad-value",
                "a `[[docs]]` entry has an empty title".into(),
            ));
        }
        let id = d.get_ref().id.as_ref().map(|id| {
            let v = id.get_ref().trim().to_string();
            let ok = !v.is_empty()
                && v != "inference"
                && v
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !ok {
                diags.push(diag(
                    file,
                    split.line(id.span().start),
                    "source",
                    format!("docs id \"{v}\" must be lower-case letters, digits and hyphens, and not `inference`"),
                ));
            }
            v
        });
        if let Some(v) = &id {
            if !ids_seen.insert(v.clone()) {
                diags.push(diag(
                    file,
                    line,
                    "source",
                    format!("two `[[docs]]` entries have the id \"{v}\""),
                ));
            }
        }
        docs.push(DocLink {
            id: id.map(Cow::Owned),
            title: Cow::Owned(d.get_ref().title.trim().to_string()),
            url: Cow::Owned(d.get_ref().url.get_ref().trim().to_string()),
        });
    }
    Ok(docs)
}

/// The body of a page (code or event page): its sections, the lines of each part, and
/// each cause's and fix step's sources resolved against the page's docs.
fn parse_body(
    file: &str,
    split: &Split,
    full: bool,
    docs: &[DocLink],
    lines: &mut Lines,
    given: &mut Given,
    diags: &mut Vec<Diagnostic>,
) -> (Body, Vec<Sources>, Vec<Sources>) {
    let body = Body::parse(&split.lines, split.close + 1, diags, file);
    for (name, line) in &body.headings {
        lines.sections.push((name, *line));
        given.sections.push(name);
    }
    if full {
        for s in &SECTIONS[..6] {
            if !body.headings.iter().any(|(n, _)| n == s) {
                diags.push(diag(
                    file,
                    split.lines.len().max(1),
                    "missing-section",
                    format!("the page has no `## {s}` section"),
                ));
            }
        }
    }
    lines.blocks = body.blocks.clone();
    lines.fix = body.fix_lines.clone();
    lines.causes = body.cause_lines.clone();

    // Resolve each step's `[src: …]` ids against the page's docs (the first entry with an id).
    let mut doc_index = std::collections::HashMap::new();
    for (k, d) in docs.iter().enumerate() {
        if let Some(id) = d.id.as_deref() {
            doc_index.entry(id).or_insert(k);
        }
    }
    let mut resolve = |marks: &[Option<Vec<String>>], item_lines: &[usize]| -> Vec<Sources> {
        marks
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let mut out = Sources::default();
                let mut idx = Vec::new();
                for id in m.iter().flatten() {
                    if id == "inference" {
                        out.inference = true;
                    } else if let Some(&k) = doc_index.get(id.as_str()) {
                        if !idx.contains(&(k as u16)) {
                            idx.push(k as u16);
                        }
                    } else {
                        let known: Vec<&str> = docs.iter().filter_map(|d| d.id.as_deref()).collect();
                        diags.push(diag(
                            file,
                            item_lines.get(i).copied().unwrap_or(1),
                            "source",
                            format!(
                                "`[src: {id}]` names no `[[docs]]` id of this page (ids: {}; or `inference`)",
                                if known.is_empty() { "none".to_string() } else { known.join(", ") }
                            ),
                        ));
                    }
                }
                out.docs = Cow::Owned(idx);
                out
            })
            .collect()
    };
    let cause_sources = resolve(&body.cause_marks, &body.cause_lines);
    let fix_sources = resolve(&body.fix_marks, &body.fix_lines);
    (body, cause_sources, fix_sources)
}

/// A section as split from the file: name, heading line, numbered content lines.
type Section<'a> = (&'static str, usize, Vec<(usize, &'a str)>);
/// A FAQ entry as split: question, its line, numbered answer lines.
type FaqRaw<'a> = (String, usize, Vec<(usize, &'a str)>);

/// Parsed text made into the model's owned lists (code and event pages alike).
fn own(v: Vec<String>) -> List<Text> {
    Cow::Owned(v.into_iter().map(Cow::Owned).collect())
}

fn faq_of(faq: Vec<(String, Vec<String>)>) -> List<Faq> {
    Cow::Owned(
        faq.into_iter()
            .map(|(q, a)| Faq {
                question: Cow::Owned(q),
                answer: own(a),
            })
            .collect(),
    )
}

#[derive(Default)]
struct Body {
    headings: Vec<(&'static str, usize)>,
    meaning: Vec<String>,
    causes: Vec<String>,
    fix: Vec<String>,
    fix_lines: Vec<usize>,
    fix_marks: Vec<Option<Vec<String>>>,
    cause_lines: Vec<usize>,
    cause_marks: Vec<Option<Vec<String>>>,
    diagnose: Vec<String>,
    collect: Vec<String>,
    faq: Vec<(String, Vec<String>)>,
    notes: Vec<String>,
    blocks: Vec<(usize, String)>,
}

impl Body {
    fn parse(lines: &[&str], start: usize, diags: &mut Vec<Diagnostic>, file: &str) -> Body {
        let mut body = Body::default();
        let d = |line: usize, rule: &'static str, message: String| Diagnostic {
            file: file.to_string(),
            line,
            rule,
            message,
        };
        // Split into sections: (name, heading line (1-based), content lines with numbers).
        let mut sections: Vec<Section> = Vec::new();
        let mut in_fence = false;
        let mut last_index: Option<usize> = None;
        for (i, raw) in lines.iter().enumerate().skip(start) {
            let n = i + 1;
            let line = raw.trim_end();
            if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
                in_fence = !in_fence;
            }
            if !in_fence && line.starts_with('#') && !line.starts_with("###") {
                let Some(title) = line.strip_prefix("## ") else {
                    diags.push(d(
                        n,
                        "heading",
                        format!("`{line}`: only `## Section` and, under FAQ, `### Question` headings are allowed"),
                    ));
                    continue;
                };
                let title = title.trim();
                match SECTIONS.iter().position(|s| s.eq_ignore_ascii_case(title)) {
                    Some(idx) => {
                        if sections.iter().any(|(s, _, _)| *s == SECTIONS[idx]) {
                            diags.push(d(
                                n,
                                "section-order",
                                format!("`## {title}` appears twice"),
                            ));
                        } else if last_index.is_some_and(|l| idx < l) {
                            diags.push(d(
                                n,
                                "section-order",
                                format!(
                                    "`## {title}` is out of order; sections go: {}",
                                    SECTIONS[..6].join(", ")
                                ),
                            ));
                        }
                        last_index = Some(idx);
                        sections.push((SECTIONS[idx], n, Vec::new()));
                    }
                    None => diags.push(d(
                        n,
                        "unknown-section",
                        format!(
                            "unknown section `## {title}`; the sections are: {}",
                            SECTIONS.join(", ")
                        ),
                    )),
                }
                continue;
            }
            match sections.last_mut() {
                Some((_, _, content)) => content.push((n, *raw)),
                None => {
                    if !line.trim().is_empty() {
                        diags.push(d(
                            n,
                            "stray-text",
                            "text after the front matter must be inside a `## Section`".into(),
                        ));
                    }
                }
            }
        }
        if in_fence {
            diags.push(d(
                lines.len(),
                "fence",
                "a ``` code fence is never closed".into(),
            ));
        }

        for (name, hline, content) in sections {
            body.headings.push((name, hline));
            let nonblank = content.iter().any(|(_, l)| !l.trim().is_empty());
            if !nonblank {
                diags.push(d(hline, "empty-section", format!("`## {name}` is empty")));
                continue;
            }
            match name {
                "Meaning" | "Notes" => {
                    let paras = paragraphs(&content, diags, file);
                    for (l, p) in &paras {
                        body.blocks.push((*l, p.clone()));
                    }
                    let texts = paras.into_iter().map(|(_, p)| p).collect();
                    if name == "Meaning" {
                        body.meaning = texts;
                    } else {
                        body.notes = texts;
                    }
                }
                "Common causes" | "How to fix" | "Diagnose" | "Collect for support" => {
                    let kind = if matches!(name, "Common causes" | "How to fix") {
                        ListKind::Ordered
                    } else {
                        ListKind::Bullet
                    };
                    let mut items = list_items(name, kind, &content, diags, file);
                    let mut marks = Vec::new();
                    for (l, t) in items.iter_mut() {
                        match take_source_marker(t) {
                            Ok((text, m)) => {
                                if m.is_some() && kind == ListKind::Bullet {
                                    diags.push(d(
                                        *l,
                                        "source",
                                        "`[src: …]` markers belong on cause and fix steps only"
                                            .into(),
                                    ));
                                }
                                *t = text;
                                marks.push(m);
                            }
                            Err(e) => {
                                diags.push(d(*l, "source", e));
                                marks.push(None);
                            }
                        }
                        body.blocks.push((*l, t.clone()));
                    }
                    if name == "How to fix" {
                        body.fix_lines = items.iter().map(|(l, _)| *l).collect();
                        body.fix_marks = marks;
                    } else if name == "Common causes" {
                        body.cause_lines = items.iter().map(|(l, _)| *l).collect();
                        body.cause_marks = marks;
                    }
                    let texts: Vec<String> = items.into_iter().map(|(_, t)| t).collect();
                    match name {
                        "Common causes" => body.causes = texts,
                        "How to fix" => body.fix = texts,
                        "Diagnose" => body.diagnose = texts,
                        _ => body.collect = texts,
                    }
                }
                "FAQ" => body.faq = faq(&content, &mut body.blocks, diags, file),
                _ => unreachable!("section names come from SECTIONS"),
            }
        }
        // Cause and fix markers were taken off above; any left are in the wrong place.
        for (l, t) in &body.blocks {
            if t.contains("[src:") {
                diags.push(d(
                    *l,
                    "source",
                    "`[src: …]` markers belong on cause and fix steps only".into(),
                ));
            }
        }
        body
    }
}

/// Splits the `[src: id, …]` marker off a step: the text without it, and the cited ids.
/// Exactly one marker per step; none is `Ok((text, None))`.
pub fn take_source_marker(text: &str) -> Result<(String, Option<Vec<String>>), String> {
    const OPEN: &str = "[src:";
    let Some(start) = text.find(OPEN) else {
        return Ok((text.to_string(), None));
    };
    let after_open = &text[start + OPEN.len()..];
    let Some(close) = after_open.find(']') else {
        return Err("a `[src:` marker is never closed with `]`".into());
    };
    let rest = &after_open[close + 1..];
    if rest.contains(OPEN) {
        return Err("a step carries one `[src: …]` marker; list every source in it".into());
    }
    let ids: Vec<String> = after_open[..close]
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Err("`[src: ]` names no source: give a `[[docs]]` id or `inference`".into());
    }
    let mut out = text[..start].trim_end_matches([' ', '\t']).to_string();
    out.push_str(rest.trim_end_matches([' ', '\t']));
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    Ok((out, Some(ids)))
}

/// Paragraphs separated by blank lines (blank lines inside a code fence do not split).
fn paragraphs(
    content: &[(usize, &str)],
    diags: &mut Vec<Diagnostic>,
    file: &str,
) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut in_fence = false;
    for (n, raw) in content {
        let line = raw.trim_end();
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if line.trim().is_empty() && !in_fence {
            if !cur.is_empty() {
                out.push((start, cur.join("\n")));
                cur.clear();
            }
            continue;
        }
        if cur.is_empty() {
            start = *n;
            if is_list_marker(line).is_some() && !line.starts_with(' ') {
                diags.push(Diagnostic {
                    file: file.to_string(),
                    line: *n,
                    rule: "list",
                    message: "a list is not expected here; write paragraphs".into(),
                });
            }
        }
        cur.push(line);
    }
    if !cur.is_empty() {
        out.push((start, cur.join("\n")));
    }
    out
}

/// `1. ` or `- ` at the start of a line: returns (kind, marker width).
fn is_list_marker(line: &str) -> Option<(ListKind, usize)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        let _ = rest;
        return Some((ListKind::Bullet, 2));
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 3 && line[digits..].starts_with(". ") {
        return Some((ListKind::Ordered, digits + 2));
    }
    None
}

fn list_items(
    section: &str,
    kind: ListKind,
    content: &[(usize, &str)],
    diags: &mut Vec<Diagnostic>,
    file: &str,
) -> Vec<(usize, String)> {
    let d = |line: usize, message: String| Diagnostic {
        file: file.to_string(),
        line,
        rule: "list",
        message,
    };
    let mut items: Vec<(usize, Vec<String>)> = Vec::new();
    let mut in_fence = false;
    let mut expected_number = 1;
    for (n, raw) in content {
        let line = raw.trim_end();
        let fence_toggle = line.trim_start().starts_with("```");
        if !in_fence && !line.starts_with(' ') && !line.trim().is_empty() {
            match is_list_marker(line) {
                Some((k, width)) => {
                    if k != kind {
                        let want = if kind == ListKind::Ordered {
                            "a numbered list (`1.`)"
                        } else {
                            "a bullet list (`-`)"
                        };
                        diags.push(d(*n, format!("`## {section}` must be {want}")));
                    } else if k == ListKind::Ordered {
                        let num: usize = line[..width - 2].parse().unwrap_or(0);
                        if num != expected_number {
                            diags.push(d(
                                *n,
                                format!("item numbered {num}; expected {expected_number}"),
                            ));
                        }
                    }
                    expected_number += 1;
                    let text = line[width..].trim().to_string();
                    if text.is_empty() {
                        diags.push(d(*n, "empty list item".into()));
                    }
                    items.push((*n, vec![text]));
                }
                None => diags.push(d(
                    *n,
                    format!("text outside a list item in `## {section}`: start items with {}, and indent continuation lines",
                        if kind == ListKind::Ordered { "`1.`" } else { "`-`" }),
                )),
            }
        } else if let Some((_, item)) = items.last_mut() {
            // Continuation: strip the item's indentation (up to 4 spaces).
            let stripped = strip_indent(raw.trim_end(), 4);
            item.push(stripped.to_string());
        } else if !line.trim().is_empty() {
            diags.push(d(*n, format!("`## {section}` must start with a list item")));
        }
        if fence_toggle {
            in_fence = !in_fence;
        }
    }
    items
        .into_iter()
        .map(|(n, ls)| {
            let mut text = ls.join("\n");
            while text.ends_with('\n') {
                text.pop();
            }
            (n, text)
        })
        .collect()
}

fn strip_indent(line: &str, max: usize) -> &str {
    let n = line.bytes().take(max).take_while(|b| *b == b' ').count();
    &line[n..]
}

fn faq(
    content: &[(usize, &str)],
    blocks: &mut Vec<(usize, String)>,
    diags: &mut Vec<Diagnostic>,
    file: &str,
) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<FaqRaw> = Vec::new();
    let mut in_fence = false;
    for (n, raw) in content {
        let line = raw.trim_end();
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence {
            if let Some(q) = line.strip_prefix("### ") {
                out.push((q.trim().to_string(), *n, Vec::new()));
                continue;
            }
        }
        match out.last_mut() {
            Some((_, _, a)) => a.push((*n, *raw)),
            None if !line.trim().is_empty() => diags.push(Diagnostic {
                file: file.to_string(),
                line: *n,
                rule: "faq",
                message: "`## FAQ` must start with a `### Question?` heading".into(),
            }),
            None => {}
        }
    }
    out.into_iter()
        .map(|(q, qline, answer)| {
            let paras = paragraphs(&answer, diags, file);
            if q.is_empty() || paras.is_empty() {
                diags.push(Diagnostic {
                    file: file.to_string(),
                    line: qline,
                    rule: "faq",
                    message: "every FAQ entry needs a question and an answer".into(),
                });
            }
            blocks.extend(paras.iter().cloned());
            (q, paras.into_iter().map(|(_, p)| p).collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"+++
code = 50105
name = "EntitlementGrantsNotFound"
title = "User is not assigned to the application"
severity = "medium"
category = "app-config"
fixer = "admin"
retry = "after-fix"
signal = "failure"
related = [50011]
[[docs]]
title = "Reference"
url = "https://learn.microsoft.com/entra/identity-platform/reference-error-codes"
+++

## Meaning
First paragraph
continues here.

Second paragraph.

## Common causes
1. **One.** First cause.
2. Second cause
   continued.
3. Third cause.

## How to fix
1. Step one:
   ```powershell
   Get-MgUser -UserId x

   Get-MgUser -UserId y
   ```
2. Step two.
3. Step three.

## Diagnose
- Look here.
- And there.

## Collect for support
- This.
- That.

## FAQ
### Why?
Because.

### And?
Also because.
"#;

    fn parse(src: &str) -> Result<ParsedPage, Vec<Diagnostic>> {
        parse_page("t.md", src, "builtin", Completeness::Full)
    }

    #[test]
    fn parses_a_complete_page() {
        let p = parse(GOOD).unwrap().page;
        assert_eq!(p.code, 50105);
        assert_eq!(p.retry, Retry::AfterFix);
        assert_eq!(p.meaning.len(), 2);
        assert_eq!(p.meaning[0], "First paragraph\ncontinues here.");
        assert_eq!(p.causes.len(), 3);
        assert_eq!(p.causes[1], "Second cause\ncontinued.");
        assert_eq!(p.fix.len(), 3);
        assert!(p.fix[0].contains("Get-MgUser -UserId y"), "{}", p.fix[0]);
        assert!(
            p.fix[0].contains("\n\nGet-MgUser"),
            "blank line kept inside the fence"
        );
        assert_eq!(p.faq.len(), 2);
        assert_eq!(p.faq[1].question, "And?");
        assert_eq!(
            p.docs[0].url,
            "https://learn.microsoft.com/entra/identity-platform/reference-error-codes"
        );
    }

    #[test]
    fn front_matter_that_never_closes() {
        let e = parse("+++\ncode = 1\n\n## Meaning\nx\n").unwrap_err();
        assert_eq!(e[0].line, 1);
        assert!(e[0].message.contains("never closes"), "{}", e[0].message);
    }

    #[test]
    fn unknown_field_names_its_line() {
        let src = GOOD.replace(
            "signal = \"failure\"",
            "signal = \"failure\"\ncolour = \"red\"",
        );
        let e = parse(&src).unwrap_err();
        assert_eq!(e[0].line, 10, "{e:?}");
        assert!(e[0].message.contains("colour"), "{}", e[0].message);
    }

    #[test]
    fn bad_enum_value_names_the_choices() {
        let src = GOOD.replace("severity = \"medium\"", "severity = \"urgent\"");
        let e = parse(&src).unwrap_err();
        assert_eq!(e[0].line, 5);
        assert!(e[0].message.contains("info, low, medium, high, critical"));
    }

    #[test]
    fn missing_and_misordered_sections() {
        let src = GOOD.replace("## Diagnose\n- Look here.\n- And there.\n\n", "");
        let e = parse(&src).unwrap_err();
        assert!(e
            .iter()
            .any(|d| d.rule == "missing-section" && d.message.contains("Diagnose")));

        let src = GOOD.replace("## Meaning", "## Meanings");
        let e = parse(&src).unwrap_err();
        assert!(
            e.iter()
                .any(|d| d.rule == "unknown-section" && d.line == 16),
            "{e:?}"
        );
    }

    #[test]
    fn wrong_list_kind() {
        let src = GOOD.replace("- Look here.", "1. Look here.");
        let e = parse(&src).unwrap_err();
        assert!(e.iter().any(|d| d.message.contains("bullet list")), "{e:?}");
    }

    #[test]
    fn partial_overlay_page() {
        let src = "+++\ncode = 50126\n+++\n\n## Notes\nCall the service desk on 1234.\n";
        let p = parse_page("o.md", src, "o.md", Completeness::Partial).unwrap();
        assert_eq!(p.page.notes.len(), 1);
        assert!(p.given.has_section("Notes"));
        assert!(!p.given.has_field("title"));
        assert!(parse_page("o.md", src, "o.md", Completeness::Full).is_err());
    }

    fn overlay_with_docs(n: usize, dup_every: usize) -> String {
        let mut src = String::from("+++\ncode = 50126\n");
        for i in 0..n {
            let id = if dup_every > 0 && i % dup_every == 1 {
                i - 1
            } else {
                i
            };
            src.push_str(&format!(
                "[[docs]]\nid = \"d{id}\"\ntitle = \"t\"\nurl = \"https://learn.microsoft.com/{i}\"\n"
            ));
        }
        src.push_str("+++\n\n## Notes\nCall the service desk.\n");
        src
    }

    /// Issue 22: an overlay with 10 k `[[docs]]` took quadratic time (300 k still ran at
    /// 60 s): a duplicate-id check over all earlier entries and a line count from the start
    /// of the front matter for every entry. Now too many entries or too large a page is one
    /// clear error, and a page at the limit has its duplicates found in one pass.
    #[test]
    fn overlay_with_thousands_of_docs_is_refused_and_the_limit_is_linear() {
        let src = overlay_with_docs(10_000, 0);
        let e = parse_page("o.md", &src, "o.md", Completeness::Partial).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].rule, "too-large");
        assert!(e[0].message.contains("at most"), "{e:?}");

        let big = format!("{}\n{}", src, "x".repeat(MAX_PAGE_BYTES));
        let e = parse_page("o.md", &big, "o.md", Completeness::Partial).unwrap_err();
        assert!(
            e[0].rule == "too-large" && e[0].message.contains("KiB"),
            "{e:?}"
        );

        // At the limit: every duplicate id is reported, on the line of its entry.
        let src = overlay_with_docs(MAX_DOCS, 2);
        let e = parse_page("o.md", &src, "o.md", Completeness::Partial).unwrap_err();
        let dups: Vec<_> = e
            .iter()
            .filter(|d| d.message.starts_with("two `[[docs]]` entries"))
            .collect();
        assert_eq!(dups.len(), MAX_DOCS / 2, "{e:?}");
        // Entry 1 (the second) starts on line 7; its url on line 10.
        assert_eq!(dups[0].line, 10, "{:?}", dups[0]);
        let ok = overlay_with_docs(MAX_DOCS, 0);
        let p = parse_page("o.md", &ok, "o.md", Completeness::Partial).unwrap();
        assert_eq!(p.page.docs.len(), MAX_DOCS);
        assert_eq!(p.lines.docs[MAX_DOCS - 1], 3 + 4 * (MAX_DOCS - 1) + 3);
    }
}
