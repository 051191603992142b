//! The time layer's fixed costs: what every `after_func` and `reset` pays on
//! this machine before any timer set is touched, on every backend alike.
//!
//! Go's `AfterFunc(d)` and `t.Reset(d)` read the monotonic clock to turn
//! `d` into a deadline, and `AfterFunc` allocates the timer with its
//! function; gowheel's do the same (a clock read, and one allocation for
//! the callback). These costs set a floor under the time-package rows of
//! the report, so `evaluate` measures them and says so beside the targets.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The fixed costs, in nanoseconds per call.
#[derive(Clone, Copy, Debug)]
pub struct Floor {
    /// One `Instant::now()` (the runtime's clock read).
    pub clock_read_ns: f64,
    /// Allocating an `after_func`-style callback and dropping it.
    pub callback_ns: f64,
}

/// Measures the floor: the median of three timed runs of each, sized to
/// take a few milliseconds.
pub fn measure() -> Floor {
    Floor {
        clock_read_ns: median_ns_per_call(|| {
            black_box(Instant::now());
        }),
        callback_ns: median_ns_per_call(|| {
            // As `Runtime::after_func` wraps a function that captures
            // nothing, the commonest case.
            let function = black_box(|| {});
            black_box(gowheel::callback(move |_seq, _delay| function()));
        }),
    }
}

fn median_ns_per_call(mut call: impl FnMut()) -> f64 {
    const CALLS: u32 = 200_000;
    let mut runs: Vec<f64> = (0..3)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..CALLS {
                call();
            }
            duration_ns(started.elapsed()) / f64::from(CALLS)
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[1]
}

fn duration_ns(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e9
}

impl Floor {
    /// The report's note on the floor.
    pub fn note(&self) -> String {
        format!(
            "The time layer's fixed costs on this machine, the same for every backend: a \
             clock read (`Instant::now`, as Go's `nanotime`) takes {:.1} ns and is paid by \
             every `after_func` and every `reset`; allocating and freeing an `after_func` \
             callback takes {:.1} ns. So a start+stop pair costs at least {:.1} ns and a \
             reset at least {:.1} ns before any timer set is touched; the runtime-layer rows \
             (`TimerSet…`) measure the sets without them.",
            self.clock_read_ns,
            self.callback_ns,
            self.clock_read_ns + self.callback_ns,
            self.clock_read_ns,
        )
    }
}
