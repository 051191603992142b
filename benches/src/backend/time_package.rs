//! The time-package layer, [`TimerBackend`]: what Go programs call, on
//! gowheel's runtime ([`Gowheel`], wheel or heap) and on tokio ([`Tokio`]).
//! Every operation reads the backend's clock, as Go's do.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};
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

    fn kind(&self) -> BackendKind {
        match self.runtime.backend() {
            gowheel::Backend::Wheel => BackendKind::Wheel,
            gowheel::Backend::Heap => BackendKind::Heap,
        }
    }

    fn enter(&self) -> Option<EnterGuard<'_>> {
        None
    }

    #[inline]
    fn start(&self, duration: Duration) -> gowheel::AfterFunc {
        self.runtime.after_func(duration, || {})
    }

    #[inline]
    fn stop(&self, timer: gowheel::AfterFunc) -> bool {
        timer.stop()
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
/// `AfterFunc`. tokio's wheel counts milliseconds: deadlines are rounded up
/// to the next millisecond.
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
    let mut context = Context::from_waker(Waker::noop());
    let _ = sleep.poll(&mut context);
}

impl TimerBackend for Tokio {
    type Timer = Pin<Box<tokio::time::Sleep>>;

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
