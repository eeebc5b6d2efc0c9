//! Which requests of a capture belong to the sign-in, what each one did, and which failed.

use crate::har::Entry;
use crate::{saml, time, token, url, Finding, FoundSaml, FoundToken, Trace, TraceErrorFound};
use aadsts_catalog::Catalog;
use aadsts_extract::FoundError;
use aadsts_kb::Signal;
use serde::Serialize;
use std::collections::BTreeMap;

/// Which side of a hop carried an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The answer: `Location`, error page, JSON, SAML response.
    Response,
    /// What the browser sent: the URL or form post (an error delivered to the app).
    Request,
}

/// An AADSTS error on one hop.
#[derive(Debug, Clone, Serialize)]
pub struct HopError {
    pub code: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth_error: Option<String>,
    pub side: Side,
    /// `failure`, `interrupt`, `expected`, or `unknown` (no page).
    pub signal: &'static str,
}

/// How credentials are shown: cut to their first four characters (the default), or in
/// full (`--show-secrets`, the CLI only). Passwords are never kept, whichever.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Secrets {
    #[default]
    Masked,
    Shown,
}

/// A cookie a hop sent or was set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cookie {
    pub name: String,
    /// Cut to four characters unless secrets are shown; empty when the cookie was empty
    /// (a `Set-Cookie` that deletes it).
    pub value: String,
    /// A `Set-Cookie`'s attributes as sent (`path=/; secure; HttpOnly; SameSite=None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<String>,
}

/// A code or token a hop carried, besides cookies and the `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Secret {
    pub name: String,
    /// Cut to four characters unless secrets are shown.
    pub value: String,
    /// `request` (query, fragment, form) or `response` (redirect, JSON, auto-post form).
    pub side: Side,
}

/// One request of the sign-in journey.
#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    /// Position in the journey, from 1.
    pub n: usize,
    /// Index of the entry in the file, from 0.
    pub entry: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    pub method: String,
    /// The URL with secret parameters (code, tokens, passwords) masked.
    pub url: String,
    pub host: String,
    /// What this request is: `authorize`, `token`, `credentials`, `redirect URI` …
    pub role: &'static str,
    /// Who answers it: `Entra ID`, `AD FS`, `Seamless SSO`, `B2C`, `app` …
    pub party: &'static str,
    /// The parameters that matter, decoded, from the query, fragment and form body.
    pub params: Vec<(String, String)>,
    pub status: u16,
    /// Redirect target with secrets masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub errors: Vec<HopError>,
    /// Cookies the request sent (its `Cookie` headers, else HAR's `cookies`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cookies_sent: Vec<Cookie>,
    /// Cookies the answer set (`Set-Cookie`), with their attributes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cookies_set: Vec<Cookie>,
    /// The `Authorization` header: its scheme and the credential cut to four characters
    /// unless secrets are shown; `Basic` credentials (a password) are never shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization: Option<String>,
    /// Codes and tokens in the request or the answer ([`SHOWN_SECRETS`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Secret>,
    /// Why this hop counts as failed, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

/// Parameters shown for a hop, in this order.
pub const SHOWN: &[&str] = &[
    "client_id",
    "redirect_uri",
    "response_type",
    "response_mode",
    "scope",
    "resource",
    "prompt",
    "login_hint",
    "domain_hint",
    "claims",
    "code_challenge_method",
    "code_challenge",
    "grant_type",
    "login",
    "loginfmt",
    "username",
    "wa",
    "wtrealm",
    "whr",
    "RelayState",
    "error",
    "error_subcode",
    "error_description",
];

/// Parameter and field names whose values are secrets: never shown, masked in URLs,
/// replaced in sanitized copies.
pub const SECRET: &[&str] = &[
    "code",
    "id_token",
    "access_token",
    "refresh_token",
    "client_secret",
    "client_assertion",
    "assertion",
    "password",
    "passwd",
    "pwd",
    "newpasswd",
    "newpassword",
    "oldpasswd",
    "otc",
    "code_verifier",
    "device_code",
    "user_code",
    "flowtoken",
    "sft",
    "canary",
    "apicanary",
    "samlart",
    "wresult",
    "estsauth",
    "estsauthpersistent",
    "buid",
    "fpc",
    "x-ms-refreshtokencredential",
];

pub fn is_secret(name: &str) -> bool {
    SECRET.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// Fields that hold a password (a user's, an app's client secret, a one-time code): never
/// shown, not even with `--show-secrets`. `Password`, `newPassword`, `ctl00$PasswordBox`
/// and the like all count.
pub fn is_password(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("passw")
        || n.ends_with("pwd")
        || matches!(n.as_str(), "client_secret" | "otc" | "passcode" | "pin")
}

/// The secret parameters a hop lists in [`Hop::secrets`]: codes and tokens. Flow tokens and
/// canaries are anti-forgery values that tell a reader nothing, so they stay out.
pub const SHOWN_SECRETS: &[&str] = &[
    "code",
    "id_token",
    "access_token",
    "refresh_token",
    "client_assertion",
    "assertion",
    "code_verifier",
    "device_code",
    "user_code",
    "samlart",
];

/// A secret value as the output shows it: whole, or its first four characters and `…`
/// (only `…` for a short value, which four characters would nearly give away).
pub fn mask_value(v: &str, secrets: Secrets) -> String {
    match secrets {
        Secrets::Shown => v.to_string(),
        Secrets::Masked if v.is_empty() => String::new(),
        Secrets::Masked if v.chars().count() <= 8 => "…".into(),
        Secrets::Masked => format!("{}…", v.chars().take(4).collect::<String>()),
    }
}

/// A URL with secret parameter values replaced by `…` (the first 4 characters kept).
pub fn mask_url(u: &str) -> String {
    mask_url_with(u, Secrets::Masked)
}

/// [`mask_url`], or with `Secrets::Shown` the URL whole but for password values.
pub fn mask_url_with(u: &str, secrets: Secrets) -> String {
    let (head, frag) = match u.split_once('#') {
        Some((h, f)) => (h, Some(f)),
        None => (u, None),
    };
    let (base, query) = match head.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (head, None),
    };
    let mask = |q: &str| -> String {
        q.split('&')
            .map(|p| match p.split_once('=') {
                Some((k, v)) if !v.is_empty() && is_password(&url::pct_decode(k)) => {
                    format!("{k}=…")
                }
                Some((k, v))
                    if secrets == Secrets::Masked
                        && is_secret(&url::pct_decode(k))
                        && !v.is_empty() =>
                {
                    format!("{k}={}…", v.chars().take(4).collect::<String>())
                }
                _ => p.to_string(),
            })
            .collect::<Vec<_>>()
            .join("&")
    };
    let mut out = base.to_string();
    if let Some(q) = query {
        out.push('?');
        out.push_str(&mask(q));
    }
    if let Some(f) = frag {
        out.push('#');
        out.push_str(&mask(f));
    }
    out
}

