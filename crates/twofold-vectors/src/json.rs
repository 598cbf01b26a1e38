//! Reading a vector file's inputs with their JSON paths, and comparing a
//! recomputed document with the file, value by value.

use serde_json::Value;

use crate::error::{Result, VectorError};
use crate::report::Report;

/// `path.key`, or `path["key"]` when the key is not an identifier.
pub(crate) fn child(path: &str, key: &str) -> String {
    let ident = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ident {
        format!("{path}.{key}")
    } else {
        // A JSON string literal is a valid bracketed JSONPath name.
        let quoted = serde_json::to_string(key).unwrap_or_else(|_| format!("{key:?}"));
        format!("{path}[{quoted}]")
    }
}

/// A value of the file and its JSON path.
pub(crate) struct Node<'a> {
    v: &'a Value,
    path: String,
}

impl<'a> Node<'a> {
    pub(crate) fn root(v: &'a Value) -> Self {
        Self {
            v,
            path: "$".to_string(),
        }
    }

    pub(crate) fn value(&self) -> &'a Value {
        self.v
    }

    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    fn bad(&self, problem: impl Into<String>) -> VectorError {
        VectorError::Field {
            path: self.path.clone(),
            problem: problem.into(),
        }
    }

    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Result<Node<'a>> {
        self.opt(key)?.ok_or_else(|| VectorError::Field {
            path: child(&self.path, key),
            problem: "missing".to_string(),
        })
    }

    /// The member `key`, if present and not null.
    pub(crate) fn opt(&self, key: &str) -> Result<Option<Node<'a>>> {
        let obj = self
            .v
            .as_object()
            .ok_or_else(|| self.bad("not an object"))?;
        Ok(obj.get(key).filter(|v| !v.is_null()).map(|v| Node {
            v,
            path: child(&self.path, key),
        }))
    }

    /// The elements of an array.
    pub(crate) fn items(&self) -> Result<Vec<Node<'a>>> {
        let arr = self.v.as_array().ok_or_else(|| self.bad("not an array"))?;
        Ok(arr
            .iter()
            .enumerate()
            .map(|(i, v)| Node {
                v,
                path: format!("{}[{i}]", self.path),
            })
            .collect())
    }

    pub(crate) fn str(&self) -> Result<&'a str> {
        self.v.as_str().ok_or_else(|| self.bad("not a string"))
    }

    /// A lower-case hex string (any length, even).
    pub(crate) fn hex(&self) -> Result<Vec<u8>> {
        let s = self.str()?;
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(self.bad("hex must be lower case"));
        }
        hex::decode(s).map_err(|e| self.bad(format!("not hex: {e}")))
    }

    pub(crate) fn u32(&self) -> Result<u32> {
        self.v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| self.bad("not an integer from 0 to 2^32 - 1"))
    }

    /// An array of hex strings.
    pub(crate) fn hex_list(&self) -> Result<Vec<Vec<u8>>> {
        self.items()?.iter().map(Node::hex).collect()
    }

    /// An optional member holding hex.
    pub(crate) fn opt_hex(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.opt(key)?.map(|n| n.hex()).transpose()
    }

    /// An optional member holding an array of hex strings (absent = empty).
    pub(crate) fn opt_hex_list(&self, key: &str) -> Result<Vec<Vec<u8>>> {
        Ok(self
            .opt(key)?
            .map(|n| n.hex_list())
            .transpose()?
            .unwrap_or_default())
    }
}

/// A short rendering of a value for a mismatch line.
fn summary(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".to_string(),
        // By characters: a file may hold any UTF-8 where hex belongs.
        Some(Value::String(s)) if s.chars().count() > 40 => {
            let n = s.chars().count();
            let head: String = s.chars().take(20).collect();
            let tail: String = s.chars().skip(n - 12).collect();
            format!("{head}…{tail} ({n} chars)")
        }
        Some(Value::Array(a)) => format!("array of {}", a.len()),
        Some(Value::Object(_)) => "object".to_string(),
        Some(v) => v.to_string(),
    }
}

/// Compares the recomputed `want` with the file's `got` below `path`:
/// every leaf of `want` is counted as checked and any difference becomes a
/// mismatch; members only the file has are listed as not checked; array
/// elements only one side has are mismatches.
pub(crate) fn diff(path: &str, want: &Value, got: &Value, r: &mut Report) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let p = child(path, k);
                match g.get(k) {
                    Some(gv) => diff(&p, wv, gv, r),
                    None => r.mismatch(p, summary(Some(wv)), summary(None)),
                }
            }
            for k in g.keys().filter(|k| !w.contains_key(*k)) {
                r.unchecked.push(child(path, k));
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            for i in 0..w.len().max(g.len()) {
                let p = format!("{path}[{i}]");
                match (w.get(i), g.get(i)) {
                    (Some(wv), Some(gv)) => diff(&p, wv, gv, r),
                    (a, b) => r.mismatch(p, summary(a), summary(b)),
                }
            }
        }
        _ => {
            r.checked += 1;
            if want != got {
                r.mismatch(path.to_string(), summary(Some(want)), summary(Some(got)));
            }
        }
    }
}
