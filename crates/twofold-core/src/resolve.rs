//! Resolving names to implementations, and resolvers made of resolvers.
//!
//! A [`Resolver`] has one required method, [`Resolver::resolve`], which maps a
//! [`Family`] and an `ALGORITHM[@backend]` name to a [`Primitive`]; the typed
//! lookups ([`Resolver::kem`], [`Resolver::dh`], ...) are provided on top of
//! it. A new primitive family is a new [`Primitive`] variant and a new
//! provided method: no implementor breaks.
//!
//! Resolvers compose, in the manner of snow's resolver chain and rustls's
//! provider-as-data:
//! * [`Prefer`]: pick a backend for the algorithms whose name starts with a
//!   prefix ("every ML-KEM from pqcrypto") when a name names none;
//! * [`Overlay`]: put given implementations in front of another resolver
//!   (a test's counting KEM in front of the registry);
//! * [`Fallback`]: try one resolver, then another;
//! * [`Observing`]: every implementation it hands out reports each call to
//!   the observer capturing calls on this thread ([`crate::observe`]), which
//!   is how floors learn the primitive calls of a protocol run.

use std::sync::{Arc, Mutex};

use crate::observe::{self, Call, CallOp};
use crate::{
    Aead, AlgorithmId, AlgorithmName, CryptoRng, Dh, DhSizes, Error, Family, Hash, Kdf, Kem,
    KemSizes, Result, SecretBytes, SigSizes, Signature, Xof,
};

