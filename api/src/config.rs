//! What the HTTP server reads from its environment, beside the domain's [`Config`]:
//! where to listen, the body limit, the proxies trusted to name the client, and the
//! metrics token.
//!
//! [`Config`]: domain::config::Config

use std::fmt;

use domain::config::{ConfigError, Vars};
use ipnet::IpNet;

#[derive(Clone)]
pub struct HttpConfig {
    /// `XUEFA_BIND`: where to listen.
    pub bind: String,
    /// `XUEFA_MAX_BODY_BYTES`: the largest request body accepted (413 above it).
    pub max_body_bytes: usize,
    /// `XUEFA_MAX_MATERIAL_BYTES`: the largest course file (a PDF or video) uploaded to
    /// `PUT /courses/{id}/material` (413 above it).
    pub max_material_bytes: u64,
    /// `XUEFA_TRUSTED_PROXIES`: reverse proxies (addresses or CIDRs) whose
    /// `X-Forwarded-For` names the client; from anyone else the header is ignored.
    pub trusted_proxies: Vec<IpNet>,
    /// `XUEFA_METRICS_TOKEN`: the bearer token `GET /metrics` asks of clients that are not
    /// on loopback; without it, only loopback clients read the metrics.
    pub metrics_token: Option<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            max_body_bytes: 16 * 1024 * 1024,
            max_material_bytes: 512 * 1024 * 1024,
            trusted_proxies: Vec::new(),
            metrics_token: None,
        }
    }
}

impl fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the token.
        f.debug_struct("HttpConfig")
            .field("bind", &self.bind)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_material_bytes", &self.max_material_bytes)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .finish()
    }
}

impl HttpConfig {
    /// Reads the server's variables; errors name the variable at fault.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let vars = Vars(get);
        Ok(Self {
            bind: vars.non_empty("XUEFA_BIND").unwrap_or(defaults.bind),
            max_body_bytes: vars.number("XUEFA_MAX_BODY_BYTES", defaults.max_body_bytes as u64)?
                as usize,
            max_material_bytes: vars
                .number("XUEFA_MAX_MATERIAL_BYTES", defaults.max_material_bytes)?,
            trusted_proxies: crate::net::parse_trusted(
                &vars.non_empty("XUEFA_TRUSTED_PROXIES").unwrap_or_default(),
            )
            .map_err(|message| ConfigError {
                variable: "XUEFA_TRUSTED_PROXIES",
                message,
            })?,
            metrics_token: vars
                .non_empty("XUEFA_METRICS_TOKEN")
                .map(|t| t.trim().to_owned()),
        })
    }
}
