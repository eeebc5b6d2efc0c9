//! Prints the relevance report over `data/relevance.tsv`: each query that misses first
//! place with what came first, then top-1, top-3 and MRR by persona and overall.
//! Run: `cargo run --release -p aadsts-search --example relevance [-- --all] [--why] [other.tsv]`;
//! `AADSTS_TUNE=links=0.4,pair.0=3` tries other knobs (see `Tuning`).

use aadsts_catalog::Catalog;
use aadsts_search::Index;

fn main() {
    let all = std::env::args().any(|a| a == "--all");
    let why = std::env::args().any(|a| a == "--why");
    let mut index = Index::new(&Catalog::builtin());
    if let Ok(spec) = std::env::var("AADSTS_TUNE") {
        index.tuning.set(&spec);
    }
    let text = match std::env::args().find(|a| a.ends_with(".tsv")) {
        Some(path) => std::fs::read_to_string(path).expect("a query file"),
        None => include_str!("../data/relevance.tsv").to_string(),
    };
    let mut by: std::collections::BTreeMap<&str, (usize, usize, usize, f64)> = Default::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (who, query) = (cols[0], cols[1]);
        // A number is a code, anything else an event page id (as `Doc::label` names them).
        let want: Vec<String> = cols[2]
            .split(' ')
            .map(|w| match w.parse::<u32>() {
                Ok(c) => format!("AADSTS{c}"),
                Err(_) => w.to_string(),
            })
            .collect();
        let kind = if want.iter().all(|w| w.starts_with("AADSTS")) {
            "(codes)"
        } else {
            "(events)"
        };
        let hits = index.search(query, 10);
        let rank = hits.iter().position(|h| want.contains(&h.doc.label()));
        for key in [who, kind, "all"] {
            let e = by.entry(key).or_default();
            e.0 += 1;
            e.1 += usize::from(rank == Some(0));
            e.2 += usize::from(rank.is_some_and(|r| r < 3));
            e.3 += rank.map_or(0.0, |r| 1.0 / (r + 1) as f64);
        }
        if rank != Some(0) || all {
            let top: Vec<String> = hits
                .iter()
                .take(4)
                .map(|h| format!("{}:{:.1}", h.doc.label(), h.score))
                .collect();
            println!(
                "{:>5}  {query:60} want {:?}  got {}",
                rank.map_or("-".into(), |r| (r + 1).to_string()),
                want,
                top.join(" ")
            );
            if why {
                for c in hits
                    .iter()
                    .take(2)
                    .map(|h| h.doc.label())
                    .chain([want[0].clone()])
                {
                    println!(
                        "        {}",
                        index.explain_score(query, &c).replace('\n', "\n        ")
                    );
                }
            }
        }
    }
    for (k, (n, t1, t3, rr)) in by {
        println!(
            "{k:10} {n:4} queries  top-1 {:.3}  top-3 {:.3}  MRR {:.3}",
            t1 as f64 / n as f64,
            t3 as f64 / n as f64,
            rr / n as f64
        );
    }
}
