//! The four 100% targets (四个100%): participation, study, exam, pass — counted over the
//! roster (enrolled, not exempt), for the campaign and per unit with its sub-units.
//!
//! The database counts: one GROUP BY over the per-enrollment running figures (credited
//! study, attempts used, best score) gives each unit's own cadres; the roll-up then walks
//! the unit tree (units, not cadres), so the cost does not grow with the sessions stored.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{course, course_progress, enrollment, unit, user};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement, Value,
};

use super::{Page, PageReq, campaigns, credit, exam, report_turn::ReportTurn, units};
use crate::{
    error::AppResult,
    export::{Cell, Sheet},
    policy::Scope,
    scoring,
};

entity::keyed_enum!(
    /// One of the four targets.
    Target {
        /// At least one study session or exam attempt.
        Participation => ("participation", "参与率"),
        /// Study complete.
        Study => ("study", "学习率"),
        /// At least one finished attempt.
        Exam => ("exam", "考试率"),
        /// Best finished score ≥ the pass score.
        Pass => ("pass", "合格率"),
    }
);

impl Target {
    /// The word for those who miss it: a missing list's title and its file name.
    pub fn shortfall(self) -> &'static str {
        match self {
            Target::Participation => "未参与",
            Target::Study => "学习未完成",
            Target::Exam => "未参加考试",
            Target::Pass => "未合格",
        }
    }
}

/// The roster by its members' best finished attempt: each member in exactly one bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Grades {
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

/// Counts over a roster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub roster: u64,
    pub participation: u64,
    pub study: u64,
    pub exam: u64,
    pub pass: u64,
    /// Passed only through a make-up (补考) attempt.
    pub passed_in_makeup: u64,
    pub grades: Grades,
    /// Minutes credited over the roster, and of them those timed live.
    pub credited_minutes: u64,
    pub live_minutes: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.roster += other.roster;
        self.participation += other.participation;
        self.study += other.study;
        self.exam += other.exam;
        self.pass += other.pass;
        self.passed_in_makeup += other.passed_in_makeup;
        self.grades.excellent += other.grades.excellent;
        self.grades.good += other.grades.good;
        self.grades.pass += other.grades.pass;
        self.grades.fail += other.grades.fail;
        self.grades.not_sat += other.grades.not_sat;
        self.credited_minutes += other.credited_minutes;
        self.live_minutes += other.live_minutes;
    }

    /// The share of the credited minutes timed live; `None` when nothing is credited.
    pub fn live_share(&self) -> Option<f64> {
        (self.credited_minutes > 0).then(|| self.live_minutes as f64 / self.credited_minutes as f64)
    }

    pub fn count(&self, target: Target) -> u64 {
        match target {
            Target::Participation => self.participation,
            Target::Study => self.study,
            Target::Exam => self.exam,
            Target::Pass => self.pass,
        }
    }

    /// `count / roster`, or `None` for an empty roster. One division of two integers:
    /// nothing accumulates.
    pub fn rate(&self, target: Target) -> Option<f64> {
        (self.roster > 0).then(|| self.count(target) as f64 / self.roster as f64)
    }

    /// All four rates are 1.
    pub fn all_met(&self) -> bool {
        self.roster > 0
            && [
                Target::Participation,
                Target::Study,
                Target::Exam,
                Target::Pass,
            ]
            .iter()
            .all(|t| self.count(*t) == self.roster)
    }
}

/// A unit's figures, its sub-units included.
#[derive(Debug, Clone)]
pub struct UnitCounts {
    pub unit_id: i64,
    pub name: String,
    pub counts: Counts,
}

/// The targets of a campaign (or of one branch of the unit tree).
#[derive(Debug, Clone)]
pub struct TargetsReport {
    pub counts: Counts,
    pub by_unit: Vec<UnitCounts>,
}

/// Writes `?` placeholders for SQLite and `$n` for PostgreSQL.
pub fn statement(backend: DatabaseBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DatabaseBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 8);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push_str(&format!("${n}"));
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// What a member's overdue open attempts add to their enrollment once finished (see
/// `exam::overdue_outcomes`): reports count them so without writing anything.
#[derive(Debug, Clone, Copy, Default)]
struct Pending {
    main: i32,
    makeup: i32,
    best: Option<i32>,
    best_main: Option<i32>,
}

