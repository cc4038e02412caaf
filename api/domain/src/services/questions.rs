//! The question bank of a campaign: 单选 `single`, 多选 `multiple`, 判断 `judge`.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{attempt_question, question};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set,
};

use super::{Page, PageReq, audit, campaigns, tags, write};
use crate::{
    auth::Actor,
    error::{AppError, AppResult, Clash, Code, FieldError, Format},
    policy::Scope,
};

pub use entity::question::{QuestionKind, QuestionPool};

/// A question kind as an imported file may spell it: the key or its Chinese name.
pub fn parse_kind(s: &str) -> Option<QuestionKind> {
    match s.trim().to_lowercase().as_str() {
        "single" | "单选" | "单选题" | "单项选择" | "单项选择题" => {
            Some(QuestionKind::Single)
        }
        "multiple" | "多选" | "多选题" | "多项选择" | "多项选择题" => {
            Some(QuestionKind::Multiple)
        }
        "judge" | "判断" | "判断题" => Some(QuestionKind::Judge),
        _ => None,
    }
}

/// A question as HR writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionInput {
    pub kind: QuestionKind,
    pub stem: String,
    pub options: Vec<String>,
    /// Indices into `options`.
    pub answer: Vec<usize>,
    pub points: i32,
    pub law_ref: String,
    /// The laws the question tests (at most 10, each at most 30 characters).
    pub tags: Vec<String>,
    /// 1 easy, 2 medium, 3 hard.
    pub difficulty: i32,
    pub pool: QuestionPool,
}

/// One question read from an import, with its line (CSV) or item number (JSON): parsed,
/// or the reasons it could not be.
pub type ParsedQuestion = (u64, Result<QuestionInput, Vec<FieldError>>);

/// A stored question, decoded.
#[derive(Debug, Clone)]
pub struct Question {
    pub model: question::Model,
    pub kind: QuestionKind,
    pub options: Vec<String>,
    pub answer: Vec<usize>,
    pub tags: Vec<String>,
}

impl Question {
    pub fn decode(model: question::Model) -> Self {
        let kind = model.kind;
        let options = serde_json::from_str(&model.options).unwrap_or_default();
        let answer = serde_json::from_str(&model.answer).unwrap_or_default();
        let tags = serde_json::from_str(&model.tags).unwrap_or_default();
        Self {
            model,
            kind,
            options,
            answer,
            tags,
        }
    }
}

/// The answer's indices: each once, each an option, as many as the kind takes.
fn answer_errors(input: &QuestionInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let n = input.options.len();
    let distinct: HashSet<_> = input.answer.iter().collect();
    if distinct.len() != input.answer.len() {
        errors.push(FieldError::not_unique(
            "answer",
            "an index appears twice",
            Vec::new(),
        ));
    }
    if input.answer.iter().any(|i| *i >= n) {
        errors.push(FieldError::out_of_range("answer", 0, n as i64 - 1));
    }
    let (fewest, most) = match input.kind {
        QuestionKind::Single | QuestionKind::Judge => (1, 1),
        QuestionKind::Multiple => (1, n.max(1)),
    };
    if !(fewest..=most).contains(&input.answer.len()) {
        errors.push(FieldError::count_out_of_range("answer", fewest, most));
    }
    errors
}

