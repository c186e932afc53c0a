//! The checks of one ingest rule: its name, its pattern (`files` or `regex`) and the partition
//! columns it captures, how its files are read, its columns and its limits. Each problem is
//! a diagnostic at the rule's text in its file.

use std::path::Path;

use regex::Regex;

use super::*;
use crate::diag::{Code, Diagnostic, Location};

pub(super) fn rule_error(
    file: &Path,
    text: &str,
    near: &str,
    message: String,
    help: &str,
) -> Diagnostic {
    let span = match text.find(near) {
        Some(i) if !near.is_empty() => i..i + near.len(),
        _ => 0..0,
    };
    Diagnostic::error(Code::InvalidIngestRule, message)
        .at(Location::from_span(file, text, span))
        .help(help)
}

pub(super) fn is_sql_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

pub(super) fn check_rule(
    r: RawRule,
    layer: &str,
    file: &Path,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<IngestRule> {
    let before = diags.len();
    let at = |near: &str, message: String, help: &str| rule_error(file, text, near, message, help);
    let name_at = {
        let span = name_span(text, &r.name);
        move |message: String, help: &str| {
            Diagnostic::error(Code::InvalidIngestRule, message)
                .at(Location::from_span(file, text, span.clone()))
                .help(help)
        }
    };
    if !is_sql_name(&r.name) {
        diags.push(name_at(
            format!("`{}` is not a table name Athena accepts", r.name),
            "use lower-case letters, digits and `_` (e.g. `medical_claims`)",
        ));
    }
    if r.partition_projection.is_some() {
        let mut d = rule_error(
                file,
                text,
                "partition_projection",
                format!("partition projection is not supported on ingest table `{}`: each delivered file owns a partition in a folder named by its checksum, so a redelivered file replaces its partition by one catalog update; a projected location template would have to name one fixed folder per value, which a redelivery would overwrite in place while queries read it", r.name),
                "remove `partition_projection`; project a silver model over it instead (`materialized: table` with `partition_projection:`), see docs/athena.md",
            );
        d.code = Code::ProjectionUnsupported;
        diags.push(d);
    }
    let (pattern, regex, partitioned_by) = check_pattern(&r, &at, &name_at, diags);
    let format = check_format(&r, &at, diags);
    let columns = check_columns(r.columns, &partitioned_by, &at, &name_at, diags);
    let limits = check_limits(&r.limits, &at, diags);
    if diags.len() > before {
        return None;
    }
    Some(IngestRule {
        name: r.name,
        layer: layer.to_string(),
        description: r.description,
        pattern,
        regex: regex?,
        entries: format.entries,
        compression: format.compression,
        encoding: format.encoding,
        delimiter: format.delimiter,
        quote: format.quote,
        header: format.header,
        columns,
        ragged: r.ragged,
        partitioned_by,
        limits,
        freshness: r.freshness,
        tests: r.tests,
        path: file.display().to_string().replace('\\', "/"),
    })
}

/// A rule's message at the first occurrence of a text in its file.
type At<'a> = dyn Fn(&str, String, &str) -> Diagnostic + 'a;
/// A rule's message at its name.
type NameAt<'a> = dyn Fn(String, &str) -> Diagnostic + 'a;

/// `files` or `regex`: the pattern, its regex, and the partition columns (its captures unless
/// `partitioned_by` says otherwise).
fn check_pattern(
    r: &RawRule,
    at: &At,
    name_at: &NameAt,
    diags: &mut Vec<Diagnostic>,
) -> (String, Option<Regex>, Vec<String>) {
    let (pattern, regex) = match (&r.files, &r.regex) {
        (Some(f), None) => match pattern_regex(f) {
            Ok(re) => (f.clone(), Some(re)),
            Err(msg) => {
                diags.push(at(f, format!("invalid `files` pattern `{f}`: {msg}"), "write e.g. `medical/RECEIPTC_{insurer}_{yyyymm}.zip`: `{name}` captures part of a name, `*` any part of a name, `**` any folders"));
                (f.clone(), None)
            }
        },
        (None, Some(x)) => match Regex::new(&format!("(?:^|/)(?:{x})$")) {
            Ok(re) => (x.clone(), Some(re)),
            Err(e) => {
                diags.push(at(
                    x,
                    format!("invalid `regex`: {e}"),
                    "a regular expression with named groups, e.g. `RECEIPTC_(?P<insurer>\\d{8})_(?P<yyyymm>\\d{6})\\.zip`",
                ));
                (x.clone(), None)
            }
        },
        _ => {
            diags.push(name_at(
                format!(
                    "the ingest rule `{}` needs exactly one of `files` and `regex`",
                    r.name
                ),
                "add `files: \"folder/NAME_{part}.zip\"` (or a `regex:` with named groups)",
            ));
            (String::new(), None)
        }
    };
    let captures: Vec<String> = regex
        .as_ref()
        .map(|re| re.capture_names().flatten().map(str::to_string).collect())
        .unwrap_or_default();
    for c in &captures {
        if !is_sql_name(c) {
            diags.push(at(
                c,
                format!("the capture `{c}` cannot be a partition column name"),
                "use lower-case letters, digits and `_`",
            ));
        }
    }
    let partitioned_by = r.partitioned_by.clone().unwrap_or_else(|| captures.clone());
    for p in &partitioned_by {
        if regex.is_some() && !captures.contains(p) {
            diags.push(at(
                p,
                format!("`partitioned_by` names `{p}`, which the pattern does not capture"),
                &format!(
                    "partition columns come from the pattern's captures: {}",
                    if captures.is_empty() {
                        "(none)".to_string()
                    } else {
                        captures.join(", ")
                    }
                ),
            ));
        }
    }
    (pattern, regex, partitioned_by)
}

/// How a delivered file is read: which zip entries, compression, encoding, CSV dialect.
struct Format {
    entries: Option<globset::GlobMatcher>,
    compression: Compression,
    encoding: Encoding,
    delimiter: u8,
    quote: Option<u8>,
    header: Header,
}

fn check_format(r: &RawRule, at: &At, diags: &mut Vec<Diagnostic>) -> Format {
    let entries = r
        .entries
        .as_ref()
        .and_then(|g| match globset::Glob::new(g) {
            Ok(g) => Some(g.compile_matcher()),
            Err(e) => {
                diags.push(at(
                    g,
                    format!("invalid `entries` glob: {e}"),
                    "e.g. `*/RECEIPTC.UKE`",
                ));
                None
            }
        });
    let compression = match r.compression.as_deref().unwrap_or("auto") {
        "zip" => Compression::Zip,
        "gzip" | "gz" => Compression::Gzip,
        "none" => Compression::None,
        "auto" => Compression::Auto,
        other => {
            diags.push(at(
                other,
                format!("unknown compression `{other}`"),
                "one of: zip, gzip, none, auto",
            ));
            Compression::Auto
        }
    };
    let encoding = match r
        .encoding
        .as_deref()
        .unwrap_or("cp932")
        .to_ascii_lowercase()
        .as_str()
    {
        "cp932" | "windows-31j" | "ms932" => Encoding::Cp932,
        "shift_jis" | "sjis" | "shift-jis" => Encoding::ShiftJis,
        "utf-8" | "utf8" => Encoding::Utf8,
        "auto" => Encoding::Auto,
        other => {
            diags.push(at(
                other,
                format!("unknown encoding `{other}`"),
                "one of: cp932 (Japanese files from Windows — the default), shift_jis, utf-8, auto",
            ));
            Encoding::Cp932
        }
    };
    let delimiter = match r.delimiter.as_deref().unwrap_or(",") {
        "\t" | "\\t" | "tab" => b'\t',
        d if d.len() == 1 => d.as_bytes()[0],
        d => {
            diags.push(at(
                d,
                format!("the delimiter `{d}` is not one ASCII character"),
                "e.g. `,`, `\"\\t\"` (tab), `|`",
            ));
            b','
        }
    };
    let quote = match r.quote.as_deref() {
        None => Some(b'"'),
        Some("none") | Some("") => None,
        Some(q) if q.len() == 1 => Some(q.as_bytes()[0]),
        Some(q) => {
            diags.push(at(
                q,
                format!("the quote `{q}` is not one ASCII character"),
                "`'\"'` or `none`",
            ));
            None
        }
    };
    let header = match r.header.as_deref().unwrap_or("present") {
        "present" => Header::Present,
        "absent" => Header::Absent,
        "auto" => Header::Auto,
        other => {
            diags.push(at(
                other,
                format!("unknown header setting `{other}`"),
                "one of: present, absent, auto",
            ));
            Header::Present
        }
    };
    Format {
        entries,
        compression,
        encoding,
        delimiter,
        quote,
        header,
    }
}

/// The columns: names Athena accepts, none twice, none of ingest's own or a partition column.
fn check_columns(
    raw: RawColumns,
    partitioned_by: &[String],
    at: &At,
    name_at: &NameAt,
    diags: &mut Vec<Diagnostic>,
) -> Vec<IngestColumn> {
    let columns: Vec<IngestColumn> = match raw {
        RawColumns::Count(0) => {
            diags.push(name_at(
                "`columns: 0`: a table needs at least one column".into(),
                "give the number of fields or the list of names",
            ));
            Vec::new()
        }
        RawColumns::Count(n) => (0..n)
            .map(|i| IngestColumn {
                name: format!("c{i}"),
                header: None,
                description: None,
                classification: None,
                tests: Vec::new(),
            })
            .collect(),
        RawColumns::List(list) => list
            .into_iter()
            .map(|c| match c {
                RawColumn::Name(name) => IngestColumn {
                    name,
                    header: None,
                    description: None,
                    classification: None,
                    tests: Vec::new(),
                },
                RawColumn::Full(c) => IngestColumn {
                    name: c.name,
                    header: c.header,
                    description: c.description,
                    classification: c.classification,
                    tests: c.tests,
                },
            })
            .collect(),
    };
    let mut seen = std::collections::BTreeSet::new();
    for c in &columns {
        if !is_sql_name(&c.name) {
            diags.push(at(
                &c.name,
                format!("`{}` is not a column name Athena accepts", c.name),
                "use lower-case letters, digits and `_`; put the file's own header text under `header:`",
            ));
        } else if c.name == SOURCE_FILE_COLUMN || c.name == LINE_COLUMN {
            diags.push(at(
                &c.name,
                format!("`{}` is added by ingest itself", c.name),
                "choose another name",
            ));
        } else if partitioned_by.contains(&c.name) {
            diags.push(at(
                &c.name,
                format!("`{}` is both a column and a partition column", c.name),
                "rename the column or the capture",
            ));
        } else if !seen.insert(c.name.clone()) {
            diags.push(at(
                &c.name,
                format!("the column `{}` is declared twice", c.name),
                "column names must be unique",
            ));
        }
    }
    columns
}

impl RawLimits {
    /// These limits, each missing one taken from `file` (the file-wide `limits:`).
    pub(super) fn or(self, file: &RawLimits) -> RawLimits {
        RawLimits {
            uncompressed: self.uncompressed.or_else(|| file.uncompressed.clone()),
            ratio: self.ratio.or_else(|| file.ratio.clone()),
            line: self.line.or_else(|| file.line.clone()),
        }
    }
}

fn check_limits(
    raw: &RawLimits,
    at: &dyn Fn(&str, String, &str) -> Diagnostic,
    diags: &mut Vec<Diagnostic>,
) -> Limits {
    let mut limits = Limits::default();
    let size = |v: &RawNumber, key: &str, diags: &mut Vec<Diagnostic>| {
        let n = match v {
            RawNumber::Int(n) => Some(*n),
            RawNumber::Text(t) => parse_size(t),
            RawNumber::Float(_) => None,
        };
        if n.is_none_or(|n| n == 0) {
            let shown = v.shown();
            diags.push(at(
                &shown,
                format!("`limits: {{ {key}: {shown} }}`: `{shown}` is not a size"),
                "write a size above 0 such as 500MB, 20GB or 1TB (KB, MB, GB, TB: powers of 1024)",
            ));
        }
        n.filter(|n| *n > 0)
    };
    if let Some(n) = raw
        .uncompressed
        .as_ref()
        .and_then(|v| size(v, "uncompressed", diags))
    {
        limits.uncompressed = n;
    }
    if let Some(n) = raw.line.as_ref().and_then(|v| size(v, "line", diags)) {
        if n > MAX_LINE_LIMIT {
            let shown = raw.line.as_ref().map(RawNumber::shown).unwrap_or_default();
            diags.push(at(
                &shown,
                format!("`limits: {{ line: {shown} }}`: a line may be at most 256MB"),
                "the Parquet conversion holds about 3 times the longest line in memory; 256MB is the most ingest allows",
            ));
        }
        limits.line = n.min(MAX_LINE_LIMIT);
    }
    match &raw.ratio {
        None => {}
        Some(RawNumber::Int(n)) if *n > 0 => limits.ratio = *n,
        Some(v) => {
            let shown = v.shown();
            diags.push(at(
                &shown,
                format!("`limits: {{ ratio: {shown} }}`: `{shown}` is not a ratio"),
                "write how many times its compressed size a file may unpack to, a whole number above 0, e.g. `ratio: 500`",
            ));
        }
    }
    limits
}
