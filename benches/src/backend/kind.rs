//! Which backend a row runs on, and its name in benchmark ids and reports.

use std::fmt;

/// Which backend: gowheel's wheel, gowheel's heap (the port of Go's), or
/// tokio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BackendKind {
    /// gowheel's timing wheel ([`gowheel::Backend::Wheel`]).
    Wheel,
    /// gowheel's port of Go's timer heaps ([`gowheel::Backend::Heap`]).
    Heap,
    /// tokio's timers.
    Tokio,
}

impl BackendKind {
    /// Every backend, in report order.
    pub const ALL: [BackendKind; 3] = [BackendKind::Wheel, BackendKind::Heap, BackendKind::Tokio];

    /// The name used in benchmark ids and reports: `wheel`, `heap`, `tokio`.
    ///
    /// ```
    /// assert_eq!(gowheel_benches::BackendKind::Heap.name(), "heap");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Wheel => "wheel",
            BackendKind::Heap => "heap",
            BackendKind::Tokio => "tokio",
        }
    }

    /// The backend called `name`, if any.
    ///
    /// ```
    /// use gowheel_benches::BackendKind;
    /// assert_eq!(BackendKind::from_name("tokio"), Some(BackendKind::Tokio));
    /// assert_eq!(BackendKind::from_name("go"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<BackendKind> {
        BackendKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
