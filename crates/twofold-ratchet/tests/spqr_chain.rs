//! The SPQR chain: known answers computed with Signal's `spqr` v1.5.3, and
//! the out-of-order key store's deployed behaviour.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use proptest::prelude::*;
use twofold_core::{Kdf, Secret};
use twofold_primitives::registry;
use twofold_ratchet::RatchetError;
use twofold_ratchet::spqr::chain::{Chain, ChainParams, Direction, Key};

/// Known answers computed with Signal's `spqr` v1.5.3 (`src/chain.rs`,
/// `Chain::new`, `send_key`, `recv_key`, `add_epoch`) and recomputed by an
/// independent Python script: auth key `29` × 32.
mod kat {
    pub const AUTH_KEY: [u8; 32] = [0x29; 32];
    pub const A2B_EPOCH0: [&str; 3] = [
        "9bcdfae095d09aa8ab367dd231d1d271fe580b555bcc6f64ff079d53d9a9db5d",
        "6af868be8ea72f8ca3bb819c9623c0c9ffebd6f8503937d8f4fac142ac42a48e",
        "a404b6f9818a9df70c23a91e8ce97e4311dbe6038e247854646a38bd80598c0c",
    ];
    pub const B2A_EPOCH0_KEY1: &str =
        "8ede114ee798830a3d35a383e72e96d82a9adca0ac699c12fdf99069220e2da8";
    /// After `add_epoch(1, 07 × 32)`.
    pub const EPOCH1_SECRET: [u8; 32] = [0x07; 32];
    pub const A2B_EPOCH1_KEY1: &str =
        "d98893fe758781d8cd76547d3413c2ed3e53de72b2a697ba4ef5b8213db3d8d3";
    pub const B2A_EPOCH1_KEY1: &str =
        "f0835516954ee088407c58a03a921475592999a24b41c439740772c319d770b3";
}

fn kdf() -> &'static dyn Kdf {
    registry::kdf("HKDF-SHA256").unwrap()
}

fn chain_with(kdf: &'static dyn Kdf, dir: Direction, params: ChainParams) -> Chain {
    Chain::new(kdf, &Secret::new(kat::AUTH_KEY), dir, params).unwrap()
}

fn chain(dir: Direction) -> Chain {
    chain_with(kdf(), dir, ChainParams::default())
}

fn small(dir: Direction, max_jump: u32, max_ooo_keys: u32) -> Chain {
    chain_with(
        kdf(),
        dir,
        ChainParams {
            max_jump,
            max_ooo_keys,
        },
    )
}

fn same(a: &Key, b: &Key) -> bool {
    a == b
}

#[test]
fn keys_match_spqr_1_5_3() {
    for kdf in common::hkdf_sha256() {
        let mut a = chain_with(kdf, Direction::A2B, ChainParams::default());
        let mut b = chain_with(kdf, Direction::B2A, ChainParams::default());
        for (i, want) in kat::A2B_EPOCH0.iter().enumerate() {
            let (index, key) = a.send_key(0).unwrap();
            assert_eq!(index as usize, i + 1);
            assert_eq!(key, common::key_hex(want), "A2B epoch 0 key {}", i + 1);
        }
        assert_eq!(
            b.recv_key(0, 1).unwrap(),
            common::key_hex(kat::A2B_EPOCH0[0])
        );
        let (index, key) = b.send_key(0).unwrap();
        assert_eq!(index, 1);
        assert_eq!(key, common::key_hex(kat::B2A_EPOCH0_KEY1));
        assert_eq!(a.recv_key(0, 1).unwrap(), key);

        let s1 = Secret::new(kat::EPOCH1_SECRET);
        a.add_epoch(1, &s1).unwrap();
        b.add_epoch(1, &s1).unwrap();
        let (index, key) = a.send_key(1).unwrap();
        assert_eq!(index, 1);
        assert_eq!(key, common::key_hex(kat::A2B_EPOCH1_KEY1));
        assert_eq!(b.recv_key(1, 1).unwrap(), key);
        let (index, key) = b.send_key(1).unwrap();
        assert_eq!(index, 1);
        assert_eq!(key, common::key_hex(kat::B2A_EPOCH1_KEY1));
        assert_eq!(a.recv_key(1, 1).unwrap(), key);
    }
}

