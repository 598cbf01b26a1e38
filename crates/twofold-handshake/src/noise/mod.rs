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
//! `SymmetricState` of rev 34 §5, [`builder`] the configuration and
//! `Initialize()`, [`state`] the `HandshakeState` and its consuming steps,
//! `tokens` what each token writes and reads, [`transport`] the
//! post-handshake state and [`labels`] every fixed string.
//!
//! Every step reports to the caller's [`twofold_core::Observer`] (`h`,
//! `ck`, `k` after each token, the DH and KEM outputs, every draw), and
//! randomness is taken per call.
//!
//! The engine depends on twofold-core only: primitives are trait objects
//! resolved by name through a [`twofold_core::Resolver`].
//!
//! ```text
//! let mut rng = OsRng;
//! let alice = HandshakeBuilder::new("Noise_NN_25519_ChaChaPoly_SHA256", &REGISTRY)?
//!     .build(Role::Initiator, &mut Off)?;
//! let (alice, m1) = alice.write_message(b"", &mut rng, &mut Off)?;   // -> e
//! // ... bob reads m1, writes m2 ...
//! let (alice, _payload) = alice.read_message(&m2, &mut Off)?;       // <- e, ee
//! let mut transport = alice.split(&mut Off)?;
//! ```

pub mod builder;
pub mod labels;
pub mod name;
pub mod pattern;
pub mod state;
pub mod symmetric;
mod tokens;
pub mod transport;

pub use builder::HandshakeBuilder;
pub use name::{KemName, ProtocolName, Suite};
pub use pattern::{Modifier, Pattern, PatternKind, Role, Token, pattern_names};
pub use state::{HandshakeState, Step, StepError};
pub use symmetric::{CipherState, NonceEncoding, SymmetricState};
pub use transport::TransportState;
