# プロジェクトの読み込み: karte.yml、ファイル、YAML、名前、通知、取り込みルール (src/project/)。
project-did-you-mean = `{ $name }` のことですか?
project-cannot-read-file = ファイルを読めません: { $error }
project-cannot-list-files = ファイルの一覧を取れません: { $error }
e101-not-utf8-shift-jis = ファイルが UTF-8 ではありません。Shift_JIS (CP932) で保存されているようです
e101-not-utf8 = ファイルが UTF-8 のテキストではありません
e101-not-utf8-label = バイト { $byte } は UTF-8 として読めません
e101-not-utf8-help = ファイルを UTF-8 で保存し直してください (メモ帳や VS Code の「エンコード付きで保存」→ UTF-8)
project-seed-not-utf8 = { $file }:{ $line }: UTF-8 ではありません。Excel で日本語のまま保存したファイルなら、この seed に `encoding: cp932` を指定してください
project-seed-not-cp932 = { $file }:{ $line }: CP932 (Shift_JIS) として読めないバイト { $bytes } があります
project-seed-unknown-encoding = { $file }: 文字コード `{ $encoding }` は使えません (utf-8 か cp932 を指定してください)
e003-invalid-yaml = YAML の書き方が正しくありません: { $message }
e003-invalid-yaml-help-unknown-field = キーの綴りを確認してください。ここで使えるキーはメッセージに並んでいます
e003-invalid-yaml-help-tab = YAML の字下げにはタブではなく半角スペースを使います
e003-invalid-yaml-help = 字下げと、`key: value` のコロンの後ろに半角スペースがあるかを確認してください

