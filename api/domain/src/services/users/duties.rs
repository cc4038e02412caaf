//! Separation of duties (三权分立): moving an installation from one `admin` to a system
//! administrator, a security administrator and an auditor, and the check that an
//! installation with `XUEFA_SEPARATION_OF_DUTIES=1` holds no account with two of them.

use chrono::{DateTime, Utc};
use entity::user;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

use crate::{
    auth::{Actor, Role, hash_password},
    error::{AppError, AppResult},
    services::{audit, auth::revoke_user_tokens, begin_write},
};

/// The accounts that separation of duties does not allow: holding `admin`, or two of
/// `sysadmin`, `secadmin`, `auditor`.
pub async fn violations(db: &DatabaseConnection) -> AppResult<Vec<String>> {
    let accounts = user::Entity::find().all(db).await?;
    Ok(accounts
        .into_iter()
        .filter(|u| violates(&Role::split(&u.roles)))
        .map(|u| u.username)
        .collect())
}

fn violates(roles: &[Role]) -> bool {
    let held = roles.iter().filter(|r| r.is_administrator()).count();
    roles.contains(&Role::Admin) || held > 1
}

/// What [`separate`] did.
#[derive(Debug, Default)]
pub struct Separation {
    /// Accounts that held `admin` and now hold `sysadmin` instead.
    pub converted: Vec<String>,
    /// Accounts made for the missing duties, with their one-time passwords.
    pub created: Vec<(String, Role, String)>,
}

/// Gives every `admin` account `sysadmin` in place of `admin` (their password, second
/// factor and other roles stay: nobody is locked out), and makes a `secadmin` and an
/// `auditor` account when none holds those roles, each with a one-time password to be
/// changed at its first sign-in. Refuses when an account already holds two of the three
/// (a person must choose which it keeps). Idempotent; every change audited.
pub async fn separate(
    db: &DatabaseConnection,
    (secadmin, auditor): (&str, &str),
    now: DateTime<Utc>,
) -> AppResult<Separation> {
    let txn = begin_write(db).await?;
    let accounts = user::Entity::find().all(&txn).await?;
    let tangled: Vec<&str> = accounts
        .iter()
        .filter(|u| {
            let roles = Role::split(&u.roles);
            roles
                .iter()
                .filter(|r| r.is_administrator() && **r != Role::Admin)
                .count()
                > 1
        })
        .map(|u| u.username.as_str())
        .collect();
    if !tangled.is_empty() {
        return Err(AppError::forbidden(format!(
            "these accounts hold two of sysadmin, secadmin, auditor; take one away first: {}",
            tangled.join(", ")
        )));
    }
    let cli = Actor {
        id: 0,
        username: "cli".into(),
        roles: vec![Role::Admin],
    };
    let mut done = Separation::default();
    for account in accounts
        .iter()
        .filter(|u| Role::split(&u.roles).contains(&Role::Admin))
    {
        let mut roles: Vec<Role> = Role::split(&account.roles)
            .into_iter()
            .filter(|r| *r != Role::Admin)
            .collect();
        if !roles.iter().any(|r| r.is_administrator()) {
            roles.push(Role::Sysadmin);
        }
        let joined = Role::join(&roles);
        let mut active: user::ActiveModel = account.clone().into();
        active.roles = Set(joined.clone());
        active.updated_at = Set(now);
        active.update(&txn).await?;
        revoke_user_tokens(&txn, account.id, now).await?;
        audit::record(
            &txn,
            Some(&cli),
            now,
            audit::AuditAction::SeparateDuties,
            "user",
            Some(account.id.to_string()),
            format!("roles {} → {joined} (separation of duties)", account.roles),
        )
        .await?;
        done.converted.push(account.username.clone());
    }
    for (role, username) in [(Role::Secadmin, secadmin), (Role::Auditor, auditor)] {
        let held = accounts
            .iter()
            .any(|u| Role::split(&u.roles).contains(&role));
        if held {
            continue;
        }
        let password = super::one_time_password();
        let created = user::ActiveModel {
            username: Set(username.to_owned()),
            password_hash: Set(hash_password(&password).await?),
            name: Set(role.chinese().to_owned()),
            roles: Set(Role::join(&[role])),
            is_leader: Set(false),
            active: Set(true),
            password_changed_at: Set(Some(now)),
            password_change_required: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            Some(&cli),
            now,
            audit::AuditAction::SeparateDuties,
            "user",
            Some(created.id.to_string()),
            format!(
                "{} account {username} created (separation of duties)",
                role.key()
            ),
        )
        .await?;
        done.created.push((username.to_owned(), role, password));
    }
    txn.commit().await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_or_two_administrator_roles_violate() {
        assert!(violates(&[Role::Admin]));
        assert!(violates(&[Role::Sysadmin, Role::Auditor]));
        assert!(!violates(&[Role::Sysadmin, Role::Hr]));
        assert!(!violates(&[Role::Cadre]));
    }
}
