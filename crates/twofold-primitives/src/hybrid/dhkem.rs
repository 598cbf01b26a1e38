//! DHKEM(X25519, HKDF-SHA256), RFC 9180 §4.1 and §7.1, over any X25519
//! [`Dh`].
//!
//! ```text
//! suite_id          = "KEM" || I2OSP(0x0020, 2)
//! LabeledExtract(salt, label, ikm)     = HKDF-Extract(salt, "HPKE-v1" || suite_id || label || ikm)
//! LabeledExpand(prk, label, info, L)   = HKDF-Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L)
//! DeriveKeyPair(ikm):  dkp_prk = LabeledExtract("", "dkp_prk", ikm)
//!                      sk = LabeledExpand(dkp_prk, "sk", "", 32);  pk = X25519(sk, 9)
//! ExtractAndExpand(dh, kem_context):
//!                      eae_prk = LabeledExtract("", "eae_prk", dh)
//!                      shared_secret = LabeledExpand(eae_prk, "shared_secret", kem_context, 32)
//! Encap(pkR):  (skE, pkE) = DeriveKeyPair(ikmE); enc = pkE; kem_context = enc || pkRm
//! Decap(enc, skR): dh = X25519(skR, enc); kem_context = enc || pk(skR)
//! ```
//!
//! Coins: key generation takes `ikm` (32 bytes) and encapsulation `ikmE`
//! (32 bytes); both go through `DeriveKeyPair`, exactly as the RFC's test
//! vectors are generated. An all-zero DH output is an error (RFC 9180
//! §7.1.4), which every twofold [`Dh`] already enforces.
//!
//! Secret-key stored form: `skRm || pkRm` (64 bytes), so decapsulation does
//! not recompute `pk(skR)` for `kem_context`. Decapsulation also accepts the
//! bare 32-byte `skRm` (RFC 9180 `SerializePrivateKey`) and recomputes the
//! public key. The stored `pkRm` is trusted: a key whose halves disagree
//! decapsulates to a different secret, never to an error, so keep secret
//! keys where only their owner can write them.

use std::fmt;

use hkdf::{Hkdf, HkdfExtract};
use sha2::Sha256;
use twofold_core::{AlgorithmId, Dh, Error, Kem, KemSizes, Result, SecretBytes, check_len};
use zeroize::Zeroize;

use crate::dh;

/// RFC 9180 `suite_id` of DHKEM(X25519, HKDF-SHA256): `"KEM" || I2OSP(0x0020, 2)`.
const SUITE_ID: &[u8] = b"KEM\x00\x20";
/// RFC 9180 version label.
const HPKE_V1: &[u8] = b"HPKE-v1";
/// Nsecret, Nenc, Npk, Nsk of DHKEM(X25519, HKDF-SHA256).
const N: usize = 32;

/// DHKEM(X25519, HKDF-SHA256) over an X25519 implementation.
pub struct DhKemX25519 {
    dh: &'static dyn Dh,
}

/// DHKEM(X25519, HKDF-SHA256) over x25519-dalek.
pub static DHKEM_X25519_DALEK: DhKemX25519 = DhKemX25519 {
    dh: &dh::dalek::X25519,
};

/// DHKEM(X25519, HKDF-SHA256) over aws-lc-rs.
pub static DHKEM_X25519_AWSLC: DhKemX25519 = DhKemX25519 {
    dh: &dh::awslc::X25519,
};

impl DhKemX25519 {
    /// DHKEM over any X25519 backend. Fails with [`Error::Misuse`] if `dh`
    /// is not X25519 with 32-byte values (the suite id names X25519).
    pub fn new(dh: &'static dyn Dh) -> Result<Self> {
        let s = dh.sizes();
        if dh.name() != "X25519" || s.pk != N || s.sk != N || s.shared != N {
            return Err(Error::Misuse(
                "DHKEM(X25519,HKDF-SHA256) needs an X25519 Diffie-Hellman function",
            ));
        }
        Ok(Self { dh })
    }

    /// `DeriveKeyPair(ikm)`: returns `(skXm, pkXm)`.
    fn derive_key_pair(&self, ikm: &[u8]) -> Result<(SecretBytes, Vec<u8>)> {
        let dkp_prk = labeled_extract(b"dkp_prk", ikm);
        let mut sk = SecretBytes::zeroed(N);
        labeled_expand(&dkp_prk, b"sk", &[], sk.expose_mut())?;
        let pk = self.dh.public_key(sk.expose())?;
        Ok((sk, pk))
    }
}

