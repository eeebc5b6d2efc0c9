//! Readers for each export shape, all streaming: a record is handed on as soon as it is
//! read, so memory depends on the distinct keys counted, not on the file size.

use crate::record::{self, CsvColumns, SignIn, SignInRef};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::io::BufRead;

mod jsondoc;

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
    /// A sign-in whose text is borrowed from the row (CSV); by default made owned.
    fn signin_ref(&mut self, r: SignInRef<'_>) {
        self.signin(r.into_owned());
    }
    /// A row that could not be used: `at` is `line N` or `record N`.
    fn skip(&mut self, at: String, reason: String);
}

/// The most one record may take: a CSV record (with its fields), a JSON line, one element
/// of a JSON array (issue 22: a 10 MB gzip of one endless field or line drove the scan past
/// 3 GB). A JSON line or array element above it is a counted skip; CSV and JSON documents
/// cannot be resynchronised after one, so the file stops there with an error (the records
/// before it are counted).
pub const MAX_RECORD: usize = 16 << 20;

/// The reason given for a record above [`MAX_RECORD`].
pub const TOO_LONG: &str =
    "longer than 16 MiB, the most one record may take (see docs/hostile-inputs.md); not read";

/// The error that stops a file at a record above [`MAX_RECORD`].
fn too_long_stop(kind: &str, line: u64) -> String {
    format!("line {line}: a {kind} record longer than 16 MiB (the most one record may take); the rest of the file is not read")
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

/// CSV on one thread: cut into chunks of whole records exactly as the workers get them
/// (so a record above [`MAX_RECORD`] stops both readers at the same place), each read as
/// soon as it is cut.
fn read_csv(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), String> {
    let delimiter = csv_delimiter(input.fill_buf().map_err(|e| e.to_string())?);
    split_csv(input, sink, delimiter, CHUNK_BYTES, &mut |chunk, sink| {
        read_chunk(delimiter, &chunk, sink);
        true
    })
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

/// Reads the rows after the header (the reference reader: the scan reads chunks with
/// [`read_chunk`], held to this by the tests). `offset` is the number of lines before the first
/// byte `rdr` reads (its chunk's place in the file), so that skipped rows are reported
/// at their line in the file.
#[cfg(test)]
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
            swallowed_rows(line, swallowed, sink);
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
        let (n, whole) = read_line_limited(input, &mut buf, MAX_RECORD)?;
        if n == 0 {
            break;
        }
        line += 1;
        if whole {
            json_line(&buf, line, sink);
        } else {
            sink.skip(format!("line {line}"), TOO_LONG.into());
        }
    }
    Ok(())
}

