//! The archive's document, version 1: what `GET /reports/archives/{id}` serves byte for
//! byte and what its SHA-256 is taken over. These types are the domain's own, apart from
//! the API's views of the live report, so that renaming a view field cannot change a
//! future archive or the paths its diff compares. A test pins the JSON of a known year to
//! a committed fixture. A change of shape is a new module ([`super::v2`] adds to these
//! types); the archives already stored keep their bytes.

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use crate::{
    money,
    services::{
        ledgers::figures::{Inspection, LedgerFigures},
        reports::AnnualSummary,
        targets::{Counts, Grades, Target, UnitCounts},
    },
};

/// The whole document: the annual summary and each of the year's campaigns' targets
/// (with every unit) as they stood.
#[derive(Debug, Serialize)]
pub struct Archive {
    pub year: i32,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    /// The unit summarised; absent for the whole installation (so the archives made
    /// before units had their own keep their bytes and their diffs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<ArchiveUnit>,
    pub summary: Summary,
    pub targets: Vec<CampaignTargets>,
}

/// The unit an archive summarises.
#[derive(Debug, Serialize)]
pub struct ArchiveUnit {
    pub id: i64,
    pub name: String,
}

impl Archive {
    /// The document of `summary`, stamped with when and by whom it was (or would be) made.
    pub fn of(summary: &AnnualSummary, created_at: DateTime<Utc>, created_by: Option<i64>) -> Self {
        Self {
            year: summary.year,
            created_at,
            created_by,
            unit: summary.unit.as_ref().map(|(id, name)| ArchiveUnit {
                id: *id,
                name: name.clone(),
            }),
            summary: Summary::from(summary),
            targets: summary
                .campaigns
                .iter()
                .map(|c| CampaignTargets {
                    campaign_id: c.campaign_id,
                    title: c.title.clone(),
                    targets: Targets {
                        figures: Figures::from(&c.counts),
                        by_unit: c.by_unit.iter().map(UnitFigures::from).collect(),
                    },
                })
                .collect(),
        }
    }

    /// The JSON as stored and served: compact, keys in alphabetical order at every level
    /// (as every archive so far has been written).
    pub fn to_json(&self) -> String {
        let value = serde_json::to_value(self).expect("the archive serialises");
        serde_json::to_string(&value).expect("a JSON value serialises")
    }
}

/// Written as `2026-12-04T10:00:00+00:00`, as the live API writes a time.
fn rfc3339<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339())
}

/// Yuan with two decimals, as a JSON number written from its digits (never a float).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(pub i64);

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let number: serde_json::Number = money::yuan(self.0)
            .parse()
            .map_err(serde::ser::Error::custom)?;
        number.serialize(s)
    }
}

#[derive(Debug, Serialize)]
pub struct Rate {
    pub count: u64,
    pub rate: Option<f64>,
}

