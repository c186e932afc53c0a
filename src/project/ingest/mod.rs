//! Ingest rules (`ingest/*.yml`): which delivered files land in which bronze table, and how to
//! read them. Parsed and checked here, with the project; `karte ingest` (`crate::ingest`) runs
//! them.

use std::path::Path;

use regex::Regex;
use serde::Deserialize;

mod check;

use super::{name_span, yaml};
use crate::diag::Diagnostic;
use check::{check_rule, is_sql_name, rule_error};

/// Columns every bronze table gets after the declared ones: where each row came from.
pub const SOURCE_FILE_COLUMN: &str = "_source_file";
/// The 1-based line number of the row in its file (a header is line 1).
pub const LINE_COLUMN: &str = "_line";

/// One `ingest/*.yml` file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    /// The layer whose schema the tables go to (default `bronze`).
    #[serde(default)]
    layer: Option<String>,
    /// Paths (globs) that are delivered but not ingested: not reported as unmatched.
    #[serde(default)]
    ignore: Vec<String>,
    /// Caps on what one file may unpack to, for every rule of the file.
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    tables: Vec<RawRule>,
}

/// `limits: { uncompressed: 20GB, ratio: 200, line: 16MB }` (each key optional).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    #[serde(default)]
    uncompressed: Option<RawNumber>,
    #[serde(default)]
    ratio: Option<RawNumber>,
    #[serde(default)]
    line: Option<RawNumber>,
}

/// A number, or a size such as `16MB`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawNumber {
    Int(u64),
    Float(f64),
    Text(String),
}

impl RawNumber {
    fn shown(&self) -> String {
        match self {
            RawNumber::Int(n) => n.to_string(),
            RawNumber::Float(x) => x.to_string(),
            RawNumber::Text(t) => t.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    files: Option<String>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    entries: Option<String>,
    #[serde(default)]
    compression: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    delimiter: Option<String>,
    #[serde(default)]
    quote: Option<String>,
    #[serde(default)]
    header: Option<String>,
    columns: RawColumns,
    #[serde(default)]
    ragged: bool,
    #[serde(default)]
    partitioned_by: Option<Vec<String>>,
    /// Refused with E410 (see `check.rs`): named so the error says why, not "unknown field".
    #[serde(default)]
    partition_projection: Option<serde_yaml::Value>,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    freshness: Option<crate::project::FreshnessProperties>,
    #[serde(default, alias = "data_tests")]
    tests: Vec<serde_yaml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawColumns {
    Count(usize),
    List(Vec<RawColumn>),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawColumn {
    Name(String),
    Full(FullColumn),
}

/// `{name, header, description, classification, tests}` (any other key is an error).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FullColumn {
    name: String,
    #[serde(default)]
    header: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    classification: Option<String>,
    #[serde(default, alias = "data_tests")]
    tests: Vec<serde_yaml::Value>,
}

/// How a delivered file is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// A zip archive; `entries` picks the members.
    Zip,
    /// gzip.
    Gzip,
    /// Plain text.
    None,
    /// By the file's extension (`.zip`, `.gz`, anything else plain).
    Auto,
}

/// The character encoding of a delivered file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Windows-31J (Microsoft's Shift_JIS, with the NEC and IBM extensions): the default.
    Cp932,
    /// JIS X 0208 Shift_JIS as strict decoders read it (`～` is U+301C; no extension rows).
    ShiftJis,
    /// UTF-8 (a BOM is dropped).
    Utf8,
    /// UTF-8 if the bytes are valid UTF-8, else CP932 if they decode as CP932, else rejected.
    Auto,
}

/// Whether the first line is a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// Line 1 is a header, checked against the declared columns.
    Present,
    /// No header: every line is data.
    Absent,
    /// A header if line 1 equals the declared header texts, data otherwise.
    Auto,
}

/// What one file may unpack to: a zip bomb, a gzip bomb or a file without line breaks is
/// quarantined when it reaches a cap, instead of filling the disk or the memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes one zip member or gzip stream may unpack to.
    pub uncompressed: u64,
    /// How many times its compressed size a zip member or gzip stream may unpack to.
    pub ratio: u64,
    /// Bytes of one line (or of one quoted record over several lines), as delivered.
    pub line: u64,
}

