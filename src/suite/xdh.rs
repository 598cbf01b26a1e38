//! X3DH and PQXDH, both sides in memory.

use twofold_core::{CryptoRng, Resolver};
use twofold_handshake::bundle::{IdentityKeyPair, PrekeyBundle, PrekeyServer, PrekeyStore};
use twofold_handshake::pqxdh::Pqxdh;
use twofold_handshake::trace::Trace;
use twofold_handshake::x3dh::{Initiated, SessionSecret, X3dh, Xdh};
use twofold_primitives::registry::REGISTRY;

use super::{Line, Protocol, Result, Transcript, WireMessage, protocol_of};

/// The initial payload of a demonstration run.
const PAYLOAD: &[u8] = b"hello Bob";
/// Bob's address on the in-memory prekey server.
const BOB: &str = "bob";

/// X3DH or PQXDH: both dereference to the shared [`Xdh`] engine.
enum Engine {
    X3dh(X3dh),
    Pqxdh(Pqxdh),
}

impl Engine {
    fn new(suite: &str, resolver: &dyn Resolver) -> Result<Self> {
        Ok(match protocol_of(suite)? {
            Protocol::X3dh => Self::X3dh(X3dh::new(suite, resolver)?),
            _ => Self::Pqxdh(Pqxdh::new(suite, resolver)?),
        })
    }
}

impl core::ops::Deref for Engine {
    type Target = Xdh;
    fn deref(&self) -> &Xdh {
        match self {
            Self::X3dh(h) => h,
            Self::Pqxdh(h) => h,
        }
    }
}

/// Bob's prekeys (signed prekey, one one-time curve prekey and, for PQXDH,
/// a last-resort and one one-time KEM prekey), published and fetched.
fn bob(e: &Engine, rng: &mut dyn CryptoRng) -> Result<(PrekeyStore, PrekeyBundle)> {
    let mut store = e.new_store(e.generate_identity(rng)?)?;
    store.generate_signed_prekey(rng)?;
    store.generate_one_time_prekeys(1, rng)?;
    if e.bundle_params().kem.is_some() {
        store.generate_last_resort_kem_prekey(rng)?;
        store.generate_one_time_kem_prekeys(1, rng)?;
    }
    let mut server = PrekeyServer::new();
    server.publish(BOB, store.published_bundle()?);
    let bundle = server.fetch(BOB)?;
    Ok((store, bundle))
}

fn secret_bytes(s: &SessionSecret) -> Vec<u8> {
    let mut out = s.root_key().expose().to_vec();
    for k in [s.chain_key(), s.pq_ratchet_auth_key()]
        .into_iter()
        .flatten()
    {
        out.extend_from_slice(k.expose());
    }
    out
}

/// Runs Bob's publication, Alice's initiation and Bob's acceptance.
pub fn run(suite: &str, rng: &mut dyn CryptoRng, trace: bool) -> Result<Transcript> {
    let e = Engine::new(suite, &*REGISTRY)?;
    let (mut store, bundle) = bob(&e, rng)?;
    let alice = e.generate_identity(rng)?;
    let mut ta = Trace::new(trace);
    let sent: Initiated = e
        .initiator(&alice, &bundle)?
        .initiate(PAYLOAD, rng, &mut ta)?;
    let mut tb = Trace::new(trace);
    let got = e.accept(&mut store, &sent.wire, &mut tb)?;
    let steps = ta
        .steps()
        .iter()
        .chain(tb.steps())
        .map(|s| Line {
            party: s.party.to_string(),
            name: s.name.clone(),
            value: s.value.clone(),
        })
        .collect();
    let secret_name = match (sent.secret.chain_key(), sent.secret.pq_ratchet_auth_key()) {
        (Some(_), Some(_)) => "RK || CK || PQRK",
        (Some(_), None) => "RK || CK",
        _ => "SK",
    };
    Ok(Transcript {
        suite: e.suite_name().to_string(),
        messages: vec![WireMessage {
            from: "initiator",
            name: "initial message".to_string(),
            len: sent.wire.len(),
        }],
        steps,
        secret_name,
        initiator_secret: secret_bytes(&sent.secret),
        responder_secret: secret_bytes(&got.secret),
    })
}

/// A suite with Alice's identity made; Bob's keys come per run.
pub struct Prepared {
    engine: Engine,
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
        let engine = Engine::new(suite, resolver)?;
        let alice = engine.generate_identity(rng)?;
        Ok(Self { engine, alice })
    }

    /// Bob's prekeys for one run (made ahead of time in a deployment).
    pub fn setup(&self, rng: &mut dyn CryptoRng) -> Result<Input> {
        let (store, bundle) = bob(&self.engine, rng)?;
        Ok(Input { store, bundle })
    }

    /// Alice initiates (verifying the bundle), Bob accepts.
    pub fn handshake(&self, mut input: Input, rng: &mut dyn CryptoRng) -> Result<usize> {
        let mut off = Trace::new(false);
        let sent = self
            .engine
            .initiator(&self.alice, &input.bundle)?
            .initiate(PAYLOAD, rng, &mut off)?;
        let got = self.engine.accept(&mut input.store, &sent.wire, &mut off)?;
        if got.secret != sent.secret {
            return Err(twofold_handshake::HandshakeError::Misuse(
                "the two sides disagree",
            ));
        }
        Ok(sent.wire.len())
    }
}
