//! twofold-vectors: interop test vectors in a documented JSON format
//! (`vectors/README.md`, `vectors/twofold-vectors.schema.json`).
//!
//! One file per suite. Every input of a run is written out, randomness
//! included (ML-KEM `d || z` and `m`, X25519 scalars, XEdDSA `Z`), together
//! with every intermediate value under its specification's name, every wire
//! message and every output, so that an implementer needs only the file and
//! the specification.
//!
//! * [`generate`] draws a suite's inputs from the seeded stream
//!   `SHAKE256("twofold rng v1" || seed || suite)` ([`twofold_core::ShakeRng`])
//!   and computes the rest;
//! * [`verify`] reads the inputs of a file (ours or another
//!   implementation's), recomputes everything else with the same code, and
//!   reports every value that differs by its JSON path. It never reads an
//!   output to compute another.
//!
//! Generation and verification share one function per kind that maps
//! inputs to a whole vector, so a file verifies if and only if it is what
//! its inputs give. The `kind`s: `kem` and `signature` (primitives),
//! `prekey` (X3DH and PQXDH), `noise` (cacophony's layout with KEM fields),
//! and `conversation` (a ratchet suite's two sessions through a scripted
//! conversation, started from explicit session starts or, for a handshake
//! into a ratchet such as `PQXDH+TripleRatchet_signal_X25519_SHA-256_Kyber1024`,
//! from the handshake as libsignal runs it).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod conversation;
mod error;
mod hexser;
mod json;
mod noise;
mod prekey;
mod primitive;
mod report;
mod stack;

use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use twofold_core::observe::{Kind as ValueKind, Trace, ValueRecord};
use twofold_core::{AlgorithmId, Resolver, ShakeRng};
use twofold_harness::handshakes::{self, Protocol};
use twofold_primitives::registry::REGISTRY;

pub use error::{Result, VectorError};
pub use report::{Mismatch, Report};
pub use stack::STACKS;

use json::Node;

/// The `format` member of every vector file.
pub const FORMAT: &str = "twofold-vectors";
/// The `version` member this implementation writes and reads.
pub const VERSION: u32 = 1;
/// The seed of the committed default set (one byte, `00`).
pub const DEFAULT_SEED: &[u8] = &[0];
/// How a file's inputs were drawn (informational: verification reads the
/// inputs, never the generator).
pub const RNG_DEFINITION: &str =
    "SHAKE256(\"twofold rng v1\" || seed || UTF-8(suite)), read in order";

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A KEM: key generation, encapsulation, decapsulation.
    Kem,
    /// A signature scheme: key generation, signing, verification.
    Signature,
    /// X3DH or PQXDH: Bob's prekeys, Alice's initiation, Bob's acceptance.
    Prekey,
    /// A Noise handshake and transport messages.
    Noise,
    /// A ratchet suite's two sessions through a scripted conversation
    /// (from explicit session starts, or from a handshake).
    Conversation,
}

impl Kind {
    /// The `kind` member.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Kem => "kem",
            Kind::Signature => "signature",
            Kind::Prekey => "prekey",
            Kind::Noise => "noise",
            Kind::Conversation => "conversation",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "kem" => Kind::Kem,
            "signature" => Kind::Signature,
            "prekey" => Kind::Prekey,
            "noise" => Kind::Noise,
            "conversation" => Kind::Conversation,
            other => {
                return Err(VectorError::Unsupported {
                    what: format!(
                        "kind {other:?} (this implementation reads kem, signature, prekey, \
                         noise, conversation)"
                    ),
                });
            }
        })
    }

    /// The folder of the default set that holds this kind.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Kem | Kind::Signature => "primitives",
            Kind::Prekey => "prekey",
            Kind::Noise => "noise",
            Kind::Conversation => "conversation",
        }
    }
}

/// How the inputs of a generated file were drawn.
#[derive(Debug, Clone, Serialize)]
pub struct Generator {
    /// [`RNG_DEFINITION`].
    pub rng: &'static str,
    /// The seed, hex.
    pub seed: String,
}

/// A vector file. Serializes to the documented JSON, members in order.
#[derive(Debug, Serialize)]
pub struct VectorFile {
    /// [`FORMAT`].
    pub format: &'static str,
    /// [`VERSION`].
    pub version: u32,
    /// What the vectors are.
    pub kind: Kind,
    /// The suite or algorithm, as parsed and printed back.
    pub suite: String,
    /// What the file pins, in a sentence or two.
    pub description: String,
    /// The specifications the values follow.
    pub sources: Vec<&'static str>,
    /// Where the inputs came from (absent in files written by hand).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generator: Option<Generator>,
    /// The vectors.
    pub vectors: Vec<Case>,
}

