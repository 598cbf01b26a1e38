//! The sparse continuous key agreement (SCKA) of the ML-KEM Braid, chunked
//! as it goes on the wire (`spqr` v1.5.3 `src/v1/chunked/send_ek.rs`,
//! `send_ct.rs`, `states.rs`; the whole-value steps of
//! `src/v1/unchunked/send_ek.rs` and `send_ct.rs`).
//!
//! Each epoch one party is *send_ek* (it samples an ML-KEM-768 key pair and
//! sends the key) and the other *send_ct* (it encapsulates to that key);
//! the roles swap every epoch. The initiator starts as send_ek in
//! `KeysUnsampled(1)`, the responder as send_ct in `NoHeaderReceived(1)`.
//!
//! ```text
//! send_ek  KeysUnsampled   send: keygen, MAC the header     -> KeysSampled      [Hdr 0]
//!          KeysSampled     send: next header chunk                               [Hdr]
//!                          recv: first Ct1 chunk            -> HeaderSent
//!          HeaderSent      send: next key-vector chunk                           [Ek]
//!                          recv: Ct1 chunk, ct1 complete    -> Ct1Received
//!          Ct1Received     send: next key-vector chunk                           [EkCt1Ack]
//!                          recv: first Ct2 chunk            -> EkSentCt1Received
//!          EkSentCt1Received send:                                               [Ct1Ack]
//!                          recv: Ct2 chunk, ct2 complete: decapsulate, S_e, update the
//!                                authenticator, check the ciphertext MAC -> NoHeaderReceived(e + 1)
//! send_ct  NoHeaderReceived send:                                                [None]
//!                          recv: Hdr chunk, header complete, MAC checked -> HeaderReceived
//!          HeaderReceived  send: encapsulate1, S_e, update the authenticator -> Ct1Sampled [Ct1 0]
//!          Ct1Sampled      send: next ct1 chunk                                  [Ct1]
//!                          recv: Ek/EkCt1Ack chunk: key vector complete and acknowledged
//!                                -> Ct2Sampled, complete -> EkReceivedCt1Sampled,
//!                                acknowledged -> Ct1Acknowledged
//!          EkReceivedCt1Sampled send: next ct1 chunk                             [Ct1]
//!                          recv: Ct1Ack or EkCt1Ack         -> Ct2Sampled
//!          Ct1Acknowledged send:                                                 [None]
//!                          recv: Ek/EkCt1Ack chunk, key vector complete -> Ct2Sampled
//!          Ct2Sampled      send: next chunk of ct2 || MAC                        [Ct2]
//!                          recv: any message of epoch e + 1 -> KeysUnsampled(e + 1)
//! ```
//!
//! When the key vector is complete the send_ct side checks it against the
//! header (the header's hash of the whole key, and the FIPS 203 modulus
//! check; [`RatchetError::InvalidPeerValue`] otherwise). Once it is complete
//! and ct1 acknowledged, `ct2 = encapsulate2(state, ek)` and
//! `MAC = mac_ct(e, ct1 || ct2)` are computed.
//!
//! A received message of a later epoch than the state's is
//! [`RatchetError::EpochOutOfRange`] (but for `Ct2Sampled`, which moves on
//! when the peer reaches `e + 1`); a message of an earlier epoch, and a
//! payload the state does not wait for, leave the state as it was.
//!
//! The epoch secret `S_e = HKDF(0^32, ss, "...:SCKA Key" || BE64(e), 32)`
//! comes out on the send_ct side when it sends its first ct1 chunk, and on
//! the send_ek side when the last ct2 chunk it needs arrives.
//!
//! Values travel erasure-coded ([`super::erasure`]): header and MAC in 3
//! chunks, key vector in 36, ct1 in 30, ct2 and MAC in 5. A sender emits
//! chunk 0, 1, 2, ... of its current value, one per message, wrapping after
//! 65 535 as deployed; any `k` distinct chunks rebuild the value.
//!
//! Chunks are not authenticated one by one. A corrupted chunk is caught
//! when its value completes: by the header MAC, the header's hash of the
//! key vector, or the ciphertext MAC (a corrupted ct1 decapsulates to
//! another secret, so the MAC under the updated authenticator fails). The
//! receiver keeps the first chunk of each index, so a value that failed
//! stays failed. This is the deployed design: libsignal authenticates the
//! whole SPQR message inside its message MAC and commits a state only
//! after that MAC verifies.

use twofold_core::{CryptoRng, Obs, SecretBytes, check_len};

use super::Reader;
use super::authenticator::Authenticator;
use super::chain::{Key, epoch_secret};
use super::erasure::{Chunk, Decoder, Encoder};
use super::labels::{
    CHUNK_DATA_LEN, CT1_LEN, CT2_LEN, CT2_WITH_MAC_LEN, EK_VECTOR_LEN, HDR_LEN, HDR_WITH_MAC_LEN,
};
use super::state::SpqrPrimitives;
use super::wire::{Message, Payload};
use crate::{RatchetError, Result};

