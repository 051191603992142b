//! A runtime: a timer set, a clock, and whoever drives the set's checks.
//!
//! # Two clocks
//!
//! * **Real** (the default): a monotonic clock, and a driver thread
//!   ([`driver`](crate::driver)) that sleeps until the set's wake time and
//!   runs what is due. Callbacks of [`AfterFunc`](crate::AfterFunc) timers
//!   run on that thread, one at a time: a slow callback delays every timer
//!   due after it (as a Go P that runs a long timer function delays that
//!   P's other timers), so callbacks should hand long work to another
//!   thread.
//! * **Manual**: virtual time that moves only when asked. [`Runtime::advance`]
//!   fires everything due in deadline order, each callback seeing the clock
//!   at its own deadline; [`Runtime::sleep`], `recv` and `recv_timeout` on a
//!   manual runtime move virtual time themselves, as Go's `testing/synctest`
//!   does when every goroutine of its bubble is blocked. Callbacks run on the
//!   thread that moves the clock.
//!
//! # Time
//!
//! Internally a runtime counts `i64` nanoseconds from its start, offset by
//! one so that a deadline "now" at the very start is still a positive
//! deadline. Durations convert as in Go: a zero duration means "now", and a
//! deadline that overflows saturates to [`MAX_WHEN`], which is never
//! reached. The real clock is read by [`monotonic`](crate::monotonic),
//! counting exactly what `Instant` arithmetic from the start counts.
//!
//! # Ownership
//!
//! Timers and channels hold the [`RuntimeShared`] part (set, clock, panic
//! hook, the driver's wake-up handshake); [`Runtime`] handles hold a
//! `RuntimeOwner`, which stops the driver and clears the set when the last
//! handle goes. [`AfterFunc`](crate::AfterFunc) handles keep the shared
//! part alive through the striped reference count of
//! [`anchor`](crate::anchor).
//!
//! # Where `Runtime`'s methods live
//!
//! | file | methods |
//! | --- | --- |
//! | `runtime.rs` (here) | construction (`new`, `builder`, [`RuntimeBuilder`]), the clock (`start`, `now`, `elapsed`, `advance`), `backend`, `is_manual`, `stats`, `verify` |
//! | `timer.rs` | channel and function timers: `new_timer`, `new_timer_at`, `after`, `after_func`, `after_func_once`, `sleep` |
//! | `ticker.rs` | tickers: `new_ticker`, `try_new_ticker`, `tick`, `try_tick` |
//! | `future/sleep.rs` | async sleeps: `sleep_async`, `sleep_until` |
//! | `future/timeout.rs` | async timeouts: `timeout`, `timeout_at` |

use std::cell::Cell;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::anchor::{Anchor, Anchors};
use crate::backend::{AnySet, AnyTimer, Backend};
use crate::callback_panic::{CallbackPanic, PanicHook, default_panic_hook};
use crate::driver::{DrivenSet, DriverThread, DriverWaker};
use crate::manual_clock::ManualClock;
use crate::metrics::{Metrics, RuntimeMetrics};
use crate::monotonic::RuntimeStart;
use crate::record::Recorder;
use crate::timer_set::{MAX_WHEN, NOT_ARMED, TimerSetStats, earlier};
use crate::wheel::Armed;
use crate::wheel::WheelConfig;

/// Internal time at the runtime's start: deadlines must be positive.
const EPOCH_OFFSET: i64 = 1;

enum Clock {
    Real,
    Manual(ManualClock),
}

thread_local! {
    /// The `now` of the check this thread is running, so that a callback
    /// can turn its `delay` back into its exact deadline.
    static CHECK_NOW: Cell<i64> = const { Cell::new(0) };
    /// The runtime whose check this thread is running, for reporting a
    /// callback's panic without each timer holding a reference to it.
    static CHECKING: Cell<*const RuntimeShared> = const { Cell::new(std::ptr::null()) };
    /// Whether this thread is moving a manual clock, so that a callback that
    /// sleeps or receives on the same runtime moves it further instead of
    /// waiting for itself.
    static DRIVING_MANUAL: Cell<bool> = const { Cell::new(false) };
}

