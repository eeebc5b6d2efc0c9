//! HAR 1.2 reading with bounded memory.
//!
//! A capture is one JSON object whose `log.entries` array can hold hundreds of megabytes of
//! page assets. It is never parsed whole: a byte scanner walks the file once, hands each
//! entry's bytes to serde_json on its own and forgets them. While an entry is buffered,
//! any string longer than [`Limits::max_string`] (a video, a bundle of script, a base64
//! font) is cut to `""` on the fly, and an entry that still grows past
//! [`Limits::max_entry`] is skipped with a warning; so the scanner never holds more than
//! `max_entry` bytes, whatever the size of the file.
//!
//! The browsers' dialects are all read: Chrome and Edge (`_initiator`, `_resourceType`,
//! `_transferSize`, base64 bodies with `encoding`), Firefox (`postData.params`, empty
//! `redirectURL`, missing `content.text`), Safari (`_fetchType`, `-1` sizes); fields
//! starting with `_` and any other unknown field are ignored.
//!
//! SAML-tracer's export (`{"requests": [...], "timestamp": ...}`) is walked by the same
//! scanner: which array holds the entries tells the format (see [`Kind`]).

use serde::{Deserialize, Deserializer};
use std::io::Read;

/// Memory bounds of the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest JSON string kept (raw, still escaped); longer ones become `""`.
    pub max_string: usize,
    /// Largest entry kept after long strings are cut; larger ones are skipped.
    pub max_entry: usize,
    /// Largest part of the file outside the entries (`log.creator`, `log.pages` …) read.
    pub max_outer: usize,
}

impl Default for Limits {
    /// 8 MiB per string, 32 MiB per entry, 4 MiB outside the entries.
    fn default() -> Self {
        Limits {
            max_string: 8 << 20,
            max_entry: 32 << 20,
            max_outer: 4 << 20,
        }
    }
}

/// Which capture format the entries array belongs to, found by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `{"log": {"entries": [...]}}`.
    Har,
    /// SAML-tracer's export: `{"requests": [...], "timestamp": ...}`.
    SamlTracer,
}

/// What the scanner hands out, in file order.
pub enum Chunk<'a> {
    /// Bytes outside the entries (the envelope, commas and whitespace between entries).
    Outer(&'a [u8]),
    /// One entry: its JSON (long strings already cut) and how many strings were cut.
    Entry {
        index: usize,
        kind: Kind,
        json: &'a [u8],
        cut_strings: usize,
    },
    /// An entry larger than `max_entry`; nothing of it is kept.
    Oversize { index: usize },
}

/// How a scan ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanEnd {
    /// The entries array found (`log.entries`, or SAML-tracer's `requests`), if any.
    pub kind: Option<Kind>,
    /// Whether an entries array was found.
    pub found_entries: bool,
    /// The file ended inside the JSON (a capture cut short).
    pub truncated: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    Obj { expect_key: bool, key: Key },
    Arr,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Log,
    Entries,
    Requests,
    Other,
}

/// The one JSON string state machine of the scanner, for entries and the envelope alike:
/// it copies a string's bytes into a buffer and cuts the string to `""` once it grows past
/// the bound.
#[derive(Default)]
struct Strings {
    in_string: bool,
    escape: bool,
    /// Where the open string's quote sits in the buffer.
    start: usize,
    cutting: bool,
}

impl Strings {
    /// Opens a string whose quote was just pushed to `buf`.
    fn open(&mut self, buf: &[u8]) {
        self.in_string = true;
        self.start = buf.len() - 1;
    }

    /// Takes one byte inside a string. Returns whether it closed the string and whether
    /// it cut it; `buf` is `None` when nothing is being kept.
    fn byte(&mut self, c: u8, buf: Option<&mut Vec<u8>>, max: usize) -> (bool, bool) {
        let closes = if self.escape {
            self.escape = false;
            false
        } else if c == b'\\' {
            self.escape = true;
            false
        } else {
            c == b'"'
        };
        let mut cut = false;
        if let Some(buf) = buf {
            if closes || !self.cutting {
                buf.push(c);
            }
            if !closes && !self.cutting && buf.len() - self.start > max {
                buf.truncate(self.start + 1);
                self.cutting = true;
                cut = true;
            }
        }
        if closes {
            self.in_string = false;
            self.cutting = false;
        }
        (closes, cut)
    }
}

