//! Go's `time.Timer` in its two forms: a channel timer ([`Timer`]) and a
//! function timer ([`AfterFunc`]); and `After`, `AfterFunc` and `Sleep`.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

use crate::backend::AnyTimer;
use crate::channel::{ChanTimer, Receiver};
use crate::observe::Made;
use crate::runtime::{Runtime, RuntimeAnchor, RuntimeShared, default_runtime};
use crate::timer_set::callback;

/// A timer that sends the time it fires for on its channel, once (Go's
/// `time.NewTimer`).
///
/// Dropping the `Timer` and every clone of its [`Receiver`] takes it out of
/// its runtime, as Go collects unreferenced timers.
///
/// ```
/// use std::time::Duration;
/// use gowheel::Runtime;
///
/// let runtime = Runtime::builder().manual_clock().build();
/// let timer = runtime.new_timer(Duration::from_secs(2));
/// runtime.advance(Duration::from_secs(1));
/// assert!(timer.reset(Duration::from_secs(2))); // was pending: now due at 3 s
/// runtime.advance(Duration::from_secs(2));
/// let at = timer.receiver().try_recv().unwrap();
/// assert_eq!(at - runtime.start(), Duration::from_secs(3));
/// assert!(!timer.stop()); // fired and received: nothing to stop
/// ```
pub struct Timer {
    receiver: Receiver,
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timer").finish_non_exhaustive()
    }
}

impl Timer {
    /// A timer on the [default runtime](crate::default_runtime) that fires
    /// after `duration` (at once for zero; never for a duration so long its
    /// deadline overflows).
    ///
    /// ```
    /// let timer = gowheel::Timer::new(std::time::Duration::from_millis(1));
    /// timer.receiver().recv();
    /// ```
    pub fn new(duration: Duration) -> Timer {
        default_runtime().new_timer(duration)
    }

    /// The timer's channel (Go's `t.C`).
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let timer = runtime.new_timer(std::time::Duration::ZERO);
    /// runtime.advance(std::time::Duration::ZERO);
    /// assert!(timer.receiver().try_recv().is_some());
    /// ```
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }

    /// Stops the timer (Go's `Timer.Stop`). Returns true if it stopped a
    /// pending timer or discarded a value sitting unreceived; afterwards no
    /// value from before the call can be received.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let timer = runtime.new_timer(std::time::Duration::from_secs(1));
    /// assert!(timer.stop());
    /// assert!(!timer.stop());
    /// ```
    pub fn stop(&self) -> bool {
        let core = &self.receiver.core;
        let pending = core.stop();
        core.runtime.note_stop(core.trace_id, pending);
        pending
    }

    /// Re-arms the timer to fire after `duration` (Go's `Timer.Reset`).
    /// Returns what [`stop`](Self::stop) would; afterwards no value from
    /// before the call can be received.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let timer = runtime.new_timer(Duration::from_secs(1));
    /// runtime.advance(Duration::from_secs(1));
    /// assert!(timer.reset(Duration::from_secs(1))); // discarded the unreceived value
    /// assert!(timer.receiver().try_recv().is_none());
    /// ```
    pub fn reset(&self, duration: Duration) -> bool {
        let core = &self.receiver.core;
        let pending = core.rearm(core.runtime.deadline_after(duration), 0);
        core.runtime.note_reset(core.trace_id, duration, pending);
        pending
    }
}

/// A timer that runs a function when it fires (Go's `time.AfterFunc`).
///
/// The function runs on the runtime's driver thread (or, on a manual
/// runtime, on the thread moving the clock), with no lock held; a panic in
/// it is caught and reported through the runtime's panic hook. Dropping the
/// handle does not cancel the timer, as in Go.
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// let runtime = gowheel::Runtime::builder().manual_clock().build();
/// let ran = Arc::new(AtomicBool::new(false));
/// let flag = ran.clone();
/// drop(runtime.after_func(Duration::from_secs(1), move || flag.store(true, Ordering::Relaxed)));
/// runtime.advance(Duration::from_secs(1));
/// assert!(ran.load(Ordering::Relaxed));
/// ```
pub struct AfterFunc {
    anchor: Arc<RuntimeAnchor>,
    timer: AnyTimer,
    /// The timer's ID in the runtime's recording (0 when not recording).
    trace_id: u64,
}

impl fmt::Debug for AfterFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AfterFunc").finish_non_exhaustive()
    }
}

impl AfterFunc {
    /// Stops the timer (Go's `Timer.Stop` on an `AfterFunc` timer): true if
    /// it was pending. It does not wait for a running function to finish.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let timer = runtime.after_func(Duration::from_secs(1), || unreachable!());
    /// assert!(timer.stop());
    /// runtime.advance(Duration::from_secs(2));
    /// ```
    pub fn stop(&self) -> bool {
        let runtime = self.anchor.get();
        let pending = runtime.set.stop(&self.timer);
        runtime.note_stop(self.trace_id, pending);
        pending
    }