/// One vector of any kind.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Case {
    /// `kem`.
    Kem(primitive::KemCase),
    /// `signature`.
    Signature(primitive::SigCase),
    /// `prekey`.
    Prekey(Box<prekey::PrekeyCase>),
    /// `noise`.
    Noise(Box<noise::NoiseCase>),
    /// `conversation`.
    Conversation(Box<conversation::ConversationCase>),
    /// `conversation` from a handshake.
    Stack(Box<stack::StackCase>),
}

/// What a kind's generator returns: the suite as printed back, the
/// description, the sources and the vectors.
pub(crate) type Generated = (String, String, Vec<&'static str>, Vec<Case>);

/// One intermediate value as the observer reported it.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// `initiator` or `responder`.
    pub party: &'static str,
    /// The part of the protocol (`initiate`, `message 2 (write)`, ...).
    pub section: Option<String>,
    /// The value's name in its specification.
    pub name: String,
    /// `public`, `secret` or `wire`.
    pub kind: &'static str,
    /// The operation that made it.
    pub op: String,
    /// The names of the values it was made from.
    pub inputs: Vec<String>,
    /// The bytes, hex.
    pub hex: String,
}

/// Every value of a trace, in order, except a reader's copy of a message
/// it received (the same bytes as the message, already in the vector).
pub(crate) fn steps(t: &Trace) -> Vec<Step> {
    t.values()
        .filter(|(_, v)| !(v.kind == ValueKind::Wire && v.op == "received"))
        .map(|(_, v)| step(v))
        .collect()
}

/// How a vector names a value's kind.
pub(crate) fn kind_label(k: ValueKind) -> &'static str {
    match k {
        ValueKind::Public => "public",
        ValueKind::Secret => "secret",
        ValueKind::Wire => "wire",
    }
}

/// One reported value as a step.
pub(crate) fn step(v: &ValueRecord) -> Step {
    Step {
        party: v.party.as_str(),
        section: v.section.clone(),
        name: v.name.clone(),
        kind: kind_label(v.kind),
        op: v.op.clone(),
        inputs: v.inputs.iter().map(|i| i.name.clone()).collect(),
        hex: hex::encode(&v.bytes[..]),
    }
}

/// The next `n` bytes of the generator's stream.
pub(crate) fn draw(rng: &mut dyn twofold_core::CryptoRng, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rng.fill_bytes(&mut v);
    v
}

/// Refuses an implementation that cannot take explicit coins.
pub(crate) fn needs_coins(a: &dyn AlgorithmId) -> Result<()> {
    if a.takes_coins() {
        Ok(())
    } else {
        Err(VectorError::NoExplicitCoins { algorithm: a.id() })
    }
}

/// The prefixes of ratchet suites (`twofold_ratchet::suite`).
const RATCHET_PREFIXES: &[&str] = &[
    "DoubleRatchet_",
    "TripleRatchet_",
    "KemRatchet_",
    "HybridRatchet_",
    "PQ3Ratchet_",
];

/// The kind of a suite string: a ratchet or a handshake by its prefix, else
/// a KEM or a signature scheme of the registry.
pub fn kind_of(suite: &str) -> Result<Kind> {
    if stack::is_stack(suite) || RATCHET_PREFIXES.iter().any(|p| suite.starts_with(p)) {
        return Ok(Kind::Conversation);
    }
    match handshakes::protocol_of(suite) {
        Ok(Protocol::X3dh | Protocol::Pqxdh) => return Ok(Kind::Prekey),
        Ok(Protocol::Noise) => return Ok(Kind::Noise),
        Err(_) => {}
    }
    if REGISTRY.kem(suite).is_ok() {
        Ok(Kind::Kem)
    } else if REGISTRY.signature(suite).is_ok() {
        Ok(Kind::Signature)
    } else {
        Err(VectorError::Unsupported {
            what: format!(
                "suite {suite:?}: neither a ratchet suite (DoubleRatchet_, TripleRatchet_, \
                 KemRatchet_, HybridRatchet_, PQ3Ratchet_), a handshake suite (X3DH_, PQXDH_, \
                 Noise_), a handshake into a ratchet (PQXDH+TripleRatchet_signal_...) nor a \
                 registered KEM or signature scheme (see `twofold list`)"
            ),
        })
    }
}

/// The primitives of the default set: the hybrid combiners (X-Wing by
/// runtime composition, the generic combiner, DHKEM), XEdDSA in both
/// profiles, the composite signature.
pub const PRIMITIVES: &[&str] = &[
    "X-Wing",
    "X25519+ML-KEM-768",
    "X25519+ML-KEM-1024",
    "X25519+Kyber1024",
    "DHKEM(X25519,HKDF-SHA256)",
    "XEdDSA",
    "XEdDSA-signal",
    "Ed25519+ML-DSA-65",
];

