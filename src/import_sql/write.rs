//! Writing the converted project: model files, their properties, sources, karte.yml for a new
//! project, and `import-report.md`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::convert::{place_text, ConfigValue, Conversion};
use super::messages::{self, Lang};
use super::ImportOptions;
use crate::diag::{display_path, Code, Diagnostic, Diagnostics, Location};
use crate::t;

/// The report's file name, in the project directory.
pub const REPORT: &str = "import-report.md";

/// What the output directory already holds.
#[derive(Debug, Default)]
pub struct Existing {
    /// It is a karte project already.
    pub is_project: bool,
    /// Its model (and seed, snapshot) names.
    pub models: BTreeSet<String>,
    /// Its source names.
    pub sources: BTreeSet<String>,
    /// Its layers (None: a new project, which has bronze, silver, gold and `--layer`).
    pub layers: Option<BTreeSet<String>>,
    /// The lake root of its first Athena target.
    pub lake_root: Option<String>,
    /// Names its plain SQL resolves already (lower case): `layer.model`, `schema.model`,
    /// `model`, `source.table`, `schema.table`, and its external relations.
    pub relations: BTreeSet<String>,
}

impl Existing {
    /// Whether the project has (or a new one will have) this layer.
    pub fn has_layer(&self, layer: &str) -> bool {
        match &self.layers {
            Some(l) => l.contains(layer),
            None => true,
        }
    }

    /// Read the output directory: nothing, an empty directory, or a karte project (whose layers
    /// must include `layer`).
    pub fn read(out: &Path, layer: &str, lang: Lang) -> Result<Existing, Diagnostics> {
        if out.join("karte.yml").is_file() {
            let (project, _) = crate::project::load(out)?;
            if !project.config.layers.contains_key(layer) {
                let known: Vec<String> = project.config.layers.keys().cloned().collect();
                return Err(Diagnostics(vec![Diagnostic::error(
                    Code::ImportSqlArguments,
                    messages::unknown_layer(lang, layer, &known.join(", ")),
                )
                .at(Location::file_only(&out.join("karte.yml")))
                .help(messages::unknown_layer_help(lang, layer))]));
            }
            let mut relations = BTreeSet::new();
            for n in &project.nodes {
                relations.insert(n.name.to_lowercase());
                relations.insert(format!("{}.{}", n.layer, n.name).to_lowercase());
                relations.insert(format!("{}.{}", n.schema, n.name).to_lowercase());
            }
            for s in &project.sources {
                relations.insert(format!("{}.{}", s.source, s.name).to_lowercase());
                relations.insert(format!("{}.{}", s.schema, s.name).to_lowercase());
            }
            for r in &project.config.external_relations {
                relations.insert(r.to_lowercase());
            }
            return Ok(Existing {
                relations,
                layers: Some(project.config.layers.keys().cloned().collect()),
                is_project: true,
                models: project.nodes.iter().map(|n| n.name.clone()).collect(),
                sources: project.sources.iter().map(|s| s.source.clone()).collect(),
                lake_root: project
                    .config
                    .targets
                    .values()
                    .find_map(|t| t.lake_root.clone()),
            });
        }
        let non_empty = std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some());
        if non_empty {
            return Err(Diagnostics(vec![Diagnostic::error(
                Code::ImportSqlArguments,
                messages::out_not_project(lang, &display_path(out)),
            )
            .help(messages::out_not_project_help(lang))]));
        }
        Ok(Existing::default())
    }
}

/// What was written.
#[derive(Debug, Default)]
pub struct Written {
    /// Files written, relative to the project directory.
    pub files: Vec<String>,
    /// Warnings found while writing (locations outside the lake root).
    pub diagnostics: Diagnostics,
    /// The report's text.
    pub report: String,
}