    /// Re-arms the timer to run its function after `duration` (Go's
    /// `Timer.Reset`); true if it was pending.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let timer = runtime.after_func(Duration::from_secs(1), || {});
    /// runtime.advance(Duration::from_secs(1));
    /// assert!(!timer.reset(Duration::from_secs(1))); // it had run: not pending
    /// ```
    pub fn reset(&self, duration: Duration) -> bool {
        let runtime = self.anchor.get();
        let when = runtime.deadline_after(duration);
        let pending = runtime.set.modify(&self.timer, when, 0, None, 0);
        runtime.armed(when);
        runtime.note_reset(self.trace_id, duration, pending);
        pending
    }
}

impl Runtime {
    /// A channel timer that fires after `duration` (Go's `time.NewTimer`).
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let timer = runtime.new_timer(std::time::Duration::from_secs(1));
    /// assert!(timer.stop());
    /// ```
    pub fn new_timer(&self, duration: Duration) -> Timer {
        let shared = self.shared();
        let trace_id = shared.note_made(Made::Chan, duration);
        let core = ChanTimer::new_armed(shared, shared.deadline_after(duration), 0, trace_id);
        Timer {
            receiver: Receiver { core },
        }
    }

    /// The channel of a new timer that fires after `duration` (Go's
    /// `time.After`). The timer lives as long as the receiver.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let receiver = runtime.after(std::time::Duration::from_secs(1));
    /// runtime.advance(std::time::Duration::from_secs(1));
    /// assert!(receiver.try_recv().is_some());
    /// ```
    pub fn after(&self, duration: Duration) -> Receiver {
        self.new_timer(duration).receiver
    }

    /// Runs `function` after `duration` (Go's `time.AfterFunc`); see
    /// [`AfterFunc`] for where it runs.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let timer = runtime.after_func(std::time::Duration::from_secs(1), || {});
    /// assert!(timer.stop());
    /// ```
    pub fn after_func<F>(&self, duration: Duration, function: F) -> AfterFunc
    where
        F: Fn() + Send + Sync + 'static,
    {
        let shared = self.shared();
        let trace_id = shared.note_made(Made::Func, duration);
        let when = shared.deadline_after(duration);
        let timer = shared.set.start_timer(
            callback(move |_seq, delay| {
                let run = || {
                    if let Err(payload) = catch_unwind(AssertUnwindSafe(&function)) {
                        RuntimeShared::report_panic_of_current_check(&*payload);
                    }
                };
                RuntimeShared::with_current_check(|runtime| match runtime {
                    Some(runtime) => runtime.run_noted(trace_id, delay, run),
                    None => run(),
                });
            }),
            when,
            0,
        );
        shared.armed(when);
        AfterFunc {
            anchor: self.anchor().clone(),
            timer,
            trace_id,
        }
    }

    /// Blocks the calling thread for `duration` of the runtime's time (Go's
    /// `time.Sleep`). On a manual runtime this moves virtual time forward by
    /// `duration`, firing what falls due. Returns at once for zero.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// runtime.sleep(Duration::from_secs(5));
    /// assert_eq!(runtime.elapsed(), Duration::from_secs(5));
    /// ```
    pub fn sleep(&self, duration: Duration) {
        if duration.is_zero() {
            return;
        }
        if self.is_manual() {
            self.advance(duration);
        } else {
            self.after(duration).recv();
        }
    }
}

/// The channel of a new timer on the default runtime that fires after
/// `duration` (Go's `time.After`).
///
/// ```
/// gowheel::after(std::time::Duration::from_millis(1)).recv();
/// ```
pub fn after(duration: Duration) -> Receiver {
    default_runtime().after(duration)
}

/// Runs `function` after `duration` on the default runtime's driver thread
/// (Go's `time.AfterFunc`).
///
/// ```
/// let (sender, receiver) = std::sync::mpsc::channel();
/// let sender = std::sync::Mutex::new(sender);
/// gowheel::after_func(std::time::Duration::from_millis(1), move || {
///     sender.lock().unwrap().send(()).unwrap();
/// });
/// receiver.recv().unwrap();
/// ```
pub fn after_func<F>(duration: Duration, function: F) -> AfterFunc
where
    F: Fn() + Send + Sync + 'static,
{
    default_runtime().after_func(duration, function)
}

/// Blocks the calling thread for `duration`, on the default runtime's timers
/// (Go's `time.Sleep`).
///
/// ```
/// let start = std::time::Instant::now();
/// gowheel::sleep(std::time::Duration::from_millis(2));
/// assert!(start.elapsed() >= std::time::Duration::from_millis(2));
/// ```
pub fn sleep(duration: Duration) {
    default_runtime().sleep(duration)
}
