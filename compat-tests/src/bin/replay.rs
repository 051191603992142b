//! `replay`: replays Go timer traces against gowheel and reports, per trace
//! and backend, whether gowheel gave Go's answers.
//!
//! ```text
//! cargo run --release -p gowheel-compat-tests --bin replay -- \
//!     [--backend wheel|heap|both] [--drive recorded|calls|every] PATH...
//! ```
//!
//! Every option takes its value as `--opt value` or `--opt=value`; `-h` or
//! `--help` prints the usage. Errors name the option they are about.
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
//! A line may leave out its answer (` -> ...`): it is replayed and its
//! answer not compared, so a trace stripped of some answers, or written by
//! hand, is checked on the answers it has. A timed trace (a recording,
//! lines stamped `@T tN`) is refused with an error: its answers depend on
//! real time; `evaluate --trace` replays it with its timing.
//!
//! See `gowheel_compat_tests::replay` for the format and the mapping to
//! gowheel's API.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use gowheel::Backend;
use gowheel_compat_tests::cli::{Command, parse_backends, text_value, usage_error};
use gowheel_compat_tests::replay::{Driving, Trace, trace_files};
use lexopt::prelude::*;

const USAGE: &str = "usage: replay [--backend wheel|heap|both] [--drive recorded|calls|every] PATH...\n\
     Every option takes its value as `--opt value` or `--opt=value`; after `--`, \
     everything is a PATH.\n\
     Replays Go timer traces (files, or directories of *.trace files) on gowheel.";

/// The command line: backends to run, driving, and paths to read.
#[derive(Debug)]
struct Args {
    backends: Vec<Backend>,
    driving: Driving,
    paths: Vec<PathBuf>,
}

/// Parses the command line (without the program name).
fn parse_args(
    args: impl IntoIterator<Item = impl Into<OsString>>,
) -> Result<Command<Args>, String> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut backends = None;
    let mut driving = None;
    let mut paths = Vec::new();
    while let Some(arg) = parser.next().map_err(|error| error.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Long("backend") if backends.is_some() => {
                return Err("`--backend` given twice".to_owned());
            }
            Long("backend") => {
                backends = Some(parse_backends(&text_value(&mut parser, "--backend")?)?);
            }
            Long("drive") if driving.is_some() => return Err("`--drive` given twice".to_owned()),
            Long("drive") => {
                let value = text_value(&mut parser, "--drive")?;
                driving = Some(
                    value
                        .parse::<Driving>()
                        .map_err(|message| format!("`--drive`: {message}"))?,
                );
            }
            Value(path) => paths.push(PathBuf::from(path)),
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    if paths.is_empty() {
        return Err("no trace file or directory given".to_owned());
    }
    Ok(Command::Run(Args {
        backends: backends.unwrap_or_else(|| vec![Backend::Wheel, Backend::Heap]),
        driving: driving.unwrap_or_default(),
        paths,
    }))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args_os().skip(1)) {
        Ok(Command::Run(args)) => args,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => return usage_error("replay", &message, USAGE),
    };
    let files = match trace_files(&args.paths) {
        Ok(files) => files,
        Err(message) => return usage_error("replay", &message, USAGE),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Args {
        match parse_args(args.iter().copied()) {
            Ok(Command::Run(args)) => args,
            other => panic!("{args:?} parsed to {other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        parse_args(args.iter().copied()).expect_err("a usage error")
    }

    #[test]
    fn defaults_are_both_backends_driven_as_recorded() {
        let args = parsed(&["traces/go"]);
        assert_eq!(args.backends, [Backend::Wheel, Backend::Heap]);
        assert_eq!(args.driving, Driving::AsRecorded);
        assert_eq!(args.paths, [PathBuf::from("traces/go")]);
    }

    #[test]
    fn options_take_their_value_separate_or_after_an_equals_sign() {
        for args in [
            &[
                "--backend",
                "heap",
                "a.trace",
                "--drive",
                "calls",
                "b.trace",
            ][..],
            &["--backend=heap", "a.trace", "--drive=calls", "b.trace"][..],
        ] {
            let args = parsed(args);
            assert_eq!(args.backends, [Backend::Heap]);
            assert_eq!(args.driving, Driving::CallsOnly);
            assert_eq!(
                args.paths,
                [PathBuf::from("a.trace"), PathBuf::from("b.trace")]
            );
        }
    }

    #[test]
    fn paths_may_start_with_a_dash_after_the_separator() {
        let args = parsed(&["--drive", "every", "--", "--odd.trace", "-"]);
        assert_eq!(args.driving, Driving::EveryOperation);
        assert_eq!(
            args.paths,
            [PathBuf::from("--odd.trace"), PathBuf::from("-")]
        );
    }

    #[test]
    fn help_is_asked_for_with_either_spelling() {
        assert!(matches!(parse_args(["--help"]), Ok(Command::Help)));
        assert!(matches!(parse_args(["x.trace", "-h"]), Ok(Command::Help)));
    }

    #[test]
    fn errors_name_the_bad_option() {
        assert!(error(&["--backends", "heap", "x.trace"]).contains("--backends"));
        assert!(error(&["x.trace", "--drive"]).contains("--drive"));
        assert!(error(&["--drive=sometimes", "x.trace"]).contains("--drive"));
        assert!(error(&["--backend=list", "x.trace"]).contains("--backend"));
        assert!(error(&["--backend=heap", "--backend=wheel", "x.trace"]).contains("--backend"));
        assert!(error(&["--drive=calls", "--drive=every", "x.trace"]).contains("--drive"));
        assert!(error(&["--backend", "heap"]).contains("no trace file"));
    }
}
