# E502: why a construct cannot run on the local engine (src/engine/duckdb/translate/reasons.rs
# maps the English reasons to these; the English is exactly the recorded reason).
translate-sketch = HyperLogLog and digest sketches only exist on Athena
translate-geo = geospatial functions only run on Athena (DuckDB's spatial extension is not available locally)
translate-time-zone-offsets = time zone offsets are not kept by the local engine
translate-checksum = checksum is computed differently locally
translate-time-travel = Iceberg time travel only runs on Athena; the local engine has only the current table
translate-array-sort-lambda = array_sort with a comparator lambda has no local equivalent
translate-from-unixtime-offset = from_unixtime with an hour/minute offset has no local equivalent
translate-weighted-percentile = weighted approx_percentile has no local equivalent
translate-split-limit = split with a limit has no local equivalent
translate-strpos-instance = strpos with an instance number has no local equivalent
translate-from-utf8-replacement = from_utf8 with a replacement character has no local equivalent
translate-regexp-replace-lambda = regexp_replace with a lambda has no local equivalent
translate-regexp-replace-named = regexp_replace with named groups ({"$"}{"{"}name{"}"}) has no local equivalent
translate-regexp-replace-trailing = regexp_replace: the replacement ends with '\'
translate-regexp-replace-dollar = regexp_replace: '$' must be followed by a group number
translate-format-unfinished = format: the format string ends inside a specifier
translate-format-needs-string = format needs a format string
translate-normalize-form = normalize: the form must be NFC, NFD, NFKC or NFKD
translate-clauses = { $name } with OVER, FILTER, DISTINCT or ORDER BY has no local equivalent
translate-joda-field = the Joda pattern field { $field } has no local equivalent
translate-date-field = the date pattern field { $field } has no local equivalent
translate-format-conversion = format: the conversion { $conversion } has no local equivalent
translate-format-specifier = format: the specifier { $specifier } has no argument
translate-type-no-equivalent = the { $type } type has no local equivalent
translate-sketch-type = the { $type } sketch type only exists on Athena
translate-type-athena-only = the { $type } type only exists on Athena
translate-pseudo-column = the pseudo-column { $name } describes Athena's files and only exists on Athena
translate-needs-lambda = { $name } needs a lambda with { $count } parameter(s) to run locally
translate-pattern-literal = the { $what } pattern must be a string literal to run locally
translate-interval = the interval literal { $text } is not in a form Trino accepts
translate-normalize-unknown = normalize: unknown form { $form }
translate-argument-count = expected { $expected } arguments, got { $got }
translate-needs-argument = { $name } needs an argument
translate-no-equivalent = { $what } has no local equivalent

# The E502 diagnostic around the reason (src/engine/duckdb/mod.rs).
e502-cannot-run-locally = `{ $construct }` cannot run on the local engine with Athena's meaning
e502-help = this model runs on Athena only; exclude it locally with --exclude, or write it with functions both engines share
