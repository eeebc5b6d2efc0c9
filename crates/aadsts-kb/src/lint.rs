//! Rules that need more than one file: the catalog's categories, Microsoft's reference
//! list, the other pages. Each rule yields a [`Diagnostic`] naming file and line.

use crate::model::*;
use crate::parse::{Given, Lines, ParsedEventPage, ParsedPage};
use crate::Diagnostic;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What page checks need to know about the rest of the knowledge base.
pub struct Context<'a> {
    pub category_ids: BTreeSet<&'a str>,
    /// Codes that have a page, or are known and still waiting for one.
    pub known_codes: BTreeSet<u32>,
    /// Microsoft's table: code → official name (None where the table gives none).
    pub documented: &'a BTreeMap<u32, Option<String>>,
    /// Built-in pages are held to Microsoft's names; overlays may name their own codes.
    pub check_names: bool,
    /// Built-in pages must name a source for every cause and fix step, say how much
    /// Microsoft documents the code, and carry their review record.
    pub require_evidence: bool,
}

/// Actions with tenant-wide impact: a step that uses one must state its impact and
/// precondition before it. Matched as the start of a PowerShell command name.
pub const TENANT_WIDE_ACTIONS: &[&str] = &[
    "Update-AzureADSSOForest",
    "Disable-AzureADSSO",
    "Remove-AzureADSSO",
    "Revoke-Mg",
    "Invoke-MgInvalidate",
    "Remove-Mg",
    "Disable-ADAccount",
    "Reset-ADServiceAccountPassword",
];

/// Minimum length (after normalising) of a paragraph that must not repeat across pages.
pub const DUPLICATE_MIN_CHARS: usize = 40;

const GENERIC_ADVICE: &[&str] = &[
    "check service health",
    "check the service health",
    "contact support",
    "contact microsoft support",
    "open a support ticket",
    "open a support request",
    "open a support case",
    "raise a support ticket",
];

/// Checks one page against the context. `file` names it in messages.
pub fn check_page(file: &str, parsed: &ParsedPage, ctx: &Context) -> Vec<Diagnostic> {
    let p = &parsed.page;
    let l = &parsed.lines;
    let mut out = Vec::new();
    let mut d = |line: usize, rule: &'static str, message: String| {
        out.push(Diagnostic {
            file: file.to_string(),
            line,
            rule,
            message,
        })
    };

    if !ctx.category_ids.contains(p.category.as_ref()) {
        d(
            l.category.max(1),
            "category",
            format!(
                "category \"{}\" is not defined in categories.toml (known: {})",
                p.category,
                ctx.category_ids
                    .iter()
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }

    if ctx.check_names {
        match ctx.documented.get(&p.code) {
            Some(Some(official)) => match &p.name {
                Some(n) if n == official => {}
                Some(n) => d(
                    l.name,
                    "name",
                    format!(
                        "`name` is \"{n}\" but Microsoft's table names {} \"{official}\" (renamed upstream?)",
                        p.code
                    ),
                ),
                None => d(
                    1,
                    "name",
                    format!(
                        "Microsoft's table names {} \"{official}\": add `name = \"{official}\"`",
                        p.code
                    ),
                ),
            },
            Some(None) => {
                if let Some(n) = &p.name {
                    d(
                        l.name,
                        "name",
                        format!("Microsoft's table gives {} no name, but the page says \"{n}\": omit `name`", p.code),
                    );
                }
            }
            None => {
                // A page that carries a name for a code the table no longer lists.
                if let Some(n) = &p.name {
                    d(
                        l.name,
                        "name",
                        format!(
                            "the page names {} \"{n}\" but Microsoft's table does not list the code (dropped upstream?): omit `name`, say so in `## Meaning` and add the code to undocumented-codes.tsv",
                            p.code
                        ),
                    );
                }
            }
        }
    }

    let mut seen = BTreeSet::new();
    for r in p.related.iter() {
        if *r == p.code {
            d(
                l.related,
                "related",
                format!("`related` lists the page's own code {r}"),
            );
        } else if !seen.insert(*r) {
            d(l.related, "related", format!("`related` lists {r} twice"));
        } else if !ctx.known_codes.contains(r) {
            d(
                l.related,
                "related",
                format!("related code {r} has no page"),
            );
        }
    }

    // `[[tailor]]` steps are Markdown too.
    for (i, t) in p.tailor.iter().enumerate() {
        let line = l.tailor.get(i).copied().unwrap_or(1);
        for problem in find_unsafe_markdown(&t.text) {
            d(line, "https", problem);
        }
    }

    let (min_causes, min_fix) = match p.signal {
        Signal::Failure => (3, 3),
        Signal::Interrupt | Signal::Expected => (1, 1),
    };
    check_parts(
        &Parts::of_page(p),
        parsed,
        (min_causes, min_fix),
        ctx.require_evidence,
        &mut d,
    );
    out
}

/// What event-page checks need to know about the rest of the knowledge base.
pub struct EventContext<'a> {
    /// The sources of `events/sources.toml`.
    pub sources: &'a [EventSource],
    /// Codes that have a page.
    pub code_pages: &'a BTreeSet<u32>,
    /// Ids of the event pages (`writeback-33004`).
    pub event_pages: &'a BTreeSet<String>,
}

