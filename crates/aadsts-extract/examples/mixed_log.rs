//! Writes the benchmark's mixed log to stdout: `mixed_log [MiB]` (default 64).

#[path = "../benches/mixed_log.rs"]
mod mixed_log;

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(64);
    print!("{}", mixed_log::mixed_log(mib * 1024 * 1024));
}
