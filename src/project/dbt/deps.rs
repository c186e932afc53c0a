//! `karte deps` (docs/dbt.md, "Installing packages"): installs the packages of a dbt project's
//! packages.yml (or dependencies.yml) where `dbt deps` puts them (`dbt_packages/<name>`, or
//! the project's `packages-install-path`), so that karte reads them (`packages.rs`):
//!
//! - `package: org/name` with `version:` — from dbt Hub: its index
//!   (`<hub>/api/v1/org/name.json`) names each version's tarball; the newest version that
//!   meets every constraint is installed (a bare `1.1.1` means exactly that version);
//! - `git: URL` with `revision:` (a tag, branch or commit) and `subdirectory:` — cloned with the
//!   machine's `git`;
//! - `tarball: URL` — downloaded;
//! - `local: path` — linked, as dbt links it.
//!
//! The packages of installed packages are installed too (once per name, the first listed
//! wins). Only `<install path>/<name>` folders are replaced; nothing outside the install path
//! is written.

use std::collections::{BTreeSet, VecDeque};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use crate::diag::{Code, Diagnostic, Diagnostics, Location};

/// dbt Hub, where `package:` entries are looked up (`KARTE_DBT_HUB_URL` replaces it).
pub const DBT_HUB_URL: &str = "https://hub.getdbt.com";

/// One installed package.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Installed {
    /// Its name (the folder under the install path, the namespace of its macros).
    pub name: String,
    /// What was installed: a version, a git revision, `local`, or `tarball`.
    pub version: String,
    /// Where from (the hub name, the git URL, the folder, the tarball URL).
    pub from: String,
}

/// One entry of a packages.yml (or package-lock.yml).
#[derive(Debug, Clone)]
pub(super) enum Spec {
    Hub {
        name: String,
        versions: Vec<String>,
    },
    Git {
        url: String,
        revision: Option<String>,
        subdirectory: Option<String>,
    },
    Tarball(String),
    /// A folder, relative to the project (or package) that lists it.
    Local(PathBuf),
    Private(String),
}

impl Spec {
    /// How the entry is written: the hub name, the URL, the folder.
    pub(super) fn shown(&self) -> String {
        match self {
            Spec::Hub { name, .. } => name.clone(),
            Spec::Git { url, .. } | Spec::Tarball(url) | Spec::Private(url) => url.clone(),
            Spec::Local(p) => crate::diag::display_path(p),
        }
    }
}

fn fail(message: String, help: String) -> Diagnostics {
    Diagnostics(vec![Diagnostic::error(Code::DbtPackages, message)
        .at(Location::file_only(Path::new("packages.yml")))
        .help(help)])
}

fn cannot(spec: &Spec, why: String) -> Diagnostics {
    fail(
        crate::t!("e984-cannot-install", package = spec.shown(), why = why),
        crate::t!("e984-cannot-install-help"),
    )
}

