//! A generic KEM combiner over two KEMs, and a raw Diffie-Hellman function
//! seen as a KEM so that X25519 can be one of the components.
//!
//! # The combiner
//!
//! For components `K1, K2` (in this order) and an explicit `label`:
//!
//! ```text
//! pk = pk_1 || pk_2
//! ct = ct_1 || ct_2
//! sk = sk_1 || sk_2 || pk_1 || pk_2
//! ss = SHA3-256(ss_1 || ss_2 || ct_1 || ct_2 || pk_1 || pk_2 || label)
//! ```
//!
//! Every value is split by the component sizes, which are fixed, so the
//! hash input is an unambiguous encoding; the label goes last, as in X-Wing.
//! Hashing both ciphertexts and both public keys keeps the combination
//! IND-CCA when either component is, with no assumption on how the
//! components derive their keys (unlike X-Wing, which may omit `ct_M` and
//! `pk_M` only because ML-KEM's Fujisaki-Okamoto transform already binds
//! them).
//!
//! The secret key carries the two public keys after the two component
//! secret keys because decapsulation needs `pk_1 || pk_2` for the hash and
//! a generic [`Kem`] offers no way to recompute a public key from its secret
//! key. Key generation coins are `coins_1 || coins_2`, encapsulation coins
//! likewise, each of the component's own size.
//!
//! # DH as a KEM
//!
//! [`DhKem`] turns a Diffie-Hellman function into a KEM with no key
//! derivation at all: `ct` = the ephemeral public key, `ss` = the raw DH
//! output. It is only meant as a combiner component (the combiner hashes
//! `ct` and `pk`); on its own it is not an IND-CCA KEM.

use std::borrow::Cow;
use std::fmt;
use std::sync::Mutex;

use sha3::{Digest, Sha3_256};
use twofold_core::{
    AlgorithmId, CryptoRng, Dh, Error, Kem, KemSizes, Result, SecretBytes, check_len,
};

use crate::{dh, kem};

/// Interns a name built at run time so it can be handed out as
/// `&'static str` (what [`AlgorithmId`] returns). Each distinct string is
/// leaked once; programs build a handful of such names.
pub(crate) fn intern(s: String) -> &'static str {
    static NAMES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    // A poisoned lock still guards a valid list (pushes are atomic here).
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = names.iter().find(|n| **n == s) {
        return found;
    }
    let leaked: &'static str = Box::leak(s.into_boxed_str());
    names.push(leaked);
    leaked
}

// ---------------------------------------------------------------------------
// DH as a KEM
// ---------------------------------------------------------------------------

/// A Diffie-Hellman function used as a KEM: `ct` = ephemeral public key,
/// `ss` = raw DH output (all-zero outputs are refused by the [`Dh`]).
pub struct DhKem {
    name: &'static str,
    dh: &'static dyn Dh,
}

/// Raw X25519 (x25519-dalek) as a KEM, for combiners.
pub static DH_KEM_X25519_DALEK: DhKem = DhKem {
    name: "DH-KEM(X25519)",
    dh: &dh::dalek::X25519,
};

/// Raw X25519 (aws-lc-rs) as a KEM, for combiners.
pub static DH_KEM_X25519_AWSLC: DhKem = DhKem {
    name: "DH-KEM(X25519)",
    dh: &dh::awslc::X25519,
};

impl DhKem {
    /// Wraps any Diffie-Hellman function; the name is `DH-KEM(<dh name>)`.
    pub fn new(dh: &'static dyn Dh) -> Self {
        let name = if dh.name() == "X25519" {
            "DH-KEM(X25519)"
        } else {
            intern(format!("DH-KEM({})", dh.name()))
        };
        Self { name, dh }
    }
}

impl fmt::Debug for DhKem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DhKem").field("dh", &self.dh.id()).finish()
    }
}

impl AlgorithmId for DhKem {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backend(&self) -> &'static str {
        self.dh.backend()
    }
}

