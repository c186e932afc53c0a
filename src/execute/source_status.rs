//! `--select source_status:fresher+`: build what reads a source that received data since it was
//! last built, so that a delivery (not the clock) starts a build.
//!
//! A source's *state* is a fingerprint of the data it holds, read before the build:
//! - an ingest table: its delivered files (each partition's values and the file's SHA-256, from
//!   the ingest manifest kept with the table in the catalog) — a new or replaced delivery changes
//!   it, a file delivered again unchanged does not;
//! - a source with `loaded_at_field`: `max(<loaded_at_field>)`, queried on the target (only when
//!   a `source_status:` selector asks for it: it costs a query);
//! - any other partitioned source: its partitions (values and locations) in the catalog;
//! - anything else: unknown (a warning; such a source never makes a node fresher).
//!
//! Every run records, for each node it built, the states of the sources upstream of it (through
//! models, at any depth) in its journal (`built_from.json`, next to `events.jsonl`, and in the
//! engine's mirror: on Athena a build in a fresh container knows it). The file is cumulative
//! (each run's holds every node's last build), so only the newest one is read. A node is
//! *fresher* when one of its upstream sources has a known state that differs from the one its
//! last successful build recorded (or it has none recorded).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::engine::mirror::Mirror;
use crate::engine::Engine;
use crate::execute::results::{NodeResult, Status};
use crate::graph::Compiled;
use crate::plan::CatalogState;

/// The journal file of a run holding what each node was built from.
pub const FILE: &str = "built_from.json";
const FORMAT: u32 = 1;

/// What each node's last successful build read, as recorded by the runs of one target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BuiltFrom {
    /// Format of this file.
    pub format: u32,
    /// The target.
    pub target: String,
    /// By node unique id.
    pub nodes: BTreeMap<String, NodeBuilt>,
}

/// One node's last successful build.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeBuilt {
    /// The run that built it.
    pub run_id: String,
    /// The state of each upstream source then, by source unique id (known states only).
    pub sources: BTreeMap<String, String>,
    /// The checksum of the node's file then (`karte show` builds a node edited since).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// The sources' states now, and what the last builds read.
#[derive(Debug, Clone, Default)]
pub struct SourceStates {
    /// The state of each source (by source index; None: unknown or not read).
    pub current: Vec<Option<String>>,
    /// The sources upstream of each node (by node index), at any depth.
    pub upstream: Vec<BTreeSet<usize>>,
    /// What the newest run of this target recorded.
    pub saved: BuiltFrom,
}

