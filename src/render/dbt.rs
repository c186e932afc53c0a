//! What a dbt project's templates see besides karte's functions (docs/dbt.md): `target.*` from
//! its profile, `execute`, `run_started_at`, `invocation_id`, `log`, `print`, `exceptions`,
//! `adapter.quote`, `return()` in macros; the macros of macro paths callable from anywhere by
//! name, as in dbt; the schema of every node from `generate_schema_name` (dbt's default, or the
//! project's macro of that name). What karte does not support yet (`adapter.dispatch`,
//! `run_query`, `statement`, `load_result`) is an error E983 at the call.

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

/// A macro file rewritten for a dbt project: each `{% macro name(` becomes
/// `{% macro __karte_name(`, so that every call of `name` — also from a macro of the same file —
/// goes through the global `name` (which handles `return()`). Returns the text, where names
/// were inserted (position in the new text, length), for locating errors in the original.
pub(super) fn rename_macros(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(text.len() + 64);
    let mut inserted = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("{%") {
        let start = from + i + 2;
        let rest = &text[start..];
        let after_marks = rest.trim_start_matches(['-', '+']);
        let trimmed = after_marks.trim_start();
        let mut next = start;
        if let Some(after) = trimmed.strip_prefix("macro") {
            if after.starts_with(char::is_whitespace) {
                let name_at = text.len() - after.trim_start().len();
                out.push_str(&text[from..name_at]);
                inserted.push((out.len(), INNER.len()));
                out.push_str(INNER);
                next = name_at;
            }
        }
        if next == start {
            out.push_str(&text[from..start]);
        }
        from = next;
    }
    out.push_str(&text[from..]);
    (out, inserted)
}

/// A position of a renamed text back in the original.
pub(super) fn back(inserted: &[(usize, usize)], pos: usize) -> usize {
    let mut shift = 0;
    for &(at, len) in inserted {
        if pos >= at + len {
            shift += len;
        } else if pos >= at {
            return at - shift;
        }
    }
    pos - shift
}

thread_local! {
    /// One entry per macro being called through its global: the value `return()` gave.
    static RETURNS: RefCell<Vec<Option<Value>>> = const { RefCell::new(Vec::new()) };
}

/// Call macro `name` (renamed in `file`) with `args`: its `return()` value, else its output.
fn call_macro(state: &State, file: &str, name: &str, args: &[Value]) -> Result<Value, Error> {
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

/// `adapter`: `quote` works; `dispatch` and the methods that ask the database are E983.
#[derive(Debug)]
struct Adapter;

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
            "dispatch" => Err(unsupported("adapter.dispatch", "e983-help-dispatch")),
            other => Err(unsupported(&format!("adapter.{other}"), "e983-help-query")),
        }
    }
}

/// `dbt`: the namespace of dbt's own macros (`dbt.date_trunc(...)`), none of which karte has
/// yet: each is E983.
#[derive(Debug)]
struct DbtMacros;

impl Object for DbtMacros {
    fn call_method(
        self: &Arc<Self>,
        _state: &State,
        method: &str,
        _args: &[Value],
    ) -> Result<Value, Error> {
        Err(unsupported(&format!("dbt.{method}"), "e983-help-builtin"))
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
    for (name, file) in &shared.macro_files {
        let (name_c, file_c) = (name.clone(), file.clone());
        env.add_function(name.clone(), move |state: &State, args: Rest<Value>| {
            call_macro(state, &file_c, &name_c, &args)
        });
    }
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
    env.add_global("execute", true);
    env.add_global("adapter", Value::from_object(Adapter));
    env.add_global("dbt", Value::from_object(DbtMacros));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_macros_and_maps_positions_back() {
        let text = "{% macro a(x) %}{{ b() }}{% endmacro %}\n{%- macro b() -%}1{% endmacro %}";
        let (out, ins) = rename_macros(text);
        assert_eq!(
            out,
            "{% macro __karte_a(x) %}{{ b() }}{% endmacro %}\n{%- macro __karte_b() -%}1{% endmacro %}"
        );
        let b_call = out.find("b()").unwrap();
        assert_eq!(back(&ins, b_call), text.find("b()").unwrap());
        let last = out.rfind("endmacro").unwrap();
        assert_eq!(back(&ins, last), text.rfind("endmacro").unwrap());
    }
}
