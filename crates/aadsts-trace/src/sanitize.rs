//! A copy of a capture that is safe to send to support: passwords, cookies, authorization
//! headers, tokens, authorization codes, flow tokens and secret form fields are replaced by
//! [`MARK`]; the structure, the URLs, the statuses, the error texts and SAML responses
//! without an assertion are kept, so the copy opens in browsers and in `aadsts trace` and
//! still shows the failure.

use crate::har::{self, Chunk, Limits};
use crate::journey::is_secret;
use crate::{b64, token, TraceError};
use serde_json::Value;
use std::io::{Read, Write};

/// What replaces a secret value: safe in URLs, JSON, HTML and headers.
pub const MARK: &str = "REMOVED-BY-AADSTS";

/// Headers whose values are always replaced.
pub(crate) const SECRET_HEADERS: &[&str] = &[
    "cookie",
    "set-cookie",
    "authorization",
    "proxy-authorization",
    "x-ms-refreshtokencredential",
    "x-ms-devicecredential",
    "x-ms-token-aad-id-token",
    "x-ms-token-aad-access-token",
    "x-ms-token-aad-refresh-token",
    "x-ms-client-principal",
    "x-csrf-token",
    "x-xsrf-token",
];

/// Counts of a sanitized copy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SanitizeStats {
    pub entries: usize,
    /// Secret values replaced.
    pub replaced: usize,
    /// Values longer than the string bound left out (page assets, usually), and `.saz`
    /// bodies too large to scrub or in an encoding that could not be read.
    pub left_out: usize,
    /// Entries replaced by a stub (not JSON, or too large).
    pub stubs: usize,
    /// The input ended inside the JSON; so does the copy.
    pub truncated: bool,
}

/// Writes a sanitized copy of the HAR read from `r` to `w`; `name` names the input in
/// errors. Memory is bounded as for reading (see [`har`]).
pub fn sanitize<R: Read, W: Write>(
    r: R,
    mut w: W,
    name: &str,
    limits: &Limits,
) -> Result<SanitizeStats, TraceError> {
    let mut stats = SanitizeStats::default();
    let mut head = Vec::new();
    let mut sniff = crate::Sniff {
        inner: r,
        head: &mut head,
    };
    let end = har::scan::<_, SanErr>(&mut sniff, limits, |chunk| {
        match chunk {
            Chunk::Outer(b) => w.write_all(b).map_err(SanErr::Write)?,
            Chunk::Entry {
                json, cut_strings, ..
            } => {
                stats.entries += 1;
                stats.left_out += cut_strings;
                match serde_json::from_slice::<Value>(json) {
                    Ok(mut v) => {
                        stats.replaced += scrub_value(&mut v, None);
                        serde_json::to_writer(&mut w, &v)
                            .map_err(|e| SanErr::Write(std::io::Error::other(e)))?;
                    }
                    Err(_) => {
                        stats.stubs += 1;
                        w.write_all(stub("not valid JSON").as_bytes())
                            .map_err(SanErr::Write)?;
                    }
                }
            }
            Chunk::Oversize { .. } => {
                stats.entries += 1;
                stats.stubs += 1;
                w.write_all(stub("larger than the entry bound").as_bytes())
                    .map_err(SanErr::Write)?;
            }
        }
        Ok(())
    })
    .map_err(|e| match e {
        SanErr::Read(source) => TraceError::Io {
            name: name.to_string(),
            source,
        },
        SanErr::Write(source) => TraceError::Write {
            name: "the sanitized copy".into(),
            source,
        },
    })?;
    if !end.found_entries {
        return Err(TraceError::NotHar {
            name: name.to_string(),
            reason: crate::not_har_reason(&head),
        });
    }
    w.flush().map_err(|source| TraceError::Write {
        name: "the sanitized copy".into(),
        source,
    })?;
    stats.truncated = end.truncated;
    Ok(stats)
}

enum SanErr {
    Read(std::io::Error),
    Write(std::io::Error),
}
impl From<std::io::Error> for SanErr {
    fn from(e: std::io::Error) -> Self {
        SanErr::Read(e)
    }
}