/// The sources each node reads, directly or through the models it reads, by node index.
pub fn upstream_sources(c: &Compiled) -> Vec<BTreeSet<usize>> {
    let mut up: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); c.project.nodes.len()];
    for &i in &c.graph.order {
        let mut set: BTreeSet<usize> = c
            .model(i)
            .map(|m| {
                m.depends_on
                    .iter()
                    .filter_map(|d| match d {
                        crate::sql::Dependency::Source(s) => Some(*s),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        for p in c.graph.parents(i) {
            set.extend(up[p].iter().copied());
        }
        up[i] = set;
    }
    up
}

/// A fingerprint of lines (sorted first).
fn digest(kind: &str, mut lines: Vec<String>) -> String {
    lines.sort();
    let mut h = Sha256::new();
    for l in &lines {
        h.update(l.as_bytes());
        h.update(b"\n");
    }
    let hex: String = h.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{kind}:{hex}")
}

impl SourceStates {
    /// A `source_status:` selection, once the target's catalog is known (`build`, and
    /// `plan --live`): the states of every source and what each node was last built from are
    /// read, and `c` is selected again with them (`lib.rs::reselect`). Returns the states, the
    /// warnings (the selection's, then the sources karte cannot tell about) and the count of
    /// nodes that read a source with new data.
    pub fn select(
        c: &mut Compiled,
        engine: &dyn Engine,
        catalog: &CatalogState,
        mirror: Option<&dyn Mirror>,
        (select, exclude): (&[String], &[String]),
    ) -> Result<(SourceStates, Diagnostics, usize), Diagnostics> {
        let nodes = c.graph.order.clone();
        let (states, unknown) = Self::read(c, engine, catalog, &nodes, true, mirror);
        let fresher = states.fresher(c);
        let mut warnings = crate::reselect(c, select, exclude, &fresher)?;
        warnings.extend(unknown.0);
        Ok((states, warnings, fresher.len()))
    }

    /// Read the states of the sources upstream of `nodes` (with `query`: also the
    /// `max(loaded_at_field)` of sources that have one) and what the newest run of this target
    /// recorded. Returns the warnings for sources whose state karte cannot tell, when `query`
    /// (a `source_status:` selector is in use).
    pub fn read(
        c: &Compiled,
        engine: &dyn Engine,
        catalog: &CatalogState,
        nodes: &[usize],
        query: bool,
        mirror: Option<&dyn Mirror>,
    ) -> (SourceStates, Diagnostics) {
        let upstream = upstream_sources(c);
        let wanted: BTreeSet<usize> = nodes
            .iter()
            .flat_map(|&i| upstream[i].iter().copied())
            .collect();
        let mut warnings = Diagnostics::default();
        let mut current = vec![None; c.project.sources.len()];
        let run_id = crate::execute::new_run_id();
        for si in wanted {
            let s = &c.project.sources[si];
            let table = catalog.get(&c.target.schema(&s.schema), &s.identifier);
            let files: Vec<String> = table
                .map(|t| {
                    t.ingested
                        .iter()
                        .map(|f| format!("\t{}", f.sha256))
                        .chain(t.partitions.iter().filter_map(|p| {
                            p.ingested
                                .as_ref()
                                .map(|f| format!("{}\t{}", p.values.join("/"), f.sha256))
                        }))
                        .collect()
                })
                .unwrap_or_default();
            let state = if !files.is_empty() {
                Ok(digest("ingest", files))
            } else if let (Some(field), true) = (&s.loaded_at_field, query) {
                match crate::execute::freshness::max_loaded_at(
                    c,
                    engine,
                    si,
                    field,
                    &run_id,
                    "source_status",
                ) {
                    Ok(Some(v)) => Ok(format!("max:{v}")),
                    Ok(None) => Err(crate::t!("run-status-no-rows", field = field)),
                    Err(e) => Err(e),
                }
            } else if let Some(t) = table.filter(|t| !t.partitions.is_empty()) {
                Ok(digest(
                    "partitions",
                    t.partitions
                        .iter()
                        .map(|p| format!("{}\t{}", p.values.join("/"), p.location))
                        .collect(),
                ))
            } else if table.is_none()
                && c.project
                    .ingest
                    .rules
                    .iter()
                    .any(|r| r.layer == s.source && r.name == s.name)
            {
                Err(crate::t!("run-status-nothing-ingested"))
            } else {
                Err(crate::t!("run-status-no-way"))
            };
            match state {
                Ok(v) => current[si] = Some(v),
                Err(why) if query => warnings.push(
                    Diagnostic::warning(
                        Code::SourceStatusUnknown,
                        crate::t!(
                            "run-status-unknown",
                            source = format!("{}.{}", s.source, s.name),
                            why = why
                        ),
                    )
                    .help(crate::t!("run-status-unknown-help")),
                ),
                Err(_) => {}
            }
        }
        let saved = load(&c.project.root, &c.target.name, mirror);
        (
            SourceStates {
                current,
                upstream,
                saved,
            },
            warnings,
        )
    }

    /// The nodes (by index) with an upstream source whose state changed since their last
    /// successful build.
    pub fn fresher(&self, c: &Compiled) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        for &i in &c.graph.order {
            // Only what a build records can be behind: models and snapshots. An ephemeral model
            // is never built (what reads it has its sources upstream too and is compared
            // itself); a singular test runs with what it tests (`+` selects it).
            let built = matches!(
                c.project.nodes[i].kind,
                crate::project::NodeKind::Model | crate::project::NodeKind::Snapshot
            ) && c
                .model(i)
                .is_none_or(|m| m.config.materialized() != "ephemeral");
            if !built {
                continue;
            }
            let recorded = self.saved.nodes.get(&c.project.node_id(i));
            let changed = self.upstream[i].iter().any(|&s| {
                let Some(now) = &self.current[s] else {
                    return false;
                };
                recorded
                    .and_then(|r| r.sources.get(&c.project.source_id(s)))
                    .is_none_or(|then| then != now)
            });
            if changed {
                out.insert(i);
            }
        }
        out
    }

    /// What this run adds to the record: every node built successfully now read the states
    /// read before it started. Nodes no longer in the project are dropped.
    pub fn record(&self, c: &Compiled, run_id: &str, results: &[NodeResult]) -> BuiltFrom {
        let ids: BTreeMap<String, usize> = (0..c.project.nodes.len())
            .map(|i| (c.project.node_id(i), i))
            .collect();
        let mut out = BuiltFrom {
            format: FORMAT,
            target: c.target.name.clone(),
            nodes: self
                .saved
                .nodes
                .iter()
                .filter(|(id, _)| ids.contains_key(*id))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        for r in results.iter().filter(|r| r.status == Status::Success) {
            let Some(&i) = ids.get(&r.unique_id) else {
                continue;
            };
            let sources = self.upstream[i]
                .iter()
                .filter_map(|&s| {
                    self.current[s]
                        .as_ref()
                        .map(|v| (c.project.source_id(s), v.clone()))
                })
                .collect();
            out.nodes.insert(
                r.unique_id.clone(),
                NodeBuilt {
                    run_id: run_id.to_string(),
                    sources,
                    file: Some(c.project.nodes[i].checksum.clone()),
                },
            );
        }
        out
    }
}

/// The record of the newest run of `target` that wrote one, from the journals here and in the
/// mirror (empty if none).
pub fn load(project: &Path, target: &str, mirror: Option<&dyn Mirror>) -> BuiltFrom {
    let mut runs: BTreeSet<String> = crate::execute::journal::run_ids(project)
        .into_iter()
        .collect();
    if let Some(m) = mirror {
        runs.extend(m.runs().unwrap_or_default());
    }
    for run in runs.into_iter().rev() {
        let local = crate::execute::journal::run_dir(project, &run).join(FILE);
        let bytes = match std::fs::read(&local) {
            Ok(b) => Some(b),
            Err(_) => mirror.and_then(|m| m.get(&run, FILE).ok().flatten()),
        };
        let Some(saved) = bytes.and_then(|b| serde_json::from_slice::<BuiltFrom>(&b).ok()) else {
            continue;
        };
        if saved.target == target && saved.format == FORMAT {
            return saved;
        }
    }
    BuiltFrom {
        format: FORMAT,
        target: target.to_string(),
        nodes: BTreeMap::new(),
    }
}

/// Write a run's record into its journal (and the mirror).
pub fn write(
    project: &Path,
    run_id: &str,
    record: &BuiltFrom,
    mirror: Option<&dyn Mirror>,
) -> Result<(), String> {
    let body = serde_json::to_vec_pretty(record).map_err(|e| e.to_string())?;
    let dir = crate::execute::journal::run_dir(project, run_id);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let tmp = dir.join(format!("{FILE}.tmp"));
    std::fs::write(&tmp, &body).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, dir.join(FILE)).map_err(|e| e.to_string())?;
    if let Some(m) = mirror {
        m.put(run_id, FILE, &body).map_err(|e| e.message)?;
    }
    Ok(())
}

/// True if a selection uses `source_status:`.
pub fn selects_by_status(select: &[String], exclude: &[String]) -> bool {
    select
        .iter()
        .chain(exclude)
        .flat_map(|s| s.split([' ', ',']))
        .any(|a| {
            a.trim_start_matches(|c: char| c == '@' || c == '+' || c.is_ascii_digit())
                .starts_with("source_status:")
        })
}
