//! The ratchet: a continuous key agreement, a root KDF and forward-secure
//! symmetric chains (the Double Ratchet specification §3, in the
//! decomposition of Alwen, Coretti and Dodis), with an optional sparse key
//! source beside it (the Triple Ratchet, §6).
//!
//! Each epoch is one turn of the conversation. The party that starts an
//! epoch runs [`Cka::send`]; the root KDF turns its epoch key into the
//! sending chain; every message of the epoch carries the CKA message. The
//! receiver recognizes a new epoch by the CKA message's epoch identifier
//! (the ratchet public key), runs [`Cka::receive`] and the root KDF for its
//! receiving chain, and at once starts its own next epoch (the DH ratchet
//! step of §3.5, which draws the next ratchet key when a message arrives, as
//! the specification and libsignal do).
//!
//! Out-of-order and lost messages: the last [`Limits::max_receiving_chains`]
//! receiving chains are kept; a message ahead of its chain stores the keys
//! it skips (as seeds `HMAC(CK, 0x01)`: with a sparse key source, the final
//! keys depend on the message's own sparse key), at most
//! [`Limits::max_stored_keys`] per chain and [`Limits::max_skip`] ahead.
//! A key is handed out once; a replayed message is refused.
//!
//! A failed decryption leaves the ratchet exactly as it was: every change a
//! message would make is computed aside and committed only when the message
//! authenticated and decrypted.
//!
//! Two wire formats: twofold's own ([`Format::Twofold`], any AEAD, optional
//! header encryption of §4, optional expiry) and libsignal's
//! `SignalMessage` ([`Format::Signal`], AES-256-CBC under an 8-byte HMAC of
//! the whole message).

mod state;
mod wire;

use std::collections::VecDeque;

use twofold_core::observe::Kind;
use twofold_core::{Aead, Cipher, CryptoRng, Obs, Observer, Party, SecretBytes};

use crate::cka::{Cka, SendContext};
use crate::kdf::{Kdfs, Key};
use crate::labels;
use crate::signal::wire::SignalMessage;
use crate::sparse::Sparse;
use crate::{RatchetError, Result};

pub use state::RatchetState;
pub use wire::Header;

/// How a message body is protected.
#[derive(Clone, Copy)]
pub enum Body {
    /// An AEAD under a per-message key and nonce from the message keys,
    /// with the session's associated data and the header as AD.
    Aead(&'static dyn Aead),
    /// libsignal's: AES-256-CBC with the cipher key and IV of the message
    /// keys, and an 8-byte HMAC-SHA256 of the whole serialized message with
    /// the MAC key.
    SignalCbc(&'static dyn Cipher),
}

/// The wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// twofold's own format; `header_encryption` selects the variant of
    /// §4 (headers sealed under header keys from the root KDF).
    Twofold {
        /// Whether headers are encrypted.
        header_encryption: bool,
    },
    /// libsignal's `SignalMessage` with this version byte (`0x44`: message
    /// version 4, the Triple Ratchet; `0x33`: version 3).
    Signal {
        /// The version byte.
        version: u8,
    },
}

/// Limits on out-of-order delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How far ahead of its chain a message may be (the specification's
    /// `MAX_SKIP`; libsignal's `MAX_FORWARD_JUMPS`).
    pub max_skip: u32,
    /// Skipped keys kept per receiving chain (libsignal's
    /// `MAX_MESSAGE_KEYS`); the oldest go first.
    pub max_stored_keys: usize,
    /// Receiving chains kept (libsignal's `MAX_RECEIVER_CHAINS`).
    pub max_receiving_chains: usize,
    /// Seconds a skipped key is kept (`None`: until evicted by the limits).
    pub skipped_key_lifetime: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_skip: labels::MAX_SKIP,
            max_stored_keys: labels::MAX_STORED_KEYS,
            max_receiving_chains: labels::MAX_RECEIVING_CHAINS,
            skipped_key_lifetime: None,
        }
    }
}