/// Purpose under which the 64 key-generation coins `d || z` are drawn.
pub const KEYGEN_COINS: &str = "SPQR keygen coins";
/// Purpose under which the 32 encapsulation coins `m` are drawn.
pub const ENCAPS_COINS: &str = "SPQR encaps1 coins";

/// Which half of the Braid a party runs in its current epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Samples the key pair and sends header and key vector.
    SendEk,
    /// Encapsulates and sends the two ciphertext halves.
    SendCt,
}

/// The name of an SCKA state, as the deployed code names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // The names are the documentation; see the module table.
pub enum SckaState {
    KeysUnsampled,
    KeysSampled,
    HeaderSent,
    Ct1Received,
    EkSentCt1Received,
    NoHeaderReceived,
    HeaderReceived,
    Ct1Sampled,
    EkReceivedCt1Sampled,
    Ct1Acknowledged,
    Ct2Sampled,
}

impl SckaState {
    /// The role a party in this state plays.
    pub fn role(self) -> Role {
        match self {
            SckaState::KeysUnsampled
            | SckaState::KeysSampled
            | SckaState::HeaderSent
            | SckaState::Ct1Received
            | SckaState::EkSentCt1Received => Role::SendEk,
            _ => Role::SendCt,
        }
    }

    /// The newest epoch a party's chain holds in this state at SCKA epoch
    /// `epoch`: the send_ct side has epoch `epoch`'s secret from its first
    /// ct1 chunk on, everyone else only the epochs before.
    pub fn chain_epoch(self, epoch: u64) -> Option<u64> {
        match self {
            SckaState::Ct1Sampled
            | SckaState::EkReceivedCt1Sampled
            | SckaState::Ct1Acknowledged
            | SckaState::Ct2Sampled => Some(epoch),
            _ => epoch.checked_sub(1),
        }
    }
}

/// An epoch secret the Braid agreed on.
pub(crate) struct EpochSecret {
    pub epoch: u64,
    pub secret: Key,
}

/// A value being sent one chunk a message: the value (public) and the index
/// of the next chunk.
pub(crate) struct Sending {
    value: Vec<u8>,
    next: u16,
}

impl Sending {
    fn new(value: Vec<u8>) -> Self {
        Self { value, next: 0 }
    }

    /// The next chunk, and the sender that follows it. Parity chunks are
    /// computed afresh each time; they are only needed past the systematic
    /// chunks, when the peer lost messages.
    fn chunk(self) -> Result<(Self, Chunk)> {
        let chunk = Encoder::new(&self.value)?.chunk(self.next);
        let next = self.next.wrapping_add(1);
        Ok((
            Self {
                value: self.value,
                next,
            },
            chunk,
        ))
    }

    fn duplicate(&self) -> Self {
        Self {
            value: self.value.clone(),
            next: self.next,
        }
    }
}

/// The epoch and the authenticator, held by every state.
pub(crate) struct Common {
    epoch: u64,
    auth: Authenticator,
}

/// The SCKA state of one party.
pub(crate) enum Scka {
    KeysUnsampled {
        c: Common,
    },
    KeysSampled {
        c: Common,
        ek: Vec<u8>,
        dk: SecretBytes,
        hdr: Sending,
    },
    HeaderSent {
        c: Common,
        dk: SecretBytes,
        ek: Sending,
        ct1: Decoder,
    },
    Ct1Received {
        c: Common,
        dk: SecretBytes,
        ct1: Vec<u8>,
        ek: Sending,
    },
    EkSentCt1Received {
        c: Common,
        dk: SecretBytes,
        ct1: Vec<u8>,
        ct2: Decoder,
    },
    NoHeaderReceived {
        c: Common,
        hdr: Decoder,
    },
    HeaderReceived {
        c: Common,
        hdr: Vec<u8>,
        ek: Decoder,
    },
    Ct1Sampled {
        c: Common,
        hdr: Vec<u8>,
        es: SecretBytes,
        ct1: Sending,
        ek: Decoder,
    },
    EkReceivedCt1Sampled {
        c: Common,
        es: SecretBytes,
        ek: Vec<u8>,
        ct1: Sending,
    },
    Ct1Acknowledged {
        c: Common,
        hdr: Vec<u8>,
        es: SecretBytes,
        ct1: Vec<u8>,
        ek: Decoder,
    },
    Ct2Sampled {
        c: Common,
        ct2: Sending,
    },
}

/// What one send produced.
pub(crate) struct Sent {
    pub state: Scka,
    pub epoch: u64,
    pub payload: Payload,
    pub secret: Option<EpochSecret>,
}

/// A decoder for a value of `len` bytes (every length used is valid).
fn decoder(len: usize) -> Result<Decoder> {
    Decoder::new(len)
}

/// Reports the authenticator's keys after an update with `input`.
fn report_auth(auth: &Authenticator, input: &str, obs: &mut Obs<'_>) {
    if obs.on() {
        let inputs = ["SPQR auth root_key", input];
        obs.secret(
            "SPQR auth mac_key",
            auth.mac_key().expose(),
            "HKDF-SHA256",
            &inputs,
        );
        obs.secret(
            "SPQR auth root_key",
            auth.root_key().expose(),
            "HKDF-SHA256",
            &inputs,
        );
    }
}

