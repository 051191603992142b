//! Idle timeouts on a real clock: the runtime layer doing a server's work.
//!
//! A simulated server holds `--connections` connections (100 000 by default),
//! each with an idle timeout of `--idle-ms` (50 ms). Worker threads play the
//! network: each picks random connections and "receives a packet" on them,
//! which pushes the connection's timeout back with
//! `set.reset(&timer, now + idle, 0)`. A packet on a connection whose timeout
//! already fired reopens it (`reset` returns false: the timer was not
//! pending). So that some connections surely go quiet, the connections are
//! cut into ten slices and, for each quarter second in turn, one slice gets
//! no packets at all; its timeouts fire 50 ms later.
//!
//! A driver thread is the timer set's clock and engine. It loops:
//!
//! 1. read a monotonic clock: nanoseconds since a [`std::time::Instant`]
//!    origin, plus 1, because deadlines must be positive;
//! 2. `set.check(now)`, which runs every timeout due by `now`;
//! 3. sleep until `set.wake_time()`, but never longer than [`MAX_SLEEP`].
//!
//! The cap exists because a timer set has no wakeup hook: a timer armed
//! earlier than the wake time the driver is sleeping towards is only noticed
//! when the sleep ends. Here every packet arms its timeout at `now + idle`,
//! later than anything the driver can be sleeping towards, so the cap costs
//! only extra wakeups; a workload that arms short timers would rely on it.
//!
//! The timeout callback counts expirations and records lateness: its `delay`
//! argument is `now - when` for the `now` the driver passed to `check`, so it
//! includes the driver's sleep overshoot and scheduling delays, not the time
//! between the check and the callback.
//!
//! The simulation is generic over [`TimerSet`], so it runs on any backend:
//!
//! ```text
//! cargo run --release -p gowheel --example idle_timeouts -- --backend wheel --seconds 2
//! ```
//!
//! Options: `--backend NAME` (`wheel` or `heap`), `--seconds N` (2), `--workers N`
//! (one less than the CPU count, at least 1), `--connections N` (100000),
//! `--idle-ms N` (50).

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use gowheel::{HeapTimerSet, NOT_ARMED, TimerSet, TimerSetStats, TimingWheel};

/// The longest the driver sleeps between checks (see the module doc).
const MAX_SLEEP: Duration = Duration::from_millis(1);

/// For how long one slice of the connections stays quiet.
const QUIET_EPOCH_NANOS: i64 = 250_000_000;

/// Into how many slices the connections are cut; one is quiet at a time.
const QUIET_SLICES: u64 = 10;

/// The backends `--backend` accepts; each has an arm in [`main`].
const BACKENDS: &[&str] = &["wheel", "heap"];

fn main() -> ExitCode {
    let config = match Config::from_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("idle_timeouts: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if config.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let report = match config.backend.as_str() {
        "wheel" => simulate(TimingWheel::default(), &config),
        "heap" => simulate(HeapTimerSet::default(), &config),
        other => {
            eprintln!(
                "idle_timeouts: unknown backend `{other}` (available: {})\n\n{USAGE}",
                BACKENDS.join(", ")
            );
            return ExitCode::from(2);
        }
    };
    report.print(&config);
    ExitCode::SUCCESS
}

const USAGE: &str = "\
usage: idle_timeouts [--backend wheel|heap] [--seconds N] [--workers N]
                     [--connections N] [--idle-ms N]

  --backend NAME     the timer set to run on (wheel or heap; default wheel)
  --seconds N        how long to run (2; fractions allowed)
  --workers N        threads receiving packets (CPU count - 1, at least 1)
  --connections N    connections, one idle timeout each (100000)
  --idle-ms N        the idle timeout (50)";

/// The command line.
struct Config {
    help: bool,
    backend: String,
    seconds: f64,
    workers: usize,
    connections: usize,
    idle_nanos: i64,
}

