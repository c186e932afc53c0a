//! The one place that touches the YAML crate (`serde_yaml`, a maintained fork under that name),
//! so that it can be swapped in one file.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diag::{Code, Diagnostic, Location};

/// A YAML value, for config trees whose shape is only known when walking them.
pub type YamlValue = serde_yaml::Value;

/// Parse `text` (the content of `file`) into `T`, turning errors into a located diagnostic.
pub fn parse<T: DeserializeOwned>(file: &Path, text: &str) -> Result<T, Diagnostic> {
    serde_yaml::from_str(text).map_err(|e| yaml_error(file, text, &e))
}

/// Read `value` (parsed from `text`, the content of `file`) into `T`; an error is located in
/// the file when the YAML crate says where.
pub fn from_value<T: DeserializeOwned>(
    file: &Path,
    text: &str,
    value: YamlValue,
) -> Result<T, Diagnostic> {
    serde_yaml::from_value(value).map_err(|e| yaml_error(file, text, &e))
}

/// Convert a YAML value into JSON, the form configs are kept in.
pub fn to_json(v: &YamlValue) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn yaml_error(file: &Path, text: &str, e: &serde_yaml::Error) -> Diagnostic {
    let mut message = e.to_string();
    // The crate appends " at line X column Y"; the location is shown separately.
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    let d = Diagnostic::error(
        Code::InvalidYaml,
        crate::t!("e003-invalid-yaml", message = message.as_str()),
    );
    let d = match e.location() {
        Some(loc) => {
            let index = crate::diag::LineIndex::new(text);
            let off = index.offset(text, loc.line(), loc.column());
            d.at(Location::from_span_indexed(
                file,
                text,
                &index,
                off..off + 1,
            ))
        }
        None => d.at(Location::file_only(file)),
    };
    let help = if message.contains("unknown field") {
        crate::t!("e003-invalid-yaml-help-unknown-field")
    } else if message.contains("tab") {
        crate::t!("e003-invalid-yaml-help-tab")
    } else {
        crate::t!("e003-invalid-yaml-help")
    };
    d.help(help)
}
