//! Absent fields take the spec's defaults.

use super::{no_env, Config, MINIMAL_YAML};
use crate::config::{
    CdcOverflow, CdcPrimaryBuffer, DumpImportMode, ReplicaSelectionStrategy, SearchUiAuthMode,
    SessionWaitStrategy, SettingsBroadcastStrategy, TenantFallback, TenantMode,
    UnavailableShardPolicy, VectorMergeStrategy,
};

#[test]
fn empty_and_comment_only_documents_give_the_defaults() {
    for yaml in ["", "\n", "# nothing here\n", "---\n", "{}"] {
        assert_eq!(
            Config::from_yaml(yaml.as_bytes()).unwrap(),
            Config::default()
        );
    }
}

#[test]
fn minimal_config_loads_and_keeps_every_default() {
    let config = Config::load(MINIMAL_YAML.as_bytes(), &no_env()).unwrap();
    let defaults = Config::default();
    assert_eq!(config.shards, 64);
    assert_eq!(config.replication_factor, 1);
    assert_eq!(config.nodes.len(), 4);
    assert_eq!(config.server, defaults.server);
    assert_eq!(config.search_ui, defaults.search_ui);
    assert_eq!(config.cdc, defaults.cdc);
}

#[test]
fn defaults_match_the_spec() {
    let c = Config::default();
    assert_eq!(
        (c.shards, c.replication_factor, c.replica_groups),
        (64, 1, 1)
    );
    assert!(c.nodes.is_empty() && c.master_key.is_none() && c.admin_api_key.is_none());
    assert_eq!((c.server.port, c.server.metrics_port), (7700, 9090));
    assert_eq!((c.health.interval_ms, c.health.timeout_ms), (5_000, 2_000));
    assert_eq!(
        (c.health.unhealthy_threshold, c.health.recovery_threshold),
        (3, 2)
    );
    assert_eq!(
        c.scatter.unavailable_shard_policy,
        UnavailableShardPolicy::Partial
    );
    assert!(c.scatter.retry_on_timeout);
    assert_eq!(c.rebalancer.max_concurrent_migrations, 4);
    assert_eq!(c.rebalancer.migration_batch_size, 1_000);
    assert_eq!(c.rebalancer.throttle_docs_per_sec, 0);
    assert_eq!(c.task_registry.ttl_seconds, 7 * 86_400);
    assert_eq!(c.task_registry.prune_interval_s, 300);
    assert!(!c.tracing.enabled);
    assert_eq!(c.tracing.sample_rate, 0.1);

    assert!(c.resharding.enabled);
    assert_eq!(c.resharding.backfill_concurrency, 4);
    assert_eq!(c.resharding.throttle_docs_per_sec, 0);
    assert_eq!(c.resharding.retain_old_index_hours, 48);
    assert!(c.hedging.enabled && c.hedging.cross_group_fallback);
    assert_eq!(c.hedging.p95_trigger_multiplier, 1.2);
    assert_eq!(c.hedging.min_trigger_ms, 15);
    assert_eq!(c.hedging.max_hedges_per_query, 2);
    let selection = &c.replica_selection;
    assert_eq!(selection.strategy, ReplicaSelectionStrategy::Adaptive);
    assert_eq!(
        (
            selection.latency_weight,
            selection.inflight_weight,
            selection.error_weight
        ),
        (1.0, 2.0, 10.0)
    );
    assert_eq!(selection.ewma_half_life_ms, 5_000);
    assert_eq!(selection.exploration_epsilon, 0.05);
    assert!(c.query_planner.enabled && !c.query_planner.log_plans);
    assert_eq!(c.query_planner.max_pk_literals_narrowable, 128);
    assert_eq!(
        c.settings_broadcast.strategy,
        SettingsBroadcastStrategy::TwoPhase
    );
    assert_eq!(c.settings_broadcast.verify_timeout_s, 60);
    assert_eq!(c.settings_broadcast.max_repair_retries, 3);
    assert_eq!(c.settings_broadcast.repair_backoff_ms, 500);
    assert!(c.settings_broadcast.freeze_writes_on_unrepairable);
    assert_eq!(c.settings_drift_check.interval_s, 300);
    assert!(c.settings_drift_check.auto_repair);
    assert_eq!(c.session_pinning.ttl_seconds, 900);
    assert_eq!(c.session_pinning.max_sessions, 100_000);
    assert_eq!(c.session_pinning.wait_strategy, SessionWaitStrategy::Block);
    assert_eq!(c.session_pinning.max_wait_ms, 5_000);
    assert_eq!(c.aliases.history_retention, 10);
    assert!(c.aliases.require_target_exists);
    assert_eq!(c.anti_entropy.schedule.to_string(), "every 6h");
    assert_eq!(c.anti_entropy.shards_per_pass, 0);
    assert_eq!(c.anti_entropy.max_read_concurrency, 2);
    assert_eq!(c.anti_entropy.fingerprint_batch_size, 1_000);
    assert_eq!(c.anti_entropy.updated_at_field, "_miroir_updated_at");
    assert_eq!(c.dump_import.mode, DumpImportMode::Streaming);
    assert_eq!(c.dump_import.parallel_target_writes, 8);
    assert_eq!(c.dump_import.memory_buffer_bytes, 128 * 1024 * 1024);
    assert_eq!(c.dump_import.chunk_size_bytes, 256 * 1024 * 1024);
    assert_eq!(c.idempotency.ttl_seconds, 86_400);
    assert_eq!(c.idempotency.max_cached_keys, 1_000_000);
    assert_eq!(c.query_coalescing.window_ms, 50);
    assert_eq!(c.query_coalescing.max_subscribers, 1_000);
    assert_eq!(c.query_coalescing.max_pending_queries, 10_000);
    assert_eq!(c.multi_search.max_queries_per_batch, 100);
    assert_eq!(c.multi_search.total_timeout_ms, 30_000);
    assert_eq!(c.vector_search.over_fetch_factor, 3);
    assert_eq!(c.vector_search.merge_strategy, VectorMergeStrategy::Convex);
    assert_eq!(c.vector_search.hybrid_alpha_default, 0.5);
    assert_eq!(c.vector_search.rrf_k, 60);
    assert!(c.cdc.enabled && c.cdc.sinks.is_empty());
    assert_eq!(c.cdc.buffer.primary, CdcPrimaryBuffer::Memory);
    assert_eq!(c.cdc.buffer.memory_bytes, 64 * 1024 * 1024);
    assert_eq!(c.cdc.buffer.overflow, CdcOverflow::Drop);
    assert!(!c.cdc.emit_ttl_deletes && !c.cdc.emit_internal_writes);
    assert_eq!(c.ttl.sweep_interval_s, 300);
    assert_eq!(c.ttl.max_deletes_per_sweep, 10_000);
    assert_eq!(c.ttl.expires_at_field, "_miroir_expires_at");
    assert_eq!(c.tenant_affinity.mode, TenantMode::Header);
    assert_eq!(c.tenant_affinity.header_name, "X-Miroir-Tenant");
    assert_eq!(c.tenant_affinity.fallback, TenantFallback::Hash);
    assert_eq!(c.shadow.diff_buffer_size, 10_000);
    assert_eq!(c.shadow.max_shadow_latency_ms, 5_000);
    assert_eq!(c.ilm.check_interval_s, 3_600);
    assert_eq!(c.ilm.safety_lock_older_than_days, 7);
    assert_eq!(c.ilm.max_rollovers_per_check, 10);
    assert_eq!(c.canary_runner.run_history_per_canary, 100);
    assert_eq!(c.admin_ui.path, "/_miroir/admin");
    assert_eq!(c.admin_ui.session_ttl_s, 3_600);
    assert_eq!(c.admin_ui.allowed_origins, ["same-origin"]);
    assert_eq!(c.admin_ui.theme.accent_color, "#2563eb");
    assert_eq!(c.admin_ui.rate_limit.per_ip.to_string(), "10/minute");
    assert_eq!(c.admin_ui.rate_limit.failed_attempt_threshold, 5);
    assert_eq!(c.admin_ui.rate_limit.backoff_start_minutes, 10);
    assert_eq!(c.admin_ui.rate_limit.backoff_max_hours, 24);
    assert_eq!(c.explain.max_warnings, 20);
    assert!(c.explain.allow_execute_parameter);
    assert!(!c.search_ui.enabled);
    assert_eq!(c.search_ui.path, "/ui/search");
    assert_eq!(c.search_ui.auth.mode, SearchUiAuthMode::Public);
    assert_eq!(c.search_ui.auth.session_ttl_s, 900);
    assert_eq!(c.search_ui.auth.jwt_secret_env, "SEARCH_UI_JWT_SECRET");
    assert_eq!(c.search_ui.allowed_origins, ["*"]);
    assert_eq!(c.search_ui.scoped_key_max_age_days, 60);
    assert_eq!(c.search_ui.scoped_key_rotate_before_expiry_days, 30);
    assert_eq!(c.search_ui.scoped_key_rotation_drain_s, 120);
    assert_eq!(c.search_ui.rate_limit.per_ip.to_string(), "60/minute");
    assert!(!c.search_ui.analytics.enabled);
}

#[test]
fn a_partial_block_keeps_the_defaults_of_its_other_fields() {
    let config = Config::from_yaml(b"scatter:\n  timeout_ms: 750\n").unwrap();
    assert_eq!(config.scatter.timeout_ms, 750);
    assert!(config.scatter.retry_on_timeout);
    assert_eq!(config.scatter.max_retries, 1);
}

#[test]
fn sink_and_canary_fields_take_their_defaults() {
    let yaml = "\
cdc:
  sinks:
    - {type: webhook, name: hook, url: \"http://hook:80\"}
canaries:
  - {name: c, index: products, query: {q: x}, assertions: [{type: min_hits, value: 1}]}
";
    let config = Config::from_yaml(yaml.as_bytes()).unwrap();
    assert_eq!(
        config.cdc.sinks[0],
        crate::config::CdcSinkConfig::Webhook {
            name: "hook".into(),
            url: "http://hook:80".into(),
            batch_size: 100,
            batch_flush_ms: 1_000,
            retry_max_s: 3_600,
            include_body: false,
        }
    );
    assert_eq!(config.canaries[0].interval_s, 60);
}