impl Pending {
    fn by_enrollment(overdue: Vec<exam::Overdue>) -> HashMap<i64, Pending> {
        let mut out: HashMap<i64, Pending> = HashMap::new();
        for o in overdue {
            let p = out.entry(o.enrollment_id).or_default();
            p.best = p.best.max(Some(o.score_centi));
            match o.kind {
                exam::AttemptKind::Main => {
                    p.main += 1;
                    p.best_main = p.best_main.max(Some(o.score_centi));
                }
                exam::AttemptKind::Makeup => p.makeup += 1,
            }
        }
        out
    }

    /// The enrollment as it will stand once these attempts are finished.
    fn apply(&self, e: &mut enrollment::Model) {
        e.attempts_used += self.main;
        e.makeup_attempts_used += self.makeup;
        e.best_score_centi = e.best_score_centi.max(self.best);
        e.best_main_centi = e.best_main_centi.max(self.best_main);
    }
}

/// The enrollments as the counts read them: the table itself, or — while attempts are
/// overdue — the table with what finishing them will add (`Pending::apply` in SQL).
fn enrollments_as_of(pending: &HashMap<i64, Pending>) -> (String, Vec<Value>) {
    if pending.is_empty() {
        return ("enrollments".into(), Vec::new());
    }
    let rows = vec!["(?, ?, ?, ?, ?)"; pending.len()].join(", ");
    let mut values = Vec::with_capacity(pending.len() * 5);
    for (id, p) in pending {
        values.extend([
            Value::BigInt(Some(*id)),
            Value::BigInt(Some(p.main.into())),
            Value::BigInt(Some(p.makeup.into())),
            Value::BigInt(p.best.map(Into::into)),
            Value::BigInt(p.best_main.map(Into::into)),
        ]);
    }
    let larger = |column: &str, pending: &str| {
        format!(
            "CASE WHEN l.{pending} IS NOT NULL AND (e0.{column} IS NULL OR l.{pending} > e0.{column}) \
             THEN l.{pending} ELSE e0.{column} END AS {column}"
        )
    };
    let sql = format!(
        "(SELECT e0.campaign_id, e0.exempt, e0.unit_id, e0.participated, e0.study_complete, \
         e0.credited_minutes, e0.live_minutes, \
         e0.attempts_used + COALESCE(l.main, 0) AS attempts_used, \
         e0.makeup_attempts_used + COALESCE(l.makeup, 0) AS makeup_attempts_used, {}, {} \
         FROM enrollments e0 LEFT JOIN (SELECT column1 AS enrollment_id, column2 AS main, \
         column3 AS makeup, column4 AS best, column5 AS best_main FROM (VALUES {rows}) v) l \
         ON l.enrollment_id = e0.id)",
        larger("best_score_centi", "best"),
        larger("best_main_centi", "best_main"),
    );
    (sql, values)
}

