//! A small `.evtx` writer for fixtures, fuzz seeds and the benchmark: there is no Windows
//! here to export real logs. It writes what the `evtx` crate (and Windows) read: the file
//! header and 64 KiB chunks with their CRC32s, and records whose Binary XML is a plain
//! element stream (names inline, values as UTF-16 strings, no templates), rendering as
//! Event XML with `System`, `EventData` (named or unnamed `Data`) or `UserData`.

use std::io::{Seek, SeekFrom, Write};

const FILE_HEADER: usize = 4096;
const CHUNK: usize = 64 * 1024;
const CHUNK_HEADER: usize = 512;

/// One event to write.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub provider: String,
    pub channel: String,
    pub event_id: u32,
    /// `System/Level`: 1 critical, 2 error, 3 warning, 4 information (0 for Security).
    pub level: u8,
    /// `System/Keywords` (the Security log's audit success/failure bits).
    pub keywords: u64,
    /// RFC 3339 UTC, written as `TimeCreated/@SystemTime`.
    pub time: String,
    pub computer: String,
    /// `EventData/Data`: `Some(name)` writes `Name="…"`, `None` an unnamed value.
    pub data: Vec<(Option<String>, String)>,
    /// Written as `UserData/<root>/<name>value</name>` instead of `EventData` when set.
    pub user_data: Option<(String, Vec<(String, String)>)>,
}

/// Binary XML of one record, built at its offset in the chunk (names are stored inline,
/// and an inline name is recognised by its offset being the place it is written at).
struct BinXml {
    out: Vec<u8>,
    base: usize,
}

impl BinXml {
    fn pos(&self) -> u32 {
        (self.base + self.out.len()) as u32
    }
    fn u16(&mut self, v: u16) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn name(&mut self, n: &str) {
        let at = self.pos() + 4;
        self.u32(at);
        self.u32(0); // next string in the hash bucket: none
        let units: Vec<u16> = n.encode_utf16().collect();
        let hash = units.iter().fold(0u32, |h, &c| {
            h.wrapping_mul(65599).wrapping_add(u32::from(c))
        });
        self.u16(hash as u16);
        self.u16(units.len() as u16);
        for c in units {
            self.u16(c);
        }
        self.u16(0);
    }
    fn text(&mut self, s: &str) {
        // Value text token, string type, length-prefixed UTF-16 (at most 65535 units).
        self.out.push(0x05);
        self.out.push(0x01);
        let units: Vec<u16> = s.encode_utf16().take(u16::MAX as usize).collect();
        self.u16(units.len() as u16);
        for c in units {
            self.u16(c);
        }
    }
    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push(if attrs.is_empty() { 0x01 } else { 0x41 });
        self.u32(0); // element data size: not read
        self.name(name);
        if !attrs.is_empty() {
            self.u32(0); // attribute list size: not read
            for (i, (k, v)) in attrs.iter().enumerate() {
                self.out.push(if i + 1 < attrs.len() { 0x46 } else { 0x06 });
                self.name(k);
                self.text(v);
            }
        }
    }
    fn element(&mut self, name: &str, attrs: &[(&str, &str)], text: Option<&str>) {
        self.open(name, attrs);
        match text {
            Some(t) => {
                self.out.push(0x02);
                if !t.is_empty() {
                    self.text(t);
                }
                self.out.push(0x04);
            }
            None => self.out.push(0x03),
        }
    }
    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.open(name, attrs);
        self.out.push(0x02);
    }
    fn end(&mut self) {
        self.out.push(0x04);
    }
}

fn binxml(r: &Record, record_id: u64, base: usize) -> Vec<u8> {
    let mut b = BinXml {
        out: Vec::new(),
        base,
    };
    b.out.extend_from_slice(&[0x0f, 0x01, 0x01, 0x00]);
    b.start(
        "Event",
        &[(
            "xmlns",
            "http://schemas.microsoft.com/win/2004/08/events/event",
        )],
    );
    b.start("System", &[]);
    b.element("Provider", &[("Name", &r.provider)], None);
    b.element("EventID", &[], Some(&r.event_id.to_string()));
    b.element("Level", &[], Some(&r.level.to_string()));
    b.element("Keywords", &[], Some(&format!("0x{:x}", r.keywords)));
    b.element("TimeCreated", &[("SystemTime", &r.time)], None);
    b.element("EventRecordID", &[], Some(&record_id.to_string()));
    b.element("Channel", &[], Some(&r.channel));
    b.element("Computer", &[], Some(&r.computer));
    b.end();
    match &r.user_data {
        Some((root, fields)) => {
            b.start("UserData", &[]);
            b.start(root, &[]);
            for (k, v) in fields {
                b.element(k, &[], Some(v));
            }
            b.end();
            b.end();
        }
        None => {
            b.start("EventData", &[]);
            for (k, v) in &r.data {
                match k {
                    Some(k) => b.element("Data", &[("Name", k)], Some(v)),
                    None => b.element("Data", &[], Some(v)),
                }
            }
            b.end();
        }
    }
    b.end();
    b.out.push(0x00);
    b.out
}

