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
//! receivers wait on, and by waking the channel's async waiters.
//!
//! # Async receivers and the same discipline
//!
//! Futures and streams ([`Recv`](crate::future::Recv),
//! [`Sleep`](crate::future::Sleep), [`TickStream`](crate::future::TickStream))
//! hold no value of their own: a poll takes the value under the channel
//! lock, exactly as `try_recv` does, or, finding none, registers its
//! [`Waker`](std::task::Waker) in the channel's [`Waiters`] under the same
//! lock. Hence:
//!
//! * no lost wake-up: a delivery stores the value and takes the waiters
//!   list under the lock, so a poll either sees the value or is in the list
//!   the delivery takes;
//! * no stale value: `stop` and `reset` empty the channel under the lock
//!   and no future caches anything, so a future polled after they return
//!   sees only what a later delivery stored;
//! * cancel safety: a future dropped before it took the value leaves it in
//!   the channel (and every waiter is woken, so no other waiter depends on
//!   the dropped one passing a wake-up on).
//!
//! # The crossbeam bridge
//!
//! [`Receiver::select_receiver`] moves the channel's storage into a
//! `crossbeam_channel::bounded(1)` channel (created once, on first use), so
//! that `crossbeam_channel::select!` can wait on it. From then on every
//! store is a `try_send` and every take a `try_recv`, both under the
//! channel lock; `stop` and `reset` drain it under that lock. A thread
//! selecting on it takes a value without the lock, which is a receive that
//! happens before the `stop` or `reset` draining an empty channel: that one
//! then reports what Go reports after a successful receive.

use std::fmt;
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::backend::AnyTimer;
use crate::future::{Recv, TickStream};
use crate::runtime::RuntimeShared;
use crate::timer_set::{Callback, MAX_WHEN, NOT_ARMED, callback};
use crate::waiters::{WaiterKey, Waiters};

