//! The page model. Text is `Cow<'static, str>` so that the embedded catalog can be
//! generated as `static` data (borrowed, zero start-up cost) while overlay pages read at
//! run time use the same types (owned).

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

pub type Text = Cow<'static, str>;
pub type List<T> = Cow<'static, [T]>;

macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $word:literal : $doc:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $(#[doc = $doc] $variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $word),+ } }
            pub fn describe(self) -> &'static str { match self { $($name::$variant => $doc),+ } }
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(s))
            }
            /// The accepted words, for error messages.
            pub fn words() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

word_enum!(
    /// How bad it is for the organisation when the code shows up.
    Severity {
        Info = "info": "success or expected noise",
        Low = "low": "a normal interrupt, or a one-user problem the user fixes",
        Medium = "medium": "blocks a user or a feature until configuration is fixed",
        High = "high": "blocks an app or many users, or is a security signal",
        Critical = "critical": "sign-in broken tenant-wide, or active attack evidence",
    }
);

word_enum!(
    /// Who has to act for the next attempt to succeed.
    Fixer {
        User = "user": "the person signing in",
        Admin = "admin": "an administrator of the tenant",
        Developer = "developer": "the developer of the application",
        Microsoft = "microsoft": "Microsoft: nothing in the tenant fixes it",
    }
);

word_enum!(
    /// Whether retrying can help.
    Retry {
        Transient = "transient": "the same request may succeed later; retry with backoff",
        AfterFix = "after-fix": "retry once the cause is fixed",
        Never = "never": "this request can never succeed; it must be rebuilt",
    }
);

word_enum!(
    /// What the code means in a sign-in log.
    Signal {
        Failure = "failure": "a real failed sign-in",
        Interrupt = "interrupt": "a normal step that pauses sign-in and often ends in success",
        Expected = "expected": "noise that appears in healthy logs",
    }
);

word_enum!(
    /// How much Microsoft itself documents a code.
    Documented {
        Article = "article": "a Microsoft support or troubleshooting article covers this code",
        Docs = "docs": "Microsoft's feature or protocol docs explain the condition, without a code-specific article",
        Table = "table": "only the row of Microsoft's reference table (and the online lookup)",
        Reports = "reports": "Microsoft publishes nothing; known from public reports and real logs",
    }
);

/// A source of the page: a Microsoft doc, support article, the reference table, a Q&A
/// thread or a public issue. Steps cite it by `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocLink {
    /// What `[src: …]` markers cite; category links have none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Text>,
    pub title: Text,
    pub url: Text,
}

/// Where one cause or fix step comes from: some of the page's `docs` (by index), our
/// inference, or both. Empty (no docs, no inference) only on overlay pages that give none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Sources {
    /// Indexes into [`Page::docs`].
    pub docs: List<u16>,
    /// The step goes beyond its sources (or has none): it is our reasoning.
    pub inference: bool,
}

impl Sources {
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty() && !self.inference
    }
}

/// The record of a page's claim-by-claim review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub reviewer: Text,
    /// `YYYY-MM-DD`.
    pub date: Text,
    /// What the review corrected, removed or marked as inference.
    pub changes: Text,
}

/// A fix step written with `{placeholders}` for values found in a pasted error; shown
/// when every placeholder has a value (`aadsts explain`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tailor {
    pub text: Text,
    /// The grants or flows (names from [`FLOWS`]) the step is about. Empty: any. A step
    /// with flows is left out when the error text reveals a different flow, and shown when
    /// it reveals one of these or none.
    #[serde(skip_serializing_if = "<[Text]>::is_empty")]
    pub flows: List<Text>,
}

impl Tailor {
    /// Whether the step applies to an error whose text revealed `flow` (`None`: unknown).
    pub fn applies_to(&self, flow: Option<&str>) -> bool {
        match flow {
            Some(f) if !self.flows.is_empty() => self.flows.iter().any(|x| x == f),
            _ => true,
        }
    }
}

/// Grants and flows `aadsts explain` can tell from error text (the library method, the
/// credential class or the `grant_type` around an error), with their labels; the only
/// names the `flows` list of a `[[tailor]]` step may use.
pub const FLOWS: &[(&str, &str)] = &[
    (
        "authorization-code",
        "Authorization code (interactive sign-in)",
    ),
    (
        "on-behalf-of",
        "On-behalf-of (an API calling another API for its signed-in user)",
    ),
    (
        "password",
        "Resource owner password (ROPC: user name and password sent by the app)",
    ),
    ("device-code", "Device code"),
    (
        "client-credentials",
        "Client credentials (the app signs in as itself, no user)",
    ),
];

