# What a notification says (src/notify/words.rs), in the language of its channel (`lang:`).
# The English is exactly what karte sent before the messages were in the catalogue.
notify-place = { $project } on { $target }
notify-title-sources-late = sources are late (karte source freshness): { $place }
notify-title-sources-on-time-again = sources are on time again (karte source freshness): { $place }
notify-title-sources-getting-late = sources are getting late (karte source freshness): { $place }
notify-title-sources-on-time = sources are on time (karte source freshness): { $place }
notify-title-interrupted = karte { $command } was interrupted: { $place }
notify-title-failed = karte { $command } failed: { $place }
notify-title-recovered = karte { $command } recovered: { $place }
notify-title-warnings = karte { $command } succeeded with warnings: { $place }
notify-title-succeeded = karte { $command } succeeded: { $place }
notify-summary = Run { $run } took { $duration }{ $scanned }{ $cost }: { $counts }.{ $previous }{ $stopped }
notify-summary-scanned = , scanned { $size }
notify-summary-cost = , cost { $cost }
notify-summary-previous = {" "}The previous run, { $run }, { $status }.
notify-summary-stopped = {" "}It was stopped before the end: `karte build` resumes it.
notify-list-separator = {", "}
notify-count-built = { $count } built
notify-count-failed = { $count } failed
notify-count-not-run = { $count } not run
notify-tests-passed = { $count } passed
notify-tests-failed = { $count } failed
notify-tests-warned = { $count } warned
notify-counts-with-tests = { $nodes }; tests: { $tests }
notify-duration-seconds = { $seconds }s
notify-duration-minutes = { $minutes }m { $seconds }s
notify-duration-hours = { $hours }h { $minutes }m
notify-cost = about ${ $usd }
notify-rows-fail = { $count ->
    [one] 1 row fails the test
   *[other] { $count } rows fail the test
}
notify-rows-warn = { $rows } (severity warn)
notify-fact-project = Project
notify-fact-target = Target
notify-fact-run = Run
notify-fact-duration = Duration
notify-fact-cost = Athena cost
notify-pagerduty-source = karte { $project } on { $target }

# What karte records and prints about sending (run_results.json's `notifications`), in the
# language of the person who ran karte.
notify-template-failed = the channel's template failed ({ $error }); the default message was sent
notify-subject-failed = the channel's subject failed ({ $error }); the default subject was sent
notify-env-not-set = the environment variable { $name } is not set
notify-network-error = network error: { $error }
notify-cannot-build-mail = cannot build the e-mail: { $error }
notify-cannot-set-up-tls = cannot set up TLS for the SMTP server: { $error }
notify-internal-error = internal error in karte while sending (please report it)
e801-bad-lang = `lang: { $lang }` is not a language karte writes
e801-bad-lang-help = write `lang: ja` (Japanese) or `lang: en` (English); without `lang:`, the message is in the language karte runs in (--lang, KARTE_LANG, LANG)
notify-slack-no-ok = an answer without `ok: true`
notify-slack-said = Slack said { $error }
notify-timeout = no answer in time (timeout)
notify-host-not-found = the host was not found (DNS)
notify-could-not-connect = could not connect
notify-connection-refused = connection refused
notify-connection-reset = the connection was reset
notify-bad-url = the URL is not valid
notify-not-an-address = `{ $address }` is not an address: { $error }
