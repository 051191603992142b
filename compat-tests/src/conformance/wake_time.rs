//! `wake_time` is never later than the earliest pending deadline, through a
//! random mix of operations (the harness also checks it after every
//! operation).

use fastrand::Rng;
use gowheel::NOT_ARMED;

use super::support::START;
use crate::harness::{Harness, TestableSet};

/// [`TimerSet::wake_time`](gowheel::TimerSet::wake_time) (and `check`'s result) is never later than the
/// earliest pending deadline, through a long random mix of moves earlier
/// and later, stops, revivals, periodic timers and checks; the harness
/// checks it, with the rest of Go's rules, after every operation. An empty
/// set, and one whose timers are all gone, wake at [`NOT_ARMED`].
pub fn wake_time_never_later_than_earliest_pending<S: TestableSet>(new_set: impl Fn() -> S) {
    const TIMERS: usize = 40;
    const STEPS: usize = 3_000;
    let h = Harness::new(new_set(), START);
    assert_eq!(h.set().wake_time(), NOT_ARMED, "an empty set");
    let timers: Vec<_> = (0..TIMERS).map(|_| h.new_timer()).collect();
    assert_eq!(
        h.set().wake_time(),
        NOT_ARMED,
        "unarmed timers are not filed"
    );

    let mut rng = Rng::with_seed(99);
    for _ in 0..STEPS {
        let timer = &timers[rng.usize(..TIMERS)];
        let now = h.now();
        match rng.u64(..10) {
            0..=2 => {
                h.reset(timer, now + rng.i64(1..=500), 0);
            }
            3 => {
                h.reset(timer, now + rng.i64(1..=20), 0);
            }
            4 => {
                h.reset(timer, now + rng.i64(1..=200), rng.i64(1..=100));
            }
            5 | 6 => {
                h.stop(timer);
            }
            7 => {
                let seq = rng.u64(..);
                h.modify(
                    timer,
                    now + rng.i64(1..=300),
                    0,
                    Some(h.callback(timer.id())),
                    seq,
                );
            }
            _ => {
                h.check(now + rng.i64(0..=40));
            }
        }
    }
    for timer in &timers {
        h.stop(timer);
    }
    h.check(h.now() + 1);
    assert_eq!(h.stats().filed, 0);
    assert_eq!(
        h.set().wake_time(),
        NOT_ARMED,
        "everything stopped and purged"
    );
}
