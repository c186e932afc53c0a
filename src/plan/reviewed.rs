//! A reviewed plan, as Terraform's plan and apply: `karte plan --out FILE` writes the plan with
//! what it was planned against (the selection, and a digest of the catalog entry of every table
//! it writes); `karte build --plan FILE` runs exactly that plan, and refuses when the catalog
//! changed since, instead of planning again silently.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{CatalogState, NodePlan};
use crate::graph::Compiled;

/// What a reviewed plan was planned against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reviewed {
    /// `--select` of `karte plan`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub select: Vec<String>,
    /// `--exclude` of `karte plan`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// Per table the plan writes (`schema.name`): a digest of its catalog entry when planned
    /// (its kind, location, catalog version and partitions), or `absent`.
    pub catalog: BTreeMap<String, String>,
}

/// The digest of the catalog entry of every table `nodes` write.
pub fn fingerprints(
    c: &Compiled,
    nodes: &[NodePlan],
    catalog: &CatalogState,
) -> BTreeMap<String, String> {
    let index: BTreeMap<String, usize> = (0..c.project.nodes.len())
        .map(|i| (c.project.node_id(i), i))
        .collect();
    let mut out = BTreeMap::new();
    for np in nodes.iter().filter(|np| !np.steps.is_empty()) {
        let Some(&i) = index.get(&np.unique_id) else {
            continue;
        };
        let node = &c.project.nodes[i];
        let schema = c.target.schema(&node.schema);
        let name = node.name.to_lowercase();
        let digest = match catalog.get(&schema, &name) {
            None => "absent".to_string(),
            Some(t) => {
                let mut partitions: Vec<(&Vec<String>, &String)> = t
                    .partitions
                    .iter()
                    .map(|p| (&p.values, &p.location))
                    .collect();
                partitions.sort();
                let canonical = serde_json::json!({
                    "kind": t.kind,
                    "location": t.location,
                    "version": t.version_id,
                    "partitions": partitions,
                });
                let hash = Sha256::digest(canonical.to_string().as_bytes());
                hash.iter().take(12).map(|b| format!("{b:02x}")).collect()
            }
        };
        out.insert(format!("{schema}.{name}"), digest);
    }
    out
}

/// The tables whose catalog entry differs between `planned` and `now`, each with what
/// happened.
pub fn changed(planned: &BTreeMap<String, String>, now: &BTreeMap<String, String>) -> Vec<String> {
    planned
        .iter()
        .filter_map(|(table, was)| {
            let is = now.get(table).map(String::as_str).unwrap_or("absent");
            if is == was {
                return None;
            }
            Some(match (was.as_str(), is) {
                ("absent", _) => crate::t!("plan-catalog-created", table = table),
                (_, "absent") => crate::t!("plan-catalog-dropped", table = table),
                _ => crate::t!("plan-catalog-written", table = table),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_named() {
        let planned: BTreeMap<String, String> = [
            ("s.a".to_string(), "absent".to_string()),
            ("s.b".to_string(), "111".to_string()),
            ("s.c".to_string(), "222".to_string()),
            ("s.d".to_string(), "333".to_string()),
        ]
        .into();
        let now: BTreeMap<String, String> = [
            ("s.a".to_string(), "999".to_string()),
            ("s.c".to_string(), "223".to_string()),
            ("s.d".to_string(), "333".to_string()),
        ]
        .into();
        assert_eq!(
            changed(&planned, &now),
            [
                "s.a was created",
                "s.b was dropped",
                "s.c was written (new version or partitions)"
            ]
        );
    }
}
