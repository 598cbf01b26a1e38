#!/usr/bin/env python3
"""Vectors for twofold's own constructions, computed with code that shares
nothing with the crate.

Some constructions in twofold-primitives have no published test vectors
because they are ours or libsignal's compositions: the generic KEM combiner,
AES-256-CBC + truncated HMAC-SHA256, HKDF and HMAC over BLAKE2, the two
XEdDSA profiles and the Ed25519 + ML-DSA-65 composite signature. Round-3
Kyber has one backend in the crate, and libsignal's message-key test leaves
out the IV. For all of these the strongest evidence available is a second
implementation: this script restates each formula in Python on top of
independent primitives (pyca/cryptography = OpenSSL for X25519, AES-CBC,
PKCS#7, HKDF and Ed25519; CPython's hashlib/hmac for SHA-2, SHA-3 and BLAKE2;
kyber-py for ML-KEM and round-3 Kyber; dilithium-py for ML-DSA; PyNaCl =
libsodium for the Ed25519 scalar and point arithmetic) and writes the results
to `tests/data/independent_vectors.json`, which `tests/independent_vectors.rs`
checks the Rust code against.

Where a primitive has two independent implementations at hand (HKDF, HMAC
over BLAKE2; X25519 public keys; Ed25519 verification of XEdDSA signatures),
the script computes it both ways and stops if they disagree.

    python3 independent_vectors.py          # rewrite the JSON file
    python3 independent_vectors.py --check  # fail if it would change
"""

import hashlib
import hmac
import json
import sys
from pathlib import Path

import nacl.bindings as sodium
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives import hmac as ossl_hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from dilithium_py.ml_dsa import ML_DSA_65
from kyber_py.kyber import Kyber512, Kyber768, Kyber1024
from kyber_py.ml_kem import ML_KEM_768, ML_KEM_1024

OUT = Path(__file__).resolve().parent.parent / "data" / "independent_vectors.json"


def inputs(label: str, n: int) -> bytes:
    """Deterministic test inputs (not a security claim): SHAKE-256(label)."""
    return hashlib.shake_256(label.encode()).digest(n)


def sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


# --------------------------------------------------------------------------
# Generic KEM combiner:
#   pk = pk1 || pk2, ct = ct1 || ct2, sk = sk1 || sk2 || pk1 || pk2,
#   ss = SHA3-256(ss1 || ss2 || ct1 || ct2 || pk1 || pk2 || label),
#   label = "twofold-combiner-v1 " || name.
# --------------------------------------------------------------------------


class X25519Kem:
    """Raw X25519 as a KEM: sk = coins, ct = ephemeral public key."""

    keygen_coins = 32
    encaps_coins = 32

    @staticmethod
    def public(sk):
        return X25519PrivateKey.from_private_bytes(sk).public_key().public_bytes_raw()

    def keygen(self, coins):
        return self.public(coins), coins

    def encaps(self, pk, coins):
        ss = X25519PrivateKey.from_private_bytes(coins).exchange(
            X25519PublicKey.from_public_bytes(pk)
        )
        return self.public(coins), ss

    def decaps(self, sk, ct):
        return X25519PrivateKey.from_private_bytes(sk).exchange(
            X25519PublicKey.from_public_bytes(ct)
        )


class MlKem:
    """FIPS 203 ML-KEM from kyber-py: keygen coins d || z, encaps coins m."""

    keygen_coins = 64
    encaps_coins = 32

    def __init__(self, scheme):
        self.scheme = scheme

    def keygen(self, coins):
        return self.scheme._keygen_internal(coins[:32], coins[32:])

    def encaps(self, pk, coins):
        ss, ct = self.scheme._encaps_internal(pk, coins)
        return ct, ss

    def decaps(self, sk, ct):
        return self.scheme.decaps(sk, ct)


