//! A sign-in trace (`aadsts trace`) and decoded tokens (`aadsts token`) as JSON documents
//! (`aadsts.trace/1`, `aadsts.token/1`) and as HTML: a self-contained report for
//! `--format html`, or a fragment inside the web site's layout. The CLI and the server both
//! call these, so a capture reads the same everywhere.
//!
//! Values from a capture are data: every one goes through a maud template (escaped); only
//! the knowledge base's own Markdown (pages, tailored steps) is spliced as markup, rendered
//! with raw HTML disabled. Secrets are masked in the trace model (URLs, cookies, codes and
//! tokens cut to four characters, token values and signatures not kept) unless it was read
//! with `Secrets::Shown` (`--show-secrets`, the CLI only); passwords are never in it, so
//! nothing here can show one.

use crate::html::{self, Links};
use crate::{json, markdown, report};
use aadsts_catalog::Catalog;
use aadsts_trace::saml::{self, SamlMessage};
use aadsts_trace::token::{self, Jwt};
use aadsts_trace::{Finding, FoundSaml, FoundToken, Hop, Secrets, Side, Trace};
use maud::{html as m, Markup, PreEscaped};
use serde::Serialize;
use std::fmt::Write as _;

pub const TRACE_SCHEMA: &str = "aadsts.trace/1";
pub const TOKEN_SCHEMA: &str = "aadsts.token/1";

/// Said wherever a token or SAML message is shown.
pub const NOT_CHECKED: &str =
    "Signatures are not checked: decoding only, nothing is verified or sent.";

/// Said at the top of a report read with `--show-secrets`.
pub const SECRETS_SHOWN: &str = "Secrets shown (--show-secrets): this report holds live credentials (cookies, codes, tokens and their signatures); passwords are never shown. Do not send it to anyone.";

/// Said at the top of a masked report.
pub const SECRETS_MASKED: &str = "Secrets (passwords, codes, cookies, tokens) are masked.";

/// What was checked, for the top-level `signatures` of the JSON documents and the first
/// line of the other formats: `not checked` without keys; with keys the line of the reader
/// (which keys, SAML not checked) and the tokens' verdicts counted.
pub fn signatures_summary<'a>(line: Option<&str>, jwts: impl Iterator<Item = &'a Jwt>) -> String {
    let Some(line) = line else {
        return "not checked".into();
    };
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for j in jwts {
        match counts.iter_mut().find(|(v, _)| *v == j.signature) {
            Some(c) => c.1 += 1,
            None => counts.push((j.signature, 1)),
        }
    }
    if counts.is_empty() {
        return format!("{line} No JWT to check.");
    }
    let list: Vec<String> = counts.iter().map(|(v, n)| format!("{n} {v}")).collect();
    format!("{line} JWT signatures: {}.", list.join(", "))
}

/// [`signatures_summary`] of a trace.
pub fn trace_signatures(t: &Trace) -> String {
    signatures_summary(t.signatures.as_deref(), t.tokens.iter().map(|x| &x.token))
}

/// The one-line signatures note of the text, Markdown and HTML formats: the sentence
/// without keys, else the summary the JSON carries.
fn signatures_note(summary: &str) -> &str {
    if summary == "not checked" {
        NOT_CHECKED
    } else {
        summary
    }
}

/// [`signatures_note`] of a trace.
pub fn trace_signatures_note(t: &Trace) -> String {
    signatures_note(&trace_signatures(t)).to_string()
}

/// The decoded JWTs of `aadsts token`.
fn jwts(decoded: &[Decoded]) -> impl Iterator<Item = &Jwt> {
    decoded.iter().filter_map(|d| match d {
        Decoded::Jwt(j) => Some(j.as_ref()),
        Decoded::Saml(_) => None,
    })
}

/// The signatures note of `aadsts token` in the text, Markdown and HTML formats.
pub fn token_signatures_note(decoded: &[Decoded], keys_line: Option<&str>) -> String {
    signatures_note(&signatures_summary(keys_line, jwts(decoded))).to_string()
}

// ---------------------------------------------------------------------------------------
// JSON

/// What `--sanitized` wrote, for the `sanitized` member of the trace document.
#[derive(Debug, Clone, Serialize)]
pub struct SanitizedJson {
    pub path: String,
    pub entries: usize,
    pub replaced: usize,
    pub left_out: usize,
    pub stubs: usize,
    pub truncated: bool,
}

#[derive(Serialize)]
struct TraceJson<'a> {
    schema: &'static str,
    file: &'a str,
    format: &'a str,
    browser: &'a str,
    creator: &'a str,
    entries: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_request: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_request: Option<&'a str>,
    signatures: String,
    failed_hop: Option<usize>,
    journey: &'a [Hop],
    errors: Vec<ErrorHops>,
    findings: &'a [Finding],
    explain: Option<serde_json::Value>,
    tokens: &'a [FoundToken],
    saml: &'a [FoundSaml],
    warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    sanitized: Option<SanitizedJson>,
}

