//! The `time_api` fuzz target: the time-package API on a manual clock,
//! checked against a model of what Go 1.23+ guarantees.
//!
//! Bytes decode into a backend (with a wheel shape, see
//! [`decode_shape`](super::differential::decode_shape)) and a sequence of
//! [`ApiOp`]s on timers ([`Runtime::new_timer`], [`Runtime::after`]),
//! [`Runtime::after_func`] timers and tickers: stop, reset, non-blocking
//! and blocking receives, `advance` and `sleep`. After every operation the
//! answers must be the model's:
//!
//! * `Timer::stop`/`reset` return whether the timer was pending or held an
//!   unreceived value, and drop that value (no stale value after them);
//!   `AfterFunc::stop`/`reset` whether it was pending;
//! * a channel holds at most one value, which is the deadline it stands
//!   for; a ticker whose channel is full drops the tick (later ticks are
//!   not buffered), and ticks every `period` after its last (re)start,
//!   each deadline visited by a manual clock;
//! * `Ticker::stop`/`try_reset` drop an unreceived tick, `try_reset` and
//!   `try_new_ticker` refuse a zero period and change nothing then;
//! * functions run once, at their deadline, seeing the clock there;
//! * deadlines that overflow saturate to one that is never reached, and
//!   the clock stops one nanosecond short of it;
//! * `elapsed` after every operation is the model's clock.
//!
//! Moves of the clock that would fire more than [`MAX_FIRES`] times in one
//! input (a 1 ns ticker and an hour's advance), and blocking receives that
//! could never return, are skipped, so that no input hangs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gowheel::{AfterFunc, Backend, MAX_WHEN, Receiver, Runtime, Ticker, Timer, TryRecvError};

use super::bytes::{Reader, Writer};
use super::differential::decode_shape;
use crate::expected_next_periodic_when;
use crate::panics::lock;

/// The most operations one input is decoded into.
pub const MAX_OPS: usize = 256;

/// The most timer fires (modelled) one input may cause.
pub const MAX_FIRES: u64 = 2_000;

/// The internal time a manual runtime starts at (elapsed zero).
const START: i64 = 1;

/// The latest internal time a manual clock reaches.
const END: i64 = MAX_WHEN - 1;

/// One operation of a `time_api` input. Objects are named by their index
/// among those created, modulo their number; an operation that does not
/// apply to the object named (a receive on an `after_func` timer) or names
/// none is skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiOp {
    /// [`Runtime::new_timer`].
    NewTimer(Duration),
    /// [`Runtime::after`]: a receiver only.
    After(Duration),
    /// [`Runtime::after_func`], whose function logs the elapsed time.
    AfterFunc(Duration),
    /// [`Runtime::try_new_ticker`].
    NewTicker(Duration),
    /// `stop` on a timer, an `after_func` timer or a ticker.
    Stop(usize),
    /// `reset` on a timer or an `after_func` timer, `try_reset` on a ticker.
    Reset(usize, Duration),
    /// [`Receiver::try_recv`].
    TryRecv(usize),
    /// [`Receiver::recv_timeout`].
    RecvTimeout(usize, Duration),
    /// [`Runtime::advance`].
    Advance(Duration),
    /// [`Runtime::sleep`].
    Sleep(Duration),
}

/// Decodes a duration: a kind byte, then nanoseconds, seconds, or nothing
/// for [`Duration::MAX`].
fn decode_duration(reader: &mut Reader<'_>) -> Duration {
    match reader.byte() % 8 {
        6 => Duration::MAX,
        7 => Duration::from_secs(reader.uint()),
        _ => Duration::from_nanos(reader.uint()),
    }
}

fn encode_duration(writer: &mut Writer, duration: Duration) {
    if duration == Duration::MAX {
        writer.byte(6);
    } else if let Ok(nanos) = u64::try_from(duration.as_nanos()) {
        writer.byte(0);
        writer.uint(nanos);
    } else {
        writer.byte(7);
        writer.uint(duration.as_secs());
    }
}

