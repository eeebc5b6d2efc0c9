//! End-to-end tests of `aadsts trace` and `aadsts token` through the built binary, on the
//! HAR fixtures of the aadsts-trace crate.

use serde_json::Value;
use std::fs;
use std::path::PathBuf;
mod common;
use common::{aadsts, stdout_of};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../aadsts-trace/tests/fixtures")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

/// Values of the fixtures that must never be printed.
const SECRETS: &[&str] = &[
    "Sup3r",
    "Firef0x",
    "secretcookie",
    "secretpersist",
    "secretauthcode",
    "SECRETFLOWTOKEN",
    "CANARYVALUE",
    "sessionsecret",
    "dBjftJeZ4CVP",
    "FFCANARY",
];

#[test]
fn text_shows_the_journey_the_failed_hop_and_the_explanation() {
    let out = stdout_of(aadsts().args(["trace", &fixture("chrome-consent.har")]));
    assert!(out.contains("Chrome or Edge"), "{out}");
    assert!(out.contains("Failed    hop 4: POST https://login.microsoftonline.com/common/login (Entra ID, credentials) answered with AADSTS65001"), "{out}");
    assert!(out.contains("✗ 4"), "{out}");
    assert!(out.contains("code_challenge_method S256"), "{out}");
    // The explain report, tailored with the trace's values.
    assert!(out.contains("━━ AADSTS65001 ━━"), "{out}");
    assert!(out.contains("For this error"), "{out}");
    assert!(
        out.contains("`openid profile https://graph.microsoft.com/Mail.Read`"),
        "{out}"
    );
    // The bearer token is decoded, and judged at the capture's clock.
    assert!(out.contains("EXPIRED at 2024-11-02T17:06:41Z"), "{out}");
    assert!(out.contains("Signatures are not checked"), "{out}");
    assert!(out.contains("Findings\n  ! the access token in Authorization header of GET https://graph.microsoft.com/v1.0/me/messages (entry 5) was expired at capture time"), "{out}");
    for s in SECRETS {
        assert!(!out.contains(s), "{s} printed");
    }
}

