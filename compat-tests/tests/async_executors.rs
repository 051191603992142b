//! gowheel's futures on real executors: tokio (current-thread and
//! multi-thread), smol and `futures::executor`, with real sockets on
//! 127.0.0.1, on both backends and on the manual clock.
//!
//! Nothing here asserts a timing: only which branch of a select wins when
//! the other cannot (a socket nobody writes to, a timer an hour away),
//! which values are received, and that everything completes, each wait
//! guarded by `EVENTUALLY` against hangs.

use std::future::{Future, IntoFuture};
use std::pin::pin;
use std::sync::{Arc, Barrier};
use std::task::{Context, Waker};
use std::thread;
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::{Either, select};
use futures::stream::{FuturesUnordered, StreamExt};
use gowheel::future::Elapsed;
use gowheel::{Backend, Runtime};
use gowheel_compat_tests::{EVENTUALLY, on_both_backends};

const HOUR: Duration = Duration::from_secs(3600);

fn real_runtime(backend: Backend) -> Runtime {
    Runtime::builder().backend(backend).build()
}

fn manual_runtime(backend: Backend) -> Runtime {
    Runtime::builder().backend(backend).manual_clock().build()
}

/// `future`, or a panic if it has not completed within `EVENTUALLY` (an
/// async-io timer, independent of gowheel and of the executor).
async fn guarded<F: IntoFuture>(what: &str, future: F) -> F::Output {
    match select(pin!(future.into_future()), smol::Timer::after(EVENTUALLY)).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("{what}: did not complete within {EVENTUALLY:?}"),
    }
}

/// Returns `Pending` once, waking its task at once: lets the other futures
/// of a `join!` run (as `tokio::task::yield_now`, on any executor).
async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|context| {
        if yielded {
            return std::task::Poll::Ready(());
        }
        yielded = true;
        context.waker().wake_by_ref();
        std::task::Poll::Pending
    })
    .await
}

/// Runs `make()`'s future to completion on each executor in turn.
fn on_every_executor<F, Fut>(make: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: Future<Output = ()>,
{
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(make("tokio current-thread"));
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(make("tokio multi-thread"));
    smol::block_on(make("smol"));
    futures::executor::block_on(make("futures::executor"));
}

/// A connected pair of async-io sockets on 127.0.0.1 (async-io runs its own
/// reactor, so these work under every executor).
async fn socket_pair() -> (smol::net::TcpStream, smol::net::TcpStream) {
    let listener = smol::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (client, server) = futures::join!(smol::net::TcpStream::connect(address), async {
        listener.accept().await.map(|(stream, _)| stream)
    });
    (client.unwrap(), server.unwrap())
}

/// Select between a socket read and a gowheel timer, both ways round: the
/// timer wins when the socket is silent, the read wins when the timer is an
/// hour away; and a reset timer's channel yields the new deadline.
fn select_with_socket_read(backend: Backend) {
    use futures::{AsyncReadExt, AsyncWriteExt};
    let runtime = real_runtime(backend);
    on_every_executor(|executor| {
        let runtime = runtime.clone();
        async move {
            let (mut client, mut server) = socket_pair().await;
            let mut buffer = [0; 16];

            // Nobody writes: the idle timeout fires.
            let idle = runtime.new_timer(Duration::from_millis(2));
            let timer_won = guarded(executor, async {
                match select(pin!(server.read(&mut buffer)), idle.receiver().recv_async()).await {
                    Either::Left(_) => false,
                    Either::Right(_) => true,
                }
            })
            .await;
            assert!(timer_won, "{executor}: read won on a silent socket");

            // The peer writes; the timeout is an hour away.
            idle.reset(HOUR);
            client.write_all(b"ping").await.unwrap();
            let read = guarded(executor, async {
                match select(pin!(server.read(&mut buffer)), idle.receiver().recv_async()).await {
                    Either::Left((read, _)) => read.unwrap(),
                    Either::Right(_) => panic!("{executor}: an hour passed"),
                }
            })
            .await;
            assert!(read > 0);

            // Pushed back to a known deadline: that is the value received.
            let deadline = runtime.now() + Duration::from_millis(1);
            assert!(idle.reset_at(deadline));
            assert_eq!(guarded(executor, idle.receiver()).await, deadline);
        }
    });
}

/// `tokio::select!` over a gowheel timer and a tokio socket read, on both
/// tokio flavours; and `timeout` around the read.
fn tokio_select_with_tokio_socket(backend: Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let runtime = real_runtime(backend);
    for multi_thread in [false, true] {
        let tokio = if multi_thread {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
        } else {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
        }
        .unwrap();
        let runtime = runtime.clone();
        tokio.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let mut client = tokio::net::TcpStream::connect(address).await.unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            let mut buffer = [0; 16];
            let idle = runtime.new_timer(Duration::from_millis(2));
            let timed_out = tokio::time::timeout(EVENTUALLY, async {
                tokio::select! {
                    _ = server.read(&mut buffer) => false,
                    _ = idle.receiver() => true,
                }
            })
            .await
            .expect("hang");
            assert!(timed_out, "multi_thread {multi_thread}");

            client.write_all(b"ping").await.unwrap();
            let read =
                tokio::time::timeout(EVENTUALLY, runtime.timeout(HOUR, server.read(&mut buffer)))
                    .await
                    .expect("hang");
            assert_eq!(read.expect("an hour passed").unwrap(), 4);

            let silent = runtime.timeout(Duration::from_millis(1), server.read(&mut buffer));
            let silent = tokio::time::timeout(EVENTUALLY, silent)
                .await
                .expect("hang");
            assert_eq!(silent.unwrap_err(), Elapsed::default());
        });
    }
}

