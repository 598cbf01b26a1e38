//! No secret in any `Debug` or `Display` output, nor in any error message.
//!
//! A sentinel secret (a recognisable 32-byte value) is given as every kind
//! of secret input (identity and static keys, PSKs, the SPQR auth key);
//! every secret a run derives (DH outputs, KEM shared secrets, `ck`, `k`,
//! chain and message keys, coins) is collected from the run's own
//! [`Recorder`] trace. Then the `Debug` output of every public type that
//! holds one, before, during and after the run, and the `Display` and
//! `Debug` output of every error the run and its refusals produce, must
//! contain none of them: not as lower- or upper-case hex, not as Rust's
//! decimal byte list, and (the sentinel) not as text. [`leaks`] is first
//! shown to find a secret printed each way.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::fmt::Debug;

use twofold_core::observe::Kind;
use twofold_core::{
    CryptoRng, Error as CoreError, Off, Recorder, Resolver, Secret, SecretBytes, ShakeRng,
};
use twofold_core::{Obs, Party};
use twofold_handshake::bundle::{IdentityKeyPair, PrekeyStore};
use twofold_handshake::noise::{
    CipherState, HandshakeBuilder, NonceEncoding, Role, SymmetricState,
};
use twofold_handshake::prekey::InitiatorCoins;
use twofold_handshake::prekey::{PrekeyHandshake, Protocol};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::spqr::chain::{Chain, ChainParams, Direction, Key};
use twofold_ratchet::spqr::{Authenticator, Decoder};
use twofold_testkit::targets::prekey::bundle_of;

// Printable, so that it can also be looked for as text, and with no word in it.
const SENTINEL: [u8; 32] = *b"Zq7#kP2@vW9!mT4$rB8%nL3^hJ6&dF1~";

/// Bytes shorter than this are not looked for (a 6-byte window of a random
/// secret appears in unrelated output with probability about n / 2^48).
const WINDOW: usize = 6;

fn renderings(w: &[u8]) -> Vec<String> {
    let lower: String = w.iter().map(|b| format!("{b:02x}")).collect();
    let decimal = w
        .iter()
        .map(|b| b.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    vec![lower.to_uppercase(), lower, decimal]
}

/// Whether `out` shows any of `windows` (slices of one secret) as hex, as a
/// decimal list or (for `text`) as the characters themselves.
fn shows(out: &str, windows: &[&[u8]], text: bool) -> bool {
    windows.iter().any(|w| {
        renderings(w).iter().any(|r| out.contains(r.as_str()))
            || (text && std::str::from_utf8(w).is_ok_and(|s| out.contains(s)))
    })
}

/// Whether `out` shows any `WINDOW` consecutive bytes of `secret`.
fn leaks(out: &str, secret: &[u8], text: bool) -> bool {
    let w: Vec<&[u8]> = secret.windows(WINDOW.min(secret.len())).collect();
    shows(out, &w, text)
}

/// The windows of `secret` to look for: at every multiple of `WINDOW` (any
/// printed run of `2 WINDOW` bytes holds one), leaving out those that also
/// occur in a public value (an ML-KEM secret key embeds its public key), at
/// most 32 of them.
fn windows<'a>(secret: &'a [u8], public: &HashSet<&[u8]>) -> Vec<&'a [u8]> {
    secret
        .chunks_exact(WINDOW)
        .filter(|w| !public.contains(w))
        .take(32)
        .collect()
}

/// The secrets to look for, the public values they may share bytes with,
/// and the outputs checked.
struct Audit {
    secrets: Vec<Vec<u8>>,
    public: Vec<Vec<u8>>,
    outputs: Vec<(String, String)>,
}

impl Audit {
    fn new() -> Self {
        Self {
            secrets: vec![SENTINEL.to_vec()],
            public: Vec::new(),
            outputs: Vec::new(),
        }
    }

    fn debug(&mut self, what: &str, v: &impl Debug) {
        self.outputs.push((what.to_string(), format!("{v:?}")));
        self.outputs.push((what.to_string(), format!("{v:#?}")));
    }

    fn error(&mut self, what: &str, e: &(impl Debug + std::fmt::Display)) {
        self.outputs.push((what.to_string(), format!("{e}")));
        self.debug(what, e);
    }

