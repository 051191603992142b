//! A differential run: one sequence of [`TimerSetOp`]s applied in lockstep
//! to a reference set and a candidate set, compared after every operation
//! (see the [`differential`](super) module doc for the list).
//!
//! # Design
//!
//! * [`Lockstep`] holds both [`Side`]s, the [`Expected`] model and the
//!   shared clock reading. Each step makes the same call on both sides,
//!   each guarded against panics, then compares the two answers with each
//!   other and with the model; the first disagreement ends the run as a
//!   [`Divergence`], naming the operation and both answers.
//! * The clock reading lives in one atomic that callbacks read during a
//!   check; only the run's thread writes it, before calling `check`.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use gowheel::{NOT_ARMED, TimerSetStats};

use super::fired::{fired_problem, list};
use super::model::Expected;
use super::ops::{MAX_NOW, NewCallback, OnFire, START_NOW, TimerSetOp, When};
use super::side::{Outcome, Side, guarded};
use crate::harness::TestableSet;

/// Where a differential run found the candidate (or the reference) at odds
/// with the other set or with Go's rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The index in the sequence of the operation after which it was found.
    pub op_index: usize,
    /// That operation.
    pub op: TimerSetOp,
    /// The clock reading then.
    pub now: i64,
    /// What was compared or checked.
    pub what: String,
    /// The reference's answer.
    pub reference: String,
    /// The candidate's answer.
    pub candidate: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "divergence at op #{} {:?} (now {}): {}\n  reference: {}\n  candidate: {}",
            self.op_index, self.op, self.now, self.what, self.reference, self.candidate
        )
    }
}

impl std::error::Error for Divergence {}

/// The state of one run: both sides, the model and the clock.
struct Lockstep<R: TestableSet, C: TestableSet> {
    reference: Side<R>,
    candidate: Side<C>,
    model: Expected,
    now: Arc<AtomicI64>,
    op_index: usize,
    op: TimerSetOp,
}

impl<R: TestableSet, C: TestableSet> Lockstep<R, C> {
    fn now(&self) -> i64 {
        // Relaxed: only this thread writes it.
        self.now.load(Ordering::Relaxed)
    }

    fn diverge(
        &self,
        what: impl Into<String>,
        reference: impl fmt::Display,
        candidate: impl fmt::Display,
    ) -> Box<Divergence> {
        Box::new(Divergence {
            op_index: self.op_index,
            op: self.op.clone(),
            now: self.now(),
            what: what.into(),
            reference: reference.to_string(),
            candidate: candidate.to_string(),
        })
    }

    /// Calls `on_reference` on the reference and `on_candidate` on the
    /// candidate, and fails unless both return normally with the same value.
    fn both<T: PartialEq + fmt::Debug>(
        &self,
        what: &str,
        on_reference: impl FnOnce(&Side<R>) -> T,
        on_candidate: impl FnOnce(&Side<C>) -> T,
    ) -> Result<T, Box<Divergence>> {
        let got_r = guarded(|| on_reference(&self.reference));
        let got_c = guarded(|| on_candidate(&self.candidate));
        match (got_r, got_c) {
            (Ok(a), Ok(b)) if a == b => Ok(a),
            (got_r, got_c) => Err(self.diverge(what, show(&got_r), show(&got_c))),
        }
    }

    fn create(&mut self, other_thread: bool, on_fire: OnFire) -> Result<(), Box<Divergence>> {
        self.model.add_timer(on_fire);
        let (context_r, callback_r) = self.reference.prepare(on_fire);
        let (context_c, callback_c) = self.candidate.prepare(on_fire);
        let (set_r, set_c) = (&*self.reference.set, &*self.candidate.set);
        let make = move || (set_r.new_timer(callback_r), set_c.new_timer(callback_c));
        let made = guarded(|| {
            if other_thread {
                std::thread::scope(|scope| {
                    let worker = scope.spawn(make);
                    worker
                        .join()
                        .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
                })
            } else {
                make()
            }
        });
        match made {
            Ok((timer_r, timer_c)) => {
                self.reference.add(context_r, timer_r);
                self.candidate.add(context_c, timer_c);
                Ok(())
            }
            Err(message) => Err(self.diverge("new_timer", &message, &message)),
        }
    }

