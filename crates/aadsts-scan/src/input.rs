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
    /// A directory found while walking that cannot be read: reported like an unreadable
    /// file (an error on its input), while the rest of the scan goes on.
    Unreadable(PathBuf, String),
    /// An entry of a directory or a glob that is not read, with why (not a regular file: a
    /// FIFO would block the scan forever; a symbolic link out of the directory given).
    Ignored(PathBuf, String),
}

impl Source {
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".into(),
            Source::File(p) | Source::Unreadable(p, _) | Source::Ignored(p, _) => {
                p.display().to_string()
            }
        }
    }

    pub fn size(&self) -> u64 {
        match self {
            Source::File(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
            _ => 0,
        }
    }
}

/// What is read once: files by their canonical path (a file reached through two links, or
/// named twice, is counted once), directories likewise (a symlink loop is walked once).
#[derive(Default)]
struct Seen {
    files: std::collections::HashSet<PathBuf>,
    dirs: std::collections::HashSet<PathBuf>,
}

impl Seen {
    /// Adds a file unless it was added before.
    fn file(&mut self, p: PathBuf, out: &mut Vec<Source>) {
        // A path without a canonical form (`/dev/fd/63` of a process substitution) is read
        // as given.
        let new = std::fs::canonicalize(&p).map_or(true, |c| self.files.insert(c));
        if new {
            out.push(Source::File(p));
        }
    }
}

/// Why `p` is not followed, when it is a symbolic link whose target is outside `root`.
fn link_out_of(p: &Path, root: &Path) -> Option<String> {
    if !std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
        return None;
    }
    let target = std::fs::canonicalize(p).ok()?;
    (!target.starts_with(root)).then(|| {
        format!(
            "a symbolic link to {}, outside {}; not followed",
            target.display(),
            root.display()
        )
    })
}

/// What kind of file a non-regular entry is, for the note that says why it is not read.
fn kind_of(m: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = m;
    "not a regular file"
}

