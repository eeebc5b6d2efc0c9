//! Codes and the values around them.

use crate::clues::{self, Suspect};
use crate::gate::{Gated, Present};
use crate::FoundError;
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// One place a code was found.
#[derive(Debug, Clone)]
pub struct Occurrence {
    pub code: u32,
    pub start: usize,
    pub end: usize,
    pub found_by: &'static str,
    /// Whether the occurrence is `AADSTSnnnn` (a message usually follows).
    pub prefixed: bool,
}

macro_rules! re {
    ($name:ident, $pat:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| Regex::new($pat).expect("valid pattern"));
    };
}

/// A search that runs only where one of its words occurs ([`crate::gate`]).
macro_rules! gated {
    ($name:ident, $words:expr, $pat:expr) => {
        static $name: LazyLock<Gated> = LazyLock::new(|| Gated::new($words, $pat));
    };
}

const GUID: &str = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

// Also `code` and `type`, which the labelled searches below need: one pass finds both.
// No match of one alternative can overlap a match of another (`AADSTS` + digits holds
// neither word, and neither word ends with an `a`), so each is found where it would be
// alone.
re!(PREFIXED, r"(?i)AADSTS\d+|code|type");
// Lists of codes: "error_codes": [50126, 50053] / 'error_codes': [50126] / error_codes=[50126]
re!(
    CODE_LIST,
    r#"(?i)error_?codes["']?\s*[:=]\s*\[\s*([\d,\s]+)\]"#
);
// Labelled single codes: Sign-in error code: 50126 / Error Code: 50105 / ResultType: 50126 /
// "errorCode": 50053 / resultType="50126"
re!(
    LABELLED,
    r#"(?i)\b(sign-?in error code|error ?code|resulttype|result type)["']?\s*[:=]\s*["']?(\d{4,9})\b"#
);

/// Every code occurrence, in order of position.
pub fn find_codes(text: &str) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let mut label_words = false;
    for m in PREFIXED.find_iter(text) {
        // `code` or `type` (a code is `AADSTS` and at least one digit).
        if m.len() == 4 {
            label_words = true;
            continue;
        }
        // The digits are what follows the letters of `AADSTS` (ASCII, or `ſ`, which `(?i)s`
        // matches; no digit is either): the capture group without the cost of captures.
        let digits = m
            .as_str()
            .trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '\u{17f}');
        // More than nine digits is not a code (and would not fit one).
        if digits.len() > 9 {
            continue;
        }
        if let Ok(code) = digits.parse() {
            out.push(Occurrence {
                code,
                start: m.start(),
                end: m.end(),
                found_by: "AADSTS prefix",
                prefixed: true,
            });
        }
    }
    // Both searches below need `code` (every one of their labels has it) or `type`
    // (`result type`), and none of these letters has a non-ASCII case variant, so a text
    // without them is not searched: on a log whose every failure says `ERROR`, the labels'
    // shared start kept both searches busy on each line.
    if !label_words {
        out.sort_by_key(|o| (o.start, !o.prefixed));
        return out;
    }
    for c in CODE_LIST.captures_iter(text) {
        let list = c.get(1).expect("group");
        let mut offset = list.start();
        for part in list.as_str().split(',') {
            let t = part.trim();
            if !t.is_empty() && t.len() <= 9 {
                if let Ok(code) = t.parse() {
                    out.push(Occurrence {
                        code,
                        start: offset,
                        end: offset + part.len(),
                        found_by: "error_codes",
                        prefixed: false,
                    });
                }
            }
            offset += part.len() + 1;
        }
    }
    for c in LABELLED.captures_iter(text) {
        let g = c.get(2).expect("group");
        if let Ok(code) = g.as_str().parse() {
            out.push(Occurrence {
                code,
                start: g.start(),
                end: g.end(),
                found_by: "labelled code",
                prefixed: false,
            });
        }
    }
    out.sort_by_key(|o| (o.start, !o.prefixed));
    out
}

