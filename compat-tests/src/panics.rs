//! Living with panics in tests: the message of a caught panic, a call that
//! must panic, and a lock that ignores poisoning.
//!
//! A test that expects a panic compares its message; a harness that catches
//! panics (the differential run, the trace replayer) reports the message.
//! Both read it with [`panic_message`], so that every suite renders a
//! payload the same way. A failed assertion on one thread poisons the locks
//! it held; [`lock`] lets the other threads go on, so that the first failure
//! is the one reported rather than a cascade of `PoisonError`s.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// What [`panic_message`] gives for a payload that is neither a `&str` nor a
/// `String` (a `panic_any` of something else). The runtime's panic hook
/// words it the same way.
pub const NON_STRING_PAYLOAD: &str = "a panic payload that is not a string";

/// The message of a caught panic: the payload's text if it is a `&str` or a
/// `String` (what `panic!` makes), else [`NON_STRING_PAYLOAD`].
///
/// ```
/// use gowheel_compat_tests::panics::{NON_STRING_PAYLOAD, panic_message};
///
/// let payload = std::panic::catch_unwind(|| panic!("bad {}", 7)).unwrap_err();
/// assert_eq!(panic_message(&*payload), "bad 7");
/// let payload = std::panic::catch_unwind(|| std::panic::panic_any(7)).unwrap_err();
/// assert_eq!(panic_message(&*payload), NON_STRING_PAYLOAD);
/// ```
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        NON_STRING_PAYLOAD.to_owned()
    }
}

/// Runs `f`, which must panic, and returns its panic message.
///
/// # Panics
///
/// If `f` returns.
///
/// ```
/// use gowheel_compat_tests::panics::expect_panic;
///
/// assert_eq!(expect_panic(|| -> () { panic!("no") }), "no");
/// ```
#[track_caller]
pub fn expect_panic<R>(f: impl FnOnce() -> R) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic, but the call returned"),
        Err(payload) => panic_message(&*payload),
    }
}

/// Locks `mutex`, ignoring poisoning: a poisoned lock only means another
/// assertion already failed, and that failure is the one worth reporting.
///
/// ```
/// use std::sync::Mutex;
/// use gowheel_compat_tests::panics::lock;
///
/// let log = Mutex::new(Vec::new());
/// lock(&log).push(1);
/// assert_eq!(*lock(&log), [1]);
/// ```
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
