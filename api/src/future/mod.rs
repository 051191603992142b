//! gowheel's timers in async Rust, on any executor.
//!
//! | Go / tokio | gowheel |
//! | --- | --- |
//! | `<-t.C` in a goroutine | `receiver.await`, [`Receiver::recv_async`](crate::Receiver::recv_async) ([`Recv`]) |
//! | `for range ticker.C` | [`Receiver::stream`](crate::Receiver::stream) ([`TickStream`], a `futures_core::Stream`) |
//! | `tokio::time::sleep`, `sleep_until` | [`sleep`], [`sleep_until`] ([`Sleep`], with `reset` and `deadline`) |
//! | `tokio::time::timeout`, `timeout_at` | [`timeout`], [`timeout_at`] ([`Timeout`], [`Elapsed`]) |
//!
//! The free functions use the [default runtime](crate::default_runtime);
//! [`Runtime`](crate::Runtime) has the same as methods.
//!
//! # Design
//!
//! Nothing polls and no thread is parked per wait: a poll that finds its
//! timer not yet fired leaves its task's [`Waker`](std::task::Waker) where
//! the firing will find it, and the firing wakes it, from the driver thread
//! (or from the thread moving a manual clock). The executor is whatever
//! polls the future: tokio (either flavour), smol, `futures::executor`, or
//! a hand written one.
//!
//! * [`Recv`] and [`TickStream`] wait on a timer channel (the one of
//!   [`Timer`](crate::Timer) and [`Ticker`](crate::Ticker)), as a blocking
//!   receive does.
//! * [`Sleep`], and so [`Timeout`], own a function timer whose callback
//!   records which arming fired and wakes the task: no channel, no value
//!   to hold. Its races are argued in the `sleep` module.
//!
//! # Why the races of the channel futures come out right
//!
//! The waker is registered and the value taken under the channel's own
//! lock, the one every delivery, `stop` and `reset` takes (see the
//! `channel` module's stale-send protocol). Three races matter:
//!
//! 1. *Poll against fire.* A poll holding the lock either finds the value
//!    (and returns it) or registers its waker before unlocking; the firing
//!    stores the value and takes the registered wakers under the same lock.
//!    So a firing either comes before the poll (the poll sees the value) or
//!    after it (the firing sees the waker): no lost wake-up.
//! 2. *Stop or reset against a pending future.* They empty the channel
//!    under the lock and the stale-send protocol squelches a firing already
//!    decided; a future keeps no copy of a value, so whatever it returns
//!    later was stored after the stop or reset: no stale value. A future
//!    woken for a value that a stop then discarded finds the channel empty
//!    and registers again.
//! 3. *Drop against fire.* A dropped future takes its waker out under the
//!    lock. If a firing woke it first, the value stays in the channel for
//!    the next receive (cancel safety), and since a firing wakes every
//!    waiter, no other waiter was counting on the dropped one.
//!
//! # Manual clock
//!
//! Awaiting does not move a manual clock: a future has no way to know that
//! every task is blocked, and moving time from inside a poll would make the
//! outcome depend on poll order. Move it from the test with
//! [`Runtime::advance`](crate::Runtime::advance) (from another thread, or
//! from another task of the same executor); the futures it makes due are
//! woken at once. A blocking [`Receiver::recv`](crate::Receiver::recv) on a
//! manual runtime still moves the clock itself, as before.

mod recv;
mod sleep;
mod stream;
mod timeout;

pub use recv::Recv;
pub use sleep::{Sleep, sleep, sleep_until};
pub use stream::TickStream;
pub use timeout::{Elapsed, Timeout, timeout, timeout_at};
