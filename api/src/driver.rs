//! The driver thread of a real-clock runtime, and the handshake that wakes
//! it for an earlier deadline.
//!
//! # The loop
//!
//! The driver checks its set at the clock's time, runs what is due (every
//! callback on this one thread, one at a time), then sleeps until the set's
//! wake time or until it is unparked, and repeats until its owner stops it.
//!
//! # Waking the driver
//!
//! The driver publishes the time it sleeps until in `sleeping_until`, then
//! re-reads the set's wake time; whoever arms a timer re-reads
//! `sleeping_until` after arming and unparks the driver if the new deadline
//! is earlier (Go's `wakeNetPoller`). A SeqCst fence on each side, between
//! its write and its read, ensures that at least one of the two sees the
//! other: no earlier deadline is slept through. [`DriverWaker`] holds the
//! arming side.
//!
//! An arming that lowered none of the times the set publishes (the wheel
//! says so; a timer moved later stays where it is filed) skips the
//! handshake, fence included: the driver's next check time, whenever it
//! was read, did not depend on that arming. The wheel's loom model
//! `loom_skipped_handshake_never_leaves_the_driver_asleep_past_a_deadline`
//! (`wheel/tests/loom.rs`) checks this protocol, transcribed, over the
//! wheel's reports; a change to the handshake here must be made there too.
//!
//! # Stopping
//!
//! The owner stops the driver by dropping its [`DriverThread`]: a Release
//! store of the stop flag, which the loop's Acquire loads pair with, an
//! unpark, and a join, unless the drop runs on the driver thread itself
//! (a callback that drops the last handle of its runtime).
//!
//! # Scheduling
//!
//! The driver sleeps most of the time and runs briefly when a deadline
//! comes, so on Linux it asks for what suits such a thread: a timer slack
//! of 1 ns (its sleeps end on time) and the shortest scheduler slice, so
//! that when it wakes on a machine whose CPUs are all busy, it preempts a
//! thread with a longer slice instead of waiting for that slice to end.
//! Neither needs a privilege, and neither raises its share of the CPU.
//!
//! The module knows the set it drives only through [`DrivenSet`], so it
//! depends on no other part of the runtime.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering, fence};
use std::sync::{Arc, OnceLock};
use std::thread::{self, JoinHandle, Thread};
use std::time::Duration;

use crate::timer_set::{MAX_WHEN, NOT_ARMED, earlier};

/// What a driver thread drives: a timer set, read through its clock.
pub(crate) trait DrivenSet: Send + Sync + 'static {
    /// The clock's time now, in the set's nanoseconds.
    fn now(&self) -> i64;
    /// Runs what is due at `now`; returns when the set next needs a check,
    /// or [`NOT_ARMED`] if never.
    fn check(&self, now: i64) -> i64;
    /// When the set next needs a check, or [`NOT_ARMED`] if never.
    fn wake_time(&self) -> i64;
    /// The arming side of the wake-up handshake, shared with whoever arms
    /// the set's timers.
    fn waker(&self) -> &DriverWaker;
}

/// The wake-up handshake between the driver and whoever arms a timer (see
/// the module doc).
pub(crate) struct DriverWaker {
    /// The deadline the driver sleeps until; 0 while it is awake (it
    /// re-reads the wake time before sleeping again).
    sleeping_until: AtomicI64,
    /// The driver thread, once started; never set on a manual clock.
    thread: OnceLock<Thread>,
}

impl DriverWaker {
    /// A handshake with no driver yet.
    pub(crate) fn new() -> DriverWaker {
        DriverWaker {
            sleeping_until: AtomicI64::new(0),
            thread: OnceLock::new(),
        }
    }

    /// Tells the driver that a timer was armed at `when`: wakes it if it
    /// sleeps past that (Go's `wakeNetPoller`).
    #[inline]
    pub(crate) fn armed(&self, when: i64) {
        // SeqCst fence: pairs with the driver's fence in `drive` between
        // publishing `sleeping_until` and re-reading the wake time (see the
        // module doc). Relaxed load: the fence orders it.
        fence(Ordering::SeqCst);
        if when < self.sleeping_until.load(Ordering::Relaxed)
            && let Some(driver) = self.thread.get()
        {
            driver.unpark();
        }
    }
}

