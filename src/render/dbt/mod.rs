//! What a dbt project's templates see besides karte's functions (docs/dbt.md): `target.*` from
//! its profile, `execute`, `run_started_at`, `invocation_id`, `log`, `print`, `exceptions`,
//! `adapter.quote`, `return()` in macros; the macros of macro paths callable from anywhere by
//! name, as in dbt; the schema of every node from `generate_schema_name` (dbt's default, or the
//! project's macro of that name); packages and `adapter.dispatch` (`namespaces.rs`); lists and
//! dicts that change in place (`values.rs`, `rewrite.rs`). What karte does not support yet
//! (`run_query`, `statement`, `load_result`) is an error E983 at the call.

mod namespaces;
mod rewrite;
mod values;

pub(crate) use rewrite::{back, rewrite, Edit};

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use minijinja::value::{Object, Rest, Value};
use minijinja::{Environment, Error, ErrorKind, State};

use super::{RenderOptions, RenderedModel, Shared};
use crate::diag::{Code, Diagnostic, Diagnostics, Location};
use crate::project::{NodeKind, Project, Target};

/// The detail of an error raised for a construct karte does not support yet; the rest of the
/// detail is `<what>\u{1}<help id>`. `render::template_error` turns it into E983.
pub(super) const UNSUPPORTED: &str = "\u{1}dbt-unsupported:";

/// A renamed macro's name inside its template: the name itself is the global that calls it.
const INNER: &str = "__karte_";

/// karte's versions of dbt's own macros (`dbt.date_trunc(...)`, in Athena SQL): the package
/// `dbt` of a dbt project.
pub(super) const INTERNAL_MACROS: (&str, &str) = (
    "templates/dbt/macros.sql",
    include_str!("../../../templates/dbt/macros.sql"),
);

/// W981 for a package's macro file karte cannot read (its macros are then unknown).
pub(super) fn unreadable_package_file(path: &str, e: &minijinja::Error) -> Diagnostic {
    let detail = e
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| e.kind().to_string());
    Diagnostic::warning(
        Code::DbtIgnored,
        crate::t!("w981-package-file", path = path, detail = detail),
    )
    .at(Location::file_only(std::path::Path::new(path)))
    .help(crate::t!("w981-package-file-help"))
}

fn unsupported(what: &str, help: &str) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!("{UNSUPPORTED}{what}\u{1}{help}"),
    )
}

/// The E983 diagnostic for an error made by [`unsupported`], if `detail` is one.
pub(super) fn unsupported_diagnostic(detail: &str, at: Location) -> Option<Diagnostic> {
    let rest = detail.split(UNSUPPORTED).nth(1)?;
    let (what, help) = rest
        .split_once('\u{1}')
        .unwrap_or((rest, "e983-help-other"));
    let help = help
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .next()
        .unwrap_or("e983-help-other");
    let message = if what == "return" {
        crate::t!("e983-return-outside")
    } else {
        crate::t!("e983-unsupported", what = what)
    };
    Some(
        Diagnostic::error(Code::DbtJinja, message)
            .at(at)
            .label(crate::t!("e983-label"))
            .help(crate::i18n::format(help, &[])),
    )
}

thread_local! {
    /// One entry per macro being called through its global: the value `return()` gave.
    static RETURNS: RefCell<Vec<Option<Value>>> = const { RefCell::new(Vec::new()) };
}

/// Call macro `name` (renamed in `file`) with `args`: its `return()` value, else its output.
pub(super) fn call_macro(
    state: &State,
    file: &str,
    name: &str,
    args: &[Value],
) -> Result<Value, Error> {
    let template = state.env().get_template(file)?;
    let ctx = minijinja::context! {
        this => state.lookup("this"),
        model => state.lookup("model"),
    };
    let captured = template.render_captured(ctx)?;
    let module = captured.state();
    let inner = format!("{INNER}{name}");
    let Some(m) = module.lookup(&inner) else {
        return Err(Error::new(ErrorKind::UnknownFunction, name.to_string()));
    };
    RETURNS.with(|r| r.borrow_mut().push(None));
    let result = m.call(module, args);
    let returned = RETURNS.with(|r| r.borrow_mut().pop()).flatten();
    let out = result?;
    Ok(returned.unwrap_or(out))
}

