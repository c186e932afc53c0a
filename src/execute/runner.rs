//! Runs jobs in dependency order on N threads. A job whose upstream failed is skipped (the rest
//! go on); Ctrl-C stops scheduling new jobs and lets running ones finish.
//!
//! Among the jobs ready to start, the one on the longest remaining path starts first: its own
//! expected duration plus the longest chain of jobs that wait on it ([`priorities`], durations
//! from earlier runs where known). On Athena, where a run is a few long queries at a bounded
//! concurrency, this is what keeps the longest chain from starting last (list scheduling by
//! critical path; `tests/bench/schedule.rs` compares it with first-come order).

use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use super::results::{NodeResult, Status};

/// One unit of work.
#[derive(Debug, Clone)]
pub struct Job<T> {
    /// Unique id.
    pub unique_id: String,
    /// Short name.
    pub name: String,
    /// `model`, `seed`, `snapshot`, `test`.
    pub kind: String,
    /// Indexes of jobs that must succeed first.
    pub deps: Vec<usize>,
    /// How long it took last time, in seconds, if known (for the order of ready jobs).
    pub expected: Option<f64>,
    /// What to run.
    pub work: T,
}

/// Something that happened, for progress displays.
pub enum Event<'a> {
    /// A job started.
    Started(usize),
    /// A job ended (or was skipped).
    Finished(usize, &'a NodeResult),
}

struct State {
    remaining_deps: Vec<usize>,
    /// Ready jobs, highest priority first, then job order.
    ready: BTreeSet<(Reverse<u64>, usize)>,
    results: Vec<Option<NodeResult>>,
    running: usize,
    done: usize,
}

/// Run `jobs` with `exec` on `threads` threads; returns one result per job, in job order.
pub fn run<T: Sync>(
    jobs: &[Job<T>],
    threads: usize,
    cancel: &AtomicBool,
    exec: &(dyn Fn(&Job<T>) -> NodeResult + Sync),
    on_event: &(dyn Fn(Event) + Sync),
) -> Vec<NodeResult> {
    let n = jobs.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, j) in jobs.iter().enumerate() {
        for &d in &j.deps {
            children[d].push(i);
        }
    }
    // One at a time, the order cannot change when the run ends: keep the plan's order (the
    // same every run, which call-sequence tests and people reading logs rely on).
    let priority = if threads <= 1 {
        vec![0; n]
    } else {
        priorities(jobs, &children)
    };
    let state = Mutex::new(State {
        remaining_deps: jobs.iter().map(|j| j.deps.len()).collect(),
        ready: (0..n)
            .filter(|&i| jobs[i].deps.is_empty())
            .map(|i| (Reverse(priority[i]), i))
            .collect(),
        results: vec![None; n],
        running: 0,
        done: 0,
    });
    let wake = Condvar::new();

    let finish = |st: &mut State, i: usize, result: NodeResult| {
        let blocks = result.status.blocks();
        on_event(Event::Finished(i, &result));
        st.results[i] = Some(result);
        st.done += 1;
        let mut stack = vec![i];
        while let Some(k) = stack.pop() {
            for &c in &children[k] {
                if st.results[c].is_some() {
                    continue;
                }
                if blocks {
                    let upstream = &jobs[i];
                    let skipped = NodeResult {
                        message: Some(crate::t!(
                            "run-skipped-upstream",
                            upstream = upstream.name.as_str()
                        )),
                        ..skipped_result(&jobs[c])
                    };
                    on_event(Event::Finished(c, &skipped));
                    st.results[c] = Some(skipped);
                    st.done += 1;
                    st.ready.remove(&(Reverse(priority[c]), c));
                    stack.push(c);
                } else if k == i {
                    st.remaining_deps[c] -= 1;
                    if st.remaining_deps[c] == 0 {
                        st.ready.insert((Reverse(priority[c]), c));
                    }
                }
            }
        }
    };

    std::thread::scope(|scope| {
        for _ in 0..threads.max(1).min(n.max(1)) {
            scope.spawn(|| loop {
                let next = {
                    let mut st = state.lock().expect("runner state");
                    loop {
                        if st.done == n {
                            wake.notify_all();
                            return;
                        }
                        if cancel.load(Ordering::SeqCst) {
                            // Interrupted: mark what has not started, once nothing runs.
                            if st.running == 0 {
                                for (i, job) in jobs.iter().enumerate() {
                                    if st.results[i].is_none() {
                                        let r = NodeResult {
                                            message: Some(
                                                "skipped: the run was interrupted".into(),
                                            ),
                                            ..skipped_result(job)
                                        };
                                        on_event(Event::Finished(i, &r));
                                        st.results[i] = Some(r);
                                        st.done += 1;
                                    }
                                }
                                st.ready.clear();
                                wake.notify_all();
                                return;
                            }
                        } else if let Some((_, i)) = st.ready.pop_first() {
                            st.running += 1;
                            break i;
                        }
                        st = wake
                            .wait_timeout(st, Duration::from_millis(200))
                            .expect("runner state")
                            .0;
                    }
                };
                on_event(Event::Started(next));
                let started = Instant::now();
                let mut result = exec(&jobs[next]);
                result.execution_time = round_ms(started.elapsed().as_secs_f64());
                let mut st = state.lock().expect("runner state");
                st.running -= 1;
                finish(&mut st, next, result);
                wake.notify_all();
            });
        }
    });
    state
        .into_inner()
        .expect("runner state")
        .results
        .into_iter()
        .map(|r| r.expect("every job has a result"))
        .collect()
}

