//! `aadsts scan` of Windows event logs (`aadsts-events`) beside sign-in exports: the inputs
//! are told apart by content, the events read first (so that the sign-in scan keeps the
//! failed sign-ins whose codes they can explain), then both summarised and joined.

use aadsts_events::{EventsSummary, Names, Tallied};
use aadsts_scan::{KeepFailed, Source, Summary};
use std::sync::Arc;

/// The events read, waiting for the sign-in side.
pub struct Read {
    read: Tallied,
    opts: aadsts_events::Options,
}

/// Splits the inputs: event log exports (by their content, or an `.evtx` name) and the
/// rest, for the sign-in scan. Standard input always goes to the sign-in scan.
pub fn split(sources: Vec<Source>) -> (Vec<Source>, Vec<Source>) {
    sources
        .into_iter()
        .partition(|s| aadsts_events::sniff(s).is_none())
}

/// Reads the event inputs (none: `None`) with the sign-in scan's filters and redaction.
pub fn read(
    sources: &[Source],
    opts: &aadsts_scan::Options,
    join_window_minutes: i64,
    with_sign_ins: bool,
) -> Option<Read> {
    if sources.is_empty() {
        return None;
    }
    let eopts = aadsts_events::Options {
        since: opts.since.clone(),
        until: opts.until.clone(),
        user: opts.user.clone(),
        redact: opts.redact,
        join_window_secs: join_window_minutes * 60,
        no_join: !with_sign_ins,
        max_skipped_listed: opts.max_skipped_listed,
        threads: opts.threads,
        cancel: opts.cancel.clone(),
    };
    let read = aadsts_events::tally(sources, &eopts, &aadsts_catalog::event_page_for);
    Some(Read { read, opts: eopts })
}

impl Read {
    /// What the sign-in scan should keep for the join: failed sign-ins with a code the
    /// events read can explain.
    pub fn keep(&self) -> Arc<KeepFailed> {
        Arc::new(KeepFailed {
            codes: self.read.join_codes(),
            cap: aadsts_events::MAX_JOIN_SIGNINS,
        })
    }

    /// Summarises the events and joins them to the sign-ins the scan kept, with the sign-in
    /// side's pseudonyms.
    pub fn finish(self, s: &Summary) -> EventsSummary {
        let mut names = Names::new(
            self.opts.redact,
            s.pseudonyms.users.clone(),
            s.pseudonyms.ips.clone(),
        );
        aadsts_events::summarise(
            self.read,
            &aadsts_catalog::event_page_for,
            &s.kept,
            s.kept_dropped,
            &mut names,
            &self.opts,
        )
    }
}

/// Each event input that could not be read (to its end), as the sign-in inputs are named.
pub fn failed_inputs(e: &EventsSummary) -> Vec<String> {
    let safe = aadsts_render::scan::term_safe;
    e.inputs
        .iter()
        .filter_map(|i| {
            let err = i.error.as_ref()?;
            Some(format!("aadsts: {}: {}", safe(&i.name), safe(err)))
        })
        .collect()
}
