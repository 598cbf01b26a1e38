//! Primitive rows: every backend of an algorithm measured together, so
//! that the comparison between backends is paired like the protocol rows.

use twofold_core::Family;
use twofold_primitives::registry::Entry;

use super::Result;
use super::matrix::Meter;
use super::stats::{Runner, Summary, runner};
use crate::primitive_ops::primitive_ops;

/// One operation of one backend.
#[derive(Debug, Clone)]
pub struct PrimitiveRow {
    /// The family.
    pub family: Family,
    /// The algorithm.
    pub algorithm: &'static str,
    /// The backend.
    pub backend: &'static str,
    /// Whether a bare name selects it.
    pub is_default: bool,
    /// The operation (`keygen`, `sign 1KiB`, ...).
    pub op: &'static str,
    /// What goes on the wire.
    pub bytes: String,
    /// Per operation (seconds or instructions).
    pub value: Summary,
    /// Paired ratio to the algorithm's default backend on the same
    /// operation (1 for the default itself; NaN when the default is not
    /// measured).
    pub to_default: Summary,
    /// Rounds (time) or operations counted (instructions).
    pub samples: usize,
}

/// A group of operations measured together: one operation of one
/// algorithm, on every selected backend.
pub struct Group {
    /// `ALGORITHM op`, for progress messages.
    pub label: String,
    members: Vec<crate::primitive_ops::PrimitiveOp>,
}

/// The groups of the primitive table: the operations of every
/// implementation `select` keeps, grouped by algorithm and operation,
/// in registry order.
pub fn groups(select: impl Fn(&Entry) -> bool) -> Result<Vec<Group>> {
    let mut out: Vec<Group> = Vec::new();
    for o in primitive_ops(select)? {
        let label = format!("{} {}", o.algorithm, o.op);
        match out.iter_mut().find(|g| g.label == label) {
            Some(g) => g.members.push(o),
            None => out.push(Group {
                label,
                members: vec![o],
            }),
        }
    }
    Ok(out)
}

impl Group {
    /// Number of backends in the group.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the group is empty.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Measures every backend of the group together.
    pub fn measure(self, meter: &mut Meter, tick: &mut dyn FnMut()) -> Result<Vec<PrimitiveRow>> {
        let mut info = Vec::with_capacity(self.members.len());
        let mut runners: Vec<Box<dyn Runner>> = Vec::with_capacity(self.members.len());
        for mut o in self.members {
            // Run once outside the timer: a failing operation is an error,
            // not a row.
            (o.run)()?;
            info.push((
                o.family,
                o.algorithm,
                o.backend,
                o.is_default,
                o.op,
                o.bytes,
            ));
            let mut run = o.run;
            runners.push(runner(move || Ok(run()?)));
        }
        let m = meter.measure(&mut runners, tick)?;
        let default = info.iter().position(|i| i.3);
        Ok(info
            .into_iter()
            .enumerate()
            .map(
                |(i, (family, algorithm, backend, is_default, op, bytes))| PrimitiveRow {
                    family,
                    algorithm,
                    backend,
                    is_default,
                    op,
                    bytes,
                    value: m.time(i),
                    to_default: default.map_or_else(|| Summary::of(&[]), |d| m.ratio(i, d)),
                    samples: m.rounds.get(i).map_or(0, Vec::len),
                },
            )
            .collect())
    }
}
