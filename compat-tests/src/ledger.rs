//! Ledgers that prove, from the public time-package API alone, that every
//! arming of a real-clock timer fires exactly once unless a `stop` or
//! `reset` returning true cancelled it, and never before its deadline.
//!
//! # What the public API lets a test see
//!
//! An [`AfterFunc`](gowheel::AfterFunc) callback is told nothing: not which
//! arming it runs for, not its deadline. A [`Timer`](gowheel::Timer) or
//! [`Ticker`](gowheel::Ticker) delivers the deadline it fired for, but not
//! which call armed it. `stop` and `reset` answer whether the arming before
//! them was still pending (for channel timers: or its value unreceived). On
//! a real clock the runtime's driver fires timers concurrently with
//! everything else, so the ledger has to pin down an order.
//!
//! # Ground rules (what makes the proof sound)
//!
//! * **One lock per timer.** Every operation on a timer (arming, `stop`,
//!   `reset`, receiving from its channel) and every run of its callback
//!   records itself in that timer's ledger *under the same lock the
//!   operation was made under*. The lock linearizes them: the ledger sees
//!   the operations in the order they took effect. Only the firing itself
//!   (the driver deciding a timer is due) is outside the lock, and the
//!   ledger reasons about exactly that race.
//! * **A `false` answer may precede its callback.** `reset` or `stop`
//!   returning false while the ledger still holds the last arming as armed
//!   means the driver took that arming: it fired, and its callback is on its
//!   way (it may run long after the call returned, even after the next
//!   arming was made). The arming moves to an *owed* queue: its callback
//!   must still come.
//! * **Callbacks of one timer run in firing order.** A runtime runs its
//!   callbacks on one driver thread, one at a time, each right after its
//!   timer is taken (see [`Runtime`](gowheel::Runtime)); a timer can be
//!   taken again only after it is re-armed, which happens after it was
//!   taken. So a callback runs for the oldest owed arming, or for the armed
//!   one if nothing is owed; anything else is a violation.
//!
//! Under those rules, with a correct timer set:
//!
//! * a callback that finds nothing owed and nothing armed ran for no arming
//!   (a double or a spurious firing, or one of a cancelled arming);
//! * a callback that runs before its arming's earliest deadline (the
//!   instant the arming call started plus its duration, which is never
//!   later than the deadline the runtime computed) ran early;
//! * `true` from `stop`/`reset` with nothing armed claims a pending timer
//!   that had fired or was never armed;
//! * an arming still armed or owed long after its deadline was lost.
//!
//! A bug can be attributed to the wrong arming (say a double firing
//! consumed as the next arming's run), but it is never explained away: the
//! next arming then fires with nothing to consume, or a `reset` answers
//! true with nothing armed, and the ledger reports that.
//!
//! Channel timers are simpler and stricter (Go 1.23's synchronous
//! channels): `stop` and `reset` return true exactly when the last arming
//! was pending, in flight or sitting unreceived, and after they return no
//! value of it can be received. So with receives made under the timer's
//! lock, `false` with an unreceived arming is a violation at once, and so
//! is any value received with nothing armed. Tickers deliver values on
//! their period grid: strictly increasing, a whole number of periods apart,
//! never one period twice.
//!
//! ```
//! use gowheel_compat_tests::ledger::{FuncLedger, Resolution};
//! use std::time::{Duration, Instant};
//!
//! let mut ledger = FuncLedger::new();
//! let armed_at = Instant::now();
//! ledger.arm(armed_at, Duration::ZERO);
//! // The driver fired it; a reset racing with the callback answers false...
//! assert_eq!(ledger.resolve(false), Ok(Resolution::Fired));
//! ledger.arm(Instant::now(), Duration::from_secs(3600));
//! // ...and the late callback is the first arming's.
//! assert!(ledger.fired(Instant::now()).is_ok());
//! // A stop answering true cancels the second arming.
//! assert_eq!(ledger.resolve(true), Ok(Resolution::Cancelled));
//! assert!(ledger.is_settled());
//! // A second run now would be a violation.
//! assert!(ledger.fired(Instant::now()).is_err());
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::panics::lock;

/// Violations found by a run: a count and the first messages.
///
/// Shared by every thread of a run; recording never panics, so that one
/// violation does not hide the others (a panic on the driver thread would
/// be swallowed by the panic hook anyway).
///
/// ```
/// let violations = gowheel_compat_tests::ledger::Violations::new();
/// violations.report("func 3: fired early");
/// assert_eq!(violations.count(), 1);
/// assert_eq!(violations.messages(), vec!["func 3: fired early".to_owned()]);
/// ```
#[derive(Debug, Default)]
pub struct Violations {
    count: AtomicUsize,
    kept: Mutex<Vec<String>>,
}

impl Violations {
    /// How many messages are kept; later ones are only counted.
    pub const KEPT: usize = 100;

    /// No violations yet.
    pub fn new() -> Violations {
        Violations::default()
    }

    /// Records one violation.
    pub fn report(&self, message: impl Into<String>) {
        // Relaxed: a statistic, read after the run's threads are joined.
        if self.count.fetch_add(1, Ordering::Relaxed) < Self::KEPT {
            lock(&self.kept).push(message.into());
        }
    }

    /// How many violations were reported.
    pub fn count(&self) -> usize {
        // Relaxed: see `report`.
        self.count.load(Ordering::Relaxed)
    }

