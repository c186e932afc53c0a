//! A dbt project read as a karte project (docs/dbt.md): a directory with `dbt_project.yml` and
//! no `karte.yml`. `dbt_project.yml` gives the folders, variables and the `models:`/`seeds:`
//! config trees (with the project's name as their root); `profiles.yml` gives the targets
//! (`profiles.rs`); property files keep what karte reads of dbt's (`properties.rs`); seeds get
//! the column types dbt would infer (`seeds.rs`). The result is the same [`Project`] a
//! `karte.yml` gives, so every later stage is karte's own; what differs (schema names from
//! `generate_schema_name`, dbt's template context) is in `render/dbt.rs`.

pub mod deps;
mod packages;
mod profiles;
mod properties;
mod seeds;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::discover::{FileKind, Layout};
use super::yaml::{self, YamlValue};
use super::{files, LoadOptions, NodeKind, Project, ProjectConfig};
use crate::diag::{Code, Diagnostic, Diagnostics, Location};

pub use packages::{names as macro_names, Package};
pub use profiles::DbtTarget;

/// The project file of a dbt project.
pub const DBT_PROJECT_FILE: &str = "dbt_project.yml";

/// Config keys dbt knows besides karte's: kept on the node (shown in the manifest), acted on
/// where docs/dbt.md says so, refused (E985) where ignoring them would change a table.
pub const DBT_CONFIG_KEYS: &[&str] = &[
    "alias",
    "batch_size",
    "begin",
    "concurrent_batches",
    "constraints",
    "contract",
    "database",
    "dbt_valid_to_current",
    "description",
    "docs",
    "error_if",
    "event_time",
    "fail_calc",
    "file_format",
    "full_refresh",
    "grants",
    "group",
    "labels",
    "limit",
    "lookback",
    "packages",
    "persist_docs",
    "post_hook",
    "pre_hook",
    "quote_columns",
    "quoting",
    "schema",
    "snapshot_meta_column_names",
    "sql_header",
    "store_failures_as",
    "target_database",
    "target_schema",
    "warn_if",
];

/// What karte keeps of a dbt project beyond [`ProjectConfig`]'s fields.
#[derive(Debug, Clone, Default)]
pub struct DbtSettings {
    /// The profile named in dbt_project.yml.
    pub profile: String,
    /// The profiles.yml read (None: none was found; the project runs on a local target).
    pub profiles_file: Option<PathBuf>,
    /// Each output of the profile, by target name.
    pub targets: BTreeMap<String, DbtTarget>,
    /// `model-paths`.
    pub model_paths: Vec<String>,
    /// `macro-paths`.
    pub macro_paths: Vec<String>,
    /// The project's `name` (its macros' namespace).
    pub name: String,
    /// The installed packages it uses.
    pub packages: Vec<Package>,
    /// `dispatch:`: for a macro namespace, the packages `adapter.dispatch` searches, in order.
    pub dispatch: BTreeMap<String, Vec<String>>,
}

impl DbtSettings {
    /// The output named `target`.
    pub fn target(&self, target: &str) -> Option<&DbtTarget> {
        self.targets.get(target)
    }
}

/// True if `root` holds a `dbt_project.yml` (and the caller found no `karte.yml`).
pub fn is_dbt_project(root: &Path) -> bool {
    root.join(DBT_PROJECT_FILE).is_file()
}

