//! Projects that depend on other projects (docs/operations.md, "Projects of several teams").
//!
//! `dependencies:` in karte.yml names upstream karte projects by where they publish their
//! manifest and run journals (`project::dependencies::Published`). [`load`] runs right after
//! the project is loaded and the target known: it reads each upstream's manifest with the
//! state module's loader (`state::SavedState::load`: a local file or directory, or `s3://`)
//! and fills `Project::upstream` with its models — relation, `access`, columns (from its
//! lineage) and personal-data classes — so that `sql/resolve.rs` resolves `layer.model` to an
//! upstream model like a source (`Dependency::Upstream`: read, never built or planned here),
//! and the lineage and classes go on across projects under the upstream's own unique ids.
//!
//! [`wait`] is `--wait-for-upstream`: it waits until each upstream's newest run of the models
//! read here ended successfully and is newer than this project's last successful run of the
//! models that read them.

pub mod runs;
pub mod wait;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::diag::{Code, Diagnostic, Diagnostics, Location};
use crate::project::dependencies::{
    AccessLevel, Place, Published, Upstream, UpstreamModel, UpstreamProject, ACCESS_VALUES,
};
use crate::project::{Project, Target, TargetType, PROJECT_FILE};
use crate::sql::{join_fqn, AnalyzedModel};
use crate::t;

/// The DuckDB catalog name an upstream project's local catalog is attached under (local
/// targets): its tables are `upstream_<name>.<schema>.<table>` here.
pub fn local_catalog_alias(project: &str) -> String {
    format!("upstream_{project}")
}

/// Where `key` is written under `dependencies:` in karte.yml.
fn entry_location(root: &Path, key: &str) -> Location {
    let file = Path::new(PROJECT_FILE);
    let Ok(text) = std::fs::read_to_string(root.join(PROJECT_FILE)) else {
        return Location::file_only(file);
    };
    let start = text.find("dependencies:").unwrap_or(0);
    let span = text[start..]
        .match_indices(key)
        .map(|(i, _)| start + i)
        .find(|&i| text[i + key.len()..].starts_with(':'))
        .map(|i| i..i + key.len());
    match span {
        Some(s) => Location::from_span(file, &text, s),
        None => Location::file_only(file),
    }
}

fn invalid(root: &Path, key: &str, message: String) -> Diagnostic {
    Diagnostic::error(Code::InvalidDependency, message)
        .at(entry_location(root, key))
        .help(t!("upstream-build-first-help"))
}

/// Read the manifest of every project of `dependencies:` into `project.upstream`. Every
/// problem is reported (E901 for an entry that cannot be used, E903 for a name both here and
/// upstream).
pub fn load(project: &mut Project, target: &Target) -> Result<(), Diagnostics> {
    if project.config.dependencies.is_empty() {
        return Ok(());
    }
    let root = project.root.clone();
    let mut diags = Diagnostics::default();
    let mut upstream = Upstream::default();
    for (name, cfg) in &project.config.dependencies {
        if *name == project.config.name {
            diags.push(
                invalid(&root, name, t!("upstream-names-itself", project = name))
                    .help(t!("upstream-names-itself-help")),
            );
            continue;
        }
        let published = match Published::of(cfg, &root) {
            Ok(p) => p,
            Err(why) => {
                diags.push(
                    invalid(
                        &root,
                        name,
                        t!("upstream-bad-entry", project = name, why = why),
                    )
                    .help(t!("upstream-bad-entry-help")),
                );
                continue;
            }
        };
        let spec = match &published.manifest {
            Place::Local(p) => {
                if !p.exists() {
                    let shown = p.strip_prefix(&root).unwrap_or(p);
                    diags.push(invalid(
                        &root,
                        name,
                        t!("upstream-no-manifest", project = name, path = shown),
                    ));
                    continue;
                }
                p.display().to_string()
            }
            Place::S3(u) => u.clone(),
        };
        let saved = match crate::state::SavedState::load(&spec, target) {
            Ok(s) => s,
            Err(d) => {
                diags.push(invalid(
                    &root,
                    name,
                    t!(
                        "upstream-cannot-read-manifest",
                        project = name,
                        error = d.message
                    ),
                ));
                continue;
            }
        };
        if saved.metadata.project != *name {
            diags.push(
                invalid(
                    &root,
                    name,
                    t!(
                        "upstream-wrong-project",
                        manifest = saved.shown,
                        other = saved.metadata.project,
                        project = name
                    ),
                )
                .help(t!(
                    "upstream-wrong-project-help",
                    other = saved.metadata.project,
                    project = name
                )),
            );
            continue;
        }
        let engine = saved.metadata.engine.unwrap_or_default();
        if engine != target.config.kind {
            let word = |t: TargetType| match t {
                TargetType::Local => t!("upstream-engine-local"),
                TargetType::Athena => t!("upstream-engine-athena"),
            };
            diags.push(
                invalid(
                    &root,
                    name,
                    t!(
                        "upstream-wrong-engine",
                        project = name,
                        manifest = saved.shown,
                        target = saved.metadata.target,
                        engine = word(engine),
                        ours = word(target.config.kind)
                    ),
                )
                .help(t!("upstream-wrong-engine-help")),
            );
            continue;
        }
        let index = upstream.projects.len();
        for n in saved.nodes.values() {
            let Some(relation) = &n.relation else {
                continue;
            };
            if !matches!(n.kind.as_str(), "model" | "seed" | "snapshot") {
                continue;
            }
            let access = n
                .config
                .get("access")
                .and_then(|v| v.as_str())
                .and_then(AccessLevel::parse)
                .unwrap_or(AccessLevel::Protected);
            let relation = match target.config.kind {
                TargetType::Local => {
                    join_fqn(Some(local_catalog_alias(name).as_str()), &n.schema, &n.name)
                }
                TargetType::Athena => relation.clone(),
            };
            upstream.models.push(UpstreamModel {
                project: index,
                unique_id: n.unique_id.clone(),
                name: n.name.clone(),
                layer: n.layer.clone(),
                schema: n.schema.clone(),
                relation,
                access,
                columns: saved
                    .columns
                    .get(&n.unique_id)
                    .map(|c| c.iter().map(|c| c.to_lowercase()).collect()),
                classes: saved.classes.get(&n.unique_id).cloned().unwrap_or_default(),
            });
        }
        upstream.projects.push(UpstreamProject {
            name: name.clone(),
            published,
            target: saved.metadata.target.clone(),
        });
    }
    clashes(project, &upstream, &mut diags);
    project.upstream = upstream;
    if diags.has_errors() {
        diags.sort();
        Err(diags)
    } else {
        Ok(())
    }
}

