//! The annual summary (法治政府建设工作总结 figures) for one calendar year.

use std::collections::HashMap;

use crate::clock::AsOf;
use entity::{campaign, unit};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::report_turn::ReportTurn;
use super::{
    activities::{
        self, ActivityFilter, ActivityKind, Audience, OrganizerLevel, Tally, Theme, Venue,
    },
    ledgers::{self, MediationCases, figures::LedgerFigures},
    targets::{self, Counts, Target},
    units,
};
use crate::{
    error::{AppError, AppResult, FieldError},
    export::{Cell, Sheet},
    policy::Scope,
};

/// One campaign's four targets.
#[derive(Debug, Clone)]
pub struct CampaignFigures {
    pub campaign_id: i64,
    pub title: String,
    pub counts: Counts,
    /// Every unit's figures (the archive keeps them).
    pub by_unit: Vec<targets::UnitCounts>,
}

/// One child unit's key figures in a unit's summary (`by_unit`): what a district's
/// league table of its streets compares.
#[derive(Debug, Clone)]
pub struct UnitFigures {
    pub unit_id: i64,
    pub name: String,
    pub publicity: Tally,
    pub training: Tally,
    pub mediation_cases: u64,
    /// `(campaign_id, counts over the unit's members)`, one per campaign of the year.
    pub campaigns: Vec<(i64, Counts)>,
}

/// Everything the year-end report states.
#[derive(Debug, Clone)]
pub struct AnnualSummary {
    pub year: i32,
    /// The unit summarised (its subtree), or `None` for the whole installation.
    pub unit: Option<(i64, String)>,
    /// A row per child unit of `unit` (per top-level unit for the whole installation).
    pub by_unit: Vec<UnitFigures>,
    pub campaigns: Vec<CampaignFigures>,
    pub training: Tally,
    pub training_by_audience: Vec<(Audience, Tally)>,
    pub publicity: Tally,
    pub publicity_street: u64,
    pub publicity_community: u64,
    pub themes: Vec<(Theme, Tally)>,
    pub venues: Vec<(Venue, Tally)>,
    /// The judicial office's other ledgers, this year and the year before.
    pub ledgers: LedgerFigures,
    pub previous: LedgerFigures,
}

impl AnnualSummary {
    pub fn covered(&self) -> Vec<Venue> {
        self.venues
            .iter()
            .filter(|(_, t)| t.events > 0)
            .map(|(v, _)| *v)
            .collect()
    }

    pub fn full_coverage(&self) -> bool {
        self.covered().len() == Venue::ALL.len()
    }
}

/// Gathers the summary of `year` over `scope`: its unit's subtree (a street's own
/// 工作总结), or the whole installation. Activity dates are calendar dates in the office's
/// time zone (timestamps are converted when recorded); campaigns count by their `year`,
/// each one the scope sees, over the scope's members only.
pub async fn annual_summary(
    db: &DatabaseConnection,
    turn: &ReportTurn,
    scope: &Scope,
    year: i32,
    at: AsOf,
) -> AppResult<AnnualSummary> {
    if !(2000..=2100).contains(&year) {
        return Err(AppError::invalid(FieldError::out_of_range(
            "year", 2000, 2100,
        )));
    }
    let mut campaigns = Vec::new();
    for c in campaign::Entity::find()
        .filter(campaign::Column::Year.eq(year))
        .order_by_asc(campaign::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|c| scope.sees_campaign(c.owner_unit_id))
    {
        let report = targets::campaign_targets(db, turn, c.id, scope, at.now).await?;
        campaigns.push(CampaignFigures {
            campaign_id: c.id,
            title: c.title,
            counts: report.counts,
            by_unit: report.by_unit,
        });
    }
    let all = activities::all(
        db,
        scope,
        &ActivityFilter {
            year: Some(year),
            ..Default::default()
        },
    )
    .await?;
    let mediation = ledgers::of_year::<MediationCases>(db, scope, year, &HashMap::new()).await?;
    let (unit, by_unit) = unit_rows(db, scope, &campaigns, &all, &mediation).await?;
    let mut training = Tally::default();
    let mut publicity = Tally::default();
    let (mut street, mut community) = (0, 0);
    let mut by_audience: Vec<(Audience, Tally)> = Audience::ALL
        .iter()
        .map(|a| (*a, Tally::default()))
        .collect();
    let mut themes: Vec<(Theme, Tally)> =
        Theme::ALL.iter().map(|t| (*t, Tally::default())).collect();
    let mut venues: Vec<(Venue, Tally)> =
        Venue::ALL.iter().map(|v| (*v, Tally::default())).collect();
    for a in &all {
        match a.kind() {
            ActivityKind::Training => {
                training.add(a);
                if let Some(slot) = by_audience.iter_mut().find(|(k, _)| *k == a.audience()) {
                    slot.1.add(a);
                }
            }
            ActivityKind::Publicity => {
                publicity.add(a);
                match a.organizer_level {
                    OrganizerLevel::Street => street += 1,
                    OrganizerLevel::Community => community += 1,
                    OrganizerLevel::Other => {}
                }
            }
        }
        for t in &a.themes {
            if let Some(slot) = themes.iter_mut().find(|(k, _)| k == t) {
                slot.1.add(a);
            }
        }
        if let Some(v) = a.venue()
            && let Some(slot) = venues.iter_mut().find(|(k, _)| *k == v)
        {
            slot.1.add(a);
        }
    }
    Ok(AnnualSummary {
        year,
        unit,
        by_unit,
        campaigns,
        training,
        training_by_audience: by_audience,
        publicity,
        publicity_street: street,
        publicity_community: community,
        themes,
        venues,
        ledgers: ledgers::figures::of(db, scope, year, at.today).await?,
        previous: ledgers::figures::of(db, scope, year - 1, at.today).await?,
    })
}

