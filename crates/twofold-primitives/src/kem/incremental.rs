//! Incremental ML-KEM-768 from libcrux-ml-kem (`mlkem768::incremental`),
//! the split the ML-KEM Braid of Signal's sparse post-quantum ratchet sends:
//!
//! * header = `ρ || H(ek)` (64 bytes), ek vector = `ByteEncode12(t̂)`
//!   (1152 bytes), dk = the FIPS 203 decapsulation key (2400 bytes), all
//!   from `d || z` exactly as ML-KEM-768 key generation makes them;
//! * `encapsulate1(header, m)` = `(ct1, state, K)`: `ct1` is the compressed
//!   `u` (960 bytes) and `K` the shared secret, neither of which needs `t̂`;
//!   the state (libcrux's own form, 2080 bytes) keeps what `ct2` needs;
//! * `encapsulate2(state, ek vector)` = `ct2`, the compressed `v` (128 bytes);
//! * `ct1 || ct2` is the ML-KEM-768 ciphertext of `Encaps_internal(ek, m)`,
//!   and decapsulation is ML-KEM-768's (checked against another ML-KEM
//!   backend in tests/incremental_kem.rs).
//!
//! libcrux's arrays do not wipe themselves: secret copies are zeroized here.

use libcrux_ml_kem::mlkem768::incremental as inc;
use libcrux_ml_kem::mlkem768::incremental::{Ciphertext1, Ciphertext2};
use twofold_core::{
    AlgorithmId, Error, IncrementalKem, IncrementalKemSizes, Result, SecretBytes, check_len,
};
use zeroize::Zeroize;

/// Incremental ML-KEM-768 (libcrux).
#[derive(Debug)]
pub struct LibcruxIncrementalMlKem768;

/// The registry instance.
pub static INCREMENTAL_ML_KEM_768: LibcruxIncrementalMlKem768 = LibcruxIncrementalMlKem768;

const HEADER: usize = 64;
const EK_VECTOR: usize = 1152;
const DK: usize = 2400;
const CT1: usize = 960;
const CT2: usize = 128;
const STATE: usize = inc::encaps_state_len();

impl AlgorithmId for LibcruxIncrementalMlKem768 {
    fn name(&self) -> &'static str {
        "ML-KEM-768-incremental"
    }
    fn backend(&self) -> &'static str {
        "libcrux"
    }
}

fn array<const N: usize>(what: &'static str, bytes: &[u8]) -> Result<[u8; N]> {
    check_len(what, bytes, N)?;
    let mut out = [0u8; N];
    out.copy_from_slice(bytes);
    Ok(out)
}

impl IncrementalKem for LibcruxIncrementalMlKem768 {
    fn sizes(&self) -> IncrementalKemSizes {
        IncrementalKemSizes {
            header: HEADER,
            ek_vector: EK_VECTOR,
            dk: DK,
            ct1: CT1,
            ct2: CT2,
            state: STATE,
            ss: 32,
            keygen_coins: 64,
            encaps_coins: 32,
        }
    }

    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, Vec<u8>, SecretBytes)> {
        let mut seed: [u8; 64] = array("ML-KEM-768 key-generation coins (d || z)", coins)?;
        let pair = inc::KeyPairCompressedBytes::from_seed(seed);
        seed.zeroize();
        let out = (
            pair.pk1().to_vec(),
            pair.pk2().to_vec(),
            SecretBytes::from_slice(pair.sk()),
        );
        let mut bytes = pair.to_bytes();
        bytes.zeroize();
        Ok(out)
    }

    fn encapsulate1_derand(
        &self,
        header: &[u8],
        coins: &[u8],
    ) -> Result<(Vec<u8>, SecretBytes, SecretBytes)> {
        check_len("ML-KEM-768 header", header, HEADER)?;
        let mut m: [u8; 32] = array("ML-KEM-768 encapsulation coins (m)", coins)?;
        let mut state = SecretBytes::zeroed(STATE);
        let mut ss = SecretBytes::zeroed(32);
        let ct1 = inc::encapsulate1(header, m, state.expose_mut(), ss.expose_mut())
            .map_err(|_| Error::InvalidEncoding("ML-KEM-768 header"));
        m.zeroize();
        Ok((ct1?.value.to_vec(), state, ss))
    }

    fn encapsulate2(&self, state: &[u8], ek_vector: &[u8]) -> Result<Vec<u8>> {
        let mut st: [u8; STATE] = array("ML-KEM-768 encapsulation state", state)?;
        let ek: [u8; EK_VECTOR] = array("ML-KEM-768 key vector", ek_vector)?;
        let ct2 = inc::encapsulate2(&st, &ek);
        st.zeroize();
        Ok(ct2.value.to_vec())
    }

    fn decapsulate(&self, dk: &[u8], ct1: &[u8], ct2: &[u8]) -> Result<SecretBytes> {
        let mut key: [u8; DK] = array("ML-KEM-768 decapsulation key", dk)?;
        let c1 = Ciphertext1 {
            value: array::<CT1>("ML-KEM-768 ct1", ct1)?,
        };
        let c2 = Ciphertext2 {
            value: array::<CT2>("ML-KEM-768 ct2", ct2)?,
        };
        let mut ss = inc::decapsulate_compressed_key(&key, &c1, &c2);
        key.zeroize();
        let out = SecretBytes::from_slice(&ss);
        ss.zeroize();
        Ok(out)
    }

    fn check_ek_vector(&self, header: &[u8], ek_vector: &[u8]) -> Result<()> {
        check_len("ML-KEM-768 header", header, HEADER)?;
        check_len("ML-KEM-768 key vector", ek_vector, EK_VECTOR)?;
        inc::validate_pk_bytes(header, ek_vector).map_err(|_| {
            Error::InvalidEncoding("ML-KEM-768 key vector (does not match the header)")
        })
    }
}

/// Every incremental KEM this crate ships.
pub fn all() -> Vec<&'static dyn IncrementalKem> {
    vec![&INCREMENTAL_ML_KEM_768]
}
