//! Known answers for the pre-standard signatures: Dilithium2/3/5 (round
//! 3.1), Falcon-512 (round 3) and SPHINCS+-SHA2-128f-simple (round 3.1),
//! from the submissions' NIST KAT files (`PQCsignKAT_*.rsp`: public key,
//! secret key, message, signed message). Three entries per scheme are kept
//! in `tests/data/round3_sign_kat/`; its README names where each file comes
//! from.
//!
//! What the entries prove, for every registered backend of each name (today
//! pqcrypto only):
//! * the KAT signature verifies under the KAT public key, and fails once a
//!   message bit is changed;
//! * Dilithium signs deterministically in round 3.1, so signing the KAT
//!   message with the KAT secret key must give the KAT signature, byte for
//!   byte;
//! * entry 0 of every file hashes to the `nistkat-sha256` that PQClean (the
//!   C code inside the pqcrypto crates) records for the scheme, so the data
//!   is byte for byte the known answer that code is meant to reproduce.
//!
//! Not covered, because the backend does not allow it: key generation (the
//! pqcrypto crates draw key-generation randomness from the operating system
//! and take no seed, `takes_coins() == false`), and signing for Falcon and
//! SPHINCS+, which both randomize each signature from the operating system;
//! for those two only verification is pinned.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use sha2::{Digest, Sha256};
use twofold_core::{Error, ShakeRng, Signature};
use twofold_primitives::registry::registry;

/// One `.rsp` entry, with its text as it appears in the file.
struct Entry {
    count: u32,
    text: String,
    msg: Vec<u8>,
    pk: Vec<u8>,
    sk: Vec<u8>,
    sm: Vec<u8>,
}

fn parse(rsp: &str) -> Vec<Entry> {
    let mut blocks = rsp.split("\n\n");
    let header = blocks.next().unwrap_or_default();
    assert!(header.starts_with("# "), "missing header line");
    let entries: Vec<Entry> = blocks
        .filter(|b| !b.trim().is_empty())
        .map(|block| {
            let value = |key: &str| -> String {
                let prefix = format!("{key} = ");
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(&prefix))
                    .unwrap_or_else(|| panic!("entry without {key}"))
                    .to_string()
            };
            let bytes = |key: &str| hex::decode(value(key)).expect("hex");
            let e = Entry {
                count: value("count").parse().expect("count"),
                text: format!("{block}\n"),
                msg: bytes("msg"),
                pk: bytes("pk"),
                sk: bytes("sk"),
                sm: bytes("sm"),
            };
            assert_eq!(e.msg.len().to_string(), value("mlen"));
            assert_eq!(e.sm.len().to_string(), value("smlen"));
            e
        })
        .collect();
    assert!(entries.len() >= 3, "expected at least three entries");
    entries
}

/// How a scheme's `sm` holds the detached signature.
#[derive(Clone, Copy)]
enum Layout {
    /// `sm = sig || msg` (Dilithium, SPHINCS+).
    SigThenMessage,
    /// Falcon: `sm = len (2, big-endian) || nonce (40) || msg || 0x29 ||
    /// compressed s2`, and the detached form PQClean verifies is `0x39 ||
    /// nonce || compressed s2` (header byte `0x30 + logn`, logn = 9).
    Falcon512,
}

fn detached_signature(layout: Layout, e: &Entry) -> Vec<u8> {
    let m = e.msg.len();
    match layout {
        Layout::SigThenMessage => {
            let sig_len = e.sm.len() - m;
            assert_eq!(&e.sm[sig_len..], &e.msg[..], "count {}: message", e.count);
            e.sm[..sig_len].to_vec()
        }
        Layout::Falcon512 => {
            let sig_len = usize::from(u16::from_be_bytes([e.sm[0], e.sm[1]]));
            let (nonce, rest) = e.sm[2..].split_at(40);
            let (msg, body) = rest.split_at(m);
            assert_eq!(msg, &e.msg[..], "count {}: message", e.count);
            assert_eq!(body.len(), sig_len, "count {}: signature length", e.count);
            assert_eq!(body[0], 0x20 + 9, "count {}: sm header byte", e.count);
            [&[0x30 + 9][..], nonce, &body[1..]].concat()
        }
    }
}

struct Scheme {
    name: &'static str,
    rsp: &'static str,
    layout: Layout,
    /// `nistkat-sha256` in PQClean's `crypto_sign/<scheme>/META.yml`, as
    /// shipped in pqcrypto-dilithium 0.4.6, pqcrypto-falcon 0.4.1 and
    /// pqcrypto-sphincsplus 0.7.2: SHA-256 of the first KAT entry.
    pqclean_entry0_sha256: &'static str,
    deterministic_signing: bool,
}