/// Values that `aadsts explain` can find in error text, with their labels; the only
/// names a `[[tailor]]` template may use.
pub const VALUE_NAMES: &[(&str, &str)] = &[
    ("trace_id", "Trace ID"),
    ("correlation_id", "Correlation ID"),
    ("request_id", "Request ID"),
    ("timestamp", "Timestamp"),
    ("app_id", "App (client) ID"),
    ("app_name", "App name"),
    ("tenant", "Tenant"),
    ("resource", "Resource"),
    ("scope", "Scope"),
    ("redirect_uri", "Redirect URI"),
    ("user", "User"),
    ("identity_provider", "Identity provider"),
    ("policy", "Policy"),
    ("thumbprint", "Certificate thumbprint"),
    ("key_id", "Key ID"),
    ("issued_on", "Issued on"),
    ("expires_on", "Expires on"),
    ("ip_address", "IP address"),
    ("device_id", "Device ID"),
    ("device_platform", "Device platform"),
    ("device_state", "Device state"),
    ("error_uri", "Error URI"),
    ("claims", "Claims challenge"),
    ("http_status", "HTTP status"),
];

/// The `{placeholders}` of a template, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push(&after[..close]);
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Faq {
    pub question: Text,
    pub answer: List<Text>,
}

/// One knowledge-base page: one code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page {
    pub code: u32,
    /// Microsoft's identifier, when one is published.
    pub name: Option<Text>,
    pub title: Text,
    pub severity: Severity,
    pub category: Text,
    pub fixer: Fixer,
    pub retry: Retry,
    pub signal: Signal,
    pub related: List<u32>,
    /// How much Microsoft documents the code (built-in pages always say).
    pub documented: Option<Documented>,
    pub docs: List<DocLink>,
    /// Fix steps tailored with values from a pasted error.
    pub tailor: List<Tailor>,
    /// Whether the code is in Microsoft's published reference table.
    pub in_microsoft_table: bool,
    /// Paragraphs of `## Meaning`.
    pub meaning: List<Text>,
    pub causes: List<Text>,
    /// The source of each cause (same length as `causes`).
    pub cause_sources: List<Sources>,
    pub fix: List<Text>,
    /// The source of each fix step (same length as `fix`).
    pub fix_sources: List<Sources>,
    pub diagnose: List<Text>,
    pub collect: List<Text>,
    pub faq: List<Faq>,
    /// `## Notes`: an organisation's own notes, from an overlay.
    pub notes: List<Text>,
    /// The claim-by-claim review of the page, when it had one.
    pub review: Option<Review>,
    /// Where the page came from: `builtin`, or the overlay file's path.
    pub origin: Text,
}

impl Page {
    /// `AADSTS50126`; code 0 has no such form and is shown as `0`.
    pub fn label(&self) -> String {
        if self.code == 0 {
            "0".to_string()
        } else {
            format!("AADSTS{}", self.code)
        }
    }

    /// Microsoft's online lookup for this code.
    pub fn lookup_url(&self) -> String {
        lookup_url(self.code)
    }

    /// Whether the page's own sources already hold Microsoft's lookup for the code.
    pub fn docs_have_lookup(&self) -> bool {
        let url = self.lookup_url();
        self.docs.iter().any(|d| d.url == url)
    }

    /// A step's references as plain text: `[1] [3] [inference]`.
    pub fn source_tags(&self, s: &Sources) -> String {
        source_tags(&self.docs, s)
    }

    /// The docs a step cites, with their 1-based reference numbers.
    pub fn cited<'a>(&'a self, s: &'a Sources) -> impl Iterator<Item = (usize, &'a DocLink)> + 'a {
        cited_docs(&self.docs, s)
    }
}

