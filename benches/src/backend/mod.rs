//! The backends a workload runs on, behind two traits: one per layer.
//!
//! * [`TimerBackend`], the time-package layer (what Go programs call):
//!   `after_func`, `Timer.Stop`, `Timer.Reset`, `Sleep`. Implemented by
//!   [`Gowheel`] (a [`gowheel::Runtime`] on the real clock, with its driver
//!   thread, on either backend: the same code a user switches with one
//!   builder call) and by [`Tokio`] (a multi-thread tokio runtime:
//!   `tokio::time::Sleep`s registered, reset and dropped, spawned tasks
//!   that sleep then run a function, and `Sleep`s whose waker runs a
//!   function, [`TokioFunc`]).
//! * [`TimerQueue`], the runtime layer (one owner, deadlines it computes
//!   itself, no clock read per operation): insert, reset, remove.
//!   Implemented by [`SetQueue`] over any [`TimerSet`](gowheel::TimerSet) (the wheel or the
//!   heap) and by [`TokioQueue`], tokio-util's `DelayQueue`.
//!
//! Every workload body is written once against these traits, so each
//! backend runs exactly the same operations.
//!
//! Files: `kind` ([`BackendKind`], the names), `time_package`
//! ([`TimerBackend`] and its implementations), `queue` ([`TimerQueue`] and
//! its implementations). Each layer has a visitor ([`with_backend`],
//! [`with_queue`]): the one place where a backend's name becomes a type.
//! This file declares and re-exports.

mod kind;
mod queue;
mod time_package;

pub use kind::BackendKind;
pub use queue::{QueueVisitor, SetQueue, TimerQueue, TokioQueue, with_queue};
pub use time_package::{BackendVisitor, Gowheel, TimerBackend, Tokio, TokioFunc, with_backend};
