//! Login, refresh-token rotation, logout, password change, and the login throttle.

use chrono::{DateTime, Duration, Utc};
use entity::{login_failure, password_history, recovery_code, refresh_token, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait, sea_query::Expr,
};

use super::{audit, begin_write};
use crate::{
    auth::{
        ACCESS_TTL_SECS, Actor, JwtKeys, Limit, Role, hash_password, random_token, sha256_hex,
        verify_password,
    },
    error::{AppError, AppResult, Denial},
    security::{self, Security, totp},
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

/// An access token and the refresh token that renews it.
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    /// The access token only lets its account do this first (change the password,
    /// enrol a second factor).
    pub limit: Option<Limit>,
}

fn bad_credentials() -> AppError {
    AppError::Unauthorized("invalid username or password".into())
}

fn bad_refresh() -> AppError {
    AppError::Unauthorized("the refresh token is invalid, expired or already used".into())
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

/// What a person typed at the sign-in page, and where from.
pub struct Credentials<'a> {
    pub username: &'a str,
    pub password: &'a str,
    /// A TOTP code or a recovery code, for an account with a second factor.
    pub totp: Option<&'a str>,
    /// The client's address (`""` when unknown).
    pub client: &'a str,
}

/// Why a sign-in failed, as the audit log and the throttle record it.
#[derive(Debug, Clone, Copy)]
enum Failure {
    UnknownUsername,
    Disabled,
    WrongPassword,
    TotpMissing,
    TotpWrong,
    PasswordLoginDisabled,
}

impl Failure {
    fn reason(self) -> &'static str {
        match self {
            Failure::UnknownUsername => "unknown username",
            Failure::Disabled => "account disabled",
            Failure::WrongPassword => "wrong password",
            Failure::TotpMissing => "second factor missing",
            Failure::TotpWrong => "second factor wrong or reused",
            Failure::PasswordLoginDisabled => "password sign-in is off for this account's roles",
        }
    }

    fn error(self) -> AppError {
        match self {
            Failure::TotpMissing => AppError::denied(
                Denial::TotpRequired,
                "this account signs in with a second factor: send `totp`",
            ),
            Failure::TotpWrong => AppError::denied(
                Denial::TotpInvalid,
                "the code is wrong, outside its 30-second window, or was already used",
            ),
            Failure::PasswordLoginDisabled => AppError::denied(
                Denial::PasswordLoginDisabled,
                "this account signs in through the identity provider (统一身份认证), not with a password",
            ),
            _ => bad_credentials(),
        }
    }
}

