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
    Backend, Callback, HeapTimerSet, MAX_WHEN, NonPositiveInterval, Runtime, TimerSet, TimingWheel,
    WheelConfig, validate_modify_args,
};
use gowheel_compat_tests::panics::{expect_panic, lock};
use gowheel_compat_tests::replay::{ReplayError, Trace, trace_files};

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
