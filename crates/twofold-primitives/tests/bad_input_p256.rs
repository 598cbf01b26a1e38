//! Bad input to every P-256 backend: wrong lengths, wrong tags, points off
//! the curve or not reduced mod p, the identity, and scalars outside
//! `[1, n - 1]` are typed errors, never panics; key generation redraws an
//! out-of-range scalar instead of failing.
//!
//! Constants: `p`, `n` and the base point `G` of NIST SP 800-186 (P-256);
//! the point `(0, y0)` is the public key of Wycheproof
//! `ecdh_secp256r1_ecpoint_test.json` tcId 69 (see kat_p256.rs).
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod p256_common;

use p256_common::{GX, GY, backends, h, point};
use twofold_core::{CryptoRng, Error, ShakeRng};

const P: &str = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
const N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const N_PLUS_1: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632552";
const N_MINUS_1: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550";
/// y of the curve point with x = 0.
const Y0: &str = "66485c780e2f83d72433bd5d84a06bb6541c2af31dae871728bf856a174f93f4";
const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Scalars outside `[1, n - 1]`.
fn bad_scalars() -> Vec<Vec<u8>> {
    vec![h(ZERO), h(N), h(N_PLUS_1), vec![0xFF; 32]]
}

fn is_length_error<T>(r: &twofold_core::Result<T>) -> bool {
    matches!(r, Err(Error::InvalidLength { .. }))
}

fn is_encoding_error<T>(r: &twofold_core::Result<T>) -> bool {
    matches!(r, Err(Error::InvalidEncoding(_)))
}

#[test]
fn the_constants_are_a_valid_pair() {
    // G and (0, y0) are accepted, so the refusals below are about the
    // changes made to them and nothing else.
    let sk = h(N_MINUS_1);
    for d in backends() {
        assert!(d.dh(&sk, &point(GX, GY)).is_ok(), "{}", d.id());
        assert!(d.dh(&sk, &point(ZERO, Y0)).is_ok(), "{}", d.id());
        assert!(d.public_key(&sk).is_ok(), "{}", d.id());
        assert!(d.generate_derand(&sk).is_ok(), "{}", d.id());
    }
}

#[test]
fn wrong_lengths_are_length_errors() {
    let mut rng = ShakeRng::new(b"bad_input_p256 lengths");
    for d in backends() {
        let (pk, sk) = d.generate(&mut rng).unwrap();
        for len in [0, 1, 31, 33, 64] {
            let bad = vec![7u8; len];
            assert!(is_length_error(&d.public_key(&bad)), "{} sk {len}", d.id());
            assert!(is_length_error(&d.dh(&bad, &pk)), "{} sk {len}", d.id());
            assert!(
                is_length_error(&d.generate_derand(&bad)),
                "{} coins {len}",
                d.id()
            );
        }
        // 33 bytes: a compressed point (refused by design); 64: the point
        // without its tag; 66: one byte too many.
        let mut compressed = vec![0x02 | (pk[64] & 1)];
        compressed.extend_from_slice(&pk[1..33]);
        let mut long = pk.clone();
        long.push(0);
        for bad in [vec![], vec![0x00], compressed, pk[1..].to_vec(), long] {
            assert!(
                is_length_error(&d.dh(sk.expose(), &bad)),
                "{} pk of {} bytes",
                d.id(),
                bad.len()
            );
        }
    }
}

#[test]
fn tags_other_than_uncompressed_are_refused() {
    let sk = h(N_MINUS_1);
    for d in backends() {
        // 0x02/0x03 compressed, 0x06/0x07 hybrid (SEC 1 §2.3.4, X9.62).
        for tag in [0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x30, 0xFF] {
            let mut pk = point(GX, GY);
            pk[0] = tag;
            assert!(
                is_encoding_error(&d.dh(&sk, &pk)),
                "{} tag {tag:#04x}",
                d.id()
            );
        }
    }
}