const SCHEMES: [Scheme; 5] = [
    Scheme {
        name: "Dilithium2",
        rsp: include_str!("data/round3_sign_kat/Dilithium2.rsp"),
        layout: Layout::SigThenMessage,
        pqclean_entry0_sha256: "faa8998108fa541309c9df5044018c5d26cc23654594bef639dd64b838646cbd",
        deterministic_signing: true,
    },
    Scheme {
        name: "Dilithium3",
        rsp: include_str!("data/round3_sign_kat/Dilithium3.rsp"),
        layout: Layout::SigThenMessage,
        pqclean_entry0_sha256: "8439f580566c46b99449b2cbbd597ce59bcd5d184b90c1108b79a08f6bdbbcb1",
        deterministic_signing: true,
    },
    Scheme {
        name: "Dilithium5",
        rsp: include_str!("data/round3_sign_kat/Dilithium5.rsp"),
        layout: Layout::SigThenMessage,
        pqclean_entry0_sha256: "984ea5f06b13778292f60ecc07301af76e375f1bb9f4a39d676513439e1e83a2",
        deterministic_signing: true,
    },
    Scheme {
        name: "Falcon-512",
        rsp: include_str!("data/round3_sign_kat/Falcon-512.rsp"),
        layout: Layout::Falcon512,
        pqclean_entry0_sha256: "da27fe8a462de7307ddf1f9b00072a457d9c5b14e838c148fbe2662094b9a2ca",
        deterministic_signing: false,
    },
    Scheme {
        name: "SPHINCS+-SHA2-128f-simple",
        rsp: include_str!("data/round3_sign_kat/SPHINCS+-SHA2-128f-simple.rsp"),
        layout: Layout::SigThenMessage,
        pqclean_entry0_sha256: "cd1e13db3a56c0a6b3486a7b12bcddfda50cf5d1e4d14d3113e6456e969b8114",
        deterministic_signing: false,
    },
];

fn backends(name: &str) -> Vec<&'static dyn Signature> {
    let found: Vec<_> = registry()
        .signatures
        .iter()
        .copied()
        .filter(|s| s.name() == name)
        .collect();
    assert!(!found.is_empty(), "no {name} registered");
    found
}

#[test]
fn first_entries_are_the_ones_pqclean_records() {
    for s in &SCHEMES {
        let entries = parse(s.rsp);
        assert_eq!(entries[0].count, 0, "{}", s.name);
        let digest = hex::encode(Sha256::digest(entries[0].text.as_bytes()));
        assert_eq!(digest, s.pqclean_entry0_sha256, "{}", s.name);
    }
}

#[test]
fn kat_signatures_verify_and_a_changed_message_does_not() {
    for s in &SCHEMES {
        for backend in backends(s.name) {
            let sizes = backend.sizes();
            for e in parse(s.rsp) {
                let ctx = format!("{} count {}", backend.id(), e.count);
                let sig = detached_signature(s.layout, &e);
                assert_eq!((e.pk.len(), e.sk.len()), (sizes.pk, sizes.sk), "{ctx}");
                assert!(sig.len() <= sizes.sig, "{ctx}: signature too long");
                assert_eq!(backend.verify(&e.pk, &e.msg, &sig), Ok(()), "{ctx}");
                let mut other = e.msg.clone();
                other[0] ^= 0x01;
                assert_eq!(
                    backend.verify(&e.pk, &other, &sig),
                    Err(Error::VerificationFailed),
                    "{ctx}: changed message"
                );
            }
        }
    }
}

#[test]
fn dilithium_signing_reproduces_the_kat_signatures() {
    let mut signed = 0;
    for s in SCHEMES.iter().filter(|s| s.deterministic_signing) {
        for backend in backends(s.name) {
            for e in parse(s.rsp) {
                // The rng is ignored (round-3.1 Dilithium signs deterministically).
                let mut rng = ShakeRng::new(b"unused");
                let sig = backend.sign(&e.sk, &e.msg, &mut rng).unwrap();
                assert_eq!(
                    sig,
                    detached_signature(s.layout, &e),
                    "{} count {}",
                    backend.id(),
                    e.count
                );
                signed += 1;
            }
        }
    }
    assert!(signed >= 9, "three entries for each of Dilithium2/3/5");
}
