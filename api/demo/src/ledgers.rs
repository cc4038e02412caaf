//! A year of the judicial office's other ledgers, shaped like the seed 工作总结 (about 576
//! mediated disputes — street 117, communities 410, villages 49 — 37 + 105 lawyer duty
//! shifts, 117 consultations, 270 screened disputes, 100 petition cases with 500
//! visitors, 1,892 inspections), dated so far this year; and the year before at about
//! 85 %, so that the summary can state the change.

use chrono::{Duration, NaiveDate};
use domain::{error::AppResult, services::ledgers::unstored};
use entity::{
    inspection, legal_service, mediation_case, petition, screening,
    vocabulary::{
        InspectionField, LegalServiceKind, LegalTopic, MediationCategory, MediationResult,
    },
};
use rand::{Rng, seq::IndexedRandom};
use sea_orm::{ActiveValue::NotSet, Set};

use crate::{Gen, org::Org, write::bulk};

/// The days records may fall on, and how much of a full year to make.
struct Span {
    first: NaiveDate,
    last: NaiveDate,
    scale: f64,
}

impl Span {
    fn day(&self, g: &mut Gen<'_>) -> NaiveDate {
        let days = (self.last - self.first).num_days().max(0);
        self.first + Duration::days(g.rng.random_range(0..=days))
    }

    fn n(&self, full_year: u32) -> u32 {
        ((full_year as f64) * self.scale).round() as u32
    }
}

/// This year so far and the whole year before. Returns how many records were made.
pub async fn ledgers(g: &mut Gen<'_>, org: &Org) -> AppResult<usize> {
    let first = NaiveDate::from_ymd_opt(g.year, 1, 1).expect("a new year");
    let spans = [
        Span {
            first,
            last: g.today,
            scale: 1.0,
        },
        Span {
            first: NaiveDate::from_ymd_opt(g.year - 1, 1, 1).expect("a new year"),
            last: first - Duration::days(1),
            scale: 0.85,
        },
    ];
    let mut made = 0;
    for span in &spans {
        made += mediation(g, org, span).await?;
        made += legal_services(g, org, span).await?;
        made += screenings_and_petitions(g, org, span).await?;
        made += inspections(g, org, span).await?;
    }
    Ok(made)
}

fn street_unit(g: &mut Gen<'_>, org: &Org) -> i64 {
    if g.rng.random_bool(0.6) {
        org.street_id
    } else {
        *org.departments.choose(&mut g.rng).expect("departments")
    }
}

async fn mediation(g: &mut Gen<'_>, org: &Org, span: &Span) -> AppResult<usize> {
    const CATEGORIES: [MediationCategory; 10] = [
        MediationCategory::Family,
        MediationCategory::Family,
        MediationCategory::Family,
        MediationCategory::Neighbour,
        MediationCategory::Neighbour,
        MediationCategory::Property,
        MediationCategory::Labour,
        MediationCategory::Contract,
        MediationCategory::Land,
        MediationCategory::Other,
    ];
    let (created_by, created_at, updated_at, deleted_at) = unstored(g.now);
    let mut rows = Vec::new();
    for (level, count) in [(0, span.n(117)), (1, span.n(410)), (2, span.n(49))] {
        for _ in 0..count {
            let unit = match level {
                0 => street_unit(g, org),
                1 => *org.communities.choose(&mut g.rng).expect("communities"),
                _ => *org.villages.choose(&mut g.rng).expect("villages"),
            };
            let received_on = span.day(g);
            let roll = g.rng.random_range(0..100);
            let result = match roll {
                0..=2 => MediationResult::Pending,
                3..=7 => MediationResult::Unsettled,
                _ => MediationResult::Settled,
            };
            let closed_on = (result != MediationResult::Pending)
                .then(|| (received_on + Duration::days(g.rng.random_range(0..15))).min(span.last));
            // One dispute in four is about money: 200 to 5,000 yuan, to the fen.
            let amount_cents = if g.rng.random_bool(0.25) {
                g.rng.random_range(20_000..500_000)
            } else {
                0
            };
            rows.push(mediation_case::ActiveModel {
                id: NotSet,
                committee_unit_id: Set(unit),
                received_on: Set(received_on),
                closed_on: Set(closed_on),
                category: Set(*CATEGORIES.choose(&mut g.rng).expect("categories")),
                result: Set(result),
                amount_cents: Set(amount_cents),
                notes: Set(String::new()),
                created_by: Set(created_by),
                created_at: Set(created_at),
                updated_at: Set(updated_at),
                deleted_at: Set(deleted_at),
            });
        }
    }
    let made = rows.len();
    bulk(g.txn, rows).await?;
    Ok(made)
}

