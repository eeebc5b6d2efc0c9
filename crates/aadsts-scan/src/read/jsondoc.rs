//! JSON documents (Graph `{"value":[...]}` pages, the portal's arrays, Event Hub `records`)
//! read without serde_json's byte-at-a-time reader, which was most of a Graph page's scan.
//!
//! The document's opening is checked here (`[`, or `{` with `@odata` string fields before
//! `value`/`records` and its `[`); then each element that is an object is cut out by a
//! string-and-depth state machine and parsed from the slice, with the same parse as before.
//! Anything else — an element that is not an object or does not parse, one deeper than 100
//! or near the record limit, the end of the array, a read error — hands the rest of the file
//! to the serde reader ([`super::read_json_serde`]) from the start of that element, behind a
//! stand-in opening that puts its parser in the state the old reader was in there; it then
//! reports the same records, errors, lines and columns as reading the whole file with it.

use super::{read_json_serde, Resume, Sink, MAX_RECORD};
use crate::record;
use serde::de::DeserializeSeed;
use std::io::{self, BufRead, Read};

/// An element deeper than this is left to the serde reader (whose depth limit counts the
/// levels above the element too).
const MAX_DEPTH: u32 = 100;

/// More than this from the end of the element before to the end of this one is left to the
/// serde reader, which applies [`MAX_RECORD`] exactly.
const NEAR_LIMIT: usize = MAX_RECORD - 4096;

/// Read beyond this before the first element, the opening is left to the serde reader.
const MAX_OPENING: usize = 64 << 10;

struct Doc<'a> {
    input: &'a mut dyn BufRead,
    /// Bytes read and not handed on: `buf[pos..]`.
    buf: Vec<u8>,
    pos: usize,
    /// Line (from 1) and column (bytes since its start) of `buf[pos]`.
    line: u64,
    col: u64,
    /// A read error met while filling, replayed to the serde reader after the bytes before it.
    failed: Option<io::Error>,
}

