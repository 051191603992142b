//! A trace as a schedule: each operation with the time it is to be issued
//! at and the replay thread that issues it ([`Schedule::from_trace`]).
//!
//! * A **timed** trace (a recording) keeps its times and threads: its
//!   `@T tN` stamps, with the recorded threads numbered 0, 1, ... in the
//!   order they first issue an operation.
//! * A **virtual-clock** trace (Go's, recorded under `testing/synctest`)
//!   runs on one thread at its virtual times: `advance D` is time passing,
//!   `wait ID MAXD` is a receive at the time its `now` line gives. Virtual
//!   gaps can be hours long, so each gap is cut to at most `max_gap`; the
//!   schedule says how much was cut.
//!
//! Durations are kept as recorded; firing lines are outputs of the
//! recording, not operations, and are left out.

use gowheel_compat_tests::replay::{Trace, TraceOp};

/// One operation to issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scheduled {
    /// When to issue it: nanoseconds from the replay's start.
    pub at: i64,
    /// Which replay thread issues it, from 0.
    pub thread: usize,
    /// The operation (`advance` never appears; `wait` becomes `recv`).
    pub op: TraceOp,
    /// Its line in the trace.
    pub line: usize,
}

/// A trace's operations in the order to issue them.
#[derive(Clone, Debug, Default)]
pub struct Schedule {
    /// The operations, in trace order.
    pub ops: Vec<Scheduled>,
    /// Replay threads.
    pub threads: usize,
    /// One more than the largest timer ID.
    pub ids: usize,
    /// Virtual time cut from gaps longer than `max_gap`, in nanoseconds.
    pub cut: i64,
    /// Whether the trace was timed.
    pub timed: bool,
}

impl Schedule {
    /// The schedule of `trace`; `max_gap` caps a virtual-clock trace's
    /// gaps (nanoseconds).
    ///
    /// ```
    /// use gowheel_benches::trace_replay::Schedule;
    /// use gowheel_compat_tests::replay::Trace;
    ///
    /// let trace = Trace::parse("t", "@5 t7 func 0 100\n@9 t3 stop 0 -> true\n").unwrap();
    /// let schedule = Schedule::from_trace(&trace, 1_000_000);
    /// assert_eq!((schedule.threads, schedule.ops[1].thread, schedule.ops[1].at), (2, 1, 4));
    ///
    /// let trace = Trace::parse("g", "chan 0 5\nadvance 3600000000000\nnow 3600000000000\nrecv 0 -> 5\n").unwrap();
    /// let schedule = Schedule::from_trace(&trace, 1_000_000);
    /// assert_eq!(schedule.ops[1].at, 1_000_000);
    /// assert_eq!(schedule.cut, 3_600_000_000_000 - 1_000_000);
    /// ```
    pub fn from_trace(trace: &Trace, max_gap: i64) -> Schedule {
        let mut schedule = Schedule {
            timed: trace.is_timed(),
            ..Schedule::default()
        };
        let mut threads: Vec<u32> = Vec::new();
        // Virtual traces: the virtual time now, and the replay time.
        let (mut virtual_now, mut at) = (0i64, 0i64);
        for step in trace.steps() {
            let id = match step.op {
                TraceOp::Func { id, .. }
                | TraceOp::Chan { id, .. }
                | TraceOp::Tick { id, .. }
                | TraceOp::Stop { id }
                | TraceOp::Reset { id, .. }
                | TraceOp::TickerStop { id }
                | TraceOp::TickerReset { id, .. }
                | TraceOp::Recv { id }
                | TraceOp::Wait { id, .. } => Some(id),
                TraceOp::Advance { .. } => None,
            };
            if let Some(id) = id {
                schedule.ids = schedule.ids.max(id + 1);
            }
            let (time, thread) = match step.stamp {
                Some(stamp) => {
                    let thread = match threads.iter().position(|&t| t == stamp.thread) {
                        Some(index) => index,
                        None => {
                            threads.push(stamp.thread);
                            threads.len() - 1
                        }
                    };
                    (stamp.at, thread)
                }
                None => {
                    let target = match step.op {
                        TraceOp::Advance { duration } => {
                            virtual_now.saturating_add(duration.max(0))
                        }
                        TraceOp::Wait { .. } => step.now.map_or(virtual_now, |now| now.value),
                        _ => virtual_now,
                    };
                    let gap = target.saturating_sub(virtual_now).max(0);
                    let kept = gap.min(max_gap);
                    schedule.cut = schedule.cut.saturating_add(gap - kept);
                    at += kept;
                    virtual_now = target;
                    (at, 0)
                }
            };
            let op = match step.op {
                TraceOp::Advance { .. } => continue,
                TraceOp::Wait { id, .. } => TraceOp::Recv { id },
                op => op,
            };
            schedule.ops.push(Scheduled {
                at: time,
                thread,
                op,
                line: step.line,
            });
        }
        schedule.threads = threads.len().max(1);
        // A recording's clock started with its runtime: the replay starts
        // at its first operation.
        let first = schedule.ops.iter().map(|op| op.at).min().unwrap_or(0);
        for op in &mut schedule.ops {
            op.at -= first;
        }
        schedule
    }

    /// The operations of replay thread `thread`, in order.
    ///
    /// ```
    /// use gowheel_benches::trace_replay::Schedule;
    /// use gowheel_compat_tests::replay::Trace;
    /// let trace = Trace::parse("t", "@0 t0 chan 0 9\n@1 t1 recv 0\n@2 t0 stop 0\n").unwrap();
    /// let schedule = Schedule::from_trace(&trace, 0);
    /// assert_eq!(schedule.of_thread(0).len(), 2);
    /// assert_eq!(schedule.span(), 2);
    /// ```
    pub fn of_thread(&self, thread: usize) -> Vec<Scheduled> {
        self.ops
            .iter()
            .filter(|op| op.thread == thread)
            .copied()
            .collect()
    }

    /// When the last operation is issued, in nanoseconds.
    pub fn span(&self) -> i64 {
        self.ops.iter().map(|op| op.at).max().unwrap_or(0)
    }
}
