//! The runtime-layer conformance suite: Go's `runtime/time.go` semantics as
//! test bodies generic over [`TimerSet`], so that every backend runs the same
//! tests. [`conformance_tests!`](crate::conformance_tests) turns them into
//! `#[test]`s for one backend.
//!
//! Each body takes a factory `impl Fn() -> S` (most make one set; a few make
//! several) and drives the set through a [`Harness`], which checks the set's
//! invariants and a model of Go's rules after every operation (see
//! [`Harness::assert_invariants`]); the exact expectations are also written
//! out in each body, so that a failure reads as the scenario it breaks.
//!
//! # What is covered
//!
//! | area | bodies |
//! | --- | --- |
//! | state transitions | [`armed_timer_fires_once_at_its_deadline`], [`timer_modified_earlier_fires_at_new_time_only`], [`timer_modified_later_fires_at_new_time_only`], [`stopped_timer_never_fires`], [`stopped_timer_reset_fires_once_at_new_time`], [`fired_timer_can_be_reset`] |
//! | periodic timers | [`periodic_timer_fires_every_period`], [`periodic_timer_skips_missed_periods`], [`periodic_timer_stopped_by_its_own_callback`] |
//! | callbacks that operate on timers | [`callback_can_reset_its_own_timer`], [`callback_can_stop_reset_and_create_other_timers`] |
//! | results of `stop`, `reset`, `modify` (Go's `TestStopResult`, `TestResetResult`) | [`stop_results_in_every_state`], [`reset_results_in_every_state`], [`modify_replaces_callback_and_seq`] |
//! | moving many timers (Go's `TestTimerModifiedEarlier`, `TestAdjustTimers`) | [`timers_modified_earlier_fire_in_one_check`], [`adjust_timers_random_interleaving`] |
//! | what a check runs, and in what order | [`check_returns_next_wake_time`], [`check_result_never_later_than_earliest_pending`], [`one_check_runs_exactly_the_due_timers`], [`one_check_runs_due_timers_in_when_order_per_arming_thread`], [`run_until_fires_every_timer_at_its_deadline_in_when_order`], and, opt-in, [`one_check_runs_due_timers_in_global_when_order`] |
//! | bounded garbage | [`stopped_timers_are_purged_by_check`], [`arm_stop_cycles_keep_filed_bounded`] |
//! | `wake_time` | [`wake_time_never_later_than_earliest_pending`] (and the harness, after every operation) |
//! | saturation (Go's `TestOverflowPeriodRuntimeTimer`) | [`deadline_at_max_when_never_fires`], [`periodic_timer_saturates_at_max_when`], [`periodic_rearm_matches_next_periodic_when`] |
//! | misuse | [`modify_panics_on_bad_arguments_and_changes_nothing`], [`timer_of_another_set_panics`] |
//! | handles | [`dropped_handle_does_not_stop_timer`] |
//! | concurrency | [`concurrent_operations_fire_every_arming_once`] |
//!
//! # What order a check promises
//!
//! [`TimerSet::check`] runs due timers in non-decreasing `when` order
//! *within each independent part of the set*; the trait does not say what
//! the parts are. The heap's parts are its shards, and a thread arms timers
//! into its own shard, so a check of a many-shard heap interleaves the
//! shards' sequences. So the suite asserts:
//!
//! * in any set, among the timers armed from one thread, one check runs them
//!   in `when` order;
//! * in any set, [`ManualClock::run_until`](gowheel::ManualClock::run_until)
//!   runs every timer at its own deadline (`delay == 0`), so the global
//!   sequence is in `when` order;
//! * only for sets that promise a single part (a one-shard heap; the wheel,
//!   whose design promises order within a check), and only when
//!   instantiated with `extra: [one_check_runs_due_timers_in_global_when_order]`,
//!   that one check runs everything in global `when` order.
//!
//! # Time
//!
//! No test reads the wall clock for an assertion: every set is driven by a
//! [`ManualClock`], and the concurrent smoke test uses
//! the wall clock only to decide how long to keep going.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use fastrand::Rng;
use gowheel::{MAX_WHEN, ManualClock, NOT_ARMED, TimerSet, next_periodic_when};