/// `S_e` from the shared secret, and the authenticator updated with it
/// (both sides do these two steps in this order).
fn agree(
    p: &SpqrPrimitives,
    c: &mut Common,
    ss: &SecretBytes,
    obs: &mut Obs<'_>,
) -> Result<EpochSecret> {
    let epoch = c.epoch;
    let secret = epoch_secret(p.kdf, epoch, ss.expose())?;
    c.auth.update(epoch, &secret)?;
    if obs.on() {
        let name = format!("SPQR epoch secret {epoch}");
        obs.secret(
            &name,
            secret.expose(),
            "HKDF-SHA256",
            &[&format!("SPQR ss {epoch}")],
        );
        report_auth(&c.auth, &name, obs);
    }
    Ok(EpochSecret { epoch, secret })
}

/// Reports a value rebuilt from received chunks (`what` and the epoch name
/// it, as the sender named it).
fn report_decoded(what: &str, epoch: u64, bytes: &[u8], obs: &mut Obs<'_>) {
    if obs.on() {
        obs.public(
            &format!("SPQR {what} {epoch}"),
            bytes,
            "erasure decode",
            &[],
        );
    }
}

impl Scka {
    /// The initial state of the initiator (`send_ek`, `KeysUnsampled(1)`)
    /// or of the responder (`send_ct`, `NoHeaderReceived(1)`), with the
    /// authenticator started from the session's auth key at epoch 1.
    pub fn initial(
        p: &SpqrPrimitives,
        auth_key: &Key,
        role: Role,
        obs: &mut Obs<'_>,
    ) -> Result<Self> {
        let auth = Authenticator::new(p.kdf, p.hmac, auth_key, 1)?;
        report_auth(&auth, "SPQR auth key", obs);
        let c = Common { epoch: 1, auth };
        Ok(match role {
            Role::SendEk => Scka::KeysUnsampled { c },
            Role::SendCt => Scka::NoHeaderReceived {
                c,
                hdr: decoder(HDR_WITH_MAC_LEN)?,
            },
        })
    }

    fn common(&self) -> &Common {
        match self {
            Scka::KeysUnsampled { c }
            | Scka::KeysSampled { c, .. }
            | Scka::HeaderSent { c, .. }
            | Scka::Ct1Received { c, .. }
            | Scka::EkSentCt1Received { c, .. }
            | Scka::NoHeaderReceived { c, .. }
            | Scka::HeaderReceived { c, .. }
            | Scka::Ct1Sampled { c, .. }
            | Scka::EkReceivedCt1Sampled { c, .. }
            | Scka::Ct1Acknowledged { c, .. }
            | Scka::Ct2Sampled { c, .. } => c,
        }
    }

    /// The current epoch (from 1).
    pub fn epoch(&self) -> u64 {
        self.common().epoch
    }

    /// The state's name.
    pub fn name(&self) -> SckaState {
        match self {
            Scka::KeysUnsampled { .. } => SckaState::KeysUnsampled,
            Scka::KeysSampled { .. } => SckaState::KeysSampled,
            Scka::HeaderSent { .. } => SckaState::HeaderSent,
            Scka::Ct1Received { .. } => SckaState::Ct1Received,
            Scka::EkSentCt1Received { .. } => SckaState::EkSentCt1Received,
            Scka::NoHeaderReceived { .. } => SckaState::NoHeaderReceived,
            Scka::HeaderReceived { .. } => SckaState::HeaderReceived,
            Scka::Ct1Sampled { .. } => SckaState::Ct1Sampled,
            Scka::EkReceivedCt1Sampled { .. } => SckaState::EkReceivedCt1Sampled,
            Scka::Ct1Acknowledged { .. } => SckaState::Ct1Acknowledged,
            Scka::Ct2Sampled { .. } => SckaState::Ct2Sampled,
        }
    }

