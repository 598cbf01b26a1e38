//! Noise protocols, both sides in memory.

use twofold_core::{CryptoRng, Observer, Resolver, SecretBytes};
use twofold_handshake::HandshakeError;
use twofold_handshake::noise::{
    HandshakeBuilder, HandshakeState, PatternKind, ProtocolName, Role, TransportState,
};
use zeroize::Zeroizing;

use super::{Result, Transcript, WireMessage};

/// A party's long-term keys: (public, secret) for DH and for the KEM.
#[derive(Default)]
struct Statics {
    dh: Option<(Vec<u8>, SecretBytes)>,
    kem: Option<(Vec<u8>, SecretBytes)>,
}

/// A resolved protocol name with each party's builder configured with both
/// parties' static keys and the PSK.
pub struct Prepared {
    name: ProtocolName,
    /// The initiator's and the responder's configuration, made once like a
    /// deployment's long-term set-up (parsing the name, importing the static
    /// keys: a static DH key costs a scalar multiplication); every handshake
    /// starts from a copy.
    builders: [HandshakeBuilder; 2],
}

/// `role`'s builder: the protocol with its own static keys, the peer's
/// public ones it knows in advance, and the PSK.
fn builder(
    name: &ProtocolName,
    resolver: &dyn Resolver,
    role: Role,
    mine: &Statics,
    theirs: &Statics,
    psk: Option<&SecretBytes>,
) -> Result<HandshakeBuilder> {
    let pattern = name.pattern();
    let mut b = HandshakeBuilder::new(&name.to_string(), resolver)?;
    if pattern.uses_local_static(role) {
        if let Some((_, sk)) = &mine.dh {
            b = b.local_static_dh(sk.expose())?;
        }
        if let Some((pk, sk)) = &mine.kem {
            b = b.local_static_kem(pk, sk.expose())?;
        }
    }
    if pattern.needs_remote_static(role) {
        if let Some((pk, _)) = &theirs.dh {
            b = b.remote_static_dh(pk)?;
        }
        if let Some((pk, _)) = &theirs.kem {
            b = b.remote_static_kem(pk)?;
        }
    }
    if let Some(psk) = psk {
        for n in pattern.psk_numbers() {
            b = b.psk(n, psk.expose())?;
        }
    }
    Ok(b)
}

fn gone() -> HandshakeError {
    HandshakeError::Misuse("handshake state missing")
}

/// What a played handshake leaves: each message's sender and length, and
/// both parties' transport states.
struct Played {
    messages: Vec<(Role, usize)>,
    initiator: TransportState,
    responder: TransportState,
}

/// Every handshake message played: each one's sender and length, and both
/// finished handshake states (initiator's, responder's) before `Split()`.
pub(crate) struct Finished {
    pub(crate) messages: Vec<(Role, usize)>,
    pub(crate) states: [HandshakeState; 2],
}

impl Prepared {
    /// Parses `protocol`, resolves it, and makes the static keys and PSK
    /// its pattern needs.
    pub fn new(protocol: &str, resolver: &dyn Resolver, rng: &mut dyn CryptoRng) -> Result<Self> {
        let name = ProtocolName::parse(protocol)?;
        let suite = name.resolve(resolver)?;
        let pattern = name.pattern();
        let kind = pattern.kind();
        let mut statics = |role: Role| -> Result<Statics> {
            let mut s = Statics::default();
            if !(pattern.uses_local_static(role) || pattern.needs_remote_static(role.peer())) {
                return Ok(s);
            }
            if kind != PatternKind::Pq {
                let dh = suite.dh.ok_or(HandshakeError::MissingKey("DH function"))?;
                s.dh = Some(dh.generate(rng)?);
            }
            if kind != PatternKind::Classic {
                let kem = suite
                    .skem
                    .or(suite.ekem)
                    .ok_or(HandshakeError::MissingKey("static KEM"))?;
                s.kem = Some(kem.generate(rng)?);
            }
            Ok(s)
        };
        let initiator = statics(Role::Initiator)?;
        let responder = statics(Role::Responder)?;
        let psk = if pattern.has_psk() {
            let mut k = SecretBytes::zeroed(32);
            rng.fill_bytes(k.expose_mut());
            Some(k)
        } else {
            None
        };
        let builders = [
            builder(
                &name,
                resolver,
                Role::Initiator,
                &initiator,
                &responder,
                psk.as_ref(),
            )?,
            builder(
                &name,
                resolver,
                Role::Responder,
                &responder,
                &initiator,
                psk.as_ref(),
            )?,
        ];
        Ok(Self { name, builders })
    }

