//! Stage 5, `write`: artifacts under `target/` — compiled SQL and `manifest.json` — written
//! byte for byte the same for the same input (sorted keys, no timestamps). The manifest is
//! compact JSON, as dbt writes it: at 10,000 models indentation would double its size.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::diag::{display_path, Code, Diagnostic};
use crate::graph::Compiled;
use crate::project::{ColumnProperties, NodeConfig, NodeKind, TestSpec};
use crate::sql::{join_fqn, Dependency};

/// Version of the manifest format.
/// 2: nodes have `sql_checksum` and the metadata the target's `engine` (for `--state`).
pub const MANIFEST_VERSION: u32 = 2;

/// `target/manifest.json`.
#[derive(Debug, Serialize)]
pub struct Manifest<'a> {
    /// About the file.
    pub metadata: Metadata,
    /// Every node by unique id (`model.<project>.<name>`).
    pub nodes: BTreeMap<String, ManifestNode>,
    /// Every declared source table (`source.<project>.<source>.<table>`).
    pub sources: BTreeMap<String, ManifestSource>,
    /// Column lineage: relation unique id → its columns, each with the upstream columns it
    /// comes from and how (`copy`, `transform`, `aggregate`), and the upstream columns that
    /// filter, join or group its rows (see `crate::lineage`).
    pub lineage: BTreeMap<&'a str, &'a crate::lineage::RelationLineage>,
    /// Personal-data classes: relation unique id → column → its classes (declared, or carried
    /// down the lineage; see `crate::governance`), with the reason of a declared override.
    pub classes: BTreeMap<&'a str, &'a BTreeMap<String, crate::governance::ColumnClass>>,
}

/// Manifest metadata.
#[derive(Debug, Serialize)]
pub struct Metadata {
    /// Format version.
    pub manifest_version: u32,
    /// karte version.
    pub karte_version: &'static str,
    /// Project name.
    pub project: String,
    /// Target compiled for.
    pub target: String,
    /// The engine of that target (`local`, `athena`).
    pub engine: crate::project::TargetType,
}

/// One node in the manifest.
#[derive(Debug, Serialize)]
pub struct ManifestNode {
    /// Unique id.
    pub unique_id: String,
    /// model, seed, snapshot, test.
    pub kind: NodeKind,
    /// Name.
    pub name: String,
    /// Layer.
    pub layer: String,
    /// Schema on the target.
    pub schema: String,
    /// Fully-qualified relation on the target (none for tests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
    /// Source file.
    pub path: String,
    /// Compiled SQL file, relative to the project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compiled_path: Option<String>,
    /// SHA-256 of the source file.
    pub checksum: String,
    /// SHA-256 of the SQL as rendered, with logical table names (the same on every target):
    /// changes when a macro or variable changes what the model says (`state:modified.sql`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql_checksum: Option<String>,
    /// Final config.
    pub config: NodeConfig,
    /// What it reads.
    pub depends_on: DependsOn,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Columns by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, ColumnProperties>,
    /// Generic tests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<TestSpec>,
    /// Whether the file uses Jinja.
    pub templated: bool,
    /// Whether the SQL parsed (else dependencies came from the fallback scan).
    pub parsed: bool,
}

/// A node's dependencies by kind, each sorted.
#[derive(Debug, Serialize, Default)]
pub struct DependsOn {
    /// Unique ids of nodes.
    pub nodes: Vec<String>,
    /// Unique ids of sources.
    pub sources: Vec<String>,
    /// External relations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub externals: Vec<String>,
    /// Models of upstream projects (`dependencies:`), by their unique ids there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
}

/// A declared source table in the manifest.
#[derive(Debug, Serialize)]
pub struct ManifestSource {
    /// Unique id.
    pub unique_id: String,
    /// Source name.
    pub source: String,
    /// Table name.
    pub name: String,
    /// Fully-qualified relation.
    pub relation: String,
    /// Property file.
    pub path: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Columns by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, ColumnProperties>,
    /// Tests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<TestSpec>,
}

