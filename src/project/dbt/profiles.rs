//! `profiles.yml`: the targets of a dbt project. Found where dbt looks (`--profiles-dir`,
//! `DBT_PROFILES_DIR`, the project directory, `~/.dbt`), rendered with `env_var()`, and each
//! output of the profile mapped onto a karte target: `duckdb` → the local engine, `athena` →
//! an Athena target with the same meaning. Secrets written in the file are never kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::super::yaml::{self, YamlValue};
use super::super::{LoadOptions, TargetConfig, TargetType};
use super::render_env;
use crate::diag::{Code, Diagnostic, Diagnostics, Location};

/// One output of the profile, as templates see it (`target.*`) and as schemas are named.
#[derive(Debug, Clone)]
pub struct DbtTarget {
    /// `duckdb` or `athena`.
    pub kind: String,
    /// The target's schema (`main` when a duckdb output names none).
    pub schema: String,
    /// The target's database, if any.
    pub database: Option<String>,
    /// `threads` (1 when not set).
    pub threads: u32,
    /// The output's other fields without secrets, for `target.<field>`.
    pub fields: BTreeMap<String, serde_json::Value>,
    /// The karte target it maps to.
    pub config: TargetConfig,
}

/// Field names whose values are never kept (credentials).
fn is_secret(key: &str) -> bool {
    let k = key.to_lowercase();
    [
        "password",
        "secret",
        "token",
        "access_key",
        "private_key",
        "credentials",
    ]
    .iter()
    .any(|s| k.contains(s))
}

/// The profiles.yml to read: the first of `--profiles-dir`, `DBT_PROFILES_DIR`, the project
/// directory, `~/.dbt` that holds one.
fn find(root: &Path, opts: &LoadOptions) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(d) = &opts.profiles_dir {
        dirs.push(d.clone());
    } else if let Some(d) = std::env::var_os("DBT_PROFILES_DIR").filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(d));
    } else {
        dirs.push(root.to_path_buf());
        if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join(".dbt"));
        }
    }
    dirs.into_iter()
        .map(|d| d.join("profiles.yml"))
        .find(|p| p.is_file())
}

