//! The four targets as the API shows them: `GET /campaigns/{id}/targets`, each campaign of
//! the annual summary.

use domain::services::targets::{Counts, Grades, Target, TargetsReport};
use poem_openapi::Object;

/// One target's figure.
#[derive(Debug, Object)]
pub struct Rate {
    /// Roster members who count for the target.
    pub count: u64,
    /// `count / roster` in [0, 1]; null for an empty roster.
    pub rate: Option<f64>,
}

/// One target's count and rate over `c`.
pub fn rate(c: &Counts, t: Target) -> Rate {
    Rate {
        count: c.count(t),
        rate: c.rate(t),
    }
}

/// The roster by its members' best finished attempt: each member in exactly one bucket.
#[derive(Debug, Object)]
pub struct GradesView {
    /// 优秀
    pub excellent: u64,
    /// 良好
    pub good: u64,
    /// 合格
    pub pass: u64,
    /// 不合格
    pub fail: u64,
    /// No finished attempt (未参考).
    pub not_sat: u64,
}

impl From<Grades> for GradesView {
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

/// The figures of one unit, its sub-units included.
#[derive(Debug, Object)]
pub struct UnitTargets {
    pub unit_id: i64,
    pub name: String,
    /// Enrolled and not exempt.
    pub roster: u64,
    /// 参与率
    pub participation: Rate,
    /// 学习率
    pub study: Rate,
    /// 考试率
    pub exam: Rate,
    /// 合格率
    pub pass: Rate,
    /// All four rates are 1.
    pub all_met: bool,
    /// 成绩等级 over the unit's roster.
    pub grades: GradesView,
    /// Passed only through a make-up (补考) attempt.
    pub passed_in_makeup: u64,
    /// Minutes credited over the unit's roster.
    pub credited_minutes: u64,
    /// Of them, those timed live by the server.
    pub live_minutes: u64,
    /// `live_minutes / credited_minutes`; null when nothing is credited.
    pub live_share: Option<f64>,
}

/// The four 100% targets (四个100%).
#[derive(Debug, Object)]
pub struct TargetsView {
    /// Enrolled and not exempt (a cadre disabled after enrollment stays on it).
    pub roster: u64,
    /// 参与率: a study session or an exam attempt.
    pub participation: Rate,
    /// 学习率: study complete.
    pub study: Rate,
    /// 考试率: a finished (submitted or expired) attempt.
    pub exam: Rate,
    /// 合格率: best finished score ≥ the pass score (over the whole roster).
    pub pass: Rate,
    pub all_met: bool,
    /// 成绩等级 over the roster.
    pub grades: GradesView,
    /// Roster members who passed only through a make-up (补考) attempt (they count in
    /// `pass` too).
    pub passed_in_makeup: u64,
    /// Minutes credited over the roster.
    pub credited_minutes: u64,
    /// Of them, those timed live by the server.
    pub live_minutes: u64,
    /// `live_minutes / credited_minutes`; null when nothing is credited.
    pub live_share: Option<f64>,
    /// Every unit in scope (depth first), each rolled up over its sub-units.
    pub by_unit: Vec<UnitTargets>,
}

impl From<TargetsReport> for TargetsView {
    fn from(r: TargetsReport) -> Self {
        let c = r.counts;
        Self {
            roster: c.roster,
            participation: rate(&c, Target::Participation),
            study: rate(&c, Target::Study),
            exam: rate(&c, Target::Exam),
            pass: rate(&c, Target::Pass),
            all_met: c.all_met(),
            grades: c.grades.into(),
            passed_in_makeup: c.passed_in_makeup,
            credited_minutes: c.credited_minutes,
            live_minutes: c.live_minutes,
            live_share: c.live_share(),
            by_unit: r
                .by_unit
                .into_iter()
                .map(|u| UnitTargets {
                    unit_id: u.unit_id,
                    name: u.name,
                    roster: u.counts.roster,
                    participation: rate(&u.counts, Target::Participation),
                    study: rate(&u.counts, Target::Study),
                    exam: rate(&u.counts, Target::Exam),
                    pass: rate(&u.counts, Target::Pass),
                    all_met: u.counts.all_met(),
                    grades: u.counts.grades.into(),
                    passed_in_makeup: u.counts.passed_in_makeup,
                    credited_minutes: u.counts.credited_minutes,
                    live_minutes: u.counts.live_minutes,
                    live_share: u.counts.live_share(),
                })
                .collect(),
        }
    }
}
