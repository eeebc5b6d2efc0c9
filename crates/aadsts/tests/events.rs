//! End-to-end tests of event pages (issue 21) through the built `aadsts` binary: explain by
//! page id and by event ID, the `events` list, the part of code pages that links them, and
//! `lint --source` on a knowledge base with a broken event page. The pages are taken from
//! `aadsts events --format json`, so the tests hold whatever kb/events holds.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
mod common;
use common::{aadsts, json, stdout};

/// Every event page, from the list.
fn events() -> Vec<Value> {
    let v = json(&["events", "--format", "json"]);
    assert_eq!(v["schema"], "aadsts.events/1");
    let list = v["events"].as_array().unwrap().clone();
    assert_eq!(v["count"].as_u64().unwrap() as usize, list.len());
    assert!(!list.is_empty(), "kb/events has pages");
    list
}

#[test]
fn the_list_is_grouped_by_source_and_filters() {
    let all = events();
    for e in &all {
        let id = e["id"].as_str().unwrap();
        assert_eq!(
            id,
            format!("{}-{}", e["source"].as_str().unwrap(), e["event"]),
            "{e}"
        );
    }
    let text = stdout(&["events"]);
    assert!(text.contains("(--source writeback)"), "{text}");
    assert!(text.contains("PasswordResetService in the Application log"));
    assert!(
        text.ends_with(&format!("{} event page(s)\n", all.len())),
        "{text}"
    );

    let only = json(&["events", "--source", "writeback", "--format", "json"]);
    let ids: Vec<&str> = only["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert!(!ids.is_empty() && ids.iter().all(|i| i.starts_with("writeback-")));
    assert_eq!(only["sources"].as_array().unwrap().len(), 1);
    assert!(stdout(&["events", "--source", "writeback", "--format", "md"]).starts_with("| Id |"));

    let out = aadsts()
        .args(["events", "--source", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Sources: writeback"));
}

#[test]
fn every_event_page_explains_in_every_format() {
    for e in events() {
        let id = e["id"].as_str().unwrap();
        let event = e["event"].as_u64().unwrap();
        let text = stdout(&["explain", id]);
        assert!(
            text.starts_with(&format!("Event {event}  ")) && text.contains(&format!("({id})")),
            "{text}"
        );
        for part in [
            "What it means",
            "Common causes",
            "How to fix",
            "Diagnose",
            "Sources",
        ] {
            assert!(text.contains(part), "{id}: {part}");
        }
        assert!(
            !text.contains("[src:"),
            "markers are rendered as references: {id}"
        );
        // The same page without `explain`, and in any case.
        assert_eq!(stdout(&[&id.to_uppercase()]), text);

        let md = stdout(&["explain", id, "--format", "md"]);
        assert!(md.starts_with(&format!("# Event {event} ({id}): ")), "{md}");
        assert!(md.contains("- **Log:** "), "{md}");
        let html = stdout(&["explain", id, "--format", "html"]);
        assert!(html.contains(&format!("data-event=\"{id}\"")), "{id}");
        assert!(html.contains("<dl class=\"where\">"), "{id}");
        let j = json(&["explain", id, "--format", "json"]);
        assert_eq!(j["schema"], "aadsts.event/1");
        assert_eq!(j["id"], id);
        assert!(j["logged_by"]["providers"]
            .as_array()
            .is_some_and(|p| !p.is_empty()));
        assert_eq!(
            j["sources"]["causes"].as_array().unwrap().len(),
            j["sections"]["causes"].as_array().unwrap().len()
        );
    }
}

#[test]
fn an_event_id_finds_its_page_or_the_candidates() {
    let all = events();
    let mut by_event: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for e in &all {
        by_event
            .entry(e["event"].as_u64().unwrap())
            .or_default()
            .push(e["id"].as_str().unwrap().to_string());
    }
    for (event, ids) in &by_event {
        for q in [
            format!("event:{event}"),
            format!("Event {event}"),
            format!("event id {event}"),
        ] {
            let j = json(&["explain", &q, "--format", "json"]);
            if let [one] = ids.as_slice() {
                assert_eq!(j["schema"], "aadsts.event/1", "{q}");
                assert_eq!(j["id"].as_str(), Some(one.as_str()), "{q}");
            } else {
                assert_eq!(j["schema"], "aadsts.events/1", "{q}");
                assert_eq!(j["count"].as_u64().unwrap() as usize, ids.len(), "{q}");
            }
        }
    }
    // An event ID no page explains, and a page id of a known source that does not exist.
    let free = (1..).find(|n| !by_event.contains_key(n)).unwrap();
    let out = aadsts()
        .args(["explain", &format!("event:{free}"), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["error"], "unknown_event");
    let out = aadsts().args(["writeback-1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no event page \"writeback-1\"") && err.contains("aadsts events"),
        "{err}"
    );
}

#[test]
fn code_pages_list_the_events_that_explain_them() {
    let all = events();
    let mut by_code: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for e in &all {
        for c in e["codes"].as_array().unwrap() {
            by_code
                .entry(c.as_u64().unwrap())
                .or_default()
                .push(e["id"].as_str().unwrap().to_string());
        }
    }
    assert!(!by_code.is_empty(), "some event page names a code");
    for (code, ids) in &by_code {
        let code = code.to_string();
        let j = json(&[&code, "--format", "json"]);
        let listed: Vec<&str> = j["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
        want.sort();
        let mut got = listed.clone();
        got.sort();
        assert_eq!(got, want, "{code}");
        let text = stdout(&[&code]);
        assert!(
            text.contains("\nOn-premises events that explain it\n"),
            "{code}"
        );
        for id in &want {
            assert!(text.contains(id), "{code}: {id}");
        }
        let md = stdout(&[&code, "--format", "md"]);
        assert!(
            md.contains("## On-premises events that explain it"),
            "{code}"
        );
        let html = stdout(&[&code, "--format", "html"]);
        assert!(
            html.contains(&format!("href=\"../events/{}\"", want[0])),
            "{code}"
        );
    }
    // A code no event page names has an empty list and no such part.
    let j = json(&["50126", "--format", "json"]);
    if !by_code.contains_key(&50126) {
        assert_eq!(j["events"], Value::Array(vec![]));
        assert!(!stdout(&["50126"]).contains("On-premises events"));
    }
}

#[test]
fn man_page_and_completions_know_the_events_command() {
    assert!(stdout(&["man", "events"]).contains(".TH aadsts-events 1"));
    assert!(stdout(&["completions", "bash"]).contains("events"));
}

/// `lint --source` reads kb/events and names the file and line of each problem.
#[test]
fn lint_names_the_file_and_line_of_a_broken_event_page() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for d in ["codes", "reference", "events"] {
        fs::create_dir_all(p.join(d)).unwrap();
    }
    fs::write(
        p.join("categories.toml"),
        "[[category]]\nid = \"x\"\ntitle = \"X\"\nsummary = \"X.\"\nabout = \"X.\"\n",
    )
    .unwrap();
    fs::write(
        p.join("reference/documented-codes.tsv"),
        "code\tname\tgist\n",
    )
    .unwrap();
    fs::write(p.join("reference/undocumented-codes.tsv"), "code\tgist\n").unwrap();
    fs::write(p.join("pending.txt"), "0\n").unwrap();
    fs::write(
        p.join("events/sources.toml"),
        "[[source]]\nslug = \"pta\"\ntitle = \"PTA\"\nproviders = [\"P\"]\nchannel = \"Admin\"\nserver = \"agents\"\ndocs = \"https://learn.microsoft.com/x\"\n",
    )
    .unwrap();
    fs::write(
        p.join("events/pta-12019.md"),
        "+++\nsource = \"pta\"\nevent = 12019\ntitle = \"T\"\nlevel = \"fatal\"\nseverity = \"high\"\nfixer = \"admin\"\nsignal = \"failure\"\n+++\n",
    )
    .unwrap();
    let out = aadsts()
        .args(["lint", "--source", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("events/pta-12019.md:5: `level` is \"fatal\""),
        "{text}"
    );
    assert!(
        text.contains("events/pta-12019.md:9: the page has no `## Meaning` section"),
        "{text}"
    );
}
