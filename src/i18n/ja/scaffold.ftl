# `karte init` と `karte new model` (src/scaffold/)。
init-already = `{ $dir }` にはもう karte のプロジェクトがあります
init-choose-new-dir = 新しいフォルダー名を指定してください
init-created = プロジェクト `{ $name }` を { $dir } に作りました
init-next = 次に試すこと:
init-step-build = このパソコンの中で全部作る (DuckDB)
init-step-show = モデルの中身 (行) を見る
init-step-new = 自分のモデルを作り始める
init-sample = このプロジェクトは見本データ seeds/sample_visits.csv (架空のデータ) を読みます。本物の納品ファイルの読み込み方は karte.yml に書いてあります

new-needs-layer = `{ $spec }` に層がありません。層/名前 の形で書いてください
new-bad-name = `{ $part }` はフォルダー名・モデル名に使えません。小文字の英字・数字・`_` で、英字から始めてください
new-path-help = 例: karte new model gold/monthly_visits
new-unknown-layer = karte.yml に層 `{ $layer }` がありません (ある層: { $layers })
new-did-you-mean = `{ $spec }` のことですか? (新しい層なら karte.yml の `layers:` に書き足してください)
new-name-taken = 名前 `{ $name }` はもう { $path } が使っています。名前はプロジェクト全体で 1 つだけです
new-sql-exists = { $path } はもうあります。--from-sql で上書きはしません
new-sql-exists-help = 今あるファイルの YAML を作るなら --from-sql を付けずに実行し、別のモデルなら別の名前にしてください
new-entry-exists = モデル `{ $name }` の説明はもう { $file } にあります
new-entry-exists-help = そのファイルを直接編集してください (karte が書き足すのは、モデルと同じ名前の .yml にある、列・テスト・設定のない説明だけです)
new-does-not-compile = `{ $name }` の YAML はまだ作っていません。プロジェクトにエラーがあります (上を見てください)
new-run-again = エラーを直してから、もう一度 `karte new model { $spec }` を実行してください
new-columns-unknown = `{ $name }` の列がわかりません (列を宣言していないソースを `select *` で読んでいる、など)。列は手で書き足してください
new-yaml-header-columns = `karte new model` が作りました。列は SQL から karte が読み取ったものです。
    モデルと各列の意味を description に書いてください (そのまま受け継いだ列には元の説明が入っています)。
new-yaml-header-empty = `karte new model` が作りました。クエリを書いたあとでもう一度実行すると、ここに列の一覧が入ります。
new-created-sql = { $path } を作りました
new-wrote-yml = { $path } を書きました
new-wrote-yml-columns = { $path } を書きました (SQL から読み取った列: { $count } 個)
new-next-empty = 次に: .sql ファイルにクエリを書き、`karte show { $name }` で確かめてから、もう一度 `karte new model { $spec }` を実行すると列の一覧が入ります
new-next-columns = 次に: .yml ファイルにモデルと列の説明を書いてください。`karte show { $name }` で行を見られます