/// The most `limits.line` may be: the Parquet conversion buffers about 3 × a line.
pub const MAX_LINE_LIMIT: u64 = 256 << 20;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            uncompressed: 20 << 30,
            ratio: 200,
            line: 16 << 20,
        }
    }
}

/// A bronze column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestColumn {
    /// SQL name.
    pub name: String,
    /// The text expected in the file's header (default: the name).
    pub header: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Data classification (`pii`, `quasi_identifier`, …), as on model columns.
    pub classification: Option<String>,
    /// Data tests on the column, as written (`not_null`, `accepted_values: {…}`).
    pub tests: Vec<serde_yaml::Value>,
}

impl IngestColumn {
    /// The header text expected for this column.
    pub fn header_text(&self) -> &str {
        self.header.as_deref().unwrap_or(&self.name)
    }
}

/// One checked ingest rule.
#[derive(Debug, Clone)]
pub struct IngestRule {
    /// Bronze table name.
    pub name: String,
    /// Layer (for the schema).
    pub layer: String,
    /// Description.
    pub description: Option<String>,
    /// The pattern as written (`files:` or `regex:`).
    pub pattern: String,
    /// The compiled pattern, matched against the end of a file's path (`/`-separated).
    pub regex: Regex,
    /// Zip members to read (None: all).
    pub entries: Option<globset::GlobMatcher>,
    /// Compression.
    pub compression: Compression,
    /// Encoding.
    pub encoding: Encoding,
    /// Field delimiter.
    pub delimiter: u8,
    /// Quote character (None: fields are never quoted).
    pub quote: Option<u8>,
    /// Header handling.
    pub header: Header,
    /// Declared columns.
    pub columns: Vec<IngestColumn>,
    /// Lines may have fewer fields than columns.
    pub ragged: bool,
    /// Partition columns (captures of the pattern).
    pub partitioned_by: Vec<String>,
    /// Caps on unpacked sizes and line lengths.
    pub limits: Limits,
    /// How fresh its deliveries must be (`karte source freshness`).
    pub freshness: Option<crate::project::FreshnessProperties>,
    /// Data tests on the table, as written.
    pub tests: Vec<serde_yaml::Value>,
    /// The file declaring the rule.
    pub path: String,
}

/// All ingest rules of a project.
#[derive(Debug, Clone, Default)]
pub struct IngestRules {
    /// Rules, in file order.
    pub rules: Vec<IngestRule>,
    /// Paths that are delivered but deliberately not ingested.
    pub ignore: Vec<globset::GlobMatcher>,
}

/// Read and check the rules of every `ingest/*.yml` file.
pub fn load(root: &Path, diags: &mut Vec<Diagnostic>) -> IngestRules {
    let mut out = IngestRules::default();
    let dir = root.join("ingest");
    let Ok(read) = std::fs::read_dir(&dir) else {
        return out;
    };
    let mut files: Vec<_> = read
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    for abs in files {
        let rel = Path::new("ingest").join(abs.file_name().unwrap_or_default());
        let text = match super::files::read_text(&abs, &rel) {
            Ok(t) => t,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let raw: RawFile = match yaml::parse(&rel, &text) {
            Ok(r) => r,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let layer = raw.layer.unwrap_or_else(|| "bronze".to_string());
        for g in &raw.ignore {
            match globset::Glob::new(g) {
                Ok(g) => out.ignore.push(g.compile_matcher()),
                Err(e) => diags.push(rule_error(
                    &rel,
                    &text,
                    g,
                    crate::t!("e601-bad-ignore", glob = g, error = e.to_string()),
                    &crate::t!("e601-bad-ignore-help"),
                )),
            }
        }
        for mut r in raw.tables {
            r.limits = r.limits.or(&raw.limits);
            if let Some(rule) = check_rule(r, &layer, &rel, &text, diags) {
                if out
                    .rules
                    .iter()
                    .any(|x| x.name == rule.name && x.layer == rule.layer)
                {
                    diags.push(rule_error(
                        &rel,
                        &text,
                        &rule.name,
                        crate::t!(
                            "e601-two-rules",
                            table = format!("{}.{}", rule.layer, rule.name)
                        ),
                        &crate::t!("e601-two-rules-help"),
                    ));
                    continue;
                }
                out.rules.push(rule);
            }
        }
    }
    out
}

/// `16MB`, `20 GB`, `1GiB`, `1048576` → bytes (binary units, as elsewhere in karte).
pub fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_uppercase();
    let t = t.strip_suffix("IB").map(|x| format!("{x}B")).unwrap_or(t);
    let (num, mult) = [
        ("TB", 1u64 << 40),
        ("GB", 1 << 30),
        ("MB", 1 << 20),
        ("KB", 1 << 10),
        ("B", 1),
    ]
    .iter()
    .find_map(|(suffix, m)| t.strip_suffix(suffix).map(|n| (n.trim().to_string(), *m)))
    .unwrap_or((t.clone(), 1));
    num.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| (v * mult as f64) as u64)
}

