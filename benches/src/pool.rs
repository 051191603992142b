//! Go's `b.RunParallel` on persistent threads, and the small signals the
//! workloads wait on.
//!
//! # Threads as Ps
//!
//! Go runs a parallel benchmark on GOMAXPROCS goroutines, one per P, and
//! each P has its own timer heap. gowheel gives a thread a stripe (wheel)
//! or shard (heap) by numbering threads in the order they first make a
//! timer, process-wide. So that `T` benchmark threads land in `T` distinct
//! stripes and shards whenever `T` is at most their count (as Go's Ps own
//! distinct heaps), the benchmark threads are made once, in a pool, and
//! each claims its number in order before the next starts; the thread that
//! builds the pool claims the first. Threads started later (drivers,
//! runtimes) take numbers after them.
//!
//! # Teams
//!
//! A [`Team`] is one benchmark's use of the first `T` pool threads: each
//! thread makes its preamble timers (Go's `benchmark()` helper: 32,768
//! idle `AfterFunc(Hour)` timers per thread) and its own state, untimed;
//! then [`Team::run`] splits `n` iterations between the threads and times
//! the whole, from the moment all are released to the moment the last is
//! done, as `b.RunParallel` is timed. Dropping the team stops the preamble
//! timers, untimed, as Go's helper does after `b.StopTimer()`.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Barrier, Mutex, OnceLock};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use crate::backend::TimerBackend;
use crate::go_time::HOUR;

/// A job for a pool thread.
type Job = Box<dyn FnOnce() + Send>;

/// The persistent benchmark threads.
struct Pool {
    workers: Vec<Mutex<Sender<Job>>>,
}

/// How many pool threads there are: enough for every thread count a
/// workload runs with (1, 2 and the available parallelism).
pub fn max_threads() -> usize {
    available_parallelism().max(2)
}

/// The machine's available parallelism (1 if unknown).
pub fn available_parallelism() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

/// The thread counts a parallel workload runs with: 1, 2 and the available
/// parallelism, without repeats.
///
/// ```
/// let counts = gowheel_benches::pool::thread_counts();
/// assert_eq!(&counts[..2], &[1, 2]);
/// ```
pub fn thread_counts() -> Vec<usize> {
    let mut counts = vec![1, 2, available_parallelism()];
    counts.sort_unstable();
    counts.dedup();
    counts
}

/// Makes the calling thread take its number in gowheel's stripe and shard
/// numbering (see the module doc), by arming and stopping a timer in a
/// throwaway wheel and heap.
fn claim_thread_numbers() {
    use gowheel::TimerSet;
    let noop = gowheel::callback(|_, _| {});
    let wheel = gowheel::TimingWheel::default();
    let timer = wheel.new_timer(noop.clone());
    wheel.reset(&timer, 1, 0);
    wheel.stop(&timer);
    let heap = gowheel::HeapTimerSet::new(1);
    let timer = TimerSet::new_timer(&heap, noop);
    TimerSet::reset(&heap, &timer, 1, 0);
    TimerSet::stop(&heap, &timer);
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        claim_thread_numbers();
        let workers = (0..max_threads())
            .map(|index| {
                let (jobs, receiver) = channel::<Job>();
                let (claimed, wait_claimed) = channel::<()>();
                thread::Builder::new()
                    .name(format!("bench-{index}"))
                    .spawn(move || {
                        claim_thread_numbers();
                        let _ = claimed.send(());
                        for job in receiver {
                            job();
                        }
                    })
                    .expect("cannot start a benchmark thread");
                // One at a time, so that the numbers are claimed in order.
                wait_claimed
                    .recv()
                    .expect("a benchmark thread died at start");
                Mutex::new(jobs)
            })
            .collect();
        Pool { workers }
    })
}

/// Claims the calling thread's place in the numbering (first, if the pool
/// does not exist yet) and starts the pool. Call it from the thread that
/// runs single-thread workloads before it makes any timer.
pub fn init() {
    let _ = pool();
}

/// Aborts the process if a benchmark thread panics: a panic would leave the
/// other threads waiting at a barrier forever.
struct AbortOnPanic;

impl Drop for AbortOnPanic {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!("a benchmark thread panicked; aborting");
            std::process::abort();
        }
    }
}

/// The command slot's value that tells the team to finish.
const QUIT: u64 = u64::MAX;

/// What the team's threads and the timing thread share.
struct Control {
    /// Releases the threads into a run (or into quitting).
    start: Barrier,
    /// Where the threads report a run (or setup, or teardown) done.
    end: Barrier,
    /// Iterations of the coming run, in all; or [`QUIT`].
    command: AtomicU64,
    threads: usize,
}

/// Idle `AfterFunc(Hour)` timers per thread in Go's `benchmark()` helper.
pub const GO_PREAMBLE_TIMERS: usize = 1 << 15;

