//! Node selection with dbt's syntax: `name`, `+name`, `name+`, `2+name`, `name+1`, `@name`,
//! `tag:x`, `path:models/gold`, `layer:silver`, `kind:seed`, `config.materialized:table`,
//! `state:modified`, `state:new` (against `--state`, see `crate::state`),
//! `source_status:fresher` (what reads a source that received data since it was last built, see
//! `crate::execute::source_status`), `*` wildcards;
//! space = union, comma = intersection; `--exclude` removes.

use std::collections::{BTreeSet, HashMap, VecDeque};

use globset::{GlobBuilder, GlobMatcher};
use petgraph::Direction;

use super::ModelGraph;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::project::{NodeConfig, Project};

/// One parsed selector atom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    /// `@` given: the node, its descendants and their ancestors.
    pub at: bool,
    /// Ancestors: `None` no, `Some(None)` all, `Some(Some(n))` n levels.
    pub parents: Option<Option<usize>>,
    /// Descendants, like `parents`.
    pub children: Option<Option<usize>>,
    /// Method (`name`, `tag`, `path`, `layer`, `kind`, `config.<key>`).
    pub method: String,
    /// Value to match.
    pub value: String,
}

/// Parse one atom such as `2+tag:claims+`.
pub fn parse_atom(text: &str) -> Result<Atom, Diagnostic> {
    let bad = |why: String| {
        Diagnostic::error(
            Code::InvalidSelector,
            crate::t!("e303-invalid-selector", selector = text, problem = why),
        )
        .help(crate::t!("e303-help"))
    };
    let mut s = text;
    let mut at = false;
    if let Some(rest) = s.strip_prefix('@') {
        at = true;
        s = rest;
    }
    let mut parents = None;
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if let Some(rest) = s[digits.len()..].strip_prefix('+') {
        parents = Some(if digits.is_empty() {
            None
        } else {
            Some(
                digits
                    .parse()
                    .map_err(|_| bad(crate::t!("e303-depth-not-a-number")))?,
            )
        });
        s = rest;
    } else if !digits.is_empty() && s.len() == digits.len() {
        // A name made of digits only: keep it.
    }
    let mut children = None;
    if let Some(plus) = s.rfind('+') {
        let tail = &s[plus + 1..];
        if tail.chars().all(|c| c.is_ascii_digit()) {
            children = Some(if tail.is_empty() {
                None
            } else {
                Some(
                    tail.parse()
                        .map_err(|_| bad(crate::t!("e303-depth-not-a-number")))?,
                )
            });
            s = &s[..plus];
        }
    }
    if at && (parents.is_some() || children.is_some()) {
        return Err(bad(crate::t!("e303-at-and-plus")));
    }
    let (method, value) = match s.split_once(':') {
        Some((m, v)) => (m.to_string(), v.to_string()),
        None => ("name".to_string(), s.to_string()),
    };
    if value.is_empty() {
        return Err(bad(crate::t!("e303-nothing-to-match")));
    }
    let known = matches!(
        method.as_str(),
        "name" | "tag" | "path" | "layer" | "kind" | "resource_type" | "state" | "source_status"
    ) || method.starts_with("config.");
    if !known {
        return Err(bad(crate::t!("e303-unknown-method", method = method)));
    }
    if method == "state" && crate::state::Change::default().matches(&value).is_none() {
        return Err(bad(crate::t!(
            "e303-state-values",
            values = crate::state::STATE_VALUES
        )));
    }
    if method == "source_status" && value != "fresher" {
        return Err(Diagnostic::error(
            Code::SourceStatusUnavailable,
            crate::t!(
                "e303-invalid-selector",
                selector = text,
                problem = crate::t!("e306-takes-fresher")
            ),
        )
        .help(crate::t!("e306-takes-fresher-help")));
    }
    Ok(Atom {
        at,
        parents,
        children,
        method,
        value,
    })
}

