//! AsyncTimeouts: async tasks that wrap a short operation in a timeout
//! that almost never fires, gowheel's futures against `tokio::time`.
//!
//! # What runs
//!
//! One tokio multi-thread runtime with 1 or 2 worker threads. `tasks`
//! tasks each loop: `timeout(1 s, op)`, where `op` is one
//! `tokio::task::yield_now()` (a reschedule: the shortest operation that
//! really suspends). On `wheel` and `heap` the timeout is
//! `gowheel::Runtime::timeout` on a runtime of that backend (its own driver
//! thread); on `tokio` it is `tokio::time::timeout` (tokio's driver, run
//! by the workers). Each op arms a timer and drops it, since the timeout
//! never fires: the cost measured is the timer's creation, registration
//! and cancellation under an async scheduler.
//!
//! # What is reported
//!
//! * **ops/s**: completed `timeout(op)` calls per second of wall time, all
//!   tasks together, over `duration`.
//! * **bytes per pending timer**: heap bytes in use (glibc's `mallinfo2`:
//!   allocated chunks plus mmapped blocks, so freed memory reused by the
//!   allocator does not hide growth) per pending `timeout` future, with
//!   `memory_timers` of them created and polled once (so that each has
//!   registered its timer) on the calling thread. It includes the boxed
//!   future that holds the timer (and the 16-byte slot of the `Vec` that
//!   holds the box), identical in shape on both sides. Elsewhere than glibc
//!   it falls back to resident memory growth.
//! * **p99 lateness**: the timeouts here do not fire, so lateness comes
//!   from a probe: one more task on the same runtime, during the ops run,
//!   sleeps 1 ms at a time on the backend's timers (`sleep_until` of
//!   gowheel's runtime, or tokio's) and records how long after its deadline
//!   it resumed: timer lateness plus the scheduling delay of a busy
//!   executor. tokio's wheel counts whole milliseconds, which adds up to
//!   1 ms to its numbers.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use crate::backend::BackendKind;
use crate::measure::quantile;

use super::metric::Metric;

/// The timeout every op is wrapped in: never reached.
const OP_TIMEOUT: Duration = Duration::from_secs(1);
/// The probe's sleep.
const PROBE_SLEEP: Duration = Duration::from_millis(1);
/// The pending timeouts' deadline in the memory phase.
const MEMORY_TIMEOUT: Duration = Duration::from_secs(3600);

/// How big an AsyncTimeouts run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AsyncTimeoutsSize {
    /// Concurrent tasks, each with one timeout pending at a time.
    pub tasks: usize,
    /// How long the ops run lasts.
    pub duration: Duration,
    /// Pending timeouts in the memory phase.
    pub memory_timers: usize,
}

impl AsyncTimeoutsSize {
    /// The size of an ordinary `evaluate` run: about 1.2 s per backend and
    /// thread count.
    pub const SHORT: AsyncTimeoutsSize = AsyncTimeoutsSize {
        tasks: 1_000,
        duration: Duration::from_secs(1),
        memory_timers: 100_000,
    };

    /// A smoke test's: checks that it runs.
    pub const SMOKE: AsyncTimeoutsSize = AsyncTimeoutsSize {
        tasks: 20,
        duration: Duration::from_millis(50),
        memory_timers: 1_000,
    };
}

/// What one AsyncTimeouts run measured.
#[derive(Clone, Debug)]
pub struct AsyncTimeoutsReport {
    /// Completed ops.
    pub ops: u64,
    /// Ops that timed out (expected 0).
    pub timed_out: u64,
    /// Wall time of the ops run.
    pub elapsed: Duration,
    /// Heap bytes per pending timeout future.
    pub bytes_per_timer: f64,
    /// The probe's lateness samples, ns, sorted.
    pub lateness: Vec<u64>,
}

impl AsyncTimeoutsReport {
    /// The reported metrics, in [`Workload::metrics`](super::Workload::metrics)
    /// order.
    pub fn metrics(&self) -> Vec<(Metric, f64)> {
        vec![
            (
                Metric::OpsPerSecond,
                self.ops as f64 / self.elapsed.as_secs_f64().max(1e-9),
            ),
            (Metric::BytesPerTimer, self.bytes_per_timer),
            (
                Metric::P99Lateness,
                quantile(&self.lateness, 0.99).map_or(f64::NAN, |ns| ns as f64),
            ),
        ]
    }
}

/// Which timers the tasks use.
#[derive(Clone)]
enum Timers {
    Gowheel(gowheel::Runtime),
    Tokio,
}

impl Timers {
    fn of(backend: BackendKind) -> Timers {
        match backend {
            BackendKind::Wheel => Timers::Gowheel(
                gowheel::Runtime::builder()
                    .backend(gowheel::Backend::Wheel)
                    .build(),
            ),
            BackendKind::Heap => Timers::Gowheel(
                gowheel::Runtime::builder()
                    .backend(gowheel::Backend::Heap)
                    .build(),
            ),
            BackendKind::Tokio => Timers::Tokio,
        }
    }

