//! Which searches can match a text, told from words they cannot match without.
//!
//! Each value search of [`crate::fields`] and [`crate::clues`] needs one of a few words
//! (`tenant`, `redirect`, `thumbprint` …). One pass over a text finds which of all those
//! words it holds; a search none of whose words is there is skipped — and compiled only
//! the first time one of its words turns up: compiling every pattern cost ~30 ms before
//! the first line of any input was read, more than reading a small log.
//!
//! Exact, not a heuristic: a test derives from each pattern's syntax tree that every match
//! holds one of its words. Words are matched with ASCII case ignored; `(?i)` also lets
//! `ſ` match `s` and the Kelvin sign `K` match `k` (no other non-ASCII character has an
//! ASCII letter as case variant, which a test checks), so a text holding either opens
//! every search.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::{Captures, Match, Regex};
use std::sync::{LazyLock, OnceLock};

/// Every word a search waits for, lowercase.
const WORDS: &[&str] = &[
    "with identifier",
    "for the application '",
    "app",
    "client",
    "client app",
    "app name",
    "application name",
    "the app",
    "the application",
    "directory",
    "tenant",
    "login.microsoftonline.",
    "resource principal",
    "resource '",
    "resource=",
    "the provided value for",
    "scope '",
    "scopes '",
    "scope=",
    "redirect",
    "reply",
    "redirect_uri=",
    "user account",
    "user '",
    "user",
    "signed in as",
    "upn",
    "identity provider",
    "policy '",
    "thumbprint",
    "key id",
    "issued on",
    "expir",
    "ip address",
    "device identifier",
    "device platform",
    "device state",
    "tenant identifier",
    "https://login.",
    "claims",
    "status",
    "trace",
    "request",
    "stamp",
    "_",
    "sub",
    "behalf",
    "obo",
    "userassertion",
    "password",
    "ropc",
    "device",
    "principal",
    "code",
    "interactive",
    "login",
    "acquiretoken",
];

static FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(WORDS)
        .expect("valid words")
});

/// The words a text holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Present {
    bits: u128,
}

impl Present {
    pub fn of(text: &str) -> Self {
        let b = text.as_bytes();
        let folds = find_short(b, "\u{17f}".as_bytes()).is_some()
            || find_short(b, "\u{212a}".as_bytes()).is_some();
        if folds {
            return Present { bits: u128::MAX };
        }
        let mut bits = 0u128;
        for m in FINDER.find_overlapping_iter(b) {
            bits |= 1 << m.pattern().as_usize();
        }
        Present { bits }
    }

    #[cfg(test)]
    pub fn union(self, other: Present) -> Present {
        Present {
            bits: self.bits | other.bits,
        }
    }
}

/// Where `needle` first occurs in `hay`, found from its first byte: for the few-byte
/// needles here and the short texts they are looked for in, building a `memmem` finder
/// for each look cost more than the look.
pub(crate) fn find_short(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memchr_iter(needle[0], hay).find(|&i| hay[i..].starts_with(needle))
}

/// A regex searched only in a text that holds one of its words.
pub(crate) struct Gated {
    pattern: String,
    mask: u128,
    re: OnceLock<Regex>,
}

impl Gated {
    /// `words` must each be in [`WORDS`] (a test builds every gate).
    pub fn new(words: &[&str], pattern: impl Into<String>) -> Self {
        let mask = words.iter().fold(0u128, |m, w| {
            let i = WORDS
                .iter()
                .position(|x| x == w)
                .unwrap_or_else(|| panic!("gate word {w:?} is not in WORDS"));
            m | 1 << i
        });
        Gated {
            pattern: pattern.into(),
            mask,
            re: OnceLock::new(),
        }
    }

    pub fn regex(&self) -> &Regex {
        self.re
            .get_or_init(|| Regex::new(&self.pattern).expect("valid pattern"))
    }

    fn open(&self, p: Present) -> bool {
        p.bits & self.mask != 0
    }

