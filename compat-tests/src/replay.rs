//! Go trace replay: scripts of timer operations recorded from Go itself,
//! with Go's answers, replayed on a manual-clock gowheel runtime and
//! compared line by line.
//!
//! The traces live in `compat-tests/traces/go/`; their format and the rules
//! a replayer follows are in `compat-tests/traces/go/FORMAT.md`. Each trace
//! is a sequence of operation lines (`func`, `chan`, `tick`, `stop`,
//! `reset`, `tstop`, `treset`, `recv`, `advance`, `wait`), most with Go's
//! answer after ` -> `, each followed by the `fired` lines of the callbacks
//! it caused to run and, for `advance` and `wait`, by a `now` line.
//!
//! # Two halves
//!
//! * **Parsing** ([`Line::parse`], [`Trace::parse`], [`Trace::load`]) turns
//!   the text into [`Step`]s: one operation with its expected [`Answer`],
//!   `fired` lines and `now` line. It checks everything the text alone
//!   decides: known operations, arity, numbers, results of the right shape,
//!   IDs in creation order and naming a timer of the right kind, `now`
//!   lines exactly where time moves. Bad input is a
//!   [`ReplayError::Parse`] naming the file and line, never a panic.
//! * **Replaying** ([`Trace::replay`]) builds a fresh manual-clock
//!   [`Runtime`] of the chosen [`Backend`] and drives it through the public
//!   time-package API only: there is no model of timers here, every answer
//!   compared is one gowheel gave. The first line where gowheel answers
//!   differently from Go is a [`ReplayError::Mismatch`].
//!
//! # Mapping
//!
//! | trace line | gowheel call |
//! | --- | --- |
//! | `func ID D` | [`Runtime::after_func`], whose callback logs `fired ID T` with `T` = [`Runtime::elapsed`] |
//! | `chan ID D` | [`Runtime::new_timer`] |
//! | `tick ID D [-> panic]` | [`Runtime::try_new_ticker`]: `Err` is `panic`, and uses no ID |
//! | `stop ID -> B`, `reset ID D -> B` | [`AfterFunc::stop`], [`AfterFunc::reset`], [`Timer::stop`], [`Timer::reset`] |
//! | `tstop ID`, `treset ID D [-> panic]` | [`Ticker::stop`], [`Ticker::try_reset`] |
//! | `recv ID -> none\|T` | [`Receiver::try_recv`](gowheel::Receiver::try_recv) |
//! | `advance D`, then `now T` | [`Runtime::sleep`] (Go's `time.Sleep`), then [`Runtime::elapsed`] |
//! | `wait ID MAXD -> T\|timeout`, then `now T` | [`Receiver::recv_timeout`](gowheel::Receiver::recv_timeout), then [`Runtime::elapsed`] |
//!
//! Times are nanoseconds since [`Runtime::start`], virtual time zero. A
//! duration `D <= 0` is passed as [`Duration::ZERO`] (Go: due at once; a
//! `Sleep` or a wait that returns at once; a ticker period the API must
//! reject), and `D = i64::MAX` as that many nanoseconds, which the runtime
//! must saturate to a deadline that is never reached.
//!
//! The `fired` lines of a step are the callbacks that ran during the
//! operation (and during the timer check described next, if any), compared
//! as a list sorted by `(T, ID)`, since Go gives no order among callbacks
//! due at the same instant.
//!
//! # When timers run: what the traces show
//!
//! Rule 1 of `FORMAT.md` says that after every operation everything due at
//! `now` has fired. The recorded answers say otherwise, and they are what
//! Go did: the traces were recorded in a `testing/synctest` bubble, where
//! timers run only when the bubble's goroutines block (Go 1.24's
//! `maybeRunChan` does nothing for a bubble's timers; `synctest.Run` runs
//! them when it moves its clock). So a timer that falls due at `now`
//! through a non-blocking call (`func ID 0`, `reset ID -5`, ...) has not
//! run before the next operation: `func 38 0`, `chan 39 1582`,
//! `stop 38 -> true` (`dense-02.trace`, lines 210-212: the callback never
//! ran), and `reset 161 -52 -> true`, `recv 161 -> none` (a chan timer,
//! `dense-03.trace`, lines 1012-1013); it runs in the next blocking call:
//! an `advance D` with `D > 0` (`time.Sleep(D)` with `D <= 0` returns at
//! once and runs nothing, `dense-02.trace` line 1623) or a `wait` that
//! blocks. A gowheel manual runtime behaves the same way by itself: it runs
//! timers only in [`Runtime::sleep`]/[`Runtime::advance`] and in blocking
//! receives, so the replayer needs no driving of its own for those.
//!
//! One thing remains nondeterministic in the recordings: as far as they
//! show, `synctest.Run`'s first check of the bubble's timers races with the
//! first operations, so a timer due at time 0 may run right after the
//! operation that made it (`wide-06.trace` line 4: `func 0 -929` then
//! `fired 0 0`) or only in the first blocking call (`dense-06.trace` and
//! `mixed-06.trace`, the same first operations). Which
//! [`Driving`] the replayer adds for this is a choice; the default,
//! [`Driving::AsRecorded`], runs gowheel's timer check
//! (`runtime.advance(Duration::ZERO)`) after a non-blocking operation
//! exactly where the trace shows that Go's check ran there, that is, where
//! `fired` lines follow it. Every callback due at that instant must then
//! fire, no more and no fewer, so gowheel's answers are still all checked;
//! only the moment of Go's check is taken from the trace.
//!
//! # Example
//!
//! ```
//! use gowheel::Backend;
//! use gowheel_compat_tests::replay::Trace;
//!
//! let trace = Trace::parse(
//!     "example.trace",
//!     "# timer trace v1\n\
//!      func 0 30\n\
//!      chan 1 50\n\
//!      advance 40\n\
//!      fired 0 30\n\
//!      now 40\n\
//!      stop 1 -> true\n",
//! )
//! .unwrap();
//! for backend in [Backend::Wheel, Backend::Heap] {
//!     trace.replay(backend).unwrap();
//! }
//!
//! // A wrong expectation is reported on its line.
//! let wrong = Trace::parse("wrong.trace", "chan 0 50\nstop 0 -> false\n").unwrap();
//! let error = wrong.replay(Backend::Wheel).unwrap_err();
//! assert_eq!(error.line(), 2);
//! assert_eq!(error.detail(), "line 2: expected `stop 0 -> false`, got `stop 0 -> true`");
//! ```

