//! `xuefa demo`: a demo street modelled on a real one, and (with larger numbers) the
//! city-scale data set the benchmark runs on. Rows are written in bulk inside large
//! transactions, with ids assigned here, and every derived figure (per-course totals,
//! credited minutes, study complete, attempts used, best score) is computed from the
//! generated sessions and attempts by the same rules the API applies.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use entity::{
    activity, activity_attendee, activity_theme, attempt, attempt_question, campaign,
    campaign_course, course, course_progress, enrollment, question, study_session, unit, user,
};
use rand::{
    Rng, SeedableRng,
    rngs::StdRng,
    seq::{IndexedRandom, SliceRandom},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};

use super::{
    activities::{Audience, Theme, Venue},
    audit,
    progress::{CampaignCourse, credit},
};
use crate::{
    auth::{Role, hash_password},
    error::{AppError, AppResult},
    scoring::{self, score_centi},
};

/// How much to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub cadres: u32,
    pub sessions_per_cadre: u32,
    pub activities: u32,
    /// Questions drawn per generated attempt (the campaign's `question_count`).
    pub questions_per_attempt: u32,
    pub seed: u64,
    /// Run even if the database already holds data.
    pub force: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            cadres: 120,
            sessions_per_cadre: 8,
            activities: 100,
            questions_per_attempt: 50,
            seed: 2026,
            force: false,
        }
    }
}

/// What was made, and how to sign in.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub street: String,
    pub units: usize,
    pub cadres: usize,
    pub sessions: usize,
    pub attempts: usize,
    pub activities: usize,
    pub campaign_id: i64,
    pub year: i32,
    /// `(username, password, what for)`.
    pub accounts: Vec<(String, String, String)>,
}

pub const DEMO_PASSWORD: &str = "xuefa-demo-2026";

const COMMUNITIES: [&str; 18] = [
    "东丽湖社区",
    "华明社区",
    "新立社区",
    "金桥社区",
    "月牙河社区",
    "万科城社区",
    "恒大社区",
    "景荟社区",
    "丽湖社区",
    "春竹轩社区",
    "秋水园社区",
    "和顺社区",
    "嘉园社区",
    "振华社区",
    "欣苑社区",
    "民和社区",
    "翠溪社区",
    "荣华社区",
];
const VILLAGES: [&str; 5] = ["赤土村", "新袁庄村", "南何庄村", "小东庄村", "宽河村"];
const DEPARTMENTS: [&str; 7] = [
    "党政办公室",
    "组织人事科",
    "综合治理办公室",
    "司法所",
    "城市管理科",
    "社会事务科",
    "经济发展科",
];
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "志强",
];

/// Courses: title, law, minutes, compulsory.
const COURSES: [(&str, &str, i32, bool); 6] = [
    ("习近平法治思想概论", "习近平法治思想", 90, true),
    ("中华人民共和国宪法解读", "中华人民共和国宪法", 60, true),
    ("民法典与日常生活", "中华人民共和国民法典", 120, true),
    ("行政处罚法要点", "中华人民共和国行政处罚法", 45, false),
    ("安全生产法专题", "中华人民共和国安全生产法", 45, false),
    (
        "天津市文明行为促进条例",
        "天津市文明行为促进条例",
        30,
        false,
    ),
];

