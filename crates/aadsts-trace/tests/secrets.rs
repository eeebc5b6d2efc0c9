//! Credentials in the trace model: masked by default, whole with `Secrets::Shown`
//! (`--show-secrets`), passwords never; and the cookie findings (a form post back to the
//! app without its SameSite=Lax cookies, a silent sign-in in a cross-site iframe without
//! Entra's session cookie), on tests/fixtures/chrome-cookies.har (gen.py writes it).

use aadsts_catalog::Catalog;
use aadsts_trace::{read, read_path_with, Limits, ReadOptions, Secrets, Side, Trace};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn cookies(secrets: Secrets) -> Trace {
    let opts = ReadOptions {
        keys: None,
        secrets,
    };
    read_path_with(
        &fixture("chrome-cookies.har"),
        &Limits::default(),
        &Catalog::builtin(),
        &opts,
    )
    .expect("fixture reads")
}

/// Everything the model would let a renderer print: hops and tokens as JSON.
fn shown(t: &Trace) -> String {
    format!(
        "{}{}",
        serde_json::to_string(&t.hops).unwrap(),
        serde_json::to_string(&t.tokens).unwrap()
    )
}

/// The fixture's signature of the ID token posted to the app (`\x42\x24` repeated).
const ID_SIG: &str = "QiRCJEIkQiRCJEIkQiRCJEIk";
/// Values that must never be printed, flag or not: the password, the client secret of the
/// HTTP Basic header (and the header's base64), flow token and canary.
const NEVER: &[&str] = &[
    "C00kie",
    "C00kieClientSecretValue",
    "MGMxZDJlM2Yt",
    "CKFLOWTOKENVALUE",
    "CKCANARYVALUE",
];
/// Values shown only with `Secrets::Shown`.
const SHOWN_ONLY: &[&str] = &[
    "AkQcookiesFpcValue",
    "1.AXoAcookiesSessionValue",
    "0.AXoAcookiesBuidValue",
    "0.AXoAcookiesAuthCodeValue1234",
    "0.AXoAcookiesOldRefreshValue",
    "0.AXoAcookiesNewRefreshValue",
    ID_SIG,
    "Q2ZESjhDb29raWVTdGF0ZQ",
];

#[test]
fn credentials_are_masked_by_default_and_passwords_never_kept() {
    let t = cookies(Secrets::Masked);
    assert_eq!(t.secrets, Secrets::Masked);
    let out = shown(&t);
    for s in NEVER.iter().chain(SHOWN_ONLY) {
        assert!(!out.contains(s), "{s} in the masked model");
    }
    // Names stay, values are cut to four characters.
    let h3 = &t.hops[2];
    assert!(h3
        .cookies_sent
        .iter()
        .any(|c| c.name == "buid" && c.value == "0.AX…"));
    assert_eq!(h3.cookies_set[0].name, "ESTSAUTH");
    assert_eq!(
        h3.cookies_set[0].attributes.as_deref(),
        Some("path=/; secure; HttpOnly; SameSite=None")
    );
    // The code and ID token of Entra's auto-post form, and what the app received.
    assert!(h3
        .secrets
        .iter()
        .any(|s| s.name == "code" && s.side == Side::Response && s.value == "0.AX…"));
    assert!(t.hops[3]
        .secrets
        .iter()
        .any(|s| s.name == "id_token" && s.side == Side::Request && s.value == "eyJ0…"));
    assert!(t.tokens.iter().all(|x| x.token.value.is_none()));
    // HTTP Basic is a password: never shown, whatever the mode.
    assert_eq!(
        t.hops[5].authorization.as_deref(),
        Some("Basic (user name and password never shown)")
    );
}