/// Each job's priority: its expected duration (milliseconds) plus the largest priority of the
/// jobs that wait on it — the length of the longest chain of work it starts. A job with no
/// known duration counts as the median of the known ones (1 s when none is known), so a first
/// run orders by the number of jobs on the chain.
pub fn priorities<T>(jobs: &[Job<T>], children: &[Vec<usize>]) -> Vec<u64> {
    let mut known: Vec<u64> = jobs.iter().filter_map(|j| j.expected.map(ms)).collect();
    known.sort_unstable();
    let default = known.get(known.len() / 2).copied().unwrap_or(1000).max(1);
    let weight = |j: &Job<T>| j.expected.map(ms).unwrap_or(default).max(1);
    // Children before parents: a reverse topological order (Kahn's, from the sinks).
    let n = jobs.len();
    let mut waiting: Vec<usize> = children.iter().map(Vec::len).collect();
    let mut queue: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut priority = vec![0u64; n];
    while let Some(i) = queue.pop() {
        let longest = children[i].iter().map(|&c| priority[c]).max().unwrap_or(0);
        priority[i] = weight(&jobs[i]).saturating_add(longest);
        for &d in &jobs[i].deps {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                queue.push(d);
            }
        }
    }
    priority
}

fn ms(seconds: f64) -> u64 {
    (seconds.max(0.0) * 1000.0).round() as u64
}

/// A job not run.
fn skipped_result<T>(job: &Job<T>) -> NodeResult {
    NodeResult::new(&job.unique_id, &job.name, &job.kind, Status::Skipped)
}

