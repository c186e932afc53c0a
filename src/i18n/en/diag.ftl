# How every diagnostic is shown (src/diag/render.rs) and the count line after them.
severity-error = error
severity-warning = warning
diag-note = note
diag-help = help
summary-errors = { $count ->
    [one] 1 error
   *[other] { $count } errors
}
summary-warnings = { $count ->
    [one] 1 warning
   *[other] { $count } warnings
}
# "2 errors, 1 warning" after the diagnostics of a command.
summary-counts = { $errors }, { $warnings }
