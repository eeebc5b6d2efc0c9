//! Builds the serialized index: at compile time for the built-in pages (`build.rs` includes
//! this file) and at run time for a catalog with overlay pages. One format for both, read
//! in place by [`crate::Index`] without copying.
//!
//! Two kinds of document share one index and one scoring: the code pages, by code, then
//! the event pages (`kb/events`), by source and event ID.
//!
//! Layout, little endian:
//! ```text
//! magic "AADIDX05" | n_docs u32 | n_terms u32 | n_tokens u32
//! keys             n_docs × u32                  code, or event ID
//! kinds            n_docs × u32                  0 code page, 1 + source index event page
//! links            n_docs × u32                  pages that name this one as related
//! field offsets    (n_docs × FIELDS + 1) × u32   into the token stream
//! field lengths    n_docs × FIELDS × u32         tokens that are not stop words
//! df               n_terms × u32                 code pages holding the term
//! vocab offsets    (n_terms + 1) × u32, then the vocabulary bytes (sorted)
//! token stream     n_tokens × u16                term id, or n_terms for a gap (a stop
//!                                                word or a sentence end keeps its place)
//! ```

use crate::text::Tokenizer;
use aadsts_kb::{EventPage, Page};
use std::collections::{BTreeMap, HashMap};

pub const MAGIC: &[u8; 8] = b"AADIDX05";

/// The fields of a page, in the order they are stored: title, name, Meaning (with the
/// service's message), OAuth error names, titles of the cited articles, body. An event page
/// fills the same slots (see [`event_fields`]); it has no OAuth error names.
pub const FIELDS: usize = 6;
pub const F_TITLE: usize = 0;
pub const F_NAME: usize = 1;
pub const F_MEANING: usize = 2;
pub const F_OAUTH: usize = 3;

/// OAuth error names (`error` and MSAL `suberror`/classification) that the service returns
/// with each code: people search for `invalid_grant` or `consent_required`.
const OAUTH_ERRORS: &str = include_str!("../data/oauth-errors.tsv");

/// The service's message for a code, where the repository holds it (`data/messages.tsv`).
const MESSAGES: &str = include_str!("../data/messages.tsv");

/// code → the service's message for that code.
pub fn messages() -> HashMap<u32, String> {
    MESSAGES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let code = cols.next()?.trim().parse().ok()?;
            Some((code, cols.next()?.trim().to_string()))
        })
        .collect()
}

/// code → the OAuth error names of that code, as text to index.
pub fn oauth_errors() -> HashMap<u32, String> {
    let mut out: HashMap<u32, String> = HashMap::new();
    for line in OAUTH_ERRORS.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(code), Some(names)) = (cols.next(), cols.next()) else {
            continue;
        };
        if let Ok(code) = code.trim().parse::<u32>() {
            let e = out.entry(code).or_default();
            for n in names.split(',') {
                e.push_str(n.trim());
                // A gap between names, so that two names do not read as one phrase.
                e.push_str(" . ");
            }
        }
    }
    out
}

/// The text of each field of a page.
pub fn fields(
    p: &Page,
    oauth: &HashMap<u32, String>,
    messages: &HashMap<u32, String>,
) -> [String; FIELDS] {
    let mut name = format!("{} AADSTS{}", p.code, p.code);
    if let Some(n) = &p.name {
        name.push(' ');
        name.push_str(n);
    }
    let mut body = String::new();
    let mut add = |s: &str| {
        body.push_str(s);
        body.push_str(" .\n");
    };
    for part in p
        .causes
        .iter()
        .chain(p.fix.iter())
        .chain(p.diagnose.iter())
        .chain(p.collect.iter())
        .chain(p.notes.iter())
    {
        add(part);
    }
    for f in p.faq.iter() {
        add(&f.question);
        for a in f.answer.iter() {
            add(a);
        }
    }
    let mut docs = String::new();
    for d in p.docs.iter() {
        docs.push_str(&d.title);
        docs.push_str(" .\n");
    }
    // The service's message (when known) is read with the Meaning: both say what the error
    // is, one in Microsoft's words and one in ours.
    let mut meaning = messages.get(&p.code).cloned().unwrap_or_default();
    for m in p.meaning.iter() {
        meaning.push_str(" .\n");
        meaning.push_str(m);
    }
    [
        p.title.to_string(),
        name,
        meaning,
        oauth.get(&p.code).cloned().unwrap_or_default(),
        docs,
        body,
    ]
}

/// The text of each field of an event page. The name holds what identifies the event in a
/// log (its ID, page id, Microsoft's name and the providers that write it), so that
/// `PasswordResetService 33004` or `AD FS 364` read like a name; the log it is written to
/// goes with the cited articles' titles, as context rather than as the subject.
pub fn event_fields(e: &EventPage) -> [String; FIELDS] {
    let mut name = format!("Event {} . {}", e.event, e.id());
    if let Some(n) = &e.name {
        name.push_str(" . ");
        name.push_str(n);
    }
    let source = aadsts_catalog::event_source(&e.source);
    for p in source.iter().flat_map(|s| s.providers.iter()) {
        name.push_str(" . ");
        name.push_str(p);
    }
    let mut docs = String::new();
    if let Some(s) = source {
        for t in [&s.title, &s.channel, &s.server] {
            docs.push_str(t);
            docs.push_str(" .\n");
        }
    }
    for d in e.docs.iter() {
        docs.push_str(&d.title);
        docs.push_str(" .\n");
    }
    let mut body = String::new();
    let mut add = |s: &str| {
        body.push_str(s);
        body.push_str(" .\n");
    };
    for part in e
        .causes
        .iter()
        .chain(e.fix.iter())
        .chain(e.diagnose.iter())
        .chain(e.collect.iter())
    {
        add(part);
    }
    for f in e.faq.iter() {
        add(&f.question);
        for a in f.answer.iter() {
            add(a);
        }
    }
    for c in e.codes.iter() {
        add(&format!("AADSTS{c}"));
    }
    [
        e.title.to_string(),
        name,
        e.meaning.join(" .\n"),
        String::new(),
        docs,
        body,
    ]
}

