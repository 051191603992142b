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
//!
//! # Where things are
//!
//! One file per ledger (`func.rs`, `chan.rs`, `ticker.rs`); `arming.rs`
//! holds the arming record the one-shot ledgers share, with [`Arming`],
//! [`Resolution`] and [`LedgerCounts`]; `violations.rs` holds
//! [`Violations`].

mod arming;
mod chan;
mod func;
mod ticker;
mod violations;

pub use arming::{Arming, LedgerCounts, Resolution};
pub use chan::ChanLedger;
pub use func::FuncLedger;
pub use ticker::{TickerArming, TickerLedger};
pub use violations::Violations;
