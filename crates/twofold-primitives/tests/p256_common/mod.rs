//! Helpers shared by the P-256 tests (kat_p256.rs, bad_input_p256.rs).

use twofold_core::Dh;
use twofold_primitives::dh;

/// The base point `G` of P-256 (NIST SP 800-186).
pub const GX: &str = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
/// See [`GX`].
pub const GY: &str = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";

pub fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("test hex")
}

/// `0x04 || x || y`.
pub fn point(x: &str, y: &str) -> Vec<u8> {
    let mut p = vec![0x04];
    p.extend(h(x));
    p.extend(h(y));
    p
}

/// Every P-256 backend; fails if there is none.
pub fn backends() -> Vec<&'static dyn Dh> {
    let v: Vec<_> = dh::all()
        .into_iter()
        .filter(|d| d.name() == "P-256")
        .collect();
    assert!(!v.is_empty(), "no P-256 backend registered");
    v
}
