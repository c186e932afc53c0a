//! Reading a seed file: decode it (UTF-8, or CP932 / Shift_JIS as Japanese spreadsheets save
//! them; a BOM is fine), parse the CSV, and check its header against the declared column types.
//! Shared by the engines; bad input is reported with file:line.

use std::collections::BTreeMap;
use std::path::Path;

use super::EngineError;

/// A parsed seed: header and rows (with their line numbers; empty fields are NULL).
pub struct SeedFile {
    /// Column names.
    pub headers: Vec<String>,
    /// (line, values).
    pub rows: Vec<(u64, Vec<Option<String>>)>,
}

/// Decode a seed file to text.
pub fn decode(bytes: &[u8], encoding: &str, file: &str) -> Result<String, EngineError> {
    crate::project::encoding::decode_seed(bytes, encoding, file).map_err(EngineError::project)
}

/// Read and parse a seed file of the project.
pub fn read(
    root: &Path,
    file: &str,
    encoding: &str,
    delimiter: &str,
    column_types: &BTreeMap<String, String>,
) -> Result<SeedFile, EngineError> {
    let bytes = std::fs::read(root.join(file)).map_err(|e| {
        EngineError::environment(crate::t!(
            "engine-cannot-read",
            path = file.to_string(),
            error = e.to_string()
        ))
    })?;
    let text = decode(&bytes, encoding, file)?;
    let delim = delimiter.as_bytes().first().copied().unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| EngineError::project(format!("{file}:1: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.is_empty() || headers.iter().any(String::is_empty) {
        return Err(EngineError::project(crate::t!(
            "engine-seed-empty-header",
            file = file.to_string()
        )));
    }
    for name in column_types.keys() {
        if !headers.contains(name) {
            return Err(EngineError::project(crate::t!(
                "engine-seed-unknown-column",
                file = file.to_string(),
                column = name,
                columns = headers.join(", ")
            )));
        }
    }
    let mut rows: Vec<(u64, Vec<Option<String>>)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            EngineError::project(format!("{file}:{line}: {}", csv_message(&e)))
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        rows.push((
            line,
            record
                .iter()
                .map(|v| (!v.is_empty()).then(|| v.to_string()))
                .collect(),
        ));
    }

    Ok(SeedFile { headers, rows })
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            crate::t!(
                "engine-seed-field-count",
                len = len.to_string(),
                expected = expected_len.to_string()
            )
        }
        _ => e.to_string(),
    }
}