    /// An explicit copy, secrets included.
    pub fn duplicate(&self, p: &SpqrPrimitives) -> Result<Self> {
        let c = {
            let c = self.common();
            Common {
                epoch: c.epoch,
                auth: Authenticator::from_keys(
                    p.kdf,
                    p.hmac,
                    c.auth.root_key().duplicate(),
                    c.auth.mac_key().duplicate(),
                )?,
            }
        };
        Ok(match self {
            Scka::KeysUnsampled { .. } => Scka::KeysUnsampled { c },
            Scka::KeysSampled { ek, dk, hdr, .. } => Scka::KeysSampled {
                c,
                ek: ek.clone(),
                dk: dk.duplicate(),
                hdr: hdr.duplicate(),
            },
            Scka::HeaderSent { dk, ek, ct1, .. } => Scka::HeaderSent {
                c,
                dk: dk.duplicate(),
                ek: ek.duplicate(),
                ct1: ct1.clone(),
            },
            Scka::Ct1Received { dk, ct1, ek, .. } => Scka::Ct1Received {
                c,
                dk: dk.duplicate(),
                ct1: ct1.clone(),
                ek: ek.duplicate(),
            },
            Scka::EkSentCt1Received { dk, ct1, ct2, .. } => Scka::EkSentCt1Received {
                c,
                dk: dk.duplicate(),
                ct1: ct1.clone(),
                ct2: ct2.clone(),
            },
            Scka::NoHeaderReceived { hdr, .. } => Scka::NoHeaderReceived {
                c,
                hdr: hdr.clone(),
            },
            Scka::HeaderReceived { hdr, ek, .. } => Scka::HeaderReceived {
                c,
                hdr: hdr.clone(),
                ek: ek.clone(),
            },
            Scka::Ct1Sampled {
                hdr, es, ct1, ek, ..
            } => Scka::Ct1Sampled {
                c,
                hdr: hdr.clone(),
                es: es.duplicate(),
                ct1: ct1.duplicate(),
                ek: ek.clone(),
            },
            Scka::EkReceivedCt1Sampled { es, ek, ct1, .. } => Scka::EkReceivedCt1Sampled {
                c,
                es: es.duplicate(),
                ek: ek.clone(),
                ct1: ct1.duplicate(),
            },
            Scka::Ct1Acknowledged {
                hdr, es, ct1, ek, ..
            } => Scka::Ct1Acknowledged {
                c,
                hdr: hdr.clone(),
                es: es.duplicate(),
                ct1: ct1.clone(),
                ek: ek.clone(),
            },
            Scka::Ct2Sampled { ct2, .. } => Scka::Ct2Sampled {
                c,
                ct2: ct2.duplicate(),
            },
        })
    }

    /// One outgoing message's payload. Draws 64 bytes (`d || z`) in
    /// `KeysUnsampled` and 32 bytes (`m`) in `HeaderReceived`, nothing
    /// otherwise.
    pub fn send(
        self,
        p: &SpqrPrimitives,
        rng: &mut dyn CryptoRng,
        obs: &mut Obs<'_>,
    ) -> Result<Sent> {
        let epoch = self.epoch();
        let mut secret = None;
        let (state, payload) = match self {
            Scka::KeysUnsampled { c } => {
                let mut coins = SecretBytes::zeroed(p.kem.sizes().keygen_coins);
                obs.rng(rng, KEYGEN_COINS).fill_bytes(coins.expose_mut());
                let (hdr, ek, dk) = p.kem.generate_derand(coins.expose())?;
                check_len("ML-KEM-768 header", &hdr, HDR_LEN)?;
                check_len("ML-KEM-768 key vector", &ek, EK_VECTOR_LEN)?;
                let mac = c.auth.mac_hdr(epoch, &hdr)?;
                if obs.on() {
                    let op = p.kem.name();
                    obs.public(&format!("SPQR hdr {epoch}"), &hdr, op, &[KEYGEN_COINS]);
                    obs.public(&format!("SPQR ek {epoch}"), &ek, op, &[KEYGEN_COINS]);
                    obs.secret(
                        &format!("SPQR dk {epoch}"),
                        dk.expose(),
                        op,
                        &[KEYGEN_COINS],
                    );
                    obs.public(
                        &format!("SPQR hdr mac {epoch}"),
                        &mac,
                        "HMAC-SHA256",
                        &["SPQR auth mac_key", &format!("SPQR hdr {epoch}")],
                    );
                }
                let (hdr, chunk) = Sending::new([hdr, mac.to_vec()].concat()).chunk()?;
                (Scka::KeysSampled { c, ek, dk, hdr }, Payload::Hdr(chunk))
            }
            Scka::KeysSampled { c, ek, dk, hdr } => {
                let (hdr, chunk) = hdr.chunk()?;
                (Scka::KeysSampled { c, ek, dk, hdr }, Payload::Hdr(chunk))
            }
            Scka::HeaderSent { c, dk, ek, ct1 } => {
                let (ek, chunk) = ek.chunk()?;
                (Scka::HeaderSent { c, dk, ek, ct1 }, Payload::Ek(chunk))
            }
            Scka::Ct1Received { c, dk, ct1, ek } => {
                let (ek, chunk) = ek.chunk()?;
                (
                    Scka::Ct1Received { c, dk, ct1, ek },
                    Payload::EkCt1Ack(chunk),
                )
            }
            s @ Scka::EkSentCt1Received { .. } => (s, Payload::Ct1Ack),
            s @ Scka::NoHeaderReceived { .. } => (s, Payload::None),
            Scka::HeaderReceived { mut c, hdr, ek } => {
                let mut m = SecretBytes::zeroed(p.kem.sizes().encaps_coins);
                obs.rng(rng, ENCAPS_COINS).fill_bytes(m.expose_mut());
                let (ct1, es, ss) = p.kem.encapsulate1_derand(&hdr, m.expose())?;
                check_len("ML-KEM-768 ct1", &ct1, CT1_LEN)?;
                if obs.on() {
                    let op = p.kem.name();
                    let inputs = [&format!("SPQR hdr {epoch}"), ENCAPS_COINS];
                    obs.public(&format!("SPQR ct1 {epoch}"), &ct1, op, &inputs);
                    obs.secret(&format!("SPQR ss {epoch}"), ss.expose(), op, &inputs);
                }
                secret = Some(agree(p, &mut c, &ss, obs)?);
                let (ct1, chunk) = Sending::new(ct1).chunk()?;
                (
                    Scka::Ct1Sampled {
                        c,
                        hdr,
                        es,
                        ct1,
                        ek,
                    },
                    Payload::Ct1(chunk),
                )
            }
            Scka::Ct1Sampled {
                c,
                hdr,
                es,
                ct1,
                ek,
                ..
            } => {
                let (ct1, chunk) = ct1.chunk()?;
                (
                    Scka::Ct1Sampled {
                        c,
                        hdr,
                        es,
                        ct1,
                        ek,
                    },
                    Payload::Ct1(chunk),
                )
            }
            Scka::EkReceivedCt1Sampled { c, es, ek, ct1 } => {
                let (ct1, chunk) = ct1.chunk()?;
                (
                    Scka::EkReceivedCt1Sampled { c, es, ek, ct1 },
                    Payload::Ct1(chunk),
                )
            }
            s @ Scka::Ct1Acknowledged { .. } => (s, Payload::None),
            Scka::Ct2Sampled { c, ct2 } => {
                let (ct2, chunk) = ct2.chunk()?;
                (Scka::Ct2Sampled { c, ct2 }, Payload::Ct2(chunk))
            }
        };
        Ok(Sent {
            state,
            epoch,
            payload,
            secret,
        })
    }

