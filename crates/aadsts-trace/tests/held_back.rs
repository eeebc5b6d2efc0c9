//! The held-back set (tests/held-back/): captures written by hand and by a one-off writer,
//! not by gen.py, in shapes the generator never makes: entries out of time order, keys in
//! odd order, a redirect and its target as separate entries, base64 bodies with HAR's
//! `compression` field, non-ASCII user names and pages, SAML-tracer's pre-1.0 export, a
//! ZIP64 Fiddler archive with a deflate-encoded body. Each error must be found at the hop
//! that carries it, tokens decoded, no secret in any output, and the sanitized copy must
//! read back to the same journey.

use aadsts_catalog::Catalog;
use aadsts_trace::{read, read_path, sanitize, sanitize_saz, Limits, Trace};
use std::path::PathBuf;

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/held-back")
        .join(name)
}

struct Expect {
    file: &'static str,
    /// (code, URL the failing entry requested, method).
    failed: (u32, &'static str, &'static str),
    /// Every error and the hops that carry it, by the URL of each hop.
    errors: &'static [(u32, &'static [&'static str])],
    /// Token kinds decoded, with one claim each.
    tokens: &'static [(&'static str, &'static str, &'static str)],
    saml: &'static [&'static str],
    /// Values that must never be printed, nor be in the sanitized copy.
    secrets: &'static [&'static str],
}

const SET: &[Expect] = &[
    Expect {
        file: "edge-odd-order.har",
        failed: (50020, "https://login.microsoftonline.com/common/login", "POST"),
        errors: &[(50020, &["https://login.microsoftonline.com/common/login"])],
        tokens: &[("ID token", "preferred_username", "jürgen@fabrikam.de")],
        saml: &[],
        secrets: &[
            "HeldPass", "Gr%C3%BC%C3%9FeHeld", "HeldCanaryValue", "HeldFlowTokenValue",
            "HeldBackSessionCookie", "HeldBackBuid", "HeldBackCtx", "HeldPersist",
            "HeldPageFlowToken", "HeldPageCanary", "SGVsZEJhY2tTaWduYXR1cmVIQlNJRw",
        ],
    },
    Expect {
        file: "chrome-b64-compressed.har",
        failed: (
            700025,
            "https://login.microsoftonline.com/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/oauth2/v2.0/token",
            "POST",
        ),
        errors: &[(
            700025,
            &["https://login.microsoftonline.com/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/oauth2/v2.0/token"],
        )],
        tokens: &[("access token", "scp", "User.Read")],
        saml: &[],
        secrets: &[
            "HeldOldRefreshToken", "HeldRefreshTokenValue", "Held~Client~Secret~Value",
            "SGVsZEJhY2tBY2Nlc3NTSUc",
        ],
    },
    Expect {
        file: "samltracer-legacy.json",
        failed: (75011, "https://expenses.contoso.com/Saml2/Acs", "POST"),
        errors: &[(75011, &["https://expenses.contoso.com/Saml2/Acs"])],
        tokens: &[],
        saml: &["AuthnRequest", "Response"],
        secrets: &["HeldSamlSessionId", "HeldSamlCookie", "HeldSamlPersist"],
    },
    Expect {
        file: "fiddler-zip64.saz",
        failed: (50126, "https://login.microsoftonline.com/common/login", "POST"),
        errors: &[(50126, &["https://login.microsoftonline.com/common/login"])],
        tokens: &[],
        saml: &[],
        secrets: &[
            "HeldSazBuid", "Held%C3%A9SazPass", "HeldéSazPass", "HeldSazPageFT",
            "HeldSazCanary", "HeldSazLight", "HeldSazFlowToken",
        ],
    },
];

/// Everything a report shows of a trace: hops, errors with their texts, tokens, SAML,
/// findings, warnings.
fn shown(t: &Trace) -> String {
    let mut s = serde_json::to_string(&t.hops).unwrap();
    s += &serde_json::to_string(&t.tokens).unwrap();
    s += &serde_json::to_string(&t.saml).unwrap();
    s += &serde_json::to_string(&t.findings).unwrap();
    s += &t.warnings.join("\n");
    for e in &t.errors {
        s += &format!("{:?}", e.error);
    }
    s
}

