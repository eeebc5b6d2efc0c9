//! Tabular exports: Event Viewer's "Save as CSV" and "Save as Text" (Level, Date and
//! Time, Source, Event ID, Task Category, then the message, with the exporting machine's
//! local time), and `Get-WinEvent … | Export-Csv` (PowerShell's property columns, with or
//! without the `#TYPE` line).

use crate::open::{too_long, Limited};
use crate::{Event, EventsError, Level, Sink, MAX_EVENT};
use std::io::BufRead;

fn reader(input: &mut dyn BufRead, delimiter: u8) -> csv::Reader<Limited<&mut dyn BufRead>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        // Records end at `\n` only (as in aadsts-scan): with the CRLF terminator the reader
        // counts a record's line from the `\n` before it, one too low. The `\r` left at the
        // end of the last cell is trimmed.
        .terminator(csv::Terminator::Any(b'\n'))
        .flexible(true)
        .has_headers(true)
        // Export-Csv's `#TYPE` line; every field it writes is quoted, so no record starts
        // with `#` otherwise.
        .comment(Some(b'#'))
        .from_reader(Limited::new(input, MAX_EVENT))
}

/// The index of each named column (case-insensitive, trimmed).
fn columns(headers: &csv::StringRecord) -> impl Fn(&str) -> Option<usize> + '_ {
    move |name: &str| {
        headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    }
}

/// Reads records and hands each to `row`; a record that does not parse is counted, and
/// one above the size bound stops the file (a CSV cannot be resynchronised after it).
fn each_record(
    rdr: &mut csv::Reader<Limited<&mut dyn BufRead>>,
    sink: &mut dyn Sink,
    mut row: impl FnMut(&csv::StringRecord, u64, &mut dyn Sink),
) -> Result<(), EventsError> {
    let mut rec = csv::StringRecord::new();
    loop {
        rdr.get_mut().reset();
        let line = rdr.position().line();
        match rdr.read_record(&mut rec) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let line = rec.position().map_or(line, |p| p.line());
                row(&rec, line, sink);
            }
            Err(e) => {
                let at = format!("line {}", e.position().map_or(line, |p| p.line()));
                if rdr.get_ref().since_reset > MAX_EVENT {
                    return Err(EventsError::Read {
                        at,
                        source: too_long(MAX_EVENT),
                    });
                }
                match e.into_kind() {
                    csv::ErrorKind::Io(io) => return Err(EventsError::Read { at, source: io }),
                    other => sink.skip(at, format!("not a CSV record: {other:?}")),
                }
            }
        }
    }
}

fn headers(
    rdr: &mut csv::Reader<Limited<&mut dyn BufRead>>,
) -> Result<csv::StringRecord, EventsError> {
    rdr.headers().cloned().map_err(|e| EventsError::Read {
        at: "line 1".into(),
        source: std::io::Error::other(format!("the header does not read: {e}")),
    })
}

/// Event Viewer's CSV (`,`) or text (tab) export.
pub(crate) fn read_event_viewer(
    input: &mut dyn BufRead,
    delimiter: u8,
    sink: &mut dyn Sink,
) -> Result<(), EventsError> {
    let mut rdr = reader(input, delimiter);
    let h = headers(&mut rdr)?;
    let col = columns(&h);
    let (Some(level), Some(date), Some(source), Some(id)) = (
        col("Level"),
        col("Date and Time"),
        col("Source"),
        col("Event ID"),
    ) else {
        return Err(EventsError::Format(
            "line 1: the header lacks one of Level, Date and Time, Source, Event ID".into(),
        ));
    };
    let task = col("Task Category");
    // The message has no header of its own: the first column after the named ones.
    let message = h.len().max(task.map_or(0, |t| t + 1)).max(id + 1);
    let message = message.min(h.len());
    each_record(&mut rdr, sink, |rec, line, sink| {
        let get = |i: usize| rec.get(i).unwrap_or("").trim();
        let Ok(event_id) = get(id).parse::<u32>() else {
            sink.skip(
                format!("line {line}"),
                format!("event ID {:?} is not a number", get(id)),
            );
            return;
        };
        let msg: Vec<&str> = (message..rec.len()).filter_map(|i| rec.get(i)).collect();
        let msg = msg.join(if delimiter == b'\t' { "\t" } else { "," });
        let mut ev = Event {
            provider: get(source).to_string(),
            event_id,
            level: Level::from_text(get(level)),
            time: aadsts_scan::record::time(get(date)),
            message: (!msg.trim().is_empty()).then(|| msg.trim().to_string()),
            ..Default::default()
        };
        if let Some(t) = task {
            let t = get(t);
            if !t.is_empty() && t != "None" {
                ev.data.push(("TaskCategory".into(), t.to_string()));
            }
        }
        sink.event(ev);
    })
}

/// `Get-WinEvent … | Export-Csv`.
pub(crate) fn read_powershell(
    input: &mut dyn BufRead,
    sink: &mut dyn Sink,
) -> Result<(), EventsError> {
    let mut rdr = reader(input, b',');
    let h = headers(&mut rdr)?;
    let col = columns(&h);
    let Some(id) = col("Id") else {
        return Err(EventsError::Format(
            "line 1: the header has no Id column".into(),
        ));
    };
    let provider = col("ProviderName");
    let log = col("LogName");
    let level_name = col("LevelDisplayName");
    let level = col("Level");
    let keywords = col("KeywordsDisplayNames");
    let keyword_bits = col("Keywords");
    let machine = col("MachineName");
    let message = col("Message");
    let record = col("RecordId");
    let time = col("TimeCreated");
    each_record(&mut rdr, sink, |rec, line, sink| {
        let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("").trim();
        let Ok(event_id) = get(Some(id)).parse::<u32>() else {
            sink.skip(
                format!("line {line}"),
                format!("Id {:?} is not a number", get(Some(id))),
            );
            return;
        };
        let kw = get(keywords);
        // Export-Csv writes KeywordsDisplayNames, a collection, as its type name
        // (`System.Collections.ObjectModel.ReadOnlyCollection`1[System.String]`), so the
        // Security log's audit result is only in the numeric `Keywords` (a signed 64-bit
        // value: `-9218868437227405312` is 0x8010000000000000, audit failure). Found with
        // the held-back exports (tests/held-back/dc01-security-export.csv).
        let audit = get(keyword_bits)
            .parse::<i64>()
            .ok()
            .map(|k| Level::from_system(None, Some(k as u64)))
            .filter(|l| matches!(l, Level::AuditFailure | Level::AuditSuccess));
        let lvl = if kw.contains("Audit Failure") {
            Level::AuditFailure
        } else if kw.contains("Audit Success") {
            Level::AuditSuccess
        } else if let Some(audit) = audit {
            audit
        } else {
            match Level::from_text(get(level_name)) {
                Level::Unknown => Level::from_text(get(level)),
                l => l,
            }
        };
        let msg = get(message);
        sink.event(Event {
            provider: get(provider).to_string(),
            channel: get(log).to_string(),
            event_id,
            level: lvl,
            time: aadsts_scan::record::time(get(time)),
            computer: get(machine).to_string(),
            record_id: get(record).parse().ok(),
            data: Vec::new(),
            message: (!msg.is_empty()).then(|| msg.to_string()),
        });
    })
}