use crate::go_rules::expected_next_periodic_when;
use crate::harness::{Harness, Ops, TestableSet, Tracked};
use crate::panics::{expect_panic, lock};
use crate::recorder::Fired;

/// The clock reading every single-threaded test starts at.
const START: i64 = 1;

/// Nanoseconds in a minute and an hour, for Go's long durations.
const MINUTE: i64 = 60_000_000_000;
const HOUR: i64 = 60 * MINUTE;

/// The event a timer with id `id` and `seq` logs when a check at `now` runs
/// it for its deadline `when`.
fn fired(id: usize, seq: u64, when: i64, now: i64) -> Fired {
    Fired {
        id,
        seq,
        delay: now - when,
        now,
    }
}

/// Asserts that the deadlines of `events` never decrease.
fn assert_when_order(events: &[Fired], what: &str) {
    for pair in events.windows(2) {
        assert!(
            pair[0].when() <= pair[1].when(),
            "{what}: {} ran before {}, which is due earlier",
            pair[0],
            pair[1]
        );
    }
}

/// A slot a callback can read its own timer from once the timer exists.
type SelfSlot<S> = Arc<OnceLock<Tracked<<S as TimerSet>::Timer>>>;

/// An armed timer fires once, at its deadline, with `delay = now - when`,
/// and is not pending afterwards (Go: a one-shot timer leaves the heap when
/// it runs).
pub fn armed_timer_fires_once_at_its_deadline<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let on_time = h.new_timer();
    let late = h.new_timer();
    assert!(!h.reset(&on_time, 100, 0), "a new timer is not pending");
    assert!(!h.reset(&late, 120, 0), "a new timer is not pending");

    assert_eq!(h.check(99), 100, "nothing due at 99; next wake at 100");
    assert_eq!(h.take_fired(), vec![]);

    h.check(100);
    assert_eq!(h.take_fired(), vec![fired(on_time.id(), 0, 100, 100)]);
    assert!(!h.is_pending(&on_time));

    h.check(150); // 30 ns late for `late`
    assert_eq!(h.take_fired(), vec![fired(late.id(), 0, 120, 150)]);

    assert_eq!(h.check(10_000), NOT_ARMED, "nothing left to wake for");
    assert_eq!(h.take_fired(), vec![], "a one-shot timer fires once");
    assert!(!h.stop(&on_time), "a fired one-shot timer is not pending");
    assert!(!h.stop(&late), "a fired one-shot timer is not pending");
}

/// A timer moved earlier fires at its new deadline and not again at its old
/// one (Go: `modify` marks it `timerModified` and lowers `minWhenModified`,
/// so the next check's `adjust` files it at the new time).
pub fn timer_modified_earlier_fires_at_new_time_only<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let timer = h.new_timer();
    assert!(!h.reset(&timer, 1_000, 0));
    assert!(h.reset(&timer, 500, 0), "moved while pending");
    assert!(
        h.set().wake_time() <= 500,
        "the wake time must follow it earlier"
    );

    assert_eq!(h.check(499), 500);
    assert_eq!(h.take_fired(), vec![]);
    h.check(500);
    assert_eq!(h.take_fired(), vec![fired(timer.id(), 0, 500, 500)]);
    h.check(1_000);
    assert_eq!(h.take_fired(), vec![], "nothing fires at the old deadline");

    // Moved earlier to a time already past: due at once, and as late as
    // the clock is past its new deadline.
    let past = h.new_timer();
    h.reset(&past, 5_000, 0);
    h.check(1_200);
    assert!(h.reset(&past, 1_150, 0));
    h.check(1_200);
    assert_eq!(h.take_fired(), vec![fired(past.id(), 0, 1_150, 1_200)]);
    h.check(5_000);
    assert_eq!(h.take_fired(), vec![]);
}

