//! What a report records about the machine and the build.

use std::collections::BTreeMap;

use super::report::Machine;

/// The lock file of this build: the versions of every crate in it.
const LOCK: &str = include_str!("../../Cargo.lock");

/// Workspace packages whose dependencies are backends or peers.
const PACKAGES: &[&str] = &["twofold-primitives", "twofold"];

/// Dependencies of [`PACKAGES`] that are not backends or peers.
const NOT_BACKENDS: &[&str] = &[
    "twofold-core",
    "twofold-primitives",
    "twofold-handshake",
    "twofold-harness",
    "twofold-ratchet",
    "zeroize",
    "subtle",
    "serde",
    "serde_json",
    "hex",
    "clap",
    "indicatif",
    "plotters",
    "pqcrypto-traits",
];

/// One `[[package]]` of a lock file.
struct Package<'a> {
    name: &'a str,
    version: &'a str,
    deps: Vec<&'a str>,
}

fn quoted<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.strip_prefix(key)?
        .trim()
        .strip_prefix('=')?
        .trim()
        .strip_prefix('"')?
        .strip_suffix('"')
}

fn packages(lock: &str) -> Vec<Package<'_>> {
    let mut out: Vec<Package<'_>> = Vec::new();
    let mut in_deps = false;
    for line in lock.lines() {
        let l = line.trim();
        if l == "[[package]]" {
            out.push(Package {
                name: "",
                version: "",
                deps: Vec::new(),
            });
            in_deps = false;
        } else if let Some(p) = out.last_mut() {
            if let Some(n) = quoted(l, "name") {
                p.name = n;
            } else if let Some(v) = quoted(l, "version") {
                p.version = v;
            } else if l.starts_with("dependencies") {
                in_deps = true;
            } else if in_deps {
                if l == "]" {
                    in_deps = false;
                } else if let Some(d) = l.trim_end_matches(',').strip_prefix('"') {
                    p.deps.push(d.trim_end_matches('"'));
                }
            }
        }
    }
    out
}

/// The version of every backend and peer crate of this build, from its
/// lock file: the direct dependencies of the primitives crate and the
/// root package, named as the lock file pins them.
pub fn versions() -> BTreeMap<String, String> {
    versions_in(LOCK)
}

fn versions_in(lock: &str) -> BTreeMap<String, String> {
    let all = packages(lock);
    let mut out = BTreeMap::new();
    for p in all.iter().filter(|p| PACKAGES.contains(&p.name)) {
        for d in &p.deps {
            // "name" or "name version" (when two versions are locked).
            let mut parts = d.split_whitespace();
            let Some(name) = parts.next() else { continue };
            if NOT_BACKENDS.contains(&name) {
                continue;
            }
            let version = match parts.next() {
                Some(v) => v.to_string(),
                None => all
                    .iter()
                    .find(|q| q.name == name)
                    .map_or(String::new(), |q| q.version.to_string()),
            };
            out.insert(name.to_string(), version);
        }
    }
    out
}

/// The CPU model, flags and cores of this machine.
pub fn machine() -> Machine {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |key: &str| {
        info.lines()
            .find(|l| l.split(':').next().is_some_and(|k| k.trim() == key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    };
    Machine {
        cpu: field("model name").unwrap_or_else(|| "unknown CPU".to_string()),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        flags: field("flags")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_come_from_the_lock_file() {
        let lock = r#"
[[package]]
name = "aes-gcm"
version = "0.10.3"

[[package]]
name = "aes-gcm"
version = "0.11.1"

[[package]]
name = "sha2"
version = "0.11.0"

[[package]]
name = "twofold-primitives"
version = "0.1.0"
dependencies = [
 "aes-gcm 0.11.1",
 "sha2",
 "zeroize",
]
"#;
        let v = versions_in(lock);
        assert_eq!(v.get("aes-gcm").map(String::as_str), Some("0.11.1"));
        assert_eq!(v.get("sha2").map(String::as_str), Some("0.11.0"));
        assert!(!v.contains_key("zeroize"));
        let real = versions();
        assert!(real.contains_key("libcrux-ml-kem"), "{real:?}");
    }
}
