//! [`Recv`]: one receive from a timer channel, as a future.
//!
//! Holds a borrow of the [`Receiver`] and its waiter key; the value is taken
//! only in the poll that returns it (see the module doc of
//! [`future`](crate::future) for why that makes it cancel-safe).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use crate::channel::Receiver;
use crate::waiters::WaiterKey;

/// The future of [`Receiver::recv_async`] and of `receiver.await`: resolves
/// to the channel's next value. Cancel-safe.
///
/// ```
/// use std::time::Duration;
/// let runtime = gowheel::Runtime::new();
/// let receiver = runtime.after(Duration::from_millis(1));
/// let recv: gowheel::future::Recv<'_> = receiver.recv_async();
/// futures::executor::block_on(recv);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a> {
    pub(crate) receiver: &'a Receiver,
    pub(crate) waiter: WaiterKey,
}

impl fmt::Debug for Recv<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}

impl Future for Recv<'_> {
    type Output = Instant;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Instant> {
        let this = self.get_mut();
        this.receiver.core.poll_take(&mut this.waiter, cx)
    }
}

impl Drop for Recv<'_> {
    fn drop(&mut self) {
        self.receiver.core.cancel_wait(&self.waiter);
    }
}
