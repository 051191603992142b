//! [`Sleep`]: a future that completes at a deadline, and can be moved.
//!
//! A `Sleep` owns a one-shot channel timer (the core of
//! [`Timer`](crate::Timer)) and completes when it takes that timer's value;
//! [`Sleep::reset`] re-arms the timer, which empties its channel under the
//! channel lock, so a sleep reset after its old deadline passed (but before
//! it was polled) waits for the new deadline rather than completing on the
//! stale firing. `done` is set by the poll that took the value and cleared
//! by `reset`, so a completed sleep keeps returning `Ready` until reset.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::channel::ChanTimer;
use crate::runtime::{Runtime, RuntimeShared, default_runtime};
use crate::waiters::WaiterKey;

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
    core: Arc<ChanTimer>,
    deadline: Instant,
    /// Set by the poll that took the timer's value; cleared by `reset`.
    done: bool,
    waiter: WaiterKey,
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
    fn new(runtime: &Arc<RuntimeShared>, when: i64, deadline: Instant) -> Sleep {
        Sleep {
            core: ChanTimer::new_armed(runtime, when, 0),
            deadline,
            done: false,
            waiter: WaiterKey::default(),
        }
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
        self.done || self.core.runtime.now_nanos() >= self.core.runtime.nanos_of(self.deadline)
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
        self.core.rearm(self.core.runtime.nanos_of(deadline), 0);
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
        this.core.poll_take(&mut this.waiter, cx).map(|_| {
            this.done = true;
        })
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.core.cancel_wait(&self.waiter);
    }
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
        Sleep::new(shared, when, shared.instant_of(when))
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
        let shared = self.shared();
        Sleep::new(shared, shared.nanos_of(deadline), deadline)
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
