//! The judicial office's records kept as ledgers: the tallies `/mediation-cases`,
//! `/legal-services`, `/screenings`, `/petitions`, `/inspections` here, and the rest of
//! the 法治政府建设 report in [`law`]. Each has the same six operations (list, create,
//! get, change, delete, import), written once as generic handlers over [`Resource`];
//! `ledger_api!` gives each its paths, operation ids, tag and docs.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use entity::{inspection, legal_service, mediation_case, petition, screening};
use poem::web::Data;
use poem_openapi::{
    ApiRequest, ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
    types::{ParseFromJSON, ToJSON, Type},
};

use super::ApiTags;
use crate::views::{
    enums::{
        InspectionField, LegalServiceKind, LegalTopic, Level, MediationCategory, MediationResult,
    },
    money::{Amount, Money},
    paging::{Page, PageParam, PerPageParam, page_req},
    text::{Clearable, Text},
};
use domain::{
    auth::Actor,
    policy::{self, Action},
    services::ledgers::{
        self, Filter, Inspections, Ledger, LegalServices, MediationCases, Petitions, Record,
        Screenings, import::Importable,
    },
    state::AppState,
};

use crate::{
    auth::BearerAuth,
    error::{ApiResult, AppError},
    middleware::Charset,
    validate::Checked,
};

/// One ledger as the API shows it: its view and request bodies, and how a body becomes
/// a record.
pub trait Resource {
    type L: Importable;
    /// Who may write it (reading is [`Action::ReadLedgers`]).
    const WRITE: Action = Action::RecordLedgers;
    type View: Type + ParseFromJSON + ToJSON + Send + Sync + From<Record<Model<Self>>>;
    type Create: Type + ParseFromJSON + Send;
    type Update: Type + ParseFromJSON + Send;

    /// A new record from a create body (the stamps are the service's).
    fn build(b: Self::Create, tz: FixedOffset, now: DateTime<Utc>)
    -> Result<Model<Self>, AppError>;
    /// The change a PATCH body makes; absent fields stay.
    fn change(
        b: Self::Update,
        tz: FixedOffset,
    ) -> Result<impl FnOnce(&mut Model<Self>) + Send, AppError>;
}

type Model<R> = <<R as Resource>::L as Ledger>::Model;

pub(super) fn date(field: &str, raw: &Text, tz: FixedOffset) -> Result<NaiveDate, AppError> {
    domain::clock::parse_day(field, raw, tz)
}

fn date_opt(
    field: &str,
    raw: Option<Text>,
    tz: FixedOffset,
) -> Result<Option<NaiveDate>, AppError> {
    raw.map(|r| date(field, &r, tz)).transpose()
}

