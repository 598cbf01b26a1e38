//! Single-shot HPKE (RFC 9180, base mode) with X-Wing, HKDF-SHA256 and
//! ChaCha20-Poly1305, from twofold's primitives, next to hpke-rs 0.8 on
//! libcrux doing the same: seal to a public key, then open.
//!
//! The twofold side is the RFC's key schedule over the registry's X-Wing,
//! HKDF and AEAD (KEM id 0x647a as draft-connolly-cfrg-xwing-kem-06 and
//! hpke-rs assign it; X-Wing's shared secret is HPKE's, with no further
//! extract). A test opens hpke-rs's ciphertext with it and the other way
//! round, so both sides do the same work.

use std::cell::RefCell;
use std::sync::Arc;

use hpke_rs::hpke_types::{AeadAlgorithm, KdfAlgorithm, KemAlgorithm};
use hpke_rs::libcrux::HpkeLibcrux;
use hpke_rs::{Hpke, HpkePrivateKey, HpkePublicKey, Mode};
use twofold_core::resolve::Observing;
use twofold_core::{Aead, CryptoRng, Kdf, Kem, Resolver, SecretBytes, ShakeRng};
use twofold_harness::bench::stats::{Runner, runner};
use twofold_harness::bench::{BenchError, Case, Result, Subject, record_calls};

/// The row's name.
pub const SUITE: &str = "HPKE_base_X-Wing_HKDF-SHA256_ChaCha20-Poly1305";
/// The operation: a 64-byte message sealed and opened.
pub const OP: &str = "seal+open 64 B";

const KEM_ID: u16 = 0x647a;
const KDF_ID: u16 = 0x0001;
const AEAD_ID: u16 = 0x0003;
const HPKE_V1: &[u8] = b"HPKE-v1";
const INFO: &[u8] = b"twofold bench";
const AAD: &[u8] = b"";
const MESSAGE: [u8; 64] = [0x5a; 64];

fn suite_id() -> [u8; 10] {
    let mut s = [0u8; 10];
    s[..4].copy_from_slice(b"HPKE");
    s[4..6].copy_from_slice(&KEM_ID.to_be_bytes());
    s[6..8].copy_from_slice(&KDF_ID.to_be_bytes());
    s[8..].copy_from_slice(&AEAD_ID.to_be_bytes());
    s
}

/// HPKE's base mode on twofold primitives.
pub struct TwofoldHpke {
    kem: &'static dyn Kem,
    kdf: &'static dyn Kdf,
    aead: &'static dyn Aead,
}

/// The sender's output.
pub struct Sealed {
    /// The KEM ciphertext.
    pub enc: Vec<u8>,
    /// The AEAD ciphertext.
    pub ct: Vec<u8>,
}

impl TwofoldHpke {
    /// The suite's primitives from `resolver` (`X-Wing` by its bare name).
    pub fn new(resolver: &dyn Resolver) -> Result<Self> {
        Ok(Self {
            kem: resolver.kem("X-Wing")?,
            kdf: resolver.kdf("HKDF-SHA256")?,
            aead: resolver.aead("ChaCha20-Poly1305")?,
        })
    }

    /// The KEM.
    pub fn kem(&self) -> &'static dyn Kem {
        self.kem
    }

    fn labeled_extract(&self, salt: &[u8], label: &[u8], ikm: &[u8]) -> SecretBytes {
        let mut m = Vec::with_capacity(HPKE_V1.len() + 10 + label.len() + ikm.len());
        m.extend_from_slice(HPKE_V1);
        m.extend_from_slice(&suite_id());
        m.extend_from_slice(label);
        m.extend_from_slice(ikm);
        self.kdf.extract(salt, &m)
    }

    fn labeled_expand(
        &self,
        prk: &[u8],
        label: &[u8],
        info: &[u8],
        len: u16,
    ) -> Result<SecretBytes> {
        let mut m = Vec::with_capacity(2 + HPKE_V1.len() + 10 + label.len() + info.len());
        m.extend_from_slice(&len.to_be_bytes());
        m.extend_from_slice(HPKE_V1);
        m.extend_from_slice(&suite_id());
        m.extend_from_slice(label);
        m.extend_from_slice(info);
        Ok(self.kdf.expand(prk, &m, usize::from(len))?)
    }

    /// RFC 9180 §5.1 KeySchedule for mode_base: key, base nonce and the
    /// exporter secret (computed as the RFC and hpke-rs do).
    fn schedule(&self, ss: &[u8], info: &[u8]) -> Result<(SecretBytes, SecretBytes)> {
        let psk_id_hash = self.labeled_extract(b"", b"psk_id_hash", b"");
        let info_hash = self.labeled_extract(b"", b"info_hash", info);
        let mut context = vec![0u8]; // mode_base
        context.extend_from_slice(psk_id_hash.expose());
        context.extend_from_slice(info_hash.expose());
        let secret = self.labeled_extract(ss, b"secret", b"");
        let key = self.labeled_expand(secret.expose(), b"key", &context, 32)?;
        let nonce = self.labeled_expand(secret.expose(), b"base_nonce", &context, 12)?;
        let exporter = self.labeled_expand(secret.expose(), b"exp", &context, 32)?;
        std::hint::black_box(exporter);
        Ok((key, nonce))
    }

    /// Single-shot seal to `pk`.
    pub fn seal(
        &self,
        pk: &[u8],
        info: &[u8],
        aad: &[u8],
        pt: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<Sealed> {
        let (enc, ss) = self.kem.encapsulate(pk, rng)?;
        let (key, nonce) = self.schedule(ss.expose(), info)?;
        let ct = self.aead.seal(key.expose(), nonce.expose(), aad, pt)?;
        Ok(Sealed { enc, ct })
    }

    /// Single-shot open with `sk`.
    pub fn open(
        &self,
        sk: &[u8],
        enc: &[u8],
        info: &[u8],
        aad: &[u8],
        ct: &[u8],
    ) -> Result<Vec<u8>> {
        let ss = self.kem.decapsulate(sk, enc)?;
        let (key, nonce) = self.schedule(ss.expose(), info)?;
        Ok(self.aead.open(key.expose(), nonce.expose(), aad, ct)?)
    }
}

