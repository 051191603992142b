//! Go's `BenchmarkParallelTimerLatency`: each round, every thread arms one
//! `AfterFunc(1 ms)` at the same moment, and the runner keeps how late each
//! function ran. The samples are collected under a mutex at the end of a
//! run, not while timers fire.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use crate::backend::TimerBackend;
use crate::go_time::MILLISECOND;
use crate::pool::{Latch, Team};
use crate::runner::Runner;

/// The ParallelTimerLatency runner: every thread runs every round.
pub(super) fn parallel_timer_latency<B: TimerBackend>(
    backend: &Arc<B>,
    threads: usize,
    preamble: usize,
) -> Box<dyn Runner> {
    let round = Arc::new(Barrier::new(threads));
    let samples = Arc::new(Mutex::new(Vec::new()));
    let collected = samples.clone();
    let team = Team::new(
        backend,
        threads,
        preamble,
        |_: &Arc<B>, _| Vec::new(),
        move |backend: &Arc<B>, local: &mut Vec<u64>, rounds| {
            for _ in 0..rounds {
                round.wait();
                local.push(lateness_of_one(&**backend));
            }
            collected
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .append(local);
        },
    );
    Box::new(LatencyRunner { team, samples })
}

/// One ParallelTimerLatency timer: arms `AfterFunc(1 ms)` and returns how
/// late (ns) its function ran, measured from the deadline read just before
/// arming it, as Go does.
fn lateness_of_one<B: TimerBackend>(b: &B) -> u64 {
    struct Firing {
        late: AtomicU64,
        fired: Arc<Latch>,
    }
    let firing = Arc::new(Firing {
        late: AtomicU64::new(0),
        fired: Latch::new(1),
    });
    let expected = Instant::now() + MILLISECOND;
    let record = firing.clone();
    b.after_func(MILLISECOND, move || {
        let late = Instant::now().saturating_duration_since(expected);
        // Relaxed: the latch's count-down (AcqRel) publishes it to the
        // waiter's Acquire load in `Latch::wait`.
        record.late.store(late.as_nanos() as u64, Ordering::Relaxed);
        record.fired.count_down();
    });
    firing.fired.wait();
    // Relaxed: ordered after the store by the latch (see above).
    firing.late.load(Ordering::Relaxed)
}

/// ParallelTimerLatency: every thread runs every round.
struct LatencyRunner {
    team: Team,
    samples: Arc<Mutex<Vec<u64>>>,
}

impl Runner for LatencyRunner {
    fn run(&mut self, rounds: u64) -> Duration {
        let threads = self.team.threads() as u64;
        self.team.run(rounds.saturating_mul(threads));
        let samples = self
            .samples
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // The samples of this run are the last `rounds * threads`.
        let recent = samples.len().saturating_sub((rounds * threads) as usize);
        let sum: u64 = samples[recent..].iter().sum();
        Duration::from_nanos(sum / threads)
    }

    fn take_samples(&mut self) -> Vec<u64> {
        std::mem::take(
            &mut *self
                .samples
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}
