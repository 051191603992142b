//! loom models of the wheel's concurrent protocols.
//!
//! Run with:
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test --release -p gowheel-wheel loom
//! ```
//!
//! loom explores every interleaving of each model's threads (set
//! `LOOM_MAX_PREEMPTIONS` to bound the search if a model grows too big for
//! that). The wheel is tiny (1 ns ticks, 4 slots a level, 2 levels, one
//! stripe), so deadlines a few nanoseconds apart already sit at different
//! levels and cascade.
//!
//! With `--cfg gowheel_broken_min_order` added, `modify` lowers the
//! stripe's bound *before* publishing the move of a timer to an earlier
//! deadline (marking it `MODIFIED` and listing it on the stripe): the order
//! Go's CL 574741 fixed. Then `loom_modify_earlier_racing_adjust`,
//! `loom_modify_earlier_in_another_slot_racing_adjust` and
//! `loom_modify_earlier_racing_purge` must fail: that is the proof that the
//! models can see the bug. The last one guards the sweep that a stop over
//! the zombie line runs, which takes the moved list too (as Go's forced
//! adjust re-files what moved) before it scans the slab for zombies.
//!
//! With `--cfg gowheel_broken_node_return` added, a handle's drop clears
//! its unfiled node without taking the node lock, before returning it to
//! the stripe without the stripe lock; `loom_handle_dropped_racing_clear`
//! must then fail (loom sees the drop and `clear` touch the callback at
//! once).
//!
//! `loom_skipped_handshake_never_leaves_the_driver_asleep_past_a_deadline`
//! models the runtime's wake-up handshake (`api/src/driver.rs`) over the
//! wheel's arming reports; with `--cfg gowheel_broken_arming_report`
//! added, a new timer is reported as never making the next check earlier,
//! and that model must fail (the driver sleeps past the new deadline).
//!
//! Without `--cfg loom` the same scenarios run on real threads, many times
//! each (`GOWHEEL_MODEL_RUNS`, default 200), as part of the plain test
//! suite: a stress run of the same races, which checks the same assertions
//! on whichever interleavings the scheduler produces.

use std::sync::Mutex;

use gowheel_wheel::{TimingWheel, WheelConfig, WheelTimer, callback};
#[cfg(loom)]
use loom::{
    sync::Arc,
    sync::atomic::{AtomicBool, AtomicI64, Ordering, fence},
    thread,
};
#[cfg(not(loom))]
use std::{
    sync::Arc,
    sync::atomic::{AtomicBool, AtomicI64, Ordering, fence},
    thread,
};

/// Runs `f` under loom: exhaustively, unless `LOOM_MAX_PREEMPTIONS` bounds
/// the search.
#[cfg(loom)]
fn model(f: impl Fn() + Sync + Send + 'static) {
    loom::model::Builder::new().check(f);
}

/// Runs `f` under loom with at most `preemptions` preemptions per
/// execution (unless `LOOM_MAX_PREEMPTIONS` says otherwise): for a model
/// whose exhaustive search takes too long for CI.
#[cfg(loom)]
fn bounded_model(preemptions: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(preemptions);
    }
    builder.check(f);
}

/// Without loom, as `model`.
#[cfg(not(loom))]
fn bounded_model(_preemptions: usize, f: impl Fn() + Sync + Send + 'static) {
    model(f);
}

