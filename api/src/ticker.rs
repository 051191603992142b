//! Go's `time.Ticker` and `time.Tick`.

use std::fmt;
use std::time::Duration;

use crate::channel::{ChanTimer, Receiver};
use crate::future::TickStream;
use crate::observe::Made;
use crate::runtime::{Runtime, RuntimeShared, default_runtime};

/// A zero period was given to a ticker, which Go refuses too.
///
/// ```
/// let runtime = gowheel::Runtime::builder().manual_clock().build();
/// let error = runtime.try_new_ticker(std::time::Duration::ZERO).unwrap_err();
/// assert_eq!(error.to_string(), "non-positive interval for a ticker");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonPositiveInterval;

impl fmt::Display for NonPositiveInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("non-positive interval for a ticker")
    }
}

impl std::error::Error for NonPositiveInterval {}

/// A timer that sends the time on its channel every period (Go's
/// `time.Ticker`). The channel holds one tick; a ticker whose ticks are not
/// received drops them and keeps to its period boundaries.
///
/// Dropping the `Ticker` and every clone of its [`Receiver`] stops it.
///
/// ```
/// use std::time::Duration;
/// let runtime = gowheel::Runtime::builder().manual_clock().build();
/// let ticker = runtime.new_ticker(Duration::from_secs(1));
/// for second in 1..=3 {
///     let tick = ticker.receiver().recv(); // moves virtual time
///     assert_eq!(tick - runtime.start(), Duration::from_secs(second));
/// }
/// ticker.stop();
/// ```
pub struct Ticker {
    receiver: Receiver,
}

impl fmt::Debug for Ticker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticker").finish_non_exhaustive()
    }
}

impl Ticker {
    /// A ticker on the [default runtime](crate::default_runtime) with period
    /// `period`.
    ///
    /// # Panics
    ///
    /// If `period` is zero; [`try_new`](Self::try_new) returns an error
    /// instead.
    ///
    /// ```
    /// let ticker = gowheel::Ticker::new(std::time::Duration::from_millis(1));
    /// ticker.receiver().recv();
    /// ticker.stop();
    /// ```
    #[must_use]
    pub fn new(period: Duration) -> Ticker {
        default_runtime().new_ticker(period)
    }

    /// A ticker on the default runtime, or an error for a zero period.
    ///
    /// ```
    /// assert!(gowheel::Ticker::try_new(std::time::Duration::ZERO).is_err());
    /// ```
    pub fn try_new(period: Duration) -> Result<Ticker, NonPositiveInterval> {
        default_runtime().try_new_ticker(period)
    }

    /// The ticker's channel (Go's `t.C`).
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let ticker = runtime.new_ticker(std::time::Duration::from_secs(1));
    /// assert!(ticker.receiver().try_recv().is_err());
    /// ```
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }

    /// The ticker's ticks as a [`Stream`](futures_core::Stream), for async
    /// code (see [`Receiver::stream`]); missed ticks are skipped, as Go's
    /// ticker skips them.
    ///
    /// ```
    /// use futures::StreamExt;
    /// let ticker = gowheel::Ticker::new(std::time::Duration::from_millis(1));
    /// let mut ticks = ticker.stream();
    /// futures::executor::block_on(ticks.next());
    /// ```
    pub fn stream(&self) -> TickStream {
        self.receiver.stream()
    }

    /// Stops the ticker and discards an unreceived tick (Go's
    /// `Ticker.Stop`): no tick is received after this returns.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let ticker = runtime.new_ticker(Duration::from_secs(1));
    /// runtime.advance(Duration::from_secs(1));
    /// ticker.stop();
    /// assert!(ticker.receiver().try_recv().is_err());
    /// ```
    pub fn stop(&self) {
        let core = &self.receiver.core;
        core.stop();
        core.runtime.note_ticker_stop(core.trace_id);
    }

    /// Restarts the ticker with period `period`, its next tick `period` from
    /// now, discarding an unreceived tick (Go's `Ticker.Reset`).
    ///
    /// # Panics
    ///
    /// If `period` is zero, leaving the ticker unchanged;
    /// [`try_reset`](Self::try_reset) returns an error instead.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let ticker = runtime.new_ticker(Duration::from_secs(10));
    /// ticker.reset(Duration::from_secs(1));
    /// assert_eq!(ticker.receiver().recv() - runtime.start(), Duration::from_secs(1));
    /// ```
    pub fn reset(&self, period: Duration) {
        if self.try_reset(period).is_err() {
            panic!("gowheel: non-positive interval for Ticker::reset");
        }
    }

    /// [`reset`](Self::reset), or an error for a zero period, which leaves
    /// the ticker unchanged.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let ticker = runtime.new_ticker(std::time::Duration::from_secs(1));
    /// assert!(ticker.try_reset(std::time::Duration::ZERO).is_err());
    /// ```
    pub fn try_reset(&self, period: Duration) -> Result<(), NonPositiveInterval> {
        let core = &self.receiver.core;
        if period.is_zero() {
            core.runtime.note_ticker_reset(core.trace_id, period, true);
            return Err(NonPositiveInterval);
        }
        core.rearm(
            core.runtime.deadline_after(period),
            RuntimeShared::period_of(period),
        );
        core.runtime.note_ticker_reset(core.trace_id, period, false);
        Ok(())
    }
}

