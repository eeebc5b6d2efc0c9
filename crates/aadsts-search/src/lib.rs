//! Ranked search over the catalog: "password writeback" → 120xxx pages, and over the event
//! pages (`kb/events`): "account locked out caller computer" → `security-4740`. Both kinds
//! of page are documents of one index, ranked together by the same scoring; a hit says
//! which kind it is ([`Doc`]).
//!
//! The index of the built-in pages is built at compile time (`build.rs`) and read in place
//! from the binary, so a search costs no start-up work; a catalog with overlay pages gets
//! the same index built at run time.
//!
//! Each page has six fields: title, Microsoft's name (CamelCase split into words, with the
//! code), Meaning (with the service's own message where the repository holds it,
//! `data/messages.tsv`), the OAuth error names the code comes with (`invalid_grant`,
//! `consent_required`, … from `data/oauth-errors.tsv`), the titles of the Microsoft articles
//! the page cites, and the body (every other section). Ranking is BM25F over those fields
//! (head and rest saturating apart), then what BM25 does not see:
//!
//! * **coverage** — a page holding every word of the query beats one repeating some of them;
//! * **title** — a title that says the query's words, and above all says it as a phrase,
//!   wins; so does a name the query spells out (`admin consent required`);
//! * **phrase and proximity** — query words next to each other in the query score when they
//!   stand next to each other (or within a few words) in a field of the page;
//! * **OAuth names** — a query that is one of the page's OAuth error names;
//! * **links** — among pages that match alike, the one more pages name as related;
//! * an exact code in the query wins outright, and so does an event page's event ID
//!   (`4740`, `event 4740`, `PasswordResetService 33004`);
//! * **event pages** weigh a little less than code pages unless the query speaks of an
//!   event (an event ID, `event`, a provider or log name): most searches start from a
//!   sign-in error.
//!
//! The tokenizer ([`text`]) folds synonyms (MFA = 2FA = multifactor, CA = Conditional
//! Access, reply URL = redirect URI, …), stems, and drops stop words (which never decide a
//! rank, but keep their place so that phrases line up). A query word missing from the
//! vocabulary is replaced by the nearest word or code (typo tolerance).

mod build;
pub mod text;

use aadsts_catalog::{Catalog, EventPage};
use build::{FIELDS, F_MEANING, F_NAME, F_OAUTH, F_TITLE};
use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Instant;
use text::Tokenizer;

/// The index of the built-in pages, serialized by `build.rs`.
static BUILTIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/index.bin"));

/// The knobs of the ranking, set from the relevance test (`data/relevance.tsv`,
/// `examples/relevance.rs` prints the report and takes `AADSTS_TUNE=name=value,…`).
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Tuning {
    /// Field weights for BM25F: a word in the title counts most, then the name and the
    /// OAuth error names, the Meaning (with the service's message), the cited articles'
    /// titles, and the body.
    pub weight: [f32; FIELDS],
    /// Length normalisation per field (BM25's b).
    pub b: [f32; FIELDS],
    pub k1: f32,
    /// Bonus, in units of the words' IDF, for a pair of adjacent query words found at
    /// their gap in a field (less when a word or more off, see [`proximity`]).
    pub pair: [f32; FIELDS],
    /// Bonus, in units of the query's IDF, when the title holds the words of the query.
    pub title_all: f32,
    /// Bonus, in units of the query's IDF, when the title says the whole query as a phrase.
    pub title_phrase: f32,
    /// Bonus, in units of the query's IDF, when the query is one of the page's OAuth error
    /// names (`consent required` = `consent_required`).
    pub oauth_phrase: f32,
    /// Bonus, in units of the query's IDF, when the query's words run together are the
    /// page's Microsoft name (`admin consent required` = `AdminConsentRequired`).
    pub name_whole: f32,
    /// Weight of the link prior: a page named as related by `n` others scores
    /// `1 + links × ln(1 + n)` times more.
    pub links: f32,
    /// How much the head (title and name) outweighs the rest of the page.
    pub head: f32,
    /// Exponent on coverage (the IDF-weighted share of the query's words the page holds).
    pub coverage: f32,
    /// Factor on an event page's score when the query does not speak of events (see
    /// [`EVENT_WORDS`]).
    pub event: f32,
    /// Factor on the score of an event page of healthy operation (`signal = "expected"`,
    /// such as the hash sync heartbeat): people search for what went wrong.
    pub expected: f32,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            weight: [4.0, 3.0, 2.0, 3.0, 1.0, 1.0],
            b: [0.5, 0.3, 0.6, 0.0, 0.5, 0.75],
            k1: 1.2,
            pair: [3.0, 2.0, 1.2, 2.5, 0.8, 0.6],
            title_all: 1.0,
            title_phrase: 3.0,
            oauth_phrase: 8.0,
            name_whole: 8.0,
            links: 0.3,
            head: 2.0,
            coverage: 2.0,
            event: 0.6,
            expected: 0.8,
        }
    }
}