/// Who answers a request, from its host and path; `None` for hosts outside the sign-in.
fn party(host: &str, path: &str) -> Option<&'static str> {
    let p = path.to_ascii_lowercase();
    Some(match host {
        "login.microsoftonline.com"
        | "login.microsoft.com"
        | "login.windows.net"
        | "sts.windows.net"
        | "login.microsoftonline.us"
        | "login.microsoftonline.de"
        | "login.partner.microsoftonline.cn"
        | "login.chinacloudapi.cn"
        | "device.login.microsoftonline.com" => "Entra ID",
        "login.live.com" | "account.live.com" => "Microsoft account",
        "autologon.microsoftazuread-sso.com" | "autologon.microsoftazuread-sso.us" => {
            "Seamless SSO"
        }
        "microsoft.com" | "www.microsoft.com" if p.starts_with("/devicelogin") => "device login",
        h if h.ends_with(".b2clogin.com") => "Azure AD B2C",
        h if h.ends_with(".ciamlogin.com") => "External ID",
        _ if p.starts_with("/adfs/") => "AD FS",
        _ => return None,
    })
}

fn role(party: &str, method: &str, path: &str, params: &[(String, String)]) -> &'static str {
    let p = path.to_ascii_lowercase();
    let has = |k: &str| params.iter().any(|(n, _)| n.eq_ignore_ascii_case(k));
    if has("SAMLRequest") {
        return "SAML request";
    }
    if has("SAMLResponse") {
        return "SAML response";
    }
    if has("wresult") {
        return "WS-Fed response";
    }
    if p.ends_with("/authorize") {
        return "authorize";
    }
    if p.ends_with("/token") {
        return "token";
    }
    if p.ends_with("/devicecode") {
        return "device code";
    }
    if p.contains("deviceauth") || p.starts_with("/devicelogin") || p.contains("/remoteconnect") {
        return "device login";
    }
    if p.ends_with("/logout")
        || p.contains("/oauth2/v2.0/logout")
        || has("wa") && params.iter().any(|(k, v)| k == "wa" && v == "wsignout1.0")
    {
        return "sign-out";
    }
    if p.ends_with("/getcredentialtype") {
        return "user lookup";
    }
    if p.contains("/sas/") {
        return "MFA";
    }
    if p.ends_with("/kmsi") {
        return "keep me signed in";
    }
    if p.ends_with("/login") || p.ends_with("/ppsecure/post.srf") {
        return if method == "POST" {
            "credentials"
        } else {
            "sign-in page"
        };
    }
    if p.contains("/saml2") {
        return "SAML";
    }
    if party == "AD FS" {
        return if method == "POST" {
            "AD FS credentials"
        } else {
            "AD FS sign-in"
        };
    }
    if p.contains("/wsfed") || has("wa") {
        return "WS-Fed";
    }
    if party == "Seamless SSO" {
        return "Kerberos ticket";
    }
    if party == "AD FS" {
        return if method == "POST" {
            "AD FS credentials"
        } else {
            "AD FS sign-in"
        };
    }
    if p.contains("/selfasserted") || p.contains("/api/") {
        return "policy step";
    }
    "other"
}

/// What the builder remembers of the flow so far.
#[derive(Default)]
struct Flow {
    /// Redirect URIs named by authorize requests (without query).
    redirect_uris: Vec<String>,
    /// The latest authorize request's values, for filling in errors.
    values: BTreeMap<&'static str, String>,
}

pub struct Builder<'c> {
    catalog: &'c Catalog,
    /// Keys to check token signatures with, when the user gave some.
    keys: Option<&'c crate::keys::KeySet>,
    secrets: Secrets,
    flow: Flow,
    hops: Vec<Hop>,
    /// Per hop: the errors in full and their side.
    found: Vec<Vec<(FoundError, Side)>>,
    tokens: Vec<FoundToken>,
    token_keys: Vec<String>,
    saml: Vec<FoundSaml>,
    first_time: Option<i64>,
    last_time: Option<i64>,
    /// Per hop of an identity provider: the capture's time and the server's `Date`.
    clocks: Vec<(usize, i64, i64)>,
    /// Per authorize hop: its number and the redirect URI it named.
    asked: Vec<(usize, String)>,
    /// Per hop: its number and its `Sec-Fetch-Dest` and `Sec-Fetch-Site` headers (lower
    /// case, empty when absent), to tell an iframe and a cross-site request.
    fetch: Vec<(usize, String, String)>,
    warnings: Vec<String>,
}

