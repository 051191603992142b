//! Bad input, one case a test: durations that overflow (they saturate to a
//! deadline that is never reached, never wrap around to one in the past),
//! zero ticker periods (a clear error or panic, the ticker unchanged),
//! `when <= 0` and negative periods at the runtime layer (a panic naming
//! the value, the set unchanged), and malformed replay traces (an error
//! naming the file and the line).
//!
//! The time-package cases run on both backends on a manual clock, whose
//! virtual time stops one nanosecond short of the saturated deadline, so
//! that even `advance(Duration::MAX)` fires none of them; one case checks
//! the same on a real clock. The runtime-layer cases run on the wheel and
//! on the heap in two shapes each.

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{EVENTUALLY, on_both_backends};
use fastrand::Rng;
use gowheel::{
    Backend, Callback, HeapTimerSet, MAX_SHARDS, MAX_WHEN, ManualClock, ModifyArgsError, NOT_ARMED,
    NonPositiveInterval, NotManualClock, Runtime, ShardCountError, TimerSet, TimingWheel,
    WheelConfig, check_modify_args, validate_modify_args,
};
use gowheel_compat_tests::panics::{expect_panic, lock};
use gowheel_compat_tests::replay::{ReplayError, Trace, trace_files};
use gowheel_compat_tests::watchdog::Watchdog;

const SECOND: Duration = Duration::from_secs(1);

fn manual(backend: Backend) -> Runtime {
    Runtime::builder().backend(backend).manual_clock().build()
}

/// Durations whose deadline overflows once the clock has moved 1 s:
/// beyond `i64` nanoseconds, or within `i64` but too far from now.
fn overflowing_durations() -> [Duration; 5] {
    [
        Duration::MAX,
        Duration::from_secs(u64::MAX),
        Duration::from_nanos(u64::MAX),
        Duration::from_nanos(i64::MAX as u64),
        Duration::from_nanos(i64::MAX as u64 - 500_000_000),
    ]
}

/// A flag a callback sets.
fn flag() -> (Arc<AtomicBool>, impl Fn() + Send + Sync + 'static) {
    let flag = Arc::new(AtomicBool::new(false));
    let set = flag.clone();
    (flag, move || set.store(true, Ordering::SeqCst))
}

// ---- Durations that overflow ------------------------------------------------

/// `new_timer(Duration::MAX)` never fires, even when the clock is moved by
/// `Duration::MAX`; it stays pending.
fn duration_max_timer_never_fires(backend: Backend) {
    let runtime = manual(backend);
    let timer = runtime.new_timer(Duration::MAX);
    runtime.advance(Duration::MAX);
    assert!(timer.receiver().try_recv().is_err());
    assert!(timer.stop(), "still pending at the saturated deadline");
}

/// `after_func(Duration::MAX, f)` never runs `f`.
fn duration_max_after_func_never_runs(backend: Backend) {
    let runtime = manual(backend);
    let (ran, set) = flag();
    let timer = runtime.after_func(Duration::MAX, set);
    runtime.advance(Duration::MAX);
    assert!(!ran.load(Ordering::SeqCst));
    assert!(timer.stop(), "still pending at the saturated deadline");
}

/// `new_ticker(Duration::MAX)` never ticks.
fn duration_max_ticker_never_ticks(backend: Backend) {
    let runtime = manual(backend);
    let ticker = runtime.new_ticker(Duration::MAX);
    runtime.advance(Duration::MAX);
    assert!(ticker.receiver().try_recv().is_err());
    ticker.reset(Duration::MAX);
    runtime.advance(Duration::MAX);
    assert!(ticker.receiver().try_recv().is_err());
}

/// Durations whose deadline overflows from a clock that has moved on, on
/// every constructor and on `reset`: they saturate (never fire), they do
/// not wrap around to a deadline in the past (which would fire at once),
/// and an ordinary timer still fires at its deadline among them.
fn overflowing_deadlines_saturate_and_never_wrap(backend: Backend) {
    let runtime = manual(backend);
    runtime.advance(SECOND);
    let control = runtime.new_timer(SECOND);
    let mut timers = Vec::new();
    let mut funcs = Vec::new();
    let mut tickers = Vec::new();
    let mut flags = Vec::new();
    for duration in overflowing_durations() {
        timers.push(runtime.new_timer(duration));
        let (ran, set) = flag();
        funcs.push(runtime.after_func(duration, set));
        flags.push(ran);
        tickers.push(runtime.new_ticker(duration));
        // Reset to an overflowing duration: a fired timer, a pending one.
        let fired = runtime.new_timer(Duration::ZERO);
        runtime.advance(Duration::ZERO);
        assert!(fired.receiver().try_recv().is_ok());
        assert!(!fired.reset(duration), "fired and received: not pending");
        timers.push(fired);
        let (ran, set) = flag();
        let pending = runtime.after_func(SECOND, set);
        assert!(pending.reset(duration));
        funcs.push(pending);
        flags.push(ran);
    }
    runtime.advance(Duration::MAX);
    let at = control
        .receiver()
        .try_recv()
        .expect("the ordinary timer fired");
    assert_eq!(at - runtime.start(), 2 * SECOND);
    for (index, timer) in timers.iter().enumerate() {
        assert!(timer.receiver().try_recv().is_err(), "timer {index} fired");
        assert!(timer.stop(), "timer {index} is still pending");
    }
    for (index, (func, ran)) in funcs.iter().zip(&flags).enumerate() {
        assert!(!ran.load(Ordering::SeqCst), "after_func {index} ran");
        assert!(func.stop(), "after_func {index} is still pending");
    }
    for (index, ticker) in tickers.iter().enumerate() {
        assert!(
            ticker.receiver().try_recv().is_err(),
            "ticker {index} ticked"
        );
    }
}

