//! The values an enum column may hold, as Rust enums (`DeriveActiveEnum`): the column
//! stays a string in the database, and a value outside the list cannot be stored or
//! read back unnoticed. Each enum also knows its key (the stored string) and, where a
//! report shows it, its Chinese name.

use sea_orm::entity::prelude::*;

/// A closed list of values, each with a key (its stored and API spelling) and the Chinese
/// name the console and the reports show. The console reads every name from
/// `GET /api/v1/vocabularies`, so this is the one place a name is written.
pub trait Keyed: Copy + 'static {
    /// Every value, in the order a form or a report lists them.
    const ALL: &'static [Self];
    /// The stored (and API) spelling.
    fn key(self) -> &'static str;
    /// The name a person reads.
    fn chinese(self) -> &'static str;
}

/// An enum whose every variant has a key and a Chinese name (`Street => ("street", "街道")`),
/// with `ALL`, `key()`, `chinese()`, `parse()`, `Display` and [`Keyed`].
/// `keyed_enum!(column …)` also makes it a string column type (`DeriveActiveEnum`);
/// without `column` it is a plain enum (the domain's `OrganizerLevel`, `GroupBy`, `Role`).
#[macro_export]
macro_rules! keyed_enum {
    (@impls $name:ident { $($variant:ident => ($key:literal, $zh:literal)),+ }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and API) spelling.
            pub fn key(self) -> &'static str {
                match self {
                    $($name::$variant => $key),+
                }
            }

            /// The name a person reads (the console, a report, a file).
            pub fn chinese(self) -> &'static str {
                match self {
                    $($name::$variant => $zh),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.key() == s)
            }
        }

        impl $crate::vocabulary::Keyed for $name {
            const ALL: &'static [$name] = $name::ALL;
            fn key(self) -> &'static str {
                $name::key(self)
            }
            fn chinese(self) -> &'static str {
                $name::chinese(self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.key())
            }
        }
    };
    (column $(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => ($key:literal, $zh:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $key)] $variant),+
        }
        $crate::keyed_enum!(@impls $name { $($variant => ($key, $zh)),+ });
    };
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => ($key:literal, $zh:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }
        $crate::keyed_enum!(@impls $name { $($variant => ($key, $zh)),+ });
    };
}

keyed_enum!(
    column
    /// What kind of body a unit is.
    UnitKind {
        /// 区: a district whose streets, townships and departments share one installation.
        District => ("district", "区"),
        /// 街道办事处
        Street => ("street", "街道"),
        Department => ("department", "科室/部门"),
        Community => ("community", "社区"),
        Village => ("village", "村"),
        School => ("school", "学校"),
        Enterprise => ("enterprise", "企业"),
        Other => ("other", "其他"),
    }
);

keyed_enum!(
    column
    /// Where an exam attempt stands.
    AttemptStatus {
        /// Started, not finished; answers can still be saved.
        Open => ("open", "作答中"),
        /// Submitted by the cadre and graded.
        Submitted => ("submitted", "已交卷"),
        /// Its time ran out; graded with the answers saved by the deadline.
        Expired => ("expired", "已超时"),
    }
);

keyed_enum!(
    column
    /// Why an attempt finished.
    FinishedReason {
        /// The cadre submitted it.
        Submitted => ("submitted", "本人交卷"),
        /// Its time ran out.
        Deadline => ("deadline", "时间到自动交卷"),
        /// The exam page lost focus more often than the campaign allows.
        FocusLimit => ("focus_limit", "离开考试页面次数超限自动交卷"),
    }
);

keyed_enum!(
    column
    /// Something the exam page reports.
    AttemptEventKind {
        /// The page lost focus (another window or app came to the front).
        Blur => ("blur", "离开考试页面"),
        /// It came back.
        Focus => ("focus", "回到考试页面"),
        /// Full screen was left.
        FullscreenExit => ("fullscreen_exit", "退出全屏"),
        /// Text was pasted.
        Paste => ("paste", "粘贴"),
    }
);

keyed_enum!(
    column
    /// Which window an exam attempt belongs to.
    AttemptKind {
        /// The main exam window (`exam_opens_at`–`exam_closes_at`).
        Main => ("main", "正考"),
        /// The make-up window, for those who have not passed.
        Makeup => ("makeup", "补考"),
    }
);

