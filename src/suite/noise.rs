//! Noise protocols, both sides in memory.

use twofold_core::{CryptoRng, Resolver, ShakeRng};
use twofold_handshake::HandshakeError;
use twofold_handshake::noise::{
    HandshakeBuilder, HandshakeState, PatternKind, ProtocolName, Role, Suite, Token, TraceEntry,
    TraceKind, TransportState,
};
use twofold_primitives::registry::REGISTRY;

use super::{Floor, Line, Result, Transcript, WireMessage};

/// A party's long-term keys: (public, secret) for DH and for the KEM.
#[derive(Default)]
struct Statics {
    dh: Option<(Vec<u8>, twofold_core::SecretBytes)>,
    kem: Option<(Vec<u8>, twofold_core::SecretBytes)>,
}

/// A resolved protocol name with both parties' static keys and PSK.
pub struct Prepared {
    name: ProtocolName,
    suite: Suite,
    initiator: Statics,
    responder: Statics,
    psk: Option<twofold_core::SecretBytes>,
    resolver: &'static dyn Resolver,
}

fn gone() -> HandshakeError {
    HandshakeError::Misuse("handshake state missing")
}

impl Prepared {
    /// Parses `protocol`, resolves it, and makes the static keys and PSK
    /// its pattern needs.
    pub fn new(
        protocol: &str,
        resolver: &'static dyn Resolver,
        rng: &mut dyn CryptoRng,
    ) -> Result<Self> {
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
            let mut k = twofold_core::SecretBytes::zeroed(32);
            rng.fill_bytes(k.expose_mut());
            Some(k)
        } else {
            None
        };
        Ok(Self {
            name,
            suite,
            initiator,
            responder,
            psk,
            resolver,
        })
    }

    fn builder(&self, role: Role, trace: bool) -> Result<HandshakeBuilder> {
        let pattern = self.name.pattern();
        let (mine, theirs) = match role {
            Role::Initiator => (&self.initiator, &self.responder),
            Role::Responder => (&self.responder, &self.initiator),
        };
        let mut b = HandshakeBuilder::new(&self.name.to_string(), self.resolver)?.trace(trace);
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
        if let Some(psk) = &self.psk {
            for n in pattern.psk_numbers() {
                b = b.psk(n, psk.expose())?;
            }
        }
        Ok(b)
    }

    /// Runs the handshake; returns the messages, both traces and both
    /// transport states.
    fn play(
        &self,
        rng: &mut dyn CryptoRng,
        trace: bool,
    ) -> Result<(
        Vec<WireMessage>,
        Vec<TraceEntry>,
        TransportState,
        TransportState,
    )> {
        // Each side borrows its own stream for the whole handshake.
        let mut seeds = [0u8; 64];
        rng.fill_bytes(&mut seeds);
        let mut ri = ShakeRng::new(&seeds[..32]);
        let mut rr = ShakeRng::new(&seeds[32..]);
        let mut init: Option<HandshakeState> = Some(
            self.builder(Role::Initiator, trace)?
                .build(Role::Initiator, &mut ri)?,
        );
        let mut resp: Option<HandshakeState> = Some(
            self.builder(Role::Responder, trace)?
                .build(Role::Responder, &mut rr)?,
        );
        let pattern = self.name.pattern();
        let mut messages = Vec::new();
        for (i, tokens) in pattern.messages().iter().enumerate() {
            let sender = pattern.sender(i);
            let (w, r) = match sender {
                Role::Initiator => (&mut init, &mut resp),
                Role::Responder => (&mut resp, &mut init),
            };
            let (ws, msg) = w.take().ok_or_else(gone)?.write_message(&[])?;
            *w = Some(ws);
            let (rs, _) = r.take().ok_or_else(gone)?.read_message(&msg)?;
            *r = Some(rs);
            let arrow = if sender == Role::Initiator {
                "->"
            } else {
                "<-"
            };
            let toks: Vec<&str> = tokens.iter().map(|t| t.as_str()).collect();
            messages.push(WireMessage {
                from: sender.as_str(),
                name: format!("{arrow} {}", toks.join(", ")),
                len: msg.len(),
            });
        }
        let (init, resp) = (init.ok_or_else(gone)?, resp.ok_or_else(gone)?);
        let mut entries: Vec<TraceEntry> =
            init.trace().iter().chain(resp.trace()).cloned().collect();
        // Interleave the two traces message by message: set-up first, then
        // the writer's steps before the reader's.
        entries.sort_by_key(|e| {
            (
                e.message,
                match e.kind {
                    TraceKind::Setup => 0,
                    TraceKind::Write => 1,
                    TraceKind::Read => 2,
                },
            )
        });
        Ok((messages, entries, init.split()?, resp.split()?))
    }

    /// One complete handshake and one transport message each way.
    pub fn handshake(&self, rng: &mut dyn CryptoRng) -> Result<usize> {
        let (messages, _, _, _) = self.play(rng, false)?;
        Ok(messages.iter().map(|m| m.len).sum())
    }

    /// Per token: `e` generates (DH, KEM or both), a DH token is one DH on
    /// each side, `e1` generates a KEM key, `ekem1`/`ekem`/`skem` are one
    /// encapsulation and one decapsulation.
    pub fn floor(&self, rng: &mut dyn CryptoRng) -> Result<Floor> {
        let mut f = Floor::new();
        let kind = self.name.pattern().kind();
        let dh = || {
            self.suite
                .dh
                .ok_or(HandshakeError::MissingKey("DH function"))
        };
        let ekem = || self.suite.ekem.ok_or(HandshakeError::MissingKey("KEM"));
        let skem = || {
            self.suite
                .skem
                .or(self.suite.ekem)
                .ok_or(HandshakeError::MissingKey("static KEM"))
        };
        for t in self.name.pattern().messages().iter().flatten() {
            match t {
                Token::E => {
                    if kind != PatternKind::Pq {
                        f.dh_keygen(dh()?);
                    }
                    if kind != PatternKind::Classic {
                        f.kem_keygen(ekem()?);
                    }
                }
                Token::Ee | Token::Es | Token::Se | Token::Ss => {
                    f.dh(dh()?, rng)?;
                    f.dh(dh()?, rng)?;
                }
                Token::E1 => f.kem_keygen(ekem()?),
                Token::Ekem1 | Token::Ekem => f.kem_exchange(ekem()?, rng)?,
                Token::Skem => f.kem_exchange(skem()?, rng)?,
                Token::S | Token::Psk(_) => {}
            }
        }
        Ok(f)
    }
}

