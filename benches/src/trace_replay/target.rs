//! What a trace replays against: [`ReplayTarget`], the time-package calls a
//! trace's operations map to, on gowheel ([`GowheelTarget`], wheel or
//! heap, with runtime metrics on) and on tokio ([`TokioTarget`]).
//!
//! On gowheel every operation is the API call of the same name, with Go's
//! answers. On tokio they are what a tokio program writes for the same
//! job: a function timer is a `Sleep` whose waker runs the function (as
//! [`TokioFunc`](crate::backend::TokioFunc) in the benches), a channel
//! timer a registered `Sleep` whose expiry a receive takes once, a ticker
//! an `Interval` that skips missed ticks; `stop` and `reset` answer
//! whether the timer was pending as well as tokio lets one tell (see
//! [`TokioFunc`](crate::backend::TokioFunc) for the races).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::runtime::EnterGuard;
use tokio::time::{Instant, Interval, MissedTickBehavior, Sleep};

use crate::backend::{TimerBackend, Tokio, TokioFunc};

/// A function a function timer runs.
pub type Function = Arc<dyn Fn() + Send + Sync>;

/// The time-package calls of a trace, on one backend. Handles are used
/// under the replay's per-ID lock, so methods take `&mut` handles.
pub trait ReplayTarget: Send + Sync + 'static {
    /// A function timer (`func`).
    type Func: Send;
    /// A channel timer (`chan`).
    type Chan: Send;
    /// A ticker (`tick`).
    type Tick: Send;

    /// The backend's name in the report.
    fn name(&self) -> &'static str;
    /// Makes the calling thread able to use the backend (tokio's context).
    fn enter(&self) -> Option<EnterGuard<'_>>;
    /// `AfterFunc(duration, function)`.
    fn func(&self, duration: Duration, function: Function) -> Self::Func;
    /// `Stop` on a function timer: whether it was pending.
    fn func_stop(&self, timer: &mut Self::Func) -> bool;
    /// `Reset` on a function timer: whether it was pending.
    fn func_reset(&self, timer: &mut Self::Func, duration: Duration) -> bool;
    /// `NewTimer(duration)`.
    fn chan(&self, duration: Duration) -> Self::Chan;
    /// `Stop` on a channel timer.
    fn chan_stop(&self, timer: &mut Self::Chan) -> bool;
    /// `Reset` on a channel timer.
    fn chan_reset(&self, timer: &mut Self::Chan, duration: Duration) -> bool;
    /// A non-blocking receive: whether a value was there.
    fn chan_recv(&self, timer: &mut Self::Chan) -> bool;
    /// `NewTicker(period)`, `None` for a zero period.
    fn tick(&self, period: Duration) -> Option<Self::Tick>;
    /// `Ticker.Stop`.
    fn tick_stop(&self, ticker: &mut Self::Tick);
    /// `Ticker.Reset`: false (ticker unchanged) for a zero period.
    fn tick_reset(&self, ticker: &mut Self::Tick, period: Duration) -> bool;
    /// A non-blocking receive on the ticker's channel.
    fn tick_recv(&self, ticker: &mut Self::Tick) -> bool;
    /// The runtime's own metrics, where it keeps them.
    fn metrics(&self) -> Option<gowheel::RuntimeMetrics>;
}

/// gowheel's runtime, wheel or heap, on the real clock, with metrics.
pub struct GowheelTarget {
    runtime: gowheel::Runtime,
}

impl GowheelTarget {
    /// A runtime of `backend` with its driver thread and metrics on.
    ///
    /// ```
    /// use gowheel_benches::trace_replay::{GowheelTarget, ReplayTarget};
    /// let target = GowheelTarget::new(gowheel::Backend::Heap);
    /// let mut timer = target.chan(std::time::Duration::from_secs(1));
    /// assert!(target.chan_stop(&mut timer));
    /// assert_eq!(target.metrics().unwrap().stopped, 1);
    /// ```
    pub fn new(backend: gowheel::Backend) -> GowheelTarget {
        GowheelTarget {
            runtime: gowheel::Runtime::builder()
                .backend(backend)
                .metrics()
                .build(),
        }
    }
}

impl ReplayTarget for GowheelTarget {
    type Func = gowheel::AfterFunc;
    type Chan = gowheel::Timer;
    type Tick = gowheel::Ticker;

    fn name(&self) -> &'static str {
        match self.runtime.backend() {
            gowheel::Backend::Wheel => "wheel",
            gowheel::Backend::Heap => "heap",
            other => unreachable!("no trace replay target for {other}"),
        }
    }

    fn enter(&self) -> Option<EnterGuard<'_>> {
        None
    }

    fn func(&self, duration: Duration, function: Function) -> gowheel::AfterFunc {
        self.runtime.after_func(duration, move || function())
    }

    fn func_stop(&self, timer: &mut gowheel::AfterFunc) -> bool {
        timer.stop()
    }

    fn func_reset(&self, timer: &mut gowheel::AfterFunc, duration: Duration) -> bool {
        timer.reset(duration)
    }

    fn chan(&self, duration: Duration) -> gowheel::Timer {
        self.runtime.new_timer(duration)
    }

    fn chan_stop(&self, timer: &mut gowheel::Timer) -> bool {
        timer.stop()
    }

    fn chan_reset(&self, timer: &mut gowheel::Timer, duration: Duration) -> bool {
        timer.reset(duration)
    }

    fn chan_recv(&self, timer: &mut gowheel::Timer) -> bool {
        timer.receiver().try_recv().is_ok()
    }

    fn tick(&self, period: Duration) -> Option<gowheel::Ticker> {
        self.runtime.try_new_ticker(period).ok()
    }

    fn tick_stop(&self, ticker: &mut gowheel::Ticker) {
        ticker.stop();
    }

    fn tick_reset(&self, ticker: &mut gowheel::Ticker, period: Duration) -> bool {
        ticker.try_reset(period).is_ok()
    }

    fn tick_recv(&self, ticker: &mut gowheel::Ticker) -> bool {
        ticker.receiver().try_recv().is_ok()
    }

    fn metrics(&self) -> Option<gowheel::RuntimeMetrics> {
        self.runtime.metrics()
    }
}

