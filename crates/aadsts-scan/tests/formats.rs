//! One set of sign-ins written in every export shape Microsoft produces (with the quirks
//! real exports have), scanned back: the counts per code, user and app must match exactly.

use aadsts_scan::{scan, Options, Source, Summary};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

#[derive(Clone)]
struct Ev {
    time: String,
    code: u32,
    user: String,
    app: &'static str,
    ip: String,
    client: &'static str,
    os: &'static str,
    ca_failed: Option<&'static str>,
    details: &'static str,
}

/// A week in a small tenant: ordinary successes and interrupts, a password spray from one
/// address, a brute-forced account that finally gets in, an MFA-fatigue victim, CA blocks,
/// legacy IMAP and a disabled account.
fn events() -> Vec<Ev> {
    let mut v = Vec::new();
    let mut t = 0u32;
    let mut at = || {
        t += 7;
        format!(
            "2025-03-0{}T{:02}:{:02}:{:02}Z",
            3 + (t / 86_400) % 5,
            (t / 3600) % 24,
            (t / 60) % 60,
            t % 60
        )
    };
    let apps = [
        "Office 365 Exchange Online",
        "Azure Portal",
        "Microsoft Teams",
        "Contoso Expenses",
    ];
    for i in 0..60u32 {
        let user = format!("user{:02}@contoso.com", i % 12);
        v.push(Ev {
            time: at(),
            code: 0,
            user: user.clone(),
            app: apps[(i % 4) as usize],
            ip: format!("198.51.100.{}", i % 12),
            client: "Browser",
            os: "Windows 10",
            ca_failed: None,
            details: "",
        });
        if i % 5 == 0 {
            v.push(Ev {
                time: at(),
                code: 50074,
                user: user.clone(),
                app: apps[(i % 4) as usize],
                ip: format!("198.51.100.{}", i % 12),
                client: "Browser",
                os: "Windows 10",
                ca_failed: None,
                details: "MFA required",
            });
        }
        if i % 7 == 0 {
            v.push(Ev {
                time: at(),
                code: 50140,
                user,
                app: "Microsoft Teams",
                ip: format!("198.51.100.{}", i % 12),
                client: "Mobile Apps and Desktop clients",
                os: "Ios 18.2.1",
                ca_failed: None,
                details: "",
            });
        }
    }
    for i in 0..8 {
        v.push(Ev {
            time: at(),
            code: if i == 7 { 50053 } else { 50126 },
            user: format!("user{i:02}@contoso.com"),
            app: "Office 365 Exchange Online",
            ip: "203.0.113.50".into(),
            client: "Browser",
            os: "Linux",
            ca_failed: None,
            details: "",
        });
    }
    for _ in 0..12 {
        v.push(Ev {
            time: at(),
            code: 50126,
            user: "cfo@contoso.com".into(),
            app: "Azure Portal",
            ip: "192.0.2.77".into(),
            client: "Browser",
            os: "Windows 10",
            ca_failed: None,
            details: "",
        });
    }
    v.push(Ev {
        time: at(),
        code: 0,
        user: "cfo@contoso.com".into(),
        app: "Azure Portal",
        ip: "192.0.2.77".into(),
        client: "Browser",
        os: "Windows 10",
        ca_failed: None,
        details: "",
    });
    for _ in 0..4 {
        v.push(Ev {
            time: at(),
            code: 500121,
            user: "pat@contoso.com".into(),
            app: "Microsoft Teams",
            ip: "198.51.100.200".into(),
            client: "Browser",
            os: "Windows 10",
            ca_failed: None,
            details: "MFA denied; user declined the authentication",
        });
    }
    v.push(Ev {
        time: at(),
        code: 0,
        user: "pat@contoso.com".into(),
        app: "Microsoft Teams",
        ip: "198.51.100.200".into(),
        client: "Browser",
        os: "Windows 10",
        ca_failed: None,
        details: "",
    });
    for i in 0..5 {
        v.push(Ev {
            time: at(),
            code: 53003,
            user: format!("user{:02}@contoso.com", i + 3),
            app: "Contoso Expenses",
            ip: "198.51.100.3".into(),
            client: "Browser",
            os: "Android",
            ca_failed: Some("Block unmanaged Android"),
            details: "",
        });
    }
    for i in 0..3 {
        v.push(Ev {
            time: at(),
            code: 50126,
            user: format!("user{:02}@contoso.com", i),
            app: "Office 365 Exchange Online",
            ip: "198.51.100.9".into(),
            client: "IMAP4",
            os: "",
            ca_failed: None,
            details: "",
        });
    }
    v.push(Ev {
        time: at(),
        code: 50057,
        user: "leaver@contoso.com".into(),
        app: "Microsoft Teams",
        ip: "198.51.100.4".into(),
        client: "Browser",
        os: "MacOs",
        ca_failed: None,
        details: "",
    });
    v
}

