//! What a differential run expects of both sets: Go's rules for every timer
//! (the shared [`GoRulesModel`]), plus what each timer's callback does when
//! it runs.
//!
//! # Design
//!
//! [`Expected`] is updated by every operation and every fire, in the order
//! the run observes them: an operation's answer must be the model's "was
//! pending"; a fire must be one Go could make (see
//! [`GoRulesModel::fire`]), after which the model re-arms or disarms the
//! timer and then applies the callback's [`OnFire`] operation, whose answer
//! must match the one the callback recorded. Timers are the run's indexes,
//! which are the model's ids: both are handed out in creation order.

use super::fired::FiredEntry;
use super::ops::{NewCallback, OnFire, When, rearm_when};
use crate::go_rules::GoRulesModel;

/// What a timer's callback does, beyond Go's rules.
#[derive(Clone, Copy, Debug)]
struct CallbackPlan {
    /// The callback's own operation.
    on_fire: OnFire,
    /// Whether the run dropped the handle: the callback then does nothing
    /// (it cannot reach its timer).
    dropped: bool,
}

/// Go's rules for every timer of a run, and what each callback does.
#[derive(Debug, Default)]
pub(super) struct Expected {
    rules: GoRulesModel,
    /// Indexed like the model's timers.
    callbacks: Vec<CallbackPlan>,
}

impl Expected {
    /// A new timer whose callback does `on_fire`; its index is the number
    /// of timers made before it.
    pub(super) fn add_timer(&mut self, on_fire: OnFire) {
        self.rules.add_timer();
        self.callbacks.push(CallbackPlan {
            on_fire,
            dropped: false,
        });
    }

    /// How many timers the run has made.
    pub(super) fn timer_count(&self) -> usize {
        self.rules.timer_count()
    }

    /// Whether the run dropped timer `index`'s handle.
    pub(super) fn is_dropped(&self, index: usize) -> bool {
        self.callbacks[index].dropped
    }

    /// Records that the run dropped timer `index`'s handle.
    pub(super) fn drop_handle(&mut self, index: usize) {
        self.callbacks[index].dropped = true;
    }

    /// The number of pending timers.
    pub(super) fn pending_count(&self) -> usize {
        self.rules.pending_count()
    }

    /// `(when, index)` of the earliest pending timer, if any.
    pub(super) fn earliest_pending(&self) -> Option<(i64, usize)> {
        self.rules.earliest_pending()
    }

    /// Go's `t.modify` (`t.reset` with no `callback`); returns whether the
    /// timer was pending.
    pub(super) fn arm(
        &mut self,
        index: usize,
        when: i64,
        period: i64,
        callback: Option<NewCallback>,
    ) -> bool {
        if let Some(callback) = callback {
            self.callbacks[index].on_fire = callback.on_fire;
        }
        self.rules
            .arm(index, when, period, callback.map(|callback| callback.seq))
    }

    /// Go's `t.stop`; returns whether the timer was pending.
    pub(super) fn stop(&mut self, index: usize) -> bool {
        self.rules.stop(index)
    }

    /// The deadline `when` asks for timer `index` at clock reading `now`,
    /// clamped to at least 1 (a valid argument of `modify`).
    pub(super) fn resolve(&self, index: usize, when: When, now: i64) -> i64 {
        let base = match self.rules.last_armed(index) {
            gowheel::NOT_ARMED => now,
            armed => armed,
        };
        let when = match when {
            When::FromNow(delta) => now.saturating_add(delta),
            When::Earlier(delta) => base.saturating_sub(delta.max(0)),
            When::Later(delta) => base.saturating_add(delta.max(0)),
            When::At(when) => when,
        };
        when.max(1)
    }

    /// Applies one run of a timer's callback in the check at `now` (the
    /// fire, then the callback's own operation), or says why it breaks Go's
    /// rules.
    pub(super) fn fire(&mut self, entry: &FiredEntry, now: i64) -> Result<(), String> {
        let index = entry.timer;
        if entry.when > now {
            return Err(format!("{entry}: deadline after now {now}"));
        }
        self.rules
            .fire(index, entry.seq, entry.when, entry.delay)
            .map_err(|problem| format!("{entry}: {problem}"))?;
        let plan = self.callbacks[index];
        let expected = match plan.on_fire {
            _ if plan.dropped => None,
            OnFire::Record => None,
            OnFire::Stop => Some(Ok(self.stop(index))),
            OnFire::Reset { after, period } => Some(Ok(self.arm(
                index,
                rearm_when(now, after),
                period.max(0),
                None,
            ))),
            OnFire::Modify { after, period, seq } => {
                let callback = NewCallback {
                    seq,
                    on_fire: plan.on_fire,
                };
                Some(Ok(self.arm(
                    index,
                    rearm_when(now, after),
                    period.max(0),
                    Some(callback),
                )))
            }
        };
        if entry.on_fire != expected {
            return Err(format!(
                "{entry}: its on-fire call should have given {expected:?}"
            ));
        }
        Ok(())
    }
}
