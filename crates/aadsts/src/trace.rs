//! `aadsts trace FILE` (a browser capture of a sign-in) and `aadsts token TEXT` (a JWT or
//! SAML message): the journey, the failing hop, every error explained with the explain
//! report, tokens and SAML messages decoded. Nothing is verified or sent.

use crate::{Failure, Outcome};
use aadsts_catalog::Catalog;
use aadsts_extract::{markdown_code, markdown_text};
use aadsts_render::text::{paint, BOLD, DIM, HEADING};
use aadsts_render::trace::{
    self as rtrace, failed_line, first_sentence, hop_credentials, jwt_title, saml_fields,
    saml_title, shown_param as shown_in_text, value_text, Decoded, SECRETS_SHOWN,
};
use aadsts_render::{json, report, Format, TextStyle};
use aadsts_trace::keys::KeySet;
use aadsts_trace::saml::SamlMessage;
use aadsts_trace::token::Jwt;
use aadsts_trace::{Hop, Limits, ReadOptions, SanitizeStats, Secrets, Trace};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

/// `--show-secrets` as the reader's option.
pub fn secrets(show: bool) -> Secrets {
    if show {
        Secrets::Shown
    } else {
        Secrets::Masked
    }
}

/// Reads `--keys FILE`: a JWKS, a JWK or PEM.
fn load_keys(path: Option<&Path>) -> Result<Option<KeySet>, Failure> {
    let Some(p) = path else { return Ok(None) };
    let bytes = std::fs::read(p)
        .map_err(|e| Failure::Io(format!("aadsts: cannot read {}: {e}", p.display())))?;
    let keys = KeySet::parse(&bytes, &p.display().to_string())
        .map_err(|e| Failure::Io(format!("aadsts: --keys: {e}")))?;
    for w in &keys.skipped {
        eprintln!("aadsts: {}: {} (skipped)", ts(&keys.source), ts(w));
    }
    Ok(Some(keys))
}

/// `aadsts trace`.
pub fn trace(
    catalog: &Catalog,
    file: &Path,
    sanitized: Option<&Path>,
    keys: Option<&Path>,
    secrets: Secrets,
    format: Format,
    style: &TextStyle,
) -> Outcome {
    let limits = Limits::default();
    let keys = load_keys(keys)?;
    let opts = ReadOptions {
        keys: keys.as_ref(),
        secrets,
    };
    let t = aadsts_trace::read_path_with(file, &limits, catalog, &opts)
        .map_err(|e| Failure::Io(format!("aadsts: {e}")))?;
    let mut san = None;
    if let Some(out) = sanitized {
        san = Some(write_sanitized(file, out, &limits)?);
    }
    if let Some(why) = rtrace::nothing_found(&t) {
        let message = format!("aadsts: {why}");
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
        Format::Html => {
            let extra: Vec<String> = san
                .as_ref()
                .zip(sanitized)
                .map(|(st, o)| sanitized_line(st, o))
                .into_iter()
                .collect();
            rtrace::trace_document(catalog, &t, &extra)
        }
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
            "aadsts: the sanitized copy {} would overwrite the capture; give another file",
            out.display()
        )));
    }
    let read_err =
        |e: std::io::Error| Failure::Io(format!("aadsts: cannot read {}: {e}", file.display()));
    let mut input = std::fs::File::open(file).map_err(read_err)?;
    // The same format as the input, told by content: a Fiddler archive is a zip.
    let mut magic = [0u8; 4];
    let zip = std::io::Read::read_exact(&mut input, &mut magic).is_ok() && &magic == b"PK\x03\x04";
    std::io::Seek::rewind(&mut input).map_err(read_err)?;
    // Written to a temporary file beside the target and renamed, so that a failure never
    // leaves half a copy.
    let mut tmp = out.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = std::path::PathBuf::from(tmp);
    let w = std::fs::File::create(&tmp)
        .map_err(|e| Failure::Io(format!("aadsts: cannot write {}: {e}", tmp.display())))?;
    let name = file.display().to_string();
    let (r, w) = (std::io::BufReader::new(input), std::io::BufWriter::new(w));
    let result = if zip {
        aadsts_trace::sanitize_saz(r, w, &name, limits)
    } else {
        aadsts_trace::sanitize(r, w, &name, limits)
    };
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

