//! The name parsers and the lookups behind them, on arbitrary strings
//! (what a command line or a vector file hands them).

use twofold_core::{AlgorithmName, Family, Resolver};
use twofold_handshake::noise::{HandshakeBuilder, ProtocolName};
use twofold_handshake::prekey::{PrekeyHandshake, PrekeySuite};
use twofold_primitives::registry::REGISTRY;

const FAMILIES: [Family; 7] = [
    Family::Kem,
    Family::Dh,
    Family::Signature,
    Family::Aead,
    Family::Hash,
    Family::Xof,
    Family::Kdf,
];

/// Every parser and lookup: each accepted name prints back exactly as it
/// was given and parses again to the same value; a registry lookup returns
/// an implementation of the algorithm (and backend) named, in any case.
pub fn names(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();
    if let Ok(n) = AlgorithmName::parse(s) {
        assert_eq!(n.to_string(), s, "an algorithm name prints back");
    }
    for family in FAMILIES {
        if let Ok(p) = REGISTRY.resolve(family, s) {
            let n = AlgorithmName::parse(s).expect("a resolved name parses");
            let a = p.algorithm();
            // Lookups ignore ASCII case, by design.
            assert!(
                a.name().eq_ignore_ascii_case(&n.algorithm)
                    && n.backend
                        .as_ref()
                        .is_none_or(|b| a.backend().eq_ignore_ascii_case(b)),
                "{s:?} resolved to {}",
                a.id()
            );
        }
    }
    if let Ok(p) = PrekeySuite::parse(s) {
        assert_eq!(p.to_string(), s, "a prekey suite prints back");
        assert_eq!(PrekeySuite::parse(&p.to_string()).ok(), Some(p));
        let _ = PrekeyHandshake::new(s, &*REGISTRY);
    }
    if let Ok(p) = ProtocolName::parse(s) {
        assert_eq!(p.to_string(), s, "a Noise protocol name prints back");
        assert_eq!(ProtocolName::parse(&p.to_string()).ok(), Some(p));
        let _ = HandshakeBuilder::new(s, &*REGISTRY);
    }
}