#[test]
fn shown_secrets_are_whole_but_passwords_still_never() {
    let t = cookies(Secrets::Shown);
    assert_eq!(t.secrets, Secrets::Shown);
    let out = shown(&t);
    for s in SHOWN_ONLY {
        assert!(out.contains(s), "{s} not shown with Secrets::Shown");
    }
    for s in NEVER {
        assert!(!out.contains(s), "{s} shown with Secrets::Shown");
    }
    assert!(t.hops[3].url.ends_with("/signin-oidc"));
    let id = t
        .tokens
        .iter()
        .find(|x| x.token.kind == "ID token")
        .and_then(|x| x.token.value.as_deref())
        .unwrap();
    assert!(id.starts_with("eyJ") && id.contains(ID_SIG), "{id}");
    assert_eq!(
        t.hops[5].authorization.as_deref(),
        Some("Basic (user name and password never shown)")
    );
    // The same journey either way: the option changes values, not what is read.
    let m = cookies(Secrets::Masked);
    assert_eq!(m.hops.len(), t.hops.len());
    assert_eq!(m.failed_hop, t.failed_hop);
    let kinds = |t: &Trace| -> Vec<(&str, Option<usize>)> {
        t.findings.iter().map(|f| (f.kind, f.hop)).collect()
    };
    assert_eq!(kinds(&m), kinds(&t));
}

#[test]
fn cookie_findings_name_the_hop_the_cookies_and_the_cause() {
    let t = cookies(Secrets::Masked);
    let kinds: Vec<(&str, Option<usize>)> = t.findings.iter().map(|f| (f.kind, f.hop)).collect();
    assert!(kinds.contains(&("missing-cookie", Some(4))), "{kinds:?}");
    assert!(
        kinds.contains(&("third-party-cookies", Some(5))),
        "{kinds:?}"
    );
    // The form_post answer has no Location: the later silent flow's redirect is not
    // taken for where the first flow's answer went.
    assert!(!kinds.iter().any(|k| k.0 == "redirect-uri"), "{kinds:?}");
    let f = t
        .findings
        .iter()
        .find(|f| f.kind == "missing-cookie")
        .unwrap();
    assert!(
        f.message.contains("hop 1 set for intranet.fabrikam.com"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains(".AspNetCore.OpenIdConnect.Nonce.CfDJ…"),
        "{}",
        f.message
    );
    assert!(f.message.contains("SameSite=None; Secure"), "{}", f.message);
    let f = t
        .findings
        .iter()
        .find(|f| f.kind == "third-party-cookies")
        .unwrap();
    assert!(f.message.contains("answered AADSTS50058"), "{}", f.message);
}

/// The fixture with `edit` applied to its entries, read from memory.
fn edited(edit: impl Fn(&mut Vec<serde_json::Value>)) -> Trace {
    let mut har: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("chrome-cookies.har")).unwrap()).unwrap();
    edit(har["log"]["entries"].as_array_mut().unwrap());
    let bytes = serde_json::to_vec(&har).unwrap();
    read(
        &bytes[..],
        "edited",
        &Limits::default(),
        &Catalog::builtin(),
    )
    .unwrap()
}

fn add_header(e: &mut serde_json::Value, name: &str, value: &str) {
    e["request"]["headers"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": name, "value": value}));
}

#[test]
fn no_cookie_finding_when_the_cookies_were_sent_or_not_recorded() {
    // The app got its cookies back, and the iframe carried Entra's session cookie.
    let t = edited(|es| {
        add_header(
            &mut es[3],
            "cookie",
            ".AspNetCore.Correlation.Q2ZESjhDb29raWVTdGF0ZQ=N; .AspNetCore.OpenIdConnect.Nonce.CfDJ8NonceCookie=N",
        );
        add_header(&mut es[4], "cookie", "ESTSAUTH=1.AXoAx; fpc=AkQ");
    });
    assert!(
        t.findings.iter().all(|f| !f.kind.contains("cookie")),
        "{:?}",
        t.findings
    );
    // Only one of the two came back: that one is not named.
    let t = edited(|es| {
        add_header(
            &mut es[3],
            "cookie",
            ".AspNetCore.Correlation.Q2ZESjhDb29raWVTdGF0ZQ=N",
        );
    });
    let f = t
        .findings
        .iter()
        .find(|f| f.kind == "missing-cookie")
        .unwrap();
    assert!(!f.message.contains("Correlation"), "{}", f.message);
    // A capture that kept no request cookie at all (Chrome's sanitized export) proves
    // nothing about cookies.
    let t = edited(|es| {
        for e in es.iter_mut() {
            let hs = e["request"]["headers"].as_array_mut().unwrap();
            hs.retain(|h| h["name"] != "cookie");
        }
    });
    assert!(
        t.findings.iter().all(|f| !f.kind.contains("cookie")),
        "{:?}",
        t.findings
    );
}
