//! The derivation graph of a run, rebuilt from the observer, checked edge by
//! edge against the specifications' formulas (recomputed here with the
//! `hkdf` and `sha2` crates and, for DH, another backend), not against the
//! engine's own output:
//!
//! * PQXDH (both profiles), PQXDH §3.3: `KM = DH1 || DH2 || DH3 || DH4 ||
//!   SS`, `IKM = 0xFF×32 || KM`, `OKM = HKDF(salt = 0×32, IKM, info)`, and in
//!   the signal profile `RK || CK || PQRK = OKM`; `SS` is the decapsulation
//!   of `CT` on the responder's side.
//! * Noise `XXhfs` (rev 34 §5.2, noise_hfs.md): every `MixKey(x)` gives
//!   `ck, k = HKDF(ck, x)` and every `MixHash(x)` gives `h = HASH(h || x)`;
//!   the `ck` after `ekem1` is made from the KEM shared secret, the one
//!   after `ee` from the DH output.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use twofold_core::observe::{Trace, ValueRecord};
use twofold_core::{Dh, Party, Recorder, ShakeRng};
use twofold_harness::handshakes::run;
use twofold_primitives::registry::REGISTRY;

fn value<'t>(t: &'t Trace, party: Party, name: &str) -> (usize, &'t ValueRecord) {
    let all = t.all(party, name);
    assert_eq!(all.len(), 1, "{party} reported {name} {} times", all.len());
    all[0]
}

fn input_names(v: &ValueRecord) -> Vec<&str> {
    v.inputs.iter().map(|i| i.name.as_str()).collect()
}

/// Each input of `v` resolved to the value of that name `party` reported.
fn assert_inputs_resolve(t: &Trace, party: Party, v: &ValueRecord) {
    for i in &v.inputs {
        let seq = i
            .seq
            .unwrap_or_else(|| panic!("{} input {} unresolved", v.name, i.name));
        assert_eq!(t.name_of(seq), Some(i.name.as_str()));
    }
    let _ = party;
}

/// The other X25519 backend than the default, to recompute DH outputs.
fn other_x25519() -> &'static dyn Dh {
    REGISTRY
        .dhs
        .iter()
        .copied()
        .find(|d| d.name() == "X25519" && d.backend() != "aws-lc")
        .unwrap()
}

fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, &mut out)
        .unwrap();
    out
}

#[test]
fn pqxdh_graph_follows_the_specification() {
    for suite in [
        "PQXDH_spec_X25519_SHA-256_ML-KEM-768",
        "PQXDH_signal_X25519_SHA-256_Kyber1024",
    ] {
        let rec = Recorder::new();
        let t = run(
            suite,
            &*REGISTRY,
            &mut ShakeRng::new(b"graph"),
            &mut rec.clone(),
        )
        .unwrap();
        assert!(t.agree());
        let trace = rec.take();
        let signal = suite.contains("_signal_");
        for party in [Party::Initiator, Party::Responder] {
            // KM <- DH1 || DH2 || DH3 || DH4 || SS, in that order.
            let (km_seq, km) = value(&trace, party, "KM");
            assert_eq!(
                input_names(km),
                ["DH1", "DH2", "DH3", "DH4", "SS"],
                "{suite}"
            );
            assert_inputs_resolve(&trace, party, km);
            let mut concat = Vec::new();
            for i in &km.inputs {
                concat.extend_from_slice(trace.bytes_of(i.seq.unwrap()).unwrap());
            }
            assert_eq!(&km.bytes[..], &concat[..], "{suite} {party} KM");
            // IKM <- F || KM, F = 0xFF x 32.
            let (_, ikm) = value(&trace, party, "IKM");
            assert_eq!(input_names(ikm), ["F", "KM"]);
            assert_eq!(ikm.inputs[1].seq, Some(km_seq));
            assert_eq!(&ikm.bytes[..32], &[0xFF; 32]);
            assert_eq!(&ikm.bytes[32..], &km.bytes[..]);
            // OKM (SK) <- HKDF(salt = 0 x 32, IKM, info).
            let okm_name = if signal { "OKM" } else { "SK" };
            let (okm_seq, okm) = value(&trace, party, okm_name);
            assert_eq!(input_names(okm), ["salt", "IKM", "info"]);
            let salt = &value(&trace, party, "salt").1.bytes;
            assert_eq!(&salt[..], &[0u8; 32]);
            let info = &value(&trace, party, "info").1.bytes;
            let expected = hkdf_sha256(salt, &ikm.bytes, info, okm.bytes.len());
            assert_eq!(&okm.bytes[..], &expected[..], "{suite} {party} {okm_name}");
            if signal {
                assert_eq!(&info[..], b"WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024");
                assert_eq!(okm.bytes.len(), 96);
                for (name, range) in [("RK", 0..32), ("CK", 32..64), ("PQRK", 64..96)] {
                    let (seq, v) = value(&trace, party, name);
                    assert_eq!(input_names(v), ["OKM"]);
                    assert_eq!(&v.bytes[..], &okm.bytes[range], "{name}");
                    // The root key depends on the KEM secret and every DH.
                    for src in ["SS", "DH1", "DH2", "DH3", "DH4"] {
                        let (s, _) = value(&trace, party, src);
                        assert!(trace.depends_on(seq, s), "{name} does not depend on {src}");
                    }
                }
            } else {
                assert_eq!(okm.bytes.len(), 32);
                let (s, _) = value(&trace, party, "SS");
                assert!(trace.depends_on(okm_seq, s));
            }
        }
        // DH1 = DH(IK_A, SPK_B) on Alice's side, DH(SPK_B, IK_A) on Bob's,
        // recomputed with another X25519 backend.
        let dh = other_x25519();
        let b = |p, n| value(&trace, p, n).1.bytes.to_vec();
        for (name, a_sk, b_pk) in [
            ("DH1", "IK_A secret", "SPK_B"),
            ("DH2", "EK_A secret", "IK_B"),
            ("DH3", "EK_A secret", "SPK_B"),
            ("DH4", "EK_A secret", "OPK_B"),
        ] {
            let (_, v) = value(&trace, Party::Initiator, name);
            assert_eq!(input_names(v), [a_sk, b_pk]);
            let again = dh
                .dh(&b(Party::Initiator, a_sk), &b(Party::Initiator, b_pk))
                .unwrap();
            assert_eq!(&v.bytes[..], again.expose(), "{suite} {name}");
            assert_eq!(b(Party::Responder, name), v.bytes.to_vec());
        }
        // SS on Bob's side is the decapsulation of the CT he decoded from
        // the initial message.
        let (_, ss) = value(&trace, Party::Responder, "SS");
        assert_eq!(ss.op, "PQKEM-DEC");
        assert_eq!(input_names(ss), ["PQPK_B secret", "CT"]);
        let (_, ct) = value(&trace, Party::Responder, "CT");
        assert_eq!(input_names(ct), ["initial message"]);
        assert_eq!(ct.bytes.to_vec(), b(Party::Initiator, "CT"));
    }
}

