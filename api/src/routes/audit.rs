//! `/audit-log`: who changed what, when (admins only).

use chrono::{DateTime, Utc};
use entity::audit_log;
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Query, payload::Json};

use super::ApiTags;
use crate::views::paging::{Page, PageParam, PerPageParam, page_req};
use domain::{
    policy::{self, Action},
    services::{self, audit::AuditFilter},
    state::AppState,
};

use crate::{auth::BearerAuth, error::ApiResult};

pub struct AuditApi;

/// One recorded change.
#[derive(Debug, Object)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The acting account, when known.
    pub actor_id: Option<i64>,
    /// The acting username (or the username tried, for a failed login).
    pub actor: String,
    /// `create`, `update`, `delete`, `import`, `login_failed`, `role_change`, `password_change`…
    pub action: String,
    /// `user`, `unit`, …
    pub entity: String,
    pub entity_id: Option<String>,
    pub summary: String,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(m: audit_log::Model) -> Self {
        Self {
            id: m.id,
            at: m.at,
            actor_id: m.actor_id,
            actor: m.actor,
            action: m.action,
            entity: m.entity,
            entity_id: m.entity_id,
            summary: m.summary,
        }
    }
}

#[derive(ApiResponse)]
pub enum AuditList {
    /// A page of entries, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<AuditEntry>>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Audit")]
impl AuditApi {
    /// Read the audit log (admin).
    #[oai(path = "/audit-log", method = "get", operation_id = "listAuditLog")]
    async fn list_audit_log(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        actor_id: Query<Option<i64>>,
        action: Query<Option<String>>,
        entity: Query<Option<String>>,
        entity_id: Query<Option<String>>,
        /// Entries at or after this time.
        since: Query<Option<DateTime<Utc>>>,
        /// Entries before this time.
        until: Query<Option<DateTime<Utc>>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<AuditList> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadAuditLog).await?;
        let filter = AuditFilter {
            actor_id: actor_id.0,
            action: action.0,
            entity: entity.0,
            entity_id: entity_id.0,
            since: since.0,
            until: until.0,
        };
        let found =
            services::audit::list(&state.db, &scope, filter, page_req(page, per_page)).await?;
        Ok(AuditList::Ok(Json(Page::of(found, AuditEntry::from))))
    }
}
