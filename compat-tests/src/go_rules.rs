//! The one model of Go's timer rules that every checking harness holds a
//! set to: per timer, whether and when it is pending, its period and `seq`,
//! updated by each operation and each callback run exactly as Go's
//! `runtime/time.go` would.
//!
//! # Design
//!
//! * Timers are named by the caller's own dense ids (`0, 1, 2, …`, handed
//!   out by [`GoRulesModel::add_timer`]), so the model knows nothing of how
//!   a set files its timers and serves every backend.
//! * An operation ([`arm`](GoRulesModel::arm) for Go's `t.modify`,
//!   [`stop`](GoRulesModel::stop) for `t.stop`) returns what Go returns:
//!   whether the timer was pending. The caller compares that with the set's
//!   answer.
//! * A callback run goes through [`fire`](GoRulesModel::fire), which first
//!   says whether the run is one Go could make (pending, at exactly its
//!   deadline, never early, with its current `seq`) and then disarms the
//!   timer or, if periodic, re-arms it at [`expected_next_periodic_when`].
//!   That deadline is computed here, independently of the library, so that
//!   the suites do not take the library's word for it.
//! * The pending deadlines are also kept in a `(when, id)` set, so that the
//!   earliest pending timer, which bounds every wake time, is found at once.
//!
//! Invariant: `pending` holds exactly `(when, id)` for every timer whose
//! `when` is not [`NOT_ARMED`].

use std::collections::BTreeSet;

use gowheel::{MAX_WHEN, NOT_ARMED};

/// The deadline a periodic timer due at `when`, run `delay` ns late, must be
/// re-armed at: `when + period * (1 + delay / period)`, saturating at
/// [`MAX_WHEN`].
///
/// Computed in `i128`, independently of [`gowheel::next_periodic_when`], so
/// that the suite does not take the library's word for it.
///
/// ```
/// use gowheel_compat_tests::expected_next_periodic_when;
/// assert_eq!(expected_next_periodic_when(100, 30, 0), 130);
/// assert_eq!(expected_next_periodic_when(100, 30, 75), 190); // 130 and 160 skipped
/// assert_eq!(expected_next_periodic_when(i64::MAX - 1, 5, 0), i64::MAX);
/// ```
pub fn expected_next_periodic_when(when: i64, period: i64, delay: i64) -> i64 {
    assert!(
        when > 0 && period > 0 && delay >= 0,
        "bad periodic timer ({when}, {period}, {delay})"
    );
    let (when, period, delay) = (i128::from(when), i128::from(period), i128::from(delay));
    let next = when + period * (1 + delay / period);
    i64::try_from(next.min(i128::from(MAX_WHEN))).expect("clamped to i64::MAX")
}

/// What Go's rules say about one timer.
#[derive(Clone, Copy, Debug)]
struct ModelTimer {
    /// The pending deadline; [`NOT_ARMED`] if not pending.
    when: i64,
    /// The deadline it was last armed for, pending or not; [`NOT_ARMED`] if
    /// never armed.
    last_armed: i64,
    /// The period it was last armed with (0: one-shot).
    period: i64,
    /// The `seq` its callback gets.
    seq: u64,
}

impl Default for ModelTimer {
    fn default() -> Self {
        ModelTimer {
            when: NOT_ARMED,
            last_armed: NOT_ARMED,
            period: 0,
            seq: 0,
        }
    }
}

/// Every timer of one set, by Go's rules (see the [module doc](self)).
#[derive(Debug, Default)]
pub(crate) struct GoRulesModel {
    /// Indexed by timer id.
    timers: Vec<ModelTimer>,
    /// `(when, id)` of every pending timer.
    pending: BTreeSet<(i64, usize)>,
}

impl GoRulesModel {
    /// A new timer, never armed; returns its id (the number of timers made
    /// before it).
    pub(crate) fn add_timer(&mut self) -> usize {
        self.timers.push(ModelTimer::default());
        self.timers.len() - 1
    }

    /// How many timers were made.
    pub(crate) fn timer_count(&self) -> usize {
        self.timers.len()
    }

    /// Whether timer `id` is pending.
    pub(crate) fn is_pending(&self, id: usize) -> bool {
        self.timers[id].when != NOT_ARMED
    }

    /// The number of pending timers.
    pub(crate) fn pending_count(&self) -> usize {
        self.pending.len()
    }

    /// `(when, id)` of the earliest pending timer, if any.
    pub(crate) fn earliest_pending(&self) -> Option<(i64, usize)> {
        self.pending.first().copied()
    }

