//! URL pieces: host, path, query and fragment parameters, percent-decoding.

/// Percent-decodes, with `+` as a space (form encoding); invalid UTF-8 is replaced.
pub fn pct_decode(s: &str) -> String {
    let plus = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8_lossy()
        .into_owned()
}

/// Scheme-less host (lower case, without port and user info) and path of a URL.
pub fn host_path(url: &str) -> (String, String) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..end];
    let host = auth.rsplit('@').next().unwrap_or(auth);
    let host = match host.strip_prefix('[') {
        Some(h) => h.split(']').next().unwrap_or(h),
        None => host.split(':').next().unwrap_or(host),
    };
    let tail = &rest[end..];
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    (host.to_ascii_lowercase(), tail[..path_end].to_string())
}

/// `a=1&b=2` pairs, decoded.
pub fn form_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (pct_decode(k), pct_decode(v)),
            None => (pct_decode(p), String::new()),
        })
        .collect()
}

/// Query and fragment parameters of a URL, decoded, query first.
pub fn params(url: &str) -> Vec<(String, String)> {
    let (before_frag, frag) = url.split_once('#').unwrap_or((url, ""));
    let query = before_frag.split_once('?').map_or("", |(_, q)| q);
    let mut out = form_pairs(query);
    out.extend(form_pairs(frag));
    out
}

/// A URL without query and fragment.
pub fn base(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    &url[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn pieces() {
        assert_eq!(
            host_path(
                "https://user@Login.MicrosoftOnline.com:443/common/oauth2/v2.0/authorize?x=1#y"
            ),
            (
                "login.microsoftonline.com".into(),
                "/common/oauth2/v2.0/authorize".into()
            )
        );
        assert_eq!(
            params("https://a/b?x=1%2F2&y=a+b#z=3"),
            vec![
                ("x".into(), "1/2".into()),
                ("y".into(), "a b".into()),
                ("z".into(), "3".into())
            ]
        );
        assert_eq!(base("https://a/b?c#d"), "https://a/b");
    }
}
