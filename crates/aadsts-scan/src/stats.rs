//! Counting: per code, per hour, per IP and user for the attack signals. Everything is
//! keyed by distinct values, so memory grows with distinct users/apps/IPs, not rows.

use crate::record::SignIn;
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

fn bump(m: &mut Keys, k: &str, n: u64) {
    m.add(k, n);
}

/// Copies the key only when it is new: most rows repeat a user or IP already counted.
fn insert(set: &mut HashSet<String>, k: &str) {
    if !set.contains(k) {
        set.insert(k.to_string());
    }
}

fn merge_map(a: &mut Keys, b: Keys) {
    a.merge(b);
}

/// Keeps the earlier time. A later time replaces the kept one in its own buffer: rows come
/// in time order, so `max_time` replaces on almost every row, and a fresh copy each time
/// was an allocation per row and per bound.
fn min_time(a: &mut Option<String>, b: Option<&String>) {
    if let Some(b) = b {
        match a {
            Some(x) if b < x => x.clone_from(b),
            Some(_) => {}
            None => *a = Some(b.clone()),
        }
    }
}

fn max_time(a: &mut Option<String>, b: Option<&String>) {
    if let Some(b) = b {
        match a {
            Some(x) if b > x => x.clone_from(b),
            Some(_) => {}
            None => *a = Some(b.clone()),
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
        min_time(&mut c.first, r.time.as_ref());
        max_time(&mut c.last, r.time.as_ref());
        min_time(&mut self.first, r.time.as_ref());
        max_time(&mut self.last, r.time.as_ref());
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
                min_time(&mut ip.first, r.time.as_ref());
                max_time(&mut ip.last, r.time.as_ref());
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
                min_time(&mut u.first_failure, r.time.as_ref());
            } else if r.code == 0 {
                max_time(&mut u.last_success, r.time.as_ref());
            } else {
                let d = r.details.to_lowercase();
                if d.contains("fraud") {
                    u.fraud_reports += n;
                } else if d.contains("did not respond") || d.contains("timed out") {
                    u.mfa_unanswered += n;
                } else if d.contains("denied") || d.contains("declined") {
                    u.mfa_denials += n;
                }
                min_time(&mut u.first_failure, r.time.as_ref());
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
            min_time(&mut c.first, s.first.as_ref());
            max_time(&mut c.last, s.last.as_ref());
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
            min_time(&mut e.first, s.first.as_ref());
            max_time(&mut e.last, s.last.as_ref());
        }
        for (k, s) in o.users {
            let e = self.users.entry(k).or_default();
            e.password_failures += s.password_failures;
            e.password_ips.extend(s.password_ips);
            e.mfa_denials += s.mfa_denials;
            e.mfa_unanswered += s.mfa_unanswered;
            e.fraud_reports += s.fraud_reports;
            min_time(&mut e.first_failure, s.first_failure.as_ref());
            max_time(&mut e.last_success, s.last_success.as_ref());
        }
        for (k, s) in o.legacy {
            let e = self.legacy.entry(k).or_default();
            e.attempts += s.attempts;
            e.successes += s.successes;
            e.users.extend(s.users);
        }
        self.risk_blocks += o.risk_blocks;
        self.risk_blocked_users.extend(o.risk_blocked_users);
        min_time(&mut self.first, o.first.as_ref());
        max_time(&mut self.last, o.last.as_ref());
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
}
