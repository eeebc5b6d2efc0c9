//! The knowledge base as compiled into the binary, and the lookups over it: by code, by
//! `AADSTS`-prefixed string, by Microsoft's name; nearest codes for a miss; categories;
//! and overlays (an organisation's own pages merged over the built-in ones).

use aadsts_kb::{
    check_page, markdown_files, parse_categories, parse_page, Category, Completeness, Context,
    Diagnostic, KbError, Page, ParsedPage,
};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use aadsts_kb::{
    event_page_id, lookup_url, split_event_page_id, DocLink, EventLevel, EventPage, EventSource,
    Faq, Fixer, Retry, Severity, Signal,
};

/// A code from Microsoft's table or from the list of codes seen in real logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub code: u32,
    pub name: Option<&'static str>,
    pub gist: Option<&'static str>,
    pub in_microsoft_table: bool,
}

mod generated {
    use super::Reference;
    use aadsts_kb::*;
    use std::borrow::Cow;
    include!(concat!(env!("OUT_DIR"), "/catalog.rs"));
}

/// Every built-in event page (`kb/events/`), sorted by source slug, then event ID.
pub fn event_pages() -> impl Iterator<Item = &'static EventPage> {
    generated::EVENT_PAGES.iter()
}

/// The event page with this id (`writeback-33004`, any case).
pub fn event_page(id: &str) -> Option<&'static EventPage> {
    let id = id.trim().to_ascii_lowercase();
    let (slug, event) = split_event_page_id(&id)?;
    event_page_of(slug, event)
}

/// The event page of a source slug and event ID.
pub fn event_page_of(slug: &str, event: u32) -> Option<&'static EventPage> {
    let pages = generated::EVENT_PAGES;
    pages
        .binary_search_by(|p| p.source.as_ref().cmp(slug).then(p.event.cmp(&event)))
        .ok()
        .map(|i| &pages[i])
}

/// The event page for an event as Windows logged it: its `System/Provider/@Name` (compared
/// case-insensitively with the providers of `sources.toml`) and its event ID.
pub fn event_page_for(provider: &str, event_id: u32) -> Option<&'static EventPage> {
    event_sources()
        .iter()
        .filter(|s| s.has_provider(provider))
        .find_map(|s| event_page_of(&s.slug, event_id))
}

/// The event pages whose `codes` include `code`: the on-premises events that can explain
/// it (the reverse index, derived when the catalog is built).
pub fn event_pages_for_code(code: u32) -> Vec<&'static EventPage> {
    let index = generated::EVENTS_BY_CODE;
    match index.binary_search_by_key(&code, |(c, _)| *c) {
        Ok(i) => index[i]
            .1
            .iter()
            .filter_map(|&k| generated::EVENT_PAGES.get(k as usize))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Event pages of any source with this Windows event ID (`event:4740`).
pub fn event_pages_with_id(event_id: u32) -> Vec<&'static EventPage> {
    event_pages().filter(|p| p.event == event_id).collect()
}

/// The event sources of `kb/events/sources.toml`, in the file's order.
pub fn event_sources() -> &'static [EventSource] {
    generated::EVENT_SOURCES
}

/// The event source with this slug.
pub fn event_source(slug: &str) -> Option<&'static EventSource> {
    event_sources()
        .iter()
        .find(|s| s.slug.eq_ignore_ascii_case(slug.trim()))
}

/// Reads an event query: `event:4740`, `event 4740`, `Event ID 4740` (any case). `None`
/// when the text is not one.
pub fn parse_event_query(query: &str) -> Option<u32> {
    let q = query.trim();
    let lower = q.to_ascii_lowercase();
    let rest = lower.strip_prefix("event")?;
    let rest = rest.trim_start();
    let rest = rest.strip_prefix("id").unwrap_or(rest);
    let rest = rest.trim_start_matches([':', ' ', '#', '\t']);
    if rest.is_empty() || rest.len() > 9 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("overlay directory {0} does not exist or is not a directory")]
    OverlayMissing(PathBuf),
    #[error("overlay directory {0} has no pages (looked for codes/*.md and *.md)")]
    OverlayEmpty(PathBuf),
    #[error(transparent)]
    Kb(#[from] KbError),
}

