//! Reading one delivered file: open it (zip members, gzip, plain), decode every line strictly
//! (CP932 by default), split it into fields, check the header and the field counts, and write
//! the rows — with their source file and line number — to a UTF-8 staging CSV. One pass, one
//! line in memory at a time.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use super::limit::{self, Capped, Exceeded};
use crate::project::ingest::{show_size, Compression, Encoding, Header, IngestRule};

/// Why (and where) a file cannot be ingested.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The zip member, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// 1-based line number, if the problem is on a line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// What is wrong, in plain words.
    pub reason: String,
}

/// What reading a file produced.
#[derive(Debug, Clone, Default)]
pub struct Staged {
    /// Data rows written.
    pub rows: u64,
    /// Bytes read after decompression.
    pub bytes_in: u64,
    /// Members (or 1 for a plain/gzip file) read.
    pub members: usize,
}

/// At most this many problems are collected per file (the rest are counted).
const MAX_PROBLEMS: usize = 10;

/// How a file is actually compressed (`auto` resolved by extension).
pub fn compression_of(rule: &IngestRule, path: &Path) -> Compression {
    match rule.compression {
        Compression::Auto => {
            let name = path.to_string_lossy().to_ascii_lowercase();
            if name.ends_with(".zip") {
                Compression::Zip
            } else if name.ends_with(".gz") || name.ends_with(".gzip") {
                Compression::Gzip
            } else {
                Compression::None
            }
        }
        c => c,
    }
}

/// Read `path` by `rule` and write its rows to `out` (a staging CSV: every declared column
/// quoted, NULL as an empty unquoted field, then `_source_file`, `_line`). `shown` is the name
/// kept as provenance.
pub fn stage(
    rule: &IngestRule,
    path: &Path,
    shown: &str,
    out: &Path,
) -> Result<Staged, Vec<Problem>> {
    let file = File::open(path).map_err(|e| {
        vec![problem(
            None,
            None,
            crate::t!("ingest-cannot-open", error = e.to_string()),
        )]
    })?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
    let sink = File::create(out).map_err(|e| {
        vec![problem(
            None,
            None,
            crate::t!(
                "ingest-cannot-write-staging-at",
                path = out.display().to_string(),
                error = e.to_string()
            ),
        )]
    })?;
    let mut w = Writer {
        out: BufWriter::with_capacity(1 << 20, sink),
        problems: Vec::new(),
        more: 0,
        staged: Staged::default(),
    };
    match compression_of(rule, path) {
        Compression::Zip => {
            let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| {
                vec![problem(
                    None,
                    None,
                    crate::t!("ingest-bad-zip", error = e.to_string()),
                )]
            })?;
            let mut names: Vec<(String, usize)> = (0..archive.len())
                .filter_map(|i| {
                    let f = archive.by_index_raw(i).ok()?;
                    (!f.is_dir()).then(|| (f.name().to_string(), i))
                })
                .filter(|(n, _)| rule.entries.as_ref().is_none_or(|g| g.is_match(n)))
                .collect();
            names.sort();
            if names.is_empty() {
                return Err(vec![problem(None, None, crate::t!("ingest-no-member"))]);
            }
            for (name, i) in names {
                let member = match archive.by_index(i) {
                    Ok(m) => m,
                    Err(e) => {
                        w.problem(
                            Some(&name),
                            None,
                            crate::t!("ingest-cannot-read-member", error = e.to_string()),
                        );
                        continue;
                    }
                };
                let label = format!("{shown}!{name}");
                let packed = member.compressed_size().min(size);
                let member = Capped::new(member, packed, &rule.limits);
                w.read(
                    rule,
                    BufReader::with_capacity(1 << 18, member),
                    Some(&name),
                    &label,
                );
                w.staged.members += 1;
            }
        }
        Compression::Gzip => {
            let r = flate2::read::MultiGzDecoder::new(BufReader::new(file));
            let r = Capped::new(r, size, &rule.limits);
            w.read(rule, BufReader::with_capacity(1 << 18, r), None, shown);
            w.staged.members = 1;
        }
        Compression::None | Compression::Auto => {
            w.read(rule, BufReader::with_capacity(1 << 18, file), None, shown);
            w.staged.members = 1;
        }
    }
    if let Err(e) = w.out.flush() {
        w.problem(
            None,
            None,
            crate::t!("ingest-cannot-write-staging", error = e.to_string()),
        );
    }
    if w.problems.is_empty() {
        Ok(w.staged)
    } else {
        if w.more > 0 {
            w.problems.push(problem(
                None,
                None,
                crate::t!("ingest-more-problems", count = w.more.to_string()),
            ));
        }
        Err(w.problems)
    }
}

