//! Every text `karte import-sql` shows or writes, in English and Japanese: one function (or
//! one match arm) per message, ready to move into the message catalogue (`src/i18n/`).

use super::NotConverted;
pub use crate::lint::Lang;

/// What is wrong with a statement that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// The tokenizer stopped (an unclosed quote or comment…): its message.
    Tokenizer(String),
    /// A `)` without its `(`.
    UnopenedParen,
    /// A `(` never closed.
    UnclosedParen,
    /// A word or symbol was expected here.
    Expected(String),
    /// A table or column name was expected.
    ExpectedName,
    /// A quoted text was expected.
    ExpectedString,
    /// `key = value` was expected.
    ExpectedProperty,
    /// The value of a property is missing or not a text, number or ARRAY[…].
    ExpectedValue(String),
    /// `SELECT` / `WITH` was expected (the query).
    ExpectedQuery,
    /// Not the start of a statement.
    NotAStatement,
}

impl Detail {
    /// The message.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Detail::Tokenizer(m), Lang::En) => format!("the SQL cannot be read here: {m}"),
            (Detail::Tokenizer(m), Lang::Ja) => {
                format!("ここから先の SQL を読めません ({m})。引用符 ' やコメント /* の閉じ忘れがないか確かめてください")
            }
            (Detail::UnopenedParen, Lang::En) => "`)` without a matching `(`".into(),
            (Detail::UnopenedParen, Lang::Ja) => "対応する `(` のない `)` があります".into(),
            (Detail::UnclosedParen, Lang::En) => "this `(` is never closed".into(),
            (Detail::UnclosedParen, Lang::Ja) => "この `(` が閉じられていません".into(),
            (Detail::Expected(w), Lang::En) => format!("expected `{w}` here"),
            (Detail::Expected(w), Lang::Ja) => format!("ここには `{w}` が来るはずです"),
            (Detail::ExpectedName, Lang::En) => "expected a table or column name here".into(),
            (Detail::ExpectedName, Lang::Ja) => "ここにはテーブル名か列名が来るはずです".into(),
            (Detail::ExpectedString, Lang::En) => "expected a quoted text ('…') here".into(),
            (Detail::ExpectedString, Lang::Ja) => {
                "ここには '…' で囲んだ文字列が来るはずです".into()
            }
            (Detail::ExpectedProperty, Lang::En) => {
                "expected a property `name = value` here".into()
            }
            (Detail::ExpectedProperty, Lang::Ja) => {
                "ここには `名前 = 値` の形の設定が来るはずです".into()
            }
            (Detail::ExpectedValue(k), Lang::En) => {
                format!("property `{k}` has no value karte can read (a '…' text, a number or ARRAY['…'])")
            }
            (Detail::ExpectedValue(k), Lang::Ja) => {
                format!("設定 `{k}` の値が読めません ('…' の文字列、数、ARRAY['…'] のどれかにしてください)")
            }
            (Detail::ExpectedQuery, Lang::En) => "expected the query (SELECT or WITH) here".into(),
            (Detail::ExpectedQuery, Lang::Ja) => {
                "ここにはクエリ (SELECT か WITH) が来るはずです".into()
            }
            (Detail::NotAStatement, Lang::En) => "this is not the start of a SQL statement".into(),
            (Detail::NotAStatement, Lang::Ja) => "ここは SQL 文の始まりになっていません".into(),
        }
    }
}

/// The help line of an unreadable statement.
pub fn syntax_help(lang: Lang) -> &'static str {
    lang.pick(
        "fix the script (does it run on Athena as it is?), or leave the file out of the import",
        "スクリプトを直すか (Athena でそのまま動きますか?)、このファイルを取り込みから外してください",
    )
}

/// Headline of an unreadable statement.
pub fn syntax_error(lang: Lang) -> &'static str {
    lang.pick("cannot read this statement", "この文を読み取れません")
}

impl NotConverted {
    /// What the statement is, in a few words.
    pub fn what(&self, lang: Lang) -> String {
        match self {
            NotConverted::Template => lang.pick("template text", "テンプレートの文字").into(),
            NotConverted::MsckRepair => "MSCK REPAIR TABLE".into(),
            NotConverted::AlterPartition => "ALTER TABLE … PARTITION".into(),
            NotConverted::Alter => "ALTER".into(),
            NotConverted::Unload => "UNLOAD".into(),
            NotConverted::StandaloneQuery => lang.pick("a query alone", "単独のクエリ").into(),
            NotConverted::RowChange(w) => w.clone(),
            NotConverted::Maintenance(w) => w.clone(),
            NotConverted::InsertOverwrite => "INSERT OVERWRITE".into(),
            NotConverted::InsertValues => "INSERT … VALUES".into(),
            NotConverted::ViewColumnList => "CREATE VIEW v (…)".into(),
            NotConverted::NoData => "CREATE TABLE … WITH NO DATA".into(),
            NotConverted::EmptyTable => "CREATE TABLE (…)".into(),
            NotConverted::DropOnly => "DROP".into(),
            NotConverted::SecondInsert => "INSERT INTO".into(),
            NotConverted::InsertIntoNonTable => "INSERT INTO".into(),
            NotConverted::CreatedTwice => "CREATE".into(),
            NotConverted::Other(w) => w.clone(),
        }
    }

