//! The harness the conformance bodies drive a [`TimerSet`] through.
//!
//! # Ground rules
//!
//! * A [`Harness`] owns a set, a [`ManualClock`], a [`Recorder`] that logs
//!   every callback run, and the [model of Go's rules](crate::go_rules)
//!   (every timer's pending deadline, period and `seq`). Every operation
//!   made through the harness is followed by
//!   [`Harness::assert_invariants`], which runs [`TimerSet::verify`] and
//!   compares the set with the model (see there for the list).
//!   Single-threaded tests go through the harness, so no operation goes
//!   unchecked.
//! * Callbacks run inside [`TimerSet::check`], when `verify` must not be
//!   called. Callbacks that operate on timers go through [`Ops`], the
//!   harness's operations minus the checks; the model is still kept up to
//!   date, and any disagreement is stored and reported by the next check of
//!   the invariants, so that no assertion panics inside the set's `check`.
//! * Bulk loops (ten thousand timers) also use [`Ops`] and then call
//!   [`Harness::assert_invariants`] once per batch: verifying a set of `n`
//!   timers costs O(n), and doing it after each of `n` operations would make
//!   the bulk tests quadratic.
//!
//! The model is keyed by the harness's own timer ids, so it works for any
//! backend: it knows nothing about how a set files its timers.

use std::fmt;
use std::sync::{Arc, Mutex, Weak};

use gowheel::{Callback, ManualClock, NOT_ARMED, TimerSet, TimerSetStats};

use crate::go_rules::GoRulesModel;
use crate::panics::lock;
use crate::recorder::{Fired, Recorder};

/// A timer set the conformance suite can run: a [`TimerSet`] whose sets and
/// timer handles may be captured by `'static` callbacks and threads.
///
/// Implemented for every such set; backends need do nothing.
pub trait TestableSet: TimerSet<Timer: 'static> + 'static {}

impl<S: TimerSet<Timer: 'static> + 'static> TestableSet for S {}

/// A timer made through a [`Harness`] or [`Ops`]: the set's handle and the
/// id its recording callback logs.
///
/// Cloning gives another reference to the same handle; dropping every clone
/// drops the handle (which must not stop the timer).
pub struct Tracked<T> {
    id: usize,
    timer: Arc<T>,
}

impl<T> Clone for Tracked<T> {
    fn clone(&self) -> Self {
        Tracked {
            id: self.id,
            timer: self.timer.clone(),
        }
    }
}

impl<T> fmt::Debug for Tracked<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tracked")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl<T> Tracked<T> {
    /// The id this timer's callbacks log.
    pub fn id(&self) -> usize {
        self.id
    }

    /// The set's handle.
    pub fn timer(&self) -> &T {
        &self.timer
    }
}

/// The harness's model of the set, and what went wrong where no assertion
/// could be made. Shared by the harness and every callback.
#[derive(Debug, Default)]
struct ModelState {
    /// What Go's rules say every timer should be doing.
    rules: GoRulesModel,
    /// Disagreements found while a check was running, reported at the next
    /// [`Harness::assert_invariants`].
    violations: Vec<String>,
}

/// The operations of a [`Harness`], without the invariant checks: for
/// callbacks (which run inside a check, when the set must not be verified)
/// and for bulk loops that verify once per batch.
///
/// Every operation keeps the harness's model in step with the set, and
/// records (rather than panics on) any disagreement: a returned `bool` that
/// differs from the model's, or a callback run the model does not expect.
/// [`Harness::assert_invariants`] reports them.
///
/// Holds the set weakly, so that callbacks capturing an `Ops` do not keep
/// their own set alive.
pub struct Ops<S> {
    set: Weak<S>,
    recorder: Recorder,
    model: Arc<Mutex<ModelState>>,
}

impl<S> Clone for Ops<S> {
    fn clone(&self) -> Self {
        Ops {
            set: self.set.clone(),
            recorder: self.recorder.clone(),
            model: self.model.clone(),
        }
    }
}

impl<S> fmt::Debug for Ops<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ops").finish_non_exhaustive()
    }
}

impl<S: TestableSet> Ops<S> {
    fn set(&self) -> Arc<S> {
        self.set.upgrade().expect("the harness's set was dropped")
    }

    /// The recorder the callbacks log to.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// The harness's clock.
    pub fn clock(&self) -> &ManualClock {
        self.recorder.clock()
    }

    /// The clock's reading.
    pub fn now(&self) -> i64 {
        self.clock().now()
    }

