//! DHKEM(X25519, HKDF-SHA256) known-answer tests: RFC 9180 Appendix A.1.1
//! ("DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM", Base Setup
//! Information) and, as a second vector of the same KEM, Appendix A.2.1
//! (same KEM with ChaCha20Poly1305; the KEM values do not depend on the
//! AEAD). Values copied from the RFC text
//! (https://www.rfc-editor.org/rfc/rfc9180.txt; the copy read was
//! `rfc9180.txt` in the public repository MFDI-hub/rfc9180-py).
//!
//! The RFC generates every key pair as `DeriveKeyPair(ikm)`, which is what
//! twofold's key-generation and encapsulation coins go through.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use twofold_core::{AlgorithmId, Dh, DhSizes, Error, Kem, SecretBytes};
use twofold_primitives::{dh, hybrid};

struct Vector {
    section: &'static str,
    ikm_e: &'static str,
    pk_em: &'static str,
    sk_em: &'static str,
    ikm_r: &'static str,
    pk_rm: &'static str,
    sk_rm: &'static str,
    enc: &'static str,
    shared_secret: &'static str,
}

const VECTORS: [Vector; 2] = [
    Vector {
        section: "RFC 9180 A.1.1",
        ikm_e: "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
        pk_em: "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
        sk_em: "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
        ikm_r: "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
        pk_rm: "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
        sk_rm: "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
        enc: "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
        shared_secret: "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc",
    },
    Vector {
        section: "RFC 9180 A.2.1",
        ikm_e: "909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b",
        pk_em: "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
        sk_em: "f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600",
        ikm_r: "1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df",
        pk_rm: "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a",
        sk_rm: "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb",
        enc: "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
        shared_secret: "0bbe78490412b4bbea4812666f7916932b828bba79942424abb65244930d69a7",
    },
];

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn backends() -> Vec<&'static dyn Kem> {
    let list: Vec<_> = hybrid::kems()
        .into_iter()
        .filter(|k| k.name() == "DHKEM(X25519,HKDF-SHA256)")
        .collect();
    assert!(!list.is_empty(), "no DHKEM(X25519,HKDF-SHA256) backend");
    list
}

#[test]
fn rfc9180_base_vectors_every_backend() {
    for k in backends() {
        for v in &VECTORS {
            let ctx = format!("{} {}", k.id(), v.section);
            // DeriveKeyPair(ikmE) and DeriveKeyPair(ikmR).
            let (pk_e, sk_e) = k.generate_derand(&unhex(v.ikm_e)).unwrap();
            assert_eq!(hex::encode(&pk_e), v.pk_em, "{ctx} pkEm");
            assert_eq!(hex::encode(&sk_e.expose()[..32]), v.sk_em, "{ctx} skEm");
            let (pk_r, sk_r) = k.generate_derand(&unhex(v.ikm_r)).unwrap();
            assert_eq!(hex::encode(&pk_r), v.pk_rm, "{ctx} pkRm");
            assert_eq!(hex::encode(&sk_r.expose()[..32]), v.sk_rm, "{ctx} skRm");
            // Stored form: skRm || pkRm.
            assert_eq!(
                hex::encode(&sk_r.expose()[32..]),
                v.pk_rm,
                "{ctx} stored pkRm"
            );

            // Encap(pkR) with ikmE.
            let (enc, ss) = k
                .encapsulate_derand(&unhex(v.pk_rm), &unhex(v.ikm_e))
                .unwrap();
            assert_eq!(hex::encode(&enc), v.enc, "{ctx} enc");
            assert_eq!(
                hex::encode(ss.expose()),
                v.shared_secret,
                "{ctx} shared_secret"
            );

            // Decap(enc, skR) with the stored form and with the bare skRm.
            let d1 = k.decapsulate(sk_r.expose(), &unhex(v.enc)).unwrap();
            assert_eq!(
                hex::encode(d1.expose()),
                v.shared_secret,
                "{ctx} Decap stored"
            );
            let d2 = k.decapsulate(&unhex(v.sk_rm), &unhex(v.enc)).unwrap();
            assert_eq!(
                hex::encode(d2.expose()),
                v.shared_secret,
                "{ctx} Decap skRm"
            );
        }
    }
}

