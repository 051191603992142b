//! Recording: every time-package operation a runtime serves, written as a
//! timed trace (the format of `compat-tests/traces/go/FORMAT.md`, section
//! "Timed traces") that `evaluate --trace` replays with the same timing and
//! threads.
//!
//! # Design
//!
//! The operation's thread builds a small fixed-size [`Entry`] (when, which
//! thread, what, with its answer) and pushes it on an unbounded lock-free
//! queue (`std::sync::mpsc`, a linked list of blocks); a writer thread,
//! `gowheel-recorder`, drains the queue, formats the lines and writes them
//! through a `BufWriter`. No thread that arms, stops or fires a timer ever
//! formats text, waits for I/O or takes a lock for the recording.
//!
//! The writer never blocks in the queue's `recv`: a receiver blocked there
//! makes every push wake it with a system call, which would cost the
//! pushing thread more than everything else the recording does. It drains
//! what is queued, then sleeps [`DRAIN_PAUSE`] and drains again; a push
//! is then a few atomic operations, a flush waits at most one pause
//! longer, and an idle recording costs the writer a thousand short
//! wake-ups a second. The queue is unbounded: a program that makes timer
//! calls faster than the writer formats them (about a few million lines a
//! second) grows it.
//!
//! # Invariants
//!
//! * Lines appear in the order their entries were queued. A thread's
//!   entries are queued in its program order, so its times never go
//!   backwards; across threads the order is the queue's, and two lines of
//!   different threads may be out of time order by the time one push
//!   takes.
//! * A timer's creation is queued before the timer is armed, so no firing
//!   or use of an ID precedes the line that creates it.
//! * Nothing queued is lost: [`Recorder::flush`] waits until the writer has
//!   written and flushed everything queued before it, and dropping the last
//!   [`Runtime`](crate::Runtime) handle flushes and stops the writer.
//!   Entries queued after that (by timers that outlive their runtime and
//!   never fire) are dropped.
//! * An I/O error stops the writing; the writer keeps draining the queue,
//!   and the next [`flush`](crate::Runtime::flush_record) reports the error.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How long the writer sleeps when it finds the queue empty.
const DRAIN_PAUSE: Duration = Duration::from_millis(1);

/// One recorded event, without its time and thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// `func ID D`.
    Func { id: u64, duration: i64 },
    /// `chan ID D`.
    Chan { id: u64, duration: i64 },
    /// `tick ID D`.
    Tick { id: u64, period: i64 },
    /// `stop ID -> B`.
    Stop { id: u64, pending: bool },
    /// `reset ID D -> B`.
    Reset {
        id: u64,
        duration: i64,
        pending: bool,
    },
    /// `tstop ID`.
    TickerStop { id: u64 },
    /// `treset ID D` (`-> panic` if rejected).
    TickerReset {
        id: u64,
        period: i64,
        rejected: bool,
    },
    /// `recv ID -> none|T`.
    Recv { id: u64, value: Option<i64> },
    /// `fired ID T DEADLINE`: a function timer's callback started.
    Fired { id: u64, deadline: i64 },
    /// `sent ID T DEADLINE`: a channel timer or ticker fired.
    Sent { id: u64, deadline: i64 },
}

/// An event with when (nanoseconds since the runtime started) and on which
/// thread it happened.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    at: i64,
    thread: u32,
    event: Event,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{} t{} ", self.at, self.thread)?;
        match self.event {
            Event::Func { id, duration } => write!(f, "func {id} {duration}"),
            Event::Chan { id, duration } => write!(f, "chan {id} {duration}"),
            Event::Tick { id, period } => write!(f, "tick {id} {period}"),
            Event::Stop { id, pending } => write!(f, "stop {id} -> {pending}"),
            Event::Reset {
                id,
                duration,
                pending,
            } => write!(f, "reset {id} {duration} -> {pending}"),
            Event::TickerStop { id } => write!(f, "tstop {id}"),
            Event::TickerReset {
                id,
                period,
                rejected,
            } => {
                write!(f, "treset {id} {period}")?;
                if rejected {
                    f.write_str(" -> panic")?;
                }
                Ok(())
            }
            Event::Recv { id, value: None } => write!(f, "recv {id} -> none"),
            Event::Recv {
                id,
                value: Some(value),
            } => write!(f, "recv {id} -> {value}"),
            Event::Fired { id, deadline } => write!(f, "fired {id} {} {deadline}", self.at),
            Event::Sent { id, deadline } => write!(f, "sent {id} {} {deadline}", self.at),
        }
    }
}

/// What the writer thread receives.
enum Message {
    Entry(Entry),
    /// Write and flush everything before this, then answer.
    Flush(mpsc::SyncSender<io::Result<()>>),
    /// Flush, answer, and stop.
    Close(mpsc::SyncSender<io::Result<()>>),
}

thread_local! {
    /// This thread's number in traces, given on first use.
    static THREAD: Cell<u32> = const { Cell::new(u32::MAX) };
}

/// The next thread number to give, process-wide.
static NEXT_THREAD: AtomicU32 = AtomicU32::new(0);

/// The calling thread's number in traces.
fn thread_number() -> u32 {
    THREAD.with(|thread| {
        let mut number = thread.get();
        if number == u32::MAX {
            // Relaxed: only the uniqueness of the number matters.
            number = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
            thread.set(number);
        }
        number
    })
}

