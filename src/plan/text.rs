//! The plan as text for people: each node in order, its steps with their SQL, and a `!` on every
//! step that may destroy data, with what and why.

use std::fmt::Write;

use super::step::{Action, Plan, Step};

/// Render a plan for reading.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Plan for `{}` on target `{}` ({}), as of {}{}",
        plan.project,
        plan.target,
        match plan.engine {
            crate::project::TargetType::Athena => "athena",
            crate::project::TargetType::Local => "local",
        },
        plan.as_of,
        if plan.full_refresh {
            ", full refresh"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "`{{run_id}}` is filled in when the plan runs. Steps marked `!` may destroy data."
    );
    if !plan.deferred.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Deferred (--defer): not selected and not built on target `{}`, read from the saved manifest's relations:",
            plan.target
        );
        for d in &plan.deferred {
            let _ = writeln!(
                out,
                "   {} → {}  (read by {})",
                d.relation,
                d.deferred_to,
                d.read_by.join(", ")
            );
        }
    }
    for (n, node) in plan.nodes.iter().enumerate() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}. {} — {} — {}",
            n + 1,
            node.relation,
            node.materialization,
            node.mode
        );
        let _ = writeln!(out, "   {}", node.path);
        if node.steps.is_empty() {
            let _ = writeln!(out, "   (no steps)");
        }
        for step in &node.steps {
            render_step(&mut out, step);
        }
    }
    if !plan.tests.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Data tests (each runs once the nodes it reads are built; `error` blocks what is built on them):"
        );
        for t in &plan.tests {
            let on = t
                .depends_on
                .iter()
                .map(|id| id.rsplit('.').next().unwrap_or(id))
                .collect::<Vec<_>>()
                .join(", ");
            let stored = t
                .store_failures
                .as_ref()
                .map(|table| format!(", failing rows stored in {table}"))
                .unwrap_or_default();
            let on = if on.is_empty() {
                "its sources".to_string()
            } else {
                on
            };
            let _ = writeln!(out, "   {} ({}) on {on}{stored}", t.name, t.severity);
        }
    }
    let steps: usize = plan.nodes.iter().map(|n| n.steps.len()).sum();
    let destructive: usize = plan
        .nodes
        .iter()
        .flat_map(|n| &n.steps)
        .filter(|s| !s.destroys.is_empty())
        .count();
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{} node{}, {steps} step{}, {destructive} that may destroy data{}.",
        plan.nodes.len(),
        if plan.nodes.len() == 1 { "" } else { "s" },
        if steps == 1 { "" } else { "s" },
        match plan.tests.len() {
            0 => String::new(),
            1 => "; 1 data test".into(),
            n => format!("; {n} data tests"),
        }
    );
    out
}