/// A timer moved later does not fire at its old deadline, and fires once at
/// its new one, however many times it is pushed back (the idle-timeout
/// pattern; Go's lazy `modify` leaves the stale heap entry to be corrected
/// when it reaches the head).
pub fn timer_modified_later_fires_at_new_time_only<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let timer = h.new_timer();
    assert!(!h.reset(&timer, 500, 0));
    assert!(h.reset(&timer, 1_000, 0));

    let next = h.check(500);
    assert_eq!(h.take_fired(), vec![], "nothing fires at the old deadline");
    assert!(
        next > 500 && next <= 1_000,
        "wake time {next} not in (500, 1000]"
    );
    assert_eq!(h.check(999), 1_000);
    assert_eq!(h.take_fired(), vec![]);
    h.check(1_000);
    assert_eq!(h.take_fired(), vec![fired(timer.id(), 0, 1_000, 1_000)]);

    // Pushed back on every "packet", with checks in between.
    let idle = h.new_timer();
    h.reset(&idle, 1_100, 0);
    for packet_at in (1_050..2_000).step_by(50) {
        h.check(packet_at);
        assert!(
            h.reset(&idle, packet_at + 100, 0),
            "still pending at {packet_at}"
        );
    }
    assert_eq!(h.take_fired(), vec![]);
    h.check(2_049);
    assert_eq!(h.take_fired(), vec![]);
    h.check(2_050);
    assert_eq!(h.take_fired(), vec![fired(idle.id(), 0, 2_050, 2_050)]);
}

/// A stopped timer never fires, whether it was stopped before its deadline,
/// after being moved earlier, or after being moved later; a second stop
/// returns false.
pub fn stopped_timer_never_fires<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let plain = h.new_timer();
    let moved_earlier = h.new_timer();
    let moved_later = h.new_timer();
    h.reset(&plain, 100, 0);
    h.reset(&moved_earlier, 1_000, 0);
    h.reset(&moved_earlier, 100, 0);
    h.reset(&moved_later, 100, 0);
    h.reset(&moved_later, 1_000, 0);

    assert!(h.stop(&plain));
    assert!(h.stop(&moved_earlier));
    assert!(h.stop(&moved_later));
    assert!(
        !h.stop(&plain),
        "stopping twice: the second finds it not pending"
    );

    h.check(100);
    h.check(1_000);
    h.check(1_000_000);
    assert_eq!(h.take_fired(), vec![]);
    assert!(!h.stop(&moved_later));
}

/// A stopped timer still filed as a zombie and then reset is revived, not
/// duplicated: it fires once, at its new deadline (later or earlier than the
/// old one), never at the old one (Go: `modify` clears `timerZombie`).
pub fn stopped_timer_reset_fires_once_at_new_time<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let later = h.new_timer();
    let earlier = h.new_timer();
    let after_check = h.new_timer();
    h.reset(&later, 100, 0);
    h.reset(&earlier, 300, 0);
    h.reset(&after_check, 100, 0);
    assert!(h.stop(&later));
    assert!(h.stop(&earlier));
    assert!(h.stop(&after_check));
    assert!(!h.reset(&later, 300, 0), "a stopped timer is not pending");
    assert!(!h.reset(&earlier, 50, 0), "a stopped timer is not pending");

    h.check(50);
    assert_eq!(h.take_fired(), vec![fired(earlier.id(), 0, 50, 50)]);
    h.check(100);
    assert_eq!(h.take_fired(), vec![], "nothing at the old deadline 100");
    // A check with the zombie still around, then the reset.
    assert!(!h.reset(&after_check, 200, 0));
    h.check(299);
    assert_eq!(h.take_fired(), vec![fired(after_check.id(), 0, 200, 299)]);
    h.check(300);
    assert_eq!(h.take_fired(), vec![fired(later.id(), 0, 300, 300)]);
    h.check(10_000);
    assert_eq!(h.take_fired(), vec![], "each fired once");
}

/// A fired one-shot timer can be armed again, any number of times, and
/// fires once per arming.
pub fn fired_timer_can_be_reset<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let timer = h.new_timer();
    h.reset(&timer, 100, 0);
    h.check(100);
    assert!(!h.reset(&timer, 250, 0), "a fired timer is not pending");
    h.check(250);
    assert!(!h.reset(&timer, 300, 0));
    assert!(h.reset(&timer, 400, 0));
    h.check(450);
    assert_eq!(
        h.take_fired(),
        vec![
            fired(timer.id(), 0, 100, 100),
            fired(timer.id(), 0, 250, 250),
            fired(timer.id(), 0, 400, 450),
        ]
    );
    h.check(1_000);
    assert_eq!(h.take_fired(), vec![]);
}

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

