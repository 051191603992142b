//! The runtime layer, [`TimerQueue`]: one owner, deadlines it computes
//! itself, no clock read per operation; on gowheel's timer sets
//! ([`SetQueue`]) and on tokio-util's `DelayQueue` ([`TokioQueue`]).

use std::time::Duration;

use gowheel::{Callback, HeapTimerSet, TimerSet, TimingWheel};
use tokio::runtime::Handle;

use super::kind::BackendKind;

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
