//! Hostile and broken inputs, each with its expected outcome (the table is in
//! docs/hostile-inputs.md): a clear error or a counted skip, never a panic, never silent loss.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::io::Write;

fn aadsts() -> Command {
    let mut c = Command::cargo_bin("aadsts").unwrap();
    c.env_remove("AADSTS_KB").env_remove("NO_COLOR");
    c
}

fn scan_json(path: &std::path::Path) -> (Option<i32>, Value, String) {
    let out = aadsts()
        .args(["scan", path.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn am_line(i: usize, code: u32) -> String {
    format!("{{ \"time\": \"2025-03-01T00:00:{:02}Z\", \"category\": \"SignInLogs\", \"resultType\": \"{code}\", \"properties\": {{\"userPrincipalName\":\"u{i}@contoso.com\",\"status\":{{\"errorCode\":{code}}}}}}}\r\n", i % 60)
}

#[test]
fn truncated_gzip_reports_the_file_and_keeps_what_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..5000 {
        gz.write_all(am_line(i, 50126).as_bytes()).unwrap();
    }
    let bytes = gz.finish().unwrap();
    let p = dir.path().join("PT1H.json.gz");
    fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    let (code, v, err) = scan_json(&p);
    assert_eq!(code, Some(0));
    assert!(
        err.contains("PT1H.json.gz") && err.contains("deflate"),
        "{err}"
    );
    assert!(v["inputs"][0]["error"]
        .as_str()
        .unwrap()
        .contains("deflate"));
    let read = v["rows"]["read"].as_u64().unwrap();
    assert!(read > 100 && read < 5000, "{read}");
    assert_eq!(
        read,
        v["rows"]["used"].as_u64().unwrap() + v["rows"]["skipped"].as_u64().unwrap()
    );
}

#[test]
fn csv_without_a_code_column_and_rows_missing_columns() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("no-code.csv");
    fs::write(
        &p,
        "\"Date (UTC)\",\"Username\"\n\"2025-03-04T08:19:41Z\",\"a@contoso.com\"\n",
    )
    .unwrap();
    let (_, v, err) = scan_json(&p);
    assert!(err.contains("no error-code column"), "{err}");
    assert!(v["inputs"][0]["error"].as_str().unwrap().contains("line 1"));

    let p = dir.path().join("short-rows.csv");
    fs::write(&p, "\"Date (UTC)\",\"Username\",\"Status\",\"Sign-in error code\"\n\"2025-03-04T08:19:41Z\",\"a@contoso.com\",\"Failure\",\"50126\"\n\"2025-03-04T08:19:42Z\",\"b@contoso.com\"\n").unwrap();
    let (_, v, _) = scan_json(&p);
    assert_eq!(v["rows"]["used"], 1);
    assert_eq!(v["rows"]["skipped"], 1);
    assert_eq!(v["skipped"][0]["at"], "line 3");
}

#[test]
fn a_quote_that_never_closes_is_counted_not_swallowed() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("unclosed.csv");
    let mut s = String::from("\"Date (UTC)\",\"Sign-in error code\",\"Username\"\n");
    s.push_str("\"2025-03-04T08:19:41Z\",\"50126\",\"a@contoso.com\"\n");
    s.push_str("\"2025-03-04T08:19:42Z\",\"50126\",\"b@contoso.com\n");
    for i in 0..5 {
        s.push_str(&format!(
            "\"2025-03-04T08:19:5{i}Z\",\"50126\",\"c{i}@contoso.com\"\n"
        ));
    }
    fs::write(&p, s).unwrap();
    let (_, v, _) = scan_json(&p);
    assert_eq!(
        v["rows"]["read"], 7,
        "every data line is accounted for: {v}"
    );
    assert_eq!(
        v["rows"]["used"].as_u64().unwrap() + v["rows"]["skipped"].as_u64().unwrap(),
        7
    );
    assert!(v["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("not closed"));
}

#[test]
fn a_100_mb_single_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("one-line.log");
    let mut f = fs::File::create(&p).unwrap();
    let filler = "x".repeat(1024 * 1024);
    for i in 0..100 {
        f.write_all(filler.as_bytes()).unwrap();
        if i == 5 {
            f.write_all(
                b" AADSTS50058: A silent sign-in request was sent but no user is signed in. ",
            )
            .unwrap();
        }
        if i == 50 {
            f.write_all(b" AADSTS50126: Error validating credentials. ")
                .unwrap();
        }
    }
    drop(f);
    // explain reads the first 16 MiB and says so; scan streams the whole file.
    let out = aadsts()
        .args(["explain", "--format", "json", p.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("one-line.log is 100 MiB: only its first 16 MiB were searched"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"][0]["code"], 50058);
    assert_eq!(v["errors"].as_array().unwrap().len(), 1);
    let (code, v, _) = scan_json(&p);
    assert_eq!(code, Some(0));
    let codes: Vec<&Value> = v["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["code"])
        .collect();
    assert!(
        codes.contains(&&Value::from(50058)) && codes.contains(&&Value::from(50126)),
        "{codes:?}"
    );
}

/// Issue 22: `aadsts explain - < /dev/zero` grew to gigabytes in seconds. Standard input (and
/// a file) is read up to 16 MiB; the cut is said on standard error, errors before it are
/// found, and a code cut in two at the limit is not read as a shorter one.
#[test]
fn explain_reads_at_most_16_mib_and_says_so() {
    let limit = 16 * 1024 * 1024;
    let mut input = b"AADSTS50126: Error validating credentials.\n".to_vec();
    input.resize(limit - 9, 0);
    // "AADSTS700016" straddles the limit: "AADSTS700" before it, "016" after.
    input.extend_from_slice(b" AADSTS700016: app not found");
    input.resize(limit + 4 * 1024 * 1024, 0);
    let out = aadsts()
        .args(["explain", "--format", "json", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("standard input is larger than 16 MiB: only its first 16 MiB were searched"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<u64> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, [50126], "no code invented from the cut: {codes:?}");
}

#[test]
fn utf16_without_bom_and_nul_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "\"Date (UTC)\",\"Sign-in error code\",\"Username\"\n\"2025-03-04T08:19:41Z\",\"50053\",\"a@contoso.com\"\n";
    let p = dir.path().join("utf16.csv");
    fs::write(
        &p,
        csv.encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let (_, v, _) = scan_json(&p);
    assert_eq!(v["codes"][0]["code"], 50053, "{v}");
    assert_eq!(v["inputs"][0]["shape"], "csv");

    let out = aadsts()
        .args(["explain", "--format", "json", "-"])
        .write_stdin(b"error\0\0: AADST\0S50126: bad \0password Trace ID: 6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f".to_vec())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"][0]["code"], 50126);
    assert_eq!(
        v["errors"][0]["trace_id"],
        "6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f"
    );
}

#[test]
fn json_nested_100000_deep() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("deep.json");
    fs::write(
        &p,
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .unwrap();
    let (code, v, _) = scan_json(&p);
    assert_eq!(code, Some(0));
    assert_eq!(v["rows"]["skipped"], 1);
    assert!(v["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("recursion limit"));
}

#[test]
fn overlay_page_whose_front_matter_never_ends() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("50126.md"),
        "+++\ncode = 50126\nseverity = \"high\"\n\n## Notes\nNo closing fence.\n",
    )
    .unwrap();
    let out = aadsts()
        .args(["--kb", dir.path().to_str().unwrap(), "50126"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("50126.md:1"), "{err}");
}

#[cfg(unix)]
#[test]
fn symlinked_directories_and_loops() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    fs::create_dir_all(logs.join("a")).unwrap();
    fs::write(
        logs.join("a/PT1H.json"),
        (0..10).map(|i| am_line(i, 0)).collect::<String>(),
    )
    .unwrap();
    std::os::unix::fs::symlink(&logs, logs.join("a/loop")).unwrap();
    std::os::unix::fs::symlink(logs.join("a"), dir.path().join("alias")).unwrap();
    let out = aadsts()
        .args([
            "scan",
            logs.to_str().unwrap(),
            dir.path().join("alias").to_str().unwrap(),
            "--json",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The loop is walked once; the alias names the same file again, and is read as given.
    assert_eq!(v["rows"]["read"], 20, "{}", v["inputs"]);

    // An overlay directory that is a symlink works like the directory itself.
    let notes = dir.path().join("notes");
    fs::create_dir_all(&notes).unwrap();
    fs::write(
        notes.join("50126.md"),
        "+++\ncode = 50126\n+++\n\n## Notes\nAsk the service desk first.\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&notes, dir.path().join("notes-link")).unwrap();
    let out = aadsts()
        .args([
            "--kb",
            dir.path().join("notes-link").to_str().unwrap(),
            "50126",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Ask the service desk first."));
}

/// Issue 22: `--threads 20000` aborted (thread creation failed) and
/// `--threads 18446744073709551615` panicked (exit 101) on an overflow. Numbers are checked
/// against their range before anything runs: a usage error (exit 2) that names the range.
#[test]
fn out_of_range_numbers_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("signins.log");
    fs::write(&log, "AADSTS50126: Error validating credentials\n").unwrap();
    let log = log.to_str().unwrap();
    for n in ["20000", "18446744073709551615", "257", "-1"] {
        let out = aadsts()
            .args(["scan", log, "--threads", n])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--threads {n}: {err}");
        assert!(err.contains("-1") || err.contains("--threads"), "{err}");
        if n != "-1" {
            assert!(err.contains("0..=256"), "the range is named: {err}");
        }
    }
    aadsts()
        .args(["scan", log, "--threads", "256", "--json"])
        .assert()
        .success();
    for (flag, n) in [
        ("--max-body-kib", "18446744073709551615"),
        ("--max-upload-mib", "18446744073709551615"),
        ("--timeout", "18446744073709551615"),
        ("--scan-timeout", "0"),
    ] {
        let out = aadsts().args(["serve", flag, n]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {n}: {err}");
        assert!(err.contains(flag), "{err}");
    }
}

/// Issue 22: a pasted redirect URI with a backtick and Markdown closed the code span of the
/// tailored step, and `--format html` carried a live link to the attacker's page in "For
/// this error". Pasted values are data in every section: no such link anywhere, and the value
/// is shown as it was pasted.
#[test]
fn pasted_markdown_in_values_makes_no_link_in_html() {
    let pasted = "AADSTS50011: The redirect URI 'https://x`[Repair](https://evil.example/fix)`' specified in the request does not match the redirect URIs configured for the application '2d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60'. [Help](https://evil.example/help) <https://evil.example/auto> Trace ID: 0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
    let out = aadsts()
        .args(["explain", "-", "--format", "html"])
        .write_stdin(pasted)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(html.contains("For this error"), "{html}");
    assert!(
        !html.contains("href=\"https://evil.example"),
        "a pasted value became a link: {html}"
    );
    assert!(
        html.contains("https://x`[Repair](https://evil.example/fix)`"),
        "the value is shown as pasted: {html}"
    );
}
