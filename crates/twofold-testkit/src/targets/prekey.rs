//! X3DH and PQXDH, both profiles: the initial-message decoder, Bob's
//! `accept` on arbitrary bytes, and Alice's checks of an arbitrary bundle.
//!
//! Input: the first byte picks the suite ([`SUITES`], modulo its length),
//! the rest is the message (or, for [`bundle`], the changes made to a
//! genuine bundle).

use std::sync::{Mutex, OnceLock};

use arbitrary::Unstructured;
use twofold_core::{Off, ShakeRng};
use twofold_handshake::bundle::{
    IdentityKeyPair, KemPrekey, KemPrekeyKind, PrekeyBundle, PrekeyStore, PublishedBundle,
};
use twofold_handshake::prekey::{PrekeyHandshake, Protocol};
use twofold_primitives::registry::REGISTRY;

/// One suite of each protocol and profile, and one per kind of KEM.
pub const SUITES: [&str; 5] = [
    "X3DH_spec_X25519_SHA-256",
    "X3DH_signal_X25519_SHA-256",
    "PQXDH_signal_X25519_SHA-256_Kyber1024",
    "PQXDH_spec_X25519_SHA-512_ML-KEM-768",
    "PQXDH_spec_X25519_SHA-256_X-Wing",
];

/// A suite with Bob's store and genuine initial messages to it, all made
/// from fixed seeds.
pub struct Fixture {
    /// The resolved suite.
    pub hs: PrekeyHandshake,
    /// Alice's identity.
    pub alice: IdentityKeyPair,
    /// Bob's store; rebuilt after a genuine message spends one-time keys.
    pub store: Mutex<PrekeyStore>,
    /// What Bob published.
    pub published: PublishedBundle,
    /// Genuine initial messages: with one-time keys, then without.
    pub genuine: Vec<Vec<u8>>,
    seed: Vec<u8>,
}

fn new_store(hs: &PrekeyHandshake, seed: &[u8]) -> PrekeyStore {
    let mut rng = ShakeRng::new(seed);
    let id = hs.generate_identity(&mut rng).expect("identity");
    let mut s = hs.new_store(id).expect("store");
    s.generate_signed_prekey(&mut rng).expect("signed prekey");
    s.generate_one_time_prekeys(2, &mut rng)
        .expect("one-time prekeys");
    if hs.protocol() == Protocol::Pqxdh {
        s.generate_last_resort_kem_prekey(&mut rng)
            .expect("last-resort KEM prekey");
        s.generate_one_time_kem_prekeys(2, &mut rng)
            .expect("one-time KEM prekeys");
    }
    s
}

/// The bundle Alice fetches: with the first one-time keys, or without any
/// (then the last-resort KEM prekey).
pub fn bundle_of(p: &PublishedBundle, one_time: bool) -> PrekeyBundle {
    let kem_prekey = match (one_time, p.one_time_kem_prekeys.first()) {
        (true, Some(k)) => Some(KemPrekey {
            kind: KemPrekeyKind::OneTime,
            key: k.clone(),
        }),
        _ => p.last_resort_kem_prekey.clone().map(|key| KemPrekey {
            kind: KemPrekeyKind::LastResort,
            key,
        }),
    };
    PrekeyBundle {
        identity_key: p.identity_key.clone(),
        signed_prekey: p.signed_prekey.clone(),
        one_time_prekey: if one_time {
            p.one_time_prekeys.first().cloned()
        } else {
            None
        },
        kem_prekey,
    }
}

impl Fixture {
    fn new(suite: &str) -> Self {
        let hs = PrekeyHandshake::new(suite, &*REGISTRY).expect("a listed suite resolves");
        let seed = format!("fuzz prekey store {suite}").into_bytes();
        let store = new_store(&hs, &seed);
        let published = store.published_bundle().expect("published bundle");
        let mut rng = ShakeRng::new(format!("fuzz prekey alice {suite}").as_bytes());
        let alice = hs.generate_identity(&mut rng).expect("identity");
        let genuine = [true, false]
            .into_iter()
            .map(|one_time| {
                hs.initiator(&alice, &bundle_of(&published, one_time))
                    .expect("genuine bundle")
                    .initiate(b"fuzz payload", &mut rng, &mut Off)
                    .expect("initiate")
                    .wire
            })
            .collect();
        Self {
            hs,
            alice,
            store: Mutex::new(store),
            published,
            genuine,
            seed,
        }
    }

