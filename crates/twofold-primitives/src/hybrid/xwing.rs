//! X-Wing (draft-connolly-cfrg-xwing-kem-10) as a runtime combination of an
//! ML-KEM-768 [`Kem`] and an X25519 [`Dh`].
//!
//! Variable names follow the draft (§5): `pk_M, sk_M, ct_M, ss_M` for
//! ML-KEM-768, `pk_X, sk_X, ct_X, ss_X, ek_X` for X25519.
//!
//! ```text
//! expandDecapsulationKey(sk):  expanded = SHAKE256(sk, 96 bytes)
//!     (pk_M, sk_M) = ML-KEM-768.KeyGen_internal(d = expanded[0:32], z = expanded[32:64])
//!     sk_X = expanded[64:96];  pk_X = X25519(sk_X, 9)
//! pk = pk_M || pk_X (1216 B),  ct = ct_M || ct_X (1120 B)
//! Combiner = SHA3-256(ss_M || ss_X || ct_X || pk_X || XWingLabel),  XWingLabel = 5c2e2f2f5e5c
//! EncapsulateDerand(pk, eseed): m = eseed[0:32] for ML-KEM, ek_X = eseed[32:64]
//! ```
//!
//! Coins: key generation takes the draft's 32-byte decapsulation key `sk`
//! (the seed); encapsulation takes the draft's 64-byte `eseed`.
//!
//! # Secret-key forms
//!
//! The secret key twofold stores is
//! `seed (32) || sk_M (2400, FIPS 203 expanded) || sk_X (32) || pk_X (32)`
//! = 2496 bytes, so decapsulation does not re-expand the seed (draft
//! §5.5.1 allows caching the expansion). [`Kem::decapsulate`] also accepts
//! the bare 32-byte seed, the draft's decapsulation key, and expands it.
//!
//! Only the first 32 bytes (the seed) may leave the process: the draft
//! (§5.5.1) forbids transmitting an expanded key between implementations,
//! because the MAL-BIND-K-PK and MAL-BIND-K-CT properties rest on the key
//! being re-derived from the seed. The stored form is trusted as written;
//! keep it where only its owner can write it.
//!
//! # Deviation: all-zero X25519 output
//!
//! The draft does not ask for the RFC 7748 §6.1 all-zero check, but every
//! twofold [`Dh`] refuses an all-zero shared secret, so an encapsulation key
//! whose `pk_X` or a ciphertext whose `ct_X` is a low-order point is an
//! error ([`Error::LowOrderPoint`]) instead of a key. Honest keys and
//! ciphertexts never hit this; the x-wing crate backend is made to reject
//! the same inputs.
//!
//! The ML-KEM-768 component must take explicit coins (X-Wing key
//! generation is always seeded) and runs the FIPS 203 §7.2 encapsulation-key
//! check, as the draft requires.

use std::fmt;

use sha3::digest::{ExtendableOutput, Update, XofReader};
use sha3::{Digest, Sha3_256, Shake256};
use twofold_core::{AlgorithmId, Dh, Error, Kem, KemSizes, Result, SecretBytes, check_len};

use super::combiner::intern;
use crate::{dh, kem};

/// XWingLabel = `"\./" || "/^\"` (hex 5c2e2f2f5e5c), draft §5.3.
pub const XWING_LABEL: &[u8; 6] = b"\\.//^\\";

/// Length of the draft's decapsulation key (the seed).
pub const SEED_LEN: usize = 32;
/// ML-KEM-768 sizes.
const PK_M: usize = 1184;
const SK_M: usize = 2400;
const CT_M: usize = 1088;
/// Length of the stored secret key `seed || sk_M || sk_X || pk_X`.
pub const STORED_SK_LEN: usize = SEED_LEN + SK_M + 32 + 32;

/// X-Wing over an ML-KEM-768 and an X25519 implementation.
pub struct XWing {
    mlkem: &'static dyn Kem,
    x25519: &'static dyn Dh,
    backend: &'static str,
}

/// X-Wing over libcrux ML-KEM-768 and x25519-dalek.
pub static XWING_LIBCRUX_DALEK: XWing = XWing {
    mlkem: &kem::libcrux::ML_KEM_768,
    x25519: &dh::dalek::X25519,
    backend: "libcrux+dalek",
};

/// X-Wing over RustCrypto ML-KEM-768 and x25519-dalek.
pub static XWING_RUSTCRYPTO_DALEK: XWing = XWing {
    mlkem: &kem::rustcrypto::ML_KEM_768,
    x25519: &dh::dalek::X25519,
    backend: "rustcrypto+dalek",
};