/// The share of a runtime's reference count that an
/// [`AfterFunc`](crate::AfterFunc) holds.
pub(crate) type RuntimeAnchor = Anchor<RuntimeShared>;

/// The part of a runtime that timers share.
pub(crate) struct RuntimeShared {
    pub(crate) set: AnySet,
    clock: Clock,
    start: RuntimeStart,
    panic_hook: PanicHook,
    /// The arming side of the driver's wake-up handshake (idle on a manual
    /// clock, which has no driver).
    driver: DriverWaker,
    /// Serializes threads that move a manual clock.
    manual_driving: Mutex<()>,
    /// Set when the last `Runtime` handle is dropped: no timer of this
    /// runtime fires again, so an empty channel is disconnected.
    shut_down: AtomicBool,
    /// The trace recorder, if built with `record` (see `observe`).
    pub(crate) recorder: Option<Recorder>,
    /// The metrics, if built with `metrics` (see `observe`).
    pub(crate) metrics: Option<Metrics>,
}

impl RuntimeShared {
    /// The runtime's time now, in internal nanoseconds.
    pub(crate) fn now_nanos(&self) -> i64 {
        match &self.clock {
            Clock::Real => {
                let elapsed = self.start.elapsed_nanos();
                elapsed.saturating_add(EPOCH_OFFSET)
            }
            Clock::Manual(clock) => clock.now(),
        }
    }

    /// The deadline `duration` from now, as Go's `when(d)`: now for a zero
    /// duration, saturating at `MAX_WHEN`.
    pub(crate) fn deadline_after(&self, duration: Duration) -> i64 {
        let nanos = i64::try_from(duration.as_nanos()).unwrap_or(MAX_WHEN);
        self.now_nanos().saturating_add(nanos)
    }

    /// A duration as a period in nanoseconds, saturating.
    pub(crate) fn period_of(duration: Duration) -> i64 {
        i64::try_from(duration.as_nanos()).unwrap_or(MAX_WHEN)
    }

    /// The instant of an internal time.
    pub(crate) fn instant_of(&self, nanos: i64) -> Instant {
        let since_start = Duration::from_nanos((nanos - EPOCH_OFFSET).max(0) as u64);
        let start = self.start.instant();
        start
            .checked_add(since_start)
            .unwrap_or_else(|| start + Duration::from_secs(u32::MAX as u64))
    }

    /// The internal time of an instant: the runtime's start for an instant
    /// before it, saturating at `MAX_WHEN` (the inverse of `instant_of`).
    pub(crate) fn nanos_of(&self, instant: Instant) -> i64 {
        let since_start = instant.saturating_duration_since(self.start.instant());
        i64::try_from(since_start.as_nanos())
            .map_or(MAX_WHEN, |nanos| nanos.saturating_add(EPOCH_OFFSET))
    }

    /// Whether the last `Runtime` handle is gone.
    pub(crate) fn is_shut_down(&self) -> bool {
        // Acquire: pairs with the Release store in `RuntimeOwner::drop`, so
        // a reader that sees it also sees the set cleared.
        self.shut_down.load(Ordering::Acquire)
    }

    pub(crate) fn is_manual(&self) -> bool {
        matches!(self.clock, Clock::Manual(_))
    }

    /// An internal time as nanoseconds since the runtime started.
    pub(crate) fn to_trace_time(&self, nanos: i64) -> i64 {
        nanos.saturating_sub(EPOCH_OFFSET)
    }