    /// One op under a timeout: whether it completed in time.
    async fn op(&self) -> bool {
        match self {
            Timers::Gowheel(runtime) => runtime
                .timeout(OP_TIMEOUT, tokio::task::yield_now())
                .await
                .is_ok(),
            Timers::Tokio => tokio::time::timeout(OP_TIMEOUT, tokio::task::yield_now())
                .await
                .is_ok(),
        }
    }

    async fn sleep_until(&self, deadline: Instant) {
        match self {
            Timers::Gowheel(runtime) => runtime.sleep_until(deadline).await,
            Timers::Tokio => tokio::time::sleep_until(deadline.into()).await,
        }
    }

    /// A pending timeout future, boxed.
    fn pending_timeout(&self) -> Pin<Box<dyn Future<Output = bool> + Send>> {
        let never = std::future::pending::<()>();
        match self {
            Timers::Gowheel(runtime) => {
                let timeout = runtime.timeout(MEMORY_TIMEOUT, never);
                Box::pin(async move { timeout.await.is_ok() })
            }
            Timers::Tokio => {
                let timeout = tokio::time::timeout(MEMORY_TIMEOUT, never);
                Box::pin(async move { timeout.await.is_ok() })
            }
        }
    }
}

/// Heap bytes in use: glibc's `mallinfo2` (chunks in use plus mmapped
/// blocks), elsewhere resident memory.
fn heap_bytes() -> u64 {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallinfo2` has no preconditions; it reads the
        // allocator's statistics under the allocator's own locks.
        let info = unsafe { libc::mallinfo2() };
        (info.uordblks + info.hblkhd) as u64
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        crate::resident::resident_bytes().unwrap_or(0)
    }
}

/// Runs AsyncTimeouts on `backend` with `threads` tokio workers.
pub fn run_async_timeouts(
    backend: BackendKind,
    threads: usize,
    size: AsyncTimeoutsSize,
) -> AsyncTimeoutsReport {
    let timers = Timers::of(backend);
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_time()
        .build()
        .expect("a tokio runtime");

    // Memory first, on the calling thread, with nothing else running.
    let bytes_per_timer = tokio.block_on(async {
        let waker = Waker::noop();
        let mut context = Context::from_waker(waker);
        let mut pending = Vec::with_capacity(size.memory_timers);
        let before = heap_bytes();
        for _ in 0..size.memory_timers {
            let mut timeout = timers.pending_timeout();
            assert!(timeout.as_mut().poll(&mut context).is_pending());
            pending.push(timeout);
        }
        let after = heap_bytes();
        drop(pending);
        after.saturating_sub(before) as f64 / size.memory_timers.max(1) as f64
    });

    let stop = Arc::new(AtomicBool::new(false));
    let ops = Arc::new(AtomicU64::new(0));
    let timed_out = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..size.tasks)
        .map(|_| {
            let (timers, stop, ops, timed_out) =
                (timers.clone(), stop.clone(), ops.clone(), timed_out.clone());
            tokio.spawn(async move {
                let (mut done, mut late) = (0, 0);
                // Relaxed: a flag polled to end the loop; nothing is
                // published with it (the counts go through the atomics
                // below, read after the tasks are joined).
                while !stop.load(Ordering::Relaxed) {
                    if timers.op().await {
                        done += 1;
                    } else {
                        late += 1;
                    }
                }
                // Relaxed: read after `JoinHandle`s complete, which orders.
                ops.fetch_add(done, Ordering::Relaxed);
                timed_out.fetch_add(late, Ordering::Relaxed);
            })
        })
        .collect();
    let probe = {
        let (timers, stop) = (timers.clone(), stop.clone());
        tokio.spawn(async move {
            let mut lateness = Vec::new();
            // Relaxed: as the workers' loop.
            while !stop.load(Ordering::Relaxed) {
                let deadline = Instant::now() + PROBE_SLEEP;
                timers.sleep_until(deadline).await;
                lateness.push(
                    Instant::now()
                        .saturating_duration_since(deadline)
                        .as_nanos() as u64,
                );
            }
            lateness
        })
    };
    std::thread::sleep(size.duration);
    // Relaxed: see the loops; the joins below order everything after.
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed();
    let mut lateness = tokio.block_on(async {
        for worker in workers {
            worker.await.expect("a task panicked");
        }
        probe.await.expect("the probe panicked")
    });
    lateness.sort_unstable();
    AsyncTimeoutsReport {
        // Relaxed: the tasks that added to them were joined above.
        ops: ops.load(Ordering::Relaxed),
        timed_out: timed_out.load(Ordering::Relaxed),
        elapsed,
        bytes_per_timer,
        lateness,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_on_every_backend() {
        for backend in BackendKind::ALL {
            let report = run_async_timeouts(backend, 1, AsyncTimeoutsSize::SMOKE);
            assert!(report.ops > 0, "{backend}");
            assert_eq!(report.metrics().len(), 3);
        }
    }
}
