"""The second implementation of twofold's `conversation` vectors.

Plays each vector's conversation from its inputs alone and compares every
wire message, every decrypted plaintext, each delivery's header counters, the
purpose of every draw, and the values listed in vectors/README.md ("kind
conversation", "What the Python implementation compares") with the file.

Written from:
* The Double Ratchet Algorithm, revision 3 (Perrin, Marlinspike, Schmidt;
  Signal, 2025-09-26): §2.2-§2.4 KDF chains, §3.2-§3.5 state,
  initialization, encryption and decryption with skipped message keys
  (MKSKIPPED), §4 header encryption, §5.2 recommended KDFs
  (HMAC(CK, 0x01) / HMAC(CK, 0x02), HKDF with RK as salt). The spec and
  twofold profiles follow §3.5's algorithm here: skipped keys are stored at
  the DH ratchet step up to PN and looked up by (ratchet key or header key,
  N);
* libsignal's deployed behaviour, for the signal profile: the WhisperRatchet
  and WhisperMessageKeys labels, 80-byte message keys (AES-256 key, HMAC key,
  CBC IV), SignalMessage (version byte, protobuf fields 1-5 in tag order,
  previous_counter = max(previous chain length, 1) - 1) and its 8-byte
  HMAC-SHA256 over IK_sender || IK_receiver || message; the initial chains
  from PQXDH's CK (Bob sends under his signed prekey, Alice keeps the
  matching receiving chain); up to five receiving chains kept and message
  keys of skipped indices stored per chain;
* Alwen, Coretti, Dodis (EUROCRYPT 2019) §4 for the KEM-CKA, and twofold's
  documented encodings (vectors/README.md) for its format, the KEM and
  hybrid CKA messages, the rekey policies and every KDF label;
* SPQR (the ML-KEM Braid) through the SPQR reference implementation of this
  repository (crates/twofold-ratchet/tests/python/spqr_session.py), itself
  written from the ML-KEM Braid specification.

Primitives: X25519, P-256, AES-256-CBC, AES-256-GCM and ChaCha20-Poly1305
from pyca/cryptography (OpenSSL); HMAC and SHA-2 from the standard library;
ML-KEM-768 and round-3 Kyber768 from kyber-py (handed in by verify.py).
"""

import hashlib
import hmac
import struct
import sys
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

# twofold's labels (vectors/README.md, kind conversation).
ROOT_INFO = b"twofold ratchet v1 root"
ROOT_INFO_HE = b"twofold ratchet v1 root with header keys"
MESSAGE_KEYS_INFO = b"twofold ratchet v1 message keys"
INITIAL_HEADER_KEYS_INFO = b"twofold ratchet v1 initial header keys"
TRIPLE_KEYS_INFO = b"twofold ratchet v1 triple root and PQ key"
# libsignal's.
SIGNAL_ROOT_INFO = b"WhisperRatchet"
SIGNAL_MESSAGE_KEYS_INFO = b"WhisperMessageKeys"
SIGNAL_MAX_RECEIVER_CHAINS = 5
MAX_SKIP = 25000

P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class Failed(Exception):
    """The conversation cannot go on (a message does not open, a draw is
    missing): reported as a difference at the event."""


# --------------------------------------------------------------- primitives


class X25519Dh:
    pk_len = 32

    def __init__(self, lib):
        self.pub, self.x = lib["x25519_pub"], lib["x25519"]

    def generate(self, draws):
        sk = draws.take("DHs coins", 32)
        return sk, self.pub(sk)

    def public(self, sk):
        return self.pub(sk)

    def dh(self, sk, pk):
        return self.x(sk, pk)


class P256Dh:
    """SEC 1 ECDH on P-256: the secret key a 32-byte big-endian scalar in
    [1, n - 1] (a draw outside is rejected and drawn again), the public key
    an uncompressed point, the shared secret the x-coordinate."""

    pk_len = 65

    def _key(self, sk):
        return ec.derive_private_key(int.from_bytes(sk, "big"), ec.SECP256R1())

    def generate(self, draws):
        while True:
            sk = draws.take("DHs coins", 32)
            if 0 < int.from_bytes(sk, "big") < P256_N:
                return sk, self.public(sk)

    def public(self, sk):
        return self._key(sk).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)

    def dh(self, sk, pk):
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), pk)
        return self._key(sk).exchange(ec.ECDH(), peer)


