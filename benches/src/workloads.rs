//! The workloads, each written once against [`TimerBackend`] or [`TimerQueue`]
//! and run by criterion (`benches/workloads.rs`) and by `evaluate` alike.
//!
//! A workload is turned into a [`Runner`] for one backend and thread count;
//! `Runner::run(n)` performs `n` iterations and returns what they measured
//! (wall time, except for [`Workload::ParallelTimerLatency`]). The mapping
//! to Go's benchmarks is in `benches/README.md`.

use std::hint::black_box;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex, Weak};
use std::time::{Duration, Instant};

use crate::backend::{
    BackendKind, BackendVisitor, QueueVisitor, TimerBackend, TimerQueue, with_backend, with_queue,
};
use crate::pool::{self, GO_PREAMBLE_TIMERS, HOUR, Latch, Team};
use crate::resident::resident_bytes;
use crate::runner::Runner;

/// Go's `time.Nanosecond`.
const NANOSECOND: Duration = Duration::from_nanos(1);
/// Go's `time.Microsecond`.
const MICROSECOND: Duration = Duration::from_micros(1);
/// Go's `time.Millisecond`: ParallelTimerLatency's delay.
const MILLISECOND: Duration = Duration::from_millis(1);
/// Go's `time.Second`: the Stop benchmark's timer.
const SECOND: Duration = Duration::from_secs(1);
/// The idle timeout IdleTimeouts pushes back on every packet.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Timers per AdjustTimers10000 iteration.
const ADJUST_TIMERS: usize = 10_000;

/// The sizes of a run: Go's (full) or tiny, for a smoke test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// Idle `AfterFunc(Hour)` timers each thread makes first (Go's
    /// `benchmark()` helper).
    pub preamble: usize,
    /// Connections of IdleTimeouts, across all threads.
    pub idle_timeouts: usize,
}

impl Sizes {
    /// Go's preamble and 10^6 idle timeouts.
    pub const FULL: Sizes = Sizes {
        preamble: GO_PREAMBLE_TIMERS,
        idle_timeouts: 1_000_000,
    };

    /// Tiny, to check that everything runs.
    pub const SMOKE: Sizes = Sizes {
        preamble: 64,
        idle_timeouts: 1_000,
    };
}

/// One workload. Its [`name`](Workload::name) is the first part of its
/// benchmark id `WORKLOAD/BACKEND/THREADS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Workload {
    /// Go's `BenchmarkAdjustTimers10000`, with or without the reset of the
    /// last timer to 1 ns and the 1 µs sleep: the variants `NoReset`,
    /// `NoSleep`, `NoResetNoSleep`. Parallel.
    AdjustTimers {
        /// Reset the last timer to 1 ns.
        reset: bool,
        /// Sleep 1 µs on the backend's clock.
        sleep: bool,
    },
    /// `AdjustTimers10000` on the calling thread alone, with no parallel
    /// runner.
    AdjustTimersSingleThread,
    /// Go's `BenchmarkStartStop1000`: 1,000 `AfterFunc(Hour)`, then 1,000
    /// `Stop`. Parallel.
    StartStop1000,
    /// Go's `BenchmarkStop` (`impl=func`): `AfterFunc(Second)` then `Stop`.
    /// Parallel.
    Stop,
    /// Go's `BenchmarkReset` (`impl=func`): `Reset(Hour)` of a pending
    /// timer, later each time. Parallel.
    Reset,
    /// Go's `BenchmarkAfterFunc1000`: a chain of 1,000 `AfterFunc(0)`, each
    /// started by the previous one's function. Parallel.
    AfterFunc1000,
    /// Go's `BenchmarkSimultaneousAfterFunc1000`: 1,000 `AfterFunc(0)` at
    /// once, and a wait for all. Parallel.
    SimultaneousAfterFunc1000,
    /// Go's `BenchmarkParallelTimerLatency`: each round, every thread arms
    /// one `AfterFunc(1 ms)` at the same moment; how late they run.
    ParallelTimerLatency,
    /// The server pattern: idle timeouts of 30 s, one per connection, reset
    /// at random as packets arrive, from every thread. Parallel.
    IdleTimeouts,
    /// Start+stop pairs with this many idle timers armed (1 h to 2 h out).
    Scale(usize),
    /// Resident-memory growth per live timer with this many timers armed,
    /// handles stored.
    Memory(usize),
    /// `StartStop1000` at the runtime layer (`TimerSet`, tokio's
    /// `DelayQueue`): deadlines computed by the caller, no clock reads.
    TimerSetStartStop1000,
    /// `Reset` at the runtime layer: a pending timer moved 1 ns later.
    TimerSetReset,
    /// `Memory` at the runtime layer: timers sharing one callback.
    TimerSetMemory(usize),
}

