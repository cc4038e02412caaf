//! Sign-in through the government's identity provider (统一身份认证) with OpenID Connect:
//! the authorization code flow with PKCE (S256), discovery and the provider's keys fetched
//! and cached (and fetched again when a token names a key the cache lacks), `state`
//! single-use and short-lived, and the ID token's signature, issuer, audience, expiry and
//! nonce checked by the `openidconnect` crate. The provider's tokens never leave the
//! server: the browser gets a one-time code (60 s) that it exchanges for xuefa's own.
//!
//! Only an existing, active account is matched, by the configured claim; none is made.

use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
    time::{Duration as StdDuration, Instant},
};

use chrono::{DateTime, Duration, Utc};
use entity::{sso_code, sso_state, user};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
    core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    sea_query::Expr,
};

use super::{audit, auth, begin_write};
use crate::{
    auth::{JwtKeys, random_token, sha256_hex},
    config::{MatchField, OfficeApp, Oidc, Sso},
    error::{AppError, AppResult, Code, Denial, FieldError, Format},
    security::Security,
};

/// The providers, by their ids in paths (`/auth/oidc/start`).
pub const OIDC: &str = "oidc";
pub const WECOM: &str = "wecom";
pub const DINGTALK: &str = "dingtalk";

/// The providers configured: `(id, name)`, in the order the sign-in page shows them.
pub fn providers(sso: &Sso) -> Vec<(&'static str, String)> {
    let mut list = Vec::new();
    if let Some(o) = &sso.oidc {
        list.push((OIDC, o.name.clone()));
    }
    if let Some(w) = &sso.wecom {
        list.push((WECOM, w.name.clone()));
    }
    if let Some(d) = &sso.dingtalk {
        list.push((DINGTALK, d.name.clone()));
    }
    list
}

/// The office app a provider id names, when configured.
fn office<'a>(sso: &'a Sso, provider: &str) -> Option<&'a OfficeApp> {
    match provider {
        WECOM => sso.wecom.as_ref(),
        DINGTALK => sso.dingtalk.as_ref(),
        _ => None,
    }
}
/// How long a sign-in may stay at the provider.
const STATE_MINUTES: i64 = 10;
/// How long the one-time code lives.
const CODE_SECONDS: i64 = 60;
/// How long discovery (and the keys) are kept before being fetched again.
const METADATA_TTL: StdDuration = StdDuration::from_secs(3600);

/// Why a sign-in through a provider did not end in a code, as the sign-in page's address
/// says it (`/#/login?error=…`) and the audit entry records it.
#[derive(Debug)]
pub struct Failed {
    pub code: Denial,
    pub reason: String,
}

fn failed(code: Denial, reason: impl Into<String>) -> Failed {
    Failed {
        code,
        reason: reason.into(),
    }
}

/// A `return_to` that is a path of this server (no scheme, no host, no `//`): nothing
/// else is accepted, so a sign-in can never be sent to another site.
pub fn check_return_to(return_to: Option<&str>) -> AppResult<String> {
    let path = return_to
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .unwrap_or("/");
    let ours = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.contains('#')
        && !path.chars().any(char::is_control)
        && path.len() <= 500;
    if ours {
        Ok(path.to_owned())
    } else {
        Err(AppError::invalid(
            FieldError::new(
                "return_to",
                Code::BadFormat,
                "must be a path of this server, starting with a single /",
            )
            .with(|p| p.expected = Some(Format::Path)),
        ))
    }
}

/// The address the provider sends the browser back to.
pub fn callback_url(sso: &Sso, provider: &str) -> String {
    format!(
        "{}/api/v1/auth/{provider}/callback",
        sso.public_url.as_deref().unwrap_or("")
    )
}

/// The HTTP client the crate talks to the provider with: no redirects followed (the
/// crate's advice against SSRF), a timeout.
fn http_client() -> reqwest::Client {
    super::outbox::install_tls_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(StdDuration::from_secs(10))
        .build()
        .expect("an HTTP client with a timeout")
}

#[derive(Debug)]
struct HttpFailure(String);

impl std::fmt::Display for HttpFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpFailure {}

/// One request of the crate, sent with reqwest.
async fn send(
    client: reqwest::Client,
    request: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, HttpFailure> {
    let fail = |e: &dyn std::fmt::Display| HttpFailure(e.to_string());
    let (parts, body) = request.into_parts();
    let response = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| fail(&e))?;
    let mut answer = openidconnect::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    let bytes = response.bytes().await.map_err(|e| fail(&e))?;
    answer.body(bytes.to_vec()).map_err(|e| fail(&e))
}