/// What a correct scan must report: per code, (count, distinct users, distinct apps).
fn expected(evs: &[Ev]) -> BTreeMap<u32, (u64, usize, usize)> {
    let mut m: BTreeMap<u32, (u64, BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for e in evs {
        let x = m.entry(e.code).or_default();
        x.0 += 1;
        x.1.insert(e.user.clone());
        x.2.insert(e.app.to_string());
    }
    m.into_iter()
        .map(|(k, (c, u, a))| (k, (c, u.len(), a.len())))
        .collect()
}

fn got(s: &Summary) -> BTreeMap<u32, (u64, usize, usize)> {
    s.codes
        .iter()
        .map(|c| (c.code, (c.count, c.users, c.apps)))
        .collect()
}

fn run(paths: &[PathBuf]) -> Summary {
    let sources: Vec<Source> = paths.iter().map(|p| Source::File(p.clone())).collect();
    let opts = Options {
        max_skipped_listed: 50,
        ..Default::default()
    };
    scan(
        &sources,
        &opts,
        &aadsts_catalog::Catalog::builtin(),
        Arc::new(AtomicU64::new(0)),
    )
    .unwrap()
}

fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

const PORTAL_HEADER: &str = r#""Date (UTC)","Request ID","User agent","Correlation ID","User ID","User","Username","User type","Cross tenant access type","Incoming token type","Authentication Protocol","Unique token identifier","Original transfer method","Client credential type","Token Protection - Sign In Session","Token Protection - Sign In Session StatusCode","Application","Application ID ","App owner tenant ID","Resource","Resource ID ","Resource tenant ID","Resource owner tenant ID","Home tenant ID","Home tenant name","IP address","Location","Status","Sign-in error code","Failure reason","Client app","Device ID","Browser","Operating System","Compliant","Managed","Join Type","Multifactor authentication result","Multifactor authentication auth method","Multifactor authentication auth detail","Authentication requirement","Sign-in identifier","Session ID","IP address (seen by resource)","Through Global Secure Access","Global Secure Access IP address","Autonomous system  number","Flagged for review","Token issuer type","Incoming token type","Token issuer name","Latency","Conditional Access","Managed Identity type","Associated Resource Id","Federated Token Id","Federated Token Issuer""#;

fn status_word(code: u32) -> &'static str {
    match code {
        0 => "Success",
        50074 | 50140 => "Interrupted",
        _ => "Failure",
    }
}

