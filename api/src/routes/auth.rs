//! `/auth/*` and `/me`: tokens and the caller's own account.

use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::ApiTags;
use crate::views::{
    enums::{self, Role},
    text::Text,
    users::{MeView, ScopeView, SignInView},
};
use domain::{
    auth::Limit,
    policy::{self, Action},
    security::{self, Security},
    services::{
        self,
        auth::{Credentials, TokenPair},
    },
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
    /// For an account with a second factor: the 6-digit code of the authenticator app,
    /// or one of its recovery codes.
    #[oai(validator(max_length = 32))]
    pub totp: Option<Text>,
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
    /// The password must be changed first: until it is, the access token only reads
    /// `/me`, changes the password and signs out (others: 403
    /// `password_change_required`).
    pub password_change_required: bool,
    /// A second factor must be enrolled first: until it is, the access token only reads
    /// `/me`, enrols (`/me/totp*`) and signs out (others: 403 `totp_enrollment_required`).
    pub totp_enrollment_required: bool,
    /// A session unused for this many minutes ends (the refresh answers 401
    /// `session_expired`); a client signs out after this long without activity.
    pub idle_timeout_minutes: u32,
}

impl TokenResponse {
    fn of(pair: TokenPair, security: &Security) -> Self {
        Self {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
            token_type: "Bearer".into(),
            expires_in: pair.expires_in,
            password_change_required: pair.limit == Some(Limit::PasswordChange),
            totp_enrollment_required: pair.limit == Some(Limit::TotpEnrollment),
            idle_timeout_minutes: security.idle_timeout_minutes,
        }
    }
}

/// The password rules and session settings, for a client to check a new password as it
/// is typed and to sign out after the idle time.
#[derive(Debug, Object)]
pub struct AuthPolicy {
    pub password_min_length: u32,
    pub password_max_length: u32,
    /// Of lower-case letters, capitals, digits and symbols, at least this many.
    pub password_classes: u32,
    /// A new password may not be one of the account's last this many.
    pub password_history: u32,
    /// 0 = passwords never expire.
    pub password_max_age_days: u32,
    pub idle_timeout_minutes: u32,
    /// The roles that must sign in with a second factor.
    pub totp_required_for: Vec<Role>,
    pub separation_of_duties: bool,
}

/// A code from the authenticator app (or a recovery code, to remove the factor).
#[derive(Debug, Object)]
pub struct TotpCode {
    #[oai(validator(min_length = 1, max_length = 32))]
    pub code: Text,
}

/// What to scan into an authenticator app.
#[derive(Debug, Object)]
pub struct TotpEnrolment {
    /// The secret (base32), for typing in when the QR code cannot be scanned.
    pub secret: String,
    pub otpauth_uri: String,
    /// `otpauth_uri` as a QR code: an SVG image.
    pub qr_svg: String,
}

/// The recovery codes, shown once: each signs in once in place of a code.
#[derive(Debug, Object)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
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
pub enum Policy {
    /// The rules in force.
    #[oai(status = 200)]
    Ok(Json<AuthPolicy>),
}

#[derive(ApiResponse)]
pub enum TotpStarted {
    /// Scan this, then confirm with a code.
    #[oai(status = 200)]
    Ok(Json<TotpEnrolment>),
}

#[derive(ApiResponse)]
pub enum TotpConfirmed {
    /// The second factor is in force; keep the recovery codes somewhere safe.
    #[oai(status = 200)]
    Ok(Json<RecoveryCodes>),
}

#[derive(ApiResponse)]
pub enum Me {
    /// The caller's own account.
    #[oai(status = 200)]
    Ok(Json<MeView>),
}

/// A provider a person may sign in with (统一身份认证).
#[derive(Debug, Object)]
pub struct ProviderView {
    /// The id in the provider's paths: `/auth/{id}/start`.
    pub id: String,
    /// The button's label (`XUEFA_OIDC_NAME`, e.g. 浙政钉).
    pub name: String,
}

/// A one-time code from a provider's sign-in (`#sso=` in the address it returned to).
#[derive(Debug, Object)]
pub struct SsoExchange {
    #[oai(validator(min_length = 1, max_length = 128))]
    pub code: Text,
    /// For an account with its own second factor (unless the provider's was trusted).
    #[oai(validator(max_length = 32))]
    pub totp: Option<Text>,
}

#[derive(ApiResponse)]
pub enum Providers {
    /// The providers configured (empty when none).
    #[oai(status = 200)]
    Ok(Json<Vec<ProviderView>>),
}