/// X-Wing over libcrux ML-KEM-768 and aws-lc-rs X25519.
pub static XWING_LIBCRUX_AWSLC: XWing = XWing {
    mlkem: &kem::libcrux::ML_KEM_768,
    x25519: &dh::awslc::X25519,
    backend: "libcrux+aws-lc",
};

/// The expanded decapsulation key (draft `expandDecapsulationKey`).
struct Expanded {
    pk_m: Vec<u8>,
    sk_m: SecretBytes,
    sk_x: SecretBytes,
    pk_x: Vec<u8>,
}

impl XWing {
    /// X-Wing from any ML-KEM-768 that takes coins and any X25519. The
    /// backend name is `"<ML-KEM backend>+<X25519 backend>"`.
    ///
    /// Fails with [`Error::Misuse`] if `mlkem` is not ML-KEM-768 (X-Wing's
    /// security argument rests on ML-KEM-768's transform), does not take
    /// explicit coins, or `x25519` is not X25519.
    pub fn new(mlkem: &'static dyn Kem, x25519: &'static dyn Dh) -> Result<Self> {
        let m = mlkem.sizes();
        if mlkem.name() != "ML-KEM-768"
            || m.pk != PK_M
            || m.sk != SK_M
            || m.ct != CT_M
            || m.ss != 32
            || m.keygen_coins != 64
            || m.encaps_coins != 32
        {
            return Err(Error::Misuse(
                "X-Wing needs ML-KEM-768 as its ML-KEM component",
            ));
        }
        if !mlkem.takes_coins() {
            return Err(Error::Misuse(
                "X-Wing needs an ML-KEM-768 backend that takes explicit coins",
            ));
        }
        let x = x25519.sizes();
        if x25519.name() != "X25519" || x.pk != 32 || x.sk != 32 || x.shared != 32 {
            return Err(Error::Misuse(
                "X-Wing needs X25519 as its Diffie-Hellman component",
            ));
        }
        Ok(Self {
            mlkem,
            x25519,
            backend: intern(format!("{}+{}", mlkem.backend(), x25519.backend())),
        })
    }

    /// The ML-KEM-768 component.
    pub fn mlkem(&self) -> &'static dyn Kem {
        self.mlkem
    }

    /// The X25519 component.
    pub fn x25519(&self) -> &'static dyn Dh {
        self.x25519
    }

    /// Draft `expandDecapsulationKey(sk)`.
    fn expand(&self, seed: &[u8]) -> Result<Expanded> {
        let mut expanded = SecretBytes::zeroed(96);
        let mut xof = Shake256::default();
        xof.update(seed);
        xof.finalize_xof().read(expanded.expose_mut());
        // KeyGen_internal(d, z) is the ML-KEM backend's derand key
        // generation with coins d || z = expanded[0:64].
        let (pk_m, sk_m) = self.mlkem.generate_derand(&expanded.expose()[..64])?;
        let sk_x = SecretBytes::from_slice(&expanded.expose()[64..96]);
        let pk_x = self.x25519.public_key(sk_x.expose())?;
        Ok(Expanded {
            pk_m,
            sk_m,
            sk_x,
            pk_x,
        })
    }

    /// Draft `Combiner(ss_M, ss_X, ct_X, pk_X)`.
    fn combiner(ss_m: &SecretBytes, ss_x: &SecretBytes, ct_x: &[u8], pk_x: &[u8]) -> SecretBytes {
        let mut h = Sha3_256::new();
        Digest::update(&mut h, ss_m.expose());
        Digest::update(&mut h, ss_x.expose());
        Digest::update(&mut h, ct_x);
        Digest::update(&mut h, pk_x);
        Digest::update(&mut h, XWING_LABEL);
        SecretBytes::from_slice(&h.finalize())
    }

    /// Draft `Decapsulate(ct, sk)`; `sk` is the stored form (2496 bytes) or
    /// the draft's 32-byte seed. `prechecked`: the stored form's ML-KEM key
    /// has passed its checks already (a seed is expanded here, so its key is
    /// ours by construction).
    fn decapsulate_with(&self, sk: &[u8], ct: &[u8], prechecked: bool) -> Result<SecretBytes> {
        check_len("X-Wing ciphertext", ct, CT_M + 32)?;
        let (ct_m, ct_x) = ct.split_at(CT_M);
        let (ss_m, ss_x, pk_x) = match sk.len() {
            STORED_SK_LEN => {
                let sk_m = &sk[SEED_LEN..SEED_LEN + SK_M];
                let sk_x = &sk[SEED_LEN + SK_M..SEED_LEN + SK_M + 32];
                let pk_x = sk[SEED_LEN + SK_M + 32..].to_vec();
                let ss_m = if prechecked {
                    self.mlkem.decapsulate_prechecked(sk_m, ct_m)?
                } else {
                    self.mlkem.decapsulate(sk_m, ct_m)?
                };
                (ss_m, self.x25519.dh(sk_x, ct_x)?, pk_x)
            }
            SEED_LEN => {
                let e = self.expand(sk)?;
                (
                    self.mlkem.decapsulate_prechecked(e.sk_m.expose(), ct_m)?,
                    self.x25519.dh(e.sk_x.expose(), ct_x)?,
                    e.pk_x,
                )
            }
            actual => return Err(secret_key_length(actual)),
        };
        Ok(Self::combiner(&ss_m, &ss_x, ct_x, &pk_x))
    }
}

