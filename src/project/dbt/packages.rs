//! The packages of a dbt project (docs/dbt.md, "Packages"): those `packages.yml` (or
//! `dependencies.yml`) lists, read where `dbt deps` installed them (`dbt_packages/`, or the
//! project's `packages-install-path`) and, for `local:` entries, from their folder. What karte
//! takes of a package is its macros (each package a namespace: `dbt_utils.star(...)`, and
//! the candidates `adapter.dispatch` searches); a package's models are not built yet (W981).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::super::yaml::{self, YamlValue};
use super::super::{files, MacroFile};
use super::deps::{spec_of, Spec};
use crate::diag::{Code, Diagnostic, Diagnostics, Location};

/// An installed package.
#[derive(Debug, Clone)]
pub struct Package {
    /// Its `name` (the namespace of its macros).
    pub name: String,
    /// Its folder, relative to the project when it is inside it.
    pub dir: PathBuf,
}

/// The packages' macro files (each with its package) and the packages found, in the order
/// dbt would list them.
pub(super) fn load(
    root: &Path,
    install_path: &str,
    own_name: &str,
    diags: &mut Diagnostics,
) -> (Vec<MacroFile>, Vec<Package>) {
    let Some((file, text, entries)) = entries(root, diags) else {
        return (Vec::new(), Vec::new());
    };
    let mut found: BTreeMap<String, Package> = BTreeMap::new();
    let install = root.join(install_path);
    if let Ok(dirs) = std::fs::read_dir(&install) {
        let mut dirs: Vec<PathBuf> = dirs.flatten().map(|e| e.path()).collect();
        dirs.sort();
        for dir in dirs {
            if let Some(name) = package_name(&dir) {
                let rel = Path::new(install_path).join(dir.file_name().unwrap_or_default());
                found
                    .entry(name.clone())
                    .or_insert(Package { name, dir: rel });
            }
        }
    }
    for (spec, span) in &entries {
        let missing = match spec {
            Spec::Local(path) => {
                let dir = root.join(path);
                match package_name(&dir) {
                    Some(name) => {
                        found.entry(name.clone()).or_insert(Package {
                            name,
                            dir: path.clone(),
                        });
                        None
                    }
                    None => Some(spec.shown()),
                }
            }
            // A hub package is installed under the name after the `/`.
            Spec::Hub { name, .. } => {
                let short = name.rsplit('/').next().unwrap_or(name);
                (!found.contains_key(short)).then(|| name.clone())
            }
            // git, tarball, private: under the name in their own dbt_project.yml.
            _ => found.is_empty().then(|| spec.shown()),
        };
        if let Some(what) = missing {
            diags.push(
                Diagnostic::error(
                    Code::DbtPackages,
                    crate::t!("e984-not-installed", package = what, dir = install_path),
                )
                .at(Location::from_span(&file, &text, span.clone()))
                .label(crate::t!("e984-label"))
                .help(crate::t!("e984-not-installed-help", dir = install_path)),
            );
        }
    }
    found.remove(own_name);
    let mut macros = Vec::new();
    for p in found.values() {
        read_package(root, p, &mut macros, diags);
    }
    (macros, found.into_values().collect())
}

/// packages.yml's (or dependencies.yml's) entries and where each is written.
#[allow(clippy::type_complexity)]
fn entries(
    root: &Path,
    diags: &mut Diagnostics,
) -> Option<(PathBuf, String, Vec<(Spec, std::ops::Range<usize>)>)> {
    let name = ["packages.yml", "dependencies.yml"]
        .into_iter()
        .find(|n| root.join(n).is_file())?;
    let file = PathBuf::from(name);
    let text = match files::read_text(&root.join(name), &file) {
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let v: YamlValue = match yaml::parse(&file, &text) {
        Ok(v) => v,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let mut out = Vec::new();
    let pkgs = v
        .get("packages")
        .and_then(|p| p.as_sequence())
        .cloned()
        .unwrap_or_default();
    let mut from = 0;
    for p in pkgs {
        let Some(spec) = spec_of(&p) else { continue };
        let what = spec.shown();
        let span = text[from..]
            .find(&what)
            .map_or(0..0, |i| from + i..from + i + what.len());
        from = span.end.max(from);
        out.push((spec, span));
    }
    Some((file, text, out))
}

/// The `name` in `dir/dbt_project.yml`.
pub(super) fn package_name(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(super::DBT_PROJECT_FILE)).ok()?;
    let v: YamlValue = serde_yaml::from_str(&text).ok()?;
    v.get("name")?.as_str().map(str::to_string)
}

/// The folders of `key` in a package's dbt_project.yml (dbt's default when not set).
fn package_paths(v: &YamlValue, key: &str, default: &str) -> Vec<String> {
    match v.get(key) {
        Some(YamlValue::Sequence(s)) => s
            .iter()
            .filter_map(|p| p.as_str().map(|s| s.trim_end_matches('/').to_string()))
            .collect(),
        Some(YamlValue::String(s)) => vec![s.clone()],
        _ => vec![default.to_string()],
    }
}

/// A package's macro files; a warning when it has models (not built yet).
fn read_package(root: &Path, p: &Package, macros: &mut Vec<MacroFile>, diags: &mut Diagnostics) {
    let dir = root.join(&p.dir);
    let v: YamlValue = std::fs::read_to_string(dir.join(super::DBT_PROJECT_FILE))
        .ok()
        .and_then(|t| serde_yaml::from_str(&t).ok())
        .unwrap_or(YamlValue::Null);
    for folder in package_paths(&v, "macro-paths", "macros") {
        for path in sql_files(&dir.join(&folder)) {
            let rel = path
                .strip_prefix(root)
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| path.clone());
            let text = match files::read_text(&path, &rel) {
                Ok(t) => t,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            // A custom materialization cannot be read (nor built) by karte: its file is
            // left out; a model that asks for it is refused where it does.
            if super::jinja_block(&text, "materialization").is_some() {
                continue;
            }
            let names = names(&text);
            macros.push(MacroFile {
                path: rel,
                text,
                names,
                package: Some(p.name.clone()),
            });
        }
    }
    let models = package_paths(&v, "model-paths", "models")
        .iter()
        .map(|f| sql_files(&dir.join(f)).len())
        .sum::<usize>();
    if models > 0 {
        diags.push(
            Diagnostic::warning(
                Code::DbtIgnored,
                crate::t!(
                    "w981-package-models",
                    package = p.name.clone(),
                    count = models
                ),
            )
            .at(Location::file_only(&p.dir.join(super::DBT_PROJECT_FILE)))
            .help(crate::t!("w981-package-models-help")),
        );
    }
}

/// Names a dbt macro file defines: its macros, and `test_<name>` for each `{% test name %}`.
pub fn names(text: &str) -> Vec<String> {
    let mut out = crate::project::macro_names(text);
    out.extend(
        crate::project::block_names(text, "test")
            .into_iter()
            .map(|n| format!("test_{n}")),
    );
    out
}

/// The `.sql` files under `dir`, sorted.
fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "sql"))
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}
