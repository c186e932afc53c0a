//! Test hooks that simulate a kill (`KARTE_FAILPOINT`), read once per process. Unset, every
//! hook is one load of an initialised `OnceLock` and a compare.
//!
//! - `exit-after:<step id>` / `exit-before:<step id>`: exit right after the step is journaled as
//!   done, or right after it is journaled as started (before it runs); see
//!   [`crate::execute::journal::failpoint`].
//! - `exit-at-op:<n>`: exit right after the n-th engine operation of the process took effect;
//!   `exit-before-op:<n>`: right before it. `exit-at-op:<step id>:<k>` and
//!   `exit-before-op:<step id>:<k>`: the same at the k-th operation of that step in this
//!   process (a resumed run counts from its own start, so a test names a point inside a step
//!   this way, whatever ran before it). An operation is one thing that changes the lake or
//!   the catalog: locally each DuckDB statement that writes (and each COMMIT), each file or
//!   directory created, renamed or removed; on Athena each StartQueryExecution, each Glue write
//!   (CreateDatabase, CreateTable, UpdateTable, DeleteTable, Batch{Create,Update,Delete}Partition,
//!   BatchDeleteTableVersion) and each S3 PutObject / DeleteObjects of the lake (not the run
//!   lock's or the journal copy's, which are karte's own bookkeeping). Reads are not counted: a
//!   kill before a read is a kill after the write before it.
//! - `count-ops`: run normally, and print every operation to stderr as
//!   `karte-op <n> <step id> <what>`, so a test learns how many there are and which step each
//!   belongs to.
//!
//! Every exit is `std::process::exit(137)` (no cleanup, no journal line), as a kill leaves it.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// What `KARTE_FAILPOINT` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    /// Unset (or not about operations).
    Off,
    /// Exit at a step boundary: (`exit-after:` or `exit-before:`, step id).
    Step(String, String),
    /// Exit after (`true`: before) operation n.
    Op { n: u64, before: bool },
    /// Exit after (`true`: before) operation k of a step.
    StepOp { step: String, k: u64, before: bool },
    /// Print every operation.
    Count,
}

fn parse(value: Option<&str>) -> Mode {
    let Some(v) = value else {
        return Mode::Off;
    };
    if v == "count-ops" {
        return Mode::Count;
    }
    for (prefix, before) in [("exit-at-op:", false), ("exit-before-op:", true)] {
        let Some(rest) = v.strip_prefix(prefix) else {
            continue;
        };
        if let Ok(n) = rest.parse() {
            return Mode::Op { n, before };
        }
        if let Some((step, k)) = rest.rsplit_once(':') {
            if let Ok(k) = k.parse() {
                return Mode::StepOp {
                    step: step.to_string(),
                    k,
                    before,
                };
            }
        }
    }
    for kind in ["exit-after:", "exit-before:"] {
        if let Some(step) = v.strip_prefix(kind) {
            return Mode::Step(kind.to_string(), step.to_string());
        }
    }
    Mode::Off
}

fn mode() -> &'static Mode {
    static MODE: OnceLock<Mode> = OnceLock::new();
    MODE.get_or_init(|| parse(std::env::var("KARTE_FAILPOINT").ok().as_deref()))
}

static OPS: AtomicU64 = AtomicU64::new(0);
/// Operations of the step `exit-at-op:<step id>:<k>` names, so far.
static STEP_OPS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// The step (or test) whose work this thread is doing, for `count-ops` lines.
    static CURRENT: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn exit(what: &str) -> ! {
    eprintln!("KARTE_FAILPOINT: {what}");
    std::process::exit(137)
}

/// Exit if `KARTE_FAILPOINT` is `<kind><step>` (`kind` is `exit-after:` or `exit-before:`).
pub fn at_step(kind: &str, step: &str) {
    if let Mode::Step(k, s) = mode() {
        if k == kind && s == step {
            exit(&format!("{kind}{step}"));
        }
    }
}

/// True if operations are counted in this process (a test asked for it).
pub fn counting() -> bool {
    matches!(mode(), Mode::Op { .. } | Mode::StepOp { .. } | Mode::Count)
}

