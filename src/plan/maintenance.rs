//! Iceberg maintenance on a cadence (`optimize: {every: 7d}`, `vacuum: {every: 30d}` on an
//! incremental Iceberg model or snapshot): after the node's build, `OPTIMIZE … REWRITE DATA
//! USING BIN_PACK` (small files and delete files rewritten) and `VACUUM` (expired snapshots and
//! orphan files removed) are planned as steps of their own when the last run of each is older
//! than its cadence. The last run is a table parameter (`karte_last_optimize`,
//! `karte_last_vacuum`: the plan's `as_of` date) written by the step once the statement
//! succeeded, and read back into [`super::catalog::TableState::parameters`]; a table a build
//! creates afresh gets today's date (it has nothing to compact yet).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::projection::Problem;

/// A maintenance operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    /// `OPTIMIZE … REWRITE DATA USING BIN_PACK`.
    Optimize,
    /// `VACUUM`.
    Vacuum,
}

impl Operation {
    /// Config key and step name.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Optimize => "optimize",
            Operation::Vacuum => "vacuum",
        }
    }

    /// The table parameter holding the date it last ran.
    pub fn param(self) -> &'static str {
        match self {
            Operation::Optimize => "karte_last_optimize",
            Operation::Vacuum => "karte_last_vacuum",
        }
    }
}

/// True for the table parameters that record maintenance.
pub fn is_maintenance_param(key: &str) -> bool {
    key == Operation::Optimize.param() || key == Operation::Vacuum.param()
}

/// One operation's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Which.
    pub operation: Operation,
    /// Days between runs.
    pub every_days: u32,
    /// OPTIMIZE only: a predicate on partition columns limiting the files rewritten.
    pub filter: Option<String>,
}

/// Read `optimize:` / `vacuum:` (`{every: 7d}`, `{every: 2w}`; optimize also `where:`).
pub fn parse(operation: Operation, value: &Value) -> Result<Schedule, Problem> {
    let key = operation.as_str();
    let example = match operation {
        Operation::Optimize => "optimize: {every: 7d}",
        Operation::Vacuum => "vacuum: {every: 30d}",
    };
    let bad = |message: String| Problem {
        message,
        help: crate::t!("plan-maint-help", example = example),
    };
    let Value::Object(o) = value else {
        return Err(bad(crate::t!(
            "plan-maint-not-mapping",
            key = key,
            value = value.to_string()
        )));
    };
    let allowed: &[&str] = match operation {
        Operation::Optimize => &["every", "where"],
        Operation::Vacuum => &["every"],
    };
    if let Some(k) = o.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(bad(crate::t!(
            "plan-maint-unknown-setting",
            setting = k,
            key = key,
            keys = allowed.join(", ")
        )));
    }
    let every = o
        .get("every")
        .ok_or_else(|| bad(crate::t!("plan-maint-no-every", key = key)))?;
    let every_days = cadence_days(every).ok_or_else(|| {
        bad(crate::t!(
            "plan-maint-bad-every",
            key = key,
            value = every.to_string()
        ))
    })?;
    let filter = match o.get("where") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(other) => {
            return Err(bad(crate::t!(
                "plan-maint-bad-where",
                key = key,
                value = other.to_string()
            )))
        }
    };
    Ok(Schedule {
        operation,
        every_days,
        filter,
    })
}

/// `7d` → 7, `2w` → 14, `7` → 7 (days); at least one day.
fn cadence_days(v: &Value) -> Option<u32> {
    let (n, unit) = match v {
        Value::Number(n) => (n.as_u64()?, 1),
        Value::String(s) => {
            let s = s.trim().to_lowercase();
            let (digits, unit) =
                s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
            let unit = match unit.trim() {
                "" | "d" | "day" | "days" => 1,
                "w" | "week" | "weeks" => 7,
                _ => return None,
            };
            (digits.parse().ok()?, unit)
        }
        _ => return None,
    };
    let days = n.checked_mul(unit)?;
    (1..=3650).contains(&days).then_some(days as u32)
}

/// Is the operation due on `as_of` (YYYY-MM-DD), given when it last ran (a date; None: never)?
pub fn due(last: Option<&str>, as_of: &str, every_days: u32) -> bool {
    let date =
        |s: &str| chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok();
    match (last.and_then(date), date(as_of)) {
        (Some(last), Some(today)) => (today - last).num_days() >= i64::from(every_days),
        // Never ran, or a value karte cannot read: run it (and record a readable date).
        _ => true,
    }
}

/// The parameters a table built afresh on `as_of` gets: maintenance "ran" then.
pub fn fresh_parameters(schedules: &[Schedule], as_of: &str) -> BTreeMap<String, String> {
    schedules
        .iter()
        .map(|s| (s.operation.param().to_string(), as_of.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cadences() {
        let s = parse(
            Operation::Optimize,
            &json!({"every": "7d", "where": "m >= '2024-01'"}),
        )
        .unwrap();
        assert_eq!(s.every_days, 7);
        assert_eq!(s.filter.as_deref(), Some("m >= '2024-01'"));
        assert_eq!(
            parse(Operation::Vacuum, &json!({"every": "2w"}))
                .unwrap()
                .every_days,
            14
        );
        assert_eq!(
            parse(Operation::Vacuum, &json!({"every": 3}))
                .unwrap()
                .every_days,
            3
        );
        assert!(parse(Operation::Vacuum, &json!({"every": "0d"})).is_err());
        assert!(parse(Operation::Vacuum, &json!({"every": "7h"})).is_err());
        assert!(parse(Operation::Vacuum, &json!({"every": "7d", "where": "x"})).is_err());
        assert!(parse(Operation::Optimize, &json!("7d")).is_err());
        assert!(parse(Operation::Optimize, &json!({})).is_err());
    }

    #[test]
    fn when_due() {
        assert!(due(None, "2026-12-03", 7));
        assert!(!due(Some("2026-11-30"), "2026-12-03", 7));
        assert!(due(Some("2026-11-26"), "2026-12-03", 7));
        assert!(due(Some("garbage"), "2026-12-03", 7));
    }
}
