//! Rules on the §13 read-path and data-maintenance blocks, including their cross-field
//! timing rules (a hedge must fire before the scatter deadline, a pinned read must stop
//! waiting before its session expires, …).

use std::collections::BTreeSet;

use super::Checker;
use crate::config::{Config, TenantFallback};

pub(super) fn check(config: &Config, checker: &mut Checker) {
    check_read_path(config, checker);
    check_tenant_affinity(config, checker);
    check_data_ops(config, checker);
}

fn check_read_path(config: &Config, checker: &mut Checker) {
    let hedging = &config.hedging;
    if !hedging.p95_trigger_multiplier.is_finite() || hedging.p95_trigger_multiplier < 1.0 {
        checker.fail(
            "hedging.p95_trigger_multiplier",
            format!(
                "must be a finite number of at least 1.0, got {}",
                hedging.p95_trigger_multiplier
            ),
        );
    }
    checker.positive("hedging.min_trigger_ms", hedging.min_trigger_ms);
    if hedging.enabled {
        checker.positive(
            "hedging.max_hedges_per_query",
            u64::from(hedging.max_hedges_per_query),
        );
        if hedging.min_trigger_ms >= config.scatter.timeout_ms {
            checker.fail(
                "hedging.min_trigger_ms",
                format!(
                    "must be below scatter.timeout_ms ({}) or no hedge could ever fire, got {}",
                    config.scatter.timeout_ms, hedging.min_trigger_ms
                ),
            );
        }
    }

    let selection = &config.replica_selection;
    checker.non_negative("replica_selection.latency_weight", selection.latency_weight);
    checker.non_negative(
        "replica_selection.inflight_weight",
        selection.inflight_weight,
    );
    checker.non_negative("replica_selection.error_weight", selection.error_weight);
    checker.positive(
        "replica_selection.ewma_half_life_ms",
        selection.ewma_half_life_ms,
    );
    checker.fraction(
        "replica_selection.exploration_epsilon",
        selection.exploration_epsilon,
    );

    checker.positive(
        "query_planner.max_pk_literals_narrowable",
        u64::from(config.query_planner.max_pk_literals_narrowable),
    );

    let pinning = &config.session_pinning;
    checker.positive("session_pinning.ttl_seconds", pinning.ttl_seconds);
    checker.positive("session_pinning.max_sessions", pinning.max_sessions);
    checker.positive("session_pinning.max_wait_ms", pinning.max_wait_ms);
    if pinning.max_wait_ms >= pinning.ttl_seconds.saturating_mul(1_000) {
        checker.fail(
            "session_pinning.max_wait_ms",
            format!(
                "must be below session_pinning.ttl_seconds ({} s) or a session could expire \
                 while a read waits on it, got {} ms",
                pinning.ttl_seconds, pinning.max_wait_ms
            ),
        );
    }

    let coalescing = &config.query_coalescing;
    checker.positive("query_coalescing.window_ms", coalescing.window_ms);
    checker.positive(
        "query_coalescing.max_subscribers",
        u64::from(coalescing.max_subscribers),
    );
    checker.positive(
        "query_coalescing.max_pending_queries",
        u64::from(coalescing.max_pending_queries),
    );

    let multi = &config.multi_search;
    checker.positive(
        "multi_search.max_queries_per_batch",
        u64::from(multi.max_queries_per_batch),
    );
    checker.positive("multi_search.total_timeout_ms", multi.total_timeout_ms);
    checker.positive(
        "multi_search.per_query_timeout_ms",
        multi.per_query_timeout_ms,
    );
    if multi.per_query_timeout_ms > multi.total_timeout_ms {
        checker.fail(
            "multi_search.per_query_timeout_ms",
            format!(
                "must not exceed multi_search.total_timeout_ms ({}), got {}",
                multi.total_timeout_ms, multi.per_query_timeout_ms
            ),
        );
    }

    let vector = &config.vector_search;
    checker.positive(
        "vector_search.over_fetch_factor",
        u64::from(vector.over_fetch_factor),
    );
    checker.fraction(
        "vector_search.hybrid_alpha_default",
        vector.hybrid_alpha_default,
    );
    checker.positive("vector_search.rrf_k", u64::from(vector.rrf_k));
}