fn decode_op(reader: &mut Reader<'_>) -> ApiOp {
    match reader.byte() % 10 {
        0 => ApiOp::NewTimer(decode_duration(reader)),
        1 => ApiOp::After(decode_duration(reader)),
        2 => ApiOp::AfterFunc(decode_duration(reader)),
        3 => ApiOp::NewTicker(decode_duration(reader)),
        4 => ApiOp::Stop(usize::from(reader.byte())),
        5 => ApiOp::Reset(usize::from(reader.byte()), decode_duration(reader)),
        6 => ApiOp::TryRecv(usize::from(reader.byte())),
        7 => ApiOp::RecvTimeout(usize::from(reader.byte()), decode_duration(reader)),
        8 => ApiOp::Advance(decode_duration(reader)),
        _ => ApiOp::Sleep(decode_duration(reader)),
    }
}

fn encode_op(writer: &mut Writer, op: ApiOp) {
    let (tag, index, duration) = match op {
        ApiOp::NewTimer(duration) => (0, None, Some(duration)),
        ApiOp::After(duration) => (1, None, Some(duration)),
        ApiOp::AfterFunc(duration) => (2, None, Some(duration)),
        ApiOp::NewTicker(duration) => (3, None, Some(duration)),
        ApiOp::Stop(index) => (4, Some(index), None),
        ApiOp::Reset(index, duration) => (5, Some(index), Some(duration)),
        ApiOp::TryRecv(index) => (6, Some(index), None),
        ApiOp::RecvTimeout(index, duration) => (7, Some(index), Some(duration)),
        ApiOp::Advance(duration) => (8, None, Some(duration)),
        ApiOp::Sleep(duration) => (9, None, Some(duration)),
    };
    writer.byte(tag);
    if let Some(index) = index {
        writer.byte(index as u8);
    }
    if let Some(duration) = duration {
        encode_duration(writer, duration);
    }
}

/// The runtime an input runs on: byte 0 picks the heap (even) or the
/// wheel (odd), whose shape follows.
fn decode_runtime(reader: &mut Reader<'_>) -> Runtime {
    let builder = Runtime::builder().manual_clock();
    if reader.byte().is_multiple_of(2) {
        builder.backend(Backend::Heap).parts(1).build()
    } else {
        let config = decode_shape(reader);
        builder.backend(Backend::Wheel).wheel_config(config).build()
    }
}

/// Encodes an input on the heap (`wheel_shape: None`) or on the wheel of
/// [`SHAPES`](super::differential::SHAPES) index `wheel_shape`.
///
/// ```
/// use std::time::Duration;
/// use gowheel_compat_tests::fuzzing::time_api::{ApiOp, encode, run};
///
/// let ops = [ApiOp::NewTicker(Duration::from_nanos(10)), ApiOp::Advance(Duration::from_nanos(35)), ApiOp::TryRecv(0)];
/// run(&encode(None, &ops)).unwrap();
/// run(&encode(Some(2), &ops)).unwrap();
/// ```
pub fn encode(wheel_shape: Option<u8>, ops: &[ApiOp]) -> Vec<u8> {
    let mut writer = Writer::default();
    match wheel_shape {
        None => writer.byte(0),
        Some(shape) => {
            writer.byte(1);
            writer.byte(shape);
        }
    }
    for &op in ops {
        encode_op(&mut writer, op);
    }
    writer.into_bytes()
}

/// Decodes the operations of an input (after its runtime bytes).
pub fn decode_ops(data: &[u8]) -> Vec<ApiOp> {
    let mut reader = Reader::new(data);
    if reader.byte() % 2 == 1 {
        decode_shape(&mut reader);
    }
    let mut ops = Vec::new();
    while !reader.is_empty() && ops.len() < MAX_OPS {
        ops.push(decode_op(&mut reader));
    }
    ops
}