#[test]
fn json_document_has_the_journey_errors_and_explain_report() {
    let out = stdout_of(aadsts().args(["trace", &fixture("firefox-spa.har"), "--format", "json"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "aadsts.trace/1");
    assert_eq!(v["browser"], "Firefox");
    assert_eq!(v["signatures"], "not checked");
    assert_eq!(v["failed_hop"], 5);
    let hops = v["journey"].as_array().unwrap();
    assert_eq!(hops.len(), 5);
    assert_eq!(hops[4]["role"], "token");
    assert_eq!(hops[4]["status"], 400);
    assert_eq!(hops[4]["errors"][0]["code"], 9002326);
    assert_eq!(hops[0]["errors"][0]["signal"], "expected");
    assert!(hops[0]["params"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p[0] == "prompt" && p[1] == "none"));
    assert_eq!(v["errors"][1]["code"], 9002326);
    assert_eq!(v["errors"][1]["hops"][0], 5);
    assert_eq!(v["explain"]["schema"], "aadsts.explain/1");
    assert_eq!(v["explain"]["errors"][1]["code"], 9002326);
    for s in SECRETS {
        assert!(!out.contains(s), "{s} in the JSON");
    }
}

#[test]
fn markdown_and_html_render() {
    let md = stdout_of(aadsts().args(["trace", &fixture("chrome-redirect-uri.har"), "-f", "md"]));
    assert!(md.starts_with("# Sign-in trace: "), "{md}");
    assert!(
        md.contains("| 2 | 17:04:09 | GET | 200 | Entra ID | authorize |"),
        "{md}"
    );
    assert!(md.contains("**FAILED: answered with AADSTS50011**"), "{md}");
    let html = stdout_of(aadsts().args(["trace", &fixture("safari-saml.har"), "-f", "html"]));
    assert!(html.to_ascii_lowercase().starts_with("<!doctype html>"));
    assert!(html.contains("AADSTS700016"));
}

#[test]
fn sanitized_copy_is_written_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("safe.har");
    let text = stdout_of(aadsts().args([
        "trace",
        &fixture("chrome-consent.har"),
        "--sanitized",
        out.to_str().unwrap(),
    ]));
    assert!(text.contains("Sanitized copy written to"), "{text}");
    let copy = fs::read_to_string(&out).unwrap();
    for s in SECRETS {
        assert!(!copy.contains(s), "{s} left in the copy");
    }
    assert!(copy.contains("REMOVED-BY-AADSTS"));
    assert!(!dir.path().join("safe.har.part").exists());
    let again = stdout_of(aadsts().args(["trace", out.to_str().unwrap(), "-f", "json"]));
    let v: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(v["failed_hop"], 4);
    // The bearer token is gone from the copy, and with it its finding.
    assert_eq!(v["tokens"].as_array().unwrap().len(), 0);
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert_eq!(v["errors"][0]["code"], 65001);
    // Never over the input.
    let f = fixture("chrome-consent.har");
    aadsts()
        .args(["trace", &f, "--sanitized", &f])
        .assert()
        .code(2);
}

#[test]
fn bad_input_names_the_file_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[u8], &str)] = &[
        ("empty.har", b"", "the file is empty"),
        ("capture.saz", b"PK\x03\x04\x14\x00", "zip archive"),
        (
            "notes.har",
            b"just some text",
            "does not start with a JSON object",
        ),
        ("other.json", b"{\"value\": []}", "no `log.entries` array"),
    ];
    for (name, bytes, want) in cases {
        let p = dir.path().join(name);
        fs::write(&p, bytes).unwrap();
        let out = aadsts()
            .args(["trace", p.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(name) && err.contains(want), "{name}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = aadsts()
        .args(["trace", "/nonexistent/x.har"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/x.har"));
    // A HAR without any sign-in request: not found, said so.
    let p = dir.path().join("shop.har");
    fs::write(&p, r#"{"log":{"version":"1.2","entries":[{"request":{"method":"GET","url":"https://shop.example/"},"response":{"status":200}}]}}"#).unwrap();
    let out = aadsts()
        .args(["trace", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("belongs to a Microsoft Entra sign-in"));
}

/// An access token with known claims (signature bytes are filler).
fn jwt() -> String {
    let b64 = |s: &str| {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let b = s.as_bytes();
        let mut o = String::new();
        for c in b.chunks(3) {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for i in 0..=c.len() {
                o.push(A[(n >> (18 - 6 * i)) as usize & 63] as char);
            }
        }
        o
    };
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64(r#"{"typ":"JWT","alg":"RS256","kid":"k1"}"#),
        b64(
            r#"{"aud":"api://contoso-api","iss":"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0","tid":"72f988bf-86f1-41af-91ab-2d7cd011db47","azp":"5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9","azpacr":"0","scp":"Orders.Read","roles":["Orders.Admin"],"amr":["pwd","mfa"],"idp":"live.com","exp":1730567100,"nbf":1730563200,"iat":1730563200,"ver":"2.0"}"#
        )
    )
}

#[test]
fn token_decodes_a_jwt_and_explains_its_claims() {
    let t = jwt();
    let out = stdout_of(aadsts().args(["token", &t]));
    assert!(out.contains("Signatures are not checked"), "{out}");
    assert!(
        out.contains("JWT access token, format v2.0; signature not checked; EXPIRED at"),
        "{out}"
    );
    assert!(out.contains("issuer: Entra global endpoint, token format v2.0, tenant 72f988bf-86f1-41af-91ab-2d7cd011db47"), "{out}");
    assert!(
        out.contains("client authentication: none (public client)"),
        "{out}"
    );
    assert!(out.contains("mfa = multifactor authentication"), "{out}");
    assert!(out.contains("a personal Microsoft account"), "{out}");
    assert!(out.contains("expires 2024-11-02T17:05:00Z"), "{out}");
    // From standard input, as `Authorization: Bearer …`, in JSON.
    let out = stdout_of(
        aadsts()
            .args(["token", "-", "--format", "json"])
            .write_stdin(format!("Authorization: Bearer {t}\n")),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "aadsts.token/1");
    assert_eq!(v["decoded"][0]["type"], "jwt");
    assert_eq!(v["decoded"][0]["validity"], "expired");
    assert_eq!(v["decoded"][0]["header"]["kid"], "k1");
    let scp = v["decoded"][0]["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "scp")
        .unwrap();
    assert!(scp["note"]
        .as_str()
        .unwrap()
        .starts_with("delegated permissions"));
}

#[test]
fn token_decodes_saml_in_both_bindings() {
    let har: Value =
        serde_json::from_str(&fs::read_to_string(fixture("safari-saml.har")).unwrap()).unwrap();
    // Redirect binding: the URL with SAMLRequest (deflate + base64, percent-encoded).
    let url = har["log"]["entries"][1]["request"]["url"].as_str().unwrap();
    let out = stdout_of(aadsts().args(["token", url]));
    assert!(
        out.contains(
            "SAML AuthnRequest, redirect (deflate + base64) encoding; signature not checked"
        ),
        "{out}"
    );
    assert!(
        out.contains("Issuer             https://wiki.contoso.com/saml/metadata"),
        "{out}"
    );
    assert!(
        out.contains("ACS URL            https://wiki.contoso.com/saml/acs"),
        "{out}"
    );
    // POST binding: the form body of the ACS request.
    let post = har["log"]["entries"][2]["request"]["postData"]["text"]
        .as_str()
        .unwrap();
    let out = stdout_of(
        aadsts()
            .args(["token", "-", "-f", "json"])
            .write_stdin(post),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let m = &v["decoded"][0];
    assert_eq!(m["type"], "saml");
    assert_eq!(m["kind"], "Response");
    assert_eq!(m["encoding"], "POST (base64)");
    assert_eq!(m["in_response_to"], "_8f2c1d9e-4b7a-4c3e-9a5d-1e2f3a4b5c6d");
    assert_eq!(
        m["status_code"],
        "urn:oasis:names:tc:SAML:2.0:status:Requester"
    );
    assert!(m["status_message"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS700016"));
}

#[test]
fn token_refuses_what_is_not_a_token() {
    let out = aadsts()
        .args(["token", "not a token at all"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("found no JWT or SAML message"));
    let out = aadsts()
        .args(["token", "-"])
        .write_stdin("  \n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = aadsts()
        .args(["token", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("payload is not a JSON object"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn fiddler_archive_is_traced_and_sanitized_to_an_archive() {
    let f = fixture("fiddler-consent.saz");
    let out = stdout_of(aadsts().args(["trace", &f]));
    assert!(out.contains("Fiddler .saz"), "{out}");
    assert!(out.contains("answered with AADSTS65001"), "{out}");
    for s in SECRETS {
        assert!(!out.contains(s), "{s} printed");
    }
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("safe.saz");
    let out = stdout_of(aadsts().args(["trace", "--sanitize", &f, "-o", o.to_str().unwrap()]));
    assert!(
        out.contains("reads back the same: 5 hops, failed hop 4, errors AADSTS65001"),
        "{out}"
    );
    let copy = std::fs::read(&o).unwrap();
    assert!(copy.starts_with(b"PK\x03\x04"));
    assert!(!dir.path().join("safe.saz.part").exists());
    let again = stdout_of(aadsts().args(["trace", o.to_str().unwrap()]));
    assert!(again.contains("answered with AADSTS65001"), "{again}");
}

#[test]
fn sanitize_writes_each_format_and_checks_the_copy() {
    let dir = tempfile::tempdir().unwrap();
    for (name, out_name) in [
        ("saml-tracer-sp.json", "st.json"),
        ("safari-pkce.har", "pkce.har"),
    ] {
        let o = dir.path().join(out_name);
        let doc = stdout_of(aadsts().args([
            "trace",
            "--sanitize",
            &fixture(name),
            "-o",
            o.to_str().unwrap(),
            "--format",
            "json",
        ]));
        let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(v["schema"], "aadsts.sanitized/1");
        assert!(v["replaced"].as_u64().unwrap() > 0, "{doc}");
        let copy = std::fs::read_to_string(&o).unwrap();
        for s in ["secret", "Secret", "SECRET", "Saf4ri"] {
            assert!(!copy.contains(s), "{name}: {s} left");
        }
    }
    // -o without --sanitize, and --sanitize without -o, are usage errors.
    let res = aadsts()
        .args(["trace", &fixture("safari-pkce.har"), "--sanitize"])
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(2));
    // The copy never overwrites the capture.
    let f = fixture("safari-pkce.har");
    let res = aadsts()
        .args(["trace", "--sanitize", &f, "-o", &f])
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(2));
}

#[test]
fn keys_check_token_signatures_in_token_and_trace() {
    let tokens: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("keys/TEST-ONLY-tokens.json")).unwrap(),
    )
    .unwrap();
    let jwks = fixture("keys/TEST-ONLY-jwks.json");
    let pem = fixture("keys/TEST-ONLY-rsa-cert.pem");
    let out =
        stdout_of(aadsts().args(["token", tokens["rs256"].as_str().unwrap(), "--keys", &pem]));
    assert!(out.contains("signature valid"), "{out}");
    assert!(
        out.contains("JWT signatures checked with the 1 key(s)"),
        "{out}"
    );
    let out = stdout_of(aadsts().args([
        "token",
        tokens["tampered"].as_str().unwrap(),
        "--keys",
        &jwks,
    ]));
    assert!(out.contains("signature INVALID"), "{out}");
    let doc = stdout_of(aadsts().args([
        "token",
        tokens["es256"].as_str().unwrap(),
        "--keys",
        &jwks,
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(v["decoded"][0]["signature"], "valid", "{doc}");
    let out = stdout_of(aadsts().args(["trace", &fixture("firefox-keys.har"), "--keys", &jwks]));
    assert!(
        out.contains("signature valid") && out.contains("signature INVALID"),
        "{out}"
    );
    assert!(out.contains("SAML signatures are not checked"), "{out}");
    // A key file without a usable key is an input error naming the file.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"keys\": []}").unwrap();
    let res = aadsts()
        .args([
            "token",
            tokens["rs256"].as_str().unwrap(),
            "--keys",
            bad.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&res.stderr).contains("bad.json holds no usable key"));
}

#[test]
fn hostile_values_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("hostile.har");
    let har = serde_json::json!({"log": {"entries": [{
        "startedDateTime": "2024-11-05T10:00:00Z",
        "request": {"method": "GET\u{1b}[2J", "url": "https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=c&login_hint=x%1B%5D0%3Bpwned%07%E2%80%AEy&redirect_uri=https%3A%2F%2Fa%2Fb"},
        "response": {"status": 302, "headers": [{"name": "Location", "value": "https://a/b?error=access_denied&error_description=AADSTS50105%3A+\u{1b}[31mred\u{1b}[0m+not+assigned"}]}
    }]}});
    fs::write(&p, har.to_string()).unwrap();
    let out = stdout_of(aadsts().args(["trace", p.to_str().unwrap(), "--color", "never"]));
    assert!(!out.contains('\u{1b}'), "{out}");
    assert!(!out.contains('\u{7}'), "{out}");
    assert!(!out.contains('\u{202e}'), "{out}");
    assert!(out.contains("\\x1b]0;pwned"), "{out}");
}

#[test]
fn a_capture_can_come_through_a_pipe() {
    let har = fs::read(fixture("firefox-spa.har")).unwrap();
    let out = stdout_of(
        aadsts()
            .args(["trace", "/dev/stdin", "-f", "json"])
            .write_stdin(har),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["failed_hop"], 5);
}

#[test]
fn token_shows_the_signing_certificate_from_a_file() {
    // A self-signed certificate made with openssl for the tests of aadsts-trace.
    let cert = "MIICMjCCAZugAwIBAgICBNIwDQYJKoZIhvcNAQELBQAwNDEyMDAGA1UEAwwpTWljcm9zb2Z0IEF6dXJlIEZlZGVyYXRlZCBTU08gQ2VydGlmaWNhdGUwHhcNMjYxMjA2MTE1NjExWhcNMjcxMjA2MTE1NjExWjA0MTIwMAYDVQQDDClNaWNyb3NvZnQgQXp1cmUgRmVkZXJhdGVkIFNTTyBDZXJ0aWZpY2F0ZTCBnzANBgkqhkiG9w0BAQEFAAOBjQAwgYkCgYEApooJM5OJamLnafx74+gUs5u8zaRuhcpbIKpblZDcz406oIv2NoQ8+NC8KdizmBu8lZE648IFEoBvhhMyFTHXpwrB/EsPCZl5LcRhOwfWj9Lv+OxB0bHXORFJRfkcBsWZLX4ssHpOOt//7AQ8PT7x752at8hszuaEUp3nlTIkdxMCAwEAAaNTMFEwHQYDVR0OBBYEFB9F536+LnzFNjcdMxE3sMiBJygOMB8GA1UdIwQYMBaAFB9F536+LnzFNjcdMxE3sMiBJygOMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZIhvcNAQELBQADgYEAR0z/nhy/0dMRSnX0qZLJMED46O8c16QYWCOAlowBqKWz3Kc6WkUxCdMlVuRKXktNbRAatgik1NgOHwjvbIvvQKoX7B1g+YdKHP5QXmECzAsA6mTT2PqVf5Lo5NX7Nd2nGDeAtoH5WLw1nc62heV6Ru0wwq2LESo7vAutfD0SbOo=";
    let xml = format!(
        r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://sts.windows.net/t/</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature><Subject><NameID>alex@contoso.com</NameID></Subject></Assertion></samlp:Response>"#
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("response.xml");
    fs::write(&p, xml).unwrap();
    let out = stdout_of(aadsts().args(["token", p.to_str().unwrap()]));
    assert!(
        out.contains("SAML Response, XML encoding; signature not checked"),
        "{out}"
    );
    assert!(out.contains("Certificate        CN=Microsoft Azure Federated SSO Certificate (issuer CN=Microsoft Azure Federated SSO Certificate), thumbprint BE75FBD0A5C8FDB36EAB28B0DA4AD7C464D381F2, valid 2026-12-06T11:56:11Z – 2027-12-06T11:56:11Z"), "{out}");
    assert!(
        out.contains("Signed             yes (not checked)"),
        "{out}"
    );
}

#[test]
fn held_back_set_never_prints_a_secret_in_any_format() {
    // Hand-written captures (crates/aadsts-trace/tests/held-back/); the values below are
    // their passwords, cookies, codes, refresh tokens, client secret and token signatures.
    let secrets = [
        "HeldPass",
        "HeldCanaryValue",
        "HeldFlowTokenValue",
        "HeldBackSessionCookie",
        "HeldBackBuid",
        "HeldPersist",
        "HeldPageFlowToken",
        "SGVsZEJhY2tTaWduYXR1cmVIQlNJRw",
        "HeldRefreshTokenValue",
        "HeldOldRefreshToken",
        "Held~Client~Secret~Value",
        "SGVsZEJhY2tBY2Nlc3NTSUc",
        "HeldSamlSessionId",
        "HeldSamlCookie",
        "HeldSamlPersist",
        "HeldSazBuid",
        "SazPass",
        "HeldSazPageFT",
        "HeldSazCanary",
        "HeldSazLight",
    ];
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../aadsts-trace/tests/held-back");
    let out_dir = tempfile::tempdir().unwrap();
    for name in [
        "edge-odd-order.har",
        "chrome-b64-compressed.har",
        "samltracer-legacy.json",
        "fiddler-zip64.saz",
    ] {
        let f = dir.join(name);
        let f = f.to_str().unwrap();
        for format in ["text", "md", "json", "html"] {
            let res = aadsts()
                .args(["trace", f, "--format", format])
                .output()
                .unwrap();
            assert_eq!(res.status.code(), Some(0), "{name} {format}");
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&res.stdout),
                String::from_utf8_lossy(&res.stderr)
            );
            for s in secrets {
                assert!(!all.contains(s), "{name} --format {format}: {s} printed");
            }
        }
        let o = out_dir.path().join(name);
        let out = stdout_of(aadsts().args(["trace", "--sanitize", f, "-o", o.to_str().unwrap()]));
        assert!(out.contains("reads back the same"), "{name}: {out}");
    }
}

/// Values of chrome-cookies.har shown only with `--show-secrets`: cookie values, the
/// authorization code, refresh tokens, the ID token's signature.
const SHOWN_WITH_FLAG: &[&str] = &[
    "1.AXoAcookiesSessionValue",
    "AkQcookiesFpcValue",
    "0.AXoAcookiesAuthCodeValue1234",
    "0.AXoAcookiesNewRefreshValue",
    "QiRCJEIkQiRCJEIk",
];
/// Values of chrome-cookies.har never printed: the password, the HTTP Basic client secret
/// (and the header's base64), the flow token.
const NEVER_PRINTED: &[&str] = &[
    "C00kie",
    "C00kieClientSecretValue",
    "MGMxZDJlM2Yt",
    "CKFLOWTOKENVALUE",
];

#[test]
fn show_secrets_prints_credentials_but_never_passwords() {
    let f = fixture("chrome-cookies.har");
    for format in ["text", "md", "json", "html"] {
        let out = stdout_of(aadsts().args(["trace", &f, "--show-secrets", "--format", format]));
        for s in SHOWN_WITH_FLAG {
            assert!(out.contains(s), "--format {format}: {s} not shown");
        }
        for s in NEVER_PRINTED {
            assert!(!out.contains(s), "--format {format}: {s} printed");
        }
        assert!(
            out.contains("live credentials") || format == "json",
            "--format {format}: no warning"
        );
        let masked = stdout_of(aadsts().args(["trace", &f, "--format", format]));
        for s in SHOWN_WITH_FLAG.iter().chain(NEVER_PRINTED) {
            assert!(
                !masked.contains(s),
                "--format {format}: {s} without the flag"
            );
        }
    }
    // The other fixtures' passwords stay hidden too; their cookies, codes and bearer token
    // signature show.
    let out = stdout_of(aadsts().args(["trace", &fixture("chrome-consent.har"), "--show-secrets"]));
    for s in ["secretcorr", "1.AXoAsessionsecret", "EzcTNxM3EzcTNxM3"] {
        assert!(out.contains(s), "{s} not shown");
    }
    for s in ["Sup3r", "SECRETFLOWTOKEN", "CANARYVALUE"] {
        assert!(!out.contains(s), "{s} printed");
    }
    let out = stdout_of(aadsts().args(["trace", &fixture("firefox-spa.har"), "--show-secrets"]));
    assert!(!out.contains("Firef0x"), "{out}");
    assert!(
        out.contains("0.AXoAv4j5cvGGr0GRqy180BHbR1secretauthcode"),
        "{out}"
    );
    // The help says what the flag costs.
    let help = stdout_of(aadsts().args(["trace", "--help"]));
    assert!(help.contains("--show-secrets") && help.contains("live credentials"));
    let help = stdout_of(aadsts().args(["token", "--help"]));
    assert!(help.contains("--show-secrets") && help.contains("live credential"));
}

#[test]
fn sanitized_copies_ignore_show_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("chrome-cookies.har");
    let a = dir.path().join("a.har");
    let out = stdout_of(aadsts().args([
        "trace",
        "--sanitize",
        &f,
        "-o",
        a.to_str().unwrap(),
        "--show-secrets",
    ]));
    assert!(out.contains("reads back the same"), "{out}");
    assert!(
        !out.contains("C00kie") && !out.contains("cookiesSessionValue"),
        "{out}"
    );
    let b = dir.path().join("b.har");
    stdout_of(aadsts().args([
        "trace",
        &f,
        "--sanitized",
        b.to_str().unwrap(),
        "--show-secrets",
    ]));
    for p in [a, b] {
        let copy = fs::read_to_string(&p).unwrap();
        for s in SHOWN_WITH_FLAG.iter().chain(NEVER_PRINTED) {
            assert!(!copy.contains(s), "{s} left in {}", p.display());
        }
    }
}

#[test]
fn token_show_secrets_prints_the_token_whole() {
    let t = jwt();
    let sig = t.rsplit('.').next().unwrap().to_string();
    let out = stdout_of(aadsts().args(["token", &t]));
    assert!(!out.contains(&sig), "{out}");
    for format in ["text", "md", "json", "html"] {
        let out = stdout_of(aadsts().args(["token", &t, "--show-secrets", "--format", format]));
        assert!(out.contains(&sig), "--format {format}: signature not shown");
    }
}

#[test]
fn keys_say_what_was_checked_in_every_format() {
    let jwks = fixture("keys/TEST-ONLY-jwks.json");
    let f = fixture("firefox-keys.har");
    let doc = stdout_of(aadsts().args(["trace", &f, "--keys", &jwks, "--format", "json"]));
    let v: Value = serde_json::from_str(&doc).unwrap();
    let sigs = v["signatures"].as_str().unwrap();
    assert_ne!(sigs, "not checked");
    assert!(sigs.contains("TEST-ONLY-jwks.json"), "{sigs}");
    assert!(
        sigs.contains("JWT signatures: 1 valid, 1 INVALID."),
        "{sigs}"
    );
    for t in v["tokens"].as_array().unwrap() {
        assert_ne!(t["signature"], "not checked", "{t}");
        assert!(t["signature_detail"].is_string(), "{t}");
    }
    for format in ["text", "md", "html"] {
        let out = stdout_of(aadsts().args(["trace", &f, "--keys", &jwks, "--format", format]));
        // The JSON's line (Markdown escapes its parentheses).
        assert!(
            out.contains(sigs) || format == "md",
            "--format {format}: not the JSON's line"
        );
        assert!(
            out.contains("JWT signatures: 1 valid, 1 INVALID.")
                && out.contains("TEST-ONLY-jwks.json"),
            "--format {format}"
        );
        assert!(!out.contains("signature not checked"), "--format {format}");
        assert!(
            !out.contains("Signatures are not checked"),
            "--format {format}"
        );
    }
    // Without keys every format says nothing was checked.
    let doc = stdout_of(aadsts().args(["trace", &f, "--format", "json"]));
    let v: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(v["signatures"], "not checked");
    // `aadsts token` alike.
    let tokens: Value =
        serde_json::from_str(&fs::read_to_string(fixture("keys/TEST-ONLY-tokens.json")).unwrap())
            .unwrap();
    let t = tokens["rs256"].as_str().unwrap();
    let doc = stdout_of(aadsts().args(["token", t, "--keys", &jwks, "--format", "json"]));
    let v: Value = serde_json::from_str(&doc).unwrap();
    let sigs = v["signatures"].as_str().unwrap();
    assert!(sigs.contains("JWT signatures: 1 valid."), "{sigs}");
    for format in ["text", "md", "html"] {
        let out = stdout_of(aadsts().args(["token", t, "--keys", &jwks, "--format", format]));
        assert!(
            out.contains("JWT signatures: 1 valid."),
            "--format {format}: {out}"
        );
        assert!(
            !out.contains("Signatures are not checked"),
            "--format {format}"
        );
        assert!(!out.contains("signature not checked"), "--format {format}");
    }
}

#[test]
fn cookie_findings_show_in_the_report() {
    let out = stdout_of(aadsts().args(["trace", &fixture("chrome-cookies.har")]));
    assert!(
        out.contains(
            "hop 4 (POST https://intranet.fabrikam.com/signin-oidc) failed without the cookie(s)"
        ),
        "{out}"
    );
    assert!(out.contains("third-party cookies"), "{out}");
    assert!(out.contains("cookies sent"), "{out}");
    assert!(
        out.contains("Basic (user name and password never shown)"),
        "{out}"
    );
}