/// tokio's timers on a multi-thread runtime (see the module doc).
pub struct TokioTarget {
    tokio: Tokio,
}

impl TokioTarget {
    /// A multi-thread tokio runtime with its time driver.
    ///
    /// ```
    /// use gowheel_benches::trace_replay::{ReplayTarget, TokioTarget};
    /// let target = TokioTarget::new();
    /// let _context = target.enter();
    /// let mut timer = target.chan(std::time::Duration::from_secs(1));
    /// assert!(!target.chan_recv(&mut timer));
    /// assert!(target.chan_stop(&mut timer));
    /// ```
    pub fn new() -> TokioTarget {
        TokioTarget {
            tokio: Tokio::new(),
        }
    }
}

impl Default for TokioTarget {
    fn default() -> TokioTarget {
        TokioTarget::new()
    }
}

/// A tokio function timer: stopped when `timer` is `None`; a reset of a
/// stopped one arms a new timer with the same function.
pub struct TokioFuncSlot {
    timer: Option<TokioFunc>,
    function: Function,
}

/// A tokio channel timer: a registered `Sleep`; its one value is there when
/// it has elapsed and nobody took it.
pub struct TokioChan {
    sleep: Pin<Box<Sleep>>,
    taken: bool,
    stopped: bool,
}

impl TokioChan {
    /// Whether stopping now would stop a pending timer or discard a value.
    fn pending(&self) -> bool {
        // Stopped: nothing to stop. Elapsed and taken: fired and received.
        let done = self.stopped || (self.sleep.is_elapsed() && self.taken);
        !done
    }
}

/// A tokio ticker: an `Interval` skipping missed ticks; `None` once
/// stopped.
pub struct TokioTick {
    interval: Option<Interval>,
}

/// Polls with a no-op waker: registers the timer with tokio's driver.
fn poll_once<T>(poll: impl FnOnce(&mut Context<'_>) -> Poll<T>) -> Poll<T> {
    let mut context = Context::from_waker(Waker::noop());
    poll(&mut context)
}

/// An interval whose first tick is `period` from now.
fn interval(period: Duration) -> Interval {
    let mut interval = tokio::time::interval_at(Instant::now() + period, period);
    interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
    interval
}

impl ReplayTarget for TokioTarget {
    type Func = TokioFuncSlot;
    type Chan = TokioChan;
    type Tick = TokioTick;

    fn name(&self) -> &'static str {
        "tokio"
    }

    fn enter(&self) -> Option<EnterGuard<'_>> {
        self.tokio.enter()
    }

    fn func(&self, duration: Duration, function: Function) -> TokioFuncSlot {
        let run = function.clone();
        TokioFuncSlot {
            timer: Some(self.tokio.start_func(duration, move || run())),
            function,
        }
    }

    fn func_stop(&self, timer: &mut TokioFuncSlot) -> bool {
        timer
            .timer
            .take()
            .is_some_and(|armed| self.tokio.stop_func(armed))
    }

    fn func_reset(&self, timer: &mut TokioFuncSlot, duration: Duration) -> bool {
        match &mut timer.timer {
            Some(armed) => self.tokio.reset_func(armed, duration),
            None => {
                let run = timer.function.clone();
                timer.timer = Some(self.tokio.start_func(duration, move || run()));
                false
            }
        }
    }

    fn chan(&self, duration: Duration) -> TokioChan {
        let mut sleep = Box::pin(tokio::time::sleep(duration));
        let _ = poll_once(|context| sleep.as_mut().poll(context));
        TokioChan {
            sleep,
            taken: false,
            stopped: false,
        }
    }

    fn chan_stop(&self, timer: &mut TokioChan) -> bool {
        let pending = timer.pending();
        timer.stopped = true;
        pending
    }

    fn chan_reset(&self, timer: &mut TokioChan, duration: Duration) -> bool {
        let pending = timer.pending();
        timer.sleep.as_mut().reset(Instant::now() + duration);
        let _ = poll_once(|context| timer.sleep.as_mut().poll(context));
        timer.taken = false;
        timer.stopped = false;
        pending
    }

    fn chan_recv(&self, timer: &mut TokioChan) -> bool {
        if timer.stopped || timer.taken || !timer.sleep.is_elapsed() {
            return false;
        }
        timer.taken = true;
        true
    }

    fn tick(&self, period: Duration) -> Option<TokioTick> {
        (!period.is_zero()).then(|| {
            let mut interval = interval(period);
            let _ = poll_once(|context| interval.poll_tick(context));
            TokioTick {
                interval: Some(interval),
            }
        })
    }

    fn tick_stop(&self, ticker: &mut TokioTick) {
        ticker.interval = None;
    }

    fn tick_reset(&self, ticker: &mut TokioTick, period: Duration) -> bool {
        if period.is_zero() {
            return false;
        }
        ticker.interval = Some(interval(period));
        true
    }

    fn tick_recv(&self, ticker: &mut TokioTick) -> bool {
        ticker
            .interval
            .as_mut()
            .is_some_and(|interval| poll_once(|context| interval.poll_tick(context)).is_ready())
    }

    fn metrics(&self) -> Option<gowheel::RuntimeMetrics> {
        None
    }
}