impl Doc<'_> {
    /// Appends what the input has; `false` at its end (or at a read error, kept for later).
    fn fill(&mut self) -> bool {
        if self.failed.is_some() {
            return false;
        }
        match self.input.fill_buf() {
            Ok([]) => false,
            Ok(avail) => {
                let n = avail.len();
                self.buf.extend_from_slice(avail);
                self.input.consume(n);
                true
            }
            Err(e) => {
                self.failed = Some(e);
                false
            }
        }
    }

    /// The byte at `j`, reading more when needed.
    fn byte(&mut self, j: usize) -> Option<u8> {
        while j >= self.buf.len() {
            if !self.fill() {
                return None;
            }
        }
        Some(self.buf[j])
    }

    fn ws(&mut self, mut j: usize) -> usize {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.byte(j) {
            j += 1;
        }
        j
    }

    /// A string without escapes or control characters starting at `j` (a quote): its end.
    fn plain_string(&mut self, j: usize) -> Option<usize> {
        if self.byte(j)? != b'"' {
            return None;
        }
        let mut k = j + 1;
        loop {
            match self.byte(k)? {
                b'"' => return Some(k + 1),
                b'\\' | 0..0x20 => return None,
                _ => k += 1,
            }
        }
    }

    /// Moves `pos` to `to`, keeping the line and column.
    fn advance(&mut self, to: usize) {
        let s = &self.buf[self.pos..to];
        match memchr::memrchr(b'\n', s) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', s).count() as u64;
                self.col = (s.len() - last - 1) as u64;
            }
            None => self.col += s.len() as u64,
        }
        self.pos = to;
        // Keep the buffer from growing with the file.
        if self.pos > (1 << 20) {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
    }

    /// The opening of a document this reader takes: `[`, or `{` with `@odata` fields whose
    /// values are plain strings (which the serde reader passes over) before `value` or
    /// `records` and its `[`. Gives the index after the `[` and the stand-in for it.
    fn opening(&mut self) -> Option<(usize, &'static [u8])> {
        let mut j = self.ws(0);
        match self.byte(j)? {
            b'[' => return Some((j + 1, b"[")),
            b'{' => j += 1,
            _ => return None,
        }
        loop {
            j = self.ws(j);
            let end = self.plain_string(j)?;
            let key = &self.buf[j + 1..end - 1];
            let wrapper = key == b"value" || key == b"records";
            let odata = key.starts_with(b"@odata");
            j = self.ws(end);
            if self.byte(j)? != b':' {
                return None;
            }
            j = self.ws(j + 1);
            if wrapper {
                return (self.byte(j)? == b'[').then_some((j + 1, b"{\"value\":[".as_slice()));
            }
            if !odata {
                return None;
            }
            let end = self.plain_string(j)?;
            j = self.ws(end);
            if self.byte(j)? != b',' || j > MAX_OPENING {
                return None;
            }
            j += 1;
        }
    }

    /// The next element of the array, read from the end of the one before (or the `[`):
    /// white space, a comma (not before the first), white space, then an object. Gives
    /// where the reading started, where the object starts and where it ends; `None` where
    /// anything else follows or the object is not whole.
    fn next_object(&mut self, first: bool) -> Option<(usize, usize, usize)> {
        let from = self.pos;
        let mut j = self.ws(from);
        if !first {
            if self.byte(j) != Some(b',') {
                return None;
            }
            j = self.ws(j + 1);
        }
        if self.byte(j) != Some(b'{') {
            return None;
        }
        let end = self.object_end(j, from)?;
        Some((from, j, end))
    }

    /// The end of the object starting at `start` (just past its `}`), or `None` when it is
    /// left to the serde reader (the input ends, too deep, near the record limit).
    fn object_end(&mut self, start: usize, from: usize) -> Option<usize> {
        let mut j = start + 1;
        let mut depth = 1u32;
        loop {
            if j - from > NEAR_LIMIT {
                return None;
            }
            let c = self.byte(j)?;
            j += 1;
            match c {
                b'"' => loop {
                    // To the closing quote, stepping over escapes.
                    let at = memchr::memchr2(b'"', b'\\', &self.buf[j..]);
                    match at {
                        Some(k) if self.buf[j + k] == b'"' => {
                            j += k + 1;
                            break;
                        }
                        Some(k) => {
                            self.byte(j + k + 1)?;
                            j += k + 2;
                        }
                        None => {
                            j = self.buf.len();
                            if j - from > NEAR_LIMIT || !self.fill() {
                                return None;
                            }
                        }
                    }
                },
                b'{' | b'[' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return None;
                    }
                }
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(j);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Reads a JSON document (or several in a row) to `sink`.
pub(super) fn read(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), String> {
    let mut d = Doc {
        input,
        buf: Vec::with_capacity(1 << 20),
        pos: 0,
        line: 1,
        col: 0,
        failed: None,
    };
    let Some((first, opening)) = d.opening() else {
        // Not an opening this reader takes: the serde reader reads all of it.
        return hand_over(d, sink, &[], Resume::default());
    };
    d.advance(first);
    let mut count = 0u64;
    while let Some((_, j, end)) = d.next_object(count == 0) {
        let mut de = serde_json::Deserializer::from_slice(&d.buf[j..end]);
        let parsed = record::SignInValue
            .deserialize(&mut de)
            .and_then(|v| de.end().map(|()| v));
        let Ok(v) = parsed else {
            break;
        };
        count += 1;
        match record::from_json(&v) {
            Ok(r) => sink.signin(r),
            Err(why) => sink.skip(format!("record {count}"), why),
        }
        d.advance(end);
    }
    // The serde reader goes on from the end of the last element read (or the `[`).
    let mut stand_in = opening.to_vec();
    if count > 0 {
        stand_in.extend_from_slice(b"{}");
    }
    let at = Resume {
        count,
        lines: d.line - 1,
        shift: d.col as i64 - stand_in.len() as i64,
        stand_in: count > 0,
    };
    hand_over(d, sink, &stand_in, at)
}

/// About this many bytes of elements go to a worker at a time.
const BATCH_BYTES: usize = 1 << 20;

/// Elements cut out by the reading thread, for a worker: a run of the file's bytes.
struct Batch {
    seq: u64,
    /// Records before its first.
    before: u64,
    bytes: Vec<u8>,
    /// Each element: where its run starts (the end of the element before), its `{`, its end.
    elems: Vec<(usize, usize, usize)>,
    /// Line and column of each element's run start.
    places: Vec<(u64, u64)>,
}

/// Keeps the file's order where it matters: batch `n` is declared good or bad only after
/// batch `n - 1`, and after the first element that does not parse nothing is counted.
#[derive(Default)]
struct Gate {
    state: std::sync::Mutex<GateState>,
    turn: std::sync::Condvar,
}

#[derive(Default)]
struct GateState {
    next: u64,
    /// The first element that did not parse: its batch and index.
    failed: Option<(u64, usize)>,
}

/// [`read`] with the elements parsed and counted on `workers` threads, in parts made by
/// `make` and absorbed into `main`; the same records, errors and places as [`read`].
pub(super) fn read_parallel<S: super::Part>(
    input: &mut dyn BufRead,
    main: &mut S,
    workers: usize,
    make: &(dyn Fn() -> S + Sync),
) -> Result<(), String> {
    read_parallel_in(input, main, workers, make, BATCH_BYTES)
}

fn read_parallel_in<S: super::Part>(
    input: &mut dyn BufRead,
    main: &mut S,
    workers: usize,
    make: &(dyn Fn() -> S + Sync),
    batch_bytes: usize,
) -> Result<(), String> {
    use std::sync::{mpsc, Arc, Mutex};
    let mut d = Doc {
        input,
        buf: Vec::with_capacity(1 << 20),
        pos: 0,
        line: 1,
        col: 0,
        failed: None,
    };
    let Some((first, opening)) = d.opening() else {
        return hand_over(d, main, &[], Resume::default());
    };
    d.advance(first);
    let gate = Gate::default();
    let (tx, rx) = mpsc::sync_channel::<Arc<Batch>>(workers * 2);
    let rx = Mutex::new(rx);
    // Batches sent and perhaps still needed (from the first one not yet declared good).
    let mut held: std::collections::VecDeque<Arc<Batch>> = Default::default();
    let mut count = 0u64;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| scope.spawn(|| work(&rx, &gate, make)))
            .collect();
        let mut seq = 0u64;
        let mut batch = Batch {
            seq,
            before: 0,
            bytes: Vec::new(),
            elems: Vec::new(),
            places: Vec::new(),
        };
        // Buffers of batches counted, for the next ones (a fresh megabyte each time, freed on
        // another thread, cost page faults).
        let mut spare: Vec<Vec<u8>> = Vec::new();
        let send = |batch: Batch,
                    held: &mut std::collections::VecDeque<Arc<Batch>>,
                    spare: &mut Vec<Vec<u8>>| {
            let b = Arc::new(batch);
            held.push_back(b.clone());
            let ok = tx.send(b).is_ok();
            let g = gate.state.lock().expect("no panics while held");
            if g.failed.is_none() {
                while held.front().is_some_and(|b| b.seq < g.next) {
                    if let Some(Ok(b)) = held.pop_front().map(Arc::try_unwrap) {
                        if spare.len() < 4 {
                            spare.push(b.bytes);
                        }
                    }
                }
            }
            ok && g.failed.is_none()
        };
        while let Some((from, j, end)) = d.next_object(count == 0) {
            let off = batch.bytes.len();
            batch.bytes.extend_from_slice(&d.buf[from..end]);
            batch
                .elems
                .push((off, off + (j - from), off + (end - from)));
            batch.places.push((d.line, d.col));
            count += 1;
            d.advance(end);
            if batch.bytes.len() >= batch_bytes {
                seq += 1;
                let mut bytes = spare.pop().unwrap_or_default();
                bytes.clear();
                let next = Batch {
                    seq,
                    before: count,
                    bytes,
                    elems: Vec::new(),
                    places: Vec::new(),
                };
                if !send(std::mem::replace(&mut batch, next), &mut held, &mut spare) {
                    break;
                }
            }
        }
        if !batch.elems.is_empty() {
            send(batch, &mut held, &mut spare);
        }
        drop(tx);
        for h in handles {
            main.absorb(h.join().expect("scan worker panicked"));
        }
    });
    let failed = gate
        .state
        .into_inner()
        .expect("no panics while held")
        .failed;
    let Some((seq, k)) = failed else {
        // Every element parsed: the serde reader goes on from the end of the last.
        let mut stand_in = opening.to_vec();
        if count > 0 {
            stand_in.extend_from_slice(b"{}");
        }
        let at = Resume {
            count,
            lines: d.line - 1,
            shift: d.col as i64 - stand_in.len() as i64,
            stand_in: count > 0,
        };
        return hand_over(d, main, &stand_in, at);
    };
    // From the element that did not parse: its batch's bytes from there, the batches after,
    // then what the reading thread holds.
    let mut rest = Vec::new();
    let mut at = Resume::default();
    let mut stand_in = opening.to_vec();
    for b in held.iter().filter(|b| b.seq >= seq) {
        if b.seq == seq {
            let before = b.before + k as u64;
            if before > 0 {
                stand_in.extend_from_slice(b"{}");
            }
            let (line, col) = b.places[k];
            at = Resume {
                count: before,
                lines: line - 1,
                shift: col as i64 - stand_in.len() as i64,
                stand_in: before > 0,
            };
            rest.extend_from_slice(&b.bytes[b.elems[k].0..]);
        } else {
            rest.extend_from_slice(&b.bytes);
        }
    }
    rest.extend_from_slice(&d.buf[d.pos..]);
    d.buf = rest;
    d.pos = 0;
    hand_over(d, main, &stand_in, at)
}