    /// The runtime whose check is running on this thread, if any.
    pub(crate) fn with_current_check<R>(visit: impl FnOnce(Option<&RuntimeShared>) -> R) -> R {
        let runtime = CHECKING.with(Cell::get);
        if runtime.is_null() {
            visit(None)
        } else {
            // SAFETY: `CHECKING` points at the runtime whose `check` is on
            // this thread's stack, so it is alive for this call; it is
            // reset when that check returns or unwinds.
            visit(Some(unsafe { &*runtime }))
        }
    }

    /// The `now` of the check that is running the current callback.
    pub(crate) fn current_check_now() -> i64 {
        CHECK_NOW.with(Cell::get)
    }

    /// Reports a panic caught in a callback to the runtime running it, or
    /// to stderr if there is none.
    pub(crate) fn report_panic_of_current_check(payload: &(dyn std::any::Any + Send)) {
        let runtime = CHECKING.with(Cell::get);
        if runtime.is_null() {
            eprintln!("gowheel: {}", CallbackPanic::from_payload(payload));
        } else {
            // SAFETY: `CHECKING` points at the runtime whose `check` is on
            // this thread's stack, so it is alive; it is reset when that
            // check returns or unwinds.
            unsafe { (*runtime).report_panic(payload) };
        }
    }

    /// Tells the driver that `timer` was armed at `when`: wakes it if it
    /// sleeps past that (Go's `wakeNetPoller`; see [`DriverWaker::armed`]).
    /// Nothing to tell if the arming lowered none of the times the driver
    /// sleeps towards (`arming`, from the set): it already wakes in time.
    #[inline]
    pub(crate) fn armed(&self, when: i64, timer: &AnyTimer, arming: Armed) {
        if !arming.next_check_may_be_earlier {
            return;
        }
        // A timer filed far ahead may need the driver sooner than its
        // deadline, for the wheel's cascade ahead. Only the stripe that
        // took it can have been asked for an earlier check by this arming
        // (the stripe's own list settled by a modify included); an
        // arming in another stripe tells the driver itself.
        self.driver
            .armed(earlier(when, self.set.maintenance_time_of(timer)));
    }

    /// Reports a panic caught in a callback.
    pub(crate) fn report_panic(&self, payload: &(dyn std::any::Any + Send)) {
        let panic = CallbackPanic::from_payload(payload);
        // A hook that panics itself must not take the driver down.
        let _ =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.panic_hook)(&panic)));
    }

    /// On a manual runtime: moves the clock to `target`, firing everything
    /// due on the way at its own deadline. Returns at once on a real clock.
    pub(crate) fn run_until(&self, target: i64) {
        let Clock::Manual(clock) = &self.clock else {
            return;
        };
        let nested = DRIVING_MANUAL.with(|driving| driving.replace(true));
        let _driving = (!nested).then(|| {
            self.manual_driving
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        });
        // Clears the flag even if a callback panics through here.
        let _reset = ResetOnDrop(nested);
        // Virtual time stops short of `MAX_WHEN`, so saturated timers never
        // fire.
        clock.step_until(
            target,
            || self.set.wake_time(),
            |now| {
                self.check(now);
            },
        );
    }

    /// On a manual runtime: fires what is due at the next deadline, if any
    /// is at most `limit`, and returns whether time could move.
    pub(crate) fn step_manual(&self, limit: i64) -> bool {
        let next = self.set.wake_time();
        if next == NOT_ARMED || next > limit || next == MAX_WHEN {
            return false;
        }
        self.run_until(next.max(self.now_nanos()));
        true
    }
}

impl DrivenSet for RuntimeShared {
    fn now(&self) -> i64 {
        self.now_nanos()
    }

    /// Checks the set at `now` with `now` and this runtime published to
    /// callbacks (restored afterwards, also if a callback panics through).
    fn check(&self, now: i64) -> i64 {
        struct Restore(i64, *const RuntimeShared);
        impl Drop for Restore {
            fn drop(&mut self) {
                CHECK_NOW.with(|cell| cell.set(self.0));
                CHECKING.with(|cell| cell.set(self.1));
            }
        }
        let _restore = Restore(
            CHECK_NOW.with(|cell| cell.replace(now)),
            CHECKING.with(|cell| cell.replace(self)),
        );
        self.note_check();
        self.set.check(now)
    }

