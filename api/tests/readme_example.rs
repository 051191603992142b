//! The first example of the workspace's `README.md`, compiled and run.
//!
//! The code between the two marker comments below must appear verbatim
//! (less its indentation) in the README; `readme_has_this_example` fails
//! when the two drift apart.

#[test]
fn readme_example() {
    // README example begins
    use gowheel::{HeapTimerSet, ManualClock, TimerSet};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    let clock = ManualClock::new(1); // deadlines are positive nanoseconds
    let set = HeapTimerSet::new(1);

    // An idle timeout; the callback is told how late it runs.
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
    // README example ends
}

#[test]
fn readme_has_this_example() {
    let this_file = include_str!("readme_example.rs");
    let readme = include_str!("../../README.md");
    let begin = "    // README example begins\n";
    let end = "    // README example ends\n";
    let start = this_file.find(begin).expect("begin marker") + begin.len();
    let stop = this_file.find(end).expect("end marker");
    let example: String = this_file[start..stop]
        .lines()
        .map(|line| line.strip_prefix("    ").unwrap_or(line))
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(
        readme.contains(&format!("```rust\n{example}```\n")),
        "README.md's first example differs from api/tests/readme_example.rs:\n{example}"
    );
}
