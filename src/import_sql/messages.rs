//! Every text `karte import-sql` shows, from the message catalogue
//! (`src/i18n/{en,ja}/import_sql.ftl`): one function (or one match arm) per message.

use super::NotConverted;
pub use crate::i18n::Lang;
use crate::t;

/// What is wrong with a statement that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// The tokenizer stopped (an unclosed quote or comment…): its message.
    Tokenizer(String),
    /// A `)` without its `(`.
    UnopenedParen,
    /// A `(` never closed.
    UnclosedParen,
    /// A word or symbol was expected here.
    Expected(String),
    /// A table or column name was expected.
    ExpectedName,
    /// A quoted text was expected.
    ExpectedString,
    /// `key = value` was expected.
    ExpectedProperty,
    /// The value of a property is missing or not a text, number or ARRAY[…].
    ExpectedValue(String),
    /// `SELECT` / `WITH` was expected (the query).
    ExpectedQuery,
    /// Not the start of a statement.
    NotAStatement,
}

impl Detail {
    /// The message.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Detail::Tokenizer(m) => t!(lang => "import-detail-tokenizer", message = m),
            Detail::UnopenedParen => t!(lang => "import-detail-unopened-paren"),
            Detail::UnclosedParen => t!(lang => "import-detail-unclosed-paren"),
            Detail::Expected(w) => t!(lang => "import-detail-expected", word = w),
            Detail::ExpectedName => t!(lang => "import-detail-expected-name"),
            Detail::ExpectedString => t!(lang => "import-detail-expected-string"),
            Detail::ExpectedProperty => t!(lang => "import-detail-expected-property"),
            Detail::ExpectedValue(k) => t!(lang => "import-detail-expected-value", key = k),
            Detail::ExpectedQuery => t!(lang => "import-detail-expected-query"),
            Detail::NotAStatement => t!(lang => "import-detail-not-a-statement"),
        }
    }
}

/// The help line of an unreadable statement.
pub fn syntax_help(lang: Lang) -> String {
    t!(lang => "import-syntax-help")
}

/// Headline of an unreadable statement.
pub fn syntax_error(lang: Lang) -> String {
    t!(lang => "import-syntax-error")
}

impl NotConverted {
    /// What the statement is, in a few words.
    pub fn what(&self, lang: Lang) -> String {
        match self {
            NotConverted::Template => t!(lang => "import-what-template"),
            NotConverted::MsckRepair => "MSCK REPAIR TABLE".into(),
            NotConverted::AlterPartition => "ALTER TABLE … PARTITION".into(),
            NotConverted::Alter => "ALTER".into(),
            NotConverted::Unload => "UNLOAD".into(),
            NotConverted::StandaloneQuery => t!(lang => "import-what-query-alone"),
            NotConverted::RowChange(w) => w.clone(),
            NotConverted::Maintenance(w) => w.clone(),
            NotConverted::InsertOverwrite => "INSERT OVERWRITE".into(),
            NotConverted::InsertValues => "INSERT … VALUES".into(),
            NotConverted::ViewColumnList => "CREATE VIEW v (…)".into(),
            NotConverted::NoData => "CREATE TABLE … WITH NO DATA".into(),
            NotConverted::EmptyTable => "CREATE TABLE (…)".into(),
            NotConverted::DropOnly => "DROP".into(),
            NotConverted::SecondInsert => "INSERT INTO".into(),
            NotConverted::InsertIntoNonTable => "INSERT INTO".into(),
            NotConverted::CreatedTwice => "CREATE".into(),
            NotConverted::Other(w) => w.clone(),
        }
    }

    /// Why it was not converted, and what to do.
    pub fn reason(&self, lang: Lang, table: &str) -> String {
        match self {
            NotConverted::Template => t!(lang => "import-why-template"),
            NotConverted::MsckRepair => t!(lang => "import-why-msck", table = table),
            NotConverted::AlterPartition => {
                t!(lang => "import-why-alter-partition", table = table)
            }
            NotConverted::Alter => t!(lang => "import-why-alter", table = table),
            NotConverted::Unload => t!(lang => "import-why-unload"),
            NotConverted::StandaloneQuery => t!(lang => "import-why-query-alone"),
            NotConverted::RowChange(w) => t!(lang => "import-why-row-change", statement = w),
            NotConverted::Maintenance(w) => {
                t!(lang => "import-why-maintenance", statement = w)
            }
            NotConverted::InsertOverwrite => t!(lang => "import-why-insert-overwrite"),
            NotConverted::InsertValues => t!(lang => "import-why-insert-values", table = table),
            NotConverted::ViewColumnList => t!(lang => "import-why-view-columns"),
            NotConverted::NoData => t!(lang => "import-why-no-data", table = table),
            NotConverted::EmptyTable => t!(lang => "import-why-empty-table", table = table),
            NotConverted::DropOnly => t!(lang => "import-why-drop-only", table = table),
            NotConverted::SecondInsert => t!(lang => "import-why-second-insert", table = table),
            NotConverted::InsertIntoNonTable => {
                t!(lang => "import-why-insert-non-table", table = table)
            }
            NotConverted::CreatedTwice => t!(lang => "import-why-created-twice", table = table),
            NotConverted::Other(w) => t!(lang => "import-why-other", statement = w),
        }
    }
}

