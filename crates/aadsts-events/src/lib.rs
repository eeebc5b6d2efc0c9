//! Windows event logs of the servers behind Entra ID sign-in (Entra Connect password
//! writeback and sync, pass-through authentication agents, AD FS, domain controllers, and
//! `Microsoft-Windows-AAD/Operational` on devices), read from what admins export: `.evtx`
//! files, Event Viewer's "Save as XML" (forwarded events too), "Save as CSV" and the text
//! export, and `Get-WinEvent` piped to `ConvertTo-Json` or `Export-Csv`. Every reader
//! streams; a bad record is counted and located, never fatal. Events are matched to the
//! knowledge base's event pages and joined to failed sign-ins of the same user.

pub mod evtx_write;
mod open;
mod paste;
mod pasted;
mod read_evtx;
mod read_json;
mod read_table;
mod read_xml;
mod summary;
mod who;

pub use open::{detect, sniff, Format};
pub use paste::parse_pasted;
pub use pasted::{Pasted, PastedEvent, MAX_PASTED_EVENTS};
pub use summary::*;
pub use who::{machine_of, user_of};

use serde::Serialize;

/// The most one event record may take in a text export (XML element, CSV record, JSON
/// array element). An `.evtx` record is bounded by its 64 KiB chunk. Real events are a few
/// kilobytes; the bound keeps memory flat on hostile input.
pub const MAX_EVENT: usize = 1 << 20;

/// The event levels Windows writes (`System/Level`, or for the Security log the audit
/// keywords), and their display names in exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Critical,
    Error,
    Warning,
    AuditFailure,
    Information,
    AuditSuccess,
    Verbose,
    #[default]
    Unknown,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Critical => "critical",
            Level::Error => "error",
            Level::Warning => "warning",
            Level::AuditFailure => "audit-failure",
            Level::Information => "information",
            Level::AuditSuccess => "audit-success",
            Level::Verbose => "verbose",
            Level::Unknown => "unknown",
        }
    }

    /// From `System/Level` (0 is "log always", shown as Information) and `System/Keywords`
    /// (the Security log writes level 0 and says success or failure in the keywords).
    pub fn from_system(level: Option<u8>, keywords: Option<u64>) -> Level {
        const AUDIT_FAILURE: u64 = 0x0010_0000_0000_0000;
        const AUDIT_SUCCESS: u64 = 0x0020_0000_0000_0000;
        if let Some(k) = keywords {
            if k & AUDIT_FAILURE != 0 {
                return Level::AuditFailure;
            }
            if k & AUDIT_SUCCESS != 0 {
                return Level::AuditSuccess;
            }
        }
        match level {
            Some(1) => Level::Critical,
            Some(2) => Level::Error,
            Some(3) => Level::Warning,
            Some(0) | Some(4) => Level::Information,
            Some(5) => Level::Verbose,
            _ => Level::Unknown,
        }
    }

    /// From a display name as Event Viewer and `LevelDisplayName` write it (English), or a
    /// number.
    pub fn from_text(s: &str) -> Level {
        let t = s.trim().to_ascii_lowercase();
        if let Ok(n) = t.parse::<u8>() {
            return Level::from_system(Some(n), None);
        }
        match t.as_str() {
            "critical" => Level::Critical,
            "error" => Level::Error,
            "warning" => Level::Warning,
            "information" | "informational" | "info" => Level::Information,
            "verbose" => Level::Verbose,
            "audit failure" | "auditfailure" | "failure audit" => Level::AuditFailure,
            "audit success" | "auditsuccess" | "success audit" => Level::AuditSuccess,
            _ => Level::Unknown,
        }
    }
}

