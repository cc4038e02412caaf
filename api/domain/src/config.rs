//! One typed configuration, read from the environment.

use std::fmt;

use crate::{
    auth::Role,
    security::{AUDIT_RETENTION_FLOOR_DAYS, PASSWORD_FLOOR, Security},
};

/// Everything the server reads from its environment.
#[derive(Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://…` (default) or `postgres://…`.
    pub database_url: String,
    /// `XUEFA_JWT_SECRET`: signs access tokens; when unset a random one is kept in the database.
    pub jwt_secret: Option<String>,
    /// `XUEFA_JWT_PREVIOUS_SECRET`: the key before the last rotation; tokens it signed are
    /// still accepted until they expire (new ones are signed with `XUEFA_JWT_SECRET`).
    pub jwt_previous_secret: Option<String>,
    /// `XUEFA_ADMIN_PASSWORD`: the password of the first `admin` on an empty database.
    pub admin_password: Option<String>,
    /// `XUEFA_DB_POOL`: connections in the pool.
    pub db_pool: u32,
    /// `XUEFA_TZ`: the office's time zone as a UTC offset (`+08:00`); calendar dates (study
    /// windows, report years) are read in it.
    pub tz: chrono::FixedOffset,
    /// `XUEFA_NOTIFY_WEBHOOK` and `XUEFA_NOTIFY_SECRET`: where every notice is also
    /// POSTed (an SMS/WeCom/DingTalk gateway), signed with the secret; none when unset.
    pub notify: Option<Webhook>,
    /// `XUEFA_LOG_FORMAT`: `text` (default) or `json` (one JSON object a line).
    pub log_json: bool,
    /// The 等保 switches: password rules, forced changes, idle timeout, two factors,
    /// separation of duties, audit retention (secure by default).
    pub security: crate::security::Security,
    /// Sign-in through the government's identity provider (统一身份认证); none configured
    /// by default.
    pub sso: Sso,
    /// `XUEFA_HEARTBEAT_SECONDS`: how often a live study session's page reports (default
    /// 30, at least 2). A stretch is credited when its heartbeat came within twice this;
    /// running sessions are written every interval; three silent intervals end one.
    pub heartbeat_seconds: u32,
}

/// Sign-in through identity providers.
#[derive(Clone, Debug, Default)]
pub struct Sso {
    /// `XUEFA_PUBLIC_URL`: the address people reach xuefa at, without a trailing `/` (the
    /// providers' callbacks are under it).
    pub public_url: Option<String>,
    /// The OpenID Connect provider, when `XUEFA_OIDC_ISSUER` is set.
    pub oidc: Option<Oidc>,
    /// 企业微信 (or an on-premises 政务微信), when `XUEFA_WECOM_CORP_ID` is set.
    pub wecom: Option<OfficeApp>,
    /// 钉钉 (or 专有钉钉), when `XUEFA_DINGTALK_CLIENT_ID` is set.
    pub dingtalk: Option<OfficeApp>,
}

/// An office app's web sign-in (OAuth 2): 企业微信 or 钉钉, each per its documented HTTP
/// API under a configurable base URL.
#[derive(Clone)]
pub struct OfficeApp {
    /// 企业微信's corp id, 钉钉's client id (AppKey).
    pub client_id: String,
    /// 企业微信's agent id (none for 钉钉).
    pub agent_id: Option<String>,
    pub secret: String,
    /// Where the server calls the app's API (`https://qyapi.weixin.qq.com`,
    /// `https://api.dingtalk.com`).
    pub api_base: String,
    /// Where the browser signs in.
    pub authorize_url: String,
    /// The account field the app's user id (企业微信) or mobile number (钉钉) must equal.
    pub field: MatchField,
    /// The button says 使用{name}登录.
    pub name: String,
}

impl fmt::Debug for OfficeApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OfficeApp")
            .field("client_id", &self.client_id)
            .field("agent_id", &self.agent_id)
            .field("secret", &"***")
            .field("api_base", &self.api_base)
            .field("authorize_url", &self.authorize_url)
            .field("field", &self.field)
            .field("name", &self.name)
            .finish()
    }
}

