//! Rules on the blocks holding lists of named things: CDC sinks, shadow targets, rollover
//! policies and canaries.

use std::collections::{BTreeMap, HashSet};

use super::Checker;
use crate::config::{
    CanaryAssertion, CdcOverflow, CdcPrimaryBuffer, CdcSinkConfig, Config, RolloverPolicyConfig,
};

pub(super) fn check(config: &Config, checker: &mut Checker) {
    check_cdc(config, checker);
    check_shadow(config, checker);
    check_rollover(config, checker);
    check_canaries(config, checker);
}

fn check_cdc(config: &Config, checker: &mut Checker) {
    let cdc = &config.cdc;
    checker.unique_names("cdc.sinks", cdc.sinks.iter().map(CdcSinkConfig::name));
    for (index, sink) in cdc.sinks.iter().enumerate() {
        let prefix = format!("cdc.sinks[{index}]");
        match sink {
            CdcSinkConfig::Webhook {
                url,
                batch_size,
                batch_flush_ms,
                retry_max_s,
                ..
            } => {
                checker.http_url(&format!("{prefix}.url"), url);
                checker.positive(&format!("{prefix}.batch_size"), u64::from(*batch_size));
                checker.positive(&format!("{prefix}.batch_flush_ms"), *batch_flush_ms);
                checker.positive(&format!("{prefix}.retry_max_s"), *retry_max_s);
            }
            CdcSinkConfig::Nats {
                url,
                subject_prefix,
                ..
            } => {
                if !(url.starts_with("nats://") || url.starts_with("tls://")) || url.len() < 8 {
                    checker.fail(
                        format!("{prefix}.url"),
                        format!("must be a nats:// or tls:// URL, got `{url}`"),
                    );
                }
                checker.non_blank(&format!("{prefix}.subject_prefix"), subject_prefix);
            }
            CdcSinkConfig::Kafka {
                brokers,
                topic_prefix,
                ..
            } => {
                if brokers.is_empty() {
                    checker.fail(format!("{prefix}.brokers"), "must list at least one broker");
                }
                for (broker_index, broker) in brokers.iter().enumerate() {
                    let valid = broker.rsplit_once(':').is_some_and(|(host, port)| {
                        !host.is_empty() && port.parse::<u16>().is_ok()
                    });
                    if !valid {
                        checker.fail(
                            format!("{prefix}.brokers[{broker_index}]"),
                            format!("must be `host:port`, got `{broker}`"),
                        );
                    }
                }
                checker.non_blank(&format!("{prefix}.topic_prefix"), topic_prefix);
            }
            CdcSinkConfig::Internal {
                long_poll_timeout_s,
                ..
            } => {
                checker.positive(
                    &format!("{prefix}.long_poll_timeout_s"),
                    *long_poll_timeout_s,
                );
            }
        }
    }
    let buffer = &cdc.buffer;
    checker.positive("cdc.buffer.memory_bytes", buffer.memory_bytes);
    let uses_pvc = buffer.primary == CdcPrimaryBuffer::Pvc || buffer.overflow == CdcOverflow::Pvc;
    if uses_pvc && !buffer.pvc_path.starts_with('/') {
        checker.fail(
            "cdc.buffer.pvc_path",
            format!("must be an absolute path, got `{}`", buffer.pvc_path),
        );
    }
    if buffer.overflow == CdcOverflow::Pvc {
        checker.positive("cdc.buffer.overflow_bytes", buffer.overflow_bytes);
    }
}

fn check_shadow(config: &Config, checker: &mut Checker) {
    let shadow = &config.shadow;
    checker.unique_names(
        "shadow.targets",
        shadow.targets.iter().map(|target| target.name.as_str()),
    );
    for (index, target) in shadow.targets.iter().enumerate() {
        let prefix = format!("shadow.targets[{index}]");
        checker.http_url(&format!("{prefix}.url"), &target.url);
        checker.fraction(&format!("{prefix}.sample_rate"), target.sample_rate);
        if let Some(env_name) = &target.api_key_env {
            super::ui::check_env_name(&format!("{prefix}.api_key_env"), env_name, checker);
        }
        if target.operations.is_empty() {
            checker.fail(
                format!("{prefix}.operations"),
                "must list at least one operation",
            );
        }
        let distinct: HashSet<_> = target.operations.iter().collect();
        if distinct.len() != target.operations.len() {
            checker.fail(format!("{prefix}.operations"), "lists an operation twice");
        }
    }
    checker.positive(
        "shadow.diff_buffer_size",
        u64::from(shadow.diff_buffer_size),
    );
    checker.positive("shadow.max_shadow_latency_ms", shadow.max_shadow_latency_ms);
}

