//! The time-package layer, [`TimerBackend`]: what Go programs call, on
//! gowheel's runtime ([`Gowheel`], wheel or heap) and on tokio ([`Tokio`]).
//! Every operation reads the backend's clock, as Go's do.
//!
//! Two kinds of handle: [`TimerBackend::Timer`], a timer whose function
//! does nothing (what Go's benchmarks arm), and
//! [`TimerBackend::FuncTimer`], one that runs a given function every time
//! it fires (what ServerLoad arms, to see when its timers fire). They are
//! separate so that the handle most workloads store stays as small as the
//! backend allows.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Wake, Waker};
use std::time::Duration;

use tokio::runtime::EnterGuard;

use super::kind::BackendKind;

/// Go's time package on one backend: what the Go-ported workloads call.
/// (Named for the timer operations it offers; [`gowheel::Backend`] is the
/// choice between the wheel and the heap, which [`Gowheel`] takes.)
///
/// Handles are owned by the thread that made them (as a Go program's
/// goroutine owns its `*Timer`), so `reset` takes `&mut`; `stop` ends the
/// handle's life, as a stopped Go timer becomes garbage. Threads that call
/// into a backend first hold [`enter`](TimerBackend::enter)'s guard.
pub trait TimerBackend: Send + Sync + 'static {
    /// A timer made by [`start`](TimerBackend::start).
    type Timer: Send + 'static;

    /// A timer made by [`start_func`](TimerBackend::start_func).
    type FuncTimer: Send + 'static;

    /// Which backend this is.
    fn kind(&self) -> BackendKind;

    /// Makes the calling thread able to use the backend (tokio's runtime
    /// context); held while the thread works. `None` where nothing is needed.
    fn enter(&self) -> Option<EnterGuard<'_>>;

    /// Go's `AfterFunc(duration, func() {})`: a pending timer whose function
    /// does nothing.
    fn start(&self, duration: Duration) -> Self::Timer;

    /// Go's `t.Stop()`, after which the handle is dropped: true if the timer
    /// was pending.
    fn stop(&self, timer: Self::Timer) -> bool;

    /// Go's `t.Reset(duration)`: true if the timer was pending.
    fn reset(&self, timer: &mut Self::Timer, duration: Duration) -> bool;

    /// Go's `AfterFunc(duration, function)` with the handle discarded:
    /// `function` runs once, on the backend's threads, after `duration`.
    fn after_func<F>(&self, duration: Duration, function: F)
    where
        F: Fn() + Send + Sync + 'static;

    /// Go's `AfterFunc(duration, function)` with the handle kept:
    /// `function` runs on the backend's threads once for every arming (this
    /// one and each [`reset_func`](TimerBackend::reset_func)) that is not
    /// stopped or reset while pending. On tokio it may also run on a thread
    /// calling `reset_func`, inside that call, and in rare races once more
    /// or once less (see [`TokioFunc`]): a caller must not hold, across
    /// these calls, a lock that `function` takes.
    fn start_func<F>(&self, duration: Duration, function: F) -> Self::FuncTimer
    where
        F: Fn() + Send + Sync + 'static;

    /// Go's `t.Reset(duration)` on a timer of
    /// [`start_func`](TimerBackend::start_func): true if it was pending
    /// (that arming is replaced); false if it had fired (its function has
    /// run or is about to).
    fn reset_func(&self, timer: &mut Self::FuncTimer, duration: Duration) -> bool;

    /// Go's `t.Stop()` on a timer of [`start_func`](TimerBackend::start_func),
    /// after which the handle is dropped: true if it was pending.
    fn stop_func(&self, timer: Self::FuncTimer) -> bool;

    /// Go's `Sleep(duration)`: blocks the calling thread on the backend's
    /// timers.
    fn sleep(&self, duration: Duration);
}

/// A [`gowheel::Runtime`] on the real clock, on the wheel or the heap.
pub struct Gowheel {
    runtime: gowheel::Runtime,
}

impl Gowheel {
    /// A runtime with its driver thread on `backend`, with the default
    /// number of stripes or shards (one per CPU, as Go has one heap per P).
    pub fn new(backend: gowheel::Backend) -> Gowheel {
        Gowheel {
            runtime: gowheel::Runtime::builder().backend(backend).build(),
        }
    }

