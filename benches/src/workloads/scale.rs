//! Scale: start+stop pairs with a population of idle timers armed, 1 h to
//! 2 h out, made on the calling thread. The same population, measured for
//! its resident memory, is the Memory workload (see the `probe` module),
//! which is why the runner reads resident memory around making it.
//!
//! The population and the pairs' deadlines come from a generator seeded
//! with the population's size, so runs are repeatable.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::backend::TimerBackend;
use crate::go_time::HOUR;
use crate::resident::resident_bytes;
use crate::runner::Runner;

use super::start_stop::start_stop;

/// Start+stop pairs per batch, as in StartStop1000.
const PAIRS_PER_BATCH: u64 = 1000;

/// A duration in `[1 h, 2 h)`: where Scale and Memory put their idle
/// timers.
///
/// ```
/// use std::time::Duration;
/// let mut rng = fastrand::Rng::with_seed(1);
/// let due = gowheel_benches::workloads::idle_duration(&mut rng);
/// assert!(Duration::from_secs(3600) <= due && due < Duration::from_secs(7200));
/// ```
#[inline]
pub fn idle_duration(rng: &mut fastrand::Rng) -> Duration {
    let hour = HOUR.as_nanos() as u64;
    Duration::from_nanos(rng.u64(hour..2 * hour))
}

/// Scale at `count` live timers.
pub(super) fn scale<B: TimerBackend>(backend: Arc<B>, count: usize) -> Box<dyn Runner> {
    Box::new(ScaleRunner::new(backend, count))
}

/// Scale's iterations: `pairs` start+stop pairs of timers 1 h to 2 h out,
/// in batches.
fn scale_pairs<B: TimerBackend>(b: &B, rng: &mut fastrand::Rng, pairs: u64) {
    let mut left = pairs;
    while left > 0 {
        let batch = left.min(PAIRS_PER_BATCH);
        start_stop(b, batch as usize, &mut |_| idle_duration(rng));
        left -= batch;
    }
}

/// `count` idle timers 1 h to 2 h out: Scale's and Memory's population.
fn fill_population<B: TimerBackend>(b: &B, count: usize, rng: &mut fastrand::Rng) -> Vec<B::Timer> {
    let mut timers = Vec::with_capacity(count);
    for _ in 0..count {
        timers.push(b.start(idle_duration(rng)));
    }
    timers
}

/// Scale: a population of idle timers made on the calling thread, and
/// start+stop pairs among them.
struct ScaleRunner<B: TimerBackend> {
    backend: Arc<B>,
    population: Vec<B::Timer>,
    rng: fastrand::Rng,
    bytes_per_timer: Option<f64>,
}

impl<B: TimerBackend> ScaleRunner<B> {
    fn new(backend: Arc<B>, count: usize) -> ScaleRunner<B> {
        let mut rng = fastrand::Rng::with_seed(count as u64);
        let (population, bytes_per_timer) = {
            let _context = backend.enter();
            let before = resident_bytes().ok();
            let population = fill_population(&*backend, count, &mut rng);
            let after = resident_bytes().ok();
            let growth = after
                .zip(before)
                .map(|(after, before)| after.saturating_sub(before) as f64 / count.max(1) as f64);
            (population, growth)
        };
        ScaleRunner {
            backend,
            population,
            rng,
            bytes_per_timer,
        }
    }
}

impl<B: TimerBackend> Runner for ScaleRunner<B> {
    fn run(&mut self, pairs: u64) -> Duration {
        let _context = self.backend.enter();
        let started = Instant::now();
        scale_pairs(&*self.backend, &mut self.rng, pairs);
        started.elapsed()
    }

    fn resident_bytes_per_timer(&self) -> Option<f64> {
        self.bytes_per_timer
    }
}

impl<B: TimerBackend> Drop for ScaleRunner<B> {
    fn drop(&mut self) {
        let _context = self.backend.enter();
        self.population.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_durations_are_between_one_and_two_hours() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..1000 {
            let idle = idle_duration(&mut rng);
            assert!(idle >= HOUR && idle < 2 * HOUR);
        }
    }

    #[test]
    fn populations_are_repeatable_from_their_seed() {
        let draw = |seed| {
            let mut rng = fastrand::Rng::with_seed(seed);
            (0..16).map(|_| idle_duration(&mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(draw(1000), draw(1000));
        assert_ne!(draw(1000), draw(10_000));
    }
}