    /// Takes in one received message. On error the caller keeps the state
    /// it had (this one is consumed: callers pass a duplicate).
    pub fn recv(
        self,
        p: &SpqrPrimitives,
        msg: &Message,
        obs: &mut Obs<'_>,
    ) -> Result<(Self, Option<EpochSecret>)> {
        let epoch = self.epoch();
        if msg.epoch > epoch {
            return match self {
                Scka::Ct2Sampled { c, .. } if epoch.checked_add(1) == Some(msg.epoch) => Ok((
                    Scka::KeysUnsampled {
                        c: Common {
                            epoch: msg.epoch,
                            auth: c.auth,
                        },
                    },
                    None,
                )),
                _ => Err(RatchetError::EpochOutOfRange { epoch: msg.epoch }),
            };
        }
        if msg.epoch < epoch {
            return Ok((self, None));
        }
        let mut secret = None;
        let state = match (self, &msg.payload) {
            (Scka::KeysSampled { c, ek, dk, .. }, Payload::Ct1(chunk)) => {
                // The peer has the header: move on to the key vector.
                let mut ct1 = decoder(CT1_LEN)?;
                ct1.add(*chunk);
                Scka::HeaderSent {
                    c,
                    dk,
                    ek: Sending::new(ek),
                    ct1,
                }
            }
            (Scka::HeaderSent { c, dk, ek, mut ct1 }, Payload::Ct1(chunk)) => {
                ct1.add(*chunk);
                match ct1.message() {
                    Some(ct1) => {
                        report_decoded("ct1", epoch, &ct1, obs);
                        Scka::Ct1Received { c, dk, ct1, ek }
                    }
                    None => Scka::HeaderSent { c, dk, ek, ct1 },
                }
            }
            (Scka::Ct1Received { c, dk, ct1, .. }, Payload::Ct2(chunk)) => {
                let mut ct2 = decoder(CT2_WITH_MAC_LEN)?;
                ct2.add(*chunk);
                Scka::EkSentCt1Received { c, dk, ct1, ct2 }
            }
            (
                Scka::EkSentCt1Received {
                    mut c,
                    dk,
                    ct1,
                    mut ct2,
                },
                Payload::Ct2(chunk),
            ) => {
                ct2.add(*chunk);
                match ct2.message() {
                    Some(ct2_mac) => {
                        let (ct2, mac) = ct2_mac.split_at(CT2_LEN);
                        report_decoded("ct2", epoch, ct2, obs);
                        let ss = p.kem.decapsulate(dk.expose(), &ct1, ct2)?;
                        if obs.on() {
                            obs.secret(
                                &format!("SPQR ss {epoch}"),
                                ss.expose(),
                                "decaps",
                                &[
                                    &format!("SPQR dk {epoch}"),
                                    &format!("SPQR ct1 {epoch}"),
                                    &format!("SPQR ct2 {epoch}"),
                                ],
                            );
                        }
                        // As deployed: the authenticator takes the new
                        // secret first, and its new MAC key checks the MAC.
                        let s = agree(p, &mut c, &ss, obs)?;
                        c.auth.verify_ct(epoch, &[&ct1[..], ct2].concat(), mac)?;
                        secret = Some(s);
                        Scka::NoHeaderReceived {
                            c: Common {
                                epoch: next_epoch(epoch)?,
                                auth: c.auth,
                            },
                            hdr: decoder(HDR_WITH_MAC_LEN)?,
                        }
                    }
                    None => Scka::EkSentCt1Received { c, dk, ct1, ct2 },
                }
            }
            (Scka::NoHeaderReceived { c, mut hdr }, Payload::Hdr(chunk)) => {
                hdr.add(*chunk);
                match hdr.message() {
                    Some(hdr_mac) => {
                        let (hdr, mac) = hdr_mac.split_at(HDR_LEN);
                        c.auth.verify_hdr(epoch, hdr, mac)?;
                        report_decoded("hdr", epoch, hdr, obs);
                        Scka::HeaderReceived {
                            c,
                            hdr: hdr.to_vec(),
                            ek: decoder(EK_VECTOR_LEN)?,
                        }
                    }
                    None => Scka::NoHeaderReceived { c, hdr },
                }
            }
            (
                Scka::Ct1Sampled {
                    c,
                    hdr,
                    es,
                    ct1,
                    mut ek,
                },
                Payload::Ek(chunk) | Payload::EkCt1Ack(chunk),
            ) => {
                let acknowledged = matches!(msg.payload, Payload::EkCt1Ack(_));
                ek.add(*chunk);
                match (ek.message(), acknowledged) {
                    (Some(ek), true) => {
                        check_ek(p, epoch, &hdr, &ek, obs)?;
                        send_ct2(p, c, &es, &ek, &ct1.value, obs)?
                    }
                    (Some(ek), false) => {
                        check_ek(p, epoch, &hdr, &ek, obs)?;
                        Scka::EkReceivedCt1Sampled { c, es, ek, ct1 }
                    }
                    (None, true) => Scka::Ct1Acknowledged {
                        c,
                        hdr,
                        es,
                        ct1: ct1.value,
                        ek,
                    },
                    (None, false) => Scka::Ct1Sampled {
                        c,
                        hdr,
                        es,
                        ct1,
                        ek,
                    },
                }
            }
            (
                Scka::EkReceivedCt1Sampled { c, es, ek, ct1 },
                Payload::Ct1Ack | Payload::EkCt1Ack(_),
            ) => send_ct2(p, c, &es, &ek, &ct1.value, obs)?,
            (
                Scka::Ct1Acknowledged {
                    c,
                    hdr,
                    es,
                    ct1,
                    mut ek,
                },
                Payload::Ek(chunk) | Payload::EkCt1Ack(chunk),
            ) => {
                // Out of order, a plain Ek chunk can still arrive here.
                ek.add(*chunk);
                match ek.message() {
                    Some(ek) => {
                        check_ek(p, epoch, &hdr, &ek, obs)?;
                        send_ct2(p, c, &es, &ek, &ct1, obs)?
                    }
                    None => Scka::Ct1Acknowledged {
                        c,
                        hdr,
                        es,
                        ct1,
                        ek,
                    },
                }
            }
            // Every other payload of this epoch is not one the state waits
            // for (the send_ek side sends no key-vector chunk before it has
            // a ct1 chunk, so `HeaderReceived` waits for nothing).
            (state, _) => state,
        };
        Ok((state, secret))
    }
}