/// Checks one event page against the rest of the knowledge base (kb/FORMAT.md, "Event
/// pages"). `file` names it in messages; the file name is checked where pages are read.
pub fn check_event_page(
    file: &str,
    parsed: &ParsedEventPage,
    ctx: &EventContext,
) -> Vec<Diagnostic> {
    let p = &parsed.page;
    let l = &parsed.lines;
    let mut out = Vec::new();
    let mut d = |line: usize, rule: &'static str, message: String| {
        out.push(Diagnostic {
            file: file.to_string(),
            line,
            rule,
            message,
        })
    };
    if !ctx.sources.iter().any(|s| s.slug == p.source) {
        d(
            l.source.max(1),
            "event-source",
            format!(
                "source \"{}\" is not in events/sources.toml (sources: {})",
                p.source,
                ctx.sources
                    .iter()
                    .map(|s| s.slug.as_ref())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let mut seen = BTreeSet::new();
    for c in p.codes.iter() {
        if !seen.insert(*c) {
            d(l.codes, "codes", format!("`codes` lists {c} twice"));
        } else if !ctx.code_pages.contains(c) {
            d(
                l.codes,
                "codes",
                format!("code {c} in `codes` has no page in codes/"),
            );
        }
    }
    let id = p.id();
    let mut seen = BTreeSet::new();
    for r in p.related.iter() {
        if r.as_ref() == id {
            d(
                l.related,
                "related",
                format!("`related` lists the page's own id {r}"),
            );
        } else if !seen.insert(r.as_ref()) {
            d(l.related, "related", format!("`related` lists {r} twice"));
        } else if !ctx.event_pages.contains(r.as_ref()) {
            d(
                l.related,
                "related",
                format!("related event page {r} does not exist (no events/{r}.md)"),
            );
        }
    }
    let mins = match p.signal {
        Signal::Failure => (2, 2),
        Signal::Interrupt | Signal::Expected => (1, 1),
    };
    check_parts(&Parts::of_event(p), parsed, mins, true, &mut d);
    out
}

/// The parts of a page that code pages and event pages share, for the rules they share.
struct Parts<'a> {
    title: &'a str,
    signal: Signal,
    documented: Option<Documented>,
    review: Option<&'a Review>,
    docs: &'a [DocLink],
    causes: &'a [Text],
    cause_sources: &'a [Sources],
    fix: &'a [Text],
    fix_sources: &'a [Sources],
    diagnose: &'a [Text],
    collect: &'a [Text],
}

impl<'a> Parts<'a> {
    fn of_page(p: &'a Page) -> Self {
        Parts {
            title: &p.title,
            signal: p.signal,
            documented: p.documented,
            review: p.review.as_ref(),
            docs: &p.docs,
            causes: &p.causes,
            cause_sources: &p.cause_sources,
            fix: &p.fix,
            fix_sources: &p.fix_sources,
            diagnose: &p.diagnose,
            collect: &p.collect,
        }
    }

    fn of_event(p: &'a EventPage) -> Self {
        Parts {
            title: &p.title,
            signal: p.signal,
            documented: p.documented,
            review: p.review.as_ref(),
            docs: &p.docs,
            causes: &p.causes,
            cause_sources: &p.cause_sources,
            fix: &p.fix,
            fix_sources: &p.fix_sources,
            diagnose: &p.diagnose,
            collect: &p.collect,
        }
    }
}

/// Anything that has parsed lines and the sections it gave.
trait Parsed {
    fn lines(&self) -> &Lines;
    fn given(&self) -> &Given;
}

impl Parsed for ParsedPage {
    fn lines(&self) -> &Lines {
        &self.lines
    }
    fn given(&self) -> &Given {
        &self.given
    }
}

impl Parsed for ParsedEventPage {
    fn lines(&self) -> &Lines {
        &self.lines
    }
    fn given(&self) -> &Given {
        &self.given
    }
}

/// The rules of kb/FORMAT.md that hold for code and event pages alike: title, https,
/// counts, evidence, generic advice.
fn check_parts(
    p: &Parts,
    parsed: &dyn Parsed,
    (min_causes, min_fix): (usize, usize),
    require_evidence: bool,
    d: &mut impl FnMut(usize, &'static str, String),
) {
    let l = parsed.lines();
    let given = parsed.given();
    let title_len = p.title.chars().count();
    if title_len == 0 {
        d(l.title.max(1), "title", "`title` is empty".into());
    } else if title_len > 80 {
        d(
            l.title,
            "title",
            format!("`title` is {title_len} characters; the limit is 80"),
        );
    }
    if p.title.ends_with('.') {
        d(
            l.title,
            "title",
            "`title` should not end with a period".into(),
        );
    }
    for (i, doc) in p.docs.iter().enumerate() {
        let line = l.docs.get(i).copied().unwrap_or(1);
        if !doc.url.starts_with("https://") {
            d(
                line,
                "https",
                format!("docs URL \"{}\" is not https", doc.url),
            );
        } else if doc.url.contains(char::is_whitespace) {
            d(
                line,
                "https",
                format!("docs URL \"{}\" contains whitespace", doc.url),
            );
        }
    }
    for (line, text) in &l.blocks {
        let plain = find_plain_http(text);
        for url in &plain {
            d(*line, "https", format!("link \"{url}\" is not https"));
        }
        for problem in find_unsafe_markdown(text) {
            // An http:// address is reported once, above.
            if !plain.iter().any(|u| problem.contains(&format!("\"{u}\""))) {
                d(*line, "https", problem);
            }
        }
    }
    let sec_line = |name: &str| {
        l.sections
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, l)| *l)
            .unwrap_or(1)
    };
    if given.has_section("Common causes") && p.causes.len() < min_causes {
        d(
            sec_line("Common causes"),
            "count",
            format!(
                "a `{}` page needs at least {min_causes} causes; this one has {}",
                p.signal,
                p.causes.len()
            ),
        );
    }
    if given.has_section("How to fix") && p.fix.len() < min_fix {
        d(
            sec_line("How to fix"),
            "count",
            format!(
                "a `{}` page needs at least {min_fix} fix steps; this one has {}",
                p.signal,
                p.fix.len()
            ),
        );
    }
    if given.has_section("Diagnose") && p.diagnose.len() < 2 {
        d(
            sec_line("Diagnose"),
            "count",
            "`## Diagnose` needs at least 2 bullets".into(),
        );
    }
    if given.has_section("Collect for support") && p.collect.len() < 2 {
        d(
            sec_line("Collect for support"),
            "count",
            "`## Collect for support` needs at least 2 bullets".into(),
        );
    }

    if require_evidence {
        check_evidence(p, l, d);
    }

    // Generic advice only as the last step, after specific ones.
    for (i, step) in p.fix.iter().enumerate() {
        let lower = step.to_lowercase();
        if let Some(phrase) = GENERIC_ADVICE.iter().find(|g| lower.contains(*g)) {
            let line = l.fix.get(i).copied().unwrap_or(1);
            if i + 1 != p.fix.len() {
                d(
                    line,
                    "generic-advice",
                    format!("\"{phrase}\" may appear only in the last fix step, after the specific ones"),
                );
            } else if i == 0 {
                d(
                    line,
                    "generic-advice",
                    format!(
                        "\"{phrase}\" cannot be the only fix step: give the specific steps first"
                    ),
                );
            }
        }
    }
}

