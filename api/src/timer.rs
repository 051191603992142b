//! Go's `time.Timer` in its two forms: a channel timer ([`Timer`]) and a
//! function timer ([`AfterFunc`]); and `After`, `AfterFunc` and `Sleep`.
//!
//! # Callbacks
//!
//! An [`AfterFunc`] timer's function runs on the runtime's driver thread
//! (on a manual runtime, on the thread moving the clock), one callback at a
//! time: a slow callback delays every timer due after it. Hand long work to
//! another thread or task.
//!
//! `after_func` takes an `Fn`, since Go runs the function again each time
//! the timer is reset and fires again. `after_func_once` takes an `FnOnce`
//! (so a oneshot sender can be moved in): its function runs on the first
//! firing only. The rule for it: `stop` before that firing cancels the
//! function; `reset` before it postpones it; once it has run, the timer
//! can still be reset (and reports what Go's would) but its firings do
//! nothing, because the function is gone. The function is dropped when it
//! has run or when the timer is dropped by its runtime.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    #[must_use]
    pub fn new(duration: Duration) -> Timer {
        default_runtime().new_timer(duration)
    }

    /// The timer's channel (Go's `t.C`).
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let timer = runtime.new_timer(std::time::Duration::ZERO);
    /// runtime.advance(std::time::Duration::ZERO);
    /// assert!(timer.receiver().try_recv().is_ok());
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
    /// assert!(timer.receiver().try_recv().is_err());
    /// ```
    pub fn reset(&self, duration: Duration) -> bool {
        let core = &self.receiver.core;
        let pending = core.rearm(core.runtime.deadline_after(duration), 0);
        core.runtime.note_reset(core.trace_id, duration, pending);
        pending
    }

    /// [`reset`](Self::reset) to the deadline `deadline` (at once if it has
    /// passed).
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let timer = runtime.new_timer(Duration::from_secs(1));
    /// assert!(timer.reset_at(runtime.start() + Duration::from_secs(4)));
    /// assert_eq!(timer.receiver().recv() - runtime.start(), Duration::from_secs(4));
    /// ```
    pub fn reset_at(&self, deadline: Instant) -> bool {
        let core = &self.receiver.core;
        let when = core.runtime.nanos_of(deadline);
        let pending = core.rearm(when, 0);
        let duration = core.runtime.recorded_duration_until(when);
        core.runtime.note_reset(core.trace_id, duration, pending);
        pending
    }
}

