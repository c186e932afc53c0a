//! Data tests, planned: generic tests from YAML (`not_null`, `unique`, `accepted_values`,
//! `relationships`, `expression_is_true`) and singular tests (`tests/*.sql`), each compiled to
//! an Athena query returning the failing rows (SQL from `templates/tests/`). They are part of
//! the [`super::Plan`] (`karte plan` shows them, `karte build --plan` runs exactly them), and a
//! test that cannot be planned is a compile error (checked by [`crate::compile`]). Running them
//! is [`crate::execute::data_tests`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use minijinja::Environment;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diag::{suggest, Code, Diagnostic, Location};
use crate::graph::Compiled;
use crate::plan::TableRef;
use crate::project::{NodeKind, TestSpec};

const TEMPLATES: &[(&str, &str)] = &[
    (
        "not_null",
        include_str!("../../templates/tests/not_null.sql"),
    ),
    ("unique", include_str!("../../templates/tests/unique.sql")),
    (
        "accepted_values",
        include_str!("../../templates/tests/accepted_values.sql"),
    ),
    (
        "relationships",
        include_str!("../../templates/tests/relationships.sql"),
    ),
    (
        "expression_is_true",
        include_str!("../../templates/tests/expression_is_true.sql"),
    ),
    (
        "min_cell_size",
        include_str!("../../templates/tests/min_cell_size.sql"),
    ),
];

/// A data test ready to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataTest {
    /// `test.<project>.<name>`.
    pub unique_id: String,
    /// e.g. `not_null_receipts_receipt_id`.
    pub name: String,
    /// Unique ids of the node tested (first) and of the other nodes the test reads (the
    /// `to` of `relationships`), or of the nodes a singular test reads.
    pub depends_on: Vec<String>,
    /// Athena SQL returning the failing rows.
    pub sql: String,
    /// `error` or `warn`.
    pub severity: String,
    /// Where failing rows are stored, if `store_failures`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_failures: Option<TableRef>,
    /// Columns of the failing rows whose values are never shown (lower case): every column
    /// name the project classifies, and `value` when the tested column is classified;
    /// [`MASK_ALL`] when the project classifies no column at all.
    pub masked: BTreeSet<String>,
}

/// `x` of a test argument written `ref('x')`.
fn ref_name(s: &str) -> Option<String> {
    let inner = s.trim().strip_prefix("ref(")?.strip_suffix(')')?;
    Some(inner.trim().trim_matches(['\'', '"']).to_string())
}

/// In [`DataTest::masked`]: no value of any column is shown.
pub const MASK_ALL: &str = "*";

#[derive(Serialize)]
struct Inputs {
    model: String,
    column: String,
    values: Vec<String>,
    to: String,
    field: String,
    expression: String,
}

/// Tests of the selected nodes: generic tests of selected models, seeds and snapshots, and
/// singular tests that are selected.
pub fn collect(c: &Compiled, selected: &[usize]) -> Result<Vec<DataTest>, Vec<Diagnostic>> {
    plan_tests(c, selected, true)
}

/// Whether every test of `selected` can be planned (what [`crate::compile`] checks): the same
/// planning as [`collect`] without what only running needs (the masked columns of failing
/// rows, and `min_cell_size` tests, which cannot fail to plan).
pub fn check(c: &Compiled, selected: &[usize]) -> Result<(), Vec<Diagnostic>> {
    plan_tests(c, selected, false).map(|_| ())
}

