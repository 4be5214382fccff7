//! YAML with limits: seeds, environment configurations and `yaml`-typed
//! variables all arrive as YAML text, some of it from strangers.
//!
//! We use `serde-saphyr`: a maintained, pure-Rust (no `unsafe` C bindings)
//! YAML deserializer whose authors make panic-free parsing a goal and which
//! enforces a parse *budget* while it reads: depth, node and alias counts,
//! and the number of events an alias may replay. That last limit is what
//! stops a "billion laughs" document before it expands. `serde_yaml` is
//! deprecated, and its forks inherit the C parser this avoids.
//!
//! Two readers share it. [`from_str`] reads our own documents: one
//! document, duplicate keys refused; [`from_seed_str`] is the same with
//! room for the large worlds a `--seed` file may describe.
//! [`parse_manifest`] reads Kubernetes objects the way Zadig does
//! (`sigs.k8s.io/yaml` over go-yaml v2): the first document only, later
//! duplicate keys win, YAML 1.1 booleans (`yes`, `on`) are booleans; and it
//! holds them to a tighter budget, since they come over HTTP.

use std::io::Cursor;

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{DuplicateKeyPolicy, Error as SaphyrError, MessageFormatter};

/// Documents longer than this are refused before parsing starts.
pub const MAX_YAML_BYTES: usize = 4 * 1024 * 1024;

/// Deepest nesting accepted; real Kubernetes objects stay far below it.
pub const MAX_DEPTH: usize = 64;

/// The largest manifest accepted: kube-apiserver's own request limit
/// (3 MiB), so nothing bigger could ever be applied to a cluster.
pub const MAX_MANIFEST_BYTES: usize = 3 * 1024 * 1024;

/// Nodes (scalars, sequences, mappings) a manifest may hold: five thousand
/// keys with their values. A real ConfigMap has tens of keys with long
/// values; this bounds what a hostile document of tiny nodes can cost to a
/// fraction of a second, even in a debug build.
pub const MAX_MANIFEST_NODES: usize = 10_000;

/// Anchors and aliases a manifest may define and use.
const MAX_MANIFEST_ANCHORS: usize = 1_000;

/// Documents a manifest stream may hold (only the first is read).
const MAX_MANIFEST_DOCUMENTS: usize = 16;

/// Events alias expansion may replay in a manifest: the "billion laughs"
/// guard. Legitimate manifests rarely use aliases at all.
const MAX_MANIFEST_REPLAYED_EVENTS: usize = 10_000;

/// The same limit for seed files given with `--seed`. They are local files
/// chosen by whoever starts the server, not input from a client, and may
/// describe a large world (100,000 services is a few tens of MiB of YAML).
pub const MAX_SEED_BYTES: usize = 1024 * 1024 * 1024;

/// How much one document may hold.
#[derive(Clone, Copy)]
struct Limits {
    bytes: usize,
    nodes: usize,
}

/// `yaml`-typed variable values and the embedded demo seed.
const DEFAULT: Limits = Limits { bytes: MAX_YAML_BYTES, nodes: 200_000 };

/// Seed files: room for large worlds; depth and alias limits stay as strict.
const SEED: Limits = Limits { bytes: MAX_SEED_BYTES, nodes: 50_000_000 };

/// The parse budget of our own documents.
fn options(limits: Limits) -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: limits.nodes,
            max_aliases: 10_000,
            max_anchors: 10_000,
            max_documents: 16,
            max_total_scalar_bytes: limits.bytes,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
            max_replay_stack_depth: 32,
        },
    }
}

/// The budget and dialect of Kubernetes manifests.
fn manifest_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: MAX_MANIFEST_NODES,
            max_aliases: MAX_MANIFEST_ANCHORS,
            max_anchors: MAX_MANIFEST_ANCHORS,
            max_documents: MAX_MANIFEST_DOCUMENTS,
            max_total_scalar_bytes: MAX_MANIFEST_BYTES,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_MANIFEST_REPLAYED_EVENTS,
            max_replay_stack_depth: 32,
        },
        // go-yaml v2 keeps the last of repeated keys.
        duplicate_keys: DuplicateKeyPolicy::LastWins,
        with_snippet: false,
    }
}

/// Parses one YAML document into `T`, within the budget.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    parse(text, DEFAULT)
}

