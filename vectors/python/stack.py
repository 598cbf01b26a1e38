"""The second implementation of twofold's conversations that start from a
handshake (`PQXDH+TripleRatchet_signal_...`): the Signal stack end to end.

Chains the two checks this folder already has: verify.py's X3DH/PQXDH run
(PrekeyRun: Bob's bundle, both sides' values, the session secrets, the
PreKeySignalMessage encoding) and conversation.py's libsignal session
(SignalRatchet, with SPQR from the repository's SPQR reference), and plays
the choreography libsignal's session_cipher.rs and session.rs deploy:

* Alice's messages are PreKeySignalMessages until she has decrypted one of
  Bob's: version byte 0x44 (PQXDH; 0x33 X3DH), then the protobuf fields in
  tag order: 1 pre_key_id (if a one-time curve prekey was used), 2 base_key
  (0x05 || EK_A), 3 identity_key (0x05 || IK_A), 4 message (her
  SignalMessage), 5 registration_id, 6 signed_pre_key_id, 7
  kyber_pre_key_id and 8 kyber_ciphertext (0x08 || CT; PQXDH only);
* Bob starts his session from the first one that arrives (the handshake's
  responder values, then his session under his signed prekey with PQXDH's
  CK, his AD IK_B || IK_A), and spends the one-time prekeys it named (the
  curve prekey, and the KEM prekey if it is a one-time one) only once its
  SignalMessage has decrypted;
* a later PreKeySignalMessage with the same base key and identity key goes
  to that session.

Compared: the bundle, both sides' handshake steps and session secrets, every
wire message and its type, the SignalMessage inside each PreKeySignalMessage,
Bob's session start, every event's values as conversation.py compares them,
each delivery's header and plaintext, and which one-time prekeys were spent
at which delivery.
"""

import conversation

PREKEY = "PreKeySignalMessage"
SIGNAL = "SignalMessage"


def _varint(b, at):
    n = shift = 0
    while True:
        if at >= len(b):
            raise conversation.Failed("a truncated varint")
        x = b[at]
        at += 1
        n |= (x & 0x7F) << shift
        shift += 7
        if x < 0x80:
            return n, at


def read_prekey_message(wire, version):
    """The fields of a PreKeySignalMessage, {tag: value}; the tags must
    come in increasing order, each once (as protobuf encoders write them)."""
    if not wire or wire[0] != version:
        raise conversation.Failed("PreKeySignalMessage version byte")
    out, at, last = {}, 1, 0
    while at < len(wire):
        key, at = _varint(wire, at)
        tag, wt = key >> 3, key & 7
        if tag <= last:
            raise conversation.Failed("PreKeySignalMessage fields out of order")
        last = tag
        if wt == 2:
            n, at = _varint(wire, at)
            out[tag], at = wire[at:at + n], at + n
        elif wt == 0:
            out[tag], at = _varint(wire, at)
        else:
            raise conversation.Failed(f"PreKeySignalMessage wire type {wt}")
    return out


def handshake_values(t):
    """A side's values as the handshake steps of these files list them: the
    payload and the initial message are the events' messages."""
    return {k: v for k, v in t.items() if k not in ("payload", "initial message")}


def parse_suite(name):
    """(handshake suite, ratchet suite) of `<proto>+<kind>_<rest>`."""
    head, rest = name.split("_", 1)
    proto, kind = head.split("+")
    parts = rest.split("_")
    return f"{proto}_{rest}", f"{kind}_{'_'.join(parts[:3])}"


