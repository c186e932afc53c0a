//! Stage 2, `render`: Jinja templates → SQL text, with the dependencies `ref()` and `source()`
//! declared and the config `config()` set. Plain-SQL files (no Jinja) pass through untouched.
//!
//! Rendering runs in parallel. The template functions record what they see in a per-thread
//! [`Collector`](functions::Collector) (one model renders on one thread from start to end), so one `Environment` is
//! shared by all models and macros stay global, as dbt users expect.

mod builtins;
pub mod dbt;
mod functions;
mod relation;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use minijinja::value::Value;
use minijinja::{Environment, ErrorKind, UndefinedBehavior};
use rayon::prelude::*;

pub use builtins::BUILTIN_MACROS;
pub use relation::RelationValue;

use crate::diag::{suggest, Code, Diagnostic, Diagnostics, Location};
use crate::project::{Node, NodeConfig, NodeKind, Project, Target};

/// What rendering needs besides the project.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Variables given on the command line (`--vars`), over the project's.
    pub vars: BTreeMap<String, serde_json::Value>,
    /// Models for which `is_incremental()` is true (they exist and are not fully refreshed).
    pub incremental: HashSet<String>,
}

/// One node after rendering.
#[derive(Debug, Clone)]
pub struct RenderedModel {
    /// Index of the node in `Project::nodes`.
    pub node: usize,
    /// The SQL (the file's text itself for plain-SQL files).
    pub sql: String,
    /// Names passed to `ref()`, in call order.
    pub refs: Vec<String>,
    /// `(source, table)` pairs passed to `source()`.
    pub sources: Vec<(String, String)>,
    /// Config: project defaults, property files, then `config()` calls.
    pub config: NodeConfig,
    /// True if the file used Jinja.
    pub templated: bool,
}

/// Render every SQL node of the project (models, snapshots, singular tests).
pub fn render(
    project: &Project,
    target: &Target,
    opts: &RenderOptions,
) -> (Vec<RenderedModel>, Diagnostics) {
    let shared = Arc::new(Shared::new(project, target, opts));
    let mut diags = Diagnostics::default();
    let env = build_env(&shared, &mut diags);
    let results: Vec<(Option<RenderedModel>, Vec<Diagnostic>)> = project
        .nodes
        .par_iter()
        .enumerate()
        .filter(|(_, n)| n.kind != NodeKind::Seed)
        .map(|(i, n)| render_one(&env, &shared, i, n))
        .collect();
    let mut out = Vec::with_capacity(results.len());
    for (r, ds) in results {
        diags.extend(ds);
        out.extend(r);
    }
    (out, diags)
}

/// Everything template functions may look at, computed once per render.
struct Shared {
    relations: HashMap<String, RelationValue>,
    relation_names: Vec<String>,
    sources: HashMap<(String, String), RelationValue>,
    source_names: Vec<String>,
    vars: BTreeMap<String, serde_json::Value>,
    env_vars: HashSet<String>,
    /// Declared secrets: never rendered by `env_var()`.
    secrets: HashSet<String>,
    target: Value,
    incremental: HashSet<String>,
    /// Macro name → file that defines it (project macros override built-ins).
    macro_files: BTreeMap<String, String>,
    /// Template name → (path shown, original text, length of the import prefix).
    templates: HashMap<String, (String, String, usize)>,
    /// A dbt project (its macros are globals; `render/dbt.rs`).
    dbt: bool,
    /// dbt projects: each macro file's rewritten text (`render/dbt/rewrite.rs`) and its edits.
    shifts: HashMap<String, Vec<dbt::Edit>>,
    renamed: HashMap<String, String>,
    /// dbt projects: each package's macros (name → file): the installed packages, the project
    /// itself under its name, and karte's versions of dbt's own macros under `dbt`.
    packages: BTreeMap<String, BTreeMap<String, String>>,
    /// dbt projects: the project's name.
    root_package: String,
    /// dbt projects: `dispatch:` search orders by macro namespace.
    dispatch: BTreeMap<String, Vec<String>>,
}

