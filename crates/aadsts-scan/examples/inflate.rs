//! Times gzip decompression alone with the flate2 backend this build uses, the way the scan
//! reads (`MultiGzDecoder` over a 256 KiB buffered file): `inflate FILE.gz`. Used to pick
//! the backend (README, Benchmarks).
//!
//! Issue 19, this file built against each backend (`perf stat -r 7`, task-clock, loaded
//! 2-core machine): Azure Monitor JSON lines (8 MB gzip, 192 MB inflated) zlib-rs 66 ms,
//! zlib-ng 61 ms, libdeflate 109 ms (93 ms in the call itself: whole file and whole output in
//! memory); Graph page (11 MB, `gzip -6`) 83 / 74 / 146 ms; portal CSV (15 MB) 95 / 83 /
//! 131 ms. zlib-rs stays: zlib-ng saves ~10 % of a part that is ~5 % of a gzip scan and runs
//! on the reading thread beside the workers, but needs CMake and a C compiler wherever the
//! crate is built; libdeflate is slower here (the output's pages are all touched at once)
//! and gives up flat memory.

use std::io::{BufReader, Read};
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: inflate FILE.gz");
        std::process::exit(2);
    };
    let started = Instant::now();
    let file = BufReader::with_capacity(256 * 1024, std::fs::File::open(&path)?);
    let mut gz = flate2::bufread::MultiGzDecoder::new(file);
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = gz.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total += n as u64;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{total} bytes in {secs:.3} s ({:.0} MB/s)",
        total as f64 / secs / 1e6
    );
    Ok(())
}