/// Replays `MixKey` and `MixHash` of one party from the trace alone.
fn check_noise_chain(trace: &Trace, party: Party) -> Vec<String> {
    let mut mixed_keys = Vec::new();
    let mut last_k: Option<Vec<u8>> = None;
    for (_, v) in trace.values().filter(|(_, v)| v.party == party) {
        let inputs = input_names(v);
        match (v.name.as_str(), v.op.as_str()) {
            ("k", "MixKey") => last_k = Some(v.bytes.to_vec()),
            ("ck", "MixKey") => {
                assert_eq!(inputs.len(), 2);
                assert_eq!(inputs[0], "ck");
                let ck = trace.bytes_of(v.inputs[0].seq.unwrap()).unwrap();
                let ikm = trace.bytes_of(v.inputs[1].seq.unwrap()).unwrap();
                // HKDF(ck, ikm, 2) is RFC 5869 with salt = ck and empty info.
                let out = hkdf_sha256(ck, ikm, &[], 64);
                assert_eq!(&v.bytes[..], &out[..32], "{party} ck after {}", inputs[1]);
                assert_eq!(last_k.take().unwrap(), out[32..].to_vec());
                mixed_keys.push(inputs[1].to_string());
            }
            ("h", "MixHash") => {
                let h = trace.bytes_of(v.inputs[0].seq.unwrap()).unwrap();
                let d = trace.bytes_of(v.inputs[1].seq.unwrap()).unwrap();
                let mut hasher = Sha256::new();
                hasher.update(h);
                hasher.update(d);
                assert_eq!(
                    &v.bytes[..],
                    &hasher.finalize()[..],
                    "{party} h after {}",
                    inputs[1]
                );
            }
            _ => {}
        }
    }
    mixed_keys
}

#[test]
fn xxhfs_graph_follows_the_specification() {
    let suite = "Noise_XXhfs_25519+MLKEM768_ChaChaPoly_SHA256";
    let rec = Recorder::new();
    let t = run(
        suite,
        &*REGISTRY,
        &mut ShakeRng::new(b"hfs graph"),
        &mut rec.clone(),
    )
    .unwrap();
    assert!(t.agree());
    let trace = rec.take();
    // -> e, e1 / <- e, ee, ekem1, s, es / -> s, se: four MixKey calls.
    for party in [Party::Initiator, Party::Responder] {
        let mixed = check_noise_chain(&trace, party);
        assert_eq!(mixed, ["ee", "ekem1 ss", "es", "se"], "{party}");
        for (name, op) in [("ee", "X25519"), ("ekem1 ss", "")] {
            // The ck after this token is made from this value...
            let (ck_seq, ck) = trace
                .values()
                .find(|(_, v)| {
                    v.party == party && v.name == "ck" && input_names(v).get(1) == Some(&name)
                })
                .unwrap();
            let src = ck.inputs[1].seq.unwrap();
            let (_, s) = trace.values().find(|(i, _)| *i == src).unwrap();
            assert_eq!(s.name, name);
            assert!(s.kind == twofold_core::observe::Kind::Secret);
            if !op.is_empty() {
                assert_eq!(s.op, op);
            } else {
                // ...the KEM shared secret: encapsulated by the responder,
                // decapsulated by the initiator.
                let expected = if party == Party::Responder {
                    "encaps"
                } else {
                    "decaps"
                };
                assert_eq!(s.op, expected);
            }
            assert!(trace.depends_on(ck_seq, src));
        }
    }
    // Both sides derived the same KEM secret and DH output.
    for name in ["ee", "ekem1 ss", "es", "se"] {
        let a = value(&trace, Party::Initiator, name).1.bytes.to_vec();
        let b = value(&trace, Party::Responder, name).1.bytes.to_vec();
        assert_eq!(a, b, "{name}");
    }
    // The ee output is DH(e, re), recomputed with another backend.
    let (_, ee) = value(&trace, Party::Initiator, "ee");
    assert_eq!(input_names(ee), ["e secret", "re"]);
    let e = &value(&trace, Party::Initiator, "e secret").1.bytes;
    let re = &value(&trace, Party::Initiator, "re").1.bytes;
    assert_eq!(other_x25519().dh(e, re).unwrap().expose(), &ee.bytes[..]);
}