fn round_ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(name: &str, deps: Vec<usize>) -> Job<bool> {
        Job {
            unique_id: format!("model.p.{name}"),
            name: name.into(),
            kind: "model".into(),
            deps,
            expected: None,
            work: name == "b",
        }
    }

    #[test]
    fn skips_downstream_of_a_failure_and_runs_the_rest() {
        // a → b(fails) → c; a → d
        let jobs = vec![
            job("a", vec![]),
            job("b", vec![0]),
            job("c", vec![1]),
            job("d", vec![0]),
        ];
        let cancel = AtomicBool::new(false);
        let exec = |j: &Job<bool>| {
            let status = if j.work {
                Status::Error
            } else {
                Status::Success
            };
            NodeResult::new(&j.unique_id, &j.name, &j.kind, status)
        };
        let results = run(&jobs, 2, &cancel, &exec, &|_| {});
        let statuses: Vec<Status> = results.iter().map(|r| r.status.clone()).collect();
        assert_eq!(
            statuses,
            vec![
                Status::Success,
                Status::Error,
                Status::Skipped,
                Status::Success
            ]
        );
        assert!(results[2].message.as_deref().unwrap().contains("`b`"));
    }

    #[test]
    fn cancel_skips_everything_not_started() {
        let jobs = vec![job("a", vec![]), job("c", vec![0])];
        let cancel = AtomicBool::new(true);
        let exec = |_: &Job<bool>| unreachable!("nothing runs after cancel");
        let results = run(&jobs, 1, &cancel, &exec, &|_| {});
        assert!(results.iter().all(|r| r.status == Status::Skipped));
    }

    /// Discrete-event simulation of the runner's policy: `slots` jobs at a time, ready jobs
    /// started in `priority` order (ties by job order, as the runner breaks them). Returns the
    /// makespan.
    fn simulate(jobs: &[Job<()>], took: &[f64], slots: usize, priority: &[u64]) -> f64 {
        let n = jobs.len();
        let mut children = vec![Vec::new(); n];
        for (i, j) in jobs.iter().enumerate() {
            for &d in &j.deps {
                children[d].push(i);
            }
        }
        let mut waiting: Vec<usize> = jobs.iter().map(|j| j.deps.len()).collect();
        let mut ready: BTreeSet<(Reverse<u64>, usize)> = (0..n)
            .filter(|&i| waiting[i] == 0)
            .map(|i| (Reverse(priority[i]), i))
            .collect();
        // Running jobs as (end time, job).
        let mut running: Vec<(f64, usize)> = Vec::new();
        let mut now = 0.0f64;
        let mut done = 0;
        while done < n {
            while running.len() < slots {
                let Some((_, i)) = ready.pop_first() else {
                    break;
                };
                running.push((now + took[i], i));
            }
            running.sort_by(|a, b| b.0.total_cmp(&a.0));
            let (end, i) = running.pop().expect("a job runs");
            now = end;
            done += 1;
            for &c in &children[i] {
                waiting[c] -= 1;
                if waiting[c] == 0 {
                    ready.insert((Reverse(priority[c]), c));
                }
            }
        }
        now
    }

    /// A generated lake: bronze tables read by silver models (1–3 each), gold marts over silver
    /// (2–6 each), a test after most nodes; query times from a heavy-tailed latency model
    /// (most queries 5–40 s, one in ten 2–6 minutes). Jobs in the order a plan lists them.
    fn lake(seed: u64) -> (Vec<Job<()>>, Vec<f64>) {
        use rand::{Rng, SeedableRng};
        struct Lake {
            rng: rand_chacha::ChaCha8Rng,
            jobs: Vec<Job<()>>,
            took: Vec<f64>,
        }
        impl Lake {
            fn add(&mut self, deps: Vec<usize>, kind: &str) -> usize {
                let t = if kind == "test" {
                    self.rng.random_range(2.0..8.0)
                } else if self.rng.random_bool(0.1) {
                    self.rng.random_range(120.0..360.0)
                } else {
                    self.rng.random_range(5.0..40.0)
                };
                let i = self.jobs.len();
                self.jobs.push(Job {
                    unique_id: format!("{kind}.{i}"),
                    name: format!("j{i}"),
                    kind: kind.into(),
                    deps,
                    expected: None,
                    work: (),
                });
                self.took.push(t);
                i
            }
        }
        let mut l = Lake {
            rng: rand_chacha::ChaCha8Rng::seed_from_u64(seed),
            jobs: Vec::new(),
            took: Vec::new(),
        };
        let n_silver = l.rng.random_range(20..60);
        let silver: Vec<usize> = (0..n_silver).map(|_| l.add(Vec::new(), "model")).collect();
        let mut marts = Vec::new();
        for _ in 0..l.rng.random_range(10..40) {
            let k = l.rng.random_range(1..=6usize);
            let mut deps: Vec<usize> = (0..k)
                .map(|_| silver[l.rng.random_range(0..silver.len())])
                .collect();
            deps.sort_unstable();
            deps.dedup();
            marts.push(l.add(deps, "model"));
        }
        // Reports over marts: the long chains.
        for _ in 0..l.rng.random_range(3..10) {
            let a = marts[l.rng.random_range(0..marts.len())];
            let r = l.add(vec![a], "model");
            if l.rng.random_bool(0.5) {
                l.add(vec![r], "model");
            }
        }
        for i in 0..l.jobs.len() {
            if l.rng.random_bool(0.7) {
                l.add(vec![i], "test");
            }
        }
        (l.jobs, l.took)
    }

    fn lower_bound(jobs: &[Job<()>], took: &[f64], slots: usize) -> f64 {
        let mut children = vec![Vec::new(); jobs.len()];
        for (i, j) in jobs.iter().enumerate() {
            for &d in &j.deps {
                children[d].push(i);
            }
        }
        let exact: Vec<Job<()>> = jobs
            .iter()
            .zip(took)
            .map(|(j, &t)| Job {
                expected: Some(t),
                ..j.clone()
            })
            .collect();
        let path = priorities(&exact, &children).into_iter().max().unwrap_or(0) as f64 / 1000.0;
        path.max(took.iter().sum::<f64>() / slots as f64)
    }

    #[test]
    fn longest_path_first_is_near_the_lower_bound_and_beats_job_order() {
        let slots = 5; // Athena's default DML concurrency is far higher; a workgroup cap is not.
        let (mut cp_ratio, mut fifo_ratio, mut cold_ratio) = (Vec::new(), Vec::new(), Vec::new());
        for seed in 0..40 {
            let (jobs, took) = lake(seed);
            let mut children = vec![Vec::new(); jobs.len()];
            for (i, j) in jobs.iter().enumerate() {
                for &d in &j.deps {
                    children[d].push(i);
                }
            }
            let lb = lower_bound(&jobs, &took, slots);
            // Durations known from the last run (as the runner reads them from the journals).
            let known: Vec<Job<()>> = jobs
                .iter()
                .zip(&took)
                .map(|(j, &t)| Job {
                    expected: Some(t),
                    ..j.clone()
                })
                .collect();
            let cp = simulate(&jobs, &took, slots, &priorities(&known, &children));
            // A first run: no durations, chains counted by jobs.
            let cold = simulate(&jobs, &took, slots, &priorities(&jobs, &children));
            let fifo = simulate(&jobs, &took, slots, &vec![0; jobs.len()]);
            // (Priorities are whole milliseconds: the bound may be rounded up a little.)
            assert!(cp >= lb - 0.001 * jobs.len() as f64, "the bound is a bound");
            cp_ratio.push(cp / lb);
            cold_ratio.push(cold / lb);
            fifo_ratio.push(fifo / lb);
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let worst = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
        let report = format!(
            "makespan / lower bound over 40 lakes: longest path first mean {:.3} worst {:.3}; without durations mean {:.3} worst {:.3}; job order mean {:.3} worst {:.3}",
            mean(&cp_ratio),
            worst(&cp_ratio),
            mean(&cold_ratio),
            worst(&cold_ratio),
            mean(&fifo_ratio),
            worst(&fifo_ratio)
        );
        eprintln!("{report}");
        assert!(mean(&cp_ratio) <= 1.05, "{report}");
        assert!(mean(&cp_ratio) < mean(&fifo_ratio), "{report}");
        assert!(mean(&cold_ratio) <= mean(&fifo_ratio), "{report}");
    }
}
