//! Ratchet suite strings: `<Kind>_<profile>_<CKA>_<hash>[_<body>][_<policy>]`.
//!
//! ```text
//! DoubleRatchet_spec_X25519_SHA-256_ChaCha20-Poly1305     DH-CKA, twofold format
//! DoubleRatchet_spec+HE_X25519_SHA-256_ChaCha20-Poly1305  with header encryption (§4)
//! DoubleRatchet_signal_X25519_SHA-256                     libsignal's (message version 3)
//! TripleRatchet_signal_X25519_SHA-256                     libsignal's: DR + SPQR, version 4
//! TripleRatchet_twofold_X25519_SHA-256_ChaCha20-Poly1305  DR + SPQR, twofold format
//! KemRatchet_twofold_ML-KEM-768_SHA-256_ChaCha20-Poly1305 KEM-CKA
//! HybridRatchet_twofold_X25519+ML-KEM-768_SHA-256_ChaCha20-Poly1305_turn
//! PQ3Ratchet_twofold_P-256+Kyber768_SHA-256_AES-256-GCM_m50t604800
//! ```
//!
//! Algorithm parts may name a backend (`X25519@dalek`). The policy tag is
//! [`RekeyPolicy::tag`]. A suite prints back exactly as it was parsed.

use core::fmt;

use twofold_core::AlgorithmName;

use crate::policy::RekeyPolicy;
use crate::{RatchetError, Result};

/// Which ratchet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RatchetKind {
    /// The Double Ratchet: DH-CKA.
    Double,
    /// The Triple Ratchet: DH-CKA with SPQR beside it.
    Triple,
    /// KEM-CKA: a fully post-quantum ratchet.
    Kem,
    /// Hybrid CKA: DH every turn, a KEM by policy.
    Hybrid,
    /// The hybrid CKA as Apple's PQ3 is described: P-256 and Kyber-768 with
    /// periodic rekeying, after a set-up with Kyber-1024.
    Pq3,
}

impl RatchetKind {
    /// The suite prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            RatchetKind::Double => "DoubleRatchet",
            RatchetKind::Triple => "TripleRatchet",
            RatchetKind::Kem => "KemRatchet",
            RatchetKind::Hybrid => "HybridRatchet",
            RatchetKind::Pq3 => "PQ3Ratchet",
        }
    }
}

/// Which text the ratchet follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RatchetProfile {
    /// The Double Ratchet specification, twofold's wire format.
    Spec,
    /// What libsignal deploys, byte for byte.
    Signal,
    /// twofold's research ratchets (KEM, hybrid, PQ3-style, the Triple
    /// Ratchet with an AEAD).
    Twofold,
}

impl RatchetProfile {
    /// The name in suite strings.
    pub fn as_str(self) -> &'static str {
        match self {
            RatchetProfile::Spec => "spec",
            RatchetProfile::Signal => "signal",
            RatchetProfile::Twofold => "twofold",
        }
    }
}

/// A parsed ratchet suite.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RatchetSuite {
    /// The ratchet.
    pub kind: RatchetKind,
    /// The profile.
    pub profile: RatchetProfile,
    /// Header encryption (`spec+HE`).
    pub header_encryption: bool,
    /// The DH of the CKA.
    pub dh: Option<AlgorithmName>,
    /// The KEM of the CKA.
    pub kem: Option<AlgorithmName>,
    /// The hash of HKDF and HMAC.
    pub hash: AlgorithmName,
    /// The AEAD of the body (twofold format).
    pub aead: Option<AlgorithmName>,
    /// The rekey policy (hybrid and PQ3 ratchets).
    pub policy: Option<RekeyPolicy>,
}

fn invalid(suite: &str, reason: impl Into<String>) -> RatchetError {
    RatchetError::InvalidSuite {
        name: suite.to_string(),
        reason: reason.into(),
    }
}

fn part(suite: &str, what: &str, text: &str) -> Result<AlgorithmName> {
    AlgorithmName::parse(text).map_err(|e| invalid(suite, format!("{what}: {e}")))
}

