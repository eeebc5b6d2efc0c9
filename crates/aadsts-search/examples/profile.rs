//! Times queries in process (for profiling): `cargo run --release -p aadsts-search --example profile`.
use aadsts_catalog::Catalog;
use aadsts_search::Index;
use std::time::Instant;

fn main() {
    let cat = Catalog::builtin();
    let t = Instant::now();
    let index = Index::new(&cat);
    println!("open {:?}", t.elapsed());
    let qs = [
        "secret expired",
        "user has not consented to application",
        "InvalidUserNameOrPasword",
    ];
    for q in qs {
        let t = Instant::now();
        let n = 200;
        for _ in 0..n {
            std::hint::black_box(index.search(q, 10));
        }
        println!("{q}: {:?}", t.elapsed() / n);
    }
}
