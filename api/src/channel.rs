//! Timer channels with Go 1.23+ semantics: the shared core of
//! [`Timer`](crate::Timer), [`Ticker`](crate::Ticker) and their
//! [`Receiver`]s.
//!
//! # Semantics kept
//!
//! * A channel holds at most one value: the deadline it stands for. A timer
//!   that fires while its channel is full drops its value; a ticker that
//!   falls behind drops ticks and re-arms at its next period boundary.
//! * `stop` and `reset` return true when they stopped a pending timer or
//!   discarded an unreceived value, and after they return no value from
//!   before the call can be received.
//!
//! # The stale-send protocol
//!
//! The runtime layer decides to fire a timer under the set's locks, then
//! runs the callback with none held; a `stop` or `reset` can slip in
//! between. Go closes that window with `seq`, `sendLock` and `isSending`;
//! here the channel's own lock plays `sendLock`, and:
//!
//! 1. every arming passes a fresh `seq` to the runtime layer, which hands
//!    it back to the callback; `stop` and `reset` bump the channel's `seq`
//!    under the channel lock, so a callback carrying an older one delivers
//!    nothing;
//! 2. `in_flight` (Go's `isSending`) is set while a one-shot arming has not
//!    been delivered: set when armed, cleared by the delivery or by
//!    `stop`/`reset`. If the runtime layer says the timer was no longer
//!    pending but `in_flight` is still set, the timer fired and its send is
//!    on its way; bumping `seq` squelches it, so the call reports true;
//! 3. `stop` and `reset` empty the channel under the same lock.
//!
//! A value is published with a bump of `signal`, a futex word that blocked
//! receivers wait on.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use crate::backend::AnyTimer;
use crate::runtime::RuntimeShared;
use crate::timer_set::{Callback, MAX_WHEN, NOT_ARMED, callback};

/// The state behind a channel's lock (Go's `sendLock` and the channel's
/// buffer).
struct ChanState {
    /// The deadline of the unreceived value, if any.
    value: Option<i64>,
    /// The arming's sequence number; callbacks carrying another are stale.
    seq: u64,
    /// A one-shot arming whose value has not been delivered yet.
    in_flight: bool,
    /// The re-arm period: 0 for a timer.
    period: i64,
}

/// A timer with a one-value channel: the core of `Timer` and `Ticker`.
pub(crate) struct ChanTimer {
    pub(crate) runtime: Arc<RuntimeShared>,
    timer: AnyTimer,
    /// This timer's delivery callback, passed again with each new `seq`.
    deliver: Callback,
    state: Mutex<ChanState>,
    /// The timer's ID in the runtime's recording (0 when not recording).
    pub(crate) trace_id: u64,
    /// Bumped under the lock whenever a value arrives (or a receiver's
    /// timeout expires); blocked receivers wait for it to change.
    signal: AtomicU32,
}

impl ChanTimer {
    /// A channel timer armed at `when`, re-arming every `period` if
    /// `period > 0`.
    /// `trace_id` is the ID the runtime's recording gave the timer when it
    /// noted its making (see `observe`), 0 when not recording.
    pub(crate) fn new_armed(
        runtime: &Arc<RuntimeShared>,
        when: i64,
        period: i64,
        trace_id: u64,
    ) -> Arc<ChanTimer> {
        let core = Arc::new_cyclic(|weak: &Weak<ChanTimer>| {
            let weak = weak.clone();
            let deliver = callback(move |seq, delay| {
                if let Some(core) = weak.upgrade() {
                    core.deliver(seq, delay);
                }
            });
            ChanTimer {
                runtime: runtime.clone(),
                timer: runtime.set.new_timer(deliver.clone()),
                deliver,
                state: Mutex::new(ChanState {
                    value: None,
                    seq: 0,
                    in_flight: false,
                    period,
                }),
                trace_id,
                signal: AtomicU32::new(0),
            }
        });
        core.rearm(when, period);
        core
    }

