//! Who may do what. Every operation asks here; no handler or service keeps a role list
//! of its own. Roles come from the table in docs/RULES.md: `admin` does everything, `hr` keeps the
//! roster and the campaign, `judicial` records activities and the annual summary,
//! `cadre` studies and sits the exam. One account may hold several roles.

mod scope;

pub use scope::{Scope, scope_of};
pub(crate) use scope::{subtree_in, unit_tree};

use crate::{
    auth::{Actor, Role},
    error::{AppError, AppResult},
};

/// What an operation does, in the terms the policy decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See and change one's own account (profile, password, sign-out).
    UseOwnAccount,
    /// Read the unit tree, the courses and the campaigns one may see.
    ReadCatalogue,
    /// Create, change or delete units.
    ManageUnits,
    /// Create, change or import accounts (their details); list them.
    ManageAccounts,
    /// List and read accounts.
    ReadAccounts,
    /// Change accounts' roles and scopes (a security administrator's work).
    ManageGrants,
    /// Give an account a one-time password.
    ResetPasswords,
    /// Lift a sign-in lock, reset another's second factor.
    ManageSecurity,
    /// Create or change courses.
    ManageCourses,
    /// Create or change campaigns, enroll, exempt (免考), read the roster.
    ManageCampaigns,
    /// Keep the question bank.
    ManageQuestions,
    /// List and export everyone's exam attempts.
    ReadAttempts,
    /// The four rates and the missing lists.
    ReadTargets,
    /// Remind those missing a target.
    RemindMembers,
    /// Upload one's own study sessions.
    LogStudy,
    /// Start, answer and submit one's own exam attempts.
    SitExam,
    /// Record, change or delete activities.
    RecordActivities,
    /// List activities, their statistics and the annual summary.
    ReadActivities,
    /// Keep the judicial office's other ledgers (mediation, legal services, screenings,
    /// petitions, inspections): record, change, delete, import.
    RecordLedgers,
    /// Read those ledgers.
    ReadLedgers,
    /// Record, change, delete and import leading cadres' 述职述法 (HR keeps them too).
    RecordLawReports,
    /// Freeze the year's annual summary (存档).
    ArchiveYear,
    /// The audit log.
    ReadAuditLog,
}

impl Action {
    /// The roles that may do it (holding any one is enough).
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::UseOwnAccount => &[Admin, Hr, Judicial, Cadre, Sysadmin, Secadmin, Auditor],
            Action::ReadCatalogue => &[Admin, Hr, Judicial, Cadre, Sysadmin, Secadmin],
            Action::ManageUnits | Action::ManageAccounts => &[Admin, Hr, Sysadmin],
            Action::ReadAccounts => &[Admin, Hr, Sysadmin, Secadmin],
            Action::ManageGrants | Action::ResetPasswords => &[Admin, Hr, Secadmin],
            Action::ManageSecurity => &[Admin, Secadmin],
            Action::ManageCourses
            | Action::ManageCampaigns
            | Action::ManageQuestions
            | Action::ReadAttempts
            | Action::ReadTargets
            | Action::RemindMembers => MANAGERS,
            Action::LogStudy | Action::SitExam => &[Cadre],
            Action::RecordActivities => &[Admin, Judicial],
            Action::ReadActivities => &[Admin, Judicial, Hr],
            Action::RecordLedgers | Action::ArchiveYear => &[Admin, Judicial],
            Action::ReadLedgers | Action::RecordLawReports => &[Admin, Judicial, Hr],
            Action::ReadAuditLog => &[Admin, Auditor],
        }
    }
}

/// The roles that manage people (the roster, others' records).
const MANAGERS: &[Role] = &[Role::Admin, Role::Hr];

/// Passes when the actor may do `action`.
pub fn authorize(actor: &Actor, action: Action) -> AppResult<()> {
    let roles = action.roles();
    if roles.iter().any(|r| actor.has(*r)) {
        return Ok(());
    }
    let names: Vec<_> = roles.iter().map(|r| r.key()).collect();
    Err(AppError::forbidden(format!(
        "requires one of the roles: {}",
        names.join(", ")
    )))
}