    /// Why it was not converted, and what to do.
    pub fn reason(&self, lang: Lang, table: &str) -> String {
        match (self, lang) {
            (NotConverted::Template, Lang::En) => "the statement holds template or scheduler text (`{{ … }}`, `${…}`) whose value karte cannot know: write the value, or a karte `var()`, by hand".into(),
            (NotConverted::Template, Lang::Ja) => "テンプレートやスケジューラーの置き換え文字 (`{{ … }}`、`${…}`) があり、karte には値がわかりません。値か karte の `var()` を手で書いてください".into(),
            (NotConverted::MsckRepair, Lang::En) => format!("karte registers the partitions of the tables it builds itself; for an external table `{table}` use partition projection (`partition_projection`) or `karte ingest`"),
            (NotConverted::MsckRepair, Lang::Ja) => format!("karte は自分で作るテーブルのパーティションを自分で登録します。外部テーブル `{table}` にはパーティション射影 (`partition_projection`) か `karte ingest` を使ってください"),
            (NotConverted::AlterPartition, Lang::En) => format!("partitions are registered by karte for its own tables and by `karte ingest` for delivered files; `{table}`'s partition is not added"),
            (NotConverted::AlterPartition, Lang::Ja) => format!("パーティションは、karte のテーブルなら karte が、届いたファイルなら `karte ingest` が登録します。`{table}` のパーティション追加は移していません"),
            (NotConverted::Alter, Lang::En) => format!("karte changes tables by rebuilding them from their model; change the model of `{table}` instead"),
            (NotConverted::Alter, Lang::Ja) => format!("karte はテーブルをモデルから作り直して変えます。代わりに `{table}` のモデルを直してください"),
            (NotConverted::Unload, Lang::En) => "karte builds tables, it does not export files: make the query a model and export its table with another tool".into(),
            (NotConverted::Unload, Lang::Ja) => "karte はテーブルを作る道具で、ファイルの書き出しはしません。クエリをモデルにして、そのテーブルを別の方法で書き出してください".into(),
            (NotConverted::StandaloneQuery, Lang::En) => "a query whose result is not stored anywhere: if it checks the data, make it a test in tests/ (a query returning the failing rows)".into(),
            (NotConverted::StandaloneQuery, Lang::Ja) => "結果をどこにも保存しないクエリです。データの確認なら tests/ のテスト (問題のある行を返すクエリ) にしてください".into(),
            (NotConverted::RowChange(w), Lang::En) => format!("karte does not change rows in place with {w}: write the table's model so that it produces the wanted rows (or an incremental model with `merge` / `delete+insert` on Iceberg)"),
            (NotConverted::RowChange(w), Lang::Ja) => format!("karte は {w} で行をその場で書き換えません。欲しい行を作るモデルにするか、Iceberg の増分モデル (`merge` / `delete+insert`) にしてください"),
            (NotConverted::Maintenance(w), Lang::En) => format!("{w} is karte's job on Iceberg models: set `optimize` / `vacuum` in the model's config (docs/materializations.md)"),
            (NotConverted::Maintenance(w), Lang::Ja) => format!("{w} は Iceberg モデルなら karte が行います。モデルの config に `optimize` / `vacuum` を書いてください (docs/materializations.md)"),
            (NotConverted::InsertOverwrite, Lang::En) => "INSERT OVERWRITE is Hive, not Athena: use an incremental model with `incremental_strategy: insert_overwrite`".into(),
            (NotConverted::InsertOverwrite, Lang::Ja) => "INSERT OVERWRITE は Hive の文で Athena にはありません。`incremental_strategy: insert_overwrite` の増分モデルにしてください".into(),
            (NotConverted::InsertValues, Lang::En) => format!("rows written by hand into `{table}`: make them a seed (a CSV file in seeds/)"),
            (NotConverted::InsertValues, Lang::Ja) => format!("`{table}` に手で書いた行を入れています。シード (seeds/ の CSV ファイル) にしてください"),
            (NotConverted::ViewColumnList, Lang::En) => "a view with a column list: name the columns in the SELECT (`expr AS name`) and import again".into(),
            (NotConverted::ViewColumnList, Lang::Ja) => "列名の並びを付けたビューです。SELECT の中で列に名前を付けて (`式 AS 名前`) から、もう一度取り込んでください".into(),
            (NotConverted::NoData, Lang::En) => format!("`{table}` is created empty (WITH NO DATA): karte builds tables from their query; drop `WITH NO DATA`, or let the INSERT that fills it become the model"),
            (NotConverted::NoData, Lang::Ja) => format!("`{table}` を空で作っています (WITH NO DATA)。karte はクエリからテーブルを作ります。`WITH NO DATA` を外すか、中身を入れる INSERT をモデルにしてください"),
            (NotConverted::EmptyTable, Lang::En) => format!("`{table}` is created empty and no script fills it: karte builds tables from a query"),
            (NotConverted::EmptyTable, Lang::Ja) => format!("`{table}` は空で作られ、中身を入れるスクリプトがありません。karte はクエリからテーブルを作ります"),
            (NotConverted::DropOnly, Lang::En) => format!("`{table}` is dropped and no script creates it again: karte does not delete tables; drop it by hand if it must go"),
            (NotConverted::DropOnly, Lang::Ja) => format!("`{table}` を消していますが、作り直すスクリプトがありません。karte はテーブルを消しません。消す必要があれば手で消してください"),
            (NotConverted::SecondInsert, Lang::En) => format!("another INSERT INTO `{table}` was converted already: put both queries into its model with UNION ALL"),
            (NotConverted::SecondInsert, Lang::Ja) => format!("`{table}` への別の INSERT がすでにモデルになっています。2 つのクエリを UNION ALL でそのモデルにまとめてください"),
            (NotConverted::InsertIntoNonTable, Lang::En) => format!("`{table}` is an external table or a view in the scripts: karte writes only the tables of its models"),
            (NotConverted::InsertIntoNonTable, Lang::Ja) => format!("`{table}` はスクリプトでは外部テーブルかビューです。karte が書き込むのは自分のモデルのテーブルだけです"),
            (NotConverted::CreatedTwice, Lang::En) => format!("`{table}` was created by an earlier statement already (the first one became its model): compare the two queries and keep one"),
            (NotConverted::CreatedTwice, Lang::Ja) => format!("`{table}` はもっと前の文でも作られています (最初のものをモデルにしました)。2 つのクエリを見比べて 1 つにしてください"),
            (NotConverted::Other(w), Lang::En) => format!("karte has no equivalent of {w}"),
            (NotConverted::Other(w), Lang::Ja) => format!("karte には {w} に当たるものがありません"),
        }
    }
}

