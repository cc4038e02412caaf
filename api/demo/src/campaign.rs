//! The year's campaign: its courses, windows and settings, and a question bank built
//! from real facts.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::services::roster;
use domain::{error::AppResult, services::credit::CampaignCourse};
use entity::{
    campaign, campaign_course, course, enrollment, question, question::QuestionKind,
    vocabulary::MaterialKind,
};
use rand::seq::SliceRandom;
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};

use crate::{
    Gen,
    data::{COURSES, FACTS, MULTIPLES},
    write::{bulk, next_id},
};

/// The district campaign's live share: half the credited minutes timed by the server.
pub const MIN_LIVE_SHARE_PERMILLE: i32 = 500;

/// What the records are generated against.
pub struct Plan {
    pub campaign_id: i64,
    pub courses: Vec<CampaignCourse>,
    pub required_minutes: i32,
    pub exam_opens: DateTime<Utc>,
    pub question_count: i32,
    pub pass_score: i32,
    pub bank: Vec<BankQuestion>,
}

/// A question as the generated attempts draw it.
pub struct BankQuestion {
    pub id: i64,
    pub options: usize,
    pub answer: Vec<usize>,
    pub points: i32,
}

/// The tag a question is filed under: the law it cites, without the article
/// (民法典第十七条 → 民法典).
fn tag_of(law: &str) -> String {
    let end = law.find('第').unwrap_or(law.len());
    law[..end].to_owned()
}

/// The six courses, the campaign (study all year, the exam open from 25 days ago for
/// 55 days) and its bank.
pub async fn campaign(
    g: &mut Gen<'_>,
    questions_per_attempt: u32,
    district: i64,
) -> AppResult<Plan> {
    let courses = courses(g).await?;
    let campaign_id = next_id::<campaign::Entity>(g.txn, campaign::Column::Id).await?;
    let year = g.year;
    let plan = Plan {
        campaign_id,
        courses,
        required_minutes: 240,
        exam_opens: g.now - Duration::days(25),
        question_count: questions_per_attempt.clamp(1, 60) as i32,
        pass_score: 60,
        bank: Vec::new(),
    };
    campaign::ActiveModel {
        id: Set(campaign_id),
        year: Set(year),
        title: Set(format!("{year}年度领导干部网上学法用法考试")),
        study_starts_on: Set(NaiveDate::from_ymd_opt(year, 1, 1).expect("a date")),
        study_ends_on: Set(NaiveDate::from_ymd_opt(year, 12, 31).expect("a date")),
        required_minutes: Set(plan.required_minutes),
        exam_opens_at: Set(plan.exam_opens),
        exam_closes_at: Set(g.now + Duration::days(30)),
        duration_minutes: Set(60),
        question_count: Set(plan.question_count),
        pass_score: Set(plan.pass_score),
        good_score: Set(80),
        excellent_score: Set(90),
        max_attempts: Set(3),
        exam_requires_study: Set(true),
        owner_unit_id: Set(Some(district)),
        papers: Set("[]".to_owned()),
        // 补考 a week after the exam closes, for a week.
        makeup_opens_at: Set(Some(g.now + Duration::days(37))),
        makeup_closes_at: Set(Some(g.now + Duration::days(44))),
        makeup_attempts: Set(1),
        remind_before_days: Set("[7, 1]".into()),
        // Half the minutes live; a presence check every 20 minutes of a live session.
        // No daily cap: `xuefa demo --sessions-per-cadre 2` makes days of several hours.
        daily_cap_minutes: Set(None),
        self_reported_daily_cap_minutes: Set(None),
        min_live_share_permille: Set(MIN_LIVE_SHARE_PERMILLE),
        max_playback_rate_centi: Set(150),
        presence_check_minutes: Set(20),
        max_focus_losses: Set(Some(3)),
        created_at: Set(g.now),
        updated_at: Set(g.now),
    }
    .insert(g.txn)
    .await?;
    let links = plan.courses.iter().map(|c| campaign_course::ActiveModel {
        campaign_id: Set(campaign_id),
        course_id: Set(c.course_id),
        compulsory: Set(c.compulsory),
    });
    bulk(g.txn, links).await?;
    let bank = bank(g, campaign_id).await?;
    Ok(Plan { bank, ..plan })
}

