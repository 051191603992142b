//! A manual clock for deterministic tests of the runtime layer.
//!
//! Time moves only when the test says so, and timers fire only when the test
//! drives a check. Two ways to drive:
//!
//! * [`ManualClock::advance`] moves the time and nothing else; the test then
//!   calls [`TimerSet::check`] itself, with [`ManualClock::now`]. Everything
//!   due fires in that one check, late by however far time jumped.
//! * [`ManualClock::run_until`] steps through deadlines: it checks the set at
//!   each wake time in turn, with the clock reading that time, so every
//!   callback runs at its own deadline (`delay == 0`) and sees the clock
//!   there. This is how Go's `testing/synctest` moves its virtual clock.
//!
//! The clock is an atomic counter shared by clones of the handle, so a
//! callback can read it while it runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::timer_set::{MAX_WHEN, NOT_ARMED, TimerSet};

/// A clock that reads a number of nanoseconds moved only by the test.
///
/// Cloning gives another handle to the same clock.
///
/// ```
/// use gowheel::{HeapTimerSet, ManualClock, TimerSet};
/// use std::sync::{Arc, Mutex};
///
/// let clock = ManualClock::new(1_000);
/// let set = HeapTimerSet::new(1);
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let (log, reader) = (seen.clone(), clock.clone());
/// let timer = set.new_timer(gowheel::callback(move |_, delay| {
///     log.lock().unwrap().push((reader.now(), delay));
/// }));
/// set.reset(&timer, 1_500, 200); // fires at 1500, 1700, 1900, ...
///
/// clock.run_until(&set, 2_000);
/// assert_eq!(*seen.lock().unwrap(), vec![(1_500, 0), (1_700, 0), (1_900, 0)]);
/// assert_eq!(clock.now(), 2_000);
/// ```
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock reading `start` nanoseconds.
    ///
    /// Deadlines must be positive, so tests usually start above zero.
    ///
    /// ```
    /// let clock = gowheel::ManualClock::new(5);
    /// assert_eq!(clock.now(), 5);
    /// ```
    #[must_use]
    pub fn new(start: i64) -> ManualClock {
        ManualClock {
            now: Arc::new(AtomicI64::new(start)),
        }
    }

    /// The current reading.
    ///
    /// ```
    /// let clock = gowheel::ManualClock::new(0);
    /// clock.advance(10);
    /// assert_eq!(clock.now(), 10);
    /// ```
    pub fn now(&self) -> i64 {
        // Relaxed: the reading is a single value with no data published
        // alongside it; checks that depend on it get it as an argument.
        self.now.load(Ordering::Relaxed)
    }

    /// Moves the clock forward by `nanos` (saturating at `i64::MAX`) and
    /// returns the new reading. Fires nothing: call `check` yourself.
    ///
    /// # Panics
    ///
    /// If `nanos` is negative: a manual clock is monotonic.
    /// [`try_advance`](Self::try_advance) returns `None` instead.
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, ManualClock, TimerSet};
    /// let clock = ManualClock::new(100);
    /// let set = HeapTimerSet::new(1);
    /// let timer = set.new_timer(gowheel::callback(|_, delay| assert_eq!(delay, 40)));
    /// set.reset(&timer, 110, 0);
    /// let now = clock.advance(50);
    /// set.check(now); // one check, 40 ns after the deadline
    /// ```
    pub fn advance(&self, nanos: i64) -> i64 {
        match self.try_advance(nanos) {
            Some(now) => now,
            None => panic!("gowheel: a manual clock cannot move backwards ({nanos} ns)"),
        }
    }

    /// [`advance`](Self::advance), or `None` (the clock unchanged) if
    /// `nanos` is negative.
    ///
    /// ```
    /// let clock = gowheel::ManualClock::new(100);
    /// assert_eq!(clock.try_advance(-1), None);
    /// assert_eq!(clock.try_advance(i64::MAX), Some(i64::MAX));
    /// assert_eq!(clock.now(), i64::MAX);
    /// ```
    pub fn try_advance(&self, nanos: i64) -> Option<i64> {
        if nanos < 0 {
            return None;
        }
        let target = self.now().saturating_add(nanos);
        self.move_to(target);
        Some(target)
    }

    /// Moves the clock to `target`, checking `set` at every wake time on the
    /// way with the clock reading that time, so that every timer due by
    /// `target` fires at its own deadline, in deadline order; then leaves the
    /// clock at `target` (or where it was, if that is later).
    ///
    /// Timers that callbacks arm on the way fire too if they fall due by
    /// `target`. A timer re-armed forever at the current time never lets the
    /// call return, as in Go. The clock stops one nanosecond short of
    /// [`MAX_WHEN`], the deadline that is never reached.
    ///
    /// ```
    /// use gowheel::{HeapTimerSet, ManualClock, TimerSet};
    /// let clock = ManualClock::new(0);
    /// let set = HeapTimerSet::new(1);
    /// let timer = set.new_timer(gowheel::callback(|_, delay| assert_eq!(delay, 0)));
    /// set.reset(&timer, 70, 0);
    /// clock.run_until(&set, 100);
    /// assert_eq!(clock.now(), 100);
    /// assert_eq!(set.wake_time(), gowheel::NOT_ARMED);
    /// ```
    pub fn run_until<S: TimerSet + ?Sized>(&self, set: &S, target: i64) {
        self.step_until(
            target,
            || set.wake_time(),
            |now| {
                set.check(now);
            },
        );
    }

    /// The stepping behind [`run_until`](Self::run_until), for a set reached
    /// through `wake_time` and `check` closures: moves the clock to each wake
    /// time up to `target` (kept below [`MAX_WHEN`]) and checks there, then
    /// to `target`.
    pub(crate) fn step_until(
        &self,
        target: i64,
        mut wake_time: impl FnMut() -> i64,
        mut check: impl FnMut(i64),
    ) {
        let target = target.min(MAX_WHEN - 1);
        loop {
            let next = wake_time();
            if next == NOT_ARMED || next > target {
                break;
            }
            let now = self.now().max(next);
            self.move_to(now);
            check(now);
        }
        if target > self.now() {
            self.move_to(target);
        }
    }

    /// Sets the reading to `now`.
    fn move_to(&self, now: i64) {
        // Relaxed: see `now`.
        self.now.store(now, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HeapTimerSet, MAX_WHEN, TimingWheel, callback};
    use std::sync::atomic::AtomicUsize;

    /// A periodic timer saturated at `MAX_WHEN` would re-arm there forever
    /// if the clock could reach it; stepping stops one short, so the
    /// deadline that is never reached is never reached, and the call
    /// returns.
    fn saturated_periodic_timer_never_fires<S: TimerSet>(set: S) {
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = runs.clone();
        let timer = set.new_timer(callback(move |_, _| {
            counter.fetch_add(1, Ordering::Relaxed);
        }));
        set.reset(&timer, MAX_WHEN, 1);
        let clock = ManualClock::new(1);
        clock.run_until(&set, i64::MAX);
        assert_eq!(runs.load(Ordering::Relaxed), 0);
        assert_eq!(clock.now(), MAX_WHEN - 1);
        assert!(set.stop(&timer), "still pending");
    }

    #[test]
    fn run_until_stops_short_of_max_when() {
        saturated_periodic_timer_never_fires(TimingWheel::default());
        saturated_periodic_timer_never_fires(HeapTimerSet::new(1));
    }
}