static METADATA: LazyLock<Mutex<HashMap<String, (Instant, CoreProviderMetadata)>>> =
    LazyLock::new(Default::default);

/// The provider's discovery document with its keys: cached for an hour, or fetched now
/// (`fresh`, when a token names a key the cached set lacks).
async fn metadata(oidc: &Oidc, fresh: bool) -> Result<CoreProviderMetadata, Failed> {
    if !fresh
        && let Some((at, cached)) = METADATA
            .lock()
            .ok()
            .and_then(|m| m.get(&oidc.issuer).cloned())
        && at.elapsed() < METADATA_TTL
    {
        return Ok(cached);
    }
    let issuer = IssuerUrl::new(oidc.issuer.clone())
        .map_err(|e| failed(Denial::SsoUnavailable, format!("issuer URL: {e}")))?;
    let http = http_client();
    let found = CoreProviderMetadata::discover_async(issuer, &|r| send(http.clone(), r))
        .await
        .map_err(|e| failed(Denial::SsoUnavailable, format!("discovery failed: {e}")))?;
    if let Ok(mut cache) = METADATA.lock() {
        cache.insert(oidc.issuer.clone(), (Instant::now(), found.clone()));
    }
    Ok(found)
}

/// Starts a sign-in: a new `state` (with, for OpenID Connect, a nonce and a PKCE
/// verifier) kept for ten minutes, and the provider's address to send the browser to.
pub async fn start(
    db: &DatabaseConnection,
    sso: &Sso,
    (provider, return_to): (&str, &str),
    now: DateTime<Utc>,
) -> Result<String, Failed> {
    match office(sso, provider) {
        Some(app) => start_office(db, sso, (provider, app), return_to, now).await,
        None => start_oidc(db, sso, return_to, now).await,
    }
}

/// The office app's sign-in page, with a `state` kept like OpenID Connect's.
async fn start_office(
    db: &DatabaseConnection,
    sso: &Sso,
    (provider, app): (&str, &OfficeApp),
    return_to: &str,
    now: DateTime<Utc>,
) -> Result<String, Failed> {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let state = random_token();
    keep_state(db, (provider, &state), ("", ""), return_to, now).await?;
    let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
    let back = enc(&callback_url(sso, provider));
    Ok(match provider {
        WECOM => format!(
            "{}?login_type=CorpApp&appid={}&agentid={}&redirect_uri={back}&state={state}",
            app.authorize_url,
            enc(&app.client_id),
            enc(app.agent_id.as_deref().unwrap_or("")),
        ),
        _ => format!(
            "{}?redirect_uri={back}&response_type=code&client_id={}&scope=openid&state={state}&prompt=consent",
            app.authorize_url,
            enc(&app.client_id),
        ),
    })
}

async fn keep_state(
    db: &DatabaseConnection,
    (provider, state): (&str, &str),
    (nonce, verifier): (&str, &str),
    return_to: &str,
    now: DateTime<Utc>,
) -> Result<(), Failed> {
    sso_state::ActiveModel {
        state_hash: Set(sha256_hex(state)),
        provider: Set(provider.into()),
        nonce: Set(nonce.into()),
        pkce_verifier: Set(verifier.into()),
        return_to: Set(return_to.to_owned()),
        created_at: Set(now),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| failed(Denial::SsoUnavailable, e.to_string()))?;
    Ok(())
}

async fn start_oidc(
    db: &DatabaseConnection,
    sso: &Sso,
    return_to: &str,
    now: DateTime<Utc>,
) -> Result<String, Failed> {
    let oidc = sso
        .oidc
        .as_ref()
        .ok_or_else(|| failed(Denial::SsoUnavailable, "no provider is configured"))?;
    let found = metadata(oidc, false).await?;
    let redirect = RedirectUrl::new(callback_url(sso, OIDC))
        .map_err(|e| failed(Denial::SsoUnavailable, format!("XUEFA_PUBLIC_URL: {e}")))?;
    let client = CoreClient::from_provider_metadata(
        found,
        ClientId::new(oidc.client_id.clone()),
        oidc.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in &oidc.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
    keep_state(
        db,
        (OIDC, state.secret()),
        (nonce.secret(), verifier.secret()),
        return_to,
        now,
    )
    .await?;
    Ok(url.to_string())
}

/// What the provider sent the browser back with.
pub struct Callback<'a> {
    /// The provider's id in the path (`oidc`, `wecom`, `dingtalk`).
    pub provider: &'a str,
    pub state: Option<&'a str>,
    pub code: Option<&'a str>,
    pub error: Option<&'a str>,
    /// The client's address, for the audit entry.
    pub client: &'a str,
}

