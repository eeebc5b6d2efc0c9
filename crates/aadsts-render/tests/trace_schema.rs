//! Walks the `aadsts.trace/1` and `aadsts.token/1` documents of the capture fixtures (what
//! `aadsts trace --format json`, `aadsts token --format json` and the web API print)
//! against the field tables of docs/json-schema.md: every field of the output is
//! documented with its type, and every field documented as never absent is there.

use aadsts_render::trace as rtrace;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

struct Field {
    types: Vec<String>,
    always: bool,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The field table of the section whose heading names `schema`.
fn table(schema: &str) -> BTreeMap<String, Field> {
    let doc = std::fs::read_to_string(root().join("docs/json-schema.md")).unwrap();
    let start = doc
        .find(&format!("## `{schema}`"))
        .unwrap_or_else(|| panic!("no section for {schema}"));
    let section = &doc[start + 3..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut out = BTreeMap::new();
    let mut in_table = false;
    for line in section.lines() {
        if line.starts_with("| field | type | absent |") {
            in_table = true;
            continue;
        }
        if !in_table || line.starts_with("|---") {
            continue;
        }
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 3, "bad row: {line}");
        let name = cells[0].trim_matches('`').to_string();
        let types = cells[1].split(" or ").map(str::to_string).collect();
        let always = cells[2].starts_with("never");
        assert!(
            out.insert(name.clone(), Field { types, always }).is_none(),
            "{name} twice"
        );
    }
    assert!(out.len() > 10, "no field table for {schema}");
    out
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check_type(path: &str, v: &Value, fields: &BTreeMap<String, Field>, problems: &mut Vec<String>) {
    match fields.get(path) {
        None => problems.push(format!("{path}: not documented")),
        Some(f) => {
            if !f.types.iter().any(|t| t == "any" || t == type_of(v)) {
                problems.push(format!(
                    "{path}: {} is documented as {:?}",
                    type_of(v),
                    f.types
                ));
            }
        }
    }
}

/// Whether the table describes what is inside `path` (else it is free-form: a JWT header,
/// a claim's value, the explain document).
fn has_children(path: &str, fields: &BTreeMap<String, Field>) -> bool {
    let dot = format!("{path}.");
    let arr = format!("{path}[]");
    fields
        .keys()
        .any(|k| k.starts_with(&dot) || k.starts_with(&arr))
}

fn walk(
    path: &str,
    v: &Value,
    fields: &BTreeMap<String, Field>,
    seen: &mut std::collections::BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    match v {
        Value::Object(m) => {
            let prefix = if path.is_empty() {
                String::new()
            } else {
                format!("{path}.")
            };
            for (k, f) in fields {
                let Some(rest) = k.strip_prefix(&prefix) else {
                    continue;
                };
                if f.always && !rest.contains('.') && !rest.contains('[') && !m.contains_key(rest) {
                    problems.push(format!("{k}: documented as never absent, but missing"));
                }
            }
            for (k, x) in m {
                let p = format!("{prefix}{k}");
                check_type(&p, x, fields, problems);
                seen.insert(p.clone());
                if has_children(&p, fields) {
                    walk(&p, x, fields, seen, problems);
                }
            }
        }
        Value::Array(a) => {
            let p = format!("{path}[]");
            for x in a {
                if !x.is_object() {
                    check_type(&p, x, fields, problems);
                    seen.insert(p.clone());
                }
                if has_children(&p, fields) || x.is_object() {
                    walk(&p, x, fields, seen, problems);
                }
            }
        }
        _ => {}
    }
}

fn fixtures() -> PathBuf {
    root().join("crates/aadsts-trace/tests/fixtures")
}

#[test]
fn trace_documents_match_the_documented_fields() {
    let cat = aadsts_catalog::Catalog::builtin();
    let fields = table("aadsts.trace/1");
    let mut seen = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    let mut walked = 0;
    for name in [
        "chrome-consent.har",
        "chrome-redirect-uri.har",
        "edge-adfs.har",
        "firefox-spa.har",
        "safari-saml.har",
        "fiddler-consent.saz",
        "chrome-cookies.har",
    ] {
        let t = aadsts_trace::read_path(&fixtures().join(name), &Default::default(), &cat).unwrap();
        // With and without the sanitized-copy member the CLI adds.
        for sanitized in [
            None,
            Some(rtrace::SanitizedJson {
                path: "safe.har".into(),
                entries: t.entries,
                replaced: 3,
                left_out: 0,
                stubs: 0,
                truncated: false,
            }),
        ] {
            let v: Value = serde_json::from_str(&rtrace::trace_json(&cat, &t, sanitized)).unwrap();
            assert_eq!(v["schema"], "aadsts.trace/1");
            walk("", &v, &fields, &mut seen, &mut problems);
            walked += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(walked, 14);
    // The fixtures reach the parts that matter: hops with errors, tokens with claims,
    // SAML messages, findings, the sanitized member.
    for p in [
        "journey[].errors[].side",
        "journey[].params[][]",
        "tokens[].claims[].note",
        "saml[].status_code",
        "findings[].kind",
        "sanitized.replaced",
        "errors[].hops[]",
        "journey[].cookies_set[].attributes",
        "journey[].secrets[].side",
        "journey[].authorization",
    ] {
        assert!(seen.contains(p), "no fixture has {p}");
    }
}

#[test]
fn token_documents_match_the_documented_fields() {
    let fields = table("aadsts.token/1");
    let mut seen = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    let har: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("chrome-consent.har")).unwrap())
            .unwrap();
    let bearer = har["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["request"]["headers"].as_array().unwrap().iter())
        .find(|h| {
            h["name"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("authorization")
        })
        .and_then(|h| h["value"].as_str())
        .unwrap()
        .to_string();
    let saml = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" InResponseTo="_q1" IssueInstant="2024-11-04T08:00:03Z" Destination="https://sp/acs"><saml:Issuer>https://sts.windows.net/t/</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion><saml:Issuer>https://sts.windows.net/t/</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">a@contoso.com</saml:NameID><saml:SubjectConfirmation><saml:SubjectConfirmationData Recipient="https://sp/acs" NotOnOrAfter="2024-11-04T08:05:03Z"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="2024-11-04T07:55:03Z" NotOnOrAfter="2024-11-04T09:00:03Z"><saml:AudienceRestriction><saml:Audience>https://sp</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AttributeStatement><saml:Attribute Name="groups"><saml:AttributeValue>g1</saml:AttributeValue><saml:AttributeValue>g2</saml:AttributeValue></saml:Attribute></saml:AttributeStatement><saml:AuthnStatement AuthnInstant="2024-11-04T08:00:00Z"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement></saml:Assertion></samlp:Response>"#;
    for (text, now) in [(bearer.as_str(), 1_730_567_000), (saml, 1_730_800_000)] {
        let d = rtrace::decode(text, now).unwrap();
        let v: Value = serde_json::from_str(&rtrace::token_json(&d, now, None)).unwrap();
        assert_eq!(v["schema"], "aadsts.token/1");
        walk("", &v, &fields, &mut seen, &mut problems);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for p in [
        "decoded[].claims[].note",
        "decoded[].validity",
        "decoded[].attributes[][][]",
        "decoded[].audiences[]",
        "decoded[].notes[]",
    ] {
        assert!(seen.contains(p), "no input has {p}");
    }
}

/// The walker itself: an undocumented field, a wrong type and a missing field are caught.
#[test]
fn the_walk_catches_what_the_table_does_not_say() {
    let fields = table("aadsts.token/1");
    let mut problems = Vec::new();
    let v: Value = serde_json::json!({
        "schema": "aadsts.token/1", "signatures": 1, "decoded": [{"type": "jwt", "kind": "x", "signature": "s", "surprise": true}]
    });
    walk("", &v, &fields, &mut Default::default(), &mut problems);
    let all = problems.join("\n");
    assert!(
        all.contains("signatures: integer is documented as"),
        "{all}"
    );
    assert!(
        all.contains("checked_at: documented as never absent"),
        "{all}"
    );
    assert!(all.contains("decoded[].surprise: not documented"), "{all}");
}
