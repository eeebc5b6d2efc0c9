//! Realistic pasted errors (tests/fixtures), each with what must be found in it.

use super::*;

fn fx(name: &str) -> Extraction {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    extract(&std::fs::read(&path).unwrap())
}

fn one(name: &str) -> FoundError {
    let e = fx(name);
    assert_eq!(e.errors.len(), 1, "{name}: {:#?}", e.errors);
    e.errors.into_iter().next().unwrap()
}

#[test]
fn oauth_json_response() {
    let e = one("oauth-json-invalid-client.json");
    assert_eq!(e.code, 7000222);
    assert_eq!(e.oauth_error.as_deref(), Some("invalid_client"));
    assert_eq!(
        e.trace_id.as_deref(),
        Some("0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b")
    );
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b5a")
    );
    assert_eq!(e.timestamp.as_deref(), Some("2025-03-14T08:26:53Z"));
    assert_eq!(e.values["app_id"], "4f1c2a7e-8b3d-4e5f-9a0b-1c2d3e4f5a6b");
    assert_eq!(
        e.values["error_uri"],
        "https://login.microsoftonline.com/error?code=7000222"
    );
    assert!(e
        .message
        .as_deref()
        .unwrap()
        .starts_with("The provided client secret keys for app"));
    assert!(!e.message.as_deref().unwrap().contains("Trace ID"));
}

#[test]
fn escaped_description_with_redirect_uri() {
    let e = one("oauth-json-redirect-escaped.json");
    assert_eq!(e.code, 50011);
    assert_eq!(
        e.values["redirect_uri"],
        "https://localhost:5001/signin-oidc"
    );
    assert_eq!(e.values["app_id"], "2d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60");
    assert_eq!(
        e.trace_id.as_deref(),
        Some("5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d")
    );
    assert_eq!(e.timestamp.as_deref(), Some("2024-11-02T17:04:11Z"));
    assert!(e.count >= 1);
}

#[test]
fn msal_net_exception_collapses_repeats() {
    let x = fx("msal-net-ui-required.txt");
    assert_eq!(x.errors.len(), 1, "{:#?}", x.errors);
    let e = &x.errors[0];
    assert_eq!(e.code, 50076);
    assert!(e.count >= 3, "the same error three times: {}", e.count);
    assert_eq!(e.suberror.as_deref(), Some("basic_action"));
    assert_eq!(e.oauth_error.as_deref(), Some("invalid_grant"));
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("3e2d1c0b-a998-4877-a665-5443322110ff")
    );
    assert!(
        e.values["claims"].contains("capolids"),
        "{:?}",
        e.values.get("claims")
    );
    assert_eq!(e.values["http_status"], "400");
    assert!(e.other_correlation_ids.is_empty());
}

#[test]
fn msal_python_repr() {
    let e = one("msal-python-dict.txt");
    assert_eq!(e.code, 7000215);
    assert_eq!(e.values["app_id"], "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d");
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f")
    );
    assert_eq!(e.timestamp.as_deref(), Some("2024-08-07T13:45:02Z"));
}

#[test]
fn msal_js_server_error() {
    let e = one("msal-js-server-error.txt");
    assert_eq!(e.code, 700016);
    assert_eq!(e.values["app_id"], "8e7d6c5b-4a39-4281-9f0e-d1c2b3a49586");
    assert_eq!(e.values["tenant"], "Fabrikam");
    assert_eq!(
        e.trace_id.as_deref(),
        Some("4d5e6f70-8192-4a3b-bc4d-5e6f708192a3")
    );
}

#[test]
fn azure_cli_with_colour_codes() {
    let x = fx("azure-cli-ansi.txt");
    assert!(x.decoded.contains(&"ansi"));
    let e = &x.errors[0];
    assert_eq!(x.errors.len(), 1);
    assert_eq!(e.code, 50173);
    assert_eq!(e.timestamp.as_deref(), Some("2024-12-03T08:00:17Z"));
    assert!(!e.message.as_deref().unwrap().contains('\u{1b}'));
}

