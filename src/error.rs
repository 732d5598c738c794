//! The crate's one error type.
//!
//! Every fallible operation returns [`Result<T>`]. An [`Error`] carries a
//! [`ErrorKind`] that callers (and the C ABI) can branch on, and a message that
//! says what went wrong in words a user can act on ("cannot open corpus
//! `x.txt`: No such file or directory").

use std::fmt;

/// What kind of failure an [`Error`] is. The C ABI maps each kind to a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A parameter is out of range or inconsistent (zero dimension, bad level name, ...).
    InvalidArgument,
    /// The operating system reported an I/O failure (missing file, permission, disk full).
    Io,
    /// Input data is malformed: invalid UTF-8, a truncated or corrupt model file.
    Format,
    /// The request cannot be served on this machine (a SIMD level the CPU lacks).
    Unsupported,
    /// A corpus has no usable words, or a query names no known word.
    Empty,
    /// The caller cancelled the operation (for example from a progress callback).
    Cancelled,
    /// A word is not in the vocabulary.
    NotFound,
    /// Memory for the request could not be allocated (a matrix too large
    /// for this machine).
    OutOfMemory,
    /// A training thread panicked (a bug in w2v): the run was abandoned and
    /// nothing was written.
    WorkerPanicked,
    /// An internal invariant failed (a bug in w2v), such as a lock poisoned
    /// by a panic.
    Internal,
}

/// An error with a kind and a human-readable message.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<std::io::Error>,
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// An I/O error with context (what was being done, to which path).
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error {
            kind: ErrorKind::Io,
            message: context.into(),
            source: Some(source),
        }
    }

    /// Shorthand for [`ErrorKind::InvalidArgument`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    /// Shorthand for [`ErrorKind::Format`].
    pub fn format(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Format, message)
    }

    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(source) => write!(f, "{}: {}", self.message, source),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// `n` followed by `noun`, in the singular for 1 ("1 thread", "2 threads").
pub fn plural(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "once", "twice", "`n` times".
pub fn times(n: u64) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}
