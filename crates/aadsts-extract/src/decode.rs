//! Undo what tools do to error text before people paste it.

use percent_encoding::percent_decode_str;
use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// Decoded text and the decodings that changed something.
pub struct Decoded {
    pub text: String,
    pub applied: Vec<&'static str>,
}

pub fn decode(input: &str) -> Decoded {
    let (text, applied) = decode_cow(input, Marks::of(input));
    Decoded {
        text: text.into_owned(),
        applied,
    }
}

/// [`decode`] that copies the text only when a decoding changes it (a log of megabytes
/// usually needs none).
pub(crate) fn decode_cow(input: &str, marks: Marks) -> (Cow<'_, str>, Vec<&'static str>) {
    let mut applied = Vec::new();
    if !marks.decodable && !marks.url {
        // No step but the console unwrapping can change this text: each needs its byte.
        return match unwrap_console(input) {
            Some(t) => (Cow::Owned(t), vec!["console-wrap"]),
            None => (Cow::Borrowed(input), applied),
        };
    }
    let mut text = if memchr::memchr(0, input.as_bytes()).is_some() {
        Cow::Owned(input.replace('\0', ""))
    } else {
        Cow::Borrowed(input)
    };
    let mut step =
        |name: &'static str, f: &dyn Fn(&str) -> Option<String>, text: &mut Cow<'_, str>| {
            if let Some(t) = f(text) {
                *text = Cow::Owned(t);
                applied.push(name);
            }
        };
    step("ansi", &strip_ansi, &mut text);
    step("html-entities", &html_entities, &mut text);
    step("percent-encoding", &url_params, &mut text);
    step("json-escapes", &json_escapes, &mut text);
    step("console-wrap", &unwrap_console, &mut text);
    (text, applied)
}

/// Which bytes that start a decoding a text holds, found in two passes (one per step
/// costs a pass each over a large log that holds none).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marks {
    /// NUL, ESC, `&` or `\\`: removed, stripped, or starting an entity or an escape.
    pub decodable: bool,
    /// One of `?&#`, which start URL parameters.
    pub url: bool,
}

impl Marks {
    pub fn of(s: &str) -> Self {
        let b = s.as_bytes();
        let nul_esc_amp = memchr::memchr3(0, 0x1b, b'&', b).is_some();
        let slash_query_hash = memchr::memchr3(b'\\', b'?', b'#', b).is_some();
        Marks {
            decodable: nul_esc_amp || (slash_query_hash && memchr::memchr(b'\\', b).is_some()),
            url: nul_esc_amp || slash_query_hash,
        }
    }
}

/// Removes ANSI escape sequences (colours, cursor moves, OSC titles).
fn strip_ansi(s: &str) -> Option<String> {
    memchr::memchr(0x1b, s.as_bytes())?;
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                // CSI: parameters and intermediates, then one final byte in @..~.
                for n in chars.by_ref() {
                    if ('@'..='~').contains(&n) {
                        break;
                    }
                }
            }
            Some(']') => {
                // OSC: up to BEL or ESC \.
                while let Some(n) = chars.next() {
                    if n == '\u{7}' {
                        break;
                    }
                    if n == '\u{1b}' {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    Some(out)
}

/// `&quot;`, `&#39;`, `&#x27;`, `&amp;` … (twice, for text that was escaped twice).
fn html_entities(s: &str) -> Option<String> {
    memchr::memchr(b'&', s.as_bytes())?;
    let mut cur = s.to_string();
    let mut changed = false;
    for _ in 0..2 {
        let mut out = String::with_capacity(cur.len());
        let mut rest = cur.as_str();
        let mut any = false;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            // Entities are short: look for the `;` in the next 12 bytes, cut at a char boundary
            // (found by a property test: invalid UTF-8 becomes 3-byte U+FFFD here).
            let mut lim = tail.len().min(12);
            while !tail.is_char_boundary(lim) {
                lim -= 1;
            }
            let semi = tail[..lim].find(';');
            let decoded = semi.and_then(|j| {
                let ent = &tail[1..j];
                let c = match ent {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some(' '),
                    _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                        u32::from_str_radix(&ent[2..], 16)
                            .ok()
                            .and_then(char::from_u32)
                    }
                    _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
                    _ => None,
                };
                c.map(|c| (c, j + 1))
            });
            match decoded {
                Some((c, len)) => {
                    out.push(c);
                    rest = &tail[len..];
                    any = true;
                }
                None => {
                    out.push('&');
                    rest = &tail[1..];
                }
            }
        }
        out.push_str(rest);
        if !any {
            break;
        }
        changed = true;
        cur = out;
    }
    changed.then_some(cur)
}

