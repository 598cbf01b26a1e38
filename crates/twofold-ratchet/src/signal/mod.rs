//! The `signal` profile: what libsignal deploys, byte for byte.
//!
//! * [`wire`]: the `SignalMessage` encoding and its MAC input.

pub mod wire;