/// A timer that runs a function when it fires (Go's `time.AfterFunc`).
///
/// The function runs on the runtime's driver thread (or, on a manual
/// runtime, on the thread moving the clock), with no lock held, one
/// callback at a time: a slow function delays every timer due after it, so
/// hand long work to another thread. A panic in it is caught and reported
/// through the runtime's panic hook. Dropping the handle does not cancel
/// the timer, as in Go. Made by [`after_func`] (an `Fn`, run at each firing)
/// or [`after_func_once`] (an `FnOnce`, run at the first).
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
        runtime.note_stop(runtime.func_trace_id(&self.timer), pending);
        pending
    }

    /// Stops the timer and drops its handle in one step: the answer of
    /// [`stop`](Self::stop), for less work than a `stop` and then the
    /// handle's drop (on the wheel, the locks the stop takes also let go
    /// of the timer). For a timeout that is no longer needed.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let timeout = runtime.after_func(Duration::from_secs(1), || unreachable!());
    /// assert!(timeout.cancel());
    /// runtime.advance(Duration::from_secs(2));
    /// ```
    pub fn cancel(self) -> bool {
        let AfterFunc { anchor, timer } = self;
        let runtime = anchor.get();
        let trace_id = runtime.func_trace_id(&timer);
        let pending = runtime.set.stop_and_drop(timer);
        runtime.note_stop(trace_id, pending);
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
        let when = self.anchor.get().deadline_after(duration);
        self.rearm(when, duration)
    }

    /// [`reset`](Self::reset) to the deadline `deadline` (at once if it has
    /// passed).
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let timer = runtime.after_func(std::time::Duration::from_secs(1), || {});
    /// assert!(timer.reset_at(runtime.now() + std::time::Duration::from_secs(3)));
    /// ```
    pub fn reset_at(&self, deadline: Instant) -> bool {
        let runtime = self.anchor.get();
        let when = runtime.nanos_of(deadline);
        self.rearm(when, runtime.recorded_duration_until(when))
    }

    /// Re-arms at `when`; `duration` is what the trace records.
    fn rearm(&self, when: i64, duration: Duration) -> bool {
        let runtime = self.anchor.get();
        let arming = runtime.set.modify(&self.timer, when, 0, None, 0);
        let pending = arming.was_pending;
        runtime.armed(when, &self.timer, arming);
        runtime.note_reset(runtime.func_trace_id(&self.timer), duration, pending);
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
    #[must_use]
    pub fn new_timer(&self, duration: Duration) -> Timer {
        let shared = self.shared();
        let trace_id = shared.note_made(Made::Chan, duration);
        let core = ChanTimer::new_armed(shared, shared.deadline_after(duration), 0, trace_id);
        Timer {
            receiver: Receiver { core },
        }
    }

    /// A channel timer that fires at `deadline` (at once if it has passed).
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let timer = runtime.new_timer_at(runtime.start() + Duration::from_secs(2));
    /// assert_eq!(timer.receiver().recv() - runtime.start(), Duration::from_secs(2));
    /// ```
    #[must_use]
    pub fn new_timer_at(&self, deadline: Instant) -> Timer {
        let shared = self.shared();
        let when = shared.nanos_of(deadline);
        let trace_id = shared.note_made(Made::Chan, shared.recorded_duration_until(when));
        let core = ChanTimer::new_armed(shared, when, 0, trace_id);
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
    /// assert!(receiver.try_recv().is_ok());
    /// ```
    #[must_use]
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
        self.start_after_func(duration, |trace_id| {
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
            })
        })
    }

    /// Runs `function` once, after `duration`: [`after_func`](Self::after_func)
    /// for an `FnOnce`, such as one that moves a oneshot sender. The
    /// function runs on the first firing only; see the rule for a stopped
    /// or reset timer in [`after_func_once`](crate::after_func_once).
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    /// let timer = runtime.after_func_once(Duration::from_secs(1), move || sender.send("fired").unwrap());
    /// runtime.advance(Duration::from_secs(1));
    /// assert_eq!(receiver.try_recv(), Ok("fired"));
    /// assert!(!timer.reset(Duration::from_secs(1))); // had run: not pending, as in Go
    /// runtime.advance(Duration::from_secs(1)); // fires, but the function is gone
    /// assert!(receiver.try_recv().is_err());
    /// ```
    pub fn after_func_once<F>(&self, duration: Duration, function: F) -> AfterFunc
    where
        F: FnOnce() + Send + 'static,
    {
        // `Mutex` makes the slot `Sync` for any `Send` function; only the
        // runtime's firing (one at a time) and the set's drop touch it.
        let function = Mutex::new(Some(function));
        self.start_after_func(duration, |trace_id| {
            callback(move |_seq, delay| {
                let run = || {
                    let taken = function
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .take();
                    if let Some(function) = taken
                        && let Err(payload) = catch_unwind(AssertUnwindSafe(function))
                    {
                        RuntimeShared::report_panic_of_current_check(&*payload);
                    }
                };
                RuntimeShared::with_current_check(|runtime| match runtime {
                    Some(runtime) => runtime.run_noted(trace_id, delay, run),
                    None => run(),
                });
            })
        })
    }

    /// Arms a function timer whose callback `make_callback` builds from the
    /// timer's trace id, and notes its creation.
    fn start_after_func(
        &self,
        duration: Duration,
        make_callback: impl FnOnce(u64) -> crate::Callback,
    ) -> AfterFunc {
        let shared = self.shared();
        let trace_id = shared.note_made(Made::Func, duration);
        let when = shared.deadline_after(duration);
        let (timer, arming) = shared.set.start_timer(make_callback(trace_id), when, 0);
        shared.note_func_made(&timer, trace_id);
        shared.armed(when, &timer, arming);
        AfterFunc {
            anchor: self.anchor().clone(),
            timer,
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
#[must_use]
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

/// Runs `function` once after `duration` on the default runtime's driver
/// thread: `after_func` for an `FnOnce`, such as one that completes a
/// oneshot channel.
///
/// The rule, since an `FnOnce` cannot run twice: the function runs on the
/// timer's first firing. [`AfterFunc::stop`] before it cancels it;
/// [`AfterFunc::reset`] before it postpones it. Once it has run, `stop` and
/// `reset` still work and answer as Go's do (the timer is not pending), but
/// a firing after a reset does nothing. Use [`after_func`] for a function
/// that should run again on each reset, as Go's does.
///
/// ```
/// let (sender, receiver) = std::sync::mpsc::sync_channel(1);
/// gowheel::after_func_once(std::time::Duration::from_millis(1), move || {
///     sender.send(()).unwrap(); // the sender is moved in: no Mutex needed
/// });
/// receiver.recv().unwrap();
/// ```
pub fn after_func_once<F>(duration: Duration, function: F) -> AfterFunc
where
    F: FnOnce() + Send + 'static,
{
    default_runtime().after_func_once(duration, function)
}

/// Blocks the calling thread for `duration`, on the default runtime's timers
/// (Go's `time.Sleep`). In async code use [`future::sleep`](crate::future::sleep),
/// which blocks no thread.
///
/// ```
/// let start = std::time::Instant::now();
/// gowheel::sleep(std::time::Duration::from_millis(2));
/// assert!(start.elapsed() >= std::time::Duration::from_millis(2));
/// ```
pub fn sleep(duration: Duration) {
    default_runtime().sleep(duration)
}
