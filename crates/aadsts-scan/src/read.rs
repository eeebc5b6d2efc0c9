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
    let delimiter = csv_delimiter(input.fill_buf().map_err(|e| e.to_string())?);
    let mut rdr = csv_reader(delimiter, input);
    match csv_header(&mut rdr, sink)? {
        Some(columns) => csv_body(&mut rdr, &columns, 0, sink),
        None => Ok(()),
    }
}

/// The delimiter: a comma, or what Excel uses when it re-saves (`;` in many locales, tab
/// for "Unicode text"), whichever the first line has most of.
fn csv_delimiter(head: &[u8]) -> u8 {
    let first = head.split(|&b| b == b'\n').next().unwrap_or(b"");
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.iter().filter(|b| *b == d).count())
        .unwrap_or(b',')
}

/// Records end at `\n` only: with the default CRLF terminator the reader ends a record at
/// `\r` and counts the `\n` into the next one, which then reports the line before its
/// own. The `\r` left at the end of the last cell is trimmed with the other white space.
fn csv_reader<R: std::io::Read>(delimiter: u8, r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .has_headers(false)
        .flexible(true)
        .from_reader(r)
}

/// The same record grammar as [`csv_reader`], for finding where records end.
fn csv_splitter(delimiter: u8) -> csv_core::Reader {
    csv_core::ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(csv_core::Terminator::Any(b'\n'))
        .build()
}

/// Reads the header; `None` for an input without any record.
fn csv_header<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    sink: &mut dyn Sink,
) -> Result<Option<CsvColumns>, String> {
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => return Ok(None),
            Ok(true) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                sink.skip(format!("line {line}"), format!("unreadable CSV: {e}"));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(e.to_string());
                }
            }
        }
    }
    let line = rec.position().map(|p| p.line()).unwrap_or(0);
    let row = csv::StringRecord::from_byte_record_lossy(rec);
    let headers: Vec<String> = row.iter().map(str::to_string).collect();
    CsvColumns::from_header(&headers).map(Some).ok_or_else(|| {
        format!(
            "line {line}: the CSV header has no error-code column (looked for `Sign-in error code`, `ResultType`)"
        )
    })
}

/// Reads the rows after the header. `offset` is the number of lines before the first
/// byte `rdr` reads (its chunk's place in the file), so that skipped rows are reported
/// at their line in the file.
fn csv_body<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    columns: &CsvColumns,
    offset: u64,
    sink: &mut dyn Sink,
) -> Result<(), String> {
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = offset + e.position().map(|p| p.line()).unwrap_or(0);
                sink.skip(format!("line {line}"), format!("unreadable CSV: {e}"));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(e.to_string());
                }
                continue;
            }
        }
        let line = offset + rec.position().map(|p| p.line()).unwrap_or(0);
        let bytes = rec.as_slice();
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        // Sign-in exports have no multi-line fields: a line break inside a field is a
        // quote that never closed, and the lines it swallowed are rows lost. Count them.
        let swallowed = bytes.iter().filter(|&&b| b == b'\n').count();
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
        match columns.record_bytes(&rec) {
            Ok(r) => sink.signin(r),
            Err(why) => sink.skip(format!("line {line}"), why),
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
    split_text(input, &mut |chunk| {
        text_chunk(&chunk, sink);
        true
    })
}

/// Text is read in chunks of about [`TEXT_CHUNK`] cut at a line end (or anywhere, for a
/// line longer than that); the one-thread and multi-thread readers cut the same chunks, so
/// they find the same errors.
const TEXT_CHUNK: usize = 4 * 1024 * 1024;