    /// Every secret value and draw of a trace, and its public values.
    fn secrets_of(&mut self, rec: &Recorder) {
        let t = rec.trace();
        let mut n = 0;
        for (_, v) in t.values() {
            if v.kind == Kind::Secret {
                self.secrets.push(v.bytes.to_vec());
                n += 1;
            } else {
                self.public.push(v.bytes.to_vec());
            }
        }
        for d in t.draws() {
            self.secrets.push(d.bytes.to_vec());
        }
        assert!(n > 0, "the trace reported no secret");
    }

    fn check(&self) {
        assert!(
            self.outputs.len() > 10,
            "only {} outputs",
            self.outputs.len()
        );
        let public: HashSet<&[u8]> = self.public.iter().flat_map(|p| p.windows(WINDOW)).collect();
        let mut looked_for = 0;
        for (i, s) in self.secrets.iter().enumerate() {
            let w = windows(s, &public);
            looked_for += w.len();
            for (what, out) in &self.outputs {
                assert!(
                    !shows(out, &w, i == 0),
                    "{what} shows secret {i} ({} bytes): {out}",
                    s.len()
                );
            }
        }
        assert!(
            looked_for >= self.secrets.len(),
            "too few windows looked for"
        );
    }
}

/// Runs `run` on a fresh audit for `name` and checks what it collected.
fn audit(name: &str, run: fn(&str, &mut Audit)) {
    let mut a = Audit::new();
    run(name, &mut a);
    a.check();
}

#[test]
fn the_detector_finds_a_printed_secret() {
    let s = SENTINEL.to_vec();
    let hex: String = s.iter().map(|b| format!("{b:02x}")).collect();
    for shown in [
        format!("{s:?}"),
        format!("{s:#?}")
            .replace([' ', '\n'], "")
            .replace(',', ", "),
        format!("key={hex}"),
        hex.to_uppercase(),
        String::from_utf8(s.clone()).unwrap(),
        format!("{:?}", &s[3..12]),
    ] {
        assert!(leaks(&shown, &s, true), "missed {shown}");
    }
    assert!(!leaks("SecretBytes([REDACTED; 32])", &s, true));
}

#[test]
fn containers_show_lengths_only() {
    let mut a = Audit::new();
    a.debug("SecretBytes", &SecretBytes::from_slice(&SENTINEL));
    a.debug("Secret<32>", &Secret::new(SENTINEL));
    a.debug(
        "SecretBytes::duplicate",
        &SecretBytes::from_slice(&SENTINEL).duplicate(),
    );
    a.debug("split_at", &SecretBytes::from_slice(&SENTINEL).split_at(7));
    a.debug("ShakeRng", &ShakeRng::new(&SENTINEL));
    a.error(
        "Secret::from_slice",
        &Secret::<16>::from_slice(&SENTINEL).unwrap_err(),
    );
    a.debug(
        "InitiatorCoins",
        &InitiatorCoins {
            ephemeral: &SENTINEL,
            kem: Some(&SENTINEL),
        },
    );
    // Noise's symmetric state keyed from the sentinel, and the cipher state
    // it holds, with every value they derive collected from the trace.
    let rec = Recorder::new();
    let mut obs = rec.clone();
    let mut o = Obs::new(&mut obs, Party::Initiator);
    let aead = REGISTRY.aead("ChaCha20-Poly1305").unwrap();
    let cipher = CipherState::new(aead, NonceEncoding::ChaChaPoly).unwrap();
    let hash = REGISTRY.hash("SHA-256").unwrap();
    let mut ss = SymmetricState::initialize(hash, cipher, b"Noise_NN_hygiene", &mut o);
    ss.mix_key(&SENTINEL, "sentinel", &mut o).unwrap();
    ss.mix_key_and_hash(&SENTINEL, "sentinel", &mut o).unwrap();
    let (c1, c2) = ss.split(&mut o).unwrap();
    a.debug("SymmetricState", &ss);
    a.debug("CipherState", &c1);
    a.debug("CipherState", &c2);
    a.secrets_of(&rec);
    a.check();
}

