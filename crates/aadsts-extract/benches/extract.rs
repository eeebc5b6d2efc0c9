//! Extraction throughput on a large mixed log (compare with `rg -o 'AADSTS[0-9]+'` on the
//! same file: `cargo run --release -p aadsts-extract --example mixed_log > big.log`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

mod mixed_log;

fn extract_mixed_log(c: &mut Criterion) {
    let log = mixed_log::mixed_log(8 * 1024 * 1024);
    let mut g = c.benchmark_group("extract");
    g.throughput(Throughput::Bytes(log.len() as u64));
    g.sample_size(10);
    g.bench_function("mixed_log_8MiB", |b| {
        b.iter(|| aadsts_extract::extract(black_box(log.as_bytes())))
    });
    g.finish();
}

criterion_group!(benches, extract_mixed_log);
criterion_main!(benches);
