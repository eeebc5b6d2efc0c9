//! Event pages (kb/FORMAT.md, "Event pages"), proved on a small knowledge base written
//! here: a good page passes, and each kind of breakage is reported with the right file,
//! line and rule.

use aadsts_kb::{load_source, Diagnostic};
use std::fs;
use tempfile::TempDir;

const CATEGORIES: &str = r#"
[[category]]
id = "password-change"
title = "Passwords"
summary = "Password things."
about = "About passwords."
"#;

const SOURCES: &str = r#"[[source]]
slug = "writeback"
title = "Password writeback (Entra Connect server)"
providers = ["PasswordResetService"]
channel = "Application"
server = "Entra Connect server"
docs = "https://learn.microsoft.com/entra/identity/authentication/troubleshoot-sspr-writeback"

[[source]]
slug = "security"
title = "Domain controller security audit"
providers = ["Microsoft-Windows-Security-Auditing"]
channel = "Security"
server = "domain controllers"
docs = "https://learn.microsoft.com/entra/identity/hybrid/connect/tshoot-connect-sso"
"#;

const CODE_PAGE: &str = r#"+++
code = 120015
title = "Password writeback could not set the password"
severity = "high"
category = "password-change"
fixer = "admin"
retry = "after-fix"
signal = "failure"
documented = "docs"
[[docs]]
id = "ref"
title = "Reference"
url = "https://learn.microsoft.com/entra/identity-platform/reference-error-codes"
[review]
reviewer = "tester"
date = "2026-12-06"
changes = "Checked."
+++

## Meaning
The cloud asked the writeback service to set a password and the service said no.

## Common causes
1. A first cause that only code 120015 has, written out. [src: ref]
2. A second cause that only code 120015 has, written out. [src: ref]
3. A third cause that only code 120015 has, written out. [src: inference]

## How to fix
1. A first fix that only code 120015 has, written out. [src: ref]
2. A second fix that only code 120015 has, written out. [src: ref]
3. A third fix that only code 120015 has, written out. [src: inference]

## Diagnose
- A first look that only code 120015 needs, written out.
- A second look that only code 120015 needs, written out.

## Collect for support
- A first item that only code 120015 needs, written out.
- A second item that only code 120015 needs, written out.

## FAQ
### Why 120015?
Because the writeback service for code 120015 refused it.
"#;

/// A complete, valid event page of `writeback` with the given event ID; `unique` keeps its
/// paragraphs apart from every other page's.
fn event(id: u32, unique: &str) -> String {
    format!(
        r#"+++
source = "writeback"
event = {id}
name = "ADPermissionsError"
title = "Writeback account lacks permission on the user"
level = "error"
severity = "high"
fixer = "admin"
signal = "failure"
codes = [120015]
related = []
user_fields = ["TargetUserName"]
documented = "docs"
[[docs]]
id = "wb"
title = "Troubleshoot self-service password reset writeback in Microsoft Entra ID"
url = "https://learn.microsoft.com/entra/identity/authentication/troubleshoot-sspr-writeback"
[review]
reviewer = "tester"
date = "2026-12-06"
changes = "Checked every claim of event {id}."
+++

## Meaning
The writeback service logged event {id} while setting a password: {unique}.

## Common causes
1. **Permission.** The first cause of event {id}, {unique}. [src: wb]
2. **Protected group.** The second cause of event {id}, {unique}. [src: inference]

## How to fix
1. The first fix for event {id}, {unique}. [src: wb]
2. The second fix for event {id}, {unique}. [src: wb, inference]

## Diagnose
- The first look for event {id}, {unique}.
- The second look for event {id}, {unique}.

## Collect for support
- The first item for event {id}, {unique}.
- The second item for event {id}, {unique}.

## FAQ
### Why event {id}?
Because of {unique} on the Entra Connect server.
"#
    )
}

struct Kb {
    dir: TempDir,
}