#[test]
fn the_two_directions_mirror_each_other_across_epochs() {
    let mut a = chain(Direction::A2B);
    let mut b = chain(Direction::B2A);
    for epoch in 0..4u64 {
        if epoch > 0 {
            let s = Secret::new([epoch as u8; 32]);
            a.add_epoch(epoch, &s).unwrap();
            b.add_epoch(epoch, &s).unwrap();
        }
        for n in 1..=10u32 {
            let (i, k) = a.send_key(epoch).unwrap();
            assert_eq!(i, n);
            assert!(same(&b.recv_key(epoch, i).unwrap(), &k));
            let (i, k) = b.send_key(epoch).unwrap();
            assert!(same(&a.recv_key(epoch, i).unwrap(), &k));
        }
    }
}

#[test]
fn out_of_order_keys_within_the_window_all_arrive_once() {
    let mut a = chain(Direction::A2B);
    let mut b = chain(Direction::B2A);
    let keys: Vec<(u32, Key)> = (0..2000).map(|_| a.send_key(0).unwrap()).collect();
    // Newest first, then the rest in a fixed scrambled order.
    let order: Vec<usize> = std::iter::once(1999)
        .chain((0..1999).map(|i| (i * 769) % 1999))
        .collect();
    for &j in &order {
        let (i, k) = &keys[j];
        assert!(same(&b.recv_key(0, *i).unwrap(), k), "key {i}");
    }
    for (i, _) in &keys {
        assert_eq!(
            b.recv_key(0, *i).err(),
            Some(RatchetError::KeyAlreadyUsed {
                epoch: 0,
                index: *i
            })
        );
    }
}

#[test]
fn a_key_is_handed_out_once() {
    // Deployed `previously_returned_key`: the same key twice fails.
    let mut a = chain(Direction::A2B);
    a.recv_key(0, 2).unwrap();
    assert_eq!(
        a.recv_key(0, 2).err(),
        Some(RatchetError::KeyAlreadyUsed { epoch: 0, index: 2 })
    );
    a.recv_key(0, 1).unwrap();
    assert_eq!(
        a.recv_key(0, 1).err(),
        Some(RatchetError::KeyAlreadyUsed { epoch: 0, index: 1 })
    );
    // Index 0 names no key.
    assert_eq!(
        a.recv_key(0, 0).err(),
        Some(RatchetError::KeyAlreadyUsed { epoch: 0, index: 0 })
    );
    let mut fresh = chain(Direction::A2B);
    assert_eq!(
        fresh.recv_key(0, 0).err(),
        Some(RatchetError::KeyAlreadyUsed { epoch: 0, index: 0 })
    );
}

#[test]
fn jumps_beyond_max_jump_are_refused() {
    let mut b = chain(Direction::B2A);
    assert_eq!(
        b.recv_key(0, 25_001).err(),
        Some(RatchetError::TooManySkipped {
            current: 0,
            requested: 25_001,
            max_jump: 25_000
        })
    );
    // Exactly max_jump ahead is allowed, and the limit counts from the new counter.
    b.recv_key(0, 25_000).unwrap();
    assert!(matches!(
        b.recv_key(0, 50_001),
        Err(RatchetError::TooManySkipped {
            current: 25_000,
            ..
        })
    ));
    b.recv_key(0, 50_000).unwrap();
    // The deployed defaults apply to zero fields.
    assert_eq!(
        ChainParams {
            max_jump: 0,
            max_ooo_keys: 0
        }
        .effective(),
        ChainParams::default()
    );
    assert_eq!(
        ChainParams::default(),
        ChainParams {
            max_jump: 25_000,
            max_ooo_keys: 2_000
        }
    );
}

