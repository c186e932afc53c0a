//! What the engine read from its catalog before planning. Planning is pure: an empty state for a
//! first run, or one loaded from a JSON file (`--catalog-state`) so CI can plan offline.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::step::TableFormat;
use crate::diag::{Code, Diagnostic, Location};

/// Catalog parameter marking a table as created and managed by karte.
pub const MANAGED_PARAM: &str = "karte_managed";
/// Catalog parameter holding the prefix a managed table owns.
pub const OWNED_PREFIX_PARAM: &str = "karte_owned_prefix";

/// The catalog as known before planning.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogState {
    /// Tables by `schema.name` (lower case).
    #[serde(default)]
    pub tables: BTreeMap<String, TableState>,
    /// Lake Formation permissions on the tables `access:` governs, by `schema.name` (lower
    /// case), as ListPermissions returns them; none when not read (local targets, projects
    /// without `access:`, states saved before): an Athena plan then takes nothing as granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lake_formation: Option<BTreeMap<String, Vec<crate::access::LfPermission>>>,
}

/// Kind of catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableKind {
    /// A Hive table.
    Hive,
    /// An Iceberg table.
    Iceberg,
    /// A view.
    View,
}

impl TableKind {
    /// The format of a table kind (None for views).
    pub fn format(self) -> Option<TableFormat> {
        match self {
            TableKind::Hive => Some(TableFormat::Hive),
            TableKind::Iceberg => Some(TableFormat::Iceberg),
            TableKind::View => None,
        }
    }
}

/// One table or view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableState {
    /// Kind.
    pub kind: TableKind,
    /// Data location (none for views).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Created by karte (catalog parameter `karte_managed=true`).
    #[serde(default)]
    pub managed: bool,
    /// The prefix the table owns (catalog parameter `karte_owned_prefix`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_prefix: Option<String>,
    /// Columns (name, type), partition columns excluded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<ColumnState>,
    /// Partition keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partition_keys: Vec<String>,
    /// Types of the partition keys (Athena type names), in the same order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partition_types: Vec<String>,
    /// Registered partitions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<PartitionState>,
    /// Earlier data locations kept for rollback, newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_locations: Vec<String>,
    /// The delivered file an unpartitioned ingest table holds (`karte ingest`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingested: Option<IngestedFile>,
    /// The catalog's version of the table definition (Glue `VersionId`), when the engine has
    /// one: a swap planned against it fails if the table changed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// The table parameters planning reads beyond karte's marks: partition projection
    /// (`projection.*`, `storage.location.template`) and the last Iceberg maintenance
    /// (`karte_last_optimize`, `karte_last_vacuum`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
}

impl TableState {
    /// Keep, of a table's catalog parameters, those planning reads (see `parameters`).
    pub fn planning_parameters<'a>(
        params: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> BTreeMap<String, String> {
        params
            .into_iter()
            .filter(|(k, _)| {
                super::projection::is_projection_param(k)
                    || super::maintenance::is_maintenance_param(k)
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// True if Athena projects the table's partitions (`projection.enabled=true`): its Glue
    /// partitions, if any, are not read.
    pub fn projected(&self) -> bool {
        super::projection::enabled(&self.parameters)
    }

    /// The projection parameters, without the location template.
    pub fn projection_properties(&self) -> BTreeMap<String, String> {
        self.parameters
            .iter()
            .filter(|(k, _)| k.starts_with("projection."))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// A column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnState {
    /// Name.
    pub name: String,
    /// Athena type.
    #[serde(rename = "type")]
    pub data_type: String,
}

/// A registered partition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionState {
    /// Values, in partition-key order.
    pub values: Vec<String>,
    /// Location.
    pub location: String,
    /// The delivered file this partition holds (`karte ingest`): the ingest manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingested: Option<IngestedFile>,
}

/// A delivered file loaded by `karte ingest`, kept with the partition (or table) holding it —
/// as catalog parameters (`karte_source_*`) on Glue, in the catalog entry locally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestedFile {
    /// The file's name as matched by its rule (e.g. `medical/RECEIPTC_06139999_201811.zip`).
    pub file: String,
    /// SHA-256 of the delivered bytes (hex).
    pub sha256: String,
    /// Size of the delivered file in bytes.
    pub bytes: u64,
    /// Rows loaded.
    pub rows: u64,
    /// When it was loaded (UTC, RFC 3339).
    pub ingested_at: String,
    /// The ingest run.
    pub run_id: String,
}

impl IngestedFile {
    /// As catalog parameters.
    pub fn to_params(&self) -> Vec<(String, String)> {
        vec![
            ("karte_source_file".into(), self.file.clone()),
            ("karte_source_sha256".into(), self.sha256.clone()),
            ("karte_source_bytes".into(), self.bytes.to_string()),
            ("karte_rows".into(), self.rows.to_string()),
            ("karte_ingested_at".into(), self.ingested_at.clone()),
            ("karte_ingest_run".into(), self.run_id.clone()),
        ]
    }

    /// From catalog parameters (None if they do not describe an ingested file).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Option<IngestedFile> {
        Some(IngestedFile {
            file: get("karte_source_file")?,
            sha256: get("karte_source_sha256")?,
            bytes: get("karte_source_bytes")?.parse().ok()?,
            rows: get("karte_rows")?.parse().ok()?,
            ingested_at: get("karte_ingested_at").unwrap_or_default(),
            run_id: get("karte_ingest_run").unwrap_or_default(),
        })
    }
}

impl CatalogState {
    /// Read a saved state.
    pub fn load(path: &Path) -> Result<CatalogState, Diagnostic> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Diagnostic::error(
                Code::Io,
                crate::t!("plan-cannot-read-catalog-state", error = e.to_string()),
            )
            .at(Location::file_only(path))
        })?;
        serde_json::from_str(&text).map_err(|e| {
            let index = crate::diag::LineIndex::new(&text);
            let off = index.offset(&text, e.line(), e.column());
            Diagnostic::error(
                Code::InvalidArgument,
                crate::t!("plan-invalid-catalog-state", error = e.to_string()),
            )
            .at(Location::from_span(path, &text, off..off + 1))
            .help(crate::t!("plan-invalid-catalog-state-help"))
        })
    }

    /// The entry for `schema.name`.
    pub fn get(&self, schema: &str, name: &str) -> Option<&TableState> {
        self.tables.get(&format!(
            "{}.{}",
            schema.to_lowercase(),
            name.to_lowercase()
        ))
    }
}
