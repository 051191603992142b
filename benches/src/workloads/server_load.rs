//! ServerLoad: a server's idle timeouts under load, on the real clock of
//! each backend's runtime. Where the other workloads time operations on
//! timers that never fire, this one asks what a server holding many
//! timers sees: how late they fire while they are being reset, and how
//! long the calls take meanwhile.
//!
//! # How a run goes ([`run_server_load`])
//!
//! All on the calling thread, with generators of fixed seeds:
//!
//! 1. **Arm** [`ServerLoadSize::timers`] timers with
//!    [`start_func`](TimerBackend::start_func), each a uniformly random
//!    delay in `[min_delay, max_delay]` away. Each timer's function records
//!    how late it ran.
//! 2. **Load**, for the size's duration: reset random timers to new random
//!    delays in the same range, paced at the size's rate (batches of
//!    `BATCH` resets, then a sleep if ahead of the schedule; a backend
//!    that cannot keep up makes as many as it can, and the reached rate is
//!    reported). Every reset call is timed. Every so many resets (the rate
//!    over the size's `after_funcs_per_second`) a fresh timer is armed with
//!    [`start`](TimerBackend::start), a no-op `after_func` in the same
//!    delay range; that call is timed, and the timer stopped at once,
//!    untimed.
//! 3. **Drain**: stop every timer, then wait (at most `SETTLE_LIMIT`)
//!    for the functions still owed to run, so that firings held up at the
//!    end of the load are counted too.
//!
//! # Lateness
//!
//! A firing's lateness is the time its function started minus its
//! arming's earliest possible deadline: the instant read just before the
//! `start_func` or `reset_func` call, plus the delay. It is never
//! understated (it includes the few nanoseconds between that instant and
//! the backend's own clock read inside the call). Which arming a firing
//! belongs to follows Go's contract: each arming's function runs once
//! unless a `reset` or `stop` answers that it was still pending. Each timer
//! keeps the deadlines of its armings still owed a firing ([`Owed`]),
//! oldest first, under its own lock, updated right after each call: a call
//! answering "pending" withdraws the newest, a firing takes the oldest.
//! The lock is not held across the call, because a backend may run a
//! function on the calling thread, inside the call (tokio can, see
//! [`TokioFunc`](crate::backend::TokioFunc)). That leaves the order safe:
//! a function of an earlier arming takes the oldest deadline whether it
//! runs before or after the update, and the new arming's own function is
//! due at least `min_delay` (a millisecond or more; a second at the short
//! and full sizes) after the call began, so it cannot run before the
//! update unless the resetting thread is held up that long in between. A
//! firing with nothing owed, and an arming still owed when the drain gives
//! up, are counted as unmatched rather than guessed at (the gowheel
//! backends keep Go's contract exactly; tokio's answers can be off by one
//! firing in races a few instructions wide, see `TokioFunc`).
//!
//! # Distributions
//!
//! Lateness and call times go into HDR histograms (three significant
//! digits, up to a minute; longer values are recorded as a minute):
//! [`ServerLoadReport::metrics`] gives the records, one per
//! [`Workload::ServerLoad`](super::Workload::ServerLoad) metric.
//!
//! The criterion bench is simpler (`reset_runner`): the same armed
//! population (no-op functions), and one iteration is one unpaced reset of
//! a random timer to a random delay: the cost of the reset under that
//! population, not its latency under a paced load.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::backend::{BackendKind, BackendVisitor, TimerBackend, with_backend};
use crate::runner::Runner;

use super::metric::Metric;
use super::sizes::ServerLoadSize;

/// Resets between two looks at the clock to pace the load.
const BATCH: u64 = 64;

/// How long the drain waits for the functions still owed to run: those of
/// timers that fired just before they were stopped, due within
/// milliseconds unless a pause holds them up.
const SETTLE_LIMIT: Duration = Duration::from_secs(5);

/// The largest value a histogram holds; larger ones are recorded as it.
const HISTOGRAM_MAX: Duration = Duration::from_secs(60);

/// The seed of the generator that picks timers and delays.
const SEED: u64 = 0x5E12_7E12;

/// An empty histogram of nanoseconds up to [`HISTOGRAM_MAX`], three
/// significant digits.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HISTOGRAM_MAX.as_nanos() as u64, 3)
        .expect("1 ns to a minute at 3 significant figures is a valid histogram")
}

/// Records `duration` in nanoseconds, saturating at the histogram's top.
fn record(histogram: &mut Histogram<u64>, duration: Duration) {
    histogram.saturating_record(u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX));
}

