//! What a check runs, and in what order: the wake time it returns, exactly
//! the due timers, `when` order among the timers armed from one thread,
//! every timer at its own deadline through `run_until`, and (opt-in) global
//! `when` order within one check. The [parent module](super) says why the
//! order is promised per arming thread only.

use std::collections::{BTreeMap, BTreeSet};

use fastrand::Rng;
use gowheel::NOT_ARMED;

use super::support::{START, assert_when_order, fired};
use crate::harness::{Harness, TestableSet};
use crate::recorder::Fired;

/// [`TimerSet::check`](gowheel::TimerSet::check)'s result: the next deadline when nothing was moved,
/// after each kind of change (exact, since it is after `now` and no later
/// than the earliest deadline), and [`NOT_ARMED`] once the set is empty.
pub fn check_returns_next_wake_time<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    assert_eq!(h.check(10), NOT_ARMED, "an empty set needs no check");
    let a = h.new_timer();
    let b = h.new_timer();
    h.reset(&a, 100, 0);
    h.reset(&b, 200, 0);
    assert_eq!(h.check(99), 100);
    assert_eq!(h.check(100), 200);
    h.reset(&b, 150, 0);
    assert_eq!(h.check(149), 150, "after a move earlier");
    h.reset(&b, 300, 0);
    h.reset(&a, 250, 0);
    assert_eq!(h.check(249), 250, "after moves later");
    assert_eq!(h.check(250), 300);
    h.stop(&b);
    assert_eq!(h.check(251), NOT_ARMED, "after the last timer stopped");
    assert_eq!(
        h.stats().filed,
        0,
        "the stopped timer is purged once it is all there is"
    );
}

/// [`TimerSet::check`](gowheel::TimerSet::check)'s result is never later than the earliest pending
/// deadline (the trait's promise), even when a timer was moved earlier to a
/// deadline between `now` and the deadline of the next timer in line: Go's
/// lazy `modify` leaves the moved timer's entry stale until an `adjust`, and
/// `adjust` only runs once the moved deadline is due.
pub fn check_result_never_later_than_earliest_pending<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let due = h.new_timer();
    let next_in_line = h.new_timer();
    let moved = h.new_timer();
    h.reset(&due, 100, 0);
    h.reset(&next_in_line, 117, 0);
    h.reset(&moved, 200, 0);
    assert!(h.reset(&moved, 114, 0));
    assert!(h.set().wake_time() <= 114);

    // The harness asserts the bound; spelled out here as well.
    let next = h.check(100);
    assert!(
        next > 100 && next <= 114,
        "check(100) returned {next}; `moved` is due at 114"
    );
    assert_eq!(h.take_fired(), vec![fired(due.id(), 0, 100, 100)]);
    assert_eq!(h.check(114), 117);
    assert_eq!(h.take_fired(), vec![fired(moved.id(), 0, 114, 114)]);
}

/// One check at `now` runs exactly the pending timers due by `now`, each
/// once, with `delay = now - when`, and nothing else; a later check runs
/// the rest.
pub fn one_check_runs_exactly_the_due_timers<S: TestableSet>(new_set: impl Fn() -> S) {
    const COUNT: usize = 300;
    let h = Harness::new(new_set(), START);
    let mut rng = Rng::with_seed(17);
    let mut deadlines = BTreeMap::new();
    let mut timers = Vec::new();
    for _ in 0..COUNT {
        let timer = h.new_timer();
        h.reset(&timer, rng.i64(1_000..=1_999), 0);
        match rng.u64(..5) {
            0 => {
                h.stop(&timer);
            }
            1 => {
                let when = rng.i64(900..=1_999);
                h.reset(&timer, when, 0);
                deadlines.insert(timer.id(), when);
            }
            _ => {
                let when = rng.i64(1_000..=1_999);
                h.reset(&timer, when, 0);
                deadlines.insert(timer.id(), when);
            }
        }
        timers.push(timer);
    }

    for now in [1_500, 2_000] {
        h.check(now);
        let mut ran: Vec<(usize, i64)> = h
            .take_fired()
            .into_iter()
            .map(|run| {
                assert_eq!(run.now, now);
                (run.id, run.delay)
            })
            .collect();
        ran.sort_unstable();
        let expected: Vec<(usize, i64)> = deadlines
            .iter()
            .filter(|&(_, &when)| when <= now)
            .map(|(&id, &when)| (id, now - when))
            .collect();
        assert_eq!(ran, expected, "check({now})");
        deadlines.retain(|_, &mut when| when > now);
    }
    assert!(deadlines.is_empty());
}

