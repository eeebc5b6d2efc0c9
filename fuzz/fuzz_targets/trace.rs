#![no_main]
//! Any bytes as a browser capture (HAR reader, journey, sanitizer) and as a token (JWT and
//! SAML decoders): `aadsts trace` and `aadsts token` on hostile files never panic.
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn catalog() -> &'static aadsts_catalog::Catalog {
    static C: OnceLock<aadsts_catalog::Catalog> = OnceLock::new();
    C.get_or_init(aadsts_catalog::Catalog::builtin)
}

fuzz_target!(|data: &[u8]| {
    let limits = aadsts_trace::Limits::default();
    let _ = aadsts_trace::read(data, "fuzz.har", &limits, catalog());
    let _ = aadsts_trace::read_saz(std::io::Cursor::new(data), "fuzz.saz", &limits, catalog());
    let _ = aadsts_trace::sanitize(data, std::io::sink(), "fuzz.har", &limits);
    let _ = aadsts_trace::sanitize_saz(
        std::io::Cursor::new(data),
        std::io::Cursor::new(Vec::new()),
        "fuzz.saz",
        &limits,
    );
    if let Ok(keys) = aadsts_trace::keys::KeySet::parse(data, "fuzz.keys") {
        let _ = keys.verify_jwt(&String::from_utf8_lossy(data));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = aadsts_trace::token::decode_jwt(text.trim(), Some(1_700_000_000));
        let _ = aadsts_trace::saml::decode(text, Some(1_700_000_000));
        for t in aadsts_trace::token::find_jwts(text) {
            let _ = aadsts_trace::token::decode_jwt(t, None);
        }
    }
});