impl Shared {
    fn new(project: &Project, target: &Target, opts: &RenderOptions) -> Self {
        let mut relations = HashMap::new();
        for n in project.nodes.iter().filter(|n| n.kind.is_relation()) {
            relations.insert(
                n.name.to_lowercase(),
                RelationValue {
                    namespace: n.layer.clone(),
                    name: n.name.clone(),
                    schema: target.schema(&n.schema),
                },
            );
        }
        let mut relation_names: Vec<String> = relations.values().map(|r| r.name.clone()).collect();
        relation_names.sort();
        let mut sources = HashMap::new();
        for s in &project.sources {
            sources.insert(
                (s.source.to_lowercase(), s.name.to_lowercase()),
                RelationValue {
                    namespace: s.source.clone(),
                    name: s.name.clone(),
                    schema: s.schema.clone(),
                },
            );
        }
        let mut source_names: Vec<String> = project
            .sources
            .iter()
            .map(|s| format!("{}.{}", s.source, s.name))
            .collect();
        source_names.sort();
        let mut vars: BTreeMap<String, serde_json::Value> = project
            .config
            .vars
            .iter()
            .map(|(k, v)| (k.clone(), crate::project::yaml::to_json(v)))
            .collect();
        vars.extend(opts.vars.clone());
        let target_value = dbt::target_value(project, target).unwrap_or_else(|| {
            Value::from_serialize(serde_json::json!({
                "name": target.name,
                "type": target.config.kind,
                "schema_prefix": target.config.schema_prefix,
            }))
        });
        let mut macro_files = BTreeMap::new();
        for (path, text) in BUILTIN_MACROS {
            for name in crate::project::macro_names(text) {
                macro_files.insert(name, path.to_string());
            }
        }
        let mut packages: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for m in &project.macros {
            let path = crate::diag::display_path(&m.path);
            for name in &m.names {
                match &m.package {
                    None => {
                        macro_files.insert(name.clone(), path.clone());
                    }
                    Some(p) => {
                        packages
                            .entry(p.clone())
                            .or_default()
                            .insert(name.clone(), path.clone());
                    }
                }
            }
        }
        let (root_package, dispatch) = match &project.config.dbt {
            Some(d) => {
                let own: BTreeMap<String, String> = project
                    .macros
                    .iter()
                    .filter(|m| m.package.is_none())
                    .flat_map(|m| {
                        let path = crate::diag::display_path(&m.path);
                        m.names.iter().map(move |n| (n.clone(), path.clone()))
                    })
                    .collect();
                packages.insert(d.name.clone(), own);
                let (path, text) = dbt::INTERNAL_MACROS;
                packages.insert(
                    "dbt".to_string(),
                    crate::project::dbt::macro_names(text)
                        .into_iter()
                        .map(|n| (n, path.to_string()))
                        .collect(),
                );
                (d.name.clone(), d.dispatch.clone())
            }
            None => (String::new(), BTreeMap::new()),
        };
        Shared {
            relations,
            relation_names,
            sources,
            source_names,
            vars,
            env_vars: project.config.env_vars.iter().cloned().collect(),
            secrets: project.config.secrets.names().map(String::from).collect(),
            target: target_value,
            incremental: opts.incremental.clone(),
            macro_files,
            templates: HashMap::new(),
            dbt: project.config.dbt.is_some(),
            shifts: HashMap::new(),
            renamed: HashMap::new(),
            packages,
            root_package,
            dispatch,
        }
        .with_templates(project)
    }

    fn with_templates(mut self, project: &Project) -> Self {
        let internal = self.dbt.then_some(dbt::INTERNAL_MACROS);
        let files = BUILTIN_MACROS
            .iter()
            .chain(internal.iter())
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .chain(
                project
                    .macros
                    .iter()
                    .map(|m| (crate::diag::display_path(&m.path), m.text.clone())),
            );
        for (path, text) in files {
            if self.dbt {
                let (renamed, inserted) = dbt::rewrite(&text, true);
                self.shifts.insert(path.clone(), inserted);
                self.renamed.insert(path.clone(), renamed);
                self.templates.insert(path.clone(), (path, text, 0));
                continue;
            }
            let plen = self.import_prefix(&text, Some(&path)).len();
            self.templates.insert(path.clone(), (path, text, plen));
        }
        self
    }

