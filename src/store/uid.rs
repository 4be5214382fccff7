//! Kubernetes `metadata.uid`s: random UUIDs, kept as their 128 bits and
//! written in the usual `8-4-4-4-12` form. A large world holds one for every
//! workload, pod and event; as text each would be a heap allocation of its
//! own.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::logs::generate::Fnv;

/// Two words rather than a `u128`, whose 16-byte alignment would pad every
/// event and workload that holds one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Uid([u64; 2]);

impl Uid {
    /// A version 4 UUID made of two random words.
    pub fn random(a: u64, b: u64) -> Self {
        let time_low = u128::from(a >> 32);
        let time_mid = u128::from((a >> 16) & 0xffff);
        let version = u128::from(0x4000 | (a & 0xfff));
        let variant = u128::from(0x8000 | ((b >> 48) & 0x3fff));
        let node = u128::from(b & 0xffff_ffff_ffff);
        Uid::from_bits(time_low << 96 | time_mid << 80 | version << 64 | variant << 48 | node)
    }

    fn from_bits(bits: u128) -> Self {
        Uid([(bits >> 64) as u64, bits as u64])
    }

    fn bits(self) -> u128 {
        u128::from(self.0[0]) << 64 | u128::from(self.0[1])
    }

    /// Another object's uid that follows from this one and `salt` (a
    /// ReplicaSet's, from its Deployment's and its template hash).
    pub fn derived(self, salt: &str) -> Self {
        let mut hash = Fnv::new();
        hash.write(salt.as_bytes());
        Uid::from_bits(self.bits() ^ u128::from(hash.finish()))
    }

    /// Reads the text form; any other text (a state file written before
    /// uids were kept as numbers) stands for the uid hashed from it, so
    /// equal texts still name the same object.
    fn parse(text: &str) -> Self {
        let hex: String = text.chars().filter(|c| *c != '-').collect();
        let canonical = text.len() == 36 && hex.len() == 32;
        match u128::from_str_radix(&hex, 16) {
            Ok(bits) if canonical => Uid::from_bits(bits),
            _ => Uid::default().derived(text),
        }
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.bits();
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            b >> 96,
            (b >> 80) & 0xffff,
            (b >> 64) & 0xffff,
            (b >> 48) & 0xffff,
            b & 0xffff_ffff_ffff
        )
    }
}

impl Serialize for Uid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Uid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Uid::parse(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_random_uid_reads_as_a_version_4_uuid() {
        let uid = Uid::random(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210);
        assert_eq!(uid.to_string(), "01234567-89ab-4def-bedc-ba9876543210");
    }

    #[test]
    fn the_text_form_reads_back() {
        let uid = Uid::random(42, 7);
        let json = serde_json::to_string(&uid).unwrap();
        assert_eq!(serde_json::from_str::<Uid>(&json).unwrap(), uid);
    }

    #[test]
    fn other_texts_stand_for_a_stable_uid_of_their_own() {
        let old = |text: &str| serde_json::from_str::<Uid>(&format!("\"{text}\"")).unwrap();
        assert_eq!(old("u1-abc"), old("u1-abc"));
        assert_ne!(old("u1-abc"), old("u1-abd"));
    }

    #[test]
    fn derived_uids_differ_by_salt_and_repeat_for_the_same_salt() {
        let uid = Uid::random(1, 2);
        assert_eq!(uid.derived("hash1"), uid.derived("hash1"));
        assert_ne!(uid.derived("hash1"), uid.derived("hash2"));
        assert_ne!(uid.derived("hash1"), uid);
    }
}
