#!/usr/bin/env python3
"""A second implementation that reads twofold's vector files.

Recomputes, from each file's inputs and the specifications alone, every value
of the X3DH and PQXDH files (spec and signal profiles), of the Noise files
with classic, hfs and PQNoise patterns, of the X-Wing, generic-combiner,
DHKEM and XEdDSA primitive files, and of every ratchet conversation
(conversation.py; stack.py for those that start from the handshake, chaining
the PQXDH check below with conversation.py's), and compares it with the
file. It shares no code with the
Rust side: X25519, P-256, ChaCha20-Poly1305, AES-GCM and AES-CBC come from
pyca/cryptography (OpenSSL), ML-KEM and round-3 Kyber from kyber-py (pure
Python), hashes, HMAC and SHAKE from the standard library, and the Edwards
arithmetic of XEdDSA is written out below from RFC 8032 §5.1.

Usage: verify.py [--schema SCHEMA] PATH...   (files, or folders searched for
*.json). Exits 1 if any value differs or a file cannot be read; files of a
kind or suite this script does not cover are listed as skipped.
"""

import argparse
import hashlib
import hmac
import json
import struct
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from kyber_py.kyber import Kyber768, Kyber1024
from kyber_py.ml_kem import ML_KEM_512, ML_KEM_768, ML_KEM_1024

import conversation
import stack


class Skip(Exception):
    """A file this script does not cover."""


class Check:
    """Collects comparisons of recomputed bytes with a file's hex strings."""

    def __init__(self):
        self.checked = 0
        self.errors = []

    def eq(self, path, want, got):
        self.checked += 1
        if isinstance(want, (bytes, bytearray)):
            want = bytes(want).hex()
        if want != got:
            self.errors.append(f"{path}: recomputed {short(want)}, file has {short(got)}")


def short(v):
    s = str(v)
    return s if len(s) <= 40 else f"{s[:20]}...{s[-12:]} ({len(s)} chars)"


def unhex(s):
    return bytes.fromhex(s)


# --------------------------------------------------------------- X25519, AEADs


def x25519_pub(sk):
    return X25519PrivateKey.from_private_bytes(sk).public_key().public_bytes_raw()


def x25519(sk, pk):
    return X25519PrivateKey.from_private_bytes(sk).exchange(
        X25519PublicKey.from_public_bytes(pk)
    )


# --------------------------------------------------------------- Ed25519 arithmetic
# RFC 8032 §5.1: twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 over GF(p),
# extended coordinates (X, Y, Z, T) with x = X/Z, y = Y/Z, xy = T/Z.

P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P