/// The catalog: built-in pages, optionally with overlay pages merged in.
#[derive(Debug, Clone)]
pub struct Catalog {
    pages: Cow<'static, [Page]>,
    categories: Cow<'static, [Category]>,
    overlays: Vec<PathBuf>,
}

/// What a lookup found.
#[derive(Debug)]
pub enum Lookup<'a> {
    Found(&'a Page),
    /// No page. `code` is set when the query was a code; `reference` when that code is
    /// at least known from Microsoft's table or real logs; `suggestions` are near codes
    /// or names that do have pages.
    NotFound {
        query: String,
        code: Option<u32>,
        reference: Option<Reference>,
        suggestions: Vec<u32>,
    },
}

/// What follows an `AADSTS` prefix (any case), or `None` without one.
pub fn strip_aadsts_prefix(s: &str) -> Option<&str> {
    // `get` rather than indexing: the sixth byte may fall inside a multi-byte character
    // (found by fuzzing).
    s.get(..6)
        .filter(|p| p.eq_ignore_ascii_case("aadsts"))
        .map(|_| &s[6..])
}

/// Reads a code from `50126`, `AADSTS50126`, `aadsts50126:`, ` 50126 `.
pub fn parse_code(query: &str) -> Option<u32> {
    let q = query.trim();
    let q = q.trim_end_matches([':', '.', ',']);
    let digits = strip_aadsts_prefix(q).unwrap_or(q);
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl Default for Catalog {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Catalog {
    /// The built-in catalog; borrows static data, costs nothing to make.
    pub fn builtin() -> Self {
        Catalog {
            pages: Cow::Borrowed(generated::PAGES),
            categories: Cow::Borrowed(generated::CATEGORIES),
            overlays: Vec::new(),
        }
    }

    /// Microsoft's table plus the codes seen in real logs, sorted by code.
    pub fn reference() -> &'static [Reference] {
        generated::REFERENCE
    }

    pub fn reference_entry(code: u32) -> Option<Reference> {
        let r = generated::REFERENCE;
        r.binary_search_by_key(&code, |e| e.code).ok().map(|i| r[i])
    }

    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    pub fn overlays(&self) -> &[PathBuf] {
        &self.overlays
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(id))
    }

    pub fn in_category<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Page> + 'a {
        self.pages
            .iter()
            .filter(move |p| p.category.eq_ignore_ascii_case(id))
    }

    /// The page for a code. Pages are sorted by code, so this is a binary search.
    pub fn get(&self, code: u32) -> Option<&Page> {
        self.pages
            .binary_search_by_key(&code, |p| p.code)
            .ok()
            .map(|i| &self.pages[i])
    }

    /// The page whose Microsoft name is `name` (case-insensitive).
    pub fn by_name(&self, name: &str) -> Option<&Page> {
        let name = name.trim();
        self.pages.iter().find(|p| {
            p.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// Looks up a code (`50126`, `AADSTS50126`) or a name (`InvalidUserNameOrPassword`).
    pub fn lookup(&self, query: &str) -> Lookup<'_> {
        if let Some(code) = parse_code(query) {
            if let Some(p) = self.get(code) {
                return Lookup::Found(p);
            }
            return Lookup::NotFound {
                query: query.trim().to_string(),
                code: Some(code),
                reference: Self::reference_entry(code),
                suggestions: self.nearest_codes(code, 5),
            };
        }
        if let Some(p) = self.by_name(query) {
            return Lookup::Found(p);
        }
        Lookup::NotFound {
            query: query.trim().to_string(),
            code: None,
            reference: None,
            suggestions: self.nearest_names(query, 5),
        }
    }

    /// Codes with pages whose digits are closest to `code` (edit distance, then numeric
    /// distance): a mistyped 50162 finds 50126.
    pub fn nearest_codes(&self, code: u32, n: usize) -> Vec<u32> {
        let want = code.to_string();
        let mut scored: Vec<(usize, u64, u32)> = self
            .pages
            .iter()
            .map(|p| {
                let s = p.code.to_string();
                let dist = strsim::damerau_levenshtein(&want, &s);
                (dist, (p.code as i64 - code as i64).unsigned_abs(), p.code)
            })
            .collect();
        scored.sort();
        scored
            .into_iter()
            .filter(|(d, _, _)| *d <= want.len().div_ceil(2))
            .take(n)
            .map(|(_, _, c)| c)
            .collect()
    }

    /// Pages whose Microsoft name is close to `name`.
    pub fn nearest_names(&self, name: &str, n: usize) -> Vec<u32> {
        let want = name.trim().to_lowercase();
        // Names are under 80 characters; a longer query cannot be a near miss, and comparing
        // it with every name costs time in proportion to its length (found by fuzzing).
        if want.is_empty() || want.len() > 120 {
            return Vec::new();
        }
        let mut scored: Vec<(f64, u32)> = self
            .pages
            .iter()
            .filter_map(|p| {
                let have = p.name.as_deref()?.to_lowercase();
                let mut score = strsim::jaro_winkler(&want, &have);
                if have.contains(&want) && want.len() >= 4 {
                    score = score.max(0.9);
                }
                (score >= 0.8).then_some((score, p.code))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().take(n).map(|(_, c)| c).collect()
    }

    /// Merges the pages of an overlay directory over this catalog. An overlay page with the
    /// code of an existing page replaces the fields and sections it gives (and adds its
    /// `## Notes`); a page with a new code must be complete. Every overlay page is
    /// checked like a built-in one; any problem fails the whole overlay.
    pub fn with_overlay(mut self, dir: &Path) -> Result<Self, CatalogError> {
        if !dir.is_dir() {
            return Err(CatalogError::OverlayMissing(dir.to_path_buf()));
        }
        let mut diags: Vec<Diagnostic> = Vec::new();
        let mut categories = self.categories.into_owned();
        let cat_path = dir.join("categories.toml");
        if cat_path.is_file() {
            let text = std::fs::read_to_string(&cat_path).map_err(|source| KbError::Io {
                path: cat_path.clone(),
                source,
            })?;
            match parse_categories(&cat_path.display().to_string(), &text) {
                Ok(extra) => {
                    for c in extra {
                        match categories.iter_mut().find(|x| x.id == c.id) {
                            Some(slot) => *slot = c,
                            None => categories.push(c),
                        }
                    }
                }
                Err(d) => diags.extend(d),
            }
        }
        let codes_dir = dir.join("codes");
        let page_dir = if codes_dir.is_dir() {
            codes_dir
        } else {
            dir.to_path_buf()
        };
        let files = markdown_files(&page_dir)?;
        if files.is_empty() && !cat_path.is_file() {
            return Err(CatalogError::OverlayEmpty(dir.to_path_buf()));
        }

        let mut pages = self.pages.into_owned();
        let mut merged: Vec<(String, ParsedPage)> = Vec::new();
        for path in files {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|source| KbError::Io {
                path: path.clone(),
                source,
            })?;
            let parsed = match parse_page(&file, &text, &file, Completeness::Partial) {
                Ok(p) => p,
                Err(d) => {
                    diags.extend(d);
                    continue;
                }
            };
            if !parsed.given.has_field("code") {
                diags.push(Diagnostic {
                    file,
                    line: 1,
                    rule: "missing-field",
                    message: "front matter has no `code`".into(),
                });
                continue;
            }
            let code = parsed.page.code;
            match pages.binary_search_by_key(&code, |p| p.code) {
                Ok(i) => {
                    let page = merge(&pages[i], &parsed);
                    pages[i] = page.clone();
                    merged.push((file, ParsedPage { page, ..parsed }));
                }
                Err(i) => {
                    // A new code: the page must be complete on its own.
                    match parse_page(&file, &text, &file, Completeness::Full) {
                        Ok(mut full) => {
                            full.page.in_microsoft_table =
                                Self::reference_entry(code).is_some_and(|r| r.in_microsoft_table);
                            pages.insert(i, full.page.clone());
                            merged.push((file, full));
                        }
                        Err(d) => diags.extend(d),
                    }
                }
            }
        }
        // A related code is fine when it has a page or is a known code whose page is still
        // to come (built-in pages name such codes too).
        let known: BTreeSet<u32> = pages
            .iter()
            .map(|p| p.code)
            .chain(generated::REFERENCE.iter().map(|r| r.code))
            .collect();
        let documented = Default::default();
        let ctx = Context {
            category_ids: categories.iter().map(|c| c.id.as_ref()).collect(),
            known_codes: known,
            documented: &documented,
            check_names: false,
            require_evidence: false,
        };
        for (file, parsed) in &merged {
            diags.extend(check_page(file, parsed, &ctx));
        }
        if !diags.is_empty() {
            return Err(KbError::Invalid(diags).into());
        }
        self.pages = Cow::Owned(pages);
        self.categories = Cow::Owned(categories);
        self.overlays.push(dir.to_path_buf());
        Ok(self)
    }
}

/// The built-in page with the overlay's fields and sections laid over it.
fn merge(base: &Page, over: &ParsedPage) -> Page {
    let g = &over.given;
    let o = &over.page;
    let mut p = base.clone();
    macro_rules! take {
        ($field:ident, $key:literal) => {
            if g.has_field($key) {
                p.$field = o.$field.clone();
            }
        };
    }
    take!(name, "name");
    take!(title, "title");
    take!(severity, "severity");
    take!(category, "category");
    take!(fixer, "fixer");
    take!(retry, "retry");
    take!(signal, "signal");
    take!(related, "related");
    take!(docs, "docs");
    take!(tailor, "tailor");
    macro_rules! section {
        ($field:ident, $name:literal) => {
            if g.has_section($name) {
                p.$field = o.$field.clone();
            }
        };
    }
    section!(meaning, "Meaning");
    section!(causes, "Common causes");
    section!(fix, "How to fix");
    section!(diagnose, "Diagnose");
    section!(collect, "Collect for support");
    section!(faq, "FAQ");
    section!(notes, "Notes");
    p.origin = o.origin.clone();
    p
}

#[cfg(test)]
mod tests {

    /// Issue 21: the event pages compiled from kb/events are found by id, by the provider
    /// and ID of the event (any case), and from each code they name.
    #[test]
    fn event_pages_are_found_every_way() {
        let all: Vec<_> = event_pages().collect();
        assert!(!all.is_empty(), "kb/events has pages");
        assert!(
            all.windows(2)
                .all(|w| (&w[0].source, w[0].event) < (&w[1].source, w[1].event)),
            "sorted by source and event, unique"
        );
        for p in &all {
            assert_eq!(event_page(&p.id()).map(|x| x.id()), Some(p.id()));
            assert_eq!(
                event_page(&p.id().to_uppercase()).map(|x| x.id()),
                Some(p.id())
            );
            let source = event_source(&p.source).expect("its source is in sources.toml");
            for provider in source.providers.iter() {
                let found = event_page_for(&provider.to_uppercase(), p.event);
                assert_eq!(found.map(|x| x.id()), Some(p.id()), "{provider}");
            }
            for c in p.codes.iter() {
                assert!(
                    event_pages_for_code(*c).iter().any(|x| x.id() == p.id()),
                    "{c} → {}",
                    p.id()
                );
            }
            assert!(event_pages_with_id(p.event)
                .iter()
                .any(|x| x.id() == p.id()));
        }
        // The reverse index holds nothing the pages do not say.
        for c in Catalog::builtin().pages().iter().map(|p| p.code) {
            for p in event_pages_for_code(c) {
                assert!(p.codes.contains(&c), "{c} ← {}", p.id());
            }
        }
        assert!(event_page_for("No-Such-Provider", all[0].event).is_none());
        assert!(event_page("writeback-").is_none());
        assert!(event_page("nonsense").is_none());
    }

    #[test]
    fn event_queries() {
        assert_eq!(parse_event_query("event:4740"), Some(4740));
        assert_eq!(parse_event_query("Event 4740"), Some(4740));
        assert_eq!(parse_event_query("event id 33004"), Some(33004));
        assert_eq!(parse_event_query("EventID: 33004"), Some(33004));
        assert_eq!(parse_event_query("event"), None);
        assert_eq!(parse_event_query("events 4740"), None);
        assert_eq!(parse_event_query("event:47x"), None);
        assert_eq!(parse_event_query("event:1234567890"), None);
    }
    use super::*;

    #[test]
    fn parses_code_forms() {
        assert_eq!(parse_code("50126"), Some(50126));
        assert_eq!(parse_code(" AADSTS50126: "), Some(50126));
        assert_eq!(parse_code("aadsts7000215"), Some(7000215));
        assert_eq!(parse_code("0"), Some(0));
        assert_eq!(parse_code("AADSTS"), None);
        assert_eq!(parse_code("5012x"), None);
        assert_eq!(parse_code("99999999999999999999"), None);
        assert_eq!(parse_code(""), None);
    }

    /// Regression (cargo fuzz, target `lookup`): a multi-byte character straddling the
    /// sixth byte used to panic when the prefix was sliced.
    #[test]
    fn multibyte_character_across_the_prefix_is_not_a_code() {
        assert_eq!(parse_code("aaaa\u{fffd}50126"), None);
        assert_eq!(parse_code("aadst\u{e9}1"), None);
        assert_eq!(parse_code("\u{1F600}\u{1F600}"), None);
        assert!(matches!(
            Catalog::builtin().lookup("aaaa\u{fffd}50126"),
            Lookup::NotFound { .. }
        ));
    }

    #[test]
    fn pages_are_sorted_and_unique() {
        let c = Catalog::builtin();
        assert!(c.pages().windows(2).all(|w| w[0].code < w[1].code));
    }

    #[test]
    fn every_page_category_exists() {
        let c = Catalog::builtin();
        for p in c.pages() {
            assert!(
                c.category(&p.category).is_some(),
                "{} has category {}",
                p.code,
                p.category
            );
        }
    }

    #[test]
    fn reference_is_sorted_and_knows_microsofts_table() {
        let r = Catalog::reference();
        assert!(r.windows(2).all(|w| w[0].code < w[1].code));
        let e = Catalog::reference_entry(50126).unwrap();
        assert_eq!(e.name, Some("InvalidUserNameOrPassword"));
        assert!(e.in_microsoft_table);
        let u = Catalog::reference_entry(500121).unwrap();
        assert!(!u.in_microsoft_table && u.gist.is_some());
    }

    #[test]
    fn unknown_code_is_not_found_with_reference() {
        let c = Catalog::builtin();
        match c.lookup("99999999") {
            Lookup::NotFound {
                code: Some(99999999),
                reference: None,
                ..
            } => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn overlay_missing_dir_is_an_error() {
        let e = Catalog::builtin()
            .with_overlay(Path::new("/nonexistent/overlay"))
            .unwrap_err();
        assert!(e.to_string().contains("does not exist"));
    }

    #[test]
    fn overlay_new_page_must_be_complete() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("9990001.md"),
            "+++\ncode = 9990001\ntitle = \"x\"\n+++\n",
        )
        .unwrap();
        let e = Catalog::builtin()
            .with_overlay(dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("9990001.md:1:"), "{e}");
        assert!(e.contains("no `severity`"), "{e}");
    }

    #[test]
    fn overlay_notes_merge_over_a_builtin_page() {
        let base = Catalog::builtin();
        let first = base.get(50126).expect("50126 is a built-in page");
        let code = first.code;
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("codes")).unwrap();
        std::fs::write(
            dir.path().join("codes").join(format!("{code}.md")),
            format!("+++\ncode = {code}\nseverity = \"critical\"\n+++\n\n## Notes\nRing the identity team on extension 4321.\n"),
        )
        .unwrap();
        let c = base.clone().with_overlay(dir.path()).unwrap();
        let p = c.get(code).unwrap();
        assert_eq!(p.severity, Severity::Critical);
        assert_eq!(p.notes.len(), 1);
        assert_eq!(
            p.title, first.title,
            "fields the overlay does not give are kept"
        );
        assert!(p.origin.ends_with(&format!("{code}.md")));
    }
}
