//! CSV records with the grammar of the `csv` crate as the scan configures it (`"` quotes
//! with doubled quotes inside, `\n` ends a record, blank lines skipped, a byte-order mark at
//! the very start dropped), found by jumping from one special byte to the next with
//! `memchr` instead of stepping a state machine through every byte. Cells are borrowed from
//! the input; only a cell with a doubled quote (or text after its closing quote) is copied
//! to undo the quoting.
//!
//! Why not csv-core: the scan parsed every byte twice with it (once to cut the file into
//! chunks of whole records, once in the worker), a byte at a time, which was 40% of a
//! portal CSV scan. Why not the `simd-csv` crate: its own figures show no gain on files
//! that quote every cell (the portal's download does), and its grammar is not the `csv`
//! crate's in the corner cases (text after a closing quote, quotes inside unquoted cells)
//! that our tests and fuzz target hold the readers to. The tests below hold this module
//! to the `csv` crate on random inputs made of the bytes that matter.

use std::borrow::Cow;

const QUOTE: u8 = b'"';
const BOM: &[u8] = b"\xef\xbb\xbf";

/// Where the reader stands between two reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before a record: line ends here are blank lines, skipped.
    StartRecord,
    StartField,
    /// In a cell that did not start with a quote (quotes in it are plain bytes).
    InField,
    /// Inside quotes.
    InQuoted,
    /// Just after a quote inside quotes: a second quote is a literal one, anything else
    /// closed the quotes.
    AfterQuote,
}

/// Finds where records end in a stream read piece by piece (the piece carried over grows
/// until a record ends), for cutting a file into chunks of whole records.
pub(crate) struct Splitter {
    delimiter: u8,
    state: State,
    /// Whether the first bytes were seen (a byte-order mark counts only there).
    started: bool,
}

impl Splitter {
    pub(crate) fn new(delimiter: u8) -> Splitter {
        Splitter {
            delimiter,
            state: State::StartRecord,
            started: false,
        }
    }

    /// Reads `data[from..]` up to the end of the next record and gives the position just
    /// past its line end; `None` when `data` ends inside a record (or between records),
    /// all of it read: call again with more data appended, from `data.len()`.
    pub(crate) fn next_end(&mut self, data: &[u8], mut p: usize) -> Option<usize> {
        if !self.started {
            // As csv-core: a mark is dropped only when the first read holds all of it.
            self.started = true;
            if p == 0 && data.len() >= 3 && data.starts_with(BOM) {
                p = 3;
            }
        }
        let d = self.delimiter;
        while p < data.len() {
            match self.state {
                State::StartRecord => {
                    if data[p] == b'\n' {
                        p += 1;
                    } else {
                        self.state = State::StartField;
                    }
                }
                State::StartField => {
                    let c = data[p];
                    p += 1;
                    if c == QUOTE {
                        self.state = State::InQuoted;
                    } else if c == b'\n' {
                        self.state = State::StartRecord;
                        return Some(p);
                    } else if c != d {
                        self.state = State::InField;
                    }
                }
                State::InField => match memchr::memchr2(d, b'\n', &data[p..]) {
                    Some(i) => {
                        p += i + 1;
                        if data[p - 1] == b'\n' {
                            self.state = State::StartRecord;
                            return Some(p);
                        }
                        self.state = State::StartField;
                    }
                    None => p = data.len(),
                },
                State::InQuoted => match memchr::memchr(QUOTE, &data[p..]) {
                    Some(i) => {
                        p += i + 1;
                        self.state = State::AfterQuote;
                    }
                    None => p = data.len(),
                },
                State::AfterQuote => {
                    let c = data[p];
                    p += 1;
                    if c == QUOTE {
                        self.state = State::InQuoted;
                    } else if c == d {
                        self.state = State::StartField;
                    } else if c == b'\n' {
                        self.state = State::StartRecord;
                        return Some(p);
                    } else {
                        self.state = State::InField;
                    }
                }
            }
        }
        None
    }

    /// At the end of the input: whether a record without a line end is still open (it is
    /// a record of its own, as csv-core reads it).
    pub(crate) fn pending(&self) -> bool {
        self.state != State::StartRecord
    }
}

/// How a cell is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// As is.
    Plain,
    /// In quotes, with nothing to undo inside: the content is the span without them.
    Quoted,
    /// Doubled quotes, text after the closing quote, or quotes never closed: undone by
    /// [`unescape`].
    Escaped,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    kind: Kind,
}

