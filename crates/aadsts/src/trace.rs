//! `aadsts trace FILE` (a browser capture of a sign-in) and `aadsts token TEXT` (a JWT or
//! SAML message): the journey, the failing hop, every error explained with the explain
//! report, tokens and SAML messages decoded. Nothing is verified or sent.

use crate::{Failure, Outcome};
use aadsts_catalog::Catalog;
use aadsts_extract::{markdown_code, markdown_text};
use aadsts_render::text::{paint, BOLD, DIM, HEADING};
use aadsts_render::{html, json, report, Format, TextStyle};
use aadsts_trace::saml::{self, SamlMessage};
use aadsts_trace::token::{self, Jwt};
use aadsts_trace::{Hop, Limits, SanitizeStats, Trace};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

pub const TRACE_SCHEMA: &str = "aadsts.trace/1";
pub const TOKEN_SCHEMA: &str = "aadsts.token/1";

const NOT_CHECKED: &str = "Signatures are not checked: decoding only, nothing is verified or sent.";

/// Parameters shown in text and Markdown (the rest are in JSON).
fn shown_in_text(k: &str) -> bool {
    k != "error_description" && k != "error"
}

/// `aadsts trace`.
pub fn trace(
    catalog: &Catalog,
    file: &Path,
    sanitized: Option<&Path>,
    format: Format,
    style: &TextStyle,
) -> Outcome {
    let limits = Limits::default();
    let t = aadsts_trace::read_path(file, &limits, catalog)
        .map_err(|e| Failure::Io(format!("aadsts: {e}")))?;
    let mut san = None;
    if let Some(out) = sanitized {
        san = Some(write_sanitized(file, out, &limits)?);
    }
    if t.hops.is_empty() && t.tokens.is_empty() {
        let message = format!(
            "aadsts: {}: none of its {} requests belongs to a Microsoft Entra sign-in (login.microsoftonline.com, login.microsoft.com, login.live.com, national clouds, *.b2clogin.com, *.ciamlogin.com, AD FS /adfs/, Seamless SSO, device login). Was the capture started before signing in, with \"Preserve log\" on?",
            t.name, t.entries
        );
        let json =
            (format == Format::Json).then(|| trace_json(catalog, &t, san.as_ref(), sanitized));
        return Err(Failure::NotFound { message, json });
    }
    // Warnings go to standard error (and into the JSON and Markdown reports).
    for w in &t.warnings {
        eprintln!("aadsts: {}: {}", ts(&t.name), ts(w));
    }
    Ok(match format {
        Format::Text => trace_text(catalog, &t, san.as_ref(), sanitized, style),
        Format::Md => trace_md(catalog, &t, san.as_ref(), sanitized),
        Format::Html => html::document(
            &format!("Sign-in trace: {}", t.name),
            &html::markdown(&trace_md(catalog, &t, san.as_ref(), sanitized)),
        ),
        Format::Json => trace_json(catalog, &t, san.as_ref(), sanitized),
    })
}

fn write_sanitized(file: &Path, out: &Path, limits: &Limits) -> Result<SanitizeStats, Failure> {
    if out == file
        || out
            .canonicalize()
            .ok()
            .is_some_and(|o| file.canonicalize().ok() == Some(o))
    {
        return Err(Failure::Usage(format!(
            "aadsts: --sanitized {} would overwrite the capture; give another file",
            out.display()
        )));
    }
    let input = std::fs::File::open(file)
        .map_err(|e| Failure::Io(format!("aadsts: cannot read {}: {e}", file.display())))?;
    // Written to a temporary file beside the target and renamed, so that a failure never
    // leaves half a copy.
    let tmp = out.with_extension("har.part");
    let w = std::fs::File::create(&tmp)
        .map_err(|e| Failure::Io(format!("aadsts: cannot write {}: {e}", tmp.display())))?;
    let result = aadsts_trace::sanitize(
        std::io::BufReader::new(input),
        std::io::BufWriter::new(w),
        &file.display().to_string(),
        limits,
    );
    match result {
        Ok(stats) => {
            std::fs::rename(&tmp, out)
                .map_err(|e| Failure::Io(format!("aadsts: cannot write {}: {e}", out.display())))?;
            Ok(stats)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(Failure::Io(format!("aadsts: {e}")))
        }
    }
}

