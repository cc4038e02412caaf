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

use crate::{
    auth::BearerAuth,
    error::ApiResult,
    views::files::{Download, TableFormat, Tables},
};

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
    /// (the vocabulary `audit_action` names each).
    pub action: String,
    /// `user`, `unit`, … (the vocabulary `audit_entity` names each).
    pub entity: String,
    pub entity_id: Option<String>,
    pub summary: String,
    /// SHA-256 (hex) over this entry's content and the previous entry's hash
    /// (`xuefa audit verify` checks the chain).
    pub hash: Option<String>,
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
            hash: m.hash,
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
    /// Read the audit log (admin), newest first; each `action` and `entity` has its
    /// Chinese name in the vocabularies (`audit_action`, `audit_entity`).
    #[oai(path = "/audit-log", method = "get", operation_id = "listAuditLog")]
    #[allow(clippy::too_many_arguments)]
    async fn list_audit_log(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        actor_id: Query<Option<i64>>,
        /// The acting account's username, exactly.
        actor: Query<Option<String>>,
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
            actor: actor.0,
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

    /// The audit log as CSV or XLSX (admin), with the list's filters; times in the
    /// office's zone, actions and entities in Chinese. The export is itself logged.
    #[oai(
        path = "/audit-log/export",
        method = "get",
        operation_id = "exportAuditLog"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn export_audit_log(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        format: Query<TableFormat>,
        actor_id: Query<Option<i64>>,
        /// The acting account's username, exactly.
        actor: Query<Option<String>>,
        action: Query<Option<String>>,
        entity: Query<Option<String>>,
        entity_id: Query<Option<String>>,
        /// Entries at or after this time.
        since: Query<Option<DateTime<Utc>>>,
        /// Entries before this time.
        until: Query<Option<DateTime<Utc>>>,
    ) -> ApiResult<Download<Tables>> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadAuditLog).await?;
        let filter = AuditFilter {
            actor_id: actor_id.0,
            actor: actor.0,
            action: action.0,
            entity: entity.0,
            entity_id: entity_id.0,
            since: since.0,
            until: until.0,
        };
        let file = services::exports::audit_log(
            &state.db,
            &auth.0,
            &scope,
            filter,
            (format.0.into(), state.config.tz),
            state.clock.now(),
        )
        .await?;
        Ok(file.into())
    }
}