impl<'c> Builder<'c> {
    pub fn new(catalog: &'c Catalog) -> Self {
        Builder {
            catalog,
            keys: None,
            secrets: Secrets::Masked,
            flow: Flow::default(),
            hops: Vec::new(),
            found: Vec::new(),
            tokens: Vec::new(),
            token_keys: Vec::new(),
            saml: Vec::new(),
            first_time: None,
            last_time: None,
            clocks: Vec::new(),
            asked: Vec::new(),
            fetch: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Shows credentials in full (passwords never).
    pub fn with_secrets(mut self, secrets: Secrets) -> Self {
        self.secrets = secrets;
        self
    }

    /// Checks token signatures against these keys.
    pub fn with_keys(mut self, keys: Option<&'c crate::keys::KeySet>) -> Self {
        self.keys = keys;
        self
    }

    fn add_token(&mut self, raw: &str, source: String, hop: Option<usize>, at: Option<i64>) {
        let key: String = raw
            .rsplit('.')
            .next()
            .unwrap_or(raw)
            .chars()
            .take(64)
            .collect();
        let key = format!("{}:{key}", raw.len());
        if self.token_keys.contains(&key) {
            return;
        }
        if let Ok(mut t) = token::decode_jwt(raw, at) {
            if let Some(keys) = self.keys {
                token::check_signature(&mut t, raw, keys);
            }
            if self.secrets == Secrets::Shown {
                t.value = Some(raw.trim().to_string());
            }
            self.token_keys.push(key);
            self.tokens.push(FoundToken {
                source,
                hop,
                token: t,
            });
        }
    }

    /// Reads one entry: keeps it as a hop if it belongs to the sign-in, and picks up any
    /// bearer token it sends.
    pub fn entry(&mut self, index: usize, e: &Entry) {
        let at = time::parse(&e.started_date_time);
        if let Some(t) = at {
            self.first_time = Some(self.first_time.map_or(t, |f| f.min(t)));
            self.last_time = Some(self.last_time.map_or(t, |l| l.max(t)));
        }
        let req_url = e.request.url.as_str();
        let (host, path) = url::host_path(req_url);
        let method = e.request.method.to_ascii_uppercase();
        let post = e.post_text();
        let form_post = !post.is_empty() && !post.trim_start().starts_with(['{', '<']);
        let mut params = url::params(req_url);
        if form_post {
            params.extend(url::form_pairs(&post));
        }
        let base = url::base(req_url).to_ascii_lowercase();
        let is_redirect_uri = self
            .flow
            .redirect_uris
            .iter()
            .any(|r| base == *r || base.trim_end_matches('/') == r.trim_end_matches('/'));
        let loc = e.location().map(str::to_string);
        let leads_to_login = loc.as_deref().is_some_and(|l| {
            let (h, p) = url::host_path(l);
            party(&h, &p).is_some()
        });
        let has_saml = params
            .iter()
            .any(|(k, _)| k == "SAMLResponse" || k == "SAMLRequest" || k == "wresult");
        // Entra sending the browser on to a federated domain's own identity provider
        // (PingFederate, Okta, Shibboleth …): a SAML AuthnRequest, or a WS-Fed sign-in for
        // Microsoft Online, to a host that is not Microsoft's.
        let to_idp = params.iter().any(|(k, v)| {
            k == "SAMLRequest"
                || k == "wtrealm"
                    && v.to_ascii_lowercase()
                        .starts_with("urn:federation:microsoftonline")
        });
        let party = match party(&host, &path) {
            Some(p) => p,
            None if is_redirect_uri => "app",
            None if to_idp => "federation server",
            None if has_saml => "service provider",
            None if leads_to_login => "app",
            None => {
                // Not part of the sign-in: only a bearer token it sends is of interest.
                if let Some(auth) = e.request_header("authorization") {
                    if let Some(tok) = auth
                        .trim()
                        .strip_prefix("Bearer ")
                        .or_else(|| auth.trim().strip_prefix("bearer "))
                    {
                        let source = format!(
                            "Authorization header of {method} {} (entry {index})",
                            mask_url(url::base(req_url))
                        );
                        self.add_token(tok.trim(), source, None, at);
                    }
                }
                return;
            }
        };
        let role = if party == "app" {
            if is_redirect_uri {
                "redirect URI"
            } else if has_saml {
                "SAML response"
            } else {
                "start"
            }
        } else {
            role(party, &method, &path, &params)
        };
        let n = self.hops.len() + 1;
        if role == "authorize" {
            if let Some((_, r)) = params.iter().find(|(k, _)| k == "redirect_uri") {
                let r = url::base(r).to_ascii_lowercase();
                if !self.flow.redirect_uris.contains(&r) {
                    self.flow.redirect_uris.push(r);
                }
            }
            self.flow.values.clear();
            for (k, name) in [
                ("client_id", "app_id"),
                ("redirect_uri", "redirect_uri"),
                ("scope", "scope"),
                ("resource", "resource"),
                ("login_hint", "user"),
            ] {
                if let Some((_, v)) = params.iter().find(|(n, _)| n == k) {
                    self.flow.values.insert(name, v.clone());
                }
            }
            if let Some(t) = tenant_of(&path) {
                self.flow.values.insert("tenant", t);
            }
        }
        let mut shown: Vec<(String, String)> = Vec::new();
        for k in SHOWN {
            for (name, v) in &params {
                if name == k && !shown.iter().any(|(s, _)| s == name) {
                    let v = if *k == "code_challenge" {
                        "present".to_string()
                    } else {
                        v.clone()
                    };
                    shown.push((name.clone(), v));
                }
            }
        }
        // The texts errors are read from.
        let body = e.body();
        let textual = {
            let m = e.response.content.mime_type.to_ascii_lowercase();
            m.is_empty()
                || m.contains("html")
                || m.contains("json")
                || m.contains("xml")
                || m.contains("text")
                || m.contains("javascript")
        };
        let mut response_text = String::new();
        if let Some(l) = &loc {
            response_text.push_str(l);
            response_text.push('\n');
        }
        if textual {
            let m = e.response.content.mime_type.to_ascii_lowercase();
            if m.contains("html")
                || body.trim_start().starts_with("<!")
                || body.trim_start().starts_with("<html")
            {
                response_text.push_str(&html_text(&body));
            } else {
                response_text.push_str(&body);
            }
        }
        let mut request_text = format!("{req_url}\n");
        if form_post || post.trim_start().starts_with('<') {
            request_text.push_str(&post);
        }
        // SAML messages: in the request (redirect or POST binding) and in auto-post forms of
        // the response.
        for (k, v) in &params {
            if k == "SAMLRequest" || k == "SAMLResponse" {
                if let Ok(m) = saml::decode(v, at) {
                    request_text.push('\n');
                    request_text.push_str(&m.xml);
                    shown.push((k.clone(), summary_of(&m)));
                    let source = format!("{k} sent to {}", url::base(req_url));
                    self.add_saml(m, source, n);
                }
            }
        }
        if textual {
            for v in html_values(&body, "SAMLResponse") {
                if let Ok(m) = saml::decode(&v, at) {
                    response_text.push('\n');
                    response_text.push_str(&m.xml);
                    let source = format!(
                        "SAMLResponse in the page returned by {}",
                        url::base(req_url)
                    );
                    self.add_saml(m, source, n);
                }
            }
        }
        // Tokens.
        for (k, v) in &params {
            if matches!(k.as_str(), "id_token" | "access_token") {
                let src = format!("{k} sent to {}", url::base(req_url));
                self.add_token(v, src, Some(n), at);
            }
        }
        if let Some(l) = &loc {
            for (k, v) in url::params(l) {
                if matches!(k.as_str(), "id_token" | "access_token") {
                    let src = format!("{k} in the redirect from {}", url::base(req_url));
                    self.add_token(&v, src, Some(n), at);
                }
            }
        }
        if textual && !body.is_empty() {
            if let Ok(serde_json::Value::Object(m)) =
                serde_json::from_str::<serde_json::Value>(&body)
            {
                for k in ["access_token", "id_token"] {
                    if let Some(v) = m.get(k).and_then(|v| v.as_str()) {
                        let src = format!("{k} in the response of {}", url::base(req_url));
                        self.add_token(v, src, Some(n), at);
                    }
                }
            } else {
                for t in token::find_jwts(&body) {
                    let src = format!("token in the page returned by {}", url::base(req_url));
                    self.add_token(t, src, Some(n), at);
                }
            }
        }
        if let Some(auth) = e.request_header("authorization") {
            if let Some(tok) = auth.trim().strip_prefix("Bearer ") {
                let src = format!("Authorization header sent to {}", url::base(req_url));
                self.add_token(tok.trim(), src, Some(n), at);
            }
        }
        // Errors.
        let mut found: Vec<(FoundError, Side)> = Vec::new();
        let mut ctx = self.flow.values.clone();
        for (k, name) in [
            ("client_id", "app_id"),
            ("redirect_uri", "redirect_uri"),
            ("scope", "scope"),
            ("resource", "resource"),
        ] {
            if let Some((_, v)) = params.iter().find(|(n, _)| n == k) {
                ctx.insert(name, v.clone());
            }
        }
        for (text, side) in [
            (&response_text, Side::Response),
            (&request_text, Side::Request),
        ] {
            if !text.contains("AADSTS")
                && !text.contains("aadsts")
                && !text.contains("error_codes")
                && !text.contains("rror Code")
            {
                continue;
            }
            for mut fe in aadsts_extract::extract(text.as_bytes()).errors {
                for (k, v) in &ctx {
                    fe.values.entry(k).or_insert_with(|| plain(v));
                }
                if side == Side::Response && e.response.status >= 400 {
                    fe.values
                        .entry("http_status")
                        .or_insert_with(|| e.response.status.to_string());
                }
                if fe.timestamp.is_none() {
                    fe.timestamp = at.map(time::rfc3339);
                }
                found.push((fe, side));
            }
        }
        let errors: Vec<HopError> = found
            .iter()
            .map(|(fe, side)| HopError {
                code: fe.code,
                message: fe.message.clone(),
                oauth_error: fe.oauth_error.clone(),
                side: *side,
                signal: self.signal(fe.code),
            })
            .collect();
        if party != "app" && party != "service provider" {
            if let (Some(a), Some(d)) = (
                at,
                e.response_header("date").and_then(time::parse_http_date),
            ) {
                self.clocks.push((n, a, d));
            }
        }
        if role == "authorize" {
            if let Some((_, r)) = params.iter().find(|(k, _)| k == "redirect_uri") {
                self.asked.push((n, r.clone()));
            }
        }
        let status = e.response.status;
        let failure = failure_of(&errors, status, e, &self.saml, n, &params, loc.as_deref());
        let lower = |h: &str| {
            e.request_header(h)
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        };
        self.fetch
            .push((n, lower("sec-fetch-dest"), lower("sec-fetch-site")));
        let secrets = self.secrets_of(&params, loc.as_deref(), &body, textual);
        self.hops.push(Hop {
            n,
            entry: index,
            time: at.map(time::rfc3339),
            method,
            url: mask_url_with(req_url, self.secrets),
            host,
            role,
            party,
            params: shown,
            status,
            location: loc.as_deref().map(|l| mask_url_with(l, self.secrets)),
            errors,
            cookies_sent: cookies_sent(e, self.secrets),
            cookies_set: cookies_set(e, self.secrets),
            authorization: authorization(e, self.secrets),
            secrets,
            failure,
        });
        self.found.push(found);
    }

    /// The codes and tokens of a hop: the request's parameters, then the answer's redirect,
    /// JSON token response or auto-post form.
    fn secrets_of(
        &self,
        params: &[(String, String)],
        loc: Option<&str>,
        body: &str,
        textual: bool,
    ) -> Vec<Secret> {
        let mut out: Vec<Secret> = Vec::new();
        let mut push = |name: &str, v: &str, side: Side| {
            let wanted = SHOWN_SECRETS.iter().any(|s| s.eq_ignore_ascii_case(name));
            if wanted && !v.is_empty() && !out.iter().any(|x| x.name == name && x.side == side) {
                out.push(Secret {
                    name: name.to_string(),
                    value: mask_value(v, self.secrets),
                    side,
                });
            }
        };
        for (k, v) in params {
            push(k, v, Side::Request);
        }
        if let Some(l) = loc {
            for (k, v) in url::params(l) {
                push(&k, &v, Side::Response);
            }
        }
        if textual && !body.is_empty() {
            match serde_json::from_str::<serde_json::Value>(body) {
                Ok(serde_json::Value::Object(m)) => {
                    for (k, v) in &m {
                        if let Some(v) = v.as_str() {
                            push(k, v, Side::Response);
                        }
                    }
                }
                _ => {
                    for k in ["code", "id_token", "access_token"] {
                        for v in html_values(body, k) {
                            push(k, &v, Side::Response);
                        }
                    }
                }
            }
        }
        out
    }

    fn add_saml(&mut self, mut m: saml::SamlMessage, source: String, hop: usize) -> bool {
        if let Some(note) = self.keys.and_then(|k| k.saml_note(&m)) {
            m.notes.push(note);
        }
        let seen = self
            .saml
            .iter()
            .any(|s| s.message.kind == m.kind && s.message.id.is_some() && s.message.id == m.id);
        if !seen {
            self.saml.push(FoundSaml {
                source,
                hop,
                message: m,
            });
        }
        !seen
    }

    fn signal(&self, code: u32) -> &'static str {
        match self.catalog.get(code).map(|p| p.signal) {
            Some(Signal::Failure) => "failure",
            Some(Signal::Interrupt) => "interrupt",
            Some(Signal::Expected) => "expected",
            _ => "unknown",
        }
    }

    /// Puts the hops in time order when the file lists them otherwise (captures merged or
    /// edited by hand, SAML-tracer exports): browsers write entries in the order they were
    /// sent, and the journey is read in that order. Hops without a time keep file order.
    fn order_by_time(&mut self) {
        let times: Vec<Option<i64>> = self
            .hops
            .iter()
            .map(|h| h.time.as_deref().and_then(time::parse))
            .collect();
        if times.iter().any(Option::is_none) || times.windows(2).all(|w| w[0] <= w[1]) {
            return;
        }
        let mut order: Vec<usize> = (0..self.hops.len()).collect();
        order.sort_by_key(|&i| times[i]);
        // Old hop number (1-based) → new one.
        let mut new_n = vec![0usize; order.len() + 1];
        for (new, &old) in order.iter().enumerate() {
            new_n[old + 1] = new + 1;
        }
        let mut hops: Vec<Option<Hop>> = std::mem::take(&mut self.hops)
            .into_iter()
            .map(Some)
            .collect();
        let mut found: Vec<Option<Vec<(FoundError, Side)>>> = std::mem::take(&mut self.found)
            .into_iter()
            .map(Some)
            .collect();
        for &old in &order {
            if let (Some(mut h), Some(f)) = (hops[old].take(), found[old].take()) {
                h.n = new_n[h.n];
                self.hops.push(h);
                self.found.push(f);
            }
        }
        let map = |n: usize| new_n.get(n).copied().filter(|&m| m > 0).unwrap_or(n);
        for t in &mut self.tokens {
            t.hop = t.hop.map(map);
        }
        for m in &mut self.saml {
            m.hop = map(m.hop);
        }
        for c in &mut self.clocks {
            c.0 = map(c.0);
        }
        for a in &mut self.asked {
            a.0 = map(a.0);
        }
        for f in &mut self.fetch {
            f.0 = map(f.0);
        }
    }

    pub fn finish(mut self, name: &str) -> Trace {
        self.order_by_time();
        let hops = self.hops;
        // The failed hop: the first real failure the service answered with; else the first
        // other failure; else an error that only reached the app.
        let pick = |f: &dyn Fn(&Hop) -> bool| hops.iter().find(|h| f(h)).map(|h| h.n);
        let failed_hop = pick(&|h| {
            h.errors
                .iter()
                .any(|e| e.side == Side::Response && matches!(e.signal, "failure" | "unknown"))
        })
        .or_else(|| {
            pick(&|h| {
                h.failure.is_some()
                    && h.errors.iter().all(|e| {
                        e.side == Side::Response
                            && e.signal != "interrupt"
                            && e.signal != "expected"
                    })
            })
        })
        .or_else(|| pick(&|h| h.failure.is_some()));
        // Errors across the journey: an error the app receives in its URL or form post is
        // the one the previous hop answered with, not a second error.
        let mut errors: Vec<TraceErrorFound> = Vec::new();
        let mut answered: Vec<u32> = Vec::new();
        for (h, found) in hops.iter().zip(self.found) {
            for (fe, side) in found {
                if side == Side::Request && answered.contains(&fe.code) {
                    // The error the previous hop answered with, delivered to the app.
                    if let Some(x) = errors.iter_mut().find(|x| x.error.code == fe.code) {
                        if !x.hops.contains(&h.n) {
                            x.hops.push(h.n);
                        }
                    }
                    continue;
                }
                if side == Side::Response {
                    answered.push(fe.code);
                }
                // One code is one error of the journey, wherever it shows (the service's
                // answer, the app's page echoing it).
                let same = errors.iter_mut().find(|x| x.error.code == fe.code);
                match same {
                    Some(x) => {
                        x.error.count += fe.count;
                        if !x.hops.contains(&h.n) {
                            x.hops.push(h.n);
                        }
                        if let Some(c) = fe.correlation_id {
                            if x.error.correlation_id.as_ref() != Some(&c)
                                && !x.error.other_correlation_ids.contains(&c)
                            {
                                x.error.other_correlation_ids.push(c);
                            }
                        }
                    }
                    None => errors.push(TraceErrorFound {
                        error: fe,
                        hops: vec![h.n],
                    }),
                }
            }
        }
        let mut findings = findings(&hops, &self.clocks, &self.asked, &self.tokens, &self.saml);
        findings.extend(cookie_findings(&hops, &self.fetch));
        Trace {
            findings,
            name: name.to_string(),
            format: String::new(),
            creator: String::new(),
            browser: "unknown",
            entries: 0,
            hops,
            failed_hop,
            errors,
            tokens: self.tokens,
            saml: self.saml,
            warnings: self.warnings,
            span: self
                .first_time
                .zip(self.last_time)
                .map(|(a, b)| (time::rfc3339(a), time::rfc3339(b))),
            signatures: None,
            secrets: self.secrets,
        }
    }
}

/// Cross-checks between hops, tokens and SAML messages.
fn findings(
    hops: &[Hop],
    clocks: &[(usize, i64, i64)],
    asked: &[(usize, String)],
    tokens: &[FoundToken],
    saml_msgs: &[FoundSaml],
) -> Vec<Finding> {
    let mut out = Vec::new();
    // The client's clock against the identity provider's.
    if let Some(&(n, at, date)) = clocks.iter().max_by_key(|(_, a, d)| (a - d).abs()) {
        let d = at - date;
        if d.abs() > 300 {
            out.push(Finding {
                kind: "clock-skew",
                hop: Some(n),
                message: format!(
                    "the capture's clock is {} {} the server's Date header (hop {n}): tokens and SAML conditions checked on this machine may look expired or not yet valid",
                    time::span(d),
                    if d > 0 { "ahead of" } else { "behind" }
                ),
            });
        }
    }
    // Where the answer went against the redirect URI the request named.
    for (n, want) in asked {
        let wanted = url::base(want).trim_end_matches('/').to_ascii_lowercase();
        // Up to the next authorize request, which asks for its own redirect URI (a
        // form_post answer has no Location, so the next one found may be a later flow's).
        let next = asked.iter().map(|a| a.0).filter(|m| m > n).min();
        let in_flow = |h: &&Hop| h.n >= *n && next.is_none_or(|m| h.n < m);
        let went = hops.iter().filter(in_flow).find_map(|h| {
            let l = h.location.as_deref()?;
            let (host, path) = url::host_path(l);
            party(&host, &path)
                .is_none()
                .then(|| (h.n, url::base(l).to_string()))
        });
        if let Some((m, to)) = went {
            if to.trim_end_matches('/').to_ascii_lowercase() != wanted {
                out.push(Finding {
                    kind: "redirect-uri",
                    hop: Some(m),
                    message: format!(
                        "hop {n} asked for redirect_uri {want}, but hop {m} sent the browser to {to}"
                    ),
                });
            }
        }
    }
    for t in tokens {
        if let Some(v) = t.token.validity.as_deref().filter(|v| *v != "valid") {
            out.push(Finding {
                kind: "token-time",
                hop: t.hop,
                message: format!(
                    "the {} in {} was {v} at capture time ({})",
                    t.token.kind,
                    t.source,
                    t.token.checked_at.as_deref().unwrap_or("")
                ),
            });
        }
    }
    let requests: Vec<&FoundSaml> = saml_msgs
        .iter()
        .filter(|m| m.message.kind == "AuthnRequest")
        .collect();
    for m in saml_msgs.iter().filter(|m| m.message.kind == "Response") {
        let r = &m.message;
        for note in r
            .notes
            .iter()
            .filter(|n| n.contains("expired") || n.contains("not yet valid"))
        {
            out.push(Finding {
                kind: "saml-time",
                hop: Some(m.hop),
                message: format!("SAML response at hop {}: {note}", m.hop),
            });
        }
        let Some(irt) = &r.in_response_to else {
            continue;
        };
        let Some(q) = requests.iter().find(|q| q.message.id.as_ref() == Some(irt)) else {
            if !requests.is_empty() {
                out.push(Finding {
                    kind: "saml-in-response-to",
                    hop: Some(m.hop),
                    message: format!(
                        "the SAML response at hop {} answers request {irt}, which is not in the capture (a stale or replayed request?)",
                        m.hop
                    ),
                });
            }
            continue;
        };
        if let (Some(dest), Some(acs)) = (&r.destination, &q.message.assertion_consumer_service_url)
        {
            if dest != acs {
                out.push(Finding {
                    kind: "saml-destination",
                    hop: Some(m.hop),
                    message: format!(
                        "the SAML response goes to {dest}, but the request (hop {}) asked for {acs}",
                        q.hop
                    ),
                });
            }
        }
        if let Some(sp) = &q.message.issuer {
            if !r.audiences.is_empty() && !r.audiences.contains(sp) {
                out.push(Finding {
                    kind: "saml-audience",
                    hop: Some(m.hop),
                    message: format!(
                        "the assertion's Audience ({}) is not the service provider's entity ID {sp} that sent the request: the app's Identifier in Entra differs from the SP's configuration",
                        r.audiences.join(", ")
                    ),
                });
            }
        }
    }
    for h in hops
        .iter()
        .filter(|h| matches!(h.party, "AD FS" | "federation server") && h.failure.is_some())
    {
        let logs = if h.party == "AD FS" {
            "its event log (AD FS/Admin)"
        } else {
            "its sign-in logs"
        };
        out.push(Finding {
            kind: "federation-error",
            hop: Some(h.n),
            message: format!(
                "the federation server {} answered with an error at hop {} ({}): look at {logs} with the time of the hop",
                h.host,
                h.n,
                h.failure.as_deref().unwrap_or("")
            ),
        });
    }
    out
}

/// A cookie's name as shown. Frameworks key per-request state by a random id in the name
/// (`.AspNetCore.Correlation.<id>`, Sustainsys `Saml2.<id>`), as telling as the value: a
/// long last dotted segment is masked like a value.
fn cookie_name(name: &str, secrets: Secrets) -> String {
    match name.rsplit_once('.') {
        Some((head, id)) if secrets == Secrets::Masked && id.chars().count() > 8 => {
            format!("{head}.{}", mask_value(id, secrets))
        }
        _ => name.to_string(),
    }
}

/// The cookies a request sent: every `Cookie` header (HTTP/2 may split them), else HAR's
/// `cookies` array (a capture that kept only that).
fn cookies_sent(e: &Entry, secrets: Secrets) -> Vec<Cookie> {
    let mut out: Vec<Cookie> = Vec::new();
    let mut add = |name: &str, value: &str| {
        let name = name.trim();
        let name = cookie_name(name, secrets);
        if !name.is_empty() && !out.iter().any(|c| c.name == name) {
            out.push(Cookie {
                name,
                value: mask_value(value.trim(), secrets),
                attributes: None,
            });
        }
    };
    let headers = e
        .request
        .headers
        .iter()
        .filter(|p| p.name.eq_ignore_ascii_case("cookie"));
    let mut any = false;
    for h in headers {
        for c in h.value.split(';') {
            let (n, v) = c.split_once('=').unwrap_or((c, ""));
            any |= !n.trim().is_empty();
            add(n, v);
        }
    }
    if !any {
        for p in &e.request.cookies {
            add(&p.name, &p.value);
        }
    }
    out
}

/// The cookies an answer set: each `Set-Cookie` header (Firefox joins several with line
/// breaks), else HAR's `cookies` array.
fn cookies_set(e: &Entry, secrets: Secrets) -> Vec<Cookie> {
    let mut out: Vec<Cookie> = Vec::new();
    let headers = e
        .response
        .headers
        .iter()
        .filter(|p| p.name.eq_ignore_ascii_case("set-cookie"));
    for h in headers {
        for line in h.value.lines() {
            let (pair, attrs) = line.split_once(';').unwrap_or((line, ""));
            let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
            let attrs = attrs.trim();
            if !n.trim().is_empty() {
                out.push(Cookie {
                    name: cookie_name(n.trim(), secrets),
                    value: mask_value(v.trim(), secrets),
                    attributes: (!attrs.is_empty()).then(|| plain(attrs)),
                });
            }
        }
    }
    if out.is_empty() {
        for p in &e.response.cookies {
            out.push(Cookie {
                name: cookie_name(&p.name, secrets),
                value: mask_value(&p.value, secrets),
                attributes: None,
            });
        }
    }
    out
}

/// The `Authorization` header as shown: the scheme and the credential, masked unless
/// secrets are shown. `Basic` carries a user name and password: never shown.
fn authorization(e: &Entry, secrets: Secrets) -> Option<String> {
    let a = e.request_header("authorization")?.trim();
    if a.is_empty() {
        return None;
    }
    Some(match a.split_once(' ') {
        Some((scheme, _)) if scheme.eq_ignore_ascii_case("basic") => {
            "Basic (user name and password never shown)".to_string()
        }
        Some((scheme, cred)) => format!("{scheme} {}", mask_value(cred.trim(), secrets)),
        None => mask_value(a, secrets),
    })
}

/// Entra's session cookies: a silent sign-in without one finds nobody signed in.
const SESSION_COOKIES: &[&str] = &["ESTSAUTH", "ESTSAUTHPERSISTENT", "ESTSAUTHLIGHT"];

/// An attribute of a `Set-Cookie` (`SameSite`, `Path`, `Domain`), lower case.
fn cookie_attr(c: &Cookie, name: &str) -> Option<String> {
    c.attributes.as_deref()?.split(';').find_map(|a| {
        let (k, v) = a.split_once('=').unwrap_or((a, ""));
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_ascii_lowercase())
    })
}