/// Load a dbt project: dbt_project.yml, profiles.yml, then the files as karte reads its own.
pub fn load(root: &Path, opts: &LoadOptions) -> Result<(Project, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::default();
    let file = Path::new(DBT_PROJECT_FILE);
    let text = files::read_text(&root.join(DBT_PROJECT_FILE), file).map_err(one)?;
    let raw: YamlValue = if text.trim().is_empty() {
        YamlValue::Mapping(Default::default())
    } else {
        yaml::parse(file, &text).map_err(one)?
    };
    let Some(map) = raw.as_mapping() else {
        return Err(one(project_error(
            &text,
            "",
            crate::t!("e980-not-a-mapping"),
            crate::t!("e980-not-a-mapping-help"),
        )));
    };
    let get = |k: &str| map.get(YamlValue::from(k));
    let rendered = |k: &str| -> Result<Option<YamlValue>, Diagnostic> {
        get(k)
            .map(|v| render_env(v, file, &text, &no_context()))
            .transpose()
    };
    let name = match rendered("name").map_err(one)? {
        Some(YamlValue::String(n)) if !n.is_empty() => n,
        _ => {
            return Err(one(project_error(
                &text,
                "name",
                crate::t!("e980-no-name"),
                crate::t!("e980-no-name-help"),
            )))
        }
    };
    let profile = match rendered("profile").map_err(one)? {
        Some(YamlValue::String(p)) => p,
        _ => name.clone(),
    };
    let paths = |key: &str, default: &str| -> Result<Vec<String>, Diagnostic> {
        match rendered(key)? {
            None => Ok(vec![default.to_string()]),
            Some(YamlValue::Sequence(s)) => s
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(|s| s.trim_end_matches('/').to_string())
                        .ok_or_else(|| {
                            project_error(
                                &text,
                                key,
                                crate::t!("e980-paths", key = key),
                                crate::t!("e980-paths-help", key = key),
                            )
                        })
                })
                .collect(),
            Some(YamlValue::String(s)) => Ok(vec![s]),
            Some(_) => Err(project_error(
                &text,
                key,
                crate::t!("e980-paths", key = key),
                crate::t!("e980-paths-help", key = key),
            )),
        }
    };
    let model_paths = paths("model-paths", "models").map_err(one)?;
    let seed_paths = paths("seed-paths", "seeds").map_err(one)?;
    let test_paths = paths("test-paths", "tests").map_err(one)?;
    let macro_paths = paths("macro-paths", "macros").map_err(one)?;
    let snapshot_paths = paths("snapshot-paths", "snapshots").map_err(one)?;

    let install_path = match rendered("packages-install-path").map_err(one)? {
        Some(YamlValue::String(p)) => p.trim_end_matches('/').to_string(),
        _ => "dbt_packages".to_string(),
    };
    let (package_macros, packages) = packages::load(root, &install_path, &name, &mut diags);
    let dispatch = dispatch(get("dispatch"), file, &text, &mut diags);
    for key in ["on-run-start", "on-run-end"] {
        if get(key).is_some_and(|v| !v.is_null() && v.as_sequence().is_none_or(|s| !s.is_empty())) {
            diags.push(
                Diagnostic::warning(Code::DbtIgnored, crate::t!("w981-hooks", key = key))
                    .at(at_key(file, &text, key))
                    .help(crate::t!("w981-hooks-help")),
            );
        }
    }
    for key in ["exposures", "metrics", "semantic-models", "saved-queries"] {
        if get(key).is_some() {
            diags.push(
                Diagnostic::warning(Code::DbtIgnored, crate::t!("w981-key", key = key))
                    .at(at_key(file, &text, key)),
            );
        }
    }

    // Variables: global ones, and those scoped to this project (`vars: {jaffle: {x: 1}}`).
    let mut vars: BTreeMap<String, YamlValue> = BTreeMap::new();
    if let Some(YamlValue::Mapping(m)) = get("vars") {
        let mut scoped = BTreeMap::new();
        for (k, v) in m {
            let Some(k) = k.as_str() else { continue };
            // Not rendered when the file is read (as in dbt).
            match v.clone() {
                YamlValue::Mapping(inner) if k == name => {
                    for (ik, iv) in inner {
                        if let Some(ik) = ik.as_str() {
                            scoped.insert(ik.to_string(), iv);
                        }
                    }
                }
                v => {
                    vars.insert(k.to_string(), v);
                }
            }
        }
        vars.extend(scoped);
    }

    let (targets, default_target, profiles_file) = profiles::load(root, opts, &profile, &mut diags)
        .map_err(|mut d| {
            d.extend(diags.0.clone());
            d
        })?;

    // The config trees see `target` (`+enabled: "{{ target.name != 'prod' }}"`), as in dbt.
    let chosen = opts
        .target
        .clone()
        .unwrap_or_else(|| default_target.clone());
    let tree_ctx = match targets.get(&chosen) {
        Some(t) => minijinja::Value::from_serialize(serde_json::json!({
            "target": {
                "name": chosen,
                "schema": t.schema,
                "type": t.kind,
                "threads": t.threads,
                "database": t.database,
                "profile_name": profile,
            }
        })),
        None => no_context(),
    };
    let tree = |key: &str| -> Result<Option<YamlValue>, Diagnostic> {
        let Some(v) = get(key) else { return Ok(None) };
        let v = render_env(v, file, &text, &tree_ctx)?;
        Ok(Some(project_tree(&v, &name)))
    };
    let mut base = serde_yaml::Mapping::new();
    base.insert("name".into(), YamlValue::from(name.clone()));
    let mut config: ProjectConfig =
        yaml::from_value(file, &text, YamlValue::Mapping(base)).map_err(one)?;
    config.vars = vars;
    config.models = tree("models").map_err(one)?;
    config.seeds = tree("seeds").map_err(one)?;
    config.snapshots = tree("snapshots").map_err(one)?;
    config.default_target = default_target;
    config.targets = targets
        .iter()
        .map(|(n, t)| (n.clone(), t.config.clone()))
        .collect();
    config.dbt = Some(Box::new(DbtSettings {
        profile,
        profiles_file,
        targets,
        model_paths: model_paths.clone(),
        macro_paths: macro_paths.clone(),
        name: name.clone(),
        packages,
        dispatch,
    }));

    let layout = layout(
        &model_paths,
        &seed_paths,
        &test_paths,
        &macro_paths,
        &snapshot_paths,
    );
    let warnings = std::sync::Mutex::new(Vec::new());
    let sanitize =
        |path: &Path, text: &str, v: YamlValue| Ok(properties::sanitize(path, text, v, &warnings));
    let (mut project, props) =
        super::read_project(root, config, &layout, &mut diags, Some(&sanitize));
    project.macros.extend(package_macros);
    diags.extend(warnings.into_inner().unwrap_or_default());
    check_files(&mut project, &mut diags);
    let result = super::finish(project, props, &text, diags, seeds::infer_types);
    // A warning for every file a karte project would not read is noise here: dbt projects keep
    // docs and Python models beside their SQL (a Python model is refused by `check_files`).
    result.map(|(p, mut d)| {
        d.0.retain(|d| d.code != Code::IgnoredFile);
        (p, d)
    })
}

