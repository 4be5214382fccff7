//! Kubernetes events of an environment's namespace (§2.17).

use serde::{Deserialize, Serialize};

/// One event, folded the way Kubernetes folds repeats into a count.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KubeEvent {
    /// `involvedObject.kind` and `involvedObject.name`.
    pub object_kind: String,
    pub object_name: String,
    pub reason: String,
    pub message: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub count: i32,
    /// `Normal` or `Warning`.
    pub r#type: String,
}