/// Headline of the warning for a statement not converted.
pub fn not_converted(lang: Lang, what: &str) -> String {
    match lang {
        Lang::En => format!("not converted: {what}"),
        Lang::Ja => format!("変換していません: {what}"),
    }
}

/// Help of the warning for a statement not converted.
pub fn not_converted_help(lang: Lang, report: &str) -> String {
    match lang {
        Lang::En => format!("it is listed in {report}; do it by hand or leave it out"),
        Lang::Ja => format!("{report} に載せました。手で移すか、不要なら外してください"),
    }
}

/// W971: the query did not parse.
pub fn query_not_parsed(lang: Lang, message: &str) -> String {
    match lang {
        Lang::En => format!("the query could not be parsed ({message}); it was converted, and its tables were found by a scan of the words after FROM and JOIN"),
        Lang::Ja => format!("クエリを解析できませんでした ({message})。変換はしましたが、読むテーブルは FROM と JOIN の後ろの名前から探しました"),
    }
}

/// Help of W971.
pub fn query_not_parsed_help(lang: Lang) -> &'static str {
    lang.pick(
        "check the model after the import: `karte compile` shows what it reads",
        "取り込み後にモデルを確かめてください。`karte compile` で何を読むかわかります",
    )
}

/// W972: a script reads a table a later script creates.
pub fn order_changed(lang: Lang, table: &str, later: &str) -> String {
    match lang {
        Lang::En => format!("reads `{table}`, which a later statement creates ({later}): karte builds `{table}` first"),
        Lang::Ja => format!("`{table}` を読んでいますが、それを作るのはもっと後の文です ({later})。karte では `{table}` を先に作ります"),
    }
}

/// Help of W972.
pub fn order_changed_help(lang: Lang) -> &'static str {
    lang.pick(
        "in the old order this read the previous run's table; check that reading the new one is what you want",
        "元の順番では前回のテーブルを読んでいました。新しいテーブルを読んでよいか確かめてください",
    )
}

/// W973: a property kept differently or left out.
pub fn property_changed(lang: Lang, key: &str, why: &str) -> String {
    match lang {
        Lang::En => format!("property `{key}`: {why}"),
        Lang::Ja => format!("設定 `{key}`: {why}"),
    }
}

