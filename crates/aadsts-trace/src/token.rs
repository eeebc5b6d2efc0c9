//! JSON Web Tokens as Microsoft Entra issues them: header and claims decoded, each claim
//! that matters explained in a line. Signatures are checked only against keys the user
//! supplies ([`check_signature`]).

use crate::{b64, time};
use serde::Serialize;
use serde_json::{Map, Value};

/// Why a text is not a decodable JWT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("a JWT has three parts separated by dots (header.payload.signature); this has {0}")]
    Parts(usize),
    #[error("this is an encrypted token (JWE, five parts): only the service it was issued to can read it")]
    Encrypted,
    #[error("the {0} is not base64url")]
    Base64(&'static str),
    #[error("the {0} is not a JSON object: {1}")]
    Json(&'static str, String),
}

/// One claim with what it means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    pub name: String,
    pub value: Value,
    /// One line on what this claim says, for the claims that matter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A decoded JWT.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Jwt {
    /// `access token`, `ID token`, or `token` when the claims do not tell.
    pub kind: &'static str,
    /// Token format version from `ver` or the issuer: `1.0` or `2.0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub header: Map<String, Value>,
    pub claims: Vec<Claim>,
    /// `not checked` (no keys given), `none` (an unsigned token), or with keys the
    /// verdict of [`crate::keys::KeySet::verify_jwt`]: `valid`, `INVALID`, `no matching key`,
    /// `not checkable`, `algorithm not supported`.
    pub signature: &'static str,
    /// Which key verified it, or why it could not be checked (with keys only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_detail: Option<String>,
    /// The time the validity was judged at (RFC 3339): the capture's clock or now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    /// `valid`, `expired`, `not yet valid`, or absent without times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validity: Option<String>,
    /// The token as it was sent, signature included: only with `--show-secrets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Jwt {
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.claims
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.value)
    }
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claim(name).and_then(Value::as_str)
    }
}

/// Decodes a compact JWT; `at` (Unix seconds) is the time to judge `exp`/`nbf` against.
pub fn decode_jwt(token: &str, at: Option<i64>) -> Result<Jwt, JwtError> {
    let token = token.trim();
    let parts: Vec<&str> = token.split('.').collect();
    match parts.len() {
        3 => {}
        5 => return Err(JwtError::Encrypted),
        n => return Err(JwtError::Parts(n)),
    }
    let header = part(parts[0], "header")?;
    let payload = part(parts[1], "payload")?;
    let unsigned = parts[2].is_empty()
        || header
            .get("alg")
            .and_then(Value::as_str)
            .is_some_and(|a| a.eq_ignore_ascii_case("none"));
    let mut jwt = Jwt {
        kind: "token",
        version: None,
        header,
        claims: payload
            .into_iter()
            .map(|(name, value)| Claim {
                name,
                value,
                note: None,
            })
            .collect(),
        signature: if unsigned { "none" } else { "not checked" },
        signature_detail: None,
        checked_at: at.map(time::rfc3339),
        validity: None,
        value: None,
    };
    let iss = jwt.claim_str("iss").unwrap_or("").to_string();
    jwt.version = jwt
        .claim_str("ver")
        .map(str::to_string)
        .or_else(|| issuer(&iss).map(|i| i.version.to_string()));
    let has = |n: &str| jwt.claim(n).is_some();
    jwt.kind = if has("scp") || has("roles") || has("appid") || has("azp") && !has("nonce") {
        "access token"
    } else if has("nonce") || has("c_hash") || has("at_hash") || has("preferred_username") {
        "ID token"
    } else {
        "token"
    };
    let notes: Vec<Option<String>> = jwt.claims.iter().map(|c| note(c, &jwt, at)).collect();
    for (c, n) in jwt.claims.iter_mut().zip(notes) {
        c.note = n;
    }
    let num = |n: &str| jwt.claim(n).and_then(Value::as_i64);
    if let Some(at) = at {
        jwt.validity = match (num("nbf"), num("exp")) {
            (Some(nbf), _) if at < nbf => Some("not yet valid".into()),
            (_, Some(exp)) if at >= exp => Some("expired".into()),
            (_, Some(_)) => Some("valid".into()),
            _ => None,
        };
    }
    Ok(jwt)
}

