//! The plan as text for people: each node in order, its steps with their SQL, and a `!` on every
//! step that may destroy data, with what and why.

use std::fmt::Write;

use super::step::{Action, Plan, Step};
use crate::t;

/// Render a plan for reading.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let engine = match plan.engine {
        crate::project::TargetType::Athena => "athena",
        crate::project::TargetType::Local => "local",
    };
    let title = if plan.full_refresh {
        t!(
            "plan-title-full-refresh",
            project = plan.project.to_string(),
            target = plan.target.to_string(),
            engine = engine,
            date = plan.as_of.to_string()
        )
    } else {
        t!(
            "plan-title",
            project = plan.project.to_string(),
            target = plan.target.to_string(),
            engine = engine,
            date = plan.as_of.to_string()
        )
    };
    let _ = writeln!(out, "{title}");
    let _ = writeln!(out, "{}", t!("plan-legend"));
    if !plan.deferred.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            t!("plan-deferred", target = plan.target.to_string())
        );
        for d in &plan.deferred {
            let _ = writeln!(
                out,
                "   {} → {}  {}",
                d.relation,
                d.deferred_to,
                t!("plan-deferred-read-by", models = d.read_by.join(", "))
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
            phrase(&node.mode)
        );
        let _ = writeln!(out, "   {}", node.path);
        if node.steps.is_empty() {
            let _ = writeln!(out, "   {}", t!("plan-no-steps"));
        }
        for step in &node.steps {
            render_step(&mut out, step);
        }
    }
    if !plan.tests.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", t!("plan-tests-heading"));
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
                .map(|table| t!("plan-test-stored", table = table.to_string()))
                .unwrap_or_default();
            let on = if on.is_empty() {
                t!("plan-test-its-sources")
            } else {
                on
            };
            let _ = writeln!(
                out,
                "   {}",
                t!(
                    "plan-test-line",
                    name = t.name.to_string(),
                    severity = t.severity.to_string(),
                    on = on,
                    stored = stored
                )
            );
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
        "{}",
        t!(
            "plan-totals",
            nodes = t!("plan-total-nodes", count = plan.nodes.len()),
            steps = t!("plan-total-steps", count = steps),
            destructive = destructive,
            tests = t!("plan-total-tests", count = plan.tests.len())
        )
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
                .map(|b| t!("plan-batched-buckets", count = b.to_string()))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "      {}",
                t!(
                    "plan-batched",
                    max = max_partitions_per_query.to_string(),
                    buckets = buckets,
                    columns = partition_columns.join(", ")
                )
            );
            sql_block(out, probe_sql);
            let _ = writeln!(out, "      {}", t!("plan-first-batch"));
            sql_block(out, first_sql);
            if rest_sql != first_sql {
                let _ = writeln!(out, "      {}", t!("plan-further-batches"));
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
                let _ = writeln!(out, "        {}", t!("plan-param-removed", key = k));
            }
        }
        _ => {}
    }
    for d in &step.destroys {
        let _ = writeln!(out, "      {}", destroys_line(d));
    }
}

/// What a step may destroy, in one line (`destroys rows: … — …`).
pub fn destroys_line(d: &crate::plan::step::Destroy) -> String {
    t!(
        "plan-destroys",
        kind = phrase(&d.kind),
        target = phrase(&d.target),
        note = phrase(&d.note)
    )
}

