#!/usr/bin/env python3
"""Second implementation of whole SPQR conversations: the ML-KEM Braid's
chunked state machines, the chain and the version-1 wire messages.

Writes tests/data/spqr_session.json, which tests/spqr_session.rs replays
through the Rust `Spqr` state, comparing every message byte and every key.

Written from the ML-KEM Braid specification
(https://signal.org/docs/specifications/mlkembraid/) and the behaviour of
Signal's deployed `spqr` v1.5.3 as its source reads (states, when each value
is sent, when the epoch secret comes out), not from the Rust code of this
repository. ML-KEM-768 is kyber-py's FIPS 203 implementation (the Rust side
uses libcrux), split as the Braid splits it: the header is rho || SHA3-256(ek),
the key vector is ek without rho, ct1 || ct2 is the ciphertext. The KDF,
authenticator and erasure code come from spqr_reference.py, whose HKDF is
checked against the deployed chain's values before anything is written.

Each party's randomness is the twofold test stream SHAKE256("twofold rng v1"
|| seed), read in order: 64 bytes d || z at each key generation, 32 bytes m
at each first encapsulation.

Usage: spqr_session.py OUT_DIR        write spqr_session.json
       spqr_session.py --check DIR    exit 1 unless DIR holds exactly it
"""

import hashlib
import json
import os
import sys

from kyber_py.ml_kem import ML_KEM_768

import spqr_reference as ref

# Sizes of the V1 values (bytes).
HDR, EK, CT1, CT2, MAC = 64, 1152, 960, 128, 32

T_NONE, T_HDR, T_EK, T_EKACK, T_ACK, T_CT1, T_CT2 = range(7)


# ---------------------------------------------------------------------------
# Randomness and ML-KEM, split
# ---------------------------------------------------------------------------


class Stream:
    def __init__(self, seed):
        self.seed, self.at = seed, 0

    def take(self, n):
        out = hashlib.shake_256(b"twofold rng v1" + self.seed).digest(self.at + n)[self.at:]
        self.at += n
        return out


def kem_keygen(coins):
    ek, dk = ML_KEM_768._keygen_internal(coins[:32], coins[32:])
    rho = ek[EK:]
    return rho + hashlib.sha3_256(ek).digest(), ek[:EK], dk


def kem_ek_matches(hdr, vector):
    coeffs_ok = True
    for i in range(0, EK, 3):
        a, b, c = vector[i], vector[i + 1], vector[i + 2]
        if (a | (b & 0x0F) << 8) >= 3329 or (b >> 4 | c << 4) >= 3329:
            coeffs_ok = False
    return coeffs_ok and hashlib.sha3_256(vector + hdr[:32]).digest() == hdr[32:]


# The whole encapsulation, once the vector is here (for ct2 and a check
# that ct1 and the shared secret came out as Party._encaps1 computed them).
def kem_encaps(hdr, vector, m):
    ss, c = ML_KEM_768._encaps_internal(vector + hdr[:32], m)
    return ss, c[:CT1], c[CT1:]


def kem_decaps(dk, ct1, ct2):
    return ML_KEM_768._decaps_internal(dk, ct1 + ct2)


# ---------------------------------------------------------------------------
# Erasure code: chunk i of a value; a value from any k chunks
# ---------------------------------------------------------------------------


def chunk_of(value, i):
    return bytes.fromhex(ref.encode_chunks(value, [i])[0]["data"])


class Collect:
    """The chunks of one value, the first at each index kept."""

    def __init__(self, length):
        self.k, self.got = length // 32, {}

    def add(self, i, data):
        if i in self.got or (i >= self.k and len(self.got) >= self.k):
            return
        self.got[i] = data

    def value(self):
        if len(self.got) < self.k:
            return None
        pts = sorted(self.got.items())[: self.k]
        xs = [x for x, _ in pts]
        out = b""
        for x in range(self.k):
            if x in self.got:
                out += self.got[x]
                continue
            for j in range(16):
                ys = [int.from_bytes(d[2 * j:2 * j + 2], "big") for _, d in pts]
                out += ref.lagrange_eval(xs, ys, x).to_bytes(2, "big")
        return out


# ---------------------------------------------------------------------------
# The chain (src/chain.rs as deployed)
# ---------------------------------------------------------------------------


