//! Finds every AADSTS error in text as people paste it — OAuth JSON, MSAL exceptions,
//! Python reprs, console output with colour codes and hard wrapping, redirect URLs,
//! the browser's sign-in error page, HTML, SAML/XML, CI logs, localised messages — and the
//! context the service put around it: trace, correlation and request ids, the timestamp
//! (normalised to RFC 3339 UTC), and the values the message names (app, tenant,
//! resource, scope, redirect URI, user, identity provider, thumbprint, times …).
//!
//! The input is decoded first (ANSI codes stripped, HTML entities and JSON escapes
//! undone, URL parameters percent-decoded, hard-wrapped console lines rejoined), then
//! searched. Codes without the `AADSTS` prefix count only where the context says they are
//! codes (`error_codes`, `Sign-in error code`, `ResultType`, `errorCode`, `Error Code`).

mod clues;
mod decode;
mod fields;
mod gate;

pub use clues::{is_loopback, Suspect};

pub use fields::{civil_from_days, days_from_civil, normalize_time};

use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::Instant;

pub use decode::{decode, Decoded};

/// Names of the values that can be extracted, with their labels. Page templates
/// (`[[tailor]]` in the knowledge base) may use exactly these as `{placeholders}`.
pub use aadsts_kb::VALUE_NAMES;

/// One distinct error found in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundError {
    pub code: u32,
    /// The service's message after `AADSTSnnnn:`, when the text carries one.
    pub message: Option<String>,
    /// How many times this error appears.
    pub count: usize,
    /// How the code was recognised: `AADSTS prefix`, `error_codes`, `labelled code`.
    pub found_by: &'static str,
    /// The OAuth `error` value (`invalid_grant` …), when present.
    pub oauth_error: Option<String>,
    pub suberror: Option<String>,
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
    pub request_id: Option<String>,
    /// RFC 3339, UTC.
    pub timestamp: Option<String>,
    /// Values named by the message and its surroundings, keyed by [`VALUE_NAMES`].
    pub values: BTreeMap<&'static str, String>,
    /// Correlation ids of repeats of the same error, beyond the first.
    pub other_correlation_ids: Vec<String>,
    /// How many times the code is only mentioned again (`AADSTS50076` in a sentence, with
    /// no message and no ids of its own) beside this error: mentions are not errors.
    pub mentions: usize,
    /// The grant or flow the text reveals (`on-behalf-of`, `password`, `device-code`,
    /// `client-credentials`, `authorization-code`; see `FLOWS` in the knowledge base).
    pub flow: Option<&'static str>,
    /// Values the text carries that cannot be right: placeholders and malformed URIs. They
    /// are not in `values`, so no step is tailored with them.
    pub suspect_values: Vec<Suspect>,
}

/// The result of reading one text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extraction {
    pub input_bytes: usize,
    /// Decodings applied before searching (`ansi`, `html-entities`, `json-escapes`,
    /// `percent-encoding`, `console-wrap`).
    pub decoded: Vec<&'static str>,
    pub errors: Vec<FoundError>,
}

/// Finds every error in `input` (any bytes; invalid UTF-8 is replaced).
pub fn extract(input: &[u8]) -> Extraction {
    match extract_inner(input, None) {
        Ok(x) => x,
        Err(TimedOut) => unreachable!("no deadline was given"),
    }
}

/// Extraction stopped because its deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut;

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the text took too long to read")
    }
}

impl std::error::Error for TimedOut {}

/// [`extract`] that gives up once `deadline` has passed (checked between the decoding
/// steps and every few codes), for callers that must answer in time, like the web server.
pub fn extract_until(input: &[u8], deadline: Instant) -> Result<Extraction, TimedOut> {
    extract_inner(input, Some(deadline))
}

/// How many codes are read between two looks at the clock.
const CODES_PER_CLOCK_CHECK: usize = 64;

