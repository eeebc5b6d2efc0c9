//! `aadsts serve`: the catalog, the extraction (paste box) and the scan (log upload) as a
//! self-hosted web site and a JSON API with an OpenAPI description; and `aadsts site`, the
//! same pages as static files. Everything is rendered by `aadsts-render`, so the web, the
//! CLI and the static copy say the same thing.

mod api;
mod conn;
mod event_pages;
pub mod pages;
pub mod site;
mod trace;

use aadsts_catalog::Catalog;
use aadsts_search::Index;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// Limits and address of a running server.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    /// Largest accepted form or text body (paste box, `POST /api/v1/explain`).
    pub max_body: usize,
    /// Largest accepted log upload (`/scan`, `POST /api/v1/scan`).
    pub max_upload: usize,
    /// Largest accepted browser capture (`/trace`, `POST /api/v1/trace`). A capture is
    /// held in memory while it is read (never written to disk), in one of the upload slots
    /// `scan_jobs` counts.
    pub max_trace: usize,
    /// Time allowed for one ordinary request.
    pub timeout: Duration,
    /// Time allowed for one scan (uploads can be large).
    pub scan_timeout: Duration,
    /// How many explain and search requests may use the CPU at once; beyond it the
    /// server answers 503 with `Retry-After` instead of letting a queue build up.
    pub cpu_jobs: usize,
    /// How many scans (`/scan`, `POST /api/v1/scan`) may run at once, upload included;
    /// beyond it 503 with `Retry-After`.
    pub scan_jobs: usize,
    /// Temporary disk for uploads in flight, in bytes: each upload reserves its
    /// `Content-Length` (or `max_upload` when it has none) for as long as it lasts; an
    /// upload that does not fit gets 503 with `Retry-After`.
    pub max_temp: u64,
    /// Open connections at most (lowered to stay below the limit of open files). At the
    /// limit the longest idle connection is closed for each new one.
    pub max_connections: usize,
    /// Time a client has to send a complete request head, on a new connection or the next
    /// request of a kept-alive one; then the connection is closed.
    pub header_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body: 1024 * 1024,
            max_upload: 1024 * 1024 * 1024,
            max_trace: 64 * 1024 * 1024,
            timeout: Duration::from_secs(30),
            scan_timeout: Duration::from_secs(600),
            cpu_jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            scan_jobs: 2,
            max_temp: 2 * 1024 * 1024 * 1024,
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("server stopped: {0}")]
    Serve(#[source] std::io::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

pub(crate) struct State {
    pub catalog: Catalog,
    pub index: Index,
    pub config: Config,
    /// Code pages and their API documents, rendered once at start: the catalog does not
    /// change while serving, and rendering per request would cost most of a request.
    pub page_html: std::collections::HashMap<u32, String>,
    pub page_json: std::collections::HashMap<u32, String>,
    /// Permits for CPU-heavy work, `config.cpu_jobs` of them.
    pub cpu_slots: Arc<tokio::sync::Semaphore>,
    /// Permits for scans, `config.scan_jobs` of them.
    pub scan_slots: Arc<tokio::sync::Semaphore>,
    /// Temporary disk for uploads, in KiB (`config.max_temp`).
    pub temp_kib: Arc<tokio::sync::Semaphore>,
    /// Scans whose thread is still reading (a cancelled one stops within 256 KiB of text).
    pub scans_running: Arc<std::sync::atomic::AtomicUsize>,
}

pub(crate) type Shared = Arc<State>;

/// Content-Security-Policy: no scripts but our own file, inline styles only (the pages and
/// the scan report carry their CSS), no frames, forms only to this site.
const CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The whole application: pages, API, limits and security headers.
pub fn router(catalog: Catalog, config: Config) -> Router {
    let index = Index::new(&catalog);
    let scan_timeout = config.scan_timeout;
    let timeout = config.timeout;
    let max_body = config.max_body;
    let max_upload = config.max_upload;
    let max_trace = config.max_trace;
    let page_html = catalog
        .pages()
        .iter()
        .map(|p| (p.code, pages::render_code_page(&catalog, p)))
        .collect();
    let page_json = catalog
        .pages()
        .iter()
        .map(|p| {
            let v = aadsts_render::json::page_value(&catalog, p);
            (p.code, aadsts_render::json::to_string(&v))
        })
        .collect();
    let cpu_slots = Arc::new(tokio::sync::Semaphore::new(config.cpu_jobs.max(1)));
    let scan_slots = Arc::new(tokio::sync::Semaphore::new(config.scan_jobs.max(1)));
    let temp_kib = Arc::new(tokio::sync::Semaphore::new(temp_kib_total(&config) as usize));
    let state: Shared = Arc::new(State {
        catalog,
        index,
        config,
        page_html,
        page_json,
        cpu_slots,
        scan_slots,
        temp_kib,
        scans_running: Arc::default(),
    });
    let uploads = Router::new()
        .merge(pages::upload_routes())
        .merge(api::upload_routes())
        // At most `scan_jobs` scans and `max_temp` bytes of uploads at once (503 beyond);
        // inside the body limit, so that an upload too large is told 413, not 503.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            scan_gate,
        ))
        // A raw streamed body is not covered by axum's extractor limit: limit the body itself
        // (413 from Content-Length, or as soon as a streamed body passes the limit).
        .layer(RequestBodyLimitLayer::new(max_upload))
        .layer(DefaultBodyLimit::disable())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            scan_timeout,
        ));
    // Browser captures: the size checked against `max_trace` by the gate (with what to do
    // about it) and while the body is read; held in memory, so no temporary disk.
    let captures = Router::new()
        .merge(trace::upload_routes())
        .layer(RequestBodyLimitLayer::new(
            max_trace.saturating_add(trace::FORM_SLACK),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            trace::gate,
        ))
        .layer(DefaultBodyLimit::disable())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            scan_timeout,
        ));
    let ordinary = Router::new()
        .merge(pages::routes())
        .merge(event_pages::routes())
        .merge(api::routes())
        .merge(trace::routes())
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(DefaultBodyLimit::disable())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ));
    Router::new()
        .merge(uploads)
        .merge(captures)
        .merge(ordinary)
        .with_state(state)
        // Errors made by the framework (413 from the body limit, 405, 400 and 422 from the
        // extractors, 408 from the timeout, 404 of unknown routes) get the same bodies as the
        // handlers' own: `aadsts.error/1` under `/api/`, a short HTML page elsewhere.
        .layer(axum::middleware::from_fn(api::framework_errors))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(catalog: Catalog, config: Config) -> Result<(), WebError> {
    let addr = config.bind;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| WebError::Bind { addr, source })?;
    let (max_connections, header_timeout) = (config.max_connections, config.header_timeout);
    let app = router(catalog, config);
    eprintln!("aadsts: serving on http://{addr}/ (Ctrl-C to stop)");
    serve_on(listener, app, max_connections, header_timeout, shutdown())
        .await
        .map_err(WebError::Serve)
}

