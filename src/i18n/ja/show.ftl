# `karte show` (src/show/, src/cli/commands/show.rs)。
show-not-found = `{ $name }` という名前のモデル・seed・スナップショット・ソースはありません
show-did-you-mean = `{ $name }` のことですか?
show-list-hint = `karte ls` でプロジェクトのモデル・seed・スナップショットの一覧が見られます
show-not-local = `karte show` はこのパソコンの中のデータ (local) だけを読みます。ターゲット `{ $target }` は local ではありません
show-not-local-help = --target を付けないか、`type: local` のターゲットを指定してください
show-building = `{ $what }` に必要で、まだこのパソコンで作られていないものを先に作ります: { $names }
show-build-failed = 上の処理 (ビルド) が成功しなかったので、行は表示しません
show-query-failed = このクエリはローカルのデータで実行できません: { $error }
show-query-failed-help = Athena の SQL で書いてください。テーブルは `スキーマ.テーブル` (`karte ls` で一覧) で指定します。--where には department = '内科' のような条件を書きます
show-count = ({ $count } 行)
show-count-more = (最初の { $count } 行。続きがあります: --limit N で増やせます、--limit 0 で全部)