    /// The `{% from … import … %}` line that makes the macros used in `text` callable, on the
    /// template's first line so that line numbers do not move. Returns "" if none are used.
    fn import_prefix(&self, text: &str, own_file: Option<&str>) -> String {
        if self.dbt {
            // A dbt project's macros are globals (`render/dbt.rs`).
            return String::new();
        }
        let mut by_file: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        // Names the text defines itself are never imported: a built-in file whose macro a
        // project overrides must not import the override (that would be a circular import).
        let words: Vec<&str> = jinja_words(text).collect();
        let defined: Vec<&str> = words
            .windows(2)
            .filter(|w| w[0] == "macro")
            .map(|w| w[1])
            .collect();
        for &word in &words {
            if defined.contains(&word) {
                continue;
            }
            if let Some((name, file)) = self.macro_files.get_key_value(word) {
                if Some(file.as_str()) != own_file {
                    let names = by_file.entry(file).or_default();
                    if !names.contains(&name.as_str()) {
                        names.push(name);
                    }
                }
            }
        }
        by_file
            .into_iter()
            .map(|(file, names)| format!("{{% from {file:?} import {} %}}", names.join(", ")))
            .collect()
    }
}

/// Identifiers inside `{{ }}` and `{% %}` blocks.
fn jinja_words(text: &str) -> impl Iterator<Item = &str> {
    let mut regions = Vec::new();
    let mut rest = text;
    let mut base = 0;
    while let Some(i) = rest.find(['{']) {
        let after = &rest[i + 1..];
        let close = match after.chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            _ => {
                base += i + 1;
                rest = after;
                continue;
            }
        };
        let start = base + i + 2;
        match text[start..].find(close) {
            Some(j) => {
                regions.push(start..start + j);
                base = start + j + 2;
            }
            None => {
                regions.push(start..text.len());
                base = text.len();
            }
        }
        rest = &text[base..];
    }
    regions.into_iter().flat_map(move |r| {
        text[r]
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
    })
}

/// The one minijinja environment every template of karte starts from (models and macros, the
/// Athena statement templates, the data-test templates): an undefined name is an error, never an
/// empty string, and recursion is bounded. `keep_trailing_newline`: as the file was written.
pub fn environment(keep_trailing_newline: bool) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(keep_trailing_newline);
    env.set_recursion_limit(200);
    env
}

/// The environment every model renders in: karte's template functions, and every macro file as
/// a template.
fn build_env(shared: &Arc<Shared>, diags: &mut Diagnostics) -> Environment<'static> {
    let mut env = environment(true);
    functions::add(&mut env, shared);
    if shared.dbt {
        dbt::add(&mut env, shared);
    }
    add_macro_templates(&mut env, shared, diags);
    env
}

/// Adds every macro file as a template; the import prefix picks, for each macro name, the file
/// that wins (a project macro overrides a built-in one of the same name).
fn add_macro_templates(env: &mut Environment<'static>, shared: &Shared, diags: &mut Diagnostics) {
    let mut names: Vec<&String> = shared.templates.keys().collect();
    names.sort();
    for name in names {
        let (path, text, _) = &shared.templates[name];
        let prefix = shared.import_prefix(text, Some(path));
        let (source, inserted) = match shared.renamed.get(path) {
            Some(renamed) => (renamed.clone(), shared.shifts[path].clone()),
            None => (format!("{prefix}{text}"), vec![(0, prefix.len(), 0)]),
        };
        if let Err(e) = env.add_template_owned(path.clone(), source) {
            if shared.is_package_file(path) {
                // A package file karte cannot read: a warning; its macros are unknown.
                diags.push(dbt::unreadable_package_file(path, &e));
                continue;
            }
            diags.push(template_error(
                &e,
                Path::new(path),
                text,
                &|p| dbt::back(&inserted, p),
                shared.known_names(),
            ));
        }
    }
}