/// Facts the bank is made from: question, right option, wrong options, law.
const FACTS: [(&str, &str, [&str; 3], &str); 18] = [
    (
        "国家宪法日是每年的哪一天？",
        "12月4日",
        ["3月15日", "10月1日", "6月26日"],
        "全国人大常委会关于设立国家宪法日的决定",
    ),
    (
        "全民国家安全教育日是每年的哪一天？",
        "4月15日",
        ["5月12日", "9月3日", "11月9日"],
        "国家安全法第十四条",
    ),
    (
        "国际禁毒日是每年的哪一天？",
        "6月26日",
        ["12月1日", "3月22日", "4月7日"],
        "禁毒法",
    ),
    (
        "我国的根本大法是？",
        "宪法",
        ["民法典", "刑法", "立法法"],
        "宪法序言",
    ),
    (
        "民法典自哪一年起施行？",
        "2021年",
        ["2020年", "2019年", "2022年"],
        "民法典第一千二百六十条",
    ),
    ("民法典共有几编？", "7编", ["6编", "8编", "9编"], "民法典"),
    (
        "成年人是指年满多少周岁的自然人？",
        "18周岁",
        ["16周岁", "20周岁", "14周岁"],
        "民法典第十七条",
    ),
    (
        "向人民法院请求保护民事权利的普通诉讼时效期间为？",
        "3年",
        ["2年", "1年", "5年"],
        "民法典第一百八十八条",
    ),
    (
        "行政处罚法规定，违法行为在几年内未被发现的，不再给予行政处罚（法律另有规定的除外）？",
        "2年",
        ["1年", "3年", "5年"],
        "行政处罚法第三十六条",
    ),
    (
        "安全生产工作应当坚持的方针是？",
        "安全第一、预防为主、综合治理",
        [
            "生产第一、安全第二",
            "效益优先、兼顾安全",
            "预防为主、防治结合",
        ],
        "安全生产法第三条",
    ),
    (
        "每年的哪个月是全国安全生产月？",
        "6月",
        ["3月", "9月", "11月"],
        "安全生产月活动通知",
    ),
    (
        "全国消防日是每年的哪一天？",
        "11月9日",
        ["1月19日", "9月11日", "12月4日"],
        "消防法",
    ),
    (
        "国家机关工作人员在就职时应当公开进行什么？",
        "宪法宣誓",
        ["述职报告", "廉政承诺", "岗位培训"],
        "宪法第二十七条",
    ),
    (
        "全面依法治国的总目标是建设什么？",
        "中国特色社会主义法治体系、建设社会主义法治国家",
        ["法治政府", "服务型政府", "平安中国"],
        "习近平法治思想",
    ),
    (
        "法律面前人人平等原则规定在我国哪部法律中？",
        "宪法",
        ["刑法", "民法典", "行政诉讼法"],
        "宪法第三十三条",
    ),
    (
        "行政机关作出较大数额罚款决定前，应当告知当事人有要求举行什么的权利？",
        "听证",
        ["复议", "诉讼", "调解"],
        "行政处罚法第六十三条",
    ),
    (
        "居民委员会是居民什么性质的基层群众性自治组织？",
        "自我管理、自我教育、自我服务",
        ["行政管理", "政府派出", "经营性"],
        "宪法第一百一十一条",
    ),
    (
        "《天津市文明行为促进条例》自哪一年起施行？",
        "2020年",
        ["2018年", "2019年", "2021年"],
        "天津市文明行为促进条例",
    ),
];

/// Questions with several right options: question, right options, wrong options, law.
const MULTIPLES: [(&str, [&str; 2], [&str; 2], &str); 6] = [
    (
        "下列属于民法典编目的有？",
        ["物权编", "婚姻家庭编"],
        ["刑罚编", "行政许可编"],
        "民法典",
    ),
    (
        "法律“六进”包括进哪些地方？",
        ["机关", "学校"],
        ["商场", "影院"],
        "普法规划",
    ),
    (
        "行政处罚的种类包括？",
        ["警告、通报批评", "罚款、没收违法所得"],
        ["记过", "降级"],
        "行政处罚法第九条",
    ),
    (
        "公民的基本权利包括？",
        ["选举权和被选举权", "受教育的权利"],
        ["特权", "免于纳税的权利"],
        "宪法第二章",
    ),
    (
        "下列属于国家安全领域的有？",
        ["政治安全", "网络安全"],
        ["个人隐私", "商业秘密"],
        "国家安全法",
    ),
    (
        "下列属于安全生产主体责任的有？",
        ["建立健全全员安全生产责任制", "组织制定安全生产规章制度"],
        ["由政府代为承担", "由保险公司承担"],
        "安全生产法第二十一条",
    ),
];

