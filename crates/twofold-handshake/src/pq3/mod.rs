//! A PQ3-style set-up: the initial key establishment of the shape Apple
//! describes for iMessage PQ3 (Apple security research blog, 2024-02-21;
//! Stebila, "Security analysis of the iMessage PQ3 protocol", 2024): the
//! receiver registers an ECDH P-256 key and a Kyber-1024 key; the sender
//! makes an ephemeral P-256 key, does ECDH with the registered key and
//! encapsulates to the Kyber key, and both secrets key the session.
//!
//! Apple publishes no wire format and no test vectors, so this is that
//! shape in twofold's own encoding, for comparing configurations, not an
//! implementation of Apple's protocol. Identity authentication (PQ3 signs
//! the registered keys with a device key) is left to the caller here.
//!
//! ```text
//! message = E || CT            E = P-256 ephemeral public key
//! DH = ECDH(e, R_dh)           (CT, SS) = Encaps(R_kem)
//! root = HKDF(salt = 0, IKM = DH || SS, info = label || E || R_dh, 32)
//! AD = E || R_dh
//! ```
//! Draws: `E coins`, then `CT coins`.

use twofold_core::{CryptoRng, Dh, Kdf, Kem, Obs, Observer, Party, Resolver, SecretBytes};

use crate::{HandshakeError, Result};

/// The HKDF info prefix of the set-up.
pub const LABEL: &[u8] = b"twofold PQ3-style set-up v1";

/// The primitives of a PQ3-style set-up.
pub struct Pq3Setup {
    dh: &'static dyn Dh,
    kem: &'static dyn Kem,
    kdf: &'static dyn Kdf,
}

impl core::fmt::Debug for Pq3Setup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pq3Setup")
            .field("dh", &self.dh.id())
            .field("kem", &self.kem.id())
            .finish()
    }
}

/// What the set-up gives each side.
#[derive(Debug)]
pub struct Pq3Secret {
    /// The session's root key.
    pub root_key: SecretBytes,
    /// `E || R_dh`.
    pub associated_data: Vec<u8>,
}

impl Pq3Setup {
    /// P-256, Kyber-1024 and HKDF-SHA256, resolved through `resolver`.
    pub fn new(resolver: &dyn Resolver) -> Result<Self> {
        Self::with(resolver, "P-256", "Kyber1024", "HKDF-SHA256")
    }

    /// The set-up with other primitives.
    pub fn with(resolver: &dyn Resolver, dh: &str, kem: &str, kdf: &str) -> Result<Self> {
        Ok(Self {
            dh: resolver.dh(dh)?,
            kem: resolver.kem(kem)?,
            kdf: resolver.kdf(kdf)?,
        })
    }

    /// The DH of the set-up.
    pub fn dh(&self) -> &'static dyn Dh {
        self.dh
    }

    /// The KEM of the set-up.
    pub fn kem(&self) -> &'static dyn Kem {
        self.kem
    }

    fn derive(
        &self,
        dh: &SecretBytes,
        ss: &SecretBytes,
        e: &[u8],
        r_dh: &[u8],
        o: &mut Obs<'_>,
    ) -> Result<Pq3Secret> {
        let mut ikm = SecretBytes::zeroed(dh.len() + ss.len());
        ikm.expose_mut()[..dh.len()].copy_from_slice(dh.expose());
        ikm.expose_mut()[dh.len()..].copy_from_slice(ss.expose());
        let mut info = LABEL.to_vec();
        info.extend_from_slice(e);
        info.extend_from_slice(r_dh);
        let root_key = self.kdf.derive(&[], ikm.expose(), &info, 32)?;
        let mut ad = e.to_vec();
        ad.extend_from_slice(r_dh);
        if o.on() {
            o.secret("IKM", ikm.expose(), "concat", &["DH", "SS"]);
            o.secret("RK", root_key.expose(), self.kdf.name(), &["IKM"]);
        }
        Ok(Pq3Secret {
            root_key,
            associated_data: ad,
        })
    }

    /// The sender's side, to the receiver's registered keys.
    pub fn initiate(
        &self,
        r_dh: &[u8],
        r_kem: &[u8],
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<(Vec<u8>, Pq3Secret)> {
        let mut o = Obs::new(observer, Party::Initiator);
        o.section("PQ3-style set-up");
        let (e, e_sk) = self.dh.generate(&mut o.rng(rng, "E coins"))?;
        let dh = self.dh.dh(e_sk.expose(), r_dh)?;
        o.secret("DH", dh.expose(), self.dh.name(), &["E secret", "R_dh"]);
        let (ct, ss) = self.kem.encapsulate(r_kem, &mut o.rng(rng, "CT coins"))?;
        o.secret("SS", ss.expose(), "encaps", &["R_kem", "CT coins"]);
        let secret = self.derive(&dh, &ss, &e, r_dh, &mut o)?;
        let mut message = e;
        message.extend_from_slice(&ct);
        o.wire("set-up message", &message, &["E", "CT"]);
        Ok((message, secret))
    }

    /// The receiver's side, with its registered secret keys.
    pub fn respond(
        &self,
        dh_secret: &[u8],
        kem_secret: &[u8],
        message: &[u8],
        observer: &mut dyn Observer,
    ) -> Result<Pq3Secret> {
        let mut o = Obs::new(observer, Party::Responder);
        o.section("PQ3-style set-up");
        let (pk, ct) = (self.dh.sizes().pk, self.kem.sizes().ct);
        if message.len() != pk + ct {
            return Err(HandshakeError::Truncated {
                what: "PQ3-style set-up message",
                expected: pk + ct,
                actual: message.len(),
            });
        }
        let (e, ct) = message.split_at(pk);
        let r_dh = self.dh.public_key(dh_secret)?;
        let dh = self.dh.dh(dh_secret, e)?;
        o.secret("DH", dh.expose(), self.dh.name(), &["R_dh secret", "E"]);
        let ss = self.kem.decapsulate(kem_secret, ct)?;
        o.secret("SS", ss.expose(), "decaps", &["R_kem secret", "CT"]);
        self.derive(&dh, &ss, e, &r_dh, &mut o)
    }
}