fn extract_inner(input: &[u8], deadline: Option<Instant>) -> Result<Extraction, TimedOut> {
    let check = || match deadline {
        Some(d) if Instant::now() >= d => Err(TimedOut),
        _ => Ok(()),
    };
    check()?;
    // The check alone (word at a time over ASCII) is several times faster than the lossy
    // decoder's walk, and input is almost always valid.
    let text = match std::str::from_utf8(input) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => String::from_utf8_lossy(input),
    };
    let marks = decode::Marks::of(&text);
    if !may_hold_error_marked(&text, marks) {
        return Ok(Extraction {
            input_bytes: input.len(),
            decoded: Vec::new(),
            errors: Vec::new(),
        });
    }
    let (decoded, applied) = decode::decode_cow(&text, marks);
    let d = decoded.as_ref();
    check()?;
    let all = fields::find_codes(d);
    check()?;
    // An unprefixed code next to the same code with its `AADSTS` message (the
    // `error_codes` array of the response that carries it) is the same error, not a repeat.
    let mut prefixed_at: std::collections::HashMap<u32, Vec<usize>> = Default::default();
    for o in all.iter().filter(|o| o.prefixed) {
        prefixed_at.entry(o.code).or_default().push(o.start);
    }
    for starts in prefixed_at.values_mut() {
        starts.sort_unstable();
    }
    let near_twin = |o: &fields::Occurrence| {
        prefixed_at.get(&o.code).is_some_and(|starts| {
            let i = starts.partition_point(|&s| s < o.start);
            let close = |j: usize| {
                starts
                    .get(j)
                    .is_some_and(|&s| s.abs_diff(o.start) <= COMPANION_DISTANCE)
            };
            close(i) || (i > 0 && close(i - 1))
        })
    };
    let occurrences: Vec<fields::Occurrence> = all
        .iter()
        .filter(|o| o.prefixed || !near_twin(o))
        .cloned()
        .collect();
    let n = occurrences.len();
    // Each occurrence owns the text between its neighbours: context between two errors
    // goes to both, and repeats of one error merge what each of them found.
    let prev_end: Vec<usize> = (0..n)
        .map(|i| if i == 0 { 0 } else { occurrences[i - 1].end })
        .collect();
    let next_start: Vec<usize> = (0..n)
        .map(|i| occurrences.get(i + 1).map_or(d.len(), |o| o.start))
        .collect();
    let mut errors: Vec<FoundError> = Vec::new();
    // Per error: whether every occurrence so far was a mere mention.
    let mut only_mentions: Vec<bool> = Vec::new();
    let mut keys: std::collections::HashMap<(u32, String), usize> =
        std::collections::HashMap::new();
    // Per error, the correlation ids it holds: a log of thousands of repeats asked the list
    // whether it held each new id, a cost quadratic in the repeats.
    let mut correlations: Vec<std::collections::HashSet<String>> = Vec::new();
    for (i, occ) in occurrences.iter().enumerate() {
        if i % CODES_PER_CLOCK_CHECK == CODES_PER_CLOCK_CHECK - 1 {
            check()?;
        }
        let start = prev_end[i].min(occ.start);
        let end = next_start[i].max(occ.end);
        // A region is bounded so that one error in a huge log does not scan all of it.
        let lo = start.max(occ.start.saturating_sub(REGION_LIMIT));
        let hi = end.min(occ.end + REGION_LIMIT);
        let region_start = floor_char(d, lo);
        let region = &d[region_start..ceil_char(d, hi)];
        let message = fields::message_of(occ, d);
        let mention = message.is_none() && fields::is_mention(occ, d);
        let key = (occ.code, fields::key_of(message.as_deref()));
        // Repeats beyond the first few add only their correlation id: reading every value
        // of the ten-thousandth copy of an error finds nothing new and costs the most.
        if let Some(&idx) = keys.get(&key) {
            if errors[idx].count >= FULL_READS {
                only_mentions[idx] &= mention;
                let existing = &mut errors[idx];
                existing.count += 1;
                if let Some(c) = fields::correlation_only(region, occ.start - region_start) {
                    if existing.correlation_id.as_ref() != Some(&c)
                        && correlations[idx].insert(c.clone())
                    {
                        existing.other_correlation_ids.push(c);
                    }
                }
                continue;
            }
        }
        let mut found = fields::describe(occ, region, occ.start - region_start, d);
        match keys.get(&key) {
            Some(&idx) => {
                only_mentions[idx] &= mention;
                let existing = &mut errors[idx];
                existing.count += 1;
                if let Some(c) = found.correlation_id.take() {
                    if existing.correlation_id.as_ref() != Some(&c)
                        && correlations[idx].insert(c.clone())
                    {
                        existing.other_correlation_ids.push(c);
                    }
                }
                // Fill gaps from later repeats.
                for (k, v) in found.values {
                    existing.values.entry(k).or_insert(v);
                }
                macro_rules! fill {
                    ($f:ident) => {
                        if existing.$f.is_none() {
                            existing.$f = found.$f.take();
                        }
                    };
                }
                fill!(message);
                fill!(trace_id);
                fill!(request_id);
                fill!(timestamp);
                fill!(oauth_error);
                fill!(suberror);
                fill!(flow);
                if existing.suspect_values.is_empty() {
                    existing.suspect_values = found.suspect_values;
                }
            }
            None => {
                keys.insert(key, errors.len());
                errors.push(found);
                only_mentions.push(mention);
                correlations.push(Default::default());
            }
        }
    }
    merge_mentions(&mut errors, &only_mentions);
    Ok(Extraction {
        input_bytes: input.len(),
        decoded: applied,
        errors,
    })
}

