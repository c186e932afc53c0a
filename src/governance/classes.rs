//! The taxonomy, and each column's classes: declared where the data enters, carried down the
//! lineage edge by edge.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::{suggest, Code, Diagnostic, Diagnostics, Location};
use crate::lineage::{Edge, EdgeKind, Lineage};
use crate::project::Project;

/// The built-in classes: (name, parent); their descriptions are `class-<name>` messages.
const BUILT_IN: &[(&str, Option<&str>)] = &[
    ("direct_identifier", None),
    ("pii", Some("direct_identifier")),
    ("identification_code", None),
    ("quasi_identifier", None),
    ("sensitive", None),
    ("pseudonym", None),
    ("aggregate", None),
];

/// The description of a built-in class, in the process's language.
fn built_in_description(name: &str) -> String {
    match name {
        "direct_identifier" => crate::t!("class-direct-identifier"),
        "pii" => crate::t!("class-pii"),
        "identification_code" => crate::t!("class-identification-code"),
        "quasi_identifier" => crate::t!("class-quasi-identifier"),
        "sensitive" => crate::t!("class-sensitive"),
        "pseudonym" => crate::t!("class-pseudonym"),
        _ => crate::t!("class-aggregate"),
    }
}

/// Functions that change classes unless the project says otherwise: (name, becomes).
const BUILT_IN_FUNCTIONS: &[(&str, &str)] = &[("hmac_sha256", "pseudonym")];

/// Aggregates that return one of the values they aggregate (the value keeps its classes).
const VALUE_AGGREGATES: &[&str] = &[
    "any_value",
    "approx_most_frequent",
    "arbitrary",
    "array_agg",
    "histogram",
    "listagg",
    "map_agg",
    "max",
    "max_by",
    "min",
    "min_by",
    "multimap_agg",
];

/// The classes a project knows, with their parents, and how functions change them.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    parents: BTreeMap<String, Option<String>>,
    descriptions: BTreeMap<String, String>,
    becomes: BTreeMap<String, String>,
    generalizes: BTreeMap<String, Vec<String>>,
}

impl Taxonomy {
    /// The built-in taxonomy with the project's additions; unknown names in it are errors.
    pub fn of(project: &Project) -> (Taxonomy, Diagnostics) {
        let g = &project.config.governance;
        let mut t = Taxonomy {
            parents: BTreeMap::new(),
            descriptions: BTreeMap::new(),
            becomes: BTreeMap::new(),
            generalizes: BTreeMap::new(),
        };
        for (name, parent) in BUILT_IN {
            t.parents
                .insert(name.to_string(), parent.map(str::to_string));
            t.descriptions
                .insert(name.to_string(), built_in_description(name));
        }
        for (name, c) in &g.classes {
            t.parents.insert(name.clone(), c.parent.clone());
            if let Some(d) = &c.description {
                t.descriptions.insert(name.clone(), d.clone());
            }
        }
        for (f, to) in BUILT_IN_FUNCTIONS {
            t.becomes.insert(f.to_string(), to.to_string());
        }
        for (f, r) in &g.functions {
            let f = f.to_lowercase();
            match &r.becomes {
                Some(b) => {
                    t.becomes.insert(f.clone(), b.clone());
                }
                None => {
                    t.becomes.remove(&f);
                }
            }
            t.generalizes.insert(f, r.generalizes.clone());
        }
        let mut diags = Diagnostics::default();
        let mut named: Vec<(&str, String)> = Vec::new();
        for (name, c) in &g.classes {
            if let Some(p) = &c.parent {
                named.push((p, crate::t!("governance-what-parent", class = name)));
            }
        }
        for (f, r) in &g.functions {
            for c in r.becomes.iter().chain(&r.generalizes) {
                named.push((c, crate::t!("governance-what-function", function = f)));
            }
        }
        for p in &g.policies {
            for c in &p.forbid {
                named.push((c, crate::t!("governance-what-forbid")));
            }
        }
        for (class, what) in named {
            if let Some(d) = t.unknown(
                class,
                &what,
                Location::file_only(Path::new(crate::project::PROJECT_FILE)),
            ) {
                diags.push(d);
            }
        }
        // A parent chain must end (no cycles).
        for name in t.parents.keys() {
            let mut seen = BTreeSet::new();
            let mut at = Some(name.clone());
            while let Some(c) = at {
                if !seen.insert(c.clone()) {
                    diags.push(
                        Diagnostic::error(
                            Code::UnknownClass,
                            crate::t!("e702-own-parent", class = name, through = c),
                        )
                        .at(Location::file_only(Path::new(crate::project::PROJECT_FILE)))
                        .help(crate::t!("e702-own-parent-help")),
                    );
                    break;
                }
                at = t.parents.get(&c).cloned().flatten();
            }
        }
        (t, diags)
    }

