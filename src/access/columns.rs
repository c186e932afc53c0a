//! Column classes: which classes each column of a table carries.
//!
//! Today the classes are the declared `classification:` of each column (model, seed and
//! snapshot properties, sources and ingest rules). Column lineage will replace this body with
//! classes propagated through the SQL (a column computed from a `quasi_identifier` column is
//! one too); everything in `access/` reads classes through this one function.

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::Compiled;

/// Columns with their classes, per node or source unique id (`model.proj.name`,
/// `source.proj.source.table`), in declaration order. Classes already include those a column
/// takes from its ancestors.
pub fn column_classes(c: &Compiled) -> BTreeMap<String, Vec<(String, BTreeSet<String>)>> {
    let mut out = BTreeMap::new();
    for (i, n) in c.project.nodes.iter().enumerate() {
        let cols = n
            .columns
            .iter()
            .map(|col| {
                let classes = col.classification.iter().cloned().collect();
                (col.name.to_lowercase(), classes)
            })
            .collect();
        out.insert(c.project.node_id(i), cols);
    }
    for s in &c.project.sources {
        let cols = s
            .columns
            .iter()
            .map(|col| {
                let classes = col.classification.iter().cloned().collect();
                (col.name.to_lowercase(), classes)
            })
            .collect();
        out.insert(source_id(c, &s.source, &s.name), cols);
    }
    out
}

/// The unique id of a source table.
pub fn source_id(c: &Compiled, source: &str, table: &str) -> String {
    format!("source.{}.{source}.{table}", c.project.config.name)
}