KEM_SIZES = {  # (pk, ct, keygen coins, encaps coins)
    "ML-KEM-768": (1184, 1088, 64, 32),
    "Kyber768": (1184, 1088, 64, 32),
}


class Aead:
    def __init__(self, name):
        self.cls = {"ChaCha20-Poly1305": ChaCha20Poly1305, "AES-256-GCM": AESGCM}[name]
        self.key_len, self.nonce_len = 32, 12

    def seal(self, key, nonce, ad, pt):
        return self.cls(key).encrypt(nonce, pt, ad)

    def open(self, key, nonce, ad, ct):
        return self.cls(key).decrypt(nonce, ct, ad)


def aes_cbc(key, iv, pt):
    p = padding.PKCS7(128).padder()
    e = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return e.update(p.update(pt) + p.finalize()) + e.finalize()


def aes_cbc_open(key, iv, ct):
    d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    u = padding.PKCS7(128).unpadder()
    return u.update(d.update(ct) + d.finalize()) + u.finalize()


# --------------------------------------------------------------- the suite


class Policy:
    """Rekey policies by tag: turn, never, mN, tS, mNtS."""

    def __init__(self, tag):
        self.m = self.t = None
        self.always = tag == "turn"
        self.never = tag == "never"
        if not (self.always or self.never):
            rest = tag
            if rest.startswith("m"):
                num, _, rest = rest[1:].partition("t")
                self.m = int(num)
                rest = "t" + rest if rest else ""
            if rest.startswith("t"):
                self.t = int(rest[1:])
            if self.m is None and self.t is None:
                raise ValueError(f"rekey policy {tag!r}")

    def due(self, messages, seconds):
        if self.always:
            return True
        if self.never:
            return False
        return (self.m is not None and messages >= self.m) or (self.t is not None and seconds >= self.t)


class Suite:
    def __init__(self, name, lib):
        parts = [p.split("@")[0] for p in name.split("_")]
        self.kind, prof = parts[0], parts[1]
        self.he = prof.endswith("+HE")
        self.profile = prof.removesuffix("+HE")
        self.signal = self.profile == "signal"
        self.triple = self.kind == "TripleRatchet"
        cka = parts[2]
        dh_name, kem_name = None, None
        if self.kind in ("DoubleRatchet", "TripleRatchet"):
            dh_name = cka
        elif self.kind == "KemRatchet":
            kem_name = cka
        else:
            dh_name, kem_name = cka.split("+")
        if parts[3] != "SHA-256":
            raise lib["Skip"](f"hash {parts[3]}")
        self.hash = hashlib.sha256
        self.dh = {"X25519": X25519Dh(lib), "P-256": P256Dh()}.get(dh_name) if dh_name else None
        if dh_name and self.dh is None:
            raise lib["Skip"](f"DH {dh_name}")
        self.kem = lib["kems"].get(kem_name) if kem_name else None
        if kem_name and (self.kem is None or kem_name not in KEM_SIZES):
            raise lib["Skip"](f"KEM {kem_name}")
        self.kem_sizes = KEM_SIZES.get(kem_name)
        self.aead = None if self.signal else Aead(parts[4])
        self.policy = Policy(parts[5]) if self.kind in ("HybridRatchet", "PQ3Ratchet") else Policy("turn")
        self.hkdf = lambda salt, ikm, info, n: lib["hkdf"](self.hash, salt, ikm, info, n)
        self.root_info = SIGNAL_ROOT_INFO if self.signal else ROOT_INFO
        self.message_info = SIGNAL_MESSAGE_KEYS_INFO if self.signal else MESSAGE_KEYS_INFO
        self.version = 0x44 if self.triple else 0x33

    def hmac(self, key, data):
        return hmac.new(key, data, self.hash).digest()


# --------------------------------------------------------------- draws and values


class Draws:
    """One start's or event's draws, served in order by purpose and size."""

    def __init__(self, c, base, draws):
        self.c, self.base, self.d, self.i = c, base, draws, 0

    def take(self, purpose, n):
        if self.i >= len(self.d):
            raise Failed(f"{self.base}.draws: a draw {purpose!r} of {n} bytes is needed, none is left")
        d = self.d[self.i]
        self.c.eq(f"{self.base}.draws[{self.i}].purpose", purpose, d.get("purpose"))
        b = bytes.fromhex(d["hex"])
        if len(b) != n:
            raise Failed(f"{self.base}.draws[{self.i}]: {len(b)} bytes, {purpose!r} takes {n}")
        self.i += 1
        return b

    def finish(self):
        if self.i != len(self.d):
            raise Failed(f"{self.base}.draws: {len(self.d) - self.i} draws left unused")


