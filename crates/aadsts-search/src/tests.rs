use super::*;
use text::split_camel;

fn toks(s: &str) -> Vec<String> {
    Tokenizer::new().tokenize(s)
}

#[test]
fn camel_case_split() {
    assert_eq!(
        split_camel("InvalidUserNameOrPassword"),
        vec!["Invalid", "User", "Name", "Or", "Password"]
    );
    assert_eq!(
        split_camel("MsodsServiceUnavailable"),
        vec!["Msods", "Service", "Unavailable"]
    );
    assert_eq!(split_camel("SAMLRequest"), vec!["SAML", "Request"]);
    assert_eq!(split_camel("plain"), vec!["plain"]);
}

#[test]
fn synonyms_fold_to_one_token() {
    let mfa = toks("MFA");
    assert_eq!(toks("multi-factor"), mfa);
    assert_eq!(toks("multifactor"), mfa);
    assert_eq!(toks("strong authentication"), mfa);
    assert_eq!(toks("2FA"), mfa);
    assert_eq!(toks("CA"), toks("Conditional Access"));
    assert_eq!(toks("SSPR"), toks("self-service password reset"));
    assert_eq!(toks("PTA"), toks("pass-through authentication"));
    assert_eq!(toks("PTA agent"), toks("pass-through agent"));
    assert_eq!(toks("write-back"), toks("writeback"));
    assert_eq!(toks("UPN"), toks("user principal name"));
    assert_eq!(toks("B2B"), toks("guest"));
    assert_eq!(toks("external user"), toks("guest"));
    assert_eq!(toks("SSO"), toks("single sign-on"));
    assert_eq!(toks("reply URL"), toks("redirect URI"));
    assert_eq!(toks("Azure AD sign-in"), toks("sign in"));
}

#[test]
fn stop_words_keep_their_place() {
    let t = Tokenizer::new();
    let q = t.tokens("tenant not found");
    assert_eq!(q.len(), 2, "{q:?}");
    assert_eq!(q[1].pos - q[0].pos, 2, "{q:?}");
    // A sentence end is a gap: the last word of one sentence and the first of the next
    // are not a phrase.
    let s = t.tokens("the tenant. Found it");
    assert!(s[1].pos - s[0].pos > 1, "{s:?}");
    // A dot inside a host name is not a sentence end.
    let h = t.tokens("login.microsoftonline.com");
    assert_eq!(h[1].pos - h[0].pos, 1, "{h:?}");
}

/// Issue 22: a long query full of typos cost seconds; with a deadline the search gives
/// up instead of running on, and in time it finds what `search` finds.
#[test]
fn search_respects_its_deadline() {
    let index = Index::new(&Catalog::builtin());
    let far = Instant::now() + std::time::Duration::from_secs(3600);
    let q = "pasword expird";
    assert_eq!(index.search_until(q, 5, far), Some(index.search(q, 5)));
    let typos = "pasword expird secrte ".repeat(1000);
    assert_eq!(index.search_until(&typos, 5, Instant::now()), None);
}

#[test]
fn codes_and_stems() {
    assert_eq!(toks("AADSTS50126"), vec!["50126"]);
    assert_eq!(toks("expired"), toks("expiry"));
    assert_eq!(toks("assigned"), vec!["assign"]);
    assert_eq!(toks("assignment"), vec!["assign"]);
}

/// The index built at compile time is the index built now from the same pages.
#[test]
fn compiled_index_equals_a_fresh_build() {
    let cat = Catalog::builtin();
    let fresh = Index::build(&cat);
    let compiled = Index::new(&cat);
    assert!(matches!(compiled.data, Cow::Borrowed(_)));
    assert!(fresh.data == compiled.data);
    for q in ["secret expired", "tenant not found", "pasword"] {
        assert_eq!(fresh.search(q, 10), compiled.search(q, 10));
    }
}

fn first(index: &Index, q: &str) -> Option<u32> {
    index
        .search(q, 1)
        .first()
        .map(|h| h.doc.code().unwrap_or(0))
}

/// Issue 18: the queries an admin types every day that the first search got wrong.
#[test]
fn issue_18_misses_rank_first() {
    let index = Index::new(&Catalog::builtin());
    for (q, want) in [
        ("tenant not found", &[90002][..]),
        ("consent required", &[65001]),
        ("user has not consented to application", &[65001]),
        ("certificate credential", &[700027]),
        ("guest user cannot sign in", &[50020]),
        (
            "pass-through agent",
            &[
                80001, 80002, 80003, 80004, 80005, 80007, 80010, 80011, 80012, 80013, 80014,
            ],
        ),
    ] {
        let got = first(&index, q);
        assert!(got.is_some_and(|c| want.contains(&c)), "{q} → {got:?}");
    }
}