def _recover_x(y, sign):
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * pow(2, (P - 1) // 4, P) % P
    if x & 1 != sign:
        x = P - x
    return x


_BY = 4 * pow(5, P - 2, P) % P
_BX = _recover_x(_BY, 0)
BASE = (_BX, _BY, 1, _BX * _BY % P)
IDENTITY = (0, 1, 1, 0)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(k, pt):
    acc = IDENTITY
    while k:
        if k & 1:
            acc = _add(acc, pt)
        pt = _add(pt, pt)
        k >>= 1
    return acc


def _encode(pt):
    x, y, z, _ = pt
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def _sc(b):
    return int.from_bytes(b, "little") % Q


# --------------------------------------------------------------- XEdDSA
# XEdDSA and VXEdDSA, revision 1 (Signal, 2016), §2.3 and §3.3 (spec
# profile); libsignal rust/core/src/curve/curve25519.rs calculate_signature
# (signal profile: k is not negated, hash1 takes the clamped key bytes, and
# the sign of kB goes into bit 7 of the signature's last byte).

HASH1 = b"\xfe" + b"\xff" * 31


def _clamp(k):
    b = bytearray(k)
    b[0] &= 248
    b[31] &= 127
    b[31] |= 64
    return bytes(b)


def xeddsa_sign(sk, msg, z, signal):
    kb = _clamp(sk)
    k = int.from_bytes(kb, "little")
    e_enc = _encode(_mul(k, BASE))
    sign = e_enc[31] >> 7
    if signal:
        a, a_enc = k % Q, e_enc
        r = _sc(hashlib.sha512(HASH1 + kb + msg + z).digest())
    else:
        a = (Q - k % Q) % Q if sign else k % Q
        a_enc = e_enc[:31] + bytes([e_enc[31] & 0x7F])
        r = _sc(hashlib.sha512(HASH1 + a.to_bytes(32, "little") + msg + z).digest())
    r_enc = _encode(_mul(r, BASE))
    h = _sc(hashlib.sha512(r_enc + a_enc + msg).digest())
    s = (r + h * a) % Q
    sig = bytearray(r_enc + s.to_bytes(32, "little"))
    if signal:
        sig[63] |= sign << 7
    return bytes(sig)


# --------------------------------------------------------------- KEMs
# Coins as the vector files give them: key generation d || z (FIPS 203
# ML-KEM.KeyGen_internal; round-3 Kyber draws d then z), encapsulation m.


class MlKem:
    def __init__(self, scheme):
        self.s = scheme

    def keygen(self, coins):
        return self.s._keygen_internal(coins[:32], coins[32:])

    def encaps(self, pk, m):
        ss, ct = self.s._encaps_internal(pk, m)
        return ct, ss

    def decaps(self, sk, ct):
        return self.s.decaps(sk, ct)


class KyberRound3:
    """kyber-py's round-3 Kyber, its random_bytes served from the coins."""

    def __init__(self, scheme):
        self.s = scheme

    def _feed(self, coins):
        stream = bytearray(coins)

        def take(n):
            if n > len(stream):
                raise ValueError("coins exhausted")
            out = bytes(stream[:n])
            del stream[:n]
            return out

        self.s.random_bytes = take
        return stream

    def keygen(self, coins):
        rest = self._feed(coins)
        pk, sk = self.s.keygen()
        if rest:
            raise ValueError("key generation left coins unused")
        return pk, sk

    def encaps(self, pk, m):
        rest = self._feed(m)
        ss, ct = self.s.encaps(pk)
        if rest:
            raise ValueError("encapsulation left coins unused")
        return ct, ss

    def decaps(self, sk, ct):
        return self.s.decaps(sk, ct)


class XWing:
    """draft-connolly-cfrg-xwing-kem-10 §5; the secret key in twofold's
    stored form seed || sk_M || sk_X || pk_X (2496 bytes)."""

    LABEL = b"\\.//^\\"
    M = MlKem(ML_KEM_768)

    def keygen(self, seed):
        x = hashlib.shake_256(seed).digest(96)
        pk_m, sk_m = self.M.keygen(x[:64])
        sk_x = x[64:]
        pk_x = x25519_pub(sk_x)
        return pk_m + pk_x, seed + sk_m + sk_x + pk_x

    def encaps(self, pk, eseed):
        pk_m, pk_x = pk[:1184], pk[1184:]
        ek_x = eseed[32:]
        ct_x = x25519_pub(ek_x)
        ss_x = x25519(ek_x, pk_x)
        ct_m, ss_m = self.M.encaps(pk_m, eseed[:32])
        ss = hashlib.sha3_256(ss_m + ss_x + ct_x + pk_x + self.LABEL).digest()
        return ct_m + ct_x, ss

    def decaps(self, sk, ct):
        sk_m, sk_x, pk_x = sk[32:2432], sk[2432:2464], sk[2464:]
        ct_m, ct_x = ct[:1088], ct[1088:]
        ss_m = self.M.decaps(sk_m, ct_m)
        ss_x = x25519(sk_x, ct_x)
        return hashlib.sha3_256(ss_m + ss_x + ct_x + pk_x + self.LABEL).digest()


class X25519AsKem:
    """Raw X25519 as a combiner component: ct = ephemeral public key."""

    def keygen(self, coins):
        return x25519_pub(coins), coins

    def encaps(self, pk, coins):
        return x25519_pub(coins), x25519(coins, pk)

    def decaps(self, sk, ct):
        return x25519(sk, ct)


class Combiner:
    """twofold's generic combiner (crates/twofold-primitives/src/hybrid/
    combiner.rs): ss = SHA3-256(ss1 || ss2 || ct1 || ct2 || pk1 || pk2 ||
    label), label = "twofold-combiner-v1 " || name; sk = sk1 || sk2 || pk1 ||
    pk2; coins split by the components' sizes."""

    def __init__(self, name, k1, k2, sizes):
        self.label = b"twofold-combiner-v1 " + name.encode()
        self.k = (k1, k2)
        # (pk, sk, ct, keygen coins, encaps coins) of each component
        self.z = sizes

    def keygen(self, coins):
        (a, b), (za, zb) = self.k, self.z
        pk1, sk1 = a.keygen(coins[: za[3]])
        pk2, sk2 = b.keygen(coins[za[3] :])
        return pk1 + pk2, sk1 + sk2 + pk1 + pk2

    def _ss(self, ss1, ss2, ct1, ct2, pk1, pk2):
        return hashlib.sha3_256(ss1 + ss2 + ct1 + ct2 + pk1 + pk2 + self.label).digest()

    def encaps(self, pk, coins):
        (a, b), (za, zb) = self.k, self.z
        pk1, pk2 = pk[: za[0]], pk[za[0] :]
        ct1, ss1 = a.encaps(pk1, coins[: za[4]])
        ct2, ss2 = b.encaps(pk2, coins[za[4] :])
        return ct1 + ct2, self._ss(ss1, ss2, ct1, ct2, pk1, pk2)

    def decaps(self, sk, ct):
        (a, b), (za, zb) = self.k, self.z
        sk1, rest = sk[: za[1]], sk[za[1] :]
        sk2, rest = rest[: zb[1]], rest[zb[1] :]
        pk1, pk2 = rest[: za[0]], rest[za[0] :]
        ct1, ct2 = ct[: za[2]], ct[za[2] :]
        return self._ss(a.decaps(sk1, ct1), b.decaps(sk2, ct2), ct1, ct2, pk1, pk2)


def _hkdf_extract(hashfn, salt, ikm):
    return hmac.new(salt, ikm, hashfn).digest()


def _hkdf_expand(hashfn, prk, info, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes([i]), hashfn).digest()
        out += t
        i += 1
    return out[:n]


def hkdf(hashfn, salt, ikm, info, n):
    """RFC 5869."""
    return _hkdf_expand(hashfn, _hkdf_extract(hashfn, salt, ikm), info, n)


class DhKemX25519:
    """RFC 9180 §4.1 DHKEM(X25519, HKDF-SHA256), kem_id 0x0020; the secret
    key twofold stores is skR || pkR; key generation coins are DeriveKeyPair's
    ikm, encapsulation coins the ephemeral's ikm."""

    SUITE = b"KEM" + struct.pack(">H", 0x0020)

    def _lx(self, salt, label, ikm):
        return _hkdf_extract(hashlib.sha256, salt, b"HPKE-v1" + self.SUITE + label + ikm)

    def _le(self, prk, label, info, n):
        return _hkdf_expand(
            hashlib.sha256, prk, struct.pack(">H", n) + b"HPKE-v1" + self.SUITE + label + info, n
        )

    def _derive(self, ikm):
        sk = self._le(self._lx(b"", b"dkp_prk", ikm), b"sk", b"", 32)
        return sk, x25519_pub(sk)

    def keygen(self, coins):
        sk, pk = self._derive(coins)
        return pk, sk + pk

    def _ss(self, dh, enc, pk_r):
        prk = self._lx(b"", b"eae_prk", dh)
        return self._le(prk, b"shared_secret", enc + pk_r, 32)

    def encaps(self, pk, coins):
        sk_e, enc = self._derive(coins)
        return enc, self._ss(x25519(sk_e, pk), enc, pk)

    def decaps(self, sk, ct):
        return self._ss(x25519(sk[:32], ct), ct, sk[32:])


ML768, ML1024 = MlKem(ML_KEM_768), MlKem(ML_KEM_1024)
KYBER1024 = KyberRound3(Kyber1024)
KYBER768 = KyberRound3(Kyber768)
X25519K = X25519AsKem()
KEMS = {
    "ML-KEM-768": ML768,
    "ML-KEM-1024": ML1024,
    "Kyber1024": KYBER1024,
    "Kyber768": KYBER768,
    "X-Wing": XWing(),
    "DHKEM(X25519,HKDF-SHA256)": DhKemX25519(),
    "X25519+ML-KEM-768": Combiner(
        "X25519+ML-KEM-768", X25519K, ML768, ((32, 32, 32, 32, 32), (1184, 2400, 1088, 64, 32))
    ),
    "X25519+ML-KEM-1024": Combiner(
        "X25519+ML-KEM-1024", X25519K, ML1024, ((32, 32, 32, 32, 32), (1568, 3168, 1568, 64, 32))
    ),
    "X25519+Kyber1024": Combiner(
        "X25519+Kyber1024", X25519K, KYBER1024, ((32, 32, 32, 32, 32), (1568, 3168, 1568, 64, 32))
    ),
}


def algorithm(part):
    """A suite part without its backend (`ML-KEM-768@libcrux` -> `ML-KEM-768`)."""
    return part.split("@")[0]


# --------------------------------------------------------------- primitives


def verify_kem(doc, c):
    kem = KEMS.get(algorithm(doc["suite"]))
    if kem is None:
        raise Skip(f"KEM {doc['suite']}")
    for i, v in enumerate(doc["vectors"]):
        base = f"$.vectors[{i}].outputs"
        inp, out = v["inputs"], v["outputs"]
        pk, sk = kem.keygen(unhex(inp["keygen coins"]))
        ct, ss = kem.encaps(pk, unhex(inp["encaps coins"]))
        bad = bytearray(ct)
        bad[0] ^= 1
        for name, want in [
            ("pk", pk),
            ("sk", sk),
            ("ct", ct),
            ("ss", ss),
            ("decapsulated ss", kem.decaps(sk, ct)),
            ("modified ct", bytes(bad)),
            ("ss of modified ct", kem.decaps(sk, bytes(bad))),
        ]:
            c.eq(f'{base}["{name}"]', want, out.get(name))


def verify_signature(doc, c):
    name = algorithm(doc["suite"])
    if name not in ("XEdDSA", "XEdDSA-signal"):
        raise Skip(f"signature {doc['suite']}")
    for i, v in enumerate(doc["vectors"]):
        base = f"$.vectors[{i}].outputs"
        inp, out = v["inputs"], v["outputs"]
        sk = unhex(inp["keygen coins"])
        c.eq(f"{base}.sk", sk, out.get("sk"))
        c.eq(f"{base}.pk", x25519_pub(sk), out.get("pk"))
        sig = xeddsa_sign(sk, unhex(inp["message"]), unhex(inp["sign coins"]), name != "XEdDSA")
        c.eq(f"{base}.signature", sig, out.get("signature"))


# --------------------------------------------------------------- X3DH / PQXDH
# X3DH rev 1 §3.3, PQXDH rev 1 §3.3; the spec profile's type bytes, payload
# key and wire format are twofold's documented choices (vectors/README.md),
# the signal profile's are libsignal's.

SPEC_KEM_TYPES = {
    "ML-KEM-512": 0x21,
    "ML-KEM-768": 0x22,
    "ML-KEM-1024": 0x23,
    "Kyber512": 0x31,
    "Kyber768": 0x32,
    "Kyber1024": 0x33,
    "X-Wing": 0x41,
}
SIGNAL_PQXDH_INFO = b"WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024"
SIGNAL_X3DH_INFO = b"WhisperText"
PAYLOAD_KEY_INFO = b"twofold XDH v1 initial payload key"




class PrekeyRun:
    """One X3DH or PQXDH run from a vector's inputs, computed from the
    specifications alone: Bob's bundle, every value of both sides (`a`,
    `r`: name -> bytes, as the steps name them), the session secrets, and
    the encoder of the initial message."""

    def __init__(self, suite, inp, payload):
        parts = [algorithm(p) for p in suite.split("_")]
        proto, profile, curve, hash_name = parts[:4]
        kem_name = parts[4] if proto == "PQXDH" else None
        if curve != "X25519":
            raise Skip(f"curve {curve}")
        self.signal = signal = profile == "signal"
        hashfn = {"SHA-256": hashlib.sha256, "SHA-512": hashlib.sha512}[hash_name]
        hash_len = hashfn().digest_size
        ec_t = 0x05 if signal else 0x11
        self.ec_t = ec_t
        self.kem = kem = KEMS[kem_name] if kem_name else None
        self.kem_t = kem_t = (0x08 if signal else SPEC_KEM_TYPES[kem_name]) if kem_name else None
        self.inp = inp
        enc_ec = self.enc_ec

        ik_a_sk, ik_b_sk = unhex(inp["IK_A secret"]), unhex(inp["IK_B secret"])
        ik_a, ik_b = x25519_pub(ik_a_sk), x25519_pub(ik_b_sk)
        self.spk_sk = spk_sk = unhex(inp["SPK_B secret"])
        self.spk = spk = x25519_pub(spk_sk)
        spk_sig = xeddsa_sign(ik_b_sk, enc_ec(spk), unhex(inp["SPK_B signature coins"]), signal)
        opk_sk = unhex(inp["OPK_B secret"]) if "OPK_B secret" in inp else None
        self.opk = opk = x25519_pub(opk_sk) if opk_sk else None
        # The bundle Alice fetches: (member path, value).
        self.bundle = [
            (".IK_B", ik_b),
            (".SPK_B.id", inp["SPK_B id"]),
            (".SPK_B.public", spk),
            (".SPK_B.signature", spk_sig),
        ]
        if opk:
            self.bundle += [(".OPK_B.id", inp["OPK_B id"]), (".OPK_B.public", opk)]
        if kem:
            k = inp["PQPK_B"]
            pqpk, pqpk_sk = kem.keygen(unhex(k["keygen_coins"]))
            pq_sig = xeddsa_sign(
                ik_b_sk, bytes([kem_t]) + pqpk, unhex(k["signature_coins"]), signal
            )
            self.bundle += [
                (".PQPK_B.id", k["id"]),
                (".PQPK_B.kind", k["kind"]),
                (".PQPK_B.public", pqpk),
                (".PQPK_B.signature", pq_sig),
            ]

        # Alice (initiator)
        ek_sk = unhex(inp["EK_A coins"])
        self.ek = ek = x25519_pub(ek_sk)
        self.ik_a = ik_a
        a = {
            "IK_A": ik_a,
            "IK_A secret": ik_a_sk,
            "IK_B": ik_b,
            "SPK_B": spk,
            "EK_A secret": ek_sk,
            "EK_A": ek,
            "DH1": x25519(ik_a_sk, spk),
            "DH2": x25519(ek_sk, ik_b),
            "DH3": x25519(ek_sk, spk),
        }
        names = ["DH1", "DH2", "DH3"]
        if opk:
            a["OPK_B"], a["DH4"] = opk, x25519(ek_sk, opk)
            names.append("DH4")
        ct = None
        if kem:
            ct, ss = kem.encaps(pqpk, unhex(inp["CT coins"]))
            a.update({"PQPK_B": pqpk, "CT": ct, "SS": ss})
            names.append("SS")
        # Bob (responder) from his secrets and what the message carries.
        r = {
            "IK_A": ik_a,
            "EK_A": ek,
            "IK_B": ik_b,
            "IK_B secret": ik_b_sk,
            "SPK_B": spk,
            "SPK_B secret": spk_sk,
            "DH1": x25519(spk_sk, ik_a),
            "DH2": x25519(ik_b_sk, ek),
            "DH3": x25519(spk_sk, ek),
        }
        if opk:
            r.update({"OPK_B": opk, "OPK_B secret": opk_sk, "DH4": x25519(opk_sk, ek)})
        if kem:
            r.update(
                {"CT": ct, "PQPK_B": pqpk, "PQPK_B secret": pqpk_sk, "SS": kem.decaps(pqpk_sk, ct)}
            )
        if signal:
            info, length = (SIGNAL_PQXDH_INFO, 96) if kem else (SIGNAL_X3DH_INFO, 64)
        else:
            info = inp["info"].encode("ascii")
            if kem:
                info += b"_" + curve.encode() + b"_" + hash_name.encode() + b"_" + kem_name.encode()
            length = 32
        self.secrets = {}
        for party, t in (("initiator", a), ("responder", r)):
            t["KM"] = b"".join(t[n] for n in names)
            t["F"], t["salt"], t["info"] = b"\xff" * 32, bytes(hash_len), info
            t["IKM"] = t["F"] + t["KM"]
            okm = hkdf(hashfn, t["salt"], t["IKM"], info, length)
            t["AD"] = enc_ec(ik_a) + enc_ec(ik_b)
            if signal:
                t["OKM"], t["RK"], t["CK"] = okm, okm[:32], okm[32:64]
                if kem:
                    t["PQRK"] = okm[64:]
                out = {"RK": t["RK"], "CK": t["CK"], "AD": t["AD"]}
                if kem:
                    out["PQRK"] = t["PQRK"]
            else:
                t["SK"] = okm
                t["K_init"] = hkdf(hashfn, bytes(hash_len), okm, PAYLOAD_KEY_INFO, 32)
                out = {"SK": t["SK"], "AD": t["AD"]}
            self.secrets[party] = out
        self.a, self.r, self.ct = a, r, ct
        if payload is not None:
            for t in (a, r):
                t["payload"] = payload
                if not signal:
                    t["payload ciphertext"] = ChaCha20Poly1305(t["K_init"]).encrypt(
                        bytes(12), payload, t["AD"]
                    )
            a["initial message"] = self.initial_message(
                payload if signal else a["payload ciphertext"]
            )

    def enc_ec(self, k):
        return bytes([self.ec_t]) + k

    def initial_message(self, sealed):
        """The initial message carrying `sealed` (signal: libsignal's
        PreKeySignalMessage around a SignalMessage; spec: twofold's format
        around the AEAD ciphertext)."""
        inp, enc_ec, kem = self.inp, self.enc_ec, self.kem
        if self.signal:
            pb = conversation.pb_field
            wire = bytes([0x44 if kem else 0x33])
            if self.opk:
                wire += pb(1, inp["OPK_B id"])
            wire += pb(2, enc_ec(self.ek)) + pb(3, enc_ec(self.ik_a)) + pb(4, sealed)
            wire += pb(5, inp.get("registration id", 0)) + pb(6, inp["SPK_B id"])
            if kem:
                wire += pb(7, inp["PQPK_B"]["id"]) + pb(8, bytes([self.kem_t]) + self.ct)
            return wire
        wire = bytes([0x04 if kem else 0x03, 1 if self.opk else 0])
        wire += enc_ec(self.ik_a) + enc_ec(self.ek) + struct.pack(">I", inp["SPK_B id"])
        if self.opk:
            wire += struct.pack(">I", inp["OPK_B id"])
        if kem:
            field = bytes([self.kem_t]) + self.ct
            wire += struct.pack(">IH", inp["PQPK_B"]["id"], len(field)) + field
        return wire + struct.pack(">I", len(sealed)) + sealed


def compare_steps(c, base, steps, values):
    """A side's steps against the values it computed: every step a value of
    that name, and every value a step. `values`: party -> {name: bytes}."""
    for j, s in enumerate(steps):
        t = values[s["party"]]
        if s["name"] not in t:
            c.errors.append(f"{base}[{j}]: this script does not compute {s['name']!r}")
            continue
        c.eq(f"{base}[{j}].hex", t[s["name"]], s["hex"])
    seen = {(s["party"], s["name"]) for s in steps}
    for party, t in values.items():
        for n in t:
            if (party, n) not in seen:
                c.errors.append(f"{base}: no step {n!r} of the {party}")


def verify_prekey(doc, c):
    for i, v in enumerate(doc["vectors"]):
        base = f"$.vectors[{i}]"
        payload = unhex(v["inputs"]["payload"])
        run = PrekeyRun(doc["suite"], v["inputs"], payload)
        for member, want in run.bundle:
            got = v["bundle"]
            for key in member.strip(".").split("."):
                got = got.get(key, {}) if isinstance(got, dict) else None
            c.eq(f"{base}.bundle{member}", want, got)
        m = v["messages"]
        c.eq(f"{base}.messages.length", 1, len(m))
        c.eq(f"{base}.messages[0].hex", run.a["initial message"], m[0]["hex"])
        compare_steps(c, f"{base}.steps", v["steps"], {"initiator": run.a, "responder": run.r})
        o = v["outputs"]
        for party in ("initiator", "responder"):
            want = run.secrets[party]
            c.eq(f"{base}.outputs.{party}.keys", sorted(want), sorted(o[party]))
            for key, val in want.items():
                c.eq(f"{base}.outputs.{party}.{key}", val, o[party].get(key))
        c.eq(f'{base}.outputs["payload received"]', payload, o["payload received"])


# --------------------------------------------------------------- Noise
# The Noise Protocol Framework rev 34 (§5 state objects, §7 patterns, §9
# PSKs); noise_hfs.md §5 (the hfs modifier: e1 after the first e, or after
# the first DH of that message if it has one; ekem1 after the first ee) as
# snow 0.10 applies it; PQNoise patterns and tokens as clatter 2.3 defines
# them (handshakepattern.rs, handshakestate/pq.rs): e = KEM public key in
# clear, ekem = ciphertext in clear then MixHash and MixKey, skem =
# EncryptAndHash(ciphertext) then MixKeyAndHash.

PATTERNS = {
    # name: (initiator pre-message, responder pre-message, messages)
    "NN": ([], [], [["e"], ["e", "ee"]]),
    "XX": ([], [], [["e"], ["e", "ee", "s", "es"], ["s", "se"]]),
    "IK": ([], ["s"], [["e", "es", "s", "ss"], ["e", "ee", "se"]]),
    "pqNN": ([], [], [["e"], ["ekem"]]),
    "pqXX": ([], [], [["e"], ["ekem", "s"], ["skem", "s"], ["skem"]]),
    "pqIK": ([], ["s"], [["skem", "e", "s"], ["ekem", "skem"]]),
}
NOISE_KEMS = {
    "Kyber1024": ML1024,  # snow's Kyber1024 is the FIPS 203 draft: ML-KEM on the wire
    "MLKEM768": ML768,
    "MLKEM1024": ML1024,
    "X-Wing": KEMS["X-Wing"],
}
KEM_SIZES = {id(ML768): (1184, 1088), id(ML1024): (1568, 1568), id(KEMS["X-Wing"]): (1216, 1120)}
HASHES = {
    "SHA256": hashlib.sha256,
    "SHA512": hashlib.sha512,
    "BLAKE2s": hashlib.blake2s,
    "BLAKE2b": hashlib.blake2b,
}
DH_TOKENS = ("ee", "es", "se", "ss")


def noise_pattern(base, modifiers):
    pre_i, pre_r, msgs = PATTERNS[base]
    msgs = [list(m) for m in msgs]
    for mod in modifiers:
        if mod.startswith("psk"):
            n = int(mod[3:])
            if n == 0:
                msgs[0].insert(0, "psk")
            else:
                msgs[n - 1].append("psk")
        elif mod == "hfs":
            for m in msgs:
                if "e" in m:
                    dhs = [j for j, t in enumerate(m) if t in DH_TOKENS]
                    m.insert(dhs[0] + 1 if dhs else m.index("e") + 1, "e1")
                    break
            for m in msgs:
                if "ee" in m:
                    m.insert(m.index("ee") + 1, "ekem1")
                    break
        else:
            raise Skip(f"modifier {mod}")
    return pre_i, pre_r, msgs


class Cipher:
    def __init__(self, name, key):
        self.aead = ChaCha20Poly1305(key) if name == "ChaChaPoly" else AESGCM(key)
        self.le = name == "ChaChaPoly"
        self.n = 0

    def _nonce(self):
        return bytes(4) + struct.pack("<Q" if self.le else ">Q", self.n)

    def enc(self, ad, pt):
        c = self.aead.encrypt(self._nonce(), pt, ad)
        self.n += 1
        return c

    def dec(self, ad, ct):
        p = self.aead.decrypt(self._nonce(), ct, ad)
        self.n += 1
        return p


class Symmetric:
    """SymmetricState (rev 34 §5.2), logging every h, ck and k."""

    def __init__(self, hashfn, cipher, name):
        self.H, self.cname = hashfn, cipher
        hl = hashfn().digest_size
        n = name.encode()
        self.h = n.ljust(hl, b"\0") if len(n) <= hl else hashfn(n).digest()
        self.ck, self.c = self.h, None
        self.log = {"h": [self.h], "ck": [self.ck], "k": []}

    def _hkdf(self, ikm, n):
        tk = hmac.new(self.ck, ikm, self.H).digest()
        out, prev = [], b""
        for i in range(1, n + 1):
            prev = hmac.new(tk, prev + bytes([i]), self.H).digest()
            out.append(prev)
        return out

    def _key(self, k):
        self.c = Cipher(self.cname, k[:32])
        self.log["k"].append(k[:32])

    def mix_hash(self, data):
        self.h = self.H(self.h + data).digest()
        self.log["h"].append(self.h)

    def mix_key(self, ikm):
        self.ck, k = self._hkdf(ikm, 2)
        self.log["ck"].append(self.ck)
        self._key(k)

    def mix_key_and_hash(self, ikm):
        self.ck, th, k = self._hkdf(ikm, 3)
        self.mix_hash(th)
        self.log["ck"].append(self.ck)
        self._key(k)

    def tag(self):
        return 16 if self.c else 0

    def encrypt_and_hash(self, pt):
        c = self.c.enc(self.h, pt) if self.c else pt
        self.mix_hash(c)
        return c

    def decrypt_and_hash(self, c):
        p = self.c.dec(self.h, c) if self.c else c
        self.mix_hash(c)
        return p

    def split(self):
        k1, k2 = self._hkdf(b"", 2)
        return k1[:32], k2[:32]


class Party:
    def __init__(self, initiator, info, keys, rkeys, prologue, psks):
        self.i, self.info, self.k, self.rk = initiator, info, keys, rkeys
        self.psks = list(psks)
        self.ss = Symmetric(info["hash"], info["cipher"], info["name"])
        self.ss.mix_hash(prologue)
        pq = info["kind"] == "pq"
        for owner_is_me, pre in ((initiator, info["pre_i"]), (not initiator, info["pre_r"])):
            for _ in pre:  # only "s"
                src = keys if owner_is_me else rkeys
                self.ss.mix_hash(src["s_kem_pk"] if pq else src["s_pk"])
        self.re = self.rs = self.re_kem = self.rs_kem = None
        if not initiator and info["pre_i"]:
            self.rs_kem, self.rs = rkeys.get("s_kem_pk"), rkeys.get("s_pk")
        if initiator and info["pre_r"]:
            self.rs_kem, self.rs = rkeys.get("s_kem_pk"), rkeys.get("s_pk")

    def _log(self, name, value):
        self.ss.log.setdefault(name, []).append(value)
        return value

    def _dh(self, t):
        i, k = self.i, self.k
        local = {"ee": "e", "ss": "s", "es": "e" if i else "s", "se": "s" if i else "e"}[t]
        remote = {"ee": "re", "ss": "rs", "es": "rs" if i else "re", "se": "re" if i else "rs"}[t]
        return x25519(k[local + "_sk"], getattr(self, remote))

    def write(self, tokens, payload, coins):
        ss, k, out, pq = self.ss, self.k, b"", self.info["kind"] == "pq"
        psk = self.info["psk"]
        for t in tokens:
            if t == "e":
                pk = k["e_kem_pk"] if pq else k["e_pk"]
                out += pk
                ss.mix_hash(pk)
                if psk:
                    ss.mix_key(pk)
            elif t == "s":
                out += ss.encrypt_and_hash(k["s_kem_pk"] if pq else k["s_pk"])
            elif t in DH_TOKENS:
                ss.mix_key(self._log(t, self._dh(t)))
            elif t == "psk":
                ss.mix_key_and_hash(self.psks.pop(0))
            elif t == "e1":
                out += ss.encrypt_and_hash(k["e_kem_pk"])
            elif t in ("ekem1", "ekem", "skem"):
                kem = self.info["skem" if t == "skem" else "ekem"]
                ct, sec = kem.encaps(self.rs_kem if t == "skem" else self.re_kem, coins.pop(0))
                self._log(f"{t} ct", ct)
                self._log(f"{t} ss", sec)
                if t == "ekem":
                    out += ct
                    ss.mix_hash(ct)
                    ss.mix_key(sec)
                elif t == "ekem1":
                    out += ss.encrypt_and_hash(ct)
                    ss.mix_key(sec)
                else:
                    out += ss.encrypt_and_hash(ct)
                    ss.mix_key_and_hash(sec)
        if coins:
            raise ValueError("encaps_coins left unused")
        return out + ss.encrypt_and_hash(payload)

    def read(self, tokens, msg):
        ss, k, pq, psk = self.ss, self.k, self.info["kind"] == "pq", self.info["psk"]
        dh_len = 32
        ek_len, ect_len = self.info["ekem_sizes"]
        sk_len, sct_len = self.info["skem_sizes"]

        def take(n):
            nonlocal msg
            if n > len(msg):
                raise ValueError("message too short")
            head, msg = msg[:n], msg[n:]
            return head

        for t in tokens:
            if t == "e":
                pk = take(ek_len if pq else dh_len)
                if pq:
                    self.re_kem = pk
                else:
                    self.re = pk
                ss.mix_hash(pk)
                if psk:
                    ss.mix_key(pk)
            elif t == "s":
                pk = ss.decrypt_and_hash(take((sk_len if pq else dh_len) + ss.tag()))
                if pq:
                    self.rs_kem = pk
                else:
                    self.rs = pk
            elif t in DH_TOKENS:
                ss.mix_key(self._log(t, self._dh(t)))
            elif t == "psk":
                ss.mix_key_and_hash(self.psks.pop(0))
            elif t == "e1":
                self.re_kem = ss.decrypt_and_hash(take(ek_len + ss.tag()))
            elif t == "ekem":
                ct = self._log("ekem ct", take(ect_len))
                ss.mix_hash(ct)
                ss.mix_key(self._log("ekem ss", self.info["ekem"].decaps(k["e_kem_sk"], ct)))
            elif t == "ekem1":
                ct = self._log("ekem1 ct", ss.decrypt_and_hash(take(ect_len + ss.tag())))
                ss.mix_key(self._log("ekem1 ss", self.info["ekem"].decaps(k["e_kem_sk"], ct)))
            elif t == "skem":
                ct = self._log("skem ct", ss.decrypt_and_hash(take(sct_len + ss.tag())))
                sec = self._log("skem ss", self.info["skem"].decaps(k["s_kem_sk"], ct))
                ss.mix_key_and_hash(sec)
        return ss.decrypt_and_hash(msg)


def verify_noise(doc, c):
    _, pat, prims, cipher, hash_name = doc["suite"].split("_")
    kind = "pq" if pat.startswith("pq") else "hybrid" if pat.startswith("hybrid") else "classic"
    if kind == "hybrid":
        raise Skip("hybrid patterns")
    body = pat[2:] if kind == "pq" else pat
    base = "pq" if kind == "pq" else ""
    while body and body[0].isupper():
        base, body = base + body[0], body[1:]
    modifiers = body.split("+") if body else []
    if base not in PATTERNS:
        raise Skip(f"pattern {base}")
    if hash_name not in HASHES or cipher not in ("ChaChaPoly", "AESGCM"):
        raise Skip(f"{cipher}/{hash_name}")
    prims = prims.split("+")
    if kind == "classic":
        if prims[0] != "25519":
            raise Skip(f"DH {prims[0]}")
        ekem = skem = NOISE_KEMS[prims[1]] if len(prims) > 1 else None
    else:
        ekem, skem = NOISE_KEMS[prims[0]], NOISE_KEMS[prims[-1]]
    pre_i, pre_r, msgs = noise_pattern(base, modifiers)
    info = {
        "name": doc["suite"],
        "kind": kind,
        "hash": HASHES[hash_name],
        "cipher": cipher,
        "pre_i": pre_i,
        "pre_r": pre_r,
        "psk": any("psk" in m for m in msgs),
        "ekem": ekem,
        "skem": skem,
        "ekem_sizes": KEM_SIZES.get(id(ekem), (0, 0)),
        "skem_sizes": KEM_SIZES.get(id(skem), (0, 0)),
    }
    one_way = len(msgs) == 1
    for vi, v in enumerate(doc["vectors"]):
        b = f"$.vectors[{vi}]"
        keys = {}
        for who in ("init", "resp"):
            kk = {}
            if f"{who}_static" in v:
                kk["s_sk"] = unhex(v[f"{who}_static"])
                kk["s_pk"] = x25519_pub(kk["s_sk"])
            if f"{who}_ephemeral" in v:
                kk["e_sk"] = unhex(v[f"{who}_ephemeral"])
                kk["e_pk"] = x25519_pub(kk["e_sk"])
            if f"{who}_static_kem_coins" in v:
                kk["s_kem_pk"], kk["s_kem_sk"] = skem.keygen(unhex(v[f"{who}_static_kem_coins"]))
                c.eq(f"{b}.{who}_static_kem_public", kk["s_kem_pk"], v.get(f"{who}_static_kem_public"))
            if f"{who}_ephemeral_kem_coins" in v:
                kk["e_kem_pk"], kk["e_kem_sk"] = ekem.keygen(
                    unhex(v[f"{who}_ephemeral_kem_coins"])
                )
                c.eq(
                    f"{b}.{who}_ephemeral_kem_public",
                    kk["e_kem_pk"],
                    v.get(f"{who}_ephemeral_kem_public"),
                )
            keys[who] = kk
        for who, other, pre in (("init", "resp", pre_r), ("resp", "init", pre_i)):
            if pre:
                if kind == "pq":
                    c.eq(f"{b}.{who}_remote_static_kem", keys[other]["s_kem_pk"], v.get(f"{who}_remote_static_kem"))
                else:
                    c.eq(f"{b}.{who}_remote_static", keys[other]["s_pk"], v.get(f"{who}_remote_static"))
        parties = [
            Party(True, info, keys["init"], keys["resp"], unhex(v["init_prologue"]),
                  [unhex(p) for p in v.get("init_psks", [])]),
            Party(False, info, keys["resp"], keys["init"], unhex(v["resp_prologue"]),
                  [unhex(p) for p in v.get("resp_psks", [])]),
        ]
        messages = v["messages"]
        for j, tokens in enumerate(msgs):
            w = parties[j % 2]
            rd = parties[1 - j % 2]
            m = messages[j]
            coins = [unhex(x) for x in m.get("encaps_coins", [])]
            out = w.write(tokens, unhex(m["payload"]), coins)
            c.eq(f"{b}.messages[{j}].ciphertext", out, m["ciphertext"])
            got = rd.read(tokens, out)
            c.eq(f"{b}.messages[{j}].payload", got, m["payload"])
        h = parties[0].ss.h
        c.eq(f"{b}.handshake_hash", h, v["handshake_hash"])
        c.eq(f"{b}.handshake_hash (responder)", parties[1].ss.h, v["handshake_hash"])
        k1, k2 = parties[0].ss.split()
        for p in parties:
            p.ss.log["k1"], p.ss.log["k2"] = [k1], [k2]
        to_resp, to_init = Cipher(cipher, k1), Cipher(cipher, k2)
        for j in range(len(msgs), len(messages)):
            m = messages[j]
            cs = to_resp if one_way or j % 2 == 0 else to_init
            c.eq(f"{b}.messages[{j}].ciphertext", cs.enc(b"", unhex(m["payload"])), m["ciphertext"])
        # Every h, ck, k, k1, k2, DH output and KEM ciphertext and secret of
        # each party, in order.
        for party, p in (("initiator", parties[0]), ("responder", parties[1])):
            for name, seq in p.ss.log.items():
                where = [j for j, s in enumerate(v["steps"]) if s["party"] == party and s["name"] == name]
                c.eq(f"{b}.steps ({party} {name!r} count)", len(seq), len(where))
                for val, j in zip(seq, where):
                    c.eq(f"{b}.steps[{j}].hex", val, v["steps"][j]["hex"])


# --------------------------------------------------------------- driver

# What conversation.py takes from here (it shares no state with this file).
CONVERSATION_LIB = {
    "hkdf": hkdf,
    "x25519": x25519,
    "x25519_pub": x25519_pub,
    "kems": KEMS,
    "Skip": Skip,
    # For conversations that start from a handshake (stack.py).
    "PrekeyRun": PrekeyRun,
    "compare_steps": compare_steps,
}


def verify_conversation(doc, c):
    if "+" in doc["suite"].split("_")[0]:
        # A handshake into a ratchet: PQXDH+TripleRatchet_signal_...
        stack.verify_stack(doc, c, CONVERSATION_LIB)
    else:
        conversation.verify_conversation(doc, c, CONVERSATION_LIB)


KINDS = {
    "kem": verify_kem,
    "signature": verify_signature,
    "prekey": verify_prekey,
    "noise": verify_noise,
    "conversation": verify_conversation,
}


def files(paths):
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(x for x in p.rglob("*.json") if not x.name.endswith(".schema.json"))
        else:
            yield p


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schema", help="also validate every file against this JSON Schema")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    validator = None
    if args.schema:
        import jsonschema

        schema = json.loads(Path(args.schema).read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
    ok = failed = skipped = 0
    for f in files(args.paths):
        try:
            doc = json.loads(f.read_text())
        except (OSError, ValueError) as e:
            print(f"ERROR {f}: {e}")
            failed += 1
            continue
        if validator:
            problems = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
            if problems:
                failed += 1
                print(f"FAIL  {f}: does not match the schema")
                for e in problems[:10]:
                    print(f"      $.{'.'.join(map(str, e.path))}: {e.message[:200]}")
                continue
        c = Check()
        try:
            if doc.get("format") != "twofold-vectors" or doc.get("version") != 1:
                raise Skip("not a twofold-vectors version 1 file")
            verify = KINDS.get(doc.get("kind"))
            if verify is None:
                raise Skip(f"kind {doc.get('kind')!r}")
            verify(doc, c)
        except Skip as e:
            skipped += 1
            print(f"skip  {f}: {e}")
            continue
        except (KeyError, ValueError, TypeError, IndexError, AssertionError) as e:
            c.errors.append(f"cannot recompute: {type(e).__name__}: {e}")
        if c.errors or c.checked == 0:
            failed += 1
            print(f"FAIL  {f}: {len(c.errors)} differences")
            for e in c.errors[:20]:
                print(f"      {e}")
        else:
            ok += 1
            print(f"ok    {f}  ({doc['suite']}: {c.checked} values recomputed)")
    print(f"python verifier: {ok} files ok, {failed} failing, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
