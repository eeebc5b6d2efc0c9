//! The fixtures are hand-written simulations of real sign-ins in each browser's dialect
//! (tests/fixtures/gen.py writes them); each has one known failure.

use aadsts_catalog::Catalog;
use aadsts_trace::{read, read_path, sanitize, Limits, Side, Trace};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn trace(name: &str) -> Trace {
    read_path(&fixture(name), &Limits::default(), &Catalog::builtin()).expect("fixture reads")
}

fn param<'a>(t: &'a Trace, hop: usize, name: &str) -> Option<&'a str> {
    t.hops[hop - 1]
        .params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn chrome_redirect_uri_mismatch_on_the_error_page() {
    let t = trace("chrome-redirect-uri.har");
    assert_eq!(t.browser, "Chrome or Edge");
    assert_eq!(t.format, "HAR 1.2");
    assert_eq!(t.entries, 4);
    // The app's start and the authorize request; the CDN assets are not part of it.
    let roles: Vec<&str> = t.hops.iter().map(|h| h.role).collect();
    assert_eq!(roles, ["start", "authorize"]);
    assert_eq!(t.failed_hop, Some(2));
    let hop = &t.hops[1];
    assert_eq!(hop.status, 200);
    assert_eq!(hop.party, "Entra ID");
    assert_eq!(
        param(&t, 2, "client_id"),
        Some("2d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60")
    );
    assert_eq!(
        param(&t, 2, "redirect_uri"),
        Some("https://portal.contoso.com/signin-oidc")
    );
    assert_eq!(param(&t, 2, "response_type"), Some("code id_token"));
    assert_eq!(param(&t, 2, "response_mode"), Some("form_post"));
    assert_eq!(param(&t, 2, "prompt"), Some("select_account"));
    assert_eq!(param(&t, 2, "login_hint"), Some("alex@contoso.com"));
    assert_eq!(param(&t, 2, "domain_hint"), Some("contoso.com"));
    assert_eq!(param(&t, 2, "code_challenge_method"), Some("S256"));
    assert_eq!(param(&t, 2, "code_challenge"), Some("present"));
    // The error page body is base64 in Chrome's file.
    assert_eq!(t.errors.len(), 1, "{:?}", t.errors);
    let e = &t.errors[0];
    assert_eq!(e.error.code, 50011);
    assert_eq!(e.hops, vec![2]);
    assert_eq!(
        e.error.correlation_id.as_deref(),
        Some("1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9")
    );
    assert_eq!(
        e.error.values.get("redirect_uri").map(String::as_str),
        Some("https://portal.contoso.com/signin-oidc")
    );
    assert_eq!(
        e.error.values.get("app_id").map(String::as_str),
        Some("2d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60")
    );
    assert_eq!(
        e.error.values.get("tenant").map(String::as_str),
        Some("contoso.onmicrosoft.com")
    );
    assert_eq!(
        t.span.as_ref().map(|s| s.0.as_str()),
        Some("2024-11-02T17:04:09Z")
    );
}

#[test]
fn chrome_credentials_then_consent_error_in_the_redirect() {
    let t = trace("chrome-consent.har");
    let roles: Vec<&str> = t.hops.iter().map(|h| h.role).collect();
    assert_eq!(
        roles,
        [
            "start",
            "authorize",
            "user lookup",
            "credentials",
            "redirect URI"
        ]
    );
    let creds = &t.hops[3];
    assert_eq!(creds.method, "POST");
    assert_eq!(creds.status, 302);
    assert_eq!(param(&t, 4, "login"), Some("alex@contoso.com"));
    assert!(creds.params.iter().all(|(k, _)| k != "passwd"));
    // The failing hop is the one that answered with the error, not the app that got it.
    assert_eq!(t.failed_hop, Some(4));
    assert_eq!(creds.errors[0].code, 65001);
    assert_eq!(creds.errors[0].side, Side::Response);
    assert!(creds
        .location
        .as_deref()
        .unwrap()
        .starts_with("https://portal.contoso.com/signin-oidc?error=invalid_client"));
    let app = &t.hops[4];
    assert!(app
        .errors
        .iter()
        .any(|e| e.code == 65001 && e.side == Side::Request));
    assert_eq!(t.errors[0].hops, vec![4, 5]);
    assert_eq!(t.errors.len(), 1, "{:?}", t.errors);
    let e = &t.errors[0].error;
    assert_eq!(e.code, 65001);
    assert_eq!(e.oauth_error.as_deref(), Some("invalid_client"));
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("7c6b5a49-3827-4165-9a8b-7c6d5e4f3a2b")
    );
    assert_eq!(
        e.values.get("app_id").map(String::as_str),
        Some("2d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60")
    );
    // The bearer token sent to Graph is decoded, and was expired at capture time.
    assert_eq!(t.tokens.len(), 1);
    let tok = &t.tokens[0];
    assert!(
        tok.source.contains("Authorization header"),
        "{}",
        tok.source
    );
    assert_eq!(tok.token.kind, "access token");
    assert_eq!(tok.token.version.as_deref(), Some("1.0"));
    assert_eq!(tok.token.validity.as_deref(), Some("expired"));
    assert_eq!(
        tok.token.checked_at.as_deref(),
        Some("2024-11-02T17:06:41Z")
    );
}

