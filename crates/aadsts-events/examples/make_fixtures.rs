//! Writes the event fixtures of `tests/fixtures/` (see the README there): one scenario of
//! known events from every source, in every export shape this crate reads.
//!
//! `cargo run -p aadsts-events --example make_fixtures -- crates/aadsts-events/tests/fixtures`

use aadsts_events::evtx_write::{to_bytes, Record};
use std::path::Path;

const APP: &str = "Application";
const SEC: &str = "Security";
const SYNC: &str = "SYNC01.contoso.com";
const DC: &str = "DC01.contoso.com";
const AUDIT_FAILURE: u64 = 0x8010_0000_0000_0000;
const CLASSIC: u64 = 0x0080_0000_0000_0000;

struct Ev {
    rec: Record,
    message: String,
    task: &'static str,
}

// One call per fixture event reads best as a table of them.
#[allow(clippy::too_many_arguments)]
fn ev(
    provider: &str,
    channel: &str,
    id: u32,
    level: u8,
    time: &str,
    computer: &str,
    data: &[(Option<&str>, &str)],
    message: &str,
) -> Ev {
    Ev {
        rec: Record {
            provider: provider.into(),
            channel: channel.into(),
            event_id: id,
            level,
            keywords: if channel == SEC {
                AUDIT_FAILURE
            } else {
                CLASSIC
            },
            time: time.into(),
            computer: computer.into(),
            data: data
                .iter()
                .map(|(k, v)| (k.map(str::to_string), v.to_string()))
                .collect(),
            user_data: None,
        },
        message: message.into(),
        task: "None",
    }
}

fn writeback() -> Vec<Ev> {
    let wb = "PasswordResetService";
    let mut v = Vec::new();
    for (t, user) in [
        ("2024-12-06T13:00:05Z", "alice@contoso.com"),
        ("2024-12-06T13:20:00Z", "alice@contoso.com"),
        ("2024-12-06T13:21:00Z", "gina@contoso.com"),
    ] {
        let text = format!("TrackingId: 6f1c2a0e-0d1b-4b5e-9a63-2f4d1c0e7a11, Reason: Password reset failed for {user}: the writeback account does not have permission to reset the password of this user in Active Directory (hr=80070005, Access is denied).");
        v.push(ev(wb, APP, 33004, 2, t, SYNC, &[(None, &text)], &text));
    }
    let text = "TrackingId: 0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d, Reason: Password change failed for bob@contoso.com: the new password does not meet the on-premises password policy (minimum password age, length, complexity or history).";
    v.push(ev(
        wb,
        APP,
        33008,
        2,
        "2024-12-06T13:05:00Z",
        SYNC,
        &[(None, text)],
        text,
    ));
    for t in ["2024-12-06T13:10:00Z", "2024-12-06T13:11:00Z"] {
        let text = "TrackingId: 11111111-2222-4333-8444-555555555555, Reason: Password reset completed for carol@contoso.com.";
        v.push(ev(wb, APP, 31003, 4, t, SYNC, &[(None, text)], text));
    }
    for t in ["2024-12-06T13:02:00Z", "2024-12-06T13:32:00Z"] {
        let text = "Password Synchronization: failed to synchronize the password of CN=Dave Doe,OU=Staff,DC=contoso,DC=com (dave@contoso.com): the connector account lacks the Replicate Directory Changes All permission.";
        v.push(ev("ADSync", APP, 6329, 2, t, SYNC, &[(None, text)], text));
    }
    v
}

fn pta() -> Vec<Ev> {
    let p = "Microsoft-AzureADConnect-AuthenticationAgent";
    let ch = "Microsoft-AzureADConnect-AuthenticationAgent/Admin";
    let text = "Passthrough Authentication request failed. RequestId: '5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f'. Reason: '1326'. UserPrincipalName: 'erin@contoso.com'. Error: The user name or password is incorrect.";
    vec![
        ev(p, ch, 80, 2, "2024-12-06T13:15:00Z", "PTA01.contoso.com", &[(Some("RequestId"), "5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f"), (Some("Reason"), "1326"), (Some("UserPrincipalName"), "erin@contoso.com")], text),
        ev(p, ch, 12019, 2, "2024-12-06T13:16:00Z", "PTA02.contoso.com", &[(Some("Message"), "The connector was unable to connect to the service bus endpoint: outbound port 443 blocked.")], "The connector was unable to connect to the service bus endpoint: outbound port 443 blocked."),
    ]
}

