//! Exactly-once under stress, on a real clock, on both backends.
//!
//! Several threads make random operations on shared timers for a while:
//! function timers ([`AfterFunc`]) started, stopped, reset earlier and
//! later, reset over and over before they fire (an idle timeout pushed back
//! by every packet), stopped and restarted, and replaced (the old handle
//! dropped while its arming is still pending, which must not cancel it);
//! channel timers ([`Timer`]) reset, stopped, received from, dropped while
//! they fire; tickers reset, stopped and received from; chains of
//! `after_func`s that arm the next link from their callback. The callbacks
//! themselves reset and stop their own timer and others (function timers,
//! channel timers, tickers), start chains and create timers.
//!
//! Every arming and every outcome goes through a ledger
//! ([`gowheel_compat_tests::ledger`], whose module doc gives the argument),
//! under the timer's own lock, and at the end the ledger proves:
//!
//! * each arming fired exactly once unless a `stop`/`reset` returning true
//!   cancelled it (a function timer's callback ran once for it; a channel
//!   timer's value was received once);
//! * a `stop`/`reset` returning false means the arming before it fired (its
//!   callback runs, perhaps after the call returned) or there was none;
//!   for a channel timer, that its value had been received (Go 1.23);
//! * nothing fired before its deadline (the arming call's start plus its
//!   duration); no value was received before the deadline it stands for;
//! * no ticker delivered one period twice, or off its period grid, or after
//!   `stop`, or from before a `reset`;
//! * nothing was lost: after the operations stop, everything still armed
//!   fires within 10 s.
//!
//! Each backend runs for 15 s by default (the two tests run side by side
//! when the harness has two threads); set `GOWHEEL_STRESS_SECS` to run each
//! longer, and `GOWHEEL_STRESS_SEED` to fix the random choices (thread
//! scheduling still varies). Each run prints what it did and the violations
//! it found (`--nocapture` to see it when it passes).
//!
//! One concept, however long: one stress run, whose world of shared timers,
//! operations (from threads and from callbacks) and final proof only make
//! sense together; the ledgers it records into live in the library.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use common::{EVENTUALLY, on_both_backends};
use fastrand::Rng;
use gowheel::{AfterFunc, Backend, Runtime, Ticker, Timer};
use gowheel_compat_tests::ledger::{
    ChanLedger, FuncLedger, LedgerCounts, TickerLedger, Violations,
};
use gowheel_compat_tests::panics::lock;
use gowheel_compat_tests::watchdog::Watchdog;

/// How long each backend runs by default, in seconds.
const DEFAULT_SECONDS: f64 = 15.0;
/// Threads making operations.
const OPERATION_THREADS: usize = 4;
/// Function timer slots; replacing one retires its timer (which must still
/// fire) and puts a new one in the slot.
const FUNC_SLOTS: usize = 128;
/// Channel timers.
const CHAN_SLOTS: usize = 32;
/// Tickers.
const TICKER_SLOTS: usize = 8;
/// Links in a chain of `after_func`s (the first included).
const CHAIN_LENGTH: u32 = 4;

/// How long each backend runs: `GOWHEEL_STRESS_SECS` or the default.
fn run_for() -> Duration {
    match std::env::var("GOWHEEL_STRESS_SECS") {
        Ok(value) => value
            .parse::<f64>()
            .ok()
            .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
            .unwrap_or_else(|| panic!("GOWHEEL_STRESS_SECS must be seconds, got `{value}`")),
        Err(_) => Duration::from_secs_f64(DEFAULT_SECONDS),
    }
}

/// The run's seed: `GOWHEEL_STRESS_SEED` or the clock.
fn seed() -> u64 {
    match std::env::var("GOWHEEL_STRESS_SEED") {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("GOWHEEL_STRESS_SEED must be a number, got `{value}`")),
        Err(_) => SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(1, |since| since.as_nanos() as u64),
    }
}

/// A random duration in `low..=high` microseconds.
fn micros(rng: &mut Rng, low: u64, high: u64) -> Duration {
    Duration::from_micros(rng.u64(low..=high))
}