/// An OpenID Connect provider and how its people are matched to accounts.
#[derive(Clone)]
pub struct Oidc {
    /// `XUEFA_OIDC_ISSUER`, exactly as the provider's discovery document states it.
    pub issuer: String,
    /// `XUEFA_OIDC_CLIENT_ID`.
    pub client_id: String,
    /// `XUEFA_OIDC_CLIENT_SECRET` (a public client has none).
    pub client_secret: Option<String>,
    /// `XUEFA_OIDC_SCOPES` beside `openid` (default `profile`).
    pub scopes: Vec<String>,
    /// `XUEFA_OIDC_MATCH` (`claim:field`, default `preferred_username:username`): the
    /// ID token's claim, and the account field it must equal.
    pub claim: String,
    pub field: MatchField,
    /// `XUEFA_OIDC_NAME` (default 统一身份认证): the button says 使用{name}登录.
    pub name: String,
    /// `XUEFA_OIDC_TRUST_MFA` (default 0): an `amr` with `mfa` or `otp` meets the
    /// two-factor rule.
    pub trust_mfa: bool,
}

impl fmt::Debug for Oidc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        f.debug_struct("Oidc")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("scopes", &self.scopes)
            .field("claim", &self.claim)
            .field("field", &self.field)
            .field("name", &self.name)
            .field("trust_mfa", &self.trust_mfa)
            .finish()
    }
}

/// The account field a provider's claim is matched to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchField {
    Username,
    EmployeeNo,
    Phone,
}

/// The gateway notices are delivered to.
#[derive(Clone)]
pub struct Webhook {
    /// `http://` or `https://`.
    pub url: String,
    /// Signs each body (HMAC-SHA256).
    pub secret: String,
    /// `XUEFA_NOTIFY_TIMEOUT_SECS` (default 10): how long one delivery may take.
    pub timeout: std::time::Duration,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secrets.
        f.debug_struct("Config")
            .field("database_url", &self.database_url)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "***"))
            .field(
                "jwt_previous_secret",
                &self.jwt_previous_secret.as_ref().map(|_| "***"),
            )
            .field(
                "admin_password",
                &self.admin_password.as_ref().map(|_| "***"),
            )
            .field("db_pool", &self.db_pool)
            .field("tz", &self.tz)
            .field(
                "notify",
                &self.notify.as_ref().map(|w| (&w.url, "***", w.timeout)),
            )
            .field("log_json", &self.log_json)
            .field("security", &self.security)
            .field("sso", &self.sso)
            .field("heartbeat_seconds", &self.heartbeat_seconds)
            .finish()
    }
}

/// A variable that is set but cannot be used.
#[derive(Debug)]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Variables read through a lookup (the environment, or a test's map).
pub struct Vars<F: Fn(&str) -> Option<String>>(pub F);

impl<F: Fn(&str) -> Option<String>> Vars<F> {
    /// The variable's value, unless it is unset or blank.
    pub fn non_empty(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    /// A signing key: unset, or at least 32 characters.
    pub fn secret(&self, variable: &'static str) -> Result<Option<String>, ConfigError> {
        match self.non_empty(variable) {
            Some(s) if s.len() < 32 => Err(ConfigError {
                variable,
                message: "must be at least 32 characters".into(),
            }),
            other => Ok(other),
        }
    }

    /// A whole number, `default` when unset; an error naming the variable otherwise.
    pub fn number(&self, variable: &'static str, default: u64) -> Result<u64, ConfigError> {
        match self.non_empty(variable) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| ConfigError {
                variable,
                message: format!("expected a whole number, got {v:?}"),
            }),
        }
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://xuefa.db?mode=rwc";

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: DEFAULT_DATABASE_URL.into(),
            jwt_secret: None,
            jwt_previous_secret: None,
            admin_password: None,
            db_pool: 8,
            tz: chrono::FixedOffset::east_opt(8 * 3600).expect("a valid offset"),
            notify: None,
            log_json: false,
            security: crate::security::Security::default(),
            sso: Sso::default(),
            heartbeat_seconds: 30,
        }
    }
}