impl Kb {
    fn new() -> Kb {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        for d in ["codes", "reference", "events"] {
            fs::create_dir_all(p.join(d)).unwrap();
        }
        fs::write(p.join("categories.toml"), CATEGORIES).unwrap();
        fs::write(
            p.join("reference/documented-codes.tsv"),
            "code\tofficial_name\tgist\n120015\t\twriteback\n",
        )
        .unwrap();
        fs::write(p.join("reference/undocumented-codes.tsv"), "code\tgist\n").unwrap();
        fs::write(p.join("pending.txt"), "0\n").unwrap();
        fs::write(
            p.join("reference/event-ids.tsv"),
            "# id\tlog\twhat\tpage\n33004\tApplication\tpermission\thttps://learn.microsoft.com/entra/identity/authentication/troubleshoot-sspr-writeback\n33008\tApplication\tpolicy\thttps://learn.microsoft.com/entra/identity/authentication/troubleshoot-sspr-writeback\n31001\tApplication\tstart\n",
        )
        .unwrap();
        fs::write(
            p.join("reference/cmdlets.tsv"),
            "Get-ADUser\tActiveDirectory\tIdentity Properties\tx.md\n",
        )
        .unwrap();
        fs::write(
            p.join("reference/portal-menus.txt"),
            "Entra ID → Users\nretired\tAzure Active Directory\tEntra ID\n",
        )
        .unwrap();
        fs::write(
            p.join("reference/docs-urls.txt"),
            "https://learn.microsoft.com/entra/identity/authentication/troubleshoot-sspr-writeback\tx\nhttps://learn.microsoft.com/entra/identity-platform/reference-error-codes\tx\nhttps://learn.microsoft.com/entra/identity/hybrid/connect/tshoot-connect-sso\tx\n",
        )
        .unwrap();
        fs::write(p.join("events/sources.toml"), SOURCES).unwrap();
        fs::write(p.join("codes/120015.md"), CODE_PAGE).unwrap();
        let kb = Kb { dir };
        kb.write("writeback-33004", &event(33004, "alpha bravo charlie"));
        kb
    }
    fn write(&self, stem: &str, text: &str) {
        fs::write(
            self.dir.path().join("events").join(format!("{stem}.md")),
            text,
        )
        .unwrap();
    }
    fn lint(&self) -> Vec<Diagnostic> {
        load_source(self.dir.path()).unwrap().lint()
    }
    /// Lints with `writeback-33004.md` replaced by the good page with `from` → `to`.
    fn lint_edited(&self, from: &str, to: &str) -> Vec<Diagnostic> {
        let page = event(33004, "alpha bravo charlie");
        assert!(page.contains(from), "{from}");
        self.write("writeback-33004", &page.replacen(from, to, 1));
        self.lint()
    }
}

fn has(d: &[Diagnostic], rule: &str, line: usize, words: &str) -> bool {
    d.iter().any(|x| {
        x.rule == rule
            && x.file.ends_with("writeback-33004.md")
            && x.line == line
            && x.message.contains(words)
    })
}

#[test]
fn a_good_event_page_passes_and_is_read() {
    let kb = Kb::new();
    assert_eq!(kb.lint(), vec![]);
    let src = load_source(kb.dir.path()).unwrap();
    assert_eq!(src.event_sources.len(), 2);
    assert_eq!(src.event_pages.len(), 1);
    let p = &src.event_pages[0].1.page;
    assert_eq!(p.id(), "writeback-33004");
    assert_eq!(p.codes.as_ref(), &[120015]);
    assert_eq!(p.user_fields[0], "TargetUserName");
    assert_eq!(p.causes.len(), 2);
    assert!(!p.causes[0].contains("[src:"), "{}", p.causes[0]);
    assert_eq!(p.source_tags(&p.fix_sources[1]), "[1] [inference]");
}

#[test]
fn file_name_must_match_source_and_event() {
    let kb = Kb::new();
    kb.write("writeback-33008", &event(33004, "other words here"));
    let d = kb.lint();
    assert!(
        d.iter().any(|x| x.rule == "file-name"
            && x.file.ends_with("writeback-33008.md")
            && x.line == 3
            && x.message.contains("event = 33004")),
        "{d:?}"
    );
    kb.write("notes.md-x", "");
    kb.write("Writeback", &event(33004, "third words"));
    let d = kb.lint();
    assert!(
        d.iter()
            .any(|x| x.rule == "file-name" && x.file.ends_with("Writeback.md")),
        "{d:?}"
    );
}

#[test]
fn source_must_be_in_sources_toml() {
    let kb = Kb::new();
    kb.write(
        "adfs-33004",
        &event(33004, "delta echo").replace("source = \"writeback\"", "source = \"adfs\""),
    );
    let d = kb.lint();
    assert!(
        d.iter().any(|x| x.rule == "event-source"
            && x.file.ends_with("adfs-33004.md")
            && x.line == 2
            && x.message.contains("writeback, security")),
        "{d:?}"
    );
}

