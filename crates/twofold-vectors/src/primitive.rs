//! `kem` and `signature` vectors: the hybrid combiners, XEdDSA in both
//! profiles and the composite signature, by their registry names.

use serde::Serialize;
use twofold_core::{CryptoRng, Kem, Resolver, Signature};
use twofold_primitives::registry::REGISTRY;

use crate::error::{AtPath, Result};
use crate::json::Node;
use crate::{Case, Generated, draw, needs_coins};

#[derive(Debug, Serialize)]
struct KemInputs {
    #[serde(rename = "keygen coins", serialize_with = "crate::hexser::bytes")]
    keygen: Vec<u8>,
    #[serde(rename = "encaps coins", serialize_with = "crate::hexser::bytes")]
    encaps: Vec<u8>,
}

#[derive(Debug, Serialize)]
struct KemOutputs {
    #[serde(serialize_with = "crate::hexser::bytes")]
    pk: Vec<u8>,
    #[serde(serialize_with = "crate::hexser::bytes")]
    sk: Vec<u8>,
    #[serde(serialize_with = "crate::hexser::bytes")]
    ct: Vec<u8>,
    #[serde(serialize_with = "crate::hexser::bytes")]
    ss: Vec<u8>,
    #[serde(rename = "decapsulated ss", serialize_with = "crate::hexser::bytes")]
    decapsulated: Vec<u8>,
    #[serde(rename = "modified ct", serialize_with = "crate::hexser::bytes")]
    modified_ct: Vec<u8>,
    #[serde(rename = "ss of modified ct", serialize_with = "crate::hexser::bytes")]
    modified_ss: Vec<u8>,
}

/// A KEM vector: key generation, encapsulation, decapsulation of the
/// ciphertext and of the ciphertext with its first byte XORed with 1.
#[derive(Debug, Serialize)]
pub struct KemCase {
    name: String,
    inputs: KemInputs,
    outputs: KemOutputs,
}

#[derive(Debug, Serialize)]
struct SigInputs {
    #[serde(rename = "keygen coins", serialize_with = "crate::hexser::bytes")]
    keygen: Vec<u8>,
    #[serde(serialize_with = "crate::hexser::bytes")]
    message: Vec<u8>,
    #[serde(rename = "sign coins", serialize_with = "crate::hexser::bytes")]
    sign: Vec<u8>,
}

#[derive(Debug, Serialize)]
struct SigOutputs {
    #[serde(serialize_with = "crate::hexser::bytes")]
    pk: Vec<u8>,
    #[serde(serialize_with = "crate::hexser::bytes")]
    sk: Vec<u8>,
    #[serde(serialize_with = "crate::hexser::bytes")]
    signature: Vec<u8>,
}

/// A signature vector: key generation, signing with explicit coins; the
/// signature is verified when it is computed.
#[derive(Debug, Serialize)]
pub struct SigCase {
    name: String,
    inputs: SigInputs,
    outputs: SigOutputs,
}

fn kem_of(name: &str) -> Result<&'static dyn Kem> {
    let k = REGISTRY.kem(name).at("$.suite")?;
    needs_coins(k)?;
    Ok(k)
}

fn sig_of(name: &str) -> Result<&'static dyn Signature> {
    let s = REGISTRY.signature(name).at("$.suite")?;
    needs_coins(s)?;
    Ok(s)
}

fn kem_case(kem: &dyn Kem, name: String, inputs: KemInputs, path: &str) -> Result<KemCase> {
    let (pk, sk) = kem.generate_derand(&inputs.keygen).at(path)?;
    let (ct, ss) = kem.encapsulate_derand(&pk, &inputs.encaps).at(path)?;
    let decapsulated = kem.decapsulate(sk.expose(), &ct).at(path)?;
    let mut modified_ct = ct.clone();
    if let Some(b) = modified_ct.first_mut() {
        *b ^= 1;
    }
    let modified_ss = kem.decapsulate(sk.expose(), &modified_ct).at(path)?;
    Ok(KemCase {
        name,
        inputs,
        outputs: KemOutputs {
            pk,
            sk: sk.expose().to_vec(),
            ct,
            ss: ss.expose().to_vec(),
            decapsulated: decapsulated.expose().to_vec(),
            modified_ct,
            modified_ss: modified_ss.expose().to_vec(),
        },
    })
}