    fn lock(&self) -> MutexGuard<'_, ChanState> {
        // No user code runs under this lock, so poisoning cannot leave the
        // state half-updated.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The runtime layer's callback: delivers the value for the arming
    /// `seq`, whose deadline was `delay` before the running check's `now`.
    fn deliver(&self, seq: u64, delay: i64) {
        let when = RuntimeShared::current_check_now() - delay;
        let mut state = self.lock();
        if seq != state.seq {
            // Stale: stopped or reset since this firing was decided.
            return;
        }
        if state.period == 0 {
            state.in_flight = false;
        }
        self.runtime.note_sent(self.trace_id, when);
        if state.value.is_none() {
            state.value = Some(when);
            self.publish_signal();
        }
        // A full channel drops the value, as Go's non-blocking send does.
    }

    /// Bumps `signal` and wakes blocked receivers. Called with the lock held
    /// so that a receiver that read `signal` under the lock and then waits
    /// cannot miss the bump.
    fn publish_signal(&self) {
        // Release: pairs with the receiver's Acquire wait; the value itself
        // is published by the lock.
        self.signal.fetch_add(1, Ordering::Release);
        atomic_wait::wake_all(&self.signal);
    }

    /// Stops the timer and empties the channel (Go's `t.stop` on a channel
    /// timer). Returns whether it stopped a pending timer, squelched a send
    /// in flight, or discarded an unreceived value.
    pub(crate) fn stop(&self) -> bool {
        let mut state = self.lock();
        state.seq = state.seq.wrapping_add(1);
        let mut pending = self.runtime.set.stop(&self.timer);
        if state.in_flight && !pending {
            pending = true;
        }
        state.in_flight = false;
        if state.value.take().is_some() {
            pending = true;
        }
        pending
    }

    /// Re-arms at `when` with `period`, emptying the channel (Go's
    /// `t.modify` on a channel timer). Returns what `stop` would.
    pub(crate) fn rearm(&self, when: i64, period: i64) -> bool {
        let mut state = self.lock();
        state.seq = state.seq.wrapping_add(1);
        let seq = state.seq;
        let mut pending =
            self.runtime
                .set
                .modify(&self.timer, when, period, Some(self.deliver.clone()), seq);
        if state.in_flight && !pending {
            pending = true;
        }
        state.in_flight = period == 0;
        state.period = period;
        if state.value.take().is_some() {
            pending = true;
        }
        drop(state);
        self.runtime.armed(when);
        pending
    }

    /// Takes the value if there is one.
    pub(crate) fn try_take(&self) -> Option<Instant> {
        let value = self.lock().value.take();
        self.runtime.note_recv(self.trace_id, value);
        value.map(|when| self.runtime.instant_of(when))
    }

    /// Takes the value, or reads `signal` under the lock so that a later
    /// value is seen as a change of it.
    fn take_or_signal(&self) -> Result<Instant, u32> {
        let mut state = self.lock();
        match state.value.take() {
            Some(when) => {
                drop(state);
                self.runtime.note_recv(self.trace_id, Some(when));
                Ok(self.runtime.instant_of(when))
            }
            // Relaxed: read under the lock that every bump holds.
            None => Err(self.signal.load(Ordering::Relaxed)),
        }
    }

    /// Blocks until a value arrives, or until `deadline` (internal time)
    /// passes if given. On a manual runtime, moves virtual time forward
    /// itself while no value is there.
    fn take_blocking(self: &Arc<Self>, deadline: Option<i64>) -> Option<Instant> {
        let runtime = &self.runtime;
        if runtime.is_manual() {
            return self.take_manual(deadline);
        }
        // On a real clock a timeout is a runtime timer that bumps `signal`.
        let _timeout = deadline.map(|deadline| TimeoutWaker::arm(self, deadline));
        loop {
            let seen = match self.take_or_signal() {
                Ok(value) => return Some(value),
                Err(seen) => seen,
            };
            if deadline.is_some_and(|deadline| runtime.now_nanos() >= deadline) {
                return None;
            }
            atomic_wait::wait(&self.signal, seen);
        }
    }

    /// `take_blocking` on a manual clock: step through deadlines (firing
    /// what is due) until a value is there or the deadline is reached; a
    /// value that arrives exactly at the deadline counts.
    fn take_manual(&self, deadline: Option<i64>) -> Option<Instant> {
        let runtime = &self.runtime;
        let limit = deadline.unwrap_or(MAX_WHEN);
        loop {
            let seen = match self.take_or_signal() {
                Ok(value) => return Some(value),
                Err(seen) => seen,
            };
            if runtime.step_manual(limit) {
                continue;
            }
            match deadline {
                Some(deadline) => {
                    runtime.run_until(deadline);
                    return self.try_take();
                }
                // Nothing is pending that could ever send: wait for another
                // thread to move the clock or re-arm the timer.
                None => atomic_wait::wait(&self.signal, seen),
            }
        }
    }