/// Expands arguments: `-` is stdin, a directory is walked (sorted, hidden entries
/// skipped), an argument with `*`, `?` or `[` that is not an existing path is a glob.
/// A path named on the command line is read whatever it is (a FIFO or `/dev/stdin` on
/// purpose); from a directory or a glob only regular files are, and a symbolic link that
/// leads out of the directory given is not followed (each is listed with a note).
pub fn expand(args: &[String]) -> Result<Vec<Source>, ScanError> {
    let mut out = Vec::new();
    let mut seen = Seen::default();
    for a in args {
        if a == "-" {
            out.push(Source::Stdin);
            continue;
        }
        let p = Path::new(a);
        if p.is_dir() {
            walk(p, &mut out, &mut seen);
        } else if p.exists() {
            seen.file(p.to_path_buf(), &mut out);
        } else if a.contains(['*', '?', '[']) {
            let paths = glob::glob(a).map_err(|e| ScanError::Pattern {
                pattern: a.clone(),
                message: e.to_string(),
            })?;
            // Links stay inside the directory the pattern names (its part before the
            // first wildcard), as they stay inside a directory walked.
            let base: PathBuf = Path::new(a)
                .components()
                .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
                .collect();
            let root = std::fs::canonicalize(if base.as_os_str().is_empty() {
                Path::new(".")
            } else {
                &base
            })
            .ok();
            let before = out.len();
            for entry in paths {
                let p = match entry {
                    Ok(p) => p,
                    // A directory on the way that cannot be read.
                    Err(e) => {
                        let why = e.error().to_string();
                        out.push(Source::Unreadable(e.path().to_path_buf(), why));
                        continue;
                    }
                };
                if let Some(why) = root.as_deref().and_then(|r| link_out_of(&p, r)) {
                    out.push(Source::Ignored(p, why));
                    continue;
                }
                match std::fs::metadata(&p) {
                    Ok(m) if m.is_dir() => walk(&p, &mut out, &mut seen),
                    Ok(m) if m.is_file() => seen.file(p, &mut out),
                    Ok(m) => out.push(Source::Ignored(
                        p,
                        format!("{}, matched by {a}; not read", kind_of(&m)),
                    )),
                    Err(e) => out.push(Source::Unreadable(p, e.to_string())),
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

/// Walks a directory given (or matched): nothing outside it is read.
fn walk(dir: &Path, out: &mut Vec<Source>, seen: &mut Seen) {
    match std::fs::canonicalize(dir) {
        Ok(root) => walk_under(dir, &root, out, seen),
        Err(e) => out.push(Source::Unreadable(dir.to_path_buf(), e.to_string())),
    }
}

/// Walks a directory; a directory reached twice (a symlink loop, or two links to one place)
/// is read once. A directory that cannot be read is reported and the walk goes on.
fn walk_under(dir: &Path, root: &Path, out: &mut Vec<Source>, seen: &mut Seen) {
    let canonical = match std::fs::canonicalize(dir) {
        Ok(c) => c,
        Err(e) => {
            out.push(Source::Unreadable(dir.to_path_buf(), e.to_string()));
            return;
        }
    };
    if !seen.dirs.insert(canonical) {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            out.push(Source::Unreadable(
                dir.to_path_buf(),
                format!("cannot read directory: {e}"),
            ));
            return;
        }
    };
    let mut entries: Vec<_> = entries
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
        let link = std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink());
        if link {
            // A dangling link or a loop: nothing to read.
            if std::fs::canonicalize(&p).is_err() {
                continue;
            }
            if let Some(why) = link_out_of(&p, root) {
                out.push(Source::Ignored(p, why));
                continue;
            }
        }
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => walk_under(&p, root, out, seen),
            Ok(m) if m.is_file() => seen.file(p, out),
            Ok(m) => out.push(Source::Ignored(p, format!("{}; not read", kind_of(&m)))),
            Err(e) => out.push(Source::Unreadable(p, e.to_string())),
        }
    }
}

/// Counts raw bytes as they are read, for the progress bar.
struct Counting<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

/// Stops the (decoded) stream with an error once `cancel` is set: checked every read,
/// that is every 256 KiB of text, however well the input was compressed.
struct Cancellable<R> {
    inner: R,
    cancel: Option<Arc<std::sync::atomic::AtomicBool>>,
}

impl<R: Read> Read for Cancellable<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
        {
            return Err(io::Error::other("scan cancelled"));
        }
        self.inner.read(buf)
    }
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
pub fn open(
    src: &Source,
    counter: Arc<AtomicU64>,
    cancel: Option<Arc<std::sync::atomic::AtomicBool>>,
) -> Result<Box<dyn BufRead + Send>, ScanError> {
    let raw: Box<dyn Read + Send> = match src {
        Source::Stdin => Box::new(io::stdin()),
        Source::File(p) => Box::new(File::open(p).map_err(|e| ScanError::Open {
            path: p.display().to_string(),
            source: e,
        })?),
        Source::Unreadable(p, why) => {
            return Err(ScanError::Open {
                path: p.display().to_string(),
                source: io::Error::other(why.clone()),
            })
        }
        Source::Ignored(p, why) => {
            return Err(ScanError::Unsupported {
                path: p.display().to_string(),
                what: why.clone(),
            })
        }
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
    if let Some(what) = archive(&head, gz) {
        return Err(ScanError::Unsupported {
            path: src.name(),
            what: what.into(),
        });
    }
    let encoding = utf16_without_bom(&head);
    let plain = io::Cursor::new(head).chain(plain);
    let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(encoding)
        .bom_sniffing(true)
        .strip_bom(true)
        .build(plain);
    Ok(Box::new(BufReader::with_capacity(
        256 * 1024,
        Cancellable {
            inner: decoded,
            cancel,
        },
    )))
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

/// What an input is when it is an archive or a compression this tool does not undo (its
/// first bytes, after gzip when `gz`), said plainly instead of reading it as text.
fn archive(head: &[u8], gz: bool) -> Option<&'static str> {
    let tar = head.get(257..262) == Some(b"ustar");
    Some(match head {
        [0x1f, 0x8b, ..] => "gzip inside gzip (compressed twice): decompress it once first, e.g. `gzip -dc FILE | aadsts scan -`",
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] | [b'P', b'K', 7, 8, ..] => {
            if gz {
                "a zip archive inside gzip: aadsts scan does not open archives; extract the files and scan them"
            } else {
                "a zip archive: aadsts scan does not open archives; extract the files and scan them (or the directory)"
            }
        }
        _ if tar && gz => "a gzip-compressed tar archive (.tar.gz): aadsts scan does not open archives; extract it (`tar -xzf FILE`) and scan the directory",
        _ if tar => "a tar archive: aadsts scan does not open archives; extract it (`tar -xf FILE`) and scan the directory",
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => "xz-compressed: decompress it first (`xz -dc FILE | aadsts scan -`); only gzip is undone",
        [b'B', b'Z', b'h', b'1'..=b'9', ..] => "bzip2-compressed: decompress it first (`bzip2 -dc FILE | aadsts scan -`); only gzip is undone",
        [0x28, 0xb5, 0x2f, 0xfd, ..] => "zstd-compressed: decompress it first (`zstd -dc FILE | aadsts scan -`); only gzip is undone",
        [b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c, ..] => "a 7-Zip archive: aadsts scan does not open archives; extract the files and scan them",
        _ => return None,
    })
}

/// Like [`peek`], reading on past `n` bytes until the first line is complete (or `max`
/// bytes): the shape of a CSV export is told from its whole header, however wide.
pub fn peek_first_line(
    mut r: Box<dyn BufRead + Send>,
    n: usize,
    max: usize,
) -> io::Result<(Vec<u8>, Box<dyn BufRead + Send>)> {
    let mut head = Vec::with_capacity(n);
    let mut line_end = false;
    while head.len() < max && (head.len() < n || !line_end) {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let take = buf.len().min(max - head.len());
        line_end = line_end || memchr::memchr(b'\n', &buf[..take]).is_some();
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
