//! Why a trace did not pass: [`ReplayError`], which always names the file
//! and, but for an unreadable file, the line.

use std::fmt;

/// Why a trace did not pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayError {
    /// The trace file could not be read.
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        message: String,
    },
    /// The trace is not in the format (bad input).
    Parse {
        /// The file.
        file: String,
        /// The line number, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// gowheel answered differently from Go.
    Mismatch {
        /// The file.
        file: String,
        /// The first line that differs, from 1 (for an extra line gowheel
        /// gave, the last line of the operation's output in the trace).
        line: usize,
        /// The line the trace has there; `None` if gowheel gave an extra
        /// line after the operation's last one.
        expected: Option<String>,
        /// The line gowheel gave there; `None` if it gave fewer lines.
        actual: Option<String>,
    },
    /// gowheel panicked while replaying an operation.
    Panicked {
        /// The file.
        file: String,
        /// The operation's line number.
        line: usize,
        /// The panic's message.
        message: String,
    },
}

impl ReplayError {
    /// The trace file the error is about.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::Trace;
    /// let error = Trace::parse("bad.trace", "jump 5\n").unwrap_err();
    /// assert_eq!(error.file(), "bad.trace");
    /// ```
    pub fn file(&self) -> &str {
        match self {
            ReplayError::Read { file, .. }
            | ReplayError::Parse { file, .. }
            | ReplayError::Mismatch { file, .. }
            | ReplayError::Panicked { file, .. } => file,
        }
    }

    /// The line number the error is about (0 for a file that could not be
    /// read).
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::Trace;
    /// let error = Trace::parse("bad.trace", "# header\nadvance x\n").unwrap_err();
    /// assert_eq!(error.line(), 2);
    /// ```
    pub fn line(&self) -> usize {
        match self {
            ReplayError::Read { .. } => 0,
            ReplayError::Parse { line, .. }
            | ReplayError::Mismatch { line, .. }
            | ReplayError::Panicked { line, .. } => *line,
        }
    }

    /// Whether gowheel answered differently from Go (or panicked), as
    /// opposed to the trace being unreadable or malformed.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::Trace;
    /// assert!(!Trace::parse("bad.trace", "jump 5\n").unwrap_err().is_mismatch());
    /// ```
    pub fn is_mismatch(&self) -> bool {
        matches!(
            self,
            ReplayError::Mismatch { .. } | ReplayError::Panicked { .. }
        )
    }

    /// The error without the file name: `line N: ...`.
    ///
    /// ```
    /// # use gowheel_compat_tests::replay::Trace;
    /// let error = Trace::parse("bad.trace", "jump 5\n").unwrap_err();
    /// assert!(error.detail().starts_with("line 1: unknown operation `jump`"));
    /// assert_eq!(error.to_string(), format!("bad.trace: {}", error.detail()));
    /// ```
    pub fn detail(&self) -> String {
        match self {
            ReplayError::Read { message, .. } => format!("cannot read the trace: {message}"),
            ReplayError::Parse { line, message, .. } => format!("line {line}: {message}"),
            ReplayError::Mismatch {
                line,
                expected,
                actual,
                ..
            } => {
                let actual = actual
                    .as_ref()
                    .map_or_else(|| "nothing".to_owned(), |actual| format!("`{actual}`"));
                match expected {
                    Some(expected) => format!("line {line}: expected `{expected}`, got {actual}"),
                    None => format!(
                        "line {line}: expected nothing more from this operation, got {actual}"
                    ),
                }
            }
            ReplayError::Panicked { line, message, .. } => {
                format!("line {line}: gowheel panicked: {message}")
            }
        }
    }
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file(), self.detail())
    }
}

impl std::error::Error for ReplayError {}