/// A `Recv` that lost a select, or was dropped after its wake-up, leaves
/// the value in the channel (manual clock, so the order is exact).
fn cancelled_recv_loses_nothing(backend: Backend) {
    let runtime = manual_runtime(backend);
    let timer = runtime.new_timer(Duration::from_secs(1));
    let waker = Waker::noop();
    let mut context = Context::from_waker(waker);

    // Pending, then the value arrives, then the future is dropped unpolled.
    let mut recv = Box::pin(timer.receiver().recv_async());
    assert!(recv.as_mut().poll(&mut context).is_pending());
    runtime.advance(Duration::from_secs(1));
    drop(recv);
    let fired_at = timer.receiver().try_recv().expect("the value was lost");
    assert_eq!(fired_at - runtime.start(), Duration::from_secs(1));

    // A select that another branch wins: nothing is taken.
    timer.reset(Duration::ZERO);
    runtime.advance(Duration::ZERO);
    let outcome = futures::executor::block_on(async {
        futures::select_biased! {
            _ = std::future::ready(()).fuse() => "ready",
            _ = timer.receiver().recv_async().fuse() => "timer",
        }
    });
    assert_eq!(outcome, "ready");
    assert!(
        timer.receiver().try_recv().is_ok(),
        "the losing branch took the value"
    );
}

/// Real threads: each round races a task's `recv` future against a select
/// branch that is ready at once, with the timer firing on the driver
/// thread meanwhile; every firing is received exactly once, whichever way
/// each select went.
fn cancelled_recv_races_fire(backend: Backend) {
    let runtime = real_runtime(backend);
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    tokio.block_on(async {
        let timer = runtime.new_timer(HOUR);
        for round in 0..2_000u32 {
            let deadline = runtime.now() + Duration::from_micros(u64::from(round % 50));
            timer.reset_at(deadline);
            tokio::task::yield_now().await;
            let early = futures::select_biased! {
                value = timer.receiver().recv_async().fuse() => Some(value),
                _ = tokio::task::yield_now().fuse() => None,
            };
            let value = match early {
                Some(value) => value,
                None => guarded("recv after a cancelled recv", timer.receiver()).await,
            };
            assert_eq!(value, deadline, "round {round}");
            assert!(
                timer.receiver().try_recv().is_err(),
                "round {round}: a second value"
            );
        }
    });
}

/// Real threads on a manual clock: a task awaits the timer's channel while
/// one thread moves the clock through the first deadline and another
/// resets (or stops, then re-arms) the timer to a second one. Deadlines are
/// exact, so the answer is checkable: if `reset`/`stop` reported a pending
/// timer or unreceived value, the future must get the second deadline,
/// never the stale first; otherwise it got the first.
fn stop_and_reset_race_a_pending_future(backend: Backend) {
    let runtime = manual_runtime(backend);
    let timer = Arc::new(runtime.new_timer(HOUR));
    for round in 0..1_000u32 {
        let first = runtime.now() + Duration::from_secs(1);
        let second = first + Duration::from_secs(1);
        timer.reset_at(first);
        let start = Arc::new(Barrier::new(3));
        let waiter = {
            let (timer, start) = (timer.clone(), start.clone());
            thread::spawn(move || {
                futures::executor::block_on(async {
                    let recv = timer.receiver().recv_async();
                    start.wait();
                    guarded("the waiting future", recv).await
                })
            })
        };
        let mover = {
            let (runtime, start) = (runtime.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                runtime.advance(Duration::from_secs(1));
            })
        };
        start.wait();
        let pending = if round % 2 == 0 {
            timer.reset_at(second)
        } else {
            let stopped = timer.stop();
            assert!(!timer.reset_at(second), "round {round}: pending after stop");
            stopped
        };
        mover.join().unwrap();
        runtime.advance(Duration::from_secs(1)); // reaches `second`
        let got = waiter.join().unwrap();
        let expected = if pending { second } else { first };
        assert_eq!(got, expected, "round {round}: pending {pending}");
        let _ = timer.receiver().try_recv(); // `second`, if the future took `first`
    }
}