fn adfs() -> Vec<Ev> {
    let a = "AD FS";
    let ch = "AD FS/Admin";
    let mut v = Vec::new();
    for t in ["2024-12-06T13:12:00Z", "2024-12-06T13:13:00Z"] {
        let text = "Encountered error during federation passive request. \n\nAdditional Data \n\nProtocol Name: \nSAMLP \n\nRelying Party: \nurn:federation:MicrosoftOnline \n\nException details: \nMicrosoft.IdentityServer.AuthenticationFailedException: frank@contoso.com-The user name or password is incorrect";
        v.push(ev(
            a,
            ch,
            364,
            2,
            t,
            "ADFS01.contoso.com",
            &[(None, text)],
            text,
        ));
    }
    let text = "Token validation failed. \n\nAdditional Data \n\nToken Type: \nhttp://schemas.microsoft.com/ws/2006/05/identitymodel/tokens/UserName \n\nError message: \nfrank@contoso.com-The referenced account is currently locked out and may not be logged on to.";
    v.push(ev(
        a,
        ch,
        342,
        2,
        "2024-12-06T13:14:00Z",
        "ADFS01.contoso.com",
        &[(None, text)],
        text,
    ));
    v
}

fn security() -> Vec<Ev> {
    let s = "Microsoft-Windows-Security-Auditing";
    let mut v = Vec::new();
    let mut lock = ev(s, SEC, 4740, 0, "2024-12-06T13:03:00Z", DC,
        &[(Some("TargetUserName"), "alice"), (Some("TargetDomainName"), "WKS-042"), (Some("TargetSid"), "S-1-5-21-1004336348-1177238915-682003330-1105"), (Some("SubjectUserSid"), "S-1-5-18"), (Some("SubjectUserName"), "DC01$"), (Some("SubjectDomainName"), "CONTOSO"), (Some("SubjectLogonId"), "0x3e7")],
        "A user account was locked out.\n\nSubject:\n\tSecurity ID:\t\tSYSTEM\n\tAccount Name:\t\tDC01$\n\tAccount Domain:\t\tCONTOSO\n\tLogon ID:\t\t0x3E7\n\nAccount That Was Locked Out:\n\tSecurity ID:\t\tS-1-5-21-1004336348-1177238915-682003330-1105\n\tAccount Name:\t\talice\n\nAdditional Information:\n\tCaller Computer Name:\tWKS-042");
    lock.rec.keywords = 0x8020_0000_0000_0000;
    lock.task = "User Account Management";
    v.push(lock);
    for t in ["2024-12-06T13:04:00Z", "2024-12-06T13:06:00Z"] {
        let mut e = ev(s, SEC, 4771, 0, t, DC,
            &[(Some("TargetUserName"), "bob"), (Some("TargetSid"), "S-1-5-21-1004336348-1177238915-682003330-1106"), (Some("ServiceName"), "krbtgt/CONTOSO"), (Some("TicketOptions"), "0x40810010"), (Some("Status"), "0x18"), (Some("PreAuthType"), "2"), (Some("IpAddress"), "::ffff:10.0.0.21"), (Some("IpPort"), "50122")],
            "Kerberos pre-authentication failed.\n\nAccount Information:\n\tSecurity ID:\t\tS-1-5-21-1004336348-1177238915-682003330-1106\n\tAccount Name:\t\tbob\n\nService Information:\n\tService Name:\t\tkrbtgt/CONTOSO\n\nNetwork Information:\n\tClient Address:\t\t::ffff:10.0.0.21\n\tClient Port:\t\t50122\n\nAdditional Information:\n\tTicket Options:\t\t0x40810010\n\tFailure Code:\t\t0x18\n\tPre-Authentication Type:\t2");
        e.task = "Kerberos Authentication Service";
        v.push(e);
    }
    let mut e = ev(s, SEC, 4769, 0, "2024-12-06T13:07:00Z", DC,
        &[(Some("TargetUserName"), "carol@CONTOSO.COM"), (Some("TargetDomainName"), "CONTOSO.COM"), (Some("ServiceName"), "AZUREADSSOACC$"), (Some("ServiceSid"), "S-1-0-0"), (Some("TicketOptions"), "0x40810000"), (Some("TicketEncryptionType"), "0xffffffff"), (Some("IpAddress"), "::ffff:10.0.0.33"), (Some("IpPort"), "50200"), (Some("Status"), "0xe")],
        "A Kerberos service ticket was requested.\n\nAccount Information:\n\tAccount Name:\t\tcarol@CONTOSO.COM\n\tAccount Domain:\t\tCONTOSO.COM\n\nService Information:\n\tService Name:\t\tAZUREADSSOACC$\n\nNetwork Information:\n\tClient Address:\t\t::ffff:10.0.0.33\n\nAdditional Information:\n\tFailure Code:\t\t0xE");
    e.task = "Kerberos Service Ticket Operations";
    v.push(e);
    for (i, t) in [
        "2024-12-06T13:00:40Z",
        "2024-12-06T13:00:50Z",
        "2024-12-06T13:01:10Z",
        "2024-12-06T13:01:20Z",
    ]
    .iter()
    .enumerate()
    {
        let port = format!("{}", 51000 + i);
        let mut e = ev(s, SEC, 4625, 0, t, DC,
            &[(Some("SubjectUserSid"), "S-1-0-0"), (Some("SubjectUserName"), "-"), (Some("SubjectDomainName"), "-"), (Some("SubjectLogonId"), "0x0"), (Some("TargetUserSid"), "S-1-0-0"), (Some("TargetUserName"), "alice"), (Some("TargetDomainName"), "CONTOSO"), (Some("Status"), "0xc000006d"), (Some("FailureReason"), "%%2313"), (Some("SubStatus"), "0xc000006a"), (Some("LogonType"), "3"), (Some("LogonProcessName"), "NtLmSsp "), (Some("AuthenticationPackageName"), "NTLM"), (Some("WorkstationName"), "WKS-042"), (Some("TransmittedServices"), "-"), (Some("LmPackageName"), "-"), (Some("KeyLength"), "0"), (Some("ProcessId"), "0x0"), (Some("ProcessName"), "-"), (Some("IpAddress"), "10.0.0.42"), (Some("IpPort"), &port)],
            "An account failed to log on.\n\nSubject:\n\tSecurity ID:\t\tNULL SID\n\tAccount Name:\t\t-\n\tAccount Domain:\t\t-\n\nLogon Type:\t\t\t3\n\nAccount For Which Logon Failed:\n\tSecurity ID:\t\tNULL SID\n\tAccount Name:\t\talice\n\tAccount Domain:\t\tCONTOSO\n\nFailure Information:\n\tFailure Reason:\t\tUnknown user name or bad password.\n\tStatus:\t\t\t0xC000006D\n\tSub Status:\t\t0xC000006A\n\nNetwork Information:\n\tWorkstation Name:\tWKS-042\n\tSource Network Address:\t10.0.0.42\n\tSource Port:\t\t51000");
        e.task = "Logon";
        v.push(e);
    }
    v
}

