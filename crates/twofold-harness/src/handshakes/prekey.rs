//! X3DH and PQXDH, both sides in memory.

use twofold_core::{CryptoRng, Observer, Resolver};
use twofold_handshake::bundle::{IdentityKeyPair, PrekeyBundle, PrekeyServer, PrekeyStore};
use twofold_handshake::prekey::{PrekeyHandshake, SessionSecret};
use zeroize::Zeroizing;

use super::{Result, Transcript, WireMessage};

/// The initial payload of a demonstration run.
const PAYLOAD: &[u8] = b"hello Bob";
/// Bob's address on the in-memory prekey server.
const BOB: &str = "bob";

/// Bob's prekeys (signed prekey, one one-time curve prekey and, for PQXDH,
/// a last-resort and one one-time KEM prekey), published and fetched.
pub(crate) fn bob(
    hs: &PrekeyHandshake,
    rng: &mut dyn CryptoRng,
) -> Result<(PrekeyStore, PrekeyBundle)> {
    let mut store = hs.new_store(hs.generate_identity(rng)?)?;
    store.generate_signed_prekey(rng)?;
    store.generate_one_time_prekeys(1, rng)?;
    if hs.bundle_params().kem.is_some() {
        store.generate_last_resort_kem_prekey(rng)?;
        store.generate_one_time_kem_prekeys(1, rng)?;
    }
    let mut server = PrekeyServer::new();
    server.publish(BOB, store.published_bundle()?);
    let bundle = server.fetch(BOB)?;
    Ok((store, bundle))
}

fn secret_bytes(s: &SessionSecret) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(s.root_key().expose().to_vec());
    for k in [s.chain_key(), s.pq_ratchet_auth_key()]
        .into_iter()
        .flatten()
    {
        out.extend_from_slice(k.expose());
    }
    out
}

/// Runs Bob's publication, Alice's initiation and Bob's acceptance.
pub fn run(
    suite: &str,
    resolver: &dyn Resolver,
    rng: &mut dyn CryptoRng,
    observer: &mut dyn Observer,
) -> Result<Transcript> {
    let hs = PrekeyHandshake::new(suite, resolver)?;
    let (mut store, bundle) = bob(&hs, rng)?;
    let alice = hs.generate_identity(rng)?;
    let sent = hs
        .initiator(&alice, &bundle)?
        .initiate(PAYLOAD, rng, observer)?;
    let got = hs.accept(&mut store, &sent.wire, observer)?;
    let secret_name = match (sent.secret.chain_key(), sent.secret.pq_ratchet_auth_key()) {
        (Some(_), Some(_)) => "RK || CK || PQRK",
        (Some(_), None) => "RK || CK",
        _ => "SK",
    };
    Ok(Transcript {
        suite: hs.suite_name().to_string(),
        messages: vec![WireMessage {
            from: "initiator",
            name: "initial message".to_string(),
            len: sent.wire.len(),
        }],
        secret_name,
        initiator_secret: secret_bytes(&sent.secret),
        responder_secret: secret_bytes(&got.secret),
    })
}

/// A suite with Alice's identity made; Bob's keys come per run.
pub struct Prepared {
    hs: PrekeyHandshake,
    alice: IdentityKeyPair,
}

/// Bob's fresh prekeys and the bundle Alice fetched.
pub struct Input {
    store: PrekeyStore,
    bundle: PrekeyBundle,
}

impl Prepared {
    /// Resolves the suite and makes Alice's identity key.
    pub fn new(suite: &str, resolver: &dyn Resolver, rng: &mut dyn CryptoRng) -> Result<Self> {
        let hs = PrekeyHandshake::new(suite, resolver)?;
        let alice = hs.generate_identity(rng)?;
        Ok(Self { hs, alice })
    }

    /// Bob's prekeys for one run (made ahead of time in a deployment).
    pub fn setup(&self, rng: &mut dyn CryptoRng) -> Result<Input> {
        let (store, bundle) = bob(&self.hs, rng)?;
        Ok(Input { store, bundle })
    }

    /// Alice initiates (verifying the bundle), Bob accepts.
    pub fn handshake(
        &self,
        mut input: Input,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<usize> {
        let sent = self
            .hs
            .initiator(&self.alice, &input.bundle)?
            .initiate(PAYLOAD, rng, observer)?;
        let got = self.hs.accept(&mut input.store, &sent.wire, observer)?;
        if got.secret != sent.secret {
            return Err(twofold_handshake::HandshakeError::Misuse(
                "the two sides disagree",
            ));
        }
        Ok(sent.wire.len())
    }
}