use std::cell::Cell;
use std::fmt;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gowheel::{AfterFunc, Backend, Receiver, Runtime, Ticker, Timer};

use crate::panics::{lock, panic_message};

/// The kind of timer an ID names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A function timer (`func`, Go's `time.AfterFunc`).
    Func,
    /// A channel timer (`chan`, Go's `time.NewTimer`).
    Chan,
    /// A ticker (`tick`, Go's `time.NewTicker`).
    Tick,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Func => "a func timer",
            Kind::Chan => "a chan timer",
            Kind::Tick => "a ticker",
        })
    }
}

/// One operation of a trace, without its answer. Durations and times are
/// `i64` nanoseconds as written in the trace (they may be negative).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `func ID D`: `time.AfterFunc(D, f)`.
    Func {
        /// The new timer's ID.
        id: usize,
        /// Its duration.
        duration: i64,
    },
    /// `chan ID D`: `time.NewTimer(D)`.
    Chan {
        /// The new timer's ID.
        id: usize,
        /// Its duration.
        duration: i64,
    },
    /// `tick ID D`: `time.NewTicker(D)`.
    Tick {
        /// The new ticker's ID (not used if Go rejected the period).
        id: usize,
        /// Its period.
        period: i64,
    },
    /// `stop ID`: `Timer.Stop()` on a func or chan timer.
    Stop {
        /// The timer.
        id: usize,
    },
    /// `reset ID D`: `Timer.Reset(D)` on a func or chan timer.
    Reset {
        /// The timer.
        id: usize,
        /// The new duration.
        duration: i64,
    },
    /// `tstop ID`: `Ticker.Stop()`.
    TickerStop {
        /// The ticker.
        id: usize,
    },
    /// `treset ID D`: `Ticker.Reset(D)`.
    TickerReset {
        /// The ticker.
        id: usize,
        /// The new period.
        period: i64,
    },
    /// `recv ID`: a non-blocking receive on a chan timer's or ticker's
    /// channel.
    Recv {
        /// The chan timer or ticker.
        id: usize,
    },
    /// `advance D`: `time.Sleep(D)`.
    Advance {
        /// How far virtual time moves.
        duration: i64,
    },
    /// `wait ID MAXD`: a blocking receive that gives up after `MAXD`.
    Wait {
        /// The chan timer or ticker.
        id: usize,
        /// The longest wait.
        max: i64,
    },
}

impl Op {
    /// The operation's name as written in a trace.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::Op;
    /// assert_eq!(Op::TickerReset { id: 0, period: 5 }.name(), "treset");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Op::Func { .. } => "func",
            Op::Chan { .. } => "chan",
            Op::Tick { .. } => "tick",
            Op::Stop { .. } => "stop",
            Op::Reset { .. } => "reset",
            Op::TickerStop { .. } => "tstop",
            Op::TickerReset { .. } => "treset",
            Op::Recv { .. } => "recv",
            Op::Advance { .. } => "advance",
            Op::Wait { .. } => "wait",
        }
    }

    /// Whether the operation moves virtual time, so that a `now` line
    /// follows it (`advance` and `wait`).
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::Op;
    /// assert!(Op::Advance { duration: 5 }.moves_time());
    /// assert!(!Op::Recv { id: 0 }.moves_time());
    /// ```
    pub fn moves_time(&self) -> bool {
        matches!(self, Op::Advance { .. } | Op::Wait { .. })
    }

    /// Whether the Go call may block, letting Go's timers run during it: an
    /// `advance D` with `D > 0` (`time.Sleep(D)` with `D <= 0` returns at
    /// once) or a `wait`. The gowheel calls they map to run gowheel's
    /// timers themselves.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::Op;
    /// assert!(Op::Advance { duration: 5 }.may_block());
    /// assert!(!Op::Advance { duration: -64 }.may_block());
    /// assert!(Op::Wait { id: 0, max: -64 }.may_block());
    /// assert!(!Op::Stop { id: 0 }.may_block());
    /// ```
    pub fn may_block(&self) -> bool {
        match *self {
            Op::Advance { duration } => duration > 0,
            Op::Wait { .. } => true,
            _ => false,
        }
    }

    /// Renders the operation's line with `answer`, as a trace writes it.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::{Answer, Op};
    /// assert_eq!(Op::Stop { id: 3 }.render(Answer::Bool(true)), "stop 3 -> true");
    /// assert_eq!(Op::Wait { id: 1, max: 64 }.render(Answer::Empty), "wait 1 64 -> timeout");
    /// assert_eq!(Op::Recv { id: 1 }.render(Answer::Empty), "recv 1 -> none");
    /// ```
    pub fn render(&self, answer: Answer) -> String {
        let call = match *self {
            Op::Func { id, duration } => format!("func {id} {duration}"),
            Op::Chan { id, duration } => format!("chan {id} {duration}"),
            Op::Tick { id, period } => format!("tick {id} {period}"),
            Op::Stop { id } => format!("stop {id}"),
            Op::Reset { id, duration } => format!("reset {id} {duration}"),
            Op::TickerStop { id } => format!("tstop {id}"),
            Op::TickerReset { id, period } => format!("treset {id} {period}"),
            Op::Recv { id } => format!("recv {id}"),
            Op::Advance { duration } => format!("advance {duration}"),
            Op::Wait { id, max } => format!("wait {id} {max}"),
        };
        match answer {
            Answer::Done => call,
            Answer::Panic => format!("{call} -> panic"),
            Answer::Bool(value) => format!("{call} -> {value}"),
            Answer::Value(at) => format!("{call} -> {at}"),
            Answer::Empty if matches!(self, Op::Wait { .. }) => format!("{call} -> timeout"),
            Answer::Empty => format!("{call} -> none"),
        }
    }
}

