//! `karte new model layer/name`: a model file and its property entry. The entry lists the
//! model's columns as karte infers them from the SQL (`crate::lineage`), each with the
//! description of the upstream column it copies, where there is one. A new model starts from
//! a template (the columns come once its query is written: running the command again fills
//! them) or from an existing SQL file (`--from-sql`); a model file written by hand gets its
//! entry the same way.

use std::path::{Path, PathBuf};

use super::{write_new, Lang};
use crate::diag::{display_path, Code, Diagnostic, Diagnostics};
use crate::project::{NodeProperties, PropertiesFile};

const TEMPLATE_EN: &str = include_str!("../../templates/new/en/model.sql");
const TEMPLATE_JA: &str = include_str!("../../templates/new/ja/model.sql");

/// Where a new model goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPath {
    /// The layer (first folder under `models/`).
    pub layer: String,
    /// Folders under the layer.
    pub folders: Vec<String>,
    /// The model's name (file stem).
    pub name: String,
}

impl ModelPath {
    /// `gold/my_mart`, `gold/marts/my_mart`, `models/gold/my_mart.sql`.
    pub fn parse(spec: &str, lang: Lang) -> Result<ModelPath, Diagnostic> {
        let trimmed = spec.trim().trim_matches('/').replace('\\', "/");
        let trimmed = trimmed.strip_prefix("models/").unwrap_or(&trimmed);
        let trimmed = trimmed.strip_suffix(".sql").unwrap_or(trimmed);
        let parts: Vec<&str> = trimmed.split('/').collect();
        let bad = |why: String| {
            Diagnostic::error(Code::NewModelFailed, why).help(messages::path_help(lang))
        };
        if parts.len() < 2 {
            return Err(bad(messages::needs_layer(lang, spec)));
        }
        for p in &parts {
            if !is_name(p) {
                return Err(bad(messages::bad_name(lang, p)));
            }
        }
        Ok(ModelPath {
            layer: parts[0].to_string(),
            folders: parts[1..parts.len() - 1]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            name: parts[parts.len() - 1].to_string(),
        })
    }

    /// `layer/folders…/name` as given.
    pub fn spec(&self) -> String {
        let mut p = vec![self.layer.clone()];
        p.extend(self.folders.iter().cloned());
        p.push(self.name.clone());
        p.join("/")
    }

    fn dir(&self) -> String {
        let mut p = vec!["models".to_string(), self.layer.clone()];
        p.extend(self.folders.iter().cloned());
        p.join("/")
    }

    /// `models/…/name.sql`.
    pub fn sql(&self) -> String {
        format!("{}/{}.sql", self.dir(), self.name)
    }

    /// `models/…/name.yml`, the model's own property file.
    pub fn yml(&self) -> String {
        format!("{}/{}.yml", self.dir(), self.name)
    }
}

/// A name Athena takes as written: lower-case letters, digits and `_`, starting with a letter.
fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// What `new model` did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The SQL file written (None: it was there).
    pub sql_written: Option<String>,
    /// The property file written (None: the project does not compile yet).
    pub yml_written: Option<String>,
    /// Columns listed in it (None: not inferred yet).
    pub columns: Option<usize>,
    /// Warnings and, when the property file was not written, the compile's errors.
    pub diagnostics: Diagnostics,
}