/// Write the project. Refuses (E971) to overwrite a model file or to declare a source the
/// project has; nothing is written then.
pub fn write(
    c: &Conversion,
    existing: &Existing,
    opts: &ImportOptions,
) -> Result<Written, Diagnostics> {
    let lang = opts.lang;
    let out = &opts.out;
    let mut written = Written::default();
    let mut files: Vec<(PathBuf, String)> = Vec::new();

    // The lake root, and the locations inside it.
    let lake_root = match (&existing.is_project, &existing.lake_root) {
        (true, root) => root.clone(),
        (false, _) => common_root(c.locations.iter().map(|(_, l, _)| l.as_str())),
    };
    let mut dropped: BTreeSet<String> = BTreeSet::new();
    for (model, location, place) in &c.locations {
        let inside = lake_root.as_deref().is_some_and(|r| {
            let l = with_slash(location);
            l.starts_with(r) && l != r
        });
        if !inside {
            let root = lake_root.clone().unwrap_or_else(|| "-".into());
            let s = &c.scripts[place.script];
            written.diagnostics.push(
                Diagnostic::warning(
                    Code::ImportSqlPropertyChanged,
                    messages::property_changed(
                        lang,
                        "external_location",
                        &messages::location_outside(lang, location, &root),
                    ),
                )
                .at(Location::from_span(
                    &s.path,
                    &s.text,
                    place.at..place.at + 1,
                )),
            );
            dropped.insert(model.clone());
        }
    }

    // Refuse clashes before writing anything.
    let mut clashes = Diagnostics::default();
    for m in &c.models {
        let rel = Path::new("models")
            .join(&m.layer)
            .join(format!("{}.sql", m.name));
        if out.join(&rel).exists() || existing.models.contains(&m.name) {
            clashes.push(
                Diagnostic::error(
                    Code::ImportSqlNameClash,
                    messages::name_clash(lang, &m.name, &display_path(&rel)),
                )
                .help(messages::name_clash_help(lang)),
            );
        }
    }
    for s in c.sources.keys() {
        if existing.sources.contains(s) {
            clashes.push(
                Diagnostic::error(
                    Code::ImportSqlNameClash,
                    messages::name_clash(lang, s, &format!("source `{s}`")),
                )
                .help(messages::name_clash_help(lang)),
            );
        }
    }
    if clashes.has_errors() {
        return Err(clashes);
    }

    // Models and their properties, one file per layer.
    let layers: BTreeSet<&str> = c.models.iter().map(|m| m.layer.as_str()).collect();
    for layer in layers {
        let dir = Path::new("models").join(layer);
        let mut props = String::new();
        let _ = writeln!(
            props,
            "# {}\nmodels:",
            t!(lang => "import-text-made-by-karte-import-sql")
        );
        for m in c.models.iter().filter(|m| m.layer == layer) {
            // external_location is Athena's: a local target's lake root holds no S3 location
            // (E403), so it is set for Athena targets only, on the model's first line.
            let location = m.config.iter().find_map(|(k, v)| match v {
                ConfigValue::Text(l) if k == "external_location" && !dropped.contains(&m.name) => {
                    Some(l.clone())
                }
                _ => None,
            });
            let sql = match location {
                Some(l) => format!(
                    "{{% if target.type == 'athena' %}}{{{{ config(external_location='{}') }}}}{{% endif %}}\n{}",
                    l.replace('\\', "\\\\").replace('\'', "\\'"),
                    m.sql
                ),
                None => m.sql.clone(),
            };
            files.push((dir.join(format!("{}.sql", m.name)), sql));
            let _ = writeln!(props, "  - name: {}", m.name);
            if let Some(d) = &m.description {
                let _ = writeln!(props, "    description: {}", quote(d));
            }
            let _ = writeln!(props, "    config:");
            for (k, v) in m.config.iter().filter(|(k, _)| k != "external_location") {
                let _ = writeln!(props, "      {k}: {}", yaml_value(v));
            }
            if !m.columns.is_empty() {
                let _ = writeln!(props, "    columns:");
                for col in &m.columns {
                    write_column(&mut props, col, "      ");
                }
            }
        }
        files.push((free_name(out, &dir, "_imported", "yml"), props));
    }

    // Ingest rules.
    if !c.ingest_rules.is_empty() {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "# {}\nlayer: bronze\ntables:",
            t!(lang => "import-text-made-by-karte-import-sql-2")
        );
        for r in &c.ingest_rules {
            let _ = writeln!(text, "  - name: {}", r.name);
            let _ = writeln!(text, "    description: {}", quote(&r.description));
            let _ = writeln!(
                text,
                "    files: {}",
                serde_json::to_string(&r.files).unwrap_or_default()
            );
            let _ = writeln!(text, "    encoding: {}", r.encoding);
            let _ = writeln!(
                text,
                "    delimiter: {}",
                serde_json::to_string(&r.delimiter).unwrap_or_default()
            );
            if !r.quoted {
                let _ = writeln!(text, "    quote: none");
            }
            let _ = writeln!(
                text,
                "    header: {}",
                if r.header { "present" } else { "absent" }
            );
            let _ = writeln!(text, "    columns:");
            for (name, desc) in &r.columns {
                match desc {
                    Some(d) => {
                        let _ = writeln!(
                            text,
                            "      - {{ name: {name}, description: {} }}",
                            quote(d)
                        );
                    }
                    None => {
                        let _ = writeln!(text, "      - {name}");
                    }
                }
            }
            let _ = writeln!(
                text,
                "    partitioned_by: [{}]",
                r.partitioned_by.join(", ")
            );
        }
        files.push((free_name(out, Path::new("ingest"), "imported", "yml"), text));
    }

    // Sources.
    if !c.sources.is_empty() {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "# {}\nsources:",
            t!(lang => "import-text-made-by-karte-import-sql-3")
        );
        for (name, src) in &c.sources {
            let _ = writeln!(
                text,
                "  - name: {name}\n    schema: {}\n    tables:",
                src.schema
            );
            for t in src.tables.values() {
                let _ = writeln!(text, "      - name: {}", t.name);
                let desc = t.description.clone().or_else(|| {
                    t.origin
                        .is_none()
                        .then(|| t!(lang => "import-text-read-by-the-imported-scripts"))
                });
                if let Some(d) = desc {
                    let _ = writeln!(text, "        description: {}", quote(&d));
                }
                if !t.meta.is_empty() {
                    let _ = writeln!(text, "        meta:");
                    for (k, v) in &t.meta {
                        let _ = writeln!(text, "          {}: {}", quote_key(k), quote(v));
                    }
                }
                if !t.columns.is_empty() {
                    let _ = writeln!(text, "        columns:");
                    for col in &t.columns {
                        write_column(&mut text, col, "          ");
                    }
                }
            }
        }
        files.push((
            free_name(out, Path::new("models"), "_imported_sources", "yml"),
            text,
        ));
    }

    if !existing.is_project {
        files.push((
            "karte.yml".into(),
            karte_yml(c, out, lake_root.as_deref(), lang),
        ));
    }
    let mut diags_all = c.diagnostics.clone();
    diags_all.extend(written.diagnostics.0.clone());
    let report = report(c, &files, &diags_all, lake_root.as_deref(), &dropped, lang);
    files.push((REPORT.into(), report.clone()));
    written.report = report;

    for (rel, text) in &files {
        let p = out.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
        }
        std::fs::write(&p, text).map_err(|e| io_error(&p, e))?;
        written.files.push(display_path(rel));
    }
    Ok(written)
}

