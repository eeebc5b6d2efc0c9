//! Writes a large sign-in export for benchmarks:
//! `gen_signins <SHAPE> <MiB> [random-pairs]` or `gen_signins <SHAPE> --events N [random-pairs]`.
//!
//! Shapes: `azure-monitor` (JSON lines: spaced envelope with compact `properties`, CRLF),
//! `la-csv` (Log Analytics: `TimeGenerated [UTC]`, JSON `Status`), `portal-csv` (the portal's
//! 57-column download, every cell quoted), `graph-json` (one Graph `auditLogs/signIns` page
//! with a `value` array) and `text` (an application log: one line per sign-in, the failures
//! with the service's `AADSTS` message and its ids).
//!
//! The same events in every shape, with a realistic mix of codes, 5,000 users, 40 apps and
//! 20,000 IP addresses. As in real tenants, each user signs in from two addresses of their
//! own nine times in ten and from any address otherwise; wrong passwords come half from a
//! pool of 50 attacking addresses. `random-pairs` draws every address at random instead:
//! millions of distinct user–address pairs, the worst case for the memory of the attack
//! signals.

use std::io::{BufWriter, Write};

const CODES: [(u32, u32); 12] = [
    (0, 700),
    (50126, 60),
    (50074, 50),
    (50140, 40),
    (50076, 30),
    (70044, 25),
    (53003, 20),
    (50097, 20),
    (500121, 15),
    (50053, 10),
    (16000, 20),
    (7000222, 10),
];

/// The service's message for each code (text log), as the portal's failure reason.
fn message(code: u32) -> &'static str {
    match code {
        0 => "Other.",
        50126 => "Error validating credentials due to invalid username or password.",
        50074 => "Strong Authentication is required.",
        50140 => "This error occurred due to 'Keep me signed in' interrupt when the user was signing in.",
        50076 => "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.",
        70044 => "The session has expired or is invalid due to sign-in frequency checks by conditional access.",
        53003 => "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        50097 => "Device authentication is required.",
        500121 => "Authentication failed during strong authentication request.",
        50053 => "Your account is locked because you've tried to sign in too many times with an incorrect user ID or password.",
        16000 => "Either multiple user identities are available for the current request or selected account is not supported for the scenario.",
        7000222 => "The provided client secret keys for app are expired.",
        _ => "Sign-in failed.",
    }
}

const TENANT: &str = "4d3bac44-0230-4732-9e70-cc00736f0a97";

/// One generated sign-in.
struct Event {
    i: u64,
    code: u32,
    u: u64,
    app: u64,
    ip: String,
    /// Day of March 2025 and second of that day.
    d: u64,
    s: u64,
}

impl Event {
    fn user(&self) -> String {
        format!("user{}@contoso.com", self.u)
    }
    fn hms(&self) -> (u64, u64, u64) {
        (self.s / 3600, (self.s / 60) % 60, self.s % 60)
    }
    fn iso(&self) -> String {
        let (h, m, s) = self.hms();
        format!("2025-03-{:02}T{h:02}:{m:02}:{s:02}Z", self.d)
    }
    fn guid(&self, kind: u32) -> String {
        format!("{:08x}-{kind:04x}-4000-8000-{:012x}", self.i as u32, self.i)
    }
}

struct Gen {
    x: u64,
    i: u64,
    total: u32,
    random_pairs: bool,
}