/// `return(value)`: what the macro being called gives its caller (the first `return()` wins).
fn return_(value: Option<Value>) -> Result<String, Error> {
    RETURNS.with(|r| match r.borrow_mut().last_mut() {
        Some(slot) => {
            if slot.is_none() {
                *slot = Some(value.unwrap_or(Value::from(())));
            }
            Ok(String::new())
        }
        None => Err(unsupported("return", "e983-help-other")),
    })
}

/// `adapter`: `quote` and `dispatch` work; the methods that ask the database are E983.
struct Adapter(Arc<Shared>);

impl fmt::Debug for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("adapter")
    }
}

impl Object for Adapter {
    fn call_method(
        self: &Arc<Self>,
        _state: &State,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "quote" => {
                let s = args.first().map(|v| v.to_string()).unwrap_or_default();
                Ok(Value::from(format!("\"{}\"", s.replace('"', "\"\""))))
            }
            "dispatch" => namespaces::dispatch(&self.0, args),
            other => Err(unsupported(&format!("adapter.{other}"), "e983-help-query")),
        }
    }
}

/// `run_started_at`: when the run started (UTC), with `strftime` and `isoformat`.
#[derive(Debug)]
struct StartedAt(chrono::DateTime<chrono::Utc>);

impl Object for StartedAt {
    fn call_method(
        self: &Arc<Self>,
        _state: &State,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "strftime" => {
                let f = args.first().and_then(|v| v.as_str()).unwrap_or("%Y-%m-%d");
                let mut out = String::new();
                use std::fmt::Write;
                write!(out, "{}", self.0.format(f)).map_err(|_| {
                    Error::new(ErrorKind::InvalidOperation, format!("strftime('{f}')"))
                })?;
                Ok(Value::from(out))
            }
            "isoformat" => Ok(Value::from(
                self.0.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string(),
            )),
            other => Err(unsupported(
                &format!("run_started_at.{other}"),
                "e983-help-other",
            )),
        }
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        use chrono::Datelike;
        match key.as_str()? {
            "year" => Some(Value::from(self.0.year())),
            "month" => Some(Value::from(self.0.month())),
            "day" => Some(Value::from(self.0.day())),
            _ => None,
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d %H:%M:%S%.6f+00:00"))
    }
}

/// One id and start time per karte process (a compile renders twice; both see the same).
fn run_start() -> &'static (String, chrono::DateTime<chrono::Utc>) {
    static START: OnceLock<(String, chrono::DateTime<chrono::Utc>)> = OnceLock::new();
    START.get_or_init(|| {
        use rand::{RngCore, SeedableRng};
        let now = chrono::Utc::now();
        let seed =
            now.timestamp_nanos_opt().unwrap_or_default() as u64 ^ u64::from(std::process::id());
        let mut b = [0u8; 16];
        rand_chacha::ChaCha8Rng::seed_from_u64(seed).fill_bytes(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
        let id = format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        );
        (id, now)
    })
}

/// `target` as a dbt project's templates see it.
pub(super) fn target_value(project: &Project, target: &Target) -> Option<Value> {
    let dbt = project.config.dbt.as_ref()?;
    let t = dbt.target(&target.name)?;
    let mut map: BTreeMap<String, serde_json::Value> = t.fields.clone();
    map.insert("name".into(), target.name.clone().into());
    map.insert("target_name".into(), target.name.clone().into());
    map.insert("schema".into(), t.schema.clone().into());
    map.insert("type".into(), t.kind.clone().into());
    map.insert("threads".into(), t.threads.into());
    map.insert("profile_name".into(), dbt.profile.clone().into());
    map.insert(
        "database".into(),
        t.database
            .clone()
            .map_or(serde_json::Value::Null, Into::into),
    );
    map.insert("schema_prefix".into(), "".into());
    Some(Value::from_serialize(&map))
}