/// A minimal valid HAR entry standing in for one that could not be copied.
fn stub(why: &str) -> String {
    serde_json::json!({
        "startedDateTime": "1970-01-01T00:00:00.000Z",
        "time": 0,
        "request": {"method": "GET", "url": "about:blank", "httpVersion": "", "cookies": [],
                    "headers": [], "queryString": [], "headersSize": -1, "bodySize": -1},
        "response": {"status": 0, "statusText": "", "httpVersion": "", "cookies": [], "headers": [],
                     "content": {"size": 0, "mimeType": ""}, "redirectURL": "",
                     "headersSize": -1, "bodySize": -1},
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
        "comment": format!("aadsts: entry left out of the sanitized copy: {why}")
    })
    .to_string()
}

/// Scrubs a JSON value in place; `key` is the object key it sits under. Returns how many
/// values were replaced.
fn scrub_value(v: &mut Value, key: Option<&str>) -> usize {
    match v {
        Value::Object(m) => {
            let mut n = 0;
            // A name/value pair: header, cookie, query parameter, form field.
            let pair_name = match (m.get("name"), m.get("value")) {
                (Some(Value::String(name)), Some(_)) => Some(name.clone()),
                _ => None,
            };
            if let Some(name) = pair_name {
                let lower = name.to_ascii_lowercase();
                let always = key == Some("cookies")
                    || SECRET_HEADERS.contains(&lower.as_str())
                    || is_secret(&name)
                    || (name == "SAMLResponse"
                        && m.get("value")
                            .and_then(Value::as_str)
                            .is_some_and(saml_has_assertion));
                if always {
                    if let Some(Value::String(s)) = m.get_mut("value") {
                        if !s.is_empty() && s != MARK {
                            *s = MARK.to_string();
                            n += 1;
                        }
                    }
                }
            }
            // A body with base64 encoding.
            let base64 = m
                .get("encoding")
                .and_then(Value::as_str)
                .is_some_and(|e| e.eq_ignore_ascii_case("base64"));
            let textual = m.get("mimeType").and_then(Value::as_str).is_some_and(|t| {
                let t = t.to_ascii_lowercase();
                ["html", "json", "xml", "text", "javascript", "form"]
                    .iter()
                    .any(|k| t.contains(k))
            });
            if base64 && textual {
                if let Some(Value::String(t)) = m.get_mut("text") {
                    if let Some(text) = b64::decode(t).and_then(|b| String::from_utf8(b).ok()) {
                        let (out, k) = scrub_text(&text);
                        if k > 0 {
                            *t = b64::encode(out.as_bytes());
                            n += k;
                        }
                    }
                }
            }
            for (k, child) in m.iter_mut() {
                if base64 && k == "text" {
                    continue;
                }
                // SAML-tracer: `postData` is {"passwd": ["…"]}, `saml` the decoded message.
                let secret_member = is_secret(k)
                    || SECRET_HEADERS.contains(&k.to_ascii_lowercase().as_str())
                    || (k == "saml" && child.as_str().is_some_and(xml_has_assertion));
                if secret_member {
                    n += replace_strings(child);
                    continue;
                }
                n += scrub_value(child, Some(k));
            }
            n
        }
        // SAML-tracer's `["name", "value"]` pairs (parameters, and headers before 1.0).
        Value::Array(a)
            if a.len() == 2
                && a[1].is_string()
                && a[0].as_str().is_some_and(|name| {
                    is_secret(name)
                        || SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str())
                        || (name == "SAMLResponse" && a[1].as_str().is_some_and(saml_has_assertion))
                }) =>
        {
            replace_strings(&mut a[1])
        }
        Value::Array(a) => a.iter_mut().map(|x| scrub_value(x, key)).sum(),
        Value::String(s) => {
            let (out, k) = scrub_text(s);
            if k > 0 {
                *s = out;
            }
            k
        }
        _ => 0,
    }
}

