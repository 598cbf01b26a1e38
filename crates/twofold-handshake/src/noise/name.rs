//! Protocol names (Noise rev 34 §8, extended as snow and clatter extend it).
//!
//! ```text
//! Noise_<pattern><modifiers>_<DH section>_<cipher>_<hash>
//!
//! Noise_XXpsk3_25519_AESGCM_SHA512                    classic (rev 34)
//! Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s      hfs: DH + KEM (snow)
//! Noise_pqXX_MLKEM768_ChaChaPoly_SHA256               PQNoise: one KEM (clatter)
//! Noise_pqNN_Kyber512+Kyber1024_ChaChaPoly_SHA256     PQNoise: ephemeral + static KEM
//! Noise_hybridXX_25519+MLKEM768_ChaChaPoly_SHA256     hybrid: DH + KEM [+ static KEM]
//! ```
//!
//! Modifiers are joined with `+` (`XXpsk0+psk3`, `NNhfs+psk2`). A parsed name
//! prints back to the identical string. KEM names: the Noise names of
//! [`KEM_NAMES`] (`MLKEM768` = FIPS 203 ML-KEM-768; snow's `Kyber1024` =
//! pqcrypto-kyber, which is ML-KEM-1024 on the wire, see [`KEM_NAMES`]), or
//! any registry name (`ML-KEM-768`, `X-Wing`) for research suites; the
//! spelling is kept, since the name is hashed into `h`.

use std::fmt;

use twofold_core::{Aead, Dh, Hash, Kem, Resolver};

use super::labels::{
    CIPHER_AESGCM, CIPHER_NAMES, DH_448, DH_NAMES, HASH_NAMES, HFS_MODIFIER, HYBRID_PREFIX,
    KEM_NAMES, PQ_PREFIX, PROTOCOL_PREFIX, PSK_MODIFIER,
};
use super::pattern::{Modifier, Pattern, PatternKind, lookup_base, pattern_names};
use super::symmetric::NonceEncoding;
use crate::{HandshakeError, Result};

/// A KEM named in a protocol name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KemName {
    spelled: String,
    registry: String,
}

impl KemName {
    fn parse(token: &str) -> std::result::Result<KemName, String> {
        if let Some((_, reg)) = KEM_NAMES.iter().find(|(n, _)| *n == token) {
            return Ok(KemName {
                spelled: token.to_string(),
                registry: (*reg).to_string(),
            });
        }
        if token.contains('@') {
            return Err(format!(
                "KEM {token:?}: a backend (`@...`) does not belong in a protocol name, which is \
                 hashed into h; choose backends through the resolver"
            ));
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!("KEM {token:?}: not a printable ASCII name"));
        }
        // Any other spelling is taken as a registry name (research suites);
        // the resolver decides whether it exists.
        Ok(KemName {
            spelled: token.to_string(),
            registry: token.to_string(),
        })
    }

    /// The name as written in the protocol name.
    pub fn spelled(&self) -> &str {
        &self.spelled
    }

    /// The registry name it resolves to.
    pub fn registry(&self) -> &str {
        &self.registry
    }
}

/// A parsed protocol name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolName {
    kind: PatternKind,
    base: &'static str,
    modifiers: Vec<Modifier>,
    pattern: Pattern,
    dh: Option<(&'static str, &'static str)>,
    kems: Vec<KemName>,
    cipher: (&'static str, &'static str),
    hash: (&'static str, &'static str),
}

/// The primitives of a resolved protocol name.
#[derive(Clone, Copy)]
pub struct Suite {
    /// The DH function (classic, hfs and hybrid patterns).
    pub dh: Option<&'static dyn Dh>,
    /// The ephemeral KEM (`e1`/`ekem1` of hfs; `e`/`ekem` of pq and hybrid).
    pub ekem: Option<&'static dyn Kem>,
    /// The static KEM (`s`/`skem` of pq and hybrid).
    pub skem: Option<&'static dyn Kem>,
    /// The AEAD of the cipher.
    pub aead: &'static dyn Aead,
    /// How the cipher encodes nonces.
    pub encoding: NonceEncoding,
    /// The hash function.
    pub hash: &'static dyn Hash,
}