/// One parallel benchmark on `threads` pool threads (Go's
/// `b.RunParallel`); see the module doc.
pub struct Team {
    control: Arc<Control>,
}

impl Team {
    /// Starts the team: on each of the first `threads` pool threads, enters
    /// the backend, makes `preamble` idle timers an hour out, then calls
    /// `setup(&backend, thread_index)` for the thread's state. Returns when
    /// every thread is ready.
    ///
    /// # Panics
    ///
    /// If `threads` is 0 or more than [`max_threads`].
    pub fn new<B, S, Setup, Body>(
        backend: &Arc<B>,
        threads: usize,
        preamble: usize,
        setup: Setup,
        body: Body,
    ) -> Team
    where
        B: TimerBackend,
        S: 'static,
        Setup: Fn(&Arc<B>, usize) -> S + Send + Sync + 'static,
        Body: Fn(&Arc<B>, &mut S, u64) + Send + Sync + 'static,
    {
        assert!(
            (1..=max_threads()).contains(&threads),
            "a team needs 1 to {} threads, not {threads}",
            max_threads()
        );
        let control = Arc::new(Control {
            start: Barrier::new(threads + 1),
            end: Barrier::new(threads + 1),
            command: AtomicU64::new(0),
            threads,
        });
        let setup = Arc::new(setup);
        let body = Arc::new(body);
        for (index, worker) in pool().workers.iter().take(threads).enumerate() {
            let (backend, control) = (backend.clone(), control.clone());
            let (setup, body) = (setup.clone(), body.clone());
            let job: Job = Box::new(move || {
                let _abort = AbortOnPanic;
                let _context = backend.enter();
                let garbage: Vec<B::Timer> = (0..preamble).map(|_| backend.start(HOUR)).collect();
                let mut state = setup(&backend, index);
                control.end.wait();
                loop {
                    control.start.wait();
                    // Relaxed: the barrier orders it after the store.
                    let total = control.command.load(Ordering::Relaxed);
                    if total == QUIT {
                        break;
                    }
                    body(&backend, &mut state, share(total, control.threads, index));
                    control.end.wait();
                }
                drop(state);
                for timer in garbage {
                    backend.stop(timer);
                }
                control.end.wait();
            });
            worker
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .send(job)
                .expect("a benchmark thread is gone");
        }
        control.end.wait();
        Team { control }
    }

    /// Runs `total` iterations split between the threads and returns the
    /// wall time they took together.
    pub fn run(&self, total: u64) -> Duration {
        let total = total.min(QUIT - 1);
        // Relaxed: the barrier publishes it.
        self.control.command.store(total, Ordering::Relaxed);
        self.control.start.wait();
        let started = Instant::now();
        self.control.end.wait();
        started.elapsed()
    }

    /// The number of threads.
    pub fn threads(&self) -> usize {
        self.control.threads
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        // Relaxed: the start barrier publishes it, as in `run`.
        self.control.command.store(QUIT, Ordering::Relaxed);
        self.control.start.wait();
        // Waits for the threads to drop their state and preamble.
        self.control.end.wait();
    }
}

/// Thread `index`'s share of `total` iterations split between `threads`.
fn share(total: u64, threads: usize, index: usize) -> u64 {
    let threads = threads as u64;
    let index = index as u64;
    total / threads + u64::from(index < total % threads)
}

/// Go's `sync.WaitGroup` for one waiting thread: counts down, and the
/// thread that made it parks until the count reaches zero.
pub struct Latch {
    remaining: AtomicUsize,
    waiter: Thread,
}

impl Latch {
    /// A latch for `count` count-downs; the calling thread is the one that
    /// may [`wait`](Latch::wait).
    pub fn new(count: usize) -> Arc<Latch> {
        Arc::new(Latch {
            remaining: AtomicUsize::new(count),
            waiter: thread::current(),
        })
    }

    /// Counts one down; the last wakes the waiter.
    #[inline]
    pub fn count_down(&self) {
        // AcqRel: the last count-down sees every earlier one's writes and
        // publishes them to the waiter's Acquire load.
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.waiter.unpark();
        }
    }

    /// Parks until the count is zero. Only the thread that made the latch
    /// may call it.
    pub fn wait(&self) {
        debug_assert_eq!(thread::current().id(), self.waiter.id());
        // Acquire: pairs with the AcqRel of the last count-down.
        while self.remaining.load(Ordering::Acquire) != 0 {
            thread::park();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up() {
        for threads in 1..5 {
            for total in [0, 1, 7, 1000] {
                let sum: u64 = (0..threads).map(|i| share(total, threads, i)).sum();
                assert_eq!(sum, total);
            }
        }
    }
}
