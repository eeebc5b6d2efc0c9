//! Reads a browser capture of a Microsoft Entra sign-in (HAR 1.2 as Chrome, Edge, Firefox
//! and Safari save it, a Fiddler `.saz` archive, SAML-tracer's export) and finds in it what a support engineer looks for: the sign-in
//! journey hop by hop with the parameters that matter, the hop that failed, every AADSTS
//! error (in a `Location` header, an error page, a JSON token response, a form post, a
//! SAML `StatusMessage`) with the values around it, and the JWTs and SAML messages it
//! carries, decoded. [`sanitize`] and [`sanitize_saz`] write a copy safe to send to
//! support, in the input's format.
//!
//! Memory stays bounded whatever the size of the capture: see [`har`] for the bounds.
//! Nothing is sent anywhere. Token signatures are checked only against keys the user
//! gives ([`keys`]); SAML signatures are not checked.

pub mod b64;
pub mod cert;
pub mod har;
mod journey;
pub mod keys;
pub mod saml;
mod samltracer;
mod sanitize;
mod saz;
pub mod time;
pub mod token;
pub mod url;
pub mod xml;

pub use har::Limits;
pub use journey::{Cookie, Hop, HopError, Secret, Secrets, Side};
pub use sanitize::{sanitize, sanitize_saz, SanitizeStats};

use aadsts_extract::{Extraction, FoundError};
use serde::Serialize;
use std::path::Path;

/// Why a capture cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("cannot read {name}: {source}")]
    Io {
        name: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{name} is not a HAR capture: {reason}")]
    NotHar { name: String, reason: String },
    #[error("{name} is not a readable Fiddler archive: {reason}")]
    NotSaz { name: String, reason: String },
    #[error("cannot write {name}: {source}")]
    Write {
        name: String,
        #[source]
        source: std::io::Error,
    },
}

/// A JWT found in the capture.
#[derive(Debug, Clone, Serialize)]
pub struct FoundToken {
    /// Where it was: `id_token in the form post to https://app/signin-oidc (hop 7)`.
    pub source: String,
    /// The journey hop it belongs to, when it belongs to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hop: Option<usize>,
    #[serde(flatten)]
    pub token: token::Jwt,
}

/// A SAML message found in the capture.
#[derive(Debug, Clone, Serialize)]
pub struct FoundSaml {
    pub source: String,
    pub hop: usize,
    #[serde(flatten)]
    pub message: saml::SamlMessage,
}

/// A cross-check that failed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    /// `clock-skew`, `redirect-uri`, `token-time`, `saml-time`, `saml-in-response-to`,
    /// `saml-destination`, `saml-audience`, `federation-error`, `missing-cookie`,
    /// `third-party-cookies`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hop: Option<usize>,
    pub message: String,
}

/// One error of the capture, merged across the hops that carry it.
#[derive(Debug, Clone)]
pub struct TraceErrorFound {
    pub error: FoundError,
    /// Journey hop numbers where it appears (1-based).
    pub hops: Vec<usize>,
}

/// Everything read from one capture.
#[derive(Debug, Clone)]
pub struct Trace {
    pub name: String,
    /// `HAR 1.2` (the version the file declares).
    pub format: String,
    /// The program that wrote the capture, e.g. `WebInspector 537.36`.
    pub creator: String,
    /// `Chrome or Edge`, `Firefox`, `Safari`, `Fiddler`, or `unknown`.
    pub browser: &'static str,
    pub entries: usize,
    pub hops: Vec<Hop>,
    /// Journey number (1-based) of the hop that failed.
    pub failed_hop: Option<usize>,
    pub errors: Vec<TraceErrorFound>,
    pub tokens: Vec<FoundToken>,
    pub saml: Vec<FoundSaml>,
    /// What a support engineer would point out: cross-checks between hops, tokens and
    /// SAML messages.
    pub findings: Vec<Finding>,
    /// Entries skipped, strings cut, a file cut short.
    pub warnings: Vec<String>,
    /// First and last request time of the capture (RFC 3339 UTC).
    pub span: Option<(String, String)>,
    /// With keys: which file's keys token signatures were checked with, and that SAML
    /// signatures are not checked. `None`: nothing was checked.
    pub signatures: Option<String>,
    /// Whether cookies, codes, tokens and signatures are in full (passwords never are).
    pub secrets: Secrets,
}

