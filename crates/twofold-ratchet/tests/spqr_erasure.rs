//! The erasure code against committed chunks, and decoding from every kind
//! of chunk subset.
//!
//! The chunks in `tests/data/spqr_erasure.json` come from
//! `tests/python/spqr_reference.py`, a second implementation that computes
//! parity by plain Lagrange interpolation over its own GF(2^16) tables. They
//! are not vectors of Signal's deployed code (none is published); the code
//! here uses barycentric interpolation and shift-and-reduce multiplication,
//! so the two share the formulas, not the method.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use proptest::prelude::*;
use twofold_ratchet::RatchetError;
use twofold_ratchet::spqr::erasure::{Chunk, Decoder, Encoder, MAX_MESSAGE_LEN};
use twofold_ratchet::spqr::labels::{CT1_LEN, CT2_WITH_MAC_LEN, EK_VECTOR_LEN, HDR_WITH_MAC_LEN};

struct Case {
    name: String,
    message: Vec<u8>,
    k: usize,
    chunks: Vec<Chunk>,
}

fn cases() -> Vec<Case> {
    let d = common::data("spqr_erasure.json");
    let cases: Vec<Case> = d["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().to_owned(),
            message: common::bytes(&c["message"]),
            k: common::uint(&c["chunks_needed"]) as usize,
            chunks: c["chunks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|ch| Chunk {
                    index: common::uint(&ch["index"]) as u16,
                    data: common::bytes(&ch["data"]).try_into().unwrap(),
                })
                .collect(),
        })
        .collect();
    // The four V1 sizes, each with parity well past 2k and the top indices.
    let lens: Vec<usize> = cases.iter().map(|c| c.message.len()).collect();
    assert_eq!(
        lens,
        [HDR_WITH_MAC_LEN, EK_VECTOR_LEN, CT1_LEN, CT2_WITH_MAC_LEN]
    );
    for c in &cases {
        assert_eq!(c.k * 32, c.message.len());
        assert!(c.chunks.len() >= 2 * c.k + 4);
        assert!(c.chunks.iter().any(|ch| ch.index == u16::MAX));
    }
    cases
}

/// The chunks of `case` at `indices`, from the committed data (not from the
/// encoder under test).
fn pick(case: &Case, indices: &[u16]) -> Vec<Chunk> {
    indices
        .iter()
        .map(|&i| *case.chunks.iter().find(|c| c.index == i).unwrap())
        .collect()
}

/// Feeds `chunks` to a fresh decoder: nothing decodes before the k-th
/// distinct chunk, the message decodes right at it.
fn decode(case: &Case, chunks: &[Chunk]) -> Vec<u8> {
    let mut d = Decoder::new(case.message.len()).unwrap();
    for (n, c) in chunks.iter().enumerate() {
        assert_eq!(d.message(), None, "{}: decoded after {n} chunks", case.name);
        assert!(d.add(*c));
        if n + 1 == case.k {
            break;
        }
    }
    d.message()
        .unwrap_or_else(|| panic!("{}: no message", case.name))
}

/// Decodes the committed chunks at `indices` and checks the message.
fn decodes_from(case: &Case, indices: &[u16]) {
    assert_eq!(
        decode(case, &pick(case, indices)),
        case.message,
        "{} from {indices:?}",
        case.name
    );
}

#[test]
fn encoder_matches_every_committed_chunk() {
    for case in cases() {
        let e = Encoder::new(&case.message).unwrap();
        assert_eq!(e.chunks_needed(), case.k);
        assert_eq!(e.message_len(), case.message.len());
        for c in &case.chunks {
            assert_eq!(e.chunk(c.index), *c, "{} chunk {}", case.name, c.index);
        }
    }
}

#[test]
fn systematic_chunks_are_the_message() {
    for case in cases() {
        for (i, bytes) in case.message.chunks(32).enumerate() {
            assert_eq!(case.chunks[i].index as usize, i);
            assert_eq!(case.chunks[i].data, bytes, "{} chunk {i}", case.name);
        }
    }
}

#[test]
fn decodes_from_systematic_chunks_only() {
    for case in cases() {
        let idx: Vec<u16> = (0..case.k as u16).collect();
        decodes_from(&case, &idx);
    }
}

#[test]
fn decodes_from_parity_chunks_only() {
    for case in cases() {
        let k = case.k as u16;
        let idx: Vec<u16> = (k..2 * k).collect();
        decodes_from(&case, &idx);
        // The highest indices a sender can reach, with the rest of the tail.
        let mut idx = vec![u16::MAX, 65534, 40000, 1000, 255];
        idx.extend((k..2 * k + 4).rev().take(case.k.saturating_sub(5)));
        idx.truncate(case.k);
        decodes_from(&case, &idx);
    }
}