#[test]
fn very_old_keys_are_trimmed() {
    // Deployed `very_old_keys_are_trimmed`: max_jump 10, max_ooo_keys 10.
    let mut a = small(Direction::A2B, 10, 10);
    a.recv_key(0, 10).unwrap();
    a.recv_key(0, 12).unwrap();
    assert_eq!(
        a.recv_key(0, 1).err(),
        Some(RatchetError::KeyTrimmed { epoch: 0, index: 1 })
    );
    // Index 2 is exactly max_ooo_keys behind 12 and still there.
    a.recv_key(0, 2).unwrap();
    // A jump of more than max_ooo_keys keeps only the last max_ooo_keys skipped keys.
    let mut s = small(Direction::B2A, 100, 10);
    let mut send = small(Direction::A2B, 100, 10);
    let keys: Vec<(u32, Key)> = (0..50).map(|_| send.send_key(0).unwrap()).collect();
    assert!(same(&s.recv_key(0, 50).unwrap(), &keys[49].1));
    for (i, k) in &keys[..49] {
        match s.recv_key(0, *i) {
            Ok(got) => {
                assert!(*i >= 40, "key {i} should be trimmed");
                assert!(same(&got, k));
            }
            Err(e) => {
                assert!(*i < 40, "key {i}: {e}");
                assert_eq!(
                    e,
                    RatchetError::KeyTrimmed {
                        epoch: 0,
                        index: *i
                    }
                );
            }
        }
    }
}

#[test]
fn one_epoch_before_the_sending_epoch_is_kept() {
    let mut a = chain(Direction::A2B);
    let mut b = chain(Direction::B2A);
    let early = a.send_key(0).unwrap();
    for e in 1..=3u64 {
        let s = Secret::new([e as u8; 32]);
        a.add_epoch(e, &s).unwrap();
        b.add_epoch(e, &s).unwrap();
    }
    // Without a send in a later epoch every epoch stays receivable.
    assert_eq!(b.oldest_epoch(), 0);
    assert!(same(&b.recv_key(0, early.0).unwrap(), &early.1));
    let late = a.send_key(3).unwrap();
    assert_eq!(a.send_epoch(), 3);
    assert_eq!(a.oldest_epoch(), 2);
    // Deployed `clear_old_send_keys`: sending in an older epoch is refused.
    assert!(matches!(a.send_key(2), Err(RatchetError::Misuse(_))));
    assert!(matches!(a.send_key(0), Err(RatchetError::Misuse(_))));
    assert_eq!(
        a.send_key(4).err(),
        Some(RatchetError::EpochOutOfRange { epoch: 4 })
    );
    // B sends in epoch 2: it keeps epochs 1 to 3.
    b.send_key(2).unwrap();
    let (i2, k2) = b.send_key(2).unwrap();
    assert_eq!(b.oldest_epoch(), 1);
    assert_eq!(
        b.recv_key(0, 2).err(),
        Some(RatchetError::EpochOutOfRange { epoch: 0 })
    );
    // A, sending in epoch 3, receives in epochs 2 and 3 only.
    assert!(same(&a.recv_key(2, i2).unwrap(), &k2));
    assert_eq!(
        a.recv_key(1, 1).err(),
        Some(RatchetError::EpochOutOfRange { epoch: 1 })
    );
    assert_eq!(
        a.recv_key(4, 1).err(),
        Some(RatchetError::EpochOutOfRange { epoch: 4 })
    );
    // B receives A's epoch 3 key, then sends in epoch 3 and drops epoch 1.
    assert!(same(&b.recv_key(3, late.0).unwrap(), &late.1));
    b.recv_key(1, 1).unwrap();
    b.send_key(3).unwrap();
    assert_eq!(b.oldest_epoch(), 2);
    assert_eq!(
        b.recv_key(1, 2).err(),
        Some(RatchetError::EpochOutOfRange { epoch: 1 })
    );
}

