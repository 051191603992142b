//! The runtime-layer conformance suite on the timing wheel, in several
//! shapes: the default; one stripe (a check is one merged `when` order
//! either way, so the global-order body applies to every shape); a tiny
//! wheel of 4 one-nanosecond slots a level and 3 levels, where almost every
//! deadline cascades through levels or waits in the overflow list; the
//! tiny wheel with a cascade budget of one, so that every share of the
//! cascade ahead is cut short (the sweep keeps its default budget: the
//! suite holds a check to purging the garbage as Go's does); one stripe
//! with Go's lazy stops, each leaving a zombie for the sweep; and a coarse
//! wheel whose millisecond ticks put many deadlines in one slot.

use gowheel::{TimingWheel, WheelConfig};
use gowheel_compat_tests::conformance_tests;

conformance_tests!(wheel_default, || TimingWheel::new(WheelConfig::default()), extra: [
    one_check_runs_due_timers_in_global_when_order,
]);
conformance_tests!(wheel_one_stripe, || TimingWheel::new(WheelConfig::default().stripes(1)), extra: [
    one_check_runs_due_timers_in_global_when_order,
]);
conformance_tests!(
    wheel_tiny,
    || TimingWheel::new(WheelConfig::default().tick_shift(0).slot_bits(2).levels(3).stripes(3)),
    extra: [one_check_runs_due_timers_in_global_when_order]
);
conformance_tests!(
    wheel_tiny_budgets,
    || TimingWheel::new(
        WheelConfig::default()
            .tick_shift(0)
            .slot_bits(2)
            .levels(3)
            .stripes(3)
            .cascade_budget(1)
    ),
    extra: [one_check_runs_due_timers_in_global_when_order]
);
conformance_tests!(
    wheel_lazy_stops,
    || TimingWheel::new(WheelConfig::default().stripes(1).unlink_on_stop(false)),
    extra: [one_check_runs_due_timers_in_global_when_order]
);
conformance_tests!(
    wheel_coarse,
    || TimingWheel::new(WheelConfig::default().tick_shift(20).stripes(2)),
    extra: [one_check_runs_due_timers_in_global_when_order]
);