fn problem(entry: Option<&str>, line: Option<u64>, reason: String) -> Problem {
    Problem {
        entry: entry.map(str::to_string),
        line,
        reason,
    }
}

struct Writer {
    out: BufWriter<File>,
    problems: Vec<Problem>,
    more: usize,
    staged: Staged,
}

impl Writer {
    fn problem(&mut self, entry: Option<&str>, line: Option<u64>, reason: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem(entry, line, reason));
        } else {
            self.more += 1;
        }
    }

    /// Read one text stream (a zip member or the whole file).
    fn read(&mut self, rule: &IngestRule, mut r: impl BufRead, entry: Option<&str>, label: &str) {
        let mut lines = Lines::new(rule);
        let mut record = Record::new(rule);
        let mut fields = Fields::default();
        let mut first = true;
        loop {
            let text = match lines.next(&mut r, first) {
                Ok(None) => break,
                Ok(Some(t)) => t,
                Err(Line::Bad(msg)) => {
                    self.staged.bytes_in += lines.last;
                    self.problem(entry, Some(lines.no), msg);
                    continue;
                }
                Err(Line::Stop(e)) => {
                    self.stopped(entry, lines.no + 1, &e);
                    return;
                }
            };
            self.staged.bytes_in += lines.last;
            if record.text.is_empty() && (text.is_empty() || text == "\u{1a}") {
                // Blank lines and a DOS end-of-file mark (0x1A, common in UKE files).
                continue;
            }
            record.push(&text, lines.no, lines.last);
            if record.open() {
                if record.bytes <= rule.limits.line {
                    continue;
                }
                self.problem(
                    entry,
                    Some(record.line),
                    crate::t!("ingest-quote-too-long", size = show_size(rule.limits.line)),
                );
                return;
            }
            let split = split(&record.text, rule.delimiter, rule.quote, &mut fields);
            record.clear();
            match split {
                Split::Bad(msg) => {
                    self.problem(entry, Some(record.line), msg);
                    continue;
                }
                Split::Incomplete => {
                    self.problem(
                        entry,
                        Some(record.line),
                        crate::t!("ingest-quote-never-closed"),
                    );
                    continue;
                }
                Split::Done => {}
            }
            if std::mem::replace(&mut first, false)
                && self.header(rule, &fields, entry, record.line)
            {
                continue;
            }
            self.row(rule, &fields, entry, label, record.line);
        }
        if !record.text.is_empty() {
            self.problem(
                entry,
                Some(record.line),
                crate::t!("ingest-quote-never-closed"),
            );
        }
    }

    /// Check the first record as a header; true if it is one (not data).
    fn header(
        &mut self,
        rule: &IngestRule,
        fields: &Fields,
        entry: Option<&str>,
        line: u64,
    ) -> bool {
        if rule.header == Header::Absent {
            return false;
        }
        match check_header(rule, fields.as_slice()) {
            Ok(()) => true,
            Err(msg) if rule.header == Header::Present => {
                self.problem(entry, Some(line), msg);
                true
            }
            Err(_) => false, // auto: line 1 is data
        }
    }

    /// Check the field count of a data record and stage it.
    fn row(
        &mut self,
        rule: &IngestRule,
        fields: &Fields,
        entry: Option<&str>,
        label: &str,
        line: u64,
    ) {
        let n = rule.columns.len();
        if fields.len() > n || (fields.len() < n && !rule.ragged) {
            self.problem(
                entry,
                Some(line),
                if fields.len() < n {
                    crate::t!(
                        "ingest-field-count-short",
                        fields = fields.len().to_string(),
                        columns = n.to_string()
                    )
                } else {
                    crate::t!(
                        "ingest-field-count",
                        fields = fields.len().to_string(),
                        columns = n.to_string()
                    )
                },
            );
            return;
        }
        if !self.problems.is_empty() {
            return; // the file is rejected anyway: only look for more problems
        }
        if let Err(e) = write_row(&mut self.out, fields.as_slice(), n, label, line) {
            self.problem(
                None,
                None,
                crate::t!("ingest-cannot-write-staging", error = e.to_string()),
            );
            return;
        }
        self.staged.rows += 1;
    }

    /// Reading a stream stopped at line `line` with `e`: a cap reached, or damaged data.
    fn stopped(&mut self, entry: Option<&str>, line: u64, e: &std::io::Error) {
        match limit::exceeded(e) {
            Some(x @ Exceeded::Line { .. }) => self.problem(entry, Some(line), x.to_string()),
            Some(x) if entry.is_some() => self.problem(
                entry,
                None,
                crate::t!("ingest-member-exceeded", why = x.to_string()),
            ),
            Some(x) => self.problem(
                entry,
                None,
                crate::t!("ingest-file-exceeded", why = x.to_string()),
            ),
            None => self.problem(
                entry,
                Some(line),
                crate::t!("ingest-ends-early", error = e.to_string()),
            ),
        }
    }
}

