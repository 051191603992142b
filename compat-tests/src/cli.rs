//! Command-line plumbing shared by the `load` and `replay` binaries, on top
//! of [`lexopt`].
//!
//! Every option takes its value as `--opt value` or `--opt=value` alike
//! (lexopt does both), and every error names the option it is about:
//! lexopt's own errors do (`invalid option '--x'`, `missing argument for
//! option '--timers'`), and the value readers here add the option to what
//! they report. A binary's `main` parses into its own arguments or
//! [`Command::Help`], prints the usage for `--help` and exits with status
//! [`USAGE_ERROR`] after [`usage_error`].

use std::process::ExitCode;
use std::str::FromStr;

use gowheel::Backend;
use lexopt::Parser;

/// The exit status of a command-line error.
pub const USAGE_ERROR: u8 = 2;

/// What a command line asks for: a run with its arguments, or the usage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command<T> {
    /// Run with these arguments.
    Run(T),
    /// `-h` or `--help`: print the usage.
    Help,
}

/// The value of `option`, the option just read by `parser`, as UTF-8 text.
///
/// # Errors
///
/// A message naming `option` if the value is missing or not UTF-8.
///
/// ```
/// use gowheel_compat_tests::cli::text_value;
///
/// let mut parser = lexopt::Parser::from_args(["--drive=calls"]);
/// parser.next().unwrap();
/// assert_eq!(text_value(&mut parser, "--drive").unwrap(), "calls");
/// ```
pub fn text_value(parser: &mut Parser, option: &str) -> Result<String, String> {
    parser
        .value()
        .map_err(|error| error.to_string())?
        .into_string()
        .map_err(|raw| format!("`{option}` needs UTF-8 text, got {raw:?}"))
}

/// The value of `option`, the option just read by `parser`, parsed as a
/// number (anything [`FromStr`]).
///
/// # Errors
///
/// A message naming `option` if the value is missing or not such a number.
///
/// ```
/// use gowheel_compat_tests::cli::number_value;
///
/// let mut parser = lexopt::Parser::from_args(["--timers", "x"]);
/// parser.next().unwrap();
/// let error = number_value::<usize>(&mut parser, "--timers").unwrap_err();
/// assert_eq!(error, "`--timers` needs a number, got `x`");
/// ```
pub fn number_value<T: FromStr>(parser: &mut Parser, option: &str) -> Result<T, String> {
    let value = text_value(parser, option)?;
    value
        .parse()
        .map_err(|_| format!("`{option}` needs a number, got `{value}`"))
}

/// The backends a `--backend` value names: `wheel`, `heap`, or `both`
/// (the wheel, then the heap).
///
/// # Errors
///
/// A message naming `--backend` for any other value.
///
/// ```
/// use gowheel::Backend;
/// use gowheel_compat_tests::cli::parse_backends;
///
/// assert_eq!(parse_backends("both").unwrap(), [Backend::Wheel, Backend::Heap]);
/// assert!(parse_backends("list").unwrap_err().contains("--backend"));
/// ```
pub fn parse_backends(value: &str) -> Result<Vec<Backend>, String> {
    match value {
        "both" => Ok(vec![Backend::Wheel, Backend::Heap]),
        "wheel" => Ok(vec![Backend::Wheel]),
        "heap" => Ok(vec![Backend::Heap]),
        other => Err(format!(
            "`--backend`: unknown backend `{other}` (expected wheel, heap or both)"
        )),
    }
}

/// Reports a command-line error of `command` on standard error, followed
/// by the usage, and returns the exit status for it ([`USAGE_ERROR`]).
pub fn usage_error(command: &str, message: &str, usage: &str) -> ExitCode {
    eprintln!("{command}: {message}\n{usage}");
    ExitCode::from(USAGE_ERROR)
}