impl Config {
    fn from_args(mut args: impl Iterator<Item = String>) -> Result<Config, String> {
        let cpus = thread::available_parallelism().map_or(1, |n| n.get());
        let mut config = Config {
            help: false,
            backend: "wheel".to_owned(),
            seconds: 2.0,
            workers: cpus.saturating_sub(1).max(1),
            connections: 100_000,
            idle_nanos: 50_000_000,
        };
        while let Some(flag) = args.next() {
            if flag == "--help" || flag == "-h" {
                config.help = true;
                continue;
            }
            let value = args
                .next()
                .ok_or_else(|| format!("`{flag}` needs a value"))?;
            match flag.as_str() {
                "--backend" => config.backend = value,
                "--seconds" => {
                    config.seconds = parse_positive(&flag, &value)?;
                    if config.seconds > 1e9 {
                        return Err(format!("`{flag}` is too large: {value}"));
                    }
                }
                "--workers" => config.workers = parse_positive::<usize>(&flag, &value)?,
                "--connections" => config.connections = parse_positive(&flag, &value)?,
                "--idle-ms" => {
                    let millis: i64 = parse_positive(&flag, &value)?;
                    config.idle_nanos = millis
                        .checked_mul(1_000_000)
                        .ok_or_else(|| format!("`{flag}` is too large: {value}"))?;
                }
                _ => return Err(format!("unknown option `{flag}`")),
            }
        }
        Ok(config)
    }
}

fn parse_positive<T>(flag: &str, value: &str) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + Default,
{
    match value.parse::<T>() {
        Ok(number) if number > T::default() => Ok(number),
        _ => Err(format!("`{flag}` needs a positive number, got `{value}`")),
    }
}

/// The set's monotonic clock: nanoseconds since `origin`, plus 1 so that
/// every reading is a valid (positive) deadline.
#[derive(Clone, Copy)]
struct Clock {
    origin: Instant,
}

impl Clock {
    fn now(&self) -> i64 {
        i64::try_from(self.origin.elapsed().as_nanos()).map_or(i64::MAX, |nanos| nanos + 1)
    }
}

