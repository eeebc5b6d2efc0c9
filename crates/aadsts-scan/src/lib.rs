//! `aadsts scan`: reads sign-in log exports in every shape Microsoft produces (portal CSV
//! and JSON downloads, Graph `auditLogs/signIns` pages, Azure Monitor `PT1H.json` lines and
//! Event Hub batches, Log Analytics CSV exports) or any text, streaming, and answers
//! "what is going wrong": totals, per-code statistics with the catalog's guidance,
//! a timeline, attack signals with their evidence, and what to fix first.

mod csvscan;
pub mod input;
pub mod read;
pub mod record;
pub mod stats;
mod summary;

pub use input::{expand, Source};
pub use read::Shape;
pub use record::{SignIn, SignInRef};
pub use summary::*;

use aadsts_catalog::Catalog;
use stats::{Counter, Tally};
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
    /// Failed sign-ins to hand back whole in [`Summary::kept`], for joining them to server
    /// events (`aadsts-events`); `None` keeps none.
    pub keep_failed: Option<Arc<KeepFailed>>,
}

/// Which used sign-ins to keep whole: those whose code is in `codes`, at most `cap` (the
/// rest are counted in [`Summary::kept_dropped`]). Bounded, so memory stays flat.
#[derive(Debug, Clone, Default)]
pub struct KeepFailed {
    pub codes: std::collections::HashSet<u32>,
    pub cap: usize,
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
    /// The parts absorbed from workers, by string.
    pub tally: Tally,
    /// The rows this collector counted itself, by interned number (see [`Counter`]).
    counter: Counter,
    pub report: InputReport,
    pub skipped: Vec<Skipped>,
    /// Sign-ins kept for [`Options::keep_failed`], and how many more there were.
    pub kept: Vec<SignIn>,
    pub kept_dropped: u64,
}

impl<'a> Collector<'a> {
    pub fn new(opts: &'a Options, name: String) -> Self {
        Collector {
            opts,
            tally: Tally::default(),
            counter: Counter::default(),
            report: InputReport {
                name,
                ..Default::default()
            },
            skipped: Vec::new(),
            kept: Vec::new(),
            kept_dropped: 0,
        }
    }

    /// Everything counted: the parts absorbed, and this collector's own rows by string.
    pub fn take_tally(&mut self) -> Tally {
        let mut t = std::mem::take(&mut self.tally);
        t.merge(std::mem::take(&mut self.counter).into_tally());
        t
    }

    /// Keeps a used sign-in whole when [`Options::keep_failed`] asks for its code.
    fn hold(&mut self, r: SignIn) {
        let Some(k) = &self.opts.keep_failed else {
            return;
        };
        if k.codes.contains(&r.code) {
            if self.kept.len() < k.cap {
                self.kept.push(r);
            } else {
                self.kept_dropped += r.weight;
            }
        }
    }