gated!(
    TRACE,
    &["trace"],
    &format!(r#"(?i)trace[ _-]?id["']?\s*[:=]\s*["']?({GUID})"#)
);
re!(
    CORRELATION,
    &format!(r#"(?i)(?:correlation[ _-]?id|client-request-id)["']?\s*[:=]\s*["']?({GUID})"#)
);
gated!(
    REQUEST,
    &["request"],
    &format!(r#"(?i)(?:request[ _-]?id|x-ms-request-id)["']?\s*[:=]\s*["']?({GUID})"#)
);
gated!(
    TIMESTAMP,
    &["stamp"],
    r#"(?i)time ?stamp["']?\s*[:=]\s*["']?(\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?|\d{1,2}/\d{1,2}/\d{4},? \d{1,2}:\d{2}:\d{2}(?:\.\d+)? ?(?:[AP]M)?)"#
);
gated!(
    OAUTH_ERROR,
    &["_"],
    r"\b(invalid_request|invalid_grant|unauthorized_client|invalid_client|unsupported_grant_type|invalid_resource|interaction_required|temporarily_unavailable|access_denied|invalid_scope|consent_required|login_required|server_error|unsupported_response_type|authorization_pending|expired_token|slow_down)\b"
);
gated!(
    SUBERROR,
    &["sub"],
    r#"(?i)sub_?error["']?\s*[:=]\s*["']?([a-z_]{3,40})"#
);
gated!(
    ERROR_URI,
    &["https://login."],
    r"https://login\.(?:microsoftonline|partner\.microsoftonline|microsoftonline\.us)\.(?:com|cn|us)/error\?code=\d+"
);
gated!(
    CLAIMS,
    &["claims"],
    r#"(?i)["']?claims["']?\s*[:=]\s*["']?(\{"[a-z_]+"\s*:\s*\{.{0,600}?\}\s*\})"#
);
// Microsoft's trailer in any language: "<label>: <guid> <label>: <guid> <label>: <time>".
re!(
    TRAILER,
    &format!(
        r"({GUID})\s+[^:\n]{{1,40}}:\s*({GUID})\s+[^:\n]{{1,40}}:\s*(\d{{4}}-\d{{2}}-\d{{2}}[ T]\d{{2}}:\d{{2}}:\d{{2}}(?:\.\d+)?Z?)"
    )
);
gated!(
    HTTP_STATUS,
    &["status"],
    r"(?i)\b(?:status ?code|http status|statuscode)\s*[:=]?\s*(\d{3})\b"
);

/// Patterns for message values: (value name, pattern with the value in group 1).
static VALUE_PATTERNS: LazyLock<Vec<(&'static str, Gated)>> = LazyLock::new(|| {
    value_pattern_sources()
        .into_iter()
        .map(|(n, w, p)| (n, Gated::new(w, p)))
        .collect()
});

fn value_pattern_sources() -> Vec<(&'static str, &'static [&'static str], String)> {
    let g = GUID;
    vec![
        // "The application 'Contoso HR'(<guid>)" — name and id together are handled below.
        ("app_id", &["with identifier"], format!(r"(?i)application with identifier '({g})'")),
        ("app_id", &["for the application '"], format!(r"(?i)for the application '({g})'")),
        ("app_id", &["app"], format!(r"(?i)\bapp(?:lication)?(?: id| identifier)?\s*[:=]?\s*'({g})'")),
        ("app_id", &["app", "client"], format!(r#"(?i)(?:\bapp ?id|client[ _]?id|application \(client\) id|application id)["']?\s*[:=]\s*["']?({g})"#)),
        ("app_id", &["client app"], format!(r"(?i)client app(?:lication)? ({g})")),
        ("app_name", &["app name", "application name"], r"(?im)^\s*app(?:lication)? name\s*:\s*(.+?)\s*$".to_string()),
        ("app_name", &["the app"], format!(r"(?i)the (?:app|application) '([^'\n]{{1,120}})'\s*\(\s*{g}\s*\)")),
        // "configured the application Contoso Expenses ('<guid>')" (50105 and relatives).
        ("app_name", &["the application"], format!(r"(?i)the application ([^'(\n]{{1,120}}?) \('{g}'\)")),
        ("app_id", &["the application"], format!(r"(?i)the application [^'(\n]{{1,120}}? \('({g})'\)")),
        ("app_id", &["the app"], format!(r"(?i)the (?:app|application) '[^'\n]{{1,120}}'\s*\(\s*({g})\s*\)")),
        ("tenant", &["directory", "tenant"], r"(?i)(?:in the directory|in the tenant|tenant named|tenant identifier|in tenant|the tenant|directory) '?([A-Za-z0-9][A-Za-z0-9.-]{2,}\.[A-Za-z]{2,}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})'?".to_string()),
        ("tenant", &["directory", "tenant"], r"(?i)\b(?:in the directory|tenant named) '([^'\n]{1,100})'".to_string()),
        ("tenant", &["tenant"], r"(?i)\btenant '([^'\n]{1,100})' not found".to_string()),
        ("tenant", &["login.microsoftonline."], format!(r"(?i)login\.microsoftonline\.(?:com|us)/({g}|[A-Za-z0-9-]+\.[A-Za-z0-9.-]+)/(?:oauth2|saml2|wsfed|v2\.0)")),
        ("tenant", &["tenant"], format!(r#"(?i)tenant ?id["']?\s*[:=]\s*["']?({g})"#)),
        ("resource", &["resource principal"], r"(?i)resource principal named (\S+?)[.,]?(?:\s|$)".to_string()),
        ("resource", &["resource '"], r"(?i)\bresource '([^'\n]{1,200})'".to_string()),
        ("resource", &["resource="], r#"(?i)[?&]resource=([^&\s"']+)"#.to_string()),
        ("scope", &["the provided value for"], r"(?i)the provided value for (?:the input parameter )?'?scope'? '?(.+?)'? is not valid".to_string()),
        ("scope", &["scope '", "scopes '"], r"(?i)\bscopes? '([^'\n]{1,300})'".to_string()),
        ("scope", &["scope="], r#"(?i)[?&]scope=([^&\s"']+)"#.to_string()),
        ("redirect_uri", &["redirect", "reply"], r"(?i)(?:redirect uri|reply url|reply address|redirect_uri)\s*'([^'\n]{1,500})'".to_string()),
        ("redirect_uri", &["redirect_uri="], r#"(?i)[?&]redirect_uri=([^&\s"']+)"#.to_string()),
        ("user", &["user account"], r"(?i)user account '([^'\n]{1,200})'".to_string()),
        ("user", &["user '"], r"(?i)\b(?:the|signed[- ]in) user '([^'\n]{1,200})'".to_string()),
        ("user", &["user account"], r"(?i)user account ([^\s@']+@[^\s']+?) does not exist".to_string()),
        ("user", &["user", "signed in as", "upn"], r"(?im)^\s*(?:user|signed in as|upn|user principal name)\s*:\s*([^\s@]+@[^\s]+)\s*$".to_string()),
        ("identity_provider", &["identity provider"], r"(?i)identity provider '([^'\n]{1,300})'".to_string()),
        ("policy", &["policy '"], r"(?i)\bpolicy '([^'\n]{1,200})'".to_string()),
        ("thumbprint", &["thumbprint"], r"(?i)thumbprint(?: of key used by client)?\s*[:=]?\s*'?([0-9A-F]{40})\b".to_string()),
        ("key_id", &["key id"], format!(r"(?i)key id(?:entifier)?\s*[:=]?\s*'?({g})'?")),
        ("issued_on", &["issued on"], r"(?i)issued on (\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?)".to_string()),
        ("expires_on", &["expir"], r"(?i)(?:expired|expires|expiry|expiration)(?: on| at| date)?\s*:?\s*'?(\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?)".to_string()),
        ("ip_address", &["ip address"], r"(?im)^\s*ip address\s*:\s*(\S+)\s*$".to_string()),
        ("device_id", &["device identifier"], r"(?im)^\s*device identifier\s*:\s*(\S+)\s*$".to_string()),
        ("device_platform", &["device platform"], r"(?im)^\s*device platform\s*:\s*(.+?)\s*$".to_string()),
        ("device_state", &["device state"], r"(?im)^\s*device state\s*:\s*(.+?)\s*$".to_string()),
    ]
}

#[cfg(test)]
fn first(re: &Regex, text: &str) -> Option<String> {
    re.captures(text)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().trim().to_string())
}

/// [`first`] of a gated search.
fn gated_first(g: &Gated, present: Present, text: &str) -> Option<String> {
    g.captures(present, text)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().trim().to_string())
}

fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// How many characters of a message are kept.
const MESSAGE_CHARS: usize = 600;

/// Where a message ends when the ids or the JSON around it follow on the same line.
const MESSAGE_STOPS: [&str; 10] = [
    " Trace ID",
    " Trace Id",
    " Correlation ID",
    " Correlation Id",
    " Timestamp:",
    "\",",
    "\"}",
    "',",
    "'}",
    " (Trace ID",
];

/// The message after `AADSTSnnnn:`, up to the end of its line or the ids that follow it.
///
/// Only a code followed by a colon carries a message (`AADSTS50076: Due to …`): a code in
/// running prose (`looking for guidance to handle AADSTS50076.`) has none, and the sentence
/// around it is not quoted as if it were the service's. The message stops at the ids that
/// follow it in any language (`Trace ID: <guid>`, `Ablaufverfolgungs-ID: <guid>`), at the
/// closing quote when the code was quoted (`"AADSTS…: ….".`, `„AADSTS…: …“`, `` `AADSTS…` ``),
/// and goes on over a line break a console put in the middle of a sentence.
///
/// Only the first [`MESSAGE_CHARS`] characters (and room for a stop after them) are read:
/// reading the whole rest of the line for every code on it made extraction quadratic (a
/// 1 MiB line of `AADSTS50126 ` took minutes).
fn message_after(text: &str, start: usize, end: usize) -> Option<String> {
    // The run of separators skipped here ends where the next code could start, so each
    // byte is skipped for at most one code.
    let rest = text[end..].trim_start_matches([' ', '\t']);
    let rest = rest
        .strip_prefix(':')
        .or_else(|| rest.strip_prefix('：'))?
        .trim_start_matches([' ', '\t']);
    let longest_stop = MESSAGE_STOPS.iter().map(|s| s.len()).max().unwrap_or(0);
    let window = char_offset(rest, MESSAGE_CHARS + longest_stop);
    let line = continued_line(&rest[..window], line_width_before(text, end));
    let line: &str = &line;
    // The earliest stop ends the message (no stop overlaps another, so this is the same
    // as cutting at each stop in turn). Every stop starts with an ASCII byte, so each
    // candidate position is a character boundary.
    let bytes = line.as_bytes();
    let mut cut = memchr::memchr3_iter(b' ', b'"', b'\'', bytes)
        .find(|&i| {
            // The byte after names the few stops that can start here.
            matches!(bytes.get(i + 1), Some(b'T' | b'C' | b'(' | b',' | b'}'))
                && MESSAGE_STOPS
                    .iter()
                    .any(|s| bytes[i..].starts_with(s.as_bytes()))
        })
        .unwrap_or(bytes.len());
    // Markup around a message in HTML or SAML XML: no message holds a closing tag.
    if let Some(i) = crate::gate::find_short(&bytes[..cut], b"</") {
        cut = i;
    }
    // Localised id labels: "<label>: <guid>" after the last sentence of the message.
    if let Some(i) = id_label(&line[..cut]) {
        cut = i;
    }
    if let Some(close) = closing_quote(text, start, &line[..cut]) {
        cut = close;
    }
    let msg = line[..cut].trim().trim_end_matches(['"', '\'', ',', '`']);
    let kept = char_offset(msg, MESSAGE_CHARS);
    (!msg.is_empty()).then(|| msg[..kept].to_string())
}

// "Trace ID: <guid>" in any language: a label without a sentence end in it, a colon, a GUID.
re!(
    ID_LABEL,
    &format!(r"\s[^\s:.,;'\x22][^:.;'\x22\n]{{0,39}}:\s*\(?{GUID}")
);

/// Where [`ID_LABEL`] first matches in `s`. Its colon is required: most messages have none,
/// and a look for one byte costs far less than the search.
fn id_label(s: &str) -> Option<usize> {
    memchr::memchr(b':', s.as_bytes())?;
    ID_LABEL.find(s).map(|m| m.start())
}

/// The byte offset of character `n` of `s` (its length when it has no more), as
/// `char_indices().nth(n)` gives it; ASCII text, the usual case, needs no walk.
fn char_offset(s: &str, n: usize) -> usize {
    let b = s.as_bytes();
    if b[..b.len().min(n)].is_ascii() {
        return b.len().min(n);
    }
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// The length of the line `end` is on, up to `end` (at most a few hundred bytes are read:
/// beyond that, the line is long and was certainly not wrapped by a narrow console).
fn line_width_before(text: &str, end: usize) -> usize {
    let lo = end.saturating_sub(400);
    let b = &text.as_bytes()[lo..end];
    match memchr::memrchr(b'\n', b) {
        Some(i) => b.len() - i - 1,
        None if lo > 0 => b.len() + 400,
        None => b.len(),
    }
}

/// The first line of `rest`, continued over line breaks that fall in the middle of a
/// sentence (a console wrapping a long message, a reporter's editor breaking a quote):
/// while a line does not end a sentence and the next one does not start a new record
/// (a label, a log prefix, a stack frame), the next is joined — without a space when the
/// break cut a word at a console's width, with one otherwise. At most three lines.
fn continued_line(rest: &str, width_before: usize) -> std::borrow::Cow<'_, str> {
    let mut lines = NewlineSplit(Some(rest)).map(|l| l.trim_end_matches('\r'));
    let first_line = lines.next().unwrap_or("");
    // Borrowed until a line is joined (most messages end on their line).
    let mut out = std::borrow::Cow::Borrowed(first_line);
    // The width of the line last joined, counted when it is needed.
    let mut width = None;
    for _ in 0..2 {
        let t = out.trim_end();
        let ended = t.is_empty()
            || t.ends_with([
                '.', '!', '?', '"', '\'', '`', '”', '“', '»', '«', '’', ')', ']', '}', ':',
            ])
            || MESSAGE_STOPS.iter().any(|s| t.contains(s))
            || id_label(t).is_some();
        let Some(next) = lines.clone().next() else {
            break;
        };
        if ended || !continues_sentence(next) {
            break;
        }
        lines.next();
        // A console cuts at its width, in the middle of a word as often as not; only a
        // fragment too short to be a word ("… or c" + "onsented") is taken for one, since a
        // line that ends in a whole word ("… in the" + "request") is far more common.
        let last = out
            .rsplit(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or("");
        let width_now = width.unwrap_or_else(|| width_before + first_line.chars().count());
        let cut_word = width_now >= 60
            && !out.ends_with([' ', '\t'])
            && next.starts_with(|c: char| c.is_lowercase())
            && (1..=2).contains(&last.chars().count())
            && !SHORT_WORDS.contains(&last.to_lowercase().as_str());
        let out = out.to_mut();
        if !cut_word {
            out.truncate(out.trim_end().len());
            out.push(' ');
        }
        out.push_str(next.trim_end());
        width = Some(next.chars().count());
    }
    out
}

/// `str::split('\n')` with `memchr` (the generic char search cost more on each message).
#[derive(Clone)]
struct NewlineSplit<'a>(Option<&'a str>);

impl<'a> Iterator for NewlineSplit<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let rest = self.0?;
        match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => {
                self.0 = Some(&rest[i + 1..]);
                Some(&rest[..i])
            }
            None => {
                self.0 = None;
                Some(rest)
            }
        }
    }
}

/// Words of one or two letters that end a line as whole words (English, German, French).
const SHORT_WORDS: [&str; 30] = [
    "a", "an", "as", "at", "be", "by", "do", "if", "in", "is", "it", "me", "my", "no", "of", "on",
    "or", "so", "to", "up", "us", "we", "da", "du", "er", "es", "ob", "zu", "de", "la",
];

/// Whether a line can be the rest of a sentence begun on the line before it.
fn continues_sentence(line: &str) -> bool {
    static NEW_RECORD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:$|[-+*#>|\[{<]|\d|at\s|(?:[A-Za-z][\w .-]{0,30})\s?:\s)")
            .expect("valid")
    });
    !NEW_RECORD.is_match(line)
}

/// Where the message ends when the code was quoted: the quote that closes the one just
/// before the code (`"`, a backtick, `„…“`, `“…”`, `«…»`, `‘…’`). A straight double quote
/// closes only when followed by a space, punctuation or the end, so that a message quoting
/// a value in double quotes is not cut there.
fn closing_quote(text: &str, start: usize, msg: &str) -> Option<usize> {
    let before = text[..start].trim_end_matches([' ', '\t']);
    let open = before.chars().next_back()?;
    // (closer, an opener of the same kind inside the message, which nests)
    let (close, inner) = match open {
        '"' => ('"', None),
        '`' => ('`', None),
        '„' => ('“', Some('„')),
        '“' => ('”', Some('“')),
        '«' => ('»', Some('«')),
        '»' => ('«', Some('»')),
        '‘' | '‚' => ('’', None),
        _ => return None,
    };
    let mut depth = 0usize;
    for (i, c) in msg.char_indices() {
        if Some(c) == inner {
            depth += 1;
        } else if c == close || (open == '„' && c == '”') {
            if depth > 0 {
                depth -= 1;
                continue;
            }
            let after = &msg[i + c.len_utf8()..];
            if close != '"'
                || after.is_empty()
                || after.starts_with(|c: char| c.is_whitespace() || ",.;:)]}".contains(c))
            {
                return Some(i);
            }
        }
    }
    None
}

/// `at` is where the occurrence starts inside `region`: the ids that follow an error belong
/// to it, so they are looked for after it first.
pub fn describe(occ: &Occurrence, region: &str, at: usize, full: &str) -> FoundError {
    let after = region.get(at..).unwrap_or(region);
    // Words found in the region hold for every part of it (`after`, the text before).
    let in_region = Present::of(region);
    let near =
        |g: &Gated| gated_first(g, in_region, after).or_else(|| gated_first(g, in_region, region));
    let message = message_of(occ, full);
    let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut suspect_values: Vec<Suspect> = Vec::new();
    let suspect = |list: &mut Vec<Suspect>,
                   name: &'static str,
                   value: &str,
                   kind: &'static str,
                   reason: &'static str| {
        if !list.iter().any(|s| s.name == name) {
            list.push(Suspect {
                name,
                value: value.to_string(),
                kind,
                reason,
            });
        }
    };
    // The message first: its values are the most specific.
    let mut sources: Vec<(&str, Present)> = Vec::new();
    if let Some(m) = &message {
        sources.push((m, Present::of(m)));
    }
    sources.push((region, in_region));
    for &(src, present) in &sources {
        for (name, re) in VALUE_PATTERNS.iter() {
            if values.contains_key(name) || suspect_values.iter().any(|s| s.name == *name) {
                continue;
            }
            let Some(raw) = re
                .captures(present, src)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str())
            else {
                continue;
            };
            let v = raw
                .trim()
                .trim_end_matches(['.', ',', ';', ')'])
                .to_string();
            // Placeholders and malformed values are the likely cause, never a value to
            // tailor a step with.
            if let Some(why) = clues::placeholder(&v).filter(|_| clues::can_be_placeholder(name)) {
                suspect(&mut suspect_values, name, &v, "placeholder", why);
                continue;
            }
            if clues::is_uri_value(name) {
                if let Some(why) = clues::malformed_uri(raw) {
                    suspect(&mut suspect_values, name, raw, "malformed", why);
                    continue;
                }
            }
            let guid_field = matches!(*name, "app_id" | "key_id");
            if v.is_empty() || (guid_field && !is_guid(&v)) || v.contains("EUII Hidden") {
                continue;
            }
            values.insert(name, v);
        }
    }
    // Where only a placeholder can stand (an identifier that is no GUID, a tenant that is no
    // domain): looked at for placeholders only, in the message and in the text before the
    // error (the command or request that caused it), not in the next error's request.
    let before = region.get(..at).unwrap_or("");
    sources.pop();
    sources.push((before, in_region));
    for &(src, present) in &sources {
        for (name, re) in PLACEHOLDER_PATTERNS.iter() {
            if values.contains_key(name) || suspect_values.iter().any(|s| s.name == *name) {
                continue;
            }
            if let Some(v) = gated_first(re, present, src) {
                if let Some(why) = clues::placeholder(&v) {
                    suspect(&mut suspect_values, name, &v, "placeholder", why);
                }
            }
        }
    }
    if let Some(u) = gated_first(&ERROR_URI, in_region, region).or_else(|| {
        ERROR_URI
            .find(in_region, region)
            .map(|m| m.as_str().to_string())
    }) {
        values.insert("error_uri", u);
    }
    if let Some(c) = gated_first(&CLAIMS, in_region, region) {
        values.insert("claims", c);
    }
    if let Some(s) = gated_first(&HTTP_STATUS, in_region, region) {
        values.insert("http_status", s);
    }
    let mut trace_id = near(&TRACE);
    let mut correlation_id = correlation_in(after)
        .or_else(|| correlation_in(region))
        .map(str::to_string);
    let mut timestamp = near(&TIMESTAMP);
    if trace_id.is_none() || correlation_id.is_none() {
        // Localised labels: fall back to the trailer's shape.
        if let Some(c) = TRAILER.captures(after).or_else(|| TRAILER.captures(region)) {
            trace_id = trace_id.or_else(|| Some(c[1].to_string()));
            correlation_id = correlation_id.or_else(|| Some(c[2].to_string()));
            timestamp = timestamp.or_else(|| Some(c[3].to_string()));
        }
    }
    FoundError {
        code: occ.code,
        message,
        count: 1,
        found_by: occ.found_by,
        oauth_error: gated_first(&OAUTH_ERROR, in_region, region),
        suberror: gated_first(&SUBERROR, in_region, region),
        trace_id: trace_id.map(|g| g.to_lowercase()),
        correlation_id: correlation_id.map(|g| g.to_lowercase()),
        request_id: gated_first(&REQUEST, in_region, region).map(|g| g.to_lowercase()),
        timestamp: timestamp.and_then(|t| normalize_time(&t)),
        values,
        other_correlation_ids: Vec::new(),
        mentions: 0,
        flow: clues::flow_in(after, region, in_region),
        suspect_values,
    }
}

/// Whether a prefixed code without a message is only a mention in prose: nothing on its
/// line says it is an error report (no ids, no `error_codes`, no `error_description`).
pub fn is_mention(occ: &Occurrence, full: &str) -> bool {
    if !occ.prefixed {
        return false;
    }
    let lo = floor(full, occ.start.saturating_sub(300));
    let hi = ceil(full, (occ.end + 300).min(full.len()));
    let line_start = full[lo..occ.start].rfind('\n').map_or(lo, |i| lo + i + 1);
    let line_end = full[occ.end..hi].find('\n').map_or(hi, |i| occ.end + i);
    let line = &full[line_start..line_end];
    static CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"(?i){GUID}|error_?codes|error_description|errorcode|resulttype|\binvalid_[a-z]+|\binteraction_required\b"
        ))
        .expect("valid")
    });
    !CONTEXT.is_match(line)
}

