# What a run shows while it runs (src/cli/progress.rs) and what it checks before (src/execute/inputs.rs).
run-begin = { $command } { $run_id }: { $total } node(s) and test(s) to run
run-counts = ok { $ok }  failed { $failed }  skipped { $skipped }
run-running = running
run-elapsed = elapsed

inputs-no-data-source = source `{ $relation }` has no data on this target: nothing was loaded into it
inputs-no-data-ingest = ingest table `{ $relation }` has no data on this target: nothing was ingested into it
inputs-no-data-external = table `{ $relation }` (external_relations) does not exist on this target
inputs-read-here = read here
inputs-read-by = `{ $model }` reads it, so it cannot be built
inputs-through-ephemeral = the ephemeral model `{ $ephemeral }` reads it inside `{ $model }`, so `{ $model }` cannot be built
inputs-help-ingest = load its delivered files first: `karte ingest DELIVERY_DIR` (the rule is in { $rule }; docs/ingest.md), or `karte build --ingest DELIVERY_DIR`
inputs-help-source = load it: write an ingest rule for its files in ingest/ and run `karte ingest` (docs/ingest.md); or put sample rows in a seed (seeds/NAME.csv) and read `seeds.NAME` instead; or create `{ $relation }` in the local catalog target/karte.duckdb yourself. A table kept outside karte and not declared as a source goes under `external_relations` in karte.yml
inputs-help-external = karte does not build tables listed in `external_relations`: create `{ $relation }` in the local catalog target/karte.duckdb, or leave the model out locally with --exclude
inputs-not-in-glue = `{ $relation }` is not in this target's Glue Data Catalog: Glue has no table `{ $table }` in database `{ $database }`
inputs-help-glue = check the database and table names (`schema:` and `identifier:` of the source in its property file, or the name in `external_relations`) and the target's region and account; if the table is landed by another team, ask them whether it exists yet

