//! Partition projection (`partition_projection:` on a Hive model): Athena computes a table's
//! partitions from its table properties instead of reading them from Glue, so a query on a table
//! with tens of thousands of partitions makes no `GetPartitions` call. karte writes the
//! properties (`projection.enabled`, `projection.<column>.*`, `storage.location.template`) with
//! the swap that publishes a table version, and registers no Glue partitions for such a table.
//!
//! The location template points into the version folder the build wrote
//! (`<prefix><run id>/<col>=${col}/…`): each build's CTAS writes the `k=v/` folders there, and
//! the swap changes the template together with the table's location in one UpdateTable, so a
//! reader sees the old version or the new one, never a mix. An incremental `append` copies its
//! new files into the same `k=v/` folders of the current version. Strategies that repoint single
//! partitions (`insert_overwrite`) and ingest tables (one checksum-named folder per delivered
//! file) cannot keep that guarantee with a template, so they are refused (E410).

use std::collections::BTreeMap;

use crate::t;
use serde_json::Value;

/// Table property switching projection on.
pub const ENABLED: &str = "projection.enabled";
/// Table property giving each partition's location.
pub const TEMPLATE: &str = "storage.location.template";

/// True for the table parameters that describe partition projection.
pub fn is_projection_param(key: &str) -> bool {
    key.starts_with("projection.") || key == TEMPLATE
}

/// The projection types Athena knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A range of integers.
    Integer,
    /// A range of dates or timestamps in a format.
    Date,
    /// A list of values.
    Enum,
    /// Any value, given by the query's `WHERE col = …`.
    Injected,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Date => "date",
            Kind::Enum => "enum",
            Kind::Injected => "injected",
        }
    }
}

/// One projected partition column: its type and its properties as Glue keeps them, without the
/// `projection.<column>.` prefix (`range`, `format`, `interval`, `interval.unit`, `digits`,
/// `values`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The partition column.
    pub column: String,
    /// Its type.
    pub kind: Kind,
    /// Its other properties.
    pub properties: BTreeMap<String, String>,
}

/// The projection of a table's partition columns, in `partitioned_by` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    /// Every partition column.
    pub columns: Vec<Column>,
}

impl Projection {
    /// The table properties without the location template (what a table keeps whatever
    /// version it reads).
    pub fn properties(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::from([(ENABLED.to_string(), "true".to_string())]);
        for c in &self.columns {
            out.insert(
                format!("projection.{}.type", c.column),
                c.kind.as_str().into(),
            );
            for (k, v) in &c.properties {
                out.insert(format!("projection.{}.{k}", c.column), v.clone());
            }
        }
        out
    }

    /// The location template for a version folder: `<location><col>=${col}/…`, the layout a
    /// Hive CTAS writes partitions in.
    pub fn template(&self, location: &str) -> String {
        let mut t = location.to_string();
        if !t.ends_with('/') {
            t.push('/');
        }
        for c in &self.columns {
            t.push_str(&format!("{0}=${{{0}}}/", c.column));
        }
        t
    }

    /// All table parameters for a table version at `location`.
    pub fn parameters(&self, location: &str) -> BTreeMap<String, String> {
        let mut p = self.properties();
        p.insert(TEMPLATE.into(), self.template(location));
        p
    }
}

