//! SAML 2.0 protocol messages (AuthnRequest, Response, LogoutRequest/Response) in any of
//! the forms they travel in: XML, the POST binding (base64), the redirect binding (raw
//! deflate + base64, usually percent-encoded in a URL). Signatures are never checked.

use crate::{b64, time, xml};
use serde::Serialize;
use std::io::Read;

/// Largest inflated SAML message read (a deflate bomb stops here).
pub const MAX_INFLATED: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SamlError {
    #[error(
        "not SAML: neither XML, base64 (POST binding), nor deflate + base64 (redirect binding)"
    )]
    NotSaml,
    #[error("the XML has no SAML protocol message (AuthnRequest, Response, LogoutRequest or LogoutResponse)")]
    NoMessage,
}

/// A decoded SAML message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct SamlMessage {
    /// `AuthnRequest`, `Response`, `LogoutRequest`, `LogoutResponse`.
    pub kind: String,
    /// `redirect (deflate + base64)`, `POST (base64)` or `XML`.
    pub encoding: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_instant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_response_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assertion_consumer_service_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol_binding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_id_policy_format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_authn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_passive: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_authn_context: Option<String>,
    /// Top-level status code (`urn:oasis:names:tc:SAML:2.0:status:Success` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_sub_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assertion_issuer: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_id_format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_on_or_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authn_context_class_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authn_instant: Option<String>,
    /// Attribute name and values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<(String, Vec<String>)>,
    pub signed: bool,
    /// The signing certificate in the signature's KeyInfo, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<crate::cert::CertInfo>,
    pub encrypted_assertion: bool,
    /// Always `not checked`.
    pub signature: &'static str,
    /// Checks against the capture's clock (or now): expired, not yet valid, failed status.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The decoded XML, for error extraction and display.
    #[serde(skip)]
    pub xml: String,
}

impl SamlMessage {
    /// Whether the status is anything but Success (a Response or LogoutResponse only).
    pub fn failed(&self) -> bool {
        self.status_code
            .as_deref()
            .is_some_and(|c| !c.ends_with(":Success"))
    }
}

/// Decodes one SAML message from XML, base64, deflate + base64, a `SAMLRequest=`/
/// `SAMLResponse=` parameter or a URL carrying one. `at` (Unix seconds) is the time to
/// judge the Conditions against.
pub fn decode(input: &str, at: Option<i64>) -> Result<SamlMessage, SamlError> {
    let mut s = input.trim().to_string();
    for key in ["SAMLResponse=", "SAMLRequest="] {
        if let Some(p) = s.find(key) {
            let v = &s[p + key.len()..];
            let v = v
                .split(['&', '#', '"', '\'', ' ', '\n'])
                .next()
                .unwrap_or("");
            s = crate::url::pct_decode(v);
            break;
        }
    }
    let (xml_text, encoding) = to_xml(&s).ok_or(SamlError::NotSaml)?;
    let mut m = parse(&xml_text).ok_or(SamlError::NoMessage)?;
    m.encoding = encoding;
    check_times(&mut m, at);
    Ok(m)
}

fn looks_xml(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    b.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'<')
}

fn to_xml(s: &str) -> Option<(String, &'static str)> {
    if looks_xml(s.as_bytes()) {
        return Some((s.to_string(), "XML"));
    }
    // A percent-encoded value pasted as it was in the URL.
    let s = if s.contains('%') {
        crate::url::pct_decode(s)
    } else {
        s.to_string()
    };
    let bytes = b64::decode(&s)?;
    if looks_xml(&bytes) {
        return Some((
            String::from_utf8_lossy(&bytes).into_owned(),
            "POST (base64)",
        ));
    }
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(&bytes[..])
        .take(MAX_INFLATED)
        .read_to_end(&mut out)
        .ok()?;
    looks_xml(&out).then(|| {
        (
            String::from_utf8_lossy(&out).into_owned(),
            "redirect (deflate + base64)",
        )
    })
}

