//! `.evtx` files, read chunk by chunk from any stream (a file, gzip, standard input) with
//! the `evtx` crate's chunk parser: one 64 KiB chunk is held at a time, so memory stays
//! flat whatever the file size. A chunk or record that does not parse is counted and
//! located; the next one is read.

use crate::open::EVTX_MAGIC;
use crate::{EventsError, Sink};
use evtx::{EvtxChunkData, ParserSettings};
use std::io::BufRead;
use std::sync::Arc;

const FILE_HEADER: usize = 4096;
const CHUNK: usize = 64 * 1024;

/// Fills `buf` as far as the stream goes; the count read.
fn fill(input: &mut dyn BufRead, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match input.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// What a worker made of one chunk, in record order, for the reading thread to hand on.
enum Item {
    Event(crate::Event),
    Skip(String, String),
}

#[derive(Default)]
struct Items(Vec<Item>);

impl Sink for Items {
    fn event(&mut self, e: crate::Event) {
        self.0.push(Item::Event(e));
    }
    fn skip(&mut self, at: String, reason: String) {
        self.0.push(Item::Skip(at, reason));
    }
}

fn deliver(items: Vec<Item>, sink: &mut dyn Sink) {
    for i in items {
        match i {
            Item::Event(e) => sink.event(e),
            Item::Skip(at, why) => sink.skip(at, why),
        }
    }
}

/// Reads an `.evtx` stream; with `threads` > 1, chunks (independent of each other) are
/// parsed on that many workers while this thread reads the next ones and hands the results
/// on in file order. At most two chunks per worker are in flight, so memory stays flat.
pub(crate) fn read_parallel(
    input: &mut dyn BufRead,
    sink: &mut dyn Sink,
    threads: usize,
) -> Result<(), EventsError> {
    if threads <= 1 {
        return read(input, sink);
    }
    check_header(input)?;
    let settings = Arc::new(ParserSettings::new().num_threads(1));
    let (to_workers, jobs) = std::sync::mpsc::sync_channel::<(u64, Vec<u8>)>(threads * 2);
    let jobs = std::sync::Mutex::new(jobs);
    let (done_tx, done) = std::sync::mpsc::channel::<(u64, Vec<Item>)>();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let (jobs, done_tx, settings) = (&jobs, done_tx.clone(), settings.clone());
            s.spawn(move || loop {
                let job = match jobs.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((number, data)) = job else { return };
                let mut items = Items::default();
                // A panic in the parser must not leave this chunk's result missing (the
                // reading thread waits for it): it becomes one skipped chunk.
                let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    read_chunk(data, number, &settings, &mut items)
                }));
                if parsed.is_err() {
                    items = Items(vec![Item::Skip(
                        format!("chunk {number}"),
                        "the EVTX parser failed on this chunk".into(),
                    )]);
                }
                if done_tx.send((number, items.0)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let mut pending: std::collections::BTreeMap<u64, Vec<Item>> = Default::default();
        let (mut next_out, mut sent) = (0u64, 0u64);
        let flush = |pending: &mut std::collections::BTreeMap<u64, Vec<Item>>,
                     next_out: &mut u64,
                     sink: &mut dyn Sink| {
            while let Some(items) = pending.remove(next_out) {
                deliver(items, sink);
                *next_out += 1;
            }
        };
        let result = (|| {
            let mut number: u64 = 0;
            loop {
                let Some(data) = next_chunk(input, number)? else {
                    return Ok(());
                };
                // A chunk of zeros (unused space of a preallocated log) holds nothing.
                let job = if data.iter().all(|&b| b == 0) {
                    pending.insert(number, Vec::new());
                    None
                } else {
                    Some((number, data))
                };
                if let Some(job) = job {
                    // Bounded: wait for a result when enough chunks are in flight.
                    while sent - next_out >= (threads * 2) as u64 {
                        match done.recv() {
                            Ok((n, items)) => {
                                pending.insert(n, items);
                            }
                            Err(_) => break,
                        }
                        flush(&mut pending, &mut next_out, sink);
                    }
                    if to_workers.send(job).is_err() {
                        return Ok(());
                    }
                }
                sent = number + 1;
                number += 1;
                while let Ok((n, items)) = done.try_recv() {
                    pending.insert(n, items);
                }
                flush(&mut pending, &mut next_out, sink);
            }
        })();
        drop(to_workers);
        while next_out < sent {
            match done.recv() {
                Ok((n, items)) => {
                    pending.insert(n, items);
                }
                Err(_) => break,
            }
            flush(&mut pending, &mut next_out, sink);
        }
        result
    })
}

