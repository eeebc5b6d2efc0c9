//! JSON renderings. The shapes here are the documented, stable schema
//! (`docs/json-schema.md`); each top-level object names its schema and version.

use aadsts_catalog::Catalog;
use aadsts_kb::{Category, DocLink, Faq, Page};
use serde::Serialize;

pub const PAGE_SCHEMA: &str = "aadsts.page/1";
pub const LIST_SCHEMA: &str = "aadsts.list/1";
pub const CATEGORY_SCHEMA: &str = "aadsts.category/1";
pub const CATEGORIES_SCHEMA: &str = "aadsts.categories/1";
pub const SEARCH_SCHEMA: &str = "aadsts.search/1";
pub const ERROR_SCHEMA: &str = "aadsts.error/1";

#[derive(Serialize)]
pub struct CategoryRef<'a> {
    pub id: &'a str,
    pub title: &'a str,
}

#[derive(Serialize)]
pub struct Related<'a> {
    pub code: u32,
    pub title: Option<&'a str>,
}

#[derive(Serialize)]
pub struct Sections<'a> {
    pub meaning: &'a [std::borrow::Cow<'static, str>],
    pub causes: &'a [std::borrow::Cow<'static, str>],
    pub fix: &'a [std::borrow::Cow<'static, str>],
    pub diagnose: &'a [std::borrow::Cow<'static, str>],
    pub collect: &'a [std::borrow::Cow<'static, str>],
    pub faq: &'a [Faq],
    pub notes: &'a [std::borrow::Cow<'static, str>],
}

/// A page with every field.
#[derive(Serialize)]
pub struct PageJson<'a> {
    pub schema: &'static str,
    #[serde(flatten)]
    pub summary: Summary<'a>,
    pub related: Vec<Related<'a>>,
    /// How much Microsoft documents the code: article, docs, table or reports.
    pub documented: Option<&'static str>,
    pub docs: &'a [DocLink],
    pub lookup_url: String,
    pub sections: Sections<'a>,
    /// Where each cause and fix step comes from (parallel to `sections.causes` / `.fix`).
    pub sources: StepSources<'a>,
    pub review: Option<&'a aadsts_kb::Review>,
    pub origin: &'a str,
    /// The on-premises event pages whose `codes` include this code.
    pub events: Vec<crate::event_pages::EventSummary<'static>>,
}

#[derive(Serialize)]
pub struct StepSources<'a> {
    pub causes: Vec<StepSource<'a>>,
    pub fix: Vec<StepSource<'a>>,
}

/// One step's sources: the `id`s of `docs` entries it cites, and whether it is (also)
/// our inference.
#[derive(Serialize)]
pub struct StepSource<'a> {
    pub docs: Vec<&'a str>,
    pub inference: bool,
}

pub(crate) fn step_sources<'a>(
    docs: &'a [DocLink],
    v: &'a [aadsts_kb::Sources],
) -> Vec<StepSource<'a>> {
    v.iter()
        .map(|s| StepSource {
            docs: aadsts_kb::cited_docs(docs, s)
                .map(|(_, d)| d.id.as_deref().unwrap_or(""))
                .collect(),
            inference: s.inference,
        })
        .collect()
}

/// The fields that identify and classify a page; used in lists and search results.
#[derive(Serialize)]
pub struct Summary<'a> {
    pub code: u32,
    pub label: String,
    pub name: Option<&'a str>,
    pub title: &'a str,
    pub severity: &'static str,
    pub category: CategoryRef<'a>,
    pub fixer: &'static str,
    pub retry: &'static str,
    pub signal: &'static str,
    pub in_microsoft_table: bool,
}

pub fn summary<'a>(cat: &'a Catalog, p: &'a Page) -> Summary<'a> {
    Summary {
        code: p.code,
        label: p.label(),
        name: p.name.as_deref(),
        title: &p.title,
        severity: p.severity.as_str(),
        category: CategoryRef {
            id: &p.category,
            title: cat
                .category(&p.category)
                .map(|c| c.title.as_ref())
                .unwrap_or(&p.category),
        },
        fixer: p.fixer.as_str(),
        retry: p.retry.as_str(),
        signal: p.signal.as_str(),
        in_microsoft_table: p.in_microsoft_table,
    }
}

pub fn page_value<'a>(cat: &'a Catalog, p: &'a Page) -> PageJson<'a> {
    PageJson {
        schema: PAGE_SCHEMA,
        summary: summary(cat, p),
        related: p
            .related
            .iter()
            .map(|c| Related {
                code: *c,
                title: cat.get(*c).map(|r| r.title.as_ref()),
            })
            .collect(),
        documented: p.documented.map(|d| d.as_str()),
        docs: &p.docs,
        lookup_url: p.lookup_url(),
        sections: Sections {
            meaning: &p.meaning,
            causes: &p.causes,
            fix: &p.fix,
            diagnose: &p.diagnose,
            collect: &p.collect,
            faq: &p.faq,
            notes: &p.notes,
        },
        sources: StepSources {
            causes: step_sources(&p.docs, &p.cause_sources),
            fix: step_sources(&p.docs, &p.fix_sources),
        },
        review: p.review.as_ref(),
        origin: &p.origin,
        events: crate::event_pages::summaries_for_code(p.code),
    }
}

pub fn to_string<T: Serialize>(v: &T) -> String {
    // Serialising these borrowed, string-keyed structures cannot fail.
    let mut s = serde_json::to_string_pretty(v).expect("JSON serialisation of plain data");
    s.push('\n');
    s
}

#[derive(Serialize)]
pub struct ListJson<'a> {
    pub schema: &'static str,
    pub count: usize,
    pub codes: Vec<Summary<'a>>,
}

#[derive(Serialize)]
pub struct CategoryJson<'a> {
    pub schema: &'static str,
    pub id: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub about: &'a [std::borrow::Cow<'static, str>],
    pub docs: &'a [DocLink],
    pub count: usize,
    pub codes: Vec<Summary<'a>>,
}

pub fn category_value<'a>(cat: &'a Catalog, c: &'a Category) -> CategoryJson<'a> {
    let codes: Vec<Summary> = cat.in_category(&c.id).map(|p| summary(cat, p)).collect();
    CategoryJson {
        schema: CATEGORY_SCHEMA,
        id: &c.id,
        title: &c.title,
        summary: &c.summary,
        about: &c.about,
        docs: &c.docs,
        count: codes.len(),
        codes,
    }
}

#[derive(Serialize)]
pub struct CategoriesJson<'a> {
    pub schema: &'static str,
    pub categories: Vec<CategoryLine<'a>>,
}

#[derive(Serialize)]
pub struct CategoryLine<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub count: usize,
}

// `aadsts.search/1` (code and event pages together) is in `crate::search`.

#[derive(Serialize)]
pub struct ErrorJson<'a> {
    pub schema: &'static str,
    pub error: &'a str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub official_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_microsoft_table: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookup_url: Option<String>,
    pub suggestions: Vec<Related<'a>>,
}
