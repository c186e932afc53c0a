# コマンドラインの説明 (src/cli/help.rs)。
# `cli-<コマンド>` はコマンドの説明、`cli-<コマンド>--<オプション>` はそのコマンドだけのオプション、
# `cli-opt-<オプション>` は複数のコマンドで共通のオプション。
cli-heading-usage = 使い方
cli-heading-commands = コマンド
cli-heading-options = オプション
cli-heading-arguments = 引数

cli-karte = 医療データレイク (Amazon Athena) のための SQL 変換ツール。手元で動くエンジンも内蔵しています。
cli-opt-help = このヘルプを表示する
cli-opt-version = バージョンを表示する
cli-opt-lang = メッセージとヘルプの言語: ja か en (指定がなければ KARTE_LANG、次にロケール。例: LANG=ja_JP.UTF-8)
cli-opt-project_dir = プロジェクトのフォルダ (karte.yml があるところ)
cli-opt-target = karte.yml のターゲット (指定がなければプロジェクトの default_target。ふつうは `local`)
cli-opt-vars = 変数を YAML で。karte.yml の vars より優先: --vars '{"{"}lookback_months: 6{"}"}'
cli-opt-profiles_dir = dbt のプロジェクト: profiles.yml があるフォルダ (既定: DBT_PROFILES_DIR、なければプロジェクトのフォルダ、なければ ~/.dbt)
cli-opt-select = 対象のノード: `名前`、`+名前`、`名前+`、`tag:x`、`layer:silver`、`path:models/gold`、`config.materialized:table`。空白で区切ると「または」、カンマでつなぐと「かつ」
cli-opt-exclude = 対象から外すノード (書き方は --select と同じ)
cli-opt-state = 比べる相手の保存済みマニフェスト (`state:modified`、`state:new` で使う): manifest.json のあるフォルダ (本番の target/ のコピー)、そのファイル、または s3:// の URI
cli-opt-defer = --state と一緒に: 選ばれていない親で、このターゲットにまだ作られていないものは、保存済みマニフェストにあるテーブル (本番のテーブル) から読む
cli-opt-output = 出力の形式
cli-opt-threads = 同時に作るノードの数 (省略時はターゲットの `threads:`、それもなければ 4)
cli-opt-full_refresh = 増分モデルとスナップショットを最初から作り直す
cli-opt-no_resume = 前回の実行が途中で止まっていても、続きからではなく新しく始める (指定がなければ続きから)
cli-opt-break_lock = Athena: 実行ロックの期限が切れていたら (持っていた実行が止まった)、ロックを引き継ぐ
cli-opt-max_bytes_scanned = Athena: この実行で読んだ量がここまで来たら、新しいクエリを始めない (例: 500GB、2TB)
cli-opt-ingest = 先にこれらの届いたファイルやフォルダを `karte ingest` で取り込む。隔離・矛盾・どのルールにも合わないファイルが一つでもあれば何も作らない
cli-opt-plan = `karte plan --out FILE` が書いたプランをそのとおりに実行する (選択・日付・--full-refresh も含めて)。プランを作った後でカタログが変わっていたら実行しない (build のみ)
cli-opt-no_notify = この実行では通知 (karte.yml の `notifications:` の宛先) を送らない
cli-opt-wait_for_upstream = 先に、選んだモデルが読む上流プロジェクト (`dependencies:`) に、このプロジェクトが前回それらを作った後の成功した実行ができるまで待つ (docs/operations.md)。上流の実行が失敗していたら終了コード 3、時間切れなら 4 で、何も作らない
cli-opt-timeout = --wait-for-upstream と一緒に: この時間が過ぎたらあきらめる (例: 90s、30m、2h)
cli-opt-poll = --wait-for-upstream と一緒に: この間隔で確かめ直す