/// Records a failed sign-in (the throttle's row, the account's count, the audit entry
/// with the address and the reason) and answers with its error.
async fn failed(
    db: &DatabaseConnection,
    (username, client): (&str, &str),
    account: Option<&user::Model>,
    failure: Failure,
    now: DateTime<Utc>,
) -> AppResult<TokenPair> {
    let txn = db.begin().await?;
    login_failure::ActiveModel {
        username: Set(username.to_owned()),
        client_addr: Set(client.to_owned()),
        failed_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if let Some(account) = account {
        use sea_orm::sea_query::ExprTrait;
        user::Entity::update_many()
            .col_expr(
                user::Column::FailedSignIns,
                Expr::col(user::Column::FailedSignIns).add(1),
            )
            .filter(user::Column::Id.eq(account.id))
            .exec(&txn)
            .await?;
    }
    let reason = match client {
        "" => failure.reason().to_owned(),
        from => format!("{} from {from}", failure.reason()),
    };
    audit::record_as(
        &txn,
        now,
        (account.map(|u| u.id), username),
        audit::AuditAction::LoginFailed,
        "user",
        account.map(|u| u.id.to_string()),
        reason,
    )
    .await?;
    txn.commit().await?;
    Err(failure.error())
}

/// Checks the credentials (and the second factor, when the account has one) and starts
/// a new token family. The token is limited when the password must be changed first or
/// a second factor enrolled first.
pub async fn login(
    db: &DatabaseConnection,
    jwt: &JwtKeys,
    security: &Security,
    credentials: Credentials<'_>,
    now: DateTime<Utc>,
) -> AppResult<TokenPair> {
    let username = credentials.username.trim();
    let client = credentials.client;
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
    let password_ok =
        verify_password(credentials.password, stored_hash).await && stored_hash.is_some();
    let who = (username, client);
    let account = match found {
        Some(u) if password_ok && u.active => u,
        None => return failed(db, who, None, Failure::UnknownUsername, now).await,
        Some(u) if !u.active => return failed(db, who, Some(&u), Failure::Disabled, now).await,
        Some(u) => return failed(db, who, Some(&u), Failure::WrongPassword, now).await,
    };
    if let Some(allowed) = &security.password_login_roles
        && !Role::split(&account.roles)
            .iter()
            .any(|r| allowed.contains(r))
    {
        return failed(db, who, Some(&account), Failure::PasswordLoginDisabled, now).await;
    }
    let txn = begin_write(db).await?;
    if account.totp_confirmed_at.is_some() {
        let Some(code) = credentials.totp.map(str::trim).filter(|c| !c.is_empty()) else {
            txn.rollback().await?;
            return failed(db, who, Some(&account), Failure::TotpMissing, now).await;
        };
        if !accept(&txn, &account, code, now).await? {
            txn.rollback().await?;
            return failed(db, who, Some(&account), Failure::TotpWrong, now).await;
        }
    }
    // A success clears this address's failures only: guesses from elsewhere still count.
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(username))
        .filter(login_failure::Column::ClientAddr.eq(client))
        .exec(&txn)
        .await?;
    let account = signed_in(&txn, account, client, now).await?;
    let family = uuid::Uuid::new_v4().to_string();
    let pair = issue_pair(&txn, (jwt, security), &account, (family, None), now).await?;
    let summary = match (client, pair.limit) {
        ("", None) => "signed in".to_owned(),
        ("", Some(limit)) => format!("signed in, limited to {limit:?}"),
        (from, None) => format!("signed in from {from}"),
        (from, Some(limit)) => format!("signed in from {from}, limited to {limit:?}"),
    };
    audit::record(
        &txn,
        Some(&actor_of(&account)),
        now,
        audit::AuditAction::Login,
        "user",
        Some(account.id.to_string()),
        summary,
    )
    .await?;
    txn.commit().await?;
    Ok(pair)
}

/// Whether `code` (a TOTP code, or one of the account's unused recovery codes) is
/// accepted for `account` now; an accepted one is spent (its step, or the recovery
/// code), so the same code is refused the next time.
pub async fn accept(
    db: &impl ConnectionTrait,
    account: &user::Model,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let Some(secret) = account.totp_secret.as_deref() else {
        return Ok(false);
    };
    if let Some(step) = totp::matching_step(secret, code, now.timestamp()) {
        // Only a later step than the last one accepted; two sign-ins racing with the same
        // code spend it once.
        let spent = user::Entity::update_many()
            .col_expr(user::Column::TotpLastStep, Expr::value(step))
            .filter(user::Column::Id.eq(account.id))
            .filter(
                Condition::any()
                    .add(user::Column::TotpLastStep.is_null())
                    .add(user::Column::TotpLastStep.lt(step)),
            )
            .exec(db)
            .await?;
        return Ok(spent.rows_affected == 1);
    }
    let Some(normalised) = totp::normalise_recovery_code(code) else {
        return Ok(false);
    };
    let spent = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(now))
        .filter(recovery_code::Column::UserId.eq(account.id))
        .filter(recovery_code::Column::CodeHash.eq(sha256_hex(&normalised)))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(spent.rows_affected == 1)
}

/// The account as an actor (for the audit entry of its own sign-in or sign-out).
pub(crate) fn actor_of(account: &user::Model) -> Actor {
    Actor {
        id: account.id,
        username: account.username.clone(),
        roles: Role::split(&account.roles),
    }
}

