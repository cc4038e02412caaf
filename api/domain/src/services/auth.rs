//! Login, refresh-token rotation, logout, password change, and the login throttle.

use chrono::{DateTime, Duration, Utc};
use entity::{login_failure, refresh_token, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait, sea_query::Expr,
};

use super::audit;
use crate::{
    auth::{
        ACCESS_TTL_SECS, Actor, JwtKeys, Role, hash_password, random_token, sha256_hex,
        verify_password,
    },
    error::{AppError, AppResult, FieldError},
};

/// Refresh tokens live 30 days.
pub const REFRESH_TTL_DAYS: i64 = 30;
/// Failed logins allowed per username *and client address* within
/// [`THROTTLE_WINDOW_MINUTES`]: a colleague typing wrong passwords at someone's username
/// from their own machine locks out that machine, not the person.
pub const MAX_FAILURES: u64 = 5;
/// Failed logins allowed per username from all addresses together (a spread-out guess).
pub const MAX_FAILURES_EVERYWHERE: u64 = 50;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_PASSWORD_LEN: usize = 128;

/// An access token and the refresh token that renews it.
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
}

fn bad_credentials() -> AppError {
    AppError::Unauthorized("invalid username or password".into())
}

fn bad_refresh() -> AppError {
    AppError::Unauthorized("the refresh token is invalid, expired or already used".into())
}

pub fn check_password_rules(field: &str, password: &str) -> AppResult<()> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(AppError::invalid(FieldError::too_short(
            field,
            MIN_PASSWORD_LEN,
        )));
    }
    if len > MAX_PASSWORD_LEN {
        return Err(AppError::invalid(FieldError::too_long(
            field,
            MAX_PASSWORD_LEN,
        )));
    }
    Ok(())
}

