//! One object-safe trait per primitive family.
//!
//! Conventions shared by every trait:
//! * Public keys, ciphertexts and signatures are plain byte strings in the
//!   algorithm's standard encoding; secret keys and shared secrets are
//!   [`SecretBytes`].
//! * Every randomised operation has two forms: one that draws from an
//!   injected [`CryptoRng`], and a `*_derand` form that takes the coins
//!   explicitly (ML-KEM `d || z` and `m`, an X25519 scalar, XEdDSA `Z`). The
//!   default randomised form draws exactly the coins its `*_derand` form
//!   documents, so a seeded stream reproduces a run byte for byte.
//! * A backend whose library hides its randomness answers
//!   [`AlgorithmId::takes_coins`] with `false`, overrides the randomised
//!   forms, and refuses the `*_derand` forms with [`Error::NoExplicitCoins`].
//! * Every input that may come from a peer is checked: wrong lengths and
//!   invalid values are errors, never panics.

use crate::{CryptoRng, Error, Result, SecretBytes};

/// The primitive families. Non-exhaustive: a new family is added without
/// breaking resolvers that do not serve it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Family {
    /// Key encapsulation.
    Kem,
    /// Diffie-Hellman (non-interactive key exchange).
    Dh,
    /// Digital signatures.
    Signature,
    /// Authenticated encryption with associated data.
    Aead,
    /// Fixed-output hash functions (with their HMAC).
    Hash,
    /// Extendable-output functions.
    Xof,
    /// Key derivation functions.
    Kdf,
    /// KEMs whose public key and ciphertext travel in parts (ML-KEM-768 as
    /// the ML-KEM Braid splits it).
    IncrementalKem,
    /// Unauthenticated encryption, for protocols that MAC the whole message
    /// themselves (libsignal's AES-256-CBC).
    Cipher,
}

impl Family {
    /// Lower-case name used in listings and error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Kem => "KEM",
            Family::Dh => "DH",
            Family::Signature => "signature",
            Family::Aead => "AEAD",
            Family::Hash => "hash",
            Family::Xof => "XOF",
            Family::Kdf => "KDF",
            Family::IncrementalKem => "incremental KEM",
            Family::Cipher => "cipher",
        }
    }
}

/// What every implementation says about itself.
pub trait AlgorithmId: Send + Sync {
    /// Algorithm name as twofold spells it, e.g. `ML-KEM-768`.
    fn name(&self) -> &'static str;
    /// Backend name, e.g. `libcrux`; `name()@backend()` is the full id.
    fn backend(&self) -> &'static str;
    /// Whether the `*_derand` forms work (the backend accepts explicit coins).
    fn takes_coins(&self) -> bool {
        true
    }
    /// `ALGORITHM@backend`.
    fn id(&self) -> String {
        format!("{}@{}", self.name(), self.backend())
    }
    /// The error a coin-less backend returns from a `*_derand` form.
    fn no_coins(&self) -> Error {
        Error::NoExplicitCoins {
            algorithm: self.id(),
        }
    }
}

/// Sizes of a KEM's values, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KemSizes {
    /// Encapsulation (public) key.
    pub pk: usize,
    /// Decapsulation (secret) key, in the form this backend stores.
    pub sk: usize,
    /// Ciphertext.
    pub ct: usize,
    /// Shared secret.
    pub ss: usize,
    /// Coins consumed by key generation (ML-KEM: `d || z` = 64).
    pub keygen_coins: usize,
    /// Coins consumed by encapsulation (ML-KEM: `m` = 32).
    pub encaps_coins: usize,
}

/// A key-encapsulation mechanism.
pub trait Kem: AlgorithmId {
    /// Value sizes.
    fn sizes(&self) -> KemSizes;