/// Finishes a sign-in at the provider's return: spends the `state`, exchanges the code
/// (with the PKCE verifier), verifies the ID token, finds the account, and answers where to
/// send the browser — `return_to#sso=<one-time code>`, or the sign-in page with the reason.
/// Every failure is audited with its reason.
pub async fn callback(
    db: &DatabaseConnection,
    sso: &Sso,
    back: Callback<'_>,
    now: DateTime<Utc>,
) -> String {
    match finish(db, sso, &back, now).await {
        Ok((return_to, code)) => format!("{return_to}#sso={code}"),
        Err(f) => {
            let reason = match back.client {
                "" => format!("{}: {}", provider_name(sso, back.provider), f.reason),
                from => format!(
                    "{}: {} from {from}",
                    provider_name(sso, back.provider),
                    f.reason
                ),
            };
            let recorded = crate::db::write(db, async |txn| {
                audit::record_as(
                    txn,
                    now,
                    (None, "sso"),
                    audit::AuditAction::LoginFailed,
                    "user",
                    None,
                    reason,
                )
                .await
            })
            .await;
            if let Err(e) = recorded {
                tracing::warn!(error = %e, "could not audit a failed provider sign-in");
            }
            format!("/#/login?error={}", f.code.key())
        }
    }
}

fn provider_name(sso: &Sso, provider: &str) -> String {
    providers(sso)
        .into_iter()
        .find(|(id, _)| *id == provider)
        .map_or_else(|| provider.to_owned(), |(_, name)| name)
}

