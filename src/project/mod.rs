//! Stage 1, `load`: read a project directory into a [`Project`] — every file read once, in
//! parallel, with per-folder defaults and property files applied.
//!
//! This file holds the project's types and `load`'s steps in order; `discover.rs` finds and
//! reads the files, `apply.rs` applies folder defaults and property files.

mod apply;
mod config;
pub mod dbt;
pub mod dependencies;
mod discover;
pub mod encoding;
pub(crate) mod files;
pub mod ingest;
pub mod names;
pub mod notifications;
mod properties;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use apply::{apply_folder_defaults, apply_properties};
pub use apply::{is_known_config_key, name_span, unknown_key};
pub use config::{
    AccessRole, AccessRule, AccessSelector, ClassConfig, DependencyConfig, DependencyLocation,
    FunctionRule, GovernanceConfig, LayerConfig, LintConfig, LintRules, NotificationConfig,
    PolicyConfig, ProjectConfig, Secrets, Target, TargetConfig, TargetType,
};
pub use discover::{block_names, macro_names};
use discover::{discover, karte_layout, read_one, Layout, Loaded};
pub use properties::{
    ColumnProperties, FreshnessAfter, FreshnessPeriod, FreshnessProperties, NodeProperties,
    PropertiesFile, SourceProperties,
};

use crate::diag::{suggest, Code, Diagnostic, Diagnostics, Location};

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
    "access",
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
    "optimize",
    "partition_projection",
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
    "vacuum",
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
    /// Where the test is written in that file, when it could be found.
    #[serde(skip)]
    pub location: Option<crate::diag::Location>,
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
    /// Path components of the folder the node was found in (1 for `models/`): the folders
    /// below it are the ones `models:` trees name.
    pub folder_depth: usize,
}

/// Columns karte adds to a snapshot (SCD2 validity), after the snapshot query's own.
pub const SNAPSHOT_COLUMNS: &[&str] = &[
    "dbt_scd_id",
    "dbt_updated_at",
    "dbt_valid_from",
    "dbt_valid_to",
];

impl Project {
    /// Unique id of source table `i`: `source.<project>.<source>.<table>`.
    pub fn source_id(&self, i: usize) -> String {
        let s = &self.sources[i];
        format!("source.{}.{}.{}", self.config.name, s.source, s.name)
    }

    /// Unique id of node `i`: `<kind>.<project>.<name>` (as dbt names them).
    pub fn node_id(&self, i: usize) -> String {
        let n = &self.nodes[i];
        format!("{}.{}.{}", n.kind.as_str(), self.config.name, n.name)
    }
}

/// A node's path, as folder selectors (`folder:` of `access:` rules and `governance:`
/// policies) see it: the full path and the path under `models/`, with `/`.
pub struct NodeFolders(String, String);

impl NodeFolders {
    /// True if the node is under `folder` (under `models/`, or a top folder such as `seeds`).
    pub fn contains(&self, folder: &str) -> bool {
        let f = format!("{}/", folder.trim_matches('/'));
        self.1.starts_with(&f) || self.0.starts_with(&f)
    }
}

impl Node {
    /// The node's path as folder selectors see it.
    pub fn folders_of(path: &Path) -> NodeFolders {
        let full = path.to_string_lossy().replace('\\', "/");
        let under = full
            .strip_prefix("models/")
            .map(str::to_string)
            .unwrap_or_else(|| full.clone());
        NodeFolders(full, under)
    }

    /// The full path and the path under `models/`, with `/`.
    pub fn folders(&self) -> (String, String) {
        let f = Self::folders_of(&self.path);
        (f.0, f.1)
    }

    /// True if the node is under `folder` (`gold/marts`, `models/gold`, `seeds`).
    pub fn in_folder(&self, folder: &str) -> bool {
        Self::folders_of(&self.path).contains(folder)
    }

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
    /// How fresh it must be (`karte source freshness`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freshness: Option<FreshnessProperties>,
    /// The column holding when a row was loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loaded_at_field: Option<String>,
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
    /// The dbt package it comes from (None: the project itself).
    pub package: Option<String>,
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
    /// The channels of `notifications:` in karte.yml, checked.
    pub notifications: Vec<notifications::Channel>,
    /// The projects of `dependencies:` and their models, read by `crate::upstream::load`
    /// (empty until then).
    pub upstream: dependencies::Upstream,
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
                crate::t!("e005-unknown-target", target = wanted, file = PROJECT_FILE),
            )
            .at(Location::file_only(Path::new(PROJECT_FILE)))
            .maybe_help(
                suggest(wanted, self.config.targets.keys().map(String::as_str))
                    .map(|s| crate::t!("project-did-you-mean", name = s)),
            )
            .note(crate::t!(
                "e005-targets-defined",
                targets = self
                    .config
                    .targets
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}

/// What loading needs besides the directory.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--profiles-dir`: where a dbt project's `profiles.yml` is (docs/dbt.md).
    pub profiles_dir: Option<PathBuf>,
    /// `--target`: a dbt project's config trees may read `target`.
    pub target: Option<String>,
}

