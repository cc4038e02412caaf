//! The domain's vocabularies as the API spells them. Each mirrors a domain enum
//! (`remote`), so the domain stays free of HTTP while the spec lists every value with
//! its Chinese name; `From` converts both ways.

use poem_openapi::Enum;

/// What an account may do. One account may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "domain::auth::Role", rename_all = "lowercase")]
pub enum Role {
    /// 系统管理员: everything, including accounts of any role and the audit log.
    Admin,
    /// 组织人事: the roster, campaigns, question bank, rates.
    Hr,
    /// 司法所: publicity events, trainings, the annual summary.
    Judicial,
    /// 干部职工: studies and sits the exam.
    Cadre,
}

/// What kind of body a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "domain::services::units::UnitKind", rename_all = "lowercase")]
pub enum UnitKind {
    /// 街道办事处
    Street,
    /// 科室 / 部门
    Department,
    /// 社区
    Community,
    /// 村
    Village,
    /// 学校
    School,
    /// 企业
    Enterprise,
    /// 其他
    Other,
}

/// What an activity was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::activities::ActivityKind",
    rename_all = "snake_case"
)]
pub enum ActivityKind {
    /// 普法宣传活动
    Publicity,
    /// 法治学习 / 培训
    Training,
}

/// Where the law went (法律"六进").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::activities::Venue",
    rename_all = "snake_case"
)]
pub enum Venue {
    /// 进机关
    Organ,
    /// 进乡村
    Village,
    /// 进社区
    Community,
    /// 进学校
    School,
    /// 进企业
    Enterprise,
    /// 进单位
    Unit,
}

/// The theme of an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::activities::Theme",
    rename_all = "snake_case"
)]
pub enum Theme {
    /// 12·4国家宪法日
    ConstitutionDay,
    /// 民法典
    CivilCode,
    /// 4·15全民国家安全教育日
    NationalSecurityDay,
    /// 6·26国际禁毒日
    AntiDrugDay,
    /// 安全生产月
    SafetyMonth,
    /// 119消防
    FireSafety,
    /// 综治维稳宣传月
    StabilityMonth,
    /// 其他
    Other,
}

/// Whom an activity was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::activities::Audience",
    rename_all = "snake_case"
)]
pub enum Audience {
    /// 群众
    Public,
    /// 干部
    Cadres,
    /// 学生
    Students,
    /// 执法人员
    EnforcementStaff,
    /// 人民调解员
    Mediators,
    /// 法律工作者
    LegalWorkers,
}

/// The level an activity was organised at, from its organiser unit's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::activities::OrganizerLevel",
    rename_all = "snake_case"
)]
pub enum OrganizerLevel {
    /// 街道: a street or department unit.
    Street,
    /// 村居社区: a community or village unit.
    Community,
    /// Any other unit.
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
    /// 参与率: at least one study session or exam attempt.
    Participation,
    /// 学习率: study complete.
    Study,
    /// 考试率: at least one finished attempt.
    Exam,
    /// 合格率: best finished score ≥ the pass score.
    Pass,
}

/// The kind of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::questions::QuestionKind",
    rename_all = "lowercase"
)]
pub enum QuestionKind {
    /// 单选: exactly one right option.
    Single,
    /// 多选: one or more right options; only the exact set earns the points.
    Multiple,
    /// 判断: two options (正确 / 错误), one right.
    Judge,
}

/// The state of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::exam::AttemptStatus",
    rename_all = "lowercase"
)]
pub enum AttemptStatus {
    /// Running: answers can be saved until the deadline.
    Open,
    /// Submitted and graded.
    Submitted,
    /// The deadline passed; graded with the answers saved before it.
    Expired,
}

/// Which window an attempt belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::exam::AttemptKind",
    rename_all = "lowercase"
)]
pub enum AttemptKind {
    /// The main exam window.
    Main,
    /// 补考: the make-up window.
    Makeup,
}

/// Whom a paper (组卷) is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::papers::PaperAudience",
    rename_all = "lowercase"
)]
pub enum PaperAudience {
    /// 领导干部: cadres with `is_leader`.
    Leaders,
    /// Everyone else.
    Others,
    /// Every cadre.
    All,
}

/// Which bank a question belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::questions::QuestionPool",
    rename_all = "lowercase"
)]
pub enum QuestionPool {
    /// 考试题库: drawn into exam attempts, never shown in practice.
    Exam,
    /// 练习题库: practice only, never drawn into an exam.
    Practice,
}

/// A finished score's grade (成绩等级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "domain::scoring::Grade", rename_all = "lowercase")]
pub enum Grade {
    /// 优秀: at least the campaign's excellent score.
    Excellent,
    /// 良好: at least the good score.
    Good,
    /// 合格: at least the pass score.
    Pass,
    /// 不合格
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
    /// 街道: a street or department unit.
    Street,
    /// 社区: a community.
    Community,
    /// 村居: a village.
    Village,
    /// Any other unit.
    Other,
}

/// What a mediated dispute was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::MediationCategory",
    rename_all = "snake_case"
)]
pub enum MediationCategory {
    /// 婚姻家庭
    Family,
    /// 邻里
    Neighbour,
    /// 物业
    Property,
    /// 劳动
    Labour,
    /// 合同
    Contract,
    /// 土地
    Land,
    /// 其他
    Other,
}

/// How a mediation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::MediationResult",
    rename_all = "snake_case"
)]
pub enum MediationResult {
    /// 调解成功
    Settled,
    /// 调解不成功
    Unsettled,
    /// 调解中
    Pending,
}

/// A kind of public legal service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::LegalServiceKind",
    rename_all = "snake_case"
)]
pub enum LegalServiceKind {
    /// 律师值班 (`count` = shifts)
    LawyerDuty,
    /// 法律咨询 (`count` = consultations)
    Consultation,
    /// 法律援助 (`count` = cases)
    LegalAid,
}

/// What a consultation was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::LegalTopic",
    rename_all = "snake_case"
)]
pub enum LegalTopic {
    /// 婚姻家庭
    MarriageFamily,
    /// 遗产继承
    Inheritance,
    /// 合同履行
    Contract,
    /// 劳动争议
    Labour,
    /// 其他
    Other,
}

/// The field of an enforcement inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::ledgers::InspectionField",
    rename_all = "snake_case"
)]
pub enum InspectionField {
    /// 安全生产
    Safety,
    /// 城市管理
    City,
    /// 其他
    Other,
}

/// How delivering a notice to the gateway has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    remote = "domain::services::outbox::DeliveryStatus",
    rename_all = "snake_case"
)]
pub enum DeliveryStatus {
    /// Not delivered yet; tried again at `next_attempt_at`.
    Pending,
    /// The gateway answered 2xx.
    Delivered,
    /// Still not delivered 24 hours after the notice: given up.
    Failed,
}
