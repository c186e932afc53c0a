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