/// A street's own campaign (新任职干部学法考试, its newest cadres), run by the street: the
/// district's courses, the exam in a month. Its members have not started yet.
pub async fn street_campaign(
    g: &mut Gen<'_>,
    (org, street): (&crate::org::Org, &str),
    cadres: &[(i64, i64)],
) -> AppResult<i64> {
    let id = next_id::<campaign::Entity>(g.txn, campaign::Column::Id).await?;
    let year = g.year;
    campaign::ActiveModel {
        id: Set(id),
        year: Set(year),
        title: Set(format!("{street}{year}年新任职干部学法考试")),
        study_starts_on: Set(g.today),
        study_ends_on: Set(NaiveDate::from_ymd_opt(year, 12, 31).expect("a date")),
        required_minutes: Set(60),
        exam_opens_at: Set(g.now + Duration::days(20)),
        exam_closes_at: Set(g.now + Duration::days(27)),
        duration_minutes: Set(45),
        question_count: Set(20),
        pass_score: Set(60),
        good_score: Set(80),
        excellent_score: Set(90),
        max_attempts: Set(2),
        exam_requires_study: Set(true),
        owner_unit_id: Set(Some(org.street_id)),
        papers: Set("[]".to_owned()),
        makeup_opens_at: Set(None),
        makeup_closes_at: Set(None),
        makeup_attempts: Set(1),
        remind_before_days: Set("[]".into()),
        daily_cap_minutes: Set(None),
        self_reported_daily_cap_minutes: Set(None),
        min_live_share_permille: Set(0),
        max_playback_rate_centi: Set(150),
        presence_check_minutes: Set(0),
        max_focus_losses: Set(None),
        created_at: Set(g.now),
        updated_at: Set(g.now),
    }
    .insert(g.txn)
    .await?;
    let courses = course::Entity::find()
        .order_by_asc(course::Column::Id)
        .all(g.txn)
        .await?;
    let links = courses
        .iter()
        .rev()
        .take(2)
        .map(|c| campaign_course::ActiveModel {
            campaign_id: Set(id),
            course_id: Set(c.id),
            compulsory: Set(true),
        });
    bulk(g.txn, links).await?;
    // Ids given here, as every row of the demo's (the sequences are set once, at the end).
    let first = next_id::<enrollment::Entity>(g.txn, enrollment::Column::Id).await?;
    let newest = cadres.iter().rev().take(10.min(cadres.len()));
    bulk(
        g.txn,
        newest
            .zip(first..)
            .map(|((cadre, unit), eid)| enrollment::ActiveModel {
                id: Set(eid),
                ..roster::fresh(id, *cadre, Some(*unit), g.now)
            }),
    )
    .await?;
    Ok(id)
}

/// A course's article: the bank's facts on its law as points to learn, in Markdown.
fn article(title: &str, law: &str) -> String {
    let short = law.trim_start_matches("中华人民共和国");
    let mut text = format!("# {title}\n\n本课学习《{law}》的要点。\n\n## 学习要点\n\n");
    let points: Vec<_> = FACTS
        .iter()
        .filter(|(_, _, _, source)| source.contains(short))
        .collect();
    for (question, answer, _, source) in &points {
        text.push_str(&format!("- {question} **{answer}**（{source}）\n"));
    }
    if points.is_empty() {
        text.push_str(&format!(
            "- 认真通读《{law}》全文，结合本职工作理解其主要制度。\n"
        ));
    }
    text.push_str("\n> 学习时请保持本页面在前台，系统按实际在线时长计入学时。\n");
    text
}

