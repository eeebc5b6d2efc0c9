//! The flows and dialects of issue 20 (tests/fixtures/gen.py writes them, each with one known
//! failure), SAML-tracer's export, sanitized copies of every input format with secrets
//! planted in every place, and signature checks with the test-only keys of
//! tests/fixtures/keys/.

use aadsts_catalog::Catalog;
use aadsts_trace::keys::KeySet;
use aadsts_trace::{read, read_path, read_path_with_keys, sanitize, sanitize_saz, Limits, Trace};
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

fn roles(t: &Trace) -> Vec<(&str, &str)> {
    t.hops.iter().map(|h| (h.party, h.role)).collect()
}

fn codes(t: &Trace) -> Vec<(u32, Vec<usize>)> {
    t.errors
        .iter()
        .map(|e| (e.error.code, e.hops.clone()))
        .collect()
}

fn kinds(t: &Trace) -> Vec<&str> {
    t.findings.iter().map(|f| f.kind).collect()
}

#[test]
fn edge_implicit_flow_refused_token_response_type() {
    let t = trace("edge-implicit.har");
    assert_eq!(t.browser, "Chrome or Edge");
    assert_eq!(
        roles(&t),
        [
            ("app", "start"),
            ("Entra ID", "authorize"),
            ("app", "redirect URI"),
            ("Entra ID", "authorize"),
            ("app", "redirect URI")
        ]
    );
    assert_eq!(t.failed_hop, Some(4));
    assert_eq!(codes(&t), [(700051, vec![4])]);
    assert_eq!(param(&t, 4, "response_type"), Some("id_token token"));
    assert_eq!(param(&t, 4, "prompt"), Some("none"));
    // The ID token of the first answer, from the fragment of its Location.
    assert_eq!(t.tokens.len(), 1);
    let id = &t.tokens[0];
    assert_eq!(id.hop, Some(2));
    assert_eq!(id.token.kind, "ID token");
    assert_eq!(id.token.claim_str("nonce"), Some("n-Impl-7781"));
    assert_eq!(
        id.token.claim_str("aud"),
        Some("8a7b6c5d-4e3f-4a2b-9c1d-0e1f2a3b4c5d")
    );
    assert_eq!(id.token.validity.as_deref(), Some("not yet valid"));
    // The PC's clock is seven minutes slow: said twice, from the Date header and the token.
    assert_eq!(kinds(&t), ["clock-skew", "token-time"]);
    assert!(
        t.findings[0].message.contains("7m 0s behind"),
        "{:?}",
        t.findings
    );
    // The code and the token are masked in the hop's Location.
    let loc = t.hops[1].location.as_deref().unwrap();
    assert!(
        loc.contains("id_token=") && !loc.contains("eyJ0eXAiOiJKV1Qi"),
        "{loc}"
    );
}

#[test]
fn firefox_saml_idp_initiated_user_not_assigned() {
    let t = trace("firefox-saml-idp.har");
    assert_eq!(t.browser, "Firefox");
    assert_eq!(
        roles(&t),
        [
            ("app", "start"),
            ("Entra ID", "SAML"),
            ("service provider", "SAML response")
        ]
    );
    assert_eq!(param(&t, 2, "appid"), None);
    assert_eq!(t.failed_hop, Some(2));
    assert_eq!(codes(&t), [(50105, vec![2, 3])]);
    let e = &t.errors[0].error;
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7081")
    );
    assert_eq!(t.saml.len(), 1);
    let m = &t.saml[0].message;
    assert_eq!(m.kind, "Response");
    // IdP-initiated: no request to answer, so no InResponseTo and no finding about it.
    assert_eq!(m.in_response_to, None);
    assert_eq!(
        m.destination.as_deref(),
        Some("https://hr.contoso.com/saml/acs")
    );
    assert!(m.failed());
    assert!(kinds(&t).is_empty(), "{:?}", t.findings);
}

