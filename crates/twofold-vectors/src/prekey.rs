//! `prekey` vectors: X3DH and PQXDH in both profiles.
//!
//! Inputs: both identity secrets, Bob's prekeys as a deployment holds them
//! (identifiers, secret keys or KEM key-generation coins, and the coins of
//! each XEdDSA signature), the signal profile's registration id, the spec
//! profile's application `info`, the payload, and Alice's coins (`EK_A`'s
//! secret key, the KEM's encapsulation coins). Everything else is derived:
//! the bundle Alice fetches, every step of both sides, the initial message
//! and both sides' session secrets.

use serde::Serialize;
use twofold_core::{CryptoRng, Recorder, SecretBytes};
use twofold_handshake::HandshakeError;
use twofold_handshake::bundle::{
    IdentityKeyPair, KemPrekey, KemPrekeyKind, OneTimePrekey, PrekeyBundle, SignedPrekey,
};
use twofold_handshake::prekey::{
    Initiated, InitiatorCoins, PrekeyHandshake, Profile, SessionSecret,
};
use twofold_primitives::registry::REGISTRY;

use crate::error::{AtPath, Result, VectorError};
use crate::json::Node;
use crate::{Case, Generated, Step, draw, needs_coins, steps};

/// A prekey vector.
#[derive(Debug, Serialize)]
pub struct PrekeyCase {
    name: String,
    inputs: Inputs,
    bundle: BundleOut,
    steps: Vec<Step>,
    messages: Vec<MessageOut>,
    outputs: Outputs,
}

/// Bob's KEM prekey as a deployment holds it.
#[derive(Debug, Clone, Serialize)]
struct KemInputs {
    id: u32,
    kind: &'static str,
    #[serde(serialize_with = "crate::hexser::bytes")]
    keygen_coins: Vec<u8>,
    #[serde(serialize_with = "crate::hexser::bytes")]
    signature_coins: Vec<u8>,
}

/// Bob's prekeys and identities as a deployment holds them, Alice's
/// identity and coins, and (`prekey` vectors) the payload.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Inputs {
    #[serde(rename = "IK_A secret", serialize_with = "crate::hexser::bytes")]
    ik_a: Vec<u8>,
    #[serde(rename = "IK_B secret", serialize_with = "crate::hexser::bytes")]
    ik_b: Vec<u8>,
    #[serde(rename = "SPK_B id")]
    spk_id: u32,
    #[serde(rename = "SPK_B secret", serialize_with = "crate::hexser::bytes")]
    spk: Vec<u8>,
    #[serde(
        rename = "SPK_B signature coins",
        serialize_with = "crate::hexser::bytes"
    )]
    spk_sig_coins: Vec<u8>,
    #[serde(rename = "OPK_B id", skip_serializing_if = "Option::is_none")]
    opk_id: Option<u32>,
    #[serde(
        rename = "OPK_B secret",
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    opk: Option<Vec<u8>>,
    #[serde(rename = "PQPK_B", skip_serializing_if = "Option::is_none")]
    pqpk: Option<KemInputs>,
    #[serde(rename = "registration id", skip_serializing_if = "Option::is_none")]
    registration_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    info: Option<String>,
    /// Absent in conversations, whose messages are the payloads.
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    payload: Option<Vec<u8>>,
    #[serde(rename = "EK_A coins", serialize_with = "crate::hexser::bytes")]
    ek_coins: Vec<u8>,
    #[serde(
        rename = "CT coins",
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    ct_coins: Option<Vec<u8>>,
}

#[derive(Debug, Serialize)]
struct SignedOut {
    id: u32,
    #[serde(serialize_with = "crate::hexser::bytes")]
    public: Vec<u8>,
    #[serde(serialize_with = "crate::hexser::bytes")]
    signature: Vec<u8>,
}

#[derive(Debug, Serialize)]
struct OneTimeOut {
    id: u32,
    #[serde(serialize_with = "crate::hexser::bytes")]
    public: Vec<u8>,
}

#[derive(Debug, Serialize)]
struct KemOut {
    id: u32,
    kind: &'static str,
    #[serde(serialize_with = "crate::hexser::bytes")]
    public: Vec<u8>,
    #[serde(serialize_with = "crate::hexser::bytes")]
    signature: Vec<u8>,
}

