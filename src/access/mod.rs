//! Access as code: `access:` in karte.yml — named roles (Lake Formation principals) and what
//! each may read — resolved against the compiled project into, per role, the tables it may
//! read and the columns left out of each ([`resolve`]); the difference from the permissions
//! Lake Formation holds becomes grant and revoke steps of the plan (`crate::plan::grants::plan_table`).
//! `karte access` prints the resolution ([`text`]). See docs/governance.md.

pub mod columns;
pub mod lf;
pub mod resolve;
pub mod text;

pub use columns::column_classes;
pub use lf::{LfColumns, LfPermission};
pub use resolve::{resolve, Access, Decision, RoleAccess, TableAccess};
