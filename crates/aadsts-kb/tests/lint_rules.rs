//! Each linter rule, proved on a small knowledge base written here: a good page passes,
//! and each kind of breakage is reported with the right file, line and rule.

use aadsts_kb::{load_source, Diagnostic};
use std::fs;
use tempfile::TempDir;

const CATEGORIES: &str = r#"
[[category]]
id = "app-config"
title = "Apps"
summary = "App things."
about = "About apps."
"#;

fn page(code: u32, name: Option<&str>, unique: &str) -> String {
    let name = name
        .map(|n| format!("name = \"{n}\"\n"))
        .unwrap_or_default();
    format!(
        r#"+++
code = {code}
{name}title = "Title for {code}"
severity = "medium"
category = "app-config"
fixer = "admin"
retry = "after-fix"
signal = "failure"
documented = "docs"
related = []
[[docs]]
id = "ref"
title = "Reference"
url = "https://learn.microsoft.com/entra/identity-platform/reference-error-codes"
[review]
reviewer = "tester"
date = "2026-12-06"
changes = "Checked every claim of {code}."
+++

## Meaning
The meaning of code {code} is specific: {unique}.

## Common causes
1. First cause of {code} in detail, {unique}. [src: ref]
2. Second cause of {code} in detail, {unique}. [src: inference]
3. Third cause of {code} in detail, {unique}. [src: ref, inference]

## How to fix
1. First fix for {code}, {unique}. [src: ref]
2. Second fix for {code}, {unique}. [src: ref]
3. Third fix for {code}, {unique}. [src: inference]

## Diagnose
- First look for {code}, {unique}.
- Second look for {code}, {unique}.

## Collect for support
- Item one for {code}, {unique}.
- Item two for {code}, {unique}.

## FAQ
### Why {code}?
Because of {unique} and nothing else.
"#
    )
}

struct Kb {
    dir: TempDir,
}

impl Kb {
    fn new() -> Kb {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("codes")).unwrap();
        fs::create_dir_all(dir.path().join("reference")).unwrap();
        fs::write(dir.path().join("categories.toml"), CATEGORIES).unwrap();
        fs::write(
            dir.path().join("reference/documented-codes.tsv"),
            "code\tofficial_name\tgist\n50105\tEntitlementGrantsNotFound\t\n28002\t\tscope invalid\n50011\tInvalidReplyTo\t\n",
        )
        .unwrap();
        fs::write(
            dir.path().join("reference/undocumented-codes.tsv"),
            "code\tgist\tsources\n500121\tmfa failed\tx\n",
        )
        .unwrap();
        fs::write(dir.path().join("pending.txt"), "0\n28002\n50011\n500121\n").unwrap();
        let kb = Kb { dir };
        kb.write(
            50105,
            &page(
                50105,
                Some("EntitlementGrantsNotFound"),
                "alpha bravo charlie",
            ),
        );
        kb
    }
    fn write(&self, code: u32, text: &str) {
        fs::write(
            self.dir.path().join("codes").join(format!("{code}.md")),
            text,
        )
        .unwrap();
    }
    fn lint(&self) -> Vec<Diagnostic> {
        load_source(self.dir.path()).unwrap().lint()
    }
}

fn has(d: &[Diagnostic], rule: &str, file_end: &str, line: usize) -> bool {
    d.iter()
        .any(|x| x.rule == rule && x.file.ends_with(file_end) && x.line == line)
}

#[test]
fn a_good_page_passes() {
    let kb = Kb::new();
    assert_eq!(kb.lint(), vec![]);
}

#[test]
fn title_over_80_chars() {
    let kb = Kb::new();
    let long = "x".repeat(81);
    kb.write(
        50105,
        &page(50105, Some("EntitlementGrantsNotFound"), "u").replace("Title for 50105", &long),
    );
    let d = kb.lint();
    assert!(has(&d, "title", "50105.md", 4), "{d:?}");
}