async fn finish(
    db: &DatabaseConnection,
    sso: &Sso,
    back: &Callback<'_>,
    now: DateTime<Utc>,
) -> Result<(String, String), Failed> {
    let state = spend_state(db, back.state, now).await?;
    if state.provider != back.provider {
        return Err(failed(
            Denial::SsoInvalid,
            format!("a {} state returned to {}", state.provider, back.provider),
        ));
    }
    if let Some(error) = back.error {
        return Err(failed(
            Denial::SsoInvalid,
            format!("the provider answered {error}"),
        ));
    }
    let code = back
        .code
        .ok_or_else(|| failed(Denial::SsoInvalid, "the provider sent no code"))?;
    let (claim, value, field, mfa) = match office(sso, back.provider) {
        Some(app) if back.provider == WECOM => (
            "userid",
            super::sso_office::wecom_user(app, code).await?,
            app.field,
            false,
        ),
        Some(app) => (
            "mobile",
            super::sso_office::dingtalk_user(app, code).await?,
            app.field,
            false,
        ),
        None => {
            let oidc = sso
                .oidc
                .as_ref()
                .ok_or_else(|| failed(Denial::SsoUnavailable, "no provider is configured"))?;
            let claims = verified_claims(sso, oidc, &state, code, now).await?;
            let value = claims
                .values
                .get(&oidc.claim)
                .and_then(|v| match v {
                    serde_json::Value::String(s) => Some(s.trim().to_owned()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    failed(
                        Denial::SsoNoAccount,
                        format!("the ID token has no {} claim", oidc.claim),
                    )
                })?;
            (
                oidc.claim.as_str(),
                value,
                oidc.field,
                oidc.trust_mfa && claims.mfa,
            )
        }
    };
    let account = matched(db, (claim, &value), field).await?;
    let one_time = random_token();
    sso_code::ActiveModel {
        code_hash: Set(sha256_hex(&one_time)),
        user_id: Set(account.id),
        provider: Set(back.provider.into()),
        mfa: Set(mfa),
        created_at: Set(now),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| failed(Denial::SsoUnavailable, e.to_string()))?;
    Ok((state.return_to, one_time))
}

/// The existing, active account whose `field` equals the provider's `value`.
async fn matched(
    db: &DatabaseConnection,
    (claim, value): (&str, &str),
    field: MatchField,
) -> Result<user::Model, Failed> {
    let column = match field {
        MatchField::Username => user::Column::Username,
        MatchField::EmployeeNo => user::Column::EmployeeNo,
        MatchField::Phone => user::Column::Phone,
    };
    user::Entity::find()
        .filter(column.eq(value))
        .one(db)
        .await
        .map_err(|e| failed(Denial::SsoUnavailable, e.to_string()))?
        .filter(|u| u.active)
        .ok_or_else(|| {
            failed(
                Denial::SsoNoAccount,
                format!("no active account has {claim} {value}"),
            )
        })
}

/// Spends the `state` the provider returned: it must be one this server made, unused, and
/// under ten minutes old. Two returns with one state spend it once.
async fn spend_state(
    db: &DatabaseConnection,
    state: Option<&str>,
    now: DateTime<Utc>,
) -> Result<sso_state::Model, Failed> {
    let state = state
        .filter(|s| !s.is_empty())
        .ok_or_else(|| failed(Denial::SsoInvalid, "the provider sent no state"))?;
    let internal = |e: sea_orm::DbErr| failed(Denial::SsoUnavailable, e.to_string());
    let stored = sso_state::Entity::find()
        .filter(sso_state::Column::StateHash.eq(sha256_hex(state)))
        .one(db)
        .await
        .map_err(internal)?
        .ok_or_else(|| failed(Denial::SsoInvalid, "unknown state"))?;
    if stored.used_at.is_some() {
        return Err(failed(Denial::SsoInvalid, "the state was already used"));
    }
    if stored.created_at + Duration::minutes(STATE_MINUTES) <= now {
        return Err(failed(Denial::SsoExpired, "the state expired"));
    }
    let spent = sso_state::Entity::update_many()
        .col_expr(sso_state::Column::UsedAt, Expr::value(now))
        .filter(sso_state::Column::Id.eq(stored.id))
        .filter(sso_state::Column::UsedAt.is_null())
        .exec(db)
        .await
        .map_err(internal)?;
    if spent.rows_affected != 1 {
        return Err(failed(Denial::SsoInvalid, "the state was already used"));
    }
    Ok(stored)
}

/// The verified ID token's claims (every one, by name) and whether its `amr` says a
/// second factor was used.
struct Claims {
    values: serde_json::Map<String, serde_json::Value>,
    mfa: bool,
}

/// Exchanges the code and verifies the ID token (signature, issuer, audience, expiry by
/// the server's clock, nonce). A token signed with a key the cached set lacks makes the
/// keys be fetched again, once.
async fn verified_claims(
    sso: &Sso,
    oidc: &Oidc,
    state: &sso_state::Model,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Claims, Failed> {
    let invalid =
        |what: &str, e: &dyn std::fmt::Display| failed(Denial::SsoInvalid, format!("{what}: {e}"));
    let redirect =
        RedirectUrl::new(callback_url(sso, OIDC)).map_err(|e| invalid("XUEFA_PUBLIC_URL", &e))?;
    let mut fresh = false;
    let mut tokens = None;
    loop {
        let found = metadata(oidc, fresh).await?;
        let client = CoreClient::from_provider_metadata(
            found,
            ClientId::new(oidc.client_id.clone()),
            oidc.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect.clone());
        if tokens.is_none() {
            let http = http_client();
            let request = client
                .exchange_code(AuthorizationCode::new(code.to_owned()))
                .map_err(|e| invalid("the provider has no token endpoint", &e))?
                .set_pkce_verifier(PkceCodeVerifier::new(state.pkce_verifier.clone()));
            let answer = request
                .request_async(&|r| send(http.clone(), r))
                .await
                .map_err(|e| invalid("the code exchange failed", &e))?;
            tokens = Some(answer);
        }
        let answer = tokens.as_ref().expect("exchanged above");
        let id_token = answer
            .id_token()
            .ok_or_else(|| failed(Denial::SsoInvalid, "the provider sent no ID token"))?;
        let verifier = client.id_token_verifier().set_time_fn(move || now);
        let nonce = Nonce::new(state.nonce.clone());
        match id_token.claims(&verifier, &nonce) {
            Ok(claims) => {
                let mfa = claims
                    .auth_method_refs()
                    .is_some_and(|amr| amr.iter().any(|m| matches!(m.as_str(), "mfa" | "otp")));
                return Ok(Claims {
                    values: payload(&id_token.to_string()),
                    mfa,
                });
            }
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(
                openidconnect::SignatureVerificationError::NoMatchingKey,
            )) if !fresh => fresh = true,
            Err(e) => return Err(invalid("the ID token was refused", &e)),
        }
    }
}

/// The claims of a token the crate has verified, as JSON (to read a configured claim such
/// as `employee_no` that the standard claims do not name).
fn payload(token: &str) -> serde_json::Map<String, serde_json::Value> {
    use base64::Engine;
    token
        .split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Exchanges a one-time code for xuefa's tokens (single use, 60 s). An account with its own
/// second factor gives its code here too, unless the provider's `amr` said it used one and
/// `XUEFA_OIDC_TRUST_MFA` trusts it: without it the one-time code stays for the retry with
/// it; a wrong one spends the one-time code (one guess, audited).
pub async fn exchange(
    db: &DatabaseConnection,
    (jwt, security, sso): (&JwtKeys, &Security, &Sso),
    (code, totp, client): (&str, Option<&str>, &str),
    now: DateTime<Utc>,
) -> AppResult<auth::TokenPair> {
    let refused = |code: Denial, detail: &str| AppError::denied(code, detail);
    let stored = sso_code::Entity::find()
        .filter(sso_code::Column::CodeHash.eq(sha256_hex(code.trim())))
        .one(db)
        .await?
        .filter(|c| c.used_at.is_none())
        .ok_or_else(|| refused(Denial::SsoInvalid, "the code is unknown or already used"))?;
    if stored.created_at + Duration::seconds(CODE_SECONDS) <= now {
        return Err(refused(Denial::SsoExpired, "the code expired (60 s)"));
    }
    let account = user::Entity::find_by_id(stored.user_id)
        .one(db)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| refused(Denial::SsoNoAccount, "the account is disabled"))?;
    let txn = begin_write(db).await?;
    if account.totp_confirmed_at.is_some() && !stored.mfa {
        let Some(code) = totp.map(str::trim).filter(|c| !c.is_empty()) else {
            return Err(refused(
                Denial::TotpRequired,
                "this account signs in with a second factor: send `totp`",
            ));
        };
        if !auth::accept(&txn, &account, code, now).await? {
            // One try: a wrong code spends the one-time code too, so that nobody holding a
            // stolen one can guess the second factor within its minute.
            sso_code::Entity::update_many()
                .col_expr(sso_code::Column::UsedAt, Expr::value(now))
                .filter(sso_code::Column::Id.eq(stored.id))
                .exec(&txn)
                .await?;
            audit::record_as(
                &txn,
                now,
                (Some(account.id), &account.username),
                audit::AuditAction::LoginFailed,
                "user",
                Some(account.id.to_string()),
                format!("{}: second factor wrong or reused", stored.provider),
            )
            .await?;
            txn.commit().await?;
            return Err(refused(
                Denial::TotpInvalid,
                "the code is wrong or was already used; sign in through the provider again",
            ));
        }
    }
    let spent = sso_code::Entity::update_many()
        .col_expr(sso_code::Column::UsedAt, Expr::value(now))
        .filter(sso_code::Column::Id.eq(stored.id))
        .filter(sso_code::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if spent.rows_affected != 1 {
        return Err(refused(Denial::SsoInvalid, "the code was already used"));
    }
    let method = match (stored.provider.as_str(), stored.mfa) {
        (OIDC, true) => "oidc+mfa".to_owned(),
        (provider, _) => provider.to_owned(),
    };
    let method = method.as_str();
    let pair = auth::signed_in_by(&txn, (jwt, security), &account, (method, client), now).await?;
    let name = provider_name(sso, &stored.provider);
    let from = if client.is_empty() {
        String::new()
    } else {
        format!(" from {client}")
    };
    audit::record(
        &txn,
        Some(&auth::actor_of(&account)),
        now,
        audit::AuditAction::Login,
        "user",
        Some(account.id.to_string()),
        format!("signed in through {name} ({method}){from}"),
    )
    .await?;
    txn.commit().await?;
    Ok(pair)
}

/// Deletes sign-ins under way and one-time codes a day past their life (used or not): they
/// are refused long before, and nothing else reads them. Returns how many rows went.
pub async fn prune(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u64> {
    let before = now - Duration::days(1);
    let states = sso_state::Entity::delete_many()
        .filter(sso_state::Column::CreatedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected;
    let codes = sso_code::Entity::delete_many()
        .filter(sso_code::Column::CreatedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected;
    Ok(states + codes)
}