impl Config {
    /// Reads the configuration; errors name the variable at fault.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = Config::default();
        let vars = Vars(get);
        let database_url = vars
            .non_empty("DATABASE_URL")
            .unwrap_or(defaults.database_url);
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err(ConfigError {
                variable: "DATABASE_URL",
                message: "expected a sqlite:// or postgres:// URL".into(),
            });
        }
        let jwt_secret = vars.secret("XUEFA_JWT_SECRET")?;
        let jwt_previous_secret = vars.secret("XUEFA_JWT_PREVIOUS_SECRET")?;
        if jwt_previous_secret.is_some() && jwt_secret.is_none() {
            return Err(ConfigError {
                variable: "XUEFA_JWT_PREVIOUS_SECRET",
                message: "set XUEFA_JWT_SECRET to the new key as well (see docs/OPERATIONS.md, key rotation)".into(),
            });
        }
        let notify = match vars.non_empty("XUEFA_NOTIFY_WEBHOOK") {
            None => None,
            Some(url) => {
                let url = url.trim().to_owned();
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(ConfigError {
                        variable: "XUEFA_NOTIFY_WEBHOOK",
                        message: "expected an http:// or https:// URL".into(),
                    });
                }
                let secret = vars.non_empty("XUEFA_NOTIFY_SECRET").ok_or(ConfigError {
                    variable: "XUEFA_NOTIFY_SECRET",
                    message: "a webhook needs a secret to sign its bodies".into(),
                })?;
                let seconds = vars.number("XUEFA_NOTIFY_TIMEOUT_SECS", 10)?.clamp(1, 120);
                Some(Webhook {
                    url,
                    secret,
                    timeout: std::time::Duration::from_secs(seconds),
                })
            }
        };
        let heartbeat_seconds = vars.number("XUEFA_HEARTBEAT_SECONDS", 30)?;
        if !(2..=600).contains(&heartbeat_seconds) {
            return Err(ConfigError {
                variable: "XUEFA_HEARTBEAT_SECONDS",
                message: format!("expected 2 to 600 seconds, got {heartbeat_seconds}"),
            });
        }
        Ok(Self {
            heartbeat_seconds: heartbeat_seconds as u32,
            security: read_security(&vars)?,
            sso: read_sso(&vars)?,
            notify,
            log_json: match vars.non_empty("XUEFA_LOG_FORMAT").as_deref().map(str::trim) {
                None | Some("text") => false,
                Some("json") => true,
                Some(other) => {
                    return Err(ConfigError {
                        variable: "XUEFA_LOG_FORMAT",
                        message: format!("expected text or json, got {other:?}"),
                    });
                }
            },
            database_url,
            jwt_secret,
            jwt_previous_secret,
            admin_password: vars.non_empty("XUEFA_ADMIN_PASSWORD"),
            db_pool: vars.number("XUEFA_DB_POOL", defaults.db_pool as u64)? as u32,
            tz: match vars.non_empty("XUEFA_TZ") {
                None => defaults.tz,
                Some(v) => v.trim().parse().map_err(|_| ConfigError {
                    variable: "XUEFA_TZ",
                    message: format!("expected a UTC offset such as +08:00, got {v:?}"),
                })?,
            },
        })
    }
}

