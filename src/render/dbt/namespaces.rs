//! Which macro a dbt template's call reaches (docs/dbt.md, "Packages and adapter.dispatch"):
//!
//! - `name(...)`: a macro of the project (or one of karte's own), else one of dbt's own
//!   (karte's versions, `templates/dbt/macros.sql`), else — where dbt stops — one of the
//!   package whose macro is running;
//! - `package.name(...)`: that package's macro (`dbt.name` for dbt's own, the project's name
//!   for the project's);
//! - `adapter.dispatch('name', 'namespace')(...)`: the first of `athena__name`,
//!   `default__name` in each package of the search order — the `dispatch:` config of
//!   dbt_project.yml for that namespace, else the project then the namespace (no namespace:
//!   the running package, the project, then dbt's own). karte reads every model as Athena SQL
//!   (the local engine translates it), so `athena__` comes first on every target.

use std::cell::RefCell;
use std::sync::Arc;

use minijinja::value::{from_args, Kwargs, Object, Value};
use minijinja::{Error, ErrorKind, State};

use super::Shared;

/// The adapter prefixes `adapter.dispatch` tries, in order.
const PREFIXES: [&str; 2] = ["athena", "default"];

thread_local! {
    /// The package of each macro being called (innermost last).
    static PACKAGE: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn current_package() -> Option<String> {
    PACKAGE.with(|p| p.borrow().last().cloned())
}

/// Call macro `name` of `package` (defined in `file`) with `args`.
fn call_in(
    state: &State,
    package: &str,
    file: &str,
    name: &str,
    args: &[Value],
) -> Result<Value, Error> {
    PACKAGE.with(|p| p.borrow_mut().push(package.to_string()));
    let result = super::call_macro(state, file, name, args);
    PACKAGE.with(|p| p.borrow_mut().pop());
    result
}

impl Shared {
    /// The package and file an unqualified call of `name` reaches: the project's (or one of
    /// karte's), else dbt's own, as in dbt; else — where dbt would stop with "undefined" — a
    /// macro of the package whose macro is running.
    fn resolve(&self, name: &str) -> Option<(String, String)> {
        if let Some(file) = self.macro_files.get(name) {
            return Some((self.root_package.clone(), file.clone()));
        }
        if let Some(file) = self.packages.get("dbt").and_then(|m| m.get(name)) {
            return Some(("dbt".to_string(), file.clone()));
        }
        let p = current_package().filter(|p| *p != self.root_package)?;
        let file = self.packages.get(&p)?.get(name)?;
        Some((p, file.clone()))
    }

    /// True if `path` is a file of an installed package (not the project's, not karte's).
    pub(in crate::render) fn is_package_file(&self, path: &str) -> bool {
        self.packages
            .iter()
            .filter(|(p, _)| **p != self.root_package && *p != "dbt")
            .any(|(_, m)| m.values().any(|f| f == path))
    }

    /// Every name a template may call without a package: the project's and karte's macros,
    /// every package's (each reached from its own package only) and dbt's own.
    pub(super) fn callable_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .macro_files
            .keys()
            .chain(self.packages.values().flat_map(|m| m.keys()))
            .cloned()
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// The global function behind an unqualified call of `name`.
pub(super) fn call_global(
    state: &State,
    shared: &Shared,
    name: &str,
    args: &[Value],
) -> Result<Value, Error> {
    match shared.resolve(name) {
        Some((package, file)) => call_in(state, &package, &file, name, args),
        None => {
            // Only some package has it: dbt asks for the package's name too.
            let owner = shared
                .packages
                .iter()
                .find(|(p, m)| **p != shared.root_package && m.contains_key(name))
                .map(|(p, _)| p.clone())
                .unwrap_or_default();
            Err(Error::new(
                ErrorKind::InvalidOperation,
                crate::t!("e209-macro-in-package", name = name, package = owner),
            ))
        }
    }
}

/// A package as templates see it: `dbt_utils.star(...)`, `dbt.date_trunc(...)`.
pub(super) struct Namespace {
    pub(super) shared: Arc<Shared>,
    pub(super) package: String,
}

impl std::fmt::Debug for Namespace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.package)
    }
}

impl Namespace {
    fn find(&self, name: &str) -> Option<&String> {
        self.shared.packages.get(&self.package)?.get(name)
    }
}

impl Object for Namespace {
    fn call_method(
        self: &Arc<Self>,
        state: &State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match self.find(method) {
            Some(file) => call_in(state, &self.package, file, method, args),
            None if self.package == "dbt" => Err(super::unsupported(
                &format!("dbt.{method}"),
                "e983-help-builtin",
            )),
            None => Err(Error::new(
                ErrorKind::InvalidOperation,
                crate::t!(
                    "e209-no-macro-in-package",
                    name = method,
                    package = self.package.clone()
                ),
            )),
        }
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        let file = self.find(name)?;
        Some(Value::from_object(MacroRef {
            package: self.package.clone(),
            file: file.clone(),
            name: name.to_string(),
        }))
    }
}

/// One macro as a value (what `adapter.dispatch` returns; `dbt_utils.star` without a call).
#[derive(Debug)]
struct MacroRef {
    package: String,
    file: String,
    name: String,
}

impl Object for MacroRef {
    fn call(self: &Arc<Self>, state: &State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        call_in(state, &self.package, &self.file, &self.name, args)
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.package, self.name)
    }
}

/// `adapter.dispatch(macro_name, macro_namespace=None)`.
pub(super) fn dispatch(shared: &Shared, args: &[Value]) -> Result<Value, Error> {
    let (name, namespace, kwargs): (String, Option<String>, Kwargs) = from_args(args)?;
    let namespace = match namespace {
        Some(n) => Some(n),
        None => kwargs.get::<Option<String>>("macro_namespace")?,
    };
    // dbt's old `packages=` argument: removed in dbt 1.0, refused there too.
    if kwargs.has("packages") {
        return Err(super::unsupported(
            "adapter.dispatch(packages=...)",
            "e983-help-dispatch-packages",
        ));
    }
    kwargs.assert_all_used()?;
    let root = shared.root_package.clone();
    let (search, configured) = match &namespace {
        None => (
            current_package()
                .filter(|p| *p != root)
                .into_iter()
                .chain([root.clone(), "dbt".to_string()])
                .collect::<Vec<_>>(),
            false,
        ),
        Some(ns) => match shared.dispatch.get(ns) {
            Some(order) => (order.clone(), true),
            None => (vec![root.clone(), ns.clone()], false),
        },
    };
    // The project may be the namespace too: each package is searched once.
    let mut search_once: Vec<&String> = Vec::new();
    for p in &search {
        if !search_once.contains(&p) {
            search_once.push(p);
        }
    }
    let mut tried = Vec::new();
    for package in search_once {
        let Some(macros) = shared.packages.get(package) else {
            if configured || namespace.as_ref() == Some(package) {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    crate::t!("e209-dispatch-no-package", package = package.clone()),
                ));
            }
            continue;
        };
        for prefix in PREFIXES {
            let candidate = format!("{prefix}__{name}");
            if let Some(file) = macros.get(&candidate) {
                return Ok(Value::from_object(MacroRef {
                    package: package.clone(),
                    file: file.clone(),
                    name: candidate,
                }));
            }
            tried.push(format!("{package}.{candidate}"));
        }
    }
    Err(Error::new(
        ErrorKind::InvalidOperation,
        crate::t!(
            "e209-dispatch-not-found",
            name = name,
            tried = tried.join(", ")
        ),
    ))
}