#[test]
fn chrome_device_code_blocked_by_conditional_access() {
    let t = trace("chrome-device-code.har");
    assert_eq!(
        roles(&t),
        [
            ("device login", "device login"),
            ("Entra ID", "device login"),
            ("Entra ID", "device login"),
            ("Entra ID", "credentials")
        ]
    );
    assert_eq!(t.failed_hop, Some(4));
    assert_eq!(codes(&t), [(53003, vec![4])]);
    assert_eq!(param(&t, 4, "login"), Some("alex@contoso.com"));
    let e = &t.errors[0].error;
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4")
    );
    // The user code and the password are never among the parameters.
    for h in &t.hops {
        for (k, v) in &h.params {
            assert!(
                !v.contains("DEVSECRETUC") && !v.contains("D3vice"),
                "{k}={v}"
            );
        }
    }
}

#[test]
fn edge_seamless_sso_negotiate_then_kerberos_refused() {
    let t = trace("edge-seamless-sso.har");
    assert_eq!(
        roles(&t),
        [
            ("Entra ID", "authorize"),
            ("Seamless SSO", "Kerberos ticket"),
            ("Seamless SSO", "Kerberos ticket")
        ]
    );
    // The 401 Negotiate challenge is the normal first step, not the failure.
    assert_eq!(t.hops[1].status, 401);
    assert_eq!(t.hops[1].failure, None);
    assert_eq!(t.failed_hop, Some(3));
    assert_eq!(codes(&t), [(81010, vec![3])]);
    assert_eq!(param(&t, 1, "domain_hint"), Some("contoso.com"));
    assert_eq!(param(&t, 1, "code_challenge_method"), Some("S256"));
    assert_eq!(
        t.errors[0].error.oauth_error.as_deref(),
        Some("invalid_request")
    );
}

#[test]
fn safari_pkce_verifier_mismatch_at_the_token_endpoint() {
    let t = trace("safari-pkce.har");
    assert_eq!(t.browser, "Safari");
    assert_eq!(
        roles(&t),
        [
            ("Entra ID", "authorize"),
            ("Entra ID", "credentials"),
            ("app", "redirect URI"),
            ("Entra ID", "token")
        ]
    );
    assert_eq!(t.failed_hop, Some(4));
    assert_eq!(codes(&t), [(501481, vec![4])]);
    assert_eq!(param(&t, 1, "code_challenge"), Some("present"));
    assert_eq!(param(&t, 4, "grant_type"), Some("authorization_code"));
    assert_eq!(
        t.errors[0].error.oauth_error.as_deref(),
        Some("invalid_grant")
    );
    // The code and the verifier are secrets: masked in URLs, never a parameter.
    let all = serde_json::to_string(&t.hops).unwrap();
    assert!(!all.contains("SafariSecretCode") && !all.contains("SafariVerifierSecret"));
    assert!(!all.contains("Saf4ri"));
}

#[test]
fn saml_tracer_export_is_read_by_content() {
    let t = trace("saml-tracer-sp.json");
    assert_eq!(t.format, "SAML-tracer export");
    assert_eq!(t.browser, "SAML-tracer");
    assert_eq!(t.entries, 3);
    assert_eq!(
        roles(&t),
        [
            ("app", "start"),
            ("Entra ID", "SAML request"),
            ("service provider", "SAML response")
        ]
    );
    assert_eq!(t.failed_hop, Some(3));
    assert_eq!(codes(&t), [(700016, vec![3])]);
    // The AuthnRequest from the redirect binding in the URL; the response rebuilt from the
    // decoded `saml` field because the export filter hashed the POST value.
    assert_eq!(t.saml.len(), 2);
    assert_eq!(t.saml[0].message.kind, "AuthnRequest");
    assert_eq!(
        t.saml[0].message.issuer.as_deref(),
        Some("https://crm.contoso.com/saml/metadata")
    );
    assert_eq!(
        t.saml[1].message.in_response_to.as_deref(),
        Some("_st-0001")
    );
    // Times come from the Date headers; the export has none of its own.
    assert_eq!(t.hops[0].time.as_deref(), Some("2024-11-12T09:00:00Z"));
    assert!(t.warnings.iter().any(|w| w.contains("no response bodies")));
    assert!(kinds(&t).is_empty(), "{:?}", t.findings);
}