impl Trace {
    /// The errors as an extraction, for the explain report.
    pub fn extraction(&self) -> Extraction {
        // Built from an empty extraction, so that fields the extractor adds later get
        // their empty values.
        let mut x = aadsts_extract::extract(b"");
        x.errors = self.errors.iter().map(|e| e.error.clone()).collect();
        x
    }
}

/// Reads a capture file: HAR, Fiddler `.saz` or SAML-tracer export, told apart by content.
pub fn read_path(
    path: &Path,
    limits: &Limits,
    catalog: &aadsts_catalog::Catalog,
) -> Result<Trace, TraceError> {
    read_path_with_keys(path, limits, catalog, None)
}

/// [`read_path`], checking the signatures of the capture's tokens against `keys`.
pub fn read_path_with_keys(
    path: &Path,
    limits: &Limits,
    catalog: &aadsts_catalog::Catalog,
    keys: Option<&keys::KeySet>,
) -> Result<Trace, TraceError> {
    read_path_with(
        path,
        limits,
        catalog,
        &ReadOptions {
            keys,
            secrets: Secrets::Masked,
        },
    )
}

/// What to do besides reading: check token signatures, show credentials in full.
#[derive(Clone, Copy, Default)]
pub struct ReadOptions<'k> {
    pub keys: Option<&'k keys::KeySet>,
    /// `Secrets::Shown` is for the CLI's `--show-secrets` only: the web never shows them.
    pub secrets: Secrets,
}

/// [`read_path`] with [`ReadOptions`].
pub fn read_path_with(
    path: &Path,
    limits: &Limits,
    catalog: &aadsts_catalog::Catalog,
    opts: &ReadOptions<'_>,
) -> Result<Trace, TraceError> {
    let keys = opts.keys;
    let b = journey::Builder::new(catalog)
        .with_keys(keys)
        .with_secrets(opts.secrets);
    let name = path.display().to_string();
    let t = read_path_inner(path, limits, b, name)?;
    Ok(Trace {
        signatures: keys.map(|k| {
            format!(
                "Token signatures checked with the {} key(s) of {}. {}",
                k.len(),
                k.source,
                keys::SAML_NOT_CHECKED
            )
        }),
        ..t
    })
}

fn read_path_inner(
    path: &Path,
    limits: &Limits,
    b: journey::Builder<'_>,
    name: String,
) -> Result<Trace, TraceError> {
    let mut file = std::fs::File::open(path).map_err(|source| TraceError::Io {
        name: name.clone(),
        source,
    })?;
    let mut magic = [0u8; 4];
    let n = std::io::Read::read(&mut file, &mut magic).map_err(|source| TraceError::Io {
        name: name.clone(),
        source,
    })?;
    let head = magic[..n].to_vec();
    if std::io::Seek::rewind(&mut file).is_err() {
        // A pipe (`/dev/stdin`, process substitution): go on after the bytes already read.
        if head == b"PK\x03\x04" {
            return Err(TraceError::NotSaz {
                name,
                reason: "a Fiddler archive must be a regular file, not a pipe".into(),
            });
        }
        let r = std::io::Read::chain(std::io::Cursor::new(head), file);
        return read_with(std::io::BufReader::new(r), &name, limits, b);
    }
    if head == b"PK\x03\x04" {
        return read_saz_with(std::io::BufReader::new(file), &name, limits, b);
    }
    read_with(std::io::BufReader::new(file), &name, limits, b)
}

