//! Go's `time/sleep_test.go`, rewritten for gowheel's time-package layer
//! and run on both backends (`wheel::test_*` and `heap::test_*`).
//!
//! Each test names the Go test it ports. Where Go measures real time the
//! port uses a real-clock runtime and asserts only "not early" and "happens
//! eventually" (never "fast"); where Go has to allow a range because of
//! scheduling, the port adds a manual-clock version with exact answers.
//! Go's stress loops are scaled down so that the file runs in seconds.
//! See `compat-tests/README.md` for the full table of Go tests.
//!
//! One concept, however long: this file is the port of one Go test file,
//! test for test in Go's order, so that it can be read side by side with
//! Go's.

mod go_common;

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fastrand::Rng;
use gowheel::{
    Backend, CallbackPanic, HeapTimerSet, MAX_WHEN, ManualClock, Runtime, TimerSet, TimingWheel,
    callback,
};

use go_common::{
    EVENTUALLY, GoTimer, HOUR, Impl, Selected, at, manual_runtime, on_both_backends, real_runtime,
    select2,
};

on_both_backends!(
    test_sleep,
    test_after_func,
    test_ticker_stress,
    test_ticker_concurrent_stress,
    test_after_func_starvation,
    test_after,
    test_after_tick,
    test_after_stop,
    test_after_queuing,
    test_timer_stop_stress,
    test_sleep_zero_deadlock,
    test_reset,
    test_overflow_sleep,
    test_issue5745,
    test_overflow_period_runtime_timer,
    test_zero_timer,
    test_timer_modified_earlier,
    test_adjust_timers,
    test_stop_result,
    test_reset_result,
    test_multi_wakeup_ticker,
    test_multi_wakeup_timer,
);

/// `TestSleep`: a sleep is never cut short, even when something disturbs
/// the sleeper halfway through. Go interrupts the process with a signal;
/// the nearest disturbance a gowheel sleeper can meet is its runtime's
/// driver being woken over and over for other timers.
fn test_sleep(backend: Backend) {
    const DELAY: Duration = Duration::from_millis(100);
    let runtime = real_runtime(backend);
    let disturber = {
        let runtime = runtime.clone();
        thread::spawn(move || {
            runtime.sleep(DELAY / 2);
            for _ in 0..100 {
                drop(runtime.after_func(Duration::ZERO, || {}));
                drop(runtime.new_timer(Duration::from_nanos(1)));
            }
        })
    };
    let start = Instant::now();
    runtime.sleep(DELAY);
    let slept = start.elapsed();
    disturber.join().unwrap();
    assert!(slept >= DELAY, "sleep({DELAY:?}) slept for only {slept:?}");

    // On a manual clock the sleep is exact.
    let runtime = manual_runtime(backend);
    runtime.sleep(DELAY);
    assert_eq!(runtime.elapsed(), DELAY);
}

/// Arms `after_func(0, f)` where `f` counts `left` down, arming itself
/// again until the count goes below zero, then signals `done` (Go's
/// recursive `f` in `TestAfterFunc`). The runtime is reached through `slot`
/// rather than captured, so that the test can break the reference cycle
/// runtime → callback → runtime when it is done.
fn arm_counting_chain(
    slot: &Arc<Mutex<Option<Runtime>>>,
    left: &Arc<AtomicI32>,
    calls: &Arc<AtomicUsize>,
    done: &SyncSender<()>,
) {
    let Some(runtime) = slot.lock().unwrap().clone() else {
        return;
    };
    let (slot, left, calls, done) = (slot.clone(), left.clone(), calls.clone(), done.clone());
    runtime.after_func(Duration::ZERO, move || {
        calls.fetch_add(1, Ordering::SeqCst);
        // Go: `i--; if i >= 0`.
        if left.fetch_sub(1, Ordering::SeqCst) > 0 {
            arm_counting_chain(&slot, &left, &calls, &done);
        } else {
            let _ = done.try_send(());
        }
    });
}