class Log:
    """The values one start or event computed, by name, in order."""

    def __init__(self):
        self.v = []

    def __call__(self, name, value):
        self.v.append((name, bytes(value)))


# --------------------------------------------------------------- CKAs


class DhCka:
    """Double Ratchet §3.5's DH ratchet as a CKA: a fresh DHs per epoch,
    I = DH(DHs, DHr)."""

    def __init__(self, s, ours=None, theirs=None):
        self.s, self.ours, self.theirs = s, ours, theirs

    def epoch_id(self, msg):
        return msg

    def send(self, ctx, draws, log):
        sk, pk = self.s.dh.generate(draws)
        i = self.s.dh.dh(sk, self.theirs)
        log("DHs secret", sk)
        log("DHs", pk)
        log("I", i)
        self.ours = (sk, pk)
        return pk, i

    def receive(self, msg, log):
        log("DHr", msg)
        i = self.s.dh.dh(self.ours[0], msg)
        log("I", i)
        self.theirs = msg
        return i


def kem_send(s, theirs, draws, log, ss_name):
    """Encapsulate to `theirs` (if any), then a fresh key pair."""
    _, _, kg, ec_ = s.kem_sizes
    ct = ss = None
    if theirs is not None:
        ct, ss = s.kem.encaps(theirs, draws.take("CT coins", ec_))
        log("CT", ct)
        log(ss_name, ss)
    pk, sk = s.kem.keygen(draws.take("KEMs coins", kg))
    log("KEMs secret", sk)
    log("KEMs", pk)
    return ct, ss, (sk, pk)


class KemCka:
    """KEM-CKA: message [CT] || KEMs; I = the encapsulated secret (empty in
    an epoch with no peer key to encapsulate to)."""

    def __init__(self, s):
        self.s, self.ours, self.theirs = s, None, None

    def _parse(self, msg):
        pk, ct, _, _ = self.s.kem_sizes
        if len(msg) == pk:
            return None, msg
        if len(msg) == ct + pk:
            return msg[:ct], msg[ct:]
        raise Failed(f"a KEM-CKA message of {len(msg)} bytes")

    def epoch_id(self, msg):
        return self._parse(msg)[1]

    def send(self, ctx, draws, log):
        ct, ss, self.ours = kem_send(self.s, self.theirs, draws, log, "I")
        self.theirs = None
        return (ct or b"") + self.ours[1], ss or b""

    def receive(self, msg, log):
        ct, pk = self._parse(msg)
        i = b""
        if ct is not None:
            log("CT", ct)
            i = self.s.kem.decaps(self.ours[0], ct)
            log("I", i)
            self.ours = None
        log("KEMr", pk)
        self.theirs = pk
        return i


class HybridCka:
    """DH every epoch, a KEM step when the policy is due: message DHs ||
    flags (bit 0 CT, bit 1 KEMs) || [CT] || [KEMs]; I = I_dh || I_kem."""

    def __init__(self, s, dh_ours=None, dh_theirs=None):
        self.s = s
        self.dh_ours, self.dh_theirs = dh_ours, dh_theirs
        self.kem_ours = self.kem_theirs = None
        self.last = (0, 0)

    def _parse(self, msg):
        n = self.s.dh.pk_len
        pk_len, ct_len, _, _ = self.s.kem_sizes
        dh, flags, at = msg[:n], msg[n], n + 1
        ct = pk = None
        if flags & 1:
            ct, at = msg[at:at + ct_len], at + ct_len
        if flags & 2:
            pk, at = msg[at:at + pk_len], at + pk_len
        if at != len(msg) or flags & ~3:
            raise Failed("a malformed hybrid CKA message")
        return dh, ct, pk

    def epoch_id(self, msg):
        return msg[: self.s.dh.pk_len]

    def send(self, ctx, draws, log):
        now, messages = ctx
        sk, pk = self.s.dh.generate(draws)
        i = self.s.dh.dh(sk, self.dh_theirs)
        log("DHs secret", sk)
        log("DHs", pk)
        log("I_dh", i)
        self.dh_ours = (sk, pk)
        msg = pk
        if self.s.policy.due(messages - self.last[0], now - self.last[1]):
            ct, ss, self.kem_ours = kem_send(self.s, self.kem_theirs, draws, log, "I_kem")
            msg += bytes([2 | (1 if ct else 0)]) + (ct or b"") + self.kem_ours[1]
            self.kem_theirs = None
            self.last = (messages, now)
            i += ss or b""
        else:
            msg += b"\x00"
        log("I", i)
        return msg, i

    def receive(self, msg, log):
        dh, ct, pk = self._parse(msg)
        log("DHr", dh)
        i = self.s.dh.dh(self.dh_ours[0], dh)
        log("I_dh", i)
        self.dh_theirs = dh
        if ct is not None:
            log("CT", ct)
            k = self.s.kem.decaps(self.kem_ours[0], ct)
            log("I_kem", k)
            self.kem_ours = None
            i += k
        log("I", i)
        if pk is not None:
            log("KEMr", pk)
            self.kem_theirs = pk
        return i


