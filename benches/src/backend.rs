//! The backends a workload runs on, behind two traits: one per layer.
//!
//! * [`TimerBackend`], the time-package layer (what Go programs call):
//!   `after_func`, `Timer.Stop`, `Timer.Reset`, `Sleep`. Implemented by
//!   [`Gowheel`] (a [`gowheel::Runtime`] on the real clock, with its driver
//!   thread, on either backend: the same code a user switches with one
//!   builder call) and by [`Tokio`] (a multi-thread tokio runtime:
//!   `tokio::time::Sleep`s registered, reset and dropped, and spawned tasks
//!   that sleep then run a function).
//! * [`TimerQueue`], the runtime layer (one owner, deadlines it computes
//!   itself, no clock read per operation): insert, reset, remove.
//!   Implemented by [`SetQueue`] over any [`TimerSet`] (the wheel or the
//!   heap) and by [`TokioQueue`], tokio-util's `DelayQueue`.
//!
//! Every workload body is written once against these traits, so each
//! backend runs exactly the same operations.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};
use std::time::Duration;

use gowheel::{Callback, HeapTimerSet, TimerSet, TimingWheel};
use tokio::runtime::{EnterGuard, Handle};

/// Which backend: gowheel's wheel, gowheel's heap (the port of Go's), or
/// tokio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BackendKind {
    /// gowheel's timing wheel ([`gowheel::Backend::Wheel`]).
    Wheel,
    /// gowheel's port of Go's timer heaps ([`gowheel::Backend::Heap`]).
    Heap,
    /// tokio's timers.
    Tokio,
}

impl BackendKind {
    /// Every backend, in report order.
    pub const ALL: [BackendKind; 3] = [BackendKind::Wheel, BackendKind::Heap, BackendKind::Tokio];

    /// The name used in benchmark ids and reports: `wheel`, `heap`, `tokio`.
    ///
    /// ```
    /// assert_eq!(gowheel_benches::BackendKind::Heap.name(), "heap");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Wheel => "wheel",
            BackendKind::Heap => "heap",
            BackendKind::Tokio => "tokio",
        }
    }

    /// The backend called `name`, if any.
    ///
    /// ```
    /// use gowheel_benches::BackendKind;
    /// assert_eq!(BackendKind::from_name("tokio"), Some(BackendKind::Tokio));
    /// assert_eq!(BackendKind::from_name("go"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<BackendKind> {
        BackendKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

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

/// The runtime layer as one owner uses it: deadlines given as offsets from
/// the queue's origin, computed by the caller (no clock read per
/// operation), handles owned by the caller.
pub trait TimerQueue: 'static {
    /// A timer's handle or key.
    type Key: 'static;

    /// Which backend this is.
    fn kind(&self) -> BackendKind;

    /// A tokio runtime handle to enter while using the queue, if it needs
    /// one.
    fn runtime_handle(&self) -> Option<Handle>;

    /// Adds a pending timer due `at` after the origin.
    fn insert(&mut self, at: Duration) -> Self::Key;

    /// Moves a timer to `at` after the origin: true if it was pending.
    fn reset(&mut self, key: &Self::Key, at: Duration) -> bool;

    /// Removes a timer: true if it was pending.
    fn remove(&mut self, key: Self::Key) -> bool;
}

/// A gowheel [`TimerSet`] as a [`TimerQueue`]: every timer shares one
/// no-op callback, so what is measured is the set.
pub struct SetQueue<S> {
    set: S,
    kind: BackendKind,
    noop: Callback,
}

impl SetQueue<TimingWheel> {
    /// The wheel with its default shape.
    pub fn wheel() -> SetQueue<TimingWheel> {
        SetQueue::new(TimingWheel::default(), BackendKind::Wheel)
    }
}

impl SetQueue<HeapTimerSet> {
    /// The heap with its default shards.
    pub fn heap() -> SetQueue<HeapTimerSet> {
        SetQueue::new(HeapTimerSet::default(), BackendKind::Heap)
    }
}

