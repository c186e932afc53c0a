//! The projects of `dependencies:` (karte.yml) and the models they publish, as the later
//! stages see them. `crate::upstream::load` fills [`Upstream`] from each upstream's manifest
//! once the target is known; this file only holds the types and where a dependency points.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::config::DependencyConfig;

/// A model's `access` (config key): who may read it from another project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccessLevel {
    /// Readable by any project that declares this one under `dependencies:`.
    Public,
    /// Readable inside this project only (the default).
    Protected,
    /// Readable inside this project only (kept for dbt's vocabulary; karte has no groups).
    Private,
}

/// The values `access` takes.
pub const ACCESS_VALUES: &str = "public, protected, private";

impl AccessLevel {
    /// Parse a config value (None: not one of [`ACCESS_VALUES`]).
    pub fn parse(s: &str) -> Option<AccessLevel> {
        Some(match s {
            "public" => AccessLevel::Public,
            "protected" => AccessLevel::Protected,
            "private" => AccessLevel::Private,
            _ => return None,
        })
    }

    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::Public => "public",
            AccessLevel::Protected => "protected",
            AccessLevel::Private => "private",
        }
    }
}

/// Where one upstream project's artifacts are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A local directory.
    Local(PathBuf),
    /// An `s3://` URI.
    S3(String),
}

impl Place {
    fn of(spec: &str, root: &Path) -> Place {
        if spec.starts_with("s3://") {
            Place::S3(spec.to_string())
        } else {
            let p = Path::new(spec);
            Place::Local(if p.is_absolute() {
                p.to_path_buf()
            } else {
                root.join(p)
            })
        }
    }

    /// As shown in messages.
    pub fn shown(&self) -> String {
        match self {
            Place::Local(p) => crate::diag::display_path(p),
            Place::S3(u) => u.clone(),
        }
    }
}

/// Where a dependency's manifest and run journals are, from its entry in karte.yml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Its manifest (a `manifest.json`, or the directory holding it).
    pub manifest: Place,
    /// The directory of its run journals (`<run id>/plan.json`, `<run id>/events.jsonl`).
    pub runs: Place,
    /// Its local `target/` directory, when it is a local project (the local engine reads its
    /// catalog `karte.duckdb` there).
    pub target_dir: Option<PathBuf>,
}

impl Published {
    /// Where `config` points, relative to the project directory `root`. A local path may be
    /// the upstream project's directory (holding karte.yml) or its `target/` directory.
    /// Err: what is missing.
    pub fn of(config: &DependencyConfig, root: &Path) -> Result<Published, String> {
        let (path, manifest, runs) = match config {
            DependencyConfig::Path(p) => (Some(p.as_str()), None, None),
            DependencyConfig::Full(l) => {
                (l.path.as_deref(), l.manifest.as_deref(), l.runs.as_deref())
            }
        };
        let target_dir = match path {
            Some(p) if p.starts_with("s3://") => {
                return Err(crate::t!("dependency-s3-path", path = p))
            }
            Some(p) => {
                let Place::Local(dir) = Place::of(p, root) else {
                    unreachable!("checked above")
                };
                Some(if dir.join(super::PROJECT_FILE).is_file() {
                    dir.join("target")
                } else {
                    dir
                })
            }
            None => None,
        };
        let manifest = match (manifest, &target_dir) {
            (Some(m), _) => Place::of(m, root),
            (None, Some(t)) => Place::Local(t.join("manifest.json")),
            (None, None) => return Err(crate::t!("dependency-no-manifest")),
        };
        let runs = match (runs, &target_dir) {
            (Some(r), _) => Place::of(r, root),
            (None, Some(t)) => Place::Local(t.join("journal")),
            (None, None) => return Err(crate::t!("dependency-no-runs")),
        };
        // A local manifest given alone: its directory is the upstream's target/.
        let target_dir = target_dir.or_else(|| match &manifest {
            Place::Local(m) if m.is_dir() => Some(m.clone()),
            Place::Local(m) => m.parent().map(Path::to_path_buf),
            Place::S3(_) => None,
        });
        Ok(Published {
            manifest,
            runs,
            target_dir,
        })
    }
}

/// One project of `dependencies:`, its manifest read.
#[derive(Debug, Clone)]
pub struct UpstreamProject {
    /// Its name (the key under `dependencies:`, the name in its karte.yml).
    pub name: String,
    /// Where its artifacts are.
    pub published: Published,
    /// The target its manifest was compiled for.
    pub target: String,
}

/// One model (or seed, snapshot) of an upstream project.
#[derive(Debug, Clone)]
pub struct UpstreamModel {
    /// Index into [`Upstream::projects`].
    pub project: usize,
    /// Its unique id there (`model.<upstream>.<name>`): the id lineage and classes use.
    pub unique_id: String,
    /// Name.
    pub name: String,
    /// Layer.
    pub layer: String,
    /// Schema on the upstream's target.
    pub schema: String,
    /// The relation this project's SQL reads.
    pub relation: String,
    /// Its `access` (protected when not set).
    pub access: AccessLevel,
    /// Its columns (lower case), when the upstream's lineage knows them.
    pub columns: Option<Vec<String>>,
    /// Column → its personal-data classes, as the upstream's manifest gives them.
    pub classes: BTreeMap<String, BTreeSet<String>>,
}

/// The projects of `dependencies:` and their models.
#[derive(Debug, Clone, Default)]
pub struct Upstream {
    /// Projects, in the order of karte.yml (sorted by name).
    pub projects: Vec<UpstreamProject>,
    /// Their models (all of them: reading a non-public one is an error that names it).
    pub models: Vec<UpstreamModel>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::DependencyLocation;

    #[test]
    fn a_path_is_a_project_or_its_target_dir() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("karte.yml"), "name: up\n").unwrap();
        let p = Published::of(
            &DependencyConfig::Path(dir.path().display().to_string()),
            Path::new("/x"),
        )
        .unwrap();
        assert_eq!(
            p.manifest,
            Place::Local(dir.path().join("target/manifest.json"))
        );
        assert_eq!(p.runs, Place::Local(dir.path().join("target/journal")));
        let p = Published::of(
            &DependencyConfig::Path("../up/target".into()),
            Path::new("/p"),
        )
        .unwrap();
        assert_eq!(
            p.manifest,
            Place::Local(PathBuf::from("/p/../up/target/manifest.json"))
        );
    }

    #[test]
    fn s3_needs_manifest_and_runs() {
        let full = |m: Option<&str>, r: Option<&str>| {
            DependencyConfig::Full(DependencyLocation {
                path: None,
                manifest: m.map(String::from),
                runs: r.map(String::from),
            })
        };
        let p = Published::of(
            &full(
                Some("s3://a/m/manifest.json"),
                Some("s3://l/_karte/journal/prod/"),
            ),
            Path::new("/p"),
        )
        .unwrap();
        assert_eq!(p.manifest, Place::S3("s3://a/m/manifest.json".into()));
        assert_eq!(p.target_dir, None);
        assert!(Published::of(&full(Some("s3://a/m/"), None), Path::new("/p")).is_err());
        assert!(Published::of(&DependencyConfig::Path("s3://a/".into()), Path::new("/p")).is_err());
    }
}