    /// The runtime.
    pub fn runtime(&self) -> &gowheel::Runtime {
        &self.runtime
    }
}

impl TimerBackend for Gowheel {
    type Timer = gowheel::AfterFunc;
    type FuncTimer = gowheel::AfterFunc;

    fn kind(&self) -> BackendKind {
        match self.runtime.backend() {
            gowheel::Backend::Wheel => BackendKind::Wheel,
            gowheel::Backend::Heap => BackendKind::Heap,
            other => unreachable!("no bench backend for {other}"),
        }
    }

    fn enter(&self) -> Option<EnterGuard<'_>> {
        None
    }

    #[inline]
    fn start(&self, duration: Duration) -> gowheel::AfterFunc {
        self.runtime.after_func(duration, || {})
    }

    /// `AfterFunc::cancel`: the stop and the handle's drop in one step.
    #[inline]
    fn stop(&self, timer: gowheel::AfterFunc) -> bool {
        timer.cancel()
    }

    #[inline]
    fn reset(&self, timer: &mut gowheel::AfterFunc, duration: Duration) -> bool {
        timer.reset(duration)
    }

    fn after_func<F>(&self, duration: Duration, function: F)
    where
        F: Fn() + Send + Sync + 'static,
    {
        // Dropping the handle does not cancel the timer, as in Go.
        drop(self.runtime.after_func(duration, function));
    }

    #[inline]
    fn start_func<F>(&self, duration: Duration, function: F) -> gowheel::AfterFunc
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.runtime.after_func(duration, function)
    }

    #[inline]
    fn reset_func(&self, timer: &mut gowheel::AfterFunc, duration: Duration) -> bool {
        timer.reset(duration)
    }

    /// As `stop`.
    #[inline]
    fn stop_func(&self, timer: gowheel::AfterFunc) -> bool {
        timer.cancel()
    }

    fn sleep(&self, duration: Duration) {
        self.runtime.sleep(duration);
    }
}

/// A multi-thread tokio runtime with its time driver, one worker per CPU.
///
/// Timers are `tokio::time::Sleep`s, boxed and polled once with a no-op
/// waker so that they are registered with the driver, as an `.await` would;
/// `reset` is `Sleep::reset` (lazy when the deadline moves later); `stop`
/// drops the `Sleep`, which deregisters it. `after_func` spawns a task that
/// sleeps and then runs the function, tokio's way of writing Go's
/// `AfterFunc`. A timer that keeps its function ([`TokioFunc`], from
/// `start_func`) is a `Sleep` registered with a waker that runs the
/// function. tokio's wheel counts milliseconds: deadlines are rounded up to
/// the next millisecond.
pub struct Tokio {
    runtime: tokio::runtime::Runtime,
}

impl Tokio {
    /// A multi-thread runtime with the time driver enabled.
    ///
    /// # Panics
    ///
    /// If the runtime cannot be built (no threads).
    pub fn new() -> Tokio {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_time()
            .build()
            .expect("cannot build a tokio runtime");
        Tokio { runtime }
    }
}

impl Default for Tokio {
    fn default() -> Tokio {
        Tokio::new()
    }
}

/// Polls `sleep` once with a no-op waker, which registers it with the time
/// driver: what the first `.await` of a `Sleep` does.
fn register(sleep: Pin<&mut tokio::time::Sleep>) {
    register_with(sleep, Waker::noop());
}

/// Polls `sleep` once with `waker`, which registers it with the time driver
/// with that waker, to be woken when it fires.
fn register_with(sleep: Pin<&mut tokio::time::Sleep>, waker: &Waker) {
    let mut context = Context::from_waker(waker);
    let _ = sleep.poll(&mut context);
}

