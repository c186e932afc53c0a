# `karte import-sql` (src/import_sql/messages.rs): diagnostics, the summary, what is not converted and why.
import-syntax-error = cannot read this statement
import-syntax-help = fix the script (does it run on Athena as it is?), or leave the file out of the import
import-detail-tokenizer = the SQL cannot be read here: { $message }
import-detail-unopened-paren = `)` without a matching `(`
import-detail-unclosed-paren = this `(` is never closed
import-detail-expected = expected `{ $word }` here
import-detail-expected-name = expected a table or column name here
import-detail-expected-string = expected a quoted text ('…') here
import-detail-expected-property = expected a property `name = value` here
import-detail-expected-value = property `{ $key }` has no value karte can read (a '…' text, a number or ARRAY['…'])
import-detail-expected-query = expected the query (SELECT or WITH) here
import-detail-not-a-statement = this is not the start of a SQL statement
import-what-template = template text
import-what-query-alone = a query alone
import-why-template = the statement holds template or scheduler text (`{"{"}{"{"} … {"}"}{"}"}`, `${"{"}…{"}"}`) whose value karte cannot know: write the value, or a karte `var()`, by hand
import-why-msck = karte registers the partitions of the tables it builds itself; for an external table `{ $table }` use partition projection (`partition_projection`) or `karte ingest`
import-why-alter-partition = partitions are registered by karte for its own tables and by `karte ingest` for delivered files; `{ $table }`'s partition is not added
import-why-alter = karte changes tables by rebuilding them from their model; change the model of `{ $table }` instead
import-why-unload = karte builds tables, it does not export files: make the query a model and export its table with another tool
import-why-query-alone = a query whose result is not stored anywhere: if it checks the data, make it a test in tests/ (a query returning the failing rows)
import-why-row-change = karte does not change rows in place with { $statement }: write the table's model so that it produces the wanted rows (or an incremental model with `merge` / `delete+insert` on Iceberg)
import-why-maintenance = { $statement } is karte's job on Iceberg models: set `optimize` / `vacuum` in the model's config (docs/materializations.md)
import-why-insert-overwrite = INSERT OVERWRITE is Hive, not Athena: use an incremental model with `incremental_strategy: insert_overwrite`
import-why-insert-values = rows written by hand into `{ $table }`: make them a seed (a CSV file in seeds/)
import-why-view-columns = a view with a column list: name the columns in the SELECT (`expr AS name`) and import again
import-why-no-data = `{ $table }` is created empty (WITH NO DATA): karte builds tables from their query; drop `WITH NO DATA`, or let the INSERT that fills it become the model
import-why-empty-table = `{ $table }` is created empty and no script fills it: karte builds tables from a query
import-why-drop-only = `{ $table }` is dropped and no script creates it again: karte does not delete tables; drop it by hand if it must go
import-why-second-insert = another INSERT INTO `{ $table }` was converted already: put both queries into its model with UNION ALL
import-why-insert-non-table = `{ $table }` is an external table or a view in the scripts: karte writes only the tables of its models
import-why-created-twice = `{ $table }` was created by an earlier statement already (the first one became its model): compare the two queries and keep one
import-why-other = karte has no equivalent of { $statement }
import-not-converted = not converted: { $what }
import-not-converted-help = it is listed in { $report }; do it by hand or leave it out
import-query-not-parsed = the query could not be parsed ({ $message }); it was converted, and its tables were found by a scan of the words after FROM and JOIN
import-query-not-parsed-help = check the model after the import: `karte compile` shows what it reads
import-order-changed = reads `{ $table }`, which a later statement creates ({ $later }): karte builds `{ $table }` first
import-order-changed-help = in the old order this read the previous run's table; check that reading the new one is what you want
import-property-changed = property `{ $key }`: { $why }
import-location-outside = `{ $location }` is outside the lake root `{ $root }`, where karte writes: the table goes to karte's own place there
import-value-not-supported = karte does not support the value `{ $value }`; karte's default is used
import-unknown-table = `{ $table }` is read but no script creates it: declared as a table of source `{ $source }`
import-unknown-table-help = add its columns to the source in the written .yml, so column lineage goes on
import-name-clash = `{ $name }` would be written, but { $existing } already exists
import-name-clash-help = import into a new directory (--out), or rename or remove what is there first
import-unknown-layer = the project has no layer `{ $layer }` (its layers: { $known })
import-unknown-layer-help = add `{ $layer }: { $layer }` under `layers:` in karte.yml, or choose one of its layers
import-no-scripts = no .sql file in `{ $path }`
import-no-such-path = `{ $path }` does not exist
import-out-not-project = `{ $path }` is not empty and holds no karte.yml
import-out-not-project-help = give a new directory, or an existing karte project, with --out
import-summary = read { $scripts ->
    [one] 1 script
   *[other] { $scripts } scripts
    } ({ $statements ->
    [one] 1 statement
   *[other] { $statements } statements
    }): { $models ->
    [one] 1 model
   *[other] { $models } models
    }, { $sources ->
    [one] 1 source table
   *[other] { $sources } source tables
    }, { $not_converted } not converted — see { $report }