/// Reads one line (with its `\n`) into `buf`, keeping at most `limit` bytes of it: a longer
/// line is read to its end and dropped (`buf` left empty, `false` returned). Gives the
/// number of bytes read.
fn read_line_limited(
    input: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> Result<(usize, bool), String> {
    let mut n = 0;
    let mut whole = true;
    loop {
        let avail = input.fill_buf().map_err(|e| e.to_string())?;
        if avail.is_empty() {
            return Ok((n, whole));
        }
        let (take, done) = match memchr::memchr(b'\n', avail) {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        if whole {
            let content = buf.len() + take - usize::from(done);
            if content > limit {
                whole = false;
                *buf = Vec::new();
            } else {
                buf.extend_from_slice(&avail[..take]);
            }
        }
        input.consume(take);
        n += take;
        if done {
            return Ok((n, whole));
        }
    }
}

/// Lines of a chunk that starts at line `first`.
fn json_lines_chunk(chunk: &[u8], first: u64, sink: &mut dyn Sink) {
    // The pieces `split(b'\n')` gives, found with memchr (the byte-by-byte split was a
    // tenth of a two-worker scan).
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', chunk).chain([chunk.len()]);
    for (line, end) in (first..).zip(ends) {
        let l = &chunk[start..end];
        if line > first || !l.is_empty() {
            json_line(l, line, sink);
        }
        start = end + 1;
    }
}

fn json_line(bytes: &[u8], line: u64, sink: &mut dyn Sink) {
    let text = record::utf8_lossy(bytes);
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
    // One strict pass that borrows the fields from the line; it answers only when it is
    // sure to agree with the serde path below.
    if let Some(r) = record::json_line_fast(json) {
        sink.signin_ref(r);
        return;
    }
    json_line_serde(json, line, sink);
}

/// The serde path of [`json_line`] (the reference its fast path is tested against).
fn json_line_serde(json: &str, line: u64, sink: &mut dyn Sink) {
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
    meter: &'a Meter,
    /// The first element met is the stand-in `{}` of a resumed read (see [`Resume`]).
    stand_in: &'a std::cell::Cell<bool>,
}

/// Bytes and lines read from a JSON document, and bytes since the current record began:
/// the reader refuses to go on once one record passes [`MAX_RECORD`].
#[derive(Default)]
struct Meter {
    since: std::cell::Cell<usize>,
    lines: std::cell::Cell<u64>,
    start_line: std::cell::Cell<u64>,
    /// The record's first byte (past white space and a comma) is still to come.
    pending: std::cell::Cell<bool>,
}

impl Meter {
    /// A record begins here.
    fn reset(&self) {
        self.since.set(0);
        self.start_line.set(self.lines.get() + 1);
        self.pending.set(true);
    }
    fn too_long(&self) -> bool {
        self.since.get() > MAX_RECORD
    }
}

/// A reader that counts for a [`Meter`] and fails once the current record is too long.
/// serde_json reads it a byte at a time, so it serves bytes from a block of its own: a
/// call through `dyn BufRead` for every byte was 40 % of a Graph page's scan.
struct Metered<'a> {
    inner: &'a mut dyn BufRead,
    meter: &'a Meter,
    block: Vec<u8>,
    at: usize,
}

impl<'a> Metered<'a> {
    fn new(inner: &'a mut dyn BufRead, meter: &'a Meter) -> Self {
        Metered {
            inner,
            meter,
            block: Vec::new(),
            at: 0,
        }
    }
}

impl Metered<'_> {
    /// The accounting of one byte served.
    #[inline]
    fn count(&self, b: u8) {
        let m = self.meter;
        m.since.set(m.since.get() + 1);
        if m.pending.get() && !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',') {
            m.start_line.set(m.lines.get() + 1);
            m.pending.set(false);
        }
        if b == b'\n' {
            m.lines.set(m.lines.get() + 1);
        }
    }
}

impl std::io::Read for Metered<'_> {
    #[inline]
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // serde_json's way: one byte, from the block (no copy call).
        if let ([one], Some(&b)) = (&mut *buf, self.block.get(self.at)) {
            if self.meter.too_long() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "record too long",
                ));
            }
            *one = b;
            self.at += 1;
            self.count(b);
            return Ok(1);
        }
        if self.meter.too_long() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "record too long",
            ));
        }
        if self.at == self.block.len() {
            // What the inner reader holds now (a read error comes, as before, once every
            // byte before it has been served).
            let avail = self.inner.fill_buf()?;
            self.block.clear();
            self.block.extend_from_slice(avail);
            let n = avail.len();
            self.inner.consume(n);
            self.at = 0;
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        let m = self.meter;
        m.since.set(m.since.get() + n);
        for &b in &buf[..n] {
            if m.pending.get() && !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',') {
                m.start_line.set(m.lines.get() + 1);
                m.pending.set(false);
            }
            if b == b'\n' {
                m.lines.set(m.lines.get() + 1);
            }
        }
        Ok(n)
    }
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
        loop {
            self.meter.reset();
            if self.stand_in.take() {
                seq.next_element::<IgnoredAny>()?;
                continue;
            }
            // Only the fields `from_json` reads are built (the same parse as `Value`).
            let Some(v) = seq.next_element_seed(record::SignInValue)? else {
                break;
            };
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
                    meter: self.meter,
                    stand_in: self.stand_in,
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
    jsondoc::read(input, sink)
}

/// Where a serde read of a JSON document takes over from the fast reader ([`jsondoc`]): it
/// reads a stand-in opening (`[` or `{"value":[`, and `{}` for the record before when there
/// was one) followed by the rest of the file, and reports places as in the file.
#[derive(Default, Clone, Copy)]
pub(crate) struct Resume {
    /// Records read before.
    pub count: u64,
    /// Lines before the line the rest starts on.
    pub lines: u64,
    /// What to add to a column on the stand-in's line (the rest's column minus the stand-in's
    /// length).
    pub shift: i64,
    /// The stand-in holds a `{}` for the record before.
    pub stand_in: bool,
}