/// The `quantile` (0..=1) of `histogram` in nanoseconds: the top of its
/// bucket, or the maximum if that is lower; NaN for no values.
fn quantile(histogram: &Histogram<u64>, q: f64) -> f64 {
    if histogram.is_empty() {
        return f64::NAN;
    }
    histogram.value_at_quantile(q).min(histogram.max()) as f64
}

/// How many deadlines a timer's [`Owed`] holds. Go's contract leaves at
/// most one pending arming per timer, plus those fired whose function has
/// not run yet: one, rarely two.
const OWED_CAPACITY: usize = 4;

/// The deadlines (ns since the run's origin) of one timer's armings still
/// owed a firing, oldest first.
///
/// ```text
/// arm(d)            a start or reset made an arming due at d
/// withdraw_newest() a reset or stop answered "pending": the newest arming
///                   will not fire
/// fired()           the function ran: for the oldest arming owed
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Owed {
    deadlines: [u64; OWED_CAPACITY],
    len: u8,
}

impl Owed {
    /// Records an arming due at `deadline`; false (and nothing recorded) if
    /// [`OWED_CAPACITY`] armings are owed already.
    fn arm(&mut self, deadline: u64) -> bool {
        let len = usize::from(self.len);
        if len == OWED_CAPACITY {
            return false;
        }
        self.deadlines[len] = deadline;
        self.len += 1;
        true
    }

    /// The newest arming was withdrawn (its timer answered "pending").
    fn withdraw_newest(&mut self) {
        self.len = self.len.saturating_sub(1);
    }

    /// The function ran: the oldest arming owed, which it ran for, if any.
    fn fired(&mut self) -> Option<u64> {
        if self.len == 0 {
            return None;
        }
        let oldest = self.deadlines[0];
        self.deadlines.copy_within(1.., 0);
        self.len -= 1;
        Some(oldest)
    }

    /// How many armings are owed a firing.
    fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether no arming is owed a firing.
    fn is_settled(&self) -> bool {
        self.len == 0
    }
}

/// What the timers' functions share with the run.
struct Ledger {
    /// The instant deadlines are counted from.
    origin: Instant,
    /// One per timer.
    owed: Vec<Mutex<Owed>>,
    /// Lateness of every firing, ns.
    lateness: Mutex<Histogram<u64>>,
    /// Firings with no arming owed, and armings that could not be
    /// recorded or never fired.
    unmatched: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Ledger {
    /// Nanoseconds from the origin to `instant`.
    fn since_origin(&self, instant: Instant) -> u64 {
        u64::try_from(instant.duration_since(self.origin).as_nanos()).unwrap_or(u64::MAX)
    }

    /// Timer `index`'s function ran.
    fn fired(&self, index: usize) {
        let now = self.since_origin(Instant::now());
        let deadline = lock(&self.owed[index]).fired();
        match deadline {
            Some(deadline) => record(
                &mut lock(&self.lateness),
                Duration::from_nanos(now.saturating_sub(deadline)),
            ),
            None => self.miss(1),
        }
    }

    fn miss(&self, count: u64) {
        // Relaxed: a count, read once at the end of the run; nothing is
        // published through it.
        self.unmatched.fetch_add(count, Ordering::Relaxed);
    }

    /// Records an arming of timer `owed` made at `started` with `delay`.
    fn arm(&self, owed: &mut Owed, started: Instant, delay: Duration) {
        let deadline = self
            .since_origin(started)
            .saturating_add(u64::try_from(delay.as_nanos()).unwrap_or(u64::MAX));
        if !owed.arm(deadline) {
            self.miss(1);
        }
    }
}

/// A delay uniform in `[min, max]`.
///
/// ```
/// use std::time::Duration;
/// use gowheel_benches::workloads::server_load_delay;
/// let mut rng = fastrand::Rng::with_seed(3);
/// let (min, max) = (Duration::from_secs(1), Duration::from_secs(5));
/// let delay = server_load_delay(&mut rng, min, max);
/// assert!(min <= delay && delay <= max);
/// ```
pub fn server_load_delay(rng: &mut fastrand::Rng, min: Duration, max: Duration) -> Duration {
    let min = u64::try_from(min.as_nanos()).unwrap_or(u64::MAX);
    let max = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX).max(min);
    Duration::from_nanos(rng.u64(min..=max))
}

