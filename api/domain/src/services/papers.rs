//! Papers (组卷) by rank: a campaign may give leading cadres (领导干部) and the others a
//! paper each, composed rule by rule — so many questions of a kind, with any of some tags
//! (the laws tested) and a difficulty, each worth the rule's points.
//!
//! At most one paper applies to a cadre; a cadre no paper applies to (or every cadre of a
//! campaign without papers) draws `question_count` at random, each worth its own points.

use std::collections::HashSet;

use entity::{campaign, question, question::QuestionPool};
use rand::seq::{IndexedRandom, SliceRandom};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};

pub use entity::vocabulary::PaperAudience;

use super::questions::QuestionKind;
use crate::error::{AppError, AppResult, FieldError};

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
                .map(|r| {
                    let mut tags: Vec<String> = Vec::new();
                    for tag in r.tags.iter().map(|t| t.trim().to_owned()) {
                        if !tags.contains(&tag) {
                            tags.push(tag);
                        }
                    }
                    Rule { tags, ..r }
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
        errors.push(FieldError::new("papers", "at most 10 papers"));
    }
    let mut keys = HashSet::new();
    for (i, p) in papers.iter().enumerate() {
        let mut bad =
            |f: &str, m: String| errors.push(FieldError::new(format!("papers[{i}]{f}"), m));
        let key_ok = !p.key.is_empty()
            && p.key.len() <= 30
            && p.key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !key_ok {
            bad(".key", "1 to 30 letters, digits, '-' or '_'".into());
        } else if !keys.insert(p.key.as_str()) {
            bad(".key", format!("the key {} is used twice", p.key));
        }
        if p.name.is_empty() || p.name.chars().count() > 100 {
            bad(".name", "1 to 100 characters".into());
        }
        if !(1..=20).contains(&p.rules.len()) {
            bad(".rules", "1 to 20 rules".into());
        }
        let mut questions = 0;
        for (j, r) in p.rules.iter().enumerate() {
            let field = format!(".rules[{j}]");
            if !(1..=500).contains(&r.count) {
                bad(
                    &format!("{field}.count"),
                    "must be between 1 and 500".into(),
                );
            }
            if !(1..=100).contains(&r.points) {
                bad(
                    &format!("{field}.points"),
                    "must be between 1 and 100".into(),
                );
            }
            if r.tags.len() > 10
                || r.tags
                    .iter()
                    .any(|t| t.is_empty() || t.chars().count() > 30)
            {
                bad(
                    &format!("{field}.tags"),
                    "at most 10 tags, each of 1 to 30 characters".into(),
                );
            }
            if r.difficulty.is_some_and(|d| !(1..=3).contains(&d)) {
                bad(&format!("{field}.difficulty"), "must be 1, 2 or 3".into());
            }
            questions += r.count.max(0);
        }
        if questions > 1000 {
            bad(".rules", "at most 1000 questions in a paper".into());
        }
    }
    for (is_leader, who) in [(true, "leaders"), (false, "others")] {
        let applying: Vec<&str> = papers
            .iter()
            .filter(|p| p.applies_to(is_leader))
            .map(|p| p.key.as_str())
            .collect();
        if applying.len() > 1 {
            errors.push(FieldError::new(
                "papers",
                format!(
                    "papers overlap: {} all apply to {who}; at most one paper may apply to a cadre",
                    applying.join(", ")
                ),
            ));
        }
    }
    errors
}

/// The paper for a cadre, if any applies.
pub fn for_cadre(papers: &[Paper], is_leader: bool) -> Option<&Paper> {
    papers.iter().find(|p| p.applies_to(is_leader))
}

/// The ids of the campaign's live exam-pool questions of `kind` and `difficulty` (when
/// given) that carry any of `tags` (when given). Only ids and tags are read, never the
/// questions themselves; tags are matched here, not with `LIKE`, so SQLite and PostgreSQL
/// agree on case.
async fn candidates(
    db: &impl ConnectionTrait,
    campaign_id: i64,
    kind: Option<QuestionKind>,
    difficulty: Option<i32>,
    tags: &[String],
) -> AppResult<Vec<i64>> {
    let mut query = question::Entity::find()
        .select_only()
        .column(question::Column::Id)
        .filter(question::Column::CampaignId.eq(campaign_id))
        .filter(question::Column::Retired.eq(false))
        // A practice question is never drawn into an exam.
        .filter(question::Column::Pool.eq(QuestionPool::Exam));
    if let Some(kind) = kind {
        query = query.filter(question::Column::Kind.eq(kind));
    }
    if let Some(difficulty) = difficulty {
        query = query.filter(question::Column::Difficulty.eq(difficulty));
    }
    if tags.is_empty() {
        return Ok(query.into_tuple().all(db).await?);
    }
    let rows: Vec<(i64, String)> = query
        .column(question::Column::Tags)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, stored)| {
            let have: Vec<String> = serde_json::from_str(stored).unwrap_or_default();
            have.iter().any(|t| tags.contains(t))
        })
        .map(|(id, _)| id)
        .collect())
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
            let found = candidates(db, campaign.id, Some(r.kind), r.difficulty, &r.tags).await?;
            out.push(RuleCheck {
                paper: paper.key.clone(),
                rule: i,
                kind: r.kind,
                tags: r.tags.clone(),
                difficulty: r.difficulty,
                needed: r.count,
                available: found.len() as i32,
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
        let bank = candidates(db, campaign.id, None, None, &[]).await?;
        if bank.is_empty() {
            return Err(AppError::conflict(
                "no_questions",
                "the question bank is empty",
            ));
        }
        let count = (campaign.question_count.max(1) as usize).min(bank.len());
        return Ok(choose(&bank, count)
            .into_iter()
            .map(|id| (id, None))
            .collect());
    };
    let mut taken: HashSet<i64> = HashSet::new();
    let mut picks = Vec::new();
    for (i, r) in paper.rules.iter().enumerate() {
        let pool: Vec<i64> = candidates(db, campaign.id, Some(r.kind), r.difficulty, &r.tags)
            .await?
            .into_iter()
            .filter(|id| !taken.contains(id))
            .collect();
        let needed = r.count.max(0) as usize;
        if pool.len() < needed {
            return Err(AppError::conflict(
                "not_enough_questions",
                format!(
                    "paper {} rule {} needs {needed} {} questions; the bank has {}",
                    paper.key,
                    i,
                    r.kind.key(),
                    pool.len()
                ),
            ));
        }
        let chosen = choose(&pool, needed);
        taken.extend(chosen.iter().copied());
        picks.extend(chosen.into_iter().map(|id| (id, Some(r.points))));
    }
    Ok(picks)
}

/// `count` of `ids` at random, in random order.
fn choose(ids: &[i64], count: usize) -> Vec<i64> {
    let mut rng = rand::rng();
    let mut chosen: Vec<i64> = ids.choose_multiple(&mut rng, count).copied().collect();
    chosen.shuffle(&mut rng);
    chosen
}
