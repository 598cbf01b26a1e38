//! P-256 ECDH known answers for every P-256 backend.
//!
//! Values:
//! * RFC 5903 §8.1 (256-bit random ECP group): the initiator's `i`, `gix`,
//!   `giy`, the responder's `r`, `grx`, `gry`, and the shared `girx`.
//! * NIST CAVS 14.1 ECC CDH primitive vectors (`ecccdhtestvectors.zip`,
//!   `KAS_ECC_CDH_PrimitiveTest.txt`, section `[P-256]`), COUNT 0 to 4:
//!   `QCAVSx`, `QCAVSy`, `dIUT`, `QIUTx`, `QIUTy`, `ZIUT`.
//! * Wycheproof `testvectors_v1/ecdh_secp256r1_ecpoint_test.json`, all 355
//!   tests, in `tests/data/wycheproof_ecdh_secp256r1_ecpoint.txt` (source
//!   and format in its header).
//! * The base point `G` of NIST SP 800-186 (P-256), as the public key of the
//!   scalar 1.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod p256_common;

use p256_common::{GX, GY, backends, h, point};
use twofold_core::Error;

#[test]
fn sizes() {
    for d in backends() {
        let s = d.sizes();
        assert_eq!((s.pk, s.sk, s.shared), (65, 32, 32), "{}", d.id());
        assert!(d.takes_coins(), "{}", d.id());
    }
}

#[test]
fn rfc5903_section_8_1() {
    let i = h("c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433");
    let gi = point(
        "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180",
        "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
    );
    let r = h("c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53");
    let gr = point(
        "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63",
        "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
    );
    let girx = h("d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de");
    for d in backends() {
        assert_eq!(d.public_key(&i).unwrap(), gi, "{} g^i", d.id());
        assert_eq!(d.public_key(&r).unwrap(), gr, "{} g^r", d.id());
        let (pk, sk) = d.generate_derand(&i).unwrap();
        assert_eq!(pk, gi, "{}", d.id());
        assert_eq!(sk.expose(), i.as_slice(), "{}", d.id());
        assert_eq!(
            d.dh(&i, &gr).unwrap().expose(),
            girx.as_slice(),
            "{}",
            d.id()
        );
        assert_eq!(
            d.dh(&r, &gi).unwrap().expose(),
            girx.as_slice(),
            "{}",
            d.id()
        );
    }
}

/// (COUNT, QCAVSx, QCAVSy, dIUT, QIUTx, QIUTy, ZIUT)
const CAVS: [(u32, &str, &str, &str, &str, &str, &str); 5] = [
    (
        0,
        "700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287",
        "db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac",
        "7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534",
        "ead218590119e8876b29146ff89ca61770c4edbbf97d38ce385ed281d8a6b230",
        "28af61281fd35e2fa7002523acc85a429cb06ee6648325389f59edfce1405141",
        "46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b",
    ),
    (
        1,
        "809f04289c64348c01515eb03d5ce7ac1a8cb9498f5caa50197e58d43a86a7ae",
        "b29d84e811197f25eba8f5194092cb6ff440e26d4421011372461f579271cda3",
        "38f65d6dce47676044d58ce5139582d568f64bb16098d179dbab07741dd5caf5",
        "119f2f047902782ab0c9e27a54aff5eb9b964829ca99c06b02ddba95b0a3f6d0",
        "8f52b726664cac366fc98ac7a012b2682cbd962e5acb544671d41b9445704d1d",
        "057d636096cb80b67a8c038c890e887d1adfa4195e9b3ce241c8a778c59cda67",
    ),
    (
        2,
        "a2339c12d4a03c33546de533268b4ad667debf458b464d77443636440ee7fec3",
        "ef48a3ab26e20220bcda2c1851076839dae88eae962869a497bf73cb66faf536",
        "1accfaf1b97712b85a6f54b148985a1bdc4c9bec0bd258cad4b3d603f49f32c8",
        "d9f2b79c172845bfdb560bbb01447ca5ecc0470a09513b6126902c6b4f8d1051",
        "f815ef5ec32128d3487834764678702e64e164ff7315185e23aff5facd96d7bc",
        "2d457b78b4614132477618a5b077965ec90730a8c81a1c75d6d4ec68005d67ec",
    ),
    (
        3,
        "df3989b9fa55495719b3cf46dccd28b5153f7808191dd518eff0c3cff2b705ed",
        "422294ff46003429d739a33206c8752552c8ba54a270defc06e221e0feaf6ac4",
        "207c43a79bfee03db6f4b944f53d2fb76cc49ef1c9c4d34d51b6c65c4db6932d",
        "24277c33f450462dcb3d4801d57b9ced05188f16c28eda873258048cd1607e0d",
        "c4789753e2b1f63b32ff014ec42cd6a69fac81dfe6d0d6fd4af372ae27c46f88",
        "96441259534b80f6aee3d287a6bb17b5094dd4277d9e294f8fe73e48bf2a0024",
    ),
    (
        4,
        "41192d2813e79561e6a1d6f53c8bc1a433a199c835e141b05a74a97b0faeb922",
        "1af98cc45e98a7e041b01cf35f462b7562281351c8ebf3ffa02e33a0722a1328",
        "59137e38152350b195c9718d39673d519838055ad908dd4757152fd8255c09bf",
        "a8c5fdce8b62c5ada598f141adb3b26cf254c280b2857a63d2ad783a73115f6b",
        "806e1aafec4af80a0d786b3de45375b517a7e5b51ffb2c356537c9e6ef227d4a",
        "19d44c8d63e8e8dd12c22a87b8cd4ece27acdde04dbf47f7f27537a6999a8e62",
    ),
];

