//! Every closed list of values with the Chinese name a person reads, from the enums that
//! own them (`entity::vocabulary`, the domain's `Role`, `Target`, `Grade`…). The console
//! reads its words from here, so a name is written once.

use entity::vocabulary::{self as v, Keyed};
use poem_openapi::{Object, OpenApi, payload::Json};

use super::ApiTags;
use domain::{
    auth::Role,
    error,
    scoring::Grade,
    services::{activities, audit, ledgers, targets::Target},
};

pub struct VocabulariesApi;

/// One value of a vocabulary.
#[derive(Debug, Object)]
pub struct Term {
    /// As the API spells it.
    pub key: String,
    /// As a person reads it.
    pub name: String,
}

/// Each field is the vocabulary of the schema of the same name (`unit_kind` →
/// `UnitKind`), its values in the spec's order.
#[derive(Debug, Object)]
pub struct Vocabularies {
    pub role: Vec<Term>,
    pub unit_kind: Vec<Term>,
    pub target: Vec<Term>,
    /// What the missing list of each target is called (keys as `target`).
    pub missing: Vec<Term>,
    pub grade: Vec<Term>,
    pub attempt_status: Vec<Term>,
    pub attempt_kind: Vec<Term>,
    pub study_source: Vec<Term>,
    pub material_kind: Vec<Term>,
    pub live_state: Vec<Term>,
    pub paper_audience: Vec<Term>,
    pub question_kind: Vec<Term>,
    pub question_pool: Vec<Term>,
    pub activity_kind: Vec<Term>,
    /// 法律"六进": the name is the place (a report writes 进 before it).
    pub venue: Vec<Term>,
    pub theme: Vec<Term>,
    pub audience: Vec<Term>,
    pub organizer_level: Vec<Term>,
    pub group_by: Vec<Term>,
    /// A ledger record's level.
    pub level: Vec<Term>,
    pub mediation_category: Vec<Term>,
    pub mediation_result: Vec<Term>,
    pub legal_service_kind: Vec<Term>,
    pub legal_topic: Vec<Term>,
    pub inspection_field: Vec<Term>,
    pub law_task_category: Vec<Term>,
    pub law_task_status: Vec<Term>,
    pub decision_category: Vec<Term>,
    pub reviewer: Vec<Term>,
    pub review_result: Vec<Term>,
    pub adviser_kind: Vec<Term>,
    pub report_form: Vec<Term>,
    pub report_rating: Vec<Term>,
    pub duty_status: Vec<Term>,
    pub finished_reason: Vec<Term>,
    pub attempt_event_kind: Vec<Term>,
    pub delivery_status: Vec<Term>,
    /// What is wrong with a field: each name is a template the console fills in
    /// (`{label}`, `{field}`, `{min}`, `{max}`, `{values}`, `{what}`, `{expected}`,
    /// `{kind}`, `{from}`, `{to}`; see `FieldError.params`).
    pub field_error_code: Vec<Term>,
    pub field_error_thing: Vec<Term>,
    pub field_error_format: Vec<Term>,
    /// The sentence for each `code` of a 409 problem.
    pub conflict: Vec<Term>,
    /// Why a sign-in or a signed-in request is refused although the credentials are good
    /// (the `code` of a 401 or 403: `totp_required`, `session_expired`,
    /// `password_change_required`…), with the sentence the console shows.
    pub denial: Vec<Term>,
    /// The label of each field a request or an import can name.
    pub field: Vec<Term>,
    /// What each audit entry's `action` records.
    pub audit_action: Vec<Term>,
    /// What each audit entry's `entity` names.
    pub audit_entity: Vec<Term>,
}