/// Seconds to wait when `username` has used up its failed attempts from `client`, or
/// from everywhere together, else `None`.
async fn throttled_for(
    db: &impl ConnectionTrait,
    username: &str,
    client: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<u64>> {
    let window_start = now - Duration::minutes(THROTTLE_WINDOW_MINUTES);
    let recent = login_failure::Entity::find()
        .filter(login_failure::Column::Username.eq(username))
        .filter(login_failure::Column::FailedAt.gt(window_start))
        .order_by_desc(login_failure::Column::FailedAt)
        .all(db)
        .await?;
    let from_client: Vec<_> = recent.iter().filter(|f| f.client_addr == client).collect();
    // The wait ends when the window no longer holds that many failures.
    let wait = |pivot: DateTime<Utc>| {
        let until = pivot + Duration::minutes(THROTTLE_WINDOW_MINUTES);
        (until - now).num_seconds().max(1) as u64
    };
    let here = (from_client.len() as u64 >= MAX_FAILURES)
        .then(|| wait(from_client[MAX_FAILURES as usize - 1].failed_at));
    let everywhere = (recent.len() as u64 > MAX_FAILURES_EVERYWHERE)
        .then(|| wait(recent[MAX_FAILURES_EVERYWHERE as usize].failed_at));
    Ok(here.max(everywhere))
}

/// Checks the credentials and starts a new token family.
pub async fn login(
    db: &DatabaseConnection,
    jwt: &JwtKeys,
    (username, password): (&str, &str),
    client: &str,
    now: DateTime<Utc>,
) -> AppResult<TokenPair> {
    let username = username.trim();
    if let Some(retry_after) = throttled_for(db, username, client, now).await? {
        return Err(AppError::Throttled { retry_after });
    }
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await?;
    let stored_hash = found
        .as_ref()
        .map(|u| u.password_hash.as_str())
        .filter(|h| h.starts_with("$argon2"));
    let password_ok = verify_password(password, stored_hash).await && stored_hash.is_some();
    let account = match found {
        Some(u) if password_ok && u.active => u,
        other => {
            let txn = db.begin().await?;
            login_failure::ActiveModel {
                username: Set(username.to_owned()),
                client_addr: Set(client.to_owned()),
                failed_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let reason = match &other {
                None => "unknown username",
                Some(u) if !u.active => "account disabled",
                Some(_) => "wrong password",
            };
            let reason = match client {
                "" => reason.to_owned(),
                from => format!("{reason} from {from}"),
            };
            audit::record_as(
                &txn,
                now,
                (other.as_ref().map(|u| u.id), username),
                audit::AuditAction::LoginFailed,
                "user",
                other.as_ref().map(|u| u.id.to_string()),
                reason,
            )
            .await?;
            txn.commit().await?;
            return Err(bad_credentials());
        }
    };
    // A success clears this address's failures only: guesses from elsewhere still count.
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(username))
        .filter(login_failure::Column::ClientAddr.eq(client))
        .exec(db)
        .await?;
    issue_pair(db, jwt, &account, uuid::Uuid::new_v4().to_string(), now).await
}

async fn issue_pair(
    db: &impl ConnectionTrait,
    jwt: &JwtKeys,
    account: &user::Model,
    family_id: String,
    now: DateTime<Utc>,
) -> AppResult<TokenPair> {
    let refresh = random_token();
    refresh_token::ActiveModel {
        user_id: Set(account.id),
        family_id: Set(family_id),
        token_hash: Set(sha256_hex(&refresh)),
        expires_at: Set(now + Duration::days(REFRESH_TTL_DAYS)),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let access = jwt.issue(
        account.id,
        &account.username,
        Role::split(&account.roles),
        now,
    )?;
    Ok(TokenPair {
        access_token: access,
        refresh_token: refresh,
        expires_in: ACCESS_TTL_SECS,
    })
}

async fn revoke_family(
    db: &impl ConnectionTrait,
    family_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every refresh token of a user (password change, account disabled).
pub async fn revoke_user_tokens(
    db: &impl ConnectionTrait,
    user_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Spends a refresh token and returns a new pair in the same family. Presenting a token
/// that was already spent revokes the whole family: someone else holds a copy.
pub async fn refresh(
    db: &DatabaseConnection,
    jwt: &JwtKeys,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<TokenPair> {
    let hash = sha256_hex(token.trim());
    let stored = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(db)
        .await?
        .ok_or_else(bad_refresh)?;
    if stored.revoked_at.is_some() {
        return Err(bad_refresh());
    }
    if stored.used_at.is_some() {
        revoke_family(db, &stored.family_id, now).await?;
        return Err(bad_refresh());
    }
    if stored.expires_at <= now {
        return Err(bad_refresh());
    }
    let account = user::Entity::find_by_id(stored.user_id).one(db).await?;
    let Some(account) = account.filter(|u| u.active) else {
        revoke_family(db, &stored.family_id, now).await?;
        return Err(bad_refresh());
    };
    let txn = db.begin().await?;
    // Spend it only if nobody spent it in the meantime: two refreshes at once rotate once.
    let spent = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(stored.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if spent.rows_affected != 1 {
        txn.rollback().await?;
        revoke_family(db, &stored.family_id, now).await?;
        return Err(bad_refresh());
    }
    let pair = issue_pair(&txn, jwt, &account, stored.family_id.clone(), now).await?;
    txn.commit().await?;
    Ok(pair)
}

/// Ends the session the refresh token belongs to. Unknown tokens are ignored; a token of
/// another user is refused.
pub async fn logout(
    db: &impl ConnectionTrait,
    actor: &Actor,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let hash = sha256_hex(token.trim());
    let stored = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(db)
        .await?;
    if let Some(stored) = stored {
        crate::policy::authorize_owner(actor, stored.user_id, "that refresh token")?;
        revoke_family(db, &stored.family_id, now).await?;
    }
    Ok(())
}

/// Changes the caller's own password and signs out every other session.
pub async fn change_password(
    db: &DatabaseConnection,
    actor: &Actor,
    current: &str,
    new: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    check_password_rules("new_password", new)?;
    let account = user::Entity::find_by_id(actor.id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Unauthorized("the account no longer exists".into()))?;
    let stored = Some(account.password_hash.as_str()).filter(|h| h.starts_with("$argon2"));
    if !(verify_password(current, stored).await && stored.is_some()) {
        return Err(AppError::Unauthorized(
            "the current password is wrong".into(),
        ));
    }
    let hash = hash_password(new).await?;
    let txn = db.begin().await?;
    let mut active: user::ActiveModel = account.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    revoke_user_tokens(&txn, actor.id, now).await?;
    audit::record(
        &txn,
        Some(actor),
        now,
        audit::AuditAction::PasswordChange,
        "user",
        Some(actor.id.to_string()),
        "own password changed",
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
