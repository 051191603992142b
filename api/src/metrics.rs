//! Runtime metrics: what a runtime has served, counted on the hot path at
//! near-zero cost, and read as a [`RuntimeMetrics`] snapshot.
//!
//! # Design
//!
//! Metrics are switched on when the runtime is built
//! ([`RuntimeBuilder::metrics`](crate::RuntimeBuilder::metrics)); a runtime
//! without them pays one predictable branch per operation.
//!
//! * **Counters** (timers created, fired, stopped, reset) live in stripes,
//!   each on cache lines of its own ([`CachePadded`]); a thread always
//!   counts in the stripe it was given on first use, so threads that make
//!   and reset timers side by side do not bounce a line between their
//!   cores. A count is the sum over the stripes.
//! * **Firing lateness** (when a timer's callback or channel send started,
//!   minus its deadline) goes into a fixed log-linear histogram of atomic
//!   buckets: eight buckets per power of two, so a percentile read from it
//!   is at most 12.5% above the true value; the maximum is kept exactly.
//!   Firings run on the driver thread (or the thread moving a manual
//!   clock), so the buckets are seldom contended.
//! * **Driver wake-ups** and the **longest callback** are single atomics
//!   written by the thread running checks.
//!
//! # Invariants and orderings
//!
//! Every atomic here is a statistic: nothing is published through it and no
//! decision of the runtime depends on it, so `Relaxed` is enough for every
//! update and read. A snapshot taken while timers run is not a consistent
//! cut (a firing may be counted before its lateness is), only a sum of
//! values each of which was true at some moment during the read; once the
//! threads that count have been joined (or otherwise synchronized with the
//! reader), it is exact.

use std::cell::Cell;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use crossbeam_utils::CachePadded;

/// Sub-buckets per power of two in the lateness histogram (a power of two).
const SUB_BUCKETS: u64 = 8;
/// log2 of [`SUB_BUCKETS`].
const SUB_BITS: u32 = 3;
/// Buckets: values below `SUB_BUCKETS` one each, then `SUB_BUCKETS` per
/// power of two up to 2^63.
const BUCKETS: usize = (SUB_BUCKETS as usize) * (64 - SUB_BITS as usize + 1);

/// The counters of one stripe.
#[derive(Default)]
struct Counters {
    created: AtomicU64,
    fired: AtomicU64,
    stopped: AtomicU64,
    reset: AtomicU64,
}

/// Which counter an operation bumps.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Count {
    Created,
    Fired,
    Stopped,
    Reset,
}