/// The Chinese label of every field a request can name (body fields, query parameters
/// and import columns), for the wording of field errors: a form shows its own label, a
/// list of an import's line errors shows this one.
const FIELD_LABELS: &[(&str, &str)] = &[
    ("action", "操作"),
    ("active", "账号状态"),
    ("actor", "操作人"),
    ("actor_id", "操作人"),
    ("amount", "涉及金额"),
    ("answer", "答案"),
    ("answers", "答案"),
    ("authCode", "授权码"),
    ("attendance", "人次"),
    ("attendee_ids", "参训人员"),
    ("audience", "对象"),
    ("body", "请求内容"),
    ("campaign_id", "学法活动"),
    ("cases", "案件数"),
    ("category", "类别"),
    ("choices", "所选选项"),
    ("closed_on", "结案日期"),
    ("committee_unit_id", "调委会"),
    ("compulsory", "必修"),
    ("code", "动态码"),
    ("count", "数量"),
    ("course_id", "课程"),
    ("courses", "课程"),
    ("current_password", "当前密码"),
    ("default_password", "默认密码"),
    ("description", "说明"),
    ("difficulty", "难度"),
    ("duration_minutes", "考试时长"),
    ("error", "错误"),
    ("employee_no", "工号"),
    ("ended_at", "结束时间"),
    ("entities_checked", "检查家次"),
    ("entity", "对象类型"),
    ("entity_id", "对象编号"),
    ("exam_closes_at", "考试结束时间"),
    ("exam_opens_at", "考试开始时间"),
    ("exam_requires_study", "学完方可考试"),
    ("excellent_score", "优秀分"),
    ("exempt", "免考"),
    ("exempt_reason", "免考原因"),
    ("field", "领域"),
    ("file", "文件"),
    ("fines", "罚款"),
    ("for", "适用对象"),
    ("format", "格式"),
    ("from", "起始日期"),
    ("good_score", "良好分"),
    ("group_by", "统计方式"),
    ("hazards_fixed", "整改隐患"),
    ("hazards_found", "发现隐患"),
    ("held_on", "日期"),
    ("id", "编号"),
    ("include_retired", "含已停用"),
    ("is_leader", "领导干部"),
    ("issues_found", "排查纠纷"),
    ("issues_resolved", "化解纠纷"),
    ("item", "记录"),
    ("key", "试卷代码"),
    ("kind", "类别"),
    ("law", "法律"),
    ("law_ref", "法律依据"),
    ("makeup_attempts", "补考次数"),
    ("makeup_closes_at", "补考结束时间"),
    ("makeup_opens_at", "补考开始时间"),
    ("materials", "宣传品份数"),
    ("max_attempts", "考试次数"),
    ("message", "提醒内容"),
    ("minutes", "学时（分钟）"),
    ("name", "名称"),
    ("new_password", "新密码"),
    ("notes", "备注"),
    ("options", "选项"),
    ("organizer_unit_id", "组织单位"),
    ("owner_unit_id", "主办单位"),
    ("page", "页码"),
    ("papers", "试卷"),
    ("parent_id", "上级单位"),
    ("pass_score", "合格分"),
    ("passed", "是否合格"),
    ("password", "密码"),
    ("path", "地址"),
    ("penalties", "处罚单位"),
    ("per_page", "每页条数"),
    ("phone", "手机号码"),
    ("points", "分值"),
    ("pool", "题库"),
    ("q", "搜索"),
    ("question", "试题"),
    ("question_count", "题量"),
    ("question_id", "试题"),
    ("questions", "试题"),
    ("provider", "身份提供方"),
    ("received_on", "受理日期"),
    ("refresh_token", "登录凭据"),
    ("remind_before_days", "提前提醒天数"),
    ("required_minutes", "应学分钟"),
    ("result", "结果"),
    ("return_to", "返回页面"),
    ("role", "角色"),
    ("roles", "角色"),
    ("rules", "抽题规则"),
    ("scope_unit_id", "管理范围"),
    ("sessions", "学习记录"),
    ("state", "登录状态"),
    ("since", "起始时间"),
    ("sort", "排序"),
    ("started_at", "开始时间"),
    ("status", "状态"),
    ("stem", "题干"),
    ("study_complete", "学习完成"),
    ("study_ends_on", "学习结束日期"),
    ("study_starts_on", "学习开始日期"),
    ("tags", "标签"),
    ("target", "指标"),
    ("theme", "主题"),
    ("themes", "主题"),
    ("title", "名称"),
    ("to", "截止日期"),
    ("totp", "动态码"),
    ("topic", "咨询事项"),
    ("unit", "单位"),
    ("unit_id", "单位"),
    ("unit_ids", "单位"),
    ("unread", "未读"),
    ("until", "截止时间"),
    ("user_id", "人员"),
    ("user_ids", "人员"),
    ("username", "用户名"),
    ("venue", "六进"),
    ("visitors", "来访人次"),
    ("year", "年度"),
    ("daily_cap_minutes", "每日学时上限"),
    ("device_time", "手机时间"),
    ("max_playback_rate", "最高倍速"),
    ("min_live_share", "在线计时最低占比"),
    ("playback_rate", "播放倍速"),
    ("presence_answer", "在线确认答案"),
    ("presence_check_minutes", "在线确认间隔"),
    ("self_reported_daily_cap_minutes", "每日自报学时上限"),
    ("visible", "页面可见"),
    ("text", "正文"),
    ("url", "网址"),
    ("lead", "牵头领导"),
    ("due_on", "完成时限"),
    ("done_on", "完成日期"),
    ("submitted_on", "提交审查日期"),
    ("reviewer", "审查人"),
    ("decided_on", "决策日期"),
    ("adopted", "是否通过"),
    ("form", "述法形式"),
    ("rating", "评议结果"),
    ("actions", "普法措施"),
    ("cases_explained", "以案释法"),
    ("on", "自查日期"),
    ("extra_minutes", "延时（分钟）"),
    ("max_focus_losses", "允许离开考试页面次数"),
    ("events", "考试页面事件"),
    ("at", "时间"),
    ("flagged", "标记"),
    ("X-Device-Id", "设备编号"),
    ("material.title", "学习资料标题"),
    ("material.text", "学习资料正文"),
    ("material.url", "学习资料网址"),
];

