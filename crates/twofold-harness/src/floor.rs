//! The floor of a handshake: its primitive operations and nothing else.
//!
//! A protocol cannot be faster than the primitive operations it must
//! perform. A [`Floor`] is the exact list of calls one run makes to its
//! primitives, as the observer recorded them (through implementations from
//! [`twofold_core::resolve::Observing`]: key generation, DH, encapsulation,
//! decapsulation, signatures, and the hashes, HMACs, KDF and AEAD calls
//! with their real input sizes), with valid inputs of the same sizes made
//! in advance, run back to back on the same backends. Measured in the same
//! run as the protocol, the ratio protocol / floor is what the protocol
//! implementation itself costs: state handling, encodings, copies,
//! allocation, bookkeeping.

use std::collections::BTreeMap;

use twofold_core::observe::{CallOp, CallRecord};
use twofold_core::{
    Aead, Cipher, CryptoRng, Dh, Error, Hash, IncrementalKem, Kdf, Kem, Primitive, Result,
    SecretBytes, Signature, Xof,
};

/// One primitive operation with its inputs.
pub enum Op {
    /// DH key generation.
    DhKeygen(&'static dyn Dh),
    /// Public key of a DH secret key.
    DhPublic(&'static dyn Dh, SecretBytes),
    /// One DH computation.
    Dh(&'static dyn Dh, SecretBytes, Vec<u8>),
    /// KEM key generation.
    KemKeygen(&'static dyn Kem),
    /// Signature key generation.
    SigKeygen(&'static dyn Signature),
    /// KEM encapsulation to a public key.
    Encaps(&'static dyn Kem, Vec<u8>),
    /// KEM decapsulation of a ciphertext; `true` when the key was checked
    /// before ([`Kem::decapsulate_prechecked`]).
    Decaps(&'static dyn Kem, SecretBytes, Vec<u8>, bool),
    /// The checks on a KEM secret key ([`Kem::check_secret_key`]).
    CheckSecretKey(&'static dyn Kem, SecretBytes),
    /// Signing (secret key, message).
    Sign(&'static dyn Signature, SecretBytes, Vec<u8>),
    /// Signature verification (public key, message, signature).
    Verify(&'static dyn Signature, Vec<u8>, Vec<u8>, Vec<u8>),
    /// AEAD seal (key, nonce, aad, plaintext).
    Seal(&'static dyn Aead, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>),
    /// AEAD open of a valid ciphertext (key, nonce, aad, ciphertext).
    Open(&'static dyn Aead, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>),
    /// Hash of a message.
    Hash(&'static dyn Hash, Vec<u8>),
    /// HMAC (key, message).
    Hmac(&'static dyn Hash, Vec<u8>, Vec<u8>),
    /// XOF (input, output length).
    Xof(&'static dyn Xof, Vec<u8>, usize),
    /// KDF extract (salt, ikm).
    Extract(&'static dyn Kdf, Vec<u8>, Vec<u8>),
    /// KDF expand (prk, info, length).
    Expand(&'static dyn Kdf, Vec<u8>, Vec<u8>, usize),
    /// KDF extract-then-expand (salt, ikm, info, length).
    Derive(&'static dyn Kdf, Vec<u8>, Vec<u8>, Vec<u8>, usize),
    /// Incremental KEM key generation.
    IncKeygen(&'static dyn IncrementalKem),
    /// First half of an incremental encapsulation (header).
    Encaps1(&'static dyn IncrementalKem, Vec<u8>),
    /// Second half (state, key vector).
    Encaps2(&'static dyn IncrementalKem, SecretBytes, Vec<u8>),
    /// Incremental decapsulation (dk, ct1, ct2).
    IncDecaps(&'static dyn IncrementalKem, SecretBytes, Vec<u8>, Vec<u8>),
    /// The check of a key vector against its header.
    CheckEkVector(&'static dyn IncrementalKem, Vec<u8>, Vec<u8>),
    /// Unauthenticated encryption (key, iv, plaintext).
    Encrypt(&'static dyn Cipher, Vec<u8>, Vec<u8>, Vec<u8>),
    /// Unauthenticated decryption (key, iv, ciphertext).
    Decrypt(&'static dyn Cipher, Vec<u8>, Vec<u8>, Vec<u8>),
}

impl Op {
    fn label(&self) -> &'static str {
        match self {
            Op::DhKeygen(_) => "DH keygen",
            Op::DhPublic(..) => "DH public",
            Op::Dh(..) => "DH",
            Op::KemKeygen(_) => "KEM keygen",
            Op::SigKeygen(_) => "signature keygen",
            Op::Encaps(..) => "encaps",
            Op::Decaps(..) => "decaps",
            Op::CheckSecretKey(..) => "KEM key check",
            Op::Sign(..) => "sign",
            Op::Verify(..) => "verify",
            Op::Seal(..) => "seal",
            Op::Open(..) => "open",
            Op::Hash(..) => "hash",
            Op::Hmac(..) => "HMAC",
            Op::Xof(..) => "XOF",
            Op::Extract(..) | Op::Expand(..) | Op::Derive(..) => "KDF",
            Op::IncKeygen(_) => "KEM keygen",
            Op::Encaps1(..) | Op::Encaps2(..) => "encaps",
            Op::IncDecaps(..) => "decaps",
            Op::CheckEkVector(..) => "KEM key check",
            Op::Encrypt(..) => "encrypt",
            Op::Decrypt(..) => "decrypt",
        }
    }
}

/// Display order of [`Floor::describe`].
const ORDER: &[&str] = &[
    "signature keygen",
    "sign",
    "verify",
    "DH keygen",
    "DH public",
    "DH",
    "KEM keygen",
    "encaps",
    "decaps",
    "KEM key check",
    "KDF",
    "HMAC",
    "hash",
    "XOF",
    "seal",
    "open",
    "encrypt",
    "decrypt",
];

/// A list of operations; see the module documentation.
#[derive(Default)]
pub struct Floor {
    ops: Vec<Op>,
}

fn size(c: &CallRecord, i: usize) -> Result<usize> {
    c.sizes
        .get(i)
        .copied()
        .ok_or(Error::Misuse("a recorded call is missing an input size"))
}

fn unexpected(c: &CallRecord) -> Error {
    Error::UnknownAlgorithm {
        kind: "floor operation",
        name: format!("{} on {}", c.op.as_str(), c.primitive.id()),
        available: Vec::new(),
    }
}

impl Floor {
    /// The floor of a recorded call list: each call becomes an operation on
    /// fresh valid inputs of the recorded sizes.
    pub fn from_calls(calls: &[CallRecord], rng: &mut dyn CryptoRng) -> Result<Self> {
        let bytes = |n: usize| vec![0x5a_u8; n];
        let mut ops = Vec::with_capacity(calls.len());
        for c in calls {
            ops.push(match (c.op, c.primitive) {
                (CallOp::KemKeygen, Primitive::Kem(k)) => Op::KemKeygen(k),
                (CallOp::Encaps, Primitive::Kem(k)) => Op::Encaps(k, k.generate(rng)?.0),
                (CallOp::Decaps | CallOp::DecapsPrechecked, Primitive::Kem(k)) => {
                    let (pk, sk) = k.generate(rng)?;
                    let (ct, _) = k.encapsulate(&pk, rng)?;
                    Op::Decaps(k, sk, ct, c.op == CallOp::DecapsPrechecked)
                }
                (CallOp::CheckSecretKey, Primitive::Kem(k)) => {
                    Op::CheckSecretKey(k, k.generate(rng)?.1)
                }
                (CallOp::DhKeygen, Primitive::Dh(d)) => Op::DhKeygen(d),
                (CallOp::DhPublic, Primitive::Dh(d)) => Op::DhPublic(d, d.generate(rng)?.1),
                (CallOp::Dh, Primitive::Dh(d)) => {
                    let (_, sk) = d.generate(rng)?;
                    Op::Dh(d, sk, d.generate(rng)?.0)
                }
                (CallOp::SigKeygen, Primitive::Signature(s)) => Op::SigKeygen(s),
                (CallOp::Sign, Primitive::Signature(s)) => {
                    Op::Sign(s, s.generate(rng)?.1, bytes(size(c, 1)?))
                }
                (CallOp::Verify, Primitive::Signature(s)) => {
                    let (pk, sk) = s.generate(rng)?;
                    let msg = bytes(size(c, 1)?);
                    let sig = s.sign(sk.expose(), &msg, rng)?;
                    Op::Verify(s, pk, msg, sig)
                }
                (CallOp::Seal, Primitive::Aead(a)) => Op::Seal(
                    a,
                    bytes(a.key_len()),
                    bytes(a.nonce_len()),
                    bytes(size(c, 0)?),
                    bytes(size(c, 1)?),
                ),
                (CallOp::Open, Primitive::Aead(a)) => {
                    let (key, nonce) = (bytes(a.key_len()), bytes(a.nonce_len()));
                    let aad = bytes(size(c, 0)?);
                    // A valid ciphertext of the recorded length (at least a tag).
                    let pt = bytes(size(c, 1)?.saturating_sub(a.tag_len()));
                    let sealed = a.seal(&key, &nonce, &aad, &pt)?;
                    Op::Open(a, key, nonce, aad, sealed)
                }
                (CallOp::Hash, Primitive::Hash(h)) => Op::Hash(h, bytes(size(c, 0)?)),
                (CallOp::Hmac, Primitive::Hash(h)) => {
                    Op::Hmac(h, bytes(size(c, 0)?), bytes(size(c, 1)?))
                }
                (CallOp::Xof, Primitive::Xof(x)) => Op::Xof(x, bytes(size(c, 0)?), size(c, 1)?),
                (CallOp::Extract, Primitive::Kdf(k)) => {
                    Op::Extract(k, bytes(size(c, 0)?), bytes(size(c, 1)?))
                }
                (CallOp::Expand, Primitive::Kdf(k)) => {
                    Op::Expand(k, bytes(size(c, 0)?), bytes(size(c, 1)?), size(c, 2)?)
                }
                (CallOp::Derive, Primitive::Kdf(k)) => Op::Derive(
                    k,
                    bytes(size(c, 0)?),
                    bytes(size(c, 1)?),
                    bytes(size(c, 2)?),
                    size(c, 3)?,
                ),
                (CallOp::KemKeygen, Primitive::IncrementalKem(k)) => Op::IncKeygen(k),
                (CallOp::Encaps1, Primitive::IncrementalKem(k)) => {
                    Op::Encaps1(k, k.generate(rng)?.0)
                }
                (CallOp::Encaps2, Primitive::IncrementalKem(k)) => {
                    let (hdr, ekv, _) = k.generate(rng)?;
                    let (_, state, _) = k.encapsulate1(&hdr, rng)?;
                    Op::Encaps2(k, state, ekv)
                }
                (CallOp::Decaps, Primitive::IncrementalKem(k)) => {
                    let (hdr, ekv, dk) = k.generate(rng)?;
                    let (ct1, state, _) = k.encapsulate1(&hdr, rng)?;
                    let ct2 = k.encapsulate2(state.expose(), &ekv)?;
                    Op::IncDecaps(k, dk, ct1, ct2)
                }
                (CallOp::CheckEkVector, Primitive::IncrementalKem(k)) => {
                    let (hdr, ekv, _) = k.generate(rng)?;
                    Op::CheckEkVector(k, hdr, ekv)
                }
                (CallOp::Encrypt, Primitive::Cipher(x)) => {
                    Op::Encrypt(x, bytes(x.key_len()), bytes(x.iv_len()), bytes(size(c, 0)?))
                }
                (CallOp::Decrypt, Primitive::Cipher(x)) => {
                    let (key, iv) = (bytes(x.key_len()), bytes(x.iv_len()));
                    // A valid ciphertext of the recorded length.
                    let pt = bytes(size(c, 0)?.saturating_sub(1));
                    let ct = x.encrypt(&key, &iv, &pt)?;
                    Op::Decrypt(x, key, iv, ct)
                }
                _ => return Err(unexpected(c)),
            });
        }
        Ok(Self { ops })
    }

    /// The operations.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Runs every operation once.
    pub fn run(&self, rng: &mut dyn CryptoRng) -> Result<()> {
        let mut out = [0u8; 256];
        for op in &self.ops {
            match op {
                Op::DhKeygen(d) => drop(d.generate(rng)?),
                Op::DhPublic(d, sk) => drop(d.public_key(sk.expose())?),
                Op::Dh(d, sk, pk) => drop(d.dh(sk.expose(), pk)?),
                Op::KemKeygen(k) => drop(k.generate(rng)?),
                Op::SigKeygen(s) => drop(s.generate(rng)?),
                Op::Encaps(k, pk) => drop(k.encapsulate(pk, rng)?),
                Op::Decaps(k, sk, ct, false) => drop(k.decapsulate(sk.expose(), ct)?),
                Op::Decaps(k, sk, ct, true) => drop(k.decapsulate_prechecked(sk.expose(), ct)?),
                Op::CheckSecretKey(k, sk) => k.check_secret_key(sk.expose())?,
                Op::Sign(s, sk, msg) => drop(s.sign(sk.expose(), msg, rng)?),
                Op::Verify(s, pk, msg, sig) => s.verify(pk, msg, sig)?,
                Op::Seal(a, k, n, ad, pt) => drop(a.seal(k, n, ad, pt)?),
                Op::Open(a, k, n, ad, ct) => drop(a.open(k, n, ad, ct)?),
                Op::Hash(h, m) => drop(h.hash(&[m])),
                Op::Hmac(h, k, m) => drop(h.hmac(k, &[m])),
                Op::Xof(x, m, n) => x.xof(&[m], &mut out[..(*n).min(256)]),
                Op::Extract(k, s, i) => drop(k.extract(s, i)),
                Op::Expand(k, p, i, l) => drop(k.expand(p, i, *l)?),
                Op::Derive(k, s, i, f, l) => drop(k.derive(s, i, f, *l)?),
                Op::IncKeygen(k) => drop(k.generate(rng)?),
                Op::Encaps1(k, hdr) => drop(k.encapsulate1(hdr, rng)?),
                Op::Encaps2(k, st, ekv) => drop(k.encapsulate2(st.expose(), ekv)?),
                Op::IncDecaps(k, dk, c1, c2) => drop(k.decapsulate(dk.expose(), c1, c2)?),
                Op::CheckEkVector(k, hdr, ekv) => k.check_ek_vector(hdr, ekv)?,
                Op::Encrypt(x, key, iv, pt) => drop(x.encrypt(key, iv, pt)?),
                Op::Decrypt(x, key, iv, ct) => drop(x.decrypt(key, iv, ct)?),
            }
        }
        Ok(())
    }

    /// A summary such as `2 DH keygen + 6 DH + encaps + decaps + 30 HMAC + 20 hash`.
    pub fn describe(&self) -> String {
        let mut counts: BTreeMap<usize, (&str, usize)> = BTreeMap::new();
        for op in &self.ops {
            let l = op.label();
            let pos = ORDER.iter().position(|o| *o == l).unwrap_or(ORDER.len());
            counts.entry(pos).or_insert((l, 0)).1 += 1;
        }
        counts
            .values()
            .map(|(l, n)| {
                if *n == 1 {
                    (*l).to_string()
                } else {
                    format!("{n} {l}")
                }
            })
            .collect::<Vec<_>>()
            .join(" + ")
    }
}