/// Checks a question; the errors name fields, prefixed with `prefix` (an import line).
pub fn validate(input: &QuestionInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let stem = input.stem.trim();
    if stem.is_empty() {
        errors.push(FieldError::required("stem"));
    } else if stem.chars().count() > 2000 {
        errors.push(FieldError::too_long("stem", 2000));
    }
    let n = input.options.len();
    let (fewest, most) = match input.kind {
        QuestionKind::Judge => (2, 2),
        QuestionKind::Single | QuestionKind::Multiple => (2, 10),
    };
    if !(fewest..=most).contains(&n) {
        errors.push(FieldError::count_out_of_range("options", fewest, most));
    }
    let mut seen = HashSet::new();
    for option in &input.options {
        let option = option.trim();
        if option.is_empty() {
            errors.push(FieldError::new(
                "options",
                Code::Required,
                "an option is empty",
            ));
        } else if option.chars().count() > 500 {
            errors.push(FieldError::too_long("options", 500));
        } else if !seen.insert(option.to_owned()) {
            errors.push(FieldError::not_unique(
                "options",
                format!("the option {option:?} appears twice"),
                vec![option.to_owned()],
            ));
        }
    }
    errors.extend(answer_errors(input));
    if !(1..=100).contains(&input.points) {
        errors.push(FieldError::out_of_range("points", 1, 100));
    }
    if input.law_ref.chars().count() > 200 {
        errors.push(FieldError::too_long("law_ref", 200));
    }
    if input.tags.len() > 10 {
        errors.push(FieldError::count_out_of_range("tags", 0, 10));
    }
    if input.tags.iter().any(|t| t.trim().is_empty()) {
        errors.push(FieldError::new("tags", Code::Required, "a tag is empty"));
    }
    if input.tags.iter().any(|t| t.chars().count() > 30) {
        errors.push(FieldError::too_long("tags", 30));
    }
    if !(1..=3).contains(&input.difficulty) {
        errors.push(FieldError::out_of_range("difficulty", 1, 3));
    }
    errors
}

fn active_model(
    campaign_id: i64,
    input: &QuestionInput,
    now: DateTime<Utc>,
) -> question::ActiveModel {
    let mut answer = input.answer.clone();
    answer.sort_unstable();
    let options: Vec<&str> = input.options.iter().map(|o| o.trim()).collect();
    question::ActiveModel {
        campaign_id: Set(campaign_id),
        kind: Set(input.kind),
        stem: Set(input.stem.trim().to_owned()),
        options: Set(serde_json::to_string(&options).expect("strings serialise")),
        answer: Set(serde_json::to_string(&answer).expect("numbers serialise")),
        points: Set(input.points),
        law_ref: Set(input.law_ref.trim().to_owned()),
        retired: Set(false),
        tags: Set(serde_json::to_string(&tags::clean(&input.tags)).expect("strings serialise")),
        difficulty: Set(input.difficulty),
        pool: Set(input.pool),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<Question> {
    let model = question::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("question"))?;
    Ok(Question::decode(model))
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    campaign_id: i64,
    input: QuestionInput,
    now: DateTime<Utc>,
) -> AppResult<Question> {
    write(db, async |db| {
        campaigns::owned(db, scope, campaign_id).await?;
        let errors = validate(&input);
        if !errors.is_empty() {
            return Err(AppError::invalid_many(errors));
        }
        let model = active_model(campaign_id, &input, now).insert(db).await?;
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Create,
            "question",
            Some(model.id.to_string()),
            format!("campaign {campaign_id}: {}", short(&model.stem)),
        )
        .await?;
        Ok(Question::decode(model))
    })
    .await
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

async fn was_drawn(db: &impl ConnectionTrait, id: i64) -> AppResult<bool> {
    Ok(attempt_question::Entity::find()
        .filter(attempt_question::Column::QuestionId.eq(id))
        .count(db)
        .await?
        > 0)
}

/// Changes a question. A question already drawn into an attempt is not changed in place
/// (old attempts must still grade as they were): it is retired and the changed version
/// is stored as a new question, which is returned.
/// A question of a campaign the scope's managers change (see [`campaigns::owned`]): of
/// one they do not see, 404.
async fn owned(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> AppResult<Question> {
    let found = get(db, id).await?;
    match campaigns::owned(db, scope, found.model.campaign_id).await {
        Err(AppError::NotFound(_)) => Err(AppError::not_found("question")),
        Err(other) => Err(other),
        Ok(_) => Ok(found),
    }
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    change: impl FnOnce(&mut QuestionInput),
    now: DateTime<Utc>,
) -> AppResult<Question> {
    write(db, async |db| {
        let current = owned(db, scope, id).await?;
        if current.model.retired {
            return Err(AppError::conflict(
                Clash::Retired,
                "a retired question cannot be changed",
            ));
        }
        let mut input = QuestionInput {
            kind: current.kind,
            stem: current.model.stem.clone(),
            options: current.options.clone(),
            answer: current.answer.clone(),
            points: current.model.points,
            law_ref: current.model.law_ref.clone(),
            tags: current.tags.clone(),
            difficulty: current.model.difficulty,
            pool: current.model.pool,
        };
        change(&mut input);
        let errors = validate(&input);
        if !errors.is_empty() {
            return Err(AppError::invalid_many(errors));
        }
        let model = if was_drawn(db, id).await? {
            retire(db, current.model.clone(), now).await?;
            active_model(current.model.campaign_id, &input, now)
                .insert(db)
                .await?
        } else {
            let mut active = active_model(current.model.campaign_id, &input, now);
            active.id = Set(id);
            active.created_at = Set(current.model.created_at);
            active.update(db).await?
        };
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Update,
            "question",
            Some(id.to_string()),
            format!("now question {}: {}", model.id, short(&model.stem)),
        )
        .await?;
        Ok(Question::decode(model))
    })
    .await
}

async fn retire(
    db: &impl ConnectionTrait,
    model: question::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut active: question::ActiveModel = model.into();
    active.retired = Set(true);
    active.updated_at = Set(now);
    active.update(db).await?;
    Ok(())
}

/// Deletes a question, or retires it when an attempt has drawn it.
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write(db, async |db| {
        let current = owned(db, scope, id).await?;
        let action = if was_drawn(db, id).await? {
            retire(db, current.model, now).await?;
            audit::AuditAction::Retire
        } else {
            question::Entity::delete_by_id(id).exec(db).await?;
            audit::AuditAction::Delete
        };
        audit::record(
            db,
            Some(actor),
            now,
            action,
            "question",
            Some(id.to_string()),
            "question removed from the bank",
        )
        .await?;
        Ok(())
    })
    .await
}