/// Runs `f` on real threads `GOWHEEL_MODEL_RUNS` times (200 by default).
#[cfg(not(loom))]
fn model(f: impl Fn() + Sync + Send + 'static) {
    let runs = std::env::var("GOWHEEL_MODEL_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(200);
    for _ in 0..runs {
        f();
    }
}

fn tiny_wheel() -> TimingWheel {
    TimingWheel::new(
        WheelConfig::default()
            .tick_shift(0)
            .slot_bits(2)
            .levels(2)
            .stripes(1),
    )
}

/// The tiny wheel with Go's lazy stops: every stop leaves a zombie, so a
/// stop over the zombie line sweeps.
fn tiny_lazy_wheel() -> TimingWheel {
    TimingWheel::new(
        WheelConfig::default()
            .tick_shift(0)
            .slot_bits(2)
            .levels(2)
            .stripes(1)
            .unlink_on_stop(false),
    )
}

/// Fires recorded as `(name, delay)`.
type Log = std::sync::Arc<Mutex<Vec<(&'static str, i64)>>>;

/// A timer whose callback records `(name, delay)`.
fn recording_timer(wheel: &TimingWheel, log: &Log, name: &'static str) -> WheelTimer {
    let log = log.clone();
    wheel.new_timer(callback(move |_seq, delay| {
        log.lock().unwrap().push((name, delay));
    }))
}

fn fired(log: &Log, name: &str) -> usize {
    log.lock()
        .unwrap()
        .iter()
        .filter(|(n, _)| *n == name)
        .count()
}

/// Starts a thread that moves the pending timer `moved` to 10.
fn move_earlier_to_10(wheel: &Arc<TimingWheel>, moved: &Arc<WheelTimer>) -> thread::JoinHandle<()> {
    let (wheel, moved) = (wheel.clone(), moved.clone());
    thread::spawn(move || assert!(wheel.reset(&moved, 10, 0), "it was pending"))
}

/// After a race with a move of the timer "moved" to 10: the wake time
/// still covers 10, and a check at 10 fires it.
fn assert_moved_deadline_10_kept(wheel: &TimingWheel, log: &Log) {
    let wake = wheel.wake_time();
    assert!(
        wake != 0 && wake <= 10,
        "the moved deadline 10 was lost: wake time {wake}"
    );
    wheel.check(10);
    assert_eq!(
        fired(log, "moved"),
        1,
        "a check at 10 must fire the moved timer"
    );
    wheel.verify();
}

/// A modify that moves a timer earlier races with the driver adjusting the
/// timer's stripe. Go's bug: the driver clears the modified bound (step 2)
/// and takes the moved timers (step 3) while the modify is between lowering
/// that bound and publishing the move; step 3 misses the timer, step 4
/// recomputes the minimum from its old deadline, and the timer fires late. The new deadline must never be lost: afterwards the wake time is at
/// most the new deadline, and a check then fires the timer.
#[test]
fn loom_modify_earlier_racing_adjust() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let log: Log = Default::default();
        // Both filed in level 1, slot 3 (ticks 12..16).
        let moved = recording_timer(&wheel, &log, "moved");
        let other = recording_timer(&wheel, &log, "other");
        wheel.reset(&moved, 12, 0);
        wheel.reset(&other, 13, 0);
        // `other` moved earlier first: the slot now carries a bound of 5,
        // so the driver's check at 5 adjusts this very slot, and the racing
        // modify below finds the bound already lower than its own deadline.
        wheel.reset(&other, 5, 0);
        let moved = Arc::new(moved);

        let modifier = move_earlier_to_10(&wheel, &moved);
        let driver = {
            let wheel = wheel.clone();
            thread::spawn(move || {
                wheel.check(5);
            })
        };
        modifier.join().unwrap();
        driver.join().unwrap();

        assert_eq!(fired(&log, "other"), 1, "the earlier timer fires at 5");
        assert_eq!(fired(&log, "moved"), 0, "not due before 10");
        assert_moved_deadline_10_kept(&wheel, &log);
    });
}

/// The same race across slots: the driver adjusts a stripe because of a
/// timer moved earlier in one slot, while another timer is moved earlier in
/// a different slot and finds the stripe's bound already low enough to
/// cover it. The driver must not clear that bound and miss the second
/// timer: the modifier's bound RMW, which always writes, is what makes the
/// driver's take of the moved list see it.
#[test]
fn loom_modify_earlier_in_another_slot_racing_adjust() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let log: Log = Default::default();
        let other = recording_timer(&wheel, &log, "other");
        let moved = recording_timer(&wheel, &log, "moved");
        wheel.reset(&other, 9, 0); // level 1, slot 2
        wheel.reset(&moved, 13, 0); // level 1, slot 3
        // The stripe's bound becomes 5, below the 10 the racing modify sets.
        wheel.reset(&other, 5, 0);
        let moved = Arc::new(moved);

        let modifier = move_earlier_to_10(&wheel, &moved);
        let driver = {
            let wheel = wheel.clone();
            thread::spawn(move || {
                wheel.check(5);
            })
        };
        modifier.join().unwrap();
        driver.join().unwrap();

        assert_eq!(fired(&log, "other"), 1);
        assert_moved_deadline_10_kept(&wheel, &log);
    });
}