pub use conn::serve_on;

/// `config.max_temp` in KiB, at least one upload's worth of a KiB and at most what a
/// semaphore holds.
fn temp_kib_total(config: &Config) -> u64 {
    (config.max_temp / 1024).clamp(1, u64::from(u32::MAX))
}

/// Admits a scan request when a scan slot and its temporary disk are free; otherwise 503
/// `busy` with `Retry-After`. Both are held until the request ends (answered, timed out or
/// abandoned; the scan itself is then cancelled, see [`scan_file`]).
async fn scan_gate(
    axum::extract::State(s): axum::extract::State<Shared>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    // The upload form (`GET /scan`) costs nothing.
    if req.method() != axum::http::Method::POST {
        return next.run(req).await;
    }
    let api = req.uri().path().starts_with("/api/");
    let max = s.config.max_upload as u64;
    let bytes = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(max)
        .min(max);
    let kib = bytes.div_ceil(1024).clamp(1, temp_kib_total(&s.config)) as u32;
    let Ok(job) = s.scan_slots.clone().try_acquire_owned() else {
        return api::busy(
            api,
            &format!(
                "the server is running {} scans, its limit",
                s.config.scan_jobs.max(1)
            ),
        );
    };
    let Ok(disk) = s.temp_kib.clone().try_acquire_many_owned(kib) else {
        return api::busy(
            api,
            "the server's temporary space for uploads is taken by other uploads",
        );
    };
    let res = next.run(req).await;
    drop((job, disk));
    res
}