/// Which questions of a bank a list shows.
#[derive(Debug, Clone, Default)]
pub struct QuestionFilter {
    pub include_retired: bool,
    /// Words in the stem or the legal reference.
    pub q: Option<String>,
    pub kind: Option<QuestionKind>,
    pub pool: Option<QuestionPool>,
    /// By `kind`, `points` or `difficulty` (else by id).
    pub sort: Option<crate::paging::SortReq>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    campaign_id: i64,
    filter: QuestionFilter,
    page: PageReq,
) -> AppResult<Page<Question>> {
    campaigns::seen(db, scope, campaign_id).await?;
    let mut query = question::Entity::find().filter(question::Column::CampaignId.eq(campaign_id));
    if !filter.include_retired {
        query = query.filter(question::Column::Retired.eq(false));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            sea_orm::Condition::any()
                .add(question::Column::Stem.contains(q))
                .add(question::Column::LawRef.contains(q)),
        );
    }
    if let Some(kind) = filter.kind {
        query = query.filter(question::Column::Kind.eq(kind));
    }
    if let Some(pool) = filter.pool {
        query = query.filter(question::Column::Pool.eq(pool));
    }
    let total = query.clone().count(db).await?;
    use sea_orm::IntoSimpleExpr;
    let query = crate::paging::sorted(
        query,
        filter.sort.as_ref(),
        &[
            ("kind", question::Column::Kind.into_simple_expr()),
            ("points", question::Column::Points.into_simple_expr()),
            (
                "difficulty",
                question::Column::Difficulty.into_simple_expr(),
            ),
        ],
        question::Column::Id.into_simple_expr(),
    )?;
    let items = query
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?
        .into_iter()
        .map(Question::decode)
        .collect();
    Ok(page.of(items, total))
}