impl Gen {
    fn next(&mut self) -> Event {
        self.i += 1;
        let i = self.i;
        let mut x = self.x;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.x = x;
        let mut pick = (x % self.total as u64) as u32;
        let code = CODES
            .iter()
            .find(|(_, w)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .map_or(0, |c| c.0);
        let u = (x >> 20) % 5000;
        let n = if self.random_pairs || (x >> 56).is_multiple_of(10) {
            (x >> 40) % 20_000
        } else if code == 50126 && (x >> 60).is_multiple_of(2) {
            19_900 + (x >> 40) % 50
        } else {
            (u * 2 + (x >> 62) % 2) % 19_900
        };
        Event {
            i,
            code,
            u,
            app: (x >> 33) % 40,
            ip: format!("10.{}.{}.{}", n / 62_500, (n / 250) % 250, n % 250),
            d: 1 + (i / 86_400) % 28,
            s: i % 86_400,
        }
    }
}

fn azure_monitor(e: &Event) -> String {
    let (h, m, s) = e.hms();
    let (i, d, code, ip) = (e.i, e.d, e.code, &e.ip);
    format!(
        "{{ \"time\": \"2025-03-{d:02}T{h:02}:{m:02}:{s:02}.{:07}Z\", \"resourceId\": \"/tenants/{TENANT}/providers/Microsoft.aadiam\", \"operationName\": \"Sign-in activity\", \"operationVersion\": \"1.0\", \"category\": \"SignInLogs\", \"tenantId\": \"{TENANT}\", \"resultType\": \"{code}\", \"resultSignature\": \"None\", \"durationMs\": 0, \"callerIpAddress\": \"{ip}\", \"correlationId\": \"{:08x}-1111-4222-8333-{:012x}\", \"identity\": \"Someone\", \"Level\": 4, \"location\": \"US\", \"properties\": {{\"id\":\"{:08x}-0000-4000-8000-000000000000\",\"createdDateTime\":\"2025-03-{d:02}T{h:02}:{m:02}:{s:02}+00:00\",\"userPrincipalName\":\"{}\",\"appDisplayName\":\"App {}\",\"ipAddress\":\"{ip}\",\"clientAppUsed\":\"Browser\",\"status\":{{\"errorCode\":{code}}},\"deviceDetail\":{{\"operatingSystem\":\"Windows10\",\"browser\":\"Edge 131.0.0\"}},\"conditionalAccessStatus\":\"notApplied\",\"appliedConditionalAccessPolicies\":[],\"isInteractive\":true,\"authenticationRequirement\":\"singleFactorAuthentication\"}}}}\r\n",
        i % 10_000_000, i as u32, i, i as u32, e.user(), e.app
    )
}

fn la_csv(e: &Event) -> String {
    let (h, m, s) = e.hms();
    let (h, ampm) = match h {
        0 => (12, "AM"),
        h @ 1..=11 => (h, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    let (d, code) = (e.d, e.code);
    format!(
        "{TENANT},\"3/{d}/2025, {h}:{m:02}:{s:02}.{:03} {ampm}\",{code},{},{},App {},{},Browser,\"{{\"\"errorCode\"\":{code},\"\"failureReason\"\":\"\"{}\"\"}}\",SigninLogs\n",
        e.i % 1000,
        if code == 0 { "" } else { "Sign-in failed" },
        e.user(),
        e.app,
        e.ip,
        if code == 0 { "Other." } else { "Sign-in failed" }
    )
}

const PORTAL_HEADER: &str = r#""Date (UTC)","Request ID","User agent","Correlation ID","User ID","User","Username","User type","Cross tenant access type","Incoming token type","Authentication Protocol","Unique token identifier","Original transfer method","Client credential type","Token Protection - Sign In Session","Token Protection - Sign In Session StatusCode","Application","Application ID ","App owner tenant ID","Resource","Resource ID ","Resource tenant ID","Resource owner tenant ID","Home tenant ID","Home tenant name","IP address","Location","Status","Sign-in error code","Failure reason","Client app","Device ID","Browser","Operating System","Compliant","Managed","Join Type","Multifactor authentication result","Multifactor authentication auth method","Multifactor authentication auth detail","Authentication requirement","Sign-in identifier","Session ID","IP address (seen by resource)","Through Global Secure Access","Global Secure Access IP address","Autonomous system  number","Flagged for review","Token issuer type","Incoming token type","Token issuer name","Latency","Conditional Access","Managed Identity type","Associated Resource Id","Federated Token Id","Federated Token Issuer""#;

fn status_word(code: u32) -> &'static str {
    match code {
        0 => "Success",
        50074 | 50140 => "Interrupted",
        _ => "Failure",
    }
}

/// The portal's download: 57 cells, every one quoted (the `"` of a cell doubled).
fn portal_csv(e: &Event) -> String {
    let user = e.user();
    let mut f: Vec<String> = vec![String::new(); 57];
    f[0] = e.iso();
    f[1] = e.guid(0);
    f[2] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0".into();
    f[3] = e.guid(1);
    f[4] = format!("{:08x}-2222-4333-8444-{:012x}", e.u, e.u);
    f[5] = format!("User {}", e.u);
    f[6] = user.clone();
    f[7] = "Member".into();
    f[8] = "None".into();
    f[9] = "None".into();
    f[10] = "None".into();
    f[11] = format!("x{:020x}A", e.i.wrapping_mul(0x9e37_79b9));
    f[12] = "None".into();
    f[13] = "None".into();
    f[14] = "Unbound".into();
    f[16] = format!("App {}", e.app);
    f[17] = format!("{:08x}-3333-4444-8555-{:012x}", e.app, e.app);
    f[18] = "f8cdef31-a31e-4b4a-93e4-5f571e91255a".into();
    f[19] = "Microsoft Graph".into();
    f[20] = "00000003-0000-0000-c000-000000000000".into();
    f[21] = TENANT.into();
    f[22] = "f8cdef31-a31e-4b4a-93e4-5f571e91255a".into();
    f[23] = TENANT.into();
    f[24] = "Contoso".into();
    f[25] = e.ip.clone();
    f[26] = "Redmond, Washington, US".into();
    f[27] = status_word(e.code).into();
    f[28] = e.code.to_string();
    f[29] = message(e.code).into();
    f[30] = "Browser".into();
    f[32] = "Edge 131.0.0".into();
    f[33] = "Windows10".into();
    f[34] = "No".into();
    f[35] = "No".into();
    f[40] = "Single-factor authentication".into();
    f[41] = user;
    f[42] = e.guid(2);
    f[44] = "No".into();
    f[46] = "8075".into();
    f[47] = "No".into();
    f[48] = "AzureAD".into();
    f[49] = "None".into();
    f[51] = (e.i % 400 + 20).to_string();
    f[52] = if e.code == 53003 {
        "Failure"
    } else {
        "Not Applied"
    }
    .into();
    let mut line = String::with_capacity(700);
    for (k, v) in f.iter().enumerate() {
        if k > 0 {
            line.push(',');
        }
        line.push('"');
        line.push_str(&v.replace('"', "\"\""));
        line.push('"');
    }
    line.push('\n');
    line
}

/// One element of a Graph `value` array (compact, as Graph sends it).
fn graph(e: &Event, first: bool) -> String {
    let (code, ip) = (e.code, &e.ip);
    let reason = if code == 0 {
        "null".to_string()
    } else {
        format!("\"{}\"", message(code).replace('"', "\\\""))
    };
    let ca = if code == 53003 {
        r#"[{"id":"a1b2c3d4-0000-4000-8000-000000000001","displayName":"Require compliant device","enforcedGrantControls":["RequireCompliantDevice"],"enforcedSessionControls":[],"result":"failure"}]"#
    } else {
        "[]"
    };
    format!(
        "{}{{\"id\":\"{}\",\"createdDateTime\":\"{}\",\"userDisplayName\":\"User {}\",\"userPrincipalName\":\"{}\",\"userId\":\"{:08x}-2222-4333-8444-{:012x}\",\"appId\":\"{:08x}-3333-4444-8555-{:012x}\",\"appDisplayName\":\"App {}\",\"ipAddress\":\"{ip}\",\"clientAppUsed\":\"Browser\",\"correlationId\":\"{}\",\"conditionalAccessStatus\":\"{}\",\"isInteractive\":true,\"riskDetail\":\"none\",\"riskLevelAggregated\":\"none\",\"riskLevelDuringSignIn\":\"none\",\"riskState\":\"none\",\"riskEventTypes_v2\":[],\"resourceDisplayName\":\"Microsoft Graph\",\"resourceId\":\"00000003-0000-0000-c000-000000000000\",\"status\":{{\"errorCode\":{code},\"failureReason\":{reason},\"additionalDetails\":null}},\"deviceDetail\":{{\"deviceId\":\"\",\"displayName\":\"\",\"operatingSystem\":\"Windows10\",\"browser\":\"Edge 131.0.0\",\"isCompliant\":false,\"isManaged\":false,\"trustType\":\"\"}},\"location\":{{\"city\":\"Redmond\",\"state\":\"Washington\",\"countryOrRegion\":\"US\",\"geoCoordinates\":{{\"altitude\":null,\"latitude\":47.67,\"longitude\":-122.12}}}},\"appliedConditionalAccessPolicies\":{ca}}}",
        if first { "" } else { "," },
        e.guid(0),
        e.iso(),
        e.u,
        e.user(),
        e.u,
        e.u,
        e.app,
        e.app,
        e.app,
        e.guid(1),
        if code == 53003 { "failure" } else { "notApplied" },
    )
}

/// One line of an application's log: a sign-in that worked, or the service's error with its
/// ids, as MSAL-based services log them.
fn text(e: &Event) -> String {
    let (h, m, s) = e.hms();
    let stamp = format!("2025-03-{:02}T{h:02}:{m:02}:{s:02}.{:03}Z", e.d, e.i % 1000);
    if e.code == 0 {
        format!(
            "{stamp} INFO  auth token acquired user={} app=\"App {}\" ip={} correlation={}\n",
            e.user(),
            e.app,
            e.ip,
            e.guid(1)
        )
    } else {
        format!(
            "{stamp} ERROR auth sign-in failed user={} app=\"App {}\" ip={}: AADSTS{}: {} Trace ID: {} Correlation ID: {} Timestamp: 2025-03-{:02} {h:02}:{m:02}:{s:02}Z\n",
            e.user(),
            e.app,
            e.ip,
            e.code,
            message(e.code),
            e.guid(0),
            e.guid(1),
            e.d
        )
    }
}

fn usage() -> ! {
    eprintln!("usage: gen_signins <azure-monitor|la-csv|portal-csv|graph-json|text> (<MiB> | --events N) [random-pairs]");
    std::process::exit(2)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let kind = args.first().map(String::as_str).unwrap_or("azure-monitor");
    let random_pairs = args.iter().any(|a| a == "random-pairs");
    // Either a size in MiB or a number of events.
    let (mib, events): (u64, Option<u64>) = match args.get(1).map(String::as_str) {
        Some("--events") => match args.get(2).and_then(|a| a.parse().ok()) {
            Some(n) => (0, Some(n)),
            None => usage(),
        },
        Some(a) => match a.parse() {
            Ok(m) => (m, None),
            Err(_) => usage(),
        },
        None => (64, None),
    };
    let line: fn(&Event) -> String = match kind {
        "azure-monitor" => azure_monitor,
        "la-csv" => la_csv,
        "portal-csv" => portal_csv,
        "text" => text,
        "graph-json" => |e| graph(e, e.i == 1),
        _ => usage(),
    };
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    match kind {
        "la-csv" => out.write_all(b"TenantId,TimeGenerated [UTC],ResultType,ResultDescription,UserPrincipalName,AppDisplayName,IPAddress,ClientAppUsed,Status,Type\n")?,
        "portal-csv" => writeln!(out, "{PORTAL_HEADER}")?,
        "graph-json" => out.write_all(b"{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns\",\"value\":[")?,
        _ => {}
    }
    let mut g = Gen {
        x: 0x9e37_79b9_7f4a_7c15,
        i: 0,
        total: CODES.iter().map(|c| c.1).sum(),
        random_pairs,
    };
    let mut written = 0u64;
    loop {
        let done = match events {
            Some(n) => g.i >= n,
            None => written >= mib * 1024 * 1024,
        };
        if done {
            break;
        }
        let l = line(&g.next());
        written += l.len() as u64;
        out.write_all(l.as_bytes())?;
    }
    if kind == "graph-json" {
        out.write_all(b"]}\n")?;
    }
    out.flush()
}
