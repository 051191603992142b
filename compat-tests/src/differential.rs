//! Differential testing: hold any [`TimerSet`](gowheel::TimerSet) to the
//! answers of a reference set, operation by operation.
//!
//! [`run_differential`] applies one sequence of [`Op`]s to two fresh sets in
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
//! "Pending" comes from the harness's own model of Go's rules: per timer,
//! its pending deadline, period, `seq` and callback, updated by every
//! operation and every fire (a periodic timer re-arms at
//! [`gowheel::next_periodic_when`], a one-shot one disarms, and then the
//! callback's [`OnFire`] operation applies).
//!
//! Callbacks only ever operate on their own timer, and only re-arm it after
//! `now`, so that what a check does never depends on the order among timers
//! due at the same `when`, which Go leaves open.
//!
//! # Example
//!
//! ```
//! use gowheel::{HeapTimerSet, TimingWheel, WheelConfig};
//! use gowheel_compat_tests::differential::{NewCallback, Op, OnFire, When, run_differential};
//!
//! let ops = [
//!     Op::Create { other_thread: false, on_fire: OnFire::Record },
//!     Op::Reset { timer: 0, when: When::FromNow(500), period: 0 },
//!     Op::Modify {
//!         timer: 0,
//!         when: When::Earlier(450),
//!         period: 7,
//!         callback: Some(NewCallback { seq: 3, on_fire: OnFire::Stop }),
//!     },
//!     Op::Check { advance: 60 }, // fires at 1050; its callback stops it
//!     Op::Stop { timer: 0 },
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

use std::collections::BTreeSet;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use gowheel::{Callback, MAX_WHEN, NOT_ARMED, TimerSetStats, next_periodic_when};
use proptest::prelude::*;

use crate::harness::TestableSet;
use crate::panics::{lock, panic_message};

/// The clock reading a differential run starts at.
pub const START_NOW: i64 = 1_000;

/// The latest clock reading a run reaches: [`Op::Check`] advances saturate
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

/// A new callback given by [`Op::Modify`].
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
pub enum Op {
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

/// One callback run, as the harness recorded it.
///
/// Ordered by `when` first, then timer, so that sorting a check's entries
/// gives the canonical order the multiset comparison uses.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiredEntry {
    /// The deadline the timer fired for: `now - delay`.
    pub when: i64,
    /// The index of the timer whose callback ran.
    pub timer: usize,
    /// The `seq` the set passed.
    pub seq: u64,
    /// The `delay` the set passed.
    pub delay: i64,
    /// What the callback's [`OnFire`] operation returned (whether the timer
    /// was pending), or the panic it raised; `None` if it did nothing.
    pub on_fire: Option<Result<bool, String>>,
}

impl fmt::Display for FiredEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "timer {} seq {} when {} delay {}",
            self.timer, self.seq, self.when, self.delay
        )?;
        match &self.on_fire {
            None => Ok(()),
            Some(Ok(pending)) => write!(f, " (its on-fire call returned {pending})"),
            Some(Err(message)) => write!(f, " (its on-fire call {message})"),
        }
    }
}

/// Where a differential run found the candidate (or the reference) at odds
/// with the other set or with Go's rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The index in the sequence of the operation after which it was found.
    pub op_index: usize,
    /// That operation.
    pub op: Op,
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

/// The outcome of one step on one side, or why the side failed.
type Answer<T> = Result<T, String>;

/// Runs `f`, turning a panic into its message.
fn guarded<T>(f: impl FnOnce() -> T) -> Answer<T> {
    catch_unwind(AssertUnwindSafe(f))
        .map_err(|payload| format!("panicked: {}", panic_message(&*payload)))
}

/// A raw callback run: what the callback knows, before the harness adds
/// `when`.
struct RawFire {
    timer: usize,
    seq: u64,
    delay: i64,
    on_fire: Option<Result<bool, String>>,
}

/// The deadline an [`OnFire`] re-arm asks for: `now + after`, `after` at
/// least 1, saturating at `MAX_WHEN`.
fn rearm_when(now: i64, after: i64) -> i64 {
    now.saturating_add(after.max(1))
}