fn floor(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Patterns that only a placeholder is taken from: (value name, pattern with the value in
/// group 1).
static PLACEHOLDER_PATTERNS: LazyLock<Vec<(&'static str, Gated)>> = LazyLock::new(|| {
    let pats: [(&str, &[&str], &str); 5] = [
        (
            "app_id",
            &["with identifier"],
            r"(?i)application with identifier '([^'\n]{1,200})'",
        ),
        (
            "app_id",
            &["client", "app"],
            r#"(?i)\b(?:client[ _-]?id|app[ _-]?id)["']?\s*[:=]\s*["']?([^"'&\s,;)]{1,100})"#,
        ),
        (
            "tenant",
            &["tenant identifier"],
            r"(?i)tenant identifier '([^'\n]{1,100})'",
        ),
        (
            "tenant",
            &["login.microsoftonline."],
            r#"(?i)login\.microsoftonline\.(?:com|us)/([^/\s'"]{1,100})/(?:oauth2|v2\.0|saml2|wsfed)"#,
        ),
        (
            "tenant",
            &["tenant"],
            r#"(?i)tenant[ _-]?id["']?\s*[:=]\s*["']?([^"'&\s,;)]{1,100})"#,
        ),
    ];
    pats.into_iter()
        .map(|(n, w, p)| (n, Gated::new(w, p)))
        .collect()
});

/// Two reports are the same error when code and message agree once ids, times and
/// numbers are taken out.
/// The key under which repeats of one error collapse: the message with ids and numbers
/// masked, so that the same error with another trace id or time is a repeat.
pub fn key_of(message: Option<&str>) -> String {
    // By hand rather than with a regex: this runs for every code found, and a regex
    // replacement over each message was most of the time spent on a line full of codes.
    // Same matches as `[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}|\d+`, leftmost first.
    let Some(m) = message else {
        return String::new();
    };
    let b = m.as_bytes();
    let guid_at = |i: usize| {
        b.len() >= i + 36
            && b[i..i + 8].iter().all(u8::is_ascii_hexdigit)
            && b[i + 8] == b'-'
            && b[i + 9..i + 36]
                .iter()
                .all(|c| c.is_ascii_hexdigit() || *c == b'-')
    };
    let mut out = String::with_capacity(m.len());
    let (mut i, mut copied) = (0, 0);
    while i < b.len() {
        // Both a GUID and a number start with a hex digit; most bytes of a message are not.
        if !b[i].is_ascii_hexdigit() {
            i += 1;
            continue;
        }
        let len = if guid_at(i) {
            36
        } else {
            b[i..].iter().take_while(|c| c.is_ascii_digit()).count()
        };
        if len == 0 {
            i += 1;
            continue;
        }
        // Matches are ASCII, so `i` and `i + len` are character boundaries.
        out.push_str(&m[copied..i]);
        out.push('#');
        i += len;
        copied = i;
    }
    out.push_str(&m[copied..]);
    out
}

/// The message of an occurrence (cheap: read before deciding how much else to read).
pub fn message_of(occ: &Occurrence, full: &str) -> Option<String> {
    if occ.prefixed {
        message_after(full, occ.start, occ.end)
    } else {
        None
    }
}

/// For a repeat of an error already read in full: only its correlation id.
pub fn correlation_only(region: &str, at: usize) -> Option<String> {
    let after = region.get(at..).unwrap_or(region);
    correlation_in(after)
        .or_else(|| correlation_in(region))
        .or_else(|| {
            TRAILER
                .captures(after)
                .and_then(|c| c.get(2))
                .map(|m| m.as_str())
        })
        .map(str::to_lowercase)
}

/// The GUID of [`CORRELATION`]'s first match in `text`, as [`first`] gives it, found
/// without the regex: this runs for every repeat of an error, and a regex search with
/// captures cost several times more than the whole match by hand. The pattern reads each
/// byte one way only (no two of its parts can start with the same character), so the first
/// `c` from which it matches is where the regex matches. A text with `ſ`, which `(?i)s`
/// matches, is left to the regex.
pub(crate) fn correlation_in(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    if crate::gate::find_short(b, "\u{17f}".as_bytes()).is_some() {
        return CORRELATION
            .captures(text)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().trim());
    }
    memchr::memchr2_iter(b'c', b'C', b)
        .filter(|&i| matches!(b.get(i + 1), Some(b'o' | b'O' | b'l' | b'L')))
        .find_map(|i| correlation_at(text, i))
}