    /// The set's wake time, or earlier when the wheel's cascade ahead needs
    /// a check (see `AnySet::maintenance_time`).
    fn wake_time(&self) -> i64 {
        self.set.next_check_time()
    }

    fn waker(&self) -> &DriverWaker {
        &self.driver
    }
}

/// Restores `DRIVING_MANUAL` to its value before `run_until`.
struct ResetOnDrop(bool);

impl Drop for ResetOnDrop {
    fn drop(&mut self) {
        DRIVING_MANUAL.with(|driving| driving.set(self.0));
    }
}

/// Timer set + clock + driver: where [`Timer`](crate::Timer)s,
/// [`Ticker`](crate::Ticker)s and [`AfterFunc`](crate::AfterFunc)s live.
///
/// Cloning gives another handle to the same runtime. When the last handle
/// is dropped the driver stops and every timer is disarmed and its callback
/// freed; timers that outlive it never fire. A callback that captures a
/// `Runtime` handle keeps the runtime alive for as long as its timer holds
/// the callback (the handle sits in the runtime's own timer set), so
/// capture the timer handles or channels a callback needs rather than the
/// runtime; a callback that must reach the runtime itself can hold a `Weak`
/// of an `Arc<Runtime>` that the program owns. A callback that holds its
/// own timer's handle is freed with the runtime, on either backend.
///
/// On Linux the driver thread (named `gowheel-driver`) sets its own timer
/// slack to 1 ns, so that the kernel ends its sleeps at the deadline rather
/// than up to 50 µs later; threads that callbacks spawn from it inherit
/// that slack.
///
/// ```
/// use gowheel::Runtime;
/// use std::time::Duration;
///
/// // A deterministic runtime for tests: time moves only when told.
/// let runtime = Runtime::builder().manual_clock().build();
/// let timer = runtime.new_timer(Duration::from_millis(50));
/// assert!(timer.receiver().try_recv().is_err());
/// runtime.advance(Duration::from_millis(50));
/// let fired_at = timer.receiver().try_recv().unwrap();
/// assert_eq!(fired_at - runtime.start(), Duration::from_millis(50));
/// ```
#[derive(Clone)]
pub struct Runtime {
    owner: Arc<RuntimeOwner>,
}

/// The owning side of a runtime: stops the driver and clears the set when
/// the last `Runtime` handle goes.
struct RuntimeOwner {
    shared: Arc<RuntimeShared>,
    /// What `AfterFunc` handles hold to keep `shared` alive.
    anchors: Anchors<RuntimeShared>,
    /// The driver thread, on a real clock.
    driver: Option<DriverThread>,
}

impl Drop for RuntimeOwner {
    fn drop(&mut self) {
        // Stops the driver (and joins it, unless this runs on it) before
        // the set is cleared.
        drop(self.driver.take());
        self.shared.set.clear();
        // Release: pairs with the Acquire load in `is_shut_down`.
        self.shared.shut_down.store(true, Ordering::Release);
        // Everything recorded is written before the last handle goes.
        if let Some(recorder) = &self.shared.recorder
            && let Err(error) = recorder.close()
        {
            eprintln!("gowheel: recording failed: {error}");
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("backend", &self.backend())
            .field("manual", &self.is_manual())
            .field("stats", &self.stats())
            .finish()
    }
}

/// A recording's output given to a builder, taken by the first runtime it
/// builds (a builder is `Clone`, an output is not).
type PendingOutput = Arc<Mutex<Option<Box<dyn io::Write + Send>>>>;

/// Builds a [`Runtime`]: backend, parts, clock, panic hook.
///
/// ```
/// use gowheel::{Backend, Runtime};
/// let runtime = Runtime::builder().backend(Backend::Heap).parts(4).build();
/// assert_eq!(runtime.backend(), Backend::Heap);
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct RuntimeBuilder {
    backend: Backend,
    parts: Option<usize>,
    wheel: WheelConfig,
    manual: bool,
    panic_hook: PanicHook,
    /// Where `record` sends the trace; taken by the first build.
    record: Option<PendingOutput>,
    metrics: bool,
}

impl fmt::Debug for RuntimeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeBuilder")
            .field("backend", &self.backend)
            .field("parts", &self.parts)
            .field("wheel", &self.wheel)
            .field("manual", &self.manual)
            .field("record", &self.record.is_some())
            .field("metrics", &self.metrics)
            .finish_non_exhaustive()
    }
}

