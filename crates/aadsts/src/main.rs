//! `aadsts`: the command-line tool. A thin layer over the catalog, search and render
//! crates: parse arguments, run one command, report errors with a documented exit code.

mod cli;
mod event_pages;
mod scan_events;
mod trace;

use aadsts_catalog::{Catalog, Lookup};
use aadsts_kb::Page;
use aadsts_render::{html, json, markdown, report, text, Format, TextStyle};
use clap::{CommandFactory, Parser};
use cli::{Cli, ColorArg, Command, FormatArg, Global};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes (documented in the README and in `--help`).
mod exit {
    pub const NOT_FOUND: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const KB: u8 = 3;
    pub const IO: u8 = 4;
}

/// A failure of one command, with what to tell the user.
enum Failure {
    /// Nothing matched; `json` is the machine-readable form for `--format json`.
    NotFound {
        message: String,
        json: Option<String>,
    },
    Usage(String),
    Kb(String),
    Io(String),
    /// An input problem after which there is still a report to print on standard output.
    IoWithOutput {
        message: String,
        output: String,
    },
}

type Outcome = Result<String, Failure>;

struct Ctx {
    catalog: Catalog,
    /// The format for pages, lists and categories (csv and jsonl are for `export` only).
    format: Format,
    style: TextStyle,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout_tty = std::io::stdout().is_terminal();
    let color = match cli.global.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => stdout_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let width = stdout_tty.then(|| {
        terminal_size::terminal_size()
            .map(|(w, _)| w.0 as usize)
            .unwrap_or(80)
            .min(110)
    });
    let style = TextStyle { color, width };

    let result = run(cli, style);
    match result {
        Ok(out) => match write_stdout(&out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("aadsts: cannot write output: {e}");
                ExitCode::from(exit::IO)
            }
        },
        Err(f) => {
            let (code, msg, json_out) = match f {
                Failure::NotFound { message, json } => (exit::NOT_FOUND, message, json),
                Failure::Usage(m) => (exit::USAGE, m, None),
                Failure::Kb(m) => (exit::KB, m, None),
                Failure::Io(m) => (exit::IO, m, None),
                Failure::IoWithOutput { message, output } => (exit::IO, message, Some(output)),
            };
            if let Some(j) = json_out {
                let _ = write_stdout(&j);
            }
            eprintln!("{}", msg.trim_end());
            ExitCode::from(code)
        }
    }
}