/// One Windows event, whatever export it came from. Strings are empty when the export lacks
/// them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Event {
    /// `System/Provider/@Name` (Event Viewer's "Source").
    pub provider: String,
    /// `System/Channel` (the log: `Application`, `Security`, `AD FS/Admin`, …).
    pub channel: String,
    pub event_id: u32,
    pub level: Level,
    /// RFC 3339 UTC. Event Viewer's CSV and text exports carry local time without a zone:
    /// read as UTC, and the input says so in its note.
    pub time: Option<String>,
    pub computer: String,
    pub record_id: Option<u64>,
    /// `EventData/Data` (or `UserData`) name → value, in order. Unnamed values (classic
    /// providers, `Properties[]` of `Get-WinEvent`) are `#1`, `#2`, ….
    pub data: Vec<(String, String)>,
    /// The rendered message, when the export has one.
    pub message: Option<String>,
}

impl Event {
    /// The value of the first data field named `name` (case-insensitive), when it says
    /// something (`-` is Windows for "none").
    pub fn field(&self, name: &str) -> Option<&str> {
        self.data
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty() && *v != "-")
    }

    /// Every AADSTS code in the message and data values (a `Microsoft-Windows-AAD` event
    /// carries the server's answer), in order of first appearance.
    pub fn aadsts_codes(&self) -> Vec<u32> {
        let mut out = Vec::new();
        let texts = self
            .message
            .iter()
            .map(String::as_str)
            .chain(self.data.iter().map(|(_, v)| v.as_str()));
        for t in texts {
            let mut rest = t;
            while let Some(i) = find_ascii_ci(rest, "AADSTS") {
                let after = &rest[i + 6..];
                let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
                if (2..=9).contains(&digits.len()) {
                    if let Ok(n) = digits.parse::<u32>() {
                        if !out.contains(&n) {
                            out.push(n);
                        }
                    }
                }
                rest = after;
            }
        }
        out
    }
}

fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    h.windows(n.len()).position(|w| w.eq_ignore_ascii_case(n))
}

/// Why an input could not be read (to its end). Records before the problem are counted.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{at}: {source}")]
    Read {
        at: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Format(String),
}

/// Where read events go, and the records that were not.
pub trait Sink {
    fn event(&mut self, e: Event);
    /// A record that could not be read: `at` is `record N`, `line N` or `chunk N, record
    /// ID R`.
    fn skip(&mut self, at: String, reason: String);
}

/// Collects events into a vector (tests, pasted text, small inputs).
#[derive(Debug, Default)]
pub struct Collect {
    pub events: Vec<Event>,
    pub skipped: Vec<(String, String)>,
}

impl Sink for Collect {
    fn event(&mut self, e: Event) {
        self.events.push(e);
    }
    fn skip(&mut self, at: String, reason: String) {
        self.skipped.push((at, reason));
    }
}

/// Reads one export of a known format from a stream (already undone from gzip; text
/// formats decoded to UTF-8 by [`open::open`]). `Err` stops the input; the events before
/// it have reached the sink.
pub fn read(
    format: Format,
    input: &mut dyn std::io::BufRead,
    sink: &mut dyn Sink,
) -> Result<(), EventsError> {
    match format {
        Format::Evtx => read_evtx::read(input, sink),
        Format::Xml => read_xml::read(input, sink),
        Format::EventViewerCsv => read_table::read_event_viewer(input, b',', sink),
        Format::EventViewerText => read_table::read_event_viewer(input, b'\t', sink),
        Format::PowerShellCsv => read_table::read_powershell(input, sink),
        Format::PowerShellJson => read_json::read(input, sink),
    }
}

/// Like [`read`], with `.evtx` chunks parsed on `threads` workers (results in file order).
pub fn read_threads(
    format: Format,
    input: &mut dyn std::io::BufRead,
    sink: &mut dyn Sink,
    threads: usize,
) -> Result<(), EventsError> {
    match format {
        Format::Evtx => read_evtx::read_parallel(input, sink, threads),
        other => read(other, input, sink),
    }
}

/// Reads a whole source (file, gzip, or stdin) as the format its content says.
pub fn read_source(src: &aadsts_scan::Source, sink: &mut dyn Sink) -> Result<Format, EventsError> {
    let (format, mut input) = open::open(src)?;
    read(format, &mut input, sink)?;
    Ok(format)
}

#[cfg(test)]
mod tests;