/// Real threads on a manual clock: one thread moves the clock through a
/// sleep's deadline (its firing runs on that thread) while another resets
/// the sleep to a later one. However the two interleave, once `reset` has
/// returned the sleep completes only at the new deadline: a firing of the
/// old one that was under way is ignored.
fn sleep_reset_races_its_firing(backend: Backend) {
    let runtime = manual_runtime(backend);
    let waker = Waker::noop();
    let mut context = Context::from_waker(waker);
    let mut sleep = runtime.sleep_async(HOUR);
    for round in 0..2_000u32 {
        let first = runtime.now() + Duration::from_secs(1);
        let second = first + Duration::from_secs(1);
        sleep.reset(first);
        let start = Arc::new(Barrier::new(2));
        let mover = {
            let (runtime, start) = (runtime.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                runtime.advance(Duration::from_secs(1)); // reaches `first`
            })
        };
        start.wait();
        sleep.reset(second);
        mover.join().unwrap();
        assert!(
            Future::poll(std::pin::Pin::new(&mut sleep), &mut context).is_pending(),
            "round {round}: completed on the deadline it was reset from"
        );
        runtime.advance(Duration::from_secs(1)); // reaches `second`
        assert!(
            Future::poll(std::pin::Pin::new(&mut sleep), &mut context).is_ready(),
            "round {round}: not completed at its new deadline"
        );
    }
}

/// Real clock: the same race with the driver thread firing the first
/// deadline, on a tokio multi-thread runtime.
fn reset_races_a_pending_future_on_the_real_clock(backend: Backend) {
    let runtime = real_runtime(backend);
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    tokio.block_on(async {
        let timer = Arc::new(runtime.new_timer(HOUR));
        for round in 0..500u32 {
            let first = runtime.now() + Duration::from_micros(u64::from(round % 40));
            let second = first + Duration::from_micros(200);
            timer.reset_at(first);
            let task = {
                let timer = timer.clone();
                tokio::spawn(async move { guarded("waiting task", timer.receiver()).await })
            };
            thread::sleep(Duration::from_micros(u64::from(round % 30)));
            let pending = timer.reset_at(second);
            let got = task.await.unwrap();
            assert_eq!(got, if pending { second } else { first }, "round {round}");
            if !pending {
                let late = guarded("the second firing", timer.receiver()).await;
                assert_eq!(late, second);
            }
        }
    });
}

/// 10^5 sleeps awaited at once, as tasks on tokio's multi-thread runtime
/// and as one `FuturesUnordered` on `futures::executor`; all complete.
fn many_concurrent_sleeps_complete(backend: Backend) {
    const SLEEPS: u64 = 100_000;
    let runtime = real_runtime(backend);
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let completed = tokio.block_on(async {
        let tasks: Vec<_> = (0..SLEEPS)
            .map(|index| {
                let sleep = runtime.sleep_async(Duration::from_micros(index % 20_000));
                tokio::spawn(sleep)
            })
            .collect();
        guarded("10^5 sleeping tasks", async {
            let mut completed = 0;
            for task in tasks {
                task.await.unwrap();
                completed += 1;
            }
            completed
        })
        .await
    });
    assert_eq!(completed, SLEEPS);

    let sleeps: FuturesUnordered<_> = (0..SLEEPS)
        .map(|index| runtime.sleep_until(runtime.now() + Duration::from_micros(index % 20_000)))
        .collect();
    let completed = futures::executor::block_on(guarded("10^5 sleeps", sleeps.count()));
    assert_eq!(completed as u64, SLEEPS);
}

