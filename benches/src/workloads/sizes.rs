//! The sizes of a run: Go's, for measuring, or tiny, for a smoke test that
//! only checks that every row runs.

use crate::pool::GO_PREAMBLE_TIMERS;

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
