//! A watchdog for tests that would hang if the code under test deadlocked:
//! it aborts the whole process with a clear message when a limit passes, so
//! that CI reports a deadlock instead of timing out silently.
//!
//! ```
//! use std::time::Duration;
//!
//! let watchdog = gowheel_compat_tests::watchdog::Watchdog::start(
//!     "a callback that resets its own timer",
//!     Duration::from_secs(30),
//! );
//! // ... the test body: if it is still running in 30 s, the process aborts.
//! drop(watchdog); // done in time: the watchdog stands down
//! ```

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// A running watchdog; dropping it stands it down.
#[derive(Debug)]
pub struct Watchdog {
    done: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    /// Starts a watchdog for `what`: unless it is dropped within `limit`,
    /// it prints that `what` is still running (most likely deadlocked) and
    /// aborts the process.
    ///
    /// # Panics
    ///
    /// If the watchdog's thread cannot be started.
    pub fn start(what: impl Into<String>, limit: Duration) -> Watchdog {
        let what = what.into();
        let (done, wait) = mpsc::channel::<()>();
        let thread = thread::Builder::new()
            .name("watchdog".to_owned())
            .spawn(move || {
                if let Err(RecvTimeoutError::Timeout) = wait.recv_timeout(limit) {
                    eprintln!(
                        "\nwatchdog: `{what}` is still running after {limit:?}: a deadlock or a \
                         lost wake-up in gowheel (or a hang in the test); aborting the process"
                    );
                    std::process::abort();
                }
            })
            .expect("cannot start the watchdog thread");
        Watchdog {
            done: Some(done),
            thread: Some(thread),
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        // Dropping the sender disconnects the channel: the thread wakes up
        // and returns.
        drop(self.done.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
