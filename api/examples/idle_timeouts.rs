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
//! `--idle-ms N` (50); a value follows its option or an `=` (`--seconds=0.5`).
//!
//! Each worker picks connections with a generator seeded by its index, so
//! the sequence of packets a worker sends is the same from run to run.
//!
//! # Recording
//!
//! `--record FILE` runs the same server on the time-package layer instead:
//! a [`gowheel::Runtime`] of the chosen backend built with
//! `RuntimeBuilder::record` and `metrics`, each connection an `after_func`
//! timer that workers `reset`, every operation and firing written to FILE
//! as a timed trace for `evaluate --trace`. Packets are paced at `--rate`
//! per second over all workers (20 000 by default when recording, so that
//! ten seconds make a trace of a few hundred thousand lines); the runtime's
//! metrics are printed at the end.
//!
//! ```text
//! cargo run --release -p gowheel --example idle_timeouts -- --record idle.trace --seconds 10 --connections 10000
//! cargo run --release -p gowheel-benches --bin evaluate -- --trace idle.trace
//! ```

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use gowheel::{HeapTimerSet, NOT_ARMED, TimerSet, TimerSetStats, TimingWheel};
use hdrhistogram::Histogram;

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
    if let Some(path) = &config.record {
        return record(&config, path);
    }
    let report = match config.backend.as_str() {
        "wheel" => simulate(TimingWheel::default(), &config),
        "heap" => simulate(HeapTimerSet::default(), &config),
        other => unreachable!("--backend {other} was refused when parsed"),
    };
    report.print(&config);
    ExitCode::SUCCESS
}

const USAGE: &str = "\
usage: idle_timeouts [--backend wheel|heap] [--seconds N] [--workers N]
                     [--connections N] [--idle-ms N] [--record FILE] [--rate N]

  --backend NAME     the timer set to run on (wheel or heap; default wheel)
  --seconds N        how long to run (2; fractions allowed)
  --workers N        threads receiving packets (CPU count - 1, at least 1)
  --connections N    connections, one idle timeout each (100000)
  --idle-ms N        the idle timeout (50)
  --record FILE      run on the time-package layer (a Runtime, after_func
                     timers) and record every operation to FILE as a timed
                     trace for `evaluate --trace`
  --rate N           packets per second over all workers (default: as fast
                     as they go; 20000 with --record)
  --help, -h         this text

A value follows its option or an `=` (`--seconds 0.5` or `--seconds=0.5`).";

/// The command line.
struct Config {
    help: bool,
    backend: String,
    seconds: f64,
    workers: usize,
    connections: usize,
    idle_nanos: i64,
    record: Option<PathBuf>,
    rate: Option<f64>,
}

impl Config {
    /// Reads the arguments (the program name left out).
    fn from_args<Arg: Into<OsString>>(
        args: impl IntoIterator<Item = Arg>,
    ) -> Result<Config, lexopt::Error> {
        use lexopt::prelude::*;
        let cpus = thread::available_parallelism().map_or(1, |n| n.get());
        let mut config = Config {
            help: false,
            backend: "wheel".to_owned(),
            seconds: 2.0,
            workers: cpus.saturating_sub(1).max(1),
            connections: 100_000,
            idle_nanos: 50_000_000,
            record: None,
            rate: None,
        };
        let mut parser = lexopt::Parser::from_args(args);
        while let Some(arg) = parser.next()? {
            match arg {
                Long("help") | Short('h') => config.help = true,
                Long("backend") => {
                    let name = parser.value()?.string()?;
                    if !BACKENDS.contains(&name.as_str()) {
                        return Err(format!(
                            "`--backend` {name} is not one of {}",
                            BACKENDS.join(", ")
                        )
                        .into());
                    }
                    config.backend = name;
                }
                Long("seconds") => {
                    config.seconds = positive(&mut parser, "--seconds")?;
                    if config.seconds > 1e9 {
                        return Err(format!("`--seconds` is too large: {}", config.seconds).into());
                    }
                }
                Long("workers") => config.workers = positive(&mut parser, "--workers")?,
                Long("connections") => {
                    config.connections = positive(&mut parser, "--connections")?;
                }
                Long("record") => config.record = Some(parser.value()?.into()),
                Long("rate") => config.rate = Some(positive(&mut parser, "--rate")?),
                Long("idle-ms") => {
                    let millis: i64 = positive(&mut parser, "--idle-ms")?;
                    config.idle_nanos = millis
                        .checked_mul(1_000_000)
                        .ok_or_else(|| format!("`--idle-ms` is too large: {millis}"))?;
                }
                _ => return Err(arg.unexpected()),
            }
        }
        Ok(config)
    }
}