fn render_step(out: &mut String, step: &Step) {
    let mark = if step.destroys.is_empty() { " " } else { "!" };
    let _ = writeln!(out, " {mark} {}  {}", step.id, summary(&step.action));
    match &step.action {
        Action::Sql { sql, .. } => sql_block(out, sql),
        Action::BatchedWrite {
            probe_sql,
            partition_columns,
            bucket_count,
            max_partitions_per_query,
            first_sql,
            rest_sql,
            ..
        } => {
            let buckets = bucket_count
                .map(|b| format!(" ({b} buckets each)"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "      at most {max_partitions_per_query} partitions{buckets} per query, by ({}); values found first by:",
                partition_columns.join(", ")
            );
            sql_block(out, probe_sql);
            let _ = writeln!(out, "      first batch:");
            sql_block(out, first_sql);
            if rest_sql != first_sql {
                let _ = writeln!(out, "      further batches:");
                sql_block(out, rest_sql);
            }
        }
        Action::CheckSchema { query, .. } => sql_block(out, query),
        Action::MaintainIceberg { sql, .. } => sql_block(out, sql),
        Action::SwapTable {
            parameters,
            projected: true,
            ..
        } => {
            for (k, v) in parameters
                .iter()
                .filter(|(k, _)| crate::plan::projection::is_projection_param(k))
            {
                let _ = writeln!(out, "        {k} = {v}");
            }
        }
        Action::SetParameters { set, remove, .. } => {
            for (k, v) in set {
                let _ = writeln!(out, "        {k} = {v}");
            }
            for k in remove {
                let _ = writeln!(out, "        {k} (removed)");
            }
        }
        _ => {}
    }
    for d in &step.destroys {
        let _ = writeln!(out, "      destroys {}: {} — {}", d.kind, d.target, d.note);
    }
}

/// One line saying what an action does (the line after a step's id in the plan).
pub fn summary(a: &Action) -> String {
    match a {
        Action::CreateSchema { schema } => format!("create schema `{schema}` if missing"),
        Action::Sql { purpose, .. } => purpose.clone(),
        Action::BatchedWrite { purpose, .. } => format!("{purpose} (batched)"),
        Action::LoadSeed {
            file,
            table,
            location,
            encoding,
            ..
        } => format!("load {file} ({encoding}) into {table} at {location}"),
        Action::CheckSchema { table, policy, .. } => {
            format!("compare the query's columns with {table} (on_schema_change: {policy})")
        }
        Action::SwapTable {
            table,
            staging,
            projected: true,
            ..
        } => format!(
            "publish {staging} as {table} (catalog swap with the partition projection pointed at the new version; no Glue partitions; the previous version is kept)"
        ),
        Action::SwapTable { table, staging, .. } => {
            format!("publish {staging} as {table} (catalog swap; the previous version is kept)")
        }
        Action::RegisterPartitions {
            table,
            staging,
            batch_size,
            ..
        } => format!(
            "register the partitions of {staging} on {table}: create new ones, repoint existing ones (≤{batch_size} per Glue call)"
        ),
        Action::AppendFiles {
            table,
            staging,
            projected: true,
            ..
        } => format!(
            "add the files of {staging} to {table} (into the folders its partition projection reads; no Glue partitions; files named by run, so a resumed run never adds them twice)"
        ),
        Action::AppendFiles { table, staging, .. } => format!(
            "add the files of {staging} to {table} (new partitions are registered; files named by run, so a resumed run never adds them twice)"
        ),
        Action::SetParameters { reason, .. } => reason.clone(),
        Action::MaintainIceberg {
            table, operation, ..
        } => match operation {
            crate::plan::maintenance::Operation::Optimize => format!(
                "compact {table}: rewrite small files and delete files (OPTIMIZE … BIN_PACK), then record the date"
            ),
            crate::plan::maintenance::Operation::Vacuum => format!(
                "expire old snapshots of {table} and remove its orphan files (VACUUM), then record the date"
            ),
        },
        Action::DeleteReplacedPartitions {
            table,
            owned_prefix,
        } => format!("delete the old data of the partitions of {table} repointed in this run (only under {owned_prefix})"),
        Action::DropPartitions {
            table,
            partitions,
            batch_size,
            ..
        } => format!(
            "drop {} partition{} of {table} (≤{batch_size} per Glue call) and their data",
            partitions.len(),
            if partitions.len() == 1 { "" } else { "s" }
        ),
        Action::DropCatalogEntry { table } => {
            format!("remove the catalog entry of {table} (its data is kept)")
        }
        Action::DeletePrefix { prefix, reason, .. } => format!("delete {prefix}: {reason}"),
        Action::ExpireCatalogVersions { table, keep } => {
            format!("keep the newest {keep} catalog versions of {table}")
        }
        Action::RevokeLakeFormation { table, permissions } => format!(
            "Lake Formation: revoke {} read permission{} on {table} (listed below)",
            permissions.len(),
            if permissions.len() == 1 { "" } else { "s" }
        ),
        Action::GrantLakeFormation { table, permissions } => format!(
            "Lake Formation: grant on {table}{}",
            permission_lines(permissions)
        ),
    }
}

fn permission_lines(permissions: &[crate::access::LfPermission]) -> String {
    permissions
        .iter()
        .map(|p| format!("\n        {p}"))
        .collect()
}

fn sql_block(out: &mut String, sql: &str) {
    for line in sql.lines() {
        if line.trim().is_empty() {
            let _ = writeln!(out);
        } else {
            let _ = writeln!(out, "        {}", line.trim_end());
        }
    }
}
