//! Lake Formation permissions as data, and what `access:` gives each principal on a table
//! ([`desired`]); the plan's grant and revoke steps are `crate::plan::grants`.
//!
//! karte grants `SELECT` on a `TableWithColumns` resource with a `ColumnWildcard`, listing the
//! classified columns a rule leaves out in `ExcludedColumnNames` (karte knows the classified
//! columns — they are declared — but not always every column of a table). It owns the read
//! grants of the tables it builds: a grant holding `SELECT` (with `DESCRIBE` at most) and no
//! grant option is karte's to keep or revoke; anything else (the creator's `ALL`, a grant with
//! the grant option, `IAMAllowedPrincipals`) is never touched.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Access;

/// The permission karte grants.
pub const SELECT: &str = "SELECT";
/// Lake Formation's limit of entries per BatchGrantPermissions / BatchRevokePermissions call.
pub const BATCH: usize = 20;

/// One Lake Formation permission entry on a table: a principal, the resource shape and the
/// permissions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LfPermission {
    /// Lake Formation principal identifier (`DataLakePrincipalIdentifier`).
    pub principal: String,
    /// The role of `access:` with this principal, for people (none: not in karte.yml).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Which columns: the resource shape.
    pub columns: LfColumns,
    /// Permissions (`SELECT`, …).
    pub permissions: Vec<String>,
    /// Permissions held with the grant option (karte never grants or revokes those).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grantable: Vec<String>,
}

/// The resource of a permission on a table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "resource", rename_all = "snake_case")]
pub enum LfColumns {
    /// `Table {DatabaseName, Name}`: the table as a whole.
    Table,
    /// `TableWithColumns {…, ColumnWildcard {ExcludedColumnNames}}`: every column but these
    /// (sorted; empty: every column).
    AllExcept {
        /// Left-out columns.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        excluded: Vec<String>,
    },
    /// `TableWithColumns {…, ColumnNames}`: these columns only.
    Only {
        /// Columns.
        columns: Vec<String>,
    },
}

impl LfColumns {
    /// Same columns readable (a `Table` grant of SELECT is every column).
    pub fn same(&self, other: &LfColumns) -> bool {
        let norm = |c: &LfColumns| match c {
            LfColumns::Table => LfColumns::AllExcept {
                excluded: Vec::new(),
            },
            other => other.clone(),
        };
        norm(self) == norm(other)
    }
}

impl std::fmt::Display for LfColumns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LfColumns::Table => write!(f, "{}", crate::t!("lf-the-table")),
            LfColumns::AllExcept { excluded } if excluded.is_empty() => {
                write!(f, "{}", crate::t!("lf-all-columns"))
            }
            LfColumns::AllExcept { excluded } => write!(
                f,
                "{}",
                crate::t!("lf-all-columns-except", columns = excluded.join(", "))
            ),
            LfColumns::Only { columns } => write!(
                f,
                "{}",
                crate::t!("lf-columns", columns = columns.join(", "))
            ),
        }
    }
}

impl std::fmt::Display for LfPermission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.role {
            Some(r) => write!(f, "{r} ({})", self.principal)?,
            None => write!(f, "{}", self.principal)?,
        }
        write!(
            f,
            ": {}",
            crate::t!(
                "lf-permission-on",
                permissions = self.permissions.join(", "),
                columns = self.columns.to_string()
            )
        )
    }
}

impl LfPermission {
    /// A grant karte owns: SELECT, with DESCRIBE at most, no grant option.
    pub fn is_karte_read(&self) -> bool {
        self.grantable.is_empty()
            && self.permissions.iter().any(|p| p == SELECT)
            && self
                .permissions
                .iter()
                .all(|p| p == SELECT || p == "DESCRIBE")
    }
}

/// What `access` gives each principal on node `i`: principal → (role names, left-out columns).
/// Two roles with one principal get the union of their reads.
pub fn desired(access: &Access, i: usize) -> BTreeMap<String, (Vec<String>, BTreeSet<String>)> {
    let mut out: BTreeMap<String, (Vec<String>, BTreeSet<String>)> = BTreeMap::new();
    for (name, role) in &access.roles {
        let Some(t) = role.tables.get(&i) else {
            continue;
        };
        let excluded: BTreeSet<String> = t.excluded.keys().cloned().collect();
        match out.get_mut(&role.principal) {
            Some((roles, ex)) => {
                roles.push(name.clone());
                *ex = ex.intersection(&excluded).cloned().collect();
            }
            None => {
                out.insert(role.principal.clone(), (vec![name.clone()], excluded));
            }
        }
    }
    out
}
