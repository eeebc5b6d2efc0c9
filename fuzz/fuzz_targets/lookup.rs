#![no_main]
//! Any string as a lookup query (`aadsts <query>`, `/codes/{code}`, `/search?q=`).
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static CATALOG: OnceLock<aadsts_catalog::Catalog> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let q = String::from_utf8_lossy(data);
    let cat = CATALOG.get_or_init(aadsts_catalog::Catalog::builtin);
    let _ = aadsts_catalog::parse_code(&q);
    let _ = cat.lookup(&q);
});
