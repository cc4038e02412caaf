//! Delivering notices to an SMS/WeCom/DingTalk gateway through a signed webhook, from an
//! outbox in the database: at least once, retried with backoff for 24 hours, surviving
//! restarts and a gateway that is down or slow.
//!
//! A notice's delivery row is written in the transaction that stores the notice
//! ([`enqueue`]), so a notice is never stored without it. [`deliver_due`] claims due rows
//! for a lease (`claimed_until`: the request timeout and a margin), then POSTs each; a
//! worker killed mid-delivery leaves its claim to expire and another (or the restarted
//! one) delivers again — a duplicate, never a loss. Delivered rows are kept 7 days for
//! the log, then removed, so the outbox does not grow once deliveries succeed.

use chrono::{DateTime, Duration, Utc};
use entity::{delivery, notice, user};
use futures::StreamExt;
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set, Statement,
    sea_query::{LockBehavior, LockType},
};
use sha2::Sha256;

pub use entity::delivery::DeliveryStatus;

use super::{Page, PageReq, begin_write};
use crate::{config::Webhook, error::AppResult, policy::Scope};

/// Give up this long after the notice was written.
pub const GIVE_UP_AFTER: Duration = Duration::hours(24);
/// Delivered rows are kept this long for the log.
pub const KEEP_DELIVERED: Duration = Duration::days(7);
/// Rows one worker claims at a time, and how many it sends at once.
const BATCH: u64 = 50;
const IN_FLIGHT: usize = 8;

/// Writes a pending delivery for every notice stored at `now` in this transaction (the
/// notices just written). A notice that already has one is left alone.
pub async fn enqueue(txn: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<()> {
    let backend = txn.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "INSERT INTO deliveries (notice_id, status, attempts, next_attempt_at, created_at) \
             SELECT id, 'pending', 0, $1, $1 FROM notices WHERE created_at = $1 \
             ON CONFLICT (notice_id) DO NOTHING"
        }
        _ => {
            "INSERT INTO deliveries (notice_id, status, attempts, next_attempt_at, created_at) \
             SELECT id, 'pending', 0, ?1, ?1 FROM notices WHERE created_at = ?1 \
             ON CONFLICT (notice_id) DO NOTHING"
        }
    };
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, [now.into()]))
        .await?;
    Ok(())
}

/// The wait before try `attempts + 1`: 5 s, 10 s, 20 s … at most 30 minutes.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = attempts.clamp(1, 20) as u32 - 1;
    Duration::seconds((5_i64 << exponent.min(9)).min(1800))
}

/// The JSON a gateway receives, and its signature header value.
pub fn signed_body(n: &notice::Model, u: &user::Model, secret: &str) -> (Vec<u8>, String) {
    let body = serde_json::json!({
        "notice_id": n.id,
        "user": {
            "id": u.id,
            "username": u.username,
            "name": u.name,
            "employee_no": u.employee_no,
            "phone": u.phone,
        },
        "title": n.title,
        "body": n.body,
        "created_at": n.created_at.to_rfc3339(),
    });
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(&bytes);
    let signature = hex::encode(mac.finalize().into_bytes());
    (bytes, format!("sha256={signature}"))
}

/// reqwest is built without a TLS provider of its own: the process uses ring, as sqlx
/// does. Harmless to call again.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The HTTP client of the deliveries: every request ends within the webhook's timeout.
pub fn client(hook: &Webhook) -> reqwest::Client {
    install_tls_provider();
    reqwest::Client::builder()
        .timeout(hook.timeout)
        .connect_timeout(hook.timeout)
        .build()
        .expect("an HTTP client with a timeout")
}

