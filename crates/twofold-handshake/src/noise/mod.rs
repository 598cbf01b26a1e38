//! A Noise Protocol Framework engine (revision 34) driven by protocol names,
//! with three extensions:
//!
//! * **hfs** (noise_hfs.md rev 1, as snow implements it): the `hfs`
//!   modifier adds `e1` / `ekem1`; names like
//!   `Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s`.
//! * **PQNoise** (Angel et al., CCS 2022, as clatter implements it): `pq*`
//!   patterns where `e`/`s` are KEM keys and `ekem`/`skem` replace DH;
//!   names like `Noise_pqXX_MLKEM768_ChaChaPoly_SHA256` or
//!   `Noise_pqNN_Kyber512+Kyber1024_ChaChaPoly_SHA256` (ephemeral + static KEM).
//! * **hybrid** (clatter): `hybrid*` patterns carrying DH and KEM operations
//!   in the same messages; `Noise_hybridXX_25519+MLKEM768_ChaChaPoly_SHA256`.
//!
//! Layout: [`name`] parses protocol names, [`pattern`] holds the tokens,
//! the pattern tables and the modifiers, [`symmetric`] the `CipherState` /
//! `SymmetricState` of rev 34 §5, [`handshake`] the `HandshakeState` and its
//! builder, [`transport`] the post-handshake state, [`trace`] the per-token
//! trace and [`labels`] every fixed string.
//!
//! The engine depends on twofold-core only: primitives are trait objects
//! resolved by name through a [`twofold_core::Resolver`].
//!
//! ```text
//! let mut rng = OsRng;
//! let alice = HandshakeBuilder::new("Noise_NN_25519_ChaChaPoly_SHA256", &REGISTRY)?
//!     .build(Role::Initiator, &mut rng)?;
//! let (alice, m1) = alice.write_message(b"")?;           // -> e
//! // ... bob reads m1, writes m2 ...
//! let (alice, _payload) = alice.read_message(&m2)?;      // <- e, ee
//! let mut transport = alice.split()?;
//! ```

pub mod handshake;
pub mod labels;
pub mod name;
pub mod pattern;
pub mod symmetric;
pub mod trace;
pub mod transport;

pub use handshake::{HandshakeBuilder, HandshakeState, Step, StepError};
pub use name::{KemName, ProtocolName, Suite};
pub use pattern::{Modifier, Pattern, PatternKind, Role, Token, pattern_names};
pub use symmetric::{CipherState, NonceEncoding, SymmetricState};
pub use trace::{TraceEntry, TraceKind};
pub use transport::TransportState;
