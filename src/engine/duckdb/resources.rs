//! How much of the machine DuckDB may use: its `memory_limit` and `threads`, from the target
//! (`memory_limit:`, `duckdb_threads:` in karte.yml) or, by default, from the machine — not
//! DuckDB's own defaults (80 % of the memory, which a wide join or window fills before it
//! spills). See docs/local-engine.md ("Memory and threads").

use crate::engine::EngineError;
use crate::project::TargetConfig;

/// DuckDB's memory limit and worker threads for one local engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resources {
    /// Bytes DuckDB may hold in memory before it spills to `target/karte.duckdb.tmp`.
    pub memory_limit: u64,
    /// DuckDB's worker threads (per process, shared by the models running at once).
    pub threads: usize,
}

/// The default memory limit: this share of the machine's memory (its cgroup limit, if lower).
const MEMORY_SHARE: u64 = 4;
/// Never less than this, whatever the machine says.
const MIN_MEMORY: u64 = 256 << 20;

impl Resources {
    /// The defaults for this machine: a quarter of its memory, one thread per core.
    pub fn machine() -> Resources {
        Resources {
            memory_limit: (machine_memory() / MEMORY_SHARE).max(MIN_MEMORY),
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }

    /// The target's settings, else the machine's defaults. A limit karte cannot read is an
    /// error naming the setting and what it accepts.
    pub fn of(config: &TargetConfig) -> Result<Resources, EngineError> {
        let mut r = Resources::machine();
        if let Some(text) = &config.memory_limit {
            r.memory_limit = parse_size(text).ok_or_else(|| {
                EngineError::project(crate::t!("engine-bad-memory-limit", value = text.clone()))
            })?;
        }
        if let Some(n) = config.duckdb_threads {
            if n == 0 {
                return Err(EngineError::project(crate::t!("engine-bad-duckdb-threads")));
            }
            r.threads = n as usize;
        }
        Ok(r)
    }

    /// The `SET` statements that give DuckDB these resources.
    pub fn sql(&self) -> String {
        format!(
            "SET memory_limit = '{}KiB'; SET threads = {};",
            self.memory_limit / 1024,
            self.threads
        )
    }
}

/// A size as written in karte.yml: a number with `KB`/`MB`/`GB`/`TB` (powers of 1000) or
/// `KiB`/`MiB`/`GiB`/`TiB` (powers of 1024), or a percentage of the machine's memory (`25%`).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    if let Some(p) = t.strip_suffix('%') {
        let p: f64 = p.trim().parse().ok()?;
        if !(p > 0.0 && p <= 100.0) {
            return None;
        }
        return Some((machine_memory() as f64 * p / 100.0) as u64);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "tb" => 1000 * 1000 * 1000 * 1000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => return None,
    };
    let bytes = number * scale as f64;
    (bytes >= MIN_MEMORY as f64).then_some(bytes as u64)
}

/// The machine's memory in bytes: `MemTotal` of /proc/meminfo, or the cgroup's limit when it
/// is lower (a container); 8 GiB where neither can be read.
fn machine_memory() -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kib| kib * 1024)
    });
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok());
    match (total, cgroup) {
        (Some(t), Some(c)) => t.min(c),
        (Some(t), None) => t,
        (None, Some(c)) => c,
        (None, None) => 8 << 30,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_written() {
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("1.5 GB"), Some(1_500_000_000));
        assert_eq!(parse_size("512MiB"), Some(512 << 20));
        assert!(parse_size("50%").unwrap() >= machine_memory() / 2 - 1);
        // Too small, no unit, nonsense, an impossible share.
        assert_eq!(parse_size("1MB"), None);
        assert_eq!(parse_size("4"), None);
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("150%"), None);
    }

    #[test]
    fn the_target_overrides_the_machine() {
        let config = TargetConfig {
            memory_limit: Some("1GiB".into()),
            duckdb_threads: Some(3),
            ..Default::default()
        };
        let r = Resources::of(&config).unwrap();
        assert_eq!((r.memory_limit, r.threads), (1 << 30, 3));
        let machine = Resources::of(&TargetConfig::default()).unwrap();
        assert_eq!(machine, Resources::machine());
        assert!(machine.memory_limit <= machine_memory() / 4 + MIN_MEMORY);
        let bad = TargetConfig {
            memory_limit: Some("lots".into()),
            ..Default::default()
        };
        assert!(Resources::of(&bad).unwrap_err().message.contains("lots"));
    }
}