/// Counts per unit of the roster members' own unit (`None`: members without a unit), read
/// from the enrollments alone (`enrollments.unit_id`): no join with the accounts.
async fn counts_by_own_unit(
    db: &impl ConnectionTrait,
    campaign_id: i64,
    bands: scoring::Bands,
    pending: &HashMap<i64, Pending>,
    scope: &Scope,
) -> AppResult<HashMap<Option<i64>, Counts>> {
    // A scope reads its own units' stretches of the index (`unit_id IN (…)`), not the
    // whole campaign's.
    let mut in_scope: Vec<i64> = scope.units().into_iter().flatten().copied().collect();
    in_scope.sort_unstable();
    let unit_filter = if scope.is_whole() {
        String::new()
    } else {
        format!(
            " AND e.unit_id IN ({})",
            vec!["?"; in_scope.len()].join(", ")
        )
    };
    let (enrollments, overdue) = enrollments_as_of(pending);
    // `COUNT(*) FILTER` (both engines) over the columns of `idx_enrollments_figures`: the
    // GROUP BY reads that index alone, in unit order. Those without a finished score
    // (`not_sat`) are the rest of the roster.
    let sql = format!(
        "SELECT e.unit_id AS unit_id, COUNT(*) AS roster, \
         COUNT(*) FILTER (WHERE e.participated) AS participation, \
         COUNT(*) FILTER (WHERE e.study_complete) AS study, \
         COUNT(*) FILTER (WHERE e.attempts_used + e.makeup_attempts_used > 0) AS exam, \
         COUNT(*) FILTER (WHERE e.best_score_centi >= ?) AS pass, \
         COUNT(*) FILTER (WHERE e.best_score_centi >= ? \
             AND (e.best_main_centi IS NULL OR e.best_main_centi < ?)) AS passed_in_makeup, \
         COUNT(*) FILTER (WHERE e.best_score_centi >= ?) AS excellent, \
         COUNT(*) FILTER (WHERE e.best_score_centi >= ? AND e.best_score_centi < ?) AS good, \
         COUNT(*) FILTER (WHERE e.best_score_centi >= ? AND e.best_score_centi < ?) AS pass_band, \
         COUNT(*) FILTER (WHERE e.best_score_centi < ?) AS fail, \
         SUM(e.credited_minutes) AS credited_minutes, SUM(e.live_minutes) AS live_minutes \
         FROM {enrollments} e \
         WHERE e.campaign_id = ? AND e.exempt = ?{unit_filter} \
         GROUP BY e.unit_id"
    );
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(statement(backend, &sql, {
            let mark = scoring::pass_mark_centi;
            let (pass, good, excellent) =
                (mark(bands.pass), mark(bands.good), mark(bands.excellent));
            // In the order of the placeholders: the select list, the enrollments' source,
            // the filter.
            let mut values: Vec<Value> = vec![
                pass.into(),
                pass.into(),
                pass.into(),
                excellent.into(),
                good.into(),
                excellent.into(),
                pass.into(),
                good.into(),
                pass.into(),
            ];
            values.extend(overdue);
            values.extend([campaign_id.into(), false.into()]);
            values.extend(in_scope.iter().map(|u| Value::BigInt(Some(*u))));
            values
        }))
        .await?;
    let mut out = HashMap::new();
    for row in rows {
        let get = |col: &str| -> AppResult<u64> {
            let v: Option<i64> = row.try_get("", col)?;
            Ok(v.unwrap_or(0).max(0) as u64)
        };
        let roster = get("roster")?;
        let (excellent, good, pass, fail) = (
            get("excellent")?,
            get("good")?,
            get("pass_band")?,
            get("fail")?,
        );
        let counts = Counts {
            roster,
            participation: get("participation")?,
            study: get("study")?,
            exam: get("exam")?,
            pass: get("pass")?,
            passed_in_makeup: get("passed_in_makeup")?,
            grades: Grades {
                excellent,
                good,
                pass,
                fail,
                not_sat: roster.saturating_sub(excellent + good + pass + fail),
            },
            credited_minutes: get("credited_minutes")?,
            live_minutes: get("live_minutes")?,
        };
        let unit_id: Option<i64> = row.try_get("", "unit_id")?;
        out.insert(unit_id, counts);
    }
    Ok(out)
}

/// The four targets of a campaign the scope sees, over the members in `scope` only (a
/// `unit_id` filter is a narrower scope). Overdue attempts count as finished (graded on
/// the answers saved by their deadline), so the figures are as of `now`; nothing is
/// written.
pub async fn campaign_targets(
    db: &DatabaseConnection,
    _turn: &ReportTurn,
    campaign_id: i64,
    scope: &Scope,
    now: DateTime<Utc>,
) -> AppResult<TargetsReport> {
    let campaign = campaigns::seen(db, scope, campaign_id).await?;
    let pending = Pending::by_enrollment(exam::overdue_outcomes(db, campaign_id, now).await?);
    let own = counts_by_own_unit(db, campaign_id, (&campaign).into(), &pending, scope).await?;
    let all_units = unit::Entity::find()
        .order_by_asc(unit::Column::Id)
        .all(db)
        .await?;
    let tree = units::tree(db).await?;
    let unit_id = scope.root();
    let scope: Vec<i64> = match unit_id {
        Some(root) => depth_first(&tree, root),
        None => tree
            .get(&None)
            .into_iter()
            .flatten()
            .flat_map(|r| depth_first(&tree, *r))
            .collect(),
    };
    // Roll up: each unit's total is its own cadres plus its children's totals.
    let mut totals: HashMap<i64, Counts> = HashMap::new();
    for root in tree.get(&None).into_iter().flatten() {
        roll_up(&tree, &own, *root, &mut totals);
    }
    let names: HashMap<i64, &str> = all_units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let by_unit = scope
        .iter()
        .map(|id| UnitCounts {
            unit_id: *id,
            name: names.get(id).copied().unwrap_or("").to_owned(),
            counts: totals.get(id).copied().unwrap_or_default(),
        })
        .collect();
    let counts = match unit_id {
        Some(root) => totals.get(&root).copied().unwrap_or_default(),
        None => own.values().fold(Counts::default(), |mut acc, c| {
            acc.add(c);
            acc
        }),
    };
    Ok(TargetsReport { counts, by_unit })
}