/// The GUID of a [`CORRELATION`] match that starts at `i`, if one does.
fn correlation_at(text: &str, i: usize) -> Option<&str> {
    let b = text.as_bytes();
    let word = |j: usize, w: &[u8]| {
        b.get(j..j + w.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(w))
    };
    let mut j = if word(i, b"correlation") {
        let j = i + "correlation".len();
        let j = j + usize::from(matches!(b.get(j), Some(b' ' | b'_' | b'-')));
        if !word(j, b"id") {
            return None;
        }
        j + 2
    } else if word(i, b"client-request-id") {
        i + "client-request-id".len()
    } else {
        return None;
    };
    j += usize::from(matches!(b.get(j), Some(b'"' | b'\'')));
    j = skip_whitespace(text, j);
    if !matches!(b.get(j), Some(b':' | b'=')) {
        return None;
    }
    j = skip_whitespace(text, j + 1);
    j += usize::from(matches!(b.get(j), Some(b'"' | b'\'')));
    let guid = text.get(j..j + 36)?;
    is_guid(guid).then_some(guid)
}

/// Where the run of whitespace at `j` ends: `\s` is Unicode's `White_Space`, which
/// `char::is_whitespace` is (a test holds the two to each other).
fn skip_whitespace(text: &str, mut j: usize) -> usize {
    while let Some(c) = text[j..].chars().next().filter(|c| c.is_whitespace()) {
        j += c.len_utf8();
    }
    j
}