/// A ticker's stream skips ticks nobody received, as Go's ticker does.
fn ticker_stream_skips_missed_ticks(backend: Backend) {
    let runtime = manual_runtime(backend);
    let ticker = runtime.new_ticker(Duration::from_secs(1));
    let mut ticks = ticker.stream();
    assert_eq!(ticks.next().now_or_never(), None);
    runtime.advance(Duration::from_millis(5_500)); // ticks at 1..=5 s; only 1 s is kept
    let first = ticks
        .next()
        .now_or_never()
        .flatten()
        .expect("a buffered tick");
    assert_eq!(first - runtime.start(), Duration::from_secs(1));
    assert_eq!(ticks.next().now_or_never(), None, "missed ticks were kept");
    runtime.advance(Duration::from_millis(500));
    let next = ticks
        .next()
        .now_or_never()
        .flatten()
        .expect("the next period's tick");
    assert_eq!(next - runtime.start(), Duration::from_secs(6));
    ticker.stop();
    runtime.advance(Duration::from_secs(3));
    assert_eq!(ticks.next().now_or_never(), None, "a tick after stop");
}

/// Sleep, reset and timeout on a manual clock, the clock moved by a task of
/// the same executor and by another thread.
fn sleep_and_timeout_on_the_manual_clock(backend: Backend) {
    let runtime = manual_runtime(backend);
    let waker = Waker::noop();
    let mut context = Context::from_waker(waker);

    // A sleep that fired but was reset before its poll waits for the new
    // deadline: the stale firing is gone.
    let mut sleep = runtime.sleep_async(Duration::from_secs(1));
    runtime.advance(Duration::from_secs(1));
    sleep.reset(runtime.now() + Duration::from_secs(1));
    assert!(Future::poll(std::pin::Pin::new(&mut sleep), &mut context).is_pending());
    runtime.advance(Duration::from_secs(1));
    assert!(Future::poll(std::pin::Pin::new(&mut sleep), &mut context).is_ready());
    assert!(
        Future::poll(std::pin::Pin::new(&mut sleep), &mut context).is_ready(),
        "done stays done"
    );

    // Awaiting does not move the clock; another task of the executor does.
    futures::executor::block_on(async {
        let slow = runtime.timeout(
            Duration::from_secs(5),
            runtime.sleep_async(Duration::from_secs(10)),
        );
        let mover = async {
            for _ in 0..10 {
                runtime.advance(Duration::from_secs(1));
                yield_now().await; // let the other branch run
            }
        };
        let (result, ()) = futures::join!(slow, mover.boxed());
        assert_eq!(result, Err(Elapsed::default()));
    });

    // Another thread moves it while a task awaits.
    let deadline = runtime.now() + Duration::from_secs(30);
    let mover = {
        let runtime = runtime.clone();
        thread::spawn(move || {
            let give_up = Instant::now() + EVENTUALLY;
            while runtime.now() < deadline && Instant::now() < give_up {
                runtime.advance(Duration::from_secs(1));
                thread::yield_now();
            }
        })
    };
    futures::executor::block_on(guarded("manual sleep_until", runtime.sleep_until(deadline)));
    mover.join().unwrap();
    assert!(runtime.now() >= deadline);
}

/// `after_func_once` moves a oneshot sender in and completes it; a reset
/// after it ran re-arms a timer whose firing does nothing.
fn after_func_once_completes_a_oneshot(backend: Backend) {
    let runtime = real_runtime(backend);
    let (sender, receiver) = futures::channel::oneshot::channel();
    let timer = runtime.after_func_once(Duration::from_millis(1), move || {
        let _ = sender.send("fired");
    });
    on_every_executor(|_| async {});
    let value = futures::executor::block_on(guarded("oneshot", receiver)).unwrap();
    assert_eq!(value, "fired");
    assert!(
        !timer.reset(Duration::from_millis(1)),
        "it had run: not pending"
    );
    let stop_me = runtime.after_func_once(HOUR, || panic!("stopped"));
    assert!(stop_me.stop());
}

on_both_backends!(
    select_with_socket_read,
    tokio_select_with_tokio_socket,
    cancelled_recv_loses_nothing,
    cancelled_recv_races_fire,
    stop_and_reset_race_a_pending_future,
    sleep_reset_races_its_firing,
    reset_races_a_pending_future_on_the_real_clock,
    many_concurrent_sleeps_complete,
    ticker_stream_skips_missed_ticks,
    sleep_and_timeout_on_the_manual_clock,
    after_func_once_completes_a_oneshot,
);