/// `16.0 MB` style (binary units, as [`parse_size`] reads them).
pub fn show_size(b: u64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i < units.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", units[i])
    }
}

/// The regex of a `files:` pattern: `{name}` captures (within one path segment), `**` any
/// folders, `*` any part of a name, `?` one character; matched against the end of a path.
pub fn pattern_regex(pattern: &str) -> Result<Regex, String> {
    let mut re = String::from("(?:^|/)");
    let mut chars = pattern.trim_start_matches("./").chars().peekable();
    let mut names = Vec::new();
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(ch) => name.push(ch),
                        None => return Err(crate::t!("ingest-pattern-open-brace")),
                    }
                }
                if !is_sql_name(&name) {
                    return Err(crate::t!("ingest-pattern-bad-capture", name = name));
                }
                if names.contains(&name) {
                    return Err(crate::t!("ingest-pattern-twice", name = name));
                }
                re.push_str(&format!("(?P<{name}>[^/]+?)"));
                names.push(name);
            }
            '}' => return Err(crate::t!("ingest-pattern-close-brace")),
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                    re.push_str("(?:[^/]*/)*");
                } else {
                    re.push_str(".*");
                }
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).map_err(|e| e.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A plain rule for unit tests: one column, comma-separated, quoted with `"`.
    #[cfg(feature = "duckdb-engine")]
    pub(crate) fn rule() -> IngestRule {
        IngestRule {
            name: "t".into(),
            layer: "bronze".into(),
            description: None,
            pattern: "t.csv".into(),
            regex: pattern_regex("t.csv").unwrap(),
            entries: None,
            compression: Compression::None,
            encoding: Encoding::Utf8,
            delimiter: b',',
            quote: Some(b'"'),
            header: Header::Absent,
            columns: Vec::new(),
            ragged: false,
            partitioned_by: Vec::new(),
            limits: Limits::default(),
            freshness: None,
            tests: Vec::new(),
            path: "ingest/t.yml".into(),
        }
    }

    #[test]
    fn patterns_capture_parts_of_names() {
        let re = pattern_regex("medical/RECEIPTC_{insurer}_{yyyymm}.zip").unwrap();
        let c = re
            .captures("deliveries/medical/RECEIPTC_06139999_201811.zip")
            .unwrap();
        assert_eq!(&c["insurer"], "06139999");
        assert_eq!(&c["yyyymm"], "201811");
        assert!(re
            .captures("medical/RECEIPTC_06139999_201811.zip.bak")
            .is_none());
        assert!(re.captures("xmedical/RECEIPTC_1_2.zip").is_none());
        let re = pattern_regex("dpc/{facility}/EF_{m}.zip").unwrap();
        assert_eq!(
            &re.captures("a/dpc/131234567/EF_201901.zip").unwrap()["facility"],
            "131234567"
        );
        assert!(
            re.captures("dpc/13/x/EF_201901.zip").is_none(),
            "a capture stays in one segment"
        );
        let re = pattern_regex("**/lab_*.csv").unwrap();
        assert!(re.is_match("lab_1.csv") && re.is_match("a/b/lab_2.csv"));
        assert!(pattern_regex("{a}_{a}").is_err());
        assert!(pattern_regex("{Bad}").is_err());
        assert!(pattern_regex("{open").is_err());
    }

    #[test]
    fn sizes_read_and_show_in_binary_units() {
        assert_eq!(parse_size("16MB"), Some(16 << 20));
        assert_eq!(parse_size("20 GiB"), Some(20 << 30));
        assert_eq!(parse_size("1.5kb"), Some(1536));
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("2 furlongs"), None);
        assert_eq!(show_size(16 << 20), "16.0 MB");
        assert_eq!(show_size(64 << 10), "64.0 KB");
        assert_eq!(show_size(10), "10 B");
    }
}
