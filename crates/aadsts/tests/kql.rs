//! The generated KQL parses and type-checks with Microsoft's Kusto.Language parser
//! (`tests/kql/check.js`, npm package @kusto/language-service-next), against the schemas
//! of the sign-in tables. CI installs the parser (`npm ci --prefix tests/kql`); a developer
//! machine without it skips this test with a note, CI never does.

use assert_cmd::Command;
use serde_json::json;
use std::path::PathBuf;
use std::process::Stdio;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn aadsts(args: &[&str]) -> String {
    let out = Command::cargo_bin("aadsts")
        .unwrap()
        .env_remove("AADSTS_KB")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "aadsts {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs the checker; `None` when it is not installed (and we are not in CI).
fn check(docs: &serde_json::Value) -> Option<(bool, String)> {
    let dir = root().join("tests/kql");
    if !dir
        .join("node_modules/@kusto/language-service-next")
        .is_dir()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "the KQL parser is not installed: run `npm ci --prefix tests/kql`"
        );
        eprintln!("skipping: KQL parser not installed (npm ci --prefix tests/kql)");
        return None;
    }
    let mut child = std::process::Command::new("node")
        .arg(dir.join("check.js"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(docs.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Some((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

#[test]
fn every_generated_query_parses_and_type_checks() {
    let list = aadsts(&["kql", "--list"]);
    let heads: Vec<&str> = list.lines().filter(|l| !l.starts_with(' ')).collect();
    let names: Vec<&str> = heads
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(names.len() >= 10, "{list}");
    let mut docs = Vec::new();
    for (name, head) in names.iter().zip(&heads) {
        for table in ["SigninLogs", "AADNonInteractiveUserSignInLogs"] {
            docs.push(json!({"name": format!("{name}@{table}"), "text": aadsts(&["kql", "-q", name, "--table", table])}));
        }
        // Event queries (Event / SecurityEvent tables) always carry the event catalog inline.
        if head.contains("(reads ") {
            continue;
        }
        docs.push(json!({"name": format!("{name}@saved"), "text":
            format!("let AadstsCatalog = {};\n{}", "datatable(ResultType:string, Code:int, Name:string, Title:string, Severity:string, Category:string, Fixer:string, Retry:string, Signal:string, InMicrosoftTable:bool, FirstFix:string, Link:string)[]",
                aadsts(&["kql", "-q", name, "--saved"]))}));
        docs.push(json!({"name": format!("{name}@externaldata"), "text":
            aadsts(&["kql", "-q", name, "--externaldata", "https://example.com/aadsts.csv"])}));
    }
    docs.push(json!({"name": "catalog", "text": aadsts(&["kql"])}));
    docs.push(json!({"name": "function", "text": aadsts(&["kql", "--function"])}));
    docs.push(json!({"name": "events", "text": aadsts(&["kql", "--events"])}));
    docs.push(
        json!({"name": "events-function", "text": aadsts(&["kql", "--events", "--function"])}),
    );
    let Some((ok, report)) = check(&json!(docs)) else {
        return;
    };
    assert!(ok, "{report}");
    assert!(
        report.contains(&format!(
            "checked {} KQL document(s), 0 error(s)",
            docs.len()
        )),
        "{report}"
    );
}

#[test]
fn the_checker_catches_a_broken_query() {
    let good = aadsts(&["kql", "-q", "failures-by-code"]);
    let broken = good.replace("ResultType != \"0\"", "ResultTyp != \"0\"");
    let Some((ok, report)) = check(&json!([{"name": "broken", "text": broken}])) else {
        return;
    };
    assert!(!ok, "{report}");
    assert!(report.contains("ResultTyp"), "{report}");
}

#[test]
fn the_catalog_datatable_holds_every_code() {
    let kql = aadsts(&["kql"]);
    let list: serde_json::Value =
        serde_json::from_str(&aadsts(&["list", "--format", "json"])).unwrap();
    for c in list["codes"].as_array().unwrap() {
        let code = c["code"].as_u64().unwrap();
        assert!(
            kql.contains(&format!("\"{code}\", {code},")),
            "{code} missing"
        );
    }
}

#[test]
fn the_event_catalog_holds_every_event_page_and_queries_name_their_tables() {
    let kql = aadsts(&["kql", "--events"]);
    let pages: serde_json::Value =
        serde_json::from_str(&aadsts(&["events", "--format", "json"])).unwrap();
    let pages = pages["events"].as_array().expect("events array");
    assert!(pages.len() >= 20, "{pages:?}");
    for p in pages {
        let id = p["id"].as_str().unwrap();
        assert!(
            kql.contains(&format!("\"{id}\"")),
            "{id} missing from the event catalog"
        );
    }
    let q = aadsts(&[
        "kql",
        "-q",
        "lockouts-with-signins",
        "--table",
        "AADNonInteractiveUserSignInLogs",
    ]);
    assert!(
        q.contains("SecurityEvent") && q.contains("AADNonInteractiveUserSignInLogs"),
        "{q}"
    );
    assert!(q.contains("let AadstsEventCatalog = datatable("), "{q}");
    let out = Command::cargo_bin("aadsts")
        .unwrap()
        .args(["kql", "-q", "writeback-failures", "--saved"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "event queries have no saved form"
    );
}

#[test]
fn export_formats_agree() {
    let csv = aadsts(&["export", "--format", "csv"]);
    let jsonl = aadsts(&["export", "--format", "jsonl"]);
    let json: serde_json::Value =
        serde_json::from_str(&aadsts(&["export", "--format", "json"])).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(csv.lines().next().unwrap(), "ResultType,Code,Name,Title,Severity,Category,Fixer,Retry,Signal,InMicrosoftTable,FirstFix,Link");
    assert_eq!(jsonl.lines().count(), rows.len());
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let recs: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(recs.len(), rows.len());
    for (rec, row) in recs.iter().zip(rows) {
        assert_eq!(&rec[1], row["Code"].to_string());
        assert_eq!(&rec[3], row["Title"].as_str().unwrap());
        assert_eq!(&rec[10], row["FirstFix"].as_str().unwrap());
    }
    let out = Command::cargo_bin("aadsts")
        .unwrap()
        .args(["export", "--format", "md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::cargo_bin("aadsts")
        .unwrap()
        .args(["50126", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unknown_query_and_insecure_url() {
    let out = Command::cargo_bin("aadsts")
        .unwrap()
        .args(["kql", "-q", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("password-spray"));
    let out = Command::cargo_bin("aadsts")
        .unwrap()
        .args(["kql", "--externaldata", "http://x/y.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The CSV export, loaded into DuckDB and joined to a synthetic SigninLogs table, gives the
/// per-code counts computed independently from the same rows (tests/duckdb/check_export.py).
#[test]
fn duckdb_join_of_the_export_gives_exact_counts() {
    let has_duckdb = std::process::Command::new("python3")
        .args(["-c", "import duckdb"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_duckdb {
        assert!(
            std::env::var_os("CI").is_none(),
            "DuckDB is not installed: pip install duckdb"
        );
        eprintln!("skipping: python3 with duckdb not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("catalog.csv");
    std::fs::write(&csv_path, aadsts(&["export", "--format", "csv"])).unwrap();
    let out = std::process::Command::new("python3")
        .arg(root().join("tests/duckdb/check_export.py"))
        .arg(&csv_path)
        .arg(dir.path())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("groups match"), "{report}");

    // The same rows through `aadsts scan`: the same per-code counts as the DuckDB join.
    let counts: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("duckdb_counts.json")).unwrap(),
    )
    .unwrap();
    let scan: serde_json::Value = serde_json::from_str(&aadsts(&[
        "scan",
        dir.path().join("signins.csv").to_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    let mut from_scan = std::collections::BTreeMap::new();
    for c in scan["codes"].as_array().unwrap() {
        from_scan.insert(
            c["code"].as_u64().unwrap().to_string(),
            vec![c["count"].clone(), c["users"].clone(), c["apps"].clone()],
        );
    }
    let from_duckdb: std::collections::BTreeMap<String, Vec<serde_json::Value>> =
        serde_json::from_value(counts).unwrap();
    assert_eq!(from_scan, from_duckdb, "aadsts scan and DuckDB disagree");
    assert_eq!(scan["rows"]["skipped"], 0);
}