/// Install every package of the dbt project at `root`.
pub fn install(root: &Path, hub: &str, upgrade: bool) -> Result<Vec<Installed>, Diagnostics> {
    let project: serde_yaml::Value = std::fs::read_to_string(root.join(super::DBT_PROJECT_FILE))
        .ok()
        .and_then(|t| serde_yaml::from_str(&t).ok())
        .ok_or_else(|| fail(crate::t!("deps-not-dbt"), crate::t!("deps-not-dbt-help")))?;
    let install_path = project
        .get("packages-install-path")
        .and_then(|v| v.as_str())
        .unwrap_or("dbt_packages")
        .trim_end_matches('/')
        .to_string();
    let inside = Path::new(&install_path)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !inside || install_path.is_empty() {
        return Err(fail(
            crate::t!("deps-install-path", path = install_path.clone()),
            crate::t!("deps-install-path-help"),
        ));
    }
    let install = root.join(&install_path);
    std::fs::create_dir_all(&install).map_err(|e| {
        fail(
            crate::t!(
                "deps-write",
                path = install_path.clone(),
                error = e.to_string()
            ),
            crate::t!("deps-write-help"),
        )
    })?;
    // packages.yml as it is now; package-lock.yml pins what it resolved to last time.
    let listed = ["packages.yml", "dependencies.yml"]
        .into_iter()
        .find_map(|n| std::fs::read(root.join(n)).ok())
        .unwrap_or_default();
    let listed_hash = {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&listed);
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let locked = (!upgrade).then(|| read_lock(root, &listed_hash)).flatten();
    let from_lock = locked.is_some();
    let mut queue: VecDeque<(Spec, PathBuf)> = match locked {
        Some(specs) => specs,
        None => specs(root)?,
    }
    .into_iter()
    .map(|s| (s, PathBuf::new()))
    .collect();
    let mut lock = Vec::new();
    let mut done = Vec::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some((spec, base)) = queue.pop_front() {
        if !seen.insert(spec.shown()) {
            continue;
        }
        let staged = install.join(format!(".karte-staging-{}", done.len()));
        let _ = std::fs::remove_dir_all(&staged);
        let (version, dir, pin) = fetch(root, &install_path, &spec, &base, hub, &staged)?;
        let read_from = match &spec {
            Spec::Local(p) => root.join(base.join(p)),
            _ => dir.clone(),
        };
        let name = super::packages::package_name(&read_from)
            .ok_or_else(|| cannot(&spec, crate::t!("deps-no-project-file")))?;
        let result = if names.insert(name.clone()) {
            place(&install, &name, &dir, matches!(spec, Spec::Local(_)))
                .map_err(|e| cannot(&spec, e))
        } else {
            Ok(())
        };
        let _ = std::fs::remove_dir_all(&staged);
        result?;
        let placed = install.join(&name);
        // Its own packages: relative to the package for `local:` entries (the lock lists them
        // all already).
        let listed_from = match &spec {
            Spec::Local(p) => base.join(p),
            _ => Path::new(&install_path).join(&name),
        };
        if !from_lock {
            for s in specs(&placed)? {
                queue.push_back((s, listed_from.clone()));
            }
        }
        lock.push(locked_entry(&spec, &base, &name, &pin));
        done.push(Installed {
            name,
            version,
            from: spec.shown(),
        });
    }
    write_lock(root, &lock, &listed_hash)?;
    Ok(done)
}

/// The file where `karte deps` pins what it installed.
pub const LOCK_FILE: &str = "package-lock.yml";

/// The pinned entries of package-lock.yml, if it was written for packages.yml as it is now
/// (`sha256_hash`); a lock of another packages.yml (or dbt's, with `sha1_hash` only) is
/// resolved again.
fn read_lock(root: &Path, listed_hash: &str) -> Option<Vec<Spec>> {
    let text = std::fs::read_to_string(root.join(LOCK_FILE)).ok()?;
    let v: serde_yaml::Value = serde_yaml::from_str(&text).ok()?;
    if v.get("sha256_hash")?.as_str()? != listed_hash {
        return None;
    }
    let mut out = Vec::new();
    for p in v.get("packages")?.as_sequence()? {
        out.push(spec_of(p)?);
    }
    Some(out)
}

/// One resolved package as package-lock.yml keeps it: exact version, commit, URL or folder.
fn locked_entry(spec: &Spec, base: &Path, name: &str, pin: &str) -> serde_yaml::Value {
    let mut m = serde_yaml::Mapping::new();
    let mut put = |k: &str, v: String| {
        m.insert(k.into(), v.into());
    };
    match spec {
        Spec::Hub { name: hub_name, .. } => {
            put("package", hub_name.clone());
            put("version", pin.to_string());
        }
        Spec::Git {
            url, subdirectory, ..
        } => {
            put("git", url.clone());
            put("revision", pin.to_string());
            if let Some(sub) = subdirectory {
                put("subdirectory", sub.clone());
            }
        }
        Spec::Tarball(url) => put("tarball", url.clone()),
        Spec::Local(p) => put("local", crate::diag::display_path(&base.join(p))),
        Spec::Private(url) => put("private", url.clone()),
    }
    put("name", name.to_string());
    serde_yaml::Value::Mapping(m)
}

