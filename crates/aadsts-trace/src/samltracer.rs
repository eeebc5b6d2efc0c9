//! SAML-tracer's export: the JSON file the SAML-tracer browser add-on (Firefox, Chrome,
//! Edge) writes with its Export button. The shape is taken from the add-on's source
//! (github.com/simplesamlphp/SAML-tracer, `src/SAMLTraceIO.js` `exportRequests` and
//! `src/SAMLTrace.js` `SAMLTrace.Request`):
//!
//! ```json
//! {"requests": [{"method": "POST", "url": "…", "requestId": "request-12-POST-…",
//!                "requestHeaders": [{"name": "…", "value": "…"}],
//!                "get": [["name", "value"]], "post": [["name", "value"]],
//!                "postData": {"name": ["value"]}, "protocol": "SAML-P",
//!                "saml": "<samlp:Response …>", "responseStatus": 200,
//!                "responseStatusText": "HTTP/1.1 200 OK",
//!                "responseHeaders": [{"name": "…", "value": "…"}]}],
//!  "timestamp": "2024-11-04T08:01:00.000Z"}
//! ```
//!
//! Before version 1.0 headers were `["name", "value"]` arrays and the id was `id`. The add-on
//! keeps no bodies and no per-request time: parameters are already decoded, the decoded
//! SAML message is in `saml`, and the response's `Date` header is the only clock. Its
//! export filters may have hashed or overwritten the POST values; the `saml` field is kept
//! by them, so a POST binding's message is rebuilt from it.

use crate::har::{Entry, Pair, PostData, Request, Response};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// One request of the export.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TracedRequest {
    #[serde(default, deserialize_with = "string")]
    pub method: String,
    #[serde(default, deserialize_with = "string")]
    pub url: String,
    #[serde(default, deserialize_with = "headers")]
    pub request_headers: Vec<Pair>,
    #[serde(default, deserialize_with = "pairs")]
    pub post: Vec<(String, String)>,
    #[serde(default, deserialize_with = "string")]
    pub saml: String,
    #[serde(default)]
    pub response_status: Value,
    #[serde(default, deserialize_with = "string")]
    pub response_status_text: String,
    #[serde(default, deserialize_with = "headers")]
    pub response_headers: Vec<Pair>,
}

fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Headers as `{"name", "value"}` objects (1.0 and later) or `["name", "value"]` arrays.
fn headers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Pair>, D::Error> {
    let Value::Array(a) = Value::deserialize(d)? else {
        return Ok(Vec::new());
    };
    Ok(a.iter()
        .filter_map(|h| match h {
            Value::Object(m) => Some(Pair {
                name: text(m.get("name")?),
                value: m.get("value").map(text).unwrap_or_default(),
            }),
            Value::Array(p) if !p.is_empty() => Some(Pair {
                name: text(&p[0]),
                value: p.get(1).map(text).unwrap_or_default(),
            }),
            _ => None,
        })
        .collect())
}

fn pairs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    let Value::Array(a) = Value::deserialize(d)? else {
        return Ok(Vec::new());
    };
    Ok(a.iter()
        .filter_map(|p| match p {
            Value::Array(p) if !p.is_empty() => {
                Some((text(&p[0]), p.get(1).map(text).unwrap_or_default()))
            }
            _ => None,
        })
        .collect())
}

/// A form value encoded as a browser encodes it.
fn form_encode(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'*');
    percent_encoding::utf8_percent_encode(s, SET)
        .to_string()
        .replace("%20", "+")
}

impl TracedRequest {
    /// The request as a HAR entry, for the journey.
    pub fn to_entry(&self) -> Entry {
        let header = |h: &[Pair], n: &str| {
            h.iter()
                .find(|p| p.name.eq_ignore_ascii_case(n))
                .map(|p| p.value.clone())
        };
        // The POST binding's message, rebuilt from the decoded XML when the export filter
        // hashed the form value (it never touches `saml`).
        let post: Vec<(String, String)> = self
            .post
            .iter()
            .map(|(k, v)| {
                let saml_param = k == "SAMLResponse" || k == "SAMLRequest";
                if saml_param && !self.saml.is_empty() && crate::saml::decode(v, None).is_err() {
                    (k.clone(), crate::b64::encode(self.saml.as_bytes()))
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect();
        let post_data =
            (self.method.eq_ignore_ascii_case("POST") && !post.is_empty()).then(|| PostData {
                mime_type: "application/x-www-form-urlencoded".into(),
                text: post
                    .iter()
                    .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
                    .collect::<Vec<_>>()
                    .join("&"),
                params: Vec::new(),
            });
        let status = match &self.response_status {
            Value::Number(n) => n.as_u64().and_then(|v| u16::try_from(v).ok()).unwrap_or(0),
            Value::String(s) => s.trim().parse().unwrap_or(0),
            _ => 0,
        };
        // `HTTP/1.1 302 Found`: the status code when the number is missing.
        let status = if status == 0 {
            self.response_status_text
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0)
        } else {
            status
        };
        let started = header(&self.response_headers, "date")
            .and_then(|d| crate::time::parse_http_date(&d))
            .map(crate::time::rfc3339)
            .unwrap_or_default();
        Entry {
            started_date_time: started,
            request: Request {
                method: self.method.clone(),
                url: self.url.clone(),
                headers: self.request_headers.clone(),
                post_data,
                cookies: Vec::new(),
            },
            response: Response {
                status,
                status_text: self.response_status_text.clone(),
                redirect_url: header(&self.response_headers, "location").unwrap_or_default(),
                headers: self.response_headers.clone(),
                content: Default::default(),
                cookies: Vec::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_and_legacy_shapes_read_alike() {
        let now = r#"{"method":"POST","url":"https://sp.contoso.com/acs","requestId":"request-7-POST-ab",
            "requestHeaders":[{"name":"Cookie","value":"a=b"}],"post":[["RelayState","/x y"],["SAMLResponse","!!hashed!!"]],
            "saml":"<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_1\"/>","protocol":"SAML-P",
            "responseStatus":302,"responseStatusText":"HTTP/1.1 302 Found",
            "responseHeaders":[{"name":"Location","value":"https://sp.contoso.com/"},{"name":"Date","value":"Mon, 04 Nov 2024 08:00:05 GMT"}]}"#;
        let legacy = r#"{"method":"POST","url":"https://sp.contoso.com/acs","id":"7",
            "requestHeaders":[["Cookie","a=b"]],"post":[["RelayState","/x y"],["SAMLResponse","!!hashed!!"]],
            "saml":"<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_1\"/>",
            "responseStatus":"","responseStatusText":"HTTP/1.1 302 Found",
            "responseHeaders":[["Location","https://sp.contoso.com/"],["Date","Mon, 04 Nov 2024 08:00:05 GMT"]]}"#;
        for j in [now, legacy] {
            let r: TracedRequest = serde_json::from_str(j).unwrap();
            let e = r.to_entry();
            assert_eq!(e.response.status, 302);
            assert_eq!(e.location(), Some("https://sp.contoso.com/"));
            assert_eq!(e.request_header("cookie"), Some("a=b"));
            assert_eq!(e.started_date_time, "2024-11-04T08:00:05Z");
            let post = e.post_text();
            assert!(
                post.starts_with("RelayState=%2Fx+y&SAMLResponse="),
                "{post}"
            );
            // The hashed value was replaced by the message rebuilt from `saml`.
            let v = post.rsplit('=').next().unwrap();
            let m = crate::saml::decode(&crate::url::pct_decode(v), None).unwrap();
            assert_eq!(m.id.as_deref(), Some("_1"));
        }
    }
}
