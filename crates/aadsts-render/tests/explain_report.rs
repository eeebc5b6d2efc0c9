//! The `aadsts explain` report on the held-back-style texts of the extraction crate
//! (crates/aadsts-extract/tests/fixtures/held-*): the tailored steps fit the case, the HTML
//! has no raw Markdown, and JSON offers the steps as plain text.

use aadsts_catalog::Catalog;
use aadsts_extract::extract;
use aadsts_render::report::{self, plain_text};
use aadsts_render::{Format, TextStyle};

fn fixture(name: &str) -> Vec<u8> {
    let p = format!(
        "{}/../aadsts-extract/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// The tailored steps of each error of a fixture.
fn steps(cat: &Catalog, name: &str) -> Vec<Vec<String>> {
    let x = extract(&fixture(name));
    let r = report::build(cat, &x);
    r.items.iter().map(|it| it.tailored.clone()).collect()
}

fn one_steps(cat: &Catalog, name: &str) -> Vec<String> {
    let mut s = steps(cat, name);
    assert_eq!(s.len(), 1, "{name}: {s:#?}");
    s.remove(0)
}

#[test]
fn placeholder_is_named_as_the_cause_and_never_filled_in() {
    let cat = Catalog::builtin();
    let s = one_steps(&cat, "held-msal-python-tenant-null.txt");
    assert!(
        s[0].starts_with("The request carried a placeholder, not a real value: Tenant `null`"),
        "{s:#?}"
    );
    assert!(
        !s.iter()
            .any(|t| t.contains("login.microsoftonline.com/null")),
        "the placeholder is not used as a tenant: {s:#?}"
    );

    let s = one_steps(&cat, "held-msal-js-app-placeholder.txt");
    assert!(s[0].contains("`<your-app-id>`"), "{s:#?}");
    assert!(!s[1..].iter().any(|t| t.contains("your-app-id")), "{s:#?}");

    let all = steps(&cat, "held-placeholders-mixed.txt");
    assert!(all[0][0].contains("`My Tenant ID`"), "{all:#?}");
    assert!(
        all[1].iter().any(|t| t.contains("`{tenant_id}`")),
        "{all:#?}"
    );
    assert!(
        all[1].iter().any(|t| t.contains("`YOUR_CLIENT_ID`")),
        "{all:#?}"
    );
    assert!(all[2][0].contains("`00000000-0000-0000-0000-000000000000`"));
    assert!(
        !all[2][1..]
            .iter()
            .any(|t| t.contains("00000000-0000-0000-0000-000000000000")),
        "the all-zero GUID is not an app to look up: {all:#?}"
    );
}

#[test]
fn malformed_redirect_uri_is_a_configuration_bug_not_a_uri_to_register() {
    let cat = Catalog::builtin();
    for name in ["held-doubled-scheme.json", "held-trailing-double-slash.txt"] {
        let s = one_steps(&cat, name);
        assert!(s[0].contains("is malformed"), "{name}: {s:#?}");
        assert!(s[0].contains("not something to register"), "{name}: {s:#?}");
        assert!(
            !s.iter().any(|t| t.starts_with("Add exactly")),
            "{name}: no step registers the malformed URI: {s:#?}"
        );
    }
}

#[test]
fn localhost_redirect_is_registered_as_it_is() {
    let cat = Catalog::builtin();
    let s = one_steps(&cat, "held-localhost.txt");
    assert!(
        s[0].starts_with("Add exactly `http://localhost:3000/auth/callback`"),
        "{s:#?}"
    );
    assert!(
        !s.iter().any(|t| t.contains("http instead of https")),
        "plain http is normal for localhost: {s:#?}"
    );
}

#[test]
fn main_step_stays_when_the_app_id_is_missing() {
    let cat = Catalog::builtin();
    let s = one_steps(&cat, "held-no-app-id.txt");
    assert!(
        s[0].starts_with("Add exactly `https://intranet.contoso.com/signin-oidc`"),
        "{s:#?}"
    );
    assert!(s[0].contains("`<app-id>`"), "{s:#?}");
    // Other steps still need every value.
    assert!(!s[1..].iter().any(|t| t.contains("<app-id>")), "{s:#?}");
}

#[test]
fn the_flow_selects_the_steps_that_apply() {
    let cat = Catalog::builtin();
    let obo = one_steps(&cat, "held-50013-obo.txt");
    assert!(
        obo.iter()
            .any(|t| t.starts_with("The middle tier `9e0f1a2b")),
        "{obo:#?}"
    );
    let cc = one_steps(&cat, "held-50013-client-certificate.txt");
    assert!(
        !cc.iter().any(|t| t.contains("middle tier")),
        "an app signing in as itself has no middle tier: {cc:#?}"
    );
    let x = extract(&fixture("held-50013-obo.txt"));
    let r = report::build(&cat, &x);
    let text = report::render(&cat, &r, Format::Text, &TextStyle::PLAIN);
    assert!(text.contains("On-behalf-of"), "the flow is shown: {text}");
}

#[test]
fn a_mention_is_shown_as_one_not_as_an_error() {
    let cat = Catalog::builtin();
    let x = extract(&fixture("held-github-issue-mentions.md"));
    let r = report::build(&cat, &x);
    let text = report::render(&cat, &r, Format::Text, &TextStyle::PLAIN);
    assert!(text.starts_with("Found 1 distinct error"), "{text}");
    assert!(text.contains("Mentioned again"), "{text}");
}

#[test]
fn html_report_has_a_real_table_and_no_raw_markdown() {
    let cat = Catalog::builtin();
    let x = extract(&fixture("held-localhost.txt"));
    let r = report::build(&cat, &x);
    let html = report::render(&cat, &r, Format::Html, &TextStyle::PLAIN);
    assert!(html.contains("<table>"), "{html}");
    assert!(html.contains("<th>Found</th>"), "{html}");
    assert!(!html.contains("|---|"), "no raw table Markdown");
    assert!(!html.contains("```"), "no raw fence");
    assert!(!html.contains("<p>powershell"), "no fence tag as text");
}

#[test]
fn json_offers_every_step_as_plain_text() {
    let cat = Catalog::builtin();
    let x = extract(&fixture("held-localhost.txt"));
    let r = report::build(&cat, &x);
    let v: serde_json::Value = serde_json::from_str(&report::json(&cat, &r)).unwrap();
    let e = &v["errors"][0];
    let md = e["tailored_steps"].as_array().unwrap();
    let plain = e["tailored_steps_text"].as_array().unwrap();
    assert_eq!(md.len(), plain.len());
    assert!(!plain.is_empty());
    for p in plain {
        let p = p.as_str().unwrap();
        assert!(!p.contains('`') && !p.contains("**"), "{p}");
    }
    assert!(plain[0]
        .as_str()
        .unwrap()
        .starts_with("Add exactly http://localhost:3000/auth/callback (same scheme"));
    assert_eq!(e["mentions"], 0);
    assert_eq!(e["suspect_values"], serde_json::json!([]));
}

#[test]
fn plain_text_flattens_a_fenced_block_without_its_tag() {
    let md = "Rotate the secret with Microsoft Graph PowerShell:\n   ```powershell\n   $app = Get-MgApplication -Filter \"appId eq '<client-id>'\"\n   Add-MgApplicationPassword -ApplicationId $app.Id\n   ```\n   Then update the app's configuration.";
    let p = plain_text(md);
    assert_eq!(
        p,
        "Rotate the secret with Microsoft Graph PowerShell: $app = Get-MgApplication -Filter \"appId eq '<client-id>'\"; Add-MgApplicationPassword -ApplicationId $app.Id Then update the app's configuration."
    );
    assert!(!p.contains("powershell $app"));
    assert_eq!(
        plain_text("Open **Entra ID → App registrations → `x`** and see [the docs](https://learn.microsoft.com/a)."),
        "Open Entra ID → App registrations → x and see the docs <https://learn.microsoft.com/a>."
    );
}