    /// A callback for timer `id` that logs each run and tells the model.
    pub fn callback(&self, id: usize) -> Callback {
        self.callback_then(id, |_, _| {})
    }

    /// A callback for timer `id` that logs each run, tells the model, and
    /// then calls `then` with these operations and the run.
    pub fn callback_then<F>(&self, id: usize, then: F) -> Callback
    where
        F: Fn(&Ops<S>, &Fired) + Send + Sync + 'static,
    {
        let ops = self.clone();
        gowheel::callback(move |seq, delay| {
            let fired = ops.recorder.record(id, seq, delay);
            let mut model = lock(&ops.model);
            if let Err(problem) = model.rules.fire(id, seq, fired.when(), delay) {
                model.violations.push(format!("{fired}: {problem}"));
            }
            drop(model);
            then(&ops, &fired);
        })
    }

    /// A new, unarmed timer whose callback logs each run.
    pub fn new_timer(&self) -> Tracked<S::Timer> {
        self.new_timer_then(|_, _| {})
    }

    /// A new, unarmed timer whose callback logs each run and then calls
    /// `then` (see [`callback_then`](Self::callback_then)).
    pub fn new_timer_then<F>(&self, then: F) -> Tracked<S::Timer>
    where
        F: Fn(&Ops<S>, &Fired) + Send + Sync + 'static,
    {
        let id = lock(&self.model).rules.add_timer();
        let timer = self.set().new_timer(self.callback_then(id, then));
        Tracked {
            id,
            timer: Arc::new(timer),
        }
    }

    /// A new, unarmed timer with a callback of the test's own that does not
    /// log. It must be given a logging callback (with
    /// [`modify`](Self::modify)) before it can fire: the model expects every
    /// timer it arms to log its runs.
    pub fn new_timer_with(&self, callback: Callback) -> Tracked<S::Timer> {
        let id = lock(&self.model).rules.add_timer();
        let timer = self.set().new_timer(callback);
        Tracked {
            id,
            timer: Arc::new(timer),
        }
    }

    /// [`TimerSet::modify`]; a `Some` callback must log (use
    /// [`callback`](Self::callback)).
    pub fn modify(
        &self,
        timer: &Tracked<S::Timer>,
        when: i64,
        period: i64,
        callback: Option<Callback>,
        seq: u64,
    ) -> bool {
        let new_seq = callback.is_some().then_some(seq);
        let pending = self.set().modify(&timer.timer, when, period, callback, seq);
        let expected = lock(&self.model).rules.arm(timer.id, when, period, new_seq);
        self.expect_result("modify", timer, pending, expected);
        pending
    }

    /// [`TimerSet::reset`].
    pub fn reset(&self, timer: &Tracked<S::Timer>, when: i64, period: i64) -> bool {
        let pending = self.set().reset(&timer.timer, when, period);
        let expected = lock(&self.model).rules.arm(timer.id, when, period, None);
        self.expect_result("reset", timer, pending, expected);
        pending
    }

    /// [`TimerSet::stop`].
    pub fn stop(&self, timer: &Tracked<S::Timer>) -> bool {
        let pending = self.set().stop(&timer.timer);
        let expected = lock(&self.model).rules.stop(timer.id);
        self.expect_result("stop", timer, pending, expected);
        pending
    }

    /// Whether the model has `timer` pending.
    pub fn is_pending(&self, timer: &Tracked<S::Timer>) -> bool {
        lock(&self.model).rules.is_pending(timer.id)
    }

    /// The number of timers the model has pending.
    pub fn pending_count(&self) -> usize {
        lock(&self.model).rules.pending_count()
    }

    fn expect_result(&self, op: &str, timer: &Tracked<S::Timer>, got: bool, expected: bool) {
        if got != expected {
            lock(&self.model).violations.push(format!(
                "{op} of timer {} returned {got}, but the timer was {}pending",
                timer.id,
                if expected { "" } else { "not " }
            ));
        }
    }
}

/// A timer set driven by a manual clock, with every operation checked.
///
/// After each operation, [`assert_invariants`](Self::assert_invariants)
/// verifies the set and compares it with the harness's model; after each
/// [`check`](Self::check) and [`run_until`](Self::run_until) it also checks
/// that nothing due was left unfired.
///
/// ```
/// use gowheel::HeapTimerSet;
/// use gowheel_compat_tests::Harness;
///
/// let h = Harness::new(HeapTimerSet::new(1), 1);
/// let timer = h.new_timer();
/// assert!(!h.reset(&timer, 100, 0));
/// h.check(99);
/// assert!(h.take_fired().is_empty());
/// h.check(130);
/// let fired = h.take_fired();
/// assert_eq!((fired[0].id, fired[0].delay), (timer.id(), 30));
/// ```
pub struct Harness<S> {
    set: Arc<S>,
    ops: Ops<S>,
}