/// `LabeledExtract("", label, ikm)`, returned as the HKDF state keyed by the
/// PRK. The PRK copy handed back by the hkdf crate is wiped.
fn labeled_extract(label: &[u8], ikm: &[u8]) -> Hkdf<Sha256> {
    let mut ext = HkdfExtract::<Sha256>::new(Some(&[]));
    ext.input_ikm(HPKE_V1);
    ext.input_ikm(SUITE_ID);
    ext.input_ikm(label);
    ext.input_ikm(ikm);
    let (mut prk, hkdf) = ext.finalize();
    prk.as_mut_slice().zeroize();
    hkdf
}

/// `LabeledExpand(prk, label, info, out.len())`.
fn labeled_expand(prk: &Hkdf<Sha256>, label: &[u8], info: &[u8], out: &mut [u8]) -> Result<()> {
    let len = u16::try_from(out.len()).map_err(|_| Error::Misuse("LabeledExpand length"))?;
    prk.expand_multi_info(&[&len.to_be_bytes(), HPKE_V1, SUITE_ID, label, info], out)
        .map_err(|_| Error::Misuse("LabeledExpand length"))
}

/// `ExtractAndExpand(dh, enc || pkRm)`.
fn extract_and_expand(dh: &SecretBytes, enc: &[u8], pk_rm: &[u8]) -> Result<SecretBytes> {
    let eae_prk = labeled_extract(b"eae_prk", dh.expose());
    let mut kem_context = [0u8; 2 * N];
    kem_context[..N].copy_from_slice(enc);
    kem_context[N..].copy_from_slice(pk_rm);
    let mut ss = SecretBytes::zeroed(N);
    labeled_expand(&eae_prk, b"shared_secret", &kem_context, ss.expose_mut())?;
    Ok(ss)
}

impl fmt::Debug for DhKemX25519 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DhKemX25519")
            .field("dh", &self.dh.id())
            .finish()
    }
}

impl AlgorithmId for DhKemX25519 {
    fn name(&self) -> &'static str {
        "DHKEM(X25519,HKDF-SHA256)"
    }
    fn backend(&self) -> &'static str {
        self.dh.backend()
    }
}

impl Kem for DhKemX25519 {
    fn sizes(&self) -> KemSizes {
        KemSizes {
            pk: N,
            sk: 2 * N,
            ct: N,
            ss: N,
            keygen_coins: N,
            encaps_coins: N,
        }
    }

    /// `DeriveKeyPair(ikm)` with a 32-byte `ikm`; the secret key is
    /// returned in the stored form `skRm || pkRm`.
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        check_len("DHKEM key-generation coins (ikm)", coins, N)?;
        let (sk, pk) = self.derive_key_pair(coins)?;
        let mut stored = SecretBytes::zeroed(2 * N);
        stored.expose_mut()[..N].copy_from_slice(sk.expose());
        stored.expose_mut()[N..].copy_from_slice(&pk);
        Ok((pk, stored))
    }

    /// `Encap(pkR)` with the ephemeral key pair `DeriveKeyPair(ikmE)`.
    fn encapsulate_derand(&self, pk: &[u8], coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        check_len("DHKEM public key", pk, N)?;
        check_len("DHKEM encapsulation coins (ikmE)", coins, N)?;
        let (sk_e, enc) = self.derive_key_pair(coins)?;
        let dh = self.dh.dh(sk_e.expose(), pk)?;
        let ss = extract_and_expand(&dh, &enc, pk)?;
        Ok((enc, ss))
    }

    /// `Decap(enc, skR)`; `sk` is `skRm || pkRm` or the bare `skRm`.
    fn decapsulate(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
        check_len("DHKEM ciphertext (enc)", ct, N)?;
        let (sk_rm, pk_rm) = match sk.len() {
            64 => (&sk[..N], sk[N..].to_vec()),
            32 => (sk, self.dh.public_key(sk)?),
            actual => {
                return Err(Error::InvalidLength {
                    what: "DHKEM secret key (skRm || pkRm, or skRm)",
                    expected: 2 * N,
                    actual,
                });
            }
        };
        let dh = self.dh.dh(sk_rm, ct)?;
        extract_and_expand(&dh, ct, &pk_rm)
    }
}
