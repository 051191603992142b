//! # gowheel
//!
//! Go's timer API in Rust, on a lock-striped hierarchical hashed timing
//! wheel, with a faithful port of Go's per-P timer heaps beside it as the
//! reference both are held to.
//!
//! ## The time-package layer
//!
//! What Go programs call, with Go 1.23+ semantics: [`Timer`] and its
//! channel, [`after_func`], [`Ticker`], [`after`], [`tick`], [`sleep`]. The
//! free functions and `::new` constructors use a process-wide
//! [`default_runtime`] (the wheel, a monotonic clock and a driver thread);
//! a [`Runtime`] built explicitly chooses its backend, its number of stripes
//! or shards, and its clock.
//!
//! ```
//! use std::time::Duration;
//!
//! let timer = gowheel::Timer::new(Duration::from_millis(5));
//! let deadline = timer.receiver().recv(); // blocks ~5 ms; the value is the deadline
//! assert!(!timer.stop()); // already fired and received
//!
//! let ticker = gowheel::Ticker::new(Duration::from_millis(1));
//! ticker.receiver().recv();
//! ticker.stop();
//! # let _ = deadline;
//! ```
//!
//! ### Async code and `select`
//!
//! The same timers are futures on any executor, woken by the timer itself
//! (no thread per wait, no polling): `.await` a [`Receiver`] (cancel-safe),
//! or use the tokio-style [`future::sleep`], [`future::timeout`] and
//! [`Ticker::stream`]. In threaded code,
//! [`Receiver::select_receiver`] puts a timer's channel in
//! `crossbeam_channel::select!`. Either way Go's guarantee holds: after
//! `stop` or `reset` returns, no stale value can be received.
//!
//! ```
//! use std::time::Duration;
//!
//! futures::executor::block_on(async {
//!     let idle = gowheel::Timer::new(Duration::from_millis(2));
//!     let fired_at = idle.receiver().await;
//!     let answer = gowheel::future::timeout(Duration::from_secs(5), async { 42 }).await;
//!     assert_eq!(answer, Ok(42));
//!     # let _ = fired_at;
//! });
//! ```
//!
//! ### Callbacks
//!
//! [`after_func`] (an `Fn`, run at every firing, as Go's) and
//! [`after_func_once`] (an `FnOnce`, run at the first) run on the runtime's
//! driver thread, one callback at a time: a slow callback delays every
//! timer due after it, so hand long work to another thread or task.
//!
//! ### Deterministic tests: the manual clock
//!
//! A manual-clock runtime moves time only when asked; `advance` fires what
//! falls due in deadline order, each at its own deadline, as Go's
//! `testing/synctest` does. Switching backend is one line.
//!
//! ```
//! use gowheel::{Backend, Runtime};
//! use std::time::Duration;
//!
//! for backend in [Backend::Wheel, Backend::Heap] {
//!     let runtime = Runtime::builder().backend(backend).manual_clock().build();
//!     let idle = runtime.new_timer(Duration::from_secs(30));
//!     runtime.advance(Duration::from_secs(20));
//!     assert!(idle.reset(Duration::from_secs(30))); // a packet: pushed back to 50 s
//!     runtime.advance(Duration::from_secs(40));
//!     let fired_at = idle.receiver().try_recv().unwrap();
//!     assert_eq!(fired_at - runtime.start(), Duration::from_secs(50));
//! }
//! ```
//!
//! ## The runtime layer
//!
//! Beneath, the [`TimerSet`] trait has the operations and answers of Go's
//! `runtime/time.go` (`modify`, `stop`, `reset`, `check`, `wake_time`) on
//! `i64` nanosecond deadlines, implemented by [`TimingWheel`] and by
//! [`HeapTimerSet`]; a [`ManualClock`] drives a set deterministically.
//!
//! ```
//! use gowheel::{ManualClock, TimerSet};
//! use std::sync::{Arc, Mutex};
//!
//! let clock = ManualClock::new(1);
//! let set = gowheel::TimingWheel::default(); // or HeapTimerSet::new(2)
//! let log = Arc::new(Mutex::new(Vec::new()));
//! let fired = log.clone();
//! let idle = set.new_timer(gowheel::callback(move |_, _| fired.lock().unwrap().push("idle")));
//! set.reset(&idle, 1_000, 0);
//! for packet_at in [200, 400, 900] {
//!     clock.run_until(&set, packet_at);
//!     assert!(set.reset(&idle, packet_at + 1_000, 0)); // was pending: pushed back
//! }
//! clock.run_until(&set, 1_899);
//! assert!(log.lock().unwrap().is_empty());
//! clock.run_until(&set, 1_900);
//! assert_eq!(*log.lock().unwrap(), vec!["idle"]);
//! ```
#![warn(missing_docs)]

mod anchor;
mod backend;
mod callback_panic;
mod channel;
mod driver;
pub mod future;
pub mod heap;
mod manual_clock;
mod metrics;
mod monotonic;
mod observe;
mod record;
mod runtime;
mod ticker;
mod timer;
mod timer_set;
mod waiters;
pub mod wheel;

pub use backend::{Backend, UnknownBackend};
pub use callback_panic::CallbackPanic;
pub use channel::{Receiver, SelectReceiver, TryRecvError};
pub use heap::{HeapTimer, HeapTimerSet, MAX_SHARDS, ShardCountError};
pub use manual_clock::ManualClock;
pub use metrics::{Lateness, RuntimeMetrics};
pub use runtime::{BuildError, NotManualClock, Runtime, RuntimeBuilder, default_runtime};
pub use ticker::{NonPositiveInterval, Ticker, tick};
pub use timer::{AfterFunc, Timer, after, after_func, after_func_once, sleep};
pub use timer_set::{
    Callback, MAX_WHEN, ModifyArgsError, NOT_ARMED, TimerSet, TimerSetStats, callback,
    check_modify_args, next_periodic_when, validate_modify_args,
};
pub use wheel::{Armed, TimingWheel, WheelConfig, WheelTimer};

/// The examples of this crate's `README.md`, compiled and run as doctests,
/// so that the README cannot drift from the API. The workspace's top-level
/// README carries the same code blocks; a workspace test
/// (`compat-tests/tests/readme.rs`) fails if the two differ.
///
/// Only `cargo test --doc` sees this item (`cfg(doctest)`). The file is
/// inside the crate, so a packaged crate's doctests find it too.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