/// The owner's side of a running driver thread: dropping it stops the
/// thread.
pub(crate) struct DriverThread {
    stop: Arc<AtomicBool>,
    /// `None` only inside `drop`.
    handle: Option<JoinHandle<()>>,
}

impl DriverThread {
    /// Starts a driver thread, named `gowheel-driver`, for `set`.
    pub(crate) fn spawn<S: DrivenSet>(set: Arc<S>) -> io::Result<DriverThread> {
        let stop = Arc::new(AtomicBool::new(false));
        let handle = {
            let (set, stop) = (set.clone(), stop.clone());
            thread::Builder::new()
                .name("gowheel-driver".to_owned())
                .spawn(move || {
                    tighten_timer_slack();
                    request_short_slice();
                    drive(&*set, &stop)
                })?
        };
        let _ = set.waker().thread.set(handle.thread().clone());
        Ok(DriverThread {
            stop,
            handle: Some(handle),
        })
    }
}

impl Drop for DriverThread {
    fn drop(&mut self) {
        let Some(handle) = self.handle.take() else {
            return;
        };
        // Release: pairs with the Acquire loads in `drive`.
        self.stop.store(true, Ordering::Release);
        handle.thread().unpark();
        // When a callback drops the last handle, this runs on the driver
        // itself, which stops once the callback returns: no join then.
        if handle.thread().id() != thread::current().id() {
            // A panic on the driver thread was already reported there.
            let _ = handle.join();
        }
    }
}

/// The driver thread's loop: check, then sleep until the wake time or an
/// unpark, until `stop` is set.
fn drive<S: DrivenSet>(set: &S, stop: &AtomicBool) {
    let waker = set.waker();
    let mut now = set.now();
    // Acquire: pairs with the Release store in `DriverThread`'s drop.
    while !stop.load(Ordering::Acquire) {
        let next = set.check(now);
        // The set's own wake time may be earlier than what `check` returns
        // (the wheel's maintenance time), and the driver publishes the time
        // it really sleeps until, so that arming wakes it only when needed.
        let until = match earlier(next, set.wake_time()) {
            NOT_ARMED => MAX_WHEN,
            until => until,
        };
        // Relaxed store, then the SeqCst fence of the handshake with
        // `DriverWaker::armed`; then the wake time is read again, and a
        // lower one published too (an armer that saw the higher value only
        // unparks the driver needlessly).
        waker.sleeping_until.store(until, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        let wake = set.wake_time();
        let until = if wake != NOT_ARMED && wake < until {
            waker.sleeping_until.store(wake, Ordering::Relaxed);
            wake
        } else {
            until
        };
        // Without a sleep, this reading is the next check's: it is not
        // later than the real time of that check, so no timer runs early,
        // and a loop that finds work at once (a callback arming a timer
        // due now) reads the clock once a round instead of twice.
        now = set.now();
        // Acquire: as above.
        if until > now && !stop.load(Ordering::Acquire) {
            thread::park_timeout(Duration::from_nanos((until - now) as u64));
            now = set.now();
        }
        // Awake: arming needs no unpark until the next sleep.
        waker.sleeping_until.store(0, Ordering::Relaxed);
    }
}

/// Asks the kernel to end the calling thread's timed sleeps as close to
/// their deadline as it can.
///
/// Linux lets a timed sleep of an ordinary thread overrun by its *timer
/// slack*, 50 µs by default, so that nearby wake-ups can be merged. That
/// slack would be added to the lateness of every timer the driver sleeps
/// for, so the driver sets its own to 1 ns. It costs a little power
/// (fewer merged wake-ups). Other threads keep theirs, except that threads
/// a callback spawns from the driver thread inherit the driver's, as Linux
/// copies the slack to new threads. Where the call is unavailable or
/// fails, the driver keeps the default slack.
fn tighten_timer_slack() {
    #[cfg(target_os = "linux")]
    {
        const ONE_NANOSECOND: libc::c_ulong = 1;
        // SAFETY: PR_SET_TIMERSLACK takes an integer argument and only
        // changes a scheduling attribute of the calling thread; no memory
        // is passed.
        let _ = unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, ONE_NANOSECOND, 0, 0, 0) };
    }
}