fn check(e: &Expect, t: &Trace, what: &str) {
    let n = t
        .failed_hop
        .unwrap_or_else(|| panic!("{what}: no failed hop"));
    let h = &t.hops[n - 1];
    assert_eq!(
        (
            h.errors.first().map(|x| x.code),
            aadsts_trace::url::base(&h.url),
            h.method.as_str()
        ),
        (Some(e.failed.0), e.failed.1, e.failed.2),
        "{what}: failed hop"
    );
    let got: Vec<(u32, Vec<&str>)> = t
        .errors
        .iter()
        .map(|x| {
            (
                x.error.code,
                x.hops
                    .iter()
                    .map(|&n| aadsts_trace::url::base(&t.hops[n - 1].url))
                    .collect(),
            )
        })
        .collect();
    let want: Vec<(u32, Vec<&str>)> = e.errors.iter().map(|(c, u)| (*c, u.to_vec())).collect();
    assert_eq!(got, want, "{what}: errors");
    let toks: Vec<(&str, Option<&str>)> = t
        .tokens
        .iter()
        .map(|x| {
            (
                x.token.kind,
                x.token.claim_str(e.tokens.first().map_or("", |k| k.1)),
            )
        })
        .collect();
    let want: Vec<(&str, Option<&str>)> = e.tokens.iter().map(|k| (k.0, Some(k.2))).collect();
    assert_eq!(toks, want, "{what}: tokens");
    let mut saml: Vec<&str> = t.saml.iter().map(|m| m.message.kind.as_ref()).collect();
    saml.sort_unstable();
    assert_eq!(saml, e.saml, "{what}: SAML");
    // Hops are in time order whatever the file's order.
    let times: Vec<&str> = t.hops.iter().filter_map(|h| h.time.as_deref()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{what}: {times:?}");
}

#[test]
fn held_back_captures_read_at_the_right_hop_and_never_show_a_secret() {
    let cat = Catalog::builtin();
    for e in SET {
        let t = read_path(&path(e.file), &Limits::default(), &cat)
            .unwrap_or_else(|err| panic!("{}: {err}", e.file));
        check(e, &t, e.file);
        let out = shown(&t);
        for s in e.secrets {
            assert!(!out.contains(s), "{}: {s} shown", e.file);
        }
        // The explain report's error texts keep what support needs.
        assert!(
            out.contains(&format!("AADSTS{}", e.failed.0)) || t.errors[0].error.message.is_some()
        );
    }
}

#[test]
fn held_back_captures_sanitize_and_reread_the_same() {
    let cat = Catalog::builtin();
    for e in SET {
        let input = std::fs::read(path(e.file)).unwrap();
        let (copy, text) = if e.file.ends_with(".saz") {
            let mut out = std::io::Cursor::new(Vec::new());
            sanitize_saz(
                std::io::Cursor::new(&input),
                &mut out,
                e.file,
                &Limits::default(),
            )
            .unwrap();
            let bytes = out.into_inner();
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
            let mut all = String::new();
            for i in 0..z.len() {
                let mut b = Vec::new();
                std::io::Read::read_to_end(&mut z.by_index(i).unwrap(), &mut b).unwrap();
                all.push_str(&String::from_utf8_lossy(&b));
            }
            (bytes, all)
        } else {
            let mut out = Vec::new();
            sanitize(&input[..], &mut out, e.file, &Limits::default()).unwrap();
            let text = String::from_utf8(out.clone()).unwrap();
            // Base64 bodies are checked decoded.
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let mut decoded = String::new();
            for entry in v["log"]["entries"].as_array().into_iter().flatten() {
                if let Some(b) = entry["response"]["content"]["text"].as_str() {
                    if let Some(d) = aadsts_trace::b64::decode(b) {
                        decoded.push_str(&String::from_utf8_lossy(&d));
                    }
                }
            }
            (out, text + &decoded)
        };
        for s in e.secrets {
            assert!(
                !text.contains(s),
                "{}: {s} left in the sanitized copy",
                e.file
            );
        }
        let t = if e.file.ends_with(".saz") {
            aadsts_trace::read_saz(
                std::io::Cursor::new(&copy),
                e.file,
                &Limits::default(),
                &cat,
            )
        } else {
            read(&copy[..], e.file, &Limits::default(), &cat)
        }
        .unwrap_or_else(|err| panic!("{}: sanitized copy: {err}", e.file));
        let mut e2 = Expect { ..*e };
        // A sanitized copy keeps no token: the JWTs are gone by design.
        e2.tokens = &[];
        check(&e2, &t, &format!("{} (sanitized)", e.file));
    }
}