fn check_evidence(p: &Parts, l: &crate::Lines, d: &mut impl FnMut(usize, &'static str, String)) {
    if p.documented.is_none() {
        d(
            1,
            "documented",
            format!(
                "front matter has no `documented`: say how much Microsoft documents what the page explains ({})",
                Documented::words()
            ),
        );
    }
    match &p.review {
        None => d(
            1,
            "review",
            "the page has no `[review]` record (reviewer, date, changes)".into(),
        ),
        Some(r) => {
            if r.reviewer.is_empty() || r.changes.is_empty() {
                d(
                    l.review,
                    "review",
                    "`[review]` needs a `reviewer` and what the review `changes`".into(),
                );
            }
            if !is_iso_date(&r.date) {
                d(
                    l.review,
                    "review",
                    format!("`[review]` date \"{}\" is not YYYY-MM-DD", r.date),
                );
            }
        }
    }
    let mut cited = vec![false; p.docs.len()];
    for (kind, lines, items, sources) in [
        ("cause", &l.causes, &p.causes, &p.cause_sources),
        ("fix step", &l.fix, &p.fix, &p.fix_sources),
    ] {
        for (i, (text, s)) in items.iter().zip(sources.iter()).enumerate() {
            for &k in s.docs.iter() {
                if let Some(c) = cited.get_mut(k as usize) {
                    *c = true;
                }
            }
            if s.is_empty() {
                d(
                    lines.get(i).copied().unwrap_or(1),
                    "source",
                    format!(
                        "{kind} {} names no source: end it with `[src: <docs id>]` or `[src: inference]`",
                        i + 1
                    ),
                );
            }
            // A frequency claim is either attributed in its sentence or marked as ours.
            if !s.inference {
                if let Some(word) = unattributed_frequency(text) {
                    d(
                        lines.get(i).copied().unwrap_or(1),
                        "frequency",
                        format!("{kind} {} says \"{word}\" with no source for how often: attribute it in the sentence (\"Microsoft says …\") or mark the step `inference`", i + 1),
                    );
                }
            }
        }
    }
    for (i, doc) in p.docs.iter().enumerate() {
        let line = l.docs.get(i).copied().unwrap_or(1);
        if doc.id.is_none() {
            d(
                line,
                "source",
                format!("docs entry \"{}\" has no `id` for steps to cite", doc.title),
            );
        } else if !cited[i] {
            d(
                line,
                "source",
                format!(
                    "docs entry `{}` is cited by no cause or fix step: cite it where it is the source, or drop it",
                    doc.id.as_deref().unwrap_or("")
                ),
            );
        }
    }
    for (i, step) in p.fix.iter().enumerate() {
        if let Some(msg) = impact_problem(step) {
            d(l.fix.get(i).copied().unwrap_or(1), "impact", msg);
        }
    }
}

/// Words that claim how often something happens.
const FREQUENCY_WORDS: &[&str] = &[
    "nine times out of ten",
    "almost always",
    "in most cases",
    "most often",
    "most common",
    "usually",
    "typically",
    "the vast majority",
];

/// Words that attribute a claim to a source within its sentence.
const ATTRIBUTION_WORDS: &[&str] = &[
    "microsoft",
    "article",
    "docs",
    "documented",
    "documents",
    "says",
    "according",
    "table",
    "report",
    "issue",
];

/// The first frequency word in a sentence that names no source, if any.
pub fn unattributed_frequency(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    for sentence in lower.split(['.', ';']) {
        for w in FREQUENCY_WORDS {
            let hit = sentence.match_indices(w).any(|(i, _)| {
                let before = sentence[..i].chars().next_back();
                let after = sentence[i + w.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            });
            if hit && !ATTRIBUTION_WORDS.iter().any(|a| sentence.contains(a)) {
                return Some(w);
            }
        }
    }
    None
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// A step that uses a tenant-wide action must say `**Impact:**` and `**Precondition:**`
/// before the first such action.
pub fn impact_problem(step: &str) -> Option<String> {
    let (pos, action) = TENANT_WIDE_ACTIONS
        .iter()
        .filter_map(|a| step.find(a).map(|p| (p, *a)))
        .min_by_key(|(p, _)| *p)?;
    let before = &step[..pos];
    if before.contains("**Impact:**") && before.contains("**Precondition:**") {
        None
    } else {
        Some(format!(
            "this step runs `{action}…`, which acts tenant-wide: state `**Impact:**` and `**Precondition:**` before the action"
        ))
    }
}

fn find_plain_http(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("http://") {
        // Loopback addresses are examples of redirect URIs, not links.
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '`' | '"' | '\'' | '>' | ']'))
            .unwrap_or(tail.len());
        let url = &tail[..end];
        let host = url["http://".len()..]
            .split(['/', ':', '?'])
            .next()
            .unwrap_or("");
        let inside_code = rest[..i].matches('`').count() % 2 == 1;
        if !inside_code && !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
            out.push(url.to_string());
        }
        rest = &tail[end.max(1)..];
    }
    out
}

