//! Checks of every checkable token in a page against the reference lists under
//! `kb/reference/`, which `scripts/refresh-reference.py` rebuilds from Microsoft's docs
//! repositories and packages: PowerShell cmdlets and their parameters, `az` commands and
//! flags, Microsoft Graph properties (v1.0 and beta), Windows event IDs, portal paths and
//! learn.microsoft.com addresses. A token that is not in the lists is reported with the
//! file and line where it appears.

use crate::model::DocLink;
use crate::parse::{ParsedEventPage, ParsedPage};
use crate::Diagnostic;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Parameters every cmdlet accepts (PowerShell's common and risk-mitigation parameters).
const COMMON_PARAMETERS: &[&str] = &[
    "verbose",
    "debug",
    "erroraction",
    "warningaction",
    "informationaction",
    "progressaction",
    "errorvariable",
    "warningvariable",
    "informationvariable",
    "outvariable",
    "outbuffer",
    "pipelinevariable",
    "whatif",
    "confirm",
    "ea",
    "wa",
    "ev",
    "ov",
];

/// PowerShell's approved verbs that the pages' cmdlets use; a `Verb-Noun` word with one of
/// these verbs is taken for a cmdlet.
const VERBS: &[&str] = &[
    "Add",
    "Clear",
    "Close",
    "Compare",
    "Confirm",
    "Connect",
    "ConvertFrom",
    "ConvertTo",
    "Copy",
    "Disable",
    "Disconnect",
    "Enable",
    "Enter",
    "Exit",
    "Export",
    "Find",
    "Format",
    "Get",
    "Grant",
    "Group",
    "Import",
    "Initialize",
    "Install",
    "Invoke",
    "Join",
    "Measure",
    "Move",
    "New",
    "Out",
    "Publish",
    "Read",
    "Register",
    "Remove",
    "Rename",
    "Repair",
    "Request",
    "Reset",
    "Resolve",
    "Restart",
    "Restore",
    "Resume",
    "Revoke",
    "Save",
    "Search",
    "Select",
    "Send",
    "Set",
    "Sort",
    "Start",
    "Stop",
    "Suspend",
    "Sync",
    "Test",
    "Unblock",
    "Uninstall",
    "Unlock",
    "Unregister",
    "Update",
    "Use",
    "Wait",
    "Where",
    "Write",
];

/// PowerShell operators: `-eq` after a cmdlet is an operator, not a parameter.
const OPERATORS: &[&str] = &[
    "eq",
    "ne",
    "gt",
    "ge",
    "lt",
    "le",
    "like",
    "notlike",
    "match",
    "notmatch",
    "contains",
    "notcontains",
    "in",
    "notin",
    "replace",
    "and",
    "or",
    "not",
    "xor",
    "is",
    "isnot",
    "as",
    "split",
    "join",
    "f",
    "band",
    "bor",
    "ceq",
    "ieq",
    "cne",
    "clike",
    "ilike",
];

#[derive(Debug, Default)]
pub struct References {
    /// lower-case cmdlet → lower-case parameters (names and aliases).
    cmdlets: HashMap<String, HashSet<String>>,
    /// `ad app update` → its flags.
    az: HashMap<String, HashSet<String>>,
    az_global: HashSet<String>,
    /// Properties of any type, per version.
    graph_v1: HashSet<String>,
    graph_beta: HashSet<String>,
    events: HashSet<u32>,
    /// Event IDs listed with the https address of the page that documents them.
    events_documented: HashSet<u32>,
    /// lower-case addresses.
    docs_urls: HashSet<String>,
    /// `Entra ID → Users` (first two levels), and the top-level items they start with.
    menus: HashSet<String>,
    menu_tops: HashSet<String>,
    /// (old prefix, today's name).
    retired: Vec<(String, String)>,
    /// Which lists were present (a missing list is not checked, and `check_all` says so).
    pub loaded: Vec<&'static str>,
}

fn rows(src: &str) -> impl Iterator<Item = Vec<&str>> {
    src.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
}

impl References {
    /// Reads the lists that exist under `dir` (`kb/reference`).
    pub fn load(dir: &Path) -> std::io::Result<References> {
        let mut r = References::default();
        let read = |name: &str| -> std::io::Result<Option<String>> {
            let p = dir.join(name);
            if p.is_file() {
                std::fs::read_to_string(p).map(Some)
            } else {
                Ok(None)
            }
        };
        let mut any_cmdlets = false;
        for name in ["cmdlets.tsv", "cmdlets-extra.tsv"] {
            if let Some(src) = read(name)? {
                any_cmdlets = true;
                for row in rows(&src) {
                    let params = row.get(2).copied().unwrap_or("");
                    r.cmdlets
                        .entry(row[0].trim().to_lowercase())
                        .or_default()
                        .extend(params.split_whitespace().map(str::to_lowercase));
                }
            }
        }
        if any_cmdlets {
            r.loaded.push("cmdlets");
        }
        if let Some(src) = read("az-commands.tsv")? {
            r.loaded.push("az");
            for row in rows(&src) {
                let flags: HashSet<String> = row
                    .get(1)
                    .copied()
                    .unwrap_or("")
                    .split_whitespace()
                    .map(String::from)
                    .collect();
                if row[0] == "*" {
                    r.az_global = flags;
                } else {
                    r.az.insert(row[0].to_string(), flags);
                }
            }
        }
        if let Some(src) = read("graph-properties.tsv")? {
            r.loaded.push("graph");
            for row in rows(&src) {
                let set = if row[0] == "beta" {
                    &mut r.graph_beta
                } else {
                    &mut r.graph_v1
                };
                set.extend(
                    row.get(2)
                        .copied()
                        .unwrap_or("")
                        .split_whitespace()
                        .map(String::from),
                );
                // A type's name is also a valid segment (`internalDomainFederation`).
                set.insert(row[1].to_string());
            }
        }
        if let Some(src) = read("event-ids.tsv")? {
            r.loaded.push("events");
            for row in rows(&src) {
                if let Ok(id) = row[0].trim().parse::<u32>() {
                    r.events.insert(id);
                    if row.get(3).is_some_and(|u| u.trim().starts_with("https://")) {
                        r.events_documented.insert(id);
                    }
                }
            }
        }
        if let Some(src) = read("docs-urls.txt")? {
            r.loaded.push("docs-urls");
            r.docs_urls
                .extend(rows(&src).map(|row| row[0].trim().to_lowercase()));
        }
        if let Some(src) = read("portal-menus.txt")? {
            r.loaded.push("menus");
            for row in rows(&src) {
                if row[0] == "retired" && row.len() >= 3 {
                    r.retired.push((row[1].to_string(), row[2].to_string()));
                } else {
                    let path = row[0].trim().to_string();
                    if let Some(top) = path.split(" → ").next() {
                        r.menu_tops.insert(top.to_string());
                    }
                    r.menus.insert(path);
                }
            }
        }
        Ok(r)
    }

    /// Every reference problem of one page.
    pub fn check(&self, file: &str, parsed: &ParsedPage) -> Vec<Diagnostic> {
        let mut texts: Vec<(usize, &str)> = parsed
            .lines
            .blocks
            .iter()
            .map(|(l, t)| (*l, t.as_str()))
            .collect();
        for t in parsed.page.tailor.iter() {
            texts.push((1, t.text.as_ref()));
        }
        self.check_texts(file, texts, &parsed.page.docs, &parsed.lines.docs)
    }

    /// Every reference problem of one event page, and its own event ID, which must be
    /// listed in `event-ids.tsv` with the page that documents it.
    pub fn check_event(&self, file: &str, parsed: &ParsedEventPage) -> Vec<Diagnostic> {
        let texts = parsed
            .lines
            .blocks
            .iter()
            .map(|(l, t)| (*l, t.as_str()))
            .collect();
        let mut out = self.check_texts(file, texts, &parsed.page.docs, &parsed.lines.docs);
        let event = parsed.page.event;
        if self.loaded.contains(&"events") && !self.events_documented.contains(&event) {
            out.push(Diagnostic {
                file: file.to_string(),
                line: parsed.lines.event.max(1),
                rule: "reference-event",
                message: if self.events.contains(&event) {
                    format!("event ID {event} is in kb/reference/event-ids.tsv without the https address of the page that documents it (column 4)")
                } else {
                    format!("event ID {event} is not in kb/reference/event-ids.tsv: add it with the Microsoft page that documents it")
                },
            });
        }
        out
    }

    fn check_texts(
        &self,
        file: &str,
        texts: Vec<(usize, &str)>,
        docs: &[DocLink],
        doc_lines: &[usize],
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (line, text) in texts {
            let mut d = |offset: usize, rule: &'static str, message: String| {
                out.push(Diagnostic {
                    file: file.to_string(),
                    line: line + text[..offset.min(text.len())].matches('\n').count(),
                    rule,
                    message,
                })
            };
            if !self.cmdlets.is_empty() {
                self.check_cmdlets(text, &mut d);
            }
            if !self.az.is_empty() {
                self.check_az(text, &mut d);
            }
            if !self.graph_v1.is_empty() {
                self.check_graph(text, &mut d);
            }
            if !self.events.is_empty() {
                self.check_events(text, &mut d);
            }
            if !self.menus.is_empty() {
                self.check_menus(text, &mut d);
            }
            if !self.docs_urls.is_empty() {
                for (off, url) in learn_urls(text) {
                    self.check_url(&url, off, &mut d);
                }
            }
        }
        if !self.docs_urls.is_empty() {
            for (i, doc) in docs.iter().enumerate() {
                let line = doc_lines.get(i).copied().unwrap_or(1);
                let mut d = |_: usize, rule: &'static str, message: String| {
                    out.push(Diagnostic {
                        file: file.to_string(),
                        line,
                        rule,
                        message,
                    })
                };
                if doc.url.starts_with("https://learn.microsoft.com/") {
                    self.check_url(&doc.url, 0, &mut d);
                }
            }
        }
        out
    }

    /// The learn.microsoft.com addresses of `categories.toml` (file, line of each).
    pub fn check_category_urls(&self, file: &str, src: &str) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if self.docs_urls.is_empty() {
            return out;
        }
        for (i, line) in src.lines().enumerate() {
            for (_, url) in learn_urls(line) {
                self.check_url(&url, 0, &mut |_, rule, message| {
                    out.push(Diagnostic {
                        file: file.to_string(),
                        line: i + 1,
                        rule,
                        message,
                    })
                });
            }
        }
        out
    }

    fn check_url(&self, url: &str, off: usize, d: &mut impl FnMut(usize, &'static str, String)) {
        let norm = normalize_learn_url(url);
        // Q&A threads and module pages outside the docs repositories are not files.
        if norm.starts_with("https://learn.microsoft.com/answers/") {
            return;
        }
        if !self.docs_urls.contains(&norm) {
            d(
                off,
                "reference-url",
                format!("{url} is not a page of Microsoft's docs repositories (kb/reference/docs-urls.txt)"),
            );
        }
    }

    fn check_cmdlets(&self, text: &str, d: &mut impl FnMut(usize, &'static str, String)) {
        for (start, end) in cmdlet_words(text) {
            let name = &text[start..end];
            let Some(params) = self.cmdlets.get(&name.to_lowercase()) else {
                d(
                    start,
                    "reference-cmdlet",
                    format!("`{name}` is not a cmdlet in Microsoft's PowerShell docs (kb/reference/cmdlets*.tsv)"),
                );
                continue;
            };
            for (off, p) in parameters_after(text, end) {
                let lower = p.to_lowercase();
                if !params.contains(&lower)
                    && !COMMON_PARAMETERS.contains(&lower.as_str())
                    && !OPERATORS.contains(&lower.as_str())
                {
                    d(
                        off,
                        "reference-cmdlet",
                        format!("`{name}` has no parameter `-{p}` in Microsoft's docs"),
                    );
                }
            }
        }
    }

    fn check_az(&self, text: &str, d: &mut impl FnMut(usize, &'static str, String)) {
        for (start, end) in code_spans(text) {
            let code = &text[start..end];
            let mut search = 0;
            while let Some(i) = code[search..].find("az ") {
                let at = search + i;
                search = at + 3;
                let before = code[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '.') {
                    continue;
                }
                let rest = &code[at + 3..];
                let line_end = rest.find(['\n', '|', ';', ')']).unwrap_or(rest.len());
                let line = &rest[..line_end];
                let words: Vec<&str> = line
                    .split_whitespace()
                    .take_while(|w| {
                        w.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                            && w.chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    })
                    .collect();
                if words.is_empty() {
                    continue;
                }
                let mut found = None;
                for n in (1..=words.len()).rev() {
                    let cmd = words[..n].join(" ");
                    if let Some(flags) = self.az.get(&cmd) {
                        found = Some((cmd, flags));
                        break;
                    }
                }
                let Some((cmd, flags)) = found else {
                    // A command group (`az cloud`) named on its own is fine.
                    let group = format!("{} ", words.join(" "));
                    if line.trim_start().len() == words.join(" ").len()
                        && self.az.keys().any(|k| k.starts_with(&group))
                    {
                        continue;
                    }
                    d(
                        start + at,
                        "reference-az",
                        format!(
                            "`az {}` is not an azure-cli command (kb/reference/az-commands.tsv)",
                            words.join(" ")
                        ),
                    );
                    continue;
                };
                for tok in line.split_whitespace() {
                    if !tok.starts_with('-') || tok == "-" || tok == "--" {
                        continue;
                    }
                    let flag = tok.split('=').next().unwrap_or(tok);
                    let flag = flag.trim_end_matches([',', '.', '`', '"', '\'']);
                    let is_flag = flag.len() > 1
                        && flag
                            .trim_start_matches('-')
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-');
                    if is_flag && !flags.contains(flag) && !self.az_global.contains(flag) {
                        d(
                            start + at,
                            "reference-az",
                            format!("`az {cmd}` has no flag `{flag}` (azure-cli's own help)"),
                        );
                    }
                }
            }
        }
    }

    fn check_graph(&self, text: &str, d: &mut impl FnMut(usize, &'static str, String)) {
        let mentions_beta = text.contains("beta");
        // $select lists in Graph URLs: each property must exist in that version.
        let mut search = 0;
        while let Some(i) = text[search..].find("graph.microsoft.com/") {
            let at = search + i;
            search = at + 1;
            let rest = &text[at + "graph.microsoft.com/".len()..];
            let beta = rest.starts_with("beta/");
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | ')' | '>'))
                .unwrap_or(rest.len());
            let url = &rest[..end];
            if let Some(q) = url.find("$select=") {
                let list = &url[q + 8..];
                let list = &list[..list.find('&').unwrap_or(list.len())];
                for p in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    self.graph_property(p, beta, at, d);
                }
            }
        }
        // `object.property` in code spans, when the object is a Graph property and the
        // text speaks of Graph (an MSAL or SDK option of the same shape is not one).
        let graph_context =
            text.contains("Graph") || text.contains("manifest") || text.contains("-Mg");
        for (start, end) in code_spans(text).into_iter().filter(|_| graph_context) {
            let code = &text[start..end];
            for word in code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.')) {
                let parts: Vec<&str> = word.split('.').collect();
                if parts.len() != 2 {
                    continue;
                }
                let (obj, prop) = (parts[0], parts[1]);
                let camel = |s: &str| {
                    s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                        && s.chars().any(|c| c.is_ascii_uppercase())
                        && s.chars().all(|c| c.is_ascii_alphanumeric())
                };
                let obj_known = self.graph_v1.contains(obj) || self.graph_beta.contains(obj);
                if obj_known && camel(prop) && obj.chars().all(|c| c.is_ascii_alphanumeric()) {
                    self.graph_property(prop, mentions_beta, start, d);
                }
            }
        }
    }

    fn graph_property(
        &self,
        p: &str,
        beta: bool,
        off: usize,
        d: &mut impl FnMut(usize, &'static str, String),
    ) {
        let in_v1 = self.graph_v1.contains(p);
        let in_beta = self.graph_beta.contains(p);
        if !in_v1 && !in_beta {
            d(
                off,
                "reference-graph",
                format!(
                    "`{p}` is not a Microsoft Graph property (kb/reference/graph-properties.tsv)"
                ),
            );
        } else if !in_v1 && !beta {
            d(
                off,
                "reference-graph",
                format!("`{p}` exists only in Graph beta: say so, and use the /beta endpoint or a Beta cmdlet"),
            );
        }
    }

    fn check_events(&self, text: &str, d: &mut impl FnMut(usize, &'static str, String)) {
        for (off, id) in event_ids(text) {
            if !self.events.contains(&id) {
                d(
                    off,
                    "reference-event",
                    format!("event ID {id} is not in kb/reference/event-ids.tsv (events Microsoft documents)"),
                );
            }
        }
    }

    fn check_menus(&self, text: &str, d: &mut impl FnMut(usize, &'static str, String)) {
        for (off, path) in portal_paths(text) {
            if let Some((old, new)) = self.retired.iter().find(|(old, _)| {
                path.starts_with(old.as_str()) || path == old.trim_end_matches(" → ")
            }) {
                d(
                    off,
                    "reference-menu",
                    format!(
                        "portal path \"{path}\" uses the retired name \"{}\": today it is \"{}\"",
                        old.trim_end_matches(" → "),
                        new.trim_end_matches(" → ")
                    ),
                );
                continue;
            }
            let parts: Vec<&str> = path.split(" → ").collect();
            if parts.len() >= 2 && self.menu_tops.contains(parts[0]) {
                let two = format!("{} → {}", parts[0], parts[1]);
                if !self.menus.contains(&two) {
                    d(
                        off,
                        "reference-menu",
                        format!("portal path \"{path}\": \"{two}\" is not a menu of today's admin center (kb/reference/portal-menus.txt)"),
                    );
                }
            }
        }
    }
}

/// A learn.microsoft.com address as the lists keep it: lower case, no locale, query,
/// fragment or trailing slash.
pub fn normalize_learn_url(url: &str) -> String {
    let mut u = url.trim().to_lowercase();
    if let Some(i) = u.find(['#', '?']) {
        u.truncate(i);
    }
    while u.ends_with('/') || u.ends_with('.') {
        u.pop();
    }
    const HOST: &str = "https://learn.microsoft.com/";
    if let Some(rest) = u.strip_prefix(HOST) {
        let mut segs = rest.splitn(2, '/');
        let first = segs.next().unwrap_or("");
        let is_locale = first.len() == 5 && first.as_bytes()[2] == b'-';
        if is_locale {
            u = format!("{HOST}{}", segs.next().unwrap_or(""));
        }
    }
    u
}

/// learn.microsoft.com addresses in text, with their offsets.
fn learn_urls(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(i) = text[search..].find("https://learn.microsoft.com/") {
        let at = search + i;
        let rest = &text[at..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '`' | '"' | '\'' | '>' | ']'))
            .unwrap_or(rest.len());
        out.push((at, rest[..end].to_string()));
        search = at + end.max(1);
    }
    out
}

/// Byte ranges of inline code spans and fenced code blocks.
pub fn code_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'`' {
            let run = b[i..].iter().take_while(|&&c| c == b'`').count();
            let fence = "`".repeat(run);
            let body = i + run;
            match text[body..].find(&fence) {
                Some(k) => {
                    out.push((body, body + k));
                    i = body + k + run;
                }
                None => i = body,
            }
        } else {
            i += 1;
        }
    }
    out
}