/// The answer to an operation: what follows ` -> ` on its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Answer {
    /// No ` -> `: the call returned nothing (or, for `tick` and `treset`,
    /// succeeded).
    Done,
    /// `-> panic`: the call was rejected (a `tick` or `treset` period
    /// `<= 0`).
    Panic,
    /// `-> true` or `-> false`: what `stop` or `reset` returned.
    Bool(bool),
    /// `-> T`: a value was received, standing for the deadline `T`
    /// (nanoseconds since the start).
    Value(i64),
    /// `-> none` (`recv`) or `-> timeout` (`wait`): nothing was received.
    Empty,
}

/// One meaningful line of a trace (comments and blank lines are not
/// lines).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Line {
    /// An operation and Go's answer to it.
    Op {
        /// The operation.
        op: Op,
        /// Go's answer.
        answer: Answer,
    },
    /// `fired ID T`: func timer `ID`'s callback ran at virtual time `T`.
    Fired {
        /// The func timer.
        id: usize,
        /// When its callback ran, in nanoseconds since the start.
        at: i64,
    },
    /// `now T`: the virtual time after an `advance` or `wait`.
    Now {
        /// Nanoseconds since the start.
        at: i64,
    },
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Line::Op { op, answer } => f.write_str(&op.render(*answer)),
            Line::Fired { id, at } => write!(f, "fired {id} {at}"),
            Line::Now { at } => write!(f, "now {at}"),
        }
    }
}

/// Parses an ID field.
fn parse_id(token: &str) -> Result<usize, String> {
    token
        .parse()
        .map_err(|_| format!("malformed ID `{token}`: expected a non-negative integer"))
}

/// Parses a nanosecond field (duration or time) named `what`.
fn parse_nanos(token: &str, what: &str) -> Result<i64, String> {
    token.parse().map_err(|_| {
        format!("malformed number `{token}` for {what}: expected an integer of nanoseconds")
    })
}

