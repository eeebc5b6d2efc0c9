//! `aadsts serve` as a process: faults a real server meets. A client that disconnects in the
//! middle of an upload leaves no temporary file; SIGTERM in the middle of a request lets it
//! finish, removes its file and exits cleanly; the server keeps answering throughout.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};
mod common;
use common::{files_in, start};

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// Starts an upload of `total` bytes and sends whole records up to `sent` bytes of it;
/// returns the connection and how many body bytes went out.
fn partial_upload(addr: &str, total: usize, sent: usize) -> (TcpStream, usize) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST /api/v1/scan HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: {total}\r\n\r\n"
    )
    .unwrap();
    let line = b"{\"time\":\"2025-03-01T00:00:00Z\",\"resultType\":\"50126\",\"properties\":{\"userPrincipalName\":\"a@contoso.com\",\"status\":{\"errorCode\":50126}}}\n";
    let mut n = 0;
    while n + line.len() <= sent {
        s.write_all(line).unwrap();
        n += line.len();
    }
    s.flush().unwrap();
    (s, n)
}

fn wait_until(mut ok: impl FnMut() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_client_that_disconnects_mid_upload_leaves_no_file() {
    let server = start();
    let (conn, _) = partial_upload(&server.addr, 10_000_000, 200_000);
    wait_until(
        || files_in(server.tmp.path()) == 1,
        "the upload is being spooled",
    );
    drop(conn);
    wait_until(
        || files_in(server.tmp.path()) == 0,
        "the temporary file is removed",
    );
    assert!(get(&server.addr, "/healthz").contains("\"status\":\"ok\""));
}

#[cfg(unix)]
#[test]
fn sigterm_mid_request_finishes_it_and_exits_cleanly() {
    let mut server = start();
    let total = 256_000;
    let (mut conn, sent) = partial_upload(&server.addr, total, total / 2);
    wait_until(
        || files_in(server.tmp.path()) == 1,
        "the upload is being spooled",
    );
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    std::thread::sleep(Duration::from_millis(300));
    // The request in flight is allowed to finish.
    // The rest of the declared body: blank lines, which the scanner skips.
    let _ = conn.write_all(&vec![b'\n'; total - sent]);
    let mut reply = String::new();
    let _ = conn.read_to_string(&mut reply);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("aadsts.scan/1"));
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "server did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    assert_eq!(
        files_in(server.tmp.path()),
        0,
        "no temporary file left behind"
    );
}