/// Reads a Fiddler session archive (`.saz`).
pub fn read_saz<R: std::io::Read + std::io::Seek>(
    r: R,
    name: &str,
    limits: &Limits,
    catalog: &aadsts_catalog::Catalog,
) -> Result<Trace, TraceError> {
    read_saz_with(r, name, limits, journey::Builder::new(catalog))
}

fn read_saz_with<R: std::io::Read + std::io::Seek>(
    r: R,
    name: &str,
    limits: &Limits,
    mut b: journey::Builder<'_>,
) -> Result<Trace, TraceError> {
    let mut warnings = Vec::new();
    let n = saz::sessions(r, limits, |i, e| b.entry(i, e), |w| warnings.push(w)).map_err(
        |saz::SazError(reason)| TraceError::NotSaz {
            name: name.to_string(),
            reason,
        },
    )?;
    let mut t = b.finish(name);
    t.format = "Fiddler .saz".into();
    t.creator = "Fiddler".into();
    t.browser = "Fiddler";
    t.entries = n;
    warnings.append(&mut t.warnings);
    t.warnings = warnings;
    Ok(t)
}

/// Reads a capture from any reader; `name` names it in messages.
pub fn read<R: std::io::Read>(
    r: R,
    name: &str,
    limits: &Limits,
    catalog: &aadsts_catalog::Catalog,
) -> Result<Trace, TraceError> {
    read_with(r, name, limits, journey::Builder::new(catalog))
}

fn read_with<R: std::io::Read>(
    r: R,
    name: &str,
    limits: &Limits,
    mut b: journey::Builder<'_>,
) -> Result<Trace, TraceError> {
    let mut outer: Vec<u8> = Vec::new();
    let mut outer_full = false;
    let mut head: Vec<u8> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut entries = 0usize;
    let io = |source| TraceError::Io {
        name: name.to_string(),
        source,
    };
    let mut sniff = Sniff {
        inner: r,
        head: &mut head,
    };
    let end = har::scan::<_, ScanErr>(&mut sniff, limits, |chunk| {
        match chunk {
            har::Chunk::Outer(bytes) => {
                if outer.len() + bytes.len() <= limits.max_outer {
                    outer.extend_from_slice(bytes);
                } else {
                    outer_full = true;
                }
            }
            har::Chunk::Entry {
                index,
                kind,
                json,
                cut_strings,
            } => {
                entries += 1;
                if !outer_full {
                    outer.extend_from_slice(b"null");
                }
                if cut_strings > 0 {
                    warnings.push(format!(
                        "entry {index}: {cut_strings} value(s) longer than {} MiB left out (page assets, usually)",
                        limits.max_string >> 20
                    ));
                }
                let parsed = match kind {
                    har::Kind::Har => serde_json::from_slice::<har::Entry>(json),
                    har::Kind::SamlTracer => {
                        serde_json::from_slice::<samltracer::TracedRequest>(json)
                            .map(|r| r.to_entry())
                    }
                };
                match parsed {
                    Ok(e) => b.entry(index, &e),
                    Err(e) => warnings.push(format!("entry {index} skipped: {e}")),
                }
            }
            har::Chunk::Oversize { index } => {
                entries += 1;
                if !outer_full {
                    outer.extend_from_slice(b"null");
                }
                warnings.push(format!(
                    "entry {index} skipped: larger than {} MiB even with long values left out",
                    limits.max_entry >> 20
                ));
            }
        }
        Ok(())
    })
    .map_err(|ScanErr(e)| io(e))?;
    if !end.found_entries {
        return Err(TraceError::NotHar {
            name: name.to_string(),
            reason: not_har_reason(&head),
        });
    }
    if end.truncated {
        warnings.push(format!(
            "the file ends in the middle of the JSON after {entries} entries: the capture was cut short; read what is there"
        ));
    }
    if end.kind == Some(har::Kind::SamlTracer) {
        let mut t = b.finish(name);
        t.format = "SAML-tracer export".into();
        t.creator = "SAML-tracer browser add-on".into();
        t.browser = "SAML-tracer";
        t.entries = entries;
        warnings.push(
            "SAML-tracer keeps no response bodies and no request times: errors in pages and JSON answers are not in the export, and times are the servers' Date headers".into(),
        );
        warnings.append(&mut t.warnings);
        t.warnings = warnings;
        return Ok(t);
    }
    let envelope: har::Envelope = if outer_full || end.truncated {
        har::Envelope::default()
    } else {
        serde_json::from_slice(&outer).unwrap_or_default()
    };
    let creator = &envelope.log.creator;
    let browser_name = envelope
        .log
        .browser
        .as_ref()
        .map(|b| b.name.as_str())
        .unwrap_or("");
    let browser = dialect(&creator.name, browser_name);
    let mut t = b.finish(name);
    t.format = format!(
        "HAR {}",
        if envelope.log.version.is_empty() {
            "1.2"
        } else {
            &envelope.log.version
        }
    );
    t.creator = format!("{} {}", creator.name, creator.version)
        .trim()
        .to_string();
    t.browser = browser;
    t.entries = entries;
    warnings.append(&mut t.warnings);
    t.warnings = warnings;
    Ok(t)
}