    fn wake_for_timeout(&self) {
        let _state = self.lock();
        self.publish_signal();
    }
}

impl Drop for ChanTimer {
    /// The last handle and receiver are gone: take the timer out of its set
    /// (Go collects unreferenced channel timers).
    fn drop(&mut self) {
        self.runtime.set.stop(&self.timer);
    }
}

/// A runtime timer that wakes a receiver blocked in `recv_timeout` on a real
/// clock; stopped when the wait ends.
struct TimeoutWaker {
    runtime: Arc<RuntimeShared>,
    timer: AnyTimer,
}

impl TimeoutWaker {
    fn arm(core: &Arc<ChanTimer>, deadline: i64) -> TimeoutWaker {
        let weak = Arc::downgrade(core);
        let timer = core.runtime.set.new_timer(callback(move |_, _| {
            if let Some(core) = weak.upgrade() {
                core.wake_for_timeout();
            }
        }));
        core.runtime.set.modify(&timer, deadline.max(1), 0, None, 0);
        core.runtime.armed(deadline);
        TimeoutWaker {
            runtime: core.runtime.clone(),
            timer,
        }
    }
}

impl Drop for TimeoutWaker {
    fn drop(&mut self) {
        self.runtime.set.stop(&self.timer);
    }
}

/// The receiving end of a timer's or ticker's channel (Go's `t.C`).
///
/// Holds at most one value: the deadline it stands for, as an [`Instant`].
/// Cloning gives another receiver of the same channel. While any receiver
/// or the timer's handle lives, the timer keeps running.
///
/// ```
/// use std::time::Duration;
/// let runtime = gowheel::Runtime::builder().manual_clock().build();
/// let receiver = runtime.after(Duration::from_secs(1));
/// assert!(receiver.try_recv().is_none());
/// // On a manual runtime a blocking receive moves virtual time itself.
/// let at = receiver.recv();
/// assert_eq!(at - runtime.start(), Duration::from_secs(1));
/// ```
#[derive(Clone)]
pub struct Receiver {
    pub(crate) core: Arc<ChanTimer>,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

impl Receiver {
    /// Takes the value if one is there, without blocking (Go's `select` with
    /// a `default`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let receiver = runtime.after(Duration::ZERO);
    /// runtime.advance(Duration::ZERO);
    /// assert!(receiver.try_recv().is_some());
    /// assert!(receiver.try_recv().is_none()); // one value only
    /// ```
    pub fn try_recv(&self) -> Option<Instant> {
        self.core.try_take()
    }

    /// Blocks until a value arrives and returns it. A timer that is stopped
    /// and never re-armed makes this wait forever, as a Go receive would.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::new();
    /// let receiver = runtime.after(Duration::from_millis(1));
    /// let at = receiver.recv();
    /// assert!(at >= runtime.start() + Duration::from_millis(1));
    /// ```
    pub fn recv(&self) -> Instant {
        self.core
            .take_blocking(None)
            .expect("a receive without a deadline returns only with a value")
    }

    /// Blocks until a value arrives or `timeout` passes on the runtime's
    /// clock; a value that arrives exactly at the timeout counts.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let receiver = runtime.after(Duration::from_secs(10));
    /// assert!(receiver.recv_timeout(Duration::from_secs(9)).is_none());
    /// assert_eq!(runtime.elapsed(), Duration::from_secs(9)); // virtual time moved
    /// assert!(receiver.recv_timeout(Duration::from_secs(1)).is_some());
    /// ```
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Instant> {
        let deadline = self.core.runtime.deadline_after(timeout);
        if let Some(value) = self.core.try_take() {
            return Some(value);
        }
        if deadline == MAX_WHEN {
            return Some(self.recv());
        }
        self.core.take_blocking(Some(deadline.max(NOT_ARMED + 1)))
    }
}
