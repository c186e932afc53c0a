//! Property files (`models/**/*.yml`, `seeds/*.yml`, `snapshots/*.yml`): descriptions, columns,
//! tests, config and sources, in dbt's vocabulary.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::yaml::YamlValue;

/// One property file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PropertiesFile {
    /// dbt's file version (accepted and ignored).
    #[serde(default)]
    pub version: Option<YamlValue>,
    /// Model properties.
    #[serde(default)]
    pub models: Vec<NodeProperties>,
    /// Seed properties.
    #[serde(default)]
    pub seeds: Vec<NodeProperties>,
    /// Snapshot properties.
    #[serde(default)]
    pub snapshots: Vec<NodeProperties>,
    /// Declared sources.
    #[serde(default)]
    pub sources: Vec<SourceProperties>,
}

/// Properties of a model, seed or snapshot.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NodeProperties {
    /// Node name (file stem).
    pub name: String,
    /// What the node holds (Japanese or English).
    #[serde(default)]
    pub description: Option<String>,
    /// Config, same keys as `config()` in the model.
    #[serde(default)]
    pub config: BTreeMap<String, YamlValue>,
    /// Tags (also allowed under `config`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Columns.
    #[serde(default)]
    pub columns: Vec<ColumnProperties>,
    /// Model-level tests.
    #[serde(default, alias = "data_tests")]
    pub tests: Vec<YamlValue>,
    /// Free-form metadata.
    #[serde(default)]
    pub meta: BTreeMap<String, YamlValue>,
}

/// Properties of one column.
#[derive(Debug, Clone, Deserialize, Serialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ColumnProperties {
    /// Column name.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Declared type (Athena type name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    /// Data classification, e.g. `direct_identifier`, `quasi_identifier`, `pseudonym`
    /// (docs/governance.md). On a model's column it overrides the class inferred from lineage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    /// Why a model's column is declared with fewer classes than its lineage gives it (required
    /// then; shown in the manifest and the docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification_reason: Option<String>,
    /// Column tests.
    #[serde(default, alias = "data_tests", skip_serializing)]
    pub tests: Vec<YamlValue>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, serde_json::Value>,
}

/// A declared source: tables that karte reads but does not build.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SourceProperties {
    /// Source name, as used in `source('name', 'table')` and `name.table`.
    pub name: String,
    /// Schema (Glue database); defaults to the name.
    #[serde(default)]
    pub schema: Option<String>,
    /// Catalog, if not the target's.
    #[serde(default, alias = "database")]
    pub catalog: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Tables.
    #[serde(default)]
    pub tables: Vec<SourceTableProperties>,
    /// How fresh its tables must be (`karte source freshness`); a table may override it.
    #[serde(default)]
    pub freshness: Option<FreshnessProperties>,
    /// The column holding when a row was loaded (for freshness).
    #[serde(default)]
    pub loaded_at_field: Option<String>,
    /// Free-form metadata.
    #[serde(default)]
    pub meta: BTreeMap<String, YamlValue>,
}

/// One table of a source.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SourceTableProperties {
    /// Name used in the project.
    pub name: String,
    /// Name in the catalog, if different.
    #[serde(default)]
    pub identifier: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Columns.
    #[serde(default)]
    pub columns: Vec<ColumnProperties>,
    /// Tests.
    #[serde(default, alias = "data_tests")]
    pub tests: Vec<YamlValue>,
    /// How fresh it must be (over the source's).
    #[serde(default)]
    pub freshness: Option<FreshnessProperties>,
    /// The column holding when a row was loaded (over the source's).
    #[serde(default)]
    pub loaded_at_field: Option<String>,
    /// Free-form metadata.
    #[serde(default)]
    pub meta: BTreeMap<String, YamlValue>,
}

/// `freshness: {warn_after: {count: 12, period: hour}, error_after: {count: 1, period: day}}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FreshnessProperties {
    /// Older than this is a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_after: Option<FreshnessAfter>,
    /// Older than this is an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_after: Option<FreshnessAfter>,
}

/// `{count: 12, period: hour}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FreshnessAfter {
    /// How many periods.
    pub count: u32,
    /// `minute`, `hour` or `day`.
    pub period: FreshnessPeriod,
}

impl FreshnessAfter {
    /// In seconds.
    pub fn seconds(&self) -> i64 {
        i64::from(self.count)
            * match self.period {
                FreshnessPeriod::Minute => 60,
                FreshnessPeriod::Hour => 3_600,
                FreshnessPeriod::Day => 86_400,
            }
    }
}

/// The unit of a freshness bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FreshnessPeriod {
    /// Minutes.
    Minute,
    /// Hours.
    Hour,
    /// Days.
    Day,
}