/// [`TimerSet::stop`]'s result in every state a timer can be in (Go's
/// `TestStopResult`, at the runtime layer): true exactly when the timer was
/// armed and had not fired (a periodic timer is pending between runs).
pub fn stop_results_in_every_state<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);

    let never_armed = h.new_timer();
    assert!(!h.stop(&never_armed), "never armed");

    let armed = h.new_timer();
    h.reset(&armed, 100, 0);
    assert!(h.stop(&armed), "armed");
    assert!(!h.stop(&armed), "already stopped");

    let revived = h.new_timer();
    h.reset(&revived, 100, 0);
    h.stop(&revived);
    h.reset(&revived, 200, 0);
    assert!(h.stop(&revived), "stopped, then re-armed");

    let moved_earlier = h.new_timer();
    h.reset(&moved_earlier, 500, 0);
    h.reset(&moved_earlier, 60, 0);
    let moved_later = h.new_timer();
    h.reset(&moved_later, 52, 0);
    h.reset(&moved_later, 500, 0);

    let one_shot = h.new_timer();
    h.reset(&one_shot, 50, 0);
    let periodic = h.new_timer();
    h.reset(&periodic, 50, 10);
    let refired = h.new_timer();
    h.reset(&refired, 50, 0);

    h.check(55);
    assert_eq!(
        h.take_fired().len(),
        3,
        "one_shot, periodic and refired ran"
    );
    assert!(!h.stop(&one_shot), "fired one-shot");
    assert!(
        h.stop(&periodic),
        "periodic, after a run: re-armed, so pending"
    );
    assert!(!h.stop(&periodic), "periodic, stopped");
    h.reset(&refired, 70, 0);
    assert!(h.stop(&refired), "fired, then re-armed");
    assert!(h.stop(&moved_earlier), "moved earlier, not yet due");
    assert!(h.stop(&moved_later), "moved later, past its old deadline");

    h.run_until(1_000);
    assert_eq!(h.take_fired(), vec![]);
}

/// [`TimerSet::reset`]'s (and `modify`'s) result in every state (Go's
/// `TestResetResult`, at the runtime layer), and that a reset returning true
/// replaced the pending deadline: the timer fires once, at the new one.
pub fn reset_results_in_every_state<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let far = START + HOUR;

    let never_armed = h.new_timer();
    assert!(!h.reset(&never_armed, far, 0), "never armed");

    let armed = h.new_timer();
    h.reset(&armed, 100, 0);
    assert!(h.reset(&armed, far, 0), "armed");

    let stopped = h.new_timer();
    h.reset(&stopped, 100, 0);
    h.stop(&stopped);
    assert!(!h.reset(&stopped, 300, 0), "stopped");
    assert!(h.reset(&stopped, 320, 0), "stopped, then re-armed");

    let one_shot = h.new_timer();
    h.reset(&one_shot, 50, 0);
    let periodic = h.new_timer();
    h.reset(&periodic, 50, 10);
    let modified = h.new_timer();
    h.reset(&modified, 50, 0);

    h.check(50);
    assert_eq!(h.take_fired().len(), 3);
    assert!(!h.reset(&one_shot, 400, 0), "fired one-shot");
    assert!(h.reset(&periodic, 410, 0), "periodic after a run: pending");
    let seq = 5;
    assert!(
        !h.modify(&modified, 420, 0, Some(h.callback(modified.id())), seq),
        "modify of a fired one-shot"
    );
    assert!(
        h.modify(&modified, 430, 0, None, 0),
        "modify of an armed timer"
    );

    h.run_until(1_000);
    assert_eq!(
        h.take_fired(),
        vec![
            fired(stopped.id(), 0, 320, 320),
            fired(one_shot.id(), 0, 400, 400),
            fired(periodic.id(), 0, 410, 410),
            fired(modified.id(), seq, 430, 430),
        ],
        "each fires once, at its last deadline; `periodic` was reset to one-shot"
    );
    assert!(
        h.stop(&armed),
        "still pending at its reset deadline, an hour away"
    );
    assert!(h.stop(&never_armed));
}

