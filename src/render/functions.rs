//! The functions and globals karte gives templates: `ref()`, `source()`, `config()`, `var()`,
//! `env_var()`, `raise_error()`, `is_incremental()` and `target`. What they see during one
//! model's render (references, sources, config, errors to locate in the source afterwards) goes
//! to that thread's [`Collector`].

use std::cell::RefCell;
use std::sync::Arc;

use minijinja::value::{Kwargs, Rest, Value};
use minijinja::{Environment, ErrorKind};

use super::Shared;
use crate::diag::{suggest, Code};
use crate::project::{is_known_config_key, KNOWN_CONFIG_KEYS};

/// What the template functions of one render record.
#[derive(Default)]
pub(super) struct Collector {
    /// The node's config before its own `config()` calls (for `config.get`).
    pub(super) base: crate::project::NodeConfig,
    pub(super) refs: Vec<String>,
    pub(super) sources: Vec<(String, String)>,
    pub(super) config: Vec<(String, serde_json::Value)>,
    pub(super) errors: Vec<PendingError>,
}

/// An error found by a template function; located in the source after rendering.
pub(super) struct PendingError {
    pub(super) code: Code,
    pub(super) message: String,
    /// (function, first argument) to find the call in the source; an empty function name
    /// means: find the argument text itself.
    pub(super) call: Option<(&'static str, String)>,
    pub(super) label: String,
    pub(super) help: Option<String>,
}

thread_local! {
    static COLLECTOR: RefCell<Option<Collector>> = const { RefCell::new(None) };
}

fn with_collector(f: impl FnOnce(&mut Collector)) {
    COLLECTOR.with(|c| {
        if let Some(c) = c.borrow_mut().as_mut() {
            f(c)
        }
    })
}

fn pending(
    code: Code,
    message: String,
    call: Option<(&'static str, String)>,
    label: &str,
    help: Option<String>,
) {
    with_collector(|c| {
        c.errors.push(PendingError {
            code,
            message,
            call,
            label: label.to_string(),
            help,
        })
    });
}

thread_local! {
    static IS_INCREMENTAL: RefCell<bool> = const { RefCell::new(false) };
}

fn with_is_incremental<T>(flag: bool, f: impl FnOnce() -> T) -> T {
    IS_INCREMENTAL.with(|c| *c.borrow_mut() = flag);
    let r = f();
    IS_INCREMENTAL.with(|c| *c.borrow_mut() = false);
    r
}

/// `ref('model')` (or `ref('package', 'model')`): the relation of a model, seed or snapshot,
/// recorded as a dependency.
fn ref_(s: &Shared, args: Rest<String>) -> Result<Value, minijinja::Error> {
    let name = match args.as_slice() {
        [name] | [_, name] => name.clone(),
        _ => {
            return Err(minijinja::Error::new(
                ErrorKind::InvalidOperation,
                crate::t!("e208-ref-arguments"),
            ))
        }
    };
    with_collector(|c| c.refs.push(name.clone()));
    match s.relations.get(&name.to_lowercase()) {
        Some(r) => Ok(Value::from_object(r.clone())),
        None => {
            pending(
                Code::UnknownModel,
                crate::t!("e204-unknown-model", name = name),
                Some(("ref", name.clone())),
                &crate::t!("e204-label"),
                suggest(&name, s.relation_names.iter().map(String::as_str))
                    .map(|x| crate::t!("project-did-you-mean", name = x)),
            );
            Ok(Value::from(name))
        }
    }
}

/// `source('source', 'table')`: the relation of a declared source table, recorded as a
/// dependency.
fn source(s: &Shared, src: String, table: String) -> Value {
    with_collector(|c| c.sources.push((src.clone(), table.clone())));
    match s.sources.get(&(src.to_lowercase(), table.to_lowercase())) {
        Some(r) => Value::from_object(r.clone()),
        None => {
            pending(
                Code::UnknownSource,
                crate::t!("e205-unknown-source", source = format!("{src}.{table}")),
                Some(("source", src.clone())),
                &crate::t!("e205-label"),
                suggest(
                    &format!("{src}.{table}"),
                    s.source_names.iter().map(String::as_str),
                )
                .map(|x| crate::t!("project-did-you-mean", name = x))
                .or(Some(crate::t!("e205-help"))),
            );
            Value::from(format!("{src}.{table}"))
        }
    }
}

/// `config`: called, it sets the model's config (`config(materialized='table')`); its methods
/// read it as dbt's do: `config.get('key', default)`, `config.require('key')`.
#[derive(Debug)]
struct ConfigObject {
    dbt: bool,
}

impl minijinja::value::Object for ConfigObject {
    fn call(
        self: &Arc<Self>,
        _state: &minijinja::State<'_, '_>,
        args: &[Value],
    ) -> Result<Value, minijinja::Error> {
        let (kwargs,): (Kwargs,) = minijinja::value::from_args(args)?;
        config(self.dbt, kwargs).map(Value::from)
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &minijinja::State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, minijinja::Error> {
        let (key, default): (String, Option<Value>) = minijinja::value::from_args(args)?;
        let mut found: Option<serde_json::Value> = None;
        with_collector(|c| {
            found = c
                .config
                .iter()
                .rev()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
                .or_else(|| c.base.0.get(&key).cloned());
        });
        match (method, found, default) {
            ("get" | "require", Some(v), _) => Ok(Value::from_serialize(&v)),
            ("get", None, d) => Ok(d.unwrap_or(Value::from(()))),
            ("require", None, _) => Err(minijinja::Error::new(
                ErrorKind::InvalidOperation,
                crate::t!("render-config-required", key = key),
            )),
            (other, _, _) => Err(minijinja::Error::new(
                ErrorKind::UnknownMethod,
                format!("config.{other}"),
            )),
        }
    }
}

/// `exceptions.warn(message)` of a dbt project: a warning (W982) at the model.
pub(super) fn warn(message: String) {
    pending(Code::DbtWarn, message, None, "", None);
}

/// `config(key=value, …)`: the model's config, over the project's and the property files'.
/// In a dbt project, dbt's keys are known too (`pre-hook` is kept as `pre_hook`).
fn config(dbt: bool, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let mut entries = Vec::new();
    for key in kwargs.args() {
        let v: Value = kwargs.get(key)?;
        let json = serde_json::to_value(&v).unwrap_or(serde_json::Value::Null);
        let key: String = if dbt {
            key.replace('-', "_")
        } else {
            key.to_string()
        };
        let key = key.as_str();
        if !is_known_config_key(key, dbt) {
            pending(
                Code::UnknownConfigKey,
                crate::t!("w001-unknown-config-key", key = key),
                Some(("", key.to_string())),
                &crate::t!("w001-unknown-config-key-label"),
                suggest(key, KNOWN_CONFIG_KEYS.iter().copied())
                    .map(|x| crate::t!("project-did-you-mean", name = x)),
            );
        }
        entries.push((key.to_string(), json));
    }
    with_collector(|c| c.config.extend(entries));
    Ok(String::new())
}

/// `var('name'[, default])`: a project or command-line variable.
fn var(s: &Shared, name: String, default: Option<Value>) -> Value {
    if let Some(v) = s.vars.get(&name) {
        return Value::from_serialize(v);
    }
    if let Some(d) = default {
        return d;
    }
    let mut names: Vec<&str> = s.vars.keys().map(String::as_str).collect();
    names.sort();
    pending(
        Code::UnknownVar,
        crate::t!("e203-unknown-var", name = name),
        Some(("var", name.clone())),
        &crate::t!("e203-label"),
        Some(
            suggest(&name, names.iter().copied())
                .map(|x| crate::t!("project-did-you-mean", name = x))
                .unwrap_or_else(|| crate::t!("e203-help", name = name)),
        ),
    );
    Value::from("")
}

/// `env_var('NAME'[, default])`: a declared (or `KARTE_`) environment variable; never a secret.
fn env_var(s: &Shared, name: String, default: Option<Value>) -> Value {
    if s.secrets.contains(&name) {
        pending(
            Code::EnvVarNotAllowed,
            crate::t!("e206-secret", name = name),
            Some(("env_var", name.clone())),
            &crate::t!("e206-secret-label"),
            Some(crate::t!("e206-secret-help", name = name)),
        );
        return Value::from("");
    }
    // A dbt project reads any variable but dbt's secrets (as dbt does).
    let allowed = if s.dbt {
        !name.starts_with("DBT_ENV_SECRET")
    } else {
        name.starts_with("KARTE_") || s.env_vars.contains(&name)
    };
    if !allowed {
        pending(
            Code::EnvVarNotAllowed,
            crate::t!("e206-not-declared", name = name),
            Some(("env_var", name.clone())),
            &crate::t!("e206-not-declared-label"),
            Some(crate::t!("e206-not-declared-help", name = name)),
        );
        return Value::from("");
    }
    match (std::env::var(&name), default) {
        (Ok(v), _) => Value::from(v),
        (Err(_), Some(d)) => d,
        (Err(_), None) => {
            pending(
                Code::EnvVarMissing,
                crate::t!("e207-env-var-missing", name = name),
                Some(("env_var", name.clone())),
                &crate::t!("e207-label"),
                Some(crate::t!("e207-help", name = name)),
            );
            Value::from("")
        }
    }
}

/// `raise_error('message')`: fails the render with `message`.
fn raise_error(message: String) -> Result<String, minijinja::Error> {
    Err(minijinja::Error::new(ErrorKind::InvalidOperation, message))
}

/// `is_incremental()`: true while a model that exists and is not fully refreshed renders.
fn is_incremental() -> bool {
    IS_INCREMENTAL.with(|c| *c.borrow())
}

/// Adds karte's template functions and globals to `env`.
pub(super) fn add(env: &mut Environment<'static>, shared: &Arc<Shared>) {
    let s = shared.clone();
    env.add_function("ref", move |args: Rest<String>| ref_(&s, args));
    let s = shared.clone();
    env.add_function("source", move |src: String, table: String| {
        source(&s, src, table)
    });
    env.add_global(
        "config",
        Value::from_object(ConfigObject { dbt: shared.dbt }),
    );
    let s = shared.clone();
    env.add_function("var", move |name: String, default: Option<Value>| {
        var(&s, name, default)
    });
    let s = shared.clone();
    env.add_function("env_var", move |name: String, default: Option<Value>| {
        env_var(&s, name, default)
    });
    env.add_function("raise_error", raise_error);
    env.add_global("target", shared.target.clone());
    env.add_function("is_incremental", is_incremental);
}

/// Runs `f` (one model's render) with a fresh [`Collector`] and `is_incremental()` answering
/// `incremental`; returns what `f` returned and what the template functions collected.
pub(super) fn collecting<T>(
    incremental: bool,
    base: &crate::project::NodeConfig,
    f: impl FnOnce() -> T,
) -> (T, Collector) {
    COLLECTOR.with(|c| {
        *c.borrow_mut() = Some(Collector {
            base: base.clone(),
            ..Collector::default()
        })
    });
    let result = with_is_incremental(incremental, f);
    let collected = COLLECTOR
        .with(|c| c.borrow_mut().take())
        .unwrap_or_default();
    (result, collected)
}
