//! Kill points shared by the kill tests of both engines (kills.rs, athena_kills.rs): the
//! operations a `KARTE_FAILPOINT=count-ops` build lists, kill points at step boundaries, inside
//! steps and at operations drawn from a seed, chains of them, and end states compared with run
//! ids numbered by their order.

use std::path::Path;

/// The seed of the random kill points (override with `KARTE_KILL_SEED`).
pub(crate) const SEED: u64 = 20261203;

pub(crate) fn seed() -> u64 {
    std::env::var("KARTE_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED)
}

/// SplitMix64: a small seeded generator, the same on every machine.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One engine operation of a build, as `KARTE_FAILPOINT=count-ops` lists it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Op {
    pub(crate) n: u64,
    pub(crate) step: String,
    pub(crate) what: String,
}

/// The operations listed on a `count-ops` build's stderr.
pub(crate) fn ops_of(stderr: &str) -> Vec<Op> {
    stderr
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("karte-op ")?;
            let mut parts = rest.splitn(3, ' ');
            Some(Op {
                n: parts.next()?.parse().ok()?,
                step: parts.next()?.to_string(),
                what: parts.next().unwrap_or("").to_string(),
            })
        })
        .collect()
}

/// How a kill point was chosen (for the counts the test asserts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Right before or right after a step, at the journal.
    Boundary,
    /// Inside a step: before or after one of its operations.
    Inside,
    /// At an operation drawn from the seed.
    Random,
}

/// One kill point: the `KARTE_FAILPOINT` value, a label for messages.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    pub(crate) failpoint: String,
    pub(crate) label: String,
    pub(crate) kind: Kind,
}

/// Kill points of one run visited by a row of processes: the first starts the run and is
/// killed at the first point, each next one resumes the run and is killed at the next point,
/// and a last one finishes the run; then the end state is compared. A chain of one point is a
/// single kill.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    /// The run killed (1-based).
    pub(crate) run: usize,
    pub(crate) points: Vec<Point>,
}

impl Chain {
    /// The chain in messages: its run and its points.
    pub(crate) fn describe(&self, seed: u64) -> String {
        let points: Vec<String> = self
            .points
            .iter()
            .map(|p| format!("{} [{}]", p.failpoint, p.label))
            .collect();
        format!(
            "run {}, killed at {} (seed {seed})",
            self.run,
            points.join(", then at ")
        )
    }
}

/// Boundary points of `step`: right after it is journaled as started (before it ran: the rerun
/// must run it, once), or as done.
pub(crate) fn boundary(step: &str, after: bool) -> Point {
    Point {
        failpoint: format!(
            "{}:{step}",
            if after { "exit-after" } else { "exit-before" }
        ),
        label: "step boundary".into(),
        kind: Kind::Boundary,
    }
}

/// The point before (or right after) the k-th operation of `step`, named by the step (so that it
/// is found in a resumed process too).
pub(crate) fn step_op(ops: &[Op], step: &str, k: usize, before: bool) -> Point {
    let what = ops
        .iter()
        .filter(|o| o.step == step)
        .nth(k - 1)
        .map(|o| o.what.chars().take(100).collect::<String>())
        .unwrap_or_default();
    Point {
        failpoint: format!(
            "{}:{step}:{k}",
            if before {
                "exit-before-op"
            } else {
                "exit-at-op"
            }
        ),
        label: format!(
            "{} op {k} of {step}: {what}",
            if before { "before" } else { "after" }
        ),
        kind: Kind::Inside,
    }
}

/// The number of operations of `step` in `ops`.
pub(crate) fn ops_of_step(ops: &[Op], step: &str) -> usize {
    ops.iter().filter(|o| o.step == step).count()
}

/// `random` kill points at operations of the whole run drawn from `rng` (before or after,
/// drawn too), each a chain of its own.
pub(crate) fn random_points(run: usize, ops: &[Op], random: usize, rng: &mut Rng) -> Vec<Chain> {
    let mut taken = std::collections::HashSet::new();
    let mut chains = Vec::new();
    let mut tries = 0;
    while chains.len() < random && tries < 100 * random && !ops.is_empty() {
        tries += 1;
        let op = &ops[rng.below(ops.len() as u64) as usize];
        let before = rng.below(2) == 0;
        if taken.insert((op.n, before)) {
            let how = if before { "before" } else { "after" };
            chains.push(Chain {
                run,
                points: vec![Point {
                    failpoint: format!("exit-{}-op:{}", if before { "before" } else { "at" }, op.n),
                    label: format!(
                        "{how} op {} of the run, in {}: {}",
                        op.n,
                        op.step,
                        op.what.chars().take(100).collect::<String>()
                    ),
                    kind: Kind::Random,
                }],
            });
        }
    }
    chains
}

/// Kill points counted per kind (a point met again in another chain counts once).
pub(crate) fn count(chains: &[Chain]) -> (usize, usize, usize) {
    let mut seen = std::collections::HashSet::new();
    let (mut b, mut i, mut r) = (0, 0, 0);
    for c in chains {
        for p in &c.points {
            if seen.insert((c.run, p.failpoint.clone())) {
                match p.kind {
                    Kind::Boundary => b += 1,
                    Kind::Inside => i += 1,
                    Kind::Random => r += 1,
                }
            }
        }
    }
    (b, i, r)
}

/// What uninterrupted runs leave, per run: the end state after it, its steps, its operations.
pub(crate) struct Reference {
    pub(crate) after: Vec<Vec<String>>,
    pub(crate) steps: Vec<Vec<String>>,
    pub(crate) ops: Vec<Vec<Op>>,
}