/// Why a line gives no text.
enum Line {
    /// It does not decode: a problem on this line; reading goes on.
    Bad(String),
    /// Reading stopped: a cap reached, or the data ends early.
    Stop(std::io::Error),
}

/// The lines of a stream, decoded, each at most `limits.line` bytes.
struct Lines {
    buf: Vec<u8>,
    /// The number of the last line read.
    no: u64,
    /// Its length as delivered (with its line break).
    last: u64,
    encoding: Encoding,
    limit: u64,
}

impl Lines {
    fn new(rule: &IngestRule) -> Lines {
        Lines {
            buf: Vec::with_capacity(4096),
            no: 0,
            last: 0,
            encoding: rule.encoding,
            limit: rule.limits.line,
        }
    }

    /// The next line's text, without its line break; None at the end.
    fn next(&mut self, r: &mut impl BufRead, first: bool) -> Result<Option<String>, Line> {
        self.buf.clear();
        match limit::read_line(r, &mut self.buf, self.limit) {
            Ok(0) => return Ok(None),
            Ok(n) => self.last = n as u64,
            Err(e) => return Err(Line::Stop(e)),
        }
        self.no += 1;
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        if first
            && self.buf.starts_with(b"\xEF\xBB\xBF")
            && matches!(self.encoding, Encoding::Utf8 | Encoding::Auto)
        {
            self.buf.drain(..3);
            self.encoding = Encoding::Utf8;
        }
        decode(&self.buf, &mut self.encoding)
            .map(Some)
            .map_err(Line::Bad)
    }
}

/// A record being put together from lines (a quoted field may hold line breaks). Whether a
/// quoted field is still open is followed byte by byte as lines are added, so a stray quote
/// costs one pass over the lines, not one pass per line.
struct Record {
    text: String,
    /// Its first line.
    line: u64,
    /// Its bytes as delivered.
    bytes: u64,
    delimiter: u8,
    quote: Option<u8>,
    state: Quoting,
}

/// Where the scan of a record is, for quotes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: it closes the field, unless another quote follows.
    QuoteInQuoted,
    /// Text after a closing quote: the record is complete, and bad (`split` says why).
    Bad,
}

