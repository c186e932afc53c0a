//! What `karte docs` prints, in English and Japanese: one function per message, so that the
//! shared message catalogue (issue 18) can take them over one by one.

pub use crate::lint::rules::Lang;

/// `ja` or `en`, as the site's script names languages.
pub fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Ja => "ja",
    }
}

/// E960.
pub fn cannot_write(lang: Lang, path: &str, e: &std::io::Error) -> String {
    match lang {
        Lang::En => format!("cannot write the docs site's file `{path}`: {e}"),
        Lang::Ja => format!("ドキュメントサイトのファイル `{path}` を書き込めません: {e}"),
    }
}

/// E960's help.
pub fn cannot_write_help(lang: Lang) -> String {
    lang.pick(
        "check that target/ is writable and that the disk is not full",
        "target/ に書き込めるか、ディスクがいっぱいでないかを確かめてください",
    )
    .to_string()
}

/// E961.
pub fn no_site(lang: Lang, dir: &str) -> String {
    match lang {
        Lang::En => format!("there is no docs site in `{dir}` to serve"),
        Lang::Ja => format!("`{dir}` にドキュメントサイトがありません"),
    }
}

/// E961's help.
pub fn no_site_help(lang: Lang) -> String {
    lang.pick(
        "write it first: `karte docs generate`",
        "先に `karte docs generate` でサイトを作ってください",
    )
    .to_string()
}

/// E962.
pub fn cannot_listen(lang: Lang, addr: &str, e: &std::io::Error) -> String {
    match lang {
        Lang::En => format!("cannot serve on {addr}: {e}"),
        Lang::Ja => format!("{addr} でサイトを公開できません: {e}"),
    }
}

/// E962's help.
pub fn cannot_listen_help(lang: Lang) -> String {
    lang.pick(
        "another program may be using this port: choose another with `--port`, e.g. `--port 8081`",
        "このポートは別のプログラムが使っているかもしれません。`--port 8081` のように別のポートを指定してください",
    )
    .to_string()
}

/// E963.
pub fn not_loopback(lang: Lang, host: &str) -> String {
    match lang {
        Lang::En => {
            format!("`--host {host}` is not an address of this machine only (127.0.0.1, ::1)")
        }
        Lang::Ja => {
            format!("`--host {host}` はこのマシンだけのアドレス (127.0.0.1、::1) ではありません")
        }
    }
}

/// E963's help.
pub fn not_loopback_help(lang: Lang) -> String {
    lang.pick(
        "`karte docs serve` is for reading the site on this machine; to share it, copy target/docs to a static web host (e.g. an S3 bucket behind your organisation's access control)",
        "`karte docs serve` はこのマシンで見るためのものです。ほかの人と共有するときは target/docs を静的ウェブホスティング (組織のアクセス制御のある S3 バケットなど) にコピーしてください",
    )
    .to_string()
}

/// W960.
pub fn graph_too_large(lang: Lang, n: usize, limit: usize) -> String {
    match lang {
        Lang::En => format!(
            "the project graph would have {n} tables (more than {limit}): it is not drawn; each page still shows its table's neighbourhood"
        ),
        Lang::Ja => format!(
            "プロジェクト全体の系譜図は {n} 個のテーブルになるため ({limit} 個を超えるため) 描きません。各テーブルのページには周辺の系譜図があります"
        ),
    }
}

/// W960's help.
pub fn graph_too_large_help(lang: Lang) -> String {
    lang.pick(
        "draw a part with `--select`, e.g. `karte docs generate --select +gold.pmpm` or `--select layer:gold`, or raise `--graph-limit`",
        "`karte docs generate --select +gold.pmpm` や `--select layer:gold` のように `--select` で一部を描くか、`--graph-limit` を上げてください",
    )
    .to_string()
}

/// W961 (a graph).
pub fn layout_failed(lang: Lang, n: usize) -> String {
    match lang {
        Lang::En => format!("{n} lineage graph(s) could not be laid out; their pages show the lists of parents and children only"),
        Lang::Ja => format!("{n} 個の系譜図をレイアウトできませんでした。そのページには上流・下流の一覧だけを表示します"),
    }
}

/// W961 (run results).
pub fn run_results_unreadable(lang: Lang, path: &str, why: &str) -> String {
    match lang {
        Lang::En => format!(
            "`{path}` cannot be read ({why}): the tests are shown without their last results"
        ),
        Lang::Ja => format!("`{path}` を読めません ({why})。テストは前回の結果なしで表示します"),
    }
}

/// What `generate` prints when done.
pub fn generated(
    lang: Lang,
    counts: &std::collections::BTreeMap<&'static str, usize>,
    dir: &str,
    seconds: f64,
) -> String {
    let n = |k: &str| counts.get(k).copied().unwrap_or(0);
    match lang {
        Lang::En => format!(
            "wrote the docs of {} models, {} seeds, {} snapshots, {} sources and {} ingest tables to {dir} in {seconds:.2}s\nopen {dir}/index.html in a browser, or run `karte docs serve`",
            n("model"), n("seed"), n("snapshot"), n("source"), n("ingest")
        ),
        Lang::Ja => format!(
            "モデル {} 個、シード {} 個、スナップショット {} 個、ソース {} 個、取り込みテーブル {} 個のドキュメントを {dir} に書きました ({seconds:.2} 秒)\nブラウザで {dir}/index.html を開くか、`karte docs serve` を実行してください",
            n("model"), n("seed"), n("snapshot"), n("source"), n("ingest")
        ),
    }
}

/// What `serve` prints when it listens.
pub fn serving(lang: Lang, dir: &str, url: &str) -> String {
    match lang {
        Lang::En => format!("serving {dir} at {url} (Ctrl-C to stop)"),
        Lang::Ja => format!("{dir} を {url} で公開しています (Ctrl-C で止まります)"),
    }
}
