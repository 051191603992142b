//! The timed replay: a [`Schedule`] re-issued against a [`ReplayTarget`]
//! on the real clock, one thread per recorded thread, each operation at
//! its time ([`replay`]).
//!
//! # What is measured
//!
//! * **Call cost**: every operation's call, timed around the call alone
//!   (not the wait for its time, not the lookup of its handle), per
//!   operation name, in HDR histograms (3 significant digits).
//! * **Firing lateness**: when a function timer's function started minus
//!   the deadline of its arming (the replay's clock read just before the
//!   `func` or `reset` call, plus the duration: never understated). Channel
//!   timers and tickers are not in it (a firing of theirs is seen only when
//!   received); on gowheel the runtime's own metrics, which see every
//!   firing, are reported beside it.
//! * **Schedule lag**: how late each operation was issued against its
//!   time. A replay whose lag is large did not keep the recording's pace,
//!   and says so.
//! * **Timers live over time**: timers armed and not yet fired, stopped or
//!   received, as the answers tell the replay, sampled about 200 times.
//! * **Memory**: the growth of resident memory during the replay, at its
//!   peak.
//!
//! # Threads and handles
//!
//! A timer made on one thread may be used on another, as in the recording;
//! handles live in a table indexed by trace ID, each under its own lock.
//! If an operation's timer has not been made yet (its maker runs behind),
//! the operation waits for it up to [`HANDLE_WAIT`], then is skipped and
//! counted.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use gowheel_compat_tests::replay::TraceOp;
use hdrhistogram::Histogram;

use super::schedule::{Schedule, Scheduled};
use super::target::{Function, ReplayTarget};

/// How long an operation waits for its timer to be made by another thread.
pub const HANDLE_WAIT: Duration = Duration::from_millis(10);

/// The longest duration replayed: longer ones (up to Go's `i64::MAX`
/// nanoseconds, "never") are cut to it, which tokio's wheel can hold.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

/// How long the replay waits after its last operation for what falls due.
const GRACE: Duration = Duration::from_millis(50);

/// What one backend did with a schedule.
#[derive(Debug)]
pub struct ReplayResult {
    /// The backend's name.
    pub backend: &'static str,
    /// Replay threads.
    pub threads: usize,
    /// Call cost per operation name, nanoseconds.
    pub calls: BTreeMap<&'static str, Histogram<u64>>,
    /// Firing lateness of function timers, nanoseconds.
    pub lateness: Histogram<u64>,
    /// How late operations were issued against their time, nanoseconds.
    pub lag: Histogram<u64>,
    /// Operations skipped because their timer was not made in time.
    pub skipped: u64,
    /// `(seconds since the start, timers live)`.
    pub live: Vec<(f64, f64)>,
    /// Peak growth of resident memory, bytes, if it could be read.
    pub memory: Option<u64>,
    /// The runtime's own metrics at the end, where it keeps them.
    pub metrics: Option<gowheel::RuntimeMetrics>,
    /// Wall time of the replay.
    pub elapsed: Duration,
}

/// A histogram of nanoseconds, 1 ns to an hour, 3 significant digits.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000_000, 3).expect("valid histogram bounds")
}

/// A trace duration as a `Duration`: `D <= 0` is zero, long ones are cut.
fn duration_of(nanos: i64) -> Duration {
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(0)).min(MAX_DURATION)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A timer made by the replay.
enum Handle<T: ReplayTarget> {
    Func(T::Func),
    Chan(T::Chan),
    Tick(T::Tick),
}

/// What the replay threads and the functions share.
struct Shared<T: ReplayTarget> {
    start: Instant,
    handles: Vec<Mutex<Option<Handle<T>>>>,
    /// Each ID's latest deadline, nanoseconds since `start`.
    deadlines: Vec<AtomicI64>,
    lateness: Mutex<Histogram<u64>>,
    /// Timers armed and not yet fired, stopped or received.
    live: AtomicI64,
    skipped: AtomicU64,
    /// Last, so that the handles are dropped before their runtime.
    target: T,
}

impl<T: ReplayTarget> Shared<T> {
    /// Nanoseconds since the start (negative before it).
    fn now(&self) -> i64 {
        let now = Instant::now();
        match now.checked_duration_since(self.start) {
            Some(since) => i64::try_from(since.as_nanos()).unwrap_or(i64::MAX),
            None => -i64::try_from((self.start - now).as_nanos()).unwrap_or(i64::MAX),
        }
    }

