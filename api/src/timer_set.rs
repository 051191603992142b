//! The runtime-layer timer API: what Go's `runtime/time.go` offers the rest of
//! the Go runtime, as one trait that every backend implements.
//!
//! # Time
//!
//! Times are `i64` nanoseconds of the set's monotonic clock, exactly as in Go:
//!
//! | value | meaning |
//! | --- | --- |
//! | `when > 0` | a deadline |
//! | `0` ([`NOT_ARMED`]) | not armed; as a wake time, "no timers" |
//! | `i64::MAX` ([`MAX_WHEN`]) | the saturated far future: armed, but never reached |
//!
//! A timer set has no clock of its own. Whoever drives it (a test with a
//! [`ManualClock`](crate::ManualClock), or a driver thread) reads a clock and
//! calls [`TimerSet::check`] with the time.
//!
//! # Semantics kept from Go
//!
//! * [`modify`](TimerSet::modify) and [`stop`](TimerSet::stop) return whether
//!   the timer was pending (armed and not yet fired) when they were called.
//! * A callback gets `seq` (an opaque number the caller chose when it set the
//!   callback) and `delay = now - when`, how late the check that ran it was.
//! * A periodic timer re-arms at `when + period * (1 + delay / period)`,
//!   saturating at [`MAX_WHEN`]: missed periods are skipped, never replayed.
//! * [`check`](TimerSet::check) runs due timers in non-decreasing `when`
//!   order within each independent part of the set, with every lock of the
//!   set released while a callback runs, so callbacks may start, stop and
//!   reset timers, themselves included.
//! * [`wake_time`](TimerSet::wake_time) is never later than the earliest
//!   pending deadline. It may be earlier (a lower bound left by a timer that
//!   was moved earlier and then stopped): checking at that time fires nothing
//!   and tightens the bound.
//! * `when <= 0` or `period < 0` passed to `modify` is a caller bug and panics
//!   with a message that names the bad value; the `try_` forms return a
//!   [`ModifyArgsError`] instead.
//!
//! # Design constraints on implementations
//!
//! The trait is written so that a timing wheel can implement it with no
//! global lock on the start/stop/reset path and no allocation per call beyond
//! the timer itself: a timer handle is created once by
//! [`new_timer`](TimerSet::new_timer) and then re-armed in place; the callback
//! is a reference-counted closure that `modify` only replaces when asked to.

use std::fmt;

pub use gowheel_wheel::{
    Callback, MAX_WHEN, ModifyArgsError, NOT_ARMED, callback, check_modify_args,
    next_periodic_when, validate_modify_args,
};

/// The earlier of two times at which a set needs a check, where
/// [`NOT_ARMED`] means never.
pub(crate) fn earlier(when: i64, other: i64) -> i64 {
    match (when, other) {
        (NOT_ARMED, other) => other,
        (when, NOT_ARMED) => when,
        (when, other) => when.min(other),
    }
}

/// A shared callback that does nothing, for timers whose callback was
/// released.
pub(crate) fn noop_callback() -> Callback {
    static NOOP: std::sync::OnceLock<Callback> = std::sync::OnceLock::new();
    NOOP.get_or_init(|| callback(|_, _| {})).clone()
}

/// A count of what a timer set holds, for tests and monitoring.
///
/// ```
/// use gowheel::{HeapTimerSet, TimerSet};
///
/// let set = HeapTimerSet::new(1);
/// let timer = set.new_timer(gowheel::callback(|_, _| {}));
/// set.modify(&timer, 100, 0, None, 0);
/// set.stop(&timer);
/// let stats = set.stats();
/// assert_eq!(stats.filed, 1); // stopped lazily: still filed...
/// assert_eq!(stats.zombies, 1); // ...as a zombie awaiting removal
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimerSetStats {
    /// Timers the set's structure holds, stopped-but-not-yet-removed ones
    /// included.
    pub filed: usize,
    /// Of those, the stopped ones waiting to be removed lazily.
    pub zombies: usize,
}

