//! The grant and revoke steps of a table: the difference between what `access:` gives each
//! principal on it ([`crate::access::lf::desired`]) and what Lake Formation holds
//! (ListPermissions, in the catalog state).

use std::collections::{BTreeMap, BTreeSet};

use crate::access::lf::{desired, SELECT};
use crate::access::{Access, LfColumns, LfPermission};
use crate::plan::step::{Action, Destroy, TableRef};

/// The revoke and grant steps that make Lake Formation's read grants on `table` (node `i`)
/// what `access` says, given `current` (ListPermissions on the table). Revokes come first: a
/// narrowed grant is never wider than both, even for a moment.
pub fn plan_table(
    access: &Access,
    i: usize,
    table: &TableRef,
    current: &[LfPermission],
) -> Vec<(Action, Vec<Destroy>)> {
    let want = desired(access, i);
    let role_of = |principal: &str| -> Option<String> {
        let names: Vec<&str> = access
            .roles
            .iter()
            .filter(|(_, r)| r.principal == principal)
            .map(|(n, _)| n.as_str())
            .collect();
        (!names.is_empty()).then(|| names.join("+"))
    };
    let mut owned: BTreeMap<&str, Vec<&LfPermission>> = BTreeMap::new();
    for p in current.iter().filter(|p| p.is_karte_read()) {
        owned.entry(p.principal.as_str()).or_default().push(p);
    }
    let principals: BTreeSet<&str> = want
        .keys()
        .map(String::as_str)
        .chain(owned.keys().copied())
        .collect();
    let mut revokes = Vec::new();
    let mut grants = Vec::new();
    for principal in principals {
        let held = owned.get(principal).cloned().unwrap_or_default();
        let wanted = want.get(principal).map(|(roles, excluded)| LfPermission {
            principal: principal.to_string(),
            role: Some(roles.join("+")),
            columns: LfColumns::AllExcept {
                excluded: excluded.iter().cloned().collect(),
            },
            permissions: vec![SELECT.to_string()],
            grantable: Vec::new(),
        });
        let keep = wanted
            .as_ref()
            .and_then(|w| held.iter().position(|h| h.columns.same(&w.columns)));
        for (k, h) in held.iter().enumerate() {
            if Some(k) != keep {
                revokes.push(LfPermission {
                    role: role_of(principal),
                    ..(*h).clone()
                });
            }
        }
        if let (Some(w), None) = (wanted, keep) {
            grants.push(w);
        }
    }
    let mut actions = Vec::new();
    if !revokes.is_empty() {
        let destroys = revokes
            .iter()
            .map(|p| Destroy {
                kind: "read permission".into(),
                target: format!("{p} of {table}"),
                note: "the principal can no longer read this when the step runs; granted again only by a build whose karte.yml gives it".into(),
            })
            .collect();
        actions.push((
            Action::RevokeLakeFormation {
                table: table.clone(),
                permissions: revokes,
            },
            destroys,
        ));
    }
    if !grants.is_empty() {
        actions.push((
            Action::GrantLakeFormation {
                table: table.clone(),
                permissions: grants,
            },
            Vec::new(),
        ));
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{RoleAccess, TableAccess};
    use std::collections::{BTreeMap, BTreeSet};

    fn access(roles: &[(&str, &str, &[&str])]) -> Access {
        let mut a = Access::default();
        for (name, principal, excluded) in roles {
            let mut t = TableAccess::default();
            for c in *excluded {
                t.excluded.insert(c.to_string(), BTreeSet::new());
            }
            a.roles.insert(
                name.to_string(),
                RoleAccess {
                    principal: principal.to_string(),
                    description: None,
                    tables: BTreeMap::from([(0, t)]),
                    rules: vec!["read[1]: all".into()],
                },
            );
        }
        a
    }

    fn held(principal: &str, columns: LfColumns, perms: &[&str]) -> LfPermission {
        LfPermission {
            principal: principal.into(),
            role: None,
            columns,
            permissions: perms.iter().map(|p| p.to_string()).collect(),
            grantable: Vec::new(),
        }
    }

    fn table() -> TableRef {
        TableRef {
            schema: "gold".into(),
            name: "pmpm".into(),
        }
    }

    fn kinds(actions: &[(Action, Vec<Destroy>)]) -> Vec<(String, Vec<String>)> {
        actions
            .iter()
            .map(|(a, _)| match a {
                Action::GrantLakeFormation { permissions, .. } => (
                    "grant".to_string(),
                    permissions.iter().map(|p| p.to_string()).collect(),
                ),
                Action::RevokeLakeFormation { permissions, .. } => (
                    "revoke".to_string(),
                    permissions.iter().map(|p| p.to_string()).collect(),
                ),
                other => (other.name().to_string(), Vec::new()),
            })
            .collect()
    }

    #[test]
    fn first_apply_grants_every_role() {
        let a = access(&[("analysts", "arn:a", &["zip"]), ("platform", "arn:p", &[])]);
        let actions = plan_table(&a, 0, &table(), &[]);
        assert_eq!(
            kinds(&actions),
            vec![(
                "grant".to_string(),
                vec![
                    "analysts (arn:a): SELECT on all columns except zip".to_string(),
                    "platform (arn:p): SELECT on all columns".to_string()
                ]
            )]
        );
    }

    #[test]
    fn nothing_to_do_when_lake_formation_holds_it() {
        let a = access(&[("analysts", "arn:a", &["zip"]), ("platform", "arn:p", &[])]);
        let current = vec![
            held(
                "arn:a",
                LfColumns::AllExcept {
                    excluded: vec!["zip".into()],
                },
                &["SELECT"],
            ),
            // A SELECT on the Table resource is every column.
            held("arn:p", LfColumns::Table, &["SELECT", "DESCRIBE"]),
            // Not karte's: the creator's ALL, a grant with the grant option.
            held("arn:admin", LfColumns::Table, &["ALL"]),
            LfPermission {
                grantable: vec!["SELECT".into()],
                ..held("arn:steward", LfColumns::Table, &["SELECT"])
            },
        ];
        assert!(plan_table(&a, 0, &table(), &current).is_empty());
    }

    #[test]
    fn a_removed_role_is_revoked_and_a_narrowed_grant_replaced() {
        let a = access(&[("analysts", "arn:a", &["zip", "birth"])]);
        let current = vec![
            held(
                "arn:a",
                LfColumns::AllExcept {
                    excluded: vec!["zip".into()],
                },
                &["SELECT"],
            ),
            held(
                "arn:gone",
                LfColumns::AllExcept { excluded: vec![] },
                &["SELECT"],
            ),
        ];
        let actions = plan_table(&a, 0, &table(), &current);
        assert_eq!(
            kinds(&actions),
            vec![
                (
                    "revoke".to_string(),
                    vec![
                        "analysts (arn:a): SELECT on all columns except zip".to_string(),
                        "arn:gone: SELECT on all columns".to_string()
                    ]
                ),
                (
                    "grant".to_string(),
                    vec!["analysts (arn:a): SELECT on all columns except birth, zip".to_string()]
                )
            ]
        );
        assert_eq!(actions[0].1.len(), 2, "every revoke is a destroy");
        assert!(actions[1].1.is_empty());
    }

    #[test]
    fn one_principal_in_two_roles_reads_the_union() {
        let a = access(&[("a1", "arn:x", &["zip"]), ("a2", "arn:x", &[])]);
        let want = desired(&a, 0);
        assert_eq!(want["arn:x"].0, vec!["a1", "a2"]);
        assert!(want["arn:x"].1.is_empty());
    }
}
