//! Recording and metrics seen from outside: what a runtime built with
//! `record` writes, and what `metrics` counts, on a manual clock where
//! every time is exact.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gowheel::{Backend, Runtime};

/// An output shared with the test.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Shared {
    /// The recorded lines without the `@T tN ` prefix, comments left out.
    fn operations(&self) -> Vec<String> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .filter(|line| !line.starts_with('#'))
            .map(|line| {
                let mut parts = line.splitn(3, ' ');
                let at = parts.next().unwrap();
                assert!(at.starts_with('@'), "{line}");
                let thread = parts.next().unwrap();
                assert!(thread.starts_with('t'), "{line}");
                parts.next().unwrap().to_owned()
            })
            .collect()
    }
}

/// A manual-clock runtime on `backend` that records into a fresh output.
fn recording_runtime(backend: Backend) -> (Runtime, Shared) {
    let output = Shared::default();
    let runtime = Runtime::builder()
        .backend(backend)
        .manual_clock()
        .record(output.clone())
        .build();
    (runtime, output)
}

#[test]
fn every_operation_and_firing_is_recorded_with_its_answer() {
    for backend in [Backend::Wheel, Backend::Heap] {
        let (runtime, output) = recording_runtime(backend);
        let func = runtime.after_func(Duration::from_nanos(30), || {});
        let timer = runtime.new_timer(Duration::from_nanos(50));
        let ticker = runtime.new_ticker(Duration::from_nanos(20));
        runtime.advance(Duration::from_nanos(40));
        assert!(timer.reset(Duration::from_nanos(10)));
        assert!(!func.stop());
        assert!(ticker.receiver().try_recv().is_ok());
        assert!(ticker.try_reset(Duration::ZERO).is_err());
        ticker.stop();
        runtime.advance(Duration::from_nanos(10));
        assert!(timer.receiver().try_recv().is_ok());
        assert!(timer.receiver().try_recv().is_err());
        runtime.flush_record().unwrap();
        assert_eq!(
            output.operations(),
            [
                "func 0 30",
                "chan 1 50",
                "tick 2 20",
                "sent 2 20 20",
                "fired 0 30 30",
                "sent 2 40 40",
                "reset 1 10 -> true",
                "stop 0 -> false",
                "recv 2 -> 20",
                "treset 2 0 -> panic",
                "tstop 2",
                "sent 1 50 50",
                "recv 1 -> 50",
                "recv 1 -> none",
            ],
            "{backend}"
        );
    }
}

/// A function timer's `stop` and `reset` lines carry its own trace ID, also
/// when its timer took the place of one that is gone (a wheel node or a
/// heap cell used again).
#[test]
fn function_timers_are_recorded_under_their_own_ids() {
    for backend in [Backend::Wheel, Backend::Heap] {
        let (runtime, output) = recording_runtime(backend);
        let first = runtime.after_func(Duration::from_nanos(30), || {});
        assert!(first.stop());
        drop(first);
        let second = runtime.after_func(Duration::from_nanos(30), || {});
        let third = runtime.after_func(Duration::from_nanos(40), || {});
        assert!(third.reset(Duration::from_nanos(50)));
        assert!(second.stop());
        assert!(third.stop());
        runtime.flush_record().unwrap();
        assert_eq!(
            output.operations(),
            [
                "func 0 30",
                "stop 0 -> true",
                "func 1 30",
                "func 2 40",
                "reset 2 50 -> true",
                "stop 1 -> true",
                "stop 2 -> true",
            ],
            "{backend}"
        );
    }
}

#[test]
fn dropping_the_runtime_writes_everything() {
    let output = Shared::default();
    let runtime = Runtime::builder().record(output.clone()).build();
    let timers: Vec<_> = (0..1000)
        .map(|_| runtime.after_func(Duration::from_secs(3600), || {}))
        .collect();
    for timer in &timers {
        timer.stop();
    }
    drop(runtime);
    assert_eq!(output.operations().len(), 2000);
}

#[test]
fn threads_are_numbered_in_the_trace() {
    let output = Shared::default();
    let runtime = Runtime::builder()
        .manual_clock()
        .record(output.clone())
        .build();
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| drop(runtime.new_timer(Duration::from_secs(1))));
        }
    });
    runtime.flush_record().unwrap();
    let text = String::from_utf8(output.0.lock().unwrap().clone()).unwrap();
    let threads: std::collections::BTreeSet<&str> = text
        .lines()
        .filter(|line| line.contains(" chan "))
        .map(|line| line.split(' ').nth(1).unwrap())
        .collect();
    assert_eq!(threads.len(), 3, "{text}");
}

#[test]
fn metrics_count_what_the_runtime_served() {
    for backend in [Backend::Wheel, Backend::Heap] {
        let runtime = Runtime::builder()
            .backend(backend)
            .manual_clock()
            .metrics()
            .build();
        let func = runtime.after_func(Duration::from_millis(1), || {});
        let timer = runtime.new_timer(Duration::from_millis(5));
        let ticker = runtime.new_ticker(Duration::from_millis(2));
        timer.reset(Duration::from_millis(3));
        runtime.advance(Duration::from_millis(4));
        ticker.stop();
        func.stop();
        let metrics = runtime.metrics().unwrap();
        assert_eq!(metrics.created, 3, "{backend}");
        assert_eq!(metrics.reset, 1, "{backend}");
        assert_eq!(metrics.stopped, 2, "{backend}");
        // func at 1, ticker at 2 and 4, timer at 3.
        assert_eq!(metrics.fired, 4, "{backend}");
        assert_eq!(metrics.lateness.count, 4, "{backend}");
        assert!(metrics.driver_wakeups >= 4, "{backend}");
        assert_eq!(metrics.live, 0, "{backend}");
        assert_eq!(metrics.node_bytes.is_some(), backend == Backend::Wheel);
        let text = metrics.to_string();
        assert!(
            text.contains("3 created, 4 fired, 2 stopped, 1 reset"),
            "{text}"
        );
    }
}