fn device() -> Vec<Ev> {
    let p = "Microsoft-Windows-AAD";
    let ch = "Microsoft-Windows-AAD/Operational";
    let err = "AADSTS50126: Error validating credentials due to invalid username or password. Trace ID: 0f1e2d3c-4b5a-4968-8776-655443322110 Correlation ID: 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d Timestamp: 2024-12-06 13:00:30Z";
    let mut v = Vec::new();
    let mut e = ev(p, ch, 1098, 2, "2024-12-06T13:00:30Z", "WKS-042.contoso.com",
        &[(Some("Error"), "0xCAA5001C"), (Some("ErrorMessage"), "Token broker operation failed."), (Some("AdditionalInformation"), err), (Some("UserPrincipalName"), "alice@contoso.com")],
        &format!("Error: 0xCAA5001C Token broker operation failed. Exception of type 'class TokenBrokerException' at AadTokenBrokerPlugin. Logged at: ... Additional information: {err}"));
    e.task = "AadTokenBrokerPlugin Operation";
    v.push(e);
    let mut e = ev(p, ch, 1081, 2, "2024-12-06T13:00:31Z", "WKS-042.contoso.com",
        &[(Some("Error"), "invalid_grant"), (Some("ErrorDescription"), err), (Some("UserPrincipalName"), "alice@contoso.com")],
        &format!("OAuth response error: invalid_grant Error description: {err} CorrelationID: 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"));
    e.task = "AadTokenBrokerPlugin Operation";
    v.push(e);
    v
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn level_name(e: &Ev) -> &'static str {
    match (e.rec.keywords >> 52 & 0x3, e.rec.level) {
        (1, _) => "Audit Failure",
        (2, _) => "Audit Success",
        (_, 1) => "Critical",
        (_, 2) => "Error",
        (_, 3) => "Warning",
        _ => "Information",
    }
}

