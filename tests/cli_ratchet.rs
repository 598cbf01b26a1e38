//! `twofold ratchet` and `twofold list` from the outside: the binary runs,
//! its JSON parses, bad arguments are errors with a message, not panics.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn twofold(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_twofold"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn ratchet_json_reports_the_conversation() {
    let out = twofold(&[
        "ratchet",
        "--suite",
        "DoubleRatchet_signal_X25519_SHA-256",
        "--messages",
        "40",
        "--pattern",
        "lossy",
        "--seed",
        "0102",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sent"], 40);
    assert_eq!(v["handshake"], "X3DH_signal_X25519_SHA-256");
    let delivered = v["delivered"].as_u64().unwrap();
    let lost = v["lost"].as_u64().unwrap();
    assert_eq!(delivered + lost, 40);
    assert!(v["bytes_per_message_max"].as_u64().unwrap() >= 64);
}

#[test]
fn ratchet_with_a_seed_is_deterministic_apart_from_timings() {
    let args = [
        "ratchet",
        "--suite",
        "TripleRatchet_twofold_X25519_SHA-256_ChaCha20-Poly1305",
        "--messages",
        "30",
        "--pattern",
        "burst",
        "--seed",
        "aa",
        "--format",
        "json",
    ];
    let strip = |o: std::process::Output| {
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let m = v.as_object_mut().unwrap();
        m.remove("encrypt_ns_median");
        m.remove("decrypt_ns_median");
        v
    };
    assert_eq!(strip(twofold(&args)), strip(twofold(&args)));
}

#[test]
fn bad_ratchet_arguments_are_errors_not_panics() {
    for args in [
        &["ratchet", "--suite", "NoSuchRatchet_x"][..],
        &[
            "ratchet",
            "--suite",
            "DoubleRatchet_signal_X25519_SHA-256",
            "--pattern",
            "zigzag",
        ],
        &[
            "ratchet",
            "--suite",
            "DoubleRatchet_signal_X25519_SHA-256",
            "--loss",
            "1.5",
        ],
        &[
            "ratchet",
            "--suite",
            "DoubleRatchet_signal_X25519_SHA-256",
            "--handshake",
            "X3DH_spec_X25519_SHA-256",
        ],
        &[
            "ratchet",
            "--suite",
            "DoubleRatchet_spec_X25519_SHA-256_ChaCha20-Poly1305",
            "--handshake",
            "Noise_NN_25519_ChaChaPoly_SHA256",
        ],
        &[
            "ratchet",
            "--suite",
            "DoubleRatchet_signal_X25519_SHA-256",
            "--seed",
            "xyz",
        ],
    ] {
        let out = twofold(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("twofold: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn list_names_the_ratchet_suites() {
    let out = twofold(&["list", "--format", "json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let suites = v["ratchet_suites"].as_array().unwrap();
    assert!(
        suites
            .iter()
            .any(|s| s == "TripleRatchet_signal_X25519_SHA-256")
    );
}
