//! dbt property files (`schema.yml`) read by karte: what karte reads is kept, the rest of dbt's
//! vocabulary (`docs`, `constraints`, `quote`, `access`, …) is dropped before karte's strict
//! reading, and the sections karte does not act on (`unit_tests`, `exposures`, `metrics`, model
//! `versions`, …) each give one warning (W981) per file.

use std::path::Path;
use std::sync::Mutex;

use super::super::yaml::YamlValue;
use crate::diag::{Code, Diagnostic, Location};

/// Keys kept at each level; the others are dropped (with a warning for those in `WARN`).
const TOP: &[&str] = &["version", "models", "seeds", "snapshots", "sources"];
const NODE: &[&str] = &[
    "name",
    "description",
    "config",
    "tags",
    "columns",
    "tests",
    "data_tests",
    "meta",
];
const COLUMN: &[&str] = &[
    "name",
    "description",
    "data_type",
    "classification",
    "classification_reason",
    "tests",
    "data_tests",
    "meta",
];
const SOURCE: &[&str] = &[
    "name",
    "schema",
    "description",
    "tables",
    "freshness",
    "loaded_at_field",
    "meta",
];
const TABLE: &[&str] = &[
    "name",
    "identifier",
    "description",
    "columns",
    "tests",
    "data_tests",
    "freshness",
    "loaded_at_field",
    "meta",
];
const FRESHNESS: &[&str] = &["warn_after", "error_after"];
/// Dropped keys that change what dbt would build or check: a warning each.
const WARN: &[&str] = &[
    "unit_tests",
    "exposures",
    "metrics",
    "semantic_models",
    "saved_queries",
    "versions",
];

/// Keep what karte reads of one property file; `warnings` receives one W981 per dropped
/// section of `WARN`.
pub(super) fn sanitize(
    path: &Path,
    text: &str,
    v: YamlValue,
    warnings: &Mutex<Vec<Diagnostic>>,
) -> YamlValue {
    let mut dropped: Vec<String> = Vec::new();
    let mut out = keep(v, TOP, &mut dropped);
    if let YamlValue::Mapping(m) = &mut out {
        for (key, level) in [("models", NODE), ("seeds", NODE), ("snapshots", NODE)] {
            if let Some(YamlValue::Sequence(items)) = m.get_mut(key) {
                for item in items.iter_mut() {
                    let node = keep(std::mem::take(item), level, &mut dropped);
                    *item = columns(node, &mut dropped);
                }
            }
        }
        if let Some(YamlValue::Sequence(items)) = m.get_mut("sources") {
            for item in items.iter_mut() {
                let mut source = keep(std::mem::take(item), SOURCE, &mut dropped);
                freshness(&mut source, &mut dropped);
                if let Some(YamlValue::Sequence(tables)) = source.get_mut("tables") {
                    for t in tables.iter_mut() {
                        let table = keep(std::mem::take(t), TABLE, &mut dropped);
                        let mut table = columns(table, &mut dropped);
                        freshness(&mut table, &mut dropped);
                        *t = table;
                    }
                }
                *item = source;
            }
        }
    }
    dropped.sort();
    dropped.dedup();
    let mut w = warnings.lock().unwrap_or_else(|e| e.into_inner());
    for key in dropped.iter().filter(|k| WARN.contains(&k.as_str())) {
        let span = text
            .find(&format!("{key}:"))
            .map_or(0..0, |i| i..i + key.len());
        w.push(
            Diagnostic::warning(Code::DbtIgnored, crate::t!("w981-key", key = key.as_str()))
                .at(Location::from_span(path, text, span)),
        );
    }
    out
}

fn keep(v: YamlValue, allowed: &[&str], dropped: &mut Vec<String>) -> YamlValue {
    match v {
        YamlValue::Mapping(m) => YamlValue::Mapping(
            m.into_iter()
                .filter(|(k, _)| {
                    let k = k.as_str().unwrap_or_default();
                    let ok = allowed.contains(&k);
                    if !ok {
                        dropped.push(k.to_string());
                    }
                    ok
                })
                .collect(),
        ),
        other => other,
    }
}

fn columns(mut v: YamlValue, dropped: &mut Vec<String>) -> YamlValue {
    if let Some(YamlValue::Sequence(cols)) = v.get_mut("columns") {
        for c in cols.iter_mut() {
            *c = keep(std::mem::take(c), COLUMN, dropped);
        }
    }
    v
}

fn freshness(v: &mut YamlValue, dropped: &mut Vec<String>) {
    if let Some(f) = v.get_mut("freshness") {
        *f = keep(std::mem::take(f), FRESHNESS, dropped);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_karte_reads() {
        let text = "version: 2\nexposures: []\nmodels:\n  - name: m\n    docs: {show: true}\n    columns:\n      - name: id\n        quote: true\n        data_tests: [unique]\n";
        let v: YamlValue = serde_yaml::from_str(text).unwrap();
        let w = Mutex::new(Vec::new());
        let out = sanitize(Path::new("s.yml"), text, v, &w);
        assert_eq!(
            serde_yaml::to_string(&out).unwrap(),
            "version: 2\nmodels:\n- name: m\n  columns:\n  - name: id\n    data_tests:\n    - unique\n"
        );
        assert_eq!(w.lock().unwrap().len(), 1);
    }
}
