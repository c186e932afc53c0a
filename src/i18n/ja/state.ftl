# 保存したマニフェスト (本番の状態): --state、--defer、`karte diff` (src/state/、cli/commands/diff.rs)。
e305-save-help = 本番の状態は `karte compile --target prod` で保存し、その target/manifest.json と target/compiled/ のコピーを取っておいてください (docs/ci.md を見てください)
e305-no-manifest-in = `{ $dir }` に manifest.json がありません
e305-manifest-missing = 保存したマニフェスト `{ $path }` がありません
e305-cannot-read = 保存したマニフェスト `{ $path }` を読めません: { $error }
e305-other-project = `{ $manifest }` はプロジェクト `{ $saved }` のマニフェストです。このプロジェクトは `{ $project }` です
e305-other-project-help = --state には、このプロジェクトの本番ビルドで作ったマニフェストを指定してください
e305-not-json = `{ $manifest }` は karte のマニフェストではありません: { $error }
e305-dbt-manifest = `{ $manifest }` は dbt のマニフェストで、karte のものではありません
e305-no-version = `{ $manifest }` は karte のマニフェストではありません (`metadata.manifest_version` がありません)
e305-other-format = `{ $manifest }` は形式 { $format } のマニフェストです (karte { $by } で作成)。この karte ({ $version }) が比べられるのは形式 { $expected } です
e305-other-format-help = この karte で本番をもう一度コンパイルし (`karte compile --target prod`)、そのマニフェストを保存してください
e305-s3 = 保存した状態を S3 から読めません: { $error }
e305-s3-help = URI と、AWS の認証情報・リージョン (AWS_REGION、または接続先の `region`) を確認してください
e305-no-s3 = この karte は Athena エンジンなしでビルドされているため、S3 を読めません
e305-no-s3-help = 保存した状態をローカルのディレクトリにコピーし (`aws s3 cp --recursive …`)、それを --state に指定してください
e305-diff-needs-state = karte diff は保存したマニフェストと比べます。--state PATH を指定してください
e305-defer-needs-state = --defer は選ばれていない親を保存したマニフェストから読みますが、--state が指定されていません
e305-defer-needs-state-help = --state PATH を追加してください。本番の manifest.json があるディレクトリです
e305-defer-other-engine = `{ $manifest }` は接続先 `{ $saved_target }` 用にコンパイルされたもので、接続先 `{ $target }` とはエンジンが違うため、そのテーブルをここから読めません
e305-defer-other-engine-help = 同じ種類の接続先用にコンパイルしたマニフェストを指定してください (Athena の CI 用接続先なら Athena の本番)
w304-cannot-defer = `{ $name }` は { $readers } が読んでいますが、選ばれておらず、接続先 `{ $target }` でビルドされておらず、保存したマニフェストにもありません
w304-cannot-defer-note = この変更で新しく作ったものだと思われます。代わりに読めるものがありません
w304-cannot-defer-help = これも選んでください。例: `--select +{ $reader }` または `state:new+`
diff-compiled-sql-missing = 保存したコンパイル後の SQL が { $location } にありません。target/compiled/ を manifest.json と一緒に保存してください
diff-plan-unknown = 保存した版の実行計画が分かりません (コンパイル後の SQL がありません)
diff-cannot-plan = 実行計画を立てられません: { $error }
diff-removed-note = プロジェクトからなくなりました。karte は { $relation } を削除しません。不要なら手作業で削除してください
diff-heading = { $manifest } (プロジェクト `{ $project }`、接続先 `{ $saved_target }`、karte { $karte }) と比べました。接続先 `{ $target }` 用にコンパイルし、{ $catalog }をもとに計画しました: 新規 { $new }、変更 { $modified }、削除 { $removed }。
diff-against-catalog-state = カタログの状態
diff-against-saved-manifest = 保存したマニフェスト
diff-nothing-changed = 変更はありません。
diff-status = { $status ->
    [new] 新規
    [modified] 変更
    [removed] 削除
   *[other] { $status }
}
diff-compiled-sql = コンパイル後の SQL:
diff-compiled-sql-unchanged = コンパイル後の SQL: 変更なし
diff-plan-unchanged = 実行計画: 変更なし ({ $step })
diff-plan = 実行計画:
diff-new-destructive-step = データを消すおそれのある新しい処理: { $step }
diff-destructive-summary = データを消すおそれのある新しい処理が { $count } 個あります。マージする前に確認してください。
e305-diff-unknown-target = 保存したマニフェストは接続先 `{ $saved_target }` 用にコンパイルされていますが、karte.yml にその接続先がありません。接続先 `{ $target }` で比べるため、テーブル名が違うことがあります
e305-diff-unknown-target-help = --target に本番をビルドしている接続先を指定してください
e000-cannot-serialise-diff = 差分を JSON にできません: { $error }
