//! Go's `time/tick_test.go`, rewritten for gowheel's time-package layer
//! and run on both backends (`wheel::test_*` and `heap::test_*`).
//!
//! As in `go_sleep_test.rs`: real-clock ports assert only "not early" and
//! "happens eventually"; manual-clock versions pin exact answers; stress
//! loops are scaled down. `TestChan` is ported for Go 1.23+ synchronous
//! timer channels only (`asynctimerchan=0`). See `compat-tests/README.md`
//! for the full table of Go tests.
//!
//! One concept, however long: this file is the port of one Go test file,
//! test for test in Go's order, so that it can be read side by side with
//! Go's.

mod go_common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use gowheel::{Backend, NonPositiveInterval, Receiver, Runtime, Ticker, Timer};
use gowheel_compat_tests::panics::expect_panic;

use go_common::{EVENTUALLY, HOUR, at, manual_runtime, on_both_backends, real_runtime};

on_both_backends!(
    test_ticker,
    test_manual_ticker,
    test_teardown,
    test_tick,
    test_new_ticker_lt_zero_duration,
    test_ticker_reset_lt_zero_duration,
    test_long_adjust_timers,
    test_timer_gc,
    test_chan,
    test_chan_manual_clock,
    test_after_times,
    test_tick_times,
);

const MS: Duration = Duration::from_millis(1);

/// `TestTicker`: `count/2` ticks at Δ, a reset to 2Δ, `count/2` more ticks,
/// then a stop after which no tick comes. On a real clock (Go's first
/// configuration, 10 ticks of 20 ms) the ticks take no less than Go's lower
/// bound, and every tick stands for a period boundary: ticks before the
/// reset lie a multiple of Δ apart, ticks after it a multiple of 2Δ. Go's
/// upper bound, and the retry with 1 s ticks that exists for it, are not
/// kept: this suite asserts no speed. On a manual clock every tick is
/// exact.
fn test_ticker(backend: Backend) {
    const COUNT: u32 = 10;
    const DELTA: Duration = Duration::from_millis(20);
    let runtime = real_runtime(backend);
    let ticker = runtime.new_ticker(DELTA);
    let t0 = Instant::now();
    let recv = || {
        ticker
            .receiver()
            .recv_timeout(EVENTUALLY)
            .expect("a tick never came")
    };
    let before: Vec<Instant> = (0..COUNT / 2).map(|_| recv()).collect();
    ticker.reset(DELTA * 2);
    let after: Vec<Instant> = (0..COUNT - COUNT / 2).map(|_| recv()).collect();
    ticker.stop();
    let dt = t0.elapsed();
    let target = 3 * DELTA * (COUNT / 2);
    let slop = target * 3 / 10;
    assert!(
        dt >= target - slop,
        "{} {DELTA:?} ticks then {} {:?} ticks took only {dt:?}",
        COUNT / 2,
        COUNT / 2,
        DELTA * 2
    );
    for (ticks, period) in [(&before, DELTA), (&after, DELTA * 2)] {
        for pair in ticks.windows(2) {
            let apart = pair[1] - pair[0];
            assert!(
                !apart.is_zero() && apart.as_nanos() % period.as_nanos() == 0,
                "ticks {apart:?} apart, not a multiple of {period:?}"
            );
        }
    }
    runtime.sleep(2 * DELTA);
    assert!(
        ticker.receiver().try_recv().is_err(),
        "Ticker did not shut down"
    );

    let runtime = manual_runtime(backend);
    let ticker = runtime.new_ticker(DELTA);
    let ticks = |count| -> Vec<Duration> {
        (0..count)
            .map(|_| at(&runtime, ticker.receiver().recv()))
            .collect()
    };
    assert_eq!(ticks(5), [20, 40, 60, 80, 100].map(|ms| ms * MS));
    ticker.reset(DELTA * 2);
    assert_eq!(ticks(5), [140, 180, 220, 260, 300].map(|ms| ms * MS));
    ticker.stop();
    runtime.sleep(2 * DELTA);
    assert!(ticker.receiver().try_recv().is_err());
}