/// `sleep(Duration::MAX)` on a manual clock moves virtual time to one
/// nanosecond short of the saturated deadline and returns, firing nothing
/// saturated; from there every positive duration saturates (nothing
/// wraps), while a zero duration is still due now.
fn sleep_duration_max_on_a_manual_clock_stops_short_of_saturated_deadlines(backend: Backend) {
    let runtime = manual(backend);
    let timer = runtime.new_timer(Duration::MAX);
    let (ran, set) = flag();
    let func = runtime.after_func(Duration::from_nanos(u64::MAX), set);
    let sleeper = runtime.clone();
    // The runtime starts at internal time 1 and stops at MAX_WHEN - 1.
    sleeper.sleep(Duration::MAX);
    assert_eq!(runtime.elapsed(), Duration::from_nanos(MAX_WHEN as u64 - 2));
    assert!(timer.receiver().try_recv().is_err());
    assert!(!ran.load(Ordering::SeqCst));

    let late = runtime.new_timer(Duration::from_nanos(1));
    let late_ticker = runtime.new_ticker(Duration::from_nanos(1));
    let now = runtime.new_timer(Duration::ZERO);
    runtime.sleep(Duration::MAX);
    runtime.advance(Duration::MAX);
    assert!(
        late.receiver().try_recv().is_err(),
        "1 ns from the end of time saturates"
    );
    assert!(late_ticker.receiver().try_recv().is_err());
    assert!(
        now.receiver().try_recv().is_ok(),
        "a zero duration is due now"
    );
    assert!(timer.stop() && func.stop() && late.stop());
}

/// A ticker whose first tick is representable but whose second overflows
/// ticks once, then stays pending at the saturated deadline.
fn ticker_whose_next_tick_overflows_ticks_once(backend: Backend) {
    let runtime = manual(backend);
    let period = Duration::from_nanos(1 << 62);
    let ticker = runtime.new_ticker(period);
    runtime.advance(period);
    let tick = ticker.receiver().try_recv().expect("the first tick");
    assert_eq!(tick - runtime.start(), period);
    runtime.advance(Duration::MAX);
    assert!(
        ticker.receiver().try_recv().is_err(),
        "the second tick overflows"
    );
}

/// `recv_timeout(Duration::MAX)` on a manual clock waits for the value
/// (its own deadline saturates: it never times out).
fn recv_timeout_duration_max_waits_for_the_value(backend: Backend) {
    let runtime = manual(backend);
    let timer = runtime.new_timer(3 * SECOND);
    let value = timer.receiver().recv_timeout(Duration::MAX);
    assert_eq!(value.map(|at| at - runtime.start()), Some(3 * SECOND));
}

/// On a real clock: timers at overflowing durations stay pending while an
/// ordinary timer fires (liveness only: within 10 s).
fn overflowing_durations_on_a_real_clock_stay_pending(backend: Backend) {
    let runtime = Runtime::builder().backend(backend).build();
    let timer = runtime.new_timer(Duration::MAX);
    let (ran, set) = flag();
    let func = runtime.after_func(Duration::from_nanos(i64::MAX as u64), set);
    let ticker = runtime.new_ticker(Duration::from_secs(u64::MAX));
    let control = runtime.after(Duration::from_millis(20));
    assert!(
        control.recv_timeout(EVENTUALLY).is_some(),
        "an ordinary timer fires"
    );
    assert!(timer.receiver().try_recv().is_err());
    assert!(!ran.load(Ordering::SeqCst));
    assert!(ticker.receiver().try_recv().is_err());
    assert!(timer.stop() && func.stop());
}

// ---- Zero ticker periods and resets to zero ---------------------------------

/// A zero period is refused by every ticker constructor: an error from the
/// `try_` forms, a panic naming the problem from the others, and nothing
/// filed either way.
fn zero_period_ticker_is_refused_with_a_clear_error(backend: Backend) {
    let runtime = manual(backend);
    let error = runtime.try_new_ticker(Duration::ZERO).unwrap_err();
    assert_eq!(error, NonPositiveInterval);
    assert_eq!(error.to_string(), "non-positive interval for a ticker");
    assert!(runtime.try_tick(Duration::ZERO).is_err());
    let message = expect_panic(|| runtime.new_ticker(Duration::ZERO));
    assert_eq!(message, "gowheel: non-positive interval for a new ticker");
    let message = expect_panic(|| runtime.tick(Duration::ZERO));
    assert!(message.contains("non-positive interval"), "{message}");
    assert_eq!(runtime.stats().filed, 0, "a refused ticker files nothing");
}

/// `try_reset(0)` is an error and `reset(0)` panics, each leaving the
/// ticker exactly as it was: its unreceived tick still there, its next
/// tick on its old period.
fn zero_period_ticker_reset_is_refused_and_leaves_the_ticker_unchanged(backend: Backend) {
    let runtime = manual(backend);
    let ticker = runtime.new_ticker(10 * SECOND);
    runtime.advance(10 * SECOND);
    assert_eq!(ticker.try_reset(Duration::ZERO), Err(NonPositiveInterval));
    let message = expect_panic(|| ticker.reset(Duration::ZERO));
    assert_eq!(message, "gowheel: non-positive interval for Ticker::reset");
    let tick = ticker
        .receiver()
        .try_recv()
        .expect("the unreceived tick is kept");
    assert_eq!(tick - runtime.start(), 10 * SECOND);
    runtime.advance(10 * SECOND);
    let tick = ticker
        .receiver()
        .try_recv()
        .expect("ticking on the old period");
    assert_eq!(tick - runtime.start(), 20 * SECOND);

    // A stopped ticker stays stopped.
    ticker.stop();
    assert!(ticker.try_reset(Duration::ZERO).is_err());
    runtime.advance(30 * SECOND);
    assert!(ticker.receiver().try_recv().is_err());
}

/// A reset to zero is valid for timers (Go: due now), and fires at once,
/// exactly at the time of the reset.
fn timer_reset_to_zero_fires_at_once(backend: Backend) {
    let runtime = manual(backend);
    let timer = runtime.new_timer(10 * SECOND);
    runtime.advance(SECOND);
    assert!(timer.reset(Duration::ZERO));
    runtime.advance(Duration::ZERO);
    let at = timer.receiver().try_recv().expect("fired at once");
    assert_eq!(at - runtime.start(), SECOND);
    let (ran, set) = flag();
    let func = runtime.after_func(10 * SECOND, set);
    assert!(func.reset(Duration::ZERO));
    runtime.advance(Duration::ZERO);
    assert!(ran.load(Ordering::SeqCst));
}

