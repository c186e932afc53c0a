//! Slim CI: the project compared with a saved manifest (`--state PATH`), usually production's.
//!
//! - [`SavedState::load`] reads `manifest.json` from a directory (a copy of `target/`), the
//!   file itself, or an S3 URI (Athena builds only), and refuses a file of another format
//!   version or project with E305.
//! - [`compare`] tells per node whether it is new or modified, and how (`state:` selectors in
//!   `graph/select.rs`).
//! - [`defer`] points the selected nodes' unselected, unbuilt parents at the relations the
//!   saved manifest names (`--defer`).
//! - [`diff`] is `karte diff`: per changed node, the compiled SQL's and the plan's difference.
//!
//! What "modified" means, aspect by aspect (plain `state:modified` is any of them):
//!
//! | aspect | compared |
//! |---|---|
//! | `body` | the file's checksum (SHA-256 of its bytes), as dbt does |
//! | `configs` | the final config (folder defaults, property files, `config()`) and the layer |
//! | `sql` | the SQL as rendered — Jinja done, table names still logical (`silver.x`), so the same on every target — catching a changed macro or `var()` that leaves the file alone |
//! | `properties` | description, columns (with classification) and data tests |

pub mod defer;
pub mod diff;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::artifacts::MANIFEST_VERSION;
use crate::diag::{display_path, Code, Diagnostic, Location};
use crate::project::{Project, Target, TargetType};
use crate::sql::AnalyzedModel;

/// The help shown with every problem of a saved manifest.
pub fn save_help() -> String {
    crate::t!("e305-save-help")
}

/// `--state`: where the saved manifest is, or the manifest already read.
#[derive(Debug, Clone)]
pub enum StateArg {
    /// A directory holding `manifest.json`, the file itself, or an `s3://` URI.
    Given(String),
    /// Already read (a second compile of the same command).
    Loaded(Arc<SavedState>),
}

/// Where the saved artifacts are: compiled SQL is read relative to it.
#[derive(Debug, Clone)]
pub enum StateDir {
    /// A local directory.
    Local(PathBuf),
    /// `s3://bucket/prefix/`.
    S3(String),
}

/// A manifest saved by an earlier `karte compile` (production's, in a CI).
#[derive(Debug)]
pub struct SavedState {
    /// The manifest as named in messages (a path or URI).
    pub shown: String,
    /// Where its compiled SQL lies (`compiled/…` beside `manifest.json`).
    pub dir: StateDir,
    /// Its metadata.
    pub metadata: SavedMetadata,
    /// Its nodes by unique id.
    pub nodes: BTreeMap<String, SavedNode>,
    /// Column names per relation unique id, from its lineage.
    pub columns: BTreeMap<String, Vec<String>>,
    /// Personal-data classes per relation unique id and column (the manifest's `classes`).
    pub classes: BTreeMap<String, BTreeMap<String, std::collections::BTreeSet<String>>>,
}

/// `metadata` of a saved manifest.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SavedMetadata {
    /// Format version.
    #[serde(default)]
    pub manifest_version: Option<u32>,
    /// The karte that wrote it.
    #[serde(default)]
    pub karte_version: String,
    /// Project name.
    #[serde(default)]
    pub project: String,
    /// Target it was compiled for.
    #[serde(default)]
    pub target: String,
    /// Engine of that target.
    #[serde(default)]
    pub engine: Option<TargetType>,
}