fn entries_array(stack: &[Frame]) -> Option<Kind> {
    match stack {
        [Frame::Obj { key: Key::Log, .. }, Frame::Obj {
            key: Key::Entries, ..
        }, Frame::Arr] => Some(Kind::Har),
        [Frame::Obj {
            key: Key::Requests, ..
        }, Frame::Arr] => Some(Kind::SamlTracer),
        _ => None,
    }
}

/// Walks a HAR file (or a SAML-tracer export); `f` gets every chunk. I/O errors and
/// errors from `f` stop the walk.
pub fn scan<R: Read, E: From<std::io::Error>>(
    mut r: R,
    limits: &Limits,
    mut f: impl FnMut(Chunk<'_>) -> Result<(), E>,
) -> Result<ScanEnd, E> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut outer: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut entry: Vec<u8> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut st = Strings::default();
    // Outer mode: the key being read (its first bytes).
    let mut key_bytes: Vec<u8> = Vec::new();
    // Entry mode.
    let mut in_entry: Option<Kind> = None;
    let mut depth = 0usize;
    let mut oversize = false;
    let mut cut_strings = 0usize;
    let mut index = 0usize;
    let mut found: Option<Kind> = None;
    let mut first = true;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        let mut chunk = &buf[..n];
        if first {
            first = false;
            chunk = chunk.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(chunk);
        }
        for &c in chunk {
            if let Some(kind) = in_entry {
                if st.in_string {
                    let keep = (!oversize).then_some(&mut entry);
                    let (_, cut) = st.byte(c, keep, limits.max_string);
                    cut_strings += usize::from(cut);
                    continue;
                }
                if !oversize {
                    entry.push(c);
                    if entry.len() > limits.max_entry {
                        oversize = true;
                        entry = Vec::new();
                    }
                }
                match c {
                    b'"' => {
                        st.in_string = true;
                        st.start = entry.len().saturating_sub(1);
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            in_entry = None;
                            if oversize {
                                f(Chunk::Oversize { index })?;
                            } else {
                                f(Chunk::Entry {
                                    index,
                                    kind,
                                    json: &entry,
                                    cut_strings,
                                })?;
                            }
                            index += 1;
                            entry.clear();
                            if entry.capacity() > 1 << 20 {
                                entry.shrink_to(64 * 1024);
                            }
                        }
                    }
                    _ => {}
                }
                continue;
            }
            // Outer mode.
            if st.in_string {
                let (closed, _) = st.byte(c, Some(&mut outer), limits.max_string);
                if closed {
                    if let Some(Frame::Obj { expect_key, key }) = stack.last_mut() {
                        if *expect_key {
                            *key = match &key_bytes[..] {
                                b"log" => Key::Log,
                                b"entries" => Key::Entries,
                                b"requests" => Key::Requests,
                                _ => Key::Other,
                            };
                            *expect_key = false;
                        }
                    }
                } else if key_bytes.len() < 16 {
                    key_bytes.push(c);
                }
                continue;
            }
            if c == b'{' {
                // Only the first entries array found counts: a HAR never reads as both.
                if let Some(kind) = entries_array(&stack).filter(|k| Some(*k) == found) {
                    if !outer.is_empty() {
                        f(Chunk::Outer(&outer))?;
                        outer.clear();
                    }
                    in_entry = Some(kind);
                    depth = 1;
                    oversize = false;
                    cut_strings = 0;
                    entry.push(c);
                    continue;
                }
            }
            outer.push(c);
            match c {
                b'"' => {
                    st.open(&outer);
                    key_bytes.clear();
                }
                b'{' => stack.push(Frame::Obj {
                    expect_key: true,
                    key: Key::Other,
                }),
                b'[' => {
                    stack.push(Frame::Arr);
                    if found.is_none() {
                        found = entries_array(&stack);
                    }
                }
                b'}' | b']' => {
                    stack.pop();
                }
                b',' => {
                    if let Some(Frame::Obj { expect_key, .. }) = stack.last_mut() {
                        *expect_key = true;
                    }
                }
                _ => {}
            }
            if outer.len() >= 64 * 1024 && !st.in_string {
                f(Chunk::Outer(&outer))?;
                outer.clear();
            }
        }
    }
    if !outer.is_empty() {
        f(Chunk::Outer(&outer))?;
    }
    Ok(ScanEnd {
        kind: found,
        found_entries: found.is_some(),
        truncated: in_entry.is_some() || st.in_string || !stack.is_empty(),
    })
}

