//! Column types, as far as they are known without a database: declared ones (a property
//! file's `data_type`, an ingest table's varchar columns and `_line`, a seed's
//! `column_types`) and what a model's select items say (`cast(… as date)`, a DATE literal,
//! `count(…)`, a copied column of known type). Rules that need a type stay silent when it is
//! [`Ty::Unknown`].

use std::collections::HashMap;

use crate::sql::shape::Name;

/// The type families the rules care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// tinyint, smallint, integer, bigint.
    Int,
    /// double, real, decimal: a division keeps its fraction.
    Fractional,
    /// date.
    Date,
    /// timestamp (with or without time zone).
    Timestamp,
    /// varchar, char.
    Text,
    /// boolean.
    Bool,
    /// Not known (or another type).
    Unknown,
}

impl Ty {
    /// The family of an Athena type name (DML or DDL spelling).
    pub fn of_name(name: &str) -> Ty {
        let n = name.trim().to_lowercase();
        let base = n.split(['(', ' ']).next().unwrap_or("");
        match base {
            "tinyint" | "smallint" | "integer" | "int" | "bigint" => Ty::Int,
            "double" | "real" | "float" | "decimal" => Ty::Fractional,
            "date" => Ty::Date,
            "timestamp" => Ty::Timestamp,
            "varchar" | "char" | "string" => Ty::Text,
            "boolean" => Ty::Bool,
            _ => Ty::Unknown,
        }
    }

    /// True unless unknown.
    pub fn known(self) -> bool {
        self != Ty::Unknown
    }

    /// Date or timestamp.
    pub fn is_temporal(self) -> bool {
        matches!(self, Ty::Date | Ty::Timestamp)
    }
}

/// The columns of a relation with their types.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// Name (lower case) → type (`Unknown` when only the name is known).
    pub types: HashMap<Name, Ty>,
    /// The names are all the relation's columns (a `*` over it and an unqualified name not
    /// among them are decided).
    pub complete: bool,
    /// Columns declared unique (a `unique` test): one row per value.
    pub unique: std::collections::HashSet<Name>,
}

impl Columns {
    /// Type of a column, if it has it.
    pub fn get(&self, name: &str) -> Option<Ty> {
        self.types.get(name).copied()
    }

    /// True if the relation surely has no column `name`.
    pub fn surely_lacks(&self, name: &str) -> bool {
        self.complete && !self.types.contains_key(name)
    }
}

/// The columns of every relation of the project that has known columns, by unique id.
pub type Relations = HashMap<String, Columns>;

/// Declared columns: sources (with ingest tables) and the nodes' property files and seed
/// `column_types`. Models' inferred columns are added by the lint pass in dependency order.
pub fn declared(project: &crate::project::Project, lineage: &crate::lineage::Lineage) -> Relations {
    let mut out = Relations::new();
    let mut add = |id: String,
                   cols: &[crate::project::ColumnProperties],
                   tests: &[crate::project::TestSpec],
                   extra: Vec<(String, String)>| {
        let rel = lineage.relations.get(&id);
        let mut c = Columns {
            types: HashMap::new(),
            complete: rel.is_some_and(|r| r.columns.is_some() && !r.incomplete),
            unique: tests
                .iter()
                .filter(|t| t.name == "unique")
                .filter_map(|t| Some(Name::from(t.column.as_ref()?.to_lowercase())))
                .collect(),
        };
        for l in rel.and_then(|r| r.columns.as_ref()).into_iter().flatten() {
            c.types.insert(l.name.clone(), Ty::Unknown);
        }
        for p in cols {
            let ty = p.data_type.as_deref().map_or(Ty::Unknown, Ty::of_name);
            c.types.insert(Name::from(p.name.to_lowercase()), ty);
        }
        for (name, ty) in extra {
            c.types
                .insert(Name::from(name.to_lowercase()), Ty::of_name(&ty));
        }
        out.insert(id, c);
    };
    for (i, s) in project.sources.iter().enumerate() {
        add(project.source_id(i), &s.columns, &s.tests, Vec::new());
    }
    for (i, n) in project.nodes.iter().enumerate() {
        let extra: Vec<(String, String)> = n
            .config
            .0
            .get("column_types")
            .and_then(|v| v.as_object())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        add(project.node_id(i), &n.columns, &n.tests, extra);
    }
    out
}
