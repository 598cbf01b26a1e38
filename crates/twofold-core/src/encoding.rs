//! Encodings several protocols share: the protobuf subset libsignal's
//! messages use (varints and length-delimited fields, written in tag order
//! as prost writes them), and a bounds-checked reader.
//!
//! The protobuf encoding is the Protocol Buffers wire format
//! (<https://protobuf.dev/programming-guides/encoding/>): a field key is the
//! varint `field << 3 | wire_type`; wire type 0 is a varint, 2 a
//! length-delimited byte string.

/// Wire type of a varint field.
pub const WT_VARINT: u8 = 0;
/// Wire type of a length-delimited field.
pub const WT_LEN: u8 = 2;

/// Appends the LEB128 varint of `v` (minimal: as every protobuf encoder).
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(((v & 0x7f) as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The length of the varint of `v`.
pub fn varint_len(v: u64) -> usize {
    let bits = 64 - v.max(1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// Appends a varint field.
pub fn put_varint_field(out: &mut Vec<u8>, field: u8, v: u64) {
    put_varint(out, u64::from((field << 3) | WT_VARINT));
    put_varint(out, v);
}

/// Appends a length-delimited field.
pub fn put_bytes_field(out: &mut Vec<u8>, field: u8, v: &[u8]) {
    put_varint(out, u64::from((field << 3) | WT_LEN));
    put_varint(out, v.len() as u64);
    out.extend_from_slice(v);
}

/// Why a read failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadError {
    /// Fewer bytes than the field needs: what was read, needed, present.
    Truncated(&'static str, usize, usize),
    /// A varint longer than 10 bytes or above `u64::MAX`.
    VarintTooLong,
    /// A varint with a redundant final zero byte.
    NonMinimalVarint,
}

/// A bounds-checked cursor over a byte string.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Bytes read so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The next `n` bytes.
    pub fn take(&mut self, what: &'static str, n: usize) -> Result<&'a [u8], ReadError> {
        if n > self.remaining() {
            return Err(ReadError::Truncated(what, n, self.remaining()));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// The next byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, ReadError> {
        Ok(self.take(what, 1)?[0])
    }

    /// A big-endian u16.
    pub fn u16(&mut self, what: &'static str) -> Result<u16, ReadError> {
        let b = self.take(what, 2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A big-endian u32.
    pub fn u32(&mut self, what: &'static str) -> Result<u32, ReadError> {
        let b = self.take(what, 4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A big-endian u64.
    pub fn u64(&mut self, what: &'static str) -> Result<u64, ReadError> {
        let b = self.take(what, 8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    /// A protobuf varint: at most 10 bytes, minimal encoding, value < 2^64.
    pub fn varint(&mut self, what: &'static str) -> Result<u64, ReadError> {
        let mut value: u64 = 0;
        for i in 0..10 {
            let b = self.u8(what)?;
            // The tenth byte may only carry the top bit of a u64.
            if i == 9 && b > 1 {
                return Err(ReadError::VarintTooLong);
            }
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i > 0 && b == 0 {
                    return Err(ReadError::NonMinimalVarint);
                }
                return Ok(value);
            }
        }
        Err(ReadError::VarintTooLong)
    }

    /// The rest of the buffer.
    pub fn rest(&mut self) -> &'a [u8] {
        let out = &self.buf[self.pos..];
        self.pos = self.buf.len();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_reject_non_minimal() {
        for v in [0u64, 1, 127, 128, 300, 1569, u32::MAX as u64, u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(out.len(), varint_len(v), "{v}");
            let mut r = Reader::new(&out);
            assert_eq!(r.varint("v"), Ok(v));
            assert_eq!(r.remaining(), 0);
        }
        // 300 = 0xac 0x02 (the protobuf documentation's example).
        let mut out = Vec::new();
        put_varint(&mut out, 300);
        assert_eq!(out, [0xac, 0x02]);
        assert_eq!(
            Reader::new(&[0x80, 0x00]).varint("v"),
            Err(ReadError::NonMinimalVarint)
        );
        assert!(matches!(
            Reader::new(&[0x80]).varint("v"),
            Err(ReadError::Truncated(..))
        ));
        assert_eq!(
            Reader::new(&[0xff; 11]).varint("v"),
            Err(ReadError::VarintTooLong)
        );
        let mut too_big = [0xffu8; 10];
        too_big[9] = 0x02;
        assert_eq!(
            Reader::new(&too_big).varint("v"),
            Err(ReadError::VarintTooLong)
        );
    }
}