    /// Notes that `id` is armed for `duration` from now.
    fn arming(&self, id: usize, duration: Duration) {
        let deadline = self
            .now()
            .saturating_add(i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX));
        // Relaxed: the function that reads it runs after the arming call,
        // which synchronizes through the backend's own locks; a function
        // of an older arming racing with this store may read either.
        self.deadlines[id].store(deadline, Ordering::Relaxed);
    }

    /// Changes the live count by `by`.
    fn live(&self, by: i64) {
        // Relaxed: a statistic.
        self.live.fetch_add(by, Ordering::Relaxed);
    }
}

/// The function of function timer `id`: records its lateness.
fn function_of<T: ReplayTarget>(shared: &Arc<Shared<T>>, id: usize) -> Function {
    let weak = Arc::downgrade(shared);
    Arc::new(move || {
        let Some(shared) = weak.upgrade() else {
            return;
        };
        // Relaxed: see `Shared::arming`.
        let late = shared.now() - shared.deadlines[id].load(Ordering::Relaxed);
        lock(&shared.lateness).saturating_record(late.max(1) as u64);
        shared.live(-1);
    })
}

/// Issues one operation and returns its call's cost, or `None` if its
/// timer was never made.
fn issue<T: ReplayTarget>(shared: &Arc<Shared<T>>, op: TraceOp) -> Option<Duration> {
    let target = &shared.target;
    let id = match op {
        TraceOp::Func { id, .. }
        | TraceOp::Chan { id, .. }
        | TraceOp::Tick { id, .. }
        | TraceOp::Stop { id }
        | TraceOp::Reset { id, .. }
        | TraceOp::TickerStop { id }
        | TraceOp::TickerReset { id, .. }
        | TraceOp::Recv { id }
        | TraceOp::Wait { id, .. } => id,
        TraceOp::Advance { .. } => return Some(Duration::ZERO),
    };
    let mut slot = lock(&shared.handles[id]);
    let creates = matches!(
        op,
        TraceOp::Func { .. } | TraceOp::Chan { .. } | TraceOp::Tick { .. }
    );
    if !creates && slot.is_none() {
        drop(slot);
        let waited = Instant::now();
        loop {
            thread::yield_now();
            slot = lock(&shared.handles[id]);
            if slot.is_some() {
                break;
            }
            drop(slot);
            if waited.elapsed() > HANDLE_WAIT {
                // Relaxed: a statistic.
                shared.skipped.fetch_add(1, Ordering::Relaxed);
                return None;
            }
        }
    }
    let started;
    match (op, slot.as_mut()) {
        (TraceOp::Func { duration, .. }, _) => {
            let function = function_of(shared, id);
            let duration = duration_of(duration);
            shared.arming(id, duration);
            started = Instant::now();
            *slot = Some(Handle::Func(target.func(duration, function)));
            shared.live(1);
        }
        (TraceOp::Chan { duration, .. }, _) => {
            started = Instant::now();
            *slot = Some(Handle::Chan(target.chan(duration_of(duration))));
            shared.live(1);
        }
        (TraceOp::Tick { period, .. }, _) => {
            started = Instant::now();
            if let Some(ticker) = target.tick(duration_of(period)) {
                *slot = Some(Handle::Tick(ticker));
                shared.live(1);
            }
        }
        (TraceOp::Stop { .. }, Some(Handle::Func(timer))) => {
            started = Instant::now();
            if target.func_stop(timer) {
                shared.live(-1);
            }
        }
        (TraceOp::Stop { .. }, Some(Handle::Chan(timer))) => {
            started = Instant::now();
            if target.chan_stop(timer) {
                shared.live(-1);
            }
        }
        (TraceOp::Reset { duration, .. }, Some(Handle::Func(timer))) => {
            let duration = duration_of(duration);
            shared.arming(id, duration);
            started = Instant::now();
            if !target.func_reset(timer, duration) {
                shared.live(1);
            }
        }
        (TraceOp::Reset { duration, .. }, Some(Handle::Chan(timer))) => {
            started = Instant::now();
            if !target.chan_reset(timer, duration_of(duration)) {
                shared.live(1);
            }
        }
        (TraceOp::TickerStop { .. }, Some(Handle::Tick(ticker))) => {
            started = Instant::now();
            target.tick_stop(ticker);
            shared.live(-1);
        }
        (TraceOp::TickerReset { period, .. }, Some(Handle::Tick(ticker))) => {
            started = Instant::now();
            target.tick_reset(ticker, duration_of(period));
        }
        (TraceOp::Recv { .. }, Some(Handle::Chan(timer))) => {
            started = Instant::now();
            if target.chan_recv(timer) {
                shared.live(-1);
            }
        }
        (TraceOp::Recv { .. }, Some(Handle::Tick(ticker))) => {
            started = Instant::now();
            target.tick_recv(ticker);
        }
        // The parser checked kinds: only a ticker whose creation was
        // refused here but not in the recording gets here.
        _ => {
            // Relaxed: a statistic.
            shared.skipped.fetch_add(1, Ordering::Relaxed);
            return None;
        }
    }
    Some(started.elapsed())
}