cli-compile = すべてのモデルを展開して確かめ、コンパイル済みの SQL と manifest.json を target/ に書く
cli-ls = 選んだノードを依存の順に並べて表示する
cli-lineage = 列がどこから来て、どの列の計算に使われているかを表示する (列のリネージ)
cli-lineage--column = 列: `レイヤー.モデル.列` (例: `silver.receipts.person_id`)、`ソース.テーブル.列`、または `モデル.列`
cli-lint = Athena の SQL でよくある間違い (整数の割り算、`= NULL` など) を見つける。`--fix` で安全に直せるものは直す
cli-lint--fix = 安全に直せるものをファイルの中で直す (全角文字、`= NULL`、整数の割り算、日付の文字列、LIMIT のない ORDER BY、列のテーブル名)
cli-lint--output = 出力の形式 (json は CI 向け)
cli-plan = build が実行する手順 (SQL、カタログとストレージの操作) と、それぞれが消す可能性のあるものを表示する
cli-plan--catalog_state = JSON ファイルに保存したカタログ (テーブル、場所、パーティション)。指定がなければ空 (初めての実行)
cli-plan--live = カタログをターゲットそのものから読む (Athena なら Glue、手元なら手元のカタログ)。`--save-catalog-state FILE` で保存すればオフラインでプランを作れる
cli-plan--save_catalog_state = --live と一緒に: 読んだカタログを FILE にも書く (--catalog-state に渡せる)
cli-plan--as_of = この日付でプランを作る (YYYY-MM-DD。指定がなければ今日)。リリーススナップショットの期間はこれで決まる
cli-plan--out = `karte build --plan FILE` のために、プランとその前提 (カタログ) を FILE にも書く (--catalog-state がなければカタログはターゲットから読む)
cli-access = `access:` の各ロールが読めるもの (テーブル、列、分類) を表示する。テーブルを一つ確かめることもできる
cli-access--role = このロールだけ
cli-access--check = --role がこのテーブル (`gold.pmpm`) を読めるか答える: 読めれば終了コード 0、読めなければ 1
cli-diff = 保存済みのマニフェスト (本番のもの) と比べる: 新しい・変わった・消えたノードごとに、コンパイル済み SQL とプランの差分を表示する (データを消すかもしれない新しい手順は目立たせる)
cli-diff--state = 保存済みのマニフェスト: manifest.json と compiled/ のあるフォルダ (本番の target/ のコピー)、そのファイル、または s3:// の URI
cli-diff--catalog_state = この保存済みカタログでプランを作る (本番で `karte plan --live --save-catalog-state FILE`)。指定がなければ、保存済みマニフェストにある本番のテーブル
cli-init = DIR に、そのまま動く新しいプロジェクトを作る
cli-init--dir = 作るフォルダ
cli-init--name = プロジェクトの名前 (指定がなければフォルダの名前)
cli-source = ソースと取り込みテーブル: `karte source freshness` で最新のデータがどれだけ古いかを調べる
cli-source-freshness = ソースと取り込みテーブルごとに最新のデータがどれだけ古いかを、`freshness:` の基準と比べる (target/sources.json に書く。`error_after` より古いものがあれば終了コード 1)
cli-source-freshness--no_notify = この確認では通知 (karte.yml の `notifications:` の宛先) を送らない
cli-build = シード、モデル、スナップショットを依存の順に作り、テストを実行する
cli-run = モデルだけを作る (シード、スナップショット、テストはしない)
cli-seed = シードの CSV ファイルを読み込む
cli-snapshot = SCD2 のスナップショットを取る
cli-test = 選んだノードのデータテストを実行する
cli-retry = 前回の実行で失敗したものと飛ばしたものをもう一度実行する
cli-deps = dbt のプロジェクト: packages.yml のパッケージを dbt_packages/ に入れる (`dbt deps` と同じ)
cli-deps--upgrade = package-lock.yml で固定したバージョンではなく、packages.yml をもう一度解決する (制約の中で一番新しいもの)
cli-runs = 最近の実行 (状態、時間、読んだ量、費用) と、時間や費用のかかったノードを表示する
cli-runs--limit = 表示する実行の数 (新しい順)
cli-runs--run = この実行で時間や費用のかかったノードを表示する (指定がなければ、表示した中で一番新しい実行)
cli-rollback = 途中で止まった・失敗した実行のテーブルの入れ替えを元に戻す (target/journal/ を参照)
cli-rollback--run_id = 実行の ID (target/journal/ の下のフォルダ名)
cli-rollback--force = 成功した実行も元に戻す (例: まちがったデータを公開してしまったとき)
cli-example-data = サンプルプロジェクト用の架空の納品データ (CP932、zip) と、その答え合わせ用のデータを書く
cli-example-data--size = 量: tiny (300 人)、small (1 万人)、large (100 万人。ベンチマーク用)
cli-example-data--seed = 乱数のシード: 同じ量と同じシードなら、同じバイト列になる
cli-example-data--out = 出力先のフォルダ (前回書いたファイルは消す。それ以外のファイルがあれば書かない)
cli-ingest = 届いたファイル (zip/gzip、CP932 の CSV/TSV/UKE) を、プロジェクトの取り込みルールで bronze のテーブルに読み込む
cli-ingest--paths = 届いたファイルやフォルダ (フォルダは中まで探す)
cli-ingest--dry_run = すべてのファイルを読んで確かめ、何を読み込むかを表示するだけで、何も変えない
cli-ingest--list = マニフェストを表示する: bronze の各パーティションにどのファイルが入っているか (チェックサム、行数、読み込んだ時刻)
cli-ingest--then_build = 続けて、新しく届いたデータを使うものを作る: 前回作った後に新しいファイルや差し替えられたファイルが入った取り込みテーブルを (何段先でも) 読むノードすべて (`karte build --select source_status:fresher+`)。読み込めなかったファイルがあれば何も作らない
cli-ingest--threads = --then-build と一緒に: 同時に作るノードの数 (省略時はターゲットの `threads:`、それもなければ 4)
cli-ingest--no_notify = --then-build と一緒に: その build の通知を送らない

