//! Every registered primitive's operations, prepared and ready to time.
//!
//! The `twofold bench` table and the criterion bench (`benches/primitives.rs`)
//! measure the same operations on the same inputs; both take them from
//! [`primitive_ops`]. Inputs (keys, ciphertexts, signatures) are made once,
//! valid, before any timing; each [`PrimitiveOp::run`] performs exactly one
//! operation through the trait object. Randomness comes from an in-process
//! SHAKE stream seeded with the implementation's name: no system call is
//! timed, and a second run makes the same inputs (backends that hide their
//! randomness, pqcrypto, aside).

use std::collections::BTreeSet;

use twofold_core::{
    Aead, AlgorithmId, Dh, Family, Hash, Kdf, Kem, Result, ShakeRng, Signature, Xof,
};
use twofold_primitives::registry::{Entry, registry};

/// The message signed, sealed and hashed: 1 KiB.
const MSG: &[u8] = &[0x5a; 1024];

/// One operation of one implementation.
pub struct PrimitiveOp {
    /// The family (criterion groups by it).
    pub family: Family,
    /// `ALGORITHM@backend`.
    pub subject: String,
    /// The algorithm.
    pub algorithm: &'static str,
    /// The backend.
    pub backend: &'static str,
    /// Whether a bare algorithm name selects this backend.
    pub is_default: bool,
    /// The operation, e.g. `encaps` or `sign 1KiB`.
    pub op: &'static str,
    /// What goes on the wire, e.g. `ct 1088` (may be empty).
    pub bytes: String,
    /// Performs the operation once.
    pub run: Box<dyn FnMut() -> Result<()>>,
}

fn op(
    family: Family,
    who: &dyn AlgorithmId,
    name: &'static str,
    bytes: String,
    run: impl FnMut() -> Result<()> + 'static,
) -> PrimitiveOp {
    PrimitiveOp {
        family,
        subject: who.id(),
        algorithm: who.name(),
        backend: who.backend(),
        is_default: false,
        op: name,
        bytes,
        run: Box::new(run),
    }
}

/// The stream of one implementation's operations.
fn rng(who: &dyn AlgorithmId) -> ShakeRng {
    ShakeRng::new(who.id().as_bytes())
}

fn kem(k: &'static dyn Kem, out: &mut Vec<PrimitiveOp>) -> Result<()> {
    let (id, s, f) = (k, k.sizes(), Family::Kem);
    let mut r = rng(k);
    let (pk, sk) = k.generate(&mut r)?;
    let (ct, _) = k.encapsulate(&pk, &mut r)?;
    let mut r2 = rng(k);
    out.push(op(f, id, "keygen", format!("pk {}", s.pk), move || {
        k.generate(&mut r).map(drop)
    }));
    out.push(op(f, id, "encaps", format!("ct {}", s.ct), move || {
        k.encapsulate(&pk, &mut r2).map(drop)
    }));
    out.push(op(f, id, "decaps", format!("ss {}", s.ss), move || {
        k.decapsulate(sk.expose(), &ct).map(drop)
    }));
    Ok(())
}

fn dh(d: &'static dyn Dh, out: &mut Vec<PrimitiveOp>) -> Result<()> {
    let (id, s, f) = (d, d.sizes(), Family::Dh);
    let mut r = rng(d);
    let (_, sk) = d.generate(&mut r)?;
    let (pk, _) = d.generate(&mut r)?;
    out.push(op(f, id, "keygen", format!("pk {}", s.pk), move || {
        d.generate(&mut r).map(drop)
    }));
    out.push(op(f, id, "dh", format!("ss {}", s.shared), move || {
        d.dh(sk.expose(), &pk).map(drop)
    }));
    Ok(())
}

fn signature(g: &'static dyn Signature, out: &mut Vec<PrimitiveOp>) -> Result<()> {
    let (id, f) = (g, Family::Signature);
    let mut r = rng(g);
    let (pk, sk) = g.generate(&mut r)?;
    let sig = g.sign(sk.expose(), MSG, &mut r)?;
    let mut r2 = rng(g);
    g.verify(&pk, MSG, &sig)?;
    let (pk_len, sig_len) = (pk.len(), sig.len());
    out.push(op(f, id, "keygen", format!("pk {pk_len}"), move || {
        g.generate(&mut r).map(drop)
    }));
    out.push(op(
        f,
        id,
        "sign 1KiB",
        format!("sig {sig_len}"),
        move || g.sign(sk.expose(), MSG, &mut r2).map(drop),
    ));
    out.push(op(f, id, "verify 1KiB", String::new(), move || {
        g.verify(&pk, MSG, &sig)
    }));
    Ok(())
}