impl fmt::Debug for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Suite")
            .field("dh", &self.dh.map(|d| d.id()))
            .field("ekem", &self.ekem.map(|k| k.id()))
            .field("skem", &self.skem.map(|k| k.id()))
            .field("aead", &self.aead.id())
            .field("hash", &self.hash.id())
            .finish()
    }
}

fn invalid(name: &str, reason: impl Into<String>) -> HandshakeError {
    HandshakeError::InvalidSuite {
        name: name.to_string(),
        reason: reason.into(),
    }
}

fn list<T>(items: &[(&str, T)]) -> String {
    items.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

fn parse_modifiers(s: &str) -> std::result::Result<Vec<Modifier>, String> {
    let mut out = Vec::new();
    if s.is_empty() {
        return Ok(out);
    }
    for m in s.split('+') {
        let parsed = if m == HFS_MODIFIER {
            Modifier::Hfs
        } else if let Some(digits) = m.strip_prefix(PSK_MODIFIER) {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("modifier {m:?}: a psk modifier is psk0, psk1, ..."));
            }
            // Leading zeros would print back differently; reject them.
            if digits.len() > 1 && digits.starts_with('0') {
                return Err(format!(
                    "modifier {m:?}: write the psk number without leading zeros"
                ));
            }
            Modifier::Psk(
                digits
                    .parse::<u8>()
                    .map_err(|_| format!("modifier {m:?}: psk number out of range"))?,
            )
        } else if m == "fallback" {
            return Err("the fallback modifier is not supported".to_string());
        } else {
            return Err(format!(
                "unknown modifier {m:?}; available: pskN (psk0, psk1, ...), hfs"
            ));
        };
        if out.contains(&parsed) {
            return Err(format!("modifier {m:?} appears twice"));
        }
        out.push(parsed);
    }
    Ok(out)
}

fn parse_dh(token: &str) -> std::result::Result<(&'static str, &'static str), String> {
    if let Some(found) = DH_NAMES.iter().find(|(n, _)| *n == token) {
        return Ok(*found);
    }
    if token == DH_448 {
        return Err(format!(
            "DH function {token:?} (X448) is not available; available: {}",
            list(DH_NAMES)
        ));
    }
    Err(format!(
        "unknown DH function {token:?}; available: {}",
        list(DH_NAMES)
    ))
}