/// Adds what dbt projects' templates use, and each macro (by name) as a global that calls it.
pub(super) fn add(env: &mut Environment<'static>, shared: &Arc<Shared>) {
    for name in shared.callable_names() {
        let (shared_c, name_c) = (shared.clone(), name.clone());
        env.add_function(name, move |state: &State, args: Rest<Value>| {
            namespaces::call_global(state, &shared_c, &name_c, &args)
        });
    }
    for package in shared.packages.keys() {
        env.add_global(
            package.clone(),
            Value::from_object(namespaces::Namespace {
                shared: shared.clone(),
                package: package.clone(),
            }),
        );
    }
    env.add_function(rewrite::LIST, values::list);
    env.add_function(rewrite::DICT, values::dict);
    env.add_function("dict", values::dict);
    env.set_unknown_method_callback(|state, value, method, args| {
        if let Some(e) = values::immutable_method(value, method) {
            return Err(e);
        }
        minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args)
    });
    env.add_function("return", return_);
    env.add_function("log", |_msg: Value, _rest: Rest<Value>| String::new());
    env.add_function("print", |_msg: Value| String::new());
    env.add_function("run_query", |_rest: Rest<Value>| -> Result<Value, Error> {
        Err(unsupported("run_query", "e983-help-query"))
    });
    env.add_function("statement", |_rest: Rest<Value>| -> Result<Value, Error> {
        Err(unsupported("statement", "e983-help-query"))
    });
    env.add_function(
        "load_result",
        |_rest: Rest<Value>| -> Result<Value, Error> {
            Err(unsupported("load_result", "e983-help-query"))
        },
    );
    env.add_function(
        "fromjson",
        |text: String, default: Option<Value>| -> Result<Value, Error> {
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(v) => Ok(Value::from_serialize(&v)),
                Err(e) => default.ok_or_else(|| {
                    Error::new(ErrorKind::InvalidOperation, format!("fromjson: {e}"))
                }),
            }
        },
    );
    env.add_function("tojson", |v: Value| -> Result<String, Error> {
        serde_json::to_string(&v)
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("tojson: {e}")))
    });
    // Jinja's `kwargs` and `varargs` inside a macro (the arguments it did not name): karte's
    // macros take only named ones, so both are empty (`kwargs.get('x', x)` gives x).
    env.add_global("kwargs", Value::from(BTreeMap::<String, Value>::new()));
    env.add_global("varargs", Value::from(Vec::<Value>::new()));
    env.add_global("execute", true);
    env.add_global("adapter", Value::from_object(Adapter(shared.clone())));
    let (id, started) = run_start();
    env.add_global("invocation_id", id.clone());
    env.add_global("run_started_at", Value::from_object(StartedAt(*started)));
    let mut exceptions = BTreeMap::new();
    exceptions.insert(
        "raise_compiler_error",
        Value::from_function(|message: String| -> Result<String, Error> {
            Err(Error::new(ErrorKind::InvalidOperation, message))
        }),
    );
    exceptions.insert(
        "warn",
        Value::from_function(|message: String| -> String {
            super::functions::warn(message);
            String::new()
        }),
    );
    env.add_global("exceptions", Value::from(exceptions));
}

