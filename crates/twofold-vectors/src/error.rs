//! The typed errors of reading, generating and verifying vector files.

use twofold_handshake::HandshakeError;

/// Every way a vector file can fail to be read, generated or recomputed.
/// A mismatch between a recomputed value and the file is not an error but
/// a [`crate::Mismatch`] in the [`crate::Report`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VectorError {
    /// The text is not JSON (a truncated file ends here).
    #[error("not a JSON document: {message}")]
    Json {
        /// serde_json's description (with the position).
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A field is missing, of the wrong type, or not valid hex.
    #[error("{path}: {problem}")]
    Field {
        /// JSON path of the field, e.g. `$.vectors[0].inputs["EK_A coins"]`.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A suite, kind, format or version this implementation does not know.
    #[error("unsupported {what}")]
    Unsupported {
        /// What, with the value.
        what: String,
    },
    /// A backend that draws its own randomness cannot write vectors.
    #[error(
        "{algorithm} draws its randomness internally and cannot take explicit coins: \
         vectors need a backend that does (e.g. the bare algorithm name)"
    )]
    NoExplicitCoins {
        /// `ALGORITHM@backend`.
        algorithm: String,
    },
    /// Recomputing a vector from its inputs failed: the inputs are not valid
    /// for the suite (or the engine refused them).
    #[error("{path}: recomputing from the inputs failed: {source}")]
    Compute {
        /// JSON path of the vector.
        path: String,
        /// The protocol's or primitive's error.
        source: HandshakeError,
    },
    /// Recomputing a conversation from its inputs failed: the ratchet
    /// refused a session start, a message or a send.
    #[error("{path}: recomputing from the inputs failed: {source}")]
    Ratchet {
        /// JSON path of the vector, start or event.
        path: String,
        /// The ratchet's error.
        source: twofold_ratchet::RatchetError,
    },
    /// Recomputing a conversation that starts from a handshake failed: the
    /// handshake, the ratchet or the choreography between them refused an
    /// event.
    #[error("{path}: recomputing from the inputs failed: {source}")]
    Session {
        /// JSON path of the vector, start or event.
        path: String,
        /// The session pair's error.
        source: twofold_harness::ratchets::Error,
    },
    /// Reading or writing a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl From<serde_json::Error> for VectorError {
    fn from(e: serde_json::Error) -> Self {
        VectorError::Json {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        }
    }
}

/// Result alias of this crate.
pub type Result<T> = core::result::Result<T, VectorError>;

/// Attaches a vector's path to an engine or primitive error.
pub(crate) trait AtPath<T> {
    fn at(self, path: &str) -> Result<T>;
}

impl<T, E: Into<HandshakeError>> AtPath<T> for core::result::Result<T, E> {
    fn at(self, path: &str) -> Result<T> {
        self.map_err(|e| VectorError::Compute {
            path: path.to_string(),
            source: e.into(),
        })
    }
}

/// Attaches a vector's path to a ratchet error.
pub(crate) trait RatchetAt<T> {
    fn at_ratchet(self, path: &str) -> Result<T>;
}

impl<T, E: Into<twofold_ratchet::RatchetError>> RatchetAt<T> for core::result::Result<T, E> {
    fn at_ratchet(self, path: &str) -> Result<T> {
        self.map_err(|e| VectorError::Ratchet {
            path: path.to_string(),
            source: e.into(),
        })
    }
}

/// Attaches a vector's path to a session pair's error.
pub(crate) trait SessionAt<T> {
    fn at_session(self, path: &str) -> Result<T>;
}

impl<T> SessionAt<T> for core::result::Result<T, twofold_harness::ratchets::Error> {
    fn at_session(self, path: &str) -> Result<T> {
        self.map_err(|source| VectorError::Session {
            path: path.to_string(),
            source,
        })
    }
}
