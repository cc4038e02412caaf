//! Reminders (`POST /campaigns/{id}/reminders`) and one's own notices (`/me/notices`).

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::ApiTags;
use crate::views::{
    enums,
    paging::{Page, PageParam, PerPageParam, page_req},
    text::Text,
};
use domain::{
    policy::{self, Action},
    services,
    state::AppState,
};

use crate::{auth::BearerAuth, error::ApiResult, validate::Checked};

pub struct NoticesApi;

/// Whom to remind.
#[derive(Debug, Object)]
pub struct SendReminders {
    /// Those who do not count for this target are reminded.
    pub target: enums::Target,
    /// Only this unit and its sub-units.
    pub unit_id: Option<i64>,
    /// The text of the notice (at most 500 characters); by default one saying what is
    /// missing and by when.
    #[oai(validator(max_length = 500))]
    pub message: Option<Text>,
}

/// What a reminder did.
#[derive(Debug, Object)]
pub struct RemindersSent {
    /// Members who got a notice now.
    pub notified: u64,
    /// Members left alone: reminded of the same target within the last 24 hours.
    pub skipped: u64,
}

/// One notice.
#[derive(Debug, Object)]
pub struct NoticeView {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// The campaign and target a reminder is about.
    pub campaign_id: Option<i64>,
    pub target: Option<enums::Target>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<entity::notice::Model> for NoticeView {
    fn from(n: entity::notice::Model) -> Self {
        let target = n
            .target
            .as_deref()
            .and_then(services::targets::Target::parse)
            .map(Into::into);
        Self {
            id: n.id,
            title: n.title,
            body: n.body,
            campaign_id: n.campaign_id,
            target,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

/// A page of one's notices and how many are unread.
#[derive(Debug, Object)]
pub struct NoticePage {
    pub items: Vec<NoticeView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    /// Unread notices in all (not just on this page).
    pub unread: u64,
}

/// One notice's delivery to the gateway.
#[derive(Debug, Object)]
pub struct DeliveryView {
    pub id: i64,
    pub notice_id: i64,
    /// Whom the notice is for.
    pub user_id: Option<i64>,
    pub title: Option<String>,
    pub status: enums::DeliveryStatus,
    pub attempts: i32,
    /// When it is tried next (while `pending`).
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(ApiResponse)]
pub enum DeliveriesResponse {
    /// The delivery log, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<DeliveryView>>),
}

#[derive(ApiResponse)]
pub enum RemindersResponse {
    /// The notices were stored.
    #[oai(status = 200)]
    Ok(Json<RemindersSent>),
}

#[derive(ApiResponse)]
pub enum NoticesResponse {
    /// One's notices, newest first.
    #[oai(status = 200)]
    Ok(Json<NoticePage>),
}

#[derive(ApiResponse)]
pub enum NoticeResponse {
    /// The notice, now read.
    #[oai(status = 200)]
    Ok(Json<NoticeView>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Targets")]
impl NoticesApi {
    /// Remind the roster members who do not count for `target` (admin, hr): one in-app
    /// notice each; a member reminded of the same target within 24 hours is skipped.
    #[oai(
        path = "/campaigns/:id/reminders",
        method = "post",
        operation_id = "sendReminders"
    )]
    async fn send_reminders(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Checked<SendReminders>,
    ) -> ApiResult<RemindersResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::RemindMembers).await?;
        let b = body.0;
        let sent = services::notices::remind(
            &state.db,
            &auth.0,
            &scope,
            (id.0, b.target.into(), b.unit_id),
            b.message.map(String::from),
            (
                state.config.tz,
                state.clock.now(),
                state.config.notify.is_some(),
            ),
        )
        .await?;
        Ok(RemindersResponse::Ok(Json(RemindersSent {
            notified: sent.notified,
            skipped: sent.skipped,
        })))
    }

    /// One's own notices (anyone signed in), newest first; `unread=true` only those not
    /// yet read.
    #[oai(path = "/me/notices", method = "get", operation_id = "listMyNotices")]
    async fn my_notices(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(default)] unread: Query<bool>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<NoticesResponse> {
        policy::authorize(&auth.0, Action::UseOwnAccount)?;
        let (found, unread_count) =
            services::notices::mine(&state.db, auth.0.id, unread.0, page_req(page, per_page))
                .await?;
        Ok(NoticesResponse::Ok(Json(NoticePage {
            items: found.items.into_iter().map(NoticeView::from).collect(),
            total: found.total,
            page: found.page,
            per_page: found.per_page,
            unread: unread_count,
        })))
    }

    /// Mark one of one's own notices read (anyone signed in; another's is 404).
    #[oai(
        path = "/me/notices/:id/read",
        method = "post",
        operation_id = "markNoticeRead"
    )]
    async fn mark_read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<NoticeResponse> {
        policy::authorize(&auth.0, Action::UseOwnAccount)?;
        let n = services::notices::mark_read(&state.db, auth.0.id, id.0, state.clock.now()).await?;
        Ok(NoticeResponse::Ok(Json(n.into())))
    }

    /// The delivery log of notices to the gateway (admin): each notice's status
    /// (`pending`, `delivered`, `failed`), tries and last error, newest first.
    #[oai(
        path = "/notices/deliveries",
        method = "get",
        operation_id = "listDeliveries"
    )]
    async fn deliveries(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        status: Query<Option<enums::DeliveryStatus>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<DeliveriesResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadAuditLog).await?;
        let found = services::outbox::list(
            &state.db,
            &scope,
            status.0.map(Into::into),
            page_req(page, per_page),
        )
        .await?;
        Ok(DeliveriesResponse::Ok(Json(Page::of(found, |(d, n)| {
            DeliveryView {
                id: d.id,
                notice_id: d.notice_id,
                user_id: n.as_ref().map(|n| n.user_id),
                title: n.map(|n| n.title),
                status: d.status.into(),
                attempts: d.attempts,
                next_attempt_at: d.next_attempt_at,
                last_error: d.last_error,
                created_at: d.created_at,
                delivered_at: d.delivered_at,
            }
        }))))
    }
}
