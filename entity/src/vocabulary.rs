//! The values an enum column may hold, as Rust enums (`DeriveActiveEnum`): the column
//! stays a string in the database, and a value outside the list cannot be stored or
//! read back unnoticed. Each enum also knows its key (the stored string) and, where a
//! report shows it, its Chinese name.

use sea_orm::entity::prelude::*;

/// An enum whose every variant has a key (its stored and API spelling), with `ALL`,
/// `key()`, `parse()` and `Display`. `keyed_enum!(column …)` also makes it a string
/// column type (`DeriveActiveEnum`); without `column` it is a plain enum (the domain's
/// `OrganizerLevel`, `GroupBy`).
#[macro_export]
macro_rules! keyed_enum {
    (@impls $name:ident { $($variant:ident => $key:literal),+ }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and API) spelling.
            pub fn key(self) -> &'static str {
                match self {
                    $($name::$variant => $key),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.key() == s)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.key())
            }
        }
    };
    (column $(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $key)] $variant),+
        }
        $crate::keyed_enum!(@impls $name { $($variant => $key),+ });
    };
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }
        $crate::keyed_enum!(@impls $name { $($variant => $key),+ });
    };
}

keyed_enum!(
    column
    /// What kind of body a unit is.
    UnitKind {
        /// 街道办事处
        Street => "street",
        /// 科室 / 部门
        Department => "department",
        /// 社区
        Community => "community",
        /// 村
        Village => "village",
        /// 学校
        School => "school",
        /// 企业
        Enterprise => "enterprise",
        /// 其他
        Other => "other",
    }
);

keyed_enum!(
    column
    /// Where an exam attempt stands.
    AttemptStatus {
        /// Started, not finished; answers can still be saved.
        Open => "open",
        /// Submitted by the cadre and graded.
        Submitted => "submitted",
        /// Its time ran out; graded with the answers saved by the deadline.
        Expired => "expired",
    }
);

keyed_enum!(
    column
    /// Which window an exam attempt belongs to.
    AttemptKind {
        /// The main exam window (`exam_opens_at`–`exam_closes_at`).
        Main => "main",
        /// 补考: the make-up window, for those who have not passed.
        Makeup => "makeup",
    }
);

keyed_enum!(
    /// Whom a paper (组卷) is for.
    PaperAudience {
        /// Cadres with `is_leader` (领导干部).
        Leaders => "leaders",
        /// Everyone else.
        Others => "others",
        /// Every cadre.
        All => "all",
    }
);

keyed_enum!(
    column
    /// The kind of a question.
    QuestionKind {
        /// 单选: exactly one right option.
        Single => "single",
        /// 多选: one or more right options; only the exact set earns the points.
        Multiple => "multiple",
        /// 判断: two options (正确 / 错误), one right.
        Judge => "judge",
    }
);

keyed_enum!(
    column
    /// Which bank a question belongs to.
    QuestionPool {
        /// 考试题库: drawn into exam attempts, never shown in practice.
        Exam => "exam",
        /// 练习题库: practice only, never drawn into an exam.
        Practice => "practice",
    }
);

keyed_enum!(
    column
    /// What an activity was.
    ActivityKind {
        /// 普法宣传活动
        Publicity => "publicity",
        /// 法治学习 / 培训
        Training => "training",
    }
);

keyed_enum!(
    column
    /// Where the law went (法律"六进").
    Venue {
        /// 进机关
        Organ => "organ",
        /// 进乡村
        Village => "village",
        /// 进社区
        Community => "community",
        /// 进学校
        School => "school",
        /// 进企业
        Enterprise => "enterprise",
        /// 进单位
        Unit => "unit",
    }
);

keyed_enum!(
    column
    /// The theme of an activity.
    Theme {
        /// 12·4国家宪法日
        ConstitutionDay => "constitution_day",
        /// 民法典
        CivilCode => "civil_code",
        /// 4·15全民国家安全教育日
        NationalSecurityDay => "national_security_day",
        /// 6·26国际禁毒日
        AntiDrugDay => "anti_drug_day",
        /// 安全生产月
        SafetyMonth => "safety_month",
        /// 119消防
        FireSafety => "fire_safety",
        /// 综治维稳宣传月
        StabilityMonth => "stability_month",
        /// 其他
        Other => "other",
    }
);

keyed_enum!(
    column
    /// Whom an activity was for.
    Audience {
        /// 群众
        Public => "public",
        /// 干部
        Cadres => "cadres",
        /// 学生
        Students => "students",
        /// 执法人员
        EnforcementStaff => "enforcement_staff",
        /// 人民调解员
        Mediators => "mediators",
        /// 法律工作者
        LegalWorkers => "legal_workers",
    }
);