/// How a workload's result is expressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Wall time per iteration (Go's ns/op), in ns.
    TimePerOp,
    /// Wall time per start+stop pair, in ns.
    TimePerStartStop,
    /// Resets per second, all threads together.
    ResetsPerSecond,
    /// 99th percentile of firing lateness, in ns.
    P99Lateness,
    /// Resident bytes per live timer.
    BytesPerTimer,
}

impl Metric {
    /// The name in `report.json`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::TimePerOp => "time_per_op",
            Metric::TimePerStartStop => "time_per_start_stop",
            Metric::ResetsPerSecond => "resets_per_second",
            Metric::P99Lateness => "p99_lateness",
            Metric::BytesPerTimer => "bytes_per_timer",
        }
    }

    /// The unit in `report.json`.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::TimePerOp | Metric::TimePerStartStop | Metric::P99Lateness => "ns",
            Metric::ResetsPerSecond => "1/s",
            Metric::BytesPerTimer => "bytes",
        }
    }

    /// Whether a larger value is better (a rate) rather than worse (a cost).
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::ResetsPerSecond)
    }
}

/// `10^k` as `1ek`, other counts as they are.
fn count_name(count: usize) -> String {
    let mut power = 0;
    let mut rest = count;
    while rest >= 10 && rest.is_multiple_of(10) {
        rest /= 10;
        power += 1;
    }
    if rest == 1 && power >= 3 {
        format!("1e{power}")
    } else {
        count.to_string()
    }
}

impl Workload {
    /// The AdjustTimers10000 variants, Go's first.
    pub const ADJUST_TIMERS: [Workload; 5] = [
        Workload::AdjustTimers {
            reset: true,
            sleep: true,
        },
        Workload::AdjustTimersSingleThread,
        Workload::AdjustTimers {
            reset: false,
            sleep: true,
        },
        Workload::AdjustTimers {
            reset: true,
            sleep: false,
        },
        Workload::AdjustTimers {
            reset: false,
            sleep: false,
        },
    ];

    /// The live-timer counts of Scale.
    pub const SCALE_COUNTS: [usize; 5] = [1_000, 10_000, 100_000, 1_000_000, 10_000_000];

    /// The live-timer counts of Memory.
    pub const MEMORY_COUNTS: [usize; 2] = [1_000_000, 10_000_000];

    /// Every workload of a full run, in report order.
    pub fn all() -> Vec<Workload> {
        let mut all = Workload::ADJUST_TIMERS.to_vec();
        all.extend([
            Workload::StartStop1000,
            Workload::Stop,
            Workload::Reset,
            Workload::AfterFunc1000,
            Workload::SimultaneousAfterFunc1000,
            Workload::ParallelTimerLatency,
            Workload::IdleTimeouts,
        ]);
        all.extend(Workload::SCALE_COUNTS.map(Workload::Scale));
        all.extend(Workload::MEMORY_COUNTS.map(Workload::Memory));
        all.extend([
            Workload::TimerSetStartStop1000,
            Workload::TimerSetReset,
            Workload::TimerSetMemory(1_000_000),
        ]);
        all
    }

