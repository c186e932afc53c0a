//! Policies: which classes may appear in which models, checked column by column with the path
//! that carried a forbidden class; and the person counts that `min_cell_size` turns into data
//! tests.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::classes::{ProjectClasses, Taxonomy};
use crate::diag::{Code, Diagnostic, Diagnostics, Location};
use crate::lineage::{ColumnId, Lineage};
use crate::project::PolicyConfig;
use crate::project::{NodeKind, Project};
use crate::sql::AnalyzedModel;

/// True if the policy selects node `i` (`tags`: the node's final tags).
fn selects(p: &PolicyConfig, project: &Project, i: usize, tags: &[String]) -> bool {
    let n = &project.nodes[i];
    let folder_ok = p.folder.as_ref().is_none_or(|f| n.in_folder(f));
    p.layer.as_ref().is_none_or(|l| *l == n.layer)
        && folder_ok
        && p.model.as_ref().is_none_or(|m| *m == n.name)
        && p.tag.as_ref().is_none_or(|t| tags.contains(t))
        && (p.layer.is_some() || p.folder.is_some() || p.model.is_some() || p.tag.is_some())
}

/// Every forbidden class in a column of a model a policy selects is an error at that column.
pub fn check(
    project: &Project,
    models: &[AnalyzedModel],
    lineage: &Lineage,
    classes: &ProjectClasses,
    taxonomy: &Taxonomy,
) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let policies = &project.config.governance.policies;
    if policies.is_empty() {
        return diags;
    }
    let yml = Location::file_only(Path::new(crate::project::PROJECT_FILE));
    for (k, p) in policies.iter().enumerate() {
        let selectors = [&p.layer, &p.folder, &p.model, &p.tag]
            .iter()
            .filter(|s| s.is_some())
            .count();
        if selectors == 0 {
            diags.push(
                Diagnostic::error(
                    Code::InvalidConfig,
                    crate::t!("e004-policy-selects-nothing", number = k + 1),
                )
                .at(yml.clone())
                .help(crate::t!("e004-policy-selects-nothing-help")),
            );
        }
    }
    let names = crate::lineage::text::display_names(project);
    for m in models {
        let i = m.node;
        let node = &project.nodes[i];
        if node.kind == NodeKind::Test {
            continue;
        }
        let tags = m.config.tags();
        let id = project.node_id(i);
        let Some(cols) = classes.relations.get(&id) else {
            continue;
        };
        for p in policies.iter().filter(|p| selects(p, project, i, &tags)) {
            for (col, cc) in cols {
                for class in &cc.classes {
                    let Some(forbidden) = p.forbid.iter().find(|f| taxonomy.is_a(class, f)) else {
                        continue;
                    };
                    let path = trace(lineage, classes, taxonomy, &names, &id, col, class);
                    let span = lineage
                        .columns(&id)
                        .and_then(|cs| cs.iter().find(|c| c.name == *col))
                        .and_then(|c| c.span.clone());
                    let at = match span {
                        Some(s) => crate::sql::locate_in(node, &m.rendered_sql, m.templated, s),
                        None => Location::file_only(&node.path),
                    };
                    let scope = policy_scope(p);
                    diags.push(
                        Diagnostic::error(
                            Code::PolicyViolation,
                            crate::t!(
                                "e704-policy-violation",
                                column = col.as_str(),
                                relation = format!("{}.{}", node.layer, node.name),
                                class = class.as_str(),
                                scope = scope
                            ),
                        )
                        .at(at)
                        .label(crate::t!("e704-label", class = forbidden.as_str()))
                        .note(crate::t!("e704-path", path = path))
                        .help(crate::t!("e704-help")),
                    );
                }
            }
        }
    }
    diags.sort();
    diags
}

fn policy_scope(p: &PolicyConfig) -> String {
    if let Some(m) = &p.model {
        crate::t!("governance-scope-model", model = m)
    } else if let Some(t) = &p.tag {
        crate::t!("governance-scope-tag", tag = t)
    } else if let Some(f) = &p.folder {
        crate::t!("governance-scope-folder", folder = f)
    } else if let Some(l) = &p.layer {
        crate::t!("governance-scope-layer", layer = l)
    } else {
        crate::t!("governance-scope-this-model")
    }
}