/// One node of a saved manifest (the fields state comparison and `--defer` read).
#[derive(Debug, Clone, Deserialize)]
pub struct SavedNode {
    /// `model.<project>.<name>`.
    pub unique_id: String,
    /// model, seed, snapshot, test.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Layer.
    pub layer: String,
    /// Schema on the saved target.
    pub schema: String,
    /// Fully-qualified relation on the saved target.
    #[serde(default)]
    pub relation: Option<String>,
    /// Source file.
    pub path: String,
    /// Compiled SQL file, relative to the project (`target/compiled/…`).
    #[serde(default)]
    pub compiled_path: Option<String>,
    /// SHA-256 of the file.
    pub checksum: String,
    /// SHA-256 of the rendered SQL.
    #[serde(default)]
    pub sql_checksum: Option<String>,
    /// Final config.
    #[serde(default)]
    pub config: serde_json::Map<String, serde_json::Value>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Columns by name.
    #[serde(default)]
    pub columns: serde_json::Map<String, serde_json::Value>,
    /// Generic tests.
    #[serde(default)]
    pub tests: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    metadata: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct File {
    metadata: SavedMetadata,
    #[serde(default)]
    nodes: BTreeMap<String, SavedNode>,
    #[serde(default)]
    lineage: BTreeMap<String, SavedLineage>,
    #[serde(default)]
    classes: BTreeMap<String, BTreeMap<String, SavedClass>>,
}

#[derive(Deserialize)]
struct SavedClass {
    #[serde(default)]
    classes: std::collections::BTreeSet<String>,
}

#[derive(Deserialize)]
struct SavedLineage {
    #[serde(default)]
    columns: Option<Vec<SavedColumn>>,
}

#[derive(Deserialize)]
struct SavedColumn {
    name: String,
}

fn problem(message: String, at: Option<&Path>) -> Diagnostic {
    let d = Diagnostic::error(Code::StateInvalid, message).help(save_help());
    match at {
        Some(p) => d.at(Location::file_only(p)),
        None => d,
    }
}

impl SavedState {
    /// Read the manifest `spec` names: a directory holding `manifest.json`, the file itself,
    /// or an `s3://` URI of either (read with the AWS settings of `target` when it is an
    /// Athena target).
    pub fn load(spec: &str, target: &Target) -> Result<SavedState, Diagnostic> {
        if spec.starts_with("s3://") {
            return load_s3(spec, target);
        }
        let path = Path::new(spec);
        let (file, dir) = if path.is_dir() {
            (path.join("manifest.json"), path.to_path_buf())
        } else {
            let dir = path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."));
            (path.to_path_buf(), dir)
        };
        let bytes = std::fs::read(&file).map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                if path.is_dir() {
                    crate::t!("e305-no-manifest-in", dir = spec)
                } else {
                    crate::t!("e305-manifest-missing", path = file)
                }
            } else {
                crate::t!("e305-cannot-read", path = file, error = e.to_string())
            };
            problem(why, Some(&file))
        })?;
        parse(
            &bytes,
            &display_path(&file),
            Some(&file),
            StateDir::Local(dir),
        )
    }

    /// Check that the manifest is of this project.
    pub fn check_project(&self, project: &Project) -> Result<(), Diagnostic> {
        if self.metadata.project != project.config.name {
            return Err(Diagnostic::error(
                Code::StateInvalid,
                crate::t!(
                    "e305-other-project",
                    manifest = self.shown,
                    saved = self.metadata.project,
                    project = project.config.name
                ),
            )
            .help(crate::t!("e305-other-project-help")));
        }
        Ok(())
    }

    /// The saved compiled SQL of each node (None: the node has no SQL, or the file is not
    /// there). Errors only for unreadable S3 objects.
    pub fn compiled_sql(
        &self,
        nodes: &[&SavedNode],
        target: &Target,
    ) -> Result<Vec<Option<String>>, Diagnostic> {
        let rel = |n: &SavedNode| {
            n.compiled_path
                .as_ref()
                .map(|p| p.strip_prefix("target/").unwrap_or(p.as_str()).to_string())
        };
        match &self.dir {
            StateDir::Local(dir) => Ok(nodes
                .iter()
                .map(|n| rel(n).and_then(|r| std::fs::read_to_string(dir.join(r)).ok()))
                .collect()),
            StateDir::S3(prefix) => {
                let uris: Vec<Option<String>> = nodes
                    .iter()
                    .map(|n| rel(n).map(|r| format!("{prefix}{r}")))
                    .collect();
                let wanted: Vec<String> = uris.iter().flatten().cloned().collect();
                let mut got = fetch_s3(&wanted, target)?.into_iter();
                Ok(uris
                    .iter()
                    .map(|u| {
                        u.as_ref()
                            .and_then(|_| got.next().flatten())
                            .and_then(|b| String::from_utf8(b).ok())
                    })
                    .collect())
            }
        }
    }

    /// Where a node's saved compiled SQL is (for messages).
    pub fn compiled_location(&self, n: &SavedNode) -> String {
        let rel = n
            .compiled_path
            .as_deref()
            .map(|p| p.strip_prefix("target/").unwrap_or(p))
            .unwrap_or_default();
        match &self.dir {
            StateDir::Local(dir) => display_path(&dir.join(rel)),
            StateDir::S3(prefix) => format!("{prefix}{rel}"),
        }
    }
}