thread_local! {
    /// This thread's stripe number before reduction, given on first use.
    static STRIPE: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// The next stripe number to give a thread.
static NEXT_STRIPE: AtomicUsize = AtomicUsize::new(0);

/// The calling thread's stripe number (not yet reduced modulo a count).
#[inline]
fn thread_stripe() -> usize {
    STRIPE.with(|stripe| {
        let mut number = stripe.get();
        if number == usize::MAX {
            // Relaxed: only the uniqueness of the number matters, which
            // the read-modify-write gives by itself.
            number = NEXT_STRIPE.fetch_add(1, Ordering::Relaxed);
            stripe.set(number);
        }
        number
    })
}

/// The bucket of a value (nanoseconds).
fn bucket_of(value: u64) -> usize {
    if value < SUB_BUCKETS {
        return value as usize;
    }
    let exponent = 63 - value.leading_zeros(); // >= SUB_BITS
    let mantissa = (value >> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
    (SUB_BUCKETS as usize) * (exponent - SUB_BITS + 1) as usize + mantissa as usize
}

/// The largest value that falls in `bucket`.
fn bucket_upper(bucket: usize) -> u64 {
    let sub = SUB_BUCKETS as usize;
    if bucket < sub {
        return bucket as u64;
    }
    let exponent = (bucket / sub) as u32 - 1 + SUB_BITS;
    let mantissa = (bucket % sub) as u64;
    let width = 1u64 << (exponent - SUB_BITS);
    let lower = (SUB_BUCKETS + mantissa) << (exponent - SUB_BITS);
    lower.saturating_add(width - 1)
}

/// The metrics a runtime keeps when built with them.
pub(crate) struct Metrics {
    stripes: Box<[CachePadded<Counters>]>,
    /// `stripes.len() - 1`; the length is a power of two.
    stripe_mask: usize,
    lateness: Box<[AtomicU64]>,
    max_lateness: AtomicU64,
    longest_callback: AtomicU64,
    wakeups: CachePadded<AtomicU64>,
}

impl Metrics {
    /// Metrics with one stripe per CPU, rounded up to a power of two.
    pub(crate) fn new() -> Metrics {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        let count = cpus.next_power_of_two().min(64);
        Metrics {
            stripes: (0..count).map(|_| CachePadded::default()).collect(),
            stripe_mask: count - 1,
            lateness: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            max_lateness: AtomicU64::new(0),
            longest_callback: AtomicU64::new(0),
            wakeups: CachePadded::new(AtomicU64::new(0)),
        }
    }

    /// Adds one to `count` in the calling thread's stripe.
    #[inline]
    pub(crate) fn count(&self, count: Count) {
        let stripe = &self.stripes[thread_stripe() & self.stripe_mask];
        let counter = match count {
            Count::Created => &stripe.created,
            Count::Fired => &stripe.fired,
            Count::Stopped => &stripe.stopped,
            Count::Reset => &stripe.reset,
        };
        // Relaxed: a statistic (see the module doc).
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a firing that started `lateness` nanoseconds after its
    /// deadline (negative values count as zero).
    pub(crate) fn fired(&self, lateness: i64) {
        self.count(Count::Fired);
        let lateness = lateness.max(0) as u64;
        // Relaxed: statistics (see the module doc).
        self.lateness[bucket_of(lateness)].fetch_add(1, Ordering::Relaxed);
        self.max_lateness.fetch_max(lateness, Ordering::Relaxed);
    }

    /// Records a callback that ran for `nanos`.
    pub(crate) fn callback_ran(&self, nanos: u64) {
        // Relaxed: a statistic (see the module doc).
        self.longest_callback.fetch_max(nanos, Ordering::Relaxed);
    }

    /// Records a check of the timer set (a driver wake-up).
    pub(crate) fn woke(&self) {
        // Relaxed: a statistic (see the module doc).
        self.wakeups.fetch_add(1, Ordering::Relaxed);
    }

    /// The sum of `pick` over the stripes.
    fn total(&self, pick: impl Fn(&Counters) -> &AtomicU64) -> u64 {
        self.stripes
            .iter()
            // Relaxed: a statistic (see the module doc).
            .map(|stripe| pick(stripe).load(Ordering::Relaxed))
            .sum()
    }

    /// A snapshot; `live`, `zombies` and `node_bytes` come from the set.
    pub(crate) fn snapshot(
        &self,
        live: usize,
        zombies: usize,
        node_bytes: Option<usize>,
    ) -> RuntimeMetrics {
        // Relaxed: statistics (see the module doc).
        let buckets: Vec<u64> = self
            .lateness
            .iter()
            .map(|bucket| bucket.load(Ordering::Relaxed))
            .collect();
        let max = self.max_lateness.load(Ordering::Relaxed);
        RuntimeMetrics {
            created: self.total(|c| &c.created),
            fired: self.total(|c| &c.fired),
            stopped: self.total(|c| &c.stopped),
            reset: self.total(|c| &c.reset),
            live,
            zombies,
            driver_wakeups: self.wakeups.load(Ordering::Relaxed),
            lateness: Lateness::from_buckets(&buckets, max),
            longest_callback: Duration::from_nanos(self.longest_callback.load(Ordering::Relaxed)),
            node_bytes,
        }
    }
}

/// Firing lateness read from a runtime's histogram: how long after its
/// deadline a timer's callback or channel send started.
///
/// Percentiles are the upper bound of the histogram bucket they fall in
/// (at most 12.5% above the true value), never above the exact maximum.
///
/// ```
/// let runtime = gowheel::Runtime::builder().manual_clock().metrics().build();
/// let lateness = runtime.metrics().unwrap().lateness;
/// assert_eq!(lateness.count, 0);
/// assert_eq!(lateness.max, std::time::Duration::ZERO);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lateness {
    /// Firings measured.
    pub count: u64,
    /// Median lateness.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// The largest, exactly.
    pub max: Duration,
}

impl Lateness {
    fn from_buckets(buckets: &[u64], max: u64) -> Lateness {
        let count: u64 = buckets.iter().sum();
        let quantile = |q: f64| {
            if count == 0 {
                return Duration::ZERO;
            }
            let rank = ((count as f64) * q).ceil().max(1.0) as u64;
            let mut seen = 0;
            for (bucket, &n) in buckets.iter().enumerate() {
                seen += n;
                if seen >= rank {
                    return Duration::from_nanos(bucket_upper(bucket).min(max));
                }
            }
            Duration::from_nanos(max)
        };
        Lateness {
            count,
            p50: quantile(0.50),
            p99: quantile(0.99),
            max: Duration::from_nanos(max),
        }
    }
}

/// What a runtime built with [`metrics`](crate::RuntimeBuilder::metrics)
/// has served, from [`Runtime::metrics`](crate::Runtime::metrics).
///
/// `Display` prints it on a few readable lines.
///
/// ```
/// use std::time::Duration;
///
/// let runtime = gowheel::Runtime::builder().manual_clock().metrics().build();
/// let timer = runtime.new_timer(Duration::from_secs(1));
/// assert!(timer.reset(Duration::from_secs(2)));
/// runtime.advance(Duration::from_secs(2));
/// let metrics = runtime.metrics().unwrap();
/// assert_eq!((metrics.created, metrics.reset, metrics.fired), (1, 1, 1));
/// println!("{metrics}");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuntimeMetrics {
    /// Timers, function timers and tickers made.
    pub created: u64,
    /// Firings: callbacks run and values sent on channels.
    pub fired: u64,
    /// `stop` calls (on timers, function timers and tickers).
    pub stopped: u64,
    /// `reset` calls (on timers, function timers and tickers).
    pub reset: u64,
    /// Timers filed in the set now, not counting zombies.
    pub live: usize,
    /// Stopped timers the set still holds, to be removed lazily.
    pub zombies: usize,
    /// Checks of the timer set: the driver's wake-ups on a real clock, the
    /// steps of a manual clock.
    pub driver_wakeups: u64,
    /// Firing lateness.
    pub lateness: Lateness,
    /// The longest a function timer's callback ran.
    pub longest_callback: Duration,
    /// Bytes of timer node storage (the wheel's slabs, free nodes
    /// included); `None` for the heap, which allocates per timer.
    pub node_bytes: Option<usize>,
}

impl fmt::Display for RuntimeMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "timers: {} created, {} fired, {} stopped, {} reset",
            self.created, self.fired, self.stopped, self.reset
        )?;
        writeln!(
            f,
            "now: {} live, {} zombies, node memory {}",
            self.live,
            self.zombies,
            self.node_bytes
                .map_or_else(|| "n/a".to_owned(), |bytes| format!("{bytes} bytes"))
        )?;
        writeln!(f, "driver wake-ups: {}", self.driver_wakeups)?;
        writeln!(
            f,
            "lateness over {} firings: p50 {:?}, p99 {:?}, max {:?}",
            self.lateness.count, self.lateness.p50, self.lateness.p99, self.lateness.max
        )?;
        write!(f, "longest callback: {:?}", self.longest_callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_hold_their_values_within_an_eighth() {
        let mut previous = 0;
        for value in (0..10_000u64).chain([u64::MAX / 3, u64::MAX]) {
            let bucket = bucket_of(value);
            assert!(bucket < BUCKETS, "{value}");
            assert!(bucket >= previous || value > 10_000);
            previous = bucket;
            let upper = bucket_upper(bucket);
            assert!(upper >= value, "{value}: upper {upper}");
            assert!(upper - value <= value / 8, "{value}: upper {upper}");
        }
    }

    #[test]
    fn percentiles_come_from_the_buckets_and_stop_at_the_maximum() {
        let metrics = Metrics::new();
        for lateness in 1..=100 {
            metrics.fired(lateness * 1000);
        }
        let snapshot = metrics.snapshot(0, 0, None);
        assert_eq!(snapshot.fired, 100);
        let lateness = snapshot.lateness;
        assert_eq!(lateness.count, 100);
        assert!(lateness.p50 >= Duration::from_micros(50));
        assert!(lateness.p50 <= Duration::from_micros(57));
        assert!(lateness.p99 >= Duration::from_micros(99));
        assert_eq!(lateness.max, Duration::from_micros(100));
        assert!(lateness.p99 <= lateness.max);
    }

    #[test]
    fn counts_add_up_over_threads() {
        let metrics = std::sync::Arc::new(Metrics::new());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let metrics = metrics.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        metrics.count(Count::Created);
                        metrics.count(Count::Reset);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let snapshot = metrics.snapshot(0, 0, None);
        assert_eq!((snapshot.created, snapshot.reset), (4000, 4000));
    }
}
