//! `noise` vectors: the cacophony / snow layout, extended with the KEM
//! fields that hfs, PQNoise and hybrid patterns need, and with every step.
//!
//! Inputs (cacophony's names): `protocol_name`, `{init,resp}_prologue`,
//! `{init,resp}_psks`, `{init,resp}_static` and `{init,resp}_ephemeral`
//! (X25519 secret keys), and per message `payload`; added for KEMs:
//! `{init,resp}_static_kem_coins` and `{init,resp}_ephemeral_kem_coins`
//! (key-generation coins, e.g. ML-KEM `d || z`) and per message
//! `encaps_coins` (one entry per `ekem1` / `ekem` / `skem` token of the
//! message, in token order). Derived: `{init,resp}_remote_static`,
//! `*_kem_public`, `*_remote_static_kem`, every `ciphertext`, the
//! `handshake_hash` and the `steps`. Messages after the handshake are
//! transport messages, sent by the initiator when the index is even (or
//! always, for one-way patterns), as in cacophony.

use serde::Serialize;
use twofold_core::{AlgorithmId, CryptoRng, Kem, Recorder, ReplayRng, SecretBytes};
use twofold_handshake::HandshakeError;
use twofold_handshake::noise::{
    HandshakeBuilder, HandshakeState, Modifier, PatternKind, ProtocolName, Role, Suite, Token,
};
use twofold_primitives::registry::REGISTRY;

use crate::error::{AtPath, Result, VectorError};
use crate::json::Node;
use crate::{Case, Generated, Step, draw, needs_coins, steps};

/// One party's inputs and the public values derived from them.
#[derive(Debug, Default, Clone)]
struct Party {
    prologue: Vec<u8>,
    psks: Vec<Vec<u8>>,
    static_dh: Option<Vec<u8>>,
    ephemeral_dh: Option<Vec<u8>>,
    static_kem_coins: Option<Vec<u8>>,
    ephemeral_kem_coins: Option<Vec<u8>>,
}

/// A message: its payload and KEM coins (inputs), its bytes (derived).
#[derive(Debug, Serialize)]
struct MessageOut {
    #[serde(serialize_with = "crate::hexser::bytes")]
    payload: Vec<u8>,
    #[serde(serialize_with = "crate::hexser::bytes")]
    ciphertext: Vec<u8>,
    #[serde(
        serialize_with = "crate::hexser::list",
        skip_serializing_if = "Vec::is_empty"
    )]
    encaps_coins: Vec<Vec<u8>>,
}

/// A Noise vector, members in cacophony's order, then the KEM fields,
/// then the steps.
#[derive(Debug, Serialize)]
pub struct NoiseCase {
    protocol_name: String,
    #[serde(serialize_with = "crate::hexser::bytes")]
    init_prologue: Vec<u8>,
    #[serde(
        serialize_with = "crate::hexser::list",
        skip_serializing_if = "Vec::is_empty"
    )]
    init_psks: Vec<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    init_static: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    init_ephemeral: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    init_remote_static: Option<Vec<u8>>,
    #[serde(serialize_with = "crate::hexser::bytes")]
    resp_prologue: Vec<u8>,
    #[serde(
        serialize_with = "crate::hexser::list",
        skip_serializing_if = "Vec::is_empty"
    )]
    resp_psks: Vec<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    resp_static: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    resp_ephemeral: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    resp_remote_static: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    init_static_kem_coins: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    init_static_kem_public: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    init_ephemeral_kem_coins: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    init_ephemeral_kem_public: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    init_remote_static_kem: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    resp_static_kem_coins: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    resp_static_kem_public: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    resp_ephemeral_kem_coins: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    resp_ephemeral_kem_public: Option<Vec<u8>>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    resp_remote_static_kem: Option<Vec<u8>>,
    #[serde(serialize_with = "crate::hexser::bytes")]
    handshake_hash: Vec<u8>,
    messages: Vec<MessageOut>,
    steps: Vec<Step>,
}

