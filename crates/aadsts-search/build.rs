//! Builds the search index of the built-in pages at compile time, so that `aadsts search`
//! reads it in place instead of tokenizing 400 pages at every start. The pages, code pages
//! and event pages alike, come from `aadsts-catalog`, which parsed `kb/` with `aadsts-kb`:
//! one parser, and a change to `kb/` rebuilds the catalog and so reruns this script. The same code
//! (`src/build.rs`, `src/text.rs`) builds it at run time for a catalog with overlays.

#[path = "src/text.rs"]
#[allow(dead_code)]
mod text;

#[path = "src/build.rs"]
#[allow(dead_code)]
mod build;

fn main() {
    for f in [
        "build.rs",
        "src/text.rs",
        "src/build.rs",
        "data/oauth-errors.tsv",
        "data/messages.tsv",
    ] {
        println!("cargo:rerun-if-changed={f}");
    }
    let catalog = aadsts_catalog::Catalog::builtin();
    let events: Vec<_> = aadsts_catalog::event_pages().collect();
    let bytes = build::build(catalog.pages(), &events);
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("index.bin");
    std::fs::write(out, bytes).unwrap();
}