/// The bundle Alice fetches.
#[derive(Debug, Serialize)]
pub(crate) struct BundleOut {
    #[serde(rename = "IK_B", serialize_with = "crate::hexser::bytes")]
    ik_b: Vec<u8>,
    #[serde(rename = "SPK_B")]
    spk: SignedOut,
    #[serde(rename = "OPK_B", skip_serializing_if = "Option::is_none")]
    opk: Option<OneTimeOut>,
    #[serde(rename = "PQPK_B", skip_serializing_if = "Option::is_none")]
    pqpk: Option<KemOut>,
}

#[derive(Debug, Serialize)]
struct MessageOut {
    from: &'static str,
    name: &'static str,
    #[serde(serialize_with = "crate::hexser::bytes")]
    hex: Vec<u8>,
}

/// A session secret by its parts' names, as the specification (`SK`) or
/// libsignal (`RK`, `CK`, `PQRK`) names them; also what a ratchet starts
/// from in `conversation` vectors.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct SecretOut {
    #[serde(
        rename = "SK",
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) sk: Option<Vec<u8>>,
    #[serde(
        rename = "RK",
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) rk: Option<Vec<u8>>,
    #[serde(
        rename = "CK",
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) ck: Option<Vec<u8>>,
    #[serde(
        rename = "PQRK",
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) pqrk: Option<Vec<u8>>,
    #[serde(rename = "AD", serialize_with = "crate::hexser::bytes")]
    pub(crate) ad: Vec<u8>,
}

impl SecretOut {
    /// A signal-profile secret from its parts.
    pub(crate) fn signal(rk: Vec<u8>, ck: Vec<u8>, pqrk: Option<Vec<u8>>, ad: Vec<u8>) -> Self {
        Self {
            sk: None,
            rk: Some(rk),
            ck: Some(ck),
            pqrk,
            ad,
        }
    }