/// Create (or complete) the model at `path` in the project `root`.
pub fn new_model(
    root: &Path,
    path: &ModelPath,
    from_sql: Option<&Path>,
    lang: Lang,
) -> Result<Outcome, Diagnostics> {
    let one = |d: Diagnostic| Diagnostics(vec![d]);
    let (project, _) = crate::project::load(root)?;
    if !project.config.layers.contains_key(&path.layer) {
        let mut layers: Vec<&str> = project.config.layers.keys().map(String::as_str).collect();
        layers.retain(|l| !matches!(*l, "seeds" | "snapshots"));
        return Err(one(Diagnostic::error(
            Code::NewModelFailed,
            messages::unknown_layer(lang, &path.layer, &layers.join(", ")),
        )
        .maybe_help(
            crate::diag::suggest(&path.layer, layers.iter().copied())
                .map(|s| messages::did_you_mean(lang, &path.with_layer(&s).spec())),
        )));
    }
    let sql_rel = path.sql();
    let sql_file = root.join(&sql_rel);
    let mut out = Outcome::default();
    // Another node with this name (names are unique across the project).
    if let Some(other) = project
        .nodes
        .iter()
        .find(|n| n.name == path.name && n.path != Path::new(&sql_rel))
    {
        return Err(one(Diagnostic::error(
            Code::NewModelFailed,
            messages::name_taken(lang, &path.name, &display_path(&other.path)),
        )));
    }
    let template = lang
        .pick(TEMPLATE_EN, TEMPLATE_JA)
        .replace("{name}", &path.name)
        .replace("{path}", &path.spec())
        .replace("{yml}", &path.yml());
    if sql_file.exists() {
        if from_sql.is_some() {
            return Err(one(Diagnostic::error(
                Code::NewModelFailed,
                messages::sql_exists(lang, &sql_rel),
            )
            .help(messages::sql_exists_help(lang))));
        }
    } else {
        let text = match from_sql {
            Some(f) => std::fs::read_to_string(f).map_err(|e| {
                one(Diagnostic::error(
                    Code::Io,
                    format!("cannot read `{}`: {e}", display_path(f)),
                ))
            })?,
            None => template.clone(),
        };
        write_new(root, &sql_rel, &text).map_err(one)?;
        out.sql_written = Some(sql_rel.clone());
    }
    // The entry: none yet anywhere, or this model's own file with nothing but a description.
    let yml_rel = path.yml();
    let mut description = None;
    match find_entry(root, &path.name) {
        None => {}
        Some((file, entry)) => {
            let own = file == Path::new(&yml_rel);
            let only_description = entry.columns.is_empty()
                && entry.config.is_empty()
                && entry.tags.is_empty()
                && entry.tests.is_empty()
                && entry.meta.is_empty();
            if !(own && only_description) {
                return Err(one(Diagnostic::error(
                    Code::NewModelFailed,
                    messages::entry_exists(lang, &path.name, &display_path(&file)),
                )
                .help(messages::entry_exists_help(lang))));
            }
            description = entry.description;
        }
    }
    let untouched = std::fs::read_to_string(&sql_file).is_ok_and(|t| t == template);
    let columns = if untouched {
        // The columns come once the query is written.
        None
    } else {
        match infer_columns(root, &path.name) {
            Ok((cols, warnings)) => {
                out.diagnostics.extend(warnings.0);
                if cols.is_none() {
                    out.diagnostics.push(Diagnostic::warning(
                        Code::ColumnsNotInferred,
                        messages::columns_unknown(lang, &path.name),
                    ));
                }
                cols
            }
            Err(errors) => {
                // Keep the SQL; the entry is written once it compiles.
                out.diagnostics.extend(errors.0);
                out.diagnostics.push(
                    Diagnostic::warning(
                        Code::ColumnsNotInferred,
                        messages::does_not_compile(lang, &path.name),
                    )
                    .help(messages::run_again(lang, &path.spec())),
                );
                return Ok(out);
            }
        }
    };
    let text = entry_yaml(lang, &path.name, description.as_deref(), columns.as_deref());
    let yml_file = root.join(&yml_rel);
    if yml_file.exists() {
        std::fs::write(&yml_file, text).map_err(|e| {
            one(Diagnostic::error(
                Code::Io,
                format!("cannot write `{yml_rel}`: {e}"),
            ))
        })?;
    } else {
        write_new(root, &yml_rel, &text).map_err(one)?;
    }
    out.yml_written = Some(yml_rel);
    out.columns = columns.map(|c| c.len());
    Ok(out)
}

impl ModelPath {
    fn with_layer(&self, layer: &str) -> ModelPath {
        ModelPath {
            layer: layer.to_string(),
            ..self.clone()
        }
    }
}

/// The property file (relative path) and entry that describe model `name`, if any.
fn find_entry(root: &Path, name: &str) -> Option<(PathBuf, NodeProperties)> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root.join("models"))
        .into_iter()
        .flatten()
        .filter(|e| {
            e.file_type().is_file()
                && matches!(
                    e.path().extension().and_then(|x| x.to_str()),
                    Some("yml" | "yaml")
                )
        })
        .map(|e| e.path().to_path_buf())
        .collect();
    files.sort();
    files.into_iter().find_map(|f| {
        let rel = f.strip_prefix(root).unwrap_or(&f).to_path_buf();
        let text = std::fs::read_to_string(&f).ok()?;
        let props: PropertiesFile = crate::project::yaml::parse(&rel, &text).ok()?;
        props
            .models
            .into_iter()
            .find(|m| m.name == name)
            .map(|m| (rel, m))
    })
}

/// One column of the entry: its name and the description of the column it copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferredColumn {
    /// Name.
    pub name: String,
    /// The upstream column's description, when the column is a copy of one.
    pub description: Option<String>,
}

/// The columns of model `name` as the lineage infers them (None: not known, e.g. `*` over a
/// source whose columns are not declared). Errors: the project does not compile.
fn infer_columns(
    root: &Path,
    name: &str,
) -> Result<(Option<Vec<InferredColumn>>, Diagnostics), Diagnostics> {
    let c = crate::compile(&crate::CompileOptions {
        project_dir: root.to_path_buf(),
        ..Default::default()
    })?;
    let i = c
        .project
        .nodes
        .iter()
        .position(|n| n.name == name && n.kind == crate::project::NodeKind::Model)
        .ok_or_else(|| {
            Diagnostics(vec![Diagnostic::error(
                Code::Internal,
                format!("model `{name}` was not loaded"),
            )])
        })?;
    let id = c.project.node_id(i);
    let Some(columns) = c.lineage.columns(&id) else {
        return Ok((None, c.diagnostics));
    };
    let described = |relation: &str, column: &str| -> Option<String> {
        let props = if let Some(j) =
            (0..c.project.nodes.len()).find(|&j| c.project.node_id(j) == relation)
        {
            &c.project.nodes[j].columns
        } else if let Some(s) =
            (0..c.project.sources.len()).find(|&s| c.project.source_id(s) == relation)
        {
            &c.project.sources[s].columns
        } else {
            return None;
        };
        props
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(column))
            .and_then(|p| p.description.clone())
    };
    let out = columns
        .iter()
        .map(|col| InferredColumn {
            name: col.name.to_string(),
            description: match col.upstream.as_slice() {
                [e] if e.kind == crate::lineage::EdgeKind::Copy => {
                    described(&e.relation, &e.column)
                }
                _ => None,
            },
        })
        .collect();
    Ok((Some(out), c.diagnostics))
}