/// The summarised unit, and a row of key figures per child unit (per top-level unit for
/// the whole installation), each over the child's subtree.
async fn unit_rows(
    db: &DatabaseConnection,
    scope: &Scope,
    campaigns: &[CampaignFigures],
    activities: &[activities::ActivityFull],
    mediation: &[ledgers::Record<entity::mediation_case::Model>],
) -> AppResult<(Option<(i64, String)>, Vec<UnitFigures>)> {
    let names: HashMap<i64, String> = unit::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let tree = units::tree(db).await?;
    let mut children = tree.get(&scope.root()).cloned().unwrap_or_default();
    children.sort_unstable();
    // Which child each unit of the scope rolls up into.
    let mut child_of: HashMap<i64, usize> = HashMap::new();
    for (i, child) in children.iter().enumerate() {
        for id in units::subtree_in(&tree, *child) {
            child_of.insert(id, i);
        }
    }
    let mut rows: Vec<UnitFigures> = children
        .iter()
        .map(|id| UnitFigures {
            unit_id: *id,
            name: names.get(id).cloned().unwrap_or_default(),
            publicity: Tally::default(),
            training: Tally::default(),
            mediation_cases: 0,
            campaigns: campaigns
                .iter()
                .map(|c| {
                    let counts = c
                        .by_unit
                        .iter()
                        .find(|u| u.unit_id == *id)
                        .map(|u| u.counts)
                        .unwrap_or_default();
                    (c.campaign_id, counts)
                })
                .collect(),
        })
        .collect();
    for a in activities {
        if let Some(row) = child_of
            .get(&a.model.organizer_unit_id)
            .map(|i| &mut rows[*i])
        {
            match a.kind() {
                ActivityKind::Publicity => row.publicity.add(a),
                ActivityKind::Training => row.training.add(a),
            }
        }
    }
    for m in mediation {
        if let Some(i) = child_of.get(&m.model.committee_unit_id) {
            rows[*i].mediation_cases += 1;
        }
    }
    let unit = scope
        .root()
        .map(|id| (id, names.get(&id).cloned().unwrap_or_default()));
    Ok((unit, rows))
}

/// A rate as a 工作总结 writes it: `100%`, `71.43%`.
pub fn percent(rate: Option<f64>) -> String {
    match rate {
        None => "—".into(),
        Some(r) => {
            let s = format!("{:.2}", r * 100.0);
            let s = s.trim_end_matches('0').trim_end_matches('.');
            format!("{s}%")
        }
    }
}

