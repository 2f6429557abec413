//! The one error type of the merger: a client body that cannot be rewritten, or a node response
//! that cannot be merged. Node-output errors name the node (its index in the `Vec` given to the
//! merge) and, for hits, the hit's position in that node's `hits` array.

/// Why a search could not be prepared for the nodes or its node responses could not be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// A client search parameter has a type or value the merger cannot plan with.
    #[error("invalid search parameter `{parameter}`: {reason}")]
    InvalidSearchParameter {
        /// The parameter's name as the client spelled it (e.g. `limit`).
        parameter: &'static str,
        /// What was expected.
        reason: &'static str,
    },
    /// A node response lacks a field the merge needs.
    #[error("node {node} response has no `{field}` field")]
    MissingField {
        /// Index of the node response in the merge input.
        node: usize,
        /// The missing field.
        field: &'static str,
    },
    /// A node response field has the wrong JSON type or an out-of-range value.
    #[error("node {node} response field `{field}` is invalid: expected {expected}")]
    InvalidField {
        /// Index of the node response in the merge input.
        node: usize,
        /// The offending field.
        field: &'static str,
        /// What the field should have been.
        expected: &'static str,
    },
    /// A hit is not a JSON object.
    #[error("node {node} hit {position} is not a JSON object")]
    NonObjectHit {
        /// Index of the node response in the merge input.
        node: usize,
        /// Position of the hit in that node's `hits` array.
        position: usize,
    },
    /// A hit carries neither `_rankingScoreDetails` nor `_rankingScore`, so it cannot be ordered.
    #[error("node {node} hit {position} has neither `_rankingScoreDetails` nor `_rankingScore`")]
    MissingRankingScore {
        /// Index of the node response in the merge input.
        node: usize,
        /// Position of the hit in that node's `hits` array.
        position: usize,
    },
    /// A hit's `_rankingScore` or `_rankingScoreDetails` is malformed.
    #[error("node {node} hit {position} has malformed ranking data: {reason}")]
    InvalidRankingData {
        /// Index of the node response in the merge input.
        node: usize,
        /// Position of the hit in that node's `hits` array.
        position: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

/// Result alias of the merger.
pub type Result<T, E = MergeError> = std::result::Result<T, E>;
