//! The fastest registered backend for each primitive call, and a registry
//! that selects the fastest backend of each algorithm.
//!
//! A call can move only to a backend the protocol could use instead: the
//! same algorithm, by its registered name (an ML-KEM-768 decapsulation
//! moves among the ML-KEM-768 backends, coin-less pqcrypto included; a
//! round-3 `Kyber1024` has only libcrux). Candidates are measured on the
//! call itself, with its recorded input sizes (a 64-byte HMAC and a 1 KiB
//! one may favour different backends), in a short paired probe; choices
//! are kept for the whole run, so every row that makes the same call uses
//! the same backend.

use std::collections::HashMap;

use twofold_core::observe::{CallOp, CallRecord};
use twofold_core::{CryptoRng, Family, Primitive, ShakeRng};
use twofold_primitives::registry::{REGISTRY, Registry, registry};

use super::matrix::Meter;
use super::stats::{Runner, runner};
use super::{Floor, Result};
use crate::primitive_ops::primitive_ops;

/// Every registered implementation of `p`'s algorithm (including `p`).
pub fn candidates(p: Primitive) -> Vec<Primitive> {
    let reg = registry();
    let name = p.algorithm().name();
    macro_rules! same {
        ($list:expr, $variant:ident) => {
            $list
                .iter()
                .filter(|i| i.name().eq_ignore_ascii_case(name))
                .map(|i| Primitive::$variant(*i))
                .collect()
        };
    }
    match p {
        Primitive::Kem(_) => same!(reg.kems, Kem),
        Primitive::Dh(_) => same!(reg.dhs, Dh),
        Primitive::Signature(_) => same!(reg.signatures, Signature),
        Primitive::Aead(_) => same!(reg.aeads, Aead),
        Primitive::Hash(_) => same!(reg.hashes, Hash),
        Primitive::Xof(_) => same!(reg.xofs, Xof),
        Primitive::Kdf(_) => same!(reg.kdfs, Kdf),
        _ => vec![p],
    }
}

type Key = (CallOp, Family, String, Vec<usize>);

/// Chooses, and remembers, the fastest backend of each kind of call.
#[derive(Default)]
pub struct Fastest {
    chosen: HashMap<Key, Primitive>,
}

impl Fastest {
    /// No choice made yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The fastest candidate for `call` (measured once per operation,
    /// algorithm and input sizes).
    pub fn choose(
        &mut self,
        call: &CallRecord,
        meter: &mut Meter,
        rng: &mut dyn CryptoRng,
    ) -> Result<Primitive> {
        let p = call.primitive;
        let key = (
            call.op,
            p.family(),
            p.algorithm().name().to_ascii_lowercase(),
            call.sizes.clone(),
        );
        if let Some(c) = self.chosen.get(&key) {
            return Ok(*c);
        }
        let mut usable = Vec::new();
        let mut runners: Vec<Box<dyn Runner>> = Vec::new();
        for c in candidates(p) {
            let one = CallRecord {
                op: call.op,
                primitive: c,
                sizes: call.sizes.clone(),
            };
            // A backend that cannot make this call is no candidate.
            let Ok(floor) = Floor::from_calls(&[one], rng) else {
                continue;
            };
            let mut r = ShakeRng::new(c.id().as_bytes());
            if floor.run(&mut r).is_err() {
                continue;
            }
            usable.push(c);
            runners.push(runner(move || Ok(floor.run(&mut r)?)));
        }
        let best = if usable.len() < 2 {
            usable.first().copied().unwrap_or(p)
        } else {
            let m = meter.probe(&mut runners)?;
            let mut best = (0usize, f64::INFINITY);
            for i in 0..usable.len() {
                let t = m.time(i).median;
                if t < best.1 {
                    best = (i, t);
                }
            }
            usable[best.0]
        };
        self.chosen.insert(key, best);
        Ok(best)
    }