/// `gold.x.a ← silver.y.b ← bronze.z.c (class)`: back along edges whose upstream column has
/// the class (or a kind of it), to where it was declared (`names`: unique id → display name,
/// [`crate::lineage::text::display_names`]). Also what the docs site shows per class.
pub fn trace(
    lineage: &Lineage,
    classes: &ProjectClasses,
    taxonomy: &Taxonomy,
    names: &HashMap<String, String>,
    relation: &str,
    column: &str,
    class: &str,
) -> String {
    let show = |r: &str, c: &str| format!("{}.{c}", names.get(r).map(String::as_str).unwrap_or(r));
    let mut parts = vec![show(relation, column)];
    let mut at = ColumnId {
        relation: relation.into(),
        column: column.into(),
    };
    let mut seen = BTreeSet::new();
    let mut last_class = class.to_string();
    while seen.insert(at.clone()) {
        if classes
            .of(&at.relation, &at.column)
            .is_some_and(|c| c.declared)
            && parts.len() > 1
        {
            break;
        }
        let next = lineage
            .columns(&at.relation)
            .and_then(|cs| cs.iter().find(|c| c.name == at.column))
            .and_then(|c| {
                c.upstream.iter().find_map(|e| {
                    let up = classes.of(&e.relation, &e.column)?;
                    let carried = up.classes.iter().find(|u| {
                        taxonomy
                            .through(&BTreeSet::from([(*u).clone()]), e)
                            .contains(class)
                            || taxonomy.is_a(u, class)
                            || taxonomy.is_a(class, u)
                    })?;
                    Some((e.relation.clone(), e.column.clone(), carried.clone()))
                })
            });
        match next {
            Some((r, c, cl)) => {
                parts.push(show(&r, &c));
                last_class = cl;
                at = ColumnId {
                    relation: r,
                    column: c,
                };
            }
            None => break,
        }
    }
    format!("{} ({last_class})", parts.join(" ← "))
}

/// A column counting persons in a model a `min_cell_size` policy selects.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonCount {
    /// The model (node index).
    pub node: usize,
    /// The column.
    pub column: String,
    /// Counts from 1 to `min - 1` are failures.
    pub min: u32,
}

/// The person counts of the models `min_cell_size` policies select: columns computed by
/// `count`/`approx_distinct` over a person identifier (a `pseudonym`, `identification_code`
/// or `direct_identifier`).
pub fn person_counts(
    project: &Project,
    models: &[AnalyzedModel],
    lineage: &Lineage,
    classes: &ProjectClasses,
    taxonomy: &Taxonomy,
) -> Vec<PersonCount> {
    let mut out = Vec::new();
    let policies: Vec<&PolicyConfig> = project
        .config
        .governance
        .policies
        .iter()
        .filter(|p| p.min_cell_size.is_some())
        .collect();
    if policies.is_empty() {
        return out;
    }
    for m in models {
        let i = m.node;
        if project.nodes[i].kind == NodeKind::Test {
            continue;
        }
        let tags = m.config.tags();
        let Some(min) = policies
            .iter()
            .filter(|p| selects(p, project, i, &tags))
            .filter_map(|p| p.min_cell_size)
            .max()
        else {
            continue;
        };
        let id = project.node_id(i);
        for c in lineage.columns(&id).unwrap_or_default() {
            let counts_persons = c.upstream.iter().any(|e| {
                e.functions
                    .iter()
                    .any(|f| f == "count" || f == "approx_distinct")
                    && classes.of(&e.relation, &e.column).is_some_and(|up| {
                        up.classes.iter().any(|u| {
                            ["pseudonym", "identification_code", "direct_identifier"]
                                .iter()
                                .any(|p| taxonomy.is_a(u, p))
                        })
                    })
            });
            if counts_persons {
                out.push(PersonCount {
                    node: i,
                    column: c.name.to_string(),
                    min,
                });
            }
        }
    }
    out
}
