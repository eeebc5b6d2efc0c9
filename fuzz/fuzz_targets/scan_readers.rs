#![no_main]
//! Any bytes through every log reader (`aadsts scan`, `/scan`, `POST /api/v1/scan`).
use aadsts_scan::read::{detect, read, Shape, Sink};
use aadsts_scan::SignIn;
use libfuzzer_sys::fuzz_target;

#[derive(Default)]
struct Count {
    rows: u64,
    skipped: u64,
}

impl Sink for Count {
    fn signin(&mut self, _r: SignIn) {
        self.rows += 1;
    }
    fn skip(&mut self, _at: String, _reason: String) {
        self.skipped += 1;
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    for shape in [Shape::Csv, Shape::Json, Shape::JsonLines, Shape::Text] {
        let mut sink = Count::default();
        let mut input: &[u8] = data;
        let _ = read(shape, &mut input, &mut sink);
    }
});
