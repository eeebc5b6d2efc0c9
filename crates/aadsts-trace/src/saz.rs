//! Fiddler session archives (`.saz`): a zip of `raw/NN_c.txt` (the request as sent),
//! `raw/NN_s.txt` (the response as received) and `raw/NN_m.xml` (timers). Read with the
//! `zip` crate (stored and deflate members, ZIP64 included), one session at a time, each
//! member bounded by [`Limits::max_entry`].

use crate::har::{Content, Entry, Limits, Pair, PostData, Request, Response};
use std::collections::BTreeMap;
use std::io::{Read, Seek};

/// Why an archive cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SazError(pub String);

fn open<R: Read + Seek>(r: R) -> Result<zip::ZipArchive<R>, SazError> {
    zip::ZipArchive::new(r).map_err(|e| match e {
        zip::result::ZipError::Io(e) => SazError(format!("cannot read the archive: {e}")),
        e => SazError(format!("the zip archive is damaged or cut short ({e})")),
    })
}

/// A member's bytes, decompressed, at most `max` of them; `Ok(Err(why))` when this member
/// is left out, `Err` when the whole archive cannot be read.
pub(crate) fn read_member<R: Read + Seek>(
    z: &mut zip::ZipArchive<R>,
    i: usize,
    max: usize,
) -> Result<Result<Vec<u8>, String>, SazError> {
    let name = z.name_for_index(i).unwrap_or("?").to_string();
    let f = match z.by_index(i) {
        Ok(f) => f,
        Err(zip::result::ZipError::UnsupportedArchive(m)) if m.contains("assword") => {
            return Err(SazError(
                "the archive is password-protected; save the sessions without a password".into(),
            ))
        }
        Err(e) => return Ok(Err(format!("{name}: {e}; left out"))),
    };
    if f.size() > max as u64 {
        return Ok(Err(format!(
            "{name} is larger than {} MiB; left out",
            max >> 20
        )));
    }
    let mut out = Vec::with_capacity(f.size().min(1 << 20) as usize);
    let limit = max as u64 + 1;
    if let Err(e) = f.take(limit).read_to_end(&mut out) {
        return Ok(Err(format!("{name}: {e}; left out")));
    }
    if out.len() as u64 >= limit {
        return Ok(Err(format!(
            "{name} is larger than {} MiB; left out",
            max >> 20
        )));
    }
    Ok(Ok(out))
}

/// Every session of the archive as a HAR entry, in session order, to `f`; problems with
/// single sessions go to `warn`.
pub fn sessions<R: Read + Seek>(
    r: R,
    limits: &Limits,
    mut f: impl FnMut(usize, &Entry),
    mut warn: impl FnMut(String),
) -> Result<usize, SazError> {
    let mut z = open(r)?;
    // Session number → (request, response, metadata) members.
    let mut by: BTreeMap<u64, [Option<usize>; 3]> = BTreeMap::new();
    for i in 0..z.len() {
        let name = z.name_for_index(i).unwrap_or("").replace('\\', "/");
        let Some(file) = name.strip_prefix("raw/") else {
            continue;
        };
        let Some((num, kind)) = file.split_once('_') else {
            continue;
        };
        let Ok(n) = num.parse::<u64>() else { continue };
        let slot = match kind {
            "c.txt" => 0,
            "s.txt" => 1,
            "m.xml" => 2,
            _ => continue,
        };
        by.entry(n).or_default()[slot] = Some(i);
    }
    if by.is_empty() {
        return Err(SazError(
            "the zip archive has no raw/NN_c.txt sessions: it is not a Fiddler .saz".into(),
        ));
    }
    let mut count = 0;
    for (index, (num, [c, s, m])) in by.into_iter().enumerate() {
        let mut get = |slot: Option<usize>| -> Result<Option<Vec<u8>>, SazError> {
            let Some(i) = slot else { return Ok(None) };
            match read_member(&mut z, i, limits.max_entry)? {
                Ok(b) => Ok(Some(b)),
                Err(w) => {
                    warn(w);
                    Ok(None)
                }
            }
        };
        let Some(req) = get(c)? else { continue };
        let resp = get(s)?;
        let meta = get(m)?;
        match entry(
            num,
            &req,
            resp.as_deref(),
            meta.as_deref(),
            limits,
            &mut warn,
        ) {
            Some(e) => {
                f(index, &e);
                count += 1;
            }
            None => warn(format!("session {num}: not an HTTP request; left out")),
        }
    }
    Ok(count)
}

/// Splits an HTTP message into its start line, headers and body.
pub(crate) fn message(b: &[u8]) -> Option<(String, Vec<Pair>, &[u8])> {
    let end = b
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, p + 4))
        .or_else(|| b.windows(2).position(|w| w == b"\n\n").map(|p| (p, p + 2)))
        .unwrap_or((b.len(), b.len()));
    let head = String::from_utf8_lossy(&b[..end.0]);
    let mut lines = head.lines();
    let start = lines.next()?.trim().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| Pair {
            name: k.trim().to_string(),
            value: v.trim().to_string(),
        })
        .collect();
    Some((start, headers, &b[end.1..]))
}

