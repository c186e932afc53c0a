# What the commands print (src/cli/mod.rs, src/cli/commands/{ingest,plan,freshness,runs,example_data}.rs).

## src/cli/mod.rs
cmd-plan-only-with-build = --plan runs a whole reviewed plan: use it with `karte build`, not `karte { $command }`
cmd-not-building-ingest-failed = not building: ingest did not load every file (see above)
cmd-no-ingest-feature = this karte was built without ingest (the duckdb-engine feature)
cmd-vars-not-yaml = --vars is not a YAML mapping: `{ $text }`
cmd-vars-not-yaml-help = write it as YAML: --vars '{"{"}lookback_months: 6, salt_name: dev{"}"}'
cmd-not-a-size = `{ $value }` is not a size: write e.g. 500GB or 2TB

## Shared
cmd-cannot-write = cannot write `{ $path }`: { $error }
cmd-cannot-read-catalog = cannot read the catalog:{" "}
cmd-cannot-read-engine-catalog = cannot read the { $engine } catalog:{" "}

## karte ingest
ingest-no-paths = give the files or directories to ingest: karte ingest DELIVERIES_DIR
ingest-no-paths-help = e.g. `karte ingest deliveries/` (see docs/ingest.md); `karte ingest --list` shows what is loaded
ingest-header = ingest → target `{ $target }`, run { $run }
ingest-header-dry-run = ingest (dry run: nothing is written) → target `{ $target }`, run { $run }
ingest-cannot-write-report = cannot write { $path }: { $error }
ingest-count-loaded = { $count } loaded
ingest-count-replaced = { $count } replaced
ingest-count-would-load = { $count } would load
ingest-count-would-replace = { $count } would replace
ingest-count-unchanged = { $count } unchanged
ingest-count-quarantined = { $count } quarantined
ingest-count-conflict = { $count } in conflict
ingest-count-unmatched = { $count } unmatched
ingest-count-ignored = { $count } ignored
# After the files: "12 file(s): 10 loaded, 2 unchanged · 3400 rows · 1.2 MB read (8.0 MB uncompressed) in 0.4 s = 20.0 MB/s uncompressed"
ingest-summary = { $files } file(s): { $counts } · { $rows } rows · { $read } read ({ $raw } uncompressed) in { $seconds } s = { $rate } MB/s uncompressed
ingest-count-separator = {", "}
ingest-report = report: { $path }
ingest-some-failed = some files were not loaded: see the lines marked above (quarantined files keep a report next to their copy)
ingest-word-loaded = loaded
ingest-word-replaced = replaced
ingest-word-unchanged = unchanged
ingest-word-would-load = would load
ingest-word-would-replace = would replace
ingest-word-quarantined = QUARANTINED
ingest-word-conflict = CONFLICT
ingest-word-unmatched = UNMATCHED
ingest-file-rows = { $rows } rows
ingest-file-copied-to = copied to { $path } (+ .problems.txt)
ingest-list-not-created = { $table }: not created yet
ingest-list-partitions = { $table }: { $count } partition(s)
ingest-list-file = { $file }  sha256 { $sha }  { $bytes } bytes  { $rows } rows  { $at }
ingest-list-not-loaded = (not loaded by karte ingest)

## karte plan
plan-cannot-serialise = cannot serialise the plan: { $error }
plan-written = plan written to { $path }: `karte build --plan { $path }` runs exactly it
plan-bad-as-of = --as-of must be a date like 2026-04-01, not `{ $value }`

## karte source freshness
freshness-none = no source or ingest table has `freshness:` bounds (see docs/project.md)
freshness-ok = ok
freshness-warn = WARN
freshness-error = ERROR
freshness-line = { $verdict } { $name }  newest { $newest } ({ $age } old, by { $by })
freshness-line-unknown = { $verdict } { $name }  { $message }
freshness-unknown-age = unknown age

## karte runs
runs-no-such-run = there is no run `{ $run }` under target/journal/
runs-no-such-run-help = `karte runs` lists the runs that are kept
runs-none = no runs yet (they are kept under target/journal/)
runs-col-run = run
runs-col-command = command
runs-col-target = target
runs-col-status = status
runs-col-duration = duration
runs-col-ok = ok/not
runs-col-scanned = scanned
runs-col-cost = cost
runs-slowest = slowest in { $run }:
runs-most-expensive = most expensive in { $run }:

## karte example-data
example-data-cannot-write = cannot write example data to `{ $path }`: { $error }
example-data-wrote = wrote { $zips } zip files ({ $files } files, { $mb } MB) for { $persons } persons, service months { $first } to { $last }, in { $seconds }s
    { $receipts } medical RE records; answer key: { $answer }
