//! `HandshakeState` (Noise rev 34 §5.3): consuming steps, nothing half-done.
//!
//! [`HandshakeState::write_message`] and [`HandshakeState::read_message`]
//! take the state by value and return it with the message, so a state
//! cannot be stepped twice from the same point (an ephemeral key is used
//! once). On failure they return a [`StepError`] that holds the error *and
//! the state exactly as it was before the call*: a step works on a copy of
//! the symmetric state (`ck`, `h`, `k`, `n`: a few dozen bytes) and collects
//! the keys it creates or learns beside the committed ones, which it only
//! reads; it commits both when the whole message succeeded, and otherwise
//! drops (and so wipes) them. The caller may retry (e.g. read the genuine
//! message after a forged one) or drop the state (`?` converts a
//! [`StepError`] into a [`HandshakeError`] and wipes it). Randomness drawn
//! by a failed write is lost, which is harmless.
//!
//! Randomness is taken per call, as the observer is: the state holds
//! neither.

use std::fmt;

use twofold_core::{CryptoRng, Obs, Observer, SecretBytes};

use super::builder::KeyPair;
use super::name::{ProtocolName, Suite};
use super::pattern::{Pattern, Role};
use super::tokens::{Config, Dynamic, Work, read_tokens, write_tokens};
use super::transport::TransportState;
use crate::HandshakeError;

/// A handshake in progress (rev 34 §5.3 `HandshakeState`).
pub struct HandshakeState {
    // Boxed so that the state moved at every step stays two words.
    config: Box<Config>,
    d: Box<Dynamic>,
}

impl fmt::Debug for HandshakeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandshakeState")
            .field("protocol", &self.config.protocol_name)
            .field("role", &self.config.role)
            .field("next_message", &self.d.next)
            .finish_non_exhaustive()
    }
}

/// A failed step: the error and the state as it was before the step.
pub struct StepError {
    error: HandshakeError,
    state: Box<HandshakeState>,
}

impl StepError {
    /// What went wrong.
    pub fn error(&self) -> &HandshakeError {
        &self.error
    }

    /// The untouched state, to retry with another message or payload.
    pub fn into_state(self) -> HandshakeState {
        *self.state
    }

    /// Both parts.
    pub fn into_parts(self) -> (HandshakeError, HandshakeState) {
        (self.error, *self.state)
    }
}

impl fmt::Debug for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StepError")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for StepError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<StepError> for HandshakeError {
    /// Drops (and so wipes) the state.
    fn from(e: StepError) -> Self {
        e.error
    }
}

/// The outcome of a step: the next state and the bytes produced.
pub type Step<T> = core::result::Result<(HandshakeState, T), StepError>;

impl HandshakeState {
    pub(crate) fn new(config: Box<Config>, d: Box<Dynamic>) -> Self {
        Self { config, d }
    }

    /// Our role.
    pub fn role(&self) -> Role {
        self.config.role
    }

    /// The protocol name as hashed into `h`.
    pub fn protocol_name(&self) -> &str {
        &self.config.protocol_name
    }

    /// The parsed protocol name.
    pub fn parsed_name(&self) -> &ProtocolName {
        &self.config.name
    }

    /// The pattern, modifiers applied.
    pub fn pattern(&self) -> &Pattern {
        self.config.pattern()
    }

    /// The resolved primitives.
    pub fn suite(&self) -> &Suite {
        &self.config.suite
    }

    /// Whether every message has been sent or received.
    pub fn is_finished(&self) -> bool {
        self.d.next >= self.config.pattern().messages().len()
    }

    /// Whether the next message is ours to write.
    pub fn is_my_turn(&self) -> bool {
        !self.is_finished() && self.config.pattern().sender(self.d.next) == self.config.role
    }

    /// 0-based index of the next message.
    pub fn next_message(&self) -> usize {
        self.d.next
    }

    /// `h` so far (the handshake hash once finished).
    pub fn handshake_hash(&self) -> &[u8] {
        self.d.ss.handshake_hash()
    }

    /// The peer's static DH public key, once known.
    pub fn remote_static_dh(&self) -> Option<&[u8]> {
        self.d.keys.rs_dh.as_deref()
    }

