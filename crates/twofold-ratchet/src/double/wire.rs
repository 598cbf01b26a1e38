//! Message encodings of the ratchet.
//!
//! ## twofold format, version 1
//! All integers big-endian; every length checked; nothing may follow.
//! ```text
//! 0x01 || header || body                              (plain header)
//! 0x02 || nonce (AEAD nonce) || u16 len || sealed header || body
//!                                                      (header encryption)
//! header = u16 len || CKA message || u32 PN || u32 N || flags
//!          [|| u64 expires_at]          (flags bit 0)
//!          [|| u16 len || sparse msg]   (flags bit 1)
//! body   = AEAD(key, nonce, AD || everything before the body, plaintext)
//! ```
//! `key || nonce` are the message keys of the message; `AD` is the
//! session's associated data. A sealed header is
//! `AEAD(HK, nonce, AD, header)` under the sending header key, with a fresh
//! random nonce (header keys serve many messages).
//!
//! ## signal format
//! libsignal's `SignalMessage` ([`crate::signal::wire`]).

use std::borrow::Cow;

use twofold_core::encoding::{ReadError, Reader};
use twofold_core::{CryptoRng, Obs, SecretBytes};

use super::{Body, Config};
use crate::kdf::Key;
use crate::labels;
use crate::signal::wire::SignalMessage;
use crate::{RatchetError, Result};

const FLAG_EXPIRY: u8 = 1;
const FLAG_SPARSE: u8 = 2;

/// A message header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The CKA message of the sender's epoch.
    pub cka: Vec<u8>,
    /// The length of the sender's previous sending chain (the
    /// specification's `PN`).
    pub pn: u32,
    /// The message's index in its chain (`N`).
    pub n: u32,
    /// The sender's expiry, seconds (twofold format).
    pub expires_at: Option<u64>,
    /// The sparse protocol's message (empty: none).
    pub sparse: Vec<u8>,
}

/// Which header key opened a sealed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderKeyUsed {
    /// The header key of receiving chain `i`.
    Chain(usize),
    /// The next header key: a new epoch.
    Next,
}

/// A parsed message, not yet authenticated.
pub(crate) struct Parsed<'m> {
    pub(crate) header: Header,
    /// The bytes the body's AD or the MAC covers after the session AD.
    pub(crate) macced: &'m [u8],
    pub(crate) body: Cow<'m, [u8]>,
    /// The signal format's MAC.
    pub(crate) tag: &'m [u8],
    pub(crate) header_key: Option<HeaderKeyUsed>,
}

fn read_error(e: ReadError) -> RatchetError {
    match e {
        ReadError::Truncated(what, ..) => RatchetError::Malformed(what),
        _ => RatchetError::Malformed("varint"),
    }
}

fn len16(what: &'static str, n: usize) -> Result<[u8; 2]> {
    u16::try_from(n)
        .map(u16::to_be_bytes)
        .map_err(|_| RatchetError::Misuse(what))
}

impl Header {
    fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(2 + self.cka.len() + 19 + self.sparse.len());
        out.extend_from_slice(&len16("CKA message too long", self.cka.len())?);
        out.extend_from_slice(&self.cka);
        out.extend_from_slice(&self.pn.to_be_bytes());
        out.extend_from_slice(&self.n.to_be_bytes());
        let mut flags = 0;
        if self.expires_at.is_some() {
            flags |= FLAG_EXPIRY;
        }
        if !self.sparse.is_empty() {
            flags |= FLAG_SPARSE;
        }
        out.push(flags);
        if let Some(t) = self.expires_at {
            out.extend_from_slice(&t.to_be_bytes());
        }
        if !self.sparse.is_empty() {
            out.extend_from_slice(&len16("sparse message too long", self.sparse.len())?);
            out.extend_from_slice(&self.sparse);
        }
        Ok(out)
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let n = usize::from(r.u16("header CKA length").map_err(read_error)?);
        let cka = r
            .take("header CKA message", n)
            .map_err(read_error)?
            .to_vec();
        let pn = r.u32("header PN").map_err(read_error)?;
        let n = r.u32("header N").map_err(read_error)?;
        let flags = r.u8("header flags").map_err(read_error)?;
        if flags & !(FLAG_EXPIRY | FLAG_SPARSE) != 0 {
            return Err(RatchetError::Malformed("header flags"));
        }
        let expires_at = if flags & FLAG_EXPIRY != 0 {
            Some(r.u64("header expiry").map_err(read_error)?)
        } else {
            None
        };
        let sparse = if flags & FLAG_SPARSE != 0 {
            let n = usize::from(r.u16("header sparse length").map_err(read_error)?);
            if n == 0 {
                return Err(RatchetError::Malformed("empty sparse message"));
            }
            r.take("header sparse message", n)
                .map_err(read_error)?
                .to_vec()
        } else {
            Vec::new()
        };
        Ok(Self {
            cka,
            pn,
            n,
            expires_at,
            sparse,
        })
    }
}

