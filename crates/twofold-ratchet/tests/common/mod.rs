//! Helpers shared by the SPQR tests: the backends to run over and the
//! committed data files.
#![allow(dead_code)]

pub mod peer;

use serde_json::Value;
use twofold_core::{AlgorithmId, Hash, Kdf, Secret};
use twofold_primitives::registry::registry;

/// Every backend of `name` in `list` (fails if there is none).
fn backends<T: AlgorithmId + ?Sized>(list: &[&'static T], name: &str) -> Vec<&'static T> {
    let all: Vec<_> = list.iter().copied().filter(|a| a.name() == name).collect();
    assert!(!all.is_empty(), "no {name} backend to test");
    all
}

/// Every HKDF-SHA256 backend in the registry.
pub fn hkdf_sha256() -> Vec<&'static dyn Kdf> {
    backends(&registry().kdfs, "HKDF-SHA256")
}

/// Every SHA-256 (HMAC-SHA256) backend in the registry.
pub fn sha256() -> Vec<&'static dyn Hash> {
    backends(&registry().hashes, "SHA-256")
}

/// A committed JSON file of `tests/data/`.
pub fn data(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The bytes of a hex string field.
pub fn bytes(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

/// A 32-byte secret from a hex string field.
pub fn key(v: &Value) -> Secret<32> {
    Secret::from_slice(&bytes(v)).expect("32 bytes")
}

/// A 32-byte secret from a hex literal.
pub fn key_hex(s: &str) -> Secret<32> {
    Secret::from_slice(&hex::decode(s).unwrap()).unwrap()
}

/// An unsigned integer field.
pub fn uint(v: &Value) -> u64 {
    v.as_u64().expect("unsigned integer")
}