/// `modify` with a callback replaces the callback and `seq` before the
/// timer next fires; `reset` and `modify` without a callback keep both.
pub fn modify_replaces_callback_and_seq<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let old_runs = Arc::new(AtomicUsize::new(0));
    let timer = h.new_timer_with({
        let old_runs = old_runs.clone();
        gowheel::callback(move |_, _| {
            old_runs.fetch_add(1, Ordering::Relaxed);
        })
    });
    let id = timer.id();

    // Armed with the old callback, then replaced while pending.
    assert!(!h.reset(&timer, 100, 0));
    assert!(h.modify(&timer, 150, 0, Some(h.callback(id)), 7));
    h.check(100);
    assert_eq!(h.take_fired(), vec![], "nothing at the old deadline");
    h.check(150);
    assert_eq!(h.take_fired(), vec![fired(id, 7, 150, 150)]);
    assert!(!h.reset(&timer, 200, 0));
    assert!(
        h.modify(&timer, 210, 0, None, 99),
        "pending at 200; seq 99 comes with no callback"
    );
    h.check(210);
    assert_eq!(
        h.take_fired(),
        vec![fired(id, 7, 210, 210)],
        "callback and seq kept"
    );
    assert!(!h.modify(&timer, 300, 0, Some(h.callback(id)), 8));
    h.check(300);
    assert_eq!(h.take_fired(), vec![fired(id, 8, 300, 300)]);
    assert_eq!(
        old_runs.load(Ordering::Relaxed),
        0,
        "the replaced callback never ran"
    );
}

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

/// [`TimerSet::check`]'s result: the next deadline when nothing was moved,
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

/// [`TimerSet::check`]'s result is never later than the earliest pending
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

/// Stopped timers do not pile up: arm 10 000 timers, stop 90 % of them
/// (reviving some), and after a check at most a quarter of what is filed is
/// garbage (Go forces an `adjust` when zombies exceed a quarter of the
/// heap); stopping the rest and checking leaves nothing filed. The revived
/// and surviving timers still fire, each at its deadline.
pub fn stopped_timers_are_purged_by_check<S: TestableSet>(new_set: impl Fn() -> S) {
    const COUNT: i64 = 10_000;
    let h = Harness::new(new_set(), START);
    let ops = h.ops();
    let timers: Vec<_> = (0..COUNT)
        .map(|i| {
            let timer = ops.new_timer();
            ops.reset(&timer, 1_000_000 + i, 0);
            timer
        })
        .collect();
    h.assert_invariants("arming 10 000 timers");
    for (i, timer) in timers.iter().enumerate() {
        if i % 10 != 0 {
            assert!(ops.stop(timer));
        }
        if i % 10 == 1 {
            assert!(!ops.reset(timer, 2_000_000 + i as i64, 0), "revived");
        }
    }
    h.assert_invariants("stopping 9 000 timers and reviving 1 000");
    assert_eq!(h.pending_count(), 2_000);

    h.check(500_000);
    let stats = h.stats();
    assert!(
        stats.zombies <= stats.filed / 4,
        "after a check, at most a quarter of the filed timers may be garbage: {stats}"
    );
    assert!(
        stats.filed <= 2_000 + 2_000 / 3,
        "2 000 live timers, {stats}"
    );

    h.run_until(1_000_000 + COUNT);
    assert_eq!(h.take_fired().len(), 1_000, "the survivors fired");
    for timer in &timers {
        ops.stop(timer);
    }
    h.assert_invariants("stopping the rest");
    h.check(1_500_000);
    assert_eq!(
        h.stats(),
        gowheel::TimerSetStats::default(),
        "nothing filed"
    );
    assert_eq!(h.set().wake_time(), NOT_ARMED);
    assert_eq!(h.take_fired(), vec![]);
}

