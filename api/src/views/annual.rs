//! The annual summary as the API shows it: `GET /reports/annual/{year}`.

use domain::services::{
    ledgers::{figures::LedgerFigures, law_figures::LawFigures},
    reports::AnnualSummary,
    targets::Target,
};
use poem_openapi::Object;

use super::{
    enums::{
        self, Audience, InspectionField, LegalTopic, Level, MediationCategory, ReviewResult, Theme,
        Venue,
    },
    money::Money,
    targets::{GradesView, Rate, rate},
};

/// One campaign's targets in the summary.
#[derive(Debug, Object)]
pub struct CampaignTargetsSummary {
    pub campaign_id: i64,
    pub title: String,
    pub roster: u64,
    pub participation: Rate,
    pub study: Rate,
    pub exam: Rate,
    pub pass: Rate,
    pub all_met: bool,
    /// 成绩等级 over the roster.
    pub grades: GradesView,
    /// Roster members who passed only through a make-up (补考) attempt.
    pub passed_in_makeup: u64,
}

/// Events and attendance of one audience.
#[derive(Debug, Object)]
pub struct AudienceTally {
    pub key: Audience,
    pub events: u64,
    pub attendance: u64,
}

/// Trainings (法治学习/培训).
#[derive(Debug, Object)]
pub struct TrainingSummary {
    pub events: u64,
    pub attendance: u64,
    pub by_audience: Vec<AudienceTally>,
}

/// Publicity events (普法宣传活动).
#[derive(Debug, Object)]
pub struct PublicitySummary {
    pub events: u64,
    /// Organised at street level (街道).
    pub street_events: u64,
    /// Organised by the communities and villages (村居社区).
    pub community_events: u64,
    pub attendance: u64,
    pub materials: u64,
}

/// One theme, over activities of both kinds.
#[derive(Debug, Object)]
pub struct ThemeTally {
    pub key: Theme,
    pub events: u64,
    pub attendance: u64,
    pub materials: u64,
}

/// One six-into venue.
#[derive(Debug, Object)]
pub struct VenueTally {
    pub key: Venue,
    pub events: u64,
    pub attendance: u64,
}

/// 法律"六进".
#[derive(Debug, Object)]
pub struct SixInto {
    pub venues: Vec<VenueTally>,
    /// The venues with at least one event.
    pub covered: Vec<Venue>,
    /// Every one of the six venues covered.
    pub full_coverage: bool,
}

/// A unit, named.
#[derive(Debug, Object)]
pub struct UnitRef {
    pub id: i64,
    pub name: String,
}

/// One child unit's key figures (a street in a district's summary): what a league table
/// of the units compares.
#[derive(Debug, Object)]
pub struct UnitFiguresView {
    pub unit_id: i64,
    pub name: String,
    pub publicity_events: u64,
    pub publicity_attendance: u64,
    pub materials: u64,
    pub training_events: u64,
    pub training_attendance: u64,
    /// 人民调解 cases of the unit's committees.
    pub mediation_cases: u64,
    /// Each campaign of the year, over the unit's own members.
    pub campaigns: Vec<CampaignTargetsSummary>,
}

fn campaign_summary(
    campaign_id: i64,
    title: &str,
    c: &domain::services::targets::Counts,
) -> CampaignTargetsSummary {
    CampaignTargetsSummary {
        campaign_id,
        title: title.to_owned(),
        roster: c.roster,
        participation: rate(c, Target::Participation),
        study: rate(c, Target::Study),
        exam: rate(c, Target::Exam),
        pass: rate(c, Target::Pass),
        all_met: c.all_met(),
        grades: c.grades.into(),
        passed_in_makeup: c.passed_in_makeup,
    }
}

/// The annual summary of a unit: its figures, the unit, and a row per child unit.
#[derive(Debug, Object)]
pub struct AnnualReport {
    #[oai(flatten)]
    pub figures: AnnualFigures,
    /// The unit summarised (every figure is over its subtree); `null` for the whole
    /// installation.
    pub unit: Option<UnitRef>,
    /// A row per child unit of `unit` (per top-level unit for the whole installation).
    pub by_unit: Vec<UnitFiguresView>,
}

