//! Dropping a runtime with 10^6 pending timers frees all their memory, on
//! both backends.
//!
//! A counting global allocator (a wrapper around `System` that keeps the
//! number of live bytes) measures the process before the runtime is built
//! and after it and every handle are gone. A global allocator applies to
//! the whole test binary, which is why this test has a file of its own; its
//! two tests take turns (a lock) so that one's allocations are not counted
//! in the other's.
//!
//! The pending timers: 700,000 `after_func`s whose handles are dropped at
//! once (they stay pending, as in Go), 100,000 whose handles are kept past
//! the runtime, 100,000 channel timers and 100,000 tickers, all an hour
//! away. Dropping the last runtime handle must free every callback at once
//! (even those whose timer handles live on); dropping the handles then
//! frees the rest.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::on_both_backends;
use gowheel::{AfterFunc, Backend, Runtime, Ticker, Timer};
use gowheel_compat_tests::panics::lock;
use gowheel_compat_tests::watchdog::Watchdog;

/// `System`, counting the bytes it has handed out and not had back.
struct CountingAllocator;

/// Live bytes: allocated and not yet freed.
static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments, so
// `System`'s guarantees are this allocator's; the counting touches no
// allocation.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which
        // is `System.alloc`'s.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            // Relaxed: a counter; the test reads it once the threads that
            // allocate have been joined or are idle.
            LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            // Relaxed: see `alloc`.
            LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: the caller passes a block this allocator (that is,
        // `System`) returned, with its layout.
        unsafe { System.dealloc(pointer, layout) };
        // Relaxed: see `alloc`.
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract for a
        // block `System` returned.
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            // Relaxed: see `alloc`.
            LIVE_BYTES.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn live_bytes() -> isize {
    // Relaxed: see `alloc`.
    LIVE_BYTES.load(Ordering::Relaxed)
}

/// The two tests take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// What may stay allocated after everything is dropped: one-time state of
/// the standard library and of the test harness, a few kilobytes. A leak
/// of the timers would be tens of megabytes.
const SLACK: isize = 256 * 1024;

const HOUR: Duration = Duration::from_secs(3600);
const DROPPED_FUNCS: usize = 700_000;
const KEPT_FUNCS: usize = 100_000;
const TIMERS: usize = 100_000;
const TICKERS: usize = 100_000;
const PENDING: usize = DROPPED_FUNCS + KEPT_FUNCS + TIMERS + TICKERS;

/// Counts its drops: a callback's captured state.
struct DropCounter {
    drops: Arc<AtomicUsize>,
    /// Some captured payload, as a real callback would hold.
    _payload: [u64; 4],
}

impl Drop for DropCounter {
    fn drop(&mut self) {
        // Relaxed: read after the runtime is dropped, which joins its driver.
        self.drops.fetch_add(1, Ordering::Relaxed);
    }
}

/// Builds and drops a small runtime that uses every kind of timer, so that
/// one-time allocations (of the standard library's thread machinery, of
/// gowheel's shared no-op callback) are made before the measurement.
fn warm_up(backend: Backend) {
    let runtime = Runtime::builder().backend(backend).build();
    let timer = runtime.new_timer(Duration::ZERO);
    let ticker = runtime.new_ticker(Duration::from_millis(1));
    drop(runtime.after_func(Duration::ZERO, || {}));
    timer.receiver().recv_timeout(Duration::from_secs(10));
    ticker.receiver().recv_timeout(Duration::from_secs(10));
    drop(runtime);
    timer.reset(Duration::ZERO);
    ticker.stop();
}

fn dropping_a_runtime_with_a_million_pending_timers_frees_their_memory(backend: Backend) {
    let _turn = lock(&ONE_AT_A_TIME);
    let _watchdog = Watchdog::start(
        format!("drop_frees_memory on {backend}"),
        Duration::from_secs(120),
    );
    warm_up(backend);
    let drops = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let before = live_bytes();

    let runtime = Runtime::builder().backend(backend).build();
    let callback = |index: usize| {
        let counter = DropCounter {
            drops: drops.clone(),
            _payload: [index as u64; 4],
        };
        move || {
            let _ = &counter;
        }
    };
    for index in 0..DROPPED_FUNCS {
        drop(runtime.after_func(HOUR, callback(index)));
    }
    let kept_funcs: Vec<AfterFunc> = (0..KEPT_FUNCS)
        .map(|index| runtime.after_func(HOUR, callback(index)))
        .collect();
    let timers: Vec<Timer> = (0..TIMERS).map(|_| runtime.new_timer(HOUR)).collect();
    let tickers: Vec<Ticker> = (0..TICKERS).map(|_| runtime.new_ticker(HOUR)).collect();
    let filed = runtime.stats().filed;
    let peak = live_bytes() - before;
    assert_eq!(filed, PENDING, "{backend}: every timer is pending");

    drop(runtime);
    // Relaxed: the runtime's drop joined its driver; this thread made the
    // other drops.
    assert_eq!(
        drops.load(Ordering::Relaxed),
        DROPPED_FUNCS + KEPT_FUNCS,
        "{backend}: dropping the runtime frees every callback, even those whose handles live on"
    );
    let with_handles = live_bytes() - before;
    drop(kept_funcs);
    drop(timers);
    drop(tickers);
    let left = live_bytes() - before;
    println!(
        "{backend}: {PENDING} pending timers took {peak} bytes ({} per timer, handle vectors \
         included); {with_handles} bytes left with the runtime dropped and 300,000 handles \
         alive; {left} bytes left with everything dropped ({:.1?} in all)",
        peak / PENDING as isize,
        started.elapsed()
    );
    assert!(
        left <= SLACK,
        "{backend}: {left} bytes still allocated after dropping the runtime and every handle \
         ({peak} bytes at the peak): the timers' memory was not freed"
    );
}

on_both_backends!(dropping_a_runtime_with_a_million_pending_timers_frees_their_memory);