fn render_one(
    env: &Environment<'static>,
    shared: &Arc<Shared>,
    index: usize,
    node: &Node,
) -> (Option<RenderedModel>, Vec<Diagnostic>) {
    let templated = node.is_templated();
    if !templated {
        return (
            Some(RenderedModel {
                node: index,
                sql: node.text.clone(),
                refs: Vec::new(),
                sources: Vec::new(),
                config: node.config.clone(),
                templated,
            }),
            Vec::new(),
        );
    }
    let prefix = shared.import_prefix(&node.text, None);
    let (source, edits) = if shared.dbt {
        dbt::rewrite(&node.text, false)
    } else {
        (format!("{prefix}{}", node.text), vec![(0, prefix.len(), 0)])
    };
    let this = RelationValue {
        namespace: node.layer.clone(),
        name: node.name.clone(),
        schema: node.schema.clone(),
    };
    let ctx = minijinja::context! {
        this => Value::from_object(this),
        model => minijinja::context! { name => node.name.clone(), layer => node.layer.clone(), path => node.path.to_string_lossy().to_string() },
    };
    let incremental = shared.incremental.contains(&node.name);
    let name = node.path.to_string_lossy().to_string();
    let (result, collected) = functions::collecting(incremental, &node.config, || {
        env.render_named_str(&name, &source, ctx)
    });

    let mut diags = Vec::new();
    for p in collected.errors {
        let span = p
            .call
            .as_ref()
            .and_then(|(f, arg)| match *f {
                "" => node.text.find(arg.as_str()).map(|i| i..i + arg.len()),
                f => find_call_arg(&node.text, f, arg),
            })
            .unwrap_or(0..0);
        let mut d = Diagnostic::error(p.code, p.message)
            .at(Location::from_span(&node.path, &node.text, span))
            .maybe_help(p.help);
        if matches!(p.code, Code::UnknownConfigKey | Code::DbtWarn) {
            d.severity = crate::diag::Severity::Warning;
        }
        if !p.label.is_empty() {
            d = d.label(p.label);
        }
        diags.push(d);
    }
    match result {
        Ok(sql) => {
            let mut config = node.config.clone();
            for (k, v) in collected.config {
                config.set(&k, v);
            }
            let failed = diags.iter().any(|d| d.is_error());
            let model = RenderedModel {
                node: index,
                sql,
                refs: collected.refs,
                sources: collected.sources,
                config,
                templated,
            };
            (if failed { None } else { Some(model) }, diags)
        }
        Err(e) => {
            diags.push(located_template_error(&e, shared, node, &edits));
            (None, diags)
        }
    }
}

/// Place a template error in the file it comes from (the model, or a macro file).
fn located_template_error(
    e: &minijinja::Error,
    shared: &Shared,
    node: &Node,
    edits: &[dbt::Edit],
) -> Diagnostic {
    // An error inside a macro points into the macro file.
    if let Some(name) = e.name() {
        if name != node.path.to_string_lossy() {
            if let Some((path, text, plen)) = shared.templates.get(name) {
                let inserted = shared
                    .shifts
                    .get(path)
                    .cloned()
                    .unwrap_or_else(|| vec![(0, *plen, 0)]);
                return template_error(
                    e,
                    Path::new(path),
                    text,
                    &|p| dbt::back(&inserted, p),
                    shared.known_names(),
                )
                .note(crate::t!("e201-while-rendering", path = node.path));
            }
        }
    }
    template_error(
        e,
        &node.path,
        &node.text,
        &|p| dbt::back(edits, p),
        shared.known_names(),
    )
}

/// Names a template can call: the template functions and every macro.
const FUNCTIONS: &[&str] = &[
    "ref",
    "source",
    "config",
    "var",
    "env_var",
    "is_incremental",
    "raise_error",
];