// ---------------------------------------------------------------------------------------
// Sanitized copies

/// Secrets planted in every place a capture holds them, each distinct so that a leak names
/// its place.
const PLANTED: &[&str] = &[
    "PLANTqueryCODE",
    "PLANTfragTOKEN",
    "PLANTformPASSWD",
    "PLANTcookieVAL",
    "PLANTsetcookieVAL",
    "PLANTbearerVAL",
    "PLANTrefreshTOKEN",
    "PLANTassertionNAME",
    "PLANTverifier",
    "PLANTclientSECRET",
];

fn planted_jwt() -> String {
    // The signature part carries the mark; a JWT is replaced whole.
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJhcGk6Ly94IiwiZXhwIjoxNzMwOTcwMDAwfQ.PLANTjwtSIG".into()
}

fn assertion_response() -> String {
    let xml = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" InResponseTo="_q1" Destination="https://sp.contoso.com/acs"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1"><saml:Subject><saml:NameID>PLANTassertionNAME</saml:NameID></saml:Subject></saml:Assertion></samlp:Response>"#;
    aadsts_trace::b64::encode(xml.as_bytes())
}

fn planted_har() -> String {
    let jwt = planted_jwt();
    let token_json = serde_json::json!({"access_token": jwt, "refresh_token": "0.PLANTrefreshTOKEN", "token_type": "Bearer"}).to_string();
    let err = "AADSTS50011: The redirect URI 'https://app.contoso.com/cb' specified in the request does not match the redirect URIs configured for the application 'c0ffee00-0000-4000-8000-000000000001'.";
    serde_json::json!({"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "entries": [
        {"startedDateTime": "2024-11-05T10:00:00.000Z",
         "request": {"method": "GET", "url": "https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=c0ffee00-0000-4000-8000-000000000001&redirect_uri=https%3A%2F%2Fapp.contoso.com%2Fcb&response_type=code&scope=openid",
                     "headers": [{"name": "Cookie", "value": "ESTSAUTH=PLANTcookieVAL"}],
                     "cookies": [{"name": "ESTSAUTH", "value": "PLANTcookieVAL"}]},
         "response": {"status": 302, "headers": [{"name": "Location", "value": "https://app.contoso.com/cb?code=0.PLANTqueryCODE&state=s#id_token=".to_string() + &jwt + "&access_token=PLANTfragTOKEN&state=s"},
                                                 {"name": "Set-Cookie", "value": "fpc=PLANTsetcookieVAL; path=/"}],
                      "cookies": [{"name": "fpc", "value": "PLANTsetcookieVAL"}],
                      "content": {"mimeType": "text/html", "text": ""}}},
        {"startedDateTime": "2024-11-05T10:00:01.000Z",
         "request": {"method": "POST", "url": "https://login.microsoftonline.com/common/oauth2/v2.0/token",
                     "headers": [{"name": "Authorization", "value": "Basic PLANTclientSECRET"}],
                     "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "grant_type=authorization_code&code=0.PLANTqueryCODE&code_verifier=PLANTverifier&client_secret=PLANTclientSECRET&passwd=PLANTformPASSWD"}},
         "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "encoding": "base64", "text": aadsts_trace::b64::encode(token_json.as_bytes())}}},
        {"startedDateTime": "2024-11-05T10:00:02.000Z",
         "request": {"method": "GET", "url": "https://graph.microsoft.com/v1.0/me", "headers": [{"name": "Authorization", "value": "Bearer PLANTbearerVAL"}]},
         "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": "{}"}}},
        {"startedDateTime": "2024-11-05T10:00:03.000Z",
         "request": {"method": "POST", "url": "https://sp.contoso.com/acs", "headers": [],
                     "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "SAMLResponse=".to_string() + &percent(&assertion_response())}},
         "response": {"status": 200, "headers": [], "content": {"mimeType": "text/html", "text": "ok"}}},
        {"startedDateTime": "2024-11-05T10:00:04.000Z",
         "request": {"method": "GET", "url": "https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=c0ffee00-0000-4000-8000-000000000001&redirect_uri=https%3A%2F%2Fapp.contoso.com%2Fcb&response_type=code", "headers": []},
         "response": {"status": 200, "headers": [], "content": {"mimeType": "text/html", "text": format!("<html><div>{err}</div></html>")}}}
    ]}}).to_string()
}