/// Waits until `due`: sleeps unless it is very near, then yields. A replay
/// thread never spins for long, so that on a machine with few cores the
/// replay threads leave the backend's own threads the CPU; the price, a
/// sleep's overshoot, shows in the schedule lag.
fn wait_until(due: Instant) {
    loop {
        let now = Instant::now();
        if now >= due {
            return;
        }
        let left = due - now;
        if left > Duration::from_micros(20) {
            thread::sleep(left);
        } else {
            thread::yield_now();
        }
    }
}

/// One replay thread's tallies.
struct Tally {
    calls: BTreeMap<&'static str, Histogram<u64>>,
    lag: Histogram<u64>,
}

/// Replays `schedule` on `target` with its timing and threads.
pub fn replay<T: ReplayTarget>(target: T, schedule: &Schedule) -> ReplayResult {
    let baseline = crate::resident::resident_bytes().ok();
    let shared = Arc::new(Shared {
        target,
        start: Instant::now() + Duration::from_millis(20),
        handles: (0..schedule.ids).map(|_| Mutex::new(None)).collect(),
        deadlines: (0..schedule.ids).map(|_| AtomicI64::new(0)).collect(),
        lateness: Mutex::new(histogram()),
        live: AtomicI64::new(0),
        skipped: AtomicU64::new(0),
    });
    let span = Duration::from_nanos(u64::try_from(schedule.span()).unwrap_or(0));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (shared, done) = (shared.clone(), done.clone());
        let every = (span / 200).clamp(Duration::from_millis(1), Duration::from_millis(100));
        thread::spawn(move || {
            let (mut live, mut peak) = (Vec::new(), 0u64);
            // Acquire: pairs with the Release store after the replay
            // threads are joined.
            while !done.load(Ordering::Acquire) {
                let at = shared.now();
                if at >= 0 {
                    // Relaxed: a statistic.
                    let count = shared.live.load(Ordering::Relaxed);
                    live.push((at as f64 / 1e9, count.max(0) as f64));
                }
                if let Ok(bytes) = crate::resident::resident_bytes() {
                    peak = peak.max(bytes);
                }
                thread::sleep(every);
            }
            (live, peak)
        })
    };
    let workers: Vec<_> = (0..schedule.threads)
        .map(|thread| {
            let (shared, ops) = (shared.clone(), schedule.of_thread(thread));
            thread::spawn(move || run_thread(&shared, &ops))
        })
        .collect();
    let mut calls: BTreeMap<&'static str, Histogram<u64>> = BTreeMap::new();
    let mut lag = histogram();
    for worker in workers {
        let tally = worker.join().expect("a replay thread panicked");
        for (name, histogram) in tally.calls {
            let _ = calls
                .entry(name)
                .or_insert_with(self::histogram)
                .add(histogram);
        }
        let _ = lag.add(tally.lag);
    }
    thread::sleep(GRACE);
    // Release: pairs with the sampler's Acquire load.
    done.store(true, Ordering::Release);
    let (live, peak) = sampler.join().expect("the sampler panicked");
    let elapsed = shared.start.elapsed();
    let metrics = shared.target.metrics();
    let lateness = lock(&shared.lateness).clone();
    ReplayResult {
        backend: shared.target.name(),
        threads: schedule.threads,
        calls,
        lateness,
        lag,
        // Relaxed: the replay threads are joined.
        skipped: shared.skipped.load(Ordering::Relaxed),
        live,
        memory: baseline.map(|baseline| peak.saturating_sub(baseline)),
        metrics,
        elapsed,
    }
}

/// One replay thread: its operations, each at its time.
fn run_thread<T: ReplayTarget>(shared: &Arc<Shared<T>>, ops: &[Scheduled]) -> Tally {
    let _context = shared.target.enter();
    let mut tally = Tally {
        calls: BTreeMap::new(),
        lag: histogram(),
    };
    for op in ops {
        let due = shared.start + Duration::from_nanos(u64::try_from(op.at).unwrap_or(0));
        wait_until(due);
        let lag = due.elapsed();
        tally
            .lag
            .saturating_record(u64::try_from(lag.as_nanos()).unwrap_or(u64::MAX).max(1));
        if let Some(cost) = issue(shared, op.op) {
            tally
                .calls
                .entry(op.op.name())
                .or_insert_with(histogram)
                .saturating_record(u64::try_from(cost.as_nanos()).unwrap_or(u64::MAX).max(1));
        }
    }
    tally
}