/// `TestAfterFunc`: an `after_func` callback can arm the next `after_func`,
/// ten times over. Go's callback also sleeps for a second, harmless there
/// because each Go callback runs in its own goroutine; gowheel runs
/// callbacks on the driver thread (documented), where a sleep on the same
/// runtime would wait for itself, so the port does not sleep.
fn test_after_func(backend: Backend) {
    for runtime in [real_runtime(backend), manual_runtime(backend)] {
        let manual = runtime.is_manual();
        let slot = Arc::new(Mutex::new(Some(runtime.clone())));
        let left = Arc::new(AtomicI32::new(10));
        let calls = Arc::new(AtomicUsize::new(0));
        let (done, finished) = mpsc::sync_channel(1);
        arm_counting_chain(&slot, &left, &calls, &done);
        if manual {
            // Timers armed by callbacks fire in the same advance when due.
            runtime.advance(Duration::ZERO);
            assert!(finished.try_recv().is_ok(), "the chain did not finish");
            assert_eq!(runtime.elapsed(), Duration::ZERO);
        } else {
            finished
                .recv_timeout(EVENTUALLY)
                .expect("the chain of after_func(0) callbacks did not finish");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 11, "manual clock: {manual}");
        slot.lock().unwrap().take();
    }
}

/// Runs `churn` on a thread until the returned guard is dropped: the port's
/// stand-in for Go's goroutine that runs the GC in a loop and sleeps 1 ns.
struct Churn {
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Churn {
    fn start(runtime: &Runtime) -> Churn {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (runtime, stop) = (runtime.clone(), stop.clone());
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::hint::black_box(vec![0u8; 1 << 12]);
                    runtime.sleep(Duration::from_nanos(1));
                }
            })
        };
        Churn {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Churn {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let outcome = thread.join();
            if !thread::panicking() {
                outcome.unwrap();
            }
        }
    }
}

/// `TestTickerStress`: a 1 ns ticker delivers 100 ticks while another
/// thread keeps the runtime busy. Each tick stands for a later period
/// boundary than the one before (a tick is never delivered twice).
fn test_ticker_stress(backend: Backend) {
    let runtime = real_runtime(backend);
    let _churn = Churn::start(&runtime);
    let ticker = runtime.new_ticker(Duration::from_nanos(1));
    let mut last = None;
    for i in 0..100 {
        let tick = ticker
            .receiver()
            .recv_timeout(EVENTUALLY)
            .unwrap_or_else(|| panic!("tick {i} never came"));
        if let Some(last) = last {
            assert!(tick > last, "tick {i} is not after the one before");
        }
        last = Some(tick);
    }
    ticker.stop();
}

