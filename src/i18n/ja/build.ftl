# What build, retry and rollback print (src/cli/commands/build.rs) besides the progress lines.
build-interrupted = 中断します: 実行中のステップは最後まで行い、新しいステップは始めません (すぐに止めるには、もう一度 Ctrl-C を押してください)
build-upstream-not-recorded = 注意: 読み込んだ上流プロジェクトの実行を記録できませんでした: { $error }
retry-nothing = やり直すものはありません: 前回の実行 ({ $run }) は成功しています
retry-starting = { $run } で失敗したもの・実行されなかったものを、もう一度実行します
rollback-nothing = 実行 { $run } が入れ替えたテーブルはありません: 元に戻すものはありません
rollback-restored = { $table }: 前の版に戻しました
rollback-removed = { $table }: 削除しました (この実行の前にはありませんでした)
rollback-failed = { $table }: 元に戻せませんでした: { $error }

# The summary table after a run.
summary-finished = { $command } が終わりました: { $seconds } 秒 ({ $run })
summary-finished-interrupted = { $command } を途中で止めました: { $seconds } 秒 ({ $run })
summary-col-ok = 成功
summary-col-error = エラー
summary-col-skip = 未実行
summary-col-pass = 合格
summary-col-fail = 不合格
summary-col-warn = 警告
# A row of the table: the kind of node (run_results.json's `kind`).
summary-kind = { $kind ->
    [model] モデル
    [seed] シード
    [snapshot] スナップショット
    [test] テスト
   *[other] { $kind }
}
summary-see-results = 詳しくは target/run_results.json を見てください。`karte retry` で、失敗したもの・実行されなかったものをもう一度実行できます

# Reading a reviewed plan (`karte build --plan FILE`).
build-cannot-read-plan = `{ $file }` を読めません: { $error }
build-cannot-read-journals-copy = 実行記録 (ジャーナル) のコピーを読めません:{" "}
e504-plan-help = `karte plan --out FILE` で計画を書き出し、中身を確かめてから `karte build --plan FILE` を実行してください
e504-not-a-plan = `{ $file }` は karte の計画ではありません: { $error }
e504-plan-format = `{ $file }` は形式 { $format } の計画です。この karte が実行できるのは形式 { $ours } です
e504-not-reviewed = `{ $file }` は `karte plan --out` で書いたものではありません: どのカタログに対して立てた計画かがわかりません
e504-other-target = この計画はプロジェクト `{ $project }` のターゲット `{ $target }` 用です。今回のビルドは `{ $this_project }` の `{ $this_target }` です
e504-other-target-help = --target { $target } を付けて実行してください