#[test]
fn name_must_match_microsofts_table() {
    let kb = Kb::new();
    kb.write(50105, &page(50105, Some("EntitlementGrantNotFound"), "u"));
    let d = kb.lint();
    assert!(has(&d, "name", "50105.md", 3), "{d:?}");
    assert!(d[0].message.contains("EntitlementGrantsNotFound"));
    // A code the table lists without a name must not carry one.
    kb.write(28002, &page(28002, Some("MadeUp"), "v"));
    fs::write(kb.dir.path().join("pending.txt"), "0\n50011\n500121\n").unwrap();
    assert!(has(&kb.lint(), "name", "28002.md", 3));
}

#[test]
fn related_code_without_a_page() {
    let kb = Kb::new();
    kb.write(
        50105,
        &page(50105, Some("EntitlementGrantsNotFound"), "u")
            .replace("related = []", "related = [50011, 99999, 50105]"),
    );
    let d = kb.lint();
    assert!(
        d.iter()
            .any(|x| x.rule == "related" && x.message.contains("99999")),
        "{d:?}"
    );
    assert!(
        d.iter()
            .any(|x| x.rule == "related" && x.message.contains("own code")),
        "{d:?}"
    );
    assert!(
        !d.iter().any(|x| x.message.contains("50011")),
        "pending codes may be related: {d:?}"
    );
}

#[test]
fn non_https_urls() {
    let kb = Kb::new();
    let text = page(50105, Some("EntitlementGrantsNotFound"), "u")
        .replace(
            "related = []",
            "related = []\n[[docs]]\ntitle = \"Old\"\nurl = \"http://example.com/a\"",
        )
        .replace(
            "First look for 50105",
            "First look at [the page](http://example.com/b) for 50105",
        );
    kb.write(50105, &text);
    let d = kb.lint();
    assert!(has(&d, "https", "50105.md", 14), "{d:?}");
    assert!(d.iter().filter(|x| x.rule == "https").count() == 2, "{d:?}");
}

/// Issue 22: an image or a protocol-relative link in a page (its text or a `[[tailor]]`
/// step) passed the linter, which only looked for `http://`.
#[test]
fn images_and_protocol_relative_links() {
    let kb = Kb::new();
    let text = page(50105, Some("EntitlementGrantsNotFound"), "u")
        .replace(
            "related = []",
            "related = []\n[[tailor]]\ntext = \"Open [the fix](//evil.example/{app_id}) for `{app_id}`.\"",
        )
        .replace(
            "First look for 50105",
            "First look at ![the screen](https://evil.example/x.png) for 50105",
        )
        .replace(
            "Second look for 50105",
            "Second look at [the page](//evil.example/b) for 50105",
        );
    kb.write(50105, &text);
    let d = kb.lint();
    let https: Vec<_> = d.iter().filter(|x| x.rule == "https").collect();
    assert_eq!(https.len(), 3, "{d:?}");
    assert!(https.iter().any(|x| x.message.contains("image")), "{d:?}");
    assert!(has(&d, "https", "50105.md", 12), "{d:?}");
    assert!(
        https
            .iter()
            .filter(|x| x.message.contains("//evil.example"))
            .count()
            == 2,
        "{d:?}"
    );
}

#[test]
fn repeated_paragraph_across_pages() {
    let kb = Kb::new();
    let mut other = page(28002, None, "delta echo foxtrot");
    other = other.replace(
        "1. First cause of 28002 in detail, delta echo foxtrot.",
        "1. First cause of 50105 in detail, alpha bravo charlie.",
    );
    kb.write(28002, &other);
    fs::write(kb.dir.path().join("pending.txt"), "0\n50011\n500121\n").unwrap();
    let d = kb.lint();
    let rep: Vec<_> = d
        .iter()
        .filter(|x| x.rule == "repeated-paragraph")
        .collect();
    assert_eq!(rep.len(), 1, "{d:?}");
    assert!(rep[0].file.ends_with("50105.md") || rep[0].file.ends_with("28002.md"));
    assert!(rep[0].message.contains("repeats"));
}