    /// E702 if `class` is not in the taxonomy.
    pub fn unknown(&self, class: &str, what: &str, at: Location) -> Option<Diagnostic> {
        if self.parents.contains_key(class) {
            return None;
        }
        let names = self.parents.keys().map(String::as_str);
        Some(
            Diagnostic::error(
                Code::UnknownClass,
                crate::t!("e702-unknown-class", what = what, class = class),
            )
            .at(at)
            .help(match suggest(class, names) {
                Some(s) => crate::t!("project-did-you-mean", name = s),
                None => crate::t!(
                    "e702-unknown-class-help",
                    classes = self.parents.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            }),
        )
    }

    /// True if `class` is `ancestor` or a kind of it.
    pub fn is_a(&self, class: &str, ancestor: &str) -> bool {
        let mut at = Some(class.to_string());
        let mut hops = 0;
        while let Some(c) = at {
            if c == ancestor {
                return true;
            }
            hops += 1;
            if hops > 64 {
                return false;
            }
            at = self.parents.get(&c).cloned().flatten();
        }
        false
    }

    /// `class` and its ancestors.
    pub fn with_ancestors(&self, class: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut at = Some(class.to_string());
        while let Some(c) = at {
            if !out.insert(c.clone()) {
                break;
            }
            at = self.parents.get(&c).cloned().flatten();
        }
        out
    }

    /// Every class with its parent and description (docs, `karte access`).
    pub fn classes(&self) -> Vec<(String, Option<String>, String)> {
        self.parents
            .iter()
            .map(|(c, p)| {
                (
                    c.clone(),
                    p.clone(),
                    self.descriptions.get(c).cloned().unwrap_or_default(),
                )
            })
            .collect()
    }

    /// The classes a value has after an edge, given its input's.
    pub fn through(&self, input: &BTreeSet<String>, edge: &Edge) -> BTreeSet<String> {
        if input.is_empty() {
            return BTreeSet::new();
        }
        let mut out = input.clone();
        for f in &edge.functions {
            let name = f.trim_end_matches(" over");
            if let Some(b) = self.becomes.get(name) {
                out = BTreeSet::from([b.clone()]);
            }
            if let Some(gs) = self.generalizes.get(name) {
                out.retain(|c| !gs.iter().any(|g| self.is_a(c, g)));
            }
        }
        let keeps_values = edge
            .functions
            .iter()
            .any(|f| VALUE_AGGREGATES.contains(&f.as_str()));
        if edge.kind == EdgeKind::Aggregate && !keeps_values && !out.is_empty() {
            out = BTreeSet::from(["aggregate".to_string()]);
        }
        out
    }
}

/// One column's classes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ColumnClass {
    /// Its classes.
    pub classes: BTreeSet<String>,
    /// Declared in YAML (on a model: overriding what its lineage gives).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub declared: bool,
    /// Why it has fewer classes than its lineage gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Every relation's columns with their classes: relation unique id → column → classes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProjectClasses {
    /// By relation (hashed: see [`crate::lineage::Lineage`]), then column.
    pub relations: HashMap<String, BTreeMap<String, ColumnClass>>,
}

impl ProjectClasses {
    /// The classes of one column (none if unknown).
    pub fn of(&self, relation: &str, column: &str) -> Option<&ColumnClass> {
        self.relations.get(relation)?.get(column)
    }
}