class KyberRound3:
    """Round-3 Kyber from kyber-py, its randomness read from the coins
    (keygen draws d then z, encaps draws m, as the reference code does)."""

    keygen_coins = 64
    encaps_coins = 32

    def __init__(self, scheme):
        self.scheme = scheme

    def _feed(self, coins):
        stream = bytearray(coins)

        def take(n):
            if n > len(stream):
                raise ValueError("coins exhausted")
            out = bytes(stream[:n])
            del stream[:n]
            return out

        self.scheme.random_bytes = take
        return stream

    def keygen(self, coins):
        rest = self._feed(coins)
        pk, sk = self.scheme.keygen()
        assert not rest, "keygen did not use all its coins"
        return pk, sk

    def encaps(self, pk, coins):
        rest = self._feed(coins)
        ss, ct = self.scheme.encaps(pk)
        assert not rest, "encaps did not use all its coins"
        return ct, ss

    def decaps(self, sk, ct):
        return self.scheme.decaps(sk, ct)


COMBINERS = [
    ("X25519+ML-KEM-768", X25519Kem(), MlKem(ML_KEM_768)),
    ("X25519+ML-KEM-1024", X25519Kem(), MlKem(ML_KEM_1024)),
    ("X25519+Kyber1024", X25519Kem(), KyberRound3(Kyber1024)),
]


def combiner_vectors():
    out = []
    for name, k1, k2 in COMBINERS:
        label = b"twofold-combiner-v1 " + name.encode()
        for case in range(2):
            tag = f"combiner {name} {case}"
            kc = inputs(tag + " keygen", k1.keygen_coins + k2.keygen_coins)
            ec = inputs(tag + " encaps", k1.encaps_coins + k2.encaps_coins)
            pk1, sk1 = k1.keygen(kc[: k1.keygen_coins])
            pk2, sk2 = k2.keygen(kc[k1.keygen_coins :])
            ct1, ss1 = k1.encaps(pk1, ec[: k1.encaps_coins])
            ct2, ss2 = k2.encaps(pk2, ec[k1.encaps_coins :])
            assert k1.decaps(sk1, ct1) == ss1 and k2.decaps(sk2, ct2) == ss2
            ss = hashlib.sha3_256(ss1 + ss2 + ct1 + ct2 + pk1 + pk2 + label).digest()
            out.append(
                {
                    "name": name,
                    "keygen_coins": kc.hex(),
                    "encaps_coins": ec.hex(),
                    "pk_sha256": sha256(pk1 + pk2),
                    "sk_sha256": sha256(sk1 + sk2 + pk1 + pk2),
                    "ct_sha256": sha256(ct1 + ct2),
                    "ss": ss.hex(),
                }
            )
    return out


def shake_rng(seed: bytes, n: int) -> bytes:
    """twofold's documented test stream: SHAKE256("twofold rng v1" || seed)."""
    return hashlib.shake_256(b"twofold rng v1" + seed).digest(n)


def kyber_round3_vectors():
    """Round-3 Kyber on its own. The first Kyber1024 case uses the coins of
    the fixed PQXDH signal-profile run in twofold-handshake's signal_kat.rs
    (Bob's one-time Kyber prekey, and the 32 bytes after Alice's ephemeral
    X25519 key)."""
    coins = [
        (
            "Kyber1024",
            "signal_kat fixed run",
            shake_rng(b"kat bob one-time kyber", 64),
            shake_rng(b"kat alice ephemeral", 64)[32:],
        )
    ]
    for name in ["Kyber512", "Kyber768", "Kyber1024"]:
        for i in range(2):
            kc = inputs(f"{name} {i} keygen", 64)
            coins.append((name, f"case {i}", kc, inputs(f"{name} {i} m", 32)))
    schemes = {"Kyber512": Kyber512, "Kyber768": Kyber768, "Kyber1024": Kyber1024}
    out = []
    for name, what, kc, m in coins:
        kem = KyberRound3(schemes[name])
        pk, sk = kem.keygen(kc)
        ct, ss = kem.encaps(pk, m)
        assert kem.decaps(sk, ct) == ss
        out.append(
            {
                "name": name,
                "what": what,
                "keygen_coins": kc.hex(),
                "encaps_coins": m.hex(),
                "pk_sha256": sha256(pk),
                "sk_sha256": sha256(sk),
                "ct_sha256": sha256(ct),
                "ss": ss.hex(),
            }
        )
    return out