#[test]
fn failure_pages_need_three_causes_and_steps() {
    let kb = Kb::new();
    let text = page(50105, Some("EntitlementGrantsNotFound"), "u").replace(
        "3. Third cause of 50105 in detail, u. [src: ref, inference]\n",
        "",
    );
    kb.write(50105, &text);
    let d = kb.lint();
    assert!(
        d.iter()
            .any(|x| x.rule == "count" && x.message.contains("3 causes")),
        "{d:?}"
    );
    // An interrupt may have fewer.
    kb.write(
        50105,
        &text.replace("signal = \"failure\"", "signal = \"interrupt\""),
    );
    assert_eq!(kb.lint(), vec![]);
}

#[test]
fn generic_advice_only_last() {
    let kb = Kb::new();
    let text = page(50105, Some("EntitlementGrantsNotFound"), "u").replace(
        "1. First fix for 50105, u.",
        "1. Contact support about 50105.",
    );
    kb.write(50105, &text);
    let d = kb.lint();
    assert!(has(&d, "generic-advice", "50105.md", 31), "{d:?}");
    let ok = page(50105, Some("EntitlementGrantsNotFound"), "u").replace(
        "3. Third fix for 50105, u.",
        "3. If it persists, open a support request with the correlation id.",
    );
    kb.write(50105, &ok);
    assert_eq!(kb.lint(), vec![]);
}

#[test]
fn coverage_and_pending_stay_honest() {
    let kb = Kb::new();
    fs::write(
        kb.dir.path().join("pending.txt"),
        "0\n28002\n50011\n500121\n50105\n",
    )
    .unwrap();
    let d = kb.lint();
    assert!(
        d.iter()
            .any(|x| x.rule == "coverage" && x.message.contains("50105 has a page")),
        "{d:?}"
    );
    fs::write(kb.dir.path().join("pending.txt"), "0\n28002\n").unwrap();
    let d = kb.lint();
    assert!(
        d.iter().any(|x| x.rule == "coverage"
            && x.file.ends_with("50011.md")
            && x.message.contains("no page explains it")),
        "{d:?}"
    );
}

#[test]
fn file_name_must_match_code() {
    let kb = Kb::new();
    fs::write(
        kb.dir.path().join("codes/50106.md"),
        page(50105, Some("EntitlementGrantsNotFound"), "zz"),
    )
    .unwrap();
    let d = kb.lint();
    assert!(
        d.iter()
            .any(|x| x.rule == "file-name" && x.file.ends_with("50106.md")),
        "{d:?}"
    );
}

#[test]
fn unknown_category() {
    let kb = Kb::new();
    kb.write(
        50105,
        &page(50105, Some("EntitlementGrantsNotFound"), "u")
            .replace("category = \"app-config\"", "category = \"nope\""),
    );
    assert!(has(&kb.lint(), "category", "50105.md", 6));
}

/// The page as `page()` writes it, with one text replaced (which must occur).
fn edited(code: u32, name: Option<&str>, from: &str, to: &str) -> String {
    let p = page(code, name, "u");
    assert!(p.contains(from), "{from}");
    p.replacen(from, to, 1)
}

const NAME: Option<&str> = Some("EntitlementGrantsNotFound");

#[test]
fn every_cause_and_fix_step_names_its_source() {
    let kb = Kb::new();
    kb.write(
        50105,
        &edited(
            50105,
            NAME,
            "Second fix for 50105, u. [src: ref]",
            "Second fix for 50105, u.",
        ),
    );
    let d = kb.lint();
    assert!(has(&d, "source", "50105.md", 32), "{d:?}");
    assert!(d[0].message.contains("fix step 2"), "{d:?}");
}