fn percent(s: &str) -> String {
    s.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

fn no_secret_left(what: &str, text: &str) {
    for s in PLANTED.iter().chain(["PLANTjwtSIG"].iter()) {
        assert!(!text.contains(s), "{what}: {s} left in the sanitized copy");
    }
}

fn same_journey(what: &str, before: &Trace, after: &Trace) {
    assert_eq!(before.hops.len(), after.hops.len(), "{what}");
    assert_eq!(before.failed_hop, after.failed_hop, "{what}");
    assert_eq!(codes(before), codes(after), "{what}");
    let r = |t: &Trace| {
        roles(t)
            .iter()
            .map(|(a, b)| format!("{a}/{b}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(r(before), r(after), "{what}");
}

#[test]
fn planted_secrets_leave_every_place_of_a_har() {
    let har = planted_har();
    let cat = Catalog::builtin();
    let before = read(har.as_bytes(), "planted.har", &Limits::default(), &cat).unwrap();
    assert_eq!(codes(&before), [(50011, vec![4])]);
    let mut out = Vec::new();
    let stats = sanitize(har.as_bytes(), &mut out, "planted.har", &Limits::default()).unwrap();
    assert!(stats.replaced >= 10, "{stats:?}");
    let text = String::from_utf8(out.clone()).unwrap();
    // The base64 body is checked decoded too.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let body = v["log"]["entries"][1]["response"]["content"]["text"]
        .as_str()
        .unwrap();
    let decoded = String::from_utf8(aadsts_trace::b64::decode(body).unwrap()).unwrap();
    no_secret_left("planted.har", &text);
    no_secret_left("planted.har base64 body", &decoded);
    // Error texts stay.
    assert!(text.contains("AADSTS50011"));
    let after = read(&out[..], "planted.har", &Limits::default(), &cat).unwrap();
    same_journey("planted.har", &before, &after);
}

#[test]
fn every_fixture_sanitizes_and_rereads_the_same() {
    let cat = Catalog::builtin();
    for name in [
        "edge-implicit.har",
        "firefox-saml-idp.har",
        "chrome-device-code.har",
        "edge-seamless-sso.har",
        "safari-pkce.har",
        "saml-tracer-sp.json",
        "firefox-keys.har",
    ] {
        let input = std::fs::read(fixture(name)).unwrap();
        let mut out = Vec::new();
        sanitize(&input[..], &mut out, name, &Limits::default()).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        for s in [
            "secret",
            "SECRET",
            "Secret",
            "eyJ0eXAiOiJKV1Qi",
            "D3vice",
            "Saf4ri",
            "YIIHSgYG",
            "DEVCANARY",
            "DEVFLOWTOKEN",
            "SAFFLOWTOKEN",
        ] {
            assert!(!text.contains(s), "{name}: {s} left in the sanitized copy");
        }
        let after = read(&out[..], name, &Limits::default(), &cat).unwrap();
        same_journey(name, &trace(name), &after);
        assert_eq!(after.format, trace(name).format, "{name}");
    }
}

#[test]
fn saml_tracer_export_sanitizes_pairs_post_data_and_assertions() {
    let with_assertion = serde_json::json!({"requests": [
        {"method": "GET", "url": "https://login.microsoftonline.com/common/oauth2/authorize?client_id=c0ffee00-0000-4000-8000-000000000001&code=0.PLANTqueryCODE",
         "requestId": "request-1-GET-a", "requestHeaders": [{"name": "Cookie", "value": "x=PLANTcookieVAL"}],
         "get": [["client_id", "c0ffee00-0000-4000-8000-000000000001"], ["code", "0.PLANTqueryCODE"]],
         "responseStatus": 302, "responseStatusText": "HTTP/1.1 302 Found",
         "responseHeaders": [{"name": "Set-Cookie", "value": "y=PLANTsetcookieVAL"}, {"name": "Location", "value": "https://sp.contoso.com/#access_token=0.PLANTfragTOKEN"}]},
        {"method": "POST", "url": "https://login.microsoftonline.com/common/login", "id": "7",
         "requestHeaders": [["Cookie", "x=PLANTcookieVAL"], ["Authorization", "Bearer PLANTbearerVAL"]],
         "post": [["login", "alex@contoso.com"], ["passwd", "PLANTformPASSWD"]], "postData": {"passwd": ["PLANTformPASSWD"], "login": ["alex@contoso.com"]},
         "responseStatus": 200, "responseStatusText": "HTTP/1.1 200 OK", "responseHeaders": []},
        {"method": "POST", "url": "https://sp.contoso.com/acs", "requestId": "request-3-POST-c", "requestHeaders": [],
         "post": [["SAMLResponse", assertion_response()]], "saml": String::from_utf8(aadsts_trace::b64::decode(&assertion_response()).unwrap()).unwrap(),
         "protocol": "SAML-P", "responseStatus": 200, "responseStatusText": "HTTP/1.1 200 OK", "responseHeaders": []}
    ], "timestamp": "2024-11-12T09:01:00.000Z"}).to_string();
    let cat = Catalog::builtin();
    let before = read(
        with_assertion.as_bytes(),
        "st.json",
        &Limits::default(),
        &cat,
    )
    .unwrap();
    assert_eq!(before.format, "SAML-tracer export");
    let mut out = Vec::new();
    sanitize(
        with_assertion.as_bytes(),
        &mut out,
        "st.json",
        &Limits::default(),
    )
    .unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    no_secret_left("st.json", &text);
    assert!(text.contains("alex@contoso.com"));
    let after = read(&out[..], "st.json", &Limits::default(), &cat).unwrap();
    assert_eq!(after.format, "SAML-tracer export");
    same_journey("st.json", &before, &after);
}

/// A sanitized `.saz` copy read back as a capture.
fn reread_saz(bytes: &[u8], cat: &Catalog) -> Trace {
    aadsts_trace::read_saz(
        std::io::Cursor::new(bytes),
        "copy.saz",
        &Limits::default(),
        cat,
    )
    .unwrap()
}

/// The sanitizer's counts and the copy it writes of a `.saz` fixture.
fn sanitized_saz(name: &str) -> (aadsts_trace::SanitizeStats, Vec<u8>) {
    let input = std::fs::read(fixture(name)).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    let stats = sanitize_saz(
        std::io::Cursor::new(&input),
        &mut out,
        name,
        &Limits::default(),
    )
    .unwrap();
    (stats, out.into_inner())
}

#[test]
fn fiddler_archive_sanitizes_to_a_zip_that_rereads_the_same() {
    let cat = Catalog::builtin();
    let (stats, bytes) = sanitized_saz("fiddler-consent.saz");
    assert!(stats.replaced > 5, "{stats:?}");
    // Every member, decompressed, is free of the fixture's secrets.
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut all = String::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut s).unwrap();
        all.push_str(&String::from_utf8_lossy(&s));
    }
    for s in [
        "Sup3r",
        "secretcookie",
        "secretpersist",
        "SECRETFLOWTOKEN",
        "CANARYVALUE",
        "AkQ",
        "eyJ0eXAiOiJKV1Qi",
    ] {
        assert!(!all.contains(s), "{s} left in the sanitized archive");
    }
    assert!(all.contains("AADSTS65001"));
    let before = trace("fiddler-consent.saz");
    let after = reread_saz(&bytes, &cat);
    same_journey("fiddler-consent.saz", &before, &after);
}

/// A Chromium browser asks for brotli, and Fiddler stores the body as it came: the error page
/// is read through it. A body in an encoding that is not read (zstd) is named in a warning and
/// left out of the sanitized copy (counted), never copied undecoded and unscrubbed.
#[test]
fn fiddler_brotli_bodies_are_read_and_unreadable_ones_are_counted() {
    let cat = Catalog::builtin();
    let t = trace("fiddler-encodings.saz");
    assert_eq!(t.failed_hop, Some(1), "{:?}", t.warnings);
    assert_eq!(codes(&t).iter().map(|c| c.0).collect::<Vec<_>>(), [700016]);
    assert!(
        t.warnings
            .iter()
            .any(|w| w.contains("session 2") && w.contains("zstd")),
        "{:?}",
        t.warnings
    );
    let (stats, bytes) = sanitized_saz("fiddler-encodings.saz");
    assert_eq!(stats.left_out, 1, "{stats:?}");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut all = Vec::new();
    for i in 0..z.len() {
        let mut member = Vec::new();
        std::io::Read::read_to_end(&mut z.by_index(i).unwrap(), &mut member).unwrap();
        assert!(
            !member.windows(4).any(|w| w == [0x28, 0xb5, 0x2f, 0xfd]),
            "the zstd body was copied"
        );
        all.extend_from_slice(&member);
    }
    let all = String::from_utf8_lossy(&all);
    // The brotli page was decoded, so its flow token could be scrubbed; the zstd body is gone.
    assert!(!all.contains("BROTLIPAGEFLOWTOKEN"), "{all}");
    assert!(all.contains("AADSTS700016"));
    assert!(all.contains("its encoding could not be read"));
    let after = reread_saz(&bytes, &cat);
    same_journey("fiddler-encodings.saz", &t, &after);
}

// ---------------------------------------------------------------------------------------
// Signatures with the user's keys (test-only keys, tests/fixtures/keys/)

fn keyfile(name: &str) -> KeySet {
    let p = fixture(&format!("keys/{name}"));
    KeySet::parse(&std::fs::read(&p).unwrap(), name).unwrap()
}

fn tokens() -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(fixture("keys/TEST-ONLY-tokens.json")).unwrap()).unwrap()
}

