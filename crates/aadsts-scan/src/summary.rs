//! From counts to answers: totals, per-code rows with the catalog's guidance, the
//! timeline, attack signals with evidence, and the "fix first" list.

use crate::stats::{CodeStats, Tally, PASSWORD_FAILURES};
use crate::{InputReport, Options, Skipped};
use aadsts_catalog::Catalog;
use aadsts_kb::{Severity, Signal};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

pub const SCHEMA: &str = "aadsts.scan/1";
const TOP: usize = 5;

/// Thresholds of the attack signals (documented in the README).
pub const SPRAY_MIN_USERS: usize = 5;
pub const BRUTE_FORCE_MIN_FAILURES: u64 = 10;
pub const MFA_STORM_MIN: u64 = 3;

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tops {
    pub apps: Vec<Count>,
    pub users: Vec<Count>,
    pub ips: Vec<Count>,
    pub client_apps: Vec<Count>,
    pub operating_systems: Vec<Count>,
    /// Conditional Access policies whose result was `failure` on these rows.
    pub failed_ca_policies: Vec<Count>,
}

/// How a code counts in the totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    Success,
    Failure,
    Interrupt,
    Expected,
    /// No page in the catalog: counted with failures, listed apart.
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
pub struct CodeRow {
    pub code: u32,
    pub class: Class,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixer: Option<String>,
    pub count: u64,
    pub users: usize,
    pub apps: usize,
    pub ips: usize,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub top: Tops,
    /// Set when one of this code's lists saw more than `TOP_KEYS_CAP` distinct values:
    /// the distinct counts stay exact, the counts of the top values may be low.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub top_truncated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub sign_ins: u64,
    pub successes: u64,
    pub failures: u64,
    pub interrupts: u64,
    pub expected: u64,
    /// Failures (unknown codes included) over all sign-ins.
    pub failure_rate: f64,
    pub first: Option<String>,
    pub last: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub t: String,
    pub sign_ins: u64,
    pub failures: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    /// `hour` for spans up to three days, `day` beyond.
    pub bucket: &'static str,
    pub points: Vec<Point>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttackSignal {
    /// `password-spray`, `brute-force`, `mfa-denials`, `mfa-fatigue`, `risk-blocked`,
    /// `legacy-auth`, `disabled-account-probing`.
    pub kind: &'static str,
    pub severity: Severity,
    pub summary: String,
    /// The facts behind it, as label → value.
    pub evidence: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FixFirst {
    pub code: u32,
    pub title: String,
    pub users: usize,
    pub count: u64,
    pub severity: Severity,
    pub fixer: String,
    /// The page's first fix step (Markdown).
    pub first_step: String,
    /// The same step as plain text, for machines and one-line displays.
    pub first_step_text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rows {
    pub read: u64,
    pub used: u64,
    pub filtered_out: u64,
    pub skipped: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub schema: &'static str,
    pub inputs: Vec<InputReport>,
    pub rows: Rows,
    /// The first skipped rows with file, location and reason (all are counted in `rows`).
    pub skipped: Vec<Skipped>,
    pub totals: Totals,
    pub codes: Vec<CodeRow>,
    /// Codes that have no page in the catalog.
    pub unknown_codes: Vec<u32>,
    pub timeline: Timeline,
    pub signals: Vec<AttackSignal>,
    pub fix_first: Vec<FixFirst>,
    pub redacted: bool,
    /// Whether any code's top lists were truncated (see `codes[].top_truncated`).
    pub top_lists_truncated: bool,
    /// Sign-ins kept whole for `Options::keep_failed`, and how many more were not (cap).
    #[serde(skip)]
    pub kept: Vec<crate::SignIn>,
    #[serde(skip)]
    pub kept_dropped: u64,
    /// The pseudonyms given (`--redact`), so that another report of the same run (server
    /// events) names the same user or address the same way.
    #[serde(skip)]
    pub pseudonyms: Pseudonyms,
}

/// Value → pseudonym, for users and IP addresses.
#[derive(Debug, Clone, Default)]
pub struct Pseudonyms {
    pub users: HashMap<String, String>,
    pub ips: HashMap<String, String>,
}

fn top(m: &crate::stats::Keys) -> Vec<Count> {
    // Most counted first, ties by value. Only the first TOP are sorted: a code may have
    // hundreds of thousands of users, and copying and sorting them all cost more than
    // counting them.
    let order = |a: &(&String, &u64), b: &(&String, &u64)| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0));
    let mut v: Vec<(&String, &u64)> = m.iter().collect();
    if v.len() > TOP {
        v.select_nth_unstable_by(TOP - 1, order);
        v.truncate(TOP);
    }
    v.sort_by(order);
    v.into_iter()
        .map(|(k, c)| Count {
            value: k.clone(),
            count: *c,
        })
        .collect()
}

fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

fn span_hours(first: &Option<String>, last: &Option<String>) -> i64 {
    let h = |t: &str| -> Option<i64> {
        let y: i64 = t.get(0..4)?.parse().ok()?;
        let m: i64 = t.get(5..7)?.parse().ok()?;
        let d: i64 = t.get(8..10)?.parse().ok()?;
        let hh: i64 = t.get(11..13)?.parse().ok()?;
        Some(aadsts_extract::days_from_civil(y, m, d) * 24 + hh)
    };
    match (first.as_deref().and_then(h), last.as_deref().and_then(h)) {
        (Some(a), Some(b)) => b - a,
        _ => 0,
    }
}

pub(crate) fn summarise(
    cat: &Catalog,
    t: Tally,
    inputs: Vec<InputReport>,
    skipped: Vec<Skipped>,
    opts: &Options,
) -> Summary {
    let mut codes: Vec<CodeRow> = Vec::new();
    let mut unknown = Vec::new();
    let (mut successes, mut failures, mut interrupts, mut expected) = (0, 0, 0, 0);
    for (code, s) in &t.codes {
        let page = cat.get(*code);
        let class = match (code, page) {
            (0, _) => Class::Success,
            (_, Some(p)) => match p.signal {
                Signal::Failure => Class::Failure,
                Signal::Interrupt => Class::Interrupt,
                Signal::Expected => Class::Expected,
            },
            (_, None) => Class::Unknown,
        };
        match class {
            Class::Success => successes += s.count,
            Class::Failure | Class::Unknown => failures += s.count,
            Class::Interrupt => interrupts += s.count,
            Class::Expected => expected += s.count,
        }
        if class == Class::Unknown {
            unknown.push(*code);
        }
        codes.push(row(*code, class, page, s));
    }
    codes.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    unknown.sort_unstable();
    let sign_ins = successes + failures + interrupts + expected;

    let span = span_hours(&t.first, &t.last);
    // Per hour: (sign-ins, real failures). Interrupts and expected codes are sign-ins but
    // not failures; codes without a page count as failures, as in the totals.
    let class_of: std::collections::HashMap<u32, Class> =
        codes.iter().map(|c| (c.code, c.class)).collect();
    let hours: std::collections::BTreeMap<&String, (u64, u64)> = t
        .hours
        .iter()
        .map(|(h, per_code)| {
            let n: u64 = per_code.values().sum();
            let failed: u64 = per_code
                .iter()
                .filter(|(c, _)| {
                    matches!(class_of.get(c), Some(Class::Failure) | Some(Class::Unknown))
                })
                .map(|(_, n)| n)
                .sum();
            (h, (n, failed))
        })
        .collect();
    let timeline = if span <= 72 {
        Timeline {
            bucket: "hour",
            points: hours
                .iter()
                .map(|(h, (n, failed))| Point {
                    t: format!("{h}:00Z"),
                    sign_ins: *n,
                    failures: *failed,
                })
                .collect(),
        }
    } else {
        let mut days: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
        for (h, (n, failed)) in &hours {
            let d = days
                .entry(h.get(..10).unwrap_or(h).to_string())
                .or_default();
            d.0 += n;
            d.1 += failed;
        }
        Timeline {
            bucket: "day",
            points: days
                .into_iter()
                .map(|(d, (n, failed))| Point {
                    t: d,
                    sign_ins: n,
                    failures: failed,
                })
                .collect(),
        }
    };

    // Pseudonyms are given where a value is a user or an IP address, never by searching
    // text: the codes' top lists first (they come first in the report), then the signals.
    let mut names = Names::new(opts.redact);
    for c in &mut codes {
        for u in &mut c.top.users {
            u.value = names.user(&u.value);
        }
        for i in &mut c.top.ips {
            i.value = names.ip(&i.value);
        }
        // Policy names are tenant configuration, not users, and stay; one that has a user
        // name or IP address of this scan in it (`Block alice@contoso.com`) is replaced.
        for p in &mut c.top.failed_ca_policies {
            if opts.redact && names_someone(&t, &p.value) {
                p.value = names.policy(&p.value);
            }
        }
    }
    let signals = signals(&t, &mut names);
    let mut fix_first: Vec<FixFirst> = codes
        .iter()
        .filter(|c| c.class == Class::Failure)
        .filter_map(|c| {
            let p = cat.get(c.code)?;
            Some(FixFirst {
                code: c.code,
                title: p.title.to_string(),
                users: c.users,
                count: c.count,
                severity: p.severity,
                fixer: p.fixer.to_string(),
                first_step: p.fix.first().map(|s| s.to_string()).unwrap_or_default(),
                first_step_text: String::new(),
            })
        })
        .collect();
    fix_first.sort_by(|a, b| {
        b.users
            .cmp(&a.users)
            .then(severity_rank(b.severity).cmp(&severity_rank(a.severity)))
            .then(b.count.cmp(&a.count))
    });
    fix_first.truncate(10);
    // During a spray, the page's first step for a wrong password (help the user) is the
    // wrong first step: the sources come first.
    let spray_sources: usize = signals
        .iter()
        .filter(|x| x.kind == "password-spray")
        .map(|x| {
            x.evidence
                .iter()
                .find(|(k, _)| k == "Source addresses")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(1)
        })
        .sum();
    let spray_flagged = spray_sources > 0;
    if spray_flagged {
        for f in fix_first
            .iter_mut()
            .filter(|f| PASSWORD_FAILURES.contains(&f.code))
        {
            f.first_step = format!(
                "Password spraying from {spray_sources} source address(es) is flagged under attack signals: deal with the sources first (find them in the signals, check whether any account then signed in from them, and block them, for example with a named location in a Conditional Access block policy run in report-only first); asking each user to retype a password does not stop a spray. Then, for users who really mistyped: {}",
                f.first_step
            );
        }
    }
    for f in &mut fix_first {
        f.first_step_text = aadsts_kb::markdown_to_plain(&f.first_step);
    }

    let top_lists_truncated = codes.iter().any(|c| c.top_truncated);
    let rows = Rows {
        read: inputs.iter().map(|i| i.rows_read).sum(),
        used: inputs.iter().map(|i| i.rows_used).sum(),
        filtered_out: inputs.iter().map(|i| i.rows_filtered).sum(),
        skipped: inputs.iter().map(|i| i.rows_skipped).sum(),
    };
    Summary {
        schema: SCHEMA,
        inputs,
        rows,
        skipped: skipped
            .into_iter()
            .take(opts.max_skipped_listed.max(1))
            .collect(),
        totals: Totals {
            sign_ins,
            successes,
            failures,
            interrupts,
            expected,
            failure_rate: if sign_ins == 0 {
                0.0
            } else {
                (failures as f64 / sign_ins as f64 * 10_000.0).round() / 10_000.0
            },
            first: t.first.clone(),
            last: t.last.clone(),
        },
        codes,
        unknown_codes: unknown,
        timeline,
        signals,
        fix_first,
        redacted: opts.redact,
        top_lists_truncated,
        kept: Vec::new(),
        kept_dropped: 0,
        pseudonyms: Pseudonyms {
            users: std::mem::take(&mut names.users),
            ips: std::mem::take(&mut names.ips),
        },
    }
}

/// Whether `text` has, as one of its words, a user name or IP address counted in `t`.
fn names_someone(t: &Tally, text: &str) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || "@._-:+'".contains(c)))
        .map(|w| w.trim_matches(|c: char| ".:-'".contains(c)))
        .filter(|w| !w.is_empty())
        .any(|w| {
            let lower = w.to_lowercase();
            t.users.contains_key(lower.as_str())
                || t.ips.contains_key(w)
                || t.codes
                    .values()
                    .any(|c| c.users.contains(lower.as_str()) || c.ips.contains(w))
        })
}