/// Passes when the actor may do `action`, and gives the scope they may do it within.
pub async fn authorize_in_scope(
    db: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    action: Action,
) -> AppResult<Scope> {
    authorize(actor, action)?;
    scope_of(db, actor).await
}

/// Whether the actor manages people: reads anyone's progress, sessions and attempts.
pub fn manages_people(actor: &Actor) -> bool {
    MANAGERS.iter().any(|r| actor.has(*r))
}

/// A person's own records (progress, study sessions, attempts): themself, or a manager.
pub fn authorize_records_of(actor: &Actor, owner_id: i64, what: &str) -> AppResult<()> {
    if owner_id == actor.id || manages_people(actor) {
        Ok(())
    } else {
        Err(AppError::forbidden(format!("{what} of another person")))
    }
}

/// Something only its owner may change (an attempt's answers, a refresh token).
pub fn authorize_owner(actor: &Actor, owner_id: i64, what: &str) -> AppResult<()> {
    if owner_id == actor.id {
        Ok(())
    } else {
        Err(AppError::forbidden(format!("{what} is not yours")))
    }
}

/// Whether the actor sees only the campaigns they are enrolled in (a plain cadre).
pub fn sees_only_own_campaigns(actor: &Actor) -> bool {
    !(actor.has(Role::Admin) || actor.has(Role::Hr) || actor.has(Role::Judicial))
}

/// Who grants what: `admin` anything; a security administrator any role; HR the roles
/// of the roster (cadre, hr, judicial) and never to or on an administrator's account; a
/// system administrator makes and edits accounts but grants no role beyond `cadre`.
pub fn authorize_role_grant(
    actor: &Actor,
    target_current: Option<&[Role]>,
    new_roles: Option<&[Role]>,
) -> AppResult<()> {
    if actor.is_admin() || actor.has(Role::Secadmin) {
        return Ok(());
    }
    let administrator = |roles: &[Role]| roles.iter().any(|r| r.is_administrator());
    if target_current.is_some_and(administrator) && !actor.has(Role::Sysadmin) {
        return Err(AppError::forbidden(
            "only an administrator can change an administrator's account",
        ));
    }
    if new_roles.is_some_and(administrator) {
        return Err(AppError::forbidden(
            "only a security administrator (or admin) can grant an administrator role",
        ));
    }
    let grants_more_than_cadre = new_roles.is_some_and(|r| r.iter().any(|r| *r != Role::Cadre));
    let changes_roles = match (target_current, new_roles) {
        (Some(current), Some(new)) => Role::join(current) != Role::join(new),
        (None, Some(_)) => grants_more_than_cadre,
        _ => false,
    };
    if changes_roles && !actor.has(Role::Hr) {
        return Err(AppError::forbidden(
            "roles are granted by a security administrator (or HR for the roster's roles)",
        ));
    }
    Ok(())
}