static URL_PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)([?&#](?:error|error_description|error_codes|error_uri|error_subcode|suberror|trace_id|correlation_id|timestamp|redirect_uri|client_id|scope)=)([^&#\s<>]*)").unwrap()
});

/// Percent-decodes the OAuth parameters of redirect URLs (`+` is a space there).
fn url_params(s: &str) -> Option<String> {
    // Every parameter starts with one of `?&#` and holds a `=`: most logs have no `?&#` at
    // all, and the search over all of a large one cost more than the rest of decoding.
    let b = s.as_bytes();
    if memchr::memchr3(b'?', b'&', b'#', b).is_none()
        || memchr::memchr(b'=', b).is_none()
        || !URL_PARAM.is_match(s)
    {
        return None;
    }
    let mut changed = false;
    let out = URL_PARAM.replace_all(s, |c: &regex::Captures| {
        let raw = &c[2];
        let plus = raw.replace('+', " ");
        let dec = percent_decode_str(&plus).decode_utf8_lossy().into_owned();
        if dec != raw {
            changed = true;
        }
        // A newline before each parameter keeps one parameter's text from running into
        // the next when fields are read line by line.
        format!("{}{}\n", &c[1], dec)
    });
    changed.then(|| out.into_owned())
}

/// Undoes JSON string escapes: `\r\n`, `\n`, `\t`, `\"`, `\/`, `\\`, `\uXXXX`.
fn json_escapes(s: &str) -> Option<String> {
    memchr::memchr(b'\\', s.as_bytes())?;
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('n') => {
                chars.next();
                out.push('\n');
                changed = true;
            }
            Some('r') => {
                chars.next();
                changed = true;
            }
            Some('t') => {
                chars.next();
                out.push(' ');
                changed = true;
            }
            Some('"') | Some('/') | Some('\'') => {
                out.push(chars.next().unwrap_or('"'));
                changed = true;
            }
            Some('\\') => {
                chars.next();
                out.push('\\');
                changed = true;
            }
            Some('u') => {
                let mut look = chars.clone();
                look.next();
                let hex: String = look.by_ref().take(4).collect();
                match (hex.len() == 4)
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                {
                    Some(v) => {
                        out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                        chars = look;
                        changed = true;
                    }
                    None => out.push('\\'),
                }
            }
            _ => out.push('\\'),
        }
    }
    changed.then_some(out)
}

