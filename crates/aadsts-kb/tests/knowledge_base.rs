//! The shipped knowledge base passes every rule of kb/FORMAT.md. A page that breaks one
//! fails here with the linter's message (file, line, rule).

use std::path::Path;

fn kb() -> aadsts_kb::Source {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb");
    aadsts_kb::load_source(&dir).expect("kb/ is readable")
}

#[test]
fn the_knowledge_base_passes_the_linter() {
    let src = kb();
    let problems = src.lint();
    let shown: Vec<String> = problems.iter().take(60).map(|d| d.to_string()).collect();
    assert!(
        problems.is_empty(),
        "{} problem(s) in kb/ (first {} shown):\n{}",
        problems.len(),
        shown.len(),
        shown.join("\n")
    );
}

#[test]
fn reference_lists_are_disjoint_and_complete() {
    let src = kb();
    assert_eq!(
        src.documented.len(),
        345,
        "Microsoft's table as transcribed has 345 codes"
    );
    assert!(src.undocumented.len() >= 69);
    for c in &src.undocumented {
        assert!(
            !src.documented.contains_key(c),
            "{c} is in both reference lists"
        );
    }
}

#[test]
fn pages_in_microsofts_table_are_marked() {
    let src = kb();
    for (file, p) in &src.pages {
        assert_eq!(
            p.page.in_microsoft_table,
            src.documented.contains_key(&p.page.code),
            "{file}"
        );
    }
}
