//! The accept loop: HTTP/1 connections with a header-read timeout (which also ends idle
//! keep-alive connections) and a bound on open connections kept below the process's
//! file-descriptor limit. At the bound, the connection that has been idle longest (no
//! request in progress: a slow client still sending its headers, or a kept-alive one) is
//! closed to make room; when every connection has a request in progress, new ones wait.
//! Slow-header clients (slowloris) can then neither exhaust descriptors nor lock out others.

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

/// Descriptors kept free for everything that is not a connection: the listener, standard
/// streams, uploads spooled to temporary files, the files a scan opens.
const FD_RESERVE: u64 = 64;

/// The connection bound actually used: `wanted`, lowered to stay below the soft limit of
/// open files (with [`FD_RESERVE`] spare), and the reason when it was lowered.
pub(crate) fn effective_limit(wanted: usize) -> (usize, Option<String>) {
    let wanted = wanted.max(1);
    match fd_limit() {
        Some(fds) if (wanted as u64).saturating_add(FD_RESERVE) > fds => {
            let n = fds.saturating_sub(FD_RESERVE).max(1) as usize;
            (
                n,
                Some(format!(
                    "aadsts: at most {n} connections at once (not {wanted}): the limit of open files is {fds}"
                )),
            )
        }
        _ => (wanted, None),
    }
}

#[cfg(unix)]
fn fd_limit() -> Option<u64> {
    let mut l = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) };
    if rc != 0 || l.rlim_cur == libc::RLIM_INFINITY {
        return None;
    }
    // rlim_t is not u64 on every platform.
    #[allow(clippy::unnecessary_cast)]
    Some(l.rlim_cur as u64)
}

#[cfg(not(unix))]
fn fd_limit() -> Option<u64> {
    None
}

/// An open connection as the accept loop sees it.
struct Entry {
    /// Requests in progress on it.
    busy: Arc<AtomicUsize>,
    /// Closes it at once.
    close: Arc<Notify>,
}

/// Open connections by id; ids grow, so the first idle one found is the longest open.
#[derive(Default)]
struct Table {
    next: u64,
    open: BTreeMap<u64, Entry>,
}

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight
/// finish. At most `max_connections` connections at once (see the module's documentation);
/// a connection that has not sent a complete request head within `header_timeout` (its
/// first, or the next one on a kept-alive connection) is closed.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: Router,
    max_connections: usize,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let (max, note) = effective_limit(max_connections);
    if let Some(note) = note {
        eprintln!("{note}");
    }
    let slots = Arc::new(Semaphore::new(max));
    let table = Arc::new(Mutex::new(Table::default()));
    let stop = Arc::new(Notify::new());
    let stopping = Arc::new(AtomicBool::new(false));
    let mut at_limit = false;
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            _ = &mut shutdown => break,
            r = listener.accept() => match r {
                Ok(x) => x,
                // Out of descriptors or a connection reset before it was accepted: wait a
                // little rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let permit = match slots.clone().try_acquire_owned() {
            Ok(p) => {
                at_limit = false;
                p
            }
            Err(_) => {
                let victim = {
                    let t = table.lock().expect("no panics while held");
                    t.open
                        .values()
                        .find(|e| e.busy.load(Ordering::SeqCst) == 0)
                        .map(|e| e.close.clone())
                };
                if !at_limit {
                    at_limit = true;
                    eprintln!(
                        "aadsts: {max} connections open, the limit; {}",
                        if victim.is_some() {
                            "closing the longest idle connection for each new one"
                        } else {
                            "every one has a request in progress: new connections wait"
                        }
                    );
                }
                if let Some(v) = victim {
                    v.notify_one();
                }
                tokio::select! {
                    _ = &mut shutdown => break,
                    p = slots.clone().acquire_owned() => match p {
                        Ok(p) => p,
                        Err(_) => break,
                    },
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let busy = Arc::new(AtomicUsize::new(0));
        let close = Arc::new(Notify::new());
        let id = {
            let mut t = table.lock().expect("no panics while held");
            let id = t.next;
            t.next += 1;
            t.open.insert(
                id,
                Entry {
                    busy: busy.clone(),
                    close: close.clone(),
                },
            );
            id
        };
        let (app, table, stop, stopping) =
            (app.clone(), table.clone(), stop.clone(), stopping.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let svc_busy = busy.clone();
            let svc =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let app = app.clone();
                    let guard = Busy::new(svc_busy.clone());
                    async move {
                        let res =
                            tower::ServiceExt::oneshot(app, req.map(axum::body::Body::new)).await;
                        // Busy until the response body has been sent (or dropped).
                        res.map(|r| {
                            r.map(move |body| {
                                axum::body::Body::new(http_body_util::BodyExt::map_frame(
                                    body,
                                    move |frame| {
                                        let _busy = &guard;
                                        frame
                                    },
                                ))
                            })
                        })
                    }
                });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), svc);
            tokio::pin!(conn);
            let stopped = stop.notified();
            tokio::pin!(stopped);
            stopped.as_mut().enable();
            if !stopping.load(Ordering::SeqCst) {
                tokio::select! {
                    _ = conn.as_mut() => {}
                    // Chosen to make room: it has no request in progress, drop it.
                    _ = close.notified() => {}
                    _ = stopped => {
                        conn.as_mut().graceful_shutdown();
                        let _ = conn.as_mut().await;
                    }
                }
            }
            table.lock().expect("no panics while held").open.remove(&id);
        });
    }
    // Stop: finish the requests in flight, close idle connections.
    stopping.store(true, Ordering::SeqCst);
    stop.notify_waiters();
    let _ = slots.acquire_many(max as u32).await;
    Ok(())
}

/// Counts a request in progress for as long as it lives.
struct Busy(Arc<AtomicUsize>);

impl Busy {
    fn new(n: Arc<AtomicUsize>) -> Self {
        n.fetch_add(1, Ordering::SeqCst);
        Busy(n)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
