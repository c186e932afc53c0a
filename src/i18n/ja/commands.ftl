# コマンドが表示する文 (src/cli/mod.rs, src/cli/commands/{ingest,plan,freshness,runs,example_data}.rs)。

## src/cli/mod.rs
cmd-plan-only-with-build = --plan は確認済みのプランをまるごと実行するものです。`karte { $command }` ではなく `karte build` と一緒に使ってください
cmd-not-building-ingest-failed = ビルドしません: 取り込み (ingest) で読み込めなかったファイルがあります (上の表示を見てください)
cmd-no-ingest-feature = この karte は取り込み (ingest) なしで作られています (duckdb-engine 機能)
cmd-vars-not-yaml = --vars が YAML のマッピングになっていません: `{ $text }`
cmd-vars-not-yaml-help = YAML で書いてください: --vars '{"{"}lookback_months: 6, salt_name: dev{"}"}'
cmd-not-a-size = `{ $value }` は大きさとして読めません。500GB や 2TB のように書いてください

## 共通
cmd-cannot-write = `{ $path }` に書き込めません: { $error }
cmd-cannot-read-catalog = カタログを読めません:{" "}
cmd-cannot-read-engine-catalog = { $engine } のカタログを読めません:{" "}

## karte ingest
ingest-no-paths = 取り込むファイルかフォルダを指定してください: karte ingest 納品フォルダ
ingest-no-paths-help = 例: `karte ingest deliveries/` (docs/ingest.md を参照)。取り込み済みのものは `karte ingest --list` で見られます
ingest-header = 取り込み → ターゲット `{ $target }`、実行 { $run }
ingest-header-dry-run = 取り込み (試し実行: 何も書き込みません) → ターゲット `{ $target }`、実行 { $run }
ingest-cannot-write-report = { $path } に書き込めません: { $error }
ingest-count-loaded = 読み込み { $count }
ingest-count-replaced = 置き換え { $count }
ingest-count-would-load = 読み込み予定 { $count }
ingest-count-would-replace = 置き換え予定 { $count }
ingest-count-unchanged = 変更なし { $count }
ingest-count-quarantined = 隔離 { $count }
ingest-count-conflict = 競合 { $count }
ingest-count-unmatched = 該当ルールなし { $count }
ingest-count-ignored = 対象外 { $count }
ingest-summary = ファイル { $files } 個: { $counts } · { $rows } 行 · 読んだ量 { $read } (展開後 { $raw }) · { $seconds } 秒 (展開後で毎秒 { $rate } MB)
ingest-count-separator = 、
ingest-report = 報告: { $path }
ingest-some-failed = 読み込めなかったファイルがあります。上の印の付いた行を見てください (隔離したファイルは、コピーの隣に理由の報告があります)
ingest-word-loaded = 読み込み
ingest-word-replaced = 置き換え
ingest-word-unchanged = 変更なし
ingest-word-would-load = 読み込み予定
ingest-word-would-replace = 置き換え予定
ingest-word-quarantined = 隔離
ingest-word-conflict = 競合
ingest-word-unmatched = ルールなし
ingest-file-rows = { $rows } 行
ingest-file-copied-to = { $path } にコピーしました (+ .problems.txt)
ingest-list-not-created = { $table }: まだ作られていません
ingest-list-partitions = { $table }: パーティション { $count } 個
ingest-list-file = { $file }  sha256 { $sha }  { $bytes } バイト  { $rows } 行  { $at }
ingest-list-not-loaded = (karte ingest で読み込んだものではありません)

## karte plan
plan-cannot-serialise = プランを書き出せません: { $error }
plan-written = プランを { $path } に書きました。`karte build --plan { $path }` でこのとおりに実行できます
plan-bad-as-of = --as-of は 2026-04-01 のような日付にしてください (`{ $value }` になっています)

## karte source freshness
freshness-none = `freshness:` の基準を持つソースや取り込みテーブルがありません (docs/project.md を参照)
freshness-ok = OK
freshness-warn = 注意
freshness-error = エラー
freshness-line = { $verdict } { $name }  最新 { $newest } ({ $age } 前、{ $by } で測定)
freshness-line-unknown = { $verdict } { $name }  { $message }
freshness-unknown-age = 古さが分かりません

## karte runs
runs-no-such-run = target/journal/ に実行 `{ $run }` はありません
runs-no-such-run-help = 残っている実行は `karte runs` で一覧できます
runs-none = まだ実行がありません (実行の記録は target/journal/ に残ります)
runs-col-run = 実行
runs-col-command = コマンド
runs-col-target = ターゲット
runs-col-status = 結果
runs-col-duration = 時間
runs-col-ok = 成功/失敗
runs-col-scanned = 読んだ量
runs-col-cost = 費用
runs-slowest = { $run } で時間がかかったもの:
runs-most-expensive = { $run } で費用がかかったもの:

## karte example-data
example-data-cannot-write = 例のデータを `{ $path }` に書き込めません: { $error }
example-data-wrote = zip ファイル { $zips } 個 (ファイル { $files } 個、{ $mb } MB) を { $persons } 人分、診療月 { $first } から { $last } まで、{ $seconds } 秒で書きました
    医科レセプトの RE レコード { $receipts } 件。答え合わせ用のファイル: { $answer }