/// A modify that moves a timer earlier races with a stop that sweeps the
/// stripe (Go's forced adjust): the sweep first settles the moved list,
/// under the same handshake as a check's adjust, then scans the node slab
/// for zombies. Stopping one of two filed timers passes the zombie line (a
/// quarter of the filed timers), so the stop sweeps at once. The wheel's
/// stops are lazy here, as Go's are: an eager stop would unlink its timer
/// and leave nothing to sweep (see the next model).
#[test]
fn loom_modify_earlier_racing_purge() {
    model(|| {
        let wheel = Arc::new(tiny_lazy_wheel());
        let log: Log = Default::default();
        // Both filed in level 1, slot 3 (ticks 12..16).
        let moved = recording_timer(&wheel, &log, "moved");
        let stopped = recording_timer(&wheel, &log, "stopped");
        wheel.reset(&moved, 12, 0);
        wheel.reset(&stopped, 13, 0);
        let moved = Arc::new(moved);

        let modifier = move_earlier_to_10(&wheel, &moved);
        let purger = {
            let wheel = wheel.clone();
            thread::spawn(move || {
                assert!(wheel.stop(&stopped));
                assert_eq!(wheel.stats().zombies, 0, "the stop purged the stripe");
            })
        };
        modifier.join().unwrap();
        purger.join().unwrap();

        assert_moved_deadline_10_kept(&wheel, &log);
        assert_eq!(fired(&log, "stopped"), 0, "a stopped timer never fires");
    });
}

/// A modify that moves a timer earlier races with a stop that unlinks
/// another timer of the same slot at once (the stripe lock was free when
/// the stop tried it, or it leaves a zombie). The unlink must neither lose
/// the moved node from its slot list nor drop the bound that covers its new
/// deadline.
#[test]
fn loom_modify_earlier_racing_stop_unlinking_at_once() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let log: Log = Default::default();
        // Both filed in level 1, slot 3 (ticks 12..16).
        let moved = recording_timer(&wheel, &log, "moved");
        let stopped = recording_timer(&wheel, &log, "stopped");
        wheel.reset(&moved, 12, 0);
        wheel.reset(&stopped, 13, 0);
        let moved = Arc::new(moved);

        let modifier = move_earlier_to_10(&wheel, &moved);
        let stopper = {
            let wheel = wheel.clone();
            thread::spawn(move || assert!(wheel.stop(&stopped)))
        };
        modifier.join().unwrap();
        stopper.join().unwrap();

        assert_moved_deadline_10_kept(&wheel, &log);
        assert_eq!(fired(&log, "stopped"), 0, "a stopped timer never fires");
    });
}

/// A stop unlinks at once a timer that was moved earlier and is still on
/// the stripe's moved list, while the driver's check settles that list:
/// the stopped timer never fires, the other one does, and the stripe's
/// lists stay consistent (`verify`). Explored with up to two preemptions
/// (about half a minute); the exhaustive search takes too long for CI.
#[test]
fn loom_stop_unlinking_a_listed_timer_racing_adjust() {
    bounded_model(2, || {
        let wheel = Arc::new(tiny_wheel());
        let log: Log = Default::default();
        let stopped = recording_timer(&wheel, &log, "stopped");
        let other = recording_timer(&wheel, &log, "other");
        wheel.reset(&stopped, 13, 0);
        wheel.reset(&other, 12, 0);
        // Moved earlier: listed on the stripe, not yet re-filed.
        assert!(wheel.reset(&stopped, 10, 0));

        let stopper = {
            let wheel = wheel.clone();
            thread::spawn(move || assert!(wheel.stop(&stopped)))
        };
        let driver = {
            let wheel = wheel.clone();
            thread::spawn(move || {
                wheel.check(9);
            })
        };
        stopper.join().unwrap();
        driver.join().unwrap();

        wheel.check(20);
        assert_eq!(fired(&log, "stopped"), 0, "a stopped timer never fires");
        assert_eq!(fired(&log, "other"), 1);
        wheel.verify();
    });
}