/// FILETIME (100 ns since 1601) of an RFC 3339 UTC time; 0 when it does not read.
fn filetime(t: &str) -> u64 {
    let Some(secs) = crate::seconds(t) else {
        return 0;
    };
    ((secs + 11_644_473_600).max(0) as u64) * 10_000_000
}

/// Writes records into an `.evtx` stream: chunk by chunk, the file header rewritten with
/// the chunk count at [`Writer::finish`].
pub struct Writer<W: Write + Seek> {
    out: W,
    chunk: Vec<u8>,
    first_id: u64,
    last_id: u64,
    last_offset: usize,
    next_id: u64,
    chunks: u64,
}

impl<W: Write + Seek> Writer<W> {
    pub fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(&[0u8; FILE_HEADER])?;
        Ok(Writer {
            out,
            chunk: Vec::new(),
            first_id: 1,
            last_id: 0,
            last_offset: 0,
            next_id: 1,
            chunks: 0,
        })
    }

    /// Adds a record; `Err` (InvalidInput) for one that cannot fit in a chunk.
    pub fn push(&mut self, r: &Record) -> std::io::Result<()> {
        if self.chunk.is_empty() {
            self.chunk = vec![0u8; CHUNK_HEADER];
            self.first_id = self.next_id;
        }
        let offset = self.chunk.len();
        let body = binxml(r, self.next_id, offset + 24);
        let size = 24 + body.len() + 4;
        if size > CHUNK - CHUNK_HEADER {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "record larger than a chunk",
            ));
        }
        if offset + size > CHUNK {
            self.flush_chunk()?;
            return self.push(r);
        }
        let mut rec = Vec::with_capacity(size);
        rec.extend_from_slice(&[0x2a, 0x2a, 0, 0]);
        rec.extend_from_slice(&(size as u32).to_le_bytes());
        rec.extend_from_slice(&self.next_id.to_le_bytes());
        rec.extend_from_slice(&filetime(&r.time).to_le_bytes());
        rec.extend_from_slice(&body);
        rec.extend_from_slice(&(size as u32).to_le_bytes());
        self.chunk.extend_from_slice(&rec);
        self.last_id = self.next_id;
        self.last_offset = offset;
        self.next_id += 1;
        Ok(())
    }

    fn flush_chunk(&mut self) -> std::io::Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let free = self.chunk.len();
        let mut c = std::mem::take(&mut self.chunk);
        c.resize(CHUNK, 0);
        c[0..8].copy_from_slice(b"ElfChnk\0");
        c[8..16].copy_from_slice(&self.first_id.to_le_bytes());
        c[16..24].copy_from_slice(&self.last_id.to_le_bytes());
        c[24..32].copy_from_slice(&self.first_id.to_le_bytes());
        c[32..40].copy_from_slice(&self.last_id.to_le_bytes());
        c[40..44].copy_from_slice(&128u32.to_le_bytes());
        c[44..48].copy_from_slice(&(self.last_offset as u32).to_le_bytes());
        c[48..52].copy_from_slice(&(free as u32).to_le_bytes());
        let data_crc = crc32fast::hash(&c[CHUNK_HEADER..free]);
        c[52..56].copy_from_slice(&data_crc.to_le_bytes());
        let mut h = crc32fast::Hasher::new();
        h.update(&c[..120]);
        h.update(&c[128..512]);
        let header_crc = h.finalize();
        c[124..128].copy_from_slice(&header_crc.to_le_bytes());
        self.out.write_all(&c)?;
        self.chunks += 1;
        Ok(())
    }

    /// Writes the last chunk and the file header; gives the stream back.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.flush_chunk()?;
        let mut h = vec![0u8; 128];
        h[0..8].copy_from_slice(b"ElfFile\0");
        h[8..16].copy_from_slice(&0u64.to_le_bytes());
        h[16..24].copy_from_slice(&self.chunks.saturating_sub(1).to_le_bytes());
        h[24..32].copy_from_slice(&self.next_id.to_le_bytes());
        h[32..36].copy_from_slice(&128u32.to_le_bytes());
        h[36..38].copy_from_slice(&1u16.to_le_bytes());
        h[38..40].copy_from_slice(&3u16.to_le_bytes());
        h[40..42].copy_from_slice(&4096u16.to_le_bytes());
        h[42..44].copy_from_slice(&(self.chunks.min(u16::MAX as u64) as u16).to_le_bytes());
        let crc = crc32fast::hash(&h[..120]);
        h[124..128].copy_from_slice(&crc.to_le_bytes());
        self.out.seek(SeekFrom::Start(0))?;
        self.out.write_all(&h)?;
        self.out.seek(SeekFrom::End(0))?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The records as a whole `.evtx` file in memory.
pub fn to_bytes(records: &[Record]) -> Vec<u8> {
    let mut w = Writer::new(std::io::Cursor::new(Vec::new())).expect("writing to memory");
    for r in records {
        // Fixture records are small; one too large for a chunk is left out.
        let _ = w.push(r);
    }
    w.finish().expect("writing to memory").into_inner()
}
