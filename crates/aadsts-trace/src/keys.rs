//! Signature checks with keys the user supplies: a JWKS document (as Entra's discovery
//! `keys` endpoint serves it), one JWK, or PEM (certificates, public keys). JWTs signed
//! RS256/RS384/RS512, PS256/PS384/PS512 and ES256 are verified with the RustCrypto crates
//! (`rsa`, `p256`, `sha2`); nothing is fetched. SAML signatures are not checked: XML-DSig
//! needs exclusive XML canonicalization, and no lean, well-kept Rust crate does it (the
//! ones that do bind libxml2/xmlsec1); see [`SAML_NOT_CHECKED`].

use crate::b64;
use p256::ecdsa::signature::Verifier;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPublicKey};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// What the output says about SAML signatures, keys or not.
pub const SAML_NOT_CHECKED: &str = "SAML signatures are not checked: that needs XML-DSig with exclusive canonicalization, which no lean, well-kept Rust library does; the signing certificate is shown and compared with the keys you gave.";

/// Why a key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{name} holds no usable key: {reason}")]
    NoKeys { name: String, reason: String },
}

enum Public {
    Rsa(Box<RsaPublicKey>),
    P256(Box<p256::ecdsa::VerifyingKey>),
}

struct Key {
    /// How the output names it: `kid …`, or the certificate's thumbprint.
    label: String,
    kid: Option<String>,
    x5t: Option<String>,
    /// SHA-1 of the certificate, upper-case hex, when the key came with one.
    thumbprint: Option<String>,
    public: Public,
}

/// The keys of one file.
pub struct KeySet {
    pub source: String,
    keys: Vec<Key>,
    /// Keys of the file that were not used, and why.
    pub skipped: Vec<String>,
}

/// The outcome of one signature check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// `valid`, `INVALID`, `no matching key`, `not checkable`, `algorithm not supported`,
    /// `none` (an unsigned token).
    pub status: &'static str,
    /// The key that verified it, or why it could not be checked.
    pub detail: String,
}

fn b64u_uint(v: Option<&Value>) -> Option<BigUint> {
    Some(BigUint::from_bytes_be(&b64::decode(v?.as_str()?)?))
}

fn thumbprint_of(der: &[u8]) -> (String, String) {
    let h = crate::cert::sha1(der);
    (
        h.iter().map(|b| format!("{b:02X}")).collect(),
        b64::encode(&h)
            .trim_end_matches('=')
            .replace('+', "-")
            .replace('/', "_"),
    )
}

fn from_spki(spki: &[u8]) -> Option<Public> {
    if let Ok(k) = RsaPublicKey::from_public_key_der(spki) {
        return Some(Public::Rsa(Box::new(k)));
    }
    p256::ecdsa::VerifyingKey::from_public_key_der(spki)
        .ok()
        .map(|k| Public::P256(Box::new(k)))
}

