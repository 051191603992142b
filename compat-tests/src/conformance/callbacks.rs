//! Callbacks that operate on timers from inside a check: resetting their own
//! timer, and stopping, resetting and creating others (Go runs `f` with the
//! timer unlocked, so it may do anything a caller may).

use std::sync::{Arc, Mutex, OnceLock};

use super::support::{START, SelfSlot, fired};
use crate::harness::{Harness, Ops, TestableSet};
use crate::panics::lock;
use crate::recorder::Fired;

/// A callback may re-arm its own timer: a one-shot timer is not pending
/// while its callback runs (reset returns false) and fires again at the new
/// deadline; a periodic timer is (reset returns true) and takes the new
/// deadline and period instead of its next period boundary.
pub fn callback_can_reset_its_own_timer<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let results = Arc::new(Mutex::new(Vec::new()));

    let me: SelfSlot<S> = Arc::default();
    let one_shot = h.new_timer_then({
        let (me, results) = (me.clone(), results.clone());
        move |ops: &Ops<S>, run: &Fired| {
            if run.now < 250 {
                let timer = me.get().expect("set before arming");
                lock(&results).push(("one-shot", ops.reset(timer, run.now + 50, 0)));
            }
        }
    });
    me.set(one_shot.clone()).expect("set once");

    let me: SelfSlot<S> = Arc::default();
    let periodic = h.new_timer_then({
        let (me, results) = (me.clone(), results.clone());
        move |ops: &Ops<S>, run: &Fired| {
            if run.now == 110 {
                let timer = me.get().expect("set before arming");
                lock(&results).push(("periodic", ops.reset(timer, 205, 0)));
            }
        }
    });
    me.set(periodic.clone()).expect("set once");

    h.reset(&one_shot, 100, 0);
    h.reset(&periodic, 110, 30);
    h.run_until(1_000);
    let (a, p) = (one_shot.id(), periodic.id());
    assert_eq!(
        h.take_fired(),
        vec![
            fired(a, 0, 100, 100),
            fired(p, 0, 110, 110),
            fired(a, 0, 150, 150),
            fired(a, 0, 200, 200),
            fired(p, 0, 205, 205),
            fired(a, 0, 250, 250),
        ]
    );
    assert_eq!(
        *lock(&results),
        vec![
            ("one-shot", false),
            ("periodic", true),
            ("one-shot", false),
            ("one-shot", false),
        ]
    );
}

/// A callback may stop, move and create other timers, and stop itself,
/// without deadlock, and every change takes effect: the stopped timer never
/// fires, the moved one fires at its new time, the created one fires.
pub fn callback_can_stop_reset_and_create_other_timers<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let stopped = h.new_timer();
    let moved = h.new_timer();
    h.reset(&stopped, 200, 0);
    h.reset(&moved, 1_000, 0);

    let results = Arc::new(Mutex::new(Vec::new()));
    let created = Arc::new(OnceLock::new());
    let me: SelfSlot<S> = Arc::default();
    let actor = h.new_timer_then({
        let (stopped, moved) = (stopped.clone(), moved.clone());
        let (results, created, me) = (results.clone(), created.clone(), me.clone());
        move |ops: &Ops<S>, _: &Fired| {
            let mut results = lock(&results);
            results.push(ops.stop(&stopped));
            results.push(ops.reset(&moved, 150, 0));
            let new = ops.new_timer();
            results.push(ops.reset(&new, 120, 0));
            results.push(ops.stop(me.get().expect("set before arming")));
            created.set(new).expect("the actor runs once");
        }
    });
    me.set(actor.clone()).expect("set once");
    h.reset(&actor, 100, 0);

    h.run_until(2_000);
    let new = created.get().expect("the actor ran");
    assert_eq!(
        h.take_fired(),
        vec![
            fired(actor.id(), 0, 100, 100),
            fired(new.id(), 0, 120, 120),
            fired(moved.id(), 0, 150, 150),
        ]
    );
    assert_eq!(
        *lock(&results),
        vec![true, true, false, false],
        "stop(pending) = true, reset(pending) = true, reset(new) = false, stop(self, running) = false"
    );
}