class Chain:
    def __init__(self, auth_key, a2b, max_jump=25000, max_ooo=2000):
        g = ref.hkdf(ref.ZERO32, auth_key, b"Signal PQ Ratchet V1 Chain  Start", 96)
        self.own = "A2B" if a2b else "B2A"
        self.max_jump, self.max_ooo = max_jump, max_ooo
        self.root, self.epochs, self.send_epoch = g[:32], {}, 0
        self._add(0, g)

    def _add(self, e, g):
        seeds = {"A2B": g[32:64], "B2A": g[64:96]}
        other = "B2A" if self.own == "A2B" else "A2B"
        self.epochs[e] = {"send": [0, seeds[self.own], {}], "recv": [0, seeds[other], {}]}

    def add_epoch(self, e, secret):
        assert e == max(self.epochs) + 1
        g = ref.hkdf(self.root, secret, b"Signal PQ Ratchet V1 Chain Add Epoch", 96)
        self.root = g[:32]
        self._add(e, g)

    @staticmethod
    def _step(nxt, ctr):
        o = ref.hkdf(ref.ZERO32, nxt, ctr.to_bytes(4, "big") + b"Signal PQ Ratchet V1 Chain Next", 64)
        return o[:32], o[32:]

    def send_key(self, e):
        assert e >= self.send_epoch and e in self.epochs
        c = self.epochs[e]["send"]
        c[0] += 1
        c[1], key = self._step(c[1], c[0])
        if e != self.send_epoch:
            self.send_epoch = e
            for old in [x for x in self.epochs if x < e - 1]:
                del self.epochs[old]
            for old in self.epochs:
                if old < e:
                    self.epochs[old]["send"][1] = None
        return c[0], key

    def recv_key(self, e, i):
        if e not in self.epochs:
            raise KeyError("epoch out of range")
        c = self.epochs[e]["recv"]
        if i <= c[0]:
            if i == c[0] or i not in c[2] or i + self.max_ooo < c[0]:
                raise KeyError("key used or trimmed")
            return c[2].pop(i)
        if i - c[0] > self.max_jump:
            raise KeyError("too far ahead")
        while c[0] + 1 < i:
            c[0] += 1
            c[1], key = self._step(c[1], c[0])
            c[2][c[0]] = key
        c[0] += 1
        c[1], key = self._step(c[1], c[0])
        for old in [x for x in c[2] if x + self.max_ooo < i]:
            del c[2][old]
        return key


# ---------------------------------------------------------------------------
# Wire
# ---------------------------------------------------------------------------


def varint(n):
    out = b""
    while n >= 0x80:
        out += bytes([n & 0x7F | 0x80])
        n >>= 7
    return out + bytes([n])


def read_varint(b, at):
    n, shift = 0, 0
    while True:
        n |= (b[at] & 0x7F) << shift
        at += 1
        if b[at - 1] < 0x80:
            return n, at
        shift += 7


def encode(epoch, index, t, chunk):
    out = b"\x01" + varint(epoch) + varint(index) + bytes([t])
    if chunk is not None:
        out += varint(chunk[0]) + chunk[1]
    return out


def decode(b):
    assert b[0] == 1
    epoch, at = read_varint(b, 1)
    index, at = read_varint(b, at)
    t = b[at]
    at += 1
    chunk = None
    if t in (T_HDR, T_EK, T_EKACK, T_CT1, T_CT2):
        i, at = read_varint(b, at)
        chunk = (i, b[at:at + 32])
    return epoch, index, t, chunk


# ---------------------------------------------------------------------------
# One party
# ---------------------------------------------------------------------------