/// Rejoins lines that a console hard-wrapped at a fixed width (PowerShell, Azure CLI in a
/// narrow window): when at least three lines share one length of 60 or more, a line of
/// exactly that length is joined to the next without a separator.
fn unwrap_console(s: &str) -> Option<String> {
    // The width is the length of 60 or more that most lines have (the longer one on a
    // tie), and a console never prints a line longer than its width: so the longest line
    // must be the width, at least three lines must have it, and no shorter length of 60
    // or more may be more common. Most texts fail the first two, told without a table.
    // Each line's start and width; a line ends one byte before the next starts.
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let stats = LineStats::with(s, |start, n| lines.push((start, n)));
    if !stats.may_be_wrapped() {
        return None;
    }
    let width = stats.longest;
    let longer = lines
        .iter()
        .map(|&(_, n)| n)
        .filter(|n| (60..width).contains(n));
    let more_common = if width < 1 << 16 {
        let mut counts = vec![0usize; width];
        longer.for_each(|n| counts[n] += 1);
        counts.into_iter().any(|c| c > stats.at_longest)
    } else {
        let mut counts = std::collections::HashMap::new();
        longer.for_each(|n| *counts.entry(n).or_insert(0usize) += 1);
        counts.into_values().any(|c| c > stats.at_longest)
    };
    if more_common {
        return None;
    }
    let line = |i: usize| {
        let end = lines.get(i + 1).map_or(s.len(), |&(next, _)| next - 1);
        &s[lines[i].0..end]
    };
    // The next line is compared as it is, with its `\r`.
    let wrapped = |i: usize| {
        lines[i].1 == width
            && i + 1 < lines.len()
            && !same_record_shape(line(i).trim_end_matches('\r'), line(i + 1))
    };
    // A log whose longest lines are all followed by the next record joins nothing: it is
    // not copied.
    if !(0..lines.len()).any(wrapped) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    for i in 0..lines.len() {
        out.push_str(line(i).trim_end_matches('\r'));
        if !wrapped(i) && i + 1 < lines.len() {
            out.push('\n');
        }
    }
    Some(out)
}

/// Calls `f` with the start and the width in characters of each line of `s` (as
/// `split('\n')` cuts them), trailing `\r`s not counted; when the whole text is ASCII, a
/// width is a length.
fn each_width(s: &str, ascii: bool, mut f: impl FnMut(usize, usize)) {
    let b = s.as_bytes();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', b).chain([b.len()]) {
        let mut e = end;
        while e > start && b[e - 1] == b'\r' {
            e -= 1;
        }
        // `start` follows a `\n` and `e` precedes `\r`s or a `\n`: both are boundaries.
        let width = if ascii {
            e - start
        } else {
            s[start..e].chars().count()
        };
        f(start, width);
        start = end + 1;
    }
}

/// How many lines a text has, how long the longest is (in characters, `\r`s at the end
/// not counted) and how many are that long.
pub(crate) struct LineStats {
    pub lines: usize,
    pub longest: usize,
    pub at_longest: usize,
}

impl LineStats {
    pub fn of(s: &str) -> Self {
        Self::with(s, |_, _| {})
    }

    /// [`LineStats::of`], handing each line's start and width to `f` on the way.
    fn with(s: &str, mut f: impl FnMut(usize, usize)) -> Self {
        let ascii = s.is_ascii();
        let (mut lines, mut longest, mut at_longest) = (0usize, 0usize, 0usize);
        each_width(s, ascii, |start, n| {
            f(start, n);
            lines += 1;
            if n > longest {
                (longest, at_longest) = (n, 1);
            } else if n == longest {
                at_longest += 1;
            }
        });
        LineStats {
            lines,
            longest,
            at_longest,
        }
    }

    /// What [`unwrap_console`] needs before it joins anything: at least four lines and a
    /// width of 60 or more that at least three lines have and none exceeds.
    pub fn may_be_wrapped(&self) -> bool {
        self.lines >= 4 && self.longest >= 60 && self.at_longest >= 3
    }
}

