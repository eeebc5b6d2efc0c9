//! In-process latency of lookup and search over the embedded catalog.
//! Run: `cargo bench -p aadsts-search`.

use aadsts_catalog::Catalog;
use aadsts_search::Index;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn lookup(c: &mut Criterion) {
    let cat = Catalog::builtin();
    c.bench_function("lookup code 50126", |b| {
        b.iter(|| cat.get(black_box(50126)))
    });
    c.bench_function("lookup \"AADSTS50126\" (parse + find)", |b| {
        b.iter(|| {
            matches!(
                cat.lookup(black_box("AADSTS50126")),
                aadsts_catalog::Lookup::Found(_)
            )
        })
    });
    c.bench_function("lookup name InvalidUserNameOrPassword", |b| {
        b.iter(|| cat.by_name(black_box("InvalidUserNameOrPassword")))
    });
    c.bench_function("nearest codes to 99999999", |b| {
        b.iter(|| cat.nearest_codes(black_box(99999999), 5))
    });
}

fn search(c: &mut Criterion) {
    let cat = Catalog::builtin();
    // What every `aadsts search` pays before its query: the index compiled into the binary.
    c.bench_function("search index open (compiled in)", |b| {
        b.iter(|| Index::new(black_box(&cat)))
    });
    // What a catalog with overlay pages pays: the index built at run time.
    c.bench_function("search index build (whole catalog, overlays)", |b| {
        b.iter(|| Index::build(black_box(&cat)))
    });
    let index = Index::new(&cat);
    for q in [
        "password writeback",
        "reply url mismatch",
        "secret expired",
        "user not assigned to app",
        "InvalidUserNameOrPasword",
        "user has not consented to application",
        "The user or administrator has not consented to use the application with ID named Contoso",
    ] {
        c.bench_function(&format!("search \"{q}\""), |b| {
            b.iter(|| index.search(black_box(q), 10))
        });
    }
}

criterion_group!(benches, lookup, search);
criterion_main!(benches);