class Party:
    """State names as the deployed code names them; fields in a dict."""

    def __init__(self, auth_key, initiator, seed):
        self.rng = Stream(seed)
        self.epoch = 1
        self.auth = ref.Authenticator(auth_key, 1)
        self.chain = Chain(auth_key, initiator)
        self.f = {}
        self.state = "KeysUnsampled" if initiator else "NoHeaderReceived"
        if not initiator:
            self.f["hdr_in"] = Collect(HDR + MAC)

    def chain_epoch(self):
        return max(self.chain.epochs)

    def _next(self, name):
        """The next chunk of the value being sent under `name`."""
        value, i = self.f[name], self.f[name + "_i"]
        self.f[name + "_i"] = (i + 1) % 65536
        return (i, chunk_of(value, i))

    def _agree(self, ss):
        secret = ref.epoch_secret(self.epoch, ss)
        self.auth.update(self.epoch, secret)
        return secret

    def send(self):
        s, secret, t, chunk = self.state, None, T_NONE, None
        if s == "KeysUnsampled":
            hdr, vector, dk = kem_keygen(self.rng.take(64))
            self.f = {"vector": vector, "dk": dk,
                      "hdr_out": hdr + self.auth.mac(b":ekheader", self.epoch, hdr), "hdr_out_i": 0}
            self.state, t, chunk = "KeysSampled", T_HDR, self._next("hdr_out")
        elif s == "KeysSampled":
            t, chunk = T_HDR, self._next("hdr_out")
        elif s == "HeaderSent":
            t, chunk = T_EK, self._next("ek_out")
        elif s == "Ct1Received":
            t, chunk = T_EKACK, self._next("ek_out")
        elif s == "EkSentCt1Received":
            t = T_ACK
        elif s == "HeaderReceived":
            # ct1 and the shared secret need the header and m only; kyber-py
            # computes the whole ciphertext later, once the vector is here,
            # and the replay checks that ct1 came out the same.
            m = self.rng.take(32)
            self.f["m"] = m
            ss, ct1 = self._encaps1(self.f["hdr"], m)
            self.f["ss"] = ss
            secret = (self.epoch, self._agree(ss))
            self.f.update({"ct1_out": ct1, "ct1_out_i": 0})
            self.state, t, chunk = "Ct1Sampled", T_CT1, self._next("ct1_out")
        elif s in ("Ct1Sampled", "EkReceivedCt1Sampled"):
            t, chunk = T_CT1, self._next("ct1_out")
        elif s == "Ct2Sampled":
            t, chunk = T_CT2, self._next("ct2_out")
        if secret is not None:
            self.chain.add_epoch(*secret)
        index, key = self.chain.send_key(self.epoch - 1)
        return encode(self.epoch, index, t, chunk), {"epoch": self.epoch - 1, "index": index, "key": key.hex()}

    @staticmethod
    def _encaps1(hdr, m):
        # FIPS 203 Encaps: (K, r) = G(m || H(ek)), and H(ek) is in the header.
        # u, hence ct1, needs rho and r only: encrypting under a zero vector
        # with the header's rho gives the right ct1 (and a wrong v, unused).
        k_r = hashlib.sha3_512(m + hdr[32:]).digest()
        c = ML_KEM_768._k_pke_encrypt(bytes(EK) + hdr[:32], m, k_r[32:])
        return k_r[:32], c[:CT1]

    def _send_ct2(self):
        vector, m, hdr = self.f["ek"], self.f["m"], self.f["hdr"]
        ss, ct1, ct2 = kem_encaps(hdr, vector, m)
        assert ct1 == self.f["ct1_out"] and ss == self.f["ss"], "encaps1 needs the header alone"
        mac = self.auth.mac(b":ciphertext", self.epoch, ct1 + ct2)
        self.f = {"ct2_out": ct2 + mac, "ct2_out_i": 0}
        self.state = "Ct2Sampled"

    def recv(self, msg):
        epoch, index, t, chunk = decode(msg)
        assert epoch >= 1
        secret = self._recv(epoch, t, chunk)
        if secret is not None:
            self.chain.add_epoch(*secret)
        if epoch - 1 == 0 and index == 0:
            return None
        return {"epoch": epoch - 1, "index": index, "key": self.chain.recv_key(epoch - 1, index).hex()}

    def _recv(self, epoch, t, chunk):
        s = self.state
        if epoch > self.epoch:
            assert s == "Ct2Sampled" and epoch == self.epoch + 1, "epoch out of range"
            self.epoch, self.state, self.f = epoch, "KeysUnsampled", {}
            return None
        if epoch < self.epoch:
            return None
        if s == "KeysSampled" and t == T_CT1:
            self.f["ct1_in"] = Collect(CT1)
            self.f["ct1_in"].add(*chunk)
            self.f.update({"ek_out": self.f["vector"], "ek_out_i": 0})
            self.state = "HeaderSent"
        elif s == "HeaderSent" and t == T_CT1:
            self.f["ct1_in"].add(*chunk)
            ct1 = self.f["ct1_in"].value()
            if ct1 is not None:
                self.f["ct1"] = ct1
                self.state = "Ct1Received"
        elif s == "Ct1Received" and t == T_CT2:
            self.f["ct2_in"] = Collect(CT2 + MAC)
            self.f["ct2_in"].add(*chunk)
            self.state = "EkSentCt1Received"
        elif s == "EkSentCt1Received" and t == T_CT2:
            self.f["ct2_in"].add(*chunk)
            v = self.f["ct2_in"].value()
            if v is not None:
                ct2, mac = v[:CT2], v[CT2:]
                secret = self._agree(kem_decaps(self.f["dk"], self.f["ct1"], ct2))
                assert mac == self.auth.mac(b":ciphertext", self.epoch, self.f["ct1"] + ct2)
                done = self.epoch
                self.epoch, self.state = self.epoch + 1, "NoHeaderReceived"
                self.f = {"hdr_in": Collect(HDR + MAC)}
                return (done, secret)
        elif s == "NoHeaderReceived" and t == T_HDR:
            self.f["hdr_in"].add(*chunk)
            v = self.f["hdr_in"].value()
            if v is not None:
                hdr, mac = v[:HDR], v[HDR:]
                assert mac == self.auth.mac(b":ekheader", self.epoch, hdr)
                self.f = {"hdr": hdr, "ek_in": Collect(EK)}
                self.state = "HeaderReceived"
        elif s in ("Ct1Sampled", "Ct1Acknowledged") and t in (T_EK, T_EKACK):
            acked = s == "Ct1Acknowledged" or t == T_EKACK
            self.f["ek_in"].add(*chunk)
            vector = self.f["ek_in"].value()
            if vector is not None:
                assert kem_ek_matches(self.f["hdr"], vector)
                self.f["ek"] = vector
                if acked:
                    self._send_ct2()
                else:
                    self.state = "EkReceivedCt1Sampled"
            elif acked:
                self.state = "Ct1Acknowledged"
        elif s == "EkReceivedCt1Sampled" and t in (T_ACK, T_EKACK):
            self._send_ct2()
        return None


