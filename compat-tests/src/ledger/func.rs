//! [`FuncLedger`]: the exactly-once ledger of a function timer
//! ([`AfterFunc`](gowheel::AfterFunc)), whose callback is told nothing, so
//! that a `false` answer moves the armed arming to an owed queue its
//! callback must still drain (see the [parent module](super) for why that
//! is sound).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::arming::{Answered, Arming, ArmingRecord, LedgerCounts, Resolution, early_by};

/// The ledger of one function timer ([`AfterFunc`](gowheel::AfterFunc)):
/// the arming that may still be pending, and the armings known to have
/// fired whose callbacks have not run yet. See the [module doc](super).
///
/// Every method must be called under the timer's lock, the same lock the
/// matching operation (or callback run) happened under.
///
/// ```
/// use gowheel_compat_tests::ledger::{FuncLedger, Resolution};
/// use std::time::{Duration, Instant};
///
/// let mut ledger = FuncLedger::new();
/// ledger.arm(Instant::now(), Duration::ZERO);
/// assert!(ledger.fired(Instant::now()).is_ok()); // ran: nothing left
/// assert_eq!(ledger.resolve(false), Ok(Resolution::NothingPending));
/// assert!(ledger.resolve(true).is_err()); // true with nothing pending
/// ```
#[derive(Debug, Default)]
pub struct FuncLedger {
    /// The armings, and the one that may still be pending.
    record: ArmingRecord,
    /// Armings known to have fired whose callbacks have not run yet,
    /// oldest first.
    owed: VecDeque<Arming>,
}

impl FuncLedger {
    /// A ledger of a timer never armed.
    pub fn new() -> FuncLedger {
        FuncLedger::default()
    }

    /// Records an arming by a call (`after_func` or `reset`) that started at
    /// `call_started` with `duration`; for a `reset`, after
    /// [`resolve`](Self::resolve) recorded its answer. Returns the arming.
    pub fn arm(&mut self, call_started: Instant, duration: Duration) -> Arming {
        debug_assert!(
            self.record.armed.is_none(),
            "resolve the previous arming first"
        );
        self.record.arm(call_started, duration)
    }

    /// Records the answer of a `stop` or `reset`, which leaves nothing
    /// armed (a `reset` then calls [`arm`](Self::arm)).
    ///
    /// # Errors
    ///
    /// A message if the answer is impossible: true with nothing armed.
    pub fn resolve(&mut self, pending: bool) -> Result<Resolution, String> {
        match self.record.answer(pending) {
            Answered::Settled(resolution) => Ok(resolution),
            Answered::TrueWithNothingArmed => Err(match self.owed.back() {
                Some(owed) => format!(
                    "stop/reset answered true (pending), but the last arming ({owed}) was \
                     already reported fired by an earlier answer"
                ),
                None => format!(
                    "stop/reset answered true (pending), but no arming was pending: the last \
                     ({}) had run or been cancelled",
                    self.record.generations()
                ),
            }),
            Answered::FalseWhileArmed(arming) => {
                self.owed.push_back(arming);
                Ok(Resolution::Fired)
            }
        }
    }

    /// Records a run of the callback at `now` and returns the arming it ran
    /// for.
    ///
    /// # Errors
    ///
    /// A message if no arming could have fired, or if the arming it must
    /// have run for was not due yet.
    pub fn fired(&mut self, now: Instant) -> Result<Arming, String> {
        let Some(arming) = self.owed.pop_front().or_else(|| self.record.armed.take()) else {
            return Err(format!(
                "the callback ran with no arming to run for (last arming: #{}; every one had \
                 already run or been cancelled): a double or spurious firing",
                self.record.generations()
            ));
        };
        self.record.counts.fired += 1;
        if arming.due_by(now) {
            Ok(arming)
        } else {
            Err(format!("{arming} fired {}", early_by(arming.earliest, now)))
        }
    }

    /// Whether nothing is armed or owed: every arming ran or was cancelled.
    pub fn is_settled(&self) -> bool {
        self.record.armed.is_none() && self.owed.is_empty()
    }

    /// The armings still waiting for their callback, owed ones first.
    pub fn outstanding(&self) -> Vec<Arming> {
        self.owed.iter().copied().chain(self.record.armed).collect()
    }

    /// What happened so far.
    pub fn counts(&self) -> LedgerCounts {
        self.record.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn func_ledger_accepts_a_callback_that_runs_after_the_reset_that_found_it_fired() {
        let t0 = Instant::now();
        let mut ledger = FuncLedger::new();
        ledger.arm(t0, MS);
        assert_eq!(ledger.resolve(false), Ok(Resolution::Fired));
        ledger.arm(t0 + MS, 10 * MS);
        let first = ledger.fired(t0 + 2 * MS).unwrap();
        assert_eq!(first.generation, 1);
        let second = ledger.fired(t0 + 11 * MS).unwrap();
        assert_eq!(second.generation, 2);
        assert!(ledger.is_settled());
        assert!(ledger.counts().balanced());
    }

    #[test]
    fn func_ledger_catches_early_double_and_phantom_firings() {
        let t0 = Instant::now();
        let mut ledger = FuncLedger::new();
        ledger.arm(t0, 10 * MS);
        assert!(ledger.fired(t0 + 5 * MS).unwrap_err().contains("early"));
        assert!(ledger.fired(t0 + 20 * MS).unwrap_err().contains("double"));
        assert!(ledger.resolve(true).is_err());
        ledger.arm(t0, Duration::MAX);
        assert!(
            ledger
                .fired(t0 + 20 * MS)
                .unwrap_err()
                .contains("never fire")
        );
    }
}
