//! Who is calling: roles, the actor, JWT access tokens, password hashing. (The HTTP
//! bearer scheme that reads a token from a request lives in the `api` crate.)

use std::sync::{Arc, LazyLock};

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use chrono::{DateTime, Utc};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// Access tokens live 15 minutes.
pub const ACCESS_TTL_SECS: i64 = 15 * 60;
/// Clock skew tolerated on a token's expiry.
const EXPIRY_LEEWAY_SECS: i64 = 5;

entity::keyed_enum!(
    /// What an account may do. One account may hold several.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    Role {
        /// Everything, including accounts of any role and the audit log (when separation
        /// of duties is off).
        Admin => ("admin", "管理员"),
        /// The roster, campaigns, question bank, rates.
        Hr => ("hr", "组织人事"),
        /// Publicity events, trainings, the annual summary.
        Judicial => ("judicial", "司法所"),
        /// Studies and sits the exam.
        Cadre => ("cadre", "干部职工"),
        /// 系统管理员: units, accounts, settings; not roles, scopes or the audit log.
        Sysadmin => ("sysadmin", "系统管理员"),
        /// 安全管理员: roles and scopes, unlocks, password and TOTP resets.
        Secadmin => ("secadmin", "安全管理员"),
        /// 审计管理员: reads and exports the audit log, nothing else.
        Auditor => ("auditor", "审计管理员"),
    }
);

impl Role {
    /// The administrator roles: two factors are required of them by default, and with
    /// separation of duties no account holds two of them.
    pub const ADMINISTRATORS: &[Role] =
        &[Role::Admin, Role::Sysadmin, Role::Secadmin, Role::Auditor];

    /// Whether this is one of [`Role::ADMINISTRATORS`].
    pub fn is_administrator(self) -> bool {
        Self::ADMINISTRATORS.contains(&self)
    }

    /// Stored form: sorted, de-duplicated, comma-separated.
    pub fn join(roles: &[Role]) -> String {
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        roles.iter().map(|r| r.key()).collect::<Vec<_>>().join(",")
    }

    pub fn split(stored: &str) -> Vec<Role> {
        stored.split(',').filter_map(Role::parse).collect()
    }
}

/// What a limited access token is for: the one thing its account must do before
/// anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// Change the password (someone else set it, or it expired).
    PasswordChange,
    /// Enrol a second factor (the account's role requires one).
    TotpEnrollment,
}

impl Limit {
    /// Whether a token with this limit may call `method path` (the path under
    /// `/api/v1`): its own profile, the change it must make, and signing out.
    pub fn allows(self, method: &str, path: &str) -> bool {
        let common = matches!(
            (method, path),
            ("GET", "/me") | ("POST", "/auth/logout") | ("POST", "/me/password")
        );
        common
            || (self == Limit::TotpEnrollment
                && matches!(
                    (method, path),
                    ("POST", "/me/totp") | ("POST", "/me/totp/confirm") | ("DELETE", "/me/totp")
                ))
    }

    pub fn denial(self) -> crate::error::Denial {
        match self {
            Limit::PasswordChange => crate::error::Denial::PasswordChangeRequired,
            Limit::TotpEnrollment => crate::error::Denial::TotpEnrollmentRequired,
        }
    }
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    pub username: String,
    pub roles: Vec<Role>,
    pub iat: i64,
    pub exp: i64,
    /// A limited token: only what [`Limit::allows`] may be called with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lim: Option<Limit>,
}