/// Whether two lines start like two records of one log (same prefix once digits are
/// masked: `2025-03-01T02:00:01Z INFO` and `2025-03-01T02:00:02Z INFO`): a full-width
/// line followed by the next record was not wrapped, it only happens to be as long.
fn same_record_shape(a: &str, b: &str) -> bool {
    let mask = |s: &str| -> String {
        s.chars()
            .take(12)
            .map(|c| if c.is_ascii_digit() { '0' } else { c })
            .collect()
    };
    let (ma, mb) = (mask(a), mask(b));
    let digits = a.chars().take(12).filter(char::is_ascii_digit).count();
    digits >= 4 && ma.chars().count() == 12 && ma == mb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_ansi() {
        assert_eq!(
            strip_ansi("\u{1b}[31mERROR:\u{1b}[0m AADSTS1").unwrap(),
            "ERROR: AADSTS1"
        );
        assert_eq!(strip_ansi("\u{1b}]0;title\u{7}x").unwrap(), "x");
    }

    #[test]
    fn html_entities_twice() {
        assert_eq!(
            html_entities("&amp;quot;a&amp;quot; &#39;b&#x27; &lt;").unwrap(),
            "\"a\" 'b' <"
        );
        assert_eq!(html_entities("AT&T & co").as_deref(), None);
    }

    #[test]
    fn json_escapes_undone() {
        assert_eq!(
            json_escapes(r#"a\r\nb \"c\" \u0027d\u0027 C:\\x"#).unwrap(),
            "a\nb \"c\" 'd' C:\\x"
        );
    }

    #[test]
    fn url_parameters_decoded() {
        let d = url_params("https://app/cb#error=invalid_request&error_description=AADSTS50011%3a+The+redirect+URI%0d%0aTrace+ID%3a+x").unwrap();
        assert!(
            d.contains("error_description=AADSTS50011: The redirect URI\r\nTrace ID: x"),
            "{d}"
        );
    }

    /// `unwrap_console` as it was before it was made to count line widths once.
    fn unwrap_console_reference(s: &str) -> Option<String> {
        let lines: Vec<&str> = s.split('\n').collect();
        if lines.len() < 4 {
            return None;
        }
        let mut counts = std::collections::HashMap::new();
        for l in &lines {
            let n = l.trim_end_matches('\r').chars().count();
            if n >= 60 {
                *counts.entry(n).or_insert(0usize) += 1;
            }
        }
        let (&width, &n) = counts.iter().max_by_key(|(w, c)| (**c, **w))?;
        if n < 3 {
            return None;
        }
        if lines
            .iter()
            .any(|l| l.trim_end_matches('\r').chars().count() > width)
        {
            return None;
        }
        let mut out = String::with_capacity(s.len());
        let mut joined = 0;
        for (i, l) in lines.iter().enumerate() {
            let l = l.trim_end_matches('\r');
            out.push_str(l);
            let wrapped = l.chars().count() == width
                && lines
                    .get(i + 1)
                    .is_some_and(|next| !same_record_shape(l, next));
            if wrapped {
                joined += 1;
            } else if i + 1 < lines.len() {
                out.push('\n');
            }
        }
        (joined > 0).then_some(out)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn console_unwrapping_is_the_reference_s(
            lines in proptest::collection::vec(
                (0usize..4, 0usize..3, 0usize..3, proptest::prelude::any::<bool>()),
                0..12,
            )
        ) {
            // Lines of a few widths around 60, some starting like log records, some with
            // `\r`s or non-ASCII characters.
            let text: Vec<String> = lines
                .iter()
                .map(|&(w, start, cr, wide)| {
                    let head = ["2025-03-01T02:00:01Z ", "ab", "0000\r\r\r\r\r\r\r\r", ""][start.min(3)];
                    let fill = if wide { "é" } else { "x" };
                    let body = fill.repeat([40, 59, 60, 61][w]);
                    format!("{head}{body}{}", "\r".repeat(cr))
                })
                .collect();
            let text = text.join("\n");
            proptest::prop_assert_eq!(unwrap_console(&text), unwrap_console_reference(&text));
        }
    }

    #[test]
    fn console_wrap_rejoined() {
        let w = "x".repeat(70);
        // Lines of the common width are joined to the next.
        let out = unwrap_console(&format!(
            "{w}\n{w}\n{w}\n{}AAD\nSTS50126 x\nshort",
            &w[..67]
        ))
        .unwrap();
        assert!(out.contains("xxxAADSTS50126 x\nshort"), "{out}");
        assert!(unwrap_console("a\nb\nc\nd").is_none());
    }
}
