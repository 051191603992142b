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
//! Defaults: both backends (the wheel, then the heap), 10^6 timers, 10 s,
//! 10^6 resets per second, one reset thread per CPU but one (at most 8),
//! delays from 1000 ms to 5000 ms. The exit status is 0 if no violation was
//! found, 1 if any was, 2 for a usage error. See
//! `gowheel_compat_tests::load` for what a run does.

use std::process::ExitCode;
use std::time::Duration;

use gowheel::Backend;
use gowheel_compat_tests::load::{LoadConfig, run};

const USAGE: &str = "usage: load [--backend wheel|heap|both] [--timers N] [--seconds S] \
     [--rate R] [--threads T] [--min-delay-ms MS] [--max-delay-ms MS] [--seed N] \
     [--tick-shift S]\n\
     Arms N timers on a real clock and resets them R times a second for S seconds, \
     checking that every arming fires exactly once unless cancelled, never early.";

/// The command line: backends, and the settings shared by their runs.
struct Args {
    backends: Vec<Backend>,
    config: LoadConfig,
}

/// Parses a number option's value.
fn number<T: std::str::FromStr>(option: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("`{option}` needs a number, got `{value}`"))
}

/// Parses the command line; `Ok(None)` for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut backends = vec![Backend::Wheel, Backend::Heap];
    let mut config = LoadConfig::new(Backend::Wheel);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        let (option, value) = match arg.split_once('=') {
            Some((option, value)) => (option.to_owned(), value.to_owned()),
            None => {
                let value = args
                    .next()
                    .ok_or_else(|| format!("`{arg}` needs a value"))?;
                (arg, value)
            }
        };
        match option.as_str() {
            "--backend" => {
                backends = match value.as_str() {
                    "both" => vec![Backend::Wheel, Backend::Heap],
                    other => vec![other.parse::<Backend>()?],
                }
            }
            "--timers" => config.timers = number(&option, &value)?,
            "--seconds" => {
                let seconds: f64 = number(&option, &value)?;
                config.duration = Duration::try_from_secs_f64(seconds)
                    .map_err(|_| format!("`--seconds` out of range: {value}"))?;
            }
            "--rate" => config.rate = number(&option, &value)?,
            "--threads" => config.threads = number(&option, &value)?,
            "--min-delay-ms" => {
                config.min_delay = Duration::from_millis(number(&option, &value)?);
            }
            "--max-delay-ms" => {
                config.max_delay = Duration::from_millis(number(&option, &value)?);
            }
            "--seed" => config.seed = number(&option, &value)?,
            "--tick-shift" => {
                config.wheel = config.wheel.tick_shift(number(&option, &value)?);
                config.wheel.validate().map_err(|error| error.to_string())?;
            }
            _ => return Err(format!("unknown option `{option}`")),
        }
    }
    if config.timers == 0 || config.threads == 0 {
        return Err("`--timers` and `--threads` must be at least 1".to_owned());
    }
    if config.min_delay > config.max_delay {
        return Err("`--min-delay-ms` is above `--max-delay-ms`".to_owned());
    }
    Ok(Some(Args { backends, config }))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("load: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
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
