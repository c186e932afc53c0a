//! A seed's columns: the header of its CSV file (decoded as the seed's `encoding` says, split
//! on its `delimiter`), read once at compile time. A file that cannot be read gives no columns
//! here; the build that loads it reports why.

use crate::project::{Node, Project};

/// The lower-case column names of a seed's header, if the file reads.
pub(super) fn header(project: &Project, node: &Node) -> Option<Vec<String>> {
    let bytes = std::fs::read(project.root.join(&node.path)).ok()?;
    let encoding = node.config.get_str("encoding").unwrap_or("utf-8");
    // The header is the first line; decode only that.
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let text = crate::project::encoding::decode_seed(&bytes[..end], encoding, "").ok()?;
    let delimiter = node
        .config
        .get_str("delimiter")
        .and_then(|d| d.as_bytes().first().copied())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(text.trim_end_matches('\r').as_bytes());
    let record = reader.records().next()?.ok()?;
    let names: Vec<String> = record.iter().map(|h| h.trim().to_lowercase()).collect();
    (!names.is_empty() && names.iter().all(|n| !n.is_empty())).then_some(names)
}
