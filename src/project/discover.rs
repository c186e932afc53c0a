//! Finding and reading a project's files: which folders hold which kinds of file (models,
//! seeds, snapshots, macros, tests, property files), and each file read into a node, a macro
//! file or a parsed property file. Reading runs in parallel; nothing here looks at other files.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{files, yaml, MacroFile, Node, NodeConfig, NodeKind, PropertiesFile};
use crate::diag::{display_path, Code, Diagnostic, Diagnostics, Location};

#[derive(Clone, Copy)]
pub(super) enum FileKind {
    Node(NodeKind),
    Macro,
    Properties,
}

/// What a dbt project does to a property file's YAML before karte reads it (keeps what karte
/// reads of dbt's properties).
pub(super) type Sanitize<'a> =
    dyn Fn(&Path, &str, yaml::YamlValue) -> Result<yaml::YamlValue, Diagnostic> + Sync + 'a;

pub(super) enum Loaded {
    Node(Node),
    Macro(MacroFile),
    Properties(PathBuf, String, PropertiesFile),
}

/// Where a project keeps each kind of file: (folder relative to the project, the extensions
/// read there and what each holds). karte's layout is fixed; a dbt project names its folders in
/// dbt_project.yml (`model-paths`, …).
pub(super) type Layout = Vec<(String, Vec<(&'static str, FileKind)>)>;

/// karte's own folders.
pub(super) fn karte_layout() -> Layout {
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
    dirs.iter()
        .map(|(d, k)| (d.to_string(), k.to_vec()))
        .collect()
}

/// List project files by kind, sorted, relative to `root`, each with the number of path
/// components of the folder of the layout it was found in (`models/` is 1).
pub(super) fn discover(
    root: &Path,
    layout: &Layout,
    diags: &mut Diagnostics,
) -> Vec<(FileKind, PathBuf, usize)> {
    let mut out = Vec::new();
    for (dir, kinds) in layout {
        let dir = dir.trim_end_matches('/');
        let depth = Path::new(dir).components().count();
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
                        crate::t!("project-cannot-list-files", error = e.to_string()),
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
                Some((_, kind)) => out.push((*kind, rel, depth)),
                None if matches!(ext.as_str(), "md" | "txt" | "gitkeep") => {}
                None => diags.push(
                    Diagnostic::warning(
                        Code::IgnoredFile,
                        crate::t!(
                            "w002-file-ignored",
                            dir = dir,
                            extensions = kinds
                                .iter()
                                .map(|(e, _)| format!(".{e}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .at(Location::file_only(&rel)),
                ),
            }
        }
    }
    out
}

pub(super) fn read_one(
    root: &Path,
    kind: FileKind,
    rel: PathBuf,
    depth: usize,
    props: Option<&Sanitize<'_>>,
) -> Result<Loaded, Diagnostic> {
    let abs = root.join(&rel);
    match kind {
        FileKind::Node(NodeKind::Seed) => {
            // Seeds may be CP932; only their checksum is needed before seeding.
            let bytes = std::fs::read(&abs).map_err(|e| {
                Diagnostic::error(
                    Code::Io,
                    crate::t!("project-cannot-read-file", error = e.to_string()),
                )
                .at(Location::file_only(&rel))
            })?;
            Ok(Loaded::Node(new_node(
                NodeKind::Seed,
                rel,
                depth,
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
                depth,
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
                package: None,
            }))
        }
        FileKind::Properties => {
            let text = files::read_text(&abs, &rel)?;
            let props: PropertiesFile = if text.trim().is_empty() {
                PropertiesFile::default()
            } else {
                match props {
                    None => yaml::parse(&rel, &text)?,
                    Some(sanitize) => {
                        let value: yaml::YamlValue = yaml::parse(&rel, &text)?;
                        let value = sanitize(&rel, &text, value)?;
                        yaml::from_value(&rel, &text, value)?
                    }
                }
            };
            Ok(Loaded::Properties(rel, text, props))
        }
    }
}

fn new_node(kind: NodeKind, rel: PathBuf, depth: usize, text: String, bytes: &[u8]) -> Node {
    let name = rel
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    // Models: the first folder under models/ is the layer. Seeds: directly in seeds/ they are in
    // the `seeds` layer; in seeds/<folder>/ the folder is the layer. (`depth`: the components
    // of the layout's folder, 1 for `models/`.)
    let parts: Vec<_> = rel.iter().collect();
    let layer = match kind {
        NodeKind::Model | NodeKind::Seed if parts.len() > depth + 1 => {
            parts[depth].to_string_lossy().to_string()
        }
        NodeKind::Model => "default".to_string(),
        NodeKind::Seed => "seeds".to_string(),
        NodeKind::Snapshot => "snapshots".to_string(),
        NodeKind::Test => "tests".to_string(),
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
        folder_depth: depth,
    }
}

/// Names defined by `{% macro name(` in a macro file.
pub fn macro_names(text: &str) -> Vec<String> {
    block_names(text, "macro")
}

/// The names of the `{% <keyword> name(…) %}` blocks of `text`, in order.
pub fn block_names(text: &str, keyword: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("{%") {
        rest = &rest[i + 2..];
        let t = rest.trim_start_matches(['-', '+']).trim_start();
        if let Some(after) = t.strip_prefix(keyword) {
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