fn write_lock(
    root: &Path,
    lock: &[serde_yaml::Value],
    listed_hash: &str,
) -> Result<(), Diagnostics> {
    let mut m = serde_yaml::Mapping::new();
    m.insert(
        "packages".into(),
        serde_yaml::Value::Sequence(lock.to_vec()),
    );
    m.insert("sha256_hash".into(), listed_hash.into());
    let text = format!(
        "# Written by `karte deps`: what it installed, pinned. `karte deps --upgrade` resolves\n\
         # packages.yml again.\n{}",
        serde_yaml::to_string(&serde_yaml::Value::Mapping(m)).unwrap_or_default()
    );
    std::fs::write(root.join(LOCK_FILE), text).map_err(|e| {
        fail(
            crate::t!("deps-write", path = LOCK_FILE, error = e.to_string()),
            crate::t!("deps-write-help"),
        )
    })
}

/// The entries of packages.yml (or dependencies.yml) in `dir`; none if it has neither.
fn specs(dir: &Path) -> Result<Vec<Spec>, Diagnostics> {
    let Some(file) = ["packages.yml", "dependencies.yml"]
        .into_iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
    else {
        return Ok(Vec::new());
    };
    let v: serde_yaml::Value = std::fs::read_to_string(&file)
        .ok()
        .and_then(|t| serde_yaml::from_str(&t).ok())
        .unwrap_or(serde_yaml::Value::Null);
    Ok(v.get("packages")
        .and_then(|p| p.as_sequence())
        .into_iter()
        .flatten()
        .filter_map(spec_of)
        .collect())
}

/// One entry of packages.yml (or package-lock.yml); None for one of another kind.
pub(super) fn spec_of(p: &serde_yaml::Value) -> Option<Spec> {
    let get = |k: &str| p.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let text = |v: &serde_yaml::Value| match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    Some(if let Some(name) = get("package") {
        let versions = match p.get("version") {
            Some(serde_yaml::Value::Sequence(s)) => s.iter().filter_map(text).collect(),
            Some(v) => text(v).into_iter().collect(),
            None => Vec::new(),
        };
        Spec::Hub { name, versions }
    } else if let Some(url) = get("git") {
        Spec::Git {
            url,
            revision: p.get("revision").and_then(text),
            subdirectory: get("subdirectory"),
        }
    } else if let Some(url) = get("tarball") {
        Spec::Tarball(url)
    } else if let Some(path) = get("local") {
        Spec::Local(PathBuf::from(path))
    } else {
        Spec::Private(get("private")?)
    })
}