#[test]
fn jwks_verifies_rs256_ps256_es256_and_catches_tampering() {
    let keys = keyfile("TEST-ONLY-jwks.json");
    assert_eq!(keys.len(), 2);
    // The symmetric key is named as skipped, not silently dropped.
    assert_eq!(keys.skipped.len(), 1);
    assert!(keys.skipped[0].contains("oct"), "{:?}", keys.skipped);
    let t = tokens();
    for alg in ["rs256", "ps256", "es256"] {
        let v = keys.verify_jwt(t[alg].as_str().unwrap());
        assert_eq!(v.status, "valid", "{alg}: {}", v.detail);
    }
    let v = keys.verify_jwt(t["tampered"].as_str().unwrap());
    assert_eq!(v.status, "INVALID", "{}", v.detail);
    let v = keys.verify_jwt(t["other_key"].as_str().unwrap());
    assert_eq!(v.status, "no matching key", "{}", v.detail);
    assert!(v.detail.contains("rolled-over-key"), "{}", v.detail);
    // A one-bit change in the signature fails too.
    let good = t["rs256"].as_str().unwrap();
    let mut bad = good.to_string();
    let last = bad.pop().unwrap();
    bad.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(keys.verify_jwt(&bad).status, "INVALID");
}

#[test]
fn pem_certificate_verifies_by_its_thumbprint_as_kid() {
    let keys = keyfile("TEST-ONLY-rsa-cert.pem");
    assert_eq!(keys.len(), 1);
    let t = tokens();
    let v = keys.verify_jwt(t["rs256"].as_str().unwrap());
    assert_eq!(v.status, "valid", "{}", v.detail);
    assert!(v.detail.contains("certificate"), "{}", v.detail);
    assert_eq!(
        keys.verify_jwt(t["es256"].as_str().unwrap()).status,
        "no matching key"
    );
}