/// What kind of object, with its handle.
enum Handle {
    Timer(Timer),
    After(Receiver),
    Func(AfterFunc, Arc<Mutex<Vec<Duration>>>),
    Ticker(Ticker),
}

impl Handle {
    fn receiver(&self) -> Option<&Receiver> {
        match self {
            Handle::Timer(timer) => Some(timer.receiver()),
            Handle::After(receiver) => Some(receiver),
            Handle::Func(..) => None,
            Handle::Ticker(ticker) => Some(ticker.receiver()),
        }
    }
}

/// What Go's rules say about one object.
#[derive(Clone, Debug, Default)]
struct Model {
    /// The pending deadline (internal time; `MAX_WHEN` never fires).
    when: Option<i64>,
    /// The period, for a ticker.
    period: i64,
    /// The unreceived value: the deadline it stands for.
    value: Option<i64>,
    /// Whether it is a function timer, whose fires are logged.
    func: bool,
    /// The internal times its function ran at.
    ran: Vec<i64>,
}

/// The model of a whole run.
struct World {
    now: i64,
    objects: Vec<Model>,
    fires: u64,
}

/// A duration in nanoseconds, saturating (as the runtime reads it).
fn nanos(duration: Duration) -> i64 {
    i64::try_from(duration.as_nanos()).unwrap_or(MAX_WHEN)
}

impl World {
    fn deadline_after(&self, duration: Duration) -> i64 {
        self.now.saturating_add(nanos(duration))
    }

    /// How many fires moving to `target` causes, capped just past the
    /// budget left.
    fn fires_until(&self, target: i64) -> u64 {
        let target = target.min(END);
        let cap = MAX_FIRES - self.fires + 1;
        let mut count: u64 = 0;
        for object in &self.objects {
            let Some(when) = object.when.filter(|&when| when <= target) else {
                continue;
            };
            let more = if object.period > 0 {
                let ticks = (i128::from(target) - i128::from(when)) / i128::from(object.period);
                u64::try_from(ticks).unwrap_or(u64::MAX).saturating_add(1)
            } else {
                1
            };
            count = count.saturating_add(more);
            if count >= cap {
                break;
            }
        }
        count
    }

    fn affordable(&self, target: i64) -> bool {
        self.fires + self.fires_until(target) <= MAX_FIRES
    }

    /// Fires everything due by `target` in deadline order, as a manual
    /// clock stepping through deadlines does, and moves the clock there.
    fn run_until(&mut self, target: i64) {
        let target = target.min(END);
        loop {
            let next = self
                .objects
                .iter()
                .enumerate()
                .filter_map(|(index, object)| object.when.map(|when| (when, index)))
                .filter(|&(when, _)| when <= target)
                .min();
            let Some((when, index)) = next else { break };
            self.fires += 1;
            let object = &mut self.objects[index];
            if object.func {
                object.ran.push(when);
            } else if object.value.is_none() {
                object.value = Some(when);
            }
            object.when =
                (object.period > 0).then(|| expected_next_periodic_when(when, object.period, 0));
            // A fire at `when` sees the clock there.
            self.now = self.now.max(when);
        }
        self.now = self.now.max(target);
    }
}

fn elapsed_of(internal: i64) -> Duration {
    Duration::from_nanos((internal - START).max(0) as u64)
}