fn split_text(
    input: &mut dyn BufRead,
    send: &mut dyn FnMut(Vec<u8>) -> bool,
) -> Result<(), String> {
    let mut carry = Vec::new();
    let mut buf = vec![0u8; TEXT_CHUNK];
    loop {
        let n = match input.read(&mut buf) {
            Ok(n) => n,
            Err(e) => {
                // What was read before the error is still searched.
                if !carry.is_empty() {
                    send(carry);
                }
                return Err(e.to_string());
            }
        };
        if n == 0 {
            if !carry.is_empty() {
                send(carry);
            }
            return Ok(());
        }
        carry.extend_from_slice(&buf[..n]);
        if carry.len() >= TEXT_CHUNK {
            let cut = carry
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(carry.len(), |i| i + 1);
            let rest = carry.split_off(cut);
            if !send(std::mem::replace(&mut carry, rest)) {
                return Ok(());
            }
        }
    }
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
    if workers < 2 || shape == Shape::Json {
        return read(shape, input, main);
    }
    match shape {
        Shape::Text => fan_out(
            main,
            workers,
            make,
            &|chunk: Vec<u8>, part: &mut S| text_chunk(&chunk, part),
            |_, send| split_text(input, send),
        ),
        Shape::JsonLines => fan_out(
            main,
            workers,
            make,
            &|(first, chunk): (u64, Vec<u8>), part: &mut S| json_lines_chunk(&chunk, first, part),
            |_, send| split_lines(input, send),
        ),
        _ => {
            let delimiter = csv_delimiter(input.fill_buf().map_err(|e| e.to_string())?);
            // This thread only finds where records end (with the same grammar the workers
            // parse with, so a quoted line break or a quote that never closes is cut exactly
            // as one reader would see it); the workers parse, build records and count.
            fan_out(
                main,
                workers,
                make,
                &|chunk: Chunk, part: &mut S| read_chunk(delimiter, &chunk, part),
                |main, send| split_csv(input, main, delimiter, CHUNK_BYTES, send),
            )
        }
    }
}

/// Runs `produce` on this thread and hands what it sends to `workers` threads, each of
/// which folds it into a part of its own with `work`; the parts are absorbed into `main`.
fn fan_out<S: Part, T: Send>(
    main: &mut S,
    workers: usize,
    make: &(dyn Fn() -> S + Sync),
    work: &(dyn Fn(T, &mut S) + Sync),
    produce: impl FnOnce(&mut S, &mut dyn FnMut(T) -> bool) -> Result<(), String>,
) -> Result<(), String> {
    use std::sync::mpsc::sync_channel;
    use std::sync::Mutex;
    let (tx, rx) = sync_channel::<T>(workers * 2);
    let rx = Mutex::new(rx);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut part = make();
                    while let Ok(item) = rx
                        .lock()
                        .map_err(|_| ())
                        .and_then(|r| r.recv().map_err(|_| ()))
                    {
                        work(item, &mut part);
                    }
                    part
                })
            })
            .collect();
        let result = produce(main, &mut |item| tx.send(item).is_ok());
        drop(tx);
        for h in handles {
            main.absorb(h.join().expect("scan worker panicked"));
        }
        result
    })
}

/// Passes chunks of whole lines (about [`CHUNK_BYTES`] each), with the number of their
/// first line, to `send`.
fn split_lines(
    input: &mut dyn BufRead,
    send: &mut dyn FnMut((u64, Vec<u8>)) -> bool,
) -> Result<(), String> {
    let mut carry: Vec<u8> = Vec::new();
    let mut line = 1u64;
    let mut result = Ok(());
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) => {
                // What was read before the error is still counted.
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
                let lines = newlines(&carry);
                let chunk = std::mem::replace(&mut carry, rest);
                if !send((line, chunk)) {
                    return Ok(());
                }
                line += lines;
            }
        }
    }
    if !carry.is_empty() {
        send((line, carry));
    }
    result
}

/// Whole records for a worker.
struct Chunk {
    columns: std::sync::Arc<CsvColumns>,
    /// Lines before the first byte.
    offset: u64,
    /// The first chunk starts at the header, which the worker reads past: a fresh reader
    /// drops a byte-order mark at its very start, exactly as the one reader of the whole
    /// file does there and nowhere else.
    header: bool,
    bytes: Vec<u8>,
}