#[test]
fn powershell_hard_wrapped_console() {
    let x = fx("powershell-wrapped.txt");
    assert!(x.decoded.contains(&"console-wrap"), "{:?}", x.decoded);
    assert_eq!(x.errors.len(), 1, "{:#?}", x.errors);
    let e = &x.errors[0];
    assert_eq!(e.code, 700027);
    assert_eq!(
        e.values["thumbprint"],
        "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
    );
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")
    );
    assert_eq!(e.timestamp.as_deref(), Some("2025-02-17T11:20:33Z"));
}

#[test]
fn redirect_url_fragment() {
    let x = fx("redirect-url-fragment.txt");
    assert!(x.decoded.contains(&"percent-encoding"));
    let e = &x.errors[0];
    assert_eq!(e.code, 65004);
    assert_eq!(e.oauth_error.as_deref(), Some("access_denied"));
    assert_eq!(
        e.trace_id.as_deref(),
        Some("9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d")
    );
    assert_eq!(e.timestamp.as_deref(), Some("2025-04-02T06:15:40Z"));
    assert_eq!(
        e.message.as_deref(),
        Some("User declined to consent to access the app.")
    );
}

#[test]
fn browser_error_page() {
    let e = one("browser-page.txt");
    assert_eq!(e.code, 50105);
    assert_eq!(e.count, 2);
    assert_eq!(
        e.request_id.as_deref(),
        Some("4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8")
    );
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e")
    );
    assert_eq!(e.timestamp.as_deref(), Some("2025-05-06T14:22:09.417Z"));
    assert_eq!(e.values["app_name"], "Contoso Expenses");
    assert_eq!(e.values["app_id"], "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e");
    assert_eq!(e.values["user"], "megan.bowen@contoso.com");
    assert_eq!(e.values["ip_address"], "198.51.100.23");
    assert_eq!(e.values["device_platform"], "Windows 10");
    assert_eq!(e.values["device_state"], "Unregistered");
}

#[test]
fn ci_log_with_several_errors() {
    let x = fx("ci-log-mixed.txt");
    let codes: Vec<u32> = x.errors.iter().map(|e| e.code).collect();
    assert_eq!(codes, vec![700213, 7000222]);
    let secret = &x.errors[1];
    assert_eq!(secret.count, 2);
    assert_eq!(
        secret.correlation_id.as_deref(),
        Some("0a1b2c3d-4e5f-4061-8728-394a5b6c7d8e")
    );
    assert_eq!(
        secret.other_correlation_ids,
        vec!["1a1b2c3d-4e5f-4061-8728-394a5b6c7d8e"]
    );
    let fic = &x.errors[0];
    assert_eq!(
        fic.trace_id.as_deref(),
        Some("1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5")
    );
    assert_eq!(fic.timestamp.as_deref(), Some("2025-03-01T02:00:03Z"));
}

#[test]
fn terraform_output() {
    let e = one("terraform-error.txt");
    assert_eq!(e.code, 700016);
    assert_eq!(e.values["tenant"], "contoso.onmicrosoft.com");
    assert_eq!(e.values["app_id"], "0e9d8c7b-6a59-4483-b2a1-90fedcba8765");
    assert_eq!(e.values["http_status"], "401");
    assert_eq!(e.oauth_error.as_deref(), Some("unauthorized_client"));
}

#[test]
fn html_entity_encoded() {
    let x = fx("html-entities.html");
    assert!(x.decoded.contains(&"html-entities"));
    let e = &x.errors[0];
    assert_eq!(e.code, 50020);
    assert_eq!(e.values["user"], "guest.user@fabrikam.com");
    assert_eq!(
        e.values["identity_provider"],
        "https://sts.windows.net/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d/"
    );
    assert_eq!(e.values["app_id"], "7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d");
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e1f")
    );
}

#[test]
fn saml_status_message() {
    let e = one("saml-response.xml");
    assert_eq!(e.code, 75011);
    assert_eq!(
        e.trace_id.as_deref(),
        Some("2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b")
    );
    assert_eq!(e.timestamp.as_deref(), Some("2025-02-11T10:31:22Z"));
}