fn row(code: u32, class: Class, page: Option<&aadsts_kb::Page>, s: &CodeStats) -> CodeRow {
    CodeRow {
        code,
        class,
        title: page.map(|p| p.title.to_string()),
        name: page.and_then(|p| p.name.as_ref().map(|n| n.to_string())),
        severity: page.map(|p| p.severity),
        fixer: page.map(|p| p.fixer.to_string()),
        count: s.count,
        users: s.users.distinct(),
        apps: s.apps.distinct(),
        ips: s.ips.distinct(),
        first_seen: s.first.clone(),
        last_seen: s.last.clone(),
        top: Tops {
            apps: top(&s.apps),
            users: top(&s.users),
            ips: top(&s.ips),
            client_apps: top(&s.client_apps),
            operating_systems: top(&s.os),
            failed_ca_policies: top(&s.ca_policies),
        },
        top_truncated: [
            &s.users,
            &s.apps,
            &s.ips,
            &s.client_apps,
            &s.os,
            &s.ca_policies,
        ]
        .iter()
        .any(|k| k.truncated()),
    }
}

fn ev(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// The network a spray source belongs to, as `a.b.c.0/24` for IPv4 and the /48 for IPv6;
/// a value that is not an address stands alone.
fn network_of(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => {
            let o = v4.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
        Err(_) => ip.to_string(),
    }
}

/// The first `n` values in sorted order, and how many more there are.
fn first_sorted<'a>(items: impl Iterator<Item = &'a String>, n: usize) -> (Vec<&'a String>, usize) {
    let mut v: Vec<&String> = items.collect();
    v.sort();
    let more = v.len().saturating_sub(n);
    v.truncate(n);
    (v, more)
}

