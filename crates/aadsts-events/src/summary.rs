//! From events to answers: counts per event (provider, ID) with the knowledge base's page,
//! level, affected users and machines, time range and first fix step; and the join of
//! events to failed sign-ins of the same user within a window.

use crate::{Event, Format, Level, Sink};
use aadsts_kb::EventPage;
use aadsts_scan::{Count, SignIn, Skipped, Source};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// How pages are found for events: the built-in catalog in the binary, test pages in tests.
pub trait Pages: Sync {
    fn page_for(&self, provider: &str, event_id: u32) -> Option<&EventPage>;
}

impl<F> Pages for F
where
    F: Fn(&str, u32) -> Option<&'static EventPage> + Sync,
{
    fn page_for(&self, provider: &str, event_id: u32) -> Option<&EventPage> {
        self(provider, event_id)
    }
}

/// Default of `--join-window`: how far apart a sign-in and an event may be and still be
/// shown together.
pub const DEFAULT_JOIN_WINDOW_SECS: i64 = 600;
/// Distinct values each top list of one event tracks by name (the distinct counts beyond
/// are not kept either: the list says it was truncated).
const TOP_KEYS_CAP: usize = 100_000;
/// Event occurrences kept for the join; beyond, they are counted as dropped.
pub const MAX_JOIN_EVENTS: usize = 200_000;
/// Failed sign-ins kept for the join (asked of the sign-in scan).
pub const MAX_JOIN_SIGNINS: usize = 200_000;
/// Joined pairs listed (all are counted).
const MAX_PAIRS_LISTED: usize = 200;
const TOP: usize = 5;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Keep events at or after this time (RFC 3339 UTC, as the sign-in scan compares).
    pub since: Option<String>,
    pub until: Option<String>,
    /// Keep events whose affected user contains this (case-insensitive), as `--user`.
    pub user: Option<String>,
    pub redact: bool,
    /// How far apart (seconds) a failed sign-in and an event may be to be joined.
    pub join_window_secs: i64,
    /// No sign-ins to join in this run: keep no event for the join (saves the memory).
    pub no_join: bool,
    pub max_skipped_listed: usize,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Set by another thread to stop reading (the web server whose client left).
    pub cancel: Option<Arc<AtomicBool>>,
}

/// Per-input outcome.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EventInput {
    pub name: String,
    pub format: Option<Format>,
    pub records_read: u64,
    pub events_used: u64,
    pub events_filtered: u64,
    pub records_skipped: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Counting maps: FxHash, as aadsts-scan's tallies (SipHash showed in the profile).
type Map<K, V> = rustc_hash::FxHashMap<K, V>;

#[derive(Debug, Clone, Default)]
struct Stats {
    provider: String,
    channel: String,
    count: u64,
    levels: Map<Level, u64>,
    first: Option<String>,
    last: Option<String>,
    users: Map<String, u64>,
    machines: Map<String, u64>,
    computers: Map<String, u64>,
    carried: Map<u32, u64>,
    truncated: bool,
}

fn bump(m: &mut Map<String, u64>, k: &str, n: u64, truncated: &mut bool) {
    if let Some(c) = m.get_mut(k) {
        *c += n;
    } else if m.len() < TOP_KEYS_CAP {
        m.insert(k.to_string(), n);
    } else {
        *truncated = true;
    }
}

/// Orders RFC 3339 UTC times as instants: as text, `13:00:05.5Z` would sort before
/// `13:00:05Z` (`.` before `Z`).
fn instant(t: &str) -> (&str, u64) {
    let (head, rest) = t.split_at(t.len().min(19));
    let frac = rest.trim_start_matches('.').trim_end_matches('Z');
    let digits: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
    (head, digits.parse().unwrap_or(0))
}

fn min_time(a: &mut Option<String>, b: &Option<String>) {
    if let Some(b) = b {
        if a.as_ref().is_none_or(|a| instant(b) < instant(a)) {
            *a = Some(b.clone());
        }
    }
}