    /// Whether none was reported.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// The first [`KEPT`](Self::KEPT) messages, in reporting order.
    pub fn messages(&self) -> Vec<String> {
        lock(&self.kept).clone()
    }
}

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
    fn new(generation: u64, call_started: Instant, duration: Duration) -> Arming {
        Arming {
            generation,
            earliest: call_started.checked_add(duration),
        }
    }

    /// Whether it may have fired by `now`: not early.
    fn due_by(&self, now: Instant) -> bool {
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
fn early_by(earliest: Option<Instant>, now: Instant) -> String {
    match earliest {
        Some(earliest) => format!("{:?} early", earliest.saturating_duration_since(now)),
        None => "with a deadline that overflows (it must never fire)".to_owned(),
    }
}

/// The ledger of one function timer ([`AfterFunc`](gowheel::AfterFunc)):
/// the arming that may still be pending, and the armings known to have
/// fired whose callbacks have not run yet. See the [module doc](self).
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
    generations: u64,
    armed: Option<Arming>,
    owed: VecDeque<Arming>,
    counts: LedgerCounts,
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
        debug_assert!(self.armed.is_none(), "resolve the previous arming first");
        self.generations += 1;
        self.counts.armed += 1;
        let arming = Arming::new(self.generations, call_started, duration);
        self.armed = Some(arming);
        arming
    }

    /// Records the answer of a `stop` or `reset`, which leaves nothing
    /// armed (a `reset` then calls [`arm`](Self::arm)).
    ///
    /// # Errors
    ///
    /// A message if the answer is impossible: true with nothing armed.
    pub fn resolve(&mut self, pending: bool) -> Result<Resolution, String> {
        match (pending, self.armed.take()) {
            (true, Some(_)) => {
                self.counts.cancelled += 1;
                Ok(Resolution::Cancelled)
            }
            (true, None) => Err(match self.owed.back() {
                Some(owed) => format!(
                    "stop/reset answered true (pending), but the last arming ({owed}) was \
                     already reported fired by an earlier answer"
                ),
                None => format!(
                    "stop/reset answered true (pending), but no arming was pending: the last \
                     ({}) had run or been cancelled",
                    self.generations
                ),
            }),
            (false, Some(arming)) => {
                self.owed.push_back(arming);
                Ok(Resolution::Fired)
            }
            (false, None) => Ok(Resolution::NothingPending),
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
        let Some(arming) = self.owed.pop_front().or_else(|| self.armed.take()) else {
            return Err(format!(
                "the callback ran with no arming to run for (last arming: #{}; every one had \
                 already run or been cancelled): a double or spurious firing",
                self.generations
            ));
        };
        self.counts.fired += 1;
        if arming.due_by(now) {
            Ok(arming)
        } else {
            Err(format!("{arming} fired {}", early_by(arming.earliest, now)))
        }
    }

    /// Whether nothing is armed or owed: every arming ran or was cancelled.
    pub fn is_settled(&self) -> bool {
        self.armed.is_none() && self.owed.is_empty()
    }

    /// The armings still waiting for their callback, owed ones first.
    pub fn outstanding(&self) -> Vec<Arming> {
        self.owed.iter().copied().chain(self.armed).collect()
    }

    /// What happened so far.
    pub fn counts(&self) -> LedgerCounts {
        self.counts
    }
}

/// The ledger of one channel timer ([`Timer`](gowheel::Timer)) with Go
/// 1.23 semantics: an arming is received once, or cancelled by a `stop` or
/// `reset` returning true; `false` means it was received already (or there
/// was none). See the [module doc](self).
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
    generations: u64,
    armed: Option<Arming>,
    counts: LedgerCounts,
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
        self.generations += 1;
        self.counts.armed += 1;
        let arming = Arming::new(self.generations, call_started, duration);
        self.armed = Some(arming);
        arming
    }

    /// Records the answer of a `stop` or `reset`.
    ///
    /// # Errors
    ///
    /// A message if the answer is impossible: true with nothing armed or
    /// unreceived, or false with an arming never received (it was pending,
    /// in flight or unreceived, so Go 1.23 answers true).
    pub fn resolve(&mut self, pending: bool) -> Result<Resolution, String> {
        match (pending, self.armed.take()) {
            (true, Some(_)) => {
                self.counts.cancelled += 1;
                Ok(Resolution::Cancelled)
            }
            (true, None) => Err(format!(
                "stop/reset answered true, but nothing was pending or unreceived (last arming \
                 #{} was received or cancelled)",
                self.generations
            )),
            (false, Some(arming)) => {
                // Counted as fired so that the counts still balance.
                self.counts.fired += 1;
                Err(format!(
                    "stop/reset answered false, but {arming} was never received: it was \
                     pending, in flight or unreceived, so the answer must be true"
                ))
            }
            (false, None) => Ok(Resolution::NothingPending),
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
        let Some(arming) = self.armed.take() else {
            return Err(format!(
                "received a value (deadline {value:?}) with nothing armed: a stale value after \
                 stop/reset, or a second value for arming #{}",
                self.generations
            ));
        };
        self.counts.fired += 1;
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
        if self.armed.take().is_some() {
            self.counts.abandoned += 1;
        }
    }

    /// The arming not yet received or cancelled, if any.
    pub fn armed(&self) -> Option<Arming> {
        self.armed
    }

    /// What happened so far.
    pub fn counts(&self) -> LedgerCounts {
        self.counts
    }
}

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
