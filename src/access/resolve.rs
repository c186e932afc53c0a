//! `access:` rules → per role, per table: readable or not, and the columns left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::diag::{suggest, Code, Diagnostic, Diagnostics, Location};
use crate::graph::Compiled;
use crate::project::{AccessRule, AccessSelector, NodeKind, PROJECT_FILE};

/// What every role may read.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Role name → its tables.
    pub roles: BTreeMap<String, RoleAccess>,
    /// The tables access rules govern: project node index → `layer.name`, for every model,
    /// seed and snapshot that is a table or view (ephemeral models and tests are not).
    pub governed: BTreeMap<usize, String>,
}

/// One role's reads.
#[derive(Debug, Clone, Default)]
pub struct RoleAccess {
    /// The Lake Formation principal.
    pub principal: String,
    /// What the role is for.
    pub description: Option<String>,
    /// Node index → what the role may read of it (tables not listed: nothing).
    pub tables: BTreeMap<usize, TableAccess>,
    /// Every read rule of the role, as written.
    pub rules: Vec<String>,
}

/// What a role may read of one table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableAccess {
    /// Columns left out, with their classes (empty: every column).
    pub excluded: BTreeMap<String, BTreeSet<String>>,
    /// The rules that select the table, as written (`read[1]: layer silver except
    /// quasi_identifier`).
    pub rules: Vec<String>,
}

/// The answer of `karte access --check`.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// May the role read the table?
    pub allowed: bool,
    /// Why, in one line per rule (or why not).
    pub reasons: Vec<String>,
}

/// A rule once checked.
struct Rule {
    text: String,
    matches: Box<dyn Fn(usize) -> bool>,
    except: BTreeSet<String>,
}

/// Resolve `access:` against the compiled project. Every problem found is reported (E701),
/// located in karte.yml.
pub fn resolve(c: &Compiled) -> Result<Access, Diagnostics> {
    let mut access = Access {
        governed: governed(c),
        ..Access::default()
    };
    let roles = &c.project.config.access;
    if roles.is_empty() {
        return Ok(access);
    }
    let text = std::fs::read_to_string(c.project.root.join(PROJECT_FILE)).unwrap_or_default();
    let classes = super::column_classes(c);
    let known_classes: BTreeSet<String> = classes
        .values()
        .flatten()
        .flat_map(|(_, cl)| cl.iter().cloned())
        .collect();
    let mut diags = Diagnostics::default();
    for (name, role) in roles {
        let here = |needle: &str| locate(&text, name, needle);
        if let Some(problem) = principal_problem(&role.principal) {
            diags.push(
                error(crate::t!("e701-principal", role = name, problem = problem))
                    .at(here(&role.principal))
                    .help(crate::t!("e701-principal-help")),
            );
        }
        let mut rules = Vec::new();
        for (k, rule) in role.read.iter().enumerate() {
            match check_rule(c, &access, &known_classes, k, rule) {
                Ok(r) => rules.push(r),
                Err((message, needle, help)) => diags.push(
                    error(crate::t!(
                        "e701-read-rule",
                        role = name,
                        number = k + 1,
                        message = message
                    ))
                    .at(here(&needle))
                    .maybe_help(help),
                ),
            }
        }
        let mut tables: BTreeMap<usize, TableAccess> = BTreeMap::new();
        for &i in access.governed.keys() {
            let id = c.project.node_id(i);
            let cols = classes.get(&id).cloned().unwrap_or_default();
            let mut excluded: Option<BTreeMap<String, BTreeSet<String>>> = None;
            let mut texts = Vec::new();
            for r in rules.iter().filter(|r| (r.matches)(i)) {
                let out: BTreeMap<String, BTreeSet<String>> = cols
                    .iter()
                    .filter(|(_, cl)| !cl.is_disjoint(&r.except))
                    .map(|(col, cl)| (col.clone(), cl.clone()))
                    .collect();
                // A column is left out only if every rule selecting the table leaves it out.
                excluded = Some(match excluded {
                    None => out,
                    Some(prev) => prev
                        .into_iter()
                        .filter(|(k, _)| out.contains_key(k))
                        .collect(),
                });
                texts.push(r.text.clone());
            }
            if let Some(excluded) = excluded {
                tables.insert(
                    i,
                    TableAccess {
                        excluded,
                        rules: texts,
                    },
                );
            }
        }
        access.roles.insert(
            name.clone(),
            RoleAccess {
                principal: role.principal.clone(),
                description: role.description.clone(),
                tables,
                rules: rules.iter().map(|r| r.text.clone()).collect(),
            },
        );
    }
    if diags.has_errors() {
        diags.sort();
        Err(diags)
    } else {
        Ok(access)
    }
}