impl Rate {
    fn of(c: &Counts, t: Target) -> Self {
        Self {
            count: c.count(t),
            rate: c.rate(t),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct GradeCounts {
    pub excellent: u64,
    pub good: u64,
    pub pass: u64,
    pub fail: u64,
    pub not_sat: u64,
}

impl From<Grades> for GradeCounts {
    fn from(g: Grades) -> Self {
        Self {
            excellent: g.excellent,
            good: g.good,
            pass: g.pass,
            fail: g.fail,
            not_sat: g.not_sat,
        }
    }
}

/// The four targets over a roster.
#[derive(Debug, Serialize)]
pub struct Figures {
    pub roster: u64,
    pub participation: Rate,
    pub study: Rate,
    pub exam: Rate,
    pub pass: Rate,
    pub all_met: bool,
    pub grades: GradeCounts,
    pub passed_in_makeup: u64,
}

impl From<&Counts> for Figures {
    fn from(c: &Counts) -> Self {
        Self {
            roster: c.roster,
            participation: Rate::of(c, Target::Participation),
            study: Rate::of(c, Target::Study),
            exam: Rate::of(c, Target::Exam),
            pass: Rate::of(c, Target::Pass),
            all_met: c.all_met(),
            grades: c.grades.into(),
            passed_in_makeup: c.passed_in_makeup,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CampaignSummary {
    pub campaign_id: i64,
    pub title: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize)]
pub struct UnitFigures {
    pub unit_id: i64,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

impl From<&UnitCounts> for UnitFigures {
    fn from(u: &UnitCounts) -> Self {
        Self {
            unit_id: u.unit_id,
            name: u.name.clone(),
            figures: Figures::from(&u.counts),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Targets {
    #[serde(flatten)]
    pub figures: Figures,
    pub by_unit: Vec<UnitFigures>,
}

#[derive(Debug, Serialize)]
pub struct CampaignTargets {
    pub campaign_id: i64,
    pub title: String,
    pub targets: Targets,
}

/// Events, attendance (and materials) under a key of a vocabulary.
#[derive(Debug, Serialize)]
pub struct KeyTally {
    pub key: &'static str,
    pub events: u64,
    pub attendance: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub materials: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct Training {
    pub events: u64,
    pub attendance: u64,
    pub by_audience: Vec<KeyTally>,
}

#[derive(Debug, Serialize)]
pub struct Publicity {
    pub events: u64,
    pub street_events: u64,
    pub community_events: u64,
    pub attendance: u64,
    pub materials: u64,
}

#[derive(Debug, Serialize)]
pub struct SixInto {
    pub venues: Vec<KeyTally>,
    pub covered: Vec<&'static str>,
    pub full_coverage: bool,
}

/// A count (and an amount) under a key.
#[derive(Debug, Serialize)]
pub struct KeyCount {
    pub key: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cases: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
}

#[derive(Debug, Serialize)]
pub struct Mediation {
    pub cases: u64,
    pub amount: Money,
    pub settled: u64,
    pub by_level: Vec<KeyCount>,
    pub by_category: Vec<KeyCount>,
}

#[derive(Debug, Serialize)]
pub struct Counted {
    pub count: u64,
}

#[derive(Debug, Serialize)]
pub struct LawyerDuty {
    pub count: u64,
    pub by_level: Vec<KeyCount>,
}

#[derive(Debug, Serialize)]
pub struct Consultation {
    pub count: u64,
    pub by_topic: Vec<KeyCount>,
}

#[derive(Debug, Serialize)]
pub struct LegalServices {
    pub lawyer_duty: LawyerDuty,
    pub consultation: Consultation,
    pub legal_aid: Counted,
}

#[derive(Debug, Serialize)]
pub struct Screenings {
    pub events: u64,
    pub issues_found: u64,
    pub issues_resolved: u64,
}

#[derive(Debug, Serialize)]
pub struct Petitions {
    pub cases: u64,
    pub visitors: u64,
}

#[derive(Debug, Serialize)]
pub struct InspectionFigures {
    pub events: u64,
    pub entities_checked: u64,
    pub hazards_found: u64,
    pub hazards_fixed: u64,
    pub penalties: u64,
    pub fines: Money,
}

impl From<&Inspection> for InspectionFigures {
    fn from(i: &Inspection) -> Self {
        Self {
            events: i.events,
            entities_checked: i.entities_checked,
            hazards_found: i.hazards_found,
            hazards_fixed: i.hazards_fixed,
            penalties: i.penalties,
            fines: Money(i.fines_cents),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct FieldInspections {
    pub key: &'static str,
    #[serde(flatten)]
    pub figures: InspectionFigures,
}

#[derive(Debug, Serialize)]
pub struct Inspections {
    #[serde(flatten)]
    pub figures: InspectionFigures,
    pub by_field: Vec<FieldInspections>,
}

/// The five ledgers' figures of one year.
#[derive(Debug, Serialize)]
pub struct Ledgers {
    pub mediation: Mediation,
    pub legal_services: LegalServices,
    pub screenings: Screenings,
    pub petitions: Petitions,
    pub inspections: Inspections,
    /// Version 2: the rest of the 法治政府建设 report (absent from a version-1 document).
    #[serde(flatten)]
    pub law: Option<super::v2::Law>,
}

impl From<&LedgerFigures> for Ledgers {
    fn from(f: &LedgerFigures) -> Self {
        let m = &f.mediation;
        let s = &f.legal_services;
        let keyed = |key: &'static str| KeyCount {
            key,
            cases: None,
            count: None,
            amount: None,
        };
        Self {
            mediation: Mediation {
                cases: m.cases,
                amount: Money(m.amount_cents),
                settled: m.settled,
                by_level: (m.by_level.0.iter())
                    .map(|(k, (cases, cents))| KeyCount {
                        cases: Some(*cases),
                        amount: Some(Money(*cents)),
                        ..keyed(k.key())
                    })
                    .collect(),
                by_category: (m.by_category.0.iter())
                    .map(|(k, cases)| KeyCount {
                        cases: Some(*cases),
                        ..keyed(k.key())
                    })
                    .collect(),
            },
            legal_services: LegalServices {
                lawyer_duty: LawyerDuty {
                    count: s.lawyer_duty,
                    by_level: (s.lawyer_duty_by_level.0.iter())
                        .map(|(k, count)| KeyCount {
                            count: Some(*count),
                            ..keyed(k.key())
                        })
                        .collect(),
                },
                consultation: Consultation {
                    count: s.consultation,
                    by_topic: (s.consultation_by_topic.0.iter())
                        .map(|(k, count)| KeyCount {
                            count: Some(*count),
                            ..keyed(k.key())
                        })
                        .collect(),
                },
                legal_aid: Counted { count: s.legal_aid },
            },
            screenings: Screenings {
                events: f.screenings.events,
                issues_found: f.screenings.issues_found,
                issues_resolved: f.screenings.issues_resolved,
            },
            petitions: Petitions {
                cases: f.petitions.cases,
                visitors: f.petitions.visitors,
            },
            inspections: Inspections {
                figures: InspectionFigures::from(&f.inspections),
                by_field: (f.inspections_by_field.0.iter())
                    .map(|(k, i)| FieldInspections {
                        key: k.key(),
                        figures: InspectionFigures::from(i),
                    })
                    .collect(),
            },
            law: Some(super::v2::Law::from(&f.law)),
        }
    }
}

/// The ledgers of the year before, with its year.
#[derive(Debug, Serialize)]
pub struct PreviousYear {
    pub year: i32,
    #[serde(flatten)]
    pub ledgers: Ledgers,
}

/// The annual summary.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub year: i32,
    pub campaigns: Vec<CampaignSummary>,
    pub training: Training,
    pub publicity: Publicity,
    pub themes: Vec<KeyTally>,
    pub six_into: SixInto,
    #[serde(flatten)]
    pub ledgers: Ledgers,
    pub previous: PreviousYear,
}

impl From<&AnnualSummary> for Summary {
    fn from(s: &AnnualSummary) -> Self {
        Self {
            year: s.year,
            campaigns: (s.campaigns.iter())
                .map(|c| CampaignSummary {
                    campaign_id: c.campaign_id,
                    title: c.title.clone(),
                    figures: Figures::from(&c.counts),
                })
                .collect(),
            training: Training {
                events: s.training.events,
                attendance: s.training.attendance,
                by_audience: (s.training_by_audience.iter())
                    .map(|(a, t)| KeyTally {
                        key: a.key(),
                        events: t.events,
                        attendance: t.attendance,
                        materials: None,
                    })
                    .collect(),
            },
            publicity: Publicity {
                events: s.publicity.events,
                street_events: s.publicity_street,
                community_events: s.publicity_community,
                attendance: s.publicity.attendance,
                materials: s.publicity.materials,
            },
            themes: (s.themes.iter())
                .map(|(k, t)| KeyTally {
                    key: k.key(),
                    events: t.events,
                    attendance: t.attendance,
                    materials: Some(t.materials),
                })
                .collect(),
            six_into: SixInto {
                venues: (s.venues.iter())
                    .map(|(k, t)| KeyTally {
                        key: k.key(),
                        events: t.events,
                        attendance: t.attendance,
                        materials: None,
                    })
                    .collect(),
                covered: s.covered().iter().map(|v| v.key()).collect(),
                full_coverage: s.full_coverage(),
            },
            ledgers: Ledgers::from(&s.ledgers),
            previous: PreviousYear {
                year: s.previous.year,
                ledgers: Ledgers::from(&s.previous),
            },
        }
    }
}
