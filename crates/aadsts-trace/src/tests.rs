//! Token and SAML decoding.

use crate::token::{decode_jwt, find_jwts, issuer, JwtError};
use crate::{b64, saml, time};
use std::io::Write;

fn b64u(s: &str) -> String {
    b64::encode(s.as_bytes())
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

fn jwt(payload: &str) -> String {
    format!(
        "{}.{}.c2ln",
        b64u(r#"{"typ":"JWT","alg":"RS256","kid":"k"}"#),
        b64u(payload)
    )
}

fn note<'a>(j: &'a crate::token::Jwt, name: &str) -> &'a str {
    j.claims
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.note.as_deref())
        .unwrap_or("")
}

#[test]
fn v1_access_token_claims_are_explained() {
    let t = jwt(
        r#"{"aud":"https://management.azure.com/","iss":"https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/","appid":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","appidacr":"0","scp":"user_impersonation","amr":["rsa","mfa"],"acr":"1","exp":1000,"nbf":500,"iat":500}"#,
    );
    let j = decode_jwt(&t, Some(2000)).unwrap();
    assert_eq!(j.kind, "access token");
    assert_eq!(j.version.as_deref(), Some("1.0"));
    assert_eq!(j.signature, "not checked");
    assert_eq!(j.validity.as_deref(), Some("expired"));
    assert!(note(&j, "aud").contains("Azure Resource Manager"));
    assert!(note(&j, "iss").contains("v1.0, tenant 72f988bf-86f1-41af-91ab-2d7cd011db47"));
    assert!(note(&j, "appid").contains("Azure CLI"));
    assert!(note(&j, "amr").contains("rsa = key proof"));
    assert!(
        note(&j, "exp").ends_with(": EXPIRED"),
        "{}",
        note(&j, "exp")
    );
    assert!(note(&j, "exp").starts_with("expires 1970-01-01T00:16:40Z (16m 40s before"));
}

#[test]
fn v2_id_token_national_cloud_b2c_and_msa() {
    let t = jwt(
        r#"{"aud":"5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9","iss":"https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0","tid":"9188040d-6c67-4c5b-b112-36a304b66dad","nonce":"n","preferred_username":"a@outlook.com","exp":5000,"nbf":3000,"ver":"2.0"}"#,
    );
    let j = decode_jwt(&t, Some(2000)).unwrap();
    assert_eq!(j.kind, "ID token");
    assert_eq!(j.version.as_deref(), Some("2.0"));
    assert_eq!(j.validity.as_deref(), Some("not yet valid"));
    assert!(note(&j, "tid").contains("personal Microsoft accounts"));
    assert!(note(&j, "iss").contains("(personal Microsoft accounts)"));
    assert!(note(&j, "aud").contains("the app (client id) that asked for this ID token"));
    assert!(note(&j, "nbf").ends_with("NOT YET VALID"));
    let us = issuer("https://login.microsoftonline.us/abc/v2.0").unwrap();
    assert_eq!(
        (us.cloud, us.version, us.tenant.as_str()),
        ("US Government", "2.0", "abc")
    );
    let cn = issuer("https://sts.chinacloudapi.cn/t/").unwrap();
    assert_eq!((cn.cloud, cn.version), ("China (21Vianet)", "1.0"));
    let b2c = issuer("https://contoso.b2clogin.com/tid/v2.0/").unwrap();
    assert_eq!((b2c.cloud, b2c.version), ("Azure AD B2C", "2.0"));
    assert!(issuer("https://accounts.google.com").is_none());
}