/// Moves the latest sign-in to "the one before" and records this one; the failures
/// since the last success become what the owner is shown. A password whose age was
/// never recorded starts its age now.
async fn signed_in(
    db: &impl ConnectionTrait,
    account: user::Model,
    client: &str,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let mut active: user::ActiveModel = account.clone().into();
    active.last_sign_in_at = Set(account.sign_in_at);
    active.last_sign_in_address = Set(account.sign_in_address.clone());
    active.sign_in_at = Set(Some(now));
    active.sign_in_address = Set(Some(client.to_owned()).filter(|c| !c.is_empty()));
    active.failed_sign_ins_since_last = Set(account.failed_sign_ins);
    active.failed_sign_ins = Set(0);
    if account.password_changed_at.is_none() {
        active.password_changed_at = Set(Some(now));
    }
    Ok(active.update(db).await?)
}

/// What the account must do before anything else, if anything. `method`: how the session
/// began — `None` with a password; a provider's id (`oidc`, `wecom`, `dingtalk`) through it
/// (no password of xuefa's was used, so none is asked to change); `oidc+mfa` when the
/// provider's second factor is trusted as the two-factor rule's.
pub fn limit_of(
    security: &Security,
    account: &user::Model,
    method: Option<&str>,
    now: DateTime<Utc>,
) -> Option<Limit> {
    let through_provider = method.is_some();
    let must_change = !through_provider
        && !account.password_exempt
        && ((security.force_password_change && account.password_change_required)
            || security::password_expired(
                security.password_max_age_days,
                account.password_changed_at,
                now,
            ));
    if must_change {
        return Some(Limit::PasswordChange);
    }
    let roles = Role::split(&account.roles);
    let provider_mfa = method == Some("oidc+mfa");
    (security.totp_required(&roles) && account.totp_confirmed_at.is_none() && !provider_mfa)
        .then_some(Limit::TotpEnrollment)
}

/// Starts a session for an account a provider signed in (in the caller's transaction):
/// 上次登录 moves on, and a new token family remembers `method` (`oidc`, `oidc+mfa`).
pub async fn signed_in_by(
    db: &impl ConnectionTrait,
    keys: (&JwtKeys, &Security),
    account: &user::Model,
    (method, client): (&str, &str),
    now: DateTime<Utc>,
) -> AppResult<TokenPair> {
    let account = signed_in(db, account.clone(), client, now).await?;
    let family = uuid::Uuid::new_v4().to_string();
    issue_pair(db, keys, &account, (family, Some(method)), now).await
}

