//! Handles: dropping a pending timer's handle does not stop it (Go: an
//! `AfterFunc` timer runs with no reference left to it).

use super::support::{START, fired};
use crate::harness::{Harness, TestableSet};

/// Dropping a pending timer's handle does not cancel it: a one-shot timer
/// still fires, a periodic one keeps firing (Go: an `AfterFunc` timer runs
/// with no reference left to it).
pub fn dropped_handle_does_not_stop_timer<S: TestableSet>(new_set: impl Fn() -> S) {
    let h = Harness::new(new_set(), START);
    let one_shot = h.new_timer();
    let periodic = h.new_timer();
    h.reset(&one_shot, 100, 0);
    h.reset(&periodic, 200, 50);
    let (a, p) = (one_shot.id(), periodic.id());
    drop(one_shot);
    drop(periodic);
    h.assert_invariants("dropping the handles");

    h.run_until(300);
    assert_eq!(
        h.take_fired(),
        vec![
            fired(a, 0, 100, 100),
            fired(p, 0, 200, 200),
            fired(p, 0, 250, 250),
            fired(p, 0, 300, 300)
        ]
    );
}
