//! The sizes of a run: Go's, for measuring, or tiny, for a smoke test that
//! only checks that every row runs; and the sizes of ServerLoad, whose
//! full size takes long enough that `evaluate` runs it scaled down.

use std::fmt;
use std::time::Duration;

use crate::pool::GO_PREAMBLE_TIMERS;

use super::async_timeouts::AsyncTimeoutsSize;
use super::workload::count_name;

/// The sizes of a run: Go's (full) or tiny, for a smoke test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// Idle `AfterFunc(Hour)` timers each thread makes first (Go's
    /// `benchmark()` helper).
    pub preamble: usize,
    /// Connections of IdleTimeouts, across all threads.
    pub idle_timeouts: usize,
    /// ServerLoad's load.
    pub server_load: ServerLoadSize,
    /// AsyncTimeouts' tasks, duration and memory population.
    pub async_timeouts: AsyncTimeoutsSize,
}

impl Sizes {
    /// Go's preamble, 10^6 idle timeouts, and ServerLoad at full size.
    pub const FULL: Sizes = Sizes {
        preamble: GO_PREAMBLE_TIMERS,
        idle_timeouts: 1_000_000,
        server_load: ServerLoadSize::FULL,
        async_timeouts: AsyncTimeoutsSize::SHORT,
    };

    /// Tiny, to check that everything runs.
    pub const SMOKE: Sizes = Sizes {
        preamble: 64,
        idle_timeouts: 1_000,
        server_load: ServerLoadSize::SMOKE,
        async_timeouts: AsyncTimeoutsSize::SMOKE,
    };
}

/// The load of a ServerLoad run: `timers` armed `after_func` timers, each
/// due a uniformly random delay in `[min_delay, max_delay]` away, reset to
/// new such delays at `resets_per_second` from one thread for `duration`,
/// while the same thread arms (and at once stops) `after_funcs_per_second`
/// fresh timers.
///
/// ```
/// use gowheel_benches::workloads::ServerLoadSize;
/// assert_eq!(
///     ServerLoadSize::SHORT.to_string(),
///     "1e5 timers, 1e5 resets/s for 3s (delays 1s to 5s; 1e4 after_func/s)"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerLoadSize {
    /// Timers armed, and kept armed by the resets.
    pub timers: usize,
    /// Resets per second asked for (reached if the backend keeps up).
    pub resets_per_second: u64,
    /// How long the resets go on.
    pub duration: Duration,
    /// The shortest delay a timer is armed or reset to.
    pub min_delay: Duration,
    /// The longest delay a timer is armed or reset to.
    pub max_delay: Duration,
    /// Fresh `after_func` timers armed per second during the load, to time
    /// the call.
    pub after_funcs_per_second: u64,
}

impl ServerLoadSize {
    /// The size the targets are set at: 10^6 timers reset 10^6 times a
    /// second for 10 s, delays 1 s to 5 s, 10^4 fresh `after_func` a second.
    pub const FULL: ServerLoadSize = ServerLoadSize {
        timers: 1_000_000,
        resets_per_second: 1_000_000,
        duration: Duration::from_secs(10),
        min_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(5),
        after_funcs_per_second: 10_000,
    };

    /// `evaluate`'s short run: a tenth of the timers and of the rate, for
    /// 3 s; the same delays.
    pub const SHORT: ServerLoadSize = ServerLoadSize {
        timers: 100_000,
        resets_per_second: 100_000,
        duration: Duration::from_secs(3),
        ..ServerLoadSize::FULL
    };

    /// Tiny, to check that everything runs: delays short enough that timers
    /// fire within the run.
    pub const SMOKE: ServerLoadSize = ServerLoadSize {
        timers: 1_000,
        resets_per_second: 10_000,
        duration: Duration::from_millis(300),
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        after_funcs_per_second: 1_000,
    };
}

impl ServerLoadSize {
    /// The load in short: timers, rate and duration.
    ///
    /// ```
    /// use gowheel_benches::workloads::ServerLoadSize;
    /// assert_eq!(ServerLoadSize::FULL.load(), "1e6 timers, 1e6 resets/s for 10s");
    /// ```
    pub fn load(&self) -> String {
        format!(
            "{} timers, {} resets/s for {:?}",
            count_name(self.timers),
            count_name(self.resets_per_second as usize),
            self.duration,
        )
    }
}

impl fmt::Display for ServerLoadSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (delays {:?} to {:?}; {} after_func/s)",
            self.load(),
            self.min_delay,
            self.max_delay,
            count_name(self.after_funcs_per_second as usize),
        )
    }
}