fn depth_first(tree: &HashMap<Option<i64>, Vec<i64>>, root: i64) -> Vec<i64> {
    let mut out = vec![root];
    let mut children = tree.get(&Some(root)).cloned().unwrap_or_default();
    children.sort_unstable();
    for child in children {
        out.extend(depth_first(tree, child));
    }
    out
}

fn roll_up(
    tree: &HashMap<Option<i64>, Vec<i64>>,
    own: &HashMap<Option<i64>, Counts>,
    id: i64,
    totals: &mut HashMap<i64, Counts>,
) -> Counts {
    let mut total = own.get(&Some(id)).copied().unwrap_or_default();
    for child in tree.get(&Some(id)).cloned().unwrap_or_default() {
        let c = roll_up(tree, own, child, totals);
        total.add(&c);
    }
    totals.insert(id, total);
    total
}

/// A roster member who does not yet count for a target, and what they lack.
#[derive(Debug, Clone)]
pub struct Missing {
    pub user: user::Model,
    pub unit_name: Option<String>,
    pub enrollment: enrollment::Model,
    pub required_minutes: i32,
    /// Titles of the compulsory courses not yet fully credited.
    pub compulsory_unfinished: Vec<String>,
    pub attempts_left: i32,
    pub best_score: Option<f64>,
    /// The best finished attempt's grade.
    pub grade: Option<scoring::Grade>,
}

impl Missing {
    /// Minutes still needed to reach `required_minutes` (never below zero).
    pub fn minutes_short(&self) -> i32 {
        (self.required_minutes - self.enrollment.credited_minutes).max(0)
    }
}

