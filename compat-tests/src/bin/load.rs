//! `load`: many armed timers on a real clock, reset at a steady rate, every
//! arming held to the exactly-once ledger; reports resets per second and
//! the lateness of the firings (p50, p99, max).
//!
//! ```text
//! cargo run --release -p gowheel-compat-tests --bin load -- \
//!     [--backend wheel|heap|both] [--timers N] [--seconds S] [--rate R] \
//!     [--threads T] [--min-delay-ms MS] [--max-delay-ms MS] [--seed N] \
//!     [--tick-shift S]
//! ```
//!
//! Every option takes its value as `--opt value` or `--opt=value`; `-h` or
//! `--help` prints the usage. Errors name the option they are about.
//!
//! Defaults: both backends (the wheel, then the heap), 10^6 timers, 10 s,
//! 10^6 resets per second, one reset thread per CPU but one (at most 8),
//! delays from 1000 ms to 5000 ms. The exit status is 0 if no violation was
//! found, 1 if any was, 2 for a usage error. See
//! `gowheel_compat_tests::load` for what a run does.

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use gowheel::Backend;
use gowheel_compat_tests::cli::{Command, number_value, parse_backends, text_value, usage_error};
use gowheel_compat_tests::load::{LoadConfig, run};
use lexopt::prelude::*;

const USAGE: &str = "usage: load [--backend wheel|heap|both] [--timers N] [--seconds S] \
     [--rate R] [--threads T] [--min-delay-ms MS] [--max-delay-ms MS] [--seed N] \
     [--tick-shift S]\n\
     Every option takes its value as `--opt value` or `--opt=value`.\n\
     Arms N timers on a real clock and resets them R times a second for S seconds, \
     checking that every arming fires exactly once unless cancelled, never early.";

/// The command line: backends, and the settings shared by their runs.
#[derive(Debug)]
struct Args {
    backends: Vec<Backend>,
    config: LoadConfig,
}

/// Parses the command line (without the program name).
fn parse_args(
    args: impl IntoIterator<Item = impl Into<OsString>>,
) -> Result<Command<Args>, String> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut backends = vec![Backend::Wheel, Backend::Heap];
    let mut config = LoadConfig::new(Backend::Wheel);
    while let Some(arg) = parser.next().map_err(|error| error.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Long("backend") => backends = parse_backends(&text_value(&mut parser, "--backend")?)?,
            Long("timers") => config.timers = number_value(&mut parser, "--timers")?,
            Long("seconds") => {
                let seconds: f64 = number_value(&mut parser, "--seconds")?;
                config.duration = Duration::try_from_secs_f64(seconds)
                    .map_err(|_| format!("`--seconds` out of range: {seconds}"))?;
            }
            Long("rate") => config.rate = number_value(&mut parser, "--rate")?,
            Long("threads") => config.threads = number_value(&mut parser, "--threads")?,
            Long("min-delay-ms") => {
                config.min_delay =
                    Duration::from_millis(number_value(&mut parser, "--min-delay-ms")?);
            }
            Long("max-delay-ms") => {
                config.max_delay =
                    Duration::from_millis(number_value(&mut parser, "--max-delay-ms")?);
            }
            Long("seed") => config.seed = number_value(&mut parser, "--seed")?,
            Long("tick-shift") => {
                config.wheel = config
                    .wheel
                    .tick_shift(number_value(&mut parser, "--tick-shift")?);
                config
                    .wheel
                    .validate()
                    .map_err(|error| format!("`--tick-shift`: {error}"))?;
            }
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    if config.timers == 0 || config.threads == 0 {
        return Err("`--timers` and `--threads` must be at least 1".to_owned());
    }
    if config.min_delay > config.max_delay {
        return Err("`--min-delay-ms` is above `--max-delay-ms`".to_owned());
    }
    Ok(Command::Run(Args { backends, config }))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args_os().skip(1)) {
        Ok(Command::Run(args)) => args,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => return usage_error("load", &message, USAGE),
    };
    let mut violations = 0;
    for backend in args.backends {
        let config = LoadConfig {
            backend,
            ..args.config.clone()
        };
        println!(
            "{backend}: {} timers, {} resets/s for {:?}, delays {:?}..{:?}, {} threads",
            config.timers,
            config.rate,
            config.duration,
            config.min_delay,
            config.max_delay,
            config.threads
        );
        let report = run(&config);
        println!("{report}");
        violations += report.violations;
    }
    if violations == 0 {
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
    fn defaults_are_the_full_size_run_on_both_backends() {
        let args = parsed(&[]);
        assert_eq!(args.backends, [Backend::Wheel, Backend::Heap]);
        let full = LoadConfig::new(Backend::Wheel);
        assert_eq!(args.config.timers, full.timers);
        assert_eq!(args.config.rate, full.rate);
        assert_eq!(args.config.duration, full.duration);
        assert_eq!(args.config.threads, full.threads);
        assert_eq!(args.config.seed, full.seed);
        assert_eq!(
            (args.config.min_delay, args.config.max_delay),
            (full.min_delay, full.max_delay)
        );
    }

    #[test]
    fn options_take_their_value_separate_or_after_an_equals_sign() {
        for args in [
            &[
                "--backend",
                "heap",
                "--timers",
                "7",
                "--seconds",
                "0.5",
                "--rate",
                "9",
            ][..],
            &["--backend=heap", "--timers=7", "--seconds=0.5", "--rate=9"][..],
        ] {
            let args = parsed(args);
            assert_eq!(args.backends, [Backend::Heap]);
            assert_eq!(args.config.timers, 7);
            assert_eq!(args.config.duration, Duration::from_millis(500));
            assert_eq!(args.config.rate, 9);
        }
        let args = parsed(&[
            "--threads=3",
            "--min-delay-ms",
            "2",
            "--max-delay-ms=4",
            "--seed",
            "11",
            "--tick-shift=10",
        ]);
        assert_eq!(args.config.threads, 3);
        assert_eq!(args.config.min_delay, Duration::from_millis(2));
        assert_eq!(args.config.max_delay, Duration::from_millis(4));
        assert_eq!(args.config.seed, 11);
    }

    #[test]
    fn help_is_asked_for_with_either_spelling() {
        assert!(matches!(parse_args(["--help"]), Ok(Command::Help)));
        assert!(matches!(parse_args(["-h"]), Ok(Command::Help)));
    }

    #[test]
    fn errors_name_the_bad_option() {
        assert!(error(&["--timer", "5"]).contains("--timer"));
        assert!(error(&["--timers"]).contains("--timers"));
        assert!(error(&["--timers=many"]).contains("--timers"));
        assert!(error(&["--seconds", "-1"]).contains("--seconds"));
        assert!(error(&["--backend", "list"]).contains("--backend"));
        assert!(error(&["--tick-shift=99"]).contains("--tick-shift"));
        assert!(error(&["--threads=0"]).contains("--threads"));
        assert!(error(&["--min-delay-ms=5", "--max-delay-ms=4"]).contains("--min-delay-ms"));
        assert!(error(&["stray"]).contains("stray"));
    }
}
