//! `evaluate --trace`: the bundled recordings (one by gowheel, one by the Go
//! recorder) and a Go virtual-clock trace replay on every backend with rows
//! in the report; bad input is a clear error naming the line, with exit
//! status 2. No timing is asserted: only that everything ran and the report
//! is well formed.

use std::path::{Path, PathBuf};
use std::process::Command;

fn traces() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../compat-tests/traces")
}

/// Runs `evaluate` with `args` writing to a fresh directory; returns the
/// exit status, stderr and the directory.
fn evaluate(name: &str, args: &[&str]) -> (Option<i32>, String, PathBuf) {
    let out = std::env::temp_dir().join(format!(
        "gowheel-evaluate-trace-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&out);
    let output = Command::new(env!("CARGO_BIN_EXE_evaluate"))
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("evaluate runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr, out)
}

/// Checks that the report in `out` has, for every backend, call and
/// lateness rows, and the lateness plot.
fn assert_report(out: &Path, calls: &[&str]) {
    let json = std::fs::read_to_string(out.join("report.json")).expect("report.json");
    let json: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let records = json["records"].as_array().expect("records");
    for backend in ["wheel", "heap", "tokio"] {
        let has = |metric: &str| {
            records.iter().any(|r| {
                r["backend"] == backend && r["metric"] == metric && r["workload"] == "Trace"
            })
        };
        for call in calls {
            assert!(has(&format!("{call}_call_p50")), "{backend} {call}");
            assert!(has(&format!("{call}_call_p99")), "{backend} {call}");
        }
        for metric in [
            "p50_lateness",
            "p99_lateness",
            "max_lateness",
            "live_timers_max",
            "memory_growth",
        ] {
            assert!(has(metric), "{backend} {metric}");
        }
    }
    assert!(json["trace"]["lateness"].is_array());
    let markdown = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(markdown.contains("## Verdict"), "{markdown}");
    let svg = std::fs::read_to_string(out.join("lateness.svg")).expect("lateness.svg");
    assert!(svg.starts_with("<svg"));
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn a_gowheel_recording_replays_on_every_backend() {
    let trace = traces().join("recorded/gowheel-idle.trace");
    let (status, stderr, out) = evaluate("gowheel", &["--trace", trace.to_str().unwrap()]);
    assert_eq!(status, Some(0), "{stderr}");
    assert_report(&out, &["func", "reset"]);
}

#[test]
fn a_go_recording_replays_on_every_backend() {
    let trace = traces().join("recorded/go-idle.trace");
    let (status, stderr, out) = evaluate("go", &["--trace", trace.to_str().unwrap()]);
    assert_eq!(status, Some(0), "{stderr}");
    assert_report(&out, &["func", "chan", "tick", "reset", "recv", "tstop"]);
}

#[test]
fn a_go_virtual_clock_trace_replays_on_every_backend() {
    let trace = traces().join("go/mixed-01.trace");
    let (status, stderr, out) = evaluate(
        "virtual",
        &["--trace", trace.to_str().unwrap(), "--max-gap-ms", "0.2"],
    );
    assert_eq!(status, Some(0), "{stderr}");
    assert_report(&out, &["func", "chan", "tick", "stop", "reset", "recv"]);
}

#[test]
fn bad_traces_are_clear_errors_naming_the_line() {
    let dir = std::env::temp_dir().join(format!("gowheel-bad-traces-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "truncated",
            "@10 t0 func 0 500\n@20 t0 reset 0",
            "line 2",
            "truncated",
        ),
        (
            "unknown",
            "@10 t0 func 0 500\n@20 t0 jump 0\n",
            "line 2",
            "unknown operation `jump`",
        ),
        (
            "early-id",
            "@10 t0 stop 3 -> true\n",
            "line 1",
            "used before any line creates it",
        ),
        (
            "backwards",
            "@10 t0 func 0 5\n@5 t0 stop 0\n",
            "line 2",
            "time goes backwards",
        ),
    ];
    for (name, text, line, needle) in cases {
        let path = dir.join(format!("{name}.trace"));
        std::fs::write(&path, text).unwrap();
        let (status, stderr, _) = evaluate(name, &["--trace", path.to_str().unwrap()]);
        assert_eq!(status, Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("{name}.trace: {line}: ")),
            "{name}: {stderr}"
        );
        assert!(stderr.contains(needle), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
    let (status, stderr, _) = evaluate("missing", &["--trace", "/no/such.trace"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("cannot read the trace"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}