/// `e + 1`, or the error for an epoch counter at its end.
fn next_epoch(epoch: u64) -> Result<u64> {
    epoch
        .checked_add(1)
        .ok_or(RatchetError::EpochOutOfRange { epoch })
}

/// The key vector, rebuilt, checked against the header it follows.
fn check_ek(
    p: &SpqrPrimitives,
    epoch: u64,
    hdr: &[u8],
    ek: &[u8],
    obs: &mut Obs<'_>,
) -> Result<()> {
    p.kem
        .check_ek_vector(hdr, ek)
        .map_err(|_| RatchetError::InvalidPeerValue("SPQR key vector"))?;
    report_decoded("ek", epoch, ek, obs);
    Ok(())
}

/// The second half of encapsulation and the ciphertext MAC: the state that
/// sends `ct2 || MAC`.
fn send_ct2(
    p: &SpqrPrimitives,
    c: Common,
    es: &SecretBytes,
    ek: &[u8],
    ct1: &[u8],
    obs: &mut Obs<'_>,
) -> Result<Scka> {
    let epoch = c.epoch;
    let ct2 = p.kem.encapsulate2(es.expose(), ek)?;
    check_len("ML-KEM-768 ct2", &ct2, CT2_LEN)?;
    let mac = c.auth.mac_ct(epoch, &[ct1, &ct2].concat())?;
    if obs.on() {
        let ct2_name = format!("SPQR ct2 {epoch}");
        obs.public(
            &ct2_name,
            &ct2,
            p.kem.name(),
            &[&format!("SPQR ek {epoch}"), ENCAPS_COINS],
        );
        obs.public(
            &format!("SPQR ct mac {epoch}"),
            &mac,
            "HMAC-SHA256",
            &["SPQR auth mac_key", &format!("SPQR ct1 {epoch}"), &ct2_name],
        );
    }
    Ok(Scka::Ct2Sampled {
        c,
        ct2: Sending::new([ct2, mac.to_vec()].concat()),
    })
}