on_both_backends!(
    duration_max_timer_never_fires,
    duration_max_after_func_never_runs,
    duration_max_ticker_never_ticks,
    overflowing_deadlines_saturate_and_never_wrap,
    sleep_duration_max_on_a_manual_clock_stops_short_of_saturated_deadlines,
    ticker_whose_next_tick_overflows_ticks_once,
    recv_timeout_duration_max_waits_for_the_value,
    overflowing_durations_on_a_real_clock_stay_pending,
    zero_period_ticker_is_refused_with_a_clear_error,
    zero_period_ticker_reset_is_refused_and_leaves_the_ticker_unchanged,
    timer_reset_to_zero_fires_at_once,
    zero_durations_are_due_now_everywhere,
    one_nanosecond_ticker_keeps_the_first_unreceived_tick,
    huge_periods_never_tick_and_tick_refuses_zero,
    operations_at_the_end_of_virtual_time,
);

// ---- The runtime layer: `when <= 0`, negative periods -----------------------

/// `(callback name, seq, delay)` of every run.
type Runs = Arc<Mutex<Vec<(&'static str, u64, i64)>>>;

fn recording(runs: &Runs, name: &'static str) -> Callback {
    let runs = runs.clone();
    gowheel::callback(move |seq, delay| lock(&runs).push((name, seq, delay)))
}

/// A set holding a pending one-shot timer (at 1000, seq 7), a periodic
/// one (at 500, every 100, seq 9) and one never armed, all with the
/// callback "original"; `bad` is called on each, must panic with a message
/// containing `needle` and the bad value, and must leave everything as it
/// was: wake time, counts, invariants, and then exactly the same firings.
fn refused_and_unchanged<S: TimerSet>(
    set: S,
    bad_values: &[i64],
    bad: impl Fn(&S, &S::Timer, i64, Callback),
    needle: &str,
) {
    let runs: Runs = Arc::default();
    let original = recording(&runs, "original");
    let replacement = recording(&runs, "replacement");
    let one_shot = set.new_timer(original.clone());
    let periodic = set.new_timer(original.clone());
    let unarmed = set.new_timer(original.clone());
    assert!(!set.modify(&one_shot, 1_000, 0, Some(original.clone()), 7));
    assert!(!set.modify(&periodic, 500, 100, Some(original.clone()), 9));
    let (wake, stats) = (set.wake_time(), set.stats());

    for &value in bad_values {
        for (name, timer) in [
            ("one-shot", &one_shot),
            ("periodic", &periodic),
            ("unarmed", &unarmed),
        ] {
            let message = expect_panic(|| bad(&set, timer, value, replacement.clone()));
            assert!(
                message.contains(needle) && message.contains(&value.to_string()),
                "{name} timer, bad value {value}: the panic message `{message}` does not name it"
            );
            set.verify();
            assert_eq!(
                set.wake_time(),
                wake,
                "{name}, {value}: the wake time changed"
            );
            assert_eq!(set.stats(), stats, "{name}, {value}: the counts changed");
        }
    }

    assert_eq!(set.check(499), wake);
    assert!(lock(&runs).is_empty(), "nothing is due before 500");
    set.check(1_000);
    // The periodic timer at 500 (delay 500: one run, re-armed at 1100), the
    // one-shot at 1000; both with their original callback and seq.
    let mut seen = lock(&runs).clone();
    seen.sort();
    assert_eq!(seen, vec![("original", 7, 0), ("original", 9, 500)]);
    assert!(!set.stop(&one_shot), "fired");
    assert!(set.stop(&periodic), "re-armed, pending");
    assert!(!set.stop(&unarmed), "never armed");
    set.verify();
}

/// `modify` and `reset` with `when <= 0` panic naming the value and change
/// nothing.
fn non_positive_when_panics_naming_the_value_and_changes_nothing<S: TimerSet>(set: S) {
    let values = [0, -1, -1_000, i64::MIN];
    let needle = "`when` must be positive";
    refused_and_unchanged(
        set,
        &values,
        |set, timer, when, callback| {
            set.modify(timer, when, 0, Some(callback), 99);
        },
        needle,
    );
}

/// `reset` with `when <= 0`, through the trait's default method.
fn non_positive_when_in_reset_panics_and_changes_nothing<S: TimerSet>(set: S) {
    let values = [0, -7, i64::MIN];
    refused_and_unchanged(
        set,
        &values,
        |set, timer, when, _| {
            set.reset(timer, when, 0);
        },
        "`when` must be positive",
    );
}

/// A negative period panics naming the value and changes nothing.
fn negative_period_panics_naming_the_value_and_changes_nothing<S: TimerSet>(set: S) {
    let values = [-1, -1_000_000, i64::MIN];
    refused_and_unchanged(
        set,
        &values,
        |set, timer, period, callback| {
            set.modify(timer, 2_000, period, Some(callback), 99);
        },
        "`period` must be non-negative",
    );
}

/// Both bad: `when` is named (it is checked first).
fn bad_when_and_period_name_the_when<S: TimerSet>(set: S) {
    let values = [-3];
    refused_and_unchanged(
        set,
        &values,
        |set, timer, when, _| {
            set.reset(timer, when, -5);
        },
        "`when` must be positive",
    );
}

/// Instantiates the runtime-layer bodies for each named set factory.
macro_rules! runtime_layer_tests {
    ($($module:ident: $new_set:expr),* $(,)?) => {
        $(
            mod $module {
                use super::*;

                #[test]
                fn non_positive_when_panics_naming_the_value_and_changes_nothing() {
                    super::non_positive_when_panics_naming_the_value_and_changes_nothing($new_set);
                }

                #[test]
                fn non_positive_when_in_reset_panics_and_changes_nothing() {
                    super::non_positive_when_in_reset_panics_and_changes_nothing($new_set);
                }

                #[test]
                fn negative_period_panics_naming_the_value_and_changes_nothing() {
                    super::negative_period_panics_naming_the_value_and_changes_nothing($new_set);
                }

                #[test]
                fn bad_when_and_period_name_the_when() {
                    super::bad_when_and_period_name_the_when($new_set);
                }
            }
        )*
    };
}

runtime_layer_tests!(
    runtime_layer_wheel: TimingWheel::default(),
    runtime_layer_wheel_one_stripe: TimingWheel::new(WheelConfig::default().stripes(1)),
    runtime_layer_heap: HeapTimerSet::new(1),
    runtime_layer_heap_four_shards: HeapTimerSet::new(4),
);

/// The validator every backend calls first names the bad value.
#[test]
fn validate_modify_args_names_the_bad_value() {
    validate_modify_args(1, 0);
    validate_modify_args(MAX_WHEN, i64::MAX);
    assert_eq!(
        expect_panic(|| validate_modify_args(0, 0)),
        "gowheel: timer `when` must be positive (0 means not armed), got 0"
    );
    assert_eq!(
        expect_panic(|| validate_modify_args(i64::MIN, 0)),
        format!(
            "gowheel: timer `when` must be positive (0 means not armed), got {}",
            i64::MIN
        )
    );
    assert_eq!(
        expect_panic(|| validate_modify_args(5, -9)),
        "gowheel: timer `period` must be non-negative, got -9"
    );
}

// ---- Malformed replay input -------------------------------------------------

/// A scratch directory for trace files, removed when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(name: &str) -> ScratchDir {
        let path =
            std::env::temp_dir().join(format!("gowheel-bad-input-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("cannot create a scratch directory");
        ScratchDir(path)
    }

    fn write(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("cannot write a scratch file");
        path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Checks that `error` is a parse error of `file` at `line` whose message
/// contains `needle`, and that its rendering names both.
#[track_caller]
fn assert_parse_error(error: &ReplayError, file: &str, line: usize, needle: &str) {
    assert!(
        matches!(error, ReplayError::Parse { .. }),
        "expected a parse error, got {error:?}"
    );
    assert!(!error.is_mismatch());
    assert_eq!(error.file(), file, "{error}");
    assert_eq!(error.line(), line, "{error}");
    let rendered = error.to_string();
    assert!(
        rendered.starts_with(&format!("{file}: line {line}: ")),
        "`{rendered}` does not start with the file and line"
    );
    assert!(
        rendered.contains(needle),
        "`{rendered}` does not say `{needle}`"
    );
}

/// Malformed traces on disk, loaded by path: each is a parse error naming
/// the file's path and the offending line.
#[test]
fn malformed_trace_files_are_errors_naming_file_and_line() {
    let dir = ScratchDir::new("malformed");
    let cases: &[(&str, usize, &str)] = &[
        (
            "# trace\nchan 0 5\nadvance\n",
            3,
            "`advance` takes 1 argument",
        ),
        (
            "chan 0 5\nstop 0 -> maybe\n",
            2,
            "unexpected result `maybe`",
        ),
        (
            "advance 9223372036854775808\nnow 1\n",
            1,
            "malformed number `9223372036854775808`",
        ),
        ("chan -1 5\n", 1, "malformed ID `-1`"),
        ("chan 0 1e3\n", 1, "malformed number `1e3`"),
        ("chan 0 5\nrecv 0 ->\n", 2, "nothing after `->`"),
        (
            "chan 0 5\nrecv 0 -> none now\n",
            2,
            "more than one token after `->`",
        ),
        ("-> true\n", 1, "starts with `->`"),
        ("chan 0 5\n\0\n", 2, "unknown operation"),
        ("chan 0 5\nchan 0 5\n", 2, "ID out of sequence"),
        ("fired 0 5\n", 1, "`fired` line before any operation"),
        ("func 0 5\nadvance 5\n", 2, "missing `now` line"),
        (
            "func 0 5\nadvance 5\nfired 0 5\nnow 5\nnow 5\n",
            5,
            "second `now` line",
        ),
        ("chan 0 5\nstop 7 -> true\n", 2, "unknown ID 7"),
        ("tick 0 5\nstop 0 -> true\n", 2, "ID 0 is a ticker"),
        (
            "# windows line ends\r\nchan 0 5\r\nstop 0 -> maybe\r\n",
            3,
            "unexpected result",
        ),
    ];
    for (index, &(text, line, needle)) in cases.iter().enumerate() {
        let path = dir.write(&format!("case-{index}.trace"), text.as_bytes());
        let error = Trace::load(&path).expect_err(text);
        assert_parse_error(&error, &path.display().to_string(), line, needle);
    }
}

/// A trace file that cannot be read (missing, a directory, not UTF-8) is
/// a read error naming the path, not a panic.
#[test]
fn unreadable_trace_files_are_read_errors_naming_the_file() {
    let dir = ScratchDir::new("unreadable");
    let binary = dir.write("binary.trace", &[b'c', b'h', 0xFF, 0xFE, b'\n']);
    let missing = dir.0.join("missing.trace");
    for path in [binary.as_path(), missing.as_path(), dir.0.as_path()] {
        let error = Trace::load(path).expect_err("unreadable");
        assert!(matches!(error, ReplayError::Read { .. }), "{error:?}");
        assert_eq!(error.file(), path.display().to_string());
        assert_eq!(error.line(), 0);
        assert!(
            error.to_string().contains("cannot read the trace"),
            "{error}"
        );
    }
}

/// Collecting trace files: a missing path and a directory without traces
/// are errors naming the path.
#[test]
fn trace_directories_without_traces_are_errors_naming_the_path() {
    let dir = ScratchDir::new("empty");
    dir.write("notes.txt", b"not a trace");
    let error = trace_files(std::slice::from_ref(&dir.0)).expect_err("no traces");
    assert!(error.contains(&dir.0.display().to_string()), "{error}");
    assert!(error.contains("no *.trace files"), "{error}");
    let missing = dir.0.join("nowhere");
    let error = trace_files(std::slice::from_ref(&missing)).expect_err("missing");
    assert!(error.contains(&missing.display().to_string()), "{error}");
}

/// Random garbage built from trace-like tokens never panics the parser:
/// every input parses or is a parse error on one of its lines.
#[test]
fn garbage_traces_never_panic_the_parser() {
    const TOKENS: &[&str] = &[
        "func",
        "chan",
        "tick",
        "stop",
        "reset",
        "tstop",
        "treset",
        "recv",
        "advance",
        "wait",
        "fired",
        "now",
        "->",
        "true",
        "false",
        "none",
        "timeout",
        "panic",
        "0",
        "1",
        "-1",
        "5",
        "9223372036854775807",
        "-9223372036854775808",
        "99999999999999999999",
        "#",
        "x",
        "",
        "\t",
        "é",
        "\u{0}",
    ];
    let mut rng = Rng::with_seed(0xBAD);
    for case in 0..2_000 {
        let lines = 1 + rng.usize(..12);
        let mut text = String::new();
        for _ in 0..lines {
            let tokens = rng.usize(..5);
            let line: Vec<&str> = (0..tokens)
                .map(|_| TOKENS[rng.usize(..TOKENS.len())])
                .collect();
            text.push_str(&line.join(" "));
            text.push('\n');
        }
        let name = format!("garbage-{case}.trace");
        let parsed = std::panic::catch_unwind(|| Trace::parse(name.clone(), &text));
        match parsed {
            Err(_) => panic!("the parser panicked on:\n{text}"),
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                assert!(matches!(error, ReplayError::Parse { .. }), "{error:?}");
                assert_eq!(error.file(), name);
                assert!(
                    (1..=lines).contains(&error.line()),
                    "line {} of a {lines}-line trace:\n{text}",
                    error.line()
                );
            }
        }
    }
}

// ---- Extremes: zero, tiny and huge durations and periods --------------------

/// Zero durations are due now on every constructor and `reset`: nothing
/// runs in `sleep(0)` (Go's `time.Sleep(0)` returns at once); a blocking
/// receive with a zero timeout runs what is due, so it times out at once
/// with nothing for its own timer, virtual time unmoved, or takes a value
/// that is due; `advance(0)` runs what is due too.
fn zero_durations_are_due_now_everywhere(backend: Backend) {
    let runtime = manual(backend);
    runtime.advance(SECOND);
    let timer = runtime.new_timer(Duration::ZERO);
    let after = runtime.after(Duration::ZERO);
    let (ran, set) = flag();
    let func = runtime.after_func(Duration::ZERO, set);
    let waiting = runtime.new_timer(SECOND);

    runtime.sleep(Duration::ZERO);
    assert!(!ran.load(Ordering::SeqCst), "sleep(0) runs nothing");
    assert!(timer.receiver().try_recv().is_err());
    assert!(waiting.receiver().recv_timeout(Duration::ZERO).is_none());
    assert_eq!(runtime.elapsed(), SECOND, "a zero timeout moves nothing");
    assert!(ran.load(Ordering::SeqCst), "the receive ran what was due");
    assert!(!func.stop(), "it ran: not pending");
    let value = timer.receiver().recv_timeout(Duration::ZERO);
    assert_eq!(value.map(|at| at - runtime.start()), Some(SECOND));
    assert_eq!(
        after.try_recv().ok().map(|at| at - runtime.start()),
        Some(SECOND)
    );
    assert!(waiting.reset(Duration::ZERO));
    runtime.advance(Duration::ZERO);
    assert_eq!(
        waiting
            .receiver()
            .try_recv()
            .ok()
            .map(|at| at - runtime.start()),
        Some(SECOND)
    );
    assert_eq!(runtime.elapsed(), SECOND);
}

/// A 1 ns ticker on a manual clock ticks at every nanosecond the clock
/// passes; the channel keeps the first unreceived tick and drops the rest.
fn one_nanosecond_ticker_keeps_the_first_unreceived_tick(backend: Backend) {
    let runtime = manual(backend);
    let nanosecond = Duration::from_nanos(1);
    let ticker = runtime.new_ticker(nanosecond);
    runtime.advance(Duration::from_nanos(500));
    let first = ticker.receiver().try_recv().expect("a tick");
    assert_eq!(first - runtime.start(), nanosecond);
    assert!(ticker.receiver().try_recv().is_err(), "later ticks dropped");
    runtime.advance(nanosecond);
    let next = ticker.receiver().try_recv().expect("the tick at 501 ns");
    assert_eq!(next - runtime.start(), Duration::from_nanos(501));
    ticker.reset(nanosecond);
    assert_eq!(
        ticker
            .receiver()
            .recv_timeout(SECOND)
            .map(|at| at - runtime.start()),
        Some(Duration::from_nanos(502))
    );
}

/// Huge periods on every ticker form (`new_ticker`, `tick`, `reset`):
/// they saturate and never tick; a zero period is refused by `try_tick`.
fn huge_periods_never_tick_and_tick_refuses_zero(backend: Backend) {
    let runtime = manual(backend);
    let periods = [
        Duration::MAX,
        Duration::from_secs(u64::MAX),
        Duration::from_nanos(i64::MAX as u64),
    ];
    let mut receivers = Vec::new();
    let mut tickers = Vec::new();
    for period in periods {
        receivers.push(runtime.tick(period));
        receivers.push(runtime.try_tick(period).expect("a positive period"));
        let ticker = runtime.new_ticker(SECOND);
        ticker.reset(period);
        tickers.push(ticker);
    }
    assert_eq!(
        runtime.try_tick(Duration::ZERO).unwrap_err(),
        NonPositiveInterval
    );
    runtime.advance(Duration::MAX);
    for receiver in receivers.iter().chain(tickers.iter().map(|t| t.receiver())) {
        assert!(receiver.try_recv().is_err());
    }
}

/// At the end of virtual time (`advance(Duration::MAX)`), every
/// operation still answers as Go's rules say: a zero duration is due now,
/// any positive one saturates, stop and reset report pending timers.
fn operations_at_the_end_of_virtual_time(backend: Backend) {
    let runtime = manual(backend);
    runtime.advance(Duration::MAX);
    let end = runtime.elapsed();
    let timer = runtime.new_timer(Duration::from_nanos(1));
    let (ran, set) = flag();
    let func = runtime.after_func(Duration::ZERO, set);
    let ticker = runtime.new_ticker(Duration::from_nanos(1));
    runtime.advance(Duration::MAX);
    assert!(timer.receiver().try_recv().is_err(), "1 ns saturates");
    assert!(ran.load(Ordering::SeqCst), "zero is due now");
    assert!(ticker.receiver().try_recv().is_err());
    assert!(timer.stop());
    assert!(!timer.reset(Duration::ZERO));
    runtime.advance(Duration::ZERO);
    assert_eq!(
        timer
            .receiver()
            .try_recv()
            .ok()
            .map(|at| at - runtime.start()),
        Some(end)
    );
    assert!(!func.reset(Duration::MAX));
    assert!(func.stop());
    assert_eq!(runtime.elapsed(), end);
}

// ---- Extremes at the runtime layer: instants and periods --------------------

/// Records `(name, delay)` of every run.
type Delays = Arc<Mutex<Vec<(&'static str, i64)>>>;

fn delay_recorder(runs: &Delays, name: &'static str) -> Callback {
    let runs = runs.clone();
    gowheel::callback(move |_, delay| lock(&runs).push((name, delay)))
}

fn take(runs: &Delays) -> Vec<(&'static str, i64)> {
    let mut taken = std::mem::take(&mut *lock(runs));
    taken.sort_unstable();
    taken
}

/// A check at or past `MAX_WHEN` counts as `MAX_WHEN - 1`: a one-shot
/// timer at `MAX_WHEN` never runs, and a periodic timer that saturates
/// there runs once (at `MAX_WHEN - 1`) and then never again. Both used to
/// loop or run at the deadline that is never reached.
fn check_at_max_when_never_reaches_it<S: TimerSet>(set: S) {
    let _watchdog = Watchdog::start("check(MAX_WHEN)", EVENTUALLY);
    let runs = Delays::default();
    let one_shot = set.start_timer(delay_recorder(&runs, "one-shot"), MAX_WHEN, 0);
    let periodic = set.start_timer(delay_recorder(&runs, "periodic"), MAX_WHEN - 1, 1);
    let huge = set.start_timer(delay_recorder(&runs, "huge"), 1, i64::MAX);
    for now in [MAX_WHEN, MAX_WHEN, i64::MAX] {
        set.check(now);
        set.verify();
    }
    assert_eq!(
        take(&runs),
        vec![("huge", MAX_WHEN - 2), ("periodic", 0)],
        "each ran once, as at MAX_WHEN - 1"
    );
    assert_eq!(set.wake_time(), MAX_WHEN);
    assert!(set.stop(&one_shot) && set.stop(&periodic) && set.stop(&huge));
}

/// Checks at instants before anything can be due (`i64::MIN`, negative,
/// 0) fire nothing; a later check fires each timer once at its deadline;
/// a check that goes back in time fires nothing that is not due at it,
/// and a timer re-armed between the two times fires when a check reaches
/// it.
fn checks_before_the_start_and_backwards<S: TimerSet>(set: S) {
    let runs = Delays::default();
    let early = set.start_timer(delay_recorder(&runs, "early"), 1, 0);
    let later = set.start_timer(delay_recorder(&runs, "later"), 100, 0);
    for now in [i64::MIN, -1, 0] {
        set.check(now);
        set.verify();
        assert!(take(&runs).is_empty(), "nothing is due at {now}");
    }
    let wake = set.wake_time();
    assert!(wake != NOT_ARMED && wake <= 1, "wake time {wake}");
    set.check(100);
    set.verify();
    assert_eq!(take(&runs), vec![("early", 99), ("later", 0)]);
    assert!(!set.reset(&early, 50, 0));
    set.check(10);
    set.verify();
    assert!(take(&runs).is_empty(), "50 is not due at 10");
    set.check(50);
    set.verify();
    assert_eq!(take(&runs), vec![("early", 0)]);
    assert!(!set.stop(&later));
}

/// Periods of 1 ns and of `i64::MAX`, from deadlines of 1 and near the
/// end: missed periods are skipped, sums saturate to `MAX_WHEN`.
fn extreme_periods_skip_and_saturate<S: TimerSet>(set: S) {
    let runs = Delays::default();
    let tiny = set.start_timer(delay_recorder(&runs, "tiny"), 1, 1);
    let huge = set.start_timer(delay_recorder(&runs, "huge"), 1, i64::MAX);
    set.check(1_000);
    set.verify();
    assert_eq!(take(&runs), vec![("huge", 999), ("tiny", 999)]);
    set.check(1_001);
    set.verify();
    assert_eq!(take(&runs), vec![("tiny", 0)], "huge saturated");
    set.check(MAX_WHEN - 1);
    set.verify();
    assert_eq!(take(&runs), vec![("tiny", MAX_WHEN - 1 - 1_002)]);
    set.check(MAX_WHEN - 1);
    assert!(take(&runs).is_empty(), "tiny saturated too");
    assert_eq!(set.wake_time(), MAX_WHEN);
    assert!(set.stop(&tiny) && set.stop(&huge));
}

/// The `try_` forms refuse `when <= 0` and `period < 0` with an error
/// naming the value, the timer unchanged, and otherwise answer as the
/// panicking forms.
fn try_forms_refuse_bad_arguments<S: TimerSet>(set: S) {
    let runs = Delays::default();
    let timer = set.start_timer(delay_recorder(&runs, "timer"), 500, 0);
    for (when, period, error) in [
        (0, 0, ModifyArgsError::NonPositiveWhen(0)),
        (i64::MIN, -1, ModifyArgsError::NonPositiveWhen(i64::MIN)),
        (5, i64::MIN, ModifyArgsError::NegativePeriod(i64::MIN)),
    ] {
        assert_eq!(set.try_reset(&timer, when, period), Err(error));
        let callback = Some(delay_recorder(&runs, "replaced"));
        assert_eq!(
            set.try_modify(&timer, when, period, callback, 1),
            Err(error)
        );
        let made = set.try_start_timer(delay_recorder(&runs, "new"), when, period);
        assert_eq!(made.err(), Some(error));
        assert_eq!(check_modify_args(when, period), Err(error));
        assert!(
            error
                .to_string()
                .contains(&format!("got {}", error_value(error)))
        );
    }
    assert_eq!(set.wake_time(), 500, "unchanged");
    set.check(500);
    assert_eq!(take(&runs), vec![("timer", 0)]);
    assert_eq!(set.try_reset(&timer, MAX_WHEN, i64::MAX), Ok(false));
    assert_eq!(set.try_modify(&timer, 600, 0, None, 0), Ok(true));
    let made = set.try_start_timer(delay_recorder(&runs, "new"), 600, 0);
    set.check(600);
    assert_eq!(take(&runs), vec![("new", 0), ("timer", 0)]);
    drop(made);
}

fn error_value(error: ModifyArgsError) -> i64 {
    match error {
        ModifyArgsError::NonPositiveWhen(value) | ModifyArgsError::NegativePeriod(value) => value,
    }
}

/// Instantiates the extreme-value bodies for each named set factory.
macro_rules! extreme_tests {
    ($($module:ident: $new_set:expr),* $(,)?) => {
        $(
            mod $module {
                use super::*;

                #[test]
                fn check_at_max_when_never_reaches_it() {
                    super::check_at_max_when_never_reaches_it($new_set);
                }

                #[test]
                fn checks_before_the_start_and_backwards() {
                    super::checks_before_the_start_and_backwards($new_set);
                }

                #[test]
                fn extreme_periods_skip_and_saturate() {
                    super::extreme_periods_skip_and_saturate($new_set);
                }

                #[test]
                fn try_forms_refuse_bad_arguments() {
                    super::try_forms_refuse_bad_arguments($new_set);
                }
            }
        )*
    };
}

extreme_tests!(
    extremes_wheel: TimingWheel::default(),
    extremes_wheel_smallest: TimingWheel::new(
        WheelConfig::default().tick_shift(0).slot_bits(1).levels(1).stripes(1)
            .cascade_budget(1).sweep_budget(1)
    ),
    extremes_wheel_coarsest: TimingWheel::new(
        WheelConfig::default().tick_shift(40).slot_bits(1).levels(1).stripes(2)
    ),
    extremes_wheel_widest: TimingWheel::new(
        WheelConfig::default().tick_shift(0).slot_bits(6).levels(15).stripes(3)
            .cascade_budget(usize::MAX).sweep_budget(usize::MAX)
    ),
    extremes_heap: HeapTimerSet::new(1),
    extremes_heap_four_shards: HeapTimerSet::new(4),
);

// ---- Absurd configurations ---------------------------------------------------

/// Wheel shapes out of range, each with a word its error must contain.
fn absurd_shapes() -> Vec<(WheelConfig, &'static str)> {
    let base = WheelConfig::default;
    vec![
        (base().slot_bits(0), "slot_bits 0"),
        (base().slot_bits(7), "slot_bits 7"),
        (base().slot_bits(64), "slot_bits 64"),
        (base().slot_bits(u32::MAX), "slot_bits"),
        (base().levels(0), "levels 0"),
        (base().levels(16), "levels 16"),
        (base().levels(1000), "levels 1000"),
        (base().levels(u32::MAX), "levels"),
        (base().stripes(0), "stripes"),
        (base().stripes(MAX_SHARDS + 1), "stripes 4097"),
        (base().stripes(usize::MAX), "stripes"),
        (base().tick_shift(41), "tick_shift 41"),
        (base().tick_shift(63), "tick_shift 63"),
        (base().tick_shift(u32::MAX), "tick_shift"),
        (base().cascade_budget(0), "cascade_budget"),
        (base().sweep_budget(0), "sweep_budget"),
    ]
}

/// Every absurd shape is an error naming the field from
/// `TimingWheel::try_new` and `RuntimeBuilder::try_build` (on both
/// backends, which validate the shape alike), and a panic with the same
/// message from `TimingWheel::new` and `RuntimeBuilder::build`; huge
/// stripe counts used to fail to allocate instead.
#[test]
fn absurd_wheel_shapes_are_errors_naming_the_field() {
    for (config, needle) in absurd_shapes() {
        let error = TimingWheel::try_new(config).expect_err("refused");
        assert!(error.to_string().contains(needle), "{error} lacks {needle}");
        assert_eq!(config.validate(), Err(error.clone()));
        assert_eq!(
            expect_panic(|| TimingWheel::new(config)),
            format!("gowheel: {error}")
        );
        for backend in [Backend::Wheel, Backend::Heap] {
            let builder = Runtime::builder().backend(backend).wheel_config(config);
            let error = builder.clone().manual_clock().try_build().unwrap_err();
            assert!(error.to_string().contains(needle), "{error} lacks {needle}");
            assert_eq!(
                expect_panic(|| builder.build()),
                format!("gowheel: {error}")
            );
        }
    }
}

/// Part counts of 0 and beyond [`MAX_SHARDS`] (the wheel's most stripes
/// too) are build errors on both
/// backends, and shard counts out of `1..=MAX_SHARDS` an error from
/// `HeapTimerSet::try_new` (a panic with its message from `new`).
#[test]
fn absurd_part_counts_are_errors() {
    for parts in [0, MAX_SHARDS + 1, usize::MAX] {
        for backend in [Backend::Wheel, Backend::Heap] {
            let builder = Runtime::builder().backend(backend).parts(parts);
            let error = builder.clone().manual_clock().try_build().unwrap_err();
            assert!(error.to_string().contains("stripe"), "{error}");
            assert!(expect_panic(|| builder.build()).contains("stripe"));
        }
    }
    for shards in [0, MAX_SHARDS + 1, usize::MAX] {
        let error = HeapTimerSet::try_new(shards).expect_err("refused");
        assert_eq!(error, ShardCountError(shards));
        assert!(error.to_string().contains(&format!("got {shards}")));
        assert_eq!(
            expect_panic(|| HeapTimerSet::new(shards)),
            format!("gowheel: {error}")
        );
    }
    assert_eq!(HeapTimerSet::try_new(1).unwrap().shard_count(), 1);
}

/// The extreme shapes that are valid run the differential harness's
/// extreme operations exactly as the heap does.
#[test]
fn extreme_valid_shapes_agree_with_the_heap() {
    use gowheel_compat_tests::differential::{OnFire, TimerSetOp, When, run_differential};
    let create = TimerSetOp::Create {
        other_thread: false,
        on_fire: OnFire::Record,
    };
    let ops = [
        create.clone(),
        create.clone(),
        create,
        TimerSetOp::Reset {
            timer: 0,
            when: When::At(MAX_WHEN),
            period: 0,
        },
        TimerSetOp::Reset {
            timer: 1,
            when: When::At(1),
            period: i64::MAX,
        },
        TimerSetOp::Reset {
            timer: 2,
            when: When::FromNow(i64::MIN),
            period: 1,
        },
        TimerSetOp::Check { advance: 0 },
        TimerSetOp::Check { advance: 1 << 40 },
        TimerSetOp::Modify {
            timer: 2,
            when: When::At(MAX_WHEN - 1),
            period: 1,
            callback: None,
        },
        TimerSetOp::Check { advance: i64::MAX },
        TimerSetOp::CheckAtDeadline { offset: i64::MAX },
        TimerSetOp::Reset {
            timer: 0,
            when: When::Earlier(i64::MAX),
            period: i64::MAX,
        },
        TimerSetOp::Check { advance: i64::MAX },
    ];
    let shapes = [
        WheelConfig::default()
            .tick_shift(0)
            .slot_bits(1)
            .levels(1)
            .stripes(1),
        WheelConfig::default()
            .tick_shift(40)
            .slot_bits(1)
            .levels(1)
            .stripes(1),
        WheelConfig::default()
            .tick_shift(40)
            .slot_bits(6)
            .levels(15),
        WheelConfig::default().tick_shift(0).slot_bits(6).levels(15),
        WheelConfig::default().cascade_budget(1).sweep_budget(1),
        WheelConfig::default()
            .cascade_budget(usize::MAX)
            .sweep_budget(usize::MAX),
    ];
    for shape in shapes {
        if let Err(divergence) =
            run_differential(HeapTimerSet::new(1), TimingWheel::new(shape), &ops)
        {
            panic!("{shape:?}: {divergence}");
        }
    }
}

/// A manual clock at the extremes: any start, saturating moves, a
/// negative move refused by `try_advance` (the clock unchanged) and a
/// panic naming the value from `advance`, stepping to instants before now
/// a no-op.
#[test]
fn manual_clock_extremes() {
    let clock = ManualClock::new(i64::MIN);
    assert_eq!(clock.advance(i64::MAX), -1);
    assert_eq!(clock.advance(i64::MAX), i64::MAX - 1);
    assert_eq!(clock.try_advance(i64::MAX), Some(i64::MAX));
    assert_eq!(clock.try_advance(-1), None);
    assert_eq!(clock.try_advance(i64::MIN), None);
    assert_eq!(clock.now(), i64::MAX);
    assert_eq!(
        expect_panic(|| clock.advance(-7)),
        "gowheel: a manual clock cannot move backwards (-7 ns)"
    );
    let clock = ManualClock::new(100);
    let set = HeapTimerSet::new(1);
    let runs = Delays::default();
    let timer = set.start_timer(delay_recorder(&runs, "timer"), 150, 0);
    clock.run_until(&set, i64::MIN);
    assert_eq!(clock.now(), 100);
    clock.run_until(&set, MAX_WHEN);
    assert_eq!(clock.now(), MAX_WHEN - 1);
    assert_eq!(take(&runs), vec![("timer", 0)]);
    drop(timer);
}

/// Traces with numbers at the extremes of `i64` parse and replay on both
/// backends (an answer that differs is a mismatch, never a panic); numbers
/// beyond `i64` are parse errors naming the line.
#[test]
fn traces_with_extreme_numbers_parse_and_replay_without_panicking() {
    let min = i64::MIN;
    let max = i64::MAX;
    let text = format!(
        "func 0 {min}\nchan 1 {max}\ntick 2 {min} -> panic\ntick 2 1\nreset 1 {min} -> true\n\
         treset 2 {max}\nadvance {min}\nnow 0\nrecv 1 -> none\nwait 1 {max} -> 0\nnow 0\n\
         advance 5\nnow 5\nstop 0 -> false\n"
    );
    let trace = Trace::parse("extreme.trace", &text).expect("i64 extremes parse");
    for backend in [Backend::Wheel, Backend::Heap] {
        match trace.replay(backend) {
            Ok(()) => {}
            Err(error) => assert!(error.is_mismatch(), "{backend:?}: {error}"),
        }
    }
    for (line, bad) in [
        "chan 0 9223372036854775808",
        "advance -9223372036854775809",
        "func 18446744073709551616 1",
    ]
    .iter()
    .enumerate()
    {
        let error = Trace::parse("huge.trace", bad).unwrap_err();
        assert!(!error.is_mismatch(), "{bad}: {error}");
        assert_eq!(error.line(), 1, "{bad} (case {line})");
    }
}

/// `advance` on a real-clock runtime: `try_advance` is an error and moves
/// nothing, `advance` panics with its message; on both backends.
#[test]
fn advance_on_a_real_clock_is_refused() {
    for backend in [Backend::Wheel, Backend::Heap] {
        let runtime = Runtime::builder().backend(backend).build();
        for duration in [Duration::ZERO, Duration::MAX] {
            assert_eq!(runtime.try_advance(duration), Err(NotManualClock));
            assert_eq!(
                expect_panic(|| runtime.advance(duration)),
                format!("gowheel: {NotManualClock}")
            );
        }
        assert!(manual(backend).try_advance(Duration::MAX).is_ok());
    }
}