/// Whether a `Set-Cookie` removes the cookie (empty, `Max-Age=0`, or expired in 1970).
fn deletes(c: &Cookie) -> bool {
    let a = c.attributes.as_deref().unwrap_or("").to_ascii_lowercase();
    c.value.is_empty() || a.contains("max-age=0") || a.contains("1970")
}

/// Whether a cookie set by a hop to `set_host` goes with a request to `host` and `path`.
fn cookie_applies(c: &Cookie, set_host: &str, host: &str, path: &str) -> bool {
    let host_ok = match cookie_attr(c, "domain") {
        Some(d) if !d.is_empty() => {
            let d = d.trim_start_matches('.');
            host == d || host.ends_with(&format!(".{d}"))
        }
        _ => host == set_host,
    };
    let path_ok = match cookie_attr(c, "path") {
        Some(p) if !p.is_empty() => path.to_ascii_lowercase().starts_with(&p),
        _ => true,
    };
    host_ok && path_ok
}

/// The cookie cross-checks: a silent sign-in in a cross-site iframe that reached Entra
/// without its session cookie (third-party cookies blocked), and a failed hop that did not
/// send back a cookie an earlier hop set for it (SameSite on a cross-site form post, or a
/// cookie the browser dropped). Only when the capture recorded request cookies at all:
/// Chrome's sanitized HAR export and some tools keep none, which proves nothing.
fn cookie_findings(hops: &[Hop], fetch: &[(usize, String, String)]) -> Vec<Finding> {
    let mut out = Vec::new();
    if !hops.iter().any(|h| !h.cookies_sent.is_empty()) {
        return out;
    }
    let ctx = |n: usize| {
        fetch
            .iter()
            .find(|f| f.0 == n)
            .map_or(("", ""), |f| (f.1.as_str(), f.2.as_str()))
    };
    for h in hops {
        let (dest, site) = ctx(h.n);
        let iframe = dest == "iframe" && (site == "cross-site" || site.is_empty());
        if !iframe || !matches!(h.party, "Entra ID" | "Azure AD B2C" | "External ID") {
            continue;
        }
        let session = h.cookies_sent.iter().any(|c| {
            SESSION_COOKIES
                .iter()
                .any(|s| s.eq_ignore_ascii_case(&c.name))
        });
        let redirected_error = h
            .location
            .as_deref()
            .map(url::params)
            .unwrap_or_default()
            .into_iter()
            .find(|(k, v)| k == "error" && (v == "login_required" || v == "interaction_required"))
            .map(|(_, v)| v);
        let answer = h
            .errors
            .iter()
            .find(|e| e.side == Side::Response && e.code == 50058)
            .map(|e| format!("AADSTS{}", e.code))
            .or(redirected_error);
        if let (false, Some(answer)) = (session, answer) {
            out.push(Finding {
                kind: "third-party-cookies",
                hop: Some(h.n),
                message: format!(
                    "hop {} is a silent sign-in in an iframe of another site (Sec-Fetch-Dest: iframe) that reached {} without Entra's session cookie (ESTSAUTH, ESTSAUTHPERSISTENT), so it was answered {answer}: the browser blocks third-party cookies (Safari and Firefox by default, Chrome when the user turned them off, private windows). Sign in with a redirect or a popup instead (MSAL acquireTokenRedirect or acquireTokenPopup; ssoSilent and iframe renewal need third-party cookies)",
                    h.n, h.host
                ),
            });
        }
    }
    // Cookies set so far and not deleted since, by the hop and host that set them: kept
    // as the hops go by, so the check stays linear in the journey's length.
    let mut live: Vec<(usize, &str, &Cookie)> = Vec::new();
    for h in hops {
        // The hop that needed a cookie: it failed on its own (an app's error page), or Entra
        // found nobody signed in. An app hop that received an Entra error failed for that.
        let needs = h.failure.is_some()
            && (h.errors.is_empty()
                || h.errors
                    .iter()
                    .any(|e| e.side == Side::Response && e.code == 50058));
        if needs {
            if let Some(f) = missing_cookie(h, hops, &live, ctx(h.n)) {
                out.push(f);
            }
        }
        for c in &h.cookies_set {
            live.retain(|(_, host, x)| !(x.name == c.name && *host == h.host));
            if !deletes(c) {
                live.push((h.n, h.host.as_str(), c));
            }
        }
    }
    out
}

