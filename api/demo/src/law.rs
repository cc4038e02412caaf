//! A year of the rest of the 法治政府建设 report, and the year before: the 任务分解表 (with
//! 自查 notes, one task left overdue), the legality reviews of the year's major decisions
//! (one found unlawful and so not adopted, the newest still under review), the street's
//! legal advisers and public lawyer, its leading cadres' 述职述法 (the year before all of
//! them, this year most so far) and each department's 普法责任清单.

use chrono::{Datelike, Duration, NaiveDate};
use domain::{error::AppResult, services::ledgers::unstored};
use entity::{
    decision_review, law_report, law_task, law_task_note, legal_adviser, pufa_duty, user,
    vocabulary::{
        AdviserKind, DecisionCategory, DutyStatus, LawTaskCategory, LawTaskStatus, ReportForm,
        ReportRating, ReviewResult, Reviewer,
    },
};
use rand::{Rng, seq::IndexedRandom};
use sea_orm::{ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::{
    Gen,
    org::Org,
    write::{bulk, next_id},
};

/// The year's plan: (title, category, due month).
const TASKS: [(&str, LawTaskCategory, u32); 12] = [
    (
        "制定年度法治政府建设工作要点",
        LawTaskCategory::Leadership,
        2,
    ),
    ("调整法治建设领导小组", LawTaskCategory::Leadership, 3),
    ("开展规范性文件清理", LawTaskCategory::Decision, 5),
    ("重大行政决策目录化管理", LawTaskCategory::Decision, 6),
    (
        "行政执法“三项制度”落实检查",
        LawTaskCategory::Enforcement,
        6,
    ),
    ("执法人员法律知识轮训", LawTaskCategory::Enforcement, 8),
    ("“八五”普法中期自查", LawTaskCategory::Publicity, 7),
    ("国家宪法日系列宣传", LawTaskCategory::Publicity, 12),
    ("民法典进社区巡回宣讲", LawTaskCategory::Publicity, 9),
    ("矛盾纠纷多元化解机制建设", LawTaskCategory::Disputes, 10),
    ("基层调解员培训", LawTaskCategory::Disputes, 11),
    ("法治政府建设年度报告", LawTaskCategory::Other, 12),
];

const DECISIONS: [(&str, DecisionCategory); 6] = [
    ("老旧小区改造实施方案", DecisionCategory::MajorProject),
    ("街道年度财政预算调整", DecisionCategory::LargeFund),
    ("社区工作者招聘方案", DecisionCategory::CadreAppointment),
    ("背街小巷停车管理办法", DecisionCategory::MajorMatter),
    ("农贸市场摊位收费调整", DecisionCategory::MajorMatter),
    ("智慧社区建设采购", DecisionCategory::LargeFund),
];

const LAWS: [&str; 8] = [
    "安全生产法",
    "消防法",
    "食品安全法",
    "城市市容和环境卫生管理条例",
    "民法典",
    "劳动合同法",
    "土地管理法",
    "反家庭暴力法",
];

/// This year so far and the whole year before. Returns how many records were made.
pub async fn records(g: &mut Gen<'_>, org: &Org) -> AppResult<usize> {
    let mut made = 0;
    for year in [g.year - 1, g.year] {
        made += tasks(g, org, year).await?;
        made += decisions(g, org, year).await?;
        made += duties(g, org, year).await?;
        made += reports(g, org, year).await?;
    }
    made += advisers(g, org).await?;
    Ok(made)
}

/// The last day of `year` that has come.
fn last_day(g: &Gen<'_>, year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31)
        .expect("a date")
        .min(g.today)
}

fn day_of(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a date")
}

async fn tasks(g: &mut Gen<'_>, org: &Org, year: i32) -> AppResult<usize> {
    let (created_by, created_at, updated_at, deleted_at) = unstored(g.now);
    let mut id = next_id::<law_task::Entity>(g.txn, law_task::Column::Id).await?;
    let (mut rows, mut notes) = (Vec::new(), Vec::new());
    for (i, (title, category, month)) in TASKS.iter().enumerate() {
        let due_on = day_of(year, *month, 28);
        // Done a few days before the due day when that has come; one task (the fifth)
        // left behind, overdue; the rest under way.
        let (status, done_on) = if due_on < g.today && i != 4 {
            let done = due_on - Duration::days(g.rng.random_range(0..20));
            (LawTaskStatus::Done, Some(done.min(g.today)))
        } else if due_on - Duration::days(60) < g.today {
            (LawTaskStatus::InProgress, None)
        } else {
            (LawTaskStatus::Planned, None)
        };
        let mut last_note_on = None;
        let checks: i32 = if status == LawTaskStatus::Planned {
            0
        } else {
            2
        };
        for n in 0..checks {
            let on =
                (day_of(year, *month, 1) - Duration::days(30 * (1 - i64::from(n)))).min(g.today);
            last_note_on = Some(on);
            notes.push(law_task_note::ActiveModel {
                id: NotSet,
                task_id: Set(id),
                noted_on: Set(on),
                text: Set(if n == 0 {
                    "已制定工作方案，明确责任人和时间节点".to_owned()
                } else {
                    "按节点推进，已汇总工作情况、梳理工作进度".to_owned()
                }),
                created_by: Set(created_by),
                created_at: Set(created_at),
            });
        }
        rows.push(law_task::ActiveModel {
            id: Set(id),
            year: Set(year),
            title: Set((*title).to_owned()),
            category: Set(*category),
            unit_id: Set(if i % 3 == 0 {
                org.street_id
            } else {
                *org.departments.choose(&mut g.rng).expect("departments")
            }),
            lead: Set(["街道党工委书记", "街道办事处主任", "分管副主任"][i % 3].to_owned()),
            due_on: Set(due_on),
            status: Set(status),
            done_on: Set(done_on),
            note_count: Set(checks),
            last_note_on: Set(last_note_on),
            notes: Set(String::new()),
            created_by: Set(created_by),
            created_at: Set(created_at),
            updated_at: Set(updated_at),
            deleted_at: Set(deleted_at),
        });
        id += 1;
    }
    let made = rows.len();
    bulk(g.txn, rows).await?;
    bulk(g.txn, notes).await?;
    Ok(made)
}

async fn decisions(g: &mut Gen<'_>, org: &Org, year: i32) -> AppResult<usize> {
    let (created_by, created_at, updated_at, deleted_at) = unstored(g.now);
    let last = last_day(g, year);
    let mut rows = Vec::new();
    for (i, (title, category)) in DECISIONS.iter().enumerate() {
        let submitted_on = day_of(year, 2 + 2 * i as u32, 10);
        if submitted_on > last {
            break;
        }
        // The newest of this year is still under review; the fifth was found unlawful
        // and did not go on to a decision.
        let pending = year == g.year && submitted_on + Duration::days(30) > g.today;
        let result = match i {
            _ if pending => None,
            4 => Some(ReviewResult::Unlawful),
            2 => Some(ReviewResult::LawfulAfterChanges),
            _ => Some(ReviewResult::Lawful),
        };
        let decided_on = result.map(|_| submitted_on + Duration::days(g.rng.random_range(7..20)));
        rows.push(decision_review::ActiveModel {
            id: NotSet,
            title: Set((*title).to_owned()),
            unit_id: Set(org.street_id),
            category: Set(*category),
            submitted_on: Set(submitted_on),
            reviewer: Set(result.map(|_| {
                *[Reviewer::LegalAdviser, Reviewer::PublicLawyer]
                    .choose(&mut g.rng)
                    .expect("reviewers")
            })),
            result: Set(result),
            decided_on: Set(decided_on),
            adopted: Set(result.is_some_and(|r| r != ReviewResult::Unlawful)),
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

/// Two legal advisers (one whose term ended with last year) and a public lawyer.
async fn advisers(g: &mut Gen<'_>, org: &Org) -> AppResult<usize> {
    let (created_by, created_at, updated_at, deleted_at) = unstored(g.now);
    let rows = [
        (
            "王立新律师",
            AdviserKind::LegalAdviser,
            day_of(g.year - 2, 1, 1),
            None,
        ),
        (
            "陈静律师",
            AdviserKind::LegalAdviser,
            day_of(g.year - 3, 3, 1),
            Some(day_of(g.year - 1, 12, 31)),
        ),
        (
            "刘洋",
            AdviserKind::PublicLawyer,
            day_of(g.year, 1, 1).min(g.today),
            None,
        ),
    ]
    .map(|(name, kind, since, until)| legal_adviser::ActiveModel {
        id: NotSet,
        name: Set(name.to_owned()),
        kind: Set(kind),
        unit_id: Set(org.street_id),
        since: Set(since),
        until: Set(until),
        notes: Set(String::new()),
        created_by: Set(created_by),
        created_at: Set(created_at),
        updated_at: Set(updated_at),
        deleted_at: Set(deleted_at),
    });
    bulk(g.txn, rows).await?;
    Ok(3)
}

/// The street's leading cadres: the year before all reported (in its December or this
/// January), this year three in four so far.
async fn reports(g: &mut Gen<'_>, org: &Org, year: i32) -> AppResult<usize> {
    let (created_by, created_at, updated_at, deleted_at) = unstored(g.now);
    let mut units = vec![org.street_id];
    units.extend(&org.departments);
    units.extend(&org.communities);
    units.extend(&org.villages);
    let leaders = user::Entity::find()
        .filter(user::Column::IsLeader.eq(true))
        .filter(user::Column::UnitId.is_in(units))
        .all(g.txn)
        .await?;
    let mut rows = Vec::new();
    for leader in leaders {
        let held_on = if year < g.year {
            day_of(year, 12, 15) + Duration::days(g.rng.random_range(0..30))
        } else {
            day_of(year, 1, 1) + Duration::days(g.rng.random_range(0..=g.today.ordinal0().into()))
        };
        if held_on > g.today || (year == g.year && !g.rng.random_bool(0.75)) {
            continue;
        }
        rows.push(law_report::ActiveModel {
            id: NotSet,
            user_id: Set(leader.id),
            user_name: Set(leader.name),
            unit_id: Set(leader.unit_id.unwrap_or(org.street_id)),
            year: Set(year),
            form: Set(if g.rng.random_bool(0.3) {
                ReportForm::OnSite
            } else {
                ReportForm::Written
            }),
            held_on: Set(held_on),
            rating: Set(Some(if g.rng.random_bool(0.4) {
                ReportRating::Excellent
            } else {
                ReportRating::Good
            })),
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

/// Each department's list: one or two laws it enforces, with its 以案释法.
async fn duties(g: &mut Gen<'_>, org: &Org, year: i32) -> AppResult<usize> {
    let (created_by, created_at, updated_at, deleted_at) = unstored(g.now);
    let mut rows = Vec::new();
    for (i, unit) in org.departments.iter().enumerate() {
        for k in 0..(1 + i % 2) {
            let done = year < g.year || g.rng.random_bool(0.7);
            rows.push(pufa_duty::ActiveModel {
                id: NotSet,
                unit_id: Set(*unit),
                year: Set(year),
                law: Set(LAWS[(i + k) % LAWS.len()].to_owned()),
                audience: Set(["辖区企业", "辖区居民", "执法对象"][k % 3].to_owned()),
                actions: Set("开展专题宣讲，发放宣传资料，结合执法案例释法说理".to_owned()),
                cases_explained: Set(if done { g.rng.random_range(1..6) } else { 0 }),
                status: Set(if done {
                    DutyStatus::Done
                } else {
                    DutyStatus::Planned
                }),
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
