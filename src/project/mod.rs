//! Stage 1, `load`: read a project directory into a [`Project`] — every file read once, in
//! parallel, with per-folder defaults and property files applied.

mod config;
pub mod encoding;
mod files;
pub mod ingest;
pub mod names;
mod properties;
pub mod yaml;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use config::{LayerConfig, ProjectConfig, Secrets, Target, TargetConfig, TargetType};
pub use properties::{ColumnProperties, NodeProperties, PropertiesFile, SourceProperties};

use crate::diag::{display_path, suggest, Code, Diagnostic, Diagnostics, Location};
use yaml::YamlValue;

/// The name of the project file.
pub const PROJECT_FILE: &str = "karte.yml";

/// What kind of node a file defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// `models/<layer>/…/<name>.sql`
    Model,
    /// `seeds/<name>.csv`
    Seed,
    /// `snapshots/<name>.sql`
    Snapshot,
    /// `tests/<name>.sql` — a singular data test.
    Test,
}

impl NodeKind {
    /// Lower-case name, as in unique ids (`model.proj.name`).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Model => "model",
            NodeKind::Seed => "seed",
            NodeKind::Snapshot => "snapshot",
            NodeKind::Test => "test",
        }
    }

    /// True for nodes that create a relation others may read.
    pub fn is_relation(self) -> bool {
        !matches!(self, NodeKind::Test)
    }
}

/// Config of a node: project defaults, then property files, then `config()` in the model.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct NodeConfig(pub BTreeMap<String, serde_json::Value>);

impl NodeConfig {
    /// A string-valued key.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.as_str())
    }

    /// `materialized`, defaulting to `view`.
    pub fn materialized(&self) -> &str {
        self.get_str("materialized").unwrap_or("view")
    }

    /// Tags, as a sorted list.
    pub fn tags(&self) -> Vec<String> {
        match self.0.get("tags") {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            Some(serde_json::Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    }

    /// `enabled`, defaulting to true.
    pub fn enabled(&self) -> bool {
        self.0
            .get("enabled")
            .and_then(|v| v.as_bool())
            .unwrap_or(true)
    }

    /// Set a key; `tags` accumulate (sorted, without duplicates) instead of replacing.
    pub fn set(&mut self, key: &str, value: serde_json::Value) {
        if key == "tags" {
            let mut tags = self.tags();
            match value {
                serde_json::Value::Array(a) => {
                    tags.extend(a.into_iter().filter_map(|v| v.as_str().map(String::from)))
                }
                serde_json::Value::String(s) => tags.push(s),
                _ => {}
            }
            tags.sort();
            tags.dedup();
            self.0.insert(key.into(), tags.into());
        } else {
            self.0.insert(key.into(), value);
        }
    }
}

/// Config keys karte knows. Others get a "did you mean" warning: a typo such as
/// `partition_by` must not be ignored silently.
pub const KNOWN_CONFIG_KEYS: &[&str] = &[
    "bucket_count",
    "bucketed_by",
    "check_cols",
    "column_types",
    "delimiter",
    "enabled",
    "encoding",
    "external_location",
    "format",
    "hard_deletes",
    "incremental_predicates",
    "incremental_strategy",
    "invalidate_hard_deletes",
    "materialized",
    "meta",
    "on_schema_change",
    "partitioned_by",
    "severity",
    "snapshot",
    "store_failures",
    "strategy",
    "table_properties",
    "table_type",
    "tags",
    "unique_key",
    "updated_at",
    "versions_to_keep",
    "where",
    "write_compression",
];

/// A generic data test declared in YAML (`not_null`, `accepted_values`, …).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestSpec {
    /// Test name (`not_null`, `unique`, `accepted_values`, `relationships`, …).
    pub name: String,
    /// Column tested, for column tests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Arguments and config (`values`, `to`, `field`, `severity`, `where`, …).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, serde_json::Value>,
    /// The property file declaring it.
    pub file: String,
}

/// A model, seed, snapshot or singular test.
#[derive(Debug, Clone)]
pub struct Node {
    /// Kind.
    pub kind: NodeKind,
    /// Name (the file stem).
    pub name: String,
    /// Layer: first folder under `models/`; `seeds`, `snapshots`, `tests` for the others.
    pub layer: String,
    /// Schema of the layer (before a target's prefix).
    pub schema: String,
    /// Path relative to the project, with `/`.
    pub path: PathBuf,
    /// File content (UTF-8, BOM removed). Empty for seeds, whose bytes are read when seeding.
    pub text: String,
    /// SHA-256 of the file's bytes.
    pub checksum: String,
    /// Config from project defaults and property files.
    pub config: NodeConfig,
    /// Description from property files.
    pub description: Option<String>,
    /// Columns from property files.
    pub columns: Vec<ColumnProperties>,
    /// Generic tests from property files (model-level and column-level).
    pub tests: Vec<TestSpec>,
}

