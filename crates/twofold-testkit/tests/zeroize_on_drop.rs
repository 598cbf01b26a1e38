//! Secret types wipe their memory when they drop.
//!
//! Safe Rust cannot read memory after it is freed, but the process can
//! read its own memory through `/proc/self/mem` (Linux). Each test fills a
//! secret with a sentinel pattern, notes the address of its bytes, drops
//! it, and reads those bytes back: a wiped secret reads back as zeros (or
//! the allocator's own bookkeeping, which is why the first 16 bytes of a
//! freed block are skipped); an unwiped one still shows the pattern. The
//! control does the same with a plain `Vec<u8>` and `Box<[u8; N]>`, which
//! do not wipe, and must still show the pattern: it proves that the method
//! can see a missing wipe on this machine's allocator. Nothing allocates
//! between the drop and the read (the file is open and the buffer on the
//! stack beforehand), so the freed block cannot be handed out again.
#![allow(clippy::unwrap_used)]
#![cfg(target_os = "linux")]

use std::fs::File;
use std::os::unix::fs::FileExt;

use twofold_core::Resolver;
use twofold_core::{Secret, SecretBytes};
use twofold_handshake::bundle::IdentityKeyPair;
use twofold_primitives::registry::REGISTRY;

/// Allocator bookkeeping written into a freed block (glibc's tcache: the
/// next pointer and a key) lies in its first 16 bytes.
const SKIP: usize = 16;

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| 0xA0 | (i as u8 & 0x0F) | 0x01).collect()
}

/// How many of the bytes read back still hold the pattern.
fn surviving(after: &[u8], offset: usize) -> usize {
    let p = pattern(offset + after.len());
    after
        .iter()
        .zip(&p[offset..])
        .filter(|(a, b)| a == b)
        .count()
}

struct Mem(File);

impl Mem {
    fn open() -> Self {
        Self(File::open("/proc/self/mem").expect("/proc/self/mem readable"))
    }

    /// Reads `out.len()` bytes at `addr`.
    fn read(&self, addr: usize, out: &mut [u8]) {
        self.0.read_exact_at(out, addr as u64).unwrap();
    }
}

/// Drops `value` (whose bytes of length `len` start at `addr`) and returns
/// how many bytes past the bookkeeping still hold the pattern.
fn after_drop<T>(mem: &Mem, value: T, addr: usize, len: usize) -> usize {
    let mut buf = [0u8; 2048];
    let n = len - SKIP;
    assert!(n <= buf.len());
    drop(value);
    mem.read(addr + SKIP, &mut buf[..n]);
    surviving(&buf[..n], SKIP)
}

#[test]
fn control_plain_buffers_keep_their_bytes_after_drop() {
    let mem = Mem::open();
    for len in [32usize, 100, 1000] {
        let v = pattern(len);
        let addr = v.as_ptr() as usize;
        let left = after_drop(&mem, v, addr, len);
        assert!(
            left > (len - SKIP) / 2,
            "a dropped Vec of {len} bytes kept only {left}: this method cannot see a missing wipe here"
        );
    }
    let b = Box::new(<[u8; 32]>::try_from(pattern(32)).unwrap());
    let addr = b.as_ptr() as usize;
    let left = after_drop(&mem, b, addr, 32);
    assert!(left > 8, "a dropped Box kept only {left} bytes");
}

#[test]
fn secret_bytes_wipes_on_drop() {
    let mem = Mem::open();
    for len in [32usize, 100, 1000] {
        let s = SecretBytes::new(pattern(len));
        let addr = s.expose().as_ptr() as usize;
        assert_eq!(after_drop(&mem, s, addr, len), 0, "{len} bytes");
        // Copies wipe too.
        let original = SecretBytes::new(pattern(len));
        let copy = original.duplicate();
        let addr = copy.expose().as_ptr() as usize;
        assert_eq!(after_drop(&mem, copy, addr, len), 0, "copy of {len} bytes");
    }
}

#[test]
fn fixed_size_secrets_wipe_on_drop() {
    let mem = Mem::open();
    let s: Box<Secret<32>> = Box::new(Secret::from_slice(&pattern(32)).unwrap());
    let addr = s.expose().as_ptr() as usize;
    assert_eq!(after_drop(&mem, s, addr, 32), 0);
    let s: Box<Secret<64>> = Box::new(Secret::from_slice(&pattern(64)).unwrap());
    let addr = s.expose().as_ptr() as usize;
    assert_eq!(after_drop(&mem, s, addr, 64), 0);
}

#[test]
fn key_holders_wipe_their_secrets_on_drop() {
    let mem = Mem::open();
    let dh = REGISTRY.dh("X25519").unwrap();
    let id = IdentityKeyPair::from_secret(dh, SecretBytes::new(pattern(32))).unwrap();
    let addr = id.secret_key().expose().as_ptr() as usize;
    assert_eq!(after_drop(&mem, id, addr, 32), 0, "IdentityKeyPair");

    let kem = REGISTRY.kem("ML-KEM-768").unwrap();
    let (_, sk) = kem.generate_derand(&pattern(64)).unwrap();
    let len = sk.len();
    // A real key, not the pattern: compare with a copy taken before.
    let before = sk.expose()[SKIP..].to_vec();
    let addr = sk.expose().as_ptr() as usize;
    let mut buf = vec![0u8; len - SKIP];
    drop(sk);
    mem.read(addr + SKIP, &mut buf);
    let same = buf.iter().zip(&before).filter(|(a, b)| a == b).count();
    // Zeros match a key byte with probability 1/256.
    assert!(same < (len - SKIP) / 64, "{same} of {len} key bytes left");
}