/// Claims up to [`BATCH`] due deliveries for a lease; on PostgreSQL rows another instance
/// is claiming are skipped.
async fn claim(
    db: &DatabaseConnection,
    hook: &Webhook,
    now: DateTime<Utc>,
) -> AppResult<Vec<delivery::Model>> {
    let txn = begin_write(db).await?;
    let mut due = delivery::Entity::find()
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(delivery::Column::NextAttemptAt.lte(now))
        .filter(
            sea_orm::Condition::any()
                .add(delivery::Column::ClaimedUntil.is_null())
                .add(delivery::Column::ClaimedUntil.lt(now)),
        )
        .order_by_asc(delivery::Column::Id)
        .limit(BATCH);
    if db.get_database_backend() == DatabaseBackend::Postgres {
        due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = due.all(&*txn).await?;
    let lease = now
        + Duration::from_std(hook.timeout).unwrap_or(Duration::seconds(10))
        + Duration::seconds(5);
    let mut claimed = Vec::with_capacity(rows.len());
    for row in rows {
        let attempts = row.attempts + 1;
        let mut active: delivery::ActiveModel = row.into();
        active.claimed_until = Set(Some(lease));
        active.attempts = Set(attempts);
        claimed.push(active.update(&*txn).await?);
    }
    txn.commit().await?;
    Ok(claimed)
}

/// What one try came to.
async fn attempt(
    db: &DatabaseConnection,
    http: &reqwest::Client,
    hook: &Webhook,
    d: &delivery::Model,
) -> AppResult<Result<(), String>> {
    let Some(n) = notice::Entity::find_by_id(d.notice_id).one(db).await? else {
        return Ok(Err("the notice is gone".into()));
    };
    let Some(u) = user::Entity::find_by_id(n.user_id).one(db).await? else {
        return Ok(Err("the account is gone".into()));
    };
    let (body, signature) = signed_body(&n, &u, &hook.secret);
    let sent = http
        .post(&hook.url)
        .header("Content-Type", "application/json")
        .header("X-Xuefa-Signature", signature)
        .body(body)
        .send()
        .await;
    Ok(match sent {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!("the gateway answered {}", r.status())),
        Err(e) if e.is_timeout() => Err("the gateway did not answer in time".into()),
        Err(e) => Err(format!("cannot reach the gateway: {e}")),
    })
}

/// Records a try's outcome: delivered, or the next try (failed after 24 hours).
async fn settle(
    db: &DatabaseConnection,
    d: delivery::Model,
    outcome: Result<(), String>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let txn = begin_write(db).await?;
    let delivered = outcome.is_ok();
    let mut active: delivery::ActiveModel = d.clone().into();
    active.claimed_until = Set(None);
    match outcome {
        Ok(()) => {
            active.status = Set(DeliveryStatus::Delivered);
            active.delivered_at = Set(Some(now));
            active.last_error = Set(None);
        }
        Err(error) => {
            let next = now + backoff(d.attempts);
            active.last_error = Set(Some(error));
            if next > d.created_at + GIVE_UP_AFTER {
                active.status = Set(DeliveryStatus::Failed);
            } else {
                active.next_attempt_at = Set(next);
            }
        }
    }
    active.update(&*txn).await?;
    txn.commit().await?;
    Ok(delivered)
}

/// What one round of deliveries did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub delivered: u64,
    pub retrying: u64,
}

/// Claims what is due and delivers it, a few at a time; every request ends within the
/// webhook's timeout, so a gateway that never answers delays only this worker.
pub async fn deliver_due(
    db: &DatabaseConnection,
    http: &reqwest::Client,
    hook: &Webhook,
    now: DateTime<Utc>,
) -> AppResult<Round> {
    let claimed = claim(db, hook, now).await?;
    let results: Vec<AppResult<bool>> = futures::stream::iter(claimed)
        .map(|d| async move {
            let outcome = attempt(db, http, hook, &d).await?;
            settle(db, d, outcome, now).await
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let mut round = Round::default();
    for r in results {
        if r? {
            round.delivered += 1;
        } else {
            round.retrying += 1;
        }
    }
    Ok(round)
}

/// Removes delivered rows older than [`KEEP_DELIVERED`].
pub async fn prune(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u64> {
    let txn = begin_write(db).await?;
    let gone = delivery::Entity::delete_many()
        .filter(delivery::Column::Status.eq(DeliveryStatus::Delivered))
        .filter(delivery::Column::DeliveredAt.lt(now - KEEP_DELIVERED))
        .exec(&*txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(gone)
}

/// The delivery log (admins), newest first, optionally of one status.
/// Deliveries of notices to people in scope, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    status: Option<DeliveryStatus>,
    page: PageReq,
) -> AppResult<Page<(delivery::Model, Option<notice::Model>)>> {
    let mut q = delivery::Entity::find();
    if !scope.is_whole() {
        let notices = notice::Entity::find()
            .select_only()
            .column(notice::Column::Id)
            .filter(scope.people_condition(notice::Column::UserId))
            .into_query();
        q = q.filter(delivery::Column::NoticeId.in_subquery(notices));
    }
    if let Some(s) = status {
        q = q.filter(delivery::Column::Status.eq(s));
    }
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_desc(delivery::Column::Id)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|d| d.notice_id).collect();
    let notices: std::collections::HashMap<i64, notice::Model> = notice::Entity::find()
        .filter(notice::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let items = rows
        .into_iter()
        .map(|d| {
            let n = notices.get(&d.notice_id).cloned();
            (d, n)
        })
        .collect();
    Ok(page.of(items, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tries_back_off_up_to_half_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(5));
        assert_eq!(backoff(2), Duration::seconds(10));
        assert_eq!(backoff(5), Duration::seconds(80));
        assert_eq!(backoff(30), Duration::seconds(1800));
    }
}