fn max_time(a: &mut Option<String>, b: &Option<String>) {
    if let Some(b) = b {
        if a.as_ref().is_none_or(|a| instant(b) > instant(a)) {
            *a = Some(b.clone());
        }
    }
}

impl Stats {
    fn merge(&mut self, o: Stats) {
        if self.provider.is_empty() {
            self.provider = o.provider;
        }
        if self.channel.is_empty() {
            self.channel = o.channel;
        }
        self.count += o.count;
        for (k, v) in o.levels {
            *self.levels.entry(k).or_default() += v;
        }
        min_time(&mut self.first, &o.first);
        max_time(&mut self.last, &o.last);
        let mut t = self.truncated || o.truncated;
        for (k, v) in o.users {
            bump(&mut self.users, &k, v, &mut t);
        }
        for (k, v) in o.machines {
            bump(&mut self.machines, &k, v, &mut t);
        }
        for (k, v) in o.computers {
            bump(&mut self.computers, &k, v, &mut t);
        }
        for (k, v) in o.carried {
            *self.carried.entry(k).or_default() += v;
        }
        self.truncated = t;
    }
}

/// One event kept for the join.
#[derive(Debug, Clone)]
struct Occurrence {
    secs: i64,
    time: String,
    user: String,
    provider: String,
    event_id: u32,
    computer: String,
    record_id: Option<u64>,
    /// The codes this event can cause: its page's, and those it carries itself.
    codes: Vec<u32>,
}

/// What the readers counted, before it is summarised.
#[derive(Default)]
pub struct Tally {
    /// Keyed by (lower-case provider, event ID).
    stats: Map<(String, u32), Stats>,
    occurrences: Vec<Occurrence>,
    occurrences_dropped: u64,
}

impl Tally {
    /// The AADSTS codes the kept events can explain: what the sign-in scan should keep
    /// failed sign-ins of, for the join.
    pub fn join_codes(&self) -> std::collections::HashSet<u32> {
        self.occurrences
            .iter()
            .flat_map(|o| o.codes.iter().copied())
            .collect()
    }

    fn merge(&mut self, o: Tally) {
        for (k, v) in o.stats {
            self.stats.entry(k).or_default().merge(v);
        }
        let room = MAX_JOIN_EVENTS.saturating_sub(self.occurrences.len());
        let extra = o.occurrences.len().saturating_sub(room) as u64;
        self.occurrences
            .extend(o.occurrences.into_iter().take(room));
        self.occurrences_dropped += o.occurrences_dropped + extra;
    }
}

/// Collects one input: the per-event counts, its report, the skipped records.
struct Collector<'a> {
    opts: &'a Options,
    pages: &'a dyn Pages,
    tally: Tally,
    report: EventInput,
    skipped: Vec<Skipped>,
}

impl Collector<'_> {
    fn keep(&self, e: &Event) -> bool {
        let o = self.opts;
        if o.since.is_none() && o.until.is_none() {
            return true;
        }
        let Some(t) = &e.time else { return false };
        !(o.since.as_ref().is_some_and(|s| t < s) || o.until.as_ref().is_some_and(|u| t > u))
    }
}