/// Load the project in `root`. Every error found is returned, with the warnings.
pub fn load(root: &Path) -> Result<(Project, Diagnostics), Diagnostics> {
    load_with(root, &LoadOptions::default())
}

/// Load the project in `root`: a karte project (`karte.yml`), or a dbt project
/// (`dbt_project.yml` and no `karte.yml`, read by [`dbt::load`]).
pub fn load_with(root: &Path, opts: &LoadOptions) -> Result<(Project, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::default();
    let project_file = root.join(PROJECT_FILE);
    if !project_file.is_file() && dbt::is_dbt_project(root) {
        return dbt::load(root, opts);
    }
    if !project_file.is_file() {
        diags.push(
            Diagnostic::error(
                Code::NoProject,
                crate::t!("e002-no-project", file = PROJECT_FILE, dir = root),
            )
            .help(crate::t!("e002-no-project-help")),
        );
        return Err(diags);
    }
    let config_text = files::read_text(&project_file, Path::new(PROJECT_FILE)).map_err(one)?;
    let config: ProjectConfig = yaml::parse(Path::new(PROJECT_FILE), &config_text).map_err(one)?;
    let channels = notifications::check(&config, &config_text, root, &mut diags);
    let (mut project, props) = read_project(root, config, &karte_layout(), &mut diags, None);
    project.notifications = channels;
    finish(project, props, &config_text, diags, |_, _| {})
}

/// The files of a project, read in parallel into nodes, macros and property files (each
/// property file's YAML handed to `props` first, which a dbt project uses to keep what karte
/// reads of it).
fn read_project(
    root: &Path,
    config: ProjectConfig,
    layout: &Layout,
    diags: &mut Diagnostics,
    props: Option<&discover::Sanitize<'_>>,
) -> (Project, Vec<PropertyFile>) {
    // Find files, then read them all in parallel.
    let found = discover(root, layout, diags);
    let read: Vec<Result<Loaded, Diagnostic>> = found
        .into_par_iter()
        .map(|(kind, rel, depth)| read_one(root, kind, rel, depth, props))
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
        notifications: Vec::new(),
        upstream: dependencies::Upstream::default(),
    };
    let schemas: Vec<String> = project
        .nodes
        .iter()
        .map(|n| project.layer_schema(&n.layer))
        .collect();
    for (n, schema) in project.nodes.iter_mut().zip(schemas) {
        n.schema = schema;
    }
    (project, prop_files)
}

/// A property file read: its path, text and content.
type PropertyFile = (PathBuf, String, PropertiesFile);

/// The steps after reading: folder defaults (from `config_text`, the project file), property
/// files, `configured` (what a dbt project derives from the config), ingest tables, duplicate and name checks, sorting.
fn finish(
    mut project: Project,
    prop_files: Vec<PropertyFile>,
    config_text: &str,
    mut diags: Diagnostics,
    configured: impl FnOnce(&mut Project, &mut Diagnostics),
) -> Result<(Project, Diagnostics), Diagnostics> {
    apply_folder_defaults(&mut project, config_text, &mut diags);
    apply_properties(&mut project, prop_files, &mut diags);
    configured(&mut project, &mut diags);
    add_ingest_tables(&mut project, &mut diags);
    check_duplicates(&project, &mut diags);
    names::check(&project, config_text, &mut diags);
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
            tests: r
                .tests
                .iter()
                .map(|t| apply::test_spec(t, None, Path::new(&r.path)))
                .chain(r.columns.iter().flat_map(|c| {
                    c.tests
                        .iter()
                        .map(|t| apply::test_spec(t, Some(&c.name), Path::new(&r.path)))
                }))
                .collect(),
            freshness: r.freshness.clone(),
            loaded_at_field: None,
            path: r.path.clone(),
        });
    }
}

fn one(d: Diagnostic) -> Diagnostics {
    Diagnostics(vec![d])
}
fn check_duplicates(project: &Project, diags: &mut Diagnostics) {
    let mut seen: BTreeMap<(bool, String), &Node> = BTreeMap::new();
    for n in &project.nodes {
        let key = (n.kind.is_relation(), n.name.to_lowercase());
        if let Some(first) = seen.get(&key) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    crate::t!(
                        "e302-duplicate-name",
                        kind = n.kind.as_str(),
                        name = n.name,
                        first = first.path,
                        second = n.path
                    ),
                )
                .at(Location::file_only(&n.path))
                .note(crate::t!("e302-first-defined", path = first.path))
                .help(crate::t!("e302-duplicate-name-help")),
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