/// The `missing-cookie` finding of a hop that needed a cookie, given the cookies set by
/// earlier hops, if it did not send one of those meant for it.
fn missing_cookie(
    h: &Hop,
    hops: &[Hop],
    live: &[(usize, &str, &Cookie)],
    (dest, site): (&str, &str),
) -> Option<Finding> {
    let (_, path) = url::host_path(&h.url);
    let live: Vec<(usize, &Cookie)> = live
        .iter()
        .filter(|(_, host, c)| cookie_applies(c, host, &h.host, &path))
        .map(|(n, _, c)| (*n, *c))
        .collect();
    let missing: Vec<(usize, &Cookie)> = live
        .into_iter()
        .filter(|(_, c)| !h.cookies_sent.iter().any(|s| s.name == c.name))
        .collect();
    let &(first_setter, _) = missing.first()?;
    let names: Vec<&str> = missing.iter().map(|(_, c)| c.name.as_str()).collect();
    // Hops are numbered in order from 1: the one before is at index n - 2.
    let before = h.n.checked_sub(2).and_then(|i| hops.get(i));
    let cross_site =
        site == "cross-site" || (site.is_empty() && before.is_some_and(|g| g.host != h.host));
    let lax = missing
        .iter()
        .any(|(_, c)| cookie_attr(c, "samesite").is_none_or(|v| v == "lax" || v == "strict"));
    let why = if h.method == "POST" && cross_site && lax {
        "a form post from another site (Entra's response_mode=form_post) carries no cookie marked SameSite=Lax or Strict, and browsers treat a cookie without SameSite as Lax: the app must set these cookies SameSite=None; Secure (or ask for response_mode=query)"
    } else if dest == "iframe" && cross_site {
        "the request ran in an iframe of another site, and the browser blocks third-party cookies"
    } else {
        "the browser did not send it back: blocked by its settings or an extension, cleared, set for another path or domain, or expired"
    };
    Some(Finding {
        kind: "missing-cookie",
        hop: Some(h.n),
        message: format!(
            "hop {} ({} {}) failed without the cookie(s) {} that hop {first_setter} set for {}: {why}",
            h.n,
            h.method,
            url::base(&h.url),
            names.join(", "),
            h.host
        ),
    })
}

