//! Writes a large `.evtx` for the benchmark (scripts/bench-events.sh):
//! `gen_evtx <FILE> <records>`. A domain controller's Security log with some sync server
//! and device events mixed in: 4625 (21 values), 4771, 4769, 4740, PasswordResetService
//! 33004 and Microsoft-Windows-AAD 1098, over 20,000 users and 2,000 client addresses.

use aadsts_events::evtx_write::{Record, Writer};
use std::io::BufWriter;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).map(String::as_str).unwrap_or("big.evtx");
    let n: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(500_000);
    let file = std::fs::File::create(path)?;
    let mut w = Writer::new(BufWriter::with_capacity(1 << 20, file))?;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let base = 1_733_490_000i64; // 2024-12-06T13:00:00Z
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let user = format!("user{}", x % 20_000);
        let ip = format!(
            "10.{}.{}.{}",
            (x >> 8) % 8,
            (x >> 16) % 250,
            (x >> 24) % 250
        );
        let secs = base + (i as i64) / 4;
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil(days);
        let time = format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:07}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60,
            (x >> 32) % 10_000_000
        );
        let named = |pairs: &[(&str, &str)]| -> Vec<(Option<String>, String)> {
            pairs
                .iter()
                .map(|(k, v)| (Some(k.to_string()), v.to_string()))
                .collect()
        };
        let sec = |id: u32, data: Vec<(Option<String>, String)>, kw: u64| Record {
            provider: "Microsoft-Windows-Security-Auditing".into(),
            channel: "Security".into(),
            event_id: id,
            level: 0,
            keywords: kw,
            time: time.clone(),
            computer: "DC01.contoso.com".into(),
            data,
            user_data: None,
        };
        let r = match x % 100 {
            0..=54 => sec(4625, named(&[("SubjectUserSid", "S-1-0-0"), ("SubjectUserName", "-"), ("SubjectDomainName", "-"), ("SubjectLogonId", "0x0"), ("TargetUserSid", "S-1-0-0"), ("TargetUserName", &user), ("TargetDomainName", "CONTOSO"), ("Status", "0xc000006d"), ("FailureReason", "%%2313"), ("SubStatus", "0xc000006a"), ("LogonType", "3"), ("LogonProcessName", "NtLmSsp "), ("AuthenticationPackageName", "NTLM"), ("WorkstationName", "WKS-042"), ("TransmittedServices", "-"), ("LmPackageName", "-"), ("KeyLength", "0"), ("ProcessId", "0x0"), ("ProcessName", "-"), ("IpAddress", &ip), ("IpPort", "51000")]), 0x8010_0000_0000_0000),
            55..=74 => sec(4771, named(&[("TargetUserName", &user), ("TargetSid", "S-1-5-21-1004336348-1177238915-682003330-1106"), ("ServiceName", "krbtgt/CONTOSO"), ("TicketOptions", "0x40810010"), ("Status", "0x18"), ("PreAuthType", "2"), ("IpAddress", &format!("::ffff:{ip}")), ("IpPort", "50122")]), 0x8010_0000_0000_0000),
            75..=89 => sec(4769, named(&[("TargetUserName", &format!("{user}@CONTOSO.COM")), ("TargetDomainName", "CONTOSO.COM"), ("ServiceName", "AZUREADSSOACC$"), ("ServiceSid", "S-1-5-21-1"), ("TicketOptions", "0x40810000"), ("TicketEncryptionType", "0x12"), ("IpAddress", &format!("::ffff:{ip}")), ("IpPort", "50200"), ("Status", "0x0")]), 0x8020_0000_0000_0000),
            90..=92 => sec(4740, named(&[("TargetUserName", &user), ("TargetDomainName", "WKS-042"), ("TargetSid", "S-1-5-21-1"), ("SubjectUserSid", "S-1-5-18"), ("SubjectUserName", "DC01$"), ("SubjectDomainName", "CONTOSO"), ("SubjectLogonId", "0x3e7")]), 0x8020_0000_0000_0000),
            93..=96 => Record {
                provider: "PasswordResetService".into(),
                channel: "Application".into(),
                event_id: 33004,
                level: 2,
                keywords: 0x0080_0000_0000_0000,
                time: time.clone(),
                computer: "SYNC01.contoso.com".into(),
                data: vec![(None, format!("TrackingId: 6f1c2a0e-0d1b-4b5e-9a63-2f4d1c0e7a11, Reason: Password reset failed for {user}@contoso.com: access denied (hr=80070005)."))],
                user_data: None,
            },
            _ => Record {
                provider: "Microsoft-Windows-AAD".into(),
                channel: "Microsoft-Windows-AAD/Operational".into(),
                event_id: 1098,
                level: 2,
                keywords: 0x8000_0000_0000_0000,
                time: time.clone(),
                computer: "WKS-042.contoso.com".into(),
                data: named(&[("Error", "0xCAA5001C"), ("ErrorMessage", "Token broker operation failed."), ("AdditionalInformation", "AADSTS50126: Error validating credentials due to invalid username or password."), ("UserPrincipalName", &format!("{user}@contoso.com"))]),
                user_data: None,
            },
        };
        w.push(&r)?;
    }
    w.finish()?;
    Ok(())
}

fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}