/// Two workers built side by side (`new` makes one and its uninterrupted runs, `reference`
/// finds them), checked to have run the same, end state for end state and operation for
/// operation (the kill points are reproducible), with at least 20 steps in each of the first
/// two runs.
pub(crate) fn start_workers<W: Send>(new: fn() -> W, reference: fn(&W) -> &Reference) -> Vec<W> {
    let workers: Vec<W> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2).map(|_| s.spawn(new)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let r = reference(&workers[0]);
    for other in &workers[1..] {
        let o = reference(other);
        for (run, (a, b)) in r.after.iter().zip(&o.after).enumerate() {
            assert!(
                a == b,
                "uninterrupted runs {} differ:\n{}",
                run + 1,
                diff(a, b)
            );
        }
        let names = |ops: &[Vec<Op>]| -> Vec<Vec<String>> {
            ops.iter()
                .map(|o| o.iter().map(|op| op.step.clone()).collect())
                .collect()
        };
        assert_eq!(names(&r.ops), names(&o.ops), "operations differ");
    }
    assert!(
        r.steps[0].len() >= 20 && r.steps[1].len() >= 20,
        "{:?}",
        r.steps
    );
    workers
}

/// Runs `chains` on the workers ([`run_all`]), prints how many kill points of each kind were
/// tried (`engine` names them: "local", "Athena") and in how long since `started`, and fails
/// if a chain failed or there were fewer than 150 points.
pub(crate) fn run_and_check<W: Sync>(
    engine: &str,
    workers: &[W],
    chains: &[Chain],
    seed: u64,
    started: std::time::Instant,
    run: &(dyn Fn(&W, &Chain) -> Result<(), String> + Sync),
) {
    let failures = run_all(workers, chains, seed, run);
    let (b, i, rnd) = count(chains);
    eprintln!(
        "{engine} kill points: {} ({b} at step boundaries, {i} inside steps, {rnd} random; seed {seed}) in {:.0} s",
        b + i + rnd,
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {} chains of kill points failed (seed {seed}):\n{}",
        failures.len(),
        chains.len(),
        failures.join("\n\n")
    );
    assert!(b + i + rnd >= 150, "{} kill points", b + i + rnd);
}

/// Run `chains` on the workers (`run(worker, chain)`, two at a time), and when a chain of
/// several points fails, each of its points alone, to name the ones that fail by themselves.
pub(crate) fn run_all<W: Sync>(
    workers: &[W],
    chains: &[Chain],
    seed: u64,
    run: &(dyn Fn(&W, &Chain) -> Result<(), String> + Sync),
) -> Vec<String> {
    std::thread::scope(|s| {
        let handles: Vec<_> = workers
            .iter()
            .enumerate()
            .map(|(w, worker)| {
                let mine: Vec<&Chain> = chains.iter().skip(w).step_by(workers.len()).collect();
                s.spawn(move || {
                    let mut failures = Vec::new();
                    for chain in mine {
                        let Err(e) = run(worker, chain) else { continue };
                        let mut alone = Vec::new();
                        if chain.points.len() > 1 {
                            for p in &chain.points {
                                let single = Chain {
                                    run: chain.run,
                                    points: vec![p.clone()],
                                };
                                if let Err(e) = run(worker, &single) {
                                    alone.push(format!("{} alone: {e}", p.failpoint));
                                }
                            }
                            alone.insert(
                                0,
                                format!("each point of that chain alone: {} fail", alone.len()),
                            );
                        }
                        failures.push(format!(
                            "{}: {e}{}",
                            chain.describe(seed),
                            alone
                                .iter()
                                .map(|a| format!("\n    {a}"))
                                .collect::<String>()
                        ));
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

/// `run_20261203_104336_717` → `{run1}`, … in the order of the run ids (their time).
pub(crate) fn number_runs(lines: Vec<String>) -> Vec<String> {
    let mut ids = std::collections::BTreeSet::new();
    for l in &lines {
        let mut rest = l.as_str();
        while let Some(i) = rest.find("run_") {
            let id: String = rest[i..].chars().take(23).collect();
            let b = id.as_bytes();
            if b.len() == 23
                && b[4..12].iter().all(u8::is_ascii_digit)
                && b[12] == b'_'
                && b[13..19].iter().all(u8::is_ascii_digit)
                && b[19] == b'_'
                && b[20..23].iter().all(u8::is_ascii_digit)
            {
                ids.insert(id);
            }
            rest = &rest[i + 4..];
        }
    }
    lines
        .into_iter()
        .map(|mut l| {
            for (k, id) in ids.iter().enumerate() {
                l = l.replace(id.as_str(), &format!("{{run{}}}", k + 1));
            }
            l
        })
        .collect()
}

/// The step ids of the newest run, in the order they finished.
pub(crate) fn steps_of_latest_run(dir: &Path) -> Vec<String> {
    let events =
        std::fs::read_to_string(crate::support::latest_journal(dir).join("events.jsonl")).unwrap();
    events
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "done")
        .map(|e| e["step"].as_str().unwrap().to_string())
        .collect()
}

/// The lines `want` has more often than `got` (-), and the other way round (+).
pub(crate) fn diff(want: &[String], got: &[String]) -> String {
    let mut counts: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for w in want {
        counts.entry(w).or_default().0 += 1;
    }
    for g in got {
        counts.entry(g).or_default().1 += 1;
    }
    let mut out = Vec::new();
    for (line, (w, g)) in counts {
        let times = |n: usize| {
            if n > 1 {
                format!(" (×{n})")
            } else {
                String::new()
            }
        };
        if w > g {
            out.push(format!("  - {line}{}", times(w - g)));
        } else if g > w {
            out.push(format!("  + {line}{}", times(g - w)));
        }
    }
    if out.is_empty() {
        out.push("  (the same lines in another order)".into());
    }
    out.join("\n")
}
