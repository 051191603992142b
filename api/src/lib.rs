//! # gowheel
//!
//! Go's timer API in Rust, on a lock-striped hierarchical hashed timing
//! wheel, with a faithful port of Go's per-P timer heaps beside it as the
//! reference both are held to.
//!
//! This crate offers the **runtime layer**: the [`TimerSet`] trait, with the
//! operations and answers of Go's `runtime/time.go` (`modify`, `stop`,
//! `reset`, `check`, `wake_time`) on `i64` nanosecond deadlines, and two
//! implementations: [`TimingWheel`], the default, and [`HeapTimerSet`], the
//! port of Go's heaps that the wheel is held to. Code generic over
//! `TimerSet` switches backend by changing one constructor. A
//! [`ManualClock`] drives a set deterministically in tests.
//!
//! ```
//! use gowheel::{HeapTimerSet, ManualClock, TimerSet};
//! use std::sync::{Arc, Mutex};
//!
//! let clock = ManualClock::new(1);
//! let set = gowheel::TimingWheel::default(); // or HeapTimerSet::new(2)
//! let log = Arc::new(Mutex::new(Vec::new()));
//!
//! // An idle timeout, pushed back on every "packet".
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

pub mod heap;
mod manual_clock;
mod timer_set;
pub mod wheel;

pub use heap::{HeapTimer, HeapTimerSet};
pub use manual_clock::ManualClock;
pub use timer_set::{
    Callback, MAX_WHEN, NOT_ARMED, TimerSet, TimerSetStats, callback, next_periodic_when,
    validate_modify_args,
};
pub use wheel::{TimingWheel, WheelConfig, WheelTimer};
