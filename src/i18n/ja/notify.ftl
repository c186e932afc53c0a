# What a notification says (src/notify/words.rs), in the language of its channel (`lang:`).
# The English is exactly what karte sent before the messages were in the catalogue.
notify-place = { $project } (ターゲット { $target })
notify-title-sources-late = ソースのデータが遅れています (karte source freshness): { $place }
notify-title-sources-on-time-again = ソースのデータの遅れが解消しました (karte source freshness): { $place }
notify-title-sources-getting-late = ソースのデータが遅れ始めています (karte source freshness): { $place }
notify-title-sources-on-time = ソースのデータは予定どおり届いています (karte source freshness): { $place }
notify-title-interrupted = karte { $command } が途中で止められました: { $place }
notify-title-failed = karte { $command } が失敗しました: { $place }
notify-title-recovered = karte { $command } が復旧しました: { $place }
notify-title-warnings = karte { $command } は成功しましたが、警告があります: { $place }
notify-title-succeeded = karte { $command } が成功しました: { $place }
notify-summary = 実行 { $run }: かかった時間 { $duration }{ $scanned }{ $cost }。{ $counts }。{ $previous }{ $stopped }
notify-summary-scanned = 、読み込んだ量 { $size }
notify-summary-cost = 、費用 { $cost }
notify-summary-previous = 前回の実行 { $run } は{ $status ->
    [failed] 失敗していました
    [interrupted] 途中で止められていました
    [success] 成功していました
   *[other] 「{ $status }」でした
}。
notify-summary-stopped = 最後まで実行せずに止められました。`karte build` で続きから実行できます。
notify-list-separator = 、
notify-count-built = 作成 { $count }
notify-count-failed = 失敗 { $count }
notify-count-not-run = 未実行 { $count }
notify-tests-passed = 合格 { $count }
notify-tests-failed = 不合格 { $count }
notify-tests-warned = 警告 { $count }
notify-counts-with-tests = { $nodes }。テスト: { $tests }
notify-duration-seconds = { $seconds } 秒
notify-duration-minutes = { $minutes } 分 { $seconds } 秒
notify-duration-hours = { $hours } 時間 { $minutes } 分
notify-cost = 約 ${ $usd }
notify-rows-fail = { $count } 行がテストの条件に合いません
notify-rows-warn = { $rows } (警告のみ: severity warn)
notify-fact-project = プロジェクト
notify-fact-target = ターゲット
notify-fact-run = 実行
notify-fact-duration = かかった時間
notify-fact-cost = Athena の費用
notify-pagerduty-source = karte { $project } (ターゲット { $target })

# What karte records and prints about sending (run_results.json's `notifications`), in the
# language of the person who ran karte.
notify-template-failed = チャンネルのテンプレートが使えませんでした ({ $error }): いつものメッセージを送りました
notify-subject-failed = チャンネルの件名のテンプレートが使えませんでした ({ $error }): いつもの件名で送りました
notify-env-not-set = 環境変数 { $name } が設定されていません
notify-network-error = ネットワークのエラー: { $error }
notify-cannot-build-mail = メールを組み立てられません: { $error }
notify-cannot-set-up-tls = SMTP サーバーとの TLS を準備できません: { $error }
notify-internal-error = 送信中に karte の内部エラーが起きました (報告してください)
e801-bad-lang = `lang: { $lang }` は karte が書ける言語ではありません
e801-bad-lang-help = `lang: ja` (日本語) か `lang: en` (英語) と書いてください。`lang:` がなければ、karte を動かしている言語 (--lang、KARTE_LANG、LANG) で送ります
notify-slack-no-ok = `ok: true` のない応答
notify-slack-said = Slack の応答: { $error }
notify-timeout = 時間内に応答がありません (タイムアウト)
notify-host-not-found = ホストが見つかりません (DNS)
notify-could-not-connect = 接続できません
notify-connection-refused = 接続を拒否されました
notify-connection-reset = 接続が切られました
notify-bad-url = URL の形が正しくありません
notify-not-an-address = `{ $address }` はメールアドレスではありません: { $error }