/// What one timer's callbacks share: the set (weakly, so that callbacks do
/// not keep it alive), the timer's handle (weakly, set once it exists), the
/// log, and the clock the harness checks with.
struct TimerContext<S: TestableSet> {
    set: Weak<S>,
    handle: OnceLock<Weak<S::Timer>>,
    log: Arc<Mutex<Vec<RawFire>>>,
    now: Arc<AtomicI64>,
    index: usize,
}

/// A callback for the timer of `context` that records each run and then
/// does `on_fire`.
fn make_callback<S: TestableSet>(context: &Arc<TimerContext<S>>, on_fire: OnFire) -> Callback {
    let context = context.clone();
    gowheel::callback(move |seq, delay| {
        let result = act(&context, on_fire);
        lock(&context.log).push(RawFire {
            timer: context.index,
            seq,
            delay,
            on_fire: result,
        });
    })
}

/// Does `on_fire` to the timer of `context`, from inside its callback.
fn act<S: TestableSet>(context: &Arc<TimerContext<S>>, on_fire: OnFire) -> Option<Answer<bool>> {
    if on_fire == OnFire::Record {
        return None;
    }
    let set = context.set.upgrade()?;
    let timer = context.handle.get().and_then(Weak::upgrade)?;
    // Relaxed: written by the same thread before it called `check`.
    let now = context.now.load(Ordering::Relaxed);
    Some(guarded(|| match on_fire {
        OnFire::Record => unreachable!(),
        OnFire::Stop => set.stop(&timer),
        OnFire::Reset { after, period } => set.reset(&timer, rearm_when(now, after), period.max(0)),
        OnFire::Modify { after, period, seq } => {
            let callback = make_callback(context, on_fire);
            set.modify(
                &timer,
                rearm_when(now, after),
                period.max(0),
                Some(callback),
                seq,
            )
        }
    }))
}

/// One set under test, with its handles and its callbacks' log.
struct Side<S: TestableSet> {
    set: Arc<S>,
    /// Indexed like the model's timers; `None` once the handle is dropped.
    timers: Vec<Option<Arc<S::Timer>>>,
    contexts: Vec<Arc<TimerContext<S>>>,
    log: Arc<Mutex<Vec<RawFire>>>,
    now: Arc<AtomicI64>,
}

impl<S: TestableSet> Side<S> {
    fn new(set: S, now: Arc<AtomicI64>) -> Self {
        Side {
            set: Arc::new(set),
            timers: Vec::new(),
            contexts: Vec::new(),
            log: Arc::default(),
            now,
        }
    }

    /// The context and first callback of the next timer.
    fn prepare(&self, on_fire: OnFire) -> (Arc<TimerContext<S>>, Callback) {
        let context = Arc::new(TimerContext {
            set: Arc::downgrade(&self.set),
            handle: OnceLock::new(),
            log: self.log.clone(),
            now: self.now.clone(),
            index: self.contexts.len(),
        });
        let callback = make_callback(&context, on_fire);
        (context, callback)
    }

    fn add(&mut self, context: Arc<TimerContext<S>>, timer: S::Timer) {
        let timer = Arc::new(timer);
        let bound = context.handle.set(Arc::downgrade(&timer));
        debug_assert!(bound.is_ok());
        self.timers.push(Some(timer));
        self.contexts.push(context);
    }

    fn timer(&self, index: usize) -> &S::Timer {
        self.timers[index]
            .as_deref()
            .expect("skipped: handle dropped")
    }

    fn take_fired(&self, now: i64) -> Vec<FiredEntry> {
        std::mem::take(&mut *lock(&self.log))
            .into_iter()
            .map(|fire| FiredEntry {
                when: now.checked_sub(fire.delay).unwrap_or(i64::MIN),
                timer: fire.timer,
                seq: fire.seq,
                delay: fire.delay,
                on_fire: fire.on_fire,
            })
            .collect()
    }
}

/// The harness's model of one timer, by Go's rules.
#[derive(Clone, Copy, Debug)]
struct ModelTimer {
    /// Pending deadline, or `NOT_ARMED`.
    when: i64,
    /// The deadline it was last armed for, or `NOT_ARMED` if never armed.
    last_armed: i64,
    period: i64,
    seq: u64,
    on_fire: OnFire,
    dropped: bool,
}