    pub(crate) fn of(s: &SessionSecret, profile: Profile) -> Self {
        let root = s.root_key().expose().to_vec();
        let (sk, rk) = match profile {
            Profile::Spec => (Some(root), None),
            Profile::Signal => (None, Some(root)),
        };
        Self {
            sk,
            rk,
            ck: s.chain_key().map(|k| k.expose().to_vec()),
            pqrk: s.pq_ratchet_auth_key().map(|k| k.expose().to_vec()),
            ad: s.associated_data().to_vec(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Outputs {
    initiator: SecretOut,
    responder: SecretOut,
    #[serde(rename = "payload received", serialize_with = "crate::hexser::bytes")]
    payload_received: Vec<u8>,
}

fn kind_name(k: KemPrekeyKind) -> &'static str {
    match k {
        KemPrekeyKind::OneTime => "one-time",
        KemPrekeyKind::LastResort => "last-resort",
    }
}

pub(crate) fn handshake(suite: &str, info: Option<&str>) -> Result<PrekeyHandshake> {
    let mut hs = PrekeyHandshake::new(suite, &*REGISTRY).at("$.suite")?;
    let p = hs.bundle_params();
    needs_coins(p.dh)?;
    needs_coins(p.signature)?;
    if let Some(k) = p.kem {
        needs_coins(k)?;
    }
    if let Some(info) = info {
        hs = hs.with_info(info.as_bytes()).at("$.vectors")?;
    }
    Ok(hs)
}

/// What Bob's set-up gives: Alice's identity, Bob's store holding the
/// prekeys under their ids, the bundle Alice fetches and its JSON.
pub(crate) struct Setup {
    pub(crate) alice: IdentityKeyPair,
    pub(crate) store: twofold_handshake::bundle::PrekeyStore,
    pub(crate) bundle: PrekeyBundle,
    pub(crate) out: BundleOut,
}

/// Both identities and Bob's prekeys from `inp`: each key imported into
/// Bob's store under its id, each signature made with its coins.
pub(crate) fn setup(hs: &PrekeyHandshake, inp: &Inputs, path: &str) -> Result<Setup> {
    let p = hs.bundle_params();
    let alice = IdentityKeyPair::from_secret(p.dh, SecretBytes::from_slice(&inp.ik_a)).at(path)?;
    let bob = IdentityKeyPair::from_secret(p.dh, SecretBytes::from_slice(&inp.ik_b)).at(path)?;
    let bob_sk = bob.secret_key().expose();

    let spk_public = p.dh.public_key(&inp.spk).at(path)?;
    let spk_sig = p
        .signature
        .sign_derand(bob_sk, &p.encode_ec(&spk_public), &inp.spk_sig_coins)
        .at(path)?;
    let mut store = hs.new_store(bob.duplicate()).at(path)?;
    store
        .import_signed_prekey(inp.spk_id, SecretBytes::from_slice(&inp.spk), &spk_sig)
        .at(path)?;

    let opk = match (&inp.opk_id, &inp.opk) {
        (Some(id), Some(secret)) => {
            store
                .import_one_time_prekey(*id, SecretBytes::from_slice(secret))
                .at(path)?;
            Some(OneTimeOut {
                id: *id,
                public: p.dh.public_key(secret).at(path)?,
            })
        }
        _ => None,
    };

    let pqpk = match (&inp.pqpk, p.kem) {
        (Some(k), Some(kem)) => {
            let kind = match k.kind {
                "one-time" => KemPrekeyKind::OneTime,
                _ => KemPrekeyKind::LastResort,
            };
            let (public, secret) = kem.generate_derand(&k.keygen_coins).at(path)?;
            let msg = p.encode_kem(&public).at(path)?;
            let signature = p
                .signature
                .sign_derand(bob_sk, &msg, &k.signature_coins)
                .at(path)?;
            store
                .import_kem_prekey(kind, k.id, &public, secret, &signature)
                .at(path)?;
            Some(KemOut {
                id: k.id,
                kind: kind_name(kind),
                public,
                signature,
            })
        }
        (None, None) => None,
        _ => {
            return Err(VectorError::Field {
                path: format!("{path}.inputs.PQPK_B"),
                problem: "PQXDH needs a KEM prekey and X3DH has none".to_string(),
            });
        }
    };

    let bundle = PrekeyBundle {
        identity_key: bob.public_key().to_vec(),
        signed_prekey: SignedPrekey {
            id: inp.spk_id,
            public_key: spk_public.clone(),
            signature: spk_sig.clone(),
        },
        one_time_prekey: opk.as_ref().map(|o| OneTimePrekey {
            id: o.id,
            public_key: o.public.clone(),
        }),
        kem_prekey: pqpk.as_ref().map(|k| KemPrekey {
            kind: if k.kind == "one-time" {
                KemPrekeyKind::OneTime
            } else {
                KemPrekeyKind::LastResort
            },
            key: SignedPrekey {
                id: k.id,
                public_key: k.public.clone(),
                signature: k.signature.clone(),
            },
        }),
    };
    Ok(Setup {
        alice,
        store,
        bundle,
        out: BundleOut {
            ik_b: bob.public_key().to_vec(),
            spk: SignedOut {
                id: inp.spk_id,
                public: spk_public,
                signature: spk_sig,
            },
            opk,
            pqpk,
        },
    })
}

/// Alice's initiation with the coins of `inp` (and its registration id).
pub(crate) fn initiate(
    hs: &PrekeyHandshake,
    alice: &IdentityKeyPair,
    bundle: &PrekeyBundle,
    inp: &Inputs,
    payload: &[u8],
    observer: &mut dyn twofold_core::Observer,
    path: &str,
) -> Result<Initiated> {
    let mut initiator = hs.initiator(alice, bundle).at(path)?;
    if let Some(id) = inp.registration_id {
        initiator = initiator.with_registration_id(id).at(path)?;
    }
    let coins = InitiatorCoins {
        ephemeral: &inp.ek_coins,
        kem: inp.ct_coins.as_deref(),
    };
    initiator.initiate_derand(payload, coins, observer).at(path)
}

/// Runs Bob's set-up, Alice's initiation and Bob's acceptance from `inp`.
fn compute(suite: &str, name: String, inp: Inputs, path: &str) -> Result<PrekeyCase> {
    let hs = handshake(suite, inp.info.as_deref())?;
    let payload = inp.payload.clone().ok_or_else(|| VectorError::Field {
        path: format!("{path}.inputs.payload"),
        problem: "missing".to_string(),
    })?;
    let Setup {
        alice,
        mut store,
        bundle,
        out,
    } = setup(&hs, &inp, path)?;
    let rec = Recorder::new();
    let sent = initiate(&hs, &alice, &bundle, &inp, &payload, &mut rec.clone(), path)?;
    let got = hs
        .accept(&mut store, &sent.wire, &mut rec.clone())
        .at(path)?;
    if got.secret != sent.secret || got.payload != payload {
        return Err(HandshakeError::Misuse("the two sides disagree")).at(path);
    }
    let profile = hs.profile();
    Ok(PrekeyCase {
        name,
        bundle: out,
        steps: steps(&rec.trace()),
        messages: vec![MessageOut {
            from: "initiator",
            name: "initial message",
            hex: sent.wire.clone(),
        }],
        outputs: Outputs {
            initiator: SecretOut::of(&sent.secret, profile),
            responder: SecretOut::of(&got.secret, profile),
            payload_received: got.payload,
        },
        inputs: inp,
    })
}

/// One case of the default set: its name and what Bob publishes.
pub(crate) struct Plan {
    pub(crate) name: &'static str,
    spk_id: u32,
    opk_id: Option<u32>,
    kem_id: u32,
    kem_kind: KemPrekeyKind,
    registration_id: u32,
    info: &'static str,
    payload: &'static [u8],
}

/// The two cases of every suite: with one-time prekeys (curve and KEM, the
/// ids of a deployment: 22, 11, 33), and with neither (no `DH4`, the
/// last-resort KEM prekey).
pub(crate) const PLANS: [Plan; 2] = [
    Plan {
        name: "one-time curve and KEM prekeys",
        spk_id: 22,
        opk_id: Some(11),
        kem_id: 33,
        kem_kind: KemPrekeyKind::OneTime,
        registration_id: 1569,
        info: labels_default_info(),
        payload: b"hello Bob",
    },
    Plan {
        name: "no one-time curve prekey; the last-resort KEM prekey",
        spk_id: 7,
        opk_id: None,
        kem_id: 1,
        kem_kind: KemPrekeyKind::LastResort,
        registration_id: 0,
        info: "twofold vectors",
        payload: b"",
    },
];

/// Draws a case's keys and coins, in the documented order: `IK_A`, `IK_B`,
/// `SPK_B`, its `Z`, `OPK_B` (if used), `PQPK_B`'s key-generation coins and
/// `Z` (PQXDH), `EK_A coins`, `CT coins` (PQXDH). `payload`: whether the
/// case carries the plan's payload (a `prekey` vector) or not (a
/// conversation, whose messages are the payloads).
pub(crate) fn draw_inputs(
    hs: &PrekeyHandshake,
    plan: &Plan,
    payload: bool,
    rng: &mut dyn CryptoRng,
) -> Inputs {
    let p = hs.bundle_params();
    let profile = hs.profile();
    let dh_len = p.dh.sizes().sk;
    let z_len = p.signature.sizes().sign_coins;
    let ik_a = draw(rng, dh_len);
    let ik_b = draw(rng, dh_len);
    let spk = draw(rng, dh_len);
    let spk_sig_coins = draw(rng, z_len);
    let opk = plan.opk_id.map(|_| draw(rng, dh_len));
    let pqpk = p.kem.map(|k| KemInputs {
        id: plan.kem_id,
        kind: kind_name(plan.kem_kind),
        keygen_coins: draw(rng, k.sizes().keygen_coins),
        signature_coins: draw(rng, z_len),
    });
    let ek_coins = draw(rng, dh_len);
    let ct_coins = p.kem.map(|k| draw(rng, k.sizes().encaps_coins));
    Inputs {
        ik_a,
        ik_b,
        spk_id: plan.spk_id,
        spk,
        spk_sig_coins,
        opk_id: plan.opk_id,
        opk,
        pqpk,
        registration_id: (profile == Profile::Signal).then_some(plan.registration_id),
        info: (profile == Profile::Spec).then(|| plan.info.to_string()),
        payload: payload.then(|| plan.payload.to_vec()),
        ek_coins,
        ct_coins,
    }
}

pub(crate) fn generate(suite: &str, rng: &mut dyn CryptoRng) -> Result<Generated> {
    let hs = handshake(suite, None)?;
    let mut cases = Vec::new();
    for (i, plan) in PLANS.iter().enumerate() {
        let inputs = draw_inputs(&hs, plan, true, rng);
        let path = format!("$.vectors[{i}]");
        let case = compute(suite, plan.name.to_string(), inputs, &path)?;
        cases.push(Case::Prekey(Box::new(case)));
    }
    let (description, sources) = describe(&hs);
    Ok((hs.suite_name().to_string(), description, sources, cases))
}

const fn labels_default_info() -> &'static str {
    // The spec profile's info when an application sets none.
    "twofold-v1"
}

fn describe(hs: &PrekeyHandshake) -> (String, Vec<&'static str>) {
    let what = match hs.protocol() {
        twofold_handshake::prekey::Protocol::X3dh => "X3DH",
        twofold_handshake::prekey::Protocol::Pqxdh => "PQXDH",
    };
    match hs.profile() {
        Profile::Spec => (
            format!(
                "{what} as published (spec profile): Bob's prekeys and their XEdDSA signatures, \
                 Alice's initiation (DH1..DH4{}, KM, HKDF to SK, the payload under \
                 ChaCha20-Poly1305 with K_init and AD) and Bob's acceptance, with twofold's \
                 spec-profile wire format and type bytes",
                if what == "PQXDH" { ", SS" } else { "" }
            ),
            vec![
                "The X3DH Key Agreement Protocol, revision 1 (Signal, 2016-11-04)",
                "The PQXDH Key Agreement Protocol, revision 1 (Kret and Schmidt, Signal, 2023-05-24)",
                "The XEdDSA and VXEdDSA Signature Schemes, revision 1 (Signal, 2016-10-20)",
                "RFC 5869 (HKDF), RFC 7748 (X25519), RFC 8439 (ChaCha20-Poly1305)",
            ],
        ),
        Profile::Signal => (
            format!(
                "{what} as libsignal deploys it (signal profile): 0x05 curve keys, XEdDSA as \
                 libsignal signs, {}HKDF-SHA256 to RK || CK{}, the PreKeySignalMessage encoding",
                if what == "PQXDH" {
                    "0x08 round-3 Kyber1024 keys, "
                } else {
                    ""
                },
                if what == "PQXDH" { " || PQRK" } else { "" }
            ),
            vec![
                "libsignal rust/protocol/src/pqxdh.rs, kem.rs, protocol.rs, proto/wire.proto",
                "The PQXDH Key Agreement Protocol, revision 1 (Kret and Schmidt, Signal, 2023-05-24)",
                "CRYSTALS-Kyber round 3 specification (version 3.02)",
                "The XEdDSA and VXEdDSA Signature Schemes, revision 1 (Signal, 2016-10-20)",
            ],
        ),
    }
}

/// A case's `inputs`; `payload`: whether it must carry one (`prekey`) or
/// carries none (a conversation).
pub(crate) fn parse_inputs(v: &Node<'_>, payload: bool) -> Result<Inputs> {
    let i = v.get("inputs")?;
    let opk_id = i.opt("OPK_B id")?.map(|n| n.u32()).transpose()?;
    let opk = i.opt_hex("OPK_B secret")?;
    if opk_id.is_some() != opk.is_some() {
        return Err(VectorError::Field {
            path: i.path().to_string(),
            problem: "\"OPK_B id\" and \"OPK_B secret\" go together".to_string(),
        });
    }
    let pqpk = match i.opt("PQPK_B")? {
        None => None,
        Some(k) => {
            let kind_node = k.get("kind")?;
            let kind = match kind_node.str()? {
                "one-time" => "one-time",
                "last-resort" => "last-resort",
                other => {
                    return Err(VectorError::Field {
                        path: kind_node.path().to_string(),
                        problem: format!("{other:?} is neither \"one-time\" nor \"last-resort\""),
                    });
                }
            };
            Some(KemInputs {
                id: k.get("id")?.u32()?,
                kind,
                keygen_coins: k.get("keygen_coins")?.hex()?,
                signature_coins: k.get("signature_coins")?.hex()?,
            })
        }
    };
    Ok(Inputs {
        ik_a: i.get("IK_A secret")?.hex()?,
        ik_b: i.get("IK_B secret")?.hex()?,
        spk_id: i.get("SPK_B id")?.u32()?,
        spk: i.get("SPK_B secret")?.hex()?,
        spk_sig_coins: i.get("SPK_B signature coins")?.hex()?,
        opk_id,
        opk,
        pqpk,
        registration_id: i.opt("registration id")?.map(|n| n.u32()).transpose()?,
        info: i
            .opt("info")?
            .map(|n| n.str().map(str::to_string))
            .transpose()?,
        payload: if payload {
            Some(i.get("payload")?.hex()?)
        } else {
            None
        },
        ek_coins: i.get("EK_A coins")?.hex()?,
        ct_coins: i.opt_hex("CT coins")?,
    })
}

pub(crate) fn recompute(suite: &str, items: &[Node<'_>]) -> Result<Vec<Case>> {
    items
        .iter()
        .map(|v| {
            let name = v.get("name")?.str()?.to_string();
            let inputs = parse_inputs(v, true)?;
            Ok(Case::Prekey(Box::new(compute(
                suite,
                name,
                inputs,
                v.path(),
            )?)))
        })
        .collect()
}
