//! Fiddler session archives (`.saz`): a zip of `raw/NN_c.txt` (the request as sent),
//! `raw/NN_s.txt` (the response as received) and `raw/NN_m.xml` (timers). Read with a small
//! zip reader of our own (stored and deflate members, which is what Fiddler writes), one
//! session at a time, each member bounded by [`Limits::max_entry`].

use crate::har::{Content, Entry, Limits, Pair, PostData, Request, Response};
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};

/// Why an archive cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SazError(pub String);

struct Member {
    name: String,
    method: u16,
    flags: u16,
    compressed: u64,
    size: u64,
    offset: u64,
}

fn u16le(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn io(e: std::io::Error) -> SazError {
    SazError(format!("cannot read the archive: {e}"))
}

fn members<R: Read + Seek>(r: &mut R) -> Result<Vec<Member>, SazError> {
    let len = r.seek(SeekFrom::End(0)).map_err(io)?;
    let tail = len.min(65_557);
    r.seek(SeekFrom::Start(len - tail)).map_err(io)?;
    let mut buf = vec![0u8; tail as usize];
    r.read_exact(&mut buf).map_err(io)?;
    let eocd = (0..buf.len().saturating_sub(21))
        .rev()
        .find(|&i| buf[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .ok_or_else(|| SazError("the zip archive has no central directory (cut short?)".into()))?;
    let count = u16le(&buf, eocd + 10) as usize;
    let cd_size = u32le(&buf, eocd + 12) as u64;
    let cd_off = u32le(&buf, eocd + 16) as u64;
    if cd_off == u64::from(u32::MAX) || cd_size > 64 << 20 || cd_off + cd_size > len {
        return Err(SazError(
            "the zip archive is ZIP64 or damaged; export the sessions as HAR instead".into(),
        ));
    }
    r.seek(SeekFrom::Start(cd_off)).map_err(io)?;
    let mut cd = vec![0u8; cd_size as usize];
    r.read_exact(&mut cd).map_err(io)?;
    let mut out = Vec::with_capacity(count);
    let mut p = 0;
    while p + 46 <= cd.len() && cd[p..p + 4] == [0x50, 0x4b, 0x01, 0x02] {
        let n = u16le(&cd, p + 28) as usize;
        let e = u16le(&cd, p + 30) as usize;
        let c = u16le(&cd, p + 32) as usize;
        let Some(name) = cd.get(p + 46..p + 46 + n) else {
            break;
        };
        out.push(Member {
            name: String::from_utf8_lossy(name).replace('\\', "/"),
            flags: u16le(&cd, p + 8),
            method: u16le(&cd, p + 10),
            compressed: u64::from(u32le(&cd, p + 20)),
            size: u64::from(u32le(&cd, p + 24)),
            offset: u64::from(u32le(&cd, p + 42)),
        });
        p += 46 + n + e + c;
    }
    Ok(out)
}

fn read_member<R: Read + Seek>(
    r: &mut R,
    m: &Member,
    limits: &Limits,
) -> Result<Result<Vec<u8>, String>, SazError> {
    if m.flags & 1 != 0 {
        return Err(SazError(
            "the archive is password-protected; save the sessions without a password".into(),
        ));
    }
    if m.size > limits.max_entry as u64 {
        return Ok(Err(format!(
            "{} is larger than {} MiB; left out",
            m.name,
            limits.max_entry >> 20
        )));
    }
    r.seek(SeekFrom::Start(m.offset)).map_err(io)?;
    let mut h = [0u8; 30];
    r.read_exact(&mut h).map_err(io)?;
    if h[..4] != [0x50, 0x4b, 0x03, 0x04] {
        return Ok(Err(format!("{}: damaged local header; left out", m.name)));
    }
    let skip = u16le(&h, 26) as i64 + u16le(&h, 28) as i64;
    r.seek(SeekFrom::Current(skip)).map_err(io)?;
    let raw = r.by_ref().take(m.compressed);
    let mut out = Vec::with_capacity(m.size.min(1 << 20) as usize);
    let limit = limits.max_entry as u64 + 1;
    let res = match m.method {
        0 => raw.take(limit).read_to_end(&mut out),
        8 => flate2::read::DeflateDecoder::new(raw)
            .take(limit)
            .read_to_end(&mut out),
        other => {
            return Ok(Err(format!(
                "{}: compression method {other} is not read; left out",
                m.name
            )))
        }
    };
    if let Err(e) = res {
        return Ok(Err(format!("{}: {e}; left out", m.name)));
    }
    if out.len() as u64 >= limit {
        return Ok(Err(format!(
            "{} is larger than {} MiB; left out",
            m.name,
            limits.max_entry >> 20
        )));
    }
    Ok(Ok(out))
}

/// Every session of the archive as a HAR entry, in session order, to `f`; problems with
/// single sessions go to `warn`.
pub fn sessions<R: Read + Seek>(
    mut r: R,
    limits: &Limits,
    mut f: impl FnMut(usize, &Entry),
    mut warn: impl FnMut(String),
) -> Result<usize, SazError> {
    let all = members(&mut r)?;
    // Session number → (request, response, metadata) members.
    let mut by: BTreeMap<u64, [Option<usize>; 3]> = BTreeMap::new();
    for (i, m) in all.iter().enumerate() {
        let Some(file) = m.name.strip_prefix("raw/") else {
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
            match read_member(&mut r, &all[i], limits)? {
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
        match entry(&req, resp.as_deref(), meta.as_deref(), limits) {
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
fn message(b: &[u8]) -> Option<(String, Vec<Pair>, &[u8])> {
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

fn body_text(headers: &[Pair], body: &[u8], limits: &Limits) -> String {
    let mut b: Vec<u8> = body.to_vec();
    if header(headers, "transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        b = dechunk(&b);
    }
    let limit = limits.max_string as u64;
    match header(headers, "content-encoding")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("gzip") => {
            let mut out = Vec::new();
            if flate2::read::GzDecoder::new(&b[..])
                .take(limit)
                .read_to_end(&mut out)
                .is_ok()
            {
                b = out;
            }
        }
        Some("deflate") => {
            let mut out = Vec::new();
            if flate2::read::ZlibDecoder::new(&b[..])
                .take(limit)
                .read_to_end(&mut out)
                .is_ok()
            {
                b = out;
            }
        }
        Some("br") => return String::new(),
        _ => {}
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn entry(req: &[u8], resp: Option<&[u8]>, meta: Option<&[u8]>, limits: &Limits) -> Option<Entry> {
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
        text: body_text(&headers, body, limits),
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
            text: body_text(&rh, rbody, limits),
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
        },
        response,
    })
}