/// Reads `input` to its end, parses the header itself (reporting to `sink`), and passes
/// chunks of whole records to `send`. No chunk but the first starts with a byte-order mark.
fn split_csv(
    input: &mut dyn BufRead,
    sink: &mut dyn Sink,
    delimiter: u8,
    chunk_bytes: usize,
    send: &mut dyn FnMut(Chunk) -> bool,
) -> Result<(), String> {
    use csv_core::ReadRecordResult as R;
    const BOM: &[u8] = b"\xef\xbb\xbf";
    let mut splitter = csv_splitter(delimiter);
    // The splitter's copy of the fields is not used; it only needs room to write them.
    let mut out = vec![0u8; 1 << 16];
    let mut ends = vec![0usize; 1 << 10];
    let mut carry: Vec<u8> = Vec::with_capacity(chunk_bytes + (1 << 16));
    let mut fed = 0; // carry[..fed] has gone through the splitter
    let mut cut = 0; // carry[..cut] ends at the end of a record
    let mut offset = 0u64; // lines before carry[0]
    let mut header = true; // carry starts with the header
    let mut columns: Option<std::sync::Arc<CsvColumns>> = None;
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) => {
                // The whole records read before the error are still counted.
                if let Some(c) = &columns {
                    let bytes = carry[..cut].to_vec();
                    send(Chunk {
                        columns: c.clone(),
                        offset,
                        header,
                        bytes,
                    });
                }
                return Err(e.to_string());
            }
        };
        let eof = buf.is_empty();
        let n = buf.len();
        carry.extend_from_slice(buf);
        input.consume(n);
        loop {
            // An empty input means "end of file" to the splitter: give it one only then.
            if fed == carry.len() && !eof {
                break;
            }
            let (res, nin, _, _) = splitter.read_record(&carry[fed..], &mut out, &mut ends);
            fed += nin;
            match res {
                R::InputEmpty if !eof => break,
                R::InputEmpty | R::OutputFull | R::OutputEndsFull => {}
                R::End => break,
                R::Record => {
                    cut = fed;
                    if columns.is_none() {
                        let mut rdr = csv_reader(delimiter, &carry[..cut]);
                        columns = csv_header(&mut rdr, sink)?.map(std::sync::Arc::new);
                    }
                }
            }
        }
        if let Some(c) = &columns {
            let next = &carry[cut..];
            let bom_next = next.starts_with(BOM) || (next.len() < BOM.len() && !eof);
            if (cut >= chunk_bytes && !bom_next) || (eof && !carry.is_empty()) {
                let end = if eof { carry.len() } else { cut };
                let rest = carry.split_off(end);
                let bytes = std::mem::replace(&mut carry, rest);
                let lines = newlines(&bytes);
                let chunk = Chunk {
                    columns: c.clone(),
                    offset,
                    header,
                    bytes,
                };
                if !send(chunk) {
                    break;
                }
                header = false;
                offset += lines;
                fed -= end;
                cut = 0;
            }
        }
        if eof {
            break;
        }
    }
    Ok(())
}

/// The CSV reader of [`read_parallel`] without the threads: the file cut into chunks of
/// about `chunk_bytes` exactly as the workers get them, each read in turn. It must report
/// exactly what [`read`] reports; the tests and the fuzzer hold it to that.
pub fn read_csv_chunked(
    input: &mut dyn BufRead,
    sink: &mut dyn Sink,
    chunk_bytes: usize,
) -> Result<(), String> {
    let delimiter = csv_delimiter(input.fill_buf().map_err(|e| e.to_string())?);
    let mut chunks = Vec::new();
    split_csv(input, sink, delimiter, chunk_bytes, &mut |c| {
        chunks.push(c);
        true
    })?;
    for chunk in chunks {
        read_chunk(delimiter, &chunk, sink);
    }
    Ok(())
}