impl Runtime {
    /// A ticker with period `period` (Go's `time.NewTicker`).
    ///
    /// # Panics
    ///
    /// If `period` is zero; see [`try_new_ticker`](Self::try_new_ticker).
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let ticker = runtime.new_ticker(std::time::Duration::from_secs(1));
    /// # drop(ticker);
    /// ```
    #[must_use]
    pub fn new_ticker(&self, period: Duration) -> Ticker {
        match self.try_new_ticker(period) {
            Ok(ticker) => ticker,
            Err(_) => panic!("gowheel: non-positive interval for a new ticker"),
        }
    }

    /// A ticker, or an error for a zero period.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// assert!(runtime.try_new_ticker(std::time::Duration::ZERO).is_err());
    /// ```
    pub fn try_new_ticker(&self, period: Duration) -> Result<Ticker, NonPositiveInterval> {
        if period.is_zero() {
            return Err(NonPositiveInterval);
        }
        let shared = self.shared();
        let trace_id = shared.note_made(Made::Tick, period);
        let core = ChanTimer::new_armed(
            shared,
            shared.deadline_after(period),
            RuntimeShared::period_of(period),
            trace_id,
        );
        Ok(Ticker {
            receiver: Receiver { core },
        })
    }

    /// The channel of a new ticker (Go's `time.Tick`). The ticker lives as
    /// long as the receiver.
    ///
    /// # Panics
    ///
    /// If `period` is zero (Go returns a nil channel, which blocks forever;
    /// a clear error is more useful). See [`try_tick`](Self::try_tick).
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let ticks = runtime.tick(std::time::Duration::from_secs(1));
    /// assert_eq!(ticks.recv() - runtime.start(), std::time::Duration::from_secs(1));
    /// ```
    #[must_use]
    pub fn tick(&self, period: Duration) -> Receiver {
        self.new_ticker(period).receiver
    }

    /// [`tick`](Self::tick), or an error for a zero period.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// assert!(runtime.try_tick(std::time::Duration::ZERO).is_err());
    /// ```
    pub fn try_tick(&self, period: Duration) -> Result<Receiver, NonPositiveInterval> {
        self.try_new_ticker(period).map(|ticker| ticker.receiver)
    }
}

/// The channel of a new ticker on the default runtime (Go's `time.Tick`).
///
/// # Panics
///
/// If `period` is zero.
///
/// ```
/// let ticks = gowheel::tick(std::time::Duration::from_millis(1));
/// ticks.recv();
/// ```
#[must_use]
pub fn tick(period: Duration) -> Receiver {
    default_runtime().tick(period)
}
