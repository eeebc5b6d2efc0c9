//! Helpers shared by the end-to-end tests of the built binary. Each test file is a crate of
//! its own and uses only some of them.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The built binary, without the user's overlay directory or colour settings.
pub fn aadsts() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("aadsts").unwrap();
    c.env_remove("AADSTS_KB").env_remove("NO_COLOR");
    c
}

/// Standard output of `aadsts ARGS`, which must succeed.
pub fn stdout(args: &[&str]) -> String {
    let out = aadsts().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "aadsts {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Standard output of `aadsts ARGS` as JSON.
pub fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&stdout(args)).unwrap()
}

/// Standard output of a prepared command, which must succeed.
pub fn stdout_of(c: &mut assert_cmd::Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `aadsts serve` on a free loopback port with a temporary directory of its own; killed
/// when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub tmp: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start() -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let tmp = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("aadsts"))
        .args(["serve", "--bind", &addr])
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, addr, tmp }
}

/// How many entries a directory holds (0 when it is gone).
pub fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}