/// A handle is dropped while the driver fires its timer: the callback runs
/// once (dropping a handle does not cancel), and the node is recycled
/// exactly once, by whichever of the two finishes last.
#[test]
fn loom_handle_dropped_while_firing() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let log: Log = Default::default();
        let timer = recording_timer(&wheel, &log, "timer");
        wheel.reset(&timer, 3, 0);

        let dropper = thread::spawn(move || drop(timer));
        let driver = {
            let wheel = wheel.clone();
            thread::spawn(move || {
                wheel.check(3);
            })
        };
        dropper.join().unwrap();
        driver.join().unwrap();
        wheel.check(3);

        assert_eq!(fired(&log, "timer"), 1);
        let stats = wheel.stats();
        assert_eq!(
            (stats.filed, stats.timers),
            (0, 0),
            "the node was not recycled once"
        );
        // A recycled node is reused by the next timer.
        let again = recording_timer(&wheel, &log, "again");
        assert_eq!(wheel.stats().timers, 1);
        drop(again);
        wheel.verify();
    });
}

/// The wheel is dropped while another thread drops the handles of a
/// pending and of a stopped timer: the stripe is freed exactly once, by
/// whichever of the drops comes last (loom reports a leaked `Arc`; a stripe
/// freed too early crashes the model).
#[test]
fn loom_wheel_dropped_while_handles_drop() {
    // Exhaustive takes minutes: every node of the clear is locked.
    bounded_model(2, || {
        let wheel = tiny_wheel();
        let log: Log = Default::default();
        let pending = recording_timer(&wheel, &log, "pending");
        wheel.reset(&pending, 3, 0);
        let stopped = recording_timer(&wheel, &log, "stopped");
        wheel.reset(&stopped, 2, 0);
        assert!(wheel.stop(&stopped));

        let dropper = thread::spawn(move || {
            drop(pending);
            drop(stopped);
        });
        drop(wheel);
        dropper.join().unwrap();
        assert_eq!(fired(&log, "pending") + fired(&log, "stopped"), 0);
    });
}

/// Runs `stop` on one thread while another checks `wheel` at 3, then
/// checks at 100; returns what `stop` returned.
fn race_with_a_check_at_3(
    wheel: &Arc<TimingWheel>,
    stop: impl FnOnce() -> bool + Send + 'static,
) -> bool {
    let stopper = thread::spawn(stop);
    let driver = {
        let wheel = wheel.clone();
        thread::spawn(move || {
            wheel.check(3);
        })
    };
    let stopped = stopper.join().unwrap();
    driver.join().unwrap();
    wheel.check(100);
    stopped
}

/// Exactly one of "`what` returned true" and "the timer's callback ran".
fn assert_stopped_or_fired_once(log: &Log, stopped: bool, what: &str) {
    let runs = fired(log, "timer");
    assert!(
        stopped != (runs == 1) && runs <= 1,
        "{what} returned {stopped} and the callback ran {runs} times"
    );
}

/// `stop` races with the driver firing the same timer: exactly one of "stop
/// returned true" and "the callback ran" happens.
#[test]
fn loom_stop_racing_fire() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let log: Log = Default::default();
        let timer = Arc::new(recording_timer(&wheel, &log, "timer"));
        wheel.reset(&timer, 3, 0);

        let stopper = wheel.clone();
        let stopped = race_with_a_check_at_3(&wheel, move || stopper.stop(&timer));
        assert_stopped_or_fired_once(&log, stopped, "stop");
        wheel.verify();
    });
}

/// `stop_and_drop` races with the driver firing the same timer: exactly one
/// of "it returned true" and "the callback ran" happens, the callback is
/// let go of once, and the node is recycled once, by whichever side
/// unfiles it (the stop's unlink, or the firing, after which the stop
/// returns the unfiled node itself).
#[test]
fn loom_stop_and_drop_racing_fire() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let log: Log = Default::default();
        let drops = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let timer = {
            let (log, counted) = (log.clone(), drop_counting_callback(&drops));
            wheel.new_timer(callback(move |seq, delay| {
                log.lock().unwrap().push(("timer", delay));
                counted(seq, delay);
            }))
        };
        wheel.reset(&timer, 3, 0);

        let stopper = wheel.clone();
        let stopped = race_with_a_check_at_3(&wheel, move || stopper.stop_and_drop(timer));
        assert_stopped_or_fired_once(&log, stopped, "stop_and_drop");
        assert_eq!(
            drops.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "the callback was not let go of exactly once"
        );
        let stats = wheel.stats();
        assert_eq!(
            (stats.filed, stats.timers),
            (0, 0),
            "the node was not recycled once"
        );
        wheel.verify();
    });
}

