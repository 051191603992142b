//! A load run: many armed function timers on a real clock, reset at a
//! steady rate from several threads (the idle-timeout pattern: most resets
//! push a pending timer later, some find it fired), every arming held to
//! the exactly-once [`FuncLedger`], and the lateness of every firing
//! recorded.
//!
//! `src/bin/load.rs` runs it from the command line at full size (10^6
//! timers, 10^6 resets per second, 10 s); `tests/load.rs` runs it scaled
//! down in CI.
//!
//! # How it runs
//!
//! 1. **Setup.** `timers` [`AfterFunc`]s are armed, each a uniformly random
//!    delay in `[min_delay, max_delay]` away, by `threads` threads, each
//!    owning a contiguous range of them.
//! 2. **Load.** For `duration`, each thread picks random timers of its own
//!    range and resets them to a new random delay, paced so that the
//!    threads together make `rate` resets per second (or as many as they
//!    can). Every reset's answer goes through the timer's ledger, under the
//!    timer's lock (see [`ledger`](crate::ledger)).
//! 3. **Drain.** Every timer is stopped (its answer checked too), and the
//!    callbacks still owed must all run within `settle_limit`. Timers keep
//!    firing until their stop, so the firings during the drain are those
//!    of a driver beside a thread that stops timer after timer; the report
//!    gives their lateness apart too.
//!
//! Meanwhile a [`StallProbe`] records the machine's own pauses, which the
//! report prints beside the lateness.
//!
//! Each callback records how long after its arming's earliest possible
//! deadline (the reset call's start plus the delay) it ran: the lateness,
//! never understated (it includes the few nanoseconds between the start of
//! the reset call and its reading of the runtime's clock).
//!
//! ```
//! use gowheel::Backend;
//! use gowheel_compat_tests::load::{LoadConfig, run};
//! use std::time::Duration;
//!
//! let config = LoadConfig {
//!     timers: 1_000,
//!     duration: Duration::from_millis(100),
//!     rate: 10_000,
//!     threads: 1,
//!     min_delay: Duration::from_millis(1),
//!     max_delay: Duration::from_millis(20),
//!     ..LoadConfig::new(Backend::Heap)
//! };
//! let report = run(&config);
//! assert_eq!(report.violations, 0, "{report}");
//! assert!(report.counts.balanced());
//! ```

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::thread;
use std::time::{Duration, Instant};

use fastrand::Rng;
use gowheel::{AfterFunc, Backend, Runtime, WheelConfig};
use hdrhistogram::Histogram;

use crate::ledger::{FuncLedger, LedgerCounts, Violations};
use crate::panics::lock;
use crate::stall_probe::{MachineStalls, StallProbe};

/// How long the stall probe sleeps at a time.
const PROBE_PERIOD: Duration = Duration::from_millis(1);

/// What a load run does; [`LoadConfig::new`] gives the full-size run.
#[derive(Clone, Debug)]
pub struct LoadConfig {
    /// The backend.
    pub backend: Backend,
    /// Timers armed (and kept armed by the resets).
    pub timers: usize,
    /// How long the resets go on.
    pub duration: Duration,
    /// Resets per second, all threads together (a target: the report says
    /// what was reached); 0 for none (the timers just fire).
    pub rate: u64,
    /// Threads making resets, each owning a range of the timers.
    pub threads: usize,
    /// The shortest delay a timer is armed or reset to.
    pub min_delay: Duration,
    /// The longest delay a timer is armed or reset to.
    pub max_delay: Duration,
    /// Seeds the threads' random choices.
    pub seed: u64,
    /// How long after the drain starts every owed callback must have run.
    pub settle_limit: Duration,
    /// The wheel's shape (ignored by the heap), for comparing shapes.
    pub wheel: WheelConfig,
}

