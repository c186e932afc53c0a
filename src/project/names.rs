//! Names that become paths of the lake (`<lake_root><schema>/<table>/`) and relations karte
//! writes: each schema and table name one plain path segment, no model named like karte's
//! staging tables, and no model, seed or snapshot writing a table an ingest rule writes.

use std::path::Path;

use super::{Project, PROJECT_FILE};
use crate::diag::{Code, Diagnostic, Diagnostics, Location};

/// The infix of karte's staging tables (`<table>__karte_<run id>`).
pub const STAGING_INFIX: &str = "__karte_";

/// What is wrong with `s` as one segment of a lake path (a schema or a table name), if anything.
pub fn segment_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        Some(crate::t!("e408-empty"))
    } else if s == "." || s == ".." {
        Some(crate::t!("e408-not-a-name", name = s))
    } else if s.contains(['/', '\\']) {
        Some(crate::t!("e408-path-separator"))
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
                    crate::t!(
                        "e408-layer-schema",
                        layer = layer,
                        schema = schema,
                        problem = problem
                    ),
                )
                .at(Location::from_span(
                    Path::new(PROJECT_FILE),
                    config_text,
                    span,
                ))
                .label(crate::t!("e408-layer-schema-label"))
                .help(crate::t!("e408-layer-schema-help")),
            );
        }
    }
    for rule in &project.ingest.rules {
        let schema = project.layer_schema(&rule.layer);
        if let Some(problem) = segment_problem(&schema) {
            diags.push(
                Diagnostic::error(
                    Code::UnsafeLayout,
                    crate::t!(
                        "e408-layer-schema",
                        layer = rule.layer,
                        schema = schema,
                        problem = problem
                    ),
                )
                .at(Location::file_only(Path::new(&rule.path)))
                .help(crate::t!("e408-ingest-layer-help")),
            );
        }
    }
}

fn check_node_names(project: &Project, diags: &mut Diagnostics) {
    for n in project.nodes.iter().filter(|n| n.kind.is_relation()) {
        let name = n.name.to_lowercase();
        let problem = segment_problem(&name).or_else(|| {
            name.contains(STAGING_INFIX)
                .then(|| crate::t!("e408-staging-infix", infix = STAGING_INFIX))
        });
        if let Some(problem) = problem {
            diags.push(
                Diagnostic::error(
                    Code::UnsafeLayout,
                    crate::t!("e408-table-name", name = n.name, problem = problem),
                )
                .at(Location::file_only(&n.path))
                .help(crate::t!("e408-table-name-help")),
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
                crate::t!(
                    "e602-clash",
                    path = n.path,
                    table = format!("{}.{name}", n.schema),
                    rule_path = rule.path
                ),
            )
            .at(Location::file_only(&n.path))
            .note(crate::t!(
                "e602-clash-rule",
                rule = rule.name,
                rule_path = rule.path
            ))
            .note(crate::t!("e602-clash-note"))
            .help(crate::t!(
                "e602-clash-help",
                kind = n.kind.as_str(),
                table = format!("{}.{name}", rule.layer)
            )),
        );
    }
}
