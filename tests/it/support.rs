//! Helpers: fixture projects written from one text file, compiling, rendering diagnostics.

use std::path::{Path, PathBuf};

use karte::diag::{render, Diagnostics};
use karte::{compile, CompileOptions, Compiled};

/// A minimal karte.yml used when a fixture does not bring its own.
pub const DEFAULT_KARTE_YML: &str =
    "name: fixture\nlayers:\n  bronze: bronze\n  silver: silver\n  gold: gold\n";

/// Write a project described by `spec` into a new temp dir. The spec holds files, each after a
/// line `=== <path>`. Text before the first marker is a comment. Without `karte.yml`, a default
/// one is written.
pub fn project_from_spec(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut current: Option<(PathBuf, String)> = None;
    let mut files = Vec::new();
    for line in spec.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("=== ") {
            if let Some(f) = current.take() {
                files.push(f);
            }
            current = Some((PathBuf::from(path.trim()), String::new()));
        } else if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
        }
    }
    files.extend(current);
    let has_config = files.iter().any(|(p, _)| p == Path::new("karte.yml"));
    if !has_config {
        files.push((PathBuf::from("karte.yml"), DEFAULT_KARTE_YML.to_string()));
    }
    for (path, text) in files {
        write_file(dir.path(), &path, text.as_bytes());
    }
    dir
}

/// Write one file, creating directories.
pub fn write_file(root: &Path, rel: &Path, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

/// Compile a project directory with default options.
pub fn compile_dir(dir: &Path) -> Result<Compiled, Diagnostics> {
    compile(&CompileOptions {
        project_dir: dir.to_path_buf(),
        ..Default::default()
    })
}

/// All diagnostics rendered as the user sees them.
pub fn rendered(diags: &Diagnostics) -> String {
    diags.0.iter().map(render).collect::<Vec<_>>().join("\n")
}

/// Compiled SQL of the node named `name`.
pub fn compiled_sql<'a>(c: &'a Compiled, name: &str) -> &'a str {
    let i = c
        .project
        .nodes
        .iter()
        .position(|n| n.name == name)
        .unwrap_or_else(|| panic!("no node {name}"));
    &c.models
        .iter()
        .find(|m| m.node == i)
        .unwrap_or_else(|| panic!("{name} not analysed"))
        .compiled_sql
}

/// Names of the node dependencies of `name` (nodes and sources as `src.table`).
pub fn deps(c: &Compiled, name: &str) -> Vec<String> {
    let i = c
        .project
        .nodes
        .iter()
        .position(|n| n.name == name)
        .expect("node");
    let m = c.models.iter().find(|m| m.node == i).expect("analysed");
    m.depends_on
        .iter()
        .map(|d| match d {
            karte::sql::Dependency::Node(j) => c.project.nodes[*j].name.clone(),
            karte::sql::Dependency::Source(j) => {
                let s = &c.project.sources[*j];
                format!("{}.{}", s.source, s.name)
            }
            karte::sql::Dependency::External(e) => format!("external:{e}"),
            karte::sql::Dependency::Upstream(j) => {
                format!("upstream:{}", c.project.upstream.models[*j].unique_id)
            }
        })
        .collect()
}

/// Path of the example project.
pub fn example_project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("example_project")
}

/// `target/run_results.json` of a project, parsed.
pub fn run_results(dir: &Path) -> serde_json::Value {
    let path = dir.join("target/run_results.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The journal directory of the newest run under `target/journal/`.
pub fn latest_journal(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir.join("target/journal"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .max()
        .unwrap()
}

/// The newest run id (a directory name under `target/journal/`).
pub fn latest_run_id(dir: &Path) -> String {
    latest_journal(dir)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string()
}

/// Run the karte binary on a project with extra environment variables: (exit code, stdout,
/// stderr).
pub fn karte_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_karte"))
        .args(args)
        .arg("--project-dir")
        .arg(dir)
        // Messages in English unless a test asks for Japanese (whatever the machine's locale).
        .env("KARTE_LANG", "en")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Run the karte binary on a project: (exit code, stdout, stderr).
pub fn karte(dir: &Path, args: &[&str]) -> (i32, String, String) {
    karte_env(dir, args, &[])
}

/// Rows of a DuckDB query against the project's local catalog, as text (NULL as "NULL").
#[cfg(feature = "duckdb-engine")]
pub fn rows(dir: &Path, sql: &str) -> Vec<Vec<String>> {
    let engine = karte::engine::duckdb::LocalEngine::open(dir, "target/lake").unwrap();
    let (_, rows) = engine.query_text(sql).unwrap();
    rows.into_iter()
        .map(|r| {
            r.into_iter()
                .map(|v| v.unwrap_or_else(|| "NULL".into()))
                .collect()
        })
        .collect()
}

/// [`rows`], each row joined with `|`.
#[cfg(feature = "duckdb-engine")]
pub fn flat(dir: &Path, sql: &str) -> Vec<String> {
    rows(dir, sql).into_iter().map(|r| r.join("|")).collect()
}

/// The status of the result named `name` in a run_results.json document.
pub fn status_of(results: &serde_json::Value, name: &str) -> String {
    results["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["name"] == name)
        .and_then(|r| r["status"].as_str())
        .unwrap_or_else(|| panic!("no result for {name}: {results}"))
        .to_string()
}

/// The nodes (not tests) the last run's `target/run_results.json` lists, as `name status`, sorted.
pub fn built_nodes(dir: &Path) -> Vec<String> {
    let text =
        std::fs::read_to_string(dir.join("target/run_results.json")).expect("run_results.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("run_results.json is JSON");
    let mut names: Vec<String> = v["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["kind"] != "test")
        .map(|r| {
            format!(
                "{} {}",
                r["name"].as_str().unwrap_or_default(),
                r["status"].as_str().unwrap_or_default()
            )
        })
        .collect();
    names.sort();
    names
}