/// Parses one seed file into `T`, within the seed budget.
pub fn from_seed_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    parse(text, SEED)
}

fn parse<T: DeserializeOwned>(text: &str, limits: Limits) -> Result<T, String> {
    if text.len() > limits.bytes {
        return Err(format!("yaml document is {} bytes, more than the limit of {}", text.len(), limits.bytes));
    }
    serde_saphyr::from_str_with_options(text, options(limits)).map_err(|e| e.to_string())
}

/// Parses one YAML document into a generic value.
pub fn parse_value(text: &str) -> Result<serde_json::Value, String> {
    from_str(text)
}

/// Why a manifest could not be read. The `Display` text is worded like
/// go-yaml's own errors (`yaml: line 3: …`), because Zadig puts that text
/// into its error descriptions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YamlError {
    /// Refused before parsing.
    #[error("yaml: document is {bytes} bytes, more than the limit of {limit}")]
    TooLarge { bytes: usize, limit: usize },
    /// An alias bomb. go-yaml v2 refuses these with this very text.
    #[error("yaml: document contains excessive aliasing")]
    ExcessiveAliasing,
    /// Nested deeper than [`MAX_DEPTH`] (go-yaml's wording, our limit).
    #[error("yaml: exceeded max depth of {limit}")]
    TooDeep { limit: usize },
    /// More nodes, anchors, aliases or documents than the budget allows.
    #[error("yaml: document has more than {what}")]
    TooComplex { what: String },
    /// Not YAML at all.
    #[error("yaml: {}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Syntax { line: Option<u64>, message: String },
}

impl YamlError {
    /// Whether this is one of the limits this server adds to the parser
    /// Zadig uses (as opposed to a document Zadig would refuse as well).
    pub fn is_limit(&self) -> bool {
        !matches!(self, YamlError::Syntax { .. })
    }
}

/// Reads a Kubernetes manifest as Zadig's `yaml.YAMLToJSON` does: the first
/// document of the stream (later ones are never looked at by go-yaml's
/// `Unmarshal`), as a JSON value. An empty stream is `null`.
pub fn parse_manifest(text: &str) -> Result<Value, YamlError> {
    if text.len() > MAX_MANIFEST_BYTES {
        return Err(YamlError::TooLarge { bytes: text.len(), limit: MAX_MANIFEST_BYTES });
    }
    let mut reader = Cursor::new(text.as_bytes());
    let mut documents = serde_saphyr::read_with_options::<_, Value>(&mut reader, manifest_options());
    match documents.next() {
        None => Ok(Value::Null),
        Some(Ok(value)) => Ok(value),
        Some(Err(err)) => Err(classify(&err)),
    }
}

/// Sorts a parser error into what the caller needs to say about it.
fn classify(err: &SaphyrError) -> YamlError {
    let mut inner = err;
    while let SaphyrError::AliasError { error, .. } | SaphyrError::WithSnippet { error, .. } = inner {
        inner = error;
    }
    match inner {
        SaphyrError::AliasReplayLimitExceeded { .. }
        | SaphyrError::AliasExpansionLimitExceeded { .. }
        | SaphyrError::AliasReplayStackDepthExceeded { .. }
        | SaphyrError::AliasReplayCounterOverflow { .. }
        | SaphyrError::Budget { breach: BudgetBreach::Aliases { .. }, .. } => YamlError::ExcessiveAliasing,
        SaphyrError::Budget { breach: BudgetBreach::Depth { .. }, .. } => YamlError::TooDeep { limit: MAX_DEPTH },
        SaphyrError::Budget { breach, .. } => too_complex(breach),
        other => {
            let message = serde_saphyr::DefaultMessageFormatter.format_message(other).into_owned();
            // The parser's own recursion guard fires before the budget's
            // depth count for deeply nested flow collections.
            if message.contains("recursion limit") {
                return YamlError::TooDeep { limit: MAX_DEPTH };
            }
            YamlError::Syntax { line: other.location().map(|l| l.line()), message }
        }
    }
}

