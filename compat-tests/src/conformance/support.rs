//! What the conformance bodies share: the clock reading they start at,
//! Go's long durations, the expected-event constructor and an order check.

use std::sync::{Arc, OnceLock};

use gowheel::TimerSet;

use crate::harness::Tracked;
use crate::recorder::Fired;

/// The clock reading every single-threaded test starts at.
pub(super) const START: i64 = 1;

/// Nanoseconds in a minute, for Go's long durations.
pub(super) const MINUTE: i64 = 60_000_000_000;
/// Nanoseconds in an hour.
pub(super) const HOUR: i64 = 60 * MINUTE;

/// The event a timer with id `id` and `seq` logs when a check at `now` runs
/// it for its deadline `when`.
pub(super) fn fired(id: usize, seq: u64, when: i64, now: i64) -> Fired {
    Fired {
        id,
        seq,
        delay: now - when,
        now,
    }
}

/// Asserts that the deadlines of `events` never decrease.
pub(super) fn assert_when_order(events: &[Fired], what: &str) {
    for pair in events.windows(2) {
        assert!(
            pair[0].when() <= pair[1].when(),
            "{what}: {} ran before {}, which is due earlier",
            pair[0],
            pair[1]
        );
    }
}

/// A slot a callback can read its own timer from once the timer exists.
pub(super) type SelfSlot<S> = Arc<OnceLock<Tracked<<S as TimerSet>::Timer>>>;
