//! One set under test in a differential run: the set, its timer handles,
//! and the callbacks that record every run and then do their timer's
//! [`OnFire`] operation.
//!
//! # Design
//!
//! * Each timer's callbacks share a [`TimerContext`]: the set and the
//!   timer's handle, both held weakly (a callback must not keep its own set
//!   or timer alive: dropping a handle is an operation under test), the
//!   side's log, and the clock reading of the check in progress.
//! * A callback first does its [`OnFire`] operation (on its own timer only,
//!   and only re-arming after `now`, so that what a check does never
//!   depends on the order among timers due at the same `when`), then logs a
//!   [`RawFire`]; the run turns the log into [`FiredEntry`]s after the
//!   check.
//! * Every call into a set goes through [`guarded`], so that a panicking
//!   set is a reported divergence, not an aborted run.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use gowheel::Callback;

use super::fired::FiredEntry;
use super::ops::{OnFire, rearm_when};
use crate::harness::TestableSet;
use crate::panics::{lock, panic_message};

/// What one step gave on one side, or the panic it raised.
pub(super) type Outcome<T> = Result<T, String>;

/// Runs `f`, turning a panic into its message.
pub(super) fn guarded<T>(f: impl FnOnce() -> T) -> Outcome<T> {
    catch_unwind(AssertUnwindSafe(f))
        .map_err(|payload| format!("panicked: {}", panic_message(&*payload)))
}

/// A raw callback run: what the callback knows, before the run adds
/// `when`.
struct RawFire {
    timer: usize,
    seq: u64,
    delay: i64,
    on_fire: Option<Outcome<bool>>,
}

/// What one timer's callbacks share: the set (weakly, so that callbacks do
/// not keep it alive), the timer's handle (weakly, set once it exists), the
/// log, and the clock the run checks with.
pub(super) struct TimerContext<S: TestableSet> {
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
fn act<S: TestableSet>(context: &Arc<TimerContext<S>>, on_fire: OnFire) -> Option<Outcome<bool>> {
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
pub(super) struct Side<S: TestableSet> {
    /// The set.
    pub(super) set: Arc<S>,
    /// Indexed like the run's timers; `None` once the handle is dropped.
    timers: Vec<Option<Arc<S::Timer>>>,
    contexts: Vec<Arc<TimerContext<S>>>,
    log: Arc<Mutex<Vec<RawFire>>>,
    now: Arc<AtomicI64>,
}

impl<S: TestableSet> Side<S> {
    /// A side around a fresh `set`, whose callbacks read the check's clock
    /// from `now`.
    pub(super) fn new(set: S, now: Arc<AtomicI64>) -> Self {
        Side {
            set: Arc::new(set),
            timers: Vec::new(),
            contexts: Vec::new(),
            log: Arc::default(),
            now,
        }
    }

    /// The context and first callback of the next timer.
    pub(super) fn prepare(&self, on_fire: OnFire) -> (Arc<TimerContext<S>>, Callback) {
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

    /// Adds the timer made with [`prepare`](Self::prepare)'s callback.
    pub(super) fn add(&mut self, context: Arc<TimerContext<S>>, timer: S::Timer) {
        let timer = Arc::new(timer);
        let bound = context.handle.set(Arc::downgrade(&timer));
        debug_assert!(bound.is_ok());
        self.timers.push(Some(timer));
        self.contexts.push(context);
    }

    /// A new callback for timer `index` that records its runs and then does
    /// `on_fire`.
    pub(super) fn callback(&self, index: usize, on_fire: OnFire) -> Callback {
        make_callback(&self.contexts[index], on_fire)
    }

    /// Timer `index`'s handle.
    ///
    /// # Panics
    ///
    /// If the handle was dropped (the run skips operations on those).
    pub(super) fn timer(&self, index: usize) -> &S::Timer {
        self.timers[index]
            .as_deref()
            .expect("skipped: handle dropped")
    }

    /// Takes timer `index`'s handle, for the run to drop.
    pub(super) fn take_handle(&mut self, index: usize) -> Option<Arc<S::Timer>> {
        self.timers[index].take()
    }

    /// Empties the log of the check at `now` into entries, in running order.
    pub(super) fn take_fired(&self, now: i64) -> Vec<FiredEntry> {
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
