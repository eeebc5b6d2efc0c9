#![no_main]
//! Any text as a knowledge-base page (overlay pages come from users).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for c in [aadsts_kb::Completeness::Full, aadsts_kb::Completeness::Partial] {
        let _ = aadsts_kb::parse_page("fuzz.md", &text, "fuzz", c);
    }
});
