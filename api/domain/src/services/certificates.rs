//! Certificates (合格证书): a roster member who passed gets one, with a random code that
//! anyone can verify at `GET /certificates/{code}` without signing in.

use chrono::{DateTime, Utc};
use entity::{attempt, campaign, certificate, unit, user};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, sea_query::OnConflict,
};

use super::{campaigns, exam};
use crate::error::{AppError, AppResult};
use crate::scoring::{self, Grade};

/// Crockford base32: no I, L, O or U, so a code read aloud or retyped stays the same.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 20 characters × 5 bits = 100 random bits.
const CODE_LEN: usize = 20;

/// What a certificate says. `name` is the holder's full name for the holder, and partly
/// hidden (张*明) for the public verification.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub code: String,
    pub name: String,
    pub unit: Option<String>,
    pub campaign: String,
    pub year: i32,
    pub score: f64,
    pub grade: Grade,
    pub passed_at: DateTime<Utc>,
}

/// A new random code.
pub fn new_code() -> String {
    let mut buf = [0u8; CODE_LEN];
    getrandom::fill(&mut buf).expect("the OS random source works");
    buf.iter()
        .map(|b| ALPHABET[(b & 31) as usize] as char)
        .collect()
}

/// 张三明 → 张*明, 张三 → 张*, 欧阳小明 → 欧**明.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// The caller's certificate for a campaign, issued on first asking. 404 when they are not
/// on the roster or have not passed.
pub async fn mine(
    db: &DatabaseConnection,
    campaign_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> AppResult<Certificate> {
    let campaign = campaigns::find(db, campaign_id).await?;
    let enrollment = campaigns::find_enrollment(db, campaign_id, user_id)
        .await?
        .filter(|e| !e.exempt)
        .ok_or_else(|| AppError::not_found("enrollment"))?;
    if !exam::exam_figures(db, &campaign, &enrollment, now)
        .await?
        .passed
    {
        return Err(AppError::NotFound(
            "no certificate: the exam has not been passed".into(),
        ));
    }
    // Two devices asking at once both end up with the one row the unique index allows.
    certificate::Entity::insert(certificate::ActiveModel {
        campaign_id: Set(campaign_id),
        user_id: Set(user_id),
        code: Set(new_code()),
        issued_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([certificate::Column::CampaignId, certificate::Column::UserId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let issued = certificate::Entity::find()
        .filter(certificate::Column::CampaignId.eq(campaign_id))
        .filter(certificate::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal("certificate vanished after insert".into()))?;
    describe(db, &campaign, &issued).await
}

/// The certificate with this code, with the holder's name partly hidden; 404 otherwise.
/// Every code, right or wrong, costs one lookup on a unique index.
pub async fn verify(db: &DatabaseConnection, code: &str) -> AppResult<Certificate> {
    let code: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .take(64)
        .collect::<String>()
        .to_uppercase();
    let found = certificate::Entity::find()
        .filter(certificate::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("certificate"))?;
    let campaign = campaign::Entity::find_by_id(found.campaign_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("certificate"))?;
    let mut shown = describe(db, &campaign, &found).await?;
    shown.name = mask_name(&shown.name);
    Ok(shown)
}

/// The holder, unit, best score and the moment of the first passing attempt.
async fn describe(
    db: &impl ConnectionTrait,
    campaign: &campaign::Model,
    issued: &certificate::Model,
) -> AppResult<Certificate> {
    let holder = user::Entity::find_by_id(issued.user_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("certificate"))?;
    let unit = match holder.unit_id {
        Some(id) => unit::Entity::find_by_id(id).one(db).await?.map(|u| u.name),
        None => None,
    };
    let finished = attempt::Entity::find()
        .filter(attempt::Column::CampaignId.eq(campaign.id))
        .filter(attempt::Column::UserId.eq(issued.user_id))
        .filter(attempt::Column::ScoreCenti.gte(scoring::pass_mark_centi(campaign.pass_score)))
        .order_by_asc(attempt::Column::FinishedAt)
        .all(db)
        .await?;
    let first = finished
        .first()
        .ok_or_else(|| AppError::not_found("certificate"))?;
    let best = finished
        .iter()
        .filter_map(|a| a.score_centi)
        .max()
        .unwrap_or_default();
    Ok(Certificate {
        code: issued.code.clone(),
        name: holder.name,
        unit,
        campaign: campaign.title.clone(),
        year: campaign.year,
        score: scoring::centi_to_score(best),
        grade: scoring::grade(best, campaign.into()),
        passed_at: first.finished_at.unwrap_or(first.started_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_partly_hidden() {
        assert_eq!(mask_name("张三明"), "张*明");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(mask_name("王"), "*");
    }

    #[test]
    fn codes_are_twenty_unambiguous_characters_and_differ() {
        let a = new_code();
        assert_eq!(a.len(), 20);
        assert!(a.bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(a, new_code());
    }
}