/// The load's schedule: `rate` operations a second from its start.
#[derive(Clone, Copy, Debug)]
struct Pace {
    rate: u64,
}

impl Pace {
    /// How far ahead of the schedule `done` operations are, `elapsed`
    /// after the start; `None` if not ahead.
    fn ahead(self, done: u64, elapsed: Duration) -> Option<Duration> {
        if self.rate == 0 {
            return None;
        }
        let due = self.rate as f64 * elapsed.as_secs_f64();
        let ahead = (done as f64 - due) / self.rate as f64;
        (ahead > 0.0).then(|| Duration::from_secs_f64(ahead))
    }
}

/// Every how many resets a fresh `after_func` is armed, so that
/// `after_funcs_per_second` are at `resets_per_second`; `None` for none.
fn after_func_period(resets_per_second: u64, after_funcs_per_second: u64) -> Option<u64> {
    (after_funcs_per_second > 0).then(|| (resets_per_second / after_funcs_per_second).max(1))
}

/// What a ServerLoad run measured.
#[derive(Clone, Debug)]
pub struct ServerLoadReport {
    /// The load it ran.
    pub size: ServerLoadSize,
    /// How long arming the timers took.
    pub setup: Duration,
    /// How long the resets went on.
    pub elapsed: Duration,
    /// Resets made.
    pub resets: u64,
    /// Lateness of every firing (ns), during the load and the drain.
    pub lateness: Histogram<u64>,
    /// How long each `reset` call took (ns).
    pub reset_calls: Histogram<u64>,
    /// How long each fresh `after_func` call took (ns).
    pub after_func_calls: Histogram<u64>,
    /// Firings that matched no arming, armings never seen to fire: zero
    /// unless a backend broke Go's contract or the drain timed out (see
    /// the module doc).
    pub unmatched: u64,
}

impl ServerLoadReport {
    /// Resets per second reached.
    pub fn resets_per_second(&self) -> f64 {
        self.resets as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    /// The value of each of ServerLoad's metrics
    /// ([`Workload::metrics`](super::Workload::metrics)), in its unit; NaN
    /// for a distribution with no values.
    pub fn metrics(&self) -> Vec<(Metric, f64)> {
        let max = |histogram: &Histogram<u64>| {
            if histogram.is_empty() {
                f64::NAN
            } else {
                histogram.max() as f64
            }
        };
        vec![
            (Metric::P99Lateness, quantile(&self.lateness, 0.99)),
            (Metric::P50Lateness, quantile(&self.lateness, 0.50)),
            (Metric::MaxLateness, max(&self.lateness)),
            (Metric::ResetCallP999, quantile(&self.reset_calls, 0.999)),
            (
                Metric::AfterFuncCallP999,
                quantile(&self.after_func_calls, 0.999),
            ),
            (Metric::ResetsPerSecond, self.resets_per_second()),
        ]
    }
}

/// Runs ServerLoad at `size` on a fresh runtime of backend `kind`, on the
/// calling thread (see the module doc).
///
/// ```
/// use std::time::Duration;
/// use gowheel_benches::{BackendKind, Metric};
/// use gowheel_benches::workloads::{ServerLoadSize, run_server_load};
///
/// let size = ServerLoadSize {
///     timers: 100,
///     resets_per_second: 2_000,
///     duration: Duration::from_millis(50),
///     min_delay: Duration::from_millis(1),
///     max_delay: Duration::from_millis(5),
///     after_funcs_per_second: 200,
/// };
/// let report = run_server_load(BackendKind::Heap, size);
/// assert!(report.resets > 0 && report.lateness.len() > 0);
/// assert_eq!(report.metrics()[0].0, Metric::P99Lateness);
/// ```
///
/// # Panics
///
/// If `size.timers` is zero, or `size.min_delay` is under a millisecond
/// (the ledger relies on a new arming's function running later than the
/// update that records it, see the module doc).
pub fn run_server_load(kind: BackendKind, size: ServerLoadSize) -> ServerLoadReport {
    assert!(size.timers > 0, "a ServerLoad run needs timers");
    assert!(
        size.min_delay >= Duration::from_millis(1),
        "ServerLoad's delays must be at least a millisecond"
    );
    with_backend(kind, RunServerLoad { size })
}

struct RunServerLoad {
    size: ServerLoadSize,
}

impl BackendVisitor for RunServerLoad {
    type Output = ServerLoadReport;

