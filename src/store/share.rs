//! Sub-environment sharing (§2.18): an environment can be a base that
//! sub-environments are derived from.

use serde::{Deserialize, Serialize};

/// `share_env` of the environment record.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ShareState {
    pub enable: bool,
    pub is_base: bool,
    /// For a sub-environment, the base it derives from.
    pub base_env: String,
}
