//! Faults, on both backends: callbacks that panic, block, or stop, reset
//! and create timers (themselves included); handles dropped from other
//! threads while their timers fire; a callback that drops the runtime.
//!
//! Every test runs under a [`Watchdog`] that aborts the process with a
//! message if it is still running after 30 s: these tests would hang, not
//! fail, if gowheel deadlocked. Dropping a runtime with 10^6 pending timers
//! is in `drop_frees_memory.rs`, whose counting allocator needs a binary of
//! its own.
//!
//! Only "not early" and liveness ("within 10 s") are asserted about time.
//!
//! One concept: the driver surviving misbehaving callbacks and handles.
//! The tests share the recording runtime, the run counts and the watchdog
//! at the top of the file.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::thread;
use std::time::{Duration, Instant};

use common::{EVENTUALLY, eventually, on_both_backends};
use fastrand::Rng;
use gowheel::{AfterFunc, Backend, CallbackPanic, Runtime, Ticker, Timer};
use gowheel_compat_tests::panics::lock;
use gowheel_compat_tests::watchdog::Watchdog;

/// How long a test may run before the watchdog calls it a deadlock.
const WATCHDOG_LIMIT: Duration = Duration::from_secs(30);

const HOUR: Duration = Duration::from_secs(3600);
const MS: Duration = Duration::from_millis(1);

fn watchdog(test: &str, backend: Backend) -> Watchdog {
    Watchdog::start(format!("faults::{backend}::{test}"), WATCHDOG_LIMIT)
}

/// A runtime whose panic hook records the panics' messages.
fn runtime_recording_panics(
    backend: Backend,
    manual: bool,
) -> (Arc<Runtime>, Arc<Mutex<Vec<String>>>) {
    let panics = Arc::new(Mutex::new(Vec::new()));
    let log = panics.clone();
    let mut builder = Runtime::builder()
        .backend(backend)
        .panic_hook(move |panic: &CallbackPanic| lock(&log).push(panic.message().to_owned()));
    if manual {
        builder = builder.manual_clock();
    }
    (Arc::new(builder.build()), panics)
}

/// Counts how many times each of `n` callbacks ran, and whether any ran
/// early.
struct RunCounts {
    runs: Vec<AtomicUsize>,
    early: AtomicUsize,
}

impl RunCounts {
    fn new(n: usize) -> Arc<RunCounts> {
        Arc::new(RunCounts {
            runs: (0..n).map(|_| AtomicUsize::new(0)).collect(),
            early: AtomicUsize::new(0),
        })
    }