/// The portal's 57-column download; successes alternate between an empty code and `0`.
fn portal_csv(evs: &[Ev]) -> String {
    let mut o = format!("{PORTAL_HEADER}\n");
    for (i, e) in evs.iter().enumerate() {
        let code = if e.code == 0 && i % 2 == 0 {
            String::new()
        } else {
            e.code.to_string()
        };
        let reason = if e.code == 0 {
            "Other."
        } else {
            "Sign-in failed, see the code."
        };
        let mut f = vec![String::new(); 57];
        f[0] = e.time.clone();
        f[1] = format!("{i:08x}-0000-4000-8000-000000000000");
        f[5] = e.user.split('@').next().unwrap_or("").to_string();
        f[6] = e.user.to_uppercase();
        f[9] = "None".into();
        f[16] = e.app.into();
        f[25] = e.ip.clone();
        f[26] = "Redmond, Washington, US".into();
        f[27] = status_word(e.code).into();
        f[28] = code;
        f[29] = reason.into();
        f[30] = e.client.into();
        f[33] = e.os.into();
        f[37] = e.details.into();
        f[46] = "8075".into();
        f[49] = "None".into();
        f[52] = if e.ca_failed.is_some() {
            "Failure".into()
        } else {
            "Not Applied".into()
        };
        o.push_str(&f.iter().map(|x| q(x)).collect::<Vec<_>>().join(","));
        o.push('\n');
    }
    o
}

fn graph_obj(e: &Ev, i: usize) -> serde_json::Value {
    serde_json::json!({
        "id": format!("{i:08x}-0000-4000-8000-000000000000"),
        "createdDateTime": e.time,
        "userPrincipalName": e.user,
        "appDisplayName": e.app,
        "ipAddress": e.ip,
        "clientAppUsed": e.client,
        "status": {"errorCode": e.code, "failureReason": if e.code == 0 { serde_json::Value::Null } else { "x".into() }, "additionalDetails": e.details},
        "deviceDetail": {"operatingSystem": e.os, "browser": "Edge 131.0.0"},
        "appliedConditionalAccessPolicies": e.ca_failed.map(|p| vec![serde_json::json!({"id": "1", "displayName": p, "result": "failure"})]).unwrap_or_default(),
    })
}

