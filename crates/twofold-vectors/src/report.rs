//! What verifying a file found.

/// One recomputed value that differs from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// JSON path of the value, e.g. `$.vectors[0].steps[3].hex`.
    pub path: String,
    /// What recomputing from the inputs gave (shortened).
    pub expected: String,
    /// What the file holds (shortened).
    pub found: String,
}

impl core::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{}: recomputed {}, file has {}",
            self.path, self.expected, self.found
        )
    }
}

/// The outcome of verifying one file.
#[derive(Debug, Default)]
pub struct Report {
    /// The file's kind.
    pub kind: String,
    /// The file's suite.
    pub suite: String,
    /// Number of vectors in the file.
    pub vectors: usize,
    /// Number of values recomputed and compared.
    pub checked: usize,
    /// Values that differ.
    pub mismatches: Vec<Mismatch>,
    /// Members of the file this implementation does not compute (another
    /// implementation's extensions); not compared.
    pub unchecked: Vec<String>,
}

impl Report {
    /// Whether every recomputed value equals the file's.
    pub fn ok(&self) -> bool {
        self.mismatches.is_empty() && self.checked > 0
    }

    pub(crate) fn mismatch(&mut self, path: String, expected: String, found: String) {
        self.mismatches.push(Mismatch {
            path,
            expected,
            found,
        });
    }
}
