//! `karte lint`: the mistakes people who write SQL for Athena really make, found on the
//! compiled project (plain SQL and Jinja), each a rule with a code (`L001`…, and `E102` for
//! full-width characters), a one-line message in English and Japanese (`rules.rs`), a place in
//! the file the author wrote, and an automatic fix where it is safe (`--fix`).
//!
//! - `rules.rs`: the rule table (codes, names, messages, help, fixable).
//! - `types.rs`: column types as far as they are known (declared, cast, literals, functions).
//! - `check.rs`: the walk over each model's syntax tree with its scopes (the rules).
//! - this file: which rules apply where (`lint:` in karte.yml, `-- noqa` comments), positions
//!   mapped from the rendered SQL into the template, and fixes applied to the files.
//!
//! Models are checked level by level of the lineage (in parallel within a level), so a model
//! sees the column types its parents' queries produce.

mod check;
pub mod rules;
pub mod types;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::diag::{display_path, Code, Diagnostic, Diagnostics, Location};
use crate::graph::Compiled;
use crate::project::{LintRules, Node, NodeKind, Project};
use crate::sql::Dependency;
pub use rules::{Lang, Rule, RULES};

/// One finding, located in the file the author wrote.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule.
    pub rule: &'static Rule,
    /// The node (index into `Project::nodes`).
    pub node: usize,
    /// Where: in the file written when `exact`, else in the rendered SQL (the file name says so).
    pub location: Location,
    /// The place maps exactly into the file written.
    pub exact: bool,
    /// The SQL text found (language-neutral).
    pub detail: Option<String>,
    /// Edits of the file's text that fix it (empty: no automatic fix here).
    pub fix: Vec<(Range<usize>, String)>,
}

impl Finding {
    /// As a diagnostic (a warning) in `lang`.
    pub fn diagnostic(&self, lang: Lang) -> Diagnostic {
        let mut d = Diagnostic::warning(self.rule.code, self.rule.message(lang))
            .at(self.location.clone())
            .help(self.rule.help(lang));
        if let Some(detail) = &self.detail {
            // not a message: the SQL text found, in backticks
            d = d.label(format!("`{detail}`"));
        }
        if !self.fix.is_empty() {
            d = d.note(crate::t!(lang => "lint-fix-corrects"));
        } else if self.rule.fixable && !self.exact {
            d = d.note(crate::t!(lang => "lint-not-exact"));
        }
        d
    }