    /// The peer's static KEM public key, once known.
    pub fn remote_static_kem(&self) -> Option<&[u8]> {
        self.d.keys.rs_kem.as_deref()
    }

    /// The peer's ephemeral DH public key, once received.
    pub fn remote_ephemeral_dh(&self) -> Option<&[u8]> {
        self.d.keys.re_dh.as_deref()
    }

    /// The peer's ephemeral KEM public key (hfs `e1`, pq/hybrid `e`), once received.
    pub fn remote_ephemeral_kem(&self) -> Option<&[u8]> {
        self.d.keys.re_kem.as_deref()
    }

    /// Whether a payload written now would be encrypted.
    pub fn payload_is_encrypted(&self) -> bool {
        self.d.ss.cipher().has_key()
    }

    /// Every byte a step may change, in a fixed layout: the message
    /// counter, `h`, `ck`, `k` and `n`, and each key created or learned
    /// (absent, or its length and bytes). Tests compare it around a failed
    /// step to show that the step changed nothing; it holds secrets, so it
    /// comes wiped on drop. Not part of the API.
    #[doc(hidden)]
    pub fn state_snapshot(&self) -> SecretBytes {
        let ss = &self.d.ss;
        let k = &self.d.keys;
        fn pair(p: &Option<KeyPair>) -> [Option<&[u8]>; 2] {
            p.as_ref().map_or([None, None], |p| {
                [Some(&p.public[..]), Some(p.secret.expose())]
            })
        }
        let [e_dh, e_dh_secret] = pair(&k.e_dh);
        let [e_kem, e_kem_secret] = pair(&k.e_kem);
        let fields = [
            Some(ss.handshake_hash()),
            Some(ss.chaining_key()),
            ss.cipher().key(),
            e_dh,
            e_dh_secret,
            e_kem,
            e_kem_secret,
            k.rs_dh.as_deref(),
            k.rs_kem.as_deref(),
            k.re_dh.as_deref(),
            k.re_kem.as_deref(),
        ];
        // Sized first, so that no reallocation leaves secret bytes behind.
        let len = 16
            + fields
                .iter()
                .map(|f| 9 + f.map_or(0, <[u8]>::len))
                .sum::<usize>();
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(&(self.d.next as u64).to_be_bytes());
        out.extend_from_slice(&ss.cipher().nonce().to_be_bytes());
        for f in fields {
            match f {
                None => out.push(0),
                Some(b) => {
                    out.push(1);
                    out.extend_from_slice(&(b.len() as u64).to_be_bytes());
                    out.extend_from_slice(b);
                }
            }
        }
        SecretBytes::new(out)
    }

    fn fail(self, error: HandshakeError) -> StepError {
        StepError {
            error,
            state: Box::new(self),
        }
    }

