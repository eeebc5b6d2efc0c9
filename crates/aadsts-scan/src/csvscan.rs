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
    /// Reading 64-byte blocks by quote parity (see [`classify`]); off from a quote the
    /// parity cannot place until the record it is in ends, read byte by byte meanwhile.
    fast: bool,
    carry: Carry,
    /// The block masks by SSE2 (tests turn it off to hold the byte-wise masks to the same).
    simd: bool,
}

impl Splitter {
    pub(crate) fn new(delimiter: u8) -> Splitter {
        Splitter {
            delimiter,
            state: State::StartRecord,
            started: false,
            fast: true,
            carry: Carry::START,
            simd: true,
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
        if self.fast {
            let found = if self.simd {
                self.next_end_fast(data, p, masks)
            } else {
                self.next_end_fast(data, p, masks_scalar)
            };
            match found {
                Fast::End(e) => return Some(e),
                Fast::More => return None,
                Fast::Literal(at) => {
                    // A quote inside an unquoted cell: byte by byte to the end of the record.
                    self.fast = false;
                    self.state = State::InField;
                    p = at;
                }
            }
        }
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
                        return Some(self.record_ended(p));
                    } else if c != d {
                        self.state = State::InField;
                    }
                }
                State::InField => match memchr::memchr2(d, b'\n', &data[p..]) {
                    Some(i) => {
                        p += i + 1;
                        if data[p - 1] == b'\n' {
                            return Some(self.record_ended(p));
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
                        return Some(self.record_ended(p));
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
        if self.fast {
            !self.carry.at_start
        } else {
            self.state != State::StartRecord
        }
    }

    /// A record ended just before `p`: the next one starts in a known state, read by blocks.
    fn record_ended(&mut self, p: usize) -> usize {
        self.state = State::StartRecord;
        self.fast = true;
        self.carry = Carry::START;
        p
    }

    /// [`Self::next_end`] by blocks, from a point where the quote parity is known.
    fn next_end_fast(
        &mut self,
        data: &[u8],
        mut p: usize,
        mk: impl Fn(&[u8; 64], u8) -> Masks,
    ) -> Fast {
        let mut pad = [0u8; 64];
        while p < data.len() {
            let valid = (data.len() - p).min(64);
            let block = load(data, p, &mut pad);
            let m = mk(block, self.delimiter);
            let at_start = self.carry.at_start;
            let b = classify(m, valid, &mut self.carry);
            let mut sn = b.sn;
            if at_start {
                // Line ends before a record's first byte are blank lines, not record ends.
                let lead = (!m.n).trailing_zeros() as usize;
                sn &= !below(lead);
                self.carry.at_start = lead >= valid;
            }
            let first = (sn | b.invalid).trailing_zeros() as usize;
            if first < valid {
                if b.invalid >> first & 1 == 1 {
                    return Fast::Literal(p + first);
                }
                self.record_ended(0);
                return Fast::End(p + first + 1);
            }
            p += valid;
        }
        Fast::More
    }
}

/// What a block-wise read found.
enum Fast {
    /// A record ends just before this position.
    End(usize),
    /// All of the data read, no record end in it.
    More,
    /// A quote the parity cannot place (inside an unquoted cell) is here.
    Literal(usize),
}

/// Which bytes of a 64-byte block are quotes, delimiters and line ends (bit `i`: byte `i`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Masks {
    q: u64,
    d: u64,
    n: u64,
}

/// The masks byte by byte: the reference for [`masks`], and the reader on targets without
/// SSE2.
pub(crate) fn masks_scalar(b: &[u8; 64], d: u8) -> Masks {
    let mut m = Masks { q: 0, d: 0, n: 0 };
    for (i, &c) in b.iter().enumerate() {
        m.q |= u64::from(c == QUOTE) << i;
        m.d |= u64::from(c == d) << i;
        m.n |= u64::from(c == b'\n') << i;
    }
    m
}

/// The masks sixteen bytes at a time (three compares and a byte-mask gather per 16 bytes;
/// the compiler does not turn the scalar loop into these).
#[cfg(target_arch = "x86_64")]
pub(crate) fn masks(b: &[u8; 64], d: u8) -> Masks {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86_64 baseline (every x86_64 CPU has it, and Rust
    // enables it for every x86_64 target), so these instructions always exist; each load
    // reads the 16 bytes at `16 * k` of the 64-byte array `b`, in bounds for k < 4, and
    // `loadu` has no alignment requirement.
    unsafe {
        let (vq, vd, vn) = (
            _mm_set1_epi8(QUOTE as i8),
            _mm_set1_epi8(d as i8),
            _mm_set1_epi8(b'\n' as i8),
        );
        let mut m = Masks { q: 0, d: 0, n: 0 };
        for k in 0..4 {
            let v = _mm_loadu_si128(b.as_ptr().add(16 * k).cast::<__m128i>());
            let bits = |x| u64::from(_mm_movemask_epi8(x) as u16) << (16 * k);
            m.q |= bits(_mm_cmpeq_epi8(v, vq));
            m.d |= bits(_mm_cmpeq_epi8(v, vd));
            m.n |= bits(_mm_cmpeq_epi8(v, vn));
        }
        m
    }
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn masks(b: &[u8; 64], d: u8) -> Masks {
    masks_scalar(b, d)
}

/// The 64 bytes at `p`, or the bytes left padded with zeros (never a quote, delimiter or
/// line end) into `pad`.
fn load<'a>(data: &'a [u8], p: usize, pad: &'a mut [u8; 64]) -> &'a [u8; 64] {
    match data.get(p..p + 64) {
        Some(b) => b.try_into().expect("64 bytes"),
        None => {
            *pad = [0; 64];
            let rest = &data[p..];
            pad[..rest.len()].copy_from_slice(rest);
            pad
        }
    }
}

/// Bits below `n` (all of them from 64).
fn below(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// Bit `i` set: the parity of the quotes in bytes `0..=i` is odd.
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// What a block-wise read carries from one block to the next.
#[derive(Debug, Clone, Copy)]
struct Carry {
    /// All ones when the block starts inside quotes.
    inside: u64,
    /// 1 when the byte before the block is a quote, delimiter or line end (or there is
    /// none: the start of a record).
    prev_special: u64,
    /// No byte but line ends since the last record end (the splitter's blank lines).
    at_start: bool,
}

impl Carry {
    const START: Carry = Carry {
        inside: 0,
        prev_special: 1,
        at_start: true,
    };
}

/// A block's structure by quote parity: a delimiter or line end with an even number of
/// quotes before it (in its record) is outside quotes. That is the `csv` crate's grammar
/// exactly as long as every quote that opens (parity even before it) comes first in its
/// cell or right after a quote (a doubled quote): then each state of csv-core's machine
/// is told by the parity and the byte before. A quote that opens anywhere else is inside
/// an unquoted cell, where csv takes it as a plain byte: it is flagged `invalid`, and the
/// caller reads that record byte by byte.
struct Block {
    /// Delimiters outside quotes.
    sd: u64,
    /// Line ends outside quotes.
    sn: u64,
    /// Line ends inside quotes.
    qn: u64,
    invalid: u64,
}

fn classify(m: Masks, valid: usize, c: &mut Carry) -> Block {
    let inside = prefix_xor(m.q) ^ c.inside;
    let special = m.q | m.d | m.n;
    let allowed = (special << 1) | c.prev_special;
    let last = valid - 1;
    c.inside = 0u64.wrapping_sub(inside >> last & 1);
    c.prev_special = special >> last & 1;
    let openers = m.q & inside;
    Block {
        sd: m.d & !inside,
        sn: m.n & !inside,
        qn: m.n & inside,
        invalid: openers & !allowed,
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
    /// Read by blocks, where a cell that does not start with a quote has none: told apart
    /// when the cell is asked for (most cells are not).
    Auto,
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
    /// Line ends inside the record's cells (quoted line breaks).
    inner: usize,
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
            Kind::Auto => match raw {
                [QUOTE, inner @ .., QUOTE] if memchr::memchr(QUOTE, inner).is_none() => {
                    Cow::Borrowed(inner)
                }
                [QUOTE, ..] => Cow::Owned(unescape(raw)),
                _ => Cow::Borrowed(raw),
            },
        })
    }

    /// Like [`Self::get`], as text: `text` is the whole of the data, known to be UTF-8
    /// (cells end at ASCII bytes, so each is UTF-8 too).
    pub(crate) fn get_text(&self, text: &'a str, i: usize) -> Option<Cow<'a, str>> {
        Some(match self.get(i)? {
            Cow::Borrowed(b) => {
                // The cell's place in `data`, which is `text`'s bytes.
                let start = b.as_ptr() as usize - self.data.as_ptr() as usize;
                match text.get(start..start + b.len()) {
                    Some(t) => Cow::Borrowed(t),
                    None => crate::record::utf8_lossy(b),
                }
            }
            Cow::Owned(b) => Cow::Owned(match String::from_utf8(b) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            }),
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
        self.inner
    }
}

/// The line ends in `raw`, counted in byte-wide lanes (a `usize` count per byte made the
/// compiler widen every byte to 64 bits: counting a chunk's lines was most of the splitter).
pub(crate) fn count_line_ends(raw: &[u8]) -> usize {
    raw.chunks(255)
        .map(|c| {
            usize::from(
                c.iter()
                    .fold(0u8, |n, &b| n.wrapping_add(u8::from(b == b'\n'))),
            )
        })
        .sum()
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
/// `csv` reader would, and hands each to `each`: 64-byte blocks by quote parity (see
/// [`classify`]), and a record holding a quote the parity cannot place byte by byte.
pub(crate) fn for_each_record(data: &[u8], delimiter: u8, each: impl FnMut(&Record)) {
    for_each_record_with(data, delimiter, masks, each)
}

fn for_each_record_with(
    data: &[u8],
    d: u8,
    mk: impl Fn(&[u8; 64], u8) -> Masks,
    mut each: impl FnMut(&Record),
) {
    let start = if data.starts_with(BOM) { 3 } else { 0 };
    let mut spans: Vec<Span> = Vec::with_capacity(64);
    // Line ends before the block, and the line of the record being read (the line after
    // the previous record's end).
    let mut line = 1u64;
    let mut rec_line = 1u64;
    // Where the record being read (or the blank lines before it) starts, and its cell.
    let mut rec_start = start;
    let mut field = start;
    // Whether the record may hold quoted line ends (then counted exactly at its end).
    let mut quoted_nl = false;
    let mut carry = Carry::START;
    let mut pad = [0u8; 64];
    let mut base = start;
    while base < data.len() {
        let valid = (data.len() - base).min(64);
        let block = load(data, base, &mut pad);
        let b = classify(mk(block, d), valid, &mut carry);
        quoted_nl |= b.qn != 0;
        let stop = b.invalid.trailing_zeros() as usize;
        let mut ev = (b.sd | b.sn) & below(stop);
        while ev != 0 {
            let i = ev.trailing_zeros() as usize;
            ev &= ev - 1;
            let pos = base + i;
            if b.sn >> i & 1 == 0 {
                spans.push(Span {
                    start: field,
                    end: pos,
                    kind: Kind::Auto,
                });
                field = pos + 1;
                continue;
            }
            if spans.is_empty() && pos == rec_start {
                // A blank line.
                line += 1;
            } else {
                spans.push(Span {
                    start: field,
                    end: pos,
                    kind: Kind::Auto,
                });
                let raw = &data[rec_start..pos];
                let inner = if quoted_nl { count_line_ends(raw) } else { 0 };
                each(&Record {
                    data,
                    spans: &spans,
                    line: rec_line,
                    inner,
                });
                spans.clear();
                line += inner as u64 + 1;
                rec_line = line;
                quoted_nl = b.qn & !below(i + 1) != 0;
            }
            rec_start = pos + 1;
            field = pos + 1;
        }
        if stop < 64 {
            // A quote inside an unquoted cell: this record is read byte by byte, and the
            // blocks start again after it.
            spans.clear();
            let (end, next) = scalar_record(data, rec_start, d, &mut spans);
            let raw = &data[rec_start..end];
            let inner = count_line_ends(raw);
            each(&Record {
                data,
                spans: &spans,
                line: rec_line,
                inner,
            });
            spans.clear();
            line += inner as u64 + u64::from(next > end);
            rec_line = line;
            rec_start = next;
            field = next;
            base = next;
            carry = Carry::START;
            quoted_nl = false;
            continue;
        }
        base += 64;
    }
    if rec_start < data.len() {
        // The last record, without a line end (a quote never closed runs to here).
        spans.push(Span {
            start: field,
            end: data.len(),
            kind: Kind::Auto,
        });
        let raw = &data[rec_start..];
        let inner = if quoted_nl { count_line_ends(raw) } else { 0 };
        each(&Record {
            data,
            spans: &spans,
            line: rec_line,
            inner,
        });
    }
}

/// Reads the record that starts at `p` (not a line end) byte by byte into `spans`: gives
/// where it ends (before its line end) and where the next one starts.
fn scalar_record(data: &[u8], mut p: usize, d: u8, spans: &mut Vec<Span>) -> (usize, usize) {
    loop {
        let f = p;
        if f == data.len() {
            // After a delimiter at the very end: one more empty cell.
            spans.push(Span {
                start: f,
                end: f,
                kind: Kind::Plain,
            });
            return (f, f);
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
                Some(b'\n') => return (cell_end, cell_end + 1),
                Some(_) => p = cell_end + 1,
                None => return (data.len(), data.len()),
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
                        return (e, p);
                    }
                }
                None => {
                    spans.push(Span {
                        start: f,
                        end: data.len(),
                        kind: Kind::Plain,
                    });
                    return (data.len(), data.len());
                }
            }
        }
    }
}

/// The records of `data` read byte by byte only: the reference the block reader is held to.
#[cfg(test)]
fn for_each_record_scalar(data: &[u8], d: u8, mut each: impl FnMut(&Record)) {
    let mut p = if data.starts_with(BOM) { 3 } else { 0 };
    let mut spans: Vec<Span> = Vec::with_capacity(64);
    let mut line = 1u64;
    loop {
        let line_at_start = line;
        while p < data.len() && data[p] == b'\n' {
            p += 1;
            line += 1;
        }
        if p >= data.len() {
            return;
        }
        let start = p;
        spans.clear();
        let (end, next) = scalar_record(data, start, d, &mut spans);
        p = next;
        let raw = &data[start..end];
        let inner = count_line_ends(raw);
        each(&Record {
            data,
            spans: &spans,
            line: line_at_start,
            inner,
        });
        line += inner as u64 + u64::from(p > end);
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

    /// What our readers give: by blocks with the SSE2 masks (`0`), with the byte-wise masks
    /// (`1`), and byte by byte only (`2`). Each record's line ends are checked on the way.
    fn with_us(data: &[u8], d: u8, how: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut out = Vec::new();
        let each = |r: &Record| {
            out.push((
                r.line,
                (0..r.len())
                    .map(|i| r.get(i).unwrap().into_owned())
                    .collect(),
            ));
        };
        match how {
            0 => for_each_record(data, d, each),
            1 => for_each_record_with(data, d, masks_scalar, each),
            _ => for_each_record_scalar(data, d, each),
        }
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

    fn ends_ours(data: &[u8], d: u8, piece: usize, simd: bool) -> Vec<usize> {
        let mut s = Splitter::new(d);
        s.simd = simd;
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
            let csv = with_csv(data, d);
            for how in 0..3 {
                assert_eq!(
                    with_us(data, d, how),
                    csv,
                    "{:?} read {how}",
                    String::from_utf8_lossy(data)
                );
            }
            let want = ends_csv_core(data, d);
            for piece in [1, 3, 7, 64, 100, data.len().max(1)] {
                for simd in [true, false] {
                    assert_eq!(
                        ends_ours(data, d, piece, simd),
                        want,
                        "{:?} in pieces of {piece}",
                        String::from_utf8_lossy(data)
                    );
                }
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

    /// Any block: the SSE2 masks are the byte-wise ones.
    #[test]
    fn the_simd_masks_are_the_byte_wise_masks() {
        let mut b = [0u8; 64];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..5000 {
            for c in b.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *c = b"\",;\n\ta\r\xef\x00\xff"[(x % 10) as usize];
            }
            let d = [b',', b';', b'\t'][round % 3];
            assert_eq!(masks(&b, d), masks_scalar(&b, d), "{b:?}");
        }
    }

    /// Long inputs, so that records and quotes cross 64-byte blocks in every way.
    #[test]
    fn long_records_read_as_the_csv_crate_reads_them() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let parts: [&str; 12] = [
            "\"",
            ",",
            "\n",
            "abcdefghij",
            "\"x,y\"",
            "\"\"",
            "\r\n",
            "klmnopqrstuvwxyz0123456789",
            ";",
            "\"a\nb\"",
            "\n\n",
            "\"plain quoted cell\",",
        ];
        for _ in 0..300 {
            let mut s = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Mostly well-formed cells, sometimes a stray quote.
            let stray = x.is_multiple_of(4);
            for _ in 0..(x % 120) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let k = (x % 12) as usize;
                if k == 0 && !stray {
                    continue;
                }
                s.push_str(parts[k]);
            }
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
