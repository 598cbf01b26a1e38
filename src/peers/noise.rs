//! snow and clatter playing whole handshakes, both sides in memory, with
//! the same work as twofold's handshake rows: both states built from the
//! protocol and the static keys (made once, outside the timer), every
//! message with an empty payload, then the switch to transport mode.
//!
//! Their APIs write into caller buffers, allocated once here; twofold
//! returns owned messages and pays for that allocation in its rows. Both
//! draw randomness from the operating system.

use clatter::crypto::cipher::ChaChaPoly;
use clatter::crypto::dh::X25519;
use clatter::crypto::hash::Sha256;
#[allow(deprecated)] // clatter 2.3 marks its PQClean module deprecated.
use clatter::crypto::kem::pqclean_ml_kem::MlKem768;
use clatter::handshakepattern::{self as hp, HandshakePattern};
use clatter::traits::{Dh as _, Handshaker, Kem as _};
use clatter::{HybridHandshake, HybridHandshakeParams, KeyPair, PqHandshake};
use std::hint::black_box;
use twofold_handshake::noise::{Pattern, PatternKind, ProtocolName, Role};
use twofold_harness::bench::stats::{Runner, runner};
use twofold_harness::bench::{BenchError, Result};

fn peer_err(who: &str, e: impl std::fmt::Display) -> BenchError {
    BenchError::Other(format!("{who}: {e}"))
}

/// Protocols snow 0.10 (features `hfs`, `use-pqcrypto-kyber1024`) speaks,
/// spelled as snow spells them.
pub const SNOW: &[&str] = &[
    "Noise_NN_25519_ChaChaPoly_SHA256",
    "Noise_XX_25519_ChaChaPoly_SHA256",
    "Noise_IK_25519_ChaChaPoly_SHA256",
    "Noise_NN_25519_ChaChaPoly_BLAKE2s",
    "Noise_XX_25519_ChaChaPoly_BLAKE2s",
    "Noise_IK_25519_ChaChaPoly_BLAKE2s",
    "Noise_NNhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
    "Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
    "Noise_IKhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
];

/// Makes one of clatter's handshake patterns.
pub type MakePattern = fn() -> HandshakePattern;

/// Protocols clatter 2.3 speaks, with the function that makes clatter's
/// pattern.
pub const CLATTER: &[(&str, MakePattern)] = &[
    ("Noise_pqNN_MLKEM768_ChaChaPoly_SHA256", hp::noise_pqnn),
    ("Noise_pqXX_MLKEM768_ChaChaPoly_SHA256", hp::noise_pqxx),
    ("Noise_pqIK_MLKEM768_ChaChaPoly_SHA256", hp::noise_pqik),
    (
        "Noise_hybridNN_25519+MLKEM768_ChaChaPoly_SHA256",
        hp::noise_hybrid_nn,
    ),
    (
        "Noise_hybridXX_25519+MLKEM768_ChaChaPoly_SHA256",
        hp::noise_hybrid_xx,
    ),
    (
        "Noise_hybridIK_25519+MLKEM768_ChaChaPoly_SHA256",
        hp::noise_hybrid_ik,
    ),
];

fn pattern(suite: &str) -> Result<Pattern> {
    Ok(ProtocolName::parse(suite)?.pattern().clone())
}

/// Message and payload buffers, allocated once.
struct Buffers {
    msg: Vec<u8>,
    payload: Vec<u8>,
}

impl Buffers {
    fn new() -> Self {
        // Noise's maximum message length (rev 34 §3).
        Self {
            msg: vec![0u8; 65535],
            payload: vec![0u8; 65535],
        }
    }
}

// ------------------------------------------------------------------ snow

/// A snow handshake of one protocol with both parties' static keys.
pub struct Snow {
    params: snow::params::NoiseParams,
    pattern: Pattern,
    keys: (snow::Keypair, snow::Keypair),
    buf: Buffers,
}

impl Snow {
    /// Parses `suite` and makes both parties' static keys.
    pub fn new(suite: &str) -> Result<Self> {
        let params: snow::params::NoiseParams = suite.parse().map_err(|e| peer_err("snow", e))?;
        let keypair = || {
            snow::Builder::new(params.clone())
                .generate_keypair()
                .map_err(|e| peer_err("snow", e))
        };
        let keys = (keypair()?, keypair()?);
        Ok(Self {
            pattern: pattern(suite)?,
            params,
            keys,
            buf: Buffers::new(),
        })
    }

    fn side(&self, role: Role) -> Result<snow::HandshakeState> {
        let (me, peer) = match role {
            Role::Initiator => (&self.keys.0, &self.keys.1),
            Role::Responder => (&self.keys.1, &self.keys.0),
        };
        let mut b = snow::Builder::new(self.params.clone());
        if self.pattern.uses_local_static(role) {
            b = b
                .local_private_key(&me.private)
                .map_err(|e| peer_err("snow", e))?;
        }
        if self.pattern.needs_remote_static(role) {
            b = b
                .remote_public_key(&peer.public)
                .map_err(|e| peer_err("snow", e))?;
        }
        match role {
            Role::Initiator => b.build_initiator(),
            Role::Responder => b.build_responder(),
        }
        .map_err(|e| peer_err("snow", e))
    }

    /// One full handshake; returns the bytes on the wire.
    pub fn handshake(&mut self) -> Result<usize> {
        let mut init = self.side(Role::Initiator)?;
        let mut resp = self.side(Role::Responder)?;
        let mut bytes = 0;
        for i in 0..self.pattern.messages().len() {
            let (w, r) = match self.pattern.sender(i) {
                Role::Initiator => (&mut init, &mut resp),
                Role::Responder => (&mut resp, &mut init),
            };
            let n = w
                .write_message(&[], &mut self.buf.msg)
                .map_err(|e| peer_err("snow", e))?;
            r.read_message(&self.buf.msg[..n], &mut self.buf.payload)
                .map_err(|e| peer_err("snow", e))?;
            bytes += n;
        }
        black_box(
            init.into_transport_mode()
                .map_err(|e| peer_err("snow", e))?,
        );
        black_box(
            resp.into_transport_mode()
                .map_err(|e| peer_err("snow", e))?,
        );
        Ok(bytes)
    }