impl Kem for DhKem {
    fn sizes(&self) -> KemSizes {
        let s = self.dh.sizes();
        KemSizes {
            pk: s.pk,
            sk: s.sk,
            ct: s.pk,
            ss: s.shared,
            keygen_coins: s.sk,
            encaps_coins: s.sk,
        }
    }

    /// The coins are the secret key.
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        check_len("DH-KEM key-generation coins", coins, self.dh.sizes().sk)?;
        self.dh.generate_derand(coins)
    }

    /// The coins are the ephemeral secret key.
    fn encapsulate_derand(&self, pk: &[u8], coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        let s = self.dh.sizes();
        check_len("DH-KEM public key", pk, s.pk)?;
        check_len("DH-KEM encapsulation coins", coins, s.sk)?;
        let ss = self.dh.dh(coins, pk)?;
        let ct = self.dh.public_key(coins)?;
        Ok((ct, ss))
    }

    fn decapsulate(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
        let s = self.dh.sizes();
        check_len("DH-KEM secret key", sk, s.sk)?;
        check_len("DH-KEM ciphertext", ct, s.pk)?;
        self.dh.dh(sk, ct)
    }
}

// ---------------------------------------------------------------------------
// The combiner
// ---------------------------------------------------------------------------

/// Generic combiner of two KEMs (see the module documentation for the
/// exact encodings and the shared-secret formula).
pub struct KemCombiner {
    name: &'static str,
    backend: &'static str,
    parts: [&'static dyn Kem; 2],
    label: Cow<'static, [u8]>,
}

/// Prefix of the labels of the registered combiners: the label of the
/// combiner named `N` is `"twofold-combiner-v1 " || N`.
pub const LABEL_PREFIX: &str = "twofold-combiner-v1 ";

macro_rules! registered_combiner {
    ($(#[$doc:meta])* $stat:ident, $name:literal, $first:expr, $second:expr) => {
        $(#[$doc])*
        pub static $stat: KemCombiner = KemCombiner {
            name: $name,
            backend: "libcrux+dalek",
            parts: [$first, $second],
            label: Cow::Borrowed(concat!("twofold-combiner-v1 ", $name).as_bytes()),
        };
    };
}

registered_combiner!(
    /// `X25519+ML-KEM-768`: raw X25519 (dalek) then ML-KEM-768 (libcrux).
    X25519_ML_KEM_768, "X25519+ML-KEM-768", &DH_KEM_X25519_DALEK, &kem::libcrux::ML_KEM_768
);
registered_combiner!(
    /// `X25519+ML-KEM-1024`: raw X25519 (dalek) then ML-KEM-1024 (libcrux).
    X25519_ML_KEM_1024, "X25519+ML-KEM-1024", &DH_KEM_X25519_DALEK, &kem::libcrux::ML_KEM_1024
);
registered_combiner!(
    /// `X25519+Kyber1024`: raw X25519 (dalek) then round-3 Kyber1024
    /// (libcrux), the pair snow calls `25519+Kyber1024` (but combined here
    /// with twofold's hash, not Noise's HFS).
    X25519_KYBER1024, "X25519+Kyber1024", &DH_KEM_X25519_DALEK, &kem::libcrux::KYBER1024
);

impl KemCombiner {
    /// A custom combiner of `parts[0]` then `parts[1]` under `name` and
    /// `label` (use a label unique to the construction, e.g.
    /// `LABEL_PREFIX || name`). The backend is the two component backends
    /// joined by `+`.
    ///
    /// Fails with [`Error::MalformedName`] for an empty name or one that
    /// contains `@` (reserved for `ALGORITHM@backend`), and with
    /// [`Error::Misuse`] for an empty label.
    pub fn new(name: &str, parts: [&'static dyn Kem; 2], label: &[u8]) -> Result<Self> {
        if name.is_empty() || name.contains('@') {
            return Err(Error::MalformedName {
                name: name.to_owned(),
                reason: "a combiner name must be non-empty and must not contain '@'",
            });
        }
        if label.is_empty() {
            return Err(Error::Misuse("a KEM combiner needs a non-empty label"));
        }
        Ok(Self {
            name: intern(name.to_owned()),
            backend: intern(format!("{}+{}", parts[0].backend(), parts[1].backend())),
            parts,
            label: Cow::Owned(label.to_vec()),
        })
    }

    /// The components, in combination order.
    pub fn parts(&self) -> [&'static dyn Kem; 2] {
        self.parts
    }

    /// The label hashed last into every shared secret.
    pub fn label(&self) -> &[u8] {
        &self.label
    }

    fn combine(&self, ss: [&SecretBytes; 2], ct: [&[u8]; 2], pk: [&[u8]; 2]) -> SecretBytes {
        let mut h = Sha3_256::new();
        h.update(ss[0].expose());
        h.update(ss[1].expose());
        h.update(ct[0]);
        h.update(ct[1]);
        h.update(pk[0]);
        h.update(pk[1]);
        h.update(&self.label);
        SecretBytes::from_slice(&h.finalize())
    }

    /// Checks a component's output length (a component that breaks its own
    /// `sizes()` would make the split ambiguous).
    fn expect_len(what: &'static str, got: usize, expected: usize) -> Result<()> {
        if got == expected {
            Ok(())
        } else {
            Err(Error::Backend(what))
        }
    }

    fn assemble_key_pair(
        &self,
        a: (Vec<u8>, SecretBytes),
        b: (Vec<u8>, SecretBytes),
    ) -> Result<(Vec<u8>, SecretBytes)> {
        let [s1, s2] = self.parts.map(|p| p.sizes());
        Self::expect_len("KEM combiner: component public key size", a.0.len(), s1.pk)?;
        Self::expect_len("KEM combiner: component public key size", b.0.len(), s2.pk)?;
        Self::expect_len("KEM combiner: component secret key size", a.1.len(), s1.sk)?;
        Self::expect_len("KEM combiner: component secret key size", b.1.len(), s2.sk)?;
        let mut pk = Vec::with_capacity(s1.pk + s2.pk);
        pk.extend_from_slice(&a.0);
        pk.extend_from_slice(&b.0);
        let mut sk = SecretBytes::zeroed(s1.sk + s2.sk + s1.pk + s2.pk);
        let buf = sk.expose_mut();
        buf[..s1.sk].copy_from_slice(a.1.expose());
        buf[s1.sk..s1.sk + s2.sk].copy_from_slice(b.1.expose());
        buf[s1.sk + s2.sk..].copy_from_slice(&pk);
        Ok((pk, sk))
    }

    fn assemble_encapsulation(
        &self,
        pk: &[u8],
        a: (Vec<u8>, SecretBytes),
        b: (Vec<u8>, SecretBytes),
    ) -> Result<(Vec<u8>, SecretBytes)> {
        let [s1, s2] = self.parts.map(|p| p.sizes());
        Self::expect_len("KEM combiner: component ciphertext size", a.0.len(), s1.ct)?;
        Self::expect_len("KEM combiner: component ciphertext size", b.0.len(), s2.ct)?;
        let ss = self.combine([&a.1, &b.1], [&a.0, &b.0], [&pk[..s1.pk], &pk[s1.pk..]]);
        let mut ct = a.0;
        ct.extend_from_slice(&b.0);
        Ok((ct, ss))
    }

    /// Decapsulation by both components; `prechecked` as in
    /// [`Kem::decapsulate_prechecked`].
    fn decapsulate_with(&self, sk: &[u8], ct: &[u8], prechecked: bool) -> Result<SecretBytes> {
        let sizes = self.sizes();
        check_len("KEM combiner secret key", sk, sizes.sk)?;
        check_len("KEM combiner ciphertext", ct, sizes.ct)?;
        let [s1, s2] = self.parts.map(|p| p.sizes());
        let (sk1, rest) = sk.split_at(s1.sk);
        let (sk2, pk) = rest.split_at(s2.sk);
        let (ct1, ct2) = ct.split_at(s1.ct);
        let decaps = |k: &dyn Kem, sk: &[u8], ct: &[u8]| {
            if prechecked {
                k.decapsulate_prechecked(sk, ct)
            } else {
                k.decapsulate(sk, ct)
            }
        };
        let ss1 = decaps(self.parts[0], sk1, ct1)?;
        let ss2 = decaps(self.parts[1], sk2, ct2)?;
        Ok(self.combine([&ss1, &ss2], [ct1, ct2], [&pk[..s1.pk], &pk[s1.pk..]]))
    }
}

impl fmt::Debug for KemCombiner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KemCombiner")
            .field("name", &self.name)
            .field("parts", &[self.parts[0].id(), self.parts[1].id()])
            .field("label", &String::from_utf8_lossy(&self.label))
            .finish()
    }
}

impl AlgorithmId for KemCombiner {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backend(&self) -> &'static str {
        self.backend
    }
    fn takes_coins(&self) -> bool {
        self.parts.iter().all(|p| p.takes_coins())
    }
}

impl Kem for KemCombiner {
    fn sizes(&self) -> KemSizes {
        let [s1, s2] = self.parts.map(|p| p.sizes());
        KemSizes {
            pk: s1.pk + s2.pk,
            sk: s1.sk + s2.sk + s1.pk + s2.pk,
            ct: s1.ct + s2.ct,
            ss: 32,
            keygen_coins: s1.keygen_coins + s2.keygen_coins,
            encaps_coins: s1.encaps_coins + s2.encaps_coins,
        }
    }

    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        check_len(
            "KEM combiner key-generation coins",
            coins,
            self.sizes().keygen_coins,
        )?;
        let (c1, c2) = coins.split_at(self.parts[0].sizes().keygen_coins);
        let a = self.parts[0].generate_derand(c1)?;
        let b = self.parts[1].generate_derand(c2)?;
        self.assemble_key_pair(a, b)
    }

