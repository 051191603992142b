//! The catalog of workloads: what each row is called, what it measures,
//! on how many threads, and whether Go's preamble of idle timers comes
//! first. The runners that perform them are built in `dispatch`.

use crate::pool;

use super::metric::Metric;

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
    /// A server under load on the real clock: many armed `after_func`
    /// timers due in seconds, reset at a steady rate from one thread; how
    /// late they fire, and how long the `reset` and `after_func` calls take
    /// meanwhile (see [`ServerLoadSize`](super::ServerLoadSize)). Reports
    /// several [`metrics`](Workload::metrics). Criterion times its resets.
    ServerLoad,
    /// Async tasks on one tokio runtime (1 and 2 workers), each wrapping a
    /// short operation in a timeout that almost never fires: gowheel's
    /// `timeout` future against `tokio::time::timeout`. Reports ops/s,
    /// bytes per pending timer and the p99 lateness of a sleep probe (see
    /// `async_timeouts.rs`). Run by `evaluate` only.
    AsyncTimeouts,
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

/// `10^k` as `1ek`, other counts as they are.
pub(super) fn count_name(count: usize) -> String {
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
            Workload::ServerLoad,
            Workload::AsyncTimeouts,
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
            Workload::ServerLoad => "ServerLoad".to_owned(),
            Workload::AsyncTimeouts => "AsyncTimeouts".to_owned(),
            Workload::Scale(count) => format!("Scale{}", count_name(count)),
            Workload::Memory(count) => format!("Memory{}", count_name(count)),
            Workload::TimerSetStartStop1000 => "TimerSetStartStop1000".to_owned(),
            Workload::TimerSetReset => "TimerSetReset".to_owned(),
            Workload::TimerSetMemory(count) => format!("TimerSetMemory{}", count_name(count)),
        }
    }

    /// How the result is expressed: for a workload that reports several
    /// metrics, the first of them.
    pub fn metric(self) -> Metric {
        match self {
            Workload::ParallelTimerLatency | Workload::ServerLoad => Metric::P99Lateness,
            Workload::IdleTimeouts => Metric::ResetsPerSecond,
            Workload::AsyncTimeouts => Metric::OpsPerSecond,
            Workload::Scale(_) => Metric::TimePerStartStop,
            Workload::Memory(_) | Workload::TimerSetMemory(_) => Metric::BytesPerTimer,
            _ => Metric::TimePerOp,
        }
    }

    /// Every metric it reports, one record each: ServerLoad's lateness
    /// percentiles, call latencies and reached rate; one for the others.
    ///
    /// ```
    /// use gowheel_benches::{Metric, Workload};
    /// assert_eq!(Workload::Stop.metrics(), [Metric::TimePerOp]);
    /// assert_eq!(Workload::ServerLoad.metrics()[0], Workload::ServerLoad.metric());
    /// ```
    pub fn metrics(self) -> Vec<Metric> {
        match self {
            Workload::ServerLoad => vec![
                Metric::P99Lateness,
                Metric::P50Lateness,
                Metric::MaxLateness,
                Metric::ResetCallP999,
                Metric::AfterFuncCallP999,
                Metric::ResetsPerSecond,
            ],
            Workload::AsyncTimeouts => vec![
                Metric::OpsPerSecond,
                Metric::BytesPerTimer,
                Metric::P99Lateness,
            ],
            _ => vec![self.metric()],
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

    /// Whether each thread first makes Go's preamble of idle timers. Scale,
    /// Memory and ServerLoad bring their own population;
    /// ParallelTimerLatency has none in Go either.
    pub fn has_preamble(self) -> bool {
        !matches!(
            self,
            Workload::ServerLoad
                | Workload::AsyncTimeouts
                | Workload::Scale(_)
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
}
