# The lint rules (src/lint/rules.rs): per rule `lint-<code>`, what is wrong, and `lint-<code>-help`, how to fix it.
lint-e102 = full-width or typographic character in SQL (Athena rejects it)
lint-e102-help = replace it with its ASCII character; `karte lint --fix` does it
lint-l001 = integer divided by integer: Athena drops the fraction (1 / 2 is 0)
lint-l001-help = make one side a double: `cast(a as double) / b`
lint-l002 = comparison with NULL is never true
lint-l002-help = write `IS NULL` or `IS NOT NULL`
lint-l003 = NOT IN over a subquery that may return NULL: one NULL and no row matches
lint-l003-help = add `WHERE col IS NOT NULL` inside the subquery, or write NOT EXISTS
lint-l004 = BETWEEN on a timestamp with a date as upper bound leaves out that last day after 00:00
lint-l004-help = write `ts >= DATE 'from' AND ts < DATE 'to' + INTERVAL '1' DAY`
lint-l005 = a date is compared with a string: Athena refuses it (`cannot be applied to date, varchar`)
lint-l005-help = write a date literal: `DATE '2024-04-01'`
lint-l006 = tables listed with a comma and no condition joining them: every row meets every row
lint-l006-help = write `JOIN … ON …`, or `CROSS JOIN` if every combination is meant
lint-l007 = column without its table in a join: it breaks when another joined table gets a column of that name
lint-l007-help = write the table's alias in front: `alias.column`
lint-l008 = `SELECT *` in a gold model: its columns change whenever an upstream table changes
lint-l008-help = list the columns the mart delivers
lint-l009 = ORDER BY without LIMIT in a model: a table or view does not keep row order
lint-l009-help = remove it, and sort where the rows are read
lint-l010 = row_number() whose ORDER BY can tie: rows that tie get their numbers in any order, different on every run
lint-l010-help = add a column that is unique per row to the window's ORDER BY (a tie-breaker)
lint-l011 = count(*) over a LEFT JOIN counts a row with no match as 1
lint-l011-help = count a column of the joined table: `count(r.id)` counts only matches

# Notes, labels and lines of `karte lint` (src/lint/mod.rs, cli/commands/lint.rs).
lint-fix-corrects = `karte lint --fix` corrects this
lint-not-exact = the place is in the SQL the template renders to; it has no exact place in the file, so --fix leaves it
lint-fix-again = some fixes touch the same text as others: run `karte lint --fix` again
e004-lint-no-rule = `lint:` names no rule `{ $name }`
e004-lint-no-rule-label = not a lint rule
e004-lint-no-rule-help = write a code ({ $codes }) or a rule's name (docs/lint.md)
lint-cannot-write = could not write { $path }: { $error }
lint-summary = linted { $checked } models in { $seconds }s: { $count ->
    [one] 1 finding
   *[other] { $count } findings
}
lint-summary-fixed = linted { $checked } models in { $seconds }s: { $count ->
    [one] 1 finding
   *[other] { $count } findings
}, { $fixed } fixed
