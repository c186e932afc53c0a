# E502: why a construct cannot run on the local engine (src/engine/duckdb/translate/reasons.rs
# maps the English reasons to these; the English is exactly the recorded reason).
translate-sketch = HyperLogLog やダイジェストのスケッチは Athena にしかありません
translate-geo = 地理空間の関数は Athena でしか動きません (ローカルでは DuckDB の spatial 拡張を使えません)
translate-time-zone-offsets = ローカルのエンジンはタイムゾーンの時差を持てません
translate-checksum = checksum はローカルでは計算のしかたが違います
translate-time-travel = Iceberg のタイムトラベルは Athena でしか動きません。ローカルにあるのは今のテーブルだけです
translate-array-sort-lambda = 比較のラムダ式を付けた array_sort は、ローカルでは同じ結果を出せません
translate-from-unixtime-offset = 時・分の時差を付けた from_unixtime は、ローカルでは同じ結果を出せません
translate-weighted-percentile = 重み付きの approx_percentile は、ローカルでは同じ結果を出せません
translate-split-limit = 分割数を指定した split は、ローカルでは同じ結果を出せません
translate-strpos-instance = 何番目かを指定した strpos は、ローカルでは同じ結果を出せません
translate-from-utf8-replacement = 置き換え文字を指定した from_utf8 は、ローカルでは同じ結果を出せません
translate-regexp-replace-lambda = ラムダ式を使う regexp_replace は、ローカルでは同じ結果を出せません
translate-regexp-replace-named = 名前付きグループ ({"$"}{"{"}name{"}"}) を使う regexp_replace は、ローカルでは同じ結果を出せません
translate-regexp-replace-trailing = regexp_replace: 置き換える文字列が '\' で終わっています
translate-regexp-replace-dollar = regexp_replace: '$' のあとにはグループの番号を書いてください
translate-format-unfinished = format: 書式の文字列が指定子の途中で終わっています
translate-format-needs-string = format には書式の文字列が必要です
translate-normalize-form = normalize: 形式は NFC、NFD、NFKC、NFKD のどれかにしてください
translate-clauses = OVER・FILTER・DISTINCT・ORDER BY を付けた { $name } は、ローカルでは同じ結果を出せません
translate-joda-field = 日時のパターンの Joda の項目 { $field } は、ローカルでは同じ結果を出せません
translate-date-field = 日時のパターンの項目 { $field } は、ローカルでは同じ結果を出せません
translate-format-conversion = format: 変換 { $conversion } は、ローカルでは同じ結果を出せません
translate-format-specifier = format: 指定子 { $specifier } に当てはめる値がありません
translate-type-no-equivalent = { $type } 型は、ローカルに同じものがありません
translate-sketch-type = スケッチの型 { $type } は Athena にしかありません
translate-type-athena-only = { $type } 型は Athena にしかありません
translate-pseudo-column = 疑似列 { $name } は Athena のファイルの情報で、Athena にしかありません
translate-needs-lambda = { $name } をローカルで動かすには、引数 { $count } 個のラムダ式が必要です
translate-pattern-literal = { $what } のパターンをローカルで動かすには、文字列をそのまま書いてください (列や式は使えません)
translate-interval = 期間の書き方 { $text } は Trino では受け付けられません
translate-normalize-unknown = normalize: 形式 { $form } はわかりません
translate-argument-count = 引数は { $expected } 個のはずが、{ $got } 個あります
translate-needs-argument = { $name } には引数が必要です
translate-no-equivalent = { $what } は、ローカルでは同じ結果を出せません

# The E502 diagnostic around the reason (src/engine/duckdb/mod.rs).
e502-cannot-run-locally = `{ $construct }` は、ローカルのエンジンでは Athena と同じ意味で動かせません
e502-help = このモデルは Athena でだけ動きます。ローカルでは --exclude で外すか、両方のエンジンにある関数で書き直してください