/// Microsoft's online lookup address for a code.
pub fn lookup_url(code: u32) -> String {
    format!("https://login.microsoftonline.com/error?code={code}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    pub id: Text,
    pub title: Text,
    pub summary: Text,
    /// Paragraphs explaining the family.
    pub about: List<Text>,
    pub docs: List<DocLink>,
}

word_enum!(
    /// The level Windows gives an event (Event Viewer's "Level", or the audit keyword of a
    /// Security event).
    EventLevel {
        Error = "error": "an error",
        Warning = "warning": "a warning",
        Information = "information": "information",
        AuditFailure = "audit-failure": "a failed audited action (Security log)",
        AuditSuccess = "audit-success": "a successful audited action (Security log)",
    }
);

/// One event source of `kb/events/sources.toml`: the component whose events a group of
/// event pages explain, and how a reader recognises its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventSource {
    /// Lower-case letters and hyphens; the first part of a page id (`writeback`).
    pub slug: Text,
    pub title: Text,
    /// `System/Provider/@Name` values as Windows writes them (compared case-insensitively).
    pub providers: List<Text>,
    /// The event log that holds the events, as Event Viewer names it.
    pub channel: Text,
    /// Where to find it, in an admin's words.
    pub server: Text,
    /// The Microsoft page that documents these events.
    pub docs: Text,
}

impl EventSource {
    /// Whether an event's provider name is one of this source's (case-insensitively).
    pub fn has_provider(&self, provider: &str) -> bool {
        let p = provider.trim();
        self.providers.iter().any(|x| x.eq_ignore_ascii_case(p))
    }
}

/// One event page: a Windows event on an on-premises server that explains a sign-in
/// failure. The body has the same parts, under the same rules, as a code [`Page`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventPage {
    /// The slug of its [`EventSource`].
    pub source: Text,
    /// The Windows event ID.
    pub event: u32,
    /// Microsoft's name for the event, where its docs give one.
    pub name: Option<Text>,
    pub title: Text,
    pub level: EventLevel,
    pub severity: Severity,
    pub fixer: Fixer,
    /// `failure` or `expected` (an event of healthy operation).
    pub signal: Signal,
    /// AADSTS codes whose on-premises reason this event can be.
    pub codes: List<u32>,
    /// Other event pages worth reading next (page ids).
    pub related: List<Text>,
    /// EventData names that hold the affected user, in order.
    pub user_fields: List<Text>,
    /// EventData names that hold the client machine or address, in order.
    pub machine_fields: List<Text>,
    pub documented: Option<Documented>,
    pub docs: List<DocLink>,
    pub review: Option<Review>,
    /// Paragraphs of `## Meaning`.
    pub meaning: List<Text>,
    pub causes: List<Text>,
    /// The source of each cause (same length as `causes`).
    pub cause_sources: List<Sources>,
    pub fix: List<Text>,
    /// The source of each fix step (same length as `fix`).
    pub fix_sources: List<Sources>,
    pub diagnose: List<Text>,
    pub collect: List<Text>,
    pub faq: List<Faq>,
}

impl EventPage {
    /// The page id, `<source>-<event>` (`writeback-33004`).
    pub fn id(&self) -> String {
        event_page_id(&self.source, self.event)
    }

    /// `Event 33004`, as an admin would say it.
    pub fn label(&self) -> String {
        format!("Event {}", self.event)
    }

    /// A step's references as plain text: `[1] [3] [inference]`.
    pub fn source_tags(&self, s: &Sources) -> String {
        source_tags(&self.docs, s)
    }

    /// The docs a step cites, with their 1-based reference numbers.
    pub fn cited<'a>(&'a self, s: &'a Sources) -> impl Iterator<Item = (usize, &'a DocLink)> + 'a {
        cited_docs(&self.docs, s)
    }
}

/// The id of an event page: `<source>-<event>`.
pub fn event_page_id(source: &str, event: u32) -> String {
    format!("{source}-{event}")
}

/// Splits a page id (`writeback-33004`) into its source slug and event ID.
pub fn split_event_page_id(id: &str) -> Option<(&str, u32)> {
    let (slug, event) = id.trim().rsplit_once('-')?;
    let ok_slug = !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok_slug || event.is_empty() || event.len() > 9 || !event.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some((slug, event.parse().ok()?))
}

/// A step's references as plain text (`[1] [3] [inference]`), against a page's docs.
pub fn source_tags(docs: &[DocLink], s: &Sources) -> String {
    let mut out: Vec<String> = cited_docs(docs, s).map(|(n, _)| format!("[{n}]")).collect();
    if s.inference {
        out.push("[inference]".into());
    }
    out.join(" ")
}

/// The docs a step cites, with their 1-based reference numbers, against a page's docs.
pub fn cited_docs<'a>(
    docs: &'a [DocLink],
    s: &'a Sources,
) -> impl Iterator<Item = (usize, &'a DocLink)> + 'a {
    s.docs
        .iter()
        .filter_map(|&i| docs.get(i as usize).map(|d| (i as usize + 1, d)))
}