def initial_cka(s, initiator, st):
    if s.kind in ("DoubleRatchet", "TripleRatchet"):
        if initiator:
            return DhCka(s, theirs=bytes.fromhex(st["DHr"]))
        sk = bytes.fromhex(st["DHs secret"])
        return DhCka(s, ours=(sk, s.dh.public(sk)))
    if s.kind == "KemRatchet":
        return KemCka(s)
    if initiator:
        return HybridCka(s, dh_theirs=bytes.fromhex(st["DHr"]))
    sk = bytes.fromhex(st["DHs secret"])
    return HybridCka(s, dh_ours=(sk, s.dh.public(sk)))


# --------------------------------------------------------------- SPQR


_SPQR = []


def load_spqr():
    """The SPQR reference module, its GF(2^16) tables built once."""
    if not _SPQR:
        here = Path(__file__).resolve().parents[2] / "crates" / "twofold-ratchet" / "tests" / "python"
        if str(here) not in sys.path:
            sys.path.insert(0, str(here))
        import spqr_reference
        import spqr_session

        spqr_reference.build_tables()
        _SPQR.append(spqr_session)
    return _SPQR[0]


class Spqr:
    """One party's SPQR (the reference Party): its draws served from the
    event, and logged as twofold names them: the message keys, the chain
    keys after each step at the head of a chain, each epoch's ML-KEM shared
    secret, epoch secret, chain keys and chain root, and the authenticator's keys (the first call also
    logs the state the auth key starts)."""

    PURPOSES = {64: "SPQR keygen coins", 32: "SPQR encaps1 coins"}

    def __init__(self, mod, auth_key, initiator):
        self.p = mod.Party(auth_key, initiator, b"")
        self.p.rng = self
        self.own, self.peer = ("A2B", "B2A") if initiator else ("B2A", "A2B")
        self.auth_key, self.started = auth_key, False
        self.draws = self.log = None
        add = self.p.chain.add_epoch

        def add_epoch(e, secret):
            self.log(f"SPQR epoch secret {e}", secret)
            self._auth()
            add(e, secret)
            self._epoch(e)

        self.p.chain.add_epoch = add_epoch
        agree = self.p._agree

        def agree_logged(ss):
            self.log(f"SPQR ss {self.p.epoch}", ss)
            return agree(ss)

        self.p._agree = agree_logged

    def _auth(self):
        self.log("SPQR auth mac_key", self.p.auth.mac_key)
        self.log("SPQR auth root_key", self.p.auth.root)

    def _epoch(self, e):
        ch = self.p.chain.epochs[e]
        dirs = {self.own: ch["send"][1], self.peer: ch["recv"][1]}
        for d in ("A2B", "B2A"):
            self.log(f"SPQR {d} chain {e}", dirs[d])
        self.log("SPQR chain root", self.p.chain.root)

    def _start(self, draws, log):
        self.draws, self.log = draws, log
        if not self.started:
            self.started = True
            self.log("SPQR auth key", self.auth_key)
            self._auth()
            self._epoch(0)

    def take(self, n):
        return self.draws.take(self.PURPOSES[n], n)

    def send(self, draws, log):
        self._start(draws, log)
        msg, k = self.p.send()
        key = bytes.fromhex(k["key"])
        e = k["epoch"]
        log(f"SPQR {self.own} key {e}.{k['index']}", key)
        log(f"SPQR {self.own} chain {e}", self.p.chain.epochs[e]["send"][1])
        return msg, key

    def recv(self, msg, draws, log):
        self._start(draws, log)
        before = {e: c["recv"][0] for e, c in self.p.chain.epochs.items()}
        k = self.p.recv(msg)
        if k is None:
            return None
        key = bytes.fromhex(k["key"])
        e, i = k["epoch"], k["index"]
        log(f"SPQR {self.peer} key {e}.{i}", key)
        if i > before.get(e, -1):
            # A key at the head of its chain: the chain moved on.
            log(f"SPQR {self.peer} chain {e}", self.p.chain.epochs[e]["recv"][1])
        return key


