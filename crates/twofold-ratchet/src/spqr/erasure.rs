//! SPQR's systematic Reed-Solomon erasure code over GF(2^16)
//! (`spqr` v1.5.3 `src/encoding/polynomial.rs`).
//!
//! A message of `32 k` bytes is read as `16 k` big-endian `u16` symbols.
//! Symbol `i` is the value of polynomial `i mod 16` at `x = i div 16`, so each
//! of the 16 polynomials has degree below `k` and is fixed by the message.
//! Chunk `idx` carries, for `j` in `0..16`, polynomial `j` evaluated at
//! `x = idx`, big-endian. Chunks `0..k` are therefore the message bytes
//! themselves (the code is systematic) and every later index is parity: any
//! `k` distinct chunks give the message back.
//!
//! The sender emits chunk 0, 1, 2, ... one per message, so a receiver that
//! loses nothing decodes from systematic chunks alone, without interpolation.
//!
//! Lengths are limited to positive multiples of 32 (every V1 value is: header
//! and MAC 96, key vector 1152, ct1 960, ct2 and MAC 160) and at most
//! [`MAX_MESSAGE_LEN`], the deployed limit. The deployed code also accepts
//! other even lengths; no V1 message uses one.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::gf16::Gf16;
use super::labels::CHUNK_DATA_LEN;
use crate::{RatchetError, Result};

/// Symbols per chunk, and so the number of polynomials.
const SYMBOLS: usize = CHUNK_DATA_LEN / 2;

/// Longest message, as deployed: `2^16 × 16` bytes = 1 MiB (32 768 chunks).
pub const MAX_MESSAGE_LEN: usize = (1 << 16) * SYMBOLS;

/// One chunk of an erasure-coded value, as it travels in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chunk {
    /// The evaluation point: chunks `0..k` are systematic, later ones parity.
    pub index: u16,
    /// 16 big-endian GF(2^16) symbols.
    pub data: [u8; CHUNK_DATA_LEN],
}

impl Chunk {
    /// Symbol `j` (polynomial `j` at `x = index`).
    fn symbol(&self, j: usize) -> Gf16 {
        Gf16::from_be_bytes([self.data[2 * j], self.data[2 * j + 1]])
    }
}

/// Chunks needed for a message of `len` bytes, or the error for a length
/// this code does not take.
fn chunks_needed(what: &'static str, len: usize) -> Result<usize> {
    if len == 0 || !len.is_multiple_of(CHUNK_DATA_LEN) || len > MAX_MESSAGE_LEN {
        return Err(RatchetError::InvalidLengthMultiple {
            what,
            unit: CHUNK_DATA_LEN,
            max: MAX_MESSAGE_LEN,
            actual: len,
        });
    }
    Ok(len / CHUNK_DATA_LEN)
}

/// Lagrange interpolation through fixed points `xs`, in barycentric form:
/// `p(x) = l(x) Σ_j w_j y_j / (x - x_j)` with `l(x) = Π_m (x - x_m)` and
/// `w_j = 1 / Π_{m≠j} (x_j - x_m)`. The weights cost `O(k²)` once; each
/// evaluation point then costs `O(k)` for all 16 polynomials together.
struct Lagrange {
    xs: Vec<Gf16>,
    weights: Vec<Gf16>,
}

impl Lagrange {
    /// `None` only if two points coincide, which callers rule out (their
    /// points are distinct chunk indices).
    fn new(xs: Vec<Gf16>) -> Option<Self> {
        let mut weights = Vec::with_capacity(xs.len());
        for (j, &xj) in xs.iter().enumerate() {
            let mut d = Gf16::ONE;
            for (m, &xm) in xs.iter().enumerate() {
                if m != j {
                    d *= xj + xm;
                }
            }
            weights.push(d.inv()?);
        }
        Some(Self { xs, weights })
    }

    /// The factors `c_j` with `p(x) = Σ_j c_j y_j` for every polynomial
    /// through these points.
    fn basis_at(&self, x: Gf16) -> Option<Vec<Gf16>> {
        if let Some(j) = self.xs.iter().position(|&xj| xj == x) {
            let mut c = vec![Gf16::ZERO; self.xs.len()];
            c[j] = Gf16::ONE;
            return Some(c);
        }
        let mut l = Gf16::ONE;
        for &xm in &self.xs {
            l *= x + xm;
        }
        self.xs
            .iter()
            .zip(&self.weights)
            .map(|(&xj, &wj)| Some(l * wj * (x + xj).inv()?))
            .collect()
    }
}

/// The 16 symbols at `x` of the polynomials through `points` (chunks at
/// distinct indices), as chunk data.
fn evaluate(lagrange: &Lagrange, points: &[&Chunk], x: u16) -> Option<[u8; CHUNK_DATA_LEN]> {
    let c = lagrange.basis_at(Gf16(x))?;
    let mut out = [0u8; CHUNK_DATA_LEN];
    for j in 0..SYMBOLS {
        let mut y = Gf16::ZERO;
        for (cm, chunk) in c.iter().zip(points) {
            y += *cm * chunk.symbol(j);
        }
        out[2 * j..2 * j + 2].copy_from_slice(&y.to_be_bytes());
    }
    Some(out)
}

/// Encodes one value into as many chunks as the sender needs.
pub struct Encoder {
    /// The value, cut into its systematic chunks `0..k`.
    systematic: Vec<Chunk>,
    /// Interpolation through `x = 0..k`, built at the first parity chunk.
    lagrange: OnceLock<Option<Lagrange>>,
}