/// One record of a chunk: its cells, where it starts and its line.
pub(crate) struct Record<'a> {
    data: &'a [u8],
    spans: &'a [Span],
    /// The line csv reports for the record: the line after the previous record's end (blank
    /// lines before the record are not counted in).
    pub line: u64,
    /// The bytes of the record, without its line end.
    pub raw: &'a [u8],
}

impl<'a> Record<'a> {
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// The content of cell `i` (quotes undone), `None` past the last cell.
    pub(crate) fn get(&self, i: usize) -> Option<Cow<'a, [u8]>> {
        let s = self.spans.get(i)?;
        let raw = &self.data[s.start..s.end];
        Some(match s.kind {
            Kind::Plain => Cow::Borrowed(raw),
            Kind::Quoted => Cow::Borrowed(&raw[1..raw.len() - 1]),
            Kind::Escaped => Cow::Owned(unescape(raw)),
        })
    }

    /// Whether every cell is empty or white space (a blank line, or `  ,  ` with `\r`).
    pub(crate) fn is_blank(&self) -> bool {
        (0..self.len()).all(|i| {
            self.get(i)
                .is_some_and(|c| c.iter().all(u8::is_ascii_whitespace))
        })
    }

    /// Line ends inside the record's cells (quoted line breaks).
    pub(crate) fn inner_line_ends(&self) -> usize {
        match memchr::memchr(b'\n', self.raw) {
            None => 0,
            Some(_) => memchr::memchr_iter(b'\n', self.raw).count(),
        }
    }
}