/// Servers' pattern: a pool of connection timeouts pushed far back on
/// every round, and request timeouts armed and mostly stopped a round later
/// (so not in the order they were armed), with a check per round: what is
/// filed stays within a constant factor of what is live.
///
/// The pushed-back deadlines never fall due during the rounds, and the
/// stopped requests are not the latest filed, so a backend cannot pass by
/// luck of lazy clean-ups that happen to run: only a purge that bounds the
/// garbage (Go's forced `adjust`) keeps it down.
pub fn arm_stop_cycles_keep_filed_bounded<S: TestableSet>(new_set: impl Fn() -> S) {
    const ROUNDS: usize = 100;
    const POOL: usize = 100;
    const REQUESTS_PER_ROUND: usize = 100;
    const IDLE_TIMEOUT: i64 = 1_000_000_000;
    let h = Harness::new(new_set(), START);
    let ops = h.ops();
    let mut rng = Rng::with_seed(2024);
    let pool: Vec<_> = (0..POOL).map(|_| ops.new_timer()).collect();
    let mut previous_round: Vec<Tracked<S::Timer>> = Vec::new();
    for round in 0..ROUNDS {
        let now = h.now();
        for connection in &pool {
            if rng.u64(..10) == 0 {
                ops.stop(connection); // closed, and the slot reused at once
            }
            ops.reset(connection, now + IDLE_TIMEOUT, 0);
        }
        let this_round: Vec<_> = (0..REQUESTS_PER_ROUND)
            .map(|_| {
                let request = ops.new_timer();
                ops.reset(&request, now + rng.i64(1_000..=5_000), 0);
                request
            })
            .collect();
        for request in &previous_round {
            if rng.u64(..10) != 0 {
                ops.stop(request); // answered
            }
        }
        previous_round = this_round;
        h.assert_invariants(&format!("round {round}"));
        h.check(now + 100);
        let stats = h.stats();
        let pending = h.pending_count();
        assert!(
            stats.zombies <= stats.filed / 4 && stats.filed <= 2 * pending + 64,
            "round {round}: {stats} for {pending} pending timers"
        );
    }
    h.run_until(h.now() + IDLE_TIMEOUT);
    h.check(h.now() + 1);
    assert_eq!(h.stats(), gowheel::TimerSetStats::default());
    let connection_runs = h
        .take_fired()
        .into_iter()
        .filter(|run| run.id < POOL)
        .count();
    assert_eq!(
        connection_runs, POOL,
        "each connection timed out once, at the end"
    );
}

/// [`TimerSet::wake_time`] (and `check`'s result) is never later than the
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

/// A deadline of `i64::MAX` ([`MAX_WHEN`]) is pending but never reached: a
/// check at `i64::MAX - 1` runs nothing, and the timer is still pending.
pub fn deadline_at_max_when_never_fires<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let far = h.new_timer();
    let far_periodic = h.new_timer();
    assert!(!h.reset(&far, MAX_WHEN, 0));
    assert!(!h.reset(&far_periodic, MAX_WHEN, 1));
    assert_eq!(h.check(1_000), MAX_WHEN);
    assert_eq!(h.check(MAX_WHEN - 1), MAX_WHEN);
    assert_eq!(h.take_fired(), vec![]);
    assert!(h.stop(&far), "still pending");
    assert!(h.stop(&far_periodic), "still pending");
}

/// A periodic timer whose next deadline overflows re-arms at [`MAX_WHEN`]
/// (saturating, as Go's `if next < 0 { next = maxWhen }`), is still
/// pending, and never runs again, whether the overflow comes from the
/// period, from `when`, or from a very late check.
pub fn periodic_timer_saturates_at_max_when<S: TestableSet>(new_set: impl Fn() -> S) {
    // The period overflows.
    let h = Harness::new(new_set(), START);
    let ticker = h.new_timer();
    h.reset(&ticker, 1_000, MAX_WHEN);
    assert_eq!(h.check(1_000), MAX_WHEN, "1000 + i64::MAX saturates");
    assert_eq!(h.take_fired(), vec![fired(ticker.id(), 0, 1_000, 1_000)]);
    assert_eq!(h.check(MAX_WHEN - 1), MAX_WHEN);
    assert_eq!(h.take_fired(), vec![]);
    assert!(h.stop(&ticker), "parked at MAX_WHEN, still pending");

    // `when` runs into the end of time.
    let h = Harness::new(new_set(), START);
    let ticker = h.new_timer();
    h.reset(&ticker, MAX_WHEN - 100, 60);
    assert_eq!(h.check(MAX_WHEN - 100), MAX_WHEN - 40);
    assert_eq!(
        h.check(MAX_WHEN - 40),
        MAX_WHEN,
        "MAX_WHEN - 40 + 60 saturates"
    );
    assert_eq!(
        h.take_fired(),
        vec![
            fired(ticker.id(), 0, MAX_WHEN - 100, MAX_WHEN - 100),
            fired(ticker.id(), 0, MAX_WHEN - 40, MAX_WHEN - 40),
        ]
    );
    h.check(MAX_WHEN - 1);
    assert_eq!(h.take_fired(), vec![]);
    assert!(h.stop(&ticker), "parked at MAX_WHEN, still pending");

    // A check so late that `period * (1 + delay / period)` overflows.
    let h = Harness::new(new_set(), START);
    let ticker = h.new_timer();
    h.reset(&ticker, 100, 7);
    let delay = MAX_WHEN - 1 - 100;
    assert!(
        i64::checked_add(100, 7 * (1 + delay / 7)).is_none(),
        "the case must overflow"
    );
    assert_eq!(h.check(MAX_WHEN - 1), MAX_WHEN);
    assert_eq!(
        h.take_fired(),
        vec![fired(ticker.id(), 0, 100, MAX_WHEN - 1)]
    );
    h.check(MAX_WHEN - 1);
    assert_eq!(h.take_fired(), vec![]);
    assert!(h.stop(&ticker), "parked at MAX_WHEN, still pending");
}