/// Log Analytics CSV: `TimeGenerated [UTC]` in US format, `Status` as JSON text.
fn log_analytics_csv(evs: &[Ev]) -> String {
    let mut o = String::from("TenantId,TimeGenerated [UTC],ResultType,ResultDescription,UserPrincipalName,AppDisplayName,IPAddress,ClientAppUsed,DeviceDetail,Status,ConditionalAccessPolicies,Type\n");
    for e in evs {
        let (date, time) = e.time.split_once('T').unwrap();
        let (y, rest) = date.split_once('-').unwrap();
        let (m, d) = rest.split_once('-').unwrap();
        let (hh, rest) = time.split_once(':').unwrap();
        let h: u32 = hh.parse().unwrap();
        let (h12, ampm) = match h {
            0 => (12, "AM"),
            1..=11 => (h, "AM"),
            12 => (12, "PM"),
            _ => (h - 12, "PM"),
        };
        let stamp = format!(
            "{}/{}/{y}, {h12}:{}.000 {ampm}",
            m.trim_start_matches('0'),
            d.trim_start_matches('0'),
            rest.trim_end_matches('Z')
        );
        let status =
            serde_json::json!({"errorCode": e.code, "additionalDetails": e.details}).to_string();
        let device = serde_json::json!({"operatingSystem": e.os}).to_string();
        let ca = serde_json::json!(e
            .ca_failed
            .map(|p| vec![serde_json::json!({"displayName": p, "result": "failure"})])
            .unwrap_or_default())
        .to_string();
        let fields = [
            "4d3bac44-0230-4732-9e70-cc00736f0a97".to_string(),
            stamp,
            e.code.to_string(),
            if e.code == 0 {
                String::new()
            } else {
                "Failure text, with a comma".into()
            },
            e.user.clone(),
            e.app.to_string(),
            e.ip.clone(),
            e.client.to_string(),
            device,
            status,
            ca,
            "SigninLogs".into(),
        ];
        o.push_str(
            &fields
                .iter()
                .map(|x| {
                    if x.contains([',', '"']) {
                        q(x)
                    } else {
                        x.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(","),
        );
        o.push('\n');
    }
    o
}

/// Azure Monitor PT1H.json: spaced envelope, compact `properties`, CRLF, `resultType` a string.
fn azure_monitor_lines(evs: &[Ev]) -> String {
    let mut o = String::new();
    for (i, e) in evs.iter().enumerate() {
        let props = graph_obj(e, i).to_string();
        let desc = if e.code == 0 {
            String::new()
        } else {
            ", \"resultDescription\": \"Something failed.\"".into()
        };
        let sig = if i % 2 == 0 {
            "None"
        } else if e.code == 0 {
            "SUCCESS"
        } else {
            "FAILURE"
        };
        o.push_str(&format!(
            "{{ \"time\": \"{}\", \"resourceId\": \"/tenants/4d3bac44-0230-4732-9e70-cc00736f0a97/providers/Microsoft.aadiam\", \"operationName\": \"Sign-in activity\", \"operationVersion\": \"1.0\", \"category\": \"SignInLogs\", \"tenantId\": \"4d3bac44-0230-4732-9e70-cc00736f0a97\", \"resultType\": \"{}\", \"resultSignature\": \"{sig}\"{desc}, \"durationMs\": 0, \"callerIpAddress\": \"{}\", \"correlationId\": \"{i:08x}-1111-4222-8333-000000000000\", \"identity\": \"Someone\", \"Level\": 4, \"location\": \"US\", \"properties\": {props}}}\r\n",
            e.time, e.code, e.ip
        ));
    }
    o
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn assert_counts(name: &str, s: &Summary, evs: &[Ev]) {
    assert_eq!(s.rows.skipped, 0, "{name}: {:#?}", s.skipped);
    assert_eq!(got(s), expected(evs), "{name}");
    assert_eq!(s.totals.sign_ins, evs.len() as u64, "{name}");
}

#[test]
fn portal_csv_with_its_quirks_utf8_bom_and_utf16() {
    let evs = events();
    let dir = tempfile::tempdir().unwrap();
    let csv = portal_csv(&evs);
    let plain = write(
        dir.path(),
        "InteractiveSignIns_2025-03-03_2025-03-08.csv",
        csv.as_bytes(),
    );
    assert_counts("portal csv", &run(&[plain]), &evs);

    let mut bom = vec![0xef, 0xbb, 0xbf];
    bom.extend_from_slice(csv.as_bytes());
    let p = write(dir.path(), "bom.csv", &bom);
    assert_counts("portal csv with BOM", &run(&[p]), &evs);

    // Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated.
    let tsv = csv.replace("\",\"", "\"\t\"");
    let mut utf16 = vec![0xff, 0xfe];
    for u in tsv.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let p = write(dir.path(), "excel-unicode.txt", &utf16);
    assert_counts("portal csv as UTF-16 tab-separated", &run(&[p]), &evs);
}

#[test]
fn graph_pages_portal_json_and_event_hub() {
    let evs = events();
    let dir = tempfile::tempdir().unwrap();
    let objs: Vec<_> = evs
        .iter()
        .enumerate()
        .map(|(i, e)| graph_obj(e, i))
        .collect();
    let (a, b) = objs.split_at(objs.len() / 2);
    let page1 = serde_json::json!({"@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns", "@odata.nextLink": "https://graph.microsoft.com/beta/auditLogs/signins?$skiptoken=abc", "value": a});
    let page2 = serde_json::json!({"@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns", "value": b});
    let p1 = write(
        dir.path(),
        "page-1.json",
        serde_json::to_string_pretty(&page1).unwrap().as_bytes(),
    );
    let p2 = write(dir.path(), "page-2.json", page2.to_string().as_bytes());
    assert_counts("graph pages", &run(&[p1, p2]), &evs);

    let arr = write(
        dir.path(),
        "InteractiveSignIns_2025-03-03_2025-03-08.json",
        serde_json::to_string_pretty(&objs).unwrap().as_bytes(),
    );
    assert_counts("portal json", &run(&[arr]), &evs);

    // PowerShell appending two pages' arrays to one file.
    let cat = format!(
        "{}\n{}",
        serde_json::to_string_pretty(&a).unwrap(),
        serde_json::to_string_pretty(&b).unwrap()
    );
    let p = write(
        dir.path(),
        "20250303-interactiveUser-SignInLogs.json",
        cat.as_bytes(),
    );
    assert_counts("concatenated arrays", &run(&[p]), &evs);
}

#[test]
fn azure_monitor_lines_gzip_and_folders() {
    let evs = events();
    let dir = tempfile::tempdir().unwrap();
    let lines = azure_monitor_lines(&evs);
    let half = lines.match_indices("\r\n").nth(evs.len() / 2).unwrap().0 + 2;
    let h1 = dir.path().join("y=2025/m=03/d=03/h=08/m=00");
    let h2 = dir.path().join("y=2025/m=03/d=04/h=09/m=00");
    std::fs::create_dir_all(&h1).unwrap();
    std::fs::create_dir_all(&h2).unwrap();
    std::fs::write(h1.join("PT1H.json"), &lines[..half]).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&lines.as_bytes()[half..]).unwrap();
    std::fs::write(h2.join("PT1H.json.gz"), gz.finish().unwrap()).unwrap();
    let sources = aadsts_scan::expand(&[dir.path().display().to_string()]).unwrap();
    assert_eq!(sources.len(), 2);
    let s = scan(
        &sources,
        &Options::default(),
        &aadsts_catalog::Catalog::builtin(),
        Arc::new(AtomicU64::new(0)),
    )
    .unwrap();
    assert_counts("azure monitor", &s, &evs);
}

#[test]
fn log_analytics_csv_export() {
    let evs = events();
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "query_data.csv",
        log_analytics_csv(&evs).as_bytes(),
    );
    let s = run(&[p]);
    assert_counts("log analytics csv", &s, &evs);
    let ca = s.codes.iter().find(|c| c.code == 53003).unwrap();
    assert_eq!(
        ca.top.failed_ca_policies[0].value,
        "Block unmanaged Android"
    );
    assert_eq!(ca.top.failed_ca_policies[0].count, 5);
}

#[test]
fn attack_signals_carry_their_evidence() {
    let evs = events();
    let dir = tempfile::tempdir().unwrap();
    let objs: Vec<_> = evs
        .iter()
        .enumerate()
        .map(|(i, e)| graph_obj(e, i))
        .collect();
    let p = write(
        dir.path(),
        "a.json",
        serde_json::to_string(&objs).unwrap().as_bytes(),
    );
    let s = run(&[p]);
    let kinds: Vec<&str> = s.signals.iter().map(|x| x.kind).collect();
    let spray = s
        .signals
        .iter()
        .find(|x| x.kind == "password-spray")
        .expect("spray found");
    assert!(spray.summary.contains("203.0.113.50"), "{}", spray.summary);
    assert!(spray
        .evidence
        .iter()
        .any(|(k, v)| k == "Accounts with a password failure" && v == "8"));
    let brute = s
        .signals
        .iter()
        .find(|x| x.kind == "brute-force")
        .expect("brute force found");
    assert!(
        brute
            .summary
            .starts_with("cfo@contoso.com: 12 password failures"),
        "{}",
        brute.summary
    );
    assert!(brute.summary.contains("then a successful sign-in"));
    assert!(kinds.contains(&"mfa-fatigue"), "{kinds:?}");
    assert!(kinds.contains(&"legacy-auth"), "{kinds:?}");
    // Nobody else is flagged: ordinary users with one failure are not brute force.
    assert_eq!(
        s.signals.iter().filter(|x| x.kind == "brute-force").count(),
        1
    );

    let redacted = scan(
        &[Source::File(dir.path().join("a.json"))],
        &Options {
            redact: true,
            ..Default::default()
        },
        &aadsts_catalog::Catalog::builtin(),
        Arc::new(AtomicU64::new(0)),
    )
    .unwrap();
    let text = serde_json::to_string(&redacted).unwrap();
    assert!(
        !text.contains("@contoso.com"),
        "no user names survive redaction"
    );
    assert!(!text.contains("203.0.113.50"), "no IPs survive redaction");
    assert!(redacted
        .signals
        .iter()
        .any(|x| x.kind == "password-spray" && x.summary.starts_with("ip-")));

    // The redacted report equals the plain one except where a value is a user or an IP
    // address: learn the pseudonym of every such value, then every other string (counts,
    // codes, times, the prose of the signals) must read the same once those values alone
    // are swapped, token by token.
    let plain = serde_json::to_value(&s).unwrap();
    let red = serde_json::to_value(&redacted).unwrap();
    let mut names = std::collections::HashMap::new();
    learn_pseudonyms(&plain, &red, &mut names);
    assert!(names.len() >= 9, "users and IPs learned: {names:?}");
    assert_same_but_names(&plain, &red, &names, "$");
}

fn is_user_or_ip(v: &str) -> bool {
    v.contains('@') || v.parse::<std::net::IpAddr>().is_ok()
}

fn learn_pseudonyms(
    a: &serde_json::Value,
    b: &serde_json::Value,
    names: &mut std::collections::HashMap<String, String>,
) {
    use serde_json::Value;
    match (a, b) {
        (Value::String(x), Value::String(y)) if x != y && is_user_or_ip(x) => {
            names.insert(x.clone(), y.clone());
        }
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .for_each(|(x, y)| learn_pseudonyms(x, y, names)),
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                if let Some(w) = y.get(k) {
                    learn_pseudonyms(v, w, names);
                }
            }
        }
        _ => {}
    }
}