/// RFC 9180 §7.1.4: an all-zero DH output is an error (low-order `enc` or `pkR`).
#[test]
fn low_order_points_are_refused() {
    for k in backends() {
        let (pk, sk) = k.generate_derand(&[7u8; 32]).unwrap();
        assert_eq!(
            k.encapsulate_derand(&[0u8; 32], &[9u8; 32]).unwrap_err(),
            Error::LowOrderPoint,
            "{}",
            k.id()
        );
        assert_eq!(
            k.decapsulate(sk.expose(), &[0u8; 32]).unwrap_err(),
            Error::LowOrderPoint
        );
        let mut one = [0u8; 32];
        one[0] = 1;
        assert_eq!(
            k.decapsulate(sk.expose(), &one).unwrap_err(),
            Error::LowOrderPoint
        );
        assert!(k.encapsulate_derand(&pk, &[9u8; 32]).is_ok());
    }
}

/// A Diffie-Hellman function the DHKEM constructor must refuse: either
/// another curve's name, or X25519's name with other sizes.
struct FakeDh {
    name: &'static str,
    sizes: DhSizes,
}

impl AlgorithmId for FakeDh {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backend(&self) -> &'static str {
        "test"
    }
}

impl Dh for FakeDh {
    fn sizes(&self) -> DhSizes {
        self.sizes
    }
    fn public_key(&self, _sk: &[u8]) -> twofold_core::Result<Vec<u8>> {
        Ok(vec![0x42; self.sizes.pk])
    }
    fn dh(&self, _sk: &[u8], _pk: &[u8]) -> twofold_core::Result<SecretBytes> {
        Ok(SecretBytes::from_slice(&vec![0x42; self.sizes.shared]))
    }
}

static X448_LIKE: FakeDh = FakeDh {
    name: "X448",
    sizes: DhSizes {
        pk: 56,
        sk: 56,
        shared: 56,
    },
};
static X25519_WRONG_PK: FakeDh = FakeDh {
    name: "X25519",
    sizes: DhSizes {
        pk: 33,
        sk: 32,
        shared: 32,
    },
};
static X25519_WRONG_SK: FakeDh = FakeDh {
    name: "X25519",
    sizes: DhSizes {
        pk: 32,
        sk: 31,
        shared: 32,
    },
};
static X25519_WRONG_SHARED: FakeDh = FakeDh {
    name: "X25519",
    sizes: DhSizes {
        pk: 32,
        sk: 32,
        shared: 64,
    },
};
static NOT_X25519_SAME_SIZES: FakeDh = FakeDh {
    name: "Curve25519-variant",
    sizes: DhSizes {
        pk: 32,
        sk: 32,
        shared: 32,
    },
};

#[test]
fn constructor_accepts_x25519_only() {
    let mut x25519 = 0;
    for d in dh::all() {
        let built = hybrid::dhkem::DhKemX25519::new(d);
        if d.name() != "X25519" {
            assert!(matches!(built, Err(Error::Misuse(_))), "{}", d.id());
            continue;
        }
        let (pk, _) = built
            .unwrap()
            .generate_derand(&unhex(VECTORS[0].ikm_r))
            .unwrap();
        assert_eq!(hex::encode(pk), VECTORS[0].pk_rm, "{}", d.id());
        x25519 += 1;
    }
    assert!(x25519 > 0, "no X25519 backend");
    let refused: [&'static dyn Dh; 5] = [
        &X448_LIKE,
        &X25519_WRONG_PK,
        &X25519_WRONG_SK,
        &X25519_WRONG_SHARED,
        &NOT_X25519_SAME_SIZES,
    ];
    for d in refused {
        assert!(
            matches!(hybrid::dhkem::DhKemX25519::new(d), Err(Error::Misuse(_))),
            "{} with sizes {:?} accepted",
            d.name(),
            d.sizes()
        );
    }
}