/// The envelope of a HAR file.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Envelope {
    #[serde(default)]
    pub log: EnvelopeLog,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct EnvelopeLog {
    #[serde(default, deserialize_with = "lenient_string")]
    pub version: String,
    #[serde(default)]
    pub creator: Creator,
    #[serde(default)]
    pub browser: Option<Creator>,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq, Eq)]
pub struct Creator {
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub version: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    #[serde(default, deserialize_with = "lenient_string")]
    pub started_date_time: String,
    #[serde(default)]
    pub request: Request,
    #[serde(default)]
    pub response: Response,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    #[serde(default, deserialize_with = "lenient_string")]
    pub method: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub url: String,
    #[serde(default, deserialize_with = "lenient_pairs")]
    pub headers: Vec<Pair>,
    #[serde(default)]
    pub post_data: Option<PostData>,
    /// HAR's parsed `cookies`, read when the capture kept no `Cookie` header.
    #[serde(default, deserialize_with = "lenient_pairs")]
    pub cookies: Vec<Pair>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostData {
    #[serde(default, deserialize_with = "lenient_string")]
    pub mime_type: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub text: String,
    #[serde(default, deserialize_with = "lenient_pairs")]
    pub params: Vec<Pair>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    #[serde(default, deserialize_with = "lenient_status")]
    pub status: u16,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status_text: String,
    #[serde(default, deserialize_with = "lenient_pairs")]
    pub headers: Vec<Pair>,
    #[serde(default)]
    pub content: Content,
    #[serde(default, rename = "redirectURL", deserialize_with = "lenient_string")]
    pub redirect_url: String,
    /// HAR's parsed `cookies`, read when the capture kept no `Set-Cookie` header.
    #[serde(default, deserialize_with = "lenient_pairs")]
    pub cookies: Vec<Pair>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    #[serde(default, deserialize_with = "lenient_string")]
    pub mime_type: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub text: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub encoding: String,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Pair {
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub value: String,
}

impl Entry {
    pub fn request_header(&self, name: &str) -> Option<&str> {
        header(&self.request.headers, name)
    }
    pub fn response_header(&self, name: &str) -> Option<&str> {
        header(&self.response.headers, name)
    }
    /// The redirect target: `Location`, else `redirectURL`.
    pub fn location(&self) -> Option<&str> {
        self.response_header("location")
            .or(Some(self.response.redirect_url.as_str()))
            .filter(|s| !s.is_empty())
    }
    /// The response body as text (base64 undone; invalid UTF-8 replaced).
    pub fn body(&self) -> std::borrow::Cow<'_, str> {
        let c = &self.response.content;
        if c.encoding.eq_ignore_ascii_case("base64") {
            if let Some(b) = crate::b64::decode(&c.text) {
                return String::from_utf8_lossy(&b).into_owned().into();
            }
        }
        c.text.as_str().into()
    }
    /// The request body: `postData.text`, else its `params` (Firefox) as a form.
    pub fn post_text(&self) -> String {
        match &self.request.post_data {
            Some(p) if !p.text.is_empty() => p.text.clone(),
            Some(p) => p
                .params
                .iter()
                .map(|x| format!("{}={}", x.name, x.value))
                .collect::<Vec<_>>()
                .join("&"),
            None => String::new(),
        }
    }
}

fn header<'a>(h: &'a [Pair], name: &str) -> Option<&'a str> {
    h.iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .map(|p| p.value.as_str())
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

fn lenient_status<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().map(|f| f as u64))
            .map_or(0, |v| u16::try_from(v).unwrap_or(0)),
        serde_json::Value::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    })
}

