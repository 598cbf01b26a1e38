//! X25519 from x25519-dalek.

use twofold_core::{AlgorithmId, Dh, DhSizes, Error, Result, SecretBytes, check_len};
use x25519_dalek::{PublicKey, StaticSecret};

/// X25519 (RFC 7748) from x25519-dalek.
#[derive(Debug)]
pub struct DalekX25519;

/// The registry instance.
pub static X25519: DalekX25519 = DalekX25519;

fn secret(sk: &[u8]) -> Result<StaticSecret> {
    check_len("X25519 secret key", sk, 32)?;
    let mut b = [0u8; 32];
    b.copy_from_slice(sk);
    // StaticSecret zeroizes itself on drop; the copy `b` is wiped below.
    let s = StaticSecret::from(b);
    zeroize::Zeroize::zeroize(&mut b);
    Ok(s)
}

fn public(pk: &[u8]) -> Result<PublicKey> {
    check_len("X25519 public key", pk, 32)?;
    let mut b = [0u8; 32];
    b.copy_from_slice(pk);
    Ok(PublicKey::from(b))
}

impl AlgorithmId for DalekX25519 {
    fn name(&self) -> &'static str {
        "X25519"
    }
    fn backend(&self) -> &'static str {
        "dalek"
    }
}

impl Dh for DalekX25519 {
    fn sizes(&self) -> DhSizes {
        DhSizes {
            pk: 32,
            sk: 32,
            shared: 32,
        }
    }

    fn public_key(&self, sk: &[u8]) -> Result<Vec<u8>> {
        Ok(PublicKey::from(&secret(sk)?).as_bytes().to_vec())
    }

    fn dh(&self, sk: &[u8], pk: &[u8]) -> Result<SecretBytes> {
        let shared = secret(sk)?.diffie_hellman(&public(pk)?);
        if !shared.was_contributory() {
            return Err(Error::LowOrderPoint);
        }
        Ok(SecretBytes::from_slice(shared.as_bytes()))
    }
}
