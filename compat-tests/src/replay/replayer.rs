//! The replayer: a fresh manual-clock [`Runtime`] driven through a trace's
//! steps by the public time-package API only, with every answer compared
//! with Go's, and the choice of when to run gowheel's timer check beyond
//! what the calls do ([`Driving`]).
//!
//! There is no model of timers here: every answer compared is one gowheel
//! gave. The [parent module](super) gives the mapping from trace lines to
//! calls and the reasons for [`Driving::AsRecorded`].

use std::cell::Cell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gowheel::{AfterFunc, Backend, Receiver, Runtime, Ticker, Timer};

use super::error::ReplayError;
use super::line::{Answer, Line, TraceOp};
use super::trace::{Step, Trace};
use crate::panics::{lock, panic_message};

impl Trace {
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
        if self.is_timed() {
            return Err(ReplayError::Parse {
                file: self.name().to_owned(),
                line: self.steps().first().map_or(1, |step| step.line),
                message: "a timed trace (lines stamped `@T tN`) has answers that depend on \
                          real time: it replays with its timing (`evaluate --trace`), not \
                          exactly on a manual clock"
                    .to_owned(),
            });
        }
        let current_line = Cell::new(0);
        let replay = catch_unwind(AssertUnwindSafe(|| {
            let mut replayer = Replayer::new(backend, driving);
            for step in self.steps() {
                current_line.set(step.line);
                replayer.step(self.name(), step)?;
            }
            Ok(())
        }));
        replay.unwrap_or_else(|payload| {
            Err(ReplayError::Panicked {
                file: self.name().to_owned(),
                line: current_line.get(),
                message: panic_message(&*payload),
            })
        })
    }
}

/// When the replayer runs gowheel's timer check
/// (`runtime.advance(Duration::ZERO)`) beyond what the mapped calls do
/// themselves; see the [module doc](super) for why.
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
    fn run(&mut self, op: TraceOp) -> Option<Answer> {
        let runtime = &self.runtime;
        let answer = match op {
            TraceOp::Func { id, duration } => {
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
            TraceOp::Chan { duration, .. } => {
                self.handles
                    .push(Handle::Chan(runtime.new_timer(duration_of(duration))));
                Answer::Done
            }
            TraceOp::Tick { period, .. } => match runtime.try_new_ticker(duration_of(period)) {
                Ok(ticker) => {
                    self.handles.push(Handle::Tick(ticker));
                    Answer::Done
                }
                Err(_) => Answer::Panic,
            },
            TraceOp::Stop { id } => Answer::Bool(match self.handles.get(id)? {
                Handle::Func(timer) => timer.stop(),
                Handle::Chan(timer) => timer.stop(),
                Handle::Tick(_) => return None,
            }),
            TraceOp::Reset { id, duration } => {
                let duration = duration_of(duration);
                Answer::Bool(match self.handles.get(id)? {
                    Handle::Func(timer) => timer.reset(duration),
                    Handle::Chan(timer) => timer.reset(duration),
                    Handle::Tick(_) => return None,
                })
            }
            TraceOp::TickerStop { id } => match self.handles.get(id)? {
                Handle::Tick(ticker) => {
                    ticker.stop();
                    Answer::Done
                }
                _ => return None,
            },
            TraceOp::TickerReset { id, period } => match self.handles.get(id)? {
                Handle::Tick(ticker) => match ticker.try_reset(duration_of(period)) {
                    Ok(()) => Answer::Done,
                    Err(_) => Answer::Panic,
                },
                _ => return None,
            },
            TraceOp::Recv { id } => self.received(self.receiver(id)?.try_recv().ok()),
            TraceOp::Advance { duration } => {
                // Go's time.Sleep: returns at once for D <= 0, running nothing.
                runtime.sleep(duration_of(duration));
                Answer::Done
            }
            TraceOp::Wait { id, max } => {
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
        actual.extend(fired.into_iter().map(|(id, at)| {
            Line::Fired {
                id,
                at,
                deadline: None,
            }
            .to_string()
        }));
        if step.op.moves_time() {
            actual.push(
                Line::Now {
                    at: nanos_of(self.runtime.elapsed()),
                }
                .to_string(),
            );
        }

        let mut expected = step.expected_lines();
        if step.answer == Answer::Unknown {
            // The trace does not say: gowheel's answer stands.
            expected[0].1.clone_from(&actual[0]);
        }
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
