//! The SPQR constants against facts from outside this crate. (The labels'
//! exact spelling is checked by the known answers: the chain's by values
//! Signal's `spqr` v1.5.3 produced, the Braid's by the second implementation.)
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use twofold_primitives::registry;
use twofold_ratchet::spqr::labels::*;

#[test]
fn value_sizes_are_ml_kem_768_split() {
    let s = registry::kem("ML-KEM-768").unwrap().sizes();
    // ek = ByteEncode12(t_hat) || rho; the header holds rho and H(ek).
    assert_eq!(s.pk, EK_VECTOR_LEN + 32);
    assert_eq!(HDR_LEN, 32 + 32);
    assert_eq!(s.ct, CT1_LEN + CT2_LEN);
    assert_eq!(s.ss, KEY_LEN);
}

#[test]
fn chunk_counts_match_a_deployed_epoch() {
    // libsignal (spqr 1.5.3) completes epoch 1 with 3 Hdr, 36 Ek, 30 Ct1 and
    // 5 Ct2 chunks.
    let chunks = |len: usize| {
        assert_eq!(len % CHUNK_DATA_LEN, 0);
        len / CHUNK_DATA_LEN
    };
    assert_eq!(chunks(HDR_WITH_MAC_LEN), 3);
    assert_eq!(chunks(EK_VECTOR_LEN), 36);
    assert_eq!(chunks(CT1_LEN), 30);
    assert_eq!(chunks(CT2_WITH_MAC_LEN), 5);
}

#[test]
fn label_shapes() {
    for l in [SCKA_KEY, AUTHENTICATOR_UPDATE, EK_HEADER, CIPHERTEXT] {
        assert!(
            l.starts_with(PROTOCOL) && l[PROTOCOL.len()] == b':',
            "{}",
            l.escape_ascii()
        );
    }
    assert!(CHAIN_START.ends_with(b"Chain  Start"));
    for l in [CHAIN_START, CHAIN_ADD_EPOCH, CHAIN_NEXT] {
        assert!(l.starts_with(b"Signal PQ Ratchet V1 Chain "));
    }
    assert_eq!((MAX_JUMP, MAX_OOO_KEYS), (25_000, 2_000));
}