fn joined(v: Vec<String>, more: usize) -> String {
    let mut s = v.join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

fn when(a: &Option<String>, b: &Option<String>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if a != b => format!("{a} – {b}"),
        (Some(a), _) => a.clone(),
        _ => "time not in the export".into(),
    }
}

fn signals(t: &Tally, names: &mut Names) -> Vec<AttackSignal> {
    let mut out = Vec::new();
    let codes = PASSWORD_FAILURES.map(|c| c.to_string()).join("/");
    let mut ips: Vec<_> = t.ips.iter().collect();
    ips.sort_by(|a, b| {
        b.1.failed_users
            .len()
            .cmp(&a.1.failed_users.len())
            .then(a.0.cmp(b.0))
    });
    // Spray sources in one network are one campaign: group them (in the order of the
    // busiest source) and report each group once, with its sources.
    let is_spray = |s: &crate::stats::IpStats| {
        s.failed_users.len() >= SPRAY_MIN_USERS && s.failed_users.len() > s.succeeded_users.len()
    };
    let mut groups: Vec<(String, Vec<(&String, &crate::stats::IpStats)>)> = Vec::new();
    for (raw_ip, s) in ips.iter().filter(|(_, s)| is_spray(s)) {
        let net = network_of(raw_ip);
        match groups.iter_mut().find(|(n, _)| *n == net) {
            Some((_, members)) => members.push((raw_ip, s)),
            None => groups.push((net, vec![(raw_ip, s)])),
        }
    }
    for (raw_net, members) in &groups {
        if let [(raw_ip, s)] = members.as_slice() {
            let ip = &names.ip(raw_ip);
            out.push(AttackSignal {
                kind: "password-spray",
                severity: Severity::High,
                summary: format!(
                    "{ip} failed passwords for {} accounts ({} attempts, codes {codes})",
                    s.failed_users.len(),
                    s.failures
                ),
                evidence: ev(&[
                    ("IP address", ip.clone()),
                    (
                        "Accounts with a password failure",
                        s.failed_users.len().to_string(),
                    ),
                    (
                        "Accounts signed in successfully from it",
                        s.succeeded_users.len().to_string(),
                    ),
                    ("Attempts", s.failures.to_string()),
                    ("When", when(&s.first, &s.last)),
                    ("Accounts", names.user_list(s.failed_users.iter(), 5)),
                ]),
            });
            continue;
        }
        let net = names.net(raw_net);
        let accounts: HashSet<&String> = members
            .iter()
            .flat_map(|(_, s)| s.failed_users.iter())
            .collect();
        let attempts: u64 = members.iter().map(|(_, s)| s.failures).sum();
        let mut first: Option<String> = None;
        let mut last: Option<String> = None;
        for (_, s) in members {
            if let Some(f) = &s.first {
                if first.as_ref().is_none_or(|x| f < x) {
                    first = Some(f.clone());
                }
            }
            if let Some(l) = &s.last {
                if last.as_ref().is_none_or(|x| l > x) {
                    last = Some(l.clone());
                }
            }
        }
        let sources = names.ip_list(members.iter().map(|(ip, _)| *ip), 5);
        out.push(AttackSignal {
            kind: "password-spray",
            severity: Severity::High,
            summary: format!(
                "one campaign from {} addresses in {net}: passwords failed for {} accounts ({attempts} attempts, codes {codes})",
                members.len(),
                accounts.len(),
            ),
            evidence: ev(&[
                ("Network", net.clone()),
                ("Source addresses", members.len().to_string()),
                ("Sources", sources),
                ("Accounts with a password failure", accounts.len().to_string()),
                ("Attempts", attempts.to_string()),
                ("When", when(&first, &last)),
                ("Accounts", names.user_list(accounts.into_iter(), 5)),
            ]),
        });
    }
    for (raw_ip, s) in &ips {
        if s.disabled_probes >= 3 && !s.succeeded_users.is_empty() {
            let ip = &names.ip(raw_ip);
            out.push(AttackSignal {
                kind: "disabled-account-probing",
                severity: Severity::Medium,
                summary: format!(
                    "{ip} tried disabled accounts {} times (50057) and also signed other accounts in",
                    s.disabled_probes
                ),
                evidence: ev(&[
                    ("IP address", ip.clone()),
                    ("50057 attempts", s.disabled_probes.to_string()),
                    ("Accounts signed in from it", s.succeeded_users.len().to_string()),
                ]),
            });
        }
    }
    let mut users: Vec<_> = t.users.iter().collect();
    users.sort_by(|a, b| {
        b.1.password_failures
            .cmp(&a.1.password_failures)
            .then(a.0.cmp(b.0))
    });
    for (raw_user, s) in &users {
        if s.password_failures >= BRUTE_FORCE_MIN_FAILURES {
            let user = names.user(raw_user);
            let then_success = match (&s.first_failure, &s.last_success) {
                (Some(f), Some(ok)) => ok > f,
                _ => false,
            };
            out.push(AttackSignal {
                kind: "brute-force",
                severity: if then_success {
                    Severity::Critical
                } else {
                    Severity::High
                },
                summary: format!(
                    "{user}: {} password failures from {} IP address(es){}",
                    s.password_failures,
                    s.password_ips.len(),
                    if then_success {
                        ", then a successful sign-in"
                    } else {
                        ""
                    }
                ),
                evidence: ev(&[
                    ("Account", user.to_string()),
                    ("Password failures", s.password_failures.to_string()),
                    ("IP addresses", names.ip_list(s.password_ips.iter(), 5)),
                    (
                        "Later success",
                        s.last_success
                            .clone()
                            .filter(|_| then_success)
                            .unwrap_or_else(|| "none".into()),
                    ),
                ]),
            });
        }
    }
    for (raw_user, s) in &users {
        let denials = s.mfa_denials + s.fraud_reports;
        if s.fraud_reports > 0 || denials >= MFA_STORM_MIN || s.mfa_unanswered >= MFA_STORM_MIN {
            let user = names.user(raw_user);
            let then_success = match (&s.first_failure, &s.last_success) {
                (Some(f), Some(ok)) => ok > f,
                _ => false,
            };
            let fatigue = then_success && (denials + s.mfa_unanswered) >= MFA_STORM_MIN;
            out.push(AttackSignal {
                kind: if fatigue {
                    "mfa-fatigue"
                } else {
                    "mfa-denials"
                },
                severity: if fatigue || s.fraud_reports > 0 {
                    Severity::Critical
                } else {
                    Severity::High
                },
                summary: format!(
                    "{user}: {} MFA prompts denied, {} unanswered, {} reported as fraud (500121){}",
                    s.mfa_denials,
                    s.mfa_unanswered,
                    s.fraud_reports,
                    if fatigue {
                        ", then approved: likely MFA fatigue"
                    } else {
                        ""
                    }
                ),
                evidence: ev(&[
                    ("Account", user.to_string()),
                    ("Denied", s.mfa_denials.to_string()),
                    ("Not answered", s.mfa_unanswered.to_string()),
                    ("Reported as fraud", s.fraud_reports.to_string()),
                    (
                        "Later success",
                        s.last_success
                            .clone()
                            .filter(|_| then_success)
                            .unwrap_or_else(|| "none".into()),
                    ),
                ]),
            });
        }
    }
    if t.risk_blocks > 0 {
        out.push(AttackSignal {
            kind: "risk-blocked",
            severity: Severity::High,
            summary: format!(
                "{} sign-ins of {} account(s) blocked for risk (53004, 53011, 530032, 530034)",
                t.risk_blocks,
                t.risk_blocked_users.len()
            ),
            evidence: ev(&[
                ("Sign-ins", t.risk_blocks.to_string()),
                ("Accounts", names.user_list(t.risk_blocked_users.iter(), 5)),
            ]),
        });
    }
    let mut legacy: Vec<_> = t.legacy.iter().collect();
    legacy.sort_by(|a, b| b.1.attempts.cmp(&a.1.attempts).then(a.0.cmp(b.0)));
    for (client, s) in legacy {
        out.push(AttackSignal {
            kind: "legacy-auth",
            severity: if s.successes > 0 {
                Severity::High
            } else {
                Severity::Medium
            },
            summary: format!(
                "{} legacy-authentication sign-ins over {client} by {} account(s), {} succeeded",
                s.attempts,
                s.users.len(),
                s.successes
            ),
            evidence: ev(&[
                ("Client app", client.clone()),
                ("Attempts", s.attempts.to_string()),
                ("Succeeded", s.successes.to_string()),
                ("Accounts", names.user_list(s.users.iter(), 5)),
            ]),
        });
    }
    out
}

