//! `replay`: replays Go timer traces against gowheel and reports, per trace
//! and backend, whether gowheel gave Go's answers.
//!
//! ```text
//! cargo run --release -p gowheel-compat-tests --bin replay -- \
//!     [--backend wheel|heap|both] [--drive recorded|calls|every] PATH...
//! ```
//!
//! Each PATH is a trace file or a directory, whose `*.trace` files are
//! replayed in name order. For each trace and backend it prints
//! `ok NAME BACKEND` or `FAIL NAME BACKEND: line N: ...` (the first line
//! where gowheel differs from Go, or why the trace could not be read), then
//! `N passed, M failed` counting one per trace and backend. The exit status
//! is 0 if everything passed, 1 if anything failed, 2 for a usage error.
//! The default backend is `both` (the wheel, then the heap).
//!
//! `--drive` chooses when the replayer runs gowheel's timer check beyond
//! what the mapped calls do (see `gowheel_compat_tests::replay::Driving`):
//! `recorded` (the default) where the trace shows Go's check ran, `calls`
//! never, `every` after every operation (rule 1 of `FORMAT.md` taken
//! literally, which the recorded traces contradict).
//!
//! See `gowheel_compat_tests::replay` for the format and the mapping to
//! gowheel's API.

use std::path::PathBuf;
use std::process::ExitCode;

use gowheel::Backend;
use gowheel_compat_tests::replay::{Driving, Trace, trace_files};

const USAGE: &str = "usage: replay [--backend wheel|heap|both] [--drive recorded|calls|every] PATH...\n\
     Replays Go timer traces (files, or directories of *.trace files) on gowheel.";

/// The command line: backends to run, driving, and paths to read.
struct Args {
    backends: Vec<Backend>,
    driving: Driving,
    paths: Vec<PathBuf>,
}

/// Parses a `--backend` value.
fn parse_backends(value: &str) -> Result<Vec<Backend>, String> {
    match value {
        "both" => Ok(vec![Backend::Wheel, Backend::Heap]),
        "wheel" => Ok(vec![Backend::Wheel]),
        "heap" => Ok(vec![Backend::Heap]),
        other => Err(format!(
            "unknown backend `{other}` (expected wheel, heap or both)"
        )),
    }
}

/// Parses the command line; `Ok(None)` for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut backends = None;
    let mut driving = None;
    let mut paths = Vec::new();
    let mut only_paths = false;
    while let Some(arg) = args.next() {
        if only_paths || arg == "-" || !arg.starts_with('-') {
            paths.push(PathBuf::from(arg));
            continue;
        }
        if arg == "--" {
            only_paths = true;
            continue;
        }
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        let (option, value) = match arg.split_once('=') {
            Some((option, value)) => (option.to_owned(), value.to_owned()),
            None => {
                let value = match arg.as_str() {
                    "--backend" | "--drive" => args
                        .next()
                        .ok_or_else(|| format!("`{arg}` needs a value"))?,
                    _ => return Err(format!("unknown option `{arg}`")),
                };
                (arg, value)
            }
        };
        match option.as_str() {
            "--backend" if backends.is_none() => backends = Some(parse_backends(&value)?),
            "--drive" if driving.is_none() => driving = Some(value.parse()?),
            "--backend" | "--drive" => return Err(format!("`{option}` given twice")),
            _ => return Err(format!("unknown option `{option}`")),
        }
    }
    if paths.is_empty() {
        return Err("no trace file or directory given".to_owned());
    }
    Ok(Some(Args {
        backends: backends.unwrap_or_else(|| vec![Backend::Wheel, Backend::Heap]),
        driving: driving.unwrap_or_default(),
        paths,
    }))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("replay: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let files = match trace_files(&args.paths) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("replay: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let (mut passed, mut failed) = (0usize, 0usize);
    for file in &files {
        let name = file.display().to_string();
        let trace = Trace::load(file);
        for &backend in &args.backends {
            let result = trace
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|trace| trace.replay_with(backend, args.driving));
            match result {
                Ok(()) => {
                    passed += 1;
                    println!("ok {name} {backend}");
                }
                Err(error) => {
                    failed += 1;
                    println!("FAIL {name} {backend}: {}", error.detail());
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
