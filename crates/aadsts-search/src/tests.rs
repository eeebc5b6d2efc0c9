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
