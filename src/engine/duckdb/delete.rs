//! Deleting in the local lake: directories only inside the lake and the owner's prefix, compared
//! after canonicalisation (a symlink or `..` cannot lead a delete out), and only after the same
//! owner checks Athena makes against Glue ([`crate::engine::ownership`]).

use std::path::{Path, PathBuf};

use duckdb::Connection;

use super::{catalog, LocalEngine};
use crate::engine::ownership;
use crate::engine::EngineError;
use crate::plan::TableRef;

impl LocalEngine {
    /// Delete a directory of the lake, only if it lies strictly inside the lake and inside
    /// `owned` (a table's prefix), both compared as canonical paths. A missing one is fine.
    pub fn delete_dir(&self, location: &str, owned: &str) -> Result<(), EngineError> {
        let dir = catalog::resolve(&self.root, location);
        if std::fs::symlink_metadata(&dir).is_err() {
            return Ok(());
        }
        let refuse = |why: &str| {
            EngineError::project(crate::t!(
                "engine-local-refuse-delete",
                path = dir.display().to_string(),
                why = why,
                lake = self.lake.display().to_string(),
                owned = owned
            ))
        };
        let real =
            canonical(&dir).ok_or_else(|| refuse(&crate::t!("engine-local-why-unresolved")))?;
        let lake = canonical(&self.lake)
            .ok_or_else(|| refuse(&crate::t!("engine-local-why-lake-unresolved")))?;
        let owned_dir = canonical(&catalog::resolve(&self.root, owned))
            .ok_or_else(|| refuse(&crate::t!("engine-local-why-owned-unresolved")))?;
        if !(real.starts_with(&lake) && real != lake) {
            return Err(refuse(&crate::t!("engine-local-why-outside-lake")));
        }
        if !real.starts_with(&owned_dir) {
            return Err(refuse(&crate::t!("engine-local-why-outside-owned")));
        }
        match catalog::file_op(
            || format!("rm -r {}", real.display()),
            || std::fs::remove_dir_all(&real),
        ) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(EngineError::environment(crate::t!(
                "engine-cannot-delete",
                path = real.display().to_string(),
                error = e.to_string()
            ))),
        }
    }

    /// The owner checks before deleting `prefixes` of `table` (see [`ownership::check_owner`]);
    /// `owned` is the plan's owned prefix, or empty for `<lake>/<schema>/<table>/`.
    pub(super) fn check_delete(
        &self,
        conn: &Connection,
        table: &TableRef,
        owned: &str,
        prefixes: &[String],
    ) -> Result<String, EngineError> {
        let owned = if owned.is_empty() {
            let dir = self.lake.join(&table.schema).join(&table.name);
            format!("{}/", dir.display())
        } else {
            owned.to_string()
        };
        if !prefixes.is_empty() {
            let state = catalog::get(conn, table)?;
            let norm = |l: &str| comparable(&self.root, l);
            ownership::check_owner(table, state.as_ref(), &owned, prefixes, &norm)?;
        }
        Ok(owned)
    }

    /// Remove a catalog entry (and its DuckDB object): only karte's staging tables and tables
    /// the catalog marks as managed.
    pub(super) fn drop_entry(
        &self,
        conn: &Connection,
        table: &TableRef,
    ) -> Result<(), EngineError> {
        if !table.name.contains(crate::project::names::STAGING_INFIX) {
            if let Some(state) = catalog::get(conn, table)? {
                if !state.managed {
                    return Err(EngineError::project(crate::t!(
                        "engine-refuse-drop-unmanaged",
                        table = table.to_string()
                    )));
                }
            }
        }
        catalog::drop_object(conn, table)?;
        catalog::remove(conn, table)
    }
}

/// A location as an absolute path string ending in `/`, `.` and `..` resolved lexically (for
/// comparing catalog entries; the delete itself compares canonical paths).
fn comparable(root: &Path, location: &str) -> String {
    let mut out = PathBuf::new();
    for c in catalog::resolve(root, location).components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    format!("{}/", out.display().to_string().trim_end_matches('/'))
}