/// Pseudonyms for users and IP addresses (`--redact`): the same value gets the same name
/// everywhere in the summary (`user-1`, `ip-1`…, numbered in order of first use); without
/// redaction values pass through unchanged.
struct Names {
    on: bool,
    users: HashMap<String, String>,
    ips: HashMap<String, String>,
    policies: HashMap<String, String>,
    nets: HashMap<String, String>,
}

impl Names {
    fn new(on: bool) -> Names {
        Names {
            on,
            users: HashMap::new(),
            ips: HashMap::new(),
            policies: HashMap::new(),
            nets: HashMap::new(),
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
    fn user(&mut self, v: &str) -> String {
        Self::pseudo(self.on, &mut self.users, "user", v)
    }
    fn ip(&mut self, v: &str) -> String {
        Self::pseudo(self.on, &mut self.ips, "ip", v)
    }
    fn net(&mut self, v: &str) -> String {
        Self::pseudo(self.on, &mut self.nets, "net", v)
    }
    fn policy(&mut self, v: &str) -> String {
        Self::pseudo(self.on, &mut self.policies, "policy", v)
    }
    fn user_list<'a>(&mut self, items: impl Iterator<Item = &'a String>, n: usize) -> String {
        let (v, more) = first_sorted(items, n);
        let v = v.into_iter().map(|u| self.user(u)).collect();
        joined(v, more)
    }
    fn ip_list<'a>(&mut self, items: impl Iterator<Item = &'a String>, n: usize) -> String {
        let (v, more) = first_sorted(items, n);
        let v = v.into_iter().map(|u| self.ip(u)).collect();
        joined(v, more)
    }
}
