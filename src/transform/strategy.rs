//! The strategies implemented in Rust that `block` and `config` transforms
//! name (`strategy = "..."` in a transform file), with what they are told.

use serde::Deserialize;

/// How a `block` transform rewrites a Timeout around one blocking call
/// (implemented in `decide::timeout_block`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockStrategy {
    /// `call(timeout=t)` raises on expiry.
    TimeoutArgument,
    /// `call(timeout=t)` returns false on expiry: `if not ...: raise TimeoutError`.
    TimeoutRaiseIfFalse,
}

impl BlockStrategy {
    pub fn parse(word: &str) -> Option<BlockStrategy> {
        match word {
            "timeout-argument" => Some(BlockStrategy::TimeoutArgument),
            "timeout-raise-if-false" => Some(BlockStrategy::TimeoutRaiseIfFalse),
            _ => None,
        }
    }

    pub const WORDS: &'static str = "timeout-argument, timeout-raise-if-false";
}

/// The exception `timeout-raise-if-false` raises, and so the except
/// clause's template.
pub const RAISED: &str = "TimeoutError";

/// The blocking call a block transform rewrites (`blocking` in TOML).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockingCall {
    /// The method called in the Timeout (`get`).
    pub method: String,
    /// How many positional arguments it takes there (`put(item)`: 1).
    #[serde(default)]
    pub positional: usize,
    /// Dotted names whose call makes the receiver (`eventlet.queue.Queue`).
    pub receivers: Vec<String>,
    /// The transform that must rewrite every receiver's creation in the
    /// same run, because the call has its timeout only once it has.
    #[serde(default)]
    pub receiver_transform: Option<String>,
}

#[derive(Debug, Clone)]
pub struct BlockRule {
    pub strategy: BlockStrategy,
    pub call: BlockingCall,
}

/// The strategies a `config` transform can name (implemented in
/// `config_files`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigStrategy {
    /// Delete the eventlet requirement.
    Requirement,
    /// Drop eventlet from coverage's concurrency setting.
    CoverageConcurrency,
    /// Delete `EVENTLET_*` environment settings.
    Environment,
}

impl ConfigStrategy {
    pub fn parse(word: &str) -> Option<ConfigStrategy> {
        Some(match word {
            "requirement" => ConfigStrategy::Requirement,
            "coverage-concurrency" => ConfigStrategy::CoverageConcurrency,
            "environment" => ConfigStrategy::Environment,
            _ => return None,
        })
    }

    pub const WORDS: &'static str = "requirement, coverage-concurrency, environment";
}