# ---------------------------------------------------------------------------
# Conversations
# ---------------------------------------------------------------------------


def conversation(name, rounds, dropped):
    """A and B take turns, A first; message n (from 0) is lost if
    dropped(n). Returns the steps as the Rust replay reads them."""
    auth_key = ref.stream(b"spqr session auth key " + name.encode(), 32)
    seeds = {"A": b"spqr session " + name.encode() + b" a", "B": b"spqr session " + name.encode() + b" b"}
    parties = {"A": Party(auth_key, True, seeds["A"]), "B": Party(auth_key, False, seeds["B"])}
    steps, n = [], 0
    for _ in range(rounds):
        for sender, receiver in (("A", "B"), ("B", "A")):
            msg, key = parties[sender].send()
            steps.append({"send": sender, "msg": msg.hex(), "key": key})
            if not dropped(n):
                got = parties[receiver].recv(msg)
                assert got == key, (name, n)
                steps.append({"recv": receiver, "msg_of_step": len(steps) - 1, "key": got})
            n += 1
    return {"name": name, "auth_key": auth_key.hex(), "seed_a": seeds["A"].hex(), "seed_b": seeds["B"].hex(),
            "epochs_completed": [parties["A"].chain_epoch(), parties["B"].chain_epoch()], "steps": steps}


def lossy(n):
    # About 30% of messages lost, decided by a hash of the message number.
    return hashlib.sha256(b"spqr session loss %d" % n).digest()[0] < 77


def render():
    ref.check_hkdf_against_deployed_chain()
    ref.build_tables()
    cases = [
        conversation("ping-pong", 180, lambda n: False),
        conversation("lossy", 260, lossy),
    ]
    return json.dumps({"conversations": cases}, indent=0) + "\n"


def main(argv):
    if len(argv) == 3 and argv[1] == "--check":
        with open(os.path.join(argv[2], "spqr_session.json")) as f:
            ok = f.read() == render()
        print("match" if ok else "MISMATCH")
        return 0 if ok else 1
    if len(argv) == 2:
        with open(os.path.join(argv[1], "spqr_session.json"), "w") as f:
            f.write(render())
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main(sys.argv))
