//! Version 2 of the archive's document: version 1 with the rest of the 法治政府建设
//! report — `tasks`, `decisions`, `advisers`, `law_reports` and `duties` — in the year's
//! figures and in `previous`. A version-1 document is a version-2 one without those
//! keys (they are `law: None`), so the archives made before keep their bytes and their
//! diffs name the new figures as added. A test pins a known year's JSON to
//! `tests/fixtures/archive-v2.json`.

use serde::Serialize;

use crate::services::ledgers::law_figures::LawFigures;

/// The five sections of one year.
#[derive(Debug, Serialize)]
pub struct Law {
    pub tasks: Tasks,
    pub decisions: Decisions,
    pub advisers: Advisers,
    pub law_reports: LawReports,
    pub duties: Duties,
}

#[derive(Debug, Serialize)]
pub struct Tasks {
    pub total: u64,
    pub done: u64,
    pub overdue: u64,
}

#[derive(Debug, Serialize)]
pub struct Decisions {
    pub total: u64,
    pub reviewed: u64,
    pub by_result: Vec<ResultCount>,
    pub adopted: u64,
    pub decided_unreviewed: u64,
    pub pending: u64,
}

/// How many reviews found one result.
#[derive(Debug, Serialize)]
pub struct ResultCount {
    pub key: &'static str,
    pub count: u64,
}

#[derive(Debug, Serialize)]
pub struct Advisers {
    pub legal_advisers: u64,
    pub public_lawyers: u64,
}

#[derive(Debug, Serialize)]
pub struct LawReports {
    pub leaders: u64,
    pub reported: u64,
    pub on_site: u64,
    pub missing: u64,
}

#[derive(Debug, Serialize)]
pub struct Duties {
    pub units: u64,
    pub items: u64,
    pub done: u64,
    pub cases_explained: u64,
}

impl From<&LawFigures> for Law {
    fn from(f: &LawFigures) -> Self {
        let (t, d, a, r, u) = (
            &f.tasks,
            &f.decisions,
            &f.advisers,
            &f.law_reports,
            &f.duties,
        );
        Self {
            tasks: Tasks {
                total: t.total,
                done: t.done,
                overdue: t.overdue,
            },
            decisions: Decisions {
                total: d.total,
                reviewed: d.reviewed,
                by_result: (d.by_result.0.iter())
                    .map(|(k, n)| ResultCount {
                        key: k.key(),
                        count: *n,
                    })
                    .collect(),
                adopted: d.adopted,
                decided_unreviewed: d.decided_unreviewed,
                pending: d.pending,
            },
            advisers: Advisers {
                legal_advisers: a.legal_advisers,
                public_lawyers: a.public_lawyers,
            },
            law_reports: LawReports {
                leaders: r.leaders,
                reported: r.reported,
                on_site: r.on_site,
                missing: r.missing,
            },
            duties: Duties {
                units: u.units,
                items: u.items,
                done: u.done,
                cases_explained: u.cases_explained,
            },
        }
    }
}
