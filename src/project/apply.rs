//! What the project's YAML sets on the nodes read: `karte.yml`'s per-folder defaults
//! (`models:` / `seeds:` / `snapshots:`), and the property files' config, descriptions, columns
//! and tests (normalised into [`TestSpec`]s) and sources; unknown config keys and properties
//! for unknown nodes are warnings.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::yaml::{self, YamlValue};
use super::{
    NodeKind, Project, PropertiesFile, SourceTable, TestSpec, KNOWN_CONFIG_KEYS, PROJECT_FILE,
};
use crate::diag::{display_path, suggest, Code, Diagnostic, Diagnostics, LineIndex, Location};

/// Apply `models:` / `seeds:` / `snapshots:` folder defaults from karte.yml.
pub(super) fn apply_folder_defaults(
    project: &mut Project,
    config_text: &str,
    diags: &mut Diagnostics,
) {
    let trees = [
        (NodeKind::Model, project.config.models.clone()),
        (NodeKind::Seed, project.config.seeds.clone()),
        (NodeKind::Snapshot, project.config.snapshots.clone()),
    ];
    let mut warned = std::collections::HashSet::new();
    let dbt = project.config.dbt.is_some();
    let file = if dbt {
        super::dbt::DBT_PROJECT_FILE
    } else {
        PROJECT_FILE
    };
    for (kind, tree) in trees {
        let Some(tree) = tree else { continue };
        for node in project.nodes.iter_mut().filter(|n| n.kind == kind) {
            // Folders below `models/` (or `seeds/`…), then the node's name (as in dbt, a
            // tree may end at one model or seed: `seeds: {old_codes: {enabled: false}}`).
            let mut folders: Vec<String> = node
                .path
                .iter()
                .skip(node.folder_depth)
                .map(|c| c.to_string_lossy().to_string())
                .collect();
            folders.pop();
            folders.push(node.name.clone());
            let mut level = Some(&tree);
            let mut depth = 0;
            while let Some(YamlValue::Mapping(map)) = level {
                let mut next = None;
                for (k, v) in map {
                    let Some(k) = k.as_str() else { continue };
                    if let Some(key) = k.strip_prefix('+') {
                        let key = config_key(key, dbt);
                        check_key(&key, file, config_text, dbt, &mut warned, diags);
                        node.config.set(&key, yaml::to_json(v));
                    } else if is_known_config_key(&config_key(k, dbt), dbt) && !v.is_mapping() {
                        node.config.set(&config_key(k, dbt), yaml::to_json(v));
                    } else if folders.get(depth).is_some_and(|f| f == k) {
                        next = Some(v);
                    } else if !v.is_mapping() {
                        check_key(k, file, config_text, dbt, &mut warned, diags);
                    }
                }
                level = next;
                depth += 1;
            }
        }
    }
}

/// A config key as karte keeps it: dbt writes some with `-` (`+pre-hook`), kept as `pre_hook`.
fn config_key(key: &str, dbt: bool) -> String {
    if dbt {
        key.replace('-', "_")
    } else {
        key.to_string()
    }
}

/// True for a config key karte knows (in a dbt project, also the keys dbt knows).
pub fn is_known_config_key(key: &str, dbt: bool) -> bool {
    KNOWN_CONFIG_KEYS.contains(&key) || (dbt && super::dbt::DBT_CONFIG_KEYS.contains(&key))
}

fn check_key(
    key: &str,
    file: &str,
    text: &str,
    dbt: bool,
    warned: &mut std::collections::HashSet<String>,
    diags: &mut Diagnostics,
) {
    if is_known_config_key(key, dbt) || !warned.insert(key.to_string()) {
        return;
    }
    diags.push(unknown_key(key, Path::new(file), text));
}

/// The warning for a config key karte does not know.
pub fn unknown_key(key: &str, file: &Path, text: &str) -> Diagnostic {
    let span = text.find(key).map(|i| i..i + key.len()).unwrap_or(0..0);
    Diagnostic::warning(
        Code::UnknownConfigKey,
        crate::t!("w001-unknown-config-key", key = key),
    )
    .at(Location::from_span(file, text, span))
    .label(crate::t!("w001-unknown-config-key-label"))
    .maybe_help(
        suggest(key, KNOWN_CONFIG_KEYS.iter().copied())
            .map(|s| crate::t!("project-did-you-mean", name = s)),
    )
}