/// Checks the signature of `raw` (the token `jwt` was decoded from) against `keys`.
pub fn check_signature(jwt: &mut Jwt, raw: &str, keys: &crate::keys::KeySet) {
    let v = keys.verify_jwt(raw);
    jwt.signature = v.status;
    jwt.signature_detail = Some(v.detail);
}

fn part(s: &str, what: &'static str) -> Result<Map<String, Value>, JwtError> {
    let bytes = b64::decode(s).ok_or(JwtError::Base64(what))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(JwtError::Json(what, "another JSON value".into())),
        Err(e) => Err(JwtError::Json(what, e.to_string())),
    }
}

/// What an issuer URL says.
pub struct Issuer {
    pub version: &'static str,
    pub tenant: String,
    pub cloud: &'static str,
}

/// Reads an Entra issuer: `https://sts.windows.net/{tid}/` (v1.0) or
/// `https://login.microsoftonline.com/{tid}/v2.0` (v2.0), national clouds, B2C and
/// External ID.
pub fn issuer(iss: &str) -> Option<Issuer> {
    let rest = iss.strip_prefix("https://")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.to_ascii_lowercase();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let cloud = match host.as_str() {
        "sts.windows.net" | "login.microsoftonline.com" | "login.microsoft.com" => "global",
        "login.microsoftonline.us" | "sts.windows.net.us" | "login.windows.us" => "US Government",
        "sts.chinacloudapi.cn" | "login.partner.microsoftonline.cn" | "login.chinacloudapi.cn" => {
            "China (21Vianet)"
        }
        h if h.ends_with(".b2clogin.com") => "Azure AD B2C",
        h if h.ends_with(".ciamlogin.com") => "Microsoft Entra External ID",
        _ => return None,
    };
    let tenant = segs.first()?.to_string();
    let version = if segs.get(1) == Some(&"v2.0") {
        "2.0"
    } else {
        "1.0"
    };
    Some(Issuer {
        version,
        tenant,
        cloud,
    })
}

/// The tenant of personal Microsoft accounts.
pub const MSA_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// Well-known first-party resources and apps by app id or identifier URI.
pub fn known_app(id: &str) -> Option<&'static str> {
    let id = id.trim_end_matches('/').to_ascii_lowercase();
    Some(match id.as_str() {
        "00000003-0000-0000-c000-000000000000" | "https://graph.microsoft.com" => "Microsoft Graph",
        "00000002-0000-0000-c000-000000000000" | "https://graph.windows.net" => {
            "Azure AD Graph (retired)"
        }
        "797f4846-ba00-4fd7-ba43-dac1f8f63013"
        | "https://management.azure.com"
        | "https://management.core.windows.net" => "Azure Resource Manager",
        "00000003-0000-0ff1-ce00-000000000000" => "Office 365 SharePoint Online",
        "00000002-0000-0ff1-ce00-000000000000" | "https://outlook.office365.com" => {
            "Office 365 Exchange Online"
        }
        "https://vault.azure.net" | "cfa8b339-82a2-471a-a3c9-0fc0be7a4093" => "Azure Key Vault",
        "https://storage.azure.com" | "e406a681-f3d4-42a8-90b6-c2b029497af1" => "Azure Storage",
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46" => "Azure CLI",
        "1950a258-227b-4e31-a9cf-717495945fc2" => "Azure PowerShell",
        "c44b4083-3bb0-49c1-b47d-974e53cbdf3c" => "Azure Portal",
        "14d82eec-204b-4c2f-b7e8-296a70dab67e" => "Microsoft Graph Command Line Tools",
        "d3590ed6-52b3-4102-aeff-aad2292ab01c" => "Microsoft Office",
        "1fec8e78-bce4-4aaf-ab1b-5451cc387264" => "Microsoft Teams",
        "29d9ed98-a469-4536-ade2-f981bc1d605e" => "Microsoft Authentication Broker",
        _ => return None,
    })
}