    /// Deterministic key generation from `keygen_coins` bytes of coins.
    /// Returns `(public key, secret key)`.
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)>;

    /// Deterministic encapsulation with `encaps_coins` bytes of coins.
    /// Returns `(ciphertext, shared secret)`.
    fn encapsulate_derand(&self, pk: &[u8], coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)>;

    /// Decapsulation. A well-formed but wrong ciphertext yields the
    /// implicit-rejection key where the algorithm defines one. Runs every
    /// check on `sk` ([`Kem::check_secret_key`]) before using it.
    fn decapsulate(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes>;

    /// The checks [`Kem::decapsulate`] makes on a secret key, alone: its
    /// length, and for ML-KEM the FIPS 203 §7.3 hash check `H(ek) = h` and
    /// the §7.2 modulus check of the embedded `ek`.
    fn check_secret_key(&self, sk: &[u8]) -> Result<()> {
        crate::check_len("KEM secret key", sk, self.sizes().sk)
    }

    /// Decapsulation with a secret key that has already passed
    /// [`Kem::check_secret_key`], or that this process made with
    /// [`Kem::generate`] and kept in memory since. FIPS 203 §7.3 asks for the
    /// key checks once per key, not once per use: a handshake that holds its
    /// static key for many sessions, or decapsulates with the ephemeral key
    /// it just generated, need not hash the key again (for ML-KEM-768 that
    /// hash is about 2.4 µs of a 12 µs decapsulation).
    ///
    /// Lengths are still checked, and a key that skipped the checks gives a
    /// wrong shared secret, never a panic. Backends that can only build a key
    /// through the checks keep this default, which is [`Kem::decapsulate`].
    fn decapsulate_prechecked(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
        self.decapsulate(sk, ct)
    }

    /// Key generation drawing `keygen_coins` bytes from `rng`.
    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        let mut coins = SecretBytes::zeroed(self.sizes().keygen_coins);
        rng.fill_bytes(coins.expose_mut());
        self.generate_derand(coins.expose())
    }

    /// Encapsulation drawing `encaps_coins` bytes from `rng`.
    fn encapsulate(&self, pk: &[u8], rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        let mut coins = SecretBytes::zeroed(self.sizes().encaps_coins);
        rng.fill_bytes(coins.expose_mut());
        self.encapsulate_derand(pk, coins.expose())
    }
}

/// Sizes of a Diffie-Hellman group's values, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DhSizes {
    /// Public key.
    pub pk: usize,
    /// Secret key (also the coins of key generation).
    pub sk: usize,
    /// Shared secret.
    pub shared: usize,
}

/// A Diffie-Hellman function: X25519 (RFC 7748) or an elliptic-curve DH
/// such as P-256 ECDH (SEC 1 §3.3.1). Each algorithm fixes its encodings and
/// checks; every backend of one algorithm follows them.
pub trait Dh: AlgorithmId {
    /// Value sizes.
    fn sizes(&self) -> DhSizes;

    /// The public key of a secret key (X25519: `X25519(sk, 9)`; P-256: the
    /// uncompressed point `d·G`). A secret key outside the algorithm's range
    /// (P-256: `d` not in `[1, n - 1]`) is [`Error::InvalidEncoding`].
    fn public_key(&self, sk: &[u8]) -> Result<Vec<u8>>;

    /// The shared secret. X25519 fails with [`Error::LowOrderPoint`] when
    /// the result is all zeros, as RFC 7748 §6.1 allows and most protocols
    /// require; P-256 refuses a public key that is not a valid point with
    /// [`Error::InvalidEncoding`] and never reports a low-order point (its
    /// group has prime order, and an all-zero x-coordinate is legitimate).
    fn dh(&self, sk: &[u8], pk: &[u8]) -> Result<SecretBytes>;

    /// Key generation from explicit coins: the coins are the secret key.
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        crate::check_len("DH key-generation coins", coins, self.sizes().sk)?;
        let sk = SecretBytes::from_slice(coins);
        Ok((self.public_key(sk.expose())?, sk))
    }

    /// Key generation drawing `sk` bytes from `rng`.
    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        let mut coins = SecretBytes::zeroed(self.sizes().sk);
        rng.fill_bytes(coins.expose_mut());
        self.generate_derand(coins.expose())
    }
}

