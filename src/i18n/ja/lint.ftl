# lint のルール (src/lint/rules.rs): ルールごとに `lint-<code>` (何がいけないか) と `lint-<code>-help` (直し方)。
lint-e102 = SQL の中に全角の文字や記号があります (Athena はエラーにします)
lint-e102-help = 半角の文字に直してください。`karte lint --fix` で直せます
lint-l001 = 整数どうしの割り算です。Athena では小数点以下が切り捨てられます (1 / 2 は 0)
lint-l001-help = 片方を小数にしてください: `cast(a as double) / b`
lint-l002 = NULL と = や <> で比べても、結果は決して「真」になりません
lint-l002-help = `IS NULL` または `IS NOT NULL` と書いてください
lint-l003 = NOT IN の中の SELECT が NULL を返すと、1 行も残りません
lint-l003-help = 中の SELECT に `WHERE 列 IS NOT NULL` を足すか、NOT EXISTS で書いてください
lint-l004 = 日時の列を BETWEEN で日付まで絞ると、最後の日の 0 時より後が入りません
lint-l004-help = `ts >= DATE '開始日' AND ts < DATE '終了日' + INTERVAL '1' DAY` と書いてください
lint-l005 = 日付と文字列を比べています。Athena ではエラーになります
lint-l005-help = 日付として書いてください: `DATE '2024-04-01'`
lint-l006 = カンマで並べた表をつなぐ条件がありません。すべての行どうしが組み合わさります
lint-l006-help = `JOIN … ON …` で条件を書いてください。全組み合わせが目的なら `CROSS JOIN` と書きます
lint-l007 = 結合した SELECT で、列にどの表のものかが書いてありません。同じ名前の列が他の表に増えると動かなくなります
lint-l007-help = 列の前に表の別名を付けてください: `別名.列`
lint-l008 = gold のモデルで `SELECT *` を使っています。元の表が変わると、出す列も黙って変わります
lint-l008-help = 出す列を 1 つずつ書いてください
lint-l009 = LIMIT のない ORDER BY です。テーブルやビューは行の順番を覚えていません
lint-l009-help = 消して、読むときの SELECT で並べ替えてください
lint-l010 = row_number() の並び順が同じになる行があり得ます。その行の番号は実行のたびに変わります
lint-l010-help = ORDER BY に、行ごとに違う列 (明細番号など) を足してください
lint-l011 = LEFT JOIN の結果を count(*) で数えると、相手のない行も 1 と数えます
lint-l011-help = つないだ表の列を数えてください: `count(r.id)` なら相手のある行だけ数えます

# `karte lint` の補足、ラベル、行 (src/lint/mod.rs、cli/commands/lint.rs)。
lint-fix-corrects = `karte lint --fix` で自動で直せます
lint-not-exact = 場所はテンプレートを展開した後の SQL のものです。ファイルの中の場所が一つに決まらないため、--fix では直しません
lint-fix-again = 同じ場所を直す指摘が残っています。もう一度 `karte lint --fix` を実行してください
e004-lint-no-rule = `lint:` に書かれたルール `{ $name }` はありません
e004-lint-no-rule-label = lint のルールではありません
e004-lint-no-rule-help = コード ({ $codes }) かルールの名前を書いてください (docs/lint.md)
lint-cannot-write = { $path } に書き込めませんでした: { $error }
lint-summary = { $checked } 個のモデルを { $seconds } 秒で確認しました: 指摘 { $count } 件
lint-summary-fixed = { $checked } 個のモデルを { $seconds } 秒で確認しました: 指摘 { $count } 件、{ $fixed } 件を直しました
