//! `aadsts scan`: reads sign-in log exports in every shape Microsoft produces (portal CSV
//! and JSON downloads, Graph `auditLogs/signIns` pages, Azure Monitor `PT1H.json` lines and
//! Event Hub batches, Log Analytics CSV exports) or any text, streaming, and answers
//! "what is going wrong": totals, per-code statistics with the catalog's guidance,
//! a timeline, attack signals with their evidence, and what to fix first.

pub mod input;
pub mod read;
pub mod record;
pub mod stats;
mod summary;

pub use input::{expand, Source};
pub use read::Shape;
pub use record::SignIn;
pub use summary::*;

use aadsts_catalog::Catalog;
use stats::Tally;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("bad pattern {pattern}: {message}")]
    Pattern { pattern: String, message: String },
    #[error("no file matches {0}")]
    NoMatch(String),
    #[error("no input: give files, directories, globs or `-` for standard input")]
    NoInput,
}

/// What to read and which rows to keep.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Force a shape instead of detecting it per file.
    pub shape: Option<Shape>,
    /// Keep rows at or after this time (RFC 3339, compared in UTC).
    pub since: Option<String>,
    pub until: Option<String>,
    /// Keep rows whose app name or id contains this (case-insensitive).
    pub app: Option<String>,
    /// Keep rows whose user contains this (case-insensitive).
    pub user: Option<String>,
    /// Replace users, IPs and device names with stable pseudonyms in the summary.
    pub redact: bool,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// How many skipped rows to list by location (all are counted).
    pub max_skipped_listed: usize,
}

/// Per-file outcome.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct InputReport {
    pub name: String,
    pub shape: Option<Shape>,
    pub rows_read: u64,
    pub rows_used: u64,
    pub rows_filtered: u64,
    pub rows_skipped: u64,
    /// Set when the file could not be read to its end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    pub file: String,
    pub at: String,
    pub reason: String,
}

struct FileSink<'a> {
    opts: &'a Options,
    tally: &'a mut Tally,
    report: InputReport,
    skipped: Vec<Skipped>,
}

impl FileSink<'_> {
    fn keep(&self, r: &read_keep::Row) -> bool {
        read_keep::keep(self.opts, r)
    }
}

mod read_keep {
    use super::Options;
    pub type Row = crate::SignIn;

    pub fn keep(o: &Options, r: &Row) -> bool {
        if o.since.is_some() || o.until.is_some() {
            let Some(t) = &r.time else { return false };
            if o.since.as_ref().is_some_and(|s| t < s) || o.until.as_ref().is_some_and(|u| t > u) {
                return false;
            }
        }
        if let Some(a) = &o.app {
            if !r.app.to_lowercase().contains(&a.to_lowercase()) {
                return false;
            }
        }
        if let Some(u) = &o.user {
            if !r.user.contains(&u.to_lowercase()) {
                return false;
            }
        }
        true
    }
}

impl read::Sink for FileSink<'_> {
    fn signin(&mut self, r: SignIn) {
        self.report.rows_read += r.weight;
        if self.keep(&r) {
            self.report.rows_used += r.weight;
            self.tally.add(&r);
        } else {
            self.report.rows_filtered += r.weight;
        }
    }
    fn skip(&mut self, at: String, reason: String) {
        self.report.rows_read += 1;
        self.report.rows_skipped += 1;
        if self.skipped.len() < self.opts.max_skipped_listed.max(1) {
            self.skipped.push(Skipped {
                file: self.report.name.clone(),
                at,
                reason,
            });
        }
    }
}

fn scan_one(
    src: &Source,
    opts: &Options,
    tally: &mut Tally,
    progress: &Arc<AtomicU64>,
) -> (InputReport, Vec<Skipped>) {
    let mut sink = FileSink {
        opts,
        tally,
        report: InputReport {
            name: src.name(),
            ..Default::default()
        },
        skipped: Vec::new(),
    };
    let opened = input::open(src, progress.clone()).and_then(|r| {
        input::peek(r, 64 * 1024).map_err(|e| ScanError::Read {
            path: src.name(),
            source: e,
        })
    });
    let (head, mut input) = match opened {
        Ok(x) => x,
        Err(e) => {
            sink.report.error = Some(e.to_string());
            return (sink.report, sink.skipped);
        }
    };
    let shape = opts.shape.unwrap_or_else(|| read::detect(&head));
    sink.report.shape = Some(shape);
    if let Err(e) = read::read(shape, &mut input, &mut sink) {
        sink.report.error = Some(e);
    }
    (sink.report, sink.skipped)
}

/// Reads every source and summarises. Files are shared out over worker threads; the
/// `progress` counter receives raw bytes read.
pub fn scan(
    sources: &[Source],
    opts: &Options,
    catalog: &Catalog,
    progress: Arc<AtomicU64>,
) -> Result<Summary, ScanError> {
    if sources.is_empty() {
        return Err(ScanError::NoInput);
    }
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(sources.len())
    .max(1);
    let next = AtomicUsize::new(0);
    let reports: Mutex<Vec<(usize, InputReport, Vec<Skipped>)>> = Mutex::new(Vec::new());
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut tally = Tally::default();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(src) = sources.get(i) else { break };
                        let (rep, sk) = scan_one(src, opts, &mut tally, &progress);
                        reports
                            .lock()
                            .expect("no panics while held")
                            .push((i, rep, sk));
                    }
                    tally
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("scan worker panicked"))
            .collect()
    });
    let mut tally = Tally::default();
    for t in tallies {
        tally.merge(t);
    }
    let mut reports = reports.into_inner().expect("no panics while held");
    reports.sort_by_key(|(i, _, _)| *i);
    let mut inputs = Vec::new();
    let mut skipped = Vec::new();
    for (_, r, s) in reports {
        inputs.push(r);
        skipped.extend(s);
    }
    Ok(summary::summarise(catalog, tally, inputs, skipped, opts))
}
