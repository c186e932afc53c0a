//! Runs jobs in dependency order on N threads. A job whose upstream failed is skipped (the rest
//! go on); Ctrl-C stops scheduling new jobs and lets running ones finish.

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
    ready: BTreeSet<usize>,
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
    let state = Mutex::new(State {
        remaining_deps: jobs.iter().map(|j| j.deps.len()).collect(),
        ready: (0..n).filter(|&i| jobs[i].deps.is_empty()).collect(),
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
                        message: Some(format!(
                            "skipped: upstream `{}` did not succeed",
                            upstream.name
                        )),
                        ..skipped_result(&jobs[c])
                    };
                    on_event(Event::Finished(c, &skipped));
                    st.results[c] = Some(skipped);
                    st.done += 1;
                    st.ready.remove(&c);
                    stack.push(c);
                } else if k == i {
                    st.remaining_deps[c] -= 1;
                    if st.remaining_deps[c] == 0 {
                        st.ready.insert(c);
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
                        } else if let Some(i) = st.ready.pop_first() {
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
}