#[test]
fn firefox_spa_token_endpoint_error() {
    let t = trace("firefox-spa.har");
    assert_eq!(t.browser, "Firefox");
    let roles: Vec<&str> = t.hops.iter().map(|h| h.role).collect();
    assert_eq!(
        roles,
        [
            "authorize",
            "authorize",
            "credentials",
            "redirect URI",
            "token"
        ]
    );
    // The silent request's AADSTS50058 is an interrupt, not the failure.
    assert_eq!(t.hops[0].errors[0].code, 50058);
    assert_eq!(t.hops[0].errors[0].signal, "expected");
    assert_eq!(param(&t, 1, "prompt"), Some("none"));
    assert_eq!(t.failed_hop, Some(5));
    let tok = &t.hops[4];
    assert_eq!(tok.status, 400);
    assert_eq!(tok.errors[0].code, 9002326);
    assert_eq!(param(&t, 5, "grant_type"), Some("authorization_code"));
    assert!(tok
        .params
        .iter()
        .all(|(k, _)| k != "code" && k != "code_verifier"));
    // Firefox's postData.params are read when text is empty.
    assert_eq!(param(&t, 3, "loginfmt"), Some("alex@contoso.com"));
    // The authorization code in the redirect is masked.
    let loc = t.hops[2].location.as_deref().unwrap();
    assert!(!loc.contains("secretauthcode"), "{loc}");
    let codes: Vec<u32> = t.errors.iter().map(|e| e.error.code).collect();
    assert_eq!(codes, [50058, 9002326]);
    // Times with an offset become UTC.
    assert_eq!(t.hops[0].time.as_deref(), Some("2024-11-03T09:15:01Z"));
}

#[test]
fn safari_saml_failed_response() {
    let t = trace("safari-saml.har");
    assert_eq!(t.browser, "Safari");
    let roles: Vec<&str> = t.hops.iter().map(|h| h.role).collect();
    assert_eq!(roles, ["start", "SAML request", "SAML response"]);
    assert_eq!(t.failed_hop, Some(2));
    assert_eq!(t.errors[0].error.code, 700016);
    assert_eq!(t.errors[0].hops, vec![2, 3]);
    let req = t
        .saml
        .iter()
        .find(|s| s.message.kind == "AuthnRequest")
        .unwrap();
    assert_eq!(req.message.encoding, "redirect (deflate + base64)");
    assert_eq!(
        req.message.issuer.as_deref(),
        Some("https://wiki.contoso.com/saml/metadata")
    );
    assert_eq!(
        req.message.assertion_consumer_service_url.as_deref(),
        Some("https://wiki.contoso.com/saml/acs")
    );
    let resp = t
        .saml
        .iter()
        .find(|s| s.message.kind == "Response")
        .unwrap();
    assert_eq!(resp.message.encoding, "POST (base64)");
    assert_eq!(
        resp.message.in_response_to.as_deref(),
        Some("_8f2c1d9e-4b7a-4c3e-9a5d-1e2f3a4b5c6d")
    );
    assert_eq!(
        resp.message.status_sub_code.as_deref(),
        Some("urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported")
    );
    assert!(resp
        .message
        .status_message
        .as_deref()
        .unwrap()
        .starts_with("AADSTS700016"));
    assert!(resp.message.failed());
}