    fn keep(&self, r: &SignInRef) -> bool {
        let o = self.opts;
        if o.since.is_some() || o.until.is_some() {
            let Some(t) = r.time.as_deref() else {
                return false;
            };
            if o.since.as_deref().is_some_and(|s| t < s)
                || o.until.as_deref().is_some_and(|u| t > u)
            {
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
    /// Each worker turns its interned counts into strings itself: done in `absorb`, it was
    /// about a fifth of a two-worker Log Analytics CSV scan on one thread.
    fn finish(&mut self) {
        let t = self.take_tally();
        self.tally = t;
    }

    fn absorb(&mut self, o: Self) {
        let mut o = o;
        self.tally.merge(o.take_tally());
        self.report.rows_read += o.report.rows_read;
        self.report.rows_used += o.report.rows_used;
        self.report.rows_filtered += o.report.rows_filtered;
        self.report.rows_skipped += o.report.rows_skipped;
        self.skipped.extend(o.skipped);
        let cap = self.opts.keep_failed.as_ref().map_or(0, |k| k.cap);
        let room = cap.saturating_sub(self.kept.len());
        self.kept_dropped += o.kept_dropped + o.kept.len().saturating_sub(room) as u64;
        self.kept.extend(o.kept.into_iter().take(room));
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
        if self.keep(&r.as_ref()) {
            self.report.rows_used += r.weight;
            self.counter.add(&r.as_ref());
            if self.opts.keep_failed.is_some() {
                self.hold(r);
            }
        } else {
            self.report.rows_filtered += r.weight;
        }
    }
    fn signin_ref(&mut self, r: SignInRef<'_>) {
        self.report.rows_read += r.weight;
        if self.keep(&r) {
            self.report.rows_used += r.weight;
            self.counter.add(&r);
            if self.opts.keep_failed.is_some() {
                self.hold(r.into_owned());
            }
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
    let kept: Mutex<(Vec<SignIn>, u64)> = Mutex::new((Vec::new(), 0));
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut tally = Tally::default();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(src) = sources.get(i) else { break };
                        let mut c = scan_one(src, opts, workers, &progress);
                        tally.merge(c.take_tally());
                        if opts.keep_failed.is_some() {
                            let mut k = kept.lock().expect("no panics while held");
                            k.0.extend(c.kept);
                            k.1 += c.kept_dropped;
                        }
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
    let mut summary = summary::summarise(catalog, tally, inputs, skipped, opts);
    let (mut held, mut dropped) = kept.into_inner().expect("no panics while held");
    let cap = opts.keep_failed.as_ref().map_or(0, |k| k.cap);
    if held.len() > cap {
        dropped += (held.len() - cap) as u64;
        held.truncate(cap);
    }
    summary.kept = held;
    summary.kept_dropped = dropped;
    Ok(summary)
}

/// The summary of no sign-in at all: for a run whose inputs are all server event logs.
pub fn empty_summary(catalog: &Catalog, opts: &Options) -> Summary {
    summary::summarise(catalog, Tally::default(), Vec::new(), Vec::new(), opts)
}

#[cfg(test)]
mod tests {
    use super::without_values;

    #[test]
    fn keep_failed_holds_the_asked_codes_up_to_the_cap_and_counts_the_rest() {
        use super::*;
        let dir = std::env::temp_dir().join(format!("aadsts-keep-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("s.json");
        let line = |c: u32, u: &str| {
            format!("{{\"createdDateTime\":\"2025-03-01T08:00:00Z\",\"userPrincipalName\":\"{u}\",\"ipAddress\":\"10.0.0.1\",\"status\":{{\"errorCode\":{c}}}}}\n")
        };
        let text = [
            line(50126, "a@x.com"),
            line(50126, "b@x.com"),
            line(50126, "c@x.com"),
            line(0, "a@x.com"),
            line(120015, "d@x.com"),
        ]
        .concat();
        std::fs::write(&p, text).unwrap();
        let opts = Options {
            redact: true,
            threads: 1,
            keep_failed: Some(Arc::new(KeepFailed {
                codes: [50126, 120015].into_iter().collect(),
                cap: 3,
            })),
            ..Default::default()
        };
        let cat = Catalog::builtin();
        let s = scan(&[Source::File(p)], &opts, &cat, Arc::new(AtomicU64::new(0))).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(s.kept.len(), 3);
        assert_eq!(s.kept_dropped, 1);
        assert!(s.kept.iter().all(|k| k.code == 50126 || k.code == 120015));
        // The pseudonyms given are handed on for the events report.
        assert_eq!(s.pseudonyms.users.len(), 4);
        let none = scan(
            &[Source::File(std::path::PathBuf::from("/nonexistent"))],
            &Options::default(),
            &cat,
            Arc::new(AtomicU64::new(0)),
        )
        .unwrap();
        assert!(none.kept.is_empty());
        assert_eq!(empty_summary(&cat, &Options::default()).totals.sign_ins, 0);
    }

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