#[test]
fn unknown_keys_and_bad_values_name_their_line() {
    let kb = Kb::new();
    let d = kb.lint_edited(
        "severity = \"high\"",
        "severity = \"high\"\nretry = \"never\"",
    );
    assert!(has(&d, "front-matter", 8, "retry"), "{d:?}");
    let d = kb.lint_edited("level = \"error\"", "level = \"fatal\"");
    assert!(has(&d, "bad-value", 6, "audit-failure"), "{d:?}");
    let d = kb.lint_edited("signal = \"failure\"", "signal = \"interrupt\"");
    assert!(has(&d, "bad-value", 9, "failure, expected"), "{d:?}");
    let d = kb.lint_edited("documented = \"docs\"", "documented = \"table\"");
    assert!(has(&d, "bad-value", 13, "article, docs, reports"), "{d:?}");
    let d = kb.lint_edited("related = []", "related = [\"Bad Id\"]");
    assert!(has(&d, "bad-value", 11, "Bad Id"), "{d:?}");
    let d = kb.lint_edited(
        "user_fields = [\"TargetUserName\"]",
        "user_fields = [\"a b\"]",
    );
    assert!(has(&d, "bad-value", 12, "EventData"), "{d:?}");
    let d = kb.lint_edited("title = \"Writeback", "title = \"Writeback account lacks permission on the user in Active Directory and a lot more words");
    assert!(has(&d, "title", 5, "limit is 80"), "{d:?}");
}

#[test]
fn codes_need_code_pages_and_related_pages_must_exist() {
    let kb = Kb::new();
    let d = kb.lint_edited("codes = [120015]", "codes = [120015, 50126, 120015]");
    assert!(
        has(&d, "codes", 10, "50126 in `codes` has no page"),
        "{d:?}"
    );
    assert!(has(&d, "codes", 10, "120015 twice"), "{d:?}");
    let d = kb.lint_edited(
        "related = []",
        "related = [\"writeback-33008\", \"writeback-33004\"]",
    );
    assert!(
        has(&d, "related", 11, "writeback-33008 does not exist"),
        "{d:?}"
    );
    assert!(has(&d, "related", 11, "own id"), "{d:?}");
    kb.write(
        "writeback-33008",
        &event(33008, "golf hotel india").replace("event = 33004", "event = 33008"),
    );
    let d = kb.lint_edited("related = []", "related = [\"writeback-33008\"]");
    assert_eq!(d, vec![]);
}

#[test]
fn event_id_must_be_in_the_reference_list_with_its_page() {
    let kb = Kb::new();
    kb.write("writeback-31999", &event(31999, "kilo lima"));
    let d = kb.lint();
    assert!(
        d.iter().any(|x| x.rule == "reference-event"
            && x.file.ends_with("writeback-31999.md")
            && x.line == 3
            && x.message.contains("not in kb/reference/event-ids.tsv")),
        "{d:?}"
    );
    // Listed, but without the page that documents it.
    kb.write("writeback-31001", &event(31001, "mike november"));
    let d = kb.lint();
    assert!(
        d.iter().any(|x| x.rule == "reference-event"
            && x.file.ends_with("writeback-31001.md")
            && x.message.contains("column 4")),
        "{d:?}"
    );
}

#[test]
fn evidence_rules_hold_for_event_pages() {
    let kb = Kb::new();
    // A cause without a marker.
    let d = kb.lint_edited(
        ", alpha bravo charlie. [src: inference]",
        ", alpha bravo charlie.",
    );
    assert!(has(&d, "source", 29, "cause 2 names no source"), "{d:?}");
    // A marker naming no docs id of the page.
    let d = kb.lint_edited("[src: wb]\n2. **Protected", "[src: kb]\n2. **Protected");
    assert!(has(&d, "source", 28, "ids: wb"), "{d:?}");
    // A docs entry nobody cites.
    let d = kb.lint_edited(
        "[review]",
        "[[docs]]\nid = \"spare\"\ntitle = \"Spare\"\nurl = \"https://learn.microsoft.com/entra/identity-platform/reference-error-codes\"\n[review]",
    );
    assert!(has(&d, "source", 21, "`spare` is cited by no"), "{d:?}");
    // No review record.
    let d = kb.lint_edited(
        "[review]\nreviewer = \"tester\"\ndate = \"2026-12-06\"\nchanges = \"Checked every claim of event 33004.\"\n",
        "",
    );
    assert!(has(&d, "review", 1, "no `[review]`"), "{d:?}");
    // A marker outside causes and fix steps.
    let d = kb.lint_edited(
        "- The first look for event 33004, alpha bravo charlie.",
        "- The first look for event 33004, alpha bravo charlie. [src: wb]",
    );
    assert!(has(&d, "source", 36, "cause and fix steps only"), "{d:?}");
    // Tenant-wide action without its impact.
    let d = kb.lint_edited(
        "1. The first fix for event 33004",
        "1. Run `Revoke-MgUserSignInSession` for the user of event 33004",
    );
    assert!(has(&d, "impact", 32, "Impact"), "{d:?}");
    // A frequency claim with no source for how often.
    let d = kb.lint_edited(
        "1. **Permission.** The first cause",
        "1. **Permission.** Usually the first cause",
    );
    assert!(has(&d, "frequency", 28, "usually"), "{d:?}");
}