    /// `calls`, each moved to its fastest backend.
    pub fn calls(
        &mut self,
        calls: &[CallRecord],
        meter: &mut Meter,
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<CallRecord>> {
        calls
            .iter()
            .map(|c| {
                Ok(CallRecord {
                    op: c.op,
                    primitive: self.choose(c, meter, rng)?,
                    sizes: c.sizes.clone(),
                })
            })
            .collect()
    }
}

/// The backend chosen for one algorithm by [`fastest_registry`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The algorithm.
    pub algorithm: &'static str,
    /// The fastest backend.
    pub backend: &'static str,
    /// The registry's default backend.
    pub default: &'static str,
}

/// The registry with each algorithm's bare name selecting its fastest
/// backend: the one with the least total time (or instructions) over the
/// algorithm's operations in the primitive table (key generation,
/// encapsulation and decapsulation; DH; signing and verifying; sealing and
/// opening; ...), measured paired among the algorithm's backends.
pub fn fastest_registry(meter: &mut Meter) -> Result<(Registry, Vec<Choice>)> {
    let ops = primitive_ops(|_| true)?;
    // (family, algorithm) -> backend -> op name -> index into ops
    let mut by_alg: Vec<((Family, &'static str), Vec<usize>)> = Vec::new();
    for (i, o) in ops.iter().enumerate() {
        let k = (o.family, o.algorithm);
        match by_alg.iter_mut().find(|(key, _)| *key == k) {
            Some((_, v)) => v.push(i),
            None => by_alg.push((k, vec![i])),
        }
    }
    let mut ops: Vec<Option<_>> = ops.into_iter().map(Some).collect();
    let mut defaults = Vec::new();
    let mut choices = Vec::new();
    for ((_, algorithm), idx) in by_alg {
        let mut backends: Vec<&'static str> = Vec::new();
        for &i in &idx {
            if let Some(o) = &ops[i]
                && !backends.contains(&o.backend)
            {
                backends.push(o.backend);
            }
        }
        let default = idx
            .iter()
            .filter_map(|&i| ops[i].as_ref())
            .find(|o| o.is_default)
            .map_or("", |o| o.backend);
        if backends.len() < 2 {
            continue;
        }
        let mut total = vec![0.0f64; backends.len()];
        let mut op_names: Vec<&'static str> = Vec::new();
        for &i in &idx {
            if let Some(o) = &ops[i]
                && !op_names.contains(&o.op)
            {
                op_names.push(o.op);
            }
        }
        for name in op_names {
            let mut members = Vec::new();
            let mut runners: Vec<Box<dyn Runner>> = Vec::new();
            for &i in &idx {
                if ops[i].as_ref().is_some_and(|o| o.op == name)
                    && let Some(o) = ops[i].take()
                {
                    members.push(o.backend);
                    let mut run = o.run;
                    runners.push(runner(move || Ok(run()?)));
                }
            }
            let m = meter.probe(&mut runners)?;
            for (j, b) in members.iter().enumerate() {
                if let Some(pos) = backends.iter().position(|x| x == b) {
                    total[pos] += m.time(j).median;
                }
            }
        }
        let best = (0..backends.len())
            .min_by(|&a, &b| total[a].total_cmp(&total[b]))
            .unwrap_or(0);
        defaults.push((algorithm, backends[best]));
        choices.push(Choice {
            algorithm,
            backend: backends[best],
            default,
        });
    }
    let mut reg = REGISTRY.clone();
    // Algorithms measured here first; the registry's own defaults after
    // them for anything left.
    defaults.extend(reg.defaults.iter().copied());
    reg.defaults = defaults;
    Ok((reg, choices))
}

#[cfg(test)]
mod tests {
    use super::*;
    use twofold_core::Resolver;

    #[test]
    fn candidates_share_the_algorithm() {
        let k = REGISTRY.kem("ML-KEM-768").unwrap();
        let c = candidates(Primitive::Kem(k));
        assert!(c.len() >= 3, "{c:?}");
        assert!(c.iter().all(|p| p.algorithm().name() == "ML-KEM-768"));
        assert!(c.iter().any(|p| p.algorithm().backend() == "pqcrypto"));
        let kyber = REGISTRY.kem("Kyber1024").unwrap();
        assert_eq!(candidates(Primitive::Kem(kyber)).len(), 1);
    }
}