impl Line {
    /// Parses one line of a trace: `Ok(None)` for a blank line or a `#`
    /// comment, an error message (without file or line number) for a line
    /// that is not in the format.
    ///
    /// ```
    /// use gowheel_compat_tests::replay::{Answer, Line, Op};
    ///
    /// assert_eq!(
    ///     Line::parse("reset 3 -5 -> true").unwrap(),
    ///     Some(Line::Op { op: Op::Reset { id: 3, duration: -5 }, answer: Answer::Bool(true) }),
    /// );
    /// assert_eq!(Line::parse("# a comment").unwrap(), None);
    /// assert!(Line::parse("sleep 5").unwrap_err().contains("unknown operation"));
    /// ```
    pub fn parse(text: &str) -> Result<Option<Line>, String> {
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            return Ok(None);
        }
        let tokens: Vec<&str> = text.split_whitespace().collect();
        let (call, result) = match tokens.iter().position(|&token| token == "->") {
            None => (&tokens[..], None),
            Some(arrow) => match &tokens[arrow + 1..] {
                [result] => (&tokens[..arrow], Some(*result)),
                [] => return Err("nothing after `->`: expected a result".to_owned()),
                _ => {
                    return Err(format!(
                        "more than one token after `->`: `{}`",
                        tokens[arrow + 1..].join(" ")
                    ));
                }
            },
        };
        let (&name, args) = call
            .split_first()
            .ok_or_else(|| "a line that starts with `->`".to_owned())?;
        let (usage, arity) = match name {
            "func" => ("func ID D", 2),
            "chan" => ("chan ID D", 2),
            "tick" => ("tick ID D [-> panic]", 2),
            "stop" => ("stop ID -> true|false", 1),
            "reset" => ("reset ID D -> true|false", 2),
            "tstop" => ("tstop ID", 1),
            "treset" => ("treset ID D [-> panic]", 2),
            "recv" => ("recv ID -> none|T", 1),
            "advance" => ("advance D", 1),
            "wait" => ("wait ID MAXD -> T|timeout", 2),
            "fired" => ("fired ID T", 2),
            "now" => ("now T", 1),
            _ => {
                return Err(format!(
                    "unknown operation `{name}` (expected one of func, chan, tick, stop, reset, \
                     tstop, treset, recv, advance, wait, fired, now)"
                ));
            }
        };
        if args.len() != arity {
            return Err(format!(
                "`{name}` takes {arity} argument{}, got {} (usage: `{usage}`)",
                if arity == 1 { "" } else { "s" },
                args.len()
            ));
        }
        let id = |index: usize| parse_id(args[index]);
        let nanos = |index: usize, what: &str| parse_nanos(args[index], what);
        let bad_result = |result: Option<&str>| match result {
            Some(result) => format!("unexpected result `{result}` for `{name}` (usage: `{usage}`)"),
            None => format!("`{name}` needs a result (usage: `{usage}`)"),
        };
        let no_result = |op: Op| match result {
            None => Ok(Line::Op {
                op,
                answer: Answer::Done,
            }),
            Some(_) => Err(bad_result(result)),
        };
        let maybe_panic = |op: Op| match result {
            None => Ok(Line::Op {
                op,
                answer: Answer::Done,
            }),
            Some("panic") => Ok(Line::Op {
                op,
                answer: Answer::Panic,
            }),
            Some(_) => Err(bad_result(result)),
        };
        let boolean = |op: Op| match result {
            Some("true") => Ok(Line::Op {
                op,
                answer: Answer::Bool(true),
            }),
            Some("false") => Ok(Line::Op {
                op,
                answer: Answer::Bool(false),
            }),
            _ => Err(bad_result(result)),
        };
        let received = |op: Op, empty: &str| match result {
            None => Err(bad_result(result)),
            Some(result) if result == empty => Ok(Line::Op {
                op,
                answer: Answer::Empty,
            }),
            Some(result) => Ok(Line::Op {
                op,
                answer: Answer::Value(parse_nanos(result, "the received value")?),
            }),
        };
        let line = match name {
            "func" => no_result(Op::Func {
                id: id(0)?,
                duration: nanos(1, "the duration")?,
            })?,
            "chan" => no_result(Op::Chan {
                id: id(0)?,
                duration: nanos(1, "the duration")?,
            })?,
            "tick" => maybe_panic(Op::Tick {
                id: id(0)?,
                period: nanos(1, "the period")?,
            })?,
            "stop" => boolean(Op::Stop { id: id(0)? })?,
            "reset" => boolean(Op::Reset {
                id: id(0)?,
                duration: nanos(1, "the duration")?,
            })?,
            "tstop" => no_result(Op::TickerStop { id: id(0)? })?,
            "treset" => maybe_panic(Op::TickerReset {
                id: id(0)?,
                period: nanos(1, "the period")?,
            })?,
            "recv" => received(Op::Recv { id: id(0)? }, "none")?,
            "advance" => no_result(Op::Advance {
                duration: nanos(0, "the duration")?,
            })?,
            "wait" => received(
                Op::Wait {
                    id: id(0)?,
                    max: nanos(1, "the longest wait")?,
                },
                "timeout",
            )?,
            "fired" => {
                if result.is_some() {
                    return Err(bad_result(result));
                }
                Line::Fired {
                    id: id(0)?,
                    at: nanos(1, "the time")?,
                }
            }
            _ => {
                // "now": the only name left.
                if result.is_some() {
                    return Err(bad_result(result));
                }
                Line::Now {
                    at: nanos(0, "the time")?,
                }
            }
        };
        Ok(Some(line))
    }
}

/// A `fired` or `now` line of a step: its line number and value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Numbered<T> {
    /// The line number in the file, from 1.
    pub line: usize,
    /// What the line says.
    pub value: T,
}

/// One operation with everything the trace expects of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The operation's line number, from 1.
    pub line: usize,
    /// The operation.
    pub op: Op,
    /// Go's answer.
    pub answer: Answer,
    /// The `fired` lines that follow, in file order: `(ID, T)`.
    pub fired: Vec<Numbered<(usize, i64)>>,
    /// The `now` line, for `advance` and `wait`.
    pub now: Option<Numbered<i64>>,
}

impl Step {
    /// The step's expected output as `(line number, text)`: the operation
    /// line with Go's answer, the `fired` lines sorted by `(T, ID)` (on the
    /// line numbers of the `fired` lines, in file order), then the `now`
    /// line.
    fn expected_lines(&self) -> Vec<(usize, String)> {
        let mut lines = vec![(self.line, self.op.render(self.answer))];
        let mut fired: Vec<(usize, i64)> = self.fired.iter().map(|fired| fired.value).collect();
        fired.sort_by_key(|&(id, at)| (at, id));
        lines.extend(
            self.fired
                .iter()
                .zip(fired)
                .map(|(numbered, (id, at))| (numbered.line, Line::Fired { id, at }.to_string())),
        );
        if let Some(now) = self.now {
            lines.push((now.line, Line::Now { at: now.value }.to_string()));
        }
        lines
    }
}

/// A parsed trace: its name (normally its path) and its steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    name: String,
    steps: Vec<Step>,
}

/// Builds `Trace::parse`'s steps, checking IDs and line order.
struct TraceBuilder<'a> {
    name: &'a str,
    steps: Vec<Step>,
    /// The kind of every ID given so far, indexed by ID.
    kinds: Vec<Kind>,
}