#[test]
fn a_source_must_be_a_docs_id_of_the_page() {
    let kb = Kb::new();
    kb.write(
        50105,
        &edited(50105, NAME, "[src: inference]\n3.", "[src: reff]\n3."),
    );
    let d = kb.lint();
    assert!(has(&d, "source", "50105.md", 27), "{d:?}");
    assert!(
        d[0].message.contains("reff") && d[0].message.contains("ids: ref"),
        "{d:?}"
    );
}

#[test]
fn every_docs_entry_has_an_id_and_is_cited() {
    let kb = Kb::new();
    let extra = "[[docs]]\nid = \"unused\"\ntitle = \"Unused\"\nurl = \"https://learn.microsoft.com/entra/x\"\n[review]";
    kb.write(50105, &edited(50105, NAME, "[review]", extra));
    let d = kb.lint();
    assert!(
        d.iter().any(|x| x.rule == "source"
            && x.line == 19
            && x.message.contains("`unused` is cited by no")),
        "{d:?}"
    );
    let no_id =
        "[[docs]]\ntitle = \"No id\"\nurl = \"https://learn.microsoft.com/entra/y\"\n[review]";
    kb.write(50105, &edited(50105, NAME, "[review]", no_id));
    let d = kb.lint();
    assert!(
        d.iter()
            .any(|x| x.rule == "source" && x.message.contains("has no `id`")),
        "{d:?}"
    );
}

#[test]
fn markers_only_on_causes_and_fix_steps_and_only_one() {
    let kb = Kb::new();
    kb.write(
        50105,
        &edited(
            50105,
            NAME,
            "- First look for 50105, u.",
            "- First look for 50105, u. [src: ref]",
        ),
    );
    assert!(kb
        .lint()
        .iter()
        .any(|x| x.rule == "source" && x.message.contains("belong on cause and fix")));
    kb.write(
        50105,
        &edited(
            50105,
            NAME,
            "First fix for 50105, u. [src: ref]",
            "First [src: ref] fix for 50105, u. [src: ref]",
        ),
    );
    assert!(kb
        .lint()
        .iter()
        .any(|x| x.rule == "source" && x.message.contains("one `[src: …]` marker")));
}

#[test]
fn built_in_pages_say_how_documented_and_carry_their_review() {
    let kb = Kb::new();
    kb.write(50105, &edited(50105, NAME, "documented = \"docs\"\n", ""));
    assert!(kb.lint().iter().any(|x| x.rule == "documented"));
    kb.write(
        50105,
        &edited(
            50105,
            NAME,
            "documented = \"docs\"",
            "documented = \"somewhat\"",
        ),
    );
    assert!(kb
        .lint()
        .iter()
        .any(|x| x.rule == "bad-value" && x.message.contains("article, docs, table, reports")));
    kb.write(
        50105,
        &edited(50105, NAME, "date = \"2026-12-06\"", "date = \"yesterday\""),
    );
    assert!(kb
        .lint()
        .iter()
        .any(|x| x.rule == "review" && x.message.contains("YYYY-MM-DD")));
    let p = page(50105, NAME, "u");
    let start = p.find("[review]").unwrap();
    let end = p[start..].find("+++").unwrap() + start;
    kb.write(50105, &format!("{}{}", &p[..start], &p[end..]));
    assert!(kb
        .lint()
        .iter()
        .any(|x| x.rule == "review" && x.message.contains("no `[review]`")));
}

#[test]
fn tenant_wide_action_states_impact_and_precondition_first() {
    let kb = Kb::new();
    kb.write(
        50105,
        &edited(
            50105,
            NAME,
            "Second fix for 50105, u.",
            "Roll the key over with `Update-AzureADSSOForest -OnPremCredentials $creds`.",
        ),
    );
    let d = kb.lint();
    assert!(has(&d, "impact", "50105.md", 32), "{d:?}");
    kb.write(
        50105,
        &edited(
            50105,
            NAME,
            "Second fix for 50105, u.",
            "**Impact:** Seamless SSO tickets issued before fail. **Precondition:** not rolled over today. Roll the key over with `Update-AzureADSSOForest -OnPremCredentials $creds`.",
        ),
    );
    assert!(!kb.lint().iter().any(|x| x.rule == "impact"));
}

