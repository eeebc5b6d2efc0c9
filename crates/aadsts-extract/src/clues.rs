//! Clues in the text that change the advice: values that cannot be real (placeholders left
//! in a configuration, malformed URIs) and the grant or flow the caller used.

use crate::gate::{Gated, Present};
use serde::Serialize;
use std::sync::LazyLock;

/// A value the text carries that cannot be the right one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suspect {
    /// The value's name (one of [`crate::VALUE_NAMES`]).
    pub name: &'static str,
    /// The value as the text gave it.
    pub value: String,
    /// `placeholder` (a template or sample value nobody replaced: `null`, `{tenant_id}`,
    /// `<your-app-id>`, `YOUR_CLIENT_ID`, the all-zero GUID) or `malformed` (a value with a
    /// shape no real one has: a doubled scheme, a trailing `//`, whitespace).
    pub kind: &'static str,
    /// What is wrong with it, in a few words.
    pub reason: &'static str,
}

/// Why `v` is a placeholder rather than a real value, if it is one.
pub fn placeholder(v: &str) -> Option<&'static str> {
    let t = v.trim();
    let lower = t.to_lowercase();
    if matches!(
        lower.as_str(),
        "null" | "undefined" | "none" | "nil" | "nan" | "[object object]" | "string" | ""
    ) {
        return Some("an empty value printed as text");
    }
    if (t.contains('{') && t.contains('}'))
        || (t.contains('<') && t.contains('>'))
        || t.contains("$(")
        || t.contains("${")
        || (t.starts_with('%') && t.ends_with('%') && t.len() > 2)
    {
        return Some("a template variable nobody filled in");
    }
    let hex: String = lower.chars().filter(|c| *c != '-').collect();
    if t.len() == 36
        && hex.len() == 32
        && hex.chars().all(|c| c == hex.chars().next().unwrap_or('0'))
        && (hex.starts_with('0') || hex.starts_with('1') || hex.starts_with('x'))
    {
        return Some("a sample GUID");
    }
    if hex.chars().all(|c| c == 'x') && hex.len() >= 8 {
        return Some("a sample GUID");
    }
    // Words: "YOUR_CLIENT_ID", "My Tenant ID", "tenant-id", "enter-app-id-here".
    let words: String = lower
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = words.split_whitespace().collect();
    let has = |w: &str| words.contains(&w);
    const SETTING: [&str; 14] = [
        "tenant",
        "client",
        "app",
        "application",
        "id",
        "tenantid",
        "clientid",
        "appid",
        "guid",
        "name",
        "domain",
        "secret",
        "uri",
        "url",
    ];
    let id_word = words.iter().any(|w| SETTING.contains(w));
    if (has("your") || has("placeholder") || has("replace") || has("enter"))
        && (id_word || words.len() <= 4)
    {
        return Some("a sample value from documentation or a template");
    }
    if !words.is_empty() && id_word && words.iter().all(|w| *w == "my" || SETTING.contains(w)) {
        return Some("the name of the setting instead of its value");
    }
    None
}

/// Why the URI `v` is malformed, if it is.
pub fn malformed_uri(v: &str) -> Option<&'static str> {
    if v.chars().any(char::is_whitespace) {
        return Some("it contains whitespace");
    }
    let lower = v.to_ascii_lowercase();
    let i = lower.find("://")?;
    let after = &lower[i + 3..];
    if [
        "http://", "https://", "http:/", "https:/", "http:", "https:",
    ]
    .iter()
    .any(|s| after.starts_with(s))
    {
        return Some("the scheme is doubled");
    }
    if after.contains("//") {
        return Some(if after.ends_with("//") {
            "it ends with a double slash"
        } else {
            "its path has a double slash"
        });
    }
    None
}

/// Whether a value of this name is an identifier a placeholder can stand for (names and
/// labels such as an app's display name "My App" are left alone).
pub fn can_be_placeholder(name: &str) -> bool {
    matches!(
        name,
        "app_id" | "tenant" | "redirect_uri" | "resource" | "key_id" | "thumbprint" | "user"
    )
}

/// Whether a value of this name is a URI whose shape can be checked.
pub fn is_uri_value(name: &str) -> bool {
    matches!(
        name,
        "redirect_uri" | "resource" | "identity_provider" | "error_uri"
    )
}

/// Whether the URI is a loopback address, which Entra ID accepts over plain `http` for
/// development (so `http://localhost:3000/` is not a configuration mistake).
pub fn is_loopback(uri: &str) -> bool {
    let l = uri.to_ascii_lowercase();
    let host = l
        .split_once("://")
        .map_or(l.as_str(), |(_, r)| r)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

/// The grant or flow the text around an error reveals: the `grant_type` parameter, the
/// library method (MSAL.NET, MSAL Python, MSAL.js, MSAL Java) or the Azure Identity
/// credential class; MSAL's interactive methods (`AcquireTokenInteractive`, `loginPopup`,
/// `acquireTokenRedirect` …) use the authorization code flow. The earliest clue after the
/// error wins, then the earliest in the text around it. Names from [`aadsts_kb::FLOWS`].
#[cfg(test)]
pub fn flow(after: &str, region: &str) -> Option<&'static str> {
    flow_in(after, region, Present::of(after).union(Present::of(region)))
}