impl fmt::Display for TimerSetStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} filed, {} zombies", self.filed, self.zombies)
    }
}

/// A set of timers with Go's runtime-layer operations and answers.
///
/// Implemented by [`HeapTimerSet`](crate::HeapTimerSet), the port of Go's
/// per-P heaps, and by the timing wheel. Code written against this trait runs
/// on either.
///
/// All methods take `&self` and may be called from any thread concurrently.
/// A timer handle must only be used with the set that created it; using it
/// with another set panics.
///
/// # Example
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use gowheel::{HeapTimerSet, TimerSet};
///
/// let set = HeapTimerSet::new(1);
/// let fired = Arc::new(Mutex::new(Vec::new()));
/// let log = fired.clone();
/// let timer = set.new_timer(gowheel::callback(move |seq, delay| {
///     log.lock().unwrap().push((seq, delay));
/// }));
///
/// assert!(!set.modify(&timer, 100, 0, None, 0)); // arm at t=100: was not pending
/// assert_eq!(set.wake_time(), 100);
/// assert_eq!(set.check(99), 100); // nothing due yet; next wake at 100
/// set.check(130); // fires, 30 ns late
/// assert_eq!(*fired.lock().unwrap(), vec![(0, 30)]);
/// assert!(!set.stop(&timer)); // already fired: not pending
/// ```
pub trait TimerSet: Send + Sync {
    /// The handle of one timer of this set: created once, re-armed in place.
    ///
    /// Dropping the handle does not stop the timer: a pending timer still
    /// fires, as a Go timer still fires after its last reference is gone.
    type Timer: Send + Sync;

