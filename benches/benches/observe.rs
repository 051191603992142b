//! What recording and metrics cost on the timer hot path: the same calls on
//! a real-clock wheel runtime (and the heap) built plain, with
//! `RuntimeBuilder::metrics`, and with `RuntimeBuilder::record` to
//! `io::sink()` (the writer thread still formats every line).
//!
//! ```text
//! cargo bench -p gowheel-benches --bench observe
//! ```
//!
//! Ids are `Observe/CALL/BACKEND/MODE`, `MODE` one of `off`, `metrics`,
//! `record`, `both`; `CALL` is `reset` (a pending `after_func(1h)` timer
//! reset to 1 h from now, later each time) or `start_stop` (an
//! `after_func(1h)` made and stopped). With recording on, the queue is
//! drained (`flush_record`) every 65,536 calls outside the timed part, so
//! that a bench run does not pile up gigabytes of entries: the timed part
//! is the cost a recording thread pays, the writer's work runs on its own
//! thread (on a 2-core machine it competes for the CPU, which the numbers
//! include).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use gowheel::{Backend, Runtime};

/// Calls timed between two drains of the recording queue.
const CHUNK: u64 = 1 << 16;

/// A real-clock runtime of `backend` in `mode`.
fn runtime(backend: Backend, mode: &str) -> Runtime {
    let builder = Runtime::builder().backend(backend);
    let builder = match mode {
        "metrics" => builder.metrics(),
        "record" => builder.record(std::io::sink()),
        "both" => builder.metrics().record(std::io::sink()),
        _ => builder,
    };
    builder.build()
}

/// Times `iters` calls of `call` in chunks, draining the recording between.
fn timed(runtime: &Runtime, iters: u64, mut call: impl FnMut()) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let chunk = left.min(CHUNK);
        let started = Instant::now();
        for _ in 0..chunk {
            call();
        }
        total += started.elapsed();
        runtime.flush_record().expect("writing to a sink");
        left -= chunk;
    }
    total
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let hour = Duration::from_secs(3600);
    let mut group = criterion.benchmark_group("Observe");
    for backend in [Backend::Wheel, Backend::Heap] {
        for mode in ["off", "metrics", "record", "both"] {
            let runtime = runtime(backend, mode);
            let timer = runtime.after_func(hour, || {});
            group.bench_function(BenchmarkId::new(format!("reset/{backend}"), mode), |b| {
                b.iter_custom(|iters| {
                    timed(&runtime, iters, || {
                        black_box(timer.reset(hour));
                    })
                })
            });
            group.bench_function(
                BenchmarkId::new(format!("start_stop/{backend}"), mode),
                |b| {
                    b.iter_custom(|iters| {
                        timed(&runtime, iters, || {
                            let timer = runtime.after_func(hour, || {});
                            black_box(timer.stop());
                        })
                    })
                },
            );
            timer.stop();
        }
    }
    group.finish();
    criterion.final_summary();
}