/// Runs `protocol` in memory, checks the transport keys both ways, and
/// returns the transcript.
pub fn run(protocol: &str, rng: &mut dyn CryptoRng, trace: bool) -> Result<Transcript> {
    let p = Prepared::new(protocol, &*REGISTRY, rng)?;
    let (messages, entries, mut ti, mut tr) = p.play(rng, trace)?;
    let mut steps = Vec::new();
    for e in &entries {
        let party = e.party.as_str().to_string();
        let tag = match e.kind {
            TraceKind::Setup => "init".to_string(),
            TraceKind::Write => format!("msg {} write", e.message),
            TraceKind::Read => format!("msg {} read", e.message),
        };
        let mut push = |what: &str, value: &[u8]| {
            steps.push(Line {
                party: party.clone(),
                name: format!("{tag} {}{what}", e.step),
                value: value.to_vec(),
            })
        };
        push("", &e.bytes);
        push(" → h", &e.h);
        push(" → ck", &e.ck);
        if let Some(k) = &e.k {
            push(" → k", k);
        }
    }
    // The transport keys agree if a message goes through each way.
    let ping = ti.write_message(b"ping")?;
    if tr.read_message(&ping)? != b"ping" {
        return Err(HandshakeError::Misuse("transport keys disagree"));
    }
    if !p.name.pattern().is_one_way() {
        let pong = tr.write_message(b"pong")?;
        if ti.read_message(&pong)? != b"pong" {
            return Err(HandshakeError::Misuse("transport keys disagree"));
        }
    }
    Ok(Transcript {
        suite: p.name.to_string(),
        messages,
        steps,
        secret_name: "h (handshake hash; transport keys checked both ways)",
        initiator_secret: ti.handshake_hash().to_vec(),
        responder_secret: tr.handshake_hash().to_vec(),
    })
}