impl Shared {
    /// Names for "did you mean": what a template can call, and the project's variables.
    fn known_names(&self) -> KnownNames<'_> {
        KnownNames {
            callables: FUNCTIONS
                .iter()
                .copied()
                .chain(self.macro_files.keys().map(String::as_str))
                .collect(),
            vars: self.vars.keys().map(String::as_str).collect(),
        }
    }
}

/// Candidates for "did you mean" in template errors (built only when an error is reported).
struct KnownNames<'a> {
    callables: Vec<&'a str>,
    vars: Vec<&'a str>,
}

fn template_error(
    e: &minijinja::Error,
    file: &Path,
    text: &str,
    back: &dyn Fn(usize) -> usize,
    known: KnownNames,
) -> Diagnostic {
    let span = e
        .range()
        .map(|r| back(r.start)..back(r.end))
        .or_else(|| {
            e.line().map(|l| {
                let idx = crate::diag::LineIndex::new(text);
                idx.line_range(text, l)
            })
        })
        .unwrap_or(0..0);
    // The name at the start of the span, for undefined names and unknown functions.
    let name: String = text
        .get(span.start..)
        .unwrap_or_default()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let detail = e
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| e.kind().to_string());
    let at = Location::from_span(file, text, span);
    if let Some(d) = dbt::unsupported_diagnostic(&detail, at.clone()) {
        return d;
    }
    match e.kind() {
        ErrorKind::SyntaxError => Diagnostic::error(
            Code::TemplateSyntax,
            crate::t!("e201-template-syntax", detail = detail),
        )
        .at(at)
        .help(crate::t!("e201-help")),
        ErrorKind::UndefinedError if !name.is_empty() => Diagnostic::error(
            Code::UndefinedName,
            crate::t!("e202-undefined", name = name),
        )
        .at(at)
        .label(crate::t!("e202-undefined-label"))
        .help(match suggest(&name, known.vars.iter().copied()) {
            Some(v) => crate::t!("e202-did-you-mean-var", name = v),
            None => crate::t!("e202-undefined-help", name = name),
        }),
        ErrorKind::UndefinedError => Diagnostic::error(
            Code::UndefinedName,
            crate::t!("e202-undefined-value", detail = detail),
        )
        .at(at)
        .help(crate::t!("e202-undefined-value-help")),
        ErrorKind::UnknownFunction | ErrorKind::UnknownFilter => {
            let message = if e.kind() == ErrorKind::UnknownFilter {
                crate::t!("e202-unknown-filter", name = name)
            } else {
                crate::t!("e202-unknown-function", name = name)
            };
            Diagnostic::error(Code::UndefinedName, message)
                .at(at)
                .label(crate::t!("e202-unknown-function-label"))
                .help(
                    suggest(&name, known.callables.iter().copied())
                        .map(|s| crate::t!("project-did-you-mean", name = s))
                        .unwrap_or_else(|| crate::t!("e202-unknown-function-help")),
                )
        }
        ErrorKind::MissingArgument | ErrorKind::TooManyArguments | ErrorKind::CannotDeserialize => {
            Diagnostic::error(
                Code::BadCall,
                crate::t!("e208-wrong-arguments", detail = detail),
            )
            .at(at)
            .help(crate::t!("e208-help"))
        }
        _ => Diagnostic::error(
            Code::TemplateError,
            crate::t!("e209-template-error", detail = detail),
        )
        .at(at),
    }
}

/// The span of the first argument of a call like `ref('name')` in `text`.
pub fn find_call_arg(text: &str, func: &str, arg: &str) -> Option<Range<usize>> {
    let mut from = 0;
    while let Some(i) = text[from..].find(func) {
        let start = from + i;
        from = start + func.len();
        let before_ok = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let rest = text[from..].trim_start();
        if !before_ok || !rest.starts_with('(') {
            continue;
        }
        let inner = rest[1..].trim_start();
        for q in ['\'', '"'] {
            let quoted = format!("{q}{arg}{q}");
            if inner.starts_with(&quoted) {
                let pos = text.len() - inner.len() + 1;
                return Some(pos..pos + arg.len());
            }
        }
    }
    None
}
