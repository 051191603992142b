//! Timed traces (recordings, every line stamped `@T tN`) and traces without
//! answers: what parses, what is a clear error naming the line, and what
//! the exact replay does with them. A trace recorded by gowheel itself must
//! parse.

use std::path::Path;
use std::time::Duration;

use gowheel::{Backend, Runtime};
use gowheel_compat_tests::replay::{Answer, ReplayError, Stamp, Trace, TraceOp, trace_files};

/// Asserts that `text` is rejected at `line` with a message containing
/// each of `needles`, naming the file and the line, without a panic.
fn assert_parse_error(text: &str, line: usize, needles: &[&str]) {
    let error = match Trace::parse("bad.trace", text) {
        Ok(trace) => panic!("expected a parse error for {text:?}, parsed {trace:?}"),
        Err(error) => error,
    };
    let shown = error.to_string();
    assert!(matches!(error, ReplayError::Parse { .. }), "{shown}");
    assert!(
        shown.starts_with(&format!("bad.trace: line {line}: ")),
        "{shown}"
    );
    for needle in needles {
        assert!(shown.contains(needle), "{needle:?} not in: {shown}");
    }
}

#[test]
fn a_timed_trace_parses_with_its_stamps() {
    let trace = Trace::parse(
        "t.trace",
        "# timer trace v1\n\
         @10 t0 func 1 500\n\
         @12 t1 chan 0 100\n\
         @20 t1 reset 1 700 -> true\n\
         @30 t0 recv 0 -> none\n\
         @115 t2 sent 0 115 112\n\
         @719 t2 fired 1 719 720\n\
         @800 t0 stop 1\n",
    )
    .unwrap();
    assert!(trace.is_timed());
    let steps = trace.steps();
    assert_eq!(steps.len(), 5);
    assert_eq!(steps[0].stamp, Some(Stamp { at: 10, thread: 0 }));
    assert_eq!(
        steps[1].op,
        TraceOp::Chan {
            id: 0,
            duration: 100
        }
    );
    assert_eq!(steps[4].answer, Answer::Unknown);
}

#[test]
fn a_truncated_trace_is_a_clear_error() {
    assert_parse_error(
        "@10 t0 func 0 500\n@20 t0 reset 0",
        2,
        &["`reset` takes 2 arguments, got 1", "looks truncated"],
    );
    assert_parse_error(
        "@10 t0 func 0 500\n@2",
        2,
        &["malformed thread", "looks truncated"],
    );
    assert_parse_error(
        "func 0 5\nadvance 5\n",
        2,
        &["missing `now` line", "end of file"],
    );
}

#[test]
fn an_unknown_operation_is_a_clear_error() {
    assert_parse_error(
        "@10 t0 func 0 500\n@20 t0 jump 0\n",
        2,
        &["unknown operation `jump`", "expected one of"],
    );
}

#[test]
fn an_id_used_before_its_creation_is_a_clear_error() {
    assert_parse_error(
        "@10 t0 func 0 500\n@20 t1 reset 1 5 -> true\n@30 t0 func 1 5\n",
        2,
        &["ID 1 in `reset` is used before any line creates it"],
    );
    assert_parse_error(
        "@10 t0 func 0 500\n@20 t1 chan 0 5\n",
        2,
        &["creates ID 0 a second time"],
    );
    assert_parse_error(
        "@5 t2 sent 0 5 5\n",
        1,
        &["`sent` line before any operation"],
    );
}

#[test]
fn times_going_backwards_are_a_clear_error() {
    assert_parse_error(
        "@10 t0 func 0 500\n@50 t1 chan 1 5\n@40 t1 recv 1 -> none\n",
        3,
        &["time goes backwards on thread t1: @40 after @50 on line 2"],
    );
    // Across threads, lines are in queue order: no error.
    Trace::parse("t.trace", "@50 t0 func 0 500\n@40 t1 chan 1 5\n").unwrap();
    // Creations may come out of ID order across threads.
    Trace::parse("t.trace", "@50 t0 func 1 500\n@40 t1 chan 0 5\n").unwrap();
}

