//! Before a run: every source (and declared external relation) that a node of the run reads
//! must exist on the target, else **E307** at the place the node reads it — instead of the
//! engine's "table does not exist" halfway through the run. Ephemeral models are followed
//! into the nodes that inline them. The local engine binds a query that reads the relation;
//! Athena asks Glue (GetTable, once per relation), and a relation of another data catalog, or
//! one Glue will not answer for, counts as present.

use std::collections::BTreeSet;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::graph::Compiled;
use crate::project::NodeKind;
use crate::scaffold::Lang;
use crate::sql::Dependency;

/// Check the inputs of `nodes` (project node indexes about to be built) with `exists`, which
/// answers for a fully-qualified relation.
pub fn check(c: &Compiled, nodes: &[usize], exists: &dyn Fn(&str) -> bool) -> Diagnostics {
    let lang = crate::i18n::lang();
    let athena = c.target.config.kind == crate::project::TargetType::Athena;
    let mut out = Diagnostics::default();
    let mut answered: std::collections::HashMap<String, bool> = Default::default();
    let mut exists = |rel: &str| {
        *answered
            .entry(rel.to_string())
            .or_insert_with(|| exists(rel))
    };
    // A source may name a table that a node of this run builds (a seed declared as a source).
    let built: BTreeSet<String> = nodes.iter().map(|&j| c.relation(j)).collect();
    for &i in nodes {
        let node = &c.project.nodes[i];
        if !matches!(node.kind, NodeKind::Model | NodeKind::Snapshot) {
            continue;
        }
        let Some(m) = c.model(i) else { continue };
        if m.config.materialized() == "ephemeral" {
            continue;
        }
        // (node whose file reads it, relation index) for this node and its ephemerals.
        let mut reads: Vec<(usize, usize)> = Vec::new();
        let mut seen: BTreeSet<usize> = BTreeSet::new();
        let mut stack = vec![i];
        while let Some(k) = stack.pop() {
            if !seen.insert(k) {
                continue;
            }
            let Some(mk) = c.model(k) else { continue };
            for (r, rel) in mk.relations.iter().enumerate() {
                match &rel.dep {
                    Dependency::Node(e)
                        if c.model(*e)
                            .is_some_and(|x| x.config.materialized() == "ephemeral") =>
                    {
                        stack.push(*e)
                    }
                    Dependency::Source(_) | Dependency::External(_) => reads.push((k, r)),
                    _ => {}
                }
            }
        }
        let mut reported: BTreeSet<String> = BTreeSet::new();
        for (k, r) in reads {
            let mk = c.model(k).expect("analysed");
            let rel = &mk.relations[r];
            let (shown, fqn, ingest) = match &rel.dep {
                Dependency::Source(s) => {
                    let src = &c.project.sources[*s];
                    (
                        format!("{}.{}", src.source, src.name),
                        crate::sql::source_fqn(src, &c.target),
                        src.path.starts_with("ingest/").then(|| src.path.clone()),
                    )
                }
                Dependency::External(e) => (e.clone(), e.clone(), None),
                _ => continue,
            };
            if built.contains(&fqn) || exists(&fqn) || !reported.insert(shown.clone()) {
                continue;
            }
            let reader = &c.project.nodes[k];
            let at =
                crate::sql::locate_in(reader, &mk.rendered_sql, mk.templated, rel.span.clone());
            let external = matches!(rel.dep, Dependency::External(_));
            // On Athena, a table that is not an ingest table is missing from Glue.
            let glue = athena.then(|| {
                fqn.rsplit('.')
                    .take(2)
                    .map(|p| p.trim_matches('"').to_lowercase())
                    .collect::<Vec<_>>()
            });
            let message = match (&glue, &ingest) {
                (Some(parts), None) if parts.len() == 2 => {
                    crate::t!(lang => "inputs-not-in-glue", relation = shown.clone(), database = parts[1].clone(), table = parts[0].clone())
                }
                _ => messages::no_data(lang, &shown, external, ingest.is_some()),
            };
            let mut d = Diagnostic::error(Code::SourceNotLoaded, message)
                .at(at)
                .label(messages::read_here(lang));
            if k != i {
                d = d.note(messages::through_ephemeral(
                    lang,
                    &reader.name,
                    &format!("{}.{}", node.layer, node.name),
                ));
            } else {
                d = d.note(messages::read_by(
                    lang,
                    &format!("{}.{}", node.layer, node.name),
                ));
            }
            d = d.help(match (&ingest, external) {
                (Some(rule), _) => messages::help_ingest(lang, rule),
                (None, _) if athena => crate::t!(lang => "inputs-help-glue"),
                (None, true) => messages::help_external(lang, &shown),
                (None, false) => messages::help_source(lang, &shown),
            });
            out.push(d);
        }
    }
    out.sort();
    out
}

/// The messages of E307 (catalogue: `src/i18n/*/run.ftl`).
pub mod messages {
    use super::Lang;

    /// The error itself.
    pub fn no_data(lang: Lang, relation: &str, external: bool, ingest: bool) -> String {
        if ingest {
            crate::t!(lang => "inputs-no-data-ingest", relation = relation)
        } else if external {
            crate::t!(lang => "inputs-no-data-external", relation = relation)
        } else {
            crate::t!(lang => "inputs-no-data-source", relation = relation)
        }
    }

    /// The label under the relation.
    pub fn read_here(lang: Lang) -> String {
        crate::t!(lang => "inputs-read-here")
    }

    /// Which model reads it.
    pub fn read_by(lang: Lang, model: &str) -> String {
        crate::t!(lang => "inputs-read-by", model = model)
    }

    /// Read through an ephemeral model.
    pub fn through_ephemeral(lang: Lang, ephemeral: &str, model: &str) -> String {
        crate::t!(lang => "inputs-through-ephemeral", ephemeral = ephemeral, model = model)
    }

    /// How to load an ingest table.
    pub fn help_ingest(lang: Lang, rule: &str) -> String {
        crate::t!(lang => "inputs-help-ingest", rule = rule)
    }

    /// How to give a declared source data.
    pub fn help_source(lang: Lang, relation: &str) -> String {
        crate::t!(lang => "inputs-help-source", relation = relation)
    }

    /// How to make an external relation exist locally.
    pub fn help_external(lang: Lang, relation: &str) -> String {
        crate::t!(lang => "inputs-help-external", relation = relation)
    }
}