impl Access {
    /// The governed node a name means: `layer.name`, `schema.name` or a bare name.
    pub fn find_table(&self, c: &Compiled, name: &str) -> Result<usize, Diagnostic> {
        let lower = name.to_lowercase();
        let found = self.governed.iter().find(|(&i, logical)| {
            let n = &c.project.nodes[i];
            **logical == lower
                || format!("{}.{}", n.schema, n.name).to_lowercase() == lower
                || format!("{}.{}", c.target.schema(&n.schema), n.name).to_lowercase() == lower
                || n.name.to_lowercase() == lower
        });
        match found {
            Some((&i, _)) => Ok(i),
            None => Err(Diagnostic::error(
                Code::InvalidArgument,
                crate::t!("e006-access-no-table", name = name),
            )
            .maybe_help(
                suggest(&lower, self.governed.values().map(String::as_str))
                    .map(|s| crate::t!("project-did-you-mean", name = s)),
            )
            .note(crate::t!("e006-access-no-table-note"))),
        }
    }

    /// May `role` read node `i`, and by which rules?
    pub fn decide(&self, role: &str, i: usize) -> Option<Decision> {
        let r = self.roles.get(role)?;
        Some(match r.tables.get(&i) {
            Some(t) => {
                let mut reasons: Vec<String> = t
                    .rules
                    .iter()
                    .map(|r| crate::t!("access-allowed-by", rule = r))
                    .collect();
                if !t.excluded.is_empty() {
                    reasons.push(crate::t!(
                        "access-columns-left-out",
                        columns = super::text::excluded_list(&t.excluded)
                    ));
                }
                Decision {
                    allowed: true,
                    reasons,
                }
            }
            None if r.rules.is_empty() => Decision {
                allowed: false,
                reasons: vec![crate::t!("access-no-read-rules", role = role)],
            },
            None => Decision {
                allowed: false,
                reasons: std::iter::once(crate::t!("access-no-rule-selects", role = role))
                    .chain(r.rules.iter().map(|t| format!("  {t}")))
                    .collect(),
            },
        })
    }
}

/// Models, seeds and snapshots that are tables or views: node index → `layer.name`.
fn governed(c: &Compiled) -> BTreeMap<usize, String> {
    let configs: BTreeMap<usize, &crate::project::NodeConfig> =
        c.models.iter().map(|m| (m.node, &m.config)).collect();
    c.project
        .nodes
        .iter()
        .enumerate()
        .filter(|(i, n)| {
            n.kind != NodeKind::Test
                && configs.get(i).copied().unwrap_or(&n.config).materialized() != "ephemeral"
        })
        .map(|(i, n)| (i, format!("{}.{}", n.layer, n.name).to_lowercase()))
        .collect()
}

fn node_config(c: &Compiled, i: usize) -> &crate::project::NodeConfig {
    c.model(i)
        .map(|m| &m.config)
        .unwrap_or(&c.project.nodes[i].config)
}

type RuleError = (String, String, Option<String>);

