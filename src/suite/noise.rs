//! Noise protocols, both sides in memory.

use std::cell::RefCell;

use twofold_core::{CryptoRng, Resolver};
use twofold_handshake::HandshakeError;
use twofold_handshake::noise::{
    HandshakeBuilder, HandshakeState, PatternKind, ProtocolName, Role, TraceEntry, TraceKind,
    TransportState,
};
use twofold_primitives::registry::REGISTRY;

use super::{Line, Result, Transcript, WireMessage};

/// A party's long-term keys: (public, secret) for DH and for the KEM.
#[derive(Default)]
struct Statics {
    dh: Option<(Vec<u8>, twofold_core::SecretBytes)>,
    kem: Option<(Vec<u8>, twofold_core::SecretBytes)>,
}

/// A resolved protocol name with both parties' static keys and PSK, and
/// each party's builder configured with them.
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
    resolver: &'static dyn Resolver,
    role: Role,
    mine: &Statics,
    theirs: &Statics,
    psk: Option<&twofold_core::SecretBytes>,
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

/// One party's handle on the caller's `rng`. Each handshake state holds a
/// `&mut dyn CryptoRng` for its whole life and both are alive at once, so
/// they share the caller's generator through a `RefCell`: requests are
/// served in the order the handshake makes them (a seeded stream still
/// gives a reproducible run), and the handshake draws from the same source
/// as its floor.
struct SharedRng<'a, 'b>(&'a RefCell<&'b mut dyn CryptoRng>);

impl CryptoRng for SharedRng<'_, '_> {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        // Never borrowed twice: the handshake is single-threaded and the
        // inner generator cannot call back into this handle.
        self.0.borrow_mut().fill_bytes(dest);
    }
    fn is_deterministic(&self) -> bool {
        self.0.borrow().is_deterministic()
    }
}

/// Each message's sender and length, and both parties' final states.
type Played<'r> = (Vec<(Role, usize)>, HandshakeState<'r>, HandshakeState<'r>);

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

    /// A fresh copy of `role`'s configured builder.
    fn builder(&self, role: Role, trace: bool) -> HandshakeBuilder {
        let i = match role {
            Role::Initiator => 0,
            Role::Responder => 1,
        };
        self.builders[i].duplicate().trace(trace)
    }

    /// Runs the handshake; returns each message's sender and length, and
    /// both parties' final states (traces included when `trace`).
    fn play<'r>(
        &self,
        ri: &'r mut dyn CryptoRng,
        rr: &'r mut dyn CryptoRng,
        trace: bool,
    ) -> Result<Played<'r>> {
        let mut init: Option<HandshakeState> = Some(
            self.builder(Role::Initiator, trace)
                .build(Role::Initiator, ri)?,
        );
        let mut resp: Option<HandshakeState> = Some(
            self.builder(Role::Responder, trace)
                .build(Role::Responder, rr)?,
        );
        let pattern = self.name.pattern();
        let mut messages = Vec::with_capacity(pattern.messages().len());
        for i in 0..pattern.messages().len() {
            let sender = pattern.sender(i);
            let (w, r) = match sender {
                Role::Initiator => (&mut init, &mut resp),
                Role::Responder => (&mut resp, &mut init),
            };
            let (ws, msg) = w.take().ok_or_else(gone)?.write_message(&[])?;
            *w = Some(ws);
            let (rs, _) = r.take().ok_or_else(gone)?.read_message(&msg)?;
            *r = Some(rs);
            messages.push((sender, msg.len()));
        }
        Ok((messages, init.ok_or_else(gone)?, resp.ok_or_else(gone)?))
    }

    /// Runs the handshake, both sides drawing from `rng`; returns the messages, both traces and both transport states.
    fn play_described(
        &self,
        rng: &mut dyn CryptoRng,
        trace: bool,
    ) -> Result<(
        Vec<WireMessage>,
        Vec<TraceEntry>,
        TransportState,
        TransportState,
    )> {
        let shared = RefCell::new(rng);
        let (mut ri, mut rr) = (SharedRng(&shared), SharedRng(&shared));
        let (sent, init, resp) = self.play(&mut ri, &mut rr, trace)?;
        let pattern = self.name.pattern();
        let messages = sent
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

    /// One complete handshake (both sides, up to `Split()`); returns the
    /// bytes on the wire.
    pub fn handshake(&self, rng: &mut dyn CryptoRng) -> Result<usize> {
        let shared = RefCell::new(rng);
        let (mut ri, mut rr) = (SharedRng(&shared), SharedRng(&shared));
        let (sent, init, resp) = self.play(&mut ri, &mut rr, false)?;
        drop((init.split()?, resp.split()?));
        Ok(sent.iter().map(|&(_, len)| len).sum())
    }
}

/// Runs `protocol` in memory, checks the transport keys both ways, and
/// returns the transcript.
pub fn run(protocol: &str, rng: &mut dyn CryptoRng, trace: bool) -> Result<Transcript> {
    let p = Prepared::new(protocol, &*REGISTRY, rng)?;
    let (messages, entries, mut ti, mut tr) = p.play_described(rng, trace)?;
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