fn check_tenant_affinity(config: &Config, checker: &mut Checker) {
    let tenants = &config.tenant_affinity;
    if !is_header_name(&tenants.header_name) {
        checker.fail(
            "tenant_affinity.header_name",
            format!("must be an HTTP header name, got `{}`", tenants.header_name),
        );
    }
    let declared = config.replica_groups;
    for (tenant, group) in &tenants.static_map {
        if *group >= declared {
            checker.fail(
                format!("tenant_affinity.static_map.{tenant}"),
                format!(
                    "group {group} is not declared in replica_groups (declared groups: 0..{declared})"
                ),
            );
        }
    }
    let mut seen = BTreeSet::new();
    for (index, group) in tenants.dedicated_groups.iter().enumerate() {
        let field = format!("tenant_affinity.dedicated_groups[{index}]");
        if *group >= declared {
            checker.fail(
                field,
                format!(
                    "group {group} is not declared in replica_groups (declared groups: 0..{declared})"
                ),
            );
        } else if !seen.insert(*group) {
            checker.fail(field, format!("group {group} is listed twice"));
        }
    }
    let every_group_dedicated = declared > 0 && seen.len() as u64 == u64::from(declared);
    if tenants.enabled && every_group_dedicated && tenants.fallback != TenantFallback::Reject {
        checker.fail(
            "tenant_affinity.dedicated_groups",
            "dedicates every replica group, so unmapped tenants have no group to fall back to; \
             free a group or set tenant_affinity.fallback: reject",
        );
    }
}

fn check_data_ops(config: &Config, checker: &mut Checker) {
    let reshard = &config.resharding;
    checker.positive(
        "resharding.backfill_concurrency",
        u64::from(reshard.backfill_concurrency),
    );
    checker.positive("resharding.batch_size", u64::from(reshard.batch_size));

    checker.positive(
        "settings_broadcast.verify_timeout_s",
        config.settings_broadcast.verify_timeout_s,
    );
    checker.positive(
        "settings_broadcast.repair_backoff_ms",
        config.settings_broadcast.repair_backoff_ms,
    );
    checker.positive(
        "settings_drift_check.interval_s",
        config.settings_drift_check.interval_s,
    );

    let entropy = &config.anti_entropy;
    checker.positive(
        "anti_entropy.max_read_concurrency",
        u64::from(entropy.max_read_concurrency),
    );
    checker.positive(
        "anti_entropy.fingerprint_batch_size",
        u64::from(entropy.fingerprint_batch_size),
    );
    check_reserved_field(
        "anti_entropy.updated_at_field",
        &entropy.updated_at_field,
        checker,
    );

    let dump = &config.dump_import;
    checker.positive("dump_import.batch_size", u64::from(dump.batch_size));
    checker.positive(
        "dump_import.parallel_target_writes",
        u64::from(dump.parallel_target_writes),
    );
    checker.positive("dump_import.memory_buffer_bytes", dump.memory_buffer_bytes);
    checker.positive("dump_import.chunk_size_bytes", dump.chunk_size_bytes);

    checker.positive("idempotency.ttl_seconds", config.idempotency.ttl_seconds);
    checker.positive(
        "idempotency.max_cached_keys",
        config.idempotency.max_cached_keys,
    );

    let ttl = &config.ttl;
    checker.positive("ttl.sweep_interval_s", ttl.sweep_interval_s);
    checker.positive("ttl.max_deletes_per_sweep", ttl.max_deletes_per_sweep);
    check_reserved_field("ttl.expires_at_field", &ttl.expires_at_field, checker);
    for (index_uid, overrides) in &ttl.per_index_overrides {
        let prefix = format!("ttl.per_index_overrides.{index_uid}");
        if overrides.sweep_interval_s == Some(0) {
            checker.fail(
                format!("{prefix}.sweep_interval_s"),
                "must be at least 1, got 0",
            );
        }
        if overrides.max_deletes_per_sweep == Some(0) {
            checker.fail(
                format!("{prefix}.max_deletes_per_sweep"),
                "must be at least 1, got 0",
            );
        }
    }
}

/// Reserved document fields are stripped from responses by their `_miroir_` prefix.
fn check_reserved_field(field: &str, value: &str, checker: &mut Checker) {
    if !value.starts_with("_miroir_") || value.len() == "_miroir_".len() {
        checker.fail(
            field,
            format!("must be a reserved field name starting with `_miroir_`, got `{value}`"),
        );
    }
}

/// An RFC 9110 token: visible ASCII without separators.
pub(super) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}
