//! Timer channels in `crossbeam_channel::select!` beside other crossbeam
//! channels, on both backends, with Go's stop/reset guarantee checked under
//! real threads. Nothing asserts a timing.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use crossbeam_channel::{select, unbounded};
use gowheel::{Backend, Runtime};
use gowheel_compat_tests::{EVENTUALLY, on_both_backends};

const HOUR: Duration = Duration::from_secs(3600);

/// The timer wins over a silent channel; a channel with a message wins
/// over a timer an hour away; every kind of receive shares the one value.
fn select_over_a_timer_and_a_channel(backend: Backend) {
    let runtime = Runtime::builder().backend(backend).build();
    let (sender, messages) = unbounded::<&str>();
    let timer = runtime.new_timer(Duration::from_millis(1));
    let fired = timer.receiver().select_receiver();
    select! {
        recv(messages) -> _ => panic!("nobody sent"),
        recv(fired) -> at => assert!(at.unwrap() >= runtime.start()),
        default(EVENTUALLY) => panic!("the timer never fired"),
    }
    timer.reset(HOUR);
    sender.send("work").unwrap();
    select! {
        recv(messages) -> message => assert_eq!(message, Ok("work")),
        recv(fired) -> _ => panic!("an hour passed"),
        default(EVENTUALLY) => panic!("the message was lost"),
    }
    // After the bridge exists, `recv`, `try_recv` and async receives see the
    // same single value.
    let deadline = runtime.now() + Duration::from_millis(1);
    timer.reset_at(deadline);
    assert_eq!(timer.receiver().recv(), deadline);
    assert!(fired.try_recv().is_err(), "the value was received twice");
}

/// A ticker in `select!` drops the ticks nobody received (manual clock).
fn ticker_in_select_drops_ticks(backend: Backend) {
    let runtime = Runtime::builder().backend(backend).manual_clock().build();
    let ticker = runtime.new_ticker(Duration::from_secs(1));
    let ticks = ticker.receiver().select_receiver();
    runtime.advance(Duration::from_secs(5));
    let first = ticks.try_recv().expect("the kept tick");
    assert_eq!(first - runtime.start(), Duration::from_secs(1));
    assert!(ticks.try_recv().is_err(), "missed ticks were kept");
    ticker.stop();
    runtime.advance(Duration::from_secs(5));
    assert!(ticks.try_recv().is_err(), "a tick after stop");
}

/// Real threads on a manual clock: one thread selects on the timer (and a
/// silent channel), one moves the clock through the first deadline, and
/// the test resets (or stops, then re-arms) the timer to a second. If
/// `reset`/`stop` reported a pending timer or unreceived value, the select
/// must get the second deadline, never the stale first.
fn stop_and_reset_race_a_selecting_thread(backend: Backend) {
    let runtime = Runtime::builder().backend(backend).manual_clock().build();
    let timer = Arc::new(runtime.new_timer(HOUR));
    let (_quiet_sender, quiet) = unbounded::<()>();
    for round in 0..1_000u32 {
        let first = runtime.now() + Duration::from_secs(1);
        let second = first + Duration::from_secs(1);
        timer.reset_at(first);
        let start = Arc::new(Barrier::new(3));
        let selector = {
            let (timer, start, quiet) = (timer.clone(), start.clone(), quiet.clone());
            thread::spawn(move || {
                let fired = timer.receiver().select_receiver();
                start.wait();
                select! {
                    recv(quiet) -> _ => unreachable!(),
                    recv(fired) -> at => at.unwrap(),
                    default(EVENTUALLY) => panic!("round {round}: no value"),
                }
            })
        };
        let mover = {
            let (runtime, start) = (runtime.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                runtime.advance(Duration::from_secs(1));
            })
        };
        start.wait();
        let pending = if round % 2 == 0 {
            timer.reset_at(second)
        } else {
            let stopped = timer.stop();
            assert!(!timer.reset_at(second), "round {round}: pending after stop");
            stopped
        };
        mover.join().unwrap();
        runtime.advance(Duration::from_secs(1));
        let got = selector.join().unwrap();
        assert_eq!(
            got,
            if pending { second } else { first },
            "round {round}: pending {pending}"
        );
        let _ = timer.receiver().try_recv();
    }
}

on_both_backends!(
    select_over_a_timer_and_a_channel,
    ticker_in_select_drops_ticks,
    stop_and_reset_race_a_selecting_thread,
);
