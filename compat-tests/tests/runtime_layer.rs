//! The runtime-layer conformance suite on the heap reference.
//!
//! One shard: the whole set is one heap, so a check runs everything in one
//! `when` order, and the opt-in global-order body applies. Three and eight
//! shards: threads arm into different heaps, and the per-thread order is
//! what a check promises.

use gowheel::HeapTimerSet;
use gowheel_compat_tests::conformance_tests;

conformance_tests!(heap_one_shard, || HeapTimerSet::new(1), extra: [
    one_check_runs_due_timers_in_global_when_order,
]);
conformance_tests!(heap_three_shards, || HeapTimerSet::new(3));
conformance_tests!(heap_eight_shards, || HeapTimerSet::new(8));
