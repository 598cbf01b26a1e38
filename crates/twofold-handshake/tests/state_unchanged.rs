//! Every refusal of peer input leaves the handshake state byte for byte as
//! it was.
//!
//! Noise: at every message of every supported pattern (classic, hfs,
//! PQNoise, hybrid; with and without PSKs), the receiver is handed damaged
//! copies of the genuine message: every prefix length at each token
//! boundary and one byte either side, the message with one more byte, an
//! empty and an oversized message, a flipped bit in every byte (every
//! fourth byte in messages over 256 bytes), the genuine message of another
//! run, and a message out of turn. Each refusal must return a state whose
//! `state_snapshot` (counter, `h`, `ck`, `k`, `n`, every key) equals the
//! one before, and that state must then accept the genuine message. After
//! the handshake, transport messages are damaged the same way and the
//! receiving nonce must not move.
//!
//! X3DH / PQXDH: Bob's store has no serialized form; what an `accept` can
//! change is which one-time keys remain, and the published bundle shows
//! every key and identifier it holds. A flipped bit in each byte of a
//! genuine initial message, every truncation, and a replay after it was
//! accepted must leave both unchanged.
#![allow(clippy::unwrap_used)]

mod noise_common;

use noise_common::{all_names, pair, rng};
use twofold_core::{Off, ShakeRng};
use twofold_handshake::HandshakeError;
use twofold_handshake::bundle::{KemPrekey, KemPrekeyKind, PrekeyBundle, PrekeyStore};
use twofold_handshake::noise::HandshakeState;
use twofold_handshake::noise::labels::MAX_MESSAGE_LEN;
use twofold_handshake::prekey::{PrekeyHandshake, Protocol};
use twofold_primitives::registry::REGISTRY;

/// Damaged copies of `m`: prefixes, bit flips, one byte more, an oversized
/// message and `other` (a genuine message of another run).
fn damaged_copies(m: &[u8], other: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    // Every prefix near a boundary is covered by taking every prefix of
    // short messages and, for long ones, every 16th plus the last 40.
    for cut in 0..m.len() {
        if m.len() <= 256 || cut % 16 == 0 || cut + 40 >= m.len() {
            out.push(m[..cut].to_vec());
        }
    }
    let step = if m.len() > 256 { 4 } else { 1 };
    for at in (0..m.len()).step_by(step) {
        let mut bad = m.to_vec();
        bad[at] ^= 1 << (at % 8);
        out.push(bad);
    }
    let mut longer = m.to_vec();
    longer.push(0);
    out.push(longer);
    out.push(vec![0u8; MAX_MESSAGE_LEN + 1]);
    out.push(other.to_vec());
    out
}

/// Reads each damaged copy; every one that is refused must leave the
/// state unchanged. Returns the state and how many were refused.
fn refuse_all(
    name: &str,
    k: usize,
    mut state: HandshakeState,
    copies: &[Vec<u8>],
) -> (HandshakeState, usize) {
    let mut refused = 0;
    for c in copies {
        let before = state.state_snapshot();
        match state.read_message(c, &mut Off) {
            Ok((_, _)) => {
                // Accepted: a message whose damaged part nothing
                // authenticates yet (an unencrypted payload, or a changed
                // ephemeral key with no key to check it). Go on from a
                // fresh run of the same messages.
                state = replay(name, k);
            }
            Err(e) => {
                let (error, s) = e.into_parts();
                assert!(
                    s.state_snapshot() == before,
                    "{name}: message {k}: refusing {} bytes ({error}) changed the state",
                    c.len()
                );
                refused += 1;
                state = s;
            }
        }
    }
    (state, refused)
}

/// The receiver of message `k` of a fresh genuine run.
fn replay(name: &str, k: usize) -> HandshakeState {
    let (i, r) = pair(name, &*REGISTRY);
    let mut rngs = [rng("a"), rng("b")];
    let mut parties = [Some(i), Some(r)];
    for j in 0..k {
        let (w, rd) = (j % 2, 1 - j % 2);
        let (s, m) = parties[w]
            .take()
            .unwrap()
            .write_message(&[j as u8], &mut rngs[w], &mut Off)
            .unwrap();
        parties[w] = Some(s);
        let (s, _) = parties[rd]
            .take()
            .unwrap()
            .read_message(&m, &mut Off)
            .unwrap();
        parties[rd] = Some(s);
    }
    parties[1 - k % 2].take().unwrap()
}