/// Event XML; `rendering` adds the forwarded-events `RenderingInfo`.
fn xml(e: &Ev, id: u64, rendering: bool) -> String {
    let r = &e.rec;
    let mut s = format!(
        "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System><Provider Name=\"{}\" /><EventID Qualifiers=\"0\">{}</EventID><Level>{}</Level><Task>0</Task><Keywords>0x{:x}</Keywords><TimeCreated SystemTime=\"{}\" /><EventRecordID>{id}</EventRecordID><Channel>{}</Channel><Computer>{}</Computer><Security /></System><EventData>",
        esc(&r.provider), r.event_id, r.level, r.keywords, r.time.replace('Z', ".1234567Z"), esc(&r.channel), esc(&r.computer)
    );
    for (k, v) in &r.data {
        match k {
            Some(k) => s.push_str(&format!("<Data Name=\"{}\">{}</Data>", esc(k), esc(v))),
            None => s.push_str(&format!("<Data>{}</Data>", esc(v))),
        }
    }
    s.push_str("</EventData>");
    if rendering {
        s.push_str(&format!(
            "<RenderingInfo Culture=\"en-US\"><Message>{}</Message><Level>{}</Level><Task>{}</Task><Opcode>Info</Opcode><Channel>{}</Channel><Provider>{}</Provider><Keywords><Keyword>Classic</Keyword></Keywords></RenderingInfo>",
            esc(&e.message), level_name(e), esc(e.task), esc(&r.channel), esc(&r.provider)
        ));
    }
    s.push_str("</Event>");
    s
}

/// `M/D/YYYY h:mm:ss AM`, as Event Viewer and Export-Csv write times in en-US (the time
/// kept is the UTC one: the fixtures' "local" machine runs on UTC).
fn us_time(t: &str) -> String {
    let (y, m, d) = (
        &t[0..4],
        t[5..7].trim_start_matches('0'),
        t[8..10].trim_start_matches('0'),
    );
    let h: u32 = t[11..13].parse().unwrap();
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{m}/{d}/{y} {h12}:{} {ampm}", &t[14..19])
}

