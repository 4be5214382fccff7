//! YAML with limits: seeds, environment configurations and `yaml`-typed
//! variables all arrive as YAML text, some of it from strangers.
//!
//! We use `serde-saphyr`: a maintained, pure-Rust (no `unsafe` C bindings)
//! YAML 1.2 deserializer whose authors make panic-free parsing a goal and
//! which enforces a parse *budget* while it reads: depth, node and alias
//! counts, and the number of events an alias may replay. That last limit is
//! what stops a "billion laughs" document before it expands. `serde_yaml`
//! is deprecated, and its forks inherit the C parser this avoids.

use serde::de::DeserializeOwned;

/// Documents longer than this are refused before parsing starts.
pub const MAX_YAML_BYTES: usize = 4 * 1024 * 1024;

/// Deepest nesting accepted; real Kubernetes objects stay far below it.
const MAX_DEPTH: usize = 64;

/// The parse budget every YAML input is held to.
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: 200_000,
            max_aliases: 10_000,
            max_anchors: 10_000,
            max_documents: 16,
            max_total_scalar_bytes: MAX_YAML_BYTES,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
            max_replay_stack_depth: 32,
        },
    }
}

/// Parses one YAML document into `T`, within the budget.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    if text.len() > MAX_YAML_BYTES {
        return Err(format!("yaml document is {} bytes, more than the limit of {MAX_YAML_BYTES}", text.len()));
    }
    serde_saphyr::from_str_with_options(text, options()).map_err(|e| e.to_string())
}

/// Parses one YAML document into a generic value.
pub fn parse_value(text: &str) -> Result<serde_json::Value, String> {
    from_str(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alias_bomb_is_refused_quickly() {
        let mut doc = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        let mut prev = 'a';
        for name in 'b'..='j' {
            doc.push_str(&format!(
                "{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
            prev = name;
        }
        let started = std::time::Instant::now();
        assert!(parse_value(&doc).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_value(&doc).is_err());
    }

    #[test]
    fn invalid_yaml_is_an_error_not_a_panic() {
        assert!(parse_value("a: [1, 2\nb: }").is_err());
        assert_eq!(parse_value("kind: ConfigMap").unwrap()["kind"], "ConfigMap");
    }
}