impl ProtocolName {
    /// Parses a protocol name; every error is
    /// [`HandshakeError::InvalidSuite`] with a reason that lists what is
    /// available.
    pub fn parse(name: &str) -> Result<ProtocolName> {
        let fields: Vec<&str> = name.split('_').collect();
        if fields.len() != 5 {
            return Err(invalid(
                name,
                "expected Noise_<pattern>_<DH or KEM>_<cipher>_<hash> (five fields separated by _)",
            ));
        }
        if fields[0] != PROTOCOL_PREFIX {
            return Err(invalid(
                name,
                format!("the first field must be {PROTOCOL_PREFIX:?}"),
            ));
        }

        // Pattern field: [pq|hybrid] BASE [modifiers].
        let (kind, rest) = if let Some(r) = fields[1].strip_prefix(HYBRID_PREFIX) {
            (PatternKind::Hybrid, r)
        } else if let Some(r) = fields[1].strip_prefix(PQ_PREFIX) {
            (PatternKind::Pq, r)
        } else {
            (PatternKind::Classic, fields[1])
        };
        let split = rest
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit()))
            .unwrap_or(rest.len());
        let (base_str, mods_str) = rest.split_at(split);
        let base = lookup_base(kind, base_str).ok_or_else(|| {
            let mut all = pattern_names(PatternKind::Classic);
            all.extend(pattern_names(PatternKind::Pq));
            all.extend(pattern_names(PatternKind::Hybrid));
            invalid(
                name,
                format!(
                    "unknown pattern {:?}; available: {}",
                    format!("{}{base_str}", kind.prefix()),
                    all.join(", ")
                ),
            )
        })?;
        let modifiers = parse_modifiers(mods_str).map_err(|r| invalid(name, r))?;
        let pattern = Pattern::from_table(kind, base, &modifiers).map_err(|r| invalid(name, r))?;
        let hfs = modifiers.contains(&Modifier::Hfs);

        // DH section.
        let parts: Vec<&str> = fields[2].split('+').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(invalid(name, "empty algorithm in the DH field"));
        }
        let kem_list = || {
            format!(
                "Noise KEM names: {} (or a registry name such as ML-KEM-768, X-Wing)",
                list(KEM_NAMES)
            )
        };
        let (dh, kem_tokens): (Option<&str>, &[&str]) = match (kind, hfs, parts.len()) {
            (PatternKind::Classic, false, 1) => (Some(parts[0]), &[]),
            (PatternKind::Classic, false, _) => {
                return Err(invalid(
                    name,
                    "a KEM in the DH field needs the hfs modifier, or a pq/hybrid pattern",
                ));
            }
            (PatternKind::Classic, true, 2) => (Some(parts[0]), &parts[1..]),
            (PatternKind::Classic, true, _) => {
                return Err(invalid(
                    name,
                    format!(
                        "the hfs modifier needs the DH field <DH>+<KEM>, e.g. 25519+Kyber1024; {}",
                        kem_list()
                    ),
                ));
            }
            (PatternKind::Pq, _, 1 | 2) => (None, &parts[..]),
            (PatternKind::Pq, _, _) => {
                return Err(invalid(
                    name,
                    format!(
                        "a pq pattern needs <KEM> or <ephemeral KEM>+<static KEM>; {}",
                        kem_list()
                    ),
                ));
            }
            (PatternKind::Hybrid, _, 2 | 3) => (Some(parts[0]), &parts[1..]),
            (PatternKind::Hybrid, _, _) => {
                return Err(invalid(
                    name,
                    format!(
                        "a hybrid pattern needs <DH>+<KEM> or <DH>+<ephemeral KEM>+<static KEM>; {}",
                        kem_list()
                    ),
                ));
            }
        };
        let dh = dh.map(parse_dh).transpose().map_err(|r| invalid(name, r))?;
        let kems = kem_tokens
            .iter()
            .map(|t| KemName::parse(t))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|r| invalid(name, r))?;

        let cipher = *CIPHER_NAMES
            .iter()
            .find(|(n, _)| *n == fields[3])
            .ok_or_else(|| {
                invalid(
                    name,
                    format!(
                        "unknown cipher {:?}; available: {}",
                        fields[3],
                        list(CIPHER_NAMES)
                    ),
                )
            })?;
        let hash = *HASH_NAMES
            .iter()
            .find(|(n, _)| *n == fields[4])
            .ok_or_else(|| {
                invalid(
                    name,
                    format!(
                        "unknown hash {:?}; available: {}",
                        fields[4],
                        list(HASH_NAMES)
                    ),
                )
            })?;

        Ok(ProtocolName {
            kind,
            base,
            modifiers,
            pattern,
            dh,
            kems,
            cipher,
            hash,
        })
    }

    /// The pattern kind (classic, pq, hybrid).
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// The base pattern name without prefix or modifiers (`XX`).
    pub fn base_pattern(&self) -> &'static str {
        self.base
    }

    /// The modifiers, in the order written.
    pub fn modifiers(&self) -> &[Modifier] {
        &self.modifiers
    }

    /// The handshake pattern, modifiers applied.
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// The ephemeral KEM: the hfs KEM, or the first KEM of a pq/hybrid name.
    pub fn ekem(&self) -> Option<&KemName> {
        self.kems.first()
    }

    /// The static KEM of a pq/hybrid name (the second KEM, else the only one).
    pub fn skem(&self) -> Option<&KemName> {
        match self.kind {
            PatternKind::Classic => None,
            _ => self.kems.last(),
        }
    }

    /// Registry name of the DH function, if any.
    pub fn dh_registry(&self) -> Option<&'static str> {
        self.dh.map(|(_, r)| r)
    }

    /// Registry name of the AEAD.
    pub fn aead_registry(&self) -> &'static str {
        self.cipher.1
    }

    /// Registry name of the hash.
    pub fn hash_registry(&self) -> &'static str {
        self.hash.1
    }

    /// The nonce encoding of the cipher.
    pub fn nonce_encoding(&self) -> NonceEncoding {
        if self.cipher.0 == CIPHER_AESGCM {
            NonceEncoding::AesGcm
        } else {
            NonceEncoding::ChaChaPoly
        }
    }

    /// Asks `resolver` for every primitive the name needs and checks that
    /// each fits Noise (32-byte cipher keys, 12-byte nonces, HASHLEN 32 or 64).
    pub fn resolve(&self, resolver: &dyn Resolver) -> Result<Suite> {
        let name = self.to_string();
        let wrap = |what: &str, e: twofold_core::Error| invalid(&name, format!("{what}: {e}"));
        let dh = match self.dh_registry() {
            Some(d) => Some(resolver.dh(d).map_err(|e| wrap("DH", e))?),
            None => None,
        };
        let kem = |k: Option<&KemName>| -> Result<Option<&'static dyn Kem>> {
            match k {
                Some(k) => Ok(Some(resolver.kem(k.registry()).map_err(|e| {
                    invalid(
                        &name,
                        format!(
                            "KEM {:?}: {e}; Noise KEM names: {}",
                            k.spelled(),
                            list(KEM_NAMES)
                        ),
                    )
                })?)),
                None => Ok(None),
            }
        };
        let ekem = kem(self.ekem())?;
        let skem = kem(self.skem())?;
        let aead = resolver
            .aead(self.aead_registry())
            .map_err(|e| wrap("cipher", e))?;
        let hash = resolver
            .hash(self.hash_registry())
            .map_err(|e| wrap("hash", e))?;
        if aead.key_len() != 32 || aead.nonce_len() != 12 {
            return Err(invalid(
                &name,
                format!(
                    "AEAD {} does not take 32-byte keys and 12-byte nonces",
                    aead.id()
                ),
            ));
        }
        let hl = hash.output_len();
        if !(hl == 32 || hl == 64) || hash.block_len() < hl {
            return Err(invalid(
                &name,
                format!("hash {} has HASHLEN {hl}; Noise needs 32 or 64", hash.id()),
            ));
        }
        Ok(Suite {
            dh,
            ekem,
            skem,
            aead,
            encoding: self.nonce_encoding(),
            hash,
        })
    }
}

impl fmt::Display for ProtocolName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PROTOCOL_PREFIX}_{}{}", self.kind.prefix(), self.base)?;
        for (i, m) in self.modifiers.iter().enumerate() {
            if i > 0 {
                f.write_str("+")?;
            }
            write!(f, "{m}")?;
        }
        f.write_str("_")?;
        let mut first = true;
        if let Some((d, _)) = self.dh {
            f.write_str(d)?;
            first = false;
        }
        for k in &self.kems {
            if !first {
                f.write_str("+")?;
            }
            f.write_str(k.spelled())?;
            first = false;
        }
        write!(f, "_{}_{}", self.cipher.0, self.hash.0)
    }
}

impl std::str::FromStr for ProtocolName {
    type Err = HandshakeError;
    fn from_str(s: &str) -> Result<Self> {
        ProtocolName::parse(s)
    }
}