    /// The live timer an operation names, if any.
    fn pick(&self, timer: usize) -> Option<usize> {
        let count = self.model.timer_count();
        let index = timer.checked_rem(count)?;
        (!self.model.is_dropped(index)).then_some(index)
    }

    fn expect_pending(&self, what: &str, got: bool, expected: bool) -> Result<(), Box<Divergence>> {
        if got == expected {
            return Ok(());
        }
        let was = if expected { "" } else { "not " };
        Err(self.diverge(
            format!("{what}: both say {got}, but the timer was {was}pending"),
            got,
            got,
        ))
    }

    fn arm(
        &mut self,
        index: usize,
        when: When,
        period: i64,
        callback: Option<NewCallback>,
        reset: bool,
    ) -> Result<(), Box<Divergence>> {
        let when = self.model.resolve(index, when, self.now());
        let period = period.max(0);
        let what = if reset {
            format!("reset(timer {index}, {when}, {period}) result")
        } else {
            format!("modify(timer {index}, {when}, {period}, {callback:?}) result")
        };
        let seq = callback.map_or(0, |callback| callback.seq);
        let callback_r = callback.map(|new| self.reference.callback(index, new.on_fire));
        let callback_c = callback.map(|new| self.candidate.callback(index, new.on_fire));
        let was_pending = self.both(
            &what,
            |side| {
                let timer = side.timer(index);
                if reset {
                    side.set.reset(timer, when, period)
                } else {
                    side.set.modify(timer, when, period, callback_r, seq)
                }
            },
            |side| {
                let timer = side.timer(index);
                if reset {
                    side.set.reset(timer, when, period)
                } else {
                    side.set.modify(timer, when, period, callback_c, seq)
                }
            },
        )?;
        let expected = self.model.arm(index, when, period, callback);
        self.expect_pending(&what, was_pending, expected)
    }

    fn stop(&mut self, index: usize) -> Result<(), Box<Divergence>> {
        let what = format!("stop(timer {index}) result");
        let was_pending = self.both(
            &what,
            |side| side.set.stop(side.timer(index)),
            |side| side.set.stop(side.timer(index)),
        )?;
        let expected = self.model.stop(index);
        self.expect_pending(&what, was_pending, expected)
    }

    fn stop_and_drop(&mut self, index: usize) -> Result<(), Box<Divergence>> {
        let what = format!("stop_and_drop(timer {index}) result");
        let timer_r = unique(self.reference.take_handle(index));
        let timer_c = unique(self.candidate.take_handle(index));
        let was_pending = self.both(
            &what,
            |side| side.set.stop_and_drop(timer_r),
            |side| side.set.stop_and_drop(timer_c),
        )?;
        let expected = self.model.stop(index);
        self.model.drop_handle(index);
        self.expect_pending(&what, was_pending, expected)
    }

    fn drop_handle(&mut self, index: usize) -> Result<(), Box<Divergence>> {
        self.model.drop_handle(index);
        let timer_r = self.reference.take_handle(index);
        let timer_c = self.candidate.take_handle(index);
        self.both("dropping the handle", |_| drop(timer_r), |_| drop(timer_c))
    }