/// Name every node's schema as dbt does: `generate_schema_name(custom_schema_name, node)` — a
/// project macro of that name, or dbt's default (the target's schema, then `_` and the
/// custom schema when the node sets `schema`). Also refuses configs karte would not build as
/// dbt does (E986: `alias` other than the name, `pre_hook`/`post_hook`, `sql_header`).
pub fn assign_schemas(
    project: &mut Project,
    target: &Target,
    opts: &RenderOptions,
    rendered: &[RenderedModel],
) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let Some((target_schema, kind)) = project
        .config
        .dbt
        .as_ref()
        .and_then(|d| d.target(&target.name))
        .map(|t| (t.schema.clone(), t.kind.clone()))
    else {
        return diags;
    };
    // dbt-duckdb keeps one row per `unique_key` in an incremental model (delete+insert); karte
    // does that on Iceberg tables (locally a DuckDB table).
    if kind == "duckdb" {
        for m in rendered {
            let c = &m.config;
            if c.materialized() == "incremental"
                && c.0.get("unique_key").is_some_and(|k| !k.is_null())
                && c.get_str("incremental_strategy").is_none()
                && c.get_str("table_type").is_none()
            {
                let node = &mut project.nodes[m.node];
                node.config.set("table_type", "iceberg".into());
                node.config
                    .set("incremental_strategy", "delete+insert".into());
            }
        }
    }
    let configs: BTreeMap<usize, &crate::project::NodeConfig> =
        rendered.iter().map(|m| (m.node, &m.config)).collect();
    let shared = Arc::new(Shared::new(project, target, opts));
    let custom_macro = shared.macro_files.get("generate_schema_name").cloned();
    let env = custom_macro.as_ref().map(|_| {
        let mut d = Diagnostics::default();
        super::build_env(&shared, &mut d)
    });
    let mut schemas = Vec::with_capacity(project.nodes.len());
    for (i, n) in project.nodes.iter().enumerate() {
        let config = configs.get(&i).copied().unwrap_or(&n.config);
        if n.kind == NodeKind::Test {
            schemas.push(None);
            continue;
        }
        refuse(n, config, &mut diags);
        // A snapshot's `target_schema` (dbt before 1.9) is its schema as written.
        if let Some(ts) = config
            .get_str("target_schema")
            .filter(|_| n.kind == NodeKind::Snapshot)
        {
            schemas.push(Some(ts.to_string()));
            continue;
        }
        let custom = config
            .get_str("schema")
            .map(str::to_string)
            .filter(|s| !s.trim().is_empty());
        let schema = match (&env, &custom_macro) {
            (Some(env), Some(file)) => {
                let node = minijinja::context! {
                    name => n.name.clone(),
                    path => n.path.to_string_lossy().to_string(),
                    original_file_path => n.path.to_string_lossy().to_string(),
                    resource_type => n.kind.as_str(),
                    config => Value::from_serialize(&config.0),
                    tags => config.tags(),
                };
                let ctx =
                    minijinja::context! { custom_schema_name => custom.clone(), node => node };
                match env.render_str("{{ generate_schema_name(custom_schema_name, node) }}", ctx) {
                    Ok(s) => s.trim().to_string(),
                    Err(e) => {
                        let text = shared
                            .templates
                            .get(file)
                            .map(|t| t.1.clone())
                            .unwrap_or_default();
                        let inserted = shared.shifts.get(file).cloned().unwrap_or_default();
                        diags.push(
                            super::template_error(
                                &e,
                                std::path::Path::new(file),
                                &text,
                                &|p| back(&inserted, p),
                                shared.known_names(),
                            )
                            .note(crate::t!("e201-while-rendering", path = n.path.clone())),
                        );
                        n.schema.clone()
                    }
                }
            }
            _ => match &custom {
                None => target_schema.clone(),
                Some(c) => format!("{target_schema}_{}", c.trim()),
            },
        };
        schemas.push(Some(schema));
    }
    for (n, s) in project.nodes.iter_mut().zip(schemas) {
        if let Some(s) = s {
            n.schema = s;
        }
    }
    diags
}

/// E986 for a config karte would not apply as dbt does.
fn refuse(n: &crate::project::Node, config: &crate::project::NodeConfig, diags: &mut Diagnostics) {
    let at = |key: &str| {
        let span = n.text.find(key).map_or(0..0, |i| i..i + key.len());
        Location::from_span(&n.path, &n.text, span)
    };
    if let Some(alias) = config.get_str("alias") {
        if !alias.eq_ignore_ascii_case(&n.name) {
            diags.push(
                Diagnostic::error(
                    Code::DbtConfig,
                    crate::t!("e986-alias", alias = alias, model = n.name.clone()),
                )
                .at(at("alias"))
                .label(crate::t!("e986-label"))
                .help(crate::t!("e986-alias-help", alias = alias)),
            );
        }
    }
    for key in ["snapshot_meta_column_names", "dbt_valid_to_current"] {
        if config.0.get(key).is_some_and(|v| !v.is_null()) {
            diags.push(
                Diagnostic::error(
                    Code::DbtConfig,
                    crate::t!("e986-config", key = key, model = n.name.clone()),
                )
                .at(at(key))
                .label(crate::t!("e986-label"))
                .help(crate::t!("e986-snapshot-help")),
            );
        }
    }
    for key in ["pre_hook", "post_hook", "sql_header"] {
        let set = match config.0.get(key) {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::Array(a)) => !a.is_empty(),
            Some(serde_json::Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
        };
        if set {
            diags.push(
                Diagnostic::error(
                    Code::DbtConfig,
                    crate::t!("e986-config", key = key, model = n.name.clone()),
                )
                .at(at(&[key.to_string(), key.replace('_', "-")]
                    .into_iter()
                    .find(|k| n.text.contains(k.as_str()))
                    .unwrap_or_else(|| key.to_string())))
                .label(crate::t!("e986-label"))
                .help(crate::t!("e986-hook-help")),
            );
        }
    }
}