    /// Callback `index`, due at `earliest`, ran at `now`.
    fn ran(&self, index: usize, earliest: Instant, now: Instant) {
        // SeqCst: simple counters read by the test thread while callbacks
        // run; the strongest order keeps the reasoning trivial.
        self.runs[index].fetch_add(1, Ordering::SeqCst);
        if now < earliest {
            self.early.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn all_ran_once(&self, except: impl Fn(usize) -> bool) -> bool {
        self.runs
            .iter()
            .enumerate()
            .all(|(index, runs)| except(index) || runs.load(Ordering::SeqCst) == 1)
    }

    fn assert_ran_once_not_early(&self, except: impl Fn(usize) -> bool, what: &str) {
        let counts: Vec<usize> = self
            .runs
            .iter()
            .map(|runs| runs.load(Ordering::SeqCst))
            .collect();
        for (index, &count) in counts.iter().enumerate() {
            let expected = usize::from(!except(index));
            assert_eq!(
                count, expected,
                "{what}: callback {index} ran {count} times"
            );
        }
        assert_eq!(
            self.early.load(Ordering::SeqCst),
            0,
            "{what}: a callback ran early"
        );
    }
}

/// The runtime's clock, for callbacks: `Runtime::now` through a weak
/// handle (a callback holding the runtime would keep it alive), which on a
/// real clock is `Instant::now`.
fn clock_of(runtime: &Arc<Runtime>) -> impl Fn() -> Instant + Clone + Send + Sync + 'static {
    let weak = Arc::downgrade(runtime);
    move || {
        weak.upgrade()
            .map_or_else(Instant::now, |runtime| runtime.now())
    }
}

/// Arms `n` function timers `index × step` from now; those for which
/// `panics(index)` is true panic (every third of them with a payload that
/// is not a string), the others count their run.
fn arm_panicking_mix(
    runtime: &Arc<Runtime>,
    n: usize,
    step: Duration,
    panics: impl Fn(usize) -> bool,
) -> (Arc<RunCounts>, Vec<AfterFunc>) {
    let counts = RunCounts::new(n);
    let now = clock_of(runtime);
    let handles = (0..n)
        .map(|index| {
            let duration = step * index as u32;
            let earliest = now() + duration;
            let (counts, now) = (counts.clone(), now.clone());
            let panicking = panics(index);
            runtime.after_func(duration, move || {
                if panicking {
                    if index.is_multiple_of(3) {
                        std::panic::panic_any(index);
                    }
                    panic!("callback {index} panicked");
                }
                counts.ran(index, earliest, now());
            })
        })
        .collect();
    (counts, handles)
}

/// The message the panic hook gets from `arm_panicking_mix`'s callback
/// `index`.
fn expected_message(index: usize) -> String {
    if index.is_multiple_of(3) {
        "a panic payload that is not a string".to_owned()
    } else {
        format!("callback {index} panicked")
    }
}

/// The panic messages `arm_panicking_mix` leads to, in deadline order.
fn expected_panic_messages(n: usize, panics: impl Fn(usize) -> bool) -> Vec<String> {
    (0..n)
        .filter(|&index| panics(index))
        .map(expected_message)
        .collect()
}

/// Callbacks that panic are reported through the panic hook, and every
/// other timer still fires once, not early; a ticker keeps ticking and new
/// timers still fire after the panics (the driver survived).
fn panicking_callbacks_are_reported_and_the_others_keep_firing(backend: Backend) {
    let _watchdog = watchdog("panicking_callbacks", backend);
    let (runtime, panics) = runtime_recording_panics(backend, false);
    let ticker = runtime.new_ticker(MS);
    const N: usize = 100;
    let panicking = |index: usize| index % 5 == 2;
    let (counts, _handles) = arm_panicking_mix(&runtime, N, Duration::from_micros(100), panicking);
    let mut expected = expected_panic_messages(N, panicking);
    expected.sort();
    assert!(
        eventually(|| counts.all_ran_once(panicking) && lock(&panics).len() >= expected.len()),
        "not every callback ran or panicked within {EVENTUALLY:?}"
    );
    counts.assert_ran_once_not_early(panicking, "real clock");
    let mut seen = lock(&panics).clone();
    seen.sort();
    assert_eq!(seen, expected);

    // The driver is alive: the ticker ticks, a new timer fires.
    let earlier = ticker.receiver().recv_timeout(EVENTUALLY).expect("a tick");
    let later = ticker
        .receiver()
        .recv_timeout(EVENTUALLY)
        .expect("another tick");
    assert!(later > earlier);
    let after = runtime.after(MS);
    assert!(
        after.recv_timeout(EVENTUALLY).is_some(),
        "a timer armed after the panics"
    );
}

/// The same on a manual clock, exactly: one `advance` runs them all, the
/// panics are reported in deadline order.
fn panicking_callbacks_on_a_manual_clock_are_reported_in_deadline_order(backend: Backend) {
    let _watchdog = watchdog("panicking_callbacks_manual", backend);
    let (runtime, panics) = runtime_recording_panics(backend, true);
    const N: usize = 40;
    let panicking = |index: usize| index % 4 == 1;
    let (counts, _handles) = arm_panicking_mix(&runtime, N, MS, panicking);
    runtime.advance(MS * N as u32);
    counts.assert_ran_once_not_early(panicking, "manual clock");
    assert_eq!(*lock(&panics), expected_panic_messages(N, panicking));
    let timer = runtime.new_timer(MS);
    runtime.advance(MS);
    assert!(timer.receiver().try_recv().is_ok());
}

/// A panic hook that panics itself takes neither the driver down nor the
/// thread moving a manual clock.
fn a_panicking_panic_hook_does_not_stop_the_driver(backend: Backend) {
    let _watchdog = watchdog("panicking_panic_hook", backend);
    for manual in [false, true] {
        let hook_calls = Arc::new(AtomicUsize::new(0));
        let calls = hook_calls.clone();
        let mut builder =
            Runtime::builder()
                .backend(backend)
                .panic_hook(move |panic: &CallbackPanic| {
                    calls.fetch_add(1, Ordering::SeqCst);
                    panic!("the hook panicked too, on {}", panic.message());
                });
        if manual {
            builder = builder.manual_clock();
        }
        let runtime = Arc::new(builder.build());
        let panicking = |index: usize| index.is_multiple_of(2);
        let (counts, _handles) = arm_panicking_mix(&runtime, 10, MS, panicking);
        if manual {
            runtime.advance(MS * 10);
        }
        assert!(
            eventually(|| counts.all_ran_once(panicking) && hook_calls.load(Ordering::SeqCst) == 5),
            "manual: {manual}: the others did not all run"
        );
        counts.assert_ran_once_not_early(panicking, "panicking hook");
        let after = runtime.after(MS);
        assert!(after.recv_timeout(EVENTUALLY).is_some(), "manual: {manual}");
    }
}

/// A callback that blocks holds up the timers due behind it (they run on
/// the same driver thread) but none is lost: once it returns, every
/// function timer runs once and every channel timer delivers, none early.
/// While it blocks, `stop`, `reset` and new timers on other threads do not
/// wait for it (if they did, the watchdog would fire: the callback waits
/// for them).
fn a_blocking_callback_delays_the_others_but_loses_none(backend: Backend) {
    let _watchdog = watchdog("blocking_callback", backend);
    let runtime = Runtime::builder().backend(backend).build();
    let (started, started_signal) = mpsc::channel::<()>();
    let (release, released) = mpsc::channel::<()>();
    let released = Mutex::new(released);
    let started = Mutex::new(started);
    let blocker = runtime.after_func(Duration::ZERO, move || {
        let _ = lock(&started).send(());
        // Blocks until the test has done its operations (or 10 s pass).
        let _ = lock(&released).recv_timeout(EVENTUALLY);
    });
    started_signal
        .recv_timeout(EVENTUALLY)
        .expect("the blocking callback started");
    let blocked_at = Instant::now();

    // Operations while the driver is blocked: none may wait for it.
    let pending = runtime.new_timer(HOUR);
    assert!(
        pending.stop(),
        "stop of a pending timer while the driver is blocked"
    );
    let to_reset = runtime.after_func(HOUR, || {});
    assert!(
        to_reset.reset(HOUR),
        "reset of a pending timer while the driver is blocked"
    );
    assert!(to_reset.stop());
    const N: usize = 200;
    let counts = RunCounts::new(N);
    let funcs: Vec<AfterFunc> = (0..N)
        .map(|index| {
            let duration = Duration::from_micros(10 * index as u64);
            let earliest = Instant::now() + duration;
            let counts = counts.clone();
            runtime.after_func(duration, move || {
                counts.ran(index, earliest, Instant::now())
            })
        })
        .collect();
    let timers: Vec<(Instant, Timer)> = (0..50u64)
        .map(|index| {
            let duration = Duration::from_micros(40 * index);
            (Instant::now() + duration, runtime.new_timer(duration))
        })
        .collect();
    let ticker = runtime.new_ticker(MS);
    // Let everything fall due while the driver is still blocked.
    thread::sleep(Duration::from_millis(20));
    release.send(()).expect("the blocking callback waits");

    assert!(
        eventually(|| counts.all_ran_once(|_| false)),
        "not every function timer ran within {EVENTUALLY:?} of the blocker's release"
    );
    counts.assert_ran_once_not_early(|_| false, "behind a blocking callback");
    for (earliest, timer) in &timers {
        let value = timer
            .receiver()
            .recv_timeout(EVENTUALLY)
            .expect("every channel timer delivers");
        assert!(
            value >= *earliest,
            "a value stands for a deadline before its earliest"
        );
        assert!(timer.receiver().try_recv().is_err(), "one value per arming");
    }
    let tick = ticker.receiver().recv_timeout(EVENTUALLY).expect("a tick");
    assert!(tick <= Instant::now());
    assert!(!blocker.stop(), "the blocker ran");
    drop(funcs);
    println!(
        "{backend}: {N} function timers and 50 channel timers ran after a callback blocked for {:?}",
        blocked_at.elapsed()
    );
}

/// What the callbacks of `callbacks_operate_on_timers` did, checked at the
/// end.
#[derive(Default)]
struct Operated {
    /// The self-resetting timer's runs.
    self_runs: AtomicUsize,
    /// Answers the callbacks got, by name.
    answers: Mutex<Vec<(&'static str, bool)>>,
    /// Runs of the timer another callback reset.
    reset_runs: AtomicUsize,
    /// Runs of the timer another callback stopped.
    stopped_runs: AtomicUsize,
    /// Runs of chain links and of the fan-out.
    created_runs: AtomicUsize,
    /// Whether the operating callback finished.
    operator_done: AtomicBool,
    /// A channel timer and a ticker the operating callback created.
    created_timer: Mutex<Option<Timer>>,
    created_ticker: Mutex<Option<Ticker>>,
}

impl Operated {
    fn answer(&self, name: &'static str, value: bool) {
        lock(&self.answers).push((name, value));
    }
}

/// Links of the `after_func` chain a callback starts.
const CHAIN: usize = 20;
/// `after_func(0)`s a callback creates at once.
const FAN_OUT: usize = 200;
/// Times the self-resetting callback resets itself.
const SELF_RESETS: usize = 50;

/// Arms a chain link due at once that arms the next, `left` more.
fn chain(runtime: &Weak<Runtime>, operated: &Arc<Operated>, left: usize) {
    let Some(strong) = runtime.upgrade() else {
        return;
    };
    let (runtime, operated) = (runtime.clone(), operated.clone());
    drop(strong.after_func(Duration::ZERO, move || {
        operated.created_runs.fetch_add(1, Ordering::SeqCst);
        if left > 0 {
            chain(&runtime, &operated, left - 1);
        }
    }));
}

/// Callbacks that stop, reset and create timers, themselves included, on
/// `runtime`; `drive` moves time until `done` holds (a manual clock) or
/// waits for it (a real one). No deadlock (the watchdog), and every
/// operation answers as outside a callback.
fn callbacks_operate_on_timers(runtime: Arc<Runtime>, drive: impl Fn(&dyn Fn() -> bool) -> bool) {
    let weak = Arc::downgrade(&runtime);
    let operated = Arc::new(Operated::default());

    // A timer that resets itself to zero SELF_RESETS times, then stops
    // itself: each answer false (it is running, not pending).
    let self_handle: Arc<OnceLock<AfterFunc>> = Arc::new(OnceLock::new());
    let me = self_handle.clone();
    let log = operated.clone();
    let handle = runtime.after_func(HOUR, move || {
        let runs = log.self_runs.fetch_add(1, Ordering::SeqCst) + 1;
        let me = me.get().expect("set before it was armed to fire");
        if runs <= SELF_RESETS {
            log.answer("self reset", me.reset(Duration::ZERO));
        } else {
            log.answer("self stop", me.stop());
        }
    });
    let _ = self_handle.set(handle);

    // Victims of another callback.
    let log = operated.clone();
    let stopped = Arc::new(runtime.after_func(HOUR, move || {
        log.stopped_runs.fetch_add(1, Ordering::SeqCst);
    }));
    let log = operated.clone();
    let reset = Arc::new(runtime.after_func(HOUR, move || {
        log.reset_runs.fetch_add(1, Ordering::SeqCst);
    }));
    let unreceived = Arc::new(runtime.new_timer(Duration::ZERO));
    let slow_ticker = Arc::new(runtime.new_ticker(HOUR));
    let doomed = Arc::new(Mutex::new(Some(runtime.new_timer(HOUR))));

    // The operating callback, which also operates on itself.
    let operator_handle: Arc<OnceLock<AfterFunc>> = Arc::new(OnceLock::new());
    let (me, log, runtime_weak) = (operator_handle.clone(), operated.clone(), weak.clone());
    let (stopped_c, reset_c, unreceived_c, ticker_c, doomed_c) = (
        stopped.clone(),
        reset.clone(),
        unreceived.clone(),
        slow_ticker.clone(),
        doomed.clone(),
    );
    let operator = runtime.after_func(HOUR, move || {
        let Some(runtime) = runtime_weak.upgrade() else {
            return;
        };
        log.answer("stop another", stopped_c.stop());
        log.answer("reset another", reset_c.reset(Duration::ZERO));
        log.answer("stop an unreceived channel timer", unreceived_c.stop());
        ticker_c.reset(MS);
        drop(lock(&doomed_c).take());
        chain(&runtime_weak, &log, CHAIN - 1);
        for _ in 0..FAN_OUT {
            let log = log.clone();
            drop(runtime.after_func(Duration::ZERO, move || {
                log.created_runs.fetch_add(1, Ordering::SeqCst);
            }));
        }
        *lock(&log.created_timer) = Some(runtime.new_timer(Duration::ZERO));
        *lock(&log.created_ticker) = Some(runtime.new_ticker(MS));
        let me = me.get().expect("set before it was armed to fire");
        log.answer("operator stops itself", me.stop());
        log.answer("operator resets itself", me.reset(HOUR));
        log.answer("operator stops itself again", me.stop());
        log.operator_done.store(true, Ordering::SeqCst);
    });
    let _ = operator_handle.set(operator);
    drop(runtime);

    // Go: both fire now.
    let self_timer = self_handle.get().expect("set");
    assert!(self_timer.reset(Duration::ZERO));
    assert!(operator_handle.get().expect("set").reset(MS));

    let created_total = CHAIN + FAN_OUT;
    let done = || {
        operated.self_runs.load(Ordering::SeqCst) == SELF_RESETS + 1
            && operated.operator_done.load(Ordering::SeqCst)
            && operated.reset_runs.load(Ordering::SeqCst) == 1
            && operated.created_runs.load(Ordering::SeqCst) == created_total
    };
    assert!(drive(&done), "the callbacks did not all run");

    let answers = lock(&operated.answers).clone();
    let count = |name: &str, value: bool| {
        answers
            .iter()
            .filter(|&&(seen, answer)| seen == name && answer == value)
            .count()
    };
    assert_eq!(count("self reset", false), SELF_RESETS, "{answers:?}");
    assert_eq!(count("self stop", false), 1, "{answers:?}");
    assert_eq!(count("stop another", true), 1, "{answers:?}");
    assert_eq!(count("reset another", true), 1, "{answers:?}");
    assert_eq!(
        count("stop an unreceived channel timer", true),
        1,
        "{answers:?}"
    );
    assert_eq!(count("operator stops itself", false), 1, "{answers:?}");
    assert_eq!(count("operator resets itself", false), 1, "{answers:?}");
    assert_eq!(count("operator stops itself again", true), 1, "{answers:?}");
    assert_eq!(answers.len(), SELF_RESETS + 7, "{answers:?}");

    // What they made works; what they stopped stays stopped.
    let timer = lock(&operated.created_timer).take().expect("created");
    let ticker = lock(&operated.created_ticker).take().expect("created");
    let received = [
        &AtomicBool::new(false),
        &AtomicBool::new(false),
        &AtomicBool::new(false),
    ];
    let receivers = [timer.receiver(), ticker.receiver(), slow_ticker.receiver()];
    assert!(drive(&|| {
        for (receiver, seen) in receivers.iter().zip(received) {
            if receiver.try_recv().is_ok() {
                seen.store(true, Ordering::SeqCst);
            }
        }
        received.iter().all(|seen| seen.load(Ordering::SeqCst))
    }));
    assert!(
        unreceived.receiver().try_recv().is_err(),
        "stale value after stop"
    );
    assert!(!self_timer.stop());
    assert!(!reset.stop());
    assert!(!stopped.stop());
    assert_eq!(operated.stopped_runs.load(Ordering::SeqCst), 0);
    assert_eq!(operated.self_runs.load(Ordering::SeqCst), SELF_RESETS + 1);
}

/// On a real clock.
fn callbacks_stop_reset_and_create_timers_themselves_included(backend: Backend) {
    let _watchdog = watchdog("callbacks_operate_on_timers", backend);
    let runtime = Arc::new(Runtime::builder().backend(backend).build());
    let keep = runtime.clone();
    callbacks_operate_on_timers(runtime, |done: &dyn Fn() -> bool| eventually(done));
    drop(keep);
}

/// On a manual clock: one `advance` at a time, on this thread.
fn callbacks_stop_reset_and_create_timers_on_a_manual_clock(backend: Backend) {
    let _watchdog = watchdog("callbacks_operate_on_timers_manual", backend);
    let runtime = Arc::new(Runtime::builder().backend(backend).manual_clock().build());
    let clock = runtime.clone();
    callbacks_operate_on_timers(runtime, move |done: &dyn Fn() -> bool| {
        for _ in 0..1_000 {
            if done() {
                return true;
            }
            clock.advance(MS);
        }
        done()
    });
}

/// On a manual clock, a callback that blocks on a receive or a sleep on
/// its own runtime moves virtual time itself instead of waiting for itself
/// (as Go's synctest), and the timers due meanwhile fire at their
/// deadlines.
fn a_callback_that_receives_or_sleeps_on_a_manual_runtime_moves_time_itself(backend: Backend) {
    let _watchdog = watchdog("callback_blocks_on_manual_clock", backend);
    let runtime = Arc::new(Runtime::builder().backend(backend).manual_clock().build());
    let later = Arc::new(runtime.new_timer(Duration::from_secs(3)));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (weak, timer, log) = (Arc::downgrade(&runtime), later.clone(), seen.clone());
    let _blocking = runtime.after_func(Duration::from_secs(1), move || {
        let Some(runtime) = weak.upgrade() else {
            return;
        };
        // (Not `lock(&log).push(..recv()..)`: the guard would be held
        // while the receive runs the callbacks that log.)
        let received = timer.receiver().recv() - runtime.start();
        lock(&log).push(("received", received));
        runtime.sleep(Duration::from_secs(2));
        let slept_until = runtime.elapsed();
        lock(&log).push(("slept until", slept_until));
    });
    let log = seen.clone();
    let weak = Arc::downgrade(&runtime);
    let _between = runtime.after_func(Duration::from_secs(2), move || {
        if let Some(runtime) = weak.upgrade() {
            lock(&log).push(("ran between", runtime.elapsed()));
        }
    });
    runtime.advance(Duration::from_secs(1));
    let secs = Duration::from_secs;
    assert_eq!(
        *lock(&seen),
        vec![
            ("ran between", secs(2)),
            ("received", secs(3)),
            ("slept until", secs(5)),
        ]
    );
    assert_eq!(runtime.elapsed(), secs(5));
}

/// A callback that drops the last handle of its runtime (so the runtime
/// shuts down from its own driver thread) hangs nothing; the handles that
/// outlive the runtime can still be used, and do not crash.
fn a_callback_that_drops_the_last_runtime_handle_does_not_hang(backend: Backend) {
    let _watchdog = watchdog("callback_drops_runtime", backend);
    let holder: Arc<Mutex<Option<Runtime>>> = Arc::new(Mutex::new(None));
    let runtime = Runtime::builder().backend(backend).build();
    let survivor = runtime.new_timer(HOUR);
    let ticker = runtime.new_ticker(MS);
    let other = runtime.after_func(HOUR, || {});
    let dropped = Arc::new(AtomicBool::new(false));
    let (slot, flag) = (holder.clone(), dropped.clone());
    // The callback holds the runtime through `holder` until it drops it.
    let _dropper = runtime.after_func(MS, move || {
        drop(lock(&slot).take());
        flag.store(true, Ordering::SeqCst);
    });
    *lock(&holder) = Some(runtime);
    assert!(
        eventually(|| dropped.load(Ordering::SeqCst)),
        "the callback did not run"
    );
    // The runtime is gone; its handles still answer, without hanging.
    survivor.reset(Duration::ZERO);
    survivor.stop();
    ticker.reset(MS);
    ticker.stop();
    other.reset(Duration::ZERO);
    other.stop();
    // Nothing drives the cleared set any more: a timer re-armed to fire at
    // once never does (the runtime's doc: timers that outlive it never
    // fire).
    survivor.reset(Duration::ZERO);
    thread::sleep(Duration::from_millis(20));
    assert!(survivor.receiver().try_recv().is_err());
}

/// Handles dropped on other threads, at random moments, while their timers
/// fire: no crash; every dropped `after_func` still runs exactly once (a
/// dropped handle does not cancel); dropped channel timers and tickers are
/// taken out of the runtime, so that once everything has run nothing is
/// left filed.
fn handles_dropped_from_other_threads_while_their_timers_fire(backend: Backend) {
    let _watchdog = watchdog("handles_dropped_from_other_threads", backend);
    const MAKERS: usize = 3;
    const PER_MAKER: usize = 1_000;
    let runtime = Runtime::builder().backend(backend).build();
    let counts = RunCounts::new(MAKERS * PER_MAKER);
    enum Handle {
        Func(AfterFunc),
        Chan(Timer),
        Receiver(gowheel::Receiver),
        Tick(Ticker),
    }
    let (send, receive) = mpsc::channel::<Handle>();
    let receive = Mutex::new(receive);
    thread::scope(|scope| {
        for dropper in 0..2u64 {
            let receive = &receive;
            scope.spawn(move || {
                let mut rng = Rng::with_seed(dropper + 7);
                loop {
                    let handle = lock(receive).recv();
                    let Ok(handle) = handle else {
                        return;
                    };
                    if rng.u64(..4) == 0 {
                        thread::sleep(Duration::from_micros(rng.u64(..300)));
                    }
                    match handle {
                        Handle::Chan(timer) => {
                            let _ = timer.receiver().try_recv();
                        }
                        Handle::Tick(ticker) => {
                            let _ = ticker.receiver().try_recv();
                        }
                        Handle::Receiver(receiver) => {
                            let _ = receiver.try_recv();
                        }
                        // Not stopped: dropping the handle must not cancel it.
                        Handle::Func(func) => drop(func),
                    }
                }
            });
        }
        for maker in 0..MAKERS {
            let (runtime, counts, send) = (&runtime, &counts, send.clone());
            scope.spawn(move || {
                let mut rng = Rng::with_seed(maker as u64);
                for index in maker * PER_MAKER..(maker + 1) * PER_MAKER {
                    let duration = Duration::from_micros(rng.u64(..2_000));
                    let earliest = Instant::now() + duration;
                    let counts = counts.clone();
                    let func = runtime.after_func(duration, move || {
                        counts.ran(index, earliest, Instant::now())
                    });
                    let timer = runtime.new_timer(Duration::from_micros(rng.u64(..2_000)));
                    let receiver = runtime.after(Duration::from_micros(rng.u64(..2_000)));
                    let ticker = runtime.new_ticker(Duration::from_micros(100 + rng.u64(..900)));
                    let mut handles = vec![
                        Handle::Func(func),
                        Handle::Chan(timer),
                        Handle::Receiver(receiver),
                        Handle::Tick(ticker),
                    ];
                    rng.shuffle(&mut handles);
                    for handle in handles {
                        if send.send(handle).is_err() {
                            return;
                        }
                    }
                }
            });
        }
        drop(send);
    });
    assert!(
        eventually(|| counts.all_ran_once(|_| false)),
        "not every dropped after_func ran within {EVENTUALLY:?}"
    );
    counts.assert_ran_once_not_early(|_| false, "dropped handles");
    assert!(
        eventually(|| runtime.stats().filed == 0),
        "dropped timers stay filed: {}",
        runtime.stats()
    );
}

on_both_backends!(
    panicking_callbacks_are_reported_and_the_others_keep_firing,
    panicking_callbacks_on_a_manual_clock_are_reported_in_deadline_order,
    a_panicking_panic_hook_does_not_stop_the_driver,
    a_blocking_callback_delays_the_others_but_loses_none,
    callbacks_stop_reset_and_create_timers_themselves_included,
    callbacks_stop_reset_and_create_timers_on_a_manual_clock,
    a_callback_that_receives_or_sleeps_on_a_manual_runtime_moves_time_itself,
    a_callback_that_drops_the_last_runtime_handle_does_not_hang,
    handles_dropped_from_other_threads_while_their_timers_fire,
);
