//! When a hybrid ratchet adds a KEM to its DH step.
//!
//! A KEM step costs kilobytes (an ML-KEM-768 public key and ciphertext are
//! 2272 bytes), so periodic rekeying trades post-quantum healing time for
//! bandwidth. Apple's iMessage PQ3 rekeys periodically rather than on every
//! turn; the cadence most often reported for it ("at most every 50 messages,
//! and at least every 7 days") comes from secondary sources and is one
//! configuration here, not a claim about Apple's code.
//!
//! A KEM can only ride on a new sending epoch (a turn of the conversation),
//! so a policy is consulted when an epoch starts, with the message count and
//! the time since the last KEM step.

use serde::{Deserialize, Serialize};

/// A rekey policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RekeyPolicy {
    /// A KEM step on every turn.
    EveryTurn,
    /// A KEM step at the first turn once this many messages (sent and
    /// received) have passed since the last one.
    EveryMessages(u64),
    /// A KEM step at the first turn once this many seconds have passed.
    AfterSeconds(u64),
    /// Both bounds: a KEM step once `messages` messages have passed, and in
    /// any case once `seconds` seconds have (PQ3's reported shape: at most
    /// every 50 messages, at least every 7 days).
    Bounded {
        /// Messages between KEM steps.
        messages: u64,
        /// The longest time between KEM steps, in seconds.
        seconds: u64,
    },
    /// Never (the DH ratchet alone, for comparison).
    Never,
}

impl RekeyPolicy {
    /// PQ3's reported cadence: 50 messages, 7 days.
    pub const PQ3: RekeyPolicy = RekeyPolicy::Bounded {
        messages: 50,
        seconds: 7 * 24 * 3600,
    };

    /// Whether a KEM step is due, `messages` messages and `seconds` seconds
    /// after the last one.
    pub fn due(&self, messages: u64, seconds: u64) -> bool {
        match *self {
            RekeyPolicy::EveryTurn => true,
            RekeyPolicy::EveryMessages(n) => messages >= n,
            RekeyPolicy::AfterSeconds(t) => seconds >= t,
            RekeyPolicy::Bounded {
                messages: n,
                seconds: t,
            } => messages >= n || seconds >= t,
            RekeyPolicy::Never => false,
        }
    }

    /// A short name for suite strings: `turn`, `m50`, `t604800`,
    /// `m50t604800`, `never`.
    pub fn tag(&self) -> String {
        match *self {
            RekeyPolicy::EveryTurn => "turn".to_string(),
            RekeyPolicy::EveryMessages(n) => format!("m{n}"),
            RekeyPolicy::AfterSeconds(t) => format!("t{t}"),
            RekeyPolicy::Bounded { messages, seconds } => format!("m{messages}t{seconds}"),
            RekeyPolicy::Never => "never".to_string(),
        }
    }

    /// Inverse of [`Self::tag`].
    pub fn parse(tag: &str) -> Option<Self> {
        match tag {
            "turn" => return Some(RekeyPolicy::EveryTurn),
            "never" => return Some(RekeyPolicy::Never),
            _ => {}
        }
        let num = |s: &str| s.parse::<u64>().ok();
        if let Some(rest) = tag.strip_prefix('m') {
            return match rest.split_once('t') {
                Some((m, t)) => Some(RekeyPolicy::Bounded {
                    messages: num(m)?,
                    seconds: num(t)?,
                }),
                None => Some(RekeyPolicy::EveryMessages(num(rest)?)),
            };
        }
        tag.strip_prefix('t')
            .and_then(num)
            .map(RekeyPolicy::AfterSeconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_decide_and_print_back() {
        assert!(RekeyPolicy::EveryTurn.due(0, 0));
        assert!(!RekeyPolicy::Never.due(u64::MAX, u64::MAX));
        assert!(!RekeyPolicy::EveryMessages(50).due(49, 10_000_000));
        assert!(RekeyPolicy::EveryMessages(50).due(50, 0));
        assert!(RekeyPolicy::PQ3.due(3, 7 * 24 * 3600));
        assert!(RekeyPolicy::PQ3.due(50, 0));
        assert!(!RekeyPolicy::PQ3.due(49, 7 * 24 * 3600 - 1));
        for p in [
            RekeyPolicy::EveryTurn,
            RekeyPolicy::Never,
            RekeyPolicy::EveryMessages(7),
            RekeyPolicy::AfterSeconds(60),
            RekeyPolicy::PQ3,
        ] {
            assert_eq!(RekeyPolicy::parse(&p.tag()), Some(p));
        }
        for bad in ["", "m", "mt", "x5", "m5t", "t-1"] {
            assert_eq!(RekeyPolicy::parse(bad), None, "{bad}");
        }
    }
}