#[test]
fn bad_input_is_an_error_naming_the_problem() {
    let cat = Catalog::builtin();
    let l = Limits::default();
    for (bytes, want) in [
        (&b""[..], "empty"),
        (b"PK\x03\x04rest", "zip"),
        (b"{\"foo\": 1}", "log.entries"),
        (b"[1,2]", "array"),
        (b"<html>", "XML or HTML"),
        (b"\x1f\x8b\x08", "gzip"),
        (b"hello", "does not start"),
    ] {
        let err = read(bytes, "x.har", &l, &cat).unwrap_err().to_string();
        assert!(err.starts_with("x.har is not a HAR capture"), "{err}");
        assert!(err.contains(want), "{err}");
    }
    let missing = read_path(&fixture("nope.har"), &l, &cat)
        .unwrap_err()
        .to_string();
    assert!(missing.contains("nope.har"), "{missing}");
}

#[test]
fn truncated_and_garbled_entries_warn_and_go_on() {
    let cat = Catalog::builtin();
    let text = std::fs::read_to_string(fixture("chrome-consent.har")).unwrap();
    let cut = &text[..text.len() * 3 / 4];
    let t = read(cut.as_bytes(), "cut.har", &Limits::default(), &cat).unwrap();
    assert!(
        t.warnings.iter().any(|w| w.contains("cut short")),
        "{:?}",
        t.warnings
    );
    assert!(t.hops.len() >= 3);
    let bad = r#"{"log":{"version":"1.2","entries":[{"request":7},{"request":{"method":"GET","url":"https://login.microsoftonline.com/common/oauth2/authorize?client_id=x"},"response":{"status":"200"}}]}}"#;
    let t = read(bad.as_bytes(), "bad.har", &Limits::default(), &cat).unwrap();
    assert_eq!(t.entries, 2);
    assert_eq!(t.hops.len(), 1);
    assert_eq!(t.hops[0].status, 200);
    assert!(
        t.warnings[0].starts_with("entry 0 skipped"),
        "{:?}",
        t.warnings
    );
}