impl KeySet {
    pub fn len(&self) -> usize {
        self.keys.len()
    }
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Reads a JWKS (`{"keys": [...]}`), a single JWK, or PEM blocks (`CERTIFICATE`,
    /// `PUBLIC KEY`, `RSA PUBLIC KEY`); `name` names the file in errors.
    pub fn parse(bytes: &[u8], name: &str) -> Result<KeySet, KeyError> {
        let text = String::from_utf8_lossy(bytes);
        let mut set = KeySet {
            source: name.to_string(),
            keys: Vec::new(),
            skipped: Vec::new(),
        };
        let t = text.trim_start_matches('\u{feff}').trim();
        if t.starts_with('{') {
            let v: Value = serde_json::from_str(t).map_err(|e| KeyError::NoKeys {
                name: name.into(),
                reason: format!("it is not valid JSON ({e})"),
            })?;
            let list = match v.get("keys") {
                Some(Value::Array(a)) => a.clone(),
                _ if v.get("kty").is_some() => vec![v],
                _ => {
                    return Err(KeyError::NoKeys {
                        name: name.into(),
                        reason: "JSON without a `keys` array (a JWKS) or a `kty` (a JWK)".into(),
                    })
                }
            };
            for (i, k) in list.iter().enumerate() {
                match set.jwk(k) {
                    Ok(key) => set.keys.push(key),
                    Err(why) => set.skipped.push(format!("key {}: {why}", i + 1)),
                }
            }
        } else if t.contains("-----BEGIN ") {
            set.pem(t);
        } else {
            return Err(KeyError::NoKeys {
                name: name.into(),
                reason: "give a JWKS or JWK (JSON) or PEM (-----BEGIN CERTIFICATE----- or -----BEGIN PUBLIC KEY-----)".into(),
            });
        }
        if set.keys.is_empty() {
            let reason = if set.skipped.is_empty() {
                "no key in it".to_string()
            } else {
                set.skipped.join("; ")
            };
            return Err(KeyError::NoKeys {
                name: name.into(),
                reason,
            });
        }
        Ok(set)
    }

    fn jwk(&self, k: &Value) -> Result<Key, String> {
        let s = |n: &str| k.get(n).and_then(Value::as_str).map(str::to_string);
        let kid = s("kid");
        let x5t = s("x5t");
        // The certificate in x5c, when there is one, gives the thumbprint to compare with
        // a SAML signing certificate.
        let cert = k
            .get("x5c")
            .and_then(|c| c.get(0))
            .and_then(Value::as_str)
            .and_then(b64::decode);
        let thumbprint = cert.as_deref().map(|d| thumbprint_of(d).0);
        let public = match s("kty").as_deref() {
            Some("RSA") => {
                let n = b64u_uint(k.get("n")).ok_or("RSA key without a base64url `n`")?;
                let e = b64u_uint(k.get("e")).ok_or("RSA key without a base64url `e`")?;
                Public::Rsa(Box::new(
                    RsaPublicKey::new(n, e).map_err(|e| format!("not an RSA public key: {e}"))?,
                ))
            }
            Some("EC") => {
                if s("crv").as_deref() != Some("P-256") {
                    return Err(format!(
                        "EC curve {} is not checked (P-256 is)",
                        s("crv").unwrap_or_default()
                    ));
                }
                let x = s("x")
                    .and_then(|x| b64::decode(&x))
                    .ok_or("EC key without `x`")?;
                let y = s("y")
                    .and_then(|y| b64::decode(&y))
                    .ok_or("EC key without `y`")?;
                let mut sec1 = vec![4u8];
                sec1.extend_from_slice(&x);
                sec1.extend_from_slice(&y);
                Public::P256(Box::new(
                    p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
                        .map_err(|_| "not a P-256 point".to_string())?,
                ))
            }
            other => {
                return Err(format!(
                    "key type {} is not checked (RSA and EC P-256 are)",
                    other.unwrap_or("(none)")
                ))
            }
        };
        let label = kid
            .clone()
            .map(|k| format!("kid {k}"))
            .or_else(|| thumbprint.clone().map(|t| format!("certificate {t}")))
            .unwrap_or_else(|| format!("key {}", self.keys.len() + 1));
        Ok(Key {
            label,
            kid,
            x5t,
            thumbprint,
            public,
        })
    }

    fn pem(&mut self, t: &str) {
        let mut rest = t;
        let mut n = 0;
        while let Some(b) = rest.find("-----BEGIN ") {
            let after = &rest[b + 11..];
            let Some(te) = after.find("-----") else { break };
            let tag = after[..te].to_string();
            let body_start = &after[te + 5..];
            let end_mark = format!("-----END {tag}-----");
            let Some(e) = body_start.find(&end_mark) else {
                self.skipped
                    .push(format!("PEM block {tag} has no END line"));
                break;
            };
            n += 1;
            let body: String = body_start[..e]
                .lines()
                .filter(|l| !l.contains(':'))
                .collect();
            rest = &body_start[e + end_mark.len()..];
            let Some(der) = b64::decode(body.trim()) else {
                self.skipped
                    .push(format!("PEM block {n} ({tag}) is not base64"));
                continue;
            };
            let (public, thumb) = match tag.as_str() {
                "CERTIFICATE" => {
                    let p = crate::cert::public_key_info(&der).and_then(from_spki);
                    (p, Some(thumbprint_of(&der)))
                }
                "PUBLIC KEY" => (from_spki(&der), None),
                "RSA PUBLIC KEY" => (
                    RsaPublicKey::from_pkcs1_der(&der)
                        .ok()
                        .map(|k| Public::Rsa(Box::new(k))),
                    None,
                ),
                other => {
                    self.skipped.push(format!(
                        "PEM block {n} is {other}, not a certificate or public key{}",
                        if other.contains("PRIVATE") {
                            " (never share private keys; the public certificate is enough)"
                        } else {
                            ""
                        }
                    ));
                    continue;
                }
            };
            let Some(public) = public else {
                self.skipped.push(format!(
                    "PEM block {n} ({tag}): not an RSA or P-256 public key"
                ));
                continue;
            };
            let (thumbprint, x5t) = match thumb {
                Some((h, t)) => (Some(h), Some(t)),
                None => (None, None),
            };
            self.keys.push(Key {
                label: thumbprint
                    .clone()
                    .map(|t| format!("certificate {t}"))
                    .unwrap_or_else(|| format!("PEM key {n}")),
                // Entra's kid is the certificate's x5t.
                kid: x5t.clone(),
                x5t,
                thumbprint,
                public,
            });
        }
    }

    /// Whether a certificate with this SHA-1 thumbprint (hex) is among the keys.
    pub fn has_certificate(&self, thumbprint: &str) -> bool {
        self.keys.iter().any(|k| {
            k.thumbprint
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(thumbprint))
        })
    }