impl TraceBuilder<'_> {
    fn error(&self, line: usize, message: impl Into<String>) -> ReplayError {
        ReplayError::Parse {
            file: self.name.to_owned(),
            line,
            message: message.into(),
        }
    }

    /// Checks that `id` names an existing timer of one of `kinds`, for the
    /// operation or line `what`.
    fn check_id(
        &self,
        line: usize,
        id: usize,
        kinds: &[Kind],
        what: &str,
    ) -> Result<(), ReplayError> {
        let wanted = match kinds {
            [kind] => kind.to_string(),
            _ => kinds
                .iter()
                .map(Kind::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
        };
        match self.kinds.get(id) {
            None if self.kinds.is_empty() => Err(self.error(
                line,
                format!("unknown ID {id} in `{what}` (no timer has been created yet)"),
            )),
            None => Err(self.error(
                line,
                format!(
                    "unknown ID {id} in `{what}` (the highest ID so far is {})",
                    self.kinds.len() - 1
                ),
            )),
            Some(kind) if !kinds.contains(kind) => Err(self.error(
                line,
                format!("ID {id} is {kind}, but `{what}` needs {wanted}"),
            )),
            Some(_) => Ok(()),
        }
    }

    /// Checks that `id` is the next ID to give.
    fn check_new_id(&self, line: usize, id: usize, name: &str) -> Result<(), ReplayError> {
        let next = self.kinds.len();
        if id == next {
            Ok(())
        } else {
            Err(self.error(
                line,
                format!("ID out of sequence: `{name} {id}` but the next new timer's ID is {next}"),
            ))
        }
    }

    /// Checks that the last step has its `now` line if it needs one, before
    /// `found` (the next line's text, `None` at the end of the file) on
    /// line `line`.
    fn check_complete(&self, line: usize, found: Option<&str>) -> Result<(), ReplayError> {
        let Some(step) = self.steps.last() else {
            return Ok(());
        };
        if !step.op.moves_time() || step.now.is_some() {
            return Ok(());
        }
        let op = step.op.render(step.answer);
        Err(match found {
            Some(found) => self.error(
                line,
                format!(
                    "missing `now` line: `{op}` on line {} must be followed by `now T`, \
                     found `{found}`",
                    step.line
                ),
            ),
            None => self.error(
                step.line,
                format!("missing `now` line: `{op}` must be followed by `now T` (end of file)"),
            ),
        })
    }

    fn push(&mut self, line: usize, text: &str, parsed: Line) -> Result<(), ReplayError> {
        match parsed {
            Line::Op { op, answer } => {
                self.check_complete(line, Some(text))?;
                match op {
                    Op::Func { id, .. } => {
                        self.check_new_id(line, id, "func")?;
                        self.kinds.push(Kind::Func);
                    }
                    Op::Chan { id, .. } => {
                        self.check_new_id(line, id, "chan")?;
                        self.kinds.push(Kind::Chan);
                    }
                    Op::Tick { id, .. } => {
                        self.check_new_id(line, id, "tick")?;
                        // A rejected ticker is not made and uses no ID.
                        if answer != Answer::Panic {
                            self.kinds.push(Kind::Tick);
                        }
                    }
                    Op::Stop { id } | Op::Reset { id, .. } => {
                        self.check_id(line, id, &[Kind::Func, Kind::Chan], op.name())?;
                    }
                    Op::TickerStop { id } | Op::TickerReset { id, .. } => {
                        self.check_id(line, id, &[Kind::Tick], op.name())?;
                    }
                    Op::Recv { id } | Op::Wait { id, .. } => {
                        self.check_id(line, id, &[Kind::Chan, Kind::Tick], op.name())?;
                    }
                    Op::Advance { .. } => {}
                }
                self.steps.push(Step {
                    line,
                    op,
                    answer,
                    fired: Vec::new(),
                    now: None,
                });
            }
            Line::Fired { id, at } => {
                let Some(step) = self.steps.last() else {
                    return Err(self.error(line, "`fired` line before any operation"));
                };
                if let Some(now) = step.now {
                    return Err(self.error(
                        line,
                        format!(
                            "`fired` line after the `now` line on line {}: the callbacks an \
                             operation ran come before its `now` line",
                            now.line
                        ),
                    ));
                }
                self.check_id(line, id, &[Kind::Func], "fired")?;
                if let Some(step) = self.steps.last_mut() {
                    step.fired.push(Numbered {
                        line,
                        value: (id, at),
                    });
                }
            }
            Line::Now { at } => {
                let Some(step) = self.steps.last() else {
                    return Err(self.error(line, "`now` line before any operation"));
                };
                if !step.op.moves_time() {
                    return Err(self.error(
                        line,
                        format!(
                            "unexpected `now` line after `{}` on line {}: only `advance` and \
                             `wait` are followed by `now`",
                            step.op.render(step.answer),
                            step.line
                        ),
                    ));
                }
                if let Some(now) = step.now {
                    return Err(self.error(
                        line,
                        format!(
                            "second `now` line for one operation (the first is on line {})",
                            now.line
                        ),
                    ));
                }
                if let Some(step) = self.steps.last_mut() {
                    step.now = Some(Numbered { line, value: at });
                }
            }
        }
        Ok(())
    }
}

impl Trace {
    /// Parses the text of a trace; `name` (normally the file's path) names
    /// it in errors.
    ///
    /// # Errors
    ///
    /// [`ReplayError::Parse`] with the line number for anything not in the
    /// format: an unknown operation, a wrong number of arguments, a
    /// malformed number or result, an ID out of creation order or naming
    /// no timer (or a timer of the wrong kind), a `fired` or `now` line out
    /// of place, a missing `now` line.
    ///
    /// ```
    /// use gowheel_compat_tests::replay::Trace;
    ///
    /// let trace = Trace::parse("t.trace", "chan 0 5\nadvance 5\nnow 5\nrecv 0 -> 5\n").unwrap();
    /// assert_eq!(trace.steps().len(), 3);
    ///
    /// let error = Trace::parse("t.trace", "chan 0 5\nrecv 1 -> none\n").unwrap_err();
    /// assert_eq!(error.to_string(), "t.trace: line 2: unknown ID 1 in `recv` (the highest ID so far is 0)");
    /// ```
    pub fn parse(name: impl Into<String>, text: &str) -> Result<Trace, ReplayError> {
        let name = name.into();
        let mut builder = TraceBuilder {
            name: &name,
            steps: Vec::new(),
            kinds: Vec::new(),
        };
        for (index, text) in text.lines().enumerate() {
            let line = index + 1;
            match Line::parse(text) {
                Ok(None) => {}
                Ok(Some(parsed)) => builder.push(line, text.trim(), parsed)?,
                Err(message) => return Err(builder.error(line, message)),
            }
        }
        builder.check_complete(0, None)?;
        let steps = builder.steps;
        Ok(Trace { name, steps })
    }

