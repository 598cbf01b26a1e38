//! Zeroizing containers for secret values.
//!
//! Neither type is `Copy` nor derives `Clone`; `Debug` prints only the
//! length; equality is constant time; memory is wiped on drop.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret byte string of any length (KEM shared secrets, secret keys,
/// derived keys).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Takes ownership of `bytes`; the vector is wiped when this value drops.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Copies `bytes` into a new secret.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// A secret of `len` zero bytes, to be filled in place.
    pub fn zeroed(len: usize) -> Self {
        Self(vec![0u8; len])
    }

    /// The secret bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The secret bytes, mutable, for in-place derivation.
    pub fn expose_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An explicit copy. Named, not `Clone`, so that every duplication of a
    /// secret is visible in the code that makes it.
    pub fn duplicate(&self) -> Self {
        Self(self.0.clone())
    }

    /// Splits off the bytes `[at..]` into a new secret, keeping `[..at]`.
    ///
    /// # Panics
    /// Never for `at <= len`; callers pass lengths they produced.
    pub fn split_at(&self, at: usize) -> (Self, Self) {
        let at = at.min(self.0.len());
        (
            Self::from_slice(&self.0[..at]),
            Self::from_slice(&self.0[at..]),
        )
    }
}

impl AsRef<[u8]> for SecretBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes([REDACTED; {}])", self.0.len())
    }
}

impl ConstantTimeEq for SecretBytes {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.as_slice().ct_eq(other.0.as_slice())
    }
}

impl PartialEq for SecretBytes {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for SecretBytes {}

/// A fixed-size secret of `N` bytes (chain keys, root keys, seeds).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Secret<const N: usize>([u8; N]);

impl<const N: usize> Secret<N> {
    /// Takes ownership of `bytes`.
    pub fn new(bytes: [u8; N]) -> Self {
        Self(bytes)
    }

    /// Copies a slice of exactly `N` bytes.
    pub fn from_slice(bytes: &[u8]) -> crate::Result<Self> {
        crate::check_len("secret", bytes, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(Self(out))
    }

    /// The secret bytes.
    pub fn expose(&self) -> &[u8; N] {
        &self.0
    }

    /// An explicit copy (see [`SecretBytes::duplicate`]).
    pub fn duplicate(&self) -> Self {
        Self(self.0)
    }
}

impl<const N: usize> fmt::Debug for Secret<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret<{N}>([REDACTED])")
    }
}

impl<const N: usize> ConstantTimeEq for Secret<N> {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl<const N: usize> PartialEq for Secret<N> {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl<const N: usize> Eq for Secret<N> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = SecretBytes::from_slice(b"hunter2");
        assert_eq!(format!("{s:?}"), "SecretBytes([REDACTED; 7])");
        let f = Secret::new([0x41u8; 4]);
        assert!(!format!("{f:?}").contains("41"));
        assert!(!format!("{f:?}").contains("AAAA"));
    }

    #[test]
    fn equality_compares_content() {
        assert_eq!(
            SecretBytes::from_slice(b"ab"),
            SecretBytes::from_slice(b"ab")
        );
        assert_ne!(
            SecretBytes::from_slice(b"ab"),
            SecretBytes::from_slice(b"ac")
        );
        assert_ne!(
            SecretBytes::from_slice(b"ab"),
            SecretBytes::from_slice(b"abc")
        );
        assert!(Secret::<2>::from_slice(b"abc").is_err());
    }
}