/// The roster members (not exempt) who do not count for `target`, in enrollment order.
pub async fn missing(
    db: &DatabaseConnection,
    _turn: &ReportTurn,
    campaign_id: i64,
    target: Target,
    scope: &Scope,
    page: PageReq,
    now: DateTime<Utc>,
) -> AppResult<Page<Missing>> {
    let campaign = campaigns::seen(db, scope, campaign_id).await?;
    let pass_mark = scoring::pass_mark_centi(campaign.pass_score);
    // Overdue attempts count as finished (see `campaign_targets`): whoever they make
    // count is not missing, and the rest are shown as they will stand.
    let pending = Pending::by_enrollment(exam::overdue_outcomes(db, campaign_id, now).await?);
    let now_counting: Vec<i64> = pending
        .iter()
        .filter(|(_, p)| match target {
            Target::Exam => true,
            Target::Pass => p
                .best
                .is_some_and(|b| scoring::passes(b, campaign.pass_score)),
            Target::Participation | Target::Study => false,
        })
        .map(|(id, _)| *id)
        .collect();
    let mut query = enrollment::Entity::find()
        .find_also_related(user::Entity)
        .filter(enrollment::Column::CampaignId.eq(campaign_id))
        .filter(enrollment::Column::Exempt.eq(false))
        .filter(scope.condition(enrollment::Column::UnitId));
    query = match target {
        Target::Participation => query.filter(enrollment::Column::Participated.eq(false)),
        Target::Study => query.filter(enrollment::Column::StudyComplete.eq(false)),
        Target::Exam => query
            .filter(enrollment::Column::AttemptsUsed.eq(0))
            .filter(enrollment::Column::MakeupAttemptsUsed.eq(0)),
        Target::Pass => query.filter(
            sea_orm::Condition::any()
                .add(enrollment::Column::BestScoreCenti.is_null())
                .add(enrollment::Column::BestScoreCenti.lt(pass_mark)),
        ),
    };
    for chunk in now_counting.chunks(1000) {
        query = query.filter(enrollment::Column::Id.is_not_in(chunk.iter().copied()));
    }
    let total = query.clone().count(db).await?;
    let rows: Vec<(enrollment::Model, user::Model)> = query
        .order_by_asc(enrollment::Column::Id)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(mut e, u)| {
            if let Some(p) = pending.get(&e.id) {
                p.apply(&mut e);
            }
            u.map(|u| (e, u))
        })
        .collect();

    // What the page's members lack, read for the page at once.
    let courses = credit::campaign_courses(db, campaign_id).await?;
    let compulsory: Vec<_> = courses.iter().filter(|c| c.compulsory).collect();
    let titles: HashMap<i64, String> = course::Entity::find()
        .filter(course::Column::Id.is_in(compulsory.iter().map(|c| c.course_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let enrollment_ids: Vec<i64> = rows.iter().map(|(e, _)| e.id).collect();
    let mut seconds: HashMap<(i64, i64), i64> = HashMap::new();
    for p in course_progress::Entity::find()
        .filter(course_progress::Column::EnrollmentId.is_in(enrollment_ids))
        .all(db)
        .await?
    {
        seconds.insert((p.enrollment_id, p.course_id), p.seconds);
    }
    let unit_ids: Vec<i64> = rows.iter().filter_map(|(_, u)| u.unit_id).collect();
    let unit_names: HashMap<i64, String> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(unit_ids))
        .select_only()
        .column(unit::Column::Id)
        .column(unit::Column::Name)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let items = rows
        .into_iter()
        .map(|(e, u)| {
            let unfinished = compulsory
                .iter()
                .filter(|c| {
                    seconds.get(&(e.id, c.course_id)).copied().unwrap_or(0) / 60 < c.minutes as i64
                })
                .map(|c| titles.get(&c.course_id).cloned().unwrap_or_default())
                .collect();
            Missing {
                unit_name: u.unit_id.and_then(|id| unit_names.get(&id).cloned()),
                required_minutes: campaign.required_minutes,
                compulsory_unfinished: unfinished,
                attempts_left: (campaign.max_attempts - e.attempts_used).max(0),
                best_score: e.best_score_centi.map(scoring::centi_to_score),
                grade: e
                    .best_score_centi
                    .map(|s| scoring::grade(s, (&campaign).into())),
                user: u,
                enrollment: e,
            }
        })
        .collect();
    Ok(page.of(items, total))
}

/// One sheet of the four targets: a row per `(name, counts)` with each count and rate
/// and whether all four are met. The first column is headed `first_column` (单位, 活动).
pub fn targets_sheet(
    sheet: &str,
    first_column: &str,
    rows: impl IntoIterator<Item = (String, Counts)>,
) -> Sheet {
    let mut out = Sheet::new(
        sheet,
        &[
            first_column,
            "应参加人数",
            "参与人数",
            "参与率",
            "学习完成人数",
            "学习率",
            "参考人数",
            "考试率",
            "合格人数",
            "合格率",
            "四个100%",
            "优秀",
            "良好",
            "合格",
            "不合格",
            "未参考",
            "补考合格",
        ],
    );
    for (name, c) in rows {
        let mut row = vec![Cell::from(name), Cell::from(c.roster)];
        for t in [
            Target::Participation,
            Target::Study,
            Target::Exam,
            Target::Pass,
        ] {
            row.push(Cell::from(c.count(t)));
            row.push(Cell::Rate(c.rate(t)));
        }
        row.push(Cell::from(if c.all_met() { "是" } else { "否" }));
        let g = c.grades;
        for n in [
            g.excellent,
            g.good,
            g.pass,
            g.fail,
            g.not_sat,
            c.passed_in_makeup,
        ] {
            row.push(Cell::from(n));
        }
        out.rows.push(row);
    }
    out
}

/// A campaign's targets as files show them: the whole (named `title`) and each unit.
pub fn report_sheets(report: &TargetsReport, title: &str) -> Vec<Sheet> {
    vec![
        targets_sheet("总体", "单位", [(title.to_owned(), report.counts)]),
        targets_sheet(
            "各单位",
            "单位",
            report.by_unit.iter().map(|u| (u.name.clone(), u.counts)),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(roster: u64, p: u64, s: u64, e: u64, pass: u64) -> Counts {
        Counts {
            roster,
            participation: p,
            study: s,
            exam: e,
            pass,
            passed_in_makeup: 0,
            grades: Grades::default(),
            credited_minutes: 0,
            live_minutes: 0,
        }
    }

    #[test]
    fn a_rate_is_one_division_and_null_for_an_empty_roster() {
        let c = counts(7, 5, 3, 3, 2);
        assert_eq!(c.rate(Target::Participation), Some(5.0 / 7.0));
        assert_eq!(c.rate(Target::Pass), Some(2.0 / 7.0));
        assert_eq!(counts(0, 0, 0, 0, 0).rate(Target::Study), None);
    }

    #[test]
    fn all_met_needs_every_rate_at_one_and_someone_on_the_roster() {
        assert!(counts(3, 3, 3, 3, 3).all_met());
        assert!(!counts(3, 3, 3, 3, 2).all_met());
        assert!(!counts(0, 0, 0, 0, 0).all_met());
    }

    #[test]
    fn sub_units_add_up() {
        let mut street = counts(2, 2, 1, 1, 1);
        street.add(&counts(5, 3, 2, 2, 1));
        assert_eq!(street, counts(7, 5, 3, 3, 2));
    }
}