/// HS256 keys. Any other algorithm is refused.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The key before a rotation: still verifies the tokens it signed until they expire.
    previous: Option<DecodingKey>,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        Self::rotated(secret, None)
    }

    /// Keys that sign with `secret` and verify with it or with `previous`.
    pub fn rotated(secret: &[u8], previous: Option<&[u8]>) -> Self {
        let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
        // Expiry is checked in `verify` against the server's clock, not the system's.
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            previous: previous.map(DecodingKey::from_secret),
            validation,
        }
    }

    pub fn issue(
        &self,
        user_id: i64,
        username: &str,
        roles: Vec<Role>,
        (now, limit): (DateTime<Utc>, Option<Limit>),
    ) -> AppResult<String> {
        let now = now.timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            username: username.to_owned(),
            roles,
            iat: now,
            exp: now + ACCESS_TTL_SECS,
            lim: limit,
        };
        encode(
            &Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &self.encoding,
        )
        .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// The claims of a token signed with the key or the previous one that has not expired
    /// at `now` (5 s leeway).
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Claims> {
        std::iter::once(&self.decoding)
            .chain(&self.previous)
            .find_map(|key| decode::<Claims>(token, key, &self.validation).ok())
            .map(|data| data.claims)
            .filter(|claims| claims.exp + EXPIRY_LEEWAY_SECS >= now.timestamp())
    }
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i64,
    pub username: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }
}

/// OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a password nobody has, verified against when the username is unknown so
/// that an unknown username costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<Arc<str>> = LazyLock::new(|| {
    hasher()
        .hash_password(b"xuefa-no-such-user")
        .expect("hashing works")
        .to_string()
        .into()
});

type HashJob = Box<dyn FnOnce() + Send>;

/// Argon2 runs on its own threads — all cores but one — off the async workers, so a
/// storm of logins queues for the hashers instead of starving every other request of
/// CPU. Long-lived threads also keep memory flat: each hash needs 19 MiB, and freeing it
/// on ever-new blocking threads left that much behind per thread.
static HASHERS: LazyLock<std::sync::Mutex<std::sync::mpsc::Sender<HashJob>>> =
    LazyLock::new(|| {
        let (jobs, queue) = std::sync::mpsc::channel::<HashJob>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        for n in 0..cores.saturating_sub(1).max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    loop {
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => {
                                job();
                                release_freed_memory();
                            }
                            Err(_) => return,
                        }
                    }
                })
                .expect("a hashing thread starts");
        }
        std::sync::Mutex::new(jobs)
    });

/// Gives glibc's free memory back to the system after each hash. The hash's own 19 MiB
/// is mimalloc's now (the global allocator) and this does not touch it, but SQLite still
/// allocates through glibc: measured on 5 Dec 2026 (two interleaved pairs of builds, with
/// and without this call, through `bench/run.sh`'s request benchmark on SQLite), the
/// server's peak RSS was 130 and 137 MB with it, 144 and 142 MB without; after a login
/// storm alone (`bench/login_memory.sh`) the two were the same (87–90 MB). It is kept for
/// those 5–14 MB, which is what keeps the peak clear of the 150 MB target.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Runs `work` on a hashing thread and waits for it without blocking the async worker.
async fn on_hasher<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: HashJob = Box::new(move || {
        let _ = reply.send(work());
    });
    HASHERS.lock().ok()?.send(job).ok()?;
    answer.await.ok()
}

/// Hashes off the async worker threads.
pub async fn hash_password(password: &str) -> AppResult<String> {
    let password = password.to_owned();
    on_hasher(move || {
        hasher()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .unwrap_or_else(|| Err(AppError::Internal("the hashing threads stopped".into())))
}

/// Verifies off the async worker threads. `None` verifies against a dummy hash.
pub async fn verify_password(password: &str, hash: Option<&str>) -> bool {
    let password = password.to_owned();
    let hash: Arc<str> = match hash {
        Some(h) => h.into(),
        None => DUMMY_HASH.clone(),
    };
    on_hasher(move || {
        hasher()
            .verify_password(password.as_bytes(), &*hash)
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// 32 random bytes, hex-encoded: secrets and refresh tokens.
pub fn random_token() -> String {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).expect("the OS random source works");
    hex::encode(buf)
}

pub fn sha256_hex(value: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(value.as_bytes()))
}