/// Words without which no code is found ([`fields::find_codes`]: `AADSTS`, `error_codes`,
/// `error code`, `ResultType`), the URL parameters whose values get percent-decoded, and
/// `ſ`, which `(?i)s` matches. ASCII case is ignored, as the searches ignore it.
static TRIGGERS: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new(
        r"(?i-u)aadsts|error ?code|error_code|result ?type|error=|error_description=|error_uri=|error_subcode=|trace_id=|correlation_id=|timestamp=|redirect_uri=|client_id=|scope=|\xC5\xBF",
    )
    .expect("valid pattern")
});

/// `false` when `text` cannot hold an error, decided without decoding it: most of a large
/// log has no code, and decoding every byte cost more than searching the codes. Conservative:
/// a byte that starts a decoding (NUL, ESC, `&`, `\\`) or a text a console may have wrapped
/// (three lines of the longest length, 60 characters or more: a trigger word could be cut
/// across a line end) is read in full. Otherwise the decoded text is the text itself, and
/// every code search needs one of [`TRIGGERS`] in it.
#[cfg(test)]
fn may_hold_error(text: &str) -> bool {
    may_hold_error_marked(text, decode::Marks::of(text))
}

/// [`may_hold_error`], given the bytes `text` holds.
fn may_hold_error_marked(text: &str, marks: decode::Marks) -> bool {
    let b = text.as_bytes();
    if marks.decodable {
        return true;
    }
    if TRIGGERS.is_match(b) {
        return true;
    }
    decode::LineStats::of(text).may_be_wrapped()
}

/// Folds each error made only of mentions of a code (`…handle AADSTS50076` in a reporter's
/// sentence) into a real error of the same code found elsewhere in the text, as mentions:
/// the text quotes one error and talks about it, it does not show two.
fn merge_mentions(errors: &mut Vec<FoundError>, only_mentions: &[bool]) {
    let mut drop = vec![false; errors.len()];
    for i in 0..errors.len() {
        if !only_mentions[i] {
            continue;
        }
        let code = errors[i].code;
        let target =
            (0..errors.len()).find(|&j| j != i && !only_mentions[j] && errors[j].code == code);
        if let Some(j) = target {
            errors[j].mentions += errors[i].count + errors[i].mentions;
            drop[i] = true;
        }
    }
    let mut k = 0;
    errors.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
}

/// How many copies of one error are read in full before later ones only count.
const FULL_READS: usize = 4;

/// How close an unprefixed code must be to its prefixed twin to be the same error.
const COMPANION_DISTANCE: usize = 4096;