/// The zh-CN narrative: every non-zero figure of the summary, as plain digits, one
/// paragraph per section in the order a 工作总结 reads.
pub fn narrative(s: &AnnualSummary) -> String {
    let mut out = Vec::new();
    if let Some((_, name)) = &s.unit {
        out.push(format!("{name}{}年法治政府建设工作情况", s.year));
    }
    publicity_paragraph(s, &mut out);
    training_paragraph(s, &mut out);
    themes_paragraph(s, &mut out);
    six_into_paragraph(s, &mut out);
    ledgers::report::paragraphs(&s.ledgers, &s.previous, &mut out);
    exam_paragraphs(s, &mut out);
    out.join("\n")
}

/// 普法宣传: by level, attendance, materials.
fn publicity_paragraph(s: &AnnualSummary, out: &mut Vec<String>) {
    let p = &s.publicity;
    if p.events > 0 {
        let mut parts = Vec::new();
        let mut levels = Vec::new();
        if s.publicity_street > 0 {
            levels.push(format!(
                "全年街道共组织普法宣传活动{}次",
                s.publicity_street
            ));
        }
        if s.publicity_community > 0 {
            levels.push(format!(
                "各村居社区共计组织普法宣传活动{}次",
                s.publicity_community
            ));
        }
        if levels.is_empty() {
            parts.push(format!("全年共组织普法宣传活动{}次", p.events));
        } else {
            parts.push(levels.join("，"));
            parts.push(format!("合计{}次", p.events));
        }
        if p.attendance > 0 {
            parts.push(format!("累计服务群众{}人次", p.attendance));
        }
        if p.materials > 0 {
            parts.push(format!("发放法治宣传品{}份", p.materials));
        }
        out.push(format!("{}年，{}。", s.year, parts.join("，")));
    } else {
        out.push(format!("{}年，未记录普法宣传活动。", s.year));
    }
}

/// 法治学习培训: events, attendance, by audience.
fn training_paragraph(s: &AnnualSummary, out: &mut Vec<String>) {
    let t = &s.training;
    if t.events > 0 {
        let mut text = format!("组织法治学习培训{}次", t.events);
        if t.attendance > 0 {
            text.push_str(&format!("，参训{}人次", t.attendance));
        }
        let groups: Vec<String> = s
            .training_by_audience
            .iter()
            .filter(|(_, t)| t.events > 0)
            .map(|(a, t)| {
                if t.attendance > 0 {
                    format!("面向{}{}次、{}人次", a.chinese(), t.events, t.attendance)
                } else {
                    format!("面向{}{}次", a.chinese(), t.events)
                }
            })
            .collect();
        if !groups.is_empty() {
            text.push_str(&format!("，其中{}", groups.join("，")));
        }
        out.push(format!("{text}。"));
    }
}

/// 主题宣传: each themed day or theme with its figures.
fn themes_paragraph(s: &AnnualSummary, out: &mut Vec<String>) {
    let themed: Vec<String> = s
        .themes
        .iter()
        .filter(|(_, t)| t.events > 0)
        .map(|(theme, t)| {
            let mut text = format!("围绕{}开展活动{}次", theme.chinese(), t.events);
            if t.attendance > 0 {
                text.push_str(&format!("，参与{}人次", t.attendance));
            }
            if t.materials > 0 {
                text.push_str(&format!("，发放宣传品{}份", t.materials));
            }
            text
        })
        .collect();
    if !themed.is_empty() {
        out.push(format!("主题宣传方面，{}。", themed.join("；")));
    }
}

/// 法律"六进": each venue, and whether all six were covered.
fn six_into_paragraph(s: &AnnualSummary, out: &mut Vec<String>) {
    let went: Vec<String> = s
        .venues
        .iter()
        .filter(|(_, t)| t.events > 0)
        .map(|(v, t)| {
            if t.attendance > 0 {
                format!("进{}{}次、{}人次", v.chinese(), t.events, t.attendance)
            } else {
                format!("进{}{}次", v.chinese(), t.events)
            }
        })
        .collect();
    if went.is_empty() {
        out.push("法律“六进”方面，未记录进机关、乡村、社区、学校、企业、单位的活动。".into());
    } else {
        let coverage = if s.full_coverage() {
            "实现法律“六进”全覆盖".to_owned()
        } else {
            let missing: Vec<&str> = Venue::ALL
                .iter()
                .filter(|v| !s.covered().contains(v))
                .map(|v| v.chinese())
                .collect();
            format!("尚未覆盖{}", missing.join("、"))
        };
        out.push(format!(
            "法律“六进”方面，{}，{}。",
            went.join("，"),
            coverage
        ));
    }
}