fn check_rule(
    c: &Compiled,
    access: &Access,
    known_classes: &BTreeSet<String>,
    k: usize,
    rule: &AccessRule,
) -> Result<Rule, RuleError> {
    let sel = match rule {
        AccessRule::Keyword(w) if w == "all" => AccessSelector {
            all: Some(true),
            ..AccessSelector::default()
        },
        AccessRule::Keyword(w) => {
            return Err((
                crate::t!("e701-not-a-rule", word = w),
                w.clone(),
                Some(crate::t!("e701-not-a-rule-help")),
            ))
        }
        AccessRule::Select(s) => s.clone(),
    };
    let given: Vec<&str> = [
        ("layer", sel.layer.is_some()),
        ("folder", sel.folder.is_some()),
        ("model", sel.model.is_some()),
        ("tag", sel.tag.is_some()),
        ("all", sel.all == Some(true)),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(k, _)| k)
    .collect();
    if given.len() != 1 {
        let needle = given.first().map(|g| format!("{g}:")).unwrap_or_default();
        return Err((
            if given.is_empty() {
                crate::t!("e701-selects-nothing")
            } else {
                crate::t!(
                    "e701-selectors",
                    count = given.len(),
                    selectors = given.join(", ")
                )
            },
            needle,
            Some(crate::t!("e701-selectors-help")),
        ));
    }
    for class in &sel.except_classes {
        if !known_classes.contains(class) {
            return Err((
                crate::t!("e701-unknown-class", class = class),
                class.clone(),
                Some(
                    suggest(class, known_classes.iter().map(String::as_str))
                        .map(|s| crate::t!("project-did-you-mean", name = s))
                        .unwrap_or_else(|| {
                            if known_classes.is_empty() {
                                crate::t!("e701-unknown-class-help-none")
                            } else {
                                crate::t!(
                                    "e701-unknown-class-help",
                                    classes = known_classes
                                        .iter()
                                        .cloned()
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            }
                        }),
                ),
            ));
        }
    }
    let gov: Vec<usize> = access.governed.keys().copied().collect();
    let nodes = &c.project.nodes;
    let except_text = if sel.except_classes.is_empty() {
        String::new()
    } else {
        format!(" except {}", sel.except_classes.join(", "))
    };
    let (what, matches): (String, Box<dyn Fn(usize) -> bool>) = if let Some(layer) = &sel.layer {
        let layers: BTreeSet<String> = gov.iter().map(|&i| nodes[i].layer.clone()).collect();
        if !layers.contains(layer) {
            return Err(unknown("layer", layer, layers.iter().map(String::as_str)));
        }
        let l = layer.clone();
        let layer_of: BTreeMap<usize, String> =
            gov.iter().map(|&i| (i, nodes[i].layer.clone())).collect();
        (
            format!("layer {layer}"),
            Box::new(move |i| layer_of.get(&i) == Some(&l)),
        )
    } else if let Some(folder) = &sel.folder {
        let inside: BTreeSet<usize> = gov
            .iter()
            .copied()
            .filter(|&i| nodes[i].in_folder(folder))
            .collect();
        if inside.is_empty() {
            let folders: BTreeSet<String> = gov
                .iter()
                .filter_map(|&i| {
                    let (_, under) = nodes[i].folders();
                    under.rsplit_once('/').map(|(d, _)| d.to_string())
                })
                .collect();
            return Err(unknown(
                "folder",
                folder,
                folders.iter().map(String::as_str),
            ));
        }
        (
            format!("folder {folder}"),
            Box::new(move |i| inside.contains(&i)),
        )
    } else if let Some(model) = &sel.model {
        let Some(&found) = gov
            .iter()
            .find(|&&i| nodes[i].name.eq_ignore_ascii_case(model))
        else {
            return Err(unknown(
                "model",
                model,
                gov.iter().map(|&i| nodes[i].name.as_str()),
            ));
        };
        (format!("model {model}"), Box::new(move |i| i == found))
    } else if let Some(tag) = &sel.tag {
        let tagged: BTreeSet<usize> = gov
            .iter()
            .copied()
            .filter(|&i| node_config(c, i).tags().contains(tag))
            .collect();
        if tagged.is_empty() {
            let tags: BTreeSet<String> =
                gov.iter().flat_map(|&i| node_config(c, i).tags()).collect();
            return Err(unknown("tag", tag, tags.iter().map(String::as_str)));
        }
        (format!("tag {tag}"), Box::new(move |i| tagged.contains(&i)))
    } else {
        ("all".to_string(), Box::new(|_| true))
    };
    Ok(Rule {
        text: format!("read[{}]: {what}{except_text}", k + 1),
        matches,
        except: sel.except_classes.iter().cloned().collect(),
    })
}

fn unknown<'a>(
    kind: &str,
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> RuleError {
    let all: Vec<&str> = candidates.clone().into_iter().collect();
    (
        crate::t!("e701-unknown", kind = kind, name = name),
        name.to_string(),
        Some(
            suggest(name, candidates)
                .map(|s| crate::t!("project-did-you-mean", name = s))
                .unwrap_or_else(|| {
                    crate::t!("e701-unknown-help", kind = kind, names = all.join(", "))
                }),
        ),
    )
}

/// Why `p` is not a Lake Formation principal identifier, if it is not one.
fn principal_problem(p: &str) -> Option<String> {
    let p = p.trim();
    if p.is_empty() {
        Some(crate::t!("e701-principal-empty"))
    } else if p.starts_with("arn:") || (p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit())) {
        None
    } else {
        Some(crate::t!("e701-principal-not-arn", principal = p))
    }
}

fn error(message: String) -> Diagnostic {
    Diagnostic::error(Code::InvalidAccessRule, message)
}

/// Where `needle` is written under role `role` of `access:` in karte.yml.
fn locate(text: &str, role: &str, needle: &str) -> Location {
    let file = Path::new(PROJECT_FILE);
    let Some(start) = text
        .find("\naccess:")
        .map(|i| i + 1)
        .or_else(|| text.starts_with("access:").then_some(0))
    else {
        return Location::file_only(file);
    };
    let role_at = text[start..]
        .find(&format!("{role}:"))
        .map(|j| start + j)
        .unwrap_or(start);
    let span = if needle.is_empty() {
        None
    } else {
        text[role_at..]
            .find(needle)
            .map(|j| role_at + j..role_at + j + needle.len())
    };
    let span = span.unwrap_or(role_at..role_at + role.len().max(1));
    Location::from_span(file, text, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals() {
        assert_eq!(principal_problem("arn:aws:iam::123456789012:role/x"), None);
        assert_eq!(principal_problem("123456789012"), None);
        assert!(principal_problem("analysts").is_some());
        assert!(principal_problem(" ").is_some());
    }

    #[test]
    fn folders() {
        let in_folder = |path: &str, folder: &str| {
            crate::project::Node::folders_of(Path::new(path)).contains(folder)
        };
        assert!(in_folder("models/gold/marts/pmpm.sql", "gold/marts"));
        assert!(in_folder("models/gold/marts/pmpm.sql", "gold"));
        assert!(in_folder("models/gold/marts/pmpm.sql", "models/gold/"));
        assert!(!in_folder("models/gold/martsx/pmpm.sql", "gold/marts"));
        assert!(in_folder("seeds/codes.csv", "seeds"));
    }

    #[test]
    fn locates_inside_the_role() {
        let text = "name: p\naccess:\n  a:\n    read:\n      - layer: gold\n  b:\n    read:\n      - layer: gold\n";
        let loc = locate(text, "b", "gold");
        assert_eq!(loc.line, 8);
    }
}
