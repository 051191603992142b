//! The runtime's own duties, on both backends: waking its driver for an
//! earlier deadline, freeing its timers when dropped, and surviving
//! callbacks that panic or drop the runtime themselves.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use gowheel::{Backend, Runtime};

const BACKENDS: [Backend; 2] = [Backend::Wheel, Backend::Heap];

/// Generous bound for "eventually" on a loaded CI machine; never a speed
/// claim.
const PATIENCE: Duration = Duration::from_secs(10);

#[test]
fn driver_wakes_for_an_earlier_deadline() {
    for backend in BACKENDS {
        let runtime = Runtime::builder().backend(backend).build();
        // The driver goes to sleep until this far deadline...
        let far = runtime.new_timer(Duration::from_secs(3600));
        std::thread::sleep(Duration::from_millis(20));
        // ...and must be woken for this one.
        let started = Instant::now();
        let near = runtime.new_timer(Duration::from_millis(5));
        let fired = near.receiver().recv_timeout(PATIENCE);
        assert!(fired.is_some(), "{backend}: the near timer never fired");
        assert!(
            started.elapsed() >= Duration::from_millis(5),
            "{backend}: fired early"
        );
        assert!(far.stop(), "{backend}: the far timer is still pending");
    }
}

#[test]
fn driver_wakes_for_a_timer_moved_earlier() {
    for backend in BACKENDS {
        let runtime = Runtime::builder().backend(backend).build();
        let timer = runtime.new_timer(Duration::from_secs(3600));
        std::thread::sleep(Duration::from_millis(20));
        assert!(timer.reset(Duration::from_millis(5)));
        assert!(
            timer.receiver().recv_timeout(PATIENCE).is_some(),
            "{backend}: the moved timer never fired"
        );
    }
}

/// Counts the drops of values a callback holds.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn dropping_a_runtime_frees_pending_callbacks() {
    for backend in BACKENDS {
        for manual in [false, true] {
            let builder = Runtime::builder().backend(backend);
            let runtime = if manual {
                builder.manual_clock()
            } else {
                builder
            }
            .build();
            let drops = Arc::new(AtomicUsize::new(0));
            const TIMERS: usize = 1000;
            let mut kept = Vec::new();
            for i in 0..TIMERS {
                let held = DropCounter(drops.clone());
                let timer = runtime.after_func(Duration::from_secs(3600), move || {
                    let _ = &held;
                });
                // Half the handles outlive the runtime, half are dropped now.
                if i % 2 == 0 {
                    kept.push(timer);
                }
            }
            assert_eq!(drops.load(Ordering::SeqCst), 0);
            drop(runtime);
            assert_eq!(
                drops.load(Ordering::SeqCst),
                TIMERS,
                "{backend} (manual: {manual}): every callback is freed with the runtime"
            );
            // Handles that outlived the runtime still answer, and never fire.
            for timer in &kept {
                assert!(!timer.stop());
            }
        }
    }
}

#[test]
fn a_callback_may_drop_the_last_runtime_handle() {
    for backend in BACKENDS {
        let runtime = Runtime::builder().backend(backend).build();
        let (done, finished) = mpsc::channel();
        let holder = std::sync::Mutex::new(Some(runtime.clone()));
        let done = std::sync::Mutex::new(done);
        runtime.after_func(Duration::from_millis(1), move || {
            // The last handle dies on the driver thread.
            drop(holder.lock().unwrap().take());
            done.lock().unwrap().send(()).unwrap();
        });
        drop(runtime);
        finished
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|_| panic!("{backend}: the callback never finished"));
    }
}