impl Default for RuntimeBuilder {
    fn default() -> RuntimeBuilder {
        RuntimeBuilder {
            backend: Backend::Wheel,
            parts: None,
            wheel: WheelConfig::default(),
            manual: false,
            panic_hook: default_panic_hook(),
            record: None,
            metrics: false,
        }
    }
}

impl RuntimeBuilder {
    /// Chooses the timer set (default: the wheel).
    ///
    /// ```
    /// use gowheel::{Backend, Runtime};
    /// let runtime = Runtime::builder().backend(Backend::Heap).manual_clock().build();
    /// assert_eq!(runtime.backend(), Backend::Heap);
    /// ```
    pub fn backend(mut self, backend: Backend) -> RuntimeBuilder {
        self.backend = backend;
        self
    }

    /// Sets the number of independently locked parts: the wheel's stripes
    /// or the heap's shards (default: one per CPU).
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().parts(2).manual_clock().build();
    /// # drop(runtime);
    /// ```
    pub fn parts(mut self, parts: usize) -> RuntimeBuilder {
        self.parts = Some(parts);
        self
    }

    /// Sets the wheel's shape (ignored by the heap); `parts` overrides its
    /// stripe count.
    ///
    /// ```
    /// use gowheel::{Runtime, WheelConfig};
    /// let runtime = Runtime::builder().wheel_config(WheelConfig::default().tick_shift(16)).build();
    /// # drop(runtime);
    /// ```
    pub fn wheel_config(mut self, config: WheelConfig) -> RuntimeBuilder {
        self.wheel = config;
        self
    }

    /// Uses a manual clock: virtual time starting at zero that moves only
    /// through [`Runtime::advance`] and the runtime's blocking calls. No
    /// driver thread is started.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// assert!(runtime.is_manual());
    /// ```
    pub fn manual_clock(mut self) -> RuntimeBuilder {
        self.manual = true;
        self
    }

    /// Sets what to do when a callback panics. The default prints the panic
    /// to stderr. Either way the runtime carries on with the other timers.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder()
    ///     .panic_hook(|panic: &gowheel::CallbackPanic| eprintln!("timer: {panic}"))
    ///     .build();
    /// # drop(runtime);
    /// ```
    pub fn panic_hook(
        mut self,
        hook: impl Fn(&CallbackPanic) + Send + Sync + 'static,
    ) -> RuntimeBuilder {
        self.panic_hook = Arc::new(hook);
        self
    }