    /// Plays every handshake message, both parties drawing from `rng` and
    /// reporting to `observer`.
    pub(crate) fn finish(
        &self,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<Finished> {
        let [bi, br] = &self.builders;
        let mut parties: [Option<HandshakeState>; 2] = [
            Some(bi.duplicate().build(Role::Initiator, observer)?),
            Some(br.duplicate().build(Role::Responder, observer)?),
        ];
        let pattern = self.name.pattern();
        let mut messages = Vec::with_capacity(pattern.messages().len());
        for i in 0..pattern.messages().len() {
            let sender = pattern.sender(i);
            let (w, r) = match sender {
                Role::Initiator => (0, 1),
                Role::Responder => (1, 0),
            };
            let (ws, msg) =
                parties[w]
                    .take()
                    .ok_or_else(gone)?
                    .write_message(&[], rng, observer)?;
            parties[w] = Some(ws);
            let (rs, _) = parties[r]
                .take()
                .ok_or_else(gone)?
                .read_message(&msg, observer)?;
            parties[r] = Some(rs);
            messages.push((sender, msg.len()));
        }
        let [i, r] = parties;
        Ok(Finished {
            messages,
            states: [i.ok_or_else(gone)?, r.ok_or_else(gone)?],
        })
    }

    /// Plays the handshake up to `Split()`.
    fn play(&self, rng: &mut dyn CryptoRng, observer: &mut dyn Observer) -> Result<Played> {
        let Finished {
            messages,
            states: [i, r],
        } = self.finish(rng, observer)?;
        Ok(Played {
            messages,
            initiator: i.split(observer)?,
            responder: r.split(observer)?,
        })
    }

    /// One complete handshake (both sides, up to `Split()`); returns the
    /// bytes on the wire.
    pub fn handshake(&self, rng: &mut dyn CryptoRng, observer: &mut dyn Observer) -> Result<usize> {
        let played = self.play(rng, observer)?;
        Ok(played.messages.iter().map(|&(_, len)| len).sum())
    }
}

/// Runs `protocol` in memory, checks the transport keys both ways, and
/// returns the transcript.
pub fn run(
    protocol: &str,
    resolver: &dyn Resolver,
    rng: &mut dyn CryptoRng,
    observer: &mut dyn Observer,
) -> Result<Transcript> {
    let p = Prepared::new(protocol, resolver, rng)?;
    let played = p.play(rng, observer)?;
    let pattern = p.name.pattern();
    let messages = played
        .messages
        .iter()
        .zip(pattern.messages())
        .map(|(&(sender, len), tokens)| {
            let arrow = if sender == Role::Initiator {
                "->"
            } else {
                "<-"
            };
            let toks: Vec<&str> = tokens.iter().map(|t| t.as_str()).collect();
            WireMessage {
                from: sender.as_str(),
                name: format!("{arrow} {}", toks.join(", ")),
                len,
            }
        })
        .collect();
    let (mut ti, mut tr) = (played.initiator, played.responder);
    // The transport keys agree if a message goes through each way.
    let ping = ti.write_message(b"ping")?;
    if tr.read_message(&ping)? != b"ping" {
        return Err(HandshakeError::Misuse("transport keys disagree"));
    }
    if !pattern.is_one_way() {
        let pong = tr.write_message(b"pong")?;
        if ti.read_message(&pong)? != b"pong" {
            return Err(HandshakeError::Misuse("transport keys disagree"));
        }
    }
    Ok(Transcript {
        suite: p.name.to_string(),
        messages,
        secret_name: "h (handshake hash; transport keys checked both ways)",
        initiator_secret: Zeroizing::new(ti.handshake_hash().to_vec()),
        responder_secret: Zeroizing::new(tr.handshake_hash().to_vec()),
    })
}
