//! Readers for each export shape, all streaming: a record is handed on as soon as it is
//! read, so memory depends on the distinct keys counted, not on the file size.

use crate::record::{self, CsvColumns, SignIn};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::io::BufRead;

/// The shapes `aadsts scan` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// Portal CSV download or Log Analytics CSV export (told apart by their headers).
    Csv,
    /// A JSON document: the portal's array, Graph `value` pages, Event Hub `records`.
    Json,
    /// One JSON object per line: Azure Monitor `PT1H.json`, JSON-lines tool output.
    JsonLines,
    /// Anything else: every AADSTS error the extraction rules find.
    Text,
}

impl Shape {
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Csv => "csv",
            Shape::Json => "json",
            Shape::JsonLines => "json-lines",
            Shape::Text => "text",
        }
    }
}

/// Where read records go.
pub trait Sink {
    fn signin(&mut self, r: SignIn);
    /// A row that could not be used: `at` is `line N` or `record N`.
    fn skip(&mut self, at: String, reason: String);
}

/// Guesses the shape from the first bytes of the decoded stream.
pub fn detect(head: &[u8]) -> Shape {
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start();
    if t.starts_with('[') {
        return Shape::Json;
    }
    let first_line = t.lines().next().unwrap_or("");
    if t.starts_with('{') {
        return if serde_json::from_str::<IgnoredAny>(first_line.trim()).is_ok() {
            Shape::JsonLines
        } else {
            Shape::Json
        };
    }
    let lower = first_line.to_lowercase();
    // A sign-in export's header (even one missing the code column, which the CSV reader
    // then reports by name).
    if (lower.contains("sign-in error code")
        || lower.contains("resulttype")
        || lower.contains("date (utc)")
        || lower.contains("timegenerated"))
        && (lower.contains(',') || lower.contains(';') || lower.contains('\t'))
    {
        return Shape::Csv;
    }
    // Syslog- or timestamp-prefixed Azure Monitor records.
    if t.lines()
        .take(5)
        .any(|l| l.contains("{") && l.contains("\"resultType\""))
    {
        return Shape::JsonLines;
    }
    Shape::Text
}

pub fn read(shape: Shape, input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), String> {
    match shape {
        Shape::Csv => read_csv(input, sink),
        Shape::Json => read_json(input, sink),
        Shape::JsonLines => read_json_lines(input, sink),
        Shape::Text => read_text(input, sink),
    }
}

fn read_csv(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), String> {
    read_csv_with(
        input,
        sink,
        &mut |columns, line, row, sink| match columns.record(&row) {
            Ok(r) => sink.signin(r),
            Err(why) => sink.skip(format!("line {line}"), why),
        },
    )
}

type RowFn<'f> = dyn FnMut(&CsvColumns, u64, csv::StringRecord, &mut dyn Sink) + 'f;

fn read_csv_with(
    input: &mut dyn BufRead,
    sink: &mut dyn Sink,
    on_row: &mut RowFn,
) -> Result<(), String> {
    // The delimiter: a comma, or what Excel uses when it re-saves (`;` in many locales,
    // tab for "Unicode text").
    let head = input.fill_buf().map_err(|e| e.to_string())?;
    let first = String::from_utf8_lossy(head);
    let first = first.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut rec = csv::ByteRecord::new();
    let mut columns: Option<CsvColumns> = None;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                sink.skip(format!("line {line}"), format!("unreadable CSV: {e}"));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(e.to_string());
                }
                continue;
            }
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let row = csv::StringRecord::from_byte_record_lossy(rec.clone());
        match &columns {
            None => {
                let headers: Vec<String> = row.iter().map(str::to_string).collect();
                columns = Some(CsvColumns::from_header(&headers).ok_or_else(|| {
                    format!(
                        "line {line}: the CSV header has no error-code column (looked for `Sign-in error code`, `ResultType`)"
                    )
                })?);
            }
            Some(c) => {
                if row.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                // Sign-in exports have no multi-line fields: a line break inside a field is a
                // quote that never closed, and the lines it swallowed are rows lost. Count them.
                let swallowed: usize = row.iter().map(|f| f.matches('\n').count()).sum();
                if swallowed > 0 {
                    let end = line + swallowed as u64;
                    sink.skip(
                        format!("line {line}"),
                        format!("a quote opened on this line is not closed before line {end}; this row and the {swallowed} line(s) inside the quote are not read"),
                    );
                    for k in 1..=swallowed as u64 {
                        sink.skip(
                            format!("line {}", line + k),
                            format!("inside the unclosed quote that starts on line {line}"),
                        );
                    }
                    continue;
                }
                on_row(c, line, row, sink);
            }
        }
    }
    Ok(())
}

fn read_json_lines(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), String> {
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        let n = input
            .read_until(b'\n', &mut buf)
            .map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        line += 1;
        json_line(&buf, line, sink);
    }
    Ok(())
}