#[test]
fn reference_lists_check_cmdlets_menus_and_learn_addresses() {
    let kb = Kb::new();
    let d = kb.lint_edited(
        "- The second look for event 33004",
        "- Run `Get-MsolUser` and open **Azure Active Directory → Users** and [this](https://learn.microsoft.com/entra/nowhere) for event 33004",
    );
    assert!(has(&d, "reference-cmdlet", 37, "Get-MsolUser"), "{d:?}");
    assert!(has(&d, "reference-menu", 37, "Entra ID"), "{d:?}");
    assert!(has(&d, "reference-url", 37, "entra/nowhere"), "{d:?}");
    let d = kb.lint_edited(
        "url = \"https://learn.microsoft.com/entra/identity/authentication/troubleshoot-sspr-writeback\"",
        "url = \"https://learn.microsoft.com/entra/identity/authentication/gone\"",
    );
    assert!(has(&d, "reference-url", 17, "gone"), "{d:?}");
}

#[test]
fn a_paragraph_may_not_repeat_a_code_page() {
    let kb = Kb::new();
    let d = kb.lint_edited(
        "- The second item for event 33004, alpha bravo charlie.",
        "- A first item that only code 120015 needs, written out.",
    );
    assert!(
        has(&d, "repeated-paragraph", 41, "codes/120015.md:38"),
        "{d:?}"
    );
}

#[test]
fn counts_depend_on_the_signal() {
    let kb = Kb::new();
    let one_cause = (
        "2. **Protected group.** The second cause of event 33004, alpha bravo charlie. [src: inference]\n",
        "",
    );
    let d = kb.lint_edited(one_cause.0, one_cause.1);
    assert!(has(&d, "count", 27, "at least 2 causes"), "{d:?}");
    let page = event(33004, "alpha bravo charlie")
        .replace(one_cause.0, one_cause.1)
        .replace("signal = \"failure\"", "signal = \"expected\"")
        .replace(
            "2. The second fix for event 33004, alpha bravo charlie. [src: wb, inference]\n",
            "",
        );
    kb.write("writeback-33004", &page);
    assert_eq!(kb.lint(), vec![]);
    let d = kb.lint_edited("## FAQ\n", "## Notes\nOur notes.\n\n## FAQ\n");
    assert!(has(&d, "unknown-section", 43, "no `## Notes`"), "{d:?}");
}

#[test]
fn sources_toml_is_checked() {
    let kb = Kb::new();
    let path = kb.dir.path().join("events/sources.toml");
    fs::write(
        &path,
        format!("{SOURCES}\n[[source]]\nslug = \"Write_Back\"\ntitle = \"x\"\nproviders = [\"passwordresetservice\"]\nchannel = \"Application\"\nserver = \"x\"\ndocs = \"http://example.com\"\n"),
    )
    .unwrap();
    let d = kb.lint();
    let s: Vec<_> = d.iter().filter(|x| x.rule == "event-sources").collect();
    assert!(
        s.iter()
            .any(|x| x.line == 17 && x.message.contains("lower-case")),
        "{d:?}"
    );
    assert!(
        s.iter()
            .any(|x| x.message.contains("one provider, one source")),
        "{d:?}"
    );
    assert!(
        s.iter().any(|x| x.message.contains("not an https")),
        "{d:?}"
    );
    fs::write(&path, "[[source]]\nslug = \"x\"\ncolour = 1\n").unwrap();
    let d = kb.lint();
    assert!(
        d.iter()
            .any(|x| x.rule == "event-sources" && x.line == 3 && x.message.contains("colour")),
        "{d:?}"
    );
    fs::remove_file(&path).unwrap();
    let d = kb.lint();
    assert!(
        d.iter()
            .any(|x| x.rule == "event-sources" && x.message.contains("no sources.toml")),
        "{d:?}"
    );
}
