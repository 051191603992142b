//! Quick single-thread costs of the runtime layer on both backends, with one
//! benchmark body generic over `TimerSet`.
//!
//! * `StartStop1000/BACKEND/1`: Go's `BenchmarkStartStop1000` at the runtime
//!   layer: make 1,000 timers armed an hour out, stop them all, and let the
//!   set run one check (as Go's scheduler would between batches, which is
//!   what purges the stopped timers). Reported per batch of 1,000 pairs.
//! * `Reset/BACKEND/1`: Go's `BenchmarkReset`: re-arm one pending timer a
//!   little later each time.
//!
//! `cargo bench -p gowheel-benches --bench runtime_layer`

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gowheel::{HeapTimerSet, TimerSet, TimingWheel, callback};

const HOUR: i64 = 3_600_000_000_000;
const NOW: i64 = 1_000_000_000;

fn start_stop_1000<S: TimerSet>(set: &S) {
    let noop = callback(|_, _| {});
    let timers: Vec<_> = (0..1000)
        .map(|_| {
            let timer = set.new_timer(noop.clone());
            set.reset(&timer, NOW + HOUR, 0);
            timer
        })
        .collect();
    for timer in &timers {
        black_box(set.stop(timer));
    }
    drop(timers);
    black_box(set.check(NOW));
}

fn bench_start_stop(c: &mut Criterion) {
    let mut group = c.benchmark_group("StartStop1000");
    group.throughput(Throughput::Elements(1000));
    group.bench_function(BenchmarkId::new("wheel", 1), |b| {
        let set = TimingWheel::default();
        b.iter(|| start_stop_1000(&set));
    });
    group.bench_function(BenchmarkId::new("heap", 1), |b| {
        let set = HeapTimerSet::default();
        b.iter(|| start_stop_1000(&set));
    });
    group.finish();
}

fn reset_later<S: TimerSet>(b: &mut criterion::Bencher<'_>, set: &S) {
    let timer = set.new_timer(callback(|_, _| {}));
    let mut when = NOW + HOUR;
    set.reset(&timer, when, 0);
    b.iter(|| {
        when += 1;
        black_box(set.reset(&timer, when, 0))
    });
}

fn bench_reset(c: &mut Criterion) {
    let mut group = c.benchmark_group("Reset");
    group.bench_function(BenchmarkId::new("wheel", 1), |b| {
        reset_later(b, &TimingWheel::default())
    });
    group.bench_function(BenchmarkId::new("heap", 1), |b| {
        reset_later(b, &HeapTimerSet::default())
    });
    group.finish();
}

criterion_group!(benches, bench_start_stop, bench_reset);
criterion_main!(benches);