/// The genuine messages of a run with other seeds, to deliver in the
/// wrong handshake.
fn other_run(name: &str) -> Vec<Vec<u8>> {
    let (i, r) = pair(name, &*REGISTRY);
    let (mut a, mut b) = (ShakeRng::new(b"other a"), ShakeRng::new(b"other b"));
    noise_common::complete(i, r, &mut a, &mut b).unwrap().0
}

#[test]
fn noise_refusals_leave_the_state_unchanged() {
    let mut refused = 0;
    let mut names = all_names("ChaChaPoly", "SHA256");
    names.extend(all_names("AESGCM", "BLAKE2b").into_iter().step_by(7));
    for name in &names {
        let others = other_run(name);
        let (i, r) = pair(name, &*REGISTRY);
        let mut rngs = [rng("a"), rng("b")];
        let mut parties = [Some(i), Some(r)];
        let mut k = 0;
        while !parties[0].as_ref().unwrap().is_finished() {
            let (w, rd) = (k % 2, 1 - k % 2);
            // Out of turn: the party about to write cannot read.
            let s = parties[w].take().unwrap();
            let before = s.state_snapshot();
            let e = s.read_message(&others[k], &mut Off).unwrap_err();
            assert!(
                matches!(e.error(), HandshakeError::OutOfTurn(_)),
                "{name}: {e}"
            );
            let s = e.into_state();
            assert!(s.state_snapshot() == before, "{name}: out of turn");
            let (s, m) = s.write_message(&[k as u8], &mut rngs[w], &mut Off).unwrap();
            parties[w] = Some(s);
            let copies = damaged_copies(&m, &others[k]);
            let (s, n) = refuse_all(name, k, parties[rd].take().unwrap(), &copies);
            refused += n;
            let (s, p) = s.read_message(&m, &mut Off).unwrap();
            assert_eq!(p, [k as u8], "{name}: message {k} after its refusals");
            parties[rd] = Some(s);
            k += 1;
        }
        let [i, r] = parties.map(|p| p.unwrap().split(&mut Off).unwrap());
        let (mut i, mut r) = (i, r);
        let c = i.write_message(b"transport").unwrap();
        let n = r.receiving_nonce();
        for bad in damaged_copies(&c, &others[0]) {
            assert!(
                r.read_message(&bad).is_err(),
                "{name}: damaged transport message"
            );
            assert_eq!(r.receiving_nonce(), n, "{name}: the nonce moved");
            refused += 1;
        }
        assert_eq!(r.read_message(&c).unwrap(), b"transport");
    }
    assert!(refused > 10_000, "only {refused} refusals");
}

#[test]
fn the_snapshot_covers_what_a_step_changes() {
    // A successful step changes the snapshot, so comparing snapshots can
    // fail: every message of XXhfs changes it on both sides.
    let name = "Noise_XXhfs_25519+MLKEM768_ChaChaPoly_SHA256";
    let (mut i, mut r) = pair(name, &*REGISTRY);
    let mut a = rng("a");
    for k in 0..3 {
        let (w, rd) = if k % 2 == 0 { (i, r) } else { (r, i) };
        let (wb, rb) = (w.state_snapshot(), rd.state_snapshot());
        let (w, m) = w.write_message(b"", &mut a, &mut Off).unwrap();
        let (rd, _) = rd.read_message(&m, &mut Off).unwrap();
        assert!(
            w.state_snapshot() != wb && rd.state_snapshot() != rb,
            "message {k}"
        );
        (i, r) = if k % 2 == 0 { (w, rd) } else { (rd, w) };
    }
    assert_eq!(i.handshake_hash(), r.handshake_hash());
}

/// What of Bob's store an `accept` may change.
fn store_view(s: &PrekeyStore) -> (String, usize, usize) {
    (
        format!("{:?}", s.published_bundle().unwrap()),
        s.one_time_prekeys_left(),
        s.one_time_kem_prekeys_left(),
    )
}