    /// Reads and parses the trace at `path`, named by the path.
    ///
    /// # Errors
    ///
    /// [`ReplayError::Read`] if the file cannot be read (or is not UTF-8);
    /// otherwise as [`parse`](Self::parse).
    ///
    /// ```
    /// use gowheel_compat_tests::replay::Trace;
    ///
    /// let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("traces/go/dense-01.trace");
    /// let trace = Trace::load(&path).unwrap();
    /// assert!(trace.name().ends_with("dense-01.trace"));
    /// assert!(Trace::load("no/such.trace".as_ref()).is_err());
    /// ```
    pub fn load(path: &Path) -> Result<Trace, ReplayError> {
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Trace::parse(name, &text),
            Err(error) => Err(ReplayError::Read {
                file: name,
                message: error.to_string(),
            }),
        }
    }

    /// The trace's name, as given to [`parse`](Self::parse).
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::Trace;
    /// assert_eq!(Trace::parse("x.trace", "").unwrap().name(), "x.trace");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The trace's steps, in order.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::{Op, Trace};
    /// let trace = Trace::parse("x.trace", "advance 5\nnow 5\n").unwrap();
    /// assert_eq!(trace.steps()[0].op, Op::Advance { duration: 5 });
    /// ```
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Replays the trace on a fresh manual-clock runtime of `backend`,
    /// comparing every step with what the trace expects;
    /// [`replay_with`](Self::replay_with) the default [`Driving`].
    ///
    /// # Errors
    ///
    /// [`ReplayError::Mismatch`] at the first line where gowheel answered
    /// differently; [`ReplayError::Panicked`] if gowheel panicked (the
    /// panic is caught, and also reported by the panic hook as usual).
    ///
    /// ```
    /// use gowheel::Backend;
    /// use gowheel_compat_tests::replay::Trace;
    ///
    /// let trace = Trace::parse("t.trace", "tick 0 0 -> panic\ntick 0 10\nwait 0 100 -> 10\nnow 10\n").unwrap();
    /// trace.replay(Backend::Heap).unwrap();
    /// ```
    pub fn replay(&self, backend: Backend) -> Result<(), ReplayError> {
        self.replay_with(backend, Driving::default())
    }

    /// [`replay`](Self::replay) with the given [`Driving`].
    ///
    /// # Errors
    ///
    /// As [`replay`](Self::replay).
    ///
    /// ```
    /// use gowheel::Backend;
    /// use gowheel_compat_tests::replay::{Driving, Trace};
    ///
    /// let trace = Trace::parse("t.trace", "chan 0 -5\nrecv 0 -> none\nadvance 1\nnow 1\nrecv 0 -> 0\n").unwrap();
    /// trace.replay_with(Backend::Heap, Driving::CallsOnly).unwrap();
    /// ```
    pub fn replay_with(&self, backend: Backend, driving: Driving) -> Result<(), ReplayError> {
        let current_line = Cell::new(0);
        let replay = catch_unwind(AssertUnwindSafe(|| {
            let mut replayer = Replayer::new(backend, driving);
            for step in &self.steps {
                current_line.set(step.line);
                replayer.step(&self.name, step)?;
            }
            Ok(())
        }));
        replay.unwrap_or_else(|payload| {
            Err(ReplayError::Panicked {
                file: self.name.clone(),
                line: current_line.get(),
                message: panic_message(&*payload),
            })
        })
    }
}

/// When the replayer runs gowheel's timer check
/// (`runtime.advance(Duration::ZERO)`) beyond what the mapped calls do
/// themselves; see the [module doc](self) for why.
///
/// ```
/// use gowheel::Backend;
/// use gowheel_compat_tests::replay::{Driving, Trace};
///
/// // A func timer due at once, stopped before anything blocked: Go's answer.
/// let trace = Trace::parse("t.trace", "func 0 0\nstop 0 -> true\n").unwrap();
/// trace.replay_with(Backend::Wheel, Driving::CallsOnly).unwrap();
/// trace.replay_with(Backend::Wheel, Driving::AsRecorded).unwrap();
/// // FORMAT.md's rule 1 taken literally would have run it first.
/// assert!(trace.replay_with(Backend::Wheel, Driving::EveryOperation).is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Driving {
    /// The mapped calls, plus a check at `now` after each operation that
    /// does not block (anything but `advance D` with `D > 0` and `wait`)
    /// and is followed by `fired` lines in the trace: Go's own timer check
    /// ran there. The default.
    #[default]
    AsRecorded,
    /// Only the mapped calls: timers run in `advance D` (`D > 0`) and in
    /// `wait`, as in Go's `testing/synctest`.
    CallsOnly,
    /// A check at `now` after every operation: rule 1 of `FORMAT.md` taken
    /// literally. The recorded traces contradict it.
    EveryOperation,
}

impl fmt::Display for Driving {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Driving::AsRecorded => "recorded",
            Driving::CallsOnly => "calls",
            Driving::EveryOperation => "every",
        })
    }
}

impl std::str::FromStr for Driving {
    type Err = String;

    /// Parses `recorded`, `calls` or `every`.
    fn from_str(name: &str) -> Result<Driving, String> {
        match name {
            "recorded" => Ok(Driving::AsRecorded),
            "calls" => Ok(Driving::CallsOnly),
            "every" => Ok(Driving::EveryOperation),
            other => Err(format!(
                "unknown driving `{other}` (expected recorded, calls or every)"
            )),
        }
    }
}