#[test]
fn points_off_the_curve_are_refused() {
    let sk = h(N_MINUS_1);
    for d in backends() {
        for bit in [0, 1, 7, 255] {
            for coordinate in [1usize, 33] {
                let mut pk = point(GX, GY);
                pk[coordinate + 31 - bit / 8] ^= 1 << (bit % 8);
                assert!(
                    is_encoding_error(&d.dh(&sk, &pk)),
                    "{} bit {bit} of coordinate at byte {coordinate}",
                    d.id()
                );
            }
        }
        // The identity has no affine coordinates; (0, 0) is not on the curve.
        assert!(
            is_encoding_error(&d.dh(&sk, &point(ZERO, ZERO))),
            "{}",
            d.id()
        );
        assert!(is_encoding_error(&d.dh(&sk, &[0u8; 65])), "{}", d.id());
    }
}

#[test]
fn coordinates_not_reduced_mod_p_are_refused() {
    // (p, y0) is (0, y0) with x written as x + p: the same point mod p, but
    // not a field element encoding.
    let sk = h(N_MINUS_1);
    for d in backends() {
        assert!(is_encoding_error(&d.dh(&sk, &point(P, Y0))), "{}", d.id());
        assert!(
            is_encoding_error(&d.dh(&sk, &point(GX, "ff".repeat(32).as_str()))),
            "{}",
            d.id()
        );
    }
}

#[test]
fn scalars_outside_the_range_are_refused() {
    let pk = point(GX, GY);
    for d in backends() {
        for sk in bad_scalars() {
            let ctx = format!("{} scalar {}", d.id(), hex::encode(&sk));
            assert!(is_encoding_error(&d.generate_derand(&sk)), "{ctx}");
            assert!(is_encoding_error(&d.public_key(&sk)), "{ctx}");
            assert!(is_encoding_error(&d.dh(&sk, &pk)), "{ctx}");
        }
    }
}

/// Gives the queued blocks first, then a stream.
struct Queue {
    blocks: Vec<Vec<u8>>,
    then: ShakeRng,
}

impl CryptoRng for Queue {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if self.blocks.is_empty() {
            self.then.fill_bytes(dest);
        } else {
            let block = self.blocks.remove(0);
            assert_eq!(block.len(), dest.len(), "draws are 32 bytes");
            dest.copy_from_slice(&block);
        }
    }
}

#[test]
fn key_generation_redraws_out_of_range_scalars() {
    let good = h(N_MINUS_1);
    for d in backends() {
        let mut rng = Queue {
            blocks: bad_scalars().into_iter().chain([good.clone()]).collect(),
            then: ShakeRng::new(b"unused"),
        };
        let (pk, sk) = d.generate(&mut rng).unwrap();
        assert_eq!(sk.expose(), good.as_slice(), "{}", d.id());
        assert_eq!(pk, d.public_key(&good).unwrap(), "{}", d.id());
        assert!(rng.blocks.is_empty(), "{} drew more than needed", d.id());
    }
}

/// An RNG stuck on zeros never gives a scalar; key generation must end with
/// an error rather than loop.
#[test]
fn key_generation_with_a_stuck_rng_fails() {
    struct Zeros;
    impl CryptoRng for Zeros {
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            dest.fill(0);
        }
    }
    for d in backends() {
        assert!(
            matches!(d.generate(&mut Zeros), Err(Error::Misuse(_))),
            "{}",
            d.id()
        );
    }
}

#[test]
fn garbage_never_panics() {
    let mut rng = ShakeRng::new(b"bad_input_p256 garbage");
    for d in backends() {
        let (_, sk) = d.generate(&mut rng).unwrap();
        for _ in 0..64 {
            let mut pk = vec![0u8; 65];
            rng.fill_bytes(&mut pk);
            pk[0] = 0x04;
            // A random string is a curve point with probability about 2^-256.
            assert!(is_encoding_error(&d.dh(sk.expose(), &pk)), "{}", d.id());
            let mut s = vec![0u8; 32];
            rng.fill_bytes(&mut s);
            // A random scalar is out of range with probability about 2^-32.
            assert!(d.public_key(&s).is_ok(), "{}", d.id());
        }
    }
}
