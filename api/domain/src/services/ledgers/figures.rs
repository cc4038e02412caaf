//! A year's figures from the five ledgers, as the annual summary states them. Money is
//! summed in cents.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;

use chrono::NaiveDate;

pub use super::ByKey;
use super::law_figures::{self, LawFigures};
use super::{
    InspectionField, Inspections, LegalServiceKind, LegalServices, LegalTopic, Level,
    MediationCases, MediationCategory, MediationResult, Petitions, Screenings, levels, of_year,
};
use crate::{error::AppResult, policy::Scope};

/// 人民调解.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mediation {
    pub cases: u64,
    pub amount_cents: i64,
    pub settled: u64,
    /// Cases and amount (cents) per level.
    pub by_level: ByKey<Level, (u64, i64)>,
    pub by_category: ByKey<MediationCategory, u64>,
}

/// 公共法律服务.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalService {
    pub lawyer_duty: u64,
    pub lawyer_duty_by_level: ByKey<Level, u64>,
    pub consultation: u64,
    /// A consultation without a topic counts under `other`.
    pub consultation_by_topic: ByKey<LegalTopic, u64>,
    pub legal_aid: u64,
}

/// 矛盾纠纷排查.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Screening {
    pub events: u64,
    pub issues_found: u64,
    pub issues_resolved: u64,
}

/// 信访.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Petition {
    pub cases: u64,
    pub visitors: u64,
}

/// 行政执法检查 (the whole, or one field).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inspection {
    pub events: u64,
    pub entities_checked: u64,
    pub hazards_found: u64,
    pub hazards_fixed: u64,
    pub penalties: u64,
    pub fines_cents: i64,
}

impl Inspection {
    fn add(&mut self, m: &entity::inspection::Model) {
        self.events += 1;
        self.entities_checked += m.entities_checked.max(0) as u64;
        self.hazards_found += m.hazards_found.max(0) as u64;
        self.hazards_fixed += m.hazards_fixed.max(0) as u64;
        self.penalties += m.penalties.max(0) as u64;
        self.fines_cents += m.fines_cents;
    }
}

/// Everything the five ledgers say about one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerFigures {
    pub year: i32,
    pub mediation: Mediation,
    pub legal_services: LegalService,
    pub screenings: Screening,
    pub petitions: Petition,
    pub inspections: Inspection,
    pub inspections_by_field: ByKey<InspectionField, Inspection>,
    /// The rest of the 法治政府建设 report: tasks, decisions, advisers, 述法, duties.
    pub law: LawFigures,
}

/// The year's figures (records not deleted, dated in the year; a task overdue as of
/// `today`). Records of units in `scope` only.
pub async fn of(
    db: &impl ConnectionTrait,
    scope: &Scope,
    year: i32,
    today: NaiveDate,
) -> AppResult<LedgerFigures> {
    let levels: HashMap<i64, Level> = levels(db).await?;
    Ok(LedgerFigures {
        law: law_figures::of(db, scope, year, today, &levels).await?,
        year,
        mediation: mediation(db, scope, year, &levels).await?,
        legal_services: legal_services(db, scope, year, &levels).await?,
        screenings: of_year::<Screenings>(db, scope, year, &levels)
            .await?
            .iter()
            .fold(Screening::default(), |mut s, r| {
                s.events += 1;
                s.issues_found += r.model.issues_found.max(0) as u64;
                s.issues_resolved += r.model.issues_resolved.max(0) as u64;
                s
            }),
        petitions: of_year::<Petitions>(db, scope, year, &levels)
            .await?
            .iter()
            .fold(Petition::default(), |mut p, r| {
                p.cases += r.model.cases.max(0) as u64;
                p.visitors += r.model.visitors.max(0) as u64;
                p
            }),
        inspections: Inspection::default(),
        inspections_by_field: ByKey::new(InspectionField::ALL),
    }
    .with_inspections(
        of_year::<Inspections>(db, scope, year, &levels)
            .await?
            .iter()
            .map(|r| &r.model),
    ))
}

impl LedgerFigures {
    fn with_inspections<'a>(
        mut self,
        all: impl Iterator<Item = &'a entity::inspection::Model>,
    ) -> Self {
        for m in all {
            self.inspections.add(m);
            self.inspections_by_field.at(m.field).add(m);
        }
        self
    }
}

async fn mediation(
    db: &impl ConnectionTrait,
    scope: &Scope,
    year: i32,
    levels: &HashMap<i64, Level>,
) -> AppResult<Mediation> {
    let mut m = Mediation {
        cases: 0,
        amount_cents: 0,
        settled: 0,
        by_level: ByKey::new(Level::ALL),
        by_category: ByKey::new(MediationCategory::ALL),
    };
    for r in of_year::<MediationCases>(db, scope, year, levels).await? {
        m.cases += 1;
        m.amount_cents += r.model.amount_cents;
        if r.model.result == MediationResult::Settled {
            m.settled += 1;
        }
        let level = m.by_level.at(r.level);
        level.0 += 1;
        level.1 += r.model.amount_cents;
        *m.by_category.at(r.model.category) += 1;
    }
    Ok(m)
}

async fn legal_services(
    db: &impl ConnectionTrait,
    scope: &Scope,
    year: i32,
    levels: &HashMap<i64, Level>,
) -> AppResult<LegalService> {
    let mut s = LegalService {
        lawyer_duty: 0,
        lawyer_duty_by_level: ByKey::new(Level::ALL),
        consultation: 0,
        consultation_by_topic: ByKey::new(LegalTopic::ALL),
        legal_aid: 0,
    };
    for r in of_year::<LegalServices>(db, scope, year, levels).await? {
        let n = r.model.count.max(0) as u64;
        match r.model.kind {
            LegalServiceKind::LawyerDuty => {
                s.lawyer_duty += n;
                *s.lawyer_duty_by_level.at(r.level) += n;
            }
            LegalServiceKind::Consultation => {
                s.consultation += n;
                *s.consultation_by_topic
                    .at(r.model.topic.unwrap_or(LegalTopic::Other)) += n;
            }
            LegalServiceKind::LegalAid => s.legal_aid += n,
        }
    }
    Ok(s)
}