/// Build the manifest of a compiled project (all nodes, not only the selected ones).
pub fn manifest(c: &Compiled) -> Manifest<'_> {
    let nodes: Vec<(String, ManifestNode)> = c
        .project
        .nodes
        .par_iter()
        .enumerate()
        .map(|(i, n)| {
            let m = c.model(i);
            let mut depends_on = DependsOn::default();
            for d in m.map(|m| m.depends_on.as_slice()).unwrap_or_default() {
                match d {
                    Dependency::Node(p) => depends_on.nodes.push(c.project.node_id(*p)),
                    Dependency::Source(s) => depends_on.sources.push(c.project.source_id(*s)),
                    Dependency::External(e) => depends_on.externals.push(e.clone()),
                    Dependency::Upstream(u) => depends_on
                        .upstream
                        .push(c.project.upstream.models[*u].unique_id.clone()),
                }
            }
            depends_on.nodes.sort();
            depends_on.sources.sort();
            depends_on.externals.sort();
            depends_on.upstream.sort();
            let id = c.project.node_id(i);
            (
                id.clone(),
                ManifestNode {
                    unique_id: id,
                    kind: n.kind,
                    name: n.name.clone(),
                    layer: n.layer.clone(),
                    schema: c.target.schema(&n.schema),
                    relation: n.kind.is_relation().then(|| {
                        join_fqn(c.target.catalog(), &c.target.schema(&n.schema), &n.name)
                    }),
                    path: display_path(&n.path),
                    compiled_path: m.map(|_| display_path(&compiled_rel_path(&n.path))),
                    checksum: n.checksum.clone(),
                    sql_checksum: m.map(|m| m.sql_checksum(n)),
                    config: m
                        .map(|m| m.config.clone())
                        .unwrap_or_else(|| n.config.clone()),
                    depends_on,
                    description: n.description.clone(),
                    columns: n
                        .columns
                        .iter()
                        .map(|c| (c.name.clone(), c.clone()))
                        .collect(),
                    tests: n.tests.clone(),
                    templated: m.is_some_and(|m| m.templated),
                    parsed: m.is_none_or(|m| m.parsed),
                },
            )
        })
        .collect();
    let nodes: BTreeMap<String, ManifestNode> = nodes.into_iter().collect();
    let mut sources = BTreeMap::new();
    for (i, s) in c.project.sources.iter().enumerate() {
        let id = c.project.source_id(i);
        sources.insert(
            id.clone(),
            ManifestSource {
                unique_id: id,
                source: s.source.clone(),
                name: s.name.clone(),
                relation: crate::sql::source_fqn(s, &c.target),
                path: s.path.clone(),
                description: s.description.clone(),
                columns: s
                    .columns
                    .iter()
                    .map(|c| (c.name.clone(), c.clone()))
                    .collect(),
                tests: s.tests.clone(),
            },
        );
    }
    Manifest {
        metadata: Metadata {
            manifest_version: MANIFEST_VERSION,
            karte_version: env!("CARGO_PKG_VERSION"),
            project: c.project.config.name.clone(),
            target: c.target.name.clone(),
            engine: c.target.config.kind,
        },
        nodes,
        sources,
        lineage: c.lineage.sorted(),
        classes: c
            .classes
            .relations
            .iter()
            .filter(|(_, cols)| !cols.is_empty())
            .map(|(id, cols)| (id.as_str(), cols))
            .collect(),
    }
}

/// `target/compiled/<path>` relative to the project.
pub fn compiled_rel_path(path: &Path) -> PathBuf {
    Path::new("target").join("compiled").join(path)
}

/// Write compiled SQL of the selected nodes and the manifest. A file whose content is already
/// right is left alone (creating 10,000 files costs more than reading them, and rewriting a
/// file makes ext4 flush it); with no selection,
/// compiled files of nodes that no longer exist are removed.
pub fn write(c: &Compiled, full: bool) -> Result<(), Diagnostic> {
    let root = &c.project.root;
    let compiled_dir = root.join("target").join("compiled");
    let selected: std::collections::HashSet<usize> = c.selected.iter().copied().collect();
    let wanted: Vec<(PathBuf, &str)> = c
        .models
        .iter()
        .filter(|m| selected.contains(&m.node))
        .map(|m| {
            (
                root.join(compiled_rel_path(&c.project.nodes[m.node].path)),
                m.compiled_sql.as_str(),
            )
        })
        .collect();
    // The manifest is serialised while the compiled files are written.
    let (written, json) = rayon::join(
        || {
            wanted.par_iter().try_for_each(|(path, sql)| {
                if same_content(path, sql.as_bytes()) {
                    return Ok(());
                }
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
                }
                std::fs::write(path, sql).map_err(|e| io_err(path, e))
            })
        },
        || {
            serde_json::to_string(&manifest(c)).map_err(|e| {
                Diagnostic::error(
                    Code::Internal,
                    crate::t!("e000-cannot-serialise-manifest", error = e.to_string()),
                )
            })
        },
    );
    written?;
    let mut json = json?;
    if full && compiled_dir.is_dir() {
        let keep: std::collections::HashSet<&PathBuf> = wanted.iter().map(|(p, _)| p).collect();
        for entry in walkdir::WalkDir::new(&compiled_dir).into_iter().flatten() {
            if entry.file_type().is_file() && !keep.contains(&entry.path().to_path_buf()) {
                std::fs::remove_file(entry.path()).map_err(|e| io_err(entry.path(), e))?;
            }
        }
    }
    json.push('\n');
    let path = root.join("target").join("manifest.json");
    // Like the compiled files: an unchanged manifest is not written again (reading it costs
    // less than rewriting tens of megabytes, which the file system then flushes).
    if same_content(&path, json.as_bytes()) {
        return Ok(());
    }
    std::fs::create_dir_all(root.join("target")).map_err(|e| io_err(&path, e))?;
    std::fs::write(&path, json).map_err(|e| io_err(&path, e))
}

/// Whether the file at `path` holds exactly `bytes` (read in pieces: a large file is not held
/// twice in memory).
fn same_content(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    if f.metadata().map(|m| m.len()).ok() != Some(bytes.len() as u64) {
        return false;
    }
    let mut buf = vec![0u8; bytes.len().clamp(1, 1 << 20)];
    let mut rest = bytes;
    loop {
        match f.read(&mut buf) {
            Ok(0) => return rest.is_empty(),
            Ok(n) if n <= rest.len() && buf[..n] == rest[..n] => rest = &rest[n..],
            Ok(_) => return false,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

fn io_err(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::Io,
        crate::t!("compile-cannot-write", path = path, error = e.to_string()),
    )
}