#[test]
fn key_files_that_hold_no_usable_key_are_refused_with_the_reason() {
    for (text, why) in [
        ("", "give a JWKS"),
        ("{\"keys\": []}", "no key in it"),
        ("{\"issuer\": \"x\"}", "JSON without a `keys` array"),
        ("{\"keys\": [{\"kty\": \"oct\", \"k\": \"eA\"}]}", "oct"),
        (
            "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
            "never share private keys",
        ),
        (
            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
            "not base64",
        ),
        ("{not json", "not valid JSON"),
    ] {
        let err = KeySet::parse(text.as_bytes(), "k.txt")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("k.txt holds no usable key") && err.contains(why),
            "{text:?}: {err}"
        );
    }
}

#[test]
fn trace_with_keys_checks_every_token_of_the_capture() {
    let keys = keyfile("TEST-ONLY-jwks.json");
    let t = read_path_with_keys(
        &fixture("firefox-keys.har"),
        &Limits::default(),
        &Catalog::builtin(),
        Some(&keys),
    )
    .unwrap();
    let sigs: Vec<&str> = t.tokens.iter().map(|x| x.token.signature).collect();
    // The token response's token verifies; the one the app sent to its API was altered.
    assert_eq!(sigs, ["valid", "INVALID"]);
    assert!(t.tokens[0]
        .token
        .signature_detail
        .as_deref()
        .is_some_and(|d| d.contains("TEST-ONLY-jwks.json")));
    // Without keys nothing is claimed.
    let t = trace("firefox-keys.har");
    assert!(t.tokens.iter().all(|x| x.token.signature == "not checked"));
}

