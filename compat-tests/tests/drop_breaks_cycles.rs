//! Dropping a timer set or a runtime frees every callback, those in a
//! reference cycle with their own timer included, on both backends.
//!
//! A callback that holds its own timer's handle makes a cycle (timer →
//! callback → handle → timer) that reference counting alone never frees;
//! Go's collector would. Each callback here also holds a [`Witness`] that
//! counts its own drop, and each test builds such cycles in every state a
//! timer can be in (never armed, pending, periodic, fired, stopped, stopped
//! and purged), lets go of every handle, and checks that every witness is
//! dropped once the set or the runtime is gone, or cleared.
//!
//! The runtime-layer tests are generic over [`TimerSet`] and run on the
//! heap (in several shard counts) and on the wheel; the time-package tests
//! run on both backends through [`on_both_backends!`].

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use gowheel::{
    AfterFunc, Backend, HeapTimerSet, Runtime, Ticker, Timer, TimerSet, TimingWheel, WheelConfig,
    callback,
};
use gowheel_compat_tests::on_both_backends;

/// Counts its own drop in a shared counter.
struct Witness(Arc<AtomicUsize>);

impl Drop for Witness {
    fn drop(&mut self) {
        // SeqCst: a test counter, read after the drops it counts on this
        // thread or after joining the threads that made them.
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Drops counted so far.
fn dropped(drops: &AtomicUsize) -> usize {
    // SeqCst: pairs with the increment in `Witness::drop`.
    drops.load(Ordering::SeqCst)
}

/// Where a callback finds its own timer's handle.
type SelfSlot<T> = Arc<OnceLock<T>>;

/// A new timer of `set` whose callback holds its own handle (through the
/// returned slot, which the caller may drop) and a witness counting into
/// `drops`.
fn self_holding_timer<S: TimerSet>(set: &S, drops: &Arc<AtomicUsize>) -> SelfSlot<S::Timer>
where
    S::Timer: 'static,
{
    let slot: SelfSlot<S::Timer> = Arc::default();
    let (me, witness) = (slot.clone(), Witness(drops.clone()));
    let timer = set.new_timer(callback(move |_, _| {
        // Touch both, so that the closure owns them.
        assert!(me.get().is_some(), "the handle is set before arming");
        let _ = &witness;
    }));
    assert!(slot.set(timer).is_ok(), "the slot is set once");
    slot
}

/// The handle in `slot`.
fn handle<T>(slot: &SelfSlot<T>) -> &T {
    slot.get().expect("set by self_holding_timer")
}

/// Six self-holding timers of `set`, one in each state a timer can be in,
/// driven on the set's own time (which starts at 1). Returns their slots.
fn self_holding_timers_in_every_state<S: TimerSet>(
    set: &S,
    drops: &Arc<AtomicUsize>,
) -> Vec<SelfSlot<S::Timer>>
where
    S::Timer: 'static,
{
    let never_armed = self_holding_timer(set, drops);
    let pending = self_holding_timer(set, drops);
    set.reset(handle(&pending), 1_000_000, 0);
    let periodic = self_holding_timer(set, drops);
    set.reset(handle(&periodic), 50, 30);
    let fired = self_holding_timer(set, drops);
    set.reset(handle(&fired), 20, 0);
    let stopped = self_holding_timer(set, drops);
    set.reset(handle(&stopped), 500_000, 0);
    let purged = self_holding_timer(set, drops);
    set.reset(handle(&purged), 40, 0);
    assert!(set.stop(handle(&purged)));
    // Fires `fired` and `periodic`, and takes the stopped `purged` out of
    // the structure on the way.
    set.check(100);
    assert!(set.stop(handle(&stopped)));
    assert!(!set.stop(handle(&fired)), "fired: no longer pending");
    vec![never_armed, pending, periodic, fired, stopped, purged]
}

/// A new set (verified) holding the timers of
/// [`self_holding_timers_in_every_state`], their slots, and the counter of
/// their witnesses' drops.
fn set_with_cycles<S: TimerSet>(
    new_set: impl Fn() -> S,
) -> (S, Vec<SelfSlot<S::Timer>>, Arc<AtomicUsize>)
where
    S::Timer: 'static,
{
    let drops = Arc::new(AtomicUsize::new(0));
    let set = new_set();
    let slots = self_holding_timers_in_every_state(&set, &drops);
    set.verify();
    (set, slots, drops)
}

/// Dropping the set frees every callback, also once every handle is gone
/// and only the cycles refer to the timers.
fn dropping_the_set_frees_every_self_holding_callback<S: TimerSet>(new_set: impl Fn() -> S)
where
    S::Timer: 'static,
{
    let (set, slots, drops) = set_with_cycles(new_set);
    let count = slots.len();
    drop(slots);
    drop(set);
    assert_eq!(
        dropped(&drops),
        count,
        "dropping the set must free every callback, cycles included"
    );
}

/// Dropping the set frees every callback even while handles outlive it; the
/// handles are then only dropped.
fn dropping_the_set_frees_callbacks_of_handles_that_outlive_it<S: TimerSet>(new_set: impl Fn() -> S)
where
    S::Timer: 'static,
{
    let (set, slots, drops) = set_with_cycles(new_set);
    let count = slots.len();
    drop(set);
    assert_eq!(
        dropped(&drops),
        count,
        "every callback is freed with the set"
    );
    drop(slots);
    assert_eq!(dropped(&drops), count, "each witness is dropped once");
}

/// `clear` frees every callback while the set lives on, and the set's
/// timers can then be armed again with new callbacks.
fn clear_frees_every_callback_and_the_set_lives_on<S: TimerSet>(new_set: impl Fn() -> S)
where
    S::Timer: 'static,
{
    let (set, slots, drops) = set_with_cycles(new_set);
    let count = slots.len();
    set.clear();
    assert_eq!(dropped(&drops), count, "clear frees every callback");
    assert_eq!(set.stats().filed, 0);
    set.verify();

    let fired = Arc::new(AtomicUsize::new(0));
    let counter = fired.clone();
    let rearmed = handle(&slots[0]);
    set.modify(
        rearmed,
        2_000_000,
        0,
        Some(callback(move |_, _| {
            counter.fetch_add(1, Ordering::SeqCst);
        })),
        7,
    );
    set.check(2_000_000);
    assert_eq!(fired.load(Ordering::SeqCst), 1, "a cleared timer re-arms");
    drop(slots);
    drop(set);
    assert_eq!(dropped(&drops), count);
}

/// Timers made on several threads (and so, on the heap, kept in several
/// shards' registries), some dropped before the set, the others cycles in
/// every state, are all freed by the end. The plain timers are made and
/// dropped concurrently; the cycles are built one thread at a time, since
/// each build checks the set and expects its own timers to fire, and no
/// other thread's.
fn timers_made_on_many_threads_are_all_freed<S: TimerSet + 'static>(new_set: impl Fn() -> S)
where
    S::Timer: 'static,
{
    const THREADS: usize = 4;
    const ROUNDS: usize = 25;
    let drops = Arc::new(AtomicUsize::new(0));
    let set = Arc::new(new_set());
    let kept: Arc<Mutex<Vec<SelfSlot<S::Timer>>>> = Arc::default();
    let one_at_a_time = Mutex::new(());
    let made = thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let (set, drops, kept) = (&set, &drops, &kept);
                let one_at_a_time = &one_at_a_time;
                scope.spawn(move || {
                    let mut made = 0;
                    for round in 0..ROUNDS {
                        // A timer with no cycle, dropped at once: its slot is
                        // reused by the next ones.
                        let witness = Witness(drops.clone());
                        let plain = set.new_timer(callback(move |_, _| {
                            let _ = &witness;
                        }));
                        drop(plain);
                        made += 1;
                        let slots = {
                            let _alone = one_at_a_time.lock().expect("no panic holds it");
                            self_holding_timers_in_every_state(&**set, drops)
                        };
                        made += slots.len();
                        if round % 2 == 0 {
                            kept.lock().expect("no panic holds it").extend(slots);
                        }
                    }
                    made
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a worker panicked"))
            .sum::<usize>()
    });
    set.verify();
    drop(kept);
    let set = Arc::into_inner(set).expect("the workers are joined");
    drop(set);
    assert_eq!(dropped(&drops), made, "every callback made is freed");
}

/// Arms a timer on a set when dropped: a callback destructor that uses the
/// set it belongs to.
struct ArmsOnDrop<S: TimerSet> {
    set: std::sync::Weak<S>,
    armed: Arc<AtomicUsize>,
}

impl<S: TimerSet> Drop for ArmsOnDrop<S> {
    fn drop(&mut self) {
        if let Some(set) = self.set.upgrade() {
            drop(set.start_timer(callback(|_, _| {}), 1_000_000, 0));
            // SeqCst: a test counter, read on the same thread.
            self.armed.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// A callback's destructor runs with no lock of the set held, whenever the
/// set lets go of the callback: when a stopped timer whose handle is gone
/// is removed, and when a fired one-shot timer whose handle is gone is. A
/// destructor that arms a timer on the same set would otherwise deadlock
/// (the watchdog turns that into a failure).
fn callback_destructors_may_use_the_set<S: TimerSet + 'static>(new_set: impl Fn() -> S) {
    let _watchdog = gowheel_compat_tests::watchdog::Watchdog::start(
        "a callback destructor that arms a timer on its own set",
        Duration::from_secs(60),
    );
    let set = Arc::new(new_set());
    let armed = Arc::new(AtomicUsize::new(0));
    let arming_on_drop = || {
        let on_drop = ArmsOnDrop {
            set: Arc::downgrade(&set),
            armed: armed.clone(),
        };
        callback(move |_, _| {
            let _ = &on_drop;
        })
    };
    // Stopped, then its handle dropped: the set holds the last reference
    // until it removes the stopped timer. Enough of them that the zombies
    // pass the purge line, beside one live timer.
    let live = set.start_timer(callback(|_, _| {}), 500, 0);
    for when in 1..=8 {
        let timer = set.start_timer(arming_on_drop(), 100 + when, 0);
        assert!(set.stop(&timer));
        drop(timer);
    }
    // Fired one-shots whose handles are gone.
    for when in 1..=4 {
        drop(set.start_timer(arming_on_drop(), 200 + when, 0));
    }
    set.check(300);
    set.check(600);
    assert!(!set.stop(&live), "the live timer fired");
    // SeqCst: pairs with the increments, on this thread.
    assert_eq!(armed.load(Ordering::SeqCst), 12, "every destructor ran");
}

/// Instantiates each generic test for one kind of set.
macro_rules! runtime_layer_tests {
    ($module:ident, $new_set:expr) => {
        mod $module {
            use super::*;

            #[test]
            fn dropping_the_set_frees_every_self_holding_callback() {
                super::dropping_the_set_frees_every_self_holding_callback($new_set);
            }

            #[test]
            fn dropping_the_set_frees_callbacks_of_handles_that_outlive_it() {
                super::dropping_the_set_frees_callbacks_of_handles_that_outlive_it($new_set);
            }

            #[test]
            fn clear_frees_every_callback_and_the_set_lives_on() {
                super::clear_frees_every_callback_and_the_set_lives_on($new_set);
            }

            #[test]
            fn timers_made_on_many_threads_are_all_freed() {
                super::timers_made_on_many_threads_are_all_freed($new_set);
            }

            #[test]
            fn callback_destructors_may_use_the_set() {
                super::callback_destructors_may_use_the_set($new_set);
            }
        }
    };
}

runtime_layer_tests!(heap_one_shard, || HeapTimerSet::new(1));
runtime_layer_tests!(heap_three_shards, || HeapTimerSet::new(3));
runtime_layer_tests!(wheel_default, || TimingWheel::new(WheelConfig::default()));
runtime_layer_tests!(wheel_tiny, || TimingWheel::new(
    WheelConfig::default()
        .tick_shift(0)
        .slot_bits(2)
        .levels(3)
        .stripes(3)
));

const SECOND: Duration = Duration::from_secs(1);
const HOUR: Duration = Duration::from_secs(3_600);

/// An `after_func` whose function holds its own handle, and `extra`, and a
/// witness; the handle is not returned, so only the cycle refers to it.
/// Armed to run after `after`, it is stopped at once if `stop`.
fn self_holding_after_func<E: Send + Sync + 'static>(
    runtime: &Runtime,
    after: Duration,
    stop: bool,
    extra: E,
    drops: &Arc<AtomicUsize>,
) {
    let slot: Arc<OnceLock<AfterFunc>> = Arc::default();
    let (me, witness) = (slot.clone(), Witness(drops.clone()));
    let timer = runtime.after_func(after, move || {
        let _ = (&witness, &extra);
        if let Some(me) = me.get() {
            me.stop();
        }
    });
    if stop {
        assert!(timer.stop());
    }
    assert!(slot.set(timer).is_ok(), "the slot is set once");
}

/// Dropping a manual-clock runtime frees every `after_func` function that
/// holds its own handle (pending, run, stopped), together with the channel
/// timers and tickers those functions hold.
fn dropping_a_manual_runtime_frees_self_holding_functions(backend: Backend) {
    let drops = Arc::new(AtomicUsize::new(0));
    let runtime = Runtime::builder()
        .backend(backend)
        .parts(2)
        .manual_clock()
        .build();
    self_holding_after_func(&runtime, HOUR, false, (), &drops);
    self_holding_after_func(&runtime, SECOND, false, (), &drops);
    self_holding_after_func(&runtime, SECOND, true, (), &drops);
    let timer: Timer = runtime.new_timer(HOUR);
    self_holding_after_func(&runtime, 2 * SECOND, false, timer, &drops);
    let ticker: Ticker = runtime.new_ticker(SECOND);
    self_holding_after_func(&runtime, HOUR, true, ticker, &drops);
    runtime.advance(3 * SECOND);
    runtime.verify();
    drop(runtime);
    assert_eq!(
        dropped(&drops),
        5,
        "dropping the runtime must free every function, cycles included"
    );
}

/// The same on a real clock, with the functions that ran run by the driver
/// thread.
fn dropping_a_real_clock_runtime_frees_self_holding_functions(backend: Backend) {
    let drops = Arc::new(AtomicUsize::new(0));
    let runtime = Runtime::builder().backend(backend).parts(2).build();
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = ran.clone();
    let slot: Arc<OnceLock<AfterFunc>> = Arc::default();
    let (me, witness) = (slot.clone(), Witness(drops.clone()));
    let timer = runtime.after_func(Duration::from_millis(1), move || {
        let _ = (&witness, me.get());
        counter.fetch_add(1, Ordering::SeqCst);
    });
    assert!(slot.set(timer).is_ok(), "the slot is set once");
    drop(slot);
    self_holding_after_func(&runtime, HOUR, false, (), &drops);
    self_holding_after_func(&runtime, HOUR, true, (), &drops);
    let deadline = std::time::Instant::now() + gowheel_compat_tests::EVENTUALLY;
    while ran.load(Ordering::SeqCst) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the 1 ms function never ran"
        );
        thread::sleep(Duration::from_millis(1));
    }
    drop(runtime);
    assert_eq!(
        dropped(&drops),
        3,
        "dropping the runtime frees every function"
    );
}

on_both_backends!(
    dropping_a_manual_runtime_frees_self_holding_functions,
    dropping_a_real_clock_runtime_frees_self_holding_functions,
);