/// `Verb-Noun` cmdlet names (approved verb, capitalised noun), as byte ranges.
fn cmdlet_words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let boundary = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-');
        if boundary && b[i].is_ascii_uppercase() {
            let verb_end = i + b[i..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
            if verb_end < b.len()
                && b[verb_end] == b'-'
                && VERBS.contains(&&text[i..verb_end])
                && b.get(verb_end + 1).is_some_and(|c| c.is_ascii_uppercase())
            {
                let noun_end = verb_end
                    + 1
                    + b[verb_end + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .count();
                let next = b.get(noun_end).copied();
                // `Get-MgUser` but not `Single-Page-App` or a file name `Get-X.md`.
                if next != Some(b'-')
                    && !(next == Some(b'.')
                        && b.get(noun_end + 1).is_some_and(|c| c.is_ascii_alphabetic()))
                {
                    out.push((i, noun_end));
                }
                i = noun_end;
                continue;
            }
            i = verb_end.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

/// The `-Parameter` words of one command: from `from` to the end of the statement (a
/// newline, `|`, `;`, the closing backtick of an inline span, or an unbalanced `)`),
/// skipping quoted strings and script blocks.
fn parameters_after(text: &str, from: usize) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = from;
    let mut quote: Option<u8> = None;
    let (mut braces, mut parens) = (0i32, 0i32);
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'\'' | b'"' => quote = Some(c),
            b'{' => braces += 1,
            b'}' => braces -= 1,
            b'(' => parens += 1,
            b')' if parens == 0 => break,
            b')' => parens -= 1,
            b'\n' | b'|' | b';' | b'`' if braces <= 0 => break,
            b'-' if braces <= 0
                && parens <= 0
                && i > 0
                && b[i - 1].is_ascii_whitespace()
                && b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) =>
            {
                let end = i
                    + 1
                    + b[i + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .count();
                out.push((i, text[i + 1..end].to_string()));
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Event IDs named as such: "event 4771", "event ID 4771", "events 33002 and 33003",
/// "Event IDs 611, 656 or 657".
fn event_ids(text: &str) -> Vec<(usize, u32)> {
    let mut out = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut search = 0;
    while let Some(i) = lower[search..].find("event") {
        let at = search + i;
        search = at + 5;
        if at > 0 && lower.as_bytes()[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut rest = &lower[at + 5..];
        let mut pos = at + 5;
        for prefix in ["s", " ids", " id"] {
            if let Some(r) = rest.strip_prefix(prefix) {
                pos += prefix.len();
                rest = r;
                break;
            }
        }
        // A list of numbers joined by commas, "and", "or" and "/".
        loop {
            let skip = rest.len()
                - rest
                    .trim_start_matches([' ', ',', '/'])
                    .trim_start_matches("and ")
                    .trim_start_matches("or ")
                    .trim_start_matches([' ', ',', '/'])
                    .len();
            let digits = rest[skip..].bytes().take_while(u8::is_ascii_digit).count();
            let after = rest.as_bytes().get(skip + digits).copied();
            if (3..=5).contains(&digits)
                && skip > 0
                && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'-')
            {
                if let Ok(n) = rest[skip..skip + digits].parse() {
                    out.push((pos + skip, n));
                }
                pos += skip + digits;
                rest = &rest[skip + digits..];
            } else {
                break;
            }
        }
    }
    out
}

/// Bold portal paths (`**Entra ID → Users → *user***`), with their offsets, the parts
/// trimmed of emphasis.
fn portal_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(i) = text[search..].find("**") {
        let open = search + i;
        let body = open + 2;
        let Some(k) = text[body..].find("**") else {
            break;
        };
        let inner = &text[body..body + k];
        // `***x***` and similar: let the search resume after this pair.
        search = body + k + 2;
        if inner.contains('→') && !inner.contains('\n') {
            let parts: Vec<String> = inner
                .split('→')
                .map(|p| p.trim().trim_matches(['*', '_', ' ']).to_string())
                .collect();
            out.push((open, parts.join(" → ")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cmdlets_and_their_parameters() {
        let t = "Run `Get-MgUser -UserId x -Property id | Select-Object -ExpandProperty id` on Single-Page apps.";
        let words: Vec<&str> = cmdlet_words(t).into_iter().map(|(a, b)| &t[a..b]).collect();
        assert_eq!(words, vec!["Get-MgUser", "Select-Object"]);
        let (_, end) = cmdlet_words(t)[0];
        let p: Vec<String> = parameters_after(t, end)
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(p, vec!["UserId", "Property"]);
        let t = "Where-Object { $_.State -eq 'x' } -First 1";
        let (_, end) = cmdlet_words(t)[0];
        let p: Vec<String> = parameters_after(t, end)
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(p, vec!["First"]);
    }

    #[test]
    fn finds_event_ids_in_lists() {
        let ids: Vec<u32> = event_ids("See events 33002 and 33003, event ID 4771 and Event 611/656; not event-driven 2024 or Events 2.")
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        assert_eq!(ids, vec![33002, 33003, 4771, 611, 656]);
    }

    #[test]
    fn normalizes_learn_addresses() {
        assert_eq!(
            normalize_learn_url("https://learn.microsoft.com/en-us/Entra/identity/x/#anchor"),
            "https://learn.microsoft.com/entra/identity/x"
        );
    }

    #[test]
    fn bold_portal_paths() {
        let p =
            portal_paths("Open **Entra ID → Enterprise apps → *app* → Properties** and **Save**.");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].1, "Entra ID → Enterprise apps → app → Properties");
    }
}