/// Markdown that would make a reader's browser fetch something or leave for a host that is
/// not named: an image (`![alt](…)`), or a link (`[text](dest)`, `<scheme:…>`,
/// `[ref]: dest`) whose destination is not `https://…` (`//host` and `/\host` are
/// protocol-relative). Code spans are skipped.
pub fn find_unsafe_markdown(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bad = |dest: &str| !dest.starts_with("https://");
    // Cut off code spans: text between backticks is shown, not parsed.
    let outside: Vec<&str> = text.split('`').step_by(2).collect();
    for part in &outside {
        if part.contains("![") {
            out.push("an image in a page: pages show no images (describe it in words)".into());
        }
        let mut rest = *part;
        while let Some(i) = rest.find("](") {
            let tail = &rest[i + 2..];
            let dest = tail
                .trim_start()
                .trim_start_matches('<')
                .split(|c: char| c.is_whitespace() || c == ')' || c == '>')
                .next()
                .unwrap_or("");
            if bad(dest) {
                out.push(format!(
                    "link to \"{dest}\": links in pages must be https://"
                ));
            }
            rest = tail;
        }
        let mut rest = *part;
        while let Some(i) = rest.find('<') {
            let tail = &rest[i + 1..];
            let end = tail.find('>').unwrap_or(tail.len());
            let inner = &tail[..end];
            let scheme = inner.split(':').next().unwrap_or("");
            let autolink = inner.contains(':')
                && (2..=32).contains(&scheme.len())
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
                && !inner.contains(|c: char| c.is_whitespace() || c == '<');
            if autolink && bad(inner) {
                out.push(format!(
                    "link to \"{inner}\": links in pages must be https://"
                ));
            }
            rest = tail;
        }
    }
    for l in text.lines() {
        let t = l.trim_start();
        if let Some((label, dest)) = t.strip_prefix('[').and_then(|r| r.split_once("]:")) {
            let dest = dest.split_whitespace().next().unwrap_or("");
            if !label.is_empty() && !dest.is_empty() && bad(dest.trim_start_matches('<')) {
                out.push(format!(
                    "link to \"{dest}\": links in pages must be https://"
                ));
            }
        }
    }
    out
}