/// Names the budget a document broke.
fn too_complex(breach: &BudgetBreach) -> YamlError {
    let what = match breach {
        BudgetBreach::Nodes { .. } => format!("{MAX_MANIFEST_NODES} nodes"),
        BudgetBreach::Anchors { .. } => format!("{MAX_MANIFEST_ANCHORS} anchors"),
        BudgetBreach::Documents { .. } => format!("{MAX_MANIFEST_DOCUMENTS} documents"),
        BudgetBreach::ScalarBytes { .. } => format!("{MAX_MANIFEST_BYTES} bytes of text"),
        other => format!("the parser's budget allows ({other:?})"),
    };
    YamlError::TooComplex { what }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn alias_bomb() -> String {
        let mut doc = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        let mut prev = 'a';
        for name in 'b'..='j' {
            doc.push_str(&format!(
                "{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
            prev = name;
        }
        doc
    }

    // Refused by the alias budget rather than expanded; how fast that is
    // the HTTP tests show (the server answers within a second).
    #[test]
    fn an_alias_bomb_is_refused() {
        assert!(parse_value(&alias_bomb()).is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_value(&doc).is_err());
    }

    #[test]
    fn seed_files_may_be_larger_than_other_documents() {
        let doc = format!("k: {}", "x".repeat(MAX_YAML_BYTES));
        assert!(from_str::<Value>(&doc).is_err());
        assert_eq!(from_seed_str::<Value>(&doc).map(|v| v["k"].as_str().map(str::len)), Ok(Some(MAX_YAML_BYTES)));
    }

    #[test]
    fn invalid_yaml_is_an_error_not_a_panic() {
        assert!(parse_value("a: [1, 2\nb: }").is_err());
        assert_eq!(parse_value("kind: ConfigMap").unwrap()["kind"], "ConfigMap");
    }

    #[test]
    fn a_manifest_alias_bomb_says_excessive_aliasing() {
        assert_eq!(parse_manifest(&alias_bomb()), Err(YamlError::ExcessiveAliasing));
        assert_eq!(YamlError::ExcessiveAliasing.to_string(), "yaml: document contains excessive aliasing");
    }

    #[test]
    fn manifest_nesting_is_bounded_in_block_and_flow_style() {
        let flow = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(parse_manifest(&flow), Err(YamlError::TooDeep { limit: MAX_DEPTH }));
        let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert_eq!(parse_manifest(&block), Err(YamlError::TooDeep { limit: MAX_DEPTH }));
    }

    #[test]
    fn an_oversized_manifest_is_refused_before_parsing() {
        let doc = "a".repeat(MAX_MANIFEST_BYTES + 1);
        let err = parse_manifest(&doc).unwrap_err();
        assert!(err.is_limit());
        assert_eq!(err.to_string(), format!("yaml: document is {} bytes, more than the limit of 3145728", doc.len()));
    }

    #[test]
    fn a_manifest_of_too_many_nodes_is_refused() {
        let doc: String = (0..MAX_MANIFEST_NODES).map(|i| format!("k{i}: v\n")).collect();
        let err = parse_manifest(&doc).unwrap_err();
        assert_eq!(err.to_string(), "yaml: document has more than 10000 nodes");
    }

    #[test]
    fn too_many_anchors_are_named() {
        let doc: String = (0..1_001).map(|i| format!("k{i}: &a{i} v\n")).collect();
        assert_eq!(parse_manifest(&doc).unwrap_err().to_string(), "yaml: document has more than 1000 anchors");
    }

    #[test]
    fn only_the_first_manifest_document_counts() {
        let value = parse_manifest("kind: ConfigMap\n---\nkind: Secret\n").unwrap();
        assert_eq!(value["kind"], "ConfigMap");
        let stream = "kind: First\n".to_string() + &"---\nkind: More\n".repeat(100) + "---\n[unclosed\n";
        assert_eq!(parse_manifest(&stream).unwrap()["kind"], "First");
    }

    #[test]
    fn manifests_read_like_go_yaml_v2() {
        let value = parse_manifest("a: yes\nb: 1\nb: 2\n").unwrap();
        assert_eq!(value, serde_json::json!({"a": true, "b": 2}));
        assert_eq!(parse_manifest("").unwrap(), Value::Null);
    }

    #[test]
    fn a_syntax_error_names_its_line_like_go_yaml() {
        let err = parse_manifest("apiVersion: v1\nkind: ConfigMap\n  metadata: x\n").unwrap_err();
        assert!(!err.is_limit());
        assert!(err.to_string().starts_with("yaml: line 3: "), "{err}");
    }
}
