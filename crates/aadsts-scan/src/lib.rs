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
    #[error("{path} is {what}")]
    Unsupported { path: String, what: String },
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
    /// Set to `true` (by another thread) to stop the scan: every read checks it, and a
    /// cancelled input ends with the error "scan cancelled". For a server whose client left.
    pub cancel: Option<Arc<std::sync::atomic::AtomicBool>>,
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
    /// Set when an entry of a directory or a glob was not read on purpose (not a regular
    /// file, or a symbolic link out of the directory), with why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    pub file: String,
    pub at: String,
    pub reason: String,
}

/// Collects the records of (a part of) one file: counts, kept rows, skipped rows.
pub struct Collector<'a> {
    opts: &'a Options,
    pub tally: Tally,
    pub report: InputReport,
    pub skipped: Vec<Skipped>,
}

impl<'a> Collector<'a> {
    pub fn new(opts: &'a Options, name: String) -> Self {
        Collector {
            opts,
            tally: Tally::default(),
            report: InputReport {
                name,
                ..Default::default()
            },
            skipped: Vec::new(),
        }
    }

    fn keep(&self, r: &SignIn) -> bool {
        let o = self.opts;
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

impl read::Part for Collector<'_> {
    /// Adds a worker's collector for the same file.
    fn absorb(&mut self, o: Self) {
        self.tally.merge(o.tally);
        self.report.rows_read += o.report.rows_read;
        self.report.rows_used += o.report.rows_used;
        self.report.rows_filtered += o.report.rows_filtered;
        self.report.rows_skipped += o.report.rows_skipped;
        self.skipped.extend(o.skipped);
    }
    fn cancelled(&self) -> bool {
        self.opts
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

impl read::Sink for Collector<'_> {
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
            let reason = if self.opts.redact {
                without_values(&reason)
            } else {
                reason
            };
            self.skipped.push(Skipped {
                file: self.report.name.clone(),
                at,
                reason,
            });
        }
    }
}

/// A skip reason without the values it quotes (`--redact`): readers quote a field's value
/// as `"…"` (Rust's debug form, inner quotes escaped) and serde quotes tokens in backticks;
/// each quoted run becomes `"…"`, so `error code "alice@contoso.com" is not a number`
/// reads `error code "…" is not a number`. The reason stays; the value, which may be a user
/// name in the wrong column, goes.
pub fn without_values(reason: &str) -> String {
    let mut o = String::with_capacity(reason.len());
    let mut chars = reason.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut escaped = false;
                for d in chars.by_ref() {
                    match d {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        _ => escaped = false,
                    }
                }
                o.push_str("\"…\"");
            }
            '`' => {
                for d in chars.by_ref() {
                    if d == '`' {
                        break;
                    }
                }
                o.push_str("`…`");
            }
            c => o.push(c),
        }
    }
    o
}

fn scan_one<'a>(
    src: &Source,
    opts: &'a Options,
    workers: usize,
    progress: &Arc<AtomicU64>,
) -> Collector<'a> {
    let mut c = Collector::new(opts, src.name());
    if let Source::Ignored(_, why) = src {
        c.report.note = Some(why.clone());
        return c;
    }
    let opened = input::open(src, progress.clone(), opts.cancel.clone()).and_then(|r| {
        input::peek_first_line(r, 64 * 1024, 1 << 20).map_err(|e| ScanError::Read {
            path: src.name(),
            source: e,
        })
    });
    let (head, mut input) = match opened {
        Ok(x) => x,
        Err(e) => {
            c.report.error = Some(e.to_string());
            return c;
        }
    };
    let shape = opts.shape.unwrap_or_else(|| read::detect(&head));
    c.report.shape = Some(shape);
    let result = read::read_parallel(shape, &mut input, &mut c, workers, &|| {
        Collector::new(opts, src.name())
    });
    if let Err(e) = result {
        c.report.error = Some(e);
    } else if c.report.rows_read == 0 {
        c.report.error = Some(format!(
            "nothing to count: read as {}, it holds no sign-in record and no AADSTS error",
            shape.as_str()
        ));
    }
    // Workers finish in any order: list skipped rows in file order.
    c.skipped.sort_by_key(|k| location_order(&k.at));
    c.skipped.truncate(opts.max_skipped_listed.max(1));
    c
}

fn location_order(at: &str) -> (u64, u64) {
    let num = |s: &str| {
        s.trim()
            .split(' ')
            .nth(1)
            .and_then(|n| n.trim_end_matches(',').parse().ok())
            .unwrap_or(0)
    };
    let mut parts = at.split(", ");
    (parts.next().map_or(0, num), parts.next().map_or(0, num))
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
    let cores = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .max(1);
    // Files are shared out over threads; when there are fewer files than cores, each file
    // is also split over workers.
    let threads = cores.min(sources.len()).max(1);
    let workers = (cores / threads).max(1);
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
                        let c = scan_one(src, opts, workers, &progress);
                        tally.merge(c.tally);
                        reports
                            .lock()
                            .expect("no panics while held")
                            .push((i, c.report, c.skipped));
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

#[cfg(test)]
mod tests {
    use super::without_values;

    #[test]
    fn redacted_skip_reasons_keep_the_reason_and_drop_the_value() {
        assert_eq!(
            without_values(r#"error code "alice@contoso.com" is not a number"#),
            r#"error code "…" is not a number"#
        );
        assert_eq!(
            without_values(r#"time "bob \"the\" builder" is not a date this tool reads"#),
            r#"time "…" is not a date this tool reads"#
        );
        assert_eq!(
            without_values("invalid type: string \"carol\", expected `u32` at line 1"),
            "invalid type: string \"…\", expected `…` at line 1"
        );
        assert_eq!(
            without_values("no JSON object on this line"),
            "no JSON object on this line"
        );
        // A quote that never closes hides the rest.
        assert_eq!(without_values("time \"dave@x"), "time \"…\"");
    }
}