/// Arms `per_thread` timers from each of `threads` threads, one thread at a
/// time (so each backend may file them by thread, as the heap does by
/// shard), at shuffled deadlines in `100..=400` with repeats, some moved
/// earlier or later; returns the ids of the timers each thread armed.
fn arm_from_threads<S: TestableSet>(
    h: &Harness<S>,
    threads: usize,
    per_thread: usize,
    seed: u64,
) -> Vec<BTreeSet<usize>> {
    (0..threads)
        .map(|thread| {
            std::thread::scope(|scope| {
                scope
                    .spawn(|| {
                        let mut rng = Rng::with_seed(seed + thread as u64);
                        let mut ids = BTreeSet::new();
                        for _ in 0..per_thread {
                            let timer = h.new_timer();
                            h.reset(&timer, rng.i64(150..=400), 0);
                            if rng.u64(..3) == 0 {
                                h.reset(&timer, rng.i64(100..=400), 0);
                            }
                            ids.insert(timer.id());
                        }
                        ids
                    })
                    .join()
                    .expect("arming thread panicked")
            })
        })
        .collect()
}

/// One check with many due timers, armed from several threads: among the
/// timers armed from any one thread, the check runs them in non-decreasing
/// `when` order (what the trait promises for any backend: see the module
/// doc), each once with its exact delay.
pub fn one_check_runs_due_timers_in_when_order_per_arming_thread<S: TestableSet>(
    new_set: impl Fn() -> S,
) {
    let h = Harness::new(new_set(), START);
    let groups = arm_from_threads(&h, 3, 100, 300);
    h.check(1_000);
    let runs = h.take_fired();
    assert_eq!(runs.len(), 300, "every timer was due");
    for (thread, ids) in groups.iter().enumerate() {
        let of_thread: Vec<Fired> = runs
            .iter()
            .copied()
            .filter(|run| ids.contains(&run.id))
            .collect();
        assert_eq!(of_thread.len(), ids.len());
        assert_when_order(&of_thread, &format!("timers armed by thread {thread}"));
    }
}

/// Opt-in, for sets that run a whole check in one `when` order (a one-shard
/// heap; the wheel): one check with many due timers, armed from several
/// threads, runs them all in non-decreasing `when` order.
pub fn one_check_runs_due_timers_in_global_when_order<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    arm_from_threads(&h, 3, 100, 400);
    h.check(1_000);
    let runs = h.take_fired();
    assert_eq!(runs.len(), 300, "every timer was due");
    assert_when_order(&runs, "one check");
}

/// Stepping through deadlines with `run_until` runs every timer, one-shot
/// and periodic, armed from any thread, at its own deadline (`delay == 0`),
/// the right number of times, in global non-decreasing `when` order.
pub fn run_until_fires_every_timer_at_its_deadline_in_when_order<S: TestableSet>(
    new_set: impl Fn() -> S,
) {
    let h = Harness::new(new_set(), START);
    let groups = arm_from_threads(&h, 3, 50, 500);
    let mut periodic = Vec::new();
    for (i, (when, period)) in [(120, 37), (130, 50), (400, 1), (101, 299)]
        .into_iter()
        .enumerate()
    {
        let ticker = h.new_timer();
        h.reset(&ticker, when, period);
        if i == 0 {
            h.reset(&ticker, 110, period); // moved earlier
        }
        periodic.push((ticker, if i == 0 { 110 } else { when }, period));
    }

    let end = 2_000;
    h.run_until(end);
    let runs = h.take_fired();
    assert!(
        runs.iter().all(|run| run.delay == 0),
        "every run is at its deadline"
    );
    assert_when_order(&runs, "run_until");
    let mut counts: BTreeMap<usize, i64> = BTreeMap::new();
    for run in &runs {
        *counts.entry(run.id).or_default() += 1;
    }
    for id in groups.iter().flatten() {
        assert_eq!(counts.get(id), Some(&1), "one-shot timer {id}");
    }
    for (ticker, when, period) in &periodic {
        let expected = (end - when) / period + 1;
        assert_eq!(
            counts.get(&ticker.id()),
            Some(&expected),
            "periodic timer ({when}, {period})"
        );
    }
}