/// Sizes of a signature scheme's values, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigSizes {
    /// Verification (public) key.
    pub pk: usize,
    /// Signing key, in the form this backend stores.
    pub sk: usize,
    /// Signature (the maximum, for variable-length schemes such as Falcon).
    pub sig: usize,
    /// Coins consumed by key generation.
    pub keygen_coins: usize,
    /// Coins consumed by signing (0 for deterministic schemes such as Ed25519).
    pub sign_coins: usize,
}

/// A signature scheme.
pub trait Signature: AlgorithmId {
    /// Value sizes.
    fn sizes(&self) -> SigSizes;

    /// Deterministic key generation from `keygen_coins` bytes of coins.
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)>;

    /// Signing with explicit coins (`sign_coins` bytes; ML-DSA's `rnd`,
    /// XEdDSA's `Z`). An all-zero `rnd` gives ML-DSA's deterministic variant.
    fn sign_derand(&self, sk: &[u8], msg: &[u8], coins: &[u8]) -> Result<Vec<u8>>;

    /// Verification: `Ok(())` or [`Error::VerificationFailed`].
    fn verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<()>;

    /// Key generation drawing `keygen_coins` bytes from `rng`.
    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        let mut coins = SecretBytes::zeroed(self.sizes().keygen_coins);
        rng.fill_bytes(coins.expose_mut());
        self.generate_derand(coins.expose())
    }

    /// Signing drawing `sign_coins` bytes from `rng`.
    fn sign(&self, sk: &[u8], msg: &[u8], rng: &mut dyn CryptoRng) -> Result<Vec<u8>> {
        let mut coins = SecretBytes::zeroed(self.sizes().sign_coins);
        rng.fill_bytes(coins.expose_mut());
        self.sign_derand(sk, msg, coins.expose())
    }
}