/// One line saying what an action does (the line after a step's id in the plan).
pub fn summary(a: &Action) -> String {
    match a {
        Action::CreateSchema { schema } => {
            t!("plan-step-create-schema", schema = schema.to_string())
        }
        Action::Sql { purpose, .. } => phrase(purpose),
        Action::BatchedWrite { purpose, .. } => {
            t!("plan-step-batched", purpose = phrase(purpose))
        }
        Action::LoadSeed {
            file,
            table,
            location,
            encoding,
            ..
        } => t!(
            "plan-step-load-seed",
            file = file.to_string(),
            encoding = encoding.to_string(),
            table = table.to_string(),
            location = location.to_string()
        ),
        Action::CheckSchema { table, policy, .. } => t!(
            "plan-step-check-schema",
            table = table.to_string(),
            policy = policy.to_string()
        ),
        Action::SwapTable {
            table,
            staging,
            projected: true,
            ..
        } => t!(
            "plan-step-swap-projected",
            staging = staging.to_string(),
            table = table.to_string()
        ),
        Action::SwapTable { table, staging, .. } => t!(
            "plan-step-swap",
            staging = staging.to_string(),
            table = table.to_string()
        ),
        Action::RegisterPartitions {
            table,
            staging,
            batch_size,
            ..
        } => t!(
            "plan-step-register-partitions",
            staging = staging.to_string(),
            table = table.to_string(),
            batch = batch_size.to_string()
        ),
        Action::AppendFiles {
            table,
            staging,
            projected: true,
            ..
        } => t!(
            "plan-step-append-projected",
            staging = staging.to_string(),
            table = table.to_string()
        ),
        Action::AppendFiles { table, staging, .. } => t!(
            "plan-step-append",
            staging = staging.to_string(),
            table = table.to_string()
        ),
        Action::SetParameters { reason, .. } => phrase(reason),
        Action::MaintainIceberg {
            table, operation, ..
        } => match operation {
            crate::plan::maintenance::Operation::Optimize => {
                t!("plan-step-optimize", table = table.to_string())
            }
            crate::plan::maintenance::Operation::Vacuum => {
                t!("plan-step-vacuum", table = table.to_string())
            }
        },
        Action::DeleteReplacedPartitions {
            table,
            owned_prefix,
        } => t!(
            "plan-step-delete-replaced",
            table = table.to_string(),
            prefix = owned_prefix.to_string()
        ),
        Action::DropPartitions {
            table,
            partitions,
            batch_size,
            ..
        } => t!(
            "plan-step-drop-partitions",
            count = partitions.len(),
            table = table.to_string(),
            batch = batch_size.to_string()
        ),
        Action::DropCatalogEntry { table } => {
            t!("plan-step-drop-entry", table = table.to_string())
        }
        Action::DeletePrefix { prefix, reason, .. } => t!(
            "plan-step-delete-prefix",
            prefix = prefix.to_string(),
            reason = phrase(reason)
        ),
        Action::ExpireCatalogVersions { table, keep } => t!(
            "plan-step-expire-versions",
            keep = keep.to_string(),
            table = table.to_string()
        ),
        Action::RevokeLakeFormation { table, permissions } => t!(
            "plan-step-revoke",
            count = permissions.len(),
            table = table.to_string()
        ),
        Action::GrantLakeFormation { table, permissions } => t!(
            "plan-step-grant",
            table = table.to_string(),
            permissions = permission_lines(permissions)
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

/// The fixed phrases the planner records (modes, purposes, what a step destroys and why),
/// as recorded (English: they are data of plan.json) and their message ids: the readable plan
/// shows them in the process language. A test checks each id gives the recorded text in English.
const PHRASES: &[(&str, &str)] = &[
    ("first run", "plan-phrase-first-run"),
    ("full refresh", "plan-phrase-full-refresh"),
    ("rebuild", "plan-phrase-rebuild"),
    ("table becomes a view", "plan-phrase-table-becomes-view"),
    ("inlined into its consumers", "plan-phrase-inlined"),
    ("write the new version", "plan-phrase-write-new-version"),
    ("write the new rows apart", "plan-phrase-write-rows-apart"),
    ("append the new rows", "plan-phrase-append-rows"),
    ("write the new partitions", "plan-phrase-write-new-partitions"),
    ("create or replace the view", "plan-phrase-create-view"),
    ("close changed versions and add new ones (MERGE)", "plan-phrase-snapshot-merge"),
    ("write the whole new history", "plan-phrase-write-history"),
    ("upsert the new rows (MERGE)", "plan-phrase-upsert"),
    ("replace rows by key (one MERGE: delete + insert)", "plan-phrase-replace-by-key"),
    ("the written-apart copy of the rows now in the table", "plan-phrase-written-apart-copy"),
    ("read permission", "plan-phrase-kind-read-permission"),
    ("objects", "plan-phrase-kind-objects"),
    ("partitions", "plan-phrase-kind-partitions"),
    ("rows", "plan-phrase-kind-rows"),
    ("catalog entry", "plan-phrase-kind-catalog-entry"),
    ("view definition", "plan-phrase-kind-view-definition"),
    ("catalog versions", "plan-phrase-kind-catalog-versions"),
    ("snapshots", "plan-phrase-kind-snapshots"),
    ("the principal can no longer read this when the step runs; granted again only by a build whose karte.yml gives it", "plan-phrase-note-revoke"),
    ("this run's staging copy only, after its files were added to the table", "plan-phrase-note-staging-copy"),
    ("each is pointed at its new data; the old files stay until the next step", "plan-phrase-note-repointed"),
    ("only partitions repointed in this run, after their new data is registered", "plan-phrase-note-repointed-only"),
    ("updated in place; earlier values stay reachable by Iceberg time travel", "plan-phrase-note-merge"),
    ("deleted and re-inserted in one commit; earlier rows stay reachable by Iceberg time travel", "plan-phrase-note-delete-insert"),
    ("the table's catalog entry; its data is deleted after the view exists", "plan-phrase-note-entry-then-data"),
    ("the previous definition stays in the Glue table versions", "plan-phrase-note-definition-kept"),
    ("all data of the former table", "plan-phrase-note-former-table"),
    ("older Glue table versions (metadata only)", "plan-phrase-note-old-versions"),
    ("the snapshot starts again from the current source rows; the previous table stays per versions_to_keep", "plan-phrase-note-snapshot-restarts"),
    ("only `dbt_valid_to` is set; no version is removed", "plan-phrase-note-valid-to"),
    ("an earlier version of the table, no longer kept", "plan-phrase-note-earlier-version"),
    ("the view is replaced by a table", "plan-phrase-note-view-replaced"),
];

/// The phrases the planner records with values in them, as patterns of the recorded English
/// (`{name}` a value, itself shown as a phrase when it is one) and their message ids, whose
/// arguments are the same names. A test checks each id gives the recorded text in English.
const VALUE_PHRASES: &[(&str, &str)] = &[
    ("incremental ({strategy})", "plan-phrase-mode-incremental"),
    ("snapshot ({strategy}, full rewrite)", "plan-phrase-mode-snapshot-rewrite"),
    ("snapshot ({strategy})", "plan-phrase-mode-snapshot"),
    ("take release {name} of {table}", "plan-phrase-take-release"),
    ("update the partition projection of {table} (its config changed; the location template stays)", "plan-phrase-update-projection"),
    ("{table} (the partitions the new data falls into)", "plan-phrase-target-new-partitions"),
    ("previous data of the replaced partitions, under {prefix}", "plan-phrase-target-replaced-partitions"),
    ("rows of {table} whose unique_key ({keys}) is in the new data", "plan-phrase-target-rows-by-key"),
    ("the history of {table} (every closed version)", "plan-phrase-target-history"),
    ("current versions in {table} whose source row changed", "plan-phrase-target-current-versions"),
    ("releases {releases} of {table}", "plan-phrase-target-releases"),
    ("older than the newest {keep} releases: catalog entries and data", "plan-phrase-note-old-releases"),
    ("snapshots of {table} older than its vacuum_max_snapshot_age_seconds (Athena's default: 5 days), and files no snapshot references", "plan-phrase-target-old-snapshots"),
    ("time travel (and `karte rollback` of runs) to expired snapshots is no longer possible; {since}", "plan-phrase-note-vacuum"),
    ("last run {date}, every {days} days", "plan-phrase-maintenance-last-run"),
    ("never run by karte, every {days} days", "plan-phrase-maintenance-never-run"),
    ("{permission} of {table}", "plan-phrase-target-permission"),
];

/// A recorded phrase in the process language (one the catalogue does not know stays as
/// recorded).
pub fn phrase(recorded: &str) -> String {
    phrase_in(crate::i18n::lang(), recorded)
}

fn phrase_in(lang: crate::i18n::Lang, recorded: &str) -> String {
    crate::i18n::recorded::show(lang, PHRASES, VALUE_PHRASES, recorded)
}

#[cfg(test)]
mod tests {
    use crate::i18n::{format_in, Lang};

    #[test]
    fn every_phrase_with_values_is_in_the_catalogue_and_keeps_its_values() {
        for (pattern, id) in super::VALUE_PHRASES {
            // The pattern with a distinct value per hole, as the planner would record it.
            let mut recorded = pattern.to_string();
            let mut n = 0;
            while let Some(open) = recorded.find('{') {
                let close = open + recorded[open..].find('}').unwrap();
                n += 1;
                recorded.replace_range(open..=close, &format!("v{n}_x"));
            }
            assert_eq!(super::phrase_in(Lang::En, &recorded), recorded, "{id}");
            let ja = super::phrase_in(Lang::Ja, &recorded);
            assert_ne!(ja, recorded, "{id} is not in Japanese");
            for k in 1..=n {
                assert!(ja.contains(&format!("v{k}_x")), "{id} loses a value: {ja}");
            }
        }
        // A phrase inside a value is shown in the language too; an unknown one stays.
        assert_eq!(
            super::phrase_in(
                Lang::Ja,
                "time travel (and `karte rollback` of runs) to expired snapshots is no longer possible; never run by karte, every 7 days"
            ),
            format_in(Lang::Ja, "plan-phrase-note-vacuum", &[("since", format_in(Lang::Ja, "plan-phrase-maintenance-never-run", &[("days", "7".into())]).into())])
        );
        assert_eq!(super::phrase_in(Lang::Ja, "silver.visits"), "silver.visits");
        assert_eq!(
            crate::i18n::recorded::match_pattern(
                "rows of {table} whose unique_key ({keys}) is in the new data",
                "rows of s.t whose unique_key (a, b) is in the new data"
            ),
            Some(vec![("table", "s.t"), ("keys", "a, b")])
        );
    }

    #[test]
    fn every_recorded_phrase_is_in_the_catalogue() {
        for (en, id) in super::PHRASES {
            assert_eq!(format_in(Lang::En, id, &[]), *en, "{id} in en/plan.ftl");
            assert_ne!(
                format_in(Lang::Ja, id, &[]),
                *id,
                "{id} missing in ja/plan.ftl"
            );
        }
    }
}