/// Reference lists written for the test, one short row of each kind.
fn with_references(kb: &Kb) {
    let r = kb.dir.path().join("reference");
    fs::write(
        r.join("cmdlets.tsv"),
        "# test\nGet-MgUser\tMicrosoft.Graph.Users\tUserId Filter Property All Id\tx\nSelect-Object\tMicrosoft.PowerShell.Utility\tProperty ExpandProperty First\tx\n",
    )
    .unwrap();
    fs::write(
        r.join("az-commands.tsv"),
        "# test\n*\t--debug --help --output --query --verbose -h -o\nlogin\t--tenant --use-device-code --scope\nad app update\t--id --web-redirect-uris --public-client-redirect-uris\n",
    )
    .unwrap();
    fs::write(
        r.join("graph-properties.tsv"),
        "# test\nv1.0\tapplication\tapi signInAudience web spa\nv1.0\tapiApplication\tknownClientApplications requestedAccessTokenVersion\nbeta\tapplication\tapi signInAudience web spa certification\n",
    )
    .unwrap();
    fs::write(r.join("event-ids.tsv"), "# test\n4771\tSecurity\tKerberos pre-authentication failed\thttps://learn.microsoft.com/x\n").unwrap();
    fs::write(
        r.join("docs-urls.txt"),
        "# test\nhttps://learn.microsoft.com/entra/identity-platform/reference-error-codes\tdocs/identity-platform/reference-error-codes.md\n",
    )
    .unwrap();
    fs::write(
        r.join("portal-menus.txt"),
        "Entra ID → Users\nEntra ID → App registrations\nretired\tProtection → Conditional Access\tEntra ID → Conditional Access\n",
    )
    .unwrap();
}

/// Plants `bad` as the first Diagnose bullet (line 36) and returns the diagnostics.
fn planted(bad: &str) -> Vec<Diagnostic> {
    let kb = Kb::new();
    with_references(&kb);
    kb.write(
        50105,
        &edited(
            50105,
            NAME,
            "- First look for 50105, u.",
            &format!("- {bad}"),
        ),
    );
    kb.lint()
}

#[test]
fn the_reference_lists_accept_the_good_page_and_real_tokens() {
    let d = planted(
        "Run `Get-MgUser -UserId x -Property id | Select-Object -ExpandProperty id`, then `az login --tenant contoso.com --use-device-code -o json`; read event 4771 and **Entra ID → Users → *user***; the manifest's `api.knownClientApplications` (Graph); see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes#aadsts-error-codes.",
    );
    assert_eq!(d, vec![], "{d:?}");
}

#[test]
fn each_kind_of_wrong_token_is_named_with_file_and_line() {
    let cases: &[(&str, &str, &str)] = &[
        ("Run `Get-MgUsers -UserId x`.", "reference-cmdlet", "Get-MgUsers"),
        ("Run `Get-MgUser -UserPrincipal x`.", "reference-cmdlet", "-UserPrincipal"),
        ("Run `az ad app update --id x --spa-redirect-uris https://a`.", "reference-az", "--spa-redirect-uris"),
        ("Run `az ad application update --id x`.", "reference-az", "az ad application update"),
        ("Query `https://graph.microsoft.com/v1.0/applications?$select=signInAudience,spaRedirects`.", "reference-graph", "spaRedirects"),
        ("Query `https://graph.microsoft.com/v1.0/applications?$select=certification`.", "reference-graph", "only in Graph beta"),
        ("Set the manifest's `api.knownClients` (Graph).", "reference-graph", "knownClients"),
        ("Look for event ID 4772 on the DC.", "reference-event", "4772"),
        ("Open **Protection → Conditional Access → Policies**.", "reference-menu", "Entra ID → Conditional Access"),
        ("Open **Entra ID → Enterprise applications → app**.", "reference-menu", "Entra ID → Enterprise applications"),
        ("See https://learn.microsoft.com/entra/identity/no-such-page for more.", "reference-url", "no-such-page"),
    ];
    for (bad, rule, needle) in cases {
        let d = planted(bad);
        assert!(
            d.iter().any(|x| x.rule == *rule
                && x.file.ends_with("50105.md")
                && x.line == 36
                && x.message.contains(needle)),
            "{bad}: {d:?}"
        );
    }
}

