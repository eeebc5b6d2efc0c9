//! Ranked search over the catalog: "password writeback" → 120xxx pages.
//!
//! Ranking is BM25 (the `bm25` crate's embedder and scorer) over two fields, the head
//! (code, Microsoft name split into words, title) and the body (every section), with the
//! head weighted higher. Our tokenizer adds what a support desk needs on top of BM25:
//! English stemming (`rust-stemmers`), synonyms folded to one token on both sides
//! (MFA = multifactor = 2FA = strong authentication, CA = Conditional Access, …),
//! CamelCase names split into words, `AADSTS50126` read as `50126`, and typo tolerance
//! (a query word missing from the vocabulary is replaced by the nearest word or code).

use aadsts_catalog::Catalog;
use aadsts_kb::Page;
use bm25::{Embedder, EmbedderBuilder, Scorer, Tokenizer};
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Instant;

/// Phrases folded into one token. Each entry: the canonical token, then the phrases
/// (already lower case, split into words) that mean the same.
const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "mfa",
        &[
            "mfa",
            "multifactor",
            "multi factor",
            "2fa",
            "two factor",
            "2 factor",
            "strong authentication",
            "strongauth",
            "second factor",
        ],
    ),
    (
        "condaccess",
        &["ca", "conditional access", "conditionalaccess"],
    ),
    (
        "sspr",
        &[
            "sspr",
            "self service password reset",
            "selfservice password reset",
            "password reset",
        ],
    ),
    (
        "pta",
        &[
            "pta",
            "pass through authentication",
            "passthrough authentication",
            "pass through auth",
        ],
    ),
    ("writeback", &["writeback", "write back"]),
    ("upn", &["upn", "user principal name", "userprincipalname"]),
    (
        "guest",
        &[
            "b2b",
            "guest",
            "guests",
            "external user",
            "external users",
            "external identities",
        ],
    ),
    (
        "sso",
        &["sso", "single sign on", "singlesignon", "seamless sso"],
    ),
    (
        "redirecturi",
        &[
            "redirect uri",
            "redirect url",
            "reply url",
            "reply uri",
            "reply address",
            "redirect_uri",
            "callback url",
        ],
    ),
    (
        "clientsecret",
        &[
            "client secret",
            "app secret",
            "application secret",
            "secret key",
        ],
    ),
    (
        "application",
        &["app", "apps", "application", "applications"],
    ),
    (
        "enterpriseapp",
        &[
            "enterprise app",
            "enterprise application",
            "service principal",
            "serviceprincipal",
            "sp",
        ],
    ),
    (
        "appregistration",
        &["app registration", "application registration"],
    ),
    ("kmsi", &["kmsi", "keep me signed in", "stay signed in"]),
    ("tenant", &["tenant", "tenants", "directory"]),
    ("whfb", &["whfb", "windows hello", "hello for business"]),
    (
        "cba",
        &[
            "cba",
            "certificate based authentication",
            "certificate based auth",
            "smart card",
            "smartcard",
        ],
    ),
    ("prt", &["prt", "primary refresh token"]),
    (
        "signin",
        &[
            "sign in", "signin", "sign on", "signon", "login", "log in", "logon", "log on",
        ],
    ),
    ("password", &["password", "passwords", "pwd", "passphrase"]),
    ("username", &["username", "user name", "login name"]),
    (
        "adfs",
        &["adfs", "ad fs", "active directory federation services"],
    ),
    (
        "aadconnect",
        &[
            "aad connect",
            "azure ad connect",
            "entra connect",
            "adconnect",
            "microsoft entra connect",
        ],
    ),
    (
        "expire",
        &[
            "expired",
            "expire",
            "expires",
            "expiry",
            "expiration",
            "expiring",
        ],
    ),
];

const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "has",
    "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "so",
    "that", "the", "their", "then", "there", "these", "this", "to", "was", "we", "what", "when",
    "which", "who", "why", "will", "with", "you", "your",
];

/// Splits, folds synonyms, drops stop words and stems. Used for pages and queries alike.
struct AadTokenizer {
    stemmer: Stemmer,
    stopwords: std::collections::HashSet<&'static str>,
    /// Word → stem: indexing all pages stems the same few thousand words over and over.
    stems: std::sync::Mutex<HashMap<String, String>>,
    /// First word of a synonym phrase → (phrase words, canonical token), longest first.
    phrases: HashMap<&'static str, Vec<(Vec<&'static str>, &'static str)>>,
}