impl Sink for Collector<'_> {
    fn event(&mut self, mut e: Event) {
        self.report.records_read += 1;
        if !self.keep(&e) {
            self.report.events_filtered += 1;
            return;
        }
        self.report.events_used += 1;
        crate::who::name_positional(&mut e);
        let page = self.pages.page_for(&e.provider, e.event_id);
        let ufields: Vec<&str> = page
            .map(|p| p.user_fields.iter().map(|f| f.as_ref()).collect())
            .unwrap_or_default();
        let mfields: Vec<&str> = page
            .map(|p| p.machine_fields.iter().map(|f| f.as_ref()).collect())
            .unwrap_or_default();
        let user = crate::who::user_of(&e, &ufields);
        if let Some(want) = &self.opts.user {
            if !user
                .as_deref()
                .is_some_and(|u| u.contains(&want.to_lowercase()))
            {
                self.report.events_used -= 1;
                self.report.events_filtered += 1;
                return;
            }
        }
        let machine = crate::who::machine_of(&e, &mfields);
        let carried = e.aadsts_codes();
        let key = (e.provider.to_ascii_lowercase(), e.event_id);
        let s = self.tally.stats.entry(key).or_default();
        if s.provider.is_empty() {
            s.provider = e.provider.clone();
        }
        if s.channel.is_empty() {
            s.channel = e.channel.clone();
        }
        s.count += 1;
        *s.levels.entry(e.level).or_default() += 1;
        min_time(&mut s.first, &e.time);
        max_time(&mut s.last, &e.time);
        let mut t = s.truncated;
        if let Some(u) = &user {
            bump(&mut s.users, u, 1, &mut t);
        }
        if let Some(m) = &machine {
            bump(&mut s.machines, m, 1, &mut t);
        }
        if !e.computer.is_empty() {
            bump(&mut s.computers, &e.computer, 1, &mut t);
        }
        s.truncated = t;
        for c in &carried {
            *s.carried.entry(*c).or_default() += 1;
        }
        // Only events that can explain a sign-in code, of a known user and time, can join.
        let mut codes: Vec<u32> = page.map(|p| p.codes.to_vec()).unwrap_or_default();
        codes.extend(
            carried
                .iter()
                .filter(|c| !codes.contains(c))
                .collect::<Vec<_>>(),
        );
        if self.opts.no_join {
            return;
        }
        let (Some(user), Some(time)) = (user, e.time.clone()) else {
            return;
        };
        let Some(secs) = seconds(&time) else { return };
        if codes.is_empty() {
            return;
        }
        if self.tally.occurrences.len() >= MAX_JOIN_EVENTS {
            self.tally.occurrences_dropped += 1;
            return;
        }
        self.tally.occurrences.push(Occurrence {
            secs,
            time,
            user,
            provider: e.provider,
            event_id: e.event_id,
            computer: e.computer,
            record_id: e.record_id,
            codes,
        });
    }

    fn skip(&mut self, at: String, reason: String) {
        self.report.records_read += 1;
        self.report.records_skipped += 1;
        if self.skipped.len() < self.opts.max_skipped_listed.max(1) {
            let reason = if self.opts.redact {
                aadsts_scan::without_values(&reason)
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

/// Stops the stream once `cancel` is set.
struct Cancellable<'a> {
    inner: &'a mut dyn std::io::BufRead,
    cancel: Option<Arc<AtomicBool>>,
}

impl std::io::Read for Cancellable<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
        {
            return Err(std::io::Error::other("scan cancelled"));
        }
        self.inner.read(buf)
    }
}

fn scan_one<'a>(
    src: &Source,
    opts: &'a Options,
    pages: &'a dyn Pages,
    workers: usize,
) -> Collector<'a> {
    let mut c = Collector {
        opts,
        pages,
        tally: Tally::default(),
        report: EventInput {
            name: src.name(),
            ..Default::default()
        },
        skipped: Vec::new(),
    };
    let (format, mut input) = match crate::open::open(src) {
        Ok(x) => x,
        Err(e) => {
            c.report.error = Some(e.to_string());
            return c;
        }
    };
    c.report.format = Some(format);
    if format.local_times() {
        c.report.note = Some(
            "this export writes the exporting machine's local time without a zone; times are read as UTC"
                .into(),
        );
    }
    let mut stream = std::io::BufReader::with_capacity(
        64 * 1024,
        Cancellable {
            inner: &mut input,
            cancel: opts.cancel.clone(),
        },
    );
    if let Err(e) = crate::read_threads(format, &mut stream, &mut c, workers) {
        c.report.error = Some(e.to_string());
    } else if c.report.records_read == 0 {
        c.report.error = Some(format!(
            "nothing to count: read as {}, it holds no event",
            format.as_str()
        ));
    }
    c
}

/// What reading the event inputs gave: the counts, each input's outcome, and the first
/// skipped records.
pub struct Tallied {
    pub tally: Tally,
    pub inputs: Vec<EventInput>,
    pub skipped: Vec<Skipped>,
}