/// Lines of a chunk that starts at line `first`.
fn json_lines_chunk(chunk: &[u8], first: u64, sink: &mut dyn Sink) {
    for (i, l) in chunk.split(|&b| b == b'\n').enumerate() {
        if i > 0 || !l.is_empty() {
            json_line(l, first + i as u64, sink);
        }
    }
}

fn json_line(bytes: &[u8], line: u64, sink: &mut dyn Sink) {
    let text = String::from_utf8_lossy(bytes);
    let t = text.trim();
    if t.is_empty() {
        return;
    }
    // A syslog or timestamp prefix before the record is allowed.
    let Some(start) = t.find('{') else {
        sink.skip(format!("line {line}"), "no JSON object on this line".into());
        return;
    };
    let json = &t[start..];
    // The typed fast path; wrappers (`records`, `value`) and anything it cannot read
    // go through the general path, which also gives the precise reason.
    if !json.contains("\"records\"") && !json.contains("\"value\"") {
        if let Ok(raw) = serde_json::from_str::<record::Raw>(json) {
            if let Ok(r) = record::from_raw(raw) {
                sink.signin(r);
                return;
            }
        }
    }
    match serde_json::from_str::<Value>(json) {
        Ok(v) => one_value(v, &format!("line {line}"), sink),
        Err(e) => sink.skip(format!("line {line}"), format!("invalid JSON: {e}")),
    }
}

/// A record, or an Event Hub `{"records": [...]}` / Graph `{"value": [...]}` wrapper.
fn one_value(v: Value, at: &str, sink: &mut dyn Sink) {
    if let Some(Value::Array(items)) = v.get("records").or_else(|| v.get("value")) {
        for (i, item) in items.iter().enumerate() {
            match record::from_json(item) {
                Ok(r) => sink.signin(r),
                Err(why) => sink.skip(format!("{at}, record {}", i + 1), why),
            }
        }
        return;
    }
    match record::from_json(&v) {
        Ok(r) => sink.signin(r),
        Err(why) => sink.skip(at.to_string(), why),
    }
}

/// Streams the elements of arrays (top level, or under `value` / `records`) one by one.
struct Records<'a> {
    sink: &'a mut dyn Sink,
    count: &'a mut u64,
}

impl<'de> DeserializeSeed<'de> for Records<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Records<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of sign-ins or an object with a `value` or `records` array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            *self.count += 1;
            let at = format!("record {}", self.count);
            match record::from_json(&v) {
                Ok(r) => self.sink.signin(r),
                Err(why) => self.sink.skip(at, why),
            }
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut rest = serde_json::Map::new();
        let mut streamed = false;
        while let Some(k) = map.next_key::<String>()? {
            if k == "value" || k == "records" {
                map.next_value_seed(Records {
                    sink: &mut *self.sink,
                    count: &mut *self.count,
                })?;
                streamed = true;
            } else if streamed || k.starts_with("@odata") {
                map.next_value::<IgnoredAny>()?;
            } else {
                rest.insert(k, map.next_value()?);
            }
        }
        if !streamed {
            // A single sign-in object on its own.
            *self.count += 1;
            let at = format!("record {}", self.count);
            match record::from_json(&Value::Object(rest)) {
                Ok(r) => self.sink.signin(r),
                Err(why) => self.sink.skip(at, why),
            }
        }
        Ok(())
    }
}

fn read_json(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_reader(input);
    let mut count = 0u64;
    let mut documents = 0u64;
    // PowerShell appends pages to one file: several top-level documents in a row.
    loop {
        let seed = Records {
            sink: &mut *sink,
            count: &mut count,
        };
        match seed.deserialize(&mut de) {
            Ok(()) => documents += 1,
            Err(e) if e.is_eof() && documents > 0 => break,
            Err(e) => {
                sink.skip(
                    format!("line {}", e.line()),
                    format!(
                        "JSON stops being readable here ({e}); the rest of the file was not read"
                    ),
                );
                break;
            }
        }
    }
    Ok(())
}

/// Text: every error the extraction rules find, read in chunks cut at line ends.
fn read_text(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), String> {
    const CHUNK: usize = 4 * 1024 * 1024;
    let mut carry = Vec::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = input.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            if !carry.is_empty() {
                text_chunk(&carry, sink);
            }
            break;
        }
        carry.extend_from_slice(&buf[..n]);
        if carry.len() >= CHUNK {
            let cut = carry
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(carry.len(), |i| i + 1);
            let rest = carry.split_off(cut);
            text_chunk(&carry, sink);
            carry = rest;
        }
    }
    Ok(())
}