/// Every suite of the default set: [`PRIMITIVES`], every handshake suite
/// of [`handshakes::suites`], every ratchet suite of
/// [`twofold_ratchet::suite::SUITES`], then the handshakes into ratchets of
/// [`STACKS`].
pub fn default_suites() -> Vec<String> {
    PRIMITIVES
        .iter()
        .map(|s| s.to_string())
        .chain(handshakes::suites())
        .chain(twofold_ratchet::suite::SUITES.iter().map(|s| s.to_string()))
        .chain(STACKS.iter().map(|s| s.to_string()))
        .collect()
}

/// The file a suite is written to, relative to the output folder:
/// `<folder>/<suite>.json`, characters other than letters, digits and
/// `+-._` replaced by `_`.
pub fn file_name(suite: &str) -> Result<String> {
    let kind = kind_of(suite)?;
    let stem: String = suite
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+-._".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(format!("{}/{stem}.json", kind.folder()))
}

/// The vectors of `suite`, inputs drawn from the stream of `seed`.
pub fn generate(suite: &str, seed: &[u8]) -> Result<VectorFile> {
    let kind = kind_of(suite)?;
    let mut stream_seed = seed.to_vec();
    stream_seed.extend_from_slice(suite.as_bytes());
    let mut rng = ShakeRng::new(&stream_seed);
    let (suite, description, sources, vectors) = match kind {
        Kind::Kem => primitive::generate_kem(suite, &mut rng)?,
        Kind::Signature => primitive::generate_sig(suite, &mut rng)?,
        Kind::Prekey => prekey::generate(suite, &mut rng)?,
        Kind::Noise => noise::generate(suite, &mut rng)?,
        Kind::Conversation if stack::is_stack(suite) => stack::generate(suite, &mut rng)?,
        Kind::Conversation => conversation::generate(suite, &mut rng)?,
    };
    Ok(VectorFile {
        format: FORMAT,
        version: VERSION,
        kind,
        suite,
        description,
        sources,
        generator: Some(Generator {
            rng: RNG_DEFINITION,
            seed: hex::encode(seed),
        }),
        vectors,
    })
}

/// The file as written to disk: pretty JSON and a final newline.
pub fn to_json(file: &VectorFile) -> Result<String> {
    let mut s = serde_json::to_string_pretty(file)?;
    s.push('\n');
    Ok(s)
}

/// Generates `suites` (the default set if empty) into `dir`; returns the
/// files written, relative to `dir`, with their sizes.
pub fn write_set(dir: &Path, suites: &[String], seed: &[u8]) -> Result<Vec<(String, usize)>> {
    let all = if suites.is_empty() {
        default_suites()
    } else {
        suites.to_vec()
    };
    let mut written = Vec::new();
    for suite in &all {
        let rel = file_name(suite)?;
        let text = to_json(&generate(suite, seed)?)?;
        let path = dir.join(&rel);
        let io = |source| VectorError::Io {
            path: path.display().to_string(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, &text).map_err(io)?;
        written.push((rel, text.len()));
    }
    Ok(written)
}

/// Verifies a vector file: checks its envelope, reads every vector's
/// inputs, recomputes the vector from them and compares the result with
/// the file value by value.
pub fn verify(text: &str) -> Result<Report> {
    let doc: Value = serde_json::from_str(text)?;
    let root = Node::root(&doc);
    let format = root.get("format")?;
    if format.str()? != FORMAT {
        return Err(VectorError::Unsupported {
            what: format!("format {:?} (expected {FORMAT:?})", format.str()?),
        });
    }
    let version = root.get("version")?.u32()?;
    if version != VERSION {
        return Err(VectorError::Unsupported {
            what: format!("version {version} (this implementation reads {VERSION})"),
        });
    }
    let kind = Kind::parse(root.get("kind")?.str()?)?;
    let suite_node = root.get("suite")?;
    let suite = suite_node.str()?;
    let found = kind_of(suite)?;
    if found != kind {
        return Err(VectorError::Field {
            path: suite_node.path().to_string(),
            problem: format!("suite {suite:?} is of kind {}", found.as_str()),
        });
    }
    let vectors = root.get("vectors")?;
    let items = vectors.items()?;
    let recomputed: Vec<Case> = match kind {
        Kind::Kem => primitive::recompute_kem(suite, &items)?,
        Kind::Signature => primitive::recompute_sig(suite, &items)?,
        Kind::Prekey => prekey::recompute(suite, &items)?,
        Kind::Noise => noise::recompute(suite, &items)?,
        Kind::Conversation if stack::is_stack(suite) => stack::recompute(suite, &items)?,
        Kind::Conversation => conversation::recompute(suite, &items)?,
    };
    let want = serde_json::to_value(&recomputed)?;
    let mut report = Report {
        kind: kind.as_str().to_string(),
        suite: suite.to_string(),
        vectors: items.len(),
        ..Report::default()
    };
    json::diff(vectors.path(), &want, vectors.value(), &mut report);
    Ok(report)
}