#[test]
fn saml_signing_certificate_is_compared_with_the_keys() {
    let pem = std::fs::read_to_string(fixture("keys/TEST-ONLY-rsa-cert.pem")).unwrap();
    let cert: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let xml = format!(
        r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_c1"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature></samlp:Response>"#
    );
    let m = aadsts_trace::saml::decode(&xml, None).unwrap();
    assert!(m.certificate.is_some());
    for file in ["TEST-ONLY-rsa-cert.pem", "TEST-ONLY-jwks.json"] {
        let note = keyfile(file).saml_note(&m).unwrap();
        assert!(
            note.contains("is one of the certificates"),
            "{file}: {note}"
        );
    }
    // A bare public key has no certificate to compare with.
    let other = KeySet::parse(
        b"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9q9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==\n-----END PUBLIC KEY-----\n",
        "ec.pem",
    )
    .unwrap();
    assert!(other.saml_note(&m).unwrap().contains("NOT among"));
}

#[test]
fn damaged_inputs_of_every_format_never_panic() {
    // Byte flips, cuts and insertions over each format's fixture, through every reader,
    // both sanitizers and the key parser (a small, seeded stand-in for the fuzz target).
    let cat = Catalog::builtin();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for name in [
        "saml-tracer-sp.json",
        "fiddler-consent.saz",
        "safari-pkce.har",
        "keys/TEST-ONLY-jwks.json",
        "keys/TEST-ONLY-rsa-cert.pem",
    ] {
        let base = std::fs::read(fixture(name)).unwrap();
        for _ in 0..150 {
            let mut b = base.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() as usize) % b.len().max(1);
                match next() % 3 {
                    0 => b[at] = next() as u8,
                    1 => b.truncate(at),
                    _ => b.insert(at, b"{}[]\",\x00"[(next() % 7) as usize]),
                }
                if b.is_empty() {
                    break;
                }
            }
            let limits = Limits::default();
            let _ = read(&b[..], name, &limits, &cat);
            let _ = aadsts_trace::read_saz(std::io::Cursor::new(&b), name, &limits, &cat);
            let _ = sanitize(&b[..], std::io::sink(), name, &limits);
            let _ = sanitize_saz(
                std::io::Cursor::new(&b),
                std::io::Cursor::new(Vec::new()),
                name,
                &limits,
            );
            if let Ok(k) = KeySet::parse(&b, name) {
                let _ = k.verify_jwt(&String::from_utf8_lossy(&b));
            }
        }
    }
}

