//! Differential tests between the backends of every Diffie-Hellman function
//! (dh::all()): a key pair made by any backend gives the same public key and
//! the same shared secrets in every other backend, and coin-taking backends
//! make byte-identical key pairs from the same coins.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use twofold_core::{CryptoRng, Dh, ShakeRng};
use twofold_primitives::dh;

/// Every DH backend, grouped by algorithm name; X25519 and P-256 must each
/// have two backends to compare.
fn algorithms() -> BTreeMap<&'static str, Vec<&'static dyn Dh>> {
    let mut map: BTreeMap<&'static str, Vec<&'static dyn Dh>> = BTreeMap::new();
    for d in dh::all() {
        map.entry(d.name()).or_default().push(d);
    }
    for name in ["X25519", "P-256"] {
        assert!(
            map.get(name).is_some_and(|b| b.len() >= 2),
            "{name} needs at least two backends for a differential test"
        );
    }
    map
}

/// Key pairs from `a` and `b`; every backend of the group must agree on both
/// public keys and on the shared secret, computed from either side.
fn check_pair(group: &[&'static dyn Dh], a: &dyn Dh, b: &dyn Dh, rng: &mut ShakeRng) {
    let (pk_a, sk_a) = a.generate(rng).unwrap();
    let (pk_b, sk_b) = b.generate(rng).unwrap();
    let reference = a.dh(sk_a.expose(), &pk_b).unwrap();
    for c in group {
        let ctx = format!("keys by {} and {}, computed by {}", a.id(), b.id(), c.id());
        assert_eq!(c.public_key(sk_a.expose()).unwrap(), pk_a, "{ctx}");
        assert_eq!(c.public_key(sk_b.expose()).unwrap(), pk_b, "{ctx}");
        assert!(c.dh(sk_a.expose(), &pk_b).unwrap() == reference, "{ctx}");
        assert!(c.dh(sk_b.expose(), &pk_a).unwrap() == reference, "{ctx}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn every_pair_of_backends_agrees(seed in proptest::collection::vec(any::<u8>(), 32)) {
        let mut rng = ShakeRng::new(&seed);
        for group in algorithms().values() {
            for a in group {
                for b in group {
                    check_pair(group, *a, *b, &mut rng);
                }
            }
        }
    }

    #[test]
    fn coin_taking_backends_agree_byte_for_byte(
        seed in proptest::collection::vec(any::<u8>(), 32),
    ) {
        let mut compared = 0;
        for (name, group) in algorithms() {
            let with_coins: Vec<_> = group.into_iter().filter(|d| d.takes_coins()).collect();
            let Some(first) = with_coins.first() else { continue };
            let mut coins = vec![0u8; first.sizes().sk];
            ShakeRng::new(&seed).fill_bytes(&mut coins);
            // A P-256 draw out of [1, n - 1] (about 2^-32) is refused alike
            // by every backend.
            let reference = first.generate_derand(&coins);
            for other in &with_coins {
                prop_assert_eq!(other.sizes(), first.sizes(), "{} sizes", name);
                let got = other.generate_derand(&coins);
                match (&got, &reference) {
                    (Ok((pk, sk)), Ok((pk0, sk0))) => {
                        prop_assert_eq!(pk, pk0, "{} public key", other.id());
                        prop_assert!(sk == sk0, "{} secret key", other.id());
                    }
                    _ => prop_assert_eq!(got.err(), reference.as_ref().err().cloned(), "{}", other.id()),
                }
                compared += 1;
            }
        }
        prop_assert!(compared > 0, "no coin-taking backend compared");
    }
}