    /// Starts the section of message `next` for this party.
    fn observe<'o>(&self, observer: &'o mut dyn Observer, verb: &str) -> Obs<'o> {
        let mut o = Obs::new(observer, self.config.role.into());
        if o.on() {
            o.section(&format!("message {} ({verb})", self.d.next + 1));
        }
        o
    }

    /// `WriteMessage(payload)`: the next handshake message, drawing the
    /// ephemeral keys and KEM coins it needs from `rng`.
    pub fn write_message(
        mut self,
        payload: &[u8],
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Step<Vec<u8>> {
        let mut o = self.observe(observer, "write");
        let mut work = Work::start(&self.d);
        match write_tokens(&self.config, &mut work, rng, payload, &mut o) {
            Ok(msg) => {
                let (ss, keys) = work.finish();
                self.d.commit(ss, keys);
                Ok((self, msg))
            }
            Err(e) => {
                drop(work);
                Err(self.fail(e))
            }
        }
    }

    /// `ReadMessage(message)`: the payload of the peer's next message.
    pub fn read_message(mut self, message: &[u8], observer: &mut dyn Observer) -> Step<Vec<u8>> {
        let mut o = self.observe(observer, "read");
        let mut work = Work::start(&self.d);
        match read_tokens(&self.config, &mut work, message, &mut o) {
            Ok(payload) => {
                let (ss, keys) = work.finish();
                self.d.commit(ss, keys);
                Ok((self, payload))
            }
            Err(e) => {
                drop(work);
                Err(self.fail(e))
            }
        }
    }

    /// A secret derived from the final chaining key for use outside the
    /// handshake, e.g. the root key of a ratchet that continues the session
    /// (`label` keeps uses apart; reported under `name`). Only once every
    /// message has been processed.
    pub fn export_secret(
        &self,
        label: &[u8],
        name: &str,
        observer: &mut dyn Observer,
    ) -> crate::Result<twofold_core::SecretBytes> {
        if !self.is_finished() {
            return Err(HandshakeError::Misuse(
                "export before the handshake is finished",
            ));
        }
        let mut o = Obs::new(observer, self.config.role.into());
        self.d.ss.export(label, name, &mut o)
    }

    /// `Split()`: the transport cipher states and the handshake hash, once
    /// every message has been processed (`k1`, `k2` reported).
    pub fn split(
        mut self,
        observer: &mut dyn Observer,
    ) -> core::result::Result<TransportState, StepError> {
        if !self.is_finished() {
            return Err(self.fail(HandshakeError::Misuse(
                "split before the handshake is finished",
            )));
        }
        let mut o = Obs::new(observer, self.config.role.into());
        o.section("split");
        match self.d.ss.split(&mut o) {
            Ok((c1, c2)) => {
                // The state is consumed: its remote keys move, not copy.
                let keys = std::mem::take(&mut self.d.keys);
                Ok(TransportState::new(
                    self.config.role,
                    c1,
                    c2,
                    self.d.ss.handshake_hash().to_vec(),
                    self.config.pattern().is_one_way(),
                    keys.rs_dh,
                    keys.rs_kem,
                ))
            }
            Err(e) => Err(self.fail(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::builder::HandshakeBuilder;
    use crate::noise::labels::PSK_LEN;
    use twofold_core::{Off, ShakeRng};
    use twofold_primitives::registry::REGISTRY;

    /// Suites whose both parties hold static keys (DH, KEM or both) and,
    /// for one, a PSK: everything `duplicate` copies or shares.
    const NAMES: [&str; 4] = [
        "Noise_XXpsk3_25519_AESGCM_SHA512",
        "Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
        "Noise_pqXX_MLKEM768_ChaChaPoly_SHA256",
        "Noise_hybridXX_25519+MLKEM768_ChaChaPoly_SHA256",
    ];

    /// Builders for both parties of `name`, with fresh static keys and PSK;
    /// also returns (initiator's, responder's) static public keys.
    fn builders(name: &str, rng: &mut dyn CryptoRng) -> [(HandshakeBuilder, Vec<Vec<u8>>); 2] {
        let psk = [0x42u8; PSK_LEN];
        let mut out = Vec::new();
        for _ in 0..2 {
            let mut b = HandshakeBuilder::new(name, &*REGISTRY).unwrap();
            let mut publics = Vec::new();
            if let Some(dh) = b.suite().dh {
                let (pk, sk) = dh.generate(rng).unwrap();
                b = b.local_static_dh(sk.expose()).unwrap();
                publics.push(pk);
            }
            if let Some(kem) = b.suite().skem {
                let (pk, sk) = kem.generate(rng).unwrap();
                b = b.local_static_kem(&pk, sk.expose()).unwrap();
                publics.push(pk);
            }
            for n in b.protocol_name().pattern().psk_numbers() {
                b = b.psk(n, &psk).unwrap();
            }
            out.push((b, publics));
        }
        let r = out.pop().unwrap();
        let i = out.pop().unwrap();
        [i, r]
    }

    /// Plays a whole handshake; returns both final states.
    fn play(
        i: HandshakeState,
        r: HandshakeState,
        rng: &mut dyn CryptoRng,
    ) -> (HandshakeState, HandshakeState) {
        let mut parties = [Some(i), Some(r)];
        // Message k is the initiator's when k is even.
        for k in 0..parties[0].as_ref().unwrap().pattern().messages().len() {
            let (w, rd) = (k % 2, 1 - k % 2);
            let (ws, m) = parties[w]
                .take()
                .unwrap()
                .write_message(b"payload", rng, &mut Off)
                .unwrap();
            let (rs, p) = parties[rd]
                .take()
                .unwrap()
                .read_message(&m, &mut Off)
                .unwrap();
            assert_eq!(p, b"payload");
            parties[w] = Some(ws);
            parties[rd] = Some(rs);
        }
        let [i, r] = parties;
        (i.unwrap(), r.unwrap())
    }

    #[test]
    fn duplicated_builders_start_independent_handshakes() {
        for name in NAMES {
            let mut rng = ShakeRng::new(name.as_bytes());
            let [(bi, pub_i), (br, pub_r)] = builders(name, &mut rng);
            let mut hashes = Vec::new();
            for run in 0..2u8 {
                let mut rng = ShakeRng::new(&[run]);
                let i = bi.duplicate().build(Role::Initiator, &mut Off).unwrap();
                let r = br.duplicate().build(Role::Responder, &mut Off).unwrap();
                let (i, r) = play(i, r, &mut rng);
                assert_eq!(i.handshake_hash(), r.handshake_hash(), "{name}");
                // Each side learned the other's configured static keys.
                let learned = |s: &HandshakeState| {
                    [s.remote_static_dh(), s.remote_static_kem()]
                        .into_iter()
                        .flatten()
                        .map(<[u8]>::to_vec)
                        .collect::<Vec<_>>()
                };
                assert_eq!(learned(&i), pub_r, "{name}");
                assert_eq!(learned(&r), pub_i, "{name}");
                hashes.push(i.handshake_hash().to_vec());
                let (mut ti, mut tr) = (i.split(&mut Off).unwrap(), r.split(&mut Off).unwrap());
                let c = ti.write_message(b"ping").unwrap();
                assert_eq!(tr.read_message(&c).unwrap(), b"ping", "{name}");
            }
            // Fresh ephemerals each time: the two handshakes differ.
            assert_ne!(hashes[0], hashes[1], "{name}");
        }
    }

    #[test]
    fn a_rejected_message_changes_nothing_then_the_genuine_one_passes() {
        for name in NAMES {
            let mut rng = ShakeRng::new(name.as_bytes());
            let [(bi, _), (br, _)] = builders(name, &mut rng);
            let (mut ri, mut rr) = (ShakeRng::new(b"i"), ShakeRng::new(b"r"));
            let i = bi.build(Role::Initiator, &mut Off).unwrap();
            let r = br.build(Role::Responder, &mut Off).unwrap();
            let (i, m1) = i.write_message(b"", &mut ri, &mut Off).unwrap();
            let (r, _) = r.read_message(&m1, &mut Off).unwrap();
            // Message 2 carries keys (e, s, ekem1 or ekem) before its payload:
            // flipping the last tag byte lets every token be processed, and
            // so staged, before the payload fails.
            let (_r, m2) = r.write_message(b"two", &mut rr, &mut Off).unwrap();
            let mut bad = m2.clone();
            *bad.last_mut().unwrap() ^= 1;
            let before = (
                i.handshake_hash().to_vec(),
                i.remote_ephemeral_dh().map(<[u8]>::to_vec),
                i.remote_ephemeral_kem().map(<[u8]>::to_vec),
                i.remote_static_dh().map(<[u8]>::to_vec),
                i.remote_static_kem().map(<[u8]>::to_vec),
                i.next_message(),
                i.payload_is_encrypted(),
            );
            let e = i.read_message(&bad, &mut Off).unwrap_err();
            assert!(
                matches!(
                    e.error(),
                    HandshakeError::Primitive(twofold_core::Error::DecryptionFailed)
                ),
                "{name}: {e:?}"
            );
            let i = e.into_state();
            let after = (
                i.handshake_hash().to_vec(),
                i.remote_ephemeral_dh().map(<[u8]>::to_vec),
                i.remote_ephemeral_kem().map(<[u8]>::to_vec),
                i.remote_static_dh().map(<[u8]>::to_vec),
                i.remote_static_kem().map(<[u8]>::to_vec),
                i.next_message(),
                i.payload_is_encrypted(),
            );
            assert!(
                before == after,
                "{name}: a rejected message changed the state"
            );
            let (i, p) = i.read_message(&m2, &mut Off).unwrap();
            assert_eq!(p, b"two", "{name}");
            assert_eq!(i.next_message(), 2, "{name}");
        }
    }
}