    fn check(&mut self, now: i64) -> Result<(), Box<Divergence>> {
        // Relaxed: read back by callbacks on this thread.
        self.now.store(now, Ordering::Relaxed);
        let next_r = guarded(|| self.reference.set.check(now));
        let next_c = guarded(|| self.candidate.set.check(now));
        let (Ok(next_r), Ok(next_c)) = (&next_r, &next_c) else {
            return Err(self.diverge(format!("check({now})"), show(&next_r), show(&next_c)));
        };
        let (next_r, next_c) = (*next_r, *next_c);
        let fired_r = self.reference.take_fired(now);
        let fired_c = self.candidate.take_fired(now);

        // Each side on its own: no negative delay, whens non-decreasing.
        let problem_r = fired_problem(&fired_r);
        let problem_c = fired_problem(&fired_c);
        if problem_r.is_some() || problem_c.is_some() {
            return Err(self.diverge(
                format!("check({now}) fired"),
                judged(list(&fired_r), problem_r),
                judged(list(&fired_c), problem_c),
            ));
        }
        // Against each other: the same whens in the same order, the same
        // entries as a multiset.
        let same_whens = fired_r
            .iter()
            .map(|e| e.when)
            .eq(fired_c.iter().map(|e| e.when));
        let mut sorted_r = fired_r.clone();
        let mut sorted_c = fired_c.clone();
        sorted_r.sort_unstable();
        sorted_c.sort_unstable();
        if !same_whens || sorted_r != sorted_c {
            return Err(self.diverge(
                format!("check({now}) fired"),
                list(&fired_r),
                list(&fired_c),
            ));
        }
        // Against the model: each fire is of a pending timer at its deadline.
        for entry in &fired_r {
            if let Err(problem) = self.model.fire(entry, now) {
                return Err(self.diverge(
                    format!("check({now}) fired a timer against Go's rules: {problem}"),
                    list(&fired_r),
                    list(&fired_c),
                ));
            }
        }
        if let Some((when, index)) = self
            .model
            .earliest_pending()
            .filter(|&(when, _)| when <= now)
        {
            return Err(self.diverge(
                format!("check({now}) left timer {index}, due at {when}, unfired"),
                list(&fired_r),
                list(&fired_c),
            ));
        }
        // The returned wake times.
        let problem_r = self.wake_problem(next_r, true);
        let problem_c = self.wake_problem(next_c, true);
        if problem_r.is_some() || problem_c.is_some() {
            return Err(self.diverge(
                format!("check({now}) returned wake time"),
                judged(next_r, problem_r),
                judged(next_c, problem_c),
            ));
        }
        Ok(())
    }

    /// Why `wake` is not a valid wake time for the model's pending timers,
    /// if it is not. `after_check`: `wake` was returned by `check(now)`, so
    /// it must also be after `now` if nonzero.
    fn wake_problem(&self, wake: i64, after_check: bool) -> Option<String> {
        if let Some((when, index)) = self.model.earliest_pending() {
            if wake == NOT_ARMED {
                return Some(format!("none, but timer {index} is pending at {when}"));
            }
            if wake > when {
                return Some(format!(
                    "later than timer {index}'s pending deadline {when}"
                ));
            }
        }
        let now = self.now();
        if after_check && wake != NOT_ARMED && wake <= now {
            return Some(format!("not after now {now}"));
        }
        None
    }

    /// The checks made after every operation.
    fn after_op(&self) -> Result<(), Box<Divergence>> {
        let verify_r = guarded(|| self.reference.set.verify());
        let verify_c = guarded(|| self.candidate.set.verify());
        if verify_r.is_err() || verify_c.is_err() {
            return Err(self.diverge("verify()", show(&verify_r), show(&verify_c)));
        }
        let pending = self.model.pending_count();
        let stats_r = guarded(|| self.reference.set.stats());
        let stats_c = guarded(|| self.candidate.set.stats());
        let stats_ok = |stats: &Outcome<TimerSetStats>| {
            stats.as_ref().is_ok_and(|stats| {
                stats.zombies <= stats.filed && stats.filed - stats.zombies == pending
            })
        };
        if !stats_ok(&stats_r) || !stats_ok(&stats_c) {
            return Err(self.diverge(
                format!("stats(): filed - zombies must be the {pending} pending timers"),
                show(&stats_r),
                show(&stats_c),
            ));
        }
        let wake_r = guarded(|| self.reference.set.wake_time());
        let wake_c = guarded(|| self.candidate.set.wake_time());
        let (Ok(wake_r), Ok(wake_c)) = (&wake_r, &wake_c) else {
            return Err(self.diverge("wake_time()", show(&wake_r), show(&wake_c)));
        };
        let problem = |wake: i64, stats: &Outcome<TimerSetStats>| {
            self.wake_problem(wake, false).or_else(|| {
                let nothing_filed = stats.as_ref().is_ok_and(|stats| stats.filed == 0);
                (nothing_filed && wake != NOT_ARMED)
                    .then(|| "set, but nothing is filed".to_string())
            })
        };
        let problem_r = problem(*wake_r, &stats_r);
        let problem_c = problem(*wake_c, &stats_c);
        if problem_r.is_some() || problem_c.is_some() {
            return Err(self.diverge(
                "wake_time()",
                judged(*wake_r, problem_r),
                judged(*wake_c, problem_c),
            ));
        }
        Ok(())
    }