    /// A note on a SAML message's signing certificate against these keys: the signature
    /// itself is not checked (see [`SAML_NOT_CHECKED`]), but a certificate that is not the
    /// one the user expects is the usual cause of a signature failure at the SP.
    pub fn saml_note(&self, m: &crate::saml::SamlMessage) -> Option<String> {
        let c = m.certificate.as_ref()?;
        Some(if self.has_certificate(&c.thumbprint) {
            format!(
                "the signing certificate (thumbprint {}) is one of the certificates in {} (the signature itself is not checked)",
                c.thumbprint, self.source
            )
        } else {
            format!(
                "the signing certificate (thumbprint {}) is NOT among the certificates in {}: the message was signed with another certificate (a new or rolled-over one, or another app's)",
                c.thumbprint, self.source
            )
        })
    }

    /// Checks a compact JWS against the keys: the key named by `kid` or `x5t` first, then,
    /// when none is named or found, every key of the right type.
    pub fn verify_jwt(&self, token: &str) -> Verdict {
        let token = token.trim();
        let mut parts = token.rsplitn(2, '.');
        let (Some(sig), Some(input)) = (parts.next(), parts.next()) else {
            return verdict("INVALID", "not a compact JWS");
        };
        let header: Value = input
            .split('.')
            .next()
            .and_then(b64::decode)
            .and_then(|h| serde_json::from_slice(&h).ok())
            .unwrap_or(Value::Null);
        let hs = |n: &str| header.get(n).and_then(Value::as_str);
        let alg = hs("alg").unwrap_or("");
        if alg.eq_ignore_ascii_case("none") || sig.is_empty() {
            return verdict("none", "the token is not signed");
        }
        if header.get("nonce").is_some() {
            // Microsoft Graph access tokens: the header nonce is hashed before signing, so
            // only Graph can check them; that is by design, not a broken token.
            return verdict(
                "not checkable",
                "a `nonce` in the header (a Microsoft Graph access token): only Microsoft Graph can check its signature",
            );
        }
        let Some(sig) = b64::decode(sig) else {
            return verdict("INVALID", "the signature is not base64url");
        };
        if !matches!(
            alg,
            "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256"
        ) {
            return verdict(
                "algorithm not supported",
                &format!("alg {alg} is not checked (RS256/384/512, PS256/384/512 and ES256 are)"),
            );
        }
        let named: Vec<&Key> = self
            .keys
            .iter()
            .filter(|k| {
                hs("kid").is_some_and(|kid| k.kid.as_deref() == Some(kid))
                    || hs("x5t").is_some_and(|x| k.x5t.as_deref() == Some(x))
            })
            .collect();
        let candidates: Vec<&Key> = if named.is_empty() {
            self.keys.iter().collect()
        } else {
            named.clone()
        };
        for k in &candidates {
            if check(&k.public, alg, input.as_bytes(), &sig) {
                return verdict(
                    "valid",
                    &format!("verified with {} from {}", k.label, self.source),
                );
            }
        }
        if named.is_empty() {
            let kid = hs("kid").or(hs("x5t")).unwrap_or("(none)");
            verdict(
                "no matching key",
                &format!(
                    "none of the {} key(s) in {} has kid {kid} or verifies it: the token was signed by another key (another tenant, cloud or app's signing key, or a rolled-over key)",
                    self.keys.len(),
                    self.source
                ),
            )
        } else {
            verdict(
                "INVALID",
                &format!(
                    "the signature does not verify with {} from {}: the token was altered, or the key file is not the issuer's",
                    named[0].label, self.source
                ),
            )
        }
    }
}

fn verdict(status: &'static str, detail: &str) -> Verdict {
    Verdict {
        status,
        detail: detail.to_string(),
    }
}

fn check(public: &Public, alg: &str, input: &[u8], sig: &[u8]) -> bool {
    match public {
        Public::Rsa(k) => {
            let r = match alg {
                "RS256" => k.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(input), sig),
                "RS384" => k.verify(Pkcs1v15Sign::new::<Sha384>(), &Sha384::digest(input), sig),
                "RS512" => k.verify(Pkcs1v15Sign::new::<Sha512>(), &Sha512::digest(input), sig),
                "PS256" => k.verify(Pss::new::<Sha256>(), &Sha256::digest(input), sig),
                "PS384" => k.verify(Pss::new::<Sha384>(), &Sha384::digest(input), sig),
                "PS512" => k.verify(Pss::new::<Sha512>(), &Sha512::digest(input), sig),
                _ => return false,
            };
            r.is_ok()
        }
        Public::P256(k) => {
            alg == "ES256"
                && p256::ecdsa::Signature::from_slice(sig)
                    .is_ok_and(|s| k.verify(input, &s).is_ok())
        }
    }
}