/// A duration of the trace as a `Duration`: `D <= 0` is zero (Go: now; a
/// ticker period that must be rejected).
fn duration_of(nanos: i64) -> Duration {
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(0))
}

/// A `Duration` as `i64` nanoseconds, saturating.
fn nanos_of(duration: Duration) -> i64 {
    i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX)
}

/// A timer made by the replay, at its ID.
enum Handle {
    Func(AfterFunc),
    Chan(Timer),
    Tick(Ticker),
}

/// The callbacks that ran: `(ID, T)` in running order.
type FiredLog = Arc<Mutex<Vec<(usize, i64)>>>;

/// Drives one runtime through a trace's steps.
struct Replayer {
    /// The runtime. Callbacks hold it weakly, so that dropping the replayer
    /// drops the runtime (and with it every callback).
    runtime: Arc<Runtime>,
    fired: FiredLog,
    handles: Vec<Handle>,
    driving: Driving,
}

impl Replayer {
    fn new(backend: Backend, driving: Driving) -> Replayer {
        Replayer {
            runtime: Arc::new(Runtime::builder().backend(backend).manual_clock().build()),
            fired: Arc::new(Mutex::new(Vec::new())),
            handles: Vec::new(),
            driving,
        }
    }

    /// Nanoseconds from the runtime's start to `instant`.
    fn offset(&self, instant: Instant) -> i64 {
        nanos_of(instant.saturating_duration_since(self.runtime.start()))
    }

    fn received(&self, value: Option<Instant>) -> Answer {
        value.map_or(Answer::Empty, |instant| Answer::Value(self.offset(instant)))
    }

    fn receiver(&self, id: usize) -> Option<&Receiver> {
        match self.handles.get(id)? {
            Handle::Chan(timer) => Some(timer.receiver()),
            Handle::Tick(ticker) => Some(ticker.receiver()),
            Handle::Func(_) => None,
        }
    }

    /// Runs one operation through the public API and returns gowheel's
    /// answer, or `None` if the ID names no timer of the needed kind (only
    /// possible if an earlier `tick` was answered differently, which is
    /// reported before getting here).
    fn run(&mut self, op: Op) -> Option<Answer> {
        let runtime = &self.runtime;
        let answer = match op {
            Op::Func { id, duration } => {
                let (log, clock) = (self.fired.clone(), Arc::downgrade(runtime));
                let timer = runtime.after_func(duration_of(duration), move || {
                    if let Some(runtime) = clock.upgrade() {
                        let at = nanos_of(runtime.elapsed());
                        lock(&log).push((id, at));
                    }
                });
                self.handles.push(Handle::Func(timer));
                Answer::Done
            }
            Op::Chan { duration, .. } => {
                self.handles
                    .push(Handle::Chan(runtime.new_timer(duration_of(duration))));
                Answer::Done
            }
            Op::Tick { period, .. } => match runtime.try_new_ticker(duration_of(period)) {
                Ok(ticker) => {
                    self.handles.push(Handle::Tick(ticker));
                    Answer::Done
                }
                Err(_) => Answer::Panic,
            },
            Op::Stop { id } => Answer::Bool(match self.handles.get(id)? {
                Handle::Func(timer) => timer.stop(),
                Handle::Chan(timer) => timer.stop(),
                Handle::Tick(_) => return None,
            }),
            Op::Reset { id, duration } => {
                let duration = duration_of(duration);
                Answer::Bool(match self.handles.get(id)? {
                    Handle::Func(timer) => timer.reset(duration),
                    Handle::Chan(timer) => timer.reset(duration),
                    Handle::Tick(_) => return None,
                })
            }
            Op::TickerStop { id } => match self.handles.get(id)? {
                Handle::Tick(ticker) => {
                    ticker.stop();
                    Answer::Done
                }
                _ => return None,
            },
            Op::TickerReset { id, period } => match self.handles.get(id)? {
                Handle::Tick(ticker) => match ticker.try_reset(duration_of(period)) {
                    Ok(()) => Answer::Done,
                    Err(_) => Answer::Panic,
                },
                _ => return None,
            },
            Op::Recv { id } => self.received(self.receiver(id)?.try_recv()),
            Op::Advance { duration } => {
                // Go's time.Sleep: returns at once for D <= 0, running nothing.
                runtime.sleep(duration_of(duration));
                Answer::Done
            }
            Op::Wait { id, max } => {
                self.received(self.receiver(id)?.recv_timeout(duration_of(max)))
            }
        };
        Some(answer)
    }

    /// Replays one step and compares gowheel's output with the trace's.
    fn step(&mut self, file: &str, step: &Step) -> Result<(), ReplayError> {
        let Some(answer) = self.run(step.op) else {
            return Err(ReplayError::Parse {
                file: file.to_owned(),
                line: step.line,
                message: format!(
                    "`{}` names no timer of the kind it needs in this replay",
                    step.op.name()
                ),
            });
        };
        let check = match self.driving {
            Driving::AsRecorded => !step.op.may_block() && !step.fired.is_empty(),
            Driving::CallsOnly => false,
            Driving::EveryOperation => true,
        };
        if check {
            // Go's timer check ran at `now` here: run gowheel's.
            self.runtime.advance(Duration::ZERO);
        }
        let mut fired = std::mem::take(&mut *lock(&self.fired));
        fired.sort_by_key(|&(id, at)| (at, id));

        let mut actual = vec![step.op.render(answer)];
        actual.extend(
            fired
                .into_iter()
                .map(|(id, at)| Line::Fired { id, at }.to_string()),
        );
        if step.op.moves_time() {
            actual.push(
                Line::Now {
                    at: nanos_of(self.runtime.elapsed()),
                }
                .to_string(),
            );
        }

        let expected = step.expected_lines();
        let mismatch = |line: usize, expected: Option<&String>, actual: Option<&String>| {
            ReplayError::Mismatch {
                file: file.to_owned(),
                line,
                expected: expected.cloned(),
                actual: actual.cloned(),
            }
        };
        for (index, (line, text)) in expected.iter().enumerate() {
            if actual.get(index) != Some(text) {
                return Err(mismatch(*line, Some(text), actual.get(index)));
            }
        }
        if let Some(extra) = actual.get(expected.len()) {
            let last = expected.last().map_or(step.line, |(line, _)| *line);
            return Err(mismatch(last, None, Some(extra)));
        }
        Ok(())
    }
}

