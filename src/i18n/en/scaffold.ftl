# `karte init` and `karte new model` (src/scaffold/).
init-already = `{ $dir }` already holds a karte project
init-choose-new-dir = choose a new directory
init-created = created project `{ $name }` in { $dir }
init-next = next:
init-step-build = build everything on this machine (DuckDB)
init-step-show = see the rows of a model
init-step-new = start a model of your own
init-sample = the project reads seeds/sample_visits.csv (made-up sample data); karte.yml says how to load real deliveries

new-needs-layer = `{ $spec }` does not say the layer: write it as layer/name
new-bad-name = `{ $part }` cannot be a folder or model name: use lower-case letters, digits and `_`, starting with a letter
new-path-help = for example: karte new model gold/monthly_visits
new-unknown-layer = there is no layer `{ $layer }` in karte.yml (layers: { $layers })
new-did-you-mean = did you mean `{ $spec }`? (or add the layer under `layers:` in karte.yml)
new-name-taken = the name `{ $name }` is taken by { $path }: names are unique across the project
new-sql-exists = { $path } already exists: --from-sql would overwrite it
new-sql-exists-help = leave out --from-sql to write the property entry of the existing file, or choose another name
new-entry-exists = model `{ $name }` is already described in { $file }
new-entry-exists-help = edit the entry there (karte fills in only an entry without columns, tests or config, in the model's own .yml)
new-does-not-compile = the property entry of `{ $name }` is not written yet: the project does not compile (see above)
new-run-again = fix the errors, then run `karte new model { $spec }` again
new-columns-unknown = the columns of `{ $name }` cannot be inferred (e.g. `select *` over a source whose columns are not declared): list them by hand
new-yaml-header-columns = Written by `karte new model`: the columns are the ones karte infers from the SQL.
    Write what the model and each column mean in `description` (a copied column brings its description).
new-yaml-header-empty = Written by `karte new model`. Once the query is written, running it again lists the columns here.
new-created-sql = created { $path }
new-wrote-yml = wrote { $path }
new-wrote-yml-columns = wrote { $path } with { $count } column(s) from the SQL
new-next-empty = next: write the query in the .sql file, check it with `karte show { $name }`, then run `karte new model { $spec }` again to list its columns
new-next-columns = next: describe the model and its columns in the .yml file; `karte show { $name }` shows its rows