/// A tokio timer that runs a function when it fires: a `Sleep` registered
/// with a waker that calls the function (the time driver wakes it, outside
/// its lock, on the worker thread that processes the timers), as a task
/// awaiting the `Sleep` would be woken to run its timeout handler.
///
/// A reset is `Sleep::reset` followed by a poll with the same waker: the
/// time driver takes a timer's waker when it fires, so a fired timer must
/// be polled again to be woken again, as its owning task would poll it on
/// its next turn.
///
/// A task tolerates wakes that do not match firings (it polls and finds
/// the `Sleep` pending); a function run from the waker cannot, so three
/// races of a few instructions each can make this timer depart from Go's
/// contract by one firing: a fire between the `is_elapsed` check that
/// answers `reset` and the reset itself (answered "pending" though it
/// fired); and a poll racing the driver's taking of the waker, in which
/// tokio's `AtomicWaker` wakes the waker on the polling thread, inside the
/// call, possibly once more than there were firings, and possibly leaving
/// the new arming with no waker. The function may therefore run on the
/// thread calling `reset_func`.
pub struct TokioFunc {
    sleep: Pin<Box<tokio::time::Sleep>>,
    waker: Waker,
}

/// The waker of a [`TokioFunc`]: waking it runs the function.
struct RunOnWake<F>(F);

impl<F: Fn() + Send + Sync + 'static> Wake for RunOnWake<F> {
    fn wake(self: Arc<Self>) {
        (self.0)();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        (self.0)();
    }
}

impl TimerBackend for Tokio {
    type Timer = Pin<Box<tokio::time::Sleep>>;
    type FuncTimer = TokioFunc;

    fn kind(&self) -> BackendKind {
        BackendKind::Tokio
    }

    fn enter(&self) -> Option<EnterGuard<'_>> {
        Some(self.runtime.enter())
    }

    #[inline]
    fn start(&self, duration: Duration) -> Pin<Box<tokio::time::Sleep>> {
        let mut sleep = Box::pin(tokio::time::sleep(duration));
        register(sleep.as_mut());
        sleep
    }

    #[inline]
    fn stop(&self, timer: Pin<Box<tokio::time::Sleep>>) -> bool {
        let pending = !timer.is_elapsed();
        drop(timer); // deregisters
        pending
    }

    #[inline]
    fn reset(&self, timer: &mut Pin<Box<tokio::time::Sleep>>, duration: Duration) -> bool {
        let pending = !timer.is_elapsed();
        timer.as_mut().reset(tokio::time::Instant::now() + duration);
        pending
    }

    fn after_func<F>(&self, duration: Duration, function: F)
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.runtime.spawn(async move {
            tokio::time::sleep(duration).await;
            function();
        });
    }

    fn start_func<F>(&self, duration: Duration, function: F) -> TokioFunc
    where
        F: Fn() + Send + Sync + 'static,
    {
        let waker = Waker::from(Arc::new(RunOnWake(function)));
        let mut sleep = Box::pin(tokio::time::sleep(duration));
        register_with(sleep.as_mut(), &waker);
        TokioFunc { sleep, waker }
    }

    #[inline]
    fn reset_func(&self, timer: &mut TokioFunc, duration: Duration) -> bool {
        // A fire between this check and the reset is answered as pending:
        // tokio has no atomic answer (see `TokioFunc`).
        let pending = !timer.sleep.is_elapsed();
        timer
            .sleep
            .as_mut()
            .reset(tokio::time::Instant::now() + duration);
        register_with(timer.sleep.as_mut(), &timer.waker);
        pending
    }

    #[inline]
    fn stop_func(&self, timer: TokioFunc) -> bool {
        let pending = !timer.sleep.is_elapsed();
        drop(timer); // deregisters
        pending
    }

    fn sleep(&self, duration: Duration) {
        self.runtime.block_on(tokio::time::sleep(duration));
    }
}

/// Builds the time-package backend `kind` and hands it to `visit`, which is
/// generic over the backend: the one place that maps names to types.
pub fn with_backend<V: BackendVisitor>(kind: BackendKind, visit: V) -> V::Output {
    match kind {
        BackendKind::Wheel => visit.visit(Gowheel::new(gowheel::Backend::Wheel)),
        BackendKind::Heap => visit.visit(Gowheel::new(gowheel::Backend::Heap)),
        BackendKind::Tokio => visit.visit(Tokio::new()),
    }
}

/// A computation generic over the time-package backend (see
/// [`with_backend`]).
pub trait BackendVisitor {
    /// What the computation gives.
    type Output;
    /// Runs on `backend`.
    fn visit<B: TimerBackend>(self, backend: B) -> Self::Output;
}