impl Record {
    fn new(rule: &IngestRule) -> Record {
        Record {
            text: String::new(),
            line: 0,
            bytes: 0,
            delimiter: rule.delimiter,
            quote: rule.quote,
            state: Quoting::FieldStart,
        }
    }

    fn push(&mut self, text: &str, line: u64, bytes: u64) {
        if self.text.is_empty() {
            self.line = line;
            self.bytes = 0;
            self.state = Quoting::FieldStart;
        } else {
            self.text.push('\n');
            self.scan(b'\n');
        }
        self.bytes += bytes;
        self.text.push_str(text);
        if self.quote.is_some() {
            for &b in text.as_bytes() {
                self.scan(b);
            }
        }
    }

    fn scan(&mut self, b: u8) {
        let q = self.quote;
        self.state = match self.state {
            Quoting::FieldStart | Quoting::QuoteInQuoted if b == self.delimiter => {
                Quoting::FieldStart
            }
            Quoting::FieldStart if Some(b) == q => Quoting::Quoted,
            Quoting::Quoted if Some(b) == q => Quoting::QuoteInQuoted,
            Quoting::Quoted => Quoting::Quoted,
            Quoting::QuoteInQuoted if Some(b) == q => Quoting::Quoted,
            Quoting::QuoteInQuoted | Quoting::Bad => Quoting::Bad,
            Quoting::Unquoted if b == self.delimiter => Quoting::FieldStart,
            _ => Quoting::Unquoted,
        };
    }

    /// A quoted field is open at the end: the record goes on on the next line.
    fn open(&self) -> bool {
        self.state == Quoting::Quoted
    }

    fn clear(&mut self) {
        self.text.clear();
    }
}

/// Decode one line strictly; `auto` settles on the first line that is not ASCII.
fn decode(bytes: &[u8], encoding: &mut Encoding) -> Result<String, String> {
    match *encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
            crate::t!(
                "ingest-not-utf8",
                byte = format!("{:02X}", bytes[e.valid_up_to()]),
                at = (e.valid_up_to() + 1).to_string()
            )
        }),
        Encoding::Cp932 => decode_cp932(bytes),
        Encoding::ShiftJis => decode_shift_jis(bytes),
        Encoding::Auto => {
            if bytes.is_ascii() {
                return Ok(String::from_utf8_lossy(bytes).into_owned());
            }
            if let Ok(s) = std::str::from_utf8(bytes) {
                *encoding = Encoding::Utf8;
                return Ok(s.to_string());
            }
            match decode_cp932(bytes) {
                Ok(s) => {
                    *encoding = Encoding::Cp932;
                    Ok(s)
                }
                Err(_) => Err(crate::t!("ingest-unknown-encoding")),
            }
        }
    }
}

fn decode_cp932(bytes: &[u8]) -> Result<String, String> {
    crate::project::encoding::decode_cp932(bytes).map_err(|m| {
        crate::t!(
            "ingest-not-cp932",
            bytes = m.shown.to_string(),
            at = (m.at + 1).to_string(),
            before = m.before.to_string()
        )
    })
}

/// JIS X 0208 Shift_JIS as strict decoders read it: no NEC/IBM extension rows, and the seven
/// characters CP932 maps differently (`～` → U+301C WAVE DASH, …).
fn decode_shift_jis(bytes: &[u8]) -> Result<String, String> {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 || (0xA1..=0xDF).contains(&b) {
            i += 1;
            continue;
        }
        if b == 0x87 || (0xED..=0xEE).contains(&b) || b >= 0xFA {
            return Err(crate::t!(
                "ingest-nec-ibm",
                byte = format!("{b:02X}"),
                at = (i + 1).to_string()
            ));
        }
        i += 2;
    }
    let s = decode_cp932(bytes)?;
    Ok(s.chars()
        .map(|c| match c {
            '\u{FF5E}' => '\u{301C}',
            '\u{2225}' => '\u{2016}',
            '\u{FF0D}' => '\u{2212}',
            '\u{FFE0}' => '\u{00A2}',
            '\u{FFE1}' => '\u{00A3}',
            '\u{FFE2}' => '\u{00AC}',
            '\u{2015}' => '\u{2014}',
            c => c,
        })
        .collect())
}

