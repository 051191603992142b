//! A whole trace: its [`Step`]s (an operation with the `fired` and `now`
//! lines that follow it), parsed and checked across lines by
//! [`Trace::parse`], and the trace files a command line names
//! ([`trace_files`]).
//!
//! Parsing checks everything the text alone decides: on top of each line
//! being well formed, IDs given in creation order and naming a timer of
//! the right kind, `fired` lines only after an operation and before its
//! `now` line, and `now` lines exactly where time moves. Bad input is a
//! [`ReplayError::Parse`] naming the file and line, never a panic.
//!
//! A **timed** trace (a recording: every line stamped `@T tN`, see
//! `FORMAT.md`) is checked by the same rules but three: its lines carry
//! their own times, so it has no `advance`, `wait` or `now` lines; its
//! IDs need not appear in order (threads that create timers at the same
//! moment queue their lines in either order), only each once and before
//! any use; and each thread's times must not go backwards (across threads,
//! lines are in the order they were queued). Either every line is stamped
//! or none is.

use std::io;
use std::path::{Path, PathBuf};

use super::error::ReplayError;
use super::line::{Answer, Kind, Line, Stamp, TraceOp};

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
    pub op: TraceOp,
    /// Go's answer.
    pub answer: Answer,
    /// The `fired` lines that follow, in file order: `(ID, T)`.
    pub fired: Vec<Numbered<(usize, i64)>>,
    /// The `now` line, for `advance` and `wait`.
    pub now: Option<Numbered<i64>>,
    /// When and on which thread the operation happened, in a timed trace.
    pub stamp: Option<Stamp>,
}

impl Step {
    /// The step's expected output as `(line number, text)`: the operation
    /// line with Go's answer, the `fired` lines sorted by `(T, ID)` (on the
    /// line numbers of the `fired` lines, in file order), then the `now`
    /// line.
    pub(super) fn expected_lines(&self) -> Vec<(usize, String)> {
        let mut lines = vec![(self.line, self.op.render(self.answer))];
        let mut fired: Vec<(usize, i64)> = self.fired.iter().map(|fired| fired.value).collect();
        fired.sort_by_key(|&(id, at)| (at, id));
        lines.extend(self.fired.iter().zip(fired).map(|(numbered, (id, at))| {
            let fired = Line::Fired {
                id,
                at,
                deadline: None,
            };
            (numbered.line, fired.to_string())
        }));
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
    timed: bool,
}

/// Builds `Trace::parse`'s steps, checking IDs and line order.
struct TraceBuilder<'a> {
    name: &'a str,
    steps: Vec<Step>,
    /// The kind of every ID given so far, indexed by ID (`None` for an ID
    /// a timed trace has not created yet).
    kinds: Vec<Option<Kind>>,
    /// Whether the trace is timed: decided by its first line.
    timed: Option<bool>,
    /// In a timed trace, each thread's last time and its line.
    last_time: std::collections::HashMap<u32, (i64, usize)>,
}