keyed_enum!(
    column
    /// Where a study session's minutes come from.
    StudySource {
        /// Timed by the server while the course was on screen (在线计时).
        Live => ("live", "在线计时"),
        /// Uploaded by the app: offline study, the phone's own times (离线自报).
        SelfReported => ("self_reported", "离线自报"),
    }
);

keyed_enum!(
    column
    /// What a course's material is.
    MaterialKind {
        /// A text (the law, a commentary) in Markdown.
        Article => ("article", "图文"),
        /// An uploaded PDF.
        Pdf => ("pdf", "PDF 文档"),
        /// An uploaded video.
        Video => ("video", "视频"),
        /// An address on the intranet.
        Link => ("link", "链接"),
    }
);

keyed_enum!(
    column
    /// Where a live study session stands.
    LiveState {
        /// Heartbeats are being credited.
        Running => ("running", "学习中"),
        /// Ended, by its owner or by the sweep; its study session is stored.
        Ended => ("ended", "已结束"),
    }
);

keyed_enum!(
    /// Whom a paper (组卷) is for.
    PaperAudience {
        /// Cadres with `is_leader`.
        Leaders => ("leaders", "领导干部"),
        /// Everyone else.
        Others => ("others", "其他干部"),
        /// Every cadre.
        All => ("all", "全体干部"),
    }
);

keyed_enum!(
    column
    /// The kind of a question.
    QuestionKind {
        /// Exactly one right option.
        Single => ("single", "单选"),
        /// One or more right options; only the exact set earns the points.
        Multiple => ("multiple", "多选"),
        /// Two options (正确 / 错误), one right.
        Judge => ("judge", "判断"),
    }
);

keyed_enum!(
    column
    /// Which bank a question belongs to.
    QuestionPool {
        /// Drawn into exam attempts, never shown in practice.
        Exam => ("exam", "考试题库"),
        /// Practice only, never drawn into an exam.
        Practice => ("practice", "练习题库"),
    }
);

keyed_enum!(
    column
    /// What an activity was.
    ActivityKind {
        Publicity => ("publicity", "普法宣传"),
        /// 法治学习 / 培训
        Training => ("training", "法治培训"),
    }
);

keyed_enum!(
    column
    /// Where the law went (法律"六进"). The name is the place: a report writes 进机关.
    Venue {
        Organ => ("organ", "机关"),
        Village => ("village", "乡村"),
        Community => ("community", "社区"),
        School => ("school", "学校"),
        Enterprise => ("enterprise", "企业"),
        Unit => ("unit", "单位"),
    }
);

keyed_enum!(
    column
    /// The theme of an activity, by the name a 工作总结 uses.
    Theme {
        ConstitutionDay => ("constitution_day", "12·4国家宪法日"),
        CivilCode => ("civil_code", "民法典"),
        NationalSecurityDay => ("national_security_day", "4·15全民国家安全教育日"),
        AntiDrugDay => ("anti_drug_day", "6·26国际禁毒日"),
        SafetyMonth => ("safety_month", "安全生产月"),
        FireSafety => ("fire_safety", "119消防"),
        StabilityMonth => ("stability_month", "综治维稳宣传月"),
        Other => ("other", "其他主题"),
    }
);

keyed_enum!(
    column
    /// Whom an activity was for.
    Audience {
        Public => ("public", "群众"),
        Cadres => ("cadres", "干部"),
        Students => ("students", "学生"),
        EnforcementStaff => ("enforcement_staff", "执法人员"),
        Mediators => ("mediators", "人民调解员"),
        LegalWorkers => ("legal_workers", "法律工作者"),
    }
);

keyed_enum!(
    column
    /// What a mediated dispute was about.
    MediationCategory {
        Family => ("family", "婚姻家庭"),
        Neighbour => ("neighbour", "邻里"),
        Property => ("property", "物业"),
        Labour => ("labour", "劳动"),
        Contract => ("contract", "合同"),
        Land => ("land", "土地"),
        Other => ("other", "其他"),
    }
);

keyed_enum!(
    column
    /// How a mediation ended.
    MediationResult {
        Settled => ("settled", "调解成功"),
        Unsettled => ("unsettled", "调解不成功"),
        Pending => ("pending", "调解中"),
    }
);

