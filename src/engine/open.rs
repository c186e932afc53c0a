//! One factory from the target's config: the engine a build runs on, the lake ingest writes to.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::diag::{Code, Diagnostic, Diagnostics};
#[cfg(any(feature = "duckdb-engine", feature = "athena"))]
use crate::project::TargetType;

/// A function run on a second Ctrl-C before exiting (stops running Athena queries).
pub type Stopper = Option<Box<dyn Fn() + Send + Sync>>;

/// The engine of the compiled target.
pub fn engine(
    c: &crate::graph::Compiled,
    cancel: Arc<AtomicBool>,
    max_bytes_scanned: Option<u64>,
) -> Result<(Box<dyn crate::engine::Engine>, Stopper), Diagnostics> {
    #[cfg(feature = "athena")]
    let fail = |e: crate::engine::EngineError| e.into_diagnostics("");
    match c.target.config.kind {
        #[cfg(feature = "duckdb-engine")]
        TargetType::Local => {
            let _ = (&cancel, max_bytes_scanned);
            Ok((Box::new(local(c)?) as Box<dyn crate::engine::Engine>, None))
        }
        #[cfg(feature = "athena")]
        TargetType::Athena => {
            let mut settings =
                crate::engine::athena::AthenaSettings::of(&c.target).map_err(fail)?;
            settings.max_bytes_scanned = max_bytes_scanned;
            let mut schemas: Vec<String> = c
                .project
                .nodes
                .iter()
                .map(|n| c.target.schema(&n.schema))
                // Ingest tables too: their delivery manifests (Glue partition parameters) are
                // what `source freshness` and `source_status:` read.
                .chain(c.project.ingest.rules.iter().filter_map(|r| {
                    c.project
                        .sources
                        .iter()
                        .find(|s| s.source == r.layer && s.name == r.name)
                        .map(|s| c.target.schema(&s.schema))
                }))
                .collect();
            schemas.push(c.target.schema("test_failures"));
            schemas.sort();
            schemas.dedup();
            let mut engine = crate::engine::athena::AthenaEngine::connect(
                &c.project.root,
                &c.target,
                settings,
                schemas,
                cancel,
            )
            .map_err(fail)?;
            // Lake Formation is read only for projects with `access:` (their grants are planned).
            if !c.project.config.access.is_empty() {
                let access = crate::access::resolve(c)?;
                let tables = access
                    .governed
                    .keys()
                    .map(|&i| {
                        let n = &c.project.nodes[i];
                        crate::plan::TableRef {
                            schema: c.target.schema(&n.schema),
                            name: n.name.to_lowercase(),
                        }
                    })
                    .collect();
                engine.read_permissions_of(tables);
            }
            let stop = engine.stopper();
            Ok((Box::new(engine), Some(Box::new(stop))))
        }
        #[allow(unreachable_patterns)]
        _ => {
            let _ = (cancel, max_bytes_scanned);
            Err(Diagnostics(vec![Diagnostic::error(
                Code::EngineFailed,
                crate::t!("engine-not-built-in", target = c.target.name),
            )
            .help(crate::t!("engine-not-built-in-help"))]))
        }
    }
}

/// The local engine of a compiled local target, with the local catalogs of the upstream
/// projects (`dependencies:`) its models read attached.
#[cfg(feature = "duckdb-engine")]
pub fn local(
    c: &crate::graph::Compiled,
) -> Result<crate::engine::duckdb::LocalEngine, Diagnostics> {
    let lake = c
        .target
        .config
        .lake_dir
        .clone()
        .unwrap_or_else(|| "target/lake".into());
    let resources = crate::engine::duckdb::resources::Resources::of(&c.target.config)
        .map_err(|e| e.into_diagnostics(""))?;
    let engine = crate::engine::duckdb::LocalEngine::open_with(&c.project.root, &lake, resources)
        .map_err(|e| e.into_diagnostics(""))?;
    for (alias, file) in crate::upstream::local_catalogs(c) {
        engine
            .attach_upstream(&alias, &file)
            .map_err(|e| e.into_diagnostics(""))?;
    }
    Ok(engine)
}

/// The lake `karte ingest` writes to, of the target's engine.
pub fn lake(
    project: &crate::project::Project,
    target: &crate::project::Target,
) -> Result<Box<dyn super::lake::Lake + Sync>, Diagnostics> {
    match target.config.kind {
        #[cfg(feature = "duckdb-engine")]
        TargetType::Local => crate::engine::duckdb::lake::LocalLake::open(&project.root, target)
            .map(|l| Box::new(l) as Box<dyn super::lake::Lake + Sync>)
            .map_err(|e| e.into_diagnostics("")),
        #[cfg(feature = "athena")]
        TargetType::Athena => crate::engine::athena::lake::AthenaLake::open(project, target)
            .map(|l| Box::new(l) as Box<dyn super::lake::Lake + Sync>)
            .map_err(|e| e.into_diagnostics("")),
        #[allow(unreachable_patterns)]
        _ => {
            let _ = project;
            Err(Diagnostics(vec![Diagnostic::error(
                Code::EngineFailed,
                crate::t!("engine-not-built-in", target = target.name),
            )]))
        }
    }
}
