//! The check every engine makes right before it deletes data, against the catalog as it is
//! then (not as it was when the plan was made): the owner is a table karte manages, the catalog
//! agrees with the owned prefix karte's layout gives (a different `karte_owned_prefix` is never
//! taken as a licence), and no prefix to delete covers where the owner reads its data now.

use super::EngineError;
use crate::plan::catalog::{TableKind, TableState, MANAGED_PARAM, OWNED_PREFIX_PARAM};
use crate::plan::TableRef;

/// Check the owner of `prefixes` (all under `owned`, as the plan computed it): its marks, and
/// that no prefix covers where it reads its data now. `norm` puts a location in the engine's
/// comparable form, ending in `/`.
pub fn check_owner(
    table: &TableRef,
    state: Option<&TableState>,
    owned: &str,
    prefixes: &[String],
    norm: &dyn Fn(&str) -> String,
) -> Result<(), EngineError> {
    let first = prefixes.first().map(String::as_str).unwrap_or(owned);
    let state = check_marks(table, state, owned, first, norm)?;
    let current = state
        .location
        .iter()
        .chain(state.partitions.iter().map(|p| &p.location))
        .filter(|l| !l.is_empty());
    for c in current {
        if let Some(p) = prefixes.iter().find(|p| norm(c).starts_with(&norm(p))) {
            return Err(EngineError::project(crate::t!(
                "engine-refuse-delete",
                path = p,
                why = crate::t!(
                    "engine-why-covers-current",
                    current = c,
                    table = table.to_string()
                )
            )));
        }
    }
    Ok(())
}

/// The owner is managed by karte, and its catalog entry names no other owned prefix than
/// `owned` (a table other than a view must name one).
pub fn check_marks<'a>(
    table: &TableRef,
    state: Option<&'a TableState>,
    owned: &str,
    what: &str,
    norm: &dyn Fn(&str) -> String,
) -> Result<&'a TableState, EngineError> {
    let refuse = |why: String| {
        EngineError::project(crate::t!("engine-refuse-delete", path = what, why = why))
    };
    let Some(state) = state.filter(|s| s.managed) else {
        return Err(refuse(crate::t!(
            "engine-why-not-managed",
            table = table.to_string(),
            param = MANAGED_PARAM
        )));
    };
    match &state.owned_prefix {
        Some(p) if norm(p) != norm(owned) => Err(refuse(crate::t!(
            "engine-why-owner-differs",
            table = table.to_string(),
            prefix = p,
            owned = owned
        ))),
        None if state.kind != TableKind::View => Err(refuse(crate::t!(
            "engine-why-no-owned-prefix",
            table = table.to_string(),
            param = OWNED_PREFIX_PARAM
        ))),
        _ => Ok(state),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::layout::normalise;

    fn state(owned: Option<&str>, location: Option<&str>) -> TableState {
        serde_json::from_value(serde_json::json!({
            "kind": "hive", "managed": true, "owned_prefix": owned, "location": location,
        }))
        .unwrap()
    }

    #[test]
    fn owner_checks() {
        let t = TableRef {
            schema: "silver".into(),
            name: "t".into(),
        };
        let owned = "s3://b/lake/silver/t/";
        let old = vec!["s3://b/lake/silver/t/r1/".to_string()];
        let ok = state(Some(owned), Some("s3://b/lake/silver/t/r2/"));
        assert!(check_owner(&t, Some(&ok), owned, &old, &normalise).is_ok());
        // Glue names a wider prefix: refused, naming both.
        let wide = state(Some("s3://b/lake/"), Some("s3://b/lake/silver/t/r2/"));
        let e = check_owner(&t, Some(&wide), owned, &old, &normalise).unwrap_err();
        assert!(
            e.message.contains("s3://b/lake/") && e.message.contains(owned),
            "{}",
            e.message
        );
        // The table reads from what would be deleted.
        let reads = state(Some(owned), Some("s3://b/lake/silver/t/r1"));
        assert!(check_owner(&t, Some(&reads), owned, &old, &normalise).is_err());
        let all = vec![owned.to_string()];
        assert!(check_owner(&t, Some(&ok), owned, &all, &normalise).is_err());
        // Not managed, or absent.
        let foreign = TableState {
            managed: false,
            ..ok.clone()
        };
        assert!(check_owner(&t, Some(&foreign), owned, &old, &normalise).is_err());
        assert!(check_owner(&t, None, owned, &old, &normalise).is_err());
    }
}
