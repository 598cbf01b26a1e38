//! The registry: names resolve, defaults are well defined, bad names are typed errors.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use twofold_core::{Error, Family, Resolver};
use twofold_primitives::registry::{DEFAULTS, registry};

#[test]
fn every_id_resolves_to_itself() {
    let reg = registry();
    let entries = reg.entries();
    assert!(entries.len() > 10, "registry is nearly empty");
    for e in &entries {
        let id = e.id();
        let got = match e.family {
            Family::Kem => reg.kem(&id).map(|i| i.id()),
            Family::Dh => reg.dh(&id).map(|i| i.id()),
            Family::Signature => reg.signature(&id).map(|i| i.id()),
            Family::Aead => reg.aead(&id).map(|i| i.id()),
            Family::Hash => reg.hash(&id).map(|i| i.id()),
            Family::Xof => reg.xof(&id).map(|i| i.id()),
            Family::Kdf => reg.kdf(&id).map(|i| i.id()),
            Family::IncrementalKem => reg.incremental_kem(&id).map(|i| i.id()),
            Family::Cipher => reg.cipher(&id).map(|i| i.id()),
            other => panic!("no typed lookup for {}", other.as_str()),
        };
        assert_eq!(got.as_deref(), Ok(id.as_str()));
    }
}

#[test]
fn ids_are_unique_and_each_algorithm_has_one_default() {
    let mut seen = std::collections::BTreeSet::new();
    let mut defaults: BTreeMap<(Family, &str), usize> = BTreeMap::new();
    for e in registry().entries() {
        assert!(seen.insert((e.family, e.id())), "duplicate id {}", e.id());
        *defaults.entry((e.family, e.name)).or_default() += usize::from(e.is_default);
    }
    assert!(!defaults.is_empty());
    for ((fam, name), n) in defaults {
        assert_eq!(n, 1, "{} {name} has {n} defaults", fam.as_str());
    }
}

#[test]
fn default_table_names_existing_coin_taking_backends() {
    let entries = registry().entries();
    for (alg, backend) in DEFAULTS {
        let e = entries
            .iter()
            .find(|e| e.name == *alg && e.backend == *backend)
            .unwrap_or_else(|| panic!("DEFAULTS names {alg}@{backend}, which is not registered"));
        assert!(
            e.is_default,
            "{alg}@{backend} listed in DEFAULTS but not default"
        );
        // Defaults must be able to run every KAT, which needs explicit coins.
        assert!(e.takes_coins, "{alg}@{backend} cannot take coins");
    }
}

#[test]
fn bare_name_selects_the_default() {
    let reg = registry();
    let defaults: Vec<_> = reg.entries().into_iter().filter(|e| e.is_default).collect();
    assert!(!defaults.is_empty());
    for e in defaults {
        let got = match e.family {
            Family::Kem => reg.kem(e.name).map(|i| i.backend()),
            Family::Dh => reg.dh(e.name).map(|i| i.backend()),
            Family::Signature => reg.signature(e.name).map(|i| i.backend()),
            Family::Aead => reg.aead(e.name).map(|i| i.backend()),
            Family::Hash => reg.hash(e.name).map(|i| i.backend()),
            Family::Xof => reg.xof(e.name).map(|i| i.backend()),
            Family::Kdf => reg.kdf(e.name).map(|i| i.backend()),
            Family::IncrementalKem => reg.incremental_kem(e.name).map(|i| i.backend()),
            Family::Cipher => reg.cipher(e.name).map(|i| i.backend()),
            other => panic!("no typed lookup for {}", other.as_str()),
        };
        assert_eq!(got, Ok(e.backend), "{}", e.name);
    }
}

#[test]
fn names_are_case_insensitive() {
    let k = registry()
        .kem("ml-kem-768@LIBCRUX")
        .expect("case-insensitive lookup");
    assert_eq!(k.id(), "ML-KEM-768@libcrux");
}