/// The targets of `profile`, the default target's name and the file read. Without a
/// profiles.yml (W980), one local target `local` with schema `main`.
#[allow(clippy::type_complexity)]
pub(super) fn load(
    root: &Path,
    opts: &LoadOptions,
    profile: &str,
    diags: &mut Diagnostics,
) -> Result<(BTreeMap<String, DbtTarget>, String, Option<PathBuf>), Diagnostics> {
    let Some(path) = find(root, opts) else {
        if let Some(d) = &opts.profiles_dir {
            return Err(Diagnostics(vec![Diagnostic::error(
                Code::DbtProfile,
                crate::t!("e981-no-profiles-in-dir", dir = d),
            )
            .help(crate::t!("e981-no-profiles-in-dir-help"))]));
        }
        diags.push(
            Diagnostic::warning(Code::DbtNoProfile, crate::t!("w980-no-profiles"))
                .help(crate::t!("w980-no-profiles-help")),
        );
        let local = DbtTarget {
            kind: "duckdb".into(),
            schema: "main".into(),
            database: None,
            threads: 1,
            fields: BTreeMap::new(),
            config: TargetConfig::default(),
        };
        return Ok((
            BTreeMap::from([("local".to_string(), local)]),
            "local".into(),
            None,
        ));
    };
    // Shown as written relative to the project when it is in it.
    let shown = path
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.clone());
    let text = super::super::files::read_text(&path, &shown).map_err(one)?;
    let doc: YamlValue = yaml::parse(&shown, &text).map_err(one)?;
    let Some(entry) = doc.get(profile) else {
        let names: Vec<String> = doc
            .as_mapping()
            .map(|m| {
                m.keys()
                    .filter_map(|k| k.as_str())
                    .filter(|k| *k != "config")
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        return Err(one(Diagnostic::error(
            Code::DbtProfile,
            crate::t!("e981-no-profile", profile = profile, file = shown.clone()),
        )
        .at(Location::file_only(&shown))
        .maybe_help(
            crate::diag::suggest(profile, names.iter().map(String::as_str))
                .map(|s| crate::t!("project-did-you-mean", name = s)),
        )
        .note(crate::t!("e981-profiles-defined", names = names.join(", ")))));
    };
    let entry = render_env(entry, &shown, &text, &super::no_context()).map_err(one)?;
    let outputs = entry.get("outputs").and_then(YamlValue::as_mapping);
    let Some(outputs) = outputs else {
        return Err(one(Diagnostic::error(
            Code::DbtProfile,
            crate::t!("e981-no-outputs", profile = profile),
        )
        .at(super::at_key(&shown, &text, profile))
        .help(crate::t!("e981-no-outputs-help"))));
    };
    let mut targets = BTreeMap::new();
    let mut errors = Diagnostics::default();
    for (name, output) in outputs {
        let Some(name) = name.as_str() else { continue };
        match target(name, output, &shown, &text, diags) {
            Ok(t) => {
                targets.insert(name.to_string(), t);
            }
            Err(d) => errors.push(d),
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    let default = entry
        .get("target")
        .and_then(YamlValue::as_str)
        .map(String::from)
        .or_else(|| targets.keys().next().cloned())
        .unwrap_or_else(|| "local".into());
    Ok((targets, default, Some(shown)))
}

/// One output mapped onto a karte target.
fn target(
    name: &str,
    output: &YamlValue,
    file: &Path,
    text: &str,
    diags: &mut Diagnostics,
) -> Result<DbtTarget, Diagnostic> {
    let get = |k: &str| output.get(k);
    let s = |k: &str| {
        get(k).and_then(|v| match v {
            YamlValue::String(s) => Some(s.clone()),
            YamlValue::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let kind = s("type").unwrap_or_default();
    let threads = get("threads")
        .and_then(YamlValue::as_u64)
        .map_or(1, |t| t.max(1) as u32);
    let mut fields = BTreeMap::new();
    if let YamlValue::Mapping(m) = output {
        for (k, v) in m {
            if let Some(k) = k.as_str() {
                if !is_secret(k) {
                    fields.insert(k.to_string(), yaml::to_json(v));
                }
            }
        }
    }
    let ignored = |keys: &[&str], diags: &mut Diagnostics| {
        for k in keys {
            if get(k).is_some() {
                diags.push(
                    Diagnostic::warning(
                        Code::DbtIgnored,
                        crate::t!("w981-profile-key", key = *k, target = name),
                    )
                    .at(super::at_key(file, text, k))
                    .help(crate::t!("w981-profile-key-help", key = *k)),
                );
            }
        }
    };
    match kind.as_str() {
        "duckdb" => {
            ignored(
                &[
                    "attach",
                    "plugins",
                    "external_root",
                    "filesystems",
                    "secrets",
                ],
                diags,
            );
            Ok(DbtTarget {
                kind,
                schema: s("schema").unwrap_or_else(|| "main".into()),
                database: s("database"),
                threads,
                fields,
                config: TargetConfig {
                    kind: TargetType::Local,
                    threads: Some(threads),
                    ..Default::default()
                },
            })
        }
        "athena" => {
            ignored(
                &[
                    "s3_data_naming",
                    "aws_access_key_id",
                    "aws_secret_access_key",
                    "aws_session_token",
                ],
                diags,
            );
            let schema = s("schema").unwrap_or_else(|| "default".into());
            Ok(DbtTarget {
                kind,
                schema,
                database: s("database"),
                threads,
                fields,
                config: TargetConfig {
                    kind: TargetType::Athena,
                    catalog: s("database"),
                    region: s("region_name"),
                    workgroup: s("work_group"),
                    s3_staging_dir: s("s3_staging_dir"),
                    lake_root: s("s3_data_dir"),
                    profile: s("aws_profile_name"),
                    endpoint_url: s("endpoint_url"),
                    threads: Some(threads),
                    max_attempts: get("num_retries")
                        .and_then(YamlValue::as_u64)
                        .map(|n| n as u32 + 1),
                    ..Default::default()
                },
            })
        }
        other => Err(Diagnostic::error(
            Code::DbtAdapter,
            crate::t!("e982-adapter", kind = other, target = name),
        )
        .at(
            // The output's own `type: <kind>` (another output may come first).
            match text.find(&format!("type: {other}")) {
                Some(i) => Location::from_span(file, text, i..i + "type".len()),
                None => super::at_key(file, text, "type"),
            },
        )
        .label(crate::t!("e982-label"))
        .help(crate::t!("e982-adapter-help"))),
    }
}

fn one(d: Diagnostic) -> Diagnostics {
    Diagnostics(vec![d])
}