#[test]
fn long_values_are_cut_and_large_entries_skipped_within_the_bounds() {
    let cat = Catalog::builtin();
    let big = "A".repeat(5000);
    let text = format!(
        r#"{{"log":{{"entries":[{{"request":{{"url":"https://cdn.example/x.js"}},"response":{{"content":{{"text":"{big}"}}}}}},{{"request":{{"url":"https://cdn.example/y","headers":[{h}]}}}},{{"request":{{"method":"GET","url":"https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=c&x=\"q\\\\"}},"response":{{"status":302}}}}]}}}}"#,
        h = (0..200)
            .map(|i| format!(r#"{{"name":"h{i}","value":"v"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    let limits = Limits {
        max_string: 1000,
        max_entry: 4000,
        max_outer: 1000,
    };
    let t = read(text.as_bytes(), "big.har", &limits, &cat).unwrap();
    assert_eq!(t.entries, 3);
    assert_eq!(t.hops.len(), 1, "{:?}", t.warnings);
    assert!(
        t.warnings
            .iter()
            .any(|w| w.contains("entry 0") && w.contains("left out")),
        "{:?}",
        t.warnings
    );
    assert!(
        t.warnings.iter().any(|w| w.contains("entry 1 skipped")),
        "{:?}",
        t.warnings
    );
}

#[test]
fn sanitized_copy_has_no_secret_and_reads_the_same() {
    for name in [
        "chrome-redirect-uri.har",
        "chrome-consent.har",
        "firefox-spa.har",
        "safari-saml.har",
        "edge-adfs.har",
    ] {
        let input = std::fs::read(fixture(name)).unwrap();
        let mut out = Vec::new();
        let stats = sanitize(&input[..], &mut out, name, &Limits::default()).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        for secret in [
            "Sup3r",
            "Firef0x",
            "secretcookie",
            "secretpersist",
            "secretauthcode",
            "SECRETFLOWTOKEN",
            "CANARYVALUE",
            "sessionsecret",
            "AkQ",
            "dBjftJeZ4CVP",
            "FFFLOWTOKEN",
            "FFCANARY",
            "secretbuid",
            "eyJ0eXAiOiJKV1Qi",
            "Ffsession",
            "ffsecret",
        ] {
            assert!(
                !text.contains(secret),
                "{name}: {secret} left in the sanitized copy"
            );
        }
        assert!(stats.replaced > 0 || name.starts_with("safari"), "{name}");
        // Still valid JSON, still HAR, the same journey and errors.
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(v["log"]["entries"].is_array());
        let before = trace(name);
        let after = read(&out[..], name, &Limits::default(), &Catalog::builtin()).unwrap();
        assert_eq!(before.hops.len(), after.hops.len(), "{name}");
        assert_eq!(before.failed_hop, after.failed_hop, "{name}");
        let codes = |t: &Trace| t.errors.iter().map(|e| e.error.code).collect::<Vec<_>>();
        assert_eq!(codes(&before), codes(&after), "{name}");
    }
}

#[test]
fn fiddler_saz_reads_like_the_har_of_the_same_flow() {
    let t = trace("fiddler-consent.saz");
    assert_eq!(t.format, "Fiddler .saz");
    assert_eq!(t.browser, "Fiddler");
    // The CONNECT tunnel is not a request of the sign-in.
    let roles: Vec<&str> = t.hops.iter().map(|h| h.role).collect();
    assert_eq!(
        roles,
        [
            "start",
            "authorize",
            "user lookup",
            "credentials",
            "redirect URI"
        ]
    );
    assert_eq!(t.failed_hop, Some(4));
    assert_eq!(t.errors[0].error.code, 65001);
    // The app's error page was chunked and gzip-compressed.
    assert!(t.hops[4]
        .errors
        .iter()
        .any(|e| e.side == Side::Response && e.code == 65001));
    // Session timers give the time (written with a +01:00 offset).
    assert_eq!(t.hops[3].time.as_deref(), Some("2024-11-02T17:06:39Z"));
    assert_eq!(param(&t, 4, "login"), Some("alex@contoso.com"));
    assert_eq!(t.tokens.len(), 1);
    let har = trace("chrome-consent.har");
    let codes = |t: &Trace| t.errors.iter().map(|e| e.error.code).collect::<Vec<_>>();
    assert_eq!(codes(&t), codes(&har));
}

#[test]
fn damaged_saz_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("aadsts-trace-saz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cut = dir.join("cut.saz");
    let bytes = std::fs::read(fixture("fiddler-consent.saz")).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = read_path(&cut, &Limits::default(), &Catalog::builtin())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cut.saz is not a readable Fiddler archive"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn form_post_error_is_found_in_the_auto_post_form() {
    let page = r#"<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="https://app.contoso.com/signin-oidc"><input type="hidden" name="error" value="invalid_request" /><input type="hidden" name="error_description" value="AADSTS50011: The redirect URI &#39;https://app.contoso.com/signin-oidc&#39; specified in the request does not match the redirect URIs configured for the application &#39;c0ffee00-0000-4000-8000-000000000001&#39;.&#13;&#10;Trace ID: 0c1d2e3f-0000-4000-8000-000000000002&#13;&#10;Correlation ID: 0c1d2e3f-0000-4000-8000-000000000003&#13;&#10;Timestamp: 2024-11-05 10:00:00Z" /><input type="hidden" name="state" value="s" /></form><script>document.forms[0].submit();</script></body></html>"#;
    let har = serde_json::json!({"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "entries": [
        {"startedDateTime": "2024-11-05T10:00:00.000Z",
         "request": {"method": "GET", "url": "https://login.microsoftonline.com/common/oauth2/authorize?client_id=c0ffee00-0000-4000-8000-000000000001&redirect_uri=https%3A%2F%2Fapp.contoso.com%2Fsignin-oidc&response_type=id_token&response_mode=form_post&scope=openid", "headers": []},
         "response": {"status": 200, "headers": [], "content": {"mimeType": "text/html; charset=utf-8", "text": page}}},
        {"startedDateTime": "2024-11-05T10:00:00.500Z",
         "request": {"method": "POST", "url": "https://app.contoso.com/signin-oidc", "headers": [],
                     "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "error=invalid_request&error_description=AADSTS50011%3a+The+redirect+URI+%27https%3a%2f%2fapp.contoso.com%2fsignin-oidc%27+specified+in+the+request+does+not+match.&state=s"}},
         "response": {"status": 500, "headers": [], "content": {"mimeType": "text/html", "text": "oops"}}}
    ]}});
    let t = read(
        har.to_string().as_bytes(),
        "form.har",
        &Limits::default(),
        &Catalog::builtin(),
    )
    .unwrap();
    let roles: Vec<&str> = t.hops.iter().map(|h| h.role).collect();
    assert_eq!(roles, ["authorize", "redirect URI"]);
    assert_eq!(t.failed_hop, Some(1));
    assert_eq!(t.errors.len(), 1);
    assert_eq!(t.errors[0].error.code, 50011);
    assert_eq!(t.errors[0].hops, vec![1, 2]);
    assert_eq!(
        t.errors[0].error.correlation_id.as_deref(),
        Some("0c1d2e3f-0000-4000-8000-000000000003")
    );
    assert_eq!(param(&t, 2, "error"), Some("invalid_request"));
}

/// Cut and garbled copies of every fixture: reading and sanitizing either succeed or give an
/// error, never a panic.
#[test]
fn damaged_captures_never_panic() {
    let cat = Catalog::builtin();
    let l = Limits::default();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for name in [
        "chrome-redirect-uri.har",
        "chrome-consent.har",
        "firefox-spa.har",
        "safari-saml.har",
        "edge-adfs.har",
        "fiddler-consent.saz",
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let mut cases: Vec<Vec<u8>> = (0..bytes.len())
            .step_by(bytes.len() / 40 + 1)
            .map(|cut| bytes[..cut].to_vec())
            .collect();
        for _ in 0..40 {
            let mut b = bytes.clone();
            for _ in 0..8 {
                let i = (next() as usize) % b.len();
                b[i] = b"{}[]\",:\\<>=&%0aZ\x00\xff"[(next() % 18) as usize];
            }
            cases.push(b);
        }
        for b in &cases {
            let _ = read(&b[..], name, &l, &cat);
            let mut out = Vec::new();
            let _ = sanitize(&b[..], &mut out, name, &l);
            if name.ends_with(".saz") {
                let _ = aadsts_trace::read_saz(std::io::Cursor::new(b), name, &l, &cat);
            }
        }
    }
}

#[test]
fn findings_cross_check_clock_redirect_uri_and_saml() {
    use std::io::Write as _;
    let req = r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_q7" AssertionConsumerServiceURL="https://sp.contoso.com/acs"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://sp.contoso.com/entity</saml:Issuer></samlp:AuthnRequest>"#;
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(req.as_bytes()).unwrap();
    let saml_req = aadsts_trace::b64::encode(&z.finish().unwrap())
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let resp = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r7" InResponseTo="_q7" Destination="https://sp.contoso.com/saml/acs"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><Conditions NotBefore="2024-11-05T08:00:00Z" NotOnOrAfter="2024-11-05T09:00:00Z"><AudienceRestriction><Audience>spn:11111111-2222-4333-8444-555555555555</Audience></AudienceRestriction></Conditions></Assertion></samlp:Response>"#;
    let page = format!(
        r#"<form method="POST" action="https://sp.contoso.com/saml/acs"><input type="hidden" name="SAMLResponse" value="{}" /></form>"#,
        aadsts_trace::b64::encode(resp.as_bytes())
    );
    let har = serde_json::json!({"log": {"entries": [
        {"startedDateTime": "2024-11-05T10:00:00Z",
         "request": {"method": "GET", "url": "https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=c&redirect_uri=https%3A%2F%2Fapp.contoso.com%2Fsignin&response_type=code"},
         "response": {"status": 302, "headers": [
             {"name": "Date", "value": "Tue, 05 Nov 2024 10:10:00 GMT"},
             {"name": "Location", "value": "https://app.contoso.com/other?code=0.AXoAsecret&state=s"}]}},
        {"startedDateTime": "2024-11-05T10:00:05Z",
         "request": {"method": "GET", "url": format!("https://login.microsoftonline.com/t/saml2?SAMLRequest={saml_req}")},
         "response": {"status": 200, "content": {"mimeType": "text/html", "text": page}}}
    ]}});
    let t = read(
        har.to_string().as_bytes(),
        "findings.har",
        &Limits::default(),
        &Catalog::builtin(),
    )
    .unwrap();
    let kinds: Vec<&str> = t.findings.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            "clock-skew",
            "redirect-uri",
            "saml-time",
            "saml-destination",
            "saml-audience"
        ],
        "{:#?}",
        t.findings
    );
    assert!(
        t.findings[0].message.contains("10m 0s behind"),
        "{}",
        t.findings[0].message
    );
    assert!(t.findings[1]
        .message
        .contains("https://app.contoso.com/other"));
    assert!(!t.findings[1].message.contains("secret"));
    assert!(t.findings[4]
        .message
        .contains("https://sp.contoso.com/entity"));
}

