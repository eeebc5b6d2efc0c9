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
    if (lower.contains("sign-in error code") || lower.contains("resulttype"))
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
                match c.record(&row) {
                    Ok(r) => sink.signin(r),
                    Err(why) => sink.skip(format!("line {line}"), why),
                }
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
        let text = String::from_utf8_lossy(&buf);
        let t = text.trim();
        if t.is_empty() {
            continue;
        }
        // A syslog or timestamp prefix before the record is allowed.
        let Some(start) = t.find('{') else {
            sink.skip(format!("line {line}"), "no JSON object on this line".into());
            continue;
        };
        match serde_json::from_str::<Value>(&t[start..]) {
            Ok(v) => one_value(v, &format!("line {line}"), sink),
            Err(e) => sink.skip(format!("line {line}"), format!("invalid JSON: {e}")),
        }
    }
    Ok(())
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