    /// As JSON for CI.
    pub fn json(&self, lang: Lang) -> serde_json::Value {
        serde_json::json!({
            "code": self.rule.code.as_str(),
            "rule": self.rule.name,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.col,
            "exact": self.exact,
            "message": self.rule.message(lang),
            "help": self.rule.help(lang),
            "found": self.detail,
            "fixable": !self.fix.is_empty(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Which rules apply where

/// The rules of `lint:` in karte.yml, checked.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    base: Option<HashSet<Code>>,
    ignore: HashSet<Code>,
    /// (folder without `models/`, select, ignore), shallow ones first.
    folders: Vec<(String, Option<HashSet<Code>>, HashSet<Code>)>,
}

impl Settings {
    /// From the project's `lint:`; an unknown rule is an error located in karte.yml.
    pub fn of(project: &Project) -> Result<Settings, Diagnostics> {
        let cfg = &project.config.lint;
        let mut errors = Vec::new();
        let yml = std::fs::read_to_string(project.root.join("karte.yml")).unwrap_or_default();
        let mut codes = |names: &[String]| -> HashSet<Code> {
            let mut out = HashSet::new();
            for n in names {
                match rules::find(n) {
                    Some(r) => {
                        out.insert(r.code);
                    }
                    None => {
                        let loc = match yml.find(n.as_str()) {
                            Some(i) => {
                                Location::from_span(Path::new("karte.yml"), &yml, i..i + n.len())
                            }
                            None => Location::file_only(Path::new("karte.yml")),
                        };
                        let names: Vec<&str> = RULES.iter().map(|r| r.code.as_str()).collect();
                        errors.push(
                            Diagnostic::error(
                                Code::InvalidConfig,
                                crate::t!("e004-lint-no-rule", name = n),
                            )
                            .at(loc)
                            .label(crate::t!("e004-lint-no-rule-label"))
                            .help(crate::t!(
                                "e004-lint-no-rule-help",
                                codes = names.join(", ")
                            )),
                        );
                    }
                }
            }
            out
        };
        let base = cfg.select.as_deref().map(&mut codes);
        let ignore = codes(&cfg.ignore);
        let mut folders: Vec<(String, Option<HashSet<Code>>, HashSet<Code>)> = cfg
            .folders
            .iter()
            .map(|(f, LintRules { select, ignore })| {
                let f = f.trim_matches('/');
                let f = f.strip_prefix("models/").unwrap_or(f).to_string();
                (f, select.as_deref().map(&mut codes), codes(ignore))
            })
            .collect();
        folders.sort_by_key(|(f, _, _)| f.matches('/').count());
        if errors.is_empty() {
            Ok(Settings {
                base,
                ignore,
                folders,
            })
        } else {
            Err(Diagnostics(errors))
        }
    }

    /// The rules that apply to a file (`models/gold/x.sql`).
    pub fn rules_for(&self, path: &Path) -> HashSet<Code> {
        let path = display_path(path);
        let rel = path.strip_prefix("models/").unwrap_or(&path);
        let mut set: HashSet<Code> = match &self.base {
            Some(s) => s.clone(),
            None => RULES.iter().map(|r| r.code).collect(),
        };
        set.retain(|c| !self.ignore.contains(c));
        for (folder, select, ignore) in &self.folders {
            let under = |p: &str| p.starts_with(&format!("{folder}/"));
            if under(rel) || under(&path) {
                if let Some(s) = select {
                    set = s.clone();
                }
                set.retain(|c| !ignore.contains(c));
            }
        }
        set
    }
}

/// `-- noqa` (every rule) or `-- noqa: L001, integer-division` in a comment on `line`.
fn suppressed(line: &str, rule: &Rule) -> bool {
    let lower = line.to_lowercase();
    let Some(at) = lower.find("noqa") else {
        return false;
    };
    let before = &lower[..at];
    if !(before.contains("--") || before.contains("/*") || before.contains("{#")) {
        return false;
    }
    let rest = lower[at + 4..].trim_start();
    let Some(list) = rest.strip_prefix(':') else {
        return true;
    };
    let list = list.split("*/").next().unwrap_or(list);
    let list = list.split("#}").next().unwrap_or(list);
    list.split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .any(|s| s.eq_ignore_ascii_case(rule.code.as_str()) || s.eq_ignore_ascii_case(rule.name))
}

// ---------------------------------------------------------------------------------------------
// The lint

/// Full-width characters (E102) in the files of `nodes`, before anything is compiled (a file
/// with one does not compile): each fixable, located exactly.
pub fn full_width(project: &Project, settings: &Settings) -> Vec<Finding> {
    let rule = rules::rule(Code::FullWidthChar);
    let mut out = Vec::new();
    for (i, node) in project.nodes.iter().enumerate() {
        if node.text.is_empty() || !settings.rules_for(&node.path).contains(&rule.code) {
            continue;
        }
        let found = crate::sql::find_suspicious_chars(&node.text);
        if found.is_empty() {
            continue;
        }
        let index = crate::diag::LineIndex::new(&node.text);
        for c in found {
            let location =
                Location::from_span_indexed(&node.path, &node.text, &index, c.span.clone());
            if suppressed(&location.source_line, rule) {
                continue;
            }
            out.push(Finding {
                rule,
                node: i,
                location,
                exact: true,
                detail: Some(format!(
                    "{} U+{:04X} → {}",
                    c.found, c.found as u32, c.replacement
                )),
                fix: vec![(c.span, c.replacement.to_string())],
            });
        }
    }
    out
}

/// Lint the selected models and snapshots of a compiled project.
pub fn lint(compiled: &Compiled, settings: &Settings) -> Vec<Finding> {
    let project = &compiled.project;
    let mut relations = types::declared(project, &compiled.lineage);
    let selected: HashSet<usize> = compiled.selected.iter().copied().collect();
    let by_node: HashMap<usize, &crate::sql::AnalyzedModel> =
        compiled.models.iter().map(|m| (m.node, m)).collect();
    // Dependency levels (a node's parents in earlier ones); every analysed node once.
    let mut levels: Vec<Vec<usize>> = compiled.lineage.levels.clone();
    let mut seen: HashSet<usize> = levels.iter().flatten().copied().collect();
    let rest: Vec<usize> = compiled
        .graph
        .order
        .iter()
        .copied()
        .filter(|i| seen.insert(*i))
        .collect();
    if !rest.is_empty() {
        levels.push(rest);
    }
    let mut found = Vec::new();
    for level in levels {
        let results: Vec<(usize, Option<types::Columns>, Vec<check::Raw>)> = level
            .par_iter()
            .filter_map(|&i| {
                let node = &project.nodes[i];
                if !matches!(node.kind, NodeKind::Model | NodeKind::Snapshot) {
                    return None;
                }
                let m = by_node.get(&i)?;
                let rules = if selected.contains(&i) {
                    settings.rules_for(&node.path)
                } else {
                    HashSet::new()
                };
                let (out, raws) = check_model(project, m, &relations, node.layer == "gold");
                let raws = raws
                    .into_iter()
                    .filter(|r| rules.contains(&r.code))
                    .collect();
                Some((i, out, raws))
            })
            .collect();
        for (i, out, raws) in results {
            if let Some(out) = out {
                let id = project.node_id(i);
                let entry = relations.entry(id).or_default();
                // What the query says wins; a declared type fills what it does not say.
                let declared = std::mem::take(entry);
                let mut merged = out;
                for (name, ty) in declared.types {
                    let t = merged.types.entry(name).or_insert(ty);
                    if !t.known() {
                        *t = ty;
                    }
                }
                merged.complete |= declared.complete;
                merged.unique = declared.unique;
                *entry = merged;
            }
            if !raws.is_empty() {
                let m = by_node[&i];
                found.extend(locate(&project.nodes[i], i, m, raws));
            }
        }
    }
    found.sort_by(|a, b| {
        (
            &a.location.file,
            a.location.line,
            a.location.col,
            a.rule.code,
        )
            .cmp(&(
                &b.location.file,
                b.location.line,
                b.location.col,
                b.rule.code,
            ))
    });
    found
}

/// One model: its output columns and what the rules found in its rendered SQL.
fn check_model(
    project: &Project,
    m: &crate::sql::AnalyzedModel,
    relations: &types::Relations,
    gold: bool,
) -> (Option<types::Columns>, Vec<check::Raw>) {
    let Some(statements) = crate::sql::parse_statements(&m.rendered_sql) else {
        return (None, Vec::new());
    };
    let Some(sqlparser::ast::Statement::Query(q)) = statements.first() else {
        return (None, Vec::new());
    };
    let mut tables = HashMap::new();
    for r in &m.relations {
        let id = match &r.dep {
            Dependency::Node(i) => project.node_id(*i),
            Dependency::Source(i) => project.source_id(*i),
            // Another project's tables: their column types are not known here.
            Dependency::External(_) | Dependency::Upstream(_) => continue,
        };
        tables.insert(r.span.start, id.clone());
        tables.insert(r.span.start + 1, id);
    }
    let mut c = check::Checker::new(&m.rendered_sql, relations, &tables, gold);
    let out = c.model(q);
    (Some(out.columns), c.found)
}

/// Places and fixes in the file written. A plain SQL file is its rendered SQL; for a template,
/// a span (and its fix) maps when it lies in text the template and the rendered SQL share
/// (a character diff); otherwise the finding names the rendered SQL's line and has no fix.
fn locate(
    node: &Node,
    i: usize,
    m: &crate::sql::AnalyzedModel,
    raws: Vec<check::Raw>,
) -> Vec<Finding> {
    let align = m
        .templated
        .then(|| Alignment::new(&node.text, &m.rendered_sql));
    let mut out = Vec::new();
    for raw in raws {
        let rule = rules::rule(raw.code);
        let (location, exact, fix) = match &align {
            None => (
                Location::from_span(&node.path, &node.text, raw.span.clone()),
                true,
                raw.fix,
            ),
            Some(a) => match a.map(&raw.span) {
                Some((seg, span)) => {
                    let fix: Option<Vec<_>> = raw
                        .fix
                        .iter()
                        .map(|(r, t)| a.map_in(seg, r).map(|r| (r, t.clone())))
                        .collect();
                    (
                        Location::from_span(&node.path, &node.text, span),
                        true,
                        fix.unwrap_or_default(),
                    )
                }
                None => {
                    let index = crate::diag::LineIndex::new(&m.rendered_sql);
                    let (line, col) = index.line_col(&m.rendered_sql, raw.span.start);
                    let mut loc = Location::from_span(&node.path, &m.rendered_sql, raw.span);
                    loc.file = format!(
                        "{} (rendered SQL, line {line} col {col})",
                        display_path(&node.path)
                    );
                    (loc, false, Vec::new())
                }
            },
        };
        if suppressed(&location.source_line, rule) {
            continue;
        }
        out.push(Finding {
            rule,
            node: i,
            location,
            exact,
            detail: raw.detail,
            fix,
        });
    }
    out
}

/// The text a template and its rendered SQL share: (rendered start, template start, length)
/// in bytes, from a character diff.
struct Alignment {
    same: Vec<(usize, usize, usize)>,
}

impl Alignment {
    fn new(template: &str, rendered: &str) -> Self {
        let diff = similar::TextDiff::configure()
            .timeout(std::time::Duration::from_millis(500))
            .diff_chars(template, rendered);
        let offsets = |s: &str| -> Vec<usize> {
            s.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(s.len()))
                .collect()
        };
        let (t, r) = (offsets(template), offsets(rendered));
        let mut same = Vec::new();
        for op in diff.ops() {
            if let similar::DiffOp::Equal {
                old_index,
                new_index,
                len,
            } = *op
            {
                let ts = t[old_index];
                let rs = r[new_index];
                let bytes = r[new_index + len] - rs;
                // Short runs may be chance matches of a character or two.
                if len >= 4 {
                    same.push((rs, ts, bytes));
                }
            }
        }
        Alignment { same }
    }

    /// The shared run holding all of `span` (non-empty), and the span in the template.
    fn map(&self, span: &Range<usize>) -> Option<(usize, Range<usize>)> {
        if span.is_empty() {
            return None;
        }
        let seg = self
            .same
            .iter()
            .position(|&(rs, _, len)| rs <= span.start && span.end <= rs + len)?;
        let (rs, ts, _) = self.same[seg];
        Some((seg, span.start - rs + ts..span.end - rs + ts))
    }

    /// A range (maybe empty) inside run `seg`, in the template.
    fn map_in(&self, seg: usize, r: &Range<usize>) -> Option<Range<usize>> {
        let (rs, ts, len) = self.same[seg];
        (rs <= r.start && r.end <= rs + len).then(|| r.start - rs + ts..r.end - rs + ts)
    }
}

// ---------------------------------------------------------------------------------------------
// Fixes

/// What `--fix` did.
#[derive(Debug, Default, Serialize)]
pub struct Fixed {
    /// Findings fixed.
    pub fixed: usize,
    /// Files written.
    pub files: Vec<String>,
    /// Fixable findings left because another fix touched the same text (run again).
    pub deferred: usize,
}

/// Apply the fixes of `findings` to the files, each file once, edits from the end; a finding
/// whose edits overlap another's waits for the next run. A plain SQL file that parsed before
/// and would not parse after is left as it was. Returns what was fixed and the findings left.
pub fn apply_fixes(
    project: &Project,
    findings: Vec<Finding>,
) -> Result<(Fixed, Vec<Finding>), Diagnostic> {
    let mut by_node: BTreeMap<usize, Vec<Finding>> = BTreeMap::new();
    let mut left = Vec::new();
    for f in findings {
        if f.fix.is_empty() {
            left.push(f);
        } else {
            by_node.entry(f.node).or_default().push(f);
        }
    }
    let mut done = Fixed::default();
    for (i, mut fs) in by_node {
        let node = &project.nodes[i];
        fs.sort_by_key(|f| f.fix.iter().map(|(r, _)| r.start).min());
        let mut taken: Vec<Range<usize>> = Vec::new();
        let mut edits: Vec<(Range<usize>, String)> = Vec::new();
        let mut applied = Vec::new();
        for f in fs {
            let overlaps = f.fix.iter().any(|(r, _)| {
                taken
                    .iter()
                    .any(|t| r.start < t.end.max(t.start + 1) && t.start < r.end.max(r.start + 1))
            });
            if overlaps {
                done.deferred += 1;
                left.push(f);
                continue;
            }
            for (r, t) in &f.fix {
                taken.push(r.clone());
                edits.push((r.clone(), t.clone()));
            }
            applied.push(f);
        }
        // Stable order for edits at one offset: insertions in the order findings came.
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        let mut text = node.text.clone();
        for (r, t) in edits.iter().rev() {
            if r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
            {
                text.replace_range(r.clone(), t);
            }
        }
        if !node.text.contains("{{") && !node.text.contains("{%") {
            let before = crate::sql::analyze_sql(&node.text).parse_error.is_none();
            let after = crate::sql::analyze_sql(&text).parse_error.is_none();
            if before && !after {
                left.extend(applied);
                continue;
            }
        }
        let path = project.root.join(&node.path);
        let bom = std::fs::read(&path)
            .map(|b| b.starts_with(&[0xEF, 0xBB, 0xBF]))
            .unwrap_or(false);
        let bytes = if bom {
            let mut b = vec![0xEF, 0xBB, 0xBF];
            b.extend_from_slice(text.as_bytes());
            b
        } else {
            text.into_bytes()
        };
        std::fs::write(&path, bytes).map_err(|e| {
            Diagnostic::error(
                Code::Io,
                crate::t!(
                    "lint-cannot-write",
                    path = path.display().to_string(),
                    error = e.to_string()
                ),
            )
        })?;
        done.fixed += applied.len();
        done.files.push(display_path(&node.path));
    }
    left.sort_by(|a, b| {
        (&a.location.file, a.location.line, a.location.col).cmp(&(
            &b.location.file,
            b.location.line,
            b.location.col,
        ))
    });
    Ok((done, left))
}
