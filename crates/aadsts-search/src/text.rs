//! The tokenizer, shared by the library and `build.rs` (which builds the index of the
//! built-in pages at compile time): lower case, split on anything but letters and digits,
//! CamelCase names split into words, `aadsts50126` read as `50126`, synonym phrases folded
//! to one token, stop words dropped and English stemming.
//!
//! Every token carries a position. Stop words are not tokens but still take a position, so
//! "tenant not found" in a query lines up with "Tenant not found" in a title (a phrase)
//! while "not" itself decides nothing.

use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{HashMap, HashSet};

/// Phrases folded into one token. Each entry: the canonical token, then the phrases
/// (already lower case, words separated by spaces, `_` or `-`) that mean the same.
pub const SYNONYMS: &[(&str, &[&str])] = &[
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
            "pass through",
            "passthrough",
        ],
    ),
    ("writeback", &["writeback", "write back"]),
    (
        "mismatch",
        &[
            "mismatch",
            "mismatched",
            "mismatches",
            "does not match",
            "doesn t match",
            "doesnt match",
            "do not match",
            "don t match",
            "did not match",
            "didn t match",
            "not match",
            "not matching",
            "no match",
            "not matched",
        ],
    ),
    (
        "notexist",
        &[
            "does not exist",
            "doesn t exist",
            "doesnt exist",
            "do not exist",
            "did not exist",
            "not exist",
            "not existing",
            "nonexistent",
            "non existent",
            "no longer exists",
        ],
    ),
    ("wrong", &["wrong", "incorrect"]),
    (
        "cancel",
        &[
            "cancel",
            "cancels",
            "cancelled",
            "canceled",
            "cancelling",
            "canceling",
            "chose not to continue",
            "choose not to continue",
        ],
    ),
    (
        "unavail",
        &[
            "unavailable",
            "not available",
            "isn t available",
            "no longer available",
        ],
    ),
    (
        "disabl",
        &[
            "disabled",
            "disable",
            "disables",
            "disabling",
            "not enabled",
            "isn t enabled",
            "is off",
            "are off",
            "turned off",
            "switched off",
        ],
    ),
    (
        "unsupport",
        &[
            "unsupported",
            "not supported",
            "isn t supported",
            "no longer supported",
        ],
    ),
    (
        "regex",
        &[
            "regex",
            "regexp",
            "regular expression",
            "regular expressions",
        ],
    ),
    (
        "timeout",
        &[
            "timeout",
            "timeouts",
            "timed out",
            "times out",
            "time out",
            "timing out",
        ],
    ),
    (
        "throttl",
        &[
            "throttled",
            "throttling",
            "throttle",
            "throttles",
            "too many requests",
            "429",
            "rate limit",
            "rate limited",
            "rate limiting",
        ],
    ),
    (
        "reach",
        &["reach", "reachable", "unreachable", "reached", "reaching"],
    ),
    (
        "lockout",
        &["lockout", "locked out", "lock out", "lockouts", "locks out"],
    ),
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
            "redirect uris",
            "redirect url",
            "redirect urls",
            "reply url",
            "reply urls",
            "reply uri",
            "reply address",
            "redirect_uri",
            "redirecturi",
            "callback url",
        ],
    ),
    (
        "clientsecret",
        &[
            "client secret",
            "client secrets",
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
            "enterprise apps",
            "enterprise application",
            "enterprise applications",
            "service principal",
            "service principals",
            "serviceprincipal",
            "sp",
        ],
    ),
    (
        "appregistration",
        &[
            "app registration",
            "app registrations",
            "application registration",
        ],
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
    // "ID" alone is on every page (trace ID, app ID): the ID token is a thing of its own.
    ("idtoken", &["id token", "id tokens", "id_token", "idtoken"]),
    (
        "signin",
        &[
            "sign in",
            "signin",
            "signing in",
            "signed in",
            "sign on",
            "signon",
            "login",
            "logins",
            "log in",
            "logging in",
            "logon",
            "log on",
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
    // Product words say nothing about which error it is: "Azure AD", "Entra ID", "Office
    // 365" fold to the empty token, dropped like a stop word.
    (
        "",
        &[
            "azure ad",
            "azure active directory",
            "entra id",
            "microsoft entra id",
            "microsoft entra",
            "office 365",
            "microsoft 365",
            "azure",
            "entra",
            "aad",
            "azuread",
            "o365",
            "m365",
            "microsoft",
        ],
    ),
];

/// Words that never decide a rank: grammar, and the filler of how people describe an
/// error ("I get", "it says", "cannot", "not").
pub const STOPWORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "anymore", "are",
    "as", "at", "be", "been", "being", "but", "by", "can", "cannot", "cant", "could", "did", "do",
    "does", "doesn", "don", "dont", "for", "from", "get", "gets", "getting", "got", "had", "has",
    "have", "he", "help", "her", "his", "how", "i", "if", "im", "in", "into", "is", "isn", "it",
    "its", "just", "keeps", "many", "me", "much", "my", "no", "not", "of", "on", "or", "our",
    "please", "problem", "problems", "she", "should", "so", "some", "still", "suddenly", "t",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "too", "tried",
    "tries", "try", "trying", "us", "very", "was", "wasn", "we", "were", "what", "when", "where",
    "which", "while", "who", "why", "will", "with", "won", "would", "you", "your",
];

/// What [`Tokenizer::words`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    /// A CamelCase word whole, after its parts.
    Whole,
    /// A sentence end.
    Break,
}