fn parse(
    bytes: &[u8],
    shown: &str,
    file: Option<&Path>,
    dir: StateDir,
) -> Result<SavedState, Diagnostic> {
    let not_json = |e: serde_json::Error| {
        problem(
            crate::t!("e305-not-json", manifest = shown, error = e.to_string()),
            file,
        )
    };
    let header: Header = serde_json::from_slice(bytes).map_err(not_json)?;
    let metadata = header.metadata.unwrap_or_default();
    let version = metadata.get("manifest_version").and_then(|v| v.as_u64());
    match version {
        None if metadata.get("dbt_schema_version").is_some() => {
            return Err(problem(
                crate::t!("e305-dbt-manifest", manifest = shown),
                file,
            ))
        }
        None => {
            return Err(problem(
                crate::t!("e305-no-version", manifest = shown),
                file,
            ))
        }
        Some(v) if v != u64::from(MANIFEST_VERSION) => {
            let by = metadata
                .get("karte_version")
                .and_then(|v| v.as_str())
                .unwrap_or("?");
            return Err(Diagnostic::error(
                Code::StateInvalid,
                crate::t!(
                    "e305-other-format",
                    manifest = shown,
                    format = v.to_string(),
                    by = by,
                    version = env!("CARGO_PKG_VERSION"),
                    expected = MANIFEST_VERSION.to_string()
                ),
            )
            .at(file
                .map(Location::file_only)
                .unwrap_or_else(|| Location::file_only(Path::new(shown))))
            .help(crate::t!("e305-other-format-help")));
        }
        Some(_) => {}
    }
    let parsed: File = serde_json::from_slice(bytes).map_err(not_json)?;
    let columns = parsed
        .lineage
        .into_iter()
        .filter_map(|(id, l)| Some((id, l.columns?.into_iter().map(|c| c.name).collect())))
        .collect();
    let classes = parsed
        .classes
        .into_iter()
        .map(|(id, cols)| {
            let cols = cols
                .into_iter()
                .filter(|(_, c)| !c.classes.is_empty())
                .map(|(name, c)| (name, c.classes))
                .collect();
            (id, cols)
        })
        .collect();
    Ok(SavedState {
        shown: shown.to_string(),
        dir,
        metadata: parsed.metadata,
        nodes: parsed.nodes,
        columns,
        classes,
    })
}

/// `s3://bucket/dir/` or `s3://bucket/dir/manifest.json` → (the manifest's URI, the directory).
fn s3_paths(spec: &str) -> (String, String) {
    if spec.ends_with(".json") {
        let dir = match spec.rfind('/') {
            Some(i) => spec[..=i].to_string(),
            None => spec.to_string(),
        };
        (spec.to_string(), dir)
    } else {
        let dir = format!("{}/", spec.trim_end_matches('/'));
        (format!("{dir}manifest.json"), dir)
    }
}

fn load_s3(spec: &str, target: &Target) -> Result<SavedState, Diagnostic> {
    let (file, dir) = s3_paths(spec);
    let bytes = fetch_s3(std::slice::from_ref(&file), target)?
        .pop()
        .flatten()
        .ok_or_else(|| {
            problem(
                crate::t!("e305-manifest-missing", path = file.as_str()),
                None,
            )
        })?;
    parse(&bytes, &file, None, StateDir::S3(dir))
}

#[cfg(feature = "athena")]
fn fetch_s3(uris: &[String], target: &Target) -> Result<Vec<Option<Vec<u8>>>, Diagnostic> {
    crate::engine::athena::s3::fetch_objects(target, uris).map_err(|e| {
        Diagnostic::error(
            Code::StateInvalid,
            crate::t!("e305-s3", error = e.message.as_str()),
        )
        .help(crate::t!("e305-s3-help"))
    })
}

