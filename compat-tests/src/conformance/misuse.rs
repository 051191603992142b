//! Misuse: bad `modify` arguments and a timer used with a set other than
//! the one that made it panic with a message naming the problem, and change
//! nothing.

use super::support::{START, fired};
use crate::harness::{Harness, TestableSet};
use crate::panics::expect_panic;

/// `modify` and `reset` with `when <= 0` or `period < 0` panic with the
/// message of [`gowheel::validate_modify_args`], which names the bad value;
/// the timer, armed or not, is left exactly as it was (same deadline,
/// callback and `seq`).
pub fn modify_panics_on_bad_arguments_and_changes_nothing<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let unarmed = h.new_timer();
    let armed = h.new_timer();
    h.reset(&armed, 500, 0);

    let bad = [
        (0, 0, "when", 0),
        (-5, 0, "when", -5),
        (100, -1, "period", -1),
        (i64::MIN, 7, "when", i64::MIN),
    ];
    for (when, period, name, value) in bad {
        let expected = expect_panic(|| gowheel::validate_modify_args(when, period));
        assert!(
            expected.contains(name) && expected.contains(&value.to_string()),
            "the validator's message names `{name}` and {value}: {expected:?}"
        );
        for timer in [&unarmed, &armed] {
            let set = h.set();
            let new_callback = Some(h.callback(timer.id()));
            let message = expect_panic(|| {
                set.modify(timer.timer(), when, period, new_callback, 9);
            });
            assert_eq!(message, expected, "modify({when}, {period})");
            let message = expect_panic(|| {
                set.reset(timer.timer(), when, period);
            });
            assert_eq!(message, expected, "reset({when}, {period})");
            h.assert_invariants(&format!("the rejected modify({when}, {period})"));
        }
    }

    assert_eq!(h.check(499), 500, "still armed at 500");
    h.check(500);
    assert_eq!(
        h.take_fired(),
        vec![fired(armed.id(), 0, 500, 500)],
        "old callback and seq"
    );
    assert!(!h.stop(&unarmed), "still unarmed");
}

/// A timer used with a set other than the one that made it panics, in
/// `modify`, `reset` and `stop`, saying so; neither set is changed.
pub fn timer_of_another_set_panics<S: TestableSet>(new_set: impl Fn() -> S) {
    let ours = Harness::new(new_set(), START);
    let theirs = Harness::new(new_set(), START);
    let armed = ours.new_timer();
    let unarmed = ours.new_timer();
    ours.reset(&armed, 100, 0);

    for timer in [&armed, &unarmed] {
        let other = theirs.set();
        let messages = [
            expect_panic(|| {
                other.modify(timer.timer(), 50, 0, Some(gowheel::callback(|_, _| {})), 1);
            }),
            expect_panic(|| {
                other.reset(timer.timer(), 50, 0);
            }),
            expect_panic(|| {
                other.stop(timer.timer());
            }),
        ];
        for message in messages {
            assert!(
                message.contains("other than the one that made it"),
                "{message:?}"
            );
        }
    }
    ours.assert_invariants("misuse by the other set");
    theirs.assert_invariants("misuse of the other set's timers");
    assert_eq!(theirs.stats(), gowheel::TimerSetStats::default());
    theirs.check(1_000);
    ours.check(100);
    assert_eq!(ours.take_fired(), vec![fired(armed.id(), 0, 100, 100)]);
    assert!(!ours.stop(&unarmed));
}