fn aead(cfg: &Config) -> Result<&'static dyn twofold_core::Aead> {
    match cfg.body {
        Body::Aead(a) => Ok(a),
        Body::SignalCbc(_) => Err(RatchetError::Misuse(
            "the twofold format needs an AEAD body",
        )),
    }
}

/// `key || nonce` of the body, from the message keys.
fn split_keys<'k>(a: &dyn twofold_core::Aead, keys: &'k SecretBytes) -> (&'k [u8], &'k [u8]) {
    keys.expose().split_at(a.key_len())
}

fn ad_with(ad: &[u8], prefix: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ad.len() + prefix.len());
    out.extend_from_slice(ad);
    out.extend_from_slice(prefix);
    out
}

/// Seals a twofold-format message.
#[allow(clippy::too_many_arguments)]
pub(crate) fn seal_twofold(
    cfg: &Config,
    ad: &[u8],
    header: &Header,
    hk: Option<&Key>,
    keys: &SecretBytes,
    plaintext: &[u8],
    rng: &mut dyn CryptoRng,
    o: &mut Obs<'_>,
) -> Result<Vec<u8>> {
    let a = aead(cfg)?;
    let h = header.encode()?;
    let mut out = Vec::with_capacity(1 + 40 + h.len() + a.ciphertext_len(plaintext.len()));
    match hk {
        None => {
            out.push(labels::TWOFOLD_MESSAGE_V1);
            out.extend_from_slice(&h);
        }
        Some(hk) => {
            let mut nonce = vec![0u8; a.nonce_len()];
            o.rng(rng, "header nonce").fill_bytes(&mut nonce);
            let sealed = a.seal(hk.expose(), &nonce, ad, &h)?;
            o.public("sealed header", &sealed, a.name(), &["HKs", "header nonce"]);
            out.push(labels::TWOFOLD_MESSAGE_V1_HE);
            out.extend_from_slice(&nonce);
            out.extend_from_slice(&len16("sealed header too long", sealed.len())?);
            out.extend_from_slice(&sealed);
        }
    }
    let (key, nonce) = split_keys(a, keys);
    let body = a.seal(key, nonce, &ad_with(ad, &out), plaintext)?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// Parses a twofold-format message; with header encryption, opens the
/// header with the first of `candidates` that works.
pub(crate) fn parse_twofold<'m>(
    cfg: &Config,
    ad: &[u8],
    message: &'m [u8],
    header_encryption: bool,
    candidates: Vec<(HeaderKeyUsed, &Key)>,
) -> Result<Parsed<'m>> {
    let a = aead(cfg)?;
    let mut r = Reader::new(message);
    let version = r.u8("message version").map_err(read_error)?;
    let (header, header_key) = match (version, header_encryption) {
        (labels::TWOFOLD_MESSAGE_V1, false) => (Header::decode(&mut r)?, None),
        (labels::TWOFOLD_MESSAGE_V1_HE, true) => {
            let nonce = r.take("header nonce", a.nonce_len()).map_err(read_error)?;
            let n = usize::from(r.u16("sealed header length").map_err(read_error)?);
            let sealed = r.take("sealed header", n).map_err(read_error)?;
            let mut opened = None;
            for (used, k) in candidates {
                if let Ok(h) = a.open(k.expose(), nonce, ad, sealed) {
                    opened = Some((h, used));
                    break;
                }
            }
            let (h, used) = opened.ok_or(RatchetError::BadMac("message header"))?;
            let mut hr = Reader::new(&h);
            let header = Header::decode(&mut hr)?;
            if hr.remaining() != 0 {
                return Err(RatchetError::Malformed("header: trailing bytes"));
            }
            (header, Some(used))
        }
        _ => return Err(RatchetError::Malformed("message version")),
    };
    let split = r.position();
    let body = r.rest();
    Ok(Parsed {
        header,
        macced: &message[..split],
        body: Cow::Borrowed(body),
        tag: &[],
        header_key,
    })
}

/// Opens the body of a twofold-format message.
pub(crate) fn open_twofold(
    cfg: &Config,
    ad: &[u8],
    parsed: &Parsed<'_>,
    keys: &SecretBytes,
) -> Result<Vec<u8>> {
    let a = aead(cfg)?;
    let (key, nonce) = split_keys(a, keys);
    a.open(key, nonce, &ad_with(ad, parsed.macced), &parsed.body)
        .map_err(|_| RatchetError::BadMac("message"))
}

/// Parses a signal-format message. `Header::pn` holds libsignal's
/// `previous_counter` as sent.
pub(crate) fn parse_signal(message: &[u8], version: u8) -> Result<Parsed<'_>> {
    let (m, macced, tag) = SignalMessage::decode(message, version)?;
    Ok(Parsed {
        header: Header {
            cka: m.ratchet_key,
            pn: m.previous_counter,
            n: m.counter,
            expires_at: None,
            sparse: m.pq_ratchet,
        },
        macced,
        body: Cow::Owned(m.ciphertext),
        tag,
        header_key: None,
    })
}