#[derive(Debug, Default)]
struct Model {
    timers: Vec<ModelTimer>,
    /// `(when, index)` of every pending timer.
    pending: BTreeSet<(i64, usize)>,
}

impl Model {
    fn add(&mut self, on_fire: OnFire) {
        self.timers.push(ModelTimer {
            when: NOT_ARMED,
            last_armed: NOT_ARMED,
            period: 0,
            seq: 0,
            on_fire,
            dropped: false,
        });
    }

    fn set_when(&mut self, index: usize, when: i64) -> bool {
        let old = std::mem::replace(&mut self.timers[index].when, when);
        if old != NOT_ARMED {
            self.pending.remove(&(old, index));
        }
        if when != NOT_ARMED {
            self.pending.insert((when, index));
        }
        old != NOT_ARMED
    }

    fn arm(&mut self, index: usize, when: i64, period: i64, callback: Option<NewCallback>) -> bool {
        let timer = &mut self.timers[index];
        timer.period = period;
        timer.last_armed = when;
        if let Some(callback) = callback {
            timer.seq = callback.seq;
            timer.on_fire = callback.on_fire;
        }
        self.set_when(index, when)
    }

    fn earliest(&self) -> Option<(i64, usize)> {
        self.pending.first().copied()
    }

    fn resolve(&self, index: usize, when: When, now: i64) -> i64 {
        let base = match self.timers[index].last_armed {
            NOT_ARMED => now,
            armed => armed,
        };
        let when = match when {
            When::FromNow(delta) => now.saturating_add(delta),
            When::Earlier(delta) => base.saturating_sub(delta.max(0)),
            When::Later(delta) => base.saturating_add(delta.max(0)),
            When::At(when) => when,
        };
        when.max(1)
    }

    /// Applies one run of a timer's callback to the model (the fire, then
    /// the callback's own operation), or says why it breaks Go's rules.
    fn fire(&mut self, entry: &FiredEntry, now: i64) -> Result<(), String> {
        let Some(timer) = self.timers.get(entry.timer).copied() else {
            return Err(format!("{entry}: no such timer"));
        };
        if entry.delay < 0 {
            return Err(format!("{entry}: negative delay (fired early)"));
        }
        if timer.when == NOT_ARMED {
            return Err(format!("{entry}: fired while not pending"));
        }
        if entry.when != timer.when {
            return Err(format!("{entry}: its pending deadline is {}", timer.when));
        }
        if entry.seq != timer.seq {
            return Err(format!("{entry}: its seq is {}", timer.seq));
        }
        if entry.when > now {
            return Err(format!("{entry}: deadline after now {now}"));
        }
        let next = if timer.period > 0 {
            next_periodic_when(timer.when, timer.period, entry.delay)
        } else {
            NOT_ARMED
        };
        self.set_when(entry.timer, next);
        let index = entry.timer;
        let expected = match timer.on_fire {
            _ if timer.dropped => None,
            OnFire::Record => None,
            OnFire::Stop => Some(Ok(self.set_when(index, NOT_ARMED))),
            OnFire::Reset { after, period } => Some(Ok(self.arm(
                index,
                rearm_when(now, after),
                period.max(0),
                None,
            ))),
            OnFire::Modify { after, period, seq } => {
                let callback = NewCallback {
                    seq,
                    on_fire: timer.on_fire,
                };
                Some(Ok(self.arm(
                    index,
                    rearm_when(now, after),
                    period.max(0),
                    Some(callback),
                )))
            }
        };
        if entry.on_fire != expected {
            return Err(format!(
                "{entry}: its on-fire call should have given {expected:?}"
            ));
        }
        Ok(())
    }
}

/// The state of one run: both sides, the model and the clock.
struct Run<R: TestableSet, C: TestableSet> {
    reference: Side<R>,
    candidate: Side<C>,
    model: Model,
    now: Arc<AtomicI64>,
    op_index: usize,
    op: Op,
}