impl Tuning {
    /// Applies `name=value` settings (`pair.0=3` for one field), for tuning runs.
    pub fn set(&mut self, spec: &str) {
        for kv in spec.split(',').filter(|s| !s.is_empty()) {
            let Some((k, v)) = kv.split_once('=') else {
                continue;
            };
            let Ok(v) = v.trim().parse::<f32>() else {
                continue;
            };
            let (name, i) = match k.trim().split_once('.') {
                Some((n, i)) => (n, i.parse::<usize>().ok()),
                None => (k.trim(), None),
            };
            match (name, i) {
                ("weight", Some(i)) if i < FIELDS => self.weight[i] = v,
                ("b", Some(i)) if i < FIELDS => self.b[i] = v,
                ("pair", Some(i)) if i < FIELDS => self.pair[i] = v,
                ("k1", None) => self.k1 = v,
                ("title_all", None) => self.title_all = v,
                ("title_phrase", None) => self.title_phrase = v,
                ("oauth_phrase", None) => self.oauth_phrase = v,
                ("name_whole", None) => self.name_whole = v,
                ("links", None) => self.links = v,
                ("head", None) => self.head = v,
                ("coverage", None) => self.coverage = v,
                ("event", None) => self.event = v,
                ("expected", None) => self.expected = v,
                _ => {}
            }
        }
    }
}

/// A search index over one catalog.
pub struct Index {
    data: Cow<'static, [u8]>,
    n_docs: usize,
    /// Code pages: the collection the statistics (IDF, average lengths) are taken from.
    n_codes: usize,
    n_terms: usize,
    at_codes: usize,
    at_kinds: usize,
    at_links: usize,
    at_offsets: usize,
    at_lengths: usize,
    at_df: usize,
    at_vocab_offsets: usize,
    at_vocab: usize,
    at_stream: usize,
    avg: [f32; FIELDS],
    tokenizer: Tokenizer,
    #[doc(hidden)]
    pub tuning: Tuning,
}

/// What a hit is: a code page or an event page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Doc {
    /// The page of this AADSTS code (look it up in the catalog searched).
    Code(u32),
    /// An event page of `kb/events`.
    Event(&'static EventPage),
}

impl Doc {
    /// How the result names itself: `AADSTS50053`, `security-4740`.
    pub fn label(&self) -> String {
        match self {
            Doc::Code(c) => format!("AADSTS{c}"),
            Doc::Event(e) => e.id(),
        }
    }