/// `TestManualTicker` and `TestTickerStopWithDirectInitialization` (Go
/// issue 21874): stopping a `Ticker` that no `NewTicker` started must not
/// crash. A gowheel `Ticker` cannot be built by hand; the nearest cases are
/// tickers stopped in every state, and a ticker that outlives its runtime:
/// stopping and resetting it must not crash, and it never ticks.
fn test_manual_ticker(backend: Backend) {
    let runtime = manual_runtime(backend);
    let ticker = runtime.new_ticker(HOUR);
    ticker.stop();
    ticker.stop();
    runtime.advance(2 * HOUR);
    assert!(ticker.receiver().try_recv().is_err());
    ticker.reset(HOUR);
    runtime.advance(HOUR);
    ticker.stop();
    ticker.stop();
    assert!(ticker.receiver().try_recv().is_err());

    let runtime = real_runtime(backend);
    let ticker = runtime.new_ticker(HOUR);
    let receiver = runtime.tick(HOUR);
    drop(runtime);
    ticker.stop();
    ticker.reset(MS);
    thread::sleep(20 * MS);
    assert!(
        ticker.receiver().try_recv().is_err(),
        "ticked without a runtime"
    );
    assert!(receiver.try_recv().is_err(), "ticked without a runtime");
    ticker.stop();
}

/// `TestTeardown`: a ticker can be received from and stopped, three times
/// over, without deadlock (Go's short-mode Δ of 20 ms).
fn test_teardown(backend: Backend) {
    let runtime = real_runtime(backend);
    for _ in 0..3 {
        let ticker = runtime.new_ticker(20 * MS);
        ticker
            .receiver()
            .recv_timeout(EVENTUALLY)
            .expect("a tick never came");
        ticker.stop();
    }
}

/// `TestTick`: Go's `Tick(-1)` returns a nil channel. Rust durations cannot
/// be negative; a zero period is refused with a clear error instead (a nil
/// channel would block forever).
fn test_tick(backend: Backend) {
    let runtime = manual_runtime(backend);
    assert_eq!(
        runtime.try_tick(Duration::ZERO).err(),
        Some(NonPositiveInterval)
    );
    let message = expect_panic(|| runtime.tick(Duration::ZERO));
    assert!(message.contains("non-positive interval"), "{message}");
    assert!(runtime.try_tick(Duration::from_nanos(1)).is_ok());
}

/// `TestNewTickerLtZeroDuration`: a ticker with a non-positive period
/// panics (zero here: Rust durations cannot be negative), or is an error
/// through the fallible constructor.
fn test_new_ticker_lt_zero_duration(backend: Backend) {
    let runtime = manual_runtime(backend);
    let message = expect_panic(|| runtime.new_ticker(Duration::ZERO));
    assert!(message.contains("non-positive interval"), "{message}");
    assert_eq!(
        runtime.try_new_ticker(Duration::ZERO).err(),
        Some(NonPositiveInterval)
    );
    assert_eq!(runtime.stats().filed, 0, "a refused ticker was filed");
}

/// `TestTickerResetLtZeroDuration`: `Ticker::reset(0)` panics, leaving the
/// ticker as it was; `try_reset(0)` is an error.
fn test_ticker_reset_lt_zero_duration(backend: Backend) {
    let runtime = manual_runtime(backend);
    let ticker = runtime.new_ticker(Duration::from_secs(1));
    let message = expect_panic(|| ticker.reset(Duration::ZERO));
    assert!(message.contains("non-positive interval"), "{message}");
    assert_eq!(ticker.try_reset(Duration::ZERO), Err(NonPositiveInterval));
    let ticks: Vec<Duration> = (0..2)
        .map(|_| at(&runtime, ticker.receiver().recv()))
        .collect();
    assert_eq!(ticks, [Duration::from_secs(1), Duration::from_secs(2)]);
}