fn parse(doc: &str) -> Option<SamlMessage> {
    let els = xml::elements(doc);
    let root = els.iter().find(|e| {
        matches!(
            e.name.as_str(),
            "AuthnRequest" | "Response" | "LogoutRequest" | "LogoutResponse"
        )
    })?;
    let mut m = SamlMessage {
        kind: root.name.clone(),
        signature: "not checked",
        xml: doc.to_string(),
        ..Default::default()
    };
    let attr = |e: &xml::Element, n: &str| e.attr(n).map(str::to_string);
    m.id = attr(root, "ID");
    m.issue_instant = attr(root, "IssueInstant");
    m.destination = attr(root, "Destination");
    m.in_response_to = attr(root, "InResponseTo");
    m.assertion_consumer_service_url = attr(root, "AssertionConsumerServiceURL");
    m.protocol_binding = attr(root, "ProtocolBinding");
    m.force_authn = attr(root, "ForceAuthn");
    m.is_passive = attr(root, "IsPassive");
    let root_depth = root.path.len();
    let text = |e: &xml::Element| (!e.text.is_empty()).then(|| e.text.clone());
    for e in &els {
        let in_assertion = e.path.iter().any(|p| p == "Assertion");
        match e.name.as_str() {
            "Issuer" if e.path.len() == root_depth + 1 => m.issuer = text(e),
            "Issuer" if in_assertion => m.assertion_issuer = text(e),
            "NameIDPolicy" => m.name_id_policy_format = attr(e, "Format"),
            "RequestedAuthnContext" => {}
            "AuthnContextClassRef" if e.path.iter().any(|p| p == "RequestedAuthnContext") => {
                m.requested_authn_context = text(e)
            }
            "AuthnContextClassRef" => m.authn_context_class_ref = text(e),
            "StatusCode" => {
                if e.path.last().map(String::as_str) == Some("StatusCode") {
                    m.status_sub_code = attr(e, "Value");
                } else {
                    m.status_code = attr(e, "Value");
                }
            }
            "StatusMessage" => m.status_message = text(e),
            "Audience" => m.audiences.extend(text(e)),
            "NameID" if in_assertion || m.kind != "AuthnRequest" => {
                m.name_id = text(e);
                m.name_id_format = attr(e, "Format");
            }
            "Conditions" => {
                m.not_before = attr(e, "NotBefore");
                m.not_on_or_after = attr(e, "NotOnOrAfter");
            }
            "SubjectConfirmationData" => {
                m.recipient = attr(e, "Recipient");
                if m.not_on_or_after.is_none() {
                    m.not_on_or_after = attr(e, "NotOnOrAfter");
                }
            }
            "AuthnStatement" => m.authn_instant = attr(e, "AuthnInstant"),
            "Attribute" => {
                let name = attr(e, "Name").unwrap_or_default();
                m.attributes.push((name, Vec::new()));
            }
            "AttributeValue" => {
                if let Some(last) = m.attributes.last_mut() {
                    last.1.push(e.text.clone());
                }
            }
            "Signature" => m.signed = true,
            "X509Certificate" if m.certificate.is_none() => {
                m.certificate = crate::cert::describe(&e.text)
            }
            "EncryptedAssertion" => m.encrypted_assertion = true,
            _ => {}
        }
    }
    Some(m)
}

fn check_times(m: &mut SamlMessage, at: Option<i64>) {
    if m.failed() {
        let sub = m
            .status_sub_code
            .as_deref()
            .map(|s| format!(" / {}", short_status(s)))
            .unwrap_or_default();
        m.notes.push(format!(
            "status is {}{sub}: the identity provider refused the request",
            short_status(m.status_code.as_deref().unwrap_or(""))
        ));
    }
    if m.encrypted_assertion {
        m.notes.push(
            "the assertion is encrypted: only the service provider's private key can read it"
                .into(),
        );
    }
    let Some(at) = at else { return };
    let when = time::rfc3339(at);
    if let Some(c) = &m.certificate {
        if time::parse(&c.not_after).is_some_and(|na| at >= na) {
            m.notes.push(format!(
                "the signing certificate {} (thumbprint {}) expired {} before {when}",
                c.subject,
                c.thumbprint,
                time::span(at - time::parse(&c.not_after).unwrap_or(at))
            ));
        }
    }
    if let Some(nb) = m.not_before.as_deref().and_then(time::parse) {
        if at < nb {
            m.notes.push(format!(
                "not yet valid at {when}: NotBefore is {} later (clock skew?)",
                time::span(nb - at)
            ));
        }
    }
    if let Some(na) = m.not_on_or_after.as_deref().and_then(time::parse) {
        if at >= na {
            m.notes.push(format!(
                "expired at {when}: NotOnOrAfter passed {} earlier",
                time::span(at - na)
            ));
        }
    }
}

/// `urn:oasis:names:tc:SAML:2.0:status:Requester` → `Requester`.
pub fn short_status(s: &str) -> &str {
    s.rsplit(':').next().unwrap_or(s)
}
