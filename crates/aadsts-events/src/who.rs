//! Who an event is about, and from which machine: the fields the event's page names first
//! (`user_fields`, `machine_fields`), then the EventData names Windows uses for them, then
//! what the message text says (a UPN or e-mail address, Security's "Account Name:").

use crate::Event;

/// Names of the `Properties[]` of the Security events that sign-in troubleshooting reads,
/// in the order the event's template defines them: `Get-WinEvent` JSON lists the values
/// without names.
fn positional_names(provider: &str, id: u32) -> Option<&'static [&'static str]> {
    if !provider.eq_ignore_ascii_case("Microsoft-Windows-Security-Auditing") {
        return None;
    }
    Some(match id {
        4625 => &[
            "SubjectUserSid",
            "SubjectUserName",
            "SubjectDomainName",
            "SubjectLogonId",
            "TargetUserSid",
            "TargetUserName",
            "TargetDomainName",
            "Status",
            "FailureReason",
            "SubStatus",
            "LogonType",
            "LogonProcessName",
            "AuthenticationPackageName",
            "WorkstationName",
            "TransmittedServices",
            "LmPackageName",
            "KeyLength",
            "ProcessId",
            "ProcessName",
            "IpAddress",
            "IpPort",
        ],
        4740 => &[
            "TargetUserName",
            "TargetDomainName",
            "TargetSid",
            "SubjectUserSid",
            "SubjectUserName",
            "SubjectDomainName",
            "SubjectLogonId",
        ],
        4771 => &[
            "TargetUserName",
            "TargetSid",
            "ServiceName",
            "TicketOptions",
            "Status",
            "PreAuthType",
            "IpAddress",
            "IpPort",
        ],
        4769 => &[
            "TargetUserName",
            "TargetDomainName",
            "ServiceName",
            "ServiceSid",
            "TicketOptions",
            "TicketEncryptionType",
            "IpAddress",
            "IpPort",
            "Status",
        ],
        4776 => &["PackageName", "TargetUserName", "Workstation", "Status"],
        _ => return None,
    })
}

/// Gives unnamed values (`#1`, `#2`, … from `Get-WinEvent` JSON) their template names where
/// this crate knows them.
pub(crate) fn name_positional(e: &mut Event) {
    let Some(names) = positional_names(&e.provider, e.event_id) else {
        return;
    };
    for (i, (k, _)) in e.data.iter_mut().enumerate() {
        if k.starts_with('#') {
            if let Some(n) = names.get(i) {
                *k = (*n).to_string();
            }
        }
    }
}

const USER_FIELDS: &[&str] = &[
    "TargetUserName",
    "UserPrincipalName",
    "Upn",
    "UserName",
    "User",
    "AccountName",
    "TargetAccount",
    "SubjectUserName",
];

const MACHINE_FIELDS: &[&str] = &[
    "IpAddress",
    "ClientAddress",
    "ClientIP",
    "CallerIpAddress",
    "WorkstationName",
    "Workstation",
    "ClientName",
    "TargetDomainName",
];

/// A value that names nobody: empty, `-`, a null SID, or the machine account a Subject
/// field often holds (`DC01$`).
fn names_someone(v: &str) -> bool {
    let v = v.trim();
    !(v.is_empty()
        || v == "-"
        || v.ends_with('$')
        || v.eq_ignore_ascii_case("NULL SID")
        || v == "S-1-0-0")
}

/// The affected user: `page_fields` first (the page of this event says where Windows puts
/// it), then well-known EventData names (`TargetUserName` with `TargetDomainName` as
/// `DOMAIN\name`), then a UPN or e-mail address in the message or the values, then the
/// Security message's "Account Name:" line. Lower-cased, as sign-in users are.
pub fn user_of(e: &Event, page_fields: &[&str]) -> Option<String> {
    for f in page_fields {
        if let Some(v) = e.field(f).filter(|v| names_someone(v)) {
            return Some(qualified(e, f, v));
        }
    }
    for f in USER_FIELDS {
        if let Some(v) = e.field(f).filter(|v| names_someone(v)) {
            return Some(qualified(e, f, v));
        }
    }
    let texts = e
        .message
        .iter()
        .map(String::as_str)
        .chain(e.data.iter().map(|(_, v)| v.as_str()));
    for t in texts {
        if let Some(u) = upn_in(t) {
            return Some(u.to_lowercase());
        }
    }
    let m = e.message.as_deref()?;
    labelled(
        m,
        &["Account Name:", "Account name:", "User:", "User Name:"],
    )
    .filter(|v| names_someone(v) && !v.contains(' '))
    .map(|v| v.to_lowercase())
}