/// dbt's generic tests written as `{% test name(model, column_name, …) %}` blocks (in the
/// project's macro or test paths, or in a package: `dbt_utils.accepted_range`), rendered for
/// the plan: each gives the SQL of the failing rows.
pub struct TestMacros {
    env: Environment<'static>,
    shared: Arc<Shared>,
}

/// Keys of a test's entry that configure it rather than being its arguments.
const TEST_CONFIG_KEYS: &[&str] = &[
    "config",
    "arguments",
    "severity",
    "where",
    "store_failures",
    "store_failures_as",
    "warn_if",
    "error_if",
    "limit",
    "fail_calc",
    "enabled",
    "tags",
    "meta",
    "name",
    "description",
    "alias",
    "schema",
    "database",
    "column_name",
];

impl TestMacros {
    /// The test macros of a dbt project (None for a karte project).
    pub fn new(project: &Project, target: &Target) -> Option<TestMacros> {
        project.config.dbt.as_ref()?;
        let shared = Arc::new(Shared::new(project, target, &RenderOptions::default()));
        let mut diags = Diagnostics::default();
        let env = super::build_env(&shared, &mut diags);
        Some(TestMacros { env, shared })
    }

    /// The package and macro a test named `name` (`positive`, `rx_utils.positive`) calls.
    pub fn find(&self, name: &str) -> Option<(String, String)> {
        let (package, test) = match name.split_once('.') {
            Some((p, t)) => (Some(p), t),
            None => (None, name),
        };
        let macro_name = format!("test_{test}");
        match package {
            Some(p) => self
                .shared
                .packages
                .get(p)
                .filter(|m| m.contains_key(&macro_name))
                .map(|_| (p.to_string(), macro_name)),
            None => self
                .shared
                .macro_files
                .contains_key(&macro_name)
                .then(|| (self.shared.root_package.clone(), macro_name)),
        }
    }

    /// The SQL of the failing rows: the test macro called with `model` (the relation, or a
    /// subquery of it), `column_name` for a column's test, and the test's arguments.
    pub fn render(
        &self,
        (package, macro_name): &(String, String),
        model: &str,
        column: Option<&str>,
        args: &BTreeMap<String, serde_json::Value>,
    ) -> Result<String, String> {
        let mut call = format!("{{{{ {package}.{macro_name}(model=__model");
        let mut ctx: BTreeMap<String, Value> = BTreeMap::new();
        ctx.insert("__model".into(), Value::from_safe_string(model.to_string()));
        if let Some(c) = column {
            call.push_str(", column_name=__column");
            ctx.insert("__column".into(), Value::from(c));
        }
        for (i, (k, v)) in args.iter().enumerate() {
            if TEST_CONFIG_KEYS.contains(&k.as_str()) {
                continue;
            }
            if !k.chars().all(|c| c.is_alphanumeric() || c == '_') {
                return Err(crate::t!("e209-test-argument", name = k.clone()));
            }
            let var = format!("__arg{i}");
            call.push_str(&format!(", {k}={var}"));
            ctx.insert(var, Value::from_serialize(v));
        }
        call.push_str(") }}");
        self.env.render_str(&call, Value::from(ctx)).map_err(|e| {
            let mut detail = e
                .detail()
                .map(str::to_string)
                .unwrap_or_else(|| e.kind().to_string());
            if let Some(rest) = detail.split(UNSUPPORTED).nth(1) {
                detail = crate::t!(
                    "e983-unsupported",
                    what = rest.split('\u{1}').next().unwrap_or(rest)
                );
            }
            match e.name() {
                Some(file) if file != "<string>" => match e.line() {
                    Some(line) => format!("{file}:{line}: {detail}"),
                    None => format!("{file}: {detail}"),
                },
                _ => detail,
            }
        })
    }
}
