//! Every workload on the wheel, the heap and tokio, with criterion; ids are
//! `WORKLOAD/BACKEND/THREADS`, so results land in
//! `target/criterion/WORKLOAD/BACKEND/THREADS/`. The workloads are the
//! library's (`gowheel_benches::workloads`), the same ones `evaluate` runs;
//! `benches/README.md` says what each measures.
//!
//! ```text
//! cargo bench -p gowheel-benches                     # everything
//! cargo bench -p gowheel-benches -- StartStop1000    # one workload, all backends
//! cargo bench -p gowheel-benches -- 'Reset/wheel'    # one backend of one workload
//! ```
//!
//! Timings are wall time per iteration (Go's ns/op), except:
//!
//! * `ParallelTimerLatency`: the "time" is the mean lateness of a round's
//!   timers (the runner returns summed lateness, not wall time);
//! * `ServerLoad`: time per `reset` of a random one of 10^6 armed
//!   `after_func` timers (delays 1 s to 5 s, firing on the real clock as
//!   the bench runs) to a new delay in the same range, back to back on one
//!   thread: the cost of the call under that population. `evaluate` runs
//!   the paced load itself, with firing lateness and call latency;
//! * `Memory*`, `TimerSetMemory*`: resident bytes per live timer, through a
//!   custom criterion measurement. Each sample is a fresh child process
//!   (see `gowheel_benches::probe`: growth of resident memory means nothing
//!   in a process that has freed memory before) that fills the population
//!   and reports its growth; a sample of `n` iterations reports `n` times
//!   that, so criterion's per-iteration figure is bytes per timer.
//!
//! `benches/README.md` says how long the suite takes.

use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use gowheel_benches::probe::Probe;
use gowheel_benches::{BackendKind, Runner, Sizes, Workload, pool, probe};

fn main() {
    probe::run_if_requested();
    // The pool first: this thread and the benchmark threads take the first
    // stripe and shard numbers.
    pool::init();

    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    for workload in Workload::all() {
        // AsyncTimeouts reports throughput, memory and lateness from one
        // run of its own: `evaluate` runs it.
        if !workload.is_memory() && workload != Workload::AsyncTimeouts {
            bench_timed(&mut criterion, workload);
        }
    }

    let mut memory = Criterion::default()
        .with_measurement(BytesPerTimer)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_millis(1))
        .without_plots()
        .configure_from_args();
    for workload in Workload::all() {
        if workload.is_memory() {
            bench_memory(&mut memory, workload);
        }
    }

    criterion.final_summary();
}

/// A timed workload: every thread count, every backend.
fn bench_timed(criterion: &mut Criterion, workload: Workload) {
    let mut group = criterion.benchmark_group(workload.name());
    // Iterations that take milliseconds: one sample of a few each.
    if matches!(
        workload,
        Workload::AdjustTimers { .. }
            | Workload::AdjustTimersSingleThread
            | Workload::AfterFunc1000
            | Workload::SimultaneousAfterFunc1000
            | Workload::ParallelTimerLatency
    ) {
        group.sampling_mode(SamplingMode::Flat);
    }
    if let Workload::Scale(_) = workload {
        // Long enough in all for several of the sweeps of stopped timers
        // (see `Workload::min_iters`), at a few hundred ns a pair.
        let sweeps = Duration::from_nanos(workload.min_iters() * 600);
        group.measurement_time(sweeps.max(Duration::from_secs(1)));
    }
    if matches!(
        workload,
        Workload::StartStop1000 | Workload::TimerSetStartStop1000
    ) {
        group.throughput(Throughput::Elements(1000));
    }
    for threads in workload.thread_counts() {
        for backend in BackendKind::ALL {
            // Made on first use, so that a filtered-out benchmark costs
            // nothing; dropped (threads, preamble and all) after it.
            let mut runner: Option<Box<dyn Runner>> = None;
            group.bench_function(BenchmarkId::new(backend.name(), threads), |bencher| {
                let runner =
                    runner.get_or_insert_with(|| workload.runner(backend, threads, Sizes::FULL));
                bencher.iter_custom(|iters| runner.run(iters));
            });
        }
    }
    group.finish();
}

/// A memory workload: every sample a child process.
fn bench_memory(criterion: &mut Criterion<BytesPerTimer>, workload: Workload) {
    let mut group = criterion.benchmark_group(workload.name());
    group.sampling_mode(SamplingMode::Flat);
    for backend in BackendKind::ALL {
        let probe = match workload {
            Workload::Memory(timers) => Probe::Population {
                backend,
                timers,
                scale_budget: Duration::ZERO,
            },
            Workload::TimerSetMemory(timers) => Probe::TimerSet { backend, timers },
            _ => unreachable!("not a memory workload"),
        };
        group.bench_function(BenchmarkId::new(backend.name(), 1), |bencher| {
            bencher.iter_custom(|iters| match probe.run_in_child() {
                Ok(report) => report.bytes_per_timer * iters as f64,
                Err(message) => panic!("{}/{backend}: {message}", workload.name()),
            });
        });
    }
    group.finish();
}

/// Resident bytes per live timer, as a criterion measurement (values come
/// from `iter_custom`; `start` and `end` are not used).
struct BytesPerTimer;

impl Measurement for BytesPerTimer {
    type Intermediate = ();
    type Value = f64;

    fn start(&self) {}

    fn end(&self, (): ()) -> f64 {
        0.0
    }

    fn add(&self, v1: &f64, v2: &f64) -> f64 {
        v1 + v2
    }

    fn zero(&self) -> f64 {
        0.0
    }

    fn to_f64(&self, value: &f64) -> f64 {
        *value
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        &BytesFormatter
    }
}

struct BytesFormatter;

impl ValueFormatter for BytesFormatter {
    fn scale_values(&self, _typical: f64, _values: &mut [f64]) -> &'static str {
        "B/timer"
    }

    fn scale_throughputs(
        &self,
        _typical: f64,
        _throughput: &Throughput,
        _values: &mut [f64],
    ) -> &'static str {
        "B/timer"
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "B/timer"
    }
}