fn tag_for(existing_streets: u64) -> String {
    if existing_streets == 0 {
        String::new()
    } else {
        format!("s{}-", existing_streets + 1)
    }
}

async fn next_id<E: EntityTrait>(db: &impl ConnectionTrait, id_col: E::Column) -> AppResult<i64> {
    let max: Option<Option<i64>> = E::find()
        .select_only()
        .expr(sea_orm::sea_query::Func::max(
            sea_orm::sea_query::Expr::col(id_col),
        ))
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0) + 1)
}

/// Writes rows in chunks (the databases cap the bound values per statement).
async fn bulk<A, I>(db: &impl ConnectionTrait, rows: I, columns: usize) -> AppResult<()>
where
    A: ActiveModelTrait + Send,
    I: IntoIterator<Item = A>,
{
    let per = (30_000 / columns.max(1)).max(1);
    let mut chunk = Vec::with_capacity(per);
    for row in rows {
        chunk.push(row);
        if chunk.len() == per {
            <A::Entity as EntityTrait>::insert_many(std::mem::take(&mut chunk))
                .exec_without_returning(db)
                .await?;
        }
    }
    if !chunk.is_empty() {
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// After rows were written with ids chosen here, PostgreSQL's sequences must move past them.
async fn resync_sequences(db: &impl ConnectionTrait) -> AppResult<()> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    for table in [
        "units",
        "users",
        "courses",
        "campaigns",
        "questions",
        "enrollments",
        "attempts",
        "activities",
    ] {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"
        ))
        .await?;
    }
    Ok(())
}

fn local(tz: FixedOffset, date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    tz.from_local_datetime(&date.and_hms_opt(hour, minute, 0).expect("a valid time"))
        .single()
        .expect("a fixed offset is unambiguous")
        .with_timezone(&Utc)
}