impl Resume {
    fn line(&self, line: usize) -> u64 {
        if line == 0 {
            0
        } else {
            self.lines + line as u64
        }
    }
    /// serde_json's message with its place in the file.
    fn message(&self, e: &serde_json::Error) -> String {
        let text = e.to_string();
        if e.line() == 0 || (self.lines == 0 && self.shift == 0) {
            return text;
        }
        let at = format!(" at line {} column {}", e.line(), e.column());
        let Some(code) = text.strip_suffix(&at) else {
            return text;
        };
        let column = if e.line() == 1 {
            e.column() as i64 + self.shift
        } else {
            e.column() as i64
        };
        format!("{code} at line {} column {column}", self.line(e.line()))
    }
}

/// The serde reader of JSON documents: the reference, and what reads a document from where
/// the fast reader leaves it.
pub(crate) fn read_json_serde(
    input: &mut dyn BufRead,
    sink: &mut dyn Sink,
    at: Resume,
) -> Result<(), String> {
    let meter = Meter::default();
    meter.lines.set(at.lines);
    meter.reset();
    let stand_in = std::cell::Cell::new(at.stand_in);
    let mut de = serde_json::Deserializer::from_reader(Metered::new(input, &meter));
    let mut count = at.count;
    let mut documents = 0u64;
    // PowerShell appends pages to one file: several top-level documents in a row.
    loop {
        // Each document starts a record (a file of many single-object documents is many
        // records, however long together).
        meter.reset();
        let seed = Records {
            sink: &mut *sink,
            count: &mut count,
            meter: &meter,
            stand_in: &stand_in,
        };
        match seed.deserialize(&mut de) {
            Ok(()) => documents += 1,
            Err(e) if e.is_eof() && documents > 0 => break,
            Err(_) if meter.too_long() => {
                let line = meter.start_line.get();
                sink.skip(format!("line {line}"), TOO_LONG.into());
                return Err(too_long_stop("JSON", line));
            }
            Err(e) => {
                sink.skip(
                    format!("line {}", at.line(e.line())),
                    format!(
                        "JSON stops being readable here ({}); the rest of the file was not read",
                        at.message(&e)
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

/// A chunk of text; its buffer goes back to the reader that filled it when it is dropped,
/// so that each chunk is read into memory already mapped. A fresh 8 MiB buffer per chunk
/// cost a page fault every 4 KiB, a fifth of a two-thread scan's time.
struct TextChunk {
    bytes: Vec<u8>,
    pool: std::sync::Weak<Pool>,
}

impl std::ops::Deref for TextChunk {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for TextChunk {
    fn drop(&mut self) {
        // Once the reader is done, the pool is gone and the buffer is freed.
        if let Some(pool) = self.pool.upgrade() {
            pool.give(std::mem::take(&mut self.bytes));
        }
    }
}

fn split_text(
    input: &mut dyn BufRead,
    send: &mut dyn FnMut(TextChunk) -> bool,
) -> Result<(), String> {
    use std::sync::Arc;
    // Bytes are read straight into the chunk being filled (they were read into a buffer
    // and copied, and the chunk grew by doubling, copying it again), with room for a whole
    // read beyond a chunk so that it never grows. Each read asks for TEXT_CHUNK bytes as
    // before, so the chunks are cut where they always were.
    // As many buffers as can be in flight at once are kept (the channel's capacity and one
    // per worker).
    let pool = Arc::new(Pool::new(8));
    // A new buffer is allocated zeroed (fresh pages, mapped only where a read writes: a
    // small file touches a few); one that comes back keeps its bytes, which are overwritten.
    let buffer = || pool.pop().unwrap_or_else(|| vec![0u8; 2 * TEXT_CHUNK]);
    let chunk = |bytes: Vec<u8>| TextChunk {
        bytes,
        pool: Arc::downgrade(&pool),
    };
    let mut carry = buffer();
    let mut filled = 0;
    loop {
        if carry.len() < filled + TEXT_CHUNK {
            carry.resize(filled + TEXT_CHUNK, 0);
        }
        let n = match input.read(&mut carry[filled..filled + TEXT_CHUNK]) {
            Ok(n) => n,
            Err(e) => {
                // What was read before the error is still searched.
                carry.truncate(filled);
                if !carry.is_empty() {
                    send(chunk(carry));
                }
                return Err(e.to_string());
            }
        };
        if n == 0 {
            carry.truncate(filled);
            if !carry.is_empty() {
                send(chunk(carry));
            }
            return Ok(());
        }
        filled += n;
        if filled >= TEXT_CHUNK {
            let cut = memchr::memrchr(b'\n', &carry[..filled]).map_or(filled, |i| i + 1);
            let mut rest = buffer();
            let left = filled - cut;
            if rest.len() < left {
                rest.resize(left, 0);
            }
            rest[..left].copy_from_slice(&carry[cut..filled]);
            filled = left;
            carry.truncate(cut);
            if !send(chunk(std::mem::replace(&mut carry, rest))) {
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
    /// Called on the worker's own thread when its input has run out, before it is absorbed:
    /// work done here runs in parallel, `absorb` runs on one thread.
    fn finish(&mut self) {}
    /// The scan was cancelled: workers skip the chunks still queued.
    fn cancelled(&self) -> bool {
        false
    }
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
    if workers < 2 {
        return read(shape, input, main);
    }
    match shape {
        Shape::Json => jsondoc::read_parallel(input, main, workers, make),
        Shape::Text => fan_out(
            main,
            workers,
            make,
            &|chunk: TextChunk, part: &mut S| text_chunk(&chunk, part),
            |_, send| split_text(input, send),
        ),
        Shape::JsonLines => {
            // Chunk buffers go back to the reading thread once read: a fresh megabyte per
            // chunk, allocated on one thread and freed on another, cost page faults and
            // cross-core TLB flushes.
            let pool = Pool::new(workers * 2 + 2);
            fan_out(
                main,
                workers,
                make,
                &|(first, chunk): (u64, Vec<u8>), part: &mut S| {
                    json_lines_chunk(&chunk, first, part);
                    pool.give(chunk);
                },
                |main, send| split_lines(input, main, &pool, send),
            )
        }
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
                |main, send| split_csv(input, main, delimiter, CHUNK_BYTES, &mut |c, _| send(c)),
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
                        if !part.cancelled() {
                            work(item, &mut part);
                        }
                    }
                    part.finish();
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
/// first line, to `send`. Every byte is looked at once (the search for line ends used to
/// start again at the beginning of the carried bytes on every read: a 64 MB line took 7 s).
/// A line above [`MAX_RECORD`] is reported to `sink` and dropped as it is read; an empty
/// line takes its place, so that the lines after it keep their numbers.
fn split_lines(
    input: &mut dyn BufRead,
    sink: &mut dyn Sink,
    pool: &Pool,
    send: &mut dyn FnMut((u64, Vec<u8>)) -> bool,
) -> Result<(), String> {
    let mut carry: Vec<u8> = Vec::new();
    let mut line = 1u64; // the number of the line carry starts with
    let mut lines_in_carry = 0u64; // line ends in carry
    let mut line_start = 0usize; // where the unfinished last line of carry starts
    let mut dropping = false; // inside a line too long, already reported
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
        let n = buf.len();
        let mut rest = buf;
        while !rest.is_empty() {
            let end = memchr::memchr(b'\n', rest);
            let seg = &rest[..end.map_or(rest.len(), |i| i + 1)];
            rest = &rest[seg.len()..];
            if !dropping {
                carry.extend_from_slice(seg);
                let content = carry.len() - line_start - usize::from(end.is_some());
                if content > MAX_RECORD {
                    carry.truncate(line_start);
                    sink.skip(format!("line {}", line + lines_in_carry), TOO_LONG.into());
                    dropping = true;
                }
            }
            if end.is_some() {
                if dropping {
                    carry.push(b'\n');
                    dropping = false;
                }
                lines_in_carry += 1;
                line_start = carry.len();
            }
        }
        input.consume(n);
        if carry.len() >= CHUNK_BYTES && line_start > 0 {
            let mut rest = pool.take(0);
            rest.extend_from_slice(&carry[line_start..]);
            carry.truncate(line_start);
            let chunk = std::mem::replace(&mut carry, rest);
            if !send((line, chunk)) {
                return Ok(());
            }
            line += lines_in_carry;
            lines_in_carry = 0;
            line_start = 0;
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
    /// Where the buffer goes when the chunk has been read, for the next chunk.
    pool: std::sync::Arc<Pool>,
}

/// Chunk buffers for reuse, shared by the CSV, JSON-lines and text readers: a fresh buffer
/// per chunk (and the growth of each) cost page faults and copies on every megabyte read,
/// most of all with worker threads. At most `keep` are held: as many as can be in flight
/// at once; more would only hold memory.
struct Pool {
    free: std::sync::Mutex<Vec<Vec<u8>>>,
    keep: usize,
}

impl Pool {
    fn new(keep: usize) -> Self {
        Pool {
            free: Default::default(),
            keep,
        }
    }

    /// A buffer given back, as it was (its bytes are the caller's to overwrite or clear).
    fn pop(&self) -> Option<Vec<u8>> {
        self.free.lock().ok().and_then(|mut v| v.pop())
    }

    /// An empty buffer that holds at least `cap` bytes.
    fn take(&self, cap: usize) -> Vec<u8> {
        let mut b = self.pop().unwrap_or_default();
        b.clear();
        b.reserve(cap);
        b
    }

    fn give(&self, b: Vec<u8>) {
        if let Ok(mut v) = self.free.lock() {
            if v.len() < self.keep {
                v.push(b);
            }
        }
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        self.pool.give(std::mem::take(&mut self.bytes));
    }
}

/// Reads `input` to its end, parses the header itself (reporting to `sink`), and passes
/// chunks of whole records to `send`. No chunk but the first starts with a byte-order mark.
fn split_csv(
    input: &mut dyn BufRead,
    sink: &mut dyn Sink,
    delimiter: u8,
    chunk_bytes: usize,
    send: &mut dyn FnMut(Chunk, &mut dyn Sink) -> bool,
) -> Result<(), String> {
    const BOM: &[u8] = b"\xef\xbb\xbf";
    let mut splitter = crate::csvscan::Splitter::new(delimiter);
    let pool = std::sync::Arc::new(Pool::new(16));
    // A chunk and one more read (the reader's buffer is 256 KiB), so a buffer never grows.
    let room = chunk_bytes + (1 << 19);
    let mut carry: Vec<u8> = pool.take(room);
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
                    let line = offset + newlines(&bytes) + 1;
                    send(
                        Chunk {
                            columns: c.clone(),
                            offset,
                            header,
                            bytes,
                            pool: pool.clone(),
                        },
                        sink,
                    );
                    // The record the error cut short is counted, not lost silently.
                    if !carry[cut..].iter().all(u8::is_ascii_whitespace) {
                        sink.skip(
                            format!("line {line}"),
                            format!("cut short by a read error ({e}); not read"),
                        );
                    }
                }
                return Err(e.to_string());
            }
        };
        let eof = buf.is_empty();
        let n = buf.len();
        carry.extend_from_slice(buf);
        input.consume(n);
        let mut too_long = false;
        loop {
            let end = match splitter.next_end(&carry, fed) {
                Some(end) => end,
                None => {
                    fed = carry.len();
                    // At the end of the input an open record ends there.
                    if eof && splitter.pending() && cut < carry.len() {
                        carry.len()
                    } else {
                        break;
                    }
                }
            };
            fed = end;
            if fed - cut > MAX_RECORD {
                too_long = true;
                break;
            }
            cut = fed;
            if columns.is_none() {
                let mut rdr = csv_reader(delimiter, &carry[..cut]);
                columns = csv_header(&mut rdr, sink)?.map(std::sync::Arc::new);
            }
            if fed == carry.len() && eof {
                break;
            }
        }
        // A record above the limit (one endless field, or a quote that never closes in a
        // huge file): the records before it are read, then the file stops, the same in
        // every chunking (the check is at each record end and at the end of each read).
        if too_long || carry.len() - cut > MAX_RECORD {
            let line = offset + newlines(&carry[..cut]) + 1;
            if let Some(c) = &columns {
                carry.truncate(cut);
                let bytes = std::mem::take(&mut carry);
                send(
                    Chunk {
                        columns: c.clone(),
                        offset,
                        header,
                        bytes,
                        pool: pool.clone(),
                    },
                    sink,
                );
            }
            sink.skip(format!("line {line}"), TOO_LONG.into());
            return Err(too_long_stop("CSV", line));
        }
        if let Some(c) = &columns {
            let next = &carry[cut..];
            let bom_next = next.starts_with(BOM) || (next.len() < BOM.len() && !eof);
            if (cut >= chunk_bytes && !bom_next) || (eof && !carry.is_empty()) {
                let end = if eof { carry.len() } else { cut };
                let mut rest = pool.take(room);
                rest.extend_from_slice(&carry[end..]);
                carry.truncate(end);
                let bytes = std::mem::replace(&mut carry, rest);
                let lines = newlines(&bytes);
                let chunk = Chunk {
                    columns: c.clone(),
                    offset,
                    header,
                    bytes,
                    pool: pool.clone(),
                };
                if !send(chunk, sink) {
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
    split_csv(input, sink, delimiter, chunk_bytes, &mut |chunk, sink| {
        read_chunk(delimiter, &chunk, sink);
        true
    })
}

/// Reads the rows of one chunk, as `csv_body` reads them (the tests hold the two
/// together), with the cells borrowed from the chunk.
fn read_chunk(delimiter: u8, chunk: &Chunk, sink: &mut dyn Sink) {
    let mut header = chunk.header;
    // UTF-8 checked once for the chunk (a cell at a time was a tenth of a Log Analytics
    // scan); a chunk that is not decodes each cell on its own, lossily, as before.
    let text = std::str::from_utf8(&chunk.bytes).ok();
    crate::csvscan::for_each_record(&chunk.bytes, delimiter, |rec| {
        if std::mem::take(&mut header) {
            // Parsed already, by the splitter.
            return;
        }
        let line = chunk.offset + rec.line;
        if rec.is_blank() {
            return;
        }
        // Sign-in exports have no multi-line fields: a line break inside a field is a
        // quote that never closed, and the lines it swallowed are rows lost. Count them.
        let swallowed = rec.inner_line_ends();
        if swallowed > 0 {
            swallowed_rows(line, swallowed, sink);
            return;
        }
        let then = |r: Result<SignInRef, String>| match r {
            Ok(r) => sink.signin_ref(r),
            Err(why) => sink.skip(format!("line {line}"), why),
        };
        match text {
            Some(t) => chunk.columns.record_text_then(|i| rec.get_text(t, i), then),
            None => chunk.columns.record_cells_then(|i| rec.get(i), then),
        }
    });
}

/// Reports a row whose quote never closed and the lines it swallowed.
fn swallowed_rows(line: u64, swallowed: usize, sink: &mut dyn Sink) {
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
}

fn newlines(b: &[u8]) -> u64 {
    crate::csvscan::count_line_ends(b) as u64
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

    /// The plain reader: one `csv::Reader` over the whole input, no chunks. The one-thread
    /// reader now cuts chunks too (for the record limit); this keeps an independent answer.
    fn plain(data: &[u8]) -> Vec<String> {
        let mut log = Log::default();
        let mut rdr = csv_reader(csv_delimiter(data), data);
        if let Some(columns) = csv_header(&mut rdr, &mut log).unwrap() {
            csv_body(&mut rdr, &columns, 0, &mut log).unwrap();
        }
        log.0
    }

    #[test]
    fn the_chunked_one_thread_reader_reads_like_a_plain_reader() {
        let data = hard_csv();
        assert_eq!(sequential(&data), plain(&data));
    }

    /// A chunk that is not UTF-8 (a Latin-1 name) has each cell decoded on its own, as a
    /// plain reader does; the chunks around it are checked whole.
    #[test]
    fn a_chunk_that_is_not_utf8_reads_like_a_plain_reader() {
        let mut data = hard_csv();
        let at = data.len() / 2;
        let line_end = at + data[at..].iter().position(|&b| b == b'\n').unwrap() + 1;
        data.splice(
            line_end..line_end,
            b"2025-03-04T08:00:00Z,r,Ren\xe9,ren\xe9@contoso.com,\"App \xe9\",50126,\r\n"
                .iter()
                .copied(),
        );
        let want = plain(&data);
        assert!(want.iter().any(|l| l.contains('\u{fffd}')), "{want:?}");
        assert_eq!(sequential(&data), want);
        for chunk_bytes in [64, 4096] {
            let mut log = Log::default();
            read_csv_chunked(&mut &data[..], &mut log, chunk_bytes).unwrap();
            assert_eq!(log.0, want, "chunks of {chunk_bytes} bytes");
        }
    }

    fn am_line(i: usize) -> String {
        format!("{{\"time\":\"2025-03-01T00:00:{:02}Z\",\"resultType\":\"50126\",\"properties\":{{\"userPrincipalName\":\"u{i}@contoso.com\"}}}}\n", i % 60)
    }

    /// Issue 22: one endless JSON line in a small gzip took gigabytes. A line above the
    /// limit is a counted skip at its line, in both readers, and the lines after it are read
    /// with their numbers.
    #[test]
    fn a_json_line_above_the_limit_is_a_counted_skip_in_both_readers() {
        let mut data = am_line(1).into_bytes();
        data.extend_from_slice(b"{\"time\":\"");
        data.resize(data.len() + MAX_RECORD, b'a');
        data.extend_from_slice(b"\"}\r\n");
        data.extend_from_slice(am_line(3).as_bytes());
        // A line of exactly the limit is still read (it is not JSON: a counted skip).
        data.extend(std::iter::repeat_n(b'b', MAX_RECORD));
        data.push(b'\n');
        data.extend_from_slice(am_line(5).as_bytes());
        // And a last line without a line end, above the limit.
        data.extend(std::iter::repeat_n(b'c', MAX_RECORD + 1));
        let mut one = Log::default();
        let input = &mut std::io::BufReader::with_capacity(1 << 16, &data[..]);
        read(Shape::JsonLines, input, &mut one).unwrap();
        let want = vec![
            "50126 u1@contoso.com  Some(\"2025-03-01T00:00:01Z\") x1".to_string(),
            format!("skip line 2: {TOO_LONG}"),
            "50126 u3@contoso.com  Some(\"2025-03-01T00:00:03Z\") x1".to_string(),
            "skip line 4: no JSON object on this line".to_string(),
            "50126 u5@contoso.com  Some(\"2025-03-01T00:00:05Z\") x1".to_string(),
            format!("skip line 6: {TOO_LONG}"),
        ];
        assert_eq!(one.0, want);
        let mut many = Log::default();
        let input = &mut std::io::BufReader::with_capacity(1 << 16, &data[..]);
        read_parallel(Shape::JsonLines, input, &mut many, 2, &Log::default).unwrap();
        many.0.sort();
        let mut want = want;
        want.sort();
        assert_eq!(many.0, want);
    }

    /// Issue 22: the worker split looked for the last line end from the start of what it
    /// carried on every read, so one long line cost time quadratic in its length (64 MB:
    /// 7 s). Now each byte is looked at once: 15 MiB in 8 KiB reads, well under a second.
    #[test]
    fn a_long_json_line_is_split_in_linear_time() {
        let mut data = vec![b'x'; 15 << 20];
        data.push(b'\n');
        data.extend_from_slice(am_line(1).as_bytes());
        let started = std::time::Instant::now();
        let mut log = Log::default();
        let mut chunks = 0;
        split_lines(
            &mut std::io::BufReader::with_capacity(8 << 10, &data[..]),
            &mut log,
            &Pool::new(1),
            &mut |(first, chunk)| {
                chunks += 1;
                assert_eq!(first, 1);
                assert_eq!(newlines(&chunk), 2);
                true
            },
        )
        .unwrap();
        let took = started.elapsed();
        assert_eq!(chunks, 1);
        assert!(log.0.is_empty(), "{:?}", log.0);
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    }

    /// A CSV record above the limit (an endless field, or a quote that never closes in a
    /// huge file) cannot be skipped over: the rows before it are read, it is a counted skip,
    /// and the file stops with an error naming its line, the same in every reader.
    #[test]
    fn a_csv_record_above_the_limit_stops_the_file_in_every_reader() {
        let mut data = b"Date (UTC),Username,Sign-in error code\n".to_vec();
        for i in 0..100 {
            data.extend_from_slice(
                format!("2025-03-04T08:00:00Z,u{i}@contoso.com,50126\n").as_bytes(),
            );
        }
        data.extend_from_slice(b"2025-03-04T08:00:00Z,\"");
        data.resize(data.len() + MAX_RECORD, b'a');
        data.extend_from_slice(b"\",50126\n2025-03-04T08:00:00Z,late@contoso.com,0\n");
        let check = |log: &Log, err: String| {
            assert_eq!(err, too_long_stop("CSV", 102));
            assert!(
                err.starts_with("line 102: a CSV record longer than 16 MiB"),
                "{err}"
            );
            let rows = log.0.iter().filter(|r| !r.starts_with("skip")).count();
            assert_eq!(rows, 100);
            let skips: Vec<_> = log.0.iter().filter(|r| r.starts_with("skip")).collect();
            assert_eq!(skips, vec![&format!("skip line 102: {TOO_LONG}")]);
        };
        for cap in [1 << 10, 1 << 16, 1 << 20] {
            let mut log = Log::default();
            let input = &mut std::io::BufReader::with_capacity(cap, &data[..]);
            let err = read(Shape::Csv, input, &mut log).unwrap_err();
            check(&log, err);
            let mut log = Log::default();
            let input = &mut std::io::BufReader::with_capacity(cap, &data[..]);
            let err = read_parallel(Shape::Csv, input, &mut log, 2, &Log::default).unwrap_err();
            check(&log, err);
        }
        // The record is too long even when it ends inside one read.
        let mut log = Log::default();
        let err = read(Shape::Csv, &mut &data[..], &mut log).unwrap_err();
        check(&log, err);
    }

    /// A JSON document whose one element is above the limit: the elements before it are
    /// read, then the file stops (a JSON document cannot be resynchronised).
    #[test]
    fn a_json_array_element_above_the_limit_stops_the_file() {
        let mut data = b"[\n".to_vec();
        for i in 0..3 {
            data.extend_from_slice(am_line(i).trim_end().as_bytes());
            data.extend_from_slice(b",\n");
        }
        data.extend_from_slice(b"{\"resultType\": \"");
        data.resize(data.len() + MAX_RECORD, b'a');
        data.extend_from_slice(b"\"}]\n");
        let mut log = Log::default();
        let err = read(Shape::Json, &mut &data[..], &mut log).unwrap_err();
        assert_eq!(err, too_long_stop("JSON", 5), "{:?}", log.0);
        assert_eq!(log.0.len(), 4, "{:?}", log.0);
        assert_eq!(log.0[3], format!("skip line 5: {TOO_LONG}"));
        // The limit is per record, not per file: single-object documents one after the
        // other (PowerShell appends them) and a long array are read whole.
        for (open, sep, close) in [("", "\n", ""), ("[", ",\n", "]")] {
            let mut data = open.as_bytes().to_vec();
            let mut n = 0;
            while data.len() <= MAX_RECORD + 1000 {
                if n > 0 {
                    data.extend_from_slice(sep.as_bytes());
                }
                data.extend_from_slice(am_line(n).trim_end().as_bytes());
                data.extend(std::iter::repeat_n(b' ', 4000));
                n += 1;
            }
            data.extend_from_slice(close.as_bytes());
            let mut log = Log::default();
            read(Shape::Json, &mut &data[..], &mut log).unwrap();
            assert_eq!(log.0.len(), n, "{open}");
            assert!(log.0.iter().all(|l| !l.starts_with("skip")), "{open}");
        }
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

    /// The text splitter as it was before it read into recycled buffers.
    fn split_text_reference(input: &mut dyn BufRead) -> Vec<Vec<u8>> {
        let (mut out, mut carry, mut buf) = (Vec::new(), Vec::new(), vec![0u8; TEXT_CHUNK]);
        loop {
            let n = input.read(&mut buf).unwrap();
            if n == 0 {
                if !carry.is_empty() {
                    out.push(carry);
                }
                return out;
            }
            carry.extend_from_slice(&buf[..n]);
            if carry.len() >= TEXT_CHUNK {
                let cut = carry
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(carry.len(), |i| i + 1);
                let rest = carry.split_off(cut);
                out.push(std::mem::replace(&mut carry, rest));
            }
        }
    }

    /// Hands out at most the next of a cycle of sizes per read, as a pipe or a decoder may.
    struct Pieces {
        data: std::io::Cursor<Vec<u8>>,
        sizes: Vec<usize>,
        at: usize,
    }

    impl std::io::Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.sizes[self.at % self.sizes.len()].min(buf.len());
            self.at += 1;
            self.data.read(&mut buf[..n])
        }
    }

    #[test]
    fn text_chunks_are_cut_where_they_always_were() {
        let mut data = Vec::new();
        let mut i = 0usize;
        while data.len() < 3 * TEXT_CHUNK + 12345 {
            // Lines of many lengths, one longer than a chunk, a stretch without line ends.
            let len = match i % 97 {
                0 if i == 970 => TEXT_CHUNK + 77,
                5 => 70_000,
                _ => 20 + (i * 37) % 400,
            };
            data.extend(std::iter::repeat_n(b'a' + (i % 26) as u8, len));
            data.push(b'\n');
            i += 1;
        }
        for sizes in [
            vec![TEXT_CHUNK * 2],
            vec![8192],
            vec![1, 65536, 3_000_000, 17],
            vec![TEXT_CHUNK - 1, 2],
        ] {
            let pieces = |data: &Vec<u8>| Pieces {
                data: std::io::Cursor::new(data.clone()),
                sizes: sizes.clone(),
                at: 0,
            };
            let want = split_text_reference(&mut std::io::BufReader::new(pieces(&data)));
            let mut got: Vec<Vec<u8>> = Vec::new();
            split_text(&mut std::io::BufReader::new(pieces(&data)), &mut |c| {
                got.push(c.to_vec());
                true
            })
            .unwrap();
            assert_eq!(got.len(), want.len(), "{sizes:?}");
            assert!(got == want, "{sizes:?}");
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
