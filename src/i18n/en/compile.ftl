# `karte compile` and the compile every command starts with (src/lib.rs, cli/commands/compile.rs).
compile-files-changed = the project's files changed while karte was reading them
compile-files-changed-help = run the command again
compile-summary = compiled { $selected } of { $total } nodes in { $seconds }s → { $target }
compile-summary-warnings = compiled { $selected } of { $total } nodes in { $seconds }s ({ $warnings ->
    [one] 1 warning
   *[other] { $warnings } warnings
}) → { $target }
e000-cannot-serialise-manifest = cannot serialise manifest: { $error }
compile-cannot-write = cannot write `{ $path }`: { $error }