/// Which keys a party of a pattern holds.
#[derive(Debug, Clone, Copy, Default)]
struct Needs {
    static_dh: bool,
    static_kem: bool,
    ephemeral_dh: bool,
    ephemeral_kem: bool,
}

fn needs(name: &ProtocolName, role: Role) -> Needs {
    let p = name.pattern();
    let kind = p.kind();
    let has_static = p.uses_local_static(role) || p.needs_remote_static(role.peer());
    let sends = |tok: Token| {
        p.messages()
            .iter()
            .enumerate()
            .any(|(i, m)| p.sender(i) == role && m.contains(&tok))
    };
    let sends_e = sends(Token::E);
    Needs {
        static_dh: has_static && kind != PatternKind::Pq,
        static_kem: has_static && kind != PatternKind::Classic,
        ephemeral_dh: sends_e && kind != PatternKind::Pq,
        ephemeral_kem: (sends_e && kind != PatternKind::Classic) || sends(Token::E1),
    }
}

/// The KEM each encapsulating token of message `i` uses, in token order.
fn encaps_kems(name: &ProtocolName, suite: &Suite, i: usize) -> Vec<&'static dyn Kem> {
    name.pattern()
        .messages()
        .get(i)
        .map(|m| {
            m.iter()
                .filter_map(|t| match t {
                    Token::Skem => suite.skem,
                    Token::Ekem | Token::Ekem1 => suite.ekem,
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// PSK numbers in the order of the name's psk modifiers (cacophony's order
/// of `*_psks`).
fn psk_numbers(name: &ProtocolName) -> Vec<u8> {
    name.modifiers()
        .iter()
        .filter_map(|m| match m {
            Modifier::Psk(n) => Some(*n),
            Modifier::Hfs => None,
        })
        .collect()
}

/// A party's key pairs made from its inputs.
struct Keys {
    static_dh_public: Option<Vec<u8>>,
    static_kem: Option<(Vec<u8>, SecretBytes)>,
    ephemeral_kem: Option<(Vec<u8>, SecretBytes)>,
}

fn keys(suite: &Suite, party: &Party, path: &str) -> Result<Keys> {
    let static_dh_public = match (&party.static_dh, suite.dh) {
        (Some(s), Some(dh)) => Some(dh.public_key(s).at(path)?),
        _ => None,
    };
    let kem = |coins: &Option<Vec<u8>>, kem: Option<&'static dyn Kem>| -> Result<_> {
        match (coins, kem) {
            (Some(c), Some(k)) => Ok(Some(k.generate_derand(c).at(path)?)),
            _ => Ok(None),
        }
    };
    Ok(Keys {
        static_dh_public,
        static_kem: kem(&party.static_kem_coins, suite.skem)?,
        ephemeral_kem: kem(&party.ephemeral_kem_coins, suite.ekem)?,
    })
}

fn builder(
    name: &str,
    role: Role,
    me: &Party,
    mine: &Keys,
    theirs: &Keys,
    path: &str,
) -> Result<HandshakeBuilder> {
    let mut b = HandshakeBuilder::new(name, &*REGISTRY).at("$.suite")?;
    let parsed = b.protocol_name().clone();
    let p = parsed.pattern();
    if let Some(s) = &me.static_dh {
        b = b.local_static_dh(s).at(path)?;
    }
    if let Some((pk, sk)) = &mine.static_kem {
        b = b.local_static_kem(pk, sk.expose()).at(path)?;
    }
    if p.needs_remote_static(role) {
        if let Some(pk) = &theirs.static_dh_public {
            b = b.remote_static_dh(pk).at(path)?;
        }
        if let Some((pk, _)) = &theirs.static_kem {
            b = b.remote_static_kem(pk).at(path)?;
        }
    }
    if let Some(e) = &me.ephemeral_dh {
        b = b.fixed_ephemeral_dh(e).at(path)?;
    }
    if let Some((pk, sk)) = &mine.ephemeral_kem {
        b = b.fixed_ephemeral_kem(pk, sk.expose()).at(path)?;
    }
    let numbers = psk_numbers(&parsed);
    if numbers.len() != me.psks.len() {
        let who = if role == Role::Initiator {
            "init"
        } else {
            "resp"
        };
        return Err(VectorError::Field {
            path: format!("{path}.{who}_psks"),
            problem: format!(
                "the name has {} psk modifiers, the list {} keys",
                numbers.len(),
                me.psks.len()
            ),
        });
    }
    for (n, k) in numbers.iter().zip(&me.psks) {
        b = b.psk(*n, k).at(path)?;
    }
    Ok(b.prologue(&me.prologue))
}

fn gone() -> HandshakeError {
    HandshakeError::Misuse("handshake state missing")
}

/// Runs the handshake and the transport messages from the inputs.
fn compute(
    name: &str,
    init: Party,
    resp: Party,
    messages: Vec<(Vec<u8>, Vec<Vec<u8>>)>,
    path: &str,
) -> Result<NoiseCase> {
    let parsed = ProtocolName::parse(name).at("$.suite")?;
    let suite = parsed.resolve(&*REGISTRY).at("$.suite")?;
    let dh = suite.dh.map(|d| d as &dyn AlgorithmId);
    let kems = [suite.ekem, suite.skem].map(|k| k.map(|k| k as &dyn AlgorithmId));
    for a in [dh].into_iter().chain(kems).flatten() {
        needs_coins(a)?;
    }
    let pattern = parsed.pattern();
    let ki = keys(&suite, &init, path)?;
    let kr = keys(&suite, &resp, path)?;
    let rec = Recorder::new();
    let mut obs = rec.clone();
    let mut parties: [Option<HandshakeState>; 2] = [
        Some(
            builder(name, Role::Initiator, &init, &ki, &kr, path)?
                .build(Role::Initiator, &mut obs)
                .at(path)?,
        ),
        Some(
            builder(name, Role::Responder, &resp, &kr, &ki, path)?
                .build(Role::Responder, &mut obs)
                .at(path)?,
        ),
    ];
    let n_hs = pattern.messages().len();
    if messages.len() < n_hs {
        return Err(VectorError::Field {
            path: format!("{path}.messages"),
            problem: format!(
                "{} messages; the pattern has {n_hs} handshake messages",
                messages.len()
            ),
        });
    }
    let mut out = Vec::with_capacity(messages.len());
    let mut rest = messages.into_iter().enumerate();
    for (i, (payload, coins)) in rest.by_ref().take(n_hs) {
        let (w, r) = match pattern.sender(i) {
            Role::Initiator => (0, 1),
            Role::Responder => (1, 0),
        };
        let mut rng = ReplayRng::new(coins.clone());
        let (ws, msg) = parties[w]
            .take()
            .ok_or_else(gone)
            .at(path)?
            .write_message(&payload, &mut rng, &mut obs)
            .at(path)?;
        rng.finish().map_err(|e| VectorError::Field {
            path: format!("{path}.messages[{i}].encaps_coins"),
            problem: format!("the message's KEM tokens did not take these coins: {e}"),
        })?;
        parties[w] = Some(ws);
        let (rs, got) = parties[r]
            .take()
            .ok_or_else(gone)
            .at(path)?
            .read_message(&msg, &mut obs)
            .at(path)?;
        parties[r] = Some(rs);
        if got != payload {
            return Err(HandshakeError::Misuse("the reader got another payload")).at(path);
        }
        out.push(MessageOut {
            payload,
            ciphertext: msg,
            encaps_coins: coins,
        });
    }
    let [i, r] = parties;
    let (i, r) = (i.ok_or_else(gone).at(path)?, r.ok_or_else(gone).at(path)?);
    let hash = i.handshake_hash().to_vec();
    if r.handshake_hash() != hash {
        return Err(HandshakeError::Misuse("the handshake hashes differ")).at(path);
    }
    let mut ti = i.split(&mut obs).at(path)?;
    let mut tr = r.split(&mut obs).at(path)?;
    for (k, (payload, coins)) in rest {
        if !coins.is_empty() {
            return Err(VectorError::Field {
                path: format!("{path}.messages[{k}].encaps_coins"),
                problem: "transport messages draw no coins".to_string(),
            });
        }
        let (s, rd) = if pattern.is_one_way() || k.is_multiple_of(2) {
            (&mut ti, &mut tr)
        } else {
            (&mut tr, &mut ti)
        };
        let c = s.write_message(&payload).at(path)?;
        if rd.read_message(&c).at(path)? != payload {
            return Err(HandshakeError::Misuse("transport keys disagree")).at(path);
        }
        out.push(MessageOut {
            payload,
            ciphertext: c,
            encaps_coins: Vec::new(),
        });
    }
    drop(obs);
    let remote = |needed: bool, k: &Option<Vec<u8>>| if needed { k.clone() } else { None };
    let remote_kem = |needed: bool, k: &Option<(Vec<u8>, SecretBytes)>| {
        if needed {
            k.as_ref().map(|(pk, _)| pk.clone())
        } else {
            None
        }
    };
    let (ni, nr) = (
        pattern.needs_remote_static(Role::Initiator),
        pattern.needs_remote_static(Role::Responder),
    );
    let public = |k: &Option<(Vec<u8>, SecretBytes)>| k.as_ref().map(|(pk, _)| pk.clone());
    let steps = steps(&rec.trace());
    Ok(NoiseCase {
        protocol_name: name.to_string(),
        init_remote_static: remote(ni, &kr.static_dh_public),
        resp_remote_static: remote(nr, &ki.static_dh_public),
        init_static_kem_public: public(&ki.static_kem),
        init_ephemeral_kem_public: public(&ki.ephemeral_kem),
        init_remote_static_kem: remote_kem(ni, &kr.static_kem),
        resp_static_kem_public: public(&kr.static_kem),
        resp_ephemeral_kem_public: public(&kr.ephemeral_kem),
        resp_remote_static_kem: remote_kem(nr, &ki.static_kem),
        init_prologue: init.prologue,
        init_psks: init.psks,
        init_static: init.static_dh,
        init_ephemeral: init.ephemeral_dh,
        init_static_kem_coins: init.static_kem_coins,
        init_ephemeral_kem_coins: init.ephemeral_kem_coins,
        resp_prologue: resp.prologue,
        resp_psks: resp.psks,
        resp_static: resp.static_dh,
        resp_ephemeral: resp.ephemeral_dh,
        resp_static_kem_coins: resp.static_kem_coins,
        resp_ephemeral_kem_coins: resp.ephemeral_kem_coins,
        handshake_hash: hash,
        messages: out,
        steps,
    })
}

/// A party's keys drawn in the documented order: static DH secret, static
/// KEM coins, ephemeral DH secret, ephemeral KEM coins (each only if the
/// pattern gives the party that key).
fn draw_party(suite: &Suite, n: Needs, prologue: &[u8], rng: &mut dyn CryptoRng) -> Party {
    let dh_len = suite.dh.map_or(0, |d| d.sizes().sk);
    Party {
        prologue: prologue.to_vec(),
        psks: Vec::new(),
        static_dh: n.static_dh.then(|| draw(rng, dh_len)),
        static_kem_coins: suite
            .skem
            .filter(|_| n.static_kem)
            .map(|k| draw(rng, k.sizes().keygen_coins)),
        ephemeral_dh: n.ephemeral_dh.then(|| draw(rng, dh_len)),
        ephemeral_kem_coins: suite
            .ekem
            .filter(|_| n.ephemeral_kem)
            .map(|k| draw(rng, k.sizes().keygen_coins)),
    }
}

pub(crate) fn generate(name: &str, rng: &mut dyn CryptoRng) -> Result<Generated> {
    let parsed = ProtocolName::parse(name).at("$.suite")?;
    let suite = parsed.resolve(&*REGISTRY).at("$.suite")?;
    let name = parsed.to_string();
    let pattern = parsed.pattern();
    let n_hs = pattern.messages().len();
    let mut cases = Vec::new();
    // Case 1: a prologue and payloads in every message; case 2: none.
    for (c, prologue) in [&b"twofold vectors"[..], &b""[..]].into_iter().enumerate() {
        let mut init = draw_party(&suite, needs(&parsed, Role::Initiator), prologue, rng);
        let mut resp = draw_party(&suite, needs(&parsed, Role::Responder), prologue, rng);
        for _ in psk_numbers(&parsed) {
            let k = draw(rng, 32);
            init.psks.push(k.clone());
            resp.psks.push(k);
        }
        let mut messages = Vec::new();
        for i in 0..n_hs + 2 {
            let payload = match (c, i < n_hs) {
                (0, true) => format!("handshake message {}", i + 1).into_bytes(),
                (0, false) => format!("transport message {}", i + 1 - n_hs).into_bytes(),
                _ => Vec::new(),
            };
            let coins = encaps_kems(&parsed, &suite, i)
                .into_iter()
                .map(|k| draw(rng, k.sizes().encaps_coins))
                .collect();
            messages.push((payload, coins));
        }
        let path = format!("$.vectors[{c}]");
        cases.push(Case::Noise(Box::new(compute(
            &name, init, resp, messages, &path,
        )?)));
    }
    let description = format!(
        "{name}: both parties in memory, every handshake message and two transport messages, \
         fixed ephemeral keys and KEM coins as inputs; cacophony's layout with KEM fields"
    );
    let mut sources = vec!["The Noise Protocol Framework, revision 34 (Perrin, 2018-07-11)"];
    match parsed.kind() {
        PatternKind::Classic if pattern.uses_hfs_tokens() => sources.push(
            "Noise extension: Hybrid Forward Secrecy (noise_hfs.md, revision 1), as snow 0.10 implements it",
        ),
        PatternKind::Classic => {}
        PatternKind::Pq => sources.push(
            "Post Quantum Noise (Angel, Dowling, Hülsing, Schwabe, Weber; CCS 2022), as clatter 2.3 implements it",
        ),
        PatternKind::Hybrid => sources.push("clatter 2.3 hybrid patterns (handshakestate/hybrid.rs)"),
    }
    if suite
        .ekem
        .into_iter()
        .chain(suite.skem)
        .any(|k| k.name().starts_with("ML-KEM"))
    {
        sources.push("FIPS 203 (ML-KEM); Noise names Kyber512/768/1024 resolve to ML-KEM as snow's pqcrypto-kyber 0.8.1 computes it");
    }
    if suite.ekem.is_some_and(|k| k.name() == "X-Wing") {
        sources.push("draft-connolly-cfrg-xwing-kem-10 (X-Wing)");
    }
    Ok((name, description, sources, cases))
}

fn party_of(v: &Node<'_>, who: &str) -> Result<Party> {
    let f = |k: &str| format!("{who}_{k}");
    Ok(Party {
        prologue: v.opt_hex(&f("prologue"))?.unwrap_or_default(),
        psks: v.opt_hex_list(&f("psks"))?,
        static_dh: v.opt_hex(&f("static"))?,
        ephemeral_dh: v.opt_hex(&f("ephemeral"))?,
        static_kem_coins: v.opt_hex(&f("static_kem_coins"))?,
        ephemeral_kem_coins: v.opt_hex(&f("ephemeral_kem_coins"))?,
    })
}

pub(crate) fn recompute(suite: &str, items: &[Node<'_>]) -> Result<Vec<Case>> {
    items
        .iter()
        .map(|v| {
            let pn = v.get("protocol_name")?;
            if pn.str()? != suite {
                return Err(VectorError::Field {
                    path: pn.path().to_string(),
                    problem: format!("{:?} is not the file's suite {suite:?}", pn.str()?),
                });
            }
            let messages = v
                .get("messages")?
                .items()?
                .iter()
                .map(|m| Ok((m.get("payload")?.hex()?, m.opt_hex_list("encaps_coins")?)))
                .collect::<Result<Vec<_>>>()?;
            let init = party_of(v, "init")?;
            let resp = party_of(v, "resp")?;
            Ok(Case::Noise(Box::new(compute(
                suite,
                init,
                resp,
                messages,
                v.path(),
            )?)))
        })
        .collect()
}