/// Where a dbt project keeps each kind of file.
fn layout(
    models: &[String],
    seeds: &[String],
    tests: &[String],
    macros: &[String],
    snapshots: &[String],
) -> Layout {
    use FileKind::{Macro, Node as N, Properties as P};
    let mut out: Layout = Vec::new();
    for m in models {
        out.push((
            m.clone(),
            vec![
                ("sql", N(NodeKind::Model)),
                ("yml", P),
                ("yaml", P),
                ("py", N(NodeKind::Model)),
            ],
        ));
    }
    for s in seeds {
        out.push((
            s.clone(),
            vec![("csv", N(NodeKind::Seed)), ("yml", P), ("yaml", P)],
        ));
    }
    for s in snapshots {
        out.push((
            s.clone(),
            vec![("sql", N(NodeKind::Snapshot)), ("yml", P), ("yaml", P)],
        ));
    }
    for m in macros {
        out.push((m.clone(), vec![("sql", Macro), ("yml", P), ("yaml", P)]));
    }
    for t in tests {
        out.push((
            t.clone(),
            vec![("sql", N(NodeKind::Test)), ("yml", P), ("yaml", P)],
        ));
    }
    out
}

/// Files karte cannot build as dbt would: Python models, `{% snapshot %}` blocks,
/// `{% materialization %}` blocks. Each is an error (E985) at the block; the node is dropped so
/// that nothing else reports on it. A file of generic tests (`{% test %}` blocks, e.g. in
/// `tests/generic/`) is a macro file, as dbt reads it; every macro file of the project gets
/// the names dbt gives its blocks (`test_<name>` for a test).
fn check_files(project: &mut Project, diags: &mut Diagnostics) {
    let mut keep = Vec::with_capacity(project.nodes.len());
    for n in std::mem::take(&mut project.nodes) {
        let is_py = n.path.extension().is_some_and(|e| e == "py");
        let block = jinja_block(&n.text, "materialization").map(|span| ("materialization", span));
        let snapshots = if block.is_none() && !is_py {
            snapshot_blocks(&n.text)
        } else {
            Vec::new()
        };
        if is_py {
            diags.push(
                Diagnostic::error(Code::DbtUnsupported, crate::t!("e985-python-model"))
                    .at(Location::file_only(&n.path))
                    .help(crate::t!("e985-python-model-help")),
            );
        } else if let Some((block, span)) = block {
            diags.push(
                Diagnostic::error(Code::DbtUnsupported, crate::t!("e985-block", block = block))
                    .at(Location::from_span(&n.path, &n.text, span))
                    .label(crate::t!("e985-label"))
                    .help(crate::t!("e985-block-help", block = block)),
            );
        } else if !snapshots.is_empty() {
            // `{% snapshot name %}…{% endsnapshot %}`: a snapshot node named after the block,
            // its text the block's body (the rest blanked, so positions stay the file's).
            for (name, body) in snapshots {
                let mut node = n.clone();
                node.kind = NodeKind::Snapshot;
                node.name = name;
                node.text = n
                    .text
                    .char_indices()
                    .map(|(i, c)| {
                        if body.contains(&i) || c == '\n' {
                            c.to_string()
                        } else {
                            " ".repeat(c.len_utf8())
                        }
                    })
                    .collect();
                keep.push(node);
            }
        } else if jinja_block(&n.text, "test").is_some() {
            project.macros.push(super::MacroFile {
                path: n.path.clone(),
                text: n.text.clone(),
                names: Vec::new(),
                package: None,
            });
        } else {
            keep.push(n);
        }
    }
    project.nodes = keep;
    for m in project.macros.iter_mut().filter(|m| m.package.is_none()) {
        m.names = packages::names(&m.text);
        if let Some(span) = jinja_block(&m.text, "materialization") {
            diags.push(
                Diagnostic::error(
                    Code::DbtUnsupported,
                    crate::t!("e985-block", block = "materialization"),
                )
                .at(Location::from_span(&m.path, &m.text, span))
                .label(crate::t!("e985-label"))
                .help(crate::t!("e985-block-help", block = "materialization")),
            );
        }
    }
}