fn plan_tests(
    c: &Compiled,
    selected: &[usize],
    to_run: bool,
) -> Result<Vec<DataTest>, Vec<Diagnostic>> {
    let mut env = crate::render::environment(false);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .expect("built-in test templates are valid");
    }
    let by_name: HashMap<String, usize> = c
        .project
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind.is_relation())
        .map(|(i, n)| (n.name.to_lowercase(), i))
        .collect();
    // A deferred parent (`--defer`) is read where the saved manifest says it is.
    let relation_of = |i: usize| c.relation(i);
    let classified = if to_run {
        let mut named = classified_columns(&c.project);
        // A project that classifies nothing cannot say which columns are personal: none of
        // its failing rows' values is shown.
        let any_class = c
            .classes
            .relations
            .values()
            .flat_map(|cols| cols.values())
            .any(|cc| !cc.classes.is_empty());
        if named.is_empty() && !any_class {
            named.insert(MASK_ALL.to_string());
        }
        named
    } else {
        BTreeSet::new()
    };
    // A dbt project's own generic tests (`{% test %}` blocks, also of its packages).
    let test_macros = crate::render::dbt::TestMacros::new(&c.project, &c.target);
    // Each node's tests are planned on their own (in parallel), then numbered in order.
    use rayon::prelude::*;
    let ctx = Ctx {
        by_name: &by_name,
        relation_of: &relation_of,
        classified: &classified,
        to_run,
        test_macros: test_macros.as_ref(),
    };
    let mut planned: Vec<Vec<Result<DataTest, Vec<Diagnostic>>>> = selected
        .par_iter()
        .map(|&i| node_tests(&env, c, i, &ctx))
        .collect();
    // The tests of the sources the selected nodes read (when checking: of every source). They
    // run first, and a model waits for the tests of the sources it reads.
    let selected_set: std::collections::HashSet<usize> = selected.iter().copied().collect();
    let read: BTreeSet<usize> = c
        .models
        .iter()
        .filter(|m| selected_set.contains(&m.node))
        .flat_map(|m| &m.depends_on)
        .filter_map(|d| match d {
            crate::sql::Dependency::Source(s) => Some(*s),
            _ => None,
        })
        .collect();
    for (si, s) in c.project.sources.iter().enumerate() {
        if s.tests.is_empty() || (to_run && !read.contains(&si)) {
            continue;
        }
        let tested = Tested {
            name: format!("{}_{}", s.source, s.name),
            prefix: "source_",
            relation: crate::sql::source_fqn(s, &c.target),
            id: c.project.source_id(si),
        };
        planned.push(generic_tests(&env, c, &tested, &s.tests, &ctx));
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for t in planned.into_iter().flatten() {
        match t {
            Ok(mut t) if !t.unique_id.starts_with("test.") => {
                // A generic test: two with the same name (e.g. the same check twice) get a
                // suffix.
                let n = seen.entry(t.name.clone()).or_insert(0);
                *n += 1;
                if *n > 1 {
                    t.name = format!("{}_{}", t.name, n);
                }
                t.unique_id = format!("test.{}.{}", c.project.config.name, t.name);
                out.push(t)
            }
            Ok(t) => out.push(t),
            Err(d) => errors.extend(d),
        }
    }
    if to_run {
        out.extend(min_cell_size_tests(
            &env,
            c,
            selected,
            &relation_of,
            &classified,
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// What planning a node's tests needs besides the node.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    /// Relation name (lower case) → node, for `relationships`.
    by_name: &'a HashMap<String, usize>,
    /// A node's relation on the target.
    relation_of: &'a (dyn Fn(usize) -> String + Sync),
    /// Column names classified anywhere in the project (masked in failing rows).
    classified: &'a BTreeSet<String>,
    /// Planned to run (else only checked: no SQL, no masks).
    to_run: bool,
    /// A dbt project's `{% test %}` blocks.
    test_macros: Option<&'a crate::render::dbt::TestMacros>,
}

/// The tests of node `i`: a singular test is itself; a model, seed or snapshot has its generic
/// tests (each with an empty `unique_id` until [`collect`] numbers it).
fn node_tests(
    env: &Environment,
    c: &Compiled,
    i: usize,
    ctx: &Ctx,
) -> Vec<Result<DataTest, Vec<Diagnostic>>> {
    let Ctx {
        classified, to_run, ..
    } = *ctx;
    let node = &c.project.nodes[i];
    if node.kind == NodeKind::Test {
        let Some(m) = c.model(i) else {
            return Vec::new();
        };
        let depends_on = m
            .depends_on
            .iter()
            .filter_map(|d| match d {
                crate::sql::Dependency::Node(n) => Some(c.project.node_id(*n)),
                _ => None,
            })
            .collect();
        // Its failing rows' columns that carry a personal class, whatever they are named.
        let mut masked = classified.clone();
        if to_run {
            masked.extend(personal_columns(c, &c.project.node_id(i)));
        }
        return vec![Ok(DataTest {
            unique_id: format!("test.{}.{}", c.project.config.name, node.name),
            name: node.name.clone(),
            depends_on,
            sql: crate::sql::strip_trailing_semicolon(&m.compiled_sql),
            severity: m.config.get_str("severity").unwrap_or("error").to_string(),
            store_failures: None,
            masked,
        })];
    }
    let config = c.model(i).map_or(&node.config, |m| &m.config);
    if config.materialized() == "ephemeral" {
        return Vec::new();
    }
    let tested = Tested {
        name: node.name.clone(),
        prefix: "",
        relation: (ctx.relation_of)(i),
        id: c.project.node_id(i),
    };
    generic_tests(env, c, &tested, &node.tests, ctx)
}

/// The generic tests `specs` of `tested`, each checked for undeclared secrets.
fn generic_tests(
    env: &Environment,
    c: &Compiled,
    tested: &Tested,
    specs: &[TestSpec],
    ctx: &Ctx,
) -> Vec<Result<DataTest, Vec<Diagnostic>>> {
    let to_run = ctx.to_run;
    specs
        .iter()
        .map(|spec| {
            let t = generic(env, c, tested, spec, ctx).map_err(|d| vec![d])?;
            // Secrets in a test's arguments must be declared too (E211): in its SQL, or, when
            // only checking, in the arguments it is made of.
            let yml = spec
                .location
                .clone()
                .unwrap_or_else(|| Location::file_only(std::path::Path::new(&spec.file)));
            let args;
            let text = if to_run {
                &t.sql
            } else {
                args = serde_json::to_string(&spec.args).unwrap_or_default();
                &args
            };
            let undeclared =
                crate::sql::secrets::check_sql(text, &c.project.config.secrets, &|_, _, d| {
                    d.at(yml.clone())
                });
            if undeclared.is_empty() {
                Ok(t)
            } else {
                Err(undeclared)
            }
        })
        .collect()
}

/// One test per person count of the selected models a `min_cell_size` policy covers
/// (see [`crate::governance::person_counts`]).
fn min_cell_size_tests(
    env: &Environment,
    c: &Compiled,
    selected: &[usize],
    relation_of: &dyn Fn(usize) -> String,
    classified: &BTreeSet<String>,
) -> Vec<DataTest> {
    let counts = crate::governance::person_counts(
        &c.project,
        &c.models,
        &c.lineage,
        &c.classes,
        &c.taxonomy,
    );
    counts
        .into_iter()
        .filter(|pc| selected.contains(&pc.node))
        .filter_map(|pc| {
            let node = &c.project.nodes[pc.node];
            let inputs = Inputs {
                model: relation_of(pc.node),
                column: pc.column.clone(),
                values: vec![pc.min.to_string()],
                to: String::new(),
                field: String::new(),
                expression: String::new(),
            };
            let sql = env
                .get_template("min_cell_size")
                .and_then(|t| t.render(&inputs))
                .ok()?;
            let name = format!("min_cell_size_{}_{}", node.name, pc.column).to_lowercase();
            Some(DataTest {
                unique_id: format!("test.{}.{name}", c.project.config.name),
                name,
                depends_on: vec![c.project.node_id(pc.node)],
                sql: sql.trim().to_string(),
                severity: "error".into(),
                store_failures: None,
                masked: classified.clone(),
            })
        })
        .collect()
}

/// What a generic test tests: a model, seed or snapshot, or a declared source table.
struct Tested {
    /// Shown in messages and part of the test's name (`receipts`, `raw_claims`).
    name: String,
    /// Prefix of the test's name (`source_` for a source's tests, as in dbt).
    prefix: &'static str,
    /// Its relation on the target.
    relation: String,
    /// Its unique id (`model.p.x`, `source.p.s.t`).
    id: String,
}

fn generic(
    env: &Environment,
    c: &Compiled,
    tested: &Tested,
    spec: &TestSpec,
    ctx: &Ctx,
) -> Result<DataTest, Diagnostic> {
    let Ctx {
        by_name,
        relation_of,
        classified,
        to_run,
        test_macros,
    } = *ctx;
    let yml = spec
        .location
        .clone()
        .unwrap_or_else(|| Location::file_only(std::path::Path::new(&spec.file)));
    let fail = |message: String, help: String| {
        Diagnostic::error(Code::InvalidConfig, message)
            .at(yml.clone())
            .help(help)
    };
    let args: &BTreeMap<String, Value> = &spec.args;
    let config = args.get("config").and_then(Value::as_object);
    // dbt 1.10 writes a test's arguments under `arguments:`.
    let arguments = args.get("arguments").and_then(Value::as_object);
    let get = |key: &str| {
        args.get(key)
            .or_else(|| arguments.and_then(|a| a.get(key)))
            .or_else(|| config.and_then(|c| c.get(key)))
    };
    let column = spec
        .column
        .clone()
        .or_else(|| get("column_name").and_then(Value::as_str).map(String::from));
    let severity = get("severity")
        .and_then(Value::as_str)
        .unwrap_or("error")
        .to_lowercase();
    if severity != "error" && severity != "warn" {
        return Err(fail(
            crate::t!(
                "plan-test-bad-severity",
                severity = severity,
                model = tested.name
            ),
            crate::t!("plan-test-bad-severity-help"),
        ));
    }
    let model = match get("where").and_then(Value::as_str) {
        Some(w) => format!("(SELECT * FROM {} WHERE {w})", tested.relation),
        None => tested.relation.clone(),
    };
    let mut depends_on = vec![tested.id.clone()];
    let mut inputs = Inputs {
        model,
        column: column.clone().unwrap_or_default(),
        values: Vec::new(),
        to: String::new(),
        field: String::new(),
        expression: String::new(),
    };
    let needs_column = |inputs: &Inputs| -> Result<(), Diagnostic> {
        if inputs.column.is_empty() {
            Err(fail(
                crate::t!(
                    "plan-test-needs-column",
                    test = spec.name,
                    model = tested.name
                ),
                crate::t!("plan-test-needs-column-help"),
            ))
        } else {
            Ok(())
        }
    };
    let mut custom_sql = None;
    match spec.name.as_str() {
        "not_null" | "unique" => needs_column(&inputs)?,
        "accepted_values" => {
            needs_column(&inputs)?;
            let Some(values) = get("values").and_then(Value::as_array) else {
                return Err(fail(
                    crate::t!(
                        "plan-test-no-values",
                        model = tested.name,
                        column = inputs.column
                    ),
                    crate::t!("plan-test-no-values-help"),
                ));
            };
            let quote = get("quote").and_then(Value::as_bool).unwrap_or(true);
            inputs.values = values
                .iter()
                .map(|v| match v {
                    Value::String(s) if quote => format!("'{}'", s.replace('\'', "''")),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
        }
        "relationships" => {
            needs_column(&inputs)?;
            let to = get("to").and_then(Value::as_str).unwrap_or_default();
            let target =
                ref_name(to).unwrap_or_else(|| to.rsplit('.').next().unwrap_or(to).to_string());
            let Some(&parent) = by_name.get(&target.to_lowercase()) else {
                let names = by_name.keys().map(String::as_str);
                return Err(Diagnostic::error(
                    Code::UnknownModel,
                    crate::t!(
                        "plan-test-unknown-parent",
                        model = tested.name,
                        target = target
                    ),
                )
                .at(yml)
                .maybe_help(
                    suggest(&target, names).map(|s| crate::t!("plan-did-you-mean", name = s)),
                ));
            };
            inputs.to = relation_of(parent);
            inputs.field = get("field")
                .and_then(Value::as_str)
                .unwrap_or(&inputs.column)
                .to_string();
            depends_on.push(c.project.node_id(parent));
        }
        "expression_is_true" => {
            let Some(e) = get("expression").and_then(Value::as_str) else {
                return Err(fail(
                    crate::t!("plan-test-no-expression", model = tested.name),
                    crate::t!("plan-test-no-expression-help"),
                ));
            };
            inputs.expression = e.to_string();
        }
        other => {
            let found = test_macros.and_then(|t| t.find(other).map(|m| (t, m)));
            let Some((macros, found)) = found else {
                let names = TEMPLATES.iter().map(|(n, _)| *n);
                return Err(fail(
                    crate::t!("plan-test-unknown", test = other, model = tested.name),
                    suggest(other, names)
                        .map(|s| crate::t!("plan-did-you-mean", name = s))
                        .unwrap_or_else(|| crate::t!("plan-test-unknown-help")),
                ));
            };
            // The arguments, written directly or under `arguments:`; a `ref('x')` is the
            // relation of x (read by the test, so run after it).
            let mut test_args: BTreeMap<String, Value> = BTreeMap::new();
            for (k, v) in args.iter().chain(arguments.into_iter().flatten()) {
                if k == "arguments" {
                    continue;
                }
                let v = match v.as_str().and_then(ref_name) {
                    Some(target) => {
                        let Some(&parent) = by_name.get(&target.to_lowercase()) else {
                            return Err(Diagnostic::error(
                                Code::UnknownModel,
                                crate::t!(
                                    "plan-test-unknown-ref",
                                    model = tested.name,
                                    target = target
                                ),
                            )
                            .at(yml));
                        };
                        depends_on.push(c.project.node_id(parent));
                        Value::String(relation_of(parent))
                    }
                    None => v.clone(),
                };
                test_args.insert(k.clone(), v);
            }
            let sql = macros
                .render(&found, &inputs.model, column.as_deref(), &test_args)
                .map_err(|detail| {
                    Diagnostic::error(
                        Code::TemplateError,
                        crate::t!(
                            "plan-test-macro-failed",
                            test = other,
                            model = tested.name,
                            detail = detail
                        ),
                    )
                    .at(yml.clone())
                })?;
            custom_sql = Some(sql);
        }
    }
    // Checking (not running) needs no SQL: what can be wrong is in the arguments.
    let sql = if let Some(sql) = custom_sql {
        sql
    } else if to_run {
        env.get_template(&spec.name)
            .and_then(|t| t.render(&inputs))
            .map_err(|e| {
                Diagnostic::error(
                    Code::Internal,
                    crate::t!("plan-test-template-failed", error = e.to_string()),
                )
            })?
    } else {
        String::new()
    };
    // A package's test (`dbt_utils.accepted_range`) is named as dbt names it.
    let test = spec.name.replace('.', "_");
    let name = match &column {
        Some(col) => format!("{}{}_{}_{}", tested.prefix, test, tested.name, col),
        None => format!("{}{}_{}", tested.prefix, test, tested.name),
    }
    .to_lowercase();
    let store_failures = get("store_failures")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        .then(|| TableRef {
            schema: c.target.schema("test_failures"),
            name: name.clone(),
        });
    let mut masked = classified.clone();
    let personal = if to_run {
        personal_columns(c, &tested.id)
    } else {
        BTreeSet::new()
    };
    masked.extend(personal.iter().cloned());
    if column.as_ref().is_some_and(|col| {
        classified.contains(&col.to_lowercase()) || personal.contains(&col.to_lowercase())
    }) {
        // unique, accepted_values and relationships return the tested column as `value`.
        masked.insert("value".into());
    }
    Ok(DataTest {
        // Set by `collect` once the name is unique.
        unique_id: String::new(),
        name,
        depends_on,
        sql: sql.trim().to_string(),
        severity,
        store_failures,
        masked,
    })
}

/// The columns of a relation (or a singular test's rows) whose classes, as the lineage carries
/// them, are personal: any class but `aggregate`.
fn personal_columns(c: &Compiled, relation: &str) -> BTreeSet<String> {
    c.classes
        .relations
        .get(relation)
        .into_iter()
        .flatten()
        .filter(|(_, cc)| cc.classes.iter().any(|k| k != "aggregate"))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Lower-case names of the columns the project classifies (`classification:` on a column of a
/// model, seed, snapshot, source or ingest rule). Conservative: a name classified anywhere is
/// hidden everywhere.
pub fn classified_columns(project: &crate::project::Project) -> BTreeSet<String> {
    let nodes = project.nodes.iter().flat_map(|n| &n.columns);
    let sources = project.sources.iter().flat_map(|s| &s.columns);
    nodes
        .chain(sources)
        .filter(|col| {
            col.classification
                .as_deref()
                .is_some_and(|c| !c.trim().is_empty())
        })
        .map(|col| col.name.to_lowercase())
        .collect()
}
