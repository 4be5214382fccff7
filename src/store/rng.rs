//! The seeded generator behind every generated name, IP and log line.
//!
//! SplitMix64: tiny, fast, and its whole state is one `u64`, so it is saved
//! with the world (snapshots and state files replay identically) and its
//! sequence can never change under us with a dependency upgrade.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rng {
    state: u64,
}

/// Kubernetes' `rand.String` alphabet (no vowels, no confusable digits).
const K8S_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A probability draw: true with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// A Kubernetes-style random suffix of `len` characters.
    pub fn k8s_string(&mut self, len: usize) -> String {
        (0..len).map(|_| K8S_ALPHABET[self.below(K8S_ALPHABET.len() as u64) as usize] as char).collect()
    }

    /// A pod IP in the cluster's pod CIDR.
    pub fn pod_ip(&mut self) -> String {
        format!("10.200.{}.{}", self.below(16), 2 + self.below(250))
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() { None } else { items.get(self.below(items.len() as u64) as usize) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!(a.k8s_string(10), b.k8s_string(10));
        assert_ne!(Rng::new(7).next_u64(), Rng::new(8).next_u64());
    }

    #[test]
    fn k8s_strings_use_the_kubernetes_alphabet() {
        let s = Rng::new(1).k8s_string(64);
        assert!(s.bytes().all(|b| K8S_ALPHABET.contains(&b)));
    }
}
