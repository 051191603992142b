//! [`ChanLedger`]: the exactly-once ledger of a channel timer
//! ([`Timer`](gowheel::Timer)) with Go 1.23's synchronous channels, where
//! `stop` and `reset` answer true exactly when the last arming was pending,
//! in flight or unreceived, so that any other answer is a violation at
//! once.

use std::time::{Duration, Instant};

use super::arming::{Answered, Arming, ArmingRecord, LedgerCounts, Resolution, early_by};

/// The ledger of one channel timer ([`Timer`](gowheel::Timer)) with Go
/// 1.23 semantics: an arming is received once, or cancelled by a `stop` or
/// `reset` returning true; `false` means it was received already (or there
/// was none). See the [module doc](super).
///
/// Every method must be called under the timer's lock, the same lock the
/// matching operation (including every receive) happened under.
///
/// ```
/// use gowheel_compat_tests::ledger::ChanLedger;
/// use std::time::{Duration, Instant};
///
/// let mut ledger = ChanLedger::new();
/// ledger.arm(Instant::now(), Duration::ZERO);
/// // `stop` must not answer false while the value was never received.
/// assert!(ledger.resolve(false).is_err());
/// ```
#[derive(Debug, Default)]
pub struct ChanLedger {
    /// The armings, and the one not yet received or cancelled.
    record: ArmingRecord,
}

impl ChanLedger {
    /// A ledger of a timer never armed.
    pub fn new() -> ChanLedger {
        ChanLedger::default()
    }

    /// Records an arming by a call (`new_timer` or `reset`) that started at
    /// `call_started` with `duration`; for a `reset`, after
    /// [`resolve`](Self::resolve).
    pub fn arm(&mut self, call_started: Instant, duration: Duration) -> Arming {
        self.record.arm(call_started, duration)
    }

    /// Records the answer of a `stop` or `reset`.
    ///
    /// # Errors
    ///
    /// A message if the answer is impossible: true with nothing armed or
    /// unreceived, or false with an arming never received (it was pending,
    /// in flight or unreceived, so Go 1.23 answers true).
    pub fn resolve(&mut self, pending: bool) -> Result<Resolution, String> {
        match self.record.answer(pending) {
            Answered::Settled(resolution) => Ok(resolution),
            Answered::TrueWithNothingArmed => Err(format!(
                "stop/reset answered true, but nothing was pending or unreceived (last arming \
                 #{} was received or cancelled)",
                self.record.generations()
            )),
            Answered::FalseWhileArmed(arming) => {
                // Counted as fired so that the counts still balance.
                self.record.counts.fired += 1;
                Err(format!(
                    "stop/reset answered false, but {arming} was never received: it was \
                     pending, in flight or unreceived, so the answer must be true"
                ))
            }
        }
    }

    /// Records a value received at `now`: the deadline `value`.
    ///
    /// # Errors
    ///
    /// A message if nothing armed could have sent it (a stale or a second
    /// value), if it stands for a deadline before the arming's earliest, or
    /// if it arrived before the deadline it stands for.
    pub fn received(&mut self, value: Instant, now: Instant) -> Result<Arming, String> {
        let Some(arming) = self.record.armed.take() else {
            return Err(format!(
                "received a value (deadline {value:?}) with nothing armed: a stale value after \
                 stop/reset, or a second value for arming #{}",
                self.record.generations()
            ));
        };
        self.record.counts.fired += 1;
        if !arming.due_by(value) {
            return Err(format!(
                "{arming} delivered a deadline {} its earliest possible deadline",
                early_by(arming.earliest, value).replace(" early", " before")
            ));
        }
        if now < value {
            return Err(format!(
                "{arming} delivered its value {:?} before its deadline",
                value.saturating_duration_since(now)
            ));
        }
        Ok(arming)
    }

    /// Records that the timer's handle was dropped: an unreceived arming
    /// is abandoned. The ledger starts over.
    pub fn abandon(&mut self) {
        if self.record.armed.take().is_some() {
            self.record.counts.abandoned += 1;
        }
    }

    /// The arming not yet received or cancelled, if any.
    pub fn armed(&self) -> Option<Arming> {
        self.record.armed
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
    fn chan_ledger_holds_go_1_23_answers() {
        let t0 = Instant::now();
        let mut ledger = ChanLedger::new();
        ledger.arm(t0, MS);
        assert_eq!(ledger.resolve(true), Ok(Resolution::Cancelled));
        assert!(ledger.received(t0 + MS, t0 + MS).is_err()); // stale value
        ledger.arm(t0, MS);
        assert!(ledger.received(t0, t0 + MS).is_err()); // deadline too early
        ledger.arm(t0, MS);
        assert!(ledger.received(t0 + 2 * MS, t0 + MS).is_err()); // received too soon
        ledger.arm(t0, MS);
        assert!(ledger.received(t0 + MS, t0 + MS).is_ok());
        assert_eq!(ledger.resolve(false), Ok(Resolution::NothingPending));
        ledger.arm(t0, MS);
        assert!(ledger.resolve(false).is_err());
    }
}