#[test]
fn localised_labels() {
    let e = one("localized-german.txt");
    assert_eq!(e.code, 50126);
    assert_eq!(
        e.trace_id.as_deref(),
        Some("6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f")
    );
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c")
    );
    assert_eq!(e.timestamp.as_deref(), Some("2025-01-08T07:55:14Z"));
}

#[test]
fn labelled_codes_without_prefix() {
    let e = one("signin-log-line.txt");
    assert_eq!(e.code, 50053);
    assert_eq!(e.found_by, "labelled code");
    assert_eq!(e.count, 2);
    assert_eq!(e.values["ip_address"], "203.0.113.77");
}

#[test]
fn no_invented_codes() {
    let x = fx("no-code.txt");
    assert!(x.errors.is_empty(), "{:#?}", x.errors);
}

#[test]
fn a_million_digits_is_not_a_code() {
    let digits = format!("AADSTS{}", "9".repeat(1_000_000));
    assert!(extract(digits.as_bytes()).errors.is_empty());
}

#[test]
fn invalid_utf8_is_replaced_not_fatal() {
    let mut invalid =
        b"AADSTS50126: bad \xff\xfe bytes Trace ID: 6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f".to_vec();
    invalid.extend(std::iter::repeat_n(0x80u8, 1000));
    assert_eq!(extract(&invalid).errors[0].code, 50126);
}

#[test]
fn deeply_nested_json_is_searched_as_text() {
    let nested = format!(
        "{}\"error_codes\":[50126]{}",
        "[{\"a\":".repeat(100_000),
        "}]".repeat(100_000)
    );
    assert_eq!(extract(nested.as_bytes()).errors[0].code, 50126);
}

#[test]
fn one_huge_line() {
    let long_line = format!(
        "{}AADSTS50058 {}",
        "x ".repeat(2_000_000),
        "y".repeat(1_000_000)
    );
    assert_eq!(extract(long_line.as_bytes()).errors[0].code, 50058);
}

#[test]
fn twenty_thousand_repeats_collapse() {
    let many: String = (0..20_000)
        .map(|i| format!("line {i} AADSTS50126: again\n"))
        .collect();
    let x = extract(many.as_bytes());
    assert_eq!(x.errors.len(), 1);
    assert_eq!(x.errors[0].count, 20_000);
}

#[test]
fn templates_fill_only_when_every_value_is_known() {
    let mut v = BTreeMap::new();
    v.insert("app_id", "x".to_string());
    assert_eq!(
        fill_template("App {app_id}.", &v).as_deref(),
        Some("App x.")
    );
    assert_eq!(fill_template("App {app_id} at {redirect_uri}", &v), None);
}

#[test]
fn msal_java_exception_with_cause_chain() {
    let x = fx("msal-java-exception.txt");
    assert_eq!(x.errors.len(), 1, "{:#?}", x.errors);
    let e = &x.errors[0];
    assert_eq!(e.code, 700027);
    assert_eq!(e.count, 2);
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("8d9e0f1a-2b3c-4d5e-8f60-718293a4b5c6")
    );
    assert_eq!(e.timestamp.as_deref(), Some("2025-06-03T14:02:17Z"));
}

#[test]
fn kubernetes_json_logs_repeat_with_new_ids() {
    let x = fx("k8s-pod-logs.txt");
    assert_eq!(x.errors.len(), 1, "{:#?}", x.errors);
    let e = &x.errors[0];
    assert_eq!(e.code, 700213);
    assert_eq!(e.count, 2);
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d")
    );
    assert_eq!(
        e.other_correlation_ids,
        vec!["7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f"]
    );
    assert_eq!(e.timestamp.as_deref(), Some("2025-07-21T03:14:07Z"));
}

