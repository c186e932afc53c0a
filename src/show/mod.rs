//! `karte show`: the rows of one model (or seed, snapshot, source), or of an ad-hoc query,
//! from the local lake, for the person who asked, on their own machine. What the model needs
//! that is not built locally yet is built first ([`missing`]); what exists is not rebuilt
//! unless asked. The rows are printed ([`table`]) and nowhere else: not in
//! `target/run_results.json`, the run journal or any log.

pub mod table;

use crate::diag::{suggest, Code, Diagnostic};
use crate::graph::Compiled;
use crate::project::NodeKind;
use crate::scaffold::Lang;

/// What is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A model, seed or snapshot (project node index).
    Node(usize),
    /// A source or ingest table (index into `Project::sources`).
    Source(usize),
}

/// The rows of a query.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Column names and Athena types.
    pub columns: Vec<crate::plan::catalog::ColumnState>,
    /// Values as text (`None`: NULL).
    pub rows: Vec<Vec<Option<String>>>,
    /// More rows exist than were asked for (`--limit`).
    pub more: bool,
}

/// Find what `name` names: `monthly_visits`, `gold.monthly_visits`, `raw.visits`. E308 with
/// the nearest name otherwise.
pub fn find(c: &Compiled, name: &str, lang: Lang) -> Result<Subject, Diagnostic> {
    let wanted = name.trim().to_lowercase();
    let buildable = |i: usize| {
        let n = &c.project.nodes[i];
        n.kind.is_relation() && c.graph.index.contains_key(&i)
    };
    let nodes: Vec<usize> = (0..c.project.nodes.len())
        .filter(|&i| buildable(i))
        .collect();
    for &i in &nodes {
        let n = &c.project.nodes[i];
        let qualified = [
            format!("{}.{}", n.layer, n.name).to_lowercase(),
            format!("{}.{}", c.target.schema(&n.schema), n.name).to_lowercase(),
        ];
        if n.name.to_lowercase() == wanted || qualified.contains(&wanted) {
            return Ok(Subject::Node(i));
        }
    }
    for (i, s) in c.project.sources.iter().enumerate() {
        let qualified = [
            format!("{}.{}", s.source, s.name).to_lowercase(),
            format!("{}.{}", s.schema, s.identifier).to_lowercase(),
        ];
        if qualified.contains(&wanted) {
            return Ok(Subject::Source(i));
        }
    }
    let mut names: Vec<String> = nodes
        .iter()
        .flat_map(|&i| {
            let n = &c.project.nodes[i];
            [n.name.clone(), format!("{}.{}", n.layer, n.name)]
        })
        .chain(
            c.project
                .sources
                .iter()
                .map(|s| format!("{}.{}", s.source, s.name)),
        )
        .collect();
    names.sort();
    Err(
        Diagnostic::error(Code::ShowFailed, messages::not_found(lang, name))
            .maybe_help(
                suggest(name, names.iter().map(String::as_str))
                    .map(|s| messages::did_you_mean(lang, &s)),
            )
            .note(messages::list_hint(lang)),
    )
}

/// The nodes to build before `subject` can be shown, in dependency order: every model, seed
/// and snapshot it reads (directly or through others) whose relation does not exist yet
/// (`exists` answers for a fully-qualified relation), itself if it does not exist, and itself
/// anyway with `rebuild`. What exists is left as it is.
pub fn missing(
    c: &Compiled,
    subject: Subject,
    exists: &dyn Fn(&str) -> bool,
    rebuild: bool,
) -> Vec<usize> {
    let Subject::Node(start) = subject else {
        return Vec::new();
    };
    let mut needed = std::collections::BTreeSet::new();
    let mut stack = vec![start];
    while let Some(i) = stack.pop() {
        if needed.insert(i) {
            stack.extend(c.graph.parents(i));
        }
    }
    let built = |i: usize| {
        let n = &c.project.nodes[i];
        match n.kind {
            NodeKind::Seed => true,
            NodeKind::Model | NodeKind::Snapshot => c
                .model(i)
                .is_some_and(|m| m.config.materialized() != "ephemeral"),
            _ => false,
        }
    };
    c.graph
        .order
        .iter()
        .copied()
        .filter(|i| needed.contains(i) && built(*i))
        .filter(|&i| (rebuild && i == start) || !exists(&c.relation(i)))
        .collect()
}

