//! Go's `BenchmarkAdjustTimers10000`: 10,000 idle timers started, the last
//! reset to 1 ns, a 1 µs sleep on the backend's clock, all stopped; with
//! the variants that leave out the reset or the sleep, and the same body
//! on the calling thread alone.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::backend::TimerBackend;
use crate::go_time::{HOUR, MICROSECOND, NANOSECOND};
use crate::runner::Runner;

use super::team::repeat;

/// Timers per AdjustTimers10000 iteration.
const TIMERS_PER_ITERATION: usize = 10_000;

/// The parallel variants: with or without the reset and the sleep.
pub(super) fn parallel<B: TimerBackend>(
    backend: &Arc<B>,
    threads: usize,
    preamble: usize,
    reset: bool,
    sleep: bool,
) -> Box<dyn Runner> {
    repeat(backend, threads, preamble, move |backend: &Arc<B>| {
        adjust_timers(&**backend, reset, sleep);
    })
}

/// `AdjustTimers10000` (reset and sleep) on the calling thread, with its
/// preamble made there.
pub(super) fn single_thread<B: TimerBackend>(backend: Arc<B>, preamble: usize) -> Box<dyn Runner> {
    Box::new(SingleRunner::new(backend, preamble, |backend: &Arc<B>| {
        adjust_timers(&**backend, true, true);
    }))
}

/// Go's `BenchmarkAdjustTimers10000` body.
fn adjust_timers<B: TimerBackend>(b: &B, reset: bool, sleep: bool) {
    let mut timers = Vec::with_capacity(TIMERS_PER_ITERATION);
    for _ in 0..TIMERS_PER_ITERATION {
        timers.push(b.start(HOUR));
    }
    if reset && let Some(last) = timers.last_mut() {
        black_box(b.reset(last, NANOSECOND));
    }
    if sleep {
        b.sleep(MICROSECOND);
    }
    for timer in timers {
        black_box(b.stop(timer));
    }
}

/// A workload on the calling thread alone, with its preamble made there.
struct SingleRunner<B: TimerBackend, Operation> {
    backend: Arc<B>,
    preamble: Vec<B::Timer>,
    operation: Operation,
}

impl<B: TimerBackend, Operation: Fn(&Arc<B>)> SingleRunner<B, Operation> {
    fn new(backend: Arc<B>, preamble: usize, operation: Operation) -> Self {
        let preamble = {
            let _context = backend.enter();
            (0..preamble).map(|_| backend.start(HOUR)).collect()
        };
        SingleRunner {
            backend,
            preamble,
            operation,
        }
    }
}

impl<B: TimerBackend, Operation: Fn(&Arc<B>)> Runner for SingleRunner<B, Operation> {
    fn run(&mut self, iters: u64) -> Duration {
        let _context = self.backend.enter();
        let started = Instant::now();
        for _ in 0..iters {
            (self.operation)(&self.backend);
        }
        started.elapsed()
    }
}

impl<B: TimerBackend, Operation> Drop for SingleRunner<B, Operation> {
    fn drop(&mut self) {
        let _context = self.backend.enter();
        for timer in self.preamble.drain(..) {
            self.backend.stop(timer);
        }
    }
}
