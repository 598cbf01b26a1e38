//! SPQR's decoders: the V1 wire message, the erasure decoder's inputs and
//! the serialized chain.

use arbitrary::Unstructured;
use twofold_core::{Kdf, Resolver};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::spqr::chain::{Chain, ChainParams};
use twofold_ratchet::spqr::erasure::{Chunk, Decoder, Encoder};
use twofold_ratchet::spqr::wire::{Message, Version};

/// `Message::decode_prefix` on arbitrary bytes: what it accepts encodes
/// (minimally, so in no more bytes than it took) and decodes back to the
/// same message.
pub fn wire(data: &[u8]) {
    let _ = Version::of(data);
    if let Ok((m, used)) = Message::decode_prefix(data) {
        assert!(used <= data.len(), "took {used} of {} bytes", data.len());
        let enc = m.encode();
        assert!(enc.len() <= used, "the minimal encoding is longer");
        assert_eq!(Message::decode(&enc), Ok(m), "the encoding decodes back");
        // The rest is ignored, as deployed: appending changes nothing.
        let mut longer = data.to_vec();
        longer.push(0xFF);
        assert_eq!(Message::decode(&longer), Ok(m), "a trailing byte mattered");
    }
}

/// Largest value the erasure target encodes, in chunks (the largest V1
/// value, the key vector, is 36).
const MAX_CHUNKS: usize = 48;

/// A decoder of `value`'s own chunks decodes exactly when it holds enough,
/// to `value`.
fn check(dec: &Decoder, value: &[u8]) {
    let k = dec.chunks_needed();
    let got = dec.message();
    assert_eq!(
        got.is_some(),
        dec.chunks_held() >= k,
        "decodable with {} of {k} chunks",
        dec.chunks_held()
    );
    if let Some(m) = got {
        assert!(m == value, "decoded another value from its own chunks");
    }
}

/// The erasure decoder on arbitrary chunks: any length is refused or
/// decodes without a panic; and a value of 1..=48 chunks, fed any chunk
/// indices of its encoder, decodes back exactly once enough distinct
/// chunks arrived.
pub fn erasure(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(k) = u.int_in_range(1..=MAX_CHUNKS) else {
        return;
    };
    let mut value = vec![0u8; 32 * k];
    if u.fill_buffer(&mut value).is_err() {
        return;
    }
    let enc = Encoder::new(&value).expect("a positive multiple of 32 bytes");
    let mut dec = Decoder::new(value.len()).expect("the same length");
    // A second decoder gets arbitrary chunks for the same length.
    let mut foreign = Decoder::new(value.len()).expect("the same length");
    let mut distinct = std::collections::BTreeSet::new();
    // An exhausted input still yields values (zeros): stop at its end, or
    // after 4k chunks. A parity chunk costs k field inversions, so most
    // indices are near the systematic ones; one in eight is any u16.
    let near = u16::try_from(2 * k + 8).expect("k <= 48");
    for _ in 0..4 * k {
        if u.is_empty() {
            break;
        }
        let index = if u.ratio(1, 8).unwrap_or(false) {
            u.arbitrary::<u16>().unwrap_or(0)
        } else {
            u.int_in_range(0..=near).unwrap_or(0)
        };
        let kept = dec.add(enc.chunk(index));
        let fresh = distinct.insert(index);
        assert!(
            !kept || fresh,
            "chunk {index} was kept twice (distinct: {})",
            distinct.len()
        );
        // Rebuilding costs O(k^2) field operations: only just below and at
        // the threshold, where the answer changes.
        if kept && (dec.chunks_held() + 1).abs_diff(k) <= 1 {
            check(&dec, &value);
        }
        let mut data = [0u8; 32];
        if u.fill_buffer(&mut data).is_ok() {
            foreign.add(Chunk { index, data });
        }
    }
    check(&dec, &value);
    if let Some(m) = foreign.message() {
        assert_eq!(m.len(), value.len());
    }
    // Lengths the decoder must refuse or take without a panic.
    for len in [0, 31, 33, 32 * k + 1, usize::MAX] {
        let _ = Decoder::new(len);
        let _ = Encoder::new(&value[..len.min(value.len())]);
    }
}

fn kdf() -> &'static dyn Kdf {
    REGISTRY
        .kdf("HKDF-SHA256")
        .expect("HKDF-SHA256 is registered")
}

/// `Chain::from_bytes` on arbitrary bytes. Input: byte 0 is the number of
/// operations (at most 8), then 3 bytes each (epoch, key index high and low
/// byte), then the state. An accepted state serializes back to the same
/// bytes; each operation either works or fails and leaves the state as it
/// was. Operations run only on states whose `max_jump` is at most 256, so
/// that one input cannot ask for millions of derivations.
pub fn chain_state(data: &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n.min(8));
    if rest.len() < 3 * n {
        return;
    }
    let (ops, state) = rest.split_at(3 * n);
    let Ok(mut chain) = Chain::from_bytes(kdf(), state) else {
        return;
    };
    let again = chain.to_bytes();
    if again.expose() != state {
        // The one leniency: a zero limit reads as its default (as the
        // deployed `ChainParams` does) and is written back as the default.
        let zero = |at: usize| state[at..at + 4] == [0; 4];
        let differs = |at: usize| again.expose()[at..at + 4] != state[at..at + 4];
        assert!(
            again.expose()[..2] == state[..2]
                && again.expose()[10..] == state[10..]
                && (!differs(2) || zero(2))
                && (!differs(6) || zero(6)),
            "an accepted state does not serialize back to its bytes"
        );
    }
    let reread = Chain::from_bytes(kdf(), again.expose()).expect("a written state reads");
    assert!(
        reread.to_bytes() == again,
        "a written state changes when read"
    );
    let ChainParams { max_jump, .. } = chain.params();
    if max_jump > 256 {
        return;
    }
    for op in ops.chunks_exact(3) {
        let before = chain.to_bytes();
        let epoch = u64::from(op[0]);
        let index = u32::from(u16::from_be_bytes([op[1], op[2]]));
        let r = if index == 0 {
            chain.send_key(epoch).map(|_| ())
        } else {
            chain.recv_key(epoch, index).map(|_| ())
        };
        if let Err(e) = r {
            assert!(
                chain.to_bytes() == before,
                "a failed operation ({e}) changed the chain"
            );
        }
    }
}
