//! `karte ls`.

use crate::cli::{report, ProjectArgs, SelectArgs};
use crate::diag::Diagnostics;

/// List the selected nodes in dependency order.
pub fn run(args: &ProjectArgs, select: &SelectArgs, json: bool) -> Result<(), Diagnostics> {
    let compiled = crate::compile(&args.compile_options(select)?)?;
    report(&compiled.diagnostics);
    let manifest = crate::artifacts::manifest(&compiled);
    if json {
        let nodes: Vec<_> = compiled
            .selected
            .iter()
            .map(|&i| &manifest.nodes[&compiled.project.node_id(i)])
            .map(|n| {
                serde_json::json!({
                    "unique_id": n.unique_id,
                    "kind": n.kind,
                    "name": n.name,
                    "layer": n.layer,
                    "relation": n.relation,
                    "path": n.path,
                    "materialized": n.config.materialized(),
                    "tags": n.config.tags(),
                    "depends_on": n.depends_on,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&nodes).unwrap_or_default()
        );
    } else {
        for &i in &compiled.selected {
            let n = &compiled.project.nodes[i];
            println!("{}.{}", n.layer, n.name);
        }
    }
    Ok(())
}
