//! `evaluate --go`: the same workloads written in Go (`benches/go/`, a
//! small program of ours on Go's own `time` package), run with the Go
//! toolchain on `PATH` if there is one (1.23 or later, for Go's current
//! timer implementation), and read back as records of backend `go`.
//!
//! The Go program prints one line per result:
//! `result WORKLOAD THREADS METRIC VALUE UNIT`, whitespace-separated, and
//! its progress on stderr. Nothing here is needed to build or test the
//! project.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::report::Record;
use crate::workloads::ServerLoadSize;

/// Where the Go program lives.
pub fn program_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/go"))
}

/// The oldest Go whose timers are the ones gowheel ports (Go 1.23).
const MINIMUM: (u32, u32) = (1, 23);

/// The Go toolchain's version (`go1.23.4`), if one at least 1.23 is on
/// `PATH`; otherwise why not.
///
/// # Errors
///
/// When `go` is missing, fails, or is older than 1.23.
pub fn toolchain() -> Result<String, String> {
    let output = Command::new("go")
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .output()
        .map_err(|error| format!("no Go toolchain on PATH ({error})"))?;
    if !output.status.success() {
        return Err(format!("`go version` failed ({})", output.status));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text
        .split_whitespace()
        .find(|word| word.starts_with("go1"))
        .ok_or_else(|| format!("cannot read `go version`: {}", text.trim()))?
        .to_owned();
    match parse_version(&version) {
        Some(found) if found >= MINIMUM => Ok(version),
        Some(_) => Err(format!(
            "{version} is older than Go {}.{}, whose timers gowheel ports",
            MINIMUM.0, MINIMUM.1
        )),
        None => Err(format!("cannot read the Go version {version:?}")),
    }
}

/// `(major, minor)` of `go1.23.4` or `go1.24rc1`.
fn parse_version(version: &str) -> Option<(u32, u32)> {
    let rest = version.strip_prefix("go")?;
    let mut parts = rest.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor: String = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((major, minor.parse().ok()?))
}

/// What the Go program is asked to run: the same settings as the Rust side.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Thread counts (GOMAXPROCS) of the parallel workloads.
    pub threads: Vec<usize>,
    /// Time per row.
    pub budget: Duration,
    /// Idle timers per thread before each Go-ported workload.
    pub preamble: usize,
    /// IdleTimeouts connections.
    pub idle_timeouts: usize,
    /// Scale's live-timer counts.
    pub scale: Vec<usize>,
    /// Memory's live-timer counts.
    pub memory: Vec<usize>,
    /// ParallelTimerLatency rounds.
    pub latency_rounds: u64,
    /// ServerLoad's load.
    pub server_load: ServerLoadSize,
    /// Only workloads whose name contains one of these (all if empty).
    pub only: Vec<String>,
}

/// The Go program's arguments for `settings`.
fn arguments(settings: &Settings) -> Vec<String> {
    let server_load = &settings.server_load;
    // Go's `time.ParseDuration` reads `123ns`.
    let go_duration = |duration: Duration| format!("{}ns", duration.as_nanos());
    vec![
        format!("-threads={}", list(&settings.threads)),
        format!("-budget={}ms", settings.budget.as_millis()),
        format!("-preamble={}", settings.preamble),
        format!("-idle={}", settings.idle_timeouts),
        format!("-scale={}", list(&settings.scale)),
        format!("-memory={}", list(&settings.memory)),
        format!("-latency-rounds={}", settings.latency_rounds),
        format!("-server-load-timers={}", server_load.timers),
        format!("-server-load-rate={}", server_load.resets_per_second),
        format!(
            "-server-load-duration={}",
            go_duration(server_load.duration)
        ),
        format!(
            "-server-load-min-delay={}",
            go_duration(server_load.min_delay)
        ),
        format!(
            "-server-load-max-delay={}",
            go_duration(server_load.max_delay)
        ),
        format!(
            "-server-load-after-func-rate={}",
            server_load.after_funcs_per_second
        ),
        format!("-only={}", settings.only.join(",")),
    ]
}

fn list(values: &[usize]) -> String {
    values
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Runs the Go program and returns its records (backend `go`).
///
/// # Errors
///
/// If it cannot be started or fails.
pub fn run(settings: &Settings) -> Result<Vec<Record>, String> {
    let output = Command::new("go")
        .args(["run", "."])
        .args(arguments(settings))
        .current_dir(program_dir())
        .env("GOTOOLCHAIN", "local")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| format!("cannot run the Go program: {error}"))?;
    if !output.status.success() {
        return Err(format!("the Go program failed ({})", output.status));
    }
    parse(&String::from_utf8_lossy(&output.stdout))
}

/// Reads the Go program's `result` lines.
///
/// # Errors
///
/// On a malformed `result` line.
///
/// ```
/// let records = gowheel_benches::go::parse("result Stop 2 time_per_op 41.5 ns\nother\n").unwrap();
/// assert_eq!(records[0].backend, "go");
/// assert_eq!(records[0].threads, 2);
/// assert_eq!(records[0].value, 41.5);
/// ```
pub fn parse(stdout: &str) -> Result<Vec<Record>, String> {
    let mut records = Vec::new();
    for line in stdout.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["result", workload, threads, metric, value, unit] => records.push(Record {
                workload: (*workload).to_owned(),
                backend: "go".to_owned(),
                threads: threads
                    .parse()
                    .map_err(|error| format!("bad thread count in {line:?}: {error}"))?,
                metric: (*metric).to_owned(),
                value: value
                    .parse()
                    .map_err(|error| format!("bad value in {line:?}: {error}"))?,
                unit: (*unit).to_owned(),
            }),
            ["result", ..] => return Err(format!("malformed result line {line:?}")),
            _ => {}
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(parse_version("go1.23.4"), Some((1, 23)));
        assert_eq!(parse_version("go1.24rc1"), Some((1, 24)));
        assert_eq!(parse_version("go1.9"), Some((1, 9)));
        assert_eq!(parse_version("gox"), None);
        assert!(parse("result Stop x time_per_op 1 ns").is_err());
    }

    #[test]
    fn server_load_arguments() {
        let settings = Settings {
            threads: vec![1, 2],
            budget: Duration::from_millis(500),
            preamble: 64,
            idle_timeouts: 1000,
            scale: vec![1000],
            memory: vec![],
            latency_rounds: 3,
            server_load: ServerLoadSize::SMOKE,
            only: vec!["ServerLoad".to_owned()],
        };
        let arguments = arguments(&settings);
        for expected in [
            "-server-load-timers=1000",
            "-server-load-rate=10000",
            "-server-load-duration=300000000ns",
            "-server-load-min-delay=10000000ns",
            "-server-load-max-delay=50000000ns",
            "-server-load-after-func-rate=1000",
            "-memory=",
            "-only=ServerLoad",
        ] {
            assert!(
                arguments.iter().any(|a| a == expected),
                "{expected}: {arguments:?}"
            );
        }
    }

    #[test]
    fn not_a_number_reads_as_nan() {
        let records = parse("result ServerLoad 1 reset_call_p999 NaN ns").expect("parses");
        assert!(records[0].value.is_nan());
    }
}
