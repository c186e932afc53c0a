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
