# The command line: help texts of every command and option (src/cli/help.rs).
# `cli-<command>` is a command's about, `cli-<command>--<option>` one command's option,
# `cli-opt-<option>` an option several commands share.
cli-heading-usage = Usage
cli-heading-commands = Commands
cli-heading-options = Options
cli-heading-arguments = Arguments

cli-karte = A SQL transform framework for medical data lakes on Amazon Athena, with an embedded local engine.
cli-opt-help = Print help
cli-opt-version = Print the version
cli-opt-lang = Language of messages and help: ja or en (default: KARTE_LANG, else the locale, e.g. LANG=ja_JP.UTF-8)
cli-opt-project_dir = The project directory (holding karte.yml)
cli-opt-target = Target from karte.yml (default: the project's default_target, usually `local`)
cli-opt-vars = Variables as YAML, over karte.yml's vars: --vars '{"{"}lookback_months: 6{"}"}'
cli-opt-profiles_dir = dbt projects: the folder holding profiles.yml (default: DBT_PROFILES_DIR, else the project folder, else ~/.dbt)
cli-opt-select = Nodes to select: `name`, `+name`, `name+`, `tag:x`, `layer:silver`, `path:models/gold`, `config.materialized:table`; space = union, comma = intersection
cli-opt-exclude = Nodes to leave out, same syntax as --select
cli-opt-state = A saved manifest to compare with (`state:modified`, `state:new`): a directory holding manifest.json (a copy of production's target/), the file itself, or an s3:// URI
cli-opt-defer = With --state: read unselected parents that are not built on this target from the relations the saved manifest names (production's tables)
cli-opt-output = Output format
cli-opt-threads = Nodes built at the same time (default: the target's `threads:`, else 4)
cli-opt-full_refresh = Rebuild incremental models and snapshots from scratch
cli-opt-no_resume = Start a new run even if the last one was interrupted (default: resume it)
cli-opt-break_lock = Athena: take over the target's run lock if its lease ran out (the run that held it died)
cli-opt-max_bytes_scanned = Athena: start no more queries once this much was scanned in the run (e.g. 500GB, 2TB)
cli-opt-ingest = First `karte ingest` these delivered files or directories; nothing is built if a file is quarantined, in conflict or unmatched
cli-opt-plan = Run exactly the plan `karte plan --out FILE` wrote (its selection, date and --full-refresh), refusing if the catalog changed since it was planned (build only)
cli-opt-no_notify = Send no notification (the channels of `notifications:` in karte.yml) for this run
cli-opt-wait_for_upstream = First wait until the upstream projects (`dependencies:`) the selected models read have a successful run newer than this project's last build of them (docs/operations.md). Exit 3 if an upstream run failed, 4 at the timeout; nothing is built then
cli-opt-timeout = With --wait-for-upstream: give up after this long (e.g. 90s, 30m, 2h)
cli-opt-poll = With --wait-for-upstream: look again after this long

cli-compile = Render and check every model, and write compiled SQL and manifest.json under target/
cli-ls = List the selected nodes in dependency order
cli-lineage = Show where a column comes from and what is computed from it (column lineage)
cli-lineage--column = The column: `layer.model.column` (e.g. `silver.receipts.person_id`), `source.table.column`, or `model.column`
cli-lint = Find the mistakes Athena SQL is known for (integer division, `= NULL`, …); `--fix` corrects the safe ones
cli-lint--fix = Correct what is safe to correct in the files (full-width characters, `= NULL`, integer division, a date literal, ORDER BY without LIMIT, a column's table)
cli-lint--output = Output format (json: for CI)
cli-plan = Show the steps a build would run (SQL, catalog and storage operations), and what each may destroy
cli-plan--catalog_state = The catalog as saved in a JSON file (tables, locations, partitions); default: empty, a first run
cli-plan--live = Read the catalog from the target itself (Glue on Athena, the local catalog locally); `--save-catalog-state FILE` keeps it for offline planning
cli-plan--save_catalog_state = With --live: also write the catalog state read to FILE (input for --catalog-state)
cli-plan--as_of = Plan as of this date (YYYY-MM-DD; default: today): release snapshot periods depend on it
cli-plan--out = Also write the plan to FILE for `karte build --plan FILE`, with what it was planned against (the catalog is read from the target unless --catalog-state is given)
cli-access = Show what each role of `access:` may read (tables, columns, classes), or check one table
cli-access--role = Only this role
cli-access--check = Answer whether --role may read this table (`gold.pmpm`): exit 0 yes, 1 no
cli-diff = Compare with a saved manifest (production's): per new, modified and removed node, the compiled SQL's diff and the plan's (new steps that may destroy data called out)
cli-diff--state = The saved manifest: a directory holding manifest.json and compiled/ (a copy of production's target/), the file itself, or an s3:// URI
cli-diff--catalog_state = Plan against this saved catalog state (`karte plan --live --save-catalog-state FILE` on production); default: the tables the saved manifest says production has
cli-init = Create a new, working project in DIR
cli-init--dir = Directory to create
cli-init--name = Project name (default: the directory's name)
cli-source = Sources and ingest tables: `karte source freshness` checks how old their newest data is
cli-source-freshness = How old each source and ingest table's newest data is, against its `freshness:` bounds (writes target/sources.json; exit 1 if one is older than `error_after`)
cli-source-freshness--no_notify = Send no notification (the channels of `notifications:` in karte.yml) for this check
cli-build = Build seeds, models and snapshots and run their tests, in dependency order
cli-run = Build models only (no seeds, snapshots or tests)
cli-seed = Load the seed CSV files
cli-snapshot = Take the SCD2 snapshots
cli-test = Run the data tests of the selected nodes
cli-retry = Run again what failed or was skipped in the last run
cli-deps = dbt projects: install the packages of packages.yml into dbt_packages/ (as `dbt deps`)
cli-deps--upgrade = Resolve packages.yml again (newest versions its constraints allow), not the versions package-lock.yml pinned
cli-runs = Recent runs (status, duration, bytes scanned, cost) and the slowest and most expensive nodes
cli-runs--limit = How many runs to list (newest first)
cli-runs--run = Show the slowest and most expensive nodes of this run (default: the newest listed)
cli-rollback = Undo the table swaps of an interrupted or failed run (see target/journal/)
cli-rollback--run_id = The run id (a directory name under target/journal/)
cli-rollback--force = Also undo a run that finished successfully (e.g. it published bad data)
cli-example-data = Write the example project's synthetic deliveries (CP932, zipped) and their answer key
cli-example-data--size = How much: tiny (300 persons), small (10k), large (1M; for benchmarks)
cli-example-data--seed = Random seed: the same size and seed give the same bytes
cli-example-data--out = Output directory (cleared of an earlier run's files; any other file is refused)
cli-ingest = Load delivered files (zip/gzip, CP932 CSV/TSV/UKE) into bronze tables by the project's ingest rules
cli-ingest--paths = Files or directories of delivered files (directories are searched recursively)
cli-ingest--dry_run = Read and check every file, report what would be loaded; change nothing
cli-ingest--list = Print the manifest: which file each bronze partition holds (checksum, rows, load time)
cli-ingest--then_build = Then build what the new deliveries feed: every node that reads an ingest table (at any depth) that received a new or replaced file since the node was last built (`karte build --select source_status:fresher+`). Nothing is built if a file was not loaded
cli-ingest--threads = With --then-build: nodes built at the same time (default: the target's `threads:`, else 4)
cli-ingest--no_notify = With --then-build: send no notification for the build

cli-show = Print the rows of a model (building first what it needs locally), or of `--sql`, from the local lake, on this machine only
cli-show--model = The model, seed, snapshot or source: `monthly_visits`, `gold.monthly_visits`, `raw.visits`
cli-show--sql = An ad-hoc query (Athena SQL) against the local lake instead: tables as `schema.table`, as they are built locally
cli-show--condition = Only the rows where this condition holds (Athena SQL): --where "department = '内科'"
cli-show--limit = At most this many rows (0: all of them)
cli-show--output = Output format: a table lined up for the terminal, csv or json
cli-show--rebuild = Build MODEL itself again first, even though it is built (after editing its SQL)
cli-new = Start something new in the project: `karte new model gold/my_mart`
cli-new-model = A model file (models/LAYER/…/NAME.sql) and its property entry (NAME.yml) listing the columns karte infers from its SQL; run it again after writing the query to fill them
cli-new-model--path = Where: `layer/name` or `layer/folder/name` (e.g. gold/monthly_visits)
cli-new-model--from_sql = Start from this SQL file (e.g. a query you already use) instead of a template
cli-opt-quiet = Print nothing but the nodes that failed (with --output json: only `run_finished`)
cli-import-sql = Turn Athena scripts (CREATE TABLE … AS SELECT, INSERT INTO, views, external tables) into a karte project; what cannot be converted is listed in import-report.md
cli-import-sql--inputs = Script files, or directories searched for `*.sql` (read in name order: the order the scripts ran in, e.g. 01_…, 02_…)
cli-import-sql--layer = The layer the models go to (`models/<layer>/`)
cli-import-sql--out = The project directory to write: a new (or empty) directory, or an existing karte project to add to
cli-import-sql--ingest = External tables over delimited text (CSV/TSV) become ingest rules (bronze tables `karte ingest` loads from a copy of their files) with a bronze view giving the columns their types, instead of sources
cli-docs = A static documentation site of the project (tables, columns, classes, tests, SQL, lineage): `karte docs generate` writes target/docs, `karte docs serve` shows it
cli-docs-generate = Write the documentation site to target/docs (works from file:// and from S3 static hosting; no network)
cli-docs-generate--graph_limit = Draw the project graph only when it has at most this many tables
cli-docs-serve = Serve target/docs on this machine (127.0.0.1)
cli-docs-serve--port = Port (0: any free one)
cli-docs-serve--host = Address to listen on: a loopback address (127.0.0.1 or ::1)