# --------------------------------------------------------------------------
# AES-256-CBC-HMAC-SHA256 (libsignal's message body): key = cipher_key (32)
# || mac_key (32), nonce = IV (16), output = c || HMAC-SHA256(mac_key,
# aad || c)[:8] with c = AES-256-CBC-PKCS#7(cipher_key, IV, plaintext).
# --------------------------------------------------------------------------


def cbc_hmac_vectors():
    out = []
    for n in [0, 1, 15, 16, 17, 31, 32, 33, 100]:
        key = inputs(f"cbc {n} key", 64)
        iv = inputs(f"cbc {n} iv", 16)
        aad = inputs(f"cbc {n} aad", n % 7 * 11)
        pt = inputs(f"cbc {n} pt", n)
        padder = padding.PKCS7(128).padder()
        padded = padder.update(pt) + padder.finalize()
        enc = Cipher(algorithms.AES(key[:32]), modes.CBC(iv)).encryptor()
        c = enc.update(padded) + enc.finalize()
        tag = hmac.new(key[32:], aad + c, hashlib.sha256).digest()[:8]
        out.append(
            {
                "key": key.hex(),
                "nonce": iv.hex(),
                "aad": aad.hex(),
                "plaintext": pt.hex(),
                "sealed": (c + tag).hex(),
            }
        )
    return out


# --------------------------------------------------------------------------
# HMAC (RFC 2104) and HKDF (RFC 5869) over BLAKE2s-256 and BLAKE2b-512.
# --------------------------------------------------------------------------

BLAKE2 = {
    "BLAKE2s": (hashlib.blake2s, lambda: hashes.BLAKE2s(32), 64),
    "BLAKE2b": (hashlib.blake2b, lambda: hashes.BLAKE2b(64), 128),
}


def hmac_both(name, key, msg):
    py_hash, ossl_hash, _ = BLAKE2[name]
    a = hmac.new(key, msg, py_hash).digest()
    h = ossl_hmac.HMAC(key, ossl_hash())
    h.update(msg)
    assert a == h.finalize(), f"HMAC-{name}: hmac and OpenSSL disagree"
    return a


