//! Caps on what a delivered file may unpack to, checked as the bytes are read: a zip member or
//! gzip stream that grows past `limits.uncompressed`, or past `limits.ratio` times its
//! compressed size, and a line longer than `limits.line`, stop the reading of that file with a
//! [`Exceeded`] error — the file is quarantined, nothing more of it is read or kept.

use std::io::{self, BufRead, Read};

use crate::project::ingest::{show_size, Limits};

/// Below this many unpacked bytes the ratio is not checked: small files that pack well (a
/// few repeated lines) are no bomb.
pub const RATIO_FLOOR: u64 = 1 << 20;

/// Which cap a file reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exceeded {
    /// Unpacked more than `limits.uncompressed` bytes.
    Size { limit: u64 },
    /// Unpacked more than `ratio` × `compressed` bytes.
    Ratio { ratio: u64, compressed: u64 },
    /// A line longer than `limits.line` bytes.
    Line { limit: u64 },
}

impl std::fmt::Display for Exceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exceeded::Size { limit } => {
                f.write_str(&crate::t!("ingest-too-big", size = show_size(*limit)))
            }
            Exceeded::Ratio { ratio, compressed } => f.write_str(&crate::t!(
                "ingest-ratio",
                ratio = ratio.to_string(),
                size = show_size(*compressed),
                suggested = ratio.saturating_mul(5).to_string()
            )),
            Exceeded::Line { limit } => f.write_str(&crate::t!(
                "ingest-line-too-long",
                size = show_size(*limit),
                suggested = show_size(limit.saturating_mul(4))
                    .replace(".0 ", "")
                    .replace(' ', "")
            )),
        }
    }
}

impl std::error::Error for Exceeded {}

/// The cap an I/O error stands for, if it is one.
pub fn exceeded(e: &io::Error) -> Option<&Exceeded> {
    e.get_ref().and_then(|x| x.downcast_ref::<Exceeded>())
}

/// A decompressed stream, counted: an error once it passes its caps.
pub struct Capped<R> {
    inner: R,
    read: u64,
    size: u64,
    ratio: u64,
    compressed: u64,
}

impl<R: Read> Capped<R> {
    /// Cap `inner`, the unpacked form of `compressed` bytes, by `limits`.
    pub fn new(inner: R, compressed: u64, limits: &Limits) -> Capped<R> {
        Capped {
            inner,
            read: 0,
            size: limits.uncompressed,
            ratio: limits.ratio,
            compressed,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.size {
            return Err(io::Error::other(Exceeded::Size { limit: self.size }));
        }
        let by_ratio = self.ratio.saturating_mul(self.compressed.max(1));
        if self.read > by_ratio.max(RATIO_FLOOR) {
            return Err(io::Error::other(Exceeded::Ratio {
                ratio: self.ratio,
                compressed: self.compressed,
            }));
        }
        Ok(n)
    }
}

/// Read one line (with its line break) into `buf`, as `read_until` does, but never more than
/// `limit` bytes before the line break: an [`Exceeded::Line`] error instead.
pub fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>, limit: u64) -> io::Result<usize> {
    let n = r.take(limit.saturating_add(2)).read_until(b'\n', buf)?;
    let mut len = buf.len();
    if buf.last() == Some(&b'\n') {
        len -= 1;
        if len > 0 && buf[len - 1] == b'\r' {
            len -= 1;
        }
    }
    if len as u64 > limit {
        return Err(io::Error::other(Exceeded::Line { limit }));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(uncompressed: u64, ratio: u64) -> Limits {
        Limits {
            uncompressed,
            ratio,
            line: 10,
        }
    }

    fn drain(mut r: impl Read) -> io::Result<u64> {
        io::copy(&mut r, &mut io::sink())
    }

    #[test]
    fn streams_stop_at_their_caps() {
        let data = vec![0u8; 3 << 20];
        assert!(drain(Capped::new(&data[..], 1, &limits(4 << 20, 10))).is_err());
        let e = drain(Capped::new(&data[..], 1 << 20, &limits(1 << 20, 100))).unwrap_err();
        assert_eq!(exceeded(&e), Some(&Exceeded::Size { limit: 1 << 20 }));
        let e = drain(Capped::new(&data[..], 1000, &limits(4 << 20, 2000))).unwrap_err();
        assert_eq!(
            exceeded(&e),
            Some(&Exceeded::Ratio {
                ratio: 2000,
                compressed: 1000
            })
        );
        // Small files may pack well; within both caps nothing happens.
        assert_eq!(
            drain(Capped::new(&data[..1 << 20], 1, &limits(1 << 20, 2))).unwrap(),
            1 << 20
        );
        assert_eq!(
            drain(Capped::new(&data[..], 1 << 20, &limits(4 << 20, 3))).unwrap(),
            3 << 20
        );
    }

    #[test]
    fn lines_stop_at_their_cap() {
        let mut r = io::Cursor::new(b"0123456789\r\n0123456789\n01234567890\nx".to_vec());
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut r, &mut buf, 10).unwrap(), 12);
        buf.clear();
        assert_eq!(read_line(&mut r, &mut buf, 10).unwrap(), 11);
        buf.clear();
        let e = read_line(&mut r, &mut buf, 10).unwrap_err();
        assert_eq!(exceeded(&e), Some(&Exceeded::Line { limit: 10 }));
        let mut r = io::Cursor::new(vec![b'x'; 100]);
        buf.clear();
        assert!(read_line(&mut r, &mut buf, 10).is_err());
        assert!(buf.len() <= 12, "reads at most the cap");
        assert!(exceeded(&io::Error::other("x")).is_none());
    }
}