    /// The name: the first part of the benchmark id.
    ///
    /// ```
    /// use gowheel_benches::Workload;
    /// let no_reset = Workload::AdjustTimers { reset: false, sleep: true };
    /// assert_eq!(no_reset.name(), "AdjustTimers10000NoReset");
    /// assert_eq!(Workload::Scale(10_000_000).name(), "Scale1e7");
    /// ```
    pub fn name(self) -> String {
        match self {
            Workload::AdjustTimers { reset, sleep } => format!(
                "AdjustTimers10000{}{}",
                if reset { "" } else { "NoReset" },
                if sleep { "" } else { "NoSleep" }
            ),
            Workload::AdjustTimersSingleThread => "AdjustTimers10000SingleThread".to_owned(),
            Workload::StartStop1000 => "StartStop1000".to_owned(),
            Workload::Stop => "Stop".to_owned(),
            Workload::Reset => "Reset".to_owned(),
            Workload::AfterFunc1000 => "AfterFunc1000".to_owned(),
            Workload::SimultaneousAfterFunc1000 => "SimultaneousAfterFunc1000".to_owned(),
            Workload::ParallelTimerLatency => "ParallelTimerLatency".to_owned(),
            Workload::IdleTimeouts => "IdleTimeouts".to_owned(),
            Workload::Scale(count) => format!("Scale{}", count_name(count)),
            Workload::Memory(count) => format!("Memory{}", count_name(count)),
            Workload::TimerSetStartStop1000 => "TimerSetStartStop1000".to_owned(),
            Workload::TimerSetReset => "TimerSetReset".to_owned(),
            Workload::TimerSetMemory(count) => format!("TimerSetMemory{}", count_name(count)),
        }
    }

    /// How the result is expressed.
    pub fn metric(self) -> Metric {
        match self {
            Workload::ParallelTimerLatency => Metric::P99Lateness,
            Workload::IdleTimeouts => Metric::ResetsPerSecond,
            Workload::Scale(_) => Metric::TimePerStartStop,
            Workload::Memory(_) | Workload::TimerSetMemory(_) => Metric::BytesPerTimer,
            _ => Metric::TimePerOp,
        }
    }

    /// Whether it runs on 1, 2 and all CPUs' worth of threads (else on the
    /// calling thread only).
    pub fn is_parallel(self) -> bool {
        matches!(
            self,
            Workload::AdjustTimers { .. }
                | Workload::StartStop1000
                | Workload::Stop
                | Workload::Reset
                | Workload::AfterFunc1000
                | Workload::SimultaneousAfterFunc1000
                | Workload::ParallelTimerLatency
                | Workload::IdleTimeouts
        )
    }

    /// The thread counts it runs with.
    pub fn thread_counts(self) -> Vec<usize> {
        if self.is_parallel() {
            pool::thread_counts()
        } else {
            vec![1]
        }
    }

    /// The fewest iterations a timed run should have. For Scale, the size
    /// of the population: both gowheel backends sweep stopped timers out
    /// once they pass a quarter of the filed ones, a sweep whose cost grows
    /// with the population, so a run of that many start+stop pairs includes
    /// about three sweeps (shorter runs at large sizes would include none,
    /// or one by chance, and vary by as much).
    pub fn min_iters(self) -> u64 {
        match self {
            Workload::Scale(count) => count as u64,
            _ => 1,
        }
    }

    /// Whether it measures memory rather than time.
    pub fn is_memory(self) -> bool {
        matches!(self, Workload::Memory(_) | Workload::TimerSetMemory(_))
    }

    /// Whether each thread first makes Go's preamble of idle timers. Scale
    /// and Memory bring their own population; ParallelTimerLatency has none
    /// in Go either.
    pub fn has_preamble(self) -> bool {
        !matches!(
            self,
            Workload::Scale(_)
                | Workload::Memory(_)
                | Workload::TimerSetMemory(_)
                | Workload::ParallelTimerLatency
        )
    }