# --------------------------------------------------------------- wire formats


def pb_varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def pb_field(field, value):
    if isinstance(value, int):
        return pb_varint(field << 3) + pb_varint(value)
    return pb_varint(field << 3 | 2) + pb_varint(len(value)) + value


def pb_read(b):
    """The fields of a protobuf message: {field: value}."""
    out, at = {}, 0

    def varint():
        nonlocal at
        n = shift = 0
        while True:
            x = b[at]
            at += 1
            n |= (x & 0x7F) << shift
            shift += 7
            if x < 0x80:
                return n

    while at < len(b):
        key = varint()
        if key & 7 == 2:
            n = varint()
            out[key >> 3], at = b[at:at + n], at + n
        else:
            out[key >> 3] = varint()
    return out


def header_encode(cka, pn, n, sparse):
    h = struct.pack(">H", len(cka)) + cka + struct.pack(">IIB", pn, n, 2 if sparse else 0)
    if sparse:
        h += struct.pack(">H", len(sparse)) + sparse
    return h


def header_decode(b):
    """(cka, pn, n, sparse) and the bytes read."""
    (k,) = struct.unpack_from(">H", b, 0)
    cka = b[2:2 + k]
    pn, n, flags = struct.unpack_from(">IIB", b, 2 + k)
    at = 2 + k + 9
    if flags & 1:
        at += 8
    sparse = b""
    if flags & 2:
        (m,) = struct.unpack_from(">H", b, at)
        sparse, at = b[at + 2:at + 2 + m], at + 2 + m
    return (cka, pn, n, sparse), at


# --------------------------------------------------------------- the ratchets


class Ratchet:
    """What both profiles share: the KDFs, the sending side, SPQR."""

    def __init__(self, s, initiator, st, spqr_mod, draws, log):
        self.s, self.initiator = s, initiator
        self.ad = bytes.fromhex(st["AD"])
        self.messages = 0
        rk = bytes.fromhex(st["RK" if s.signal else "SK"])
        self.spqr = None
        if s.triple:
            if s.signal:
                pqrk = bytes.fromhex(st["PQRK"])
            else:
                # The twofold profile splits the one handshake secret.
                okm = s.hkdf(b"", rk, TRIPLE_KEYS_INFO, 64)
                rk, pqrk = okm[:32], okm[32:]
            self.spqr = Spqr(spqr_mod, pqrk, initiator)
        self.rk = rk
        log("RK", rk)
        self.cka = initial_cka(s, initiator, st)

    def root(self, i, chain, log):
        """KDF_RK (§3.2, §5.2): HKDF(salt = RK, ikm = I) -> RK, CK[, NHK]."""
        if self.s.he:
            okm = self.s.hkdf(self.rk, i, ROOT_INFO_HE, 96)
            self.rk, ck, nhk = okm[:32], okm[32:64], okm[64:]
        else:
            okm = self.s.hkdf(self.rk, i, self.s.root_info, 64)
            self.rk, ck, nhk = okm[:32], okm[32:], None
        log(chain, ck)
        if nhk is not None:
            log("NHK", nhk)
        log("RK", self.rk)
        return ck, nhk

    def chain(self, ck):
        """KDF_CK (§5.2): the message key seed and the next chain key."""
        return self.s.hmac(ck, b"\x01"), self.s.hmac(ck, b"\x02")

    def message_keys(self, seed, salt, log):
        n = 80 if self.s.signal else self.s.aead.key_len + self.s.aead.nonce_len
        mk = self.s.hkdf(salt or b"", seed, self.s.message_info, n)
        log("MK", mk)
        return mk

    def encrypt(self, pt, draws, log):
        seed, self.cks = self.chain(self.cks)
        log("MK seed", seed)
        log("CKs", self.cks)
        sparse, salt = b"", None
        if self.spqr:
            sparse, salt = self.spqr.send(draws, log)
            log("SPQR key", salt)
        mk = self.message_keys(seed, salt, log)
        wire = self.seal(mk, sparse, pt, draws, log)
        self.ns += 1
        self.messages += 1
        return wire

    def sparse_key(self, sparse, draws, log):
        if not self.spqr:
            return None
        salt = self.spqr.recv(sparse, draws, log)
        if salt is not None:
            log("SPQR key", salt)
        return salt


