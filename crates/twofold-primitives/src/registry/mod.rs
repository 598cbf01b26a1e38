//! The registry: every implementation as data, looked up by name.
//!
//! A provider is data, not a trait (as rustls' `CryptoProvider`): one list of
//! `&'static dyn` trait objects per family, gathered from the backend folders.
//! Names are `ALGORITHM@backend`; a bare `ALGORITHM` picks the default
//! backend the registry's `defaults` name (initially [`DEFAULTS`]).
//!
//! A registry is a value: another provider is the same lists with some
//! fields replaced, e.g. every default on pqcrypto:
//!
//! ```
//! use twofold_primitives::registry::{REGISTRY, Registry};
//! let pq = Registry {
//!     defaults: vec![("ML-KEM-768", "pqcrypto")],
//!     ..REGISTRY.clone()
//! };
//! # use twofold_core::Resolver;
//! assert_eq!(pq.kem("ML-KEM-768").unwrap().backend(), "pqcrypto");
//! ```

use std::sync::LazyLock;

use twofold_core::{
    Aead, AlgorithmId, Cipher, Dh, Error, Family, Hash, IncrementalKem, Kdf, Kem, Primitive,
    Resolver, Result, Signature, Xof,
};

pub use twofold_core::AlgorithmName;

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

/// Every implementation twofold ships, by family, and the default backend
/// of each algorithm.
#[derive(Clone)]
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
    /// Incremental KEMs (ML-KEM-768 split as the ML-KEM Braid sends it).
    pub incremental_kems: Vec<&'static dyn IncrementalKem>,
    /// Unauthenticated ciphers (AES-256-CBC for libsignal's message bodies).
    pub ciphers: Vec<&'static dyn Cipher>,
    /// `(algorithm, backend)`: the backend a bare algorithm name selects.
    /// An algorithm not listed gets its first backend that takes coins.
    pub defaults: Vec<(&'static str, &'static str)>,
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
    incremental_kems: crate::kem::incremental::all(),
    ciphers: crate::aead::ciphers(),
    defaults: DEFAULTS.to_vec(),
});

impl Registry {
    /// A registry with no implementation and no default: the start of a
    /// hand-made provider (`Registry { dhs: vec![..], ..Registry::empty() }`).
    pub fn empty() -> Self {
        Self {
            kems: Vec::new(),
            dhs: Vec::new(),
            signatures: Vec::new(),
            aeads: Vec::new(),
            hashes: Vec::new(),
            xofs: Vec::new(),
            kdfs: Vec::new(),
            incremental_kems: Vec::new(),
            ciphers: Vec::new(),
            defaults: Vec::new(),
        }
    }
}

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
    defaults: &[(&'static str, &'static str)],
    name: &str,
) -> Result<&'static T> {
    let parsed = AlgorithmName::parse(name)?;
    let same_alg: Vec<&'static T> = list
        .iter()
        .copied()
        .filter(|i| i.name().eq_ignore_ascii_case(&parsed.algorithm))
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
    let chosen = match &parsed.backend {
        Some(b) => same_alg
            .iter()
            .copied()
            .find(|i| i.backend().eq_ignore_ascii_case(b)),
        None => default_of(defaults, &same_alg),
    };
    chosen.ok_or_else(|| Error::UnknownAlgorithm {
        kind,
        name: name.to_string(),
        available: same_alg.iter().map(|i| i.id()).collect(),
    })
}

/// The default among the backends of one algorithm: the one named in
/// `defaults`, else the first that takes coins, else the first.
fn default_of<T: AlgorithmId + ?Sized>(
    defaults: &[(&'static str, &'static str)],
    same_alg: &[&'static T],
) -> Option<&'static T> {
    let first = *same_alg.first()?;
    let named = defaults
        .iter()
        .find(|(alg, _)| *alg == first.name())
        .and_then(|(_, backend)| same_alg.iter().copied().find(|i| i.backend() == *backend));
    named
        .or_else(|| same_alg.iter().copied().find(|i| i.takes_coins()))
        .or(Some(first))
}

fn is_default<T: AlgorithmId + ?Sized>(
    defaults: &[(&'static str, &'static str)],
    list: &[&'static T],
    item: &'static T,
) -> bool {
    let same: Vec<&'static T> = list
        .iter()
        .copied()
        .filter(|i| i.name() == item.name())
        .collect();
    default_of(defaults, &same).is_some_and(|d| d.backend() == item.backend())
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
                is_default: is_default(&self.defaults, &self.kems, k),
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
                is_default: is_default(&self.defaults, &self.dhs, d),
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
                is_default: is_default(&self.defaults, &self.signatures, g),
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
                is_default: is_default(&self.defaults, &self.aeads, a),
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
                is_default: is_default(&self.defaults, &self.hashes, h),
            });
        }
        for &x in &self.xofs {
            out.push(Entry {
                family: Family::Xof,
                name: x.name(),
                backend: x.backend(),
                sizes: Sizes::default(),
                takes_coins: x.takes_coins(),
                is_default: is_default(&self.defaults, &self.xofs, x),
            });
        }
        for &k in &self.incremental_kems {
            let s = k.sizes();
            out.push(Entry {
                family: Family::IncrementalKem,
                name: k.name(),
                backend: k.backend(),
                sizes: Sizes {
                    pk: Some(s.header + s.ek_vector),
                    sk: Some(s.dk),
                    ct: Some(s.ct1 + s.ct2),
                    ss: Some(s.ss),
                    ..Sizes::default()
                },
                takes_coins: k.takes_coins(),
                is_default: is_default(&self.defaults, &self.incremental_kems, k),
            });
        }
        for &c in &self.ciphers {
            out.push(Entry {
                family: Family::Cipher,
                name: c.name(),
                backend: c.backend(),
                sizes: Sizes {
                    key: Some(c.key_len()),
                    nonce: Some(c.iv_len()),
                    ..Sizes::default()
                },
                takes_coins: c.takes_coins(),
                is_default: is_default(&self.defaults, &self.ciphers, c),
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
                is_default: is_default(&self.defaults, &self.kdfs, k),
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
    fn resolve(&self, family: Family, name: &str) -> Result<Primitive> {
        let d = &self.defaults;
        Ok(match family {
            Family::Kem => Primitive::Kem(find("KEM", &self.kems, d, name)?),
            Family::Dh => Primitive::Dh(find("DH", &self.dhs, d, name)?),
            Family::Signature => {
                Primitive::Signature(find("signature", &self.signatures, d, name)?)
            }
            Family::Aead => Primitive::Aead(find("AEAD", &self.aeads, d, name)?),
            Family::Hash => Primitive::Hash(find("hash", &self.hashes, d, name)?),
            Family::Xof => Primitive::Xof(find("XOF", &self.xofs, d, name)?),
            Family::Kdf => Primitive::Kdf(find("KDF", &self.kdfs, d, name)?),
            Family::IncrementalKem => {
                Primitive::IncrementalKem(find("incremental KEM", &self.incremental_kems, d, name)?)
            }
            Family::Cipher => Primitive::Cipher(find("cipher", &self.ciphers, d, name)?),
            other => {
                return Err(Error::UnknownAlgorithm {
                    kind: other.as_str(),
                    name: name.to_string(),
                    available: Vec::new(),
                });
            }
        })
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