impl<S> fmt::Debug for Harness<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Harness").finish_non_exhaustive()
    }
}

impl<S: TestableSet> Harness<S> {
    /// A harness around `set`, with a fresh clock reading `start`.
    pub fn new(set: S, start: i64) -> Harness<S> {
        let set = Arc::new(set);
        let ops = Ops {
            set: Arc::downgrade(&set),
            recorder: Recorder::new(ManualClock::new(start)),
            model: Arc::default(),
        };
        let harness = Harness { set, ops };
        harness.assert_invariants("creating the set");
        harness
    }

    /// The set, for calls the harness does not wrap (the test must check
    /// what they do itself).
    pub fn set(&self) -> &S {
        &self.set
    }

    /// The unchecked operations, for callbacks and bulk loops.
    pub fn ops(&self) -> &Ops<S> {
        &self.ops
    }

    /// The harness's clock.
    pub fn clock(&self) -> &ManualClock {
        self.ops.clock()
    }

    /// The clock's reading.
    pub fn now(&self) -> i64 {
        self.ops.now()
    }

    /// [`Ops::new_timer`], checked.
    pub fn new_timer(&self) -> Tracked<S::Timer> {
        let timer = self.ops.new_timer();
        self.assert_invariants("new_timer");
        timer
    }

    /// [`Ops::new_timer_then`], checked.
    pub fn new_timer_then<F>(&self, then: F) -> Tracked<S::Timer>
    where
        F: Fn(&Ops<S>, &Fired) + Send + Sync + 'static,
    {
        let timer = self.ops.new_timer_then(then);
        self.assert_invariants("new_timer");
        timer
    }

    /// [`Ops::new_timer_with`], checked.
    pub fn new_timer_with(&self, callback: Callback) -> Tracked<S::Timer> {
        let timer = self.ops.new_timer_with(callback);
        self.assert_invariants("new_timer");
        timer
    }

    /// [`Ops::callback`]: a logging callback for timer `id`.
    pub fn callback(&self, id: usize) -> Callback {
        self.ops.callback(id)
    }

    /// [`TimerSet::modify`], checked.
    pub fn modify(
        &self,
        timer: &Tracked<S::Timer>,
        when: i64,
        period: i64,
        callback: Option<Callback>,
        seq: u64,
    ) -> bool {
        let pending = self.ops.modify(timer, when, period, callback, seq);
        self.assert_invariants(&format!("modify(timer {}, {when}, {period})", timer.id));
        pending
    }

    /// [`TimerSet::reset`], checked.
    pub fn reset(&self, timer: &Tracked<S::Timer>, when: i64, period: i64) -> bool {
        let pending = self.ops.reset(timer, when, period);
        self.assert_invariants(&format!("reset(timer {}, {when}, {period})", timer.id));
        pending
    }

    /// [`TimerSet::stop`], checked.
    pub fn stop(&self, timer: &Tracked<S::Timer>) -> bool {
        let pending = self.ops.stop(timer);
        self.assert_invariants(&format!("stop(timer {})", timer.id));
        pending
    }

    /// Moves the clock to `now` and calls [`TimerSet::check`] once, then
    /// checks the invariants and that nothing due at `now` is still pending.
    /// Returns what `check` returned.
    ///
    /// Go's check does not promise to run a timer that a callback moves, in
    /// the middle of the check, to a deadline at or before `now` (it may be
    /// left for the next check, which the wake time calls for at once);
    /// tests whose callbacks do that drive the set with
    /// [`run_until`](Self::run_until) instead.
    ///
    /// # Panics
    ///
    /// If `now` is before the clock's reading, or on a broken invariant.
    pub fn check(&self, now: i64) -> i64 {
        let clock_now = self.now();
        assert!(
            now >= clock_now,
            "check({now}) would move the clock back from {clock_now}"
        );
        self.clock().advance(now - clock_now);
        let next = self.set.check(now);
        let what = format!("check({now})");
        self.assert_invariants(&what);
        self.assert_nothing_due(&what, now);
        let earliest = lock(&self.ops.model).rules.earliest_pending();
        if next != NOT_ARMED {
            assert!(
                next > now,
                "{what} returned wake time {next}, not after now"
            );
        }
        if let Some((when, id)) = earliest {
            assert!(
                next != NOT_ARMED && next <= when,
                "{what} returned wake time {next}, but timer {id} is pending at {when}"
            );
        }
        next
    }