/// The annual summary's figures (what an archive's `summary` holds).
#[derive(Debug, Object)]
pub struct AnnualFigures {
    pub year: i32,
    pub campaigns: Vec<CampaignTargetsSummary>,
    pub training: TrainingSummary,
    pub publicity: PublicitySummary,
    pub themes: Vec<ThemeTally>,
    pub six_into: SixInto,
    /// 人民调解.
    pub mediation: MediationSummary,
    /// 公共法律服务.
    pub legal_services: LegalServicesSummary,
    /// 矛盾纠纷排查.
    pub screenings: ScreeningsSummary,
    /// 信访.
    pub petitions: PetitionsSummary,
    /// 行政执法检查.
    pub inspections: InspectionsSummary,
    #[oai(flatten)]
    pub law: LawSections,
    /// The same ledger figures for the year before.
    pub previous: LedgerYear,
}

impl From<&AnnualSummary> for AnnualReport {
    fn from(s: &AnnualSummary) -> Self {
        Self {
            figures: s.into(),
            unit: s.unit.as_ref().map(|(id, name)| UnitRef {
                id: *id,
                name: name.clone(),
            }),
            by_unit: s.by_unit.iter().map(|u| unit_row(s, u)).collect(),
        }
    }
}

/// One child unit's row, its campaigns titled as the summary's.
fn unit_row(s: &AnnualSummary, u: &domain::services::reports::UnitFigures) -> UnitFiguresView {
    UnitFiguresView {
        unit_id: u.unit_id,
        name: u.name.clone(),
        publicity_events: u.publicity.events,
        publicity_attendance: u.publicity.attendance,
        materials: u.publicity.materials,
        training_events: u.training.events,
        training_attendance: u.training.attendance,
        mediation_cases: u.mediation_cases,
        campaigns: u
            .campaigns
            .iter()
            .map(|(id, counts)| {
                let title = s
                    .campaigns
                    .iter()
                    .find(|c| c.campaign_id == *id)
                    .map_or("", |c| c.title.as_str());
                campaign_summary(*id, title, counts)
            })
            .collect(),
    }
}

impl From<&AnnualSummary> for AnnualFigures {
    fn from(s: &AnnualSummary) -> Self {
        let ledgers = LedgerYear::from(&s.ledgers);
        Self {
            mediation: ledgers.mediation,
            legal_services: ledgers.legal_services,
            screenings: ledgers.screenings,
            petitions: ledgers.petitions,
            inspections: ledgers.inspections,
            law: ledgers.law,
            previous: LedgerYear::from(&s.previous),
            year: s.year,
            campaigns: s
                .campaigns
                .iter()
                .map(|c| campaign_summary(c.campaign_id, &c.title, &c.counts))
                .collect(),
            training: TrainingSummary {
                events: s.training.events,
                attendance: s.training.attendance,
                by_audience: s
                    .training_by_audience
                    .iter()
                    .map(|(a, t)| AudienceTally {
                        key: (*a).into(),
                        events: t.events,
                        attendance: t.attendance,
                    })
                    .collect(),
            },
            publicity: PublicitySummary {
                events: s.publicity.events,
                street_events: s.publicity_street,
                community_events: s.publicity_community,
                attendance: s.publicity.attendance,
                materials: s.publicity.materials,
            },
            themes: s
                .themes
                .iter()
                .map(|(k, t)| ThemeTally {
                    key: (*k).into(),
                    events: t.events,
                    attendance: t.attendance,
                    materials: t.materials,
                })
                .collect(),
            six_into: SixInto {
                venues: s
                    .venues
                    .iter()
                    .map(|(k, t)| VenueTally {
                        key: (*k).into(),
                        events: t.events,
                        attendance: t.attendance,
                    })
                    .collect(),
                covered: enums::all(s.covered()),
                full_coverage: s.full_coverage(),
            },
        }
    }
}

/// Cases and amount at one level.
#[derive(Debug, Object)]
pub struct MediationLevel {
    pub key: Level,
    pub cases: u64,
    pub amount: Money,
}

/// Cases of one category.
#[derive(Debug, Object)]
pub struct MediationCategoryTally {
    pub key: MediationCategory,
    pub cases: u64,
}

/// 人民调解 in a year.
#[derive(Debug, Object)]
pub struct MediationSummary {
    pub cases: u64,
    /// 调解金额 (yuan), summed exactly.
    pub amount: Money,
    /// 调解成功
    pub settled: u64,
    /// street, community, village, other — zeros too.
    pub by_level: Vec<MediationLevel>,
    pub by_category: Vec<MediationCategoryTally>,
}