    fn visit<B: TimerBackend>(self, backend: B) -> ServerLoadReport {
        let report = {
            let _context = backend.enter();
            load(&backend, self.size)
        };
        // The runtime goes (its threads joined) before `report` is read by
        // anyone.
        drop(backend);
        report
    }
}

/// The run itself, in the backend's context.
fn load<B: TimerBackend>(backend: &B, size: ServerLoadSize) -> ServerLoadReport {
    let ledger = Arc::new(Ledger {
        origin: Instant::now(),
        owed: (0..size.timers)
            .map(|_| Mutex::new(Owed::default()))
            .collect(),
        lateness: Mutex::new(histogram()),
        unmatched: AtomicU64::new(0),
    });
    let mut rng = fastrand::Rng::with_seed(SEED);
    let draw_delay =
        |rng: &mut fastrand::Rng| server_load_delay(rng, size.min_delay, size.max_delay);

    // 1. Arm.
    let setup_started = Instant::now();
    let mut timers: Vec<B::FuncTimer> = Vec::with_capacity(size.timers);
    for index in 0..size.timers {
        let delay = draw_delay(&mut rng);
        let function = {
            let ledger = ledger.clone();
            move || ledger.fired(index)
        };
        let started = Instant::now();
        timers.push(backend.start_func(delay, function));
        ledger.arm(&mut lock(&ledger.owed[index]), started, delay);
    }
    let setup = setup_started.elapsed();

    // 2. Load.
    let mut reset_calls = histogram();
    let mut after_func_calls = histogram();
    let pace = Pace {
        rate: size.resets_per_second,
    };
    let arm_every = after_func_period(size.resets_per_second, size.after_funcs_per_second);
    let load_started = Instant::now();
    let mut resets = 0u64;
    loop {
        for _ in 0..BATCH {
            let index = rng.usize(..timers.len());
            let delay = draw_delay(&mut rng);
            let started = Instant::now();
            let pending = backend.reset_func(&mut timers[index], delay);
            record(&mut reset_calls, started.elapsed());
            let mut owed = lock(&ledger.owed[index]);
            if pending {
                owed.withdraw_newest();
            }
            ledger.arm(&mut owed, started, delay);
            drop(owed);
            resets += 1;
            if arm_every.is_some_and(|period| resets.is_multiple_of(period)) {
                let delay = draw_delay(&mut rng);
                let started = Instant::now();
                let fresh = backend.start(delay);
                record(&mut after_func_calls, started.elapsed());
                black_box(backend.stop(fresh));
            }
        }
        let elapsed = load_started.elapsed();
        if elapsed >= size.duration {
            break;
        }
        if let Some(ahead) = pace.ahead(resets, elapsed) {
            std::thread::sleep(ahead.min(size.duration - elapsed));
        }
    }
    let elapsed = load_started.elapsed();

    // 3. Drain.
    for (index, timer) in timers.into_iter().enumerate() {
        if backend.stop_func(timer) {
            lock(&ledger.owed[index]).withdraw_newest();
        }
    }
    let drain_started = Instant::now();
    let mut unsettled: Vec<usize> = (0..size.timers).collect();
    loop {
        unsettled.retain(|&index| !lock(&ledger.owed[index]).is_settled());
        if unsettled.is_empty() || drain_started.elapsed() >= SETTLE_LIMIT {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let never_fired: usize = unsettled
        .iter()
        .map(|&index| lock(&ledger.owed[index]).len())
        .sum();
    ledger.miss(never_fired as u64);

    let lateness = lock(&ledger.lateness).clone();
    ServerLoadReport {
        size,
        setup,
        elapsed,
        resets,
        lateness,
        reset_calls,
        after_func_calls,
        // Relaxed: a count, read once the drain is over (a stray firing
        // after this, with no arming owed, would go uncounted).
        unmatched: ledger.unmatched.load(Ordering::Relaxed),
    }
}

/// ServerLoad for criterion: `size.timers` no-op timers armed 1 to 5 s out
/// (the size's delays) on the calling thread; an iteration is one reset of
/// a random one to a random delay in the same range, back to back.
pub(super) fn reset_runner<B: TimerBackend>(
    backend: Arc<B>,
    size: ServerLoadSize,
) -> Box<dyn Runner> {
    let mut rng = fastrand::Rng::with_seed(SEED);
    let timers = {
        let _context = backend.enter();
        (0..size.timers)
            .map(|_| backend.start(server_load_delay(&mut rng, size.min_delay, size.max_delay)))
            .collect()
    };
    Box::new(ResetRunner {
        backend,
        timers,
        rng,
        size,
    })
}

struct ResetRunner<B: TimerBackend> {
    backend: Arc<B>,
    timers: Vec<B::Timer>,
    rng: fastrand::Rng,
    size: ServerLoadSize,
}

impl<B: TimerBackend> Runner for ResetRunner<B> {
    fn run(&mut self, resets: u64) -> Duration {
        let _context = self.backend.enter();
        let (min, max) = (self.size.min_delay, self.size.max_delay);
        let started = Instant::now();
        for _ in 0..resets {
            let index = self.rng.usize(..self.timers.len());
            let delay = server_load_delay(&mut self.rng, min, max);
            black_box(self.backend.reset(&mut self.timers[index], delay));
        }
        started.elapsed()
    }
}

impl<B: TimerBackend> Drop for ResetRunner<B> {
    fn drop(&mut self) {
        let _context = self.backend.enter();
        for timer in self.timers.drain(..) {
            self.backend.stop(timer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::{Sizes, Workload};

    #[test]
    fn owed_armings_fire_oldest_first() {
        let mut owed = Owed::default();
        assert_eq!(owed.fired(), None);
        assert!(owed.arm(10));
        assert!(owed.arm(20));
        assert_eq!(owed.len(), 2);
        assert_eq!(owed.fired(), Some(10));
        assert_eq!(owed.fired(), Some(20));
        assert_eq!(owed.fired(), None);
    }

    #[test]
    fn a_pending_answer_withdraws_the_newest_arming() {
        let mut owed = Owed::default();
        owed.arm(10); // fired, function not run yet
        owed.arm(20); // pending
        owed.withdraw_newest(); // a reset answered "pending"
        owed.arm(30);
        assert_eq!(owed.fired(), Some(10));
        assert_eq!(owed.fired(), Some(30));
        owed.withdraw_newest(); // nothing owed: stays empty
        assert_eq!(owed.len(), 0);
    }

    #[test]
    fn owed_armings_are_bounded() {
        let mut owed = Owed::default();
        for deadline in 0..OWED_CAPACITY as u64 {
            assert!(owed.arm(deadline));
        }
        assert!(!owed.arm(99));
        assert_eq!(owed.fired(), Some(0));
        assert!(owed.arm(99));
    }

    #[test]
    fn pace_sleeps_only_when_ahead() {
        let pace = Pace { rate: 1_000 };
        assert_eq!(pace.ahead(500, Duration::from_secs(1)), None);
        assert_eq!(pace.ahead(1_000, Duration::from_secs(1)), None);
        let ahead = pace.ahead(1_500, Duration::from_secs(1)).expect("ahead");
        assert!((ahead.as_secs_f64() - 0.5).abs() < 1e-9);
        assert_eq!(Pace { rate: 0 }.ahead(10, Duration::ZERO), None);
    }

    #[test]
    fn after_funcs_come_every_so_many_resets() {
        assert_eq!(after_func_period(1_000_000, 10_000), Some(100));
        assert_eq!(after_func_period(1_000, 10_000), Some(1));
        assert_eq!(after_func_period(1_000, 0), None);
    }

    #[test]
    fn delays_stay_in_range() {
        let mut rng = fastrand::Rng::with_seed(1);
        let (min, max) = (Duration::from_millis(10), Duration::from_millis(50));
        for _ in 0..1000 {
            let delay = server_load_delay(&mut rng, min, max);
            assert!(min <= delay && delay <= max);
        }
        let fixed = server_load_delay(&mut rng, max, min);
        assert_eq!(fixed, max);
    }

    #[test]
    fn the_reset_runner_resets_on_every_backend() {
        for kind in BackendKind::ALL {
            let mut runner = Workload::ServerLoad.runner(kind, 1, Sizes::SMOKE);
            black_box(runner.run(100));
        }
    }

    #[test]
    fn quantiles_of_no_values_are_nan() {
        let mut values = histogram();
        assert!(quantile(&values, 0.5).is_nan());
        for micros in 1..=1000 {
            record(&mut values, Duration::from_micros(micros));
        }
        record(&mut values, Duration::from_secs(3600));
        // Recorded as the top (within the histogram's resolution).
        let top = HISTOGRAM_MAX.as_nanos() as f64;
        assert!(quantile(&values, 1.0) <= top * 1.001);
        let p50 = quantile(&values, 0.5);
        assert!((499_000.0..=502_000.0).contains(&p50), "{p50}");
    }
}