    /// The deadline timer `id` was last armed for, pending or not;
    /// [`NOT_ARMED`] if it never was.
    pub(crate) fn last_armed(&self, id: usize) -> i64 {
        self.timers[id].last_armed
    }

    /// Sets timer `id`'s pending deadline ([`NOT_ARMED`]: not pending);
    /// returns whether it was pending.
    fn set_when(&mut self, id: usize, when: i64) -> bool {
        let old = std::mem::replace(&mut self.timers[id].when, when);
        if old != NOT_ARMED {
            self.pending.remove(&(old, id));
        }
        if when != NOT_ARMED {
            self.pending.insert((when, id));
        }
        old != NOT_ARMED
    }

    /// Go's `t.modify`: arms timer `id` for `when` with `period`, and with
    /// `Some(seq)`, gives its callback a new `seq` (`t.reset` passes
    /// `None`). Returns whether the timer was pending.
    pub(crate) fn arm(&mut self, id: usize, when: i64, period: i64, seq: Option<u64>) -> bool {
        let timer = &mut self.timers[id];
        timer.period = period;
        timer.last_armed = when;
        if let Some(seq) = seq {
            timer.seq = seq;
        }
        self.set_when(id, when)
    }

    /// Go's `t.stop`; returns whether the timer was pending.
    pub(crate) fn stop(&mut self, id: usize) -> bool {
        self.set_when(id, NOT_ARMED)
    }

    /// Go's `t.unlockAndRun`, as seen from the callback of timer `id`, which
    /// was passed `seq` and `delay` for the deadline `when` (`now - delay`):
    /// checks that Go could have made this run, then disarms the timer or,
    /// if periodic, re-arms it.
    ///
    /// # Errors
    ///
    /// Why Go could not have made the run (the model is then unchanged): no
    /// such timer, not pending, early (`delay < 0`), for another deadline
    /// than the pending one, or with another `seq`.
    pub(crate) fn fire(
        &mut self,
        id: usize,
        seq: u64,
        when: i64,
        delay: i64,
    ) -> Result<(), String> {
        let Some(expected) = self.timers.get(id).copied() else {
            return Err("no such timer".to_owned());
        };
        if expected.when == NOT_ARMED {
            return Err("fired while not pending".to_owned());
        }
        if delay < 0 {
            return Err(format!(
                "fired early, before its deadline {}",
                expected.when
            ));
        }
        if when != expected.when {
            return Err(format!("its pending deadline is {}", expected.when));
        }
        if seq != expected.seq {
            return Err(format!("its seq is {}", expected.seq));
        }
        let next = if expected.period > 0 {
            expected_next_periodic_when(expected.when, expected.period, delay)
        } else {
            NOT_ARMED
        };
        self.set_when(id, next);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shot_and_periodic_timers_follow_go() {
        let mut model = GoRulesModel::default();
        let one_shot = model.add_timer();
        let periodic = model.add_timer();
        assert!(!model.arm(one_shot, 100, 0, None), "never armed");
        assert!(!model.arm(periodic, 50, 30, Some(7)));
        assert_eq!(model.earliest_pending(), Some((50, periodic)));
        model.fire(periodic, 7, 50, 75).unwrap();
        assert_eq!(model.earliest_pending(), Some((100, one_shot)));
        assert_eq!(model.last_armed(periodic), 50, "re-arming is not arming");
        model.fire(one_shot, 0, 100, 0).unwrap();
        assert!(!model.is_pending(one_shot));
        assert_eq!(model.earliest_pending(), Some((140, periodic)));
        assert!(model.stop(periodic));
        assert!(!model.stop(periodic));
        assert_eq!(model.pending_count(), 0);
        assert_eq!(model.timer_count(), 2);
    }

    #[test]
    fn runs_go_could_not_make_are_refused_and_change_nothing() {
        let mut model = GoRulesModel::default();
        let id = model.add_timer();
        assert!(
            model
                .fire(id, 0, 10, 0)
                .unwrap_err()
                .contains("not pending")
        );
        model.arm(id, 100, 0, Some(3));
        assert!(model.fire(id, 3, 101, -1).unwrap_err().contains("early"));
        assert!(
            model
                .fire(id, 3, 90, 0)
                .unwrap_err()
                .contains("deadline is 100")
        );
        assert!(model.fire(id, 4, 100, 0).unwrap_err().contains("seq is 3"));
        assert!(
            model
                .fire(id + 1, 3, 100, 0)
                .unwrap_err()
                .contains("no such")
        );
        assert_eq!(model.earliest_pending(), Some((100, id)));
    }
}