/// The content of a cell that starts with a quote: doubled quotes become one, the closing
/// quote ends the quoted part and what follows it is taken as it is; a quote never closed
/// runs to the end.
fn unescape(raw: &[u8]) -> Vec<u8> {
    if raw.first() != Some(&QUOTE) {
        return raw.to_vec();
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 1;
    loop {
        match memchr::memchr(QUOTE, &raw[i..]) {
            None => {
                out.extend_from_slice(&raw[i..]);
                return out;
            }
            Some(j) => {
                out.extend_from_slice(&raw[i..i + j]);
                let q = i + j;
                if raw.get(q + 1) == Some(&QUOTE) {
                    out.push(QUOTE);
                    i = q + 2;
                } else {
                    out.extend_from_slice(&raw[q + 1..]);
                    return out;
                }
            }
        }
    }
}

/// Reads every record of `data` (a whole input or a chunk of whole records) as a fresh
/// `csv` reader would, and hands each to `each`.
pub(crate) fn for_each_record(data: &[u8], delimiter: u8, mut each: impl FnMut(&Record)) {
    let d = delimiter;
    let mut p = if data.starts_with(BOM) { 3 } else { 0 };
    let mut spans: Vec<Span> = Vec::with_capacity(64);
    // Line ends before `p` (csv counts from line 1).
    let mut line = 1u64;
    loop {
        let line_at_start = line;
        // Blank lines before the record.
        while p < data.len() && data[p] == b'\n' {
            p += 1;
            line += 1;
        }
        if p >= data.len() {
            return;
        }
        let start = p;
        spans.clear();
        // The record ends at a line end (`end` before it, `p` after it) or at the end of data.
        let end = loop {
            let f = p;
            if f == data.len() {
                // After a delimiter at the very end: one more empty cell.
                spans.push(Span {
                    start: f,
                    end: f,
                    kind: Kind::Plain,
                });
                break f;
            }
            let c = data[f];
            if c == QUOTE {
                let mut kind = Kind::Quoted;
                let mut q = f + 1;
                // Where the cell ends and what ended it (`None`: the end of data).
                let (cell_end, ended_by) = loop {
                    let Some(i) = memchr::memchr(QUOTE, &data[q..]) else {
                        // Never closed: the cell runs to the end.
                        kind = Kind::Escaped;
                        break (data.len(), None);
                    };
                    let at = q + i;
                    match data.get(at + 1) {
                        Some(&QUOTE) => {
                            kind = Kind::Escaped;
                            q = at + 2;
                        }
                        None => break (data.len(), None),
                        Some(&b) if b == d || b == b'\n' => break (at + 1, Some(b)),
                        Some(_) => {
                            // Text after the closing quote: read on as a plain cell.
                            kind = Kind::Escaped;
                            match memchr::memchr2(d, b'\n', &data[at + 1..]) {
                                Some(j) => {
                                    let e = at + 1 + j;
                                    break (e, Some(data[e]));
                                }
                                None => break (data.len(), None),
                            }
                        }
                    }
                };
                spans.push(Span {
                    start: f,
                    end: cell_end,
                    kind,
                });
                match ended_by {
                    Some(b'\n') => {
                        p = cell_end + 1;
                        break cell_end;
                    }
                    Some(_) => p = cell_end + 1,
                    None => {
                        p = data.len();
                        break data.len();
                    }
                }
            } else {
                match memchr::memchr2(d, b'\n', &data[f..]) {
                    Some(i) => {
                        let e = f + i;
                        spans.push(Span {
                            start: f,
                            end: e,
                            kind: Kind::Plain,
                        });
                        p = e + 1;
                        if data[e] == b'\n' {
                            break e;
                        }
                    }
                    None => {
                        spans.push(Span {
                            start: f,
                            end: data.len(),
                            kind: Kind::Plain,
                        });
                        p = data.len();
                        break data.len();
                    }
                }
            }
        };
        let rec = Record {
            data,
            spans: &spans,
            line: line_at_start,
            raw: &data[start..end],
        };
        line += rec.inner_line_ends() as u64 + u64::from(p > end);
        each(&rec);
        if p >= data.len() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the `csv` crate reads, configured as the scan configures it.
    fn with_csv(data: &[u8], d: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(d)
            .terminator(csv::Terminator::Any(b'\n'))
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        let mut out = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            let line = rec.position().unwrap().line();
            out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    fn with_us(data: &[u8], d: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut out = Vec::new();
        for_each_record(data, d, |r| {
            out.push((
                r.line,
                (0..r.len())
                    .map(|i| r.get(i).unwrap().into_owned())
                    .collect(),
            ));
        });
        out
    }

    /// Record ends as csv-core finds them, and as the splitter finds them, fed in pieces.
    fn ends_csv_core(data: &[u8], d: u8) -> Vec<usize> {
        use csv_core::ReadRecordResult as R;
        let mut rdr = csv_core::ReaderBuilder::new()
            .delimiter(d)
            .terminator(csv_core::Terminator::Any(b'\n'))
            .build();
        let (mut out, mut ends) = (vec![0u8; 1 << 16], vec![0usize; 1024]);
        let mut fed = 0;
        let mut v = Vec::new();
        loop {
            let (res, nin, _, _) = rdr.read_record(&data[fed..], &mut out, &mut ends);
            fed += nin;
            match res {
                R::Record => v.push(fed),
                R::End => return v,
                _ => {}
            }
        }
    }

    fn ends_ours(data: &[u8], d: u8, piece: usize) -> Vec<usize> {
        let mut s = Splitter::new(d);
        let mut v = Vec::new();
        let mut fed = 0;
        let mut have = 0;
        while have < data.len() {
            // The first read holds a byte-order mark whole, as every reader's first read does.
            have = (have + piece.max(if have == 0 { 3 } else { 1 })).min(data.len());
            while let Some(e) = s.next_end(&data[..have], fed) {
                v.push(e);
                fed = e;
            }
            fed = have;
        }
        if s.pending() {
            v.push(data.len());
        }
        v
    }

    fn check(data: &[u8]) {
        for d in [b',', b';'] {
            assert_eq!(
                with_us(data, d),
                with_csv(data, d),
                "{:?}",
                String::from_utf8_lossy(data)
            );
            let want = ends_csv_core(data, d);
            for piece in [1, 3, 7, data.len().max(1)] {
                assert_eq!(
                    ends_ours(data, d, piece),
                    want,
                    "{:?} in pieces of {piece}",
                    String::from_utf8_lossy(data)
                );
            }
        }
    }

    #[test]
    fn corner_cases_read_as_the_csv_crate_reads_them() {
        for s in [
            "",
            "\n",
            "a",
            "a,",
            "a,b\n",
            "\n\na,b\n\n\nc\n",
            "\"a,b\",c\n",
            "\"a\"\"b\",\"\"\n",
            "\"ab\"cd,e\n",
            "\"ab\"c\"d\",e\n",
            "ab\"c,d\n",
            "\"never closed,a\nb\n",
            "\"x\"",
            "\"",
            "\"\"",
            "\"\"\"",
            "a,\"b\nc\",d\r\ne\r\n",
            "\u{feff}\"a\",b\n",
            "\u{feff}",
            "x\n\u{feff}\"a\",b\n",
            ",,\n,\n",
            "a,\"\"\"\n",
        ] {
            check(s.as_bytes());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn random_bytes_read_as_the_csv_crate_reads_them(
            parts in proptest::collection::vec(prop_oneof![
                Just("\""), Just(","), Just(";"), Just("\n"), Just("\r"), Just(" "),
                Just("a"), Just("bc"), Just("\u{feff}"),
            ], 0..40)
        ) {
            check(parts.concat().as_bytes());
        }
    }
}