fn sanitized_line(stats: &SanitizeStats, out: &Path) -> String {
    let mut s = format!(
        "Sanitized copy written to {}: {} secret value(s) replaced by REMOVED-BY-AADSTS in {} entries",
        out.display(),
        stats.replaced,
        stats.entries
    );
    if stats.left_out > 0 {
        let _ = write!(s, "; {} long body value(s) left out", stats.left_out);
    }
    if stats.stubs > 0 {
        let _ = write!(s, "; {} unreadable entries replaced by stubs", stats.stubs);
    }
    if stats.truncated {
        s.push_str("; the capture was cut short, and so is the copy");
    }
    s.push_str(". Review it before sending: page contents and user names are kept.");
    s
}

fn short_time(t: &Option<String>) -> &str {
    t.as_deref().and_then(|t| t.get(11..19)).unwrap_or("")
}

fn hop_target(h: &Hop) -> String {
    aadsts_trace::url::base(&h.url).to_string()
}

fn trace_header(t: &Trace) -> Vec<(&'static str, String)> {
    let mut v = vec![(
        "Capture",
        format!(
            "{} ({}, {}: {})",
            t.name,
            t.format,
            t.browser,
            if t.creator.is_empty() {
                "creator not named"
            } else {
                &t.creator
            }
        ),
    )];
    let mut e = format!("{} entries, {} in the sign-in", t.entries, t.hops.len());
    if let Some((a, b)) = &t.span {
        let _ = write!(e, ", {a} – {b}");
    }
    v.push(("Requests", e));
    v
}

fn failed_line(t: &Trace) -> Option<String> {
    let n = t.failed_hop?;
    let h = &t.hops[n - 1];
    Some(format!(
        "hop {n}: {} {} ({}, {}) {}",
        h.method,
        hop_target(h),
        h.party,
        h.role,
        h.failure.as_deref().unwrap_or("failed")
    ))
}

fn trace_text(
    catalog: &Catalog,
    t: &Trace,
    san: Option<&SanitizeStats>,
    out: Option<&Path>,
    style: &TextStyle,
) -> String {
    let mut s = String::new();
    for (k, v) in trace_header(t) {
        let _ = writeln!(s, "{}  {}", paint(style, BOLD, &format!("{k:<8}")), ts(&v));
    }
    let _ = writeln!(s, "{}", paint(style, DIM, NOT_CHECKED));
    match failed_line(t) {
        Some(f) => {
            let _ = writeln!(s, "{}  {}", paint(style, BOLD, "Failed  "), ts(&f));
        }
        None => {
            let _ = writeln!(s, "{}  no hop failed", paint(style, BOLD, "Failed  "));
        }
    }
    s.push('\n');
    let _ = writeln!(s, "{}", paint(style, HEADING, "Sign-in journey"));
    for h in &t.hops {
        let mark = if Some(h.n) == t.failed_hop {
            "✗"
        } else if h.failure.is_some() {
            "!"
        } else {
            " "
        };
        let _ = writeln!(
            s,
            "{mark}{:>2}  {}  {:<4} {:>3}  {:<13} {:<18} {}",
            h.n,
            short_time(&h.time),
            ts(&h.method),
            h.status,
            h.party,
            h.role,
            ts(&hop_target(h))
        );
        for (k, v) in h.params.iter().filter(|(k, _)| shown_in_text(k)) {
            let _ = writeln!(
                s,
                "      {} {}",
                paint(style, DIM, &format!("{k:<21}")),
                ts(v)
            );
        }
        if let Some(l) = &h.location {
            let _ = writeln!(s, "      → {}", ts(aadsts_trace::url::base(l)));
        }
        for e in &h.errors {
            let side = match e.side {
                aadsts_trace::Side::Response => "answered",
                aadsts_trace::Side::Request => "received",
            };
            let msg = e.message.as_deref().map(first_sentence).unwrap_or_default();
            let _ = writeln!(
                s,
                "      {side} AADSTS{} ({}) {}",
                e.code,
                e.signal,
                ts(&msg)
            );
        }
        if let Some(f) = &h.failure {
            if Some(h.n) == t.failed_hop {
                let _ = writeln!(
                    s,
                    "      {}",
                    paint(style, BOLD, &format!("FAILED: {}", ts(f)))
                );
            } else {
                let _ = writeln!(s, "      also: {}", ts(f));
            }
        }
    }
    if !t.findings.is_empty() {
        let _ = writeln!(s, "\n{}", paint(style, HEADING, "Findings"));
        for f in &t.findings {
            let _ = writeln!(s, "  ! {}", ts(&f.message));
        }
    }
    if !t.tokens.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            paint(style, HEADING, &format!("Tokens ({})", t.tokens.len()))
        );
        for (i, tok) in t.tokens.iter().enumerate() {
            let _ = writeln!(s, "{}. {}", i + 1, ts(&tok.source));
            s.push_str(&jwt_text(&tok.token, "   ", style));
        }
    }
    if !t.saml.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            paint(style, HEADING, &format!("SAML messages ({})", t.saml.len()))
        );
        for (i, m) in t.saml.iter().enumerate() {
            let _ = writeln!(s, "{}. hop {}: {}", i + 1, m.hop, ts(&m.source));
            s.push_str(&saml_text(&m.message, "   ", style));
        }
    }
    if let (Some(st), Some(o)) = (san, out) {
        let _ = writeln!(s, "\n{}", sanitized_line(st, o));
    }
    s.push('\n');
    if t.errors.is_empty() {
        let _ = writeln!(s, "No AADSTS error in the capture.");
    } else {
        let x = t.extraction();
        let r = report::build(catalog, &x);
        s.push_str(&report::text(catalog, &r, style));
    }
    s
}

