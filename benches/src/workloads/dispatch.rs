//! [`Workload::runner`]: which family builds which row, on which backend
//! type. The one `match` from the catalog to the families; the backend's
//! name becomes a type in [`with_backend`] and [`with_queue`].

use std::sync::Arc;

use crate::backend::{BackendKind, BackendVisitor, TimerBackend, with_backend, with_queue};
use crate::runner::Runner;

use super::sizes::Sizes;
use super::timer_set::{MakeQueueRunner, QueueOperation};
use super::workload::Workload;
use super::{adjust_timers, after_func, idle_timeouts, latency, scale, server_load, start_stop};

impl Workload {
    /// A runner of this workload on `backend` with `threads` threads.
    ///
    /// # Panics
    ///
    /// For the memory workloads, which are measured by a memory probe (the
    /// `probe` module) instead.
    pub fn runner(self, backend: BackendKind, threads: usize, sizes: Sizes) -> Box<dyn Runner> {
        assert!(
            !self.is_memory(),
            "{} is measured by a memory probe, not timed",
            self.name()
        );
        let preamble = if self.has_preamble() {
            sizes.preamble
        } else {
            0
        };
        let queue_operation = match self {
            Workload::TimerSetStartStop1000 => Some(QueueOperation::StartStop1000),
            Workload::TimerSetReset => Some(QueueOperation::Reset),
            _ => None,
        };
        match queue_operation {
            Some(operation) => with_queue(
                backend,
                MakeQueueRunner {
                    operation,
                    preamble,
                },
            ),
            None => with_backend(
                backend,
                MakeRunner {
                    workload: self,
                    threads,
                    preamble,
                    sizes,
                },
            ),
        }
    }
}

/// Builds the time-package runners on whichever backend it visits.
struct MakeRunner {
    workload: Workload,
    threads: usize,
    preamble: usize,
    sizes: Sizes,
}

impl BackendVisitor for MakeRunner {
    type Output = Box<dyn Runner>;

    fn visit<B: TimerBackend>(self, backend: B) -> Box<dyn Runner> {
        let backend = Arc::new(backend);
        let MakeRunner {
            workload,
            threads,
            preamble,
            sizes,
        } = self;
        match workload {
            Workload::AdjustTimers { reset, sleep } => {
                adjust_timers::parallel(&backend, threads, preamble, reset, sleep)
            }
            Workload::AdjustTimersSingleThread => adjust_timers::single_thread(backend, preamble),
            Workload::StartStop1000 => start_stop::start_stop_1000(&backend, threads, preamble),
            Workload::Stop => start_stop::stop(&backend, threads, preamble),
            Workload::Reset => start_stop::reset(&backend, threads, preamble),
            Workload::AfterFunc1000 => after_func::after_func_1000(&backend, threads, preamble),
            Workload::SimultaneousAfterFunc1000 => {
                after_func::simultaneous_after_func_1000(&backend, threads, preamble)
            }
            Workload::ParallelTimerLatency => {
                latency::parallel_timer_latency(&backend, threads, preamble)
            }
            Workload::IdleTimeouts => {
                idle_timeouts::idle_timeouts(&backend, threads, preamble, sizes.idle_timeouts)
            }
            Workload::ServerLoad => server_load::reset_runner(backend, sizes.server_load),
            Workload::Scale(count) => scale::scale(backend, count),
            Workload::AsyncTimeouts => unreachable!("AsyncTimeouts runs in evaluate only"),
            Workload::Memory(_)
            | Workload::TimerSetMemory(_)
            | Workload::TimerSetStartStop1000
            | Workload::TimerSetReset => unreachable!("not a time-package timed workload"),
        }
    }
}
