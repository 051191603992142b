//! State transitions: a timer armed, moved earlier or later, stopped, reset
//! after a stop and re-armed after it fired, each firing exactly once at
//! the deadline it was last armed for (Go's `t.modify`, `t.stop` and
//! `t.unlockAndRun` on a one-shot timer).

use gowheel::NOT_ARMED;

use super::support::{START, fired};
use crate::harness::{Harness, TestableSet};

/// An armed timer fires once, at its deadline, with `delay = now - when`,
/// and is not pending afterwards (Go: a one-shot timer leaves the heap when
/// it runs).
pub fn armed_timer_fires_once_at_its_deadline<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let on_time = h.new_timer();
    let late = h.new_timer();
    assert!(!h.reset(&on_time, 100, 0), "a new timer is not pending");
    assert!(!h.reset(&late, 120, 0), "a new timer is not pending");

    assert_eq!(h.check(99), 100, "nothing due at 99; next wake at 100");
    assert_eq!(h.take_fired(), vec![]);

    h.check(100);
    assert_eq!(h.take_fired(), vec![fired(on_time.id(), 0, 100, 100)]);
    assert!(!h.is_pending(&on_time));

    h.check(150); // 30 ns late for `late`
    assert_eq!(h.take_fired(), vec![fired(late.id(), 0, 120, 150)]);

    assert_eq!(h.check(10_000), NOT_ARMED, "nothing left to wake for");
    assert_eq!(h.take_fired(), vec![], "a one-shot timer fires once");
    assert!(!h.stop(&on_time), "a fired one-shot timer is not pending");
    assert!(!h.stop(&late), "a fired one-shot timer is not pending");
}

/// A timer moved earlier fires at its new deadline and not again at its old
/// one (Go: `modify` marks it `timerModified` and lowers `minWhenModified`,
/// so the next check's `adjust` files it at the new time).
pub fn timer_modified_earlier_fires_at_new_time_only<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let timer = h.new_timer();
    assert!(!h.reset(&timer, 1_000, 0));
    assert!(h.reset(&timer, 500, 0), "moved while pending");
    assert!(
        h.set().wake_time() <= 500,
        "the wake time must follow it earlier"
    );

    assert_eq!(h.check(499), 500);
    assert_eq!(h.take_fired(), vec![]);
    h.check(500);
    assert_eq!(h.take_fired(), vec![fired(timer.id(), 0, 500, 500)]);
    h.check(1_000);
    assert_eq!(h.take_fired(), vec![], "nothing fires at the old deadline");

    // Moved earlier to a time already past: due at once, and as late as
    // the clock is past its new deadline.
    let past = h.new_timer();
    h.reset(&past, 5_000, 0);
    h.check(1_200);
    assert!(h.reset(&past, 1_150, 0));
    h.check(1_200);
    assert_eq!(h.take_fired(), vec![fired(past.id(), 0, 1_150, 1_200)]);
    h.check(5_000);
    assert_eq!(h.take_fired(), vec![]);
}

/// A timer moved later does not fire at its old deadline, and fires once at
/// its new one, however many times it is pushed back (the idle-timeout
/// pattern; Go's lazy `modify` leaves the stale heap entry to be corrected
/// when it reaches the head).
pub fn timer_modified_later_fires_at_new_time_only<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let timer = h.new_timer();
    assert!(!h.reset(&timer, 500, 0));
    assert!(h.reset(&timer, 1_000, 0));

    let next = h.check(500);
    assert_eq!(h.take_fired(), vec![], "nothing fires at the old deadline");
    assert!(
        next > 500 && next <= 1_000,
        "wake time {next} not in (500, 1000]"
    );
    assert_eq!(h.check(999), 1_000);
    assert_eq!(h.take_fired(), vec![]);
    h.check(1_000);
    assert_eq!(h.take_fired(), vec![fired(timer.id(), 0, 1_000, 1_000)]);

    // Pushed back on every "packet", with checks in between.
    let idle = h.new_timer();
    h.reset(&idle, 1_100, 0);
    for packet_at in (1_050..2_000).step_by(50) {
        h.check(packet_at);
        assert!(
            h.reset(&idle, packet_at + 100, 0),
            "still pending at {packet_at}"
        );
    }
    assert_eq!(h.take_fired(), vec![]);
    h.check(2_049);
    assert_eq!(h.take_fired(), vec![]);
    h.check(2_050);
    assert_eq!(h.take_fired(), vec![fired(idle.id(), 0, 2_050, 2_050)]);
}

/// A stopped timer never fires, whether it was stopped before its deadline,
/// after being moved earlier, or after being moved later; a second stop
/// returns false.
pub fn stopped_timer_never_fires<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let plain = h.new_timer();
    let moved_earlier = h.new_timer();
    let moved_later = h.new_timer();
    h.reset(&plain, 100, 0);
    h.reset(&moved_earlier, 1_000, 0);
    h.reset(&moved_earlier, 100, 0);
    h.reset(&moved_later, 100, 0);
    h.reset(&moved_later, 1_000, 0);

    assert!(h.stop(&plain));
    assert!(h.stop(&moved_earlier));
    assert!(h.stop(&moved_later));
    assert!(
        !h.stop(&plain),
        "stopping twice: the second finds it not pending"
    );

    h.check(100);
    h.check(1_000);
    h.check(1_000_000);
    assert_eq!(h.take_fired(), vec![]);
    assert!(!h.stop(&moved_later));
}

/// A stopped timer still filed as a zombie and then reset is revived, not
/// duplicated: it fires once, at its new deadline (later or earlier than the
/// old one), never at the old one (Go: `modify` clears `timerZombie`).
pub fn stopped_timer_reset_fires_once_at_new_time<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let later = h.new_timer();
    let earlier = h.new_timer();
    let after_check = h.new_timer();
    h.reset(&later, 100, 0);
    h.reset(&earlier, 300, 0);
    h.reset(&after_check, 100, 0);
    assert!(h.stop(&later));
    assert!(h.stop(&earlier));
    assert!(h.stop(&after_check));
    assert!(!h.reset(&later, 300, 0), "a stopped timer is not pending");
    assert!(!h.reset(&earlier, 50, 0), "a stopped timer is not pending");

    h.check(50);
    assert_eq!(h.take_fired(), vec![fired(earlier.id(), 0, 50, 50)]);
    h.check(100);
    assert_eq!(h.take_fired(), vec![], "nothing at the old deadline 100");
    // A check with the zombie still around, then the reset.
    assert!(!h.reset(&after_check, 200, 0));
    h.check(299);
    assert_eq!(h.take_fired(), vec![fired(after_check.id(), 0, 200, 299)]);
    h.check(300);
    assert_eq!(h.take_fired(), vec![fired(later.id(), 0, 300, 300)]);
    h.check(10_000);
    assert_eq!(h.take_fired(), vec![], "each fired once");
}

/// A fired one-shot timer can be armed again, any number of times, and
/// fires once per arming.
pub fn fired_timer_can_be_reset<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let timer = h.new_timer();
    h.reset(&timer, 100, 0);
    h.check(100);
    assert!(!h.reset(&timer, 250, 0), "a fired timer is not pending");
    h.check(250);
    assert!(!h.reset(&timer, 300, 0));
    assert!(h.reset(&timer, 400, 0));
    h.check(450);
    assert_eq!(
        h.take_fired(),
        vec![
            fired(timer.id(), 0, 100, 100),
            fired(timer.id(), 0, 250, 250),
            fired(timer.id(), 0, 400, 450),
        ]
    );
    h.check(1_000);
    assert_eq!(h.take_fired(), vec![]);
}