/// The named ratchet suites (for `twofold list` and the benches).
pub const SUITES: &[&str] = &[
    "DoubleRatchet_spec_X25519_SHA-256_ChaCha20-Poly1305",
    "DoubleRatchet_spec+HE_X25519_SHA-256_ChaCha20-Poly1305",
    "DoubleRatchet_signal_X25519_SHA-256",
    "TripleRatchet_signal_X25519_SHA-256",
    "TripleRatchet_twofold_X25519_SHA-256_ChaCha20-Poly1305",
    "KemRatchet_twofold_ML-KEM-768_SHA-256_ChaCha20-Poly1305",
    "HybridRatchet_twofold_X25519+ML-KEM-768_SHA-256_ChaCha20-Poly1305_turn",
    "HybridRatchet_twofold_X25519+ML-KEM-768_SHA-256_ChaCha20-Poly1305_m50",
    "PQ3Ratchet_twofold_P-256+Kyber768_SHA-256_AES-256-GCM_m50t604800",
];

impl RatchetSuite {
    /// Parses a suite string; an unknown part is
    /// [`RatchetError::InvalidSuite`] saying what is expected.
    pub fn parse(name: &str) -> Result<Self> {
        let parts: Vec<&str> = name.split('_').collect();
        let kind = match parts.first().copied() {
            Some("DoubleRatchet") => RatchetKind::Double,
            Some("TripleRatchet") => RatchetKind::Triple,
            Some("KemRatchet") => RatchetKind::Kem,
            Some("HybridRatchet") => RatchetKind::Hybrid,
            Some("PQ3Ratchet") => RatchetKind::Pq3,
            _ => {
                return Err(invalid(
                    name,
                    "a ratchet suite starts with DoubleRatchet_, TripleRatchet_, KemRatchet_, \
                     HybridRatchet_ or PQ3Ratchet_",
                ));
            }
        };
        let (profile, header_encryption) = match parts.get(1).copied() {
            Some("spec") => (RatchetProfile::Spec, false),
            Some("spec+HE") => (RatchetProfile::Spec, true),
            Some("signal") => (RatchetProfile::Signal, false),
            Some("twofold") => (RatchetProfile::Twofold, false),
            Some("twofold+HE") => (RatchetProfile::Twofold, true),
            other => {
                return Err(invalid(
                    name,
                    format!("unknown profile {other:?}; available: spec, spec+HE, signal, twofold"),
                ));
            }
        };
        let allowed = match kind {
            RatchetKind::Double => [RatchetProfile::Spec, RatchetProfile::Signal],
            RatchetKind::Triple => [RatchetProfile::Signal, RatchetProfile::Twofold],
            _ => [RatchetProfile::Twofold, RatchetProfile::Twofold],
        };
        if !allowed.contains(&profile) {
            return Err(invalid(
                name,
                format!("{} has no {} profile", kind.as_str(), profile.as_str()),
            ));
        }
        let signal = profile == RatchetProfile::Signal;
        let policy_kind = matches!(kind, RatchetKind::Hybrid | RatchetKind::Pq3);
        let expected = 4 + usize::from(!signal) + usize::from(policy_kind);
        if parts.len() != expected || (signal && header_encryption) {
            return Err(invalid(
                name,
                format!(
                    "expected {}_<profile>_<CKA>_<hash>{}{}, got {} parts",
                    kind.as_str(),
                    if signal { "" } else { "_<AEAD>" },
                    if policy_kind { "_<policy>" } else { "" },
                    parts.len()
                ),
            ));
        }
        let (dh, kem) = match kind {
            RatchetKind::Double | RatchetKind::Triple => (Some(part(name, "DH", parts[2])?), None),
            RatchetKind::Kem => (None, Some(part(name, "KEM", parts[2])?)),
            RatchetKind::Hybrid | RatchetKind::Pq3 => {
                let (d, k) = parts[2]
                    .split_once('+')
                    .ok_or_else(|| invalid(name, "a hybrid CKA is <DH>+<KEM>"))?;
                (Some(part(name, "DH", d)?), Some(part(name, "KEM", k)?))
            }
        };
        let hash = part(name, "hash", parts[3])?;
        if !matches!(hash.algorithm.as_str(), "SHA-256" | "SHA-512") {
            return Err(invalid(name, "hash: available: SHA-256"));
        }
        if signal
            && (hash.algorithm != "SHA-256" || dh.as_ref().is_some_and(|d| d.algorithm != "X25519"))
        {
            return Err(invalid(
                name,
                "the signal profile deploys X25519 and SHA-256",
            ));
        }
        // The chain KDF's HMAC output is the next chain key and the message
        // key seed, both 32 bytes in this engine (Double Ratchet §5.2 sizes
        // them by the hash): HMAC-SHA512 would give 64.
        if hash.algorithm != "SHA-256" {
            return Err(invalid(
                name,
                "hash: only SHA-256 runs: the chain keys are 32 bytes, HMAC-SHA512 gives 64",
            ));
        }
        let aead = if signal {
            None
        } else {
            Some(part(name, "AEAD", parts[4])?)
        };
        let policy = if policy_kind {
            let tag = parts[expected - 1];
            Some(RekeyPolicy::parse(tag).ok_or_else(|| {
                invalid(
                    name,
                    format!(
                        "unknown rekey policy {tag:?}; e.g. turn, never, m50, t86400, m50t604800"
                    ),
                )
            })?)
        } else {
            None
        };
        Ok(Self {
            kind,
            profile,
            header_encryption,
            dh,
            kem,
            hash,
            aead,
            policy,
        })
    }