    /// A runner of [`Self::handshake`].
    pub fn runner(mut self) -> Box<dyn Runner> {
        runner(move || self.handshake().map(drop))
    }
}

// --------------------------------------------------------------- clatter

#[allow(deprecated)]
type Kem768 = MlKem768;
type KemKeys =
    KeyPair<<Kem768 as clatter::traits::Kem>::PubKey, <Kem768 as clatter::traits::Kem>::SecretKey>;
type DhKeys =
    KeyPair<<X25519 as clatter::traits::Dh>::PubKey, <X25519 as clatter::traits::Dh>::PrivateKey>;

/// One party's static keys for clatter: ML-KEM-768 and (hybrid) X25519.
struct ClatterKeys {
    kem: KemKeys,
    dh: DhKeys,
}

fn clatter_keys() -> Result<ClatterKeys> {
    Ok(ClatterKeys {
        kem: Kem768::genkey().map_err(|e| peer_err("clatter", format!("{e:?}")))?,
        dh: X25519::genkey().map_err(|e| peer_err("clatter", format!("{e:?}")))?,
    })
}

/// A clatter handshake of one protocol (ML-KEM-768 from PQClean,
/// ChaChaPoly, SHA-256) with both parties' static keys.
pub struct Clatter {
    make: MakePattern,
    pattern: Pattern,
    keys: (ClatterKeys, ClatterKeys),
    buf: Buffers,
}

impl Clatter {
    /// The clatter handshake of `suite`, if clatter speaks it.
    pub fn new(suite: &str) -> Result<Option<Self>> {
        let Some((_, make)) = CLATTER.iter().find(|(n, _)| *n == suite) else {
            return Ok(None);
        };
        Ok(Some(Self {
            make: *make,
            pattern: pattern(suite)?,
            keys: (clatter_keys()?, clatter_keys()?),
            buf: Buffers::new(),
        }))
    }

    fn pq_side(&self, role: Role) -> Result<PqHandshake<Kem768, Kem768, ChaChaPoly, Sha256>> {
        let (me, peer) = self.mine(role);
        PqHandshake::new(
            (self.make)(),
            &[],
            role == Role::Initiator,
            self.pattern.uses_local_static(role).then(|| me.kem.clone()),
            None,
            self.pattern
                .needs_remote_static(role)
                .then(|| peer.kem.public.clone()),
            None,
        )
        .map_err(|e| peer_err("clatter", format!("{e:?}")))
    }

    fn hybrid_side(
        &self,
        role: Role,
    ) -> Result<HybridHandshake<X25519, Kem768, Kem768, ChaChaPoly, Sha256>> {
        let (me, peer) = self.mine(role);
        let mut params = HybridHandshakeParams::<X25519, Kem768, Kem768>::new(
            (self.make)(),
            role == Role::Initiator,
        );
        if self.pattern.uses_local_static(role) {
            params = params.with_s(me.dh.clone()).with_s_kem(me.kem.clone());
        }
        if self.pattern.needs_remote_static(role) {
            params = params
                .with_rs(peer.dh.public)
                .with_rs_kem(peer.kem.public.clone());
        }
        HybridHandshake::new(params).map_err(|e| peer_err("clatter", format!("{e:?}")))
    }

    fn mine(&self, role: Role) -> (&ClatterKeys, &ClatterKeys) {
        match role {
            Role::Initiator => (&self.keys.0, &self.keys.1),
            Role::Responder => (&self.keys.1, &self.keys.0),
        }
    }

    /// One full handshake; returns the bytes on the wire.
    pub fn handshake(&mut self) -> Result<usize> {
        if self.pattern.kind() == PatternKind::Pq {
            let init = self.pq_side(Role::Initiator)?;
            let resp = self.pq_side(Role::Responder)?;
            play(init, resp, &self.pattern, &mut self.buf)
        } else {
            let init = self.hybrid_side(Role::Initiator)?;
            let resp = self.hybrid_side(Role::Responder)?;
            play(init, resp, &self.pattern, &mut self.buf)
        }
    }

    /// A runner of [`Self::handshake`].
    pub fn runner(mut self) -> Box<dyn Runner> {
        runner(move || self.handshake().map(drop))
    }
}

/// Plays two built clatter handshakes to the end; returns the bytes on
/// the wire.
fn play<T: Handshaker<ChaChaPoly, Sha256>>(
    mut init: T,
    mut resp: T,
    pattern: &Pattern,
    buf: &mut Buffers,
) -> Result<usize> {
    let mut bytes = 0;
    for i in 0..pattern.messages().len() {
        let (w, r) = match pattern.sender(i) {
            Role::Initiator => (&mut init, &mut resp),
            Role::Responder => (&mut resp, &mut init),
        };
        let n = w
            .write_message(&[], &mut buf.msg)
            .map_err(|e| peer_err("clatter", format!("{e:?}")))?;
        r.read_message(&buf.msg[..n], &mut buf.payload)
            .map_err(|e| peer_err("clatter", format!("{e:?}")))?;
        bytes += n;
    }
    black_box(
        init.finalize()
            .map_err(|e| peer_err("clatter", format!("{e:?}")))?,
    );
    black_box(
        resp.finalize()
            .map_err(|e| peer_err("clatter", format!("{e:?}")))?,
    );
    Ok(bytes)
}