/// For edge cases of `(when, period, delay)`, a periodic timer checked
/// `delay` late re-arms at exactly [`next_periodic_when`], which is the
/// saturated `when + period * (1 + delay / period)`: it runs there with
/// `delay == 0` (or never, at [`MAX_WHEN`]).
pub fn periodic_rearm_matches_next_periodic_when<S: TestableSet>(new_set: impl Fn() -> S) {
    let cases = [
        (100, 10, 0),
        (100, 10, 25),
        (100, 10, 30),
        (1, MAX_WHEN, 0),
        (MAX_WHEN - 5, 10, 0),
        (MAX_WHEN - 2, 1, 0),
        (1 << 61, 1 << 61, 0),
        (1 << 62, 1 << 62, 0),
        (MAX_WHEN / 2, MAX_WHEN / 2 + 1, 0),
        (5, 3, MAX_WHEN - 10),
        (1, 1, MAX_WHEN - 2),
        (1, 2, MAX_WHEN - 3),
    ];
    for (when, period, delay) in cases {
        let case = format!("when={when} period={period} delay={delay}");
        let next = next_periodic_when(when, period, delay);
        assert_eq!(
            next,
            expected_next_periodic_when(when, period, delay),
            "{case}"
        );

        let h = Harness::new(new_set(), START);
        let ticker = h.new_timer();
        h.reset(&ticker, when, period);
        h.check(when + delay);
        assert_eq!(
            h.take_fired(),
            vec![fired(ticker.id(), 0, when, when + delay)],
            "{case}"
        );
        if next < MAX_WHEN {
            assert_eq!(h.check(next - 1), next, "{case}");
            assert_eq!(h.take_fired(), vec![], "{case}");
            h.check(next);
            assert_eq!(
                h.take_fired(),
                vec![fired(ticker.id(), 0, next, next)],
                "{case}"
            );
        } else {
            h.check(MAX_WHEN - 1);
            assert_eq!(h.take_fired(), vec![], "{case}: parked at MAX_WHEN");
            assert!(h.stop(&ticker), "{case}: parked, still pending");
        }
    }
}

/// `modify` and `reset` with `when <= 0` or `period < 0` panic with the
/// message of [`gowheel::validate_modify_args`], which names the bad value;
/// the timer, armed or not, is left exactly as it was (same deadline,
/// callback and `seq`).
pub fn modify_panics_on_bad_arguments_and_changes_nothing<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let unarmed = h.new_timer();
    let armed = h.new_timer();
    h.reset(&armed, 500, 0);

    let bad = [
        (0, 0, "when", 0),
        (-5, 0, "when", -5),
        (100, -1, "period", -1),
        (i64::MIN, 7, "when", i64::MIN),
    ];
    for (when, period, name, value) in bad {
        let expected = expect_panic(|| gowheel::validate_modify_args(when, period));
        assert!(
            expected.contains(name) && expected.contains(&value.to_string()),
            "the validator's message names `{name}` and {value}: {expected:?}"
        );
        for timer in [&unarmed, &armed] {
            let set = h.set();
            let new_callback = Some(h.callback(timer.id()));
            let message = expect_panic(|| {
                set.modify(timer.timer(), when, period, new_callback, 9);
            });
            assert_eq!(message, expected, "modify({when}, {period})");
            let message = expect_panic(|| {
                set.reset(timer.timer(), when, period);
            });
            assert_eq!(message, expected, "reset({when}, {period})");
            h.assert_invariants(&format!("the rejected modify({when}, {period})"));
        }
    }

    assert_eq!(h.check(499), 500, "still armed at 500");
    h.check(500);
    assert_eq!(
        h.take_fired(),
        vec![fired(armed.id(), 0, 500, 500)],
        "old callback and seq"
    );
    assert!(!h.stop(&unarmed), "still unarmed");
}

