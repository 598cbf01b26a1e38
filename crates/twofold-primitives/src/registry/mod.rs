//! The registry: every implementation as data, looked up by name.
//!
//! A provider is data, not a trait (as rustls' `CryptoProvider`): one list of
//! `&'static dyn` trait objects per family, gathered from the backend folders.
//! Names are `ALGORITHM@backend`; a bare `ALGORITHM` picks the default
//! backend from [`DEFAULTS`].

mod names;

use std::sync::LazyLock;

use twofold_core::{
    Aead, AlgorithmId, Dh, Error, Family, Hash, Kdf, Kem, Resolver, Result, Signature, Xof,
};

pub use names::AlgorithmName;

/// Default backend of each algorithm that has more than one.
///
/// Rule: the fastest backend, measured with `twofold bench --all`, among those
/// that pass every known-answer test of the algorithm. The coin-less pqcrypto
/// backends are faster for ML-KEM and ML-DSA but cannot run the key-generation
/// and encapsulation/signing KATs (their randomness is internal), so they are
/// never the default; they stay selectable by full name. Measurements behind
/// each choice are in README.md ("Backends"); where two backends are within
/// the noise of the machine (HKDF), the one whose hash is the default wins.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("ML-KEM-512", "libcrux"),
    ("ML-KEM-768", "libcrux"),
    ("ML-KEM-1024", "libcrux"),
    ("Kyber512", "libcrux"),
    ("Kyber768", "libcrux"),
    ("Kyber1024", "libcrux"),
    ("X-Wing", "libcrux+aws-lc"),
    ("DHKEM(X25519,HKDF-SHA256)", "aws-lc"),
    ("DH-KEM(X25519)", "aws-lc"),
    ("X25519", "aws-lc"),
    ("P-256", "aws-lc"),
    ("Ed25519", "aws-lc"),
    ("ML-DSA-44", "libcrux"),
    ("ML-DSA-65", "libcrux"),
    ("ML-DSA-87", "libcrux"),
    ("ChaCha20-Poly1305", "aws-lc"),
    ("AES-256-GCM", "aws-lc"),
    ("SHA-256", "rustcrypto"),
    ("SHA-512", "rustcrypto"),
    ("HKDF-SHA256", "rustcrypto"),
    ("HKDF-SHA512", "rustcrypto"),
];

/// Every implementation twofold ships, by family.
pub struct Registry {
    /// KEMs, including hybrid combinations.
    pub kems: Vec<&'static dyn Kem>,
    /// Diffie-Hellman functions.
    pub dhs: Vec<&'static dyn Dh>,
    /// Signature schemes, including composites.
    pub signatures: Vec<&'static dyn Signature>,
    /// AEADs.
    pub aeads: Vec<&'static dyn Aead>,
    /// Hash functions.
    pub hashes: Vec<&'static dyn Hash>,
    /// XOFs.
    pub xofs: Vec<&'static dyn Xof>,
    /// KDFs.
    pub kdfs: Vec<&'static dyn Kdf>,
}

/// The registry of all backends compiled into this build.
pub static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry {
    kems: crate::kem::all()
        .into_iter()
        .chain(crate::hybrid::kems())
        .collect(),
    dhs: crate::dh::all(),
    signatures: crate::sign::all()
        .into_iter()
        .chain(crate::hybrid::signatures())
        .collect(),
    aeads: crate::aead::all(),
    hashes: crate::hash::hashes(),
    xofs: crate::hash::xofs(),
    kdfs: crate::hash::kdfs(),
});

/// The global registry (shorthand for `&*REGISTRY`).
pub fn registry() -> &'static Registry {
    &REGISTRY
}

/// Sizes of one implementation, in bytes; absent fields do not apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sizes {
    /// Public key.
    pub pk: Option<usize>,
    /// Secret key (stored form).
    pub sk: Option<usize>,
    /// KEM ciphertext.
    pub ct: Option<usize>,
    /// Signature (maximum).
    pub sig: Option<usize>,
    /// Shared secret / output.
    pub ss: Option<usize>,
    /// Symmetric key.
    pub key: Option<usize>,
    /// Nonce.
    pub nonce: Option<usize>,
    /// Authentication tag.
    pub tag: Option<usize>,
}

