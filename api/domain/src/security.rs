//! Account security for 等保 2.0 level 3: the switches (each an environment variable,
//! secure by default), the password rules, and time-based one-time passwords (RFC 6238).

use std::{collections::HashSet, sync::LazyLock};

use chrono::{DateTime, Utc};

use crate::{
    auth::Role,
    error::{Code, FieldError},
};

/// The shortest password the rules may be set to take (`XUEFA_PASSWORD_MIN_LENGTH`).
pub const PASSWORD_FLOOR: usize = 8;
pub const PASSWORD_MAX_LENGTH: usize = 128;
/// Of lower-case letters, capitals, digits and symbols, a password has at least this many.
pub const PASSWORD_CLASSES: usize = 3;
/// A new password may not be any of the account's last this many.
pub const PASSWORD_HISTORY: usize = 5;
/// The audit log is kept at least this long whatever is configured: the Cybersecurity
/// Law's six months (网络安全法 第二十一条).
pub const AUDIT_RETENTION_FLOOR_DAYS: u32 = 180;

/// The security switches. `Default` is the secure configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Security {
    /// `XUEFA_PASSWORD_MIN_LENGTH` (default and least 8).
    pub password_min_length: usize,
    /// `XUEFA_FORCE_PASSWORD_CHANGE` (default 1): a password someone else set (create,
    /// import, reset) is changed at its first sign-in.
    pub force_password_change: bool,
    /// `XUEFA_PASSWORD_MAX_AGE_DAYS` (default 90; 0 = never): a password older than this
    /// is changed at the next sign-in.
    pub password_max_age_days: u32,
    /// `XUEFA_IDLE_TIMEOUT_MINUTES` (default 30): a session unused this long ends.
    pub idle_timeout_minutes: u32,
    /// `XUEFA_2FA_REQUIRED_FOR` (default the administrator roles; `none` = nobody): the
    /// roles that must sign in with a second factor.
    pub totp_required_for: Vec<Role>,
    /// `XUEFA_SEPARATION_OF_DUTIES` (default 0): no account holds two of `sysadmin`,
    /// `secadmin`, `auditor`, nor `admin`.
    pub separation_of_duties: bool,
    /// `XUEFA_AUDIT_RETENTION_DAYS` (default 365; at least 180).
    pub audit_retention_days: u32,
    /// `XUEFA_PASSWORD_LOGIN_ROLES` (default every role): an account holding none of these
    /// signs in only through the identity provider.
    pub password_login_roles: Option<Vec<Role>>,
}

impl Default for Security {
    fn default() -> Self {
        Self {
            password_min_length: PASSWORD_FLOOR,
            force_password_change: true,
            password_max_age_days: 90,
            idle_timeout_minutes: 30,
            totp_required_for: Role::ADMINISTRATORS.to_vec(),
            separation_of_duties: false,
            audit_retention_days: 365,
            password_login_roles: None,
        }
    }
}

impl Security {
    /// Whether an account with these roles must sign in with a second factor.
    pub fn totp_required(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.totp_required_for.contains(r))
    }
}

/// Common passwords nobody may choose: the 10,000 most common passwords of six or more
/// characters from zxcvbn's list (data/common-passwords.txt; its source and licence are
/// in data/README.md), compared without regard to case.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .filter(|l| !l.is_empty())
        .collect()
});

/// Whether a password is, or is a common password with symbols added to it
/// (`Admin@123`, `P@ssword1!`): compared in lower case, with and without its symbols.
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return true;
    }
    let letters_and_digits: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    letters_and_digits.chars().count() >= 6 && COMMON.contains(letters_and_digits.as_str())
}

/// How many of the four classes (lower, upper, digit, symbol) a password has.
pub fn classes(password: &str) -> usize {
    let has = |test: fn(&char) -> bool| password.chars().any(|c| test(&c));
    [
        has(|c| c.is_lowercase()),
        has(|c| c.is_uppercase()),
        has(|c| c.is_ascii_digit()),
        has(|c| !c.is_alphanumeric()),
    ]
    .into_iter()
    .filter(|b| *b)
    .count()
}

/// Every rule `password` breaks that can be checked without the database (the length,
/// the classes, the username, the common list), one field error each, in that order.
pub fn password_errors(
    min_length: usize,
    field: &str,
    password: &str,
    username: Option<&str>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let len = password.chars().count();
    if len < min_length {
        errors.push(FieldError::too_short(field, min_length));
    }
    if len > PASSWORD_MAX_LENGTH {
        errors.push(FieldError::too_long(field, PASSWORD_MAX_LENGTH));
        return errors;
    }
    if classes(password) < PASSWORD_CLASSES {
        errors.push(
            FieldError::new(
                field,
                Code::PasswordClasses,
                format!(
                    "must mix at least {PASSWORD_CLASSES} of: lower-case letters, capitals, \
                     digits, symbols"
                ),
            )
            .with(|p| p.min = Some(PASSWORD_CLASSES as i64)),
        );
    }
    if let Some(name) = username.map(str::trim).filter(|n| n.chars().count() >= 3)
        && password.to_lowercase().contains(&name.to_lowercase())
    {
        errors.push(FieldError::new(
            field,
            Code::PasswordHasUsername,
            "must not contain the username",
        ));
    }
    if is_common(password) {
        errors.push(FieldError::new(
            field,
            Code::PasswordCommon,
            "is one of the most common passwords, which are guessed first",
        ));
    }
    errors
}

/// [`password_errors`] as one 422 (or nothing).
pub fn check_password_rules(
    min_length: usize,
    field: &str,
    password: &str,
    username: Option<&str>,
) -> crate::error::AppResult<()> {
    let errors = password_errors(min_length, field, password, username);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(crate::error::AppError::invalid_many(errors))
    }
}