impl LoadConfig {
    /// The full-size run on `backend`: 10^6 timers, 10^6 resets per
    /// second for 10 s, delays from 1 s to 5 s (so that about one arming
    /// in ten fires before its next reset), one thread per CPU but one
    /// (left to the driver), at most 8.
    pub fn new(backend: Backend) -> LoadConfig {
        let cpus = thread::available_parallelism().map_or(2, usize::from);
        LoadConfig {
            backend,
            timers: 1_000_000,
            duration: Duration::from_secs(10),
            rate: 1_000_000,
            threads: cpus.saturating_sub(1).clamp(1, 8),
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(5),
            seed: 0x10AD,
            settle_limit: Duration::from_secs(10),
            wheel: WheelConfig::default(),
        }
    }
}

/// A histogram of durations: an HDR histogram of nanoseconds with three
/// significant digits (0.1% resolution at any magnitude, up to an hour),
/// and the exact maximum.
///
/// ```
/// use gowheel_compat_tests::load::LatencyHistogram;
/// use std::time::Duration;
///
/// let mut histogram = LatencyHistogram::new();
/// for micros in 1..=100 {
///     histogram.record(Duration::from_micros(micros));
/// }
/// let p50 = histogram.percentile(0.5);
/// assert!(p50 >= Duration::from_micros(50) && p50 <= Duration::from_micros(51));
/// assert_eq!(histogram.max(), Duration::from_micros(100));
/// assert_eq!(histogram.count(), 100);
/// ```
#[derive(Clone, Debug)]
pub struct LatencyHistogram {
    nanos: Histogram<u64>,
    max: u64,
}

/// The largest duration recorded as itself; longer ones are recorded as
/// this (their exact value still reaches [`LatencyHistogram::max`]).
const HISTOGRAM_CEILING_NANOS: u64 = 3_600_000_000_000;

impl Default for LatencyHistogram {
    fn default() -> LatencyHistogram {
        LatencyHistogram::new()
    }
}

impl LatencyHistogram {
    /// An empty histogram.
    pub fn new() -> LatencyHistogram {
        LatencyHistogram {
            nanos: Histogram::new_with_bounds(1, HISTOGRAM_CEILING_NANOS, 3)
                .expect("constant bounds are valid"),
            max: 0,
        }
    }

    /// Records one duration.
    pub fn record(&mut self, duration: Duration) {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.nanos
            .saturating_record(nanos.clamp(1, HISTOGRAM_CEILING_NANOS));
        self.max = self.max.max(nanos);
    }

    /// Adds another histogram's counts to this one.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        self.nanos
            .add(&other.nanos)
            .expect("histograms of the same bounds merge");
        self.max = self.max.max(other.max);
    }

    /// How many durations were recorded.
    pub fn count(&self) -> u64 {
        self.nanos.len()
    }

    /// The largest duration recorded (zero if none).
    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.max)
    }

    /// The `quantile` (0 to 1) of the durations recorded, to the
    /// histogram's resolution and never above the maximum; zero if none.
    pub fn percentile(&self, quantile: f64) -> Duration {
        if self.nanos.is_empty() {
            return Duration::ZERO;
        }
        let value = self.nanos.value_at_quantile(quantile.clamp(0.0, 1.0));
        Duration::from_nanos(value.min(self.max))
    }
}

/// What a load run did and found.
#[derive(Clone, Debug)]
pub struct LoadReport {
    /// The backend.
    pub backend: Backend,
    /// Timers armed.
    pub timers: usize,
    /// Threads that made resets.
    pub threads: usize,
    /// How long arming the timers took.
    pub setup: Duration,
    /// How long the resets went on.
    pub elapsed: Duration,
    /// Resets made.
    pub resets: u64,
    /// The resets per second asked for.
    pub target_rate: u64,
    /// Every arming's fate, after the drain: `armed` counts the setup's
    /// armings and every reset's.
    pub counts: LedgerCounts,
    /// Lateness of every callback that ran (during the load and the
    /// drain).
    pub lateness: LatencyHistogram,
    /// Of those, the callbacks that ran during the drain, after the resets
    /// had ended (to the nanoseconds between a callback's reading of the
    /// phase and its recording).
    pub drain_lateness: LatencyHistogram,
    /// The machine's own pauses during the load and the drain: how much
    /// each 1 ms sleep of a thread that does nothing else overran, and the
    /// CPU time the host took (see [`StallProbe`]).
    pub machine: MachineStalls,
    /// Violations of the exactly-once ledger.
    pub violations: usize,
    /// The first violations' messages.
    pub violation_messages: Vec<String>,
}