/// The first lines of every recorded trace.
const HEADER: &str = "# timer trace v1\n\
    # recorded by gowheel on a real clock: each line is `@T tN` (nanoseconds since the \
    runtime started, the thread that issued it) then an operation, or a firing \
    (`fired`/`sent ID T DEADLINE`)\n";

/// A runtime's recorder: the queue's sending side and the writer thread.
pub(crate) struct Recorder {
    sender: mpsc::Sender<Message>,
    /// The next trace ID to give a timer.
    next_id: AtomicU64,
    /// Function timers' trace IDs by their timer's identity
    /// (`AnyTimer::identity`). A timer keeps its identity while its handle
    /// lives, and no other live timer has it, so the latest binding of an
    /// identity is the live handle's. Kept here, only while recording,
    /// rather than in every `AfterFunc`.
    func_ids: Mutex<HashMap<usize, u64>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl Recorder {
    /// Starts the writer thread, which writes to `output`.
    pub(crate) fn start(output: Box<dyn Write + Send>) -> io::Result<Recorder> {
        let (sender, receiver) = mpsc::channel();
        let writer = thread::Builder::new()
            .name("gowheel-recorder".to_owned())
            .spawn(move || write_entries(output, receiver))?;
        Ok(Recorder {
            sender,
            next_id: AtomicU64::new(0),
            func_ids: Mutex::new(HashMap::new()),
            writer: Mutex::new(Some(writer)),
        })
    }

    /// A new timer's trace ID.
    pub(crate) fn next_id(&self) -> u64 {
        // Relaxed: only uniqueness matters; the ID reaches other threads
        // with the timer handle, through whatever hands the handle over.
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Records that the function timer of identity `identity` has trace
    /// ID `id`.
    pub(crate) fn bind_func(&self, identity: usize, id: u64) {
        self.func_ids
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(identity, id);
    }

    /// The trace ID of the live function timer of identity `identity`.
    pub(crate) fn func_id(&self, identity: usize) -> u64 {
        self.func_ids
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&identity)
            .copied()
            .expect("gowheel: a recorded function timer's trace ID is bound when it is made")
    }

    /// Queues `event`, which happened at `at` on the calling thread. Never
    /// blocks; after the recorder closed, the event is dropped.
    pub(crate) fn push(&self, at: i64, event: Event) {
        let entry = Entry {
            at,
            thread: thread_number(),
            event,
        };
        let _ = self.sender.send(Message::Entry(entry));
    }

    /// Waits until everything queued so far is written and flushed.
    pub(crate) fn flush(&self) -> io::Result<()> {
        self.round_trip(Message::Flush)
    }

    /// Flushes and stops the writer thread.
    pub(crate) fn close(&self) -> io::Result<()> {
        let result = self.round_trip(Message::Close);
        let writer = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        result
    }

    fn round_trip(
        &self,
        message: impl FnOnce(mpsc::SyncSender<io::Result<()>>) -> Message,
    ) -> io::Result<()> {
        let (answer, answered) = mpsc::sync_channel(1);
        if self.sender.send(message(answer)).is_err() {
            return Ok(()); // closed: everything was written then
        }
        answered.recv().unwrap_or(Ok(()))
    }
}

/// The writer thread: formats and writes entries until closed.
fn write_entries(output: Box<dyn Write + Send>, receiver: mpsc::Receiver<Message>) {
    let mut output = BufWriter::with_capacity(1 << 16, output);
    let mut failed: Option<io::Error> = output.write_all(HEADER.as_bytes()).err();
    loop {
        let message = match receiver.try_recv() {
            Ok(message) => message,
            Err(mpsc::TryRecvError::Empty) => {
                thread::sleep(DRAIN_PAUSE);
                continue;
            }
            Err(mpsc::TryRecvError::Disconnected) => break,
        };
        match message {
            Message::Entry(entry) => {
                if failed.is_none()
                    && let Err(error) = writeln!(output, "{entry}")
                {
                    failed = Some(error);
                }
            }
            Message::Flush(answer) | Message::Close(answer) if failed.is_some() => {
                let error = failed.as_ref().map_or_else(
                    || io::Error::other("recording failed"),
                    |error| io::Error::new(error.kind(), error.to_string()),
                );
                let _ = answer.send(Err(error));
            }
            Message::Flush(answer) => {
                let result = output.flush();
                let _ = answer.send(result);
            }
            Message::Close(answer) => {
                let _ = answer.send(output.flush());
                return;
            }
        }
    }
    let _ = output.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_render_as_timed_trace_lines() {
        let entry = |event| Entry {
            at: 42,
            thread: 3,
            event,
        };
        let lines = [
            entry(Event::Func { id: 0, duration: 5 }),
            entry(Event::Reset {
                id: 0,
                duration: 7,
                pending: true,
            }),
            entry(Event::Recv { id: 1, value: None }),
            entry(Event::TickerReset {
                id: 2,
                period: 0,
                rejected: true,
            }),
            entry(Event::Fired {
                id: 0,
                deadline: 40,
            }),
        ]
        .map(|entry| entry.to_string());
        assert_eq!(
            lines,
            [
                "@42 t3 func 0 5",
                "@42 t3 reset 0 7 -> true",
                "@42 t3 recv 1 -> none",
                "@42 t3 treset 2 0 -> panic",
                "@42 t3 fired 0 42 40",
            ]
        );
    }
}