/// Stores a whole bank at once, or nothing: `items` come with the line (CSV) or item
/// number (JSON) they were read from, already parsed or refused.
pub async fn import(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    campaign_id: i64,
    items: Vec<ParsedQuestion>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    write(db, async |db| {
        campaigns::owned(db, scope, campaign_id).await?;
        let mut errors = Vec::new();
        let mut good = Vec::new();
        for (line, item) in items {
            let problems = match item {
                Ok(input) => {
                    let problems = validate(&input);
                    if problems.is_empty() {
                        good.push(input);
                    }
                    problems
                }
                Err(problems) => problems,
            };
            errors.extend(problems.into_iter().map(|e| e.at(line)));
        }
        if !errors.is_empty() {
            let lines: HashSet<_> = errors.iter().filter_map(|e| e.line).collect();
            return Err(AppError::Invalid {
                detail: format!(
                    "{} question(s) are invalid; nothing was imported",
                    lines.len()
                ),
                errors,
            });
        }
        if good.is_empty() {
            return Err(AppError::invalid(FieldError::new(
                "questions",
                Code::EmptyFile,
                "the file holds no questions",
            )));
        }
        let count = good.len() as u64;
        for chunk in good.chunks(500) {
            question::Entity::insert_many(chunk.iter().map(|q| active_model(campaign_id, q, now)))
                .exec(db)
                .await?;
        }
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Import,
            "question",
            None,
            format!("campaign {campaign_id}: {count} questions imported"),
        )
        .await?;
        Ok(count)
    })
    .await
}