fn csv_cell(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn event_viewer(evs: &[Ev], sep: &str) -> String {
    let mut s = [
        "Level",
        "Date and Time",
        "Source",
        "Event ID",
        "Task Category",
    ]
    .join(sep);
    s.push_str("\r\n");
    for e in evs {
        let msg = e.message.replace('\n', "\r\n");
        let cells = [
            level_name(e).to_string(),
            us_time(&e.rec.time),
            e.rec.provider.clone(),
            e.rec.event_id.to_string(),
            e.task.to_string(),
            csv_cell(&msg),
        ];
        s.push_str(&cells.join(sep));
        s.push_str("\r\n");
    }
    s
}

fn unix_ms(t: &str) -> i64 {
    aadsts_events::seconds(t).unwrap() * 1000
}

fn ps_json(evs: &[Ev], ps51: bool) -> String {
    let items: Vec<serde_json::Value> = evs
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let r = &e.rec;
            let time = if ps51 {
                format!("/Date({})/", unix_ms(&r.time))
            } else {
                // PowerShell 7 writes local time with the offset; this machine is UTC+01:00.
                let secs = aadsts_events::seconds(&r.time).unwrap() + 3600;
                let days = secs.div_euclid(86400);
                let rem = secs.rem_euclid(86400);
                let (y, m, d) = aadsts_extract::civil_from_days(days);
                format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.1234567+01:00", rem / 3600, rem % 3600 / 60, rem % 60)
            };
            let kw: Vec<&str> = match level_name(e) {
                "Audit Failure" => vec!["Audit Failure"],
                "Audit Success" => vec!["Audit Success"],
                _ => vec!["Classic"],
            };
            serde_json::json!({
                "Message": e.message.replace('\n', "\r\n"),
                "Id": r.event_id,
                "Version": 0,
                "Qualifiers": 0,
                "Level": r.level,
                "Task": 0,
                "Opcode": 0,
                "Keywords": r.keywords as i64,
                "RecordId": 1000 + i as u64,
                "ProviderName": r.provider,
                "ProviderId": null,
                "LogName": r.channel,
                "ProcessId": 640,
                "ThreadId": 1234,
                "MachineName": r.computer,
                "UserId": null,
                "TimeCreated": time,
                "ActivityId": null,
                "RelatedActivityId": null,
                "ContainerLog": r.channel,
                "MatchedQueryIds": [],
                "Bookmark": "System.Diagnostics.Eventing.Reader.EventBookmark",
                "LevelDisplayName": if r.channel == SEC { "Information" } else { level_name(e) },
                "OpcodeDisplayName": "Info",
                "TaskDisplayName": e.task,
                "KeywordsDisplayNames": kw,
                "Properties": r.data.iter().map(|(_, v)| serde_json::json!({"Value": v})).collect::<Vec<_>>(),
            })
        })
        .collect();
    // PowerShell indents with four spaces and puts two spaces after the colon.
    let pretty = serde_json::to_string_pretty(&items).unwrap();
    pretty.replace("\": ", "\":  ").replace('\n', "\r\n")
}