/// `TestLongAdjustTimers`: with many timers filed and a constant stream of
/// short-lived timers abandoned unfired (Go's `select` with `After(5s)` on
/// every receive of a ping-pong through a queue goroutine), the runtime
/// keeps up; Go gives the whole loop 60 s. Scaled from 5000 sleepers and
/// 50,000 × 20 receives to 2000 and 500 × 20. The port also checks that the
/// 10,000 abandoned timers do not pile up in the timer set.
fn test_long_adjust_timers(backend: Backend) {
    const COUNT: usize = 2000;
    const ROUNDS: usize = 500;
    const TRY: usize = 20;
    let runtime = real_runtime(backend);

    // Build up the timer set: many short sleepers at once, and short
    // sleeps one after the other.
    let sleepers: Vec<Receiver> = (0..COUNT)
        .map(|_| runtime.after(Duration::from_micros(10)))
        .collect();
    for _ in 0..COUNT {
        runtime.sleep(Duration::from_micros(1));
    }
    for sleeper in &sleepers {
        sleeper
            .recv_timeout(EVENTUALLY)
            .expect("a sleeper never woke");
    }

    let done = Arc::new(AtomicBool::new(false));
    let flag = done.clone();
    let budget = runtime.after_func(Duration::from_secs(60), move || {
        flag.store(true, Ordering::SeqCst);
    });

    // The queuing thread: forwards work from `in_q` to `out_q` in order.
    let (in_q, queued) = mpsc::channel::<Box<dyn FnOnce() + Send>>();
    let (forward, out_q) = mpsc::channel();
    let queue = thread::spawn(move || {
        for work in queued {
            if forward.send(work).is_err() {
                return;
            }
        }
    });

    for round in 0..ROUNDS {
        for _ in 0..TRY {
            in_q.send(Box::new(|| {})).unwrap();
        }
        for _ in 0..TRY {
            // select { case <-outQ: case <-After(5 * Second): case <-done: }
            let timeout = runtime.after(Duration::from_secs(5));
            loop {
                match out_q.try_recv() {
                    Ok(work) => {
                        work();
                        break;
                    }
                    Err(mpsc::TryRecvError::Disconnected) => panic!("output channel is closed"),
                    Err(mpsc::TryRecvError::Empty) => {}
                }
                assert!(
                    timeout.try_recv().is_err(),
                    "failed to read work, round {round}"
                );
                assert!(!done.load(Ordering::SeqCst), "timer expired");
                thread::yield_now();
            }
        }
    }
    drop(in_q);
    queue.join().unwrap();
    assert!(budget.stop(), "the 60 s budget timer already ran");
    let stats = runtime.stats();
    assert!(
        stats.filed < 1000,
        "{} abandoned timers piled up: {stats}",
        ROUNDS * TRY
    );
}

/// Creates `N` timers or tickers one way and drops them, then checks that
/// the timer set does not keep them: Go's `TestTimerGC` counts allocations
/// that survive collection; a gowheel runtime counts what its timer set
/// holds. Right after the drops, at most a small fraction is still filed
/// (reclaimed lazily); once time passes their old deadlines, nothing is.
fn dropped_timers_are_reclaimed(backend: Backend, what: &str, make: fn(&Runtime)) {
    const N: usize = 2000;
    let runtime = manual_runtime(backend);
    for _ in 0..N {
        make(&runtime);
    }
    let stats = runtime.stats();
    assert!(
        stats.filed <= N / 10,
        "{what}: {N} dropped timers were not collected: {stats}"
    );
    runtime.advance(2 * HOUR);
    let stats = runtime.stats();
    assert_eq!(
        (stats.filed, stats.zombies),
        (0, 0),
        "{what}: left in the set after their deadlines passed: {stats}"
    );
    runtime.verify();
}