fn lenient_pairs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Pair>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Array(a) => a
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, limits: &Limits) -> (Vec<String>, String, ScanEnd) {
        let mut entries = Vec::new();
        let mut outer = Vec::new();
        let end = scan::<_, std::io::Error>(text.as_bytes(), limits, |c| {
            match c {
                Chunk::Outer(b) => outer.extend_from_slice(b),
                Chunk::Entry { json, .. } => {
                    entries.push(String::from_utf8(json.to_vec()).unwrap());
                    outer.extend_from_slice(b"@");
                }
                Chunk::Oversize { .. } => outer.extend_from_slice(b"#"),
            }
            Ok(())
        })
        .unwrap();
        (entries, String::from_utf8(outer).unwrap(), end)
    }

    #[test]
    fn entries_are_cut_out_exactly_whatever_the_key_order_and_strings() {
        let text = "\u{feff}{ \"log\" : { \"pages\": [{\"entries\": [{\"x\":1}]}], \"creator\": {\"name\": \"a\\\"}{][\"},\n \"entries\" : [ {\"a\": \"}\\\\\", \"b\": [{}]} ,{\"c\":\"\\u007d\"}], \"version\": \"1.2\" }, \"entries\": [{\"not\": 1}] }";
        let (entries, outer, end) = split(text, &Limits::default());
        assert_eq!(entries, [r#"{"a": "}\\", "b": [{}]}"#, r#"{"c":"\u007d"}"#]);
        assert!(end.found_entries && !end.truncated);
        // The envelope with a mark where each entry was: still JSON once marks are values.
        let env: serde_json::Value = serde_json::from_str(&outer.replace('@', "0")).unwrap();
        assert_eq!(env["log"]["version"], "1.2");
        assert_eq!(env["log"]["pages"][0]["entries"][0]["x"], 1);
        assert_eq!(env["entries"][0]["not"], 1);
    }

    #[test]
    fn long_strings_are_cut_with_their_escapes_and_big_entries_skipped() {
        let limits = Limits {
            max_string: 8,
            max_entry: 64,
            max_outer: 1 << 20,
        };
        let text = r#"{"log":{"creator":{"name":"0123456789abcdef"},"entries":[{"t":"\\\\\\\\\\\\\\\\\\\\\"x","u":"short"},{"big":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30]},{"ok":true}]}}"#;
        let (entries, outer, end) = split(text, &limits);
        assert_eq!(entries, [r#"{"t":"","u":"short"}"#, r#"{"ok":true}"#]);
        assert!(outer.contains(r#""name":"""#), "{outer}");
        assert!(outer.contains("@,#,@"), "{outer}");
        assert!(!end.truncated);
        for e in &entries {
            serde_json::from_str::<serde_json::Value>(e).unwrap();
        }
    }

    #[test]
    fn saml_tracer_requests_are_found_by_content_and_only_one_array_counts() {
        let text = r#"{"requests": [{"method": "GET", "url": "x"}, {"u": "}"}], "timestamp": "t"}"#;
        let (entries, _, end) = split(text, &Limits::default());
        assert_eq!(entries.len(), 2);
        assert_eq!(end.kind, Some(Kind::SamlTracer));
        // A HAR with a stray `requests` member: only `log.entries` is read.
        let text = r#"{"log": {"entries": [{"a": 1}]}, "requests": [{"b": 2}]}"#;
        let (entries, _, end) = split(text, &Limits::default());
        assert_eq!(entries, [r#"{"a": 1}"#]);
        assert_eq!(end.kind, Some(Kind::Har));
        // `requests` nested deeper is not SAML-tracer's.
        let (_, _, end) = split(r#"{"x": {"requests": [{"a": 1}]}}"#, &Limits::default());
        assert_eq!(end.kind, None);
    }

    #[test]
    fn a_cut_file_says_so() {
        let (entries, _, end) = split(r#"{"log":{"entries":[{"a":1},{"b":"#, &Limits::default());
        assert_eq!(entries.len(), 1);
        assert!(end.truncated && end.found_entries);
        let (_, _, end) = split(r#"{"log":{"entries":"#, &Limits::default());
        assert!(!end.found_entries);
    }
}