async fn courses(g: &mut Gen<'_>) -> AppResult<Vec<CampaignCourse>> {
    let mut course_id = next_id::<course::Entity>(g.txn, course::Column::Id).await?;
    let mut rows = Vec::new();
    let mut courses = Vec::new();
    for (title, law, minutes, compulsory) in COURSES {
        rows.push(course::ActiveModel {
            id: Set(course_id),
            title: Set(title.into()),
            law: Set(law.into()),
            minutes: Set(minutes),
            description: Set(format!("{law}专题学习课程")),
            material_kind: Set(Some(MaterialKind::Article)),
            material_title: Set(Some(format!("{title}·学习要点"))),
            material_text: Set(Some(article(title, law))),
            material_url: Set(None),
            material_file_id: Set(None),
            material_content_type: Set(None),
            material_size: Set(None),
            material_sha256: Set(None),
            material_updated_at: Set(Some(g.now)),
            created_at: Set(g.now),
            updated_at: Set(g.now),
        });
        courses.push(CampaignCourse {
            course_id,
            minutes,
            compulsory,
        });
        course_id += 1;
    }
    bulk(g.txn, rows).await?;
    Ok(courses)
}

/// Each fact as a single-choice question and two judge questions (one true, one false),
/// plus the multiple-choice questions; options shuffled.
async fn bank(g: &mut Gen<'_>, campaign_id: i64) -> AppResult<Vec<BankQuestion>> {
    let mut next = next_id::<question::Entity>(g.txn, question::Column::Id).await?;
    let mut bank = Vec::new();
    let mut rows = Vec::new();
    let created = g.now;
    let mut add = |kind: QuestionKind,
                   stem: String,
                   options: Vec<String>,
                   answer: Vec<usize>,
                   points: i32,
                   law: &str,
                   pool: question::QuestionPool| {
        rows.push(question::ActiveModel {
            id: Set(next),
            campaign_id: Set(campaign_id),
            kind: Set(kind),
            stem: Set(stem),
            options: Set(serde_json::to_string(&options).expect("strings")),
            answer: Set(serde_json::to_string(&answer).expect("numbers")),
            points: Set(points),
            law_ref: Set(law.into()),
            retired: Set(false),
            tags: Set(serde_json::to_string(&[tag_of(law)]).expect("strings")),
            difficulty: Set(2),
            pool: Set(pool),
            created_at: Set(created),
            updated_at: Set(created),
        });
        // The demo's attempts draw from the exam pool only.
        if pool == question::QuestionPool::Exam {
            bank.push(BankQuestion {
                id: next,
                options: options.len(),
                answer,
                points,
            });
        }
        next += 1;
    };
    let judge = || vec!["正确".to_owned(), "错误".to_owned()];
    for (stem, right, wrong, law) in FACTS {
        let mut options: Vec<String> = std::iter::once(right)
            .chain(wrong)
            .map(str::to_owned)
            .collect();
        options.shuffle(&mut g.rng);
        let answer = vec![
            options
                .iter()
                .position(|o| o == right)
                .expect("the right option"),
        ];
        let exam = question::QuestionPool::Exam;
        add(
            QuestionKind::Single,
            stem.into(),
            options,
            answer,
            2,
            law,
            exam,
        );
        let statement = stem.trim_end_matches('？');
        add(
            QuestionKind::Judge,
            format!("判断：{statement}——{right}。"),
            judge(),
            vec![0],
            1,
            law,
            exam,
        );
        add(
            QuestionKind::Judge,
            format!("判断：{statement}——{}。", wrong[0]),
            judge(),
            vec![1],
            1,
            law,
            exam,
        );
        // The practice pool (模拟练习) asks the same fact from the other side.
        add(
            QuestionKind::Judge,
            format!("练习：{statement}——{}。", wrong[1]),
            judge(),
            vec![1],
            1,
            law,
            question::QuestionPool::Practice,
        );
    }
    for (stem, right, wrong, law) in MULTIPLES {
        let mut options: Vec<String> = right
            .iter()
            .chain(wrong.iter())
            .map(|s| s.to_string())
            .collect();
        options.shuffle(&mut g.rng);
        let mut answer: Vec<usize> = right
            .iter()
            .map(|r| options.iter().position(|o| o == r).expect("a right option"))
            .collect();
        answer.sort_unstable();
        add(
            QuestionKind::Multiple,
            stem.into(),
            options,
            answer,
            4,
            law,
            question::QuestionPool::Exam,
        );
    }
    bulk(g.txn, rows).await?;
    Ok(bank)
}
