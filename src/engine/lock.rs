//! One run at a time per target. A build takes the target's run lock before it writes anything
//! (before the journal, before any schema or table) and holds it to the end; a second build on
//! the same target is refused with who holds the lock and since when.
//!
//! - **Local engine**: an operating-system lock (`flock`) on `<lake>/_karte/locks/<target>.lock`,
//!   which holds the holder's description. The system releases it when the process ends, however
//!   it ends, so a killed build never leaves a stale lock behind.
//! - **Athena**: an S3 object `<lake_root>_karte/locks/<target>.json` created with a conditional
//!   write (`If-None-Match: *`: only one writer can create it), holding the holder and a lease
//!   that a background task renews (`If-Match` on the object's ETag) while the run goes on, and
//!   deleted (`If-Match`) at the end. A lease that ran out belongs to a run that died without
//!   releasing it: `--break-lock` takes it over (conditionally, so two breakers cannot both win).

use serde::{Deserialize, Serialize};

use super::EngineError;

/// Who holds (or asks for) a target's lock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    /// The command (`build`, `run`, …).
    pub command: String,
    /// Host name.
    pub host: String,
    /// Process id.
    pub pid: u32,
    /// When the lock was taken (RFC 3339, UTC).
    pub since: String,
    /// Until when the lease runs unless renewed (RFC 3339, UTC; Athena only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The kernel's boot id (Linux), so that "the same machine" is not guessed from a host
    /// name alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_id: Option<String>,
}

impl Holder {
    /// This process, running `command`.
    pub fn this_process(command: &str) -> Holder {
        Holder {
            command: command.to_string(),
            host: host_name(),
            pid: std::process::id(),
            since: now_rfc3339(),
            expires: None,
            boot_id: boot_id(),
        }
    }

    /// True if `other` describes the same process and lock taking as this holder (its lease
    /// may differ).
    pub fn is_same_taking(&self, other: &Holder) -> bool {
        (&self.host, self.pid, &self.since, &self.boot_id)
            == (&other.host, other.pid, &other.since, &other.boot_id)
    }

    /// True if the holder ran on this very machine (same host name and boot) and its process
    /// is gone: then it certainly died, whatever its lease says.
    pub fn is_dead_here(&self) -> bool {
        let here = boot_id();
        here.is_some()
            && self.boot_id == here
            && self.host == host_name()
            && self.pid != std::process::id()
            && !std::path::Path::new(&format!("/proc/{}", self.pid)).exists()
    }

    /// One line for messages.
    pub fn describe(&self) -> String {
        let lease = self
            .expires
            .as_ref()
            .map(|e| crate::t!("lock-holder-lease", until = e))
            .unwrap_or_default();
        crate::t!(
            "lock-holder",
            command = self.command,
            host = self.host,
            pid = self.pid.to_string(),
            since = self.since,
            lease = lease
        )
    }
}

/// Held until dropped.
pub type LockGuard = Box<dyn Send>;

/// The refusal when another run holds the lock.
pub fn held_error(target: &str, holder: &Holder, stale: bool) -> EngineError {
    let mut msg = crate::t!("engine-locked", target = target, holder = holder.describe());
    if stale {
        msg.push_str(&crate::t!("engine-locked-stale"));
    } else {
        msg.push_str(&crate::t!("engine-locked-wait"));
    }
    EngineError::environment(msg).with_code(crate::diag::Code::RunLocked)
}

/// The kernel's boot id, where the system has one (Linux).
fn boot_id() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// A lock failure as a diagnostic (E503), keeping who has to act.
pub fn diagnostic(e: EngineError) -> crate::diag::Diagnostics {
    let code = e.code.unwrap_or(crate::diag::Code::RunLocked);
    crate::diag::Diagnostics(vec![e.with_code(code).into()])
}

/// The holder of any run lock under `<lake>/_karte/locks/` that is held right now (by another
/// process), with its target: why the local catalog is in use.
pub fn local_holder(lake: &std::path::Path) -> Option<(String, Holder)> {
    use std::io::Read;
    let dir = lake.join("_karte").join("locks");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "lock"))
        .collect();
    paths.sort();
    paths.into_iter().find_map(|path| {
        let mut file = std::fs::File::open(&path).ok()?;
        match file.try_lock_shared() {
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                file.read_to_string(&mut text).ok()?;
                let holder = serde_json::from_str(&text).ok()?;
                let target = path.file_stem()?.to_string_lossy().to_string();
                Some((target, holder))
            }
            _ => None,
        }
    })
}

/// The host name (from the environment or /etc/hostname; `unknown` if neither says).
pub fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Now, RFC 3339 in UTC with seconds.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The local engine's lock: an OS file lock on `<lake>/_karte/locks/<target>.lock`.
pub fn lock_local(
    lake: &std::path::Path,
    target: &str,
    holder: &Holder,
) -> Result<LockGuard, EngineError> {
    use std::io::{Read, Seek, Write};
    let dir = lake.join("_karte").join("locks");
    std::fs::create_dir_all(&dir).map_err(|e| {
        EngineError::environment(crate::t!(
            "engine-cannot-create",
            path = dir.display().to_string(),
            error = e.to_string()
        ))
    })?;
    let path = dir.join(format!("{target}.lock"));
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| {
            EngineError::environment(crate::t!(
                "engine-cannot-open",
                path = path.display().to_string(),
                error = e.to_string()
            ))
        })?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            let other = serde_json::from_str(&text).unwrap_or_else(|_| Holder {
                command: "?".into(),
                host: host_name(),
                pid: 0,
                since: "?".into(),
                expires: None,
                boot_id: None,
            });
            return Err(held_error(target, &other, false));
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(EngineError::environment(crate::t!(
                "engine-cannot-lock",
                path = path.display().to_string(),
                error = e.to_string()
            )))
        }
    }
    let body = serde_json::to_vec_pretty(holder).expect("holders serialise");
    file.set_len(0)
        .and_then(|_| file.rewind())
        .and_then(|_| file.write_all(&body))
        .and_then(|_| file.sync_data())
        .map_err(|e| {
            EngineError::environment(crate::t!(
                "engine-cannot-write",
                path = path.display().to_string(),
                error = e.to_string()
            ))
        })?;
    // Closing the file (dropping the guard, or the process ending) releases the lock.
    Ok(Box::new(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_local_lock_is_refused_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let me = Holder::this_process("build");
        let guard = lock_local(dir.path(), "dev", &me).unwrap();
        let err = lock_local(dir.path(), "dev", &Holder::this_process("run"))
            .err()
            .expect("refused");
        assert!(
            err.message.contains("target `dev` is locked"),
            "{}",
            err.message
        );
        assert!(err.message.contains("`karte build`"), "{}", err.message);
        // Another target is another lock.
        let other = lock_local(dir.path(), "prod", &me).unwrap();
        drop(guard);
        drop(other);
        lock_local(dir.path(), "dev", &me).expect("released when dropped");
    }
}
