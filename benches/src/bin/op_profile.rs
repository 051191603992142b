//! Runs one time-package operation many times on one thread and one
//! backend, and nothing else, so that a profiler sees only that
//! operation's path: `valgrind --tool=callgrind` for instruction counts
//! (repeatable on a noisy machine), `perf record` for cycles.
//!
//! The operations are those of `evaluate`'s single-thread rows, written
//! against the same [`TimerBackend`] trait, so each backend runs the same
//! calls:
//!
//! * `start-stop`: `after_func(1 h)` with the handle kept, then `stop`, in
//!   batches of 1,000 (`StartStop1000`);
//! * `stop`: `after_func(1 s)` then `stop` at once (`Stop`);
//! * `reset`: `reset(1 h)` of one pending timer (`Reset`);
//! * `after-func`: `after_func(1 h)` with the handle dropped.
//!
//! A warm-up of the same count runs first; with `--no-warmup`, only the
//! measured loop runs. The per-operation nanoseconds it prints are a
//! sanity check, not a benchmark: `evaluate` is the benchmark.
//!
//! `cargo build --release -p gowheel-benches --bin op_profile`, then for
//! example `valgrind --tool=callgrind --toggle-collect='*measured*'
//! target/release/op_profile --backend wheel --op reset --count 100000`.

use std::ffi::OsString;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use gowheel_benches::backend::{BackendKind, BackendVisitor, TimerBackend, with_backend};

const USAGE: &str = "\
usage: op_profile --backend NAME --op NAME [--count N] [--no-warmup]

Runs one operation COUNT times on one thread, for a profiler.

  --backend NAME  wheel, heap or tokio
  --op NAME       start-stop, stop, reset or after-func
  --count N       operations to run (default: 1000000; start-stop counts
                  start+stop pairs, in batches of 1,000)
  --no-warmup     skip the warm-up run of the same count
  --help, -h      this text";

/// The operation to profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    StartStop,
    Stop,
    Reset,
    AfterFunc,
}

impl Op {
    const ALL: [(&'static str, Op); 4] = [
        ("start-stop", Op::StartStop),
        ("stop", Op::Stop),
        ("reset", Op::Reset),
        ("after-func", Op::AfterFunc),
    ];

    fn from_name(name: &str) -> Option<Op> {
        Op::ALL
            .into_iter()
            .find(|(known, _)| *known == name)
            .map(|(_, op)| op)
    }
}

/// What to run.
#[derive(Debug, PartialEq, Eq)]
struct Args {
    backend: BackendKind,
    op: Op,
    count: usize,
    warmup: bool,
}

/// Reads the arguments (the program name left out); `None` for `--help`.
fn parse_args<Arg: Into<OsString>>(
    args: impl IntoIterator<Item = Arg>,
) -> Result<Option<Args>, lexopt::Error> {
    use lexopt::prelude::*;
    let (mut backend, mut op, mut count, mut warmup) = (None, None, 1_000_000, true);
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("backend") => {
                let name = parser.value()?.string()?;
                backend = Some(BackendKind::from_name(&name).ok_or_else(|| {
                    format!("--backend: {name:?} is not one of wheel, heap, tokio")
                })?);
            }
            Long("op") => {
                let name = parser.value()?.string()?;
                op = Some(Op::from_name(&name).ok_or_else(|| {
                    format!("--op: {name:?} is not one of start-stop, stop, reset, after-func")
                })?);
            }
            Long("count") => {
                count = parser.value()?.parse()?;
                if count == 0 {
                    return Err("--count: must be at least 1".into());
                }
            }
            Long("no-warmup") => warmup = false,
            Long("help") | Short('h') => return Ok(None),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Some(Args {
        backend: backend.ok_or("--backend is required")?,
        op: op.ok_or("--op is required")?,
        count,
        warmup,
    }))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args_os().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("op_profile: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let elapsed = with_backend(args.backend, Profile(&args));
    println!(
        "{} {:?}: {} operations, {:.1} ns each",
        args.backend,
        args.op,
        args.count,
        elapsed.as_nanos() as f64 / args.count as f64
    );
    ExitCode::SUCCESS
}

/// Runs the profile on whichever backend `with_backend` builds.
struct Profile<'a>(&'a Args);

impl BackendVisitor for Profile<'_> {
    type Output = Duration;

    fn visit<B: TimerBackend>(self, backend: B) -> Duration {
        let Args {
            op, count, warmup, ..
        } = *self.0;
        let _context = backend.enter();
        if warmup {
            measured(&backend, op, count);
        }
        measured(&backend, op, count)
    }
}

const HOUR: Duration = Duration::from_secs(3600);

/// The loop a profiler should look at (callgrind: `--toggle-collect`).
#[inline(never)]
fn measured<B: TimerBackend>(backend: &B, op: Op, count: usize) -> Duration {
    let started = Instant::now();
    match op {
        Op::StartStop => {
            let mut timers = Vec::with_capacity(1000);
            let mut left = count;
            while left > 0 {
                let batch = left.min(1000);
                timers.extend((0..batch).map(|_| backend.start(HOUR)));
                for timer in timers.drain(..) {
                    black_box(backend.stop(timer));
                }
                left -= batch;
            }
        }
        Op::Stop => {
            for _ in 0..count {
                black_box(backend.stop(backend.start(Duration::from_secs(1))));
            }
        }
        Op::Reset => {
            let mut timer = backend.start(HOUR);
            for _ in 0..count {
                black_box(backend.reset(&mut timer, HOUR));
            }
            backend.stop(timer);
        }
        Op::AfterFunc => {
            for _ in 0..count {
                backend.after_func(HOUR, || {});
            }
        }
    }
    started.elapsed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Result<Option<Args>, String> {
        parse_args(args.iter().copied()).map_err(|error| error.to_string())
    }

    #[test]
    fn reads_backend_op_and_count() {
        assert_eq!(
            parsed(&[
                "--backend",
                "heap",
                "--op=reset",
                "--count",
                "5",
                "--no-warmup"
            ]),
            Ok(Some(Args {
                backend: BackendKind::Heap,
                op: Op::Reset,
                count: 5,
                warmup: false,
            }))
        );
        assert_eq!(parsed(&["-h"]), Ok(None));
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let missing = parsed(&["--op", "stop"]).unwrap_err();
        assert!(missing.contains("--backend is required"), "{missing}");
        let unknown = parsed(&["--backend", "go", "--op", "stop"]).unwrap_err();
        assert!(unknown.contains("\"go\""), "{unknown}");
        let op = parsed(&["--backend", "wheel", "--op", "sleep"]).unwrap_err();
        assert!(op.contains("start-stop"), "{op}");
        let zero = parsed(&["--backend", "wheel", "--op", "stop", "--count", "0"]).unwrap_err();
        assert!(zero.contains("at least 1"), "{zero}");
    }
}