/// A stored record (200) or a new one (201).
#[derive(ApiResponse)]
pub enum Saved<T: ParseFromJSON + ToJSON + Send + Sync> {
    /// The record.
    #[oai(status = 200)]
    Ok(Json<T>),
    /// Recorded.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// A page of records, newest first.
#[derive(ApiResponse)]
pub enum Listed<T: ParseFromJSON + ToJSON + Send + Sync> {
    /// A page of records, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<T>>),
}

#[derive(ApiResponse)]
pub enum Deleted {
    /// Deleted (kept for the audit trail, counted nowhere).
    #[oai(status = 204)]
    NoContent,
}

/// What an import did.
#[derive(Debug, Object)]
pub struct LedgerImported {
    /// Records created (an import only adds).
    pub created: u64,
}

#[derive(ApiResponse)]
pub enum LedgerImportResponse {
    /// Every line was stored.
    #[oai(status = 200)]
    Ok(Json<LedgerImported>),
}

/// A ledger file as kept in Excel (UTF-8 with or without BOM, or GBK), with a header line
/// in English (the field names) or Chinese.
#[derive(Debug, ApiRequest)]
pub enum LedgerFile {
    /// CSV with a header line; see docs/RULES.md for each ledger's columns.
    #[oai(content_type = "text/csv")]
    Csv(Binary<Vec<u8>>),
}

async fn list<R: Resource>(
    state: &AppState,
    actor: &Actor,
    (year, unit_id): (Option<i32>, Option<i64>),
    page: domain::paging::PageReq,
) -> ApiResult<Listed<R::View>> {
    let scope = policy::authorize_in_scope(&state.db, actor, Action::ReadLedgers).await?;
    let found = ledgers::list::<R::L>(&state.db, &scope, Filter { year, unit_id }, page).await?;
    Ok(Listed::Ok(Json(Page::of(found, R::View::from))))
}

async fn create<R: Resource>(
    state: &AppState,
    actor: &Actor,
    body: R::Create,
) -> ApiResult<Saved<R::View>> {
    let scope = policy::authorize_in_scope(&state.db, actor, R::WRITE).await?;
    let now = state.clock.now();
    let model = R::build(body, state.config.tz, now)?;
    let stored =
        ledgers::create::<R::L>(&state.db, actor, &scope, model, state.today(), now).await?;
    Ok(Saved::Created(Json(stored.into())))
}

async fn get<R: Resource>(state: &AppState, actor: &Actor, id: i64) -> ApiResult<Saved<R::View>> {
    let scope = policy::authorize_in_scope(&state.db, actor, Action::ReadLedgers).await?;
    Ok(Saved::Ok(Json(
        ledgers::get::<R::L>(&state.db, &scope, id).await?.into(),
    )))
}

async fn update<R: Resource>(
    state: &AppState,
    actor: &Actor,
    id: i64,
    body: R::Update,
) -> ApiResult<Saved<R::View>> {
    let scope = policy::authorize_in_scope(&state.db, actor, R::WRITE).await?;
    let change = R::change(body, state.config.tz)?;
    let stored = ledgers::update::<R::L>(
        &state.db,
        actor,
        &scope,
        id,
        change,
        state.today(),
        state.clock.now(),
    )
    .await?;
    Ok(Saved::Ok(Json(stored.into())))
}

async fn delete<R: Resource>(state: &AppState, actor: &Actor, id: i64) -> ApiResult<Deleted> {
    let scope = policy::authorize_in_scope(&state.db, actor, R::WRITE).await?;
    ledgers::delete::<R::L>(&state.db, actor, &scope, id, state.clock.now()).await?;
    Ok(Deleted::NoContent)
}

async fn import<R: Resource>(
    state: &AppState,
    actor: &Actor,
    body: LedgerFile,
    charset: Option<&Charset>,
) -> ApiResult<LedgerImportResponse> {
    let scope = policy::authorize_in_scope(&state.db, actor, R::WRITE).await?;
    let LedgerFile::Csv(bytes) = body;
    let created = ledgers::import::import::<R::L>(
        &state.db,
        actor,
        &scope,
        (&bytes.0, charset.map(|c| c.0.as_str())),
        (state.config.tz, state.today()),
        state.clock.now(),
    )
    .await?;
    Ok(LedgerImportResponse::Ok(Json(LedgerImported { created })))
}

/// The six operations of one ledger, each handing over to the generic handler above.
macro_rules! ledger_api {
    (
        $api:ident, $resource:ty, tag: $tag:literal,
        paths: $collection:literal, $item:literal, $import_path:literal,
        ids: $list_id:literal, $create_id:literal, $get_id:literal, $update_id:literal,
            $delete_id:literal, $import_id:literal,
        docs: $list_doc:literal, $create_doc:literal, $get_doc:literal, $update_doc:literal,
            $delete_doc:literal, $import_doc:literal $(,)?
    ) => {
        pub struct $api;

        #[OpenApi(prefix_path = "/api/v1", tag = $tag)]
        impl $api {
            #[doc = $list_doc]
            #[oai(path = $collection, method = "get", operation_id = $list_id)]
            async fn list(
                &self,
                state: Data<&AppState>,
                auth: BearerAuth,
                /// Calendar year of the record's date.
                year: Query<Option<i32>>,
                /// The unit and its sub-units.
                unit_id: Query<Option<i64>>,
                page: PageParam,
                per_page: PerPageParam,
            ) -> ApiResult<Listed<<$resource as Resource>::View>> {
                list::<$resource>(
                    &state,
                    &auth.0,
                    (year.0, unit_id.0),
                    page_req(page, per_page),
                )
                .await
            }

            #[doc = $create_doc]
            #[oai(path = $collection, method = "post", operation_id = $create_id)]
            async fn create(
                &self,
                state: Data<&AppState>,
                auth: BearerAuth,
                body: Checked<<$resource as Resource>::Create>,
            ) -> ApiResult<Saved<<$resource as Resource>::View>> {
                create::<$resource>(&state, &auth.0, body.0).await
            }

            #[doc = $import_doc]
            #[oai(path = $import_path, method = "post", operation_id = $import_id)]
            async fn import(
                &self,
                state: Data<&AppState>,
                auth: BearerAuth,
                body: LedgerFile,
                charset: Option<Data<&Charset>>,
            ) -> ApiResult<LedgerImportResponse> {
                import::<$resource>(&state, &auth.0, body, charset.map(|c| c.0)).await
            }

            #[doc = $get_doc]
            #[oai(path = $item, method = "get", operation_id = $get_id)]
            async fn get(
                &self,
                state: Data<&AppState>,
                auth: BearerAuth,
                id: Path<i64>,
            ) -> ApiResult<Saved<<$resource as Resource>::View>> {
                get::<$resource>(&state, &auth.0, id.0).await
            }

            #[doc = $update_doc]
            #[oai(path = $item, method = "patch", operation_id = $update_id)]
            async fn update(
                &self,
                state: Data<&AppState>,
                auth: BearerAuth,
                id: Path<i64>,
                body: Checked<<$resource as Resource>::Update>,
            ) -> ApiResult<Saved<<$resource as Resource>::View>> {
                update::<$resource>(&state, &auth.0, id.0, body.0).await
            }

            #[doc = $delete_doc]
            #[oai(path = $item, method = "delete", operation_id = $delete_id)]
            async fn delete(
                &self,
                state: Data<&AppState>,
                auth: BearerAuth,
                id: Path<i64>,
            ) -> ApiResult<Deleted> {
                delete::<$resource>(&state, &auth.0, id.0).await
            }
        }
    };
}

// ---- 人民调解 ----

/// A dispute a people's mediation committee took on (人民调解).
#[derive(Debug, Object)]
pub struct MediationCaseView {
    pub id: i64,
    /// The unit whose committee mediated.
    pub committee_unit_id: i64,
    /// From the unit's kind: street/department → `street`, community, village, else `other`.
    pub level: Level,
    pub received_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub category: MediationCategory,
    pub result: MediationResult,
    /// 涉及金额 (yuan).
    pub amount: Money,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Record<mediation_case::Model>> for MediationCaseView {
    fn from(r: Record<mediation_case::Model>) -> Self {
        let m = r.model;
        Self {
            id: m.id,
            committee_unit_id: m.committee_unit_id,
            level: r.level.into(),
            received_on: m.received_on,
            closed_on: m.closed_on,
            category: m.category.into(),
            result: m.result.into(),
            amount: Money(m.amount_cents),
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new mediation case. Dates are `YYYY-MM-DD` (or a timestamp, read as a date in the
/// office's time zone), not in the future; `closed_on` not before `received_on`.
#[derive(Debug, Object)]
pub struct CreateMediationCase {
    pub committee_unit_id: i64,
    #[oai(validator(max_length = 40))]
    pub received_on: Text,
    #[oai(validator(max_length = 40))]
    pub closed_on: Option<Text>,
    pub category: MediationCategory,
    pub result: MediationResult,
    /// 涉及金额 (yuan, ≥ 0, two decimals); 0 when absent.
    #[oai(default)]
    pub amount: Amount,
    #[oai(default, validator(max_length = 2000))]
    pub notes: Text,
}

/// Changes to a mediation case; absent fields stay, `closed_on: null` clears it.
#[derive(Debug, Object)]
pub struct UpdateMediationCase {
    pub committee_unit_id: Option<i64>,
    #[oai(validator(max_length = 40))]
    pub received_on: Option<Text>,
    #[oai(validator(max_length = 40))]
    pub closed_on: Clearable<Text>,
    pub category: Option<MediationCategory>,
    pub result: Option<MediationResult>,
    pub amount: Option<Amount>,
    #[oai(validator(max_length = 2000))]
    pub notes: Option<Text>,
}

pub struct MediationCaseResource;

impl Resource for MediationCaseResource {
    type L = MediationCases;
    type View = MediationCaseView;
    type Create = CreateMediationCase;
    type Update = UpdateMediationCase;

    fn build(
        b: CreateMediationCase,
        tz: FixedOffset,
        now: DateTime<Utc>,
    ) -> Result<mediation_case::Model, AppError> {
        Ok(mediation_case::Model {
            id: 0,
            committee_unit_id: b.committee_unit_id,
            received_on: date("received_on", &b.received_on, tz)?,
            closed_on: date_opt("closed_on", b.closed_on, tz)?,
            category: b.category.into(),
            result: b.result.into(),
            amount_cents: b.amount.cents("amount")?,
            notes: b.notes.trim().to_owned(),
            created_by: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }

    fn change(
        b: UpdateMediationCase,
        tz: FixedOffset,
    ) -> Result<impl FnOnce(&mut mediation_case::Model) + Send, AppError> {
        let received_on = date_opt("received_on", b.received_on, tz)?;
        let closed_on = match b.closed_on.into_change() {
            Some(Some(raw)) => Some(Some(date("closed_on", &raw, tz)?)),
            Some(None) => Some(None),
            None => None,
        };
        let amount = b.amount.map(|a| a.cents("amount")).transpose()?;
        Ok(move |m: &mut mediation_case::Model| {
            if let Some(v) = b.committee_unit_id {
                m.committee_unit_id = v;
            }
            if let Some(v) = received_on {
                m.received_on = v;
            }
            if let Some(v) = closed_on {
                m.closed_on = v;
            }
            if let Some(v) = b.category {
                m.category = v.into();
            }
            if let Some(v) = b.result {
                m.result = v.into();
            }
            if let Some(v) = amount {
                m.amount_cents = v;
            }
            if let Some(v) = b.notes {
                m.notes = v.trim().to_owned();
            }
        })
    }
}

ledger_api!(
    MediationCasesApi, MediationCaseResource, tag: "ApiTags::Ledgers",
    paths: "/mediation-cases", "/mediation-cases/:id", "/mediation-cases/import",
    ids: "listMediationCases", "createMediationCase", "getMediationCase",
        "updateMediationCase", "deleteMediationCase", "importMediationCases",
    docs: "List mediation cases (admin, judicial, hr), newest first.",
        "Record a mediation case (admin, judicial).",
        "One mediation case (admin, judicial, hr).",
        "Change a mediation case (admin, judicial).",
        "Delete a mediation case (admin, judicial): kept for the audit trail, counted nowhere.",
        "Import mediation cases from CSV (admin, judicial), all or nothing. Columns: committee_unit_id/调委会 (unit name or id), received_on/受理日期, closed_on/结案日期, category/类别, result/结果, amount/涉及金额, notes/备注.",
);

// ---- 公共法律服务 ----

/// Public legal services held on one day (公共法律服务).
#[derive(Debug, Object)]
pub struct LegalServiceView {
    pub id: i64,
    pub kind: LegalServiceKind,
    pub unit_id: i64,
    pub level: Level,
    pub held_on: NaiveDate,
    /// Shifts, consultations or cases.
    pub count: i32,
    pub topic: Option<LegalTopic>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Record<legal_service::Model>> for LegalServiceView {
    fn from(r: Record<legal_service::Model>) -> Self {
        let m = r.model;
        Self {
            id: m.id,
            kind: m.kind.into(),
            unit_id: m.unit_id,
            level: r.level.into(),
            held_on: m.held_on,
            count: m.count,
            topic: m.topic.map(Into::into),
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// New legal services: `count` (≥ 1) shifts, consultations or cases on one day.
#[derive(Debug, Object)]
pub struct CreateLegalService {
    pub kind: LegalServiceKind,
    pub unit_id: i64,
    #[oai(validator(max_length = 40))]
    pub held_on: Text,
    /// How many (≥ 1); 1 when absent.
    #[oai(default = "one")]
    pub count: i32,
    pub topic: Option<LegalTopic>,
    #[oai(default, validator(max_length = 2000))]
    pub notes: Text,
}

fn one() -> i32 {
    1
}

/// Changes to legal services; absent fields stay, `topic: null` clears it.
#[derive(Debug, Object)]
pub struct UpdateLegalService {
    pub kind: Option<LegalServiceKind>,
    pub unit_id: Option<i64>,
    #[oai(validator(max_length = 40))]
    pub held_on: Option<Text>,
    pub count: Option<i32>,
    pub topic: Clearable<LegalTopic>,
    #[oai(validator(max_length = 2000))]
    pub notes: Option<Text>,
}

pub struct LegalServiceResource;

impl Resource for LegalServiceResource {
    type L = LegalServices;
    type View = LegalServiceView;
    type Create = CreateLegalService;
    type Update = UpdateLegalService;

    fn build(
        b: CreateLegalService,
        tz: FixedOffset,
        now: DateTime<Utc>,
    ) -> Result<legal_service::Model, AppError> {
        Ok(legal_service::Model {
            id: 0,
            kind: b.kind.into(),
            unit_id: b.unit_id,
            held_on: date("held_on", &b.held_on, tz)?,
            count: b.count,
            topic: b.topic.map(Into::into),
            notes: b.notes.trim().to_owned(),
            created_by: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }

    fn change(
        b: UpdateLegalService,
        tz: FixedOffset,
    ) -> Result<impl FnOnce(&mut legal_service::Model) + Send, AppError> {
        let held_on = date_opt("held_on", b.held_on, tz)?;
        Ok(move |m: &mut legal_service::Model| {
            if let Some(v) = b.kind {
                m.kind = v.into();
            }
            if let Some(v) = b.unit_id {
                m.unit_id = v;
            }
            if let Some(v) = held_on {
                m.held_on = v;
            }
            if let Some(v) = b.count {
                m.count = v;
            }
            if let Some(v) = b.topic.into_change() {
                m.topic = v.map(Into::into);
            }
            if let Some(v) = b.notes {
                m.notes = v.trim().to_owned();
            }
        })
    }
}

ledger_api!(
    LegalServicesApi, LegalServiceResource, tag: "ApiTags::Ledgers",
    paths: "/legal-services", "/legal-services/:id", "/legal-services/import",
    ids: "listLegalServices", "createLegalService", "getLegalService",
        "updateLegalService", "deleteLegalService", "importLegalServices",
    docs: "List legal services (admin, judicial, hr), newest first.",
        "Record legal services (admin, judicial).",
        "One legal-services record (admin, judicial, hr).",
        "Change a legal-services record (admin, judicial).",
        "Delete a legal-services record (admin, judicial): kept for the audit trail, counted nowhere.",
        "Import legal services from CSV (admin, judicial), all or nothing. Columns: kind/服务类型, unit_id/单位 (unit name or id), held_on/日期, count/次数 (1 when empty), topic/咨询事项, notes/备注.",
);

// ---- 矛盾纠纷排查 ----

/// One dispute screening (矛盾纠纷排查).
#[derive(Debug, Object)]
pub struct ScreeningView {
    pub id: i64,
    pub unit_id: i64,
    pub level: Level,
    pub held_on: NaiveDate,
    pub issues_found: i32,
    pub issues_resolved: i32,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Record<screening::Model>> for ScreeningView {
    fn from(r: Record<screening::Model>) -> Self {
        let m = r.model;
        Self {
            id: m.id,
            unit_id: m.unit_id,
            level: r.level.into(),
            held_on: m.held_on,
            issues_found: m.issues_found,
            issues_resolved: m.issues_resolved,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new screening: `issues_resolved` ≤ `issues_found`, both ≥ 0.
#[derive(Debug, Object)]
pub struct CreateScreening {
    pub unit_id: i64,
    #[oai(validator(max_length = 40))]
    pub held_on: Text,
    pub issues_found: i32,
    pub issues_resolved: i32,
    #[oai(default, validator(max_length = 2000))]
    pub notes: Text,
}

/// Changes to a screening; absent fields stay.
#[derive(Debug, Object)]
pub struct UpdateScreening {
    pub unit_id: Option<i64>,
    #[oai(validator(max_length = 40))]
    pub held_on: Option<Text>,
    pub issues_found: Option<i32>,
    pub issues_resolved: Option<i32>,
    #[oai(validator(max_length = 2000))]
    pub notes: Option<Text>,
}

pub struct ScreeningResource;

impl Resource for ScreeningResource {
    type L = Screenings;
    type View = ScreeningView;
    type Create = CreateScreening;
    type Update = UpdateScreening;

    fn build(
        b: CreateScreening,
        tz: FixedOffset,
        now: DateTime<Utc>,
    ) -> Result<screening::Model, AppError> {
        Ok(screening::Model {
            id: 0,
            unit_id: b.unit_id,
            held_on: date("held_on", &b.held_on, tz)?,
            issues_found: b.issues_found,
            issues_resolved: b.issues_resolved,
            notes: b.notes.trim().to_owned(),
            created_by: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }

    fn change(
        b: UpdateScreening,
        tz: FixedOffset,
    ) -> Result<impl FnOnce(&mut screening::Model) + Send, AppError> {
        let held_on = date_opt("held_on", b.held_on, tz)?;
        Ok(move |m: &mut screening::Model| {
            if let Some(v) = b.unit_id {
                m.unit_id = v;
            }
            if let Some(v) = held_on {
                m.held_on = v;
            }
            if let Some(v) = b.issues_found {
                m.issues_found = v;
            }
            if let Some(v) = b.issues_resolved {
                m.issues_resolved = v;
            }
            if let Some(v) = b.notes {
                m.notes = v.trim().to_owned();
            }
        })
    }
}

ledger_api!(
    ScreeningsApi, ScreeningResource, tag: "ApiTags::Ledgers",
    paths: "/screenings", "/screenings/:id", "/screenings/import",
    ids: "listScreenings", "createScreening", "getScreening",
        "updateScreening", "deleteScreening", "importScreenings",
    docs: "List dispute screenings (admin, judicial, hr), newest first.",
        "Record a dispute screening (admin, judicial).",
        "One dispute screening (admin, judicial, hr).",
        "Change a dispute screening (admin, judicial).",
        "Delete a dispute screening (admin, judicial): kept for the audit trail, counted nowhere.",
        "Import dispute screenings from CSV (admin, judicial), all or nothing. Columns: unit_id/单位 (unit name or id), held_on/日期, issues_found/排查纠纷数, issues_resolved/化解数, notes/备注.",
);

// ---- 信访 ----

/// Petition work received on one day (信访).
#[derive(Debug, Object)]
pub struct PetitionView {
    pub id: i64,
    pub unit_id: i64,
    pub level: Level,
    pub received_on: NaiveDate,
    pub cases: i32,
    /// 来访人次
    pub visitors: i32,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Record<petition::Model>> for PetitionView {
    fn from(r: Record<petition::Model>) -> Self {
        let m = r.model;
        Self {
            id: m.id,
            unit_id: m.unit_id,
            level: r.level.into(),
            received_on: m.received_on,
            cases: m.cases,
            visitors: m.visitors,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// New petition work: cases and visitors, both ≥ 0.
#[derive(Debug, Object)]
pub struct CreatePetition {
    pub unit_id: i64,
    #[oai(validator(max_length = 40))]
    pub received_on: Text,
    pub cases: i32,
    pub visitors: i32,
    #[oai(default, validator(max_length = 2000))]
    pub notes: Text,
}

/// Changes to petition work; absent fields stay.
#[derive(Debug, Object)]
pub struct UpdatePetition {
    pub unit_id: Option<i64>,
    #[oai(validator(max_length = 40))]
    pub received_on: Option<Text>,
    pub cases: Option<i32>,
    pub visitors: Option<i32>,
    #[oai(validator(max_length = 2000))]
    pub notes: Option<Text>,
}

pub struct PetitionResource;

impl Resource for PetitionResource {
    type L = Petitions;
    type View = PetitionView;
    type Create = CreatePetition;
    type Update = UpdatePetition;

    fn build(
        b: CreatePetition,
        tz: FixedOffset,
        now: DateTime<Utc>,
    ) -> Result<petition::Model, AppError> {
        Ok(petition::Model {
            id: 0,
            unit_id: b.unit_id,
            received_on: date("received_on", &b.received_on, tz)?,
            cases: b.cases,
            visitors: b.visitors,
            notes: b.notes.trim().to_owned(),
            created_by: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }

    fn change(
        b: UpdatePetition,
        tz: FixedOffset,
    ) -> Result<impl FnOnce(&mut petition::Model) + Send, AppError> {
        let received_on = date_opt("received_on", b.received_on, tz)?;
        Ok(move |m: &mut petition::Model| {
            if let Some(v) = b.unit_id {
                m.unit_id = v;
            }
            if let Some(v) = received_on {
                m.received_on = v;
            }
            if let Some(v) = b.cases {
                m.cases = v;
            }
            if let Some(v) = b.visitors {
                m.visitors = v;
            }
            if let Some(v) = b.notes {
                m.notes = v.trim().to_owned();
            }
        })
    }
}

ledger_api!(
    PetitionsApi, PetitionResource, tag: "ApiTags::Ledgers",
    paths: "/petitions", "/petitions/:id", "/petitions/import",
    ids: "listPetitions", "createPetition", "getPetition",
        "updatePetition", "deletePetition", "importPetitions",
    docs: "List petition records (admin, judicial, hr), newest first.",
        "Record petition work (admin, judicial).",
        "One petition record (admin, judicial, hr).",
        "Change a petition record (admin, judicial).",
        "Delete a petition record (admin, judicial): kept for the audit trail, counted nowhere.",
        "Import petition records from CSV (admin, judicial), all or nothing. Columns: unit_id/单位 (unit name or id), received_on/日期, cases/案件数, visitors/来访人次, notes/备注.",
);

// ---- 行政执法检查 ----

/// One round of enforcement inspections (行政执法检查).
#[derive(Debug, Object)]
pub struct InspectionView {
    pub id: i64,
    pub unit_id: i64,
    pub level: Level,
    pub held_on: NaiveDate,
    pub field: InspectionField,
    /// 检查家次
    pub entities_checked: i32,
    pub hazards_found: i32,
    pub hazards_fixed: i32,
    /// 处罚单位数
    pub penalties: i32,
    /// 罚款 (yuan).
    pub fines: Money,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Record<inspection::Model>> for InspectionView {
    fn from(r: Record<inspection::Model>) -> Self {
        let m = r.model;
        Self {
            id: m.id,
            unit_id: m.unit_id,
            level: r.level.into(),
            held_on: m.held_on,
            field: m.field.into(),
            entities_checked: m.entities_checked,
            hazards_found: m.hazards_found,
            hazards_fixed: m.hazards_fixed,
            penalties: m.penalties,
            fines: Money(m.fines_cents),
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new round of inspections: counts ≥ 0, `hazards_fixed` ≤ `hazards_found`, fines in
/// yuan with two decimals.
#[derive(Debug, Object)]
pub struct CreateInspection {
    pub unit_id: i64,
    #[oai(validator(max_length = 40))]
    pub held_on: Text,
    pub field: InspectionField,
    pub entities_checked: i32,
    #[oai(default)]
    pub hazards_found: i32,
    #[oai(default)]
    pub hazards_fixed: i32,
    #[oai(default)]
    pub penalties: i32,
    /// 罚款 (yuan, ≥ 0, two decimals); 0 when absent.
    #[oai(default)]
    pub fines: Amount,
    #[oai(default, validator(max_length = 2000))]
    pub notes: Text,
}

/// Changes to a round of inspections; absent fields stay.
#[derive(Debug, Object)]
pub struct UpdateInspection {
    pub unit_id: Option<i64>,
    #[oai(validator(max_length = 40))]
    pub held_on: Option<Text>,
    pub field: Option<InspectionField>,
    pub entities_checked: Option<i32>,
    pub hazards_found: Option<i32>,
    pub hazards_fixed: Option<i32>,
    pub penalties: Option<i32>,
    pub fines: Option<Amount>,
    #[oai(validator(max_length = 2000))]
    pub notes: Option<Text>,
}

pub struct InspectionResource;

impl Resource for InspectionResource {
    type L = Inspections;
    type View = InspectionView;
    type Create = CreateInspection;
    type Update = UpdateInspection;

    fn build(
        b: CreateInspection,
        tz: FixedOffset,
        now: DateTime<Utc>,
    ) -> Result<inspection::Model, AppError> {
        Ok(inspection::Model {
            id: 0,
            unit_id: b.unit_id,
            held_on: date("held_on", &b.held_on, tz)?,
            field: b.field.into(),
            entities_checked: b.entities_checked,
            hazards_found: b.hazards_found,
            hazards_fixed: b.hazards_fixed,
            penalties: b.penalties,
            fines_cents: b.fines.cents("fines")?,
            notes: b.notes.trim().to_owned(),
            created_by: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }

    fn change(
        b: UpdateInspection,
        tz: FixedOffset,
    ) -> Result<impl FnOnce(&mut inspection::Model) + Send, AppError> {
        let held_on = date_opt("held_on", b.held_on, tz)?;
        let fines = b.fines.map(|a| a.cents("fines")).transpose()?;
        Ok(move |m: &mut inspection::Model| {
            if let Some(v) = b.unit_id {
                m.unit_id = v;
            }
            if let Some(v) = held_on {
                m.held_on = v;
            }
            if let Some(v) = b.field {
                m.field = v.into();
            }
            if let Some(v) = b.entities_checked {
                m.entities_checked = v;
            }
            if let Some(v) = b.hazards_found {
                m.hazards_found = v;
            }
            if let Some(v) = b.hazards_fixed {
                m.hazards_fixed = v;
            }
            if let Some(v) = b.penalties {
                m.penalties = v;
            }
            if let Some(v) = fines {
                m.fines_cents = v;
            }
            if let Some(v) = b.notes {
                m.notes = v.trim().to_owned();
            }
        })
    }
}

ledger_api!(
    InspectionsApi, InspectionResource, tag: "ApiTags::Ledgers",
    paths: "/inspections", "/inspections/:id", "/inspections/import",
    ids: "listInspections", "createInspection", "getInspection",
        "updateInspection", "deleteInspection", "importInspections",
    docs: "List enforcement inspections (admin, judicial, hr), newest first.",
        "Record a round of enforcement inspections (admin, judicial).",
        "One round of inspections (admin, judicial, hr).",
        "Change a round of inspections (admin, judicial).",
        "Delete a round of inspections (admin, judicial): kept for the audit trail, counted nowhere.",
        "Import inspections from CSV (admin, judicial), all or nothing. Columns: unit_id/单位 (unit name or id), held_on/日期, field/领域, entities_checked/检查家次, hazards_found/发现隐患, hazards_fixed/整改隐患, penalties/处罚单位数, fines/罚款金额, notes/备注.",
);

pub mod law;