/// One implementation of one family.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum Primitive {
    /// A KEM.
    Kem(&'static dyn Kem),
    /// A Diffie-Hellman function.
    Dh(&'static dyn Dh),
    /// A signature scheme.
    Signature(&'static dyn Signature),
    /// An AEAD.
    Aead(&'static dyn Aead),
    /// A hash function.
    Hash(&'static dyn Hash),
    /// An XOF.
    Xof(&'static dyn Xof),
    /// A KDF.
    Kdf(&'static dyn Kdf),
}

impl Primitive {
    /// Its family.
    pub fn family(&self) -> Family {
        match self {
            Primitive::Kem(_) => Family::Kem,
            Primitive::Dh(_) => Family::Dh,
            Primitive::Signature(_) => Family::Signature,
            Primitive::Aead(_) => Family::Aead,
            Primitive::Hash(_) => Family::Hash,
            Primitive::Xof(_) => Family::Xof,
            Primitive::Kdf(_) => Family::Kdf,
        }
    }

    /// What it says about itself.
    pub fn algorithm(&self) -> &'static dyn AlgorithmId {
        match *self {
            Primitive::Kem(p) => p,
            Primitive::Dh(p) => p,
            Primitive::Signature(p) => p,
            Primitive::Aead(p) => p,
            Primitive::Hash(p) => p,
            Primitive::Xof(p) => p,
            Primitive::Kdf(p) => p,
        }
    }

    /// `ALGORITHM@backend`.
    pub fn id(&self) -> String {
        self.algorithm().id()
    }

    /// Whether both are the same object (not only the same algorithm).
    ///
    /// Most backends are zero-sized types, and references to distinct
    /// zero-sized values may share one address: the address alone does not
    /// tell `ML-KEM-768@libcrux` from `ML-KEM-1024@libcrux`, so the family,
    /// algorithm and backend must agree too.
    pub fn same_object(&self, other: &Primitive) -> bool {
        let (a, b) = (self.algorithm(), other.algorithm());
        core::ptr::addr_eq(a as *const dyn AlgorithmId, b as *const dyn AlgorithmId)
            && self.family() == other.family()
            && a.name() == b.name()
            && a.backend() == b.backend()
    }
}

impl core::fmt::Debug for Primitive {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {}", self.family().as_str(), self.id())
    }
}

fn wrong_family(name: &str, want: Family, got: Family) -> Error {
    Error::UnknownAlgorithm {
        kind: want.as_str(),
        name: name.to_string(),
        available: vec![format!("(the resolver answered with a {})", got.as_str())],
    }
}

macro_rules! typed_lookup {
    ($(#[$doc:meta])* $method:ident, $variant:ident, $trait:ident) => {
        $(#[$doc])*
        fn $method(&self, name: &str) -> Result<&'static dyn $trait> {
            match self.resolve(Family::$variant, name)? {
                Primitive::$variant(p) => Ok(p),
                other => Err(wrong_family(name, Family::$variant, other.family())),
            }
        }
    };
}

/// Turns algorithm names (`ALGORITHM` or `ALGORITHM@backend`) into
/// implementations.
///
/// Protocol crates depend on twofold-core only; they parse their suite
/// strings into algorithm names and ask a `Resolver` (the registry in
/// twofold-primitives, or one composed from it) for the trait objects.
pub trait Resolver: Send + Sync {
    /// The implementation of `family` named `name`. An unknown name is
    /// [`Error::UnknownAlgorithm`] listing what exists.
    fn resolve(&self, family: Family, name: &str) -> Result<Primitive>;

    typed_lookup!(
        /// A KEM by name.
        kem, Kem, Kem
    );
    typed_lookup!(
        /// A Diffie-Hellman function by name.
        dh, Dh, Dh
    );
    typed_lookup!(
        /// A signature scheme by name.
        signature, Signature, Signature
    );
    typed_lookup!(
        /// An AEAD by name.
        aead, Aead, Aead
    );
    typed_lookup!(
        /// A hash function by name.
        hash, Hash, Hash
    );
    typed_lookup!(
        /// An XOF by name.
        xof, Xof, Xof
    );
    typed_lookup!(
        /// A KDF by name.
        kdf, Kdf, Kdf
    );
}

impl<R: Resolver + ?Sized> Resolver for &R {
    fn resolve(&self, family: Family, name: &str) -> Result<Primitive> {
        (**self).resolve(family, name)
    }
}

impl<R: Resolver + ?Sized> Resolver for Box<R> {
    fn resolve(&self, family: Family, name: &str) -> Result<Primitive> {
        (**self).resolve(family, name)
    }
}

impl<R: Resolver + ?Sized> Resolver for Arc<R> {
    fn resolve(&self, family: Family, name: &str) -> Result<Primitive> {
        (**self).resolve(family, name)
    }
}

/// Selects a backend for the algorithms whose name begins with a prefix,
/// when the name asked for names no backend.
///
/// `Prefer::new(&REGISTRY).backend("ML-KEM-", "pqcrypto")` resolves
/// `ML-KEM-768` to `ML-KEM-768@pqcrypto` and leaves `ML-KEM-768@libcrux`
/// and every other name alone.
pub struct Prefer<R> {
    inner: R,
    rules: Vec<(String, String)>,
}

impl<R: Resolver> Prefer<R> {
    /// No preferences yet: resolves exactly as `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            rules: Vec::new(),
        }
    }

    /// Algorithms whose name starts with `prefix` (ASCII case-insensitive)
    /// come from `backend`. The first matching rule wins.
    pub fn backend(mut self, prefix: &str, backend: &str) -> Self {
        self.rules.push((prefix.to_string(), backend.to_string()));
        self
    }
}

impl<R: Resolver> Resolver for Prefer<R> {
    fn resolve(&self, family: Family, name: &str) -> Result<Primitive> {
        let parsed = AlgorithmName::parse(name)?;
        if parsed.backend.is_none() {
            let alg = parsed.algorithm.as_bytes();
            for (prefix, backend) in &self.rules {
                if alg.len() >= prefix.len()
                    && alg[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
                {
                    return self
                        .inner
                        .resolve(family, &format!("{}@{backend}", parsed.algorithm));
                }
            }
        }
        self.inner.resolve(family, name)
    }
}

/// Given implementations in front of another resolver: a name equal to an
/// entry's algorithm name, or to its full `ALGORITHM@backend`, resolves to
/// it (ASCII case-insensitive); every other name goes to `inner`.
pub struct Overlay<R> {
    inner: R,
    entries: Vec<Primitive>,
}

impl<R: Resolver> Overlay<R> {
    /// No entries yet.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            entries: Vec::new(),
        }
    }

    /// Puts `p` in front.
    pub fn with(mut self, p: Primitive) -> Self {
        self.entries.push(p);
        self
    }
}

impl<R: Resolver> Resolver for Overlay<R> {
    fn resolve(&self, family: Family, name: &str) -> Result<Primitive> {
        for p in &self.entries {
            let a = p.algorithm();
            if p.family() == family
                && (a.name().eq_ignore_ascii_case(name) || a.id().eq_ignore_ascii_case(name))
            {
                return Ok(*p);
            }
        }
        self.inner.resolve(family, name)
    }
}

/// Tries `first`; when it does not know the algorithm, tries `second`.
pub struct Fallback<A, B> {
    first: A,
    second: B,
}

impl<A: Resolver, B: Resolver> Fallback<A, B> {
    /// `first`, then `second`.
    pub fn new(first: A, second: B) -> Self {
        Self { first, second }
    }
}

impl<A: Resolver, B: Resolver> Resolver for Fallback<A, B> {
    fn resolve(&self, family: Family, name: &str) -> Result<Primitive> {
        match self.first.resolve(family, name) {
            Err(Error::UnknownAlgorithm { .. }) => self.second.resolve(family, name),
            other => other,
        }
    }
}

/// Hands out implementations that report every call they serve
/// ([`observe::report_call`]): operation, `ALGORITHM@backend` and input
/// sizes. Nothing is reported unless an observer captures calls on the
/// calling thread ([`crate::observe::Recorder::capture_calls`]).
///
/// The reporting wrappers are made once per distinct implementation for the
/// life of the process (a handful of objects: the registry's size), never
/// per lookup.
pub struct Observing<R> {
    inner: R,
}

impl<R: Resolver> Observing<R> {
    /// Observes what `inner` resolves.
    pub fn new(inner: R) -> Self {
        Self { inner }
    }
}

impl<R: Resolver> Resolver for Observing<R> {
    fn resolve(&self, family: Family, name: &str) -> Result<Primitive> {
        Ok(observed(self.inner.resolve(family, name)?))
    }
}

/// The reporting wrapper of `p` (made on first use), or `p` itself if it
/// is already one.
pub fn observed(p: Primitive) -> Primitive {
    static WRAPPERS: Mutex<Vec<(Primitive, Primitive)>> = Mutex::new(Vec::new());
    // A panic elsewhere while holding this lock cannot leave the list
    // half-written (push is the only mutation), so a poisoned lock is safe.
    let mut list = WRAPPERS.lock().unwrap_or_else(|e| e.into_inner());
    for (inner, wrapper) in list.iter() {
        if inner.same_object(&p) {
            return *wrapper;
        }
        if wrapper.same_object(&p) {
            return p;
        }
    }
    let wrapper = match p {
        Primitive::Kem(inner) => Primitive::Kem(leak(Reporting { inner })),
        Primitive::Dh(inner) => Primitive::Dh(leak(Reporting { inner })),
        Primitive::Signature(inner) => Primitive::Signature(leak(Reporting { inner })),
        Primitive::Aead(inner) => Primitive::Aead(leak(Reporting { inner })),
        Primitive::Hash(inner) => Primitive::Hash(leak(Reporting { inner })),
        Primitive::Xof(inner) => Primitive::Xof(leak(Reporting { inner })),
        Primitive::Kdf(inner) => Primitive::Kdf(leak(Reporting { inner })),
    };
    list.push((p, wrapper));
    wrapper
}

// One object per distinct implementation, kept for the process's life so
// that it can be handed out as `&'static`.
fn leak<T>(t: T) -> &'static T {
    Box::leak(Box::new(t))
}

/// Reports each call, then delegates.
struct Reporting<T: ?Sized + 'static> {
    inner: &'static T,
}