    /// The code, for a code page.
    pub fn code(&self) -> Option<u32> {
        match self {
            Doc::Code(c) => Some(*c),
            Doc::Event(_) => None,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub doc: Doc,
    pub score: f32,
    /// The page says the query in its title or name, as a phrase, or names the code: not
    /// only the query's words scattered through its text. `aadsts explain` falls back to
    /// such hits when the text has no code in it.
    pub strong: bool,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Index {
    /// The index for `catalog`: the one built at compile time when the catalog is the
    /// built-in one, otherwise (overlay pages) built now. Either holds the event pages,
    /// which are always the built-in ones.
    pub fn new(catalog: &Catalog) -> Index {
        let builtin = Index::from_bytes(Cow::Borrowed(BUILTIN));
        let pages = catalog.pages();
        let same = catalog.overlays().is_empty()
            && pages.len() <= builtin.n_docs
            && pages
                .iter()
                .enumerate()
                .all(|(i, p)| builtin.kind(i) == 0 && builtin.code(i) == p.code)
            && (pages.len()..builtin.n_docs).all(|i| builtin.kind(i) != 0);
        if same {
            builtin
        } else {
            Index::build(catalog)
        }
    }

    /// The index of the built-in pages, as built at compile time.
    pub fn builtin() -> Index {
        Index::from_bytes(Cow::Borrowed(BUILTIN))
    }

    /// Builds the index of `catalog` now, whatever it holds (for benchmarks and tests).
    pub fn build(catalog: &Catalog) -> Index {
        let events: Vec<&EventPage> = aadsts_catalog::event_pages().collect();
        Index::from_bytes(Cow::Owned(build::build(catalog.pages(), &events)))
    }

    fn from_bytes(data: Cow<'static, [u8]>) -> Index {
        assert_eq!(&data[..8], build::MAGIC, "search index format");
        let n_docs = u32_at(&data, 8) as usize;
        let n_terms = u32_at(&data, 12) as usize;
        let at_codes = 20;
        let at_kinds = at_codes + 4 * n_docs;
        let at_links = at_kinds + 4 * n_docs;
        let at_offsets = at_links + 4 * n_docs;
        let at_lengths = at_offsets + 4 * (n_docs * FIELDS + 1);
        let at_df = at_lengths + 4 * n_docs * FIELDS;
        let at_vocab_offsets = at_df + 4 * n_terms;
        let at_vocab = at_vocab_offsets + 4 * (n_terms + 1);
        let at_stream = at_vocab + u32_at(&data, at_vocab_offsets + 4 * n_terms) as usize;
        let mut index = Index {
            data,
            n_docs,
            n_codes: 0,
            n_terms,
            at_codes,
            at_kinds,
            at_links,
            at_offsets,
            at_lengths,
            at_df,
            at_vocab_offsets,
            at_vocab,
            at_stream,
            avg: [1.0; FIELDS],
            tokenizer: Tokenizer::new(),
            tuning: Tuning::default(),
        };
        // Statistics of the code pages, as the document frequencies are (see `build`): an
        // event page is scored against the same averages, and adds no weight of its own.
        index.n_codes = (0..n_docs).filter(|d| index.kind(*d) == 0).count();
        let mut sum = [0f32; FIELDS];
        for d in (0..n_docs).filter(|d| index.kind(*d) == 0) {
            for (f, s) in sum.iter_mut().enumerate() {
                *s += index.length(d, f) as f32;
            }
        }
        for (avg, s) in index.avg.iter_mut().zip(sum) {
            *avg = (s / index.n_codes.max(1) as f32).max(1.0);
        }
        index
    }

    /// The code of a code page, the event ID of an event page.
    fn code(&self, doc: usize) -> u32 {
        u32_at(&self.data, self.at_codes + 4 * doc)
    }

    /// 0 for a code page, 1 + the index of its source for an event page.
    fn kind(&self, doc: usize) -> u32 {
        u32_at(&self.data, self.at_kinds + 4 * doc)
    }

    /// What a document is. `None` only for an event page missing from the catalog, which
    /// an index built from the same catalog never has.
    fn doc(&self, doc: usize) -> Option<Doc> {
        match self.kind(doc) {
            0 => Some(Doc::Code(self.code(doc))),
            k => {
                let source = aadsts_catalog::event_sources().get(k as usize - 1)?;
                aadsts_catalog::event_page_of(&source.slug, self.code(doc)).map(Doc::Event)
            }
        }
    }

    /// How many pages name this one as related.
    fn links(&self, doc: usize) -> u32 {
        u32_at(&self.data, self.at_links + 4 * doc)
    }

    fn length(&self, doc: usize, field: usize) -> u32 {
        u32_at(&self.data, self.at_lengths + 4 * (doc * FIELDS + field))
    }

    fn df(&self, term: usize) -> u32 {
        u32_at(&self.data, self.at_df + 4 * term)
    }

    fn term(&self, i: usize) -> &str {
        let a = u32_at(&self.data, self.at_vocab_offsets + 4 * i) as usize;
        let b = u32_at(&self.data, self.at_vocab_offsets + 4 * (i + 1)) as usize;
        std::str::from_utf8(&self.data[self.at_vocab + a..self.at_vocab + b]).unwrap_or("")
    }

    fn term_id(&self, t: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.n_terms);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.term(mid).cmp(t) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// The token stream of one field of one page.
    fn field(&self, doc: usize, field: usize) -> &[u8] {
        let i = doc * FIELDS + field;
        let a = u32_at(&self.data, self.at_offsets + 4 * i) as usize;
        let b = u32_at(&self.data, self.at_offsets + 4 * (i + 1)) as usize;
        &self.data[self.at_stream + 2 * a..self.at_stream + 2 * b]
    }

    fn idf(&self, term: usize) -> f32 {
        let n = self.n_codes as f32;
        let df = self.df(term) as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// The query's tokens, each replaced by the nearest vocabulary word when it is not in
    /// the index (a typo). Numbers are corrected against the code pages' numbers only. Words that stay
    /// unknown keep their place with `None`.
    /// `None` when `deadline` passes first (each typo costs a pass over the vocabulary).
    fn correct(&self, query: &str, deadline: Option<Instant>) -> Option<Vec<(Option<usize>, u32)>> {
        let mut out = Vec::new();
        for t in self
            .tokenizer
            .tokens(query)
            .into_iter()
            .take(MAX_QUERY_TOKENS)
        {
            if let Some(id) = self.term_id(&t.text) {
                out.push((Some(id), t.pos));
                continue;
            }
            if t.text.chars().count() < 4 {
                out.push((None, t.pos));
                continue;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return None;
            }
            let numeric = t.text.bytes().all(|b| b.is_ascii_digit());
            let max = if numeric || t.text.len() < 8 { 1 } else { 2 };
            let best = (0..self.n_terms)
                .filter_map(|i| {
                    let v = self.term(i);
                    if v.len().abs_diff(t.text.len()) > max
                        || v.bytes().all(|b| b.is_ascii_digit()) != numeric
                    {
                        return None;
                    }
                    // A number is corrected to a code, never to an event ID (event pages'
                    // words have no document frequency): 4741 is not a typo of 4740.
                    if numeric && self.df(i) == 0 {
                        return None;
                    }
                    let d = strsim::damerau_levenshtein(v, &t.text);
                    // Among equally near words, the more common one.
                    (d <= max).then(|| (d, std::cmp::Reverse(self.df(i)), i))
                })
                .min()
                .map(|(_, _, i)| i);
            out.push((best, t.pos));
        }
        Some(out)
    }

    /// Distinct known words (term ids, by slot), their IDF, the adjacent pairs of the query
    /// (slot, next slot, gap), and the codes it names.
    #[allow(clippy::type_complexity)]
    fn resolve(
        &self,
        tokens: &[(Option<usize>, u32)],
    ) -> (Vec<usize>, Vec<f32>, Vec<(usize, usize, u32)>, Vec<u32>) {
        let mut terms: Vec<usize> = Vec::new();
        let mut slot_of: HashMap<usize, usize> = HashMap::new();
        // The query as (slot, position), for phrases.
        let mut seq: Vec<(usize, u32)> = Vec::new();
        for (id, pos) in tokens {
            if let Some(id) = id {
                let slot = *slot_of.entry(*id).or_insert_with(|| {
                    terms.push(*id);
                    terms.len() - 1
                });
                seq.push((slot, *pos));
            }
        }
        let idf: Vec<f32> = terms.iter().map(|t| self.idf(*t)).collect();
        // Adjacent query words (stop words between them kept as a gap): pairs of slots.
        let pairs: Vec<(usize, usize, u32)> = seq
            .windows(2)
            .filter(|w| w[0].0 != w[1].0)
            .map(|w| (w[0].0, w[1].0, w[1].1 - w[0].1))
            .collect();
        // A code is a number of five digits or more ("TLS 1.0" names no code 0), or a
        // number alone.
        let alone = tokens.len() == 1;
        let codes: Vec<u32> = tokens
            .iter()
            .filter_map(|(id, _)| id.map(|i| self.term(i)))
            .filter(|t| t.bytes().all(|b| b.is_ascii_digit()) && (alone || t.len() >= 5))
            .filter_map(|t| t.parse().ok())
            .collect();
        (terms, idf, pairs, codes)
    }

    /// The words of a query of two words or more run together and stemmed, when the index
    /// knows that word: `admin consent required` → `adminconsentrequir`, the stem of the
    /// name `AdminConsentRequired` as a whole.
    fn joined(&self, query: &str) -> Option<u16> {
        let words: Vec<String> = Tokenizer::words(query)
            .into_iter()
            .filter(|(_, k)| *k == text::Kind::Word)
            .map(|(w, _)| w)
            .collect();
        if words.len() < 2 || words.len() > 12 {
            return None;
        }
        let id = self.term_id(&self.tokenizer.stem(&words.concat()))?;
        u16::try_from(id).ok()
    }

    /// The numbers of three digits or more written in the query, as typed (not corrected:
    /// 4741 is another event than 4740): the event IDs it may name.
    fn event_ids(&self, query: &str) -> Vec<u32> {
        Tokenizer::words(query)
            .into_iter()
            .take(MAX_QUERY_TOKENS)
            .filter(|(w, k)| {
                *k == text::Kind::Word && w.len() >= 3 && w.bytes().all(|b| b.is_ascii_digit())
            })
            .filter_map(|(w, _)| w.parse().ok())
            .collect()
    }

    /// Whether the query speaks of events: an event ID one of the pages has, or one of
    /// [`EVENT_WORDS`] (`event`, `log`, a provider's name).
    fn about_events(&self, query: &str, ids: &[u32]) -> bool {
        let lower = query.to_lowercase();
        ids.iter()
            .any(|id| aadsts_catalog::event_pages().any(|p| p.event == *id))
            || Tokenizer::words(query)
                .iter()
                .any(|(w, _)| EVENT_WORDS.contains(&w.as_str()))
            // Short provider names (`AAD`, `AD FS`) are everyday words of sign-in queries.
            || aadsts_catalog::event_sources().iter().any(|s| {
                s.providers
                    .iter()
                    .any(|p| p.len() >= 6 && lower.contains(&p.to_lowercase()))
            })
    }

    /// The table from term id to the query's slot for that term.
    fn slots(&self, terms: &[usize]) -> Vec<u8> {
        let mut table = vec![NONE; self.n_terms + 1];
        for (slot, t) in terms.iter().enumerate() {
            table[*t] = slot as u8;
        }
        table
    }

    /// Ranked pages for a query, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        self.search_inner(query, limit, None).unwrap_or_default()
    }

    /// [`Index::search`] that gives up (`None`) once `deadline` has passed, for callers
    /// that must answer in time, like the web server: a long query full of typos costs a
    /// pass over the vocabulary per word.
    pub fn search_until(&self, query: &str, limit: usize, deadline: Instant) -> Option<Vec<Hit>> {
        self.search_inner(query, limit, Some(deadline))
    }

    fn search_inner(
        &self,
        query: &str,
        limit: usize,
        deadline: Option<Instant>,
    ) -> Option<Vec<Hit>> {
        let late = || deadline.is_some_and(|d| Instant::now() >= d);
        if late() {
            return None;
        }
        let tokens = self.correct(query, deadline)?;
        if late() {
            return None;
        }
        let r = self.resolved(&tokens, query);
        if r.terms.is_empty() {
            return Some(Vec::new());
        }
        let q = r.query();
        let mut hits: Vec<(usize, Hit)> = Vec::new();
        let mut found = vec![Vec::new(); FIELDS * r.terms.len()];
        for doc in 0..self.n_docs {
            if doc % 64 == 0 && late() {
                return None;
            }
            if let Some((score, strong)) = self.score(doc, &q, &mut found, None) {
                if let Some(d) = self.doc(doc) {
                    hits.push((
                        doc,
                        Hit {
                            doc: d,
                            score,
                            strong,
                        },
                    ));
                }
            }
        }
        // Ties keep the index's order: code pages by code, then event pages.
        hits.sort_by(|(da, a), (db, b)| b.score.total_cmp(&a.score).then(da.cmp(db)));
        hits.truncate(limit);
        Some(hits.into_iter().map(|(_, h)| h).collect())
    }
}

/// How well two words at `p` and `p2` in a page stand for two query words `gap` apart:
/// 1 at the same gap in the same order, less the further off, a little in reverse order.
fn proximity(p: u32, p2: u32, gap: u32) -> f32 {
    if p2 > p {
        let off = (p2 - p).abs_diff(gap);
        match off {
            0 => 1.0,
            1 => 0.75,
            2 => 0.45,
            3 => 0.3,
            4 => 0.15,
            _ => 0.0,
        }
    } else if p - p2 <= 3 {
        0.25
    } else {
        0.0
    }
}

/// A query resolved against the vocabulary, owning what [`Query`] borrows: built once by
/// [`Index::resolved`] for both the search and `explain_score`.
struct Resolved {
    terms: Vec<usize>,
    idf: Vec<f32>,
    idf_sum: f32,
    pairs: Vec<(usize, usize, u32)>,
    codes: Vec<u32>,
    events: Vec<u32>,
    about_events: bool,
    joined: Option<u16>,
    lookup: Vec<u8>,
}

impl Resolved {
    fn query(&self) -> Query<'_> {
        Query {
            terms: &self.terms,
            idf: &self.idf,
            idf_sum: self.idf_sum,
            pairs: &self.pairs,
            codes: &self.codes,
            events: &self.events,
            about_events: self.about_events,
            joined: self.joined,
            lookup: &self.lookup,
        }
    }
}

impl Index {
    /// The corrected tokens of `query` resolved to terms, weights and the slot table.
    fn resolved(&self, tokens: &[(Option<usize>, u32)], query: &str) -> Resolved {
        let (terms, idf, pairs, codes) = self.resolve(tokens);
        let events = self.event_ids(query);
        Resolved {
            about_events: self.about_events(query, &events),
            events,
            idf_sum: idf.iter().sum(),
            lookup: self.slots(&terms),
            joined: self.joined(query),
            terms,
            idf,
            pairs,
            codes,
        }
    }
}

/// A query, resolved against the vocabulary.
struct Query<'a> {
    /// Term id of each distinct known word (its slot).
    terms: &'a [usize],
    idf: &'a [f32],
    idf_sum: f32,
    /// Adjacent query words: (slot, next slot, gap in words).
    pairs: &'a [(usize, usize, u32)],
    /// Codes written in the query.
    codes: &'a [u32],
    /// Numbers written in the query that may be event IDs.
    events: &'a [u32],
    /// The query speaks of events (see [`Index::about_events`]).
    about_events: bool,
    /// The query's words run together, when that is a word of the index (a name).
    joined: Option<u16>,
    /// Term id → slot, `NONE` for words not in the query and for the gap id (`n_terms`):
    /// one read per word of the pages scanned, from a table that stays in the L1 cache.
    lookup: &'a [u8],
}

impl Index {
    /// One page's score, or `None` when it holds no word of the query. With `why`, the
    /// parts of the score are written there (for tuning: see `examples/relevance.rs`).
    fn score(
        &self,
        doc: usize,
        q: &Query,
        found: &mut [Vec<u32>],
        why: Option<&mut String>,
    ) -> Option<(f32, bool)> {
        let n = q.terms.len();
        // found[f * n + slot]: the positions of a query word in a field, in order.
        for v in found.iter_mut() {
            v.clear();
        }
        let mut any = false;
        for f in 0..FIELDS {
            // The hot loop of a search: one read of a small table per word of the page (a
            // gap, id `n_terms`, reads NONE like any word not in the query).
            for (p, c) in self.field(doc, f).chunks_exact(2).enumerate() {
                let slot = q
                    .lookup
                    .get(u16::from_le_bytes([c[0], c[1]]) as usize)
                    .copied()
                    .unwrap_or(NONE);
                if slot != NONE {
                    found[f * n + slot as usize].push(p as u32);
                    any = true;
                }
            }
        }
        let code = self.code(doc);
        let is_event = self.kind(doc) != 0;
        let by_code = if is_event {
            q.events.contains(&code)
        } else {
            q.codes.contains(&code)
        };
        if !any && !by_code {
            return None;
        }
        let tf: Vec<[u32; FIELDS]> = (0..n)
            .map(|slot| std::array::from_fn(|f| found[f * n + slot].len() as u32))
            .collect();
        let t = &self.tuning;
        let sat = |w: f32| w * (t.k1 + 1.0) / (t.k1 + w);
        let norm = |f: usize| 1.0 - t.b[f] + t.b[f] * self.length(doc, f) as f32 / self.avg[f];
        // BM25F twice: over the head (title, name) and over the rest, each saturating on
        // its own, so that a title match is not drowned by a body that repeats the word.
        let (mut head, mut rest, mut covered, mut in_title) = (0.0, 0.0, 0.0, 0.0);
        for (slot, counts) in tf.iter().enumerate() {
            let mut wh = 0.0;
            let mut wr = 0.0;
            for (f, c) in counts.iter().enumerate() {
                if *c == 0 {
                    continue;
                }
                let w = t.weight[f] * *c as f32 / norm(f);
                if f == F_TITLE || f == F_NAME {
                    wh += w;
                } else {
                    wr += w;
                }
            }
            head += q.idf[slot] * sat(wh);
            rest += q.idf[slot] * sat(wr);
            if wh + wr > 0.0 {
                covered += q.idf[slot];
            }
            if counts[F_TITLE] > 0 {
                in_title += q.idf[slot];
            }
        }
        let coverage = covered / q.idf_sum;
        // A long query (a pasted sentence) has words no page holds: its coverage counts
        // for less.
        let exponent = t.coverage * (3.0 / n as f32).min(1.0);
        let base = (t.head * head + rest) * coverage.powf(exponent);
        let mut score = base;
        // The title says the words of the query (weighted by IDF, so a missing "user"
        // costs little and a missing "consent" a lot).
        let all_in_title = (in_title / q.idf_sum).powi(4);
        score += t.title_all * q.idf_sum * all_in_title;
        // Phrases: each adjacent pair of query words, in order, at the gap they have in
        // the query (full bonus), a little off (less, see `proximity`).
        let mut phrase = [0.0f32; FIELDS];
        let mut exact_pairs = [0usize; FIELDS];
        let mut phrase_sum = 0.0;
        for &(a, b, gap) in q.pairs {
            let mut per_field = [0.0f32; FIELDS];
            for (f, pf) in per_field.iter_mut().enumerate() {
                let (pa, pb) = (&found[f * n + a], &found[f * n + b]);
                let mut best = 0.0f32;
                for p in pa {
                    // Only the positions of `b` near `p` can count (see `proximity`).
                    let from = pb.partition_point(|x| *x + 3 < *p);
                    for p2 in pb[from..].iter().take_while(|x| **x <= p + gap + 4) {
                        best = best.max(proximity(*p, *p2, gap));
                    }
                    if best == 1.0 {
                        break;
                    }
                }
                if best == 1.0 {
                    exact_pairs[f] += 1;
                }
                *pf = t.pair[f] * best * (q.idf[a] + q.idf[b]) / 2.0;
                phrase[f] += *pf;
            }
            // The best field counts whole, the others a quarter: a phrase that the title,
            // the name and the Meaning all repeat is one phrase, not three.
            let max = per_field.iter().copied().fold(0.0, f32::max);
            let total: f32 = per_field.iter().sum();
            phrase_sum += max + 0.25 * (total - max);
        }
        let phrase_sum = phrase_sum * coverage;
        score += phrase_sum;
        // The whole query as a phrase in the title, or as one of the OAuth error names.
        let whole = |f: usize| {
            !q.pairs.is_empty() && exact_pairs[f] == q.pairs.len() && (0..n).all(|s| tf[s][f] > 0)
        };
        let mut extra = 0.0;
        if whole(F_TITLE) {
            extra += t.title_phrase * q.idf_sum;
        }
        if whole(F_OAUTH) {
            extra += t.oauth_phrase * q.idf_sum;
        }
        if let Some(j) = q.joined {
            let name = self.field(doc, F_NAME);
            if name
                .chunks_exact(2)
                .any(|c| u16::from_le_bytes([c[0], c[1]]) == j)
            {
                extra += t.name_whole * q.idf_sum;
            }
        }
        score += extra;
        // Pages many others point to are the usual answer among pages that match alike.
        let mut prior = 1.0 + t.links * (1.0 + self.links(doc) as f32).ln();
        if is_event && !q.about_events {
            prior *= t.event;
        }
        if let Some(Doc::Event(e)) = is_event.then(|| self.doc(doc)).flatten() {
            if e.signal == aadsts_catalog::Signal::Expected {
                prior *= t.expected;
            }
        }
        score *= prior;
        if by_code {
            score += 1000.0;
        }
        if let Some(w) = why {
            use std::fmt::Write as _;
            let _ = write!(
                w,
                "{code}: head {head:.2} rest {rest:.2} coverage {coverage:.2} base {base:.2} title-all {all_in_title:.2} phrase {phrase:?} whole {extra:.2} prior {prior:.2} = {score:.2}"
            );
        }
        // Strong evidence: the code itself, the title or name saying most of the query, a
        // phrase of it anywhere, or (a one-word query) the word in the title or Meaning.
        let head_share = (0..n)
            .filter(|s| tf[*s][F_TITLE] + tf[*s][F_NAME] > 0)
            .map(|s| q.idf[s])
            .sum::<f32>()
            / q.idf_sum;
        let strong = by_code
            || (coverage >= 0.5
                && (head_share >= 0.5
                    || exact_pairs.iter().any(|c| *c > 0)
                    || (n == 1 && tf[0][F_MEANING] > 0)));
        Some((score, strong))
    }