/// One token: its text (stemmed or canonical) and its position in the text, counted in
/// words (a folded phrase counts one, a stop word counts one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub pos: u32,
}

/// Splits, folds synonyms, drops stop words and stems. Used for pages and queries alike.
pub struct Tokenizer {
    stemmer: Stemmer,
    stopwords: HashSet<&'static str>,
    /// Word → stem: indexing all pages stems the same few thousand words over and over.
    stems: std::sync::Mutex<HashMap<String, String>>,
    /// First word of a synonym phrase → (phrase words, canonical token), longest first.
    phrases: HashMap<&'static str, Vec<(Vec<&'static str>, &'static str)>>,
}

impl Default for Tokenizer {
    fn default() -> Self {
        Self::new()
    }
}

impl Tokenizer {
    pub fn new() -> Self {
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
        Tokenizer {
            stemmer: Stemmer::create(Algorithm::English),
            stopwords: STOPWORDS.iter().copied().collect(),
            stems: Default::default(),
            phrases,
        }
    }

    /// Raw words: lower case, split on anything but letters and digits, CamelCase split
    /// (the parts, then the whole word flagged [`Kind::Whole`]), `aadsts50126` read as
    /// `50126`; a sentence end (`.`, `;`, `!`, `?` before a space, or a line break) is a
    /// [`Kind::Break`].
    pub fn words(text: &str) -> Vec<(String, Kind)> {
        let mut out = Vec::new();
        let mut brk = false;
        let mut space = false;
        let mut start: Option<usize> = None;
        let flush = |out: &mut Vec<(String, Kind)>, raw: &str, brk: bool| {
            if brk && !out.is_empty() {
                out.push((String::new(), Kind::Break));
            }
            let lower = raw.to_lowercase();
            if let Some(code) = lower
                .strip_prefix("aadsts")
                .filter(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
            {
                out.push((code.to_string(), Kind::Word));
                return;
            }
            // CamelCase: InvalidUserNameOrPassword → invalid user name or password.
            let parts = split_camel(raw);
            if parts.len() > 1 {
                out.extend(parts.into_iter().map(|p| (p.to_lowercase(), Kind::Word)));
                out.push((lower, Kind::Whole));
            } else {
                out.push((lower, Kind::Word));
            }
        };
        for (i, c) in text.char_indices() {
            if c.is_alphanumeric() {
                if start.is_none() {
                    start = Some(i);
                }
                continue;
            }
            if let Some(s) = start.take() {
                flush(&mut out, &text[s..i], brk && space);
                brk = false;
                space = false;
            }
            match c {
                '.' | ';' | '!' | '?' => brk = true,
                '\n' => {
                    brk = true;
                    space = true;
                }
                c if c.is_whitespace() => space = true,
                _ => {}
            }
        }
        if let Some(s) = start {
            flush(&mut out, &text[s..], brk && space);
        }
        out
    }

    pub fn stem(&self, w: &str) -> String {
        if w.bytes().all(|b| b.is_ascii_digit()) {
            return w.to_string();
        }
        let mut cache = self.stems.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = cache.get(w) {
            return s.clone();
        }
        let stem = self.stemmer.stem(w).into_owned();
        cache.insert(w.to_string(), stem.clone());
        stem
    }

    /// Whether a raw (lower-case) word is a stop word.
    pub fn is_stopword(&self, w: &str) -> bool {
        self.stopwords.contains(w)
    }

    /// Tokens with positions.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let words = Self::words(text);
        let mut out = Vec::with_capacity(words.len());
        let mut i = 0;
        let mut pos: u32 = 0;
        'outer: while i < words.len() {
            let (w, kind) = &words[i];
            if *kind == Kind::Break {
                pos += 1;
                i += 1;
                continue;
            }
            if *kind == Kind::Whole {
                // The whole CamelCase word shares the position of its last part.
                out.push(Token {
                    text: self.stem(w),
                    pos: pos.saturating_sub(1),
                });
                i += 1;
                continue;
            }
            if let Some(cands) = self.phrases.get(w.as_str()) {
                for (phrase, canon) in cands {
                    if i + phrase.len() <= words.len()
                        && phrase
                            .iter()
                            .zip(&words[i..])
                            .all(|(a, (b, k))| *k == Kind::Word && *a == b)
                    {
                        if !canon.is_empty() {
                            out.push(Token {
                                text: (*canon).to_string(),
                                pos,
                            });
                        }
                        pos += 1;
                        i += phrase.len();
                        continue 'outer;
                    }
                }
            }
            i += 1;
            if !self.stopwords.contains(w.as_str()) {
                out.push(Token {
                    text: self.stem(w),
                    pos,
                });
            }
            pos += 1;
        }
        out
    }

    /// The tokens' texts only.
    pub fn tokenize(&self, text: &str) -> Vec<String> {
        self.tokens(text).into_iter().map(|t| t.text).collect()
    }
}

pub fn split_camel(word: &str) -> Vec<&str> {
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