    fn encapsulate_derand(&self, pk: &[u8], coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        let sizes = self.sizes();
        check_len("KEM combiner public key", pk, sizes.pk)?;
        check_len(
            "KEM combiner encapsulation coins",
            coins,
            sizes.encaps_coins,
        )?;
        let s1 = self.parts[0].sizes();
        let (c1, c2) = coins.split_at(s1.encaps_coins);
        let a = self.parts[0].encapsulate_derand(&pk[..s1.pk], c1)?;
        let b = self.parts[1].encapsulate_derand(&pk[s1.pk..], c2)?;
        self.assemble_encapsulation(pk, a, b)
    }

    fn decapsulate(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
        self.decapsulate_with(sk, ct, false)
    }

    /// Both components' checks.
    fn check_secret_key(&self, sk: &[u8]) -> Result<()> {
        check_len("KEM combiner secret key", sk, self.sizes().sk)?;
        let (sk1, rest) = sk.split_at(self.parts[0].sizes().sk);
        self.parts[0].check_secret_key(sk1)?;
        self.parts[1].check_secret_key(&rest[..self.parts[1].sizes().sk])
    }

    fn decapsulate_prechecked(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
        self.decapsulate_with(sk, ct, true)
    }

    /// Each component draws its own coins from `rng`, first then second;
    /// for coin-taking components this is the same byte stream as
    /// [`Kem::generate_derand`] with `keygen_coins` bytes.
    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        let a = self.parts[0].generate(rng)?;
        let b = self.parts[1].generate(rng)?;
        self.assemble_key_pair(a, b)
    }

    /// Each component encapsulates with its own randomized form, first then
    /// second (the same byte stream as the derandomized form).
    fn encapsulate(&self, pk: &[u8], rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        check_len("KEM combiner public key", pk, self.sizes().pk)?;
        let pk1_len = self.parts[0].sizes().pk;
        let a = self.parts[0].encapsulate(&pk[..pk1_len], rng)?;
        let b = self.parts[1].encapsulate(&pk[pk1_len..], rng)?;
        self.assemble_encapsulation(pk, a, b)
    }
}