/// Reads the rows of one chunk.
fn read_chunk(delimiter: u8, chunk: &Chunk, sink: &mut dyn Sink) {
    let mut rdr = csv_reader(delimiter, &chunk.bytes[..]);
    if chunk.header {
        // Parsed already, by the splitter.
        let _ = rdr.read_byte_record(&mut csv::ByteRecord::new());
    }
    // Reading a slice cannot fail.
    let _ = csv_body(&mut rdr, &chunk.columns, chunk.offset, sink);
}

fn newlines(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c == b'\n').count() as u64
}

#[cfg(test)]
mod csv_split_tests {
    use super::*;

    /// Records everything a reader reports, in order.
    #[derive(Default)]
    struct Log(Vec<String>);
    impl Sink for Log {
        fn signin(&mut self, r: SignIn) {
            let (code, user, app, time, n) = (r.code, &r.user, &r.app, &r.time, r.weight);
            self.0.push(format!("{code} {user} {app} {time:?} x{n}"));
        }
        fn skip(&mut self, at: String, reason: String) {
            self.0.push(format!("skip {at}: {reason}"));
        }
    }
    impl Part for Log {
        fn absorb(&mut self, o: Self) {
            self.0.extend(o.0);
        }
    }

    /// A portal-style export with what makes splitting hard: CRLF, a BOM, quoted cells
    /// with delimiters and doubled quotes, blank lines, bad rows, a quoted line break, and
    /// a quote that never closes at the end.
    fn hard_csv() -> Vec<u8> {
        let mut s = String::from("\u{feff}Date (UTC),Request ID,User,Username,Application,Sign-in error code,Failure reason\r\n");
        for i in 0..300 {
            let code = [0, 50126, 50074, 53003][i % 4];
            match i % 37 {
                5 => s.push_str("not a date,x,Bad,bad@contoso.com,App,50126,\r\n"),
                9 => s.push_str("\r\n"),
                13 => s.push_str(&format!(
                    "2025-03-04T08:{:02}:00Z,r{i},\"Multi\nLine\",m{i}@contoso.com,App,50126,\"two\nlines\"\r\n",
                    i % 60
                )),
                21 => s.push_str("2025-03-04T08:00:00Z,x,Y,y@contoso.com,App,abc,\r\n"),
                _ => s.push_str(&format!(
                    "2025-03-04T{:02}:{:02}:00Z,r{i},\"Doe, Jane \"\"JD\"\"\",user{}@contoso.com,\"App, {}\",{code},\"Reason, with comma\"\r\n",
                    i / 60 % 24,
                    i % 60,
                    i % 17,
                    i % 5
                )),
            }
        }
        s.push_str("2025-03-04T09:00:00Z,last,\"Never closed,u@contoso.com,App,0,\r\n2025-03-04T09:01:00Z,z,Z,z@contoso.com,App,0,\r\n");
        s.into_bytes()
    }

    fn sequential(data: &[u8]) -> Vec<String> {
        let mut log = Log::default();
        read(Shape::Csv, &mut &data[..], &mut log).unwrap();
        log.0
    }

    #[test]
    fn chunks_of_any_size_read_like_one_reader() {
        let data = hard_csv();
        let want = sequential(&data);
        assert!(want.iter().any(|l| l.contains("not closed")), "{want:?}");
        assert!(
            want.iter().any(|l| l.starts_with("skip line 7:")),
            "{want:?}"
        );
        for chunk_bytes in [1, 64, 333, 4096, 1 << 20] {
            let mut log = Log::default();
            let mut input = std::io::BufReader::with_capacity(100, &data[..]);
            read_csv_chunked(&mut input, &mut log, chunk_bytes).unwrap();
            assert_eq!(log.0, want, "chunks of {chunk_bytes} bytes");
        }
    }