fn check_header(input: &mut dyn BufRead) -> Result<(), EventsError> {
    let mut header = vec![0u8; FILE_HEADER];
    let got = fill(input, &mut header).map_err(|e| EventsError::Read {
        at: "file header".into(),
        source: e,
    })?;
    if !header.starts_with(EVTX_MAGIC) {
        return Err(EventsError::Format(
            "not an EVTX file: it does not start with the `ElfFile` signature".into(),
        ));
    }
    if got < FILE_HEADER {
        return Err(EventsError::Format(format!(
            "the EVTX file header is cut short ({got} of {FILE_HEADER} bytes): the file is truncated"
        )));
    }
    Ok(())
}

/// The next 64 KiB chunk; `None` at the end; `Err` for a chunk cut short.
fn next_chunk(input: &mut dyn BufRead, number: u64) -> Result<Option<Vec<u8>>, EventsError> {
    let mut data = vec![0u8; CHUNK];
    let got = fill(input, &mut data).map_err(|e| EventsError::Read {
        at: format!("chunk {number}"),
        source: e,
    })?;
    if got == 0 {
        return Ok(None);
    }
    if got < CHUNK {
        return Err(EventsError::Format(format!(
            "chunk {number} is cut short ({got} of {CHUNK} bytes): the file is truncated; the chunks before it were read"
        )));
    }
    Ok(Some(data))
}

pub(crate) fn read(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), EventsError> {
    check_header(input)?;
    let settings = Arc::new(ParserSettings::new().num_threads(1));
    let mut number: u64 = 0;
    while let Some(data) = next_chunk(input, number)? {
        // Unused chunks at the end of a preallocated log are zeros.
        if !data.iter().all(|&b| b == 0) {
            read_chunk(data, number, &settings, sink);
        }
        number += 1;
    }
    Ok(())
}

fn read_chunk(data: Vec<u8>, number: u64, settings: &Arc<ParserSettings>, sink: &mut dyn Sink) {
    let mut chunk = match EvtxChunkData::new(data, false) {
        Ok(c) => c,
        Err(e) => {
            sink.skip(format!("chunk {number}"), format!("not a chunk: {e}"));
            return;
        }
    };
    let mut parsed = match chunk.parse(settings.clone()) {
        Ok(p) => p,
        Err(e) => {
            sink.skip(
                format!("chunk {number}"),
                format!("chunk does not parse: {e}"),
            );
            return;
        }
    };
    let mut builder = crate::read_xml::Builder::default();
    let mut out = Vec::new();
    for record in parsed.iter() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                sink.skip(
                    format!("chunk {number}"),
                    format!("record does not parse: {e}"),
                );
                continue;
            }
        };
        let id = record.event_record_id;
        let at = || format!("chunk {number}, record ID {id}");
        let xml = match record.into_xml() {
            Ok(x) => x.data,
            Err(e) => {
                sink.skip(at(), format!("record does not render: {e}"));
                continue;
            }
        };
        out.clear();
        match crate::read_xml::parse_events_with(&mut builder, &xml, &mut out) {
            Ok(()) => match out.drain(..).next() {
                Some(mut ev) => {
                    if ev.record_id.is_none() {
                        ev.record_id = Some(id);
                    }
                    sink.event(ev);
                }
                None => sink.skip(at(), "the record holds no <Event> element".into()),
            },
            Err(e) => sink.skip(at(), format!("record renders as bad XML: {e}")),
        }
    }
}
