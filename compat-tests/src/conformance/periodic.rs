//! Periodic timers: one run per period, missed periods skipped (Go's
//! `when + period * (1 + delay / period)`), and a periodic timer stopped by
//! its own callback.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::support::{START, SelfSlot, fired};
use crate::go_rules::expected_next_periodic_when;
use crate::harness::{Harness, Ops, TestableSet};
use crate::panics::lock;
use crate::recorder::Fired;

/// A periodic timer fires at `when`, `when + period`, ... and stays pending
/// between runs.
pub fn periodic_timer_fires_every_period<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let ticker = h.new_timer();
    assert!(!h.reset(&ticker, 100, 30));
    h.run_until(200);
    let expected: Vec<Fired> = [100, 130, 160, 190]
        .into_iter()
        .map(|when| fired(ticker.id(), 0, when, when))
        .collect();
    assert_eq!(h.take_fired(), expected);
    assert!(h.is_pending(&ticker));
    assert_eq!(h.check(219), 220, "next period boundary");
    assert!(h.stop(&ticker), "a periodic timer is pending between runs");
    h.run_until(1_000);
    assert_eq!(h.take_fired(), vec![]);
}

/// A periodic timer checked late runs once, with the exact delay, and skips
/// the periods it missed: `next = when + period * (1 + delay / period)`.
pub fn periodic_timer_skips_missed_periods<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let ticker = h.new_timer();
    h.reset(&ticker, 100, 30);
    let id = ticker.id();

    assert_eq!(h.check(175), 190, "130 and 160 were missed: next is 190");
    assert_eq!(h.take_fired(), vec![fired(id, 0, 100, 175)]);
    assert_eq!(h.check(189), 190);
    assert_eq!(h.take_fired(), vec![]);
    assert_eq!(h.check(190), 220);
    assert_eq!(h.take_fired(), vec![fired(id, 0, 190, 190)]);
    // Late by exactly one period: 220 runs, 250 is skipped, next is 280.
    assert_eq!(h.check(250), 280);
    assert_eq!(h.take_fired(), vec![fired(id, 0, 220, 250)]);
    assert_eq!(h.check(279), 280);
    assert_eq!(h.check(281), 310);
    assert_eq!(h.take_fired(), vec![fired(id, 0, 280, 281)]);
    // Very late: one run for 310, with a delay of 10_000 - 310.
    let next = h.check(10_000);
    assert_eq!(h.take_fired(), vec![fired(id, 0, 310, 10_000)]);
    assert_eq!(next, expected_next_periodic_when(310, 30, 10_000 - 310));
    assert_eq!(next, 10_030);
}

/// A periodic timer stopped from its own callback fires no more; the stop
/// returns true, because Go re-arms a periodic timer before running its
/// callback.
pub fn periodic_timer_stopped_by_its_own_callback<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let me: SelfSlot<S> = Arc::default();
    let stop_results = Arc::new(Mutex::new(Vec::new()));
    let ticker = h.new_timer_then({
        let (me, stop_results) = (me.clone(), stop_results.clone());
        let runs = AtomicUsize::new(0);
        move |ops: &Ops<S>, _: &Fired| {
            if runs.fetch_add(1, Ordering::Relaxed) + 1 == 3 {
                let timer = me.get().expect("set before arming");
                lock(&stop_results).push(ops.stop(timer));
            }
        }
    });
    me.set(ticker.clone()).expect("set once");
    h.reset(&ticker, 100, 30);

    h.run_until(1_000);
    let id = ticker.id();
    assert_eq!(
        h.take_fired(),
        vec![
            fired(id, 0, 100, 100),
            fired(id, 0, 130, 130),
            fired(id, 0, 160, 160)
        ]
    );
    assert_eq!(*lock(&stop_results), vec![true]);
    assert!(!h.stop(&ticker));
}
