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
/// anyway with `rebuild`; also every one whose file was `edited` since its last build, and
/// what reads it on the way to `subject`. What exists and is current is left as it is.
pub fn missing(
    c: &Compiled,
    subject: Subject,
    exists: &dyn Fn(&str) -> bool,
    edited: &dyn Fn(usize) -> bool,
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
    // Edited, or reading (on the way to `subject`) something edited: stale.
    let mut stale = std::collections::BTreeSet::new();
    for &i in &c.graph.order {
        if needed.contains(&i)
            && (edited(i) || c.graph.parents(i).into_iter().any(|p| stale.contains(&p)))
        {
            stale.insert(i);
        }
    }
    c.graph
        .order
        .iter()
        .copied()
        .filter(|i| needed.contains(i) && built(*i))
        .filter(|&i| (rebuild && i == start) || stale.contains(&i) || !exists(&c.relation(i)))
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

/// The messages of `karte show` (catalogue: `src/i18n/*/show.ftl`).
pub mod messages {
    use super::Lang;

    /// Nothing has this name.
    pub fn not_found(lang: Lang, name: &str) -> String {
        crate::t!(lang => "show-not-found", name = name)
    }

    /// The nearest name.
    pub fn did_you_mean(lang: Lang, name: &str) -> String {
        crate::t!(lang => "show-did-you-mean", name = name)
    }

    /// Where to find names.
    pub fn list_hint(lang: Lang) -> String {
        crate::t!(lang => "show-list-hint")
    }

    /// The target is not local.
    pub fn not_local(lang: Lang, target: &str) -> String {
        crate::t!(lang => "show-not-local", target = target)
    }

    /// Help for [`not_local`].
    pub fn not_local_help(lang: Lang) -> String {
        crate::t!(lang => "show-not-local-help")
    }

    /// What is built first.
    pub fn building(lang: Lang, what: &str, names: &str) -> String {
        crate::t!(lang => "show-building", what = what, names = names)
    }

    /// The build before showing failed.
    pub fn build_failed(lang: Lang) -> String {
        crate::t!(lang => "show-build-failed")
    }

    /// The query failed.
    pub fn query_failed(lang: Lang, error: &str) -> String {
        crate::t!(lang => "show-query-failed", error = error)
    }

    /// Help for [`query_failed`].
    pub fn query_failed_help(lang: Lang) -> String {
        crate::t!(lang => "show-query-failed-help")
    }

    /// Footer: how many rows.
    pub fn count(lang: Lang, shown: usize, more: bool) -> String {
        if more {
            crate::t!(lang => "show-count-more", count = shown)
        } else {
            crate::t!(lang => "show-count", count = shown)
        }
    }
}