    pub fn captures<'t>(&self, p: Present, text: &'t str) -> Option<Captures<'t>> {
        self.open(p).then(|| self.regex().captures(text)).flatten()
    }

    pub fn find<'t>(&self, p: Present, text: &'t str) -> Option<Match<'t>> {
        self.open(p).then(|| self.regex().find(text)).flatten()
    }

    #[cfg(test)]
    pub fn parts(&self) -> (&str, Vec<&'static str>) {
        let words = (0..WORDS.len())
            .filter(|i| self.mask >> i & 1 == 1)
            .map(|i| WORDS[i])
            .collect();
        (&self.pattern, words)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use regex_syntax::hir::{Class, Hir, HirKind};

    /// The strings (lowercase) `h` can match, when they are few and fixed.
    fn exact(h: &Hir) -> Option<Vec<String>> {
        const MAX: usize = 512;
        let product = |a: Vec<String>, b: Vec<String>| -> Option<Vec<String>> {
            (a.len() * b.len() <= MAX).then(|| {
                a.iter()
                    .flat_map(|x| b.iter().map(move |y| format!("{x}{y}")))
                    .collect()
            })
        };
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => Some(vec![String::new()]),
            HirKind::Literal(l) => Some(vec![String::from_utf8(l.0.to_vec())
                .ok()?
                .to_ascii_lowercase()]),
            HirKind::Class(c) => {
                let chars: Vec<char> = match c {
                    Class::Unicode(u) => u
                        .ranges()
                        .iter()
                        .flat_map(|r| r.start()..=r.end())
                        .take(4)
                        .collect(),
                    Class::Bytes(b) => b
                        .ranges()
                        .iter()
                        .flat_map(|r| r.start()..=r.end())
                        .take(4)
                        .map(char::from)
                        .collect(),
                };
                let first = chars.first()?.to_ascii_lowercase();
                // One character, or one ASCII letter in both cases (with `ſ` or `K`
                // beside `s` or `k`, which make a text open every gate).
                let folds = |c: &char| {
                    c.to_ascii_lowercase() == first
                        || (first == 's' && *c == '\u{17f}')
                        || (first == 'k' && *c == '\u{212a}')
                };
                (chars.len() <= 3 && chars.iter().all(folds)).then(|| vec![first.to_string()])
            }
            HirKind::Capture(c) => exact(&c.sub),
            HirKind::Repetition(r) => {
                let sub = exact(&r.sub)?;
                match (r.min, r.max) {
                    (0, Some(1)) => {
                        let mut v = sub;
                        v.push(String::new());
                        Some(v)
                    }
                    (n, Some(m)) if n == m && n <= 4 => {
                        (0..n).try_fold(vec![String::new()], |acc, _| product(acc, sub.clone()))
                    }
                    _ => None,
                }
            }
            HirKind::Concat(items) => items
                .iter()
                .try_fold(vec![String::new()], |acc, h| product(acc, exact(h)?)),
            HirKind::Alternation(alts) => {
                let mut v = Vec::new();
                for a in alts {
                    v.extend(exact(a)?);
                }
                (v.len() <= MAX).then_some(v)
            }
        }
    }

    /// Whether every match of `h` holds one of `words` (ASCII case ignored).
    fn covered(h: &Hir, words: &[&str]) -> bool {
        let holds = |set: &[String]| set.iter().all(|s| words.iter().any(|w| s.contains(w)));
        if let Some(set) = exact(h) {
            return holds(&set);
        }
        match h.kind() {
            HirKind::Capture(c) => covered(&c.sub, words),
            HirKind::Repetition(r) => r.min >= 1 && covered(&r.sub, words),
            HirKind::Alternation(alts) => alts.iter().all(|a| covered(a, words)),
            HirKind::Concat(items) => {
                if items.iter().any(|h| covered(h, words)) {
                    return true;
                }
                // A run of fixed parts is matched as one string.
                let mut run: Option<Vec<String>> = None;
                for h in items.iter().map(Some).chain([None]) {
                    match h.and_then(exact) {
                        Some(set) => {
                            let acc = run.take().unwrap_or_else(|| vec![String::new()]);
                            if acc.len() * set.len() > 4096 {
                                // Too many to spell out: the run so far stands alone.
                                if holds(&acc) {
                                    return true;
                                }
                                run = Some(set);
                                continue;
                            }
                            let joined: Vec<String> = acc
                                .iter()
                                .flat_map(|x| set.iter().map(move |y| format!("{x}{y}")))
                                .collect();
                            run = Some(joined);
                        }
                        None => {
                            if run.take().is_some_and(|r| holds(&r)) {
                                return true;
                            }
                        }
                    }
                }
                false
            }
            _ => false,
        }
    }

    /// Panics unless every match of the gate's pattern holds one of its words.
    pub fn assert_sound(g: &Gated) {
        let (pattern, words) = g.parts();
        assert_needs(pattern, &words);
        g.regex();
    }

    /// Panics unless every match of `pattern` holds one of `words`.
    pub fn assert_needs(pattern: &str, words: &[&str]) {
        assert!(!words.is_empty(), "{pattern}");
        let hir = regex_syntax::parse(pattern).expect("valid pattern");
        assert!(
            covered(&hir, words),
            "a match of {pattern:?} need not hold one of {words:?}"
        );
    }

    #[test]
    fn only_long_s_and_kelvin_fold_to_ascii_letters() {
        let re = Regex::new(r"(?i)^[a-z]$").unwrap();
        let found: Vec<char> = (0x80..=0x10ffff)
            .filter_map(char::from_u32)
            .filter(|c| re.is_match(c.encode_utf8(&mut [0; 4])))
            .collect();
        assert_eq!(found, vec!['\u{17f}', '\u{212a}']);
    }

    #[test]
    fn the_coverage_check_rejects_what_it_should() {
        let g = |w: &[&str], p: &str| covered(&regex_syntax::parse(p).unwrap(), w);
        assert!(g(&["tenant"], r"(?i)in the tenant '(\w+)'"));
        assert!(g(&["app"], r"(?i)\b(?:app|application) id"));
        assert!(!g(&["application"], r"(?i)\b(?:app|application) id"));
        assert!(!g(&["tenant"], r"(?i)(?:tenant)? id"));
        assert!(!g(&["tenant"], r"(?i)ten\w*ant"));
        assert!(g(&["tenant"], r"(?i)x(?:tenant)+y"));
        assert!(!g(&["tenant"], r"(?i)x(?:tenant)*y"));
        assert!(g(&["ab"], r"(?i)a[b]"));
        assert!(!g(&["ab"], r"(?i)a[bc]"));
    }

    #[test]
    fn present_words_and_folds() {
        let p = Present::of("The TENANT x");
        assert!(Gated::new(&["tenant"], "x").open(p));
        assert!(!Gated::new(&["device"], "x").open(p));
        assert!(Gated::new(&["device"], "x").open(Present::of("the ſcope")));
        assert!(Gated::new(&["device"], "x").open(Present::of("\u{212a}ey id")));
        assert!(WORDS.len() <= 128);
        for w in WORDS {
            assert_eq!(w.to_ascii_lowercase(), *w);
        }
    }
}
