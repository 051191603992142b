//! The vocabulary of a trace line: the kinds of timer ([`Kind`]), the
//! operations ([`TraceOp`]), Go's answers ([`Answer`]) and a whole line
//! ([`Line`]), with [`Line::parse`], which checks everything one line alone
//! decides (known operation, arity, numbers, results of the right shape),
//! and [`Line::parse_stamped`], which also reads a timed trace's `@T tN`
//! stamp ([`Stamp`]).
//!
//! A result (` -> B`, ` -> T`) may be left out of any line whose operation
//! has one ([`Answer::Unknown`]): a recording that does not know it, or a
//! trace written by hand, is still a trace; replaying it checks the answers
//! it has.
//!
//! A line renders back to the text it was parsed from (up to spacing), so
//! that the replayer compares gowheel's output with the trace line by line
//! as text.

use std::fmt;

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
pub enum TraceOp {
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

impl TraceOp {
    /// The operation's name as written in a trace.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::TraceOp;
    /// assert_eq!(TraceOp::TickerReset { id: 0, period: 5 }.name(), "treset");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            TraceOp::Func { .. } => "func",
            TraceOp::Chan { .. } => "chan",
            TraceOp::Tick { .. } => "tick",
            TraceOp::Stop { .. } => "stop",
            TraceOp::Reset { .. } => "reset",
            TraceOp::TickerStop { .. } => "tstop",
            TraceOp::TickerReset { .. } => "treset",
            TraceOp::Recv { .. } => "recv",
            TraceOp::Advance { .. } => "advance",
            TraceOp::Wait { .. } => "wait",
        }
    }

    /// Whether the operation moves virtual time, so that a `now` line
    /// follows it (`advance` and `wait`).
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::TraceOp;
    /// assert!(TraceOp::Advance { duration: 5 }.moves_time());
    /// assert!(!TraceOp::Recv { id: 0 }.moves_time());
    /// ```
    pub fn moves_time(&self) -> bool {
        matches!(self, TraceOp::Advance { .. } | TraceOp::Wait { .. })
    }

    /// Whether the Go call may block, letting Go's timers run during it: an
    /// `advance D` with `D > 0` (`time.Sleep(D)` with `D <= 0` returns at
    /// once) or a `wait`. The gowheel calls they map to run gowheel's
    /// timers themselves.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::TraceOp;
    /// assert!(TraceOp::Advance { duration: 5 }.may_block());
    /// assert!(!TraceOp::Advance { duration: -64 }.may_block());
    /// assert!(TraceOp::Wait { id: 0, max: -64 }.may_block());
    /// assert!(!TraceOp::Stop { id: 0 }.may_block());
    /// ```
    pub fn may_block(&self) -> bool {
        match *self {
            TraceOp::Advance { duration } => duration > 0,
            TraceOp::Wait { .. } => true,
            _ => false,
        }
    }

    /// Renders the operation's line with `answer`, as a trace writes it.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::{Answer, TraceOp};
    /// assert_eq!(TraceOp::Stop { id: 3 }.render(Answer::Bool(true)), "stop 3 -> true");
    /// assert_eq!(TraceOp::Wait { id: 1, max: 64 }.render(Answer::Empty), "wait 1 64 -> timeout");
    /// assert_eq!(TraceOp::Recv { id: 1 }.render(Answer::Empty), "recv 1 -> none");
    /// ```
    pub fn render(&self, answer: Answer) -> String {
        let call = match *self {
            TraceOp::Func { id, duration } => format!("func {id} {duration}"),
            TraceOp::Chan { id, duration } => format!("chan {id} {duration}"),
            TraceOp::Tick { id, period } => format!("tick {id} {period}"),
            TraceOp::Stop { id } => format!("stop {id}"),
            TraceOp::Reset { id, duration } => format!("reset {id} {duration}"),
            TraceOp::TickerStop { id } => format!("tstop {id}"),
            TraceOp::TickerReset { id, period } => format!("treset {id} {period}"),
            TraceOp::Recv { id } => format!("recv {id}"),
            TraceOp::Advance { duration } => format!("advance {duration}"),
            TraceOp::Wait { id, max } => format!("wait {id} {max}"),
        };
        match answer {
            Answer::Done | Answer::Unknown => call,
            Answer::Panic => format!("{call} -> panic"),
            Answer::Bool(value) => format!("{call} -> {value}"),
            Answer::Value(at) => format!("{call} -> {at}"),
            Answer::Empty if matches!(self, TraceOp::Wait { .. }) => format!("{call} -> timeout"),
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
    /// No ` -> ` on a `stop`, `reset`, `recv` or `wait` line: the trace
    /// does not say what was answered, and nothing is compared.
    Unknown,
}

/// One meaningful line of a trace (comments and blank lines are not
/// lines).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Line {
    /// An operation and Go's answer to it.
    TraceOp {
        /// The operation.
        op: TraceOp,
        /// Go's answer.
        answer: Answer,
    },
    /// `fired ID T [DEADLINE]`: func timer `ID`'s callback ran at time
    /// `T`; a recording adds the deadline it ran for.
    Fired {
        /// The func timer.
        id: usize,
        /// When its callback ran, in nanoseconds since the start.
        at: i64,
        /// The deadline it ran for, if the trace says.
        deadline: Option<i64>,
    },
    /// `sent ID T DEADLINE`: chan timer or ticker `ID` fired at time `T`
    /// for `DEADLINE` (recordings only; an event, never compared).
    Sent {
        /// The chan timer or ticker.
        id: usize,
        /// When it fired.
        at: i64,
        /// The deadline it fired for.
        deadline: i64,
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
            Line::TraceOp { op, answer } => f.write_str(&op.render(*answer)),
            Line::Fired {
                id,
                at,
                deadline: None,
            } => write!(f, "fired {id} {at}"),
            Line::Fired {
                id,
                at,
                deadline: Some(deadline),
            } => write!(f, "fired {id} {at} {deadline}"),
            Line::Sent { id, at, deadline } => write!(f, "sent {id} {at} {deadline}"),
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
    /// use gowheel_compat_tests::replay::{Answer, Line, TraceOp};
    ///
    /// assert_eq!(
    ///     Line::parse("reset 3 -5 -> true").unwrap(),
    ///     Some(Line::TraceOp { op: TraceOp::Reset { id: 3, duration: -5 }, answer: Answer::Bool(true) }),
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
            "stop" => ("stop ID [-> true|false]", 1),
            "reset" => ("reset ID D [-> true|false]", 2),
            "tstop" => ("tstop ID", 1),
            "treset" => ("treset ID D [-> panic]", 2),
            "recv" => ("recv ID [-> none|T]", 1),
            "advance" => ("advance D", 1),
            "wait" => ("wait ID MAXD [-> T|timeout]", 2),
            "fired" => ("fired ID T [DEADLINE]", 2),
            "sent" => ("sent ID T DEADLINE", 3),
            "now" => ("now T", 1),
            _ => {
                return Err(format!(
                    "unknown operation `{name}` (expected one of func, chan, tick, stop, reset, \
                     tstop, treset, recv, advance, wait, fired, sent, now)"
                ));
            }
        };
        let optional_deadline = name == "fired" && args.len() == 3;
        if args.len() != arity && !optional_deadline {
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
        let no_result = |op: TraceOp| match result {
            None => Ok(Line::TraceOp {
                op,
                answer: Answer::Done,
            }),
            Some(_) => Err(bad_result(result)),
        };
        let maybe_panic = |op: TraceOp| match result {
            None => Ok(Line::TraceOp {
                op,
                answer: Answer::Done,
            }),
            Some("panic") => Ok(Line::TraceOp {
                op,
                answer: Answer::Panic,
            }),
            Some(_) => Err(bad_result(result)),
        };
        let boolean = |op: TraceOp| match result {
            None => Ok(Line::TraceOp {
                op,
                answer: Answer::Unknown,
            }),
            Some("true") => Ok(Line::TraceOp {
                op,
                answer: Answer::Bool(true),
            }),
            Some("false") => Ok(Line::TraceOp {
                op,
                answer: Answer::Bool(false),
            }),
            _ => Err(bad_result(result)),
        };
        let received = |op: TraceOp, empty: &str| -> Result<Line, String> {
            match result {
                None => Ok(Line::TraceOp {
                    op,
                    answer: Answer::Unknown,
                }),
                Some(result) if result == empty => Ok(Line::TraceOp {
                    op,
                    answer: Answer::Empty,
                }),
                Some(result) => Ok(Line::TraceOp {
                    op,
                    answer: Answer::Value(parse_nanos(result, "the received value")?),
                }),
            }
        };
        let line = match name {
            "func" => no_result(TraceOp::Func {
                id: id(0)?,
                duration: nanos(1, "the duration")?,
            })?,
            "chan" => no_result(TraceOp::Chan {
                id: id(0)?,
                duration: nanos(1, "the duration")?,
            })?,
            "tick" => maybe_panic(TraceOp::Tick {
                id: id(0)?,
                period: nanos(1, "the period")?,
            })?,
            "stop" => boolean(TraceOp::Stop { id: id(0)? })?,
            "reset" => boolean(TraceOp::Reset {
                id: id(0)?,
                duration: nanos(1, "the duration")?,
            })?,
            "tstop" => no_result(TraceOp::TickerStop { id: id(0)? })?,
            "treset" => maybe_panic(TraceOp::TickerReset {
                id: id(0)?,
                period: nanos(1, "the period")?,
            })?,
            "recv" => received(TraceOp::Recv { id: id(0)? }, "none")?,
            "advance" => no_result(TraceOp::Advance {
                duration: nanos(0, "the duration")?,
            })?,
            "wait" => received(
                TraceOp::Wait {
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
                    deadline: if optional_deadline {
                        Some(nanos(2, "the deadline")?)
                    } else {
                        None
                    },
                }
            }
            "sent" => {
                if result.is_some() {
                    return Err(bad_result(result));
                }
                Line::Sent {
                    id: id(0)?,
                    at: nanos(1, "the time")?,
                    deadline: nanos(2, "the deadline")?,
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

    /// Parses one line that may carry a timed trace's stamp, `@T tN`
    /// before the operation: `Ok(None)` for a blank line or a comment.
    ///
    /// ```
    /// use gowheel_compat_tests::replay::{Answer, Line, Stamp, TraceOp};
    ///
    /// let (stamp, line) = Line::parse_stamped("@1500 t2 stop 4 -> false").unwrap().unwrap();
    /// assert_eq!(stamp, Some(Stamp { at: 1500, thread: 2 }));
    /// assert_eq!(line, Line::TraceOp { op: TraceOp::Stop { id: 4 }, answer: Answer::Bool(false) });
    /// assert_eq!(Line::parse_stamped("stop 4").unwrap().unwrap().0, None);
    /// assert!(Line::parse_stamped("@15 stop 4").unwrap_err().contains("malformed thread `stop`"));
    /// ```
    pub fn parse_stamped(text: &str) -> Result<Option<(Option<Stamp>, Line)>, String> {
        let text = text.trim();
        let Some(stamped) = text.strip_prefix('@') else {
            return Ok(Line::parse(text)?.map(|line| (None, line)));
        };
        let usage = "expected `@T tN OPERATION...` (time in nanoseconds, thread number)";
        let mut parts = stamped.splitn(3, char::is_whitespace);
        let at = parts.next().unwrap_or("");
        let at: i64 = at
            .parse()
            .map_err(|_| format!("malformed time `@{at}`: {usage}"))?;
        if at < 0 {
            return Err(format!("negative time `@{at}`: {usage}"));
        }
        let thread = parts.next().unwrap_or("");
        let thread: u32 = thread
            .strip_prefix('t')
            .and_then(|number| number.parse().ok())
            .ok_or_else(|| format!("malformed thread `{thread}`: {usage}"))?;
        let rest = parts.next().unwrap_or("").trim();
        if rest.is_empty() || rest.starts_with('#') {
            return Err(format!("nothing after the stamp: {usage}"));
        }
        let line = Line::parse(rest)?.ok_or_else(|| format!("nothing after the stamp: {usage}"))?;
        Ok(Some((Some(Stamp { at, thread }), line)))
    }
}

/// When and on which thread a timed trace's line happened: its `@T tN`.
///
/// ```
/// use gowheel_compat_tests::replay::{Line, Stamp};
/// let (stamp, _) = Line::parse_stamped("@7 t1 tstop 0").unwrap().unwrap();
/// assert_eq!(stamp, Some(Stamp { at: 7, thread: 1 }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Stamp {
    /// Nanoseconds since the recording started.
    pub at: i64,
    /// The recording's number for the thread that issued it.
    pub thread: u32,
}
