//! What a runtime reports when a timer callback panics, and the hook it
//! reports to.
//!
//! A callback runs on the driver thread (or the thread moving a manual
//! clock), which must survive it: the runtime catches the panic, turns its
//! payload into a [`CallbackPanic`] here, and hands that to the runtime's
//! hook (stderr by default). The hook itself runs under `catch_unwind` too.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// What a runtime reports when a callback panics.
///
/// ```
/// use gowheel::{CallbackPanic, Runtime};
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = seen.clone();
/// let runtime = Runtime::builder()
///     .manual_clock()
///     .panic_hook(move |panic: &CallbackPanic| log.lock().unwrap().push(panic.message().to_owned()))
///     .build();
/// runtime.after_func(Duration::from_secs(1), || panic!("boom"));
/// runtime.advance(Duration::from_secs(1));
/// assert_eq!(*seen.lock().unwrap(), vec!["boom".to_owned()]);
/// ```
#[derive(Debug)]
pub struct CallbackPanic {
    message: String,
}

impl CallbackPanic {
    /// The report of a panic with `payload`: its message if the payload is
    /// a string, as `panic!` makes it, or a placeholder otherwise.
    pub(crate) fn from_payload(payload: &(dyn Any + Send)) -> CallbackPanic {
        let message = if let Some(text) = payload.downcast_ref::<&str>() {
            (*text).to_owned()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            "a panic payload that is not a string".to_owned()
        };
        CallbackPanic { message }
    }

    /// The panic's message.
    ///
    /// ```
    /// # use gowheel::{CallbackPanic, Runtime};
    /// # use std::time::Duration;
    /// let runtime = Runtime::builder()
    ///     .manual_clock()
    ///     .panic_hook(|panic: &CallbackPanic| assert_eq!(panic.message(), "oops"))
    ///     .build();
    /// runtime.after_func(Duration::ZERO, || panic!("oops"));
    /// runtime.advance(Duration::ZERO);
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CallbackPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a timer callback panicked: {}", self.message)
    }
}

/// Where a runtime reports its callbacks' panics.
pub(crate) type PanicHook = Arc<dyn Fn(&CallbackPanic) + Send + Sync>;

/// The hook of a runtime built without one: prints the panic to stderr.
pub(crate) fn default_panic_hook() -> PanicHook {
    Arc::new(|panic: &CallbackPanic| eprintln!("gowheel: {panic}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_the_payload_string_of_either_kind() {
        let literal: Box<dyn Any + Send> = Box::new("literal");
        let formatted: Box<dyn Any + Send> = Box::new(format!("formatted {}", 1));
        let other: Box<dyn Any + Send> = Box::new(42_u8);
        assert_eq!(CallbackPanic::from_payload(&*literal).message(), "literal");
        assert_eq!(
            CallbackPanic::from_payload(&*formatted).message(),
            "formatted 1"
        );
        assert_eq!(
            CallbackPanic::from_payload(&*other).message(),
            "a panic payload that is not a string"
        );
    }
}
