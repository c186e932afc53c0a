# `karte show` (src/show/, src/cli/commands/show.rs).
show-not-found = no model, seed, snapshot or source is named `{ $name }`
show-did-you-mean = did you mean `{ $name }`?
show-list-hint = `karte ls` lists the project's models, seeds and snapshots
show-not-local = `karte show` reads the local lake only; target `{ $target }` is not a local target
show-not-local-help = leave out --target, or name a target of `type: local`
show-building = building first what `{ $what }` needs and is not built on this machine yet: { $names }
show-build-failed = not showing rows: the build above did not succeed
show-query-failed = the query cannot run on the local lake: { $error }
show-query-failed-help = write Athena SQL; tables as `schema.table` as they are built locally (`karte ls` lists them); --where takes a condition such as department = '内科'
show-count = ({ $count ->
    [one] { $count } row
   *[other] { $count } rows
})
show-count-more = (first { $count } rows; more exist: --limit N shows more, --limit 0 all)