async fn legal_services(g: &mut Gen<'_>, org: &Org, span: &Span) -> AppResult<usize> {
    let (created_by, created_at, updated_at, deleted_at) = unstored(g.now);
    let mut rows = Vec::new();
    let mut add = |g: &mut Gen<'_>, kind, unit, count, topic| {
        rows.push(legal_service::ActiveModel {
            id: NotSet,
            kind: Set(kind),
            unit_id: Set(unit),
            held_on: Set(span.day(g)),
            count: Set(count),
            topic: Set(topic),
            notes: Set(String::new()),
            created_by: Set(created_by),
            created_at: Set(created_at),
            updated_at: Set(updated_at),
            deleted_at: Set(deleted_at),
        });
    };
    for _ in 0..span.n(37) {
        add(g, LegalServiceKind::LawyerDuty, org.street_id, 1, None);
    }
    for _ in 0..span.n(105) {
        let unit = *org.communities.choose(&mut g.rng).expect("communities");
        add(g, LegalServiceKind::LawyerDuty, unit, 1, None);
    }
    for _ in 0..span.n(60) {
        let unit = street_unit(g, org);
        let topic = *LegalTopic::ALL.choose(&mut g.rng).expect("topics");
        let count = g.rng.random_range(1..=3);
        add(g, LegalServiceKind::Consultation, unit, count, Some(topic));
    }
    for _ in 0..span.n(12) {
        add(g, LegalServiceKind::LegalAid, org.street_id, 1, None);
    }
    let made = rows.len();
    bulk(g.txn, rows).await?;
    Ok(made)
}

async fn screenings_and_petitions(g: &mut Gen<'_>, org: &Org, span: &Span) -> AppResult<usize> {
    let (created_by, created_at, updated_at, deleted_at) = unstored(g.now);
    let mut screenings = Vec::new();
    for _ in 0..span.n(24) {
        let found = g.rng.random_range(6..=16);
        let unit = if g.rng.random_bool(0.5) {
            org.street_id
        } else {
            *org.communities.choose(&mut g.rng).expect("communities")
        };
        screenings.push(screening::ActiveModel {
            id: NotSet,
            unit_id: Set(unit),
            held_on: Set(span.day(g)),
            issues_found: Set(found),
            issues_resolved: Set(found - g.rng.random_range(0..=1)),
            notes: Set(String::new()),
            created_by: Set(created_by),
            created_at: Set(created_at),
            updated_at: Set(updated_at),
            deleted_at: Set(deleted_at),
        });
    }
    let mut petitions = Vec::new();
    for _ in 0..span.n(50) {
        let cases = g.rng.random_range(1..=3);
        petitions.push(petition::ActiveModel {
            id: NotSet,
            unit_id: Set(org.street_id),
            received_on: Set(span.day(g)),
            cases: Set(cases),
            visitors: Set(cases * g.rng.random_range(3..=7)),
            notes: Set(String::new()),
            created_by: Set(created_by),
            created_at: Set(created_at),
            updated_at: Set(updated_at),
            deleted_at: Set(deleted_at),
        });
    }
    let made = screenings.len() + petitions.len();
    bulk(g.txn, screenings).await?;
    bulk(g.txn, petitions).await?;
    Ok(made)
}

async fn inspections(g: &mut Gen<'_>, org: &Org, span: &Span) -> AppResult<usize> {
    let (created_by, created_at, updated_at, deleted_at) = unstored(g.now);
    let mut rows = Vec::new();
    for i in 0..span.n(150) {
        let field = match i % 20 {
            0..=13 => InspectionField::Safety,
            14..=18 => InspectionField::City,
            _ => InspectionField::Other,
        };
        let checked = g.rng.random_range(6..=19);
        let found = (checked * g.rng.random_range(70..=95)) / 100;
        let fixed = found - g.rng.random_range(0..=found.min(1));
        // About one round in twenty ends in a penalty of 5,000 to 20,000 yuan.
        let penalties = i32::from(g.rng.random_bool(0.05));
        let fines_cents = i64::from(penalties) * g.rng.random_range(5_000..=20_000) * 100;
        rows.push(inspection::ActiveModel {
            id: NotSet,
            unit_id: Set(street_unit(g, org)),
            held_on: Set(span.day(g)),
            field: Set(field),
            entities_checked: Set(checked),
            hazards_found: Set(found),
            hazards_fixed: Set(fixed),
            penalties: Set(penalties),
            fines_cents: Set(fines_cents),
            notes: Set(String::new()),
            created_by: Set(created_by),
            created_at: Set(created_at),
            updated_at: Set(updated_at),
            deleted_at: Set(deleted_at),
        });
    }
    let made = rows.len();
    bulk(g.txn, rows).await?;
    Ok(made)
}