# 通知の送り先 (project/notifications.rs)。
e801-notification = 通知 `{ $name }`: { $message }
e802-secret-written = 通知 `{ $name }`: karte.yml に { $what } が書かれています。秘密の値は環境変数からだけ読み込みます
e802-label = 値は表示しません
e802-note = karte.yml はリポジトリに入り、CI のログや成果物にも写ります。読んだ人は誰でもこのチャンネルに投稿できてしまいます
e802-secret-for-help = 値を消して環境変数に設定し (例: `export { $example }=…`、または CI のシークレット)、`{ $env_key }: { $example }` と書いてください
e802-secret-pasted-help = 値を消してください。秘密の値は環境変数に入れ、その変数名をチャンネルの `*_env` キーに書きます (docs/operations.md)
e802-secret-in-env-key-help = 秘密の値は環境変数に設定し (例: `export SLACK_WEBHOOK_URL=…`、または CI のシークレット)、ここには変数名を書いてください: `{ $key }: SLACK_WEBHOOK_URL`
notification-secret-webhook-url = Webhook の URL
notification-secret-url = URL
notification-secret-token = トークン
notification-secret-routing-key = ルーティングキー
notification-secret-password = パスワード
notification-secret-in-env-key = 秘密の値 (本来は環境変数の名前を書く場所)
notification-secret-slack-token = Slack のトークン
notification-secret-slack-webhook = Slack の Webhook URL
notification-secret-teams-webhook = Teams の Webhook URL
notification-secret-url-with-login = ユーザー名かパスワードの入った URL
notification-secret-url-with-key = キーか署名の入った URL
e801-not-http-url = `{ $key }` が http(s) の URL ではありません
e801-not-http-url-help = URL を省略せずに書いてください。例: https://events.pagerduty.com/v2/enqueue
e801-timeout-out-of-range = `timeout_seconds: { $timeout }` は範囲外です
e801-timeout-out-of-range-help = 1 〜 { $max } 秒にしてください。通知のためにビルドの終わりを長く待たせないためです
e801-attempts-out-of-range = `attempts: { $attempts }` は範囲外です
e801-attempts-out-of-range-help = 1 〜 { $max } にしてください
e801-unknown-target = `{ $target }` という接続先 (target) はありません
e801-unknown-target-help = `targets:` に定義した接続先の名前を書いてください
e801-not-a-variable = `{ $value }` は環境変数の名前ではありません
e801-not-a-variable-help = 変数の名前 (英字・数字・`_`、例: SLACK_WEBHOOK_URL) を書いてください。値はビルドの終わりに読み込みます
e801-unknown-event = `{ $event }` というイベントはありません
e801-unknown-event-help = failure、success、warnings、recovery のどれかを使ってください
e801-two-templates = `template` と `template_file` の両方が書かれています
e801-two-templates-help = どちらか一つにしてください
e801-cannot-read-template = `{ $file }` を読めません: { $error }
e801-cannot-read-template-help = プロジェクトのディレクトリからの相対パスで書いてください
e801-no-type = `type` がありません
e801-no-type-help = `type:` を追加してください ({ $types } のどれか)
e801-use-one-of = 次のどれかを使ってください: { $values }
e801-unknown-type = `{ $kind }` という種類はありません
e801-foreign-key = `{ $key }` は `{ $kind }` の送り先には使えないキーです
e801-foreign-key-help = `{ $kind }` の送り先に書けるキーは { $keys } です。docs/operations.md を見てください
e801-missing-key = `{ $kind }` の送り先には `{ $key }` が必要です
e801-missing-key-help = `{ $key }: { $example }` を追加してください
e801-bot-key-on-webhook = `{ $key }` は Slack のボット (`token_env`) 用のキーで、受信 Webhook には使えません
e801-bot-key-on-webhook-help = 受信 Webhook は作成したときのチャンネルに投稿します。このキーを消してください
e801-webhook-and-bot = `webhook_url_env` と `token_env` の両方が書かれています
e801-webhook-and-bot-help = 受信 Webhook なら `webhook_url_env`、ボットなら `token_env` と `channel` です。どちらか一方にしてください
e801-slack-needs = `slack` の送り先には `webhook_url_env` (受信 Webhook) か、`token_env` と `channel` (ボット) が必要です
e801-slack-needs-help = `webhook_url_env: SLACK_WEBHOOK_URL` を追加し、karte を動かす環境でその変数を設定してください
e801-unknown-severity = `{ $severity }` という重大度はありません
e801-unknown-tls = `tls: { $tls }` は使えません
e801-unknown-tls-help = starttls (ポート 587、既定)、tls (ポート 465)、none (同じネットワーク内の中継サーバー) のどれかを使ってください
e801-login-pair = `username_env` と `password_env` は両方そろえて書きます
e801-login-pair-help = 両方書くか、ログインのいらないサーバーなら両方とも書かないでください
e801-email-needs-to = `email` の送り先には `to` が必要です
e801-email-needs-to-help = `to: [data-team@example.jp]` を追加してください
e801-not-an-address = `{ $address }` はメールアドレスではありません
e801-not-an-address-help = `name@example.jp` か `Data team <name@example.jp>` の形で書いてください

# `dependencies:` の上流プロジェクト (project/dependencies.rs)。
dependency-s3-path = `{ $path }` は S3 の URI です。S3 にある上流は `manifest:` と `runs:` で指定してください
dependency-no-manifest = `path` も `manifest` も書かれていません
dependency-no-runs = `path` も `runs` も書かれていません