/// Text as compared for repetition: lower case, words only.
pub fn normalize_paragraph(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// Paragraphs and list items (of at least [`DUPLICATE_MIN_CHARS`]) that appear on more
/// than one page. The first occurrence (in the order given) is the one kept.
pub fn find_repeated_paragraphs<'a>(
    pages: impl IntoIterator<Item = (&'a str, &'a ParsedPage)>,
) -> Vec<Diagnostic> {
    find_repeated_blocks(
        pages
            .into_iter()
            .map(|(f, p)| (f, p.page.code.to_string(), p.lines.blocks.as_slice())),
    )
}

/// As [`find_repeated_paragraphs`], over any pages: (file, what the page explains — a code
/// or an event page id —, its blocks). Code and event pages are held to it together.
pub fn find_repeated_blocks<'a>(
    pages: impl IntoIterator<Item = (&'a str, String, &'a [(usize, String)])>,
) -> Vec<Diagnostic> {
    let mut first: HashMap<String, (&str, usize, String)> = HashMap::new();
    let mut out = Vec::new();
    for (file, subject, blocks) in pages {
        for (line, text) in blocks {
            let norm = normalize_paragraph(text);
            if norm.chars().count() < DUPLICATE_MIN_CHARS {
                continue;
            }
            match first.get(&norm) {
                Some((f, l, other)) if *other != subject => out.push(Diagnostic {
                    file: file.to_string(),
                    line: *line,
                    rule: "repeated-paragraph",
                    message: format!(
                        "this paragraph repeats {f}:{l}; write what is true of {subject} instead"
                    ),
                }),
                Some((f, l, _)) => out.push(Diagnostic {
                    file: file.to_string(),
                    line: *line,
                    rule: "repeated-paragraph",
                    message: format!("this paragraph repeats {f}:{l} on the same page"),
                }),
                None => {
                    first.insert(norm, (file, *line, subject.clone()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_case_space_and_punctuation() {
        assert_eq!(
            normalize_paragraph("Open **Entra ID** →  Users,\n then `Get-MgUser`."),
            "open entra id users then get mguser"
        );
    }

    #[test]
    fn tenant_wide_action_needs_impact_first() {
        assert!(impact_problem("Run `Update-AzureADSSOForest` again.").is_some());
        assert!(impact_problem(
            "**Impact:** every ticket fails. **Precondition:** not rolled today. Run `Update-AzureADSSOForest`."
        )
        .is_none());
        assert!(impact_problem(
            "Run `Revoke-MgUserSignInSession`. **Impact:** x **Precondition:** y"
        )
        .is_some());
        assert!(impact_problem("Open the sign-in log.").is_none());
    }

    #[test]
    fn frequency_claims_need_a_source_in_their_sentence() {
        assert_eq!(
            unattributed_frequency("The secret ID is usually sent by mistake."),
            Some("usually")
        );
        assert_eq!(
            unattributed_frequency("Microsoft says the key is usually rolled yearly."),
            None
        );
        assert_eq!(unattributed_frequency("Unusually long values fail."), None);
    }

    #[test]
    fn plain_http_is_found_outside_code_and_loopback() {
        assert_eq!(
            find_plain_http("see http://example.com/x."),
            vec!["http://example.com/x."]
        );
        assert!(find_plain_http("use `http://example.com` as redirect").is_empty());
        assert!(find_plain_http("register http://localhost:3000/cb").is_empty());
    }

    /// Issue 22: overlay Markdown could carry images and `//host` links, and the linter
    /// let them through.
    #[test]
    fn images_and_links_that_are_not_https_are_found() {
        for bad in [
            "See ![logo](https://evil.example/x.png).",
            "Go [here](//evil.example/fix).",
            "Go [here](/\\evil.example/fix).",
            "Go [here](http://evil.example/fix).",
            "Go [here](javascript:alert(1)).",
            "Go [here]( <data:text/html,x> ).",
            "Mail <mailto:x@evil.example>.",
            "[fix]: //evil.example/fix",
            "Go [here][fix].\n\n[fix]: ftp://evil.example/",
        ] {
            assert!(!find_unsafe_markdown(bad).is_empty(), "{bad}");
        }
        for good in [
            "See [the docs](https://learn.microsoft.com/entra/).",
            "<https://learn.microsoft.com/>",
            "Send `<saml:Issuer>` and `![x](y)` as written.",
            "A list: a[0] (first), b <c.",
        ] {
            assert_eq!(find_unsafe_markdown(good), Vec::<String>::new(), "{good}");
        }
    }
}