impl AadTokenizer {
    fn new() -> Self {
        let mut phrases: HashMap<&'static str, Vec<(Vec<&'static str>, &'static str)>> =
            HashMap::new();
        for (canon, list) in SYNONYMS {
            for phrase in *list {
                let words: Vec<&'static str> = phrase.split([' ', '_', '-']).collect();
                phrases.entry(words[0]).or_default().push((words, canon));
            }
        }
        for v in phrases.values_mut() {
            v.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
        }
        AadTokenizer {
            stemmer: Stemmer::create(Algorithm::English),
            stopwords: STOPWORDS.iter().copied().collect(),
            stems: Default::default(),
            phrases,
        }
    }

    /// Raw words: lower case, split on anything but letters and digits, CamelCase split
    /// (keeping the whole word too), `aadsts50126` read as `50126`.
    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for raw in text.split(|c: char| !c.is_alphanumeric()) {
            if raw.is_empty() {
                continue;
            }
            let lower = raw.to_lowercase();
            if let Some(code) = lower
                .strip_prefix("aadsts")
                .filter(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
            {
                out.push(code.to_string());
                continue;
            }
            // CamelCase: InvalidUserNameOrPassword → invalid user name or password.
            let parts = split_camel(raw);
            if parts.len() > 1 {
                out.push(lower.clone());
                out.extend(parts.into_iter().map(|p| p.to_lowercase()));
            } else {
                out.push(lower);
            }
        }
        out
    }

    fn fold(&self, words: &[String]) -> Vec<String> {
        let mut out = Vec::with_capacity(words.len());
        let mut i = 0;
        'outer: while i < words.len() {
            if let Some(cands) = self.phrases.get(words[i].as_str()) {
                for (phrase, canon) in cands {
                    if i + phrase.len() <= words.len()
                        && phrase.iter().zip(&words[i..]).all(|(a, b)| *a == b)
                    {
                        out.push((*canon).to_string());
                        i += phrase.len();
                        continue 'outer;
                    }
                }
            }
            let w = &words[i];
            i += 1;
            if self.stopwords.contains(w.as_str()) {
                continue;
            }
            if w.bytes().all(|b| b.is_ascii_digit()) {
                out.push(w.clone());
            } else {
                let mut cache = self.stems.lock().unwrap_or_else(|e| e.into_inner());
                match cache.get(w) {
                    Some(stem) => out.push(stem.clone()),
                    None => {
                        let stem = self.stemmer.stem(w).into_owned();
                        cache.insert(w.clone(), stem.clone());
                        out.push(stem);
                    }
                }
            }
        }
        out
    }
}

/// Marks text that is already a list of tokens (the corrected query), so that embedding it
/// does not fold and stem it a second time.
const PRETOKENIZED: char = '\u{1}';

impl Tokenizer for AadTokenizer {
    fn tokenize(&self, input_text: &str) -> Vec<String> {
        if let Some(tokens) = input_text.strip_prefix(PRETOKENIZED) {
            return tokens
                .split(' ')
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect();
        }
        self.fold(&Self::words(input_text))
    }
}

fn split_camel(word: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    for i in 1..chars.len() {
        let (idx, c) = chars[i];
        let prev = chars[i - 1].1;
        let next_lower = chars.get(i + 1).is_some_and(|(_, n)| n.is_lowercase());
        if c.is_uppercase() && (prev.is_lowercase() || (prev.is_uppercase() && next_lower)) {
            parts.push(&word[start..idx]);
            start = idx;
        }
    }
    parts.push(&word[start..]);
    parts
}

/// How much a match in the head (code, name, title) outweighs one in the body.
const HEAD_WEIGHT: f32 = 3.0;

/// A search index over one catalog.
pub struct Index {
    head_embedder: Embedder<u32, AadTokenizer>,
    body_embedder: Embedder<u32, AadTokenizer>,
    head: Scorer<usize, u32>,
    body: Scorer<usize, u32>,
    codes: Vec<u32>,
    /// Each page's distinct tokens: in its head, and anywhere.
    head_tokens: Vec<HashSet<String>>,
    all_tokens: Vec<HashSet<String>>,
    /// Every token in the index, for typo correction.
    vocabulary: BTreeSet<String>,
    tokenizer: AadTokenizer,
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub code: u32,
    pub score: f32,
}