#[test]
fn oauth_error_names_are_matched() {
    let index = Index::new(&Catalog::builtin());
    assert_eq!(first(&index, "consent_required"), Some(65001));
    assert_eq!(first(&index, "AADSTS65001 consent_required"), Some(65001));
    let ir = first(&index, "interaction_required").unwrap();
    assert!([16000, 700020, 50076, 50079].contains(&ir), "{ir}");
    let uc = first(&index, "unauthorized_client").unwrap();
    assert!([700016, 70001, 700011, 7000112].contains(&uc), "{uc}");
    let ig: Vec<u32> = index
        .search("invalid_grant", 5)
        .iter()
        .map(|h| h.doc.code().unwrap_or(0))
        .collect();
    assert!(ig.contains(&70008) || ig.contains(&50126), "{ig:?}");
}

#[test]
fn stop_words_decide_nothing() {
    let index = Index::new(&Catalog::builtin());
    assert!(index.search("the of and not it", 5).is_empty());
    let codes = |q: &str| -> Vec<u32> {
        index
            .search(q, 5)
            .iter()
            .map(|h| h.doc.code().unwrap_or(0))
            .collect()
    };
    assert_eq!(codes("the consent required"), codes("consent required"));
    assert_eq!(codes("password expired"), codes("my password has expired"));
}

#[test]
fn ranking_words_leave_out_stop_and_product_words() {
    assert_eq!(
        ranking_words("The tenant was NOT found in Azure AD"),
        vec!["tenant", "found", "ad"]
    );
    assert!(ranking_words("not the of").is_empty());
}

#[test]
fn typos_are_forgiven() {
    let index = Index::new(&Catalog::builtin());
    assert_eq!(first(&index, "InvalidUserNameOrPasword"), Some(50126));
    let t: Vec<u32> = index
        .search("pasword expird", 3)
        .iter()
        .map(|h| h.doc.code().unwrap_or(0))
        .collect();
    assert!(t.contains(&50055) || t.contains(&50144), "{t:?}");
    let t: Vec<u32> = index
        .search("acount locked", 3)
        .iter()
        .map(|h| h.doc.code().unwrap_or(0))
        .collect();
    assert!(t.contains(&50053), "{t:?}");
}

/// A name typed as words finds the page with that name.
#[test]
fn words_of_a_name_find_it() {
    let index = Index::new(&Catalog::builtin());
    assert_eq!(first(&index, "admin consent required"), Some(90094));
    assert_eq!(first(&index, "invalid user name or password"), Some(50126));
}

/// Junk finds nothing strong; an error described in words does.
#[test]
fn strong_hits_need_more_than_scattered_words() {
    let index = Index::new(&Catalog::builtin());
    assert!(index
        .search("the printer is on fire", 5)
        .iter()
        .all(|h| !h.strong));
    assert!(index.search("login failed", 5).iter().any(|h| h.strong));
    let h = index.search(
        "Error validating credentials due to invalid username or password",
        1,
    );
    assert!(h[0].doc == Doc::Code(50126) && h[0].strong, "{h:?}");
}

