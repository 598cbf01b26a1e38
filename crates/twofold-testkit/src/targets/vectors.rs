//! Vector files, as `twofold vectors verify` reads them, on arbitrary
//! bytes: a file from another implementation is untrusted input.

use std::sync::OnceLock;

/// Small files of four kinds, generated once per process (the committed
/// set's seed): the edit mode changes bytes inside them, so that the
/// changes reach the recomputation behind the JSON parser.
pub const EDITED_SUITES: [&str; 5] = [
    "XEdDSA",
    "XEdDSA-signal",
    "DHKEM(X25519,HKDF-SHA256)",
    "X3DH_signal_X25519_SHA-256",
    "Noise_NN_25519_ChaChaPoly_SHA256",
];

/// The files of [`EDITED_SUITES`], as JSON text.
pub fn files() -> &'static [String] {
    static F: OnceLock<Vec<String>> = OnceLock::new();
    F.get_or_init(|| {
        EDITED_SUITES
            .iter()
            .map(|s| {
                let file = twofold_vectors::generate(s, &[0])
                    .unwrap_or_else(|e| panic!("{s}: a listed suite generates: {e}"));
                twofold_vectors::to_json(&file).expect("a generated file writes")
            })
            .collect()
    })
}

/// `verify` on arbitrary bytes. Input: a mode byte, then either the file
/// (bit 0 clear; read as UTF-8, invalid sequences replaced) or edits of
/// one of [`files`] (bit 0 set; the other bits pick it): triples of a
/// little-endian `u16` offset and a byte, each setting the byte there.
/// `verify` returns a report or a typed error and never panics; a file
/// left as it was generated verifies with no mismatch.
pub fn vector_file(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (text, genuine) = if mode & 1 == 0 {
        (String::from_utf8_lossy(rest).into_owned(), false)
    } else {
        let files = files();
        let original = &files[usize::from(mode >> 1) % files.len()];
        let mut bytes = original.as_bytes().to_vec();
        for edit in rest.chunks_exact(3) {
            let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % bytes.len();
            bytes[at] = edit[2];
        }
        let genuine = bytes == original.as_bytes();
        (String::from_utf8_lossy(&bytes).into_owned(), genuine)
    };
    match twofold_vectors::verify(&text) {
        Ok(report) => {
            assert!(
                !genuine || report.ok(),
                "a generated file has mismatches: {:?}",
                report.mismatches
            );
            for m in &report.mismatches {
                assert!(m.path.starts_with('$'), "a mismatch without its JSON path");
            }
        }
        Err(e) => {
            assert!(!genuine, "a generated file does not verify: {e}");
            assert!(!e.to_string().is_empty(), "an error without a message");
        }
    }
}