/// A value from the capture, safe to print on a terminal (control characters and
/// bidirectional overrides shown as escapes).
fn ts(s: &str) -> String {
    aadsts_render::scan::term_safe(s).into_owned()
}

fn first_sentence(m: &str) -> String {
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

fn trace_md(
    catalog: &Catalog,
    t: &Trace,
    san: Option<&SanitizeStats>,
    out: Option<&Path>,
) -> String {
    let mut s = format!("# Sign-in trace: {}\n\n", markdown_text(&t.name));
    for (k, v) in trace_header(t) {
        let _ = writeln!(s, "- **{k}**: {}", markdown_text(&v));
    }
    let _ = writeln!(
        s,
        "- **Failed**: {}\n\n{NOT_CHECKED}\n",
        failed_line(t).map_or("no hop failed".into(), |f| markdown_text(&f))
    );
    s.push_str("## Sign-in journey\n\n| # | time | method | status | party | role | URL | parameters | result |\n|---|---|---|---|---|---|---|---|---|\n");
    for h in &t.hops {
        let params: Vec<String> = h
            .params
            .iter()
            .filter(|(k, _)| shown_in_text(k))
            .map(|(k, v)| format!("{k}={}", markdown_code(v)))
            .collect();
        let mut result: Vec<String> = h
            .errors
            .iter()
            .map(|e| {
                let side = match e.side {
                    aadsts_trace::Side::Response => "answered",
                    aadsts_trace::Side::Request => "received",
                };
                format!("{side} AADSTS{} ({})", e.code, e.signal)
            })
            .collect();
        if let Some(l) = &h.location {
            result.push(format!("→ {}", markdown_code(aadsts_trace::url::base(l))));
        }
        if let Some(f) = &h.failure {
            result.push(if Some(h.n) == t.failed_hop {
                format!("**FAILED: {}**", markdown_text(f))
            } else {
                markdown_text(f)
            });
        }
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            h.n,
            short_time(&h.time),
            markdown_text(&h.method),
            h.status,
            h.party,
            h.role,
            markdown_code(&hop_target(h)),
            params.join("<br>").replace('|', "\\|"),
            result.join("<br>").replace('|', "\\|")
        );
    }
    if !t.findings.is_empty() {
        s.push_str("\n## Findings\n\n");
        for f in &t.findings {
            let _ = writeln!(s, "- {}", markdown_text(&f.message));
        }
    }
    if !t.tokens.is_empty() {
        s.push_str("\n## Tokens\n");
        for tok in &t.tokens {
            let _ = writeln!(s, "\n### {}\n", markdown_text(&tok.source));
            s.push_str(&jwt_md(&tok.token));
        }
    }
    if !t.saml.is_empty() {
        s.push_str("\n## SAML messages\n");
        for m in &t.saml {
            let _ = writeln!(s, "\n### Hop {}: {}\n", m.hop, markdown_text(&m.source));
            s.push_str(&saml_md(&m.message));
        }
    }
    if !t.warnings.is_empty() {
        s.push_str("\n## Warnings\n\n");
        for w in &t.warnings {
            let _ = writeln!(s, "- {}", markdown_text(w));
        }
    }
    if let (Some(st), Some(o)) = (san, out) {
        let _ = writeln!(s, "\n{}", markdown_text(&sanitized_line(st, o)));
    }
    if !t.errors.is_empty() {
        let x = t.extraction();
        let r = report::build(catalog, &x);
        s.push_str("\n---\n\n");
        s.push_str(&report::markdown(catalog, &r));
    } else {
        s.push_str("\nNo AADSTS error in the capture.\n");
    }
    s
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
    signatures: &'static str,
    failed_hop: Option<usize>,
    journey: &'a [Hop],
    errors: Vec<ErrorHops>,
    findings: &'a [aadsts_trace::Finding],
    explain: Option<serde_json::Value>,
    tokens: &'a [aadsts_trace::FoundToken],
    saml: &'a [aadsts_trace::FoundSaml],
    warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    sanitized: Option<SanitizedJson>,
}

