//! Concurrency: threads arm, move and stop their timers while another
//! thread checks the set, and a ledger proves every arming ran exactly once
//! unless cancelled, never early and never later than the first check due
//! after it returned.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fastrand::Rng;
use gowheel::{ManualClock, NOT_ARMED};

use super::support::START;
use crate::harness::TestableSet;
use crate::panics::lock;

/// One arming of a timer by a worker: its `seq` and deadline, and the
/// number of the last check that had started when the arming returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct WorkerArming {
    seq: u64,
    when: i64,
    last_check_started: u64,
}

/// What one worker thread did to one of its timers, for the ledger.
#[derive(Default)]
struct WorkerLedger {
    /// The `seq` the timer's callback gets now.
    seq: u64,
    /// The arming no operation has resolved yet.
    open: Option<WorkerArming>,
    /// Armings that must have run exactly once.
    must_run: Vec<WorkerArming>,
    /// Armings that a `stop`, `reset` or `modify` returning true cancelled.
    cancelled: usize,
}

impl WorkerLedger {
    /// Accounts for an operation that returned `pending`: the open arming,
    /// if any, was cancelled (`pending`) or has run (not `pending`).
    fn resolve(&mut self, pending: bool, op: &str) {
        match (self.open.take(), pending) {
            (Some(_), true) => self.cancelled += 1,
            (Some(arming), false) => self.must_run.push(arming),
            (None, true) => panic!("{op} returned true for a timer that was not armed"),
            (None, false) => {}
        }
    }
}

/// One callback run seen by the concurrent test.
#[derive(Clone, Copy, Debug)]
struct CallbackRun {
    seq: u64,
    when: i64,
    delay: i64,
    /// The number of the check that ran it; [`FINAL_DRIVE`] for the
    /// single-threaded drive at the end.
    check: u64,
}

/// The check number of the single-threaded drive that ends the concurrent
/// test: after every check of the checker thread.
const FINAL_DRIVE: u64 = u64::MAX;