/// Loads the demo. Refuses a database that already holds data unless `force`.
pub async fn load(
    db: &DatabaseConnection,
    options: &DemoOptions,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> AppResult<DemoReport> {
    let existing_users = user::Entity::find().count(db).await?;
    let existing_units = unit::Entity::find().count(db).await?;
    if !options.force && (existing_users > 1 || existing_units > 0) {
        return Err(AppError::conflict(
            "not_empty",
            "the database already holds data; run with --force to add a demo street anyway",
        ));
    }
    let streets = unit::Entity::find()
        .filter(unit::Column::Kind.eq("street"))
        .count(db)
        .await?;
    let tag = tag_for(streets);
    // Another street in the same database gets other ids (session UUIDs come from here).
    let mut rng =
        StdRng::seed_from_u64(options.seed ^ existing_units.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let today = now.with_timezone(&tz).date_naive();
    let year = today.year();
    let password_hash = hash_password(DEMO_PASSWORD).await?;

    let txn = db.begin().await?;
    let created = now;

    // Units: the street office, its departments, 18 communities and 5 villages.
    let street_name = format!("{}新立街道", if tag.is_empty() { "" } else { &tag });
    let mut unit_id = next_id::<unit::Entity>(&txn, unit::Column::Id).await?;
    let street_id = unit_id;
    let mut units: Vec<unit::ActiveModel> = Vec::new();
    let mut push_unit = |name: String, kind: &str, parent: Option<i64>| {
        let id = unit_id;
        unit_id += 1;
        units.push(unit::ActiveModel {
            id: Set(id),
            name: Set(name),
            kind: Set(kind.into()),
            parent_id: Set(parent),
            created_at: Set(created),
            updated_at: Set(created),
        });
        id
    };
    push_unit(street_name.clone(), "street", None);
    let departments: Vec<i64> = DEPARTMENTS
        .iter()
        .map(|d| push_unit(format!("{tag}{d}"), "department", Some(street_id)))
        .collect();
    let communities: Vec<i64> = COMMUNITIES
        .iter()
        .map(|c| push_unit(format!("{tag}{c}"), "community", Some(street_id)))
        .collect();
    let villages: Vec<i64> = VILLAGES
        .iter()
        .map(|v| push_unit(format!("{tag}{v}"), "village", Some(street_id)))
        .collect();
    let unit_count = units.len();
    bulk(&txn, units, 6).await?;

    // Accounts: HR, the judicial office, and the cadres spread over the units.
    let mut user_id = next_id::<user::Entity>(&txn, user::Column::Id).await?;
    let mut users = Vec::new();
    let mut make_user = |username: String,
                         name: String,
                         roles: &[Role],
                         unit: i64,
                         leader: bool,
                         employee_no: Option<String>| {
        let id = user_id;
        user_id += 1;
        users.push(user::ActiveModel {
            id: Set(id),
            username: Set(username),
            password_hash: Set(password_hash.clone()),
            name: Set(name),
            roles: Set(Role::join(roles)),
            unit_id: Set(Some(unit)),
            is_leader: Set(leader),
            employee_no: Set(employee_no),
            active: Set(true),
            created_at: Set(created),
            updated_at: Set(created),
        });
        id
    };
    let hr_name = format!("{tag}hr");
    let judicial_name = format!("{tag}sifa");
    make_user(
        hr_name.clone(),
        "组织人事科 刘敏".into(),
        &[Role::Hr, Role::Cadre],
        departments[1],
        false,
        None,
    );
    make_user(
        judicial_name.clone(),
        "司法所 陈静".into(),
        &[Role::Judicial, Role::Cadre],
        departments[3],
        false,
        None,
    );
    let all_units: Vec<i64> = departments
        .iter()
        .chain(&communities)
        .chain(&villages)
        .copied()
        .collect();
    let mut cadres: Vec<(i64, i64)> = Vec::with_capacity(options.cadres as usize);
    for i in 0..options.cadres {
        let unit = if i < 3 {
            street_id
        } else {
            all_units[i as usize % all_units.len()]
        };
        let name = format!(
            "{}{}",
            SURNAMES.choose(&mut rng).unwrap(),
            GIVEN.choose(&mut rng).unwrap()
        );
        let leader = i < 3 || rng.random_bool(0.12);
        let id = make_user(
            format!("{tag}gb{:05}", i + 1),
            name,
            &[Role::Cadre],
            unit,
            leader,
            Some(format!("{tag}{:06}", 100_000 + i)),
        );
        cadres.push((id, unit));
    }
    bulk(&txn, users, 12).await?;

    // Courses, the campaign and its bank.
    let mut course_id = next_id::<course::Entity>(&txn, course::Column::Id).await?;
    let mut course_rows = Vec::new();
    let mut campaign_courses = Vec::new();
    for (title, law, minutes, compulsory) in COURSES {
        course_rows.push(course::ActiveModel {
            id: Set(course_id),
            title: Set(title.into()),
            law: Set(law.into()),
            minutes: Set(minutes),
            description: Set(format!("{law}专题学习课程")),
            created_at: Set(created),
            updated_at: Set(created),
        });
        campaign_courses.push(CampaignCourse {
            course_id,
            minutes,
            compulsory,
        });
        course_id += 1;
    }
    bulk(&txn, course_rows, 7).await?;
    let campaign_id = next_id::<campaign::Entity>(&txn, campaign::Column::Id).await?;
    let required_minutes = 240;
    let exam_opens = now - Duration::days(25);
    let exam_closes = now + Duration::days(30);
    let question_count = options.questions_per_attempt.clamp(1, 60) as i32;
    let pass_score = 60;
    let max_attempts = 3;
    campaign::ActiveModel {
        id: Set(campaign_id),
        year: Set(year),
        title: Set(format!("{year}年度领导干部网上学法用法考试")),
        study_starts_on: Set(NaiveDate::from_ymd_opt(year, 1, 1).expect("a date")),
        study_ends_on: Set(NaiveDate::from_ymd_opt(year, 12, 31).expect("a date")),
        required_minutes: Set(required_minutes),
        exam_opens_at: Set(exam_opens),
        exam_closes_at: Set(exam_closes),
        duration_minutes: Set(60),
        question_count: Set(question_count),
        pass_score: Set(pass_score),
        max_attempts: Set(max_attempts),
        exam_requires_study: Set(true),
        created_at: Set(created),
        updated_at: Set(created),
    }
    .insert(&txn)
    .await?;
    bulk(
        &txn,
        campaign_courses
            .iter()
            .map(|c| campaign_course::ActiveModel {
                campaign_id: Set(campaign_id),
                course_id: Set(c.course_id),
                compulsory: Set(c.compulsory),
            }),
        3,
    )
    .await?;

    // The bank: each fact as a single-choice and two judge questions, plus multiples.
    let mut question_id = next_id::<question::Entity>(&txn, question::Column::Id).await?;
    let mut bank: Vec<(i64, usize, Vec<usize>, i32)> = Vec::new(); // id, options, answer, points
    let mut question_rows = Vec::new();
    let mut add_question = |kind: &str,
                            stem: String,
                            options: Vec<String>,
                            answer: Vec<usize>,
                            points: i32,
                            law: &str| {
        question_rows.push(question::ActiveModel {
            id: Set(question_id),
            campaign_id: Set(campaign_id),
            kind: Set(kind.into()),
            stem: Set(stem),
            options: Set(serde_json::to_string(&options).expect("strings")),
            answer: Set(serde_json::to_string(&answer).expect("numbers")),
            points: Set(points),
            law_ref: Set(law.into()),
            retired: Set(false),
            created_at: Set(created),
            updated_at: Set(created),
        });
        bank.push((question_id, options.len(), answer, points));
        question_id += 1;
    };
    for (stem, right, wrong, law) in FACTS {
        let mut options: Vec<String> = std::iter::once(right)
            .chain(wrong)
            .map(str::to_owned)
            .collect();
        options.shuffle(&mut rng);
        let answer = vec![
            options
                .iter()
                .position(|o| o == right)
                .expect("the right option"),
        ];
        add_question("single", stem.into(), options, answer, 2, law);
        let statement = stem.trim_end_matches('？');
        add_question(
            "judge",
            format!("判断：{statement}——{right}。"),
            vec!["正确".into(), "错误".into()],
            vec![0],
            1,
            law,
        );
        add_question(
            "judge",
            format!("判断：{statement}——{}。", wrong[0]),
            vec!["正确".into(), "错误".into()],
            vec![1],
            1,
            law,
        );
    }
    for (stem, right, wrong, law) in MULTIPLES {
        let mut options: Vec<String> = right
            .iter()
            .chain(wrong.iter())
            .map(|s| s.to_string())
            .collect();
        options.shuffle(&mut rng);
        let mut answer: Vec<usize> = right
            .iter()
            .map(|r| options.iter().position(|o| o == r).expect("a right option"))
            .collect();
        answer.sort_unstable();
        add_question("multiple", stem.into(), options, answer, 4, law);
    }
    bulk(&txn, question_rows, 11).await?;

    // Enrolment, study sessions and the running totals they produce.
    let first_day = NaiveDate::from_ymd_opt(year, 1, 2).expect("a date");
    let mut enrollment_id = next_id::<enrollment::Entity>(&txn, enrollment::Column::Id).await?;
    let mut attempt_id = next_id::<attempt::Entity>(&txn, attempt::Column::Id).await?;
    let first_attempt_id = attempt_id;
    let compulsory_minutes: i32 = campaign_courses
        .iter()
        .filter(|c| c.compulsory)
        .map(|c| c.minutes)
        .sum();
    let (mut enrollments, mut sessions, mut progress_rows, mut attempts, mut attempt_rows) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut session_total = 0usize;
    for (n, (cadre, _unit)) in cadres.iter().enumerate() {
        let eid = enrollment_id;
        enrollment_id += 1;
        // Most finish; some are partway; a few have not started (HR's phone list).
        let profile = rng.random_range(0..100);
        let share = if profile < 82 {
            1.0
        } else if profile < 94 {
            rng.random_range(0.2..0.8)
        } else {
            0.0
        };
        let target_minutes =
            (compulsory_minutes.max(required_minutes) as f64 * share).ceil() as i32;
        let per = options.sessions_per_cadre.max(1) as i32;
        let length = ((target_minutes + per - 1) / per).clamp(1, 180);
        let mut seconds: HashMap<i64, i64> = HashMap::new();
        let mut remaining = target_minutes;
        let mut count = 0;
        let mut course_index = 0;
        let mut course_left = campaign_courses[0].minutes;
        // A session never runs past the end of its course, so a course boundary may add one.
        for k in 0..per + campaign_courses.len() as i32 {
            if remaining <= 0 {
                break;
            }
            let day = first_day + Duration::days((k / 4) as i64 + (n % 7) as i64);
            let start = local(tz, day, 8 + 3 * (k % 4) as u32, 0);
            let minutes = length.min(remaining).min(course_left);
            if minutes <= 0 {
                break;
            }
            let end = start + Duration::minutes(minutes as i64);
            if end >= now {
                break;
            }
            let course = campaign_courses[course_index].course_id;
            *seconds.entry(course).or_default() += minutes as i64 * 60;
            course_left -= minutes;
            if course_left <= 0 && course_index + 1 < campaign_courses.len() {
                course_index += 1;
                course_left = campaign_courses[course_index].minutes;
            }
            remaining -= minutes;
            count += 1;
            sessions.push(study_session::ActiveModel {
                id: Set(uuid::Uuid::from_u128(rng.random()).to_string()),
                user_id: Set(*cadre),
                campaign_id: Set(campaign_id),
                course_id: Set(course),
                enrollment_id: Set(eid),
                started_at: Set(start),
                ended_at: Set(end),
                seconds: Set(minutes * 60),
                created_at: Set(end),
            });
        }
        let earned = credit(&campaign_courses, &seconds, required_minutes);
        for (course, secs) in &seconds {
            progress_rows.push(course_progress::ActiveModel {
                enrollment_id: Set(eid),
                course_id: Set(*course),
                seconds: Set(*secs),
            });
        }
        // The exam: most of those who finished studying sit it once or twice.
        let mut used = 0;
        let mut best: Option<i32> = None;
        if earned.study_complete && now > exam_opens && rng.random_bool(0.9) {
            let skill: f64 = rng.random_range(0.55..0.99);
            let tries = if rng.random_bool(0.25) { 2 } else { 1 };
            for t in 0..tries {
                let started = exam_opens
                    + Duration::minutes(
                        rng.random_range(0..(now - exam_opens).num_minutes().max(120) - 61),
                    )
                    + Duration::minutes(t * 90);
                if started + Duration::minutes(60) >= now {
                    break;
                }
                let drawn: Vec<&(i64, usize, Vec<usize>, i32)> = bank
                    .choose_multiple(&mut rng, question_count as usize)
                    .collect();
                let (mut got, mut total, mut right_count) = (0i64, 0i64, 0);
                for (position, (qid, n_options, answer, points)) in drawn.iter().enumerate() {
                    let right = rng.random_bool(skill);
                    let choices = if right {
                        answer.clone()
                    } else {
                        vec![(0..*n_options).find(|i| !answer.contains(i)).unwrap_or(0)]
                    };
                    total += *points as i64;
                    if right {
                        got += *points as i64;
                        right_count += 1;
                    }
                    let order: Vec<usize> = (0..*n_options).collect();
                    attempt_rows.push(attempt_question::ActiveModel {
                        attempt_id: Set(attempt_id),
                        position: Set(position as i32),
                        question_id: Set(*qid),
                        option_order: Set(serde_json::to_string(&order).expect("numbers")),
                        choices: Set(Some(serde_json::to_string(&choices).expect("numbers"))),
                        correct: Set(Some(right)),
                    });
                }
                let score = score_centi(got, total);
                let finished = started + Duration::minutes(rng.random_range(15..58));
                attempts.push(attempt::ActiveModel {
                    id: Set(attempt_id),
                    campaign_id: Set(campaign_id),
                    user_id: Set(*cadre),
                    enrollment_id: Set(eid),
                    status: Set(super::exam::SUBMITTED.into()),
                    started_at: Set(started),
                    deadline: Set(started + Duration::minutes(60)),
                    finished_at: Set(Some(finished)),
                    score_centi: Set(Some(score)),
                    points_earned: Set(got as i32),
                    points_total: Set(total as i32),
                    correct_count: Set(right_count),
                    question_total: Set(drawn.len() as i32),
                });
                attempt_id += 1;
                used += 1;
                best = Some(best.map_or(score, |b: i32| b.max(score)));
                if scoring::passes(score, pass_score) {
                    break;
                }
            }
        }
        enrollments.push(enrollment::ActiveModel {
            id: Set(eid),
            campaign_id: Set(campaign_id),
            user_id: Set(*cadre),
            exempt: Set(false),
            exempt_reason: Set(None),
            credited_minutes: Set(earned.credited_minutes),
            study_complete: Set(earned.study_complete),
            session_count: Set(count),
            enrolled_at: Set(local(
                tz,
                NaiveDate::from_ymd_opt(year, 1, 1).expect("a date"),
                9,
                0,
            )),
            attempts_used: Set(used),
            best_score_centi: Set(best),
        });
        // Write as we go so memory stays flat for a city-sized roster.
        if sessions.len() >= 60_000 || n + 1 == cadres.len() {
            bulk(&txn, std::mem::take(&mut enrollments), 11).await?;
            session_total += sessions.len();
            bulk(&txn, std::mem::take(&mut sessions), 9).await?;
            bulk(&txn, std::mem::take(&mut progress_rows), 3).await?;
            bulk(&txn, std::mem::take(&mut attempts), 13).await?;
            bulk(&txn, std::mem::take(&mut attempt_rows), 6).await?;
        }
    }
    // Two cadres on long leave are exempt (免考).
    if cadres.len() > 10 {
        for (cadre, _) in cadres.iter().rev().take(2) {
            enrollment::Entity::update_many()
                .col_expr(
                    enrollment::Column::Exempt,
                    sea_orm::sea_query::Expr::value(true),
                )
                .col_expr(
                    enrollment::Column::ExemptReason,
                    sea_orm::sea_query::Expr::value("长期病假"),
                )
                .filter(enrollment::Column::UserId.eq(*cadre))
                .exec(&txn)
                .await?;
        }
    }
    let attempt_total = (attempt_id - first_attempt_id) as usize;

    // A year of publicity events and trainings across every theme, venue and audience.
    let mut activity_id = next_id::<activity::Entity>(&txn, activity::Column::Id).await?;
    let (mut activity_rows, mut theme_rows, mut attendee_rows) =
        (Vec::new(), Vec::new(), Vec::new());
    let days_so_far = (today - NaiveDate::from_ymd_opt(year, 1, 1).expect("a date"))
        .num_days()
        .max(1);
    let themed_days: [(Theme, u32, u32); 6] = [
        (Theme::NationalSecurityDay, 4, 15),
        (Theme::AntiDrugDay, 6, 26),
        (Theme::SafetyMonth, 6, 16),
        (Theme::FireSafety, 11, 9),
        (Theme::ConstitutionDay, 12, 4),
        (Theme::StabilityMonth, 5, 20),
    ];
    for i in 0..options.activities {
        let training = i % 5 == 4;
        let street_level = i % 3 == 0;
        let organizer = if street_level {
            if rng.random_bool(0.5) {
                street_id
            } else {
                *departments.choose(&mut rng).expect("departments")
            }
        } else if rng.random_bool(0.8) {
            *communities.choose(&mut rng).expect("communities")
        } else {
            *villages.choose(&mut rng).expect("villages")
        };
        // Themed days fall on their dates (when that date has come this year).
        let (theme, held_on) = match themed_days.get(i as usize % 8) {
            Some((theme, m, d))
                if NaiveDate::from_ymd_opt(year, *m, *d).is_some_and(|day| day <= today) =>
            {
                (
                    *theme,
                    NaiveDate::from_ymd_opt(year, *m, *d).expect("a date"),
                )
            }
            _ => (
                if rng.random_bool(0.5) {
                    Theme::CivilCode
                } else {
                    Theme::Other
                },
                NaiveDate::from_ymd_opt(year, 1, 1).expect("a date")
                    + Duration::days(rng.random_range(0..days_so_far)),
            ),
        };
        let venue = Venue::ALL.get(i as usize % 7).copied();
        let audience = if training {
            *[
                Audience::Cadres,
                Audience::Cadres,
                Audience::EnforcementStaff,
                Audience::Mediators,
                Audience::LegalWorkers,
                Audience::Students,
            ]
            .choose(&mut rng)
            .expect("audiences")
        } else if venue == Some(Venue::School) {
            Audience::Students
        } else {
            Audience::Public
        };
        let mut attendees = Vec::new();
        if training && audience == Audience::Cadres {
            attendees = cadres
                .choose_multiple(&mut rng, 15.min(cadres.len()))
                .map(|(id, _)| *id)
                .collect();
            attendees.sort_unstable();
        }
        let attendance = rng.random_range(20..260).max(attendees.len() as i32);
        let materials = if training {
            0
        } else {
            rng.random_range(30..400)
        };
        let (kind, title) = if training {
            ("training", format!("{}专题法治培训", theme.chinese()))
        } else {
            ("publicity", format!("{}普法宣传活动", theme.chinese()))
        };
        activity_rows.push(activity::ActiveModel {
            id: Set(activity_id),
            kind: Set(kind.into()),
            title: Set(title),
            held_on: Set(held_on),
            organizer_unit_id: Set(organizer),
            venue: Set(venue.map(|v| v.key().to_owned())),
            audience: Set(audience.key().into()),
            attendance: Set(attendance),
            materials: Set(materials),
            notes: Set(String::new()),
            created_by: Set(None),
            created_at: Set(created),
            updated_at: Set(created),
            deleted_at: Set(None),
        });
        theme_rows.push(activity_theme::ActiveModel {
            activity_id: Set(activity_id),
            theme: Set(theme.key().into()),
        });
        if theme == Theme::ConstitutionDay || (i % 11 == 0 && theme != Theme::CivilCode) {
            theme_rows.push(activity_theme::ActiveModel {
                activity_id: Set(activity_id),
                theme: Set(Theme::CivilCode.key().into()),
            });
        }
        for a in attendees {
            attendee_rows.push(activity_attendee::ActiveModel {
                activity_id: Set(activity_id),
                user_id: Set(a),
            });
        }
        activity_id += 1;
    }
    let activity_count = activity_rows.len();
    bulk(&txn, activity_rows, 14).await?;
    bulk(&txn, theme_rows, 2).await?;
    bulk(&txn, attendee_rows, 2).await?;
    resync_sequences(&txn).await?;
    audit::record_as(
        &txn,
        now,
        (None, "demo"),
        "load",
        "demo",
        None,
        format!(
            "{street_name}: {} cadres, {session_total} sessions, {activity_count} activities",
            cadres.len()
        ),
    )
    .await?;
    txn.commit().await?;

    Ok(DemoReport {
        street: street_name,
        units: unit_count,
        cadres: cadres.len(),
        sessions: session_total,
        attempts: attempt_total,
        activities: activity_count,
        campaign_id,
        year,
        accounts: vec![
            (
                hr_name,
                DEMO_PASSWORD.into(),
                "HR (组织人事): roster, campaign, targets".into(),
            ),
            (
                judicial_name,
                DEMO_PASSWORD.into(),
                "judicial office (司法所): activities, annual summary".into(),
            ),
            (
                format!("{tag}gb00004"),
                DEMO_PASSWORD.into(),
                "a cadre: study progress, exam".into(),
            ),
        ],
    })
}