/// Runs one input.
///
/// # Errors
///
/// The first answer that breaks Go's rules, with the operations so far.
pub fn run(data: &[u8]) -> Result<(), String> {
    let mut reader = Reader::new(data);
    // Callbacks reach the runtime through a `Weak`, so that none keeps it
    // alive (a cycle through its own timer set).
    let runtime = Arc::new(decode_runtime(&mut reader));
    let mut ops = Vec::new();
    while !reader.is_empty() && ops.len() < MAX_OPS {
        ops.push(decode_op(&mut reader));
    }
    let mut world = World {
        now: START,
        objects: Vec::new(),
        fires: 0,
    };
    let mut handles: Vec<Handle> = Vec::new();
    for (step, &op) in ops.iter().enumerate() {
        apply(&runtime, &mut world, &mut handles, op)
            .and_then(|()| compare(&runtime, &world, &handles))
            .map_err(|problem| format!("op #{step} {op:?}: {problem}\nops: {ops:?}"))?;
    }
    Ok(())
}

/// The object an operation names.
fn pick(handles: &[Handle], index: usize) -> Option<usize> {
    index.checked_rem(handles.len())
}

fn check_value(
    runtime: &Runtime,
    what: &str,
    got: Option<std::time::Instant>,
    expected: Option<i64>,
) -> Result<(), String> {
    let got = got.map(|at| at.saturating_duration_since(runtime.start()));
    let expected = expected.map(elapsed_of);
    if got == expected {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, expected {expected:?}"))
    }
}