#[cfg(not(feature = "athena"))]
fn fetch_s3(_: &[String], _: &Target) -> Result<Vec<Option<Vec<u8>>>, Diagnostic> {
    Err(
        Diagnostic::error(Code::StateInvalid, crate::t!("e305-no-s3"))
            .help(crate::t!("e305-no-s3-help")),
    )
}

/// How a node differs from the saved manifest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Not in the saved manifest.
    pub new: bool,
    /// The file changed.
    pub body: bool,
    /// The config (or layer) changed.
    pub configs: bool,
    /// The rendered SQL changed.
    pub sql: bool,
    /// Description, columns or tests changed.
    pub properties: bool,
}

impl Change {
    /// Modified in any aspect (not new).
    pub fn modified(&self) -> bool {
        self.body || self.configs || self.sql || self.properties
    }

    /// New or modified.
    pub fn any(&self) -> bool {
        self.new || self.modified()
    }

    /// Does `state:<value>` select it?
    pub fn matches(&self, value: &str) -> Option<bool> {
        Some(match value {
            "new" => self.new,
            "modified" => self.modified(),
            "modified.body" => self.body,
            "modified.configs" => self.configs,
            "modified.sql" => self.sql,
            "modified.properties" => self.properties,
            _ => return None,
        })
    }

    /// The aspects that changed, by name.
    pub fn aspects(&self) -> Vec<&'static str> {
        [
            (self.body, "body"),
            (self.configs, "configs"),
            (self.sql, "sql"),
            (self.properties, "properties"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

/// The values `state:` takes.
pub const STATE_VALUES: &str =
    "new, modified, modified.body, modified.configs, modified.sql, modified.properties";

/// Each node of the project (by index) against the saved manifest. `models` is sorted by node.
pub fn compare(project: &Project, models: &[AnalyzedModel], saved: &SavedState) -> Vec<Change> {
    use rayon::prelude::*;
    project
        .nodes
        .par_iter()
        .enumerate()
        .map(|(i, n)| {
            let Some(s) = saved.nodes.get(&project.node_id(i)) else {
                return Change {
                    new: true,
                    ..Change::default()
                };
            };
            let m = models
                .binary_search_by_key(&i, |m| m.node)
                .ok()
                .map(|k| &models[k]);
            let config = m.map(|m| &m.config).unwrap_or(&n.config);
            let config = serde_json::to_value(config).unwrap_or_default();
            let columns: BTreeMap<&str, _> =
                n.columns.iter().map(|c| (c.name.as_str(), c)).collect();
            let columns = serde_json::to_value(columns).unwrap_or_default();
            let tests = serde_json::to_value(&n.tests).unwrap_or_default();
            Change {
                new: false,
                body: n.checksum != s.checksum,
                configs: config != serde_json::Value::Object(s.config.clone())
                    || n.layer != s.layer,
                sql: m.map(|m| m.sql_checksum(n)) != s.sql_checksum,
                properties: n.description != s.description
                    || columns != serde_json::Value::Object(s.columns.clone())
                    || tests != serde_json::Value::Array(s.tests.clone()),
            }
        })
        .collect()
}

/// Saved nodes that are no longer in the project, by unique id.
pub fn removed<'a>(project: &Project, saved: &'a SavedState) -> Vec<&'a SavedNode> {
    let here: std::collections::HashSet<String> = (0..project.nodes.len())
        .map(|i| project.node_id(i))
        .collect();
    saved
        .nodes
        .values()
        .filter(|n| !here.contains(&n.unique_id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_paths_take_a_directory_or_the_file() {
        assert_eq!(
            s3_paths("s3://b/prod/state"),
            (
                "s3://b/prod/state/manifest.json".into(),
                "s3://b/prod/state/".into()
            )
        );
        assert_eq!(
            s3_paths("s3://b/prod/manifest.json"),
            ("s3://b/prod/manifest.json".into(), "s3://b/prod/".into())
        );
    }

    #[test]
    fn aspects_and_selector_values() {
        let c = Change {
            body: true,
            sql: true,
            ..Change::default()
        };
        assert_eq!(c.aspects(), ["body", "sql"]);
        assert_eq!(c.matches("modified"), Some(true));
        assert_eq!(c.matches("modified.configs"), Some(false));
        assert_eq!(c.matches("new"), Some(false));
        assert_eq!(c.matches("changed"), None);
    }
}
