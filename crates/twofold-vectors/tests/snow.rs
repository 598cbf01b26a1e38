//! The committed Noise vectors against snow 0.10, an independent Noise
//! implementation (its own X25519, hashes, ciphers and state machine).
//!
//! * Classic patterns: snow, given each vector's static and ephemeral keys,
//!   prologue, PSKs and payloads, writes every handshake and transport
//!   message byte for byte and ends with the same handshake hash.
//! * hfs with `Kyber1024`: snow draws its KEM randomness inside PQClean
//!   (pqcrypto-kyber), so it cannot be made to reproduce a vector's `e1` key
//!   or `ekem1` ciphertext. Two checks instead:
//!   1. a KEM plugged into snow through its resolver takes the vector's
//!      coins for key generation and encapsulation (computed with twofold's
//!      ML-KEM-1024, whose FIPS 203 answers the primitive tests pin) and
//!      decapsulates with PQClean's code, as snow does; snow's state machine
//!      (where `e1` and `ekem1` go, what is encrypted and hashed, the order
//!      of MixKey) then reproduces every message and the handshake hash;
//!   2. snow with its own KEM, as responder, reads each vector's first
//!      message and reaches the vector's handshake hash at that point.
//!
//!   hfs with `MLKEM768` or `X-Wing`, PQNoise and hybrid patterns: snow has
//!   no such KEMs or tokens; the Python second implementation covers the
//!   first three.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Mutex;

use serde_json::Value;
use snow::params::{CipherChoice, DHChoice, HashChoice, KemChoice, NoiseParams};
use snow::resolvers::{CryptoResolver, DefaultResolver, FallbackResolver};
use snow::types::{Cipher, Dh, Hash, Kem, Random};
use twofold_core::Resolver;
use twofold_primitives::registry::REGISTRY;

fn load(name: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../vectors/noise")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn bytes(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn opt(v: &Value, k: &str) -> Option<Vec<u8>> {
    v.get(k).map(bytes)
}

/// ML-KEM-1024 inside snow: keys and ciphertexts from the vector's coins,
/// decapsulation by PQClean (pqcrypto-kyber 0.8.1, the code snow uses).
struct VectorKem {
    keygen_coins: Option<Vec<u8>>,
    encaps_coins: Mutex<Vec<Vec<u8>>>,
    pk: Vec<u8>,
    sk: Vec<u8>,
}

impl Kem for VectorKem {
    fn name(&self) -> &'static str {
        "Kyber1024"
    }
    fn pub_len(&self) -> usize {
        1568
    }
    fn ciphertext_len(&self) -> usize {
        1568
    }
    fn shared_secret_len(&self) -> usize {
        32
    }
    fn generate(&mut self, _rng: &mut dyn Random) {
        let kem = REGISTRY.kem("ML-KEM-1024").unwrap();
        let coins = self
            .keygen_coins
            .as_ref()
            .expect("a key generation the vector has no coins for");
        let (pk, sk) = kem.generate_derand(coins).unwrap();
        self.pk = pk;
        self.sk = sk.expose().to_vec();
    }
    fn pubkey(&self) -> &[u8] {
        &self.pk
    }
    fn encapsulate(
        &self,
        pubkey: &[u8],
        shared_secret_out: &mut [u8],
        ciphertext_out: &mut [u8],
    ) -> Result<(usize, usize), snow::Error> {
        let kem = REGISTRY.kem("ML-KEM-1024").unwrap();
        let coins = self.encaps_coins.lock().unwrap().remove(0);
        let (ct, ss) = kem.encapsulate_derand(pubkey, &coins).unwrap();
        shared_secret_out[..32].copy_from_slice(ss.expose());
        ciphertext_out[..ct.len()].copy_from_slice(&ct);
        Ok((32, ct.len()))
    }
    fn decapsulate(
        &self,
        ciphertext: &[u8],
        shared_secret_out: &mut [u8],
    ) -> Result<usize, snow::Error> {
        use pqcrypto_kyber::kyber1024;
        use pqcrypto_traits::kem::{Ciphertext, SecretKey, SharedSecret};
        let sk = kyber1024::SecretKey::from_bytes(&self.sk).unwrap();
        let ct = kyber1024::Ciphertext::from_bytes(ciphertext).unwrap();
        let ss = kyber1024::decapsulate(&ct, &sk);
        shared_secret_out[..32].copy_from_slice(ss.as_bytes());
        Ok(32)
    }
}

