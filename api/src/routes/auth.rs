//! `/auth/*` and `/me`: tokens and the caller's own account.

use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use super::ApiTags;
use crate::views::{
    text::Text,
    users::{MeView, ScopeView},
};
use domain::{
    policy::{self, Action},
    services::{self, auth::TokenPair},
    state::AppState,
};

use crate::{auth::BearerAuth, error::ApiResult, validate::Checked};

pub struct AuthApi;

/// Credentials.
#[derive(Debug, Object)]
#[oai(rename_all = "snake_case")]
pub struct LoginRequest {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub username: Text,
    #[oai(validator(min_length = 1, max_length = 128))]
    pub password: Text,
}

/// A refresh token from an earlier login or refresh.
#[derive(Debug, Object)]
pub struct RefreshRequest {
    #[oai(validator(min_length = 1, max_length = 256))]
    pub refresh_token: Text,
}

/// A new pair of tokens.
#[derive(Debug, Object)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer …`; valid for `expires_in` seconds.
    pub access_token: String,
    /// Exchange at `/auth/refresh` for a new pair; single use, valid 30 days.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

impl From<TokenPair> for TokenResponse {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
            token_type: "Bearer".into(),
            expires_in: pair.expires_in,
        }
    }
}

/// A password change.
#[derive(Debug, Object)]
pub struct ChangePassword {
    #[oai(validator(min_length = 1, max_length = 128))]
    pub current_password: Text,
    /// 8 to 128 characters.
    #[oai(validator(max_length = 128))]
    pub new_password: Text,
}

#[derive(ApiResponse)]
pub enum TokensIssued {
    /// The credentials are right: here are the tokens.
    #[oai(status = 200)]
    Ok(Json<TokenResponse>),
}

#[derive(ApiResponse)]
pub enum Done {
    /// Done; nothing to return.
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
pub enum Me {
    /// The caller's own account.
    #[oai(status = 200)]
    Ok(Json<MeView>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Log in with username and password.
    ///
    /// After 5 failed attempts for one username from one client address within 15
    /// minutes, further attempts from that address are refused with 429 and `Retry-After`
    /// until the window has passed (the same username still signs in from elsewhere);
    /// after more than 50 from all addresses together, everywhere.
    #[oai(path = "/auth/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Checked<LoginRequest>,
    ) -> ApiResult<TokensIssued> {
        let client = crate::auth::client_address(req);
        let pair = services::auth::login(
            &state.db,
            &state.jwt,
            (&body.username, &body.password),
            &client,
            state.clock.now(),
        )
        .await?;
        Ok(TokensIssued::Ok(Json(pair.into())))
    }

    /// Exchange a refresh token for a new pair.
    ///
    /// The presented token stops working. Presenting an already-used token revokes every
    /// token descended from the same login (someone else has a copy).
    #[oai(
        path = "/auth/refresh",
        method = "post",
        operation_id = "refreshTokens"
    )]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        body: Checked<RefreshRequest>,
    ) -> ApiResult<TokensIssued> {
        let pair = services::auth::refresh(
            &state.db,
            &state.jwt,
            &body.refresh_token,
            state.clock.now(),
        )
        .await?;
        Ok(TokensIssued::Ok(Json(pair.into())))
    }

    /// Log out: the refresh token (and every token of that login) stops working.
    #[oai(path = "/auth/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Checked<RefreshRequest>,
    ) -> ApiResult<Done> {
        policy::authorize(&auth.0, Action::UseOwnAccount)?;
        services::auth::logout(&state.db, &auth.0, &body.refresh_token, state.clock.now()).await?;
        Ok(Done::NoContent)
    }

    /// The caller's own profile.
    #[oai(path = "/me", method = "get", operation_id = "getMe")]
    async fn me(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Me> {
        policy::authorize(&auth.0, Action::UseOwnAccount)?;
        let user = services::users::get(&state.db, auth.0.id).await?;
        let scope = match user.scope_unit_id {
            Some(unit) => {
                let path = services::units::path_to(&state.db, unit).await?;
                Some(ScopeView {
                    unit_id: unit,
                    name: path.last().cloned().unwrap_or_default(),
                    path,
                })
            }
            None => None,
        };
        Ok(Me::Ok(Json(MeView {
            account: user.into(),
            scope,
        })))
    }

    /// Change the caller's own password. Every refresh token of the account stops working.
    #[oai(
        path = "/me/password",
        method = "post",
        operation_id = "changeMyPassword"
    )]
    async fn change_password(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Checked<ChangePassword>,
    ) -> ApiResult<Done> {
        policy::authorize(&auth.0, Action::UseOwnAccount)?;
        services::auth::change_password(
            &state.db,
            &auth.0,
            &body.current_password,
            &body.new_password,
            state.clock.now(),
        )
        .await?;
        Ok(Done::NoContent)
    }
}