/// True if a table's parameters switch projection on.
pub fn enabled(params: &BTreeMap<String, String>) -> bool {
    params
        .get(ENABLED)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// A problem with the config: the message and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

fn problem(message: String, help: String) -> Problem {
    Problem { message, help }
}

const UNITS: &[&str] = &[
    "YEARS",
    "MONTHS",
    "WEEKS",
    "DAYS",
    "HOURS",
    "MINUTES",
    "SECONDS",
    "MILLISECONDS",
];

/// Read `partition_projection:` (column → `{type, …}`) against the table's partition columns.
pub fn parse(value: &Value, partitioned_by: &[String]) -> Result<Projection, Vec<Problem>> {
    let Value::Object(map) = value else {
        return Err(vec![problem(
            t!("plan-proj-not-mapping", value = value.to_string()),
            t!("plan-proj-not-mapping-help"),
        )]);
    };
    let mut problems = Vec::new();
    if partitioned_by.is_empty() {
        problems.push(problem(
            t!("plan-proj-unpartitioned"),
            t!("plan-proj-unpartitioned-help"),
        ));
    }
    for col in map.keys() {
        if !partitioned_by.is_empty() && !partitioned_by.iter().any(|p| p == col) {
            problems.push(problem(
                t!(
                    "plan-proj-not-partition-column",
                    column = col,
                    columns = listed(partitioned_by)
                ),
                t!("plan-proj-not-partition-column-help"),
            ));
        }
    }
    let mut columns = Vec::new();
    for p in partitioned_by {
        let Some(spec) = map.get(p) else {
            if !partitioned_by.is_empty() && !map.is_empty() {
                problems.push(problem(
                    t!("plan-proj-missing-column", column = p),
                    t!("plan-proj-missing-column-help"),
                ));
            }
            continue;
        };
        match column(p, spec) {
            Ok(c) => columns.push(c),
            Err(mut ps) => problems.append(&mut ps),
        }
    }
    if map.is_empty() && !partitioned_by.is_empty() {
        problems.push(problem(t!("plan-proj-empty"), t!("plan-proj-empty-help")));
    }
    if problems.is_empty() {
        Ok(Projection { columns })
    } else {
        Err(problems)
    }
}

fn listed(cols: &[String]) -> String {
    if cols.is_empty() {
        t!("plan-proj-none")
    } else {
        cols.join(", ")
    }
}

/// A scalar as text (numbers too), or None.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn column(col: &str, spec: &Value) -> Result<Column, Vec<Problem>> {
    let Value::Object(o) = spec else {
        return Err(vec![problem(
            t!(
                "plan-proj-column-not-mapping",
                column = col,
                value = spec.to_string()
            ),
            t!("plan-proj-column-not-mapping-help"),
        )]);
    };
    let mut problems = Vec::new();
    let kind = match o
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_lowercase)
        .as_deref()
    {
        Some("integer") => Kind::Integer,
        Some("date") => Kind::Date,
        Some("enum") => Kind::Enum,
        Some("injected") => Kind::Injected,
        other => {
            return Err(vec![problem(
                t!(
                    "plan-proj-bad-type",
                    column = col,
                    type = other
                        .map(String::from)
                        .unwrap_or_else(|| t!("plan-proj-no-type"))
                ),
                t!("plan-proj-bad-type-help"),
            )])
        }
    };
    let allowed: &[&str] = match kind {
        Kind::Integer => &["type", "range", "interval", "digits"],
        Kind::Date => &["type", "range", "format", "interval", "unit"],
        Kind::Enum => &["type", "values"],
        Kind::Injected => &["type"],
    };
    for k in o.keys() {
        if !allowed.contains(&k.as_str()) {
            problems.push(problem(
                t!(
                    "plan-proj-unknown-setting",
                    key = k,
                    kind = kind.as_str(),
                    column = col
                ),
                t!(
                    "plan-proj-unknown-setting-help",
                    kind = kind.as_str(),
                    keys = allowed.join(", ")
                ),
            ));
        }
    }
    let mut properties = BTreeMap::new();
    let positive = |key: &str, problems: &mut Vec<Problem>| -> Option<String> {
        let v = o.get(key)?;
        match v.as_u64() {
            Some(n) if n > 0 => Some(n.to_string()),
            _ => {
                problems.push(problem(
                    t!(
                        "plan-proj-not-positive",
                        key = key,
                        column = col,
                        value = v.to_string()
                    ),
                    t!("plan-proj-not-positive-help", key = key),
                ));
                None
            }
        }
    };
    match kind {
        Kind::Integer => {
            match range(o.get("range")) {
                Some((lo, hi)) => match (lo.parse::<i64>(), hi.parse::<i64>()) {
                    (Ok(a), Ok(b)) if a <= b => {
                        properties.insert("range".into(), format!("{lo},{hi}"));
                    }
                    (Ok(_), Ok(_)) => problems.push(problem(
                        t!(
                            "plan-proj-range-reversed",
                            column = col,
                            low = lo,
                            high = hi
                        ),
                        t!("plan-proj-range-reversed-help"),
                    )),
                    _ => problems.push(problem(
                        t!(
                            "plan-proj-range-not-integers",
                            column = col,
                            low = lo,
                            high = hi
                        ),
                        t!("plan-proj-range-not-integers-help"),
                    )),
                },
                None => problems.push(problem(
                    t!("plan-proj-integer-no-range", column = col),
                    t!("plan-proj-integer-no-range-help"),
                )),
            }
            if let Some(i) = positive("interval", &mut problems) {
                properties.insert("interval".into(), i);
            }
            if let Some(d) = positive("digits", &mut problems) {
                properties.insert("digits".into(), d);
            }
        }
        Kind::Date => {
            let format = o.get("format").and_then(text).filter(|f| !f.is_empty());
            match &format {
                Some(f) => {
                    properties.insert("format".into(), f.clone());
                }
                None => problems.push(problem(
                    t!("plan-proj-date-no-format", column = col),
                    t!("plan-proj-date-no-format-help"),
                )),
            }
            match range(o.get("range")) {
                Some((lo, hi)) => {
                    for bound in [&lo, &hi] {
                        if let Some(why) = date_bound_problem(bound, format.as_deref()) {
                            problems.push(problem(
                                t!(
                                    "plan-proj-bad-bound",
                                    column = col,
                                    bound = bound,
                                    why = why
                                ),
                                t!("plan-proj-bad-bound-help"),
                            ));
                        }
                    }
                    properties.insert("range".into(), format!("{lo},{hi}"));
                }
                None => problems.push(problem(
                    t!("plan-proj-date-no-range", column = col),
                    t!("plan-proj-date-no-range-help"),
                )),
            }
            if let Some(i) = positive("interval", &mut problems) {
                properties.insert("interval".into(), i);
            }
            if let Some(u) = o.get("unit") {
                let unit = text(u).unwrap_or_default().to_uppercase();
                if UNITS.contains(&unit.as_str()) {
                    properties.insert("interval.unit".into(), unit);
                } else {
                    problems.push(problem(
                        t!("plan-proj-bad-unit", unit = u.to_string(), column = col),
                        t!("plan-use-one-of", values = UNITS.join(", ")),
                    ));
                }
            }
        }
        Kind::Enum => {
            let values: Option<Vec<String>> = match o.get("values") {
                Some(Value::Array(a)) => a.iter().map(text).collect(),
                Some(v) => text(v).map(|s| s.split(',').map(|x| x.trim().to_string()).collect()),
                None => None,
            };
            match values {
                Some(vs) if !vs.is_empty() && vs.iter().all(|v| !v.is_empty()) => {
                    if let Some(v) = vs.iter().find(|v| v.contains(',')) {
                        problems.push(problem(
                            t!("plan-proj-enum-comma", value = v, column = col),
                            t!("plan-proj-enum-comma-help"),
                        ));
                    }
                    properties.insert("values".into(), vs.join(","));
                }
                _ => problems.push(problem(
                    t!("plan-proj-enum-no-values", column = col),
                    t!("plan-proj-enum-no-values-help"),
                )),
            }
        }
        Kind::Injected => {}
    }
    if problems.is_empty() {
        Ok(Column {
            column: col.to_string(),
            kind,
            properties,
        })
    } else {
        Err(problems)
    }
}

