//! [`Timeout`]: a future raced against a deadline.
//!
//! The inner future is polled first, so a future that is ready when the
//! deadline also is wins (as tokio's does). The deadline is a [`Sleep`],
//! armed when the `Timeout` is made; a `Timeout` that completes in time
//! drops it, which takes its timer out of the runtime: the common case
//! (a timeout that almost never fires) costs one arming and one stop.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::future::Sleep;
use crate::runtime::{Runtime, default_runtime};

/// The error of a [`Timeout`] whose deadline passed first.
///
/// ```
/// let error = gowheel::future::Elapsed::default();
/// assert_eq!(error.to_string(), "deadline has elapsed");
/// let _: &dyn std::error::Error = &error;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Elapsed;

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(elapsed: Elapsed) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::TimedOut, elapsed)
    }
}

/// A future that yields its inner future's output, or [`Elapsed`] if the
/// deadline passes first (tokio's `Timeout`). Made by [`timeout`],
/// [`timeout_at`] or the [`Runtime`] methods of the same names.
///
/// ```
/// use std::time::Duration;
/// use gowheel::future::{sleep, timeout};
/// futures::executor::block_on(async {
///     assert_eq!(timeout(Duration::from_secs(60), async { 7 }).await, Ok(7));
///     let slow = sleep(Duration::from_secs(60));
///     assert!(timeout(Duration::from_millis(1), slow).await.is_err());
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Timeout<F> {
    future: F,
    sleep: Sleep,
}

impl<F> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("deadline", &self.sleep.deadline())
            .finish_non_exhaustive()
    }
}

impl<F> Timeout<F> {
    /// The inner future.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::new();
    /// let timeout = runtime.timeout(std::time::Duration::from_secs(1), std::future::ready(1));
    /// let _: &std::future::Ready<i32> = timeout.get_ref();
    /// ```
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// The inner future, giving up the deadline.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::new();
    /// let timeout = runtime.timeout(std::time::Duration::from_secs(1), std::future::ready(1));
    /// assert_eq!(futures::executor::block_on(timeout.into_inner()), 1);
    /// ```
    pub fn into_inner(self) -> F {
        self.future
    }

    /// The deadline.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let at = runtime.start() + std::time::Duration::from_secs(1);
    /// assert_eq!(runtime.timeout_at(at, std::future::pending::<()>()).deadline(), at);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.sleep.deadline()
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of
        // a pinned `Timeout` (no method moves it but `into_inner`, which
        // takes `self` by value and so needs an unpinned one, and `Timeout`
        // has no `Drop` impl), so a pin of the `Timeout` is a pin of it.
        // `sleep` is `Unpin` and is not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above; `this.future` stays where it is.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        if let Poll::Ready(output) = future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        Pin::new(&mut this.sleep).poll(cx).map(|()| Err(Elapsed))
    }
}

impl Runtime {
    /// Runs `future` with a deadline `duration` from now (tokio's
    /// `timeout`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::new();
    /// let answer = futures::executor::block_on(runtime.timeout(Duration::from_secs(5), async { 42 }));
    /// assert_eq!(answer, Ok(42));
    /// ```
    pub fn timeout<F: Future>(&self, duration: Duration, future: F) -> Timeout<F> {
        Timeout {
            future,
            sleep: self.sleep_async(duration),
        }
    }

    /// Runs `future` with the deadline `deadline` (tokio's `timeout_at`).
    ///
    /// ```
    /// let runtime = gowheel::Runtime::new();
    /// let never = std::future::pending::<()>();
    /// let result = futures::executor::block_on(runtime.timeout_at(runtime.now(), never));
    /// assert!(result.is_err());
    /// ```
    pub fn timeout_at<F: Future>(&self, deadline: Instant, future: F) -> Timeout<F> {
        Timeout {
            future,
            sleep: self.sleep_until(deadline),
        }
    }
}

/// Runs `future` with a deadline `duration` from now, on the default
/// runtime (tokio's `timeout`).
///
/// ```
/// use std::time::Duration;
/// let result = futures::executor::block_on(gowheel::future::timeout(
///     Duration::from_millis(1),
///     std::future::pending::<()>(),
/// ));
/// assert_eq!(result, Err(gowheel::future::Elapsed::default()));
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    default_runtime().timeout(duration, future)
}

/// Runs `future` with the deadline `deadline`, on the default runtime
/// (tokio's `timeout_at`).
///
/// ```
/// let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
/// let result = futures::executor::block_on(gowheel::future::timeout_at(deadline, async { 1 }));
/// assert_eq!(result, Ok(1));
/// ```
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    default_runtime().timeout_at(deadline, future)
}
