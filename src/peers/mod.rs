//! Peer libraries measured on the same work as twofold, in the same run
//! (`twofold bench --peers`, `cargo bench --bench handshakes`): snow for
//! classic and hfs Noise, clatter for PQNoise and hybrid patterns, hpke-rs
//! for single-shot X-Wing HPKE. Behind the `peers` feature, which the
//! default build enables.
//!
//! [`Peers`] gives the harness the peer contenders of each row, together
//! with twofold itself drawing from the operating system (as the peers
//! do; the row's own twofold draws from an in-process stream, like its
//! floors) and twofold with ML-KEM from PQClean, the C code snow and
//! clatter link (the same KEM code under both engines).

pub mod hpke;
pub mod noise;

use std::sync::Arc;

use twofold_core::resolve::Prefer;
use twofold_core::{OsRng, Resolver};
use twofold_harness::bench::handshake::HandshakeSubject;
use twofold_harness::bench::{Contender, PeerSource, Result, Subject};
use twofold_harness::handshakes::suites;

/// Label of twofold drawing from the operating system.
pub const TWOFOLD_OS: &str = "twofold (OS rng)";
/// Label of twofold with bare `ML-KEM-*` on PQClean (pqcrypto).
pub const TWOFOLD_PQCLEAN: &str = "twofold-pqclean";

/// `resolver` with bare `ML-KEM-*` names on the pqcrypto backend.
pub fn pqclean(resolver: &Arc<dyn Resolver>) -> Arc<dyn Resolver> {
    Arc::new(Prefer::new(Arc::clone(resolver)).backend("ML-KEM-", "pqcrypto"))
}

/// Subjects that only peers need: the snow protocols not among the named
/// suites, and single-shot HPKE.
pub fn subjects(resolver: &Arc<dyn Resolver>) -> Vec<Box<dyn Subject>> {
    let named = suites();
    let mut out: Vec<Box<dyn Subject>> = Vec::new();
    for s in noise::SNOW {
        if !named.iter().any(|n| n == s) {
            out.push(Box::new(HandshakeSubject::with_resolver(
                s,
                Arc::clone(resolver),
            )));
        }
    }
    out.push(Box::new(hpke::HpkeSubject::new(Arc::clone(resolver))));
    out
}

/// The peers of each row, on the backends of `resolver`.
pub struct Peers {
    resolver: Arc<dyn Resolver>,
}

impl Peers {
    /// Peers of rows on `resolver`'s backends.
    pub fn new(resolver: Arc<dyn Resolver>) -> Self {
        Self { resolver }
    }
}

fn uses_pqclean_peer(suite: &str) -> bool {
    suite.contains("Kyber1024") && noise::SNOW.contains(&suite)
        || noise::CLATTER.iter().any(|(n, _)| *n == suite)
}

impl PeerSource for Peers {
    fn peers(&self, kind: &str, subject: &str, op: &str) -> Result<Vec<Contender>> {
        let mut out = Vec::new();
        match (kind, op) {
            ("handshake", "handshake") => {
                let is_snow = noise::SNOW.contains(&subject);
                let clatter = noise::Clatter::new(subject)?;
                if !is_snow && clatter.is_none() {
                    return Ok(out);
                }
                let twofold = HandshakeSubject::with_resolver(subject, Arc::clone(&self.resolver));
                out.push(Contender {
                    label: TWOFOLD_OS.to_string(),
                    runner: twofold.runner(Box::new(OsRng))?,
                    messages: None,
                });
                if uses_pqclean_peer(subject) {
                    let pq = HandshakeSubject::with_resolver(subject, pqclean(&self.resolver));
                    out.push(Contender {
                        label: TWOFOLD_PQCLEAN.to_string(),
                        runner: pq.runner(Box::new(OsRng))?,
                        messages: None,
                    });
                }
                if is_snow {
                    let mut s = noise::Snow::new(subject)?;
                    let bytes = s.handshake()?;
                    out.push(Contender {
                        label: "snow".to_string(),
                        runner: s.runner(),
                        messages: Some(vec![bytes]),
                    });
                }
                if let Some(mut c) = clatter {
                    let bytes = c.handshake()?;
                    out.push(Contender {
                        label: "clatter".to_string(),
                        runner: c.runner(),
                        messages: Some(vec![bytes]),
                    });
                }
            }
            ("single-shot", hpke::OP) if subject == hpke::SUITE => {
                out.push(Contender {
                    label: "hpke-rs".to_string(),
                    runner: hpke::hpke_rs_runner()?,
                    messages: None,
                });
            }
            _ => {}
        }
        Ok(out)
    }
}
