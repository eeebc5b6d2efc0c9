//! Counting: per code, per hour, per IP and user for the attack signals. Everything is
//! keyed by distinct values, so memory grows with distinct users/apps/IPs, not rows.

#[cfg(test)]
use crate::record::SignIn;
use crate::record::SignInRef;
use rustc_hash::{FxBuildHasher, FxHashSet as HashSet, FxHasher};

/// String-keyed maps looked up with `&str` (one probe, an allocation only for new keys).
pub type HashMap<K, V> = hashbrown::HashMap<K, V, FxBuildHasher>;

/// Codes that mean a password was tried and was wrong, or the account was locked for it.
pub const PASSWORD_FAILURES: [u32; 3] = [50126, 50053, 50055];
/// Codes of sign-ins blocked because of user or sign-in risk.
pub const RISK_BLOCKS: [u32; 4] = [53004, 53011, 530032, 530034];
/// Client apps (`clientAppUsed`) that use legacy authentication protocols.
pub const LEGACY_CLIENTS: [&str; 13] = [
    "Exchange ActiveSync",
    "IMAP4",
    "IMAP",
    "POP3",
    "POP",
    "SMTP",
    "Authenticated SMTP",
    "AutoDiscover",
    "Exchange Web Services",
    "MAPI Over HTTP",
    "Offline Address Book",
    "Outlook Anywhere (RPC over HTTP)",
    "Other clients",
];

fn hash(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = FxHasher::default();
    s.hash(&mut h);
    h.finish()
}

/// Most distinct values a top list (users, apps, IPs… of one code) tracks by name. Beyond
/// it a value is only counted as distinct (its 64-bit hash kept), so hostile or huge logs
/// cost about 10 bytes per further distinct value instead of a name and a map entry.
pub const TOP_KEYS_CAP: usize = 100_000;

/// Sign-ins per value, for a top list and its distinct count.
#[derive(Debug, Default, Clone)]
pub struct Keys {
    counts: HashMap<String, u64>,
    /// Once more than [`TOP_KEYS_CAP`] values were seen: the hash of every value seen
    /// (tracked or not), for the distinct count.
    seen: Option<HashSet<u64>>,
    cap: usize,
}

impl Keys {
    fn cap(&self) -> usize {
        if self.cap == 0 {
            TOP_KEYS_CAP
        } else {
            self.cap
        }
    }

    /// A list that tracks at most `cap` values by name (tests use small caps).
    pub fn with_cap(cap: usize) -> Keys {
        Keys {
            cap,
            ..Keys::default()
        }
    }

    pub fn add(&mut self, k: &str, n: u64) {
        if k.is_empty() {
            return;
        }
        if let Some(v) = self.counts.get_mut(k) {
            *v += n;
            return;
        }
        if self.counts.len() < self.cap() {
            self.counts.insert(k.to_string(), n);
            if let Some(seen) = &mut self.seen {
                seen.insert(hash(k));
            }
            return;
        }
        self.seen_mut().insert(hash(k));
    }

    fn seen_mut(&mut self) -> &mut HashSet<u64> {
        if self.seen.is_none() {
            self.seen = Some(self.counts.keys().map(|k| hash(k)).collect());
        }
        self.seen.as_mut().expect("just set")
    }

    /// Distinct values seen: exact (up to 64-bit hash collisions) whether or not the list
    /// was truncated.
    pub fn distinct(&self) -> usize {
        self.seen.as_ref().map_or(self.counts.len(), |s| s.len())
    }

    /// Whether values beyond the cap were seen and not tracked by name: the counts of the
    /// top values may then be low.
    pub fn truncated(&self) -> bool {
        self.seen
            .as_ref()
            .is_some_and(|s| s.len() > self.counts.len())
    }

