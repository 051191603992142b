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
//!   [`Runtime`](gowheel::Runtime) of the chosen [`Backend`](gowheel::Backend) and drives it through the public
//!   time-package API only: there is no model of timers here, every answer
//!   compared is one gowheel gave. The first line where gowheel answers
//!   differently from Go is a [`ReplayError::Mismatch`].
//!
//! # Mapping
//!
//! | trace line | gowheel call |
//! | --- | --- |
//! | `func ID D` | [`Runtime::after_func`](gowheel::Runtime::after_func), whose callback logs `fired ID T` with `T` = [`Runtime::elapsed`](gowheel::Runtime::elapsed) |
//! | `chan ID D` | [`Runtime::new_timer`](gowheel::Runtime::new_timer) |
//! | `tick ID D [-> panic]` | [`Runtime::try_new_ticker`](gowheel::Runtime::try_new_ticker): `Err` is `panic`, and uses no ID |
//! | `stop ID -> B`, `reset ID D -> B` | [`AfterFunc::stop`](gowheel::AfterFunc::stop), [`AfterFunc::reset`](gowheel::AfterFunc::reset), [`Timer::stop`](gowheel::Timer::stop), [`Timer::reset`](gowheel::Timer::reset) |
//! | `tstop ID`, `treset ID D [-> panic]` | [`Ticker::stop`](gowheel::Ticker::stop), [`Ticker::try_reset`](gowheel::Ticker::try_reset) |
//! | `recv ID -> none\|T` | [`Receiver::try_recv`](gowheel::Receiver::try_recv) |
//! | `advance D`, then `now T` | [`Runtime::sleep`](gowheel::Runtime::sleep) (Go's `time.Sleep`), then [`Runtime::elapsed`](gowheel::Runtime::elapsed) |
//! | `wait ID MAXD -> T\|timeout`, then `now T` | [`Receiver::recv_timeout`](gowheel::Receiver::recv_timeout), then [`Runtime::elapsed`](gowheel::Runtime::elapsed) |
//!
//! Times are nanoseconds since [`Runtime::start`](gowheel::Runtime::start), virtual time zero. A
//! duration `D <= 0` is passed as [`Duration::ZERO`](std::time::Duration::ZERO) (Go: due at once; a
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
//! timers only in [`Runtime::sleep`](gowheel::Runtime::sleep)/[`Runtime::advance`](gowheel::Runtime::advance) and in blocking
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
//!
//! # Where things are
//!
//! | file | what |
//! | --- | --- |
//! | `line.rs` | one line: [`Kind`], [`TraceOp`], [`Answer`], [`Line`] and [`Line::parse`] |
//! | `trace.rs` | a whole trace: [`Step`], [`Trace::parse`], [`Trace::load`], [`trace_files`] |
//! | `replayer.rs` | [`Trace::replay`], [`Driving`] and the runtime they drive |
//! | `error.rs` | [`ReplayError`] |
//!
//! # Timed traces and missing answers
//!
//! A timed trace (a recording, every line stamped `@T tN`) is parsed and
//! checked here, but replayed with its timing by `evaluate --trace` in
//! `gowheel-benches`: its answers depend on real time, so the exact replay
//! on a manual clock refuses it with a clear error. A line without its
//! answer (` -> ...` left out) is accepted in both: the exact replay
//! compares the answers a trace has and runs the others unchecked.

mod error;
mod line;
mod replayer;
mod trace;

pub use error::ReplayError;
pub use line::{Answer, Kind, Line, Stamp, TraceOp};
pub use replayer::Driving;
pub use trace::{Numbered, Step, Trace, trace_files};
