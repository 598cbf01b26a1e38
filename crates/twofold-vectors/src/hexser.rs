//! Serializers that write byte strings as lower-case hex, for
//! `#[serde(serialize_with = "...")]`.

use serde::Serializer;
use serde::ser::SerializeSeq;

/// Bytes as hex.
pub(crate) fn bytes<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(b))
}

/// Optional bytes as hex (pair with `skip_serializing_if = "Option::is_none"`).
pub(crate) fn opt<S: Serializer>(b: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match b {
        Some(b) => s.serialize_str(&hex::encode(b)),
        None => s.serialize_none(),
    }
}

/// A list of byte strings as a list of hex strings.
pub(crate) fn list<S: Serializer>(b: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(b.len()))?;
    for x in b {
        seq.serialize_element(&hex::encode(x))?;
    }
    seq.end()
}