/// `TestTickerConcurrentStress`: ten threads take 100 ticks each from one
/// 1 ns ticker. Each tick goes to exactly one receiver.
fn test_ticker_concurrent_stress(backend: Backend) {
    let runtime = real_runtime(backend);
    let _churn = Churn::start(&runtime);
    let ticker = runtime.new_ticker(Duration::from_nanos(1));
    let ticks: Vec<Instant> = thread::scope(|scope| {
        let threads: Vec<_> = (0..10)
            .map(|_| {
                let receiver = ticker.receiver().clone();
                scope.spawn(move || {
                    (0..100)
                        .map(|i| {
                            receiver
                                .recv_timeout(EVENTUALLY)
                                .unwrap_or_else(|| panic!("tick {i} never came"))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|thread| thread.join().unwrap())
            .collect()
    });
    ticker.stop();
    let mut distinct = ticks.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 1000, "a tick was received twice");
}

/// `TestAfterFuncStarvation`: an `after_func` runs even while two threads
/// keep each other busy ping-ponging on a channel. (Go pins GOMAXPROCS to 1
/// to make the scheduler choose; gowheel's driver is a thread of its own.)
fn test_after_func_starvation(backend: Backend) {
    let runtime = real_runtime(backend);
    let stop = Arc::new(AtomicBool::new(false));
    let (sender, receiver) = mpsc::sync_channel::<bool>(1);
    let pinger = {
        let stop = stop.clone();
        thread::spawn(move || {
            let give_up = Instant::now() + EVENTUALLY;
            while !stop.load(Ordering::SeqCst) {
                sender.send(true).unwrap();
                assert!(Instant::now() < give_up, "the after_func never ran");
            }
        })
    };
    let ponger = thread::spawn(move || for _ in receiver {});
    let flag = stop.clone();
    runtime.after_func(Duration::from_micros(1), move || {
        flag.store(true, Ordering::SeqCst);
    });
    pinger.join().unwrap();
    ponger.join().unwrap();
}

/// `TestAfter`: `after(d)` delivers no earlier than `d`, and its value, the
/// deadline, is no earlier than `d` after the call.
fn test_after(backend: Backend) {
    const DELAY: Duration = Duration::from_millis(100);
    let runtime = real_runtime(backend);
    let start = Instant::now();
    let end = runtime
        .after(DELAY)
        .recv_timeout(EVENTUALLY)
        .expect("after(100ms) never fired");
    let waited = start.elapsed();
    assert!(
        waited >= DELAY,
        "after({DELAY:?}) slept for only {waited:?}"
    );
    assert!(
        end >= start + DELAY,
        "after({DELAY:?}) sent a time too early"
    );
}

/// `TestAfterTick`: ten `after(Δ)` in a row take at least 10 Δ (Go's short
/// mode Δ of 10 ms; Go allows 10% early for coarse clocks, gowheel is never
/// early). Go's "too slow" bound is not kept: this suite asserts no speed.
fn test_after_tick(backend: Backend) {
    const COUNT: u32 = 10;
    const DELTA: Duration = Duration::from_millis(10);
    let runtime = real_runtime(backend);
    let start = Instant::now();
    for i in 0..COUNT {
        runtime
            .after(DELTA)
            .recv_timeout(EVENTUALLY)
            .unwrap_or_else(|| panic!("after {i} never fired"));
    }
    let took = start.elapsed();
    assert!(
        took >= DELTA * COUNT,
        "{COUNT} ticks of {DELTA:?} too fast: took {took:?}"
    );
}

/// One round of Go's `testAfterStop` on a real clock. `Err` only for what
/// load can cause (a 50 ms timer firing before the test stops it); events
/// that were stopped and still delivered fail the test at once.
fn after_stop_round(runtime: &Runtime, implementation: Impl) -> Result<(), String> {
    runtime.after_func(Duration::from_millis(100), || {});
    let t0 = implementation.new_timer(runtime, Duration::from_millis(50));
    let (sender, c1) = mpsc::sync_channel(1);
    let t1 = runtime.after_func(Duration::from_millis(150), move || {
        let _ = sender.try_send(());
    });
    let c2 = runtime.after(Duration::from_millis(200));
    if !t0.stop() {
        return Err("failed to stop event 0".to_owned());
    }
    if !t1.stop() {
        return Err("failed to stop event 1".to_owned());
    }
    c2.recv_timeout(EVENTUALLY)
        .expect("after(200ms) never fired");
    assert!(t0.try_recv().is_none(), "event 0 was not stopped");
    assert!(c1.try_recv().is_err(), "event 1 was not stopped");
    assert!(!t1.stop(), "stop returned true twice");
    Ok(())
}

/// `TestAfterStop` (`impl=chan` and `impl=func`): stopped timers do not fire,
/// even once a later timer has fired; a second stop returns false. Go
/// retries five times against load; so does the real-clock port, and a
/// manual-clock version checks the same exactly.
fn test_after_stop(backend: Backend) {
    for implementation in [Impl::Chan, Impl::Func] {
        let runtime = real_runtime(backend);
        let mut errors = Vec::new();
        while let Err(error) = after_stop_round(&runtime, implementation) {
            errors.push(error);
            assert!(errors.len() < 5, "{implementation:?}: {errors:?}");
        }

        let runtime = manual_runtime(backend);
        let noop_ran = Arc::new(AtomicBool::new(false));
        let flag = noop_ran.clone();
        runtime.after_func(Duration::from_millis(100), move || {
            flag.store(true, Ordering::SeqCst);
        });
        let t0 = implementation.new_timer(&runtime, Duration::from_millis(50));
        let (sender, c1) = mpsc::sync_channel(1);
        let t1 = runtime.after_func(Duration::from_millis(150), move || {
            let _ = sender.try_send(());
        });
        let c2 = runtime.after(Duration::from_millis(200));
        assert!(t0.stop(), "{implementation:?}: failed to stop event 0");
        assert!(t1.stop(), "{implementation:?}: failed to stop event 1");
        let fired_at = c2.recv();
        assert_eq!(at(&runtime, fired_at), Duration::from_millis(200));
        assert!(noop_ran.load(Ordering::SeqCst));
        assert!(t0.try_recv().is_none(), "{implementation:?}: event 0 fired");
        assert!(c1.try_recv().is_err(), "{implementation:?}: event 1 fired");
        assert!(!t1.stop(), "{implementation:?}: stop returned true twice");
        assert!(!t0.stop(), "{implementation:?}: stop returned true twice");
    }
}

/// The deadlines, in units of Δ, of Go's `testAfterQueuing1`.
const SLOTS: [u32; 13] = [5, 3, 6, 6, 6, 1, 1, 2, 7, 9, 4, 8, 0];

/// One round of Go's `testAfterQueuing1`: thirteen timers at multiples of
/// `delta`, each awaited by its own thread, must be received in deadline
/// order. `Err` for an out-of-order arrival, which thread scheduling under
/// load can cause.
fn after_queuing_round(
    runtime: &Runtime,
    implementation: Impl,
    delta: Duration,
) -> Result<(), String> {
    let (results, arrivals) = mpsc::channel();
    let t0 = Instant::now();
    for slot in SLOTS {
        let timer = implementation.new_timer(runtime, delta * slot);
        let results = results.clone();
        thread::spawn(move || {
            let value = timer.recv_timeout(EVENTUALLY);
            let _ = results.send((slot, value));
        });
    }
    let mut order = Vec::new();
    for _ in SLOTS {
        let (slot, value) = arrivals.recv().unwrap();
        let value = value.unwrap_or_else(|| panic!("the timer of slot {slot} never fired"));
        // Never early: the channel timer sends its deadline, the function
        // timer the time its function ran, both at least `slot` Δ after t0.
        let target = delta * slot;
        let since = value.duration_since(t0);
        assert!(
            since >= target,
            "{implementation:?}: timer for {target:?} arrived at {since:?}"
        );
        order.push(slot);
    }
    if order.is_sorted() {
        Ok(())
    } else {
        Err(format!("timers arrived out of order: {order:?}"))
    }
}

/// `TestAfterQueuing` (`impl=chan` and `impl=func`): timers fire in deadline
/// order. Go's five attempts with a growing Δ (20, 70, 120, ... ms) are kept.
fn test_after_queuing(backend: Backend) {
    let runtime = real_runtime(backend);
    for implementation in [Impl::Chan, Impl::Func] {
        let mut errors = Vec::new();
        for attempt in 0..5 {
            let delta = Duration::from_millis(20 + attempt * 50);
            match after_queuing_round(&runtime, implementation, delta) {
                Ok(()) => break,
                Err(error) => errors.push(error),
            }
        }
        assert!(errors.len() < 5, "{implementation:?}: {errors:?}");
    }
}

/// `TestTimerStopStress`: many threads each arm an `after_func` and stop it
/// well before it is due; none may run. Scaled from Go's 100 goroutines
/// with 2 s timers stopped after 1 s, to 50 threads with 1 s timers stopped
/// after 250 ms.
fn test_timer_stop_stress(backend: Backend) {
    let runtime = real_runtime(backend);
    let ran = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..50)
        .map(|_| {
            let (runtime, ran) = (runtime.clone(), ran.clone());
            thread::spawn(move || {
                let timer = runtime.after_func(Duration::from_secs(1), move || {
                    ran.fetch_add(1, Ordering::SeqCst);
                });
                runtime.sleep(Duration::from_millis(250));
                timer.stop()
            })
        })
        .collect();
    let stopped = threads
        .into_iter()
        .map(|thread| thread.join().unwrap())
        .filter(|&stopped| stopped)
        .count();
    runtime.sleep(Duration::from_millis(1500));
    assert_eq!(ran.load(Ordering::SeqCst), 0, "a stopped timer ran");
    assert_eq!(stopped, 50, "a stop of a pending timer returned false");
}

/// `TestSleepZeroDeadlock`: `sleep(0)` returns at once, again and again,
/// while another thread keeps the runtime and the allocator busy (Go's
/// goroutine runs the GC).
fn test_sleep_zero_deadlock(backend: Backend) {
    let runtime = real_runtime(backend);
    let busy = {
        let runtime = runtime.clone();
        thread::spawn(move || {
            for _ in 0..100 {
                std::hint::black_box(vec![0u8; 1 << 16]);
                drop(runtime.new_timer(Duration::from_millis(1)));
            }
        })
    };
    for _ in 0..100 {
        runtime.sleep(Duration::ZERO);
        let (sender, receiver) = mpsc::sync_channel(1);
        sender.send(true).unwrap();
        assert!(receiver.recv().unwrap());
    }
    busy.join().unwrap();

    let runtime = manual_runtime(backend);
    for _ in 0..100 {
        runtime.sleep(Duration::ZERO);
    }
    assert_eq!(runtime.elapsed(), Duration::ZERO);
}

/// Go's `testReset` with unit `d`.
fn reset_round(runtime: &Runtime, d: Duration) -> Result<(), &'static str> {
    let t0 = runtime.new_timer(2 * d);
    runtime.sleep(d);
    if !t0.reset(3 * d) {
        return Err("resetting unfired timer returned false");
    }
    runtime.sleep(2 * d);
    if t0.receiver().try_recv().is_ok() {
        return Err("timer fired early");
    }
    runtime.sleep(2 * d);
    if t0.receiver().try_recv().is_err() {
        return Err("reset timer did not fire");
    }
    if t0.reset(Duration::from_millis(50)) {
        return Err("resetting expired timer returned true");
    }
    Ok(())
}

/// `TestReset`: resetting a pending timer returns true and moves it; the
/// reset timer fires at its new time, and resetting a fired and received
/// timer returns false. On a real clock Go doubles the unit from 1 ms until
/// a round passes (load can make a sleep overshoot); the port stops
/// doubling after 1 s. On a manual clock one round is exact.
fn test_reset(backend: Backend) {
    let runtime = real_runtime(backend);
    let mut d = Duration::from_millis(1);
    while let Err(error) = reset_round(&runtime, d) {
        d *= 2;
        assert!(d <= Duration::from_secs(1), "{error}");
    }

    let runtime = manual_runtime(backend);
    let d = Duration::from_millis(1);
    reset_round(&runtime, d).unwrap();
    let base = runtime.elapsed();
    let t0 = runtime.new_timer(2 * d);
    runtime.sleep(d);
    assert!(t0.reset(3 * d));
    runtime.sleep(3 * d - Duration::from_nanos(1));
    assert!(t0.receiver().try_recv().is_err(), "timer fired early");
    runtime.sleep(Duration::from_nanos(1));
    let fired_at = t0.receiver().try_recv().expect("reset timer did not fire");
    assert_eq!(
        at(&runtime, fired_at),
        base + 4 * d,
        "not the reset deadline"
    );
}

/// `TestOverflowSleep`: a duration so long that its deadline overflows
/// neither returns early nor fires, nor stops other timers from firing.
/// Go's second half sleeps for the most negative duration; Rust durations
/// cannot be negative, so the nearest case, zero, must return at once and
/// fire at once.
fn test_overflow_sleep(backend: Backend) {
    const BIG: Duration = Duration::from_nanos(i64::MAX as u64);
    let runtime = real_runtime(backend);
    let big_sleep_returned = Arc::new(AtomicBool::new(false));
    {
        // Sleeps forever: the thread and its runtime live until the test
        // process exits.
        let (runtime, returned) = (runtime.clone(), big_sleep_returned.clone());
        thread::spawn(move || {
            runtime.sleep(BIG);
            returned.store(true, Ordering::SeqCst);
        });
    }
    for big in [BIG, Duration::MAX] {
        let big_timeout = runtime.after(big);
        runtime
            .after(Duration::from_millis(25))
            .recv_timeout(EVENTUALLY)
            .expect("after(25ms) never fired beside an overflowing timer");
        assert!(big_timeout.try_recv().is_err(), "big timeout fired");
    }
    runtime.sleep(Duration::ZERO);
    runtime
        .after(Duration::ZERO)
        .recv_timeout(EVENTUALLY)
        .expect("zero timeout didn't fire");
    assert!(
        !big_sleep_returned.load(Ordering::SeqCst),
        "big sleep returned"
    );

    // On a manual clock: a century passes and the overflowing timers still
    // have not fired, while a short one fires exactly on time.
    let runtime = manual_runtime(backend);
    let big_timers = [runtime.new_timer(BIG), runtime.new_timer(Duration::MAX)];
    let short = runtime.after(Duration::from_millis(25));
    runtime.advance(Duration::from_secs(100 * 365 * 24 * 3600));
    let fired_at = short.try_recv().expect("short timer did not fire");
    assert_eq!(at(&runtime, fired_at), Duration::from_millis(25));
    for timer in &big_timers {
        assert!(timer.receiver().try_recv().is_err(), "big timeout fired");
        assert!(timer.stop(), "an overflowing timer is still pending");
    }
}

/// `TestIssue5745`: Go's test panics while a timer operation is under way
/// and checks that a ticker can still be stopped afterwards (a lock was
/// left held). A nil timer cannot exist in Rust; the nearest failure is a
/// callback that panics after operating on timers. The runtime reports it
/// through the panic hook, keeps firing other timers, and every timer can
/// still be stopped and reset.
fn test_issue5745(backend: Backend) {
    for manual in [false, true] {
        let reported = Arc::new(Mutex::new(Vec::new()));
        let log = reported.clone();
        let mut builder =
            Runtime::builder()
                .backend(backend)
                .panic_hook(move |panic: &CallbackPanic| {
                    log.lock().unwrap().push(panic.message().to_owned());
                });
        if manual {
            builder = builder.manual_clock();
        }
        let runtime = builder.build();
        let ticker = runtime.new_ticker(HOUR);
        let victim = Arc::new(runtime.new_timer(HOUR));
        let touched = victim.clone();
        let _panicking = runtime.after_func(Duration::ZERO, move || {
            touched.reset(2 * HOUR);
            panic!("issue 5745: a callback panicked after resetting a timer");
        });
        runtime.after_func(Duration::from_millis(1), || {
            std::panic::panic_any(5745_u32);
        });
        let (sender, later) = mpsc::sync_channel(1);
        runtime.after_func(Duration::from_millis(2), move || {
            let _ = sender.try_send(());
        });
        if manual {
            runtime.advance(Duration::from_millis(2));
        }
        later
            .recv_timeout(EVENTUALLY)
            .expect("a timer due after the panicking callbacks never ran");
        ticker.stop();
        assert!(victim.stop(), "the timer the callback reset is pending");
        assert_eq!(
            *reported.lock().unwrap(),
            vec![
                "issue 5745: a callback panicked after resetting a timer".to_owned(),
                "a panic payload that is not a string".to_owned(),
            ]
        );
        // The runtime still works.
        ticker.reset(Duration::from_millis(1));
        let tick = ticker.receiver().recv_timeout(EVENTUALLY);
        assert!(tick.is_some(), "the ticker no longer ticks");
        ticker.stop();
    }
}

/// The runtime-layer half of `TestOverflowPeriodRuntimeTimer` (Go's
/// `CheckRuntimeTimerPeriodOverflow`): a timer due now with the largest
/// period fires once and re-arms at the saturated far future, staying
/// pending and never firing again, while a timer due 25 ms later fires.
fn overflow_period_on<S: TimerSet>(set: S) {
    let clock = ManualClock::new(1);
    let huge_runs = Arc::new(AtomicUsize::new(0));
    let short_runs = Arc::new(AtomicUsize::new(0));
    let count = huge_runs.clone();
    let huge = set.new_timer(callback(move |_, _| {
        count.fetch_add(1, Ordering::SeqCst);
    }));
    let count = short_runs.clone();
    let short = set.new_timer(callback(move |_, _| {
        count.fetch_add(1, Ordering::SeqCst);
    }));
    let now = clock.now();
    set.modify(&huge, now, i64::MAX, None, 0);
    set.modify(&short, now + 25_000_000, 0, None, 0);
    clock.run_until(&set, now + 25_000_000);
    assert_eq!(huge_runs.load(Ordering::SeqCst), 1);
    assert_eq!(short_runs.load(Ordering::SeqCst), 1);
    clock.run_until(&set, MAX_WHEN - 1);
    assert_eq!(huge_runs.load(Ordering::SeqCst), 1, "fired twice");
    set.verify();
    assert!(set.stop(&huge), "parked at the far future: still pending");
}

/// `TestOverflowPeriodRuntimeTimer`: a periodic timer whose next deadline
/// overflows does not break the timer set. On the runtime layer exactly as
/// Go (a timer due now with period `i64::MAX`); on the time-package layer,
/// tickers with overflowing periods, on both clocks.
fn test_overflow_period_runtime_timer(backend: Backend) {
    match backend {
        Backend::Wheel => overflow_period_on(TimingWheel::default()),
        Backend::Heap => overflow_period_on(HeapTimerSet::default()),
        other => unreachable!("no runtime-layer set for {other}"),
    }

    // A ticker whose second tick would be past the end of time.
    let runtime = manual_runtime(backend);
    let period = Duration::from_nanos(1 << 62);
    let ticker = runtime.new_ticker(period);
    runtime.advance(period);
    let tick = ticker.receiver().try_recv().expect("first tick");
    assert_eq!(at(&runtime, tick), period);
    let short = runtime.after(Duration::from_millis(25));
    runtime.advance(Duration::from_millis(25));
    assert!(short.try_recv().is_ok(), "a short timer did not fire");
    runtime.advance(period - Duration::from_secs(1));
    assert!(ticker.receiver().try_recv().is_err(), "second tick fired");
    ticker.stop();

    // On a real clock, tickers with overflowing periods leave other timers
    // firing (Go's smoke test: `<-After(25 * Millisecond)`).
    let runtime = real_runtime(backend);
    let _tickers = [
        runtime.new_ticker(Duration::from_nanos(i64::MAX as u64)),
        runtime.new_ticker(Duration::MAX),
    ];
    runtime
        .after(Duration::from_millis(25))
        .recv_timeout(EVENTUALLY)
        .expect("after(25ms) never fired");
}

/// `TestZeroTimer` (`impl=chan`, `impl=func`, `impl=cache`): a zero-duration
/// timer always fires. Scaled from Go's 1,000,000 rounds to 1,000; Go's
/// 2 s bound becomes [`EVENTUALLY`].
fn test_zero_timer(backend: Backend) {
    const ROUNDS: usize = 1000;
    let runtime = real_runtime(backend);
    for implementation in [Impl::Chan, Impl::Func] {
        for i in 0..ROUNDS {
            let timer = implementation.new_timer(&runtime, Duration::ZERO);
            assert!(
                timer.recv_timeout(EVENTUALLY).is_some(),
                "{implementation:?}: zero timer {i} never fired"
            );
        }
    }
    // impl=cache: one function timer reset to zero again and again.
    let timer = Impl::Func.new_timer(&runtime, HOUR);
    for i in 0..ROUNDS {
        timer.reset(Duration::ZERO);
        assert!(
            timer.recv_timeout(EVENTUALLY).is_some(),
            "cached: zero timer {i} never fired"
        );
    }
}

/// `TestTimerModifiedEarlier`: a timer moved earlier again and again (to
/// the past in Go, to zero here) still fires. Go uses a function timer;
/// the port runs the channel timer too. Scaled from 1000 rounds to 200.
fn test_timer_modified_earlier(backend: Backend) {
    const ROUNDS: usize = 200;
    let runtime = real_runtime(backend);
    for implementation in [Impl::Func, Impl::Chan] {
        for i in 0..ROUNDS {
            let timer = implementation.new_timer(&runtime, HOUR);
            for j in 0..10 {
                if !timer.stop() {
                    timer.recv_timeout(EVENTUALLY).unwrap_or_else(|| {
                        panic!("{implementation:?} {i}.{j}: stop false, yet no value")
                    });
                }
                timer.reset(Duration::ZERO);
            }
            assert!(
                timer.recv_timeout(EVENTUALLY).is_some(),
                "{implementation:?} {i}: a timer moved earlier never fired"
            );
        }
    }
}

/// `TestAdjustTimers`: 100 timers, each walked through Go's sequence (fire
/// at once, be reset to minutes away and stopped three times, then fire at
/// once again) in a random interleaving; no firing may be lost. Go's
/// 750 ms bound on the last firing becomes [`EVENTUALLY`]. Go uses the
/// function timer; the port runs the channel timer too.
fn test_adjust_timers(backend: Backend) {
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let runtime = real_runtime(backend);
    for implementation in [Impl::Func, Impl::Chan] {
        let mut rng = Rng::with_seed(seed);
        let context = format!("{implementation:?}, seed {seed}");
        let mut timers: Vec<Option<Box<dyn GoTimer>>> = (0..100).map(|_| None).collect();
        let mut states = vec![0; timers.len()];
        let mut indices: Vec<usize> = (0..timers.len()).collect();
        rng.shuffle(&mut indices);
        while !indices.is_empty() {
            let ii = rng.usize(..indices.len());
            let i = indices[ii];
            let state = states[i];
            states[i] += 1;
            if state == 0 {
                timers[i] = Some(implementation.new_timer(&runtime, Duration::ZERO));
                continue;
            }
            let timer = timers[i].as_ref().unwrap();
            match state {
                1 | 9 => assert!(
                    timer.recv_timeout(EVENTUALLY).is_some(),
                    "{context}: timer {i} state {state}: never fired"
                ),
                2 | 4 | 6 => {
                    let minutes = [1, 3, 2][(state - 2) / 2];
                    assert!(
                        !timer.reset(Duration::from_secs(60 * minutes)),
                        "{context}: timer {i} state {state}: shouldn't be active"
                    );
                }
                3 | 5 | 7 => {
                    if !timer.stop() {
                        // Go only logs this and drains; a timer minutes
                        // away is always pending, so it is a failure here.
                        panic!("{context}: timer {i} state {state}: stop returned false");
                    }
                }
                8 => assert!(
                    !timer.reset(Duration::ZERO),
                    "{context}: timer {i}: reset returned true"
                ),
                _ => {
                    indices.swap_remove(ii);
                }
            }
        }
    }
}

/// Go's `testStopResetResult` for synchronous timer channels (Go 1.23+,
/// `asynctimerchan=0`), scaled from 1000 goroutines × 100 rounds to
/// 8 threads × 200: two 1 ms timers race; whichever is received first, the
/// other is stopped (or reset to an hour) while it may be firing. Go checks
/// that a false result means a value can be received; with synchronous
/// channels the other timer's value was never received, so the result must
/// be true, and no value may be received afterwards.
fn stop_reset_result(backend: Backend, test_stop: bool) {
    const THREADS: usize = 8;
    const ROUNDS: usize = 200;
    let runtime = real_runtime(backend);
    let start = Barrier::new(THREADS);
    let operation = if test_stop { "stop" } else { "reset" };
    thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                start.wait();
                for round in 0..ROUNDS {
                    let timer1 = runtime.new_timer(Duration::from_millis(1));
                    let timer2 = runtime.new_timer(Duration::from_millis(1));
                    let other = match select2(timer1.receiver(), timer2.receiver()) {
                        Selected::First(_) => &timer2,
                        Selected::Second(_) => &timer1,
                    };
                    let pending = if test_stop {
                        other.stop()
                    } else {
                        other.reset(HOUR)
                    };
                    if !pending {
                        assert!(
                            other.receiver().recv_timeout(EVENTUALLY).is_some(),
                            "round {round}: {operation} returned false and no value came"
                        );
                    }
                    assert!(
                        pending,
                        "round {round}: {operation} of a timer whose value was never \
                         received returned false"
                    );
                    assert!(
                        other.receiver().try_recv().is_err(),
                        "round {round}: a stale value after {operation}"
                    );
                }
            });
        }
    });
}

