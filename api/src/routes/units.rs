//! `/units`: the organisation tree.

use chrono::{DateTime, Utc};
use entity::unit;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::ApiTags;
use crate::views::{
    enums::UnitKind,
    paging::{Page, PageParam, PerPageParam, page_req},
    text::{self, Clearable, Text},
};
use domain::{
    policy::{self, Action},
    services::{
        self,
        units::{NewUnit, UnitChanges, UnitFilter},
    },
    state::AppState,
};

use crate::{auth::BearerAuth, error::ApiResult, validate::Checked};

pub struct UnitsApi;

/// A unit of the organisation.
#[derive(Debug, Object)]
pub struct UnitView {
    pub id: i64,
    pub name: String,
    pub kind: UnitKind,
    /// The unit this one belongs to; `null` at the top.
    pub parent_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<unit::Model> for UnitView {
    fn from(m: unit::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            kind: m.kind.into(),
            parent_id: m.parent_id,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new unit.
#[derive(Debug, Object)]
pub struct CreateUnit {
    /// 1 to 100 characters.
    #[oai(validator(max_length = 100))]
    pub name: Text,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
}

/// Changes to a unit; absent fields stay as they are. `parent_id: null` moves it to the top.
#[derive(Debug, Object)]
pub struct UpdateUnit {
    #[oai(validator(max_length = 100))]
    pub name: Option<Text>,
    pub kind: Option<UnitKind>,
    pub parent_id: Clearable<i64>,
}

#[derive(ApiResponse)]
pub enum UnitResponse {
    /// The unit.
    #[oai(status = 200)]
    Ok(Json<UnitView>),
    /// The unit was created.
    #[oai(status = 201)]
    Created(Json<UnitView>),
}

#[derive(ApiResponse)]
pub enum UnitList {
    /// A page of units, by id.
    #[oai(status = 200)]
    Ok(Json<Page<UnitView>>),
}

#[derive(ApiResponse)]
pub enum UnitDeleted {
    /// The unit was deleted.
    #[oai(status = 204)]
    NoContent,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Units")]
impl UnitsApi {
    /// List units (any signed-in account).
    #[oai(path = "/units", method = "get", operation_id = "listUnits")]
    async fn list_units(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only the direct children of this unit.
        parent_id: Query<Option<i64>>,
        kind: Query<Option<UnitKind>>,
        /// Part of the name.
        q: Query<Option<String>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<UnitList> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadCatalogue).await?;
        let filter = UnitFilter {
            parent_id: parent_id.0,
            kind: kind.0.map(Into::into),
            q: q.0,
        };
        let found =
            services::units::list(&state.db, &scope, filter, page_req(page, per_page)).await?;
        Ok(UnitList::Ok(Json(Page::of(found, UnitView::from))))
    }

    /// Create a unit (admin, hr).
    #[oai(path = "/units", method = "post", operation_id = "createUnit")]
    async fn create_unit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Checked<CreateUnit>,
    ) -> ApiResult<UnitResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageUnits).await?;
        let body = body.0;
        let unit = services::units::create(
            &state.db,
            &auth.0,
            &scope,
            NewUnit {
                name: body.name.into(),
                kind: body.kind.into(),
                parent_id: body.parent_id,
            },
            state.clock.now(),
        )
        .await?;
        Ok(UnitResponse::Created(Json(unit.into())))
    }

    /// One unit (any signed-in account).
    #[oai(path = "/units/:id", method = "get", operation_id = "getUnit")]
    async fn get_unit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<UnitResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadCatalogue).await?;
        let unit = services::units::find_in(&state.db, &scope, id.0).await?;
        Ok(UnitResponse::Ok(Json(unit.into())))
    }

    /// Change a unit (admin, hr). A unit cannot be moved under itself or its sub-units.
    #[oai(path = "/units/:id", method = "patch", operation_id = "updateUnit")]
    async fn update_unit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Checked<UpdateUnit>,
    ) -> ApiResult<UnitResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageUnits).await?;
        let body = body.0;
        let changes = UnitChanges {
            name: text::opt(body.name),
            kind: body.kind.map(Into::into),
            parent_id: body.parent_id.into_change(),
        };
        let unit =
            services::units::update(&state.db, &auth.0, &scope, id.0, changes, state.clock.now())
                .await?;
        Ok(UnitResponse::Ok(Json(unit.into())))
    }

    /// Delete a unit (admin, hr). 409 while it still has sub-units or accounts.
    #[oai(path = "/units/:id", method = "delete", operation_id = "deleteUnit")]
    async fn delete_unit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<UnitDeleted> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageUnits).await?;
        services::units::delete(&state.db, &auth.0, &scope, id.0, state.clock.now()).await?;
        Ok(UnitDeleted::NoContent)
    }
}