/// What a selection needs to know of each node.
pub struct SelectContext<'a> {
    /// The project.
    pub project: &'a Project,
    /// The graph.
    pub graph: &'a ModelGraph,
    /// Final config per node index.
    pub configs: HashMap<usize, &'a NodeConfig>,
    /// Each node against the saved manifest of `--state` (by node index), if one was given.
    pub state: Option<&'a [crate::state::Change]>,
    /// The nodes whose upstream sources received data since their last build (node indexes),
    /// when the catalog and the run journals were read (`source_status:`).
    pub fresher: Option<&'a BTreeSet<usize>>,
}

/// Select nodes; returns them in dependency order, with warnings for atoms that matched nothing.
pub fn select(
    ctx: &SelectContext,
    select: &[String],
    exclude: &[String],
) -> Result<(Vec<usize>, Diagnostics), Diagnostics> {
    let mut warnings = Diagnostics::default();
    let mut errors = Diagnostics::default();
    let mut chosen: BTreeSet<usize> = if select.iter().all(|s| s.trim().is_empty()) {
        ctx.graph.order.iter().copied().collect()
    } else {
        eval(ctx, select, &mut warnings, &mut errors)
    };
    if !exclude.iter().all(|s| s.trim().is_empty()) {
        let ex = eval(ctx, exclude, &mut warnings, &mut errors);
        chosen.retain(|n| !ex.contains(n));
    }
    if errors.has_errors() {
        return Err(errors);
    }
    let order = ctx
        .graph
        .order
        .iter()
        .copied()
        .filter(|n| chosen.contains(n))
        .collect();
    Ok((order, warnings))
}

fn eval(
    ctx: &SelectContext,
    args: &[String],
    warnings: &mut Diagnostics,
    errors: &mut Diagnostics,
) -> BTreeSet<usize> {
    let mut union = BTreeSet::new();
    for term in args.iter().flat_map(|a| a.split_whitespace()) {
        let mut inter: Option<BTreeSet<usize>> = None;
        for atom_text in term.split(',').filter(|s| !s.is_empty()) {
            let atom = match parse_atom(atom_text) {
                Ok(a) => a,
                Err(d) => {
                    errors.push(d);
                    continue;
                }
            };
            let set = match eval_atom(ctx, &atom) {
                Ok(s) => s,
                Err(d) => {
                    errors.push(d);
                    continue;
                }
            };
            // `state:` and `source_status:` select what changed: nothing is a usual answer.
            let by_change = matches!(atom.method.as_str(), "state" | "source_status");
            if set.is_empty() && !by_change {
                warnings.push(
                    Diagnostic::warning(
                        Code::SelectorMatchedNothing,
                        crate::t!("w303-matched-nothing", selector = atom_text),
                    )
                    .maybe_help(name_hint(ctx, &atom)),
                );
            }
            inter = Some(match inter {
                None => set,
                Some(prev) => prev.intersection(&set).copied().collect(),
            });
        }
        union.extend(inter.unwrap_or_default());
    }
    union
}

fn name_hint(ctx: &SelectContext, atom: &Atom) -> Option<String> {
    if atom.method != "name" {
        return None;
    }
    let names = ctx
        .graph
        .order
        .iter()
        .map(|&i| ctx.project.nodes[i].name.as_str());
    crate::diag::suggest(&atom.value, names).map(|s| crate::t!("project-did-you-mean", name = s))
}

fn glob(pattern: &str) -> Result<GlobMatcher, Diagnostic> {
    GlobBuilder::new(pattern)
        .case_insensitive(true)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| {
            Diagnostic::error(
                Code::InvalidSelector,
                crate::t!(
                    "e303-invalid-pattern",
                    pattern = pattern,
                    error = e.to_string()
                ),
            )
        })
}

