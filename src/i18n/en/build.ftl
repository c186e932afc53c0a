# What build, retry and rollback print (src/cli/commands/build.rs) besides the progress lines.
build-interrupted = interrupted: finishing the running steps, starting no new ones (Ctrl-C again to stop at once)
build-upstream-not-recorded = warning: the upstream runs read were not recorded: { $error }
retry-nothing = nothing to retry: the last run ({ $run }) succeeded
retry-starting = retrying what failed or was skipped in { $run }
rollback-nothing = run { $run } swapped no table: nothing to roll back
rollback-restored = { $table }: previous version restored
rollback-removed = { $table }: removed (it did not exist before the run)
rollback-failed = { $table }: could not roll back: { $error }

# The summary table after a run.
summary-finished = { $command } finished in { $seconds }s ({ $run })
summary-finished-interrupted = { $command } finished in { $seconds }s ({ $run }, interrupted)
summary-col-ok = ok
summary-col-error = error
summary-col-skip = skip
summary-col-pass = pass
summary-col-fail = fail
summary-col-warn = warn
# A row of the table: the kind of node (run_results.json's `kind`).
summary-kind = { $kind }
summary-see-results = see target/run_results.json; `karte retry` runs again what failed or was skipped

# Reading a reviewed plan (`karte build --plan FILE`).
build-cannot-read-plan = cannot read `{ $file }`: { $error }
build-cannot-read-journals-copy = cannot read the run journals' copy:{" "}
e504-plan-help = write the plan with `karte plan --out FILE`, review it, then `karte build --plan FILE`
e504-not-a-plan = `{ $file }` is not a karte plan: { $error }
e504-plan-format = `{ $file }` is a plan of format { $format }; this karte runs format { $ours }
e504-not-reviewed = `{ $file }` was not written by `karte plan --out`: it does not say what catalog it was planned against
e504-other-target = the plan is for project `{ $project }` on target `{ $target }`; this build is `{ $this_project }` on `{ $this_target }`
e504-other-target-help = run it with --target { $target }