/// Normalises the time formats the service and its clients print to RFC 3339 UTC
/// (`2024-05-01T10:00:00Z`, fractional seconds kept). Times without a zone are the
/// service's, which always prints UTC.
pub fn normalize_time(t: &str) -> Option<String> {
    static ISO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$").expect("valid")
    });
    static US: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(\d{1,2})/(\d{1,2})/(\d{4}),?\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*([AP]M)?$").expect("valid")
    });
    let t = t.trim();
    let num = |c: &regex::Captures, i: usize| -> Option<i64> { c.get(i)?.as_str().parse().ok() };
    let (y, mo, d, mut h, mi, s, frac, offset_min) = if let Some(c) = ISO.captures(t) {
        let offset = match c.get(8).map(|m| m.as_str()) {
            None | Some("Z") | Some("UTC") => 0,
            Some(z) => {
                let z = z.replace(':', "");
                let sign = if z.starts_with('-') { -1 } else { 1 };
                sign * (z[1..3].parse::<i64>().ok()? * 60 + z[3..5].parse::<i64>().ok()?)
            }
        };
        (
            num(&c, 1)?,
            num(&c, 2)?,
            num(&c, 3)?,
            num(&c, 4)?,
            num(&c, 5)?,
            num(&c, 6)?,
            c.get(7).map(|m| m.as_str().to_string()),
            offset,
        )
    } else if let Some(c) = US.captures(t) {
        let mut h = num(&c, 4)?;
        if let Some(ap) = c.get(8) {
            if h == 12 {
                h = 0;
            }
            if ap.as_str().eq_ignore_ascii_case("PM") {
                h += 12;
            }
        }
        (
            num(&c, 3)?,
            num(&c, 1)?,
            num(&c, 2)?,
            h,
            num(&c, 5)?,
            num(&c, 6)?,
            c.get(7).map(|m| m.as_str().to_string()),
            0,
        )
    } else {
        return None;
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    // Apply the offset through days since the epoch.
    let total = days_from_civil(y, mo, d) * 1440 + h * 60 + mi - offset_min;
    let (days, minute) = (total.div_euclid(1440), total.rem_euclid(1440));
    let (y, mo, d) = civil_from_days(days);
    h = minute / 60;
    let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
    Some(format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{:02}:{s:02}{frac}Z",
        minute % 60
    ))
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_normalise_to_utc() {
        assert_eq!(
            normalize_time("2024-05-01 10:00:00Z").unwrap(),
            "2024-05-01T10:00:00Z"
        );
        assert_eq!(
            normalize_time("2024-05-01T10:00:00.1234567Z").unwrap(),
            "2024-05-01T10:00:00.1234567Z"
        );
        assert_eq!(
            normalize_time("2024-05-01T01:30:00+02:00").unwrap(),
            "2024-04-30T23:30:00Z"
        );
        assert_eq!(
            normalize_time("9/19/2023, 1:45:17.287 PM").unwrap(),
            "2023-09-19T13:45:17.287Z"
        );
        assert_eq!(
            normalize_time("12/31/2023 12:05:00 AM").unwrap(),
            "2023-12-31T00:05:00Z"
        );
        assert_eq!(
            normalize_time("2024-02-29 23:59:59 UTC").unwrap(),
            "2024-02-29T23:59:59Z"
        );
        assert!(normalize_time("2024-13-01 10:00:00").is_none());
    }

    #[test]
    fn key_masks_what_the_volatile_pattern_matches() {
        let volatile = Regex::new(r"[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}|\d+").unwrap();
        for m in [
            "",
            "plain",
            "AADSTS50126 again 12 and 0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b.",
            "deadbeef-0000 123abcdef0-1 é9ü 0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5",
            "x0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b-----9",
            "12345678-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert_eq!(key_of(Some(m)), volatile.replace_all(m, "#"), "{m:?}");
        }
        assert_eq!(key_of(None), "");
    }

    #[test]
    fn every_gated_search_needs_one_of_its_words() {
        let mut all: Vec<&Gated> = vec![
            &TRACE,
            &REQUEST,
            &TIMESTAMP,
            &OAUTH_ERROR,
            &SUBERROR,
            &ERROR_URI,
            &CLAIMS,
            &HTTP_STATUS,
        ];
        all.extend(VALUE_PATTERNS.iter().map(|(_, g)| g));
        all.extend(PLACEHOLDER_PATTERNS.iter().map(|(_, g)| g));
        all.extend(clues::FLOW_PATTERNS.iter().map(|(_, g)| g));
        for g in all {
            crate::gate::tests::assert_sound(g);
        }
    }

    #[test]
    fn code_labels_need_code_or_type() {
        // These words have no non-ASCII case variant.
        for w in ["code", "type"] {
            for c in w.chars() {
                assert!(!matches!(c, 's' | 'k'));
            }
        }
        crate::gate::tests::assert_needs(CODE_LIST.as_str(), &["code"]);
        crate::gate::tests::assert_needs(LABELLED.as_str(), &["code", "type"]);
    }

    #[test]
    fn unicode_whitespace_is_what_backslash_s_matches() {
        let re = Regex::new(r"^\s$").unwrap();
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(
                re.is_match(c.encode_utf8(&mut [0; 4])),
                c.is_whitespace(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn message_stops_start_as_the_cut_expects() {
        for s in MESSAGE_STOPS {
            let b = s.as_bytes();
            assert!(matches!(b[0], b' ' | b'"' | b'\''), "{s}");
            assert!(matches!(b[1], b'T' | b'C' | b'(' | b',' | b'}'), "{s}");
        }
    }

    #[test]
    fn newline_split_is_str_split() {
        for s in ["", "\n", "a", "a\n", "\na", "a\nb\n\nc", "é\n\r\n"] {
            let want: Vec<&str> = s.split('\n').collect();
            assert_eq!(NewlineSplit(Some(s)).collect::<Vec<_>>(), want, "{s:?}");
        }
    }

    #[test]
    fn codes_and_label_words_found_in_one_pass() {
        let found = |t: &str| {
            find_codes(t)
                .iter()
                .map(|o| (o.code, o.start, o.found_by))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            found("codeAADSTS50126 typeaad\u{17f}ts7 Error Code: 50053"),
            vec![
                (50126, 4, "AADSTS prefix"),
                (7, 20, "AADSTS prefix"),
                (50053, 41, "labelled code")
            ]
        );
        assert_eq!(found("aadsts1234567890 AADSTS x"), vec![]);
    }

    #[test]
    fn char_offsets() {
        for s in ["", "abc", "é", "aé b", "ééé", "abcdef"] {
            for n in 0..8 {
                let want = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
                assert_eq!(char_offset(s, n), want, "{s:?} {n}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// The correlation id found by hand is the regex's, on texts made of the pattern's
        /// own pieces and their near misses.
        #[test]
        fn correlation_by_hand_is_the_regex_s(
            parts in proptest::collection::vec(proptest::prelude::prop_oneof![
                proptest::prelude::Just("correlation"), proptest::prelude::Just("CorrelatioN"),
                proptest::prelude::Just("correlatio"), proptest::prelude::Just("client-request-id"),
                proptest::prelude::Just("Client-Request-ID"), proptest::prelude::Just("client-reque\u{17f}t-id"),
                proptest::prelude::Just("id"), proptest::prelude::Just("ID"), proptest::prelude::Just("i"),
                proptest::prelude::Just(" "), proptest::prelude::Just("_"), proptest::prelude::Just("-"),
                proptest::prelude::Just("\""), proptest::prelude::Just("'"), proptest::prelude::Just(":"),
                proptest::prelude::Just("="), proptest::prelude::Just("\t"), proptest::prelude::Just("\n"),
                proptest::prelude::Just("\u{a0}"), proptest::prelude::Just("\u{2003}"), proptest::prelude::Just("\u{85}"),
                proptest::prelude::Just("0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"),
                proptest::prelude::Just("0B7E1F2A-3C4D-4E5F-8A9B-0C1D2E3F4A5"),
                proptest::prelude::Just("0b7e1f2a-"), proptest::prelude::Just("3c4d-"),
                proptest::prelude::Just("0c1d2e3f4a5b"), proptest::prelude::Just("é"),
                proptest::prelude::Just("c"), proptest::prelude::Just("x"), proptest::prelude::Just("\u{212a}"),
            ], 0..24)
        ) {
            let text = parts.concat();
            proptest::prop_assert_eq!(correlation_in(&text).map(str::to_string), first(&CORRELATION, &text), "{:?}", text);
        }
    }

    #[test]
    fn correlation_by_hand_examples() {
        for text in [
            "Correlation ID: 0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
            "correlation_id=\"0B7E1F2A-3C4D-4E5F-8A9B-0C1D2E3F4A5B\"",
            "client-request-id:\u{a0}'0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b'",
            "correlationid 0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
            "correlation id : correlation id: 0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5bff",
            "client-reque\u{17f}t-id: 0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
        ] {
            assert_eq!(
                correlation_in(text).map(str::to_string),
                first(&CORRELATION, text),
                "{text:?}"
            );
        }
        assert!(correlation_in("Correlation ID: 0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b").is_some());
    }

    #[test]
    fn guid_check() {
        assert!(is_guid("a1b2c3d4-0000-4000-8000-0123456789ab"));
        assert!(!is_guid("a1b2c3d4-0000-4000-8000-0123456789a"));
        assert!(!is_guid("g1b2c3d4-0000-4000-8000-0123456789ab"));
    }
}