#[derive(ApiResponse)]
pub enum Redirect {
    /// Go on at `Location`: the provider's sign-in page, or back to this server's page
    /// (`return_to#sso=<one-time code>`, or `/#/login?error=…`).
    #[oai(status = 302)]
    Found(#[oai(header = "Location")] String),
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
        let security = &state.config.security;
        let credentials = Credentials {
            username: &body.username,
            password: &body.password,
            totp: body.totp.as_deref(),
            client: &client,
        };
        let pair = services::auth::login(
            &state.db,
            &state.jwt,
            security,
            credentials,
            state.clock.now(),
        )
        .await?;
        Ok(TokensIssued::Ok(Json(TokenResponse::of(pair, security))))
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
        let security = &state.config.security;
        let pair = services::auth::refresh(
            &state.db,
            &state.jwt,
            security,
            &body.refresh_token,
            state.clock.now(),
        )
        .await?;
        Ok(TokensIssued::Ok(Json(TokenResponse::of(pair, security))))
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
        let password_expires_at = match state.config.security.password_max_age_days {
            0 => None,
            _ if user.password_exempt => None,
            days => user
                .password_changed_at
                .map(|at| at + chrono::Duration::days(days as i64)),
        };
        Ok(Me::Ok(Json(MeView {
            last_sign_in: user.last_sign_in_at.map(|at| SignInView {
                at,
                address: user.last_sign_in_address.clone(),
            }),
            failed_sign_ins_since_last: user.failed_sign_ins_since_last,
            password_expires_at,
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
            &state.config.security,
            &auth.0,
            (&body.current_password, &body.new_password),
            state.clock.now(),
        )
        .await?;
        Ok(Done::NoContent)
    }

    /// The password rules and session settings in force (no token needed).
    #[oai(path = "/auth/policy", method = "get", operation_id = "getAuthPolicy")]
    async fn policy(&self, state: Data<&AppState>) -> Policy {
        let s = &state.config.security;
        Policy::Ok(Json(AuthPolicy {
            password_min_length: s.password_min_length as u32,
            password_max_length: security::PASSWORD_MAX_LENGTH as u32,
            password_classes: security::PASSWORD_CLASSES as u32,
            password_history: security::PASSWORD_HISTORY as u32,
            password_max_age_days: s.password_max_age_days,
            idle_timeout_minutes: s.idle_timeout_minutes,
            totp_required_for: enums::all(s.totp_required_for.clone()),
            separation_of_duties: s.separation_of_duties,
        }))
    }

    /// Start enrolling a second factor (TOTP): a new secret to scan, not in force until
    /// confirmed. Starting again replaces an unconfirmed one; 409 `totp_enabled` when the
    /// account already has one.
    #[oai(
        path = "/me/totp",
        method = "post",
        operation_id = "startTotpEnrolment"
    )]
    async fn start_totp(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<TotpStarted> {
        policy::authorize(&auth.0, Action::UseOwnAccount)?;
        let e = services::totp::begin(&state.db, &auth.0, state.clock.now()).await?;
        Ok(TotpStarted::Ok(Json(TotpEnrolment {
            secret: e.secret,
            otpauth_uri: e.otpauth_uri,
            qr_svg: e.qr_svg,
        })))
    }

    /// Confirm enrolment with the app's current code: from now on signing in needs a code,
    /// and the ten one-time recovery codes are answered once (stored only hashed). A
    /// wrong code is 422 (`wrong_code`).
    #[oai(
        path = "/me/totp/confirm",
        method = "post",
        operation_id = "confirmTotpEnrolment"
    )]
    async fn confirm_totp(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Checked<TotpCode>,
    ) -> ApiResult<TotpConfirmed> {
        policy::authorize(&auth.0, Action::UseOwnAccount)?;
        let codes =
            services::totp::confirm(&state.db, &auth.0, &body.code, state.clock.now()).await?;
        Ok(TotpConfirmed::Ok(Json(RecoveryCodes {
            recovery_codes: codes,
        })))
    }

    /// Remove the caller's own second factor, proven with a current code or a recovery
    /// code (audited).
    #[oai(path = "/me/totp", method = "delete", operation_id = "removeMyTotp")]
    async fn remove_totp(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Checked<TotpCode>,
    ) -> ApiResult<Done> {
        policy::authorize(&auth.0, Action::UseOwnAccount)?;
        services::totp::remove(&state.db, &auth.0, &body.code, state.clock.now()).await?;
        Ok(Done::NoContent)
    }

