//! Column classes: which classes each column of a table carries.
//!
//! The classes are the ones `crate::governance` gives each column: declared where data enters
//! (ingest rules, sources, seeds) and carried down the column lineage through the SQL (a column
//! computed from a `quasi_identifier` column is one too), with each class's ancestors added;
//! everything in `access/` reads classes through this one function.

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::Compiled;

/// Columns with their classes, per node or source unique id (`model.proj.name`,
/// `source.proj.source.table`), in declaration order. Classes already include those a column
/// takes from its ancestors.
pub fn column_classes(c: &Compiled) -> BTreeMap<String, Vec<(String, BTreeSet<String>)>> {
    let mut out = BTreeMap::new();
    for (id, rel) in c.lineage.sorted() {
        let Some(cols) = &rel.columns else {
            continue;
        };
        let classes = c.classes.relations.get(id);
        let cols = cols
            .iter()
            .map(|col| {
                let mut all = BTreeSet::new();
                for class in classes
                    .and_then(|cs| cs.get(col.name.as_str()))
                    .map(|cc| &cc.classes)
                    .into_iter()
                    .flatten()
                {
                    all.extend(c.taxonomy.with_ancestors(class));
                }
                (col.name.to_string(), all)
            })
            .collect();
        out.insert(id.to_string(), cols);
    }
    out
}

/// The unique id of a source table.
pub fn source_id(c: &Compiled, source: &str, table: &str) -> String {
    format!("source.{}.{source}.{table}", c.project.config.name)
}