/// What does not change during a session.
#[derive(Clone, Copy)]
pub struct Config {
    /// The KDFs and their labels.
    pub kdfs: Kdfs,
    /// The body protection.
    pub body: Body,
    /// The wire format.
    pub format: Format,
    /// The limits.
    pub limits: Limits,
}

impl core::fmt::Debug for Config {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Config")
            .field("kdfs", &self.kdfs)
            .field("format", &self.format)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The sending chain of the current epoch.
pub(crate) struct SendingChain {
    pub(crate) ck: Key,
    pub(crate) n: u32,
    /// The CKA message every message of the epoch carries.
    pub(crate) cka_message: Vec<u8>,
}

/// One skipped key.
pub(crate) struct Skipped {
    pub(crate) n: u32,
    pub(crate) seed: Key,
    pub(crate) stored_at: u64,
}

/// A receiving chain.
pub(crate) struct ReceivingChain {
    /// The epoch identifier of its CKA message.
    pub(crate) id: Vec<u8>,
    pub(crate) ck: Key,
    /// The index of the next key the chain would give.
    pub(crate) n: u32,
    pub(crate) skipped: VecDeque<Skipped>,
    /// Its header key (header encryption).
    pub(crate) hk: Option<Key>,
}

/// Header keys of the header-encryption variant (§4).
#[derive(Default)]
pub(crate) struct HeaderKeys {
    pub(crate) hks: Option<Key>,
    pub(crate) nhks: Option<Key>,
    pub(crate) nhkr: Option<Key>,
}

/// How a ratchet begins.
pub struct Start {
    /// Which side this is.
    pub party: Party,
    /// The root key (the handshake's `SK` or `RK`).
    pub root_key: Key,
    /// The continuous key agreement in its initial state.
    pub cka: Box<dyn Cka>,
    /// A sending chain key the handshake already gave, with the CKA message
    /// it is bound to (libsignal: Bob's chain key from PQXDH under his signed
    /// prekey). `None`: the initiator starts an epoch at once.
    pub sending_chain: Option<(Key, Vec<u8>)>,
    /// A receiving chain the handshake already gave: (epoch identifier,
    /// chain key) (libsignal: Alice's, under Bob's signed prekey).
    pub receiving_chain: Option<(Vec<u8>, Key)>,
    /// A sparse key source beside the ratchet (SPQR).
    pub sparse: Option<Box<dyn Sparse>>,
    /// Associated data: the handshake's AD (twofold format); for the signal
    /// format, `IK_ours || IK_theirs` (33 bytes each) of the MAC.
    pub associated_data: Vec<u8>,
    /// Header keys `(shared_hka, shared_nhkb)` for header encryption.
    pub header_keys: Option<(Key, Key)>,
}

/// Per-message options of [`Ratchet::encrypt`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendOptions {
    /// The time, in seconds (injected).
    pub now: u64,
    /// The sender's expiry for the message (seconds, absolute); carried in
    /// the authenticated header of the twofold format.
    pub expires_at: Option<u64>,
    /// The 36-byte `addresses` field of the signal format.
    pub addresses: Option<[u8; labels::SIGNAL_ADDRESSES_LEN]>,
}

/// A decrypted message.
#[derive(Debug)]
pub struct Received {
    /// The plaintext.
    pub plaintext: Vec<u8>,
    /// The header it came with.
    pub header: Header,
    /// Whether it opened a new epoch.
    pub new_epoch: bool,
}

/// A ratchet in progress.
pub struct Ratchet {
    cfg: Config,
    party: Party,
    rk: Key,
    cka: Box<dyn Cka>,
    sending: Option<SendingChain>,
    pn: u32,
    receiving: VecDeque<ReceivingChain>,
    sparse: Option<Box<dyn Sparse>>,
    ad: Vec<u8>,
    hk: HeaderKeys,
    /// Messages sent and received.
    messages: u64,
    /// Epochs started or received.
    epochs: u64,
    /// Epochs whose key held a KEM secret.
    pq_epochs: u64,
}