/// The error for a secret key that is neither form.
fn secret_key_length(actual: usize) -> Error {
    Error::InvalidLength {
        what: "X-Wing secret key (stored form, or the 32-byte seed)",
        expected: STORED_SK_LEN,
        actual,
    }
}

impl fmt::Debug for XWing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XWing")
            .field("mlkem", &self.mlkem.id())
            .field("x25519", &self.x25519.id())
            .finish()
    }
}

impl AlgorithmId for XWing {
    fn name(&self) -> &'static str {
        "X-Wing"
    }
    fn backend(&self) -> &'static str {
        self.backend
    }
}

impl Kem for XWing {
    fn sizes(&self) -> KemSizes {
        KemSizes {
            pk: PK_M + 32,
            sk: STORED_SK_LEN,
            ct: CT_M + 32,
            ss: 32,
            keygen_coins: SEED_LEN,
            encaps_coins: 64,
        }
    }

    /// Draft `GenerateKeyPairDerand(sk)`: the coins are the 32-byte seed.
    /// The secret key comes back in the stored form (module doc).
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        check_len("X-Wing key-generation coins (seed)", coins, SEED_LEN)?;
        let e = self.expand(coins)?;
        let mut pk = Vec::with_capacity(PK_M + 32);
        pk.extend_from_slice(&e.pk_m);
        pk.extend_from_slice(&e.pk_x);
        let mut sk = SecretBytes::zeroed(STORED_SK_LEN);
        let buf = sk.expose_mut();
        buf[..SEED_LEN].copy_from_slice(coins);
        buf[SEED_LEN..SEED_LEN + SK_M].copy_from_slice(e.sk_m.expose());
        buf[SEED_LEN + SK_M..SEED_LEN + SK_M + 32].copy_from_slice(e.sk_x.expose());
        buf[SEED_LEN + SK_M + 32..].copy_from_slice(&e.pk_x);
        Ok((pk, sk))
    }

    /// Draft `EncapsulateDerand(pk, eseed)`.
    fn encapsulate_derand(&self, pk: &[u8], coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        check_len("X-Wing public key", pk, PK_M + 32)?;
        check_len("X-Wing encapsulation coins (eseed)", coins, 64)?;
        let (pk_m, pk_x) = pk.split_at(PK_M);
        // ML-KEM first: its §7.2 check is the one input check the draft
        // requires, so a bad pk_M is reported whatever pk_X is.
        let (ct_m, ss_m) = self.mlkem.encapsulate_derand(pk_m, &coins[..32])?;
        let ek_x = &coins[32..64];
        let ct_x = self.x25519.public_key(ek_x)?;
        let ss_x = self.x25519.dh(ek_x, pk_x)?;
        let ss = Self::combiner(&ss_m, &ss_x, &ct_x, pk_x);
        let mut ct = ct_m;
        ct.extend_from_slice(&ct_x);
        Ok((ct, ss))
    }

    /// Draft `Decapsulate(ct, sk)`; `sk` is the stored form (2496 bytes) or
    /// the draft's 32-byte seed.
    fn decapsulate(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
        self.decapsulate_with(sk, ct, false)
    }

    /// The ML-KEM key checks of the stored form; a seed is always valid.
    fn check_secret_key(&self, sk: &[u8]) -> Result<()> {
        match sk.len() {
            STORED_SK_LEN => self.mlkem.check_secret_key(&sk[SEED_LEN..SEED_LEN + SK_M]),
            SEED_LEN => Ok(()),
            actual => Err(secret_key_length(actual)),
        }
    }

    fn decapsulate_prechecked(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
        self.decapsulate_with(sk, ct, true)
    }
}
