//! Hostile and broken inputs, each with its expected outcome (the table is in
//! docs/hostile-inputs.md): a clear error or a counted skip, never a panic, never silent loss.

use serde_json::Value;
use std::fs;
use std::io::Write;
mod common;
use common::aadsts;

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
    // The report is printed, and the exit code says an input failed (issue 22: it was 0).
    assert_eq!(code, Some(4));
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
    // The loop is walked once; the alias names the same file again, and a file reached
    // twice is counted once (issue 22: it was counted twice).
    assert_eq!(v["rows"]["read"], 10, "{}", v["inputs"]);
    assert_eq!(v["inputs"].as_array().unwrap().len(), 1, "{}", v["inputs"]);

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

/// Issue 22, same class as the quadratic extraction: a text of many variants of one error
/// (the same code with different messages) printed the whole page once per variant — 1 MiB
/// of input gave 600 MB of JSON. Each page is given once, however many errors share its code.
#[test]
fn many_variants_of_one_code_give_its_page_once() {
    let text: String = (0..2000)
        .map(|i| {
            let word: String = format!("{i:04}")
                .bytes()
                .map(|d| (b'a' + d - b'0') as char)
                .collect();
            format!("AADSTS50126: Error validating credentials, variant {word}.\n")
        })
        .collect();
    let out = aadsts()
        .args(["explain", "--format", "json", "-"])
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"].as_array().unwrap().len(), 2000);
    assert_eq!(v["pages"].as_array().unwrap().len(), 1);
    for format in ["text", "md"] {
        let out = aadsts()
            .args(["explain", "--format", format, "-"])
            .write_stdin(text.clone())
            .output()
            .unwrap();
        let s = String::from_utf8_lossy(&out.stdout);
        assert_eq!(s.matches("What it means").count(), 1, "{format}");
        assert_eq!(
            s.matches("The page for AADSTS50126 is shown above.")
                .count(),
            1999,
            "{format}"
        );
    }
}

fn gzip(parts: &[&[u8]], repeat: (&[u8], usize)) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(parts[0]).unwrap();
    for _ in 0..repeat.1 {
        gz.write_all(repeat.0).unwrap();
    }
    for p in &parts[1..] {
        gz.write_all(p).unwrap();
    }
    gz.finish().unwrap()
}