#[derive(Serialize)]
struct ErrorHops {
    code: u32,
    hops: Vec<usize>,
}

/// The `aadsts.trace/1` document of a capture.
pub fn trace_json(cat: &Catalog, t: &Trace, sanitized: Option<SanitizedJson>) -> String {
    let explain = (!t.errors.is_empty()).then(|| {
        let x = t.extraction();
        let r = report::build(cat, &x);
        serde_json::from_str(&report::json(cat, &r)).unwrap_or(serde_json::Value::Null)
    });
    json::to_string(&TraceJson {
        schema: TRACE_SCHEMA,
        file: &t.name,
        format: &t.format,
        browser: t.browser,
        creator: &t.creator,
        entries: t.entries,
        first_request: t.span.as_ref().map(|s| s.0.as_str()),
        last_request: t.span.as_ref().map(|s| s.1.as_str()),
        signatures: trace_signatures(t),
        failed_hop: t.failed_hop,
        journey: &t.hops,
        errors: t
            .errors
            .iter()
            .map(|e| ErrorHops {
                code: e.error.code,
                hops: e.hops.clone(),
            })
            .collect(),
        findings: &t.findings,
        explain,
        tokens: &t.tokens,
        saml: &t.saml,
        warnings: &t.warnings,
        sanitized,
    })
}

/// One decoded JWT or SAML message of `aadsts token`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Decoded {
    Jwt(Box<Jwt>),
    Saml(Box<SamlMessage>),
}

/// Why a text held nothing to decode; the message says what a token looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoToken(pub String);

impl std::fmt::Display for NoToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "found no JWT or SAML message to decode: {}. A JWT is three base64url parts joined by dots (eyJ….eyJ….…); a SAML message is XML, base64 (POST binding), deflate + base64 (redirect binding), or a URL with SAMLRequest=/SAMLResponse=. Opaque tokens (refresh tokens, v1 Microsoft account tokens) cannot be decoded.",
            self.0
        )
    }
}

impl std::error::Error for NoToken {}

/// Every JWT in `text` (judged at `now`, Unix seconds), or else the SAML message it is.
pub fn decode(text: &str, now: i64) -> Result<Vec<Decoded>, NoToken> {
    decode_with(text, now, |_, _| {})
}