/// Fetch `spec` into `staged` (or find its folder, for `local:`): what was installed, and the
/// package's folder.
fn fetch(
    root: &Path,
    install_path: &str,
    spec: &Spec,
    base: &Path,
    hub: &str,
    staged: &Path,
) -> Result<(String, PathBuf, String), Diagnostics> {
    match spec {
        Spec::Local(path) => {
            let rel = base.join(path);
            let dir = root.join(&rel);
            if !dir.join(super::DBT_PROJECT_FILE).is_file() {
                return Err(cannot(spec, crate::t!("deps-no-project-file")));
            }
            // The link is relative to the install path, as the folder is to the project.
            let up: PathBuf = Path::new(install_path)
                .components()
                .map(|_| Component::ParentDir)
                .collect();
            Ok(("local".into(), up.join(rel), String::new()))
        }
        Spec::Hub { name, versions } => {
            let index_url = format!("{}/api/v1/{name}.json", hub.trim_end_matches('/'));
            let index: serde_json::Value =
                serde_json::from_slice(&get(&index_url).map_err(|e| cannot(spec, e))?)
                    .map_err(|e| cannot(spec, e.to_string()))?;
            let (version, tarball) = choose(&index, versions).ok_or_else(|| {
                cannot(
                    spec,
                    crate::t!("deps-no-version", versions = versions.join(", ")),
                )
            })?;
            let bytes = get(&tarball).map_err(|e| cannot(spec, e))?;
            unpack(&bytes, staged).map_err(|e| cannot(spec, e))?;
            Ok((version.clone(), staged.to_path_buf(), version))
        }
        Spec::Tarball(url) => {
            let bytes = get(url).map_err(|e| cannot(spec, e))?;
            unpack(&bytes, staged).map_err(|e| cannot(spec, e))?;
            Ok(("tarball".into(), staged.to_path_buf(), String::new()))
        }
        Spec::Git {
            url,
            revision,
            subdirectory,
        } => {
            git(&["clone", "--quiet", url, &staged.to_string_lossy()], None)
                .map_err(|e| cannot(spec, e))?;
            if let Some(rev) = revision {
                git(&["checkout", "--quiet", rev], Some(staged)).map_err(|e| cannot(spec, e))?;
            }
            let commit = git(&["rev-parse", "HEAD"], Some(staged)).unwrap_or_default();
            let _ = std::fs::remove_dir_all(staged.join(".git"));
            let dir = match subdirectory {
                Some(sub) => staged.join(sub),
                None => staged.to_path_buf(),
            };
            let commit = commit.trim().to_string();
            let version = revision.clone().unwrap_or_else(|| commit.clone());
            Ok((version, dir, commit))
        }
        Spec::Private(_) => Err(cannot(spec, crate::t!("deps-private"))),
    }
}

/// A version `major.minor.patch` (a pre-release, `1.4.0-rc1`, is never chosen).
fn version(v: &str) -> Option<(u64, u64, u64)> {
    let mut parts = v.trim().trim_start_matches('v').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().unwrap_or("0").parse().ok()?;
    let patch = parts.next().unwrap_or("0").parse().ok()?;
    parts.next().is_none().then_some((major, minor, patch))
}

/// Whether `v` meets a constraint of packages.yml: `>=1.0.0`, `<2.0.0`, `>`, `<=`, `=`, or a
/// bare version (exactly that one, as dbt reads it).
///
/// Written here rather than with the `semver` crate: adding that crate (or `tar`) to karte's
/// dependencies changes the build hash of libduckdb-sys, whose C++ then builds again
/// (25 minutes on the CI machine).
fn meets(v: (u64, u64, u64), constraint: &str) -> Option<bool> {
    let c = constraint.trim();
    let (op, rest) = [">=", "<=", ">", "<", "=="]
        .iter()
        .chain(["="].iter())
        .find_map(|op| c.strip_prefix(op).map(|r| (*op, r)))
        .unwrap_or(("=", c));
    let want = version(rest)?;
    Some(match op {
        ">=" => v >= want,
        "<=" => v <= want,
        ">" => v > want,
        "<" => v < want,
        _ => v == want,
    })
}

/// The newest version of a hub index that meets every constraint, and its tarball's URL.
fn choose(index: &serde_json::Value, constraints: &[String]) -> Option<(String, String)> {
    let mut best: Option<((u64, u64, u64), String, String)> = None;
    for (v, entry) in index.get("versions")?.as_object()? {
        let Some(parsed) = version(v) else { continue };
        let mut ok = true;
        for c in constraints {
            ok &= meets(parsed, c)?;
        }
        let Some(tarball) = entry
            .get("downloads")
            .and_then(|d| d.get("tarball"))
            .and_then(|t| t.as_str())
        else {
            continue;
        };
        if ok && best.as_ref().is_none_or(|b| parsed > b.0) {
            best = Some((parsed, v.clone(), tarball.to_string()));
        }
    }
    best.map(|(_, v, t)| (v, t))
}

