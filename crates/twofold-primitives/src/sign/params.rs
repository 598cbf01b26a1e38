//! Parameters of the ML-DSA and round-3 Dilithium parameter sets, and the
//! checks every backend of them shares (sizes, the `skDecode` range check of
//! an expanded secret key, seed lengths).

use twofold_core::{Error, Result, SigSizes, check_len};

/// Parameters of one ML-DSA (or Dilithium) parameter set, with the names
/// used in errors.
#[derive(Debug)]
pub(crate) struct Params {
    pub(crate) name: &'static str,
    /// Rows of `A` (polynomials in `s2`, `t0`, `t1`).
    pub(crate) k: usize,
    /// Columns of `A` (polynomials in `s1`).
    pub(crate) l: usize,
    pub(crate) eta: u16,
    /// Length of `tr` in the secret key: 64 in FIPS 204, 32 in round-3 Dilithium.
    pub(crate) tr_len: usize,
    pub(crate) pk: usize,
    pub(crate) sk: usize,
    pub(crate) sig: usize,
    pub(crate) pk_what: &'static str,
    pub(crate) sk_what: &'static str,
    pub(crate) sig_what: &'static str,
}

/// Length of the key-generation seed `ξ` and of the signing randomness `rnd`.
pub const SEED_LEN: usize = 32;

impl Params {
    pub(crate) const fn sizes(&self) -> SigSizes {
        SigSizes {
            pk: self.pk,
            sk: self.sk,
            sig: self.sig,
            keygen_coins: SEED_LEN,
            sign_coins: SEED_LEN,
        }
    }

    /// Length and `skDecode` range check of an expanded secret key (the
    /// layout `ρ || K || tr || s1 || s2 || t0` is shared by FIPS 204 and
    /// round-3 Dilithium, which differ in the length of `tr`).
    pub(crate) fn check_sk(&self, sk: &[u8]) -> Result<()> {
        check_len(self.sk_what, sk, self.sk)?;
        // s1 || s2 follow ρ (32), K (32) and tr; each coefficient is
        // packed as η - c in bitlen(2η) bits, least significant bit first.
        let width = if self.eta == 2 { 3 } else { 4 };
        let count = (self.k + self.l) * 256;
        let start = 64 + self.tr_len;
        let packed = &sk[start..start + count * width / 8];
        let mut bad = 0u8;
        for i in 0..count {
            let mut v = 0u16;
            for j in 0..width {
                let bit = i * width + j;
                v |= u16::from((packed[bit / 8] >> (bit % 8)) & 1) << j;
            }
            // No early exit: the scan does not reveal where a bad value is.
            bad |= u8::from(v > 2 * self.eta);
        }
        if bad == 0 {
            Ok(())
        } else {
            // A coefficient of s1 or s2 lies outside [-η, η].
            Err(Error::InvalidEncoding(self.sk_what))
        }
    }

    pub(crate) fn check_seed(&self, coins: &[u8]) -> Result<[u8; SEED_LEN]> {
        check_len("ML-DSA key-generation seed (xi)", coins, SEED_LEN)?;
        let mut out = [0u8; SEED_LEN];
        out.copy_from_slice(coins);
        Ok(out)
    }

    pub(crate) fn check_rnd(&self, coins: &[u8]) -> Result<[u8; SEED_LEN]> {
        check_len("ML-DSA signing randomness (rnd)", coins, SEED_LEN)?;
        let mut out = [0u8; SEED_LEN];
        out.copy_from_slice(coins);
        Ok(out)
    }
}
