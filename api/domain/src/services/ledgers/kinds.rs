//! The five ledgers: each one's table and its own rules.

use chrono::NaiveDate;
use entity::{inspection, legal_service, mediation_case, petition, screening};

use super::{Ledger, check_count, check_past};
use crate::{error::FieldError, money};

/// The parts of [`Ledger`] that only name things: the entity, the columns and the
/// accessors every table has. `dated` ledgers' records happened on their date; the
/// `of_year` ones (a plan, a list of duties) are ordered by theirs and check it themselves.
macro_rules! ledger_table {
    ($module:ident, $name:literal, $unit_field:ident / $unit:ident, $date_field:ident / $date:ident) => {
        ledger_table!(@named $module, $name, $unit_field / $unit, $date_field / $date);
        fn date(m: &$module::Model) -> Option<NaiveDate> {
            Some(m.$date_field)
        }
    };
    ($module:ident, $name:literal, $unit_field:ident / $unit:ident, of_year $date_field:ident / $date:ident) => {
        ledger_table!(@named $module, $name, $unit_field / $unit, $date_field / $date);
        fn date(_: &$module::Model) -> Option<NaiveDate> {
            None
        }
    };
    (@named $module:ident, $name:literal, $unit_field:ident / $unit:ident, $date_field:ident / $date:ident) => {
        type Entity = $module::Entity;
        type Model = $module::Model;
        type Active = $module::ActiveModel;
        type Column = $module::Column;
        const NAME: &'static str = $name;
        const UNIT_FIELD: &'static str = stringify!($unit_field);
        const DATE_FIELD: &'static str = stringify!($date_field);
        const ID: $module::Column = $module::Column::Id;
        const UNIT: $module::Column = $module::Column::$unit;
        const DATE: $module::Column = $module::Column::$date;
        const CREATED_BY: $module::Column = $module::Column::CreatedBy;
        const CREATED_AT: $module::Column = $module::Column::CreatedAt;
        const UPDATED_AT: $module::Column = $module::Column::UpdatedAt;
        const DELETED_AT: $module::Column = $module::Column::DeletedAt;

        fn id(m: &$module::Model) -> i64 {
            m.id
        }
        fn unit_id(m: &$module::Model) -> i64 {
            m.$unit_field
        }
    };
}

pub(super) use ledger_table;

/// Notes are free text, but not a novel.
pub(super) fn check_notes(errors: &mut Vec<FieldError>, notes: &str) {
    if notes.chars().count() > 2000 {
        errors.push(FieldError::too_long("notes", 2000));
    }
}

fn check_money(errors: &mut Vec<FieldError>, field: &str, cents: i64) {
    if !(0..=money::MAX_CENTS).contains(&cents) {
        errors.push(FieldError::out_of_range(field, 0, money::MAX_CENTS / 100));
    }
}

/// 人民调解: one dispute a mediation committee took on.
pub struct MediationCases;

impl Ledger for MediationCases {
    ledger_table!(
        mediation_case,
        "mediation_case",
        committee_unit_id / CommitteeUnitId,
        received_on / ReceivedOn
    );

    fn check(m: &mediation_case::Model, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(closed) = m.closed_on {
            if closed < m.received_on {
                errors.push(FieldError::before_field(
                    "closed_on",
                    "received_on",
                    "must not be before",
                ));
            } else {
                check_past(&mut errors, "closed_on", closed, today);
            }
        }
        check_money(&mut errors, "amount", m.amount_cents);
        check_notes(&mut errors, &m.notes);
        errors
    }

    fn describe(m: &mediation_case::Model) -> String {
        format!(
            "{} {} {} {}元",
            m.received_on,
            m.category,
            m.result,
            money::yuan(m.amount_cents)
        )
    }
}

/// 公共法律服务: lawyer duty shifts, consultations, legal aid cases.
pub struct LegalServices;

impl Ledger for LegalServices {
    ledger_table!(
        legal_service,
        "legal_service",
        unit_id / UnitId,
        held_on / HeldOn
    );

    fn check(m: &legal_service::Model, _today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        check_count(&mut errors, "count", m.count, 1);
        check_notes(&mut errors, &m.notes);
        errors
    }

    fn describe(m: &legal_service::Model) -> String {
        format!("{} {} ×{}", m.held_on, m.kind, m.count)
    }
}

/// 矛盾纠纷排查: one screening and what it found.
pub struct Screenings;

impl Ledger for Screenings {
    ledger_table!(screening, "screening", unit_id / UnitId, held_on / HeldOn);

    fn check(m: &screening::Model, _today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        check_count(&mut errors, "issues_found", m.issues_found, 0);
        check_count(&mut errors, "issues_resolved", m.issues_resolved, 0);
        if m.issues_resolved > m.issues_found {
            errors.push(FieldError::more_than_field(
                "issues_resolved",
                "issues_found",
            ));
        }
        check_notes(&mut errors, &m.notes);
        errors
    }

    fn describe(m: &screening::Model) -> String {
        format!(
            "{} found {} resolved {}",
            m.held_on, m.issues_found, m.issues_resolved
        )
    }
}

/// 信访: cases and visitors received on a day.
pub struct Petitions;

impl Ledger for Petitions {
    ledger_table!(
        petition,
        "petition",
        unit_id / UnitId,
        received_on / ReceivedOn
    );

    fn check(m: &petition::Model, _today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        check_count(&mut errors, "cases", m.cases, 0);
        check_count(&mut errors, "visitors", m.visitors, 0);
        check_notes(&mut errors, &m.notes);
        errors
    }

    fn describe(m: &petition::Model) -> String {
        format!(
            "{} cases {} visitors {}",
            m.received_on, m.cases, m.visitors
        )
    }
}

/// 行政执法检查: one round of inspections and what came of it.
pub struct Inspections;

impl Ledger for Inspections {
    ledger_table!(inspection, "inspection", unit_id / UnitId, held_on / HeldOn);

    fn check(m: &inspection::Model, _today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        check_count(&mut errors, "entities_checked", m.entities_checked, 0);
        check_count(&mut errors, "hazards_found", m.hazards_found, 0);
        check_count(&mut errors, "hazards_fixed", m.hazards_fixed, 0);
        check_count(&mut errors, "penalties", m.penalties, 0);
        if m.hazards_fixed > m.hazards_found {
            errors.push(FieldError::more_than_field(
                "hazards_fixed",
                "hazards_found",
            ));
        }
        check_money(&mut errors, "fines", m.fines_cents);
        check_notes(&mut errors, &m.notes);
        errors
    }

    fn describe(m: &inspection::Model) -> String {
        format!(
            "{} {} checked {} fined {}元",
            m.held_on,
            m.field,
            m.entities_checked,
            money::yuan(m.fines_cents)
        )
    }
}
