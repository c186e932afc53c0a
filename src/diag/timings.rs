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

/// Print a line about a stage (`timing <what>`), e.g. how much a cache held.
pub fn note(what: std::fmt::Arguments) {
    if enabled() {
        eprintln!("timing {what}");
    }
}

/// Resident memory now (Linux; 0 elsewhere).
fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096 / (1024 * 1024))
}

/// Totals per operation name, for [`span`]: (count, nanoseconds).
static SPANS: std::sync::Mutex<Vec<(&'static str, u64, u128)>> = std::sync::Mutex::new(Vec::new());

/// A timed operation (see [`span`]); its time is added to its name's total when dropped.
pub struct Span(Option<(&'static str, Instant)>);

/// Time one operation under `name` (summed per name over the process, across threads; printed
/// by [`report_spans`]). Free when `KARTE_TIMINGS` is unset.
pub fn span(name: &'static str) -> Span {
    Span(enabled().then(|| (name, Instant::now())))
}

impl Drop for Span {
    fn drop(&mut self) {
        if let Some((name, start)) = self.0.take() {
            let ns = start.elapsed().as_nanos();
            let mut all = SPANS.lock().unwrap_or_else(|e| e.into_inner());
            match all.iter_mut().find(|(n, _, _)| *n == name) {
                Some(entry) => {
                    entry.1 += 1;
                    entry.2 += ns;
                }
                None => all.push((name, 1, ns)),
            }
        }
    }
}

/// Print each [`span`] name's count and total time to stderr (`KARTE_TIMINGS=1`), largest first.
pub fn report_spans() {
    if !enabled() {
        return;
    }
    let mut all = SPANS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    all.sort_by_key(|e| std::cmp::Reverse(e.2));
    for (name, count, ns) in all {
        eprintln!(
            "timing {name:<24} {:>8.1} ms in {count} calls ({:.2} ms each)",
            ns as f64 / 1e6,
            ns as f64 / 1e6 / count as f64
        );
    }
}