    /// Records every time-package operation the runtime serves, and every
    /// firing, to `output` as a timed trace (the format of
    /// `compat-tests/traces/go/FORMAT.md`, section "Timed traces"): creations, stops and resets
    /// with their answers, receives, and each firing with its deadline and
    /// the time it ran, each line stamped with its time and thread. A
    /// writer thread formats and writes; the timer paths only queue.
    /// Everything is written by [`Runtime::flush_record`] and when the last
    /// handle is dropped. Only the first runtime built from this builder
    /// (or its clones) records.
    ///
    /// ```
    /// use std::time::Duration;
    /// let path = std::env::temp_dir().join(format!("gowheel-doc-{}.trace", std::process::id()));
    /// let runtime = gowheel::Runtime::builder()
    ///     .manual_clock()
    ///     .record(std::fs::File::create(&path).unwrap())
    ///     .build();
    /// let timer = runtime.new_timer(Duration::from_secs(1));
    /// assert!(timer.stop());
    /// runtime.flush_record().unwrap();
    /// let trace = std::fs::read_to_string(&path).unwrap();
    /// assert!(trace.contains(" chan 0 1000000000\n"));
    /// assert!(trace.contains(" stop 0 -> true\n"));
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn record(mut self, output: impl io::Write + Send + 'static) -> RuntimeBuilder {
        self.record = Some(Arc::new(Mutex::new(Some(Box::new(output)))));
        self
    }

    /// Keeps [`RuntimeMetrics`]: counts of what the runtime served, firing
    /// lateness, driver wake-ups, the longest callback, read with
    /// [`Runtime::metrics`]. They cost a few relaxed atomic additions per
    /// operation, on cache lines of the calling thread's own stripe.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().metrics().build();
    /// assert_eq!(runtime.metrics().unwrap().created, 0);
    /// ```
    pub fn metrics(mut self) -> RuntimeBuilder {
        self.metrics = true;
        self
    }

    /// Builds the runtime, starting its driver thread on a real clock.
    ///
    /// # Panics
    ///
    /// If the configuration is invalid (see [`try_build`](Self::try_build)).
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().build();
    /// assert!(!runtime.is_manual());
    /// ```
    #[must_use]
    pub fn build(self) -> Runtime {
        match self.try_build() {
            Ok(runtime) => runtime,
            Err(error) => panic!("gowheel: {error}"),
        }
    }

    /// Builds the runtime, or says why the configuration is invalid (zero
    /// parts, or a bad wheel shape), or why the driver thread could not be
    /// started.
    ///
    /// ```
    /// assert!(gowheel::Runtime::builder().parts(0).try_build().is_err());
    /// ```
    pub fn try_build(self) -> Result<Runtime, BuildError> {
        if self.parts == Some(0) {
            return Err(BuildError(
                "a runtime needs at least one stripe or shard".to_owned(),
            ));
        }
        let wheel = match self.parts {
            Some(stripes) => self.wheel.stripes(stripes),
            None => self.wheel,
        };
        wheel
            .validate()
            .map_err(|error| BuildError(error.to_string()))?;
        let clock = if self.manual {
            Clock::Manual(ManualClock::new(EPOCH_OFFSET))
        } else {
            Clock::Real
        };
        let output = self.record.and_then(|output| {
            output
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take()
        });
        let recorder = match output {
            Some(output) => Some(Recorder::start(output).map_err(|error| {
                BuildError(format!("cannot start the recorder thread: {error}"))
            })?),
            None => None,
        };
        let shared = Arc::new(RuntimeShared {
            recorder,
            metrics: self.metrics.then(Metrics::new),
            set: AnySet::new(self.backend, self.parts, wheel),
            clock,
            start: RuntimeStart::now(),
            panic_hook: self.panic_hook,
            driver: DriverWaker::new(),
            manual_driving: Mutex::new(()),
            shut_down: AtomicBool::new(false),
        });
        let driver = if self.manual {
            None
        } else {
            let thread = DriverThread::spawn(shared.clone())
                .map_err(|error| BuildError(format!("cannot start the driver thread: {error}")))?;
            Some(thread)
        };
        Ok(Runtime {
            owner: Arc::new(RuntimeOwner {
                anchors: Anchors::new(&shared),
                shared,
                driver,
            }),
        })
    }
}

/// Why a [`RuntimeBuilder`] could not build a runtime.
///
/// ```
/// let error = gowheel::Runtime::builder().parts(0).try_build().unwrap_err();
/// assert!(error.to_string().contains("at least one"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot build the runtime: {}", self.0)
    }
}

