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
//!   with a message that names the bad value.
//!
//! # Design constraints on implementations
//!
//! The trait is written so that a timing wheel can implement it with no
//! global lock on the start/stop/reset path and no allocation per call beyond
//! the timer itself: a timer handle is created once by
//! [`new_timer`](TimerSet::new_timer) and then re-armed in place; the callback
//! is a reference-counted closure that `modify` only replaces when asked to.

use std::fmt;
use std::sync::Arc;

/// The deadline meaning "not armed"; as a wake time, "no timers at all".
///
/// ```
/// assert_eq!(gowheel::NOT_ARMED, 0);
/// ```
pub const NOT_ARMED: i64 = 0;

/// The saturated far-future deadline: a timer armed at `MAX_WHEN` is pending
/// but is never reached. Deadline arithmetic that overflows lands here.
///
/// ```
/// assert_eq!(gowheel::MAX_WHEN, i64::MAX);
/// ```
pub const MAX_WHEN: i64 = i64::MAX;

/// A timer's callback: called as `f(seq, delay)` by the thread running
/// [`TimerSet::check`], with no lock of the set held.
///
/// `seq` is the value passed to [`TimerSet::modify`] together with this
/// callback; `delay` is `now - when`, never negative.
///
/// Build one with [`callback`], which spares you the closure's type
/// annotations.
///
/// ```
/// let f: gowheel::Callback = gowheel::callback(|seq, delay| {
///     assert!(delay >= 0);
///     let _ = seq;
/// });
/// f(7, 0);
/// ```
pub type Callback = Arc<dyn Fn(u64, i64) + Send + Sync + 'static>;

/// Wraps a closure `f(seq, delay)` into a [`Callback`].
///
/// ```
/// use std::sync::atomic::{AtomicI64, Ordering};
/// use std::sync::Arc;
///
/// let last_delay = Arc::new(AtomicI64::new(-1));
/// let seen = last_delay.clone();
/// let f = gowheel::callback(move |_seq, delay| seen.store(delay, Ordering::Relaxed));
/// f(0, 25);
/// assert_eq!(last_delay.load(Ordering::Relaxed), 25);
/// ```
pub fn callback<F>(f: F) -> Callback
where
    F: Fn(u64, i64) + Send + Sync + 'static,
{
    Arc::new(f)
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

    /// Runs every timer due at `now` (Go's `ts.check`), then returns the time
    /// the set next needs a check, or [`NOT_ARMED`] if it holds no timers.
    ///
    /// Callbacks run on the calling thread, one at a time, with no lock of
    /// the set held. A returned wake time is never later than the earliest
    /// deadline pending at the end of the call; timers armed concurrently
    /// with the call may be due earlier, which [`wake_time`](Self::wake_time)
    /// reports.
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
}

/// Panics unless `when` and `period` are valid arguments of
/// [`TimerSet::modify`]: `when > 0` and `period >= 0`. Backends call it first
/// thing, so that bad input is refused before any state changes.
///
/// # Panics
///
/// With a message naming the bad value.
///
/// ```
/// gowheel::validate_modify_args(1, 0); // fine
/// let err = std::panic::catch_unwind(|| gowheel::validate_modify_args(0, 0));
/// assert!(err.is_err());
/// ```
#[inline]
#[track_caller]
pub fn validate_modify_args(when: i64, period: i64) {
    if when <= 0 {
        bad_when(when);
    }
    if period < 0 {
        bad_period(period);
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn bad_when(when: i64) -> ! {
    panic!("gowheel: timer `when` must be positive (0 means not armed), got {when}")
}

#[cold]
#[inline(never)]
#[track_caller]
fn bad_period(period: i64) -> ! {
    panic!("gowheel: timer `period` must be non-negative, got {period}")
}

/// The next deadline of a periodic timer that fired `delay` ns after `when`:
/// `when + period * (1 + delay / period)`, saturating at [`MAX_WHEN`].
///
/// Missed periods are skipped: the result is the first period boundary
/// strictly after `when + delay`. This is Go's rule, including its overflow
/// handling (Go checks for a wrapped negative sum, which for these ranges is
/// exactly saturation).
///
/// # Panics
///
/// In debug builds, unless `period > 0`, `when > 0` and `delay >= 0`.
///
/// ```
/// use gowheel::next_periodic_when;
/// assert_eq!(next_periodic_when(100, 10, 0), 110);
/// assert_eq!(next_periodic_when(100, 10, 25), 130); // 110 and 120 were missed
/// assert_eq!(next_periodic_when(i64::MAX - 5, 10, 0), i64::MAX);
/// ```
#[inline]
pub fn next_periodic_when(when: i64, period: i64, delay: i64) -> i64 {
    debug_assert!(period > 0 && when > 0 && delay >= 0);
    let steps = 1 + delay / period;
    period
        .checked_mul(steps)
        .and_then(|advance| when.checked_add(advance))
        .unwrap_or(MAX_WHEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periodic_next_skips_missed_periods() {
        assert_eq!(next_periodic_when(10, 5, 0), 15);
        assert_eq!(next_periodic_when(10, 5, 4), 15);
        assert_eq!(next_periodic_when(10, 5, 5), 20);
        assert_eq!(next_periodic_when(10, 5, 14), 25);
    }

    #[test]
    fn periodic_next_saturates_like_go() {
        // Go computes with wrapping arithmetic and maps a negative sum to
        // maxWhen; compare against that formula on edge values.
        let go = |when: i64, period: i64, delay: i64| {
            let next = when.wrapping_add(period.wrapping_mul(1 + delay / period));
            if next < 0 { MAX_WHEN } else { next }
        };
        let cases = [
            (1, i64::MAX, 0),
            (i64::MAX, 1, 0),
            (i64::MAX - 1, i64::MAX, 1),
            (1 << 62, 1 << 62, 1 << 62),
            (5, 3, i64::MAX - 5),
            (1, 1, i64::MAX - 1),
        ];
        for (when, period, delay) in cases {
            assert_eq!(
                next_periodic_when(when, period, delay),
                go(when, period, delay),
                "when={when} period={period} delay={delay}"
            );
        }
    }

    #[test]
    #[should_panic(expected = "`when` must be positive (0 means not armed), got -3")]
    fn negative_when_is_named() {
        validate_modify_args(-3, 0);
    }

    #[test]
    #[should_panic(expected = "`period` must be non-negative, got -1")]
    fn negative_period_is_named() {
        validate_modify_args(1, -1);
    }
}
