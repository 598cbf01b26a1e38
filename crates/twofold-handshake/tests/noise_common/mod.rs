//! Helpers shared by the noise_*.rs integration tests.
#![allow(dead_code)]

use twofold_core::{AlgorithmId, CryptoRng, Off, Resolver, SecretBytes, ShakeRng};
use twofold_handshake::HandshakeError;
use twofold_handshake::noise::{
    HandshakeBuilder, HandshakeState, PatternKind, Role, TransportState,
};
use twofold_primitives::registry::{REGISTRY, Registry};

/// Every backend of `name` in `list`; fails the test when there is none.
pub fn backends<T: AlgorithmId + ?Sized>(list: &[&'static T], name: &str) -> Vec<&'static T> {
    let v: Vec<&'static T> = list.iter().copied().filter(|i| i.name() == name).collect();
    assert!(!v.is_empty(), "no backend implements {name}");
    v
}

fn empty() -> Registry {
    Registry {
        kems: vec![],
        dhs: vec![],
        signatures: vec![],
        aeads: vec![],
        hashes: vec![],
        xofs: vec![],
        kdfs: vec![],
        incremental_kems: vec![],
        ciphers: vec![],
        defaults: vec![],
    }
}

/// Registries that together use every backend of every named algorithm:
/// registry `i` holds backend `i mod n` of each algorithm (`n` backends),
/// so `max(n)` registries cover them all.
pub fn sweep(dh: Option<&str>, kems: &[&str], aead: &str, hash: &str) -> Vec<Registry> {
    let dhs = dh.map(|d| backends(&REGISTRY.dhs, d));
    let kem_lists: Vec<_> = kems.iter().map(|k| backends(&REGISTRY.kems, k)).collect();
    let aeads = backends(&REGISTRY.aeads, aead);
    let hashes = backends(&REGISTRY.hashes, hash);
    let mut count = aeads.len().max(hashes.len());
    if let Some(d) = &dhs {
        count = count.max(d.len());
    }
    for k in &kem_lists {
        count = count.max(k.len());
    }
    (0..count)
        .map(|i| {
            let mut r = empty();
            if let Some(d) = &dhs {
                r.dhs.push(d[i % d.len()]);
            }
            for k in &kem_lists {
                let pick = k[i % k.len()];
                if !r.kems.iter().any(|x| x.name() == pick.name()) {
                    r.kems.push(pick);
                }
            }
            r.aeads.push(aeads[i % aeads.len()]);
            r.hashes.push(hashes[i % hashes.len()]);
            r
        })
        .collect()
}

/// Every combination of the DH, AEAD and hash backends (no KEMs).
pub fn all_combinations(dh: &str, aead: &str, hash: &str) -> Vec<Registry> {
    let mut out = Vec::new();
    for d in backends(&REGISTRY.dhs, dh) {
        for a in backends(&REGISTRY.aeads, aead) {
            for h in backends(&REGISTRY.hashes, hash) {
                let mut r = empty();
                r.dhs.push(d);
                r.aeads.push(a);
                r.hashes.push(h);
                out.push(r);
            }
        }
    }
    out
}

/// The registry names of the algorithms a protocol name uses.
pub struct Algorithms {
    pub dh: Option<&'static str>,
    pub kems: Vec<String>,
    pub aead: &'static str,
    pub hash: &'static str,
}

pub fn algorithms(name: &str) -> Algorithms {
    let p = twofold_handshake::noise::ProtocolName::parse(name).unwrap();
    let mut kems: Vec<String> = Vec::new();
    for k in [p.ekem(), p.skem()].into_iter().flatten() {
        if !kems.contains(&k.registry().to_string()) {
            kems.push(k.registry().to_string());
        }
    }
    Algorithms {
        dh: p.dh_registry(),
        kems,
        aead: p.aead_registry(),
        hash: p.hash_registry(),
    }
}

/// `sweep` for the algorithms of a protocol name.
pub fn sweep_for(name: &str) -> Vec<Registry> {
    let a = algorithms(name);
    let kems: Vec<&str> = a.kems.iter().map(String::as_str).collect();
    sweep(a.dh, &kems, a.aead, a.hash)
}

/// Static keys of one party.
pub struct StaticKeys {
    pub dh: Option<(Vec<u8>, SecretBytes)>,
    pub kem: Option<(Vec<u8>, SecretBytes)>,
}

/// Fresh static keys for the primitives of `name`.
pub fn static_keys(name: &str, resolver: &dyn Resolver, rng: &mut dyn CryptoRng) -> StaticKeys {
    let b = HandshakeBuilder::new(name, resolver).unwrap();
    let kind = b.protocol_name().kind();
    let suite = b.suite();
    let dh = match (kind, suite.dh) {
        (PatternKind::Pq, _) | (_, None) => None,
        (_, Some(d)) => Some(d.generate(rng).unwrap()),
    };
    let kem = match (kind, suite.skem) {
        (PatternKind::Classic, _) | (_, None) => None,
        (_, Some(k)) => Some(k.generate(rng).unwrap()),
    };
    StaticKeys { dh, kem }
}

/// The 32-byte PSK used for modifier `n` in these tests.
pub fn psk(n: u8) -> [u8; 32] {
    [0x40 + n; 32]
}

/// A builder for `role` with the keys its pattern needs.
pub fn builder(
    name: &str,
    resolver: &dyn Resolver,
    role: Role,
    mine: &StaticKeys,
    peer: &StaticKeys,
    prologue: &[u8],
) -> HandshakeBuilder {
    let mut b = HandshakeBuilder::new(name, resolver).unwrap();
    let pattern = b.protocol_name().pattern().clone();
    if pattern.uses_local_static(role) {
        if let Some((_, sk)) = &mine.dh {
            b = b.local_static_dh(sk.expose()).unwrap();
        }
        if let Some((pk, sk)) = &mine.kem {
            b = b.local_static_kem(pk, sk.expose()).unwrap();
        }
    }
    if pattern.needs_remote_static(role) {
        if let Some((pk, _)) = &peer.dh {
            b = b.remote_static_dh(pk).unwrap();
        }
        if let Some((pk, _)) = &peer.kem {
            b = b.remote_static_kem(pk).unwrap();
        }
    }
    for n in pattern.psk_numbers() {
        b = b.psk(n, &psk(n)).unwrap();
    }
    b.prologue(prologue)
}

/// Runs every handshake message between `init` and `resp`, with payload
/// `i` = `[i; i]`, each party drawing from its own generator, and checks
/// each payload arrives. Returns the transcript and both transport states.
pub fn complete(
    init: HandshakeState,
    resp: HandshakeState,
    rng_i: &mut dyn CryptoRng,
    rng_r: &mut dyn CryptoRng,
) -> Result<(Vec<Vec<u8>>, TransportState, TransportState), HandshakeError> {
    let mut init = init;
    let mut resp = resp;
    let mut transcript = Vec::new();
    let mut i = 0usize;
    while !init.is_finished() || !resp.is_finished() {
        let payload = vec![i as u8; i];
        if init.is_my_turn() {
            let (s, m) = init.write_message(&payload, rng_i, &mut Off)?;
            init = s;
            let (r, p) = resp.read_message(&m, &mut Off)?;
            resp = r;
            assert_eq!(p, payload);
            transcript.push(m);
        } else {
            let (s, m) = resp.write_message(&payload, rng_r, &mut Off)?;
            resp = s;
            let (r, p) = init.read_message(&m, &mut Off)?;
            init = r;
            assert_eq!(p, payload);
            transcript.push(m);
        }
        i += 1;
    }
    assert_eq!(init.handshake_hash(), resp.handshake_hash());
    let ti = init.split(&mut Off)?;
    let tr = resp.split(&mut Off)?;
    Ok((transcript, ti, tr))
}

/// A deterministic RNG for a party of a test.
pub fn rng(label: &str) -> ShakeRng {
    ShakeRng::new(label.as_bytes())
}

/// Every protocol name the engine supports for one cipher/hash pair, with
/// ML-KEM-768 (and Kyber1024 for hfs, as snow) as KEMs.
pub fn all_names(cipher: &str, hash: &str) -> Vec<String> {
    use twofold_handshake::noise::pattern_names;
    let mut out = Vec::new();
    for p in pattern_names(PatternKind::Classic) {
        out.push(format!("Noise_{p}_25519_{cipher}_{hash}"));
        let one_way = matches!(p.as_str(), "N" | "K" | "X");
        if !one_way {
            out.push(format!("Noise_{p}hfs_25519+Kyber1024_{cipher}_{hash}"));
            out.push(format!("Noise_{p}psk2_25519_{cipher}_{hash}"));
        } else {
            out.push(format!("Noise_{p}psk0_25519_{cipher}_{hash}"));
        }
    }
    for p in pattern_names(PatternKind::Pq) {
        out.push(format!("Noise_{p}_MLKEM768_{cipher}_{hash}"));
    }
    for p in pattern_names(PatternKind::Hybrid) {
        out.push(format!("Noise_{p}_25519+MLKEM768_{cipher}_{hash}"));
    }
    out
}

/// An initiator/responder pair for `name` with fresh static keys (drawn
/// from a stream seeded by `name`) and the test PSKs.
pub fn pair(name: &str, resolver: &dyn Resolver) -> (HandshakeState, HandshakeState) {
    let mut key_rng = rng(&format!("static keys {name}"));
    let ki = static_keys(name, resolver, &mut key_rng);
    let kr = static_keys(name, resolver, &mut key_rng);
    let i = builder(name, resolver, Role::Initiator, &ki, &kr, b"prologue")
        .build_initiator(&mut Off)
        .unwrap();
    let r = builder(name, resolver, Role::Responder, &kr, &ki, b"prologue")
        .build_responder(&mut Off)
        .unwrap();
    (i, r)
}

/// Sends one transport message each way (only initiator to responder for
/// one-way patterns) and checks it arrives.
pub fn exchange(ti: &mut TransportState, tr: &mut TransportState, one_way: bool) {
    let c = ti.write_message(b"ping").unwrap();
    assert_eq!(tr.read_message(&c).unwrap(), b"ping");
    if !one_way {
        let c = tr.write_message(b"pong").unwrap();
        assert_eq!(ti.read_message(&c).unwrap(), b"pong");
    }
}