/// Headline of the warning for a statement not converted.
pub fn not_converted(lang: Lang, what: &str) -> String {
    t!(lang => "import-not-converted", what = what)
}

/// Help of the warning for a statement not converted.
pub fn not_converted_help(lang: Lang, report: &str) -> String {
    t!(lang => "import-not-converted-help", report = report)
}

/// W971: the query did not parse.
pub fn query_not_parsed(lang: Lang, message: &str) -> String {
    t!(lang => "import-query-not-parsed", message = message)
}

/// Help of W971.
pub fn query_not_parsed_help(lang: Lang) -> String {
    t!(lang => "import-query-not-parsed-help")
}

/// W972: a script reads a table a later script creates.
pub fn order_changed(lang: Lang, table: &str, later: &str) -> String {
    t!(lang => "import-order-changed", table = table, later = later)
}

/// Help of W972.
pub fn order_changed_help(lang: Lang) -> String {
    t!(lang => "import-order-changed-help")
}

/// W973: a property kept differently or left out.
pub fn property_changed(lang: Lang, key: &str, why: &str) -> String {
    t!(lang => "import-property-changed", key = key, why = why)
}

/// Why an external_location was not kept.
pub fn location_outside(lang: Lang, location: &str, root: &str) -> String {
    t!(lang => "import-location-outside", location = location, root = root)
}

/// Why a property value is not karte's.
pub fn value_not_supported(lang: Lang, value: &str) -> String {
    t!(lang => "import-value-not-supported", value = value)
}

/// W974: a table read but not created by any script.
pub fn unknown_table(lang: Lang, table: &str, source: &str) -> String {
    t!(lang => "import-unknown-table", table = table, source = source)
}

/// Help of W974.
pub fn unknown_table_help(lang: Lang) -> String {
    t!(lang => "import-unknown-table-help")
}

/// E971: a model name clash.
pub fn name_clash(lang: Lang, name: &str, existing: &str) -> String {
    t!(lang => "import-name-clash", name = name, existing = existing)
}

/// Help of E971.
pub fn name_clash_help(lang: Lang) -> String {
    t!(lang => "import-name-clash-help")
}

/// E972: the layer is not in the existing project.
pub fn unknown_layer(lang: Lang, layer: &str, known: &str) -> String {
    t!(lang => "import-unknown-layer", layer = layer, known = known)
}

/// Help for an unknown layer.
pub fn unknown_layer_help(lang: Lang, layer: &str) -> String {
    t!(lang => "import-unknown-layer-help", layer = layer)
}

/// E972: no scripts found.
pub fn no_scripts(lang: Lang, path: &str) -> String {
    t!(lang => "import-no-scripts", path = path)
}

/// E972: a path that does not exist.
pub fn no_such_path(lang: Lang, path: &str) -> String {
    t!(lang => "import-no-such-path", path = path)
}

/// E972: the output directory holds something that is not a karte project.
pub fn out_not_project(lang: Lang, path: &str) -> String {
    t!(lang => "import-out-not-project", path = path)
}

/// Help for an output directory that is not a project.
pub fn out_not_project_help(lang: Lang) -> String {
    t!(lang => "import-out-not-project-help")
}

/// The summary line printed at the end (and at the top of the report).
pub fn summary(
    lang: Lang,
    scripts: usize,
    statements: usize,
    models: usize,
    sources: usize,
    not_converted: usize,
    report: &str,
) -> String {
    t!(lang => "import-summary",
        scripts = scripts,
        statements = statements,
        models = models,
        sources = sources,
        not_converted = not_converted,
        report = report)
}

/// What to run next.
pub fn next_steps(lang: Lang, dir: &str) -> String {
    t!(lang => "import-next-steps", dir = dir)
}