fn head_text(p: &Page) -> String {
    let mut s = format!("{} AADSTS{} {}", p.code, p.code, p.title);
    if let Some(n) = &p.name {
        s.push(' ');
        s.push_str(n);
    }
    s
}

fn body_text(p: &Page) -> String {
    let mut s = String::new();
    for part in p
        .meaning
        .iter()
        .chain(p.causes.iter())
        .chain(p.fix.iter())
        .chain(p.diagnose.iter())
        .chain(p.collect.iter())
        .chain(p.notes.iter())
    {
        s.push_str(part);
        s.push('\n');
    }
    for f in p.faq.iter() {
        s.push_str(&f.question);
        s.push('\n');
        for a in f.answer.iter() {
            s.push_str(a);
            s.push('\n');
        }
    }
    s
}

impl Index {
    pub fn new(catalog: &Catalog) -> Index {
        let pages = catalog.pages();
        let tokenizer = AadTokenizer::new();
        // Each text is folded and stemmed once; the embedders get the tokens back as
        // pre-tokenized text (tokenizing three times was most of the start-up cost).
        let head_toks: Vec<Vec<String>> = pages
            .iter()
            .map(|p| tokenizer.tokenize(&head_text(p)))
            .collect();
        let body_toks: Vec<Vec<String>> = pages
            .iter()
            .map(|p| tokenizer.tokenize(&body_text(p)))
            .collect();
        let pre = |t: &Vec<String>| format!("{PRETOKENIZED}{}", t.join(" "));
        let heads: Vec<String> = head_toks.iter().map(pre).collect();
        let bodies: Vec<String> = body_toks.iter().map(pre).collect();
        let head_refs: Vec<&str> = heads.iter().map(String::as_str).collect();
        let body_refs: Vec<&str> = bodies.iter().map(String::as_str).collect();
        let head_embedder = EmbedderBuilder::<u32, AadTokenizer>::with_tokenizer_and_fit_to_corpus(
            AadTokenizer::new(),
            &head_refs,
        )
        .build();
        let body_embedder = EmbedderBuilder::<u32, AadTokenizer>::with_tokenizer_and_fit_to_corpus(
            AadTokenizer::new(),
            &body_refs,
        )
        .build();
        let mut head = Scorer::new();
        let mut body = Scorer::new();
        let mut vocabulary = BTreeSet::new();
        let mut head_tokens = Vec::with_capacity(pages.len());
        let mut all_tokens = Vec::with_capacity(pages.len());
        for (i, (h, b)) in heads.iter().zip(&bodies).enumerate() {
            head.upsert(&i, head_embedder.embed(h));
            body.upsert(&i, body_embedder.embed(b));
            let ht: HashSet<String> = head_toks[i].iter().cloned().collect();
            let mut at: HashSet<String> = body_toks[i].iter().cloned().collect();
            at.extend(ht.iter().cloned());
            vocabulary.extend(at.iter().cloned());
            head_tokens.push(ht);
            all_tokens.push(at);
        }
        Index {
            head_embedder,
            body_embedder,
            head,
            body,
            codes: pages.iter().map(|p| p.code).collect(),
            head_tokens,
            all_tokens,
            vocabulary,
            tokenizer,
        }
    }

