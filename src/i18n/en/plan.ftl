
## The readable plan (src/plan/text.rs)
plan-title = Plan for `{ $project }` on target `{ $target }` ({ $engine }), as of { $date }
plan-title-full-refresh = Plan for `{ $project }` on target `{ $target }` ({ $engine }), as of { $date }, full refresh
plan-legend = `{"{"}run_id{"}"}` is filled in when the plan runs. Steps marked `!` may destroy data.
plan-deferred = Deferred (--defer): not selected and not built on target `{ $target }`, read from the saved manifest's relations:
plan-deferred-read-by = (read by { $models })
plan-no-steps = (no steps)
plan-tests-heading = Data tests (each runs once the nodes it reads are built; `error` blocks what is built on them):
plan-test-stored = , failing rows stored in { $table }
plan-test-its-sources = its sources
plan-test-line = { $name } ({ $severity }) on { $on }{ $stored }
plan-total-nodes = { $count ->
    [one] 1 node
   *[other] { $count } nodes
}
plan-total-steps = { $count ->
    [one] 1 step
   *[other] { $count } steps
}
plan-total-tests = { $count ->
    [0] {""}
    [one] ; 1 data test
   *[other] ; { $count } data tests
}
plan-totals = { $nodes }, { $steps }, { $destructive } that may destroy data{ $tests }.
plan-batched-buckets = {" "}({ $count } buckets each)
plan-batched = at most { $max } partitions{ $buckets } per query, by ({ $columns }); values found first by:
plan-first-batch = first batch:
plan-further-batches = further batches:
plan-param-removed = { $key } (removed)
plan-destroys = destroys { $kind }: { $target } — { $note }
plan-step-create-schema = create schema `{ $schema }` if missing
plan-step-batched = { $purpose } (batched)
plan-step-load-seed = load { $file } ({ $encoding }) into { $table } at { $location }
plan-step-check-schema = compare the query's columns with { $table } (on_schema_change: { $policy })
plan-step-swap-projected = publish { $staging } as { $table } (catalog swap with the partition projection pointed at the new version; no Glue partitions; the previous version is kept)
plan-step-swap = publish { $staging } as { $table } (catalog swap; the previous version is kept)
plan-step-register-partitions = register the partitions of { $staging } on { $table }: create new ones, repoint existing ones (≤{ $batch } per Glue call)
plan-step-append-projected = add the files of { $staging } to { $table } (into the folders its partition projection reads; no Glue partitions; files named by run, so a resumed run never adds them twice)
plan-step-append = add the files of { $staging } to { $table } (new partitions are registered; files named by run, so a resumed run never adds them twice)
plan-step-optimize = compact { $table }: rewrite small files and delete files (OPTIMIZE … BIN_PACK), then record the date
plan-step-vacuum = expire old snapshots of { $table } and remove its orphan files (VACUUM), then record the date
plan-step-delete-replaced = delete the old data of the partitions of { $table } repointed in this run (only under { $prefix })
plan-step-drop-partitions = { $count ->
    [one] drop 1 partition of { $table } (≤{ $batch } per Glue call) and their data
   *[other] drop { $count } partitions of { $table } (≤{ $batch } per Glue call) and their data
}
plan-step-drop-entry = remove the catalog entry of { $table } (its data is kept)
plan-step-delete-prefix = delete { $prefix }: { $reason }
plan-step-expire-versions = keep the newest { $keep } catalog versions of { $table }
plan-step-revoke = { $count ->
    [one] Lake Formation: revoke 1 read permission on { $table } (listed below)
   *[other] Lake Formation: revoke { $count } read permissions on { $table } (listed below)
}
plan-step-grant = Lake Formation: grant on { $table }{ $permissions }