/// Why an external_location was not kept.
pub fn location_outside(lang: Lang, location: &str, root: &str) -> String {
    match lang {
        Lang::En => format!("`{location}` is outside the lake root `{root}`, where karte writes: the table goes to karte's own place there"),
        Lang::Ja => format!("`{location}` は karte が書き込む場所 (lake_root `{root}`) の外です。テーブルは lake_root の下の karte の決まった場所に作ります"),
    }
}

/// Why a property value is not karte's.
pub fn value_not_supported(lang: Lang, value: &str) -> String {
    match lang {
        Lang::En => format!("karte does not support the value `{value}`; karte's default is used"),
        Lang::Ja => {
            format!("karte は値 `{value}` に対応していません。karte の決まりの値を使います")
        }
    }
}

/// W974: a table read but not created by any script.
pub fn unknown_table(lang: Lang, table: &str, source: &str) -> String {
    match lang {
        Lang::En => format!("`{table}` is read but no script creates it: declared as a table of source `{source}`"),
        Lang::Ja => format!("`{table}` を読んでいますが、作るスクリプトがありません。ソース `{source}` のテーブルとして登録しました"),
    }
}

/// Help of W974.
pub fn unknown_table_help(lang: Lang) -> &'static str {
    lang.pick(
        "add its columns to the source in the written .yml, so column lineage goes on",
        "書き出した .yml のソースに列を書き足すと、列の系譜 (lineage) がつながります",
    )
}

/// E971: a model name clash.
pub fn name_clash(lang: Lang, name: &str, where_: &str) -> String {
    match lang {
        Lang::En => format!("`{name}` would be written, but {where_} already exists"),
        Lang::Ja => format!("`{name}` を書き出そうとしましたが、{where_} がすでにあります"),
    }
}

/// Help of E971.
pub fn name_clash_help(lang: Lang) -> &'static str {
    lang.pick(
        "import into a new directory (--out), or rename or remove what is there first",
        "新しいディレクトリに取り込むか (--out)、先にあるものの名前を変えるか消してください",
    )
}

/// E972: the layer is not in the existing project.
pub fn unknown_layer(lang: Lang, layer: &str, known: &str) -> String {
    match lang {
        Lang::En => format!("the project has no layer `{layer}` (its layers: {known})"),
        Lang::Ja => {
            format!("このプロジェクトにはレイヤー `{layer}` がありません (あるのは {known})")
        }
    }
}

/// Help for an unknown layer.
pub fn unknown_layer_help(lang: Lang, layer: &str) -> String {
    match lang {
        Lang::En => format!("add `{layer}: {layer}` under `layers:` in karte.yml, or choose one of its layers"),
        Lang::Ja => format!("karte.yml の `layers:` に `{layer}: {layer}` を書き足すか、あるレイヤーを選んでください"),
    }
}

/// E972: no scripts found.
pub fn no_scripts(lang: Lang, path: &str) -> String {
    match lang {
        Lang::En => format!("no .sql file in `{path}`"),
        Lang::Ja => format!("`{path}` に .sql ファイルがありません"),
    }
}

/// E972: a path that does not exist.
pub fn no_such_path(lang: Lang, path: &str) -> String {
    match lang {
        Lang::En => format!("`{path}` does not exist"),
        Lang::Ja => format!("`{path}` がありません"),
    }
}

/// E972: the output directory holds something that is not a karte project.
pub fn out_not_project(lang: Lang, path: &str) -> String {
    match lang {
        Lang::En => format!("`{path}` is not empty and holds no karte.yml"),
        Lang::Ja => format!("`{path}` は空ではなく、karte.yml もありません"),
    }
}

/// Help for an output directory that is not a project.
pub fn out_not_project_help(lang: Lang) -> &'static str {
    lang.pick(
        "give a new directory, or an existing karte project, with --out",
        "--out には新しいディレクトリか、今ある karte プロジェクトを指定してください",
    )
}

/// The summary line printed at the end.
pub fn summary(
    lang: Lang,
    scripts: usize,
    statements: usize,
    models: usize,
    sources: usize,
    not_converted: usize,
    report: &str,
) -> String {
    match lang {
        Lang::En => format!(
            "read {scripts} script{} ({statements} statement{}): {models} model{}, {sources} source table{}, {not_converted} not converted — see {report}",
            s(scripts), s(statements), s(models), s(sources)
        ),
        Lang::Ja => format!(
            "{scripts} 個のスクリプト ({statements} 文) を読みました: モデル {models} 個、ソースのテーブル {sources} 個、変換していないもの {not_converted} 件 — {report} を見てください"
        ),
    }
}

/// What to run next.
pub fn next_steps(lang: Lang, dir: &str) -> String {
    match lang {
        Lang::En => format!("next: karte compile --project-dir {dir} && karte plan --project-dir {dir} --target athena"),
        Lang::Ja => format!("次に: karte compile --project-dir {dir} && karte plan --project-dir {dir} --target athena"),
    }
}

fn s(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