/// Why a hop failed, if it did.
fn failure_of(
    errors: &[HopError],
    status: u16,
    e: &Entry,
    saml: &[FoundSaml],
    n: usize,
    params: &[(String, String)],
    loc: Option<&str>,
) -> Option<String> {
    if let Some(x) = errors
        .iter()
        .find(|x| x.side == Side::Response && x.signal != "interrupt" && x.signal != "expected")
    {
        return Some(format!("answered with AADSTS{}", x.code));
    }
    // A normal pause (silent sign-in refused, MFA needed) is no failure of the hop.
    if status < 400
        && errors
            .iter()
            .any(|x| x.side == Side::Response && matches!(x.signal, "interrupt" | "expected"))
    {
        return None;
    }
    if let Some(m) = saml.iter().find(|s| s.hop == n && s.message.failed()) {
        return Some(format!(
            "SAML status {}",
            saml::short_status(m.message.status_code.as_deref().unwrap_or(""))
        ));
    }
    if let Some(l) = loc {
        if let Some((_, v)) = url::params(l).into_iter().find(|(k, _)| k == "error") {
            return Some(format!("redirected with error={v}"));
        }
    }
    let negotiate = status == 401
        && e.response_header("www-authenticate")
            .is_some_and(|w| w.to_ascii_lowercase().starts_with("negotiate"));
    if status >= 400 && !negotiate {
        return Some(format!("HTTP {status}"));
    }
    if let Some(x) = errors
        .iter()
        .find(|x| x.side == Side::Request && x.signal != "interrupt" && x.signal != "expected")
    {
        return Some(format!("received AADSTS{}", x.code));
    }
    if let Some((_, v)) = params.iter().find(|(k, _)| k == "error") {
        return Some(format!("received error={v}"));
    }
    None
}