// ---------------------------------------------------------------------------
// Serialization
// ---------------------------------------------------------------------------

/// Appends a sender: `next (2) || value`.
fn put_sending(out: &mut Vec<u8>, s: &Sending) {
    out.extend_from_slice(&s.next.to_be_bytes());
    out.extend_from_slice(&s.value);
}

/// Appends a decoder: `n (2) || n × (index (2) || data (32))`, by index.
fn put_decoder(out: &mut Vec<u8>, d: &Decoder) {
    // A decoder in a state holds fewer chunks than its value needs (at most
    // 36), else the state would have moved on.
    out.extend_from_slice(&(d.chunks_held() as u16).to_be_bytes());
    for c in d.chunks() {
        out.extend_from_slice(&c.index.to_be_bytes());
        out.extend_from_slice(&c.data);
    }
}

fn get_sending(r: &mut Reader<'_>, len: usize) -> Result<Sending> {
    let next = r.u16()?;
    let value = r.bytes(len)?.to_vec();
    Ok(Sending { value, next })
}

fn get_decoder(r: &mut Reader<'_>, len: usize) -> Result<Decoder> {
    let mut d = decoder(len)?;
    let n = usize::from(r.u16()?);
    if n >= d.chunks_needed() {
        return Err(MALFORMED);
    }
    let mut last = None;
    for _ in 0..n {
        let index = r.u16()?;
        let data = r.take()?;
        if last.is_some_and(|l| index <= l) || !d.add(Chunk { index, data }) {
            return Err(MALFORMED);
        }
        last = Some(index);
    }
    Ok(d)
}

fn get_secret(r: &mut Reader<'_>, len: usize) -> Result<SecretBytes> {
    Ok(SecretBytes::from_slice(r.bytes(len)?))
}

const MALFORMED: RatchetError = RatchetError::Malformed("SPQR SCKA state");

impl Scka {
    /// Appends the state (it holds secrets: the caller's buffer becomes a
    /// [`SecretBytes`]). All integers big-endian:
    ///
    /// ```text
    /// state (1): 0 KeysUnsampled .. 4 EkSentCt1Received, 5 NoHeaderReceived .. 10 Ct2Sampled
    /// epoch (8) | authenticator root key (32) | MAC key (32)
    /// then, by state (a sender is next chunk index (2) || value; a decoder is
    /// n (2) || n × (chunk index (2) || 32 bytes), indices increasing, n < k):
    ///   KeysSampled          ek (1152) | dk | sender of hdr || MAC (96)
    ///   HeaderSent           dk | sender of ek (1152) | decoder of ct1 (960)
    ///   Ct1Received          dk | ct1 (960) | sender of ek (1152)
    ///   EkSentCt1Received    dk | ct1 (960) | decoder of ct2 || MAC (160)
    ///   NoHeaderReceived     decoder of hdr || MAC (96)
    ///   HeaderReceived       hdr (64) | decoder of ek (1152)
    ///   Ct1Sampled           hdr (64) | es | sender of ct1 (960) | decoder of ek (1152)
    ///   EkReceivedCt1Sampled es | ek (1152) | sender of ct1 (960)
    ///   Ct1Acknowledged      hdr (64) | es | ct1 (960) | decoder of ek (1152)
    ///   Ct2Sampled           sender of ct2 || MAC (160)
    /// ```
    ///
    /// `dk` and `es` have the lengths the KEM backend gives (ML-KEM-768 from
    /// libcrux: 2400 and 2080).
    pub fn write(&self, out: &mut Vec<u8>) {
        // Room for the largest state up front, so that no secret is left
        // behind in a buffer that grew.
        out.reserve(self.max_len());
        out.push(self.name() as u8);
        let c = self.common();
        out.extend_from_slice(&c.epoch.to_be_bytes());
        out.extend_from_slice(c.auth.root_key().expose());
        out.extend_from_slice(c.auth.mac_key().expose());
        match self {
            Scka::KeysUnsampled { .. } => {}
            Scka::KeysSampled { ek, dk, hdr, .. } => {
                out.extend_from_slice(ek);
                out.extend_from_slice(dk.expose());
                put_sending(out, hdr);
            }
            Scka::HeaderSent { dk, ek, ct1, .. } => {
                out.extend_from_slice(dk.expose());
                put_sending(out, ek);
                put_decoder(out, ct1);
            }
            Scka::Ct1Received { dk, ct1, ek, .. } => {
                out.extend_from_slice(dk.expose());
                out.extend_from_slice(ct1);
                put_sending(out, ek);
            }
            Scka::EkSentCt1Received { dk, ct1, ct2, .. } => {
                out.extend_from_slice(dk.expose());
                out.extend_from_slice(ct1);
                put_decoder(out, ct2);
            }
            Scka::NoHeaderReceived { hdr, .. } => put_decoder(out, hdr),
            Scka::HeaderReceived { hdr, ek, .. } => {
                out.extend_from_slice(hdr);
                put_decoder(out, ek);
            }
            Scka::Ct1Sampled {
                hdr, es, ct1, ek, ..
            } => {
                out.extend_from_slice(hdr);
                out.extend_from_slice(es.expose());
                put_sending(out, ct1);
                put_decoder(out, ek);
            }
            Scka::EkReceivedCt1Sampled { es, ek, ct1, .. } => {
                out.extend_from_slice(es.expose());
                out.extend_from_slice(ek);
                put_sending(out, ct1);
            }
            Scka::Ct1Acknowledged {
                hdr, es, ct1, ek, ..
            } => {
                out.extend_from_slice(hdr);
                out.extend_from_slice(es.expose());
                out.extend_from_slice(ct1);
                put_decoder(out, ek);
            }
            Scka::Ct2Sampled { ct2, .. } => put_sending(out, ct2),
        }
    }