/// Replaces every non-empty string in `v` by [`MARK`].
fn replace_strings(v: &mut Value) -> usize {
    match v {
        Value::String(s) if !s.is_empty() && s != MARK => {
            *s = MARK.to_string();
            1
        }
        Value::Array(a) => a.iter_mut().map(replace_strings).sum(),
        Value::Object(m) => m.values_mut().map(replace_strings).sum(),
        _ => 0,
    }
}

fn xml_has_assertion(x: &str) -> bool {
    x.contains(":Assertion") || x.contains("<Assertion") || x.contains("EncryptedAssertion")
}

/// Whether the value of `key` is to be replaced: always, except a SAML response that
/// carries no assertion (an error response: its StatusMessage is what support needs).
fn should_replace(key: &str, value: &str) -> bool {
    key != "samlresponse" || saml_has_assertion(value)
}

fn saml_has_assertion(v: &str) -> bool {
    match crate::saml::decode(v, None) {
        Ok(m) => xml_has_assertion(&m.xml),
        // Not readable: it may hold anything.
        Err(_) => true,
    }
}

/// Replaces secrets in free text (a URL, a form body, a JSON or HTML body): JWTs,
/// `secret=value` pairs, `"secret": "value"` members and `<input name="secret" value=…>`.
/// One pass per pattern, whatever the number of secret names.
pub fn scrub_text(s: &str) -> (String, usize) {
    let b = s.as_bytes();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for t in token::find_jwts(s) {
        let mut from = 0;
        while let Some(p) = s[from..].find(t) {
            ranges.push((from + p, from + p + t.len()));
            from += p + t.len();
        }
    }
    let key_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.';
    let secret = |k: &str| is_secret(k) || k.eq_ignore_ascii_case("samlresponse");
    // key=value
    let delim = |i: usize| {
        i == 0
            || matches!(
                b[i - 1],
                b'?' | b'&'
                    | b'#'
                    | b';'
                    | b' '
                    | b'"'
                    | b'\''
                    | b'\n'
                    | b'\r'
                    | b'\t'
                    | b','
                    | b'{'
            )
    };
    for (i, _) in s.match_indices('=') {
        let mut j = i;
        while j > 0 && i - j < 40 && key_char(b[j - 1]) {
            j -= 1;
        }
        if j == i || !delim(j) || !secret(&s[j..i]) {
            continue;
        }
        let vs = i + 1;
        let ve = s[vs..]
            .find(['&', '#', '"', '\'', '<', '>', ' ', '\n', '\r', '\t', ';'])
            .map_or(s.len(), |e| vs + e);
        if ve > vs && should_replace(&s[j..i].to_ascii_lowercase(), &s[vs..ve]) {
            ranges.push((vs, ve));
        }
    }
    // "key": "value"
    for (i, _) in s.match_indices(':') {
        let before = s[..i].trim_end();
        let Some(kq) = before.strip_suffix('"') else {
            continue;
        };
        let Some(open) = kq.rfind('"').filter(|&o| kq.len() - o <= 40) else {
            continue;
        };
        let key = &kq[open + 1..];
        if key.is_empty() || !key.bytes().all(key_char) || !secret(key) {
            continue;
        }
        let after = s[i + 1..].trim_start();
        let Some(val) = after.strip_prefix('"') else {
            continue;
        };
        let vs = s.len() - val.len();
        let vb = val.as_bytes();
        let mut j = 0;
        while j < vb.len() && vb[j] != b'"' {
            j += if vb[j] == b'\\' { 2 } else { 1 };
        }
        let ve = vs + j.min(vb.len());
        let short_code = key.eq_ignore_ascii_case("code") && ve - vs < 16;
        if ve > vs && !short_code && should_replace(&key.to_ascii_lowercase(), &s[vs..ve]) {
            ranges.push((vs, ve));
        }
    }
    // <input name="key" value="…">
    let lower = s.to_ascii_lowercase();
    for (at, _) in lower.match_indices("name=\"") {
        let ks = at + 6;
        let Some(kl) = lower[ks..].find('"').filter(|&l| l <= 40) else {
            continue;
        };
        let key = &lower[ks..ks + kl];
        if !secret(key) {
            continue;
        }
        let tag_start = lower[..at].rfind('<').unwrap_or(0);
        let tag_end = lower[at..].find('>').map_or(s.len(), |e| at + e);
        if let Some(v) = lower[tag_start..tag_end].find("value=\"") {
            let vs = tag_start + v + 7;
            let ve = s[vs..tag_end].find('"').map_or(tag_end, |e| vs + e);
            if ve > vs && should_replace(key, &crate::xml::unescape(&s[vs..ve])) {
                ranges.push((vs, ve));
            }
        }
    }
    if ranges.is_empty() {
        return (s.to_string(), 0);
    }
    ranges.sort_unstable();
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    let mut n = 0;
    for (a, e) in ranges {
        if a < pos || &s[a..e] == MARK {
            continue;
        }
        out.push_str(&s[pos..a]);
        out.push_str(MARK);
        pos = e;
        n += 1;
    }
    out.push_str(&s[pos..]);
    (out, n)
}

