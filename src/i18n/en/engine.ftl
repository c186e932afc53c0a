# The engines (src/engine/): what goes wrong while a step runs on DuckDB or Athena.
engine-planned-by-older = this step was planned by an earlier karte, which did not record what its statement writes; plan it again (an interrupted run: `karte rollback <run id>`, or build with --no-resume)
engine-cannot-create = cannot create { $path }: { $error }
engine-cannot-open = cannot open { $path }: { $error }
engine-cannot-lock = cannot lock { $path }: { $error }
engine-cannot-read = cannot read { $path }: { $error }
engine-cannot-write = cannot write { $path }: { $error }
engine-cannot-move = cannot move { $path }: { $error }
engine-cannot-remove = cannot remove { $path }: { $error }
engine-cannot-delete = cannot delete { $path }: { $error }
engine-cannot-copy = cannot copy { $from } to { $to }: { $error }
engine-locked = target `{ $target }` is locked by another run: { $holder }; one run at a time per target
engine-locked-stale = ; its lease has run out, so that run probably died: if no karte runs on this target any more, run again with --break-lock
engine-locked-wait = ; wait for it to finish
engine-refuse-delete = refusing to delete { $path }: { $why }
engine-refuse-write-into = refusing to write into { $path }: { $why }
engine-why-outside-owned-table = it is not inside { $owned }, the prefix { $table } owns
engine-why-covers-current = it covers { $current }, the current location of { $table }'s data
engine-why-not-managed = { $table } is not a table karte manages (no { $param }=true in the catalog)
engine-why-owner-differs = the catalog says { $table } owns { $prefix }, but karte's layout gives { $owned }; karte deletes only under the prefix it computes
engine-why-no-owned-prefix = { $table } has no { $param } in the catalog
engine-why-whole-bucket = it is a whole bucket
engine-why-outside-lake-root = it is not inside the lake root { $root }
engine-why-outside-owned = it is not under { $owned }, the prefix its table owns
engine-local-refuse-delete = refusing to delete { $path }: { $why } (lake: { $lake }, owned prefix: { $owned })
engine-local-why-unresolved = it cannot be resolved
engine-local-why-lake-unresolved = the lake cannot be resolved
engine-local-why-owned-unresolved = the owned prefix cannot be resolved
engine-local-why-outside-lake = it is not inside the lake
engine-local-why-outside-owned = it is not inside the prefix its table owns
engine-refuse-drop-unmanaged = refusing to drop { $table }: the catalog does not mark it as a table karte manages
engine-refuse-write-not-empty = refusing to write { $table } into { $path }: the location is not empty
engine-refuse-write-outside = refusing to write into { $path }: it is not under { $owned }, the prefix { $table } owns
engine-not-in-catalog = { $table } is not in the catalog
engine-staging-not-in-catalog = staging table { $table } is not in the catalog
engine-not-in-local-catalog = { $table } is not in the local catalog
engine-corrupt-entry = corrupt catalog entry for { $table }: { $error }
engine-corrupt-step-record = corrupt applied-step record for { $work }: { $error }
engine-journal-entry = journal entry for { $table }: { $error }
engine-local-error = local engine: { $error }
engine-seed-empty-header = { $file }:1: the header has an empty column name
engine-seed-unknown-column = { $file }: `column_types` names `{ $column }`, which is not a column of the file (columns: { $columns })
engine-seed-field-count = this row has { $len } fields, the header has { $expected }
engine-seed-unknown-type = { $file }: column `{ $column }`: unknown type `{ $type }` ({ $error })
engine-seed-bad-value = { $file }:{ $line }: `{ $value }` in column `{ $column }` is not of type { $type }{ $more }
engine-seed-more-rows = {" "}(and { $count } more rows)
engine-catalog-in-use = the local catalog target/karte.duckdb is in use by another karte process (one run at a time per project): { $detail }
engine-upstream-catalog-missing = the upstream's local catalog { $path } does not exist: build that project first
engine-upstream-catalog-unreadable = cannot read the upstream's local catalog { $path } (is a build of that project running?): { $error }
engine-local-no-grants = Lake Formation grants run on Athena targets only; the local engine has no permissions to apply (plan on the Athena target)
engine-previous-gone = the previous version of { $table } is gone (a later run replaced it)
engine-previous-data-deleted = the previous data of { $table } ({ $location }) was deleted by a later step; nothing to go back to
engine-duckdb-table-missing = { $table } is in the catalog but its DuckDB table is missing; { $kept } is kept untouched
engine-untranslatable = the local engine cannot run this SQL with Athena's meaning: { $problems }
engine-insert-into-view = cannot INSERT INTO the view { $table }
engine-cannot-read-statement = the local engine cannot read a plan statement: { $error }
engine-several-statements = a plan step holds more than one statement
engine-statement-not-planned = the step's statement is not the { $expected } of a query its plan says it is (does a project macro override its template?)
engine-new-columns = the query has columns { $table } does not have: { $columns } (on_schema_change: fail)
engine-columns-changed = the columns of the model changed (new: { $added }; gone: { $removed }) and { $table } has on_schema_change: { $policy }; run with --full-refresh to rebuild it
engine-none = none
engine-not-in-glue = { $table } is not in Glue
engine-staging-not-in-glue = staging table { $table } is not in Glue
engine-glue-not-managed = refusing to delete the Glue table { $table }: it is not marked { $param }=true, so karte did not create it (or no longer manages it)
engine-changed-since-planned = { $table } changed since this run was planned (Glue version { $planned } then, { $now } now): another writer changed it; nothing was swapped — run `karte build` again to plan against the table as it is
engine-a-newer-one = a newer one
engine-no-glue-version = the journal entry of { $table } has no Glue version
engine-glue-version-gone = { $table }: Glue version { $version } is gone (pruned by expire-versions)
engine-lock-taken-while-breaking = target `{ $target }` was locked by another run while the stale lock was being broken
engine-lock-released = the lock { $uri } was released while karte was reading it; run again
engine-lock-reading = reading { $uri }: { $error }
engine-lock-not-a-lock = { $uri } is not a karte lock ({ $error }); if no karte runs on this target, delete it
engine-no-lake-root = target `{ $target }` has no `lake_root` (s3://bucket/prefix/): karte writes and deletes only under it
engine-no-region = target `{ $target }` has no AWS region: set `region` in the target or AWS_REGION
engine-no-runtime = cannot start the async runtime: { $error }
engine-refuse-write-objects = refusing to write { $table } at { $location }: objects are there and no table karte manages owns them
engine-partitions-failed = { $operation } on { $table } failed for { $count } partition(s): { $details }
engine-query-failed = Athena query { $id } failed: { $error }
engine-query-not-resubmitted = Athena query { $id } failed ({ $error }) and is not submitted again: { $why }
engine-interrupted-before-start = interrupted before the query started
engine-budget-reached = --max-bytes-scanned reached: { $used } scanned in this run, the budget is { $budget }; no further queries are started
engine-query-stopped = Athena query { $id } was stopped: { $reason }
engine-access-denied = { $error } — the AWS identity karte runs as lacks a permission; docs/athena.md lists the IAM actions needed
engine-not-s3 = `{ $uri }` is not an s3:// location
engine-no-bucket = `{ $uri }` has no bucket
engine-not-built-in = this karte was built without the engine of target `{ $target }`
engine-not-built-in-help = build karte with its default features
# The totals line at the end of a run on Athena.
engine-athena-totals = Athena: { $queries ->
    [one] 1 query
   *[other] { $queries } queries
}, { $scanned } scanned, about ${ $cost } (at ${ $per_tb }/TB, 10 MB minimum per query), { $seconds } s engine time, { $retries ->
    [one] 1 retry
   *[other] { $retries } retries
}
engine-bad-memory-limit = `memory_limit: { $value }` in the target cannot be read: write a size of at least 256 MiB, such as `2GiB`, `500MB` or `25%` (of this machine's memory)
engine-bad-duckdb-threads = `duckdb_threads: 0` in the target: DuckDB needs at least 1 thread (leave it out for one per core)

# The run lock and Athena queries, while a run goes on (src/engine/lock.rs, src/engine/athena/).
lock-holder = `karte { $command }` on host { $host } (pid { $pid }) since { $since }{ $lease }
lock-holder-lease = , lease until { $until }
lock-taking-over = taking over the lock of target `{ $target }` from a run on this machine that is no longer running: { $holder }
lock-breaking = breaking the stale lock of target `{ $target }` held by { $holder }
lock-taken-over = the run lock { $location } was taken over by another run: no new steps are started
lock-not-released = could not release the run lock { $location }: it expires with its lease
athena-stopping-queries = { $count ->
    [one] stopping 1 running Athena query
   *[other] stopping { $count } running Athena queries
}
athena-query-resubmitted = Athena query { $id } of the interrupted attempt of this run did not succeed; submitting it again
athena-query-retrying = Athena query { $id } failed retryably; retrying
