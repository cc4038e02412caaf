//! Two factors (RFC 6238 TOTP): enrolment with recovery codes, the check at sign-in
//! (a code is accepted once), removal by the owner, and a reset by a security
//! administrator.

use chrono::{DateTime, Utc};
use entity::{recovery_code, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};

use super::{
    audit,
    auth::{accept, revoke_user_tokens},
    begin_write,
};
use crate::{
    auth::{Actor, sha256_hex},
    error::{AppError, AppResult, Clash, Code, FieldError},
    security::totp,
};

/// What the owner scans to enrol: the secret, its `otpauth://` URI, and the URI as a QR
/// code (SVG).
pub struct Enrolment {
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

async fn own_account(db: &impl ConnectionTrait, actor: &Actor) -> AppResult<user::Model> {
    user::Entity::find_by_id(actor.id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Unauthorized("the account no longer exists".into()))
}

/// Starts (or restarts) enrolment: a new secret, not in force until confirmed.
pub async fn begin(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<Enrolment> {
    let account = own_account(db, actor).await?;
    if account.totp_confirmed_at.is_some() {
        return Err(AppError::conflict(
            Clash::TotpEnabled,
            "this account already has a second factor; remove it first to enrol another",
        ));
    }
    let secret = totp::new_secret();
    let mut active: user::ActiveModel = account.into();
    active.totp_secret = Set(Some(secret.clone()));
    active.totp_last_step = Set(None);
    active.updated_at = Set(now);
    active.update(db).await?;
    let otpauth_uri = totp::otpauth_uri(&secret, &actor.username);
    Ok(Enrolment {
        qr_svg: totp::qr_svg(&otpauth_uri),
        otpauth_uri,
        secret,
    })
}

fn wrong_code() -> AppError {
    AppError::invalid(FieldError::new(
        "code",
        Code::WrongCode,
        "the code is wrong, outside its 30-second window, or was already used",
    ))
}

/// Confirms enrolment with a first code: the second factor is in force from now, and
/// the ten recovery codes are returned once (stored only hashed).
pub async fn confirm(
    db: &DatabaseConnection,
    actor: &Actor,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<String>> {
    let txn = begin_write(db).await?;
    let account = own_account(&txn, actor).await?;
    if account.totp_confirmed_at.is_some() {
        return Err(AppError::conflict(
            Clash::TotpEnabled,
            "this account already has a second factor",
        ));
    }
    let Some(secret) = account.totp_secret.clone() else {
        return Err(AppError::conflict(
            Clash::TotpNotStarted,
            "start enrolment first (POST /api/v1/me/totp)",
        ));
    };
    let Some(step) = totp::matching_step(&secret, code, now.timestamp()) else {
        return Err(wrong_code());
    };
    let mut active: user::ActiveModel = account.into();
    active.totp_confirmed_at = Set(Some(now));
    active.totp_last_step = Set(Some(step));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let codes = totp::recovery_codes();
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(actor.id))
        .exec(&txn)
        .await?;
    recovery_code::Entity::insert_many(codes.iter().map(|c| recovery_code::ActiveModel {
        user_id: Set(actor.id),
        code_hash: Set(sha256_hex(c)),
        used_at: Set(None),
        ..Default::default()
    }))
    .exec(&txn)
    .await?;
    audit::record(
        &txn,
        Some(actor),
        now,
        audit::AuditAction::TotpEnable,
        "user",
        Some(actor.id.to_string()),
        "second factor (TOTP) enrolled; 10 recovery codes issued",
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

/// Clears an account's second factor and recovery codes (in the caller's transaction).
async fn clear(
    db: &impl ConnectionTrait,
    account: user::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let id = account.id;
    let mut active: user::ActiveModel = account.into();
    active.totp_secret = Set(None);
    active.totp_confirmed_at = Set(None);
    active.totp_last_step = Set(None);
    active.updated_at = Set(now);
    active.update(db).await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The owner removes their second factor, proving it with a current code.
pub async fn remove(
    db: &DatabaseConnection,
    actor: &Actor,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let account = own_account(&txn, actor).await?;
    if account.totp_confirmed_at.is_none() {
        return Err(AppError::conflict(
            Clash::TotpNotEnabled,
            "this account has no second factor",
        ));
    }
    if !accept(&txn, &account, code, now).await? {
        return Err(wrong_code());
    }
    clear(&txn, account, now).await?;
    audit::record(
        &txn,
        Some(actor),
        now,
        audit::AuditAction::TotpDisable,
        "user",
        Some(actor.id.to_string()),
        "own second factor removed",
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A security administrator clears another account's second factor (a lost phone):
/// its sessions end, and it enrols again at its next sign-in if its role requires it.
pub async fn reset(
    db: &DatabaseConnection,
    actor: &Actor,
    account: user::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let (id, username) = (account.id, account.username.clone());
    let had = account.totp_confirmed_at.is_some();
    clear(&txn, account, now).await?;
    revoke_user_tokens(&txn, id, now).await?;
    audit::record(
        &txn,
        Some(actor),
        now,
        audit::AuditAction::TotpReset,
        "user",
        Some(id.to_string()),
        format!(
            "second factor of {username} reset{}",
            if had { "" } else { " (none was enrolled)" }
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