## Planning errors (src/plan/)
plan-template-failed = materialization template `{ $name }` failed: { $error }
plan-template-failed-help = if this is a project override, check it uses only the documented inputs (docs/materializations.md)
plan-format-changed = `{ $table }` is a { $was } table in the catalog, but its config says { $now }
plan-format-changed-help = run with --full-refresh to rebuild it in the new format
plan-projection-was-on = `{ $table }` is projected in the catalog, but its config says not: an incremental run adds to the table as it is and cannot move its partitions
plan-projection-was-off = `{ $table }` is not projected in the catalog, but its config says projected: an incremental run adds to the table as it is and cannot move its partitions
plan-projection-changed-help = rebuild it once with `karte build --full-refresh -s { $model }`: the new version is written to a folder of its own and swapped in with the new settings in one catalog update
plan-no-columns = the catalog state has no columns for `{ $table }`; `{ $strategy }` needs them
plan-no-columns-help = plan against the live catalog, or save a catalog state that lists the table's columns
plan-no-columns-snapshot = the catalog state has no columns for snapshot `{ $table }`
plan-strategy-on-format = `{ $strategy }` cannot be used on a { $format } table
plan-refuse-delete = refusing to delete `{ $what }`: { $why }
plan-refuse-delete-owner = `{ $table }` owns `{ $prefix }`
plan-refuse-delete-help = karte deletes only data it wrote for a managed table under the lake root; clean this location by hand if it really must go
plan-why-whole-prefix = it is the whole prefix of `{ $table }`, which holds the version this build writes
plan-why-covers-current = it covers `{ $current }`, where `{ $table }` reads its data now
plan-why-not-owned = it is not under a prefix karte owns
plan-why-catalog-disagrees = the catalog says `{ $table }` owns `{ $glue }`, but karte's layout gives `{ $owned }`
plan-cannot-read-catalog-state = cannot read catalog state: { $error }
plan-invalid-catalog-state = invalid catalog state: { $error }
plan-invalid-catalog-state-help = the file must be JSON: {"{"}"tables": {"{"}"schema.table": {"{"}"kind": "hive", …{"}"}{"}"}{"}"}; see docs/materializations.md
plan-no-lake-root = target `{ $target }` has no `lake_root`
plan-no-lake-root-help = set `lake_root: s3://<bucket>/<prefix>/` on the target: karte writes and deletes only under it
plan-lake-root-no-bucket = `lake_root` of target `{ $target }` must be an s3:// URI with a bucket, not `{ $root }`
plan-lake-root-no-bucket-help = write `lake_root: s3://my-bucket/lake/`
plan-lake-root-whole-bucket = `lake_root` of target `{ $target }` is `{ $root }`, a whole bucket
plan-lake-root-whole-bucket-help = give the lake a prefix of its own, e.g. `lake_root: s3://my-bucket/lake/`: karte deletes what it owns under the lake root, and never a bucket root
plan-lake-root-bad-path = `lake_root` of target `{ $target }` is `{ $root }`: { $problem }
plan-lake-root-bad-path-help = write the lake root as plain segments, e.g. `lake_root: s3://my-bucket/lake/`
plan-path-empty-segment = it has an empty segment (`//`)
plan-path-dot-segment = it has a `{ $segment }` segment
plan-not-managed = `{ $table }` exists in the catalog, but karte did not create it
plan-not-managed-help = karte replaces only tables it manages: rename the model, or drop the existing table yourself if it may go
plan-external-location-not-plain = `external_location` of `{ $model }` is not a plain location: { $problem }
plan-external-location-outside = `external_location` of `{ $model }` is outside the lake root
plan-note-location = location: { $location }
plan-note-lake-root = lake root: { $root }
plan-external-location-bad-help = karte writes and deletes only under the target's lake root: remove `external_location` to use the default, or choose a prefix under the root
plan-same-place = `{ $first }` and `{ $second }` would write to the same place
plan-owns = `{ $model }` owns { $prefix }
plan-same-place-help = every table needs a prefix of its own: one table's data must never be inside another's, or a rebuild of one would delete the other
plan-owned-prefix-differs = the catalog says `{ $table }` owns `{ $prefix }`, but karte's layout gives `{ $computed }`
plan-owned-prefix-differs-note = karte deletes only under the prefix it computes from lake_root, the schema and the table (or `external_location`), and refuses when the catalog disagrees
plan-owned-prefix-differs-help = if the table was written under another lake_root or external_location, set that back; otherwise move or drop the table (and its data) by hand, then build again
plan-statement-too-long = a statement of `{ $model }` is { $bytes } bytes; Athena accepts at most { $max }
plan-note-step = step { $step }
plan-statement-too-long-help = split the model: move parts of the query into models of their own (tables or views)
plan-delete-before-write = internal error: step { $step } would delete data before anything was written
plan-delete-before-write-help = this is a bug in karte's planner; please report it
plan-catalog-created = { $table } was created
plan-catalog-dropped = { $table } was dropped
plan-catalog-written = { $table } was written (new version or partitions)

