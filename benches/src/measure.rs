//! `evaluate`'s measurement: plain [`std::time::Instant`] timing with a
//! budget per row, in the manner of Go's `testing.B` (grow the iteration
//! count until a run is long enough, then time a run sized to the budget).

use std::time::{Duration, Instant};

use crate::runner::Runner;

/// Runs the workload for about `budget` and returns nanoseconds per
/// iteration: the median of three timed runs, after runs with a growing
/// iteration count that warm up and calibrate. Where one iteration takes
/// a third of the budget or more, the mean of two runs instead.
///
/// Each timed run has at least `min_iters` iterations, even past the
/// budget: Scale needs runs long enough to include the periodic sweeps of
/// stopped timers that its population size sets the period of.
pub fn time_per_iteration(runner: &mut dyn Runner, budget: Duration, min_iters: u64) -> f64 {
    let started = Instant::now();
    let calibration = budget / 4;
    let mut iters: u64 = 1;
    let mut took = runner.run(iters);
    // Grow until one run takes a tenth of the budget, or calibration is
    // spent.
    while took < budget / 10 && started.elapsed() < calibration {
        let per_iter = took.as_secs_f64() / iters as f64;
        let wanted = if per_iter > 0.0 {
            ((budget / 10).as_secs_f64() / per_iter) as u64
        } else {
            iters * 100
        };
        iters = wanted.clamp(iters + 1, iters.saturating_mul(100));
        took = runner.run(iters);
    }
    if took >= budget / 3 && iters >= min_iters {
        // Iterations as long as the budget (tokio's millisecond ticks):
        // the calibration run and one more.
        let again = runner.run(iters);
        return (took + again).as_nanos() as f64 / (2 * iters) as f64;
    }
    let per_iter = took.as_secs_f64() / iters as f64;
    let left = budget.saturating_sub(started.elapsed()).max(budget / 4);
    let per_run = if per_iter > 0.0 {
        ((left.as_secs_f64() / 3.0 / per_iter) as u64).max(1)
    } else {
        iters
    }
    .max(min_iters);
    let mut results: Vec<f64> = (0..3)
        .map(|_| runner.run(per_run).as_nanos() as f64 / per_run as f64)
        .collect();
    results.sort_by(f64::total_cmp);
    results[1]
}

/// Runs `rounds` rounds of a latency workload and returns every lateness
/// sample (ns), sorted.
pub fn lateness_samples(runner: &mut dyn Runner, rounds: u64) -> Vec<u64> {
    // A few rounds first, discarded: they start threads and warm caches.
    runner.run(rounds.div_ceil(10));
    runner.take_samples();
    runner.run(rounds);
    let mut samples = runner.take_samples();
    samples.sort_unstable();
    samples
}

/// The `q`-quantile (0..=1) of sorted samples, by the nearest-rank method;
/// `None` for no samples.
///
/// ```
/// use gowheel_benches::measure::quantile;
/// let samples: Vec<u64> = (1..=100).collect();
/// assert_eq!(quantile(&samples, 0.99), Some(99));
/// assert_eq!(quantile(&samples, 1.0), Some(100));
/// assert_eq!(quantile(&[], 0.5), None);
/// ```
pub fn quantile(sorted: &[u64], q: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}
