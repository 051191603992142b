//! The single-timer operations of Go's benchmarks: `StartStop1000` (1,000
//! `AfterFunc(Hour)`, then 1,000 `Stop`), `Stop` (`AfterFunc(Second)` then
//! `Stop`) and `Reset` (`Reset(Hour)` of the thread's pending timer, later
//! each time).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use crate::backend::TimerBackend;
use crate::go_time::{HOUR, SECOND};
use crate::runner::Runner;

use super::team::{repeat, team};

/// Go's `BenchmarkStartStop1000`.
pub(super) fn start_stop_1000<B: TimerBackend>(
    backend: &Arc<B>,
    threads: usize,
    preamble: usize,
) -> Box<dyn Runner> {
    repeat(backend, threads, preamble, |backend: &Arc<B>| {
        start_stop(&**backend, 1000, &mut |_| HOUR);
    })
}

/// Go's `BenchmarkStop` (`impl=func`).
pub(super) fn stop<B: TimerBackend>(
    backend: &Arc<B>,
    threads: usize,
    preamble: usize,
) -> Box<dyn Runner> {
    repeat(backend, threads, preamble, |backend: &Arc<B>| {
        black_box(backend.stop(backend.start(SECOND)));
    })
}

/// Go's `BenchmarkReset` (`impl=func`): each thread resets its own pending
/// timer.
pub(super) fn reset<B: TimerBackend>(
    backend: &Arc<B>,
    threads: usize,
    preamble: usize,
) -> Box<dyn Runner> {
    team(
        backend,
        threads,
        preamble,
        |backend: &Arc<B>, _| backend.start(HOUR),
        |backend: &Arc<B>, timer: &mut B::Timer, iterations| {
            for _ in 0..iterations {
                black_box(backend.reset(timer, HOUR));
            }
        },
    )
}

/// Starts `count` timers due after `duration(i)`, then stops them all.
#[inline]
pub(super) fn start_stop<B: TimerBackend>(
    b: &B,
    count: usize,
    duration: &mut impl FnMut(usize) -> Duration,
) {
    let mut timers = Vec::with_capacity(count);
    for i in 0..count {
        timers.push(b.start(duration(i)));
    }
    for timer in timers {
        black_box(b.stop(timer));
    }
}