#[test]
fn unknown_algorithm_lists_what_exists() {
    match registry().kem("ML-KEM-666") {
        Err(e @ Error::UnknownAlgorithm { .. }) => {
            let Error::UnknownAlgorithm {
                kind,
                name,
                available,
            } = &e
            else {
                unreachable!()
            };
            assert_eq!(*kind, "KEM");
            assert_eq!(name, "ML-KEM-666");
            assert!(available.iter().any(|a| a == "ML-KEM-768"), "{available:?}");
            let msg = e.to_string();
            assert!(
                msg.contains("available: ") && msg.contains("ML-KEM-768"),
                "{msg}"
            );
        }
        other => panic!("expected UnknownAlgorithm, got {:?}", other.map(|k| k.id())),
    }
}

#[test]
fn unknown_backend_lists_the_backends_of_that_algorithm() {
    match registry().dh("X25519@openssl") {
        Err(Error::UnknownAlgorithm { available, .. }) => {
            assert!(
                available.contains(&"X25519@dalek".to_string()),
                "{available:?}"
            );
            assert!(available.iter().all(|a| a.starts_with("X25519@")));
        }
        other => panic!("expected UnknownAlgorithm, got {:?}", other.map(|k| k.id())),
    }
}

#[test]
fn malformed_names_are_typed_errors() {
    for bad in ["", "@dalek", "X25519@", "X25519@dalek@x", "X 25519"] {
        assert!(
            matches!(registry().dh(bad), Err(Error::MalformedName { .. })),
            "{bad:?}"
        );
    }
}

#[test]
fn families_do_not_leak_into_each_other() {
    assert!(matches!(
        registry().kem("Ed25519"),
        Err(Error::UnknownAlgorithm { kind: "KEM", .. })
    ));
}

#[test]
fn p256_backends_are_listed_and_resolve() {
    let reg = registry();
    let listed: Vec<String> = reg
        .entries()
        .into_iter()
        .filter(|e| e.family == Family::Dh && e.name == "P-256")
        .map(|e| e.id())
        .collect();
    for id in ["P-256@rustcrypto", "P-256@aws-lc"] {
        assert!(listed.iter().any(|l| l == id), "{id} not in {listed:?}");
        assert_eq!(reg.dh(id).map(|d| d.id()).as_deref(), Ok(id));
        assert_eq!(
            reg.dh(&id.to_ascii_lowercase()).map(|d| d.id()).as_deref(),
            Ok(id)
        );
    }
    let default = reg.dh("P-256").expect("bare P-256 resolves");
    assert_eq!(default.name(), "P-256");
    assert!(
        reg.defaults().contains(&default.id()),
        "{} is not listed as a default",
        default.id()
    );
}

#[test]
fn unknown_p256_backend_lists_the_p256_backends() {
    match registry().dh("P-256@openssl") {
        Err(Error::UnknownAlgorithm { available, .. }) => {
            let mut got = available.clone();
            got.sort();
            assert_eq!(got, ["P-256@aws-lc", "P-256@rustcrypto"], "{available:?}");
        }
        other => panic!("expected UnknownAlgorithm, got {:?}", other.map(|k| k.id())),
    }
}

/// Through an observing resolver every entry still resolves to its own
/// family and identifier, in any order: implementations that are zero-sized
/// statics share addresses, which once made the XEdDSA signature resolve to
/// the wrapper of an X25519 DH.
#[test]
fn observing_resolves_every_entry_to_itself() {
    use twofold_core::resolve::Observing;
    let reg = registry();
    let observing = Observing::new(reg);
    let entries = reg.entries();
    for pass in [false, true] {
        let order: Vec<_> = if pass {
            entries.iter().rev().collect()
        } else {
            entries.iter().collect()
        };
        for e in order {
            let id = e.id();
            let p = observing.resolve(e.family, &id).unwrap();
            assert_eq!((p.family(), p.id()), (e.family, id.clone()), "{id}");
            // Asking again gives the same wrapper, not a wrapper of it.
            let again = observing.resolve(e.family, &id).unwrap();
            assert!(p.same_object(&again), "{id}");
        }
    }
}