/// A worker: parses the batches it is given, then counts them once the gate says the
/// elements before are good.
fn work<S: super::Part>(
    rx: &std::sync::Mutex<std::sync::mpsc::Receiver<std::sync::Arc<Batch>>>,
    gate: &Gate,
    make: &(dyn Fn() -> S + Sync),
) -> S {
    let mut part = make();
    while let Ok(b) = rx
        .lock()
        .map_err(|_| ())
        .and_then(|r| r.recv().map_err(|_| ()))
    {
        let mut out = Vec::with_capacity(b.elems.len());
        let mut bad = None;
        if !part.cancelled() {
            for (i, &(_, start, end)) in b.elems.iter().enumerate() {
                let mut de = serde_json::Deserializer::from_slice(&b.bytes[start..end]);
                let parsed = record::SignInValue
                    .deserialize(&mut de)
                    .and_then(|v| de.end().map(|()| v));
                match parsed {
                    Ok(v) => out.push(record::from_json(&v)),
                    Err(_) => {
                        bad = Some(i);
                        break;
                    }
                }
            }
        }
        let counted = {
            let mut g = gate.state.lock().expect("no panics while held");
            while g.next != b.seq {
                g = gate.turn.wait(g).expect("no panics while held");
            }
            let counted = g.failed.is_none();
            if counted {
                g.failed = bad.map(|i| (b.seq, i));
            }
            g.next += 1;
            gate.turn.notify_all();
            counted
        };
        if counted {
            for (i, r) in out.into_iter().enumerate() {
                match r {
                    Ok(r) => part.signin(r),
                    Err(why) => part.skip(format!("record {}", b.before + i as u64 + 1), why),
                }
            }
        }
    }
    part
}