#[test]
fn decodes_from_mixed_chunks() {
    for case in cases() {
        let k = case.k as u16;
        // Every other systematic chunk, the gaps filled with parity.
        let mut idx: Vec<u16> = (0..k).step_by(2).collect();
        idx.extend(k + 1..2 * k + 4);
        idx.truncate(case.k);
        decodes_from(&case, &idx);
        // The last systematic chunk lost, one parity chunk instead.
        let mut idx: Vec<u16> = (0..k - 1).collect();
        idx.push(2 * k);
        decodes_from(&case, &idx);
    }
}

#[test]
fn decodes_from_shuffled_chunks() {
    for case in cases() {
        let n = case.chunks.len();
        // A fixed permutation of all committed chunks (multiplication by a
        // unit mod a prime larger than n, skipping the out-of-range values).
        let p = 211usize;
        assert!(p > n);
        let order: Vec<usize> = (1..p).map(|i| (i * 97) % p).filter(|&j| j < n).collect();
        assert_eq!(order.len(), n - 1); // all but index 0 of the list
        let chunks: Vec<Chunk> = order.iter().map(|&j| case.chunks[j]).collect();
        assert_eq!(decode(&case, &chunks), case.message, "{}", case.name);
    }
}

#[test]
fn duplicates_are_ignored_and_the_first_chunk_kept() {
    let case = &cases()[0];
    let mut d = Decoder::new(case.message.len()).unwrap();
    let first = case.chunks[0];
    assert!(d.add(first));
    assert!(!d.add(first));
    let mut forged = first;
    forged.data[0] ^= 1;
    assert!(!d.add(forged));
    assert_eq!(d.chunks_held(), 1);
    for c in &case.chunks[1..case.k] {
        assert!(d.add(*c));
    }
    assert_eq!(d.message().unwrap(), case.message);
}

#[test]
fn parity_beyond_k_chunks_is_not_stored() {
    let case = &cases()[1];
    let k = case.k;
    let mut d = Decoder::new(case.message.len()).unwrap();
    // k parity chunks fill the decoder ...
    for c in &case.chunks[k..2 * k] {
        assert!(d.add(*c));
    }
    // ... more parity is refused, systematic chunks are still taken.
    assert!(!d.add(case.chunks[2 * k]));
    assert!(d.add(case.chunks[0]));
    assert_eq!(d.chunks_held(), k + 1);
    assert_eq!(d.message().unwrap(), case.message);
    // A decoder rebuilt from the chunks it held decodes the same; in index
    // order the systematic chunk comes first, so the last parity chunk is
    // no longer needed and is dropped.
    let mut again = Decoder::new(case.message.len()).unwrap();
    let kept = d.chunks().filter(|c| again.add(**c)).count();
    assert_eq!(kept, k);
    assert_eq!(again.message().unwrap(), case.message);
}

#[test]
fn lengths_must_be_positive_multiples_of_32() {
    for len in [0usize, 1, 2, 31, 33, 48, 95, MAX_MESSAGE_LEN + 32] {
        let want = RatchetError::InvalidLengthMultiple {
            what: "erasure-coded message",
            unit: 32,
            max: MAX_MESSAGE_LEN,
            actual: len,
        };
        assert_eq!(Encoder::new(&vec![0u8; len]).err(), Some(want.clone()));
        assert_eq!(Decoder::new(len).err(), Some(want));
    }
    assert_eq!(MAX_MESSAGE_LEN, 1 << 20);
    assert!(Decoder::new(MAX_MESSAGE_LEN).is_ok());
}

fn message_and_subset() -> impl Strategy<Value = (Vec<u8>, Vec<u16>)> {
    (1usize..=40).prop_flat_map(|k| {
        (
            proptest::collection::vec(any::<u8>(), 32 * k),
            proptest::sample::subsequence((0..=u16::MAX).collect::<Vec<_>>(), k).prop_shuffle(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_k_distinct_chunks_decode((message, indices) in message_and_subset()) {
        let e = Encoder::new(&message).unwrap();
        let mut d = Decoder::new(message.len()).unwrap();
        for &i in &indices {
            prop_assert!(d.add(e.chunk(i)));
        }
        prop_assert_eq!(d.message(), Some(message));
    }

    #[test]
    fn fewer_than_k_chunks_never_decode((message, indices) in message_and_subset()) {
        let e = Encoder::new(&message).unwrap();
        let mut d = Decoder::new(message.len()).unwrap();
        for &i in &indices[1..] {
            d.add(e.chunk(i));
        }
        prop_assert_eq!(d.message(), None);
    }
}
