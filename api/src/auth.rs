//! The bearer scheme: reads the access token of a request and turns it into the
//! domain's [`Actor`]. Roles, tokens and hashing themselves live in `domain::auth`.

use poem::Request;
use poem_openapi::{SecurityScheme, auth::Bearer};

pub use domain::auth::Actor;
use domain::state::AppState;

use crate::{
    config::HttpConfig,
    error::{ApiError, AppError},
};

/// A bearer JWT from `POST /auth/login`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_bearer")]
pub struct BearerAuth(pub Actor);

/// The client's address as the login throttle and `/metrics` see it: the peer's, or —
/// only when the peer is a trusted proxy — the last untrusted `X-Forwarded-For` entry.
pub fn client_address(req: &Request) -> String {
    let peer = match req.remote_addr().0 {
        poem::Addr::SocketAddr(addr) => Some(addr.ip()),
        _ => None,
    };
    let trusted = req
        .data::<HttpConfig>()
        .map(|h| h.trusted_proxies.as_slice())
        .unwrap_or_default();
    crate::net::client_address(peer, req.header("x-forwarded-for"), trusted)
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Actor> {
    let state = req
        .data::<AppState>()
        .ok_or_else(|| poem::Error::from_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR))?;
    let unauthorized = || {
        let err: ApiError =
            AppError::Unauthorized("the access token is invalid or expired".into()).into();
        poem::Error::from_response(poem::IntoResponse::into_response(err))
    };
    let claims = state
        .jwt
        .verify(&bearer.token, state.clock.now())
        .ok_or_else(unauthorized)?;
    let id = claims.sub.parse().map_err(|_| unauthorized())?;
    // A limited token (`claims.lim`) never gets here for another operation: the
    // `limited_tokens` middleware answers for it first.
    Ok(Actor {
        id,
        username: claims.username,
        roles: claims.roles,
    })
}