/// Name the step whose operations this thread performs until the guard is dropped (for
/// `count-ops` lines; nothing is done unless operations are counted).
pub fn working_on(work_id: &str) -> WorkGuard {
    if counting() {
        CURRENT.with(|c| *c.borrow_mut() = Some(work_id.to_string()));
        WorkGuard(true)
    } else {
        WorkGuard(false)
    }
}

/// See [`working_on`].
pub struct WorkGuard(bool);

impl Drop for WorkGuard {
    fn drop(&mut self) {
        if self.0 {
            CURRENT.with(|c| *c.borrow_mut() = None);
        }
    }
}

/// One engine operation about to happen: counted, and the process exits here if it is the one
/// `exit-before-op:<n>` names. Call [`Op::done`] once it took effect. `what` describes it
/// (only called when operations are counted).
#[must_use = "call .done() once the operation took effect"]
pub fn op(what: impl FnOnce() -> String) -> Op {
    let (target, before) = match mode() {
        Mode::Op { n, before } => (*n, *before),
        Mode::Count => (0, false),
        Mode::StepOp { step, k, before } => {
            if CURRENT.with(|c| c.borrow().as_deref() != Some(step.as_str())) {
                return Op(None);
            }
            let n = STEP_OPS.fetch_add(1, Ordering::SeqCst) + 1;
            if n != *k {
                return Op(None);
            }
            let what = format!(
                "exit-{}-op:{step}:{k} ({})",
                if *before { "before" } else { "at" },
                what()
            );
            if *before {
                exit(&what);
            }
            return Op(Some(what));
        }
        Mode::Off | Mode::Step(..) => return Op(None),
    };
    let n = OPS.fetch_add(1, Ordering::SeqCst) + 1;
    let what = what();
    if matches!(mode(), Mode::Count) {
        let step = CURRENT
            .with(|c| c.borrow().clone())
            .unwrap_or_else(|| "-".into());
        let line: String = what.split_whitespace().collect::<Vec<_>>().join(" ");
        let line: String = line.chars().take(160).collect();
        eprintln!("karte-op {n} {step} {line}");
    }
    if n == target && before {
        exit(&format!("exit-before-op:{n} ({what})"));
    }
    Op((n == target).then(|| format!("exit-at-op:{n} ({what})")))
}

/// An operation counted by [`op`].
pub struct Op(Option<String>);

impl Op {
    /// The operation took effect (or failed): exit if it is the one `exit-at-op:<n>` names.
    pub fn done(self) {
        if let Some(what) = self.0 {
            exit(&what);
        }
    }
}

/// Run `f` as one operation (see [`op`]).
pub fn around<T>(what: impl FnOnce() -> String, f: impl FnOnce() -> T) -> T {
    let op = op(what);
    let out = f();
    op.done();
    out
}

/// A test hook that simulates a kill: `KARTE_FAILPOINT=exit-after:<step id>` ends the process
/// at once (exit status 137, no cleanup) right after that step is journaled as done. See
/// [`op`] for the kills inside steps.
pub fn after_step(step: &str) {
    at_step("exit-after:", step);
}

/// `KARTE_FAILPOINT=exit-before:<step id>`: the same, right after the step is journaled as
/// started, before it runs.
pub fn before_step(step: &str) {
    at_step("exit-before:", step);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        assert_eq!(parse(None), Mode::Off);
        assert_eq!(parse(Some("count-ops")), Mode::Count);
        assert_eq!(
            parse(Some("exit-at-op:12")),
            Mode::Op {
                n: 12,
                before: false
            }
        );
        assert_eq!(
            parse(Some("exit-before-op:3")),
            Mode::Op { n: 3, before: true }
        );
        assert_eq!(
            parse(Some("exit-after:t/01-sql")),
            Mode::Step("exit-after:".into(), "t/01-sql".into())
        );
        assert_eq!(
            parse(Some("exit-at-op:i_overwrite/02-swap:3")),
            Mode::StepOp {
                step: "i_overwrite/02-swap".into(),
                k: 3,
                before: false
            }
        );
        assert_eq!(parse(Some("exit-at-op:x")), Mode::Off);
    }
}