## Model config (src/plan/settings.rs, projection.rs, maintenance.rs)
plan-did-you-mean = did you mean `{ $name }`?
plan-use-one-of = use one of: { $values }
plan-value-not-allowed = `{ $key }: { $value }` is not allowed for `{ $model }`
plan-not-text = `{ $key }` must be text, not `{ $value }`
plan-not-text-help = write it as `{ $key }: '…'`
plan-not-list = `{ $key }` must be a list of names, not `{ $value }`
plan-not-list-help = write it as `{ $key }: [col_a, col_b]`
plan-not-number = `{ $key }` must be a whole number, not `{ $value }`
plan-not-number-help = write it as `{ $key }: 3`
plan-not-mapping = `{ $key }` must be a mapping, not `{ $value }`
plan-not-mapping-help = write it as `{ $key }: {"{"}name: value{"}"}`
plan-versions-zero = `versions_to_keep: 0` is not allowed for `{ $model }`: the version a build replaces is what a rollback (and a reader still running a query) needs
plan-versions-zero-help = keep at least one earlier version: `versions_to_keep: 1` (the default)
plan-projection-iceberg = `{ $model }` is an Iceberg table: Iceberg keeps its partitions in its own metadata, never in Glue, so there is nothing to project
plan-projection-not-table = partition projection is for tables karte builds (`materialized: table` or `incremental`); `{ $model }` is not one
plan-projection-insert-overwrite = `insert_overwrite` replaces a partition by pointing its Glue entry at new data, but Athena reads a projected table's partitions from the location template, not from Glue: `{ $model }` cannot do both without a window where a partition is half-written
plan-projection-unsupported-help = remove `partition_projection`, or use `materialized: table` (each build writes a new version folder and swaps the template with the table in one catalog update) or `incremental_strategy: append` on a Hive table
plan-maintenance-hive = `{ $key }` runs Athena's OPTIMIZE/VACUUM, which work on Iceberg tables only; `{ $model }` is a Hive table
plan-maintenance-hive-help = set `table_type: iceberg`, or remove the key (a Hive table's `table` build writes compact files every run)
plan-maintenance-rebuilt = `{ $model }` is rebuilt whole on every run, so its files never need compaction or its snapshots expiring
plan-maintenance-rebuilt-help = remove the key; maintenance is for incremental models and snapshots, which keep one Iceberg table across runs
plan-release-not-mapping = `snapshot` must be a mapping like `{"{"}every: quarter, keep: 8{"}"}`
plan-release-not-mapping-help = write `snapshot: {"{"}every: month|quarter|run, keep: N{"}"}`
plan-release-every = `snapshot.every` must be month, quarter or run, not `{ $value }`
plan-release-every-nothing = nothing
plan-release-every-help = write `snapshot: {"{"}every: quarter, keep: 8{"}"}`
plan-snapshot-no-key = snapshot `{ $model }` needs a `unique_key`
plan-snapshot-no-key-help = set `unique_key: [person_id]` in the snapshot's config
plan-snapshot-no-updated-at = snapshot `{ $model }` uses the timestamp strategy but has no `updated_at`
plan-snapshot-no-updated-at-help = set `updated_at: <column>`, or use `strategy: check`
plan-strategy-needs-iceberg = `{ $strategy }` needs an Iceberg table, but `{ $model }` is a Hive table
plan-strategy-needs-iceberg-help = set `table_type: iceberg`, or use `insert_overwrite` (replace partitions) or `append`
plan-overwrite-hive-only = `insert_overwrite` works on Hive tables only, but `{ $model }` is Iceberg
plan-overwrite-hive-only-help = use `merge` with a `unique_key`, or `delete+insert`
plan-overwrite-no-partitions = `insert_overwrite` replaces partitions, but `{ $model }` has no `partitioned_by`
plan-overwrite-no-partitions-help = set `partitioned_by: [service_month]`, or use `append` (karte never silently appends instead)
plan-strategy-needs-key = `{ $strategy }` needs a `unique_key`, but `{ $model }` has none
plan-strategy-needs-key-help = set `unique_key: [receipt_id]`
plan-strategy-not-incremental = `incremental_strategy` is set, but `{ $model }` is not incremental
plan-strategy-not-incremental-help = set `materialized: incremental`, or remove the strategy
plan-bucketed-iceberg = `bucketed_by` is for Hive tables; `{ $model }` is Iceberg
plan-bucketed-iceberg-help = use a partition transform instead: `partitioned_by: ['bucket(16, person_id)']`
plan-bucketed-no-count = `{ $model }` sets `bucketed_by` without `bucket_count`
plan-bucketed-no-count-help = add `bucket_count: 16` (or another number)
plan-bucket-count-range = the bucket count of `{ $model }` must be between 1 and 100
plan-bucket-count-range-help = Athena writes at most 100 partitions × buckets per query
plan-iceberg-format = Iceberg tables store PARQUET, ORC or AVRO, not { $format }
plan-iceberg-format-help = remove `format`, or set `format: parquet`
plan-transform-needs-iceberg = partition transform `{ $transform }` needs an Iceberg table
plan-transform-needs-iceberg-help = Hive tables partition by plain columns; set `table_type: iceberg` for transforms
plan-transform-not-batchable = partition transform `{ $transform }` cannot be batched by partition value
plan-transform-not-batchable-help = partition by a column or by year/month/day/hour/bucket instead
plan-no-effect-view = `{ $key }` has no effect on a view (`{ $model }`)
plan-no-effect-ephemeral = `{ $key }` has no effect on a ephemeral model (`{ $model }`)
plan-no-effect-help = set `materialized: table` or `incremental`, or remove the key
plan-release-not-table = release snapshots copy a table, but `{ $model }` is not a table
plan-release-not-table-help = set `materialized: table`
plan-proj-not-mapping = `partition_projection` must be a mapping of partition columns, not `{ $value }`
plan-proj-not-mapping-help = write `partition_projection: {"{"}service_month: {"{"}type: date, range: '2015-01,NOW', format: yyyy-MM, interval: 1, unit: MONTHS{"}"}{"}"}`
plan-proj-unpartitioned = `partition_projection` is set, but the model has no `partitioned_by`
plan-proj-unpartitioned-help = set `partitioned_by: [service_month]` (projection computes partitions; an unpartitioned table has none)
plan-proj-not-partition-column = `partition_projection` names `{ $column }`, which is not a partition column ({ $columns })
plan-proj-none = none
plan-proj-not-partition-column-help = project exactly the columns of `partitioned_by`
plan-proj-missing-column = partition column `{ $column }` has no projection: Athena needs one for every partition column of a projected table
plan-proj-missing-column-help = add it under `partition_projection:` (`{"{"}type: injected{"}"}` if queries always name its value)
plan-proj-empty = `partition_projection` is empty
plan-proj-empty-help = give each partition column a projection, or remove the key
plan-proj-column-not-mapping = the projection of `{ $column }` must be a mapping like `{"{"}type: integer, range: '1,12'{"}"}`, not `{ $value }`
plan-proj-column-not-mapping-help = write `{"{"}type: integer|date|enum|injected, …{"}"}`
plan-proj-bad-type = the projection of `{ $column }` has type `{ $type }`; Athena projects integer, date, enum or injected
plan-proj-no-type = (none)
plan-proj-bad-type-help = set `type: integer`, `date`, `enum` or `injected`
plan-proj-unknown-setting = `{ $key }` is not a setting of a { $kind } projection (`{ $column }`)
plan-proj-unknown-setting-help = a { $kind } projection takes: { $keys }
plan-proj-not-positive = `{ $key }` of the projection of `{ $column }` must be a positive whole number, not `{ $value }`
plan-proj-not-positive-help = write `{ $key }: 1`
plan-proj-range-reversed = the range of `{ $column }` starts at { $low }, after its end { $high }
plan-proj-range-reversed-help = write the smaller bound first: `range: '1,12'`
plan-proj-range-not-integers = the range of the integer projection of `{ $column }` is `{ $low },{ $high }`: both bounds must be whole numbers
plan-proj-range-not-integers-help = write `range: '2010,2040'` (or `[2010, 2040]`)
plan-proj-integer-no-range = the integer projection of `{ $column }` needs a `range` of two bounds
plan-proj-integer-no-range-help = write `range: '1,12'` (or `[1, 12]`)
plan-proj-date-no-format = the date projection of `{ $column }` needs a `format` (a Java date pattern, as the partition values are written)
plan-proj-date-no-format-help = write `format: yyyy-MM` for values like 2024-01, or `yyyyMMdd` for 20240131
plan-proj-bad-bound = the range of `{ $column }` has the bound `{ $bound }`: { $why }
plan-proj-bad-bound-help = write dates in the projection's `format`, or NOW with an offset such as `NOW-10YEARS`
plan-proj-date-no-range = the date projection of `{ $column }` needs a `range` of two bounds
plan-proj-date-no-range-help = write `range: '2015-01,NOW'` (bounds in the projection's `format`, or NOW±N UNITS)
plan-proj-bad-unit = `unit: { $unit }` of the projection of `{ $column }` is not a unit Athena knows
plan-proj-enum-comma = enum value `{ $value }` of `{ $column }` contains a comma: Athena keeps the values as one comma-separated list
plan-proj-enum-comma-help = use values without commas
plan-proj-enum-no-values = the enum projection of `{ $column }` needs `values`: a non-empty list
plan-proj-enum-no-values-help = write `values: ['01', '13', '27']`
plan-proj-bound-relative = a relative bound is NOW, or NOW+N or NOW-N with a unit (YEARS, MONTHS, WEEKS, DAYS, HOURS, MINUTES, SECONDS)
plan-proj-bound-format = it does not match the format `{ $format }`
plan-maint-help = write `{ $example }` (days `d` or weeks `w`)
plan-maint-not-mapping = `{ $key }` must be a mapping like `{"{"}every: 7d{"}"}`, not `{ $value }`
plan-maint-unknown-setting = `{ $setting }` is not a setting of `{ $key }` (it takes: { $keys })
plan-maint-no-every = `{ $key }` needs `every`: how often it runs
plan-maint-bad-every = `{ $key }.every` is `{ $value }`, not a number of days or weeks
plan-maint-bad-where = `{ $key }.where` must be a predicate on partition columns, not `{ $value }`

## Data tests (src/plan/data_tests.rs)
plan-test-bad-severity = `severity: { $severity }` in a test of `{ $model }`
plan-test-bad-severity-help = use `severity: warn` or `severity: error`
plan-test-needs-column = test `{ $test }` of `{ $model }` needs a column
plan-test-needs-column-help = put the test under a column's `tests:`
plan-test-no-values = `accepted_values` on `{ $model }.{ $column }` has no `values`
plan-test-no-values-help = write `- accepted_values: {"{"}values: ['1', '2']{"}"}`
plan-test-unknown-parent = `relationships` test of `{ $model }` points at unknown model `{ $target }`
plan-test-no-expression = `expression_is_true` on `{ $model }` has no `expression`
plan-test-no-expression-help = write `- expression_is_true: {"{"}expression: 'amount >= 0'{"}"}`
plan-test-unknown = unknown test `{ $test }` on `{ $model }`
plan-test-unknown-help = write a singular test in tests/*.sql for other checks (in a dbt project, also a `{"{"}% test %{"}"}` block)
plan-test-template-failed = test template failed: { $error }
plan-lake-dir-root = `lake_dir` of target `{ $target }` is `{ $dir }`: a lake needs a directory of its own
plan-lake-dir-root-help = write `lake_dir: target/lake` (the default) or another directory karte may fill and clean
plan-schema-prefix-bad = `schema_prefix` of target `{ $target }` is `{ $prefix }`: schemas are one path segment of the lake, so it may not contain `/`, `\` or `..`
plan-schema-prefix-bad-help = write a plain prefix such as `schema_prefix: dev_`
plan-bad-table-name = `{ $model }` cannot be a table name on Athena
plan-bad-table-name-help = rename the file to `{ $suggested }.sql`: lower-case letters, digits and `_` (Athena lower-cases names, so `Receipts` and `receipts` would be the same table)
plan-bad-column-name = column name `{ $column }` in the config of `{ $model }` is not lower-case
plan-bad-column-name-help = Athena lower-cases column names: write `{ $suggested }`

## Fixed phrases the planner records in the plan (plan.json keeps them in English: they are
## data, part of what a reviewed plan is compared by); the readable plan shows them through
## these ids (src/plan/text.rs, `PHRASES`). The English text must be the recorded one.
plan-phrase-first-run = first run
plan-phrase-full-refresh = full refresh
plan-phrase-rebuild = rebuild
plan-phrase-table-becomes-view = table becomes a view
plan-phrase-inlined = inlined into its consumers
plan-phrase-write-new-version = write the new version
plan-phrase-write-rows-apart = write the new rows apart
plan-phrase-append-rows = append the new rows
plan-phrase-write-new-partitions = write the new partitions
plan-phrase-create-view = create or replace the view
plan-phrase-snapshot-merge = close changed versions and add new ones (MERGE)
plan-phrase-write-history = write the whole new history
plan-phrase-upsert = upsert the new rows (MERGE)
plan-phrase-replace-by-key = replace rows by key (one MERGE: delete + insert)
plan-phrase-written-apart-copy = the written-apart copy of the rows now in the table
plan-phrase-kind-read-permission = read permission
plan-phrase-kind-objects = objects
plan-phrase-kind-partitions = partitions
plan-phrase-kind-rows = rows
plan-phrase-kind-catalog-entry = catalog entry
plan-phrase-kind-view-definition = view definition
plan-phrase-kind-catalog-versions = catalog versions
plan-phrase-kind-snapshots = snapshots
plan-phrase-note-revoke = the principal can no longer read this when the step runs; granted again only by a build whose karte.yml gives it
plan-phrase-note-staging-copy = this run's staging copy only, after its files were added to the table
plan-phrase-note-repointed = each is pointed at its new data; the old files stay until the next step
plan-phrase-note-repointed-only = only partitions repointed in this run, after their new data is registered
plan-phrase-note-merge = updated in place; earlier values stay reachable by Iceberg time travel
plan-phrase-note-delete-insert = deleted and re-inserted in one commit; earlier rows stay reachable by Iceberg time travel
plan-phrase-note-entry-then-data = the table's catalog entry; its data is deleted after the view exists
plan-phrase-note-definition-kept = the previous definition stays in the Glue table versions
plan-phrase-note-former-table = all data of the former table
plan-phrase-note-old-versions = older Glue table versions (metadata only)
plan-phrase-note-snapshot-restarts = the snapshot starts again from the current source rows; the previous table stays per versions_to_keep
plan-phrase-note-valid-to = only `dbt_valid_to` is set; no version is removed
plan-phrase-note-earlier-version = an earlier version of the table, no longer kept
plan-phrase-note-view-replaced = the view is replaced by a table

# Phrases the planner records with values in them (src/plan/text.rs, VALUE_PHRASES): the
# English is exactly what plan.json holds.
plan-phrase-mode-incremental = incremental ({ $strategy })
plan-phrase-mode-snapshot-rewrite = snapshot ({ $strategy }, full rewrite)
plan-phrase-mode-snapshot = snapshot ({ $strategy })
plan-phrase-take-release = take release { $name } of { $table }
plan-phrase-update-projection = update the partition projection of { $table } (its config changed; the location template stays)
plan-phrase-target-new-partitions = { $table } (the partitions the new data falls into)
plan-phrase-target-replaced-partitions = previous data of the replaced partitions, under { $prefix }
plan-phrase-target-rows-by-key = rows of { $table } whose unique_key ({ $keys }) is in the new data
plan-phrase-target-history = the history of { $table } (every closed version)
plan-phrase-target-current-versions = current versions in { $table } whose source row changed
plan-phrase-target-releases = releases { $releases } of { $table }
plan-phrase-note-old-releases = older than the newest { $keep } releases: catalog entries and data
plan-phrase-target-old-snapshots = snapshots of { $table } older than its vacuum_max_snapshot_age_seconds (Athena's default: 5 days), and files no snapshot references
plan-phrase-note-vacuum = time travel (and `karte rollback` of runs) to expired snapshots is no longer possible; { $since }
plan-phrase-maintenance-last-run = last run { $date }, every { $days } days
plan-phrase-maintenance-never-run = never run by karte, every { $days } days
plan-phrase-target-permission = { $permission } of { $table }
plan-test-macro-failed = test `{ $test }` of `{ $model }` could not be made from its `{"{"}% test %{"}"}` block: { $detail }
plan-test-unknown-ref = test of `{ $model }` reads unknown model `{ $target }`