impl<R: TestableSet, C: TestableSet> Run<R, C> {
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

    /// Calls `r` on the reference and `c` on the candidate, and fails
    /// unless both return normally with the same value.
    fn both<T: PartialEq + fmt::Debug>(
        &self,
        what: &str,
        r: impl FnOnce(&Side<R>) -> T,
        c: impl FnOnce(&Side<C>) -> T,
    ) -> Result<T, Box<Divergence>> {
        let got_r = guarded(|| r(&self.reference));
        let got_c = guarded(|| c(&self.candidate));
        match (got_r, got_c) {
            (Ok(a), Ok(b)) if a == b => Ok(a),
            (got_r, got_c) => Err(self.diverge(what, show(&got_r), show(&got_c))),
        }
    }

    fn create(&mut self, other_thread: bool, on_fire: OnFire) -> Result<(), Box<Divergence>> {
        self.model.add(on_fire);
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
        let count = self.model.timers.len();
        let index = timer.checked_rem(count)?;
        (!self.model.timers[index].dropped).then_some(index)
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
        let callback_r =
            callback.map(|new| make_callback(&self.reference.contexts[index], new.on_fire));
        let callback_c =
            callback.map(|new| make_callback(&self.candidate.contexts[index], new.on_fire));
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
        let expected = self.model.set_when(index, NOT_ARMED);
        self.expect_pending(&what, was_pending, expected)
    }