#[derive(Serialize)]
struct ErrorHops {
    code: u32,
    hops: Vec<usize>,
}

#[derive(Serialize)]
struct SanitizedJson {
    path: String,
    entries: usize,
    replaced: usize,
    left_out: usize,
    stubs: usize,
    truncated: bool,
}

fn trace_json(
    catalog: &Catalog,
    t: &Trace,
    san: Option<&SanitizeStats>,
    out: Option<&Path>,
) -> String {
    let explain = (!t.errors.is_empty()).then(|| {
        let x = t.extraction();
        let r = report::build(catalog, &x);
        serde_json::from_str(&report::json(catalog, &r)).unwrap_or(serde_json::Value::Null)
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
        signatures: "not checked",
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
        sanitized: san.zip(out).map(|(s, o)| SanitizedJson {
            path: o.display().to_string(),
            entries: s.entries,
            replaced: s.replaced,
            left_out: s.left_out,
            stubs: s.stubs,
            truncated: s.truncated,
        }),
    })
}

fn value_text(v: &serde_json::Value) -> String {
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

fn jwt_title(j: &Jwt) -> String {
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

fn jwt_text(j: &Jwt, indent: &str, style: &TextStyle) -> String {
    let mut s = format!("{indent}{}\n", paint(style, BOLD, &ts(&jwt_title(j))));
    let hdr: Vec<String> = j
        .header
        .iter()
        .map(|(k, v)| format!("{}={}", ts(k), ts(&value_text(v))))
        .collect();
    let _ = writeln!(
        s,
        "{indent}{} {}",
        paint(style, DIM, "header"),
        hdr.join("  ")
    );
    for c in &j.claims {
        let _ = writeln!(
            s,
            "{indent}{:<20} {}",
            ts(&c.name),
            ts(&value_text(&c.value))
        );
        if let Some(n) = &c.note {
            let _ = writeln!(
                s,
                "{indent}{:<20} {}",
                "",
                paint(style, DIM, &format!("↳ {}", ts(n)))
            );
        }
    }
    s
}

fn jwt_md(j: &Jwt) -> String {
    let mut s = format!(
        "{}\n\n| claim | value | meaning |\n|---|---|---|\n",
        markdown_text(&jwt_title(j))
    );
    for (k, v) in &j.header {
        let _ = writeln!(
            s,
            "| header `{k}` | {} | |",
            markdown_code(&value_text(v)).replace('|', "\\|")
        );
    }
    for c in &j.claims {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} |",
            c.name.replace('`', ""),
            markdown_code(&value_text(&c.value)).replace('|', "\\|"),
            c.note
                .as_deref()
                .map(markdown_text)
                .unwrap_or_default()
                .replace('|', "\\|")
        );
    }
    s
}