fn apply(
    runtime: &Arc<Runtime>,
    world: &mut World,
    handles: &mut Vec<Handle>,
    op: ApiOp,
) -> Result<(), String> {
    match op {
        ApiOp::NewTimer(duration) | ApiOp::After(duration) => {
            let when = world.deadline_after(duration);
            handles.push(match op {
                ApiOp::NewTimer(_) => Handle::Timer(runtime.new_timer(duration)),
                _ => Handle::After(runtime.after(duration)),
            });
            world.objects.push(Model {
                when: Some(when),
                ..Model::default()
            });
        }
        ApiOp::AfterFunc(duration) => {
            let when = world.deadline_after(duration);
            let log = Arc::new(Mutex::new(Vec::new()));
            let (writer, clock) = (log.clone(), Arc::downgrade(runtime));
            let func = runtime.after_func(duration, move || {
                if let Some(runtime) = clock.upgrade() {
                    lock(&writer).push(runtime.elapsed());
                }
            });
            handles.push(Handle::Func(func, log));
            world.objects.push(Model {
                when: Some(when),
                func: true,
                ..Model::default()
            });
        }
        ApiOp::NewTicker(period) => match runtime.try_new_ticker(period) {
            Ok(ticker) if !period.is_zero() => {
                handles.push(Handle::Ticker(ticker));
                world.objects.push(Model {
                    when: Some(world.deadline_after(period)),
                    period: nanos(period),
                    ..Model::default()
                });
            }
            Ok(_) => return Err("a zero period was accepted".to_owned()),
            Err(_) if period.is_zero() => {}
            Err(error) => return Err(format!("period {period:?} refused: {error}")),
        },
        ApiOp::Stop(index) => {
            let Some(index) = pick(handles, index) else {
                return Ok(());
            };
            let model = &mut world.objects[index];
            let expected = model.when.is_some() || model.value.is_some();
            match &handles[index] {
                Handle::Timer(timer) => {
                    let got = timer.stop();
                    if got != expected {
                        return Err(format!("Timer::stop gave {got}, expected {expected}"));
                    }
                }
                Handle::Func(func, _) => {
                    let expected = model.when.is_some();
                    let got = func.stop();
                    if got != expected {
                        return Err(format!("AfterFunc::stop gave {got}, expected {expected}"));
                    }
                }
                Handle::Ticker(ticker) => ticker.stop(),
                Handle::After(_) => return Ok(()),
            }
            model.when = None;
            model.value = None;
        }
        ApiOp::Reset(index, duration) => {
            let Some(index) = pick(handles, index) else {
                return Ok(());
            };
            let when = world.deadline_after(duration);
            let model = &mut world.objects[index];
            let expected = model.when.is_some() || model.value.is_some();
            match &handles[index] {
                Handle::Timer(timer) => {
                    let got = timer.reset(duration);
                    if got != expected {
                        return Err(format!("Timer::reset gave {got}, expected {expected}"));
                    }
                }
                Handle::Func(func, _) => {
                    let expected = model.when.is_some();
                    let got = func.reset(duration);
                    if got != expected {
                        return Err(format!("AfterFunc::reset gave {got}, expected {expected}"));
                    }
                }
                Handle::Ticker(ticker) => match ticker.try_reset(duration) {
                    Ok(()) if !duration.is_zero() => model.period = nanos(duration),
                    Ok(()) => return Err("Ticker::try_reset accepted zero".to_owned()),
                    // Refused: unchanged.
                    Err(_) if duration.is_zero() => return Ok(()),
                    Err(error) => return Err(format!("try_reset({duration:?}) refused: {error}")),
                },
                Handle::After(_) => return Ok(()),
            }
            model.when = Some(when);
            model.value = None;
        }
        ApiOp::TryRecv(index) => {
            let Some(index) = pick(handles, index) else {
                return Ok(());
            };
            let Some(receiver) = handles[index].receiver() else {
                return Ok(());
            };
            let got = match receiver.try_recv() {
                Ok(at) => Some(at),
                Err(TryRecvError::Empty) => None,
                Err(error) => return Err(format!("try_recv on a live runtime: {error}")),
            };
            let expected = world.objects[index].value.take();
            check_value(runtime, "try_recv", got, expected)?;
        }
        ApiOp::RecvTimeout(index, timeout) => {
            let Some(index) = pick(handles, index) else {
                return Ok(());
            };
            let Some(receiver) = handles[index].receiver() else {
                return Ok(());
            };
            let limit = world.deadline_after(timeout);
            let model = &world.objects[index];
            let expected = if model.value.is_some() {
                world.objects[index].value.take()
            } else {
                match model.when.filter(|&when| when <= limit && when < MAX_WHEN) {
                    Some(when) => {
                        let until = when.max(world.now);
                        if !world.affordable(until) {
                            return Ok(());
                        }
                        world.run_until(until);
                        world.objects[index].value.take()
                    }
                    // A receive without a deadline that nothing will ever
                    // end blocks forever, as in Go: skipped.
                    None if limit == MAX_WHEN => return Ok(()),
                    None => {
                        if !world.affordable(limit) {
                            return Ok(());
                        }
                        world.run_until(limit);
                        world.objects[index].value.take()
                    }
                }
            };
            let got = receiver.recv_timeout(timeout);
            check_value(runtime, "recv_timeout", got, expected)?;
        }
        ApiOp::Advance(duration) | ApiOp::Sleep(duration) => {
            if matches!(op, ApiOp::Sleep(_)) && duration.is_zero() {
                runtime.sleep(duration);
                return Ok(());
            }
            let target = world.deadline_after(duration);
            if !world.affordable(target) {
                return Ok(());
            }
            world.run_until(target);
            match op {
                ApiOp::Sleep(_) => runtime.sleep(duration),
                _ => runtime.advance(duration),
            }
        }
    }
    Ok(())
}

/// After every operation: the clock, the functions' runs, and the checker.
fn compare(runtime: &Runtime, world: &World, handles: &[Handle]) -> Result<(), String> {
    let elapsed = runtime.elapsed();
    if elapsed != elapsed_of(world.now) {
        return Err(format!(
            "elapsed {elapsed:?}, expected {:?}",
            elapsed_of(world.now)
        ));
    }
    for (index, (handle, model)) in handles.iter().zip(&world.objects).enumerate() {
        if let Handle::Func(_, log) = handle {
            let got = lock(log).clone();
            let expected: Vec<Duration> = model.ran.iter().map(|&at| elapsed_of(at)).collect();
            if got != expected {
                return Err(format!(
                    "after_func {index} ran at {got:?}, expected {expected:?}"
                ));
            }
        }
    }
    runtime.verify();
    Ok(())
}