    fn drop_handle(&mut self, index: usize) -> Result<(), Box<Divergence>> {
        self.model.timers[index].dropped = true;
        let timer_r = self.reference.timers[index].take();
        let timer_c = self.candidate.timers[index].take();
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
        if let Some((when, index)) = self.model.earliest().filter(|&(when, _)| when <= now) {
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
        if let Some((when, index)) = self.model.earliest() {
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
        let pending = self.model.pending.len();
        let stats_r = guarded(|| self.reference.set.stats());
        let stats_c = guarded(|| self.candidate.set.stats());
        let stats_ok = |stats: &Answer<TimerSetStats>| {
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
        let problem = |wake: i64, stats: &Answer<TimerSetStats>| {
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
            Op::Create {
                other_thread,
                on_fire,
            } => self.create(other_thread, on_fire)?,
            Op::Modify {
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
            Op::Reset {
                timer,
                when,
                period,
            } => {
                let Some(index) = self.pick(timer) else {
                    return Ok(());
                };
                self.arm(index, when, period, None, true)?;
            }
            Op::Stop { timer } => {
                let Some(index) = self.pick(timer) else {
                    return Ok(());
                };
                self.stop(index)?;
            }
            Op::DropHandle { timer } => {
                let Some(index) = self.pick(timer) else {
                    return Ok(());
                };
                self.drop_handle(index)?;
            }
            Op::Check { advance } => {
                let now = self.now().saturating_add(advance.max(0)).min(MAX_NOW);
                self.check(now)?;
            }
            Op::CheckAtDeadline { offset } => {
                let now = self.now();
                let target = match self.model.earliest() {
                    Some((when, _)) => when.saturating_add(offset),
                    None => now,
                };
                self.check(target.clamp(now, MAX_NOW))?;
            }
        }
        self.after_op()
    }
}

/// A check's fired list on its own: a negative delay, or `when`s out of
/// order.
fn fired_problem(fired: &[FiredEntry]) -> Option<String> {
    if let Some(entry) = fired.iter().find(|entry| entry.delay < 0) {
        return Some(format!("{entry} has a negative delay"));
    }
    fired
        .windows(2)
        .find(|pair| pair[1].when < pair[0].when)
        .map(|pair| format!("{} ran after {}: whens out of order", pair[1], pair[0]))
}

fn show<T: fmt::Debug>(answer: &Answer<T>) -> String {
    match answer {
        Ok(value) => format!("{value:?}"),
        Err(message) => message.clone(),
    }
}

fn judged(value: impl fmt::Display, problem: Option<String>) -> String {
    match problem {
        Some(problem) => format!("{value}: {problem}"),
        None => format!("{value} (fine)"),
    }
}

fn list(fired: &[FiredEntry]) -> String {
    if fired.is_empty() {
        return "nothing".to_string();
    }
    let entries: Vec<String> = fired.iter().map(ToString::to_string).collect();
    format!("[{}]", entries.join("; "))
}

/// Applies `ops` to `reference` and `candidate` in lockstep, starting at
/// [`START_NOW`], and returns the first [`Divergence`] (see the
/// [module documentation](self) for everything compared after each
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
/// use gowheel_compat_tests::differential::{Op, OnFire, When, run_differential};
///
/// let ops = vec![
///     Op::Create { other_thread: false, on_fire: OnFire::Record },
///     Op::Reset { timer: 0, when: When::FromNow(10), period: 3 }, // 1010, 1013, ...
///     Op::Check { advance: 15 },                                  // fires 1010, re-arms 1016
///     Op::Check { advance: 1 },                                   // fires 1016
/// ];
/// let tiny = WheelConfig::default().tick_shift(0).slot_bits(2).levels(3).stripes(2);
/// run_differential(HeapTimerSet::new(1), TimingWheel::new(tiny), &ops).unwrap();
/// ```
pub fn run_differential<R: TestableSet, C: TestableSet>(
    reference: R,
    candidate: C,
    ops: &[Op],
) -> Result<(), Box<Divergence>> {
    let now = Arc::new(AtomicI64::new(START_NOW));
    let mut run = Run {
        reference: Side::new(reference, now.clone()),
        candidate: Side::new(candidate, now.clone()),
        model: Model::default(),
        now,
        op_index: 0,
        op: Op::Check { advance: 0 },
    };
    for (op_index, op) in ops.iter().enumerate() {
        run.op_index = op_index;
        run.op = op.clone();
        run.step()?;
    }
    Ok(())
}

// Generation. Each op is drawn as a handful of plain integers and decoded,
// rather than through nested `prop_oneof!`s: in debug builds that is a
// hundred times cheaper, and it shrinks well, since every integer shrinks
// toward 0 and every decoder maps smaller integers to simpler choices
// (earlier op kinds, smaller distance classes, and within a class, values
// that shrink with the bits).

/// `1 + ` the top `width` bits of `bits`: shrinks as `bits` does.
fn top_bits(bits: u64, width: u32) -> i64 {
    1 + (bits >> (64 - width)) as i64
}

/// Decodes a distance in ns, weighted toward small ones but reaching past
/// the top level of any wheel: 0, up to 64, 4096, 2^20, 2^32 and 2^44,
/// values around 2^40, 2^50 and 2^62, and anything up to `i64::MAX`.
fn decode_distance(class: u8, bits: u64) -> i64 {
    const SPECIAL: [i64; 8] = [
        1 << 40,
        (1 << 40) - 1,
        (1 << 40) + 1,
        1 << 50,
        1 << 62,
        (1 << 62) + (1 << 61),
        i64::MAX - 1,
        i64::MAX,
    ];
    match class % 16 {
        0 | 1 => 0,
        2..=6 => top_bits(bits, 6),
        7..=9 => top_bits(bits, 12),
        10 | 11 => top_bits(bits, 20),
        12 => top_bits(bits, 32),
        13 => top_bits(bits, 44),
        14 => SPECIAL[(bits >> 61) as usize],
        _ => (bits >> 1) as i64,
    }
}

/// Decodes a deadline choice: mostly relative to now, also in the past,
/// earlier or later than the timer's last deadline, or absolute
/// (`MAX_WHEN`, `MAX_WHEN - 1`, before [`START_NOW`], or anything).
fn decode_when(class: u8, bits: u64) -> When {
    let distance = decode_distance(class, bits);
    match class / 16 {
        0..=5 | 14 => When::FromNow(distance),
        6 => When::FromNow(-top_bits(bits, 11)),
        7..=9 => When::Earlier(distance),
        13 => When::At(match bits >> 62 {
            0 => top_bits(bits << 2, 10), // 1..=1024: the past
            1 => MAX_WHEN - 1,
            2 => MAX_WHEN,
            _ => 1 + (bits >> 2) as i64,
        }),
        _ => When::Later(distance),
    }
}

/// Decodes a period: more than half one-shot (0), else 1, up to 64, 2^20
/// or 2^40, around 2^62 or `i64::MAX`, or anything positive.
fn decode_period(class: u8, bits: u64) -> i64 {
    match class % 16 {
        0..=8 => 0,
        9 => 1,
        10 | 11 => top_bits(bits, 6),
        12 => top_bits(bits, 20),
        13 => top_bits(bits, 40),
        14 => [1 << 62, i64::MAX - 1, i64::MAX, (1 << 62) - 1][(bits >> 62) as usize],
        _ => ((bits >> 1) as i64).max(1),
    }
}

/// Decodes a callback's own operation: mostly none; else stop, or re-arm
/// 1 ns to 2^44 ns after now, one-shot or with a short period.
fn decode_on_fire(class: u8, bits: u64) -> OnFire {
    let after = top_bits(bits, [4, 12, 24, 44][usize::from(class / 64)]);
    let period = if class & 1 == 0 {
        0
    } else {
        1 + (bits & 0x3ff) as i64
    };
    match class % 16 {
        0..=9 => OnFire::Record,
        10 | 11 => OnFire::Stop,
        12 | 13 => OnFire::Reset { after, period },
        _ => OnFire::Modify {
            after,
            period,
            seq: bits & 0xffff,
        },
    }
}

/// The raw draw one [`Op`] is decoded from: kind, timer, and (class, bits)
/// pairs for a deadline, a period and a callback, and a `seq`.
type RawOp = (u8, usize, u8, u64, u8, u64, u8, u64, u64);

fn decode_op((kind, timer, c1, b1, c2, b2, c3, b3, seq): RawOp) -> Op {
    match kind {
        0..=3 => Op::Create {
            other_thread: false,
            on_fire: decode_on_fire(c3, b3),
        },
        4 => Op::Create {
            other_thread: true,
            on_fire: decode_on_fire(c3, b3),
        },
        5..=10 => Op::Check {
            advance: decode_distance(c1, b1),
        },
        11 | 12 => Op::CheckAtDeadline {
            offset: i64::from(c1 % 5) - 2,
        },
        13..=15 => Op::Stop { timer },
        16..=20 => Op::Reset {
            timer,
            when: decode_when(c1, b1),
            period: decode_period(c2, b2),
        },
        21..=25 => Op::Modify {
            timer,
            when: decode_when(c1, b1),
            period: decode_period(c2, b2),
            callback: (kind <= 23).then(|| NewCallback {
                seq,
                on_fire: decode_on_fire(c3, b3),
            }),
        },
        _ => Op::DropHandle { timer },
    }
}

/// One random [`Op`], weighted so that sequences create a handful of
/// timers, re-arm them often (one-shot and periodic, relative to now, in
/// the past, earlier or later than before, at `MAX_WHEN`), give some of
/// them callbacks that stop or re-arm their own timer, and check often
/// (advancing from 0 ns up to `i64::MAX`, or to exactly a deadline).
///
/// ```
/// use gowheel_compat_tests::differential::op_strategy;
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let mut runner = TestRunner::deterministic();
/// let op = op_strategy().new_tree(&mut runner).unwrap().current();
/// println!("{op:?}");
/// ```
pub fn op_strategy() -> impl Strategy<Value = Op> + Clone {
    (
        0u8..27,
        0usize..64,
        any::<u8>(),
        any::<u64>(),
        any::<u8>(),
        any::<u64>(),
        any::<u8>(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(decode_op)
}

/// Sequences of up to `max_len` [`op_strategy`] operations.
///
/// ```
/// use gowheel::{HeapTimerSet, TimingWheel};
/// use gowheel_compat_tests::differential::{ops_strategy, run_differential};
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let mut runner = TestRunner::deterministic();
/// let ops = ops_strategy(50).new_tree(&mut runner).unwrap().current();
/// assert!(ops.len() <= 50);
/// run_differential(HeapTimerSet::new(1), TimingWheel::default(), &ops).unwrap();
/// ```
pub fn ops_strategy(max_len: usize) -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op_strategy(), 0..=max_len)
}