/// Sets its flag when dropped: the scan of a request that ended early (timeout, client
/// gone) stops.
struct CancelOnDrop(Arc<std::sync::atomic::AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Counts a running scan thread.
struct Running(Arc<std::sync::atomic::AtomicUsize>);

impl Running {
    fn new(n: Arc<std::sync::atomic::AtomicUsize>) -> Self {
        n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Running(n)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Why CPU-heavy work did not produce an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CpuError {
    /// Every permit is taken: answer 503 with `Retry-After`.
    Busy,
    /// The work reached the request's deadline and stopped.
    TimedOut,
    /// The work panicked.
    Failed,
}

/// Seconds a client is asked to wait (`Retry-After`) when every CPU permit is taken.
pub(crate) const RETRY_AFTER_SECS: u64 = 2;

/// Runs CPU-heavy work (extraction, search, rendering a report) on the blocking pool, so
/// that it never holds up the async executor that answers every other request (`/healthz`
/// included). At most `config.cpu_jobs` such jobs run at once; the permit is held until the
/// work itself ends, even when the client has gone or the timeout layer has answered 408.
/// The work gets the request's deadline and must stop (`None`) once it has passed, so an
/// abandoned request does not keep a core busy.
pub(crate) async fn cpu<T, F>(state: &Shared, work: F) -> Result<T, CpuError>
where
    T: Send + 'static,
    F: FnOnce(&State, std::time::Instant) -> Option<T> + Send + 'static,
{
    let permit = state
        .cpu_slots
        .clone()
        .try_acquire_owned()
        .map_err(|_| CpuError::Busy)?;
    let now = std::time::Instant::now();
    // A timeout too large for the clock means no deadline worth checking: a year.
    let deadline = now
        .checked_add(state.config.timeout)
        .or_else(|| now.checked_add(Duration::from_secs(365 * 86_400)))
        .unwrap_or(now);
    let state = state.clone();
    let job = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&state, deadline)
    });
    match job.await {
        Ok(Some(t)) => Ok(t),
        Ok(None) => Err(CpuError::TimedOut),
        Err(_) => Err(CpuError::Failed),
    }
}

/// Runs the scan of an uploaded file (already on disk) on a blocking thread. When this
/// future is dropped (the request timed out or its client went away) the scan is cancelled:
/// its reader stops at the next 256 KiB of text.
pub(crate) async fn scan_file(
    state: Shared,
    path: std::path::PathBuf,
    name: String,
) -> Result<(aadsts_scan::Summary, Option<aadsts_events::EventsSummary>), String> {
    let cancel = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(cancel.clone());
    let running = Running::new(state.scans_running.clone());
    tokio::task::spawn_blocking(move || {
        let _running = running;
        let opts = aadsts_scan::Options {
            max_skipped_listed: 20,
            cancel: Some(cancel),
            ..Default::default()
        };
        // A Windows event log export (by its content) is read as events.
        let src = aadsts_scan::Source::File(path.clone());
        if aadsts_events::sniff(&src).is_some() {
            let eopts = aadsts_events::Options {
                max_skipped_listed: 20,
                cancel: opts.cancel.clone(),
                join_window_secs: aadsts_events::DEFAULT_JOIN_WINDOW_SECS,
                no_join: true,
                ..Default::default()
            };
            let pages = &aadsts_catalog::event_page_for;
            let mut read = aadsts_events::tally(&[src], &eopts, pages);
            // Report the name the user uploaded, not the temporary file's.
            for i in &mut read.inputs {
                i.name = name.clone();
            }
            for k in &mut read.skipped {
                k.file = name.clone();
            }
            let mut names =
                aadsts_events::Names::new(false, Default::default(), Default::default());
            let events = aadsts_events::summarise(read, pages, &[], 0, &mut names, &eopts);
            return Ok((
                aadsts_scan::empty_summary(&state.catalog, &opts),
                Some(events),
            ));
        }
        let mut s = aadsts_scan::scan(
            &[aadsts_scan::Source::File(path)],
            &opts,
            &state.catalog,
            Arc::new(std::sync::atomic::AtomicU64::new(0)),
        )
        .map_err(|e| e.to_string())?;
        // Report the name the user uploaded, not the temporary file's.
        for i in &mut s.inputs {
            i.name = name.clone();
        }
        for k in &mut s.skipped {
            k.file = name.clone();
        }
        Ok((s, None))
    })
    .await
    .map_err(|e| format!("the scan stopped: {e}"))?
}

/// Streams a request body into a temporary file that is removed when dropped.
pub(crate) async fn spool<S, E>(mut stream: S) -> Result<tempfile::NamedTempFile, String>
where
    S: futures_lite::Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    use tokio::io::AsyncWriteExt;
    let tmp = tempfile::NamedTempFile::new().map_err(|e| format!("no temporary file: {e}"))?;
    let std_file = tmp
        .reopen()
        .map_err(|e| format!("no temporary file: {e}"))?;
    let mut file = tokio::fs::File::from_std(std_file);
    while let Some(chunk) = futures_lite::StreamExt::next(&mut stream).await {
        let chunk = chunk.map_err(|e| format!("upload interrupted: {e}"))?;
        file.write_all(&chunk)
            .await
            .map_err(|e| format!("cannot store the upload: {e}"))?;
    }
    file.flush()
        .await
        .map_err(|e| format!("cannot store the upload: {e}"))?;
    Ok(tmp)
}

/// [`serve`] on its own multi-threaded runtime, for callers that are not async.
pub fn serve_blocking(catalog: Catalog, config: Config) -> Result<(), WebError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(WebError::Serve)?;
    rt.block_on(serve(catalog, config))
}
