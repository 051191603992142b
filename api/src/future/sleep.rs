//! [`Sleep`]: a future that completes at a deadline, and can be moved.
//!
//! A `Sleep` owns a function timer of its runtime whose callback records
//! which arming fired and wakes the waker the last poll left: no channel,
//! no value to hold, one node in the set and one small shared cell.
//!
//! Each arming has a number, passed to the set as the timer's `seq` and
//! handed back to the callback when it fires (Go's `seq` for channel
//! timers). The callback stores the number it fired for, plus one, and
//! the sleep completes only when the stored number is that of its current
//! arming. So a firing of an old deadline that races with [`Sleep::reset`]
//! (its callback already running when `reset` re-arms) stores an old
//! number and is ignored: after `reset` returns, the sleep waits for the
//! new deadline, as [`Timer::reset`](crate::Timer::reset) leaves no stale
//! value.
//!
//! Waking: a poll registers its waker and then looks at the stored number
//! again; the callback stores the number and then wakes. `AtomicWaker`
//! orders the two sides, so either the poll sees the number, or the wake
//! finds the waker registered. A dropped `Sleep` stops its timer; a
//! callback already running only wakes a waker nobody waits on.

use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use atomic_waker::AtomicWaker;

use crate::backend::AnyTimer;
use crate::runtime::{Runtime, RuntimeAnchor, RuntimeShared, default_runtime};
use crate::timer_set::{Callback, callback};

/// What a sleep's callback shares with the sleep.
#[derive(Default)]
struct Fired {
    /// The number of the last arming that fired, plus one; 0 if none has.
    arming: AtomicU64,
    /// The waker of the last poll that found the sleep pending.
    waker: AtomicWaker,
}

/// A future that completes when its deadline passes on its runtime's clock
/// (tokio's `Sleep`, on gowheel's timers). Made by [`sleep`],
/// [`sleep_until`] or the [`Runtime`] methods of the same names.
///
/// Dropping it takes its timer out of the runtime.
///
/// ```
/// use std::time::Duration;
/// futures::executor::block_on(async {
///     let start = std::time::Instant::now();
///     gowheel::future::sleep(Duration::from_millis(2)).await;
///     assert!(start.elapsed() >= Duration::from_millis(2));
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    /// The runtime, through the anchor of the thread that made the sleep,
    /// which also keeps the runtime's driver running while the sleep
    /// waits (one reference count that threads share little, instead of
    /// the runtime's own).
    anchor: Arc<RuntimeAnchor>,
    /// Taken by the drop, which stops the timer and drops it in one step.
    timer: ManuallyDrop<AnyTimer>,
    /// A callback for [`reset`](Sleep::reset) to pass with each new
    /// arming's number (the set takes a new `seq` only with a callback):
    /// made by the first reset, so that a sleep that is never reset, the
    /// common case, hands its only callback to the set.
    on_fire: Option<Callback>,
    fired: Arc<Fired>,
    /// The number of the current arming (the timer's `seq`).
    arming: u64,
    deadline: Instant,
    /// Set by the poll that saw the current arming fire; cleared by
    /// `reset`.
    done: bool,
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Sleep {
    fn new(runtime: &Runtime, when: i64, deadline: Instant) -> Sleep {
        let anchor = runtime.anchor().clone();
        let shared = anchor.get();
        let fired = Arc::new(Fired::default());
        let (timer, arming) = shared.set.start_timer(fire_callback(&fired), when, 0);
        shared.armed(when, &timer, arming);
        Sleep {
            anchor,
            timer: ManuallyDrop::new(timer),
            on_fire: None,
            fired,
            arming: 0,
            deadline,
            done: false,
        }
    }

    #[inline]
    fn runtime(&self) -> &RuntimeShared {
        self.anchor.get()
    }

    /// Whether the current arming has fired.
    fn current_arming_fired(&self) -> bool {
        // Acquire: pairs with the Release store of the callback.
        self.fired.arming.load(Ordering::Acquire) == self.arming + 1
    }

    /// The instant this sleep completes at.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let at = runtime.start() + std::time::Duration::from_secs(3);
    /// assert_eq!(runtime.sleep_until(at).deadline(), at);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed, i.e. the sleep has completed or
    /// will on its next poll.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let sleep = runtime.sleep_async(Duration::from_secs(1));
    /// assert!(!sleep.is_elapsed());
    /// runtime.advance(Duration::from_secs(1));
    /// assert!(sleep.is_elapsed());
    /// ```
    pub fn is_elapsed(&self) -> bool {
        self.done
            || self.current_arming_fired()
            || self.runtime().now_nanos() >= self.runtime().nanos_of(self.deadline)
    }

    /// Moves the deadline to `deadline` (earlier or later), whether or not
    /// the sleep has completed; a firing for the old deadline that was not
    /// yet taken is discarded, as [`Timer::reset`](crate::Timer::reset)
    /// discards it. The task awaiting the sleep keeps waiting, for the new
    /// deadline.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let mut sleep = runtime.sleep_async(Duration::from_secs(1));
    /// runtime.advance(Duration::from_secs(1)); // fired, not yet polled
    /// sleep.reset(runtime.now() + Duration::from_secs(5));
    /// assert!(!sleep.is_elapsed());
    /// assert_eq!(sleep.deadline() - runtime.start(), Duration::from_secs(6));
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        let runtime = self.anchor.get();
        let when = runtime.nanos_of(deadline);
        self.arming += 1;
        let on_fire = self
            .on_fire
            .get_or_insert_with(|| fire_callback(&self.fired))
            .clone();
        let arming = runtime
            .set
            .modify(&self.timer, when, 0, Some(on_fire), self.arming);
        runtime.armed(when, &self.timer, arming);
        self.deadline = deadline;
        self.done = false;
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(());
        }
        if !this.current_arming_fired() {
            this.fired.waker.register(cx.waker());
            // Looked at again after registering: a firing between the
            // first look and the registration wakes nobody.
            if !this.current_arming_fired() {
                return Poll::Pending;
            }
        }
        this.done = true;
        Poll::Ready(())
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        // SAFETY: taken once, here, and not used after.
        let timer = unsafe { ManuallyDrop::take(&mut self.timer) };
        // Dropping a handle does not cancel its timer, so stop it with the
        // drop.
        self.runtime().set.stop_and_drop(timer);
    }
}

