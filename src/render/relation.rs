//! The relation object returned by `ref()`, `source()` and bound to `this`.

use std::fmt;
use std::sync::Arc;

use minijinja::value::{Object, Value};

/// A relation as templates see it. It renders as its logical name (`layer.model` or
/// `source.table`), which the analysis stage resolves and replaces by the target's
/// fully-qualified name, exactly as it does for plain SQL.
#[derive(Debug, Clone)]
pub struct RelationValue {
    /// Schema-level name as written in SQL: the layer for models, the source name for sources.
    pub namespace: String,
    /// Table name.
    pub name: String,
    /// Schema in the catalog.
    pub schema: String,
}

impl Object for RelationValue {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "schema" => Some(Value::from(self.schema.clone())),
            "name" | "identifier" | "table" => Some(Value::from(self.name.clone())),
            "layer" => Some(Value::from(self.namespace.clone())),
            _ => None,
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.namespace, self.name)
    }
}
