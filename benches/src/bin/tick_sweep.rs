//! Sweeps the wheel's level-0 tick (`WheelConfig::tick_shift`) and prints
//! what each costs: start+stop of timers an hour out, firing 10^5 timers
//! spread over 100 ms and over 10 s with a check every millisecond, and
//! resetting a pending timer to a later time. `benches/README.md` says how
//! these costs bear on the default tick.
//!
//! Each tick runs on a one-stripe wheel driven by hand (deadlines and
//! `check` times are plain numbers), so no clock or driver thread enters
//! the measurement.
//!
//! `cargo run --release -p gowheel-benches --bin tick_sweep [-- --shifts 8,10,14]`

use std::ffi::OsString;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use gowheel::{Callback, TimingWheel, WheelConfig, callback};

const USAGE: &str = "\
usage: tick_sweep [--shifts N[,N...]]

Prints, for each level-0 tick of 2^N ns, the wheel's cost of start+stop,
of firing 10^5 timers (over 100 ms and over 10 s, checked every 1 ms) and of
resetting a pending timer later.

  --shifts LIST  the tick shifts N to sweep (default: 6,8,10,12,14,16,20)
  --help, -h     this text

An option's value may follow it as the next argument or after `=`
(`--shifts 10` or `--shifts=10`).";

/// The tick shifts swept when none are given.
const DEFAULT_SHIFTS: [u32; 7] = [6, 8, 10, 12, 14, 16, 20];

/// An hour in nanoseconds: where the start+stop and reset timers are due.
const HOUR: i64 = 3_600_000_000_000;

/// The wheel's time at the start of each measurement (any positive time).
const ORIGIN: i64 = 1_000_000;

/// Timers fired per firing measurement.
const FIRED_TIMERS: i64 = 100_000;

/// Reads the arguments (the program name left out): the shifts to sweep,
/// or `None` for `--help`.
fn parse_shifts<Arg: Into<OsString>>(
    args: impl IntoIterator<Item = Arg>,
) -> Result<Option<Vec<u32>>, lexopt::Error> {
    use lexopt::prelude::*;
    let mut shifts = DEFAULT_SHIFTS.to_vec();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("shifts") => {
                let list = parser.value()?.string()?;
                shifts = shift_list(&list).map_err(|error| format!("--shifts: {error}"))?;
            }
            Long("help") | Short('h') => return Ok(None),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Some(shifts))
}

/// `8,10,14` as tick shifts, each one the wheel accepts.
fn shift_list(list: &str) -> Result<Vec<u32>, String> {
    list.split(',')
        .map(|word| {
            let shift: u32 = word
                .parse()
                .map_err(|error| format!("{word:?} is not a shift: {error}"))?;
            WheelConfig::default()
                .tick_shift(shift)
                .validate()
                .map_err(|error| error.to_string())?;
            Ok(shift)
        })
        .collect()
}

fn main() -> ExitCode {
    let shifts = match parse_shifts(std::env::args_os().skip(1)) {
        Ok(Some(shifts)) => shifts,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("tick_sweep: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    println!(
        "tick_shift | start+stop ns/pair | fire ns/timer (10^5 over 100 ms, 1 ms checks) | reset-later ns | fire ns/timer (10^5 over 10 s, 1 ms checks)"
    );
    let noop = callback(|_, _| {});
    for shift in shifts {
        let config = WheelConfig::default().tick_shift(shift).stripes(1);
        let start_stop = start_stop_ns(config, &noop);
        let fire_short = fire_ns(config, &noop, 100_000_000);
        let fire_long = fire_ns(config, &noop, 10_000_000_000);
        let reset = reset_later_ns(config, &noop);
        println!(
            "{shift:>10} | {start_stop:>18.1} | {fire_short:>45.1} | {reset:>14.1} | {fire_long:>42.1}"
        );
    }
    ExitCode::SUCCESS
}

/// Nanoseconds per start+stop pair of timers an hour out, in batches of
/// 1,000 with a check between batches.
fn start_stop_ns(config: WheelConfig, noop: &Callback) -> f64 {
    let wheel = TimingWheel::new(config);
    let rounds = 300;
    let started = Instant::now();
    for round in 0..rounds {
        let timers: Vec<_> = (0..1000)
            .map(|i| wheel.start_timer(noop.clone(), ORIGIN + HOUR + i, 0))
            .collect();
        for timer in &timers {
            black_box(wheel.stop(timer));
        }
        drop(timers);
        black_box(wheel.check(ORIGIN + round));
    }
    started.elapsed().as_nanos() as f64 / (rounds * 1000) as f64
}

/// Nanoseconds per timer to fire [`FIRED_TIMERS`] timers spread over
/// `span` ns, checking every millisecond.
fn fire_ns(config: WheelConfig, noop: &Callback, span: i64) -> f64 {
    let wheel = TimingWheel::new(config);
    // 7919 is prime, so `i * 7919 % n` visits every slot of the span once,
    // out of order.
    let timers: Vec<_> = (0..FIRED_TIMERS)
        .map(|i| {
            let offset = (i * 7919 % FIRED_TIMERS) * span / FIRED_TIMERS;
            wheel.start_timer(noop.clone(), ORIGIN + offset + 1, 0)
        })
        .collect();
    let started = Instant::now();
    let mut now = ORIGIN;
    while now <= ORIGIN + span + 1_000_000 {
        now += 1_000_000;
        black_box(wheel.check(now));
    }
    let ns = started.elapsed().as_nanos() as f64 / FIRED_TIMERS as f64;
    drop(timers);
    ns
}

/// Nanoseconds per reset of a pending timer to a later time.
fn reset_later_ns(config: WheelConfig, noop: &Callback) -> f64 {
    let wheel = TimingWheel::new(config);
    let timer = wheel.start_timer(noop.clone(), ORIGIN + HOUR, 0);
    let mut when = ORIGIN + HOUR;
    let resets = 5_000_000;
    let started = Instant::now();
    for _ in 0..resets {
        when += 1000;
        black_box(wheel.reset(&timer, when, 0));
    }
    started.elapsed().as_nanos() as f64 / resets as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Vec<u32>>, String> {
        parse_shifts(args.iter().copied()).map_err(|error| error.to_string())
    }

    #[test]
    fn shifts_follow_the_option_or_an_equals_sign() {
        assert_eq!(parse(&["--shifts", "8,10"]), Ok(Some(vec![8, 10])));
        assert_eq!(parse(&["--shifts=14"]), Ok(Some(vec![14])));
        assert_eq!(parse(&[]), Ok(Some(DEFAULT_SHIFTS.to_vec())));
        assert_eq!(parse(&["--help"]), Ok(None));
    }

    #[test]
    fn errors_name_the_option() {
        let unknown = parse(&["--tick"]).expect_err("unknown");
        assert!(unknown.contains("--tick"), "{unknown}");
        let bad = parse(&["--shifts", "8,x"]).expect_err("not a number");
        assert!(bad.contains("--shifts") && bad.contains("\"x\""), "{bad}");
    }
}