/// One row of `twofold list`.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The family.
    pub family: Family,
    /// Algorithm name.
    pub name: &'static str,
    /// Backend name.
    pub backend: &'static str,
    /// Value sizes.
    pub sizes: Sizes,
    /// Whether the backend accepts explicit coins.
    pub takes_coins: bool,
    /// Whether a bare algorithm name selects this backend.
    pub is_default: bool,
}

impl Entry {
    /// `ALGORITHM@backend`.
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.backend)
    }
}

/// Finds an implementation in `list` by `ALGORITHM[@backend]`.
fn find<T: AlgorithmId + ?Sized>(
    kind: &'static str,
    list: &[&'static T],
    name: &str,
) -> Result<&'static T> {
    let parsed = AlgorithmName::parse(name)?;
    let same_alg: Vec<&'static T> = list
        .iter()
        .copied()
        .filter(|i| i.name().eq_ignore_ascii_case(parsed.algorithm))
        .collect();
    if same_alg.is_empty() {
        let mut available: Vec<String> = list.iter().map(|i| i.name().to_string()).collect();
        available.dedup();
        return Err(Error::UnknownAlgorithm {
            kind,
            name: name.to_string(),
            available,
        });
    }
    let chosen = match parsed.backend {
        Some(b) => same_alg
            .iter()
            .copied()
            .find(|i| i.backend().eq_ignore_ascii_case(b)),
        None => default_of(&same_alg),
    };
    chosen.ok_or_else(|| Error::UnknownAlgorithm {
        kind,
        name: name.to_string(),
        available: same_alg.iter().map(|i| i.id()).collect(),
    })
}