/// Carry the declared classes down the lineage, in dependency order (the lineage's levels).
pub fn infer(
    project: &Project,
    lineage: &Lineage,
    taxonomy: &Taxonomy,
) -> (ProjectClasses, Diagnostics) {
    let mut out = ProjectClasses::default();
    let mut diags = Diagnostics::default();
    for (i, s) in project.sources.iter().enumerate() {
        let mut cols = BTreeMap::new();
        for c in &s.columns {
            if let Some(class) = c.classification.as_deref().filter(|c| !c.trim().is_empty()) {
                let at = Location::file_only(Path::new(&s.path));
                if let Some(d) = taxonomy.unknown(
                    class,
                    &crate::t!(
                        "governance-what-column",
                        column = c.name,
                        relation = format!("{}.{}", s.source, s.name)
                    ),
                    at,
                ) {
                    diags.push(d);
                }
                cols.insert(
                    c.name.to_lowercase(),
                    ColumnClass {
                        classes: BTreeSet::from([class.to_string()]),
                        declared: true,
                        reason: None,
                    },
                );
            }
        }
        out.relations.insert(project.source_id(i), cols);
    }
    // The upstream projects' models read here: the classes their manifests give.
    for up in &project.upstream.models {
        if !lineage.relations.contains_key(&up.unique_id) {
            continue;
        }
        let owner = &project.upstream.projects[up.project].name;
        let mut cols = BTreeMap::new();
        for (column, classes) in &up.classes {
            for class in classes {
                let what = crate::t!(
                    "governance-what-upstream-column",
                    column = column,
                    relation = format!("{}.{}", up.layer, up.name),
                    project = owner
                );
                if let Some(d) =
                    taxonomy.unknown(class, &what, Location::file_only(Path::new("karte.yml")))
                {
                    diags.push(d);
                }
            }
            cols.insert(
                column.to_lowercase(),
                ColumnClass {
                    classes: classes.clone(),
                    declared: false,
                    reason: None,
                },
            );
        }
        out.relations.insert(up.unique_id.clone(), cols);
    }
    // Level by level (a node's parents are in earlier levels), the nodes of a level in
    // parallel.
    use rayon::prelude::*;
    for level in &lineage.levels {
        let done: Vec<_> = level
            .par_iter()
            .map(|&i| node_classes(project, lineage, taxonomy, &out, i))
            .collect();
        for (id, cols, d) in done {
            diags.extend(d);
            out.relations.insert(id, cols);
        }
    }
    diags.sort();
    (out, diags)
}

/// The classes of node `i`'s columns, from its parents' (in `out`) and its declarations.
fn node_classes(
    project: &Project,
    lineage: &Lineage,
    taxonomy: &Taxonomy,
    out: &ProjectClasses,
    i: usize,
) -> (String, BTreeMap<String, ColumnClass>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let node = &project.nodes[i];
    let id = project.node_id(i);
    let mut cols: BTreeMap<String, ColumnClass> = BTreeMap::new();
    for c in lineage.columns(&id).unwrap_or_default() {
        let mut classes = BTreeSet::new();
        for e in &c.upstream {
            if let Some(up) = out.of(&e.relation, &e.column) {
                classes.extend(taxonomy.through(&up.classes, e));
            }
        }
        if !classes.is_empty() {
            cols.insert(
                c.name.to_string(),
                ColumnClass {
                    classes,
                    declared: false,
                    reason: None,
                },
            );
        }
    }
    for c in &node.columns {
        let Some(class) = c.classification.as_deref().filter(|c| !c.trim().is_empty()) else {
            continue;
        };
        let at = Location::file_only(&node.path);
        let what = crate::t!(
            "governance-what-column",
            column = c.name,
            relation = node.name
        );
        if let Some(d) = taxonomy.unknown(class, &what, at.clone()) {
            diags.push(d);
            continue;
        }
        let name = c.name.to_lowercase();
        let inferred = cols
            .get(&name)
            .map(|cc| cc.classes.clone())
            .unwrap_or_default();
        // Classes the lineage gives that the declaration does not cover.
        let dropped: Vec<&String> = inferred
            .iter()
            .filter(|i| !taxonomy.is_a(i, class) && *i != class)
            .collect();
        let classes = if dropped.is_empty() {
            let mut all = inferred.clone();
            all.insert(class.to_string());
            // A declared class covers the inferred ones that are kinds of it.
            all.retain(|x| x == class || !taxonomy.is_a(x, class));
            all
        } else if c
            .classification_reason
            .as_deref()
            .is_some_and(|r| !r.trim().is_empty())
        {
            BTreeSet::from([class.to_string()])
        } else {
            diags.push(
                Diagnostic::error(
                    Code::ReclassifiedWithoutReason,
                    crate::t!(
                        "e703-reclassified",
                        what = what,
                        class = class,
                        classes = dropped
                            .iter()
                            .map(|d| format!("`{d}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .at(at)
                .help(crate::t!("e703-help")),
            );
            inferred
        };
        cols.insert(
            name,
            ColumnClass {
                classes,
                declared: true,
                reason: c.classification_reason.clone(),
            },
        );
    }
    (id, cols, diags)
}