#[test]
fn a_panicking_callback_does_not_stop_the_others() {
    for backend in BACKENDS {
        let panics = Arc::new(AtomicUsize::new(0));
        let counted = panics.clone();
        let runtime = Runtime::builder()
            .backend(backend)
            .panic_hook(move |_| {
                counted.fetch_add(1, Ordering::SeqCst);
            })
            .build();
        let ran = Arc::new(AtomicUsize::new(0));
        for i in 0..10 {
            let ran = ran.clone();
            runtime.after_func(Duration::from_millis(1 + i % 3), move || {
                if i % 2 == 0 {
                    panic!("callback {i} fails");
                }
                ran.fetch_add(1, Ordering::SeqCst);
            });
        }
        let late = runtime.new_timer(Duration::from_millis(20));
        assert!(
            late.receiver().recv_timeout(PATIENCE).is_some(),
            "{backend}: driver died"
        );
        assert_eq!(ran.load(Ordering::SeqCst), 5, "{backend}");
        assert_eq!(panics.load(Ordering::SeqCst), 5, "{backend}");
    }
}

#[test]
fn overflowing_durations_saturate_and_never_fire() {
    for backend in BACKENDS {
        let runtime = Runtime::builder().backend(backend).manual_clock().build();
        let timer = runtime.new_timer(Duration::MAX);
        let ticker = runtime.new_ticker(Duration::MAX);
        runtime.advance(Duration::from_secs(1 << 40));
        assert!(timer.receiver().try_recv().is_err(), "{backend}");
        assert!(ticker.receiver().try_recv().is_err(), "{backend}");
        assert!(timer.stop(), "{backend}: still pending");
        runtime.verify();
    }
}

/// `clear` releases the callback of every timer a set made, on both
/// backends: also of unarmed ones (never armed, or already fired), which
/// the heap reaches through its registry of timers. A timer re-armed after
/// `clear` calls nothing.
#[test]
fn clear_releases_every_callback() {
    use gowheel::{HeapTimerSet, TimerSet, TimingWheel};

    fn check_set<S: TimerSet>(set: S, name: &str) {
        let drops = Arc::new(AtomicUsize::new(0));
        let calls = Arc::new(AtomicUsize::new(0));
        let make = || {
            let (held, calls) = (DropCounter(drops.clone()), calls.clone());
            set.new_timer(gowheel::callback(move |_, _| {
                let _ = &held;
                calls.fetch_add(1, Ordering::SeqCst);
            }))
        };
        let never_armed = make();
        let fired = make();
        let pending = make();
        set.reset(&fired, 10, 0);
        set.reset(&pending, 1_000, 0);
        set.check(10);
        assert_eq!(calls.load(Ordering::SeqCst), 1, "{name}");
        set.clear();
        assert_eq!(
            drops.load(Ordering::SeqCst),
            3,
            "{name}: callbacks released"
        );
        assert!(!set.reset(&pending, 20, 0), "{name}: clear disarmed it");
        set.check(20);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "{name}: the released callback is gone"
        );
        set.reset(&never_armed, 30, 0);
        set.reset(&fired, 30, 0);
        set.check(30);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "{name}: the released callbacks are gone"
        );
        set.verify();
    }
    check_set(TimingWheel::default(), "wheel");
    check_set(HeapTimerSet::new(2), "heap");
}

/// The driver sleeps with a timer slack of 1 ns, so the kernel does not add
/// its default 50 µs to every timer's lateness. A callback runs on the
/// driver thread, so it can ask the kernel for its own slack.
#[cfg(target_os = "linux")]
#[test]
fn driver_sleeps_with_a_timer_slack_of_one_nanosecond() {
    for backend in BACKENDS {
        let runtime = Runtime::builder().backend(backend).build();
        let (report, reports) = mpsc::channel();
        let _timer = runtime.after_func(Duration::from_millis(1), move || {
            // SAFETY: PR_GET_TIMERSLACK reads the calling thread's slack and
            // takes no pointers.
            let slack = unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) };
            let thread = std::thread::current().name().map(str::to_owned);
            let _ = report.send((slack, thread));
        });
        let (slack, thread) = reports
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|_| panic!("{backend}: the callback never ran"));
        assert_eq!(thread.as_deref(), Some("gowheel-driver"), "{backend}");
        assert_eq!(slack, 1, "{backend}: the driver's timer slack");
    }
}
