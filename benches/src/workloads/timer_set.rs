//! The runtime-layer rows, on a [`TimerQueue`] owned by the calling
//! thread: `TimerSetStartStop1000` (1,000 inserts, then 1,000 removes,
//! deadlines computed by the caller) and `TimerSetReset` (a pending timer
//! moved 1 ns later each time). The queue's preamble of idle timers is
//! made before timing, as Go's `benchmark()` helper makes its own.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::backend::{QueueVisitor, TimerQueue};
use crate::go_time::{HOUR, NANOSECOND};
use crate::runner::Runner;

/// Timers per TimerSetStartStop1000 iteration.
const TIMERS_PER_ITERATION: usize = 1000;

/// Which runtime-layer row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum QueueOperation {
    /// TimerSetStartStop1000.
    StartStop1000,
    /// TimerSetReset.
    Reset,
}

/// Builds a runtime-layer runner on whichever queue it visits.
pub(super) struct MakeQueueRunner {
    pub(super) operation: QueueOperation,
    /// Idle timers inserted before timing.
    pub(super) preamble: usize,
}

impl QueueVisitor for MakeQueueRunner {
    type Output = Box<dyn Runner>;

    fn visit<Q: TimerQueue>(self, mut queue: Q) -> Box<dyn Runner> {
        let handle = queue.runtime_handle();
        let (preamble, timer) = {
            let _context = handle.as_ref().map(|handle| handle.enter());
            let preamble: Vec<Q::Key> = (0..self.preamble).map(|_| queue.insert(HOUR)).collect();
            let timer = match self.operation {
                QueueOperation::Reset => Some(queue.insert(HOUR)),
                QueueOperation::StartStop1000 => None,
            };
            (preamble, timer)
        };
        Box::new(QueueRunner {
            queue,
            handle,
            preamble,
            timer,
            at: HOUR,
        })
    }
}

/// A runtime-layer workload on the calling thread.
struct QueueRunner<Q: TimerQueue> {
    queue: Q,
    handle: Option<tokio::runtime::Handle>,
    preamble: Vec<Q::Key>,
    /// TimerSetReset's timer; `None` for TimerSetStartStop1000.
    timer: Option<Q::Key>,
    /// TimerSetReset's deadline, 1 ns later each time.
    at: Duration,
}

impl<Q: TimerQueue> Runner for QueueRunner<Q> {
    fn run(&mut self, iters: u64) -> Duration {
        let _context = self.handle.as_ref().map(|handle| handle.enter());
        let queue = &mut self.queue;
        let started = Instant::now();
        match &self.timer {
            Some(timer) => {
                for _ in 0..iters {
                    self.at += NANOSECOND;
                    black_box(queue.reset(timer, self.at));
                }
            }
            None => {
                let mut keys = Vec::with_capacity(TIMERS_PER_ITERATION);
                for _ in 0..iters {
                    keys.extend((0..TIMERS_PER_ITERATION).map(|_| queue.insert(HOUR)));
                    for key in keys.drain(..) {
                        black_box(queue.remove(key));
                    }
                }
            }
        }
        started.elapsed()
    }
}

impl<Q: TimerQueue> Drop for QueueRunner<Q> {
    fn drop(&mut self) {
        let _context = self.handle.as_ref().map(|handle| handle.enter());
        for key in self.preamble.drain(..).chain(self.timer.take()) {
            self.queue.remove(key);
        }
    }
}
