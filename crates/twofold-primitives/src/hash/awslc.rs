//! SHA-256 and SHA-512 (FIPS 180-4) with their HMAC (RFC 2104) from
//! aws-lc-rs.
//!
//! aws-lc-rs panics only when AWS-LC itself reports an internal failure
//! (allocation); no input length or value can make these calls fail.

use aws_lc_rs::{digest, hmac};
use twofold_core::{AlgorithmId, Hash, SecretBytes};

/// A hash function with its HMAC from aws-lc-rs.
pub struct AwsLcHash {
    name: &'static str,
    digest: &'static digest::Algorithm,
    hmac: hmac::Algorithm,
}

impl std::fmt::Debug for AwsLcHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AwsLcHash({})", self.name)
    }
}

/// SHA-256 with HMAC-SHA256 from aws-lc-rs.
pub static SHA256: AwsLcHash = AwsLcHash {
    name: "SHA-256",
    digest: &digest::SHA256,
    hmac: hmac::HMAC_SHA256,
};

/// SHA-512 with HMAC-SHA512 from aws-lc-rs.
pub static SHA512: AwsLcHash = AwsLcHash {
    name: "SHA-512",
    digest: &digest::SHA512,
    hmac: hmac::HMAC_SHA512,
};

impl AlgorithmId for AwsLcHash {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backend(&self) -> &'static str {
        "aws-lc"
    }
}

impl Hash for AwsLcHash {
    fn output_len(&self) -> usize {
        self.digest.output_len()
    }

    fn block_len(&self) -> usize {
        self.digest.block_len()
    }

    fn hash(&self, parts: &[&[u8]]) -> Vec<u8> {
        let mut ctx = digest::Context::new(self.digest);
        for part in parts {
            ctx.update(part);
        }
        ctx.finish().as_ref().to_vec()
    }

    fn hmac(&self, key: &[u8], parts: &[&[u8]]) -> SecretBytes {
        // The key schedule lives in an AWS-LC `HMAC_CTX`, cleansed on drop.
        let key = hmac::Key::new(self.hmac, key);
        let mut ctx = hmac::Context::with_key(&key);
        for part in parts {
            ctx.update(part);
        }
        SecretBytes::from_slice(ctx.sign().as_ref())
    }
}