/// Counts drops of a value captured by a callback.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// `TestTimerGC`, as drop semantics: a channel timer or ticker whose handle
/// and receivers are all dropped is stopped and reclaimed (Go 1.23 collects
/// unreferenced timers) for each of Go's six cases; one still referenced is
/// kept; and an `after_func` whose handle is dropped is not cancelled (as
/// in Go), its function being freed once it has run.
fn test_timer_gc(backend: Backend) {
    dropped_timers_are_reclaimed(backend, "After", |runtime| {
        drop(runtime.after(HOUR));
    });
    dropped_timers_are_reclaimed(backend, "Tick", |runtime| {
        drop(runtime.tick(HOUR));
    });
    dropped_timers_are_reclaimed(backend, "NewTimer", |runtime| {
        drop(runtime.new_timer(HOUR));
    });
    dropped_timers_are_reclaimed(backend, "NewTicker", |runtime| {
        drop(runtime.new_ticker(HOUR));
    });
    dropped_timers_are_reclaimed(backend, "NewTimerStop", |runtime| {
        runtime.new_timer(HOUR).stop();
    });
    dropped_timers_are_reclaimed(backend, "NewTickerStop", |runtime| {
        runtime.new_ticker(HOUR).stop();
    });

    // Referenced timers and tickers are kept, and fire; dropped later, they
    // are reclaimed.
    let runtime = manual_runtime(backend);
    let timers: Vec<Timer> = (0..100).map(|_| runtime.new_timer(HOUR)).collect();
    let tickers: Vec<Ticker> = (0..100).map(|_| runtime.new_ticker(HOUR)).collect();
    let receivers: Vec<Receiver> = (0..100).map(|_| runtime.after(HOUR)).collect();
    assert_eq!(runtime.stats().filed, 300);
    runtime.advance(HOUR);
    assert!(
        timers
            .iter()
            .all(|timer| timer.receiver().try_recv().is_ok())
    );
    assert!(receivers.iter().all(|receiver| receiver.try_recv().is_ok()));
    assert!(
        tickers
            .iter()
            .all(|ticker| ticker.receiver().try_recv().is_ok())
    );
    assert_eq!(runtime.stats().filed, 100, "the tickers are still armed");
    drop((timers, tickers, receivers));
    runtime.advance(2 * HOUR);
    assert_eq!(runtime.stats().filed, 0, "{}", runtime.stats());

    // Dropping an after_func handle does not cancel it; once it has run, its
    // function (and what it holds) is freed.
    let runs = Arc::new(AtomicUsize::new(0));
    let freed = Arc::new(AtomicUsize::new(0));
    for _ in 0..100 {
        let (runs, held) = (runs.clone(), DropCounter(freed.clone()));
        drop(runtime.after_func(HOUR, move || {
            let _ = &held;
            runs.fetch_add(1, Ordering::SeqCst);
        }));
    }
    assert_eq!(runtime.stats().filed, 100, "dropped after_funcs are kept");
    runtime.advance(HOUR);
    assert_eq!(
        runs.load(Ordering::SeqCst),
        100,
        "a dropped after_func was cancelled"
    );
    assert_eq!(
        freed.load(Ordering::SeqCst),
        100,
        "functions not freed after running"
    );
    assert_eq!(runtime.stats().filed, 0);

    // A stopped after_func whose handle is dropped never runs, and its
    // function is freed by the time its deadline has passed.
    let (runs, freed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    for _ in 0..100 {
        let (runs, held) = (runs.clone(), DropCounter(freed.clone()));
        let timer = runtime.after_func(HOUR, move || {
            let _ = &held;
            runs.fetch_add(1, Ordering::SeqCst);
        });
        assert!(timer.stop());
    }
    runtime.advance(2 * HOUR);
    assert_eq!(runs.load(Ordering::SeqCst), 0, "a stopped after_func ran");
    assert_eq!(
        freed.load(Ordering::SeqCst),
        100,
        "stopped functions not freed"
    );
    assert_eq!(runtime.stats().filed, 0);
}

/// Go's `timer` interface of `testTimerChan`: a timer, or a ticker wrapped
/// to report a "pending" result as Go's `tickerTimer` does.
trait ChanTimer {
    fn stop(&mut self) -> bool;
    fn reset(&mut self, duration: Duration) -> bool;
    fn receiver(&self) -> Receiver;
    fn is_ticker(&self) -> bool;
}

impl ChanTimer for Timer {
    fn stop(&mut self) -> bool {
        Timer::stop(self)
    }

    fn reset(&mut self, duration: Duration) -> bool {
        Timer::reset(self, duration)
    }

    fn receiver(&self) -> Receiver {
        Timer::receiver(self).clone()
    }

    fn is_ticker(&self) -> bool {
        false
    }
}

/// Go's `tickerTimer`: "pending" means "not stopped".
struct TickerTimer {
    ticker: Ticker,
    stopped: bool,
}

impl ChanTimer for TickerTimer {
    fn stop(&mut self) -> bool {
        let pending = !self.stopped;
        self.stopped = true;
        self.ticker.stop();
        pending
    }

    fn reset(&mut self, duration: Duration) -> bool {
        let pending = !self.stopped;
        self.stopped = false;
        self.ticker.reset(duration);
        pending
    }

    fn receiver(&self) -> Receiver {
        self.ticker.receiver().clone()
    }

    fn is_ticker(&self) -> bool {
        true
    }
}

/// A thread waiting on a timer channel or a stop signal: Go's
/// `go func() { select { case <-C: ...; case <-stop: } ... }()`, polling.
/// Returns whether it received a value.
fn select_or_stop(c: Receiver, stop: Arc<AtomicBool>) -> thread::JoinHandle<bool> {
    thread::spawn(move || {
        loop {
            if c.recv_timeout(MS).is_some() {
                return true;
            }
            if stop.load(Ordering::SeqCst) {
                return false;
            }
        }
    })
}

/// Go's `testTimerChan` with synchronous channels, on a real clock.
fn timer_chan(runtime: &Runtime, tim: &mut dyn ChanTimer) {
    const SCHED: Duration = Duration::from_millis(10);
    const TRIES: usize = 100;
    let c = tim.receiver();
    let is_ticker = tim.is_ticker();
    let kind = if is_ticker { "ticker" } else { "timer" };
    let ns = Duration::from_nanos(1);
    let sleep = |duration| runtime.sleep(duration);
    let no_tick = |step: &str| {
        assert!(c.try_recv().is_err(), "{kind}, {step}: extra tick");
    };
    let assert_tick = |step: &str| {
        if c.try_recv().is_ok() {
            return;
        }
        for _ in 0..TRIES {
            sleep(SCHED);
            if c.try_recv().is_ok() {
                return;
            }
        }
        panic!("{kind}, {step}: missing tick");
    };
    let not_done = |done: &AtomicBool, step: &str| {
        assert!(!done.load(Ordering::SeqCst), "{kind}, {step}: early done");
    };
    let wait_done = |done: &dyn Fn() -> bool, step: &str| {
        for _ in 0..TRIES {
            sleep(SCHED);
            if done() {
                return;
            }
        }
        panic!("{kind}, {step}: never got done");
    };

    // Simple stop; reset of a stopped timer.
    tim.stop();
    no_tick("stop");
    tim.reset(10_000 * SCHED);
    no_tick("reset far");

    // An imminent reset delivers a tick.
    tim.reset(ns);
    sleep(SCHED);
    assert_tick("reset 1ns");

    // A reset after a tick would have come leaves no stale tick behind.
    sleep(SCHED);
    tim.reset(10_000 * SCHED);
    no_tick("reset far after a tick was due");

    // Stop and reset while a thread is blocked on the channel.
    tim.reset(10_000 * SCHED);
    let done = Arc::new(AtomicBool::new(false));
    not_done(&done, "before the receiver");
    let blocked = {
        let (c, done) = (c.clone(), done.clone());
        thread::spawn(move || {
            c.recv();
            done.store(true, Ordering::SeqCst);
        })
    };
    sleep(SCHED);
    not_done(&done, "receiver blocked");
    tim.reset(20_000 * SCHED);
    sleep(SCHED);
    not_done(&done, "reset far while a receiver is blocked");
    tim.reset(ns);
    wait_done(&|| done.load(Ordering::SeqCst), "imminent reset");
    blocked.join().unwrap();
    // A 1 ns ticker has ticked again by now; a timer has not.
    if is_ticker {
        assert_tick("second tick of a 1ns ticker");
    } else {
        no_tick("a timer fires once");
    }
    tim.stop();
    no_tick("stop");

    // Again, with two threads each waiting on the channel or a stop signal.
    tim.reset(10_000 * SCHED);
    let stop = Arc::new(AtomicBool::new(false));
    let waiters = [
        select_or_stop(c.clone(), stop.clone()),
        select_or_stop(c.clone(), stop.clone()),
    ];
    sleep(SCHED);
    assert!(
        waiters.iter().all(|waiter| !waiter.is_finished()),
        "{kind}: early done with two waiters"
    );
    tim.reset(SCHED / 2);
    sleep(SCHED);
    wait_done(
        &|| waiters.iter().any(|waiter| waiter.is_finished()),
        "two waiters",
    );
    tim.stop();
    stop.store(true, Ordering::SeqCst);
    wait_done(
        &|| waiters.iter().all(|waiter| waiter.is_finished()),
        "two waiters stopped",
    );
    let received = waiters
        .into_iter()
        .map(|waiter| waiter.join().unwrap())
        .filter(|&received| received)
        .count();
    // A timer delivers once; a 5 ms ticker may have reached both waiters.
    if is_ticker {
        assert!(received >= 1, "{kind}: no waiter received");
    } else {
        assert_eq!(received, 1, "{kind}: values received by two waiters");
    }
    no_tick("after stop with two waiters");

    // Threads waiting on a stopped timer's channel receive nothing.
    let stop = Arc::new(AtomicBool::new(false));
    let waiters = [
        select_or_stop(c.clone(), stop.clone()),
        select_or_stop(c.clone(), stop.clone()),
    ];
    sleep(SCHED);
    stop.store(true, Ordering::SeqCst);
    for waiter in waiters {
        assert!(!waiter.join().unwrap(), "{kind}: unexpected data");
    }

    // Stop and Reset block old values from being received (go.dev/issue/37196).
    tim.reset(ns);
    sleep(SCHED);
    assert!(tim.stop(), "{kind}: stop after an unreceived tick = false");
    no_tick("stop discards the unreceived tick");
    tim.reset(HOUR);
    no_tick("reset to an hour");
    assert!(tim.reset(ns), "{kind}: reset of a pending timer = false");
    assert_tick("reset 1ns again");
    sleep(SCHED);
    if is_ticker {
        assert_tick("1ns ticker keeps ticking");
        sleep(SCHED);
    } else {
        no_tick("a received timer does not fire again");
    }
    assert_eq!(
        tim.reset(HOUR),
        is_ticker,
        "{kind}: reset after the value was received"
    );
    no_tick("reset discards the unreceived tick");
}

/// `TestChan` (`asynctimerchan=0`, the Go 1.23+ default; the asynchronous
/// modes do not exist here): on a real clock, a timer and a ticker stopped
/// and reset in every state, with and without threads blocked on the
/// channel, never deliver a stale value, never lose a due one, and report
/// Go's results.
fn test_chan(backend: Backend) {
    let runtime = real_runtime(backend);
    let mut timer = runtime.new_timer(Duration::from_secs(10_000));
    timer_chan(&runtime, &mut timer);
    let mut ticker = TickerTimer {
        ticker: runtime.new_ticker(Duration::from_secs(10_000)),
        stopped: false,
    };
    timer_chan(&runtime, &mut ticker);
}

/// `TestChan`'s synchronous-channel semantics, exactly, on a manual clock:
/// one value, standing for its deadline; stop and reset report a pending
/// timer or a discarded value and leave no stale value; tickers drop ticks
/// and keep to their period boundaries; a ticker reset restarts its period.
fn test_chan_manual_clock(backend: Backend) {
    let runtime = manual_runtime(backend);
    let elapsed = || runtime.elapsed();

    // Timer: stop and reset results in every state.
    let timer = runtime.new_timer(Duration::from_secs(10_000));
    assert!(timer.receiver().try_recv().is_err());
    assert!(timer.stop(), "stop of a pending timer");
    assert!(!timer.stop(), "second stop");
    assert!(
        !timer.reset(Duration::from_secs(10_000)),
        "reset of a stopped timer"
    );
    assert!(timer.reset(MS), "reset of a pending timer");
    let deadline = elapsed() + MS;
    runtime.advance(10 * MS);
    assert_eq!(at(&runtime, timer.receiver().try_recv().unwrap()), deadline);
    assert!(timer.receiver().try_recv().is_err(), "one value only");
    assert!(!timer.stop(), "stop after the value was received");
    assert!(!timer.reset(MS), "reset after the value was received");

    // Fired, not received: stop discards the value and says so.
    runtime.advance(MS);
    assert!(timer.stop(), "stop discarding an unreceived value");
    assert!(
        timer.receiver().try_recv().is_err(),
        "stale value after stop"
    );
    runtime.advance(HOUR);
    assert!(timer.receiver().try_recv().is_err());

    // Fired, not received: reset discards it; the next value is the new
    // deadline, never the old one.
    timer.reset(MS);
    runtime.advance(MS);
    assert!(timer.reset(5 * MS), "reset discarding an unreceived value");
    let deadline = elapsed() + 5 * MS;
    assert!(
        timer.receiver().try_recv().is_err(),
        "stale value after reset"
    );
    runtime.advance(20 * MS);
    assert_eq!(at(&runtime, timer.receiver().try_recv().unwrap()), deadline);

    // Moved earlier and later while pending: the value is the last deadline.
    timer.reset(HOUR);
    assert!(timer.reset(3 * MS));
    assert!(timer.reset(7 * MS));
    let deadline = elapsed() + 7 * MS;
    runtime.advance(6 * MS);
    assert!(
        timer.receiver().try_recv().is_err(),
        "fired at an old deadline"
    );
    assert_eq!(at(&runtime, timer.receiver().recv()), deadline);

    // Ticker: a full channel drops ticks; ticks stay on period boundaries.
    let start = elapsed();
    let ticker = runtime.new_ticker(10 * MS);
    runtime.advance(35 * MS);
    assert_eq!(
        at(&runtime, ticker.receiver().try_recv().unwrap()),
        start + 10 * MS
    );
    assert!(
        ticker.receiver().try_recv().is_err(),
        "ticks were not dropped"
    );
    runtime.advance(5 * MS);
    assert_eq!(
        at(&runtime, ticker.receiver().try_recv().unwrap()),
        start + 40 * MS
    );

    // Stop discards an unreceived tick; nothing comes after.
    runtime.advance(10 * MS);
    ticker.stop();
    assert!(
        ticker.receiver().try_recv().is_err(),
        "stale tick after stop"
    );
    runtime.advance(HOUR);
    assert!(ticker.receiver().try_recv().is_err(), "tick after stop");

    // Reset restarts the period from now, discarding an unreceived tick.
    ticker.reset(7 * MS);
    let base = elapsed();
    runtime.advance(7 * MS);
    ticker.reset(3 * MS);
    let base_after_reset = elapsed();
    assert!(
        ticker.receiver().try_recv().is_err(),
        "stale tick after reset"
    );
    let ticks: Vec<Duration> = (0..3)
        .map(|_| at(&runtime, ticker.receiver().recv()))
        .collect();
    assert_eq!(base_after_reset, base + 7 * MS);
    assert_eq!(
        ticks,
        [3, 6, 9].map(|ms| base_after_reset + ms * MS),
        "ticks after a reset"
    );
    ticker.stop();
}

/// `TestAfterTimes`: the value of `after(10ms)` received long after it
/// fired is its deadline, not the time of the receive. Exact on a manual
/// clock; on a real clock Go's check (with its ten tries against load) on
/// a shorter wait.
fn test_after_times(backend: Backend) {
    let runtime = manual_runtime(backend);
    let c = runtime.after(10 * MS);
    runtime.sleep(500 * MS);
    assert_eq!(at(&runtime, c.recv()), 10 * MS);

    let runtime = real_runtime(backend);
    let mut late = Vec::new();
    loop {
        let start = Instant::now();
        let c = runtime.after(10 * MS);
        runtime.sleep(200 * MS);
        let dt = c.recv_timeout(EVENTUALLY).expect("never fired") - start;
        assert!(
            dt >= 10 * MS,
            "after(10ms) sent a time {dt:?} after the call"
        );
        if dt < 150 * MS {
            break;
        }
        late.push(dt);
        assert!(late.len() < 10, "after(10ms) times: {late:?}, want < 150ms");
    }
}

/// `TestTickTimes`: as `TestAfterTimes` for `tick(10ms)`: the first value
/// is the first tick's deadline; the ticks missed meanwhile were dropped,
/// and the next is the next period boundary.
fn test_tick_times(backend: Backend) {
    let runtime = manual_runtime(backend);
    let c = runtime.tick(10 * MS);
    runtime.sleep(500 * MS);
    assert_eq!(at(&runtime, c.recv()), 10 * MS);
    assert_eq!(at(&runtime, c.recv()), 510 * MS);

    let runtime = real_runtime(backend);
    let mut late = Vec::new();
    loop {
        let start = Instant::now();
        let c = runtime.tick(10 * MS);
        runtime.sleep(200 * MS);
        let dt = c.recv_timeout(EVENTUALLY).expect("never ticked") - start;
        assert!(
            dt >= 10 * MS,
            "tick(10ms) sent a time {dt:?} after the call"
        );
        if dt < 150 * MS {
            break;
        }
        late.push(dt);
        assert!(late.len() < 10, "tick(10ms) times: {late:?}, want < 150ms");
    }
}