/// Hands the rest of the input (what is buffered, a read error met, then the input) to the
/// serde reader behind `stand_in`.
fn hand_over(d: Doc, sink: &mut dyn Sink, stand_in: &[u8], at: Resume) -> Result<(), String> {
    let Doc {
        input,
        buf,
        pos,
        failed,
        ..
    } = d;
    let mut head = stand_in.to_vec();
    head.extend_from_slice(&buf[pos..]);
    let rest = io::Cursor::new(head).chain(Replay(failed)).chain(input);
    let mut rest = io::BufReader::with_capacity(64 << 10, rest);
    read_json_serde(&mut rest, sink, at)
}

/// A read error met before, given once.
struct Replay(Option<io::Error>);

impl Read for Replay {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{read_json_serde, Resume, Sink};
    use crate::record::fast::tests::Gen;
    use crate::record::SignIn;
    use proptest::prelude::*;

    #[derive(Default, Debug, PartialEq)]
    struct Log(Vec<String>);
    impl Sink for Log {
        fn signin(&mut self, r: SignIn) {
            self.0.push(format!("{r:?}"));
        }
        fn skip(&mut self, at: String, reason: String) {
            self.0.push(format!("skip {at}: {reason}"));
        }
    }

    /// A document: an opening, elements (records, broken records, other values) with
    /// separators right and wrong, a closing, sometimes a second document or a cut.
    fn document(seed: u64) -> String {
        let mut g = Gen(seed, !seed.is_multiple_of(3));
        let mut pick = |xs: &[&'static str]| xs[(g.next() % xs.len() as u64) as usize];
        let opening = pick(&[
            "[",
            "[\n  ",
            "{\"value\":[",
            "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns\",\"value\":[",
            " {\n \"@odata.context\" : \"x\" ,\n \"records\": [\n",
            "{\"@odata.count\":3,\"value\":[",
            "{\"x\":1,\"value\":[",
            "{\"@odata\\u002econtext\":\"x\",\"value\":[",
            "{\"value\":\"x\"",
            "{\"resultType\":\"50126\"",
            "",
            "x",
        ]);
        let n = g.next() % 6;
        let mut s = opening.to_string();
        for i in 0..n {
            if i > 0 {
                let sep = [",", ",\n  ", " , ", "", ",,"][(g.next() % 20).min(4) as usize];
                s.push_str(sep);
            }
            match g.next() % 12 {
                0 => s.push_str(
                    ["1", "\"x\"", "[]", "null", "{}", "[[[]]]"][(g.next() % 6) as usize],
                ),
                1 => s.push_str(&format!(
                    "{{\"a\":{}1{}}}",
                    "[".repeat(110),
                    "]".repeat(110)
                )),
                _ => {
                    let mut rec = Gen(g.next() | 1, !g.next().is_multiple_of(4)).line();
                    if g.next().is_multiple_of(3) {
                        rec = rec.replace(",\"", ",\n    \"");
                    }
                    s.push_str(&rec);
                }
            }
        }
        let closing = [
            "]}",
            "]",
            "\n]\n}\n",
            "],\"@odata.nextLink\":\"https://x\"}",
            "]}\n{\"value\":[{\"resultType\":\"1\"}]}",
            "]}{\"resultType\":7}",
            ",]}",
            "",
            "]} x",
        ][(g.next() % 9) as usize];
        s.push_str(closing);
        s
    }

    fn both(doc: &str) -> [(Log, Result<(), String>); 2] {
        let mut fast = Log::default();
        let mut input = std::io::BufReader::with_capacity(7, doc.as_bytes());
        let r1 = super::read(&mut input, &mut fast);
        let mut serde = Log::default();
        let r2 = read_json_serde(&mut doc.as_bytes(), &mut serde, Resume::default());
        [(fast, r1), (serde, r2)]
    }

    impl super::super::Part for Log {
        fn absorb(&mut self, o: Self) {
            self.0.extend(o.0);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Over worker threads, in batches of any size: the same records and skips (in
        /// some order) and the same result as the serde reader.
        #[test]
        fn workers_read_like_the_serde_reader(seed in 1u64.., workers in 2usize..4, batch in 1usize..2000) {
            let doc = document(seed);
            let mut many = Log::default();
            let mut input = std::io::BufReader::with_capacity(13, doc.as_bytes());
            let r1 = super::read_parallel_in(&mut input, &mut many, workers, &Log::default, batch);
            let [_, (mut serde, r2)] = both(&doc);
            many.0.sort();
            serde.0.sort();
            prop_assert_eq!((many, r1), (serde, r2), "{}", doc);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(6000))]
        /// The fast reader reports what the serde reader reports on the whole file: the same
        /// records, skips, error places and messages.
        #[test]
        fn reads_like_the_serde_reader(seed in 1u64..) {
            let doc = document(seed);
            let [fast, serde] = both(&doc);
            prop_assert_eq!(fast, serde, "{}", doc);
        }
    }

    /// An element that does not parse in the middle of many batches: the records before it
    /// are counted, none after it, and the error is placed as the serde reader places it.
    #[test]
    fn workers_stop_at_the_first_element_that_does_not_parse() {
        let rec = |i: usize| {
            format!(
                r#"{{"createdDateTime":"2025-03-01T00:00:01Z","userPrincipalName":"u{i}@contoso.com","status":{{"errorCode":50126}}}}"#
            )
        };
        let mut page = "{\"@odata.context\":\"x\",\"value\":[\n".to_string();
        for i in 0..200 {
            if i > 0 {
                page.push_str(",\n");
            }
            if i == 120 {
                page.push_str(r#"{"resultType": 5 x}"#);
            } else {
                page.push_str(&rec(i));
            }
        }
        page.push_str("]}");
        let [_, (mut serde, r2)] = both(&page);
        for (workers, batch) in [(2, 1), (2, 300), (3, 1000), (3, 7)] {
            let mut many = Log::default();
            let r1 = super::read_parallel_in(
                &mut page.as_bytes(),
                &mut many,
                workers,
                &Log::default,
                batch,
            );
            many.0.sort();
            serde.0.sort();
            assert_eq!((&many, &r1), (&serde, &r2));
            assert_eq!(many.0.len(), 121);
        }
    }

    #[test]
    fn a_graph_page_is_read_by_the_fast_reader_with_errors_placed_as_before() {
        let rec = r#"{"id":"1","createdDateTime":"2025-03-01T00:00:01Z","userPrincipalName":"A@contoso.com","status":{"errorCode":50126}}"#;
        let page = format!(
            "{{\"@odata.context\":\"x\",\"value\":[\n{rec},\n{rec},\n{{\"resultType\": 5 x}}]}}"
        );
        let [fast, serde] = both(&page);
        assert_eq!(fast, serde);
        assert_eq!(fast.0 .0.len(), 3, "{:?}", fast.0);
        assert!(fast.0 .0[2].contains("line 4 column 18"), "{:?}", fast.0);
    }
}