/// Reads a bank from CSV (in the charset named, else UTF-8 or GBK). Columns, English or Chinese: `kind`/题型,
/// `stem`/题干, `options`/选项 (separated by `|`) or `A`..`J`/选项A..选项J, `answer`/答案
/// (letters such as `AC`, or 对/错 for judge questions), `points`/分值, `law_ref`/法律依据.
pub fn parse_csv(bytes: &[u8], charset: Option<&str>) -> AppResult<Vec<ParsedQuestion>> {
    let file = crate::upload::read_csv(bytes, charset)?;
    let headers = &file.headers;
    let find = |names: &[&str]| {
        headers.iter().position(|h| {
            let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
            names.contains(&h.as_str())
        })
    };
    let kind_col = find(&["kind", "type", "题型"]);
    let stem_col = find(&["stem", "question", "题干", "题目"]);
    let options_col = find(&["options", "选项"]);
    let letter_cols: Vec<Option<usize>> = "ABCDEFGHIJ"
        .chars()
        .map(|l| {
            let lower = l.to_ascii_lowercase().to_string();
            find(&[
                &lower,
                &format!("option_{lower}"),
                &format!("选项{l}"),
                &format!("选项{lower}"),
            ])
        })
        .collect();
    let answer_col = find(&["answer", "答案", "正确答案"]);
    let points_col = find(&["points", "score", "分值", "分数"]);
    let law_col = find(&["law_ref", "law", "法律依据", "依据"]);
    let extra_cols = ExtraColumns {
        tags: find(&["tags", "标签"]),
        difficulty: find(&["difficulty", "难度"]),
        pool: find(&["pool", "题库"]),
    };
    let mut missing = Vec::new();
    for (col, name) in [
        (kind_col, "kind (题型)"),
        (stem_col, "stem (题干)"),
        (answer_col, "answer (答案)"),
    ] {
        if col.is_none() {
            missing
                .push(FieldError::new(name, Code::MissingColumn, "this column is required").at(1));
        }
    }
    if !missing.is_empty() {
        return Err(AppError::invalid_many(missing));
    }
    let mut items = Vec::new();
    for line in &file.lines {
        let (line, record) = match line {
            Ok((line, record)) => (*line, record),
            Err(e) => {
                items.push((e.line.unwrap_or(0), Err(vec![e.clone()])));
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|i| record.get(i)).unwrap_or("").trim();
        let mut errors = Vec::new();
        let kind = parse_kind(get(kind_col));
        if kind.is_none() {
            errors.push(FieldError::bad_format(
                "kind",
                Format::QuestionKind,
                format!("unknown kind {:?} (单选/多选/判断)", get(kind_col)),
            ));
        }
        let mut options: Vec<String> = if options_col.is_some() && !get(options_col).is_empty() {
            get(options_col)
                .split('|')
                .map(|o| o.trim().to_owned())
                .collect()
        } else {
            letter_cols
                .iter()
                .map(|c| get(*c))
                .take_while(|o| !o.is_empty())
                .map(str::to_owned)
                .collect()
        };
        if kind == Some(QuestionKind::Judge) && options.is_empty() {
            options = vec!["正确".into(), "错误".into()];
        }
        let raw_answer = get(answer_col);
        let answer = parse_answer(raw_answer, kind);
        if answer.is_none() {
            errors.push(FieldError::bad_format(
                "answer",
                Format::Answer,
                format!("cannot read the answer {raw_answer:?} (letters such as AC, or 对/错)"),
            ));
        }
        let points = match get(points_col) {
            "" => Some(1),
            p => p
                .parse::<f64>()
                .ok()
                .filter(|p| p.fract() == 0.0)
                .map(|p| p as i32),
        };
        if points.is_none() {
            errors.push(
                FieldError::new("points", Code::WrongType, "expected a whole number")
                    .with(|p| p.expected = Some(Format::Integer)),
            );
        }
        let extras = extra_cols.read(&get, &mut errors);
        let item = match (kind, answer, points, extras) {
            (Some(kind), Some(answer), Some(points), Some((tags, difficulty, pool)))
                if errors.is_empty() =>
            {
                Ok(QuestionInput {
                    kind,
                    stem: get(stem_col).to_owned(),
                    options,
                    answer,
                    points,
                    law_ref: get(law_col).to_owned(),
                    tags,
                    difficulty,
                    pool,
                })
            }
            _ => Err(errors),
        };
        items.push((line, item));
    }
    Ok(items)
}

/// The optional columns 标签 (tags, `;`-separated), 难度 (1–3, or 易/中/难) and 题库
/// (exam/practice, or 考试/练习).
struct ExtraColumns {
    tags: Option<usize>,
    difficulty: Option<usize>,
    pool: Option<usize>,
}

impl ExtraColumns {
    fn read<'r>(
        &self,
        get: &dyn Fn(Option<usize>) -> &'r str,
        errors: &mut Vec<FieldError>,
    ) -> Option<(Vec<String>, i32, QuestionPool)> {
        let tags = get(self.tags)
            .split([';', '；', ',', '，', '、'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        let difficulty = match get(self.difficulty).trim() {
            "" | "2" | "中" | "中等" => Some(2),
            "1" | "易" | "容易" | "简单" => Some(1),
            "3" | "难" | "困难" => Some(3),
            _ => None,
        };
        if difficulty.is_none() {
            errors.push(FieldError::bad_format(
                "difficulty",
                Format::Difficulty,
                "expected 1, 2 or 3 (易/中/难)",
            ));
        }
        let pool = match get(self.pool).trim() {
            "" | "exam" | "考试" => Some(QuestionPool::Exam),
            "practice" | "练习" => Some(QuestionPool::Practice),
            _ => None,
        };
        if pool.is_none() {
            errors.push(FieldError::bad_format(
                "pool",
                Format::Pool,
                "expected exam/practice (考试/练习)",
            ));
        }
        Some((tags, difficulty?, pool?))
    }
}

fn parse_answer(raw: &str, kind: Option<QuestionKind>) -> Option<Vec<usize>> {
    let raw = raw.trim();
    if kind == Some(QuestionKind::Judge) {
        match raw.to_lowercase().as_str() {
            "对" | "正确" | "是" | "√" | "✓" | "t" | "true" | "a" | "y" => {
                return Some(vec![0]);
            }
            "错" | "错误" | "否" | "×" | "✗" | "x" | "f" | "false" | "b" | "n" => {
                return Some(vec![1]);
            }
            _ => return None,
        }
    }
    let mut out = Vec::new();
    for c in raw
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '、' | ';' | '；'))
    {
        let c = c.to_ascii_uppercase();
        if !('A'..='J').contains(&c) {
            return None;
        }
        out.push(c as usize - 'A' as usize);
    }
    if out.is_empty() { None } else { Some(out) }
}
