//! Go trace replay (see `gowheel_compat_tests::replay`): every trace recorded
//! from Go under `traces/go/` must replay on both backends; bad trace input
//! must be a clear error naming the file and line; a wrong expectation must
//! be reported as a mismatch on its line.

use std::path::{Path, PathBuf};

use gowheel::Backend;
use gowheel_compat_tests::replay::{Driving, ReplayError, Trace, trace_files};

const BACKENDS: [Backend; 2] = [Backend::Wheel, Backend::Heap];

fn bundled_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("traces/go")
}

fn parse_error(text: &str) -> ReplayError {
    match Trace::parse("bad.trace", text) {
        Ok(trace) => panic!("expected a parse error for {text:?}, parsed {trace:?}"),
        Err(error) => error,
    }
}

/// Asserts that `text` is rejected at `line` with a message containing
/// `needle`, naming the file and the line.
fn assert_parse_error(text: &str, line: usize, needle: &str) {
    let error = parse_error(text);
    let shown = error.to_string();
    assert!(
        matches!(error, ReplayError::Parse { .. }),
        "not a parse error: {shown}"
    );
    assert_eq!(error.line(), line, "wrong line in: {shown}");
    assert!(
        shown.starts_with(&format!("bad.trace: line {line}: ")),
        "file and line not named: {shown}"
    );
    assert!(shown.contains(needle), "{needle:?} not in: {shown}");
    assert!(!error.is_mismatch());
}

fn mismatch(text: &str, backend: Backend) -> ReplayError {
    let trace = Trace::parse("wrong.trace", text).expect("the trace parses");
    let error = trace
        .replay(backend)
        .expect_err("the trace should not replay");
    assert!(error.is_mismatch(), "not a mismatch: {error}");
    error
}

#[test]
fn every_bundled_trace_replays_on_both_backends() {
    let files = trace_files(&[bundled_dir()]).expect("the bundled traces are there");
    assert_eq!(files.len(), 30, "30 bundled traces: {files:?}");
    // Traces are independent: replay them on a few threads.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(files.len().div_ceil(4))
            .map(|chunk| {
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for file in chunk {
                        let trace = Trace::load(file);
                        for backend in BACKENDS {
                            let result = trace.clone().and_then(|trace| trace.replay(backend));
                            if let Err(error) = result {
                                failures.push(format!("FAIL {backend}: {error}"));
                            }
                        }
                    }
                    failures
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("a replay thread panicked"))
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} replays failed:\n{}",
        failures.len(),
        files.len() * BACKENDS.len(),
        failures.join("\n")
    );
}

#[test]
fn go_semantics_at_the_edges() {
    // Durations <= 0 are due at once but run only when something blocks;
    // i64::MAX saturates and never fires; tickers reject periods <= 0 and
    // a rejected ticker uses no ID; Sleep(D <= 0) runs nothing.
    let trace = "\
# timer trace v1
func 0 -5
chan 1 0
recv 1 -> none
tick 2 0 -> panic
tick 2 -3 -> panic
tick 2 10
treset 2 -1 -> panic
chan 3 9223372036854775807
func 4 9223372036854775807
advance -64
now 0
advance 25
fired 0 0
now 25
recv 1 -> 0
recv 2 -> 10
recv 3 -> none
stop 3 -> true
stop 4 -> true
reset 4 9223372036854775807 -> false
treset 2 100
wait 2 99 -> timeout
now 124
wait 2 1 -> 125
now 125
tstop 2
reset 1 -1 -> false
stop 1 -> true
reset 0 5 -> false
wait 1 -64 -> timeout
now 125
advance 10
fired 0 130
now 135
";
    let trace = Trace::parse("edges.trace", trace).expect("parses");
    for backend in BACKENDS {
        for driving in [Driving::AsRecorded, Driving::CallsOnly] {
            if let Err(error) = trace.replay_with(backend, driving) {
                panic!("{backend} {driving}: {error}");
            }
        }
    }
}