fn io_error(p: &Path, e: std::io::Error) -> Diagnostics {
    Diagnostics(vec![Diagnostic::error(
        Code::Io,
        format!("cannot write `{}`: {e}", display_path(p)),
    )])
}

/// `dir/stem.ext`, or `dir/stem_2.ext`, … if taken.
fn free_name(out: &Path, dir: &Path, stem: &str, ext: &str) -> PathBuf {
    let mut rel = dir.join(format!("{stem}.{ext}"));
    let mut n = 2;
    while out.join(&rel).exists() {
        rel = dir.join(format!("{stem}_{n}.{ext}"));
        n += 1;
    }
    rel
}

fn write_column(out: &mut String, col: &super::statement::Column, indent: &str) {
    let _ = write!(out, "{indent}- name: {}", quote_key(&col.name));
    if !col.data_type.is_empty() {
        let _ = write!(out, "\n{indent}  data_type: {}", quote(&col.data_type));
    }
    if let Some(d) = &col.comment {
        let _ = write!(out, "\n{indent}  description: {}", quote(d));
    }
    out.push('\n');
}

fn with_slash(s: &str) -> String {
    if s.ends_with('/') {
        s.to_string()
    } else {
        format!("{s}/")
    }
}

/// The deepest `s3://bucket/prefix/` holding every location (not the bucket root, and not one
/// of the locations itself).
pub fn common_root<'a>(locations: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut bucket: Option<String> = None;
    let mut common: Option<Vec<String>> = None;
    let mut all = Vec::new();
    for l in locations {
        let rest = l.strip_prefix("s3://")?;
        let mut parts = rest.split('/').filter(|p| !p.is_empty()).map(String::from);
        let b = parts.next()?;
        if bucket.get_or_insert(b.clone()) != &b {
            return None;
        }
        let segs: Vec<String> = parts.collect();
        common = Some(match common {
            None => segs.clone(),
            Some(c) => c
                .iter()
                .zip(&segs)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a.clone())
                .collect(),
        });
        all.push(segs);
    }
    let mut common = common?;
    if all.contains(&common) {
        common.pop();
    }
    if common.is_empty() {
        return None;
    }
    Some(format!("s3://{}/{}/", bucket?, common.join("/")))
}