/// Issue 22: a small gzip of one endless JSON line, CSV field or JSON string drove the scan
/// past 3 GB, and a 64 MB JSON line took seconds over worker threads (the split looked for
/// line ends from the start of its buffer on every read). A line above 16 MiB is a counted
/// skip and the lines after it are read; a CSV record or JSON element above it stops its
/// file with an error naming the line, after the records before it are counted.
#[test]
fn an_endless_line_field_or_string_in_a_small_gzip_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let block = vec![b'a'; 1 << 20];
    let p = dir.path().join("endless-line.json.gz");
    let first = am_line(1, 50126);
    let last = am_line(3, 50126);
    fs::write(
        &p,
        gzip(
            &[
                format!("{first}{{\"time\":\"").as_bytes(),
                b"\"}\n",
                last.as_bytes(),
            ],
            (&block, 64),
        ),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let out = aadsts()
        .args(["scan", p.to_str().unwrap(), "--json", "--threads", "2"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"]["used"], 2);
    assert_eq!(v["rows"]["skipped"], 1);
    assert_eq!(v["skipped"][0]["at"], "line 2");
    assert!(v["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("longer than 16 MiB"));
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");

    let p = dir.path().join("endless-field.csv.gz");
    let mut head = b"Date (UTC),Username,Sign-in error code\n".to_vec();
    for i in 0..50 {
        head.extend_from_slice(format!("2025-03-04T08:00:00Z,u{i}@contoso.com,50126\n").as_bytes());
    }
    head.extend_from_slice(b"2025-03-04T08:00:00Z,\"");
    fs::write(&p, gzip(&[&head, b"\",0\n"], (&block, 64))).unwrap();
    let (code, v, err) = scan_json(&p);
    assert_eq!(code, Some(4), "{err}");
    let e = v["inputs"][0]["error"].as_str().unwrap();
    assert!(
        e.starts_with("line 52: a CSV record longer than 16 MiB"),
        "{e}"
    );
    assert!(
        err.contains("endless-field.csv.gz") && err.contains("line 52"),
        "{err}"
    );
    assert_eq!(v["rows"]["used"], 50);
    assert_eq!(v["rows"]["skipped"], 1);

    let p = dir.path().join("endless-string.json.gz");
    let head = format!("[{},\n{{\"x\":\"", first.trim_end());
    fs::write(&p, gzip(&[head.as_bytes(), b"\"}]"], (&block, 64))).unwrap();
    let (code, v, err) = scan_json(&p);
    assert_eq!(code, Some(4), "{err}");
    let e = v["inputs"][0]["error"].as_str().unwrap();
    assert!(
        e.starts_with("line 2: a JSON record longer than 16 MiB"),
        "{e}"
    );
    assert_eq!(v["rows"]["used"], 1);
    assert_eq!(v["rows"]["skipped"], 1);
}

/// Issue 22: escape and OSC sequences, carriage returns and `=HYPERLINK(…)` in log fields
/// reached the terminal and the spreadsheet as they were. In text and Markdown control
/// characters are shown as escapes; a CSV cell that starts a formula gets a leading `'`.
#[test]
fn control_sequences_and_formulas_from_logs_are_neutralised() {
    let user = "eve\u{1b}]8;;https://evil.example\u{7}click\u{1b}]8;;\u{7}\r\u{1b}[2J@contoso.com";
    let app = "=HYPERLINK(\"https://evil.example\",\"Open\")\u{1b}[31m";
    let ip = "+1-2";
    let mut csv = String::from("Date (UTC),Username,Application,IP address,Sign-in error code\n");
    for i in 0..3 {
        csv.push_str(&format!(
            "2025-03-04T08:0{i}:00Z,\"{user}\",\"{}\",{ip},50126\n",
            app.replace('"', "\"\"")
        ));
    }
    csv.push_str("2025-03-04T08:09:00Z,x,App,1.2.3.4,\"\u{1b}]0;pwned\u{7}\"\n");
    for format in ["text", "md", "csv"] {
        let out = aadsts()
            .args(["scan", "-", "--format", format, "--color", "never"])
            .write_stdin(csv.clone())
            .output()
            .unwrap();
        let o = String::from_utf8(out.stdout).unwrap();
        assert!(o.contains("evil.example"), "{format}: {o}");
        assert!(
            !o.chars().any(|c| c.is_control() && c != '\n'),
            "{format} carries a control character: {o:?}"
        );
        // Markdown escapes the escape's backslash too: it renders as `\x1b[31m`.
        let shown = if format == "md" {
            "\\\\x1b\\[31m"
        } else {
            "\\x1b[31m"
        };
        assert!(o.contains(shown), "{format}: {o}");
        if format != "md" {
            assert!(o.contains("\\x1b]8;;"), "{format}: {o}");
        }
        if format == "csv" {
            let mut r = csv::Reader::from_reader(o.as_bytes());
            let row = r.records().next().unwrap().unwrap();
            assert!(row[12].starts_with("'=HYPERLINK("), "{:?}", &row);
            assert!(row[14].starts_with("'+1"), "{:?}", &row);
            assert!(row[13].starts_with("eve\\x1b]8;;"), "{:?}", &row);
        }
    }
}

/// Issue 22: a CSV header wider than the first bytes read for detection (the columns the
/// scan knows it by come late) was read as text and every row lost. The whole first line,
/// up to 1 MiB, decides.
#[test]
fn a_wide_csv_header_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let extra: Vec<String> = (0..4000).map(|i| format!("Extra column {i}")).collect();
    let mut csv = format!(
        "{},Date (UTC),Username,Sign-in error code\n",
        extra.join(",")
    );
    let cells = vec!["x"; extra.len()].join(",");
    for i in 0..200 {
        csv.push_str(&format!(
            "{cells},2025-03-04T08:00:00Z,u{i}@contoso.com,50126\n"
        ));
    }
    assert!(csv.find('\n').unwrap() > 64 * 1024);
    let p = dir.path().join("wide.csv");
    fs::write(&p, csv).unwrap();
    let (code, v, err) = scan_json(&p);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["inputs"][0]["shape"], "csv");
    assert_eq!(v["rows"]["used"], 200);
}

/// Issue 22: gzip inside gzip, zip and tar.gz were read as text ("nothing to count"). Each
/// is named for what it is; the other inputs are still read and reported, and the run
/// exits 4 because one input failed.
#[test]
fn archives_are_named_and_a_failed_input_makes_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("PT1H.json");
    fs::write(&good, (0..5).map(|i| am_line(i, 0)).collect::<String>()).unwrap();
    let once = gzip(&[am_line(1, 50126).as_bytes()], (b"", 0));
    let twice = dir.path().join("twice.json.gz");
    fs::write(&twice, gzip(&[&once], (b"", 0))).unwrap();
    let zip = dir.path().join("logs.zip");
    let mut z = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
    z.extend_from_slice(&[0u8; 40]);
    fs::write(&zip, z).unwrap();
    let mut tar = vec![0u8; 512];
    tar[..9].copy_from_slice(b"PT1H.json");
    tar[257..263].copy_from_slice(b"ustar\0");
    let targz = dir.path().join("logs.tar.gz");
    fs::write(&targz, gzip(&[&tar], (b"", 0))).unwrap();
    let out = aadsts()
        .args(["scan", "--json"])
        .arg(&good)
        .arg(&twice)
        .arg(&zip)
        .arg(&targz)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"]["used"], 5, "the good input is still counted");
    let err = String::from_utf8_lossy(&out.stderr);
    for (i, (name, what)) in [
        ("twice.json.gz", "gzip inside gzip"),
        ("logs.zip", "a zip archive"),
        ("logs.tar.gz", "a gzip-compressed tar archive"),
    ]
    .iter()
    .enumerate()
    {
        let e = v["inputs"][i + 1]["error"].as_str().unwrap();
        assert!(e.contains(name) && e.contains(what), "{e}");
        assert!(err.contains(what), "{err}");
    }
    // A file name with an escape sequence, found in a directory, is shown escaped on
    // standard error too.
    let evil = dir.path().join("walked");
    fs::create_dir(&evil).unwrap();
    fs::copy(&zip, evil.join("x\u{1b}]0;owned\u{7}.zip")).unwrap();
    let out = aadsts().args(["scan"]).arg(&evil).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("x\\x1b]0;owned\\x07.zip"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}

/// Issue 22: a FIFO matched by a glob blocked the scan forever; a symbolic link out of the
/// directory given was followed (and its file counted twice). From globs and directories
/// only regular files are read, links stay inside the directory, and each entry not read is
/// listed with a note.
#[cfg(unix)]
#[test]
fn fifos_and_links_out_of_the_directory_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    fs::create_dir_all(&logs).unwrap();
    fs::write(
        logs.join("a.json"),
        (0..4).map(|i| am_line(i, 0)).collect::<String>(),
    )
    .unwrap();
    let outside = dir.path().join("secret.json");
    fs::write(&outside, (0..7).map(|i| am_line(i, 0)).collect::<String>()).unwrap();
    std::os::unix::fs::symlink(&outside, logs.join("link.json")).unwrap();
    std::os::unix::fs::symlink(logs.join("a.json"), logs.join("same.json")).unwrap();
    let fifo = logs.join("pipe.json");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    for arg in [logs.clone(), logs.join("*.json")] {
        let out = aadsts()
            .args(["scan", arg.to_str().unwrap(), "--json"])
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{arg:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let inputs = v["inputs"].to_string();
        assert_eq!(v["rows"]["read"], 4, "{arg:?}: {inputs}");
        assert!(inputs.contains("a FIFO"), "{arg:?}: {inputs}");
        if arg == logs {
            assert!(inputs.contains("outside"), "{inputs}");
        }
    }
}

/// Issue 22: an unreadable subdirectory aborted the whole scan, while an unreadable file
/// did not. It is reported on its own input; the rest is read; the exit code is 4.
#[cfg(unix)]
#[test]
fn an_unreadable_subdirectory_is_reported_and_the_rest_read() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let logs = dir.path().join("logs");
    fs::create_dir_all(logs.join("locked")).unwrap();
    fs::write(
        logs.join("a.json"),
        (0..4).map(|i| am_line(i, 0)).collect::<String>(),
    )
    .unwrap();
    fs::write(logs.join("locked/b.json"), am_line(1, 0)).unwrap();
    for p in [dir.path().to_path_buf(), logs.clone(), logs.join("a.json")] {
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    }
    fs::set_permissions(logs.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads any directory: run the scan as nobody then.
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let bin = assert_cmd::cargo::cargo_bin("aadsts");
    let mut cmd = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    let out = cmd
        .args(["scan", logs.to_str().unwrap(), "--json"])
        .env_remove("AADSTS_KB")
        .output()
        .unwrap();
    fs::set_permissions(logs.join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(v["rows"]["read"], 4, "{v}");
    let inputs = v["inputs"].as_array().unwrap();
    let locked = inputs
        .iter()
        .find(|i| i["name"].as_str().unwrap().ends_with("locked"))
        .unwrap();
    assert!(
        locked["error"]
            .as_str()
            .unwrap()
            .contains("ermission denied"),
        "{locked}"
    );
}

/// Issue 22: `--since 2025-02-30` and an offset of `+99:00` were accepted (and rolled over).
#[test]
fn impossible_times_are_usage_errors() {
    for (flag, t) in [
        ("--since", "2025-02-30"),
        ("--until", "2025-03-01T08:00:00+99:00"),
        ("--since", "2025-03-01T25:00:00Z"),
    ] {
        let out = aadsts()
            .args(["scan", "-", flag, t])
            .write_stdin(am_line(1, 0))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {t}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag) && err.contains(t), "{err}");
    }
}