fn write_stdout(s: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`aadsts list | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn load_catalog(global: &Global) -> Result<Catalog, Failure> {
    let mut catalog = Catalog::builtin();
    for dir in &global.kb {
        catalog = catalog.with_overlay(dir).map_err(|e| {
            Failure::Kb(format!(
                "aadsts: overlay {} is not usable:\n{e}",
                dir.display()
            ))
        })?;
    }
    Ok(catalog)
}

fn run(cli: Cli, style: TextStyle) -> Outcome {
    if let (Some(code), Some(_)) = (&cli.code, &cli.command) {
        return Err(Failure::Usage(format!(
            "aadsts: `{code}` before a command: give either a code (`aadsts 50126`) or a command (`aadsts explain 50126`)"
        )));
    }
    // Commands that need no catalog.
    match &cli.command {
        Some(Command::Completions { shell }) => {
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "aadsts", &mut buf);
            return Ok(String::from_utf8_lossy(&buf).into_owned());
        }
        Some(Command::Man { command }) => {
            let mut buf = Vec::new();
            let mut root = Cli::command();
            // Built, so that the `help` subcommand the main page lists exists too.
            root.build();
            let page = match command {
                None => root,
                Some(name) => {
                    let Some(sub) = root.find_subcommand(name).cloned() else {
                        let names: Vec<&str> =
                            root.get_subcommands().map(|c| c.get_name()).collect();
                        return Err(Failure::Usage(format!(
                            "aadsts: no command \"{name}\"; man pages exist for: {}",
                            names.join(", ")
                        )));
                    };
                    // The page is named as the main page's SUBCOMMANDS list names it.
                    // clap names are &'static str; this runs once and exits.
                    let full: &'static str =
                        Box::leak(format!("aadsts-{}", sub.get_name()).into_boxed_str());
                    sub.name(full).bin_name(full)
                }
            };
            clap_mangen::Man::new(page)
                .render(&mut buf)
                .map_err(|e| Failure::Io(format!("aadsts: cannot render the man page: {e}")))?;
            return Ok(String::from_utf8_lossy(&buf).into_owned());
        }
        Some(Command::Lint {
            source,
            update_pending,
        }) => return lint(source.clone(), *update_pending, &cli.global),
        _ => {}
    }

    let catalog = load_catalog(&cli.global)?;
    if let Some(Command::Serve {
        bind,
        max_body_kib,
        max_upload_mib,
        max_trace_mib,
        timeout,
        scan_timeout,
    }) = cli.command
    {
        let config = aadsts_web::Config {
            bind,
            max_body: max_body_kib * 1024,
            max_upload: max_upload_mib * 1024 * 1024,
            max_trace: max_trace_mib * 1024 * 1024,
            timeout: std::time::Duration::from_secs(timeout),
            scan_timeout: std::time::Duration::from_secs(scan_timeout),
            ..aadsts_web::Config::default()
        };
        return aadsts_web::serve_blocking(catalog, config)
            .map(|()| String::new())
            .map_err(|e| Failure::Io(format!("aadsts: {e}")));
    }
    if let Some(Command::Site { dir }) = &cli.command {
        let n = aadsts_web::site::build(&catalog, dir)
            .map_err(|e| Failure::Io(format!("aadsts: {e}")))?;
        return Ok(format!("wrote {n} files to {}\n", dir.display()));
    }
    if let Some(Command::Scan { .. }) = &cli.command {
        let Some(Command::Scan {
            paths,
            input_format,
            since,
            until,
            app,
            user,
            redact,
            json,
            md,
            csv,
            html,
            threads,
            show_skipped,
            no_progress,
            join_window,
        }) = cli.command
        else {
            unreachable!("matched above")
        };
        let format = if json {
            FormatArg::Json
        } else if md {
            FormatArg::Md
        } else if csv {
            FormatArg::Csv
        } else {
            cli.global.format
        };
        let opts = aadsts_scan::Options {
            shape: input_format.map(|s| match s {
                cli::ShapeArg::Csv => aadsts_scan::Shape::Csv,
                cli::ShapeArg::Json => aadsts_scan::Shape::Json,
                cli::ShapeArg::JsonLines => aadsts_scan::Shape::JsonLines,
                cli::ShapeArg::Text => aadsts_scan::Shape::Text,
            }),
            since: since.map(|t| scan_time(&t, "--since", false)).transpose()?,
            until: until.map(|t| scan_time(&t, "--until", true)).transpose()?,
            app,
            user,
            redact,
            threads,
            max_skipped_listed: show_skipped,
            cancel: None,
            keep_failed: None,
        };
        let out = ScanOut {
            format,
            html,
            progress: !no_progress,
            join_window,
        };
        return scan(&catalog, &paths, &opts, out, style);
    }
    if let Some(Command::Trace {
        file,
        sanitize,
        output,
        sanitized,
        keys,
        show_secrets,
    }) = &cli.command
    {
        let format = trace_format(cli.global.format)?;
        if let (true, Some(out)) = (sanitize, output) {
            return trace::sanitize_only(&catalog, file, out, format);
        }
        return trace::trace(
            &catalog,
            file,
            sanitized.as_deref(),
            keys.as_deref(),
            trace::secrets(*show_secrets),
            format,
            &style,
        );
    }
    if let Some(Command::Token {
        text,
        keys,
        show_secrets,
    }) = cli.command
    {
        return trace::token(
            text,
            keys.as_deref(),
            trace::secrets(show_secrets),
            trace_format(cli.global.format)?,
            &style,
        );
    }
    if let Some(Command::Export) = cli.command {
        let rows = aadsts_export::rows(&catalog);
        return match cli.global.format {
            FormatArg::Csv | FormatArg::Text => {
                aadsts_export::to_csv(&rows).map_err(|e| Failure::Io(format!("aadsts: {e}")))
            }
            FormatArg::Json => Ok(aadsts_export::to_json(&rows)),
            FormatArg::Jsonl => Ok(aadsts_export::to_jsonl(&rows)),
            FormatArg::Md | FormatArg::Html => Err(Failure::Usage(
                "aadsts: export writes --format csv, json or jsonl".into(),
            )),
        };
    }
    let format = match cli.global.format {
        FormatArg::Text => Format::Text,
        FormatArg::Md => Format::Md,
        FormatArg::Html => Format::Html,
        FormatArg::Json => Format::Json,
        FormatArg::Csv | FormatArg::Jsonl => {
            return Err(Failure::Usage(
                "aadsts: --format csv and jsonl are for `aadsts export`; pages and lists print text, md, html or json".into(),
            ))
        }
    };
    let ctx = Ctx {
        catalog,
        format,
        style,
    };
    match cli.command {
        None => match cli.code {
            Some(q) => explain(&ctx, vec![q]),
            None => Err(Failure::Usage(format!(
                "aadsts: give a code to explain, e.g. `aadsts 50126`, or a command.\n\n{}",
                Cli::command().render_help()
            ))),
        },
        Some(Command::Explain { text }) => explain(&ctx, text),
        Some(Command::List {
            category,
            severity,
            fixer,
            signal,
            not_in_table,
        }) => {
            if let Some(c) = &category {
                if ctx.catalog.category(c).is_none() {
                    return Err(unknown_category(&ctx, c));
                }
            }
            let pages: Vec<&Page> = ctx
                .catalog
                .pages()
                .iter()
                .filter(|p| {
                    category
                        .as_ref()
                        .is_none_or(|c| p.category.eq_ignore_ascii_case(c))
                })
                .filter(|p| severity.is_none_or(|s| p.severity == s))
                .filter(|p| fixer.is_none_or(|f| p.fixer == f))
                .filter(|p| signal.is_none_or(|s| p.signal == s))
                .filter(|p| !not_in_table || !p.in_microsoft_table)
                .collect();
            Ok(list(&ctx, &pages))
        }
        Some(Command::Search { words, limit }) => search(&ctx, &words.join(" "), limit),
        Some(Command::Events { source }) => event_pages::list(&ctx, source.as_deref()),
        Some(Command::Categories) => Ok(match ctx.format {
            Format::Text => text::categories(&ctx.catalog, &ctx.style),
            Format::Md => markdown::categories(&ctx.catalog),
            Format::Html => html::document("aadsts categories", &html_categories(&ctx.catalog)),
            Format::Json => json::to_string(&json::CategoriesJson {
                schema: json::CATEGORIES_SCHEMA,
                categories: ctx
                    .catalog
                    .categories()
                    .iter()
                    .map(|c| json::CategoryLine {
                        id: &c.id,
                        title: &c.title,
                        summary: &c.summary,
                        count: ctx.catalog.in_category(&c.id).count(),
                    })
                    .collect(),
            }),
        }),
        Some(Command::Category { id }) => {
            let Some(c) = ctx.catalog.category(&id) else {
                return Err(unknown_category(&ctx, &id));
            };
            Ok(match ctx.format {
                Format::Text => text::category(&ctx.catalog, c, &ctx.style),
                Format::Md => markdown::category(&ctx.catalog, c),
                Format::Html => {
                    html::document(&c.title, &html::category_fragment(&ctx.catalog, c, "../"))
                }
                Format::Json => json::to_string(&json::category_value(&ctx.catalog, c)),
            })
        }
        Some(Command::Kql {
            query,
            list,
            function,
            externaldata,
            saved,
            table,
            events,
        }) => kql(
            &ctx,
            KqlArgs {
                query,
                list,
                function,
                externaldata,
                saved,
                events,
            },
            &table,
        ),
        Some(
            Command::Lint { .. }
            | Command::Completions { .. }
            | Command::Man { .. }
            | Command::Export
            | Command::Trace { .. }
            | Command::Token { .. }
            | Command::Scan { .. }
            | Command::Serve { .. }
            | Command::Site { .. },
        ) => {
            unreachable!("handled before the catalog is loaded")
        }
    }
}

/// The format of `trace` and `token` (text, md, html or json).
fn trace_format(f: FormatArg) -> Result<Format, Failure> {
    Ok(match f {
        FormatArg::Text => Format::Text,
        FormatArg::Md => Format::Md,
        FormatArg::Html => Format::Html,
        FormatArg::Json => Format::Json,
        FormatArg::Csv | FormatArg::Jsonl => {
            return Err(Failure::Usage(
                "aadsts: trace and token print --format text, md, html or json".into(),
            ))
        }
    })
}

/// The options of `aadsts kql` other than the table.
struct KqlArgs {
    query: Option<String>,
    list: bool,
    function: bool,
    externaldata: Option<String>,
    saved: bool,
    events: bool,
}

fn kql(ctx: &Ctx, args: KqlArgs, table: &str) -> Outcome {
    use aadsts_export::{CatalogSource, EVENT_QUERIES, QUERIES};
    let KqlArgs {
        query,
        list,
        function,
        externaldata,
        saved,
        events,
    } = args;
    if list {
        let mut out = String::new();
        for q in QUERIES {
            out.push_str(&format!(
                "{:<18} {}\n{:<18} {}\n",
                q.name, q.title, "", q.purpose
            ));
        }
        for q in EVENT_QUERIES {
            out.push_str(&format!(
                "{:<18} {} (reads {})\n{:<18} {}\n",
                q.name,
                q.title,
                q.tables.join(", "),
                "",
                q.purpose
            ));
        }
        return Ok(out);
    }
    if events {
        let rows = aadsts_export::event_rows();
        return Ok(if function {
            aadsts_export::kql_event_function(&rows, concat!("aadsts ", env!("CARGO_PKG_VERSION")))
        } else {
            aadsts_export::kql_event_catalog(&rows)
        });
    }
    if let Some(q) = query
        .as_deref()
        .and_then(|name| EVENT_QUERIES.iter().find(|q| q.name == name))
    {
        // Event queries carry their own (event) catalog; the code catalog's sources do not apply.
        if saved || externaldata.is_some() {
            return Err(Failure::Usage(format!(
                "aadsts: {} reads the event catalog, which is always inline; --saved and --externaldata are for the sign-in queries",
                q.name
            )));
        }
        return Ok(aadsts_export::kql_event_query(
            &aadsts_export::event_rows(),
            q,
            table,
        ));
    }
    let rows = aadsts_export::rows(&ctx.catalog);
    if function {
        return Ok(aadsts_export::kql_function(
            &rows,
            concat!("aadsts ", env!("CARGO_PKG_VERSION")),
        ));
    }
    let source = match (externaldata, saved) {
        (Some(url), _) => {
            if !url.starts_with("https://") {
                return Err(Failure::Usage(format!(
                    "aadsts: --externaldata needs an https:// URL, not \"{url}\""
                )));
            }
            CatalogSource::ExternalData(url)
        }
        (None, true) => CatalogSource::Saved,
        (None, false) => CatalogSource::Inline,
    };
    match query {
        None => Ok(aadsts_export::kql_catalog(&rows, &source)),
        Some(name) => match QUERIES.iter().find(|q| q.name == name) {
            Some(q) => Ok(aadsts_export::kql_query(&rows, &source, q, table)),
            None => Err(Failure::NotFound {
                message: format!(
                    "aadsts: no query \"{name}\". Queries: {}",
                    QUERIES
                        .iter()
                        .map(|q| q.name)
                        .chain(EVENT_QUERIES.iter().map(|q| q.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                json: None,
            }),
        },
    }
}

fn html_categories(cat: &Catalog) -> String {
    let mut s = String::from("<h1>Categories</h1><ul>");
    for c in cat.categories() {
        s.push_str(&format!(
            "<li><a href=\"categories/{}\">{}</a> ({}) — {}</li>",
            html::escape(&c.id),
            html::escape(&c.title),
            cat.in_category(&c.id).count(),
            html::escape(&c.summary)
        ));
    }
    s.push_str("</ul>");
    s
}

fn unknown_category(ctx: &Ctx, id: &str) -> Failure {
    let ids: Vec<&str> = ctx
        .catalog
        .categories()
        .iter()
        .map(|c| c.id.as_ref())
        .collect();
    Failure::NotFound {
        message: format!(
            "aadsts: no category \"{id}\". Categories: {}",
            ids.join(", ")
        ),
        json: None,
    }
}

fn list(ctx: &Ctx, pages: &[&Page]) -> String {
    match ctx.format {
        Format::Text => text::table(pages, &ctx.style),
        Format::Md => markdown::table(pages),
        Format::Html => {
            let mut s = String::from("<table><thead><tr><th>Code</th><th>Title</th><th>Severity</th><th>Fixer</th><th>Signal</th></tr></thead><tbody>");
            for p in pages {
                s.push_str(&format!(
                    "<tr><td><a href=\"codes/{c}\">{c}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    html::escape(&p.title),
                    p.severity,
                    p.fixer,
                    p.signal,
                    c = p.code
                ));
            }
            s.push_str("</tbody></table>");
            html::document("aadsts codes", &s)
        }
        Format::Json => json::to_string(&json::ListJson {
            schema: json::LIST_SCHEMA,
            count: pages.len(),
            codes: pages
                .iter()
                .map(|p| json::summary(&ctx.catalog, p))
                .collect(),
        }),
    }
}

fn render_page(ctx: &Ctx, p: &Page) -> String {
    match ctx.format {
        Format::Text => text::page(&ctx.catalog, p, &ctx.style),
        Format::Md => markdown::page(&ctx.catalog, p),
        Format::Html => html::document(
            &format!("{}: {}", p.label(), p.title),
            &html::page_fragment(&ctx.catalog, p, "../"),
        ),
        Format::Json => json::to_string(&json::page_value(&ctx.catalog, p)),
    }
}

/// Most bytes `aadsts explain` reads from standard input or a file (16 MiB). Pasted errors
/// are a few kilobytes; a bigger input is a log, which `aadsts scan` streams. Without a bound,
/// `aadsts explain - < /dev/zero` grew without limit (issue 22).
const EXPLAIN_MAX_BYTES: usize = 16 * 1024 * 1024;

/// Reads at most [`EXPLAIN_MAX_BYTES`] of `input` (`what` names it in messages) and says on
/// standard error when the rest was left unread. The cut never leaves half a code behind:
/// a trailing run of letters and digits (a code or id cut in two) is dropped with the rest.
fn read_bounded(input: impl Read, what: &str, size: Option<u64>) -> Result<String, Failure> {
    let mut buf = Vec::new();
    input
        .take(EXPLAIN_MAX_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Failure::Io(format!("aadsts: cannot read {what}: {e}")))?;
    if buf.len() > EXPLAIN_MAX_BYTES {
        buf.truncate(EXPLAIN_MAX_BYTES);
        for _ in 0..64 {
            if !buf.last().is_some_and(u8::is_ascii_alphanumeric) {
                break;
            }
            buf.pop();
        }
        let mib = EXPLAIN_MAX_BYTES / (1024 * 1024);
        let size = match size {
            Some(n) => format!("is {} MiB", n / (1024 * 1024)),
            None => format!("is larger than {mib} MiB"),
        };
        eprintln!(
            "aadsts: {what} {size}: only its first {mib} MiB were searched, the rest was not read. \
For a whole log use `aadsts scan`, which streams any size."
        );
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn read_stdin() -> Result<String, Failure> {
    read_bounded(std::io::stdin().lock(), "standard input", None)
}

/// Distinct codes written as `AADSTS<digits>` in free text, in order of appearance.
fn codes_in_text(text: &str) -> Vec<u32> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 6 < bytes.len() {
        if bytes[i..i + 6].eq_ignore_ascii_case(b"aadsts") {
            let start = i + 6;
            let end = start
                + bytes[start..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
            if end > start && end - start <= 9 {
                if let Ok(c) = text[start..end].parse::<u32>() {
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

fn explain(ctx: &Ctx, args: Vec<String>) -> Outcome {
    let input = if args.is_empty() || (args.len() == 1 && args[0] == "-") {
        if args.is_empty() && std::io::stdin().is_terminal() {
            return Err(Failure::Usage(
                "aadsts: nothing to explain: give a code (50126), a name (InvalidUserNameOrPassword), or error text; `-` reads standard input".into(),
            ));
        }
        read_stdin()?
    } else if args.len() == 1 && std::path::Path::new(&args[0]).is_file() {
        // A file of pasted text or a log: read it (invalid UTF-8 is replaced, not fatal).
        let file = std::fs::File::open(&args[0])
            .map_err(|e| Failure::Io(format!("aadsts: cannot read {}: {e}", args[0])))?;
        let size = file.metadata().ok().map(|m| m.len());
        read_bounded(file, &args[0], size)?
    } else {
        args.join(" ")
    };
    let query = input.trim();
    if query.is_empty() {
        return Err(Failure::Usage(
            "aadsts: nothing to explain: the input is empty. Give a code (50126), a name (InvalidUserNameOrPassword), or error text".into(),
        ));
    }

    // An event page id (`writeback-33004`) or an event ID (`event:4740`).
    if let Some(out) = event_pages::explain(ctx, query) {
        return out;
    }
    // A pasted Windows event (XML or Event Viewer's text view).
    if let Some(out) = event_pages::explain_pasted(ctx, query) {
        return out;
    }
    // A single code or name.
    if !query.contains(char::is_whitespace) || aadsts_catalog::parse_code(query).is_some() {
        match ctx.catalog.lookup(query) {
            Lookup::Found(p) => return Ok(render_page(ctx, p)),
            Lookup::NotFound {
                query: q,
                code,
                reference,
                suggestions,
            } => {
                // A word that is not a name may still be text with a code in it.
                if code.is_some() || codes_in_text(query).is_empty() {
                    return Err(not_found(ctx, &q, code, reference, &suggestions));
                }
            }
        }
    }

    // Free text: every error in it, with its context.
    let extraction = aadsts_extract::extract(input.as_bytes());
    if extraction.errors.is_empty() {
        // No code: the words may still name the error ("login failed", a message pasted
        // without its code). List the pages that match them well, as `search` would.
        if let Some(found) = explain_by_search(ctx, query) {
            return Ok(found);
        }
        let message = "aadsts: found no AADSTS error in the text. Looked for `AADSTS` followed by digits (AADSTS50126), \
codes in an `error_codes` list, and codes labelled `Sign-in error code`, `ResultType`, `errorCode` or `Error Code`, \
after undoing ANSI colours, HTML entities, JSON escapes, URL encoding and console wrapping. \
A bare code or a Microsoft error name also works: `aadsts 50126`, `aadsts InvalidUserNameOrPassword`."
            .to_string();
        let json = (ctx.format == Format::Json).then(|| {
            json::to_string(&json::ErrorJson {
                schema: json::ERROR_SCHEMA,
                error: "no_code_found",
                message: message.clone(),
                code: None,
                official_name: None,
                in_microsoft_table: None,
                lookup_url: None,
                suggestions: Vec::new(),
            })
        });
        return Err(Failure::NotFound { message, json });
    }
    let r = report::build(&ctx.catalog, &extraction);
    Ok(report::render(&ctx.catalog, &r, ctx.format, &ctx.style))
}

/// A query as it may be quoted back: at most 80 characters (an input of one 16 MiB word was
/// echoed whole), control characters shown as `?`.
fn echo(query: &str) -> String {
    const MAX: usize = 80;
    let mut out: String = query
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if query.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// Ranked pages, code and event pages together, in the output format: a table, or an
/// `aadsts.search/1` document.
fn search_results(ctx: &Ctx, query: &str, found: &[aadsts_render::search::Ranked]) -> String {
    use aadsts_render::search as s;
    match ctx.format {
        Format::Json => s::json(&ctx.catalog, query, found),
        Format::Text => s::text(found, &ctx.style),
        Format::Md => s::markdown(found),
        Format::Html => html::document(
            "aadsts search",
            &s::html(found, html::Links::server("../")).into_string(),
        ),
    }
}

/// `explain` on text without a code: the pages its words match strongly (in a title, a
/// name or as a phrase), best first, under a line saying that no code was found. `None`
/// when no page matches that well.
fn explain_by_search(ctx: &Ctx, text: &str) -> Option<String> {
    // A pasted log can be large; its first words are what a search can use.
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let query = &text[..end];
    let index = aadsts_search::Index::new(&ctx.catalog);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let mut hits = index.search_until(query, 5, deadline)?;
    hits.retain(|h| h.strong);
    let found = aadsts_render::search::resolve(&ctx.catalog, &hits);
    if found.is_empty() {
        return None;
    }
    let note = "No AADSTS code found in the text; the pages that best match its words:";
    let results = search_results(ctx, query, &found);
    Some(match ctx.format {
        Format::Json => results,
        Format::Html => format!("<p>{note}</p>\n{results}"),
        Format::Md | Format::Text => format!("{note}\n\n{results}"),
    })
}

fn not_found(
    ctx: &Ctx,
    query: &str,
    code: Option<u32>,
    reference: Option<aadsts_catalog::Reference>,
    suggestions: &[u32],
) -> Failure {
    let mut msg = String::new();
    match (code, reference) {
        (Some(c), Some(r)) => {
            msg.push_str(&format!("aadsts: AADSTS{c} has no page in this catalog yet"));
            if let Some(n) = r.name {
                msg.push_str(&format!(" (Microsoft's name: {n})"));
            }
            msg.push('.');
            if let Some(g) = r.gist {
                msg.push_str(&format!("\nSeen in sign-in logs: {g}."));
            }
            msg.push('\n');
        }
        (Some(c), None) => msg.push_str(&format!(
            "aadsts: AADSTS{c} is not a code this catalog knows: it is neither in Microsoft's published table nor among the codes seen in real sign-in logs.\n"
        )),
        (None, _) => msg.push_str(&format!(
            "aadsts: \"{}\" is not a known code or Microsoft error name.\n",
            echo(query)
        )),
    }
    if !suggestions.is_empty() {
        msg.push_str("Did you mean:\n");
        for s in suggestions {
            if let Some(p) = ctx.catalog.get(*s) {
                msg.push_str(&format!("  {:<14} {}\n", p.label(), p.title));
            }
        }
    }
    if let Some(c) = code {
        msg.push_str(&format!(
            "Microsoft's online lookup: {}\n",
            aadsts_catalog::lookup_url(c)
        ));
    } else {
        msg.push_str("Try `aadsts search` with words from the error message.\n");
    }
    let json = (ctx.format == Format::Json).then(|| {
        json::to_string(&json::ErrorJson {
            schema: json::ERROR_SCHEMA,
            error: "not_found",
            message: msg.lines().next().unwrap_or("").to_string(),
            code,
            official_name: reference.and_then(|r| r.name),
            in_microsoft_table: reference.map(|r| r.in_microsoft_table),
            lookup_url: code.map(aadsts_catalog::lookup_url),
            suggestions: suggestions
                .iter()
                .map(|c| json::Related {
                    code: *c,
                    title: ctx.catalog.get(*c).map(|p| p.title.as_ref()),
                })
                .collect(),
        })
    });
    Failure::NotFound { message: msg, json }
}

fn search(ctx: &Ctx, query: &str, limit: usize) -> Outcome {
    if query.trim().is_empty() {
        return Err(Failure::Usage("aadsts: give words to search for".into()));
    }
    let index = aadsts_search::Index::new(&ctx.catalog);
    let hits = index.search(query, limit.max(1));
    let found = aadsts_render::search::resolve(&ctx.catalog, &hits);
    if found.is_empty() {
        let message = format!("aadsts: no page matches \"{}\"", echo(query));
        let json = (ctx.format == Format::Json)
            .then(|| aadsts_render::search::json(&ctx.catalog, query, &[]));
        return Err(Failure::NotFound { message, json });
    }
    Ok(search_results(ctx, query, &found))
}

fn lint(source: Option<PathBuf>, update_pending: bool, global: &Global) -> Outcome {
    let mut problems: Vec<String> = Vec::new();
    let mut summary = Vec::new();
    let source = source.or_else(|| {
        (global.kb.is_empty() && PathBuf::from("kb/categories.toml").is_file())
            .then(|| PathBuf::from("kb"))
    });
    if source.is_none() && global.kb.is_empty() {
        return Err(Failure::Usage(
            "aadsts: lint what? Give `--source DIR` (a knowledge-base directory such as kb/) or `--kb DIR` (an overlay)".into(),
        ));
    }
    if let Some(dir) = source {
        let mut src =
            aadsts_kb::load_source(&dir).map_err(|e| Failure::Kb(format!("aadsts: {e}")))?;
        if update_pending {
            let have: std::collections::BTreeSet<u32> =
                src.pages.iter().map(|(_, p)| p.page.code).collect();
            let pending: Vec<u32> = src
                .known_codes()
                .into_iter()
                .filter(|c| !have.contains(c))
                .collect();
            let mut text: String = pending.iter().map(|c| format!("{c}\n")).collect();
            if text.is_empty() {
                text.push('\n');
            }
            let path = dir.join("pending.txt");
            std::fs::write(&path, text).map_err(|e| {
                Failure::Io(format!("aadsts: cannot write {}: {e}", path.display()))
            })?;
            src.pending = pending.into_iter().collect();
        }
        let diags = src.lint();
        summary.push(format!(
            "{}: {} pages, {} event pages, {} categories, {} codes pending",
            dir.display(),
            src.pages.len(),
            src.event_pages.len(),
            src.categories.len(),
            src.pending.len()
        ));
        problems.extend(diags.iter().map(|d| d.to_string()));
    }
    let mut catalog = Catalog::builtin();
    for dir in &global.kb {
        match catalog.clone().with_overlay(dir) {
            Ok(c) => {
                summary.push(format!("{}: overlay is valid", dir.display()));
                catalog = c;
            }
            Err(e) => problems.push(format!("{}: {e}", dir.display())),
        }
    }
    if problems.is_empty() {
        Ok(format!("{}\nno problems\n", summary.join("\n")))
    } else {
        Err(Failure::Kb(format!(
            "{}\n{}\n{} problem(s)",
            problems.join("\n"),
            summary.join("\n"),
            problems.len()
        )))
    }
}

/// A `--since`/`--until` value as the RFC 3339 UTC text the scan compares with. A bare
/// date means the start (or, for `--until`, the end) of that day.
fn scan_time(t: &str, flag: &str, end_of_day: bool) -> Result<String, Failure> {
    let t = t.trim();
    // The parser rolls `2025-02-30` over and takes any offset: refuse what does not exist.
    aadsts_scan::record::check_time_bound(t)
        .map_err(|why| Failure::Usage(format!("aadsts: {flag} {t:?} is not a time: {why}")))?;
    if t.len() == 10 && t.as_bytes().get(4) == Some(&b'-') {
        let full = if end_of_day {
            format!("{t}T23:59:59.9999999Z")
        } else {
            format!("{t}T00:00:00Z")
        };
        if aadsts_extract::normalize_time(&full).is_some() {
            return Ok(full);
        }
    }
    aadsts_extract::normalize_time(t).ok_or_else(|| {
        Failure::Usage(format!(
            "aadsts: {flag} {t:?} is not a time: give RFC 3339 (2025-03-01T08:00:00Z) or a date (2025-03-01)"
        ))
    })
}

/// Where and how `aadsts scan` reports.
struct ScanOut {
    format: FormatArg,
    html: Option<PathBuf>,
    progress: bool,
    /// Minutes, for joining server events to failed sign-ins.
    join_window: i64,
}

fn scan(
    catalog: &Catalog,
    paths: &[String],
    opts: &aadsts_scan::Options,
    out: ScanOut,
    style: TextStyle,
) -> Outcome {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::Arc;
    let ScanOut {
        format,
        html: html_out,
        progress,
        join_window,
    } = out;
    let sources = aadsts_scan::expand(paths).map_err(|e| Failure::Io(format!("aadsts: {e}")))?;
    // Windows event logs are read first: the sign-in scan then keeps the failed sign-ins
    // whose codes they can explain, for the join.
    let (sources, event_sources) = scan_events::split(sources);
    let events_read = scan_events::read(&event_sources, opts, join_window, !sources.is_empty());
    let mut opts = opts.clone();
    opts.keep_failed = events_read.as_ref().map(|e| e.keep());
    let opts = &opts;
    let total: u64 = sources.iter().map(|s| s.size()).sum();
    let counter = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    // A progress bar only on a terminal, only for inputs worth waiting for.
    let bar_thread = (progress && std::io::stderr().is_terminal() && total > 32 * 1024 * 1024)
        .then(|| {
            let counter = counter.clone();
            let done = done.clone();
            std::thread::spawn(move || {
                let bar = indicatif::ProgressBar::new(total);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                while !done.load(Ordering::Relaxed) {
                    bar.set_position(counter.load(Ordering::Relaxed).min(total));
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                bar.finish_and_clear();
            })
        });
    let result = if sources.is_empty() && events_read.is_some() {
        Ok(aadsts_scan::empty_summary(catalog, opts))
    } else {
        aadsts_scan::scan(&sources, opts, catalog, counter)
    };
    done.store(true, Ordering::Relaxed);
    if let Some(t) = bar_thread {
        let _ = t.join();
    }
    let summary = result.map_err(|e| Failure::Io(format!("aadsts: {e}")))?;
    let events = events_read.map(|e| e.finish(&summary));
    let mut failed_inputs: Vec<String> = summary
        .inputs
        .iter()
        .filter_map(|i| {
            // File names and errors from a walked directory reach the terminal too.
            let safe = aadsts_render::scan::term_safe;
            let e = i.error.as_ref()?;
            Some(format!("aadsts: {}: {}", safe(&i.name), safe(e)))
        })
        .collect();
    if let Some(e) = &events {
        failed_inputs.extend(scan_events::failed_inputs(e));
    }
    let ev = events.as_ref();
    // With only event logs given, the sign-in part of the report is left out.
    let signins = !summary.inputs.is_empty() || ev.is_none();
    if let Some(path) = html_out {
        std::fs::write(&path, aadsts_render::scan::html_with_events(&summary, ev))
            .map_err(|e| Failure::Io(format!("aadsts: cannot write {}: {e}", path.display())))?;
    }
    let mut out = match format {
        FormatArg::Json => aadsts_render::events::scan_json(&summary, ev),
        FormatArg::Md if signins => aadsts_render::scan::markdown(&summary),
        FormatArg::Csv => {
            aadsts_render::scan::csv(&summary).map_err(|e| Failure::Io(format!("aadsts: {e}")))?
        }
        FormatArg::Html => aadsts_render::scan::html_with_events(&summary, ev),
        FormatArg::Text | FormatArg::Jsonl if signins => {
            aadsts_render::scan::text(&summary, &style)
        }
        FormatArg::Md | FormatArg::Text | FormatArg::Jsonl => String::new(),
    };
    if let Some(e) = ev {
        match format {
            FormatArg::Md => {
                out.push('\n');
                out.push_str(&aadsts_render::events::markdown(e));
            }
            FormatArg::Text | FormatArg::Jsonl => {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&aadsts_render::events::text(e, &style));
            }
            FormatArg::Json | FormatArg::Html | FormatArg::Csv => {}
        }
    }
    if !failed_inputs.is_empty() {
        // An input could not be read (or held nothing to count): the report of the others
        // still goes to standard output, and the exit code (4) says an input was a problem
        // (issue 22: a run where one input failed exited 0).
        return Err(Failure::IoWithOutput {
            message: failed_inputs.join("\n"),
            output: out,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::codes_in_text;

    #[test]
    fn finds_codes_in_text() {
        assert_eq!(
            codes_in_text("AADSTS50126: Error validating credentials. then aadsts700016 and AADSTS50126 again"),
            vec![50126, 700016]
        );
        assert!(codes_in_text("AADSTS: no digits").is_empty());
        assert!(codes_in_text("AADSTS99999999999999").is_empty());
    }
}