fn assert_same_but_names(
    a: &serde_json::Value,
    b: &serde_json::Value,
    names: &std::collections::HashMap<String, String>,
    path: &str,
) {
    use serde_json::Value;
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            // Swap whole tokens only: a pseudonym never lands inside a number or a code.
            let mut out = String::new();
            let mut token = String::new();
            for c in x.chars().chain(std::iter::once('\u{0}')) {
                if c.is_whitespace() || matches!(c, ',' | ':' | '(' | ')' | '\u{0}') {
                    out.push_str(names.get(&token).map(String::as_str).unwrap_or(&token));
                    token.clear();
                    if c != '\u{0}' {
                        out.push(c);
                    }
                } else {
                    token.push(c);
                }
            }
            assert_eq!(&out, y, "at {path}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "length at {path}");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_same_but_names(x, y, names, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.len(), y.len(), "keys at {path}");
            for (k, v) in x {
                if k == "redacted" {
                    continue;
                }
                assert_same_but_names(v, &y[k], names, &format!("{path}.{k}"));
            }
        }
        (x, y) => assert_eq!(x, y, "at {path}"),
    }
}

#[test]
fn bad_rows_are_counted_and_located_never_fatal() {
    let evs = events();
    let dir = tempfile::tempdir().unwrap();
    let mut csv = portal_csv(&evs[..10]);
    csv.push_str("\"2025-03-09T10:00:00Z\",\"x\"\n");
    csv.push_str(
        &portal_csv(&evs[10..20])
            .lines()
            .skip(1)
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
    );
    csv.push_str(&portal_csv(&evs[20..21]).lines().nth(1).unwrap().replacen(
        &format!("\"{}\",", evs[20].time),
        "\"yesterday-ish\",",
        1,
    ));
    let p = write(dir.path(), "broken.csv", csv.as_bytes());
    let s = run(&[p]);
    assert_eq!(s.rows.used, 20);
    assert_eq!(s.rows.skipped, 2, "{:#?}", s.skipped);
    assert_eq!(s.skipped[0].at, "line 12");
    assert!(
        s.skipped[0].reason.contains("empty error code"),
        "{}",
        s.skipped[0].reason
    );
    assert_eq!(s.skipped[1].at, "line 23");
    assert!(
        s.skipped[1].reason.contains("not a date"),
        "{}",
        s.skipped[1].reason
    );

    let mut lines = azure_monitor_lines(&evs[..5]);
    lines.push_str("{ \"time\": \"2025-03-03T00:00:00Z\", \"resultType\": \r\n");
    lines.push_str("2025-02-02T00:27:59+08:00 COMP6615226D ");
    lines.push_str(azure_monitor_lines(&evs[5..6]).as_str());
    let p = write(dir.path(), "PT1H.json", lines.as_bytes());
    let s = run(&[p]);
    assert_eq!(
        s.rows.used, 6,
        "a syslog-prefixed record is read: {:#?}",
        s.skipped
    );
    assert_eq!(s.rows.skipped, 1);
    assert_eq!(s.skipped[0].at, "line 6");
}