impl Theme {
    /// The name a 工作总结 uses.
    pub fn chinese(self) -> &'static str {
        match self {
            Theme::ConstitutionDay => "12·4国家宪法日",
            Theme::CivilCode => "民法典",
            Theme::NationalSecurityDay => "4·15全民国家安全教育日",
            Theme::AntiDrugDay => "6·26国际禁毒日",
            Theme::SafetyMonth => "安全生产月",
            Theme::FireSafety => "119消防",
            Theme::StabilityMonth => "综治维稳宣传月",
            Theme::Other => "其他主题",
        }
    }
}

impl Venue {
    pub fn chinese(self) -> &'static str {
        match self {
            Venue::Organ => "机关",
            Venue::Village => "乡村",
            Venue::Community => "社区",
            Venue::School => "学校",
            Venue::Enterprise => "企业",
            Venue::Unit => "单位",
        }
    }
}

impl Audience {
    pub fn chinese(self) -> &'static str {
        match self {
            Audience::Public => "群众",
            Audience::Cadres => "干部",
            Audience::Students => "学生",
            Audience::EnforcementStaff => "执法人员",
            Audience::Mediators => "人民调解员",
            Audience::LegalWorkers => "法律工作者",
        }
    }
}

keyed_enum!(
    column
    /// What a mediated dispute was about.
    MediationCategory {
        /// 婚姻家庭
        Family => "family",
        /// 邻里
        Neighbour => "neighbour",
        /// 物业
        Property => "property",
        /// 劳动
        Labour => "labour",
        /// 合同
        Contract => "contract",
        /// 土地
        Land => "land",
        /// 其他
        Other => "other",
    }
);

keyed_enum!(
    column
    /// How a mediation ended.
    MediationResult {
        /// 调解成功
        Settled => "settled",
        /// 调解不成功
        Unsettled => "unsettled",
        /// 调解中
        Pending => "pending",
    }
);

keyed_enum!(
    column
    /// A kind of public legal service.
    LegalServiceKind {
        /// 律师值班 (count = shifts)
        LawyerDuty => "lawyer_duty",
        /// 法律咨询 (count = consultations)
        Consultation => "consultation",
        /// 法律援助 (count = cases)
        LegalAid => "legal_aid",
    }
);

keyed_enum!(
    column
    /// What a consultation was about.
    LegalTopic {
        /// 婚姻家庭
        MarriageFamily => "marriage_family",
        /// 遗产继承
        Inheritance => "inheritance",
        /// 合同履行
        Contract => "contract",
        /// 劳动争议
        Labour => "labour",
        /// 其他
        Other => "other",
    }
);

keyed_enum!(
    column
    /// The field of an enforcement inspection.
    InspectionField {
        /// 安全生产
        Safety => "safety",
        /// 城市管理
        City => "city",
        /// 其他
        Other => "other",
    }
);

impl MediationCategory {
    pub fn chinese(self) -> &'static str {
        match self {
            MediationCategory::Family => "婚姻家庭",
            MediationCategory::Neighbour => "邻里",
            MediationCategory::Property => "物业",
            MediationCategory::Labour => "劳动",
            MediationCategory::Contract => "合同",
            MediationCategory::Land => "土地",
            MediationCategory::Other => "其他",
        }
    }
}

impl MediationResult {
    pub fn chinese(self) -> &'static str {
        match self {
            MediationResult::Settled => "调解成功",
            MediationResult::Unsettled => "调解不成功",
            MediationResult::Pending => "调解中",
        }
    }
}

impl LegalServiceKind {
    pub fn chinese(self) -> &'static str {
        match self {
            LegalServiceKind::LawyerDuty => "律师值班",
            LegalServiceKind::Consultation => "法律咨询",
            LegalServiceKind::LegalAid => "法律援助",
        }
    }
}

impl LegalTopic {
    pub fn chinese(self) -> &'static str {
        match self {
            LegalTopic::MarriageFamily => "婚姻家庭",
            LegalTopic::Inheritance => "遗产继承",
            LegalTopic::Contract => "合同履行",
            LegalTopic::Labour => "劳动争议",
            LegalTopic::Other => "其他",
        }
    }
}

impl InspectionField {
    pub fn chinese(self) -> &'static str {
        match self {
            InspectionField::Safety => "安全生产",
            InspectionField::City => "城市管理",
            InspectionField::Other => "其他",
        }
    }
}

keyed_enum!(
    column
    /// How delivering a notice to the gateway has gone.
    DeliveryStatus {
        /// Not delivered yet; tried again at `next_attempt_at`.
        Pending => "pending",
        /// The gateway answered 2xx.
        Delivered => "delivered",
        /// Still not delivered 24 hours after the notice: given up.
        Failed => "failed",
    }
);