pub(super) fn apply_properties(
    project: &mut Project,
    files: Vec<(PathBuf, String, PropertiesFile)>,
    diags: &mut Diagnostics,
) {
    let dbt = project.config.dbt.is_some();
    let mut index: HashMap<(NodeKind, String), usize> = HashMap::new();
    for (i, n) in project.nodes.iter().enumerate() {
        index.entry((n.kind, n.name.to_lowercase())).or_insert(i);
    }
    let mut files = files;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, text, props) in files {
        // Built once per file: a property file lists ~100 models and ~400 tests, and each
        // needs a line and column.
        let lines = LineIndex::new(&text);
        let named = NameIndex::new(&text);
        let groups = [
            (NodeKind::Model, props.models),
            (NodeKind::Seed, props.seeds),
            (NodeKind::Snapshot, props.snapshots),
        ];
        for (kind, entries) in groups {
            for p in entries {
                let Some(&i) = index.get(&(kind, p.name.to_lowercase())) else {
                    let names = project
                        .nodes
                        .iter()
                        .filter(|n| n.kind == kind)
                        .map(|n| n.name.as_str());
                    diags.push(
                        Diagnostic::warning(
                            Code::PropertiesForUnknownNode,
                            crate::t!(
                                "w003-properties-for-unknown",
                                kind = kind.as_str(),
                                name = p.name
                            ),
                        )
                        .at(Location::from_span_indexed(
                            &path,
                            &text,
                            &lines,
                            named.span(&p.name),
                        ))
                        .label(crate::t!(
                            "w003-properties-for-unknown-label",
                            kind = kind.as_str()
                        ))
                        .maybe_help(
                            suggest(&p.name, names)
                                .map(|s| crate::t!("project-did-you-mean", name = s)),
                        ),
                    );
                    continue;
                };
                let node = &mut project.nodes[i];
                for (k, v) in &p.config {
                    let k = config_key(k, dbt);
                    if !is_known_config_key(&k, dbt) {
                        diags.push(unknown_key(&k, &path, &text));
                    }
                    node.config.set(&k, yaml::to_json(v));
                }
                if !p.tags.is_empty() {
                    node.config.set("tags", p.tags.clone().into());
                }
                if p.description.is_some() {
                    node.description = p.description.clone();
                }
                let at = named.span(&p.name).start;
                for t in &p.tests {
                    let mut spec = test_spec(t, None, &path);
                    spec.location = test_location(&path, &text, &lines, at, &spec.name);
                    node.tests.push(spec);
                }
                for c in &p.columns {
                    // The column's entry, after the model's.
                    let col_at = window(&text, at, 20_000)
                        .find(&format!("name: {}", c.name))
                        .map_or(at, |i| at + i);
                    for t in &c.tests {
                        let mut spec = test_spec(t, Some(&c.name), &path);
                        spec.location = test_location(&path, &text, &lines, col_at, &spec.name);
                        node.tests.push(spec);
                    }
                }
                node.columns.extend(p.columns);
            }
        }
        for s in props.sources {
            let schema = s.schema.clone().unwrap_or_else(|| s.name.clone());
            for t in s.tables {
                let mut tests: Vec<TestSpec> =
                    t.tests.iter().map(|x| test_spec(x, None, &path)).collect();
                for c in &t.columns {
                    tests.extend(c.tests.iter().map(|x| test_spec(x, Some(&c.name), &path)));
                }
                project.sources.push(SourceTable {
                    source: s.name.clone(),
                    identifier: t.identifier.clone().unwrap_or_else(|| t.name.clone()),
                    name: t.name,
                    schema: schema.clone(),
                    catalog: s.catalog.clone(),
                    description: t.description,
                    columns: t.columns,
                    tests,
                    freshness: t.freshness.or_else(|| s.freshness.clone()),
                    loaded_at_field: t.loaded_at_field.or_else(|| s.loaded_at_field.clone()),
                    path: display_path(&path),
                });
            }
        }
    }
}

/// Where `name: <name>` is written in a YAML text (for pointing at an entry).
pub fn name_span(text: &str, name: &str) -> std::ops::Range<usize> {
    NameIndex::new(text).span(name)
}

/// Where each `name: <value>` of a YAML text is first written (plain, `"…"` or `'…'`), found
/// in one pass: looking each entry up by searching the text again made loading quadratic in
/// the size of a property file.
struct NameIndex<'t> {
    first: HashMap<&'t str, usize>,
}

impl<'t> NameIndex<'t> {
    fn new(text: &'t str) -> Self {
        let mut first = HashMap::new();
        for (i, _) in text.match_indices("name: ") {
            let start = i + "name: ".len();
            let rest = &text[start..];
            let line = &rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())];
            let (value, skip) = match line.chars().next() {
                Some(q @ ('"' | '\'')) => match line[1..].find(q) {
                    Some(end) => (&line[1..1 + end], 1),
                    None => continue,
                },
                _ => (line[..line.find(" #").unwrap_or(line.len())].trim_end(), 0),
            };
            first.entry(value).or_insert(start + skip);
        }
        NameIndex { first }
    }

    fn span(&self, name: &str) -> std::ops::Range<usize> {
        self.first
            .get(name)
            .map_or(0..0, |&start| start..start + name.len())
    }
}

/// The test's name as written shortly after byte `from` of a property file (a test is listed
/// close to its column; the search is bounded so that large property files stay fast).
fn test_location(
    path: &Path,
    text: &str,
    lines: &LineIndex,
    from: usize,
    name: &str,
) -> Option<Location> {
    let i = window(text, from, 2_000).find(name)? + from;
    Some(Location::from_span_indexed(
        path,
        text,
        lines,
        i..i + name.len(),
    ))
}

/// Up to `len` bytes of `text` from `from` (cut at a character boundary).
fn window(text: &str, from: usize, len: usize) -> &str {
    let from = from.min(text.len());
    let mut end = (from + len).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[from..end]
}

/// Normalise a test entry: `not_null` or `{accepted_values: {values: […]}}`.
pub(super) fn test_spec(v: &YamlValue, column: Option<&str>, file: &Path) -> TestSpec {
    let (name, args) = match v {
        YamlValue::String(s) => (s.clone(), BTreeMap::new()),
        YamlValue::Mapping(m) if m.len() == 1 => {
            let (k, v) = m.iter().next().expect("one entry");
            let name = k.as_str().unwrap_or_default().to_string();
            let args = match yaml::to_json(v) {
                serde_json::Value::Object(o) => o.into_iter().collect(),
                serde_json::Value::Null => BTreeMap::new(),
                other => BTreeMap::from([("arg".to_string(), other)]),
            };
            (name, args)
        }
        other => (
            "invalid".to_string(),
            BTreeMap::from([("spec".to_string(), yaml::to_json(other))]),
        ),
    };
    TestSpec {
        name,
        column: column.map(String::from),
        args,
        file: display_path(file),
        location: None,
    }
}
