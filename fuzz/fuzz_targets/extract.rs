#![no_main]
//! Any bytes through the extractor (the paste box, `aadsts explain`, `POST /api/v1/explain`).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let x = aadsts_extract::extract(data);
    for e in &x.errors {
        // Every template fill must stay total.
        let _ = aadsts_extract::fill_template("{app_id} {user} {redirect_uri}", &e.values);
    }
});