/// Bob's store for `hs`, the same every time (from a fixed seed).
fn bob_store(hs: &PrekeyHandshake) -> PrekeyStore {
    let mut rng = ShakeRng::new(hs.suite_name().as_bytes());
    let bob = hs.generate_identity(&mut rng).unwrap();
    let mut store = hs.new_store(bob).unwrap();
    store.generate_signed_prekey(&mut rng).unwrap();
    store.generate_one_time_prekeys(1, &mut rng).unwrap();
    if hs.protocol() == Protocol::Pqxdh {
        store.generate_last_resort_kem_prekey(&mut rng).unwrap();
        store.generate_one_time_kem_prekeys(1, &mut rng).unwrap();
    }
    store
}

#[test]
fn prekey_refusals_leave_the_store_unchanged() {
    let mut refused = 0;
    for suite in [
        "X3DH_spec_X25519_SHA-256",
        "X3DH_signal_X25519_SHA-256",
        "PQXDH_signal_X25519_SHA-256_Kyber1024",
        "PQXDH_spec_X25519_SHA-512_ML-KEM-768",
    ] {
        let hs = PrekeyHandshake::new(suite, &*REGISTRY).unwrap();
        let mut store = bob_store(&hs);
        let p = store.published_bundle().unwrap();
        let bundle = PrekeyBundle {
            identity_key: p.identity_key.clone(),
            signed_prekey: p.signed_prekey.clone(),
            one_time_prekey: p.one_time_prekeys.first().cloned(),
            kem_prekey: p.one_time_kem_prekeys.first().map(|k| KemPrekey {
                kind: KemPrekeyKind::OneTime,
                key: k.clone(),
            }),
        };
        let mut rng = ShakeRng::new(b"alice");
        let alice = hs.generate_identity(&mut rng).unwrap();
        let sent = hs
            .initiator(&alice, &bundle)
            .unwrap()
            .initiate(b"hello", &mut rng, &mut Off)
            .unwrap();
        let m = &sent.wire;
        let before = store_view(&store);
        let step = if m.len() > 256 { 3 } else { 1 };
        let mut copies: Vec<Vec<u8>> = (0..m.len()).map(|n| m[..n].to_vec()).collect();
        for at in (0..m.len()).step_by(step) {
            let mut bad = m.clone();
            bad[at] ^= 0x80 >> (at % 8);
            copies.push(bad);
        }
        let mut accepted = 0;
        for c in &copies {
            match hs.accept(&mut store, c, &mut Off) {
                Err(e) => {
                    assert_eq!(
                        store_view(&store),
                        before,
                        "{suite}: refusing ({e}) changed the store"
                    );
                    refused += 1;
                }
                Ok(_) => {
                    // The signal profile authenticates nothing itself: a
                    // changed key or payload gives another secret, which the
                    // ratchet's first message (libsignal: the inner
                    // SignalMessage's MAC) then fails, and the unsigned
                    // registration id is not checked at all. Such a message
                    // is accepted, and, as in libsignal, spends nothing: the
                    // one-time keys go only once the first message decrypts.
                    assert_eq!(hs.suite().profile.as_str(), "signal", "{suite}: accepted");
                    assert_eq!(
                        store_view(&store),
                        before,
                        "{suite}: an accepted message spent keys before its first message decrypted"
                    );
                    accepted += 1;
                }
            }
        }
        if hs.suite().profile.as_str() == "signal" {
            assert!(accepted > 0, "{suite}: no damaged message accepted");
        }
        let got = hs.accept(&mut store, m, &mut Off).unwrap();
        if hs.suite().profile.as_str() == "signal" {
            assert_eq!(store_view(&store), before, "{suite}: accept spent keys");
            // What the session does once the first message has decrypted.
            store.consume(&got.one_time_prekeys);
        }
        let after = store_view(&store);
        assert_ne!(after, before, "{suite}: the genuine message spent no key");
        let e = hs.accept(&mut store, m, &mut Off).unwrap_err();
        assert!(
            matches!(e, HandshakeError::PrekeyUnavailable { .. }),
            "{suite}: {e}"
        );
        assert_eq!(
            store_view(&store),
            after,
            "{suite}: a replay changed the store"
        );
    }
    assert!(refused > 3000, "only {refused} refusals");
}