/// How far around a code its context is read, in bytes.
const REGION_LIMIT: usize = 16 * 1024;

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Fills `{placeholders}` in a Markdown template with extracted values; `None` if one is
/// missing.
///
/// Values come from pasted text and are data, never Markdown: a value inside a code span of
/// the template stays inside it (the span's backtick fence is made longer than any run of
/// backticks the value brings), and a value in running text has its punctuation
/// backslash-escaped. Either way the renderer shows the value as it was pasted, and a
/// redirect URI such as ``https://x`[Repair](https://evil.example/fix)`` cannot close the
/// span and become a live link (issue 22).
pub fn fill_template(template: &str, values: &BTreeMap<&'static str, String>) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    for segment in code_spans(template) {
        match segment {
            Segment::Text(t) => out.push_str(&fill_raw(t, values, markdown_text)?),
            Segment::Code(content) => {
                let filled = fill_raw(content, values, |v| plain_line(v).into_owned())?;
                out.push_str(&markdown_code(&filled));
            }
        }
    }
    Some(out)
}

/// Replaces each `{name}` in `text` with `escape(value)`.
fn fill_raw(
    text: &str,
    values: &BTreeMap<&'static str, String>,
    escape: impl Fn(&str) -> String,
) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let key = &after[..close];
        out.push_str(&escape(values.get(key)?));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

enum Segment<'a> {
    /// Markdown text outside code spans.
    Text(&'a str),
    /// The content between a code span's fences.
    Code(&'a str),
}

/// Cuts a Markdown line into running text and code spans, as CommonMark reads them: a run of
/// `n` backticks opens a span that the next run of exactly `n` closes; a run without a
/// closer, and a backslash-escaped backtick outside a span, are literal text.
fn code_spans(md: &str) -> Vec<Segment<'_>> {
    let b = md.as_bytes();
    let run_at = |i: usize| b[i..].iter().take_while(|&&c| c == b'`').count();
    let mut out = Vec::new();
    let (mut text_start, mut i) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'\\' if i + 1 < b.len() && b[i + 1].is_ascii_punctuation() => i += 2,
            b'`' => {
                let n = run_at(i);
                let mut j = i + n;
                let mut close = None;
                while j < b.len() {
                    if b[j] == b'`' {
                        let m = run_at(j);
                        if m == n {
                            close = Some(j);
                            break;
                        }
                        j += m;
                    } else {
                        j += 1;
                    }
                }
                match close {
                    Some(j) => {
                        if text_start < i {
                            out.push(Segment::Text(&md[text_start..i]));
                        }
                        out.push(Segment::Code(&md[i + n..j]));
                        i = j + n;
                        text_start = i;
                    }
                    None => i += n,
                }
            }
            _ => i += 1,
        }
    }
    if text_start < b.len() {
        out.push(Segment::Text(&md[text_start..]));
    }
    out
}

/// A value on one line: control characters (line breaks, tabs, escape sequences) become
/// spaces, so that a value can neither start a new Markdown block nor end a paragraph.
fn plain_line(v: &str) -> std::borrow::Cow<'_, str> {
    if v.chars().any(char::is_control) {
        v.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .into()
    } else {
        v.into()
    }
}

/// A value as Markdown running text that renders as exactly that text: ASCII punctuation is
/// backslash-escaped (so no emphasis, link, autolink, HTML, entity or code span can start in
/// it, nor a list or heading at the start of a line), and control characters become spaces.
/// Punctuation that starts nothing in the middle of a line is left alone, so that URLs and
/// times stay readable in Markdown and JSON output.
pub fn markdown_text(v: &str) -> String {
    let v = plain_line(v);
    let mut out = String::with_capacity(v.len() + 8);
    for (i, c) in v.chars().enumerate() {
        let inert = matches!(
            c,
            ':' | '/' | ',' | ';' | '?' | '@' | '%' | '=' | '\'' | '"'
        ) || (i > 0 && matches!(c, '-' | '.'));
        if c.is_ascii_punctuation() && !inert {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A value as a Markdown code span that shows exactly that value: the fence is one backtick
/// longer than the longest run of backticks inside, padded with a space when the value
/// starts or ends with a backtick (CommonMark strips one space on each side then), and
/// control characters become spaces.
pub fn markdown_code(v: &str) -> String {
    let v = plain_line(v);
    let (mut longest, mut run) = (0, 0);
    for c in v.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if v.starts_with('`')
        || v.ends_with('`')
        || (v.starts_with(' ') && v.ends_with(' ') && !v.trim().is_empty())
    {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{v}{pad}{fence}")
}

#[cfg(test)]
mod tests;