# 取り込みルール ingest/*.yml (project/ingest/)。
e601-bad-table-name = `{ $name }` は Athena で使えるテーブル名ではありません
e601-bad-table-name-help = 英小文字・数字・`_` だけを使ってください (例: `medical_claims`)
e410-ingest-projection = 取り込みテーブル `{ $name }` ではパーティション射影 (partition projection) を使えません。届いたファイルはそれぞれチェックサム名のフォルダに自分のパーティションを持ち、再送されたファイルはカタログの更新 1 回でパーティションごと置き換わります。射影の場所テンプレートでは値ごとに決まった 1 つのフォルダを指すことになり、再送のたびに、クエリが読んでいる最中のデータをその場で上書きしてしまいます
e410-ingest-projection-help = `partition_projection` を消してください。代わりに、このテーブルを読む silver のモデル (`materialized: table` と `partition_projection:`) で射影します。docs/athena.md を見てください
e601-bad-files-pattern = `files` のパターン `{ $pattern }` が正しくありません: { $problem }
e601-bad-files-pattern-help = 例: `medical/RECEIPTC_{"{"}insurer{"}"}_{"{"}yyyymm{"}"}.zip`。`{"{"}name{"}"}` は名前の一部を取り出し、`*` は名前の任意の部分、`**` は任意のフォルダに当てはまります
e601-bad-regex = `regex` が正しくありません: { $error }
e601-bad-regex-help = 名前付きグループのある正規表現を書いてください。例: `RECEIPTC_(?P<insurer>\d{"{"}8{"}"})_(?P<yyyymm>\d{"{"}6{"}"})\.zip`
e601-files-or-regex = 取り込みルール `{ $name }` には `files` か `regex` のどちらか一つが必要です
e601-files-or-regex-help = `files: "folder/NAME_{"{"}part{"}"}.zip"` (または名前付きグループのある `regex:`) を追加してください
e601-bad-capture = 取り出し部分 `{ $capture }` の名前はパーティション列の名前に使えません
e601-use-sql-names = 英小文字・数字・`_` だけを使ってください
e601-partition-not-captured = `partitioned_by` にある `{ $column }` を、パターンが取り出していません
e601-partition-not-captured-help = パーティション列はパターンで取り出した部分から作ります: { $captures }
e601-partition-not-captured-help-none = パーティション列はパターンで取り出した部分から作ります: (取り出し部分なし)
e601-bad-entries = `entries` の glob が正しくありません: { $error }
e601-bad-entries-help = 例: `*/RECEIPTC.UKE`
e601-unknown-compression = `{ $value }` という圧縮形式はありません
e601-unknown-compression-help = zip、gzip、none、auto のどれかです
e601-unknown-encoding = `{ $value }` という文字コードは使えません
e601-unknown-encoding-help = cp932 (Windows で作った日本語のファイル、既定)、shift_jis、utf-8、auto のどれかです
e601-bad-delimiter = 区切り文字 `{ $value }` が ASCII の 1 文字ではありません
e601-bad-delimiter-help = 例: `,`、`"\t"` (タブ)、`|`
e601-bad-quote = 囲み文字 `{ $value }` が ASCII の 1 文字ではありません
e601-bad-quote-help = `'"'` か `none` です
e601-unknown-header = 見出し行の設定 `{ $value }` は使えません
e601-unknown-header-help = present、absent、auto のどれかです
e601-no-columns = `columns: 0`: テーブルには列が 1 つ以上必要です
e601-no-columns-help = 項目の数か、列名の一覧を書いてください
e601-bad-column-name = `{ $name }` は Athena で使える列名ではありません
e601-bad-column-name-help = 英小文字・数字・`_` だけを使ってください。ファイルの見出しの文字は `header:` に書きます
e601-reserved-column = `{ $name }` は取り込みが自分で追加する列です
e601-reserved-column-help = 別の名前にしてください
e601-column-is-partition = `{ $name }` が普通の列とパーティション列の両方になっています
e601-column-is-partition-help = 列か取り出し部分の名前を変えてください
e601-duplicate-column = 列 `{ $name }` が 2 回書かれています
e601-duplicate-column-help = 列名は重ならないようにしてください
e601-bad-size = `limits: {"{"} { $key }: { $value } {"}"}`: `{ $value }` は大きさとして読めません
e601-bad-size-help = 500MB、20GB、1TB のように 0 より大きいサイズを書いてください (KB、MB、GB、TB は 1024 倍ずつ)
e601-line-limit = `limits: {"{"} line: { $value } {"}"}`: 1 行は 256MB までです
e601-line-limit-help = Parquet への変換では一番長い行の約 3 倍のメモリを使うため、取り込みで許すのは 256MB までです
e601-bad-ratio = `limits: {"{"} ratio: { $value } {"}"}`: `{ $value }` は倍率として読めません
e601-bad-ratio-help = 圧縮したファイルが展開すると何倍まで大きくなってよいかを、0 より大きい整数で書いてください。例: `ratio: 500`
e601-bad-ignore = `ignore` の glob `{ $glob }` が正しくありません: { $error }
e601-bad-ignore-help = `masters/*` や `MANIFEST.txt` のような glob を書いてください
e601-two-rules = テーブル `{ $table }` の取り込みルールが 2 つあります
e601-two-rules-help = bronze のテーブル 1 つにルールは 1 つです。代わりにパターンを広げてください (例: `*`)
ingest-pattern-open-brace = `{"{"}` に対応する `{"}"}` がありません
ingest-pattern-bad-capture = `{"{"}{ $name }{"}"}`: 取り出し部分の名前には英小文字・数字・`_` だけを使います
ingest-pattern-twice = `{"{"}{ $name }{"}"}` が 2 回使われています
ingest-pattern-close-brace = `{"}"}` に対応する `{"{"}` がありません