/// `'a,b'` or `[a, b]` → (a, b).
fn range(v: Option<&Value>) -> Option<(String, String)> {
    let parts: Vec<String> = match v? {
        Value::Array(a) => a.iter().map(text).collect::<Option<_>>()?,
        other => text(other)?
            .split(',')
            .map(|s| s.trim().to_string())
            .collect(),
    };
    match parts.as_slice() {
        [a, b] if !a.is_empty() && !b.is_empty() => Some((a.clone(), b.clone())),
        _ => None,
    }
}

/// Why a date range bound is not one Athena reads: NOW[±N UNIT], or a date in `format`.
fn date_bound_problem(bound: &str, format: Option<&str>) -> Option<String> {
    let upper = bound.to_uppercase();
    if let Some(rest) = upper.strip_prefix("NOW") {
        if rest.is_empty() {
            return None;
        }
        let offset = rest.strip_prefix(['+', '-']);
        let ok = offset.is_some_and(|o| {
            let digits = o.chars().take_while(char::is_ascii_digit).count();
            let unit = &o[digits..];
            digits > 0
                && UNITS
                    .iter()
                    .any(|u| *u == unit || u.strip_suffix('S') == Some(unit))
        });
        return (!ok).then(|| t!("plan-proj-bound-relative"));
    }
    let strftime = java_to_strftime(format?)?;
    let mut parsed = chrono::format::Parsed::default();
    match chrono::format::parse(
        &mut parsed,
        bound,
        chrono::format::StrftimeItems::new(&strftime),
    ) {
        Ok(()) => None,
        Err(_) => Some(t!("plan-proj-bound-format", format = format?)),
    }
}