impl Project {
    /// Unique id of node `i`: `<kind>.<project>.<name>` (as dbt names them).
    pub fn node_id(&self, i: usize) -> String {
        let n = &self.nodes[i];
        format!("{}.{}.{}", n.kind.as_str(), self.config.name, n.name)
    }
}

impl Node {
    /// True if the text uses Jinja at all.
    pub fn is_templated(&self) -> bool {
        self.text.contains("{{") || self.text.contains("{%") || self.text.contains("{#")
    }
}

/// A declared source table.
#[derive(Debug, Clone, Serialize)]
pub struct SourceTable {
    /// Source name.
    pub source: String,
    /// Table name in the project.
    pub name: String,
    /// Schema in the catalog.
    pub schema: String,
    /// Table name in the catalog.
    pub identifier: String,
    /// Catalog, if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Columns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<ColumnProperties>,
    /// Tests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<TestSpec>,
    /// The property file declaring it.
    pub path: String,
}

/// A file of Jinja macros.
#[derive(Debug, Clone)]
pub struct MacroFile {
    /// Path relative to the project (or `templates/macros/…` for built-ins).
    pub path: PathBuf,
    /// Content.
    pub text: String,
    /// Names of the macros it defines.
    pub names: Vec<String>,
}

/// A loaded project.
#[derive(Debug, Clone)]
pub struct Project {
    /// Project directory.
    pub root: PathBuf,
    /// `karte.yml`.
    pub config: ProjectConfig,
    /// Models, seeds, snapshots and singular tests, sorted by kind then path.
    pub nodes: Vec<Node>,
    /// Declared source tables, sorted by source and name.
    pub sources: Vec<SourceTable>,
    /// Project macro files, sorted by path.
    pub macros: Vec<MacroFile>,
    /// Ingest rules (`ingest/*.yml`); each rule's table is also a source named by its layer.
    pub ingest: ingest::IngestRules,
}

impl Project {
    /// The schema of a layer.
    pub fn layer_schema(&self, layer: &str) -> String {
        self.config
            .layers
            .get(layer)
            .map(|l| l.schema().to_string())
            .unwrap_or_else(|| layer.to_string())
    }

