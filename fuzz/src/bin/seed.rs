//! Writes the seed corpora of the fuzz targets into `fuzz/corpus/<target>/`
//! (or under the directory given as the only argument):
//!
//! * `trace`: the bundled Go traces (`compat-tests/traces/go/*.trace`) as
//!   they are;
//! * `time_api`: the same traces translated into time-package calls (their
//!   first operations, up to the target's limit), on the heap and on a
//!   tiny wheel;
//! * `differential`: the operation sequences of the proptest regression
//!   file (`compat-tests/proptest-regressions/differential.txt`), on
//!   several wheel shapes.
//!
//! Run from anywhere: `cargo run --manifest-path fuzz/Cargo.toml --bin seed`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gowheel_compat_tests::fuzzing::time_api::{self, ApiOp};
use gowheel_compat_tests::fuzzing::{differential, seeds};
use gowheel_compat_tests::replay::{Trace, TraceOp};

fn main() -> Result<(), String> {
    let fuzz_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = fuzz_dir.parent().ok_or("fuzz/ has no parent")?;
    let out = std::env::args_os()
        .nth(1)
        .map_or_else(|| fuzz_dir.join("corpus"), PathBuf::from);

    let mut traces: Vec<PathBuf> = fs::read_dir(repo.join("compat-tests/traces/go"))
        .map_err(|error| format!("reading the traces: {error}"))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "trace"))
        .collect();
    traces.sort();

    let mut written = 0;
    for path in &traces {
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        let text = fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
        write(&out.join("trace"), &format!("go-{name}"), &text)?;
        let trace = Trace::load(path).map_err(|error| error.to_string())?;
        let ops = api_ops(&trace);
        write(
            &out.join("time_api"),
            &format!("go-{name}-heap"),
            &time_api::encode(None, &ops),
        )?;
        write(
            &out.join("time_api"),
            &format!("go-{name}-tiny"),
            &time_api::encode(Some(3), &ops),
        )?;
        written += 3;
    }

    let regressions = repo.join("compat-tests/proptest-regressions/differential.txt");
    let text = fs::read_to_string(&regressions)
        .map_err(|error| format!("{}: {error}", regressions.display()))?;
    for (number, ops) in seeds::regression_cases(&text)?.iter().enumerate() {
        for shape in 0..differential::SHAPES.len() as u8 {
            let bytes = differential::encode(shape, ops);
            write(
                &out.join("differential"),
                &format!("regression-{number}-shape-{shape}"),
                &bytes,
            )?;
            written += 1;
        }
    }
    println!("wrote {written} seeds under {}", out.display());
    Ok(())
}

/// A trace's operations as time-package calls: IDs become object indexes
/// (both count the objects made, in order), durations `<= 0` zero.
fn api_ops(trace: &Trace) -> Vec<ApiOp> {
    let duration = |nanos: i64| Duration::from_nanos(u64::try_from(nanos).unwrap_or(0));
    trace
        .steps()
        .iter()
        .map(|step| match step.op {
            TraceOp::Func { duration: d, .. } => ApiOp::AfterFunc(duration(d)),
            TraceOp::Chan { duration: d, .. } => ApiOp::NewTimer(duration(d)),
            TraceOp::Tick { period, .. } => ApiOp::NewTicker(duration(period)),
            TraceOp::Stop { id } | TraceOp::TickerStop { id } => ApiOp::Stop(id),
            TraceOp::Reset { id, duration: d } => ApiOp::Reset(id, duration(d)),
            TraceOp::TickerReset { id, period } => ApiOp::Reset(id, duration(period)),
            TraceOp::Recv { id } => ApiOp::TryRecv(id),
            TraceOp::Advance { duration: d } => ApiOp::Sleep(duration(d)),
            TraceOp::Wait { id, max } => ApiOp::RecvTimeout(id, duration(max)),
        })
        .take(time_api::MAX_OPS)
        .collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|error| format!("{}: {error}", dir.display()))?;
    let path = dir.join(name);
    fs::write(&path, bytes).map_err(|error| format!("{}: {error}", path.display()))
}
