//! Ready KQL queries over the sign-in tables, joined to `AadstsCatalog` on `ResultType`
//! (a string in those tables, so every code here is a string literal). `{table}` is
//! replaced by the table the user picks. Thresholds are `let` statements at the top so
//! that they are easy to change.

/// One ready query.
#[derive(Debug, Clone, Copy)]
pub struct Query {
    pub name: &'static str,
    pub title: &'static str,
    pub purpose: &'static str,
    pub body: &'static str,
}

pub const QUERIES: &[Query] = &[
    Query {
        name: "failures-by-code",
        title: "Failures by code, with meaning and who fixes them",
        purpose: "Real failures of the last 7 days per code, ranked by users affected; interrupts and expected codes are left out, codes the catalog does not know are kept and marked.",
        body: r#"let lookback = 7d;
{table}
| where TimeGenerated > ago(lookback) and ResultType != "0"
| lookup kind=leftouter AadstsCatalog on ResultType
| where Signal !in ("interrupt", "expected")
| summarize SignIns = count(), Users = dcount(UserPrincipalName), Apps = dcount(AppDisplayName),
    IPs = dcount(IPAddress), FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated),
    Description = take_any(ResultDescription)
    by ResultType, Title, Severity, Fixer, Category, FirstFix, Link
| extend Title = iff(isempty(Title), strcat("(not in the aadsts catalog) ", Description), Title)
| project-away Description
| order by Users desc, SignIns desc
"#,
    },
    Query {
        name: "interrupts",
        title: "Interrupts and expected codes, kept apart",
        purpose: "Normal pauses of sign-in (MFA prompts, stay-signed-in, consent) and log noise per code, so they do not drown real failures; a sudden rise here is still worth a look.",
        body: r#"let lookback = 7d;
{table}
| where TimeGenerated > ago(lookback) and ResultType != "0"
| lookup kind=inner AadstsCatalog on ResultType
| where Signal in ("interrupt", "expected")
| summarize SignIns = count(), Users = dcount(UserPrincipalName), FirstSeen = min(TimeGenerated),
    LastSeen = max(TimeGenerated) by ResultType, Title, Signal
| order by SignIns desc
"#,
    },
    Query {
        name: "top-apps",
        title: "Top applications per failing code",
        purpose: "For each real failure code, the five applications with the most failed sign-ins: tells an app problem from a user problem.",
        body: r#"let lookback = 7d;
let perCode = 5;
{table}
| where TimeGenerated > ago(lookback) and ResultType != "0"
| lookup kind=leftouter AadstsCatalog on ResultType
| where Signal !in ("interrupt", "expected")
| summarize SignIns = count(), Users = dcount(UserPrincipalName) by ResultType, Title, AppDisplayName, AppId
| order by ResultType asc, SignIns desc
| extend Rank = row_number(1, prev(ResultType) != ResultType)
| where Rank <= perCode
"#,
    },
    Query {
        name: "top-users",
        title: "Top users per failing code",
        purpose: "For each real failure code, the five users with the most failed sign-ins and where they came from.",
        body: r#"let lookback = 7d;
let perCode = 5;
{table}
| where TimeGenerated > ago(lookback) and ResultType != "0"
| lookup kind=leftouter AadstsCatalog on ResultType
| where Signal !in ("interrupt", "expected")
| summarize SignIns = count(), IPs = make_set(IPAddress, 10), Apps = make_set(AppDisplayName, 10)
    by ResultType, Title, UserPrincipalName
| order by ResultType asc, SignIns desc
| extend Rank = row_number(1, prev(ResultType) != ResultType)
| where Rank <= perCode
"#,
    },
    Query {
        name: "ca-failures",
        title: "Conditional Access failures by policy",
        purpose: "Each Conditional Access policy that failed sign-ins, with the users, apps and codes it stopped.",
        body: r#"let lookback = 7d;
{table}
| where TimeGenerated > ago(lookback) and ConditionalAccessStatus == "failure"
| mv-expand Policy = todynamic(ConditionalAccessPolicies)
| where tostring(Policy.result) == "failure"
| lookup kind=leftouter AadstsCatalog on ResultType
| summarize SignIns = count(), Users = dcount(UserPrincipalName), Apps = make_set(AppDisplayName, 10),
    Codes = make_set(strcat(ResultType, " ", Title), 10)
    by PolicyName = tostring(Policy.displayName), PolicyId = tostring(Policy.id)
| order by Users desc, SignIns desc
"#,
    },
    Query {
        name: "password-spray",
        title: "Password spray: one IP address failing passwords for many users",
        purpose: "IP addresses with wrong-password or lockout results for at least 10 distinct users in a day, with any users whose password was proved right from the same address.",
        body: r#"let lookback = 1d;
let minUsers = 10;
// Codes that show the password was right even though sign-in did not complete.
let credentialValid = dynamic(["0", "50055", "50057", "50155", "50105", "50133", "50005", "50076", "50079", "50173", "50158", "50072", "50074", "53003", "53000", "53001", "50129"]);
let attempts = {table}
| where TimeGenerated > ago(lookback) and ResultType in ("50126", "50053")
| summarize FailedUsers = dcount(UserPrincipalName), Attempts = count(), Codes = make_set(ResultType),
    SampleUsers = make_set(UserPrincipalName, 20), FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated),
    ASN = take_any(AutonomousSystemNumber)
    by IPAddress