/// A Java date pattern of the common letters as a strftime pattern (None when it uses others:
/// the bound is then left to Athena).
fn java_to_strftime(java: &str) -> Option<String> {
    let mut out = String::new();
    let chars: Vec<char> = java.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let n = chars[i..].iter().take_while(|&&x| x == c).count();
        if c.is_ascii_alphabetic() {
            let item = match (c, n) {
                ('y', 4) => "%Y",
                ('M', 2) => "%m",
                ('d', 2) => "%d",
                ('H', 2) => "%H",
                ('m', 2) => "%M",
                ('s', 2) => "%S",
                _ => return None,
            };
            out.push_str(item);
        } else if c == '%' || c == '\'' {
            return None;
        } else {
            out.extend(std::iter::repeat_n(c, n));
        }
        i += n;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cols(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parameters_of_each_type() {
        let p = parse(
            &json!({
                "service_month": {"type": "date", "range": "2015-01,NOW", "format": "yyyy-MM", "interval": 1, "unit": "months"},
                "pref": {"type": "enum", "values": ["01", "13"]},
                "year": {"type": "integer", "range": [2010, 2040], "digits": 4},
                "hospital": {"type": "injected"}
            }),
            &cols(&["service_month", "pref", "year", "hospital"]),
        )
        .unwrap();
        let params = p.parameters("s3://b/lake/silver/t/run1/");
        assert_eq!(params["projection.enabled"], "true");
        assert_eq!(params["projection.service_month.type"], "date");
        assert_eq!(params["projection.service_month.range"], "2015-01,NOW");
        assert_eq!(params["projection.service_month.interval.unit"], "MONTHS");
        assert_eq!(params["projection.pref.values"], "01,13");
        assert_eq!(params["projection.year.range"], "2010,2040");
        assert_eq!(params["projection.year.digits"], "4");
        assert_eq!(params["projection.hospital.type"], "injected");
        assert_eq!(
            params[TEMPLATE],
            "s3://b/lake/silver/t/run1/service_month=${service_month}/pref=${pref}/year=${year}/hospital=${hospital}/"
        );
        assert!(enabled(&params));
    }

    #[test]
    fn problems_are_found() {
        let errs = |v: Value, c: &[&str]| parse(&v, &cols(c)).unwrap_err();
        assert!(errs(
            json!({"m": {"type": "date", "range": "2015/01,NOW", "format": "yyyy-MM"}}),
            &["m"]
        )[0]
        .message
        .contains("does not match the format"));
        assert!(errs(
            json!({"m": {"type": "date", "range": "2015-01,NOW-3 YEARS", "format": "yyyy-MM"}}),
            &["m"]
        )[0]
        .message
        .contains("NOW"));
        assert!(
            errs(json!({"m": {"type": "integer", "range": "5,1"}}), &["m"])[0]
                .message
                .contains("after its end")
        );
        assert!(errs(json!({"x": {"type": "injected"}}), &["m"])
            .iter()
            .any(|p| p.message.contains("not a partition column")));
        assert!(errs(json!({"m": {"type": "injected"}}), &["m", "n"])
            .iter()
            .any(|p| p.message.contains("`n` has no projection")));
        assert!(errs(json!({"m": {"type": "list"}}), &["m"])[0]
            .message
            .contains("integer, date, enum or injected"));
        assert!(
            errs(json!({"m": {"type": "enum", "values": []}}), &["m"])[0]
                .message
                .contains("needs `values`")
        );
        assert!(
            errs(json!({"m": {"type": "injected", "range": "1,2"}}), &["m"])[0]
                .message
                .contains("not a setting")
        );
        // NOW offsets and formats with other letters are accepted.
        assert!(parse(
            &json!({"m": {"type": "date", "range": "NOW-10YEARS,NOW+1MONTH", "format": "yyyy-MM"}}),
            &cols(&["m"])
        )
        .is_ok());
        assert!(parse(
            &json!({"m": {"type": "date", "range": "2020-01-01-00,NOW", "format": "yyyy-MM-dd-HH"}}),
            &cols(&["m"])
        )
        .is_ok());
    }
}
