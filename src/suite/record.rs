//! Recording every primitive call a handshake makes, for its floor.
//!
//! [`Recorder::resolver`] wraps a [`Resolver`]: every trait object it hands
//! out logs each call (which operation, on which implementation, with which
//! input sizes) before delegating to the real one. One handshake run through
//! it yields the exact list of primitive operations that protocol performs,
//! which [`super::Floor::from_calls`] turns into a replayable floor.
//!
//! The wrappers are leaked (`Box::leak`) because resolvers hand out
//! `&'static` trait objects; a recorder makes one wrapper per name resolved,
//! once per measured suite, which is what a benchmark tool can afford.

use std::sync::{Arc, Mutex};

use twofold_core::{
    Aead, AlgorithmId, CryptoRng, Dh, DhSizes, Hash, Kdf, Kem, KemSizes, Resolver, Result,
    SecretBytes, SigSizes, Signature, Xof,
};

/// One primitive call, with the sizes of its inputs.
#[derive(Clone, Copy)]
pub enum Call {
    /// KEM key generation.
    KemKeygen(&'static dyn Kem),
    /// KEM encapsulation.
    Encaps(&'static dyn Kem),
    /// KEM decapsulation; `true` for [`Kem::decapsulate_prechecked`].
    Decaps(&'static dyn Kem, bool),
    /// The checks on a KEM secret key.
    CheckSecretKey(&'static dyn Kem),
    /// DH key generation.
    DhKeygen(&'static dyn Dh),
    /// Public key from a DH secret key.
    DhPublic(&'static dyn Dh),
    /// DH computation.
    Dh(&'static dyn Dh),
    /// Signing a message of this many bytes.
    Sign(&'static dyn Signature, usize),
    /// Verifying a signature on a message of this many bytes.
    Verify(&'static dyn Signature, usize),
    /// Sealing: associated-data and plaintext lengths.
    Seal(&'static dyn Aead, usize, usize),
    /// Opening: associated-data and ciphertext lengths.
    Open(&'static dyn Aead, usize, usize),
    /// Hashing this many bytes.
    Hash(&'static dyn Hash, usize),
    /// HMAC with a key of this length over this many bytes.
    Hmac(&'static dyn Hash, usize, usize),
    /// XOF: input and output lengths.
    Xof(&'static dyn Xof, usize, usize),
    /// KDF extract: salt and IKM lengths.
    Extract(&'static dyn Kdf, usize, usize),
    /// KDF expand: PRK, info and output lengths.
    Expand(&'static dyn Kdf, usize, usize, usize),
    /// KDF extract-then-expand: salt, IKM, info and output lengths.
    Derive(&'static dyn Kdf, usize, usize, usize, usize),
}

type Log = Arc<Mutex<Vec<Call>>>;

/// Collects the calls made through its resolver.
#[derive(Clone, Default)]
pub struct Recorder {
    log: Log,
}

impl Recorder {
    /// A recorder with an empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// A resolver that resolves through `inner` and records every call.
    pub fn resolver(&self, inner: &'static dyn Resolver) -> &'static dyn Resolver {
        Box::leak(Box::new(RecResolver {
            inner,
            log: self.log.clone(),
        }))
    }

    /// Forgets everything recorded so far.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Takes the calls recorded since the last `clear`/`take`.
    pub fn take(&self) -> Vec<Call> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Call>> {
        // A panic while holding this lock would be a bug in a wrapper below,
        // which only pushes; the data stays a valid Vec either way.
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn push(log: &Log, c: Call) {
    log.lock().unwrap_or_else(|e| e.into_inner()).push(c);
}

fn total(parts: &[&[u8]]) -> usize {
    parts.iter().map(|p| p.len()).sum()
}

struct RecResolver {
    inner: &'static dyn Resolver,
    log: Log,
}

fn leak<T>(t: T) -> &'static T {
    Box::leak(Box::new(t))
}

impl Resolver for RecResolver {
    fn kem(&self, name: &str) -> Result<&'static dyn Kem> {
        let inner = self.inner.kem(name)?;
        Ok(leak(Rec {
            inner,
            log: self.log.clone(),
        }))
    }
    fn dh(&self, name: &str) -> Result<&'static dyn Dh> {
        let inner = self.inner.dh(name)?;
        Ok(leak(Rec {
            inner,
            log: self.log.clone(),
        }))
    }
    fn signature(&self, name: &str) -> Result<&'static dyn Signature> {
        let inner = self.inner.signature(name)?;
        Ok(leak(Rec {
            inner,
            log: self.log.clone(),
        }))
    }
    fn aead(&self, name: &str) -> Result<&'static dyn Aead> {
        let inner = self.inner.aead(name)?;
        Ok(leak(Rec {
            inner,
            log: self.log.clone(),
        }))
    }
    fn hash(&self, name: &str) -> Result<&'static dyn Hash> {
        let inner = self.inner.hash(name)?;
        Ok(leak(Rec {
            inner,
            log: self.log.clone(),
        }))
    }
    fn xof(&self, name: &str) -> Result<&'static dyn Xof> {
        let inner = self.inner.xof(name)?;
        Ok(leak(Rec {
            inner,
            log: self.log.clone(),
        }))
    }
    fn kdf(&self, name: &str) -> Result<&'static dyn Kdf> {
        let inner = self.inner.kdf(name)?;
        Ok(leak(Rec {
            inner,
            log: self.log.clone(),
        }))
    }
}

/// A recording wrapper around one implementation.
struct Rec<T: ?Sized + 'static> {
    inner: &'static T,
    log: Log,
}

impl<T: AlgorithmId + ?Sized + 'static> AlgorithmId for Rec<T> {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    fn takes_coins(&self) -> bool {
        self.inner.takes_coins()
    }
}

impl Kem for Rec<dyn Kem> {
    fn sizes(&self) -> KemSizes {
        self.inner.sizes()
    }
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        push(&self.log, Call::KemKeygen(self.inner));
        self.inner.generate_derand(coins)
    }
    fn encapsulate_derand(&self, pk: &[u8], coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        push(&self.log, Call::Encaps(self.inner));
        self.inner.encapsulate_derand(pk, coins)
    }
    fn decapsulate(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
        push(&self.log, Call::Decaps(self.inner, false));
        self.inner.decapsulate(sk, ct)
    }
    fn check_secret_key(&self, sk: &[u8]) -> Result<()> {
        push(&self.log, Call::CheckSecretKey(self.inner));
        self.inner.check_secret_key(sk)
    }
    fn decapsulate_prechecked(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
        push(&self.log, Call::Decaps(self.inner, true));
        self.inner.decapsulate_prechecked(sk, ct)
    }
    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        push(&self.log, Call::KemKeygen(self.inner));
        self.inner.generate(rng)
    }
    fn encapsulate(&self, pk: &[u8], rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        push(&self.log, Call::Encaps(self.inner));
        self.inner.encapsulate(pk, rng)
    }
}

impl Dh for Rec<dyn Dh> {
    fn sizes(&self) -> DhSizes {
        self.inner.sizes()
    }
    fn public_key(&self, sk: &[u8]) -> Result<Vec<u8>> {
        push(&self.log, Call::DhPublic(self.inner));
        self.inner.public_key(sk)
    }
    fn dh(&self, sk: &[u8], pk: &[u8]) -> Result<SecretBytes> {
        push(&self.log, Call::Dh(self.inner));
        self.inner.dh(sk, pk)
    }
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        push(&self.log, Call::DhKeygen(self.inner));
        self.inner.generate_derand(coins)
    }
    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        push(&self.log, Call::DhKeygen(self.inner));
        self.inner.generate(rng)
    }
}

impl Signature for Rec<dyn Signature> {
    fn sizes(&self) -> SigSizes {
        self.inner.sizes()
    }
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        self.inner.generate_derand(coins)
    }
    fn sign_derand(&self, sk: &[u8], msg: &[u8], coins: &[u8]) -> Result<Vec<u8>> {
        push(&self.log, Call::Sign(self.inner, msg.len()));
        self.inner.sign_derand(sk, msg, coins)
    }
    fn verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
        push(&self.log, Call::Verify(self.inner, msg.len()));
        self.inner.verify(pk, msg, sig)
    }
    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        self.inner.generate(rng)
    }
    fn sign(&self, sk: &[u8], msg: &[u8], rng: &mut dyn CryptoRng) -> Result<Vec<u8>> {
        push(&self.log, Call::Sign(self.inner, msg.len()));
        self.inner.sign(sk, msg, rng)
    }
}

impl Aead for Rec<dyn Aead> {
    fn key_len(&self) -> usize {
        self.inner.key_len()
    }
    fn nonce_len(&self) -> usize {
        self.inner.nonce_len()
    }
    fn tag_len(&self) -> usize {
        self.inner.tag_len()
    }
    fn seal(&self, key: &[u8], nonce: &[u8], aad: &[u8], pt: &[u8]) -> Result<Vec<u8>> {
        push(&self.log, Call::Seal(self.inner, aad.len(), pt.len()));
        self.inner.seal(key, nonce, aad, pt)
    }
    fn open(&self, key: &[u8], nonce: &[u8], aad: &[u8], ct: &[u8]) -> Result<Vec<u8>> {
        push(&self.log, Call::Open(self.inner, aad.len(), ct.len()));
        self.inner.open(key, nonce, aad, ct)
    }
    fn ciphertext_len(&self, len: usize) -> usize {
        self.inner.ciphertext_len(len)
    }
}

impl Hash for Rec<dyn Hash> {
    fn output_len(&self) -> usize {
        self.inner.output_len()
    }
    fn block_len(&self) -> usize {
        self.inner.block_len()
    }
    fn hash(&self, parts: &[&[u8]]) -> Vec<u8> {
        push(&self.log, Call::Hash(self.inner, total(parts)));
        self.inner.hash(parts)
    }
    fn hmac(&self, key: &[u8], parts: &[&[u8]]) -> SecretBytes {
        push(&self.log, Call::Hmac(self.inner, key.len(), total(parts)));
        self.inner.hmac(key, parts)
    }
}

impl Xof for Rec<dyn Xof> {
    fn xof(&self, parts: &[&[u8]], out: &mut [u8]) {
        push(&self.log, Call::Xof(self.inner, total(parts), out.len()));
        self.inner.xof(parts, out)
    }
}

impl Kdf for Rec<dyn Kdf> {
    fn prk_len(&self) -> usize {
        self.inner.prk_len()
    }
    fn extract(&self, salt: &[u8], ikm: &[u8]) -> SecretBytes {
        push(&self.log, Call::Extract(self.inner, salt.len(), ikm.len()));
        self.inner.extract(salt, ikm)
    }
    fn expand(&self, prk: &[u8], info: &[u8], len: usize) -> Result<SecretBytes> {
        push(
            &self.log,
            Call::Expand(self.inner, prk.len(), info.len(), len),
        );
        self.inner.expand(prk, info, len)
    }
    fn derive(&self, salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Result<SecretBytes> {
        push(
            &self.log,
            Call::Derive(self.inner, salt.len(), ikm.len(), info.len(), len),
        );
        self.inner.derive(salt, ikm, info, len)
    }
}