    #[test]
    fn a_row_starting_with_a_byte_order_mark_is_not_cut_before() {
        let mut data = b"Date (UTC),Username,Sign-in error code\n".to_vec();
        for i in 0..50 {
            data.extend_from_slice(format!("\u{feff}2025-03-04T08:00:00Z,u{i},0\n").as_bytes());
        }
        let want = sequential(&data);
        for chunk_bytes in [1, 10, 100] {
            let mut log = Log::default();
            read_csv_chunked(&mut &data[..], &mut log, chunk_bytes).unwrap();
            assert_eq!(log.0, want, "chunks of {chunk_bytes} bytes");
        }
    }

    #[test]
    fn worker_threads_read_like_one_reader() {
        let data = hard_csv();
        let mut want = sequential(&data);
        let mut log = Log::default();
        read_parallel(Shape::Csv, &mut &data[..], &mut log, 3, &Log::default).unwrap();
        want.sort();
        log.0.sort();
        assert_eq!(log.0, want);
    }

    /// Gives `ok` bytes of `data`, then fails, as a truncated gzip stream does.
    struct FailAfter<'a> {
        data: &'a [u8],
        ok: usize,
    }
    impl std::io::Read for FailAfter<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.ok == 0 {
                return Err(std::io::Error::other("unexpected end of gzip stream"));
            }
            let n = buf.len().min(self.ok).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            self.ok -= n;
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_keeps_the_rows_before_it_in_both_readers() {
        let data = hard_csv();
        for ok in [500, 5000, data.len() / 2] {
            let mut seq = Log::default();
            let mut input = std::io::BufReader::with_capacity(64, FailAfter { data: &data, ok });
            let e1 = read(Shape::Csv, &mut input, &mut seq).unwrap_err();
            let mut par = Log::default();
            let mut input = std::io::BufReader::with_capacity(64, FailAfter { data: &data, ok });
            let e2 = read_parallel(Shape::Csv, &mut input, &mut par, 2, &Log::default).unwrap_err();
            assert!(e1.contains("gzip") && e2.contains("gzip"), "{e1} / {e2}");
            let rows = |l: &Log| l.0.iter().filter(|r| !r.starts_with("skip")).count();
            assert!(rows(&par) > 0, "rows before the error at {ok} are kept");
            assert_eq!(rows(&seq), rows(&par), "error after {ok} bytes");
        }
    }

    #[test]
    fn text_over_worker_threads_finds_what_one_reader_finds() {
        // Over two chunks of text, with errors on both sides of the cut and a line longer
        // than a chunk.
        let mut text = String::new();
        let mut i = 0;
        while text.len() < TEXT_CHUNK * 2 + 1000 {
            i += 1;
            let code = [50126, 700016, 50011, 53003][i % 4];
            text.push_str(&format!(
                "2025-03-04T08:{:02}:00Z worker {i} failed: AADSTS{code}: sign-in failed. Trace ID: {i:08x}-1111-4222-8333-000000000000\n",
                i % 60
            ));
            if i == 20_000 {
                text.push_str(&"x".repeat(TEXT_CHUNK + 10));
                text.push_str(" AADSTS90002 at the end of a very long line\n");
            }
        }
        let data = text.into_bytes();
        let mut one = Log::default();
        read(Shape::Text, &mut &data[..], &mut one).unwrap();
        let mut many = Log::default();
        read_parallel(Shape::Text, &mut &data[..], &mut many, 2, &Log::default).unwrap();
        assert!(
            one.0.iter().any(|l| l.starts_with("90002 ")),
            "{:?}",
            &one.0[..4]
        );
        one.0.sort();
        many.0.sort();
        assert_eq!(one.0, many.0);
    }

    #[test]
    fn a_header_without_a_code_column_is_an_error_in_both_readers() {
        let data = b"a,b,c\n1,2,3\n".to_vec();
        let mut log = Log::default();
        let seq = read(Shape::Csv, &mut &data[..], &mut log).unwrap_err();
        let par =
            read_parallel(Shape::Csv, &mut &data[..], &mut log, 2, &Log::default).unwrap_err();
        assert_eq!(seq, par);
        assert!(seq.contains("no error-code column"), "{seq}");
    }
}
