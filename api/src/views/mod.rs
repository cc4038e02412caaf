//! What the routes share: the views of more than one resource (the annual summary, the
//! targets, an account), the vocabularies on the wire, files, money, paging and text.
//! Route files import from here, never from each other.

pub mod annual;
pub mod enums;
pub mod exam;
pub mod files;
pub mod material;
pub mod money;
pub mod paging;
pub mod study;
pub mod targets;
pub mod text;
pub mod users;