/// `TargetUserName` with its `TargetDomainName` as `DOMAIN\name` (the form the join reads),
/// unless the name is a UPN already.
fn qualified(e: &Event, field: &str, v: &str) -> String {
    let v = v.to_lowercase();
    if v.contains('@') || v.contains('\\') {
        return v;
    }
    // 4740 writes the caller computer, not the domain, in TargetDomainName.
    if e.event_id == 4740 {
        return v;
    }
    let domain_field = match field.to_ascii_lowercase().as_str() {
        "targetusername" => "TargetDomainName",
        "subjectusername" => "SubjectDomainName",
        _ => return v,
    };
    match e.field(domain_field) {
        Some(d) if !d.contains('.') && names_someone(d) => format!("{}\\{v}", d.to_lowercase()),
        _ => v,
    }
}

/// The machine or address the attempt came from: `page_fields`, then well-known names,
/// then the Security message's address and workstation lines.
pub fn machine_of(e: &Event, page_fields: &[&str]) -> Option<String> {
    let clean = |v: &str| -> Option<String> {
        let v = v.trim().trim_start_matches("::ffff:");
        (names_someone(v) && v != "::1" && v != "127.0.0.1" && v != "localhost")
            .then(|| v.to_string())
    };
    for f in page_fields {
        if let Some(v) = e.field(f).and_then(clean) {
            return Some(v);
        }
    }
    // TargetDomainName is a machine only for 4740 (the caller computer).
    let is_lockout = e.event_id == 4740;
    for f in MACHINE_FIELDS {
        if *f == "TargetDomainName" && !is_lockout {
            continue;
        }
        if let Some(v) = e.field(f).and_then(clean) {
            return Some(v);
        }
    }
    let m = e.message.as_deref()?;
    labelled(
        m,
        &[
            "Source Network Address:",
            "Client Address:",
            "Client IP:",
            "Workstation Name:",
            "Caller Computer Name:",
        ],
    )
    .and_then(|v| clean(&v))
}

/// The last value after one of `labels` at the start of a line that names someone (Security
/// messages list the subject first and the account the event is about after it).
fn labelled(message: &str, labels: &[&str]) -> Option<String> {
    let mut found = None;
    for line in message.lines() {
        let l = line.trim();
        for label in labels {
            if let Some(rest) = l.strip_prefix(label) {
                let v = rest.trim();
                if names_someone(v) {
                    found = Some(v.to_string());
                }
            }
        }
    }
    found
}