    /// Resolve the target named `name` (or the default target).
    pub fn target(&self, name: Option<&str>) -> Result<Target, Diagnostic> {
        let wanted = name.unwrap_or(&self.config.default_target);
        match self.config.targets.get(wanted) {
            Some(cfg) => Ok(Target {
                name: wanted.to_string(),
                config: cfg.clone(),
            }),
            None if wanted == "local" => Ok(Target::default_local()),
            None => Err(Diagnostic::error(
                Code::UnknownTarget,
                format!("no target named `{wanted}` in {PROJECT_FILE}"),
            )
            .at(Location::file_only(Path::new(PROJECT_FILE)))
            .maybe_help(
                suggest(wanted, self.config.targets.keys().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?")),
            )
            .note(format!(
                "targets defined: {}",
                self.config
                    .targets
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}

/// Load the project in `root`. Every error found is returned, with the warnings.
pub fn load(root: &Path) -> Result<(Project, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::default();
    let project_file = root.join(PROJECT_FILE);
    if !project_file.is_file() {
        diags.push(
            Diagnostic::error(
                Code::NoProject,
                format!("no {PROJECT_FILE} in `{}`", display_path(root)),
            )
            .help("run karte in a project directory, pass --project-dir DIR, or create one with `karte init DIR`"),
        );
        return Err(diags);
    }
    let config_text = files::read_text(&project_file, Path::new(PROJECT_FILE)).map_err(one)?;
    let config: ProjectConfig = yaml::parse(Path::new(PROJECT_FILE), &config_text).map_err(one)?;

    // Find files, then read them all in parallel.
    let found = discover(root, &mut diags);
    let read: Vec<Result<Loaded, Diagnostic>> = found
        .into_par_iter()
        .map(|(kind, rel)| read_one(root, kind, rel))
        .collect();

    let mut nodes = Vec::new();
    let mut macros = Vec::new();
    let mut prop_files = Vec::new();
    for r in read {
        match r {
            Ok(Loaded::Node(n)) => nodes.push(n),
            Ok(Loaded::Macro(m)) => macros.push(m),
            Ok(Loaded::Properties(path, text, props)) => prop_files.push((path, text, props)),
            Err(d) => diags.push(d),
        }
    }

    let mut project = Project {
        root: root.to_path_buf(),
        config,
        nodes,
        sources: Vec::new(),
        macros,
        ingest: ingest::IngestRules::default(),
    };
    let schemas: Vec<String> = project
        .nodes
        .iter()
        .map(|n| project.layer_schema(&n.layer))
        .collect();
    for (n, schema) in project.nodes.iter_mut().zip(schemas) {
        n.schema = schema;
    }
    apply_folder_defaults(&mut project, &config_text, &mut diags);
    apply_properties(&mut project, prop_files, &mut diags);
    add_ingest_tables(&mut project, &mut diags);
    check_duplicates(&project, &mut diags);
    names::check(&project, &config_text, &mut diags);
    project
        .nodes
        .sort_by(|a, b| (a.kind, &a.path).cmp(&(b.kind, &b.path)));
    project
        .sources
        .sort_by(|a, b| (&a.source, &a.name).cmp(&(&b.source, &b.name)));
    project.macros.sort_by(|a, b| a.path.cmp(&b.path));

    if diags.has_errors() {
        Err(diags)
    } else {
        Ok((project, diags))
    }
}

/// Read `ingest/*.yml`; every rule's table becomes a source named by its layer (so plain SQL
/// reads `bronze.medical_claims`).
fn add_ingest_tables(project: &mut Project, diags: &mut Diagnostics) {
    let mut found = Vec::new();
    project.ingest = ingest::load(&project.root, &mut found);
    for d in found {
        diags.push(d);
    }
    for r in &project.ingest.rules {
        let mut columns: Vec<properties::ColumnProperties> = r
            .columns
            .iter()
            .map(|c| properties::ColumnProperties {
                name: c.name.clone(),
                description: c.description.clone(),
                data_type: Some("varchar".into()),
                classification: c.classification.clone(),
                ..Default::default()
            })
            .collect();
        columns.push(properties::ColumnProperties {
            name: ingest::SOURCE_FILE_COLUMN.into(),
            description: Some("the delivered file (`archive.zip!member` for a zip member)".into()),
            data_type: Some("varchar".into()),
            ..Default::default()
        });
        columns.push(properties::ColumnProperties {
            name: ingest::LINE_COLUMN.into(),
            description: Some("line number in that file (1-based)".into()),
            data_type: Some("bigint".into()),
            ..Default::default()
        });
        project.sources.push(SourceTable {
            source: r.layer.clone(),
            name: r.name.clone(),
            schema: project.layer_schema(&r.layer),
            identifier: r.name.clone(),
            catalog: None,
            description: r.description.clone(),
            columns,
            tests: Vec::new(),
            path: r.path.clone(),
        });
    }
}

fn one(d: Diagnostic) -> Diagnostics {
    Diagnostics(vec![d])
}

#[derive(Clone, Copy)]
enum FileKind {
    Node(NodeKind),
    Macro,
    Properties,
}

enum Loaded {
    Node(Node),
    Macro(MacroFile),
    Properties(PathBuf, String, PropertiesFile),
}

/// List project files by kind, sorted, relative to `root`.
fn discover(root: &Path, diags: &mut Diagnostics) -> Vec<(FileKind, PathBuf)> {
    let mut out = Vec::new();
    use FileKind::{Macro, Node as N, Properties as P};
    let dirs: [(&str, &[(&str, FileKind)]); 5] = [
        (
            "models",
            &[("sql", N(NodeKind::Model)), ("yml", P), ("yaml", P)],
        ),
        (
            "seeds",
            &[("csv", N(NodeKind::Seed)), ("yml", P), ("yaml", P)],
        ),
        (
            "snapshots",
            &[("sql", N(NodeKind::Snapshot)), ("yml", P), ("yaml", P)],
        ),
        ("macros", &[("sql", Macro)]),
        ("tests", &[("sql", N(NodeKind::Test))]),
    ];
    for (dir, kinds) in dirs {
        let base = root.join(dir);
        if !base.is_dir() {
            continue;
        }
        let walker = walkdir::WalkDir::new(&base)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    diags.push(Diagnostic::error(
                        Code::Io,
                        format!("cannot list files: {e}"),
                    ));
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(root)
                .unwrap_or(entry.path())
                .to_path_buf();
            let ext = rel
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            match kinds.iter().find(|(e, _)| *e == ext) {
                Some((_, kind)) => out.push((*kind, rel)),
                None if matches!(ext.as_str(), "md" | "txt" | "gitkeep") => {}
                None => diags.push(
                    Diagnostic::warning(
                        Code::IgnoredFile,
                        format!("file ignored: `{dir}/` holds only {} files", {
                            let list: Vec<_> = kinds.iter().map(|(e, _)| format!(".{e}")).collect();
                            list.join(", ")
                        }),
                    )
                    .at(Location::file_only(&rel)),
                ),
            }
        }
    }
    out
}

fn read_one(root: &Path, kind: FileKind, rel: PathBuf) -> Result<Loaded, Diagnostic> {
    let abs = root.join(&rel);
    match kind {
        FileKind::Node(NodeKind::Seed) => {
            // Seeds may be CP932; only their checksum is needed before seeding.
            let bytes = std::fs::read(&abs).map_err(|e| {
                Diagnostic::error(Code::Io, format!("cannot read file: {e}"))
                    .at(Location::file_only(&rel))
            })?;
            Ok(Loaded::Node(new_node(
                NodeKind::Seed,
                rel,
                String::new(),
                &bytes,
            )))
        }
        FileKind::Node(kind) => {
            let text = files::read_text(&abs, &rel)?;
            let checksum_src = text.clone();
            Ok(Loaded::Node(new_node(
                kind,
                rel,
                text,
                checksum_src.as_bytes(),
            )))
        }
        FileKind::Macro => {
            let text = files::read_text(&abs, &rel)?;
            let names = macro_names(&text);
            Ok(Loaded::Macro(MacroFile {
                path: rel,
                text,
                names,
            }))
        }
        FileKind::Properties => {
            let text = files::read_text(&abs, &rel)?;
            let props: PropertiesFile = if text.trim().is_empty() {
                PropertiesFile::default()
            } else {
                yaml::parse(&rel, &text)?
            };
            Ok(Loaded::Properties(rel, text, props))
        }
    }
}

fn new_node(kind: NodeKind, rel: PathBuf, text: String, bytes: &[u8]) -> Node {
    let name = rel
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let top = rel
        .iter()
        .next()
        .map(|c| c.to_string_lossy().to_string())
        .unwrap_or_default();
    // Models: the first folder under models/ is the layer. Seeds: directly in seeds/ they are in
    // the `seeds` layer; in seeds/<folder>/ the folder is the layer.
    let parts: Vec<_> = rel.iter().collect();
    let layer = match kind {
        NodeKind::Model if parts.len() > 2 => parts[1].to_string_lossy().to_string(),
        NodeKind::Model => "default".to_string(),
        NodeKind::Seed if parts.len() > 2 => parts[1].to_string_lossy().to_string(),
        _ => top,
    };
    let checksum = format!("{:x}", Sha256::digest(bytes));
    Node {
        kind,
        name,
        schema: layer.clone(),
        layer,
        path: PathBuf::from(display_path(&rel)),
        text,
        checksum,
        config: NodeConfig::default(),
        description: None,
        columns: Vec::new(),
        tests: Vec::new(),
    }
}

/// Names defined by `{% macro name(` in a macro file.
pub fn macro_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("{%") {
        rest = &rest[i + 2..];
        let t = rest.trim_start_matches(['-', '+']).trim_start();
        if let Some(after) = t.strip_prefix("macro") {
            if after.starts_with(char::is_whitespace) {
                let name: String = after
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    names.push(name);
                }
            }
        }
    }
    names
}

/// Apply `models:` / `seeds:` / `snapshots:` folder defaults from karte.yml.
fn apply_folder_defaults(project: &mut Project, config_text: &str, diags: &mut Diagnostics) {
    let trees = [
        (NodeKind::Model, project.config.models.clone()),
        (NodeKind::Seed, project.config.seeds.clone()),
        (NodeKind::Snapshot, project.config.snapshots.clone()),
    ];
    let mut warned = std::collections::HashSet::new();
    for (kind, tree) in trees {
        let Some(tree) = tree else { continue };
        for node in project.nodes.iter_mut().filter(|n| n.kind == kind) {
            // Folders below `models/` (or `seeds/`…), without the file name.
            let folders: Vec<String> = node
                .path
                .iter()
                .skip(1)
                .map(|c| c.to_string_lossy().to_string())
                .collect();
            let folders = &folders[..folders.len().saturating_sub(1)];
            let mut level = Some(&tree);
            let mut depth = 0;
            while let Some(YamlValue::Mapping(map)) = level {
                let mut next = None;
                for (k, v) in map {
                    let Some(k) = k.as_str() else { continue };
                    if let Some(key) = k.strip_prefix('+') {
                        check_key(key, config_text, &mut warned, diags);
                        node.config.set(key, yaml::to_json(v));
                    } else if KNOWN_CONFIG_KEYS.contains(&k) && !v.is_mapping() {
                        node.config.set(k, yaml::to_json(v));
                    } else if folders.get(depth).is_some_and(|f| f == k) {
                        next = Some(v);
                    } else if !v.is_mapping() {
                        check_key(k, config_text, &mut warned, diags);
                    }
                }
                level = next;
                depth += 1;
            }
        }
    }
}

fn check_key(
    key: &str,
    text: &str,
    warned: &mut std::collections::HashSet<String>,
    diags: &mut Diagnostics,
) {
    if KNOWN_CONFIG_KEYS.contains(&key) || !warned.insert(key.to_string()) {
        return;
    }
    diags.push(unknown_key(key, Path::new(PROJECT_FILE), text));
}

/// The warning for a config key karte does not know.
pub fn unknown_key(key: &str, file: &Path, text: &str) -> Diagnostic {
    let span = text.find(key).map(|i| i..i + key.len()).unwrap_or(0..0);
    Diagnostic::warning(
        Code::UnknownConfigKey,
        format!("unknown config key `{key}`"),
    )
    .at(Location::from_span(file, text, span))
    .label("karte does not use this key")
    .maybe_help(
        suggest(key, KNOWN_CONFIG_KEYS.iter().copied()).map(|s| format!("did you mean `{s}`?")),
    )
}

fn apply_properties(
    project: &mut Project,
    files: Vec<(PathBuf, String, PropertiesFile)>,
    diags: &mut Diagnostics,
) {
    let mut index: HashMap<(NodeKind, String), usize> = HashMap::new();
    for (i, n) in project.nodes.iter().enumerate() {
        index.entry((n.kind, n.name.to_lowercase())).or_insert(i);
    }
    let mut files = files;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, text, props) in files {
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
                            format!("properties for unknown {} `{}`", kind.as_str(), p.name),
                        )
                        .at(Location::from_span(&path, &text, name_span(&text, &p.name)))
                        .label(format!("no {} file with this name", kind.as_str()))
                        .maybe_help(
                            suggest(&p.name, names).map(|s| format!("did you mean `{s}`?")),
                        ),
                    );
                    continue;
                };
                let node = &mut project.nodes[i];
                for (k, v) in &p.config {
                    if !KNOWN_CONFIG_KEYS.contains(&k.as_str()) {
                        diags.push(unknown_key(k, &path, &text));
                    }
                    node.config.set(k, yaml::to_json(v));
                }
                if !p.tags.is_empty() {
                    node.config.set("tags", p.tags.clone().into());
                }
                if p.description.is_some() {
                    node.description = p.description.clone();
                }
                for t in &p.tests {
                    node.tests.push(test_spec(t, None, &path));
                }
                for c in &p.columns {
                    for t in &c.tests {
                        node.tests.push(test_spec(t, Some(&c.name), &path));
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
                    path: display_path(&path),
                });
            }
        }
    }
}