    /// The query's tokens, each replaced by the nearest vocabulary word when it is not in
    /// the index (a typo). Numbers are corrected against codes only.
    /// `None` when `deadline` passes first (each typo costs a pass over the vocabulary).
    fn correct(&self, query: &str, deadline: Option<Instant>) -> Option<Vec<String>> {
        self.tokenizer
            .tokenize(query)
            .into_iter()
            .map(|t| {
                if self.vocabulary.contains(&t) || t.chars().count() < 4 {
                    return Some(t);
                }
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return None;
                }
                let numeric = t.bytes().all(|b| b.is_ascii_digit());
                let max = if numeric || t.len() < 8 { 1 } else { 2 };
                self.vocabulary
                    .iter()
                    .filter(|v| v.bytes().all(|b| b.is_ascii_digit()) == numeric)
                    .filter(|v| v.len().abs_diff(t.len()) <= max)
                    .map(|v| (strsim::damerau_levenshtein(v, &t), v))
                    .filter(|(d, _)| *d <= max)
                    .min()
                    .map(|(_, v)| v.clone())
                    .or(Some(t))
            })
            .collect()
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
        if tokens.is_empty() {
            return Some(Vec::new());
        }
        if late() {
            return None;
        }
        let q = format!("{PRETOKENIZED}{}", tokens.join(" "));
        let qh = self.head_embedder.embed(&q);
        let qb = self.body_embedder.embed(&q);
        let mut scores: HashMap<usize, f32> = HashMap::new();
        for m in self.head.matches(&qh) {
            *scores.entry(m.id).or_default() += HEAD_WEIGHT * m.score;
        }
        for m in self.body.matches(&qb) {
            *scores.entry(m.id).or_default() += m.score;
        }
        // Pages that match every word of the query beat pages that match some of them very
        // often, and a title that says all of it beats a body that does: BM25 sums words
        // independently, so a page repeating "secret" outranked the one titled "client
        // secret has expired".
        let wanted: HashSet<&String> = tokens.iter().collect();
        if late() {
            return None;
        }
        if wanted.len() > 1 {
            let n = wanted.len() as f32;
            for (i, score) in scores.iter_mut() {
                let anywhere = wanted
                    .iter()
                    .filter(|t| self.all_tokens[*i].contains(**t))
                    .count();
                let in_head = wanted
                    .iter()
                    .filter(|t| self.head_tokens[*i].contains(**t))
                    .count();
                *score *= (anywhere as f32 / n) * (1.0 + in_head as f32 / n);
            }
        }
        // Exact code in the query wins outright.
        for t in &tokens {
            if let Ok(code) = t.parse::<u32>() {
                if let Some(i) = self.codes.iter().position(|c| *c == code) {
                    *scores.entry(i).or_default() += 1000.0;
                }
            }
        }
        let mut hits: Vec<Hit> = scores
            .into_iter()
            .map(|(i, score)| Hit {
                code: self.codes[i],
                score,
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.code.cmp(&b.code)));
        hits.truncate(limit);
        Some(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_split() {
        assert_eq!(
            split_camel("InvalidUserNameOrPassword"),
            vec!["Invalid", "User", "Name", "Or", "Password"]
        );
        assert_eq!(
            split_camel("MsodsServiceUnavailable"),
            vec!["Msods", "Service", "Unavailable"]
        );
        assert_eq!(split_camel("SAMLRequest"), vec!["SAML", "Request"]);
        assert_eq!(split_camel("plain"), vec!["plain"]);
    }

    #[test]
    fn synonyms_fold_to_one_token() {
        let t = AadTokenizer::new();
        let mfa = t.tokenize("MFA");
        assert_eq!(t.tokenize("multi-factor"), mfa);
        assert_eq!(t.tokenize("multifactor"), mfa);
        assert_eq!(t.tokenize("strong authentication"), mfa);
        assert_eq!(t.tokenize("2FA"), mfa);
        assert_eq!(t.tokenize("CA"), t.tokenize("Conditional Access"));
        assert_eq!(
            t.tokenize("SSPR"),
            t.tokenize("self-service password reset")
        );
        assert_eq!(t.tokenize("PTA"), t.tokenize("pass-through authentication"));
        assert_eq!(t.tokenize("write-back"), t.tokenize("writeback"));
        assert_eq!(t.tokenize("UPN"), t.tokenize("user principal name"));
        assert_eq!(t.tokenize("B2B"), t.tokenize("guest"));
        assert_eq!(t.tokenize("external user"), t.tokenize("guest"));
        assert_eq!(t.tokenize("SSO"), t.tokenize("single sign-on"));
        assert_eq!(t.tokenize("reply URL"), t.tokenize("redirect URI"));
    }

    /// Issue 22: a long query full of typos cost seconds; with a deadline the search gives
    /// up instead of running on, and in time it finds what `search` finds.
    #[test]
    fn search_respects_its_deadline() {
        let index = Index::new(&Catalog::builtin());
        let far = Instant::now() + std::time::Duration::from_secs(3600);
        let q = "pasword expird";
        assert_eq!(index.search_until(q, 5, far), Some(index.search(q, 5)));
        let typos = "pasword expird secrte ".repeat(1000);
        assert_eq!(index.search_until(&typos, 5, Instant::now()), None);
    }

    #[test]
    fn codes_and_stems() {
        let t = AadTokenizer::new();
        assert_eq!(t.tokenize("AADSTS50126"), vec!["50126"]);
        assert_eq!(t.tokenize("expired"), t.tokenize("expiry"));
        assert_eq!(t.tokenize("assigned"), vec!["assign"]);
        assert_eq!(t.tokenize("assignment"), vec!["assign"]);
    }
}
