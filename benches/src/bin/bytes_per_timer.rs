//! Measures the memory a live timer costs on each backend: resident-memory
//! growth while `N` timers (default 1,000,000) are armed an hour out, divided
//! by `N`. All timers share one callback, so what is measured is the timer
//! itself: node or heap entry, links, and handle.
//!
//! `cargo run --release -p gowheel-benches --bin bytes_per_timer [-- N]`

use gowheel::{HeapTimerSet, TimerSet, TimingWheel, WheelConfig, callback};

/// Resident set size in bytes, from `/proc/self/statm` (Linux).
fn resident_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn measure<S: TimerSet>(name: &str, set: S, count: usize) {
    let noop = callback(|_, _| {});
    // The handles are kept in a vector, as a server keeps them in its
    // connection table; its pages become resident as it fills, so the
    // growth below counts the handles too.
    let mut handles = Vec::with_capacity(count);
    let before = resident_bytes().expect("needs /proc/self/statm");
    for i in 0..count {
        let timer = set.new_timer(noop.clone());
        set.reset(&timer, 3_600_000_000_000 + i as i64, 0);
        handles.push(timer);
    }
    let after = resident_bytes().expect("needs /proc/self/statm");
    let per_timer = after.saturating_sub(before) as f64 / count as f64;
    let handle_bytes = std::mem::size_of::<S::Timer>();
    println!(
        "{name:>5}: {per_timer:6.1} bytes per live timer, handle included \
         ({handle_bytes}-byte handle, {:.1} bytes in the set); {count} timers",
        per_timer - handle_bytes as f64,
    );
    drop(handles);
    drop(set);
}

fn main() {
    let count = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("N must be a number"))
        .unwrap_or(1_000_000);
    measure(
        "wheel",
        TimingWheel::new(WheelConfig::default().stripes(1)),
        count,
    );
    measure("heap", HeapTimerSet::new(1), count);
}