keyed_enum!(
    column
    /// A kind of public legal service.
    LegalServiceKind {
        /// count = shifts
        LawyerDuty => ("lawyer_duty", "律师值班"),
        /// count = consultations
        Consultation => ("consultation", "法律咨询"),
        /// count = cases
        LegalAid => ("legal_aid", "法律援助"),
    }
);

keyed_enum!(
    column
    /// What a consultation was about.
    LegalTopic {
        MarriageFamily => ("marriage_family", "婚姻家庭"),
        Inheritance => ("inheritance", "遗产继承"),
        Contract => ("contract", "合同履行"),
        Labour => ("labour", "劳动争议"),
        Other => ("other", "其他"),
    }
);

keyed_enum!(
    column
    /// The field of an enforcement inspection.
    InspectionField {
        Safety => ("safety", "安全生产"),
        City => ("city", "城市管理"),
        Other => ("other", "其他"),
    }
);

keyed_enum!(
    column
    /// What a task of the year's 法治政府建设 plan (任务分解表) is about.
    LawTaskCategory {
        /// 党政主要负责人履职、组织领导.
        Leadership => ("leadership", "组织领导"),
        /// 依法决策.
        Decision => ("decision", "依法决策"),
        /// 严格规范公正文明执法.
        Enforcement => ("enforcement", "规范执法"),
        /// 普法宣传.
        Publicity => ("publicity", "普法宣传"),
        /// 矛盾纠纷化解.
        Disputes => ("disputes", "矛盾化解"),
        Other => ("other", "其他"),
    }
);

keyed_enum!(
    column
    /// How far a task has got.
    LawTaskStatus {
        Planned => ("planned", "未开始"),
        InProgress => ("in_progress", "推进中"),
        /// Needs `done_on`.
        Done => ("done", "已完成"),
    }
);

keyed_enum!(
    column
    /// What kind of major administrative decision (重大行政决策) was reviewed.
    DecisionCategory {
        MajorMatter => ("major_matter", "重大事项"),
        CadreAppointment => ("cadre_appointment", "干部任免"),
        MajorProject => ("major_project", "重大项目"),
        LargeFund => ("large_fund", "大额资金使用"),
        Other => ("other", "其他"),
    }
);

keyed_enum!(
    column
    /// Who reviewed a decision's legality.
    Reviewer {
        LegalAdviser => ("legal_adviser", "法律顾问"),
        PublicLawyer => ("public_lawyer", "公职律师"),
        /// The office's own legality-review staff (合法性审查机构).
        LegalityReviewer => ("legality_reviewer", "合法性审查机构"),
        Expert => ("expert", "专家论证"),
    }
);

keyed_enum!(
    column
    /// What the legality review found.
    ReviewResult {
        Lawful => ("lawful", "合法"),
        LawfulAfterChanges => ("lawful_after_changes", "修改后合法"),
        /// Such a decision may not be adopted (不能进入决策程序).
        Unlawful => ("unlawful", "不合法"),
    }
);

keyed_enum!(
    column
    /// A legal adviser retained by a unit, or one of its own public lawyers.
    AdviserKind {
        LegalAdviser => ("legal_adviser", "法律顾问"),
        PublicLawyer => ("public_lawyer", "公职律师"),
    }
);

keyed_enum!(
    column
    /// How a leading cadre reported on their rule-of-law duties (述职述法).
    ReportForm {
        Written => ("written", "书面述法"),
        OnSite => ("on_site", "现场述法"),
    }
);

keyed_enum!(
    column
    /// How a 述法 was rated.
    ReportRating {
        Excellent => ("excellent", "优秀"),
        Good => ("good", "良好"),
        Fair => ("fair", "一般"),
        Poor => ("poor", "较差"),
    }
);

keyed_enum!(
    column
    /// Whether a duty of a unit's 普法责任清单 has been carried out.
    DutyStatus {
        Planned => ("planned", "计划中"),
        Done => ("done", "已落实"),
    }
);

keyed_enum!(
    column
    /// How delivering a notice to the gateway has gone.
    DeliveryStatus {
        /// Not delivered yet; tried again at `next_attempt_at`.
        Pending => ("pending", "待投递"),
        /// The gateway answered 2xx.
        Delivered => ("delivered", "已投递"),
        /// Still not delivered 24 hours after the notice: given up.
        Failed => ("failed", "投递失败"),
    }
);
