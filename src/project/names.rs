//! Names that become paths of the lake (`<lake_root><schema>/<table>/`) and relations karte
//! writes: each schema and table name one plain path segment, no model named like karte's
//! staging tables, and no model, seed or snapshot writing a table an ingest rule writes.

use std::path::Path;

use super::{Project, PROJECT_FILE};
use crate::diag::{display_path, Code, Diagnostic, Diagnostics, Location};

/// The infix of karte's staging tables (`<table>__karte_<run id>`).
pub const STAGING_INFIX: &str = "__karte_";

/// What is wrong with `s` as one segment of a lake path (a schema or a table name), if anything.
pub fn segment_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        Some("it is empty".into())
    } else if s == "." || s == ".." {
        Some(format!("`{s}` is not a name"))
    } else if s.contains(['/', '\\']) {
        Some("it contains a path separator".into())
    } else {
        None
    }
}

/// Check layer schemas, node names and ingest tables (E408, E602).
pub fn check(project: &Project, config_text: &str, diags: &mut Diagnostics) {
    check_layers(project, config_text, diags);
    check_node_names(project, diags);
    check_ingest_clashes(project, diags);
}

fn check_layers(project: &Project, config_text: &str, diags: &mut Diagnostics) {
    for (layer, cfg) in &project.config.layers {
        let schema = cfg.schema();
        if let Some(problem) = segment_problem(schema) {
            let span = config_text
                .find(&format!("{layer}:"))
                .and_then(|i| {
                    config_text[i..]
                        .find(schema)
                        .map(|j| i + j..i + j + schema.len())
                })
                .unwrap_or(0..0);
            diags.push(
                Diagnostic::error(
                    Code::UnsafeLayout,
                    format!("the schema of layer `{layer}` is `{schema}`: {problem}"),
                )
                .at(Location::from_span(
                    Path::new(PROJECT_FILE),
                    config_text,
                    span,
                ))
                .label("one segment of the lake path `<lake_root><schema>/<table>/`")
                .help("write a plain schema name, e.g. `silver: silver_db`"),
            );
        }
    }
    for rule in &project.ingest.rules {
        let schema = project.layer_schema(&rule.layer);
        if let Some(problem) = segment_problem(&schema) {
            diags.push(
                Diagnostic::error(
                    Code::UnsafeLayout,
                    format!(
                        "the schema of layer `{}` is `{schema}`: {problem}",
                        rule.layer
                    ),
                )
                .at(Location::file_only(Path::new(&rule.path)))
                .help(
                    "write `layer:` as a plain name, or map it to one under `layers:` in karte.yml",
                ),
            );
        }
    }
}

fn check_node_names(project: &Project, diags: &mut Diagnostics) {
    for n in project.nodes.iter().filter(|n| n.kind.is_relation()) {
        let name = n.name.to_lowercase();
        let problem = segment_problem(&name).or_else(|| {
            name.contains(STAGING_INFIX)
                .then(|| format!("`{STAGING_INFIX}` is reserved for karte's staging tables"))
        });
        if let Some(problem) = problem {
            diags.push(
                Diagnostic::error(
                    Code::UnsafeLayout,
                    format!("`{}` cannot be a table name: {problem}", n.name),
                )
                .at(Location::file_only(&n.path))
                .help("rename the file: lower-case letters, digits and `_`"),
            );
        }
    }
}

fn check_ingest_clashes(project: &Project, diags: &mut Diagnostics) {
    for n in project.nodes.iter().filter(|n| n.kind.is_relation()) {
        let name = n.name.to_lowercase();
        let Some(rule) = project
            .ingest
            .rules
            .iter()
            .find(|r| r.name == name && project.layer_schema(&r.layer) == n.schema)
        else {
            continue;
        };
        diags.push(
            Diagnostic::error(
                Code::IngestTableClash,
                format!(
                    "`{}` writes `{}.{name}`, the table the ingest rule in `{}` writes",
                    display_path(&n.path),
                    n.schema,
                    rule.path
                ),
            )
            .at(Location::file_only(&n.path))
            .note(format!("ingest rule `{}` in {}", rule.name, rule.path))
            .note("a build would replace the table `karte ingest` publishes, and later delete its data")
            .help(format!(
                "rename the {} (or move it to another layer); it can read the ingest table as `{}.{name}`",
                n.kind.as_str(),
                rule.layer
            )),
        );
    }
}