/// A public upstream `layer.model` that is also this project's, or two upstreams'.
fn clashes(project: &Project, upstream: &Upstream, diags: &mut Diagnostics) {
    let mut seen: HashMap<(String, String), &UpstreamModel> = HashMap::new();
    for m in upstream
        .models
        .iter()
        .filter(|m| m.access == AccessLevel::Public)
    {
        let key = (m.layer.to_lowercase(), m.name.to_lowercase());
        let owner = &upstream.projects[m.project].name;
        if let Some(other) = seen.get(&key) {
            let first = &upstream.projects[other.project].name;
            diags.push(
                Diagnostic::error(
                    Code::UpstreamNameClash,
                    t!(
                        "upstream-clash-two",
                        model = format!("{}.{}", m.layer, m.name),
                        first = first,
                        second = owner
                    ),
                )
                .at(entry_location(&project.root, owner))
                .help(t!("upstream-clash-two-help")),
            );
            continue;
        }
        seen.insert(key, m);
        let local = project.nodes.iter().find(|n| {
            n.kind.is_relation()
                && n.name.eq_ignore_ascii_case(&m.name)
                && [&n.layer, &n.schema].iter().any(|a| {
                    [&m.layer, &m.schema]
                        .iter()
                        .any(|b| a.eq_ignore_ascii_case(b))
                })
        });
        if let Some(n) = local {
            diags.push(
                Diagnostic::error(
                    Code::UpstreamNameClash,
                    t!(
                        "upstream-clash-local",
                        model = format!("{}.{}", m.layer, m.name),
                        owner = owner
                    ),
                )
                .at(Location::file_only(&n.path))
                .label(t!("upstream-clash-local-label"))
                .help(t!(
                    "upstream-clash-local-help",
                    owner = owner,
                    model = format!("{}.{}", m.layer, m.name)
                )),
            );
        }
    }
}

/// Every model's `access` must be one of [`ACCESS_VALUES`] (E904).
pub fn check_access(project: &Project, models: &[AnalyzedModel]) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let configs = models.iter().map(|m| (m.node, &m.config)).chain(
        project
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind == crate::project::NodeKind::Seed)
            .map(|(i, n)| (i, &n.config)),
    );
    for (i, config) in configs {
        let Some(v) = config.0.get("access") else {
            continue;
        };
        if v.as_str().and_then(AccessLevel::parse).is_some() {
            continue;
        }
        let n = &project.nodes[i];
        let shown = v
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string());
        let span = n.text.find(&shown).map(|s| s..s + shown.len());
        diags.push(
            Diagnostic::error(
                Code::InvalidAccess,
                t!("upstream-bad-access", model = n.name, value = shown),
            )
            .at(match span {
                Some(s) => Location::from_span(&n.path, &n.text, s),
                None => Location::file_only(&n.path),
            })
            .help(t!("upstream-bad-access-help", values = ACCESS_VALUES)),
        );
    }
    diags.sort();
    diags
}

/// The local catalogs (`<target>/karte.duckdb`) of the upstream projects some model reads,
/// with the catalog name each is attached under (local targets).
pub fn local_catalogs(c: &crate::graph::Compiled) -> Vec<(String, std::path::PathBuf)> {
    let up = &c.project.upstream;
    let all: Vec<usize> = c.models.iter().map(|m| m.node).collect();
    let mut projects: Vec<usize> = read_by(&c.models, &all)
        .into_keys()
        .map(|u| up.models[u].project)
        .collect();
    projects.sort_unstable();
    projects.dedup();
    projects
        .into_iter()
        .filter_map(|p| {
            let p = &up.projects[p];
            let dir = p.published.target_dir.as_ref()?;
            Some((local_catalog_alias(&p.name), dir.join("karte.duckdb")))
        })
        .collect()
}

/// The upstream models (indexes into `Upstream::models`) the given nodes read directly.
pub fn read_by(models: &[AnalyzedModel], nodes: &[usize]) -> BTreeMap<usize, Vec<usize>> {
    let wanted: std::collections::HashSet<usize> = nodes.iter().copied().collect();
    let mut out: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for m in models.iter().filter(|m| wanted.contains(&m.node)) {
        for d in &m.depends_on {
            if let crate::sql::Dependency::Upstream(u) = d {
                out.entry(*u).or_default().push(m.node);
            }
        }
    }
    out
}