fn export_csv(evs: &[Ev], type_line: bool) -> String {
    let cols = [
        "Message",
        "Id",
        "Version",
        "Qualifiers",
        "Level",
        "Task",
        "Opcode",
        "Keywords",
        "RecordId",
        "ProviderName",
        "ProviderId",
        "LogName",
        "ProcessId",
        "ThreadId",
        "MachineName",
        "UserId",
        "TimeCreated",
        "ActivityId",
        "RelatedActivityId",
        "ContainerLog",
        "MatchedQueryIds",
        "Bookmark",
        "LevelDisplayName",
        "OpcodeDisplayName",
        "TaskDisplayName",
        "KeywordsDisplayNames",
        "Properties",
    ];
    let mut s = String::new();
    if type_line {
        s.push_str("#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n");
    }
    s.push_str(
        &cols
            .iter()
            .map(|c| csv_cell(c))
            .collect::<Vec<_>>()
            .join(","),
    );
    s.push_str("\r\n");
    for (i, e) in evs.iter().enumerate() {
        let r = &e.rec;
        // Export-Csv writes a collection's type name, not its items.
        let kw = "System.Collections.ObjectModel.ReadOnlyCollection`1[System.String]";
        let vals = [
            e.message.replace('\n', "\r\n"),
            r.event_id.to_string(),
            "0".into(),
            "0".into(),
            r.level.to_string(),
            "0".into(),
            "0".into(),
            (r.keywords as i64).to_string(),
            (2000 + i).to_string(),
            r.provider.clone(),
            String::new(),
            r.channel.clone(),
            "640".into(),
            "1234".into(),
            r.computer.clone(),
            String::new(),
            us_time(&r.time),
            String::new(),
            String::new(),
            r.channel.clone(),
            "System.UInt32[]".into(),
            "System.Diagnostics.Eventing.Reader.EventBookmark".into(),
            if r.channel == SEC {
                "Information".into()
            } else {
                level_name(e).to_string()
            },
            "Info".into(),
            e.task.to_string(),
            kw.into(),
            "System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]"
                .into(),
        ];
        s.push_str(
            &vals
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        s.push_str("\r\n");
    }
    s
}

fn utf16le_bom(s: &str) -> Vec<u8> {
    let mut out = vec![0xff, 0xfe];
    for u in s.encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

fn evtx(evs: &[Ev]) -> Vec<u8> {
    to_bytes(&evs.iter().map(|e| e.rec.clone()).collect::<Vec<_>>())
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "crates/aadsts-events/tests/fixtures".into());
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap();
    let w = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    let app = writeback();
    w("sync-application.evtx", &evtx(&app));
    w("pta-admin.evtx", &evtx(&pta()));
    w("adfs-admin.evtx", &evtx(&adfs()));
    w("dc-security.evtx", &evtx(&security()));
    w("device-aad.evtx", &evtx(&device()));
    // Save as XML: no RenderingInfo; forwarded events: with it.
    let mut x =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\r\n<Events>");
    for (i, e) in app.iter().enumerate() {
        x.push_str(&xml(e, 500 + i as u64, false));
    }
    x.push_str("</Events>");
    w("sync-application.xml", x.as_bytes());
    let mut fwd = security();
    fwd.extend(device());
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\r\n<Events>\r\n",
    );
    for (i, e) in fwd.iter().enumerate() {
        x.push_str(&xml(e, 900 + i as u64, true));
        x.push_str("\r\n");
    }
    x.push_str("</Events>\r\n");
    w("forwarded-events.xml", x.as_bytes());
    w("sync-application.csv", event_viewer(&app, ",").as_bytes());
    w(
        "sync-application.txt",
        &utf16le_bom(&event_viewer(&app, "\t")),
    );
    w(
        "dc-security-ps51.json",
        &utf16le_bom(&ps_json(&security(), true)),
    );
    w("adfs-ps7.json", ps_json(&adfs(), false).as_bytes());
    w(
        "dc-security-export.csv",
        export_csv(&security(), true).as_bytes(),
    );
    w("pta-export.csv", export_csv(&pta(), false).as_bytes());
    // The sign-ins that the events explain, as a Graph auditLogs/signIns page.
    let signins = serde_json::json!({"value": [
        {"createdDateTime": "2024-12-06T13:01:00Z", "userPrincipalName": "alice@contoso.com", "appDisplayName": "Office 365 Exchange Online", "ipAddress": "203.0.113.7", "status": {"errorCode": 50126}},
        {"createdDateTime": "2024-12-06T13:00:20Z", "userPrincipalName": "alice@contoso.com", "appDisplayName": "My Apps", "ipAddress": "203.0.113.7", "status": {"errorCode": 120015}},
        {"createdDateTime": "2024-12-06T13:03:30Z", "userPrincipalName": "alice@contoso.com", "appDisplayName": "Office 365 Exchange Online", "ipAddress": "203.0.113.7", "status": {"errorCode": 50053}},
        {"createdDateTime": "2024-12-06T13:05:30Z", "userPrincipalName": "bob@contoso.com", "appDisplayName": "My Apps", "ipAddress": "198.51.100.4", "status": {"errorCode": 120008}},
        {"createdDateTime": "2024-12-06T13:15:20Z", "userPrincipalName": "erin@contoso.com", "appDisplayName": "Microsoft Teams", "ipAddress": "198.51.100.9", "status": {"errorCode": 80001}},
        {"createdDateTime": "2024-12-06T15:00:00Z", "userPrincipalName": "alice@contoso.com", "appDisplayName": "Office 365 Exchange Online", "ipAddress": "203.0.113.7", "status": {"errorCode": 50126}},
        {"createdDateTime": "2024-12-06T13:01:30Z", "userPrincipalName": "zoe@contoso.com", "appDisplayName": "My Apps", "ipAddress": "203.0.113.8", "status": {"errorCode": 0}}
    ]});
    w(
        "signins.json",
        serde_json::to_string_pretty(&signins).unwrap().as_bytes(),
    );
}