/// A count at one level.
#[derive(Debug, Object)]
pub struct LevelCount {
    pub key: Level,
    pub count: u64,
}

/// A count of one topic.
#[derive(Debug, Object)]
pub struct TopicCount {
    pub key: LegalTopic,
    pub count: u64,
}

/// 律师值班: shifts in all and per level.
#[derive(Debug, Object)]
pub struct LawyerDutySummary {
    pub count: u64,
    pub by_level: Vec<LevelCount>,
}

/// 法律咨询: consultations in all and per topic (one without a topic counts as `other`).
#[derive(Debug, Object)]
pub struct ConsultationSummary {
    pub count: u64,
    pub by_topic: Vec<TopicCount>,
}

/// 法律援助: cases.
#[derive(Debug, Object)]
pub struct LegalAidSummary {
    pub count: u64,
}

/// 公共法律服务 in a year.
#[derive(Debug, Object)]
pub struct LegalServicesSummary {
    pub lawyer_duty: LawyerDutySummary,
    pub consultation: ConsultationSummary,
    pub legal_aid: LegalAidSummary,
}

/// 矛盾纠纷排查 in a year.
#[derive(Debug, Object)]
pub struct ScreeningsSummary {
    pub events: u64,
    pub issues_found: u64,
    pub issues_resolved: u64,
}

/// 信访 in a year.
#[derive(Debug, Object)]
pub struct PetitionsSummary {
    pub cases: u64,
    pub visitors: u64,
}

/// 行政执法检查 of one field.
#[derive(Debug, Object)]
pub struct InspectionFieldTally {
    pub key: InspectionField,
    pub events: u64,
    pub entities_checked: u64,
    pub hazards_found: u64,
    pub hazards_fixed: u64,
    pub penalties: u64,
    pub fines: Money,
}

/// 行政执法检查 in a year.
#[derive(Debug, Object)]
pub struct InspectionsSummary {
    pub events: u64,
    /// 检查家次
    pub entities_checked: u64,
    pub hazards_found: u64,
    pub hazards_fixed: u64,
    /// 处罚单位数
    pub penalties: u64,
    /// 罚款 (yuan), summed exactly.
    pub fines: Money,
    pub by_field: Vec<InspectionFieldTally>,
}

/// The ledgers' figures of one year (the annual summary shows this year's and, in
/// `previous`, the year before's).
#[derive(Debug, Object)]
pub struct LedgerYear {
    pub year: i32,
    pub mediation: MediationSummary,
    pub legal_services: LegalServicesSummary,
    pub screenings: ScreeningsSummary,
    pub petitions: PetitionsSummary,
    pub inspections: InspectionsSummary,
    #[oai(flatten)]
    pub law: LawSections,
}

/// 任务分解表: the year's tasks; `overdue`: not done and past the due day, as of today.
#[derive(Debug, Object)]
pub struct TasksSummary {
    pub total: u64,
    pub done: u64,
    pub overdue: u64,
}

/// How many reviews found each result.
#[derive(Debug, Object)]
pub struct ReviewResultCount {
    pub key: ReviewResult,
    pub count: u64,
}

/// 重大行政决策: the decisions submitted for review in the year.
#[derive(Debug, Object)]
pub struct DecisionsSummary {
    pub total: u64,
    /// With a review result.
    pub reviewed: u64,
    pub by_result: Vec<ReviewResultCount>,
    pub adopted: u64,
    /// Decided with no review result: taken without a legality review.
    pub decided_unreviewed: u64,
    /// Neither reviewed nor decided yet.
    pub pending: u64,
}

/// 法律顾问 and 公职律师 serving at any time of the year.
#[derive(Debug, Object)]
pub struct AdvisersSummary {
    pub legal_advisers: u64,
    pub public_lawyers: u64,
}

/// 述职述法: the leading cadres in scope (now), the year's reports, and who is missing.
#[derive(Debug, Object)]
pub struct LawReportsSummary {
    pub leaders: u64,
    pub reported: u64,
    pub on_site: u64,
    pub missing: u64,
}

/// 普法责任清单: the year's duties.
#[derive(Debug, Object)]
pub struct DutiesSummary {
    /// Units with at least one duty.
    pub units: u64,
    pub items: u64,
    pub done: u64,
    pub cases_explained: u64,
}