    /// The workload whose name is `name`, among [`all`](Workload::all) and
    /// any Scale, Memory or TimerSetMemory count.
    pub fn from_name(name: &str) -> Option<Workload> {
        if let Some(workload) = Workload::all().into_iter().find(|w| w.name() == name) {
            return Some(workload);
        }
        let parse = |digits: &str| -> Option<usize> {
            match digits.strip_prefix("1e") {
                Some(power) => 10usize.checked_pow(power.parse().ok()?),
                None => digits.parse().ok(),
            }
        };
        if let Some(count) = name.strip_prefix("TimerSetMemory") {
            return parse(count).map(Workload::TimerSetMemory);
        }
        if let Some(count) = name.strip_prefix("Memory") {
            return parse(count).map(Workload::Memory);
        }
        name.strip_prefix("Scale")
            .and_then(parse)
            .map(Workload::Scale)
    }

    /// A runner of this workload on `backend` with `threads` threads.
    ///
    /// # Panics
    ///
    /// For the memory workloads, which are measured by
    /// a memory probe (`probe`) instead.
    pub fn runner(self, backend: BackendKind, threads: usize, sizes: Sizes) -> Box<dyn Runner> {
        assert!(
            !self.is_memory(),
            "{} is measured by a memory probe, not timed",
            self.name()
        );
        let preamble = if self.has_preamble() {
            sizes.preamble
        } else {
            0
        };
        match self {
            Workload::TimerSetStartStop1000 | Workload::TimerSetReset => with_queue(
                backend,
                MakeQueueRunner {
                    workload: self,
                    preamble,
                },
            ),
            _ => with_backend(
                backend,
                MakeRunner {
                    workload: self,
                    threads,
                    preamble,
                    sizes,
                },
            ),
        }
    }
}

/// A small, fast, deterministic random number generator (xorshift64*).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng((seed ^ 0x2545_f491_4f6c_dd1d).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..bound` (`bound > 0`).
    #[inline]
    pub fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// A duration in `[1 h, 2 h)`: where Scale and Memory put their idle
    /// timers.
    #[inline]
    pub fn idle_duration(&mut self) -> Duration {
        let hour = HOUR.as_nanos() as u64;
        Duration::from_nanos(hour + self.below(hour))
    }
}

/// Builds the time-package runners.
struct MakeRunner {
    workload: Workload,
    threads: usize,
    preamble: usize,
    sizes: Sizes,
}

impl BackendVisitor for MakeRunner {
    type Output = Box<dyn Runner>;

