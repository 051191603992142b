//! The fuzz targets' inputs kept as regression tests, replayed on stable
//! without libFuzzer: every file under `compat-tests/fuzz-regressions/<target>/`
//! goes through the target's `run` (see `gowheel_compat_tests::fuzzing` and
//! `fuzz/README.md`), and must pass. A finding is added here, minimized
//! (`cargo fuzz tmin`), together with the fix it needed.
//!
//! The seed sources must keep decoding too: the proptest regression file
//! parses into operation sequences, and the encoders round-trip.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gowheel_compat_tests::fuzzing::time_api::ApiOp;
use gowheel_compat_tests::fuzzing::{differential, seeds, time_api, trace};

/// The inputs kept for `target`, sorted by name.
fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz-regressions")
        .join(target);
    // No directory: nothing kept for this target yet.
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

fn replay_all(target: &str, run: fn(&[u8]) -> Result<(), String>) {
    for path in inputs(target) {
        let data = fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        if let Err(finding) = run(&data) {
            panic!("{}: {finding}", path.display());
        }
    }
}

#[test]
fn differential_inputs_pass() {
    replay_all("differential", differential::run);
}

#[test]
fn trace_inputs_pass() {
    replay_all("trace", trace::run);
}

#[test]
fn time_api_inputs_pass() {
    replay_all("time_api", time_api::run);
}

/// Every case of the proptest regression file parses (the `differential`
/// corpus is seeded from it) and survives the byte encoding.
#[test]
fn proptest_regressions_seed_the_differential_corpus() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("proptest-regressions/differential.txt");
    let text = fs::read_to_string(&path).expect("the regression file");
    let cases = seeds::regression_cases(&text).expect("every case parses");
    assert!(!cases.is_empty());
    for ops in cases {
        let bytes = differential::encode(3, &ops);
        assert_eq!(differential::decode(&bytes).1, ops);
        differential::run(&bytes).expect("no divergence");
    }
}

/// Time-package calls with extreme durations, through the `time_api`
/// target's model, on the heap and on every named wheel shape; and the
/// encoding round-trips.
#[test]
fn time_api_extremes_pass() {
    let nanos = Duration::from_nanos;
    let ops = vec![
        ApiOp::NewTimer(Duration::ZERO),
        ApiOp::AfterFunc(Duration::MAX),
        ApiOp::NewTicker(nanos(1)),
        ApiOp::NewTicker(Duration::ZERO),
        ApiOp::After(Duration::from_secs(u64::MAX)),
        ApiOp::Sleep(Duration::ZERO),
        ApiOp::TryRecv(0),
        ApiOp::Advance(nanos(3)),
        ApiOp::TryRecv(2),
        ApiOp::RecvTimeout(2, Duration::ZERO),
        ApiOp::Reset(2, Duration::ZERO),
        ApiOp::Reset(2, Duration::MAX),
        ApiOp::RecvTimeout(3, nanos(10)),
        ApiOp::Stop(0),
        ApiOp::Reset(1, nanos(i64::MAX as u64)),
        ApiOp::Reset(0, nanos(5)),
        ApiOp::RecvTimeout(0, Duration::MAX),
        ApiOp::NewTicker(nanos(1 << 62)),
        ApiOp::Advance(Duration::MAX),
        ApiOp::TryRecv(4),
        ApiOp::Sleep(Duration::MAX),
        ApiOp::NewTimer(nanos(1)),
        ApiOp::NewTimer(Duration::ZERO),
        ApiOp::Advance(Duration::ZERO),
        ApiOp::TryRecv(5),
        ApiOp::TryRecv(6),
        ApiOp::Stop(1),
        ApiOp::Stop(5),
    ];
    let shapes = (0..differential::SHAPES.len() as u8).map(Some);
    for shape in std::iter::once(None).chain(shapes) {
        let bytes = time_api::encode(shape, &ops);
        assert_eq!(time_api::decode_ops(&bytes), ops);
        if let Err(finding) = time_api::run(&bytes) {
            panic!("shape {shape:?}: {finding}");
        }
    }
}