/// Unpack a .tar.gz into `into`, without its one top folder (as GitHub's tarballs have), with
/// the machine's `tar` (which refuses members outside the folder).
fn unpack(bytes: &[u8], into: &Path) -> Result<(), String> {
    std::fs::create_dir_all(into).map_err(|e| e.to_string())?;
    let file = into.with_extension("tar.gz");
    std::fs::write(&file, bytes).map_err(|e| e.to_string())?;
    let out = std::process::Command::new("tar")
        .arg("-xzf")
        .arg(&file)
        .arg("-C")
        .arg(into)
        .args([
            "--strip-components=1",
            "--no-same-owner",
            "--no-same-permissions",
        ])
        .output();
    let _ = std::fs::remove_file(&file);
    let out = out.map_err(|e| crate::t!("deps-no-tar", error = e.to_string()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(crate::t!("deps-tar-failed", said = said(&out)))
    }
}

/// Put the package folder `dir` at `install/name` (a link for a local package).
fn place(install: &Path, name: &str, dir: &Path, link: bool) -> Result<(), String> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(crate::t!("deps-bad-name", name = name));
    }
    let dest = install.join(name);
    if let Ok(meta) = std::fs::symlink_metadata(&dest) {
        if meta.file_type().is_symlink() || meta.is_file() {
            std::fs::remove_file(&dest).map_err(|e| e.to_string())?;
        } else {
            std::fs::remove_dir_all(&dest).map_err(|e| e.to_string())?;
        }
    }
    if link {
        std::os::unix::fs::symlink(dir, &dest).map_err(|e| e.to_string())
    } else {
        std::fs::rename(dir, &dest).map_err(|e| e.to_string())
    }
}

/// Run the machine's git; its output, or what went wrong.
fn git(args: &[&str], dir: Option<&Path>) -> Result<String, String> {
    let mut cmd = std::process::Command::new("git");
    cmd.args(args).env("GIT_TERMINAL_PROMPT", "0");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = cmd
        .output()
        .map_err(|e| crate::t!("deps-no-git", error = e.to_string()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(crate::t!(
            "deps-git-failed",
            command = args[0],
            said = said(&out)
        ))
    }
}

/// The start of what a command wrote to stderr.
fn said(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .trim()
        .chars()
        .take(300)
        .collect()
}

/// One GET (redirects followed), the body (at most 64 MiB).
fn get(url: &str) -> Result<Vec<u8>, String> {
    crate::notify::deliver::install_crypto();
    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .max_redirects(5)
        .user_agent(concat!("karte/", env!("CARGO_PKG_VERSION")));
    if url.starts_with("https://") {
        config = config.tls_config(
            ureq::tls::TlsConfig::builder()
                .provider(ureq::tls::TlsProvider::Rustls)
                .root_certs(ureq::tls::RootCerts::Specific(
                    crate::notify::deliver::roots(),
                ))
                .build(),
        );
    }
    let agent = ureq::Agent::new_with_config(config.build());
    let mut resp = agent
        .get(url)
        .call()
        .map_err(|e| crate::t!("deps-download", url = url, error = e.to_string()))?;
    resp.body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .map_err(|e| crate::t!("deps-download", url = url, error = e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chooses_the_newest_version_meeting_every_constraint() {
        let index = serde_json::json!({"versions": {
            "0.9.6": {"downloads": {"tarball": "a"}},
            "1.1.1": {"downloads": {"tarball": "b"}},
            "1.3.0": {"downloads": {"tarball": "c"}},
            "2.0.0": {"downloads": {"tarball": "d"}},
            "1.4.0-rc1": {"downloads": {"tarball": "e"}},
        }});
        let c = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            choose(&index, &c(&[">=1.0.0", "<2.0.0"])),
            Some(("1.3.0".into(), "c".into()))
        );
        assert_eq!(
            choose(&index, &c(&["1.1.1"])),
            Some(("1.1.1".into(), "b".into()))
        );
        assert_eq!(choose(&index, &c(&[])), Some(("2.0.0".into(), "d".into())));
        assert_eq!(choose(&index, &c(&[">=3.0.0"])), None);
        assert_eq!(choose(&index, &c(&["not a version"])), None);
    }
}