/// The first `name@domain.tld` in `t`.
pub(crate) fn upn_in(t: &str) -> Option<&str> {
    let b = t.as_bytes();
    let is_local = |c: u8| c.is_ascii_alphanumeric() || b"._-+'".contains(&c);
    let is_domain = |c: u8| c.is_ascii_alphanumeric() || c == b'.' || c == b'-';
    for at in memchr::memchr_iter(b'@', b) {
        let mut s = at;
        while s > 0 && is_local(b[s - 1]) {
            s -= 1;
        }
        let mut e = at + 1;
        while e < b.len() && is_domain(b[e]) {
            e += 1;
        }
        let local = &t[s..at];
        let domain = t[at + 1..e].trim_end_matches(['.', '-']);
        let local = local.trim_start_matches(['.', '\'']);
        if !local.is_empty()
            && domain.contains('.')
            && domain
                .rsplit('.')
                .next()
                .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic()))
        {
            let start = at - local.len();
            return Some(&t[start..at + 1 + domain.len()]);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(provider: &str, id: u32, data: &[(&str, &str)], message: Option<&str>) -> Event {
        Event {
            provider: provider.into(),
            event_id: id,
            data: data
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            message: message.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn page_fields_come_first_then_well_known_names_then_the_message() {
        let e = ev(
            "X",
            1,
            &[("TargetUserName", "bob"), ("Account", "carol@contoso.com")],
            None,
        );
        assert_eq!(
            user_of(&e, &["Account"]).as_deref(),
            Some("carol@contoso.com")
        );
        assert_eq!(user_of(&e, &[]).as_deref(), Some("bob"));
        let e = ev(
            "PasswordResetService",
            33004,
            &[("#1", "Details: user Alice.Smith@Contoso.com failed")],
            None,
        );
        assert_eq!(user_of(&e, &[]).as_deref(), Some("alice.smith@contoso.com"));
        let e = ev(
            "X",
            1,
            &[],
            Some("An error occurred for 'dave@fabrikam.co.uk'."),
        );
        assert_eq!(user_of(&e, &[]).as_deref(), Some("dave@fabrikam.co.uk"));
        assert_eq!(user_of(&ev("X", 1, &[], Some("no one")), &[]), None);
    }

    #[test]
    fn security_events_name_domain_user_and_client() {
        let e = ev(
            "Microsoft-Windows-Security-Auditing",
            4625,
            &[
                ("SubjectUserName", "DC01$"),
                ("TargetUserName", "alice"),
                ("TargetDomainName", "CONTOSO"),
                ("WorkstationName", "-"),
                ("IpAddress", "::ffff:10.1.2.3"),
            ],
            None,
        );
        assert_eq!(user_of(&e, &[]).as_deref(), Some("contoso\\alice"));
        assert_eq!(machine_of(&e, &[]).as_deref(), Some("10.1.2.3"));
        // 4740: the caller computer sits in TargetDomainName.
        let e = ev(
            "Microsoft-Windows-Security-Auditing",
            4740,
            &[("TargetUserName", "alice"), ("TargetDomainName", "WKS-042")],
            None,
        );
        assert_eq!(machine_of(&e, &[]).as_deref(), Some("WKS-042"));
        // Positional values from Get-WinEvent JSON get their names.
        let mut e = ev(
            "Microsoft-Windows-Security-Auditing",
            4771,
            &[
                ("#1", "bob"),
                ("#2", "S-1-5-21-1"),
                ("#3", "krbtgt/CONTOSO"),
                ("#4", "0x40810010"),
                ("#5", "0x18"),
                ("#6", "2"),
                ("#7", "::ffff:10.9.8.7"),
            ],
            None,
        );
        name_positional(&mut e);
        assert_eq!(e.field("Status"), Some("0x18"));
        assert_eq!(user_of(&e, &[]).as_deref(), Some("bob"));
        assert_eq!(machine_of(&e, &[]).as_deref(), Some("10.9.8.7"));
    }

    #[test]
    fn security_message_text_gives_the_account_not_the_subject() {
        let msg = "An account failed to log on.\r\n\r\nSubject:\r\n\tSecurity ID:\t\tNULL SID\r\n\tAccount Name:\t\t-\r\n\r\nAccount For Which Logon Failed:\r\n\tSecurity ID:\t\tNULL SID\r\n\tAccount Name:\t\tcarol\r\n\tAccount Domain:\t\tCONTOSO\r\n\r\nNetwork Information:\r\n\tWorkstation Name:\tWKS-7\r\n\tSource Network Address:\t10.0.0.9\r\n";
        let e = ev("Microsoft-Windows-Security-Auditing", 4625, &[], Some(msg));
        assert_eq!(user_of(&e, &[]).as_deref(), Some("carol"));
        assert_eq!(machine_of(&e, &[]).as_deref(), Some("10.0.0.9"));
    }

    #[test]
    fn upns_are_found_and_lookalikes_are_not() {
        assert_eq!(upn_in("x alice@contoso.com."), Some("alice@contoso.com"));
        assert_eq!(upn_in("user@localhost and a@b.c1"), None);
        assert_eq!(upn_in("@@@"), None);
        assert_eq!(upn_in("é@é.é"), None);
    }
}
