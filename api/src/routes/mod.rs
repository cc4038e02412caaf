//! The HTTP contract: one file per resource. Handlers extract, call a service, map.

// A list operation takes one argument per query parameter; that is how poem-openapi
// documents them.
#![allow(clippy::too_many_arguments)]

pub mod activities;
pub mod archives;
pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod courses;
pub mod exam;
pub mod exam_fairness;
pub mod health;
pub mod ledgers;
pub mod live;
pub mod material;
pub mod notices;
pub mod practice;
pub mod study;
pub mod targets;
pub mod units;
pub mod users;
pub mod vocabularies;

use poem_openapi::Tags;

/// Groups of operations in the spec.
#[derive(Tags)]
pub enum ApiTags {
    /// Login, token refresh, logout, own profile.
    Auth,
    /// The organisation tree (街道 → 科室, 社区, 村…).
    Units,
    /// Accounts and the roster import.
    Users,
    /// Courses of study.
    Courses,
    /// Annual campaigns, their roster (enrollment, 免考) and progress.
    Campaigns,
    /// Study sessions uploaded by the mobile app.
    Study,
    /// The online exam: question bank and attempts.
    Exam,
    /// The four 100% targets (四个100%) and who is missing.
    Targets,
    /// Law-publicity events, trainings, statistics and the annual summary.
    Activities,
    /// The judicial office's other ledgers: mediation, legal services, dispute screenings,
    /// petitions, enforcement inspections.
    Ledgers,
    /// The rest of the 法治政府建设 report: the 任务分解表, legality reviews of major
    /// decisions, legal advisers and public lawyers, 述职述法, the 普法责任清单.
    LawRecords,
    /// Who changed what (admins only).
    Audit,
    /// Liveness and readiness.
    Ops,
    /// The Chinese names of every closed list of values.
    Vocabularies,
}

/// Records that `actor` read or exported `rows` rows about people (see
/// `services::audit::disclosed`).
pub async fn disclosed(
    state: &domain::state::AppState,
    actor: &domain::auth::Actor,
    disclosed: domain::services::audit::Disclosed<'_>,
) -> Result<(), crate::error::ApiError> {
    domain::services::audit::disclosed(&state.db, actor, state.clock.now(), disclosed).await?;
    Ok(())
}