#[test]
fn bad_and_unusual_jwts_say_why() {
    assert_eq!(decode_jwt("a.b", None).unwrap_err(), JwtError::Parts(2));
    assert_eq!(
        decode_jwt("a.b.c.d.e", None).unwrap_err(),
        JwtError::Encrypted
    );
    assert_eq!(
        decode_jwt("*.b.c", None).unwrap_err(),
        JwtError::Base64("header")
    );
    assert!(matches!(
        decode_jwt(&format!("{}.{}.x", b64u("{}"), b64u("[1]")), None),
        Err(JwtError::Json("payload", _))
    ));
    let none = format!("{}.{}.", b64u(r#"{"alg":"none"}"#), b64u(r#"{"sub":"1"}"#));
    let j = decode_jwt(&none, None).unwrap();
    assert_eq!(j.signature, "none");
    assert_eq!(j.validity, None);
}

#[test]
fn jwts_are_found_in_text() {
    let t = jwt(r#"{"sub":"1"}"#);
    let text = format!("Authorization: Bearer {t}\n{{\"id_token\":\"{t}\"}} and x{t}");
    assert_eq!(find_jwts(&text), vec![t.as_str()]);
    let unsigned = format!("{}.{}.", b64u(r#"{"alg":"none"}"#), b64u(r#"{"a":1}"#));
    assert_eq!(
        find_jwts(&format!("t={unsigned} end")),
        vec![unsigned.as_str()]
    );
    assert_eq!(find_jwts(&format!("sentence {t}.")), vec![t.as_str()]);
    assert!(find_jwts("eyJ alone and eyJabc.notjwt").is_empty());
}

const RESPONSE: &str = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" InResponseTo="_q1" Destination="https://sp.example/acs" IssueInstant="2024-11-04T08:00:03Z"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://sts.windows.net/t1/</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1"><Issuer>https://sts.windows.net/t1/</Issuer><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIC</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature><Subject><NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">alex@contoso.com</NameID><SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData InResponseTo="_q1" NotOnOrAfter="2024-11-04T08:05:03Z" Recipient="https://sp.example/acs"/></SubjectConfirmation></Subject><Conditions NotBefore="2024-11-04T07:55:03Z" NotOnOrAfter="2024-11-04T09:00:03Z"><AudienceRestriction><Audience>https://sp.example/metadata</Audience></AudienceRestriction></Conditions><AttributeStatement><Attribute Name="http://schemas.microsoft.com/identity/claims/tenantid"><AttributeValue>t1</AttributeValue></Attribute><Attribute Name="groups"><AttributeValue>g1</AttributeValue><AttributeValue>g2</AttributeValue></Attribute></AttributeStatement><AuthnStatement AuthnInstant="2024-11-04T08:00:01Z"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement></Assertion></samlp:Response>"#;

#[test]
fn saml_response_fields_in_xml_and_post_binding() {
    let at = time::parse("2024-11-04T08:00:04Z");
    for input in [RESPONSE.to_string(), b64::encode(RESPONSE.as_bytes())] {
        let m = saml::decode(&input, at).unwrap();
        assert_eq!(m.kind, "Response");
        assert_eq!(m.issuer.as_deref(), Some("https://sts.windows.net/t1/"));
        assert_eq!(
            m.assertion_issuer.as_deref(),
            Some("https://sts.windows.net/t1/")
        );
        assert_eq!(m.in_response_to.as_deref(), Some("_q1"));
        assert_eq!(m.destination.as_deref(), Some("https://sp.example/acs"));
        assert_eq!(m.audiences, vec!["https://sp.example/metadata".to_string()]);
        assert_eq!(m.name_id.as_deref(), Some("alex@contoso.com"));
        assert!(m
            .name_id_format
            .as_deref()
            .unwrap()
            .ends_with("emailAddress"));
        assert_eq!(m.not_before.as_deref(), Some("2024-11-04T07:55:03Z"));
        assert_eq!(m.not_on_or_after.as_deref(), Some("2024-11-04T09:00:03Z"));
        assert_eq!(m.recipient.as_deref(), Some("https://sp.example/acs"));
        assert!(m
            .authn_context_class_ref
            .as_deref()
            .unwrap()
            .ends_with("Password"));
        assert_eq!(
            m.attributes[1],
            (
                "groups".to_string(),
                vec!["g1".to_string(), "g2".to_string()]
            )
        );
        assert!(m.signed);
        assert!(!m.failed());
        assert!(m.notes.is_empty(), "{:?}", m.notes);
        assert_eq!(m.signature, "not checked");
    }
    // Judged two hours later, the conditions have passed.
    let late = saml::decode(RESPONSE, time::parse("2024-11-04T10:00:00Z")).unwrap();
    assert!(
        late.notes[0].starts_with("expired at 2024-11-04T10:00:00Z"),
        "{:?}",
        late.notes
    );
    let early = saml::decode(RESPONSE, time::parse("2024-11-04T07:00:00Z")).unwrap();
    assert!(early.notes[0].contains("clock skew"), "{:?}", early.notes);
}

#[test]
fn saml_request_in_redirect_binding_and_bad_input() {
    let req = r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_q1" ForceAuthn="true" AssertionConsumerServiceURL="https://sp.example/acs"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://sp.example/metadata</saml:Issuer><samlp:RequestedAuthnContext><saml:AuthnContextClassRef xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></samlp:RequestedAuthnContext></samlp:AuthnRequest>"#;
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(req.as_bytes()).unwrap();
    let deflated = b64::encode(&z.finish().unwrap());
    let encoded: String = deflated
        .chars()
        .map(|c| match c {
            '+' => "%2B".to_string(),
            '/' => "%2F".to_string(),
            '=' => "%3D".to_string(),
            c => c.to_string(),
        })
        .collect();
    for input in [
        deflated.clone(),
        encoded.clone(),
        format!("https://login.microsoftonline.com/t/saml2?SAMLRequest={encoded}&RelayState=x"),
    ] {
        let m = saml::decode(&input, None).unwrap();
        assert_eq!(m.kind, "AuthnRequest");
        assert_eq!(m.encoding, "redirect (deflate + base64)");
        assert_eq!(m.issuer.as_deref(), Some("https://sp.example/metadata"));
        assert_eq!(m.force_authn.as_deref(), Some("true"));
        assert!(m
            .requested_authn_context
            .as_deref()
            .unwrap()
            .ends_with("PasswordProtectedTransport"));
        assert_eq!(m.authn_context_class_ref, None);
    }
    assert_eq!(
        saml::decode("hello", None).unwrap_err(),
        saml::SamlError::NotSaml
    );
    assert_eq!(
        saml::decode("<a><b/></a>", None).unwrap_err(),
        saml::SamlError::NoMessage
    );
    let enc = saml::decode(r#"<samlp:Response xmlns:samlp="p"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:EncryptedAssertion xmlns:saml="a"/></samlp:Response>"#, None).unwrap();
    assert!(enc.encrypted_assertion);
    assert!(enc.notes[0].contains("encrypted"));
}

/// A self-signed certificate made with openssl for this test (no key kept); openssl's own
/// reading: SHA-1 fingerprint BE:75:FB:D0:A5:C8:FD:B3:6E:AB:28:B0:DA:4A:D7:C4:64:D3:81:F2,
/// notBefore Dec 6 11:56:11 2026 GMT, notAfter Dec 6 11:56:11 2027 GMT.
const CERT: &str = "MIICMjCCAZugAwIBAgICBNIwDQYJKoZIhvcNAQELBQAwNDEyMDAGA1UEAwwpTWljcm9zb2Z0IEF6dXJlIEZlZGVyYXRlZCBTU08gQ2VydGlmaWNhdGUwHhcNMjYxMjA2MTE1NjExWhcNMjcxMjA2MTE1NjExWjA0MTIwMAYDVQQDDClNaWNyb3NvZnQgQXp1cmUgRmVkZXJhdGVkIFNTTyBDZXJ0aWZpY2F0ZTCBnzANBgkqhkiG9w0BAQEFAAOBjQAwgYkCgYEApooJM5OJamLnafx74+gUs5u8zaRuhcpbIKpblZDcz406oIv2NoQ8+NC8KdizmBu8lZE648IFEoBvhhMyFTHXpwrB/EsPCZl5LcRhOwfWj9Lv+OxB0bHXORFJRfkcBsWZLX4ssHpOOt//7AQ8PT7x752at8hszuaEUp3nlTIkdxMCAwEAAaNTMFEwHQYDVR0OBBYEFB9F536+LnzFNjcdMxE3sMiBJygOMB8GA1UdIwQYMBaAFB9F536+LnzFNjcdMxE3sMiBJygOMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZIhvcNAQELBQADgYEAR0z/nhy/0dMRSnX0qZLJMED46O8c16QYWCOAlowBqKWz3Kc6WkUxCdMlVuRKXktNbRAatgik1NgOHwjvbIvvQKoX7B1g+YdKHP5QXmECzAsA6mTT2PqVf5Lo5NX7Nd2nGDeAtoH5WLw1nc62heV6Ru0wwq2LESo7vAutfD0SbOo=";

#[test]
fn signing_certificate_subject_validity_and_thumbprint() {
    let c = crate::cert::describe(CERT).unwrap();
    assert_eq!(c.subject, "CN=Microsoft Azure Federated SSO Certificate");
    assert_eq!(c.issuer, c.subject);
    assert_eq!(c.thumbprint, "BE75FBD0A5C8FDB36EAB28B0DA4AD7C464D381F2");
    assert_eq!(c.not_before, "2026-12-06T11:56:11Z");
    assert_eq!(c.not_after, "2027-12-06T11:56:11Z");
    assert!(crate::cert::describe("AAAA").is_none());
    assert!(crate::cert::describe(&CERT[..200]).is_none());
    // In a response, judged after it expired.
    let with_cert = RESPONSE.replace(
        "<ds:X509Certificate>MIIC</ds:X509Certificate>",
        &format!("<ds:X509Certificate>{CERT}</ds:X509Certificate>"),
    );
    let m = saml::decode(&with_cert, time::parse("2028-01-01T00:00:00Z")).unwrap();
    assert_eq!(m.certificate.as_ref().unwrap().thumbprint, c.thumbprint);
    assert!(m.notes.iter().any(|n| n.starts_with("the signing certificate CN=Microsoft Azure Federated SSO Certificate (thumbprint BE75FBD0A5C8FDB36EAB28B0DA4AD7C464D381F2) expired")), "{:?}", m.notes);
}