fn check_rollover(config: &Config, checker: &mut Checker) {
    checker.positive("ilm.check_interval_s", config.ilm.check_interval_s);
    checker.positive(
        "ilm.max_rollovers_per_check",
        u64::from(config.ilm.max_rollovers_per_check),
    );
    let policies = &config.rollover_policies;
    checker.unique_names(
        "rollover_policies",
        policies.iter().map(|policy| policy.name.as_str()),
    );
    let mut alias_owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, policy) in policies.iter().enumerate() {
        check_policy(index, policy, checker);
        for (field, alias) in [
            ("write_alias", policy.write_alias.as_str()),
            ("read_alias", policy.read_alias.as_str()),
        ] {
            if let Some(owner) = alias_owner.insert(alias, index) {
                if owner != index {
                    checker.fail(
                        format!("rollover_policies[{index}].{field}"),
                        format!("alias `{alias}` is already used by rollover_policies[{owner}]"),
                    );
                }
            }
        }
    }
}

fn check_policy(index: usize, policy: &RolloverPolicyConfig, checker: &mut Checker) {
    let prefix = format!("rollover_policies[{index}]");
    checker.non_blank(&format!("{prefix}.write_alias"), &policy.write_alias);
    checker.non_blank(&format!("{prefix}.read_alias"), &policy.read_alias);
    if policy.write_alias == policy.read_alias {
        checker.fail(
            format!("{prefix}.read_alias"),
            "must differ from write_alias: the read alias is multi-target, the write alias single",
        );
    }
    let placeholder = policy
        .pattern
        .find('{')
        .is_some_and(|open| policy.pattern[open..].contains('}'));
    if !placeholder {
        checker.fail(
            format!("{prefix}.pattern"),
            format!(
                "must contain a `{{…}}` placeholder such as `{{YYYY-MM-DD}}` so each rollover \
                 creates a new index name, got `{}`",
                policy.pattern
            ),
        );
    }
    let triggers = &policy.rollover_triggers;
    if triggers.max_docs.is_none() && triggers.max_age.is_none() && triggers.max_size_gb.is_none() {
        checker.fail(
            format!("{prefix}.rollover_triggers"),
            "must set at least one of max_docs, max_age, max_size_gb",
        );
    }
    if triggers.max_docs == Some(0) {
        checker.fail(
            format!("{prefix}.rollover_triggers.max_docs"),
            "must be at least 1, got 0",
        );
    }
    if triggers.max_size_gb == Some(0) {
        checker.fail(
            format!("{prefix}.rollover_triggers.max_size_gb"),
            "must be at least 1, got 0",
        );
    }
    checker.positive(
        &format!("{prefix}.retention.keep_indexes"),
        u64::from(policy.retention.keep_indexes),
    );
    checker.non_blank(
        &format!("{prefix}.index_template.primary_key"),
        &policy.index_template.primary_key,
    );
}

fn check_canaries(config: &Config, checker: &mut Checker) {
    checker.positive(
        "canary_runner.run_history_per_canary",
        u64::from(config.canary_runner.run_history_per_canary),
    );
    let canaries = &config.canaries;
    checker.unique_names(
        "canaries",
        canaries.iter().map(|canary| canary.name.as_str()),
    );
    for (index, canary) in canaries.iter().enumerate() {
        let prefix = format!("canaries[{index}]");
        checker.non_blank(&format!("{prefix}.index"), &canary.index);
        checker.positive(&format!("{prefix}.interval_s"), canary.interval_s);
        if canary.assertions.is_empty() {
            checker.fail(
                format!("{prefix}.assertions"),
                "must list at least one assertion",
            );
        }
        for (assertion_index, assertion) in canary.assertions.iter().enumerate() {
            let field = format!("{prefix}.assertions[{assertion_index}]");
            match assertion {
                CanaryAssertion::TopKContains { k, ids } => {
                    checker.positive(&format!("{field}.k"), u64::from(*k));
                    if ids.is_empty() {
                        checker.fail(format!("{field}.ids"), "must list at least one id");
                    } else if ids.len() as u64 > u64::from(*k) {
                        checker.fail(
                            format!("{field}.ids"),
                            format!("lists {} ids, more than k = {k} can contain", ids.len()),
                        );
                    }
                }
                CanaryAssertion::MustNotContainId { ids } if ids.is_empty() => {
                    checker.fail(format!("{field}.ids"), "must list at least one id");
                }
                CanaryAssertion::TopHitId { value } => {
                    checker.non_blank(&format!("{field}.value"), value);
                }
                _ => {}
            }
        }
    }
}