#[test]
fn epochs_are_added_in_order_only() {
    let mut a = chain(Direction::A2B);
    let s = Secret::new([1; 32]);
    for bad in [0u64, 2, u64::MAX] {
        assert!(matches!(a.add_epoch(bad, &s), Err(RatchetError::Misuse(_))));
    }
    assert_eq!(a.current_epoch(), 0);
    a.add_epoch(1, &s).unwrap();
    assert!(matches!(a.add_epoch(1, &s), Err(RatchetError::Misuse(_))));
    assert_eq!(a.current_epoch(), 1);
}

/// Every receive request that must fail, against a chain with some history.
fn failing_requests() -> Vec<(u64, u32)> {
    vec![
        (0, 0),  // names no key
        (0, 1),  // trimmed: more than 10 behind 20
        (0, 5),  // trimmed, and used before
        (0, 20), // the newest key, already used
        (0, 71), // more than 50 ahead of 20
        (1, 3),  // already used in epoch 1
        (1, 54), // more than 50 ahead of 3
        (2, 1),  // an epoch in the future
        (u64::MAX, 1),
    ]
}

#[test]
fn a_failed_recv_key_leaves_the_chain_unchanged() {
    let mut send = small(Direction::A2B, 50, 10);
    let mut recv = small(Direction::B2A, 50, 10);
    let keys0: Vec<(u32, Key)> = (0..30).map(|_| send.send_key(0).unwrap()).collect();
    recv.recv_key(0, 5).unwrap();
    recv.recv_key(0, 6).unwrap();
    // Keys 10..=19 are kept, 1..=9 trimmed.
    recv.recv_key(0, 20).unwrap();
    let s = Secret::new([3; 32]);
    send.add_epoch(1, &s).unwrap();
    recv.add_epoch(1, &s).unwrap();
    let keys1: Vec<(u32, Key)> = (0..5).map(|_| send.send_key(1).unwrap()).collect();
    recv.recv_key(1, 3).unwrap();

    for (epoch, index) in failing_requests() {
        let before = recv.to_bytes();
        let err = recv.recv_key(epoch, index).unwrap_err();
        assert!(
            matches!(
                err,
                RatchetError::KeyAlreadyUsed { .. }
                    | RatchetError::KeyTrimmed { .. }
                    | RatchetError::TooManySkipped { .. }
                    | RatchetError::EpochOutOfRange { .. }
            ),
            "({epoch}, {index}): {err}"
        );
        assert_eq!(
            recv.to_bytes(),
            before,
            "({epoch}, {index}) changed the chain"
        );
    }
    // And everything that was receivable still is, with the right keys.
    for (i, k) in keys0
        .iter()
        .filter(|(i, _)| (10..=30).contains(i) && *i != 20)
    {
        assert!(same(&recv.recv_key(0, *i).unwrap(), k), "epoch 0 key {i}");
    }
    for (i, k) in keys1.iter().filter(|(i, _)| *i != 3) {
        assert!(same(&recv.recv_key(1, *i).unwrap(), k), "epoch 1 key {i}");
    }
}