/// The state behind a channel's lock (Go's `sendLock` and the channel's
/// buffer).
struct ChanState {
    /// The deadline of the unreceived value, if any. Always `None` once
    /// `bridge` is set, which then holds the value.
    value: Option<i64>,
    /// The crossbeam channel the value lives in once a
    /// [`SelectReceiver`] was asked for; `None` before.
    bridge: Option<Box<Bridge>>,
    /// The async receivers waiting for a value.
    waiters: Waiters,
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
    /// Taken by the drop, which stops the timer and drops it in one step.
    timer: ManuallyDrop<AnyTimer>,
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
                timer: ManuallyDrop::new(runtime.set.new_timer(deliver.clone())),
                deliver,
                state: Mutex::new(ChanState {
                    value: None,
                    bridge: None,
                    waiters: Waiters::default(),
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
        // A full channel drops the value, as Go's non-blocking send does.
        if self.store(&mut state, when) {
            self.publish_signal();
            let wakeups = state.waiters.take_all();
            drop(state);
            drop(wakeups);
        }
    }

    /// Stores a value unless the channel is full; returns whether it did.
    /// The caller holds the lock (`state`).
    fn store(&self, state: &mut ChanState, when: i64) -> bool {
        match &state.bridge {
            Some(bridge) => bridge
                .sender
                .try_send(self.runtime.instant_of(when))
                .is_ok(),
            None if state.value.is_none() => {
                state.value = Some(when);
                true
            }
            None => false,
        }
    }

    /// Takes the value if there is one. The caller holds the lock.
    fn take(&self, state: &mut ChanState) -> Option<Instant> {
        match &state.bridge {
            Some(bridge) => bridge.receiver.try_recv().ok(),
            None => state.value.take().map(|when| self.runtime.instant_of(when)),
        }
    }

    /// An async receiver's poll: takes the value, or registers `key`'s
    /// waker to be woken by the next delivery (one lock for both, so a
    /// delivery cannot fall between).
    pub(crate) fn poll_take(&self, key: &mut WaiterKey, cx: &mut Context<'_>) -> Poll<Instant> {
        let mut state = self.lock();
        match self.take(&mut state) {
            Some(value) => {
                state.waiters.remove(key);
                Poll::Ready(value)
            }
            None => {
                state.waiters.register(key, cx.waker());
                Poll::Pending
            }
        }
    }

    /// An async receiver gave up waiting: forgets its waker.
    pub(crate) fn cancel_wait(&self, key: &WaiterKey) {
        self.lock().waiters.remove(key);
    }

    /// The crossbeam receiver of this channel, creating the bridge on first
    /// use and moving an unreceived value into it.
    fn bridge_receiver(&self) -> crossbeam_channel::Receiver<Instant> {
        let mut state = self.lock();
        if let Some(bridge) = &state.bridge {
            return bridge.receiver.clone();
        }
        let (sender, receiver) = crossbeam_channel::bounded(1);
        if let Some(when) = state.value.take() {
            sender
                .try_send(self.runtime.instant_of(when))
                .expect("a new bounded(1) channel has room for one value");
        }
        state.bridge = Some(Box::new(Bridge {
            sender,
            receiver: receiver.clone(),
        }));
        receiver
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
        if self.take(&mut state).is_some() {
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
        let arming =
            self.runtime
                .set
                .modify(&self.timer, when, period, Some(self.deliver.clone()), seq);
        let mut pending = arming.was_pending;
        if state.in_flight && !pending {
            pending = true;
        }
        state.in_flight = period == 0;
        state.period = period;
        if self.take(&mut state).is_some() {
            pending = true;
        }
        drop(state);
        self.runtime.armed(when, &self.timer, arming);
        pending
    }

    /// Records a receive that got `value` (or nothing), if the runtime
    /// records.
    #[inline]
    fn note_recv(&self, value: Option<Instant>) {
        if self.runtime.recorder.is_some() {
            let value = value.map(|at| self.runtime.nanos_of(at));
            self.runtime.note_recv(self.trace_id, value);
        }
    }

    /// Takes the value if there is one.
    pub(crate) fn try_take(&self) -> Option<Instant> {
        let mut state = self.lock();
        let value = self.take(&mut state);
        drop(state);
        self.note_recv(value);
        value
    }

    /// Takes the value, or reads `signal` under the lock so that a later
    /// value is seen as a change of it.
    fn take_or_signal(&self) -> Result<Instant, u32> {
        let mut state = self.lock();
        match self.take(&mut state) {
            Some(value) => {
                drop(state);
                self.note_recv(Some(value));
                Ok(value)
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

/// A channel's storage once it is handed to crossbeam's `select!`.
struct Bridge {
    sender: crossbeam_channel::Sender<Instant>,
    receiver: crossbeam_channel::Receiver<Instant>,
}

impl Drop for ChanTimer {
    /// The last handle and receiver are gone: take the timer out of its set
    /// (Go collects unreferenced channel timers).
    fn drop(&mut self) {
        // SAFETY: taken once, here, and not used after.
        let timer = unsafe { ManuallyDrop::take(&mut self.timer) };
        self.runtime.set.stop_and_drop(timer);
    }
}

/// A runtime timer that wakes a receiver blocked in `recv_timeout` on a real
/// clock; stopped when the wait ends.
struct TimeoutWaker {
    runtime: Arc<RuntimeShared>,
    /// Taken by the drop, which stops the timer and drops it in one step.
    timer: ManuallyDrop<AnyTimer>,
}

impl TimeoutWaker {
    fn arm(core: &Arc<ChanTimer>, deadline: i64) -> TimeoutWaker {
        let weak = Arc::downgrade(core);
        let timer = core.runtime.set.new_timer(callback(move |_, _| {
            if let Some(core) = weak.upgrade() {
                core.wake_for_timeout();
            }
        }));
        let arming = core.runtime.set.modify(&timer, deadline.max(1), 0, None, 0);
        core.runtime.armed(deadline, &timer, arming);
        TimeoutWaker {
            runtime: core.runtime.clone(),
            timer: ManuallyDrop::new(timer),
        }
    }
}

impl Drop for TimeoutWaker {
    fn drop(&mut self) {
        // SAFETY: taken once, here, and not used after.
        let timer = unsafe { ManuallyDrop::take(&mut self.timer) };
        self.runtime.set.stop_and_drop(timer);
    }
}

/// The receiving end of a timer's or ticker's channel (Go's `t.C`).
///
/// Holds at most one value: the deadline it stands for, as an [`Instant`].
/// Cloning gives another receiver of the same channel. While any receiver
/// or the timer's handle lives, the timer keeps running.
///
/// Blocking receives ([`recv`](Self::recv)), async ones (`.await` on
/// `&Receiver`, [`recv_async`](Self::recv_async), [`stream`](Self::stream))
/// and `crossbeam_channel::select!` ([`select_receiver`](Self::select_receiver))
/// all take from the same one-value channel, under the same rules.
///
/// ```
/// use std::time::Duration;
/// let runtime = gowheel::Runtime::builder().manual_clock().build();
/// let receiver = runtime.after(Duration::from_secs(1));
/// assert!(receiver.try_recv().is_err());
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

/// Why [`Receiver::try_recv`] returned no value.
///
/// ```
/// use gowheel::TryRecvError;
/// let runtime = gowheel::Runtime::builder().manual_clock().build();
/// let receiver = runtime.after(std::time::Duration::from_secs(1));
/// assert_eq!(receiver.try_recv(), Err(TryRecvError::Empty));
/// drop(runtime); // no timer of it fires again
/// assert_eq!(receiver.try_recv(), Err(TryRecvError::Disconnected));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TryRecvError {
    /// No value now; one may arrive later.
    Empty,
    /// No value now and none can arrive: the timer's runtime is gone (its
    /// last [`Runtime`](crate::Runtime) handle was dropped).
    Disconnected,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TryRecvError::Empty => "receiving on an empty timer channel",
            TryRecvError::Disconnected => "receiving on a timer channel whose runtime is gone",
        })
    }
}

impl std::error::Error for TryRecvError {}

impl Receiver {
    /// Takes the value if one is there, without blocking (Go's `select` with
    /// a `default`).
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if there is no value now,
    /// [`TryRecvError::Disconnected`] if there is none and the runtime is
    /// gone.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let receiver = runtime.after(Duration::ZERO);
    /// runtime.advance(Duration::ZERO);
    /// assert!(receiver.try_recv().is_ok());
    /// assert!(receiver.try_recv().is_err()); // one value only
    /// ```
    pub fn try_recv(&self) -> Result<Instant, TryRecvError> {
        match self.core.try_take() {
            Some(value) => Ok(value),
            None if self.core.runtime.is_shut_down() => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Blocks until a value arrives and returns it. A timer that is stopped
    /// and never re-armed makes this wait forever, as a Go receive would.
    /// In async code, `.await` the receiver instead (see
    /// [`recv_async`](Self::recv_async)): this blocks the executor's thread.
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

    /// A future that resolves to the next value, woken by the timer itself
    /// (no thread, no polling), on any executor. `&Receiver` is also
    /// [`IntoFuture`](std::future::IntoFuture), so `receiver.await` does the
    /// same.
    ///
    /// Cancel-safe: the value is taken only in the poll that returns it, so
    /// dropping the future (a losing `select!` branch) leaves any value in
    /// the channel. After `stop` or `reset` returns, a pending future sees
    /// only values of later firings, as [`try_recv`](Self::try_recv) does.
    ///
    /// On a manual runtime awaiting does not move the clock: something else
    /// (a [`Runtime::advance`](crate::Runtime::advance), a blocking receive
    /// on another thread) must, and the future is woken when it does.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::new();
    /// let timer = runtime.new_timer(Duration::from_millis(1));
    /// let fired_at = futures::executor::block_on(timer.receiver().recv_async());
    /// assert!(fired_at >= runtime.start());
    /// // The same, through `IntoFuture`:
    /// timer.reset(Duration::from_millis(1));
    /// futures::executor::block_on(async { timer.receiver().await });
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    pub fn recv_async(&self) -> Recv<'_> {
        Recv {
            receiver: self,
            waiter: WaiterKey::default(),
        }
    }

    /// This channel as a [`Stream`](futures_core::Stream) of its values: a
    /// ticker's ticks, skipping those nobody received in time as Go's
    /// ticker does. It never ends (a stopped ticker's stream waits for a
    /// reset).
    ///
    /// ```
    /// use std::time::Duration;
    /// use futures::StreamExt;
    /// let runtime = gowheel::Runtime::new();
    /// let ticker = runtime.new_ticker(Duration::from_millis(1));
    /// let ticks: Vec<_> = futures::executor::block_on(ticker.receiver().stream().take(3).collect());
    /// assert!(ticks[0] < ticks[1] && ticks[1] < ticks[2]);
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub fn stream(&self) -> TickStream {
        TickStream {
            core: self.core.clone(),
            waiter: WaiterKey::default(),
        }
    }

    /// This channel for `crossbeam_channel::select!`, beside other
    /// crossbeam channels; see [`SelectReceiver`].
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::new();
    /// let timeout = runtime.new_timer(Duration::from_millis(5));
    /// let (_work_sender, work) = crossbeam_channel::unbounded::<u32>();
    /// let timed_out = timeout.receiver().select_receiver();
    /// crossbeam_channel::select! {
    ///     recv(work) -> _ => unreachable!("nobody sends work"),
    ///     recv(timed_out) -> fired_at => assert!(fired_at.unwrap() >= runtime.start()),
    /// }
    /// ```
    #[must_use]
    pub fn select_receiver(&self) -> SelectReceiver {
        SelectReceiver {
            receiver: self.core.bridge_receiver(),
            _core: self.core.clone(),
        }
    }
}

impl<'a> std::future::IntoFuture for &'a Receiver {
    type Output = Instant;
    type IntoFuture = Recv<'a>;

    /// [`Receiver::recv_async`].
    fn into_future(self) -> Recv<'a> {
        self.recv_async()
    }
}

/// A timer's channel as a `crossbeam_channel::Receiver`, for
/// `crossbeam_channel::select!`.
///
/// It dereferences to a `crossbeam_channel::Receiver<Instant>`, so `recv(r)`
/// in `select!` takes it as it is. It keeps the timer alive as a
/// [`Receiver`] does. Go's guarantees hold: the channel holds one value,
/// and after `stop` or `reset` returns no stale value can be received from
/// it either (they drain the crossbeam channel under the timer's lock, and
/// every delivery sends under that lock). Once one is created, the timer's
/// value lives in the crossbeam channel for the rest of its life, so every
/// kind of receive keeps working and sees the same single value.
///
/// On a manual runtime, a thread blocked in `select!` does not move the
/// clock (unlike [`Receiver::recv`]); another thread must.
///
/// ```
/// use std::time::Duration;
/// let runtime = gowheel::Runtime::builder().manual_clock().build();
/// let timer = runtime.new_timer(Duration::from_secs(1));
/// let fired = timer.receiver().select_receiver();
/// runtime.advance(Duration::from_secs(1));
/// assert!(timer.reset(Duration::from_secs(1))); // discards the value...
/// assert!(fired.try_recv().is_err()); // ...from the crossbeam channel too
/// ```
pub struct SelectReceiver {
    receiver: crossbeam_channel::Receiver<Instant>,
    /// Keeps the timer alive while the crossbeam receiver is in use.
    _core: Arc<ChanTimer>,
}

impl fmt::Debug for SelectReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectReceiver").finish_non_exhaustive()
    }
}

impl std::ops::Deref for SelectReceiver {
    type Target = crossbeam_channel::Receiver<Instant>;

    fn deref(&self) -> &crossbeam_channel::Receiver<Instant> {
        &self.receiver
    }
}