fn sig_case(sig: &dyn Signature, name: String, inputs: SigInputs, path: &str) -> Result<SigCase> {
    let (pk, sk) = sig.generate_derand(&inputs.keygen).at(path)?;
    let signature = sig
        .sign_derand(sk.expose(), &inputs.message, &inputs.sign)
        .at(path)?;
    sig.verify(&pk, &inputs.message, &signature).at(path)?;
    Ok(SigCase {
        name,
        inputs,
        outputs: SigOutputs {
            pk,
            sk: sk.expose().to_vec(),
            signature,
        },
    })
}

/// The three test vectors of draft-connolly-cfrg-xwing-kem-10
/// (`spec/test-vectors.json` of the draft's repository): `seed`, `eseed`.
const XWING_OFFICIAL: [(&str, &str); 3] = [
    (
        "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26",
        "3cb1eea988004b93103cfb0aeefd2a686e01fa4a58e8a3639ca8a1e3f9ae57e2\
         35b8cc873c23dc62b8d260169afa2f75ab916a58d974918835d25e6a435085b2",
    ),
    (
        "badfd6dfaac359a5efbb7bcc4b59d538df9a04302e10c8bc1cbf1a0b3a5120ea",
        "17cda7cfad765f5623474d368ccca8af0007cd9f5e4c849f167a580b14aabdef\
         aee7eef47cb0fca9767be1fda69419dfb927e9df07348b196691abaeb580b32d",
    ),
    (
        "ef58538b8d23f87732ea63b02b4fa0f4873360e2841928cd60dd4cee8cc0d4c9",
        "22a96188d032675c8ac850933c7aff1533b94c834adbb69c6115bad4692d8619\
         f90b0cdf8a7b9c264029ac185b70b83f2801f2f4b3f70c593ea3aeeb613a7f1b",
    ),
];

fn unhex(s: &str) -> Vec<u8> {
    let clean: String = s.split_whitespace().collect();
    // The constants above are hex.
    hex::decode(clean).unwrap_or_default()
}

/// KEM sources by name.
fn kem_sources(name: &str) -> Vec<&'static str> {
    let mut s = Vec::new();
    if name == "X-Wing" {
        s.push("draft-connolly-cfrg-xwing-kem-10 (X-Wing), composed at run time from ML-KEM-768 and X25519");
    } else if name.starts_with("DHKEM") {
        s.push("RFC 9180 §4.1 DHKEM(X25519, HKDF-SHA256)");
    } else {
        s.push(
            "twofold's generic KEM combiner: ss = SHA3-256(ss_1 || ss_2 || ct_1 || ct_2 || pk_1 \
             || pk_2 || label), label = \"twofold-combiner-v1 \" || name (crates/twofold-primitives/src/hybrid/combiner.rs)",
        );
    }
    if name.contains("ML-KEM") || name == "X-Wing" {
        s.push("FIPS 203 (ML-KEM)");
    }
    if name.contains("Kyber") {
        s.push("CRYSTALS-Kyber round 3 specification (version 3.02)");
    }
    s.push("RFC 7748 (X25519)");
    s
}

