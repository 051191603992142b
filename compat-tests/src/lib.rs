//! Go's timer behaviours and cross-backend tests for gowheel.
//!
//! Every test here is written once, generic over the runtime-layer
//! [`TimerSet`](gowheel::TimerSet) trait, and run on every backend, so that
//! the timing wheel is held to the same answers as the port of Go's heap.
//!
//! * [`conformance`]: the runtime-layer conformance suite, one public
//!   generic function per test body (see its module doc for what it covers).
//! * [`conformance_tests!`]: instantiates the suite as `#[test]`s for one
//!   backend.
//! * [`Harness`], [`Ops`], [`Recorder`], [`Fired`], [`Tracked`]: the
//!   harness the bodies drive a set through, which verifies the set and
//!   checks it against a model of Go's rules after every operation.
//! * [`ledger`]: exactly-once ledgers for real-clock timers, driven through
//!   the public time-package API only (the stress and load runs).
//! * [`load`]: the load run behind the `load` command and its CI test.
//! * [`stall_probe`]: a thread that measures the machine's own pauses
//!   during a run, to tell them from the timers'.
//! * [`replay`]: Go's recorded timer traces, parsed and replayed; timed
//!   traces (recordings) parsed and checked, for `evaluate --trace`.
//! * [`differential`]: random operation sequences applied in lockstep to a
//!   reference set and a candidate, which must answer alike.
//! * [`fuzzing`]: what the fuzz targets in `fuzz/` run, so that their
//!   findings replay here.
//! * [`cli`]: the command-line plumbing of the `load` and `replay` binaries.
//! * [`watchdog`]: aborts a test process that deadlocks, with a message.
//! * [`panics`]: the message of a caught panic, a call that must panic, and
//!   a lock that ignores poisoning.
//!
//! # Example
//!
//! In a test file of any crate with a backend:
//!
//! ```
//! gowheel_compat_tests::conformance_tests!(heap_two_shards, || gowheel::HeapTimerSet::new(2));
//! ```
//!
//! A body can also be called directly:
//!
//! ```
//! gowheel_compat_tests::conformance::stop_results_in_every_state(|| gowheel::HeapTimerSet::new(1));
//! ```
#![warn(missing_docs)]

pub mod cli;
pub mod conformance;
pub mod differential;
pub mod fuzzing;
mod go_rules;
mod harness;
pub mod ledger;
pub mod load;
pub mod panics;
mod recorder;
pub mod replay;
pub mod stall_probe;
pub mod watchdog;

pub use go_rules::expected_next_periodic_when;
pub use harness::{Harness, Ops, TestableSet, Tracked};
pub use recorder::{Fired, Recorder};

/// Instantiates the [`conformance`] suite for one backend: a module named
/// by the first argument, holding one `#[test]` per body, each calling the
/// body with the factory expression given second (an `Fn() -> S` making a
/// fresh, empty set).
///
/// Bodies that only some backends promise to pass are opted into with
/// `extra: [...]`; today that is
/// [`one_check_runs_due_timers_in_global_when_order`](conformance::one_check_runs_due_timers_in_global_when_order),
/// for sets whose check runs everything in one `when` order.
///
/// The module glob-imports its parent, so the factory may use names
/// imported there.
///
/// ```
/// use gowheel::HeapTimerSet;
///
/// gowheel_compat_tests::conformance_tests!(heap_one_shard, || HeapTimerSet::new(1), extra: [
///     one_check_runs_due_timers_in_global_when_order,
/// ]);
/// gowheel_compat_tests::conformance_tests!(heap_four_shards, || HeapTimerSet::new(4));
/// ```
#[macro_export]
macro_rules! conformance_tests {
    ($module:ident, $new_set:expr $(,)?) => {
        $crate::conformance_tests!($module, $new_set, extra: []);
    };
    ($module:ident, $new_set:expr, extra: [$($extra:ident),* $(,)?] $(,)?) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;

            $crate::__conformance_test_fns! {
                $new_set;
                armed_timer_fires_once_at_its_deadline,
                timer_modified_earlier_fires_at_new_time_only,
                timer_modified_later_fires_at_new_time_only,
                stopped_timer_never_fires,
                stopped_timer_reset_fires_once_at_new_time,
                fired_timer_can_be_reset,
                periodic_timer_fires_every_period,
                periodic_timer_skips_missed_periods,
                periodic_timer_stopped_by_its_own_callback,
                callback_can_reset_its_own_timer,
                callback_can_stop_reset_and_create_other_timers,
                stop_results_in_every_state,
                reset_results_in_every_state,
                modify_replaces_callback_and_seq,
                timers_modified_earlier_fire_in_one_check,
                adjust_timers_random_interleaving,
                check_returns_next_wake_time,
                check_result_never_later_than_earliest_pending,
                one_check_runs_exactly_the_due_timers,
                one_check_runs_due_timers_in_when_order_per_arming_thread,
                run_until_fires_every_timer_at_its_deadline_in_when_order,
                stopped_timers_are_purged_by_check,
                arm_stop_cycles_keep_filed_bounded,
                wake_time_never_later_than_earliest_pending,
                deadline_at_max_when_never_fires,
                periodic_timer_saturates_at_max_when,
                periodic_rearm_matches_next_periodic_when,
                modify_panics_on_bad_arguments_and_changes_nothing,
                timer_of_another_set_panics,
                dropped_handle_does_not_stop_timer,
                concurrent_operations_fire_every_arming_once,
                $($extra,)*
            }
        }
    };
}

/// Expands to one `#[test]` per named body of [`conformance`]. An
/// implementation detail of [`conformance_tests!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_test_fns {
    ($new_set:expr; $($body:ident),* $(,)?) => {
        $(
            #[test]
            fn $body() {
                $crate::conformance::$body($new_set);
            }
        )*
    };
}

/// How long a test waits for something that must happen before calling it
/// lost. Far longer than anything should take, even on a loaded machine:
/// these tests never assert that something is fast.
///
/// ```
/// assert_eq!(gowheel_compat_tests::EVENTUALLY.as_secs(), 10);
/// ```
pub const EVENTUALLY: std::time::Duration = std::time::Duration::from_secs(10);

/// Instantiates each named `fn(Backend)` as a `#[test]` twice: in module
/// `wheel` on [`gowheel::Backend::Wheel`] and in module `heap` on
/// [`gowheel::Backend::Heap`], so that a failure names its backend
/// (`wheel::test_stop_result`).
///
/// ```
/// fn arms_and_fires(backend: gowheel::Backend) {
///     let runtime = gowheel::Runtime::builder().backend(backend).manual_clock().build();
///     let timer = runtime.new_timer(std::time::Duration::from_secs(1));
///     runtime.advance(std::time::Duration::from_secs(1));
///     assert!(timer.receiver().try_recv().is_ok());
/// }
/// // In a test file, this makes `wheel::arms_and_fires` and
/// // `heap::arms_and_fires`.
/// gowheel_compat_tests::on_both_backends!(arms_and_fires);
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        /// The tests on the timing wheel.
        mod wheel {
            $(
                #[test]
                fn $test() {
                    super::$test(gowheel::Backend::Wheel);
                }
            )*
        }

        /// The tests on the port of Go's timer heap.
        mod heap {
            $(
                #[test]
                fn $test() {
                    super::$test(gowheel::Backend::Heap);
                }
            )*
        }
    };
}