/// The kind of an event page's document: 1 + the index of its source in `sources.toml`
/// (0 is a code page). `None` for a page whose source is not listed (the linter reports it).
pub fn event_kind(e: &EventPage) -> Option<u32> {
    aadsts_catalog::event_sources()
        .iter()
        .position(|s| s.slug == e.source)
        .map(|i| i as u32 + 1)
}

/// Serializes the index of `pages` (sorted by code) and `events` (the event pages, sorted
/// by source and event ID; one whose source is unknown is left out).
pub fn build(pages: &[Page], events: &[&EventPage]) -> Vec<u8> {
    let tok = Tokenizer::new();
    let oauth = oauth_errors();
    let messages = messages();
    let events: Vec<(&EventPage, u32)> = events
        .iter()
        .filter_map(|e| event_kind(e).map(|k| (*e, k)))
        .collect();
    let texts = pages
        .iter()
        .map(|p| fields(p, &oauth, &messages))
        .chain(events.iter().map(|(e, _)| event_fields(e)));
    let n_docs = pages.len() + events.len();
    // Per page and field: (term, position) lists.
    let mut docs: Vec<[Vec<(String, u32)>; FIELDS]> = Vec::with_capacity(n_docs);
    let mut vocab: BTreeMap<String, u32> = BTreeMap::new();
    for texts in texts {
        let toks: [Vec<(String, u32)>; FIELDS] = std::array::from_fn(|f| {
            let mut v: Vec<(String, u32)> = tok
                .tokens(&texts[f])
                .into_iter()
                .map(|t| (t.text, t.pos))
                .collect();
            // A sentence end is a gap: words of two sentences are not a phrase.
            v.dedup();
            v
        });
        // Document frequencies count the code pages only (an event page's words enter the
        // vocabulary with what the code pages say of them): the event pages' common words
        // (password, sync, lockout) must not make those words weigh less for every search
        // of a sign-in error. See `Index::idf`.
        let code_page = docs.len() < pages.len();
        let mut seen: std::collections::HashSet<&str> = Default::default();
        for field in &toks {
            for (t, _) in field {
                if seen.insert(t.as_str()) {
                    *vocab.entry(t.clone()).or_default() += u32::from(code_page);
                }
            }
        }
        docs.push(toks);
    }
    let ids: HashMap<&str, u16> = vocab
        .keys()
        .enumerate()
        .map(|(i, t)| {
            (
                t.as_str(),
                u16::try_from(i).expect("fewer than 65535 terms"),
            )
        })
        .collect();
    // A gap is the id after the last term's.
    let stop = u16::try_from(vocab.len()).expect("fewer than 65535 terms");

    let mut stream: Vec<u16> = Vec::new();
    let mut offsets: Vec<u32> = Vec::with_capacity(n_docs * FIELDS + 1);
    let mut lengths: Vec<u32> = Vec::with_capacity(n_docs * FIELDS);
    for d in &docs {
        for field in d {
            offsets.push(stream.len() as u32);
            lengths.push(field.len() as u32);
            // Positions become slots: a slot without a token is a gap. Two tokens
            // at one position (a CamelCase word and its last part) take two slots.
            let mut last: Option<u32> = None;
            for (t, pos) in field {
                if let Some(l) = last {
                    for _ in (l + 1)..*pos {
                        stream.push(stop);
                    }
                }
                stream.push(ids[t.as_str()]);
                last = Some(*pos);
            }
        }
    }
    offsets.push(stream.len() as u32);

    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    let put = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    put(&mut out, n_docs as u32);
    put(&mut out, vocab.len() as u32);
    put(&mut out, stream.len() as u32);
    for p in pages {
        put(&mut out, p.code);
    }
    for (e, _) in &events {
        put(&mut out, e.event);
    }
    for _ in pages {
        put(&mut out, 0);
    }
    for (_, kind) in &events {
        put(&mut out, *kind);
    }
    // How many other pages list each page as related: the pages the knowledge base treats
    // as hubs of their topic (50020 for guests, 65001 for consent), a prior for ranking.
    let mut links: HashMap<u32, u32> = HashMap::new();
    for p in pages {
        for r in p.related.iter() {
            if *r != p.code {
                *links.entry(*r).or_default() += 1;
            }
        }
    }
    for p in pages {
        put(&mut out, links.get(&p.code).copied().unwrap_or(0));
    }
    // Among event pages, the same prior from their own `related` lists (page ids). Their
    // `codes` are not counted for the code pages: the code pages' ranking stays their own.
    let mut event_links: HashMap<&str, u32> = HashMap::new();
    for (e, _) in &events {
        for r in e.related.iter() {
            *event_links.entry(r.as_ref()).or_default() += 1;
        }
    }
    for (e, _) in &events {
        put(
            &mut out,
            event_links.get(e.id().as_str()).copied().unwrap_or(0),
        );
    }
    for o in &offsets {
        put(&mut out, *o);
    }
    for l in &lengths {
        put(&mut out, *l);
    }
    for df in vocab.values() {
        put(&mut out, *df);
    }
    let mut off = 0u32;
    put(&mut out, 0);
    for t in vocab.keys() {
        off += t.len() as u32;
        put(&mut out, off);
    }
    for t in vocab.keys() {
        out.extend_from_slice(t.as_bytes());
    }
    for t in &stream {
        out.extend_from_slice(&t.to_le_bytes());
    }
    out
}