#[test]
fn a_docs_entry_address_is_checked_too() {
    let kb = Kb::new();
    with_references(&kb);
    kb.write(
        50105,
        &edited(
            50105,
            NAME,
            "reference-error-codes\"",
            "reference-error-code\"",
        ),
    );
    let d = kb.lint();
    assert!(has(&d, "reference-url", "50105.md", 15), "{d:?}");
}

#[test]
fn upstream_drift_is_named() {
    let kb = Kb::new();
    // Renamed upstream: the table now gives 50105 another name.
    fs::write(
        kb.dir.path().join("reference/documented-codes.tsv"),
        "code\tofficial_name\tgist\n50105\tEntitlementGrantsMissing\t\n28002\t\tscope invalid\n50011\tInvalidReplyTo\t\n77777\tBrandNewCode\t\n",
    )
    .unwrap();
    let d = kb.lint();
    assert!(
        d.iter()
            .any(|x| x.rule == "name" && x.message.contains("renamed upstream")),
        "{d:?}"
    );
    assert!(
        d.iter().any(|x| x.rule == "coverage"
            && x.file.ends_with("77777.md")
            && x.message.contains("BrandNewCode")
            && x.message.contains("added upstream")),
        "{d:?}"
    );
    // Dropped upstream: the page still carries a name the table no longer has.
    fs::write(
        kb.dir.path().join("reference/documented-codes.tsv"),
        "code\tofficial_name\tgist\n28002\t\tscope invalid\n50011\tInvalidReplyTo\t\n",
    )
    .unwrap();
    fs::write(
        kb.dir.path().join("reference/undocumented-codes.tsv"),
        "code\tgist\tsources\n500121\tx\tx\n50105\tx\tx\n",
    )
    .unwrap();
    let d = kb.lint();
    assert!(
        d.iter()
            .any(|x| x.rule == "name" && x.message.contains("dropped upstream")),
        "{d:?}"
    );
}

#[test]
fn a_frequency_claim_is_attributed_or_marked_as_ours() {
    let kb = Kb::new();
    kb.write(
        50105,
        &edited(
            50105,
            NAME,
            "First fix for 50105, u. [src: ref]",
            "First fix for 50105: nine times out of ten the group is missing. [src: ref]",
        ),
    );
    let d = kb.lint();
    assert!(has(&d, "frequency", "50105.md", 31), "{d:?}");
    kb.write(
        50105,
        &edited(
            50105,
            NAME,
            "First fix for 50105, u. [src: ref]",
            "First fix for 50105: nine times out of ten the group is missing. [src: ref, inference]",
        ),
    );
    assert!(!kb.lint().iter().any(|x| x.rule == "frequency"));
}

#[test]
fn tailor_flows_must_be_known_flow_names() {
    let kb = Kb::new();
    let with_flows = |flows: &str| {
        edited(
            50105,
            NAME,
            "[review]",
            &format!("[[tailor]]\ntext = \"Check how `{{app_id}}` asks for its token.\"\nflows = {flows}\n[review]"),
        )
    };
    kb.write(
        50105,
        &with_flows(r#"["on-behalf-of", "client-credentials"]"#),
    );
    assert_eq!(kb.lint(), vec![], "known flows pass");
    kb.write(50105, &with_flows(r#"["implicit"]"#));
    let d = kb.lint();
    assert!(
        d.iter().any(|x| x.rule == "tailor"
            && x.file.ends_with("50105.md")
            && x.message.contains("unknown flow `implicit`")),
        "{d:?}"
    );
}