fn pairs(list: &[(&str, &str)]) -> Vec<Term> {
    list.iter()
        .map(|(key, name)| Term {
            key: (*key).into(),
            name: (*name).into(),
        })
        .collect()
}

fn terms<E: Keyed>() -> Vec<Term> {
    terms_named(E::chinese)
}

fn terms_named<E: Keyed>(name: fn(E) -> &'static str) -> Vec<Term> {
    E::ALL
        .iter()
        .map(|&e| Term {
            key: e.key().into(),
            name: name(e).into(),
        })
        .collect()
}

impl Vocabularies {
    fn build() -> Self {
        Vocabularies {
            role: terms::<Role>(),
            unit_kind: terms::<v::UnitKind>(),
            target: terms::<Target>(),
            missing: terms_named(Target::shortfall),
            grade: terms::<Grade>(),
            attempt_status: terms::<v::AttemptStatus>(),
            attempt_kind: terms::<v::AttemptKind>(),
            study_source: terms::<v::StudySource>(),
            material_kind: terms::<v::MaterialKind>(),
            live_state: terms::<v::LiveState>(),
            paper_audience: terms::<v::PaperAudience>(),
            question_kind: terms::<v::QuestionKind>(),
            question_pool: terms::<v::QuestionPool>(),
            activity_kind: terms::<v::ActivityKind>(),
            venue: terms::<v::Venue>(),
            theme: terms::<v::Theme>(),
            audience: terms::<v::Audience>(),
            organizer_level: terms::<activities::OrganizerLevel>(),
            group_by: terms::<activities::GroupBy>(),
            level: terms::<ledgers::Level>(),
            mediation_category: terms::<v::MediationCategory>(),
            mediation_result: terms::<v::MediationResult>(),
            legal_service_kind: terms::<v::LegalServiceKind>(),
            legal_topic: terms::<v::LegalTopic>(),
            inspection_field: terms::<v::InspectionField>(),
            law_task_category: terms::<v::LawTaskCategory>(),
            law_task_status: terms::<v::LawTaskStatus>(),
            decision_category: terms::<v::DecisionCategory>(),
            reviewer: terms::<v::Reviewer>(),
            review_result: terms::<v::ReviewResult>(),
            adviser_kind: terms::<v::AdviserKind>(),
            report_form: terms::<v::ReportForm>(),
            report_rating: terms::<v::ReportRating>(),
            duty_status: terms::<v::DutyStatus>(),
            finished_reason: terms::<v::FinishedReason>(),
            attempt_event_kind: terms::<v::AttemptEventKind>(),
            delivery_status: terms::<v::DeliveryStatus>(),
            field_error_code: terms::<error::Code>(),
            field_error_thing: terms::<error::Thing>(),
            field_error_format: terms::<error::Format>(),
            conflict: terms::<error::Clash>(),
            denial: terms::<error::Denial>(),
            field: pairs(FIELD_LABELS),
            audit_action: terms::<audit::AuditAction>(),
            audit_entity: pairs(audit::ENTITIES),
        }
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Vocabularies")]
impl VocabulariesApi {
    /// Every vocabulary with its Chinese names; no sign-in needed (the sign-in and
    /// certificate pages read it too).
    #[oai(
        path = "/vocabularies",
        method = "get",
        operation_id = "listVocabularies"
    )]
    async fn vocabularies(&self) -> Json<Vocabularies> {
        Json(Vocabularies::build())
    }
}
