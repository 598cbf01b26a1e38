//! Differential targets: every backend of an algorithm on the same input
//! must give the same answer (the same bytes, or an error from all).
//!
//! Input (through [`Unstructured`]): the algorithm, the mode (arbitrary
//! values, or genuine values from coins with an optional change), then the
//! values. Keys made from coins come from each coin-taking backend's own
//! key generation; a backend that hides its randomness (pqcrypto) is given
//! the secret key of a coin-taking backend with the same key format.

use arbitrary::Unstructured;
use twofold_core::{Aead, AlgorithmId, Dh, Kem, ShakeRng, Signature};
use twofold_primitives::registry::REGISTRY;

/// Every backend of `name` in `list`, keeping those with the same key
/// format together (`key` gives the format: e.g. the secret-key length).
fn groups<T: AlgorithmId + ?Sized>(
    list: &[&'static T],
    names: &[&str],
    key: impl Fn(&T) -> usize,
) -> Vec<Vec<&'static T>> {
    let mut out: Vec<Vec<&'static T>> = Vec::new();
    for name in names {
        for &b in list.iter().filter(|b| b.name() == *name) {
            match out
                .iter_mut()
                .find(|g| g[0].name() == *name && key(g[0]) == key(b))
            {
                Some(g) => g.push(b),
                None => out.push(vec![b]),
            }
        }
    }
    out.retain(|g| g.len() >= 2);
    out
}

/// `fn $name()`: the backend groups of `$list` for the algorithms `$names`
/// with the key format `$key`, computed once.
macro_rules! group_table {
    ($name:ident, $t:ty, $list:expr, $names:expr, $key:expr) => {
        fn $name() -> &'static [Vec<&'static $t>] {
            static G: std::sync::OnceLock<Vec<Vec<&'static $t>>> = std::sync::OnceLock::new();
            G.get_or_init(|| groups(&$list, &$names, $key))
        }
    };
}