/// Each `{% snapshot name %}…{% endsnapshot %}` of `text`: the name and the body's range.
fn snapshot_blocks(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(kw) = jinja_block(&text[from..], "snapshot").map(|r| from + r.start) {
        let after = &text[kw + "snapshot".len()..];
        let name: String = after
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let Some(open_end) = text[kw..].find("%}").map(|i| kw + i + 2) else {
            break;
        };
        let Some(end_kw) =
            jinja_block(&text[open_end..], "endsnapshot").map(|r| open_end + r.start)
        else {
            break;
        };
        let end_tag = text[..end_kw].rfind("{%").unwrap_or(end_kw);
        if !name.is_empty() {
            out.push((name, open_end..end_tag));
        }
        from = text[end_kw..]
            .find("%}")
            .map_or(text.len(), |i| end_kw + i + 2);
    }
    out
}

/// The span of the first `{% <block> …` tag in `text`.
fn jinja_block(text: &str, block: &str) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(i) = text[from..].find("{%") {
        let start = from + i;
        let rest = text[start + 2..].trim_start_matches(['-', '+']);
        let rest_trim = rest.trim_start();
        if let Some(after) = rest_trim.strip_prefix(block) {
            if after.starts_with(char::is_whitespace) {
                let at = text.len() - rest_trim.len();
                return Some(at..at + block.len());
            }
        }
        from = start + 2;
    }
    None
}