impl Encoder {
    /// An encoder for `message`, whose length must be a positive multiple of
    /// 32 bytes, at most [`MAX_MESSAGE_LEN`].
    pub fn new(message: &[u8]) -> Result<Self> {
        let k = chunks_needed("erasure-coded message", message.len())?;
        let systematic = message
            .chunks_exact(CHUNK_DATA_LEN)
            .zip(0u16..)
            .map(|(bytes, index)| {
                let mut data = [0u8; CHUNK_DATA_LEN];
                data.copy_from_slice(bytes);
                Chunk { index, data }
            })
            .collect::<Vec<_>>();
        debug_assert_eq!(systematic.len(), k);
        Ok(Self {
            systematic,
            lagrange: OnceLock::new(),
        })
    }

    /// Length of the encoded value in bytes.
    pub fn message_len(&self) -> usize {
        self.systematic.len() * CHUNK_DATA_LEN
    }

    /// How many distinct chunks a receiver needs (`len / 32`).
    pub fn chunks_needed(&self) -> usize {
        self.systematic.len()
    }

    /// Chunk `index`: the message bytes `32 index ..` for `index < k`, parity
    /// after that. Any `u16` is a valid index.
    pub fn chunk(&self, index: u16) -> Chunk {
        if let Some(c) = self.systematic.get(usize::from(index)) {
            return *c;
        }
        let lagrange = self
            .lagrange
            .get_or_init(|| Lagrange::new(self.systematic.iter().map(|c| Gf16(c.index)).collect()));
        let points = self.systematic.iter().collect::<Vec<_>>();
        // The systematic indices 0..k are distinct and `index` is not among
        // them, so interpolation cannot meet a zero denominator; the zero
        // chunk below is unreachable and only spares a panic path.
        let data = lagrange
            .as_ref()
            .and_then(|l| evaluate(l, &points, index))
            .unwrap_or([0u8; CHUNK_DATA_LEN]);
        Chunk { index, data }
    }
}

/// Collects the chunks of one value until it can be rebuilt.
///
/// The first chunk seen at each index is kept; a later chunk at the same
/// index is ignored, whatever it holds. A peer that sends conflicting chunks
/// is not detected here: SPQR authenticates the rebuilt values themselves
/// (the header and ciphertext MACs, the header's hash of the key vector).
/// Once `k` chunks are held, parity chunks add nothing and are ignored, so a
/// decoder holds at most `2k - 1` chunks.
#[derive(Debug, Clone)]
pub struct Decoder {
    len: usize,
    chunks: BTreeMap<u16, Chunk>,
}

impl Decoder {
    /// A decoder for a value of `len` bytes (a positive multiple of 32, at
    /// most [`MAX_MESSAGE_LEN`]).
    pub fn new(len: usize) -> Result<Self> {
        chunks_needed("erasure-coded message", len)?;
        Ok(Self {
            len,
            chunks: BTreeMap::new(),
        })
    }

    /// Length of the value being collected, in bytes.
    pub fn message_len(&self) -> usize {
        self.len
    }

    /// How many distinct chunks rebuild the value (`len / 32`).
    pub fn chunks_needed(&self) -> usize {
        self.len / CHUNK_DATA_LEN
    }

    /// How many distinct chunks are held.
    pub fn chunks_held(&self) -> usize {
        self.chunks.len()
    }

    /// The chunks held, by index. Adding them to a fresh decoder (to restore
    /// a serialized one) gives a decoder of the same value; it may drop
    /// parity chunks that the systematic ones make redundant.
    pub fn chunks(&self) -> impl Iterator<Item = &Chunk> {
        self.chunks.values()
    }

    /// Adds a chunk; returns whether it was kept (false for a duplicate
    /// index, or a parity chunk once enough chunks are held). Every `u16`
    /// index is a valid evaluation point, so no chunk is out of range.
    pub fn add(&mut self, chunk: Chunk) -> bool {
        let k = self.chunks_needed();
        if self.chunks.contains_key(&chunk.index) {
            return false;
        }
        if usize::from(chunk.index) >= k && self.chunks.len() >= k {
            return false;
        }
        self.chunks.insert(chunk.index, chunk);
        true
    }

    /// The value, once any `len / 32` distinct chunks arrived.
    pub fn message(&self) -> Option<Vec<u8>> {
        let k = self.chunks_needed();
        if self.chunks.len() < k {
            return None;
        }
        // The map iterates by index, so the systematic chunks held come
        // first and the k points chosen need the least interpolation.
        let points = self.chunks.values().take(k).collect::<Vec<_>>();
        let mut out = vec![0u8; self.len];
        let mut lagrange = None;
        for x in 0..k {
            let dst = &mut out[x * CHUNK_DATA_LEN..(x + 1) * CHUNK_DATA_LEN];
            // x < k <= 32 768, so it fits a u16.
            let x = x as u16;
            if let Some(c) = self.chunks.get(&x) {
                dst.copy_from_slice(&c.data);
                continue;
            }
            if lagrange.is_none() {
                lagrange = Some(Lagrange::new(
                    points.iter().map(|c| Gf16(c.index)).collect(),
                )?);
            }
            let l = lagrange.as_ref()?;
            dst.copy_from_slice(&evaluate(l, &points, x)?);
        }
        Some(out)
    }
}