    /// The HKDF of the suite, with the hash part's backend.
    pub fn kdf_name(&self) -> String {
        let kdf = if self.hash.algorithm == "SHA-512" {
            "HKDF-SHA512"
        } else {
            "HKDF-SHA256"
        };
        self.hash.with_algorithm(kdf)
    }
}

impl fmt::Display for RatchetSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.kind.as_str(), self.profile.as_str())?;
        if self.header_encryption {
            f.write_str("+HE")?;
        }
        match (&self.dh, &self.kem) {
            (Some(d), Some(k)) => write!(f, "_{d}+{k}")?,
            (Some(d), None) => write!(f, "_{d}")?,
            (None, Some(k)) => write!(f, "_{k}")?,
            (None, None) => {}
        }
        write!(f, "_{}", self.hash)?;
        if let Some(a) = &self.aead {
            write!(f, "_{a}")?;
        }
        if let Some(p) = &self.policy {
            write!(f, "_{}", p.tag())?;
        }
        Ok(())
    }
}

impl core::str::FromStr for RatchetSuite {
    type Err = RatchetError;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_suites_parse_and_print_back() {
        for s in SUITES {
            assert_eq!(RatchetSuite::parse(s).unwrap().to_string(), *s);
        }
        let s = RatchetSuite::parse("DoubleRatchet_spec_X25519@dalek_SHA-256@aws-lc_AES-256-GCM")
            .unwrap();
        assert_eq!(s.kdf_name(), "HKDF-SHA256@aws-lc");
    }

    #[test]
    fn bad_suites_say_why() {
        for (bad, why) in [
            ("", "starts with"),
            (
                "DoubleRatchet_twofold_X25519_SHA-256_ChaCha20-Poly1305",
                "no twofold profile",
            ),
            ("DoubleRatchet_signal_X25519_SHA-256_AES-256-GCM", "parts"),
            ("DoubleRatchet_signal_X25519_SHA-512", "deploys"),
            // Parsed once, then failed at the first message.
            (
                "DoubleRatchet_spec_X25519_SHA-512_ChaCha20-Poly1305",
                "chain keys are 32 bytes",
            ),
            (
                "HybridRatchet_twofold_X25519_SHA-256_ChaCha20-Poly1305_turn",
                "<DH>+<KEM>",
            ),
            (
                "HybridRatchet_twofold_X25519+ML-KEM-768_SHA-256_ChaCha20-Poly1305_sometimes",
                "policy",
            ),
            (
                "KemRatchet_twofold_ML-KEM-768_MD5_ChaCha20-Poly1305",
                "hash",
            ),
            ("DoubleRatchet_spec_X25519@_SHA-256_ChaCha20-Poly1305", "DH"),
        ] {
            match RatchetSuite::parse(bad) {
                Err(RatchetError::InvalidSuite { reason, .. }) => {
                    assert!(reason.contains(why), "{bad}: {reason}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