    /// The identity providers a person may sign in with (no token needed).
    #[oai(
        path = "/auth/providers",
        method = "get",
        operation_id = "listAuthProviders"
    )]
    async fn providers(&self, state: Data<&AppState>) -> Providers {
        let list = services::sso::providers(&state.config.sso)
            .into_iter()
            .map(|(id, name)| ProviderView {
                id: id.into(),
                name,
            })
            .collect();
        Providers::Ok(Json(list))
    }

    /// Start signing in through a provider: 302 to its sign-in page. `return_to` is a path
    /// of this server (default `/`); anything else is 422. When the provider cannot be
    /// reached, 302 to `/#/login?error=sso_unavailable`.
    #[oai(
        path = "/auth/:provider/start",
        method = "get",
        operation_id = "startSso"
    )]
    async fn start_sso(
        &self,
        state: Data<&AppState>,
        provider: Path<String>,
        #[oai(validator(max_length = 500))] return_to: Query<Option<String>>,
    ) -> ApiResult<Redirect> {
        known_provider(&state, &provider.0)?;
        let return_to = services::sso::check_return_to(return_to.0.as_deref())?;
        let location = match services::sso::start(
            &state.db,
            &state.config.sso,
            (&provider.0, &return_to),
            state.clock.now(),
        )
        .await
        {
            Ok(url) => url,
            Err(f) => {
                tracing::warn!(reason = %f.reason, "a provider sign-in could not start");
                format!("/#/login?error={}", f.code.key())
            }
        };
        Ok(Redirect::Found(location))
    }

    /// Where the provider sends the browser back: 302 to `return_to#sso=<one-time code>`,
    /// or to `/#/login?error=sso_no_account|sso_invalid|sso_expired|sso_unavailable` —
    /// never a token. Each failure is audited with its reason.
    #[oai(
        path = "/auth/:provider/callback",
        method = "get",
        operation_id = "finishSso"
    )]
    async fn callback(
        &self,
        state: Data<&AppState>,
        req: &Request,
        provider: Path<String>,
        #[oai(name = "state", validator(max_length = 512))] sso_state: Query<Option<String>>,
        #[oai(validator(max_length = 2048))] code: Query<Option<String>>,
        /// 钉钉 names the code `authCode`.
        #[oai(name = "authCode", validator(max_length = 2048))]
        auth_code: Query<Option<String>>,
        #[oai(validator(max_length = 256))] error: Query<Option<String>>,
    ) -> ApiResult<Redirect> {
        known_provider(&state, &provider.0)?;
        let client = crate::auth::client_address(req);
        let back = services::sso::Callback {
            provider: &provider.0,
            state: sso_state.0.as_deref(),
            code: code.0.as_deref().or(auth_code.0.as_deref()),
            error: error.0.as_deref(),
            client: &client,
        };
        let location =
            services::sso::callback(&state.db, &state.config.sso, back, state.clock.now()).await;
        Ok(Redirect::Found(location))
    }

    /// Exchange the one-time code of a provider's sign-in for tokens, as a login answers.
    /// The code is single-use and lives 60 s (401 `sso_invalid` / `sso_expired`); an account
    /// with its own second factor sends `totp` too (401 `totp_required`), unless the
    /// provider's `amr` said it used one and `XUEFA_OIDC_TRUST_MFA=1`.
    #[oai(
        path = "/auth/sso/exchange",
        method = "post",
        operation_id = "exchangeSsoCode"
    )]
    async fn exchange(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Checked<SsoExchange>,
    ) -> ApiResult<TokensIssued> {
        let client = crate::auth::client_address(req);
        let security = &state.config.security;
        let pair = services::sso::exchange(
            &state.db,
            (&state.jwt, security, &state.config.sso),
            (&body.code, body.totp.as_deref(), &client),
            state.clock.now(),
        )
        .await?;
        Ok(TokensIssued::Ok(Json(TokenResponse::of(pair, security))))
    }
}

/// A provider id this server is configured with (`oidc`, `wecom`, `dingtalk`), else 404.
fn known_provider(state: &AppState, provider: &str) -> Result<(), domain::error::AppError> {
    let configured = services::sso::providers(&state.config.sso);
    if configured.iter().any(|(id, _)| *id == provider) {
        Ok(())
    } else {
        Err(domain::error::AppError::not_found("identity provider"))
    }
}
