//! Who signed in at an office app, from its documented HTTP API: 企业微信 (the app's
//! access token from `cgi-bin/gettoken`, cached and fetched again when the API says it
//! expired; the person's `userid` from `cgi-bin/auth/getuserinfo`) and 钉钉 (the person's
//! token from `v1.0/oauth2/userAccessToken`; their mobile number from
//! `v1.0/contact/users/me`). Base URLs are configurable, so an on-premises 政务微信 or 专有钉钉
//! works, and the tests point them at local stand-ins.

use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
    time::{Duration, Instant},
};

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use super::sso::Failed;
use crate::{config::OfficeApp, error::Denial};

fn invalid(reason: impl Into<String>) -> Failed {
    Failed {
        code: Denial::SsoInvalid,
        reason: reason.into(),
    }
}

fn unreachable(reason: impl Into<String>) -> Failed {
    Failed {
        code: Denial::SsoUnavailable,
        reason: reason.into(),
    }
}

fn client() -> reqwest::Client {
    super::outbox::install_tls_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client with a timeout")
}

/// Sends a request and reads its JSON answer (status and body).
async fn json_of(request: reqwest::RequestBuilder) -> Result<(u16, Value), Failed> {
    let answer = request
        .send()
        .await
        .map_err(|e| unreachable(format!("the app's API did not answer: {e}")))?;
    let status = answer.status().as_u16();
    let bytes = answer
        .bytes()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Ok((status, body))
}

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// 企业微信's access tokens, by corp id: kept until shortly before they expire.
static WECOM_TOKENS: LazyLock<Mutex<HashMap<String, (Instant, String)>>> =
    LazyLock::new(Default::default);

async fn wecom_token(app: &OfficeApp, fresh: bool) -> Result<String, Failed> {
    if !fresh
        && let Some((until, token)) = WECOM_TOKENS
            .lock()
            .ok()
            .and_then(|t| t.get(&app.client_id).cloned())
        && Instant::now() < until
    {
        return Ok(token);
    }
    let url = format!(
        "{}/cgi-bin/gettoken?corpid={}&corpsecret={}",
        app.api_base,
        enc(&app.client_id),
        enc(&app.secret)
    );
    let (_, body) = json_of(client().get(url)).await?;
    if body["errcode"].as_i64() != Some(0) {
        return Err(unreachable(format!(
            "企业微信 gettoken: {} {}",
            body["errcode"], body["errmsg"]
        )));
    }
    let token = body["access_token"].as_str().unwrap_or("").to_owned();
    let lives = body["expires_in"]
        .as_u64()
        .unwrap_or(7200)
        .saturating_sub(300);
    if let Ok(mut tokens) = WECOM_TOKENS.lock() {
        tokens.insert(
            app.client_id.clone(),
            (Instant::now() + Duration::from_secs(lives), token.clone()),
        );
    }
    Ok(token)
}

/// The 企业微信 `userid` of the person who signed in with `code`. An access token the API
/// calls invalid or expired (40014, 42001, 40001) is fetched again, once.
pub async fn wecom_user(app: &OfficeApp, code: &str) -> Result<String, Failed> {
    let mut fresh = false;
    loop {
        let token = wecom_token(app, fresh).await?;
        let url = format!(
            "{}/cgi-bin/auth/getuserinfo?access_token={}&code={}",
            app.api_base,
            enc(&token),
            enc(code)
        );
        let (_, body) = json_of(client().get(url)).await?;
        match body["errcode"].as_i64() {
            Some(0) => {
                return body["userid"]
                    .as_str()
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| Failed {
                        code: Denial::SsoNoAccount,
                        reason: "企业微信: the person is not a member of the organisation".into(),
                    });
            }
            Some(40014 | 42001 | 40001) if !fresh => fresh = true,
            _ => {
                return Err(invalid(format!(
                    "企业微信 getuserinfo: {} {}",
                    body["errcode"], body["errmsg"]
                )));
            }
        }
    }
}

/// The mobile number of the person who signed in at 钉钉 with `code`.
pub async fn dingtalk_user(app: &OfficeApp, code: &str) -> Result<String, Failed> {
    let request = client()
        .post(format!("{}/v1.0/oauth2/userAccessToken", app.api_base))
        .header("content-type", "application/json")
        .body(
            json!({
                "clientId": app.client_id,
                "clientSecret": app.secret,
                "code": code,
                "grantType": "authorization_code",
            })
            .to_string(),
        );
    let (status, body) = json_of(request).await?;
    let token = body["accessToken"].as_str().filter(|_| status == 200);
    let Some(token) = token else {
        return Err(invalid(format!(
            "钉钉 userAccessToken: {status} {} {}",
            body["code"], body["message"]
        )));
    };
    let me = client()
        .get(format!("{}/v1.0/contact/users/me", app.api_base))
        .header("x-acs-dingtalk-access-token", token);
    let (status, body) = json_of(me).await?;
    if status != 200 {
        return Err(invalid(format!(
            "钉钉 users/me: {status} {} {}",
            body["code"], body["message"]
        )));
    }
    body["mobile"]
        .as_str()
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| Failed {
            code: Denial::SsoNoAccount,
            reason: "钉钉: no mobile number (the app lacks the contact permission)".into(),
        })
}