/// `struct sched_attr` (`include/uapi/linux/sched/types.h`).
#[cfg(target_os = "linux")]
#[repr(C)]
#[derive(Default)]
struct SchedAttr {
    size: u32,
    policy: u32,
    flags: u64,
    nice: i32,
    priority: u32,
    runtime: u64,
    deadline: u64,
    period: u64,
    util_min: u32,
    util_max: u32,
}

/// `SCHED_OTHER`, the default policy: the only one whose slice is asked for.
#[cfg(target_os = "linux")]
const SCHED_OTHER: u32 = 0;

/// The shortest slice the kernel accepts for a thread on the fair
/// scheduler.
#[cfg(target_os = "linux")]
const SHORTEST_SLICE_NANOS: u64 = 100_000;

/// The calling thread's scheduling attributes, if the kernel gives them.
#[cfg(target_os = "linux")]
fn scheduling_attributes() -> Option<SchedAttr> {
    let mut attr = SchedAttr::default();
    // SAFETY: sched_getattr writes at most `size` bytes into `attr`, a
    // properly aligned `struct sched_attr` of that size, for the calling
    // thread (pid 0).
    let read = unsafe {
        libc::syscall(
            libc::SYS_sched_getattr,
            0,
            &raw mut attr,
            std::mem::size_of::<SchedAttr>() as libc::c_uint,
            0 as libc::c_uint,
        )
    };
    (read == 0).then_some(attr)
}

/// Asks the kernel for the shortest scheduler slice for the calling thread
/// (Linux 6.12 and later, on the default policy).
///
/// The fair scheduler (EEVDF) lets a waking thread preempt the running one
/// only if its slice is shorter; with equal slices it waits until the
/// running thread's slice ends, which is milliseconds. A driver woken for a
/// deadline while every CPU runs busy threads would be that late. A
/// short slice changes when the thread runs, not how much: its share of
/// the CPU is still set by its nice value, which this keeps. The slice is
/// requested through `sched_setattr`'s `sched_runtime`, which needs no
/// privilege; older kernels ignore it, and a thread on another policy (a
/// real-time one, or `SCHED_IDLE`) is left as it is. Failures are ignored.
fn request_short_slice() {
    #[cfg(target_os = "linux")]
    {
        let Some(mut attr) = scheduling_attributes() else {
            return;
        };
        if attr.policy != SCHED_OTHER {
            return;
        }
        attr.size = std::mem::size_of::<SchedAttr>() as u32;
        attr.flags = 0;
        attr.runtime = SHORTEST_SLICE_NANOS;
        // SAFETY: sched_setattr only reads `attr` (its `size` set to the
        // struct's) and changes scheduling attributes of the calling
        // thread; the policy and nice value are the ones just read.
        let _ = unsafe {
            libc::syscall(
                libc::SYS_sched_setattr,
                0,
                &raw const attr,
                0 as libc::c_uint,
            )
        };
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;
    use crate::{Backend, Runtime};

    /// The calling thread's scheduler slice in ns as the kernel reports it
    /// (`sched_runtime` of the default policy: Linux 6.12 and later), or 0.
    fn own_scheduler_slice() -> u64 {
        scheduling_attributes()
            .filter(|attr| attr.policy == SCHED_OTHER)
            .map_or(0, |attr| attr.runtime)
    }

    /// The driver runs with the shortest scheduler slice, so that on busy
    /// CPUs it preempts a thread with the default slice when it wakes. A
    /// callback runs on the driver thread, so it can read its own. Where
    /// the kernel reports no slice (before Linux 6.12), there is nothing to
    /// check.
    #[test]
    fn driver_runs_with_the_shortest_scheduler_slice() {
        if own_scheduler_slice() == 0 {
            return;
        }
        for backend in [Backend::Wheel, Backend::Heap] {
            let runtime = Runtime::builder().backend(backend).build();
            let (report, reports) = mpsc::channel();
            let _timer = runtime.after_func(Duration::from_millis(1), move || {
                let _ = report.send(own_scheduler_slice());
            });
            let slice = reports
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("{backend}: the callback never ran"));
            assert_eq!(slice, SHORTEST_SLICE_NANOS, "{backend}: the driver's slice");
        }
        assert_ne!(
            own_scheduler_slice(),
            SHORTEST_SLICE_NANOS,
            "other threads keep the default slice"
        );
    }
}