impl LoadReport {
    /// Resets per second reached.
    pub fn resets_per_second(&self) -> f64 {
        self.resets as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} timers armed in {:.2?} ({} reset threads)",
            self.backend, self.timers, self.setup, self.threads
        )?;
        writeln!(
            f,
            "  resets: {} in {:.2?} = {:.0}/s (target {}/s)",
            self.resets,
            self.elapsed,
            self.resets_per_second(),
            self.target_rate
        )?;
        writeln!(f, "  armings: {}", self.counts)?;
        writeln!(
            f,
            "  lateness of {} firings: p50 {:.1?}, p99 {:.1?}, max {:.1?}",
            self.lateness.count(),
            self.lateness.percentile(0.50),
            self.lateness.percentile(0.99),
            self.lateness.max()
        )?;
        writeln!(
            f,
            "    of which during the drain (every timer stopped): {} firings, p99 {:.1?}, max {:.1?}",
            self.drain_lateness.count(),
            self.drain_lateness.percentile(0.99),
            self.drain_lateness.max()
        )?;
        write!(
            f,
            "  machine: a thread sleeping {:?} at a time overslept p99 {:.1?}, max {:.1?}",
            PROBE_PERIOD,
            self.machine.oversleep.percentile(0.99),
            self.machine.oversleep.max()
        )?;
        match self.machine.steal {
            Some(steal) => writeln!(f, "; the host took {steal:.0?} of CPU time (steal)")?,
            None => writeln!(f)?,
        }
        write!(f, "  violations: {}", self.violations)?;
        for message in &self.violation_messages {
            write!(f, "\n    {message}")?;
        }
        Ok(())
    }
}

/// One timer: its ledger (the lock every operation on it is made under)
/// and its handle, set once when it is first armed.
struct Entry {
    ledger: Mutex<FuncLedger>,
    handle: OnceLock<AfterFunc>,
}

/// What the callbacks share with the run.
struct LoadState {
    entries: Vec<Entry>,
    violations: Violations,
    /// Written by the callbacks (on the driver thread, so uncontended).
    lateness: Mutex<LatencyHistogram>,
    /// The callbacks that ran during the drain (also in `lateness`).
    drain_lateness: Mutex<LatencyHistogram>,
    /// Set once the resets have ended and the drain begins.
    draining: AtomicBool,
}

impl LoadState {
    /// `timers` timers, none armed yet, before the drain.
    fn new(timers: usize) -> LoadState {
        LoadState {
            entries: (0..timers)
                .map(|_| Entry {
                    ledger: Mutex::new(FuncLedger::new()),
                    handle: OnceLock::new(),
                })
                .collect(),
            violations: Violations::new(),
            lateness: Mutex::new(LatencyHistogram::new()),
            drain_lateness: Mutex::new(LatencyHistogram::new()),
            draining: AtomicBool::new(false),
        }
    }

    /// Timer `index`'s callback ran.
    fn fired(&self, index: usize) {
        let now = Instant::now();
        let result = lock(&self.entries[index].ledger).fired(now);
        match result {
            Ok(arming) => {
                let lateness = arming.overdue(now);
                lock(&self.lateness).record(lateness);
                // Relaxed: only sorts the firing into a phase, and a firing
                // that sees the flag late is counted before the drain.
                if self.draining.load(Ordering::Relaxed) {
                    lock(&self.drain_lateness).record(lateness);
                }
            }
            Err(message) => self.violations.report(format!("timer {index}: {message}")),
        }
    }

