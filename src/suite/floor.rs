//! The floor of a handshake: its public-key operations and nothing else.
//!
//! A protocol cannot be faster than the DH, KEM and signature operations it
//! must perform. A [`Floor`] holds exactly those operations, with valid
//! inputs made in advance, and runs them back to back on the same backends
//! the handshake uses. Measured in the same run as the handshake, the ratio
//! handshake / floor is the protocol's own overhead: hashing, HKDF, AEAD,
//! encoding, bookkeeping.

use std::collections::BTreeMap;

use twofold_core::{CryptoRng, Dh, Kem, SecretBytes, Signature};

use super::Result;

/// One public-key operation with its inputs.
pub enum Op {
    /// DH key generation (an ephemeral key).
    DhKeygen(&'static dyn Dh),
    /// One DH computation.
    Dh(&'static dyn Dh, SecretBytes, Vec<u8>),
    /// KEM key generation.
    KemKeygen(&'static dyn Kem),
    /// KEM encapsulation to a public key.
    Encaps(&'static dyn Kem, Vec<u8>),
    /// KEM decapsulation of a ciphertext.
    Decaps(&'static dyn Kem, SecretBytes, Vec<u8>),
    /// Signature verification (public key, message, signature).
    Verify(&'static dyn Signature, Vec<u8>, Vec<u8>, Vec<u8>),
}

impl Op {
    fn label(&self) -> &'static str {
        match self {
            Op::DhKeygen(_) => "DH keygen",
            Op::Dh(..) => "DH",
            Op::KemKeygen(_) => "KEM keygen",
            Op::Encaps(..) => "encaps",
            Op::Decaps(..) => "decaps",
            Op::Verify(..) => "verify",
        }
    }
}

/// A list of operations; see the module documentation.
#[derive(Default)]
pub struct Floor {
    ops: Vec<Op>,
}

impl Floor {
    /// An empty floor.
    pub fn new() -> Self {
        Self::default()
    }

    /// The operations.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Adds a DH key generation.
    pub fn dh_keygen(&mut self, dh: &'static dyn Dh) {
        self.ops.push(Op::DhKeygen(dh));
    }

    /// Adds a DH computation on fresh valid keys.
    pub fn dh(&mut self, dh: &'static dyn Dh, rng: &mut dyn CryptoRng) -> Result<()> {
        let (_, sk) = dh.generate(rng)?;
        let (pk, _) = dh.generate(rng)?;
        self.ops.push(Op::Dh(dh, sk, pk));
        Ok(())
    }

    /// Adds a KEM key generation.
    pub fn kem_keygen(&mut self, kem: &'static dyn Kem) {
        self.ops.push(Op::KemKeygen(kem));
    }

    /// Adds an encapsulation and the matching decapsulation.
    pub fn kem_exchange(&mut self, kem: &'static dyn Kem, rng: &mut dyn CryptoRng) -> Result<()> {
        let (pk, sk) = kem.generate(rng)?;
        let (ct, _) = kem.encapsulate(&pk, rng)?;
        self.ops.push(Op::Encaps(kem, pk));
        self.ops.push(Op::Decaps(kem, sk, ct));
        Ok(())
    }

    /// Adds a verification of a valid signature over `len` bytes.
    pub fn verify(
        &mut self,
        sig: &'static dyn Signature,
        len: usize,
        rng: &mut dyn CryptoRng,
    ) -> Result<()> {
        let (pk, sk) = sig.generate(rng)?;
        let msg = vec![0x42u8; len];
        let s = sig.sign(sk.expose(), &msg, rng)?;
        self.ops.push(Op::Verify(sig, pk, msg, s));
        Ok(())
    }

    /// Runs every operation once.
    pub fn run(&self, rng: &mut dyn CryptoRng) -> Result<()> {
        for op in &self.ops {
            match op {
                Op::DhKeygen(d) => drop(d.generate(rng)?),
                Op::Dh(d, sk, pk) => drop(d.dh(sk.expose(), pk)?),
                Op::KemKeygen(k) => drop(k.generate(rng)?),
                Op::Encaps(k, pk) => drop(k.encapsulate(pk, rng)?),
                Op::Decaps(k, sk, ct) => drop(k.decapsulate(sk.expose(), ct)?),
                Op::Verify(s, pk, msg, sig) => s.verify(pk, msg, sig)?,
            }
        }
        Ok(())
    }

    /// A summary such as `2 DH keygen + 6 DH + KEM keygen + encaps + decaps`.
    pub fn describe(&self) -> String {
        let mut counts: BTreeMap<usize, (&str, usize)> = BTreeMap::new();
        let order = [
            "verify",
            "DH keygen",
            "DH",
            "KEM keygen",
            "encaps",
            "decaps",
        ];
        for op in &self.ops {
            let l = op.label();
            let pos = order.iter().position(|o| *o == l).unwrap_or(order.len());
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