/// A value from the capture as one plain line: control characters and bidirectional
/// overrides become spaces, as the extractor does with the values it finds.
fn plain(v: &str) -> String {
    v.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The tenant in an Entra path (`/contoso.onmicrosoft.com/oauth2/…`), when it names one.
fn tenant_of(path: &str) -> Option<String> {
    let first = path.trim_start_matches('/').split('/').next()?;
    let generic = [
        "common",
        "organizations",
        "consumers",
        "oauth2",
        "adfs",
        "tfp",
        "",
    ];
    (!generic.contains(&first.to_ascii_lowercase().as_str())
        && (first.contains('.') || (first.len() == 36 && first.matches('-').count() == 4)))
        .then(|| first.to_string())
}

fn summary_of(m: &saml::SamlMessage) -> String {
    let mut s = m.kind.clone();
    if let Some(i) = &m.issuer {
        s.push_str(&format!(" from {i}"));
    }
    if let Some(c) = &m.status_code {
        s.push_str(&format!(", status {}", saml::short_status(c)));
    }
    s
}

/// The text of an HTML page as a reader sees it: tags dropped (cells joined by a space,
/// blocks by a line break), script contents kept (Entra's error page carries its message
/// in `$Config`). Entities are left for the extractor to undo.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        let Some(gt) = after.find('>') else {
            out.push_str(after);
            return out;
        };
        let tag = after[1..gt].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        // A form's hidden fields (form_post responses carry `error_description` there).
        if name == "input" {
            let tag_text = format!("{}>", after[..gt].trim_end_matches('/'));
            if let Some(el) = crate::xml::elements(&tag_text).first() {
                if let (Some(n), Some(v)) = (el.attr("name"), el.attr("value")) {
                    if !is_secret(n) {
                        out.push_str(&format!("\n{n}: {v}\n"));
                    }
                }
            }
        }
        match name.as_str() {
            "br" | "p" | "div" | "tr" | "li" | "table" | "h1" | "h2" | "h3" | "h4" | "title"
            | "script" | "form" | "body" => out.push('\n'),
            "td" | "th" | "span" => out.push(' '),
            _ => {}
        }
        rest = &after[gt + 1..];
    }
    out.push_str(rest);
    out
}