/// With separation of duties on, no account holds two of `sysadmin`, `secadmin` and
/// `auditor`, nor one of them with `admin`, nor `admin` at all (422
/// `separation_of_duties`).
pub fn check_separation(
    security: &crate::security::Security,
    field: &str,
    roles: &[Role],
) -> AppResult<()> {
    if !security.separation_of_duties {
        return Ok(());
    }
    let held: Vec<Role> = roles
        .iter()
        .copied()
        .filter(|r| r.is_administrator())
        .collect();
    if held.len() > 1 || held.contains(&Role::Admin) {
        let names: Vec<String> = held.iter().map(|r| r.key().to_owned()).collect();
        return Err(AppError::invalid(
            crate::error::FieldError::new(
                field,
                crate::error::Code::SeparationOfDuties,
                "with separation of duties, sysadmin, secadmin and auditor are three \
                 accounts, and admin is not used",
            )
            .with(|p| p.values = Some(names)),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            id: 7,
            username: "someone".into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn each_role_may_do_exactly_its_work() {
        use Action::*;
        let table: &[(Role, &[Action])] = &[
            (
                Role::Cadre,
                &[UseOwnAccount, ReadCatalogue, LogStudy, SitExam],
            ),
            (
                Role::Hr,
                &[
                    UseOwnAccount,
                    ReadCatalogue,
                    ManageUnits,
                    ManageAccounts,
                    ManageCourses,
                    ManageCampaigns,
                    ManageQuestions,
                    ReadAttempts,
                    ReadTargets,
                    RemindMembers,
                    ReadActivities,
                    ReadLedgers,
                    RecordLawReports,
                ],
            ),
            (
                Role::Judicial,
                &[
                    UseOwnAccount,
                    ReadCatalogue,
                    RecordActivities,
                    ReadActivities,
                    RecordLedgers,
                    ReadLedgers,
                    RecordLawReports,
                    ArchiveYear,
                ],
            ),
        ];
        let all = [
            UseOwnAccount,
            ReadCatalogue,
            ManageUnits,
            ManageAccounts,
            ManageCourses,
            ManageCampaigns,
            ManageQuestions,
            ReadAttempts,
            ReadTargets,
            RemindMembers,
            LogStudy,
            SitExam,
            RecordActivities,
            ReadActivities,
            RecordLedgers,
            ReadLedgers,
            RecordLawReports,
            ArchiveYear,
            ReadAuditLog,
        ];
        for (role, allowed) in table {
            for action in all {
                let ok = authorize(&actor(&[*role]), action).is_ok();
                assert_eq!(ok, allowed.contains(&action), "{role:?} {action:?}");
            }
        }
        // The administrator does everything but study and sit the exam as a cadre.
        for action in all {
            let ok = authorize(&actor(&[Role::Admin]), action).is_ok();
            assert_eq!(ok, !matches!(action, LogStudy | SitExam), "{action:?}");
        }
    }

    #[test]
    fn several_roles_add_up() {
        let hr_cadre = actor(&[Role::Hr, Role::Cadre]);
        assert!(authorize(&hr_cadre, Action::SitExam).is_ok());
        assert!(authorize(&hr_cadre, Action::ReadTargets).is_ok());
        assert!(authorize(&hr_cadre, Action::RecordActivities).is_err());
    }

    #[test]
    fn own_records_or_a_manager() {
        let cadre = actor(&[Role::Cadre]);
        assert!(authorize_records_of(&cadre, 7, "progress").is_ok());
        assert!(authorize_records_of(&cadre, 8, "progress").is_err());
        assert!(authorize_records_of(&actor(&[Role::Hr]), 8, "progress").is_ok());
        assert!(authorize_records_of(&actor(&[Role::Judicial]), 8, "progress").is_err());
    }

    #[test]
    fn only_the_owner_changes_their_own() {
        let cadre = actor(&[Role::Cadre]);
        assert!(authorize_owner(&cadre, 7, "the attempt").is_ok());
        assert!(authorize_owner(&cadre, 8, "the attempt").is_err());
        // Not even a manager answers someone else's exam.
        assert!(authorize_owner(&actor(&[Role::Admin, Role::Hr]), 8, "the attempt").is_err());
    }

    #[test]
    fn hr_cannot_make_or_touch_an_admin() {
        let hr = actor(&[Role::Hr]);
        assert!(authorize_role_grant(&hr, Some(&[Role::Cadre]), Some(&[Role::Hr])).is_ok());
        assert!(authorize_role_grant(&hr, None, Some(&[Role::Admin])).is_err());
        assert!(authorize_role_grant(&hr, Some(&[Role::Admin]), None).is_err());
        let admin = actor(&[Role::Admin]);
        assert!(authorize_role_grant(&admin, Some(&[Role::Admin]), Some(&[Role::Admin])).is_ok());
    }

    #[test]
    fn only_plain_cadres_see_only_their_campaigns() {
        assert!(sees_only_own_campaigns(&actor(&[Role::Cadre])));
        assert!(!sees_only_own_campaigns(&actor(&[
            Role::Cadre,
            Role::Judicial
        ])));
    }
}