#[test]
fn state_round_trips_and_behaves_the_same() {
    let mut a = chain(Direction::A2B);
    let mut b = small(Direction::B2A, 300, 40);
    for _ in 0..3 {
        a.send_key(0).unwrap();
    }
    b.recv_key(0, 100).unwrap();
    let s = Secret::new([9; 32]);
    a.add_epoch(1, &s).unwrap();
    b.add_epoch(1, &s).unwrap();
    b.send_key(1).unwrap();
    for c in [&mut a, &mut b] {
        let bytes = c.to_bytes();
        let mut d = Chain::from_bytes(kdf(), bytes.expose()).unwrap();
        assert_eq!(d.to_bytes(), bytes);
        assert_eq!(
            (
                d.direction(),
                d.params(),
                d.current_epoch(),
                d.send_epoch(),
                d.oldest_epoch()
            ),
            (
                c.direction(),
                c.params(),
                c.current_epoch(),
                c.send_epoch(),
                c.oldest_epoch()
            )
        );
        let (x, y) = (c.send_key(1).unwrap(), d.send_key(1).unwrap());
        assert_eq!(x.0, y.0);
        assert!(same(&x.1, &y.1));
        for (e, i) in [(0u64, 70u32), (0, 99), (1, 2), (1, 1)] {
            assert_eq!(
                c.recv_key(e, i).map(|k| *k.expose()),
                d.recv_key(e, i).map(|k| *k.expose())
            );
        }
    }
    // Debug shows the shape, never a key.
    let text = format!("{b:?}");
    assert!(
        text.contains("B2A") && text.contains("HKDF-SHA256"),
        "{text}"
    );
    assert!(
        !text.contains(&hex::encode(&b.to_bytes().expose()[30..46])),
        "{text}"
    );
}

#[test]
fn corrupted_state_is_rejected() {
    let mut b = small(Direction::B2A, 300, 40);
    b.recv_key(0, 100).unwrap();
    b.add_epoch(1, &Secret::new([9; 32])).unwrap();
    b.send_key(1).unwrap();
    let bytes = b.to_bytes().expose().to_vec();
    let malformed = |e: RatchetError| matches!(e, RatchetError::Malformed(_));
    // Every truncation, and a trailing byte.
    for n in 0..bytes.len() {
        assert!(
            malformed(Chain::from_bytes(kdf(), &bytes[..n]).unwrap_err()),
            "prefix {n}"
        );
    }
    let mut long = bytes.clone();
    long.push(0);
    assert!(malformed(Chain::from_bytes(kdf(), &long).unwrap_err()));
    // Layout: version 0, direction 1, limits 2..10, current epoch 10..18,
    // send epoch 18..26, next root 26..58, epoch count 58..62.
    for (at, value, why) in [
        (0usize, 2u8, "unknown version"),
        (1, 2, "unknown direction"),
        (25, 5, "send epoch after the current epoch"),
        (61, 9, "more epochs than exist"),
        (61, 0, "no epoch"),
        (58, 0x80, "2^31 epochs"),
    ] {
        let mut x = bytes.clone();
        x[at] = value;
        assert!(
            malformed(Chain::from_bytes(kdf(), &x).unwrap_err()),
            "{why}"
        );
    }
    // Every single-bit flip either is rejected or yields a chain that
    // serializes back to exactly the flipped bytes (a key or counter bit).
    for i in 0..bytes.len() * 8 {
        let mut x = bytes.clone();
        x[i / 8] ^= 1 << (i % 8);
        if let Ok(c) = Chain::from_bytes(kdf(), &x) {
            let again = c.to_bytes();
            // Zero limits read back as the defaults, so those fields may differ.
            if !(2..10).contains(&(i / 8)) {
                assert_eq!(again.expose(), &x[..], "bit {i}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any delivery order of any subset of the sent keys, within the limits,
    /// gives every delivered key once and the right one.
    #[test]
    fn any_delivery_order_within_the_limits(
        n in 1usize..120,
        perm in proptest::collection::vec(any::<prop::sample::Index>(), 1..120),
    ) {
        let mut a = small(Direction::A2B, 200, 200);
        let mut b = small(Direction::B2A, 200, 200);
        let keys: Vec<(u32, Key)> = (0..n).map(|_| a.send_key(0).unwrap()).collect();
        let mut left: Vec<usize> = (0..n).collect();
        for ix in perm {
            if left.is_empty() {
                break;
            }
            let j = left.remove(ix.index(left.len()));
            let (i, k) = &keys[j];
            let before = b.to_bytes();
            prop_assert!(same(&b.recv_key(0, *i).unwrap(), k));
            prop_assert!(b.recv_key(0, *i).is_err());
            prop_assert_ne!(b.to_bytes(), before);
        }
    }
}