/// `reset` to a later time races with the driver firing the timer: if the
/// reset found it pending, it fires once, at the new time; otherwise it
/// fired at the old time and fires again at the new one.
#[test]
fn loom_reset_racing_fire() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let log: Log = Default::default();
        let timer = Arc::new(recording_timer(&wheel, &log, "timer"));
        wheel.reset(&timer, 3, 0);

        let resetter = {
            let (wheel, timer) = (wheel.clone(), timer.clone());
            thread::spawn(move || wheel.reset(&timer, 9, 0))
        };
        let driver = {
            let wheel = wheel.clone();
            thread::spawn(move || {
                wheel.check(3);
            })
        };
        let was_pending = resetter.join().unwrap();
        driver.join().unwrap();
        let before = fired(&log, "timer");
        assert!(
            wheel.wake_time() != 0 && wheel.wake_time() <= 9,
            "the reset deadline 9 must be pending"
        );
        wheel.check(9);
        let after = fired(&log, "timer");
        if was_pending {
            assert_eq!(
                (before, after),
                (0, 1),
                "reset won: only the new deadline fires"
            );
        } else {
            assert_eq!(
                (before, after),
                (1, 2),
                "fire won: old and new deadlines fire"
            );
        }
        assert_eq!(
            log.lock().unwrap().last().unwrap().1,
            0,
            "fired at 9 exactly"
        );
        wheel.verify();
    });
}

/// Two threads reset one pending timer, one earlier and one later: both
/// find it pending, and it fires exactly once, at whichever deadline was
/// set last, never later than the wake time promised.
#[test]
fn loom_two_threads_reset_one_timer() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let log: Log = Default::default();
        let timer = Arc::new(recording_timer(&wheel, &log, "timer"));
        wheel.reset(&timer, 10, 0);

        let resets: Vec<_> = [5, 14]
            .into_iter()
            .map(|when| {
                let (wheel, timer) = (wheel.clone(), timer.clone());
                thread::spawn(move || wheel.reset(&timer, when, 0))
            })
            .collect();
        for reset in resets {
            assert!(
                reset.join().unwrap(),
                "the timer was pending for both resets"
            );
        }
        let wake = wheel.wake_time();
        assert!(
            wake != 0 && wake <= 14,
            "wake time {wake} later than both deadlines"
        );
        wheel.check(5);
        let early = fired(&log, "timer");
        wheel.check(14);
        assert_eq!(fired(&log, "timer"), 1, "fires exactly once");
        if early == 0 {
            assert!(wheel.wake_time() == 0 || wheel.wake_time() > 14);
        }
        wheel.verify();
    });
}

/// A timer is armed while the driver empties the slot it lands in (firing
/// the slot's other timer): the new timer is neither lost nor fired early.
#[test]
fn loom_timer_added_while_driver_empties_its_slot() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let log: Log = Default::default();
        let first = recording_timer(&wheel, &log, "first");
        wheel.reset(&first, 2, 0);
        let second = Arc::new(recording_timer(&wheel, &log, "second"));

        let adder = {
            let (wheel, second) = (wheel.clone(), second.clone());
            thread::spawn(move || assert!(!wheel.reset(&second, 3, 0)))
        };
        let driver = {
            let wheel = wheel.clone();
            thread::spawn(move || {
                wheel.check(2);
            })
        };
        adder.join().unwrap();
        driver.join().unwrap();

        assert_eq!(fired(&log, "first"), 1);
        assert_eq!(fired(&log, "second"), 0, "not due at 2");
        let wake = wheel.wake_time();
        assert!(
            wake != 0 && wake <= 3,
            "the added deadline 3 was lost: wake time {wake}"
        );
        wheel.check(3);
        assert_eq!(fired(&log, "second"), 1);
        wheel.verify();
        drop(first);
    });
}

/// A timer is made while another thread clears the wheel (as a dropped
/// runtime does). Clearing visits every node of the slab, handle or not, so
/// giving a fresh node its callback must not race with it: loom reports any
/// unsynchronized access to the callback.
#[test]
fn loom_new_timer_racing_clear() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let log: Log = Default::default();
        // A recycled node: the new timer reuses a node `clear` visits.
        drop(recording_timer(&wheel, &log, "recycled"));

        let maker = {
            let (wheel, log) = (wheel.clone(), log.clone());
            thread::spawn(move || {
                let timer = recording_timer(&wheel, &log, "new");
                assert!(!wheel.reset(&timer, 5, 0));
                timer
            })
        };
        wheel.clear();
        let timer = maker.join().unwrap();

        wheel.check(5);
        // Made after the clear, it fires; made before, the clear took its
        // callback, and it fires with none.
        assert!(fired(&log, "new") <= 1);
        assert!(!wheel.stop(&timer), "fired either way");
        wheel.verify();
    });
}

