//! End-to-end tests of `aadsts scan` over Windows event log exports (the fixtures of
//! crates/aadsts-events/tests/fixtures), alone and beside sign-in exports.

use serde_json::Value;
use std::fs;
use std::path::PathBuf;
mod common;
use common::aadsts;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../aadsts-events/tests/fixtures")
}

fn f(name: &str) -> String {
    fixtures().join(name).display().to_string()
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

#[test]
fn a_directory_of_every_export_shape_is_read_and_counted() {
    // The fixtures without their README.
    let dir = tempfile::tempdir().unwrap();
    for e in fs::read_dir(fixtures()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x != "md") {
            fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    let out = aadsts()
        .args(["scan", "--json"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    assert_eq!(v["schema"], "aadsts.scan/1");
    // The sign-in export of the directory went to the sign-in scan.
    assert_eq!(v["inputs"].as_array().unwrap().len(), 1);
    assert_eq!(v["totals"]["sign_ins"], 7);
    let e = &v["events"];
    let formats: Vec<(String, String)> = e["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let name = i["name"].as_str().unwrap();
            let name = name.rsplit('/').next().unwrap().to_string();
            (name, i["format"].as_str().unwrap().to_string())
        })
        .collect();
    for (file, format) in [
        ("sync-application.evtx", "evtx"),
        ("forwarded-events.xml", "event-xml"),
        ("sync-application.csv", "event-viewer-csv"),
        ("sync-application.txt", "event-viewer-text"),
        ("dc-security-ps51.json", "get-winevent-json"),
        ("adfs-ps7.json", "get-winevent-json"),
        ("dc-security-export.csv", "get-winevent-csv"),
        ("pta-export.csv", "get-winevent-csv"),
    ] {
        assert!(
            formats.contains(&(file.to_string(), format.to_string())),
            "{file} as {format}: {formats:?}"
        );
    }
    // 23 events in the .evtx files, 45 more in the other exports of the same events.
    assert_eq!(e["totals"]["events"], 78);
    assert_eq!(e["records"]["skipped"], 0);
    let row = e["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["provider"] == "PasswordResetService" && r["event_id"] == 33004)
        .unwrap();
    // 3 in each of .evtx, XML, CSV and text.
    assert_eq!(row["count"], 12);
    assert_eq!(row["top"]["users"][0]["value"], "alice@contoso.com");
    assert_eq!(row["first_seen"], "2024-12-06T13:00:05Z");
    assert_eq!(row["page"], "writeback-33004");
    assert!(row["first_step_text"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    // The Event Viewer exports say their times are local.
    assert!(e["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["note"].as_str().is_some_and(|n| n.contains("local time"))));
}

#[test]
fn events_join_failed_sign_ins_of_the_same_user_within_the_window() {
    let run = |window: &str| {
        let out = aadsts()
            .args(["scan", "--json", "--join-window", window])
            .args([
                f("device-aad.evtx"),
                f("dc-security.evtx"),
                f("signins.json"),
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        json_of(&out)
    };
    let v = run("10");
    let j = &v["events"]["join"];
    assert_eq!(j["window_seconds"], 600);
    let pairs = j["pairs"].as_array().unwrap();
    // The device's 1098 carries AADSTS50126 and names alice's UPN: joined to her 50126
    // sign-in 30 s later, not to the one at 15:00.
    let p = pairs
        .iter()
        .find(|p| p["event"]["event_id"] == 1098)
        .expect("1098 joined");
    assert_eq!(p["sign_in"]["code"], 50126);
    assert_eq!(p["sign_in"]["time"], "2024-12-06T13:01:00Z");
    assert_eq!(p["matched_by"], "upn");
    assert_eq!(p["seconds_apart"], -30);
    for p in pairs {
        assert!(p["seconds_apart"].as_i64().unwrap().abs() <= 600);
        assert_ne!(p["sign_in"]["time"], "2024-12-06T15:00:00Z");
    }
    // Within 10 seconds only the 4625s 10 s away can still join; the 1098 cannot.
    let v = run("0");
    assert_eq!(v["events"]["join"]["window_seconds"], 0);
    assert!(v["events"]["join"]["pairs"].as_array().unwrap().is_empty());
}

#[test]
fn text_and_html_show_events_and_the_join() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    let out = aadsts()
        .args(["scan", "--color", "never"])
        .args([f("device-aad.evtx"), f("signins.json")])
        .arg("--html")
        .arg(&html)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("Sign-ins: 7"), "{text}");
    assert!(text.contains("Server events: 2"), "{text}");
    assert!(text.contains("Microsoft-Windows-AAD/1098"));
    assert!(text.contains("matched by upn"), "{text}");
    let page = fs::read_to_string(&html).unwrap();
    assert!(page.contains("<h1>Server events</h1>"));
    assert!(page.contains("scan-join"));
    assert!(!page.contains("<script"));
    // Events alone: no empty sign-in report.
    let out = aadsts()
        .args(["scan", "--color", "never", &f("sync-application.evtx")])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("Sign-ins:"), "{text}");
    assert!(text.starts_with("Server events: 8"), "{text}");
    assert!(text.contains("No failed sign-in to join"));
    let md = aadsts()
        .args(["scan", "--md", &f("sync-application.evtx")])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(md).unwrap().contains("## Server events"));
}

#[test]
fn redaction_gives_one_pseudonym_per_user_across_sign_ins_and_events() {
    let out = aadsts()
        .args(["scan", "--json", "--redact"])
        .args([f("device-aad.evtx"), f("signins.json")])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(!text.contains("alice"), "{text}");
    assert!(!text.contains("203.0.113.7"));
    let v = json_of(&out);
    let code = v["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == 50126)
        .unwrap();
    let signin_name = code["top"]["users"][0]["value"].as_str().unwrap();
    let p = &v["events"]["join"]["pairs"][0];
    assert_eq!(p["sign_in"]["user"], signin_name);
    assert_eq!(p["event"]["user"], signin_name);
    let row = &v["events"]["events"][0];
    assert_eq!(row["top"]["users"][0]["value"], signin_name);
}

#[test]
fn a_bad_event_file_is_named_and_exits_4_while_the_rest_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let good = fs::read(fixtures().join("dc-security.evtx")).unwrap();
    let cut = dir.path().join("cut.evtx");
    fs::write(&cut, &good[..good.len() - 20_000]).unwrap();
    let junk = dir.path().join("junk.evtx");
    fs::write(&junk, b"this is not an event log").unwrap();
    let assert = aadsts()
        .args(["scan", "--json"])
        .arg(&cut)
        .arg(&junk)
        .arg(f("device-aad.evtx"))
        .assert()
        .code(4);
    let o = assert.get_output();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cut.evtx") && err.contains("truncated"),
        "{err}"
    );
    assert!(
        err.contains("junk.evtx") && err.contains("not an EVTX file"),
        "{err}"
    );
    let v = json_of(&o.stdout);
    assert_eq!(v["events"]["totals"]["events"], 2);
}

#[test]
fn gzip_and_a_corrupted_record_are_read_around() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = fs::read(fixtures().join("sync-application.evtx")).unwrap();
    // Spoil the second record's BinXML; the others still read.
    let first_size = u32::from_le_bytes(bytes[4096 + 512 + 4..4096 + 512 + 8].try_into().unwrap());
    let second = 4096 + 512 + first_size as usize;
    for b in &mut bytes[second + 30..second + 60] {
        *b = 0xEE;
    }
    let p = dir.path().join("app.evtx.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&bytes).unwrap();
    fs::write(&p, gz.finish().unwrap()).unwrap();
    let out = aadsts()
        .args(["scan", "--json"])
        .arg(&p)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    let e = &v["events"];
    assert_eq!(e["records"]["skipped"], 1);
    assert_eq!(e["totals"]["events"], 7);
    assert!(e["skipped"][0]["at"]
        .as_str()
        .unwrap()
        .starts_with("chunk 0"));
}