/// [`flow`], given the words `region` holds ([`crate::gate`]; `after` is part of it).
pub(crate) fn flow_in(after: &str, region: &str, present: Present) -> Option<&'static str> {
    let earliest = |text: &str| {
        FLOW_PATTERNS
            .iter()
            .filter_map(|(n, re)| re.find(present, text).map(|m| (m.start(), *n)))
            .min()
            .map(|(_, n)| n)
    };
    earliest(after).or_else(|| earliest(region))
}

pub(crate) static FLOW_PATTERNS: LazyLock<Vec<(&'static str, Gated)>> = LazyLock::new(|| {
    let pats: [(&str, &[&str], &str); 5] = [
        (
            "on-behalf-of",
            &["behalf", "obo", "userassertion"],
            r"(?i)requested_token_use=on_behalf_of|AcquireTokenOnBehalfOf|acquire_?token_?on_?behalf_?of|OnBehalfOfCredential|\bon-behalf-of\b|\bon behalf of (?:flow|grant|token request)|\bOBO\b|UserAssertion\(",
        ),
        (
            "password",
            &["password", "ropc"],
            r"(?i)grant_type=password\b|AcquireTokenByUsernamePassword|acquire_?token_?by_?username_?password|UsernamePasswordCredential|\bROPC\b|resource owner password",
        ),
        (
            "device-code",
            &["device"],
            r"(?i)grant-type:device_code|AcquireTokenWithDeviceCode|acquire_?token_?by_?device_?(?:flow|code)|initiate_device_flow|DeviceCodeCredential|--use-device-code|device ?code flow|microsoft\.com/devicelogin",
        ),
        (
            "client-credentials",
            &["client", "principal"],
            r"(?i)grant_type=client_credentials|AcquireTokenForClient|acquire_?token_?for_?client|acquireTokenByClientCredential|ClientSecretCredential|ClientCertificateCredential|ClientAssertionCredential|client[ _]credentials? (?:flow|grant)|--service-principal|-ServicePrincipal\b",
        ),
        (
            "authorization-code",
            &["code", "interactive", "login", "acquiretoken"],
            r"(?i)grant_type=authorization_code|AcquireTokenByAuthorizationCode|acquire_?token_?by_?auth(?:orization)?_?code(?:_flow)?|acquireTokenByCode|initiate_auth_code_flow|AuthorizationCodeCredential|auth(?:orization)? code flow|AcquireTokenInteractive|acquire_?token_?interactive|InteractiveBrowserCredential|\b(?:loginPopup|loginRedirect|acquireTokenPopup|acquireTokenRedirect)\b",
        ),
    ];
    pats.into_iter()
        .map(|(n, w, p)| (n, Gated::new(w, p)))
        .collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for v in [
            "null",
            "My Tenant ID",
            "{tenant_id}",
            "<your-app-id>",
            "00000000-0000-0000-0000-000000000000",
            "YOUR_CLIENT_ID",
            "${AZURE_CLIENT_ID}",
            "$(ClientId)",
            "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
            "tenant-id",
            "enter-your-tenant-here",
        ] {
            assert!(placeholder(v).is_some(), "{v}");
        }
        for v in [
            "contoso.onmicrosoft.com",
            "2d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60",
            "common",
            "https://graph.microsoft.com",
            "Contoso HR",
            "api://my-api",
            "https://myapp.contoso.com/signin-oidc",
        ] {
            assert!(placeholder(v).is_none(), "{v}");
        }
    }

    #[test]
    fn malformed_uris() {
        assert!(malformed_uri("https://https://app.contoso.com/cb").is_some());
        assert!(malformed_uri("https://app.contoso.com//").is_some());
        assert!(malformed_uri("https://app.contoso.com/cb ").is_some());
        assert!(malformed_uri("http://localhost:3000").is_none());
        assert!(malformed_uri("https://app.contoso.com/signin-oidc").is_none());
        assert!(malformed_uri("msal2d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60://auth").is_none());
    }

    #[test]
    fn loopback() {
        assert!(is_loopback("http://localhost:3000/auth/callback"));
        assert!(is_loopback("http://127.0.0.1"));
        assert!(!is_loopback("https://localhost.contoso.com/cb"));
    }

    #[test]
    fn flows() {
        assert_eq!(
            flow(
                "at Microsoft.Identity.Client.AcquireTokenOnBehalfOfParameterBuilder",
                ""
            ),
            Some("on-behalf-of")
        );
        assert_eq!(
            flow("app.acquire_token_by_username_password(user, pw)", ""),
            Some("password")
        );
        assert_eq!(
            flow("ClientSecretCredential authentication failed", ""),
            Some("client-credentials")
        );
        assert_eq!(flow("az login --use-device-code", ""), Some("device-code"));
        assert_eq!(
            flow("grant_type=authorization_code&code=x", ""),
            Some("authorization-code")
        );
        assert_eq!(
            flow(
                "at PublicClientApplication.loginPopup (msal-browser.js:1:2)",
                ""
            ),
            Some("authorization-code")
        );
        assert_eq!(flow("nothing here", "nor here"), None);
        assert_eq!(flow("we sign in on behalf of a customer", ""), None);
        assert_eq!(
            flow("the on-behalf-of call fails", ""),
            Some("on-behalf-of")
        );
    }
}
