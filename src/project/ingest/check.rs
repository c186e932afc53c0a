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
            crate::t!("e601-bad-table-name", name = r.name),
            &crate::t!("e601-bad-table-name-help"),
        ));
    }
    if r.partition_projection.is_some() {
        let mut d = rule_error(
            file,
            text,
            "partition_projection",
            crate::t!("e410-ingest-projection", name = r.name),
            &crate::t!("e410-ingest-projection-help"),
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
                diags.push(at(
                    f,
                    crate::t!("e601-bad-files-pattern", pattern = f, problem = msg),
                    &crate::t!("e601-bad-files-pattern-help"),
                ));
                (f.clone(), None)
            }
        },
        (None, Some(x)) => match Regex::new(&format!("(?:^|/)(?:{x})$")) {
            Ok(re) => (x.clone(), Some(re)),
            Err(e) => {
                diags.push(at(
                    x,
                    crate::t!("e601-bad-regex", error = e.to_string()),
                    &crate::t!("e601-bad-regex-help"),
                ));
                (x.clone(), None)
            }
        },
        _ => {
            diags.push(name_at(
                crate::t!("e601-files-or-regex", name = r.name),
                &crate::t!("e601-files-or-regex-help"),
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
                crate::t!("e601-bad-capture", capture = c),
                &crate::t!("e601-use-sql-names"),
            ));
        }
    }
    let partitioned_by = r.partitioned_by.clone().unwrap_or_else(|| captures.clone());
    for p in &partitioned_by {
        if regex.is_some() && !captures.contains(p) {
            diags.push(at(
                p,
                crate::t!("e601-partition-not-captured", column = p),
                &if captures.is_empty() {
                    crate::t!("e601-partition-not-captured-help-none")
                } else {
                    crate::t!(
                        "e601-partition-not-captured-help",
                        captures = captures.join(", ")
                    )
                },
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
                    crate::t!("e601-bad-entries", error = e.to_string()),
                    &crate::t!("e601-bad-entries-help"),
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
                crate::t!("e601-unknown-compression", value = other),
                &crate::t!("e601-unknown-compression-help"),
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
                crate::t!("e601-unknown-encoding", value = other),
                &crate::t!("e601-unknown-encoding-help"),
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
                crate::t!("e601-bad-delimiter", value = d),
                &crate::t!("e601-bad-delimiter-help"),
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
                crate::t!("e601-bad-quote", value = q),
                &crate::t!("e601-bad-quote-help"),
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
                crate::t!("e601-unknown-header", value = other),
                &crate::t!("e601-unknown-header-help"),
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
                crate::t!("e601-no-columns"),
                &crate::t!("e601-no-columns-help"),
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
                crate::t!("e601-bad-column-name", name = c.name),
                &crate::t!("e601-bad-column-name-help"),
            ));
        } else if c.name == SOURCE_FILE_COLUMN || c.name == LINE_COLUMN {
            diags.push(at(
                &c.name,
                crate::t!("e601-reserved-column", name = c.name),
                &crate::t!("e601-reserved-column-help"),
            ));
        } else if partitioned_by.contains(&c.name) {
            diags.push(at(
                &c.name,
                crate::t!("e601-column-is-partition", name = c.name),
                &crate::t!("e601-column-is-partition-help"),
            ));
        } else if !seen.insert(c.name.clone()) {
            diags.push(at(
                &c.name,
                crate::t!("e601-duplicate-column", name = c.name),
                &crate::t!("e601-duplicate-column-help"),
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
                crate::t!("e601-bad-size", key = key, value = shown.as_str()),
                &crate::t!("e601-bad-size-help"),
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
                crate::t!("e601-line-limit", value = shown.as_str()),
                &crate::t!("e601-line-limit-help"),
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
                crate::t!("e601-bad-ratio", value = shown.as_str()),
                &crate::t!("e601-bad-ratio-help"),
            ));
        }
    }
    limits
}
