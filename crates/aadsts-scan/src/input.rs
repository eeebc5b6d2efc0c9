//! Where the logs come from: files, directories (walked), globs and stdin; gzip undone,
//! byte-order marks and UTF-16 (what Excel saves) decoded to UTF-8, all as a stream.

use crate::ScanError;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".into(),
            Source::File(p) => p.display().to_string(),
        }
    }

    pub fn size(&self) -> u64 {
        match self {
            Source::Stdin => 0,
            Source::File(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
        }
    }
}

/// Expands arguments: `-` is stdin, a directory is walked (sorted, hidden entries
/// skipped), an argument with `*`, `?` or `[` that is not an existing path is a glob.
pub fn expand(args: &[String]) -> Result<Vec<Source>, ScanError> {
    let mut out = Vec::new();
    for a in args {
        if a == "-" {
            out.push(Source::Stdin);
            continue;
        }
        let p = Path::new(a);
        if p.is_dir() {
            walk(p, &mut out)?;
        } else if p.exists() {
            out.push(Source::File(p.to_path_buf()));
        } else if a.contains(['*', '?', '[']) {
            let paths = glob::glob(a).map_err(|e| ScanError::Pattern {
                pattern: a.clone(),
                message: e.to_string(),
            })?;
            let before = out.len();
            for p in paths.flatten() {
                if p.is_dir() {
                    walk(&p, &mut out)?;
                } else {
                    out.push(Source::File(p));
                }
            }
            if out.len() == before {
                return Err(ScanError::NoMatch(a.clone()));
            }
        } else {
            return Err(ScanError::Open {
                path: a.clone(),
                source: io::Error::new(io::ErrorKind::NotFound, "no such file or directory"),
            });
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Source>) -> Result<(), ScanError> {
    walk_seen(dir, out, &mut std::collections::HashSet::new())
}

/// Walks a directory; a directory reached twice (a symlink loop, or two links to one place)
/// is read once.
fn walk_seen(
    dir: &Path,
    out: &mut Vec<Source>,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> Result<(), ScanError> {
    let err = |e| ScanError::Open {
        path: dir.display().to_string(),
        source: e,
    };
    let canonical = std::fs::canonicalize(dir).map_err(err)?;
    if !seen.insert(canonical) {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(err)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk_seen(&p, out, seen)?;
        } else if p.is_file() {
            out.push(Source::File(p));
        }
    }
    Ok(())
}

/// Counts raw bytes as they are read, for the progress bar.
struct Counting<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens a source as a UTF-8 stream: gzip detected by its magic bytes, then a BOM
/// (UTF-8, UTF-16 LE/BE) decoded; text without a BOM is read as UTF-8 (invalid bytes
/// replaced, never fatal).
pub fn open(src: &Source, counter: Arc<AtomicU64>) -> Result<Box<dyn BufRead + Send>, ScanError> {
    let raw: Box<dyn Read + Send> = match src {
        Source::Stdin => Box::new(io::stdin()),
        Source::File(p) => Box::new(File::open(p).map_err(|e| ScanError::Open {
            path: p.display().to_string(),
            source: e,
        })?),
    };
    let mut buffered = BufReader::with_capacity(
        256 * 1024,
        Counting {
            inner: raw,
            counter,
        },
    );
    let gz = {
        let head = buffered.fill_buf().map_err(|e| ScanError::Read {
            path: src.name(),
            source: e,
        })?;
        head.starts_with(&[0x1f, 0x8b])
    };
    let plain: Box<dyn Read + Send> = if gz {
        Box::new(flate2::bufread::MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    // UTF-16 without a byte-order mark (some tools write it): every other byte is NUL in
    // ASCII-heavy text. Sniff the first bytes; a BOM, when present, still wins.
    let mut plain = BufReader::with_capacity(64 * 1024, plain);
    let mut head = Vec::with_capacity(4096);
    while head.len() < 4096 {
        let buf = plain.fill_buf().map_err(|e| ScanError::Read {
            path: src.name(),
            source: e,
        })?;
        if buf.is_empty() {
            break;
        }
        let take = buf.len().min(4096 - head.len());
        head.extend_from_slice(&buf[..take]);
        plain.consume(take);
    }
    let encoding = utf16_without_bom(&head);
    let plain = io::Cursor::new(head).chain(plain);
    let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(encoding)
        .bom_sniffing(true)
        .strip_bom(true)
        .build(plain);
    Ok(Box::new(BufReader::with_capacity(256 * 1024, decoded)))
}

/// Reads up to `n` bytes for format detection and gives back a reader that still yields
/// them (decoders may hand out the first bytes in small pieces, so one `fill_buf` is not
/// enough).
pub fn peek(
    mut r: Box<dyn BufRead + Send>,
    n: usize,
) -> io::Result<(Vec<u8>, Box<dyn BufRead + Send>)> {
    let mut head = Vec::with_capacity(n);
    while head.len() < n {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let take = buf.len().min(n - head.len());
        head.extend_from_slice(&buf[..take]);
        r.consume(take);
    }
    let rest: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(
        256 * 1024,
        io::Cursor::new(head.clone()).chain(r),
    ));
    Ok((head, rest))
}

/// `Some(UTF-16LE/BE)` when the bytes look like UTF-16 text without a byte-order mark.
fn utf16_without_bom(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if head.len() < 16 || head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return None;
    }
    let pairs = head.len() / 2;
    let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if odd * 10 > pairs * 6 && even * 10 < pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 > pairs * 6 && odd * 10 < pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}
