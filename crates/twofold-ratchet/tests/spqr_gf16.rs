//! GF(2^16) against the committed products and inverses, and the field laws.
//!
//! The data in `tests/data/spqr_gf16.json` comes from
//! `tests/python/spqr_reference.py`, a second implementation that multiplies
//! through log / antilog tables of the generator `x`: not a vector of Signal's
//! deployed code (none is published), but a different method from the
//! shift-and-reduce used here.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use proptest::prelude::*;
use twofold_ratchet::spqr::gf16::{Gf16, POLY};

#[test]
fn products_and_inverses_match_the_table_implementation() {
    let d = common::data("spqr_gf16.json");
    assert_eq!(common::uint(&d["poly"]), u64::from(POLY));
    let products = d["products"].as_array().unwrap();
    let inverses = d["inverses"].as_array().unwrap();
    assert!(products.len() >= 100 && inverses.len() >= 50);
    let g = |v: &serde_json::Value| Gf16(common::uint(v) as u16);
    for p in products {
        assert_eq!(g(&p[0]) * g(&p[1]), g(&p[2]), "{p}");
    }
    for i in inverses {
        assert_eq!(g(&i[0]).inv(), Some(g(&i[1])), "{i}");
    }
}

#[test]
fn x_generates_the_multiplicative_group() {
    // 0x1100B is primitive: x has order 2^16 - 1 = 3 * 5 * 17 * 257, so the
    // quotient ring is a field and every nonzero element has an inverse.
    let x = Gf16(2);
    assert_eq!(x.pow(65535), Gf16::ONE);
    for p in [3u32, 5, 17, 257] {
        assert_ne!(x.pow(65535 / p), Gf16::ONE, "order divides 65535/{p}");
    }
}

#[test]
fn every_nonzero_element_inverts() {
    for a in 1..=u16::MAX {
        let a = Gf16(a);
        let i = a.inv().unwrap();
        assert_eq!(a * i, Gf16::ONE, "{a:?}");
    }
    assert_eq!(Gf16::ZERO.inv(), None);
}

proptest! {
    #[test]
    fn field_laws(a: u16, b: u16, c: u16) {
        let (a, b, c) = (Gf16(a), Gf16(b), Gf16(c));
        prop_assert_eq!(a * b, b * a);
        prop_assert_eq!((a * b) * c, a * (b * c));
        prop_assert_eq!(a * (b + c), a * b + a * c);
        prop_assert_eq!(a + a, Gf16::ZERO);
        prop_assert_eq!(a * Gf16::ONE, a);
        if b != Gf16::ZERO {
            prop_assert_eq!(a.checked_div(b).unwrap() * b, a);
        }
    }
}