/// `dispatch:` of dbt_project.yml: `[{macro_namespace: dbt_utils, search_order: [a, b]}]`.
fn dispatch(
    v: Option<&YamlValue>,
    file: &Path,
    text: &str,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return out;
    };
    let entries = v.as_sequence().cloned().unwrap_or_default();
    let bad = || {
        Diagnostic::error(Code::DbtProject, crate::t!("e980-dispatch"))
            .at(at_key(file, text, "dispatch"))
            .help(crate::t!("e980-dispatch-help"))
    };
    if v.as_sequence().is_none() {
        diags.push(bad());
        return out;
    }
    for e in entries {
        let ns = e.get("macro_namespace").and_then(|v| v.as_str());
        let order: Option<Vec<String>> = e.get("search_order").and_then(|v| {
            v.as_sequence()?
                .iter()
                .map(|p| p.as_str().map(str::to_string))
                .collect()
        });
        match (ns, order) {
            (Some(ns), Some(order)) => {
                out.insert(ns.to_string(), order);
            }
            _ => diags.push(bad()),
        }
    }
    out
}

/// `models:` (or `seeds:`, `snapshots:`) of dbt_project.yml as karte's folder tree: the keys
/// for every project (`+materialized` at the top), then the entries under this project's name
/// (other packages' entries are for packages, which karte does not read yet).
fn project_tree(v: &YamlValue, project: &str) -> YamlValue {
    let mut out = serde_yaml::Mapping::new();
    if let YamlValue::Mapping(m) = v {
        for (k, v) in m {
            let Some(ks) = k.as_str() else { continue };
            if ks == project {
                if let YamlValue::Mapping(inner) = v {
                    for (ik, iv) in inner {
                        out.insert(ik.clone(), iv.clone());
                    }
                }
            } else if ks.starts_with('+') || !v.is_mapping() {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    YamlValue::Mapping(out)
}

/// Keys whose values are SQL run later, never rendered when the file is read (as in dbt).
const HOOK_KEYS: &[&str] = &[
    "pre-hook",
    "post-hook",
    "+pre-hook",
    "+post-hook",
    "pre_hook",
    "post_hook",
    "+pre_hook",
    "+post_hook",
    "on-run-start",
    "on-run-end",
];

/// Render the `{{ env_var('X', 'default') }}` in the strings of `v` (dbt renders
/// dbt_project.yml and profiles.yml with `env_var`). An error is located at the string.
pub(super) fn render_env(
    v: &YamlValue,
    file: &Path,
    text: &str,
    ctx: &minijinja::Value,
) -> Result<YamlValue, Diagnostic> {
    Ok(match v {
        YamlValue::String(s) if s.contains("{{") || s.contains("{%") => {
            let out = render_string(s, ctx).map_err(|e| {
                let span = text.find(s.as_str()).map_or(0..0, |i| i..i + s.len());
                Diagnostic::error(
                    Code::DbtProject,
                    crate::t!("e980-render", error = e, file = file),
                )
                .at(Location::from_span(file, text, span))
                .help(crate::t!("e980-render-help"))
            })?;
            // dbt reads a rendered number or boolean as one (`threads: "{{ env_var('T') }}"`).
            match out.trim().parse::<i64>() {
                Ok(n) => YamlValue::from(n),
                Err(_) => match out.trim() {
                    "true" | "True" => YamlValue::Bool(true),
                    "false" | "False" => YamlValue::Bool(false),
                    _ => YamlValue::String(out),
                },
            }
        }
        YamlValue::Sequence(items) => YamlValue::Sequence(
            items
                .iter()
                .map(|i| render_env(i, file, text, ctx))
                .collect::<Result<_, _>>()?,
        ),
        YamlValue::Mapping(m) => {
            let mut out = serde_yaml::Mapping::new();
            for (k, val) in m {
                let key = k.as_str().unwrap_or_default().to_string();
                let val = if HOOK_KEYS.contains(&key.as_str()) {
                    val.clone()
                } else {
                    render_env(val, file, text, ctx)?
                };
                out.insert(k.clone(), val);
            }
            YamlValue::Mapping(out)
        }
        other => other.clone(),
    })
}

/// The context of values rendered with `env_var` only.
pub(super) fn no_context() -> minijinja::Value {
    minijinja::Value::from_serialize(serde_json::json!({}))
}

/// One string rendered with `env_var` and the names of `ctx`.
fn render_string(s: &str, ctx: &minijinja::Value) -> Result<String, String> {
    let mut env = crate::render::environment(false);
    env.add_function(
        "env_var",
        |name: String,
         default: Option<minijinja::Value>|
         -> Result<minijinja::Value, minijinja::Error> {
            match (std::env::var(&name), default) {
                (Ok(v), _) => Ok(minijinja::Value::from(v)),
                (Err(_), Some(d)) => Ok(d),
                (Err(_), None) => Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    crate::t!("e980-env-var-missing", name = name),
                )),
            }
        },
    );
    env.render_str(s, ctx).map_err(|e| {
        e.detail()
            .map(str::to_string)
            .unwrap_or_else(|| e.to_string())
    })
}

/// An error of dbt_project.yml at `key` (or the whole file).
fn project_error(text: &str, key: &str, message: String, help: String) -> Diagnostic {
    Diagnostic::error(Code::DbtProject, message)
        .at(at_key(Path::new(DBT_PROJECT_FILE), text, key))
        .help(help)
}

/// Where `key:` is written at the start of a line of a YAML text (the file if nowhere).
pub(super) fn at_key(file: &Path, text: &str, key: &str) -> Location {
    if key.is_empty() {
        return Location::file_only(file);
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(&format!("{key}:")) {
            let at = offset + (line.len() - trimmed.len());
            return Location::from_span(file, text, at..at + key.len());
        }
        offset += line.len();
    }
    Location::file_only(file)
}

fn one(d: Diagnostic) -> Diagnostics {
    Diagnostics(vec![d])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks() {
        assert_eq!(jinja_block("x {%- test foo(model) %}", "test"), Some(6..10));
        assert_eq!(jinja_block("{% set test = 1 %}", "test"), None);
        assert_eq!(jinja_block("{% testing %}", "test"), None);
    }

    #[test]
    fn project_tree_keeps_this_project_and_top_keys() {
        let v: YamlValue = serde_yaml::from_str(
            "+materialized: view\njaffle:\n  staging:\n    +schema: stg\ndbt_utils:\n  +enabled: false\n",
        )
        .unwrap();
        let t = project_tree(&v, "jaffle");
        let s = serde_yaml::to_string(&t).unwrap();
        assert_eq!(s, "+materialized: view\nstaging:\n  +schema: stg\n");
    }

    #[test]
    fn renders_env_var_with_default() {
        let v: YamlValue = serde_yaml::from_str(
            "a: \"{{ env_var('KARTE_TEST_SURELY_UNSET', 'x') }}\"\nb: \"{{ env_var('KARTE_TEST_SURELY_UNSET', '4') }}\"\npost-hook: \"{{ nothing }}\"",
        )
        .unwrap();
        let r = render_env(&v, Path::new("f.yml"), "", &no_context()).unwrap();
        assert_eq!(
            serde_yaml::to_string(&r).unwrap(),
            "a: x\nb: 4\npost-hook: '{{ nothing }}'\n"
        );
    }
}