fn karte_yml(c: &Conversion, out: &Path, lake_root: Option<&str>, lang: Lang) -> String {
    let name = out
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .replace(['-', ' ', '.'], "_")
                .to_lowercase()
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "imported".into());
    let schema = c.common_schema.clone().unwrap_or_else(|| c.layer.clone());
    let mut layers = vec![
        ("bronze".to_string(), "bronze".to_string()),
        ("silver".to_string(), "silver".to_string()),
        ("gold".to_string(), "gold".to_string()),
    ];
    match layers.iter_mut().find(|(l, _)| *l == c.layer) {
        Some(l) => l.1 = schema,
        None => layers.push((c.layer.clone(), schema)),
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {}",
        t!(lang => "import-text-made-by-karte-import-sql-4")
    );
    let _ = writeln!(s, "name: {name}\n\nlayers:");
    for (l, sch) in layers {
        let _ = writeln!(s, "  {l}: {sch}");
    }
    let _ = writeln!(s, "\nmodels:\n  +materialized: view\n\ndefault_target: local\ntargets:\n  local:\n    type: local\n    lake_dir: target/lake\n  athena:\n    type: athena\n    region: ap-northeast-1\n    workgroup: primary\n    s3_staging_dir: s3://CHANGE-ME-athena-results/");
    match lake_root {
        Some(r) => {
            let _ = writeln!(
                s,
                "    # {}\n    lake_root: {r}",
                t!(lang => "import-text-the-common-prefix-of-the")
            );
        }
        None => {
            let _ = writeln!(s, "    lake_root: s3://CHANGE-ME-lake/lake/");
        }
    }
    let vars = c.vars_used();
    if !vars.is_empty() {
        let _ = writeln!(s, "\n# {}\nvars:", t!(lang => "import-text-vars"));
        for (name, start) in vars {
            let _ = writeln!(s, "  {name}: {start}");
        }
    }
    s
}