# Running a plan (src/execute/) and writing artifacts (src/artifacts/).
run-journal-copy = the run journal's copy:{" "}
run-cannot-read-journal-copy = cannot read the run journal's copy:{" "}
run-resume-other-selection = the interrupted run { $run } on target `{ $target }` was asked for { $was }; this build asks for { $now }
run-resume-other-selection-help = run `karte { $command }` with the same selection to finish that run, `karte rollback { $run }` to undo it, or --no-resume to start a new run
run-resume-other-plan = the interrupted run { $run } on target `{ $target }` ran another plan than this one
run-resume-other-plan-help = finish it (`karte build`), roll it back (`karte rollback { $run }`), or run this plan with --no-resume
run-resuming = resuming { $run } on target `{ $target }` with its plan (target/journal/{ $run }/plan.json{ $copied }): { $done } step(s) already done are skipped (use --no-resume to start afresh, or `karte rollback { $run }`)
run-resuming-copied = , copied from { $location }
run-selection-everything = everything, no --full-refresh
run-plan-stale = the catalog changed since the plan was made; nothing was run: { $changes }
run-plan-stale-help = plan again (`karte plan --out FILE`), review it, and build that plan
run-cannot-write-journal-under = cannot write the run journal under target/journal: { $error }
run-cannot-create-schema = cannot create the schema `{ $schema }`:{" "}
run-cannot-record-sources = warning: cannot record what this run was built from ({ $error }): the next `source_status:fresher` build rebuilds its nodes
run-step-failed = { $message } (step { $step }, { $path })
run-cannot-clean-up = cannot clean up after the interrupted step: { $error }
run-cannot-write-journal = cannot write the run journal: { $error }
run-cannot-read-before-swap = cannot read { $table } before swapping it: { $error }
run-secret-in-view = a secret ({"{"}secret:…{"}"}, e.g. from pseudonymize) cannot be used in a view: the view's SQL is kept in the catalog, where anyone who can read it would see the secret; materialize the model as a table
run-cannot-write-file = cannot write { $path }: { $error }
run-no-previous-run = there is no previous run to retry (target/run_results.json is missing)
run-no-previous-run-help = run `karte build` first
run-results-unreadable = target/run_results.json is not readable: { $error }
run-journal-copy-error = the journal's copy: { $error }
run-cannot-write-journal-dir = cannot write the run journal under { $path }: { $error }
run-secret-bad-placeholder = `{ $placeholder }` is not a valid secret placeholder
run-secret-not-declared = the secret `{ $name }` is not declared; add it to `secrets:` in karte.yml
run-secret-not-set = the environment variable { $name } is not set; this step needs it (a secret such as a pseudonymisation salt, never written to compiled files)
run-test-failing-rows = { $count ->
    [one] 1 failing row
   *[other] { $count } failing rows
}
run-test-example = ; e.g. { $rows }
run-test-stored = ; stored in { $table }
run-test-not-stored = ; could not store them: { $error }
run-rollback-bad-id = `{ $run }` is not a run id
run-rollback-bad-id-help = run ids look like run_20260401_093000_123: the directory names in target/journal/
run-rollback-nor-at = {" "}nor at { $location }
run-rollback-no-journal = no journal for run `{ $run }` under target/journal{ $also }: { $error }
run-rollback-no-journal-help = the run ids are the directory names in target/journal/
run-rollback-succeeded = run `{ $run }` finished successfully
run-rollback-succeeded-help = to undo a successful run (e.g. it published bad data), run `karte rollback --force` with its id
run-rollback-cannot-read = cannot read { $table }:{" "}
run-rollback-changed = { $table } changed since run { $run } installed it (another run or a person wrote it since)
run-rollback-data-gone = the data of the version of { $table } to restore is gone (deleted by a later run's clean-up, or by hand)
run-rollback-refused = run { $run } is not rolled back; nothing was changed: { $problems }
run-rollback-refused-help = roll back the later runs first (newest first), or rebuild the table
run-freshness-not-ingested = no delivery of `{ $table }` was ingested on this target
run-freshness-not-a-time = max({ $field }) is not a time (no rows, or not a timestamp/date)
run-freshness-no-field = no `loaded_at_field`: karte cannot tell when its rows were loaded
run-freshness-cannot-read = cannot read max({ $field }): { $error }
run-freshness-too-old = its newest data (by { $by }) is { $age } old{ $bound }
run-freshness-allowed = , more than the { $age } allowed
run-status-no-rows = max({ $field }) found no rows
run-status-nothing-ingested = nothing was ingested into it on this target yet
run-status-no-way = it is not an ingest table, has no `loaded_at_field` and no partitions
run-status-unknown = cannot tell whether source `{ $source }` received data: { $why }; `source_status:fresher` does not select what reads only it
run-status-unknown-help = land it with `karte ingest`, or give it a `loaded_at_field` (docs/operations.md, "Builds started by data")
artifacts-cannot-serialise = cannot serialise manifest: { $error }
artifacts-cannot-write = cannot write `{ $path }`: { $error }

## Notifications (src/notify/): checks of the channels in karte.yml and the lines after a run.
## The messages sent to the channels are templates (templates/notify/), not catalogue messages.
notify-invalid = notification `{ $channel }`: { $problem }
notify-unknown-variable = notification `{ $channel }`: the { $key } uses `{ $name }`, which is not a variable of a notification
notify-did-you-mean = did you mean `{ $name }`? docs/operations.md lists the variables
notify-variables-are = the variables are { $names }
notify-does-not-render = notification `{ $channel }`: the { $key } does not render: { $error }
notify-does-not-render-help = the variables a template may use are listed in docs/operations.md (e.g. `{"{{"} title {"}}"}`, `{"{{"} failed {"}}"}`, `{"{{"} retry_command {"}}"}`)
notify-sent = notified `{ $channel }` ({ $kind }: { $what })
notify-warning = warning: notification `{ $channel }`: { $note }
notify-not-sent = { $attempts ->
    [one] warning: notification `{ $channel }` ({ $kind }: { $what }) was not sent after 1 attempt: { $error }; the build's result is unchanged
   *[other] warning: notification `{ $channel }` ({ $kind }: { $what }) was not sent after { $attempts } attempts: { $error }; the build's result is unchanged
}
notify-unknown-error = unknown error
run-fresher-count = source_status:fresher: { $count } node(s) read a source that received data since they were last built
run-skipped-upstream = skipped: upstream `{ $upstream }` did not succeed