impl Tallied {
    /// See [`Tally::join_codes`].
    pub fn join_codes(&self) -> std::collections::HashSet<u32> {
        self.tally.join_codes()
    }
}

/// Reads every event source; files are shared out over worker threads.
pub fn tally(sources: &[Source], opts: &Options, pages: &dyn Pages) -> Tallied {
    let cores = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let threads = cores.min(sources.len()).max(1);
    // Fewer files than cores: each `.evtx` is also parsed on several workers.
    let workers = (cores / threads).max(1);
    let next = AtomicUsize::new(0);
    let reports: Mutex<Vec<(usize, EventInput, Vec<Skipped>)>> = Mutex::new(Vec::new());
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut t = Tally::default();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(src) = sources.get(i) else { break };
                        let c = scan_one(src, opts, pages, workers);
                        t.merge(c.tally);
                        if let Ok(mut r) = reports.lock() {
                            r.push((i, c.report, c.skipped));
                        }
                    }
                    t
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut tally = Tally::default();
    for t in tallies {
        tally.merge(t);
    }
    let mut reports = reports.into_inner().unwrap_or_default();
    reports.sort_by_key(|(i, _, _)| *i);
    let mut inputs = Vec::new();
    let mut skipped = Vec::new();
    for (_, r, s) in reports {
        inputs.push(r);
        skipped.extend(s);
    }
    skipped.truncate(opts.max_skipped_listed.max(1));
    Tallied {
        tally,
        inputs,
        skipped,
    }
}

/// Seconds since 1970 of an RFC 3339 UTC time as the readers write it.
pub fn seconds(t: &str) -> Option<i64> {
    let n = |r: std::ops::Range<usize>| -> Option<i64> { t.get(r)?.parse().ok() };
    let days = aadsts_extract::days_from_civil(n(0..4)?, n(5..7)?, n(8..10)?);
    Some(days * 86_400 + n(11..13)? * 3600 + n(14..16)? * 60 + n(17..19)?)
}