/// Writes a sanitized copy of a Fiddler archive: every request and response with secret
/// headers replaced, URLs and bodies scrubbed as in a HAR (bodies are stored decoded, so
/// `Transfer-Encoding` and `Content-Encoding` go and `Content-Length` is set), the index
/// page scrubbed, timers kept. The copy is a plain zip (ZIP64 when it needs to be) that
/// Fiddler and `aadsts trace` open. Each member is bounded like an entry.
pub fn sanitize_saz<R: Read + std::io::Seek, W: Write + std::io::Seek>(
    r: R,
    w: W,
    name: &str,
    limits: &Limits,
) -> Result<SanitizeStats, TraceError> {
    let not_saz = |reason: String| TraceError::NotSaz {
        name: name.to_string(),
        reason,
    };
    let write_err = |e: zip::result::ZipError| TraceError::Write {
        name: "the sanitized copy".into(),
        source: std::io::Error::other(e),
    };
    let mut z = zip::ZipArchive::new(r)
        .map_err(|e| not_saz(format!("the zip archive is damaged or cut short ({e})")))?;
    let mut out = zip::ZipWriter::new(w);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    let mut stats = SanitizeStats::default();
    for i in 0..z.len() {
        let member = z.name_for_index(i).unwrap_or("").to_string();
        if member.ends_with('/') {
            continue;
        }
        let is_message = member.starts_with("raw/")
            && (member.ends_with("_c.txt") || member.ends_with("_s.txt"));
        let bytes = match crate::saz::read_member(&mut z, i, limits.max_entry)
            .map_err(|crate::saz::SazError(reason)| not_saz(reason))?
        {
            Ok(b) => b,
            Err(_) if is_message => {
                // Too large to scrub in memory: keep the scrubbed head, leave the body out.
                stats.left_out += 1;
                let head = head_of(&mut z, i);
                let (b, k, _) = scrub_message(&head, limits, true);
                stats.replaced += k;
                out.start_file(member.as_str(), opts).map_err(write_err)?;
                out.write_all(&b).map_err(|source| TraceError::Write {
                    name: "the sanitized copy".into(),
                    source,
                })?;
                continue;
            }
            Err(_) => {
                stats.stubs += 1;
                continue;
            }
        };
        let data = if is_message {
            if member.ends_with("_c.txt") {
                stats.entries += 1;
            }
            let (b, k, out) = scrub_message(&bytes, limits, false);
            stats.replaced += k;
            stats.left_out += out;
            b
        } else {
            match String::from_utf8(bytes) {
                Ok(t) => {
                    let (o, k) = scrub_text(&t);
                    stats.replaced += k;
                    o.into_bytes()
                }
                // Fiddler writes only text besides the sessions; anything else may hold
                // anything, so it is left out and counted.
                Err(_) => {
                    stats.stubs += 1;
                    continue;
                }
            }
        };
        out.start_file(member.as_str(), opts).map_err(write_err)?;
        out.write_all(&data).map_err(|source| TraceError::Write {
            name: "the sanitized copy".into(),
            source,
        })?;
    }
    let mut w = out.finish().map_err(write_err)?;
    w.flush().map_err(|source| TraceError::Write {
        name: "the sanitized copy".into(),
        source,
    })?;
    Ok(stats)
}