fn eval_atom(ctx: &SelectContext, atom: &Atom) -> Result<BTreeSet<usize>, Diagnostic> {
    let value = atom.value.as_str();
    let state = match (atom.method.as_str(), ctx.state) {
        ("state", None) => {
            return Err(Diagnostic::error(
                Code::StateInvalid,
                crate::t!("e305-no-state", value = value),
            )
            .help(crate::t!("e305-no-state-help")))
        }
        (_, s) => s,
    };
    if atom.method == "source_status" && ctx.fresher.is_none() {
        return Err(Diagnostic::error(
            Code::SourceStatusUnavailable,
            crate::t!("e306-unavailable", value = value),
        )
        .help(crate::t!("e306-unavailable-help")));
    }
    let matcher = glob(value)?;
    let mut base = BTreeSet::new();
    for &i in &ctx.graph.order {
        let n = &ctx.project.nodes[i];
        let config = ctx.configs.get(&i).copied().unwrap_or(&n.config);
        let hit = match atom.method.as_str() {
            "name" => matcher.is_match(&n.name),
            "tag" => config.tags().iter().any(|t| matcher.is_match(t)),
            "layer" => matcher.is_match(&n.layer),
            "kind" | "resource_type" => n.kind.as_str() == value,
            "state" => state
                .and_then(|s| s.get(i))
                .and_then(|c| c.matches(value))
                .unwrap_or(false),
            "source_status" => ctx.fresher.is_some_and(|f| f.contains(&i)),
            "path" => {
                let p = n.path.to_string_lossy();
                let v = value.trim_end_matches('/');
                p == v || p.starts_with(&format!("{v}/")) || matcher.is_match(p.as_ref())
            }
            m => {
                let key = m.trim_start_matches("config.");
                match config.0.get(key) {
                    Some(serde_json::Value::String(s)) => matcher.is_match(s),
                    Some(serde_json::Value::Array(a)) => a
                        .iter()
                        .any(|v| v.as_str().is_some_and(|s| matcher.is_match(s))),
                    Some(other) => *other == value,
                    None => false,
                }
            }
        };
        if hit {
            base.insert(i);
        }
    }
    let mut out = base.clone();
    if atom.at {
        let down = walk(ctx.graph, &base, Direction::Outgoing, None);
        out.extend(walk(ctx.graph, &down, Direction::Incoming, None));
        out.extend(down);
    }
    if let Some(depth) = atom.parents {
        out.extend(walk(ctx.graph, &base, Direction::Incoming, depth));
    }
    if let Some(depth) = atom.children {
        out.extend(walk(ctx.graph, &base, Direction::Outgoing, depth));
    }
    Ok(out)
}

/// Nodes reachable from `start` in `dir`, up to `depth` edges (all if None), including start.
fn walk(
    graph: &ModelGraph,
    start: &BTreeSet<usize>,
    dir: Direction,
    depth: Option<usize>,
) -> BTreeSet<usize> {
    let mut seen: BTreeSet<usize> = start.clone();
    let mut queue: VecDeque<(usize, usize)> = start.iter().map(|&n| (n, 0)).collect();
    while let Some((n, d)) = queue.pop_front() {
        if depth.is_some_and(|max| d >= max) {
            continue;
        }
        let next = match dir {
            Direction::Incoming => graph.parents(n),
            Direction::Outgoing => graph.children(n),
        };
        for m in next {
            if seen.insert(m) {
                queue.push_back((m, d + 1));
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_graph_operators() {
        let a = parse_atom("2+tag:claims+1").unwrap();
        assert_eq!(a.parents, Some(Some(2)));
        assert_eq!(a.children, Some(Some(1)));
        assert_eq!((a.method.as_str(), a.value.as_str()), ("tag", "claims"));
        let b = parse_atom("+receipts").unwrap();
        assert_eq!(b.parents, Some(None));
        assert_eq!(b.children, None);
        assert!(parse_atom("@receipts").unwrap().at);
        assert!(parse_atom("colour:red").is_err());
        assert!(parse_atom("tag:").is_err());
        let s = parse_atom("state:modified.body+").unwrap();
        assert_eq!(
            (s.method.as_str(), s.value.as_str()),
            ("state", "modified.body")
        );
        assert_eq!(s.children, Some(None));
        assert!(parse_atom("state:changed").is_err());
        let f = parse_atom("source_status:fresher+").unwrap();
        assert_eq!(f.method, "source_status");
        assert_eq!(f.children, Some(None));
        assert!(parse_atom("source_status:stale").is_err());
    }
}
