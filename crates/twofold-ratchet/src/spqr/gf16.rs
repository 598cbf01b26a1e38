//! Arithmetic in GF(2^16) = GF(2)\[x\] / (x^16 + x^12 + x^3 + x + 1), the field
//! of SPQR's erasure code (`spqr` v1.5.3 `src/encoding/gf.rs`, reduction
//! polynomial `0x1100B`, a primitive polynomial: `x` generates the
//! multiplicative group).
//!
//! An element is a `u16` whose bit `i` is the coefficient of `x^i`. Addition
//! and subtraction are both XOR.
//!
//! Nothing here is constant time, on purpose: the field only ever holds public
//! values (chunks of ML-KEM headers, key vectors and ciphertexts that travel
//! in the clear), so branches on their bits leak nothing.

use core::ops::{Add, AddAssign, Mul, MulAssign};

/// The reduction polynomial `x^16 + x^12 + x^3 + x + 1`.
pub const POLY: u32 = 0x1_100B;

/// One element of GF(2^16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Gf16(pub u16);

impl Gf16 {
    /// The additive identity.
    pub const ZERO: Self = Self(0);
    /// The multiplicative identity.
    pub const ONE: Self = Self(1);

    /// The element of a big-endian byte pair, as SPQR reads symbols.
    pub fn from_be_bytes(b: [u8; 2]) -> Self {
        Self(u16::from_be_bytes(b))
    }

    /// The big-endian byte pair of this element.
    pub fn to_be_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    /// `self^e` by square-and-multiply.
    pub fn pow(self, mut e: u32) -> Self {
        let mut base = self;
        let mut out = Self::ONE;
        while e != 0 {
            if e & 1 != 0 {
                out *= base;
            }
            base *= base;
            e >>= 1;
        }
        out
    }

    /// The multiplicative inverse, `self^(2^16 - 2)`; `None` for zero.
    pub fn inv(self) -> Option<Self> {
        if self == Self::ZERO {
            None
        } else {
            Some(self.pow(0xFFFE))
        }
    }

    /// `self / other`; `None` when `other` is zero.
    pub fn checked_div(self, other: Self) -> Option<Self> {
        other.inv().map(|i| self * i)
    }
}

/// `a * b` modulo [`POLY`]: shift-and-add, reducing whenever the shifted
/// multiplicand reaches degree 16.
fn mul(a: u16, b: u16) -> u16 {
    let mut acc: u32 = 0;
    let mut a = u32::from(a);
    let mut b = b;
    while b != 0 {
        if b & 1 != 0 {
            acc ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0x1_0000 != 0 {
            a ^= POLY;
        }
    }
    // `a` is below 2^16 after each reduction, so `acc` is too.
    acc as u16
}

/// Field addition (XOR), which is also subtraction.
impl Add for Gf16 {
    type Output = Self;
    // XOR is addition in characteristic 2, not a slip.
    #[allow(clippy::suspicious_arithmetic_impl)]
    fn add(self, other: Self) -> Self {
        Self(self.0 ^ other.0)
    }
}

impl AddAssign for Gf16 {
    #[allow(clippy::suspicious_op_assign_impl)]
    fn add_assign(&mut self, other: Self) {
        self.0 ^= other.0;
    }
}

/// Field multiplication modulo [`POLY`].
impl Mul for Gf16 {
    type Output = Self;
    fn mul(self, other: Self) -> Self {
        Self(mul(self.0, other.0))
    }
}

impl MulAssign for Gf16 {
    fn mul_assign(&mut self, other: Self) {
        self.0 = mul(self.0, other.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_to_the_16_reduces_to_the_low_terms() {
        // x^15 * x = x^16 = x^12 + x^3 + x + 1.
        assert_eq!(Gf16(0x8000) * Gf16(2), Gf16(0x100B));
    }

    #[test]
    fn zero_has_no_inverse() {
        assert_eq!(Gf16::ZERO.inv(), None);
        assert_eq!(Gf16(5).checked_div(Gf16::ZERO), None);
        assert_eq!(Gf16::ONE.inv(), Some(Gf16::ONE));
    }
}
