//! Liveness and readiness for load balancers and orchestrators.

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use sea_orm::ConnectionTrait;

use super::ApiTags;
use domain::state::AppState;

pub struct HealthApi;

/// Health status.
#[derive(Debug, Object)]
pub struct Health {
    /// `ok`, or `unavailable` when the database cannot be reached.
    pub status: String,
}

#[derive(ApiResponse)]
pub enum ReadyResponse {
    /// The server and its database are reachable.
    #[oai(status = 200)]
    Ready(Json<Health>),
    /// The database cannot be reached.
    #[oai(status = 503)]
    Unavailable(Json<Health>),
}

#[OpenApi(tag = "ApiTags::Ops")]
impl HealthApi {
    /// Liveness: the process is serving requests.
    #[oai(path = "/healthz", method = "get", operation_id = "getHealth")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health {
            status: "ok".into(),
        })
    }

    /// Readiness: the database answers a query.
    #[oai(path = "/readyz", method = "get", operation_id = "getReadiness")]
    async fn readyz(&self, state: Data<&AppState>) -> ReadyResponse {
        let backend = state.db.get_database_backend();
        let ping = state
            .db
            .execute_raw(sea_orm::Statement::from_string(backend, "SELECT 1"))
            .await;
        match ping {
            Ok(_) => ReadyResponse::Ready(Json(Health {
                status: "ok".into(),
            })),
            Err(e) => {
                tracing::warn!(error = %e, "readiness check failed");
                ReadyResponse::Unavailable(Json(Health {
                    status: "unavailable".into(),
                }))
            }
        }
    }
}