#[test]
fn password_protected_archive_is_refused_with_the_reason() {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        z.start_file("raw/01_c.txt", opts).unwrap();
        std::io::Write::write_all(&mut z, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        z.finish().unwrap();
    }
    // The "encrypted" flag (bit 0) in the local and central headers, as `zip -e` sets it.
    let mut bytes = buf.into_inner();
    for i in 0..bytes.len().saturating_sub(4) {
        match &bytes[i..i + 4] {
            b"PK\x03\x04" => bytes[i + 6] |= 1,
            b"PK\x01\x02" => bytes[i + 8] |= 1,
            _ => {}
        }
    }
    let cat = Catalog::builtin();
    let err = aadsts_trace::read_saz(
        std::io::Cursor::new(&bytes),
        "locked.saz",
        &Limits::default(),
        &cat,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("locked.saz") && err.contains("password-protected"),
        "{err}"
    );
    let err = sanitize_saz(
        std::io::Cursor::new(&bytes),
        std::io::Cursor::new(Vec::new()),
        "locked.saz",
        &Limits::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("password-protected"), "{err}");
}

#[test]
fn a_third_party_identity_provider_is_a_federation_server_and_its_error_a_finding() {
    // Entra sends the user of a federated domain to its own SAML identity provider
    // (PingFederate here), which answers with an error page.
    let idp =
        "https://sso.fabrikam.com/idp/SSO.saml2?SAMLRequest=fZJNb4MwDIb%2FCsqdJhBoQ&RelayState=x";
    let wsfed = "https://sts.fabrikam.com/wsfed?wa=wsignin1.0&wtrealm=urn%3afederation%3aMicrosoftOnline&wctx=LoginOptions%3D3";
    let har = serde_json::json!({"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "entries": [
        {"startedDateTime": "2024-11-14T10:00:00Z",
         "request": {"method": "GET", "url": "https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=c&redirect_uri=https%3A%2F%2Fapp.fabrikam.com%2F&response_type=code", "headers": []},
         "response": {"status": 302, "headers": [{"name": "Location", "value": idp}]}},
        {"startedDateTime": "2024-11-14T10:00:01Z",
         "request": {"method": "GET", "url": idp, "headers": []},
         "response": {"status": 500, "headers": [], "content": {"mimeType": "text/html", "text": "<html>Unable to process the request</html>"}}},
        {"startedDateTime": "2024-11-14T10:00:02Z",
         "request": {"method": "GET", "url": wsfed, "headers": []},
         "response": {"status": 200, "headers": []}},
        {"startedDateTime": "2024-11-14T10:00:03Z",
         "request": {"method": "GET", "url": "https://sso.fabrikam.com/other", "headers": []},
         "response": {"status": 500, "headers": []}}
    ]}});
    let bytes = serde_json::to_vec(&har).unwrap();
    let t = read(
        &bytes[..],
        "idp.har",
        &Limits::default(),
        &Catalog::builtin(),
    )
    .unwrap();
    assert_eq!(
        roles(&t),
        [
            ("Entra ID", "authorize"),
            ("federation server", "SAML request"),
            ("federation server", "WS-Fed")
        ]
    );
    let f: Vec<_> = t
        .findings
        .iter()
        .filter(|f| f.kind == "federation-error")
        .collect();
    assert_eq!(f.len(), 1, "{:?}", t.findings);
    assert_eq!(f[0].hop, Some(2));
    assert!(
        f[0].message.contains("sso.fabrikam.com"),
        "{}",
        f[0].message
    );
}