/// Authenticated encryption with associated data. The tag is appended to
/// the ciphertext.
pub trait Aead: AlgorithmId {
    /// Key length in bytes.
    fn key_len(&self) -> usize;
    /// Nonce length in bytes.
    fn nonce_len(&self) -> usize;
    /// Tag length in bytes (ciphertext = encrypted plaintext || tag).
    fn tag_len(&self) -> usize;
    /// Encrypts and authenticates.
    fn seal(&self, key: &[u8], nonce: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>>;
    /// Verifies and decrypts; [`Error::DecryptionFailed`] on any forgery.
    fn open(&self, key: &[u8], nonce: &[u8], aad: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>>;
    /// Ciphertext length for a plaintext of `len` bytes.
    fn ciphertext_len(&self, len: usize) -> usize {
        len + self.tag_len()
    }
}

/// A fixed-output hash function with its HMAC.
pub trait Hash: AlgorithmId {
    /// Digest length in bytes.
    fn output_len(&self) -> usize;
    /// Internal block length in bytes (HMAC's block size).
    fn block_len(&self) -> usize;
    /// Hash of the concatenation of `parts`.
    fn hash(&self, parts: &[&[u8]]) -> Vec<u8>;
    /// HMAC keyed with `key` over the concatenation of `parts`.
    fn hmac(&self, key: &[u8], parts: &[&[u8]]) -> SecretBytes;
}

/// An extendable-output function.
pub trait Xof: AlgorithmId {
    /// Fills `out` with the XOF of the concatenation of `parts`.
    fn xof(&self, parts: &[&[u8]], out: &mut [u8]);
}

/// A key derivation function with HKDF's extract-then-expand shape.
pub trait Kdf: AlgorithmId {
    /// Length of the pseudorandom key (the hash length).
    fn prk_len(&self) -> usize;
    /// `Extract(salt, ikm)`; an empty salt means `prk_len` zero bytes.
    fn extract(&self, salt: &[u8], ikm: &[u8]) -> SecretBytes;
    /// `Expand(prk, info, len)`; fails if `len` exceeds the algorithm's limit.
    fn expand(&self, prk: &[u8], info: &[u8], len: usize) -> Result<SecretBytes>;
    /// Extract then expand.
    fn derive(&self, salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Result<SecretBytes> {
        let prk = self.extract(salt, ikm);
        self.expand(prk.expose(), info, len)
    }
}

/// Sizes of an incremental KEM's values, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncrementalKemSizes {
    /// The header: what encapsulation's first half needs (ML-KEM: `ρ || H(ek)`).
    pub header: usize,
    /// The rest of the encapsulation key (ML-KEM: `ByteEncode12(t̂)`).
    pub ek_vector: usize,
    /// The decapsulation key.
    pub dk: usize,
    /// The first ciphertext part (ML-KEM: the compressed `u`).
    pub ct1: usize,
    /// The second ciphertext part (ML-KEM: the compressed `v`).
    pub ct2: usize,
    /// The encapsulation state kept between the two halves (backend's own form).
    pub state: usize,
    /// Shared secret.
    pub ss: usize,
    /// Coins of key generation (ML-KEM: `d || z`).
    pub keygen_coins: usize,
    /// Coins of encapsulation (ML-KEM: `m`).
    pub encaps_coins: usize,
}

/// A KEM whose encapsulation key is sent as a header and a vector, and
/// whose encapsulation runs in two halves, so that the first ciphertext part
/// can go out before the whole key has arrived (the ML-KEM Braid of Signal's
/// sparse post-quantum ratchet). `ct1 || ct2` is an ordinary ciphertext of
/// the underlying KEM, and decapsulation is the KEM's own.
pub trait IncrementalKem: AlgorithmId {
    /// Value sizes.
    fn sizes(&self) -> IncrementalKemSizes;

    /// Deterministic key generation: `(header, ek_vector, dk)`.
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, Vec<u8>, SecretBytes)>;

    /// The first half of encapsulation, from the header alone:
    /// `(ct1, state, shared secret)`.
    fn encapsulate1_derand(
        &self,
        header: &[u8],
        coins: &[u8],
    ) -> Result<(Vec<u8>, SecretBytes, SecretBytes)>;

    /// The second half: `ct2` from the state and the key's vector. The
    /// caller checks the vector against the header first
    /// ([`IncrementalKem::check_ek_vector`]).
    fn encapsulate2(&self, state: &[u8], ek_vector: &[u8]) -> Result<Vec<u8>>;

    /// Decapsulation of `ct1 || ct2`.
    fn decapsulate(&self, dk: &[u8], ct1: &[u8], ct2: &[u8]) -> Result<SecretBytes>;

    /// Whether `ek_vector` belongs to `header`: the hash in the header is
    /// the hash of the whole key, and the key passes the FIPS 203 §7.2
    /// modulus check. [`Error::InvalidEncoding`] otherwise.
    fn check_ek_vector(&self, header: &[u8], ek_vector: &[u8]) -> Result<()>;

    /// Key generation drawing `keygen_coins` bytes from `rng`.
    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, Vec<u8>, SecretBytes)> {
        let mut coins = SecretBytes::zeroed(self.sizes().keygen_coins);
        rng.fill_bytes(coins.expose_mut());
        self.generate_derand(coins.expose())
    }

    /// The first half of encapsulation drawing `encaps_coins` bytes from `rng`.
    fn encapsulate1(
        &self,
        header: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<(Vec<u8>, SecretBytes, SecretBytes)> {
        let mut coins = SecretBytes::zeroed(self.sizes().encaps_coins);
        rng.fill_bytes(coins.expose_mut());
        self.encapsulate1_derand(header, coins.expose())
    }
}

/// Unauthenticated encryption (a block-cipher mode with padding), for a
/// protocol that authenticates the whole serialized message itself, as
/// libsignal's `SignalMessage` does (AES-256-CBC under an HMAC over the
/// message). Decrypt only what a MAC has already verified: on its own,
/// decryption is a padding oracle.
pub trait Cipher: AlgorithmId {
    /// Key length in bytes.
    fn key_len(&self) -> usize;
    /// IV length in bytes.
    fn iv_len(&self) -> usize;
    /// Encrypts with padding.
    fn encrypt(&self, key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>>;
    /// Decrypts and removes the padding; [`Error::DecryptionFailed`] on a
    /// bad length or padding.
    fn decrypt(&self, key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>>;
    /// Ciphertext length for a plaintext of `len` bytes.
    fn ciphertext_len(&self, len: usize) -> usize;
}
