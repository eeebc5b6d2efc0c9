//! Command-line definitions (clap derive).

use aadsts_kb::{Fixer, Severity, Signal};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "aadsts",
    version,
    about = "Explains and fixes Microsoft Entra ID (Azure AD) sign-in errors, offline",
    long_about = "Explains and fixes Microsoft Entra ID (Azure AD) sign-in errors, offline.\n\n\
        Give it an error code (50126, AADSTS50126), Microsoft's name for it \
        (InvalidUserNameOrPassword) or the text of an error, and it says what went wrong, \
        who has to act and exactly what to do. Nothing leaves your machine.",
    after_help = "Examples:\n  aadsts 50126\n  aadsts explain AADSTS700016\n  aadsts explain writeback-33004\n  aadsts search \"password writeback\"\n  aadsts list --category mfa --signal failure\n  pbpaste | aadsts explain -\n\n\
        Exit codes: 0 ok; 1 not found (unknown code, no results, no error in the text); \
        2 usage error; 3 knowledge-base or overlay problem; 4 input/output error.",
    // Global options (`--kb`, `--format`) may come before a subcommand, so a bare CODE and
    // a subcommand are told apart in `main` rather than by clap's conflict rule.
    subcommand_precedence_over_arg = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    /// A code, AADSTS string or Microsoft name to look up (same as `aadsts explain`).
    #[arg(value_name = "CODE")]
    pub code: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Text, global = true)]
    pub format: FormatArg,

    /// Overlay directory of your own pages (same format as kb/codes) merged over the
    /// built-in ones. May be given more than once; later overlays win.
    #[arg(long = "kb", value_name = "DIR", global = true, env = "AADSTS_KB")]
    pub kb: Vec<PathBuf>,

    /// When to use colour in text output (`auto` honours NO_COLOR and uses colour only on a terminal).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, global = true)]
    pub color: ColorArg,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatArg {
    Text,
    Md,
    Html,
    Json,
    /// `export` only.
    Csv,
    /// `export` only: one JSON object a line.
    Jsonl,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShapeArg {
    Csv,
    Json,
    JsonLines,
    Text,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Explain a code, a Microsoft name, or error text (`-` reads standard input).
    Explain {
        /// The code (50126, AADSTS50126), name, pasted error text, or a file holding it. `-` or nothing reads stdin.
        #[arg(value_name = "TEXT", num_args = 0..)]
        text: Vec<String>,
    },
    /// Scan sign-in log exports (portal CSV/JSON, Graph pages, Azure Monitor PT1H.json,
    /// Log Analytics CSV, or any text): what failed, for whom, and what to fix first.
    /// Windows event logs of the servers behind sign-in (.evtx, Event Viewer XML/CSV/text,
    /// Get-WinEvent JSON/CSV) are read too, explained, and joined to the failed sign-ins.
    Scan {
        /// Files, directories (read recursively), globs, or `-` for standard input. Gzip,
        /// UTF-8 with or without BOM, and UTF-16 are read as they are.
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<String>,
        /// Read every input as this shape instead of detecting it.
        #[arg(long, value_enum)]
        input_format: Option<ShapeArg>,
        /// Only sign-ins at or after this time (RFC 3339 or YYYY-MM-DD, UTC).
        #[arg(long)]
        since: Option<String>,
        /// Only sign-ins at or before this time (RFC 3339 or YYYY-MM-DD, UTC).
        #[arg(long)]
        until: Option<String>,
        /// Only sign-ins whose app name or id contains this (case-insensitive).
        #[arg(long)]
        app: Option<String>,
        /// Only sign-ins whose user contains this (case-insensitive).
        #[arg(long)]
        user: Option<String>,
        /// Replace user names and IP addresses with stable pseudonyms (user-1, ip-1, ...).
        #[arg(long)]
        redact: bool,
        /// Print the summary as JSON (schema aadsts.scan/1); same as --format json.
        #[arg(long)]
        json: bool,
        /// Print the summary as Markdown; same as --format md.
        #[arg(long)]
        md: bool,
        /// Print one CSV row per code; same as --format csv.
        #[arg(long)]
        csv: bool,
        /// Also write a self-contained HTML report with charts to this file.
        #[arg(long, value_name = "FILE")]
        html: Option<std::path::PathBuf>,
        /// Worker threads, at most 256 (0, the default: one per core).
        #[arg(long, default_value_t = 0, value_parser = ranged::<usize>(0, MAX_THREADS))]
        threads: usize,
        /// How many skipped rows to list with file, line and reason (all are counted).
        #[arg(long, default_value_t = 20)]
        show_skipped: usize,
        /// No progress bar, even on a terminal.
        #[arg(long)]
        no_progress: bool,
        /// Minutes apart a failed sign-in and a server event of the same user may be to be
        /// shown together (event logs and sign-ins scanned in one run).
        #[arg(long, value_name = "MINUTES", default_value_t = 10, value_parser = ranged::<i64>(0, 10_080))]
        join_window: i64,
    },
    /// Serve the web site and JSON API (pages, search, paste box, log upload, /api/v1, /openapi.json).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: std::net::SocketAddr,
        /// Largest accepted form or text body, in KiB (at most 1048576, 1 GiB).
        #[arg(long, default_value_t = 1024, value_parser = ranged::<usize>(1, 1 << 20))]
        max_body_kib: usize,
        /// Largest accepted log upload, in MiB (at most 1048576, 1 TiB).
        #[arg(long, default_value_t = 1024, value_parser = ranged::<usize>(1, 1 << 20))]
        max_upload_mib: usize,
        /// Largest accepted browser capture (`/trace`), in MiB: held in memory while it is
        /// read, at most one per upload slot (at most 4096, 4 GiB).
        #[arg(long, default_value_t = 64, value_parser = ranged::<usize>(1, 4096))]
        max_trace_mib: usize,
        /// Seconds allowed for an ordinary request (at most a day).
        #[arg(long, default_value_t = 30, value_parser = ranged::<u64>(1, 86_400))]
        timeout: u64,
        /// Seconds allowed for a scan upload (at most a week).
        #[arg(long, default_value_t = 600, value_parser = ranged::<u64>(1, 604_800))]
        scan_timeout: u64,
    },
    /// Write the pages as a static site (index, a page per code and category, a search index).
    Site {
        /// Directory to write into (created if missing).
        dir: std::path::PathBuf,
    },
    /// List codes, optionally filtered.
    List {
        /// Only this category (see `aadsts categories`).
        #[arg(long, short = 'c')]
        category: Option<String>,
        /// Only this severity.
        #[arg(long, value_parser = parse_severity)]
        severity: Option<Severity>,
        /// Only codes fixed by this party.
        #[arg(long, value_parser = parse_fixer)]
        fixer: Option<Fixer>,
        /// Only codes with this signal.
        #[arg(long, value_parser = parse_signal)]
        signal: Option<Signal>,
        /// Only codes that Microsoft's published table omits.
        #[arg(long)]
        not_in_table: bool,
    },
    /// Search pages for words, a symptom or a setting ("password writeback").
    Search {
        /// The words to search for.
        #[arg(required = true, value_name = "WORDS")]
        words: Vec<String>,
        /// How many results to show.
        #[arg(long, short = 'n', default_value_t = 10)]
        limit: usize,
    },
    /// List the event pages: Windows events on servers on premises (password writeback,
    /// pass-through authentication, AD FS, domain controllers) that explain sign-in errors.
    /// Read one with `aadsts explain writeback-33004` or `aadsts explain event:4740`.
    Events {
        /// Only this event source (writeback, adsync, pta, adfs, security, aad).
        #[arg(long, value_name = "SLUG")]
        source: Option<String>,
    },
    /// List the categories.
    Categories,
    /// Show a category: what it covers and its codes.
    Category {
        /// The category id (see `aadsts categories`).
        id: String,
    },
    /// Check knowledge-base pages against the page format (kb/FORMAT.md).
    Lint {
        /// A knowledge-base source directory (with categories.toml and codes/).
        /// Without it, lints the overlays given with --kb, or ./kb if it exists.
        #[arg(long, value_name = "DIR")]
        source: Option<PathBuf>,
        /// Rewrite the source's pending.txt: the known codes that still have no page.
        #[arg(long, requires = "source")]
        update_pending: bool,
    },
    /// Print the catalog as KQL for Log Analytics, Sentinel and Azure Data Explorer, or a
    /// ready query over the sign-in tables joined to it.
    Kql {
        /// Print this ready query (see --list) with the catalog in front of it.
        #[arg(long, short = 'q', value_name = "NAME")]
        query: Option<String>,
        /// List the ready queries with their purpose.
        #[arg(long, conflicts_with_all = ["query", "function"])]
        list: bool,
        /// Print a control command that saves the catalog as the function AadstsCatalog().
        #[arg(long, conflicts_with_all = ["query", "externaldata", "saved"])]
        function: bool,
        /// Read the catalog with externaldata from this URL (a CSV from `aadsts export --format csv`).
        #[arg(long, value_name = "URL", conflicts_with = "saved")]
        externaldata: Option<String>,
        /// The query uses a saved AadstsCatalog() function instead of an inline datatable.
        #[arg(long)]
        saved: bool,
        /// The sign-in table to query (event queries that join sign-ins read it too).
        #[arg(long, default_value = "SigninLogs", value_parser = ["SigninLogs", "AADNonInteractiveUserSignInLogs"])]
        table: String,
        /// The event catalog (AadstsEventCatalog: the Windows events of the knowledge base,
        /// for the Event and SecurityEvent tables) instead of the code catalog.
        #[arg(long, conflicts_with_all = ["query", "list", "externaldata", "saved"])]
        events: bool,
    },
    /// Export the catalog for other engines (--format csv, json or jsonl).
    Export,
    /// Read a capture of a sign-in (HAR from Chrome, Edge, Firefox, Safari; Fiddler .saz;
    /// SAML-tracer's export): the journey hop by hop, the failing hop, every AADSTS error
    /// explained, tokens and SAML messages decoded. Nothing is sent.
    Trace {
        /// The capture: a .har file as the browser's developer tools save it, a Fiddler .saz,
        /// or a SAML-tracer export (.json).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Write a copy with passwords, cookies, authorization headers, tokens, codes and
        /// secret form fields removed, safe to send to support, to -o OUT (same format as
        /// FILE), check that it reads back to the same journey, and print a summary.
        #[arg(long, requires = "output")]
        sanitize: bool,
        /// Where --sanitize writes the copy.
        #[arg(short = 'o', long, value_name = "OUT", requires = "sanitize")]
        output: Option<PathBuf>,
        /// Also write a sanitized copy to OUT and print the trace as usual.
        #[arg(long, value_name = "OUT", conflicts_with = "sanitize")]
        sanitized: Option<PathBuf>,
        /// Check token signatures with these keys: a JWKS (as Entra's discovery keys
        /// document), a JWK, or PEM certificates or public keys. SAML signatures are not checked.
        #[arg(long, value_name = "FILE")]
        keys: Option<PathBuf>,
        /// Show cookies, Authorization headers, authorization codes, token values and
        /// signatures in full instead of their first four characters. The output then
        /// holds live credentials: keep it to yourself. Passwords (form fields, HTTP Basic)
        /// are never shown; --sanitize and the --sanitized copy are sanitized all the same.
        #[arg(long)]
        show_secrets: bool,
    },
    /// Decode a JWT (header and claims explained) or a SAML message (XML, base64, deflate +
    /// base64, or a URL with SAMLRequest=/SAMLResponse=). Signatures are checked only with --keys.
    Token {
        /// The token or message, or a file holding it. `-` or nothing reads stdin.
        #[arg(value_name = "TEXT", num_args = 0..)]
        text: Vec<String>,
        /// Check JWT signatures with these keys: a JWKS (as Entra's discovery keys document),
        /// a JWK, or PEM certificates or public keys.
        #[arg(long, value_name = "FILE")]
        keys: Option<PathBuf>,
        /// Print each JWT whole, signature included (by default only its decoded header and
        /// claims). The output then holds a live credential: keep it to yourself.
        #[arg(long)]
        show_secrets: bool,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): aadsts(1), or with a command name its own page,
    /// aadsts-explain(1) and the others the main page lists.
    Man {
        /// The command whose page to print (`explain`, `scan`, …).
        command: Option<String>,
    },
}

/// Most worker threads `--threads` accepts: more only costs memory and start-up time, and
/// tens of thousands made thread creation abort the process (issue 22).
pub const MAX_THREADS: u64 = 256;

/// A number within `min..=max`, refused with a usage error (exit 2) naming the range: an
/// unchecked value overflowed (`--threads 18446744073709551615` panicked) or exhausted the
/// system (`--threads 20000`).
fn ranged<T>(min: u64, max: u64) -> clap::builder::RangedU64ValueParser<T>
where
    T: TryFrom<u64> + Clone + Send + Sync + 'static,
    <T as TryFrom<u64>>::Error: std::fmt::Display + Send + Sync + 'static,
{
    clap::builder::RangedU64ValueParser::<T>::new().range(min..=max)
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| format!("expected one of: {}", Severity::words()))
}
fn parse_fixer(s: &str) -> Result<Fixer, String> {
    Fixer::parse(s).ok_or_else(|| format!("expected one of: {}", Fixer::words()))
}
fn parse_signal(s: &str) -> Result<Signal, String> {
    Signal::parse(s).ok_or_else(|| format!("expected one of: {}", Signal::words()))
}