/// Reads the 等保 switches; an error names the variable at fault.
pub fn read_security<F: Fn(&str) -> Option<String>>(
    vars: &Vars<F>,
) -> Result<Security, ConfigError> {
    let defaults = Security::default();
    let min = vars.number("XUEFA_PASSWORD_MIN_LENGTH", PASSWORD_FLOOR as u64)? as usize;
    if !(PASSWORD_FLOOR..=64).contains(&min) {
        return Err(ConfigError {
            variable: "XUEFA_PASSWORD_MIN_LENGTH",
            message: format!("must be between {PASSWORD_FLOOR} and 64"),
        });
    }
    let retention = vars.number("XUEFA_AUDIT_RETENTION_DAYS", 365)?;
    if retention < AUDIT_RETENTION_FLOOR_DAYS as u64 {
        return Err(ConfigError {
            variable: "XUEFA_AUDIT_RETENTION_DAYS",
            message: format!(
                "must be at least {AUDIT_RETENTION_FLOOR_DAYS} days (six months, \
                     the Cybersecurity Law's minimum)"
            ),
        });
    }
    let idle = vars.number("XUEFA_IDLE_TIMEOUT_MINUTES", 30)?;
    if !(1..=24 * 60).contains(&idle) {
        return Err(ConfigError {
            variable: "XUEFA_IDLE_TIMEOUT_MINUTES",
            message: "must be between 1 and 1440 minutes".into(),
        });
    }
    Ok(Security {
        password_min_length: min,
        force_password_change: flag(vars, "XUEFA_FORCE_PASSWORD_CHANGE", true)?,
        password_max_age_days: vars.number("XUEFA_PASSWORD_MAX_AGE_DAYS", 90)?.min(3650) as u32,
        idle_timeout_minutes: idle as u32,
        totp_required_for: match vars.non_empty("XUEFA_2FA_REQUIRED_FOR") {
            None => defaults.totp_required_for,
            Some(list) => roles_list("XUEFA_2FA_REQUIRED_FOR", &list)?,
        },
        password_login_roles: match vars.non_empty("XUEFA_PASSWORD_LOGIN_ROLES") {
            None => None,
            Some(list) => Some(roles_list("XUEFA_PASSWORD_LOGIN_ROLES", &list)?),
        },
        separation_of_duties: flag(vars, "XUEFA_SEPARATION_OF_DUTIES", false)?,
        audit_retention_days: retention.min(36500) as u32,
    })
}

fn flag<F: Fn(&str) -> Option<String>>(
    vars: &Vars<F>,
    variable: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match vars.non_empty(variable).as_deref().map(str::trim) {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError {
            variable,
            message: format!("expected 1 or 0, got {other:?}"),
        }),
    }
}

fn roles_list(variable: &'static str, list: &str) -> Result<Vec<Role>, ConfigError> {
    if list.trim() == "none" {
        return Ok(Vec::new());
    }
    list.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| {
            Role::parse(r).ok_or_else(|| ConfigError {
                variable,
                message: format!(
                    "{r:?} is not a role (expected a comma-separated list of roles, or none)"
                ),
            })
        })
        .collect()
}

/// Reads the identity provider's settings; an error names the variable at fault.
pub fn read_sso<F: Fn(&str) -> Option<String>>(vars: &Vars<F>) -> Result<Sso, ConfigError> {
    let public_url = vars
        .non_empty("XUEFA_PUBLIC_URL")
        .map(|u| u.trim().trim_end_matches('/').to_owned());
    if let Some(url) = &public_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(ConfigError {
            variable: "XUEFA_PUBLIC_URL",
            message: "expected an http:// or https:// URL".into(),
        });
    }
    let wecom = office_app(vars, &WECOM)?;
    let dingtalk = office_app(vars, &DINGTALK)?;
    if (wecom.is_some() || dingtalk.is_some()) && public_url.is_none() {
        return Err(ConfigError {
            variable: "XUEFA_PUBLIC_URL",
            message: "the address people reach xuefa at is needed with a sign-in provider".into(),
        });
    }
    let Some(issuer) = vars.non_empty("XUEFA_OIDC_ISSUER") else {
        return Ok(Sso {
            public_url,
            oidc: None,
            wecom,
            dingtalk,
        });
    };
    let client_id = vars.non_empty("XUEFA_OIDC_CLIENT_ID").ok_or(ConfigError {
        variable: "XUEFA_OIDC_CLIENT_ID",
        message: "the client id the provider gave xuefa is needed with XUEFA_OIDC_ISSUER".into(),
    })?;
    if public_url.is_none() {
        return Err(ConfigError {
            variable: "XUEFA_PUBLIC_URL",
            message: "the address people reach xuefa at is needed with XUEFA_OIDC_ISSUER \
                      (the provider sends them back to it)"
                .into(),
        });
    }
    let matching = vars
        .non_empty("XUEFA_OIDC_MATCH")
        .unwrap_or_else(|| "preferred_username:username".into());
    let (claim, field) = matching.trim().split_once(':').ok_or(ConfigError {
        variable: "XUEFA_OIDC_MATCH",
        message: "expected claim:field, e.g. preferred_username:username".into(),
    })?;
    let field = match_field("XUEFA_OIDC_MATCH", field)?;
    Ok(Sso {
        public_url,
        wecom,
        dingtalk,
        oidc: Some(Oidc {
            issuer: issuer.trim().to_owned(),
            client_id: client_id.trim().to_owned(),
            client_secret: vars.non_empty("XUEFA_OIDC_CLIENT_SECRET"),
            scopes: vars
                .non_empty("XUEFA_OIDC_SCOPES")
                .unwrap_or_else(|| "profile".into())
                .split_whitespace()
                .filter(|s| *s != "openid")
                .map(str::to_owned)
                .collect(),
            claim: claim.trim().to_owned(),
            field,
            name: vars
                .non_empty("XUEFA_OIDC_NAME")
                .unwrap_or_else(|| "统一身份认证".into())
                .trim()
                .to_owned(),
            trust_mfa: flag(vars, "XUEFA_OIDC_TRUST_MFA", false)?,
        }),
    })
}