#[test]
fn callbacks_due_together_compare_as_a_sorted_list() {
    // Go gives no order among callbacks due at the same instant; the trace
    // may list them in any order and still be replayed.
    let trace =
        "func 0 10\nfunc 1 10\nfunc 2 5\nadvance 10\nfired 2 5\nfired 1 10\nfired 0 10\nnow 10\n";
    let trace = Trace::parse("sorted.trace", trace).expect("parses");
    for backend in BACKENDS {
        trace.replay(backend).unwrap();
    }
}

#[test]
fn fired_lines_after_a_non_blocking_operation_mean_go_checked_timers_there() {
    // Go's bubble checks its timers once as it starts, racing the first
    // operations: the same operations were recorded both ways.
    let early = "func 0 -929\nfired 0 0\nchan 1 5\nadvance 7\nnow 7\n";
    let late = "func 0 -929\nchan 1 5\nadvance 7\nfired 0 0\nnow 7\n";
    for backend in BACKENDS {
        for text in [early, late] {
            let trace = Trace::parse("race.trace", text).unwrap();
            trace.replay(backend).unwrap();
        }
        // Without that driving, the early recording does not replay.
        let trace = Trace::parse("race.trace", early).unwrap();
        let error = trace.replay_with(backend, Driving::CallsOnly).unwrap_err();
        assert_eq!(error.detail(), "line 2: expected `fired 0 0`, got nothing");
        // The check must fire exactly what is due: a wrong fired line is
        // still a mismatch.
        let wrong = Trace::parse("race.trace", "func 0 -929\nfired 0 1\n").unwrap();
        assert_eq!(
            wrong.replay(backend).unwrap_err().detail(),
            "line 2: expected `fired 0 1`, got `fired 0 0`"
        );
    }
}

#[test]
fn unknown_operation_is_a_clear_error() {
    assert_parse_error(
        "# timer trace v1\nfunc 0 5\nsleep 5\n",
        3,
        "unknown operation `sleep`",
    );
}

#[test]
fn unknown_id_is_a_clear_error() {
    assert_parse_error("chan 0 5\nstop 3 -> true\n", 2, "unknown ID 3");
    assert_parse_error("recv 0 -> none\n", 1, "unknown ID 0");
    assert_parse_error("func 0 5\nadvance 5\nfired 1 5\nnow 5\n", 3, "unknown ID 1");
    // A rejected ticker uses no ID.
    assert_parse_error("tick 0 0 -> panic\ntstop 0\n", 2, "unknown ID 0");
}

#[test]
fn id_of_the_wrong_kind_is_a_clear_error() {
    assert_parse_error(
        "func 0 5\nrecv 0 -> none\n",
        2,
        "ID 0 is a func timer, but `recv` needs a chan timer or a ticker",
    );
    assert_parse_error("tick 0 5\nstop 0 -> true\n", 2, "ID 0 is a ticker");
    assert_parse_error("chan 0 5\ntreset 0 5\n", 2, "ID 0 is a chan timer");
    assert_parse_error(
        "chan 0 5\nadvance 5\nfired 0 5\nnow 5\n",
        3,
        "`fired` needs a func timer",
    );
}

#[test]
fn id_out_of_sequence_is_a_clear_error() {
    assert_parse_error(
        "func 0 5\nchan 2 5\n",
        2,
        "ID out of sequence: `chan 2` but the next new timer's ID is 1",
    );
    assert_parse_error("func 0 5\nfunc 0 5\n", 2, "ID out of sequence");
    assert_parse_error(
        "tick 0 0 -> panic\ntick 1 5\n",
        2,
        "the next new timer's ID is 0",
    );
}