async fn issue_pair(
    db: &impl ConnectionTrait,
    (jwt, security): (&JwtKeys, &Security),
    account: &user::Model,
    (family_id, method): (String, Option<&str>),
    now: DateTime<Utc>,
) -> AppResult<TokenPair> {
    let refresh = random_token();
    refresh_token::ActiveModel {
        user_id: Set(account.id),
        family_id: Set(family_id),
        method: Set(method.map(str::to_owned)),
        token_hash: Set(sha256_hex(&refresh)),
        expires_at: Set(now + Duration::days(REFRESH_TTL_DAYS)),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let limit = limit_of(security, account, method, now);
    let access = jwt.issue(
        account.id,
        &account.username,
        Role::split(&account.roles),
        (now, limit),
    )?;
    Ok(TokenPair {
        access_token: access,
        refresh_token: refresh,
        expires_in: ACCESS_TTL_SECS,
        limit,
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
/// that was already spent revokes the whole family: someone else holds a copy. A token
/// unused for longer than the idle timeout ends its session (401 `session_expired`).
pub async fn refresh(
    db: &DatabaseConnection,
    jwt: &JwtKeys,
    security: &Security,
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
    // Each refresh makes a new token, so a token's age is the session's idle time.
    if stored.created_at + Duration::minutes(security.idle_timeout_minutes as i64) <= now {
        revoke_family(db, &stored.family_id, now).await?;
        return Err(AppError::denied(
            Denial::SessionExpired,
            format!(
                "the session was idle for more than {} minutes; sign in again",
                security.idle_timeout_minutes
            ),
        ));
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
    let family = (stored.family_id.clone(), stored.method.as_deref());
    let pair = issue_pair(&txn, (jwt, security), &account, family, now).await?;
    txn.commit().await?;
    Ok(pair)
}

/// Ends the session the refresh token belongs to (audited). Unknown tokens are ignored;
/// a token of another user is refused.
pub async fn logout(
    db: &DatabaseConnection,
    actor: &Actor,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let hash = sha256_hex(token.trim());
    let stored = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(db)
        .await?;
    let txn = begin_write(db).await?;
    if let Some(stored) = stored {
        crate::policy::authorize_owner(actor, stored.user_id, "that refresh token")?;
        revoke_family(&txn, &stored.family_id, now).await?;
    }
    audit::record(
        &txn,
        Some(actor),
        now,
        audit::AuditAction::Logout,
        "user",
        Some(actor.id.to_string()),
        "signed out",
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Whether `password` is the account's current password or one of the earlier ones
/// kept (together, the last [`security::PASSWORD_HISTORY`]).
async fn recently_used(
    db: &impl ConnectionTrait,
    account: &user::Model,
    password: &str,
) -> AppResult<bool> {
    let earlier = password_history::Entity::find()
        .filter(password_history::Column::UserId.eq(account.id))
        .order_by_desc(password_history::Column::Id)
        .limit(security::PASSWORD_HISTORY as u64 - 1)
        .all(db)
        .await?;
    let hashes = std::iter::once(account.password_hash.clone())
        .chain(earlier.into_iter().map(|h| h.password_hash))
        .filter(|h| h.starts_with("$argon2"));
    for hash in hashes {
        if verify_password(password, Some(&hash)).await {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Replaces an account's password hash (in the caller's transaction): the old hash
/// joins the history (the last few are kept), the age restarts, and
/// `change_required` says whether the owner must change it at the next sign-in (someone
/// else set it).
pub async fn set_password_hash(
    db: &impl ConnectionTrait,
    account: &user::Model,
    hash: String,
    change_required: bool,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    keep_in_history(db, account, now).await?;
    let mut active: user::ActiveModel = account.clone().into();
    active.password_hash = Set(hash);
    active.password_changed_at = Set(Some(now));
    active.password_change_required = Set(change_required);
    active.updated_at = Set(now);
    Ok(active.update(db).await?)
}

/// Keeps the account's current password hash among its earlier ones (the last few) before
/// it is replaced.
pub async fn keep_in_history(
    db: &impl ConnectionTrait,
    account: &user::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if account.password_hash.starts_with("$argon2") {
        password_history::ActiveModel {
            user_id: Set(account.id),
            password_hash: Set(account.password_hash.clone()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let keep: Vec<i64> = password_history::Entity::find()
            .select_only()
            .column(password_history::Column::Id)
            .filter(password_history::Column::UserId.eq(account.id))
            .order_by_desc(password_history::Column::Id)
            .limit(security::PASSWORD_HISTORY as u64 - 1)
            .into_tuple()
            .all(db)
            .await?;
        password_history::Entity::delete_many()
            .filter(password_history::Column::UserId.eq(account.id))
            .filter(password_history::Column::Id.is_not_in(keep))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Changes the caller's own password (every rule, and none of the last five) and signs
/// out every session; the caller signs in again with the new one.
pub async fn change_password(
    db: &DatabaseConnection,
    security: &Security,
    actor: &Actor,
    (current, new): (&str, &str),
    now: DateTime<Utc>,
) -> AppResult<()> {
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
    let mut errors = security::password_errors(
        security.password_min_length,
        "new_password",
        new,
        Some(&account.username),
    );
    if errors.is_empty() && recently_used(db, &account, new).await? {
        errors.push(security::reused_error("new_password"));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid_many(errors));
    }
    let hash = hash_password(new).await?;
    let txn = begin_write(db).await?;
    set_password_hash(&txn, &account, hash, false, now).await?;
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

/// Lifts the login throttle on an account (every address), audited.
pub async fn unlock(
    db: &DatabaseConnection,
    actor: &Actor,
    account: &user::Model,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let txn = begin_write(db).await?;
    let lifted = login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(&account.username))
        .exec(&txn)
        .await?
        .rows_affected;
    audit::record(
        &txn,
        Some(actor),
        now,
        audit::AuditAction::Unlock,
        "user",
        Some(account.id.to_string()),
        format!(
            "sign-in unlocked for {} ({lifted} failures cleared)",
            account.username
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(lifted)
}
