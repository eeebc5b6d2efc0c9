//! Times gzip decompression alone with the flate2 backend this build uses, the way the scan
//! reads (`MultiGzDecoder` over a 256 KiB buffered file): `inflate FILE.gz`. Used to pick
//! the backend (README, Benchmarks).

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