/// [`decode`], calling `check` on each decoded JWT with the text it was decoded from (to
/// check its signature with keys the user gave).
pub fn decode_with(
    text: &str,
    now: i64,
    mut check: impl FnMut(&mut Jwt, &str),
) -> Result<Vec<Decoded>, NoToken> {
    let text = text.trim();
    let mut decoded: Vec<Decoded> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for raw in token::find_jwts(text) {
        match token::decode_jwt(raw, Some(now)) {
            Ok(mut j) => {
                check(&mut j, raw);
                decoded.push(Decoded::Jwt(Box::new(j)))
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    if decoded.is_empty() {
        match saml::decode(text, Some(now)) {
            Ok(m) => decoded.push(Decoded::Saml(Box::new(m))),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if !decoded.is_empty() {
        return Ok(decoded);
    }
    // A lone token-looking word that failed: say why it failed.
    let why = if text.starts_with("eyJ") {
        token::decode_jwt(text.split_whitespace().next().unwrap_or(text), None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    } else {
        problems.join("; ")
    };
    Err(NoToken(why))
}

#[derive(Serialize)]
struct TokenJson<'a> {
    schema: &'static str,
    signatures: String,
    checked_at: String,
    decoded: &'a [Decoded],
}

/// The `aadsts.token/1` document; `now` is the time validity was judged at, `keys_line`
/// what the signatures were checked with (`None`: not checked).
pub fn token_json(decoded: &[Decoded], now: i64, keys_line: Option<&str>) -> String {
    json::to_string(&TokenJson {
        schema: TOKEN_SCHEMA,
        signatures: signatures_summary(keys_line, jwts(decoded)),
        checked_at: aadsts_trace::time::rfc3339(now),
        decoded,
    })
}

// ---------------------------------------------------------------------------------------
// Shared pieces of the text, Markdown and HTML renderings

/// A claim or header value on one line: strings as they are, lists joined by spaces.
pub fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// `JWT access token, format v1.0; signature not checked; EXPIRED at …`.
pub fn jwt_title(j: &Jwt) -> String {
    let mut s = format!("JWT {}", j.kind);
    if let Some(v) = &j.version {
        let _ = write!(s, ", format v{v}");
    }
    let _ = write!(s, "; signature {}", j.signature);
    if let (Some(v), Some(at)) = (&j.validity, &j.checked_at) {
        let _ = write!(s, "; {} at {at}", v.to_uppercase());
    }
    s
}

/// `SAML Response, POST (base64) encoding; signature not checked`.
pub fn saml_title(m: &SamlMessage) -> String {
    format!(
        "SAML {}, {} encoding; signature {}",
        m.kind, m.encoding, m.signature
    )
}

/// The fields of a SAML message worth showing, in protocol order, with their labels.
pub fn saml_fields(m: &SamlMessage) -> Vec<(&'static str, String)> {
    let mut v: Vec<(&'static str, String)> = Vec::new();
    fn push(v: &mut Vec<(&'static str, String)>, k: &'static str, x: &Option<String>) {
        if let Some(x) = x {
            v.push((k, x.clone()));
        }
    }
    push(&mut v, "ID", &m.id);
    push(&mut v, "IssueInstant", &m.issue_instant);
    push(&mut v, "Issuer", &m.issuer);
    push(&mut v, "Destination", &m.destination);
    push(&mut v, "InResponseTo", &m.in_response_to);
    push(&mut v, "ACS URL", &m.assertion_consumer_service_url);
    push(&mut v, "ProtocolBinding", &m.protocol_binding);
    push(&mut v, "NameIDPolicy", &m.name_id_policy_format);
    push(&mut v, "ForceAuthn", &m.force_authn);
    push(&mut v, "IsPassive", &m.is_passive);
    push(&mut v, "RequestedAuthnCtx", &m.requested_authn_context);
    let status = m.status_code.as_ref().map(|c| {
        let mut s = saml::short_status(c).to_string();
        if let Some(sub) = &m.status_sub_code {
            let _ = write!(s, " / {}", saml::short_status(sub));
        }
        s
    });
    push(&mut v, "StatusCode", &status);
    push(&mut v, "StatusMessage", &m.status_message);
    push(&mut v, "Assertion issuer", &m.assertion_issuer);
    if !m.audiences.is_empty() {
        v.push(("Audience", m.audiences.join(", ")));
    }
    let nameid = m.name_id.as_ref().map(|n| match &m.name_id_format {
        Some(f) => format!("{n} (format {})", f.rsplit(':').next().unwrap_or(f)),
        None => n.clone(),
    });
    push(&mut v, "NameID", &nameid);
    push(&mut v, "NotBefore", &m.not_before);
    push(&mut v, "NotOnOrAfter", &m.not_on_or_after);
    push(&mut v, "Recipient", &m.recipient);
    push(&mut v, "AuthnContext", &m.authn_context_class_ref);
    push(&mut v, "AuthnInstant", &m.authn_instant);
    for (name, vals) in &m.attributes {
        v.push(("Attribute", format!("{name} = {}", vals.join(", "))));
    }
    v.push((
        "Signed",
        format!("{} (not checked)", if m.signed { "yes" } else { "no" }),
    ));
    if let Some(c) = &m.certificate {
        v.push((
            "Certificate",
            format!(
                "{} (issuer {}), thumbprint {}, valid {} – {}",
                c.subject, c.issuer, c.thumbprint, c.not_before, c.not_after
            ),
        ));
    }
    if m.encrypted_assertion {
        v.push(("Assertion", "encrypted".into()));
    }
    v
}

/// The first sentence of a service message (at most 200 characters), for one-line places.
pub fn first_sentence(m: &str) -> String {
    let m = m.trim();
    let cut = m
        .char_indices()
        .find(|&(i, c)| c == '.' && m[i + 1..].starts_with(' ') && i > 20)
        .map_or(m.len(), |(i, _)| i + 1);
    let cut = if cut > 200 {
        m.char_indices().nth(200).map_or(m.len(), |(i, _)| i)
    } else {
        cut
    };
    let mut s = m[..cut].to_string();
    if cut < m.len() {
        s.push('…');
    }
    s
}

/// `hop 4: POST https://… (Entra ID, credentials) answered with AADSTS65001`.
pub fn failed_line(t: &Trace) -> Option<String> {
    let n = t.failed_hop?;
    let h = t.hops.get(n.checked_sub(1)?)?;
    Some(format!(
        "hop {n}: {} {} ({}, {}) {}",
        h.method,
        aadsts_trace::url::base(&h.url),
        h.party,
        h.role,
        h.failure.as_deref().unwrap_or("failed")
    ))
}

/// Why a capture gave nothing to show (no request of a sign-in, no token), or `None` when
/// it holds something.
pub fn nothing_found(t: &Trace) -> Option<String> {
    (t.hops.is_empty() && t.tokens.is_empty()).then(|| format!(
        "{}: none of its {} requests belongs to a Microsoft Entra sign-in (login.microsoftonline.com, login.microsoft.com, login.live.com, national clouds, *.b2clogin.com, *.ciamlogin.com, AD FS /adfs/, Seamless SSO, device login). Was the capture started before signing in, with \"Preserve log\" on?",
        t.name, t.entries
    ))
}

/// A hop's credentials as label and value lines, for text, Markdown and HTML alike:
/// cookies sent and set, the `Authorization` header, codes and tokens (masked unless the
/// trace was read with `--show-secrets`).
pub fn hop_credentials(h: &Hop) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    let pair = |c: &aadsts_trace::Cookie| format!("{}={}", c.name, c.value);
    if !h.cookies_sent.is_empty() {
        let list: Vec<String> = h.cookies_sent.iter().map(pair).collect();
        v.push(("cookies sent".into(), list.join("; ")));
    }
    for c in &h.cookies_set {
        let mut line = pair(c);
        if let Some(a) = &c.attributes {
            let _ = write!(line, " ({a})");
        }
        v.push(("cookie set".into(), line));
    }
    if let Some(a) = &h.authorization {
        v.push(("Authorization".into(), a.clone()));
    }
    for x in &h.secrets {
        let label = match x.side {
            Side::Request => x.name.clone(),
            Side::Response => format!("{} (answer)", x.name),
        };
        v.push((label, x.value.clone()));
    }
    v
}

/// The parameters a hop shows in text and HTML (`error` and `error_description` are in
/// the error lines and in JSON).
pub fn shown_param(k: &str) -> bool {
    k != "error_description" && k != "error"
}

// ---------------------------------------------------------------------------------------
// HTML

/// Styles of the trace and token reports; part of the body, so the site page and the
/// standalone file look the same. Long values (URLs, scopes, claims JSON, tokens) wrap
/// inside their box at any width; below 700 px the journey table turns into one card per
/// hop.
const TRACE_STYLE: &str = "body{max-width:72rem}\
.trace .meta{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.15rem .8rem;margin:.5rem 0}.trace .meta dt{font-weight:600}.trace .meta dd{margin:0;overflow-wrap:anywhere}\
.trace .failed-box{border-left:4px solid #c5221f;background:#fce8e6;padding:.5rem .8rem;margin:1rem 0}.trace .failed-box p{margin:.2rem 0}\
.trace .ok-box{border-left:4px solid #188038;background:#e6f4ea;padding:.5rem .8rem;margin:1rem 0}\
.trace .v{font-family:ui-monospace,monospace;font-size:.9rem;overflow-wrap:anywhere;word-break:break-word}\
table.journey{border-collapse:collapse;width:100%;font-size:.95rem}table.journey th{white-space:nowrap}\
table.journey tr.hop>td{border-top:2px solid #bbb;border-bottom:none}table.journey tr.detail>td{border-top:none;padding-top:0}\
table.journey td.n{font-weight:700;white-space:nowrap}table.journey .host{font-weight:600;overflow-wrap:anywhere}table.journey .path{font-family:ui-monospace,monospace;font-size:.85rem;overflow-wrap:anywhere;word-break:break-all}\
table.journey .time{color:#555;font-size:.8rem;font-variant-numeric:tabular-nums}\
table.journey tr.failed>td{background:#fce8e6}table.journey tr.failed>td:first-child{box-shadow:inset 4px 0 #c5221f}\
table.journey tr.warn>td:first-child{box-shadow:inset 4px 0 #f9ab00}\
.st{display:inline-block;border-radius:.6rem;padding:0 .45rem;font-variant-numeric:tabular-nums;background:#e8eaed;color:#1b1b1b}.st-3{background:#e8f0fe}.st-4,.st-5{background:#c5221f;color:#fff}\
.mark-failed{display:inline-block;background:#c5221f;color:#fff;border-radius:.6rem;padding:0 .5rem;font-size:.8rem;font-weight:700}\
dl.params{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.05rem .8rem;margin:.2rem 0 .4rem}dl.params dt{font-family:ui-monospace,monospace;font-size:.85rem;color:#555}\
dl.params dd{margin:0;font-family:ui-monospace,monospace;font-size:.85rem;overflow-wrap:anywhere;word-break:break-word}\
ul.hop-errors{margin:.2rem 0;padding-left:1.2rem}ul.hop-errors li{overflow-wrap:anywhere}\
.trace blockquote{margin:.5rem 0;padding-left:.8rem;border-left:3px solid #bbb}.trace section.err{border:1px solid #ddd;border-radius:6px;padding:.2rem .9rem .6rem;margin:1rem 0}.trace section.err h3{margin:.5rem 0 .3rem}\
.trace table.kv th{width:11rem;font-weight:600}.trace table.kv td{overflow-wrap:anywhere;word-break:break-word}\
.trace details.page{margin:.5rem 0}.trace details.page>summary{cursor:pointer;font-weight:600}.trace details.page h1{font-size:1.3rem}\
.trace .tok{border:1px solid #ddd;border-radius:6px;padding:.2rem .9rem .6rem;margin:1rem 0;min-width:0}.trace .tok h3{font-size:1rem;overflow-wrap:anywhere}\
.trace .expired{color:#c5221f;font-weight:700}.trace .claim-note{color:#444;font-size:.9rem}\
.trace table.claims td:first-child{font-family:ui-monospace,monospace;white-space:nowrap}\
.trace ul.notes li,.trace ul.findings li{margin:.3rem 0;overflow-wrap:anywhere}\
@media (max-width:700px){.trace section.err,.trace .tok{padding:.1rem .5rem .4rem}table.journey thead{display:none}table.journey,table.journey tbody,table.journey tr,table.journey td{display:block;width:100%}\
table.journey tr.hop>td{border:none;padding:.1rem .4rem}table.journey tr.hop>td.n{border-top:2px solid #bbb;padding-top:.4rem}\
table.journey td.none{display:none}table.journey tr.hop>td.status,table.journey tr.hop>td.step{display:inline-block;width:auto;margin-right:.8rem}table.journey td[data-label]::before{content:attr(data-label) ': ';font-weight:600;color:#555}\
table.journey tr.failed>td,table.journey tr.warn>td{box-shadow:none!important;background:none}table.journey tr.failed{background:#fce8e6;box-shadow:inset 4px 0 #c5221f}table.journey tr.warn{box-shadow:inset 4px 0 #f9ab00}\
dl.params,.trace .meta{grid-template-columns:minmax(0,1fr)}dl.params dd{padding-left:.8rem;margin-bottom:.2rem}\
.trace table.kv th{width:auto}.trace table.kv tr,.trace table.claims tr{display:block;border-bottom:1px solid #ddd;padding:.2rem 0}.trace table.kv td,.trace table.kv th,.trace table.claims td{display:block;border:none;padding:.05rem .3rem}\
.trace table.claims thead{display:none}.trace table.claims td:first-child{font-weight:700}}\
@media (prefers-color-scheme:dark){.trace .failed-box,table.journey tr.failed>td,table.journey tr.failed{background:#3a1e1e}.trace .ok-box{background:#1e3a2a}.st{background:#333;color:#e8e8e8}.st-3{background:#1e2a3a}\
dl.params dt,table.journey .time{color:#aaa}.trace section.err,.trace .tok{border-color:#333}.trace .claim-note{color:#ccc}.trace .expired{color:#f28b82}}";

/// `hop failed` for the failing hop, `hop warn` for another hop with a failure.
fn row_class(base: &str, h: &Hop, failed: Option<usize>) -> String {
    if Some(h.n) == failed {
        format!("{base} failed")
    } else if h.failure.is_some() {
        format!("{base} warn")
    } else {
        base.to_string()
    }
}

fn journey(t: &Trace) -> Markup {
    m! {
        div.scroll {
            table.journey {
                thead {
                    tr { th { "#" } th { "Request" } th { "Status" } th { "Step" } th { "Redirect to" } }
                }
                tbody {
                    @for h in &t.hops {
                        @let (host, path) = aadsts_trace::url::host_path(&h.url);
                        @let failed = Some(h.n) == t.failed_hop;
                        tr class=(row_class("hop", h, t.failed_hop)) id={"hop-" (h.n)} {
                            td.n {
                                (h.n)
                                @if failed { " " span.mark-failed { "FAILED" } }
                            }
                            td data-label="Request" {
                                strong { (h.method) } " " span.host { (host) }
                                br; span.path { (if path.is_empty() { "/" } else { path.as_str() }) }
                                @if let Some(tm) = &h.time { br; span.time { (tm) } }
                            }
                            td.status data-label="Status" { span class={"st st-" (h.status / 100)} { (h.status) } }
                            td.step data-label="Step" { (h.party) ", " span.time { (h.role) } }
                            @match &h.location {
                                Some(l) => td data-label="Redirect to" { span.v { (aadsts_trace::url::base(l)) } },
                                None => td.none {},
                            }
                        }
                        @let params: Vec<&(String, String)> = h.params.iter().filter(|(k, _)| shown_param(k)).collect();
                        @let creds = hop_credentials(h);
                        @if !params.is_empty() || !creds.is_empty() || !h.errors.is_empty() || h.failure.is_some() {
                            tr class=(row_class("detail", h, t.failed_hop)) {
                                td.n aria-hidden="true" {}
                                td colspan="4" {
                                    @if !params.is_empty() || !creds.is_empty() {
                                        dl.params {
                                            @for (k, v) in params { dt { (k) } dd { (v) } }
                                            @for (k, v) in &creds { dt { (k) } dd { (v) } }
                                        }
                                    }
                                    @if !h.errors.is_empty() {
                                        ul.hop-errors {
                                            @for e in &h.errors {
                                                li {
                                                    (match e.side { Side::Response => "answered ", Side::Request => "received " })
                                                    a href={"#err-" (e.code)} { "AADSTS" (e.code) }
                                                    " (" (e.signal) ")"
                                                    @if let Some(msg) = &e.message { " " (first_sentence(msg)) }
                                                }
                                            }
                                        }
                                    }
                                    @if let Some(f) = &h.failure {
                                        p {
                                            @if failed { strong { "Failed here: " (f) } } @else { "Also: " (f) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Label and value rows, each value in a wrapping box.
fn kv_table(rows: &[(&str, String)]) -> Markup {
    m! {
        table.kv {
            @for (k, v) in rows { tr { th { (k) } td { span.v { (v) } } } }
        }
    }
}

/// Every AADSTS error of the capture as the explain report shows it: the message, the
/// values found, the steps tailored with them, then the page (linked on the site, whole in
/// the standalone report).
fn errors_section(cat: &Catalog, t: &Trace, links: Option<Links>) -> Markup {
    let x = t.extraction();
    let r = report::build(cat, &x);
    let mut shown = std::collections::HashSet::new();
    m! {
        @for (it, te) in r.items.iter().zip(&t.errors) {
            @let e = it.error;
            section.err id={"err-" (e.code)} {
                h3 {
                    "AADSTS" (e.code) " "
                    @match it.page { Some(p) => (p.title), None => "no page in this catalog" }
                }
                p {
                    @if let Some(p) = it.page {
                        span class={"badge sev-" (p.severity)} { "severity: " (p.severity) } " "
                        span.badge { "fixed by: " (p.fixer) } " "
                        span.badge { (p.signal) } " "
                    }
                    "on hop" @if te.hops.len() > 1 { "s" } " "
                    @for (i, n) in te.hops.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href={"#hop-" (n)} { (n) }
                    }
                }
                @if let Some(msg) = &e.message { blockquote { (msg) } }
                @let fields = report::found_fields(e);
                @if !fields.is_empty() { div.scroll { (kv_table(&fields)) } }
                @if !it.tailored.is_empty() {
                    h4 { "For this error" }
                    ol { @for s in &it.tailored { li { (html::md(s)) } } }
                }
                @match it.page {
                    Some(p) => {
                        @if it.tailored.is_empty() {
                            @if let Some(first) = p.fix.first() {
                                h4 { "First step" }
                                (html::md(first))
                            }
                        }
                        @match links {
                            Some(l) => p { a href=(l.code(p.code)) { "The whole page for " (p.label()) " →" } },
                            None => @if shown.insert(p.code) {
                                details.page {
                                    summary { "The whole page for " (p.label()) ": causes, all fix steps, diagnosis, sources" }
                                    (html::md(&markdown::page(cat, p)))
                                }
                            },
                        }
                    }
                    None => {
                        @let u = aadsts_catalog::lookup_url(e.code);
                        p { "No page for AADSTS" (e.code) " in this catalog. Microsoft's lookup: " a href=(u) { (u) } }
                    }
                }
            }
        }
    }
}

fn jwt_markup(j: &Jwt) -> Markup {
    m! {
        p {
            strong { "JWT " (j.kind) }
            @if let Some(v) = &j.version { ", format v" (v) }
            "; signature " (j.signature)
            @if let Some(d) = &j.signature_detail { " (" (d) ")" }
            @if let (Some(v), Some(at)) = (&j.validity, &j.checked_at) {
                "; "
                @if v == "valid" { (v) } @else { span.expired { (v.to_uppercase()) } }
                " at " (at)
            }
        }
        @if let Some(v) = &j.value {
            p.note { "Token (--show-secrets): " span.v { (v) } }
        }
        @if !j.header.is_empty() {
            p.note {
                "Header: "
                @for (i, (k, v)) in j.header.iter().enumerate() {
                    @if i > 0 { " · " }
                    (k) "=" span.v { (value_text(v)) }
                }
            }
        }
        div.scroll {
            table.claims {
                thead { tr { th { "Claim" } th { "Value" } th { "Meaning" } } }
                tbody {
                    @for c in &j.claims {
                        tr {
                            td { (c.name) }
                            td { span.v { (value_text(&c.value)) } }
                            td.claim-note {
                                @if let Some(n) = &c.note {
                                    @if n.ends_with("EXPIRED") || n.ends_with("NOT YET VALID") { span.expired { (n) } } @else { (n) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The AADSTS codes a SAML StatusMessage names, for links to their explanations.
fn status_codes(m: &SamlMessage) -> Vec<u32> {
    m.status_message
        .as_deref()
        .map(|s| {
            aadsts_extract::extract(s.as_bytes())
                .errors
                .iter()
                .map(|e| e.code)
                .collect()
        })
        .unwrap_or_default()
}

fn saml_markup(m: &SamlMessage, links: Option<Links>, in_trace: bool) -> Markup {
    let codes = status_codes(m);
    // In a trace the error has its own section; on the site, its page; standalone, none.
    let href = |c: u32| -> Option<String> {
        if in_trace {
            Some(format!("#err-{c}"))
        } else {
            links.map(|l| l.code(c))
        }
    };
    m! {
        p { strong { "SAML " (m.kind) } ", " (m.encoding) " encoding; signature " (m.signature) }
        div.scroll { (kv_table(&saml_fields(m))) }
        @if !m.notes.is_empty() {
            ul.notes { @for n in &m.notes { li { strong { (n) } } } }
        }
        @if !codes.is_empty() {
            p {
                "The StatusMessage carries "
                @for (i, c) in codes.iter().enumerate() {
                    @if i > 0 { ", " }
                    @match href(*c) {
                        Some(u) => a href=(u) { "AADSTS" (c) },
                        None => { "AADSTS" (c) },
                    }
                }
                @if href(codes[0]).is_none() { ": " code { "aadsts explain" } " explains it." } @else { "." }
            }
        }
    }
}

/// The trace report as a fragment (with its own styles). `links` is `Some` on the web site
/// (codes link to their pages), `None` in the standalone report (each page is included);
/// `extra` lines (the `--sanitized` note) go under the header.
pub fn trace_body(cat: &Catalog, t: &Trace, links: Option<Links>, extra: &[String]) -> Markup {
    let failed = t
        .failed_hop
        .and_then(|n| t.hops.get(n.checked_sub(1)?).map(|h| (n, h)));
    m! {
        style { (PreEscaped(TRACE_STYLE)) }
        div.trace {
            h1 { "Sign-in trace" }
            dl.meta {
                dt { "Capture" } dd { (t.name) }
                dt { "Format" } dd { (t.format) ", " (t.browser) @if !t.creator.is_empty() { " (" (t.creator) ")" } }
                dt { "Requests" } dd { (t.entries) " entries, " (t.hops.len()) " in the sign-in" }
                @if let Some((a, b)) = &t.span { dt { "Time" } dd { (a) " – " (b) } }
            }
            p.note { (trace_signatures_note(t)) }
            @match t.secrets {
                Secrets::Shown => p.note { strong { (SECRETS_SHOWN) } },
                Secrets::Masked => p.note { (SECRETS_MASKED) },
            }
            @for x in extra { p.note { (x) } }
            @match failed {
                Some((n, h)) => {
                    div.failed-box {
                        p {
                            strong { "Failed at " a href={"#hop-" (n)} { "hop " (n) } ": " }
                            (h.method) " " span.v { (aadsts_trace::url::base(&h.url)) }
                        }
                        p { (h.party) ", " (h.role) " — " (h.failure.as_deref().unwrap_or("failed")) }
                        @for e in h.errors.iter().filter(|e| e.side == Side::Response) {
                            @if let Some(p) = cat.get(e.code) {
                                p { a href={"#err-" (e.code)} { "AADSTS" (e.code) } " " (p.title) }
                            }
                        }
                    }
                }
                None => div.ok-box { p { "No hop of the journey failed." } }
            }
            h2 { "Sign-in journey" }
            (journey(t))
            @if !t.findings.is_empty() {
                h2 { "Findings" }
                ul.findings {
                    @for f in &t.findings {
                        li {
                            span.badge { (f.kind) } " "
                            @if let Some(n) = f.hop { a href={"#hop-" (n)} { "hop " (n) } ": " }
                            (f.message)
                        }
                    }
                }
            }
            h2 { "Errors" }
            @if t.errors.is_empty() {
                p { "No AADSTS error in the capture." }
            } @else {
                (errors_section(cat, t, links))
            }
            @if !t.tokens.is_empty() {
                h2 { "Tokens (" (t.tokens.len()) ")" }
                @for tok in &t.tokens {
                    div.tok {
                        h3 {
                            @if let Some(n) = tok.hop { a href={"#hop-" (n)} { "Hop " (n) } ": " }
                            (tok.source)
                        }
                        (jwt_markup(&tok.token))
                    }
                }
            }
            @if !t.saml.is_empty() {
                h2 { "SAML messages (" (t.saml.len()) ")" }
                @for s in &t.saml {
                    div.tok {
                        h3 { a href={"#hop-" (s.hop)} { "Hop " (s.hop) } ": " (s.source) }
                        (saml_markup(&s.message, links, true))
                    }
                }
            }
            @if !t.warnings.is_empty() {
                h2 { "Warnings" }
                ul.notes { @for w in &t.warnings { li { (w) } } }
            }
            @if !t.errors.is_empty() {
                h2 { "Send to support" }
                p { "Paste these lines into the ticket; the correlation ID and the UTC time let an admin find the row in Entra ID → Monitoring & health → Sign-in logs." }
                @for te in &t.errors {
                    div.scroll { (kv_table(&report::support_fields(&te.error))) }
                }
            }
        }
    }
}

/// `aadsts trace --format html`: one file, no script, no request.
pub fn trace_document(cat: &Catalog, t: &Trace, extra: &[String]) -> String {
    let body = trace_body(cat, t, None, extra).into_string();
    html::document(&format!("Sign-in trace: {}", t.name), &body)
}

/// Decoded tokens as a fragment (with its own styles); `links` as for [`trace_body`],
/// `keys_line` as for [`token_json`].
pub fn token_body(
    decoded: &[Decoded],
    now: i64,
    links: Option<Links>,
    keys_line: Option<&str>,
) -> Markup {
    let shown = jwts(decoded).any(|j| j.value.is_some());
    m! {
        style { (PreEscaped(TRACE_STYLE)) }
        div.trace {
            h1 { "Decoded" }
            p.note { (token_signatures_note(decoded, keys_line)) " Validity judged at " (aadsts_trace::time::rfc3339(now)) "." }
            @if shown { p.note { strong { (SECRETS_SHOWN) } } }
            @for d in decoded {
                div.tok {
                    @match d {
                        Decoded::Jwt(j) => (jwt_markup(j)),
                        Decoded::Saml(s) => (saml_markup(s, links, false)),
                    }
                }
            }
        }
    }
}

/// `aadsts token --format html`.
pub fn token_document(decoded: &[Decoded], now: i64, keys_line: Option<&str>) -> String {
    html::document(
        "Decoded token",
        &token_body(decoded, now, None, keys_line).into_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let b = |s: &str| {
            // base64url without padding, enough for the tests' ASCII.
            const A: &[u8; 64] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let bytes = s.as_bytes();
            let mut out = String::new();
            for ch in bytes.chunks(3) {
                let n = (u32::from(ch[0]) << 16)
                    | (u32::from(*ch.get(1).unwrap_or(&0)) << 8)
                    | u32::from(*ch.get(2).unwrap_or(&0));
                for i in 0..=ch.len() {
                    out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        };
        format!(
            "{}.{}.c2lnbmF0dXJlU0VDUkVU",
            b(r#"{"alg":"RS256","typ":"JWT"}"#),
            b(claims)
        )
    }

    #[test]
    fn token_html_explains_claims_escapes_values_and_never_shows_the_signature() {
        let t = jwt(
            r#"{"aud":"00000003-0000-0000-c000-000000000000","exp":1000,"name":"<b>Eve</b>","scp":"User.Read"}"#,
        );
        let d = decode(&format!("Bearer {t}"), 2000).unwrap();
        let h = token_document(&d, 2000, None);
        assert!(h.contains("Microsoft Graph"), "{h}");
        assert!(h.contains("class=\"expired\">EXPIRED"), "{h}");
        assert!(h.contains("&lt;b&gt;Eve&lt;/b&gt;"), "{h}");
        assert!(!h.contains("<b>Eve"), "{h}");
        assert!(!h.contains("c2lnbmF0dXJlU0VDUkVU"), "{h}");
        assert!(h.contains("Content-Security-Policy"));
        let j: serde_json::Value = serde_json::from_str(&token_json(&d, 2000, None)).unwrap();
        assert_eq!(j["schema"], TOKEN_SCHEMA);
        assert_eq!(j["decoded"][0]["type"], "jwt");
        assert_eq!(j["decoded"][0]["validity"], "expired");
    }

    #[test]
    fn nothing_to_decode_says_what_a_token_looks_like() {
        let e = decode("hello world", 0).unwrap_err();
        assert!(e.to_string().contains("three base64url parts"), "{e}");
        let e = decode("eyJhbGciOi", 0).unwrap_err();
        assert!(e.to_string().contains("this has 1"), "{e}");
    }

    #[test]
    fn saml_status_message_links_its_code_on_the_site() {
        let xml = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Destination="https://sp/acs"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester"/><samlp:StatusMessage>AADSTS700016: Application with identifier 'x' was not found</samlp:StatusMessage></samlp:Status></samlp:Response>"#;
        let d = decode(xml, 0).unwrap();
        let h = token_body(&d, 0, Some(Links::server("/")), None).into_string();
        assert!(h.contains("href=\"/codes/700016\""), "{h}");
        assert!(h.contains("Requester"), "{h}");
        let standalone = token_document(&d, 0, None);
        assert!(standalone.contains("aadsts explain"), "{standalone}");
        assert!(!standalone.contains("href=\"/codes/"), "{standalone}");
    }
}
