# 実行中の表示 (src/cli/progress.rs) と実行前の確認 (src/execute/inputs.rs)。
run-begin = { $command } { $run_id }: 実行するもの { $total } 個 (モデル・seed・スナップショット・テスト)
run-counts = 成功 { $ok }  失敗 { $failed }  スキップ { $skipped }
run-running = 実行中
run-elapsed = 経過

inputs-no-data-source = ソース `{ $relation }` にデータがありません (まだ何も読み込まれていません)
inputs-no-data-ingest = 取り込みテーブル `{ $relation }` にデータがありません (まだ何も取り込まれていません)
inputs-no-data-external = テーブル `{ $relation }` (external_relations) がこの環境にありません
inputs-read-here = ここで読んでいます
inputs-read-by = これを読む `{ $model }` を作れません
inputs-through-ephemeral = ephemeral モデル `{ $ephemeral }` が `{ $model }` の中で読んでいるため、`{ $model }` を作れません
inputs-help-ingest = 先に納品ファイルを読み込んでください: `karte ingest 納品フォルダー` (取り込みルールは { $rule }、docs/ingest.md)。`karte build --ingest 納品フォルダー` でもできます
inputs-help-source = データを読み込んでください: ingest/ にファイルの取り込みルールを書いて `karte ingest` を実行する (docs/ingest.md)、または見本の行を seed (seeds/名前.csv) に書いて代わりに `seeds.名前` を読む、または `{ $relation }` をローカルのカタログ target/karte.duckdb に自分で作る。karte の外で作るテーブルをソースとして宣言しない場合は karte.yml の `external_relations` に書きます
inputs-help-external = `external_relations` のテーブルは karte が作りません: `{ $relation }` をローカルのカタログ target/karte.duckdb に作るか、このモデルを --exclude で外してください
