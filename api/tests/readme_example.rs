//! The examples of the workspace's `README.md`, compiled and run.
//!
//! The code between each pair of marker comments below must appear verbatim
//! (less its indentation) in the README; `readme_has_these_examples` fails
//! when they drift apart.

#[test]
fn time_package_example() {
    // README example begins: time package
    use gowheel::{Backend, Runtime};
    use std::time::Duration;

    // A runtime on a manual clock: time moves only when the test says so.
    // Switching backend is this one line.
    let runtime = Runtime::builder()
        .backend(Backend::Wheel)
        .manual_clock()
        .build();

    // A connection's idle timeout, pushed back when a packet arrives.
    let idle = runtime.new_timer(Duration::from_secs(30));
    runtime.advance(Duration::from_secs(20));
    assert!(idle.reset(Duration::from_secs(30))); // was pending: now due at 50 s

    // A ticker drops the ticks nobody receives, as Go's does.
    let ticker = runtime.new_ticker(Duration::from_secs(15));

    runtime.advance(Duration::from_secs(40)); // fires what is due, in deadline order
    let fired_at = idle.receiver().try_recv().expect("the timeout fired");
    assert_eq!(fired_at - runtime.start(), Duration::from_secs(50));
    let tick = ticker.receiver().try_recv().expect("one tick is buffered");
    assert_eq!(tick - runtime.start(), Duration::from_secs(35));
    assert!(ticker.receiver().try_recv().is_none()); // the 50 s tick was dropped

    // Blocking calls move a manual clock themselves, as Go's synctest does.
    let done = runtime.after(Duration::from_secs(5));
    done.recv();
    assert_eq!(runtime.elapsed(), Duration::from_secs(65));
    // README example ends: time package
}

#[test]
fn runtime_layer_example() {
    // README example begins: runtime layer
    use gowheel::{HeapTimerSet, ManualClock, TimerSet, TimingWheel};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    fn idle_timeout<S: TimerSet>(set: S) {
        let clock = ManualClock::new(1); // deadlines are positive nanoseconds

        // The callback is told how late it runs.
        let late_by = Arc::new(AtomicI64::new(-1));
        let record = late_by.clone();
        let idle = set.new_timer(gowheel::callback(move |_seq, delay| {
            record.store(delay, Ordering::Relaxed);
        }));

        assert!(!set.reset(&idle, clock.now() + 1_000, 0)); // armed at 1001: was not pending
        clock.run_until(&set, 600);
        assert!(set.reset(&idle, clock.now() + 1_000, 0)); // a packet: pushed back to 1600
        clock.run_until(&set, 1_599);
        assert_eq!(late_by.load(Ordering::Relaxed), -1); // not fired yet

        let now = clock.advance(150); // 1749
        set.check(now); // runs what is due
        assert_eq!(late_by.load(Ordering::Relaxed), 149);
        assert!(!set.stop(&idle)); // already fired: nothing to stop
    }

    idle_timeout(TimingWheel::default());
    idle_timeout(HeapTimerSet::new(1));
    // README example ends: runtime layer
}

#[test]
fn readme_has_these_examples() {
    let this_file = include_str!("readme_example.rs");
    let readme = include_str!("../../README.md");
    for name in ["time package", "runtime layer"] {
        let begin = format!("    // README example begins: {name}\n");
        let end = format!("    // README example ends: {name}\n");
        let start = this_file.find(&begin).expect("begin marker") + begin.len();
        let stop = this_file.find(&end).expect("end marker");
        let example: String = this_file[start..stop]
            .lines()
            .map(|line| line.strip_prefix("    ").unwrap_or(line))
            .map(|line| format!("{line}\n"))
            .collect();
        assert!(
            readme.contains(&format!("```rust\n{example}```\n")),
            "README.md's {name} example differs from api/tests/readme_example.rs:\n{example}"
        );
    }
}
