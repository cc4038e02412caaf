//! What every handler shares.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{auth::JwtKeys, config::Config};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub jwt: Arc<JwtKeys>,
    pub config: Arc<Config>,
}
