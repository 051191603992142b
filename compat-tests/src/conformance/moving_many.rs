//! Moving many timers at once (Go's `TestTimerModifiedEarlier` and
//! `TestAdjustTimers`): timers moved earlier all fire in the next check, and
//! a random interleaving of moves, stops and checks keeps every deadline.

use fastrand::Rng;

use super::support::{HOUR, MINUTE, START, assert_when_order};
use crate::harness::{Harness, TestableSet, Tracked};
use crate::recorder::Fired;

/// Go's `TestTimerModifiedEarlier`: many timers armed an hour ahead and
/// moved back and forth, ending at a deadline already past, all run in the
/// first check, each once and with its exact delay.
pub fn timers_modified_earlier_fire_in_one_check<S: TestableSet>(new_set: impl Fn() -> S) {
    const COUNT: usize = 1_000;
    let now = 1_000_000_000;
    let h = Harness::new(new_set(), now);
    let ops = h.ops();
    let mut timers = Vec::with_capacity(COUNT);
    for i in 0..COUNT {
        let past = now - (i % 7) as i64;
        let timer = ops.new_timer();
        assert!(!ops.reset(&timer, now + HOUR, 0));
        for j in 0..10 {
            assert!(
                ops.stop(&timer),
                "timer {i}, round {j}: pending before stop"
            );
            let when = if j % 3 == 2 { now + HOUR } else { past };
            assert!(!ops.reset(&timer, when, 0), "timer {i}, round {j}: stopped");
        }
        assert!(ops.reset(&timer, past, 0));
        h.assert_invariants(&format!("moving timer {i}"));
        timers.push((timer, past));
    }
    assert!(
        h.set().wake_time() <= now - 6,
        "the earliest is due at {}",
        now - 6
    );

    h.check(now);
    let mut fired_ids: Vec<usize> = h
        .take_fired()
        .into_iter()
        .map(|run| {
            assert_eq!(run.when(), timers[run.id].1, "{run}");
            run.id
        })
        .collect();
    fired_ids.sort_unstable();
    assert_eq!(
        fired_ids,
        (0..COUNT).collect::<Vec<_>>(),
        "each timer fired once"
    );
    assert_eq!(h.pending_count(), 0);
}

/// Go's `TestAdjustTimers`: timers walked, in a random interleaving, through
/// firing at once, being reset to long durations and stopped, and being
/// reset to short ones; no short timer is lost or late, every run is at its
/// own deadline (`delay == 0` under `run_until`), in `when` order.
pub fn adjust_timers_random_interleaving<S: TestableSet>(new_set: impl Fn() -> S) {
    const COUNT: usize = 100;
    let h = Harness::new(new_set(), START);
    let mut rng = Rng::with_seed(47_762); // Go issue 47762
    let mut timers: Vec<Option<Tracked<S::Timer>>> = vec![None; COUNT];
    let mut states = [0_u8; COUNT];
    let mut deadlines = [0_i64; COUNT];
    // Timers get harness ids in creation order, which is random here.
    let mut ids = [usize::MAX; COUNT];
    let mut runs: Vec<Vec<Fired>> = vec![Vec::new(); COUNT];
    let mut all_runs = Vec::new();
    let mut indices: Vec<usize> = (0..COUNT).collect();
    rng.shuffle(&mut indices);

    let mut collect = |h: &Harness<S>, runs: &mut Vec<Vec<Fired>>| {
        for run in h.take_fired() {
            runs[run.id].push(run);
            all_runs.push(run);
        }
    };

    while !indices.is_empty() {
        // Time passes a little between steps, firing what falls due.
        h.run_until(h.now() + rng.i64(0..=2));
        collect(&h, &mut runs);

        let slot = rng.usize(..indices.len());
        let i = indices[slot];
        let state = states[i];
        states[i] += 1;
        let now = h.now();
        match state {
            0 => {
                let timer = h.new_timer();
                ids[i] = timer.id();
                assert!(!h.reset(&timer, now, 0));
                deadlines[i] = now;
                timers[i] = Some(timer);
            }
            1 | 9 => {
                // Wait for the short timer: it fires at its deadline.
                h.run_until(deadlines[i]);
                collect(&h, &mut runs);
                let expected_runs = if state == 1 { 1 } else { 2 };
                let runs = &runs[ids[i]];
                assert_eq!(runs.len(), expected_runs, "timer {i} in state {state}");
                let last = runs.last().expect("just checked");
                assert_eq!(
                    (last.when(), last.delay),
                    (deadlines[i], 0),
                    "timer {i}: {last}"
                );
            }
            2 | 4 | 6 => {
                let minutes = [1, 3, 2][usize::from(state - 2) / 2];
                let timer = timers[i].as_ref().expect("created in state 0");
                assert!(
                    !h.reset(timer, now + minutes * MINUTE, 0),
                    "timer {i} shouldn't be active"
                );
            }
            3 | 5 | 7 => {
                let timer = timers[i].as_ref().expect("created in state 0");
                assert!(
                    h.stop(timer),
                    "timer {i}, state {state}: a long timer is pending"
                );
            }
            8 => {
                let timer = timers[i].as_ref().expect("created in state 0");
                deadlines[i] = now + rng.i64(0..=20);
                assert!(
                    !h.reset(timer, deadlines[i], 0),
                    "timer {i}: reset returned true"
                );
            }
            10 => {
                indices.swap_remove(slot);
            }
            _ => unreachable!("state {state}"),
        }
    }
    h.run_until(h.now() + 3 * MINUTE);
    collect(&h, &mut runs);
    for (i, runs) in runs.iter().enumerate() {
        assert_eq!(
            runs.len(),
            2,
            "timer {i}: one run per short arming, none for long ones"
        );
    }
    assert!(
        all_runs.iter().all(|run| run.delay == 0),
        "run_until runs every timer on time"
    );
    assert_when_order(&all_runs, "adjust storm");
}
