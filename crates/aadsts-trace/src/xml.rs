//! Just enough XML to read SAML messages: elements by local name (namespace prefixes
//! dropped), their attributes and text. Comments, processing instructions, DOCTYPE and
//! CDATA are understood; entities are decoded. Malformed input ends the walk early rather
//! than failing.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Local name, without a namespace prefix.
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    /// Local names of the enclosing elements, outermost first.
    pub path: Vec<String>,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Decodes the five predefined entities and numeric character references.
pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(end) = after.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let ent = &after[..end];
        let ch = match ent {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .or_else(|| ent.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every element of the document in document order (start-tag order), with its direct
/// text content (trimmed).
pub fn elements(doc: &str) -> Vec<Element> {
    let mut out: Vec<Element> = Vec::new();
    // Indices into `out` of the open elements.
    let mut stack: Vec<usize> = Vec::new();
    let mut rest = doc;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if let Some(&top) = stack.last() {
            out[top].text.push_str(&unescape(text));
        }
        rest = &rest[lt..];
        if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.find("-->").map_or("", |e| &r[e + 3..]);
            continue;
        }
        if let Some(r) = rest.strip_prefix("<![CDATA[") {
            let e = r.find("]]>").unwrap_or(r.len());
            if let Some(&top) = stack.last() {
                out[top].text.push_str(&r[..e]);
            }
            rest = r.get(e + 3..).unwrap_or("");
            continue;
        }
        if rest.starts_with("<?") || rest.starts_with("<!") {
            rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
            continue;
        }
        // A tag: find its end outside quoted attribute values.
        let b = rest.as_bytes();
        let mut i = 1;
        let mut quote = 0u8;
        while i < b.len() {
            match b[i] {
                q @ (b'"' | b'\'') if quote == 0 => quote = q,
                q if q == quote => quote = 0,
                b'>' if quote == 0 => break,
                _ => {}
            }
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let tag = &rest[1..i];
        rest = &rest[i + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let name = local(name.trim());
            // Close up to the matching element (tolerates unclosed children).
            if let Some(pos) = stack.iter().rposition(|&k| out[k].name == name) {
                stack.truncate(pos);
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
        let name = local(&tag[..name_end]).to_string();
        let attrs = attributes(&tag[name_end..]);
        let path = stack.iter().map(|&k| out[k].name.clone()).collect();
        out.push(Element {
            name,
            attrs,
            text: String::new(),
            path,
        });
        if !self_closing {
            stack.push(out.len() - 1);
        }
    }
    for e in &mut out {
        let t = e.text.trim();
        if t.len() != e.text.len() {
            e.text = t.to_string();
        }
    }
    out
}

fn attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start();
        let Some(eq) = rest.find('=') else { break };
        let name = rest[..eq].trim();
        let after = rest[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            break;
        };
        let Some(end) = after[1..].find(q) else { break };
        out.push((local(name).to_string(), unescape(&after[1..1 + end])));
        rest = &after[end + 2..];
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_prefixed_elements_attributes_and_text() {
        let doc = r#"<?xml version="1.0"?><!-- c --><samlp:Response ID="_1" Destination="https://sp/acs?a=1&amp;b=2"><saml:Issuer>https://sts.windows.net/t/</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:x:Requester"><samlp:StatusCode Value="urn:x:RequestUnsupported"/></samlp:StatusCode><samlp:StatusMessage>AADSTS75005: bad &lt;x&gt;</samlp:StatusMessage></samlp:Status></samlp:Response>"#;
        let els = super::elements(doc);
        assert_eq!(els[0].name, "Response");
        assert_eq!(els[0].attr("Destination"), Some("https://sp/acs?a=1&b=2"));
        assert_eq!(els[1].text, "https://sts.windows.net/t/");
        let codes: Vec<_> = els.iter().filter(|e| e.name == "StatusCode").collect();
        assert_eq!(codes.len(), 2);
        assert_eq!(codes[1].path.last().map(String::as_str), Some("StatusCode"));
        let m = els.iter().find(|e| e.name == "StatusMessage").unwrap();
        assert_eq!(m.text, "AADSTS75005: bad <x>");
    }
}
