//! One arming of a one-shot timer, and the record every one-shot ledger
//! keeps of its armings.
//!
//! An [`Arming`] is numbered in its timer's ledger and carries the earliest
//! instant it may fire. [`ArmingRecord`] holds what the function and the
//! channel ledgers share: the arming count, the arming that may still be
//! pending, the [`LedgerCounts`], and how a `stop` or `reset` answer reads
//! against the armed arming ([`ArmingRecord::answer`]). The ledgers differ
//! only in what an answer that the record cannot settle means: a function
//! timer's `false` with an arming armed means it fired and its callback is
//! owed; a channel timer's is a violation.

use std::fmt;
use std::time::{Duration, Instant};

/// What a `stop` or `reset` answer said about the arming before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// True: the last arming was pending (or its value unreceived) and is
    /// cancelled; it never fires (is never received).
    Cancelled,
    /// False while the last arming was armed: it fired, and (for a function
    /// timer) its callback is owed.
    Fired,
    /// False with nothing armed: nothing to stop.
    NothingPending,
}

/// Counts of what happened to a timer's armings.
///
/// ```
/// use gowheel_compat_tests::ledger::LedgerCounts;
/// let mut total = LedgerCounts::default();
/// total += LedgerCounts { armed: 3, fired: 2, cancelled: 1, abandoned: 0 };
/// assert_eq!(total.armed, 3);
/// assert!(total.balanced());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LedgerCounts {
    /// Armings made.
    pub armed: u64,
    /// Armings that fired (function timers: whose callback ran; channel
    /// timers: whose value was received; tickers: ticks received).
    pub fired: u64,
    /// Armings that a `stop` or `reset` returning true cancelled.
    pub cancelled: u64,
    /// Channel-timer armings whose handle was dropped before they were
    /// received or stopped (nothing can be proven about them).
    pub abandoned: u64,
}

impl LedgerCounts {
    /// Whether every arming is accounted for: fired, cancelled or
    /// abandoned, exactly once. Not meaningful for tickers, whose armings
    /// fire many times.
    pub fn balanced(&self) -> bool {
        self.armed == self.fired + self.cancelled + self.abandoned
    }
}

impl std::ops::AddAssign for LedgerCounts {
    fn add_assign(&mut self, other: LedgerCounts) {
        self.armed += other.armed;
        self.fired += other.fired;
        self.cancelled += other.cancelled;
        self.abandoned += other.abandoned;
    }
}

impl fmt::Display for LedgerCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} armed, {} fired, {} cancelled",
            self.armed, self.fired, self.cancelled
        )?;
        if self.abandoned > 0 {
            write!(f, ", {} abandoned", self.abandoned)?;
        }
        Ok(())
    }
}

/// One arming of a one-shot timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arming {
    /// The arming's number in its timer's ledger, from 1.
    pub generation: u64,
    /// The earliest instant it may fire: the instant the arming call
    /// started plus its duration. `None` if that overflows `Instant`: the
    /// arming must never fire.
    pub earliest: Option<Instant>,
}

impl Arming {
    pub(super) fn new(generation: u64, call_started: Instant, duration: Duration) -> Arming {
        Arming {
            generation,
            earliest: call_started.checked_add(duration),
        }
    }

    /// Whether it may have fired by `now`: not early.
    pub(super) fn due_by(&self, now: Instant) -> bool {
        self.earliest.is_some_and(|earliest| now >= earliest)
    }

    /// How far past its earliest deadline `now` is (zero if not past).
    pub fn overdue(&self, now: Instant) -> Duration {
        self.earliest.map_or(Duration::ZERO, |earliest| {
            now.saturating_duration_since(earliest)
        })
    }
}

impl fmt::Display for Arming {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "arming #{}", self.generation)
    }
}

/// Formats how early `now` is before `earliest`.
pub(super) fn early_by(earliest: Option<Instant>, now: Instant) -> String {
    match earliest {
        Some(earliest) => format!("{:?} early", earliest.saturating_duration_since(now)),
        None => "with a deadline that overflows (it must never fire)".to_owned(),
    }
}

/// How a `stop` or `reset` answer reads against the armed arming.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Answered {
    /// Explained by the record alone: true with an arming armed
    /// ([`Resolution::Cancelled`], counted), or false with nothing armed
    /// ([`Resolution::NothingPending`]).
    Settled(Resolution),
    /// True, but nothing was armed.
    TrueWithNothingArmed,
    /// False while this arming was armed (it is no longer).
    FalseWhileArmed(Arming),
}

/// The record a one-shot ledger keeps of its armings: how many were made,
/// the one that may still be pending, and the counts.
#[derive(Debug, Default)]
pub(super) struct ArmingRecord {
    /// Armings made so far: the last one's number.
    generations: u64,
    /// The arming no answer or firing has resolved yet.
    pub(super) armed: Option<Arming>,
    /// What happened so far.
    pub(super) counts: LedgerCounts,
}

impl ArmingRecord {
    /// Records an arming by a call that started at `call_started` with
    /// `duration`, replacing any armed one, and returns it.
    pub(super) fn arm(&mut self, call_started: Instant, duration: Duration) -> Arming {
        self.generations += 1;
        self.counts.armed += 1;
        let arming = Arming::new(self.generations, call_started, duration);
        self.armed = Some(arming);
        arming
    }

    /// Reads the answer of a `stop` or `reset` (`pending`) against the
    /// armed arming, which it takes: nothing is armed afterwards.
    pub(super) fn answer(&mut self, pending: bool) -> Answered {
        match (pending, self.armed.take()) {
            (true, Some(_)) => {
                self.counts.cancelled += 1;
                Answered::Settled(Resolution::Cancelled)
            }
            (true, None) => Answered::TrueWithNothingArmed,
            (false, Some(arming)) => Answered::FalseWhileArmed(arming),
            (false, None) => Answered::Settled(Resolution::NothingPending),
        }
    }

    /// The last arming's number (0: never armed).
    pub(super) fn generations(&self) -> u64 {
        self.generations
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_settle_or_are_left_to_the_ledger() {
        let t0 = Instant::now();
        let mut record = ArmingRecord::default();
        assert_eq!(
            record.answer(false),
            Answered::Settled(Resolution::NothingPending)
        );
        assert_eq!(record.answer(true), Answered::TrueWithNothingArmed);
        let first = record.arm(t0, Duration::ZERO);
        assert_eq!(first.generation, 1);
        assert_eq!(record.answer(false), Answered::FalseWhileArmed(first));
        assert!(record.armed.is_none(), "an answer takes the armed arming");
        record.arm(t0, Duration::MAX);
        assert_eq!(
            record.answer(true),
            Answered::Settled(Resolution::Cancelled)
        );
        assert_eq!(record.generations(), 2);
        assert_eq!(
            record.counts,
            LedgerCounts {
                armed: 2,
                fired: 0,
                cancelled: 1,
                abandoned: 0
            }
        );
    }
}