/// A timer used with a set other than the one that made it panics, in
/// `modify`, `reset` and `stop`, saying so; neither set is changed.
pub fn timer_of_another_set_panics<S: TestableSet>(new_set: impl Fn() -> S) {
    let ours = Harness::new(new_set(), START);
    let theirs = Harness::new(new_set(), START);
    let armed = ours.new_timer();
    let unarmed = ours.new_timer();
    ours.reset(&armed, 100, 0);

    for timer in [&armed, &unarmed] {
        let other = theirs.set();
        let messages = [
            expect_panic(|| {
                other.modify(timer.timer(), 50, 0, Some(gowheel::callback(|_, _| {})), 1);
            }),
            expect_panic(|| {
                other.reset(timer.timer(), 50, 0);
            }),
            expect_panic(|| {
                other.stop(timer.timer());
            }),
        ];
        for message in messages {
            assert!(
                message.contains("other than the one that made it"),
                "{message:?}"
            );
        }
    }
    ours.assert_invariants("misuse by the other set");
    theirs.assert_invariants("misuse of the other set's timers");
    assert_eq!(theirs.stats(), gowheel::TimerSetStats::default());
    theirs.check(1_000);
    ours.check(100);
    assert_eq!(ours.take_fired(), vec![fired(armed.id(), 0, 100, 100)]);
    assert!(!ours.stop(&unarmed));
}

/// Dropping a pending timer's handle does not cancel it: a one-shot timer
/// still fires, a periodic one keeps firing (Go: an `AfterFunc` timer runs
/// with no reference left to it).
pub fn dropped_handle_does_not_stop_timer<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let one_shot = h.new_timer();
    let periodic = h.new_timer();
    h.reset(&one_shot, 100, 0);
    h.reset(&periodic, 200, 50);
    let (a, p) = (one_shot.id(), periodic.id());
    drop(one_shot);
    drop(periodic);
    h.assert_invariants("dropping the handles");

    h.run_until(300);
    assert_eq!(
        h.take_fired(),
        vec![
            fired(a, 0, 100, 100),
            fired(p, 0, 200, 200),
            fired(p, 0, 250, 250),
            fired(p, 0, 300, 300)
        ]
    );
}

/// One arming of a timer by a worker: its `seq` and deadline, and the
/// number of the last check that had started when the arming returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Arming {
    seq: u64,
    when: i64,
    last_check_started: u64,
}

/// What one worker thread did to one of its timers, for the ledger.
#[derive(Default)]
struct TimerLedger {
    /// The `seq` the timer's callback gets now.
    seq: u64,
    /// The arming no operation has resolved yet.
    open: Option<Arming>,
    /// Armings that must have run exactly once.
    must_run: Vec<Arming>,
    /// Armings that a `stop`, `reset` or `modify` returning true cancelled.
    cancelled: usize,
}

impl TimerLedger {
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
struct Run {
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
/// * [`TimerSet::verify`] passes, and once everything has run and a last
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
    let runs: Arc<Vec<Mutex<Vec<Run>>>> = Arc::new(
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
                                lock(&runs[index]).push(Run {
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
                    let mut ledgers: Vec<TimerLedger> = (0..TIMERS_PER_WORKER)
                        .map(|_| TimerLedger::default())
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
                        ledger.open = arming.map(|when| Arming {
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
        let ledgers: Vec<Vec<TimerLedger>> = ledgers
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
    let due_by = |arming: &Arming| -> u64 {
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
