//! Papers (组卷) by rank: a campaign may give leading cadres (领导干部) and the others a
//! paper each, composed rule by rule — so many questions of a kind, with any of some tags
//! (the laws tested) and a difficulty, each worth the rule's points.
//!
//! At most one paper applies to a cadre; a cadre no paper applies to (or every cadre of a
//! campaign without papers) draws `question_count` at random, each worth its own points.

use std::collections::HashSet;

use entity::{campaign, question, question::QuestionPool};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, sea_query::Expr,
};
use serde::{Deserialize, Serialize};

pub use entity::vocabulary::PaperAudience;

use entity::question::QuestionKind;

use super::tags;
use crate::error::{AppError, AppResult, Clash, Code, FieldError, Format};

/// One rule of a paper: `count` questions of `kind`, with any of `tags` (none: any) and of
/// `difficulty` (none: any), each worth `points`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub kind: QuestionKind,
    pub count: i32,
    pub points: i32,
    pub tags: Vec<String>,
    pub difficulty: Option<i32>,
}

/// A paper and whom it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paper {
    pub key: String,
    pub name: String,
    pub audience: PaperAudience,
    pub rules: Vec<Rule>,
}

impl Paper {
    pub fn applies_to(&self, is_leader: bool) -> bool {
        match self.audience {
            PaperAudience::All => true,
            PaperAudience::Leaders => is_leader,
            PaperAudience::Others => !is_leader,
        }
    }
}

/// The stored form (`campaigns.papers`): the API's field names and keys.
#[derive(Serialize, Deserialize)]
struct StoredPaper {
    key: String,
    name: String,
    #[serde(rename = "for")]
    audience: String,
    rules: Vec<StoredRule>,
}

#[derive(Serialize, Deserialize)]
struct StoredRule {
    kind: String,
    count: i32,
    points: i32,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    difficulty: Option<i32>,
}

/// The campaign's papers. A stored value that no longer reads is an internal error, not
/// "no papers": silently drawing at random would hand leaders the wrong paper.
pub fn of(campaign: &campaign::Model) -> AppResult<Vec<Paper>> {
    let stored: Vec<StoredPaper> = serde_json::from_str(&campaign.papers)
        .map_err(|e| AppError::Internal(format!("campaign {} papers: {e}", campaign.id)))?;
    stored
        .into_iter()
        .map(|p| {
            let audience = PaperAudience::parse(&p.audience).ok_or_else(|| {
                AppError::Internal(format!("paper {}: audience {}", p.key, p.audience))
            })?;
            let rules = p
                .rules
                .into_iter()
                .map(|r| {
                    let kind = QuestionKind::parse(&r.kind).ok_or_else(|| {
                        AppError::Internal(format!("paper {}: kind {}", p.key, r.kind))
                    })?;
                    Ok(Rule {
                        kind,
                        count: r.count,
                        points: r.points,
                        tags: r.tags,
                        difficulty: r.difficulty,
                    })
                })
                .collect::<AppResult<_>>()?;
            Ok(Paper {
                key: p.key,
                name: p.name,
                audience,
                rules,
            })
        })
        .collect()
}

/// The stored form of `papers`.
pub fn encode(papers: &[Paper]) -> String {
    let stored: Vec<StoredPaper> = papers
        .iter()
        .map(|p| StoredPaper {
            key: p.key.clone(),
            name: p.name.clone(),
            audience: p.audience.key().to_owned(),
            rules: p
                .rules
                .iter()
                .map(|r| StoredRule {
                    kind: r.kind.key().to_owned(),
                    count: r.count,
                    points: r.points,
                    tags: r.tags.clone(),
                    difficulty: r.difficulty,
                })
                .collect(),
        })
        .collect();
    serde_json::to_string(&stored).expect("papers serialise")
}

/// Trims names and tags and drops repeated tags, as questions do.
pub fn clean(papers: Vec<Paper>) -> Vec<Paper> {
    papers
        .into_iter()
        .map(|p| Paper {
            key: p.key.trim().to_owned(),
            name: p.name.trim().to_owned(),
            rules: p
                .rules
                .into_iter()
                .map(|r| Rule {
                    tags: tags::clean(&r.tags),
                    ..r
                })
                .collect(),
            ..p
        })
        .collect()
}