/// The value of `option`, the next argument, as a positive number.
fn positive<T>(parser: &mut lexopt::Parser, option: &str) -> Result<T, lexopt::Error>
where
    T: FromStr + PartialOrd + Default,
{
    use lexopt::ValueExt;
    let value = parser.value()?.string()?;
    match value.parse::<T>() {
        Ok(number) if number > T::default() => Ok(number),
        _ => Err(format!("`{option}` needs a positive number, got `{value}`").into()),
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

/// Whether connection `index` of `count` is in the slice kept quiet at `now`.
fn is_quiet(index: u64, count: u64, now: i64) -> bool {
    let quiet_slice = (now / QUIET_EPOCH_NANOS) as u64 % QUIET_SLICES;
    index * QUIET_SLICES / count == quiet_slice
}

/// Significant figures the lateness histogram keeps: its percentiles are
/// within 1% of the values recorded.
const LATENESS_SIGNIFICANT_FIGURES: u8 = 2;

/// What the timeout callback records: the lateness of every timeout that
/// fired, in nanoseconds. The callback runs on the driver thread only, so
/// the mutex is never contended; it is there because a callback must be
/// `Sync`.
struct Timeouts {
    lateness: Mutex<Histogram<u64>>,
}

/// An empty lateness histogram for every non-negative `i64` of
/// nanoseconds, sized once so that recording never allocates.
fn lateness_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, i64::MAX as u64, LATENESS_SIGNIFICANT_FIGURES)
        .expect("1..=i64::MAX at 2 significant figures is a valid histogram")
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
        lateness: Mutex::new(lateness_histogram()),
    });
    // One callback shared by every connection's timer.
    let on_timeout = {
        let timeouts = timeouts.clone();
        gowheel::callback(move |_seq, delay| {
            timeouts
                .lateness
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .saturating_record(delay.max(0) as u64);
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
    let mut rng = fastrand::Rng::with_seed(seed + 1);
    let mut tally = WorkerTally::default();
    let count = connections.len() as u64;
    let end = Instant::now() + run_for;
    while Instant::now() < end {
        // Look at the wall clock for the end only every so often.
        for _ in 0..256 {
            let index = rng.u64(..count);
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
        let lateness = self
            .timeouts
            .lateness
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let fired = lateness.len();
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
        if lateness.is_empty() {
            println!("  lateness          no timeout fired");
        } else {
            println!(
                "  lateness          p50 {}, p99 {}, max {}",
                nanos(percentile(&lateness, 0.50)),
                nanos(percentile(&lateness, 0.99)),
                nanos(lateness.max() as i64),
            );
            println!(
                "                    (delay passed to the callback, to within 1%; driver \
                 sleeps at most {})",
                nanos(MAX_SLEEP.as_nanos() as i64)
            );
        }
        println!("  set at the end    {}", self.stats);
        println!("  set.verify()      ok");
    }
}

/// `--record FILE`: the server on a recording runtime (see the module
/// doc), then its metrics.
fn record(config: &Config, path: &std::path::Path) -> ExitCode {
    let file = match std::fs::File::create(path) {
        Ok(file) => file,
        Err(error) => {
            eprintln!("idle_timeouts: cannot create {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let backend = match config.backend.as_str() {
        "heap" => gowheel::Backend::Heap,
        _ => gowheel::Backend::Wheel,
    };
    let runtime = gowheel::Runtime::builder()
        .backend(backend)
        .record(file)
        .metrics()
        .build();
    let idle = Duration::from_nanos(config.idle_nanos as u64);
    let run_for = Duration::from_secs_f64(config.seconds);
    let per_worker = config.rate.unwrap_or(20_000.0) / config.workers as f64;
    let start_line = Barrier::new(config.workers);
    let started = Instant::now();
    let tallies: Vec<WorkerTally> = thread::scope(|scope| {
        let workers: Vec<_> = (0..config.workers)
            .map(|worker| {
                let (runtime, start_line) = (&runtime, &start_line);
                scope.spawn(move || {
                    // Each worker opens its share of the connections, then
                    // receives packets on random ones of them.
                    let mine: Vec<gowheel::AfterFunc> = (worker..config.connections)
                        .step_by(config.workers)
                        .map(|_| runtime.after_func(idle, || {}))
                        .collect();
                    start_line.wait();
                    let mut rng = fastrand::Rng::with_seed(worker as u64 + 1);
                    let mut tally = WorkerTally::default();
                    let begin = Instant::now();
                    let count = mine.len() as u64;
                    while begin.elapsed() < run_for && count > 0 {
                        let index = rng.u64(..count);
                        let global = index * config.workers as u64 + worker as u64;
                        let now = begin.elapsed().as_nanos() as i64;
                        if is_quiet(global, config.connections as u64, now) {
                            continue;
                        }
                        tally.resets += 1;
                        if !mine[index as usize].reset(idle) {
                            tally.reopened += 1;
                        }
                        // Pace: packet n of this worker is due at n / rate.
                        let due = Duration::from_secs_f64(tally.resets as f64 / per_worker);
                        if let Some(ahead) = due.checked_sub(begin.elapsed()) {
                            thread::sleep(ahead);
                        }
                    }
                    tally
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a worker panicked"))
            .collect()
    });
    let elapsed = started.elapsed();
    let resets: u64 = tallies.iter().map(|tally| tally.resets).sum();
    let reopened: u64 = tallies.iter().map(|tally| tally.reopened).sum();
    println!(
        "idle_timeouts recorded on the {} backend: {} connections, idle timeout {}, {} \
         worker thread{}, {:.2} s",
        config.backend,
        group(config.connections as u64),
        nanos(config.idle_nanos),
        config.workers,
        if config.workers == 1 { "" } else { "s" },
        elapsed.as_secs_f64()
    );
    println!(
        "  packets (resets) {}, of which reopening {}",
        group(resets),
        group(reopened)
    );
    if let Some(metrics) = runtime.metrics() {
        println!("  runtime metrics:");
        for line in metrics.to_string().lines() {
            println!("    {line}");
        }
    }
    match runtime.flush_record() {
        Ok(()) => {
            println!("  trace written to {}", path.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("idle_timeouts: writing {} failed: {error}", path.display());
            ExitCode::FAILURE
        }
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

/// The `quantile` (0..=1) of the recorded values, in ns: the top of its
/// bucket, or the maximum's if that is lower.
fn percentile(histogram: &Histogram<u64>, quantile: f64) -> i64 {
    histogram
        .value_at_quantile(quantile)
        .min(histogram.max())
        .try_into()
        .unwrap_or(i64::MAX)
}

// Cargo builds examples without their tests; run these with
// `cargo test -p gowheel --example idle_timeouts`.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_hold_their_values_within_a_percent() {
        let histogram = lateness_histogram();
        for value in (0..100_000).chain([u64::MAX >> 1, 1 << 40, (1 << 40) - 1]) {
            let lowest = histogram.lowest_equivalent(value);
            let highest = histogram.highest_equivalent(value);
            assert!(lowest <= value && value <= highest, "{value}");
            assert!(
                highest - lowest <= value / 100,
                "{value}: {lowest}..={highest}"
            );
        }
    }

    #[test]
    fn percentiles_are_at_most_the_maximum() {
        let mut histogram = lateness_histogram();
        for value in 1..=1000 {
            histogram.saturating_record(value);
        }
        let max = histogram.max() as i64;
        assert!((1000..=1010).contains(&max), "{max}");
        assert_eq!(percentile(&histogram, 1.0), max);
        let median = percentile(&histogram, 0.5);
        assert!((495..=505).contains(&median), "{median}");
    }

    #[test]
    fn options_take_their_value_after_a_space_or_an_equals_sign() {
        let spaced = Config::from_args([
            "--backend",
            "heap",
            "--seconds",
            "0.5",
            "--workers",
            "3",
            "--idle-ms",
            "7",
        ])
        .expect("valid");
        let joined = Config::from_args([
            "--backend=heap",
            "--seconds=0.5",
            "--workers=3",
            "--idle-ms=7",
        ])
        .expect("valid");
        for config in [spaced, joined] {
            assert_eq!(config.backend, "heap");
            assert_eq!(config.seconds, 0.5);
            assert_eq!(config.workers, 3);
            assert_eq!(config.idle_nanos, 7_000_000);
            assert_eq!(config.connections, 100_000);
            assert!(!config.help);
        }
        assert!(Config::from_args(["-h"]).expect("valid").help);
    }

    #[test]
    fn errors_name_the_option() {
        let error = |args: &[&str]| {
            Config::from_args(args.iter().copied())
                .err()
                .expect("an error")
                .to_string()
        };
        assert!(error(&["--bogus"]).contains("--bogus"));
        assert!(error(&["--workers", "0"]).contains("--workers"));
        assert!(error(&["--seconds"]).contains("--seconds"));
        assert!(error(&["--backend=tokio"]).contains("--backend"));
    }

    #[test]
    fn grouping() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000), "1,000");
        assert_eq!(group(12_345_678), "12,345,678");
    }
}