#[derive(Debug, Clone, Serialize)]
pub struct EventTops {
    pub users: Vec<Count>,
    pub machines: Vec<Count>,
    /// The servers that logged it (`System/Computer`).
    pub computers: Vec<Count>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub provider: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub channel: String,
    pub event_id: u32,
    /// The page that explains it (`writeback-33004`); `None`: no page yet.
    pub page: Option<String>,
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The level most of its occurrences have.
    pub level: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixer: Option<String>,
    /// `failure` or `expected`, from the page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// The page's first paragraph of Meaning, as plain text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// The page's first fix step (Markdown) and the same as plain text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_step: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_step_text: Option<String>,
    /// AADSTS codes the page says this event can be the reason for.
    pub codes: Vec<u32>,
    /// AADSTS codes found in the events' own text, with how many events carried each.
    pub carried_codes: Vec<CodeCount>,
    pub count: u64,
    pub users: usize,
    pub machines: usize,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub top: EventTops,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub top_truncated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CodeCount {
    pub code: u32,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventRecords {
    pub read: u64,
    pub used: u64,
    pub filtered_out: u64,
    pub skipped: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventTotals {
    pub events: u64,
    /// Events whose page's signal is `failure`.
    pub failures: u64,
    pub with_page: u64,
    pub without_page: u64,
    pub first: Option<String>,
    pub last: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JoinedSignIn {
    pub time: String,
    pub user: String,
    pub code: u32,
    pub app: String,
    pub ip: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct JoinedEvent {
    pub time: String,
    pub provider: String,
    pub event_id: u32,
    pub page: Option<String>,
    pub computer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_id: Option<u64>,
    pub user: String,
}

/// A failed sign-in and an event that can explain its code, for the same user, close in
/// time.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub sign_in: JoinedSignIn,
    pub event: JoinedEvent,
    /// `upn` (the same user principal name), `domain-name` (`DOMAIN\name` whose name is the
    /// UPN's local part) or `sam-account-name` (a bare account name equal to the local part).
    pub matched_by: &'static str,
    /// The same in words, for people.
    pub how: String,
    /// Event time minus sign-in time.
    pub seconds_apart: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Join {
    pub window_seconds: i64,
    /// Failed sign-ins whose code some event page (or event) names, given to the join.
    pub sign_ins_considered: usize,
    /// Such sign-ins past the cap of the sign-in scan, not joined.
    pub sign_ins_dropped: u64,
    /// Events with a user, a time and codes, given to the join.
    pub events_considered: usize,
    pub events_dropped: u64,
    /// Pairs found (all counted; the first are listed).
    pub matches: u64,
    /// Distinct failed sign-ins that some event explains.
    pub sign_ins_explained: u64,
    pub pairs: Vec<Pair>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventsSummary {
    pub inputs: Vec<EventInput>,
    pub records: EventRecords,
    pub skipped: Vec<Skipped>,
    pub totals: EventTotals,
    pub events: Vec<EventRow>,
    /// `provider/id` of the events that have no page (counted in `events` too).
    pub no_page: Vec<String>,
    pub join: Join,
    pub redacted: bool,
    pub top_lists_truncated: bool,
}

/// Pseudonyms (`--redact`), seeded with the sign-in side's so that one user or address has
/// one name in the whole report.
pub struct Names {
    on: bool,
    users: HashMap<String, String>,
    ips: HashMap<String, String>,
    hosts: HashMap<String, String>,
}

impl Names {
    pub fn new(on: bool, users: HashMap<String, String>, ips: HashMap<String, String>) -> Self {
        Names {
            on,
            users,
            ips,
            hosts: HashMap::new(),
        }
    }
    fn pseudo(on: bool, m: &mut HashMap<String, String>, prefix: &str, v: &str) -> String {
        if !on {
            return v.to_string();
        }
        let n = m.len() + 1;
        m.entry(v.to_string())
            .or_insert_with(|| format!("{prefix}-{n}"))
            .clone()
    }
    pub fn user(&mut self, v: &str) -> String {
        Self::pseudo(self.on, &mut self.users, "user", v)
    }
    /// An IP address gets the sign-in side's `ip-N`; a host name `host-N`.
    pub fn machine(&mut self, v: &str) -> String {
        if v.parse::<std::net::IpAddr>().is_ok() {
            Self::pseudo(self.on, &mut self.ips, "ip", v)
        } else {
            Self::pseudo(self.on, &mut self.hosts, "host", v)
        }
    }
    fn tops(&mut self, m: &Map<String, u64>, f: fn(&mut Names, &str) -> String) -> Vec<Count> {
        let order =
            |a: &(&String, &u64), b: &(&String, &u64)| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0));
        let mut v: Vec<(&String, &u64)> = m.iter().collect();
        if v.len() > TOP {
            v.select_nth_unstable_by(TOP - 1, order);
            v.truncate(TOP);
        }
        v.sort_by(order);
        v.into_iter()
            .map(|(k, c)| Count {
                value: f(self, k),
                count: *c,
            })
            .collect()
    }
}

/// Sign-in side of the join: keys a UPN is known by.
fn local_part(upn: &str) -> &str {
    upn.split('@').next().unwrap_or(upn)
}

/// How an event's user matches a sign-in's UPN, if it does.
fn match_kind(event_user: &str, upn: &str) -> Option<&'static str> {
    if event_user.contains('@') {
        return (event_user == upn).then_some("upn");
    }
    let local = local_part(upn);
    if let Some((_, name)) = event_user.rsplit_once('\\') {
        return (name == local).then_some("domain-name");
    }
    (event_user == local).then_some("sam-account-name")
}

fn join_key(event_user: &str) -> &str {
    if event_user.contains('@') {
        event_user
    } else {
        event_user.rsplit_once('\\').map_or(event_user, |(_, n)| n)
    }
}

/// Summarises the tally and joins it to the failed sign-ins kept by the sign-in scan.
pub fn summarise(
    read: Tallied,
    pages: &dyn Pages,
    sign_ins: &[SignIn],
    sign_ins_dropped: u64,
    names: &mut Names,
    opts: &Options,
) -> EventsSummary {
    let Tallied {
        tally,
        inputs,
        skipped,
    } = read;
    let mut rows = Vec::new();
    let mut no_page = Vec::new();
    let (mut total, mut failures, mut with_page) = (0, 0, 0);
    let (mut first, mut last) = (None, None);
    for ((_, id), s) in &tally.stats {
        let page = pages.page_for(&s.provider, *id);
        total += s.count;
        min_time(&mut first, &s.first);
        max_time(&mut last, &s.last);
        match page {
            Some(p) => {
                with_page += s.count;
                if p.signal.as_str() == "failure" {
                    failures += s.count;
                }
            }
            None => no_page.push(format!("{}/{id}", s.provider)),
        }
        let level = s
            .levels
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map_or(Level::Unknown, |(l, _)| *l);
        let mut carried: Vec<CodeCount> = s
            .carried
            .iter()
            .map(|(c, n)| CodeCount {
                code: *c,
                count: *n,
            })
            .collect();
        carried.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
        let first_step = page.and_then(|p| p.fix.first()).map(|s| s.to_string());
        rows.push(EventRow {
            provider: s.provider.clone(),
            channel: s.channel.clone(),
            event_id: *id,
            page: page.map(|p| p.id()),
            title: page.map(|p| p.title.to_string()),
            name: page.and_then(|p| p.name.as_ref().map(|n| n.to_string())),
            level,
            severity: page.map(|p| p.severity.as_str().to_string()),
            fixer: page.map(|p| p.fixer.as_str().to_string()),
            signal: page.map(|p| p.signal.as_str().to_string()),
            explanation: page
                .and_then(|p| p.meaning.first())
                .map(|m| aadsts_kb::markdown_to_plain(m)),
            first_step_text: first_step.as_deref().map(aadsts_kb::markdown_to_plain),
            first_step,
            codes: page.map(|p| p.codes.to_vec()).unwrap_or_default(),
            carried_codes: carried,
            count: s.count,
            users: s.users.len(),
            machines: s.machines.len(),
            first_seen: s.first.clone(),
            last_seen: s.last.clone(),
            top: EventTops {
                users: Vec::new(),
                machines: Vec::new(),
                computers: Vec::new(),
            },
            top_truncated: s.truncated,
        });
    }
    // Failures with a page first, then events without a page, then expected events; most
    // counted first.
    let rank = |r: &EventRow| match (r.page.is_some(), r.signal.as_deref()) {
        (true, Some("failure")) => 0,
        (false, _) => 1,
        _ => 2,
    };
    rows.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then(b.count.cmp(&a.count))
            .then(a.provider.cmp(&b.provider))
            .then(a.event_id.cmp(&b.event_id))
    });
    no_page.sort();

    let join = join(
        &tally,
        sign_ins,
        sign_ins_dropped,
        pages,
        opts.join_window_secs,
    );

    // Pseudonyms in report order: the events' top lists, then the join.
    for r in &mut rows {
        let s = &tally.stats[&(r.provider.to_ascii_lowercase(), r.event_id)];
        r.top.users = names.tops(&s.users, Names::user);
        r.top.machines = names.tops(&s.machines, Names::machine);
        r.top.computers = names.tops(&s.computers, Names::machine);
    }
    let mut join = join;
    for p in &mut join.pairs {
        let local = local_part(&p.sign_in.user.to_lowercase()).to_string();
        p.sign_in.user = names.user(&p.sign_in.user);
        if !p.sign_in.ip.is_empty() {
            p.sign_in.ip = names.machine(&p.sign_in.ip);
        }
        p.event.user = names.user(&p.event.user);
        // Said after the pseudonyms are given, so that a redacted report names nobody.
        p.how = match (p.matched_by, names.on) {
            ("upn", _) => "the event names the same user principal name".to_string(),
            ("domain-name", false) => format!(
                "the event's account {} is DOMAIN\\name with the UPN's local part ({local})",
                p.event.user
            ),
            ("domain-name", true) => {
                "the event's account is DOMAIN\\name with the UPN's local part".to_string()
            }
            (_, false) => format!(
                "the event's sAMAccountName {} equals the UPN's local part",
                p.event.user
            ),
            (_, true) => "the event's sAMAccountName equals the UPN's local part".to_string(),
        };
        if !p.event.computer.is_empty() {
            p.event.computer = names.machine(&p.event.computer);
        }
    }
    let top_lists_truncated = rows.iter().any(|r| r.top_truncated);
    EventsSummary {
        records: EventRecords {
            read: inputs.iter().map(|i| i.records_read).sum(),
            used: inputs.iter().map(|i| i.events_used).sum(),
            filtered_out: inputs.iter().map(|i| i.events_filtered).sum(),
            skipped: inputs.iter().map(|i| i.records_skipped).sum(),
        },
        inputs,
        skipped,
        totals: EventTotals {
            events: total,
            failures,
            with_page,
            without_page: total - with_page,
            first,
            last,
        },
        events: rows,
        no_page,
        join,
        redacted: opts.redact,
        top_lists_truncated,
    }
}

fn join(
    tally: &Tally,
    sign_ins: &[SignIn],
    sign_ins_dropped: u64,
    pages: &dyn Pages,
    window: i64,
) -> Join {
    // Events by the key their user is matched with, sorted by time.
    let mut by_key: HashMap<&str, Vec<&Occurrence>> = HashMap::new();
    for o in &tally.occurrences {
        by_key.entry(join_key(&o.user)).or_default().push(o);
    }
    for v in by_key.values_mut() {
        v.sort_by_key(|o| o.secs);
    }
    let mut pairs = Vec::new();
    let mut matches = 0u64;
    let mut explained = 0u64;
    let mut considered = 0usize;
    let mut sorted: Vec<&SignIn> = sign_ins.iter().collect();
    sorted.sort_by(|a, b| a.time.cmp(&b.time).then(a.user.cmp(&b.user)));
    for s in sorted {
        let (Some(t), false) = (&s.time, s.user.is_empty()) else {
            continue;
        };
        let Some(secs) = seconds(t) else { continue };
        considered += 1;
        let upn = s.user.to_lowercase();
        let mut found = false;
        for key in [upn.as_str(), local_part(&upn)] {
            let Some(list) = by_key.get(key) else {
                continue;
            };
            let start = list.partition_point(|o| o.secs < secs - window);
            for o in list[start..].iter().take_while(|o| o.secs <= secs + window) {
                if !o.codes.contains(&s.code) {
                    continue;
                }
                let Some(by) = match_kind(&o.user, &upn) else {
                    continue;
                };
                // The UPN key and the local-part key both hold a UPN-keyed event only
                // when they are equal strings; a UPN event is matched under its own key.
                if key != upn && by == "upn" {
                    continue;
                }
                matches += 1;
                found = true;
                if pairs.len() < MAX_PAIRS_LISTED {
                    pairs.push(Pair {
                        sign_in: JoinedSignIn {
                            time: t.clone(),
                            user: s.user.clone(),
                            code: s.code,
                            app: s.app.clone(),
                            ip: s.ip.clone(),
                        },
                        event: JoinedEvent {
                            time: o.time.clone(),
                            provider: o.provider.clone(),
                            event_id: o.event_id,
                            page: pages.page_for(&o.provider, o.event_id).map(|p| p.id()),
                            computer: o.computer.clone(),
                            record_id: o.record_id,
                            user: o.user.clone(),
                        },
                        matched_by: by,
                        how: String::new(),
                        seconds_apart: o.secs - secs,
                    });
                }
            }
        }
        if found {
            explained += 1;
        }
    }
    Join {
        window_seconds: window,
        sign_ins_considered: considered,
        sign_ins_dropped,
        events_considered: tally.occurrences.len(),
        events_dropped: tally.occurrences_dropped,
        matches,
        sign_ins_explained: explained,
        pairs,
    }
}