fn method(m: &str) -> &'static str {
    match m {
        "pwd" => "password",
        "mfa" => "multifactor authentication",
        "rsa" => "key proof (Windows Hello, Authenticator, FIDO or certificate)",
        "otp" => "one-time passcode",
        "fed" => "federated identity provider",
        "wia" => "Windows integrated authentication",
        "ngcmfa" => "Windows Hello for Business / provisioning-strength MFA",
        "wiaormfa" => "Windows integrated authentication or MFA",
        "face" => "face recognition",
        "fido" => "FIDO2 security key or passkey",
        "kba" => "knowledge-based (security questions)",
        "sms" => "text message",
        "tel" => "phone call",
        "swk" => "software-secured key",
        "hwk" => "hardware-secured key",
        "pin" => "PIN",
        "vpin" => "verified PIN",
        "user" => "user presence",
        "mca" => "multiple-channel authentication",
        "sc" => "smart card",
        "geo" => "geolocation",
        "iris" => "iris scan",
        "fpt" => "fingerprint",
        "retina" => "retina scan",
        "vbm" => "voice biometric",
        _ => "unknown method",
    }
}

fn note(c: &Claim, jwt: &Jwt, at: Option<i64>) -> Option<String> {
    let s = c.value.as_str();
    let list = || -> Vec<String> {
        match &c.value {
            Value::Array(a) => a
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect(),
            Value::String(s) => s.split_whitespace().map(str::to_string).collect(),
            _ => Vec::new(),
        }
    };
    Some(match c.name.as_str() {
        "aud" => {
            let a = s.unwrap_or("");
            let who = known_app(a).map(|n| format!(" ({n})")).unwrap_or_default();
            if jwt.kind == "ID token" {
                format!("audience: the app (client id) that asked for this ID token{who}")
            } else {
                format!("audience: the API this token is for{who}; the API must accept exactly this value")
            }
        }
        "iss" => match issuer(s.unwrap_or("")) {
            Some(i) => {
                let who = if i.tenant == MSA_TENANT {
                    " (personal Microsoft accounts)".to_string()
                } else {
                    String::new()
                };
                format!(
                    "issuer: Entra {} endpoint, token format v{}, tenant {}{who}",
                    i.cloud, i.version, i.tenant
                )
            }
            None => "issuer: not a Microsoft Entra issuer (another identity provider?)".into(),
        },
        "tid" => {
            if s == Some(MSA_TENANT) {
                "tenant: personal Microsoft accounts (MSA)".into()
            } else {
                "tenant id: the directory that issued the token".into()
            }
        }
        "appid" | "azp" => {
            let who = s
                .and_then(known_app)
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            format!("client: the app that requested the token{who}")
        }
        "appidacr" | "azpacr" => match s {
            Some("0") => "client authentication: none (public client)".into(),
            Some("1") => "client authentication: client secret".into(),
            Some("2") => "client authentication: certificate or federated credential".into(),
            _ => "client authentication method".into(),
        },
        "scp" => format!(
            "delegated permissions (scopes) the user or admin consented to: {}",
            list().join(", ")
        ),
        "roles" => {
            if jwt.claim("scp").is_some() || jwt.kind == "ID token" {
                format!("app roles assigned to the user: {}", list().join(", "))
            } else {
                format!(
                    "application permissions (app-only token): {}",
                    list().join(", ")
                )
            }
        }
        "amr" => {
            let l = list();
            let named: Vec<String> = l.iter().map(|m| format!("{m} = {}", method(m))).collect();
            format!("how the user signed in: {}", named.join("; "))
        }
        "acr" => match s {
            Some("0") => "authentication context class 0: the sign-in did not meet ISO/IEC 29115 requirements".into(),
            Some("1") => "authentication context class 1: the user authenticated".into(),
            Some(p) => format!("authentication context class or policy: {p}"),
            None => "authentication context class".into(),
        },
        "acrs" => format!(
            "Conditional Access authentication contexts satisfied: {}",
            list().join(", ")
        ),
        "idp" => {
            let v = s.unwrap_or("");
            if v == "live.com" {
                "identity provider: a personal Microsoft account (live.com)".into()
            } else if let Some(i) = issuer(v) {
                format!(
                    "identity provider: tenant {} (the user is a guest from there)",
                    i.tenant
                )
            } else {
                format!("identity provider that authenticated the user: {v}")
            }
        }
        "exp" | "nbf" | "iat" | "auth_time" | "pwd_exp" => {
            let t = c.value.as_i64()?;
            let what = match c.name.as_str() {
                "exp" => "expires",
                "nbf" => "not valid before",
                "iat" => "issued",
                "auth_time" => "user authenticated",
                _ => "password expires",
            };
            let mut n = format!("{what} {}", time::rfc3339(t));
            if let Some(at) = at {
                let d = t - at;
                let rel = if d >= 0 {
                    format!("{} after", time::span(d))
                } else {
                    format!("{} before", time::span(d))
                };
                let _ = std::fmt::Write::write_fmt(
                    &mut n,
                    format_args!(" ({rel} {})", time::rfc3339(at)),
                );
                if c.name == "exp" && d <= 0 {
                    n.push_str(": EXPIRED");
                }
                if c.name == "nbf" && d > 0 {
                    n.push_str(": NOT YET VALID");
                }
            }
            n
        }
        "ver" => "token format version".into(),
        "oid" => "object id of the user (or service principal) in the tenant".into(),
        "sub" => "subject: the user, unique per app".into(),
        "upn" | "unique_name" | "preferred_username" => "the user's sign-in name".into(),
        "email" => "the user's e-mail address (not verified by Entra for every account)".into(),
        "name" => "display name".into(),
        "idtyp" => format!("identity type: {}", s.unwrap_or("")),
        "wids" => "directory roles of the user (role template ids)".into(),
        "groups" => "group object ids the user is a member of".into(),
        "hasgroups" | "_claim_names" => {
            "too many groups for the token: the app must read them from Microsoft Graph".into()
        }
        "ipaddr" => "client IP address the user signed in from".into(),
        "nonce" => "nonce the app sent in the authorize request (replay protection)".into(),
        "sid" => "session id".into(),
        "deviceid" => "device id of the registered or joined device".into(),
        "xms_cc" => "client capabilities the app declared (cp1: can handle claims challenges)".into(),
        "uti" | "rh" | "aio" | "xms_tcdt" | "xms_ftd" => "internal to Microsoft (ignore)".into(),
        _ => return None,
    })
}

/// Compact JWTs (`eyJ….eyJ….…`) in a text, in order, without repeats.
pub fn find_jwts(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let is_url = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
    let mut out: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(p) = text[i..].find("eyJ") {
        let start = i + p;
        if start > 0 && (is_url(b[start - 1]) || b[start - 1] == b'.') {
            i = start + 3;
            continue;
        }
        let mut j = start;
        let mut dots = 0;
        while j < b.len() && (is_url(b[j]) || (b[j] == b'.' && dots < 4)) {
            if b[j] == b'.' {
                dots += 1;
            }
            j += 1;
        }
        let cand = text[start..j].trim_end_matches('.');
        let parts = cand.split('.').count();
        if (parts == 3 || parts == 5 || (parts == 2 && text[start..j].ends_with('.')))
            && cand
                .split('.')
                .nth(1)
                .is_some_and(|p| p.starts_with("eyJ") || parts == 5)
        {
            let end = start + cand.len() + usize::from(parts == 2);
            if !out.contains(&&text[start..end]) {
                out.push(&text[start..end]);
            }
        }
        i = j.max(start + 3);
    }
    out
}