pub(crate) fn generate_kem(name: &str, rng: &mut dyn CryptoRng) -> Result<Generated> {
    let kem = kem_of(name)?;
    let sizes = kem.sizes();
    let mut inputs: Vec<(String, KemInputs)> = Vec::new();
    if kem.name() == "X-Wing" {
        for (i, (seed, eseed)) in XWING_OFFICIAL.iter().enumerate() {
            inputs.push((
                format!("draft-connolly-cfrg-xwing-kem-10 test vector {}", i + 1),
                KemInputs {
                    keygen: unhex(seed),
                    encaps: unhex(eseed),
                },
            ));
        }
    }
    for i in 0..3 {
        inputs.push((
            format!("drawn {}", i + 1),
            KemInputs {
                keygen: draw(rng, sizes.keygen_coins),
                encaps: draw(rng, sizes.encaps_coins),
            },
        ));
    }
    let cases = inputs
        .into_iter()
        .enumerate()
        .map(|(i, (n, inp))| {
            Ok(Case::Kem(kem_case(
                kem,
                n,
                inp,
                &format!("$.vectors[{i}]"),
            )?))
        })
        .collect::<Result<Vec<_>>>()?;
    let description = format!(
        "{}: key generation from explicit coins, encapsulation with explicit coins, \
         decapsulation, and decapsulation of the ciphertext with its first byte XORed with 1; \
         secret keys in the form twofold stores them",
        kem.name()
    );
    Ok((
        kem.name().to_string(),
        description,
        kem_sources(kem.name()),
        cases,
    ))
}

pub(crate) fn generate_sig(name: &str, rng: &mut dyn CryptoRng) -> Result<Generated> {
    let sig = sig_of(name)?;
    let sizes = sig.sizes();
    let mut cases = Vec::new();
    for (i, len) in [0usize, 33, 100].into_iter().enumerate() {
        let inputs = SigInputs {
            keygen: draw(rng, sizes.keygen_coins),
            message: draw(rng, len),
            sign: draw(rng, sizes.sign_coins),
        };
        let path = format!("$.vectors[{i}]");
        cases.push(Case::Signature(sig_case(
            sig,
            format!("{len}-byte message"),
            inputs,
            &path,
        )?));
    }
    let (description, sources) = match sig.name() {
        "XEdDSA" => (
            "XEdDSA as published: the X25519 secret key signs, A's sign bit forced to 0",
            vec!["The XEdDSA and VXEdDSA Signature Schemes, revision 1 (Signal, 2016-10-20)"],
        ),
        "XEdDSA-signal" => (
            "XEdDSA as libsignal computes it: k unnegated, the sign of kB in bit 7 of the signature's last byte",
            vec![
                "libsignal rust/core/src/curve/curve25519.rs (calculate_signature, verify_signature)",
                "The XEdDSA and VXEdDSA Signature Schemes, revision 1 (Signal, 2016-10-20)",
            ],
        ),
        _ => (
            "Composite signature: Ed25519 and ML-DSA-65 both sign label || message, signatures concatenated",
            vec![
                "RFC 8032 (Ed25519)",
                "FIPS 204 (ML-DSA)",
                "twofold's composite: crates/twofold-primitives/src/hybrid/composite.rs",
            ],
        ),
    };
    Ok((
        sig.name().to_string(),
        format!("{}: {description}", sig.name()),
        sources,
        cases,
    ))
}

pub(crate) fn recompute_kem(name: &str, items: &[Node<'_>]) -> Result<Vec<Case>> {
    let kem = kem_of(name)?;
    items
        .iter()
        .map(|v| {
            let i = v.get("inputs")?;
            let inputs = KemInputs {
                keygen: i.get("keygen coins")?.hex()?,
                encaps: i.get("encaps coins")?.hex()?,
            };
            let n = v.get("name")?.str()?.to_string();
            Ok(Case::Kem(kem_case(kem, n, inputs, v.path())?))
        })
        .collect()
}

pub(crate) fn recompute_sig(name: &str, items: &[Node<'_>]) -> Result<Vec<Case>> {
    let sig = sig_of(name)?;
    items
        .iter()
        .map(|v| {
            let i = v.get("inputs")?;
            let inputs = SigInputs {
                keygen: i.get("keygen coins")?.hex()?,
                message: i.get("message")?.hex()?,
                sign: i.get("sign coins")?.hex()?,
            };
            let n = v.get("name")?.str()?.to_string();
            Ok(Case::Signature(sig_case(sig, n, inputs, v.path())?))
        })
        .collect()
}