    /// The parts of one page's score for a query (for tuning); `label` names the page as
    /// [`Doc::label`] does.
    #[doc(hidden)]
    pub fn explain_score(&self, query: &str, label: &str) -> String {
        let mut out = String::new();
        let Some(tokens) = self.correct(query, None) else {
            return out;
        };
        let r = self.resolved(&tokens, query);
        let words: Vec<&str> = r.terms.iter().map(|t| self.term(*t)).collect();
        out.push_str(&format!(
            "terms {words:?} idf {:?} pairs {:?}\n",
            r.idf, r.pairs
        ));
        if let Some(doc) =
            (0..self.n_docs).find(|d| self.doc(*d).is_some_and(|x| x.label() == label))
        {
            let mut found = vec![Vec::new(); FIELDS * r.terms.len()];
            self.score(doc, &r.query(), &mut found, Some(&mut out));
        }
        out
    }
}

/// The words of a query that take part in ranking, lower case, in order: not stop words
/// (`the`, `not`, `cannot`) and not product words (`Azure`, `Entra`). For highlighting
/// matches, which should never mark a stop word.
pub fn ranking_words(query: &str) -> Vec<String> {
    let tok = Tokenizer::new();
    let product: Vec<&str> = text::SYNONYMS
        .iter()
        .filter(|(canon, _)| canon.is_empty())
        .flat_map(|(_, list)| list.iter().copied())
        .collect();
    let mut out: Vec<String> = Vec::new();
    for (w, kind) in Tokenizer::words(query) {
        if kind == text::Kind::Word
            && !tok.is_stopword(&w)
            && !product.contains(&w.as_str())
            && !out.contains(&w)
        {
            out.push(w);
        }
    }
    out
}

/// Words that make a query one about Windows events (lower case, as [`Tokenizer::words`]
/// gives them): the event pages then weigh as much as the code pages.
pub const EVENT_WORDS: &[&str] = &["event", "events", "eventid", "evtx", "viewer"];

/// Longer input (a pasted log) is searched by its first words only.
const MAX_QUERY_TOKENS: usize = 48;
/// Not a word of the query, in the term → slot table (slots stay below it: a query has
/// at most `MAX_QUERY_TOKENS` words).
const NONE: u8 = u8::MAX;

#[cfg(test)]
mod tests;