/// A callback that counts its drops in `drops`.
fn drop_counting_callback(
    drops: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> gowheel_wheel::Callback {
    struct CountsDrop(std::sync::Arc<std::sync::atomic::AtomicUsize>);
    impl Drop for CountsDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
    let counted = CountsDrop(drops.clone());
    callback(move |_, _| {
        let _ = &counted;
    })
}

/// The handle of an unfiled timer is dropped while the wheel is cleared
/// (as a runtime's shutdown clears it). The drop clears the node under its
/// lock and returns it to the stripe without the stripe lock, while
/// `clear` locks every node of the slab and takes its callback. The
/// callback is let go of exactly once, and the node is handed out again to
/// the next timer. Under `--cfg gowheel_broken_node_return` the drop clears
/// the node without its lock, and loom reports the two threads' accesses
/// to the callback.
#[test]
fn loom_handle_dropped_racing_clear() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let drops = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let timer = wheel.new_timer(drop_counting_callback(&drops));
        let dropper = thread::spawn(move || drop(timer));
        wheel.clear();
        dropper.join().unwrap();
        assert_eq!(
            drops.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "the callback was not let go of exactly once"
        );
        assert_eq!(wheel.stats().timers, 0, "the returned node still counts");
        let log: Log = Default::default();
        let again = recording_timer(&wheel, &log, "again");
        assert_eq!(wheel.stats().timers, 1);
        wheel.reset(&again, 3, 0);
        wheel.check(3);
        assert_eq!(fired(&log, "again"), 1);
        wheel.verify();
    });
}

/// A handle's drop returns its node while another thread makes a timer on
/// the same stripe, which may take the returned node: each node is handed
/// out once, and both the new timer and a second one work.
#[test]
fn loom_node_returned_while_a_timer_is_made() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let log: Log = Default::default();
        let stopped = recording_timer(&wheel, &log, "stopped");
        wheel.reset(&stopped, 2, 0);
        assert!(wheel.stop(&stopped));

        let dropper = thread::spawn(move || drop(stopped));
        let maker = {
            let (wheel, log) = (wheel.clone(), log.clone());
            thread::spawn(move || {
                let timer = recording_timer(&wheel, &log, "new");
                assert!(!wheel.reset(&timer, 3, 0));
                timer
            })
        };
        dropper.join().unwrap();
        let made = maker.join().unwrap();
        let second = recording_timer(&wheel, &log, "second");
        assert_ne!(
            made.identity(),
            second.identity(),
            "one node handed out twice"
        );
        assert_eq!(wheel.stats().timers, 2);
        wheel.reset(&second, 3, 0);
        wheel.check(3);
        assert_eq!((fired(&log, "new"), fired(&log, "second")), (1, 1));
        assert_eq!(fired(&log, "stopped"), 0);
        wheel.verify();
    });
}

/// A modify that moves a timer earlier races with the driver cascading the
/// timer's slot ahead of time. At 5 the level-1 slot of ticks 8..12 is the
/// next one, and one of its two nodes is owed to level 0 (half of its four
/// ticks are left); the cascade moves a clean node by a CAS on its word,
/// which the modifier's lock makes fail, or a marked one under its lock.
/// Either way the moved deadline is kept, and the node that stays keeps
/// its own.
#[test]
fn loom_modify_earlier_racing_cascade_ahead() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let log: Log = Default::default();
        // Both filed in level 1, slot 2 (ticks 8..12).
        let stays = recording_timer(&wheel, &log, "stays");
        let moved = recording_timer(&wheel, &log, "moved");
        wheel.reset(&stays, 11, 0);
        wheel.reset(&moved, 9, 0);
        let moved = Arc::new(moved);

        let modifier = {
            let (wheel, moved) = (wheel.clone(), moved.clone());
            thread::spawn(move || assert!(wheel.reset(&moved, 7, 0), "it was pending"))
        };
        let driver = {
            let wheel = wheel.clone();
            thread::spawn(move || {
                wheel.check(5);
            })
        };
        modifier.join().unwrap();
        driver.join().unwrap();

        wheel.verify();
        let wake = wheel.wake_time();
        assert!(
            wake != 0 && wake <= 7,
            "the moved deadline 7 was lost: wake time {wake}"
        );
        wheel.check(7);
        assert_eq!(
            fired(&log, "moved"),
            1,
            "a check at 7 fires the moved timer"
        );
        assert_eq!(fired(&log, "stays"), 0, "not due before 11");
        wheel.check(11);
        assert_eq!(fired(&log, "stays"), 1, "a check at 11 fires the other");
        wheel.verify();
    });
}