/// `aadsts trace --sanitize FILE -o OUT`: writes the copy, reads it back and checks that it
/// shows the same journey, failing hop and errors (else deletes it); prints what it did.
pub fn sanitize_only(catalog: &Catalog, file: &Path, out: &Path, format: Format) -> Outcome {
    let limits = Limits::default();
    let before = aadsts_trace::read_path(file, &limits, catalog)
        .map_err(|e| Failure::Io(format!("aadsts: {e}")))?;
    let stats = write_sanitized(file, out, &limits)?;
    let after = aadsts_trace::read_path(out, &limits, catalog).map_err(|e| {
        Failure::Io(format!(
            "aadsts: the sanitized copy {} does not read back: {e}",
            out.display()
        ))
    })?;
    let codes = |t: &Trace| t.errors.iter().map(|e| e.error.code).collect::<Vec<_>>();
    let same = before.hops.len() == after.hops.len()
        && before.failed_hop == after.failed_hop
        && codes(&before) == codes(&after);
    let summary = format!(
        "{} {} hops, failed hop {}, errors {}",
        if same {
            "reads back the same:"
        } else {
            "DIFFERS when read back:"
        },
        after.hops.len(),
        after.failed_hop.map_or("none".into(), |n| n.to_string()),
        if codes(&after).is_empty() {
            "none".to_string()
        } else {
            codes(&after)
                .iter()
                .map(|c| format!("AADSTS{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    if !same {
        let _ = std::fs::remove_file(out);
        return Err(Failure::Io(format!(
            "aadsts: the sanitized copy of {} {summary} (the original: {} hops, failed hop {:?}, errors {:?}); nothing was written",
            file.display(),
            before.hops.len(),
            before.failed_hop,
            codes(&before)
        )));
    }
    Ok(match format {
        Format::Json => json::to_string(&serde_json::json!({
            "schema": "aadsts.sanitized/1",
            "file": file.display().to_string(),
            "output": out.display().to_string(),
            "format": before.format,
            "entries": stats.entries,
            "replaced": stats.replaced,
            "left_out": stats.left_out,
            "stubs": stats.stubs,
            "truncated": stats.truncated,
            "reread": {
                "hops": after.hops.len(),
                "failed_hop": after.failed_hop,
                "errors": codes(&after),
            },
        })),
        _ => format!(
            "{}
The copy {summary}.
",
            sanitized_line(&stats, out)
        ),
    })
}

fn sanitized_line(stats: &SanitizeStats, out: &Path) -> String {
    let mut s = format!(
        "Sanitized copy written to {}: {} secret value(s) replaced by REMOVED-BY-AADSTS in {} entries",
        out.display(),
        stats.replaced,
        stats.entries
    );
    if stats.left_out > 0 {
        let _ = write!(
            s,
            "; {} body value(s) left out (too long, or in an encoding that could not be read)",
            stats.left_out
        );
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
    let _ = writeln!(
        s,
        "{}",
        paint(style, DIM, &ts(&rtrace::trace_signatures_note(t)))
    );
    if t.secrets == Secrets::Shown {
        let _ = writeln!(s, "{}", paint(style, BOLD, SECRETS_SHOWN));
    }
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
        let creds = hop_credentials(h);
        let params = h.params.iter().filter(|(k, _)| shown_in_text(k));
        for (k, v) in params.chain(creds.iter()) {
            let _ = writeln!(
                s,
                "      {} {}",
                paint(style, DIM, &format!("{:<21}", ts(k))),
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
        "- **Failed**: {}\n\n{}\n",
        failed_line(t).map_or("no hop failed".into(), |f| markdown_text(&f)),
        markdown_text(&rtrace::trace_signatures_note(t))
    );
    if t.secrets == Secrets::Shown {
        let _ = writeln!(s, "**{}**\n", markdown_text(SECRETS_SHOWN));
    }
    s.push_str("## Sign-in journey\n\n| # | time | method | status | party | role | URL | parameters | result |\n|---|---|---|---|---|---|---|---|---|\n");
    for h in &t.hops {
        let creds = hop_credentials(h);
        let params: Vec<String> = h
            .params
            .iter()
            .filter(|(k, _)| shown_in_text(k))
            .chain(creds.iter())
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

fn trace_json(
    catalog: &Catalog,
    t: &Trace,
    san: Option<&SanitizeStats>,
    out: Option<&Path>,
) -> String {
    rtrace::trace_json(
        catalog,
        t,
        san.zip(out).map(|(s, o)| rtrace::SanitizedJson {
            path: o.display().to_string(),
            entries: s.entries,
            replaced: s.replaced,
            left_out: s.left_out,
            stubs: s.stubs,
            truncated: s.truncated,
        }),
    )
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
    if let Some(d) = &j.signature_detail {
        let _ = writeln!(s, "{indent}{} {}", paint(style, DIM, "signature"), ts(d));
    }
    if let Some(v) = &j.value {
        let _ = writeln!(s, "{indent}{} {}", paint(style, DIM, "token"), ts(v));
    }
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
    if let Some(v) = &j.value {
        let _ = writeln!(
            s,
            "| token | {} | the token as sent (--show-secrets) |",
            markdown_code(v).replace('|', "\\|")
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

/// `aadsts token`.
pub fn token(
    args: Vec<String>,
    keys: Option<&Path>,
    secrets: Secrets,
    format: Format,
    style: &TextStyle,
) -> Outcome {
    let keys = load_keys(keys)?;
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
    let decoded = match rtrace::decode_with(text, now, |j, raw| {
        if let Some(k) = &keys {
            aadsts_trace::token::check_signature(j, raw, k);
        }
        if secrets == Secrets::Shown {
            j.value = Some(raw.trim().to_string());
        }
    }) {
        Ok(mut d) => {
            for x in &mut d {
                if let (Decoded::Saml(m), Some(k)) = (x, &keys) {
                    if let Some(n) = k.saml_note(m) {
                        m.notes.push(n);
                    }
                }
            }
            d
        }
        Err(e) => {
            let message = format!("aadsts: {e}");
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
    };
    let keys_line = keys.as_ref().map(|k| {
        format!(
            "JWT signatures checked with the {} key(s) of {}; nothing is sent. {}",
            k.len(),
            k.source,
            aadsts_trace::keys::SAML_NOT_CHECKED
        )
    });
    let keys_line = keys_line.as_deref();
    let mut signature_line = rtrace::token_signatures_note(&decoded, keys_line);
    if secrets == Secrets::Shown {
        signature_line = format!("{signature_line}\n{SECRETS_SHOWN}");
    }
    Ok(match format {
        Format::Json => rtrace::token_json(&decoded, now, keys_line),
        Format::Html => rtrace::token_document(&decoded, now, keys_line),
        Format::Text => {
            let mut s = format!("{}\n", paint(style, DIM, &ts(&signature_line)));
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
        Format::Md => {
            let mut s = format!("# Decoded\n\n{}\n", markdown_text(&signature_line));
            for d in &decoded {
                s.push('\n');
                match d {
                    Decoded::Jwt(j) => s.push_str(&jwt_md(j)),
                    Decoded::Saml(m) => s.push_str(&saml_md(m)),
                }
            }
            s
        }
    })
}