/// A xorshift64* generator: enough randomness for picking connections.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        // Spread small seeds over the state; the state must not be zero.
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (up to a bias of `n / 2^64`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

/// Whether connection `index` of `count` is in the slice kept quiet at `now`.
fn is_quiet(index: u64, count: u64, now: i64) -> bool {
    let quiet_slice = (now / QUIET_EPOCH_NANOS) as u64 % QUIET_SLICES;
    index * QUIET_SLICES / count == quiet_slice
}

/// What the timeout callback records. It runs on the driver thread only,
/// so the atomics never contend; they are atomics because a callback must
/// be `Sync`.
struct Timeouts {
    fired: AtomicU64,
    lateness: Histogram,
}

/// What one worker did.
#[derive(Default)]
struct WorkerTally {
    /// `reset` calls: packets received.
    resets: u64,
    /// Of those, the ones that found the timeout already fired.
    reopened: u64,
}

/// What the driver did.
struct DriverTally {
    checks: u64,
    /// The longest time one `check` call took, callbacks included, in ns.
    longest_check: i64,
}

/// The outcome of one run.
struct Report {
    backend: String,
    workers: usize,
    elapsed: Duration,
    resets: u64,
    reopened: u64,
    checks: u64,
    longest_check: i64,
    timeouts: Arc<Timeouts>,
    stats: TimerSetStats,
}

/// Runs the simulation on `set` for `config.seconds`, then stops every
/// thread it started and returns what happened.
fn simulate<S: TimerSet + 'static>(set: S, config: &Config) -> Report {
    let clock = Clock {
        origin: Instant::now(),
    };
    let timeouts = Arc::new(Timeouts {
        fired: AtomicU64::new(0),
        lateness: Histogram::new(),
    });
    // One callback shared by every connection's timer.
    let on_timeout = {
        let timeouts = timeouts.clone();
        gowheel::callback(move |_seq, delay| {
            // Relaxed: a counter read after the driver thread is joined,
            // which orders it.
            timeouts.fired.fetch_add(1, Ordering::Relaxed);
            timeouts.lateness.record(delay);
        })
    };
    let connections: Vec<S::Timer> = (0..config.connections)
        .map(|_| set.new_timer(on_timeout.clone()))
        .collect();

    let run_for = Duration::from_secs_f64(config.seconds);
    let stop_driver = AtomicBool::new(false);
    // Workers open their connections, then all start together.
    let start_line = Barrier::new(config.workers + 1);

    let (tallies, driver, elapsed) = thread::scope(|scope| {
        let driver = scope.spawn(|| drive(&set, clock, &stop_driver));
        let workers: Vec<_> = (0..config.workers)
            .map(|worker| {
                let (set, connections, start_line) = (&set, &connections, &start_line);
                scope.spawn(move || {
                    let mine = connections.iter().skip(worker).step_by(config.workers);
                    for timer in mine {
                        set.reset(timer, clock.now() + config.idle_nanos, 0);
                    }
                    start_line.wait();
                    receive_packets(set, connections, clock, config, worker as u64, run_for)
                })
            })
            .collect();
        start_line.wait();
        let started = Instant::now();
        let outcomes: Vec<_> = workers.into_iter().map(|worker| worker.join()).collect();
        let elapsed = started.elapsed();
        // Stop the driver even if a worker panicked, so that the scope can
        // end and the panic reach the caller. Relaxed: the flag publishes no
        // data; joining the driver orders everything it did.
        stop_driver.store(true, Ordering::Relaxed);
        let driver = driver.join().expect("the driver thread panicked");
        let tallies: Vec<WorkerTally> = outcomes
            .into_iter()
            .map(|outcome| outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect();
        (tallies, driver, elapsed)
    });

    // Every thread that operates on the set has stopped: the set must be
    // whole.
    set.verify();
    let stats = set.stats();
    Report {
        backend: config.backend.clone(),
        workers: config.workers,
        elapsed,
        resets: tallies.iter().map(|tally| tally.resets).sum(),
        reopened: tallies.iter().map(|tally| tally.reopened).sum(),
        checks: driver.checks,
        longest_check: driver.longest_check,
        timeouts,
        stats,
    }
}

/// One worker: receives packets on random connections until `run_for` has
/// passed, skipping the slice that is quiet at the time.
fn receive_packets<S: TimerSet>(
    set: &S,
    connections: &[S::Timer],
    clock: Clock,
    config: &Config,
    seed: u64,
    run_for: Duration,
) -> WorkerTally {
    let mut rng = XorShift::new(seed + 1);
    let mut tally = WorkerTally::default();
    let count = connections.len() as u64;
    let end = Instant::now() + run_for;
    while Instant::now() < end {
        // Look at the wall clock for the end only every so often.
        for _ in 0..256 {
            let index = rng.below(count);
            let now = clock.now();
            if is_quiet(index, count, now) {
                continue;
            }
            tally.resets += 1;
            let was_pending = set.reset(&connections[index as usize], now + config.idle_nanos, 0);
            if !was_pending {
                tally.reopened += 1;
            }
        }
    }
    tally
}

/// The driver: checks the set at its wake times until told to stop.
fn drive<S: TimerSet>(set: &S, clock: Clock, stop: &AtomicBool) -> DriverTally {
    let mut tally = DriverTally {
        checks: 0,
        longest_check: 0,
    };
    // Relaxed: see the store in `simulate`.
    while !stop.load(Ordering::Relaxed) {
        let before = clock.now();
        set.check(before);
        let now = clock.now();
        tally.checks += 1;
        tally.longest_check = tally.longest_check.max(now - before);
        let wake = set.wake_time();
        let sleep = if wake == NOT_ARMED {
            MAX_SLEEP
        } else {
            Duration::from_nanos(wake.saturating_sub(now).max(0) as u64).min(MAX_SLEEP)
        };
        if !sleep.is_zero() {
            thread::sleep(sleep);
        }
    }
    tally
}

impl Report {
    fn print(&self, config: &Config) {
        let seconds = self.elapsed.as_secs_f64();
        let rate = |count: u64| format!("{:>12}/s", group((count as f64 / seconds) as u64));
        let fired = self.timeouts.fired.load(Ordering::Relaxed);
        let lateness = &self.timeouts.lateness;
        println!(
            "idle_timeouts on the {} backend: {} connections, idle timeout {}, \
             {} worker thread{}, {:.2} s",
            self.backend,
            group(config.connections as u64),
            nanos(config.idle_nanos),
            self.workers,
            if self.workers == 1 { "" } else { "s" },
            seconds,
        );
        let row = |label: &str, count: u64, note: &str| {
            println!("  {label:<18}{:>13}  {note}", group(count));
        };
        println!();
        row("packets (resets)", self.resets, &rate(self.resets));
        row(
            "  reopening",
            self.reopened,
            "(a packet after the timeout fired)",
        );
        row("timeouts fired", fired, &rate(fired));
        row(
            "driver checks",
            self.checks,
            &format!(
                "{}   longest {}",
                rate(self.checks),
                nanos(self.longest_check)
            ),
        );
        if lateness.count() == 0 {
            println!("  lateness          no timeout fired");
        } else {
            println!(
                "  lateness          p50 {}, p99 {}, max {}",
                nanos(lateness.percentile(0.50)),
                nanos(lateness.percentile(0.99)),
                nanos(lateness.max()),
            );
            println!(
                "                    (delay passed to the callback; percentiles to within \
                 1/16; driver sleeps at most {})",
                nanos(MAX_SLEEP.as_nanos() as i64)
            );
        }
        println!("  set at the end    {}", self.stats);
        println!("  set.verify()      ok");
    }
}

/// `1234567` as `1,234,567`.
fn group(number: u64) -> String {
    let digits = number.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// A duration in nanoseconds, in the unit that reads best.
fn nanos(nanos: i64) -> String {
    let value = nanos as f64;
    if nanos < 1_000 {
        format!("{nanos} ns")
    } else if nanos < 1_000_000 {
        format!("{:.1} µs", value / 1e3)
    } else if nanos < 1_000_000_000 {
        format!("{:.2} ms", value / 1e6)
    } else {
        format!("{:.2} s", value / 1e9)
    }
}

/// A log-linear histogram of non-negative nanosecond values: 16 buckets per
/// power of two, so a bucket's bounds are within 1/16 of each other.
struct Histogram {
    buckets: Vec<AtomicU64>,
    max: AtomicI64,
}

/// Buckets per power of two, as a power of two.
const SUB_BUCKET_BITS: u32 = 4;
const SUB_BUCKETS: u64 = 1 << SUB_BUCKET_BITS;

impl Histogram {
    fn new() -> Histogram {
        // Values below 2 * SUB_BUCKETS get a bucket each; then SUB_BUCKETS
        // buckets for each power of two up to 2^62.
        let count = (64 - SUB_BUCKET_BITS as usize) * SUB_BUCKETS as usize;
        Histogram {
            buckets: (0..count).map(|_| AtomicU64::new(0)).collect(),
            max: AtomicI64::new(0),
        }
    }

    fn bucket_of(value: u64) -> usize {
        if value < 2 * SUB_BUCKETS {
            return value as usize;
        }
        let octave = 63 - value.leading_zeros(); // >= SUB_BUCKET_BITS + 1
        let shift = octave - SUB_BUCKET_BITS;
        let sub = (value >> shift) & (SUB_BUCKETS - 1);
        ((u64::from(shift) + 1) * SUB_BUCKETS + sub) as usize
    }

    /// The largest value that falls in bucket `index`.
    fn bucket_top(index: usize) -> u64 {
        let index = index as u64;
        if index < 2 * SUB_BUCKETS {
            return index;
        }
        let shift = index / SUB_BUCKETS - 1;
        let sub = index % SUB_BUCKETS;
        ((SUB_BUCKETS + sub + 1) << shift) - 1
    }

    fn record(&self, nanos: i64) {
        let value = nanos.max(0);
        // Relaxed: counters read after the recording thread is joined.
        self.buckets[Histogram::bucket_of(value as u64)].fetch_add(1, Ordering::Relaxed);
        self.max.fetch_max(value, Ordering::Relaxed);
    }

    fn count(&self) -> u64 {
        self.buckets
            .iter()
            .map(|bucket| bucket.load(Ordering::Relaxed))
            .sum()
    }

    fn max(&self) -> i64 {
        self.max.load(Ordering::Relaxed)
    }

    /// The top of the bucket holding the `fraction` quantile, or the exact
    /// maximum if that is lower.
    fn percentile(&self, fraction: f64) -> i64 {
        let rank = ((self.count() as f64 * fraction).ceil() as u64).max(1);
        let mut seen = 0;
        for (index, bucket) in self.buckets.iter().enumerate() {
            seen += bucket.load(Ordering::Relaxed);
            if seen >= rank {
                return (Histogram::bucket_top(index) as i64).min(self.max());
            }
        }
        self.max()
    }
}

// Cargo builds examples without their tests; run these with
// `cargo test -p gowheel --example idle_timeouts`.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_hold_their_values() {
        for value in (0..100_000).chain([u64::MAX >> 1, 1 << 40, (1 << 40) - 1]) {
            let index = Histogram::bucket_of(value);
            assert!(value <= Histogram::bucket_top(index), "{value}");
            if index > 0 {
                assert!(value > Histogram::bucket_top(index - 1), "{value}");
            }
        }
    }

    #[test]
    fn grouping() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000), "1,000");
        assert_eq!(group(12_345_678), "12,345,678");
    }
}
