//! `karte access` for people: per role, the tables it can read with their columns and classes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::Access;
use crate::graph::Compiled;

/// `col [class, …], …`.
pub fn excluded_list(excluded: &BTreeMap<String, BTreeSet<String>>) -> String {
    excluded
        .iter()
        .map(|(c, cl)| with_classes(c, cl))
        .collect::<Vec<_>>()
        .join(", ")
}

fn with_classes(column: &str, classes: &BTreeSet<String>) -> String {
    if classes.is_empty() {
        column.to_string()
    } else {
        format!(
            "{column} [{}]",
            classes.iter().cloned().collect::<Vec<_>>().join(", ")
        )
    }
}

/// Every role (or only `role`), what it reads and what it does not.
pub fn render(c: &Compiled, access: &Access, role: Option<&str>) -> String {
    let classes = super::column_classes(c);
    let mut out = String::new();
    let heading = match c.target.config.kind {
        crate::project::TargetType::Athena => crate::t!(
            "access-heading-athena",
            project = c.project.config.name,
            roles = access.roles.len(),
            tables = access.governed.len()
        ),
        crate::project::TargetType::Local => crate::t!(
            "access-heading-local",
            project = c.project.config.name,
            roles = access.roles.len(),
            tables = access.governed.len()
        ),
    };
    let _ = writeln!(out, "{heading}");
    for (name, r) in &access.roles {
        if role.is_some_and(|w| w != name) {
            continue;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{name}  {}", r.principal);
        if let Some(d) = &r.description {
            let _ = writeln!(out, "  {d}");
        }
        if r.tables.is_empty() {
            let _ = writeln!(out, "  {}", crate::t!("access-reads-nothing"));
        }
        for (i, t) in &r.tables {
            let _ = writeln!(out, "  {}  ({})", access.governed[i], t.rules.join("; "));
            let cols = classes
                .get(&c.project.node_id(*i))
                .cloned()
                .unwrap_or_default();
            let readable: Vec<String> = cols
                .iter()
                .filter(|(col, _)| !t.excluded.contains_key(col))
                .map(|(col, cl)| with_classes(col, cl))
                .collect();
            let reads = if readable.is_empty() {
                crate::t!("access-reads-every-column")
            } else {
                crate::t!("access-reads-columns", columns = readable.join(", "))
            };
            let _ = writeln!(out, "      {}", crate::t!("access-reads", columns = reads));
            if !t.excluded.is_empty() {
                let _ = writeln!(
                    out,
                    "      {}",
                    crate::t!("access-not", columns = excluded_list(&t.excluded))
                );
            }
        }
        let unread: Vec<&str> = access
            .governed
            .iter()
            .filter(|(i, _)| !r.tables.contains_key(i))
            .map(|(_, n)| n.as_str())
            .collect();
        if !unread.is_empty() {
            let _ = writeln!(
                out,
                "  {}",
                crate::t!("access-cannot-read", tables = unread.join(", "))
            );
        }
    }
    out
}