/// Checks the papers: keys, names, rules, and that no two apply to the same cadre.
pub fn validate(papers: &[Paper]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if papers.len() > 10 {
        errors.push(FieldError::count_out_of_range("papers", 0, 10));
    }
    let mut keys = HashSet::new();
    for (i, p) in papers.iter().enumerate() {
        let at = |f: &str| format!("papers[{i}].{f}");
        let key_ok = !p.key.is_empty()
            && p.key.len() <= 30
            && p.key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !key_ok {
            errors.push(FieldError::bad_format(
                at("key"),
                Format::Key,
                "1 to 30 letters, digits, '-' or '_'",
            ));
        } else if !keys.insert(p.key.as_str()) {
            errors.push(FieldError::not_unique(
                at("key"),
                format!("the key {} is used twice", p.key),
                vec![p.key.clone()],
            ));
        }
        if p.name.is_empty() {
            errors.push(FieldError::required(at("name")));
        } else if p.name.chars().count() > 100 {
            errors.push(FieldError::too_long(at("name"), 100));
        }
        if !(1..=20).contains(&p.rules.len()) {
            errors.push(FieldError::count_out_of_range(at("rules"), 1, 20));
        }
        for (j, r) in p.rules.iter().enumerate() {
            errors.extend(rule_errors(r, &at(&format!("rules[{j}]"))));
        }
        let questions: i32 = p.rules.iter().map(|r| r.count.max(0)).sum();
        if questions > 1000 {
            errors.push(
                FieldError::new(
                    at("rules"),
                    Code::OutOfRange,
                    "at most 1000 questions in a paper",
                )
                .with(|p| {
                    p.min = Some(1);
                    p.max = Some(1000);
                }),
            );
        }
    }
    for (is_leader, who) in [(true, "leaders"), (false, "others")] {
        let applying: Vec<&str> = papers
            .iter()
            .filter(|p| p.applies_to(is_leader))
            .map(|p| p.key.as_str())
            .collect();
        if applying.len() > 1 {
            let message = format!(
                "papers overlap: {} all apply to {who}; at most one paper may apply to a cadre",
                applying.join(", ")
            );
            let keys = applying.iter().map(|k| k.to_string()).collect();
            errors.push(
                FieldError::new("papers", Code::Overlapping, message)
                    .with(|p| p.values = Some(keys)),
            );
        }
    }
    errors
}

/// One drawing rule of a paper, its fields under `field`.
fn rule_errors(r: &Rule, field: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !(1..=500).contains(&r.count) {
        errors.push(FieldError::out_of_range(format!("{field}.count"), 1, 500));
    }
    if !(1..=100).contains(&r.points) {
        errors.push(FieldError::out_of_range(format!("{field}.points"), 1, 100));
    }
    if r.tags.len() > 10 {
        errors.push(FieldError::count_out_of_range(
            format!("{field}.tags"),
            0,
            10,
        ));
    }
    if r.tags.iter().any(|t| t.is_empty()) {
        errors.push(FieldError::new(
            format!("{field}.tags"),
            Code::Required,
            "a tag is empty",
        ));
    }
    if r.tags.iter().any(|t| t.chars().count() > 30) {
        errors.push(FieldError::too_long(format!("{field}.tags"), 30));
    }
    if r.difficulty.is_some_and(|d| !(1..=3).contains(&d)) {
        errors.push(FieldError::out_of_range(
            format!("{field}.difficulty"),
            1,
            3,
        ));
    }
    errors
}

/// The paper for a cadre, if any applies.
pub fn for_cadre(papers: &[Paper], is_leader: bool) -> Option<&Paper> {
    papers.iter().find(|p| p.applies_to(is_leader))
}

/// Which live exam-pool questions a rule may draw: of `kind` and `difficulty` (when
/// given), carrying any of `tags` (when given).
#[derive(Debug, Clone, Copy, Default)]
struct Filter<'a> {
    kind: Option<QuestionKind>,
    difficulty: Option<i32>,
    tags: &'a [String],
}

impl<'a> From<&'a Rule> for Filter<'a> {
    fn from(r: &'a Rule) -> Self {
        Self {
            kind: Some(r.kind),
            difficulty: r.difficulty,
            tags: &r.tags,
        }
    }
}

/// The campaign's questions matching `filter`, as a query. Tags are stored as a JSON array
/// of strings, so a tag is matched as its JSON-quoted form, exactly and case-sensitively
/// on both engines (`instr` on SQLite, `strpos` on PostgreSQL; not `LIKE`, whose case
/// rules differ between them).
fn matching(
    backend: DatabaseBackend,
    campaign_id: i64,
    filter: Filter<'_>,
) -> Select<question::Entity> {
    let mut query = question::Entity::find()
        .filter(question::Column::CampaignId.eq(campaign_id))
        .filter(question::Column::Retired.eq(false))
        // A practice question is never drawn into an exam.
        .filter(question::Column::Pool.eq(QuestionPool::Exam));
    if let Some(kind) = filter.kind {
        query = query.filter(question::Column::Kind.eq(kind));
    }
    if let Some(difficulty) = filter.difficulty {
        query = query.filter(question::Column::Difficulty.eq(difficulty));
    }
    if !filter.tags.is_empty() {
        let contains = match backend {
            DatabaseBackend::Postgres => "strpos(tags, $1) > 0",
            _ => "instr(tags, ?) > 0",
        };
        let mut any = Condition::any();
        for tag in filter.tags {
            let quoted = serde_json::to_string(tag).expect("strings serialise");
            any = any.add(Expr::cust_with_values(contains, [quoted]));
        }
        query = query.filter(any);
    }
    query
}

