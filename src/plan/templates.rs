//! The SQL of every materialization comes from minijinja templates in `templates/<engine>/`,
//! embedded in the binary. A project macro named `<engine>_<template>` (e.g. `athena_ctas`)
//! overrides the built-in template; it receives the same inputs as one argument, `m`.

use minijinja::{Environment, Value};
use serde::Serialize;

use crate::diag::{display_path, Code, Diagnostic, Location};
use crate::project::{Project, TargetType};

/// Built-in templates: (engine, name, source).
const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "athena",
        "create_view",
        include_str!("../../templates/athena/create_view.sql"),
    ),
    (
        "athena",
        "ctas",
        include_str!("../../templates/athena/ctas.sql"),
    ),
    (
        "athena",
        "insert_into",
        include_str!("../../templates/athena/insert_into.sql"),
    ),
    (
        "athena",
        "merge",
        include_str!("../../templates/athena/merge.sql"),
    ),
    (
        "athena",
        "delete_insert",
        include_str!("../../templates/athena/delete_insert.sql"),
    ),
    (
        "athena",
        "distinct_partitions",
        include_str!("../../templates/athena/distinct_partitions.sql"),
    ),
    (
        "athena",
        "snapshot_rewrite",
        include_str!("../../templates/athena/snapshot_rewrite.sql"),
    ),
    (
        "athena",
        "snapshot_merge",
        include_str!("../../templates/athena/snapshot_merge.sql"),
    ),
    (
        "athena",
        "snapshot_initial",
        include_str!("../../templates/athena/snapshot_initial.sql"),
    ),
    (
        "athena",
        "release_copy",
        include_str!("../../templates/athena/release_copy.sql"),
    ),
];

/// The template set of one engine, with project overrides.
pub struct Templates {
    env: Environment<'static>,
    engine: &'static str,
    /// Template name → project macro file overriding it.
    overrides: std::collections::BTreeMap<String, String>,
}

impl Templates {
    /// Templates for `engine`, with the project's overrides.
    pub fn new(project: &Project, engine: TargetType) -> Templates {
        let engine = match engine {
            TargetType::Athena | TargetType::Local => "athena",
        };
        let mut env = crate::render::environment(false);
        for (e, name, source) in BUILTIN {
            if *e == engine {
                env.add_template(name, source)
                    .expect("built-in templates are valid");
            }
        }
        let mut overrides = std::collections::BTreeMap::new();
        for m in &project.macros {
            for (e, name, _) in BUILTIN {
                let macro_name = format!("{e}_{name}");
                if *e == engine && m.names.contains(&macro_name) {
                    let path = display_path(&m.path);
                    if env.add_template_owned(path.clone(), m.text.clone()).is_ok() {
                        overrides.insert(name.to_string(), path);
                    }
                }
            }
        }
        Templates {
            env,
            engine,
            overrides,
        }
    }

    /// Render template `name` with `inputs`.
    pub fn render<S: Serialize>(&self, name: &str, inputs: &S) -> Result<String, Diagnostic> {
        let value = Value::from_serialize(inputs);
        let result = match self.overrides.get(name) {
            Some(path) => {
                let call = format!(
                    "{{% from {path:?} import {}_{name} %}}{{{{ {}_{name}(m) }}}}",
                    self.engine, self.engine
                );
                self.env
                    .render_str(&call, minijinja::context! { m => value })
            }
            None => self.env.get_template(name).and_then(|t| t.render(value)),
        };
        result.map(|s| s.trim().to_string()).map_err(|e| {
            let file = self
                .overrides
                .get(name)
                .cloned()
                .unwrap_or_else(|| format!("templates/{}/{name}.sql", self.engine));
            Diagnostic::error(
                Code::TemplateError,
                crate::t!("plan-template-failed", name = name, error = e.to_string()),
            )
            .at(Location::file_only(std::path::Path::new(&file)))
            .help(crate::t!("plan-template-failed-help"))
        })
    }
}