/// hpke-rs's configuration of the same suite.
pub fn hpke_rs() -> Result<Hpke<HpkeLibcrux>> {
    Hpke::<HpkeLibcrux>::try_new(
        Mode::Base,
        KemAlgorithm::XWingDraft06,
        KdfAlgorithm::HkdfSha256,
        AeadAlgorithm::ChaCha20Poly1305,
    )
    .map_err(hpke_err)
}

fn hpke_err(e: impl std::fmt::Debug) -> BenchError {
    BenchError::Other(format!("hpke-rs: {e:?}"))
}

/// A runner of hpke-rs seal + open of the row's message.
pub fn hpke_rs_runner() -> Result<Box<dyn Runner>> {
    let mut hpke = hpke_rs()?;
    let kp = hpke.generate_key_pair().map_err(hpke_err)?;
    let (sk, pk): (HpkePrivateKey, HpkePublicKey) = kp.into_keys();
    let hpke = RefCell::new(hpke);
    Ok(runner(move || {
        let mut h = hpke.borrow_mut();
        let (enc, ct) = h
            .seal(&pk, INFO, AAD, &MESSAGE, None, None, None)
            .map_err(hpke_err)?;
        let pt = h
            .open(enc.as_slice(), &sk, INFO, AAD, &ct, None, None, None)
            .map_err(hpke_err)?;
        std::hint::black_box(pt);
        Ok(())
    }))
}

/// The single-shot HPKE row.
pub struct HpkeSubject {
    resolver: Arc<dyn Resolver>,
}

impl HpkeSubject {
    /// On the backends `resolver` selects.
    pub fn new(resolver: Arc<dyn Resolver>) -> Self {
        Self { resolver }
    }
}

fn seal_open(h: &TwofoldHpke, pk: &[u8], sk: &[u8], rng: &mut dyn CryptoRng) -> Result<()> {
    let s = h.seal(pk, INFO, AAD, &MESSAGE, rng)?;
    let pt = h.open(sk, &s.enc, INFO, AAD, &s.ct)?;
    if pt != MESSAGE {
        return Err(BenchError::Other("HPKE: opened another message".into()));
    }
    Ok(())
}

impl Subject for HpkeSubject {
    fn kind(&self) -> &'static str {
        "single-shot"
    }

    fn name(&self) -> String {
        SUITE.to_string()
    }

    fn cases(&self, rng: &mut dyn CryptoRng) -> Result<Vec<Case>> {
        let observed = TwofoldHpke::new(&Observing::new(Arc::clone(&self.resolver)))?;
        let (pk, sk) = observed.kem().generate(rng)?;
        let (ok, calls) = record_calls(|| seal_open(&observed, &pk, sk.expose(), rng));
        ok?;
        let h = TwofoldHpke::new(&*self.resolver)?;
        let (pk, sk) = h.kem().generate(rng)?;
        let messages = vec![h.kem().sizes().ct + MESSAGE.len() + 16];
        let mut r = ShakeRng::new(SUITE.as_bytes());
        Ok(vec![Case {
            op: OP.to_string(),
            runner: runner(move || seal_open(&h, &pk, sk.expose(), &mut r)),
            calls,
            messages,
            state_bytes: None,
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twofold_primitives::registry::REGISTRY;

    #[test]
    fn twofold_and_hpke_rs_open_each_others_messages() {
        let mut hpke = hpke_rs().unwrap();
        // The draft's X-Wing secret key is its 32-byte seed, which hpke-rs
        // keeps and the X-Wing crate backend takes too.
        let t = TwofoldHpke {
            kem: REGISTRY.kem("X-Wing@x-wing").unwrap(),
            kdf: REGISTRY.kdf("HKDF-SHA256").unwrap(),
            aead: REGISTRY.aead("ChaCha20-Poly1305").unwrap(),
        };
        let mut rng = ShakeRng::new(b"hpke");
        let (tpk, tsk) = t.kem().generate(&mut rng).unwrap();
        assert_eq!(tsk.expose().len(), 32);
        let pk = HpkePublicKey::new(tpk.clone());
        let sk = HpkePrivateKey::new(tsk.expose().to_vec());
        let (enc, ct) = hpke
            .seal(&pk, INFO, b"ad", b"from hpke-rs", None, None, None)
            .unwrap();
        let pt = t
            .open(tsk.expose(), enc.as_slice(), INFO, b"ad", &ct)
            .unwrap();
        assert_eq!(pt, b"from hpke-rs");
        let s = t
            .seal(&tpk, INFO, b"ad", b"from twofold", &mut rng)
            .unwrap();
        let pt = hpke
            .open(&s.enc, &sk, INFO, b"ad", &s.ct, None, None, None)
            .unwrap();
        assert_eq!(pt, b"from twofold");
        // The default X-Wing backend (expanded secret key) speaks the same
        // wire format.
        let d = TwofoldHpke::new(&*REGISTRY).unwrap();
        let (dpk, dsk) = d.kem().generate(&mut rng).unwrap();
        let (enc, ct) = hpke
            .seal(&HpkePublicKey::new(dpk), INFO, b"", b"x", None, None, None)
            .unwrap();
        assert_eq!(
            d.open(dsk.expose(), enc.as_slice(), INFO, b"", &ct)
                .unwrap(),
            b"x"
        );
    }
}