group_table!(
    kem_groups,
    dyn Kem,
    REGISTRY.kems,
    ["ML-KEM-512", "ML-KEM-768", "ML-KEM-1024", "X-Wing"],
    |k| k.sizes().pk
);
group_table!(
    sig_groups,
    dyn Signature,
    REGISTRY.signatures,
    ["Ed25519", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87"],
    |s| s.sizes().pk
);
group_table!(
    aead_groups,
    dyn Aead,
    REGISTRY.aeads,
    ["ChaCha20-Poly1305", "AES-256-GCM"],
    |a| a.key_len()
);
group_table!(dh_groups, dyn Dh, REGISTRY.dhs, ["X25519", "P-256"], |d| d
    .sizes()
    .pk);

/// Panics unless every backend gave the same answer (`None`: an error).
fn agree(what: &str, results: &[(String, Option<Vec<u8>>)]) {
    let Some((first_id, first)) = results.first() else {
        return;
    };
    for (id, r) in &results[1..] {
        assert!(
            r == first,
            "{what}: {id} gives {} and {first_id} gives {}",
            describe(r),
            describe(first)
        );
    }
}

fn describe(r: &Option<Vec<u8>>) -> String {
    match r {
        None => "an error".into(),
        Some(v) => format!("{} bytes starting {:02x?}", v.len(), &v[..v.len().min(4)]),
    }
}

/// `len` bytes from the input, or arbitrary bytes of any length when the
/// input says so (wrong lengths must be refused alike).
fn value(u: &mut Unstructured<'_>, len: usize) -> Vec<u8> {
    if u.ratio(1, 8).unwrap_or(false) {
        return u.arbitrary().unwrap_or_default();
    }
    let mut v = vec![0u8; len];
    // Short input leaves zeros, which is a value too.
    let _ = u.fill_buffer(&mut v);
    v
}

/// Flips the bits `xor` at position `at` (modulo the length) when the
/// input asks for a change; returns whether it changed anything.
fn change(u: &mut Unstructured<'_>, v: &mut [u8]) -> bool {
    if v.is_empty() || !u.arbitrary::<bool>().unwrap_or(false) {
        return false;
    }
    let at = usize::from(u.arbitrary::<u16>().unwrap_or(0)) % v.len();
    let xor = u.arbitrary::<u8>().unwrap_or(1).max(1);
    v[at] ^= xor;
    true
}

/// KEM decapsulation (and encapsulation) across the ML-KEM and X-Wing
/// backends: on arbitrary ciphertexts, on genuine ones with a change, with
/// arbitrary secret keys and public keys.
pub fn kem(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let groups = kem_groups();
    let Ok(g) = u.choose(groups) else { return };
    let sizes = g[0].sizes();
    let name = g[0].name();
    let mode = u.arbitrary::<u8>().unwrap_or(0) % 3;
    let coins = value(&mut u, sizes.keygen_coins);
    let maker = g.iter().find(|k| k.takes_coins()).copied();
    let Some(Ok((pk, _))) = maker.map(|m| m.generate_derand(&coins)) else {
        // Wrong-length coins: every coin-taking backend refuses them.
        let r: Vec<_> = g
            .iter()
            .filter(|k| k.takes_coins())
            .map(|k| (k.id(), k.generate_derand(&coins).ok().map(|(pk, _)| pk)))
            .collect();
        agree(&format!("{name} key generation"), &r);
        return;
    };
    // Each backend's secret key: its own from the same coins if it takes
    // coins (the public keys must agree), else that of a coin-taking
    // backend with the same secret-key format.
    let mut keys = Vec::new();
    for k in g {
        if k.takes_coins() {
            let (p, s) = k.generate_derand(&coins).expect("coins the maker took");
            assert!(
                p == pk,
                "{name}: {} and {} derive different public keys",
                k.id(),
                g[0].id()
            );
            keys.push((*k, s));
        }
    }
    for k in g.iter().filter(|k| !k.takes_coins()) {
        let same = keys.iter().find(|(m, _)| m.sizes().sk == k.sizes().sk);
        if let Some(sk) = same.map(|(_, s)| s.duplicate()) {
            keys.push((*k, sk));
        }
    }
    let decaps = |ct: &[u8]| -> Vec<(String, Option<Vec<u8>>)> {
        keys.iter()
            .map(|(k, sk)| {
                (
                    k.id(),
                    k.decapsulate(sk.expose(), ct)
                        .ok()
                        .map(|s| s.expose().to_vec()),
                )
            })
            .collect()
    };
    match mode {
        // Arbitrary ciphertext.
        0 => {
            let ct = value(&mut u, sizes.ct);
            agree(
                &format!("{name} decapsulation of an arbitrary ciphertext"),
                &decaps(&ct),
            );
        }
        // Genuine ciphertext, maybe changed; unchanged, it gives the secret.
        1 => {
            let m = value(&mut u, sizes.encaps_coins);
            let Ok((mut ct, ss)) = keys[0].0.encapsulate_derand(&pk, &m) else {
                return;
            };
            let changed = change(&mut u, &mut ct);
            let mut r = decaps(&ct);
            if !changed {
                r.push(("the encapsulation".into(), Some(ss.expose().to_vec())));
            }
            agree(&format!("{name} decapsulation"), &r);
        }
        // Arbitrary public key (encapsulation) and secret key (decapsulation).
        _ => {
            let epk = value(&mut u, sizes.pk);
            let m = vec![0x11; sizes.encaps_coins];
            let mut rng = ShakeRng::new(b"fuzz kem");
            let accepted: Vec<_> = g
                .iter()
                .map(|k| {
                    let ok = if k.takes_coins() {
                        k.encapsulate_derand(&epk, &m).is_ok()
                    } else {
                        // Coins hidden: only acceptance can be compared.
                        k.encapsulate(&epk, &mut rng).is_ok()
                    };
                    (k.id(), ok.then(Vec::new))
                })
                .collect();
            agree(&format!("{name} acceptance of a public key"), &accepted);
            let encaps: Vec<_> = g
                .iter()
                .filter(|k| k.takes_coins())
                .map(|k| {
                    let r = k.encapsulate_derand(&epk, &m);
                    (
                        k.id(),
                        r.ok().map(|(ct, ss)| [&ct[..], ss.expose()].concat()),
                    )
                })
                .collect();
            agree(&format!("{name} encapsulation"), &encaps);
            let sk = value(&mut u, sizes.sk);
            let ct = value(&mut u, sizes.ct);
            let r: Vec<_> = g
                .iter()
                .filter(|k| k.sizes().sk == sizes.sk)
                .map(|k| {
                    (
                        k.id(),
                        k.decapsulate(&sk, &ct).ok().map(|s| s.expose().to_vec()),
                    )
                })
                .collect();
            agree(
                &format!("{name} decapsulation with an arbitrary secret key"),
                &r,
            );
        }
    }
}

/// Signature verification across the Ed25519 and ML-DSA backends: on
/// arbitrary keys, messages and signatures, and on a genuine signature
/// with a change to the key, the message or the signature.
pub fn sig(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(g) = u.choose(sig_groups()) else {
        return;
    };
    let sizes = g[0].sizes();
    let name = g[0].name();
    let (pk, msg, sig, genuine) = if u.arbitrary::<bool>().unwrap_or(false) {
        let pk = value(&mut u, sizes.pk);
        let sig = value(&mut u, sizes.sig);
        let msg: Vec<u8> = u.arbitrary().unwrap_or_default();
        (pk, msg, sig, false)
    } else {
        let coins = value(&mut u, sizes.keygen_coins);
        let maker = g
            .iter()
            .find(|s| s.takes_coins())
            .expect("a coin-taking backend");
        let Ok((mut pk, sk)) = maker.generate_derand(&coins) else {
            return;
        };
        let mut msg: Vec<u8> = u.arbitrary().unwrap_or_default();
        let Ok(mut sig) = maker.sign_derand(sk.expose(), &msg, &vec![0; sizes.sign_coins]) else {
            return;
        };
        let changed = change(&mut u, &mut pk) | change(&mut u, &mut msg) | change(&mut u, &mut sig);
        (pk, msg, sig, !changed)
    };
    let mut r: Vec<_> = g
        .iter()
        .map(|s| (s.id(), s.verify(&pk, &msg, &sig).ok().map(|()| Vec::new())))
        .collect();
    if genuine {
        r.push(("the signer".into(), Some(Vec::new())));
    }
    agree(&format!("{name} verification"), &r);
}

/// AEAD open (and seal) across the ChaCha20-Poly1305 and AES-256-GCM
/// backends: arbitrary ciphertexts, and genuine ones with a change.
pub fn aead(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(g) = u.choose(aead_groups()) else {
        return;
    };
    let a = g[0];
    let name = a.name();
    let key = value(&mut u, a.key_len());
    let nonce = value(&mut u, a.nonce_len());
    let aad: Vec<u8> = u.arbitrary().unwrap_or_default();
    let (ct, expect) = if u.arbitrary::<bool>().unwrap_or(false) {
        (u.arbitrary::<Vec<u8>>().unwrap_or_default(), None)
    } else {
        let pt: Vec<u8> = u.arbitrary().unwrap_or_default();
        let sealed: Vec<_> = g
            .iter()
            .map(|b| (b.id(), b.seal(&key, &nonce, &aad, &pt).ok()))
            .collect();
        agree(&format!("{name} seal"), &sealed);
        let Some(mut ct) = sealed[0].1.clone() else {
            return;
        };
        let changed = change(&mut u, &mut ct);
        (ct, (!changed).then_some(pt))
    };
    let mut r: Vec<_> = g
        .iter()
        .map(|b| (b.id(), b.open(&key, &nonce, &aad, &ct).ok()))
        .collect();
    if let Some(pt) = expect {
        r.push(("the plaintext".into(), Some(pt)));
    }
    agree(&format!("{name} open"), &r);
}

/// Diffie-Hellman across the X25519 and P-256 backends: public keys of
/// arbitrary secret keys, and shared secrets with arbitrary or changed
/// genuine public keys (low-order, off-curve, non-canonical points).
pub fn dh(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(g) = u.choose(dh_groups()) else { return };
    let sizes = g[0].sizes();
    let name = g[0].name();
    let sk = value(&mut u, sizes.sk);
    let publics: Vec<_> = g.iter().map(|d| (d.id(), d.public_key(&sk).ok())).collect();
    agree(&format!("{name} public key"), &publics);
    let pk = if u.arbitrary::<bool>().unwrap_or(false) {
        value(&mut u, sizes.pk)
    } else {
        let other = value(&mut u, sizes.sk);
        let Ok(mut pk) = g[0].public_key(&other) else {
            return;
        };
        change(&mut u, &mut pk);
        pk
    };
    let r: Vec<_> = g
        .iter()
        .map(|d| (d.id(), d.dh(&sk, &pk).ok().map(|s| s.expose().to_vec())))
        .collect();
    agree(&format!("{name} shared secret"), &r);
}
