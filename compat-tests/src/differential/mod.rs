//! Differential testing: hold any [`TimerSet`](gowheel::TimerSet) to the
//! answers of a reference set, operation by operation.
//!
//! [`run_differential`] applies one sequence of [`TimerSetOp`]s to two fresh sets in
//! lockstep, with the same clock reading, and returns a [`Divergence`] at
//! the first point where they answer differently or either one breaks a
//! rule every set must keep. The reference is normally
//! [`HeapTimerSet::new(1)`](gowheel::HeapTimerSet), the port of Go's heap
//! with one shard, so that a check runs everything in one `when` order; the
//! candidate is whatever is being evaluated. [`op_strategy`] and
//! [`ops_strategy`] generate operation sequences for
//! [proptest](https://docs.rs/proptest), which shrinks a failing sequence to
//! a minimal one.
//!
//! # What is compared
//!
//! After every operation:
//!
//! * `modify`, `reset` and `stop` return the same `bool` on both sets, and
//!   the value Go's rules give (whether the timer was pending);
//! * for a check, both sets fire the same entries ([`FiredEntry`]: timer,
//!   `seq`, deadline `when = now - delay`, `delay`, and what the callback's
//!   own [`OnFire`] operation returned): the sequence of `when`s exactly,
//!   and the entries as a multiset (Go gives no order among timers due at
//!   the same `when`); every `delay >= 0`, `when`s non-decreasing within
//!   the check, every fired timer pending at exactly that deadline with its
//!   current `seq`, and nothing due at `now` left unfired;
//! * the value `check` returns and
//!   [`TimerSet::wake_time`](gowheel::TimerSet::wake_time) are never later
//!   than the earliest pending deadline and are nonzero while a timer is
//!   pending (they may be earlier: a stale lower bound is allowed), and
//!   `check`'s value is later than `now` if nonzero;
//! * [`TimerSet::verify`](gowheel::TimerSet::verify) passes,
//!   [`TimerSet::stats`](gowheel::TimerSet::stats) counts exactly the
//!   pending timers as `filed - zombies`, and a set with nothing filed has
//!   no wake time.
//!
//! "Pending" comes from the model of Go's rules the conformance harness
//! uses too: per timer, its pending deadline, period and `seq`, updated by
//! every operation and every fire (a periodic timer re-arms at
//! [`expected_next_periodic_when`](crate::expected_next_periodic_when), a
//! one-shot one disarms); the run adds each timer's callback, whose
//! [`OnFire`] operation then applies.
//!
//! Callbacks only ever operate on their own timer, and only re-arm it after
//! `now`, so that what a check does never depends on the order among timers
//! due at the same `when`, which Go leaves open.
//!
//! # Where things are
//!
//! | file | what |
//! | --- | --- |
//! | `ops.rs` | the operations ([`TimerSetOp`], [`When`], [`OnFire`]) and the clock range |
//! | `strategy.rs` | their random generation ([`op_strategy`], [`ops_strategy`]) |
//! | `side.rs` | one set under test: handles and the recording callbacks |
//! | `fired.rs` | what a check fired ([`FiredEntry`]) |
//! | `model.rs` | what both sets must answer: the shared model of Go's rules plus each callback's operation |
//! | `run.rs` | the lockstep run ([`run_differential`], [`Divergence`]) |
//!
//! # Example
//!
//! ```
//! use gowheel::{HeapTimerSet, TimingWheel, WheelConfig};
//! use gowheel_compat_tests::differential::{NewCallback, TimerSetOp, OnFire, When, run_differential};
//!
//! let ops = [
//!     TimerSetOp::Create { other_thread: false, on_fire: OnFire::Record },
//!     TimerSetOp::Reset { timer: 0, when: When::FromNow(500), period: 0 },
//!     TimerSetOp::Modify {
//!         timer: 0,
//!         when: When::Earlier(450),
//!         period: 7,
//!         callback: Some(NewCallback { seq: 3, on_fire: OnFire::Stop }),
//!     },
//!     TimerSetOp::Check { advance: 60 }, // fires at 1050; its callback stops it
//!     TimerSetOp::Stop { timer: 0 },
//! ];
//! let candidate = TimingWheel::new(WheelConfig::default().stripes(1));
//! run_differential(HeapTimerSet::new(1), candidate, &ops).unwrap();
//! ```
//!
//! With proptest:
//!
//! ```
//! use gowheel::{HeapTimerSet, TimingWheel};
//! use gowheel_compat_tests::differential::{ops_strategy, run_differential};
//! use proptest::prelude::*;
//!
//! let config = ProptestConfig { cases: 8, ..ProptestConfig::default() };
//! proptest!(config, |(ops in ops_strategy(100))| {
//!     let result = run_differential(HeapTimerSet::new(1), TimingWheel::default(), &ops);
//!     prop_assert!(result.is_ok(), "{}", result.unwrap_err());
//! });
//! ```

mod fired;
mod model;
mod ops;
mod run;
mod side;
mod strategy;

pub use fired::FiredEntry;
pub use ops::{MAX_NOW, NewCallback, OnFire, START_NOW, TimerSetOp, When};
pub use run::{Divergence, run_differential};
pub use strategy::{op_strategy, ops_strategy};