    /// Makes a new, unarmed timer with its callback (Go's `t.init(f, arg)`).
    /// The timer's `seq` starts at 0.
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, TimerSet};
    /// let set = HeapTimerSet::new(1);
    /// let timer = set.new_timer(gowheel::callback(|_, _| {}));
    /// assert!(!set.stop(&timer)); // never armed
    /// ```
    fn new_timer(&self, callback: Callback) -> Self::Timer;

    /// Makes a new timer armed at `when`, then every `period` ns if
    /// `period > 0` (Go's `newTimer`, which inits then modifies). The same
    /// as [`new_timer`](TimerSet::new_timer) followed by
    /// [`reset`](TimerSet::reset); a backend may do it in one step.
    ///
    /// # Panics
    ///
    /// As [`modify`](TimerSet::modify).
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, TimerSet};
    /// let set = HeapTimerSet::new(1);
    /// let timer = set.start_timer(gowheel::callback(|_, _| {}), 100, 0);
    /// assert!(set.stop(&timer));
    /// ```
    fn start_timer(&self, callback: Callback, when: i64, period: i64) -> Self::Timer {
        validate_modify_args(when, period);
        let timer = self.new_timer(callback);
        self.reset(&timer, when, period);
        timer
    }

    /// Arms `timer` to fire at `when`, then every `period` ns if `period > 0`,
    /// replacing its callback and `seq` if `callback` is `Some` (Go's
    /// `t.modify`). Returns whether the timer was pending before the call.
    ///
    /// # Panics
    ///
    /// If `when <= 0` or `period < 0` (naming the bad value), or if `timer`
    /// belongs to another set.
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, TimerSet};
    /// let set = HeapTimerSet::new(1);
    /// let timer = set.new_timer(gowheel::callback(|_, _| {}));
    /// assert!(!set.modify(&timer, 50, 0, None, 0));
    /// assert!(set.modify(&timer, 80, 10, Some(gowheel::callback(|_, _| {})), 3));
    /// ```
    fn modify(
        &self,
        timer: &Self::Timer,
        when: i64,
        period: i64,
        callback: Option<Callback>,
        seq: u64,
    ) -> bool;

    /// Re-arms `timer` at `when` with `period`, keeping its callback and
    /// `seq` (Go's `t.reset`). Returns whether the timer was pending.
    ///
    /// # Panics
    ///
    /// As [`modify`](TimerSet::modify).
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, TimerSet};
    /// let set = HeapTimerSet::new(1);
    /// let timer = set.new_timer(gowheel::callback(|_, _| {}));
    /// assert!(!set.reset(&timer, 10, 0));
    /// assert!(set.reset(&timer, 20, 0));
    /// ```
    fn reset(&self, timer: &Self::Timer, when: i64, period: i64) -> bool {
        self.modify(timer, when, period, None, 0)
    }

    /// [`start_timer`](TimerSet::start_timer), or an error (and no timer)
    /// if `when <= 0` or `period < 0`.
    ///
    /// # Errors
    ///
    /// As [`check_modify_args`].
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, TimerSet};
    /// let set = HeapTimerSet::new(1);
    /// assert!(set.try_start_timer(gowheel::callback(|_, _| {}), 0, 0).is_err());
    /// assert!(set.try_start_timer(gowheel::callback(|_, _| {}), 1, 0).is_ok());
    /// ```
    fn try_start_timer(
        &self,
        callback: Callback,
        when: i64,
        period: i64,
    ) -> Result<Self::Timer, ModifyArgsError> {
        check_modify_args(when, period)?;
        Ok(self.start_timer(callback, when, period))
    }

    /// [`modify`](TimerSet::modify), or an error (the timer unchanged) if
    /// `when <= 0` or `period < 0`.
    ///
    /// # Errors
    ///
    /// As [`check_modify_args`].
    ///
    /// # Panics
    ///
    /// If `timer` belongs to another set.
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, ModifyArgsError, TimerSet};
    /// let set = HeapTimerSet::new(1);
    /// let timer = set.new_timer(gowheel::callback(|_, _| {}));
    /// assert_eq!(set.try_modify(&timer, -3, 0, None, 0), Err(ModifyArgsError::NonPositiveWhen(-3)));
    /// assert_eq!(set.try_modify(&timer, 50, 0, None, 0), Ok(false));
    /// ```
    fn try_modify(
        &self,
        timer: &Self::Timer,
        when: i64,
        period: i64,
        callback: Option<Callback>,
        seq: u64,
    ) -> Result<bool, ModifyArgsError> {
        check_modify_args(when, period)?;
        Ok(self.modify(timer, when, period, callback, seq))
    }

    /// [`reset`](TimerSet::reset), or an error (the timer unchanged) if
    /// `when <= 0` or `period < 0`.
    ///
    /// # Errors
    ///
    /// As [`check_modify_args`].
    ///
    /// # Panics
    ///
    /// If `timer` belongs to another set.
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, ModifyArgsError, TimerSet};
    /// let set = HeapTimerSet::new(1);
    /// let timer = set.new_timer(gowheel::callback(|_, _| {}));
    /// assert_eq!(set.try_reset(&timer, 10, -1), Err(ModifyArgsError::NegativePeriod(-1)));
    /// assert_eq!(set.try_reset(&timer, 10, 0), Ok(false));
    /// ```
    fn try_reset(
        &self,
        timer: &Self::Timer,
        when: i64,
        period: i64,
    ) -> Result<bool, ModifyArgsError> {
        check_modify_args(when, period)?;
        Ok(self.reset(timer, when, period))
    }

    /// Disarms `timer` (Go's `t.stop`). Returns true iff this call stopped a
    /// pending timer.
    ///
    /// # Panics
    ///
    /// If `timer` belongs to another set.
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, TimerSet};
    /// let set = HeapTimerSet::new(1);
    /// let timer = set.new_timer(gowheel::callback(|_, _| {}));
    /// set.reset(&timer, 10, 0);
    /// assert!(set.stop(&timer));
    /// assert!(!set.stop(&timer));
    /// ```
    fn stop(&self, timer: &Self::Timer) -> bool;

    /// Stops `timer` and drops its handle in one step: the answer of
    /// [`stop`](TimerSet::stop), and what a `stop` followed by the handle's
    /// drop leaves. A backend may do it with less work than the two apart
    /// (the wheel does).
    ///
    /// # Panics
    ///
    /// If `timer` belongs to another set.
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, TimerSet};
    /// let set = HeapTimerSet::new(1);
    /// let timer = set.new_timer(gowheel::callback(|_, _| {}));
    /// set.reset(&timer, 10, 0);
    /// assert!(set.stop_and_drop(timer));
    /// assert!(!set.stop_and_drop(set.new_timer(gowheel::callback(|_, _| {}))));
    /// ```
    fn stop_and_drop(&self, timer: Self::Timer) -> bool {
        let pending = self.stop(&timer);
        drop(timer);
        pending
    }

    /// Runs every timer due at `now` (Go's `ts.check`), then returns the time
    /// the set next needs a check, or [`NOT_ARMED`] if it holds no timers.
    ///
    /// Callbacks run on the calling thread, one at a time, with no lock of
    /// the set held. A returned wake time is never later than the earliest
    /// deadline pending at the end of the call; timers armed concurrently
    /// with the call may be due earlier, which [`wake_time`](Self::wake_time)
    /// reports.
    ///
    /// A `now` of [`MAX_WHEN`] or later counts as `MAX_WHEN - 1`: the
    /// saturated deadline is never reached, so a timer armed there never
    /// runs, even periodic.
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, TimerSet};
    /// let set = HeapTimerSet::new(1);
    /// let timer = set.new_timer(gowheel::callback(|_, _| {}));
    /// set.reset(&timer, 10, 5); // periodic: 10, 15, 20, ...
    /// assert_eq!(set.check(12), 15);
    /// ```
    fn check(&self, now: i64) -> i64;

    /// The time the set next needs a check, or [`NOT_ARMED`] if it holds no
    /// timers (Go's `ts.wakeTime`). Never later than the earliest pending
    /// deadline; lock-free.
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, TimerSet};
    /// let set = HeapTimerSet::new(1);
    /// assert_eq!(set.wake_time(), gowheel::NOT_ARMED);
    /// let timer = set.new_timer(gowheel::callback(|_, _| {}));
    /// set.reset(&timer, 42, 0);
    /// assert!(set.wake_time() <= 42);
    /// ```
    fn wake_time(&self) -> i64;

    /// Checks every invariant of the set's structure, panicking with a
    /// description of the first one broken.
    ///
    /// Meant for tests: it locks the whole set, and it must be called while
    /// no other operation is in progress, since invariants may be broken
    /// transiently inside an operation.
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, TimerSet};
    /// let set = HeapTimerSet::new(2);
    /// let timer = set.new_timer(gowheel::callback(|_, _| {}));
    /// set.reset(&timer, 42, 0);
    /// set.verify();
    /// ```
    fn verify(&self);

    /// What the set holds now: a snapshot from counters, not a lock-step
    /// census, so it may be stale while other threads operate.
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, TimerSet};
    /// let set = HeapTimerSet::new(1);
    /// assert_eq!(set.stats().filed, 0);
    /// ```
    fn stats(&self) -> TimerSetStats;

    /// Disarms every timer and releases the callback of every timer the set
    /// made, armed or not, leaving the set empty; handles stay valid and can
    /// arm their timers again (with a new callback, or none: a `reset`
    /// re-arms them to call nothing). Used when the owner of a set shuts it
    /// down, so that callbacks (and whatever they hold) are freed even while
    /// handles live on. Both backends also clear themselves when dropped.
    ///
    /// This is what frees a callback that holds its own timer's handle: such
    /// a cycle outlives every other reference, and lives until the set is
    /// cleared or dropped. A callback that holds the set itself keeps the
    /// set from being dropped; call `clear` before letting go of such a set.
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, TimerSet};
    /// let set = HeapTimerSet::new(1);
    /// let timer = set.new_timer(gowheel::callback(|_, _| {}));
    /// set.reset(&timer, 10, 0);
    /// set.clear();
    /// assert_eq!(set.stats().filed, 0);
    /// assert!(!set.stop(&timer)); // disarmed
    /// ```
    fn clear(&self);
}