#[test]
fn nist_cavs_ecc_cdh_primitive() {
    for d in backends() {
        for (count, qcavs_x, qcavs_y, d_iut, qiut_x, qiut_y, z_iut) in CAVS {
            let ctx = format!("{} COUNT = {count}", d.id());
            let d_iut = h(d_iut);
            assert_eq!(
                d.public_key(&d_iut).unwrap(),
                point(qiut_x, qiut_y),
                "{ctx} QIUT"
            );
            let z = d.dh(&d_iut, &point(qcavs_x, qcavs_y)).unwrap();
            assert_eq!(z.expose(), h(z_iut).as_slice(), "{ctx} ZIUT");
        }
    }
}

#[test]
fn scalar_one_gives_the_base_point() {
    let mut one = [0u8; 32];
    one[31] = 1;
    let g = point(GX, GY);
    for d in backends() {
        assert_eq!(d.public_key(&one).unwrap(), g, "{}", d.id());
    }
}

/// One Wycheproof test (see the data file's header).
struct Wycheproof {
    tc_id: u32,
    result: &'static str,
    flags: Vec<&'static str>,
    public: Vec<u8>,
    private: [u8; 32],
    shared: Vec<u8>,
}

/// Wycheproof writes the private key as a big-endian integer, sometimes with
/// a leading zero byte and sometimes shorter than 32 bytes; twofold's secret
/// key is the same integer in exactly 32 bytes.
fn scalar_32(integer: &[u8]) -> [u8; 32] {
    let first = integer
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(integer.len());
    let digits = &integer[first..];
    assert!(digits.len() <= 32, "private key longer than 32 bytes");
    let mut out = [0u8; 32];
    out[32 - digits.len()..].copy_from_slice(digits);
    out
}

fn field(s: &'static str) -> Vec<u8> {
    if s == "-" { Vec::new() } else { h(s) }
}

fn wycheproof() -> Vec<Wycheproof> {
    let text = include_str!("data/wycheproof_ecdh_secp256r1_ecpoint.txt");
    let tests: Vec<Wycheproof> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let f: Vec<&'static str> = line.split(' ').collect();
            assert_eq!(f.len(), 6, "malformed line: {line}");
            Wycheproof {
                tc_id: f[0].parse().expect("tcId"),
                result: f[1],
                flags: f[2].split(',').collect(),
                public: field(f[3]),
                private: scalar_32(&field(f[4])),
                shared: field(f[5]),
            }
        })
        .collect();
    // The whole file, in order: a lost or doubled line shows here.
    assert_eq!(tests.len(), 355);
    for (i, t) in tests.iter().enumerate() {
        assert_eq!(t.tc_id as usize, i + 1);
    }
    tests
}

#[test]
fn wycheproof_valid_cases() {
    let tests = wycheproof();
    let valid: Vec<_> = tests.iter().filter(|t| t.result == "valid").collect();
    assert_eq!(valid.len(), 330);
    for d in backends() {
        for t in &valid {
            let got = d.dh(&t.private, &t.public);
            assert_eq!(
                got.as_ref().map(|s| s.expose()),
                Ok(t.shared.as_slice()),
                "{} tcId {} {:?}",
                d.id(),
                t.tc_id,
                t.flags
            );
        }
    }
}

/// Every case that is not "valid" is refused with a typed error. The one
/// "acceptable" case (tcId 2) is a compressed public key, which twofold
/// refuses by design (see the `dh` module docs). The 24 invalid ones are 16
/// uncompressed points off the curve (InvalidCurveAttack), the empty key and
/// 7 compressed points (not on the curve, or on its twist). A 65-byte key is
/// refused as InvalidEncoding, a key of any other length as InvalidLength.
#[test]
fn wycheproof_acceptable_and_invalid_cases_are_refused() {
    let tests = wycheproof();
    let refused: Vec<_> = tests.iter().filter(|t| t.result != "valid").collect();
    let acceptable: Vec<_> = refused
        .iter()
        .filter(|t| t.result == "acceptable")
        .collect();
    assert_eq!(acceptable.len(), 1);
    assert!(acceptable[0].flags.contains(&"CompressedPoint"));
    assert_eq!(refused.len() - acceptable.len(), 24);
    let off_curve = refused
        .iter()
        .filter(|t| t.flags.contains(&"InvalidCurveAttack"))
        .count();
    assert_eq!(off_curve, 16);
    for d in backends() {
        for t in &refused {
            let got = d.dh(&t.private, &t.public);
            let typed = if t.public.len() == 65 {
                matches!(got, Err(Error::InvalidEncoding(_)))
            } else {
                matches!(got, Err(Error::InvalidLength { .. }))
            };
            assert!(
                typed,
                "{} tcId {} {} {:?}: {:?}",
                d.id(),
                t.tc_id,
                t.result,
                t.flags,
                got.map(|s| hex::encode(s.expose()))
            );
        }
    }
}