/// Multi-threaded smoke test: 4 threads each own 200 timers and move them
/// earlier and later, stop them and reset them at random for about half a
/// second, while another thread advances a shared clock and checks the set.
/// Then the clock runs far ahead. The ledger must balance:
///
/// * every arming that no true-returning operation cancelled ran exactly
///   once, for its own deadline and `seq`; cancelled ones never ran;
/// * no run was early (`delay >= 0`);
/// * no run was late: an arming that returned before check number `j`
///   started, with `j` at or past its deadline, ran in check `j` at the
///   latest (the checker numbers its checks in an atomic that workers read
///   after each arming);
/// * [`TimerSet::verify`](gowheel::TimerSet::verify) passes, and once everything has run and a last
///   check has purged the garbage, nothing is filed.
pub fn concurrent_operations_fire_every_arming_once<S: TestableSet>(new_set: impl Fn() -> S) {
    const WORKERS: usize = 4;
    const TIMERS_PER_WORKER: usize = 200;
    const RUN_FOR: Duration = Duration::from_millis(500);
    const MAX_OPS_PER_WORKER: usize = 1_000_000;

    let set = new_set();
    let clock = ManualClock::new(START);
    // The number of the check running or last run (0: none yet).
    let check_number = Arc::new(AtomicU64::new(0));
    let runs: Arc<Vec<Mutex<Vec<CallbackRun>>>> = Arc::new(
        (0..WORKERS * TIMERS_PER_WORKER)
            .map(|_| Mutex::default())
            .collect(),
    );
    let done = AtomicBool::new(false);
    let started = Instant::now();

    let (check_times, ledgers) = std::thread::scope(|scope| {
        let checker = scope.spawn(|| {
            let mut rng = Rng::with_seed(1);
            // `check_times[j - 1]` is the `now` of check number `j`.
            let mut check_times = Vec::new();
            // Relaxed: the flag carries no data; the scope's joins order
            // everything the workers did before the final drive.
            while !done.load(Ordering::Relaxed) {
                let now = clock.advance(rng.i64(1..=50));
                check_times.push(now);
                // SeqCst: a worker that loads a number below this one
                // loaded it before this store, so its arming returned
                // before this check starts.
                check_number.store(check_times.len() as u64, Ordering::SeqCst);
                set.check(now);
            }
            check_times
        });
        let workers: Vec<_> = (0..WORKERS)
            .map(|worker| {
                let (set, clock, runs, check_number) = (&set, &clock, &runs, &check_number);
                scope.spawn(move || {
                    let mut rng = Rng::with_seed(100 + worker as u64);
                    let first = worker * TIMERS_PER_WORKER;
                    let callbacks: Vec<_> = (first..first + TIMERS_PER_WORKER)
                        .map(|index| {
                            let (runs, clock) = (runs.clone(), clock.clone());
                            let check_number = check_number.clone();
                            gowheel::callback(move |seq, delay| {
                                // The checker (or the final drive) set both
                                // before this check; this is its thread.
                                let now = clock.now();
                                let check = check_number.load(Ordering::SeqCst);
                                lock(&runs[index]).push(CallbackRun {
                                    seq,
                                    when: now - delay,
                                    delay,
                                    check,
                                });
                            })
                        })
                        .collect();
                    let timers: Vec<_> =
                        callbacks.iter().map(|f| set.new_timer(f.clone())).collect();
                    let mut ledgers: Vec<WorkerLedger> = (0..TIMERS_PER_WORKER)
                        .map(|_| WorkerLedger::default())
                        .collect();
                    // SeqCst: see the checker's store.
                    let last_check_started = || check_number.load(Ordering::SeqCst);
                    for op in 0..MAX_OPS_PER_WORKER {
                        if op % 64 == 0 && started.elapsed() >= RUN_FOR {
                            break;
                        }
                        let i = rng.usize(..TIMERS_PER_WORKER);
                        let ledger = &mut ledgers[i];
                        let now = clock.now();
                        let (op, pending, arming) = match rng.u64(..20) {
                            0..=6 => {
                                let seq = ledger.seq + 1;
                                let when = now + rng.i64(1..=2_000);
                                let pending = set.modify(
                                    &timers[i],
                                    when,
                                    0,
                                    Some(callbacks[i].clone()),
                                    seq,
                                );
                                ledger.seq = seq;
                                ("modify", pending, Some(when))
                            }
                            7..=9 => {
                                let when = now + rng.i64(1..=20);
                                ("reset", set.reset(&timers[i], when, 0), Some(when))
                            }
                            10..=13 => {
                                let when = now + rng.i64(1..=2_000);
                                ("reset", set.reset(&timers[i], when, 0), Some(when))
                            }
                            _ => ("stop", set.stop(&timers[i]), None),
                        };
                        ledger.resolve(pending, op);
                        ledger.open = arming.map(|when| WorkerArming {
                            seq: ledger.seq,
                            when,
                            last_check_started: last_check_started(),
                        });
                    }
                    ledgers
                })
            })
            .collect();
        // Join everything before unwrapping, so that a failing worker
        // cannot leave the checker spinning forever.
        let ledgers: Vec<_> = workers.into_iter().map(|worker| worker.join()).collect();
        done.store(true, Ordering::Relaxed);
        let check_times = checker.join().expect("checker panicked");
        let ledgers: Vec<Vec<WorkerLedger>> = ledgers
            .into_iter()
            .map(|ledger| ledger.expect("worker panicked"))
            .collect();
        (check_times, ledgers)
    });

    // Drive everything still armed, single-threaded now.
    check_number.store(FINAL_DRIVE, Ordering::SeqCst);
    let end = clock.now() + 1_000_000;
    clock.run_until(&set, end);
    set.check(end);
    set.verify();
    assert_eq!(
        set.stats(),
        gowheel::TimerSetStats::default(),
        "all ran or were stopped and purged"
    );
    assert_eq!(set.wake_time(), NOT_ARMED);

    // The first check that started after the arming returned and was at or
    // past its deadline: the arming must have run by then.
    let due_by = |arming: &WorkerArming| -> u64 {
        let after = arming.last_check_started as usize; // checks 1..=after are excluded
        let later = &check_times[after.min(check_times.len())..];
        let offset = later.partition_point(|&now| now < arming.when);
        if offset < later.len() {
            (after + offset + 1) as u64
        } else {
            FINAL_DRIVE
        }
    };

    let (mut total_runs, mut total_cancelled) = (0, 0);
    for (index, mut ledger) in ledgers.into_iter().flatten().enumerate() {
        if let Some(arming) = ledger.open.take() {
            ledger.must_run.push(arming);
        }
        let seen = std::mem::take(&mut *lock(&runs[index]));
        for run in &seen {
            assert!(run.delay >= 0, "timer {index}: {run:?} ran early");
        }
        // Group armings and runs by (seq, when); within a group, match the
        // earliest-due arming with the earliest run.
        let mut expected: BTreeMap<(u64, i64), Vec<u64>> = BTreeMap::new();
        for arming in &ledger.must_run {
            expected
                .entry((arming.seq, arming.when))
                .or_default()
                .push(due_by(arming));
        }
        let mut actual: BTreeMap<(u64, i64), Vec<u64>> = BTreeMap::new();
        for run in &seen {
            actual
                .entry((run.seq, run.when))
                .or_default()
                .push(run.check);
        }
        let counts = |groups: &BTreeMap<(u64, i64), Vec<u64>>| -> Vec<((u64, i64), usize)> {
            groups
                .iter()
                .map(|(key, checks)| (*key, checks.len()))
                .collect()
        };
        assert_eq!(
            counts(&actual),
            counts(&expected),
            "timer {index}: runs ((seq, when), count) differ from the armings that must have run"
        );
        for (key, mut due) in expected {
            let mut ran = actual.remove(&key).expect("same keys");
            due.sort_unstable();
            ran.sort_unstable();
            for (due, ran) in due.into_iter().zip(ran) {
                assert!(
                    ran <= due,
                    "timer {index}: arming (seq, when) = {key:?} was due by check {due} but ran in check {ran}: late"
                );
            }
        }
        total_runs += ledger.must_run.len();
        total_cancelled += ledger.cancelled;
    }
    assert!(
        total_runs > 0 && total_cancelled > 0,
        "the smoke test must exercise both runs ({total_runs}) and cancellations ({total_cancelled})"
    );
}
