//! Rules on the serving blocks: listeners, connection pool, health, scatter, rebalancer,
//! task registry and tracing.

use std::net::IpAddr;

use super::Checker;
use crate::config::Config;

pub(super) fn check(config: &Config, checker: &mut Checker) {
    let server = &config.server;
    if server.bind_address.parse::<IpAddr>().is_err() {
        checker.fail(
            "server.bind_address",
            format!("must be an IP address, got `{}`", server.bind_address),
        );
    }
    if server.port != 0 && server.port == server.metrics_port {
        checker.fail(
            "server.metrics_port",
            format!("must differ from server.port ({})", server.port),
        );
    }
    if server.admin_grpc_port != 0
        && (server.admin_grpc_port == server.port || server.admin_grpc_port == server.metrics_port)
    {
        checker.fail(
            "server.admin_grpc_port",
            format!(
                "must differ from server.port and server.metrics_port, got {}",
                server.admin_grpc_port
            ),
        );
    }
    checker.positive("server.max_body_bytes", server.max_body_bytes);
    checker.positive(
        "server.max_concurrent_requests",
        u64::from(server.max_concurrent_requests),
    );

    let pool = &config.connection_pool;
    checker.positive("connection_pool.idle_timeout_ms", pool.idle_timeout_ms);
    checker.positive(
        "connection_pool.connect_timeout_ms",
        pool.connect_timeout_ms,
    );

    let health = &config.health;
    checker.positive("health.interval_ms", health.interval_ms);
    checker.positive("health.timeout_ms", health.timeout_ms);
    if health.timeout_ms > health.interval_ms {
        checker.fail(
            "health.timeout_ms",
            format!(
                "must not exceed health.interval_ms ({}), got {}",
                health.interval_ms, health.timeout_ms
            ),
        );
    }
    checker.positive(
        "health.unhealthy_threshold",
        u64::from(health.unhealthy_threshold),
    );
    checker.positive(
        "health.recovery_threshold",
        u64::from(health.recovery_threshold),
    );

    checker.positive("scatter.timeout_ms", config.scatter.timeout_ms);

    checker.positive(
        "rebalancer.max_concurrent_migrations",
        u64::from(config.rebalancer.max_concurrent_migrations),
    );
    checker.positive(
        "rebalancer.migration_batch_size",
        u64::from(config.rebalancer.migration_batch_size),
    );

    let tasks = &config.task_registry;
    checker.positive("task_registry.ttl_seconds", tasks.ttl_seconds);
    checker.positive("task_registry.prune_interval_s", tasks.prune_interval_s);
    checker.positive("task_registry.max_retained_tasks", tasks.max_retained_tasks);

    let tracing = &config.tracing;
    if tracing.enabled {
        checker.http_url("tracing.endpoint", &tracing.endpoint);
    }
    checker.non_blank("tracing.service_name", &tracing.service_name);
    checker.fraction("tracing.sample_rate", tracing.sample_rate);
}
