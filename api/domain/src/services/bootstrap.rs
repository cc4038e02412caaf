//! What a fresh database needs before the first request: a JWT secret shared by every
//! instance, and the first administrator.

use chrono::{DateTime, Utc};
use entity::{setting, user};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, Set};

use super::audit;
use crate::{
    auth::{Role, hash_password, random_token},
    error::AppResult,
    security::{Security, check_password_rules},
};

const JWT_SECRET_KEY: &str = "jwt_secret";

/// The configured secret, or the one kept in the database (made on first use). Every
/// instance on one database reads the same row, so their tokens agree.
pub async fn jwt_secret(db: &impl ConnectionTrait, configured: Option<&str>) -> AppResult<String> {
    if let Some(secret) = configured {
        return Ok(secret.to_owned());
    }
    // Insert-if-absent, then read back: two instances starting at once agree on one.
    setting::Entity::insert(setting::ActiveModel {
        key: Set(JWT_SECRET_KEY.into()),
        value: Set(random_token()),
    })
    .on_conflict_do_nothing_on([setting::Column::Key])
    .exec(db)
    .await?;
    let row = setting::Entity::find_by_id(JWT_SECRET_KEY.to_owned())
        .one(db)
        .await?
        .expect("the secret row was just written");
    Ok(row.value)
}

/// On an empty database, creates `admin` with `password` (which must meet the password
/// rules) or a generated one-time password, to be changed at the first sign-in. Returns
/// the password when it made one up, so the caller can print it once.
pub async fn ensure_admin(
    db: &sea_orm::DatabaseConnection,
    security: &Security,
    password: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Option<String>> {
    if user::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    let (password, generated) = match password {
        Some(p) => {
            check_password_rules(
                security.password_min_length,
                "XUEFA_ADMIN_PASSWORD",
                p,
                Some("admin"),
            )?;
            (p.to_owned(), false)
        }
        None => (super::users::one_time_password(), true),
    };
    let inserted = user::Entity::insert(user::ActiveModel {
        username: Set("admin".into()),
        password_hash: Set(hash_password(&password).await?),
        name: Set("Administrator".into()),
        // With separation of duties the first administrator is the system administrator;
        // `xuefa separate-duties` makes the other two.
        roles: Set(Role::join(&[if security.separation_of_duties {
            Role::Sysadmin
        } else {
            Role::Admin
        }])),
        unit_id: Set(None),
        is_leader: Set(false),
        employee_no: Set(None),
        active: Set(true),
        password_changed_at: Set(Some(now)),
        password_change_required: Set(generated),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([user::Column::Username])
    .exec(db)
    .await?;
    if matches!(inserted, sea_orm::TryInsertResult::Inserted(_)) {
        let txn = crate::db::begin_write(db).await?;
        audit::record_as(
            &txn,
            now,
            (None, "system"),
            audit::AuditAction::Create,
            "user",
            None,
            "first administrator created",
        )
        .await?;
        txn.commit().await?;
        Ok(generated.then_some(password))
    } else {
        Ok(None)
    }
}
