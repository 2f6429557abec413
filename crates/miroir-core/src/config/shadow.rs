//! `shadow` (§13.16): asynchronous teeing of sampled reads to staging clusters, with a diff
//! of their answers. Writes are never shadowed: [`ShadowOperation`] has no write variant.

use serde::{Deserialize, Serialize};

/// A read operation that may be shadowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShadowOperation {
    /// `POST /indexes/{uid}/search`.
    Search,
    /// `POST /multi-search`.
    MultiSearch,
    /// `POST /indexes/{uid}/explain`.
    Explain,
}

fn default_shadow_operations() -> Vec<ShadowOperation> {
    vec![
        ShadowOperation::Search,
        ShadowOperation::MultiSearch,
        ShadowOperation::Explain,
    ]
}

/// One shadow destination (`shadow.targets[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShadowTargetConfig {
    /// Unique target name. Required.
    pub name: String,
    /// Base URL of the target Miroir or Meilisearch, `http(s)://`. Required.
    pub url: String,
    /// Environment variable holding the target's API key; none = no key. Default: none.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Fraction of eligible requests shadowed, `0.0..=1.0`. Required.
    pub sample_rate: f64,
    /// Operations shadowed; non-empty. Default `[search, multi_search, explain]`.
    #[serde(default = "default_shadow_operations")]
    pub operations: Vec<ShadowOperation>,
}

/// `shadow` (§13.16).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ShadowConfig {
    /// Shadow traffic to `targets`. Default `true` (a no-op without targets).
    pub enabled: bool,
    /// Destinations; names unique. Default `[]`.
    pub targets: Vec<ShadowTargetConfig>,
    /// Diffs kept in the in-memory ring buffer. Default `10000`.
    pub diff_buffer_size: u32,
    /// A shadow request is cancelled after this many ms. Default `5000`.
    pub max_shadow_latency_ms: u64,
}

impl Default for ShadowConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            targets: Vec::new(),
            diff_buffer_size: 10_000,
            max_shadow_latency_ms: 5_000,
        }
    }
}
