//! A thread that measures the machine's own pauses while a run goes on.
//!
//! The probe sleeps for a fixed period, over and over, and records how much
//! longer than the period each sleep took. It holds no lock and touches no
//! timer, so its oversleep is what any thread of the process can suffer
//! from the scheduler, the hypervisor or the kernel at that moment. A timer
//! that fires late while the probe overslept as much was held up by the
//! machine, not by the timers' code; the load report prints both so the two
//! can be told apart.
//!
//! On a virtual machine, the host can also take a CPU away while a thread
//! runs, or wake an idle one late: the guest sees a thread that ran, or
//! slept, milliseconds longer than it should. Linux counts the CPU time
//! the host took as *steal* (in `/proc/stat`); the probe reads it at its
//! start and end.
//!
//! ```
//! use gowheel_compat_tests::stall_probe::StallProbe;
//! use std::time::Duration;
//!
//! let probe = StallProbe::start(Duration::from_millis(1));
//! std::thread::sleep(Duration::from_millis(20));
//! let stalls = probe.finish();
//! assert!(stalls.oversleep.count() >= 1);
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::load::LatencyHistogram;

/// A running probe; [`finish`](Self::finish) stops it and returns what it
/// saw.
#[derive(Debug)]
pub struct StallProbe {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<LatencyHistogram>,
    steal_at_start: Option<Duration>,
}

/// What a [`StallProbe`] saw.
#[derive(Clone, Debug)]
pub struct MachineStalls {
    /// How much each of the probe's sleeps overran its period.
    pub oversleep: LatencyHistogram,
    /// CPU time the host took from this machine's CPUs meanwhile (steal,
    /// summed over CPUs); `None` where the kernel does not say.
    pub steal: Option<Duration>,
}

/// The steal time of all CPUs so far, from the first line of `/proc/stat`
/// (its eighth number, in clock ticks of 10 ms: `USER_HZ` is 100 on every
/// Linux architecture that matters here).
fn steal_so_far() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks: u64 = cpu.split_whitespace().nth(7)?.parse().ok()?;
    Some(Duration::from_millis(ticks.saturating_mul(10)))
}

impl StallProbe {
    /// Starts a probe thread that sleeps `period` at a time.
    ///
    /// # Panics
    ///
    /// If the thread cannot be spawned.
    pub fn start(period: Duration) -> StallProbe {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = thread::Builder::new()
            .name("stall-probe".to_owned())
            .spawn(move || {
                let mut oversleep = LatencyHistogram::new();
                // Relaxed: the flag carries no data; the join in `finish`
                // orders everything else.
                while !stopped.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    thread::sleep(period);
                    oversleep.record(started.elapsed().saturating_sub(period));
                }
                oversleep
            })
            .expect("spawning the stall probe");
        StallProbe {
            stop,
            thread,
            steal_at_start: steal_so_far(),
        }
    }

    /// Stops the probe and returns what it saw.
    ///
    /// # Panics
    ///
    /// If the probe thread panicked.
    pub fn finish(self) -> MachineStalls {
        self.stop.store(true, Ordering::Relaxed);
        let oversleep = self.thread.join().expect("the stall probe panicked");
        let steal = match (self.steal_at_start, steal_so_far()) {
            (Some(start), Some(end)) => Some(end.saturating_sub(start)),
            _ => None,
        };
        MachineStalls { oversleep, steal }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_records_one_oversleep_per_sleep() {
        let probe = StallProbe::start(Duration::from_millis(5));
        thread::sleep(Duration::from_millis(60));
        let stalls = probe.finish();
        // At most one sleep per period, and at least one (the first sleep
        // always runs before the flag is seen).
        let sleeps = stalls.oversleep.count();
        assert!((1..=13).contains(&sleeps), "{sleeps}");
    }

    #[test]
    fn steal_is_read_where_the_kernel_counts_it() {
        if cfg!(target_os = "linux") {
            assert!(steal_so_far().is_some(), "/proc/stat has a steal column");
        }
    }
}