fn prekey_run(suite: &str, a: &mut Audit) {
    let hs = PrekeyHandshake::new(suite, &*REGISTRY).unwrap();
    let dh = hs.bundle_params().dh;
    let rec = Recorder::new();
    let mut rng = ShakeRng::new(suite.as_bytes());
    let bob = IdentityKeyPair::from_secret(dh, SecretBytes::from_slice(&SENTINEL)).unwrap();
    let alice = IdentityKeyPair::from_secret(dh, SecretBytes::from_slice(&[0x77; 32])).unwrap();
    a.secrets.push(vec![0x77; 32]);
    a.debug("IdentityKeyPair", &bob);
    let mut store: PrekeyStore = hs.new_store(bob).unwrap();
    store.generate_signed_prekey(&mut rng).unwrap();
    store.generate_one_time_prekeys(1, &mut rng).unwrap();
    if hs.protocol() == Protocol::Pqxdh {
        store.generate_last_resort_kem_prekey(&mut rng).unwrap();
        store.generate_one_time_kem_prekeys(1, &mut rng).unwrap();
    }
    let bundle = bundle_of(&store.published_bundle().unwrap(), true);
    a.debug("PrekeyHandshake", &hs);
    a.debug("PrekeyStore", &store);
    a.debug("PrekeyBundle", &bundle);
    let init = hs.initiator(&alice, &bundle).unwrap();
    a.debug("Initiator", &init);
    let sent = init.initiate(b"hello", &mut rng, &mut rec.clone()).unwrap();
    a.debug("Initiated", &sent);
    a.debug("SessionSecret", &sent.secret);
    // Refusals: a damaged message (the AEAD of the spec profile or a DH
    // with a changed key), a truncated one, a second use of a one-time key.
    let mut bad = sent.wire.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    bad[40] ^= 0x20;
    for m in [&bad[..], &sent.wire[..sent.wire.len() / 2]] {
        let e = hs.accept(&mut store, m, &mut Off).unwrap_err();
        a.error("accept refusal", &e);
    }
    let got = hs.accept(&mut store, &sent.wire, &mut rec.clone()).unwrap();
    a.debug("Accepted", &got);
    // The signal profile leaves spending to the session (once the first
    // message decrypts); the spec profile has spent them already.
    store.consume(&got.one_time_prekeys);
    a.debug("PrekeyStore after", &store);
    a.error(
        "accept replay",
        &hs.accept(&mut store, &sent.wire, &mut Off).unwrap_err(),
    );
    a.debug("Recorder", &rec);
    a.debug("Trace", &*rec.trace());
    a.secrets_of(&rec);
}

#[test]
fn prekey_handshakes_show_no_secret() {
    for suite in [
        "X3DH_spec_X25519_SHA-256",
        "X3DH_signal_X25519_SHA-256",
        "PQXDH_signal_X25519_SHA-256_Kyber1024",
        "PQXDH_spec_X25519_SHA-512_X-Wing",
    ] {
        audit(suite, prekey_run);
    }
}

fn noise_run(name: &str, a: &mut Audit) {
    let rec = Recorder::new();
    let mut rng = ShakeRng::new(name.as_bytes());
    let build = |role: Role, seed: u8, rng: &mut dyn CryptoRng| {
        let mut b = HandshakeBuilder::new(name, &*REGISTRY).unwrap();
        if b.suite().dh.is_some()
            && b.protocol_name().kind() != twofold_handshake::noise::PatternKind::Pq
        {
            let mut sk = SENTINEL;
            sk[0] ^= seed;
            b = b.local_static_dh(&sk).unwrap();
        }
        if let Some(kem) = b.suite().skem {
            let (pk, sk) = kem.generate(rng).unwrap();
            b = b.local_static_kem(&pk, sk.expose()).unwrap();
        }
        for n in b.protocol_name().pattern().psk_numbers() {
            b = b.psk(n, &SENTINEL).unwrap();
        }
        let shown = format!("{b:?}");
        (b.build(role, &mut rec.clone()).unwrap(), shown)
    };
    let (mut i, shown) = build(Role::Initiator, 0, &mut rng);
    a.outputs.push(("HandshakeBuilder".into(), shown));
    let (mut r, _) = build(Role::Responder, 1, &mut rng);
    let mut sk_b = SENTINEL;
    sk_b[0] ^= 1;
    a.secrets.push(sk_b.to_vec());
    let mut turn = 0;
    while !i.is_finished() {
        let (w, rd) = if turn % 2 == 0 { (i, r) } else { (r, i) };
        let (w, m) = w.write_message(b"p", &mut rng, &mut rec.clone()).unwrap();
        // Half a message: too short for its first token in every pattern.
        let e = rd.read_message(&m[..m.len() / 2], &mut Off).unwrap_err();
        a.error("StepError", &e);
        a.error("HandshakeError", e.error());
        let (rd, _) = e.into_state().read_message(&m, &mut rec.clone()).unwrap();
        a.debug("HandshakeState", &w);
        a.debug("HandshakeState", &rd);
        (i, r) = if turn % 2 == 0 { (w, rd) } else { (rd, w) };
        turn += 1;
    }
    let mut ti = i.split(&mut rec.clone()).unwrap();
    let mut tr = r.split(&mut rec.clone()).unwrap();
    let c = ti.write_message(b"x").unwrap();
    let mut bad = c.clone();
    bad[0] ^= 1;
    a.error("transport refusal", &tr.read_message(&bad).unwrap_err());
    tr.read_message(&c).unwrap();
    a.debug("TransportState", &ti);
    let (send, recv) = tr.into_cipher_states();
    a.debug("CipherState", &send);
    a.debug("CipherState", &recv);
    a.debug("Recorder", &rec);
    a.debug("Trace", &*rec.trace());
    a.secrets_of(&rec);
}