    fn visit<B: TimerBackend>(self, backend: B) -> Box<dyn Runner> {
        let backend = Arc::new(backend);
        let MakeRunner {
            workload,
            threads,
            preamble,
            sizes,
        } = self;
        // A parallel workload whose threads repeat an operation.
        macro_rules! repeat {
            ($op:expr) => {
                team(
                    &backend,
                    threads,
                    preamble,
                    |_: &Arc<B>, _| (),
                    move |b: &Arc<B>, _: &mut (), n| {
                        for _ in 0..n {
                            $op(b);
                        }
                    },
                )
            };
        }
        match workload {
            Workload::AdjustTimers { reset, sleep } => {
                repeat!(|b: &Arc<B>| adjust_timers::<B>(b, reset, sleep))
            }
            Workload::AdjustTimersSingleThread => Box::new(SingleRunner::new(
                backend.clone(),
                preamble,
                |b: &Arc<B>| adjust_timers::<B>(b, true, true),
            )),
            Workload::StartStop1000 => {
                repeat!(|b: &Arc<B>| start_stop::<B>(b, 1000, &mut |_| HOUR))
            }
            Workload::Stop => repeat!(|b: &Arc<B>| {
                black_box(b.stop(b.start(SECOND)));
            }),
            Workload::Reset => team(
                &backend,
                threads,
                preamble,
                |b: &Arc<B>, _| b.start(HOUR),
                |b: &Arc<B>, timer: &mut B::Timer, n| {
                    for _ in 0..n {
                        black_box(b.reset(timer, HOUR));
                    }
                },
            ),
            Workload::AfterFunc1000 => repeat!(|b: &Arc<B>| after_func_chain(b, 1000)),
            Workload::SimultaneousAfterFunc1000 => {
                repeat!(|b: &Arc<B>| simultaneous_after_func::<B>(b, 1000))
            }
            Workload::ParallelTimerLatency => {
                let round = Arc::new(Barrier::new(threads));
                let samples = Arc::new(Mutex::new(Vec::new()));
                let collected = samples.clone();
                let team = Team::new(
                    &backend,
                    threads,
                    preamble,
                    |_: &Arc<B>, _| Vec::new(),
                    move |b: &Arc<B>, local: &mut Vec<u64>, rounds| {
                        for _ in 0..rounds {
                            round.wait();
                            local.push(lateness_of_one::<B>(b));
                        }
                        collected
                            .lock()
                            .unwrap_or_else(|poisoned| poisoned.into_inner())
                            .append(local);
                    },
                );
                Box::new(LatencyRunner { team, samples })
            }
            Workload::IdleTimeouts => {
                let per_thread = (sizes.idle_timeouts / threads).max(1);
                team(
                    &backend,
                    threads,
                    preamble,
                    move |b: &Arc<B>, index| {
                        let timers: Vec<B::Timer> =
                            (0..per_thread).map(|_| b.start(IDLE_TIMEOUT)).collect();
                        (timers, Rng::new(index as u64))
                    },
                    |b: &Arc<B>, (timers, rng): &mut (Vec<B::Timer>, Rng), n| {
                        for _ in 0..n {
                            let connection = rng.below(timers.len() as u64) as usize;
                            black_box(b.reset(&mut timers[connection], IDLE_TIMEOUT));
                        }
                    },
                )
            }
            Workload::Scale(count) => Box::new(ScaleRunner::new(backend.clone(), count)),
            Workload::Memory(_)
            | Workload::TimerSetMemory(_)
            | Workload::TimerSetStartStop1000
            | Workload::TimerSetReset => unreachable!("not a time-package timed workload"),
        }
    }
}

/// A parallel workload on a [`Team`] (see [`Team::new`]).
fn team<B, S, Setup, Body>(
    backend: &Arc<B>,
    threads: usize,
    preamble: usize,
    setup: Setup,
    body: Body,
) -> Box<dyn Runner>
where
    B: TimerBackend,
    S: 'static,
    Setup: Fn(&Arc<B>, usize) -> S + Send + Sync + 'static,
    Body: Fn(&Arc<B>, &mut S, u64) + Send + Sync + 'static,
{
    Box::new(TeamRunner {
        team: Team::new(backend, threads, preamble, setup, body),
    })
}

/// Go's `BenchmarkAdjustTimers10000` body.
fn adjust_timers<B: TimerBackend>(b: &B, reset: bool, sleep: bool) {
    let mut timers = Vec::with_capacity(ADJUST_TIMERS);
    for _ in 0..ADJUST_TIMERS {
        timers.push(b.start(HOUR));
    }
    if reset && let Some(last) = timers.last_mut() {
        black_box(b.reset(last, NANOSECOND));
    }
    if sleep {
        b.sleep(MICROSECOND);
    }
    for timer in timers {
        black_box(b.stop(timer));
    }
}

/// Starts `count` timers due after `duration(i)`, then stops them all.
#[inline]
fn start_stop<B: TimerBackend>(b: &B, count: usize, duration: &mut impl FnMut(usize) -> Duration) {
    let mut timers = Vec::with_capacity(count);
    for i in 0..count {
        timers.push(b.start(duration(i)));
    }
    for timer in timers {
        black_box(b.stop(timer));
    }
}

/// Scale's iterations: `pairs` start+stop pairs of timers 1 h to 2 h out,
/// in batches of up to 1,000 (as StartStop1000).
fn scale_pairs<B: TimerBackend>(b: &B, rng: &mut Rng, pairs: u64) {
    let mut left = pairs;
    while left > 0 {
        let batch = left.min(1000);
        start_stop::<B>(b, batch as usize, &mut |_| rng.idle_duration());
        left -= batch;
    }
}

