#![no_main]
//! Any bytes through every log reader (`aadsts scan`, `/scan`, `POST /api/v1/scan`), and
//! the CSV reader that runs on several cores held to the one-reader result: the same rows,
//! the same skips at the same lines, whatever the chunk size.
use aadsts_scan::read::{detect, read, read_csv_chunked, Shape, Sink};
use aadsts_scan::SignIn;
use libfuzzer_sys::fuzz_target;

#[derive(Default, PartialEq, Debug)]
struct Log(Vec<String>);

impl Sink for Log {
    fn signin(&mut self, r: SignIn) {
        self.0.push(format!("{} {} {} {:?} {}", r.code, r.user, r.app, r.time, r.weight));
    }
    fn skip(&mut self, at: String, reason: String) {
        self.0.push(format!("skip {at}: {reason}"));
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    for shape in [Shape::Csv, Shape::Json, Shape::JsonLines, Shape::Text] {
        let mut sink = Log::default();
        let mut input: &[u8] = data;
        let _ = read(shape, &mut input, &mut sink);
    }
    let mut one = Log::default();
    let whole = read(Shape::Csv, &mut &data[..], &mut one);
    for chunk_bytes in [1, 16, 200] {
        let mut chunked = Log::default();
        let parts = read_csv_chunked(&mut &data[..], &mut chunked, chunk_bytes);
        assert_eq!(whole, parts, "chunks of {chunk_bytes}");
        assert_eq!(one, chunked, "chunks of {chunk_bytes}");
    }
});