#[test]
fn filters_by_time_app_and_user() {
    let evs = events();
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.csv", portal_csv(&evs).as_bytes());
    let opts = Options {
        app: Some("azure portal".into()),
        ..Default::default()
    };
    let s = scan(
        &[Source::File(p.clone())],
        &opts,
        &aadsts_catalog::Catalog::builtin(),
        Arc::new(AtomicU64::new(0)),
    )
    .unwrap();
    let want: Vec<Ev> = evs
        .iter()
        .filter(|e| e.app == "Azure Portal")
        .cloned()
        .collect();
    assert_eq!(got(&s), expected(&want));
    assert_eq!(s.rows.filtered_out, (evs.len() - want.len()) as u64);

    let cut = evs[40].time.clone();
    let opts = Options {
        since: Some(cut.clone()),
        user: Some("USER0".into()),
        ..Default::default()
    };
    let s = scan(
        &[Source::File(p)],
        &opts,
        &aadsts_catalog::Catalog::builtin(),
        Arc::new(AtomicU64::new(0)),
    )
    .unwrap();
    let want: Vec<Ev> = evs
        .iter()
        .filter(|e| e.time >= cut && e.user.contains("user0"))
        .cloned()
        .collect();
    assert_eq!(got(&s), expected(&want));
}

/// Fifty addresses of one /24 each failing passwords for several accounts are one spray
/// campaign, reported once with its sources; and while it runs, "fix first" for a wrong
/// password starts with the sources, not with helping each user retype a password.
#[test]
fn a_spray_from_one_network_is_one_campaign() {
    let mut evs = Vec::new();
    for src in 0..50u32 {
        for acct in 0..6u32 {
            evs.push(Ev {
                time: format!("2025-03-04T10:{:02}:{:02}Z", src % 60, acct * 7),
                code: 50126,
                user: format!("staff{:03}@contoso.com", (src * 6 + acct) % 120),
                app: "Office 365 Exchange Online",
                ip: format!("192.0.2.{}", src + 1),
                client: "Other clients",
                os: "",
                ca_failed: None,
                details: "",
            });
        }
    }
    // A lone sprayer elsewhere stays a signal of its own.
    for acct in 0..6u32 {
        evs.push(Ev {
            time: format!("2025-03-04T11:00:{:02}Z", acct),
            code: 50126,
            user: format!("staff{acct:03}@contoso.com"),
            app: "Office 365 Exchange Online",
            ip: "203.0.113.9".into(),
            client: "Browser",
            os: "Linux",
            ca_failed: None,
            details: "",
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "spray.csv", log_analytics_csv(&evs).as_bytes());
    let s = run(&[p]);
    let sprays: Vec<_> = s
        .signals
        .iter()
        .filter(|x| x.kind == "password-spray")
        .collect();
    assert_eq!(sprays.len(), 2, "{sprays:#?}");
    let campaign = sprays
        .iter()
        .find(|x| x.summary.contains("192.0.2.0/24"))
        .expect("one campaign for the /24");
    assert!(
        campaign.summary.contains("50 addresses"),
        "{}",
        campaign.summary
    );
    assert!(campaign
        .evidence
        .iter()
        .any(|(k, v)| k == "Source addresses" && v == "50"));
    assert!(campaign
        .evidence
        .iter()
        .any(|(k, v)| k == "Accounts with a password failure" && v == "120"));
    let first = s.fix_first.iter().find(|f| f.code == 50126).unwrap();
    assert!(
        first
            .first_step
            .starts_with("Password spraying from 51 source address(es)"),
        "{}",
        first.first_step
    );
}