/// The first 64 KiB of a member, for the head of a message too large to scrub whole.
fn head_of<R: Read + std::io::Seek>(z: &mut zip::ZipArchive<R>, i: usize) -> Vec<u8> {
    let mut b = Vec::new();
    if let Ok(f) = z.by_index(i) {
        let _ = f.take(64 * 1024).read_to_end(&mut b);
    }
    b
}

/// One HTTP message of a Fiddler archive, scrubbed (`drop_body` leaves its body out), with
/// the number of secrets replaced and of bodies left out undecoded (0 or 1).
fn scrub_message(b: &[u8], limits: &Limits, drop_body: bool) -> (Vec<u8>, usize, usize) {
    let Some((start, headers, body)) = crate::saz::message(b) else {
        return (Vec::new(), 0, 0);
    };
    let mut n = 0;
    let (start, k) = scrub_text(&start);
    n += k;
    // A body that cannot be decoded cannot be scrubbed either: it is left out (and
    // counted), never copied as it was.
    let mut left_out = 0;
    let mut body_bytes: Vec<u8> = if drop_body {
        Vec::new()
    } else {
        crate::saz::body_bytes(&headers, body, limits).unwrap_or_else(|_| {
            left_out = 1;
            Vec::new()
        })
    };
    if let Ok(t) = std::str::from_utf8(&body_bytes) {
        let (o, k) = scrub_text(t);
        if k > 0 {
            n += k;
            body_bytes = o.into_bytes();
        }
    }
    let mut out = String::new();
    out.push_str(&start);
    out.push_str("\r\n");
    for h in &headers {
        let lower = h.name.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "transfer-encoding" | "content-encoding" | "content-length"
        ) {
            continue;
        }
        let value = if SECRET_HEADERS.contains(&lower.as_str()) && !h.value.is_empty() {
            n += 1;
            MARK.to_string()
        } else {
            let (v, k) = scrub_text(&h.value);
            n += k;
            v
        };
        out.push_str(&h.name);
        out.push_str(": ");
        out.push_str(&value);
        out.push_str("\r\n");
    }
    if !body_bytes.is_empty()
        || headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("content-length"))
    {
        out.push_str(&format!("Content-Length: {}\r\n", body_bytes.len()));
    }
    if drop_body {
        out.push_str("X-Aadsts-Sanitized: body left out (larger than the entry bound)\r\n");
    } else if left_out > 0 {
        out.push_str("X-Aadsts-Sanitized: body left out (its encoding could not be read)\r\n");
    }
    out.push_str("\r\n");
    let mut v = out.into_bytes();
    v.extend_from_slice(&body_bytes);
    (v, n, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn scrubs_pairs_members_inputs_and_jwts() {
        let (o, n) = scrub_text("login=a%40b.c&passwd=hunter2&flowToken=AQAB&ps=2");
        assert_eq!(
            o,
            format!("login=a%40b.c&passwd={MARK}&flowToken={MARK}&ps=2")
        );
        assert_eq!(n, 2);
        let (o, _) = scrub_text(r#"{"access_token":"abc\"def","error_code":"x","code":"Short"}"#);
        assert_eq!(
            o,
            format!(r#"{{"access_token":"{MARK}","error_code":"x","code":"Short"}}"#)
        );
        let (o, _) = scrub_text(r#"<input type="hidden" name="code" value="0.AXoA123" />"#);
        assert!(o.contains(MARK) && !o.contains("0.AXoA123"));
        let (o, _) = scrub_text("see eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2ln here");
        assert_eq!(o, format!("see {MARK} here"));
        let (o, n) = scrub_text("error_code=50011&error_description=AADSTS50011");
        assert_eq!(
            (o.as_str(), n),
            ("error_code=50011&error_description=AADSTS50011", 0)
        );
    }
}