    /// An upper bound of the length [`Scka::write`] appends.
    fn max_len(&self) -> usize {
        let dk_or_es = match self {
            Scka::KeysSampled { dk, .. }
            | Scka::HeaderSent { dk, .. }
            | Scka::Ct1Received { dk, .. }
            | Scka::EkSentCt1Received { dk, .. } => dk.len(),
            Scka::Ct1Sampled { es, .. }
            | Scka::EkReceivedCt1Sampled { es, .. }
            | Scka::Ct1Acknowledged { es, .. } => es.len(),
            _ => 0,
        };
        let chunks = EK_VECTOR_LEN / CHUNK_DATA_LEN * (2 + CHUNK_DATA_LEN);
        1 + 8 + 64 + dk_or_es + HDR_LEN + EK_VECTOR_LEN + CT1_LEN + 2 + 2 + chunks
    }

    /// Reads what [`Scka::write`] wrote; [`RatchetError::Malformed`] on a
    /// truncated or inconsistent state.
    pub(super) fn read(p: &SpqrPrimitives, r: &mut Reader<'_>) -> Result<Self> {
        let tag = r.u8()?;
        let epoch = r.u64()?;
        if epoch == 0 {
            return Err(MALFORMED);
        }
        let auth = Authenticator::from_keys(p.kdf, p.hmac, r.key()?, r.key()?)?;
        let c = Common { epoch, auth };
        let sizes = p.kem.sizes();
        Ok(match tag {
            0 => Scka::KeysUnsampled { c },
            1 => Scka::KeysSampled {
                c,
                ek: r.bytes(EK_VECTOR_LEN)?.to_vec(),
                dk: get_secret(r, sizes.dk)?,
                hdr: get_sending(r, HDR_WITH_MAC_LEN)?,
            },
            2 => Scka::HeaderSent {
                c,
                dk: get_secret(r, sizes.dk)?,
                ek: get_sending(r, EK_VECTOR_LEN)?,
                ct1: get_decoder(r, CT1_LEN)?,
            },
            3 => Scka::Ct1Received {
                c,
                dk: get_secret(r, sizes.dk)?,
                ct1: r.bytes(CT1_LEN)?.to_vec(),
                ek: get_sending(r, EK_VECTOR_LEN)?,
            },
            4 => Scka::EkSentCt1Received {
                c,
                dk: get_secret(r, sizes.dk)?,
                ct1: r.bytes(CT1_LEN)?.to_vec(),
                ct2: get_decoder(r, CT2_WITH_MAC_LEN)?,
            },
            5 => Scka::NoHeaderReceived {
                c,
                hdr: get_decoder(r, HDR_WITH_MAC_LEN)?,
            },
            6 => Scka::HeaderReceived {
                c,
                hdr: r.bytes(HDR_LEN)?.to_vec(),
                ek: get_decoder(r, EK_VECTOR_LEN)?,
            },
            7 => Scka::Ct1Sampled {
                c,
                hdr: r.bytes(HDR_LEN)?.to_vec(),
                es: get_secret(r, sizes.state)?,
                ct1: get_sending(r, CT1_LEN)?,
                ek: get_decoder(r, EK_VECTOR_LEN)?,
            },
            8 => Scka::EkReceivedCt1Sampled {
                c,
                es: get_secret(r, sizes.state)?,
                ek: r.bytes(EK_VECTOR_LEN)?.to_vec(),
                ct1: get_sending(r, CT1_LEN)?,
            },
            9 => Scka::Ct1Acknowledged {
                c,
                hdr: r.bytes(HDR_LEN)?.to_vec(),
                es: get_secret(r, sizes.state)?,
                ct1: r.bytes(CT1_LEN)?.to_vec(),
                ek: get_decoder(r, EK_VECTOR_LEN)?,
            },
            10 => Scka::Ct2Sampled {
                c,
                ct2: get_sending(r, CT2_WITH_MAC_LEN)?,
            },
            _ => return Err(MALFORMED),
        })
    }
}

impl std::fmt::Debug for Scka {
    /// The state's name and epoch; nothing secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}({})", self.name(), self.epoch())
    }
}
