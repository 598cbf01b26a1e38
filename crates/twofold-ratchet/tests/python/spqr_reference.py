#!/usr/bin/env python3
"""Second implementation of the SPQR leaf formulas, standard library only.

Writes the known answers that tests/spqr_*.rs check the Rust code against:

* spqr_gf16.json: products and inverses in GF(2^16) modulo x^16+x^12+x^3+x+1,
  computed here through log / antilog tables of the generator x (the Rust
  code multiplies by shift-and-reduce: a different method).
* spqr_authenticator.json: the authenticator key schedule and its two MACs,
  and the epoch secret derivation, with HKDF written out from RFC 5869 over
  `hmac`/`hashlib`.
* spqr_erasure.json: the systematic Reed-Solomon chunks of messages of the
  four V1 sizes, parity computed by plain Lagrange interpolation (the Rust
  code uses barycentric weights).

These values are NOT taken from Signal's deployed `spqr` crate: they are what
an independent reading of the formulas gives. Before writing anything the
script checks its HKDF against the SPQR chain values that Signal's `spqr`
v1.5.3 produced (the same values tests/spqr_chain.rs pins), so at least its
KDF is tied to the deployed code.

Usage: spqr_reference.py OUT_DIR        write the three files
       spqr_reference.py --check DIR    exit 1 unless DIR holds exactly them
"""

import hashlib
import hmac
import json
import os
import sys

# ---------------------------------------------------------------------------
# HKDF-SHA256 (RFC 5869)
# ---------------------------------------------------------------------------


def hkdf(salt, ikm, info, length):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


ZERO32 = bytes(32)
PREFIX = b"Signal_PQCKA_V1_MLKEM768"


def be64(n):
    return n.to_bytes(8, "big")


# ---------------------------------------------------------------------------
# Self-check against the deployed chain (Signal spqr v1.5.3 outputs)
# ---------------------------------------------------------------------------

DEPLOYED_CHAIN = {
    "a2b_epoch0_key1": "9bcdfae095d09aa8ab367dd231d1d271fe580b555bcc6f64ff079d53d9a9db5d",
    "b2a_epoch0_key1": "8ede114ee798830a3d35a383e72e96d82a9adca0ac699c12fdf99069220e2da8",
    "a2b_epoch1_key1": "d98893fe758781d8cd76547d3413c2ed3e53de72b2a697ba4ef5b8213db3d8d3",
}


def check_hkdf_against_deployed_chain():
    g = hkdf(ZERO32, bytes([0x29]) * 32, b"Signal PQ Ratchet V1 Chain  Start", 96)

    def key1(seed):
        o = hkdf(ZERO32, seed, (1).to_bytes(4, "big") + b"Signal PQ Ratchet V1 Chain Next", 64)
        return o[32:].hex()

    assert key1(g[32:64]) == DEPLOYED_CHAIN["a2b_epoch0_key1"]
    assert key1(g[64:96]) == DEPLOYED_CHAIN["b2a_epoch0_key1"]
    g1 = hkdf(g[0:32], bytes([0x07]) * 32, b"Signal PQ Ratchet V1 Chain Add Epoch", 96)
    assert key1(g1[32:64]) == DEPLOYED_CHAIN["a2b_epoch1_key1"]


# ---------------------------------------------------------------------------
# Deterministic public inputs
# ---------------------------------------------------------------------------


def stream(label, n):
    """n bytes of SHA-256(label || BE32(i)) for i = 0, 1, ..."""
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha256(label + i.to_bytes(4, "big")).digest()
        i += 1
    return out[:n]


# ---------------------------------------------------------------------------
# Authenticator and epoch secrets
# ---------------------------------------------------------------------------


class Authenticator:
    def __init__(self, auth_key, epoch):
        self.root = ZERO32
        self.mac_key = ZERO32
        self.update(epoch, auth_key)

    def update(self, epoch, key):
        out = hkdf(ZERO32, self.root + key, PREFIX + b":Authenticator Update" + be64(epoch), 64)
        self.root, self.mac_key = out[:32], out[32:]

    def mac(self, label, epoch, data):
        return hmac.new(self.mac_key, PREFIX + label + be64(epoch) + data, hashlib.sha256).digest()


def epoch_secret(epoch, shared_secret):
    return hkdf(ZERO32, shared_secret, PREFIX + b":SCKA Key" + be64(epoch), 32)


def authenticator_data():
    cases = []
    for name, auth_key, epochs in [
        ("auth key 29x32, epochs 1..3", bytes([0x29]) * 32, [1, 2, 3]),
        ("stream auth key, epochs 1, 2, 2^32+5, 2^64-1", stream(b"auth key", 32), [1, 2, 2**32 + 5, 2**64 - 1]),
    ]:
        auth = Authenticator(auth_key, epochs[0])
        steps = [{"op": "new", "epoch": epochs[0], "key": auth_key.hex(),
                  "root_key": auth.root.hex(), "mac_key": auth.mac_key.hex()}]
        for n, ep in enumerate(epochs):
            if n > 0:
                ss = stream(b"shared secret %d" % ep, 32)
                key = epoch_secret(ep, ss)
                auth.update(ep, key)
                steps.append({"op": "update", "epoch": ep, "key": key.hex(),
                              "root_key": auth.root.hex(), "mac_key": auth.mac_key.hex()})
            hdr = stream(b"hdr %d" % ep, 64)
            ct = stream(b"ct1 %d" % ep, 960) + stream(b"ct2 %d" % ep, 128)
            steps.append({"op": "mac_hdr", "epoch": ep, "data": hdr.hex(),
                          "mac": auth.mac(b":ekheader", ep, hdr).hex()})
            steps.append({"op": "mac_ct", "epoch": ep, "data": ct.hex(),
                          "mac": auth.mac(b":ciphertext", ep, ct).hex()})
        cases.append({"name": name, "steps": steps})

    secrets = []
    for ep, ss in [(1, bytes(32)), (1, bytes([0xA5]) * 32), (9, bytes([0xA5]) * 32),
                   (2**63, stream(b"ss", 32)), (2**64 - 1, stream(b"ss", 32))]:
        secrets.append({"epoch": ep, "shared_secret": ss.hex(), "epoch_secret": epoch_secret(ep, ss).hex()})
    return {"authenticator": cases, "epoch_secret": secrets}


