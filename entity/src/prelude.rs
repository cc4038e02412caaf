pub use super::audit_log::Entity as AuditLog;
pub use super::login_failure::Entity as LoginFailure;
pub use super::refresh_token::Entity as RefreshToken;
pub use super::setting::Entity as Setting;
pub use super::unit::Entity as Unit;
pub use super::user::Entity as User;
