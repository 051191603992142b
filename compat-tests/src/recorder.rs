//! The log of callback runs the conformance bodies assert on.
//!
//! A [`Recorder`] builds callbacks that log every run as a [`Fired`] event:
//! the timer's id (captured in the closure), the `seq` and `delay` the set
//! passed, and the clock reading while it ran. The clock is a
//! [`ManualClock`] the test moves itself, so the log is exact and tests
//! compare it whole.

use std::fmt;
use std::sync::{Arc, Mutex};

use gowheel::{Callback, ManualClock};

use crate::panics::lock;

/// One callback run, as a [`Recorder`] saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fired {
    /// The id of the timer whose callback ran (captured by the callback).
    pub id: usize,
    /// The `seq` the set passed.
    pub seq: u64,
    /// The `delay` the set passed: how late the check was, `now - when`.
    pub delay: i64,
    /// The clock reading while the callback ran: the `now` of the check.
    pub now: i64,
}

impl Fired {
    /// The deadline the timer fired for: `now - delay`.
    pub fn when(&self) -> i64 {
        self.now.saturating_sub(self.delay)
    }
}

impl fmt::Display for Fired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "timer {} (seq {}) at {} for deadline {} (delay {})",
            self.id,
            self.seq,
            self.now,
            self.when(),
            self.delay
        )
    }
}

/// Builds callbacks that log each run, in order, as a [`Fired`] event.
///
/// Clones share the log. The clock is read when a callback runs, so the
/// test must have moved it to the `now` it checks the set with, as
/// [`Harness::check`](crate::Harness::check) and [`ManualClock::run_until`] do.
///
/// ```
/// use gowheel::{HeapTimerSet, ManualClock, TimerSet};
/// use gowheel_compat_tests::{Fired, Recorder};
///
/// let clock = ManualClock::new(1);
/// let recorder = Recorder::new(clock.clone());
/// let set = HeapTimerSet::new(1);
/// let timer = set.new_timer(recorder.callback(7));
/// set.reset(&timer, 100, 0);
/// clock.run_until(&set, 100);
/// assert_eq!(recorder.take(), vec![Fired { id: 7, seq: 0, delay: 0, now: 100 }]);
/// ```
#[derive(Clone, Debug)]
pub struct Recorder {
    clock: ManualClock,
    fired: Arc<Mutex<Vec<Fired>>>,
}

impl Recorder {
    /// A recorder with an empty log, reading `clock` when callbacks run.
    pub fn new(clock: ManualClock) -> Recorder {
        Recorder {
            clock,
            fired: Arc::default(),
        }
    }

    /// The clock callbacks read.
    pub fn clock(&self) -> &ManualClock {
        &self.clock
    }

    /// Logs a run of timer `id`'s callback, now, and returns the event.
    pub fn record(&self, id: usize, seq: u64, delay: i64) -> Fired {
        let fired = Fired {
            id,
            seq,
            delay,
            now: self.clock.now(),
        };
        lock(&self.fired).push(fired);
        fired
    }

    /// A callback that logs each of its runs as timer `id`.
    pub fn callback(&self, id: usize) -> Callback {
        let recorder = self.clone();
        gowheel::callback(move |seq, delay| {
            recorder.record(id, seq, delay);
        })
    }

    /// A copy of the log, oldest first.
    pub fn fired(&self) -> Vec<Fired> {
        lock(&self.fired).clone()
    }

    /// Empties the log and returns what it held, oldest first.
    pub fn take(&self) -> Vec<Fired> {
        std::mem::take(&mut *lock(&self.fired))
    }

    /// The number of events logged and not yet taken.
    pub fn len(&self) -> usize {
        lock(&self.fired).len()
    }

    /// Whether no event is logged.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
