//! Composite signatures: two signature schemes over the same message, both
//! of which must verify.
//!
//! A runtime combinator over two `&'static dyn Signature` components:
//! * public key `pk1 || pk2`, secret key `sk1 || sk2`, signature `sig1 || sig2`;
//! * both components sign `M' = label || msg`, so a composite signature's
//!   halves are bound to this composite (a component signature lifted out of
//!   it does not verify the bare message in the component scheme) and to the
//!   label, which names the construction and the component pair;
//! * verification runs both components and accepts only when both accept;
//! * key-generation coins are `coins1 || coins2`, signing coins likewise; the
//!   randomized forms draw the first component's coins, then the second's,
//!   which is the same byte stream.
//!
//! The first component must have fixed-length signatures (the split point
//! of `sig1 || sig2` is its `sizes().sig`); the second may be variable-length
//! (up to its maximum).

use std::fmt;
use std::sync::OnceLock;

use twofold_core::{
    AlgorithmId, CryptoRng, Error, Result, SecretBytes, SigSizes, Signature, check_len,
};

/// The label of the registered Ed25519 + ML-DSA-65 composite.
pub const LABEL_ED25519_ML_DSA_65: &[u8] = b"twofold-composite-v1 Ed25519+ML-DSA-65";

/// A composite of two signature schemes.
pub struct CompositeSignature {
    first: &'static dyn Signature,
    second: &'static dyn Signature,
    label: &'static [u8],
    name: OnceLock<&'static str>,
    backend: OnceLock<&'static str>,
}

/// Ed25519 (ed25519-dalek) + ML-DSA-65 (libcrux), label
/// [`LABEL_ED25519_ML_DSA_65`]: `Ed25519+ML-DSA-65@dalek+libcrux`.
pub static ED25519_ML_DSA_65: CompositeSignature = CompositeSignature::new(
    &crate::sign::ed25519::ED25519_DALEK,
    &crate::sign::mldsa::ML_DSA_65_LIBCRUX,
    LABEL_ED25519_ML_DSA_65,
);

impl CompositeSignature {
    /// A composite of `first` and `second` that signs `label || msg` with
    /// both. Its name is `first.name() + "+" + second.name()`, its backend
    /// `first.backend() + "+" + second.backend()` (each built once, on first
    /// use, and kept for the life of the program).
    pub const fn new(
        first: &'static dyn Signature,
        second: &'static dyn Signature,
        label: &'static [u8],
    ) -> Self {
        Self {
            first,
            second,
            label,
            name: OnceLock::new(),
            backend: OnceLock::new(),
        }
    }

    /// The two components, in order.
    pub fn components(&self) -> (&'static dyn Signature, &'static dyn Signature) {
        (self.first, self.second)
    }

    /// The domain-separation label prepended to every message.
    pub fn label(&self) -> &'static [u8] {
        self.label
    }

    /// `M' = label || msg`, what both components sign.
    fn bound_message(&self, msg: &[u8]) -> Vec<u8> {
        let mut m = Vec::with_capacity(self.label.len() + msg.len());
        m.extend_from_slice(self.label);
        m.extend_from_slice(msg);
        m
    }

    /// Concatenation of two secrets into one, without intermediate copies.
    fn concat_secret(a: &SecretBytes, b: &SecretBytes) -> SecretBytes {
        let mut v = Vec::with_capacity(a.len() + b.len());
        v.extend_from_slice(a.expose());
        v.extend_from_slice(b.expose());
        SecretBytes::new(v)
    }

    fn join(a: Vec<u8>, b: Vec<u8>) -> Vec<u8> {
        let mut v = a;
        v.extend_from_slice(&b);
        v
    }

    /// `sig1 || sig2` after checking that `sig1` has the fixed split length.
    fn join_sigs(&self, sig1: Vec<u8>, sig2: Vec<u8>) -> Result<Vec<u8>> {
        if sig1.len() != self.first.sizes().sig {
            return Err(Error::Misuse(
                "composite signature: the first component's signatures must have fixed length",
            ));
        }
        Ok(Self::join(sig1, sig2))
    }

    fn split_sk<'a>(&self, sk: &'a [u8]) -> Result<(&'a [u8], &'a [u8])> {
        check_len("composite signature secret key", sk, self.sizes().sk)?;
        Ok(sk.split_at(self.first.sizes().sk))
    }
}

