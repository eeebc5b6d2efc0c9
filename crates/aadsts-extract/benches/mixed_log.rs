//! A large, realistic mixed log for benchmarks: service log lines with no error, and every
//! fixture's error text with fresh ids, so that repeats are distinct and must be collapsed.

const FIXTURES: &[&str] = &[
    include_str!("../tests/fixtures/azure-cli-ansi.txt"),
    include_str!("../tests/fixtures/browser-page.txt"),
    include_str!("../tests/fixtures/ci-log-mixed.txt"),
    include_str!("../tests/fixtures/msal-js-server-error.txt"),
    include_str!("../tests/fixtures/msal-net-ui-required.txt"),
    include_str!("../tests/fixtures/msal-python-dict.txt"),
    include_str!("../tests/fixtures/oauth-json-invalid-client.json"),
    include_str!("../tests/fixtures/oauth-json-redirect-escaped.json"),
    include_str!("../tests/fixtures/terraform-error.txt"),
    include_str!("../tests/fixtures/saml-response.xml"),
];

/// About `bytes` of log: nine ordinary lines for every pasted error.
pub fn mixed_log(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 4096);
    let mut i: u64 = 0;
    while out.len() < bytes {
        for _ in 0..9 {
            i += 1;
            out.push_str(&format!(
                "2025-03-01T02:{:02}:{:02}.{:07}Z INFO  api request_id={:08x}-1111-4222-8333-{:012x} path=/v1/orders/{} status=200 elapsed_ms={}\n",
                (i / 60) % 60,
                i % 60,
                i % 10_000_000,
                i,
                i,
                i % 9973,
                i % 250
            ));
        }
        let f = FIXTURES[(i as usize / 9) % FIXTURES.len()];
        out.push_str(&f.replace("-4", &format!("-{}", i % 10)));
        out.push('\n');
    }
    out
}