fn match_field(variable: &'static str, field: &str) -> Result<MatchField, ConfigError> {
    match field.trim() {
        "username" => Ok(MatchField::Username),
        "employee_no" => Ok(MatchField::EmployeeNo),
        "phone" => Ok(MatchField::Phone),
        other => Err(ConfigError {
            variable,
            message: format!("the field must be username, employee_no or phone, not {other:?}"),
        }),
    }
}

/// The variables of one office app and their defaults.
struct OfficeVars {
    id: &'static str,
    agent: Option<&'static str>,
    secret: &'static str,
    api_base: (&'static str, &'static str),
    authorize: (&'static str, &'static str),
    field: (&'static str, MatchField),
    name: (&'static str, &'static str),
}

const WECOM: OfficeVars = OfficeVars {
    id: "XUEFA_WECOM_CORP_ID",
    agent: Some("XUEFA_WECOM_AGENT_ID"),
    secret: "XUEFA_WECOM_SECRET",
    api_base: ("XUEFA_WECOM_API_BASE", "https://qyapi.weixin.qq.com"),
    authorize: (
        "XUEFA_WECOM_AUTHORIZE_URL",
        "https://login.work.weixin.qq.com/wwlogin/sso/login",
    ),
    field: ("XUEFA_WECOM_MATCH", MatchField::EmployeeNo),
    name: ("XUEFA_WECOM_NAME", "企业微信"),
};

const DINGTALK: OfficeVars = OfficeVars {
    id: "XUEFA_DINGTALK_CLIENT_ID",
    agent: None,
    secret: "XUEFA_DINGTALK_CLIENT_SECRET",
    api_base: ("XUEFA_DINGTALK_API_BASE", "https://api.dingtalk.com"),
    authorize: (
        "XUEFA_DINGTALK_AUTHORIZE_URL",
        "https://login.dingtalk.com/oauth2/auth",
    ),
    field: ("XUEFA_DINGTALK_MATCH", MatchField::Phone),
    name: ("XUEFA_DINGTALK_NAME", "钉钉"),
};

fn office_app<F: Fn(&str) -> Option<String>>(
    vars: &Vars<F>,
    v: &OfficeVars,
) -> Result<Option<OfficeApp>, ConfigError> {
    let Some(client_id) = vars.non_empty(v.id) else {
        return Ok(None);
    };
    let secret = vars.non_empty(v.secret).ok_or(ConfigError {
        variable: v.secret,
        message: format!("the app's secret is needed with {}", v.id),
    })?;
    let agent_id = match v.agent {
        Some(name) => Some(vars.non_empty(name).ok_or(ConfigError {
            variable: name,
            message: format!("the app's agent id is needed with {}", v.id),
        })?),
        None => None,
    };
    let text = |(name, default): (&'static str, &'static str)| {
        vars.non_empty(name)
            .unwrap_or_else(|| default.to_owned())
            .trim()
            .trim_end_matches('/')
            .to_owned()
    };
    Ok(Some(OfficeApp {
        client_id: client_id.trim().to_owned(),
        agent_id: agent_id.map(|a| a.trim().to_owned()),
        secret,
        api_base: text(v.api_base),
        authorize_url: text(v.authorize),
        field: match vars.non_empty(v.field.0) {
            None => v.field.1,
            Some(f) => match_field(v.field.0, &f)?,
        },
        name: text(v.name),
    }))
}