def verify_stack(doc, c, lib):
    hs_suite, ratchet_suite = parse_suite(doc["suite"])
    s = conversation.Suite(ratchet_suite, lib)
    if not s.signal:
        raise lib["Skip"](f"ratchet {ratchet_suite}")
    spqr_mod = conversation.load_spqr() if s.triple else None
    for vi, v in enumerate(doc["vectors"]):
        b = f"$.vectors[{vi}]"
        inp = v["inputs"]
        run = lib["PrekeyRun"](hs_suite, inp, None)
        for member, want in run.bundle:
            got = v["bundle"]
            for key in member.strip(".").split("."):
                got = got.get(key, {}) if isinstance(got, dict) else None
            c.eq(f"{b}.bundle{member}", want, got)
        version = 0x44 if run.kem else 0x33

        # Alice: the handshake, then her session (libsignal: a receiving
        # chain under SPK_B from CK, and at once her first epoch).
        node = v["start"]["initiator"]
        hs_node = node["handshake"]
        lib["compare_steps"](
            c, f"{b}.start.initiator.handshake.steps", hs_node["steps"],
            {"initiator": handshake_values(run.a)},
        )
        compare_secret(c, f"{b}.start.initiator.handshake", run.secrets["initiator"], hs_node)
        sec = run.secrets["initiator"]
        st = {k: x.hex() for k, x in sec.items()}
        st["DHr"] = run.spk.hex()
        draws = conversation.Draws(c, f"{b}.start.initiator", node.get("draws", []))
        log = conversation.Log()
        sessions = {"initiator": conversation.SignalRatchet(s, True, st, spqr_mod, draws, log)}
        draws.finish()
        conversation.compare(c, f"{b}.start.initiator", node, log)

        # What libsignal keeps: whether Alice still wraps her messages, the
        # base and identity key Bob's session came from, Bob's unspent
        # one-time prekeys.
        wrapping = True
        bob_base = None
        one_time = {}
        if run.opk:
            one_time["OPK_B id"] = inp["OPK_B id"]
        if run.kem and inp["PQPK_B"]["kind"] == "one-time":
            one_time["PQPK_B id"] = inp["PQPK_B"]["id"]

        sent = []
        for j, e in enumerate(v["events"]):
            base = f"{b}.events[{j}]"
            draws, log = conversation.Draws(c, base, e.get("draws", [])), conversation.Log()
            accepted = spent = None
            try:
                if e["event"] == "send":
                    c.eq(f"{base}.message", len(sent), e["message"])
                    who = e["party"]
                    inner = sessions[who].encrypt(bytes.fromhex(e["plaintext"]), draws, log)
                    prekey = who == "initiator" and wrapping
                    wire = run.initial_message(inner) if prekey else inner
                    sent.append((who, wire, prekey))
                    c.eq(f"{base}.type", PREKEY if prekey else SIGNAL, e.get("type"))
                    c.eq(f"{base}.wire", wire, e.get("wire"))
                    c.eq(
                        f'{base}["signal message"]', inner if prekey else None,
                        e.get("signal message"),
                    )
                else:
                    frm, wire, prekey = sent[e["message"]]
                    to = "responder" if frm == "initiator" else "initiator"
                    c.eq(f"{base}.party", to, e["party"])
                    inner = wire
                    if prekey:
                        f = read_prekey_message(wire, version)
                        key = (f.get(2), f.get(3))
                        inner = f[4]
                        if to not in sessions:
                            accepted = accept(c, base, e, run, f, s, spqr_mod, draws, lib)
                            bob_base = key
                        elif key != bob_base:
                            raise conversation.Failed("a PreKeySignalMessage for no session")
                    if not accepted and to not in sessions:
                        raise conversation.Failed("a SignalMessage reaches Bob before his session")
                    session = accepted or sessions[to]
                    pt, pn, n = session.decrypt(inner, e.get("time", 0), draws, log)
                    if accepted:
                        # The message decrypted: only now is the session
                        # kept and are the one-time prekeys spent.
                        sessions[to] = accepted
                        spent, one_time = dict(one_time) or None, {}
                    if to == "initiator":
                        wrapping = False
                    c.eq(f"{base}.header.PN", pn, e.get("header", {}).get("PN"))
                    c.eq(f"{base}.header.N", n, e.get("header", {}).get("N"))
                    c.eq(f"{base}.decrypted", pt, e.get("decrypted"))
                    c.eq(f'{base}["prekeys spent"]', spent, e.get("prekeys spent"))
                    if not accepted:
                        c.eq(f"{base}.handshake", None, e.get("handshake"))
                        c.eq(f"{base}.start", None, e.get("start"))
                draws.finish()
            except conversation.Failed as x:
                c.errors.append(f"{base}: {x}")
                return
            conversation.compare(c, base, e, log)


def compare_secret(c, base, want, node):
    got = node.get("session secret", {})
    c.eq(f'{base}["session secret"] keys', sorted(want), sorted(got))
    for k, x in want.items():
        c.eq(f'{base}["session secret"].{k}', x, got.get(k))


def accept(c, base, e, run, f, s, spqr_mod, draws, lib):
    """Bob's side of the handshake from the message's fields, and his
    session (not kept until the message decrypts)."""
    inp = run.inp
    want = {
        1: inp.get("OPK_B id"),
        2: run.enc_ec(run.ek),
        3: run.enc_ec(run.ik_a),
        5: inp.get("registration id", 0),
        6: inp["SPK_B id"],
    }
    if run.kem:
        want[7] = inp["PQPK_B"]["id"]
        want[8] = bytes([run.kem_t]) + run.ct
    for tag, x in want.items():
        got = f.get(tag)
        got = got.hex() if isinstance(got, bytes) else got
        c.eq(f"{base} (PreKeySignalMessage field {tag})", x, got)
    hs_node = e.get("handshake", {})
    lib["compare_steps"](
        c, f"{base}.handshake.steps", hs_node.get("steps", []),
        {"responder": handshake_values(run.r)},
    )
    compare_secret(c, f"{base}.handshake", run.secrets["responder"], hs_node)
    sec = run.secrets["responder"]
    half = len(sec["AD"]) // 2
    st = {k: x.hex() for k, x in sec.items()}
    # Bob's AD names his identity key first; his first ratchet key is SPK_B.
    st["AD"] = (sec["AD"][half:] + sec["AD"][:half]).hex()
    st["DHs secret"] = run.spk_sk.hex()
    log = conversation.Log()
    session = conversation.SignalRatchet(s, False, st, spqr_mod, draws, log)
    conversation.compare(c, f"{base}.start", e.get("start", {}), log)
    return session
