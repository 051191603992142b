//! The runtime-layer conformance suite: Go's `runtime/time.go` semantics as
//! test bodies generic over [`TimerSet`](gowheel::TimerSet), so that every backend runs the same
//! tests. [`conformance_tests!`](crate::conformance_tests) turns them into
//! `#[test]`s for one backend.
//!
//! Each body takes a factory `impl Fn() -> S` (most make one set; a few make
//! several) and drives the set through a [`Harness`](crate::Harness), which checks the set's
//! invariants and a model of Go's rules after every operation (see
//! [`Harness::assert_invariants`](crate::Harness::assert_invariants)); the exact expectations are also written
//! out in each body, so that a failure reads as the scenario it breaks.
//!
//! # What is covered
//!
//! | area | bodies |
//! | --- | --- |
//! | state transitions | [`armed_timer_fires_once_at_its_deadline`], [`timer_modified_earlier_fires_at_new_time_only`], [`timer_modified_later_fires_at_new_time_only`], [`stopped_timer_never_fires`], [`stopped_timer_reset_fires_once_at_new_time`], [`fired_timer_can_be_reset`] |
//! | periodic timers | [`periodic_timer_fires_every_period`], [`periodic_timer_skips_missed_periods`], [`periodic_timer_stopped_by_its_own_callback`] |
//! | callbacks that operate on timers | [`callback_can_reset_its_own_timer`], [`callback_can_stop_reset_and_create_other_timers`] |
//! | results of `stop`, `reset`, `modify` (Go's `TestStopResult`, `TestResetResult`) | [`stop_results_in_every_state`], [`reset_results_in_every_state`], [`modify_replaces_callback_and_seq`] |
//! | moving many timers (Go's `TestTimerModifiedEarlier`, `TestAdjustTimers`) | [`timers_modified_earlier_fire_in_one_check`], [`adjust_timers_random_interleaving`] |
//! | what a check runs, and in what order | [`check_returns_next_wake_time`], [`check_result_never_later_than_earliest_pending`], [`one_check_runs_exactly_the_due_timers`], [`one_check_runs_due_timers_in_when_order_per_arming_thread`], [`run_until_fires_every_timer_at_its_deadline_in_when_order`], and, opt-in, [`one_check_runs_due_timers_in_global_when_order`] |
//! | bounded garbage | [`stopped_timers_are_purged_by_check`], [`arm_stop_cycles_keep_filed_bounded`] |
//! | `wake_time` | [`wake_time_never_later_than_earliest_pending`] (and the harness, after every operation) |
//! | saturation (Go's `TestOverflowPeriodRuntimeTimer`) | [`deadline_at_max_when_never_fires`], [`periodic_timer_saturates_at_max_when`], [`periodic_rearm_matches_next_periodic_when`] |
//! | misuse | [`modify_panics_on_bad_arguments_and_changes_nothing`], [`timer_of_another_set_panics`] |
//! | handles | [`dropped_handle_does_not_stop_timer`] |
//! | concurrency | [`concurrent_operations_fire_every_arming_once`] |
//!
//! # What order a check promises
//!
//! [`TimerSet::check`](gowheel::TimerSet::check) runs due timers in non-decreasing `when` order
//! *within each independent part of the set*; the trait does not say what
//! the parts are. The heap's parts are its shards, and a thread arms timers
//! into its own shard, so a check of a many-shard heap interleaves the
//! shards' sequences. So the suite asserts:
//!
//! * in any set, among the timers armed from one thread, one check runs them
//!   in `when` order;
//! * in any set, [`ManualClock::run_until`](gowheel::ManualClock::run_until)
//!   runs every timer at its own deadline (`delay == 0`), so the global
//!   sequence is in `when` order;
//! * only for sets that promise a single part (a one-shard heap; the wheel,
//!   whose design promises order within a check), and only when
//!   instantiated with `extra: [one_check_runs_due_timers_in_global_when_order]`,
//!   that one check runs everything in global `when` order.
//!
//! # Time
//!
//! No test reads the wall clock for an assertion: every set is driven by a
//! [`ManualClock`](gowheel::ManualClock), and the concurrent smoke test uses
//! the wall clock only to decide how long to keep going.
//!
//! # Where the bodies are
//!
//! One file per row of the table above (`transitions.rs`, `periodic.rs`,
//! `callbacks.rs`, `results.rs`, `moving_many.rs`, `check_order.rs`,
//! `garbage.rs`, `wake_time.rs`, `saturation.rs`, `misuse.rs`,
//! `handles.rs`, `concurrency.rs`); `support.rs` holds what they share.
//! Every body is re-exported here, so that a body's path is
//! `conformance::name` whatever file holds it.

mod callbacks;
mod check_order;
mod concurrency;
mod garbage;
mod handles;
mod misuse;
mod moving_many;
mod periodic;
mod results;
mod saturation;
mod support;
mod transitions;
mod wake_time;

pub use callbacks::*;
pub use check_order::*;
pub use concurrency::*;
pub use garbage::*;
pub use handles::*;
pub use misuse::*;
pub use moving_many::*;
pub use periodic::*;
pub use results::*;
pub use saturation::*;
pub use transitions::*;
pub use wake_time::*;