/// The rest of the 法治政府建设 report of one year.
#[derive(Debug, Object)]
pub struct LawSections {
    pub tasks: TasksSummary,
    pub decisions: DecisionsSummary,
    pub advisers: AdvisersSummary,
    pub law_reports: LawReportsSummary,
    pub duties: DutiesSummary,
}

impl From<&LawFigures> for LawSections {
    fn from(f: &LawFigures) -> Self {
        let (t, d, a, r, u) = (
            &f.tasks,
            &f.decisions,
            &f.advisers,
            &f.law_reports,
            &f.duties,
        );
        Self {
            tasks: TasksSummary {
                total: t.total,
                done: t.done,
                overdue: t.overdue,
            },
            decisions: DecisionsSummary {
                total: d.total,
                reviewed: d.reviewed,
                by_result: (d.by_result.0.iter())
                    .map(|(k, n)| ReviewResultCount {
                        key: (*k).into(),
                        count: *n,
                    })
                    .collect(),
                adopted: d.adopted,
                decided_unreviewed: d.decided_unreviewed,
                pending: d.pending,
            },
            advisers: AdvisersSummary {
                legal_advisers: a.legal_advisers,
                public_lawyers: a.public_lawyers,
            },
            law_reports: LawReportsSummary {
                leaders: r.leaders,
                reported: r.reported,
                on_site: r.on_site,
                missing: r.missing,
            },
            duties: DutiesSummary {
                units: u.units,
                items: u.items,
                done: u.done,
                cases_explained: u.cases_explained,
            },
        }
    }
}

impl From<&domain::services::ledgers::figures::Inspection> for InspectionsSummary {
    fn from(i: &domain::services::ledgers::figures::Inspection) -> Self {
        Self {
            events: i.events,
            entities_checked: i.entities_checked,
            hazards_found: i.hazards_found,
            hazards_fixed: i.hazards_fixed,
            penalties: i.penalties,
            fines: Money(i.fines_cents),
            by_field: Vec::new(),
        }
    }
}

impl From<&LedgerFigures> for LedgerYear {
    fn from(f: &LedgerFigures) -> Self {
        let m = &f.mediation;
        let s = &f.legal_services;
        let mut inspections = InspectionsSummary::from(&f.inspections);
        inspections.by_field = f
            .inspections_by_field
            .0
            .iter()
            .map(|(k, i)| InspectionFieldTally {
                key: (*k).into(),
                events: i.events,
                entities_checked: i.entities_checked,
                hazards_found: i.hazards_found,
                hazards_fixed: i.hazards_fixed,
                penalties: i.penalties,
                fines: Money(i.fines_cents),
            })
            .collect();
        Self {
            year: f.year,
            mediation: MediationSummary {
                cases: m.cases,
                amount: Money(m.amount_cents),
                settled: m.settled,
                by_level: m
                    .by_level
                    .0
                    .iter()
                    .map(|(k, (cases, cents))| MediationLevel {
                        key: (*k).into(),
                        cases: *cases,
                        amount: Money(*cents),
                    })
                    .collect(),
                by_category: m
                    .by_category
                    .0
                    .iter()
                    .map(|(k, cases)| MediationCategoryTally {
                        key: (*k).into(),
                        cases: *cases,
                    })
                    .collect(),
            },
            legal_services: LegalServicesSummary {
                lawyer_duty: LawyerDutySummary {
                    count: s.lawyer_duty,
                    by_level: s
                        .lawyer_duty_by_level
                        .0
                        .iter()
                        .map(|(k, count)| LevelCount {
                            key: (*k).into(),
                            count: *count,
                        })
                        .collect(),
                },
                consultation: ConsultationSummary {
                    count: s.consultation,
                    by_topic: s
                        .consultation_by_topic
                        .0
                        .iter()
                        .map(|(k, count)| TopicCount {
                            key: (*k).into(),
                            count: *count,
                        })
                        .collect(),
                },
                legal_aid: LegalAidSummary { count: s.legal_aid },
            },
            screenings: ScreeningsSummary {
                events: f.screenings.events,
                issues_found: f.screenings.issues_found,
                issues_resolved: f.screenings.issues_resolved,
            },
            petitions: PetitionsSummary {
                cases: f.petitions.cases,
                visitors: f.petitions.visitors,
            },
            inspections,
            law: LawSections::from(&f.law),
        }
    }
}