/// The property file of one model.
fn entry_yaml(
    lang: Lang,
    name: &str,
    description: Option<&str>,
    columns: Option<&[InferredColumn]>,
) -> String {
    let q = |s: &str| serde_json::to_string(s).expect("a string");
    let mut y = String::new();
    for line in messages::yaml_header(lang, columns.is_some()).lines() {
        y.push_str(&format!("# {line}\n"));
    }
    y.push_str("models:\n");
    y.push_str(&format!("  - name: {name}\n"));
    y.push_str(&format!(
        "    description: {}\n",
        q(description.unwrap_or(""))
    ));
    if let Some(cols) = columns {
        if !cols.is_empty() {
            y.push_str("    columns:\n");
        }
        for c in cols {
            y.push_str(&format!("      - name: {}\n", c.name));
            y.push_str(&format!(
                "        description: {}\n",
                q(c.description.as_deref().unwrap_or(""))
            ));
        }
    }
    y
}

/// What `new model` says (catalogue: `src/i18n/*/scaffold.ftl`).
pub mod messages {
    use super::Lang;

    /// The argument has no layer.
    pub fn needs_layer(lang: Lang, spec: &str) -> String {
        crate::t!(lang => "new-needs-layer", spec = spec)
    }

    /// A part that is not a name.
    pub fn bad_name(lang: Lang, part: &str) -> String {
        crate::t!(lang => "new-bad-name", part = part)
    }

    /// Help on the argument.
    pub fn path_help(lang: Lang) -> String {
        crate::t!(lang => "new-path-help")
    }

    /// The layer is not in karte.yml.
    pub fn unknown_layer(lang: Lang, layer: &str, layers: &str) -> String {
        crate::t!(lang => "new-unknown-layer", layer = layer, layers = layers)
    }

    /// The nearest layer.
    pub fn did_you_mean(lang: Lang, spec: &str) -> String {
        crate::t!(lang => "new-did-you-mean", spec = spec)
    }

    /// Another node has the name.
    pub fn name_taken(lang: Lang, name: &str, path: &str) -> String {
        crate::t!(lang => "new-name-taken", name = name, path = path)
    }

    /// --from-sql over an existing model.
    pub fn sql_exists(lang: Lang, path: &str) -> String {
        crate::t!(lang => "new-sql-exists", path = path)
    }

    /// Help for [`sql_exists`].
    pub fn sql_exists_help(lang: Lang) -> String {
        crate::t!(lang => "new-sql-exists-help")
    }

    /// The model already has an entry.
    pub fn entry_exists(lang: Lang, name: &str, file: &str) -> String {
        crate::t!(lang => "new-entry-exists", name = name, file = file)
    }

    /// Help for [`entry_exists`].
    pub fn entry_exists_help(lang: Lang) -> String {
        crate::t!(lang => "new-entry-exists-help")
    }

    /// The project does not compile, so no columns.
    pub fn does_not_compile(lang: Lang, name: &str) -> String {
        crate::t!(lang => "new-does-not-compile", name = name)
    }

    /// Run again.
    pub fn run_again(lang: Lang, spec: &str) -> String {
        crate::t!(lang => "new-run-again", spec = spec)
    }

    /// The columns could not be inferred.
    pub fn columns_unknown(lang: Lang, name: &str) -> String {
        crate::t!(lang => "new-columns-unknown", name = name)
    }

    /// The comment at the top of the property file.
    pub fn yaml_header(lang: Lang, with_columns: bool) -> String {
        if with_columns {
            crate::t!(lang => "new-yaml-header-columns")
        } else {
            crate::t!(lang => "new-yaml-header-empty")
        }
    }

    /// What was done.
    pub fn done(
        lang: Lang,
        sql: Option<&str>,
        yml: Option<&str>,
        columns: Option<usize>,
        name: &str,
        spec: &str,
    ) -> String {
        let mut lines = Vec::new();
        if let Some(s) = sql {
            lines.push(crate::t!(lang => "new-created-sql", path = s));
        }
        if let Some(y) = yml {
            lines.push(match columns {
                Some(n) => crate::t!(lang => "new-wrote-yml-columns", path = y, count = n),
                None => crate::t!(lang => "new-wrote-yml", path = y),
            });
        }
        lines.push(match columns {
            None => crate::t!(lang => "new-next-empty", name = name, spec = spec),
            Some(_) => crate::t!(lang => "new-next-columns", name = name),
        });
        lines.join("\n")
    }
}
