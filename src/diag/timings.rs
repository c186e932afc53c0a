//! Stage timings for profiling: with `KARTE_TIMINGS=1` in the environment, each stage of a
//! compile prints `timing <stage> <ms> <resident MiB>` to stderr. Off by default; costs one environment read.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("KARTE_TIMINGS").is_some_and(|v| v != "0" && !v.is_empty()))
}

/// A clock that reports the time since the last lap.
pub struct Clock(Instant);

impl Clock {
    /// Start timing.
    pub fn start() -> Self {
        Clock(Instant::now())
    }

    /// Report the stage that just ended and restart the clock.
    pub fn lap(&mut self, stage: &str) {
        if enabled() {
            eprintln!(
                "timing {stage:<24} {:>8.1} ms {:>6} MiB",
                self.0.elapsed().as_secs_f64() * 1e3,
                rss_mib()
            );
        }
        self.0 = Instant::now();
    }
}

/// Resident memory now (Linux; 0 elsewhere).
fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096 / (1024 * 1024))
}