def hkdf_rfc5869(name, salt, ikm, info, length):
    """RFC 5869 §2.2-2.3 written out; empty salt = HashLen zeros."""
    py_hash = BLAKE2[name][0]
    hash_len = py_hash().digest_size
    prk = hmac.new(salt or bytes(hash_len), ikm, py_hash).digest()
    okm, t = b"", b""
    for i in range(1, -(-length // hash_len) + 1):
        t = hmac.new(prk, t + info + bytes([i]), py_hash).digest()
        okm += t
    return prk, okm[:length]


def libsignal_message_keys():
    """libsignal's chain-key test (signalapp/libsignal,
    rust/protocol/src/ratchet/keys.rs, test_chain_key_derivation) publishes
    CK, the message-key seed HMAC-SHA256(CK, 0x01), the cipher and MAC keys
    and the next CK, but not the IV (bytes 64..80 of the same HKDF output);
    this recomputes all 80 bytes with OpenSSL's HKDF."""
    ck = bytes.fromhex("8ab72d6f4cc5ac0d387eaf463378ddb28edd07385b1cb01250c715982e7ad48f")
    seed = hmac.new(ck, b"\x01", hashlib.sha256).digest()
    okm = HKDF(
        algorithm=hashes.SHA256(), length=80, salt=None, info=b"WhisperMessageKeys"
    ).derive(seed)
    published = (
        "bf51e9d75e0e31031051f82a2491ffc084fa298b7793bd9db620056febf45217"
        "c6c77d6a73a354337a56435e34607dfe48e3ace14e77314dc6abc172e7a7030b"
    )
    assert okm[:64].hex() == published, "libsignal's published keys not reproduced"
    return {"ck": ck.hex(), "seed": seed.hex(), "okm": okm.hex()}


def hmac_vectors():
    out = []
    for name, (_, _, block) in BLAKE2.items():
        for klen in [0, 16, block, block + 1]:
            for mlen in [0, 3, block * 2 + 5]:
                key = inputs(f"hmac {name} {klen} {mlen} key", klen)
                msg = inputs(f"hmac {name} {klen} {mlen} msg", mlen)
                out.append(
                    {
                        "hash": name,
                        "key": key.hex(),
                        "msg": msg.hex(),
                        "mac": hmac_both(name, key, msg).hex(),
                    }
                )
    return out


def hkdf_vectors():
    out = []
    for name, (py_hash, ossl_hash, block) in BLAKE2.items():
        hash_len = py_hash().digest_size
        cases = [
            (0, 22, 0, 1),
            (13, 22, 10, hash_len),
            (block + 36, 80, 80, 2 * hash_len + 13),
            (hash_len, 1, 200, 255 * hash_len),
        ]
        for i, (slen, ilen, nlen, length) in enumerate(cases):
            salt = inputs(f"hkdf {name} {i} salt", slen)
            ikm = inputs(f"hkdf {name} {i} ikm", ilen)
            info = inputs(f"hkdf {name} {i} info", nlen)
            prk, okm = hkdf_rfc5869(name, salt, ikm, info, length)
            ossl = HKDF(
                algorithm=ossl_hash(), length=length, salt=salt or None, info=info
            ).derive(ikm)
            assert okm == ossl, f"HKDF-{name} case {i}: RFC 5869 and OpenSSL disagree"
            out.append(
                {
                    "kdf": f"HKDF-{name}",
                    "salt": salt.hex(),
                    "ikm": ikm.hex(),
                    "info": info.hex(),
                    "prk": prk.hex(),
                    "okm": okm.hex(),
                }
            )
    return out


# --------------------------------------------------------------------------
# XEdDSA over libsodium's Ed25519 arithmetic.
#
# spec ("XEdDSA", signal.org/docs/specifications/xeddsa §2.5, §3):
#   k = clamp(sk), E = kB, a = k or -k (mod q) so that A = aB has sign 0,
#   r = SHA-512(0xFE || 0xFF*31 || a || M || Z) mod q, R = rB,
#   h = SHA-512(R || A || M) mod q, s = r + h*a mod q, sig = R || s.
# signal ("XEdDSA-signal", libsignal's deployed variant):
#   a = k mod q, A = E (any sign), r = SHA-512(0xFE || 0xFF*31 || clamp(sk)
#   || M || Z) mod q, s as above, sig = R || s with A's sign in bit 7 of
#   byte 63.
# --------------------------------------------------------------------------

HASH1_PREFIX = b"\xfe" + b"\xff" * 31


def clamp(k: bytes) -> bytes:
    b = bytearray(k)
    b[0] &= 248
    b[31] &= 127
    b[31] |= 64
    return bytes(b)


def scalar(b: bytes) -> bytes:
    """A 32- or 64-byte little-endian integer reduced mod q."""
    return sodium.crypto_core_ed25519_scalar_reduce(b.ljust(64, b"\0"))


def xeddsa_sign(sk: bytes, msg: bytes, z: bytes, signal: bool):
    k_bytes = clamp(sk)
    k = scalar(k_bytes)
    e = sodium.crypto_scalarmult_ed25519_base_noclamp(k)
    e_sign = e[31] >> 7
    u = sodium.crypto_scalarmult_base(sk)
    assert u == X25519Kem.public(sk), "libsodium and OpenSSL X25519 disagree"
    assert sodium.crypto_sign_ed25519_pk_to_curve25519(e) == u
    if signal:
        a, a_enc = k, e
        r = scalar(hashlib.sha512(HASH1_PREFIX + k_bytes + msg + z).digest())
    else:
        a = sodium.crypto_core_ed25519_scalar_negate(k) if e_sign else k
        a_enc = sodium.crypto_scalarmult_ed25519_base_noclamp(a)
        assert a_enc[31] >> 7 == 0 and a_enc[:31] == e[:31]
        r = scalar(hashlib.sha512(HASH1_PREFIX + a + msg + z).digest())
    big_r = sodium.crypto_scalarmult_ed25519_base_noclamp(r)
    h = scalar(hashlib.sha512(big_r + a_enc + msg).digest())
    s = sodium.crypto_core_ed25519_scalar_add(
        sodium.crypto_core_ed25519_scalar_mul(h, a), r
    )
    sig = big_r + s
    # Either way R || s must be a plain Ed25519 signature under a_enc.
    assert sodium.crypto_sign_open(sig + msg, a_enc) == msg
    if signal:
        sig = sig[:63] + bytes([sig[63] | e_sign << 7])
    return u, sig, e_sign


def xeddsa_vectors():
    out = []
    for profile, signal in [("XEdDSA", False), ("XEdDSA-signal", True)]:
        for i, mlen in enumerate([0, 1, 33, 64, 100, 1569]):
            msg = inputs(f"xeddsa {profile} {i} msg", mlen)
            z = inputs(f"xeddsa {profile} {i} Z", 64)
            # Alternate the sign bit of kB, the case the profiles treat apart.
            for j in range(64):
                sk = inputs(f"xeddsa {profile} {i} sk {j}", 32)
                pk, sig, sign_bit = xeddsa_sign(sk, msg, z, signal)
                if sign_bit == i % 2:
                    break
            assert sign_bit == i % 2
            out.append(
                {
                    "profile": profile,
                    "sk": sk.hex(),
                    "pk": pk.hex(),
                    "msg": msg.hex(),
                    "z": z.hex(),
                    "sig": sig.hex(),
                    "sign_bit_of_kB": sign_bit,
                }
            )
    return out


# --------------------------------------------------------------------------
# Composite signature Ed25519 + ML-DSA-65: both sign M' = label || msg,
#   pk = pk_ed || pk_ml, sk = seed_ed || sk_ml (FIPS 204 skEncode),
#   sig = Ed25519(seed_ed, M') || ML-DSA-65.Sign_internal(sk_ml, 0 || 0 || M', rnd)
#   (pure ML-DSA, empty context), keygen coins = seed_ed || xi, sign coins = rnd.
# --------------------------------------------------------------------------


def composite_vectors():
    label = b"twofold-composite-v1 Ed25519+ML-DSA-65"
    out = []
    for i, mlen in enumerate([0, 17, 300]):
        kc = inputs(f"composite {i} keygen", 64)
        rnd = bytes(32) if i == 0 else inputs(f"composite {i} rnd", 32)
        msg = inputs(f"composite {i} msg", mlen)
        ed = Ed25519PrivateKey.from_private_bytes(kc[:32])
        pk_ed = ed.public_key().public_bytes_raw()
        pk_ml, sk_ml = ML_DSA_65._keygen_internal(kc[32:])
        m = label + msg
        sig_ed = ed.sign(m)
        sig_ml = ML_DSA_65._sign_internal(sk_ml, b"\0\0" + m, rnd)
        assert ML_DSA_65.verify(pk_ml, m, sig_ml)
        out.append(
            {
                "name": "Ed25519+ML-DSA-65",
                "keygen_coins": kc.hex(),
                "sign_coins": rnd.hex(),
                "msg": msg.hex(),
                "pk_sha256": sha256(pk_ed + pk_ml),
                "sk_sha256": sha256(kc[:32] + sk_ml),
                "sig_sha256": sha256(sig_ed + sig_ml),
            }
        )
    return out


def main():
    data = {
        "about": (
            "Computed by tests/python/independent_vectors.py with pyca/cryptography, "
            "hashlib/hmac, kyber-py, dilithium-py and PyNaCl (versions in requirements.txt); "
            "do not edit by hand."
        ),
        "kem_combiner": combiner_vectors(),
        "kyber_round3": kyber_round3_vectors(),
        "aes_256_cbc_hmac_sha256": cbc_hmac_vectors(),
        "hmac_blake2": hmac_vectors(),
        "hkdf_blake2": hkdf_vectors(),
        "libsignal_message_keys": libsignal_message_keys(),
        "xeddsa": xeddsa_vectors(),
        "composite_signature": composite_vectors(),
    }
    text = json.dumps(data, indent=1) + "\n"
    if "--check" in sys.argv[1:]:
        if OUT.read_text() != text:
            sys.exit(f"{OUT} differs from what the script computes now")
        print(f"{OUT.name}: reproduced")
    else:
        OUT.write_text(text)
        print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
