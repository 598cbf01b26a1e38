//! twofold-handshake: the handshakes that open a hybrid session.
//!
//! * [`bundle`]: prekey bundles (identity key, signed prekey, one-time prekeys,
//!   signed last-resort and one-time KEM prekeys) and the server that hands
//!   one-time keys out exactly once.
//! * [`prekey`]: the engine of the asynchronous prekey handshakes X3DH and
//!   PQXDH, with their one suite parser and wire formats.
//! * [`x3dh`]: X3DH, the classical baseline, in `spec` and `signal` profiles.
//! * [`pqxdh`]: PQXDH, in `spec` and `signal` profiles.
//! * [`pq3`]: a set-up of the shape Apple describes for iMessage PQ3 (P-256
//!   and Kyber-1024), for the PQ3-style ratchet configuration.
//! * [`fingerprint`]: safety numbers over classical and post-quantum identity keys.
//! * [`noise`]: a Noise (rev 34) engine driven by pattern strings, with the
//!   hfs (`e1`, `ekem1`), PQNoise (`ekem`, `skem`) and hybrid patterns.
//!
//! Every handshake is composed from twofold-core trait objects, resolved by
//! name through a [`twofold_core::Resolver`], consumes its state at each
//! step so that an ephemeral secret cannot be used twice, and reports each
//! step to the caller's [`twofold_core::Observer`].
#![forbid(unsafe_code)]

pub mod bundle;
pub mod error;
pub mod fingerprint;
pub mod labels;
pub mod noise;
pub mod pq3;
pub mod pqxdh;
pub mod prekey;
pub mod x3dh;

pub use error::{HandshakeError, Result};