import-next-steps = next: karte compile --project-dir { $dir } && karte plan --project-dir { $dir } --target athena
# Notes and the headings of import-report.md (src/import_sql/convert.rs, write.rs).
import-text-karte-creates-the-schema-glue = karte creates the schema (Glue database) of each layer itself
import-text-it-has-no-location = it has no LOCATION
import-text-the-project-has-a-model = the project has a model of its name
import-text-the-script-named-no-format = the script named no format: karte's default (Parquet, Snappy) is used
import-text-the-script-named-no-location = the script named no location: karte writes the table under the lake root (`<lake_root><schema>/<table>/`)
import-text-made-by-karte-import-sql = Made by `karte import-sql` (see import-report.md): what the scripts' WITH (…) said.
import-text-made-by-karte-import-sql-2 = Made by `karte import-sql --ingest` from the scripts' external tables over delimited text: copy their files (e.g. `aws s3 sync <location> deliveries/<folder>/`), then `karte ingest deliveries/` (docs/ingest.md).
import-text-made-by-karte-import-sql-3 = Made by `karte import-sql`: the external tables of the scripts, and the tables they read that no script creates.
import-text-read-by-the-imported-scripts = read by the imported scripts; created elsewhere
import-text-made-by-karte-import-sql-4 = Made by `karte import-sql` from the team's Athena scripts: see import-report.md.
import-text-the-common-prefix-of-the = the common prefix of the scripts' table locations
import-text-karte-import-sql-report = karte import-sql: report
import-text-scripts-read-in-this-order = Scripts read, in this order
import-text-not-converted-do-these-by = Not converted: do these by hand
import-text-none = None.
import-text-models = Models
import-text-athena-targets-only-the-model = Athena targets only: the model's first line
import-text-from = from
import-text-note = note
import-text-sources = Sources
import-text-none-2 = None.
import-text-read-by-the-scripts-created = read by the scripts, created by none: declared without columns
import-text-handled-by-karte-nothing-to = Handled by karte (nothing to do)
import-text-none-3 = None.
import-text-table-names = Table names
import-text-models-read-each-other-as = Models read each other as `layer.model`; the layer's schema is in karte.yml. The scripts' names, and karte's:
import-text-scripts = scripts
import-text-files-written = Files written
import-text-warnings = Warnings
import-text-karte-replaces-key-on-every = karte replaces `{ $key }` on every build (writes the new version, then swaps it in); no DROP is needed
import-text-no-script-creates-key-karte = no script creates `{ $key }`: karte creates it from this query on its first build; the table the scripts filled is not karte's (plan stops with E407) — rename it, or move its data
import-text-table-stays-a-source-not = `{ $table }` stays a source (not an ingest rule): { $why }
import-text-its-files-are-format-karte = its files are { $format }, karte ingest reads delimited text
import-text-its-delimiter-delimiter-is-not = its delimiter `{ $delimiter }` is not one character
import-text-the-files-of-table-location = the files of `{ $table }` ({ $location }) as delivered, every column text
import-text-is-external-text-karte-sets = `is_external = { $text }`: karte sets it itself
import-text-insert-columns = the INSERT named its columns ({ $columns }): karte writes the query's columns by name, so check the SELECT names them the same way
import-text-column-not-text = column `{ $column }` is `{ $data_type }`, which cannot be read from text
import-text-typed-view = `{ $table }` with its column types, over the files `karte ingest` loads into bronze.{ $files_table }
import-report-ingest-rules = Ingest rules (`--ingest`)
import-report-header-present = present (the header texts must equal the column names, or give each column its `header:`)
import-report-header-absent = absent
import-report-ingest-rule = files `{ $files }` (from { $location }), encoding { $encoding }, header { $header }; the view `bronze.{ $view }` gives the columns their types. Copy the files from { $location } into a folder laid out the same way, then `karte ingest` it
import-note-vars = scheduler variables became karte variables (`${"{"}name{"}"}` → `{"{"}{"{"} var('name') {"}"}{"}"}`): { $names }. Give their values when you build: `karte build --vars '{"{"}name: value{"}"}'`; karte.yml's `vars:` holds a starting value for `compile` and `plan`
import-text-vars = the scheduler's variables (${"{"}…{"}"} in the scripts): give the values of a run with `karte build --vars '{"{"}name: value{"}"}'`