/// The query (Athena SQL) whose rows `show` prints for `subject`, with `--where`.
pub fn query(c: &Compiled, subject: Subject, condition: Option<&str>) -> String {
    let from = match subject {
        Subject::Source(s) => crate::sql::source_fqn(&c.project.sources[s], &c.target),
        Subject::Node(i) => match c.model(i) {
            // An ephemeral model has no table: its query, with what it inlines.
            Some(m) if m.config.materialized() == "ephemeral" => format!(
                "(\n{}\n) as karte_show",
                crate::sql::strip_trailing_semicolon(&m.compiled_sql)
            ),
            _ => c.relation(i),
        },
    };
    with_condition(format!("select * from {from}"), condition)
}

/// `--sql`: the user's query as written, with `--where` over its rows.
pub fn adhoc(sql: &str, condition: Option<&str>) -> String {
    let sql = crate::sql::strip_trailing_semicolon(sql);
    match condition {
        None => sql,
        Some(_) => with_condition(
            format!("select * from (\n{sql}\n) as karte_show"),
            condition,
        ),
    }
}

fn with_condition(select: String, condition: Option<&str>) -> String {
    match condition.map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => format!("{select}\nwhere ({w})"),
        None => select,
    }
}

/// The messages of `karte show` (one function per message, for the message catalogue).
pub mod messages {
    use super::Lang;

    /// Nothing has this name.
    pub fn not_found(lang: Lang, name: &str) -> String {
        match lang {
            Lang::En => format!("no model, seed, snapshot or source is named `{name}`"),
            Lang::Ja => {
                format!("`{name}` という名前のモデル・seed・スナップショット・ソースはありません")
            }
        }
    }

    /// The nearest name.
    pub fn did_you_mean(lang: Lang, name: &str) -> String {
        match lang {
            Lang::En => format!("did you mean `{name}`?"),
            Lang::Ja => format!("`{name}` のことですか?"),
        }
    }

    /// Where to find names.
    pub fn list_hint(lang: Lang) -> String {
        lang.pick(
            "`karte ls` lists the project's models, seeds and snapshots",
            "`karte ls` でプロジェクトのモデル・seed・スナップショットの一覧が見られます",
        )
        .to_string()
    }

    /// The target is not local.
    pub fn not_local(lang: Lang, target: &str) -> String {
        match lang {
            Lang::En => format!("`karte show` reads the local lake only; target `{target}` is not a local target"),
            Lang::Ja => format!("`karte show` はこのパソコンの中のデータ (local) だけを読みます。ターゲット `{target}` は local ではありません"),
        }
    }

    /// Help for [`not_local`].
    pub fn not_local_help(lang: Lang) -> String {
        lang.pick(
            "leave out --target, or name a target of `type: local`",
            "--target を付けないか、`type: local` のターゲットを指定してください",
        )
        .to_string()
    }

    /// What is built first.
    pub fn building(lang: Lang, what: &str, names: &str) -> String {
        match lang {
            Lang::En => format!(
                "building first what `{what}` needs and is not built on this machine yet: {names}"
            ),
            Lang::Ja => format!(
                "`{what}` に必要で、まだこのパソコンで作られていないものを先に作ります: {names}"
            ),
        }
    }

    /// The build before showing failed.
    pub fn build_failed(lang: Lang) -> String {
        lang.pick(
            "not showing rows: the build above did not succeed",
            "上の処理 (ビルド) が成功しなかったので、行は表示しません",
        )
        .to_string()
    }

    /// The query failed.
    pub fn query_failed(lang: Lang, error: &str) -> String {
        match lang {
            Lang::En => format!("the query cannot run on the local lake: {error}"),
            Lang::Ja => format!("このクエリはローカルのデータで実行できません: {error}"),
        }
    }

    /// Help for [`query_failed`].
    pub fn query_failed_help(lang: Lang) -> String {
        lang.pick(
            "write Athena SQL; tables as `schema.table` as they are built locally (`karte ls` lists them); --where takes a condition such as department = '内科'",
            "Athena の SQL で書いてください。テーブルは `スキーマ.テーブル` (`karte ls` で一覧) で指定します。--where には department = '内科' のような条件を書きます",
        )
        .to_string()
    }

    /// Footer: how many rows.
    pub fn count(lang: Lang, shown: usize, more: bool) -> String {
        match (lang, more) {
            (Lang::En, false) => format!("({shown} row{})", if shown == 1 { "" } else { "s" }),
            (Lang::Ja, false) => format!("({shown} 行)"),
            (Lang::En, true) => {
                format!("(first {shown} rows; more exist: --limit N shows more, --limit 0 all)")
            }
            (Lang::Ja, true) => format!(
                "(最初の {shown} 行。続きがあります: --limit N で増やせます、--limit 0 で全部)"
            ),
        }
    }
}