fn header<'a>(h: &'a [Pair], name: &str) -> Option<&'a str> {
    h.iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .map(|p| p.value.as_str())
}

fn dechunk(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut p = 0;
    while p < b.len() {
        let Some(nl) = b[p..].iter().position(|&c| c == b'\n') else {
            break;
        };
        let line = String::from_utf8_lossy(&b[p..p + nl]);
        let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16);
        p += nl + 1;
        match size {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let e = (p + n).min(b.len());
                out.extend_from_slice(&b[p..e]);
                p = e;
                while p < b.len() && (b[p] == b'\r' || b[p] == b'\n') {
                    p += 1;
                }
            }
        }
    }
    out
}

/// A body as text, or why it could not be read.
pub(crate) fn body_text(headers: &[Pair], body: &[u8], limits: &Limits) -> Result<String, String> {
    body_bytes(headers, body, limits).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// A message body with its transfer and content encodings undone (gzip, deflate and brotli:
/// browsers ask for brotli, and Entra's sign-in pages come back in it), or why it cannot
/// be: an encoding not read here (`zstd` …) or a body that does not decode. The caller
/// counts it; nothing is dropped silently.
pub(crate) fn body_bytes(
    headers: &[Pair],
    body: &[u8],
    limits: &Limits,
) -> Result<Vec<u8>, String> {
    let mut b: Vec<u8> = body.to_vec();
    if header(headers, "transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        b = dechunk(&b);
    }
    if b.is_empty() {
        return Ok(b);
    }
    let limit = limits.max_string as u64;
    let decoded = |r: &mut dyn Read, name: &str| -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        r.take(limit)
            .read_to_end(&mut out)
            .map_err(|e| format!("its {name} body does not decode ({e})"))?;
        Ok(out)
    };
    match header(headers, "content-encoding")
        .map(|e| e.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("") | Some("identity") => Ok(b),
        Some("gzip") | Some("x-gzip") => decoded(&mut flate2::read::GzDecoder::new(&b[..]), "gzip"),
        Some("deflate") => decoded(&mut flate2::read::ZlibDecoder::new(&b[..]), "deflate"),
        Some("br") => decoded(
            &mut brotli_decompressor::Decompressor::new(&b[..], 4096),
            "brotli",
        ),
        Some(other) => Err(format!(
            "its body is in the {other} encoding, which is not read"
        )),
    }
}

/// One session as a HAR entry; a body that cannot be decoded is left empty and said in
/// `warn`.
fn entry(
    num: u64,
    req: &[u8],
    resp: Option<&[u8]>,
    meta: Option<&[u8]>,
    limits: &Limits,
    warn: &mut dyn FnMut(String),
) -> Option<Entry> {
    let mut text = |h: &[Pair], b: &[u8], what: &str| {
        body_text(h, b, limits).unwrap_or_else(|why| {
            warn(format!("session {num}: the {what} was not read: {why}"));
            String::new()
        })
    };
    let (start, headers, body) = message(req)?;
    let mut parts = start.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    if method.eq_ignore_ascii_case("CONNECT") {
        return None;
    }
    let url = if target.starts_with('/') {
        format!("https://{}{target}", header(&headers, "host").unwrap_or(""))
    } else {
        target
    };
    let post_data = (!body.is_empty()).then(|| PostData {
        mime_type: header(&headers, "content-type").unwrap_or("").to_string(),
        text: text(&headers, body, "request body"),
        params: Vec::new(),
    });
    let mut response = Response::default();
    if let Some((line, rh, rbody)) = resp.and_then(message) {
        let mut p = line.splitn(3, ' ');
        let _version = p.next();
        response.status = p.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        response.status_text = p.next().unwrap_or("").to_string();
        response.content = Content {
            mime_type: header(&rh, "content-type").unwrap_or("").to_string(),
            text: text(&rh, rbody, "response body"),
            encoding: String::new(),
        };
        response.redirect_url = header(&rh, "location").unwrap_or("").to_string();
        response.headers = rh;
    }
    let started = meta
        .map(String::from_utf8_lossy)
        .and_then(|m| {
            crate::xml::elements(&m)
                .into_iter()
                .find(|e| e.name == "SessionTimers")
                .and_then(|e| e.attr("ClientBeginRequest").map(str::to_string))
        })
        .unwrap_or_default();
    Some(Entry {
        started_date_time: started,
        request: Request {
            method,
            url,
            headers,
            post_data,
            cookies: Vec::new(),
        },
        response,
    })
}