enum Split {
    Done,
    Incomplete,
    Bad(String),
}

/// The fields of one record; their strings are reused from record to record (no allocation
/// per field once the longest record has been seen).
#[derive(Debug, Default)]
struct Fields {
    buf: Vec<String>,
    len: usize,
}

impl Fields {
    fn clear(&mut self) {
        self.len = 0;
    }

    fn push(&mut self, s: &str) {
        match self.buf.get_mut(self.len) {
            Some(f) => {
                f.clear();
                f.push_str(s);
            }
            None => self.buf.push(s.to_string()),
        }
        self.len += 1;
    }

    fn len(&self) -> usize {
        self.len
    }

    fn as_slice(&self) -> &[String] {
        &self.buf[..self.len]
    }
}

/// Split a record into fields.
fn split(record: &str, delimiter: u8, quote: Option<u8>, out: &mut Fields) -> Split {
    out.clear();
    let bytes = record.as_bytes();
    let delim = delimiter as char;
    let Some(q) = quote.filter(|q| bytes.contains(q)) else {
        for f in record.split(delim) {
            out.push(f);
        }
        return Split::Done;
    };
    let qc = q as char;
    let mut i = 0;
    loop {
        if i < bytes.len() && bytes[i] == q {
            // Quoted field.
            let mut field = String::new();
            let mut j = i + 1;
            loop {
                match record[j..].find(qc) {
                    None => return Split::Incomplete,
                    Some(k) => {
                        field.push_str(&record[j..j + k]);
                        j += k + 1;
                        if j < bytes.len() && bytes[j] == q {
                            field.push(qc);
                            j += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
            out.push(&field);
            if j == bytes.len() {
                return Split::Done;
            }
            if bytes[j] != delimiter {
                return Split::Bad(crate::t!(
                    "ingest-text-after-quote",
                    field = out.len().to_string(),
                    at = (record[..j].chars().count() + 1).to_string()
                ));
            }
            i = j + 1;
        } else {
            let end = record[i..].find(delim).map(|k| i + k);
            let stop = end.unwrap_or(bytes.len());
            out.push(&record[i..stop]);
            match end {
                Some(e) => i = e + 1,
                None => return Split::Done,
            }
        }
        if i == bytes.len() {
            out.push("");
            return Split::Done;
        }
    }
}

fn check_header(rule: &IngestRule, fields: &[String]) -> Result<(), String> {
    let texts: Vec<&str> = fields.iter().map(|f| f.trim()).collect();
    // `columns: N` declares no header texts: only the count is checked.
    let numbered = rule
        .columns
        .iter()
        .enumerate()
        .all(|(i, c)| c.header.is_none() && c.name == format!("c{i}"));
    if texts.len() != rule.columns.len() {
        return Err(crate::t!(
            "ingest-header-count",
            have = texts.len().to_string(),
            want = rule.columns.len().to_string(),
            header = texts.join(", ")
        ));
    }
    if numbered {
        return Ok(());
    }
    for (i, (got, c)) in texts.iter().zip(&rule.columns).enumerate() {
        let want = c.header_text().trim();
        if *got != want {
            return Err(crate::t!(
                "ingest-header-column",
                index = (i + 1).to_string(),
                got = *got,
                want = want,
                column = c.name.to_string()
            ));
        }
    }
    Ok(())
}

fn write_row(
    out: &mut impl Write,
    fields: &[String],
    n: usize,
    label: &str,
    line: u64,
) -> std::io::Result<()> {
    for i in 0..n {
        if let Some(v) = fields.get(i) {
            quoted(out, v)?;
        }
        out.write_all(b",")?;
    }
    quoted(out, label)?;
    writeln!(out, ",{line}")
}

fn quoted(out: &mut impl Write, v: &str) -> std::io::Result<()> {
    out.write_all(b"\"")?;
    if v.contains('"') {
        out.write_all(v.replace('"', "\"\"").as_bytes())?;
    } else {
        out.write_all(v.as_bytes())?;
    }
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(s: &str, q: Option<u8>) -> Vec<String> {
        let mut v = Fields::default();
        assert!(matches!(split(s, b',', q, &mut v), Split::Done), "{s}");
        v.as_slice().to_vec()
    }

    #[test]
    fn splits_quoted_and_plain_fields() {
        let s = |x: &str| x.to_string();
        assert_eq!(
            fields("RE,1,,x", Some(b'"')),
            vec![s("RE"), s("1"), s(""), s("x")]
        );
        assert_eq!(
            fields("\"a,b\",\"say \"\"hi\"\"\",", Some(b'"')),
            vec![s("a,b"), s("say \"hi\""), s("")]
        );
        assert_eq!(fields("a\"b,c", None), vec![s("a\"b"), s("c")]);
        let mut v = Fields::default();
        assert!(matches!(
            split("\"open,x", b',', Some(b'"'), &mut v),
            Split::Incomplete
        ));
        assert!(matches!(
            split("\"a\"b,x", b',', Some(b'"'), &mut v),
            Split::Bad(_)
        ));
    }

    #[test]
    fn records_stay_open_exactly_while_split_finds_them_incomplete() {
        let rule = |quote: Option<u8>| IngestRule {
            quote,
            ..crate::project::ingest::tests::rule()
        };
        for text in [
            "a,b",
            "\"a",
            "\"a\"",
            "\"a\"\"",
            "\"a\"\"b\",c",
            "a\"b,c",
            "a,\"b",
            "a\"b,\"c",
            "\"a\"x,\"b",
            "\"a,\nb\"",
            "\"\"",
            "\"",
            ",\"",
        ] {
            for q in [Some(b'"'), None] {
                let mut record = Record::new(&rule(q));
                for (i, line) in text.split('\n').enumerate() {
                    record.push(line, i as u64 + 1, line.len() as u64 + 1);
                }
                let mut f = Fields::default();
                let incomplete = matches!(split(text, b',', q, &mut f), Split::Incomplete);
                assert_eq!(record.open(), incomplete, "{text:?} {q:?}");
            }
        }
    }

    #[test]
    fn cp932_keeps_extension_characters_and_the_tilde() {
        let (bytes, _, bad) = encoding_rs::SHIFT_JIS.encode("①髙～ｱｲｳ");
        assert!(!bad);
        assert_eq!(decode_cp932(&bytes).unwrap(), "①髙～ｱｲｳ");
        // Shift_JIS proper has no ① and reads 0x8160 as WAVE DASH.
        assert!(decode_shift_jis(&bytes).is_err());
        let (tilde, _, _) = encoding_rs::SHIFT_JIS.encode("５月１日～");
        assert_eq!(decode_shift_jis(&tilde).unwrap(), "５月１日\u{301C}");
        let err = decode_cp932(b"ab\x82").unwrap_err();
        assert!(err.contains("byte 3"), "{err}");
    }

    #[test]
    fn auto_settles_on_the_first_non_ascii_line() {
        let mut e = Encoding::Auto;
        decode(b"abc", &mut e).unwrap();
        assert_eq!(e, Encoding::Auto);
        let (sj, _, _) = encoding_rs::SHIFT_JIS.encode("検査");
        assert_eq!(decode(&sj, &mut e).unwrap(), "検査");
        assert_eq!(e, Encoding::Cp932);
        let mut e = Encoding::Auto;
        assert_eq!(decode("検査".as_bytes(), &mut e).unwrap(), "検査");
        assert_eq!(e, Encoding::Utf8);
    }
}