    /// Puts Bob's store back as it was made.
    pub fn reset_store(&self, store: &mut PrekeyStore) {
        *store = new_store(&self.hs, &self.seed);
    }
}

/// The fixtures of [`SUITES`], built once per process.
pub fn fixtures() -> &'static [Fixture] {
    static F: OnceLock<Vec<Fixture>> = OnceLock::new();
    F.get_or_init(|| SUITES.iter().map(|s| Fixture::new(s)).collect())
}

fn pick(data: &[u8]) -> Option<(&'static Fixture, &[u8])> {
    let (&sel, rest) = data.split_first()?;
    let f = fixtures();
    Some((&f[usize::from(sel) % f.len()], rest))
}

/// `decode_message` on arbitrary bytes; what it accepts encodes back to
/// the same bytes (both formats are canonical).
pub fn message(data: &[u8]) {
    let Some((f, bytes)) = pick(data) else { return };
    if let Ok(m) = f.hs.decode_message(bytes) {
        let again = f.hs.encode_message(&m).expect("a decoded message encodes");
        assert!(
            again == bytes,
            "{}: decoded a non-canonical encoding",
            f.hs.suite_name()
        );
    }
}

/// What of Bob's store an `accept` may change: the keys he publishes and
/// how many one-time keys are left.
fn store_view(s: &PrekeyStore) -> (Option<PublishedBundle>, usize, usize) {
    (
        s.published_bundle().ok(),
        s.one_time_prekeys_left(),
        s.one_time_kem_prekeys_left(),
    )
}

/// Bob's `accept` on arbitrary bytes: an error leaves his store as it was.
pub fn accept(data: &[u8]) {
    let Some((f, bytes)) = pick(data) else { return };
    let mut store = f.store.lock().unwrap_or_else(|p| p.into_inner());
    let before = store_view(&store);
    match f.hs.accept(&mut store, bytes, &mut Off) {
        Ok(a) => {
            // Only a genuine message gets here; it may have spent keys.
            let spent = a.message.one_time_prekey_id.is_some()
                || store.one_time_kem_prekeys_left() != before.2;
            if spent {
                f.reset_store(&mut store);
            }
        }
        Err(e) => assert!(
            store_view(&store) == before,
            "{}: a refused message ({e}) changed the store",
            f.hs.suite_name()
        ),
    }
}

/// Replaces `v` by arbitrary bytes when the next input bit says so;
/// returns whether it did.
fn maybe(u: &mut Unstructured<'_>, v: &mut Vec<u8>) -> bool {
    let replace = u.arbitrary::<bool>().unwrap_or(false);
    if replace {
        *v = u.arbitrary().unwrap_or_default();
    }
    replace
}

/// Alice's checks of a bundle whose fields the input replaces: an error or
/// a handshake, never a panic; the genuine bundle runs the handshake.
pub fn bundle(data: &[u8]) {
    let Some((f, rest)) = pick(data) else { return };
    let mut u = Unstructured::new(rest);
    let mut b = bundle_of(&f.published, u.arbitrary().unwrap_or(true));
    let mut changed = maybe(&mut u, &mut b.identity_key);
    changed |= maybe(&mut u, &mut b.signed_prekey.public_key);
    changed |= maybe(&mut u, &mut b.signed_prekey.signature);
    if let Some(o) = &mut b.one_time_prekey {
        changed |= maybe(&mut u, &mut o.public_key);
    }
    if let Some(k) = &mut b.kem_prekey {
        changed |= maybe(&mut u, &mut k.key.public_key);
        changed |= maybe(&mut u, &mut k.key.signature);
    }
    if u.arbitrary::<bool>().unwrap_or(false) {
        changed |= b.kem_prekey.take().is_some();
    }
    let mut rng = ShakeRng::new(b"fuzz bundle");
    let run =
        f.hs.initiator(&f.alice, &b)
            .and_then(|i| i.initiate(b"", &mut rng, &mut Off));
    assert!(
        changed || run.is_ok(),
        "{}: the genuine bundle failed: {:?}",
        f.hs.suite_name(),
        run.err()
    );
}