/// `count` idle timers 1 h to 2 h out: Scale's and Memory's population.
fn fill_population<B: TimerBackend>(b: &B, count: usize, rng: &mut Rng) -> Vec<B::Timer> {
    let mut timers = Vec::with_capacity(count);
    for _ in 0..count {
        timers.push(b.start(rng.idle_duration()));
    }
    timers
}

/// Go's `BenchmarkAfterFunc1000` chain: each function starts the next
/// `AfterFunc(0)` until `links` have run, then the waiter is woken.
struct Chain<B> {
    backend: Weak<B>,
    remaining: AtomicI64,
    done: Arc<Latch>,
}

/// One link of the chain: Go's `f`.
fn chain_link<B: TimerBackend>(chain: &Arc<Chain<B>>) {
    // Relaxed: the count is only this chain's, and links run one after
    // another, each started by the previous.
    if chain.remaining.fetch_sub(1, Ordering::Relaxed) > 0 {
        if let Some(backend) = chain.backend.upgrade() {
            let next = chain.clone();
            backend.after_func(Duration::ZERO, move || chain_link(&next));
        }
    } else {
        chain.done.count_down();
    }
}

fn after_func_chain<B: TimerBackend>(b: &Arc<B>, links: i64) {
    // The chain holds the backend weakly: a function that kept it alive
    // would keep its timers, and so itself, alive.
    let chain = Arc::new(Chain {
        backend: Arc::downgrade(b),
        remaining: AtomicI64::new(links),
        done: Latch::new(1),
    });
    let first = chain.clone();
    b.after_func(Duration::ZERO, move || chain_link(&first));
    chain.done.wait();
}

/// Go's `BenchmarkSimultaneousAfterFunc1000` body.
fn simultaneous_after_func<B: TimerBackend>(b: &B, count: usize) {
    let all_done = Latch::new(count);
    for _ in 0..count {
        let done = all_done.clone();
        b.after_func(Duration::ZERO, move || done.count_down());
    }
    all_done.wait();
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
        // Relaxed: the latch's count-down publishes it.
        record.late.store(late.as_nanos() as u64, Ordering::Relaxed);
        record.fired.count_down();
    });
    firing.fired.wait();
    firing.late.load(Ordering::Relaxed)
}

/// A parallel workload on a [`Team`].
struct TeamRunner {
    team: Team,
}

