//! [`TickStream`]: a timer channel as a `futures_core::Stream`.
//!
//! Each item is one receive under the channel's rules (see
//! [`future`](crate::future)); a ticker's dropped ticks are simply never
//! stored, so the stream skips missed ticks as Go's `for range ticker.C`
//! does.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_core::Stream;

use crate::channel::ChanTimer;
use crate::waiters::WaiterKey;

/// The values of a timer channel as a [`Stream`]: made by
/// [`Receiver::stream`](crate::Receiver::stream) (or
/// [`Ticker::stream`](crate::Ticker::stream)). It never ends; it keeps the
/// timer alive as a [`Receiver`](crate::Receiver) does.
///
/// ```
/// use std::time::Duration;
/// use futures::StreamExt;
/// let runtime = gowheel::Runtime::new();
/// let ticker = runtime.new_ticker(Duration::from_millis(1));
/// let mut ticks = ticker.stream();
/// futures::executor::block_on(async {
///     let first = ticks.next().await.unwrap();
///     let second = ticks.next().await.unwrap();
///     assert!(second > first);
/// });
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct TickStream {
    pub(crate) core: Arc<ChanTimer>,
    pub(crate) waiter: WaiterKey,
}

impl fmt::Debug for TickStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TickStream").finish_non_exhaustive()
    }
}

impl Stream for TickStream {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        let this = self.get_mut();
        this.core.poll_take(&mut this.waiter, cx).map(Some)
    }
}

impl Drop for TickStream {
    fn drop(&mut self) {
        self.core.cancel_wait(&self.waiter);
    }
}