/// The default among the backends of one algorithm: the one named in
/// [`DEFAULTS`], else the first that takes coins, else the first.
fn default_of<T: AlgorithmId + ?Sized>(same_alg: &[&'static T]) -> Option<&'static T> {
    let first = *same_alg.first()?;
    let named = DEFAULTS
        .iter()
        .find(|(alg, _)| *alg == first.name())
        .and_then(|(_, backend)| same_alg.iter().copied().find(|i| i.backend() == *backend));
    named
        .or_else(|| same_alg.iter().copied().find(|i| i.takes_coins()))
        .or(Some(first))
}

fn is_default<T: AlgorithmId + ?Sized>(list: &[&'static T], item: &'static T) -> bool {
    let same: Vec<&'static T> = list
        .iter()
        .copied()
        .filter(|i| i.name() == item.name())
        .collect();
    default_of(&same).is_some_and(|d| d.backend() == item.backend())
}

impl Registry {
    /// Every implementation as a listing row, family by family.
    pub fn entries(&self) -> Vec<Entry> {
        let mut out = Vec::new();
        for &k in &self.kems {
            let s = k.sizes();
            out.push(Entry {
                family: Family::Kem,
                name: k.name(),
                backend: k.backend(),
                sizes: Sizes {
                    pk: Some(s.pk),
                    sk: Some(s.sk),
                    ct: Some(s.ct),
                    ss: Some(s.ss),
                    ..Sizes::default()
                },
                takes_coins: k.takes_coins(),
                is_default: is_default(&self.kems, k),
            });
        }
        for &d in &self.dhs {
            let s = d.sizes();
            out.push(Entry {
                family: Family::Dh,
                name: d.name(),
                backend: d.backend(),
                sizes: Sizes {
                    pk: Some(s.pk),
                    sk: Some(s.sk),
                    ss: Some(s.shared),
                    ..Sizes::default()
                },
                takes_coins: d.takes_coins(),
                is_default: is_default(&self.dhs, d),
            });
        }
        for &g in &self.signatures {
            let s = g.sizes();
            out.push(Entry {
                family: Family::Signature,
                name: g.name(),
                backend: g.backend(),
                sizes: Sizes {
                    pk: Some(s.pk),
                    sk: Some(s.sk),
                    sig: Some(s.sig),
                    ..Sizes::default()
                },
                takes_coins: g.takes_coins(),
                is_default: is_default(&self.signatures, g),
            });
        }
        for &a in &self.aeads {
            out.push(Entry {
                family: Family::Aead,
                name: a.name(),
                backend: a.backend(),
                sizes: Sizes {
                    key: Some(a.key_len()),
                    nonce: Some(a.nonce_len()),
                    tag: Some(a.tag_len()),
                    ..Sizes::default()
                },
                takes_coins: a.takes_coins(),
                is_default: is_default(&self.aeads, a),
            });
        }
        for &h in &self.hashes {
            out.push(Entry {
                family: Family::Hash,
                name: h.name(),
                backend: h.backend(),
                sizes: Sizes {
                    ss: Some(h.output_len()),
                    ..Sizes::default()
                },
                takes_coins: h.takes_coins(),
                is_default: is_default(&self.hashes, h),
            });
        }
        for &x in &self.xofs {
            out.push(Entry {
                family: Family::Xof,
                name: x.name(),
                backend: x.backend(),
                sizes: Sizes::default(),
                takes_coins: x.takes_coins(),
                is_default: is_default(&self.xofs, x),
            });
        }
        for &k in &self.kdfs {
            out.push(Entry {
                family: Family::Kdf,
                name: k.name(),
                backend: k.backend(),
                sizes: Sizes {
                    ss: Some(k.prk_len()),
                    ..Sizes::default()
                },
                takes_coins: k.takes_coins(),
                is_default: is_default(&self.kdfs, k),
            });
        }
        out
    }

    /// Every default implementation (one per algorithm), as `ALGORITHM@backend`.
    pub fn defaults(&self) -> Vec<String> {
        self.entries()
            .into_iter()
            .filter(|e| e.is_default)
            .map(|e| e.id())
            .collect()
    }
}

impl Resolver for Registry {
    fn kem(&self, name: &str) -> Result<&'static dyn Kem> {
        find("KEM", &self.kems, name)
    }
    fn dh(&self, name: &str) -> Result<&'static dyn Dh> {
        find("DH", &self.dhs, name)
    }
    fn signature(&self, name: &str) -> Result<&'static dyn Signature> {
        find("signature", &self.signatures, name)
    }
    fn aead(&self, name: &str) -> Result<&'static dyn Aead> {
        find("AEAD", &self.aeads, name)
    }
    fn hash(&self, name: &str) -> Result<&'static dyn Hash> {
        find("hash", &self.hashes, name)
    }
    fn xof(&self, name: &str) -> Result<&'static dyn Xof> {
        find("XOF", &self.xofs, name)
    }
    fn kdf(&self, name: &str) -> Result<&'static dyn Kdf> {
        find("KDF", &self.kdfs, name)
    }
}

/// Looks up a KEM by `ALGORITHM[@backend]` in the global registry.
pub fn kem(name: &str) -> Result<&'static dyn Kem> {
    REGISTRY.kem(name)
}
/// Looks up a DH function by name in the global registry.
pub fn dh(name: &str) -> Result<&'static dyn Dh> {
    REGISTRY.dh(name)
}
/// Looks up a signature scheme by name in the global registry.
pub fn signature(name: &str) -> Result<&'static dyn Signature> {
    REGISTRY.signature(name)
}
/// Looks up an AEAD by name in the global registry.
pub fn aead(name: &str) -> Result<&'static dyn Aead> {
    REGISTRY.aead(name)
}
/// Looks up a hash function by name in the global registry.
pub fn hash(name: &str) -> Result<&'static dyn Hash> {
    REGISTRY.hash(name)
}
/// Looks up an XOF by name in the global registry.
pub fn xof(name: &str) -> Result<&'static dyn Xof> {
    REGISTRY.xof(name)
}
/// Looks up a KDF by name in the global registry.
pub fn kdf(name: &str) -> Result<&'static dyn Kdf> {
    REGISTRY.kdf(name)
}