impl std::error::Error for BuildError {}

/// Why [`Runtime::try_advance`] refused: the runtime runs on the real
/// clock, whose time cannot be moved.
///
/// ```
/// let error = gowheel::Runtime::builder().build().try_advance(std::time::Duration::ZERO).unwrap_err();
/// assert!(error.to_string().contains("manual-clock"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotManualClock;

impl fmt::Display for NotManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("advance() needs a manual-clock runtime (Runtime::builder().manual_clock())")
    }
}

impl std::error::Error for NotManualClock {}

impl Default for Runtime {
    /// A wheel runtime on the real clock.
    fn default() -> Runtime {
        Runtime::new()
    }
}

impl Runtime {
    /// A wheel runtime on the real clock, with its driver thread.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::new();
    /// assert_eq!(runtime.backend(), gowheel::Backend::Wheel);
    /// ```
    #[must_use]
    pub fn new() -> Runtime {
        RuntimeBuilder::default().build()
    }

    /// A builder for a runtime with other settings.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// # drop(runtime);
    /// ```
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder::default()
    }

    pub(crate) fn shared(&self) -> &Arc<RuntimeShared> {
        &self.owner.shared
    }

    /// The anchor for a handle made on the calling thread to hold (see
    /// [`Anchors`]).
    pub(crate) fn anchor(&self) -> &Arc<RuntimeAnchor> {
        self.owner.anchors.for_this_thread()
    }

    /// The backend this runtime runs on.
    ///
    /// ```
    /// assert_eq!(gowheel::Runtime::new().backend(), gowheel::Backend::Wheel);
    /// ```
    pub fn backend(&self) -> Backend {
        self.shared().set.backend()
    }

    /// Whether this runtime runs on a manual clock.
    ///
    /// ```
    /// assert!(!gowheel::Runtime::new().is_manual());
    /// ```
    pub fn is_manual(&self) -> bool {
        self.shared().is_manual()
    }

    /// The instant the runtime started: virtual time zero on a manual clock.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// assert_eq!(runtime.now(), runtime.start());
    /// ```
    pub fn start(&self) -> Instant {
        self.shared().start.instant()
    }

    /// The runtime's current time.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// runtime.advance(Duration::from_secs(3));
    /// assert_eq!(runtime.now() - runtime.start(), Duration::from_secs(3));
    /// ```
    pub fn now(&self) -> Instant {
        let shared = self.shared();
        shared.instant_of(shared.now_nanos())
    }

    /// Time since the runtime started.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// runtime.advance(Duration::from_nanos(7));
    /// assert_eq!(runtime.elapsed(), Duration::from_nanos(7));
    /// ```
    pub fn elapsed(&self) -> Duration {
        let nanos = self.shared().now_nanos() - EPOCH_OFFSET;
        Duration::from_nanos(nanos.max(0) as u64)
    }

    /// Moves a manual clock forward by `duration`, firing everything due on
    /// the way in deadline order; each callback runs on this thread and sees
    /// the clock at its own deadline. Timers that callbacks arm fire too if
    /// they fall due in time. An overflowing duration saturates.
    ///
    /// # Panics
    ///
    /// On a real-clock runtime, whose time cannot be moved;
    /// [`try_advance`](Self::try_advance) returns an error instead.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// let ticker = runtime.new_ticker(Duration::from_millis(10));
    /// runtime.advance(Duration::from_millis(35));
    /// // One value: the channel holds one tick, later ticks were dropped.
    /// let tick = ticker.receiver().try_recv().unwrap();
    /// assert_eq!(tick - runtime.start(), Duration::from_millis(10));
    /// assert!(ticker.receiver().try_recv().is_err());
    /// ```
    pub fn advance(&self, duration: Duration) {
        if let Err(error) = self.try_advance(duration) {
            panic!("gowheel: {error}");
        }
    }

    /// [`advance`](Self::advance), or an error (nothing done) on a
    /// real-clock runtime.
    ///
    /// ```
    /// use std::time::Duration;
    /// let real = gowheel::Runtime::builder().build();
    /// assert!(real.try_advance(Duration::from_secs(1)).is_err());
    /// let manual = gowheel::Runtime::builder().manual_clock().build();
    /// assert!(manual.try_advance(Duration::from_secs(1)).is_ok());
    /// assert_eq!(manual.elapsed(), Duration::from_secs(1));
    /// ```
    pub fn try_advance(&self, duration: Duration) -> Result<(), NotManualClock> {
        let shared = self.shared();
        if !shared.is_manual() {
            return Err(NotManualClock);
        }
        shared.run_until(shared.deadline_after(duration));
        Ok(())
    }

    /// Counts of what the runtime's timer set holds.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// assert_eq!(runtime.stats().filed, 0);
    /// ```
    pub fn stats(&self) -> TimerSetStats {
        self.shared().set.stats()
    }

    /// What the runtime has served, if it was built with
    /// [`metrics`](RuntimeBuilder::metrics); `None` otherwise.
    ///
    /// ```
    /// use std::time::Duration;
    /// let runtime = gowheel::Runtime::builder().manual_clock().metrics().build();
    /// let timer = runtime.after_func(Duration::from_millis(5), || {});
    /// runtime.advance(Duration::from_millis(5));
    /// let metrics = runtime.metrics().unwrap();
    /// assert_eq!((metrics.created, metrics.fired, metrics.live), (1, 1, 0));
    /// assert_eq!(metrics.lateness.max, Duration::ZERO); // a manual clock is never late
    /// # drop(timer);
    /// assert!(gowheel::Runtime::builder().manual_clock().build().metrics().is_none());
    /// ```
    pub fn metrics(&self) -> Option<RuntimeMetrics> {
        let shared = self.shared();
        let metrics = shared.metrics.as_ref()?;
        let stats = shared.set.stats();
        Some(metrics.snapshot(
            stats.filed - stats.zombies,
            stats.zombies,
            shared.set.node_bytes(),
        ))
    }

    /// Writes out everything recorded so far, if the runtime was built
    /// with [`record`](RuntimeBuilder::record), and flushes the output;
    /// returns at once otherwise.
    ///
    /// # Errors
    ///
    /// The first I/O error the recording met (after which it stopped
    /// writing).
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().record(std::io::sink()).build();
    /// runtime.flush_record().unwrap();
    /// ```
    pub fn flush_record(&self) -> io::Result<()> {
        match &self.shared().recorder {
            Some(recorder) => recorder.flush(),
            None => Ok(()),
        }
    }

    /// Checks every invariant of the runtime's timer set (see
    /// [`TimerSet::verify`](crate::TimerSet::verify)); for tests.
    ///
    /// ```
    /// let runtime = gowheel::Runtime::builder().manual_clock().build();
    /// runtime.verify();
    /// ```
    pub fn verify(&self) {
        self.shared().set.verify();
    }
}

/// The process-wide runtime behind the free functions and `::new`
/// constructors: a wheel on the real clock, created on first use.
///
/// It lives for the rest of the process: it is a `static` and is never
/// dropped, so its driver thread (`gowheel-driver`) keeps running until the
/// process exits, and timers on it are never disarmed by a shutdown (a
/// [`Runtime`] you build stops its driver when its last handle goes). Its
/// receivers never report [`TryRecvError::Disconnected`](crate::TryRecvError::Disconnected).
///
/// ```
/// let runtime = gowheel::default_runtime();
/// assert_eq!(runtime.backend(), gowheel::Backend::Wheel);
/// ```
pub fn default_runtime() -> &'static Runtime {
    static DEFAULT: OnceLock<Runtime> = OnceLock::new();
    DEFAULT.get_or_init(Runtime::new)
}