impl fmt::Debug for CompositeSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompositeSignature")
            .field("first", &self.first.id())
            .field("second", &self.second.id())
            .field("label", &String::from_utf8_lossy(self.label))
            .finish()
    }
}

impl AlgorithmId for CompositeSignature {
    fn name(&self) -> &'static str {
        self.name
            .get_or_init(|| String::leak(format!("{}+{}", self.first.name(), self.second.name())))
    }
    fn backend(&self) -> &'static str {
        self.backend.get_or_init(|| {
            String::leak(format!(
                "{}+{}",
                self.first.backend(),
                self.second.backend()
            ))
        })
    }
    fn takes_coins(&self) -> bool {
        self.first.takes_coins() && self.second.takes_coins()
    }
}

impl Signature for CompositeSignature {
    fn sizes(&self) -> SigSizes {
        let (a, b) = (self.first.sizes(), self.second.sizes());
        SigSizes {
            pk: a.pk + b.pk,
            sk: a.sk + b.sk,
            sig: a.sig + b.sig,
            keygen_coins: a.keygen_coins + b.keygen_coins,
            sign_coins: a.sign_coins + b.sign_coins,
        }
    }

    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        if !self.takes_coins() {
            return Err(self.no_coins());
        }
        check_len(
            "composite signature key-generation coins",
            coins,
            self.sizes().keygen_coins,
        )?;
        let (c1, c2) = coins.split_at(self.first.sizes().keygen_coins);
        let (pk1, sk1) = self.first.generate_derand(c1)?;
        let (pk2, sk2) = self.second.generate_derand(c2)?;
        Ok((Self::join(pk1, pk2), Self::concat_secret(&sk1, &sk2)))
    }

    fn sign_derand(&self, sk: &[u8], msg: &[u8], coins: &[u8]) -> Result<Vec<u8>> {
        if !self.takes_coins() {
            return Err(self.no_coins());
        }
        let (sk1, sk2) = self.split_sk(sk)?;
        check_len(
            "composite signature signing coins",
            coins,
            self.sizes().sign_coins,
        )?;
        let (c1, c2) = coins.split_at(self.first.sizes().sign_coins);
        let m = self.bound_message(msg);
        let sig1 = self.first.sign_derand(sk1, &m, c1)?;
        let sig2 = self.second.sign_derand(sk2, &m, c2)?;
        self.join_sigs(sig1, sig2)
    }

    fn verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
        let (a, total) = (self.first.sizes(), self.sizes());
        check_len("composite signature public key", pk, total.pk)?;
        if sig.len() < a.sig || sig.len() > total.sig {
            return Err(Error::InvalidLength {
                what: "composite signature",
                expected: total.sig,
                actual: sig.len(),
            });
        }
        let (pk1, pk2) = pk.split_at(a.pk);
        let (sig1, sig2) = sig.split_at(a.sig);
        let m = self.bound_message(msg);
        // Both checks always run; either failure rejects.
        let r1 = self.first.verify(pk1, &m, sig1);
        let r2 = self.second.verify(pk2, &m, sig2);
        r1.and(r2)
    }

    /// Each component generates from `rng` in turn (for coin-taking
    /// components: the same bytes as [`Signature::generate_derand`] on
    /// `coins1 || coins2`), so a coin-less component still works here.
    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        let (pk1, sk1) = self.first.generate(rng)?;
        let (pk2, sk2) = self.second.generate(rng)?;
        Ok((Self::join(pk1, pk2), Self::concat_secret(&sk1, &sk2)))
    }

    /// Each component signs with `rng` in turn (see [`Self::generate`]).
    fn sign(&self, sk: &[u8], msg: &[u8], rng: &mut dyn CryptoRng) -> Result<Vec<u8>> {
        let (sk1, sk2) = self.split_sk(sk)?;
        let m = self.bound_message(msg);
        let sig1 = self.first.sign(sk1, &m, rng)?;
        let sig2 = self.second.sign(sk2, &m, rng)?;
        self.join_sigs(sig1, sig2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twofold_core::ShakeRng;

    fn coins(rng: &mut ShakeRng, n: usize) -> Vec<u8> {
        let mut v = vec![0u8; n];
        rng.fill_bytes(&mut v);
        v
    }

    #[test]
    fn identity_and_sizes() {
        let c = &ED25519_ML_DSA_65;
        assert_eq!(c.id(), "Ed25519+ML-DSA-65@dalek+libcrux");
        let (a, b) = c.components();
        let (sa, sb, s) = (a.sizes(), b.sizes(), c.sizes());
        assert_eq!(s.pk, sa.pk + sb.pk);
        assert_eq!(s.sk, sa.sk + sb.sk);
        assert_eq!(s.sig, sa.sig + sb.sig);
        assert_eq!(s.keygen_coins, sa.keygen_coins + sb.keygen_coins);
        assert_eq!(s.sign_coins, sa.sign_coins + sb.sign_coins);
        assert!(c.takes_coins());
    }

    #[test]
    fn is_the_concatenation_of_its_components_over_the_labelled_message() {
        let c = &ED25519_ML_DSA_65;
        let (a, b) = c.components();
        let mut rng = ShakeRng::new(b"composite concat");
        let kc = coins(&mut rng, c.sizes().keygen_coins);
        let sc = coins(&mut rng, c.sizes().sign_coins);
        let (pk, sk) = c.generate_derand(&kc).unwrap();
        let (kc1, kc2) = kc.split_at(a.sizes().keygen_coins);
        let (pk1, sk1) = a.generate_derand(kc1).unwrap();
        let (pk2, sk2) = b.generate_derand(kc2).unwrap();
        assert_eq!(pk, [pk1.clone(), pk2.clone()].concat());
        assert_eq!(
            sk.expose(),
            [sk1.expose(), sk2.expose()].concat().as_slice()
        );

        let msg = b"hello";
        let sig = c.sign_derand(sk.expose(), msg, &sc).unwrap();
        let m = [LABEL_ED25519_ML_DSA_65, msg].concat();
        let (sc1, sc2) = sc.split_at(a.sizes().sign_coins);
        let sig1 = a.sign_derand(sk1.expose(), &m, sc1).unwrap();
        let sig2 = b.sign_derand(sk2.expose(), &m, sc2).unwrap();
        assert_eq!(sig, [sig1.clone(), sig2.clone()].concat());
        assert_eq!(c.verify(&pk, msg, &sig), Ok(()));

        // Component signatures over the bare message do not fit in.
        let bare1 = a.sign_derand(sk1.expose(), msg, sc1).unwrap();
        let bare2 = b.sign_derand(sk2.expose(), msg, sc2).unwrap();
        for forged in [
            [bare1.clone(), sig2.clone()].concat(),
            [sig1.clone(), bare2.clone()].concat(),
            [bare1, bare2].concat(),
        ] {
            assert_eq!(c.verify(&pk, msg, &forged), Err(Error::VerificationFailed));
        }
        // Both halves must verify: a valid half with a half over another
        // message fails.
        let other = [LABEL_ED25519_ML_DSA_65, b"other"].concat();
        let other2 = b.sign_derand(sk2.expose(), &other, sc2).unwrap();
        let other1 = a.sign_derand(sk1.expose(), &other, sc1).unwrap();
        assert_eq!(
            c.verify(&pk, msg, &[sig1, other2].concat()),
            Err(Error::VerificationFailed)
        );
        assert_eq!(
            c.verify(&pk, msg, &[other1, sig2].concat()),
            Err(Error::VerificationFailed)
        );
    }

    #[test]
    fn randomized_forms_draw_the_components_coins_in_order() {
        let c = &ED25519_ML_DSA_65;
        let mut r1 = ShakeRng::new(b"composite stream");
        let mut r2 = ShakeRng::new(b"composite stream");
        let (pk, sk) = c.generate(&mut r1).unwrap();
        let sig = c.sign(sk.expose(), b"m", &mut r1).unwrap();
        let kc = coins(&mut r2, c.sizes().keygen_coins);
        let sc = coins(&mut r2, c.sizes().sign_coins);
        let (pk2, sk2) = c.generate_derand(&kc).unwrap();
        assert_eq!(pk, pk2);
        assert!(sk == sk2);
        assert_eq!(c.sign_derand(sk.expose(), b"m", &sc).unwrap(), sig);
    }
}