fn total(parts: &[&[u8]]) -> usize {
    parts.iter().map(|p| p.len()).sum()
}

impl<T: ?Sized + 'static> Reporting<T> {
    fn report(&self, op: CallOp, primitive: Primitive, sizes: &[usize]) {
        observe::report_call(&Call {
            op,
            primitive,
            sizes,
        });
    }
}

impl<T: AlgorithmId + ?Sized + 'static> AlgorithmId for Reporting<T> {
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

impl Kem for Reporting<dyn Kem> {
    fn sizes(&self) -> KemSizes {
        self.inner.sizes()
    }
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        self.report(
            CallOp::KemKeygen,
            Primitive::Kem(self.inner),
            &[coins.len()],
        );
        self.inner.generate_derand(coins)
    }
    fn encapsulate_derand(&self, pk: &[u8], coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        self.report(CallOp::Encaps, Primitive::Kem(self.inner), &[pk.len()]);
        self.inner.encapsulate_derand(pk, coins)
    }
    fn decapsulate(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
        let sizes = [sk.len(), ct.len()];
        self.report(CallOp::Decaps, Primitive::Kem(self.inner), &sizes);
        self.inner.decapsulate(sk, ct)
    }
    fn check_secret_key(&self, sk: &[u8]) -> Result<()> {
        let sizes = [sk.len()];
        self.report(CallOp::CheckSecretKey, Primitive::Kem(self.inner), &sizes);
        self.inner.check_secret_key(sk)
    }
    fn decapsulate_prechecked(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
        let sizes = [sk.len(), ct.len()];
        self.report(CallOp::DecapsPrechecked, Primitive::Kem(self.inner), &sizes);
        self.inner.decapsulate_prechecked(sk, ct)
    }
    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        let coins = self.inner.sizes().keygen_coins;
        self.report(CallOp::KemKeygen, Primitive::Kem(self.inner), &[coins]);
        self.inner.generate(rng)
    }
    fn encapsulate(&self, pk: &[u8], rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        self.report(CallOp::Encaps, Primitive::Kem(self.inner), &[pk.len()]);
        self.inner.encapsulate(pk, rng)
    }
}