/// The error for a password that is one of the account's last [`PASSWORD_HISTORY`].
pub fn reused_error(field: &str) -> FieldError {
    FieldError::new(
        field,
        Code::PasswordReused,
        format!("must not be one of this account's last {PASSWORD_HISTORY} passwords"),
    )
    .with(|p| p.max = Some(PASSWORD_HISTORY as i64))
}

/// Whether a password set at `changed_at` has expired at `now` under `max_age_days`.
pub fn password_expired(
    max_age_days: u32,
    changed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    max_age_days > 0
        && changed_at.is_some_and(|at| at + chrono::Duration::days(max_age_days as i64) <= now)
}

/// Time-based one-time passwords: 6 digits, 30-second steps, SHA-1 (what every
/// authenticator app reads from an `otpauth://` URI), one step of drift either way.
pub mod totp {
    use totp_rs::{Algorithm, Secret, TOTP};

    pub const DIGITS: usize = 6;
    pub const STEP_SECS: u64 = 30;
    pub const ISSUER: &str = "xuefa";

    /// A new secret: 160 random bits, base32 (RFC 4226's recommended length).
    pub fn new_secret() -> String {
        let mut bytes = [0u8; 20];
        getrandom::fill(&mut bytes).expect("the OS random source works");
        Secret::Raw(bytes.to_vec()).to_encoded().to_string()
    }

    fn generator(secret: &str) -> Option<TOTP> {
        let bytes = Secret::Encoded(secret.to_owned()).to_bytes().ok()?;
        TOTP::new(Algorithm::SHA1, DIGITS, 0, STEP_SECS, bytes).ok()
    }

    /// The step a code is right for, within one step of `unix_time`'s, or `None`.
    pub fn matching_step(secret: &str, code: &str, unix_time: i64) -> Option<i64> {
        let code = code.trim();
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let generator = generator(secret)?;
        let now_step = unix_time.div_euclid(STEP_SECS as i64);
        [now_step, now_step - 1, now_step + 1]
            .into_iter()
            .filter(|step| *step >= 0)
            .find(|step| generator.check(code, *step as u64 * STEP_SECS))
    }

    /// The code for `unix_time` (tests and the console's own check use it).
    pub fn code_at(secret: &str, unix_time: i64) -> Option<String> {
        Some(generator(secret)?.generate(unix_time.max(0) as u64))
    }

    /// The `otpauth://` URI an authenticator app reads (from the QR code).
    pub fn otpauth_uri(secret: &str, username: &str) -> String {
        use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
        let label = format!("{ISSUER}:{username}");
        let label = utf8_percent_encode(&label, NON_ALPHANUMERIC);
        format!(
            "otpauth://totp/{label}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}"
        )
    }

    /// The URI as a QR code, an SVG image the console shows as it is.
    pub fn qr_svg(uri: &str) -> String {
        match qrcode::QrCode::new(uri.as_bytes()) {
            Ok(code) => code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build(),
            Err(_) => String::new(),
        }
    }

    /// Ten one-time recovery codes (`xxxx-xxxx`, letters and digits not mistaken for
    /// one another).
    pub fn recovery_codes() -> Vec<String> {
        use rand::seq::IndexedRandom;
        const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
        let mut rng = rand::rng();
        (0..10)
            .map(|_| {
                let mut code = String::with_capacity(9);
                for i in 0..8 {
                    if i == 4 {
                        code.push('-');
                    }
                    code.push(*ALPHABET.choose(&mut rng).expect("not empty") as char);
                }
                code
            })
            .collect()
    }

    /// A recovery code as typed, normalised (case, spaces, the dash optional).
    pub fn normalise_recovery_code(code: &str) -> Option<String> {
        let chars: String = code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        (chars.len() == 8).then(|| format!("{}-{}", &chars[..4], &chars[4..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_name_each_broken_rule() {
        let codes = |p: &str, user: Option<&str>| -> Vec<Code> {
            password_errors(8, "password", p, user)
                .into_iter()
                .map(|e| e.code)
                .collect()
        };
        assert_eq!(codes("Xy7#", None), vec![Code::TooShort]);
        assert_eq!(codes("abcdefgh42", None), vec![Code::PasswordClasses]);
        assert_eq!(
            codes("Zhangsan-2026", Some("zhangsan")),
            vec![Code::PasswordHasUsername]
        );
        assert_eq!(codes("P@ssw0rd", None), vec![Code::PasswordCommon]);
        assert_eq!(codes("Admin@123", None), vec![Code::PasswordCommon]);
        assert!(codes("Qx7-river-lamp", Some("zhangsan")).is_empty());
        assert!(COMMON.len() >= 9000, "{}", COMMON.len());
    }

    #[test]
    fn totp_matches_rfc_6238_and_one_step_either_side() {
        // RFC 6238 appendix B, SHA-1 seed "12345678901234567890" at 59 s: 94287082 (8
        // digits); its last six are the 6-digit code.
        let secret = totp_rs::Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(totp::code_at(&secret, 59).unwrap(), "287082");
        assert_eq!(totp::matching_step(&secret, "287082", 59), Some(1));
        assert_eq!(totp::matching_step(&secret, "287082", 59 + 30), Some(1));
        assert_eq!(totp::matching_step(&secret, "287082", 59 + 60), None);
        assert_eq!(totp::matching_step(&secret, "28708", 59), None);
    }

    #[test]
    fn expiry_counts_from_the_change() {
        let at: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        let later = |days| at + chrono::Duration::days(days);
        assert!(!password_expired(90, Some(at), later(89)));
        assert!(password_expired(90, Some(at), later(90)));
        assert!(!password_expired(0, Some(at), later(900)));
        assert!(!password_expired(90, None, later(900)));
    }
}
