//! What `stop`, `reset` and `modify` return in every state of a timer (Go's
//! `TestStopResult` and `TestResetResult`: whether it was pending), and
//! `modify` replacing the callback and its `seq`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::support::{HOUR, START, fired};
use crate::harness::{Harness, TestableSet};

/// [`TimerSet::stop`](gowheel::TimerSet::stop)'s result in every state a timer can be in (Go's
/// `TestStopResult`, at the runtime layer): true exactly when the timer was
/// armed and had not fired (a periodic timer is pending between runs).
pub fn stop_results_in_every_state<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);

    let never_armed = h.new_timer();
    assert!(!h.stop(&never_armed), "never armed");

    let armed = h.new_timer();
    h.reset(&armed, 100, 0);
    assert!(h.stop(&armed), "armed");
    assert!(!h.stop(&armed), "already stopped");

    let revived = h.new_timer();
    h.reset(&revived, 100, 0);
    h.stop(&revived);
    h.reset(&revived, 200, 0);
    assert!(h.stop(&revived), "stopped, then re-armed");

    let moved_earlier = h.new_timer();
    h.reset(&moved_earlier, 500, 0);
    h.reset(&moved_earlier, 60, 0);
    let moved_later = h.new_timer();
    h.reset(&moved_later, 52, 0);
    h.reset(&moved_later, 500, 0);

    let one_shot = h.new_timer();
    h.reset(&one_shot, 50, 0);
    let periodic = h.new_timer();
    h.reset(&periodic, 50, 10);
    let refired = h.new_timer();
    h.reset(&refired, 50, 0);

    h.check(55);
    assert_eq!(
        h.take_fired().len(),
        3,
        "one_shot, periodic and refired ran"
    );
    assert!(!h.stop(&one_shot), "fired one-shot");
    assert!(
        h.stop(&periodic),
        "periodic, after a run: re-armed, so pending"
    );
    assert!(!h.stop(&periodic), "periodic, stopped");
    h.reset(&refired, 70, 0);
    assert!(h.stop(&refired), "fired, then re-armed");
    assert!(h.stop(&moved_earlier), "moved earlier, not yet due");
    assert!(h.stop(&moved_later), "moved later, past its old deadline");

    h.run_until(1_000);
    assert_eq!(h.take_fired(), vec![]);
}

/// [`TimerSet::reset`](gowheel::TimerSet::reset)'s (and `modify`'s) result in every state (Go's
/// `TestResetResult`, at the runtime layer), and that a reset returning true
/// replaced the pending deadline: the timer fires once, at the new one.
pub fn reset_results_in_every_state<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let far = START + HOUR;

    let never_armed = h.new_timer();
    assert!(!h.reset(&never_armed, far, 0), "never armed");

    let armed = h.new_timer();
    h.reset(&armed, 100, 0);
    assert!(h.reset(&armed, far, 0), "armed");

    let stopped = h.new_timer();
    h.reset(&stopped, 100, 0);
    h.stop(&stopped);
    assert!(!h.reset(&stopped, 300, 0), "stopped");
    assert!(h.reset(&stopped, 320, 0), "stopped, then re-armed");

    let one_shot = h.new_timer();
    h.reset(&one_shot, 50, 0);
    let periodic = h.new_timer();
    h.reset(&periodic, 50, 10);
    let modified = h.new_timer();
    h.reset(&modified, 50, 0);

    h.check(50);
    assert_eq!(h.take_fired().len(), 3);
    assert!(!h.reset(&one_shot, 400, 0), "fired one-shot");
    assert!(h.reset(&periodic, 410, 0), "periodic after a run: pending");
    let seq = 5;
    assert!(
        !h.modify(&modified, 420, 0, Some(h.callback(modified.id())), seq),
        "modify of a fired one-shot"
    );
    assert!(
        h.modify(&modified, 430, 0, None, 0),
        "modify of an armed timer"
    );

    h.run_until(1_000);
    assert_eq!(
        h.take_fired(),
        vec![
            fired(stopped.id(), 0, 320, 320),
            fired(one_shot.id(), 0, 400, 400),
            fired(periodic.id(), 0, 410, 410),
            fired(modified.id(), seq, 430, 430),
        ],
        "each fires once, at its last deadline; `periodic` was reset to one-shot"
    );
    assert!(
        h.stop(&armed),
        "still pending at its reset deadline, an hour away"
    );
    assert!(h.stop(&never_armed));
}

/// `modify` with a callback replaces the callback and `seq` before the
/// timer next fires; `reset` and `modify` without a callback keep both.
pub fn modify_replaces_callback_and_seq<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let old_runs = Arc::new(AtomicUsize::new(0));
    let timer = h.new_timer_with({
        let old_runs = old_runs.clone();
        gowheel::callback(move |_, _| {
            old_runs.fetch_add(1, Ordering::Relaxed);
        })
    });
    let id = timer.id();

    // Armed with the old callback, then replaced while pending.
    assert!(!h.reset(&timer, 100, 0));
    assert!(h.modify(&timer, 150, 0, Some(h.callback(id)), 7));
    h.check(100);
    assert_eq!(h.take_fired(), vec![], "nothing at the old deadline");
    h.check(150);
    assert_eq!(h.take_fired(), vec![fired(id, 7, 150, 150)]);
    assert!(!h.reset(&timer, 200, 0));
    assert!(
        h.modify(&timer, 210, 0, None, 99),
        "pending at 200; seq 99 comes with no callback"
    );
    h.check(210);
    assert_eq!(
        h.take_fired(),
        vec![fired(id, 7, 210, 210)],
        "callback and seq kept"
    );
    assert!(!h.modify(&timer, 300, 0, Some(h.callback(id)), 8));
    h.check(300);
    assert_eq!(h.take_fired(), vec![fired(id, 8, 300, 300)]);
    assert_eq!(
        old_runs.load(Ordering::Relaxed),
        0,
        "the replaced callback never ran"
    );
}
