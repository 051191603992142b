//! [`TickerLedger`]: the ledger of a [`Ticker`](gowheel::Ticker), whose
//! ticks must lie on the running arming's period grid, strictly
//! increasing, never received before they are due, and none after a `stop`
//! or from before a `reset`.

use std::time::{Duration, Instant};

use super::arming::LedgerCounts;

/// One arming of a ticker: `new_ticker(period)` or `reset(period)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TickerArming {
    /// The arming's number, from 1.
    pub generation: u64,
    /// The period.
    pub period: Duration,
    /// The earliest possible first tick: the call's start plus the period.
    pub earliest: Instant,
    /// The latest possible first tick: the call's return plus the period.
    pub latest: Instant,
    /// The last tick received, if any.
    pub last: Option<Instant>,
    /// Ticks received.
    pub ticks: u64,
}

/// The ledger of one [`Ticker`](gowheel::Ticker): the running arming, whose
/// ticks must lie on its period grid, strictly increasing, never received
/// before they are due, and none after a `stop` or from before a `reset`.
///
/// Every method must be called under the ticker's lock, the same lock the
/// matching operation (including every receive) happened under.
///
/// ```
/// use gowheel_compat_tests::ledger::TickerLedger;
/// use std::time::{Duration, Instant};
///
/// let mut ledger = TickerLedger::new();
/// let started = Instant::now();
/// ledger.start(started, started, Duration::from_millis(10));
/// let tick = started + Duration::from_millis(10);
/// assert!(ledger.received(tick, tick).is_ok());
/// assert!(ledger.received(tick, tick).is_err()); // one period twice
/// ledger.stop();
/// assert!(ledger.received(tick + Duration::from_millis(10), tick).is_err()); // after stop
/// ```
#[derive(Debug, Default)]
pub struct TickerLedger {
    generations: u64,
    running: Option<TickerArming>,
    counts: LedgerCounts,
}

impl TickerLedger {
    /// A ledger of a ticker not started.
    pub fn new() -> TickerLedger {
        TickerLedger::default()
    }

    /// Records a start or reset with `period` by a call that ran from
    /// `call_started` to `call_returned`.
    pub fn start(&mut self, call_started: Instant, call_returned: Instant, period: Duration) {
        self.generations += 1;
        self.counts.armed += 1;
        self.running = Some(TickerArming {
            generation: self.generations,
            period,
            earliest: call_started + period,
            latest: call_returned + period,
            last: None,
            ticks: 0,
        });
    }

    /// Records a `stop`: no tick may be received until the next start.
    pub fn stop(&mut self) {
        if self.running.take().is_some() {
            self.counts.cancelled += 1;
        }
    }

    /// Records a tick received at `now`, standing for the deadline `value`.
    ///
    /// # Errors
    ///
    /// A message if the ticker is stopped, if the tick is not on the
    /// running arming's period grid, if it is not later than the previous
    /// tick (one period fired twice), or if it was received before it was
    /// due.
    pub fn received(&mut self, value: Instant, now: Instant) -> Result<(), String> {
        let Some(arming) = self.running.as_mut() else {
            return Err(format!(
                "received a tick (deadline {value:?}) from a stopped ticker (last arming #{})",
                self.generations
            ));
        };
        self.counts.fired += 1;
        let generation = arming.generation;
        let period = arming.period.as_nanos();
        if now < value {
            return Err(format!(
                "ticker arming #{generation}: tick received {:?} before its deadline",
                value.saturating_duration_since(now)
            ));
        }
        if value < arming.earliest {
            return Err(format!(
                "ticker arming #{generation}: tick {:?} before the arming's first possible \
                 tick (a stale tick from before the reset?)",
                arming.earliest.saturating_duration_since(value)
            ));
        }
        match arming.last {
            Some(last) if value <= last => {
                return Err(format!(
                    "ticker arming #{generation}: tick not later than the previous one \
                     (by {:?}): one period fired twice",
                    last.saturating_duration_since(value)
                ));
            }
            Some(last) => {
                let apart = value.duration_since(last).as_nanos();
                if !apart.is_multiple_of(period) {
                    return Err(format!(
                        "ticker arming #{generation}: ticks {apart} ns apart, not a multiple of \
                         the period {period} ns"
                    ));
                }
            }
            None => {
                // The first tick is `first + k * period` for a first tick in
                // [earliest, latest]: its offset from `earliest` modulo the
                // period is at most the width of that window.
                let window = arming.latest.duration_since(arming.earliest).as_nanos();
                let offset = value.duration_since(arming.earliest).as_nanos() % period;
                if window < period && offset > window {
                    return Err(format!(
                        "ticker arming #{generation}: tick off the period grid: {offset} ns past \
                         a multiple of the period {period} ns from the earliest first tick, \
                         where at most {window} ns is possible"
                    ));
                }
            }
        }
        arming.last = Some(value);
        arming.ticks += 1;
        Ok(())
    }

    /// The running arming, if the ticker is started.
    pub fn running(&self) -> Option<&TickerArming> {
        self.running.as_ref()
    }

    /// What happened so far (`fired` counts ticks received).
    pub fn counts(&self) -> LedgerCounts {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn ticker_ledger_checks_the_period_grid() {
        let t0 = Instant::now();
        let mut ledger = TickerLedger::new();
        ledger.start(t0, t0 + Duration::from_nanos(100), 10 * MS);
        let first = t0 + 10 * MS + Duration::from_nanos(50);
        assert!(ledger.received(first, first).is_ok());
        assert!(ledger.received(first + 25 * MS, first + 30 * MS).is_err());
        let mut ledger = TickerLedger::new();
        ledger.start(t0, t0 + Duration::from_nanos(100), 10 * MS);
        let off_grid = t0 + 10 * MS + Duration::from_nanos(500);
        assert!(ledger.received(off_grid, off_grid).is_err());
    }
}
