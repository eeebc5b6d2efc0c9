//! Renderings of knowledge-base pages, lists and categories: terminal text, Markdown,
//! HTML and JSON. The CLI and the web server share these.

pub mod event_pages;
pub mod events;
pub mod html;
pub mod json;
pub mod markdown;
pub mod report;
pub mod scan;
pub mod search;
pub mod text;
pub mod trace;

pub use text::TextStyle;

use std::fmt;

/// An output format the user picks with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Md,
    Html,
    Json,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Text, Format::Md, Format::Html, Format::Json];
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Md => "md",
            Format::Html => "html",
            Format::Json => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
