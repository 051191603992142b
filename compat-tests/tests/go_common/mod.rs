//! Helpers shared by the ports of Go's `time` package tests
//! (`go_sleep_test.rs` and `go_tick_test.rs`): running one body per backend,
//! runtimes, Go's `newTimerFunc`, and a polling stand-in for `select`.

// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use gowheel::{AfterFunc, Backend, Receiver, Runtime, Timer};

/// One hour, as Go's `time.Hour`.
pub const HOUR: Duration = Duration::from_secs(3600);

pub use gowheel_compat_tests::EVENTUALLY;
pub(crate) use gowheel_compat_tests::on_both_backends;

/// A runtime on the real clock, with its driver thread.
pub fn real_runtime(backend: Backend) -> Runtime {
    Runtime::builder().backend(backend).build()
}

/// A runtime on a manual clock: time moves only when the test moves it.
pub fn manual_runtime(backend: Backend) -> Runtime {
    Runtime::builder().backend(backend).manual_clock().build()
}

/// The runtime's time of `instant`: how long after its start.
pub fn at(runtime: &Runtime, instant: Instant) -> Duration {
    instant.duration_since(runtime.start())
}

/// A Go `*Timer` as the tests use it: `Stop`, `Reset` and its channel.
pub trait GoTimer: Send {
    /// `Timer.Stop`.
    fn stop(&self) -> bool;
    /// `Timer.Reset(d)`.
    fn reset(&self, duration: Duration) -> bool;
    /// `select { case v := <-t.C: ...; default: }`.
    fn try_recv(&self) -> Option<Instant>;
    /// `<-t.C`, giving up after `timeout`.
    fn recv_timeout(&self, timeout: Duration) -> Option<Instant>;
}

impl GoTimer for Timer {
    fn stop(&self) -> bool {
        Timer::stop(self)
    }

    fn reset(&self, duration: Duration) -> bool {
        Timer::reset(self, duration)
    }

    fn try_recv(&self) -> Option<Instant> {
        self.receiver().try_recv().ok()
    }

    fn recv_timeout(&self, timeout: Duration) -> Option<Instant> {
        self.receiver().recv_timeout(timeout)
    }
}

/// Go's `newTimerFunc`: a timer built from `AfterFunc` whose function sends
/// the time it ran on a channel of one, so that the function-timer path is
/// tested as well as the channel-timer path.
pub struct FuncTimer {
    timer: AfterFunc,
    channel: mpsc::Receiver<Instant>,
}

impl FuncTimer {
    pub fn new(runtime: &Runtime, duration: Duration) -> FuncTimer {
        let (sender, channel) = mpsc::sync_channel(1);
        // The callback runs on the driver thread and must not block it; the
        // tests drain the channel before re-arming, so it is never full.
        let timer = runtime.after_func(duration, move || {
            let _ = sender.try_send(Instant::now());
        });
        FuncTimer { timer, channel }
    }
}

impl GoTimer for FuncTimer {
    fn stop(&self) -> bool {
        self.timer.stop()
    }

    fn reset(&self, duration: Duration) -> bool {
        self.timer.reset(duration)
    }

    fn try_recv(&self) -> Option<Instant> {
        self.channel.try_recv().ok()
    }

    fn recv_timeout(&self, timeout: Duration) -> Option<Instant> {
        self.channel.recv_timeout(timeout).ok()
    }
}

/// Which of Go's two timer implementations a test runs on (Go's subtests
/// `impl=chan` and `impl=func`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impl {
    /// `NewTimer`: a channel timer.
    Chan,
    /// `newTimerFunc`: an `AfterFunc` timer that sends on a channel.
    Func,
}

impl Impl {
    pub fn new_timer(self, runtime: &Runtime, duration: Duration) -> Box<dyn GoTimer> {
        match self {
            Impl::Chan => Box::new(runtime.new_timer(duration)),
            Impl::Func => Box::new(FuncTimer::new(runtime, duration)),
        }
    }
}

/// Which receiver [`select2`] received from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selected {
    First(Instant),
    Second(Instant),
}

/// Go's `select { case <-a: ...; case <-b: ... }`, by polling both
/// receivers (alternating which is tried first) until one has a value.
///
/// # Panics
///
/// If neither has a value within [`EVENTUALLY`].
pub fn select2(a: &Receiver, b: &Receiver) -> Selected {
    let give_up = Instant::now() + EVENTUALLY;
    let mut flip = false;
    loop {
        flip = !flip;
        let got = if flip {
            a.try_recv()
                .ok()
                .map(Selected::First)
                .or_else(|| b.try_recv().ok().map(Selected::Second))
        } else {
            b.try_recv()
                .ok()
                .map(Selected::Second)
                .or_else(|| a.try_recv().ok().map(Selected::First))
        };
        if let Some(selected) = got {
            return selected;
        }
        assert!(
            Instant::now() < give_up,
            "select on two timers: neither fired within {EVENTUALLY:?}"
        );
        thread::sleep(Duration::from_micros(20));
    }
}