/// A function timer: its handle and ledger under one lock, which every
/// operation on it and every run of its callback holds.
struct FuncTimer {
    name: String,
    state: Mutex<FuncState>,
}

struct FuncState {
    /// `None` before it is first armed, and once it is retired (the handle
    /// dropped: its last arming must still fire).
    handle: Option<AfterFunc>,
    ledger: FuncLedger,
    /// The callback's random choices.
    rng: Rng,
}

/// A channel timer, its ledger, and the lock every operation on it (every
/// receive included) is made under.
struct ChanSlot {
    name: String,
    state: Mutex<ChanState>,
}

struct ChanState {
    timer: Timer,
    ledger: ChanLedger,
}

/// A ticker, its ledger, and the lock every operation on it is made under.
struct TickerSlot {
    name: String,
    state: Mutex<TickerState>,
}

struct TickerState {
    ticker: Ticker,
    ledger: TickerLedger,
}

/// The links of `after_func` chains: each link's handle is dropped at
/// once, so it must run exactly once, and not early. Only the links that
/// have not run are kept, so that long runs stay small: a link that runs
/// and is not there ran twice.
#[derive(Default)]
struct Chains {
    /// Links made so far; the next link's id.
    made: usize,
    /// The earliest instant of each link that has not run yet, by id.
    waiting: HashMap<usize, Instant>,
}

/// Retired function timers (their handles dropped) whose armings have not
/// all run yet, and the counts of those that were settled and forgotten
/// (so that long runs stay small). A forgotten timer can never fire again:
/// its callback running after all is a violation.
#[derive(Default)]
struct Retired {
    timers: Vec<Arc<FuncTimer>>,
    forgotten: usize,
    forgotten_counts: LedgerCounts,
}

/// Forget settled retired timers once this many are kept.
const RETIRED_KEPT: usize = 1_024;

/// Counters of what the run did.
#[derive(Default)]
struct Counters {
    operations: AtomicU64,
    callback_runs: AtomicU64,
    callback_operations: AtomicU64,
    func_timers: AtomicU64,
}