/// 学法考试: each campaign's four rates with counts, and the verdict.
fn exam_paragraphs(s: &AnnualSummary, out: &mut Vec<String>) {
    for c in &s.campaigns {
        let n = &c.counts;
        if n.roster == 0 {
            out.push(format!("“{}”尚无应参加人员。", c.title));
            continue;
        }
        let part = |label: &str, t: Target| {
            if n.count(t) > 0 {
                format!("{label}{}（{}人）", percent(n.rate(t)), n.count(t))
            } else {
                format!("{label}{}", percent(n.rate(t)))
            }
        };
        let rates = [
            part("参与率", Target::Participation),
            part("学习率", Target::Study),
            part("考试率", Target::Exam),
            part("合格率", Target::Pass),
        ];
        let makeup = if n.passed_in_makeup > 0 {
            format!("（其中补考合格{}人）", n.passed_in_makeup)
        } else {
            String::new()
        };
        let verdict = if n.all_met() {
            "实现“四个100%”目标"
        } else {
            "尚未实现“四个100%”目标"
        };
        out.push(format!(
            "“{}”应参加{}人，{}{makeup}，{}。{}",
            c.title,
            n.roster,
            rates.join("，"),
            verdict,
            live_sentence(n)
        ));
    }
}

/// How much of the credited study the server timed itself, when there was any study.
fn live_sentence(n: &targets::Counts) -> String {
    match n.live_share() {
        None => String::new(),
        Some(share) => format!(
            "累计认定学习时长{}分钟，其中在线计时{}分钟，占{}。",
            n.credited_minutes,
            n.live_minutes,
            percent(Some(share))
        ),
    }
}

/// The summary as tables (for CSV and Excel).
pub fn sheets(s: &AnnualSummary) -> Vec<Sheet> {
    let exam = targets::targets_sheet(
        "学法考试",
        "活动",
        s.campaigns.iter().map(|c| (c.title.clone(), c.counts)),
    );
    let mut publicity = Sheet::new("普法宣传", &["项目", "次数", "人次", "宣传品份数"]);
    publicity.rows = vec![
        vec![
            "普法宣传活动合计".into(),
            s.publicity.events.into(),
            s.publicity.attendance.into(),
            s.publicity.materials.into(),
        ],
        vec![
            "街道组织".into(),
            s.publicity_street.into(),
            "".into(),
            "".into(),
        ],
        vec![
            "村居社区组织".into(),
            s.publicity_community.into(),
            "".into(),
            "".into(),
        ],
    ];
    let mut training = Sheet::new("法治培训", &["对象", "次数", "人次"]);
    training.rows.push(vec![
        "合计".into(),
        s.training.events.into(),
        s.training.attendance.into(),
    ]);
    for (a, t) in &s.training_by_audience {
        training.rows.push(vec![
            a.chinese().into(),
            t.events.into(),
            t.attendance.into(),
        ]);
    }
    let mut themes = Sheet::new("主题活动", &["主题", "次数", "人次", "宣传品份数"]);
    for (theme, t) in &s.themes {
        themes.rows.push(vec![
            theme.chinese().into(),
            t.events.into(),
            t.attendance.into(),
            t.materials.into(),
        ]);
    }
    let mut venues = Sheet::new("法律六进", &["进", "次数", "人次", "是否覆盖"]);
    for (v, t) in &s.venues {
        venues.rows.push(vec![
            v.chinese().into(),
            t.events.into(),
            t.attendance.into(),
            (if t.events > 0 { "是" } else { "否" }).into(),
        ]);
    }
    venues.rows.push(vec![
        "全覆盖".into(),
        Cell::from(""),
        Cell::from(""),
        (if s.full_coverage() { "是" } else { "否" }).into(),
    ]);
    let mut sheets = vec![exam, publicity, training, themes, venues];
    sheets.extend(ledgers::report::sheets(&s.ledgers, &s.previous));
    sheets
}