/// `TestStopResult` (synchronous channels).
fn test_stop_result(backend: Backend) {
    stop_reset_result(backend, true);
}

/// `TestResetResult` (synchronous channels).
fn test_reset_result(backend: Backend) {
    stop_reset_result(backend, false);
}

/// Threads for the multi-wakeup tests: Go uses GOMAXPROCS goroutines.
fn wakeup_threads() -> usize {
    thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

/// `TestMultiWakeupTicker`: several threads wait on one 1 µs ticker at
/// once, each with a 1 ms timeout (Go's `select` with `After(1ms)`),
/// scaled from 100,000 rounds each to 2,000. Each tick goes to one thread.
fn test_multi_wakeup_ticker(backend: Backend) {
    const ROUNDS: usize = 2000;
    let runtime = real_runtime(backend);
    let ticker = runtime.new_ticker(Duration::from_micros(1));
    let ticks: Vec<Instant> = thread::scope(|scope| {
        let threads: Vec<_> = (0..wakeup_threads())
            .map(|_| {
                scope.spawn(|| {
                    (0..ROUNDS)
                        .filter_map(|_| ticker.receiver().recv_timeout(Duration::from_millis(1)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|thread| thread.join().unwrap())
            .collect()
    });
    ticker.stop();
    assert!(!ticks.is_empty(), "no tick in all those rounds");
    let mut distinct = ticks.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), ticks.len(), "a tick was received twice");
}

/// `TestMultiWakeupTimer`: several threads poll and reset one 1 ns timer at
/// once, scaled from 10,000 rounds each to 2,000. Afterwards the timer
/// still works.
fn test_multi_wakeup_timer(backend: Backend) {
    const ROUNDS: usize = 2000;
    let runtime = real_runtime(backend);
    let timer = runtime.new_timer(Duration::from_nanos(1));
    thread::scope(|scope| {
        for _ in 0..wakeup_threads() {
            scope.spawn(|| {
                for _ in 0..ROUNDS {
                    let _ = timer.receiver().try_recv();
                    timer.reset(Duration::from_nanos(1));
                }
            });
        }
    });
    timer.stop();
    assert!(timer.receiver().try_recv().is_err(), "a value after stop");
    timer.reset(Duration::from_millis(1));
    assert!(
        timer.receiver().recv_timeout(EVENTUALLY).is_some(),
        "the timer no longer fires"
    );
    assert!(!timer.stop(), "fired and received: nothing to stop");
}