# karte.yml、ファイル、名前 (project/mod.rs、discover.rs、names.rs)。
e002-no-project = `{ $dir }` に { $file } がありません
e002-no-project-help = プロジェクトのディレクトリで karte を実行するか、--project-dir DIR を指定するか、`karte init DIR` で新しく作ってください
e005-unknown-target = { $file } に `{ $target }` という接続先 (target) はありません
e005-targets-defined = 定義されている接続先: { $targets }
e302-duplicate-name = 同じ名前 `{ $name }` の{ $kind ->
    [model] モデル
    [seed] seed
    [snapshot] スナップショット
   *[other] { $kind }
}が 2 つあります: `{ $first }` と `{ $second }`
e302-first-defined = 最初の定義: { $path }
e302-duplicate-name-help = モデル、seed、スナップショットの名前は全体で重ならないようにしてください。どちらかのファイル名を変えてください
w002-file-ignored = ファイルを無視しました: `{ $dir }/` に置けるのは { $extensions } のファイルだけです
e408-empty = 空です
e408-not-a-name = `{ $name }` は名前として使えません
e408-path-separator = パスの区切り文字が入っています
e408-layer-schema = 層 `{ $layer }` のスキーマが `{ $schema }` です: { $problem }
e408-layer-schema-label = データレイクのパス `<lake_root><schema>/<table>/` の 1 区切りになります
e408-layer-schema-help = 普通のスキーマ名を書いてください。例: `silver: silver_db`
e408-ingest-layer-help = `layer:` には普通の名前を書くか、karte.yml の `layers:` でスキーマ名に対応づけてください
e408-staging-infix = `{ $infix }` は karte の作業用テーブルのために予約されています
e408-table-name = `{ $name }` はテーブル名に使えません: { $problem }
e408-table-name-help = ファイル名を英小文字・数字・`_` だけにしてください
e602-clash = `{ $path }` が書き込む `{ $table }` は、`{ $rule_path }` の取り込みルールが書き込むテーブルです
e602-clash-rule = 取り込みルール `{ $rule }` ({ $rule_path })
e602-clash-note = ビルドすると `karte ingest` が公開したテーブルを置き換え、後でそのデータを消してしまいます
e602-clash-help = { $kind ->
    [model] モデル
    [seed] seed
    [snapshot] スナップショット
   *[other] { $kind }
}の名前を変える (か、別の層に移す) してください。取り込みテーブルは `{ $table }` として読めます
w001-unknown-config-key = `{ $key }` という設定キーはありません
w001-unknown-config-key-label = karte はこのキーを使いません
w003-properties-for-unknown = `{ $name }` という{ $kind ->
    [model] モデル
    [seed] seed
    [snapshot] スナップショット
   *[other] { $kind }
}はないのに、その設定が書かれています
w003-properties-for-unknown-label = この名前の{ $kind ->
    [model] モデル
    [seed] seed
    [snapshot] スナップショット
   *[other] { $kind }
}のファイルはありません