    /// Records a `stop` or `reset` answer for timer `index`.
    fn resolve(&self, index: usize, ledger: &mut FuncLedger, pending: bool) {
        if let Err(message) = ledger.resolve(pending) {
            self.violations.report(format!("timer {index}: {message}"));
        }
    }
}

/// A random delay in `[min, max]`.
fn delay(rng: &mut Rng, min: Duration, max: Duration) -> Duration {
    let min = u64::try_from(min.as_nanos()).unwrap_or(u64::MAX);
    let max = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX).max(min);
    Duration::from_nanos(rng.u64(min..=max))
}

/// The range of timers thread `thread` of `threads` owns.
fn range_of(thread: usize, threads: usize, timers: usize) -> std::ops::Range<usize> {
    thread * timers / threads..(thread + 1) * timers / threads
}

/// Runs the load described by `config` on a fresh real-clock runtime and
/// reports what happened. Violations are reported, not panicked on.
///
/// # Panics
///
/// If `config.timers` or `config.threads` is zero.
pub fn run(config: &LoadConfig) -> LoadReport {
    assert!(config.timers > 0, "a load run needs timers");
    assert!(config.threads > 0, "a load run needs threads");
    let threads = config.threads.min(config.timers);
    let runtime = Runtime::builder()
        .backend(config.backend)
        .wheel_config(config.wheel)
        .build();
    let state = Arc::new(LoadState::new(config.timers));

    // 1. Setup: arm every timer, under its lock, so that its callback
    //    cannot run before the arming is recorded.
    let setup_started = Instant::now();
    thread::scope(|scope| {
        for thread in 0..threads {
            let (runtime, state) = (&runtime, &state);
            scope.spawn(move || {
                let mut rng = Rng::with_seed(config.seed ^ ((thread as u64) << 32));
                for index in range_of(thread, threads, config.timers) {
                    let entry = &state.entries[index];
                    let mut ledger = lock(&entry.ledger);
                    let weak: Weak<LoadState> = Arc::downgrade(state);
                    let duration = delay(&mut rng, config.min_delay, config.max_delay);
                    let started = Instant::now();
                    let handle = runtime.after_func(duration, move || {
                        if let Some(state) = weak.upgrade() {
                            state.fired(index);
                        }
                    });
                    ledger.arm(started, duration);
                    let _ = entry.handle.set(handle);
                }
            });
        }
    });
    let setup = setup_started.elapsed();

    // 2. Load: paced resets.
    let probe = StallProbe::start(PROBE_PERIOD);
    let load_started = Instant::now();
    let load_ends = load_started + config.duration;
    let per_thread_rate = config.rate as f64 / threads as f64;
    let resets: u64 = thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|thread| {
                let state = &state;
                scope.spawn(move || {
                    const BATCH: u64 = 256;
                    let mut rng = Rng::with_seed(config.seed ^ 0xBEEF ^ ((thread as u64) << 32));
                    let range = range_of(thread, threads, config.timers);
                    let mut done = 0u64;
                    if config.rate == 0 {
                        // No resets: the timers just fire.
                        thread::sleep(config.duration);
                        return done;
                    }
                    loop {
                        for _ in 0..BATCH {
                            let index = range.start + rng.usize(..range.len());
                            let duration = delay(&mut rng, config.min_delay, config.max_delay);
                            let entry = &state.entries[index];
                            let handle = entry.handle.get().expect("armed in setup");
                            let mut ledger = lock(&entry.ledger);
                            let started = Instant::now();
                            let pending = handle.reset(duration);
                            state.resolve(index, &mut ledger, pending);
                            ledger.arm(started, duration);
                        }
                        done += BATCH;
                        let now = Instant::now();
                        if now >= load_ends {
                            return done;
                        }
                        let due = per_thread_rate * (now - load_started).as_secs_f64();
                        if done as f64 > due {
                            let ahead = (done as f64 - due) / per_thread_rate;
                            thread::sleep(
                                Duration::from_secs_f64(ahead)
                                    .min(load_ends.saturating_duration_since(now)),
                            );
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a reset thread panicked"))
            .sum()
    });
    let elapsed = load_started.elapsed();

    // 3. Drain: stop everything, then every owed callback must run.
    // Relaxed: see `LoadState::fired`.
    state.draining.store(true, Ordering::Relaxed);
    thread::scope(|scope| {
        for thread in 0..threads {
            let state = &state;
            scope.spawn(move || {
                for index in range_of(thread, threads, config.timers) {
                    let entry = &state.entries[index];
                    let handle = entry.handle.get().expect("armed in setup");
                    let mut ledger = lock(&entry.ledger);
                    let pending = handle.stop();
                    state.resolve(index, &mut ledger, pending);
                }
            });
        }
    });
    let drain_started = Instant::now();
    let mut unsettled: Vec<usize> = (0..config.timers).collect();
    loop {
        unsettled.retain(|&index| !lock(&state.entries[index].ledger).is_settled());
        if unsettled.is_empty() || drain_started.elapsed() >= config.settle_limit {
            break;
        }
        thread::sleep(Duration::from_millis(5));
    }
    let machine = probe.finish();
    let now = Instant::now();
    for &index in &unsettled {
        for arming in lock(&state.entries[index].ledger).outstanding() {
            state.violations.report(format!(
                "timer {index}: {arming} never ran: {:?} past its deadline, {:?} after a stop \
                 answered that it had fired",
                arming.overdue(now),
                now - drain_started
            ));
        }
    }

    drop(runtime);
    let mut counts = LedgerCounts::default();
    for entry in &state.entries {
        counts += lock(&entry.ledger).counts();
    }
    if !counts.balanced() && state.violations.is_empty() {
        state
            .violations
            .report(format!("the armings do not balance: {counts}"));
    }
    let lateness = lock(&state.lateness).clone();
    let drain_lateness = lock(&state.drain_lateness).clone();
    LoadReport {
        backend: config.backend,
        timers: config.timers,
        threads,
        setup,
        elapsed,
        resets,
        target_rate: config.rate,
        counts,
        lateness,
        drain_lateness,
        machine,
        violations: state.violations.count(),
        violation_messages: state.violations.messages(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A firing counts in the drain's lateness too once the drain has
    /// begun, and only in the whole run's before.
    #[test]
    fn firings_after_the_drain_begins_count_apart_too() {
        let state = LoadState::new(2);
        let armed = Instant::now();
        for entry in &state.entries {
            lock(&entry.ledger).arm(armed, Duration::ZERO);
        }
        state.fired(0);
        assert_eq!(lock(&state.lateness).count(), 1);
        assert_eq!(lock(&state.drain_lateness).count(), 0);
        state.draining.store(true, Ordering::Relaxed);
        state.fired(1);
        assert_eq!(lock(&state.lateness).count(), 2);
        assert_eq!(lock(&state.drain_lateness).count(), 1);
        assert!(state.violations.is_empty());
    }

    #[test]
    fn histogram_percentiles_are_close_and_never_above_the_maximum() {
        let mut histogram = LatencyHistogram::new();
        for nanos in (1..10_000u64).chain([1 << 20, (1 << 40) + 12_345]) {
            histogram.record(Duration::from_nanos(nanos));
        }
        histogram.record(Duration::MAX);
        assert_eq!(histogram.count(), 10_002);
        assert_eq!(histogram.max(), Duration::from_nanos(u64::MAX));
        let p50 = histogram.percentile(0.5).as_nanos() as f64;
        assert!((p50 - 5_000.0).abs() <= 5.0 + 5_000.0 * 0.001, "{p50}");
        let mut small = LatencyHistogram::new();
        small.record(Duration::from_nanos(777));
        assert_eq!(small.percentile(1.0), Duration::from_nanos(777));
        small.merge(&histogram);
        assert_eq!(small.count(), 10_003);
        assert_eq!(LatencyHistogram::new().percentile(0.99), Duration::ZERO);
    }
}