class SpecRatchet(Ratchet):
    """§3 (and §4 with header encryption) with twofold's format."""

    def __init__(self, s, initiator, st, spqr_mod, draws, log):
        super().__init__(s, initiator, st, spqr_mod, draws, log)
        self.cks = self.ckr = self.cka_msg = self.recv_id = None
        self.ns = self.nr = self.pn = 0
        self.skipped = {}
        self.hks = self.hkr = self.nhks = self.nhkr = None
        if s.he:
            okm = s.hkdf(b"", self.rk, INITIAL_HEADER_KEYS_INFO, 64)
            hka, nhkb = okm[:32], okm[32:]
            if initiator:
                self.hks, self.nhkr = hka, nhkb
            else:
                self.nhks, self.nhkr = nhkb, hka
        if initiator:
            # §3.3 RatchetInitAlice (§4.3 RatchetInitAliceHE).
            self.cka_msg, i = self.cka.send((0, 0), draws, log)
            self.cks, nhk = self.root(i, "CKs", log)
            if s.he:
                self.nhks = nhk

    def seal(self, mk, sparse, pt, draws, log):
        a = self.s.aead
        h = header_encode(self.cka_msg, self.pn, self.ns, sparse)
        if self.s.he:
            nonce = draws.take("header nonce", a.nonce_len)
            sealed = a.seal(self.hks, nonce, self.ad, h)
            log("sealed header", sealed)
            prefix = b"\x02" + nonce + struct.pack(">H", len(sealed)) + sealed
        else:
            prefix = b"\x01" + h
        return prefix + a.seal(mk[: a.key_len], mk[a.key_len:], self.ad + prefix, pt)

    def _open_header(self, wire, hk):
        a = self.s.aead
        nonce = wire[1:1 + a.nonce_len]
        (n,) = struct.unpack_from(">H", wire, 1 + a.nonce_len)
        start = 1 + a.nonce_len + 2
        try:
            h = a.open(hk, nonce, self.ad, wire[start:start + n])
        except Exception:
            return None
        return header_decode(h)[0]

    def _skip(self, until, log):
        """§3.5 SkipMessageKeys: store the seeds of the current receiving
        chain up to `until`, under the chain's ratchet key (or header key)."""
        if self.nr + MAX_SKIP < until:
            raise Failed("too many skipped messages")
        if self.ckr is None:
            return
        while self.nr < until:
            seed, self.ckr = self.chain(self.ckr)
            self.skipped[(self.hkr if self.s.he else self.recv_id, self.nr)] = seed
            self.nr += 1

    def _dh_ratchet(self, cka_msg, now, draws, log):
        """§3.5 DHRatchet (§4.4 DHRatchetHE)."""
        self.pn, self.ns, self.nr = self.ns, 0, 0
        self.hks, self.hkr = self.nhks, self.nhkr
        i = self.cka.receive(cka_msg, log)
        self.recv_id = self.cka.epoch_id(cka_msg)
        self.ckr, self.nhkr = self.root(i, "CKr@root", log)
        self.cka_msg, i = self.cka.send((now, self.messages), draws, log)
        self.cks, self.nhks = self.root(i, "CKs", log)

    def decrypt(self, wire, now, draws, log):
        """§3.5 RatchetDecrypt (§4.4 RatchetDecryptHE)."""
        a = self.s.aead
        header = seed = None
        if self.s.he:
            if wire[0] != 2:
                raise Failed("not a header-encrypted message")
            for (hk, n), sd in list(self.skipped.items()):
                h = self._open_header(wire, hk)
                if h is not None and h[2] == n:
                    header, seed = h, self.skipped.pop((hk, n))
                    break
            if header is None:
                new = False
                header = self._open_header(wire, self.hkr) if self.hkr else None
                if header is None:
                    header, new = self._open_header(wire, self.nhkr), True
                if header is None:
                    raise Failed("no header key opens the header")
            (n,) = struct.unpack_from(">H", wire, 1 + a.nonce_len)
            prefix_len = 1 + a.nonce_len + 2 + n
        else:
            if wire[0] != 1:
                raise Failed("not a version-1 message")
            header, used = header_decode(wire[1:])
            prefix_len = 1 + used
            key = (self.cka.epoch_id(header[0]), header[2])
            if key in self.skipped:
                seed = self.skipped.pop(key)
            new = self.cka.epoch_id(header[0]) != self.recv_id
        cka_msg, pn, n, sparse = header
        if seed is None:
            if new:
                self._skip(pn, log)
                self._dh_ratchet(cka_msg, now, draws, log)
            self._skip(n, log)
            seed, self.ckr = self.chain(self.ckr)
            self.nr += 1
            log("MK seed@recv", seed)
            log("CKr@chain", self.ckr)
        else:
            log("MK seed@stored", seed)
        salt = self.sparse_key(sparse, draws, log)
        mk = self.message_keys(seed, salt, log)
        try:
            pt = a.open(mk[: a.key_len], mk[a.key_len:], self.ad + wire[:prefix_len], wire[prefix_len:])
        except Exception:
            raise Failed("the message does not open")
        self.messages += 1
        return pt, pn, n