#[test]
fn edge_federated_sign_in_through_ad_fs() {
    let t = trace("edge-adfs.har");
    let roles: Vec<(&str, &str)> = t.hops.iter().map(|h| (h.party, h.role)).collect();
    assert_eq!(
        roles,
        [
            ("Entra ID", "authorize"),
            ("Seamless SSO", "Kerberos ticket"),
            ("Entra ID", "user lookup"),
            ("AD FS", "AD FS sign-in"),
            ("AD FS", "AD FS credentials"),
            ("Entra ID", "WS-Fed response"),
        ]
    );
    // Seamless SSO's 401 Negotiate is its normal challenge, not a failure.
    assert_eq!(t.hops[1].status, 401);
    assert_eq!(t.hops[1].failure, None);
    assert_eq!(t.failed_hop, Some(6));
    assert_eq!(t.errors[0].error.code, 50107);
    assert_eq!(param(&t, 1, "domain_hint"), Some("contoso.com"));
    assert_eq!(
        param(&t, 1, "resource"),
        Some("00000002-0000-0ff1-ce00-000000000000")
    );
    assert_eq!(
        param(&t, 4, "wtrealm"),
        Some("urn:federation:MicrosoftOnline")
    );
    // The AD FS password and the token it issued stay out of the sanitized copy.
    let input = std::fs::read(fixture("edge-adfs.har")).unwrap();
    let mut out = Vec::new();
    sanitize(&input[..], &mut out, "edge-adfs.har", &Limits::default()).unwrap();
    let text = String::from_utf8(out).unwrap();
    for secret in [
        "Adf5",
        "secretmsisauth",
        "SECRETIMMUTABLEID",
        "secretloop",
        "EDGEFLOWTOKEN",
    ] {
        assert!(
            !text.contains(secret),
            "{secret} left in the sanitized copy"
        );
    }
    assert!(text.contains("AADSTS50107"));
}

