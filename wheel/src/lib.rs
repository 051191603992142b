//! # gowheel-wheel
//!
//! A lock-striped, hierarchical, hashed timing wheel with the operations and
//! answers of Go's runtime timers (`modify`, `stop`, `reset`, `check`,
//! `wake_time`), for servers that hold millions of mostly-cancelled timers.
//!
//! # Design
//!
//! * **Stripes.** The wheel is split into stripes, each a complete wheel
//!   with its own lock and its own notion of elapsed time. A timer lives in
//!   the stripe of the thread that created it. Start, stop and reset touch
//!   one node lock and at most one stripe lock; timers in different stripes
//!   never contend. `check` takes stripes one at a time and merges them so
//!   that timers fire in deadline order overall.
//! * **Levels of hashed slots, two rotations each.** Each stripe has levels
//!   of 2·2^`slot_bits` slots (128 by default); each level is
//!   2^`slot_bits` times coarser than the one below and holds two of the
//!   level above's slots: the current one and the next. A timer sits at the
//!   lowest level that reaches it, in the slot its deadline's bits name.
//!   Occupancy bitmaps find each level's next non-empty slot without
//!   scanning, and deadlines beyond the top level wait in an overflow list.
//! * **Bounded pauses.** Because a level also holds the next slot of the
//!   level above, that slot's timers move down a whole slot width before
//!   it comes due, a share per check (the cascade ahead), instead of all at
//!   once. A timer moved earlier is listed on its stripe, and the next
//!   check re-files just the listed timers, each unlinked in O(1). Apart
//!   from the timers it fires, a check moves at most a budget of
//!   nodes a level (`WheelConfig::cascade_budget`) and settles only the timers moved since the last one,
//!   as long as checks come by the time `check` returns.
//! * **Exact.** Slots index, they do not round: each slot keeps a lower
//!   bound on its deadlines that is exact once it matters (a level-0 slot
//!   is sorted, its minimum exact, before it fires), and a timer fires only
//!   once the check time reaches its exact `when`, with `delay = now -
//!   when`, as Go's heap does. The wake time is never later than the
//!   earliest deadline and not a slot boundary.
//! * **Lazy, Go's way.** Moving a timer later only records the new deadline
//!   and `MODIFIED` under the timer's lock; the timer is re-filed when its
//!   old slot comes due. Moving it earlier also lists it on its stripe and
//!   lowers the stripe's `min_when_modified`, *after* publishing the move:
//!   the state-before-min-update rule that Go's CL 574741 introduced, on
//!   which the stripe's adjust relies. Every word read without a lock, and
//!   how its orderings pair, is in one table: `protocol.rs`.
//! * **Bounded garbage, memory that comes back.** `stop` leaves a zombie
//!   in its slot; once zombies exceed a quarter of a stripe's filed timers,
//!   a sweep pass walks the stripe's nodes in address order (which the
//!   processor prefetches), a bounded share at a time, unlinking zombies
//!   in O(1). Nodes are 64 bytes, carved from per-stripe slabs of 128 KiB
//!   chunks. A handle dropped while its timer is not filed returns its node
//!   to the stripe without the stripe lock (one CAS onto a stack the
//!   stripe takes whole), and new timers take those nodes first; checks
//!   give the rest back to the slab a bounded number at a time. A chunk
//!   that empties goes back to the allocator, freed through
//!   an epoch so that a thread still waking a waiter on one of its nodes
//!   never touches freed memory (see `slab.rs`).
//!
//! # Example
//!
//! ```
//! use gowheel_wheel::{TimingWheel, WheelConfig, callback};
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::sync::Arc;
//!
//! let wheel = TimingWheel::new(WheelConfig::default());
//! let expired = Arc::new(AtomicUsize::new(0));
//! let connections: Vec<_> = (0..1_000)
//!     .map(|_| {
//!         let expired = expired.clone();
//!         let idle = wheel.new_timer(callback(move |_, _| {
//!             expired.fetch_add(1, Ordering::Relaxed);
//!         }));
//!         wheel.reset(&idle, 30_000_000_000, 0); // 30 s idle timeout
//!         idle
//!     })
//!     .collect();
//! // Packets arrive on half the connections: push their timeouts back.
//! for idle in connections.iter().step_by(2) {
//!     assert!(wheel.reset(idle, 40_000_000_000, 0));
//! }
//! wheel.check(35_000_000_000);
//! assert_eq!(expired.load(Ordering::Relaxed), 500);
//! wheel.verify();
//! ```
#![warn(missing_docs)]

mod config;
mod deadline;
mod deferred;
mod node;
mod protocol;
#[cfg(not(loom))]
mod reclaim;
mod slab;
mod stripe;
mod sync;
mod thread_number;
mod wheel;

pub use config::{
    ConfigError, DEFAULT_CASCADE_BUDGET, DEFAULT_SLOT_BITS, DEFAULT_SWEEP_BUDGET,
    DEFAULT_TICK_SHIFT, MAX_STRIPES, WheelConfig,
};
pub use deadline::{
    Callback, MAX_WHEN, ModifyArgsError, NOT_ARMED, callback, check_modify_args,
    next_periodic_when, validate_modify_args,
};
pub use thread_number::{foreign_timer, thread_number, thread_position};
pub use wheel::{Armed, TimingWheel, WheelStats, WheelTimer};