struct ScanErr(std::io::Error);
impl From<std::io::Error> for ScanErr {
    fn from(e: std::io::Error) -> Self {
        ScanErr(e)
    }
}

/// Keeps the first bytes read, to say what a file is when it is not HAR.
pub(crate) struct Sniff<'a, R> {
    pub(crate) inner: R,
    pub(crate) head: &'a mut Vec<u8>,
}

impl<R: std::io::Read> std::io::Read for Sniff<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.head.len() < 512 {
            let take = n.min(512 - self.head.len());
            self.head.extend_from_slice(&buf[..take]);
        }
        Ok(n)
    }
}

pub(crate) fn not_har_reason(head: &[u8]) -> String {
    let h = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = h.iter().position(|c| !c.is_ascii_whitespace());
    if h.is_empty() || first.is_none() {
        return "the file is empty".into();
    }
    if h.starts_with(b"PK\x03\x04") {
        return "it is a zip archive (a Fiddler .saz?): `aadsts trace` reads it as a file, not through a pipe".into();
    }
    if h.starts_with(&[0x1f, 0x8b]) {
        return "it is gzip-compressed; decompress it first (gzip -d)".into();
    }
    if h.starts_with(&[0xFF, 0xFE]) || h.starts_with(&[0xFE, 0xFF]) {
        return "it is UTF-16 text; HAR files are UTF-8 JSON".into();
    }
    let t = &h[first.unwrap_or(0)..];
    if t.starts_with(b"{") {
        "it is JSON, but has no `log.entries` array (HAR 1.2 files have {\"log\": {\"entries\": [...]}}) and no `requests` array (SAML-tracer's export)".into()
    } else if t.starts_with(b"[") {
        "it is a JSON array, not a HAR object with `log.entries` or a SAML-tracer export with `requests`".into()
    } else if t.starts_with(b"<") {
        "it is XML or HTML, not HAR JSON".into()
    } else {
        "it does not start with a JSON object; HAR files start with {\"log\": …".into()
    }
}

fn dialect(creator: &str, browser: &str) -> &'static str {
    let c = format!("{creator} {browser}").to_ascii_lowercase();
    if c.contains("firefox") {
        "Firefox"
    } else if c.contains("webkit web inspector") || c.contains("safari") {
        "Safari"
    } else if c.contains("webinspector") || c.contains("chrome") || c.contains("edge") {
        "Chrome or Edge"
    } else if c.contains("fiddler") {
        "Fiddler"
    } else {
        "unknown"
    }
}

#[cfg(test)]
mod tests;