impl core::fmt::Debug for Ratchet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ratchet")
            .field("party", &self.party)
            .field("cka", &self.cka.name())
            .field("messages", &self.messages)
            .field("epochs", &self.epochs)
            .field("receiving_chains", &self.receiving.len())
            .finish_non_exhaustive()
    }
}

/// The changes one incoming message makes, applied only when it decrypted.
struct Pending {
    /// A new epoch: the new root key, CKA state and sending chain.
    epoch: Option<NewEpoch>,
    /// For a message of a known receiving chain: the chain's change.
    chain: Option<ChainUpdate>,
    sparse: Option<Box<dyn Sparse>>,
}

struct NewEpoch {
    /// How many of the two epoch keys (received, started) held a KEM secret.
    pq: u64,
    rk: Key,
    cka: Box<dyn Cka>,
    sending: SendingChain,
    receiving: ReceivingChain,
    pn: u32,
    hk: HeaderKeys,
}

enum ChainUpdate {
    /// A stored skipped key was used: (chain index, position).
    Skipped(usize, usize),
    /// The chain advanced: (chain index, new key, new counter, new skipped).
    Advanced(usize, Key, u32, Vec<Skipped>),
}

/// The per-message keys of the body.
struct BodyKeys(SecretBytes);

impl Ratchet {
    /// A ratchet from its start, drawing the initiator's first ratchet key
    /// from `rng` when the start has no sending chain.
    pub fn new(
        cfg: Config,
        start: Start,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<Self> {
        let mut o = Obs::new(observer, start.party);
        o.section("ratchet start");
        o.secret("RK", start.root_key.expose(), "input", &[]);
        let mut r = Self {
            cfg,
            party: start.party,
            rk: start.root_key,
            cka: start.cka,
            sending: None,
            pn: 0,
            receiving: VecDeque::new(),
            sparse: start.sparse,
            ad: start.associated_data,
            hk: HeaderKeys::default(),
            messages: 0,
            epochs: 0,
            pq_epochs: 0,
        };
        let he = matches!(
            cfg.format,
            Format::Twofold {
                header_encryption: true
            }
        );
        if he && start.header_keys.is_none() {
            return Err(RatchetError::Misuse("header encryption needs header keys"));
        }
        if let Some((id, ck)) = start.receiving_chain {
            r.receiving.push_front(ReceivingChain {
                ck,
                id,
                n: 0,
                skipped: VecDeque::new(),
                hk: None,
            });
        }
        match start.sending_chain {
            Some((ck, cka_message)) => {
                r.sending = Some(SendingChain {
                    ck,
                    n: 0,
                    cka_message,
                });
            }
            None if start.party == Party::Initiator => {
                // Alice's first DH ratchet step (§3.3 RatchetInitAlice).
                let ctx = SendContext::default();
                let step = r.cka.send(&ctx, rng, &mut o)?;
                let (rk, ck, nhks) = r.root(&r.rk, &step.key, "CKs", &mut o)?;
                r.rk = rk;
                r.cka = step.state;
                r.sending = Some(SendingChain {
                    ck,
                    n: 0,
                    cka_message: step.message,
                });
                r.epochs = 1;
                r.pq_epochs = u64::from(step.post_quantum);
                r.hk.nhks = nhks;
            }
            None => {}
        }
        if let Some((hka, nhkb)) = start.header_keys {
            match start.party {
                Party::Initiator => {
                    r.hk.hks = Some(hka);
                    r.hk.nhkr = Some(nhkb);
                }
                Party::Responder => {
                    r.hk.nhks = Some(nhkb);
                    r.hk.nhkr = Some(hka);
                }
            }
        }
        Ok(r)
    }

    fn header_encryption(&self) -> bool {
        matches!(
            self.cfg.format,
            Format::Twofold {
                header_encryption: true
            }
        )
    }

    /// The root KDF on `rk`: `(RK', CK, NHK)` (the last only with header
    /// encryption).
    fn root(
        &self,
        rk: &Key,
        i: &SecretBytes,
        chain: &str,
        o: &mut Obs<'_>,
    ) -> Result<(Key, Key, Option<Key>)> {
        if self.header_encryption() {
            let (rk, ck, nhk) = self.cfg.kdfs.root_he(rk, i.expose(), chain, o)?;
            Ok((rk, ck, Some(nhk)))
        } else {
            let (rk, ck) = self.cfg.kdfs.root(rk, i.expose(), chain, o)?;
            Ok((rk, ck, None))
        }
    }

    /// Which side this is.
    pub fn party(&self) -> Party {
        self.party
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Messages sent and received.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Epochs of the CKA started or received.
    pub fn epochs(&self) -> u64 {
        self.epochs
    }

    /// Epochs whose key held a KEM secret (KEM and hybrid CKAs).
    pub fn pq_epochs(&self) -> u64 {
        self.pq_epochs
    }

    /// Epochs completed by the sparse key source (0 without one).
    pub fn sparse_epochs(&self) -> u64 {
        self.sparse.as_ref().map_or(0, |s| s.epochs())
    }

    /// Skipped keys held, over every receiving chain.
    pub fn skipped_keys(&self) -> usize {
        self.receiving.iter().map(|c| c.skipped.len()).sum()
    }

    /// Receiving chains held.
    pub fn receiving_chains(&self) -> usize {
        self.receiving.len()
    }

    /// Whether this side can send (it has a sending chain).
    pub fn can_send(&self) -> bool {
        self.sending.is_some()
    }

    fn body_keys(&self, seed: &Key, salt: Option<&Key>, o: &mut Obs<'_>) -> Result<BodyKeys> {
        let len = match self.cfg.body {
            Body::Aead(a) => a.key_len() + a.nonce_len(),
            Body::SignalCbc(_) => labels::SIGNAL_MESSAGE_KEYS_LEN,
        };
        Ok(BodyKeys(self.cfg.kdfs.message_keys(seed, salt, len, o)?))
    }

    /// Encrypts `plaintext` as the next message of the sending chain.
    pub fn encrypt(
        &mut self,
        plaintext: &[u8],
        opts: &SendOptions,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<Vec<u8>> {
        if plaintext.len() > labels::MAX_PLAINTEXT_LEN {
            return Err(RatchetError::Misuse("plaintext too long"));
        }
        let mut o = Obs::new(observer, self.party);
        if o.on() {
            o.section(&format!("send {}", self.messages + 1));
        }
        let sending = self
            .sending
            .as_ref()
            .ok_or(RatchetError::Misuse("no sending chain yet: receive first"))?;
        let (seed, next_ck) = self.cfg.kdfs.chain(&sending.ck, "CKs", &mut o)?;
        let (sparse, sparse_message, salt) = match &self.sparse {
            Some(s) => {
                let step = s.send(rng, &mut o)?;
                (Some(step.state), step.message, step.key)
            }
            None => (None, Vec::new(), None),
        };
        if let Some(k) = &salt {
            o.secret("SPQR key", k.expose(), "SPQR", &[]);
        }
        let keys = self.body_keys(&seed, salt.as_ref(), &mut o)?;
        let header = Header {
            cka: sending.cka_message.clone(),
            pn: self.pn,
            n: sending.n,
            expires_at: opts.expires_at,
            sparse: sparse_message,
        };
        let message = match self.cfg.format {
            Format::Twofold { header_encryption } => {
                let hk = if header_encryption {
                    Some(
                        self.hk
                            .hks
                            .as_ref()
                            .ok_or(RatchetError::Misuse("no sending header key"))?,
                    )
                } else {
                    None
                };
                wire::seal_twofold(
                    &self.cfg, &self.ad, &header, hk, &keys.0, plaintext, rng, &mut o,
                )?
            }
            Format::Signal { version } => {
                self.seal_signal(version, &header, &keys.0, plaintext, opts.addresses, &mut o)?
            }
        };
        if o.on() {
            o.public("plaintext", plaintext, "input", &[]);
            o.wire("message", &message, &["MK", "plaintext"]);
        }
        // Commit.
        if let Some(s) = &mut self.sending {
            s.ck = next_ck;
            s.n =
                s.n.checked_add(1)
                    .ok_or(RatchetError::Misuse("sending counter exhausted"))?;
        }
        if let Some(s) = sparse {
            self.sparse = Some(s);
        }
        self.messages += 1;
        Ok(message)
    }

    fn seal_signal(
        &self,
        version: u8,
        header: &Header,
        keys: &SecretBytes,
        plaintext: &[u8],
        addresses: Option<[u8; labels::SIGNAL_ADDRESSES_LEN]>,
        o: &mut Obs<'_>,
    ) -> Result<Vec<u8>> {
        let Body::SignalCbc(cipher) = self.cfg.body else {
            return Err(RatchetError::Misuse("the signal format needs the CBC body"));
        };
        let k = keys.expose();
        let (cipher_key, mac_key, iv) = (&k[..32], &k[32..64], &k[64..80]);
        let ciphertext = cipher.encrypt(cipher_key, iv, plaintext)?;
        let m = SignalMessage {
            version,
            ratchet_key: header.cka.clone(),
            counter: header.n,
            // libsignal: the index of the last message of the previous
            // sending chain, 0 when it sent none or one.
            previous_counter: header.pn.saturating_sub(1),
            ciphertext,
            pq_ratchet: header.sparse.clone(),
            addresses: addresses.map(|a| a.to_vec()),
        };
        let mut out = m.encode_unmacced();
        let mac = self.cfg.kdfs.hmac.hmac(mac_key, &[&self.ad, &out]);
        o.public(
            "MAC",
            &mac.expose()[..labels::SIGNAL_MAC_LEN],
            "HMAC-SHA256[0..8]",
            &["MK"],
        );
        out.extend_from_slice(&mac.expose()[..labels::SIGNAL_MAC_LEN]);
        Ok(out)
    }

    /// Decrypts `message`; draws the next ratchet key from `rng` when the
    /// message opens a new epoch. On any error the ratchet is unchanged.
    pub fn decrypt(
        &mut self,
        message: &[u8],
        now: u64,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<Received> {
        let mut o = Obs::new(observer, self.party);
        if o.on() {
            o.section(&format!("receive {}", self.messages + 1));
            o.value("message", Kind::Wire, message, "received", &[]);
        }
        let parsed = match self.cfg.format {
            Format::Twofold { header_encryption } => wire::parse_twofold(
                &self.cfg,
                &self.ad,
                message,
                header_encryption,
                self.header_candidates(),
            )?,
            Format::Signal { version } => wire::parse_signal(message, version)?,
        };
        let header = &parsed.header;
        let id = self.cka.epoch_id(&header.cka)?.to_vec();
        // Find the chain, or start a new epoch.
        let known = match parsed.header_key {
            // With header encryption, the key that opened the header names
            // the chain (or the next header key, a new epoch).
            Some(wire::HeaderKeyUsed::Chain(i)) => Some(i),
            Some(wire::HeaderKeyUsed::Next) => None,
            None => self.receiving.iter().position(|c| c.id == id),
        };
        let (mut pending, seed) = match known {
            Some(i) => {
                let (update, seed) = self.chain_key_for(i, header.n, now, &mut o)?;
                (
                    Pending {
                        epoch: None,
                        chain: Some(update),
                        sparse: None,
                    },
                    seed,
                )
            }
            None => self.new_epoch(header, id, now, rng, &mut o)?,
        };
        let salt = match &self.sparse {
            Some(s) => {
                let step = s.recv(&header.sparse, &mut o)?;
                pending.sparse = Some(step.state);
                step.key
            }
            None => None,
        };
        if let Some(k) = &salt {
            o.secret("SPQR key", k.expose(), "SPQR", &[]);
        }
        let keys = self.body_keys(&seed, salt.as_ref(), &mut o)?;
        let plaintext = match self.cfg.format {
            Format::Twofold { .. } => wire::open_twofold(&self.cfg, &self.ad, &parsed, &keys.0)?,
            Format::Signal { .. } => self.open_signal(&parsed, &keys.0)?,
        };
        if let Some(t) = header.expires_at
            && now > t
        {
            return Err(RatchetError::Expired { expired_at: t, now });
        }
        o.public("plaintext", &plaintext, "open", &["MK", "message"]);
        let new_epoch = pending.epoch.is_some();
        self.commit(pending, now);
        Ok(Received {
            plaintext,
            header: parsed.header,
            new_epoch,
        })
    }

    /// The header keys to try, newest receiving chain first, then the next
    /// header key (header encryption only).
    fn header_candidates(&self) -> Vec<(wire::HeaderKeyUsed, &Key)> {
        let mut out: Vec<(wire::HeaderKeyUsed, &Key)> = self
            .receiving
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.hk.as_ref().map(|k| (wire::HeaderKeyUsed::Chain(i), k)))
            .collect();
        if let Some(k) = &self.hk.nhkr {
            out.push((wire::HeaderKeyUsed::Next, k));
        }
        out
    }

    fn open_signal(&self, parsed: &wire::Parsed<'_>, keys: &SecretBytes) -> Result<Vec<u8>> {
        let Body::SignalCbc(cipher) = self.cfg.body else {
            return Err(RatchetError::Misuse("the signal format needs the CBC body"));
        };
        let k = keys.expose();
        let (cipher_key, mac_key, iv) = (&k[..32], &k[32..64], &k[64..80]);
        // The receiver's MAC input names the sender first: our AD is
        // IK_ours || IK_theirs, so swap its halves.
        let half = self.ad.len() / 2;
        let (ours, theirs) = self.ad.split_at(half);
        let mac = self
            .cfg
            .kdfs
            .hmac
            .hmac(mac_key, &[theirs, ours, parsed.macced]);
        let expected = &mac.expose()[..labels::SIGNAL_MAC_LEN];
        if !bool::from(subtle::ConstantTimeEq::ct_eq(expected, parsed.tag)) {
            return Err(RatchetError::BadMac("SignalMessage"));
        }
        Ok(cipher.decrypt(cipher_key, iv, &parsed.body)?)
    }

    /// The seed of message `n` of receiving chain `i`, and the change.
    fn chain_key_for(
        &self,
        i: usize,
        n: u32,
        now: u64,
        o: &mut Obs<'_>,
    ) -> Result<(ChainUpdate, Key)> {
        let chain = &self.receiving[i];
        if n < chain.n {
            let pos = chain
                .skipped
                .iter()
                .position(|s| s.n == n && !self.expired(s, now))
                .ok_or(RatchetError::Duplicate { index: n })?;
            return Ok((
                ChainUpdate::Skipped(i, pos),
                chain.skipped[pos].seed.duplicate(),
            ));
        }
        let (ck, next, skipped, seed) = self.advance(&chain.ck, chain.n, n, now, o)?;
        drop(ck);
        Ok((ChainUpdate::Advanced(i, next, n + 1, skipped), seed))
    }

    fn expired(&self, s: &Skipped, now: u64) -> bool {
        self.cfg
            .limits
            .skipped_key_lifetime
            .is_some_and(|l| now > s.stored_at.saturating_add(l))
    }

    /// Walks a chain from index `from` to `to`: the keys skipped on the way
    /// (the last `max_stored_keys` of them), the seed of `to`, and the chain
    /// key after it.
    fn advance(
        &self,
        ck: &Key,
        from: u32,
        to: u32,
        now: u64,
        o: &mut Obs<'_>,
    ) -> Result<(Key, Key, Vec<Skipped>, Key)> {
        if to - from > self.cfg.limits.max_skip {
            return Err(RatchetError::TooManySkipped {
                current: from,
                requested: to,
                max_jump: self.cfg.limits.max_skip,
            });
        }
        let keep_from = to.saturating_sub(self.cfg.limits.max_stored_keys as u32);
        let mut skipped = Vec::new();
        let mut cur = ck.duplicate();
        for k in from..to {
            let (seed, next) = self.cfg.kdfs.chain(&cur, "CKr", o)?;
            if k >= keep_from {
                skipped.push(Skipped {
                    n: k,
                    seed,
                    stored_at: now,
                });
            }
            cur = next;
        }
        let (seed, next) = self.cfg.kdfs.chain(&cur, "CKr", o)?;
        Ok((cur, next, skipped, seed))
    }

    /// A message of a new epoch: the CKA receive, the receiving chain, and
    /// at once our next epoch (§3.5 DHRatchet).
    fn new_epoch(
        &self,
        header: &Header,
        id: Vec<u8>,
        now: u64,
        rng: &mut dyn CryptoRng,
        o: &mut Obs<'_>,
    ) -> Result<(Pending, Key)> {
        let recv = self.cka.receive(&header.cka, o)?;
        let (rk1, ckr, nhkr) = self.root(&self.rk, &recv.key, "CKr", o)?;
        let ctx = SendContext {
            now,
            messages: self.messages,
        };
        let send = recv.state.send(&ctx, rng, o)?;
        let (rk2, cks, nhks) = self.root(&rk1, &send.key, "CKs", o)?;
        let (_, next, skipped, seed) = self.advance(&ckr, 0, header.n, now, o)?;
        // Header keys rotate as §4.3's DHRatchetHE: HKs = NHKs, HKr = NHKr.
        let receiving = ReceivingChain {
            id,
            ck: next,
            n: header.n + 1,
            skipped: skipped.into(),
            hk: self.hk.nhkr.as_ref().map(Key::duplicate),
        };
        let hk = HeaderKeys {
            hks: self.hk.nhks.as_ref().map(Key::duplicate),
            nhks,
            nhkr,
        };
        let pn = self.sending.as_ref().map_or(0, |s| s.n);
        Ok((
            Pending {
                epoch: Some(NewEpoch {
                    pq: u64::from(recv.post_quantum) + u64::from(send.post_quantum),
                    rk: rk2,
                    cka: send.state,
                    sending: SendingChain {
                        ck: cks,
                        n: 0,
                        cka_message: send.message,
                    },
                    receiving,
                    pn,
                    hk,
                }),
                chain: None,
                sparse: None,
            },
            seed,
        ))
    }

    fn commit(&mut self, p: Pending, now: u64) {
        if let Some(e) = p.epoch {
            self.rk = e.rk;
            self.cka = e.cka;
            self.sending = Some(e.sending);
            self.pn = e.pn;
            self.hk = e.hk;
            self.receiving.push_front(e.receiving);
            self.receiving
                .truncate(self.cfg.limits.max_receiving_chains);
            self.epochs += 2;
            self.pq_epochs += e.pq;
        }
        match p.chain {
            Some(ChainUpdate::Skipped(i, pos)) => {
                self.receiving[i].skipped.remove(pos);
            }
            Some(ChainUpdate::Advanced(i, ck, n, skipped)) => {
                let c = &mut self.receiving[i];
                c.ck = ck;
                c.n = n;
                c.skipped.extend(skipped);
            }
            None => {}
        }
        let max = self.cfg.limits.max_stored_keys;
        let lifetime = self.cfg.limits.skipped_key_lifetime;
        for c in &mut self.receiving {
            while c.skipped.len() > max {
                c.skipped.pop_front();
            }
            if let Some(l) = lifetime {
                c.skipped.retain(|s| now <= s.stored_at.saturating_add(l));
            }
        }
        if let Some(s) = p.sparse {
            self.sparse = Some(s);
        }
        self.messages += 1;
    }
}