    fn step(&mut self) -> Result<(), Box<Divergence>> {
        match self.op.clone() {
            TimerSetOp::Create {
                other_thread,
                on_fire,
            } => self.create(other_thread, on_fire)?,
            TimerSetOp::Modify {
                timer,
                when,
                period,
                callback,
            } => {
                let Some(index) = self.pick(timer) else {
                    return Ok(());
                };
                self.arm(index, when, period, callback, false)?;
            }
            TimerSetOp::Reset {
                timer,
                when,
                period,
            } => {
                let Some(index) = self.pick(timer) else {
                    return Ok(());
                };
                self.arm(index, when, period, None, true)?;
            }
            TimerSetOp::Stop { timer } => {
                let Some(index) = self.pick(timer) else {
                    return Ok(());
                };
                self.stop(index)?;
            }
            TimerSetOp::DropHandle { timer } => {
                let Some(index) = self.pick(timer) else {
                    return Ok(());
                };
                self.drop_handle(index)?;
            }
            TimerSetOp::StopAndDrop { timer } => {
                let Some(index) = self.pick(timer) else {
                    return Ok(());
                };
                self.stop_and_drop(index)?;
            }
            TimerSetOp::Check { advance } => {
                let now = self.now().saturating_add(advance.max(0)).min(MAX_NOW);
                self.check(now)?;
            }
            TimerSetOp::CheckAtDeadline { offset } => {
                let now = self.now();
                let target = match self.model.earliest_pending() {
                    Some((when, _)) => when.saturating_add(offset),
                    None => now,
                };
                self.check(target.clamp(now, MAX_NOW))?;
            }
        }
        self.after_op()
    }
}

/// The handle a side held, which is its only one: a callback holds its own
/// handle only weakly, and only while it runs, in a check, never between
/// operations.
fn unique<T>(handle: Option<Arc<T>>) -> T {
    Arc::into_inner(handle.expect("skipped: handle dropped"))
        .expect("no callback runs between operations")
}

/// An outcome, for a divergence report.
fn show<T: fmt::Debug>(answer: &Outcome<T>) -> String {
    match answer {
        Ok(value) => format!("{value:?}"),
        Err(message) => message.clone(),
    }
}

/// A value with what is wrong with it, if anything, for a divergence
/// report.
fn judged(value: impl fmt::Display, problem: Option<String>) -> String {
    match problem {
        Some(problem) => format!("{value}: {problem}"),
        None => format!("{value} (fine)"),
    }
}

/// Applies `ops` to `reference` and `candidate` in lockstep, starting at
/// [`START_NOW`], and returns the first [`Divergence`] (see the
/// [module documentation](super) for everything compared after each
/// operation). The divergence is boxed: it is large, and the success path
/// should not pay for it.
///
/// The sets are taken by value, fresh: timers the run did not create would
/// fire unrecorded and upset the wake-time checks, and callbacks must be
/// able to reach their own set. Panics inside either set are caught and
/// reported as divergences.
///
/// ```
/// use gowheel::{HeapTimerSet, TimingWheel, WheelConfig};
/// use gowheel_compat_tests::differential::{TimerSetOp, OnFire, When, run_differential};
///
/// let ops = vec![
///     TimerSetOp::Create { other_thread: false, on_fire: OnFire::Record },
///     TimerSetOp::Reset { timer: 0, when: When::FromNow(10), period: 3 }, // 1010, 1013, ...
///     TimerSetOp::Check { advance: 15 },                                  // fires 1010, re-arms 1016
///     TimerSetOp::Check { advance: 1 },                                   // fires 1016
/// ];
/// let tiny = WheelConfig::default().tick_shift(0).slot_bits(2).levels(3).stripes(2);
/// run_differential(HeapTimerSet::new(1), TimingWheel::new(tiny), &ops).unwrap();
/// ```
pub fn run_differential<R: TestableSet, C: TestableSet>(
    reference: R,
    candidate: C,
    ops: &[TimerSetOp],
) -> Result<(), Box<Divergence>> {
    let now = Arc::new(AtomicI64::new(START_NOW));
    let mut run = Lockstep {
        reference: Side::new(reference, now.clone()),
        candidate: Side::new(candidate, now.clone()),
        model: Expected::default(),
        now,
        op_index: 0,
        op: TimerSetOp::Check { advance: 0 },
    };
    for (op_index, op) in ops.iter().enumerate() {
        run.op_index = op_index;
        run.op = op.clone();
        run.step()?;
    }
    Ok(())
}