#[test]
fn azure_devops_task_log() {
    let e = one("azure-devops-task.txt");
    assert_eq!(e.code, 7000215);
    assert_eq!(e.values["app_id"], "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0ff");
    assert_eq!(
        e.trace_id.as_deref(),
        Some("0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b")
    );
    assert_eq!(e.timestamp.as_deref(), Some("2025-08-12T09:41:58Z"));
}

#[test]
fn ws_federation_html_page() {
    let x = fx("wsfed-response.xml");
    assert!(x.decoded.contains(&"html-entities"), "{:?}", x.decoded);
    let e = &x.errors[0];
    assert_eq!(x.errors.len(), 1);
    assert_eq!(e.code, 50105);
    assert_eq!(e.values["user"], "adele.vance@contoso.com");
    assert_eq!(e.values["app_name"], "SharePoint Intranet");
    assert_eq!(e.values["app_id"], "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a")
    );
}

#[test]
fn browser_page_in_french() {
    let e = one("browser-page-french.txt");
    assert_eq!(e.code, 53003);
    // The page's request id is the service's trace id; in another language it is found by
    // the trailer's shape (id, id, time) rather than by its label.
    assert_eq!(
        e.trace_id.as_deref(),
        Some("5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b")
    );
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c")
    );
    assert_eq!(e.timestamp.as_deref(), Some("2025-10-14T07:03:22.118Z"));
}

#[test]
fn redirect_url_query_string() {
    let e = one("redirect-url-query.txt");
    assert_eq!(e.code, 7000222);
    assert_eq!(e.oauth_error.as_deref(), Some("invalid_client"));
    assert_eq!(e.values["app_id"], "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e");
    assert_eq!(
        e.correlation_id.as_deref(),
        Some("d3e4f5a6-b7c8-4d9e-8f0a-1b2c3d4e5f6a")
    );
    assert_eq!(e.timestamp.as_deref(), Some("2025-11-03T16:45:09Z"));
}

#[test]
fn every_found_code_is_written_in_its_fixture() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let raw = std::fs::read(&path).unwrap();
        let text = decode(&String::from_utf8_lossy(&raw)).text;
        for e in extract(&raw).errors {
            seen += 1;
            assert!(
                text.contains(&e.code.to_string()),
                "{}: code {} is not in the text",
                path.display(),
                e.code
            );
            for id in [&e.trace_id, &e.correlation_id, &e.request_id]
                .into_iter()
                .flatten()
            {
                assert!(
                    text.to_lowercase().contains(id.as_str()),
                    "{}: id {id} is not in the text",
                    path.display()
                );
            }
        }
    }
    assert!(
        seen >= 20,
        "the fixtures hold at least 20 errors, found {seen}"
    );
}

/// Regression: found by the property test `arbitrary_bytes_never_panic`. An `&` followed by
/// invalid UTF-8 (replaced by 3-byte U+FFFD) made the entity lookahead cut inside a char.
#[test]
fn ampersand_before_invalid_utf8() {
    let mut input = b"AADSTS50126: a &abcdefghi".to_vec();
    input.extend_from_slice(&[0xff, 0xfe, 0xfd, b';']);
    assert_eq!(extract(&input).errors[0].code, 50126);
}

/// Regression (issue 22): a line made only of codes (`AADSTS50126 ` repeated) was quadratic
/// — every code read the whole rest of its line for its message — and 1 MiB took minutes.
#[test]
fn a_line_full_of_codes_is_read_in_linear_time() {
    // No clock here (timing assertions are flaky): 1 MiB of codes on one line took minutes
    // when every code rescanned the rest of its line; linear extraction finishes at once,
    // and a regression shows as this test hanging, not as a number.
    let large = "AADSTS50126 ".repeat(1024 * 1024 / 12);
    let x = extract(large.as_bytes());
    let total: usize = x.errors.iter().map(|e| e.count).sum();
    assert_eq!(total, large.len() / 12, "every code is counted");
    assert!(x.errors.iter().all(|e| e.code == 50126));
}

