//! Saturation at `MAX_WHEN` (Go's `TestOverflowPeriodRuntimeTimer`): a
//! deadline at `MAX_WHEN` never fires, a periodic timer whose next deadline
//! overflows parks there, and every periodic re-arm matches
//! `next_periodic_when`.

use gowheel::{MAX_WHEN, next_periodic_when};

use super::support::{START, fired};
use crate::go_rules::expected_next_periodic_when;
use crate::harness::{Harness, TestableSet};

/// A deadline of `i64::MAX` ([`MAX_WHEN`]) is pending but never reached: a
/// check at `i64::MAX - 1` runs nothing, and the timer is still pending.
pub fn deadline_at_max_when_never_fires<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let far = h.new_timer();
    let far_periodic = h.new_timer();
    assert!(!h.reset(&far, MAX_WHEN, 0));
    assert!(!h.reset(&far_periodic, MAX_WHEN, 1));
    assert_eq!(h.check(1_000), MAX_WHEN);
    assert_eq!(h.check(MAX_WHEN - 1), MAX_WHEN);
    assert_eq!(h.take_fired(), vec![]);
    assert!(h.stop(&far), "still pending");
    assert!(h.stop(&far_periodic), "still pending");
}

/// A periodic timer whose next deadline overflows re-arms at [`MAX_WHEN`]
/// (saturating, as Go's `if next < 0 { next = maxWhen }`), is still
/// pending, and never runs again, whether the overflow comes from the
/// period, from `when`, or from a very late check.
pub fn periodic_timer_saturates_at_max_when<S: TestableSet>(new_set: impl Fn() -> S) {
    // The period overflows.
    let h = Harness::new(new_set(), START);
    let ticker = h.new_timer();
    h.reset(&ticker, 1_000, MAX_WHEN);
    assert_eq!(h.check(1_000), MAX_WHEN, "1000 + i64::MAX saturates");
    assert_eq!(h.take_fired(), vec![fired(ticker.id(), 0, 1_000, 1_000)]);
    assert_eq!(h.check(MAX_WHEN - 1), MAX_WHEN);
    assert_eq!(h.take_fired(), vec![]);
    assert!(h.stop(&ticker), "parked at MAX_WHEN, still pending");

    // `when` runs into the end of time.
    let h = Harness::new(new_set(), START);
    let ticker = h.new_timer();
    h.reset(&ticker, MAX_WHEN - 100, 60);
    assert_eq!(h.check(MAX_WHEN - 100), MAX_WHEN - 40);
    assert_eq!(
        h.check(MAX_WHEN - 40),
        MAX_WHEN,
        "MAX_WHEN - 40 + 60 saturates"
    );
    assert_eq!(
        h.take_fired(),
        vec![
            fired(ticker.id(), 0, MAX_WHEN - 100, MAX_WHEN - 100),
            fired(ticker.id(), 0, MAX_WHEN - 40, MAX_WHEN - 40),
        ]
    );
    h.check(MAX_WHEN - 1);
    assert_eq!(h.take_fired(), vec![]);
    assert!(h.stop(&ticker), "parked at MAX_WHEN, still pending");

    // A check so late that `period * (1 + delay / period)` overflows.
    let h = Harness::new(new_set(), START);
    let ticker = h.new_timer();
    h.reset(&ticker, 100, 7);
    let delay = MAX_WHEN - 1 - 100;
    assert!(
        i64::checked_add(100, 7 * (1 + delay / 7)).is_none(),
        "the case must overflow"
    );
    assert_eq!(h.check(MAX_WHEN - 1), MAX_WHEN);
    assert_eq!(
        h.take_fired(),
        vec![fired(ticker.id(), 0, 100, MAX_WHEN - 1)]
    );
    h.check(MAX_WHEN - 1);
    assert_eq!(h.take_fired(), vec![]);
    assert!(h.stop(&ticker), "parked at MAX_WHEN, still pending");
}

/// For edge cases of `(when, period, delay)`, a periodic timer checked
/// `delay` late re-arms at exactly [`next_periodic_when`], which is the
/// saturated `when + period * (1 + delay / period)`: it runs there with
/// `delay == 0` (or never, at [`MAX_WHEN`]).
pub fn periodic_rearm_matches_next_periodic_when<S: TestableSet>(new_set: impl Fn() -> S) {
    let cases = [
        (100, 10, 0),
        (100, 10, 25),
        (100, 10, 30),
        (1, MAX_WHEN, 0),
        (MAX_WHEN - 5, 10, 0),
        (MAX_WHEN - 2, 1, 0),
        (1 << 61, 1 << 61, 0),
        (1 << 62, 1 << 62, 0),
        (MAX_WHEN / 2, MAX_WHEN / 2 + 1, 0),
        (5, 3, MAX_WHEN - 10),
        (1, 1, MAX_WHEN - 2),
        (1, 2, MAX_WHEN - 3),
    ];
    for (when, period, delay) in cases {
        let case = format!("when={when} period={period} delay={delay}");
        let next = next_periodic_when(when, period, delay);
        assert_eq!(
            next,
            expected_next_periodic_when(when, period, delay),
            "{case}"
        );

        let h = Harness::new(new_set(), START);
        let ticker = h.new_timer();
        h.reset(&ticker, when, period);
        h.check(when + delay);
        assert_eq!(
            h.take_fired(),
            vec![fired(ticker.id(), 0, when, when + delay)],
            "{case}"
        );
        if next < MAX_WHEN {
            assert_eq!(h.check(next - 1), next, "{case}");
            assert_eq!(h.take_fired(), vec![], "{case}");
            h.check(next);
            assert_eq!(
                h.take_fired(),
                vec![fired(ticker.id(), 0, next, next)],
                "{case}"
            );
        } else {
            h.check(MAX_WHEN - 1);
            assert_eq!(h.take_fired(), vec![], "{case}: parked at MAX_WHEN");
            assert!(h.stop(&ticker), "{case}: parked, still pending");
        }
    }
}