impl Counters {
    fn add(counter: &AtomicU64) {
        // Relaxed: statistics, read after the threads are joined.
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Everything the threads and callbacks share.
///
/// Lock order: a func slot, then a func timer's state; a callback releases
/// its own timer's state before it touches any other timer. Callbacks only
/// `try_lock` channel timers and tickers, since their owners may block in
/// `recv_timeout` (which needs the driver) while holding their lock.
struct World {
    runtime: Weak<Runtime>,
    seed: u64,
    funcs: Vec<Mutex<Arc<FuncTimer>>>,
    retired: Mutex<Retired>,
    chans: Vec<ChanSlot>,
    tickers: Vec<TickerSlot>,
    chains: Mutex<Chains>,
    /// Set once the operation threads are done: callbacks stop acting.
    winding_down: AtomicBool,
    violations: Violations,
    counters: Counters,
}

impl World {
    fn new(runtime: &Arc<Runtime>, seed: u64) -> Arc<World> {
        let mut rng = Rng::with_seed(seed ^ 0x5EED);
        let chans = (0..CHAN_SLOTS)
            .map(|index| {
                let duration = micros(&mut rng, 0, 20_000);
                let started = Instant::now();
                let timer = runtime.new_timer(duration);
                let mut ledger = ChanLedger::new();
                ledger.arm(started, duration);
                ChanSlot {
                    name: format!("chan timer {index}"),
                    state: Mutex::new(ChanState { timer, ledger }),
                }
            })
            .collect();
        let tickers = (0..TICKER_SLOTS)
            .map(|index| {
                let period = micros(&mut rng, 1_000, 15_000);
                let started = Instant::now();
                let ticker = runtime.new_ticker(period);
                let mut ledger = TickerLedger::new();
                ledger.start(started, Instant::now(), period);
                TickerSlot {
                    name: format!("ticker {index}"),
                    state: Mutex::new(TickerState { ticker, ledger }),
                }
            })
            .collect();
        let placeholder = Arc::new(FuncTimer {
            name: "placeholder".to_owned(),
            state: Mutex::new(FuncState {
                handle: None,
                ledger: FuncLedger::new(),
                rng: Rng::with_seed(0),
            }),
        });
        let world = Arc::new(World {
            runtime: Arc::downgrade(runtime),
            seed,
            funcs: (0..FUNC_SLOTS)
                .map(|_| Mutex::new(placeholder.clone()))
                .collect(),
            retired: Mutex::default(),
            chans,
            tickers,
            chains: Mutex::default(),
            winding_down: AtomicBool::new(false),
            violations: Violations::new(),
            counters: Counters::default(),
        });
        for slot in &world.funcs {
            let timer = world.new_func_timer(micros(&mut rng, 0, 20_000));
            *lock(slot) = timer;
        }
        world
    }

    fn violation(&self, who: &str, message: String) {
        self.violations.report(format!("{who}: {message}"));
    }

    fn winding_down(&self) -> bool {
        // Relaxed: a hint to stop acting; the settling phase tolerates
        // callbacks that act once more.
        self.winding_down.load(Ordering::Relaxed)
    }

    /// A new function timer armed `duration` from now. Armed under its
    /// lock, so that its callback cannot run before the arming is recorded.
    fn new_func_timer(self: &Arc<World>, duration: Duration) -> Arc<FuncTimer> {
        // Relaxed: a counter for names.
        let number = self.counters.func_timers.fetch_add(1, Ordering::Relaxed);
        let timer = Arc::new(FuncTimer {
            name: format!("func timer #{number}"),
            state: Mutex::new(FuncState {
                handle: None,
                ledger: FuncLedger::new(),
                rng: Rng::with_seed(self.seed ^ number.wrapping_mul(0x9E37_79B9)),
            }),
        });
        let Some(runtime) = self.runtime.upgrade() else {
            return timer;
        };
        let mut state = lock(&timer.state);
        let (world, me) = (Arc::downgrade(self), Arc::downgrade(&timer));
        let started = Instant::now();
        let handle = runtime.after_func(duration, move || {
            let Some(world) = world.upgrade() else {
                return;
            };
            match me.upgrade() {
                Some(timer) => world.func_fired(&timer),
                None => world.violation(
                    &format!("func timer #{number}"),
                    "its callback ran after the timer was retired and every arming of it had \
                     run or been cancelled: a spurious firing"
                        .to_owned(),
                ),
            }
        });
        state.ledger.arm(started, duration);
        state.handle = Some(handle);
        drop(state);
        timer
    }

    /// Resets a function timer (whose state the caller locked).
    fn func_reset(&self, timer: &FuncTimer, state: &mut FuncState, duration: Duration) {
        let Some(handle) = &state.handle else {
            return;
        };
        let started = Instant::now();
        let pending = handle.reset(duration);
        if let Err(message) = state.ledger.resolve(pending) {
            self.violation(&timer.name, format!("reset({duration:?}): {message}"));
        }
        state.ledger.arm(started, duration);
    }

    /// Stops a function timer (whose state the caller locked).
    fn func_stop(&self, timer: &FuncTimer, state: &mut FuncState) {
        let Some(handle) = &state.handle else {
            return;
        };
        let pending = handle.stop();
        if let Err(message) = state.ledger.resolve(pending) {
            self.violation(&timer.name, format!("stop: {message}"));
        }
    }

    /// The function timer in slot `index` now.
    fn func_in(&self, index: usize) -> Arc<FuncTimer> {
        lock(&self.funcs[index]).clone()
    }

    /// One random operation on function timer slot `index`.
    fn func_operation(self: &Arc<World>, index: usize, rng: &mut Rng) {
        let roll = rng.u64(..100);
        if roll >= 95 {
            // Replace: a new timer in the slot; the old handle is dropped
            // while its arming may be pending, which must not cancel it.
            let mut slot = lock(&self.funcs[index]);
            let fresh = self.new_func_timer(micros(rng, 0, 20_000));
            let old = std::mem::replace(&mut *slot, fresh);
            drop(lock(&old.state).handle.take());
            drop(slot);
            self.retire(old);
            return;
        }
        let timer = self.func_in(index);
        let mut state = lock(&timer.state);
        match roll {
            // Reset earlier (or soon): fires within 2 ms.
            0..30 => self.func_reset(&timer, &mut state, micros(rng, 0, 2_000)),
            // Reset later.
            30..55 => self.func_reset(&timer, &mut state, micros(rng, 5_000, 40_000)),
            55..70 => self.func_stop(&timer, &mut state),
            // An idle timeout pushed back by a burst of packets.
            70..85 => {
                for _ in 0..2 + rng.u64(..5) {
                    self.func_reset(&timer, &mut state, micros(rng, 2_000, 8_000));
                }
            }
            // Stop, then start again.
            _ => {
                self.func_stop(&timer, &mut state);
                self.func_reset(&timer, &mut state, micros(rng, 0, 5_000));
            }
        }
    }

    /// A function timer's callback ran.
    fn func_fired(self: &Arc<World>, timer: &Arc<FuncTimer>) {
        let now = Instant::now();
        Counters::add(&self.counters.callback_runs);
        let mut state = lock(&timer.state);
        if let Err(message) = state.ledger.fired(now) {
            self.violation(&timer.name, message);
        }
        if self.winding_down() {
            return;
        }
        // On itself, under its own lock.
        let choice = state.rng.u64(..100);
        let duration = micros(&mut state.rng, 0, 3_000);
        match choice {
            0..20 => self.func_reset(timer, &mut state, duration),
            20..26 => self.func_stop(timer, &mut state),
            26..30 => {
                self.func_reset(timer, &mut state, Duration::ZERO);
                self.func_stop(timer, &mut state);
            }
            _ => {}
        }
        let action = state.rng.u64(..100);
        let mut rng = Rng::with_seed(state.rng.u64(..));
        drop(state);
        // On others, with its own lock released.
        match action {
            0..15 => {
                let other = self.func_in(rng.usize(..FUNC_SLOTS));
                let mut other_state = lock(&other.state);
                if rng.bool() {
                    self.func_reset(&other, &mut other_state, micros(&mut rng, 0, 10_000));
                } else {
                    self.func_stop(&other, &mut other_state);
                }
            }
            15..22 => {
                let slot = &self.chans[rng.usize(..CHAN_SLOTS)];
                if let Ok(mut state) = slot.state.try_lock() {
                    if rng.bool() {
                        self.chan_reset(slot, &mut state, micros(&mut rng, 0, 5_000));
                    } else {
                        self.chan_stop(slot, &mut state);
                    }
                }
            }
            22..27 => {
                let slot = &self.tickers[rng.usize(..TICKER_SLOTS)];
                if let Ok(mut state) = slot.state.try_lock() {
                    if rng.u64(..3) < 2 {
                        self.ticker_reset(&mut state, micros(&mut rng, 1_000, 10_000));
                    } else {
                        self.ticker_stop(&mut state);
                    }
                }
            }
            27..32 => self.start_chain(CHAIN_LENGTH - 1, micros(&mut rng, 0, 3_000)),
            32..34 => self.func_operation(rng.usize(..FUNC_SLOTS), &mut rng),
            _ => return,
        }
        Counters::add(&self.counters.callback_operations);
    }

    fn chan_reset(&self, slot: &ChanSlot, state: &mut ChanState, duration: Duration) {
        let started = Instant::now();
        let pending = state.timer.reset(duration);
        if let Err(message) = state.ledger.resolve(pending) {
            self.violation(&slot.name, format!("reset({duration:?}): {message}"));
        }
        state.ledger.arm(started, duration);
    }

    fn chan_stop(&self, slot: &ChanSlot, state: &mut ChanState) {
        let pending = state.timer.stop();
        if let Err(message) = state.ledger.resolve(pending) {
            self.violation(&slot.name, format!("stop: {message}"));
        }
    }

    fn chan_received(&self, slot: &ChanSlot, state: &mut ChanState, value: Option<Instant>) {
        if let Some(value) = value {
            let now = Instant::now();
            if let Err(message) = state.ledger.received(value, now) {
                self.violation(&slot.name, message);
            }
        }
    }

    /// One random operation on channel timer `index`.
    fn chan_operation(&self, index: usize, rng: &mut Rng) {
        let slot = &self.chans[index];
        let mut state = lock(&slot.state);
        match rng.u64(..100) {
            0..20 => self.chan_reset(slot, &mut state, micros(rng, 0, 3_000)),
            20..30 => self.chan_reset(slot, &mut state, micros(rng, 5_000, 30_000)),
            30..40 => self.chan_stop(slot, &mut state),
            40..55 => {
                // Stop, then start again.
                self.chan_stop(slot, &mut state);
                self.chan_reset(slot, &mut state, micros(rng, 0, 3_000));
            }
            55..80 | 86..95 => {
                let value = state.timer.receiver().try_recv().ok();
                self.chan_received(slot, &mut state, value);
            }
            80..86 => {
                let value = state.timer.receiver().recv_timeout(micros(rng, 0, 500));
                self.chan_received(slot, &mut state, value);
            }
            _ => {
                // Drop the timer, perhaps while it fires, for a new one.
                let Some(runtime) = self.runtime.upgrade() else {
                    return;
                };
                let duration = micros(rng, 0, 5_000);
                let started = Instant::now();
                state.timer = runtime.new_timer(duration);
                state.ledger.abandon();
                state.ledger.arm(started, duration);
            }
        }
    }

    fn ticker_reset(&self, state: &mut TickerState, period: Duration) {
        let started = Instant::now();
        state.ticker.reset(period);
        state.ledger.start(started, Instant::now(), period);
    }

    fn ticker_stop(&self, state: &mut TickerState) {
        state.ticker.stop();
        state.ledger.stop();
    }

    fn ticker_received(&self, slot: &TickerSlot, state: &mut TickerState, value: Option<Instant>) {
        if let Some(value) = value {
            let now = Instant::now();
            if let Err(message) = state.ledger.received(value, now) {
                self.violation(&slot.name, message);
            }
        }
    }

    /// One random operation on ticker `index`.
    fn ticker_operation(&self, index: usize, rng: &mut Rng) {
        let slot = &self.tickers[index];
        let mut state = lock(&slot.state);
        match rng.u64(..100) {
            0..3 => self.ticker_reset(&mut state, micros(rng, 1_000, 15_000)),
            3..4 => self.ticker_stop(&mut state),
            4..75 | 82..98 => {
                let value = state.ticker.receiver().try_recv().ok();
                self.ticker_received(slot, &mut state, value);
            }
            75..82 => {
                let value = state.ticker.receiver().recv_timeout(micros(rng, 0, 1_000));
                self.ticker_received(slot, &mut state, value);
            }
            98 => {
                // Stop, then start again.
                self.ticker_stop(&mut state);
                self.ticker_reset(&mut state, micros(rng, 1_000, 15_000));
            }
            _ => {
                // Drop the ticker for a new one.
                let Some(runtime) = self.runtime.upgrade() else {
                    return;
                };
                let period = micros(rng, 1_000, 15_000);
                let started = Instant::now();
                state.ticker = runtime.new_ticker(period);
                state.ledger.start(started, Instant::now(), period);
            }
        }
    }

    /// Keeps a retired timer (its handle dropped) until its armings have
    /// all run; forgets the settled ones when many are kept.
    fn retire(&self, timer: Arc<FuncTimer>) {
        let mut retired = lock(&self.retired);
        retired.timers.push(timer);
        if retired.timers.len() < RETIRED_KEPT {
            return;
        }
        let mut forgotten = LedgerCounts::default();
        let before = retired.timers.len();
        retired.timers.retain(|timer| {
            let state = lock(&timer.state);
            if state.ledger.is_settled() {
                forgotten += state.ledger.counts();
                false
            } else {
                true
            }
        });
        retired.forgotten += before - retired.timers.len();
        retired.forgotten_counts += forgotten;
    }

    /// Arms a chain link `duration` from now, with `more` links after it;
    /// its handle is dropped at once.
    fn start_chain(self: &Arc<World>, more: u32, duration: Duration) {
        let Some(runtime) = self.runtime.upgrade() else {
            return;
        };
        let mut chains = lock(&self.chains);
        let started = Instant::now();
        let id = chains.made;
        chains.made += 1;
        chains.waiting.insert(id, started + duration);
        let world = Arc::downgrade(self);
        drop(runtime.after_func(duration, move || {
            if let Some(world) = world.upgrade() {
                world.chain_fired(id, more);
            }
        }));
    }

    fn chain_fired(self: &Arc<World>, id: usize, more: u32) {
        let now = Instant::now();
        Counters::add(&self.counters.callback_runs);
        let earliest = lock(&self.chains).waiting.remove(&id);
        match earliest {
            None => self.violation(&format!("chain link {id}"), "ran a second time".to_owned()),
            Some(earliest) if now < earliest => self.violation(
                &format!("chain link {id}"),
                format!("ran {:?} early", earliest - now),
            ),
            Some(_) => {}
        }
        if more > 0 && !self.winding_down() {
            let duration = Duration::from_micros((id as u64).wrapping_mul(7_919) % 3_000);
            self.start_chain(more - 1, duration);
        }
    }

    /// Every function timer made and not forgotten.
    fn all_func_timers(&self) -> Vec<Arc<FuncTimer>> {
        let mut all: Vec<_> = (0..FUNC_SLOTS).map(|index| self.func_in(index)).collect();
        all.extend(lock(&self.retired).timers.iter().cloned());
        all
    }
}

/// One operation thread: random operations until `until`.
fn operate(world: &Arc<World>, thread: usize, until: Instant) {
    let mut rng = Rng::with_seed(world.seed ^ ((thread as u64 + 1) << 40));
    while Instant::now() < until {
        for _ in 0..32 {
            match rng.u64(..100) {
                0..60 => world.func_operation(rng.usize(..FUNC_SLOTS), &mut rng),
                60..85 => world.chan_operation(rng.usize(..CHAN_SLOTS), &mut rng),
                85..91 => world.ticker_operation(rng.usize(..TICKER_SLOTS), &mut rng),
                91..99 => world.start_chain(
                    rng.u64(..u64::from(CHAIN_LENGTH)) as u32,
                    micros(&mut rng, 0, 5_000),
                ),
                _ => {
                    // A pause, to vary the interleavings.
                    thread::sleep(micros(&mut rng, 0, 100));
                    continue;
                }
            }
            Counters::add(&world.counters.operations);
        }
    }
}

/// After the operations: everything still armed must fire, every running
/// ticker must tick again, within [`EVENTUALLY`] (deadlines are at most
/// 40 ms away). Anything left is lost: a violation. Returns how many were.
fn settle(world: &World) -> usize {
    let ticks_before: Vec<Option<u64>> = world
        .tickers
        .iter()
        .map(|slot| {
            lock(&slot.state)
                .ledger
                .running()
                .map(|arming| arming.ticks)
        })
        .collect();
    let settle_started = Instant::now();
    let mut outstanding = Vec::new();
    loop {
        outstanding.clear();
        let now = Instant::now();
        for timer in world.all_func_timers() {
            for arming in lock(&timer.state).ledger.outstanding() {
                outstanding.push(format!(
                    "{}: {arming} never ran ({:?} past its deadline)",
                    timer.name,
                    arming.overdue(now)
                ));
            }
        }
        for (id, earliest) in &lock(&world.chains).waiting {
            outstanding.push(format!(
                "chain link {id} never ran ({:?} past its deadline)",
                now.saturating_duration_since(*earliest)
            ));
        }
        for slot in &world.chans {
            let mut state = lock(&slot.state);
            let value = state.timer.receiver().try_recv().ok();
            world.chan_received(slot, &mut state, value);
            if let Some(arming) = state.ledger.armed() {
                outstanding.push(format!(
                    "{}: {arming} never delivered ({:?} past its deadline)",
                    slot.name,
                    arming.overdue(now)
                ));
            }
        }
        for (slot, before) in world.tickers.iter().zip(&ticks_before) {
            let mut state = lock(&slot.state);
            let value = state.ticker.receiver().try_recv().ok();
            world.ticker_received(slot, &mut state, value);
            if let (Some(before), Some(running)) = (before, state.ledger.running())
                && running.ticks <= *before
            {
                outstanding.push(format!(
                    "{}: running with period {:?}, but no tick for {:?}",
                    slot.name,
                    running.period,
                    now - settle_started
                ));
            }
        }
        if outstanding.is_empty() || settle_started.elapsed() >= EVENTUALLY {
            break;
        }
        thread::sleep(Duration::from_millis(5));
    }
    let lost = outstanding.len();
    for message in outstanding.drain(..) {
        world.violations.report(format!("lost: {message}"));
    }
    // Settled: nothing may be pending any more.
    for timer in world.all_func_timers() {
        let mut state = lock(&timer.state);
        world.func_stop(&timer, &mut state);
    }
    for slot in &world.chans {
        let mut state = lock(&slot.state);
        world.chan_stop(slot, &mut state);
    }
    for slot in &world.tickers {
        world.ticker_stop(&mut lock(&slot.state));
    }
    lost
}

fn exactly_once_ledger_holds_under_stress(backend: Backend) {
    let run_for = run_for();
    let seed = seed();
    let _watchdog = Watchdog::start(
        format!("the {backend} stress run (seed {seed})"),
        run_for + EVENTUALLY + Duration::from_secs(60),
    );
    let runtime = Arc::new(Runtime::builder().backend(backend).build());
    let world = World::new(&runtime, seed);
    let started = Instant::now();
    let until = started + run_for;
    thread::scope(|scope| {
        for thread in 0..OPERATION_THREADS {
            let world = &world;
            scope.spawn(move || operate(world, thread, until));
        }
    });
    let elapsed = started.elapsed();
    // Relaxed: see `winding_down`.
    world.winding_down.store(true, Ordering::Relaxed);
    let lost = settle(&world);
    drop(runtime);

    let (forgotten, mut funcs) = {
        let retired = lock(&world.retired);
        (retired.forgotten, retired.forgotten_counts)
    };
    let all_funcs = world.all_func_timers();
    for timer in &all_funcs {
        funcs += lock(&timer.state).ledger.counts();
    }
    let mut chans = LedgerCounts::default();
    for slot in &world.chans {
        chans += lock(&slot.state).ledger.counts();
    }
    let mut tickers = LedgerCounts::default();
    for slot in &world.tickers {
        tickers += lock(&slot.state).ledger.counts();
    }
    let chain_links = lock(&world.chains).made;
    if !funcs.balanced() {
        world
            .violations
            .report(format!("function timer armings do not balance: {funcs}"));
    }
    if !chans.balanced() {
        world
            .violations
            .report(format!("channel timer armings do not balance: {chans}"));
    }
    let counters = &world.counters;
    // Relaxed: the threads are joined.
    let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
    println!(
        "stress {backend}: {elapsed:.1?}, seed {seed}, {OPERATION_THREADS} threads: {} operations \
         from threads, {} from callbacks ({} callback runs)\n  \
         function timers ({} made): {funcs}\n  \
         channel timers: {chans}\n  \
         tickers: {} starts, {} stops, {} ticks received\n  \
         after_func chain links: {chain_links}\n  \
         violations: {} ({lost} of them armings lost)",
        load(&counters.operations),
        load(&counters.callback_operations),
        load(&counters.callback_runs),
        all_funcs.len() + forgotten,
        tickers.armed,
        tickers.cancelled,
        tickers.fired,
        world.violations.count()
    );
    let messages = world.violations.messages();
    for message in &messages {
        println!("  {message}");
    }
    assert!(
        world.violations.is_empty(),
        "{} violations on {backend} (seed {seed}); the first:\n{}",
        world.violations.count(),
        messages.join("\n")
    );
    assert!(funcs.fired > 0 && chans.fired > 0 && tickers.fired > 0);
}

on_both_backends!(exactly_once_ledger_holds_under_stress);