impl TraceBuilder<'_> {
    /// Records that `id` (checked as new) names a timer of `kind`.
    fn create(&mut self, id: usize, kind: Kind) {
        if id >= self.kinds.len() {
            self.kinds.resize(id + 1, None);
        }
        self.kinds[id] = Some(kind);
    }

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
        match self.kinds.get(id).copied().flatten() {
            None if self.timed == Some(true) => Err(self.error(
                line,
                format!("ID {id} in `{what}` is used before any line creates it"),
            )),
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
            Some(kind) if !kinds.contains(&kind) => Err(self.error(
                line,
                format!("ID {id} is {kind}, but `{what}` needs {wanted}"),
            )),
            Some(_) => Ok(()),
        }
    }

    /// Checks that `id` is the next ID to give.
    fn check_new_id(&mut self, line: usize, id: usize, name: &str) -> Result<(), ReplayError> {
        if self.timed == Some(true) {
            if self.kinds.get(id).copied().flatten().is_some() {
                return Err(
                    self.error(line, format!("`{name} {id}` creates ID {id} a second time"))
                );
            }
            if id >= self.kinds.len() {
                if id > self.kinds.len() + (1 << 24) {
                    return Err(self.error(
                        line,
                        format!("`{name} {id}`: ID {id} is far beyond any ID so far"),
                    ));
                }
                self.kinds.resize(id + 1, None);
            }
            return Ok(());
        }
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

    /// Checks the stamp of line `line` against the trace's kind and its
    /// thread's last time.
    fn check_stamp(&mut self, line: usize, stamp: Option<Stamp>) -> Result<(), ReplayError> {
        let timed = *self.timed.get_or_insert(stamp.is_some());
        match stamp {
            None if timed => Err(self.error(
                line,
                "expected `@T tN` before the operation: this trace is timed (its first \
                 line is stamped), so every line must be",
            )),
            Some(_) if !timed => Err(self.error(
                line,
                "unexpected `@T tN` stamp: this trace is not timed (its first line is not \
                 stamped), so no line may be",
            )),
            None => Ok(()),
            Some(Stamp { at, thread }) => {
                if let Some(&(last, last_line)) = self.last_time.get(&thread)
                    && at < last
                {
                    return Err(self.error(
                        line,
                        format!(
                            "time goes backwards on thread t{thread}: @{at} after @{last} on \
                             line {last_line}"
                        ),
                    ));
                }
                self.last_time.insert(thread, (at, line));
                Ok(())
            }
        }
    }

    fn push(
        &mut self,
        line: usize,
        text: &str,
        stamp: Option<Stamp>,
        parsed: Line,
    ) -> Result<(), ReplayError> {
        self.check_stamp(line, stamp)?;
        if self.timed == Some(true)
            && let Line::TraceOp { op, .. } = parsed
            && (op.moves_time())
        {
            return Err(self.error(
                line,
                format!(
                    "`{}` in a timed trace: its lines carry their own times, so virtual time \
                     is never moved (expected func, chan, tick, stop, reset, tstop, treset, \
                     recv, fired or sent)",
                    op.name()
                ),
            ));
        }
        if self.timed == Some(true) && matches!(parsed, Line::Now { .. }) {
            return Err(self.error(
                line,
                "`now` in a timed trace: its lines carry their own times",
            ));
        }
        match parsed {
            Line::TraceOp { op, answer } => {
                self.check_complete(line, Some(text))?;
                match op {
                    TraceOp::Func { id, .. } => {
                        self.check_new_id(line, id, "func")?;
                        self.create(id, Kind::Func);
                    }
                    TraceOp::Chan { id, .. } => {
                        self.check_new_id(line, id, "chan")?;
                        self.create(id, Kind::Chan);
                    }
                    TraceOp::Tick { id, .. } => {
                        self.check_new_id(line, id, "tick")?;
                        // A rejected ticker is not made and uses no ID.
                        if answer != Answer::Panic {
                            self.create(id, Kind::Tick);
                        }
                    }
                    TraceOp::Stop { id } | TraceOp::Reset { id, .. } => {
                        self.check_id(line, id, &[Kind::Func, Kind::Chan], op.name())?;
                    }
                    TraceOp::TickerStop { id } | TraceOp::TickerReset { id, .. } => {
                        self.check_id(line, id, &[Kind::Tick], op.name())?;
                    }
                    TraceOp::Recv { id } | TraceOp::Wait { id, .. } => {
                        self.check_id(line, id, &[Kind::Chan, Kind::Tick], op.name())?;
                    }
                    TraceOp::Advance { .. } => {}
                }
                self.steps.push(Step {
                    line,
                    op,
                    answer,
                    fired: Vec::new(),
                    now: None,
                    stamp,
                });
            }
            Line::Sent { id, .. } => {
                if self.steps.is_empty() {
                    return Err(self.error(line, "`sent` line before any operation"));
                }
                self.check_id(line, id, &[Kind::Chan, Kind::Tick], "sent")?;
            }
            Line::Fired { id, at, .. } => {
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
            timed: None,
            last_time: std::collections::HashMap::new(),
        };
        let line_count = text.lines().count();
        // A last line without its newline that does not parse is most
        // likely cut short: say so.
        let truncated = |line: usize| line == line_count && !text.ends_with('\n');
        for (index, text) in text.lines().enumerate() {
            let line = index + 1;
            let result = match Line::parse_stamped(text) {
                Ok(None) => Ok(()),
                Ok(Some((stamp, parsed))) => builder.push(line, text.trim(), stamp, parsed),
                Err(message) => Err(builder.error(line, message)),
            };
            if let Err(mut error) = result {
                if truncated(line)
                    && let ReplayError::Parse { message, .. } = &mut error
                {
                    message.push_str(" (the last line has no newline: the trace looks truncated)");
                }
                return Err(error);
            }
        }
        builder.check_complete(0, None)?;
        let steps = builder.steps;
        let timed = builder.timed == Some(true);
        Ok(Trace { name, steps, timed })
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
    /// # use gowheel_compat_tests::replay::{TraceOp, Trace};
    /// let trace = Trace::parse("x.trace", "advance 5\nnow 5\n").unwrap();
    /// assert_eq!(trace.steps()[0].op, TraceOp::Advance { duration: 5 });
    /// ```
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Whether the trace is timed: a recording whose every line is stamped
    /// `@T tN`.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::Trace;
    /// assert!(Trace::parse("x.trace", "@5 t0 chan 0 10\n").unwrap().is_timed());
    /// assert!(!Trace::parse("x.trace", "chan 0 10\n").unwrap().is_timed());
    /// ```
    pub fn is_timed(&self) -> bool {
        self.timed
    }
}

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