/// The relevance test: 254 symptom queries as admins, developers and helpdesk staff type
/// them (`data/relevance.tsv`), each with the page or pages that answer it. Measured when
/// written: top-1 0.953, top-3 1.000, MRR 0.976 (BM25 over two fields, before issue 18:
/// top-1 0.768, top-3 0.913, MRR 0.849). Issue 21 added 35 queries answered by event pages
/// (`security-4740`); the code queries, held to the same bars on their own, rank exactly as
/// before (event pages weigh less unless a query speaks of events: `Tuning::event`). The bars
/// below leave room for page edits, not for a worse ranking. `cargo run --release -p
/// aadsts-search --example relevance` prints each miss.
#[test]
fn relevance_on_symptom_queries() {
    let index = Index::new(&Catalog::builtin());
    let mut by: std::collections::BTreeMap<&str, (usize, usize, usize, f64)> = Default::default();
    let mut misses = Vec::new();
    for line in include_str!("../data/relevance.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "{line}");
        let want = wanted(cols[2]);
        let events = want.iter().any(|w| !w.starts_with("AADSTS"));
        let hits = index.search(cols[1], 10);
        let rank = hits.iter().position(|h| want.contains(&h.doc.label()));
        if rank.is_none_or(|r| r >= 3) {
            let top: Vec<String> = hits.iter().take(3).map(|h| h.doc.label()).collect();
            misses.push(format!("{} → {top:?}", cols[1]));
        }
        let kind = if events { "(events)" } else { "(codes)" };
        for key in [cols[0], kind, "all"] {
            let e = by.entry(key).or_default();
            e.0 += 1;
            e.1 += usize::from(rank == Some(0));
            e.2 += usize::from(rank.is_some_and(|r| r < 3));
            e.3 += rank.map_or(0.0, |r| 1.0 / (r + 1) as f64);
        }
    }
    for (k, (n, t1, t3, rr)) in &by {
        let n = *n as f64;
        println!(
            "{k:10} {n:3} queries  top-1 {:.3}  top-3 {:.3}  MRR {:.3}",
            *t1 as f64 / n,
            *t3 as f64 / n,
            rr / n
        );
    }
    // Event queries, measured when written: top-1 0.886, top-3 0.971, MRR 0.931 (the
    // misses are writeback events whose AADSTS code page comes first).
    for (key, bars) in [
        ("all", [0.92, 0.98, 0.95]),
        ("(codes)", [0.92, 0.98, 0.95]),
        ("(events)", [0.85, 0.94, 0.9]),
    ] {
        let (n, t1, t3, rr) = by[key];
        assert!(n >= 30, "{key}: {n} queries");
        let (top1, top3, mrr) = (t1 as f64 / n as f64, t3 as f64 / n as f64, rr / n as f64);
        assert!(
            top1 >= bars[0] && top3 >= bars[1] && mrr >= bars[2],
            "{key}: top-1 {top1:.3} top-3 {top3:.3} MRR {mrr:.3}; outside the top 3: {misses:#?}"
        );
    }
}

/// The answers of a relevance query as [`Doc::label`]s: a number is a code, anything else
/// an event page id. Each must have its page.
fn wanted(col: &str) -> Vec<String> {
    col.split(' ')
        .map(|w| match w.parse::<u32>() {
            Ok(c) => {
                assert!(Catalog::builtin().get(c).is_some(), "{c} has no page");
                format!("AADSTS{c}")
            }
            Err(_) => {
                assert!(aadsts_catalog::event_page(w).is_some(), "{w} has no page");
                w.to_string()
            }
        })
        .collect()
}

/// Issue 21: event pages are found by their symptoms, their event ID (alone, after
/// `event`, after a provider) and Microsoft's name, and the hit says it is an event page.
#[test]
fn event_pages_are_searched_with_the_codes() {
    let index = Index::new(&Catalog::builtin());
    let top = |q: &str| index.search(q, 1).first().map(|h| h.doc.label());
    for (q, want) in [
        ("4740", "security-4740"),
        ("event 4740", "security-4740"),
        ("event:4740", "security-4740"),
        ("PasswordResetService 33004", "writeback-33004"),
        ("AD FS event 364", "adfs-364"),
        ("ADPermissionsError", "writeback-33004"),
        ("account locked out caller computer", "security-4740"),
    ] {
        assert_eq!(top(q).as_deref(), Some(want), "{q}");
    }
    // An exact event ID is strong evidence, as an exact code is; a near number is not it.
    let h = index.search("4740", 1);
    assert!(h[0].strong && matches!(h[0].doc, Doc::Event(e) if e.event == 4740));
    // (1000 is the bonus of an exact code or event ID.)
    assert!(h[0].score > 1000.0);
    assert!(index.search("4741", 5).iter().all(|h| h.score < 1000.0));
    // A code still finds its own page first, and the event pages that explain it after.
    let hits: Vec<String> = index
        .search("AADSTS120015", 5)
        .iter()
        .map(|h| h.doc.label())
        .collect();
    assert_eq!(hits[0], "AADSTS120015", "{hits:?}");
}

/// The run-time index (overlays) holds the event pages as the compiled one does.
#[test]
fn a_fresh_build_holds_the_event_pages() {
    let fresh = Index::build(&Catalog::builtin());
    let n = aadsts_catalog::event_pages().count();
    assert_eq!(fresh.n_docs, Catalog::builtin().pages().len() + n);
    assert!((0..fresh.n_docs).all(|d| fresh.doc(d).is_some()));
}