/// How many questions match.
async fn available(
    db: &impl ConnectionTrait,
    campaign_id: i64,
    filter: Filter<'_>,
) -> AppResult<u64> {
    Ok(matching(db.get_database_backend(), campaign_id, filter)
        .count(db)
        .await?)
}

/// `count` matching questions at random, none of `taken`: the database orders the
/// matches at random and returns only the ids drawn, so a start reads `count` ids, not
/// the bank.
async fn pick(
    db: &impl ConnectionTrait,
    campaign_id: i64,
    filter: Filter<'_>,
    count: u64,
    taken: &[i64],
) -> AppResult<Vec<i64>> {
    let mut query = matching(db.get_database_backend(), campaign_id, filter);
    if !taken.is_empty() {
        query = query.filter(question::Column::Id.is_not_in(taken.to_vec()));
    }
    Ok(query
        .select_only()
        .column(question::Column::Id)
        .order_by(Expr::cust("RANDOM()"), Order::Asc)
        .limit(count)
        .into_tuple()
        .all(db)
        .await?)
}

/// How one rule stands against the bank.
#[derive(Debug, Clone)]
pub struct RuleCheck {
    pub paper: String,
    /// The rule's index in its paper (from 0).
    pub rule: usize,
    pub kind: QuestionKind,
    pub tags: Vec<String>,
    pub difficulty: Option<i32>,
    pub needed: i32,
    /// Live exam-pool questions the rule may draw from (each rule counted on its own).
    pub available: i32,
}

/// Every rule of every paper with what it needs and what the bank has.
pub async fn check(
    db: &impl ConnectionTrait,
    campaign: &campaign::Model,
) -> AppResult<Vec<RuleCheck>> {
    let mut out = Vec::new();
    for paper in of(campaign)? {
        for (i, r) in paper.rules.iter().enumerate() {
            let found = available(db, campaign.id, r.into()).await?;
            out.push(RuleCheck {
                paper: paper.key.clone(),
                rule: i,
                kind: r.kind,
                tags: r.tags.clone(),
                difficulty: r.difficulty,
                needed: r.count,
                available: found.min(i32::MAX as u64) as i32,
            });
        }
    }
    Ok(out)
}

/// One drawn question: its id and, for a paper, the points it is worth in the attempt.
pub type Pick = (i64, Option<i32>);

/// Draws an attempt's questions: rule by rule for a paper (in rule order, shuffled within
/// each rule, no question twice), else `question_count` at random from the exam pool.
pub async fn draw(
    db: &impl ConnectionTrait,
    campaign: &campaign::Model,
    paper: Option<&Paper>,
) -> AppResult<Vec<Pick>> {
    let Some(paper) = paper else {
        let count = campaign.question_count.max(1) as u64;
        let picked = pick(db, campaign.id, Filter::default(), count, &[]).await?;
        if picked.is_empty() {
            return Err(AppError::conflict(
                Clash::NoQuestions,
                "the question bank is empty",
            ));
        }
        return Ok(picked.into_iter().map(|id| (id, None)).collect());
    };
    let mut taken: Vec<i64> = Vec::new();
    let mut picks = Vec::new();
    for (i, r) in paper.rules.iter().enumerate() {
        let needed = r.count.max(0) as u64;
        let chosen = pick(db, campaign.id, r.into(), needed, &taken).await?;
        if (chosen.len() as u64) < needed {
            let left = available(db, campaign.id, r.into()).await?;
            return Err(AppError::conflict(
                Clash::NotEnoughQuestions,
                if left >= needed {
                    format!(
                        "paper {} rule {i} needs {needed} {} questions; the bank has {left}, but earlier rules of the paper took some of them",
                        paper.key,
                        r.kind.key(),
                    )
                } else {
                    format!(
                        "paper {} rule {i} needs {needed} {} questions; the bank has {left}",
                        paper.key,
                        r.kind.key(),
                    )
                },
            ));
        }
        taken.extend(chosen.iter().copied());
        picks.extend(chosen.into_iter().map(|id| (id, Some(r.points))));
    }
    Ok(picks)
}