/// The arming side of the runtime's wake-up handshake (`DriverWaker::armed`
/// and `RuntimeShared::armed` in `api/src/`), as the runtime runs it after
/// each start or modify: nothing to do if the wheel reports that the
/// arming cannot have made its next check earlier; otherwise a SeqCst
/// fence, then an unpark if the driver sleeps past the arming's deadline
/// or the maintenance time of its stripe.
fn tell_driver(
    wheel: &TimingWheel,
    timer: &WheelTimer,
    when: i64,
    armed: gowheel_wheel::Armed,
    sleeping_until: &AtomicI64,
    unparked: &AtomicBool,
) {
    if !armed.next_check_may_be_earlier {
        return;
    }
    let maintenance = wheel.maintenance_time_of(timer);
    let when = if maintenance != 0 && maintenance < when {
        maintenance
    } else {
        when
    };
    fence(Ordering::SeqCst);
    if when < sleeping_until.load(Ordering::Relaxed) {
        unparked.store(true, Ordering::Relaxed);
    }
}

/// The wheel's next check time as the driver sleeps towards it: never, if
/// nothing is filed.
fn sleep_target(wheel: &TimingWheel) -> i64 {
    match wheel.next_check_time() {
        0 => i64::MAX,
        when => when,
    }
}

/// The runtime's wake-up handshake over the wheel's reports: while one
/// thread moves a timer later and starts one behind the earliest (both
/// reported as not making the next check earlier, so the handshake is
/// skipped) and one ahead of every other (which is not skipped), the
/// driver decides how long to sleep as `drive` in `api/src/driver.rs`
/// does: publish the target, SeqCst fence, read the next check time
/// again. Whatever the interleaving, it ends up asleep no later than the
/// earliest deadline, or the arming thread unparks it.
#[test]
fn loom_skipped_handshake_never_leaves_the_driver_asleep_past_a_deadline() {
    model(|| {
        let wheel = Arc::new(tiny_wheel());
        let moved = Arc::new(wheel.start_timer(callback(|_, _| {}), 20, 0));
        let kept = wheel.start_timer(callback(|_, _| {}), 40, 0);
        let sleeping_until = Arc::new(AtomicI64::new(0));
        let unparked = Arc::new(AtomicBool::new(false));
        let arming = {
            let (wheel, moved) = (wheel.clone(), moved.clone());
            let (sleeping_until, unparked) = (sleeping_until.clone(), unparked.clone());
            thread::spawn(move || {
                let armed = wheel.modify_reporting(&moved, 60, 0, None, 0);
                assert!(!armed.next_check_may_be_earlier, "a move later is quiet");
                tell_driver(&wheel, &moved, 60, armed, &sleeping_until, &unparked);
                let (behind, armed) = wheel.start_timer_reporting(callback(|_, _| {}), 50, 0);
                assert!(
                    !armed.next_check_may_be_earlier,
                    "behind the earliest is quiet"
                );
                tell_driver(&wheel, &behind, 50, armed, &sleeping_until, &unparked);
                let (first, armed) = wheel.start_timer_reporting(callback(|_, _| {}), 10, 0);
                tell_driver(&wheel, &first, 10, armed, &sleeping_until, &unparked);
                (behind, first)
            })
        };
        // The driver: publish, fence, read again, keep the earlier.
        let until = sleep_target(&wheel);
        sleeping_until.store(until, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        let until = until.min(sleep_target(&wheel));
        let timers = arming.join().unwrap();
        assert!(
            until <= 10 || unparked.load(Ordering::Relaxed),
            "the driver sleeps until {until}, past the deadline 10, and was not unparked"
        );
        drop((timers, kept));
    });
}