class SignalRatchet(Ratchet):
    """libsignal's session: the chains PQXDH's CK starts, receiving chains
    kept by ratchet key (five at most), skipped message keys per chain."""

    def __init__(self, s, initiator, st, spqr_mod, draws, log):
        super().__init__(s, initiator, st, spqr_mod, draws, log)
        ck = bytes.fromhex(st["CK"])
        self.receiving = []  # [their ratchet key, chain key, next index, {index: seed}]
        self.ns = self.pn = 0
        if initiator:
            spk = bytes.fromhex(st["DHr"])
            self.receiving.append([spk, ck, 0, {}])
            self.cka_msg, i = self.cka.send((0, 0), draws, log)
            self.cks, _ = self.root(i, "CKs", log)
        else:
            self.cks, self.cka_msg = ck, self.cka.ours[1]

    def seal(self, mk, sparse, pt, draws, log):
        ck, mac_key, iv = mk[:32], mk[32:64], mk[64:]
        body = bytes([self.s.version])
        body += pb_field(1, b"\x05" + self.cka_msg)
        body += pb_field(2, self.ns) + pb_field(3, max(self.pn, 1) - 1)
        body += pb_field(4, aes_cbc(ck, iv, pt))
        if sparse:
            body += pb_field(5, sparse)
        mac = self.s.hmac(mac_key, self.ad + body)[:8]
        log("MAC", mac)
        return body + mac

    def decrypt(self, wire, now, draws, log):
        body, tag = wire[:-8], wire[-8:]
        if body[0] != self.s.version:
            raise Failed("SignalMessage version byte")
        f = pb_read(body[1:])
        their = f[1][1:]
        n, pn, sparse = f[2], f[3], f.get(5, b"")
        chain = next((c for c in self.receiving if c[0] == their), None)
        if chain is None:
            i = self.cka.receive(their, log)
            ckr, _ = self.root(i, "CKr@root", log)
            self.cka_msg, i = self.cka.send((now, self.messages), draws, log)
            self.cks, _ = self.root(i, "CKs", log)
            self.pn, self.ns = self.ns, 0
            chain = [their, ckr, 0, {}]
            self.receiving.append(chain)
            del self.receiving[:-SIGNAL_MAX_RECEIVER_CHAINS]
        if n < chain[2]:
            if n not in chain[3]:
                raise Failed("a message key used or never stored")
            seed = chain[3].pop(n)
            log("MK seed@stored", seed)
        else:
            if n - chain[2] > MAX_SKIP:
                raise Failed("too far ahead")
            while chain[2] < n:
                seed, chain[1] = self.chain(chain[1])
                chain[3][chain[2]] = seed
                chain[2] += 1
            seed, chain[1] = self.chain(chain[1])
            chain[2] += 1
            log("MK seed@recv", seed)
            log("CKr@chain", chain[1])
        salt = self.sparse_key(sparse, draws, log)
        mk = self.message_keys(seed, salt, log)
        ck, mac_key, iv = mk[:32], mk[32:64], mk[64:]
        half = len(self.ad) // 2
        # The MAC names the sender's identity key first.
        if self.s.hmac(mac_key, self.ad[half:] + self.ad[:half] + body)[:8] != tag:
            raise Failed("the MAC does not verify")
        pt = aes_cbc_open(ck, iv, f[4])
        self.messages += 1
        return pt, pn, n