impl Runner for TeamRunner {
    fn run(&mut self, iters: u64) -> Duration {
        self.team.run(iters)
    }
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

/// A workload on the calling thread alone, with its preamble made there.
struct SingleRunner<B: TimerBackend, Operation> {
    backend: Arc<B>,
    preamble: Vec<B::Timer>,
    operation: Operation,
}

impl<B: TimerBackend, Operation: Fn(&Arc<B>)> SingleRunner<B, Operation> {
    fn new(backend: Arc<B>, preamble: usize, operation: Operation) -> Self {
        let preamble = {
            let _context = backend.enter();
            (0..preamble).map(|_| backend.start(HOUR)).collect()
        };
        SingleRunner {
            backend,
            preamble,
            operation,
        }
    }
}

impl<B: TimerBackend, Operation: Fn(&Arc<B>)> Runner for SingleRunner<B, Operation> {
    fn run(&mut self, iters: u64) -> Duration {
        let _context = self.backend.enter();
        let started = Instant::now();
        for _ in 0..iters {
            (self.operation)(&self.backend);
        }
        started.elapsed()
    }
}

impl<B: TimerBackend, Operation> Drop for SingleRunner<B, Operation> {
    fn drop(&mut self) {
        let _context = self.backend.enter();
        for timer in self.preamble.drain(..) {
            self.backend.stop(timer);
        }
    }
}

/// Scale: a population of idle timers made on the calling thread, and
/// start+stop pairs among them.
struct ScaleRunner<B: TimerBackend> {
    backend: Arc<B>,
    population: Vec<B::Timer>,
    rng: Rng,
    bytes_per_timer: Option<f64>,
}

impl<B: TimerBackend> ScaleRunner<B> {
    fn new(backend: Arc<B>, count: usize) -> ScaleRunner<B> {
        let mut rng = Rng::new(count as u64);
        let (population, bytes_per_timer) = {
            let _context = backend.enter();
            let before = resident_bytes().ok();
            let population = fill_population::<B>(&backend, count, &mut rng);
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
        scale_pairs::<B>(&self.backend, &mut self.rng, pairs);
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

/// Builds the runtime-layer runners.
struct MakeQueueRunner {
    workload: Workload,
    preamble: usize,
}

impl QueueVisitor for MakeQueueRunner {
    type Output = Box<dyn Runner>;

    fn visit<Q: TimerQueue>(self, mut queue: Q) -> Box<dyn Runner> {
        let handle = queue.runtime_handle();
        let (preamble, state) = {
            let _context = handle.as_ref().map(|handle| handle.enter());
            let preamble: Vec<Q::Key> = (0..self.preamble).map(|_| queue.insert(HOUR)).collect();
            let timer = match self.workload {
                Workload::TimerSetReset => Some(queue.insert(HOUR)),
                _ => None,
            };
            (preamble, timer)
        };
        Box::new(QueueRunner {
            queue,
            handle,
            workload: self.workload,
            preamble,
            timer: state,
            at: HOUR,
        })
    }
}

/// A runtime-layer workload on the calling thread.
struct QueueRunner<Q: TimerQueue> {
    queue: Q,
    handle: Option<tokio::runtime::Handle>,
    workload: Workload,
    preamble: Vec<Q::Key>,
    /// TimerSetReset's timer.
    timer: Option<Q::Key>,
    /// TimerSetReset's deadline, 1 ns later each time.
    at: Duration,
}

impl<Q: TimerQueue> Runner for QueueRunner<Q> {
    fn run(&mut self, iters: u64) -> Duration {
        let _context = self.handle.as_ref().map(|handle| handle.enter());
        let queue = &mut self.queue;
        let started = Instant::now();
        match (self.workload, &self.timer) {
            (Workload::TimerSetReset, Some(timer)) => {
                for _ in 0..iters {
                    self.at += NANOSECOND;
                    black_box(queue.reset(timer, self.at));
                }
            }
            _ => {
                let mut keys = Vec::with_capacity(1000);
                for _ in 0..iters {
                    keys.extend((0..1000).map(|_| queue.insert(HOUR)));
                    for key in keys.drain(..) {
                        black_box(queue.remove(key));
                    }
                }
            }
        }
        started.elapsed()
    }
}

impl<Q: TimerQueue> Drop for QueueRunner<Q> {
    fn drop(&mut self) {
        let _context = self.handle.as_ref().map(|handle| handle.enter());
        for key in self.preamble.drain(..).chain(self.timer.take()) {
            self.queue.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for workload in Workload::all() {
            assert_eq!(Workload::from_name(&workload.name()), Some(workload));
        }
        assert_eq!(
            Workload::from_name("Scale1e4"),
            Some(Workload::Scale(10_000))
        );
        assert_eq!(
            Workload::from_name("Memory1234"),
            Some(Workload::Memory(1234))
        );
        assert_eq!(Workload::from_name("Nothing"), None);
    }

    #[test]
    fn count_names() {
        assert_eq!(count_name(1000), "1e3");
        assert_eq!(count_name(10_000_000), "1e7");
        assert_eq!(count_name(100), "100");
        assert_eq!(count_name(2000), "2000");
    }

    #[test]
    fn rng_stays_below_its_bound() {
        let mut rng = Rng::new(7);
        for bound in [1, 2, 3, 1000] {
            for _ in 0..1000 {
                assert!(rng.below(bound) < bound);
            }
        }
        let idle = rng.idle_duration();
        assert!(idle >= HOUR && idle < 2 * HOUR);
    }
}