/// Why a trace did not pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayError {
    /// The trace file could not be read.
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        message: String,
    },
    /// The trace is not in the format (bad input).
    Parse {
        /// The file.
        file: String,
        /// The line number, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// gowheel answered differently from Go.
    Mismatch {
        /// The file.
        file: String,
        /// The first line that differs, from 1 (for an extra line gowheel
        /// gave, the last line of the operation's output in the trace).
        line: usize,
        /// The line the trace has there; `None` if gowheel gave an extra
        /// line after the operation's last one.
        expected: Option<String>,
        /// The line gowheel gave there; `None` if it gave fewer lines.
        actual: Option<String>,
    },
    /// gowheel panicked while replaying an operation.
    Panicked {
        /// The file.
        file: String,
        /// The operation's line number.
        line: usize,
        /// The panic's message.
        message: String,
    },
}

impl ReplayError {
    /// The trace file the error is about.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::Trace;
    /// let error = Trace::parse("bad.trace", "jump 5\n").unwrap_err();
    /// assert_eq!(error.file(), "bad.trace");
    /// ```
    pub fn file(&self) -> &str {
        match self {
            ReplayError::Read { file, .. }
            | ReplayError::Parse { file, .. }
            | ReplayError::Mismatch { file, .. }
            | ReplayError::Panicked { file, .. } => file,
        }
    }

    /// The line number the error is about (0 for a file that could not be
    /// read).
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::Trace;
    /// let error = Trace::parse("bad.trace", "# header\nadvance x\n").unwrap_err();
    /// assert_eq!(error.line(), 2);
    /// ```
    pub fn line(&self) -> usize {
        match self {
            ReplayError::Read { .. } => 0,
            ReplayError::Parse { line, .. }
            | ReplayError::Mismatch { line, .. }
            | ReplayError::Panicked { line, .. } => *line,
        }
    }

    /// Whether gowheel answered differently from Go (or panicked), as
    /// opposed to the trace being unreadable or malformed.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::Trace;
    /// assert!(!Trace::parse("bad.trace", "jump 5\n").unwrap_err().is_mismatch());
    /// ```
    pub fn is_mismatch(&self) -> bool {
        matches!(
            self,
            ReplayError::Mismatch { .. } | ReplayError::Panicked { .. }
        )
    }

    /// The error without the file name: `line N: ...`.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::Trace;
    /// let error = Trace::parse("bad.trace", "jump 5\n").unwrap_err();
    /// assert!(error.detail().starts_with("line 1: unknown operation `jump`"));
    /// assert_eq!(error.to_string(), format!("bad.trace: {}", error.detail()));
    /// ```
    pub fn detail(&self) -> String {
        match self {
            ReplayError::Read { message, .. } => format!("cannot read the trace: {message}"),
            ReplayError::Parse { line, message, .. } => format!("line {line}: {message}"),
            ReplayError::Mismatch {
                line,
                expected,
                actual,
                ..
            } => {
                let actual = actual
                    .as_ref()
                    .map_or_else(|| "nothing".to_owned(), |actual| format!("`{actual}`"));
                match expected {
                    Some(expected) => format!("line {line}: expected `{expected}`, got {actual}"),
                    None => format!(
                        "line {line}: expected nothing more from this operation, got {actual}"
                    ),
                }
            }
            ReplayError::Panicked { line, message, .. } => {
                format!("line {line}: gowheel panicked: {message}")
            }
        }
    }
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file(), self.detail())
    }
}

impl std::error::Error for ReplayError {}

/// The trace files named by `paths`: a file as given, a directory's
/// `*.trace` files (not its subdirectories) sorted by name. Paths are
/// taken in order.
///
/// # Errors
///
/// A message if a path cannot be read, or a directory holds no `*.trace`
/// file.
///
/// ```
/// use gowheel_compat_tests::replay::trace_files;
///
/// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("traces/go");
/// let files = trace_files(&[dir]).unwrap();
/// assert_eq!(files.len(), 30);
/// assert!(files[0].ends_with("dense-01.trace"));
/// ```
pub fn trace_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path)
            .map_err(|error| format!("{}: cannot read: {error}", path.display()))?;
        if !metadata.is_dir() {
            files.push(path.clone());
            continue;
        }
        let read_error = |error: io::Error| format!("{}: cannot read: {error}", path.display());
        let mut found = Vec::new();
        for entry in std::fs::read_dir(path).map_err(read_error)? {
            let entry_path = entry.map_err(read_error)?.path();
            if entry_path
                .extension()
                .is_some_and(|extension| extension == "trace")
                && entry_path.is_file()
            {
                found.push(entry_path);
            }
        }
        if found.is_empty() {
            return Err(format!(
                "{}: no *.trace files in this directory",
                path.display()
            ));
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}
