//! Writes a large sign-in export for benchmarks:
//! `gen_signins <azure-monitor|la-csv> <MiB> [random-pairs]`.
//! Records look like real ones (spaced envelope with compact `properties`, CRLF for Azure
//! Monitor; `TimeGenerated [UTC]` and JSON `Status` for Log Analytics) with a realistic mix
//! of codes, 5,000 users, 40 apps and 20,000 IP addresses. As in real tenants, each user
//! signs in from two addresses of their own nine times in ten and from any address
//! otherwise; wrong passwords come half from a pool of 50 attacking addresses.
//! `random-pairs` draws every address at random instead: millions of distinct
//! user–address pairs, the worst case for the memory of the attack signals.

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

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map(String::as_str).unwrap_or("azure-monitor");
    let random_pairs = args.get(3).is_some_and(|a| a == "random-pairs");
    let mib: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(64);
    let total: u32 = CODES.iter().map(|c| c.1).sum();
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut written = 0u64;
    let mut i: u64 = 0;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    if kind == "la-csv" {
        let h = "TenantId,TimeGenerated [UTC],ResultType,ResultDescription,UserPrincipalName,AppDisplayName,IPAddress,ClientAppUsed,Status,Type\n";
        out.write_all(h.as_bytes())?;
    }
    while written < mib * 1024 * 1024 {
        i += 1;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut pick = (x % total as u64) as u32;
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
        let user = format!("user{u}@contoso.com");
        let app = format!("App {}", (x >> 33) % 40);
        let n = if random_pairs || (x >> 56).is_multiple_of(10) {
            (x >> 40) % 20_000
        } else if code == 50126 && (x >> 60).is_multiple_of(2) {
            19_900 + (x >> 40) % 50
        } else {
            (u * 2 + (x >> 62) % 2) % 19_900
        };
        let ip = format!("10.{}.{}.{}", n / 62_500, (n / 250) % 250, n % 250);
        let (d, s) = (1 + (i / 86_400) % 28, i % 86_400);
        let line = if kind == "la-csv" {
            let (h, ampm) = match s / 3600 {
                0 => (12, "AM"),
                h @ 1..=11 => (h, "AM"),
                12 => (12, "PM"),
                h => (h - 12, "PM"),
            };
            format!(
                "4d3bac44-0230-4732-9e70-cc00736f0a97,\"3/{d}/2025, {h}:{:02}:{:02}.{:03} {ampm}\",{code},{},{user},{app},{ip},Browser,\"{{\"\"errorCode\"\":{code},\"\"failureReason\"\":\"\"{}\"\"}}\",SigninLogs\n",
                (s / 60) % 60, s % 60, i % 1000,
                if code == 0 { "" } else { "Sign-in failed" },
                if code == 0 { "Other." } else { "Sign-in failed" }
            )
        } else {
            format!(
                "{{ \"time\": \"2025-03-{d:02}T{:02}:{:02}:{:02}.{:07}Z\", \"resourceId\": \"/tenants/4d3bac44-0230-4732-9e70-cc00736f0a97/providers/Microsoft.aadiam\", \"operationName\": \"Sign-in activity\", \"operationVersion\": \"1.0\", \"category\": \"SignInLogs\", \"tenantId\": \"4d3bac44-0230-4732-9e70-cc00736f0a97\", \"resultType\": \"{code}\", \"resultSignature\": \"None\", \"durationMs\": 0, \"callerIpAddress\": \"{ip}\", \"correlationId\": \"{:08x}-1111-4222-8333-{:012x}\", \"identity\": \"Someone\", \"Level\": 4, \"location\": \"US\", \"properties\": {{\"id\":\"{:08x}-0000-4000-8000-000000000000\",\"createdDateTime\":\"2025-03-{d:02}T{:02}:{:02}:{:02}+00:00\",\"userPrincipalName\":\"{user}\",\"appDisplayName\":\"{app}\",\"ipAddress\":\"{ip}\",\"clientAppUsed\":\"Browser\",\"status\":{{\"errorCode\":{code}}},\"deviceDetail\":{{\"operatingSystem\":\"Windows10\",\"browser\":\"Edge 131.0.0\"}},\"conditionalAccessStatus\":\"notApplied\",\"appliedConditionalAccessPolicies\":[],\"isInteractive\":true,\"authenticationRequirement\":\"singleFactorAuthentication\"}}}}\r\n",
                s / 3600, (s / 60) % 60, s % 60, i % 10_000_000, i as u32, i, i as u32, s / 3600, (s / 60) % 60, s % 60
            )
        };
        written += line.len() as u64;
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}
