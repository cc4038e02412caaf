//! The domain's vocabularies as the API spells them. Each mirrors a domain enum
//! (`remote`), so the domain stays free of HTTP while the spec lists every value; `From`
//! converts both ways. What each value means is said once, at the domain enum, and its
//! Chinese name is served by `GET /api/v1/vocabularies`.

use poem_openapi::Enum;

/// What an account may do. One account may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "domain::auth::Role", rename_all = "lowercase")]
pub enum Role {
    Admin,
    Hr,
    Judicial,
    Cadre,
    Sysadmin,
    Secadmin,
    Auditor,
}

/// What kind of body a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "domain::services::units::UnitKind", rename_all = "lowercase")]
pub enum UnitKind {
    District,
    Street,
    Department,
    Community,
    Village,
    School,
    Enterprise,
    Other,
}

/// What an activity was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::activities::ActivityKind",
    rename_all = "snake_case"
)]
pub enum ActivityKind {
    Publicity,
    Training,
}

/// Where the law went (法律"六进").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::activities::Venue",
    rename_all = "snake_case"
)]
pub enum Venue {
    Organ,
    Village,
    Community,
    School,
    Enterprise,
    Unit,
}

/// The theme of an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::activities::Theme",
    rename_all = "snake_case"
)]
pub enum Theme {
    ConstitutionDay,
    CivilCode,
    NationalSecurityDay,
    AntiDrugDay,
    SafetyMonth,
    FireSafety,
    StabilityMonth,
    Other,
}

/// Whom an activity was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::activities::Audience",
    rename_all = "snake_case"
)]
pub enum Audience {
    Public,
    Cadres,
    Students,
    EnforcementStaff,
    Mediators,
    LegalWorkers,
}

/// The level an activity was organised at, from its organiser unit's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::activities::OrganizerLevel",
    rename_all = "snake_case"
)]
pub enum OrganizerLevel {
    Street,
    Community,
    Other,
}

/// How to group statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::activities::GroupBy",
    rename_all = "snake_case"
)]
pub enum GroupBy {
    OrganizerLevel,
    Venue,
    Theme,
    Audience,
    Kind,
    Month,
}

/// One of the four targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "domain::services::targets::Target", rename_all = "lowercase")]
pub enum Target {
    Participation,
    Study,
    Exam,
    Pass,
}

/// The kind of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::questions::QuestionKind",
    rename_all = "lowercase"
)]
pub enum QuestionKind {
    Single,
    Multiple,
    Judge,
}

/// The state of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::exam::AttemptStatus",
    rename_all = "lowercase"
)]
pub enum AttemptStatus {
    Open,
    Submitted,
    Expired,
}

/// Where a study session's minutes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "entity::vocabulary::StudySource", rename_all = "snake_case")]
pub enum StudySource {
    Live,
    SelfReported,
}

/// Where a live study session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "entity::vocabulary::LiveState", rename_all = "lowercase")]
pub enum LiveState {
    Running,
    Ended,
}

/// Which window an attempt belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::exam::AttemptKind",
    rename_all = "lowercase"
)]
pub enum AttemptKind {
    Main,
    Makeup,
}

/// Whom a paper (组卷) is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::papers::PaperAudience",
    rename_all = "lowercase"
)]
pub enum PaperAudience {
    Leaders,
    Others,
    All,
}

/// Which bank a question belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::questions::QuestionPool",
    rename_all = "lowercase"
)]
pub enum QuestionPool {
    Exam,
    Practice,
}

/// A finished score's grade (成绩等级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "domain::scoring::Grade", rename_all = "lowercase")]
pub enum Grade {
    Excellent,
    Good,
    Pass,
    Fail,
}

/// Converts a list of one vocabulary into the other.
pub fn all<A: Into<B>, B>(values: Vec<A>) -> Vec<B> {
    values.into_iter().map(Into::into).collect()
}

/// A record's level, from its unit's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "domain::services::ledgers::Level", rename_all = "snake_case")]
pub enum Level {
    Street,
    Community,
    Village,
    Other,
}

/// What a mediated dispute was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::MediationCategory",
    rename_all = "snake_case"
)]
pub enum MediationCategory {
    Family,
    Neighbour,
    Property,
    Labour,
    Contract,
    Land,
    Other,
}

/// How a mediation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::MediationResult",
    rename_all = "snake_case"
)]
pub enum MediationResult {
    Settled,
    Unsettled,
    Pending,
}

/// A kind of public legal service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::LegalServiceKind",
    rename_all = "snake_case"
)]
pub enum LegalServiceKind {
    LawyerDuty,
    Consultation,
    LegalAid,
}

/// What a consultation was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::LegalTopic",
    rename_all = "snake_case"
)]
pub enum LegalTopic {
    MarriageFamily,
    Inheritance,
    Contract,
    Labour,
    Other,
}

/// The field of an enforcement inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::InspectionField",
    rename_all = "snake_case"
)]
pub enum InspectionField {
    Safety,
    City,
    Other,
}

/// How delivering a notice to the gateway has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::outbox::DeliveryStatus",
    rename_all = "snake_case"
)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

/// What a task of the 任务分解表 is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::LawTaskCategory",
    rename_all = "snake_case"
)]
pub enum LawTaskCategory {
    Leadership,
    Decision,
    Enforcement,
    Publicity,
    Disputes,
    Other,
}

/// How far a task has got (`done` needs `done_on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::LawTaskStatus",
    rename_all = "snake_case"
)]
pub enum LawTaskStatus {
    Planned,
    InProgress,
    Done,
}

/// What kind of major administrative decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::DecisionCategory",
    rename_all = "snake_case"
)]
pub enum DecisionCategory {
    MajorMatter,
    CadreAppointment,
    MajorProject,
    LargeFund,
    Other,
}

/// Who reviewed a decision's legality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::Reviewer",
    rename_all = "snake_case"
)]
pub enum Reviewer {
    LegalAdviser,
    PublicLawyer,
    LegalityReviewer,
    Expert,
}

/// What the legality review found (`unlawful`: may not be adopted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::ReviewResult",
    rename_all = "snake_case"
)]
pub enum ReviewResult {
    Lawful,
    LawfulAfterChanges,
    Unlawful,
}

/// A legal adviser (法律顾问) or a public lawyer (公职律师).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::AdviserKind",
    rename_all = "snake_case"
)]
pub enum AdviserKind {
    LegalAdviser,
    PublicLawyer,
}

/// How a 述职述法 was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::ReportForm",
    rename_all = "snake_case"
)]
pub enum ReportForm {
    Written,
    OnSite,
}

/// How a 述职述法 was rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::ReportRating",
    rename_all = "snake_case"
)]
pub enum ReportRating {
    Excellent,
    Good,
    Fair,
    Poor,
}

/// Whether a duty of the 普法责任清单 has been carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::DutyStatus",
    rename_all = "snake_case"
)]
pub enum DutyStatus {
    Planned,
    Done,
}

/// Why an attempt finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::exam::FinishedReason",
    rename_all = "snake_case"
)]
pub enum FinishedReason {
    Submitted,
    Deadline,
    FocusLimit,
}

/// Something the exam page reports: the page lost focus (`blur`), came back (`focus`),
/// left full screen (`fullscreen_exit`), or had text pasted (`paste`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::exam::AttemptEventKind",
    rename_all = "snake_case"
)]
pub enum AttemptEventKind {
    Blur,
    Focus,
    FullscreenExit,
    Paste,
}