/// Serves the party's [`VectorKem`] and nothing else (snow's own resolver
/// is the fallback for everything but the KEM).
struct KemOnly(Mutex<Option<VectorKem>>);

impl CryptoResolver for KemOnly {
    fn resolve_rng(&self) -> Option<Box<dyn Random>> {
        None
    }
    fn resolve_dh(&self, _: &DHChoice) -> Option<Box<dyn Dh>> {
        None
    }
    fn resolve_hash(&self, _: &HashChoice) -> Option<Box<dyn Hash>> {
        None
    }
    fn resolve_cipher(&self, _: &CipherChoice) -> Option<Box<dyn Cipher>> {
        None
    }
    fn resolve_kem(&self, _: &KemChoice) -> Option<Box<dyn Kem>> {
        self.0
            .lock()
            .unwrap()
            .take()
            .map(|k| Box::new(k) as Box<dyn Kem>)
    }
}

const SNOW_MAX: usize = 65535;

/// Builds snow's side of `who` ("init"/"resp") from the vector `v`; with
/// `vector_kem`, the KEM takes the vector's coins.
fn build(v: &Value, who: &str, vector_kem: bool) -> snow::HandshakeState {
    let name = v["protocol_name"].as_str().unwrap();
    let params: NoiseParams = name.parse().unwrap();
    let mut b = if vector_kem {
        // The coins of every message this party writes, in order.
        let initiator = who == "init";
        let coins: Vec<Vec<u8>> = v["messages"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .filter(|(i, _)| (i % 2 == 0) == initiator)
            .flat_map(|(_, m)| {
                m.get("encaps_coins")
                    .map(|c| c.as_array().unwrap().iter().map(bytes).collect())
                    .unwrap_or_else(Vec::new)
            })
            .collect();
        let kem = VectorKem {
            keygen_coins: opt(v, &format!("{who}_ephemeral_kem_coins")),
            encaps_coins: Mutex::new(coins),
            pk: Vec::new(),
            sk: Vec::new(),
        };
        let resolver = FallbackResolver::new(
            Box::new(KemOnly(Mutex::new(Some(kem)))),
            Box::new(DefaultResolver),
        );
        snow::Builder::with_resolver(params, Box::new(resolver))
    } else {
        snow::Builder::new(params)
    };
    let prologue = bytes(&v[format!("{who}_prologue")]);
    let s = opt(v, &format!("{who}_static"));
    let e = opt(v, &format!("{who}_ephemeral"));
    let rs = opt(v, &format!("{who}_remote_static"));
    let psks: Vec<[u8; 32]> = v
        .get(format!("{who}_psks"))
        .map(|a| {
            a.as_array()
                .unwrap()
                .iter()
                .map(|p| bytes(p).try_into().unwrap())
                .collect()
        })
        .unwrap_or_default();
    b = b.prologue(&prologue).unwrap();
    if let Some(s) = &s {
        b = b.local_private_key(s).unwrap();
    }
    if let Some(e) = &e {
        b = b.fixed_ephemeral_key_for_testing_only(e);
    }
    if let Some(rs) = &rs {
        b = b.remote_public_key(rs).unwrap();
    }
    // PSK numbers in the order of the name's modifiers.
    let numbers: Vec<u8> = name
        .split('_')
        .nth(1)
        .unwrap()
        .split("psk")
        .skip(1)
        .map(|n| n.trim_end_matches('+').parse().unwrap())
        .collect();
    for (n, k) in numbers.iter().zip(&psks) {
        b = b.psk(*n, k).unwrap();
    }
    if who == "init" {
        b.build_initiator().unwrap()
    } else {
        b.build_responder().unwrap()
    }
}

/// snow plays both sides of every vector of the file; returns the number of
/// messages compared.
fn replay(file: &str, vector_kem: bool) -> usize {
    let doc = load(file);
    let mut compared = 0;
    for (c, v) in doc["vectors"].as_array().unwrap().iter().enumerate() {
        let mut parties = [build(v, "init", vector_kem), build(v, "resp", vector_kem)];
        let messages = v["messages"].as_array().unwrap();
        let mut i = 0;
        while !parties[0].is_handshake_finished() {
            let m = &messages[i];
            let (w, r) = (i % 2, 1 - i % 2);
            let mut buf = vec![0u8; SNOW_MAX];
            let n = parties[w]
                .write_message(&bytes(&m["payload"]), &mut buf)
                .unwrap();
            assert_eq!(
                hex::encode(&buf[..n]),
                m["ciphertext"].as_str().unwrap(),
                "{file} vector {c} message {i}"
            );
            let mut out = vec![0u8; SNOW_MAX];
            let n = parties[r].read_message(&buf[..n], &mut out).unwrap();
            assert_eq!(out[..n], bytes(&m["payload"])[..]);
            i += 1;
            compared += 1;
        }
        let [a, b] = parties;
        assert_eq!(
            hex::encode(a.get_handshake_hash()),
            v["handshake_hash"].as_str().unwrap()
        );
        assert_eq!(b.get_handshake_hash(), a.get_handshake_hash());
        let one_way = a.is_handshake_finished() && i == 1;
        let mut t = [
            a.into_transport_mode().unwrap(),
            b.into_transport_mode().unwrap(),
        ];
        for (j, m) in messages.iter().enumerate().skip(i) {
            let w = if one_way || j % 2 == 0 { 0 } else { 1 };
            let mut buf = vec![0u8; SNOW_MAX];
            let n = t[w].write_message(&bytes(&m["payload"]), &mut buf).unwrap();
            assert_eq!(
                hex::encode(&buf[..n]),
                m["ciphertext"].as_str().unwrap(),
                "{file} transport {j}"
            );
            compared += 1;
        }
    }
    compared
}

#[test]
fn snow_writes_the_classic_vectors_byte_for_byte() {
    for file in [
        "Noise_NN_25519_ChaChaPoly_SHA256",
        "Noise_XX_25519_ChaChaPoly_SHA256",
        "Noise_IK_25519_ChaChaPoly_SHA256",
        "Noise_XXpsk3_25519_AESGCM_SHA512",
    ] {
        let n = replay(file, false);
        assert!(n >= 8, "{file}: {n}");
    }
}

const HFS_KYBER: [&str; 3] = [
    "Noise_NNhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
    "Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
    "Noise_IKhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
];

#[test]
fn snow_replays_the_hfs_kyber1024_vectors_with_their_kem_coins() {
    for file in HFS_KYBER {
        let n = replay(file, true);
        assert!(n >= 8, "{file}: {n}");
    }
}

#[test]
fn snow_with_its_own_kem_reads_the_first_hfs_message() {
    for file in HFS_KYBER {
        let doc = load(file);
        for v in doc["vectors"].as_array().unwrap() {
            let mut resp = build(v, "resp", false);
            let m = &v["messages"][0];
            let mut out = vec![0u8; SNOW_MAX];
            let n = resp
                .read_message(&bytes(&m["ciphertext"]), &mut out)
                .unwrap();
            assert_eq!(out[..n], bytes(&m["payload"])[..]);
            // The responder's h once it has read message 1.
            let h = v["steps"]
                .as_array()
                .unwrap()
                .iter()
                .rfind(|s| {
                    s["party"] == "responder"
                        && s["section"] == "message 1 (read)"
                        && s["name"] == "h"
                })
                .unwrap();
            assert_eq!(
                hex::encode(resp.get_handshake_hash()),
                h["hex"].as_str().unwrap(),
                "{file}"
            );
        }
    }
}