# --------------------------------------------------------------- comparing


def file_values(node):
    """The values a start or event records, as {name: [hex, ...]}, and the
    JSON path of each: {name: [path, ...]}."""
    vals, paths = {}, {}
    if "steps" in node:
        for j, st in enumerate(node["steps"]):
            vals.setdefault(st["name"], []).append(st["hex"])
            paths.setdefault(st["name"], []).append(f".steps[{j}].hex")
    for name, v in node.get("values", {}).items():
        many = isinstance(v, list)
        vals[name] = v if many else [v]
        q = f'["{name}"]' if not name.replace("_", "a").isalnum() else f".{name}"
        paths[name] = [f".values{q}[{k}]" for k in range(len(v))] if many else [f".values{q}"]
    return vals, paths


def compare(c, base, node, log):
    vals, paths = file_values(node)
    mine = {}
    for name, v in log.v:
        mine.setdefault(name, []).append(v)
    for name, got in mine.items():
        if name == "CKr@root":
            # The receiving chain key from the root KDF comes first.
            c.eq(f"{base}{paths.get('CKr', ['.CKr'])[0]}", got[0], vals.get("CKr", [None])[0])
        elif name == "CKr@chain":
            # §3.5 steps the chain past skipped keys where this side stores
            # them; the chain key after the message is the event's last.
            c.eq(f"{base}{paths.get('CKr', ['.CKr'])[-1]}", got[-1], vals.get("CKr", [None])[-1])
        elif name in ("MK seed@recv", "MK seed@stored"):
            have = vals.get("MK seed", [])
            if name == "MK seed@recv" or have:
                c.eq(f"{base}{paths.get('MK seed', ['.MK seed'])[-1]}", got[-1], have[-1] if have else None)
        else:
            have = vals.get(name, [])
            c.eq(f"{base} ({name!r} count)", len(got), len(have))
            for k, (g, h) in enumerate(zip(got, have)):
                c.eq(f"{base}{paths[name][k]}", g, h)


# --------------------------------------------------------------- driver


def verify_conversation(doc, c, lib):
    s = Suite(doc["suite"], lib)
    spqr_mod = load_spqr() if s.triple else None
    cls = SignalRatchet if s.signal else SpecRatchet
    for vi, v in enumerate(doc["vectors"]):
        b = f"$.vectors[{vi}]"
        sessions = {}
        for who in ("initiator", "responder"):
            node = v["start"][who]
            draws, log = Draws(c, f"{b}.start.{who}", node.get("draws", [])), Log()
            sessions[who] = cls(s, who == "initiator", v["inputs"][who], spqr_mod, draws, log)
            draws.finish()
            compare(c, f"{b}.start.{who}", node, log)
        sent = []
        for j, e in enumerate(v["events"]):
            base = f"{b}.events[{j}]"
            draws, log = Draws(c, base, e.get("draws", [])), Log()
            try:
                if e["event"] == "send":
                    c.eq(f"{base}.message", len(sent), e["message"])
                    pt = bytes.fromhex(e["plaintext"])
                    wire = sessions[e["party"]].encrypt(pt, draws, log)
                    sent.append((e["party"], wire))
                    c.eq(f"{base}.wire", wire, e.get("wire"))
                else:
                    frm, wire = sent[e["message"]]
                    to = "responder" if frm == "initiator" else "initiator"
                    c.eq(f"{base}.party", to, e["party"])
                    pt, pn, n = sessions[to].decrypt(wire, e.get("time", 0), draws, log)
                    c.eq(f"{base}.header.PN", pn, e.get("header", {}).get("PN"))
                    c.eq(f"{base}.header.N", n, e.get("header", {}).get("N"))
                    c.eq(f"{base}.decrypted", pt, e.get("decrypted"))
                draws.finish()
            except Failed as x:
                c.errors.append(f"{base}: {x}")
                return
            compare(c, base, e, log)