    pub fn contains(&self, k: &str) -> bool {
        self.counts.contains_key(k)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &u64)> {
        self.counts.iter()
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Adds the smaller list into the larger one (merging is symmetric, and re-inserting
    /// the keys of a big map costs as much as building it).
    pub fn merge(&mut self, mut o: Keys) {
        if self.counts.len() < o.counts.len() {
            std::mem::swap(self, &mut o);
        }
        if let Some(theirs) = o.seen.take() {
            self.seen_mut().extend(theirs);
        }
        for (k, v) in o.counts {
            if let Some(x) = self.counts.get_mut(k.as_str()) {
                *x += v;
            } else if self.counts.len() < self.cap() {
                if let Some(seen) = &mut self.seen {
                    seen.insert(hash(&k));
                }
                self.counts.insert(k, v);
            } else {
                self.seen_mut().insert(hash(&k));
            }
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct CodeStats {
    pub count: u64,
    pub users: Keys,
    pub apps: Keys,
    pub ips: Keys,
    pub client_apps: Keys,
    pub os: Keys,
    pub ca_policies: Keys,
    pub first: Option<String>,
    pub last: Option<String>,
}

#[cfg(test)]
fn bump(m: &mut Keys, k: &str, n: u64) {
    m.add(k, n);
}

/// Copies the key only when it is new: most rows repeat a user or IP already counted.
#[cfg(test)]
fn insert(set: &mut HashSet<String>, k: &str) {
    if !set.contains(k) {
        set.insert(k.to_string());
    }
}

fn merge_map(a: &mut Keys, b: Keys) {
    a.merge(b);
}

/// `a < b` as strings, eight bytes at a time: times are short, and the C library's memcmp
/// called four times a row cost more than the comparing.
#[inline]
fn less(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let x = u64::from_be_bytes(a[i..i + 8].try_into().expect("8 bytes"));
        let y = u64::from_be_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        if x != y {
            return x < y;
        }
        i += 8;
    }
    while i < n {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

/// `a == b` for short strings, as [`less`] (the last eight bytes read overlapping).
#[inline]
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |x: &[u8], i: usize| u64::from_le_bytes(x[i..i + 8].try_into().expect("8 bytes"));
    if n < 8 {
        return a == b;
    }
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// Keeps the earlier time. A later time replaces the kept one in its own buffer: rows come
/// in time order, so `max_time` replaces on almost every row, and a fresh copy each time
/// was an allocation per row and per bound.
fn min_time(a: &mut Option<String>, b: Option<&str>) {
    if let Some(b) = b {
        match a {
            Some(x) if less(b, x) => {
                x.clear();
                x.push_str(b);
            }
            Some(_) => {}
            None => *a = Some(b.to_string()),
        }
    }
}

fn max_time(a: &mut Option<String>, b: Option<&str>) {
    if let Some(b) = b {
        match a {
            Some(x) if less(x, b) => {
                x.clear();
                x.push_str(b);
            }
            Some(_) => {}
            None => *a = Some(b.to_string()),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct IpStats {
    /// Users with a password failure from this IP.
    pub failed_users: HashSet<String>,
    /// Hashes, not names: every success adds one, and only their number is reported.
    pub succeeded_users: HashSet<u64>,
    pub failures: u64,
    pub disabled_probes: u64,
    pub first: Option<String>,
    pub last: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct UserStats {
    pub password_failures: u64,
    pub password_ips: HashSet<String>,
    pub mfa_denials: u64,
    pub mfa_unanswered: u64,
    pub fraud_reports: u64,
    pub first_failure: Option<String>,
    pub last_success: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct LegacyStats {
    pub attempts: u64,
    pub successes: u64,
    pub users: HashSet<String>,
}

/// Everything counted from the records of one or more files.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub codes: rustc_hash::FxHashMap<u32, CodeStats>,
    /// Hour (`YYYY-MM-DDTHH`) → code → sign-ins: the timeline counts real failures
    /// apart from interrupts and expected codes, which only the catalog can tell.
    pub hours: HashMap<String, rustc_hash::FxHashMap<u32, u64>>,
    pub ips: HashMap<String, IpStats>,
    pub users: HashMap<String, UserStats>,
    pub legacy: HashMap<String, LegacyStats>,
    pub risk_blocked_users: HashSet<String>,
    pub risk_blocks: u64,
    pub first: Option<String>,
    pub last: Option<String>,
}

impl Tally {
    /// Counts one sign-in by its strings. The scan counts through the interned [`Counter`];
    /// this plain reading is the reference the tests hold it to, so it is built for them only.
    #[cfg(test)]
    pub fn add(&mut self, r: &SignIn) {
        let n = r.weight;
        let c = self.codes.entry(r.code).or_default();
        c.count += n;
        bump(&mut c.users, &r.user, n);
        bump(&mut c.apps, &r.app, n);
        bump(&mut c.ips, &r.ip, n);
        bump(&mut c.client_apps, &r.client_app, n);
        bump(&mut c.os, &r.os, n);
        for p in &r.ca_failed {
            bump(&mut c.ca_policies, p, n);
        }
        min_time(&mut c.first, r.time.as_deref());
        max_time(&mut c.last, r.time.as_deref());
        min_time(&mut self.first, r.time.as_deref());
        max_time(&mut self.last, r.time.as_deref());
        if let Some(t) = &r.time {
            let h = self.hours.entry_ref(t.get(..13).unwrap_or(t)).or_default();
            *h.entry(r.code).or_default() += n;
        }

        let password_failure = PASSWORD_FAILURES.contains(&r.code);
        if !r.ip.is_empty() && (password_failure || r.code == 0 || r.code == 50057) {
            let ip = self.ips.entry_ref(r.ip.as_str()).or_default();
            if password_failure && !r.user.is_empty() {
                insert(&mut ip.failed_users, &r.user);
                ip.failures += n;
                min_time(&mut ip.first, r.time.as_deref());
                max_time(&mut ip.last, r.time.as_deref());
            } else if r.code == 0 && !r.user.is_empty() {
                ip.succeeded_users.insert(hash(&r.user));
            } else if r.code == 50057 {
                ip.disabled_probes += n;
            }
        }
        if !r.user.is_empty() && (password_failure || r.code == 0 || r.code == 500121) {
            let u = self.users.entry_ref(r.user.as_str()).or_default();
            if password_failure {
                u.password_failures += n;
                if !r.ip.is_empty() {
                    insert(&mut u.password_ips, &r.ip);
                }
                min_time(&mut u.first_failure, r.time.as_deref());
            } else if r.code == 0 {
                max_time(&mut u.last_success, r.time.as_deref());
            } else {
                let d = r.details.to_lowercase();
                if d.contains("fraud") {
                    u.fraud_reports += n;
                } else if d.contains("did not respond") || d.contains("timed out") {
                    u.mfa_unanswered += n;
                } else if d.contains("denied") || d.contains("declined") {
                    u.mfa_denials += n;
                }
                min_time(&mut u.first_failure, r.time.as_deref());
            }
        }
        if LEGACY_CLIENTS
            .iter()
            .any(|l| l.eq_ignore_ascii_case(&r.client_app))
        {
            let l = self.legacy.entry_ref(r.client_app.as_str()).or_default();
            l.attempts += n;
            if r.code == 0 {
                l.successes += n;
            }
            if !r.user.is_empty() {
                insert(&mut l.users, &r.user);
            }
        }
        if RISK_BLOCKS.contains(&r.code) {
            self.risk_blocks += n;
            if !r.user.is_empty() {
                insert(&mut self.risk_blocked_users, &r.user);
            }
        }
    }

    /// Adds another tally (from another file or thread) into this one.
    pub fn merge(&mut self, o: Tally) {
        // The common case of a single worker: nothing to add into (every record added is
        // counted under its code, so no codes means an empty tally).
        if self.codes.is_empty() {
            *self = o;
            return;
        }
        for (code, s) in o.codes {
            let c = self.codes.entry(code).or_default();
            c.count += s.count;
            merge_map(&mut c.users, s.users);
            merge_map(&mut c.apps, s.apps);
            merge_map(&mut c.ips, s.ips);
            merge_map(&mut c.client_apps, s.client_apps);
            merge_map(&mut c.os, s.os);
            merge_map(&mut c.ca_policies, s.ca_policies);
            min_time(&mut c.first, s.first.as_deref());
            max_time(&mut c.last, s.last.as_deref());
        }
        for (h, codes) in o.hours {
            let e = self.hours.entry(h).or_default();
            for (c, n) in codes {
                *e.entry(c).or_default() += n;
            }
        }
        for (k, s) in o.ips {
            let e = self.ips.entry(k).or_default();
            e.failed_users.extend(s.failed_users);
            e.succeeded_users.extend(s.succeeded_users);
            e.failures += s.failures;
            e.disabled_probes += s.disabled_probes;
            min_time(&mut e.first, s.first.as_deref());
            max_time(&mut e.last, s.last.as_deref());
        }
        for (k, s) in o.users {
            let e = self.users.entry(k).or_default();
            e.password_failures += s.password_failures;
            e.password_ips.extend(s.password_ips);
            e.mfa_denials += s.mfa_denials;
            e.mfa_unanswered += s.mfa_unanswered;
            e.fraud_reports += s.fraud_reports;
            min_time(&mut e.first_failure, s.first_failure.as_deref());
            max_time(&mut e.last_success, s.last_success.as_deref());
        }
        for (k, s) in o.legacy {
            let e = self.legacy.entry(k).or_default();
            e.attempts += s.attempts;
            e.successes += s.successes;
            e.users.extend(s.users);
        }
        self.risk_blocks += o.risk_blocks;
        self.risk_blocked_users.extend(o.risk_blocked_users);
        min_time(&mut self.first, o.first.as_deref());
        max_time(&mut self.last, o.last.as_deref());
    }
}

/// The strings one worker counts, each stored once and numbered in order of first use: the
/// per-row counting is keyed by these numbers, and only [`Counter::into_tally`] turns them
/// back into strings. `""` is number 0 and is never counted. A value only ever counted by
/// its hash (beyond a top list's cap) is not stored, so memory stays as bounded as before.
#[derive(Debug, Clone)]
pub struct Interner {
    ids: hashbrown::HashTable<Slot>,
    /// All values one after the other (close together in memory: each lookup ends in a
    /// comparison with the stored value, which from a separate allocation per value was
    /// mostly a cache miss), and where each one is.
    text: String,
    spans: Vec<(usize, usize)>,
    hashes: Vec<u64>,
}

/// A value's entry in the table: its number and where its text is, so that a lookup goes
/// from the table straight to the text.
#[derive(Debug, Clone, Copy)]
struct Slot {
    id: u32,
    start: usize,
    len: usize,
}

const EMPTY: u32 = 0;

impl Default for Interner {
    fn default() -> Self {
        let mut i = Interner {
            ids: hashbrown::HashTable::new(),
            text: String::new(),
            spans: Vec::new(),
            hashes: Vec::new(),
        };
        i.insert("", hash(""));
        i
    }
}

impl Interner {
    fn find(&self, s: &str, h: u64) -> Option<u32> {
        let text = &self.text;
        self.ids
            .find(h, |e| {
                e.len == s.len() && same(&text[e.start..e.start + e.len], s)
            })
            .map(|e| e.id)
    }

    fn insert(&mut self, s: &str, h: u64) -> u32 {
        let id = u32::try_from(self.spans.len()).expect("fewer than 4 billion distinct values");
        let slot = Slot {
            id,
            start: self.text.len(),
            len: s.len(),
        };
        self.spans.push((slot.start, slot.len));
        self.text.push_str(s);
        self.hashes.push(h);
        let hashes = &self.hashes;
        self.ids.insert_unique(h, slot, |e| hashes[e.id as usize]);
        id
    }

    fn str(&self, id: u32) -> &str {
        let (start, len) = self.spans[id as usize];
        &self.text[start..start + len]
    }

    fn hash(&self, id: u32) -> u64 {
        self.hashes[id as usize]
    }

    /// A row's value, looked up (not stored) once for all the lists it is counted in.
    fn val<'s>(&self, s: &'s str) -> Val<'s> {
        if s.is_empty() {
            return Val {
                s,
                hash: 0,
                id: Some(EMPTY),
            };
        }
        let hash = hash(s);
        Val {
            s,
            hash,
            id: self.find(s, hash),
        }
    }
}

/// A value looked up before, with its hash and number.
#[derive(Debug, Default, Clone)]
struct Last {
    s: String,
    hash: u64,
    id: u32,
}

impl Last {
    /// [`Interner::val`], without the lookup when `s` is the value looked up last.
    fn val<'s>(&mut self, names: &Interner, s: &'s str) -> Val<'s> {
        if !s.is_empty() && same(s, &self.s) {
            return Val {
                s,
                hash: self.hash,
                id: Some(self.id),
            };
        }
        let v = names.val(s);
        if let (false, Some(id)) = (s.is_empty(), v.id) {
            self.s.clear();
            self.s.push_str(s);
            self.hash = v.hash;
            self.id = id;
        }
        v
    }
}

/// A value of the row being counted: its hash, and its number once it has one.
struct Val<'s> {
    s: &'s str,
    hash: u64,
    id: Option<u32>,
}

impl Val<'_> {
    fn is_empty(&self) -> bool {
        self.s.is_empty()
    }

    /// The value's number, storing it on first use.
    fn id(&mut self, names: &mut Interner) -> u32 {
        match self.id {
            Some(id) => id,
            None => {
                let id = names.insert(self.s, self.hash);
                self.id = Some(id);
                id
            }
        }
    }
}

/// [`Keys`] by number: the same cap, the same values tracked by name (the first
/// [`TOP_KEYS_CAP`] seen), the same hashes for the distinct count.
#[derive(Debug, Default, Clone)]
struct IdKeys {
    counts: rustc_hash::FxHashMap<u32, u64>,
    seen: Option<HashSet<u64>>,
}

impl IdKeys {
    fn add(&mut self, v: &mut Val, n: u64, names: &mut Interner) {
        if v.is_empty() {
            return;
        }
        if let Some(id) = v.id {
            if let Some(x) = self.counts.get_mut(&id) {
                *x += n;
                return;
            }
        }
        if self.counts.len() < TOP_KEYS_CAP {
            self.counts.insert(v.id(names), n);
            if let Some(seen) = &mut self.seen {
                seen.insert(v.hash);
            }
            return;
        }
        if self.seen.is_none() {
            self.seen = Some(self.counts.keys().map(|&k| names.hash(k)).collect());
        }
        self.seen.as_mut().expect("just set").insert(v.hash);
    }

    fn into_keys(self, names: &Interner) -> Keys {
        Keys {
            counts: self
                .counts
                .into_iter()
                .map(|(k, n)| (names.str(k).to_string(), n))
                .collect(),
            seen: self.seen,
            cap: 0,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct IdCodeStats {
    count: u64,
    users: IdKeys,
    apps: IdKeys,
    ips: IdKeys,
    client_apps: IdKeys,
    os: IdKeys,
    ca_policies: IdKeys,
    first: Option<String>,
    last: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct IdIpStats {
    failed_users: rustc_hash::FxHashSet<u32>,
    succeeded_users: HashSet<u64>,
    failures: u64,
    disabled_probes: u64,
    first: Option<String>,
    last: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct IdUserStats {
    password_failures: u64,
    password_ips: rustc_hash::FxHashSet<u32>,
    mfa_denials: u64,
    mfa_unanswered: u64,
    fraud_reports: u64,
    first_failure: Option<String>,
    last_success: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct IdLegacyStats {
    attempts: u64,
    successes: u64,
    users: rustc_hash::FxHashSet<u32>,
}

/// What [`Tally::add`] counts, for one worker, keyed by the numbers of an [`Interner`]:
/// a row costs one lookup per value instead of one per list the value is counted in.
/// [`Counter::into_tally`] gives the same [`Tally`] as adding the rows to one directly.
#[derive(Debug, Default, Clone)]
pub struct Counter {
    names: Interner,
    /// The last client app and operating system looked up: these columns have a few
    /// values, mostly the same row after row.
    last_client_app: Last,
    last_os: Last,
    codes: rustc_hash::FxHashMap<u32, IdCodeStats>,
    /// The hour being counted (rows come in time order) and its counts per code, added to
    /// `hours` when another hour comes.
    hour: String,
    hour_codes: rustc_hash::FxHashMap<u32, u64>,
    hours: HashMap<String, rustc_hash::FxHashMap<u32, u64>>,
    ips: rustc_hash::FxHashMap<u32, IdIpStats>,
    users: rustc_hash::FxHashMap<u32, IdUserStats>,
    legacy: rustc_hash::FxHashMap<u32, IdLegacyStats>,
    /// Per client app number: 0 not yet known, 1 legacy, 2 not.
    legacy_client: Vec<u8>,
    risk_blocked_users: rustc_hash::FxHashSet<u32>,
    risk_blocks: u64,
    first: Option<String>,
    last: Option<String>,
}

fn is_legacy(client_app: &str) -> bool {
    LEGACY_CLIENTS
        .iter()
        .any(|l| l.eq_ignore_ascii_case(client_app))
}

/// Adds the counts of the hour being counted into the hours.
fn flush_hour(
    hour: &str,
    codes: &mut rustc_hash::FxHashMap<u32, u64>,
    hours: &mut HashMap<String, rustc_hash::FxHashMap<u32, u64>>,
) {
    if !codes.is_empty() {
        let h = hours.entry_ref(hour).or_default();
        for (c, n) in codes.drain() {
            *h.entry(c).or_default() += n;
        }
    }
}

impl Counter {
    fn legacy_client(&mut self, v: &Val) -> bool {
        let Some(id) = v.id else {
            return is_legacy(v.s);
        };
        let i = id as usize;
        if self.legacy_client.len() <= i {
            self.legacy_client.resize(i + 1, 0);
        }
        if self.legacy_client[i] == 0 {
            self.legacy_client[i] = if is_legacy(v.s) { 1 } else { 2 };
        }
        self.legacy_client[i] == 1
    }

    /// Counts a sign-in as [`Tally::add`] does.
    pub fn add(&mut self, r: &SignInRef) {
        let n = r.weight;
        let names = &mut self.names;
        let mut user = names.val(&r.user);
        let mut app = names.val(&r.app);
        let mut ip = names.val(&r.ip);
        let mut client_app = self.last_client_app.val(names, &r.client_app);
        let mut os = self.last_os.val(names, &r.os);
        let c = self.codes.entry(r.code).or_default();
        c.count += n;
        c.users.add(&mut user, n, names);
        c.apps.add(&mut app, n, names);
        c.ips.add(&mut ip, n, names);
        c.client_apps.add(&mut client_app, n, names);
        c.os.add(&mut os, n, names);
        for p in r.ca_failed.iter() {
            let mut p = names.val(p);
            c.ca_policies.add(&mut p, n, names);
        }
        // The file's first and last times are the earliest and latest of the codes', taken
        // at the end: two comparisons a row fewer.
        min_time(&mut c.first, r.time.as_deref());
        max_time(&mut c.last, r.time.as_deref());
        if let Some(t) = r.time.as_deref() {
            let h = t.get(..13).unwrap_or(t);
            if !same(h, &self.hour) {
                flush_hour(&self.hour, &mut self.hour_codes, &mut self.hours);
                self.hour.clear();
                self.hour.push_str(h);
            }
            *self.hour_codes.entry(r.code).or_default() += n;
        }

        let password_failure = PASSWORD_FAILURES.contains(&r.code);
        if !ip.is_empty() && (password_failure || r.code == 0 || r.code == 50057) {
            let s = self.ips.entry(ip.id(names)).or_default();
            if password_failure && !user.is_empty() {
                s.failed_users.insert(user.id(names));
                s.failures += n;
                min_time(&mut s.first, r.time.as_deref());
                max_time(&mut s.last, r.time.as_deref());
            } else if r.code == 0 && !user.is_empty() {
                s.succeeded_users.insert(user.hash);
            } else if r.code == 50057 {
                s.disabled_probes += n;
            }
        }
        if !user.is_empty() && (password_failure || r.code == 0 || r.code == 500121) {
            let u = self.users.entry(user.id(names)).or_default();
            if password_failure {
                u.password_failures += n;
                if !ip.is_empty() {
                    u.password_ips.insert(ip.id(names));
                }
                min_time(&mut u.first_failure, r.time.as_deref());
            } else if r.code == 0 {
                max_time(&mut u.last_success, r.time.as_deref());
            } else {
                let d = r.details.to_lowercase();
                if d.contains("fraud") {
                    u.fraud_reports += n;
                } else if d.contains("did not respond") || d.contains("timed out") {
                    u.mfa_unanswered += n;
                } else if d.contains("denied") || d.contains("declined") {
                    u.mfa_denials += n;
                }
                min_time(&mut u.first_failure, r.time.as_deref());
            }
        }
        if self.legacy_client(&client_app) {
            let names = &mut self.names;
            let l = self.legacy.entry(client_app.id(names)).or_default();
            l.attempts += n;
            if r.code == 0 {
                l.successes += n;
            }
            if !user.is_empty() {
                l.users.insert(user.id(names));
            }
        }
        if RISK_BLOCKS.contains(&r.code) {
            self.risk_blocks += n;
            if !user.is_empty() {
                self.risk_blocked_users.insert(user.id(&mut self.names));
            }
        }
    }

    /// The counts by string, as a [`Tally`] that the rows added to it directly would give.
    pub fn into_tally(mut self) -> Tally {
        flush_hour(&self.hour, &mut self.hour_codes, &mut self.hours);
        for c in self.codes.values() {
            min_time(&mut self.first, c.first.as_deref());
            max_time(&mut self.last, c.last.as_deref());
        }
        let names = &self.names;
        let strings = |ids: rustc_hash::FxHashSet<u32>| -> HashSet<String> {
            ids.into_iter().map(|k| names.str(k).to_string()).collect()
        };
        Tally {
            codes: self
                .codes
                .into_iter()
                .map(|(code, s)| {
                    (
                        code,
                        CodeStats {
                            count: s.count,
                            users: s.users.into_keys(names),
                            apps: s.apps.into_keys(names),
                            ips: s.ips.into_keys(names),
                            client_apps: s.client_apps.into_keys(names),
                            os: s.os.into_keys(names),
                            ca_policies: s.ca_policies.into_keys(names),
                            first: s.first,
                            last: s.last,
                        },
                    )
                })
                .collect(),
            hours: self.hours,
            ips: self
                .ips
                .into_iter()
                .map(|(k, s)| {
                    (
                        names.str(k).to_string(),
                        IpStats {
                            failed_users: strings(s.failed_users),
                            succeeded_users: s.succeeded_users,
                            failures: s.failures,
                            disabled_probes: s.disabled_probes,
                            first: s.first,
                            last: s.last,
                        },
                    )
                })
                .collect(),
            users: self
                .users
                .into_iter()
                .map(|(k, s)| {
                    (
                        names.str(k).to_string(),
                        UserStats {
                            password_failures: s.password_failures,
                            password_ips: strings(s.password_ips),
                            mfa_denials: s.mfa_denials,
                            mfa_unanswered: s.mfa_unanswered,
                            fraud_reports: s.fraud_reports,
                            first_failure: s.first_failure,
                            last_success: s.last_success,
                        },
                    )
                })
                .collect(),
            legacy: self
                .legacy
                .into_iter()
                .map(|(k, s)| {
                    (
                        names.str(k).to_string(),
                        LegacyStats {
                            attempts: s.attempts,
                            successes: s.successes,
                            users: strings(s.users),
                        },
                    )
                })
                .collect(),
            risk_blocked_users: strings(self.risk_blocked_users),
            risk_blocks: self.risk_blocks,
            first: self.first,
            last: self.last,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_top_list_stops_growing_at_its_cap_and_still_counts_distinct_values() {
        let mut k = Keys::with_cap(10);
        for i in 0..1000 {
            k.add(&format!("user{i}@contoso.com"), 1);
        }
        k.add("user0@contoso.com", 50);
        assert_eq!(k.len(), 10);
        assert_eq!(k.distinct(), 1000);
        assert!(k.truncated());
        assert_eq!(
            k.iter()
                .find(|(v, _)| *v == "user0@contoso.com")
                .map(|x| *x.1),
            Some(51)
        );
        // Merging parts (worker threads, files) keeps the distinct count exact.
        let mut a = Keys::with_cap(10);
        let mut b = Keys::with_cap(10);
        for i in 0..600 {
            a.add(&format!("u{i}"), 1);
        }
        for i in 400..1000 {
            b.add(&format!("u{i}"), 1);
        }
        a.merge(b);
        assert_eq!(a.distinct(), 1000);
        assert_eq!(a.len(), 10);
        // Under the cap nothing changes.
        let mut small = Keys::with_cap(10);
        small.add("a", 1);
        small.add("b", 2);
        let mut other = Keys::with_cap(10);
        other.add("b", 1);
        small.merge(other);
        assert_eq!((small.distinct(), small.truncated()), (2, false));
    }

    /// Everything a tally holds, in a fixed order.
    fn canon(t: &Tally) -> String {
        fn sorted<T: std::fmt::Debug + Ord>(v: impl Iterator<Item = T>) -> String {
            let mut v: Vec<T> = v.collect();
            v.sort();
            format!("{v:?}")
        }
        let keys = |k: &Keys| {
            format!(
                "{} {} {}",
                k.distinct(),
                k.truncated(),
                sorted(k.iter().map(|(a, b)| (a.clone(), *b)))
            )
        };
        let mut out = Vec::new();
        for (code, c) in &t.codes {
            out.push(format!(
                "{code} {} [{}] [{}] [{}] [{}] [{}] [{}] {:?} {:?}",
                c.count,
                keys(&c.users),
                keys(&c.apps),
                keys(&c.ips),
                keys(&c.client_apps),
                keys(&c.os),
                keys(&c.ca_policies),
                c.first,
                c.last
            ));
        }
        for (h, m) in &t.hours {
            out.push(format!("{h} {}", sorted(m.iter())));
        }
        for (k, s) in &t.ips {
            out.push(format!(
                "ip {k} {} {} {} {} {:?} {:?}",
                sorted(s.failed_users.iter()),
                sorted(s.succeeded_users.iter()),
                s.failures,
                s.disabled_probes,
                s.first,
                s.last
            ));
        }
        for (k, s) in &t.users {
            out.push(format!(
                "user {k} {} {} {} {} {} {:?} {:?}",
                s.password_failures,
                sorted(s.password_ips.iter()),
                s.mfa_denials,
                s.mfa_unanswered,
                s.fraud_reports,
                s.first_failure,
                s.last_success
            ));
        }
        for (k, s) in &t.legacy {
            out.push(format!(
                "legacy {k} {} {} {}",
                s.attempts,
                s.successes,
                sorted(s.users.iter())
            ));
        }
        out.sort();
        out.push(format!(
            "{} {} {:?} {:?}",
            sorted(t.risk_blocked_users.iter()),
            t.risk_blocks,
            t.first,
            t.last
        ));
        out.join("\n")
    }

    #[test]
    fn short_string_order_is_str_order() {
        let v = [
            "",
            "a",
            "b",
            "ab",
            "2025-03-01T00:00:01Z",
            "2025-03-01T00:00:01.5Z",
            "2025-03-01T00:00:01.05Z",
            "2025-03-01T00:00:02Z",
            "2025-03-01T00",
            "2025-03-01T01",
            "2025-03-01T00:00:01Z\u{e9}",
            "zzzzzzzzzzzzzzzz",
            "zzzzzzzzzzzzzzzzz",
        ];
        for a in v {
            for b in v {
                assert_eq!(less(a, b), a < b, "{a:?} {b:?}");
                assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    /// The interned per-worker counter gives what adding the rows to a tally gives, past
    /// the cap of the top lists too (which values are tracked by name, the distinct count).
    #[test]
    fn the_interned_counter_counts_like_the_tally() {
        let mut rows = Vec::new();
        let details = [
            "MFA denied; user declined",
            "fraud reported",
            "did not respond",
            "",
        ];
        let clients = [
            "Browser",
            "IMAP4",
            "imap4",
            "",
            "Other clients",
            "Mobile Apps",
        ];
        for i in 0..TOP_KEYS_CAP + 2_000 {
            let code = [0, 50126, 50057, 500121, 53004, 50053, 16000, 16000][i % 8];
            let user = if i % 97 == 0 {
                String::new()
            } else if code == 16000 {
                format!("many{i}@contoso.com")
            } else {
                format!("User{}@contoso.com", i % 300).to_lowercase()
            };
            rows.push(SignIn {
                time: (i % 50 != 0).then(|| {
                    format!(
                        "2025-03-0{}T{:02}:{:02}:00Z",
                        1 + i / 40_000,
                        (i / 1000) % 24,
                        i % 60
                    )
                }),
                code,
                user,
                app: format!("App {}", i % 7),
                ip: if i % 89 == 0 {
                    String::new()
                } else {
                    format!("10.0.{}.{}", i % 5, i % 41)
                },
                client_app: clients[i % clients.len()].to_string(),
                os: ["Windows10", "", "iOS"][i % 3].to_string(),
                ca_failed: if i % 11 == 0 {
                    vec!["Block legacy".into(), format!("P{}", i % 3)]
                } else {
                    Vec::new()
                },
                details: details[i % details.len()].to_string(),
                weight: 1 + (i % 3) as u64,
                ..SignIn::default()
            });
        }
        // Past the cap of one code's users, with values seen again on both sides of it.
        for i in (0..TOP_KEYS_CAP + 500).chain([3, TOP_KEYS_CAP + 7, 5, TOP_KEYS_CAP + 7]) {
            rows.push(SignIn {
                code: 16000,
                user: format!("many{i}@contoso.com"),
                ip: "10.9.9.9".into(),
                weight: 1,
                ..SignIn::default()
            });
        }
        let mut tally = Tally::default();
        let mut counter = Counter::default();
        for r in &rows {
            tally.add(r);
            counter.add(&r.as_ref());
        }
        let interned = counter.into_tally();
        assert!(interned.codes[&16000].users.truncated());
        assert_eq!(canon(&interned), canon(&tally));
    }
}
