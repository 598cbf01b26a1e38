//! A handshake transcript's `Debug` output shows no session secret (the
//! CLI prints them only when asked to, with `--trace`).
#![allow(clippy::unwrap_used)]

use twofold_core::{Off, ShakeRng};
use twofold_harness::handshakes::run;
use twofold_primitives::registry::REGISTRY;

#[test]
fn transcripts_show_no_secret() {
    for suite in [
        "X3DH_spec_X25519_SHA-256",
        "PQXDH_signal_X25519_SHA-256_Kyber1024",
        "Noise_XX_25519_ChaChaPoly_SHA256",
    ] {
        let t = run(suite, &*REGISTRY, &mut ShakeRng::new(b"hygiene"), &mut Off).unwrap();
        assert!(t.agree(), "{suite}");
        let shown = format!("{t:?} {t:#?}");
        for s in [&t.initiator_secret, &t.responder_secret] {
            assert!(s.len() >= 16, "{suite}");
            // Any 8 bytes of the secret, as hex or as Rust's byte list.
            for w in s.chunks_exact(8) {
                let hex = hex::encode(w);
                let list = format!("{:?}", w);
                let list = &list[1..list.len() - 1];
                assert!(
                    !shown.contains(&hex) && !shown.contains(list),
                    "{suite}: Debug shows the secret: {shown}"
                );
            }
        }
    }
}