#[test]
fn device_code_flow_hops() {
    let har = serde_json::json!({"log": {"entries": [
        {"startedDateTime": "2024-11-07T12:00:00Z",
         "request": {"method": "POST", "url": "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode",
                     "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "client_id=04b07795-8ddb-461a-bbee-02f9e1bf7b46&scope=https%3A%2F%2Fmanagement.core.windows.net%2F%2F.default"}},
         "response": {"status": 200, "content": {"mimeType": "application/json", "text": "{\"user_code\":\"SECRETUC\",\"device_code\":\"DAQABSECRETDC\",\"verification_uri\":\"https://microsoft.com/devicelogin\"}"}}},
        {"startedDateTime": "2024-11-07T12:00:10Z",
         "request": {"method": "GET", "url": "https://microsoft.com/devicelogin"},
         "response": {"status": 302, "headers": [{"name": "Location", "value": "https://login.microsoftonline.com/common/oauth2/deviceauth"}]}},
        {"startedDateTime": "2024-11-07T12:00:11Z",
         "request": {"method": "GET", "url": "https://login.microsoftonline.com/common/oauth2/deviceauth"},
         "response": {"status": 200, "content": {"mimeType": "text/html", "text": "<html>Enter code</html>"}}},
        {"startedDateTime": "2024-11-07T12:00:40Z",
         "request": {"method": "POST", "url": "https://login.microsoftonline.com/common/oauth2/deviceauth",
                     "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "otc=SECRETUC&canary=C1&flowToken=F1"}},
         "response": {"status": 200, "content": {"mimeType": "text/html", "text": "<html><div>AADSTS70000: The provided value for the 'otc' parameter is not valid.</div></html>"}}}
    ]}});
    let t = read(
        har.to_string().as_bytes(),
        "device.har",
        &Limits::default(),
        &Catalog::builtin(),
    )
    .unwrap();
    let roles: Vec<(&str, &str)> = t.hops.iter().map(|h| (h.party, h.role)).collect();
    assert_eq!(
        roles,
        [
            ("Entra ID", "device code"),
            ("device login", "device login"),
            ("Entra ID", "device login"),
            ("Entra ID", "device login"),
        ]
    );
    assert_eq!(
        param(&t, 1, "client_id"),
        Some("04b07795-8ddb-461a-bbee-02f9e1bf7b46")
    );
    assert_eq!(t.failed_hop, Some(4));
    assert_eq!(t.errors[0].error.code, 70000);
    assert!(t
        .hops
        .iter()
        .all(|h| h.params.iter().all(|(_, v)| !v.contains("SECRET"))));
}