/// The canonical path of `p` (symlinks and `..` resolved), or None if it does not exist.
fn canonical(p: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(p).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::plan::step::{Action, Step};

    fn engine() -> (tempfile::TempDir, LocalEngine) {
        let dir = tempfile::tempdir().unwrap();
        let e = LocalEngine::open(dir.path(), "target/lake").unwrap();
        (dir, e)
    }

    fn put(dir: &Path, rel: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "x").unwrap();
    }

    #[test]
    fn a_delete_cannot_escape_by_dot_dot_or_symlink() {
        let (tmp, e) = engine();
        let d = tmp.path();
        put(d, "outside/keep.txt");
        put(d, "target/lake/silver/t/run1/a.parquet");
        let escape = "target/lake/silver/t/../../../../outside";
        assert!(e.delete_dir(escape, escape).is_err());
        assert!(d.join("outside/keep.txt").exists());
        // A table directory that is a symlink to somewhere else.
        std::fs::create_dir_all(d.join("target/lake/gold")).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.join("outside"), d.join("target/lake/gold/g")).unwrap();
            put(d, "outside/run1/keep.txt");
            assert!(e
                .delete_dir("target/lake/gold/g/run1", "target/lake/gold/g/")
                .is_err());
            assert!(d.join("outside/run1/keep.txt").exists());
        }
        // Inside the owned prefix: deleted.
        e.delete_dir("target/lake/silver/t/run1", "target/lake/silver/t/")
            .unwrap();
        assert!(!d.join("target/lake/silver/t/run1").exists());
        // The lake itself: never.
        put(d, "target/lake/x/y.parquet");
        assert!(e.delete_dir("target/lake", "target/lake").is_err());
        assert!(d.join("target/lake/x/y.parquet").exists());
    }

    fn delete_step(prefix: &str, owned: &str) -> Step {
        Step {
            id: "t/03-delete-prefix".into(),
            action: Action::DeletePrefix {
                prefix: prefix.into(),
                owner: TableRef {
                    schema: "silver".into(),
                    name: "t".into(),
                },
                owned_prefix: owned.into(),
                reason: "test".into(),
            },
            depends_on: Vec::new(),
            destroys: Vec::new(),
            idempotency_key: "k".into(),
        }
    }

    fn register(e: &LocalEngine, owned: &str, location: &str) {
        let state = serde_json::from_value(serde_json::json!({
            "kind": "hive", "managed": true, "owned_prefix": owned, "location": location,
        }))
        .unwrap();
        let t = TableRef {
            schema: "silver".into(),
            name: "t".into(),
        };
        e.with_conn(|c| catalog::put(c, &t, &state)).unwrap();
    }

    #[test]
    fn a_delete_prefix_step_checks_its_owner_when_it_runs() {
        let (tmp, e) = engine();
        let d = tmp.path();
        let owned = "target/lake/silver/t/";
        for run in ["r1", "r2"] {
            put(d, &format!("target/lake/silver/t/{run}/a.parquet"));
        }
        register(&e, owned, "target/lake/silver/t/r2/");
        // What the table reads now, or a prefix containing it: refused.
        for p in ["target/lake/silver/t/r2/", "target/lake/silver/t/"] {
            let err = e
                .run_step(&delete_step(p, owned), &Default::default())
                .unwrap_err();
            assert!(err.message.contains("current location"), "{}", err.message);
        }
        // The catalog names a wider prefix than the layout: refused, naming both.
        register(&e, "target/lake/", "target/lake/silver/t/r2/");
        let err = e
            .run_step(
                &delete_step("target/lake/silver/t/r1/", owned),
                &Default::default(),
            )
            .unwrap_err();
        assert!(
            err.message.contains("target/lake/,") && err.message.contains(owned),
            "{}",
            err.message
        );
        assert!(d.join("target/lake/silver/t/r1/a.parquet").exists());
        // As planned: the old version goes.
        register(&e, owned, "target/lake/silver/t/r2/");
        e.run_step(
            &delete_step("target/lake/silver/t/r1/", owned),
            &Default::default(),
        )
        .unwrap();
        assert!(!d.join("target/lake/silver/t/r1").exists());
        assert!(d.join("target/lake/silver/t/r2/a.parquet").exists());
    }
}