fn saml_fields(m: &SamlMessage) -> Vec<(&'static str, String)> {
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

fn saml_title(m: &SamlMessage) -> String {
    format!(
        "SAML {}, {} encoding; signature {}",
        m.kind, m.encoding, m.signature
    )
}

fn saml_text(m: &SamlMessage, indent: &str, style: &TextStyle) -> String {
    let mut s = format!("{indent}{}\n", paint(style, BOLD, &ts(&saml_title(m))));
    for (k, v) in saml_fields(m) {
        let pad = format!("\n{indent}{:<18} ", "");
        let v = v
            .replace("\r\n", "\n")
            .trim()
            .lines()
            .map(ts)
            .collect::<Vec<_>>()
            .join(&pad);
        let _ = writeln!(s, "{indent}{:<18} {v}", k);
    }
    for n in &m.notes {
        let _ = writeln!(s, "{indent}{}", paint(style, BOLD, &format!("! {}", ts(n))));
    }
    s
}

fn saml_md(m: &SamlMessage) -> String {
    let mut s = format!(
        "{}\n\n| field | value |\n|---|---|\n",
        markdown_text(&saml_title(m))
    );
    for (k, v) in saml_fields(m) {
        let _ = writeln!(s, "| {k} | {} |", markdown_code(&v).replace('|', "\\|"));
    }
    for n in &m.notes {
        let _ = writeln!(s, "\n- **{}**", markdown_text(n));
    }
    s
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Decoded {
    Jwt(Jwt),
    Saml(Box<SamlMessage>),
}

#[derive(Serialize)]
struct TokenJson<'a> {
    schema: &'static str,
    signatures: &'static str,
    checked_at: String,
    decoded: &'a [Decoded],
}

/// `aadsts token`.
pub fn token(args: Vec<String>, format: Format, style: &TextStyle) -> Outcome {
    let input = if args.is_empty() || (args.len() == 1 && args[0] == "-") {
        if args.is_empty() && std::io::stdin().is_terminal() {
            return Err(Failure::Usage(
                "aadsts: nothing to decode: give a JWT (eyJ…), a SAML message (XML, base64, or a URL with SAMLRequest=/SAMLResponse=), or a file holding one; `-` reads standard input".into(),
            ));
        }
        crate::read_stdin()?
    } else if args.len() == 1 && Path::new(&args[0]).is_file() {
        let bytes = std::fs::read(&args[0])
            .map_err(|e| Failure::Io(format!("aadsts: cannot read {}: {e}", args[0])))?;
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        args.join(" ")
    };
    let text = input.trim();
    if text.is_empty() {
        return Err(Failure::Usage(
            "aadsts: nothing to decode: the input is empty".into(),
        ));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let mut decoded: Vec<Decoded> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for raw in token::find_jwts(text) {
        match token::decode_jwt(raw, Some(now)) {
            Ok(j) => decoded.push(Decoded::Jwt(j)),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if decoded.is_empty() {
        match saml::decode(text, Some(now)) {
            Ok(m) => decoded.push(Decoded::Saml(Box::new(m))),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if decoded.is_empty() {
        // A lone token-looking word that failed: say why.
        let why = if text.starts_with("eyJ") {
            token::decode_jwt(text.split_whitespace().next().unwrap_or(text), None)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        } else {
            problems.join("; ")
        };
        let message = format!(
            "aadsts: found no JWT or SAML message to decode: {why}. A JWT is three base64url parts joined by dots (eyJ….eyJ….…); a SAML message is XML, base64 (POST binding), deflate + base64 (redirect binding), or a URL with SAMLRequest=/SAMLResponse=. Opaque tokens (refresh tokens, v1 Microsoft account tokens) cannot be decoded."
        );
        let json = (format == Format::Json).then(|| {
            json::to_string(&json::ErrorJson {
                schema: json::ERROR_SCHEMA,
                error: "no_token_found",
                message: message.clone(),
                code: None,
                official_name: None,
                in_microsoft_table: None,
                lookup_url: None,
                suggestions: Vec::new(),
            })
        });
        return Err(Failure::NotFound { message, json });
    }
    let at = aadsts_trace::time::rfc3339(now);
    Ok(match format {
        Format::Json => json::to_string(&TokenJson {
            schema: TOKEN_SCHEMA,
            signatures: "not checked",
            checked_at: at,
            decoded: &decoded,
        }),
        Format::Text => {
            let mut s = format!("{}\n", paint(style, DIM, NOT_CHECKED));
            for d in &decoded {
                s.push('\n');
                match d {
                    Decoded::Jwt(j) => s.push_str(&jwt_text(j, "", style)),
                    Decoded::Saml(m) => {
                        s.push_str(&saml_text(m, "", style));
                        if m.status_message
                            .as_deref()
                            .is_some_and(|x| x.contains("AADSTS"))
                        {
                            let _ = writeln!(s, "\nThe StatusMessage carries an AADSTS error: `aadsts explain` explains it.");
                        }
                    }
                }
            }
            s
        }
        Format::Md | Format::Html => {
            let mut s = format!("# Decoded\n\n{NOT_CHECKED}\n");
            for d in &decoded {
                s.push('\n');
                match d {
                    Decoded::Jwt(j) => s.push_str(&jwt_md(j)),
                    Decoded::Saml(m) => s.push_str(&saml_md(m)),
                }
            }
            if format == Format::Html {
                html::document("Decoded token", &html::markdown(&s))
            } else {
                s
            }
        }
    })
}