/// Where `name: <name>` is written in a YAML text (for pointing at an entry).
pub fn name_span(text: &str, name: &str) -> std::ops::Range<usize> {
    for pat in [
        format!("name: {name}"),
        format!("name: \"{name}\""),
        format!("name: '{name}'"),
    ] {
        if let Some(i) = text.find(&pat) {
            let start = i + pat.find(name).unwrap_or(0);
            return start..start + name.len();
        }
    }
    0..0
}

/// Normalise a test entry: `not_null` or `{accepted_values: {values: […]}}`.
fn test_spec(v: &YamlValue, column: Option<&str>, file: &Path) -> TestSpec {
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
    }
}

fn check_duplicates(project: &Project, diags: &mut Diagnostics) {
    let mut seen: BTreeMap<(bool, String), &Node> = BTreeMap::new();
    for n in &project.nodes {
        let key = (n.kind.is_relation(), n.name.to_lowercase());
        if let Some(first) = seen.get(&key) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!(
                        "two {}s are named `{}`: `{}` and `{}`",
                        n.kind.as_str(),
                        n.name,
                        display_path(&first.path),
                        display_path(&n.path)
                    ),
                )
                .at(Location::file_only(&n.path))
                .note(format!("first defined in {}", display_path(&first.path)))
                .help("names must be unique across models, seeds and snapshots: rename one of the files"),
            );
        } else {
            seen.insert(key, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_macro_names() {
        let t =
            "{% macro a(x) %}{% endmacro %}\n{%- macro  b_2() -%}{% endmacro %}{% set macro = 1 %}";
        assert_eq!(macro_names(t), vec!["a", "b_2"]);
    }
}