# ---------------------------------------------------------------------------
# GF(2^16) by log / antilog tables
# ---------------------------------------------------------------------------

POLY = 0x1100B
EXP = [0] * (2 * 65535)
LOG = [None] * 65536


def build_tables():
    v = 1
    for i in range(65535):
        EXP[i] = v
        assert LOG[v] is None, "x is not a generator: the polynomial is not primitive"
        LOG[v] = i
        v <<= 1
        if v & 0x10000:
            v ^= POLY
    assert v == 1
    for i in range(65535, 2 * 65535):
        EXP[i] = EXP[i - 65535]


def gmul(a, b):
    if a == 0 or b == 0:
        return 0
    return EXP[LOG[a] + LOG[b]]


def ginv(a):
    return EXP[(65535 - LOG[a]) % 65535]


def gdiv(a, b):
    return gmul(a, ginv(b))


def gf16_data():
    specials = [0, 1, 2, 3, 0x8000, 0x8001, 0x100B, 0x1234, 0xFFFF, 0xFFFE]
    r = stream(b"gf16", 2 * 64)
    randoms = [int.from_bytes(r[i:i + 2], "big") for i in range(0, len(r), 2)]
    values = specials + randoms
    products = []
    for i, a in enumerate(values):
        b = values[(i * 7 + 3) % len(values)]
        products.append([a, b, gmul(a, b)])
    for a in specials:
        for b in specials:
            products.append([a, b, gmul(a, b)])
    inverses = [[a, ginv(a)] for a in values if a != 0]
    return {"poly": POLY, "products": products, "inverses": inverses}


# ---------------------------------------------------------------------------
# Erasure code
# ---------------------------------------------------------------------------


def lagrange_eval(xs, ys, x):
    """Value at x of the polynomial of degree < len(xs) through (xs[j], ys[j])."""
    total = 0
    for j, (xj, yj) in enumerate(zip(xs, ys)):
        num, den = 1, 1
        for m, xm in enumerate(xs):
            if m != j:
                num = gmul(num, x ^ xm)
                den = gmul(den, xj ^ xm)
        total ^= gmul(yj, gdiv(num, den))
    return total


def encode_chunks(msg, indices):
    k = len(msg) // 32
    symbols = [int.from_bytes(msg[2 * i:2 * i + 2], "big") for i in range(len(msg) // 2)]
    # Polynomial j holds symbols j, j+16, j+32, ... at x = 0, 1, 2, ...
    polys = [symbols[j::16] for j in range(16)]
    xs = list(range(k))
    chunks = []
    for idx in indices:
        data = b""
        for j in range(16):
            y = polys[j][idx] if idx < k else lagrange_eval(xs, polys[j], idx)
            data += y.to_bytes(2, "big")
        chunks.append({"index": idx, "data": data.hex()})
    return chunks


def erasure_data():
    cases = []
    for name, n in [("header and MAC", 96), ("ek vector", 1152), ("ct1", 960), ("ct2 and MAC", 160)]:
        msg = stream(b"erasure %d" % n, n)
        k = n // 32
        indices = list(range(2 * k + 4)) + [255, 1000, 40000, 65534, 65535]
        cases.append({"name": name, "len": n, "message": msg.hex(), "chunks_needed": k,
                      "chunks": encode_chunks(msg, indices)})
    return {"cases": cases}


# ---------------------------------------------------------------------------


def render():
    check_hkdf_against_deployed_chain()
    build_tables()
    # Sanity of the tables' own arithmetic before anything is written.
    assert gmul(0x8000, 2) == 0x100B
    assert all(gmul(a, ginv(a)) == 1 for a in (1, 2, 0x1234, 0xFFFF))
    files = {
        "spqr_gf16.json": gf16_data(),
        "spqr_authenticator.json": authenticator_data(),
        "spqr_erasure.json": erasure_data(),
    }
    return {k: json.dumps(v, indent=1) + "\n" for k, v in files.items()}


def main(argv):
    if len(argv) == 3 and argv[1] == "--check":
        ok = True
        for name, text in render().items():
            with open(os.path.join(argv[2], name)) as f:
                if f.read() != text:
                    print("differs:", name)
                    ok = False
        print("match" if ok else "MISMATCH")
        return 0 if ok else 1
    if len(argv) == 2:
        for name, text in render().items():
            with open(os.path.join(argv[1], name), "w") as f:
                f.write(text)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