fn aead(a: &'static dyn Aead, out: &mut Vec<PrimitiveOp>) -> Result<()> {
    let (id, f) = (a, Family::Aead);
    let key = vec![7u8; a.key_len()];
    let nonce = vec![9u8; a.nonce_len()];
    let ct = a.seal(&key, &nonce, b"ad", MSG)?;
    let overhead = format!("+{} B", ct.len() - MSG.len());
    let (k2, n2) = (key.clone(), nonce.clone());
    out.push(op(f, id, "seal 1KiB", overhead, move || {
        a.seal(&key, &nonce, b"ad", MSG).map(drop)
    }));
    out.push(op(f, id, "open 1KiB", String::new(), move || {
        a.open(&k2, &n2, b"ad", &ct).map(drop)
    }));
    Ok(())
}

fn hash(h: &'static dyn Hash, out: &mut Vec<PrimitiveOp>) {
    let (id, f) = (h, Family::Hash);
    out.push(op(
        f,
        id,
        "hash 1KiB",
        format!("out {}", h.output_len()),
        move || {
            drop(h.hash(&[MSG]));
            Ok(())
        },
    ));
    out.push(op(f, id, "hmac 1KiB", String::new(), move || {
        drop(h.hmac(&[1u8; 32], &[MSG]));
        Ok(())
    }));
}

fn xof(x: &'static dyn Xof, out: &mut Vec<PrimitiveOp>) {
    let mut buf = [0u8; 64];
    out.push(op(Family::Xof, x, "1KiB->64B", String::new(), move || {
        x.xof(&[MSG], &mut buf);
        Ok(())
    }));
}

fn kdf(k: &'static dyn Kdf, out: &mut Vec<PrimitiveOp>) {
    out.push(op(Family::Kdf, k, "derive 32B", String::new(), move || {
        k.derive(&[1u8; 32], &[2u8; 32], b"info", 32).map(drop)
    }));
}

/// The operations of every registered implementation that `select` keeps,
/// family by family in registry order.
pub fn primitive_ops(select: impl Fn(&Entry) -> bool) -> Result<Vec<PrimitiveOp>> {
    let reg = registry();
    let entries = reg.entries();
    let chosen: BTreeSet<(Family, String)> = entries
        .iter()
        .filter(|e| select(e))
        .map(|e| (e.family, e.id()))
        .collect();
    let defaults: BTreeSet<(Family, String)> = entries
        .iter()
        .filter(|e| e.is_default)
        .map(|e| (e.family, e.id()))
        .collect();
    let want = |f: Family, id: String| chosen.contains(&(f, id));
    let mut out = Vec::new();
    for &k in reg.kems.iter().filter(|k| want(Family::Kem, k.id())) {
        kem(k, &mut out)?;
    }
    for &d in reg.dhs.iter().filter(|d| want(Family::Dh, d.id())) {
        dh(d, &mut out)?;
    }
    for &g in reg
        .signatures
        .iter()
        .filter(|g| want(Family::Signature, g.id()))
    {
        signature(g, &mut out)?;
    }
    for &a in reg.aeads.iter().filter(|a| want(Family::Aead, a.id())) {
        aead(a, &mut out)?;
    }
    for &h in reg.hashes.iter().filter(|h| want(Family::Hash, h.id())) {
        hash(h, &mut out);
    }
    for &x in reg.xofs.iter().filter(|x| want(Family::Xof, x.id())) {
        xof(x, &mut out);
    }
    for &k in reg.kdfs.iter().filter(|k| want(Family::Kdf, k.id())) {
        kdf(k, &mut out);
    }
    for o in &mut out {
        o.is_default = defaults.contains(&(o.family, o.subject.clone()));
    }
    Ok(out)
}