fn text_chunk(chunk: &[u8], sink: &mut dyn Sink) {
    for e in aadsts_extract::extract(chunk).errors {
        let v = |k: &str| e.values.get(k).cloned().unwrap_or_default();
        let mut app = v("app_name");
        if app.is_empty() {
            app = v("app_id");
        }
        sink.signin(SignIn {
            time: e.timestamp.as_deref().and_then(record::time),
            code: e.code,
            user: v("user").to_lowercase(),
            app,
            ip: v("ip_address"),
            weight: e.count as u64,
            ..SignIn::default()
        });
    }
}

/// A sink that can be split over worker threads and joined again.
pub trait Part: Sink + Send {
    fn absorb(&mut self, other: Self);
}

const CHUNK_BYTES: usize = 1 << 20;
const CSV_BATCH: usize = 4096;

/// Like [`read`], with the parsing of JSON lines and CSV rows spread over `workers`
/// threads (the reading and splitting stay on this one, so order-dependent state — line
/// numbers, the CSV header — is kept exact).
pub fn read_parallel<S: Part>(
    shape: Shape,
    input: &mut dyn BufRead,
    main: &mut S,
    workers: usize,
    make: &(dyn Fn() -> S + Sync),
) -> Result<(), String> {
    // CSV parsing stays on this thread, which then needs a core of its own.
    let workers = if shape == Shape::Csv {
        workers.saturating_sub(1)
    } else {
        workers
    };
    // One CSV worker beside the parsing thread is slower than doing both inline (measured
    // on 2 cores): split only when at least two workers remain.
    if workers < 2 || !matches!(shape, Shape::JsonLines | Shape::Csv) {
        return read(shape, input, main);
    }
    use std::sync::mpsc::sync_channel;
    use std::sync::Mutex;
    match shape {
        Shape::JsonLines => {
            let (tx, rx) = sync_channel::<(u64, Vec<u8>)>(workers * 2);
            let rx = Mutex::new(rx);
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..workers)
                    .map(|_| {
                        s.spawn(|| {
                            let mut part = make();
                            while let Ok((first, chunk)) = rx
                                .lock()
                                .map_err(|_| ())
                                .and_then(|r| r.recv().map_err(|_| ()))
                            {
                                json_lines_chunk(&chunk, first, &mut part);
                            }
                            part
                        })
                    })
                    .collect();
                let mut result = Ok(());
                let mut carry: Vec<u8> = Vec::new();
                let mut line = 1u64;
                loop {
                    let buf = match input.fill_buf() {
                        Ok(b) => b,
                        Err(e) => {
                            result = Err(e.to_string());
                            break;
                        }
                    };
                    if buf.is_empty() {
                        break;
                    }
                    carry.extend_from_slice(buf);
                    let n = buf.len();
                    input.consume(n);
                    if carry.len() >= CHUNK_BYTES {
                        if let Some(cut) = carry.iter().rposition(|&b| b == b'\n') {
                            let rest = carry.split_off(cut + 1);
                            let lines = carry.iter().filter(|&&b| b == b'\n').count() as u64;
                            let chunk = std::mem::replace(&mut carry, rest);
                            if tx.send((line, chunk)).is_err() {
                                break;
                            }
                            line += lines;
                        }
                    }
                }
                if !carry.is_empty() {
                    let _ = tx.send((line, carry));
                }
                drop(tx);
                for h in handles {
                    main.absorb(h.join().expect("json worker panicked"));
                }
                result
            })
        }
        _ => {
            let (tx, rx) = sync_channel::<(
                std::sync::Arc<CsvColumns>,
                Vec<(u64, csv::StringRecord)>,
            )>(workers * 2);
            let rx = Mutex::new(rx);
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..workers)
                    .map(|_| {
                        s.spawn(|| {
                            let mut part = make();
                            while let Ok((cols, batch)) = rx
                                .lock()
                                .map_err(|_| ())
                                .and_then(|r| r.recv().map_err(|_| ()))
                            {
                                for (line, row) in batch {
                                    match cols.record(&row) {
                                        Ok(r) => part.signin(r),
                                        Err(why) => part.skip(format!("line {line}"), why),
                                    }
                                }
                            }
                            part
                        })
                    })
                    .collect();
                let mut batch: Vec<(u64, csv::StringRecord)> = Vec::with_capacity(CSV_BATCH);
                let mut cols: Option<std::sync::Arc<CsvColumns>> = None;
                let result = read_csv_with(input, main, &mut |c, line, row, _sink| {
                    let shared = cols
                        .get_or_insert_with(|| std::sync::Arc::new(c.clone()))
                        .clone();
                    batch.push((line, row));
                    if batch.len() >= CSV_BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(CSV_BATCH));
                        let _ = tx.send((shared, full));
                    }
                });
                if let Some(c) = cols {
                    if !batch.is_empty() {
                        let _ = tx.send((c, batch));
                    }
                }
                drop(tx);
                for h in handles {
                    main.absorb(h.join().expect("csv worker panicked"));
                }
                result
            })
        }
    }
}