/// The message of a code on a long line is read from the text that follows it, up to a
/// stop, and kept to 600 characters, however long the line.
#[test]
fn message_on_a_long_line_is_cut_at_600_characters() {
    let text = format!("AADSTS50126: {} Trace ID: x", "word ".repeat(100_000));
    let x = extract(text.as_bytes());
    let m = x.errors[0].message.as_deref().unwrap();
    assert_eq!(m.chars().count(), 600);
    assert!(m.starts_with("word word"));
    let short = extract(b"AADSTS50126: Error validating credentials. Trace ID: 0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b");
    assert_eq!(
        short.errors[0].message.as_deref(),
        Some("Error validating credentials.")
    );
}

/// A caller with a deadline (the web server) gets the same result in time, and an error
/// once the deadline has passed instead of the work running on.
#[test]
fn extraction_respects_its_deadline() {
    use std::time::{Duration, Instant};
    let text = "AADSTS50126 ".repeat(10_000);
    let far = Instant::now() + Duration::from_secs(3600);
    assert_eq!(
        extract_until(text.as_bytes(), far).unwrap(),
        extract(text.as_bytes())
    );
    assert_eq!(
        extract_until(text.as_bytes(), Instant::now()),
        Err(TimedOut)
    );
}

/// What a Markdown renderer makes of `md`: the text it shows (code spans included) and the
/// links it would make.
fn rendered(md: &str) -> (String, Vec<String>) {
    use pulldown_cmark::{Event, Parser, Tag};
    let (mut text, mut links) = (String::new(), Vec::new());
    for ev in Parser::new(md) {
        match ev {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::Html(h) | Event::InlineHtml(h) => text.push_str(&format!("<html:{h}>")),
            _ => {}
        }
    }
    (text, links)
}

/// Issue 22: a pasted redirect URI with a backtick and Markdown closed the template's code
/// span and came out as a live link in "For this error". Values are data: inside a code span
/// or in running text, the renderer shows them as pasted and makes no link of them.
#[test]
fn template_values_are_never_parsed_as_markdown() {
    let hostile = [
        "https://x`[Repair](https://evil.example/fix)`",
        "``[a](https://evil.example/)``",
        "`",
        " `x` ",
        "<a href=\"https://evil.example\">x</a> <https://evil.example> &amp; *em* _u_ **b**",
        "x\n\n[Repair](https://evil.example/fix)\n# heading",
        "[ref]: https://evil.example\n[ref]",
        "\\`[Repair](https://evil.example/fix)\\`",
    ];
    let templates = [
        "Add exactly `{redirect_uri}` under **Entra ID → App registrations → `{app_id}`**.",
        "Open {redirect_uri} in the browser, then check **{redirect_uri}** again.",
        "Run `Get-MgApplication -Filter \"web/redirectUris/any(u: u eq '{redirect_uri}')\"` now.",
        "``{redirect_uri}`` and `x` and {redirect_uri}",
    ];
    for v in hostile {
        let mut values = BTreeMap::new();
        values.insert("redirect_uri", v.to_string());
        values.insert("app_id", "2d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60".to_string());
        let shown = v.replace(['\n', '\r'], " ");
        for t in templates {
            let md = fill_template(t, &values).unwrap();
            let (text, links) = rendered(&md);
            assert!(links.is_empty(), "{v:?} in {t:?} made a link: {md}");
            assert!(!text.contains("<html:"), "{v:?} made HTML: {md}");
            // The value is shown as it was pasted (line breaks as spaces).
            assert!(
                text.contains(shown.trim()),
                "{v:?} in {t:?}: shows {text:?} from {md}"
            );
        }
    }
    // Ordinary values read as before.
    let mut values = BTreeMap::new();
    values.insert(
        "redirect_uri",
        "https://localhost:5001/signin-oidc".to_string(),
    );
    assert_eq!(
        fill_template("Add `{redirect_uri}` now.", &values).unwrap(),
        "Add `https://localhost:5001/signin-oidc` now."
    );
}