#[test]
fn stamps_are_all_or_nothing() {
    assert_parse_error(
        "@10 t0 func 0 500\nstop 0 -> true\n",
        2,
        &["expected `@T tN` before the operation"],
    );
    assert_parse_error(
        "func 0 500\n@10 t0 stop 0 -> true\n",
        2,
        &["unexpected `@T tN` stamp"],
    );
    assert_parse_error("@10 t0 advance 5\n", 1, &["`advance` in a timed trace"]);
    assert_parse_error("@-1 t0 func 0 5\n", 1, &["negative time"]);
}

#[test]
fn the_exact_replay_refuses_a_timed_trace_clearly() {
    let trace = Trace::parse("t.trace", "@10 t0 func 0 500\n").unwrap();
    let error = trace.replay(Backend::Wheel).unwrap_err();
    assert_eq!(error.line(), 1);
    assert!(error.to_string().contains("evaluate --trace"), "{error}");
}

#[test]
fn bundled_traces_without_answers_replay_exactly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("traces/go");
    for file in trace_files(&[dir]).unwrap().iter().step_by(7) {
        let text = std::fs::read_to_string(file).unwrap();
        // Strip the answers of stop, reset and recv (wait's stay: its
        // `now` line says where time went anyway).
        let stripped: String = text
            .lines()
            .map(|line| {
                let keep = ["stop ", "reset ", "recv "]
                    .iter()
                    .all(|op| !line.starts_with(op));
                match line.split_once(" -> ") {
                    Some((call, _)) if !keep => format!("{call}\n"),
                    _ => format!("{line}\n"),
                }
            })
            .collect();
        let trace = Trace::parse(file.display().to_string(), &stripped).unwrap();
        assert!(
            trace
                .steps()
                .iter()
                .any(|step| step.answer == Answer::Unknown)
        );
        for backend in [Backend::Wheel, Backend::Heap] {
            trace.replay(backend).unwrap();
        }
    }
}

#[test]
fn a_trace_recorded_by_gowheel_parses() {
    let path = std::env::temp_dir().join(format!("gowheel-timed-{}.trace", std::process::id()));
    {
        let runtime = Runtime::builder()
            .record(std::fs::File::create(&path).unwrap())
            .build();
        std::thread::scope(|scope| {
            for worker in 0..3u64 {
                let runtime = &runtime;
                scope.spawn(move || {
                    let ticker = runtime.new_ticker(Duration::from_micros(200));
                    for round in 0..20 {
                        let timer = runtime.after_func(Duration::from_micros(50 + round), || {});
                        let channel = runtime.new_timer(Duration::from_micros(worker * 30));
                        timer.reset(Duration::from_micros(100));
                        let _ = channel.receiver().recv_timeout(Duration::from_micros(100));
                        let _ = ticker.receiver().try_recv();
                        timer.stop();
                    }
                    ticker.stop();
                });
            }
        });
    }
    let trace = Trace::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(trace.is_timed());
    // Per thread: the ticker's creation and stop, and per round four
    // operations besides the receives (whose number depends on timing).
    let receives = trace
        .steps()
        .iter()
        .filter(|step| matches!(step.op, TraceOp::Recv { .. }))
        .count();
    assert!(receives >= 3 * 20);
    assert_eq!(trace.steps().len() - receives, 3 * (2 + 20 * 4));
}

#[test]
fn the_bundled_recordings_parse() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("traces/recorded");
    let files = trace_files(&[dir]).unwrap();
    assert_eq!(files.len(), 2);
    for file in files {
        let trace = Trace::load(&file).unwrap();
        assert!(trace.is_timed(), "{}", file.display());
        assert!(trace.steps().len() > 1000, "{}", file.display());
    }
}
