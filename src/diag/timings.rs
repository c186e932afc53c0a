//! Stage timings for profiling: with `KARTE_TIMINGS=1` in the environment, each stage of a
//! compile prints `timing <stage> <ms>` to stderr. Off by default; costs one environment read.

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
            eprintln!("timing {stage:<24} {:>8.1} ms", self.0.elapsed().as_secs_f64() * 1e3);
        }
        self.0 = Instant::now();
    }
}