#[test]
fn markdown_code_and_text_show_the_value() {
    for v in [
        "a",
        "a`b",
        "``",
        "` x",
        "x `",
        "  ",
        " a ",
        "a\u{1b}]8;;x\u{7}b",
        "[l](https://e/)",
    ] {
        let (text, links) = rendered(&markdown_code(v));
        assert_eq!(
            text,
            v.replace(char::is_control, " "),
            "{}",
            markdown_code(v)
        );
        assert!(links.is_empty());
        if !v.trim().is_empty() {
            let (text, links) = rendered(&markdown_text(v));
            assert_eq!(text.trim(), v.replace(char::is_control, " ").trim());
            assert!(links.is_empty());
        }
    }
}

/// What the full reading finds in `text`: the decodings applied and the codes.
fn full_reading(text: &str) -> (Vec<&'static str>, usize) {
    let d = decode(text);
    let codes = fields::find_codes(&d.text).len();
    (d.applied, codes)
}

/// The skip before decoding (issue 19) must never skip text the full reading finds a code
/// in, or changes by decoding: each way a code can be hidden from a plain search is read.
#[test]
fn text_skipped_before_decoding_holds_no_code() {
    let wide = "x".repeat(70);
    for hidden in [
        "AADSTS50126: bad password".to_string(),
        "aadsts50126".to_string(),
        "AAD\u{1b}[0mSTS50126".to_string(),
        "&#65;ADSTS50126".to_string(),
        "\\u0041ADSTS50126".to_string(),
        "AAD\\rSTS50126".to_string(),
        "https://app/cb?error_description=%41ADSTS50126".to_string(),
        "Error Code: 50126".to_string(),
        "error&nbsp;code: 50126".to_string(),
        "ResultType=50126".to_string(),
        "\"error_codes\": [50126]".to_string(),
        "AAD\u{17f}TS50126".to_string(),
        format!("{wide}\n{wide}\n{}AAD\nSTS50126 x\nshort", &wide[..67]),
    ] {
        let (applied, codes) = full_reading(&hidden);
        assert!(codes > 0 || !applied.is_empty(), "{hidden:?}");
        assert!(may_hold_error(&hidden), "{hidden:?} was skipped");
    }
    // An ordinary log is skipped, and its full reading finds nothing indeed.
    let mut log: String = (0..50)
        .map(|i| {
            format!(
                "2025-03-01T02:00:01Z INFO api path=/v1/orders/{i} status=200 elapsed_ms={}\n",
                i * i
            )
        })
        .collect();
    // Many lines share the longest length: a console may have wrapped them, so it is read.
    assert!(may_hold_error(&log));
    log.push_str("2025-03-01T02:00:02Z INFO shutdown requested by the service manager, draining\n");
    assert!(!may_hold_error(&log));
    assert_eq!(full_reading(&log), (vec![], 0));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
    #[test]
    fn whatever_is_skipped_the_full_reading_finds_nothing_in(
        parts in proptest::collection::vec(proptest::prelude::prop_oneof![
            proptest::prelude::Just("AAD"), proptest::prelude::Just("STS"),
            proptest::prelude::Just("50126"), proptest::prelude::Just("error"),
            proptest::prelude::Just(" code"), proptest::prelude::Just("_codes"),
            proptest::prelude::Just("result"), proptest::prelude::Just("Type"),
            proptest::prelude::Just(": "), proptest::prelude::Just("="),
            proptest::prelude::Just("\n"), proptest::prelude::Just("\r\n"),
            proptest::prelude::Just("&#65;"), proptest::prelude::Just("\\u0041"),
            proptest::prelude::Just("\u{1b}[0m"), proptest::prelude::Just("%41"),
            proptest::prelude::Just("?error_description="), proptest::prelude::Just("[1]"),
            proptest::prelude::Just("\u{17f}"), proptest::prelude::Just("x"),
            proptest::prelude::Just("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"),
        ], 0..30)
    ) {
        let text = parts.concat();
        if !may_hold_error(&text) {
            proptest::prop_assert_eq!(full_reading(&text), (vec![], 0), "{:?}", text);
        }
    }
}