/// A callback for a sleep's timer: records the arming it fires for
/// (passed as the timer's `seq`), then wakes the sleep's last waker.
fn fire_callback(fired: &Arc<Fired>) -> Callback {
    let fired = fired.clone();
    callback(move |seq, _delay| {
        // Release: pairs with the Acquire load in `poll`; the waker's own
        // synchronization orders the wake after it.
        fired.arming.store(seq + 1, Ordering::Release);
        fired.waker.wake();
    })
}

impl Runtime {
    /// A future that completes after `duration` of this runtime's time
    /// (tokio's `sleep`). Unlike [`Runtime::sleep`] it blocks no thread.
    /// On a manual runtime, awaiting it does not move the clock (see
    /// [`future`](crate::future)).
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::new();
    /// futures::executor::block_on(runtime.sleep_async(Duration::from_millis(1)));
    /// ```
    pub fn sleep_async(&self, duration: Duration) -> Sleep {
        let shared = self.shared();
        let when = shared.deadline_after(duration);
        Sleep::new(self, when, shared.instant_of(when))
    }

    /// A future that completes at `deadline` (tokio's `sleep_until`); at
    /// once for a deadline already past.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::new();
    /// let deadline = runtime.now() + Duration::from_millis(1);
    /// futures::executor::block_on(runtime.sleep_until(deadline));
    /// assert!(runtime.now() >= deadline);
    /// ```
    pub fn sleep_until(&self, deadline: Instant) -> Sleep {
        let when = self.shared().nanos_of(deadline);
        Sleep::new(self, when, deadline)
    }
}

/// A future that completes after `duration`, on the default runtime
/// (tokio's `sleep`). Unlike [`crate::sleep`] it blocks no thread, so it is
/// the one to use in async code.
///
/// ```
/// futures::executor::block_on(gowheel::future::sleep(std::time::Duration::from_millis(1)));
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    default_runtime().sleep_async(duration)
}

/// A future that completes at `deadline`, on the default runtime (tokio's
/// `sleep_until`).
///
/// ```
/// let deadline = std::time::Instant::now() + std::time::Duration::from_millis(1);
/// futures::executor::block_on(gowheel::future::sleep_until(deadline));
/// assert!(std::time::Instant::now() >= deadline);
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    default_runtime().sleep_until(deadline)
}