fn report(
    c: &Conversion,
    files: &[(PathBuf, String)],
    diags: &Diagnostics,
    lake_root: Option<&str>,
    dropped: &BTreeSet<String>,
    lang: Lang,
) -> String {
    let mut r = String::new();
    let source_tables: usize = c.sources.values().map(|s| s.tables.len()).sum();
    let _ = writeln!(
        r,
        "# {}\n",
        t!(lang => "import-text-karte-import-sql-report")
    );
    let _ = writeln!(
        r,
        "{}\n",
        messages::summary(
            lang,
            c.scripts.len(),
            c.statements,
            c.models.len(),
            source_tables,
            c.skipped.len(),
            REPORT
        )
    );
    let _ = writeln!(
        r,
        "## {}\n",
        t!(lang => "import-text-scripts-read-in-this-order")
    );
    for s in &c.scripts {
        let _ = writeln!(r, "- `{}`", display_path(&s.path));
    }
    let _ = writeln!(
        r,
        "\n## {} ({})\n",
        t!(lang => "import-text-not-converted-do-these-by"),
        c.skipped.len()
    );
    if c.skipped.is_empty() {
        let _ = writeln!(r, "{}", t!(lang => "import-text-none"));
    }
    for s in &c.skipped {
        let script = &c.scripts[s.place.script];
        let head = super::convert::statement_head(&script.text, s.place.at..script.text.len());
        let _ = writeln!(
            r,
            "- `{}` `{}` — {}",
            place_text(c, &s.place),
            head,
            s.reason.reason(lang, &s.table)
        );
    }
    let _ = writeln!(r, "\n## {}\n", t!(lang => "import-text-models"));
    for m in &c.models {
        let _ = writeln!(
            r,
            "- `{}.{}` ← `{}` — `{}`",
            c.layer,
            m.name,
            m.table.display(),
            display_path(
                &Path::new("models")
                    .join(&c.layer)
                    .join(format!("{}.sql", m.name))
            )
        );
        let config: Vec<String> = m
            .config
            .iter()
            .filter(|(k, _)| !(k == "external_location" && dropped.contains(&m.name)))
            .map(|(k, v)| match k.as_str() {
                "external_location" => format!(
                    "{k}: {} ({})",
                    yaml_value(v),
                    t!(lang => "import-text-athena-targets-only-the-model")
                ),
                _ => format!("{k}: {}", yaml_value(v)),
            })
            .collect();
        let _ = writeln!(r, "  - config: {}", config.join("; "));
        for (p, what) in &m.origins {
            let _ = writeln!(
                r,
                "  - {}: `{}` {what}",
                t!(lang => "import-text-from"),
                place_text(c, p)
            );
        }
        for n in &m.notes {
            let _ = writeln!(r, "  - {}: {n}", t!(lang => "import-text-note"));
        }
    }
    let _ = writeln!(r, "\n## {}\n", t!(lang => "import-text-sources"));
    if c.sources.is_empty() {
        let _ = writeln!(r, "{}", t!(lang => "import-text-none-2"));
    }
    for (name, src) in &c.sources {
        for t in src.tables.values() {
            match &t.origin {
                Some(p) => {
                    let _ = writeln!(
                        r,
                        "- `{name}.{}` ← CREATE EXTERNAL TABLE `{}`{}",
                        t.name,
                        place_text(c, p),
                        t.meta
                            .iter()
                            .find(|(k, _)| k == "location")
                            .map(|(_, l)| format!(" ({l})"))
                            .unwrap_or_default()
                    );
                }
                None => {
                    let _ = writeln!(
                        r,
                        "- `{name}.{}` — {}",
                        t.name,
                        t!(lang => "import-text-read-by-the-scripts-created")
                    );
                }
            }
        }
    }
    if !c.ingest_rules.is_empty() {
        let _ = writeln!(r, "\n## {}\n", t!(lang => "import-report-ingest-rules"));
        for i in &c.ingest_rules {
            let header = if i.header {
                t!(lang => "import-report-header-present")
            } else {
                t!(lang => "import-report-header-absent")
            };
            let _ = writeln!(
                r,
                "- `bronze.{}` ← `{}`: {}",
                i.name,
                place_text(c, &i.origin),
                t!(lang => "import-report-ingest-rule",
                    files = i.files.as_str(),
                    location = i.location.as_str(),
                    encoding = i.encoding.as_str(),
                    header = header,
                    view = i.name.trim_end_matches("_files"))
            );
        }
    }
    if !c.notes.is_empty() {
        let _ = writeln!(r);
        for n in &c.notes {
            let _ = writeln!(r, "- {n}");
        }
    }
    let _ = writeln!(
        r,
        "\n## {}\n",
        t!(lang => "import-text-handled-by-karte-nothing-to")
    );
    if c.absorbed.is_empty() {
        let _ = writeln!(r, "{}", t!(lang => "import-text-none-3"));
    }
    for a in &c.absorbed {
        let _ = writeln!(
            r,
            "- `{}` `{}` — {}",
            place_text(c, &a.place),
            a.what,
            a.why
        );
    }
    let _ = writeln!(r, "\n## {}\n", t!(lang => "import-text-table-names"));
    let _ = writeln!(
        r,
        "{}\n",
        t!(lang => "import-text-models-read-each-other-as")
    );
    let _ = writeln!(
        r,
        "| {} | karte |\n|---|---|",
        t!(lang => "import-text-scripts")
    );
    for m in &c.models {
        let _ = writeln!(r, "| `{}` | `{}.{}` |", m.table.display(), m.layer, m.name);
    }
    if let Some(root) = lake_root {
        let _ = writeln!(r, "\n`lake_root`: `{root}`");
    }
    let _ = writeln!(r, "\n## {}\n", t!(lang => "import-text-files-written"));
    for (p, _) in files {
        let _ = writeln!(r, "- `{}`", display_path(p));
    }
    let _ = writeln!(r, "- `{REPORT}`");
    if !diags.is_empty() {
        let _ = writeln!(r, "\n## {}\n", t!(lang => "import-text-warnings"));
        for d in &diags.0 {
            let at = d
                .location
                .as_ref()
                .map(|l| format!("`{}:{}:{}` ", l.file, l.line, l.col))
                .unwrap_or_default();
            let _ = writeln!(r, "- {} {at}{}", d.code.as_str(), d.message);
        }
    }
    r
}

/// A YAML value on one line.
fn yaml_value(v: &ConfigValue) -> String {
    match v {
        ConfigValue::Text(s) => quote(s),
        ConfigValue::Number(n) => n.clone(),
        ConfigValue::List(items) => {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| quote(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        ConfigValue::Map(items) => format!(
            "{{{}}}",
            items
                .iter()
                .map(|(k, v)| format!("{}: {}", quote_key(k), quote(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A plain word as it is, anything else as a double-quoted (JSON) string, which YAML reads.
fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.chars().next().is_some_and(|c| c.is_ascii_digit())
        && !["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
            .contains(&s.to_lowercase().as_str());
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

fn quote_key(s: &str) -> String {
    quote(s)
}