/// The `value` of every `<input name="NAME" value="…">` in an HTML page.
pub fn html_values(html: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let needle = format!("name=\"{name}\"");
    let mut rest = html;
    while let Some(p) = rest.find(&needle) {
        let tag_start = rest[..p].rfind('<').unwrap_or(0);
        let tag_end = rest[p..].find('>').map_or(rest.len(), |e| p + e);
        let tag = &rest[tag_start..tag_end];
        if let Some(v) = tag.find("value=\"") {
            let v = &tag[v + 7..];
            if let Some(end) = v.find('"') {
                out.push(crate::xml::unescape(&v[..end]));
            }
        }
        rest = &rest[tag_end.max(p + needle.len())..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn masks_secrets_in_urls() {
        assert_eq!(
            mask_url("https://app/cb?code=0.AXoAabcdef&state=s1#id_token=eyJhbGciOi&x=1"),
            "https://app/cb?code=0.AX…&state=s1#id_token=eyJh…&x=1"
        );
    }
    #[test]
    fn a_password_in_a_url_is_never_shown_even_in_part() {
        let u = "https://adfs.contoso.com/adfs/ls/?UserName=a&Password=Hunter2Secret&code=0.AXoAabcdefgh";
        for s in [Secrets::Masked, Secrets::Shown] {
            let m = mask_url_with(u, s);
            assert!(m.contains("Password=…&"), "{m}");
            assert!(!m.contains("Hunt"), "{m}");
            let code = if s == Secrets::Masked {
                "code=0.AX…"
            } else {
                "code=0.AXoAabcdefgh"
            };
            assert!(m.ends_with(code), "{m}");
        }
    }
    #[test]
    fn masked_values_and_cookie_names() {
        assert_eq!(mask_value("0.AXoAsecret", Secrets::Masked), "0.AX…");
        assert_eq!(mask_value("short", Secrets::Masked), "…");
        assert_eq!(mask_value("", Secrets::Masked), "");
        assert_eq!(mask_value("0.AXoAsecret", Secrets::Shown), "0.AXoAsecret");
        assert_eq!(
            cookie_name("Saml2.HeldSamlCookie", Secrets::Masked),
            "Saml2.Held…"
        );
        assert_eq!(
            cookie_name(".AspNetCore.Correlation.abc", Secrets::Masked),
            ".AspNetCore.Correlation.abc"
        );
        assert_eq!(cookie_name("ESTSAUTH", Secrets::Masked), "ESTSAUTH");
        assert_eq!(
            cookie_name("Saml2.HeldSamlCookie", Secrets::Shown),
            "Saml2.HeldSamlCookie"
        );
    }
    #[test]
    fn tenants() {
        assert_eq!(
            tenant_of("/contoso.onmicrosoft.com/oauth2/v2.0/authorize").as_deref(),
            Some("contoso.onmicrosoft.com")
        );
        assert_eq!(tenant_of("/common/oauth2/v2.0/authorize"), None);
    }
    #[test]
    fn html_inputs() {
        let h = r#"<form><input type="hidden" name="SAMLResponse" value="PHNhbWw+&#43;" /><input name="RelayState" value="x"></form>"#;
        assert_eq!(
            html_values(h, "SAMLResponse"),
            vec!["PHNhbWw++".to_string()]
        );
    }
}