| where FailedUsers >= minUsers;
let proved = {table}
| where TimeGenerated > ago(lookback) and ResultType in (credentialValid)
| summarize PasswordProvedFor = make_set(UserPrincipalName, 20) by IPAddress;
attempts
| lookup kind=leftouter proved on IPAddress
| order by FailedUsers desc
"#,
    },
    Query {
        name: "brute-force",
        title: "Brute force: one account failing many times",
        purpose: "Accounts with at least 20 wrong-password or lockout results in a day, how many addresses tried, and whether a success followed.",
        body: r#"let lookback = 1d;
let threshold = 20;
{table}
| where TimeGenerated > ago(lookback)
| summarize Failures = countif(ResultType in ("50126", "50053")), Lockouts = countif(ResultType == "50053"),
    Successes = countif(ResultType == "0"), IPs = dcount(IPAddress), SampleIPs = make_set(IPAddress, 10),
    FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated)
    by UserPrincipalName
| where Failures >= threshold
| extend SucceededToo = Successes > 0
| order by Failures desc
"#,
    },
    Query {
        name: "mfa-denials",
        title: "MFA denial and fatigue storms",
        purpose: "Users with five or more failed or denied MFA prompts (500121) within an hour: push fatigue, or a user who cannot complete MFA.",
        body: r#"let lookback = 7d;
let threshold = 5;
{table}
| where TimeGenerated > ago(lookback) and ResultType == "500121"
| extend Detail = tostring(todynamic(Status).additionalDetails)
| summarize Denials = count(), Details = make_set(Detail, 5), IPs = make_set(IPAddress, 10),
    FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated)
    by UserPrincipalName, Hour = bin(TimeGenerated, 1h)
| where Denials >= threshold
| order by Denials desc
"#,
    },
    Query {
        name: "risk-blocked",
        title: "Sign-ins blocked for risk",
        purpose: "Failures with Identity Protection risk or a risk-related block, per user, with the risk level seen.",
        body: r#"let lookback = 7d;
{table}
| where TimeGenerated > ago(lookback) and ResultType != "0"
| where ResultType in ("53004", "53011", "530032") or RiskLevelDuringSignIn in ("medium", "high")
| lookup kind=leftouter AadstsCatalog on ResultType
| summarize SignIns = count(), Codes = make_set(strcat(ResultType, " ", Title), 5),
    RiskLevels = make_set(RiskLevelDuringSignIn), IPs = make_set(IPAddress, 10), LastSeen = max(TimeGenerated)
    by UserPrincipalName
| order by SignIns desc
"#,
    },
    Query {
        name: "legacy-auth",
        title: "Legacy authentication attempts",
        purpose: "Sign-ins from protocols that cannot do MFA (IMAP, POP, SMTP AUTH, ActiveSync, older Office clients), successful or not.",
        body: r#"let lookback = 7d;
{table}
| where TimeGenerated > ago(lookback)
| where ClientAppUsed in ("Exchange ActiveSync", "IMAP4", "POP3", "Authenticated SMTP", "Exchange Web Services",
    "MAPI Over HTTP", "Offline Address Book", "Outlook Anywhere (RPC over HTTP)", "Exchange Online PowerShell",
    "AutoDiscover", "Other clients")
| lookup kind=leftouter AadstsCatalog on ResultType
| summarize SignIns = count(), Failures = countif(ResultType != "0"), Users = dcount(UserPrincipalName),
    Codes = make_set(ResultType, 10) by ClientAppUsed, AppDisplayName
| order by SignIns desc
"#,
    },
    Query {
        name: "timeline",
        title: "Timeline of successes, interrupts and failures",
        purpose: "Sign-ins per hour split into success, interrupt and failure, as a time chart.",
        body: r#"let lookback = 7d;
{table}
| where TimeGenerated > ago(lookback)
| lookup kind=leftouter AadstsCatalog on ResultType
| extend Outcome = case(ResultType == "0", "success", Signal in ("interrupt", "expected"), "interrupt", "failure")
| summarize SignIns = count() by bin(TimeGenerated, 1h), Outcome
| render timechart
"#,
    },
    Query {
        name: "unknown-codes",
        title: "Codes the catalog does not know",
        purpose: "Result codes in your logs that aadsts has no page for, with Microsoft's description from the log.",
        body: r#"let lookback = 30d;
{table}
| where TimeGenerated > ago(lookback) and ResultType != "0"
| join kind=leftanti AadstsCatalog on ResultType
| summarize SignIns = count(), Users = dcount(UserPrincipalName), Description = take_any(ResultDescription),
    LastSeen = max(TimeGenerated) by ResultType
| order by SignIns desc
"#,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_bodies_use_the_table() {
        let mut names: Vec<&str> = QUERIES.iter().map(|q| q.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), QUERIES.len());
        for q in QUERIES {
            assert!(q.body.contains("{table}"), "{}", q.name);
            assert!(!q.purpose.is_empty() && !q.title.is_empty());
        }
    }
}