impl Dh for Reporting<dyn Dh> {
    fn sizes(&self) -> DhSizes {
        self.inner.sizes()
    }
    fn public_key(&self, sk: &[u8]) -> Result<Vec<u8>> {
        self.report(CallOp::DhPublic, Primitive::Dh(self.inner), &[sk.len()]);
        self.inner.public_key(sk)
    }
    fn dh(&self, sk: &[u8], pk: &[u8]) -> Result<SecretBytes> {
        let sizes = [sk.len(), pk.len()];
        self.report(CallOp::Dh, Primitive::Dh(self.inner), &sizes);
        self.inner.dh(sk, pk)
    }
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        self.report(CallOp::DhKeygen, Primitive::Dh(self.inner), &[coins.len()]);
        self.inner.generate_derand(coins)
    }
    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        let coins = self.inner.sizes().sk;
        self.report(CallOp::DhKeygen, Primitive::Dh(self.inner), &[coins]);
        self.inner.generate(rng)
    }
}

impl Signature for Reporting<dyn Signature> {
    fn sizes(&self) -> SigSizes {
        self.inner.sizes()
    }
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        let sizes = [coins.len()];
        self.report(CallOp::SigKeygen, Primitive::Signature(self.inner), &sizes);
        self.inner.generate_derand(coins)
    }
    fn sign_derand(&self, sk: &[u8], msg: &[u8], coins: &[u8]) -> Result<Vec<u8>> {
        let sizes = [sk.len(), msg.len()];
        self.report(CallOp::Sign, Primitive::Signature(self.inner), &sizes);
        self.inner.sign_derand(sk, msg, coins)
    }
    fn verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
        let sizes = [pk.len(), msg.len(), sig.len()];
        self.report(CallOp::Verify, Primitive::Signature(self.inner), &sizes);
        self.inner.verify(pk, msg, sig)
    }
    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        let sizes = [self.inner.sizes().keygen_coins];
        self.report(CallOp::SigKeygen, Primitive::Signature(self.inner), &sizes);
        self.inner.generate(rng)
    }
    fn sign(&self, sk: &[u8], msg: &[u8], rng: &mut dyn CryptoRng) -> Result<Vec<u8>> {
        let sizes = [sk.len(), msg.len()];
        self.report(CallOp::Sign, Primitive::Signature(self.inner), &sizes);
        self.inner.sign(sk, msg, rng)
    }
}

impl Aead for Reporting<dyn Aead> {
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
        let sizes = [aad.len(), pt.len()];
        self.report(CallOp::Seal, Primitive::Aead(self.inner), &sizes);
        self.inner.seal(key, nonce, aad, pt)
    }
    fn open(&self, key: &[u8], nonce: &[u8], aad: &[u8], ct: &[u8]) -> Result<Vec<u8>> {
        let sizes = [aad.len(), ct.len()];
        self.report(CallOp::Open, Primitive::Aead(self.inner), &sizes);
        self.inner.open(key, nonce, aad, ct)
    }
    fn ciphertext_len(&self, len: usize) -> usize {
        self.inner.ciphertext_len(len)
    }
}

impl Hash for Reporting<dyn Hash> {
    fn output_len(&self) -> usize {
        self.inner.output_len()
    }
    fn block_len(&self) -> usize {
        self.inner.block_len()
    }
    fn hash(&self, parts: &[&[u8]]) -> Vec<u8> {
        self.report(CallOp::Hash, Primitive::Hash(self.inner), &[total(parts)]);
        self.inner.hash(parts)
    }
    fn hmac(&self, key: &[u8], parts: &[&[u8]]) -> SecretBytes {
        let sizes = [key.len(), total(parts)];
        self.report(CallOp::Hmac, Primitive::Hash(self.inner), &sizes);
        self.inner.hmac(key, parts)
    }
}

impl Xof for Reporting<dyn Xof> {
    fn xof(&self, parts: &[&[u8]], out: &mut [u8]) {
        let sizes = [total(parts), out.len()];
        self.report(CallOp::Xof, Primitive::Xof(self.inner), &sizes);
        self.inner.xof(parts, out)
    }
}

impl Kdf for Reporting<dyn Kdf> {
    fn prk_len(&self) -> usize {
        self.inner.prk_len()
    }
    fn extract(&self, salt: &[u8], ikm: &[u8]) -> SecretBytes {
        let sizes = [salt.len(), ikm.len()];
        self.report(CallOp::Extract, Primitive::Kdf(self.inner), &sizes);
        self.inner.extract(salt, ikm)
    }
    fn expand(&self, prk: &[u8], info: &[u8], len: usize) -> Result<SecretBytes> {
        let sizes = [prk.len(), info.len(), len];
        self.report(CallOp::Expand, Primitive::Kdf(self.inner), &sizes);
        self.inner.expand(prk, info, len)
    }
    fn derive(&self, salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Result<SecretBytes> {
        let sizes = [salt.len(), ikm.len(), info.len(), len];
        self.report(CallOp::Derive, Primitive::Kdf(self.inner), &sizes);
        self.inner.derive(salt, ikm, info, len)
    }
}