#[test]
fn noise_handshakes_show_no_secret() {
    for name in [
        "Noise_XXpsk3_25519_ChaChaPoly_SHA256",
        "Noise_XXhfs_25519+MLKEM768_AESGCM_SHA512",
        "Noise_pqXX_MLKEM768_ChaChaPoly_BLAKE2s",
        "Noise_hybridXX_25519+MLKEM768_ChaChaPoly_SHA256",
    ] {
        audit(name, noise_run);
    }
}

#[test]
fn spqr_pieces_show_no_secret() {
    let mut a = Audit::new();
    let kdf = REGISTRY.kdf("HKDF-SHA256").unwrap();
    let hmac = REGISTRY.hash("SHA-256").unwrap();
    let params = ChainParams {
        max_jump: 8,
        max_ooo_keys: 4,
    };
    let mut c = Chain::new(kdf, &Key::new(SENTINEL), Direction::A2B, params).unwrap();
    let mut keys = Vec::new();
    keys.push(c.send_key(0).unwrap().1);
    keys.push(c.recv_key(0, 3).unwrap());
    c.add_epoch(1, &Key::new([0x66; 32])).unwrap();
    a.secrets.push(vec![0x66; 32]);
    keys.push(c.send_key(1).unwrap().1);
    a.debug("Chain", &c);
    a.debug("Chain::to_bytes", &c.to_bytes());
    for e in [
        c.recv_key(0, 3).unwrap_err(),
        c.recv_key(0, 100).unwrap_err(),
        c.recv_key(9, 1).unwrap_err(),
        Chain::from_bytes(kdf, &SENTINEL).unwrap_err(),
        Chain::from_bytes(kdf, &c.to_bytes().expose()[..100]).unwrap_err(),
    ] {
        a.error("chain error", &e);
    }
    let auth = Authenticator::new(kdf, hmac, &Key::new(SENTINEL), 1).unwrap();
    a.debug("Authenticator", &auth);
    let mac = auth.mac_hdr(1, b"header").unwrap();
    a.secrets.push(auth.mac_key().expose().to_vec());
    a.secrets.push(auth.root_key().expose().to_vec());
    a.error(
        "BadMac",
        &auth.verify_hdr(1, b"other header", &mac).unwrap_err(),
    );
    a.error("Decoder", &Decoder::new(31).unwrap_err());
    for k in &keys {
        a.secrets.push(k.expose().to_vec());
    }
    a.check();
}

#[test]
fn primitive_errors_show_no_secret() {
    let mut a = Audit::new();
    for kem in &REGISTRY.kems {
        // The sentinel as a secret key of the wrong length, then with a
        // ciphertext of the wrong length.
        if let Err(e) = kem.decapsulate(&SENTINEL, &SENTINEL) {
            a.error(&kem.id(), &e);
        }
    }
    for aead in &REGISTRY.aeads {
        let nonce = vec![0u8; aead.nonce_len()];
        let key = [SENTINEL, SENTINEL].concat();
        let e: CoreError = aead
            .open(&key[..aead.key_len()], &nonce, b"", &SENTINEL)
            .unwrap_err();
        a.error(&aead.id(), &e);
    }
    for dh in &REGISTRY.dhs {
        // A low-order or invalid point against the sentinel secret key.
        let e = dh.dh(&SENTINEL, &vec![0u8; dh.sizes().pk]).unwrap_err();
        a.error(&dh.id(), &e);
    }
    for s in &REGISTRY.signatures {
        if let Err(e) = s.sign_derand(&SENTINEL, b"m", &SENTINEL) {
            a.error(&s.id(), &e);
        }
    }
    let b = HandshakeBuilder::new("Noise_NNpsk0_25519_ChaChaPoly_SHA256", &*REGISTRY).unwrap();
    a.error("psk of 31 bytes", &b.psk(0, &SENTINEL[..31]).unwrap_err());
    a.check();
}
