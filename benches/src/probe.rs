//! Memory, measured in a fresh child process.
//!
//! Resident-memory growth is only meaningful in a process whose allocator
//! has not already freed and kept memory from earlier work, so each memory
//! measurement runs in a child: the benchmark binary itself (`evaluate` or
//! the criterion bench), started again with [`PROBE_ENV`] set, which every
//! such binary checks first thing ([`run_if_requested`]). The child fills
//! the population, reports resident bytes per timer (handles stored in a
//! vector, as a server keeps them in its connection table, so they count),
//! and for Scale goes on to time start+stop pairs with the same population
//! armed.

use std::io::Write;
use std::process::Command;
use std::time::Duration;

use crate::backend::{BackendKind, QueueVisitor, TimerQueue, with_queue};
use crate::measure;
use crate::resident::resident_bytes;
use crate::workloads::{Sizes, Workload, idle_duration};

/// The environment variable that turns a benchmark binary into a probe.
pub const PROBE_ENV: &str = "GOWHEEL_BENCH_PROBE";

/// What a probe measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probe {
    /// `timers` time-package timers (Memory), then, for `scale_budget`,
    /// start+stop pairs among them (Scale); a zero budget skips Scale.
    Population {
        /// The backend.
        backend: BackendKind,
        /// How many idle timers.
        timers: usize,
        /// How long to time Scale for.
        scale_budget: Duration,
    },
    /// `timers` runtime-layer timers sharing one callback (TimerSetMemory).
    TimerSet {
        /// The backend.
        backend: BackendKind,
        /// How many timers.
        timers: usize,
    },
}

/// What a probe reports.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProbeReport {
    /// Resident bytes per live timer.
    pub bytes_per_timer: f64,
    /// Nanoseconds per start+stop pair among the population, if timed.
    pub ns_per_start_stop: Option<f64>,
}

impl Probe {
    fn encode(self) -> String {
        match self {
            Probe::Population {
                backend,
                timers,
                scale_budget,
            } => format!("population {backend} {timers} {}", scale_budget.as_millis()),
            Probe::TimerSet { backend, timers } => format!("timer-set {backend} {timers}"),
        }
    }

    fn decode(text: &str) -> Result<Probe, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let backend = |name: &str| {
            BackendKind::from_name(name).ok_or_else(|| format!("unknown backend {name:?}"))
        };
        let number = |word: &str| {
            word.parse::<u64>()
                .map_err(|error| format!("bad number {word:?}: {error}"))
        };
        match words.as_slice() {
            ["population", name, timers, budget_ms] => Ok(Probe::Population {
                backend: backend(name)?,
                timers: number(timers)? as usize,
                scale_budget: Duration::from_millis(number(budget_ms)?),
            }),
            ["timer-set", name, timers] => Ok(Probe::TimerSet {
                backend: backend(name)?,
                timers: number(timers)? as usize,
            }),
            _ => Err(format!("unknown probe {text:?}")),
        }
    }

    /// The memory workload this probe measures.
    pub fn workload(self) -> Workload {
        match self {
            Probe::Population { timers, .. } => Workload::Memory(timers),
            Probe::TimerSet { timers, .. } => Workload::TimerSetMemory(timers),
        }
    }

    /// Runs the probe in a child process (this executable again) and reads
    /// its report.
    ///
    /// # Errors
    ///
    /// If the child cannot be started, fails, or reports nothing readable.
    pub fn run_in_child(self) -> Result<ProbeReport, String> {
        let exe = std::env::current_exe()
            .map_err(|error| format!("cannot find this executable: {error}"))?;
        let output = Command::new(exe)
            .env(PROBE_ENV, self.encode())
            .output()
            .map_err(|error| format!("cannot start the probe: {error}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            return Err(format!(
                "the probe `{}` failed ({}): {}",
                self.encode(),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        let mut report = ProbeReport::default();
        let mut seen_bytes = false;
        for line in stdout.lines() {
            let mut words = line.split_whitespace();
            let (Some(key), Some(value)) = (words.next(), words.next()) else {
                continue;
            };
            let value: f64 = value
                .parse()
                .map_err(|error| format!("bad probe output {line:?}: {error}"))?;
            match key {
                "bytes_per_timer" => {
                    report.bytes_per_timer = value;
                    seen_bytes = true;
                }
                "ns_per_start_stop" => report.ns_per_start_stop = Some(value),
                _ => {}
            }
        }
        if !seen_bytes {
            return Err(format!("the probe printed no result: {stdout:?}"));
        }
        Ok(report)
    }

    /// Runs the probe in this process and prints its report.
    fn run_here(self) -> Result<(), String> {
        let report = match self {
            Probe::Population {
                backend,
                timers,
                scale_budget,
            } => {
                let mut runner = Workload::Scale(timers).runner(backend, 1, Sizes::FULL);
                let bytes_per_timer = runner
                    .resident_bytes_per_timer()
                    .ok_or("resident memory cannot be read here")?;
                let ns_per_start_stop = (!scale_budget.is_zero()).then(|| {
                    let workload = Workload::Scale(timers);
                    measure::time_per_iteration(&mut *runner, scale_budget, workload.min_iters())
                });
                ProbeReport {
                    bytes_per_timer,
                    ns_per_start_stop,
                }
            }
            Probe::TimerSet { backend, timers } => with_queue(backend, MeasureTimerSet { timers })?,
        };
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "bytes_per_timer {}", report.bytes_per_timer);
        if let Some(ns) = report.ns_per_start_stop {
            let _ = writeln!(stdout, "ns_per_start_stop {ns}");
        }
        Ok(())
    }
}

/// If this process was started as a probe, runs it and exits; otherwise
/// returns at once. Call it first in `main`.
pub fn run_if_requested() {
    let Ok(text) = std::env::var(PROBE_ENV) else {
        return;
    };
    let result = Probe::decode(&text).and_then(Probe::run_here);
    match result {
        Ok(()) => std::process::exit(0),
        Err(message) => {
            eprintln!("probe: {message}");
            std::process::exit(1)
        }
    }
}

struct MeasureTimerSet {
    timers: usize,
}

impl QueueVisitor for MeasureTimerSet {
    type Output = Result<ProbeReport, String>;

    fn visit<Q: TimerQueue>(self, mut queue: Q) -> Result<ProbeReport, String> {
        let handle = queue.runtime_handle();
        let _context = handle.as_ref().map(|handle| handle.enter());
        let mut rng = fastrand::Rng::with_seed(self.timers as u64);
        let before = resident_bytes()?;
        let mut keys = Vec::with_capacity(self.timers);
        for _ in 0..self.timers {
            keys.push(queue.insert(idle_duration(&mut rng)));
        }
        let after = resident_bytes()?;
        let bytes_per_timer = after.saturating_sub(before) as f64 / self.timers.max(1) as f64;
        for key in keys {
            queue.remove(key);
        }
        Ok(ProbeReport {
            bytes_per_timer,
            ns_per_start_stop: None,
        })
    }
}
