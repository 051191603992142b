//! The operations a differential run applies to both sets: [`TimerSetOp`],
//! with the deadline forms ([`When`]) and the callbacks' own operations
//! ([`OnFire`]) it is built from, and the clock range they are resolved in.
//!
//! An operation names a timer by its index among the timers the run has
//! created and describes deadlines relative to the clock or to the timer's
//! last deadline, so that any sequence of operations is meaningful on any
//! pair of fresh sets: nothing in it depends on what a set answered.

use gowheel::MAX_WHEN;

/// The clock reading a differential run starts at.
pub const START_NOW: i64 = 1_000;

/// The latest clock reading a run reaches: [`TimerSetOp::Check`] advances saturate
/// here, one short of [`MAX_WHEN`], which is never reached.
pub const MAX_NOW: i64 = MAX_WHEN - 1;

/// How an operation picks a timer's new deadline. Every form is resolved
/// against the harness's model and clock, then clamped to `1..=MAX_WHEN`
/// (saturating), so that it is always a valid argument of `modify`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// `now + delta`; a negative `delta` is a deadline in the past.
    FromNow(i64),
    /// `delta` ns (at least 0) before the deadline the timer was last armed
    /// for, pending or not, so that re-arming a stopped or fired timer
    /// earlier than where it used to sit is covered; from `now` if it was
    /// never armed.
    Earlier(i64),
    /// `delta` ns (at least 0) after the deadline the timer was last armed
    /// for; from `now` if it was never armed.
    Later(i64),
    /// Exactly this deadline (`MAX_WHEN` included; values before
    /// [`START_NOW`] are in the past).
    At(i64),
}

/// What a timer's callback does, after recording its run, to its own
/// timer, from inside the check that runs it (with the set's locks
/// released, as [`TimerSet::check`](gowheel::TimerSet::check) promises).
///
/// Nothing is done once the timer's handle is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnFire {
    /// Nothing: only record the run.
    Record,
    /// [`TimerSet::stop`](gowheel::TimerSet::stop) its own timer (true
    /// only for a periodic timer, already re-armed when its callback runs).
    Stop,
    /// [`TimerSet::reset`](gowheel::TimerSet::reset) its own timer to
    /// `now + after` (`after` at least 1, so never due in the same check)
    /// with `period` (at least 0).
    Reset {
        /// How long after the check's `now` to re-arm.
        after: i64,
        /// The new period.
        period: i64,
    },
    /// [`TimerSet::modify`](gowheel::TimerSet::modify) its own timer as
    /// for `Reset`, replacing its callback (with a new one that does the
    /// same) and its `seq`.
    Modify {
        /// How long after the check's `now` to re-arm.
        after: i64,
        /// The new period.
        period: i64,
        /// The new `seq`.
        seq: u64,
    },
}

/// A new callback given by [`TimerSetOp::Modify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewCallback {
    /// The `seq` the new callback gets.
    pub seq: u64,
    /// What it does when it runs.
    pub on_fire: OnFire,
}

/// One step of a differential run.
///
/// Timers are named by their index in the list of timers the run has
/// created, taken modulo its length; an operation on a timer while none
/// exists, or on one whose handle was dropped, is skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimerSetOp {
    /// Creates a timer in each set, with a callback that records its runs
    /// and then does `on_fire`. With `other_thread`, both are created on a
    /// new thread, which may put them in another part of a striped or
    /// sharded set.
    Create {
        /// Create the timers on a freshly spawned thread.
        other_thread: bool,
        /// What the callback does after recording.
        on_fire: OnFire,
    },
    /// [`TimerSet::modify`](gowheel::TimerSet::modify): re-arms the timer,
    /// and with a `callback`, replaces its callback and `seq`.
    Modify {
        /// The timer's index.
        timer: usize,
        /// Its new deadline.
        when: When,
        /// Its period; clamped to `>= 0`.
        period: i64,
        /// `Some`: replace the callback and `seq`; `None`: keep them (the
        /// call passes `None` and `seq` 0).
        callback: Option<NewCallback>,
    },
    /// [`TimerSet::reset`](gowheel::TimerSet::reset): re-arms the timer
    /// keeping its callback and `seq`.
    Reset {
        /// The timer's index.
        timer: usize,
        /// Its new deadline.
        when: When,
        /// Its period; clamped to `>= 0`.
        period: i64,
    },
    /// [`TimerSet::stop`](gowheel::TimerSet::stop).
    Stop {
        /// The timer's index.
        timer: usize,
    },
    /// Drops both handles of the timer; a pending timer must still fire.
    /// Later operations naming it are skipped.
    DropHandle {
        /// The timer's index.
        timer: usize,
    },
    /// [`TimerSet::stop_and_drop`](gowheel::TimerSet::stop_and_drop): the
    /// answer of [`Stop`](TimerSetOp::Stop), and then what
    /// [`DropHandle`](TimerSetOp::DropHandle) leaves, in one call. Later
    /// operations naming the timer are skipped.
    StopAndDrop {
        /// The timer's index.
        timer: usize,
    },
    /// Advances the clock by `advance` ns (negative counts as 0, saturating
    /// at [`MAX_NOW`]) and calls [`TimerSet::check`](gowheel::TimerSet::check)
    /// on both sets.
    Check {
        /// How far to move the clock.
        advance: i64,
    },
    /// Moves the clock to the earliest pending deadline plus `offset` (if
    /// that is later than now; capped at [`MAX_NOW`]) and calls
    /// [`TimerSet::check`](gowheel::TimerSet::check) on both sets. Hits
    /// deadlines and slot boundaries exactly, which random advances rarely
    /// do.
    CheckAtDeadline {
        /// Added to the earliest pending deadline.
        offset: i64,
    },
}

/// The deadline an [`OnFire`] re-arm asks for: `now + after`, `after` at
/// least 1 (so never due in the check that runs the callback), saturating
/// at `MAX_WHEN`.
pub(super) fn rearm_when(now: i64, after: i64) -> i64 {
    now.saturating_add(after.max(1))
}
