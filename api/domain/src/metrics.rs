//! The process's metrics, served as Prometheus text at `GET /metrics`: the group-commit
//! writers' group sizes and commit times, the database pool, and the process itself
//! (memory, CPU, open files). The HTTP layer registers its own (requests by route) in
//! the same [`registry`].

use std::sync::LazyLock;

use prometheus::{Encoder, HistogramOpts, HistogramVec, IntGaugeVec, Opts, Registry, TextEncoder};
use sea_orm::DatabaseConnection;

struct Metrics {
    registry: Registry,
    groups: HistogramVec,
    group_seconds: HistogramVec,
    pool: IntGaugeVec,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let registry = Registry::new();
    let groups = HistogramVec::new(
        HistogramOpts::new(
            "xuefa_group_commit_size",
            "Jobs committed together by a group-commit writer (study uploads, answer saves).",
        )
        .buckets(vec![
            1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0,
        ]),
        &["writer"],
    )
    .expect("valid metric");
    let group_seconds = HistogramVec::new(
        HistogramOpts::new(
            "xuefa_group_commit_seconds",
            "Time a group-commit writer took to commit one group, from its first statement to \
             the durable commit (and any job-by-job retry), by writer.",
        )
        .buckets(vec![
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ]),
        &["writer"],
    )
    .expect("valid metric");
    let pool = IntGaugeVec::new(
        Opts::new(
            "xuefa_db_pool_connections",
            "Database pool connections, by state (open, idle, max).",
        ),
        &["state"],
    )
    .expect("valid metric");
    for collector in [
        Box::new(groups.clone()) as Box<dyn prometheus::core::Collector>,
        Box::new(group_seconds.clone()),
        Box::new(pool.clone()),
        Box::new(prometheus::process_collector::ProcessCollector::for_self()),
    ] {
        registry
            .register(collector)
            .expect("each metric registered once");
    }
    Metrics {
        registry,
        groups,
        group_seconds,
        pool,
    }
});

/// The registry every metric of the process is in; the HTTP layer adds its own.
pub fn registry() -> &'static Registry {
    &METRICS.registry
}

/// Declares a writer's series at zero when it starts, so they are scraped (and rates
/// computed) from the start rather than from its first group.
pub fn declare_writer(writer: &str) {
    let m = &*METRICS;
    m.groups.with_label_values(&[writer]);
    m.group_seconds.with_label_values(&[writer]);
}

/// Records one group a group-commit writer committed: its size and how long it took.
/// A writer that is never idle and whose groups take long is the uploads' limit (see
/// BENCHMARKS.md, "What limits each figure").
pub fn observe_group(writer: &str, size: usize, seconds: f64) {
    let m = &*METRICS;
    m.groups.with_label_values(&[writer]).observe(size as f64);
    m.group_seconds
        .with_label_values(&[writer])
        .observe(seconds);
}

/// Groups committed so far by `writer` and their seconds in all (the `_count` and `_sum`
/// of `xuefa_group_commit_seconds`).
#[cfg(test)]
pub fn groups_committed(writer: &str) -> (u64, f64) {
    let h = METRICS.group_seconds.with_label_values(&[writer]);
    (h.get_sample_count(), h.get_sample_sum())
}

/// Everything, in Prometheus's text exposition format.
pub fn render(db: &DatabaseConnection, max_connections: u32) -> String {
    let m = &*METRICS;
    let (open, idle) = pool_use(db);
    m.pool.with_label_values(&["open"]).set(open);
    m.pool.with_label_values(&["idle"]).set(idle);
    m.pool
        .with_label_values(&["max"])
        .set(max_connections as i64);
    let mut out = Vec::new();
    TextEncoder::new()
        .encode(&m.registry.gather(), &mut out)
        .expect("text encoding into memory does not fail");
    String::from_utf8(out).expect("the text format is UTF-8")
}

/// The pool's open and idle connections.
fn pool_use(db: &DatabaseConnection) -> (i64, i64) {
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size() as i64, pool.num_idle() as i64)
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size() as i64, pool.num_idle() as i64)
        }
    }
}

/// The content type of [`render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