    /// What [`ManualClock::run_until`] does, checked: steps the clock
    /// through the set's wake times up to `target`, checking the set at each
    /// with the clock reading that time, so that each timer fires at its own
    /// deadline; then leaves the clock at `target`. Checks the invariants
    /// after every check, and at the end that nothing due by `target` is
    /// still pending.
    ///
    /// # Panics
    ///
    /// On a broken invariant, or if the set stops making progress: a wake
    /// time that stays at or before the time just checked for
    /// [`STALL_LIMIT`](Self::STALL_LIMIT) checks in a row (a check at a wake
    /// time must run what is due there or tighten the bound; a few repeats
    /// are allowed for timers that callbacks move to the current time).
    /// `ManualClock::run_until` would loop forever instead.
    pub fn run_until(&self, target: i64) {
        let mut stalled = 0;
        loop {
            let next = self.set.wake_time();
            if next == NOT_ARMED || next > target {
                break;
            }
            let now = self.now().max(next);
            self.clock().advance(now - self.now());
            self.set.check(now);
            self.assert_invariants(&format!("check({now}) in run_until({target})"));
            let after = self.set.wake_time();
            if after != NOT_ARMED && after <= now {
                stalled += 1;
                assert!(
                    stalled < Self::STALL_LIMIT,
                    "run_until({target}): {stalled} checks at {now} left the wake time at {after}: \
                     nothing due there runs, and the bound does not move"
                );
            } else {
                stalled = 0;
            }
        }
        if target > self.now() {
            self.clock().advance(target - self.now());
        }
        let what = format!("run_until({target})");
        self.assert_invariants(&what);
        self.assert_nothing_due(&what, target);
    }

    /// How many checks in a row [`run_until`](Self::run_until) allows
    /// without the wake time moving past the time checked.
    pub const STALL_LIMIT: usize = 100;

    /// Empties the log of fired events and returns it, oldest first.
    pub fn take_fired(&self) -> Vec<Fired> {
        self.ops.recorder.take()
    }

    /// Whether the model has `timer` pending.
    pub fn is_pending(&self, timer: &Tracked<S::Timer>) -> bool {
        self.ops.is_pending(timer)
    }

    /// The number of timers the model has pending.
    pub fn pending_count(&self) -> usize {
        self.ops.pending_count()
    }

    /// The set's [`TimerSet::stats`].
    pub fn stats(&self) -> TimerSetStats {
        self.set.stats()
    }

    /// Checks, after the operation described by `after`:
    ///
    /// 1. [`TimerSet::verify`];
    /// 2. that every operation returned what Go's rules say (the model's
    ///    "was pending") and every callback run was one the model expected:
    ///    at the deadline the timer was last armed for, never early, with
    ///    the `seq` of its last callback;
    /// 3. that [`TimerSet::stats`] adds up: `filed - zombies` is exactly the
    ///    number of pending timers;
    /// 4. that [`TimerSet::wake_time`] is set and no later than the earliest
    ///    pending deadline, if any is pending;
    /// 5. that [`TimerSet::wake_time`] is [`NOT_ARMED`] when nothing is
    ///    filed.
    ///
    /// # Panics
    ///
    /// On the first broken invariant, naming `after`.
    pub fn assert_invariants(&self, after: &str) {
        self.set.verify();
        let model = lock(&self.ops.model);
        assert!(
            model.violations.is_empty(),
            "after {after}: the set disagrees with Go's rules:\n  {}",
            model.violations.join("\n  ")
        );
        let stats = self.set.stats();
        let pending = model.rules.pending_count();
        assert!(
            stats.zombies <= stats.filed && stats.filed - stats.zombies == pending,
            "after {after}: stats say {stats}, but {pending} timers are pending"
        );
        let wake = self.set.wake_time();
        if let Some((when, id)) = model.rules.earliest_pending() {
            assert!(
                wake != NOT_ARMED && wake <= when,
                "after {after}: wake time {wake} is later than timer {id}'s deadline {when}"
            );
        }
        if stats.filed == 0 {
            assert_eq!(
                wake, NOT_ARMED,
                "after {after}: no timers filed, yet a wake time"
            );
        }
    }

    fn assert_nothing_due(&self, what: &str, now: i64) {
        if let Some((when, id)) = lock(&self.ops.model).rules.earliest_pending() {
            assert!(
                when > now,
                "after {what}: timer {id} is still pending at {when}: a due timer did not fire"
            );
        }
    }
}