cli-show = モデルの行 (必要なものがまだ作られていなければ先にこのパソコンで作る) や `--sql` の結果を、このパソコンの中のデータから表示します
cli-show--model = モデル・seed・スナップショット・ソースの名前: `monthly_visits`、`gold.monthly_visits`、`raw.visits`
cli-show--sql = モデルの代わりに、その場で書いたクエリ (Athena の SQL) を実行します。テーブルはこのパソコンで作られた `スキーマ.テーブル` で書きます
cli-show--condition = この条件に合う行だけ (Athena の SQL): --where "department = '内科'"
cli-show--limit = 表示する行数の上限 (0: 全部)
cli-show--output = 出力の形: 端末用にそろえた表 (table)、csv、json
cli-show--rebuild = モデルがもう作られていても、先に作り直します (SQL を直したあとに)
cli-new = プロジェクトに新しいものを作ります: `karte new model gold/my_mart`
cli-new-model = モデルのファイル (models/層/…/名前.sql) と、SQL から読み取った列を並べた説明 (名前.yml) を作ります。クエリを書いたあとでもう一度実行すると列が入ります
cli-new-model--path = 場所: `層/名前` または `層/フォルダー/名前` (例: gold/monthly_visits)
cli-new-model--from_sql = テンプレートの代わりに、この SQL ファイル (今使っているクエリなど) から始めます
cli-opt-quiet = 失敗したものだけを表示します (--output json では `run_finished` だけ)
cli-import-sql = Athena のスクリプト (CREATE TABLE … AS SELECT、INSERT INTO、ビュー、外部テーブル) を karte のプロジェクトにする。変換できないものは import-report.md に書き出す
cli-import-sql--inputs = スクリプトのファイル、または `*.sql` を探すフォルダ (名前の順に読む: 01_…、02_… のように実行した順)
cli-import-sql--layer = モデルを置くレイヤー (`models/<レイヤー>/`)
cli-import-sql--out = 書き出すプロジェクトのフォルダ: 新しい (空の) フォルダか、付け足す先の karte プロジェクト
cli-import-sql--ingest = 区切り文字のテキスト (CSV/TSV) の外部テーブルを、ソースではなく取り込みルール (ファイルの写しを `karte ingest` が読み込む bronze のテーブル) と、列に型を付ける bronze のビューにする
cli-docs = プロジェクトの説明サイト (テーブル、列、個人情報の区分、テスト、SQL、系譜図) を作る: `karte docs generate` で target/docs に書き、`karte docs serve` で見る
cli-docs-generate = 説明サイトを target/docs に書く (file:// でも S3 の静的ホスティングでも開ける。ネットワークは使わない)
cli-docs-generate--graph_limit = プロジェクト全体の系譜図は、テーブルがこの数以下のときだけ描く
cli-docs-serve = target/docs をこのマシンの中 (127.0.0.1) だけで見られるようにする
cli-docs-serve--port = ポート番号 (0 なら空いているもの)
cli-docs-serve--host = 待ち受けるアドレス: ループバックのアドレス (127.0.0.1 か ::1)