#[test]
fn malformed_numbers_are_clear_errors() {
    assert_parse_error("advance 5x\nnow 5\n", 1, "malformed number `5x`");
    assert_parse_error("func 0 1.5\n", 1, "malformed number `1.5`");
    assert_parse_error(
        "func 0 99999999999999999999\n",
        1,
        "malformed number `99999999999999999999`",
    );
    assert_parse_error("chan x 5\n", 1, "malformed ID `x`");
    assert_parse_error("chan -1 5\n", 1, "malformed ID `-1`");
    assert_parse_error("advance 5\nnow soon\n", 2, "malformed number `soon`");
    assert_parse_error("chan 0 5\nrecv 0 -> 5ns\n", 2, "malformed number `5ns`");
}

#[test]
fn wrong_arity_is_a_clear_error() {
    assert_parse_error("func 0\n", 1, "`func` takes 2 arguments, got 1");
    assert_parse_error("chan 0 5 6\n", 1, "`chan` takes 2 arguments, got 3");
    assert_parse_error("advance\n", 1, "`advance` takes 1 argument, got 0");
    assert_parse_error("chan 0 5\nstop -> true\n", 2, "`stop` takes 1 argument");
}

#[test]
fn bad_results_are_clear_errors() {
    assert_parse_error(
        "tick 0 5\ntreset 0 5 -> true\n",
        2,
        "unexpected result `true`",
    );
    assert_parse_error("chan 0 5\nstop 0 -> yes\n", 2, "unexpected result `yes`");
    assert_parse_error(
        "chan 0 5 -> true\n",
        1,
        "unexpected result `true` for `chan`",
    );
    assert_parse_error("chan 0 5\nrecv 0 ->\n", 2, "nothing after `->`");
    assert_parse_error(
        "chan 0 5\nrecv 0 -> 1 2\n",
        2,
        "more than one token after `->`",
    );
    assert_parse_error("tick 0 5 -> false\n", 1, "unexpected result `false`");
    assert_parse_error("chan 0 5\nwait 0 5 -> none\n", 2, "malformed number `none`");
}

#[test]
fn misplaced_or_missing_now_and_fired_lines_are_clear_errors() {
    assert_parse_error(
        "advance 5\nchan 0 5\n",
        2,
        "missing `now` line: `advance 5` on line 1",
    );
    assert_parse_error("chan 0 5\nadvance 5\n", 2, "missing `now` line");
    assert_parse_error("chan 0 5\nwait 0 5 -> 5\n", 2, "(end of file)");
    assert_parse_error("chan 0 5\nnow 0\n", 2, "unexpected `now` line");
    assert_parse_error("advance 5\nnow 5\nnow 5\n", 3, "second `now` line");
    assert_parse_error("fired 0 5\n", 1, "`fired` line before any operation");
    assert_parse_error("now 5\n", 1, "`now` line before any operation");
    assert_parse_error(
        "func 0 5\nadvance 5\nnow 5\nfired 0 5\n",
        4,
        "`fired` line after the `now` line on line 3",
    );
}

#[test]
fn unreadable_file_and_directory_are_clear_errors() {
    let error = Trace::load(Path::new("no/such/dir/missing.trace")).unwrap_err();
    assert!(matches!(error, ReplayError::Read { .. }), "{error}");
    assert!(error.to_string().starts_with("no/such/dir/missing.trace: "));
    let error = trace_files(&[PathBuf::from("no/such/dir")]).unwrap_err();
    assert!(error.starts_with("no/such/dir: cannot read"), "{error}");
}

#[test]
fn wrong_answer_is_a_mismatch_on_its_line() {
    for backend in BACKENDS {
        let error = mismatch("# header\n\nchan 0 50\nstop 0 -> false\n", backend);
        assert_eq!(error.line(), 4);
        assert_eq!(
            error.to_string(),
            "wrong.trace: line 4: expected `stop 0 -> false`, got `stop 0 -> true`"
        );

        let error = mismatch("chan 0 50\nadvance 60\nnow 61\n", backend);
        assert_eq!(error.detail(), "line 3: expected `now 61`, got `now 60`");

        let error = mismatch("chan 0 50\nwait 0 40 -> 50\nnow 50\n", backend);
        assert_eq!(
            error.detail(),
            "line 2: expected `wait 0 40 -> 50`, got `wait 0 40 -> timeout`"
        );

        let error = mismatch("tick 0 5 -> panic\n", backend);
        assert_eq!(
            error.detail(),
            "line 1: expected `tick 0 5 -> panic`, got `tick 0 5`"
        );
    }
}