impl<S: TimerSet> SetQueue<S> {
    fn new(set: S, kind: BackendKind) -> SetQueue<S> {
        SetQueue {
            set,
            kind,
            noop: gowheel::callback(|_, _| {}),
        }
    }
}

/// A runtime-layer deadline: nanoseconds, offset by one so that it is
/// positive.
#[inline]
fn when(at: Duration) -> i64 {
    i64::try_from(at.as_nanos()).unwrap_or(gowheel::MAX_WHEN - 1) + 1
}

impl<S: TimerSet + 'static> TimerQueue for SetQueue<S> {
    type Key = S::Timer;

    fn kind(&self) -> BackendKind {
        self.kind
    }

    fn runtime_handle(&self) -> Option<Handle> {
        None
    }

    #[inline]
    fn insert(&mut self, at: Duration) -> S::Timer {
        // Go's newTimer: made and armed in one step.
        self.set.start_timer(self.noop.clone(), when(at), 0)
    }

    #[inline]
    fn reset(&mut self, key: &S::Timer, at: Duration) -> bool {
        self.set.reset(key, when(at), 0)
    }

    #[inline]
    fn remove(&mut self, key: S::Timer) -> bool {
        self.set.stop(&key)
    }
}

/// tokio-util's `DelayQueue` as a [`TimerQueue`]: `insert_at`, `reset_at`,
/// `try_remove`. It is single-owner like a [`SetQueue`] used from one
/// thread; its `Sleep` needs a (current-thread) runtime to exist in.
pub struct TokioQueue {
    queue: tokio_util::time::DelayQueue<()>,
    origin: tokio::time::Instant,
    runtime: tokio::runtime::Runtime,
}

impl TokioQueue {
    /// An empty queue on its own current-thread runtime.
    ///
    /// # Panics
    ///
    /// If the runtime cannot be built.
    pub fn new() -> TokioQueue {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("cannot build a tokio runtime");
        let (queue, origin) = {
            let _context = runtime.enter();
            (
                tokio_util::time::DelayQueue::new(),
                tokio::time::Instant::now(),
            )
        };
        TokioQueue {
            queue,
            origin,
            runtime,
        }
    }
}

impl Default for TokioQueue {
    fn default() -> TokioQueue {
        TokioQueue::new()
    }
}

impl TimerQueue for TokioQueue {
    type Key = tokio_util::time::delay_queue::Key;

    fn kind(&self) -> BackendKind {
        BackendKind::Tokio
    }

    fn runtime_handle(&self) -> Option<Handle> {
        Some(self.runtime.handle().clone())
    }

    #[inline]
    fn insert(&mut self, at: Duration) -> Self::Key {
        self.queue.insert_at((), self.origin + at)
    }

    #[inline]
    fn reset(&mut self, key: &Self::Key, at: Duration) -> bool {
        // A DelayQueue entry stays in the queue until it is polled out, so
        // every key still held is pending.
        self.queue.reset_at(key, self.origin + at);
        true
    }

    #[inline]
    fn remove(&mut self, key: Self::Key) -> bool {
        self.queue.try_remove(&key).is_some()
    }
}

/// Builds the runtime-layer queue `kind` and hands it to `visit`.
pub fn with_queue<V: QueueVisitor>(kind: BackendKind, visit: V) -> V::Output {
    match kind {
        BackendKind::Wheel => visit.visit(SetQueue::wheel()),
        BackendKind::Heap => visit.visit(SetQueue::heap()),
        BackendKind::Tokio => visit.visit(TokioQueue::new()),
    }
}

/// A computation generic over the runtime-layer queue (see [`with_queue`]).
pub trait QueueVisitor {
    /// What the computation gives.
    type Output;
    /// Runs on `queue`.
    fn visit<Q: TimerQueue>(self, queue: Q) -> Self::Output;
}