#[test]
fn wrong_fired_lines_are_mismatches_on_their_line() {
    for backend in BACKENDS {
        // A wrong time.
        let error = mismatch("func 0 10\nadvance 20\nfired 0 11\nnow 20\n", backend);
        assert_eq!(
            error.detail(),
            "line 3: expected `fired 0 11`, got `fired 0 10`"
        );
        // A callback Go ran that gowheel did not.
        let error = mismatch("func 0 10\nadvance 5\nfired 0 5\nnow 5\n", backend);
        assert_eq!(error.detail(), "line 3: expected `fired 0 5`, got `now 5`");
        // A callback gowheel ran that Go did not.
        let error = mismatch("func 0 10\nadvance 20\nnow 20\n", backend);
        assert_eq!(
            error.detail(),
            "line 3: expected `now 20`, got `fired 0 10`"
        );
        // ... after a non-blocking operation with callbacks.
        let error = mismatch("func 0 0\nfunc 1 0\nfired 1 0\n", backend);
        assert_eq!(
            error.detail(),
            "line 3: expected `fired 1 0`, got `fired 0 0`"
        );
    }
}

#[test]
fn wrong_answer_in_a_bundled_trace_is_reported_on_its_line() {
    let path = bundled_dir().join("mixed-01.trace");
    let text = std::fs::read_to_string(&path).unwrap();
    // Line 5 is `reset 0 136898790 -> true`; flip Go's answer.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[4], "reset 0 136898790 -> true");
    let mut edited: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
    edited[4] = "reset 0 136898790 -> false".to_owned();
    // And a wrong time deep in the file, on the first `now` after line 1000.
    let deep = (1000..edited.len())
        .find(|&index| edited[index].starts_with("now "))
        .unwrap();
    let trace = Trace::parse("mixed-01.trace", &edited.join("\n")).unwrap();
    for backend in BACKENDS {
        let error = trace.replay(backend).unwrap_err();
        assert_eq!(
            error.to_string(),
            "mixed-01.trace: line 5: expected `reset 0 136898790 -> false`, got `reset 0 136898790 -> true`"
        );
    }
    let mut edited: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
    let at: i64 = edited[deep]["now ".len()..].parse().unwrap();
    edited[deep] = format!("now {}", at + 1);
    let trace = Trace::parse("mixed-01.trace", &edited.join("\n")).unwrap();
    for backend in BACKENDS {
        let error = trace.replay(backend).unwrap_err();
        assert_eq!(error.line(), deep + 1, "{error}");
        assert_eq!(
            error.detail(),
            format!(
                "line {}: expected `now {}`, got `now {at}`",
                deep + 1,
                at + 1
            )
        );
    }
}

#[test]
fn format_rule_one_taken_literally_contradicts_the_recordings() {
    // dense-02.trace lines 210-212: Go had not run a callback due at once
    // when the next operations came; running timers after every operation
    // would have run it.
    let trace = "func 0 1\nadvance 1\nfired 0 1\nnow 1\nfunc 1 0\nchan 2 1582\nstop 1 -> true\n";
    let trace = Trace::parse("rule1.trace", trace).unwrap();
    for backend in BACKENDS {
        trace.replay(backend).unwrap();
        let error = trace
            .replay_with(backend, Driving::EveryOperation)
            .unwrap_err();
        assert_eq!(
            error.detail(),
            "line 5: expected nothing more from this operation, got `fired 1 1`"
        );
    }
}
